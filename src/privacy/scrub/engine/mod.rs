//! The scrubbing engine: the policy, the node mirror and the report, behind the one
//! interface both front ends (the typed walk in `typed`, the streaming JSON path in
//! `stream`) use.
//!
//! The front ends take events apart and put them back together; the engine keeps the
//! mirror current, decides, and counts. Everything a front end may call is
//! `pub(in crate::privacy::scrub)`; the engine's fields are private to this module, so
//! a front end cannot reach the mirror or the report but through these calls:
//!
//! - events: [`Engine::event_in`], [`Engine::event_out`];
//! - the mirror: [`Engine::new_page`], [`Engine::insert`], [`Engine::keeps_text_under`],
//!   [`Engine::refresh`], [`Engine::remove`], [`Engine::is_placed_element`];
//! - node state: [`Engine::privacy`], [`Engine::dropped`], [`Engine::marked_dropped`],
//!   [`Engine::fate`], [`Engine::drops_added_root`], [`Engine::retarget`];
//! - content (in `decide`): `text_plan`, `scrub_text`, `comment_text`, `attr_outcome`,
//!   `scalar_attr_outcome`, `scrub_style_value`, `meta_href`, `scrub_url`, `scrub_css`,
//!   `scrub_json`, `scrub_extra`, `scrub_canvas`, `scrub_asset_payload`;
//! - mutations (in `decide`): `text_change`, `attribute_change`, `input_change`;
//! - secrets split across text nodes (in `split`): `split_secrets`, once an event is
//!   applied.
//!
//! Node privacy is computed lazily (in `classify`): a node's state is worked out the
//! first time a decision needs it, from its ancestors' states, and recomputed below an
//! element whose attributes change.

mod classify;
mod context;
mod decide;
mod mirror;
mod persist;
mod split;

pub(in crate::privacy::scrub) use mirror::{NO_PARENT, NodeLook, PackedAttrs, mirror_skips_attr};

use super::NodePrivacy;
use super::report::{Place, ScrubAction, ScrubPlace, ScrubReport};
use crate::model::NodeId;
use crate::privacy::policy::Policy;
use mirror::Mirror;
pub(in crate::privacy::scrub) use split::SplitFixes;
use split::SplitScratch;

/// The policy, the mirror of the page as the events built it, and the report.
pub(in crate::privacy::scrub) struct Engine {
    policy: Policy,
    nodes: Mirror,
    report: ScrubReport,
    /// The search for secrets split across text nodes (see `split`): scratch, never
    /// saved.
    split: SplitScratch,
    /// The next full snapshot is a keyframe of the same page, its nodes under the ids
    /// they had (see [`Engine::carry_privacy`]). Set and cleared within one call of
    /// the recorder: never saved.
    carry_next: bool,
    /// During that snapshot: the privacy the nodes had escalated to, by id, until each
    /// comes back.
    carried: crate::hash::FastMap<i32, NodePrivacy>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scrubber")
            .field("policy", &self.policy)
            .field("nodes", &self.nodes.len())
            .finish()
    }
}

/// What becomes of a node met in a tree (see [`Engine::fate`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::privacy::scrub) enum Fate {
    /// Not in the output (under a blocked element).
    Dropped,
    /// In the output, its content scrubbed.
    Kept,
    /// In the output as a blocked element: content scrubbed, children dropped.
    KeptBlocked,
}

/// What becomes of a text node's content (see `Engine::text_plan`).
pub(in crate::privacy::scrub) enum TextPlan {
    Keep,
    Set(String),
    /// The plain mask: every non-whitespace character a `*`.
    MaskEachChar,
}

/// What happens to a mutation's text change (see `Engine::text_change`).
pub(in crate::privacy::scrub) enum TextOutcome {
    /// The node is not in the output: drop the change.
    Drop,
    Keep,
    Set(String),
}

/// What an attribute change met (see `Engine::attribute_change`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::privacy::scrub) enum AttributeChange {
    /// The node is not in the mirror: scrub as masked.
    UnknownNode,
    /// The node is not in the output: drop the change.
    Drop,
    /// A known node, mirror updated.
    Known,
}

