//! Untrusted entry point: replaying arbitrary event sequences (structured). Never panics;
//! seeks are path-independent; HTML output is produced for any state.
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use session_replay::replay::{ReplayConfig, Replayer};
use session_replay::{EventCount, Millis, Timestamp};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(events) = session_replay_fuzz::events(&mut u) else {
        return;
    };
    let mut r = Replayer::new(
        events.clone(),
        ReplayConfig::default().with_keyframe_every(EventCount(3), Millis(500)),
    );
    let Some((start, end)) = r.time_range() else {
        return;
    };
    let mut fresh = Replayer::from(events);
    for k in [
        end.0,
        start.0,
        (start.0 + end.0) / 2,
        end.0 + 1,
        start.0 - 1,
    ] {
        let h = r.seek(Timestamp(k)).hash();
        assert_eq!(h, fresh.seek(Timestamp(k)).hash());
        let _ = r.state().to_html();
        let _ = r.state().to_keyframe_events();
    }
});
