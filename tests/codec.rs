//! The binary format: lossless on every corpus stream and fixture, damage isolation
//! (truncation at every byte, bit flips), the SHA-256 chain, keyframes that let a reader
//! start at any chunk, and bounded decoding.

mod common;

use common::read;
use serde_json::Value;
use session_replay::codec::*;
use session_replay::model::*;
use session_replay::replay::Replayer;
use session_replay::{Limits, Recovered, rrweb};

fn all_streams() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for dir in ["corpus", "rrweb-fixtures"] {
        let path = common::data(dir);
        let mut files: Vec<_> = std::fs::read_dir(path)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for f in files {
            let name = f.file_name().unwrap().to_str().unwrap().to_owned();
            let ok = name.ends_with(".raw.json")
                || name.ends_with(".rrweb-default.json")
                || dir == "rrweb-fixtures";
            if ok && name.ends_with(".json") && !name.contains("README") {
                out.push((name, std::fs::read(&f).unwrap()));
            }
        }
    }
    out.push(("hard-page.json".into(), read("pages/hard-page.json")));
    out
}

#[test]
fn json_binary_json_is_lossless_everywhere() {
    for (name, bytes) in all_streams() {
        let events = rrweb::read(&bytes, &Limits::DEFAULT).unwrap();
        for config in [
            EncoderConfig::default(),
            EncoderConfig::default().with_compression(Compression::None),
            EncoderConfig::default()
                .with_compression(Compression::None)
                .with_keyframe_every(EventCount(7), Millis(1_000), 1 << 20),
        ] {
            let bin = encode(&events, config);
            let Recovered {
                events: back,
                errors,
            } = decode(&bin, &Limits::DEFAULT);
            assert!(errors.is_empty(), "{name}: {errors:?}");
            assert_eq!(back, events, "{name}");
            let a: Value = serde_json::from_slice(&bytes).unwrap();
            let b: Value = serde_json::from_slice(&rrweb::write_events(&back)).unwrap();
            assert_eq!(a, b, "{name}");
            assert!(verify(&bin, &Limits::DEFAULT).is_ok(), "{name}");
        }
    }
}

#[test]
fn encoding_is_deterministic() {
    let events = rrweb::read(&read("corpus/todo.raw.json"), &Limits::DEFAULT).unwrap();
    assert_eq!(
        encode(&events, EncoderConfig::default()),
        encode(&events, EncoderConfig::default())
    );
}

#[test]
fn streaming_decoder_takes_any_split() {
    let events = rrweb::read(&read("corpus/login.raw.json"), &Limits::DEFAULT).unwrap();
    let bin = encode(
        &events,
        EncoderConfig::default().with_keyframe_every(EventCount(20), Millis(5_000), 1 << 20),
    );
    for step in [1usize, 3, 7, 64, 1000] {
        let mut d = Decoder::new();
        let mut got = Vec::new();
        for piece in bin.chunks(step) {
            d.push(piece);
            while let Some(o) = d.poll_chunk() {
                got.extend(o.unwrap().events);
            }
        }
        d.finish();
        assert!(d.poll_chunk().is_none());
        assert_eq!(got, events, "split every {step} bytes");
    }
}

fn small_stream() -> (Vec<Event>, Vec<u8>, usize) {
    let events = rrweb::read(&read("rrweb-fixtures/input.json"), &Limits::DEFAULT).unwrap();
    // No assets: every chunk is an event chunk, and a keyframe chunk.
    let config = EncoderConfig::default()
        .with_keyframe_every(EventCount(3), Millis(1_000_000), 1 << 20)
        .with_assets(AssetMode::Inline, usize::MAX);
    let bin = encode(&events, config);
    let chunks = verify(&bin, &Limits::DEFAULT).chunks;
    (events, bin, chunks)
}

/// (start, end, events, keyframe) of each chunk, from a clean decode.
fn chunk_events(bin: &[u8]) -> Vec<(usize, usize, Vec<Event>, Vec<Event>)> {
    let mut d = Decoder::new();
    d.push(bin);
    let mut out = Vec::new();
    while let Some(o) = d.poll_chunk() {
        if let Ok(c) = o {
            let start = c.offset;
            let len = u32::from_le_bytes(bin[start + 4..start + 8].try_into().unwrap()) as usize;
            out.push((start, start + 12 + len, c.events, c.keyframe));
        }
    }
    out
}

