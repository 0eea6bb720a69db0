//! Untrusted entry point: reading rrweb JSON. Whatever the bytes, reading must not panic,
//! and whatever it accepts must write back to JSON that reads as the same events.
#![no_main]

use libfuzzer_sys::fuzz_target;
use session_replay::{Limits, rrweb};

fuzz_target!(|data: &[u8]| {
    let recovered = rrweb::read_recovering(data, &Limits::DEFAULT);
    let written = rrweb::write_events(&recovered.events);
    let again = rrweb::read(&written, &Limits::DEFAULT).expect("our own output must read back");
    assert_eq!(again, recovered.events);
});
