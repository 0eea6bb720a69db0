//! File header, chunk frames, chunk bodies, compression.

use bincode::{Decode, Encode};
use sha2::{Digest, Sha256};

use super::CodecError;
use super::chunk::{ChunkKind, Continuity, DecodedChunk};
use super::decoder::KeyframeDecoding;
use super::varint::{Buf, Rd};
use super::wire::{ColReaders, Ctx, Dec, Enc, N_COLS, N_SECTIONS};
use crate::limits::Limits;
use crate::model::Event;

/// The file magic.
pub const FILE_MAGIC: [u8; 4] = *b"SRPL";
/// The chunk magic, which also lets a reader find the next chunk after damage.
pub const CHUNK_MAGIC: [u8; 4] = *b"SRCK";
/// The format version this crate writes. It also reads version 1, whose chunks have no
/// keyframe flag.
pub const FORMAT_VERSION: u8 = 2;
/// The oldest format version this crate reads.
pub(crate) const OLDEST_VERSION: u8 = 1;
/// Bytes in the file header.
pub const HEADER_LEN: usize = 8;
/// Bytes in a chunk frame before its payload: magic, length, CRC32.
pub(crate) const FRAME_HEAD: usize = 12;

/// Header flag: chunks may be compressed.
pub(crate) const FLAG_COMPRESSED: u8 = 1;

/// Payload flag: the body is a brotli stream.
const PAYLOAD_COMPRESSED: u8 = 1;
/// Payload flag (version 2): the chunk opens with a keyframe. Without it, a version 2
/// chunk continues the one before it, and its body has no keyframe fields.
const PAYLOAD_KEYFRAME: u8 = 2;

/// The file header (bincode, fixed-width integers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode)]
pub(crate) struct FileHeader {
    pub(crate) magic: [u8; 4],
    pub(crate) version: u8,
    pub(crate) flags: u8,
    pub(crate) reserved: u16,
}

fn header_config() -> impl bincode::config::Config {
    bincode::config::standard()
        .with_fixed_int_encoding()
        .with_limit::<HEADER_LEN>()
}

pub(crate) fn write_header(flags: u8) -> Vec<u8> {
    let h = FileHeader {
        magic: FILE_MAGIC,
        version: FORMAT_VERSION,
        flags,
        reserved: 0,
    };
    bincode::encode_to_vec(h, header_config()).unwrap_or_default()
}

pub(crate) fn read_header(b: &[u8]) -> Result<FileHeader, CodecError> {
    let (h, _): (FileHeader, usize) =
        bincode::decode_from_slice(b, header_config()).map_err(|_| CodecError::BadMagic)?;
    if h.magic != FILE_MAGIC {
        return Err(CodecError::BadMagic);
    }
    if !(OLDEST_VERSION..=FORMAT_VERSION).contains(&h.version) {
        return Err(CodecError::UnsupportedVersion(h.version));
    }
    Ok(h)
}

/// SHA-256 of a whole frame.
pub(crate) fn frame_hash(frame: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(frame);
    h.finalize().into()
}

/// What a chunk body counts: keyframe events, recorded events, the strings of each
/// section the keyframe introduces, and the bytes the keyframe takes in each column (the
/// rest of each column is the recorded events'). All keyframe counts are 0 in a
/// continuation chunk.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct FrameCounts {
    pub(crate) keyframe_events: u64,
    pub(crate) events: u64,
    pub(crate) keyframe_strings: [u32; N_SECTIONS],
    pub(crate) keyframe_cols: [usize; N_COLS],
}

/// What a chunk frame is built from.
pub(crate) struct FrameParts<'a> {
    pub(crate) index: u64,
    pub(crate) kind: ChunkKind,
    pub(crate) prev_hash: &'a [u8; 32],
    pub(crate) base_ts: i64,
    pub(crate) counts: FrameCounts,
    pub(crate) enc: &'a Enc,
    /// The brotli quality, or `None` for no compression.
    pub(crate) compress: Option<u32>,
}