#[test]
fn truncation_at_every_byte_keeps_every_whole_chunk() {
    let (events, bin, n) = small_stream();
    assert!(n >= 3, "{n} chunks");
    let spans = chunk_events(&bin);
    for cut in 0..bin.len() {
        let Recovered {
            events: got,
            errors,
        } = decode(&bin[..cut], &Limits::DEFAULT);
        let whole: Vec<Event> = spans
            .iter()
            .filter(|s| s.1 <= cut)
            .flat_map(|s| s.2.clone())
            .collect();
        assert_eq!(got, whole, "cut at {cut}");
        let boundary = cut == 8 || spans.iter().any(|s| s.1 == cut);
        if !boundary {
            assert!(!errors.is_empty(), "cut at {cut} reports an error");
        }
    }
    assert_eq!(decode(&bin, &Limits::DEFAULT).events, events);
}

#[test]
fn bit_flips_lose_only_the_damaged_chunk() {
    let (_, bin, n) = small_stream();
    let spans = chunk_events(&bin);
    for pos in (8..bin.len()).step_by(3) {
        for bit in [0u8, 3, 7] {
            let mut damaged = bin.clone();
            damaged[pos] ^= 1 << bit;
            let Recovered {
                events: got,
                errors,
            } = decode(&damaged, &Limits::DEFAULT);
            let hit = spans.iter().position(|s| pos >= s.0 && pos < s.1).unwrap();
            // Every chunk is a keyframe chunk: the one after the damaged one resumes
            // with its keyframe.
            let expected: Vec<Event> = spans
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != hit)
                .flat_map(|(i, s)| {
                    let resumed = if i == hit + 1 { s.3.clone() } else { vec![] };
                    resumed.into_iter().chain(s.2.clone())
                })
                .collect();
            assert_eq!(
                got.len(),
                expected.len(),
                "flip at {pos} bit {bit}: {errors:?} hit {hit} spans {:?}",
                spans
                    .iter()
                    .map(|s| (s.0, s.1, s.2.len(), s.3.len()))
                    .collect::<Vec<_>>()
            );
            assert_eq!(got, expected, "flip at {pos} bit {bit}");
            assert!(
                errors.iter().any(|e| e.chunk() == Some(hit)),
                "flip at {pos}: {errors:?}"
            );
        }
    }
    assert!(n >= 3);
}

#[test]
fn the_chain_reveals_deleted_reordered_and_edited_chunks() {
    let (_, bin, _) = small_stream();
    let spans = chunk_events(&bin);
    assert!(verify(&bin, &Limits::DEFAULT).is_ok());
    let piece = |i: usize| bin[spans[i].0..spans[i].1].to_vec();
    let header = bin[..8].to_vec();
    // Deleted.
    let mut deleted = header.clone();
    for i in (0..spans.len()).filter(|&i| i != 1) {
        deleted.extend(piece(i));
    }
    // The chain shows it, and so do the event chunk numbers: the chunk's events are
    // reported lost.
    let r = verify(&deleted, &Limits::DEFAULT);
    assert!(
        !r.is_ok()
            && matches!(r.errors.as_slice(), [CodecError::Lost { .. }])
            && r.chain_breaks == vec![1],
        "{r:?}"
    );
    // Reordered.
    let mut reordered = header.clone();
    for i in [0, 2, 1] {
        reordered.extend(piece(i));
    }
    for i in 3..spans.len() {
        reordered.extend(piece(i));
    }
    assert!(!verify(&reordered, &Limits::DEFAULT).chain_breaks.is_empty());
    // Edited: chunk 1 re-encoded with other content but a valid CRC.
    let other = rrweb::read(&read("rrweb-fixtures/scroll.json"), &Limits::DEFAULT).unwrap();
    let forged_stream = encode(
        &other,
        EncoderConfig::default()
            .with_keyframe_every(EventCount(3), Millis(1_000_000), 1 << 20)
            .with_assets(AssetMode::Inline, usize::MAX),
    );
    let forged_spans = chunk_events(&forged_stream);
    let mut edited = header;
    edited.extend(piece(0));
    edited.extend(forged_stream[forged_spans[1].0..forged_spans[1].1].to_vec());
    for i in 2..spans.len() {
        edited.extend(piece(i));
    }
    // Only the chain shows it: the forged chunk reads, and its number fits.
    let r = verify(&edited, &Limits::DEFAULT);
    assert!(r.errors.is_empty() && !r.chain_breaks.is_empty(), "{r:?}");
}

