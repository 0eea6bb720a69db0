//! Encode -> decode round trip (structured events): must be equal, compressed or not,
//! whatever the chunk cadence and flushes, with assets in the stream or in a host's
//! store.
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use session_replay::codec::{
    AssetHash, AssetMode, Compression, Encoder, EncoderConfig, decode, decode_with_assets, encode,
    verify,
};
use session_replay::{EventCount, Limits, Millis, Recovered};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(events) = session_replay_fuzz::events(&mut u) else {
        return;
    };
    let every = usize::from(u.arbitrary::<u8>().unwrap_or(0)) + 1;
    for config in [
        EncoderConfig::default()
            .with_compression(Compression::None)
            .with_keyframe_every(EventCount(every), Millis(1_000), 1 << 20),
        EncoderConfig::default()
            .with_compression(Compression::Brotli { quality: 1 })
            .with_keyframe_every(EventCount(every), Millis(1_000), 1 << 20),
    ] {
        let bin = encode(&events, config);
        let Recovered {
            events: back,
            errors,
        } = decode(&bin, &Limits::DEFAULT);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(back, events);
        assert!(verify(&bin, &Limits::DEFAULT).is_ok() || events.is_empty());
    }
    // Flushed at fuzzed places, with every value of 8 bytes or more an asset kept in a
    // host's store.
    let flushes = u.arbitrary::<u64>().unwrap_or(0);
    let config = EncoderConfig::default()
        .with_compression(Compression::Brotli { quality: 1 })
        .with_keyframe_every(EventCount(every), Millis(1_000), 1 << 20)
        .with_assets(AssetMode::External, 8);
    let mut enc = Encoder::new(config);
    let mut bin = Vec::new();
    for (i, e) in events.iter().enumerate() {
        enc.push(e);
        if flushes >> (i % 64) & 1 == 1 {
            enc.flush();
        }
    }
    enc.finish();
    let mut store = std::collections::HashMap::<AssetHash, String>::new();
    store.extend(std::iter::from_fn(|| enc.poll_asset()).map(|a| (a.hash, a.text)));
    bin.extend(std::iter::from_fn(|| enc.poll_chunk()).flatten());
    let back = decode_with_assets(&bin, &Limits::DEFAULT, &store);
    assert!(back.errors.is_empty(), "{:?}", back.errors);
    assert_eq!(back.events, events);
});
