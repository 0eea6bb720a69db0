//! How a DOM mutation batch changes the state: removes, adds (with the backlog of adds
//! that wait for their parent or sibling), text changes and attribute changes.
//!
//! # The arena DOM, as this file relies on it
//!
//! - A node in the tree is reachable from [`Dom::root`](super::dom::Dom::root) through
//!   child links, and its parent and sibling links agree with its parent's child list
//!   ([`Dom::link`](super::dom::Dom::link) and `unlink` keep them so).
//! - An id names at most one live slot. A node whose removal named the wrong parent stays
//!   in the tree but is unmapped ([`DomFlags::UNMAPPED`]): events that name it later find
//!   nothing, as in rrweb.
//! - Nodes created here are linked at once: a batch never leaves a detached node behind.
//! - The side state keyed by node id (form values, element scroll, media, node sheets,
//!   adopted sheets, focus) describes nodes in the DOM. Whatever frees nodes here forgets
//!   their side state first ([`State::forget_subtree`]): a node that comes back under the
//!   same id (rrweb records a move as a remove, then an add of the same id) starts fresh,
//!   as the element rrweb's replayer builds anew does, and the state holds nothing no
//!   node shows. (An unmapped node keeps its side state: it is still in the tree, shown.)
//!
//! # Why a batch is applied in this order
//!
//! rrweb's recorder emits one batch for all the mutations a `MutationObserver` callback
//! saw, and its replayer applies it in a fixed order, which we follow so that the same
//! recording gives the same DOM:
//!
//! 1. Removes name nodes as they were before the batch; they go first, so a moved node
//!    (removed, then added again with the same id) is not a duplicate id when re-added.
//! 2. Adds are positioned against the DOM as it is after the batch: an add's parent or
//!    next sibling may be another add of the same batch that comes later in the list.
//!    Such an add waits in a [`Backlog`] until the node it needs exists, and is then
//!    retried; the first pass goes through all adds before any retry, as rrweb does.
//! 3. Texts and 4. attributes carry the final values of nodes that may have been added
//!    in this batch, so they come after the adds.

use std::collections::{BTreeMap, BTreeSet};

use super::css;
use super::diag::Issue;
use super::dom::{DomFlags, DomKind, NIL};
use super::state::{SheetKey, State};
use crate::error::ReplayError;
use crate::model::*;

/// The adds of one batch that wait for a node (their parent or next sibling) that has not
/// arrived yet.
///
/// An add waits on one id at a time: its parent first, then its next sibling. When a node
/// is created, the adds waiting on any id of its subtree are woken (an iframe's document
/// brings many ids at once) and retried in their order in the batch. A retried add links,
/// waits again for its next missing node, or is reported. Adds still waiting when nothing
/// more can arrive are orphans.
#[derive(Default)]
struct Backlog {
    /// Indices (into the batch's adds) of the adds waiting, by the id they wait for.
    waiting: BTreeMap<NodeId, Vec<usize>>,
    /// Adds that have waited and not yet been retried (waiting, or woken and not yet
    /// retried), bounded by [`Limits::pending_adds`](crate::Limits::pending_adds).
    pending: usize,
    /// Adds whose node arrived, to retry.
    woken: Vec<usize>,
}

impl State {
    /// Applies one mutation batch, in rrweb's order (see the module doc).
    pub(super) fn mutation(&mut self, m: &Mutation, ev: usize) -> Result<(), ReplayError> {
        self.apply_removes(m, ev)?;
        self.apply_adds(m, ev)?;
        self.apply_texts(m, ev)?;
        self.apply_attributes(m, ev)
    }

    /// Step 1: removes, of nodes as they were before the batch.
    fn apply_removes(&mut self, m: &Mutation, ev: usize) -> Result<(), ReplayError> {
        // A removed node that is no longer there is fine when its parent was removed in
        // the same batch (rrweb records both). For a large batch, look the parents up in
        // a set rather than rescanning the list for each remove (quadratic otherwise);
        // small batches, the common case, scan and allocate nothing.
        let removed_ids: BTreeSet<NodeId> = if m.removes.len() > 8 {
            m.removes.iter().map(|r| r.id).collect()
        } else {
            BTreeSet::new()
        };
        for r in &m.removes {
            let Some(target) = self.dom.slot_of(r.id) else {
                let parent_removed = if removed_ids.is_empty() {
                    m.removes.iter().any(|x| x.id == r.parent_id)
                } else {
                    removed_ids.contains(&r.parent_id)
                };
                if !parent_removed {
                    self.issue(ev, Issue::UnknownNode(r.id))?;
                }
                continue;
            };
            let Some(parent) = self.target(r.parent_id, ev)? else {
                continue;
            };
            if self.dom.node(target).map(|n| n.parent) == Some(parent) {
                self.forget_subtree(target);
                self.dom.remove(target);
            } else {
                // rrweb unmaps the node even though the DOM refuses the removal.
                self.dom.unmap_subtree(target);
                self.issue(ev, Issue::NotAChild(r.id))?;
            }
        }
        Ok(())
    }