#[test]
fn a_reader_can_start_at_any_chunk() {
    let events = rrweb::read(&read("corpus/todo.raw.json"), &Limits::DEFAULT).unwrap();
    let bin = encode(
        &events,
        EncoderConfig::default().with_keyframe_every(EventCount(300), Millis(1_000_000), 1 << 20),
    );
    let mut d = Decoder::new();
    d.push(&bin);
    let mut chunks = Vec::new();
    while let Some(Ok(c)) = d.poll_chunk() {
        chunks.push(c);
    }
    assert!(chunks.len() >= 8);
    let mut full = Replayer::from(events.clone());
    for c in chunks.iter().skip(1) {
        assert!(c.is_keyframe(), "chunk {}", c.index);
        // Only this chunk: its keyframe, then its events.
        let mut from_chunk: Vec<Event> = c.keyframe.clone();
        from_chunk.extend(c.events.iter().cloned());
        let end = c.events.last().unwrap().timestamp;
        let mut r = Replayer::from(from_chunk);
        let partial = r.seek(end);
        let whole = full.seek(end);
        assert_eq!(
            partial.to_node_tree(),
            whole.to_node_tree(),
            "chunk {}",
            c.index
        );
        assert_eq!(partial.form_values(), whole.form_values());
        assert_eq!(partial.window_scroll(), whole.window_scroll());
        assert_eq!(partial.viewport(), whole.viewport());
        assert_eq!(partial.diagnostics().problems(), 0);
    }
}

#[test]
fn a_reader_in_order_can_step_over_keyframes() {
    for (name, bytes) in all_streams() {
        let events = rrweb::read(&bytes, &Limits::DEFAULT).unwrap();
        for config in [
            EncoderConfig::default().with_keyframe_every(
                EventCount(50),
                Millis(1_000_000),
                1 << 20,
            ),
            EncoderConfig::default()
                .with_compression(Compression::None)
                .with_keyframe_every(EventCount(50), Millis(1_000_000), 1 << 20),
        ] {
            let bin = encode(&events, config);
            let chunks = |keyframes: KeyframeDecoding| {
                let mut d = Decoder::new().with_keyframes(keyframes);
                d.push(&bin);
                let mut out = Vec::new();
                while let Some(o) = d.poll_chunk() {
                    match o {
                        Ok(c) => out.push(c),
                        Err(e) => panic!("{name}: {e}"),
                    }
                }
                out
            };
            let (with, without) = (
                chunks(KeyframeDecoding::Decode),
                chunks(KeyframeDecoding::Skip),
            );
            assert_eq!(with.len(), without.len(), "{name}");
            for (a, b) in with.iter().zip(&without) {
                // The same recorded events and chain; no keyframe decoded.
                assert_eq!(a.events, b.events, "{name} chunk {}", a.index);
                assert_eq!(
                    (a.index, a.hash, a.prev_hash),
                    (b.index, b.hash, b.prev_hash)
                );
                assert!(b.keyframe.is_empty());
            }
            let Recovered {
                events: decoded,
                errors,
            } = decode(&bin, &Limits::DEFAULT);
            assert!(errors.is_empty());
            assert_eq!(decoded, events, "{name}");
            if events.len() > 200 {
                assert!(
                    with.iter().skip(1).any(|c| !c.keyframe.is_empty()),
                    "{name}"
                );
            }
        }
    }
}