/// Appends a chunk's frame to `out` and returns the frame's hash. `body` is scratch
/// space for the uncompressed body, kept by the caller so that its memory is reused.
pub(crate) fn build_frame(out: &mut Vec<u8>, body: &mut Buf, parts: FrameParts<'_>) -> [u8; 32] {
    let FrameParts {
        index,
        kind,
        prev_hash,
        base_ts,
        counts,
        enc,
        compress,
    } = parts;
    // The frame, written in place: magic, length and CRC (filled in below), payload.
    let start = out.len();
    out.extend_from_slice(&CHUNK_MAGIC);
    out.extend_from_slice(&[0; 8]);
    let payload_start = out.len();
    let keyframe = kind == ChunkKind::Keyframe;
    debug_assert!(
        keyframe || (counts.keyframe_events == 0 && counts.keyframe_cols == [0; N_COLS]),
        "a continuation chunk with a keyframe"
    );
    let kind_flag = if keyframe { PAYLOAD_KEYFRAME } else { 0 };
    out.push(
        kind_flag
            | if compress.is_some() {
                PAYLOAD_COMPRESSED
            } else {
                0
            },
    );
    // Without compression the body is written straight after the flag; with it, into
    // the scratch buffer, then compressed into the frame.
    let direct = compress.is_none();
    if direct {
        std::mem::swap(&mut body.bytes, out);
    } else {
        body.bytes.clear();
    }
    body.uv(index);
    body.raw(prev_hash);
    body.iv(base_ts);
    // The string table: the sections' counts, every length, then every string's bytes.
    for n in enc.strings.counts() {
        body.uv(u64::from(n));
    }
    for cat in 0..N_SECTIONS as u8 {
        for s in enc.strings.section(cat) {
            body.uv(s.len() as u64);
        }
    }
    for cat in 0..N_SECTIONS as u8 {
        for s in enc.strings.section(cat) {
            body.raw(s.as_bytes());
        }
    }
    // A continuation chunk has no keyframe fields: its events are all its columns hold.
    if keyframe {
        body.uv(counts.keyframe_events);
    }
    body.uv(counts.events);
    if keyframe {
        for n in counts.keyframe_strings {
            body.uv(u64::from(n));
        }
    }
    // Column lengths (keyframe's, then the events'), then the columns.
    let cols = enc.cols.all();
    let split = |i: usize, c: &Buf| {
        let k = counts.keyframe_cols.get(i).copied().unwrap_or(0);
        debug_assert!(k <= c.bytes.len(), "keyframe column longer than its column");
        if keyframe { k.min(c.bytes.len()) } else { 0 }
    };
    if keyframe {
        for (i, c) in cols.iter().enumerate() {
            body.uv(split(i, c) as u64);
        }
    }
    for (i, c) in cols.iter().enumerate() {
        body.uv((c.bytes.len() - split(i, c)) as u64);
    }
    for (i, c) in cols.iter().enumerate() {
        body.raw(c.bytes.get(..split(i, c)).unwrap_or_default());
    }
    for (i, c) in cols.iter().enumerate() {
        body.raw(c.bytes.get(split(i, c)..).unwrap_or_default());
    }
    if direct {
        std::mem::swap(&mut body.bytes, out);
    } else if let Some(q) = compress {
        compress_into(&body.bytes, q, out, payload_start, kind_flag);
    }
    let payload = out.get(payload_start..).unwrap_or_default();
    let mut head = [0u8; 8];
    let (len, crc) = head.split_at_mut(4);
    len.copy_from_slice(&(payload.len() as u32).to_le_bytes());
    crc.copy_from_slice(&crc32fast::hash(payload).to_le_bytes());
    if let Some(h) = out.get_mut(start + 4..payload_start) {
        h.copy_from_slice(&head);
    }
    frame_hash(out.get(start..).unwrap_or_default())
}

