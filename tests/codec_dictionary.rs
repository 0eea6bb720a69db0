//! The built-in dictionary: how it is made (from a page of our own, recorded in
//! Chromium), and that every stream is smaller with it and still lossless.
//!
//! `WRITE_DICTIONARY=1 cargo test --test codec_dictionary` writes
//! `src/codec/dictionary.bin` from `tests/data/dictionary/page.rrweb.json` (recorded
//! from `tools/dictionary/page`, see its README). Only a new format version may do
//! that: the dictionary's SHA-256 is part of the format, and a stream written with one
//! dictionary does not decompress with another.

use session_replay::codec::{
    AssetMode, Compression, Encoder, EncoderConfig, FORMAT_VERSION, decode, encode,
};
use session_replay::model::Event;
use session_replay::{Limits, rrweb};

fn load(path: &str) -> Vec<Event> {
    let bytes = std::fs::read(format!("{}/tests/data/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    rrweb::read(&bytes, &Limits::DEFAULT).unwrap()
}

/// The dictionary made from the page's recording: its stylesheets (the assets, in the
/// order the stream first uses them: the part asset chunks start from), then its first
/// keyframe chunk's body, whose structure, attribute names and short texts other
/// keyframes resemble (the part event segments start from).
fn make() -> (Vec<u8>, Vec<u8>) {
    let mut enc = Encoder::new(EncoderConfig::default().with_assets(AssetMode::External, 512));
    let mut assets = Vec::new();
    let mut primer = None;
    let events = load("dictionary/page.rrweb.json");
    for e in &events {
        enc.push(e);
    }
    enc.finish();
    while enc.poll_chunk().is_some() {}
    while let Some(a) = enc.poll_asset() {
        assets.extend_from_slice(a.text.as_bytes());
        assets.push(b'\n');
    }
    if let Some(p) = enc.poll_primer() {
        primer = Some(p);
    }
    let keyframe = primer.expect("the page's keyframe").bytes().to_vec();
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
