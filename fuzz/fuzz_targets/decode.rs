//! Untrusted entry point: decoding the binary format. Never panics, never allocates in
//! proportion to a claimed length (ASan catches oversized allocations).
#![no_main]

use libfuzzer_sys::fuzz_target;
use session_replay::codec::{Decoder, DecoderOutput, decode, verify};

fuzz_target!(|data: &[u8]| {
    let (events, _errors) = decode(data);
    let report = verify(data);
    assert!(report.chunks <= data.len());
    // Streaming in two pieces gives the same events.
    let mid = data.len() / 2;
    let mut d = Decoder::new();
    d.push(&data[..mid]);
    d.push(&data[mid..]);
    let mut streamed = Vec::new();
    while let Some(o) = d.poll() {
        if let DecoderOutput::Chunk(c) = o {
            streamed.extend(c.events);
        }
    }
    while let Some(o) = d.finish() {
        if let DecoderOutput::Chunk(c) = o {
            streamed.extend(c.events);
        }
    }
    while let Some(o) = d.poll() {
        if let DecoderOutput::Chunk(c) = o {
            streamed.extend(c.events);
        }
    }
    assert_eq!(streamed, events);
});
