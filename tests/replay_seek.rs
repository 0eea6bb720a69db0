//! Seeking: path independence (proptest over State::hash), the player clock, lenient and
//! strict handling of damaged streams, and the rarer event kinds from rrweb's fixtures.

mod common;

use common::read;
use proptest::prelude::*;
use session_replay::model::*;
use session_replay::replay::*;
use session_replay::{Limits, rrweb};

fn events(path: &str) -> Vec<Event> {
    rrweb::read(&read(path), &Limits::DEFAULT).unwrap()
}

/// The state at `t` by the plainest route: a new state, every event with
/// `timestamp <= t` applied in time order. No keyframes, no earlier seeks.
fn reference_hash(evs: &[Event], t: Timestamp) -> u64 {
    let mut sorted: Vec<&Event> = evs.iter().collect();
    sorted.sort_by_key(|e| e.timestamp);
    let mut s = State::new(session_replay::Limits::DEFAULT, ReplayMode::Lenient);
    for (i, e) in sorted.iter().enumerate().filter(|(_, e)| e.timestamp <= t) {
        s.apply(e, i).unwrap();
    }
    s.set_time(t);
    s.hash()
}

const STREAMS: [&str; 5] = [
    "corpus/login.raw.json",
    "corpus/feed.raw.json",
    "rrweb-fixtures/iframe.json",
    "rrweb-fixtures/shadow-dom.json",
    "rrweb-fixtures/style-sheet-rule-events.json",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Forward and backward seeks in any order, with keyframes close together or far
    /// apart, land on exactly the state a fresh replay to `t` gives.
    #[test]
    fn seek_is_path_independent(
        stream in 0usize..STREAMS.len(),
        fractions in prop::collection::vec(-0.05f64..1.05, 1..8),
        spacing in prop_oneof![Just(1usize), 3usize..40, Just(256)],
    ) {
        let evs = events(STREAMS[stream]);
        let config = ReplayConfig::default().with_keyframe_every(EventCount(spacing), Millis(1_000));
        let mut r = Replayer::new(evs.clone(), config);
        let (start, end) = r.time_range().unwrap();
        for f in fractions {
            let t = Timestamp(start.0 + ((end.0 - start.0) as f64 * f) as i64);
            let h = r.seek(t).hash();
            prop_assert_eq!(h, reference_hash(&evs, t), "seek to {} of {}", t.0, STREAMS[stream]);
        }
    }
}

#[test]
fn todo_sweep_forward_backward_and_random() {
    let evs = events("corpus/todo.raw.json");
    let mut linear = Replayer::new(
        evs.clone(),
        ReplayConfig::default().with_keyframe_every(EventCount(usize::MAX), Millis(i64::MAX)),
    );
    let mut indexed = Replayer::from(evs.clone());
    assert!(
        indexed.keyframe_count() > 5,
        "{} keyframes",
        indexed.keyframe_count()
    );
    let (start, end) = indexed.time_range().unwrap();
    let step = (end.0 - start.0) / 40;
    // Forward with the keyframe-less replayer; backwards with the indexed one.
    let times: Vec<Timestamp> = (0..=41).map(|i| Timestamp(start.0 + i * step)).collect();
    let forward: Vec<u64> = times.iter().map(|&t| linear.seek(t).hash()).collect();
    for (i, &t) in times.iter().enumerate().rev() {
        assert_eq!(
            indexed.seek(t).hash(),
            forward[i],
            "backward seek to {}",
            t.0
        );
    }
    // A scrambled order.
    for k in 0..times.len() {
        let i = (k * 17) % times.len();
        assert_eq!(indexed.seek(times[i]).hash(), forward[i]);
    }
    // Distinct moments have distinct states.
    let distinct: std::collections::BTreeSet<u64> = forward.iter().copied().collect();
    assert!(distinct.len() > 30);
}

