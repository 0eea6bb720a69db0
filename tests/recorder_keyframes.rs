//! The recorder's keyframes: what a keyframe restates (scroll, field values, the page's
//! Meta), no more than is left, masking it escalated to, and keyframes at capped windows.

#[path = "common/host_pages.rs"]
mod host_pages;

use host_pages::{bare_page, drain, el, el_with, kinds};
use session_replay::model::*;
use session_replay::privacy::Policy;
use session_replay::record::*;
use session_replay::replay::Replayer;

/// A keyframe restates what the page shows beyond its markup: the window's scroll (the
/// snapshot's offset), scrolled elements and the fields' recorded values (masked as
/// when they were typed). A replay that starts at the keyframe shows the page as the
/// full recording does, and the keyframe's own events do not count towards the next.
#[test]
fn a_keyframe_restates_scroll_and_field_values() {
    let (mut page, body) = bare_page();
    page.push(
        HostKey(4),
        Some(body),
        el_with("input", &[("type", "text")]),
    );
    page.push(HostKey(5), Some(body), el("div"));
    let config = RecorderConfig::default().with_keyframe_every(EventCount(4), Millis::minutes(5));
    let mut rec = Recorder::new(Policy::default(), config);
    rec.grant_consent();
    rec.page("https://shop.test/", 800.0, 600.0, Timestamp(1_000));
    rec.snapshot(&page, Timestamp(1_000));
    rec.input(HostKey(4), "Marguerite", false, Timestamp(1_100));
    rec.scroll(HostKey(1), 0.0, 640.0, Timestamp(1_200));
    rec.scroll(HostKey(5), 0.0, 80.0, Timestamp(1_300));
    rec.viewport(1024.0, 700.0, Timestamp(1_400));
    let mut all = drain(&mut rec);
    rec.keyframe(Timestamp(2_000));
    let kf = drain(&mut rec);
    // The page first, as rrweb's checkouts do, with the viewport as it is now.
    assert_eq!(kinds(&kf), ["Meta", "FullSnapshot", "Input", "Scroll"]);
    let EventKind::Meta(meta) = &kf[0].kind else {
        unreachable!()
    };
    assert_eq!(
        (meta.href.as_str(), meta.width, meta.height),
        ("https://shop.test/", Num::Int(1024), Num::Int(700))
    );
    let EventKind::FullSnapshot(snap) = &kf[1].kind else {
        unreachable!()
    };
    assert_eq!(
        (snap.initial_offset.left, snap.initial_offset.top),
        (Num::Int(0), Num::Int(640))
    );
    let json = String::from_utf8(session_replay::rrweb::write_events(&kf)).unwrap();
    assert!(json.contains("\"source\":5") && !json.contains("Marguerite"));
    all.extend(kf.iter().cloned());
    // The full recording and the keyframe alone give the same state.
    let t = Timestamp(2_000);
    let mut whole = Replayer::from(all.clone());
    let mut from_kf = Replayer::from(kf);
    let (a, b) = (whole.seek(t), from_kf.seek(t));
    assert_eq!(b.viewport(), a.viewport());
    assert_eq!(a.window_scroll(), (0.0, 640.0));
    assert_eq!(b.window_scroll(), a.window_scroll());
    assert_eq!(b.element_scroll(), a.element_scroll());
    assert_eq!(b.form_values(), a.form_values());
    assert_eq!(a.form_values().len(), 1);
    // The keyframe counts as one event towards the next (count 4), its restating events
    // not at all: two more events take no keyframe (with them counted, they would).
    for i in 0..2 {
        rec.scroll(
            HostKey(5),
            0.0,
            100.0 + f64::from(i) * 50.0,
            Timestamp(3_000 + i64::from(i) * 200),
        );
    }
    assert!(!kinds(&drain(&mut rec)).contains(&"FullSnapshot"));
}

/// What a keyframe restates is never more than what left before: a field typed into as
/// a password, then toggled to text, is restated as it left (masked), even when a
/// selector allows its value and the keyframe's snapshot resets what the masking
/// remembers; and values typed before consent are not kept for a keyframe at all.
#[test]
fn a_keyframe_restates_no_more_than_left() {
    let (mut page, body) = bare_page();
    page.push(
        HostKey(4),
        Some(body),
        el_with("input", &[("type", "password"), ("id", "pw")]),
    );
    page.push(
        HostKey(5),
        Some(body),
        el_with("input", &[("type", "text"), ("id", "q")]),
    );
    let policy = Policy::default()
        .allow_input("#pw")
        .unwrap()
        .allow_input("#q")
        .unwrap();
    let mut rec = Recorder::new(policy, RecorderConfig::default());
    rec.page("https://shop.test/", 800.0, 600.0, Timestamp(1_000));
    rec.snapshot(&page, Timestamp(1_000));
    // Before consent: nothing leaves, and nothing is kept.
    rec.input(HostKey(5), "typed-before-consent", false, Timestamp(1_050));
    rec.grant_consent();
    rec.snapshot(&page, Timestamp(1_060));
    rec.input(HostKey(4), "Hunter2Swordfish", false, Timestamp(1_100));
    rec.input(HostKey(5), "allowed query", false, Timestamp(1_150));
    // The password field becomes a text field (a "show password" toggle).
    rec.mutations(
        &[MutationRecord::Attributes {
            target: HostKey(4),
            name: "type".into(),
            old_value: Some("password".into()),
            value: Some("text".into()),
        }],
        Timestamp(1_200),
    );
    let before = String::from_utf8(session_replay::rrweb::write_events(&drain(&mut rec))).unwrap();
    assert!(!before.contains("Hunter2"), "masked while a password");
    assert!(
        before.contains("allowed query"),
        "the selector allows this one"
    );
    rec.keyframe(Timestamp(2_000));
    let kf = drain(&mut rec);
    let json = String::from_utf8(session_replay::rrweb::write_events(&kf)).unwrap();
    assert!(
        !json.contains("Hunter2"),
        "restated unmasked after the toggle: {json}"
    );
    assert!(!json.contains("typed-before-consent"));
    assert!(
        json.contains("allowed query"),
        "an allowed value is restated as it left"
    );
    assert_eq!(kinds(&kf), ["Meta", "FullSnapshot", "Input", "Input"]);
}

