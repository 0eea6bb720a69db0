//! Damage to a v3 stream, byte by byte: truncation at every byte and a bit flip at every
//! byte of flushed, compressed streams with several segments and assets (small rrweb
//! fixtures, so that every byte can be tried; login for the rest). Nothing
//! panics; the events read are the recording with whole runs left out; each run left out
//! is reported by exactly one `CodecError::Lost` whose times are exact (the last event
//! read before it and the first read after it); nothing is reported lost that was read.
//! A damaged asset chunk loses no event, only its assets' text.

mod common;

use common::read;
use session_replay::codec::*;
use session_replay::model::*;
use session_replay::{Limits, rrweb};

/// login, flushed every 7 events, a keyframe chunk every 20 events (several segments),
/// compressed, with its stylesheets as assets.
fn stream(assets: bool) -> (Vec<Event>, Vec<u8>) {
    encoded(
        "corpus/login.raw.json",
        20,
        7,
        if assets { 512 } else { usize::MAX },
    )
}

/// Small fixtures with stylesheets, iframes and adopted sheets: a keyframe chunk every 4
/// events, a flush every 2, values of 64 bytes and more as assets (or none).
const SMALL: [&str; 3] = [
    "rrweb-fixtures/style-sheet-rule-events.json",
    "rrweb-fixtures/iframe.json",
    "rrweb-fixtures/adopted-style-sheet-modification.json",
];

fn small(path: &str, assets: bool) -> (Vec<Event>, Vec<u8>) {
    encoded(path, 4, 2, if assets { 64 } else { usize::MAX })
}

fn encoded(
    path: &str,
    keyframe_every: usize,
    flush_every: usize,
    asset_min: usize,
) -> (Vec<Event>, Vec<u8>) {
    let events = rrweb::read(&read(path), &Limits::DEFAULT).unwrap();
    let config = EncoderConfig::default()
        .with_keyframe_every(EventCount(keyframe_every), Millis(1 << 40), 1 << 30)
        .with_assets(AssetMode::Inline, asset_min);
    let mut enc = Encoder::new(config);
    let mut out = Vec::new();
    for (i, e) in events.iter().enumerate() {
        enc.push(e);
        if i % flush_every == flush_every - 1 {
            enc.flush();
        }
        out.extend(std::iter::from_fn(|| enc.poll_chunk()).flatten());
    }
    enc.finish();
    out.extend(std::iter::from_fn(|| enc.poll_chunk()).flatten());
    (events, out)
}

/// What a reader in order got: each chunk's recorded events, and each error, in order.
enum Got {
    Events(Vec<Event>),
    Error(CodecError),
}

fn read_all(bytes: &[u8]) -> Vec<Got> {
    let mut d = Decoder::new().with_keyframes(KeyframeDecoding::Skip);
    d.push(bytes);
    d.finish();
    std::iter::from_fn(|| d.poll_chunk())
        .map(|o| match o {
            Ok(c) => Got::Events(c.events),
            Err(e) => Got::Error(e),
        })
        .collect()
}

/// Checks that `got` is `events` with whole runs left out, each reported exactly once
/// with exact times; `cut_at_boundary`: the stream may end early without any error (a
/// cut between chunks looks like a shorter stream). Returns the events lost.
fn check_exact(events: &[Event], got: &[Got], what: &str, cut_at_boundary: bool) -> usize {
    let mut i = 0; // next recorded event expected
    let mut pending: Vec<(Option<Timestamp>, Option<Timestamp>)> = Vec::new();
    let mut lost = 0;
    let ts = |k: usize| events.get(k).map(|e| e.timestamp);
    for g in got {
        match g {
            Got::Error(CodecError::Lost { after, until, .. }) => pending.push((*after, *until)),
            Got::Error(_) => {}
            Got::Events(evs) => {
                for e in evs {
                    if events.get(i) != Some(e) {
                        // A run left out: it must be reported, once, with exact times.
                        let j = (i..events.len())
                            .find(|&j| &events[j] == e)
                            .unwrap_or_else(|| panic!("{what}: an event not in the recording"));
                        let want = (i.checked_sub(1).and_then(ts), ts(j));
                        assert_eq!(pending, vec![want], "{what}: events {i}..{j} lost");
                        lost += j - i;
                        i = j;
                    } else {
                        assert!(
                            pending.is_empty(),
                            "{what}: a loss reported at event {i}, none lost"
                        );
                    }
                    pending.clear();
                    i += 1;
                }
            }
        }
    }
    if i < events.len() {
        if pending.is_empty() {
            assert!(
                cut_at_boundary,
                "{what}: events {i}.. lost without a report"
            );
        } else {
            let want = (i.checked_sub(1).and_then(ts), None);
            assert_eq!(pending, vec![want], "{what}: events {i}.. lost at the end");
        }
        lost += events.len() - i;
    } else {
        assert!(
            pending.is_empty(),
            "{what}: a loss reported at the end, none lost"
        );
    }
    lost
}

