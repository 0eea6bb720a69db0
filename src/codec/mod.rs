//! The binary format v2 (reads v1 too): compact, versioned, checksummed, streamable.
//!
//! This module owns the bytes: the file header, chunk framing (magic, length, CRC32),
//! the SHA-256 chain between chunks, each chunk's string table, keyframe and delta-coded
//! events (split into columns by kind of field), the optional brotli stage, and the
//! sans-IO [`Encoder`] and [`Decoder`]. The format is specified in `docs/FORMAT.md`.
//!
//! ## Guide
//!
//! - **Writing.** [`Encoder::push`] each event, drain [`Encoder::poll_chunk`] as chunks
//!   close, and [`Encoder::finish`] at the end. Appended in order, the chunks are the
//!   stream; [`encode`] does it all for a whole recording. A chunk closes when the
//!   keyframe cadence is due (every 30 s, 1,000 events or 1 MiB of body by default:
//!   [`EncoderConfig::with_keyframe_every`]), and the next opens with a keyframe; or
//!   when the host calls [`Encoder::flush`] (a server making each batch durable), and
//!   the next is a small continuation chunk, with no keyframe. The cadence counts across
//!   flushes, so flushing moves no keyframe.
//! - **Reading.** [`Decoder::push`] bytes split anywhere, drain [`Decoder::poll_chunk`]:
//!   each intact chunk, or an error naming the damaged one, after which decoding goes on
//!   at the next chunk. [`decode`] does it all and returns [`crate::Recovered`].
//!   A reader going through a stream in order has no use for keyframes:
//!   [`KeyframeDecoding::Skip`] steps over their bytes. A reader that starts in the
//!   middle starts at a keyframe chunk ([`DecodedChunk::is_keyframe`]).
//! - **Damage.** A damaged or missing chunk loses its own events, and also the
//!   continuation chunks after it up to the next keyframe chunk, whose events continue a
//!   page state that is gone: the decoder marks them [`Continuity::Orphaned`] (and
//!   [`decode`] leaves them out, reporting [`CodecError::Orphaned`] with the time they
//!   span), then resumes with the next keyframe ([`Continuity::Resumed`]).
//! - **Auditing.** [`verify`] checks every CRC and the SHA-256 chain, so a deleted,
//!   reordered or edited chunk shows.
//!
//! ## Layout, and why
//!
//! Each chunk carries its length and CRC32, a flag saying whether it carries a keyframe,
//! the SHA-256 of the chunk before it, a string table, the keyframe if any (the replayed
//! page state at its start, as events, so a reader can start there and damage costs only
//! the events up to the next one) and the chunk's events. Each chunk's coding state and
//! string table start afresh, so every intact chunk decodes on its own, and an encoder
//! carries nothing from chunk to chunk but the page state, the chain and the cadence.
//! (That costs a flushing server: with a flush every 50 events, 1.6x the bytes of no
//! flush on the corpus, mostly brotli starting each small chunk with no context; see
//! `BENCHMARKS.md`.) Events are
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

pub(crate) mod assets;
mod body;
mod chunk;
mod compress;
mod decoder;
mod encoder;
mod frame;
mod varint;
mod wire;

pub use assets::{Asset, AssetHash, AssetMode, AssetSource};
pub use chunk::{ChainLink, ChunkKind, Continuity, DecodedChunk};
pub use decoder::{
    Decoder, KeyframeDecoding, VerifyReport, assets_needed, decode, decode_with_assets, verify,
};
pub use encoder::{Compression, Encoder, EncoderConfig, Keyframes, encode};
pub use frame::{CHUNK_MAGIC, FILE_MAGIC, FORMAT_VERSION, HEADER_LEN};

pub use crate::error::CodecError;