    /// Step 2: adds. An add whose parent or next sibling is not there yet waits until the
    /// node it needs arrives, then is retried (after the first pass, like rrweb).
    fn apply_adds(&mut self, m: &Mutation, ev: usize) -> Result<(), ReplayError> {
        let mut backlog = Backlog::default();
        let mut ready: Vec<usize> = Vec::new();
        for (i, add) in m.adds.iter().enumerate() {
            self.try_add(add, i, ev, &mut backlog)?;
        }
        // Retry in batch order what the last round woke; a retry may wake more. This ends:
        // an add is woken only by a node created since it waited, and each add creates at
        // most once.
        while !backlog.woken.is_empty() {
            std::mem::swap(&mut ready, &mut backlog.woken);
            ready.sort_unstable();
            for i in ready.drain(..) {
                if let Some(add) = m.adds.get(i) {
                    backlog.pending = backlog.pending.saturating_sub(1);
                    self.try_add(add, i, ev, &mut backlog)?;
                }
            }
        }
        for (_, adds) in std::mem::take(&mut backlog.waiting) {
            for i in adds {
                let id = m
                    .adds
                    .get(i)
                    .and_then(|a| a.node.root())
                    .map_or(NodeId::UNKNOWN, |n| n.id);
                self.issue(ev, Issue::OrphanAdd(id))?;
            }
        }
        Ok(())
    }