#[test]
fn truncation_at_every_byte_loses_exactly_what_it_reports() {
    let mut with_assets = 0;
    for (path, assets) in SMALL.iter().flat_map(|p| [(p, false), (p, true)]) {
        let (events, bin) = small(path, assets);
        let clean = read_all(&bin);
        assert_eq!(check_exact(&events, &clean, "clean", false), 0);
        let mut boundaries = vec![8usize];
        let mut d = Decoder::new();
        d.push(&bin);
        d.finish();
        let mut kinds = Vec::new();
        while let Some(Ok(c)) = d.poll_chunk() {
            let len = u32::from_le_bytes(bin[c.offset + 4..c.offset + 8].try_into().unwrap());
            boundaries.push(c.offset + 12 + len as usize);
            kinds.push(c.kind);
        }
        assert!(kinds.iter().filter(|k| **k == ChunkKind::Keyframe).count() >= 2);
        assert!(kinds.contains(&ChunkKind::Continuation));
        assert!(assets || !kinds.contains(&ChunkKind::Assets));
        with_assets += usize::from(kinds.contains(&ChunkKind::Assets));
        let mut total_lost = 0;
        for cut in 8..bin.len() {
            let got = read_all(&bin[..cut]);
            let boundary = boundaries.contains(&cut);
            let what = format!("{path}, assets {assets}, cut at {cut}");
            total_lost += check_exact(&events, &got, &what, boundary);
        }
        assert!(total_lost > 0);
    }
    assert!(with_assets >= 1, "{with_assets}");
}

#[test]
fn a_bit_flip_anywhere_loses_exactly_what_it_reports() {
    for path in SMALL {
        let (events, bin) = small(path, false);
        let mut reported = 0;
        for pos in 8..bin.len() {
            for bit in [0u8, 5] {
                let mut bad = bin.clone();
                bad[pos] ^= 1 << bit;
                let got = read_all(&bad);
                let what = format!("{path}: flip at {pos} bit {bit}");
                if check_exact(&events, &got, &what, false) > 0 {
                    reported += 1;
                }
            }
        }
        // Nearly every flip loses something (a CRC or frame error); none is silent.
        assert!(reported > bin.len(), "{path}: {reported}");
    }
}

/// A damaged asset chunk costs its assets' text, nothing else: every event comes back,
/// those that used an asset with its text gone, and the loss is reported per asset.
#[test]
fn a_damaged_asset_chunk_loses_only_its_assets() {
    let (events, bin) = stream(true);
    let mut d = Decoder::new();
    d.push(&bin);
    d.finish();
    let assets: Vec<DecodedChunk> = std::iter::from_fn(|| d.poll_chunk())
        .flatten()
        .filter(|c| c.kind == ChunkKind::Assets)
        .collect();
    assert!(!assets.is_empty());
    for a in &assets {
        let len = u32::from_le_bytes(bin[a.offset + 4..a.offset + 8].try_into().unwrap());
        let mut bad = bin.clone();
        bad[a.offset + 12 + len as usize / 2] ^= 0x40;
        let r = decode(&bad, &Limits::DEFAULT);
        assert_eq!(r.events.len(), events.len());
        assert!(
            matches!(r.errors.first(), Some(CodecError::Checksum { .. })),
            "{:?}",
            r.errors
        );
        assert!(
            r.errors[1..]
                .iter()
                .all(|e| matches!(e, CodecError::MissingAsset { .. })),
            "{:?}",
            r.errors
        );
        let changed = r.events.iter().zip(&events).filter(|(a, b)| a != b).count();
        assert!(changed > 0 && r.errors.len() > 1, "{changed}");
        // Only events that carry a stylesheet differ.
        for (got, want) in r.events.iter().zip(&events) {
            if got != want {
                let json = rrweb::write_string(std::slice::from_ref(want));
                assert!(json.len() > 512, "{json}");
            }
        }
    }
}

/// A reader can start at any keyframe chunk: given the asset chunks before it (a
/// reader with the whole file scans for them), its keyframe and the events after it
/// replay to the same states as the whole stream.
#[test]
fn a_reader_can_start_at_any_keyframe_with_the_assets_before_it() {
    let (events, bin) = stream(true);
    let mut d = Decoder::new();
    d.push(&bin);
    d.finish();
    let chunks: Vec<DecodedChunk> = std::iter::from_fn(|| d.poll_chunk()).flatten().collect();
    let mut whole = session_replay::replay::Replayer::from(events.clone());
    let end = events.last().unwrap().timestamp;
    let mut starts = 0;
    for (k, c) in chunks.iter().enumerate().filter(|(_, c)| c.is_keyframe()) {
        // The header, every asset chunk before it, then the stream from it on.
        let mut part = bin[..8].to_vec();
        for a in chunks[..k].iter().filter(|a| a.kind == ChunkKind::Assets) {
            let len = u32::from_le_bytes(bin[a.offset + 4..a.offset + 8].try_into().unwrap());
            part.extend_from_slice(&bin[a.offset..a.offset + 12 + len as usize]);
        }
        part.extend_from_slice(&bin[c.offset..]);
        let r = decode(&part, &Limits::DEFAULT);
        // The event chunks before it are reported lost (they are), nothing else.
        assert!(
            r.errors
                .iter()
                .all(|e| matches!(e, CodecError::Lost { .. })),
            "{:?}",
            r.errors
        );
        let mut from_here = session_replay::replay::Replayer::from(r.events);
        assert_eq!(
            from_here.seek(end).hash(),
            whole.seek(end).hash(),
            "chunk {k}"
        );
        starts += 1;
    }
    assert!(starts >= 5);
}
