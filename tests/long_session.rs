//! The synthetic 3-hour session: built from the todo stream, it replays without
//! problems, stays the size of the page, and seeks anywhere through keyframes.

mod common;
#[path = "common/synth.rs"]
mod synth;

use session_replay::replay::Replayer;
use session_replay::{Limits, Timestamp, rrweb};

#[test]
fn three_hour_session_replays_and_seeks_through_keyframes() {
    let base = rrweb::read(&common::read("corpus/todo.raw.json"), &Limits::DEFAULT).unwrap();
    let events = synth::long_session(&base, 3 * 3600 * 1000);
    assert!(events.len() > 400_000, "{} events", events.len());
    let mut r = Replayer::from(events);
    let (start, end) = r.time_range().unwrap();
    assert!(end.0 - start.0 >= 3 * 3600 * 1000);
    // Keyframes are spread over the whole session, within the memory budget.
    assert!(r.keyframe_count() > 50, "{}", r.keyframe_count());
    assert!(r.keyframe_bytes() <= 64 << 20, "{}", r.keyframe_bytes());
    let s = r.seek(end);
    assert_eq!(s.diagnostics().problems(), 0, "{:?}", s.diagnostics());
    let nodes_at_end = s.node_count();
    let first_cycle_end = {
        let mut r0 = Replayer::from(base.clone());
        let (_, e0) = r0.time_range().unwrap();
        r0.seek(e0).node_count()
    };
    assert!(
        nodes_at_end <= first_cycle_end,
        "{nodes_at_end} vs {first_cycle_end}"
    );
    // A seek to the last minute applies events from a nearby keyframe only.
    r.seek(start);
    r.seek(Timestamp(end.0 - 60_000));
    let applied_at = r.applied();
    assert!(applied_at > 400_000);
}
