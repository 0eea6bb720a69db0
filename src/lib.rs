//! # session-replay
//!
//! A private-by-default session replay engine: an event model that reads and writes
//! rrweb's JSON losslessly, a masking policy engine that runs at record time and over
//! stored streams, a compact checksummed binary format, and a deterministic replay state
//! machine.
//!
//! ## The sans-IO contract
//!
//! This crate does no I/O, reads no clock, spawns no threads and keeps no global state.
//! Bytes and time are always inputs: the host reads files or sockets, passes the bytes
//! in, and gets values or bytes back. The same inputs give the same outputs, bit for
//! bit, on every platform, so a recording read on a server and in a browser (the crate
//! builds for `wasm32-unknown-unknown`) yields the same events. Untrusted input is
//! bounded by [`Limits`]; bad input gives an error naming where it went wrong, and the
//! valid part is still returned ([`rrweb::Reader::read_recovering`]).
//!
//! ## The loop
//!
//! ```
//! use session_replay::{rrweb, EventKind, Incremental, Limits};
//!
//! // Bytes come from wherever the host keeps them.
//! let bytes = br#"[
//!   {"type":4,"data":{"href":"https://shop.test/","width":1280,"height":800},"timestamp":1000},
//!   {"type":3,"data":{"source":5,"text":"hello","isChecked":false,"id":7},"timestamp":1500}
//! ]"#;
//! let events = rrweb::read(bytes, &Limits::DEFAULT)?;
//! for event in &events {
//!     match &event.kind {
//!         EventKind::Meta(meta) => println!("page {} at {}x{}", meta.href, meta.width, meta.height),
//!         EventKind::Incremental(Incremental::Input(input)) => println!("input on {}", input.id),
//!         other => println!("{}", other.name()),
//!     }
//! }
//! // Writing back gives the same JSON, value for value.
//! let again = rrweb::read(&rrweb::write_events(&events), &Limits::DEFAULT)?;
//! assert_eq!(again, events);
//! # Ok::<(), session_replay::Error>(())
//! ```
//!
//! ## Map of the crate
//!
//! A recording flows through the stages left to right; each stage is a module, and a
//! host uses only the ones it needs:
//!
//! ```text
//!  page / app ──► record ──┐                          ┌──► replay ──► State, HTML, Player
//!                          ├──► privacy ──► codec ────┤
//!  rrweb JSON ──► rrweb ───┘   (Scrubber)  (bytes)    └──► rrweb ──► rrweb JSON
//!                     all of them speak the types of `model`
//! ```
//!
//! | module | owns | start with |
//! | --- | --- | --- |
//! | [`model`] | the event model every stage speaks: events, node trees, numbers, time | [`Event`], [`EventKind`], [`Timestamp`], [`Millis`], [`Summary`] |
//! | [`rrweb`] | rrweb's JSON in and out, losslessly | [`rrweb::read`], [`rrweb::write_events`], [`rrweb::Reader`] |
//! | [`privacy`] | masking policy, selectors, PII detectors, consent, the scrubber (typed and streaming) | [`privacy::Policy`], [`privacy::scrub`], [`privacy::scrub_rrweb_json`], [`privacy::Scrubber`] |
//! | [`record`] | the recorder an app or browser glue feeds with what it observes | [`record::Recorder`], [`record::HostTree`] |
//! | [`codec`] | the binary format: streaming encoder and decoder, verification | [`codec::Encoder`], [`codec::Decoder`], [`codec::encode`], [`codec::decode`] |
//! | [`replay`] | the page state at any time: seeking, the player clock, HTML | [`replay::Replayer`], [`replay::State`], [`replay::Player`] |
//! | [`insights`] | frustration signals and the session summary, as events stream in | [`insights::Insights`], [`insights::summarize`], [`insights::InsightsConfig`] |
//! | [`error`] | every error type, the umbrella [`Error`], and [`Recovered`] | [`Error`] |
//! | (root) | [`Limits`] on untrusted input | [`Limits::DEFAULT`] |
//!
//! ## Conventions
//!
//! The same rules hold in every module, so learning one stage teaches the others:
//!
//! - **Feed, then drain.** Input goes in with `push`, `tick` or an observation method;
//!   output comes out of `poll_*` methods until they return `None`
//!   ([`codec::Encoder::poll_chunk`], [`codec::Decoder::poll_chunk`],
//!   [`record::Recorder::poll_event`], [`replay::Player::poll_output`]). Clock-driven
//!   objects say when to call them next ([`record::Recorder::poll_timeout`],
//!   [`replay::Player::poll_timeout`]).
//! - **Time.** A point in time is a [`Timestamp`] everywhere; a span is [`Millis`]; a
//!   number of events is [`EventCount`].
//! - **Construction.** `new`, `Default` or `From`; optional settings are `with_*`
//!   builders that take and return the value; a live object changes with `set_*`. No
//!   bare booleans: modes are enums ([`replay::ReplayMode`], [`codec::Compression`], ...).
//! - **Untrusted input** always comes with [`Limits`].
//! - **Session state moves.** Every stage that keeps per-session state
//!   ([`privacy::Scrubber`], [`codec::Encoder`], [`replay::Replayer`],
//!   [`record::Recorder`]) has `save_state` and `restore_state`, so a session can move
//!   between workers; saved state is read back as untrusted input (`docs/STATE.md`).
//! - **Errors** are per stage, `#[non_exhaustive]`, name a position (event, chunk,
//!   node) and never a recorded value, and convert into [`Error`]. A lenient read returns
//!   [`Recovered`]: the valid part and the errors.
//! - **serde** gives the model's own layout, not rrweb's JSON (see [`model`]).

#![forbid(unsafe_code)]
#![deny(missing_docs)]
// Library code never panics on input: no unwrap, expect, unchecked indexing or panic.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

pub mod codec;
pub mod error;
mod hash;
pub mod insights;
mod limits;
pub mod model;
mod persist;
pub mod privacy;
pub mod record;
pub mod replay;
pub mod rrweb;

pub use error::{CodecError, Error, Recovered, ReplayError, RrwebError, SelectorError, StateError};
pub use limits::Limits;
pub use model::{
    AttrValue, Attribute, Event, EventClass, EventCount, EventKind, FullSnapshot, Incremental,
    Json, Meta, Millis, Mutation, NodeId, NodeKind, NodeTree, Num, SerializedNode, Summary,
    Timestamp,
};

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