#[test]
fn hostile_bytes_are_refused_without_allocation() {
    // Header only, then a frame claiming 4 GiB.
    let mut bin = encode(&[], EncoderConfig::default());
    bin.extend_from_slice(&CHUNK_MAGIC);
    bin.extend_from_slice(&u32::MAX.to_le_bytes());
    bin.extend_from_slice(&[0; 4]);
    let Recovered { events, errors } = decode(&bin, &Limits::DEFAULT);
    assert!(events.is_empty());
    assert!(
        matches!(errors.first(), Some(CodecError::LimitExceeded { .. })),
        "{errors:?}"
    );
    // Not our format at all.
    assert_eq!(
        decode(b"GIF89a......", &Limits::DEFAULT).errors,
        vec![CodecError::BadMagic]
    );
    let mut v4 = encode(&[], EncoderConfig::default());
    assert_eq!(v4[4], FORMAT_VERSION);
    v4[4] = 4;
    assert_eq!(
        decode(&v4, &Limits::DEFAULT).errors,
        vec![CodecError::UnsupportedVersion(4)]
    );
    // An uncompressed body whose string count claims 2^40 entries.
    let mut body = vec![2u8]; // flags: raw, keyframe chunk
    body.push(0); // index (chunk 0: no link)
    body.push(0); // event chunk number
    body.push(0); // base ts
    body.push(253);
    body.extend_from_slice(&(1u64 << 40).to_le_bytes());
    let mut bomb = encode(&[], EncoderConfig::default());
    bomb.extend_from_slice(&CHUNK_MAGIC);
    bomb.extend_from_slice(&(body.len() as u32).to_le_bytes());
    bomb.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
    bomb.extend_from_slice(&body);
    let Recovered { events, errors } = decode(&bomb, &Limits::DEFAULT);
    assert!(events.is_empty(), "{events:?}");
    assert!(
        matches!(
            errors.as_slice(),
            [
                CodecError::LimitExceeded { chunk: 0, .. },
                CodecError::Lost {
                    chunk: 0,
                    after: None,
                    until: None,
                    ..
                }
            ]
        ),
        "{errors:?}"
    );
}

/// Wraps an uncompressed chunk body (flag byte included) in a frame.
fn frame_of(payload: &[u8]) -> Vec<u8> {
    let mut f = CHUNK_MAGIC.to_vec();
    f.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    f.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    f.extend_from_slice(payload);
    f
}

/// A string stored once and referred to many times cannot make a chunk decode to more
/// text than `Limits::decoded_bytes`: the chunk is refused, not the process aborted.
#[test]
fn decoded_text_per_chunk_is_bounded() {
    let big = "x".repeat(100_000);
    let nodes: Vec<String> = (0..200)
        .map(|i| {
            format!(
                r#"{{"type":2,"tagName":"p","attributes":{{"data-x":"{big}"}},"childNodes":[],"id":{}}}"#,
                10 + i
            )
        })
        .collect();
    let json = format!(
        r#"[{{"type":2,"data":{{"node":{{"type":0,"childNodes":[{{"type":2,"tagName":"html","attributes":{{}},"childNodes":[{}],"id":2}}],"id":1}},"initialOffset":{{"top":0,"left":0}}}},"timestamp":1}}]"#,
        nodes.join(",")
    );
    let events = rrweb::read(json.as_bytes(), &Limits::DEFAULT).unwrap();
    // Stored once, as an asset (in its own chunk) or in the string table.
    for min in [512, usize::MAX] {
        let config = EncoderConfig::default().with_assets(AssetMode::Inline, min);
        let bin = encode(&events, config);
        assert!(bin.len() < 5_000, "{}", bin.len()); // 20 MB of text, stored once
        assert_eq!(decode(&bin, &Limits::DEFAULT).events, events);
        let mut d = Decoder::new().with_limits(Limits::DEFAULT.with_decoded_bytes(10 << 20));
        d.push(&bin);
        let out: Vec<_> = std::iter::from_fn(|| d.poll_chunk()).collect();
        let refused = out.iter().any(|o| {
            matches!(
                o,
                Err(CodecError::LimitExceeded {
                    what: "decoded text in a chunk",
                    ..
                })
            )
        });
        assert!(
            refused,
            "{:?}",
            out.iter()
                .map(|o| o.as_ref().map(|c| c.kind))
                .collect::<Vec<_>>()
        );
        assert!(
            out.iter()
                .all(|o| o.as_ref().map_or(true, |c| c.events.is_empty()))
        );
    }
}