/// What becomes of one attribute (see `Engine::attr_outcome`).
pub(in crate::privacy::scrub) enum AttrOutcome {
    Keep,
    Set(String),
    Remove,
}

impl Engine {
    /// An engine for `policy`, with an empty mirror and report.
    pub(in crate::privacy::scrub) fn new(policy: Policy) -> Self {
        Engine {
            policy,
            nodes: Mirror::default(),
            report: ScrubReport::default(),
            split: SplitScratch::default(),
            carry_next: false,
            carried: Default::default(),
        }
    }

    pub(in crate::privacy::scrub) fn policy(&self) -> &Policy {
        &self.policy
    }

    pub(in crate::privacy::scrub) fn report(&self) -> &ScrubReport {
        &self.report
    }

    pub(in crate::privacy::scrub) fn take_report(&mut self) -> ScrubReport {
        std::mem::take(&mut self.report)
    }

    /// The privacy state of a node as stored (not computed here), if the node is known.
    pub(in crate::privacy::scrub) fn node_privacy(&self, id: NodeId) -> Option<NodePrivacy> {
        self.nodes.get(&id.0).map(|n| n.privacy)
    }

    // ---- events ----

    /// Counts an event read.
    #[inline]
    pub(in crate::privacy::scrub) fn event_in(&mut self) {
        // Saturating: a restored report may start at the top.
        self.report.events_in = self.report.events_in.saturating_add(1);
        self.split.new_event();
    }

    /// Counts an event handed out.
    #[inline]
    pub(in crate::privacy::scrub) fn event_out(&mut self) {
        self.report.events_out = self.report.events_out.saturating_add(1);
    }

    // ---- the mirror ----

    /// Forgets every node: a full snapshot starts a new page. Unless it is a keyframe
    /// of the same page ([`Engine::carry_privacy`]): then what each node's privacy
    /// escalated to (a password, once; masked or blocked by a class since taken away)
    /// goes to the node with the same id in the snapshot, so that a keyframe never
    /// shows what the events before it kept masked.
    pub(in crate::privacy::scrub) fn new_page(&mut self) {
        self.carried.clear();
        if self.carry_next {
            let carried = &mut self.carried;
            for (id, n) in self.nodes.iter() {
                let f = n.privacy & classify::ESCALATED;
                if !f.is_empty() {
                    carried.insert(id, f);
                }
            }
        }
        self.nodes.clear();
    }

    /// Says whether the next full snapshot is a keyframe of the page already seen,
    /// with its nodes under the same ids (the recorder's snapshots, whose ids never
    /// repeat), or a page of its own (anything else: rrweb's ids start again on every
    /// page load).
    pub(in crate::privacy::scrub) fn carry_privacy(&mut self, on: bool) {
        self.carry_next = on;
        if !on {
            self.carried.clear();
        }
    }

