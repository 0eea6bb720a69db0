//! Untrusted entry point: decoding the binary format. Never panics, never allocates in
//! proportion to a claimed length (ASan catches oversized allocations). Streaming in two
//! pieces gives what `decode` gives (resumed chunks with their keyframe), and stepping
//! over keyframes changes no chunk's events, kind or continuity.
#![no_main]

use libfuzzer_sys::fuzz_target;
use session_replay::codec::{
    Continuity, DecodedChunk, Decoder, KeyframeDecoding, assets_needed, decode, verify,
};
use session_replay::{Limits, Recovered};

fn chunks(pieces: &[&[u8]], keyframes: KeyframeDecoding) -> Vec<DecodedChunk> {
    let mut d = Decoder::new().with_keyframes(keyframes);
    let mut out = Vec::new();
    for p in pieces {
        d.push(p);
        out.extend(std::iter::from_fn(|| d.poll_chunk()).flatten());
    }
    d.finish();
    out.extend(std::iter::from_fn(|| d.poll_chunk()).flatten());
    out
}

fuzz_target!(|data: &[u8]| {
    let Recovered { events, .. } = decode(data, &Limits::DEFAULT);
    let report = verify(data, &Limits::DEFAULT);
    assert!(report.chunks <= data.len());
    // Each asset a stream says a store holds takes at least its 32-byte hash.
    assert!(assets_needed(data, &Limits::DEFAULT).len() <= data.len() / 32);
    let mid = data.len() / 2;
    // `decode` steps over keyframes except after a gap; the streaming decoder doing the
    // same, fed in two pieces, gives the same events.
    let skipped = chunks(&[&data[..mid], &data[mid..]], KeyframeDecoding::Skip);
    let streamed: Vec<_> = skipped
        .iter()
        .flat_map(|c| c.keyframe.iter().chain(&c.events).cloned())
        .collect();
    assert_eq!(streamed, events);
    for c in &skipped {
        assert!(c.keyframe.is_empty() || c.continuity == Continuity::Resumed);
    }
    // Every chunk that decodes with its keyframe decodes to the same events without.
    for c in chunks(&[data], KeyframeDecoding::Decode) {
        let same = skipped.iter().find(|s| s.offset == c.offset);
        assert_eq!(
            same.map(|s| (&s.events, s.kind, s.continuity)),
            Some((&c.events, c.kind, c.continuity))
        );
    }
});