/// Appends the brotli stream of `body` to `out`, whose payload starts at `payload_start`
/// (with its flag byte already written); should that fail, the payload is rewritten
/// uncompressed, its flag byte `kind_flag`.
#[cfg(feature = "compress")]
fn compress_into(
    body: &[u8],
    quality: u32,
    out: &mut Vec<u8>,
    payload_start: usize,
    kind_flag: u8,
) {
    let params = brotli::enc::BrotliEncoderParams {
        quality: quality.min(11) as i32,
        // A window that holds the whole body, at least 128 KiB: below that, qualities 5
        // to 8 switch to hashers whose fixed tables cost more to clear than a small
        // chunk costs to compress (measured: 9x slower for the same size).
        lgwin: (usize::BITS - body.len().max(1024).leading_zeros()).clamp(17, 24) as i32,
        size_hint: body.len(),
        ..Default::default()
    };
    let mut input = body;
    if brotli::BrotliCompress(&mut input, out, &params).is_err() {
        // Cannot fail writing to a Vec; keep the chunk readable all the same.
        out.truncate(payload_start);
        out.push(kind_flag);
        out.extend_from_slice(body);
    }
}

#[cfg(not(feature = "compress"))]
fn compress_into(
    body: &[u8],
    _quality: u32,
    out: &mut Vec<u8>,
    payload_start: usize,
    kind_flag: u8,
) {
    // Without the feature the encoder never asks for compression; stay readable.
    out.truncate(payload_start);
    out.push(kind_flag);
    out.extend_from_slice(body);
}

#[cfg(feature = "compress")]
fn decompress(data: &[u8], limit: usize, chunk: usize) -> Result<Vec<u8>, CodecError> {
    use std::io::Read;
    // Room for a typical ratio up front (bounded by the bytes that exist and by the
    // limit), so the output is not grown and copied again and again.
    let mut out = Vec::with_capacity(data.len().saturating_mul(6).min(limit) + 1);
    let reader = brotli::Decompressor::new(data, data.len().clamp(4096, 1 << 16));
    let read = reader.take(limit as u64 + 1).read_to_end(&mut out);
    if read.is_err() {
        return Err(CodecError::Malformed {
            chunk,
            offset: 0,
            what: "compressed data is corrupt",
        });
    }
    if out.len() > limit {
        return Err(CodecError::LimitExceeded {
            chunk,
            what: "decompressed chunk size",
            limit,
        });
    }
    Ok(out)
}

#[cfg(not(feature = "compress"))]
fn decompress(_data: &[u8], _limit: usize, chunk: usize) -> Result<Vec<u8>, CodecError> {
    Err(CodecError::CompressionUnavailable { chunk })
}

/// A chunk body as read.
struct ParsedBody {
    index: u64,
    prev_hash: [u8; 32],
    kind: ChunkKind,
    continuity: Continuity,
    keyframe: Vec<Event>,
    events: Vec<Event>,
}

/// How a reader reads a chunk.
pub(crate) struct Reading<'a> {
    pub(crate) limits: &'a Limits,
    /// The stream's format version (from its header).
    pub(crate) version: u8,
    pub(crate) keyframes: KeyframeDecoding,
    /// The index the reader expects next, `None` after a gap (see [`Continuity::of`]).
    pub(crate) expect: Option<u64>,
}