    /// Step 3: text changes (`textContent` for an element).
    fn apply_texts(&mut self, m: &Mutation, ev: usize) -> Result<(), ReplayError> {
        for t in &m.texts {
            let Some(slot) = self.target(t.id, ev)? else {
                continue;
            };
            let value = t.value.as_deref().unwrap_or("");
            match self.dom.node(slot).map(|n| n.kind) {
                Some(DomKind::Text | DomKind::Comment | DomKind::CData) => {
                    self.dom.set_text(slot, value)
                }
                Some(DomKind::Element) => {
                    let kids: Vec<u32> = self.dom.children(slot).collect();
                    for k in kids {
                        self.forget_subtree(k);
                    }
                    self.dom.replace_children_with_text(slot, value);
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Step 4: attribute changes (a `style` diff edits the declarations in place).
    fn apply_attributes(&mut self, m: &Mutation, ev: usize) -> Result<(), ReplayError> {
        for a in &m.attributes {
            let Some(slot) = self.target(a.id, ev)? else {
                continue;
            };
            for attr in &a.attributes {
                match &attr.value {
                    AttrValue::Removed => self.dom.set_attr(slot, &attr.name, None),
                    AttrValue::StyleDiff(diff) => {
                        let mut style = self.dom.attr(slot, &attr.name).unwrap_or("").to_owned();
                        for (prop, change) in diff {
                            let v = match change {
                                StyleChange::Set(v) => Some((v.as_str(), "")),
                                StyleChange::SetWithPriority(v, p) => {
                                    Some((v.as_str(), p.as_str()))
                                }
                                StyleChange::Remove => None,
                            };
                            style = css::edit_declarations(&style, prop, v);
                        }
                        self.dom.set_attr(slot, &attr.name, Some(&style));
                    }
                    AttrValue::Other(_) => self.diagnostics.not_rendered += 1,
                    v => {
                        if let Some(text) = v.as_text() {
                            self.dom.set_attr(slot, &attr.name, Some(&text));
                        } else {
                            // `false`: rrweb's recorder never writes it; treat as removal.
                            self.dom.set_attr(slot, &attr.name, None);
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// The slot of the node an edit names; a node not in the DOM is reported (the caller
    /// skips the edit).
    fn target(&mut self, id: NodeId, ev: usize) -> Result<Option<u32>, ReplayError> {
        let slot = self.dom.slot_of(id);
        if slot.is_none() {
            self.issue(ev, Issue::UnknownNode(id))?;
        }
        Ok(slot)
    }

    /// Tries one add; on a missing parent or next sibling it waits in the backlog.
    fn try_add(
        &mut self,
        add: &Addition,
        index: usize,
        ev: usize,
        backlog: &mut Backlog,
    ) -> Result<(), ReplayError> {
        let Some(root) = add.node.root() else {
            return Ok(());
        };
        let Some(parent) = self.dom.slot_of(add.parent_id) else {
            return self.wait_for(add.parent_id, index, ev, backlog);
        };
        // `-1` (`NodeId::UNKNOWN`) is not a node to wait for: rrweb writes it for a
        // sibling it did not serialize, so the add's position is unknown (reported below).
        let next = match add.next_id {
            Some(n) if n.0 != -1 => match self.dom.slot_of(n) {
                Some(s) => Some(s),
                None => return self.wait_for(n, index, ev, backlog),
            },
            _ => None,
        };
        if add.next_id == Some(NodeId::UNKNOWN) || add.previous_id == Some(Some(NodeId::UNKNOWN)) {
            return self.issue(ev, Issue::OrphanAdd(root.id));
        }
        // A node of an iframe's document names that document (`rootId`); unless the node
        // is that document, the document must be in the DOM already.
        if let Some(root_id) = root.root_id
            && self.dom.slot_of(root_id).is_none()
            && root_id != root.id
        {
            return self.issue(ev, Issue::UnknownNode(root_id));
        }
        let parent_is_iframe = self.dom.tag(parent) == Some("iframe");
        let is_document = matches!(root.kind, NodeKind::Document { .. });
        let created = if parent_is_iframe && is_document {
            self.add_iframe_document(add, parent, ev)?
        } else {
            self.add_node(add, root, parent, next, ev)?
        };
        if let Some(slot) = created {
            if matches!(root.tag(), Some("video" | "audio")) {
                self.init_media_from_attributes(slot, self.time);
            }
            // Wake what waited for the nodes that now exist (nothing to scan for when
            // nothing waits, the common case).
            if backlog.waiting.is_empty() {
                return Ok(());
            }
            for s in self.dom.descendants(slot) {
                if let Some(n) = self.dom.node(s)
                    && let Some(w) = backlog.waiting.remove(&n.id)
                {
                    backlog.woken.extend(w);
                }
            }
        }
        Ok(())
    }

    /// Puts the add at `index` in the backlog until `dep` arrives (or reports a full
    /// backlog).
    fn wait_for(
        &mut self,
        dep: NodeId,
        index: usize,
        ev: usize,
        backlog: &mut Backlog,
    ) -> Result<(), ReplayError> {
        if backlog.pending >= self.limits.pending_adds {
            return self.issue(ev, Issue::BacklogFull);
        }
        backlog.pending += 1;
        backlog.waiting.entry(dep).or_default().push(index);
        Ok(())
    }

    /// A same-origin iframe's document: built whole, replacing any earlier one, and linked
    /// under the iframe. Returns its slot.
    fn add_iframe_document(
        &mut self,
        add: &Addition,
        parent: u32,
        ev: usize,
    ) -> Result<Option<u32>, ReplayError> {
        let old: Vec<u32> = self
            .dom
            .children(parent)
            .filter(|&c| {
                self.dom
                    .node(c)
                    .is_some_and(|n| n.kind == DomKind::Document)
            })
            .collect();
        for c in old {
            self.forget_subtree(c);
            self.dom.remove(c);
        }
        let built = self.build_detached(&add.node, ev)?;
        if let Some(slot) = built {
            self.dom.link(slot, parent, NIL);
        }
        Ok(built)
    }

    /// Creates the add's node and links it under `parent`: after its previous sibling if
    /// that is still a child of `parent`, else before its next sibling if that is, else
    /// last. Returns its slot.
    fn add_node(
        &mut self,
        add: &Addition,
        root: &SerializedNode,
        parent: u32,
        next: Option<u32>,
        ev: usize,
    ) -> Result<Option<u32>, ReplayError> {
        let slot = match self.dom.create(root) {
            Ok(slot) => slot,
            Err(i) => {
                self.dom_issue(ev, i)?;
                return Ok(None);
            }
        };
        let previous = match add.previous_id {
            Some(Some(p)) => self.dom.slot_of(p),
            _ => None,
        };
        let after_previous = previous
            .and_then(|p| self.dom.node(p))
            .map(|p| p.next)
            .filter(|&n| self.dom.node(n).is_some_and(|x| x.parent == parent));
        let before = match (after_previous, next) {
            (Some(n), _) => n,
            (None, Some(n)) if self.dom.node(n).is_some_and(|x| x.parent == parent) => n,
            (None, Some(_)) => NIL,
            (None, None) => {
                // Appending an element or doctype to a document replaces it.
                let parent_is_doc = self
                    .dom
                    .node(parent)
                    .is_some_and(|p| p.kind == DomKind::Document);
                let replaces = matches!(
                    root.kind,
                    NodeKind::Element { .. } | NodeKind::DocumentType { .. }
                );
                if parent_is_doc && replaces && previous.is_none() {
                    let kids: Vec<u32> = self.dom.children(parent).collect();
                    for k in kids {
                        self.forget_subtree(k);
                        self.dom.remove(k);
                    }
                }
                NIL
            }
        };
        self.dom.link(slot, parent, before);
        if root.is_shadow == Some(true) {
            self.dom.add_flags(parent, DomFlags::SHADOW_HOST);
        }
        Ok(Some(slot))
    }

    /// Forgets the side state of nodes about to be freed (see the module doc).
    fn forget_subtree(&mut self, slot: u32) {
        // Walks the DOM while editing the side maps: disjoint fields, so no id list is
        // collected first.
        for s in self.dom.descendants(slot) {
            let Some(id) = self.dom.node(s).map(|n| n.id) else {
                continue;
            };
            self.form.remove(&id);
            self.element_scroll.remove(&id);
            self.media.remove(&id);
            self.sheets.remove(&SheetKey::Node(id));
            self.adopted.remove(&id);
            if self.focus == Some(id) {
                self.focus = None;
            }
        }
    }
}
