//! Insights on real recordings: `tests/pages/frustration` driven in Chromium by a
//! scripted person (tools/record-page, `--errors`), whose script is the ground truth
//! (`tests/data/pages/frustration*.expected.json`, written from the steps, not from any
//! detector). The signals found must be exactly the script's: each kind, in order, at
//! its time and target; none on the working controls; none at all in the calm visit;
//! and none on the corpus's and our form pages' ordinary visits.

mod common;

use serde_json::Value;
use session_replay::insights::{InsightsConfig, SignalKind, Summary, summarize};
use session_replay::{Limits, rrweb};

fn summary(path: &str) -> Summary {
    let events = rrweb::read(&common::read(path), &Limits::DEFAULT).unwrap();
    summarize(&events, InsightsConfig::default())
}

fn expected(path: &str) -> Value {
    serde_json::from_slice(&common::read(path)).unwrap()
}

fn target_id(kind: &SignalKind) -> Option<String> {
    match kind {
        SignalKind::RageClick { target, .. }
        | SignalKind::DeadClick { target, .. }
        | SignalKind::ErrorClick { target, .. } => target.as_ref().and_then(|t| t.id.clone()),
        _ => None,
    }
}

#[test]
fn the_scripted_visit_gives_exactly_the_scripts_signals() {
    let s = summary("pages/frustration.rrweb.json");
    let want = expected("pages/frustration.expected.json");
    let want = want["signals"].as_array().unwrap();
    let got: Vec<&str> = s.signals.iter().map(|x| x.kind.name()).collect();
    let names: Vec<&str> = want.iter().map(|w| w["kind"].as_str().unwrap()).collect();
    assert_eq!(got, names, "{:#?}", s.signals);
    for (g, w) in s.signals.iter().zip(want) {
        let start = w["window"]["start"].as_i64().unwrap();
        let end = w["window"]["end"].as_i64().unwrap();
        if let Some(t) = w["target"].as_str() {
            assert_eq!(
                target_id(&g.kind).map(|i| format!("#{i}")).as_deref(),
                Some(t),
                "{g:?}"
            );
        }
        match &g.kind {
            SignalKind::RageClick { count, .. } => {
                assert_eq!(g.t, start);
                assert_eq!(i64::from(*count), w["count"].as_i64().unwrap());
            }
            SignalKind::ErrorClick { after_ms, .. } => {
                assert_eq!(g.t, start);
                let err = w["error"]["timestamp"].as_i64().unwrap();
                assert_eq!(g.t + after_ms, err);
            }
            SignalKind::DeadClick { count, .. } => {
                assert_eq!((g.t, *count), (start, 1));
            }
            SignalKind::ThrashedCursor { duration_ms, .. } => {
                // The thrash found covers the script's.
                assert!(g.t <= start + 500 && g.t + duration_ms >= end, "{g:?}");
            }
            SignalKind::UTurn { from, to, away_ms } => {
                assert_eq!(from, w["href_from"].as_str().unwrap());
                assert_eq!(to, w["href_to"].as_str().unwrap());
                assert_eq!(g.t, end, "the return");
                assert!(*away_ms > 0 && *away_ms < 5000);
            }
            k => panic!("{k:?}"),
        }
    }
    assert_eq!(s.errors, 1);
    assert_eq!(s.pages.len(), 4);
    // Nothing on the working controls.
    let none_on = expected("pages/frustration.expected.json")["none_on"].clone();
    for sel in none_on.as_array().unwrap() {
        let sel = sel.as_str().unwrap();
        assert!(
            s.signals
                .iter()
                .all(|g| target_id(&g.kind).map(|i| format!("#{i}")).as_deref() != Some(sel)),
            "{sel}"
        );
    }
}

#[test]
fn the_calm_visit_and_ordinary_visits_give_no_signal() {
    let calm = summary("pages/frustration-calm.rrweb.json");
    assert!(
        expected("pages/frustration-calm.expected.json")["signals"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(calm.signals.is_empty(), "{:#?}", calm.signals);
    assert_eq!(calm.pages.len(), 2);
    for path in [
        "corpus/login.raw.json",
        "corpus/todo.raw.json",
        "corpus/feed.raw.json",
        "corpus/login.rrweb-default.json",
        "corpus/todo.rrweb-default.json",
        "corpus/feed.rrweb-default.json",
        "drive/todo-long.rrweb.json",
        "pages/checkout.rrweb.json",
        "pages/signup.rrweb.json",
        "pages/insurance.rrweb.json",
    ] {
        let s = summary(path);
        assert!(s.signals.is_empty(), "{path}: {:#?}", s.signals);
        assert!(s.active_ms > 0 && s.active_ms <= s.duration_ms, "{path}");
    }
    // The long insurance visit toggles a checkbox three times in 1.4 s: by the
    // definition (3 clicks, each within 1 s and 30 px), a rage click.
    let s = summary("pages/insurance-long.rrweb.json");
    assert_eq!(
        s.signals.iter().map(|g| g.kind.name()).collect::<Vec<_>>(),
        ["rage_click"]
    );
}