#[test]
fn state_memory_is_under_150_bytes_per_node_plus_text() {
    for name in ["login", "todo", "feed"] {
        let mut r = Replayer::from(events(&format!("corpus/{name}.raw.json")));
        let (_, end) = r.time_range().unwrap();
        let s = r.seek(end);
        let (structure, text) = s.memory();
        let per_node = structure as f64 / s.node_count() as f64;
        assert!(
            per_node < 150.0,
            "{name}: {per_node:.1} bytes per node ({structure} B for {} nodes, {text} B text)",
            s.node_count()
        );
    }
}

#[test]
fn player_plays_to_the_end_with_skips_and_outputs() {
    let evs = events("corpus/login.raw.json");
    let total = evs.len();
    let start_t = evs[0].timestamp.0;
    let samples: usize = evs
        .iter()
        .map(|e| match &e.kind {
            EventKind::Incremental(Incremental::Moves(m)) => m
                .positions
                .iter()
                .filter(|p| e.timestamp.0 + p.time_offset.as_i64().unwrap() > start_t)
                .count(),
            _ => 0,
        })
        .sum();
    let mut expected = Replayer::from(evs.clone());
    let (start, end) = expected.time_range().unwrap();
    let end_hash = expected.seek(end).hash();

    let mut player = Player::new(Replayer::from(evs));
    assert_eq!(player.poll_output(), Some(PlayerOutput::DomReset));
    player.set_speed(4.0);
    player.play(Timestamp(1_000));
    let (mut applied, mut moves, mut diffs, mut finished) = (0, 0, 0, false);
    let mut last_index = None;
    let mut now = 1_000;
    while !finished {
        now += 16;
        player.tick(Timestamp(now));
        while let Some(out) = player.poll_output() {
            match out {
                PlayerOutput::Event { index, .. } => {
                    assert!(
                        last_index.is_none_or(|l| index == l + 1),
                        "events in order, none skipped"
                    );
                    last_index = Some(index);
                    applied += 1;
                }
                PlayerOutput::PointerMoved { .. } => moves += 1,
                PlayerOutput::DomChanged(d) => {
                    assert!(!d.added.is_empty() || !d.removed.is_empty() || !d.changed.is_empty());
                    diffs += 1;
                }
                PlayerOutput::Finished => finished = true,
                _ => {}
            }
        }
        assert!(
            now < 1_000 + 30_000,
            "4x speed finishes a 26 s recording in under 7 s"
        );
    }
    // The first event (at `start`) was applied when the player was created.
    assert_eq!(applied, total - player.replayer().events_until(start));
    assert_eq!(moves, samples, "every pointer sample is handed out once");
    assert!(diffs >= 1);
    assert_eq!(player.state().hash(), end_hash);
    assert!(!player.is_playing());
    let played_ms = (now - 1_000) as f64 * 4.0;
    assert!(
        played_ms >= (end.0 - start.0) as f64 - 100.0,
        "no gap over 10 s in login: nothing skipped"
    );
}

