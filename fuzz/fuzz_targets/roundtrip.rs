//! Encode -> decode round trip (structured events): must be equal, compressed or not,
//! whatever the chunk cadence and flushes, with assets in the stream or in a host's
//! store, and with a primer (fuzzed bytes) starting each compressed stream.
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use session_replay::codec::{
    AssetHash, AssetMode, AssetSource, Compression, Encoder, EncoderConfig, Primer, decode,
    decode_with_assets, encode, verify,
};

/// A host's store: asset texts, and one primer.
struct Store {
    assets: std::collections::HashMap<AssetHash, String>,
    primer: Primer,
}

impl AssetSource for Store {
    fn asset(&self, hash: &AssetHash) -> Option<&str> {
        self.assets.get(hash).map(String::as_str)
    }
    fn primer(&self, hash: &AssetHash) -> Option<&[u8]> {
        (*hash == self.primer.hash()).then(|| self.primer.bytes())
    }
}
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
    // host's store, and the compressed streams primed with fuzzed bytes.
    let flushes = u.arbitrary::<u64>().unwrap_or(0);
    let primer = Primer::new(u.arbitrary::<Vec<u8>>().unwrap_or_default());
    let config = EncoderConfig::default()
        .with_compression(Compression::Brotli { quality: 2 })
        .with_keyframe_every(EventCount(every), Millis(1_000), 1 << 20)
        .with_assets(AssetMode::External, 8);
    let mut enc = Encoder::new(config);
    enc.set_primer(Some(primer.clone()));
    let mut bin = Vec::new();
    for (i, e) in events.iter().enumerate() {
        enc.push(e);
        if flushes >> (i % 64) & 1 == 1 {
            enc.flush();
        }
    }
    enc.finish();
    let mut store = Store {
        assets: Default::default(),
        primer,
    };
    store
        .assets
        .extend(std::iter::from_fn(|| enc.poll_asset()).map(|a| (a.hash, a.text)));
    bin.extend(std::iter::from_fn(|| enc.poll_chunk()).flatten());
    let back = decode_with_assets(&bin, &Limits::DEFAULT, &store);
    assert!(back.errors.is_empty(), "{:?}", back.errors);
    assert_eq!(back.events, events);
});
