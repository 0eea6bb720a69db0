//! The big-page session (issue 15): a ~110,000-node table edited for an hour. It round
//! trips through rrweb JSON, replays without problems, and every seek path (forward,
//! backward, scattered) lands on the state a plain replay from the start gives.

#[path = "common/big_page.rs"]
mod big_page;
mod common;

use session_replay::model::*;
use session_replay::replay::{ReplayConfig, ReplayMode, Replayer, State};
use session_replay::{Limits, rrweb};

/// Nodes the recording leaves in the DOM, counted from the events alone: the snapshot's,
/// plus every node added, minus the subtrees removed (a removed row is 11 nodes, and the
/// generator only removes rows).
fn expected_nodes(events: &[Event]) -> usize {
    let mut n = 0usize;
    for e in events {
        match &e.kind {
            EventKind::FullSnapshot(s) => n = s.tree.len(),
            EventKind::Incremental(Incremental::Mutation(m)) => {
                n += m.adds.iter().map(|a| a.node.len()).sum::<usize>();
                n -= 11 * m.removes.len();
            }
            _ => {}
        }
    }
    n
}

/// Hashes of the state at each of `times` (sorted), by the plainest route: one new state,
/// every event applied in order, no keyframes and no seeks.
fn reference_hashes(events: &[Event], times: &[Timestamp]) -> Vec<u64> {
    let mut sorted: Vec<&Event> = events.iter().collect();
    sorted.sort_by_key(|e| e.timestamp);
    let mut s = State::new(Limits::DEFAULT, ReplayMode::Lenient);
    let mut next = 0;
    let mut out = Vec::new();
    for &t in times {
        while let Some(e) = sorted.get(next).filter(|e| e.timestamp <= t) {
            s.apply(e, next).unwrap();
            next += 1;
        }
        s.set_time(t);
        out.push(s.hash());
    }
    out
}

/// Seeks forward, backward and in a scattered order, each compared with the plain
/// replay; returns how many distinct states were seen.
fn check_seek_paths(events: &[Event], config: ReplayConfig, samples: i64) -> usize {
    let mut r = Replayer::new(events.to_vec(), config);
    let (start, end) = r.time_range().unwrap();
    let step = (end.0 - start.0) / samples;
    let times: Vec<Timestamp> = (0..=samples + 1)
        .map(|i| Timestamp(start.0 - 1 + i * step))
        .collect();
    let want = reference_hashes(events, &times);
    for (i, &t) in times.iter().enumerate() {
        assert_eq!(r.seek(t).hash(), want[i], "forward to {}", t.0);
    }
    for (i, &t) in times.iter().enumerate().rev() {
        assert_eq!(r.seek(t).hash(), want[i], "backward to {}", t.0);
    }
    let n = times.len();
    for k in 0..2 * n {
        // A fixed scatter: a stride coprime with the count visits every sample.
        let i = (k * 7 + k / n) % n;
        assert_eq!(
            r.seek(times[i]).hash(),
            want[i],
            "scattered to {}",
            times[i].0
        );
        // And a short hop forward from there, within the same keyframe span mostly.
        let j = (i + 1).min(n - 1);
        assert_eq!(r.seek(times[j]).hash(), want[j], "hop to {}", times[j].0);
    }
    want.iter().collect::<std::collections::BTreeSet<_>>().len()
}

#[test]
fn generator_is_deterministic_and_sized() {
    let a = big_page::big_session(1_000, 10 * 60 * 1000);
    let b = big_page::big_session(1_000, 10 * 60 * 1000);
    assert_eq!(a, b);
    let EventKind::FullSnapshot(s) = &a[1].kind else {
        panic!("the second event is the snapshot")
    };
    // 11 nodes a row, plus the page around the table.
    assert!((11_000..11_100).contains(&s.tree.len()), "{}", s.tree.len());
    let style = s
        .tree
        .iter()
        .find_map(|n| match &n.kind {
            NodeKind::Text {
                text,
                is_style: Some(true),
            } => Some(text.len()),
            _ => None,
        })
        .unwrap();
    assert!((2_000..16_000).contains(&style), "{style} B of CSS");
    // An edit every 1-3 s, so 200-600 in ten minutes, plus mouse moves.
    let body = a.len() - 2;
    assert!((200..1_000).contains(&body), "{body} events");
    let span = a.last().unwrap().timestamp.0 - a[1].timestamp.0;
    assert!(span > 9 * 60 * 1000 && span <= 10 * 60 * 1000, "{span}");
}

#[test]
fn round_trips_through_rrweb_json() {
    let events = big_page::big_session(500, 20 * 60 * 1000);
    let json = rrweb::write_events(&events);
    let back = rrweb::read(&json, &Limits::DEFAULT).unwrap();
    assert_eq!(back, events);
}

#[test]
fn replays_without_problems() {
    let events = big_page::big_session(800, 30 * 60 * 1000);
    let want = expected_nodes(&events);
    let mut r = Replayer::new_strict(events, ReplayConfig::default()).unwrap();
    let (_, end) = r.time_range().unwrap();
    let s = r.seek(end);
    assert_eq!(s.diagnostics().problems(), 0, "{:?}", s.diagnostics());
    assert_eq!(s.node_count(), want);
}

#[test]
fn seek_paths_agree_with_a_plain_replay() {
    let events = big_page::big_session(600, 20 * 60 * 1000);
    // Default cadence, dense keyframes, and keyframes squeezed by a small budget.
    for config in [
        ReplayConfig::default(),
        ReplayConfig::default().with_keyframe_every(EventCount(8), Millis(2_000)),
        ReplayConfig::default().with_keyframe_budget(1 << 20),
    ] {
        let distinct = check_seek_paths(&events, config, 40);
        assert!(distinct > 30, "{distinct} distinct states");
    }
}

#[test]
fn seek_paths_agree_on_the_corpus() {
    for path in common::CORPUS_STREAMS {
        let events = rrweb::read(&common::read(path), &Limits::DEFAULT).unwrap();
        let distinct = check_seek_paths(&events, ReplayConfig::default(), 30);
        assert!(distinct > 5, "{path}: {distinct} distinct states");
    }
}

/// The full-size page: 10,000 rows (~110,000 nodes), one hour.
#[test]
fn full_size_session_replays_and_seeks() {
    let events = big_page::big_session(10_000, 3600 * 1000);
    let want = expected_nodes(&events);
    assert!(want > 100_000, "{want} nodes");
    let check = events.clone();
    let mut r = Replayer::from(events);
    let (start, end) = r.time_range().unwrap();
    let s = r.seek(end);
    assert_eq!(s.diagnostics().problems(), 0, "{:?}", s.diagnostics());
    assert_eq!(s.node_count(), want);
    assert!(r.keyframe_bytes() <= 64 << 20, "{}", r.keyframe_bytes());
    let times: Vec<Timestamp> = (0..=6)
        .map(|i| Timestamp(start.0 + i * (end.0 - start.0) / 6))
        .collect();
    let want = reference_hashes(&check, &times);
    for (i, &t) in times.iter().enumerate().rev() {
        assert_eq!(r.seek(t).hash(), want[i], "backward to {}", t.0);
    }
}
