//! A host's store shared across sessions: assets ([`AssetMode::External`]) and primers
//! (an earlier session's keyframe that starts a later session's compressed stream).
//! Two recordings of the same page (the corpus's raw and rrweb-default login) stand for
//! two visitors.

mod common;

use std::collections::HashMap;

use session_replay::codec::{
    self, AssetHash, AssetMode, AssetSource, CodecError, Decoder, Encoder, EncoderConfig, Primer,
};
use session_replay::model::Event;
use session_replay::{Limits, rrweb};

/// A host's store: asset texts and primer bytes by hash.
#[derive(Default)]
struct Store {
    assets: HashMap<AssetHash, String>,
    primers: HashMap<AssetHash, Vec<u8>>,
}

impl AssetSource for Store {
    fn asset(&self, hash: &AssetHash) -> Option<&str> {
        self.assets.get(hash).map(String::as_str)
    }
    fn primer(&self, hash: &AssetHash) -> Option<&[u8]> {
        self.primers.get(hash).map(Vec::as_slice)
    }
}

fn events(path: &str) -> Vec<Event> {
    rrweb::read(&common::read(path), &Limits::DEFAULT).unwrap()
}

fn external() -> EncoderConfig {
    EncoderConfig::default().with_assets(AssetMode::External, 512)
}

/// Encodes `events` as a host does: a flush every `batch` events (0: never), assets
/// and the offered primer into `store`; returns the stream, chunk by chunk.
fn session(
    events: &[Event],
    primer: Option<Primer>,
    batch: usize,
    store: &mut Store,
) -> (Vec<Vec<u8>>, Option<Primer>) {
    let mut enc = Encoder::new(external());
    enc.set_primer(primer);
    let mut chunks = Vec::new();
    let mut offered = None;
    let mut drain = |enc: &mut Encoder, chunks: &mut Vec<Vec<u8>>| {
        while let Some(a) = enc.poll_asset() {
            store.assets.insert(a.hash, a.text);
        }
        if let Some(p) = enc.poll_primer() {
            store.primers.insert(p.hash(), p.bytes().to_vec());
            offered = Some(p);
        }
        while let Some(c) = enc.poll_chunk() {
            chunks.push(c);
        }
    };
    for (i, e) in events.iter().enumerate() {
        enc.push(e);
        if batch > 0 && (i + 1) % batch == 0 {
            enc.flush();
        }
        drain(&mut enc, &mut chunks);
    }
    enc.finish();
    drain(&mut enc, &mut chunks);
    (chunks, offered)
}

#[test]
fn a_second_session_primed_with_the_first_costs_a_fraction_and_reads_back() {
    let (first, second) = (
        events("corpus/login.raw.json"),
        events("corpus/login.rrweb-default.json"),
    );
    let mut store = Store::default();
    let (a, primer) = session(&first, None, 0, &mut store);
    let primer = primer.expect("the first keyframe is offered");
    let a: Vec<u8> = a.concat();
    assert!(codec::primers_needed(&a, &Limits::DEFAULT).is_empty());

    let (alone, _) = session(&second, None, 0, &mut Store::default());
    let alone = alone.concat().len();
    let (b, _) = session(&second, Some(primer.clone()), 0, &mut store);
    let b: Vec<u8> = b.concat();
    // Measured: 5,750 bytes alone, about 1,250 primed.
    assert!(b.len() * 3 < alone, "primed {} vs {} alone", b.len(), alone);
    assert_eq!(
        codec::primers_needed(&b, &Limits::DEFAULT),
        vec![primer.hash()]
    );
    let back = codec::decode_with_assets(&b, &Limits::DEFAULT, &store);
    assert!(back.is_clean(), "{:?}", back.errors);
    assert_eq!(back.events, second);
    assert!(codec::verify(&b, &Limits::DEFAULT).is_ok());
}

