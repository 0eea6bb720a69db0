//! Recording: the sans-IO entry point that apps feed.
//!
//! The [`Recorder`] takes what a host observes (a tree snapshot, MutationObserver-style
//! records, pointer, scroll, viewport, input, focus, selection and custom events, each
//! with the host's time), assigns stable [`NodeId`](crate::model::NodeId)s to host
//! nodes, samples and throttles as rrweb does, coalesces each batch of mutations, takes
//! keyframes (full snapshots) on a cadence and after a cap is hit, gates everything on
//! consent, and hands out events that have already been through the masking
//! [`Policy`](crate::privacy::Policy), and, with encoding on, encoded chunks ready to
//! upload.
//!
//! ## Guide
//!
//! - **Feeding it.** The host calls [`Recorder::page`] and [`Recorder::snapshot`] once
//!   a page is there, then the observation methods as things happen
//!   ([`Recorder::mutations`], [`Recorder::pointer_move`], [`Recorder::input`], ...),
//!   each with its own clock's [`Timestamp`](crate::Timestamp); nodes are named by the
//!   host's own [`HostKey`]s. It drains [`Recorder::poll_event`] (and
//!   [`Recorder::poll_chunk`] with encoding on) until `None`, and calls
//!   [`Recorder::tick`] when [`Recorder::poll_timeout`] says (a pointer batch, a
//!   throttled scroll or a keyframe is due).
//! - **Defaults** ([`RecorderConfig`]): pointer moves sampled every 50 ms and batched
//!   every 500 ms (touch and drag alike); scroll at most one event per 100 ms per target
//!   (the last position wins); repeated input values per field dropped; each batch of
//!   mutation records coalesced (a node added and removed in the same batch emits
//!   nothing; several changes keep the last value); a keyframe every 5 minutes or 10,000
//!   events; caps of 1,000 events/s and 1 MiB/s (estimated): past a cap, events are
//!   dropped until the second ends and a keyframe resynchronises, and
//!   [`Recorder::dropped`] counts them.
//! - **Privacy and consent.** Everything goes through the masking policy before it is
//!   handed out; nothing is recorded before [`Recorder::grant_consent`], never under
//!   Global Privacy Control ([`RecorderConfig::with_privacy_signal`]), and withdrawal
//!   drops what was not handed out.
//! - **Session state.** [`Recorder::save_state`] gives the session's state as bytes
//!   (consent, what waits for the host, the mirror and its ids, sampling, cadence, the
//!   scrubber and the encoder), and [`Recorder::restore_state`] continues from them in
//!   another worker, process or page: the same events and chunks as if it had never
//!   stopped (the layout is in `docs/STATE.md`).
//! - **Compared with rrweb's recorder** (`tests/recorder.rs`, driving it with what a glue
//!   layer observed during the corpus login session): the same numbers of Input,
//!   MouseInteraction, Mutation, ViewportResize, Meta and FullSnapshot events, pointer
//!   batches and scrolls within one or two, and the same replayed tree with the same node
//!   ids; every value leaves masked, where rrweb's raw stream has the email and both
//!   passwords.
//!
//! Where to look:
//!
//! | file | job |
//! | --- | --- |
//! | `recorder.rs` | the [`Recorder`]: host calls in, events and chunks out |
//! | `host.rs` | the host's input types: [`HostKey`], [`HostTree`], [`MutationRecord`] |
//! | `mirror.rs` | the recorder's copy of the host tree, id assignment, mutation coalescing |
//! | `sampler.rs` | pointer sampling and batching, scroll throttling |
//! | `sheets.rs` | CSSOM state: sheets edited through it, constructed sheets, adoptions |
//! | `cadence.rs` | keyframe cadence, rate caps and the resync after them |
//! | `config.rs` | [`RecorderConfig`] |
//! | `persist.rs` | the recorder's saved state ([`Recorder::save_state`], [`Recorder::restore_state`]) |

mod cadence;
mod config;
mod host;
mod mirror;
mod persist;
mod recorder;
mod sampler;
mod sheets;

pub use config::RecorderConfig;
pub use host::{
    AdoptedSheet, HostIndex, HostKey, HostKind, HostSheet, HostTree, HostTreeNode, MutationRecord,
    SheetEdit,
};
pub use recorder::Recorder;
