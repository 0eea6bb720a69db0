//! Encode -> decode round trip (structured events): must be equal, compressed or not,
//! whatever the chunk cadence.
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use session_replay::codec::{EncoderConfig, decode, encode, verify};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(events) = session_replay_fuzz::events(&mut u) else {
        return;
    };
    let every = usize::from(u.arbitrary::<u8>().unwrap_or(0)) + 1;
    for config in [
        EncoderConfig::default()
            .compress(false)
            .chunk_every(every, 1_000, 1 << 20),
        EncoderConfig::default()
            .quality(1)
            .chunk_every(every, 1_000, 1 << 20),
    ] {
        let bin = encode(&events, config);
        let (back, errors) = decode(&bin);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(back, events);
        assert!(verify(&bin).is_ok() || events.is_empty());
    }
});
