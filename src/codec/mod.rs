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

pub use decoder::{DecodedChunk, Decoder, KeyframeDecoding, VerifyReport, decode, verify};
pub use encoder::{Compression, Encoder, EncoderConfig, Keyframes, encode};
pub use frame::{CHUNK_MAGIC, FILE_MAGIC, FORMAT_VERSION, HEADER_LEN};

pub use crate::error::CodecError;
