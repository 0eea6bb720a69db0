//! File header, chunk frames, chunk bodies, compression.

use bincode::{Decode, Encode};
use sha2::{Digest, Sha256};

use super::CodecError;
use super::varint::{Buf, Rd};
use super::wire::{Ctx, Dec, Enc};
use crate::limits::Limits;
use crate::model::Event;

/// The file magic.
pub const FILE_MAGIC: [u8; 4] = *b"SRPL";
/// The chunk magic, which also lets a reader find the next chunk after damage.
pub const CHUNK_MAGIC: [u8; 4] = *b"SRCK";
/// The format version this crate writes and reads.
pub const FORMAT_VERSION: u8 = 1;
/// Bytes in the file header.
pub const HEADER_LEN: usize = 8;
/// Bytes in a chunk frame before its payload: magic, length, CRC32.
pub(crate) const FRAME_HEAD: usize = 12;

/// Header flag: chunks may be compressed.
pub(crate) const FLAG_COMPRESSED: u8 = 1;

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
    if h.version != FORMAT_VERSION {
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

/// What a chunk body counts: keyframe events, recorded events, keyframe bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FrameCounts {
    pub(crate) keyframe_events: u64,
    pub(crate) events: u64,
    pub(crate) keyframe_bytes: u64,
}

/// Builds a chunk's frame from its parts.
pub(crate) fn build_frame(
    index: u64,
    prev_hash: &[u8; 32],
    base_ts: i64,
    counts: FrameCounts,
    enc: &Enc,
    compress: Option<u32>,
) -> Vec<u8> {
    let mut body = Buf::default();
    body.uv(index);
    body.raw(prev_hash);
    body.iv(base_ts);
    body.uv(enc.strings.list.len() as u64);
    for s in &enc.strings.list {
        body.str(s);
    }
    body.uv(counts.keyframe_events);
    body.uv(counts.events);
    body.uv(counts.keyframe_bytes);
    body.raw(&enc.buf.bytes);
    let mut payload = Vec::with_capacity(body.bytes.len() / 2 + 1);
    match compress {
        Some(q) => {
            payload.push(1);
            compress_into(&body.bytes, q, &mut payload);
        }
        None => {
            payload.push(0);
            payload.extend_from_slice(&body.bytes);
        }
    }
    let mut frame = Vec::with_capacity(FRAME_HEAD + payload.len());
    frame.extend_from_slice(&CHUNK_MAGIC);
    frame.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    frame.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    frame.extend_from_slice(&payload);
    frame
}

#[cfg(feature = "compress")]
fn compress_into(body: &[u8], quality: u32, out: &mut Vec<u8>) {
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
        out.truncate(0);
        out.push(0);
        out.extend_from_slice(body);
    }
}

#[cfg(not(feature = "compress"))]
fn compress_into(body: &[u8], _quality: u32, out: &mut Vec<u8>) {
    // Without the feature the encoder never asks for compression; stay readable.
    out.truncate(0);
    out.push(0);
    out.extend_from_slice(body);
}

#[cfg(feature = "compress")]
fn decompress(data: &[u8], limit: usize, chunk: usize) -> Result<Vec<u8>, CodecError> {
    use std::io::Read;
    let mut out = Vec::new();
    let reader = brotli::Decompressor::new(data, 4096);
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

/// A chunk as decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedChunk {
    /// The index the chunk records (0, 1, 2, ...).
    pub index: u64,
    /// The SHA-256 of the previous chunk, as this chunk records it.
    pub prev_hash: [u8; 32],
    /// The SHA-256 of this chunk's frame.
    pub hash: [u8; 32],
    /// The page state at the chunk's start, as events that rebuild it (empty for a
    /// chunk that starts before any snapshot). Replay it, then [`DecodedChunk::events`],
    /// to start reading at this chunk.
    pub keyframe: Vec<Event>,
    /// The recorded events of this chunk.
    pub events: Vec<Event>,
    /// Where the frame starts in the stream.
    pub offset: usize,
}

