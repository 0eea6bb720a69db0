//! What replay skipped or repaired: the issues and their counts (strict mode turns
//! the first one into a [`crate::ReplayError`]).

use crate::model::NodeId;

/// One thing replay could not apply as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Issue {
    /// An event referenced a node that is not in the DOM.
    #[error("node {0} is not in the DOM")]
    UnknownNode(NodeId),
    /// An add carried an id that is already in the DOM.
    #[error("node {0} is already in the DOM")]
    DuplicateId(NodeId),
    /// A removal named a parent that is not the node's parent.
    #[error("node {0} is not a child of the named parent")]
    NotAChild(NodeId),
    /// An add whose parent (or next sibling) never arrived in its batch.
    #[error("node {0} was added under a parent that never arrived")]
    OrphanAdd(NodeId),
    /// The DOM reached [`crate::Limits::nodes`].
    #[error("node count limit reached")]
    TooManyNodes,
    /// More adds waited for a parent than [`crate::Limits::pending_adds`] allows.
    #[error("pending adds limit reached")]
    BacklogFull,
    /// A stylesheet edit pointed at no sheet or at a rule index that does not exist.
    #[error("stylesheet edit does not apply")]
    BadStyleEdit,
}

/// Counts of what replay skipped or repaired. Lenient replay (the default) counts and
/// goes on; strict replay turns the first one into a [`crate::ReplayError`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Diagnostics {
    /// References to nodes not in the DOM.
    pub unknown_nodes: u64,
    /// Adds with an id already present (skipped).
    pub duplicate_ids: u64,
    /// Removals naming the wrong parent (the node is unmapped but stays, as in rrweb).
    pub not_a_child: u64,
    /// Adds whose parent never arrived (dropped).
    pub orphan_adds: u64,
    /// Nodes refused because the DOM was full.
    pub too_many_nodes: u64,
    /// Adds refused because too many were waiting.
    pub backlog_full: u64,
    /// Stylesheet edits that could not be applied.
    pub bad_style_edits: u64,
    /// Events of unknown kinds (ignored).
    pub unknown_events: u64,
    /// Events applied that the state does not render (canvas drawing, opaque values).
    pub not_rendered: u64,
    /// Events whose timestamp was earlier than the one before (replayed in time order).
    pub out_of_order: u64,
    /// Full snapshots applied.
    pub full_snapshots: u64,
}

impl Diagnostics {
    pub(crate) fn count(&mut self, issue: Issue) {
        let c = match issue {
            Issue::UnknownNode(_) => &mut self.unknown_nodes,
            Issue::DuplicateId(_) => &mut self.duplicate_ids,
            Issue::NotAChild(_) => &mut self.not_a_child,
            Issue::OrphanAdd(_) => &mut self.orphan_adds,
            Issue::TooManyNodes => &mut self.too_many_nodes,
            Issue::BacklogFull => &mut self.backlog_full,
            Issue::BadStyleEdit => &mut self.bad_style_edits,
        };
        *c += 1;
    }

    /// Total of the problems (not counting snapshots, unrendered or out-of-order events).
    pub fn problems(&self) -> u64 {
        self.unknown_nodes
            + self.duplicate_ids
            + self.not_a_child
            + self.orphan_adds
            + self.too_many_nodes
            + self.backlog_full
            + self.bad_style_edits
            + self.unknown_events
    }
}