/// Reads a chunk body (see "Chunk body" in FORMAT.md); `flag` is its payload flag byte.
/// Errors carry chunk 0; the caller names the chunk.
fn parse_body(body: &[u8], flag: u8, reading: &Reading<'_>) -> Result<ParsedBody, CodecError> {
    let limits = reading.limits;
    let bad = |offset: usize, what: &'static str| CodecError::Malformed {
        chunk: 0,
        offset,
        what,
    };
    // Version 1 has no flag: every body has the keyframe fields, and its kind is told
    // below from its keyframe's event count.
    let flagged = (reading.version >= 2).then_some(if flag & PAYLOAD_KEYFRAME != 0 {
        ChunkKind::Keyframe
    } else {
        ChunkKind::Continuation
    });
    let has_keyframe_fields = flagged != Some(ChunkKind::Continuation);
    let mut rd = Rd::new(body);
    let index = rd.uv()?;
    let mut prev_hash = [0u8; 32];
    prev_hash.copy_from_slice(rd.take(32)?);
    let base_ts = rd.iv()?;
    // The string table. Each string takes at least its one-byte length.
    let mut counts = [0usize; N_SECTIONS];
    for c in &mut counts {
        *c = rd.count(1, limits.chunk_bytes)?;
    }
    let n_strings = counts.iter().sum::<usize>();
    if n_strings > rd.left() {
        return Err(bad(rd.pos, "string count beyond the end of the chunk"));
    }
    // Every string is used by some event, and a chunk holds at most `nodes`-many of
    // anything: this bounds the table's bookkeeping (24 bytes a string) well below
    // what a body of empty strings could claim.
    if n_strings > limits.nodes {
        return Err(CodecError::LimitExceeded {
            chunk: 0,
            what: "strings in a chunk",
            limit: limits.nodes,
        });
    }
    let mut lens = Vec::with_capacity(counts.iter().sum());
    for _ in 0..counts.iter().sum::<usize>() {
        let n = usize::try_from(rd.uv()?).unwrap_or(usize::MAX);
        if n > limits.string_len {
            return Err(CodecError::LimitExceeded {
                chunk: 0,
                what: "string length",
                limit: limits.string_len,
            });
        }
        lens.push(n);
    }
    // All strings' bytes are checked as UTF-8 in one pass; each string is then a slice
    // of them that must start and end on character boundaries (so it is UTF-8 too).
    let at = rd.pos;
    let total = lens.iter().try_fold(0usize, |a, &l| a.checked_add(l));
    let all = rd.take(total.unwrap_or(usize::MAX))?;
    let all = std::str::from_utf8(all).map_err(|_| bad(at, "string is not UTF-8"))?;
    let mut table: [Vec<&str>; N_SECTIONS] = Default::default();
    let mut lens = lens.into_iter();
    let mut start = 0usize;
    for (list, &n) in table.iter_mut().zip(&counts) {
        list.reserve(n);
        for len in lens.by_ref().take(n) {
            let end = start + len;
            let s = all
                .get(start..end)
                .ok_or_else(|| bad(at + start, "string is not UTF-8"))?;
            list.push(s);
            start = end;
        }
    }
    let n_key = if has_keyframe_fields {
        rd.count(2, limits.events_per_chunk)?
    } else {
        0
    };
    let n_events = rd.count(2, limits.events_per_chunk)?;
    if n_key.saturating_add(n_events) > limits.events_per_chunk {
        return Err(CodecError::LimitExceeded {
            chunk: 0,
            what: "events per chunk",
            limit: limits.events_per_chunk,
        });
    }
    let mut key_strings = [0usize; N_SECTIONS];
    if has_keyframe_fields {
        for (k, &n) in key_strings.iter_mut().zip(&counts) {
            let at = rd.pos;
            *k = usize::try_from(rd.uv()?).unwrap_or(usize::MAX);
            if *k > n {
                return Err(bad(at, "keyframe string count beyond the table"));
            }
        }
    }
    // A version 1 chunk other than the first with an empty keyframe may continue the one
    // before it (the writer had keyframes off) or start from an empty page: taken as a
    // continuation, the safe reading.
    let kind = flagged.unwrap_or(if index == 0 || n_key > 0 {
        ChunkKind::Keyframe
    } else {
        ChunkKind::Continuation
    });
    let continuity = Continuity::of(kind, index, reading.expect);
    // A reader in order steps over keyframes, except where it resumes after a gap.
    let keyframes =
        reading.keyframes == KeyframeDecoding::Decode || continuity == Continuity::Resumed;
    // Column lengths, then readers over each column (positions stay body offsets). A
    // continuation chunk's keyframe columns are empty, their lengths not written.
    let mut lens = [0usize; 2 * N_COLS];
    let skip = if has_keyframe_fields { 0 } else { N_COLS };
    for l in lens.iter_mut().skip(skip) {
        *l = rd.count(0, body.len())?;
    }
    if lens.iter().sum::<usize>() != rd.left() {
        return Err(bad(rd.pos, "column lengths do not match the chunk"));
    }
    let mut at = rd.pos;
    let mut spans = lens.iter().map(|&l| {
        let r = Rd::span(body, at, at + l);
        at += l;
        r
    });
    let mut section = || ColReaders::in_wire_order(|| spans.next());
    let (Some(key_cols), Some(event_cols)) = (section(), section()) else {
        return Err(bad(rd.pos, "column lengths do not match the chunk"));
    };
    let mut keyframe = Vec::new();
    let mut out_bytes = 0;
    if keyframes {
        let mut dec = Dec {
            cols: key_cols,
            table: &table,
            seen: [0; N_SECTIONS],
            out_bytes: 0,
            ctx: Ctx::new(base_ts),
            limits,
        };
        keyframe.reserve(n_key.min(4096));
        for _ in 0..n_key {
            keyframe.push(dec.event()?);
        }
        if let Some(pos) = dec.cols.leftover() {
            return Err(bad(pos, "keyframe columns do not match its events"));
        }
        if dec.seen != key_strings {
            return Err(bad(dec.cols.op.pos, "keyframe string count does not match"));
        }
        out_bytes = dec.out_bytes;
    }
    // The chunk's own events start from a fresh coding state, after the strings the
    // keyframe introduced.
    let mut dec = Dec {
        cols: event_cols,
        table: &table,
        seen: key_strings,
        out_bytes,
        ctx: Ctx::new(base_ts),
        limits,
    };
    let mut events = Vec::with_capacity(n_events.min(1 << 16));
    for _ in 0..n_events {
        events.push(dec.event()?);
    }
    if let Some(pos) = dec.cols.leftover() {
        return Err(bad(pos, "trailing bytes after the last event"));
    }
    if dec.seen != counts {
        return Err(bad(
            dec.cols.op.pos,
            "strings in the table that no event uses",
        ));
    }
    Ok(ParsedBody {
        index,
        prev_hash,
        kind,
        continuity,
        keyframe,
        events,
    })
}