/// A chunk index at the top of its range is a chain break for `verify`, not an
/// arithmetic overflow.
#[test]
fn a_chunk_index_at_the_top_of_its_range_is_a_chain_break() {
    let events = rrweb::read(&read("rrweb-fixtures/input.json"), &Limits::DEFAULT).unwrap();
    let bin = encode(
        &events,
        EncoderConfig::default().with_compression(Compression::None),
    );
    assert_eq!(verify(&bin, &Limits::DEFAULT).chunks, 1);
    let payload = &bin[HEADER_LEN + 12..];
    assert_eq!(&payload[..2], &[2, 0]); // flag: raw, keyframe chunk; index 0
    let mut body = vec![2u8, 253];
    body.extend_from_slice(&u64::MAX.to_le_bytes());
    body.extend_from_slice(&[0; 32]); // a keyframe chunk's link (chunk 0 has none)
    body.extend_from_slice(&payload[2..]);
    let mut stream = bin[..HEADER_LEN].to_vec();
    stream.extend(frame_of(&body));
    stream.extend(frame_of(&body));
    let report = verify(&stream, &Limits::DEFAULT);
    assert_eq!(report.chunks, 2);
    assert_eq!(report.chain_breaks, vec![0, 1]);
    // The first says no event chunk came before it; the second, the same, while the
    // first's own events came before it: the reader resumes there, with its (empty)
    // keyframe, and reports the loss.
    let mut d = Decoder::new();
    d.push(&stream);
    d.finish();
    let continuity: Vec<_> = std::iter::from_fn(|| d.poll_chunk())
        .filter_map(|c| c.ok())
        .map(|c| c.continuity)
        .collect();
    assert_eq!(continuity, [Continuity::Unbroken, Continuity::Resumed]);
    let Recovered {
        events: back,
        errors,
    } = decode(&stream, &Limits::DEFAULT);
    assert!(
        matches!(errors.as_slice(), [CodecError::Lost { .. }]),
        "{errors:?}"
    );
    assert_eq!(back.len(), 2 * events.len());
}

/// A page with a counter (`<span id=3>` holding text node 4) and a text field (id 5).
fn page_start(t: i64) -> String {
    format!(
        r#"{{"type":4,"data":{{"href":"https://a.test/","width":800,"height":600}},"timestamp":{t}}},
{{"type":2,"data":{{"node":{{"type":0,"childNodes":[{{"type":2,"tagName":"html","attributes":{{}},"childNodes":[
{{"type":2,"tagName":"span","attributes":{{"class":"clock"}},"childNodes":[{{"type":3,"textContent":"0","id":4}}],"id":3}},
{{"type":2,"tagName":"input","attributes":{{"type":"text"}},"childNodes":[],"id":5}}],"id":2}}],"id":1}},"initialOffset":{{"top":0,"left":0}}}},"timestamp":{t}}}"#
    )
}

/// Bytes (one chunk; without and with compression) that `n` repetitions of an event
/// pattern add to a stream: the size with `2n` minus the size with `n`, over `n`.
fn marginal_bytes(pattern: impl Fn(usize, i64) -> String, n: usize) -> (f64, f64) {
    let size = |count: usize| {
        let mut json = format!("[{}", page_start(1_000));
        for i in 0..count {
            json.push(',');
            json.push_str(&pattern(i, 2_000 + 100 * i as i64));
        }
        json.push(']');
        let events = rrweb::read(json.as_bytes(), &Limits::DEFAULT).unwrap();
        let config = EncoderConfig::default().with_keyframe_every(
            EventCount(1 << 20),
            Millis(1 << 40),
            1 << 30,
        );
        let raw = encode(&events, config.with_compression(Compression::None));
        let packed = encode(&events, config);
        assert_eq!(decode(&raw, &Limits::DEFAULT).events, events);
        assert_eq!(decode(&packed, &Limits::DEFAULT).events, events);
        (raw.len() as f64, packed.len() as f64)
    };
    let ((r1, p1), (r2, p2)) = (size(n), size(2 * n));
    ((r2 - r1) / n as f64, (p2 - p1) / n as f64)
}

