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
//! Where to look:
//!
//! | file | job |
//! | --- | --- |
//! | `recorder.rs` | the [`Recorder`]: host calls in, events and chunks out |
//! | `host.rs` | the host's input types: [`HostKey`], [`HostTree`], [`MutationRecord`] |
//! | `mirror.rs` | the recorder's copy of the host tree, id assignment, mutation coalescing |
//! | `sampler.rs` | pointer sampling and batching, scroll throttling |
//! | `cadence.rs` | keyframe cadence, rate caps and the resync after them |
//! | `config.rs` | [`RecorderConfig`] |

mod cadence;
mod config;
mod host;
mod mirror;
mod recorder;
mod sampler;

pub use config::RecorderConfig;
pub use host::{HostIndex, HostKey, HostKind, HostTree, HostTreeNode, MutationRecord};
pub use recorder::Recorder;
