//! Untrusted entry point: decoding the binary format. Never panics, never allocates in
//! proportion to a claimed length (ASan catches oversized allocations). Streaming in two
//! pieces gives what `decode` gives, and stepping over keyframes changes no chunk's
//! events.
#![no_main]

use libfuzzer_sys::fuzz_target;
use session_replay::codec::{DecodedChunk, Decoder, DecoderOutput, decode, verify};
use session_replay::Limits;
use session_replay::Recovered;

fn chunks(pieces: &[&[u8]], keyframes: bool) -> Vec<DecodedChunk> {
    let mut d = Decoder::new().decode_keyframes(keyframes);
    let mut out = Vec::new();
    let mut take = |o: DecoderOutput| {
        if let DecoderOutput::Chunk(c) = o {
            out.push(c);
        }
    };
    for p in pieces {
        d.push(p);
        while let Some(o) = d.poll() {
            take(o);
        }
    }
    while let Some(o) = d.finish() {
        take(o);
    }
    while let Some(o) = d.poll() {
        take(o);
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Recovered { events, errors: _errors } = decode(data, &Limits::DEFAULT);
    let report = verify(data, &Limits::DEFAULT);
    assert!(report.chunks <= data.len());
    let mid = data.len() / 2;
    // `decode` steps over keyframes; the streaming decoder doing the same, fed in two
    // pieces, gives the same events.
    let skipped = chunks(&[&data[..mid], &data[mid..]], false);
    let streamed: Vec<_> = skipped.iter().flat_map(|c| c.events.clone()).collect();
    assert_eq!(streamed, events);
    // Every chunk that decodes with its keyframe decodes to the same events without.
    for c in chunks(&[data], true) {
        let same = skipped.iter().find(|s| s.offset == c.offset);
        assert_eq!(same.map(|s| &s.events), Some(&c.events));
    }
});
