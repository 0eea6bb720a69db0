//! The built-in dictionary: how it is made (from a page of our own, recorded in
//! Chromium), and that every stream is smaller with it and still lossless.
//!
//! `WRITE_DICTIONARY=1 cargo test --test codec_dictionary` writes
//! `src/codec/dictionary.bin` from `tests/data/dictionary/page.rrweb.json` (recorded
//! from `tools/dictionary/page`, see its README). Only a new format version may do
//! that: the dictionary's SHA-256 is part of the format, and a stream written with one
//! dictionary does not decompress with another.

use session_replay::codec::{
    AssetMode, CHUNK_MAGIC, Compression, Encoder, EncoderConfig, FORMAT_VERSION, HEADER_LEN,
    decode, encode,
};
use session_replay::model::Event;
use session_replay::{Limits, rrweb};

mod common;

fn load(path: &str) -> Vec<Event> {
    rrweb::read(&common::read(path), &Limits::DEFAULT).unwrap()
}

/// The dictionary made from the page's recording: its stylesheets (the assets, in the
/// order the stream first uses them: the part asset chunks start from), then its first
/// keyframe chunk's body, whose structure, attribute names and short texts other
/// keyframes resemble (the part event segments start from).
fn make() -> (Vec<u8>, Vec<u8>) {
    let mut enc = Encoder::new(EncoderConfig::default().with_assets(AssetMode::External, 512));
    for e in &load("dictionary/page.rrweb.json") {
        enc.push(e);
    }
    enc.finish();
    while enc.poll_chunk().is_some() {}
    let mut assets = Vec::new();
    while let Some(a) = enc.poll_asset() {
        assets.extend_from_slice(a.text.as_bytes());
        assets.push(b'\n');
    }
    let keyframe = enc
        .poll_primer()
        .expect("the page's keyframe")
        .bytes()
        .to_vec();
    (assets, keyframe)
}

#[test]
fn the_dictionary_is_made_from_its_page() {
    let (css, keyframe) = make();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/codec/dictionary.bin");
    if std::env::var_os("WRITE_DICTIONARY").is_some() {
        std::fs::write(path, [css, keyframe].concat()).unwrap();
        return;
    }
    let shipped = std::fs::read(path).unwrap();
    // The stylesheets are the page's as Chromium gave them to rrweb (colours as
    // `rgb()`), byte for byte. The keyframe part follows the wire format of the
    // version that wrote it, so a later wire change may make it differ from what
    // `make` gives then; that is fine, it is only a dictionary, and it must not change.
    assert!(shipped.starts_with(&css));
    // Where the format puts the parts' boundary (docs/FORMAT.md, "Dictionary").
    assert_eq!(css.len(), 10_570);
    let rule = ".btn-primary { color: rgb(255, 255, 255); background-color: rgb(13, 110, 253);";
    assert!(String::from_utf8_lossy(&css).contains(rule));
    assert!(shipped.len() > css.len() && !keyframe.is_empty());
    assert!(
        (16 << 10..48 << 10).contains(&shipped.len()),
        "{}",
        shipped.len()
    );
    assert_eq!(
        FORMAT_VERSION, 3,
        "a new format version may ship a new dictionary"
    );
}

/// Every recorded stream we have is smaller with the dictionary, by at least 1%, and
/// decodes to the same events either way.
#[test]
fn every_stream_is_smaller_with_it_and_lossless() {
    for path in [
        "corpus/login.raw.json",
        "corpus/feed.raw.json",
        "pages/insurance.rrweb.json",
        "pages/checkout.rrweb.json",
    ] {
        let events = load(path);
        let with = encode(&events, EncoderConfig::default());
        let without = encode(&events, EncoderConfig::default().with_dictionary(false));
        assert!(
            with.len() * 100 < without.len() * 99,
            "{path}: {} with the dictionary, {} without",
            with.len(),
            without.len()
        );
        for bytes in [&with, &without] {
            let back = decode(bytes, &Limits::DEFAULT);
            assert!(back.errors.is_empty(), "{path}: {:?}", back.errors);
            assert_eq!(
                rrweb::write_events(&back.events),
                rrweb::write_events(&events),
                "{path}"
            );
        }
    }
    // Without compression there is nothing for a dictionary to do.
    let events = load("corpus/login.raw.json");
    let plain = EncoderConfig::default().with_compression(Compression::None);
    assert_eq!(
        encode(&events, plain),
        encode(&events, plain.with_dictionary(false))
    );
}