#[test]
fn without_its_primer_a_segment_is_reported_and_lost_and_the_rest_reads() {
    let first = events("corpus/login.raw.json");
    let second = events("corpus/todo.raw.json");
    let mut store = Store::default();
    let (_, primer) = session(&first, None, 0, &mut store);
    let primer = primer.unwrap();
    // A primer from another page still works, only less well.
    let (b, _) = session(&second, Some(primer.clone()), 100, &mut store);
    let b: Vec<u8> = b.concat();
    let back = codec::decode_with_assets(&b, &Limits::DEFAULT, &store);
    assert!(back.is_clean(), "{:?}", back.errors);
    assert_eq!(back.events, second);

    // The store lost the primer: every primed segment is reported, then lost whole.
    store.primers.clear();
    let back = codec::decode_with_assets(&b, &Limits::DEFAULT, &store);
    assert!(back.events.is_empty(), "todo is one segment");
    assert!(matches!(
        back.errors.first(),
        Some(CodecError::MissingPrimer { primer: p, .. }) if *p == primer.hash()
    ));
    assert!(matches!(
        back.errors.last(),
        Some(CodecError::Lost {
            after: None,
            until: None,
            ..
        })
    ));
    // A verifier needs no store: frames and chain still check out.
    let v = codec::verify(&b, &Limits::DEFAULT);
    assert!(v.is_ok(), "{v:?}");
}

#[test]
fn the_decoder_takes_only_the_primer_that_hashes_right_and_streams_chunk_by_chunk() {
    let first = events("corpus/login.raw.json");
    let second = events("corpus/login.rrweb-default.json");
    let mut store = Store::default();
    let (_, primer) = session(&first, None, 0, &mut store);
    let primer = primer.unwrap();
    let (chunks, _) = session(&second, Some(primer.clone()), 20, &mut store);
    assert!(chunks.len() > 5);

    let mut d = Decoder::new();
    assert!(!d.add_primer(primer.hash(), b"something else"));
    assert!(!d.add_primer(AssetHash([0; 32]), primer.bytes()));
    assert!(d.add_primer(primer.hash(), primer.bytes()));
    for (h, t) in &store.assets {
        assert!(d.add_asset(*h, t.clone()));
    }
    let mut back = Vec::new();
    for c in &chunks {
        d.push(c);
        while let Some(c) = d.poll_chunk() {
            back.extend(c.unwrap().events);
        }
    }
    d.finish();
    while let Some(c) = d.poll_chunk() {
        back.extend(c.unwrap().events);
    }
    assert_eq!(back, second);
}

#[test]
fn a_restored_encoder_primes_its_fresh_stream_again() {
    let first = events("corpus/login.raw.json");
    let second = events("corpus/login.rrweb-default.json");
    let mut store = Store::default();
    let (_, primer) = session(&first, None, 0, &mut store);
    let primer = primer.unwrap();

    let mut enc = Encoder::new(external());
    enc.set_primer(Some(primer.clone()));
    let mut bytes = Vec::new();
    let half = second.len() / 2;
    for e in &second[..half] {
        enc.push(e);
    }
    enc.flush();
    let state = enc.save_state();
    let mut enc = Encoder::restore_state(&state, &Limits::DEFAULT).unwrap();
    enc.set_primer(Some(primer.clone()));
    for e in &second[half..] {
        enc.push(e);
    }
    enc.finish();
    while let Some(c) = enc.poll_chunk() {
        bytes.extend(c);
    }
    while let Some(a) = enc.poll_asset() {
        store.assets.insert(a.hash, a.text);
    }
    // The saved encoder's chunks came out of the state (unpolled output travels with it).
    let back = codec::decode_with_assets(&bytes, &Limits::DEFAULT, &store);
    assert!(back.is_clean(), "{:?}", back.errors);
    assert_eq!(back.events, second);
    // Both the keyframe chunk and the restored encoder's first chunk start from it.
    assert_eq!(
        codec::primers_needed(&bytes, &Limits::DEFAULT),
        vec![primer.hash()]
    );
}

#[test]
fn a_primer_too_large_for_the_window_is_not_used() {
    let second = events("corpus/login.rrweb-default.json");
    let huge = Primer::new(vec![7u8; 17 << 20]);
    let mut store = Store::default();
    let (b, _) = session(&second, Some(huge), 0, &mut store);
    let b = b.concat();
    assert!(codec::primers_needed(&b, &Limits::DEFAULT).is_empty());
    let back = codec::decode_with_assets(&b, &Limits::DEFAULT, &store);
    assert!(back.is_clean(), "{:?}", back.errors);
    assert_eq!(back.events, second);
}