#[test]
fn player_skips_inactivity_and_seeks_back() {
    let json = br#"[
      {"type":4,"data":{"href":"https://a.test/","width":800,"height":600},"timestamp":0},
      {"type":2,"data":{"node":{"type":0,"childNodes":[{"type":2,"tagName":"html","attributes":{},"childNodes":[{"type":2,"tagName":"body","attributes":{},"childNodes":[],"id":3}],"id":2}],"id":1},"initialOffset":{"top":0,"left":0}},"timestamp":1},
      {"type":3,"data":{"source":2,"type":2,"id":3,"x":1,"y":1},"timestamp":100},
      {"type":3,"data":{"source":0,"texts":[],"attributes":[{"id":3,"attributes":{"class":"late"}}],"removes":[],"adds":[]},"timestamp":30000},
      {"type":3,"data":{"source":2,"type":2,"id":3,"x":5,"y":5},"timestamp":60000}
    ]"#;
    let mut player = Player::new(Replayer::from(rrweb::read(json, &Limits::DEFAULT).unwrap()));
    player.play(Timestamp(0));
    let mut skipped = None;
    let mut now = 0;
    while player.is_playing() {
        now += 100;
        player.tick(Timestamp(now));
        while let Some(out) = player.poll_output() {
            if let PlayerOutput::SkippedInactivity { from, to } = out {
                skipped = Some((from, to));
            }
        }
    }
    let (from, to) = skipped.expect("a 60 s gap is skipped");
    assert!(from.0 >= 100 && from.0 < 1_000, "{from:?}");
    assert_eq!(to, Timestamp(60_000));
    assert!(now < 2_000, "skipping took {now} ms of host time");
    assert_eq!(player.state().last_click().unwrap().x, Some(5.0));
    // Seeking back resets the DOM for the renderer.
    player.seek(Timestamp(200));
    let outs: Vec<PlayerOutput> = std::iter::from_fn(|| player.poll_output()).collect();
    assert!(outs.contains(&PlayerOutput::DomReset));
    assert_eq!(
        player.state().dom().get(NodeId(3)).unwrap().attr("class"),
        None
    );

    // With skipping off, the same stretch plays in real time.
    let mut slow = Player::new(Replayer::from(rrweb::read(json, &Limits::DEFAULT).unwrap()));
    slow.set_inactivity(Inactivity::Play);
    slow.play(Timestamp(0));
    slow.tick(Timestamp(20_000));
    assert_eq!(slow.position(), Timestamp(20_000));
    assert!(slow.is_playing());
}

/// What a player hands out, frame by frame or wake by wake: the events applied and the
/// pointer samples, in order, with the host time each came out at.
fn play_through(
    evs: Vec<Event>,
    speed: f64,
    mut next_tick: impl FnMut(&Player, i64) -> Option<i64>,
) -> (Vec<(i64, PlayerOutput)>, u64, usize, usize) {
    let mut player = Player::new(Replayer::from(evs));
    player.set_speed(speed);
    player.play(Timestamp(0));
    let mut outs = Vec::new();
    let mut now = 0;
    let mut ticks = 0;
    // Ticks that handed out anything at all (a DomChanged or DomReset counts too).
    let mut busy = 0;
    while let Some(t) = next_tick(&player, now) {
        assert!(t >= now, "time runs forward");
        now = t;
        player.tick(Timestamp(now));
        ticks += 1;
        let mut any = false;
        while let Some(out) = player.poll_output() {
            any = true;
            if matches!(
                out,
                PlayerOutput::Event { .. }
                    | PlayerOutput::PointerMoved { .. }
                    | PlayerOutput::SkippedInactivity { .. }
                    | PlayerOutput::Finished
            ) {
                outs.push((now, out));
            }
        }
        busy += usize::from(any);
        assert!(ticks < 1_000_000, "the player finishes");
    }
    (outs, player.state().hash(), ticks, busy)
}

#[test]
fn player_poll_timeout_wakes_exactly_when_needed() {
    let cases: [(&str, &[u8]); 2] = [
        ("login", &read("corpus/login.raw.json")),
        (
            "gap",
            br#"[
              {"type":4,"data":{"href":"https://a.test/","width":800,"height":600},"timestamp":0},
              {"type":3,"data":{"source":2,"type":2,"id":3,"x":1,"y":1},"timestamp":100},
              {"type":3,"data":{"source":4,"width":400,"height":300},"timestamp":30000},
              {"type":3,"data":{"source":2,"type":2,"id":3,"x":5,"y":5},"timestamp":60000}
            ]"#,
        ),
    ];
    for (name, bytes) in cases {
        for speed in [1.0, 2.5, 8.0] {
            let evs = rrweb::read(bytes, &Limits::DEFAULT).unwrap();
            // Every millisecond: the reference.
            let (every_ms, hash_a, ticks_a, _) = play_through(evs.clone(), speed, |p, now| {
                p.is_playing().then_some(now + 1)
            });
            // Only when the player asks.
            let (woken, hash_b, ticks_b, busy_b) =
                play_through(evs, speed, |p, _| p.poll_timeout().map(|t| t.0));
            assert_eq!(hash_a, hash_b, "{name} at {speed}x: same end state");
            assert_eq!(
                every_ms, woken,
                "{name} at {speed}x: the same outputs at the same host times"
            );
            // No wasted wake: each one hands something out.
            assert_eq!(
                ticks_b, busy_b,
                "{name} at {speed}x: {ticks_b} wakes (against {ticks_a} ticks of 1 ms)"
            );
        }
    }
    // Paused: nothing to wake for.
    let p = Player::new(Replayer::from(
        rrweb::read(&read("corpus/login.raw.json"), &Limits::DEFAULT).unwrap(),
    ));
    assert_eq!(p.poll_timeout(), None);
}

