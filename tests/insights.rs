//! Insights on hand-made streams: each signal's positives and the near-misses just
//! outside each threshold, out-of-order and duplicated events, the summary, the JSON
//! shape, and the host-driven timeout.

use session_replay::insights::{Insights, InsightsConfig, Signal, SignalKind, Summary, summarize};
use session_replay::{Limits, rrweb};

const T0: i64 = 1_700_000_000_000;
const DEAD: i32 = 10;
const OK: i32 = 12;
const DIV: i32 = 18;
const EMAIL: i32 = 16;

/// A page: a dead-looking button (`#dead`, with a span inside), a working one, a link,
/// an email field and a plain div.
fn page(t: i64, href: &str) -> Vec<String> {
    vec![
        format!(
            r#"{{"type":4,"data":{{"href":"{href}","width":1280,"height":800}},"timestamp":{t}}}"#
        ),
        format!(
            r#"{{"type":2,"data":{{"node":{{"type":0,"id":1,"childNodes":[{{"type":2,"id":2,"tagName":"html","attributes":{{}},"childNodes":[
            {{"type":2,"id":{DEAD},"tagName":"button","attributes":{{"id":"dead","class":"btn cta"}},"childNodes":[{{"type":2,"id":11,"tagName":"span","attributes":{{}},"childNodes":[{{"type":3,"id":20,"textContent":"Apply code"}}]}}]}},
            {{"type":2,"id":{OK},"tagName":"button","attributes":{{"id":"ok"}},"childNodes":[{{"type":3,"id":13,"textContent":"Open"}}]}},
            {{"type":2,"id":14,"tagName":"a","attributes":{{"href":"/next"}},"childNodes":[]}},
            {{"type":2,"id":{EMAIL},"tagName":"input","attributes":{{"type":"email"}},"childNodes":[]}},
            {{"type":2,"id":{DIV},"tagName":"div","attributes":{{}},"childNodes":[]}}
            ]}}]}},"initialOffset":{{"top":0,"left":0}}}},"timestamp":{t}}}"#
        ),
    ]
}

fn click(t: i64, id: i32, x: f64, y: f64) -> String {
    format!(
        r#"{{"type":3,"data":{{"source":2,"type":2,"id":{id},"x":{x},"y":{y}}},"timestamp":{t}}}"#
    )
}