/// The delta coding is compact where rrweb's JSON is most repetitive: a ticking counter
/// (remove + add of a text node every 100 ms), typing (rrweb sends the whole value per
/// keystroke) and pointer moves, each measured without compression.
#[test]
fn repetitive_events_cost_a_few_bytes_each() {
    // Counter: remove the old text node, add the next one (fresh ids, new text).
    let tick = |i: usize, t: i64| {
        let (old, new) = if i == 0 { (4, 100) } else { (99 + i, 100 + i) };
        format!(
            r#"{{"type":3,"data":{{"source":0,"texts":[],"attributes":[],"removes":[{{"parentId":3,"id":{old}}}],"adds":[{{"parentId":3,"nextId":null,"node":{{"type":3,"textContent":"{}","id":{new}}}}}]}},"timestamp":{t}}}"#,
            i + 1
        )
    };
    let json_tick = tick(7, 2_700).len();
    let (tick_bytes, tick_packed) = marginal_bytes(tick, 200);
    // About 20 one-byte fields (tags, counts, flags, id deltas of 0 or 1, a string
    // reference) and the new text in the table; rrweb's JSON takes ~200 bytes.
    assert!(
        tick_bytes <= 26.0,
        "a counter tick costs {tick_bytes} bytes"
    );
    assert!(
        tick_packed <= 6.0,
        "a compressed counter tick costs {tick_packed} bytes"
    );
    // Typing: the whole value every keystroke in rrweb; one character here.
    let text = "the quick brown fox jumps over the lazy dog ".repeat(20);
    let key = |i: usize, t: i64| {
        format!(
            r#"{{"type":3,"data":{{"source":5,"text":"{}","isChecked":false,"id":5}},"timestamp":{t}}}"#,
            &text[..i + 1]
        )
    };
    let (key_bytes, key_packed) = marginal_bytes(key, 400);
    assert!(key_bytes <= 8.0, "a keystroke costs {key_bytes} bytes");
    assert!(
        key_packed <= 3.0,
        "a compressed keystroke costs {key_packed} bytes"
    );
    // Pointer moves: a batch of 10 positions every 100 ms, small steps; per position
    // x, y, time and node (one byte each), per batch the event's own four bytes.
    let moves = |i: usize, t: i64| {
        let positions: Vec<String> = (0..10)
            .map(|k| {
                let s = (i * 10 + k) as i64;
                format!(
                    r#"{{"x":{},"y":{},"id":2,"timeOffset":{}}}"#,
                    100 + s % 37,
                    200 + s % 23,
                    -10 * (10 - k as i64)
                )
            })
            .collect();
        format!(
            r#"{{"type":3,"data":{{"source":1,"positions":[{}]}},"timestamp":{t}}}"#,
            positions.join(",")
        )
    };
    let (move_bytes, move_packed) = marginal_bytes(moves, 100);
    let (move_bytes, move_packed) = (move_bytes / 10.0, move_packed / 10.0);
    assert!(
        move_bytes <= 4.5,
        "a pointer position costs {move_bytes} bytes"
    );
    assert!(
        move_packed <= 2.0,
        "a compressed position costs {move_packed} bytes"
    );
    eprintln!(
        "tick {tick_bytes:.1} B / {tick_packed:.1} B compressed (JSON {json_tick} B), \
         keystroke {key_bytes:.1} / {key_packed:.1} B, position {move_bytes:.2} / {move_packed:.2} B"
    );
}

/// The streaming encoder hands out each closed chunk once, in order, whether the host
/// polls after every push or only at the end; concatenated they are `encode`'s stream.
#[test]
fn encoder_hands_out_chunks_one_at_a_time() {
    let events = rrweb::read(&read("corpus/login.raw.json"), &Limits::DEFAULT).unwrap();
    let config =
        EncoderConfig::default().with_keyframe_every(EventCount(20), Millis(1_000_000), 1 << 20);
    let whole = encode(&events, config);
    for eager in [true, false] {
        let mut enc = Encoder::new(config);
        let mut chunks = Vec::new();
        for e in &events {
            enc.push(e);
            if eager {
                chunks.extend(std::iter::from_fn(|| enc.poll_chunk()));
            }
        }
        enc.finish();
        chunks.extend(std::iter::from_fn(|| enc.poll_chunk()));
        assert_eq!(chunks.len() as u64, enc.chunks(), "eager {eager}");
        assert!(chunks.len() > 3);
        assert_eq!(&chunks[0][HEADER_LEN..HEADER_LEN + 4], &CHUNK_MAGIC[..]);
        assert!(chunks[1..].iter().all(|c| c[..4] == CHUNK_MAGIC[..]));
        assert_eq!(chunks.concat(), whole, "eager {eager}");
    }
    // No events: the bare header is the stream.
    let mut enc = Encoder::new(EncoderConfig::default());
    enc.finish();
    assert_eq!(enc.poll_chunk().map(|c| c.len()), Some(HEADER_LEN));
    assert_eq!(enc.poll_chunk(), None);
}
