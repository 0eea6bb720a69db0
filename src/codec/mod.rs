//! The binary format v1: compact, versioned, checksummed, streamable.
//!
//! This module owns the bytes: the file header, chunk framing (magic, length, CRC32),
//! the SHA-256 chain between chunks, each chunk's string table, keyframe and delta-coded
//! events (split into columns by kind of field), the optional brotli stage, and the
//! sans-IO [`Encoder`] and [`Decoder`]. Every
//! chunk opens with a keyframe (the replayed page state at its start, as events), so a
//! reader can start at any chunk; a damaged or truncated stream yields every intact
//! chunk plus an error naming the damaged one. Decoding is bounded: every length is
//! checked against the bytes left and against [`crate::Limits`] before anything is
//! allocated. The format is specified in `docs/FORMAT.md`.

mod decoder;
mod encoder;
mod frame;
mod varint;
mod wire;

pub use decoder::{DecodedChunk, Decoder, DecoderOutput, VerifyReport, decode, verify};
pub use encoder::{Encoder, EncoderConfig, encode};
pub use frame::{CHUNK_MAGIC, FILE_MAGIC, FORMAT_VERSION, HEADER_LEN};

use thiserror::Error;

/// An error in encoded bytes, naming the chunk (its index in the stream, counting
/// damaged ones) and where.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CodecError {
    /// The file does not start with the format's magic.
    #[error("not a session-replay stream (bad magic)")]
    BadMagic,
    /// A version this decoder does not know.
    #[error("format version {0} is not supported (this decoder reads version 1)")]
    UnsupportedVersion(u8),
    /// A chunk's frame or content is broken.
    #[error("chunk {chunk}: malformed at byte {offset}: {what}")]
    Malformed {
        /// The chunk.
        chunk: usize,
        /// Byte offset (in the stream for framing errors, in the chunk body otherwise).
        offset: usize,
        /// What is wrong.
        what: &'static str,
    },
    /// A chunk's CRC32 does not match its bytes.
    #[error("chunk {chunk} at byte {offset}: checksum mismatch")]
    Checksum {
        /// The chunk.
        chunk: usize,
        /// Its offset in the stream.
        offset: usize,
    },
    /// The stream ends inside a chunk.
    #[error("chunk {chunk} at byte {offset}: truncated ({missing} more bytes expected)")]
    Truncated {
        /// The chunk.
        chunk: usize,
        /// Its offset in the stream.
        offset: usize,
        /// Bytes missing, if known.
        missing: usize,
    },
    /// A limit was exceeded.
    #[error("chunk {chunk}: {what} exceeds the limit of {limit}")]
    LimitExceeded {
        /// The chunk.
        chunk: usize,
        /// Which limit.
        what: &'static str,
        /// Its value.
        limit: usize,
    },
    /// The chunk is compressed but this build has no compression support.
    #[error("chunk {chunk} is compressed; build with the `compress` feature to read it")]
    CompressionUnavailable {
        /// The chunk.
        chunk: usize,
    },
}

impl CodecError {
    pub(crate) fn in_chunk(self, chunk: usize) -> Self {
        match self {
            CodecError::Malformed { offset, what, .. } => CodecError::Malformed {
                chunk,
                offset,
                what,
            },
            CodecError::LimitExceeded { what, limit, .. } => {
                CodecError::LimitExceeded { chunk, what, limit }
            }
            other => other,
        }
    }

    /// The chunk the error is about, if any.
    pub fn chunk(&self) -> Option<usize> {
        match self {
            CodecError::Malformed { chunk, .. }
            | CodecError::Checksum { chunk, .. }
            | CodecError::Truncated { chunk, .. }
            | CodecError::LimitExceeded { chunk, .. }
            | CodecError::CompressionUnavailable { chunk } => Some(*chunk),
            CodecError::BadMagic | CodecError::UnsupportedVersion(_) => None,
        }
    }
}
