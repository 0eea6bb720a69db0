//! The binary format v1: compact, versioned, checksummed, streamable.
//!
//! This module owns the bytes: the file header, chunk framing (magic, length, CRC32),
//! the SHA-256 chain between chunks, each chunk's string table, keyframe and delta-coded
//! events (split into columns by kind of field), the optional brotli stage, and the
//! sans-IO [`Encoder`] and [`Decoder`]. The format is specified in `docs/FORMAT.md`.
//!
//! ## Guide
//!
//! - **Writing.** [`Encoder::push`] each event, drain [`Encoder::poll_chunk`] as chunks
//!   close (every 30 s, 1,000 events or 1 MiB of body by default:
//!   [`EncoderConfig::with_chunk_every`]), and [`Encoder::finish`] at the end. Appended
//!   in order, the chunks are the stream; [`encode`] does it all for a whole recording.
//! - **Reading.** [`Decoder::push`] bytes split anywhere, drain [`Decoder::poll_chunk`]:
//!   each intact chunk, or an error naming the damaged one, after which decoding goes on
//!   at the next chunk. [`decode`] does it all and returns [`crate::Recovered`].
//!   A reader going through a stream in order has no use for keyframes:
//!   [`KeyframeDecoding::Skip`] steps over their bytes.
//! - **Auditing.** [`verify`] checks every CRC and the SHA-256 chain, so a deleted,
//!   reordered or edited chunk shows.
//!
//! ## Layout, and why
//!
//! Each chunk carries its length and CRC32, the SHA-256 of the chunk before it, a string
//! table, a keyframe (the replayed page state at its start, as events, so a reader can
//! start at any chunk and damage costs only that chunk) and the chunk's events. Events are
//! not written one after another: each field goes to one of six columns (structure,
//! timestamps, node ids, numbers, string references, inline text), so the compressor sees
//! like next to like. Timestamps and pointer coordinates are deltas; node ids are coded
//! against a prediction by their role (a new node against the last one plus one, an
//! add's parent against the last parent, its sibling against the last node, removed
//! nodes and other targets against their own last value); input values are an edit of
//! the field's previous value. The string table holds each distinct string once, in three
//! sections (names, values, text), lengths before bytes; a string's first use costs one
//! byte. Events the compact forms cannot carry exactly travel as rrweb JSON, so JSON ->
//! binary -> JSON is lossless on every corpus stream and fixture. Compression is brotli
//! (pure Rust, default-on feature `compress`; it beats deflate on this text-heavy data
//! and decodes fast), with the window sized to the chunk: [`Compression::DEFAULT`] is
//! quality 6, [`EncoderConfig::archival`] quality 10.
//!
//! Decoding is bounded: every length is checked against the bytes left and against
//! [`crate::Limits`] (chunk size, events per chunk, decoded text) before anything is
//! allocated. Sizes and speeds against gzip and zstd are in `BENCHMARKS.md`.
//!
//! The encoding and decoding of each kind of event sit side by side in `wire/`, one
//! `WireCodec` implementation per kind (as rustls's `Codec`).

mod decoder;
mod encoder;
mod frame;
mod varint;
mod wire;

pub use decoder::{DecodedChunk, Decoder, KeyframeDecoding, VerifyReport, decode, verify};
pub use encoder::{Compression, Encoder, EncoderConfig, Keyframes, encode};
pub use frame::{CHUNK_MAGIC, FILE_MAGIC, FORMAT_VERSION, HEADER_LEN};

pub use crate::error::CodecError;
