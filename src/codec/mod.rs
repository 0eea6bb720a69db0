//! The binary format v3: compact, versioned, checksummed, streamable.
//!
//! This module owns the bytes: the file header, chunk framing (magic, length, CRC32),
//! the SHA-256 chain between chunks, segments (a keyframe chunk and the continuation
//! chunks after it) with their string table, coding state and brotli stream, assets
//! stored once per stream, and the sans-IO [`Encoder`] and [`Decoder`]. The format is
//! specified in `docs/FORMAT.md`.
//!
//! ## Guide
//!
//! - **Writing.** [`Encoder::push`] each event, drain [`Encoder::poll_chunk`] as chunks
//!   close, and [`Encoder::finish`] at the end. Appended in order, the chunks are the
//!   stream; [`encode`] does it all for a whole recording. A chunk closes when the chunk
//!   cadence is due (1,000 events, 30 s or 1 MiB by default:
//!   [`EncoderConfig::with_chunk_every`]) or when the host calls [`Encoder::flush`] (a
//!   server making each batch durable).
//! - **Keyframes by cost.** A chunk the cadence opens is a keyframe chunk (the page
//!   state at its start, so a reader can start there) once the segment since the last
//!   one has paid for it: its events take 4 times the keyframe's bytes (at least
//!   256 KiB), or 5 minutes have passed and its events outweigh the keyframe
//!   ([`EncoderConfig::with_keyframe_cost`]). Other
//!   chunks continue the segment. A short session has one keyframe; keyframes stay under
//!   a fifth of a long one.
//! - **Assets.** Values and texts of 512 bytes or more (stylesheets, long texts, `data:`
//!   URLs) are stored once per stream in asset chunks and referred to by number, so
//!   keyframes do not repeat them. With [`AssetMode::External`] they go to the host's
//!   store instead ([`Encoder::poll_asset`]), keyed by SHA-256, and a stream carries only
//!   their hashes: the same stylesheet in a million sessions of a site is stored once.
//!   Read such a stream with [`decode_with_assets`] ([`assets_needed`] lists what to
//!   fetch) or [`Decoder::add_asset`].
//! - **Dictionary.** Every compressed stream starts from a part of the format's
//!   built-in dictionary, a generic page's stylesheets (asset chunks) or keyframe
//!   (segments), unless a primer replaces it: a short session's first keyframe then
//!   refers back into a page it never saw (login 16% smaller, see `dictionary`).
//!   [`EncoderConfig::dictionary`] turns it off.
//! - **Primers.** A host with a store can also keep a stream's first keyframe
//!   ([`Encoder::poll_primer`]) and start later sessions of the same page from it
//!   ([`Encoder::set_primer`]): their compressed streams refer back into it, so a second
//!   session costs about its differences (login: 775 bytes instead of 5,750). A reader
//!   needs the primer ([`primers_needed`], [`Decoder::add_primer`], [`AssetSource::primer`]).
//! - **Reading.** [`Decoder::push`] bytes split anywhere, drain [`Decoder::poll_chunk`]:
//!   each chunk, or an error naming the damaged part, after which decoding goes on.
//!   [`decode`] does it all and returns [`crate::Recovered`]. A reader going through a
//!   stream in order has no use for keyframes: [`KeyframeDecoding::Skip`] steps over
//!   their bytes. A reader that starts in the middle starts at a keyframe chunk
//!   ([`DecodedChunk::is_keyframe`]).
//! - **Damage.** A damaged or missing event chunk loses its events and the rest of its
//!   segment (they continue a page state, string table and compressed stream that are
//!   gone); reading resumes at the next keyframe chunk ([`Continuity::Resumed`]), and
//!   the loss is reported once ([`CodecError::Lost`]) with the times around it. A
//!   damaged asset chunk loses its assets only ([`CodecError::MissingAsset`]).
//! - **Auditing.** [`verify`] checks every CRC and the chain, so a deleted, reordered or
//!   edited chunk shows.
//!
//! ## Layout, and why
//!
//! Events are not written one after another: each field goes to one of six columns
//! (structure, timestamps, node ids, numbers, string references, inline text), so the
//! compressor sees like next to like. Timestamps and pointer coordinates are deltas; node
//! ids are coded against a prediction by their role; input values are an edit of the
//! field's previous value. A segment's string table holds each distinct string once; a
//! string's first use costs one byte. Events the compact forms cannot carry exactly
//! travel as rrweb JSON, so JSON -> binary -> JSON is lossless on every corpus stream and
//! fixture. Compression is brotli (pure Rust, default-on feature `compress`), one stream
//! per segment flushed at each chunk's end: a small chunk costs the end of a meta-block,
//! not a compressor's start-up. [`Compression::DEFAULT`] is quality 6,
//! [`EncoderConfig::archival`] quality 10.
//!
//! Decoding is bounded: every length is checked against the bytes left and against
//! [`crate::Limits`] (chunk size, events per chunk, decoded text, a segment's string
//! table, a stream's assets) before anything is allocated. Sizes and speeds against gzip
//! and zstd are in `BENCHMARKS.md`.
//!
//! Where things are: `frame` (header, frames, plain chunk heads), `body` (an event
//! chunk's body, both ways, and the reader's segment), `assets` (asset chunks, the
//! registry, the store interface), `primer` (primers and the reader's table),
//! `compress` (the brotli streams), `encoder` and `decoder`. The encoding and decoding of each kind of event sit side by side in
//! `wire/`, one `WireCodec` implementation per kind (as rustls's `Codec`).

pub(crate) mod assets;
mod body;
mod chunk;
mod compress;
mod decoder;
mod dictionary;
mod encoder;
mod frame;
mod primer;
mod varint;
mod wire;

pub use assets::{Asset, AssetHash, AssetMode, AssetSource};
pub use chunk::{ChainLink, ChunkKind, Continuity, DecodedChunk};
pub use decoder::{
    Decoder, KeyframeDecoding, VerifyReport, assets_needed, decode, decode_with_assets,
    primers_needed, verify,
};
pub use encoder::{Compression, Encoder, EncoderConfig, Keyframes, encode};
pub use frame::{CHUNK_MAGIC, FILE_MAGIC, FORMAT_VERSION, HEADER_LEN};
pub use primer::Primer;

pub use crate::error::CodecError;