fn focus(t: i64, id: i32) -> String {
    format!(r#"{{"type":3,"data":{{"source":2,"type":5,"id":{id}}},"timestamp":{t}}}"#)
}

/// A mutation: text 13 changes.
fn mutation(t: i64) -> String {
    format!(
        r#"{{"type":3,"data":{{"source":0,"texts":[{{"id":13,"value":"Close {t}"}}],"attributes":[],"removes":[],"adds":[]}},"timestamp":{t}}}"#
    )
}

fn scroll(t: i64) -> String {
    format!(
        r#"{{"type":3,"data":{{"source":3,"id":1,"x":0,"y":{}}},"timestamp":{t}}}"#,
        t % 1000
    )
}

fn console_error(t: i64) -> String {
    format!(
        r#"{{"type":6,"data":{{"plugin":"rrweb/console@1","payload":{{"level":"error","trace":[],"payload":["\"boom\""]}}}},"timestamp":{t}}}"#
    )
}

fn custom_error(t: i64) -> String {
    format!(r#"{{"type":5,"data":{{"tag":"error","payload":{{"message":"x"}}}},"timestamp":{t}}}"#)
}

/// A late, quiet event that moves recording time on (a pointer sample).
fn tick(t: i64) -> String {
    format!(
        r#"{{"type":3,"data":{{"source":1,"positions":[{{"x":5,"y":5,"id":1,"timeOffset":0}}]}},"timestamp":{t}}}"#
    )
}

fn run(parts: Vec<String>) -> Summary {
    let json = format!("[{}]", parts.join(","));
    let events = rrweb::read(json.as_bytes(), &Limits::DEFAULT).unwrap();
    summarize(&events, InsightsConfig::default())
}

fn kinds(s: &Summary) -> Vec<&'static str> {
    s.signals.iter().map(|x| x.kind.name()).collect()
}

fn with(mut base: Vec<String>, more: &[String]) -> Vec<String> {
    base.extend_from_slice(more);
    base
}

#[test]
fn three_quick_clicks_at_one_spot_are_one_rage_click() {
    let s = run(with(
        page(T0, "https://shop.test/"),
        &[
            click(T0 + 1000, DEAD, 100.0, 100.0),
            click(T0 + 1400, 11, 110.0, 105.0),
            click(T0 + 1800, DEAD, 95.0, 100.0),
            click(T0 + 2100, DEAD, 100.0, 102.0),
            click(T0 + 2300, DEAD, 100.0, 102.0),
            tick(T0 + 9000),
        ],
    ));
    assert_eq!(
        kinds(&s),
        ["rage_click"],
        "a rage burst is not also dead clicks"
    );
    let r = &s.signals[0];
    assert_eq!((r.t, r.node), (T0 + 1000, Some(DEAD)));
    match &r.kind {
        SignalKind::RageClick {
            count,
            duration_ms,
            target,
        } => {
            assert_eq!((*count, *duration_ms), (5, 1300));
            let t = target.as_ref().unwrap();
            assert_eq!(t.selector, "button#dead.btn.cta");
            assert_eq!(t.text_shape.as_deref(), Some("Xxxxx xxxx"));
        }
        k => panic!("{k:?}"),
    }
}

#[test]
fn rage_near_misses() {
    // The third click 1,001 ms after the second: two chains of two.
    let late = run(with(
        page(T0, "https://shop.test/"),
        &[
            click(T0 + 1000, OK, 100.0, 100.0),
            click(T0 + 2000, OK, 100.0, 100.0),
            click(T0 + 3001, OK, 100.0, 100.0),
            mutation(T0 + 3100),
            tick(T0 + 9000),
        ],
    ));
    assert_eq!(late.count("rage_click"), 0);
    // 31 px from the click before (Manhattan: 20 + 11).
    let far = run(with(
        page(T0, "https://shop.test/"),
        &[
            click(T0 + 1000, OK, 100.0, 100.0),
            click(T0 + 1200, OK, 100.0, 100.0),
            click(T0 + 1400, OK, 120.0, 111.0),
            mutation(T0 + 1500),
            tick(T0 + 9000),
        ],
    ));
    assert_eq!(far.count("rage_click"), 0);
    // Exactly on the thresholds: 1,000 ms and 30 px.
    let edge = run(with(
        page(T0, "https://shop.test/"),
        &[
            click(T0 + 1000, OK, 100.0, 100.0),
            click(T0 + 2000, OK, 120.0, 110.0),
            click(T0 + 3000, OK, 100.0, 100.0),
            mutation(T0 + 3100),
            tick(T0 + 9000),
        ],
    ));
    assert_eq!(kinds(&edge), ["rage_click"]);
}

#[test]
fn a_click_the_page_does_not_answer_is_dead() {
    let dead = |more: &[String]| {
        let mut parts = vec![click(T0 + 1000, 20, 100.0, 100.0)];
        parts.extend_from_slice(more);
        parts.push(tick(T0 + 20_000));
        run(with(page(T0, "https://shop.test/"), &parts))
    };
    let s = dead(&[]);
    assert_eq!(kinds(&s), ["dead_click"]);
    assert_eq!(s.signals[0].node, Some(DEAD), "the control around the text");
    assert_eq!(s.signals[0].t, T0 + 1000);
    // Answers inside the windows.
    for answer in [
        mutation(T0 + 4000),
        scroll(T0 + 1300),
        focus(T0 + 1100, EMAIL),
        page(T0 + 2000, "https://shop.test/next").remove(0),
    ] {
        assert_eq!(
            dead(std::slice::from_ref(&answer)).count("dead_click"),
            0,
            "{answer}"
        );
    }
    // Just outside them: a mutation 3,001 ms after, a scroll 301 ms after.
    assert_eq!(dead(&[mutation(T0 + 4001)]).count("dead_click"), 1);
    assert_eq!(dead(&[scroll(T0 + 1301)]).count("dead_click"), 1);
    // A focus that came with the click (at mousedown, before it) is no answer.
    let mut before = page(T0, "https://shop.test/");
    before.extend([
        focus(T0 + 990, DEAD),
        click(T0 + 1000, DEAD, 1.0, 1.0),
        tick(T0 + 20_000),
    ]);
    assert_eq!(run(before).count("dead_click"), 1);
}

#[test]
fn only_controls_can_be_dead_and_only_when_judged() {
    for id in [DIV, EMAIL] {
        let s = run(with(
            page(T0, "https://shop.test/"),
            &[click(T0 + 1000, id, 1.0, 1.0), tick(T0 + 20_000)],
        ));
        assert!(s.signals.is_empty(), "{id}: {:?}", s.signals);
    }
    // The recording ends 2 s after the click: no verdict.
    let s = run(with(
        page(T0, "https://shop.test/"),
        &[click(T0 + 1000, DEAD, 1.0, 1.0), tick(T0 + 3000)],
    ));
    assert!(s.signals.is_empty());
    // Two clicks (short of rage) on a dead control: one dead click, count 2.
    let s = run(with(
        page(T0, "https://shop.test/"),
        &[
            click(T0 + 1000, DEAD, 1.0, 1.0),
            click(T0 + 1300, DEAD, 1.0, 1.0),
            tick(T0 + 20_000),
        ],
    ));
    assert_eq!(kinds(&s), ["dead_click"]);
    assert!(matches!(
        s.signals[0].kind,
        SignalKind::DeadClick { count: 2, .. }
    ));
}

#[test]
fn a_click_then_a_page_error_is_an_error_click() {
    for (err, source, after) in [
        (console_error(T0 + 1010), "console", 10),
        (custom_error(T0 + 1200), "custom", 200),
    ] {
        let s = run(with(
            page(T0, "https://shop.test/"),
            &[click(T0 + 1000, DEAD, 1.0, 1.0), err, tick(T0 + 20_000)],
        ));
        assert_eq!(kinds(&s), ["error_click"], "not also dead");
        assert_eq!(s.errors, 1);
        match &s.signals[0].kind {
            SignalKind::ErrorClick {
                source: src,
                after_ms,
                ..
            } => {
                assert_eq!((src.as_str(), *after_ms), (source, after));
            }
            k => panic!("{k:?}"),
        }
    }
    // An error 1,001 ms after: the click was dead, not an error click.
    let s = run(with(
        page(T0, "https://shop.test/"),
        &[
            click(T0 + 1000, DEAD, 1.0, 1.0),
            console_error(T0 + 2001),
            tick(T0 + 20_000),
        ],
    ));
    assert_eq!(kinds(&s), ["dead_click"]);
    // A console message that is not an error.
    let warn = console_error(T0 + 1010).replace(r#""level":"error""#, r#""level":"warn""#);
    let s = run(with(
        page(T0, "https://shop.test/"),
        &[
            click(T0 + 1000, OK, 1.0, 1.0),
            warn,
            mutation(T0 + 1100),
            tick(T0 + 20_000),
        ],
    ));
    assert!(s.signals.is_empty() && s.errors == 0);
}

#[test]
fn a_quick_return_to_the_page_before_is_a_u_turn() {
    let visit = |back_after: i64, third: &str| {
        let mut p = page(T0, "https://shop.test/");
        p.extend(page(T0 + 1000, "https://shop.test/item"));
        p.extend(page(T0 + 1000 + back_after, third));
        p.push(tick(T0 + 30_000));
        run(p)
    };
    let s = visit(3000, "https://shop.test/");
    assert_eq!(kinds(&s), ["u_turn"]);
    match &s.signals[0].kind {
        SignalKind::UTurn { from, to, away_ms } => {
            assert_eq!(
                (from.as_str(), to.as_str(), *away_ms),
                ("https://shop.test/", "https://shop.test/item", 3000)
            );
        }
        k => panic!("{k:?}"),
    }
    assert_eq!(s.pages.len(), 3);
    assert!(
        visit(5001, "https://shop.test/").signals.is_empty(),
        "too slow"
    );
    assert!(
        visit(1000, "https://shop.test/other").signals.is_empty(),
        "not back"
    );
    // A full snapshot of the same page again (rrweb's checkout) is no visit.
    let mut p = page(T0, "https://shop.test/");
    p.extend(page(T0 + 1000, "https://shop.test/"));
    assert_eq!(run(p).pages.len(), 1);
}

#[test]
fn duplicated_and_out_of_order_events() {
    // Each click recorded twice: two clicks, not a rage burst of four.
    let c1 = click(T0 + 1000, OK, 1.0, 1.0);
    let c2 = click(T0 + 1500, OK, 1.0, 1.0);
    let s = run(with(
        page(T0, "https://shop.test/"),
        &[
            c1.clone(),
            c1,
            c2.clone(),
            c2,
            mutation(T0 + 1600),
            tick(T0 + 20_000),
        ],
    ));
    assert_eq!(s.clicks, 2);
    assert!(s.signals.is_empty(), "{:?}", s.signals);
    // Clicks out of time order still form a burst.
    let s = run(with(
        page(T0, "https://shop.test/"),
        &[
            click(T0 + 1000, DEAD, 1.0, 1.0),
            click(T0 + 1400, DEAD, 1.0, 1.0),
            click(T0 + 1200, DEAD, 1.0, 1.0),
            tick(T0 + 20_000),
        ],
    ));
    assert_eq!(kinds(&s), ["rage_click"]);
    // A mutation stamped before the click, arriving after it, does not answer it.
    let s = run(with(
        page(T0, "https://shop.test/"),
        &[
            click(T0 + 1000, DEAD, 1.0, 1.0),
            mutation(T0 + 900),
            tick(T0 + 20_000),
        ],
    ));
    assert_eq!(kinds(&s), ["dead_click"]);
}

#[test]
fn the_summary_counts_and_serialises() {
    let mut p = page(T0, "https://shop.test/");
    p.extend([
        click(T0 + 1000, OK, 1.0, 1.0),
        mutation(T0 + 1100),
        scroll(T0 + 2000),
        // 20 s idle.
        scroll(T0 + 22_000),
        r#"{"type":3,"data":{"source":5,"id":16,"text":"a","isChecked":false},"timestamp":T}"#
            .replace('T', &(T0 + 23_000).to_string()),
    ]);
    let s = run(p);
    assert_eq!(s.start, Some(T0));
    assert_eq!(s.duration_ms, 23_000);
    // Activity at +1000, +1100, +2000 | idle | +22000, +23000.
    assert_eq!(s.active_ms, 100 + 900 + 1000);
    assert_eq!((s.clicks, s.inputs, s.scrolls, s.errors), (1, 1, 2, 0));
    assert_eq!(s.pages[0].href, "https://shop.test/");
    let j = serde_json::to_value(&s).unwrap();
    assert!(j["signals"].is_array());
    let back: Summary = serde_json::from_value(j).unwrap();
    assert_eq!(back, s);
}

#[test]
fn a_live_host_gets_its_verdict_on_time_without_more_events() {
    let json = format!(
        "[{}]",
        with(
            page(T0, "https://shop.test/"),
            &[click(T0 + 1000, DEAD, 1.0, 1.0)]
        )
        .join(",")
    );
    let events = rrweb::read(json.as_bytes(), &Limits::DEFAULT).unwrap();
    let mut i = Insights::new(InsightsConfig::default());
    i.push_batch(&events);
    assert!(i.poll_signal().is_none());
    let due = i.poll_timeout().unwrap();
    // The rage chain closes first (1 s), then the click's verdict (3 s).
    assert_eq!(due.0, T0 + 1000 + 1000 + 1);
    i.tick(due);
    assert!(i.poll_signal().is_none());
    let due = i.poll_timeout().unwrap();
    assert_eq!(due.0, T0 + 1000 + 3000 + 1);
    i.tick(due);
    let s: Signal = i.poll_signal().unwrap();
    assert_eq!(s.kind.name(), "dead_click");
    assert!(i.poll_timeout().is_none());
}

#[test]
fn a_double_click_that_raised_an_error_is_an_error_click_only() {
    let s = run(with(
        page(T0, "https://shop.test/"),
        &[
            click(T0 + 1000, DEAD, 1.0, 1.0),
            console_error(T0 + 1100),
            click(T0 + 1300, DEAD, 1.0, 1.0),
            tick(T0 + 20_000),
        ],
    ));
    assert_eq!(kinds(&s), ["error_click"]);
    // A rage burst that raised an error gives both: repetition, and a failure.
    let s = run(with(
        page(T0, "https://shop.test/"),
        &[
            click(T0 + 1000, DEAD, 1.0, 1.0),
            console_error(T0 + 1010),
            click(T0 + 1300, DEAD, 1.0, 1.0),
            click(T0 + 1600, DEAD, 1.0, 1.0),
            tick(T0 + 20_000),
        ],
    ));
    assert_eq!(kinds(&s), ["rage_click", "error_click"]);
}

#[test]
fn a_batch_sent_twice_adds_no_clicks() {
    let (c1, c2) = (
        click(T0 + 1000, OK, 1.0, 1.0),
        click(T0 + 1500, OK, 1.0, 1.0),
    );
    let s = run(with(
        page(T0, "https://shop.test/"),
        &[
            c1.clone(),
            c2.clone(),
            c1,
            c2,
            mutation(T0 + 1600),
            tick(T0 + 20_000),
        ],
    ));
    assert_eq!(s.clicks, 2);
    assert!(s.signals.is_empty(), "{:?}", s.signals);
}

#[test]
fn selection_and_input_answer_a_click_and_u_turns_end_at_the_window() {
    let selection = format!(
        r#"{{"type":3,"data":{{"source":14,"ranges":[{{"start":20,"startOffset":0,"end":20,"endOffset":3}}]}},"timestamp":{}}}"#,
        T0 + 2000
    );
    let input = format!(
        r#"{{"type":3,"data":{{"source":5,"id":{EMAIL},"text":"a","isChecked":false}},"timestamp":{}}}"#,
        T0 + 2000
    );
    for answer in [selection, input] {
        let s = run(with(
            page(T0, "https://shop.test/"),
            &[
                click(T0 + 1000, DEAD, 1.0, 1.0),
                answer.clone(),
                tick(T0 + 20_000),
            ],
        ));
        assert!(s.signals.is_empty(), "{answer}: {:?}", s.signals);
    }
    // Back exactly 5,000 ms after arriving: a U-turn; 5,001: not.
    for (back, n) in [(5000, 1), (5001, 0)] {
        let mut p = page(T0, "https://shop.test/");
        p.extend(page(T0 + 1000, "https://shop.test/item"));
        p.extend(page(T0 + 1000 + back, "https://shop.test/"));
        assert_eq!(run(p).count("u_turn"), n, "{back}");
    }
}

#[test]
fn links_and_fields_whose_answer_the_page_does_not_show_are_never_dead() {
    let page_with = |el: &str| {
        vec![
            r#"{"type":4,"data":{"href":"https://shop.test/","width":1280,"height":800},"timestamp":T}"#
                .replace('T', &T0.to_string()),
            format!(
                r#"{{"type":2,"data":{{"node":{{"type":0,"id":1,"childNodes":[{{"type":2,"id":2,"tagName":"html","attributes":{{}},"childNodes":[{el}]}}]}},"initialOffset":{{"top":0,"left":0}}}},"timestamp":{T0}}}"#
            ),
            click(T0 + 1000, 30, 1.0, 1.0),
            tick(T0 + 20_000),
        ]
    };
    for el in [
        r#"{"type":2,"id":30,"tagName":"a","attributes":{"href":"/doc.pdf","download":""},"childNodes":[]}"#,
        r#"{"type":2,"id":30,"tagName":"a","attributes":{"href":"/help","target":"_blank"},"childNodes":[]}"#,
        r#"{"type":2,"id":30,"tagName":"a","attributes":{"href":"MAILTO:help@shop.test"},"childNodes":[]}"#,
        r#"{"type":2,"id":30,"tagName":"a","attributes":{"href":"tel:+15550100"},"childNodes":[]}"#,
        r#"{"type":2,"id":30,"tagName":"input","attributes":{"type":"file"},"childNodes":[]}"#,
        r#"{"type":2,"id":30,"tagName":"select","attributes":{},"childNodes":[]}"#,
    ] {
        assert!(run(page_with(el)).signals.is_empty(), "{el}");
    }
    // The same link opening in the same window is a control.
    let same = r#"{"type":2,"id":30,"tagName":"a","attributes":{"href":"/help","target":"_self"},"childNodes":[]}"#;
    assert_eq!(kinds(&run(page_with(same))), ["dead_click"]);
}

#[test]
fn pages_keep_no_query_fragment_or_user_info_unless_asked() {
    let mut p = page(T0, "https://ann:pw@shop.test/reset?token=s3cret#step2");
    p.extend(page(
        T0 + 1000,
        "https://shop.test/done?email=ann@example.com",
    ));
    p.extend(page(T0 + 2000, "https://shop.test/reset?token=other"));
    let s = run(p.clone());
    let hrefs: Vec<&str> = s.pages.iter().map(|v| v.href.as_str()).collect();
    assert_eq!(
        hrefs,
        [
            "https://shop.test/reset",
            "https://shop.test/done",
            "https://shop.test/reset"
        ]
    );
    let json = serde_json::to_string(&s).unwrap();
    assert!(!json.contains("s3cret") && !json.contains("ann") && !json.contains("example.com"));
    // The U-turn compares pages without their queries, too.
    assert_eq!(s.count("u_turn"), 1);
    let json = format!("[{}]", p.join(","));
    let events = rrweb::read(json.as_bytes(), &Limits::DEFAULT).unwrap();
    let mut cfg = InsightsConfig::default();
    cfg.full_urls = true;
    let full = summarize(&events, cfg);
    assert!(full.pages[0].href.contains("token=s3cret"));
    assert_eq!(full.count("u_turn"), 0, "other queries: other pages");
}

#[test]
fn a_thrash_through_recorded_moves_and_no_thrash_from_touch() {
    // rrweb sends pointer samples in batches, each with negative time offsets.
    let moves = |source: u8, t0: i64| -> Vec<String> {
        let mut out = Vec::new();
        let mut positions = Vec::new();
        for k in 0..40i64 {
            let x = if (k / 4) % 2 == 0 {
                100 + (k % 4) * 75
            } else {
                400 - (k % 4) * 75
            };
            positions.push((x, k * 50));
            if positions.len() == 10 {
                let last = positions.last().map_or(0, |p| p.1);
                let ps: Vec<String> = positions
                    .iter()
                    .map(|(x, t)| {
                        format!(r#"{{"x":{x},"y":300,"id":1,"timeOffset":{}}}"#, t - last)
                    })
                    .collect();
                out.push(format!(
                    r#"{{"type":3,"data":{{"source":{source},"positions":[{}]}},"timestamp":{}}}"#,
                    ps.join(","),
                    t0 + last
                ));
                positions.clear();
            }
        }
        out
    };
    let s = run(with(page(T0, "https://shop.test/"), &moves(1, T0 + 1000)));
    assert_eq!(kinds(&s), ["thrashed_cursor"]);
    let s = run(with(page(T0, "https://shop.test/"), &moves(6, T0 + 1000)));
    assert!(s.signals.is_empty(), "touch moves are no thrash");
}

#[test]
fn one_event_stamped_far_in_the_future_does_not_spoil_the_rest() {
    let mut p = page(T0, "https://shop.test/");
    p.push(tick(T0 + 86_400_000));
    // Then the session goes on at its real time: a click that the page answers.
    p.extend([
        click(T0 + 1000, OK, 1.0, 1.0),
        mutation(T0 + 1200),
        tick(T0 + 20_000),
    ]);
    let s = run(p);
    assert!(s.signals.is_empty(), "{:?}", s.signals);
}

#[test]
fn canvas_frames_are_not_a_person_being_active() {
    let mut p = page(T0, "https://shop.test/");
    for k in 1..=30 {
        p.push(format!(
            r#"{{"type":3,"data":{{"source":9,"id":2,"type":0,"commands":[{{"property":"fillRect","args":[0,0,1,1]}}]}},"timestamp":{}}}"#,
            T0 + k * 1000
        ));
    }
    let s = run(p);
    assert_eq!(s.duration_ms, 30_000);
    assert_eq!(s.active_ms, 0);
}