/// Decodes a frame's payload (CRC already checked).
pub(crate) fn decode_payload(
    payload: &[u8],
    limits: &Limits,
    chunk: usize,
    offset: usize,
    hash: [u8; 32],
    keyframes: bool,
) -> Result<DecodedChunk, CodecError> {
    let (&flag, rest) = payload.split_first().ok_or(CodecError::Malformed {
        chunk,
        offset,
        what: "empty chunk",
    })?;
    let owned;
    let body: &[u8] = match flag {
        0 => rest,
        1 => {
            owned = decompress(rest, limits.chunk_bytes, chunk)?;
            &owned
        }
        _ => {
            return Err(CodecError::Malformed {
                chunk,
                offset,
                what: "unknown chunk flags",
            });
        }
    };
    let mut rd = Rd::new(body);
    let index = rd.uv().map_err(|e| e.in_chunk(chunk))?;
    let mut prev_hash = [0u8; 32];
    prev_hash.copy_from_slice(rd.take(32).map_err(|e| e.in_chunk(chunk))?);
    let base_ts = rd.iv().map_err(|e| e.in_chunk(chunk))?;
    let n_strings = rd
        .count(1, limits.chunk_bytes)
        .map_err(|e| e.in_chunk(chunk))?;
    let mut strings = Vec::with_capacity(n_strings.min(1 << 16));
    for _ in 0..n_strings {
        strings.push(rd.str(limits.string_len).map_err(|e| e.in_chunk(chunk))?);
    }
    let n_key = rd
        .count(2, limits.events_per_chunk)
        .map_err(|e| e.in_chunk(chunk))?;
    let n_events = rd
        .count(2, limits.events_per_chunk)
        .map_err(|e| e.in_chunk(chunk))?;
    if n_key.saturating_add(n_events) > limits.events_per_chunk {
        return Err(CodecError::LimitExceeded {
            chunk,
            what: "events per chunk",
            limit: limits.events_per_chunk,
        });
    }
    let key_len = rd.count(1, body.len()).map_err(|e| e.in_chunk(chunk))?;
    let key_start = rd.pos;
    let mut dec = Dec {
        rd,
        strings: &strings,
        ctx: Ctx::new(base_ts),
        limits,
    };
    let mut keyframe = Vec::new();
    if keyframes {
        keyframe.reserve(n_key.min(4096));
        for _ in 0..n_key {
            keyframe.push(dec.event().map_err(|e| e.in_chunk(chunk))?);
        }
        if dec.rd.pos - key_start != key_len {
            return Err(CodecError::Malformed {
                chunk,
                offset: dec.rd.pos,
                what: "keyframe length does not match its events",
            });
        }
    } else {
        dec.rd.take(key_len).map_err(|e| e.in_chunk(chunk))?;
    }
    // The chunk's own events start from a fresh coding state.
    dec.ctx = Ctx::new(base_ts);
    let mut events = Vec::with_capacity(n_events.min(1 << 16));
    for _ in 0..n_events {
        events.push(dec.event().map_err(|e| e.in_chunk(chunk))?);
    }
    if dec.rd.left() != 0 {
        return Err(CodecError::Malformed {
            chunk,
            offset: dec.rd.pos,
            what: "trailing bytes after the last event",
        });
    }
    Ok(DecodedChunk {
        index,
        prev_hash,
        hash,
        keyframe,
        events,
        offset,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A keyframe length that does not match the keyframe's events is a malformed chunk
    /// when the keyframe is decoded, and (stepping over the wrong number of bytes) when
    /// it is not.
    #[test]
    fn keyframe_length_is_checked() {
        let events = crate::rrweb::read(
            br#"[{"type":4,"data":{"href":"https://a.test/","width":800,"height":600},"timestamp":5},
                 {"type":3,"data":{"source":3,"id":1,"x":0,"y":9},"timestamp":6}]"#,
        )
        .unwrap();
        let mut enc = Enc {
            ctx: Ctx::new(5),
            ..Enc::default()
        };
        let first = events.first().unwrap();
        enc.event(first);
        let key_len = enc.buf.bytes.len() as u64;
        enc.ctx = Ctx::new(5);
        enc.event(events.get(1).unwrap());
        for (claimed, ok) in [(key_len, true), (key_len + 1, false), (key_len - 1, false)] {
            let counts = FrameCounts {
                keyframe_events: 1,
                events: 1,
                keyframe_bytes: claimed,
            };
            let frame = build_frame(0, &[0; 32], 5, counts, &enc, None);
            let payload = frame.get(FRAME_HEAD..).unwrap();
            for keyframes in [true, false] {
                let r = decode_payload(payload, &Limits::DEFAULT, 0, 0, [0; 32], keyframes);
                assert_eq!(
                    r.is_ok(),
                    ok,
                    "claimed {claimed}, keyframes {keyframes}: {r:?}"
                );
                if let Ok(c) = r {
                    assert_eq!(c.events, events.get(1..).unwrap());
                    assert_eq!(c.keyframe.len(), usize::from(keyframes));
                }
            }
        }
    }
}