/// A keyframe never shows what the events before it kept masked: masking escalates over
/// a node's life (a text stays masked once its mask class is taken away), and the
/// keyframe's snapshot keeps that, where it used to start the page afresh and show the
/// text. Text never masked stays visible (nothing more is masked than before).
#[test]
fn a_keyframe_keeps_what_masking_escalated_to() {
    let (mut page, body) = bare_page();
    let hidden = page.push(
        HostKey(4),
        Some(body),
        el_with("p", &[("class", "rr-mask")]),
    );
    page.push(
        HostKey(5),
        Some(hidden),
        HostKind::Text("Vs1Hidden-Crane".into()),
    );
    let shown = page.push(HostKey(6), Some(body), el("p"));
    page.push(
        HostKey(7),
        Some(shown),
        HostKind::Text("Visible-Plover".into()),
    );
    let mut rec = Recorder::new(Policy::balanced(), RecorderConfig::default());
    rec.grant_consent();
    rec.page("https://shop.test/", 800.0, 600.0, Timestamp(1_000));
    rec.snapshot(&page, Timestamp(1_000));
    // The page takes the mask class away; the text stays.
    rec.mutations(
        &[MutationRecord::Attributes {
            target: HostKey(4),
            name: "class".into(),
            old_value: Some("rr-mask".into()),
            value: None,
        }],
        Timestamp(1_100),
    );
    rec.mutations(
        &[MutationRecord::CharacterData {
            target: HostKey(5),
            old_value: None,
            value: "Vs1Hidden-Crane!".into(),
        }],
        Timestamp(1_200),
    );
    let before = drain(&mut rec);
    rec.keyframe(Timestamp(2_000));
    let kf = drain(&mut rec);
    assert!(kinds(&kf).contains(&"FullSnapshot"));
    for (what, events) in [("the events", &before), ("the keyframe", &kf)] {
        let json = String::from_utf8(session_replay::rrweb::write_events(events)).unwrap();
        assert!(!json.contains("Vs1Hidden"), "{what}: {json}");
        assert!(json.contains("Visible-Plover"), "{what}");
    }
}

/// A keyframe's Meta says the page as it is: the URL a same-document navigation moved to
/// (told with `location`, which emits nothing), and a page given before consent (its Meta
/// was refused, so the first snapshot after consent says it; it is not said twice).
#[test]
fn a_keyframe_restates_the_page_as_it_is() {
    let (page, _) = bare_page();
    let mut rec = Recorder::new(Policy::default(), RecorderConfig::default());
    rec.page("https://shop.test/cart", 800.0, 600.0, Timestamp(1_000));
    rec.grant_consent();
    rec.snapshot(&page, Timestamp(1_050));
    let first = drain(&mut rec);
    assert_eq!(kinds(&first), ["Meta", "FullSnapshot"]);
    rec.location("https://shop.test/checkout");
    assert!(
        drain(&mut rec).is_empty(),
        "a location change emits nothing"
    );
    rec.keyframe(Timestamp(2_000));
    let kf = drain(&mut rec);
    assert_eq!(kinds(&kf), ["Meta", "FullSnapshot"]);
    let EventKind::Meta(meta) = &kf[0].kind else {
        unreachable!()
    };
    assert_eq!(meta.href, "https://shop.test/checkout");
    // With consent from the start, the page's own Meta is not said again.
    let mut rec = Recorder::new(Policy::default(), RecorderConfig::default());
    rec.grant_consent();
    rec.page("https://shop.test/cart", 800.0, 600.0, Timestamp(1_000));
    rec.snapshot(&page, Timestamp(1_050));
    assert_eq!(kinds(&drain(&mut rec)), ["Meta", "FullSnapshot"]);
}

/// A keyframe taken when a capped window ends is that window's resync, not a second
/// keyframe in the middle of its own: one Meta, then one snapshot.
#[test]
fn a_keyframe_at_the_end_of_a_capped_window_is_taken_once() {
    let (page, _) = bare_page();
    let config = RecorderConfig::default().with_max_events_per_sec(EventCount(1));
    let mut rec = Recorder::new(Policy::default(), config);
    rec.grant_consent();
    rec.page("https://shop.test/a", 800.0, 600.0, Timestamp(1_000));
    rec.snapshot(&page, Timestamp(1_000));
    rec.custom("one", Json::Null, Timestamp(1_001));
    rec.custom("capped", Json::Null, Timestamp(1_002));
    drain(&mut rec);
    rec.page("https://shop.test/b", 800.0, 600.0, Timestamp(1_500));
    rec.custom("capped too", Json::Null, Timestamp(1_600));
    rec.snapshot(&page, Timestamp(2_100));
    assert_eq!(kinds(&drain(&mut rec)), ["Meta", "FullSnapshot"]);
}