const BASE: &str = r#"{"type":2,"data":{"node":{"type":0,"childNodes":[{"type":2,"tagName":"html","attributes":{},"childNodes":[{"type":2,"tagName":"body","attributes":{},"childNodes":[{"type":2,"tagName":"ul","attributes":{},"childNodes":[],"id":4}],"id":3}],"id":2}],"id":1},"initialOffset":{"top":0,"left":0}},"timestamp":1}"#;

fn mutation(adds: &str, removes: &str, t: i64) -> String {
    format!(
        r#"{{"type":3,"data":{{"source":0,"texts":[],"attributes":[],"removes":[{removes}],"adds":[{adds}]}},"timestamp":{t}}}"#
    )
}

fn li(id: i32, parent: i32, next: &str) -> String {
    format!(
        r#"{{"parentId":{parent},"nextId":{next},"node":{{"type":2,"tagName":"li","attributes":{{}},"childNodes":[],"id":{id}}}}}"#
    )
}

#[test]
fn adds_wait_for_parents_and_siblings_in_their_batch() {
    // Child before parent, and a node before its next sibling exists.
    let m = mutation(
        &[
            li(11, 10, "null"),
            li(12, 4, "13"),
            li(10, 4, "null"),
            li(13, 4, "10"),
        ]
        .join(","),
        "",
        2,
    );
    let json = format!("[{BASE},{m}]");
    let mut r = Replayer::from(rrweb::read(json.as_bytes(), &Limits::DEFAULT).unwrap());
    let s = r.seek(Timestamp(2));
    assert_eq!(s.diagnostics().problems(), 0, "{:?}", s.diagnostics());
    let ul = s.dom().get(NodeId(4)).unwrap();
    let order: Vec<i32> = ul.children().map(|c| c.id().0).collect();
    assert_eq!(order, vec![12, 13, 10]);
    assert_eq!(
        s.dom().get(NodeId(11)).unwrap().parent().unwrap().id(),
        NodeId(10)
    );
}