/// Decodes a frame's payload (CRC already checked).
pub(crate) fn decode_payload(
    payload: &[u8],
    reading: &Reading<'_>,
    chunk: usize,
    offset: usize,
    hash: [u8; 32],
) -> Result<DecodedChunk, CodecError> {
    let (&flag, rest) = payload.split_first().ok_or(CodecError::Malformed {
        chunk,
        offset,
        what: "empty chunk",
    })?;
    let known = if reading.version >= 2 {
        PAYLOAD_COMPRESSED | PAYLOAD_KEYFRAME
    } else {
        PAYLOAD_COMPRESSED
    };
    if flag & !known != 0 {
        return Err(CodecError::Malformed {
            chunk,
            offset,
            what: "unknown chunk flags",
        });
    }
    let owned;
    let body: &[u8] = if flag & PAYLOAD_COMPRESSED != 0 {
        owned = decompress(rest, reading.limits.chunk_bytes, chunk)?;
        &owned
    } else {
        rest
    };
    let b = parse_body(body, flag, reading).map_err(|e| e.in_chunk(chunk))?;
    Ok(DecodedChunk {
        index: b.index,
        prev_hash: b.prev_hash,
        hash,
        kind: b.kind,
        continuity: b.continuity,
        keyframe: b.keyframe,
        events: b.events,
        offset,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keyframe column lengths or string counts that do not match the keyframe's events
    /// make a malformed chunk, whether the keyframe is decoded or stepped over.
    #[test]
    fn keyframe_lengths_are_checked() {
        let events = crate::rrweb::read(
            br#"[{"type":4,"data":{"href":"https://a.test/","width":800,"height":600},"timestamp":5},
                 {"type":3,"data":{"source":3,"id":1,"x":0,"y":9},"timestamp":6}]"#, &Limits::DEFAULT
        )
        .unwrap();
        let mut enc = Enc {
            ctx: Ctx::new(5),
            ..Enc::default()
        };
        enc.event(events.first().unwrap());
        let right = FrameCounts {
            keyframe_events: 1,
            events: 1,
            keyframe_strings: enc.strings.counts(),
            keyframe_cols: enc.cols.lens(),
        };
        enc.ctx = Ctx::new(5);
        enc.event(events.get(1).unwrap());
        let mut cases = vec![(right, true)];
        for i in 0..N_COLS {
            for delta in [-1i64, 1] {
                let mut c = right;
                let k = c.keyframe_cols[i] as i64 + delta;
                let len = enc.cols.lens()[i] as i64;
                if (0..=len).contains(&k) {
                    c.keyframe_cols[i] = k as usize;
                    cases.push((c, false));
                }
            }
        }
        for i in 0..N_SECTIONS {
            let mut c = right;
            c.keyframe_strings[i] ^= 1;
            cases.push((c, false));
        }
        assert!(cases.len() > 10, "{}", cases.len());
        for (counts, ok) in cases {
            let mut frame = Vec::new();
            let parts = FrameParts {
                index: 0,
                kind: ChunkKind::Keyframe,
                prev_hash: &[0; 32],
                base_ts: 5,
                counts,
                enc: &enc,
                compress: None,
            };
            build_frame(&mut frame, &mut Buf::default(), parts);
            let payload = frame.get(FRAME_HEAD..).unwrap();
            for keyframes in [KeyframeDecoding::Decode, KeyframeDecoding::Skip] {
                let r = decode_payload(payload, &reading(keyframes, Some(0)), 0, 0, [0; 32]);
                assert_eq!(r.is_ok(), ok, "{counts:?}, keyframes {keyframes:?}: {r:?}");
                if let Ok(c) = r {
                    assert_eq!(c.events, events.get(1..).unwrap());
                    let decoded = keyframes == KeyframeDecoding::Decode;
                    assert_eq!(c.keyframe.len(), usize::from(decoded));
                }
            }
        }
    }

    fn reading(keyframes: KeyframeDecoding, expect: Option<u64>) -> Reading<'static> {
        Reading {
            limits: &Limits::DEFAULT,
            version: FORMAT_VERSION,
            keyframes,
            expect,
        }
    }

    /// The keyframe flag round-trips, compressed or not; a continuation chunk's body has
    /// no keyframe fields; a keyframe chunk's keyframe is decoded when the reader resumes
    /// after a gap even if it steps over keyframes otherwise.
    #[test]
    fn the_chunk_kind_round_trips() {
        let events = crate::rrweb::read(
            br#"[{"type":4,"data":{"href":"https://a.test/","width":800,"height":600},"timestamp":5},
                 {"type":3,"data":{"source":3,"id":1,"x":0,"y":9},"timestamp":6}]"#, &Limits::DEFAULT
        )
        .unwrap();
        let frame = |kind: ChunkKind, compress: Option<u32>| {
            let mut enc = Enc {
                ctx: Ctx::new(5),
                ..Enc::default()
            };
            let mut counts = FrameCounts::default();
            if kind == ChunkKind::Keyframe {
                enc.event(events.first().unwrap());
                counts.keyframe_events = 1;
                counts.keyframe_strings = enc.strings.counts();
                counts.keyframe_cols = enc.cols.lens();
                enc.ctx = Ctx::new(5);
            }
            enc.event(events.get(1).unwrap());
            counts.events = 1;
            let mut frame = Vec::new();
            let parts = FrameParts {
                index: 3,
                kind,
                prev_hash: &[7; 32],
                base_ts: 5,
                counts,
                enc: &enc,
                compress,
            };
            build_frame(&mut frame, &mut Buf::default(), parts);
            frame
        };
        let compressions = if cfg!(feature = "compress") {
            vec![None, Some(5)]
        } else {
            vec![None]
        };
        for compress in compressions {
            let key = frame(ChunkKind::Keyframe, compress);
            let cont = frame(ChunkKind::Continuation, compress);
            if compress.is_none() {
                // The flag byte; the continuation's body lacks n_keyframe, 3 keyframe
                // string counts and 6 keyframe column lengths, as well as the keyframe.
                assert_eq!(key[FRAME_HEAD], PAYLOAD_KEYFRAME);
                assert_eq!(cont[FRAME_HEAD], 0);
                assert!(key.len() > cont.len() + 10, "{} {}", key.len(), cont.len());
            }
            for (bytes, kind) in [
                (&key, ChunkKind::Keyframe),
                (&cont, ChunkKind::Continuation),
            ] {
                let payload = bytes.get(FRAME_HEAD..).unwrap();
                for (expect, mode, continuity, keyframe_len) in [
                    (Some(3), KeyframeDecoding::Skip, Continuity::Unbroken, 0),
                    (Some(3), KeyframeDecoding::Decode, Continuity::Unbroken, 1),
                    (None, KeyframeDecoding::Skip, Continuity::Resumed, 1),
                    (Some(2), KeyframeDecoding::Skip, Continuity::Resumed, 1),
                ] {
                    let c = decode_payload(payload, &reading(mode, expect), 0, 0, [0; 32]).unwrap();
                    assert_eq!((c.index, c.prev_hash, c.kind), (3, [7; 32], kind));
                    assert_eq!(c.is_keyframe(), kind == ChunkKind::Keyframe);
                    assert_eq!(c.events, events.get(1..).unwrap());
                    if kind == ChunkKind::Keyframe {
                        assert_eq!(c.continuity, continuity, "{expect:?} {mode:?}");
                        assert_eq!(c.keyframe, events.get(..keyframe_len).unwrap());
                    } else {
                        let orphaned = expect != Some(3);
                        assert_eq!(c.continuity == Continuity::Orphaned, orphaned);
                        assert!(c.keyframe.is_empty());
                    }
                }
            }
        }
    }

    /// Version 1 streams have no keyframe flag: a payload flag with bit 1 set is
    /// malformed there, and a chunk's kind is told from its keyframe. Unknown bits are
    /// malformed in both versions.
    #[test]
    fn flags_are_read_by_version() {
        let enc = Enc::default();
        let mut frame = Vec::new();
        let parts = FrameParts {
            index: 1,
            kind: ChunkKind::Keyframe,
            prev_hash: &[0; 32],
            base_ts: 5,
            counts: FrameCounts::default(),
            enc: &enc,
            compress: None,
        };
        build_frame(&mut frame, &mut Buf::default(), parts);
        let mut payload = frame.get(FRAME_HEAD..).unwrap().to_vec();
        let read = |payload: &[u8], version: u8| {
            let r = Reading {
                version,
                ..reading(KeyframeDecoding::Decode, Some(1))
            };
            decode_payload(payload, &r, 0, 0, [0; 32])
        };
        assert_eq!(read(&payload, 2).unwrap().kind, ChunkKind::Keyframe);
        assert!(read(&payload, 1).is_err(), "bit 1 in version 1");
        // Without the flag, the same body read as version 1: a chunk after the first
        // with no keyframe events is a continuation.
        payload[0] = 0;
        assert_eq!(read(&payload, 1).unwrap().kind, ChunkKind::Continuation);
        for bad in [4u8, 8, 128] {
            payload[0] = bad;
            assert!(read(&payload, 1).is_err() && read(&payload, 2).is_err());
        }
    }
}
