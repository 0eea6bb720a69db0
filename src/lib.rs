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
//! use session_replay::{rrweb, EventKind, Incremental};
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
//! # Ok::<(), session_replay::RrwebError>(())
//! ```
//!
//! ## Modules
//!
//! | module | owns |
//! | --- | --- |
//! | [`model`] | the event model |
//! | [`rrweb`] | rrweb JSON in and out |
//! | [`privacy`] | masking policy, selectors, detectors, consent, the scrubber |
//! | [`record`] | the recorder that apps feed |
//! | [`codec`] | the binary format |
//! | [`replay`] | the state at any time, seeking, the player, HTML output |
//! | [`error`] | error types |

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
mod limits;
pub mod model;
pub mod privacy;
pub mod record;
pub mod replay;
pub mod rrweb;

pub use error::{CodecError, Error, Recovered, ReplayError, RrwebError, SelectorError};
pub use limits::Limits;
pub use model::{
    AttrValue, Attribute, Event, EventCount, EventKind, FullSnapshot, Incremental, Json, Meta,
    Millis, Mutation, NodeId, NodeKind, NodeTree, Num, SerializedNode, Summary, Timestamp,
};

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
