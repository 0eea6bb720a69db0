//! The arena DOM: nodes in a copy-on-write paged vector (`pages`), linked by slot
//! indices, found by id through a bounded id map. Every walk is iterative.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::pages::Paged;
use crate::model::{NodeId, NodeKind, NodeTree, SerializedNode};

/// Nodes per page of the arena (64 nodes of 64 bytes: a write after a restore copies
/// 4 KiB and the payloads of 64 nodes).
type NodePages = Paged<DomNode, 6>;
/// Id-map entries per page (1024 slots, 4 KiB).
type SlotPages = Paged<u32, 10>;

/// "No node" in a link field.
pub(crate) const NIL: u32 = u32::MAX;

/// An interned name (tag or attribute name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Atom(u32);

impl Atom {
    /// The name's index in the table: a small dense number (for per-name caches).
    pub(crate) fn index(self) -> usize {
        self.0 as usize
    }
}

/// The interned names, shared between keyframes (copied only when a new name arrives
/// while shared).
#[derive(Debug, Clone, Default)]
pub(crate) struct Atoms {
    names: Vec<Box<str>>,
    /// Names of up to 15 bytes (nearly all tag and attribute names), by their exact
    /// integer key: no hashing of bytes, no string comparison.
    short: crate::hash::ShortMap<u32>,
    index: crate::hash::FastMap<Box<str>, u32>,
}

impl Atoms {
    fn get(&self, a: Atom) -> &str {
        self.names.get(a.0 as usize).map_or("", |s| s)
    }
    fn find(&self, name: &str) -> Option<Atom> {
        match crate::hash::short_key(name) {
            Some(k) => self.short.get(&k),
            None => self.index.get(name),
        }
        .map(|&i| Atom(i))
    }
}

fn intern(atoms: &mut Arc<Atoms>, name: &str) -> Atom {
    if let Some(a) = atoms.find(name) {
        return a;
    }
    let table = Arc::make_mut(atoms);
    let i = table.names.len() as u32;
    table.names.push(name.into());
    match crate::hash::short_key(name) {
        Some(k) => {
            table.short.insert(k, i);
        }
        None => {
            table.index.insert(name.into(), i);
        }
    }
    Atom(i)
}

/// What kind of node a replayed DOM node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DomKind {
    /// A document (the page's, or an iframe's content document).
    Document,
    /// A doctype.
    Doctype,
    /// An element.
    Element,
    /// A text node.
    Text,
    /// A CDATA section.
    CData,
    /// A comment.
    Comment,
    /// A node type the model did not know.
    Unknown,
}

bitflags::bitflags! {
    /// Per-node markers.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct DomFlags: u8 {
        /// An SVG element.
        const SVG = 1;
        /// The element hosts a shadow root.
        const SHADOW_HOST = 2;
        /// The node is a child of its parent's shadow root.
        const IN_SHADOW = 4;
        /// A text node inside `<style>`.
        const STYLE_TEXT = 8;
        /// rrweb's `needBlock`.
        const NEED_BLOCK = 16;
        /// A custom element.
        const CUSTOM = 32;
        /// The node's id is no longer mapped (rrweb unmaps a node whose removal failed).
        const UNMAPPED = 64;
    }
}

/// An attribute of a replayed element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DomAttr {
    pub(crate) name: Atom,
    pub(crate) value: Box<str>,
}

/// A node's payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NodeData {
    None,
    Text(Box<str>),
    Attrs(Vec<DomAttr>),
    Doctype(Box<[Box<str>; 2]>),
    UnknownType(i64),
}

/// One node of the arena: 64 bytes plus its text and attributes.
#[derive(Debug, Clone)]
pub(crate) struct DomNode {
    pub(crate) id: NodeId,
    pub(crate) parent: u32,
    pub(crate) first_child: u32,
    pub(crate) last_child: u32,
    pub(crate) prev: u32,
    pub(crate) next: u32,
    pub(crate) kind: DomKind,
    pub(crate) flags: DomFlags,
    /// Tag name (elements), doctype name, or compat mode (documents; empty if none).
    pub(crate) name: Atom,
    pub(crate) data: NodeData,
}