    /// Puts node `id` in the mirror under `parent`. `look` describes it; it is told
    /// whether the mirror keeps a text's content (see [`Engine::keeps_text_under`]), so
    /// that a front end need not build a text the mirror drops.
    #[inline]
    pub(in crate::privacy::scrub) fn insert<'a>(
        &mut self,
        parent: i32,
        id: i32,
        look: impl FnOnce(bool) -> NodeLook<'a>,
    ) {
        self.insert_before(parent, id, None, look);
    }

    /// [`Engine::insert`] for a mutation's added root: placed before sibling `next`
    /// (rrweb's `nextId`) when that is a child of `parent`, else last. The order of
    /// children matters: text is joined in document order (`split`), and a value's
    /// label is the text before it (`context`). rrweb adds a new subtree one node at a
    /// time, children last to first, each before the one added just before it.
    #[inline]
    pub(in crate::privacy::scrub) fn insert_before<'a>(
        &mut self,
        parent: i32,
        id: i32,
        next: Option<i32>,
        look: impl FnOnce(bool) -> NodeLook<'a>,
    ) {
        let keep_text = self.keeps_text_under(parent);
        self.nodes.add(parent, id, look(keep_text), keep_text, next);
        // A keyframe's node takes back what its privacy had escalated to (computed
        // afresh with it, as for a node that stays).
        if !self.carried.is_empty()
            && let Some(f) = self.carried.remove(&id)
            && let Some(n) = self.nodes.get_mut(&id)
        {
            n.privacy = f;
        }
    }

    /// Drops the computed privacy of `id`, to be computed afresh: what inserting the
    /// same node again in the same place does, without building its data again.
    #[inline]
    pub(in crate::privacy::scrub) fn refresh(&mut self, id: i32) {
        if let Some(n) = self.nodes.get_mut(&id) {
            n.privacy = NodePrivacy::empty();
        }
    }

    /// A mutation's removal of `id`: forgets it and its subtree; returns whether it was
    /// in the output (a dropped node was never handed out, so its removal is dropped).
    pub(in crate::privacy::scrub) fn remove(&mut self, id: NodeId) -> bool {
        let dropped = self.dropped(id);
        self.nodes.remove_subtree(id.0);
        !dropped
    }

    /// Whether `id` is an element in the mirror under `parent`.
    #[inline]
    pub(in crate::privacy::scrub) fn is_placed_element(&self, id: i32, parent: i32) -> bool {
        self.nodes
            .get(&id)
            .is_some_and(|n| n.parent == parent && n.element)
    }

    // ---- node state ----

    /// The privacy state of `id` (computed now if need be), if the node is known.
    #[inline]
    pub(in crate::privacy::scrub) fn privacy(&mut self, id: NodeId) -> Option<NodePrivacy> {
        self.nodes.contains_key(&id.0).then(|| self.ensure(id.0))
    }

    /// Whether `id` is known and not in the output.
    #[inline]
    pub(in crate::privacy::scrub) fn dropped(&mut self, id: NodeId) -> bool {
        self.privacy(id)
            .is_some_and(|p| p.contains(NodePrivacy::DROPPED))
    }

    /// Whether `id` is known and already marked dropped (its state is not computed).
    pub(in crate::privacy::scrub) fn marked_dropped(&self, id: NodeId) -> bool {
        self.nodes
            .get(&id.0)
            .is_some_and(|n| n.privacy.contains(NodePrivacy::DROPPED))
    }

    /// The fate of node `id` just inserted from a tree, given its tree parent's fate
    /// (`None` for the tree's root); a blocked element is counted at `place`.
    pub(in crate::privacy::scrub) fn fate(
        &mut self,
        id: i32,
        parent: Option<Fate>,
        place: &ScrubPlace,
    ) -> Fate {
        let p = self.ensure(id);
        let fate = self.tree_fate(id, p, parent);
        if fate == Fate::KeptBlocked {
            self.report
                .add(ScrubAction::ElementBlocked, Place::Fixed(place));
        }
        fate
    }

    /// Whether the root of an added tree (already inserted) is not in the output; it is
    /// then counted, and the caller keeps the rest of the tree in the mirror (as
    /// dropped) so that later events on it are dropped too.
    pub(in crate::privacy::scrub) fn drops_added_root(&mut self, root: i32) -> bool {
        let dropped = self.ensure(root).contains(NodePrivacy::DROPPED);
        if dropped {
            self.report.add(
                ScrubAction::NodeDropped,
                Place::Fixed(&ScrubPlace::BlockedSubtree),
            );
        }
        dropped
    }

    /// Where an event on `id` goes: `id` if it is in the output (or unknown), else its
    /// nearest ancestor that is (the blocked element standing for it).
    pub(in crate::privacy::scrub) fn retarget(&mut self, id: NodeId) -> NodeId {
        if !self.dropped(id) {
            return id;
        }
        let mut at = id.0;
        let mut steps = 0;
        while let Some(n) = self.nodes.get(&at) {
            if !n.privacy.contains(NodePrivacy::DROPPED) || steps > 4096 {
                break;
            }
            at = n.parent;
            steps += 1;
        }
        NodeId(at)
    }
}
