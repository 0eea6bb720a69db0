//! Untrusted entry point: the scrubber over arbitrary events (structured), under every
//! preset. Never panics; the output still reads as rrweb JSON and replays.
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use session_replay::privacy::{Policy, scrub};
use session_replay::replay::Replayer;
use session_replay::{Limits, rrweb};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(events) = session_replay_fuzz::events(&mut u) else {
        return;
    };
    for policy in [Policy::private(), Policy::balanced(), Policy::relaxed()] {
        let (out, _report) = scrub(events.clone(), &policy);
        let json = rrweb::write_events(&out);
        let back = rrweb::read(&json, &Limits::DEFAULT).unwrap();
        assert_eq!(back, out);
        let mut replayer = Replayer::from(out);
        if let Some((_, end)) = replayer.time_range() {
            let _ = replayer.seek(end).hash();
        }
    }
});
