//! The event model: what a recording is made of.
//!
//! This module owns the types every other stage speaks: [`Event`] and its [`EventKind`],
//! every rrweb 2.x event type and incremental source, serialized DOM nodes as a flat
//! [`NodeTree`], and the newtypes [`NodeId`] and [`Timestamp`]. Numbers keep their
//! integer-or-float identity ([`Num`]), and everything the model does not type in depth
//! (canvas commands, plugin payloads, unknown fields and event kinds) is carried as
//! opaque [`Json`], so a recording passes through the crate without loss. All types
//! derive serde and bincode 2 `Encode`/`Decode`; no type here is recursive except
//! [`Json`], whose depth is bounded wherever it is decoded.
//!
//! ## serde is not rrweb's JSON
//!
//! The serde derives give each type's own layout (`EventKind` as an externally tagged
//! enum, a [`NodeTree`] as its flat list), which is stable and fine for storing the model
//! in any serde format, but it is **not** rrweb's JSON: `serde_json::to_string(&event)`
//! does not give what rrweb's player reads. For rrweb's JSON use [`crate::rrweb`]
//! (`rrweb::write_events`, `rrweb::read`), which reads and writes it losslessly.
//!
//! ```
//! use session_replay::{rrweb, Limits};
//! let json = r#"[{"type":4,"data":{"href":"https://a.test/","width":800,"height":600},"timestamp":1}]"#;
//! let events = rrweb::read(json.as_bytes(), &Limits::DEFAULT)?;
//! let serde_form = serde_json::to_string(&events[0]).unwrap();
//! assert!(!serde_form.contains(r#""type":4"#)); // the model's own layout
//! assert_eq!(rrweb::write_string(&events), json); // rrweb's
//! # Ok::<(), session_replay::RrwebError>(())
//! ```

mod class;
mod event;
pub(crate) mod json;
mod node;
mod summary;
mod visit;

pub use class::EventClass;
pub use event::*;
pub use json::{Json, MAX_OPAQUE_DEPTH, Num};
pub use node::*;
pub use summary::{MutationCounts, Summary};

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

/// A node's id as rrweb assigns it: positive from 1; `-1` unknown, `-2` ignored.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Encode, Decode,
)]
#[serde(transparent)]
pub struct NodeId(pub i32);

impl NodeId {
    /// rrweb's id for a node it does not know (`-1`).
    pub const UNKNOWN: NodeId = NodeId(-1);
    /// rrweb's id for an ignored node (`-2`).
    pub const IGNORED: NodeId = NodeId(-2);
}

impl std::fmt::Display for NodeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// A point in time: epoch milliseconds, as in rrweb's `timestamp`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    Serialize,
    Deserialize,
    Encode,
    Decode,
)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// Milliseconds from `earlier` to `self` (negative if `self` is earlier).
    pub fn millis_since(self, earlier: Timestamp) -> i64 {
        self.0.saturating_sub(earlier.0)
    }

    /// The span from `earlier` to `self` (negative if `self` is earlier).
    pub fn since(self, earlier: Timestamp) -> Millis {
        Millis(self.millis_since(earlier))
    }

    /// `self` moved by `span`, saturating at the ends of `i64`.
    pub fn saturating_add(self, span: Millis) -> Timestamp {
        Timestamp(self.0.saturating_add(span.0))
    }
}

/// A span of time in milliseconds: intervals, windows and thresholds in configurations.
///
/// A point in time is a [`Timestamp`]; a span is a `Millis`. Keeping them apart (and
/// counts of events apart as [`EventCount`]) means a setter such as
/// `with_keyframe_every(EventCount(256), Millis(10_000))` does not compile with its
/// arguments swapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Millis(pub i64);

impl Millis {
    /// One second.
    pub const SECOND: Millis = Millis(1_000);

    /// `n` seconds.
    pub const fn seconds(n: i64) -> Millis {
        Millis(n.saturating_mul(1_000))
    }

    /// `n` minutes.
    pub const fn minutes(n: i64) -> Millis {
        Millis(n.saturating_mul(60_000))
    }
}

/// A number of events: cadences and caps in configurations (see [`Millis`] for why it
/// is a type of its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct EventCount(pub usize);

/// Fields the model does not know, in their original order, kept verbatim.
pub type Extra = Vec<(String, Json)>;