/// Maps node ids to slots: a dense window `[base, base + len)` for the ids rrweb hands
/// out (consecutive, rising over a session), and a sorted map for ids outside it, so a
/// hostile id costs no memory and a lookup is never worse than logarithmic.
#[derive(Debug, Clone, Default)]
struct IdMap {
    base: i64,
    dense: SlotPages,
    sparse: BTreeMap<i32, u32>,
}

impl IdMap {
    /// How far past the window's end (beyond twice the live count) it may grow.
    const SLACK: usize = 1024;

    fn index(&self, id: NodeId) -> Option<usize> {
        let off = i64::from(id.0) - self.base;
        (off >= 0 && (off as usize) < self.dense.len()).then_some(off as usize)
    }

    fn get(&self, id: NodeId) -> Option<u32> {
        let slot = match self.index(id) {
            Some(i) => self.dense.get(i).copied(),
            None => self.sparse.get(&id.0).copied(),
        };
        slot.filter(|&s| s != NIL)
    }

    fn insert(&mut self, id: NodeId, slot: u32, live: usize) {
        if self.dense.is_empty() && self.sparse.is_empty() {
            self.base = i64::from(id.0);
        }
        if let Some(i) = self.index(id) {
            if let Some(e) = self.dense.get_mut(i) {
                *e = slot;
            }
            return;
        }
        let off = i64::from(id.0) - self.base;
        if off >= 0 && (off as usize) < 2 * live + Self::SLACK {
            let old_len = self.dense.len();
            self.dense.grow(off as usize + 1, NIL);
            // Ids that lived in the sparse map and now fall in the window move in.
            let lo = self.base + old_len as i64;
            let moved: Vec<(i32, u32)> = self
                .sparse
                .range(lo as i32..=id.0)
                .map(|(&k, &v)| (k, v))
                .collect();
            for (k, v) in moved {
                self.sparse.remove(&k);
                if let Some(e) = self.index(NodeId(k)).and_then(|i| self.dense.get_mut(i)) {
                    *e = v;
                }
            }
            if let Some(e) = self.dense.get_mut(off as usize) {
                *e = slot;
            }
            return;
        }
        self.sparse.insert(id.0, slot);
    }

    fn remove(&mut self, id: NodeId) {
        match self.index(id) {
            Some(i) => {
                if let Some(e) = self.dense.get_mut(i) {
                    *e = NIL;
                }
            }
            None => {
                self.sparse.remove(&id.0);
            }
        }
    }

    /// Every (id, slot) the map holds.
    fn pairs(&self) -> Vec<(i32, u32)> {
        let dense = self.dense.iter().enumerate().filter(|(_, s)| **s != NIL);
        let dense =
            dense.filter_map(|(i, &s)| Some((i32::try_from(self.base + i as i64).ok()?, s)));
        dense
            .chain(self.sparse.iter().map(|(&id, &s)| (id, s)))
            .collect()
    }

    fn clear(&mut self) {
        self.base = 0;
        self.dense.clear();
        self.sparse.clear();
    }

    /// Rebuilds the map for these (id, slot) pairs: the window covers the highest ids
    /// down to where they are at least a quarter dense; the rest go to the sorted map.
    fn rebuild(&mut self, mut pairs: Vec<(i32, u32)>) {
        self.clear();
        pairs.sort_unstable();
        let Some(&(max, _)) = pairs.last() else {
            return;
        };
        let mut base = i64::from(max);
        for (k, &(id, _)) in pairs.iter().rev().enumerate() {
            let span = i64::from(max) - i64::from(id) + 1;
            if (k as i64 + 1) * 4 >= span {
                base = i64::from(id);
            }
        }
        self.base = base;
        self.dense = std::iter::repeat_n(NIL, (i64::from(max) - base + 1) as usize).collect();
        for (id, slot) in pairs {
            match self.index(NodeId(id)) {
                Some(i) => {
                    if let Some(e) = self.dense.get_mut(i) {
                        *e = slot;
                    }
                }
                None => {
                    self.sparse.insert(id, slot);
                }
            }
        }
    }
}

/// Why a DOM operation did not happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DomIssue {
    DuplicateId(NodeId),
    TooManyNodes,
}

/// The replayed document.
#[derive(Debug, Clone, Default)]
pub struct Dom {
    nodes: NodePages,
    free: Vec<u32>,
    ids: IdMap,
    atoms: Arc<Atoms>,
    root: u32,
    live: usize,
    max_nodes: usize,
}

