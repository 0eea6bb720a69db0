//! Continuation chunks: a stream flushed every few events decodes to the same events, has
//! its keyframes where an unflushed one has them, says in each chunk whether it carries
//! one, and after damage loses only the rest of the damaged segment, saying when.

mod common;

use common::read;
use proptest::prelude::*;
use session_replay::codec::*;
use session_replay::model::*;
use session_replay::replay::Replayer;
use session_replay::{Limits, Recovered, rrweb};

/// The corpus pages (raw and rrweb-default), the rrweb fixtures and the hard page.
fn all_streams() -> Vec<(String, Vec<Event>)> {
    let mut out = Vec::new();
    for dir in ["corpus", "rrweb-fixtures"] {
        let mut files: Vec<_> = std::fs::read_dir(common::data(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for f in files {
            let name = f.file_name().unwrap().to_str().unwrap().to_owned();
            let ok = name.ends_with(".raw.json")
                || name.ends_with(".rrweb-default.json")
                || (dir == "rrweb-fixtures" && name.ends_with(".json"));
            if ok {
                let events = rrweb::read(&std::fs::read(&f).unwrap(), &Limits::DEFAULT).unwrap();
                out.push((name, events));
            }
        }
    }
    let hard = rrweb::read(&read("pages/hard-page.json"), &Limits::DEFAULT).unwrap();
    out.push(("hard-page.json".into(), hard));
    assert!(out.len() > 25, "{}", out.len());
    out
}

/// Encodes `events`, flushing after every `every` events (never with 0), polling the
/// chunks as a server would.
fn encode_flushing(events: &[Event], config: EncoderConfig, every: usize) -> Vec<u8> {
    let mut enc = Encoder::new(config);
    let mut out = Vec::new();
    for (i, e) in events.iter().enumerate() {
        enc.push(e);
        if every > 0 && (i + 1) % every == 0 {
            enc.flush();
        }
        out.extend(std::iter::from_fn(|| enc.poll_chunk()).flatten());
    }
    enc.finish();
    out.extend(std::iter::from_fn(|| enc.poll_chunk()).flatten());
    out
}

/// Every event chunk of a clean stream (asset chunks left out), keyframes decoded.
fn chunks(bin: &[u8]) -> Vec<DecodedChunk> {
    let mut d = Decoder::new();
    d.push(bin);
    d.finish();
    std::iter::from_fn(|| d.poll_chunk())
        .map(|c| c.unwrap())
        .filter(|c| c.kind != ChunkKind::Assets)
        .collect()
}

/// A small cadence, so that the corpus streams have many keyframe chunks.
fn small_cadence() -> EncoderConfig {
    EncoderConfig::default().with_keyframe_every(EventCount(40), Millis(5_000), 1 << 20)
}

#[test]
fn flushing_every_n_events_decodes_to_the_same_events() {
    for (name, events) in all_streams() {
        for config in [
            EncoderConfig::default(),
            small_cadence().with_compression(Compression::None),
        ] {
            let whole = encode(&events, config);
            assert_eq!(decode(&whole, &Limits::DEFAULT).events, events, "{name}");
            for every in [1, 7, 50] {
                let bin = encode_flushing(&events, config, every);
                let Recovered {
                    events: back,
                    errors,
                } = decode(&bin, &Limits::DEFAULT);
                assert!(errors.is_empty(), "{name}, every {every}: {errors:?}");
                assert_eq!(back, events, "{name}, every {every}");
                assert!(verify(&bin, &Limits::DEFAULT).is_ok() || events.is_empty());
                // One chunk per flush at least (a flush with nothing pushed since the
                // last one closes nothing).
                let n = chunks(&bin).len();
                assert!(n >= events.len() / every, "{name}: {n} chunks");
            }
        }
    }
}

/// The keyframe flag round-trips, and the cadence counts across flushes: keyframe chunks
/// open at the same events, with the same keyframes, as the chunks of the unflushed
/// stream; every other chunk is a continuation. With keyframes off, only the first chunk
/// is a place to start.
#[test]
fn keyframes_fall_where_they_fall_without_flushes() {
    let starts = |chunks: &[DecodedChunk]| {
        let mut at = 0;
        let mut out = Vec::new();
        for c in chunks.iter().filter(|c| c.kind != ChunkKind::Assets) {
            out.push((at, c.kind));
            at += c.events.len();
        }
        out
    };
    for (name, events) in all_streams() {
        let whole = chunks(&encode(&events, small_cadence()));
        assert!(whole.iter().all(|c| c.is_keyframe()), "{name}");
        let keyframe_starts: Vec<usize> = starts(&whole).iter().map(|s| s.0).collect();
        for every in [1, 7, 50] {
            let flushed = chunks(&encode_flushing(&events, small_cadence(), every));
            let kinds = starts(&flushed);
            let keyframes: Vec<usize> = kinds
                .iter()
                .filter(|s| s.1 == ChunkKind::Keyframe)
                .map(|s| s.0)
                .collect();
            assert_eq!(keyframes, keyframe_starts, "{name}, every {every}");
            let same: Vec<&Vec<Event>> = whole.iter().map(|c| &c.keyframe).collect();
            let flushed_keys: Vec<&Vec<Event>> = flushed
                .iter()
                .filter(|c| c.is_keyframe())
                .map(|c| &c.keyframe)
                .collect();
            assert_eq!(flushed_keys, same, "{name}, every {every}");
            for c in flushed.iter().filter(|c| !c.is_keyframe()) {
                assert!(c.keyframe.is_empty() && !c.events.is_empty());
                assert_eq!(c.continuity, Continuity::Unbroken);
            }
            let off = small_cadence().with_keyframes(Keyframes::None);
            let off = chunks(&encode_flushing(&events, off, every));
            let kinds: Vec<ChunkKind> = off.iter().map(|c| c.kind).collect();
            if let Some((first, rest)) = kinds.split_first() {
                assert_eq!(*first, ChunkKind::Keyframe);
                assert!(rest.iter().all(|k| *k == ChunkKind::Continuation), "{name}");
            }
        }
    }
}

/// A reader seeking into a flushed stream starts at a keyframe chunk: its keyframe, then
/// the events of it and of the continuation chunks after it, give the page state.
#[test]
fn a_reader_can_start_at_any_keyframe_chunk_of_a_flushed_stream() {
    let events = rrweb::read(&read("corpus/todo.raw.json"), &Limits::DEFAULT).unwrap();
    let config =
        EncoderConfig::default().with_keyframe_every(EventCount(300), Millis(1 << 40), 1 << 30);
    let chunks = chunks(&encode_flushing(&events, config, 50));
    assert!(chunks.iter().filter(|c| c.is_keyframe()).count() >= 8);
    let mut full = Replayer::from(events.clone());
    for (k, c) in chunks.iter().enumerate().filter(|(_, c)| c.is_keyframe()) {
        let mut from_here = c.keyframe.clone();
        for later in &chunks[k..] {
            if later.is_keyframe() && later.index != c.index {
                break;
            }
            from_here.extend(later.events.iter().cloned());
        }
        let end = from_here.last().unwrap().timestamp;
        let mut r = Replayer::from(from_here);
        let (partial, whole) = (r.seek(end), full.seek(end));
        assert_eq!(partial.to_node_tree(), whole.to_node_tree(), "chunk {k}");
        assert_eq!(partial.form_values(), whole.form_values(), "chunk {k}");
        assert_eq!(partial.diagnostics().problems(), 0, "chunk {k}");
    }
}

/// A flushed stream: keyframe chunks every 20 events, continuation chunks of 6 events
/// between them (no assets, so that every lost chunk is an event chunk).
fn flushed_login(keyframes: Keyframes) -> (Vec<Event>, Vec<u8>) {
    let events = rrweb::read(&read("corpus/login.raw.json"), &Limits::DEFAULT).unwrap();
    let config = EncoderConfig::default()
        .with_compression(Compression::None)
        .with_keyframe_every(EventCount(20), Millis(1 << 40), 1 << 30)
        .with_keyframes(keyframes)
        .with_assets(AssetMode::Inline, usize::MAX);
    let bin = encode_flushing(&events, config, 6);
    (events, bin)
}

/// What `decode` gives when chunk `lost` is gone (damaged or deleted): the others'
/// events, except the continuation chunks of its segment after it, and the keyframe of
/// the keyframe chunk after it; and the loss, with the times around it.
fn expected(chunks: &[DecodedChunk], lost: usize) -> (Vec<Event>, CodecError) {
    let mut events = Vec::new();
    let mut gap = false;
    let mut last_chunk = lost;
    let mut until = None;
    let mut after = None;
    for (i, c) in chunks.iter().enumerate() {
        if i == lost {
            gap = true;
            after = events.last().map(|e: &Event| e.timestamp);
        } else if gap && !c.is_keyframe() {
            last_chunk = i;
        } else {
            if gap {
                events.extend(c.keyframe.iter().cloned());
                until = c.events.first().map(|e| e.timestamp);
            }
            gap = false;
            events.extend(c.events.iter().cloned());
        }
    }
    let loss = CodecError::Lost {
        chunk: lost,
        last_chunk,
        after,
        until,
    };
    (events, loss)
}

/// The continuity the streaming decoder gives each chunk it hands out after losing
/// `lost`.
fn expected_continuity(chunks: &[DecodedChunk], lost: usize) -> Vec<Continuity> {
    let mut gap = false;
    let mut out = Vec::new();
    for (i, c) in chunks.iter().enumerate() {
        if i == lost {
            gap = true;
            continue;
        }
        if gap && !c.is_keyframe() {
            continue;
        }
        out.push(if gap {
            Continuity::Resumed
        } else {
            Continuity::Unbroken
        });
        gap = false;
    }
    out
}

fn continuity(bin: &[u8]) -> Vec<Continuity> {
    let mut d = Decoder::new().with_keyframes(KeyframeDecoding::Skip);
    d.push(bin);
    d.finish();
    std::iter::from_fn(|| d.poll_chunk())
        .flatten()
        .map(|c| c.continuity)
        .collect()
}

#[test]
fn a_damaged_chunk_loses_the_rest_of_its_segment_and_says_when() {
    let (events, bin) = flushed_login(Keyframes::ByCost);
    let clean = chunks(&bin);
    let kinds: String = clean
        .iter()
        .map(|c| if c.is_keyframe() { 'K' } else { 'c' })
        .collect();
    assert!(kinds.contains("Kccc"), "{kinds}");
    let end = events.last().unwrap().timestamp;
    let whole_end = Replayer::from(events.clone()).seek(end).to_node_tree();
    for (hit, c) in clean.iter().enumerate() {
        // One byte in the middle of the payload: a checksum error.
        let len = u32::from_le_bytes(bin[c.offset + 4..c.offset + 8].try_into().unwrap());
        let mut damaged = bin.clone();
        damaged[c.offset + 12 + len as usize / 2] ^= 0x10;
        let Recovered {
            events: got,
            errors,
        } = decode(&damaged, &Limits::DEFAULT);
        let (want, loss) = expected(&clean, hit);
        assert_eq!(got, want, "hit {hit} in {kinds}");
        let want_errors = vec![
            CodecError::Checksum {
                chunk: hit,
                offset: c.offset,
            },
            loss.clone(),
        ];
        assert_eq!(errors, want_errors, "hit {hit} in {kinds}");
        assert_eq!(continuity(&damaged), expected_continuity(&clean, hit));
        // With a keyframe chunk after the damage, replay ends in the right page state.
        if clean[hit + 1..].iter().any(|c| c.is_keyframe()) {
            let mut r = Replayer::from(got);
            assert_eq!(r.seek(end).to_node_tree(), whole_end, "hit {hit}");
        }
        let text = loss.to_string();
        assert!(text.contains(&format!("chunks {hit} to")), "{text}");
    }
}

/// A chunk deleted from the stream (no damage to see, only the sequence that skips)
/// loses the rest of its segment just the same; `verify` shows the chain break.
#[test]
fn a_missing_chunk_loses_the_rest_of_its_segment() {
    let (_, bin) = flushed_login(Keyframes::ByCost);
    let clean = chunks(&bin);
    let ends: Vec<usize> = clean
        .iter()
        .skip(1)
        .map(|c| c.offset)
        .chain([bin.len()])
        .collect();
    for gone in 1..clean.len() {
        let mut cut = bin[..clean[gone].offset].to_vec();
        cut.extend_from_slice(&bin[ends[gone]..]);
        let Recovered { events, errors } = decode(&cut, &Limits::DEFAULT);
        let (want, loss) = expected(&clean, gone);
        assert_eq!(events, want, "chunk {gone} deleted");
        // A deleted chunk shows only when a later one cannot follow it: the decoder
        // names the loss from the first chunk it could not read.
        if gone + 1 < clean.len() {
            let CodecError::Lost { after, until, .. } = loss else {
                unreachable!()
            };
            assert!(
                matches!(errors.as_slice(), [CodecError::Lost { after: a, until: u, .. }] if *a == after && *u == until),
                "chunk {gone} deleted: {errors:?}"
            );
            assert!(!verify(&cut, &Limits::DEFAULT).chain_breaks.is_empty());
            let mut want_continuity = expected_continuity(&clean, gone);
            // The decoder cannot tell a deleted keyframe chunk's continuations from the
            // chunk before it: they are lost with it (as `expected` has them).
            want_continuity.truncate(continuity(&cut).len());
            assert_eq!(continuity(&cut), want_continuity);
        } else {
            // (A stream cut short at a chunk boundary looks whole.)
            assert!(errors.is_empty());
        }
    }
}

/// With keyframes off, everything after damage is lost: nothing can be read after it.
#[test]
fn without_keyframes_damage_loses_the_rest() {
    let (events, bin) = flushed_login(Keyframes::None);
    let clean = chunks(&bin);
    let hit = &clean[2];
    let mut damaged = bin.clone();
    damaged[hit.offset + 20] ^= 1;
    let Recovered {
        events: got,
        errors,
    } = decode(&damaged, &Limits::DEFAULT);
    let before: usize = clean[..2].iter().map(|c| c.events.len()).sum();
    assert_eq!(got, events[..before]);
    let after = Some(events[before - 1].timestamp);
    assert!(
        matches!(
            errors.as_slice(),
            [CodecError::Checksum { chunk: 2, .. }, CodecError::Lost { chunk: 2, last_chunk, after: a, until: None }]
                if *last_chunk == clean.len() - 1 && *a == after
        ),
        "{errors:?}"
    );
}

/// Streams of versions 1 and 2 (never published) are refused with a clear error.
#[test]
fn older_versions_are_refused() {
    let mut bin = encode(&all_streams()[0].1, EncoderConfig::default());
    for v in [1u8, 2, 4] {
        bin[4] = v;
        let r = decode(&bin, &Limits::DEFAULT);
        assert!(r.events.is_empty());
        assert_eq!(r.errors, vec![CodecError::UnsupportedVersion(v)]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Wherever the host flushes, the stream decodes to the events, and its keyframe
    /// chunks open where the chunks of the unflushed stream do.
    #[test]
    fn flushes_anywhere_change_no_event_and_no_keyframe(
        flushes in prop::collection::vec(any::<bool>(), 145),
        cadence in 1usize..40,
    ) {
        let events = rrweb::read(&read("corpus/login.raw.json"), &Limits::DEFAULT).unwrap();
        let config = EncoderConfig::default()
            .with_compression(Compression::None)
            .with_keyframe_every(EventCount(cadence), Millis(1 << 40), 1 << 30);
        let mut enc = Encoder::new(config);
        for (e, flush) in events.iter().zip(flushes.iter().cycle()) {
            enc.push(e);
            if *flush {
                enc.flush();
            }
        }
        enc.finish();
        let bin: Vec<u8> = std::iter::from_fn(|| enc.poll_chunk()).flatten().collect();
        let back = decode(&bin, &Limits::DEFAULT);
        prop_assert!(back.is_clean());
        prop_assert_eq!(&back.events, &events);
        let starts = |chunks: Vec<DecodedChunk>, keyframes_only: bool| {
            let mut at = 0;
            let mut out = Vec::new();
            for c in chunks.into_iter().filter(|c| c.kind != ChunkKind::Assets) {
                if c.is_keyframe() || !keyframes_only {
                    out.push(at);
                }
                at += c.events.len();
            }
            out
        };
        let whole = starts(chunks(&encode(&events, config)), false);
        prop_assert_eq!(starts(chunks(&bin), true), whole);
    }
}