/// Every quality, with and without the dictionary: lossless, and smaller with it
/// wherever brotli takes a dictionary (quality 2 and up); below that the dictionary is
/// not used and the bytes are the same. Quality 10 and 11 are brotli's other match
/// finder, which must handle matches that reach from the stream into the dictionary.
#[test]
fn every_quality_reads_back() {
    let events = load("corpus/login.raw.json");
    let json = rrweb::write_events(&events);
    for quality in [0, 1, 2, 4, 6, 9, 10, 11] {
        let config = EncoderConfig::default().with_compression(Compression::Brotli { quality });
        let with = encode(&events, config);
        let without = encode(&events, config.with_dictionary(false));
        if quality < 2 {
            assert_eq!(with, without, "quality {quality}");
        } else {
            assert!(
                with.len() < without.len(),
                "quality {quality}: {} against {}",
                with.len(),
                without.len()
            );
        }
        for bytes in [&with, &without] {
            let back = decode(bytes, &Limits::DEFAULT);
            assert!(
                back.errors.is_empty(),
                "quality {quality}: {:?}",
                back.errors
            );
            assert_eq!(rrweb::write_events(&back.events), json, "quality {quality}");
        }
    }
}

/// The chunk frames of a stream: (offset of the payload, its length).
fn frames(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = HEADER_LEN;
    while at + 12 <= bytes.len() {
        assert_eq!(bytes[at..at + 4], CHUNK_MAGIC);
        let len = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        out.push((at + 12, len));
        at += 12 + len;
    }
    out
}

/// A chunk whose flag no longer says it started from the dictionary (its CRC made
/// good again, as a careless rewrite would) decodes to an error, never to wrong events
/// and never a panic; one that claims the dictionary but did not start from it never
/// panics either.
#[test]
fn a_chunk_read_with_the_wrong_start_is_refused() {
    let events = load("corpus/login.raw.json");
    for (config, bit_set) in [
        (EncoderConfig::default(), true),
        (EncoderConfig::default().with_dictionary(false), false),
    ] {
        let bytes = encode(&events, config);
        let mut flipped = 0;
        for (at, len) in frames(&bytes) {
            // Only chunks that start a compressed stream (flag bit 0 with bit 1 or 2):
            // elsewhere the flag is refused as malformed before any decompression.
            let flag = bytes[at];
            if flag & 1 == 0 || flag & 6 == 0 || (flag & 32 != 0) != bit_set {
                continue;
            }
            let mut bad = bytes.clone();
            bad[at] ^= 32;
            let crc = crc32fast::hash(&bad[at..at + len]);
            bad[at - 4..at].copy_from_slice(&crc.to_le_bytes());
            let back = decode(&bad, &Limits::DEFAULT);
            flipped += 1;
            if !bit_set {
                // Claiming the dictionary for a stream that never refers to it reads
                // the same bytes back, unless the stream used brotli's static
                // dictionary at distances the custom one now covers; either way the
                // reader does not panic, and a clean read is the recording itself.
                if back.errors.is_empty() {
                    assert_eq!(
                        rrweb::write_events(&back.events),
                        rrweb::write_events(&events)
                    );
                }
                continue;
            }
            assert!(!back.errors.is_empty(), "flag {flag} at {at}");
            if flag & 4 != 0 {
                // An asset chunk loses its assets only: every event comes back, the
                // ones that used them without them.
                assert_eq!(back.events.len(), events.len(), "flag {flag} at {at}");
                assert_ne!(
                    rrweb::write_events(&back.events),
                    rrweb::write_events(&events)
                );
            } else {
                // A keyframe chunk loses its segment: what comes back is the recording
                // up to it.
                let json = rrweb::write_events(&back.events);
                let whole = rrweb::write_events(&events[..back.events.len()]);
                assert_eq!(json, whole, "flag {flag} at {at}");
            }
        }
        assert!(
            flipped >= 2,
            "{flipped} chunks starting a stream (an asset chunk and a keyframe)"
        );
    }
}