impl Dom {
    pub(crate) fn new(max_nodes: usize) -> Self {
        Dom {
            root: NIL,
            max_nodes,
            ..Dom::default()
        }
    }

    /// Number of live nodes (in the tree or detached but not freed).
    pub fn len(&self) -> usize {
        self.live
    }

    /// True when there is no node.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    pub(crate) fn clear(&mut self) {
        self.nodes.clear();
        self.free.clear();
        self.ids.clear();
        self.root = NIL;
        self.live = 0;
    }

    pub(crate) fn root(&self) -> u32 {
        self.root
    }

    /// The slot ranges where `self` and `other` may differ (see
    /// [`Paged::changed_ranges`]): everything outside them is the same, node for node.
    pub(crate) fn changed_slots<'a>(
        &'a self,
        other: &'a Dom,
    ) -> impl Iterator<Item = std::ops::Range<usize>> + 'a {
        self.nodes.changed_ranges(&other.nodes)
    }

    /// One more than the highest slot (slots index a vector of this length).
    pub(crate) fn slot_count(&self) -> usize {
        self.nodes.len()
    }

    pub(crate) fn node(&self, slot: u32) -> Option<&DomNode> {
        self.nodes.get(slot as usize)
    }

    fn node_mut(&mut self, slot: u32) -> Option<&mut DomNode> {
        self.nodes.get_mut(slot as usize)
    }

    pub(crate) fn slot_of(&self, id: NodeId) -> Option<u32> {
        self.ids.get(id)
    }

    pub(crate) fn name(&self, a: Atom) -> &str {
        self.atoms.get(a)
    }

    pub(crate) fn atom(&self, name: &str) -> Option<Atom> {
        self.atoms.find(name)
    }

    /// Tag name of an element slot.
    pub(crate) fn tag(&self, slot: u32) -> Option<&str> {
        let n = self.node(slot)?;
        (n.kind == DomKind::Element).then(|| self.name(n.name))
    }

    pub(crate) fn attrs(&self, slot: u32) -> &[DomAttr] {
        match self.node(slot).map(|n| &n.data) {
            Some(NodeData::Attrs(a)) => a,
            _ => &[],
        }
    }

    pub(crate) fn attr(&self, slot: u32, name: &str) -> Option<&str> {
        let a = self.atom(name)?;
        self.attrs(slot)
            .iter()
            .find(|x| x.name == a)
            .map(|x| &*x.value)
    }

    pub(crate) fn text(&self, slot: u32) -> Option<&str> {
        match self.node(slot).map(|n| &n.data) {
            Some(NodeData::Text(t)) => Some(t),
            _ => None,
        }
    }

    /// The children of `slot`, in order.
    pub(crate) fn children(&self, slot: u32) -> Children<'_> {
        Children {
            dom: self,
            next: self.node(slot).map_or(NIL, |n| n.first_child),
        }
    }

    /// The slots of the subtree at `slot` in document order (pre-order), iteratively.
    pub(crate) fn descendants(&self, slot: u32) -> Descendants<'_> {
        Descendants {
            dom: self,
            top: slot,
            next: if self.node(slot).is_some() { slot } else { NIL },
        }
    }

    fn alloc(&mut self, node: DomNode) -> Result<u32, DomIssue> {
        if self.live >= self.max_nodes {
            return Err(DomIssue::TooManyNodes);
        }
        self.live += 1;
        if let Some(slot) = self.free.pop()
            && let Some(n) = self.nodes.get_mut(slot as usize)
        {
            *n = node;
            return Ok(slot);
        }
        self.nodes.push(node);
        Ok((self.nodes.len() - 1) as u32)
    }

    fn make_node(&mut self, n: &SerializedNode) -> DomNode {
        let mut flags = DomFlags::empty();
        if n.is_shadow_host == Some(true) {
            flags |= DomFlags::SHADOW_HOST;
        }
        if n.is_shadow == Some(true) {
            flags |= DomFlags::IN_SHADOW;
        }
        let (kind, name, data) = match &n.kind {
            NodeKind::Document { compat_mode } => (
                DomKind::Document,
                intern(&mut self.atoms, compat_mode.as_deref().unwrap_or("")),
                NodeData::None,
            ),
            NodeKind::DocumentType {
                name,
                public_id,
                system_id,
            } => (
                DomKind::Doctype,
                intern(&mut self.atoms, name),
                NodeData::Doctype(Box::new([
                    public_id.as_str().into(),
                    system_id.as_str().into(),
                ])),
            ),
            NodeKind::Element {
                tag,
                attributes,
                is_svg,
                need_block,
                is_custom,
            } => {
                if *is_svg == Some(true) {
                    flags |= DomFlags::SVG;
                }
                if *need_block == Some(true) {
                    flags |= DomFlags::NEED_BLOCK;
                }
                if *is_custom == Some(true) {
                    flags |= DomFlags::CUSTOM;
                }
                let mut attrs = Vec::with_capacity(attributes.len());
                for a in attributes {
                    if let Some(v) = a.value.as_text() {
                        let name = intern(&mut self.atoms, &a.name);
                        attrs.push(DomAttr {
                            name,
                            value: v.into(),
                        });
                    }
                }
                // rrweb drops `rel` (and `href`) from a stylesheet link whose CSS it
                // inlines as `_cssText`; the live page had `rel="stylesheet"`.
                if tag == "link"
                    && attributes.iter().any(|a| a.name == "_cssText")
                    && !attributes.iter().any(|a| a.name == "rel")
                {
                    attrs.push(DomAttr {
                        name: intern(&mut self.atoms, "rel"),
                        value: "stylesheet".into(),
                    });
                }
                (
                    DomKind::Element,
                    intern(&mut self.atoms, tag),
                    NodeData::Attrs(attrs),
                )
            }
            NodeKind::Text { text, is_style } => {
                if *is_style == Some(true) {
                    flags |= DomFlags::STYLE_TEXT;
                }
                (
                    DomKind::Text,
                    intern(&mut self.atoms, ""),
                    NodeData::Text(text.as_str().into()),
                )
            }
            NodeKind::CData { text } => (
                DomKind::CData,
                intern(&mut self.atoms, ""),
                NodeData::Text(text.as_str().into()),
            ),
            NodeKind::Comment { text } => (
                DomKind::Comment,
                intern(&mut self.atoms, ""),
                NodeData::Text(text.as_str().into()),
            ),
            NodeKind::Unknown { type_code } => (
                DomKind::Unknown,
                intern(&mut self.atoms, ""),
                NodeData::UnknownType(*type_code),
            ),
        };
        DomNode {
            id: n.id,
            parent: NIL,
            first_child: NIL,
            last_child: NIL,
            prev: NIL,
            next: NIL,
            kind,
            flags,
            name,
            data,
        }
    }

    /// Links a detached `slot` under `parent`, before `before` (`NIL` appends).
    pub(crate) fn link(&mut self, slot: u32, parent: u32, before: u32) {
        let prev = if before == NIL {
            self.node(parent).map_or(NIL, |p| p.last_child)
        } else {
            self.node(before).map_or(NIL, |b| b.prev)
        };
        if let Some(n) = self.node_mut(slot) {
            n.parent = parent;
            n.prev = prev;
            n.next = before;
        }
        match self.node_mut(prev) {
            Some(p) => p.next = slot,
            None => {
                if let Some(p) = self.node_mut(parent) {
                    p.first_child = slot;
                }
            }
        }
        match self.node_mut(before) {
            Some(b) => b.prev = slot,
            None => {
                if let Some(p) = self.node_mut(parent) {
                    p.last_child = slot;
                }
            }
        }
    }

    /// Unlinks `slot` from its parent (it stays allocated, with its subtree).
    pub(crate) fn unlink(&mut self, slot: u32) {
        let Some(n) = self.node(slot) else { return };
        let (parent, prev, next) = (n.parent, n.prev, n.next);
        match self.node_mut(prev) {
            Some(p) => p.next = next,
            None => {
                if let Some(p) = self.node_mut(parent) {
                    p.first_child = next;
                }
            }
        }
        match self.node_mut(next) {
            Some(x) => x.prev = prev,
            None => {
                if let Some(p) = self.node_mut(parent) {
                    p.last_child = prev;
                }
            }
        }
        if let Some(n) = self.node_mut(slot) {
            n.parent = NIL;
            n.prev = NIL;
            n.next = NIL;
        }
        if self.root == slot {
            self.root = NIL;
        }
    }

    /// Frees `slot` and its subtree (unlinking it first) and unmaps their ids.
    pub(crate) fn remove(&mut self, slot: u32) {
        self.unlink(slot);
        let subtree: Vec<u32> = self.descendants(slot).collect();
        for s in subtree {
            if let Some(n) = self.nodes.get_mut(s as usize) {
                let id = n.id;
                let mapped = !n.flags.contains(DomFlags::UNMAPPED);
                n.data = NodeData::None;
                n.parent = NIL;
                n.first_child = NIL;
                n.last_child = NIL;
                n.prev = NIL;
                n.next = NIL;
                if mapped && self.ids.get(id) == Some(s) {
                    self.ids.remove(id);
                }
                self.free.push(s);
                self.live = self.live.saturating_sub(1);
            }
        }
    }

    /// Unmaps the ids of the subtree at `slot` but leaves the nodes in place (what
    /// rrweb does when a removal names the wrong parent).
    pub(crate) fn unmap_subtree(&mut self, slot: u32) {
        let subtree: Vec<u32> = self.descendants(slot).collect();
        for s in subtree {
            if let Some(n) = self.nodes.get_mut(s as usize) {
                let id = n.id;
                n.flags |= DomFlags::UNMAPPED;
                if self.ids.get(id) == Some(s) {
                    self.ids.remove(id);
                }
            }
        }
    }

    /// Creates one node (not its children) from a serialized node, detached.
    pub(crate) fn create(&mut self, n: &SerializedNode) -> Result<u32, DomIssue> {
        if self.ids.get(n.id).is_some() {
            return Err(DomIssue::DuplicateId(n.id));
        }
        let node = self.make_node(n);
        let slot = self.alloc(node)?;
        self.ids.insert(n.id, slot, self.live);
        Ok(slot)
    }

    /// Builds a whole serialized tree, detached; returns its root slot. Nodes with
    /// duplicate ids are skipped with their subtrees and reported.
    pub(crate) fn build(
        &mut self,
        tree: &NodeTree,
        issues: &mut Vec<DomIssue>,
    ) -> Result<Option<u32>, DomIssue> {
        let mut slots: Vec<u32> = Vec::with_capacity(tree.nodes.len());
        let mut root = None;
        for (i, tn) in tree.nodes.iter().enumerate() {
            let parent_slot = match tn.parent {
                Some(p) if (p as usize) < i => match slots.get(p as usize) {
                    Some(&s) if s != NIL => Some(s),
                    _ => {
                        // The parent was skipped: skip this node too.
                        slots.push(NIL);
                        continue;
                    }
                },
                _ if i == 0 => None,
                _ => {
                    slots.push(NIL);
                    continue;
                }
            };
            match self.create(&tn.node) {
                Ok(slot) => {
                    slots.push(slot);
                    match parent_slot {
                        Some(p) => self.link(slot, p, NIL),
                        None => root = Some(slot),
                    }
                }
                Err(DomIssue::TooManyNodes) => {
                    if let Some(r) = root {
                        self.remove(r);
                    }
                    return Err(DomIssue::TooManyNodes);
                }
                Err(e) => {
                    issues.push(e);
                    slots.push(NIL);
                }
            }
        }
        Ok(root)
    }

    /// Makes `slot` the document root.
    pub(crate) fn set_root(&mut self, slot: u32) {
        self.root = slot;
    }

    pub(crate) fn set_text(&mut self, slot: u32, text: &str) {
        if let Some(n) = self.node_mut(slot) {
            n.data = NodeData::Text(text.into());
        }
    }

    /// Sets (or with `None` removes) an attribute; a new one goes last.
    pub(crate) fn set_attr(&mut self, slot: u32, name: &str, value: Option<&str>) {
        let atom = match value {
            Some(_) => intern(&mut self.atoms, name),
            None => match self.atoms.find(name) {
                Some(a) => a,
                None => return,
            },
        };
        let Some(n) = self.node_mut(slot) else { return };
        let NodeData::Attrs(attrs) = &mut n.data else {
            return;
        };
        let pos = attrs.iter().position(|a| a.name == atom);
        match (pos, value) {
            (Some(i), Some(v)) => {
                if let Some(a) = attrs.get_mut(i) {
                    a.value = v.into();
                }
            }
            (None, Some(v)) => attrs.push(DomAttr {
                name: atom,
                value: v.into(),
            }),
            (Some(i), None) => {
                attrs.remove(i);
            }
            (None, None) => {}
        }
    }

    pub(crate) fn add_flags(&mut self, slot: u32, flags: DomFlags) {
        if let Some(n) = self.node_mut(slot) {
            n.flags |= flags;
        }
    }

    /// Replaces the children of `slot` by one unmapped text node (`textContent =` on an
    /// element).
    pub(crate) fn replace_children_with_text(&mut self, slot: u32, text: &str) {
        let kids: Vec<u32> = self.children(slot).collect();
        for k in kids {
            self.remove(k);
        }
        if text.is_empty() {
            return;
        }
        let empty = intern(&mut self.atoms, "");
        let node = DomNode {
            id: NodeId(0),
            parent: NIL,
            first_child: NIL,
            last_child: NIL,
            prev: NIL,
            next: NIL,
            kind: DomKind::Text,
            flags: DomFlags::UNMAPPED,
            name: empty,
            data: NodeData::Text(text.into()),
        };
        if let Ok(t) = self.alloc(node) {
            self.link(t, slot, NIL);
        }
    }

    /// Renumbers the slots in document order and drops freed ones, when more than half
    /// of the arena is free (long sessions leave a high-water mark behind). Slots are not
    /// part of the state's meaning, so nothing observable changes.
    ///
    /// When only the id map has grown lopsided (most ids outside its dense window, as
    /// when every new node gets a far higher id), only the map is rebuilt: the nodes stay
    /// where they are, so their pages stay shared with the keyframes.
    pub(crate) fn compact_if_sparse(&mut self) {
        if self.free.len() <= self.live.max(1024) {
            if self.ids.sparse.len() > 64 && self.ids.sparse.len() * 4 > self.live {
                self.ids.rebuild(self.ids.pairs());
            }
            return;
        }
        let order: Vec<u32> = self.descendants(self.root).collect();
        if order.len() != self.live {
            // Detached nodes exist (mid-operation); leave the arena as it is.
            return;
        }
        let mut remap = vec![NIL; self.nodes.len()];
        for (new, &old) in order.iter().enumerate() {
            if let Some(r) = remap.get_mut(old as usize) {
                *r = new as u32;
            }
        }
        let map = |s: u32| remap.get(s as usize).copied().unwrap_or(NIL);
        // The old nodes by slot: pages this state alone holds are moved, the ones it
        // shares with keyframes copied.
        let mut old_nodes = std::mem::take(&mut self.nodes).into_vec();
        let mut nodes = NodePages::default();
        for &old in &order {
            let Some(n) = old_nodes.get_mut(old as usize) else {
                continue;
            };
            let mut n = DomNode {
                data: std::mem::replace(&mut n.data, NodeData::None),
                ..*n
            };
            n.parent = map(n.parent);
            n.first_child = map(n.first_child);
            n.last_child = map(n.last_child);
            n.prev = map(n.prev);
            n.next = map(n.next);
            nodes.push(n);
        }
        self.root = map(self.root);
        self.nodes = nodes;
        self.free = Vec::new();
        let pairs = self
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| !n.flags.contains(DomFlags::UNMAPPED))
            .map(|(slot, n)| (n.id.0, slot as u32))
            .collect();
        self.ids.rebuild(pairs);
    }

    /// Bytes held by the arena's own structures (not counting text and attribute values).
    pub(crate) fn structure_bytes(&self) -> usize {
        let attrs: usize = self.nodes.iter().map(|n| payload_bytes(n).0).sum();
        self.nodes.bytes() + self.index_bytes() + attrs
    }

    /// Bytes of text and attribute values.
    pub(crate) fn text_bytes(&self) -> usize {
        self.nodes.iter().map(|n| payload_bytes(n).1).sum()
    }

    /// Bytes of the free list, the id map and its sorted part.
    fn index_bytes(&self) -> usize {
        self.free.capacity() * 4 + self.ids.sparse.len() * 16 + self.ids.dense.bytes()
    }

    /// Bytes this DOM holds that `other` does not share with it: the node and id pages
    /// it does not share (with the nodes' texts and attributes), and what is its own
    /// (page tables, free list, sorted ids). With no `other`, all it holds, structure
    /// and text together.
    pub(crate) fn bytes_beyond(&self, other: Option<&Dom>) -> usize {
        let nodes: usize = self
            .nodes
            .unshared_pages(other.map(|o| &o.nodes))
            .map(|page| {
                let payload: usize = page
                    .iter()
                    .map(|n| {
                        let (s, t) = payload_bytes(n);
                        s + t
                    })
                    .sum();
                NodePages::PAGE_BYTES + payload
            })
            .sum();
        let ids = self
            .ids
            .dense
            .unshared_pages(other.map(|o| &o.ids.dense))
            .count()
            * SlotPages::PAGE_BYTES;
        self.nodes.table_bytes()
            + self.ids.dense.table_bytes()
            + self.free.capacity() * 4
            + self.ids.sparse.len() * 16
            + nodes
            + ids
    }
}