#[test]
fn lenient_counts_and_strict_names_event_and_node() {
    let cases: Vec<(String, &str)> = vec![
        (mutation("", r#"{"parentId":4,"id":99}"#, 2), "unknown"),
        (mutation(&li(3, 4, "null"), "", 2), "duplicate"),
        (mutation(&li(20, 77, "null"), "", 2), "orphan"),
        (mutation("", r#"{"parentId":2,"id":4}"#, 2), "not a child"),
        (
            r#"{"type":3,"data":{"source":5,"text":"x","isChecked":false,"id":55},"timestamp":2}"#
                .to_owned(),
            "unknown",
        ),
    ];
    for (ev, what) in cases {
        let json = format!("[{BASE},{ev}]");
        let evs = rrweb::read(json.as_bytes(), &Limits::DEFAULT).unwrap();
        let mut lenient = Replayer::from(evs.clone());
        let d = lenient.seek(Timestamp(2)).diagnostics().clone();
        assert_eq!(d.problems(), 1, "{what}: {d:?}");
        match what {
            "unknown" => assert_eq!(d.unknown_nodes, 1),
            "duplicate" => assert_eq!(d.duplicate_ids, 1),
            "orphan" => assert_eq!(d.orphan_adds, 1),
            _ => assert_eq!(d.not_a_child, 1),
        }
        let err = Replayer::new_strict(evs, ReplayConfig::default()).unwrap_err();
        assert_eq!(err.event_index(), 1, "{what}: {err}");
        let expected_node = match what {
            "unknown" if ev.contains("\"id\":99") => 99,
            "unknown" => 55,
            "duplicate" => 3,
            "orphan" => 20,
            _ => 4,
        };
        assert!(
            err.to_string().contains(&format!("#{expected_node}")),
            "{what}: {err}"
        );
    }
}

#[test]
fn node_limit_is_an_error_or_a_count_never_a_crash() {
    let adds: Vec<String> = (0..50).map(|i| li(100 + i, 4, "null")).collect();
    let json = format!("[{BASE},{}]", mutation(&adds.join(","), "", 2));
    let evs = rrweb::read(json.as_bytes(), &Limits::DEFAULT).unwrap();
    let limits = session_replay::Limits::DEFAULT.with_nodes(20);
    let mut r = Replayer::new(evs.clone(), ReplayConfig::default().with_limits(limits));
    let s = r.seek(Timestamp(2));
    assert_eq!(s.node_count(), 20);
    assert_eq!(s.diagnostics().too_many_nodes, 34);
    let err = Replayer::new_strict(evs, ReplayConfig::default().with_limits(limits)).unwrap_err();
    assert!(
        matches!(
            err,
            ReplayError {
                event_index: 1,
                issue: Issue::TooManyNodes,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn fixtures_shadow_iframe_styles_media_selection() {
    let end = |path: &str| {
        let mut r = Replayer::from(events(path));
        let (_, end) = r.time_range().unwrap();
        r.seek(end);
        r
    };
    // Shadow DOM: children in the shadow root are marked, and rendered declaratively.
    let r = end("rrweb-fixtures/shadow-dom.json");
    let html = r.state().to_html();
    assert_eq!(
        html.matches("<template shadowrootmode=\"open\">").count(),
        2,
        "{html}"
    );
    assert!(html.contains("shadow dom two"));

    // Same-origin iframes: documents attached under the iframe, rendered through srcdoc.
    let r = end("rrweb-fixtures/iframe.json");
    let html = r.state().to_html();
    assert!(html.contains("<iframe id=\"one\" srcdoc=\""), "{html}");
    assert!(html.contains("iframe 2"));
    assert_eq!(r.state().diagnostics().problems(), 0);

    // Stylesheet rule inserts and deletes land in the rendered CSS.
    let r = end("rrweb-fixtures/style-sheet-rule-events.json");
    let html = r.state().to_html();
    assert!(html.contains(".css-added-at-3100{color:blue;}"), "{html}");
    assert!(
        !html.contains("css-added-at-1000-deleted-at-2500 {"),
        "deleted rule is gone"
    );

    // Adopted stylesheets are rendered for the document and each shadow root.
    let r = end("rrweb-fixtures/adopted-style-sheet.json");
    let html = r.state().to_html();
    // The document, two shadow roots, and the iframe's document (inside its srcdoc).
    assert_eq!(html.matches("<style data-rr-adopted>").count(), 4, "{html}");
    assert!(
        html.contains("srcdoc=\"<html><head><style data-rr-adopted>"),
        "{html}"
    );

    // Selection ranges.
    let r = end("rrweb-fixtures/selection.json");
    assert!(!r.state().selection().is_empty());

    // Media: the video plays on from the last interaction.
    let mut r = Replayer::from(events("rrweb-fixtures/video-playback.json"));
    // Event 28's timestamp is an upstream typo (see the fixtures README): counted, sorted.
    assert_eq!(r.state().diagnostics().out_of_order, 1);
    let (_, last) = r.time_range().unwrap();
    let media_count = r.seek(last).media().len();
    assert!(media_count >= 1);

    // Document replacement: the new html replaces the old one.
    let r = end("rrweb-fixtures/document-replacement.json");
    let root = r.state().dom().root().unwrap();
    let kids: Vec<(Option<&str>, i32)> = root.children().map(|c| (c.tag(), c.id().0)).collect();
    assert_eq!(kids, vec![(None, 8), (Some("html"), 6)]);
}

#[test]
fn out_of_order_events_are_sorted_and_counted() {
    let mut evs = events("corpus/login.raw.json");
    let reference = {
        let mut r = Replayer::from(evs.clone());
        let (_, end) = r.time_range().unwrap();
        r.seek(end).hash()
    };
    evs.swap(30, 31);
    evs.swap(60, 70);
    let mut r = Replayer::from(evs);
    let (_, end) = r.time_range().unwrap();
    let s = r.seek(end);
    assert!(s.diagnostics().out_of_order >= 2);
    assert_eq!(s.hash(), reference);
}

#[test]
fn html_output_is_inert() {
    let json = br#"[{"type":2,"data":{"node":{"type":0,"childNodes":[{"type":2,"tagName":"html","attributes":{},"childNodes":[{"type":2,"tagName":"body","attributes":{"onload":"steal()"},"childNodes":[
      {"type":2,"tagName":"script","attributes":{"src":"https://evil.test/x.js"},"childNodes":[{"type":3,"textContent":"alert(1)</script><b>","id":6}],"id":5},
      {"type":2,"tagName":"a","attributes":{"href":"javascript:alert(1)"},"childNodes":[],"id":7},
      {"type":2,"tagName":"input","attributes":{"autofocus":"","value":"a\"b"},"childNodes":[],"id":8},
      {"type":3,"textContent":"<img src=x onerror=alert(1)>","id":9}
    ],"id":3}],"id":2}],"id":1},"initialOffset":{"top":0,"left":0}},"timestamp":1}]"#;
    let mut r = Replayer::from(rrweb::read(json, &Limits::DEFAULT).unwrap());
    let html = r.seek(Timestamp(1)).to_html();
    assert!(html.contains(r#"data-rr-onload="steal()""#), "{html}");
    assert!(!html.contains(" onload="));
    assert!(html.contains(r#"<script data-rr-src="https://evil.test/x.js" type="text/x-rr-inert">alert(1)<\/script><b></script>"#), "{html}");
    assert!(html.contains(r#"data-rr-href="javascript:alert(1)""#));
    assert!(html.contains(r#"value="a&quot;b""#));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(!html.contains(" autofocus"));
}

#[test]
fn blocked_elements_keep_their_size_and_canvases_their_image() {
    let json = br#"[{"type":2,"data":{"node":{"type":0,"childNodes":[{"type":2,"tagName":"html","attributes":{},"childNodes":[{"type":2,"tagName":"body","attributes":{},"childNodes":[
      {"type":2,"tagName":"div","attributes":{"class":"rr-block","rr_width":"300px","rr_height":"120px","style":"color: red"},"childNodes":[],"id":4},
      {"type":2,"tagName":"canvas","attributes":{"rr_dataURL":"data:image/png;base64,AAAA"},"childNodes":[],"id":5}
    ],"id":3}],"id":2}],"id":1},"initialOffset":{"top":0,"left":0}},"timestamp":1}]"#;
    let mut r = Replayer::from(rrweb::read(json, &Limits::DEFAULT).unwrap());
    let html = r.seek(Timestamp(1)).to_html();
    assert!(
        html.contains(r#"style="color: red; width: 300px !important; height: 120px !important;""#),
        "{html}"
    );
    assert!(html.contains(r#"rr_width="300px""#));
    assert!(html.contains(r#"<canvas rr_dataURL="data:image/png;base64,AAAA" style="background: url(&quot;data:image/png;base64,AAAA&quot;) 0 0 / 100% 100% no-repeat;"></canvas>"#), "{html}");
}
