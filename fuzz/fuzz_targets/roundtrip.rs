//! Encode -> decode round trip (structured events): must be equal, compressed or not,
//! whatever the chunk cadence.
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use session_replay::codec::{Compression, EncoderConfig, decode, encode, verify};
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
});