/// Bytes a node holds outside the arena: (structure, text and attribute values).
fn payload_bytes(n: &DomNode) -> (usize, usize) {
    match &n.data {
        NodeData::Attrs(a) => (
            a.capacity() * std::mem::size_of::<DomAttr>(),
            a.iter().map(|x| x.value.len()).sum(),
        ),
        NodeData::Doctype(d) => (
            2 * std::mem::size_of::<Box<str>>(),
            d.iter().map(|s| s.len()).sum(),
        ),
        NodeData::Text(t) => (0, t.len()),
        _ => (0, 0),
    }
}

/// Iterator over a node's children.
pub(crate) struct Children<'a> {
    dom: &'a Dom,
    next: u32,
}

impl Iterator for Children<'_> {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        let cur = self.next;
        let n = self.dom.node(cur)?;
        self.next = n.next;
        Some(cur)
    }
}

/// Pre-order iterator over a subtree, following links (no stack).
pub(crate) struct Descendants<'a> {
    dom: &'a Dom,
    top: u32,
    next: u32,
}

impl Iterator for Descendants<'_> {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        let cur = self.next;
        let n = self.dom.node(cur)?;
        self.next = if n.first_child != NIL {
            n.first_child
        } else {
            // Climb until a node with a next sibling, stopping at the subtree's top.
            let mut at = cur;
            loop {
                if at == self.top {
                    break NIL;
                }
                let Some(x) = self.dom.node(at) else {
                    break NIL;
                };
                if x.next != NIL {
                    break x.next;
                }
                at = x.parent;
            }
        };
        Some(cur)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_map_window_sparse_and_rebuild() {
        let mut m = IdMap::default();
        m.insert(NodeId(1), 0, 0);
        m.insert(NodeId(100_000), 1, 1);
        m.insert(NodeId(-5), 2, 2);
        assert_eq!(m.get(NodeId(100_000)), Some(1));
        assert!(m.dense.len() < 10);
        // With many live nodes the window grows over 100,000, moving it in.
        m.insert(NodeId(100_500), 3, 60_000);
        assert_eq!(m.get(NodeId(100_000)), Some(1));
        assert_eq!(m.get(NodeId(100_500)), Some(3));
        assert_eq!(m.get(NodeId(-5)), Some(2));
        assert!(m.sparse.contains_key(&-5) && !m.sparse.contains_key(&100_000));
        m.remove(NodeId(100_000));
        assert_eq!(m.get(NodeId(100_000)), None);
        // A hostile id costs no memory.
        m.insert(NodeId(i32::MAX), 4, 1);
        assert!(m.dense.len() < 200_000);
        assert_eq!(m.get(NodeId(i32::MAX)), Some(4));
        // Rebuilding puts the dense run of high ids in the window.
        let mut pairs: Vec<(i32, u32)> = (1..100).map(|i| (i, i as u32)).collect();
        pairs.extend((370_000..371_000).map(|i| (i, i as u32)));
        m.rebuild(pairs);
        assert_eq!(m.base, 370_000);
        assert_eq!(m.dense.len(), 1000);
        assert_eq!(m.sparse.len(), 99);
        assert_eq!(m.get(NodeId(370_500)), Some(370_500));
        assert_eq!(m.get(NodeId(50)), Some(50));
        assert_eq!(m.get(NodeId(200)), None);
        // Rebuilding from its own pairs keeps every id where it was.
        let before = m.pairs();
        m.rebuild(m.pairs());
        assert_eq!(m.pairs(), before);
        assert_eq!(before.len(), 1099);
        assert_eq!(m.get(NodeId(370_999)), Some(370_999));
    }
}
