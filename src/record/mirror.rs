//! The host mirror: the recorder's copy of the host's tree, the ids it gave host nodes,
//! and each batch of mutation records applied and coalesced into one rrweb mutation.
//!
//! Ids come from a counter that only grows (a snapshot clears the map, not the
//! counter), so a node id is never given to two nodes: a key that leaves the tree and
//! comes back gets a new id, as in rrweb.

use std::collections::{BTreeMap, BTreeSet};

use bincode::{Decode, Encode};

use super::host::{HostIndex, HostKey, HostKind, HostTree, MutationRecord};
use super::persist::{STAGE, malformed};
use crate::error::StateError;
use crate::limits::Limits;
use crate::model::*;

/// One mirrored node.
#[derive(Debug, Clone)]
struct MirrorNode {
    key: HostKey,
    parent: Option<NodeId>,
    children: Vec<NodeId>,
    kind: HostKind,
    in_shadow: bool,
    /// An element in the SVG namespace: `<svg>` and what is under it, up to a
    /// `<foreignObject>` (rrweb's `isSVG`; a replayer creates it with its namespace, so
    /// that `viewBox` and friends keep their case and it draws).
    svg: bool,
}

/// The mirrored tree and the host-key-to-id map.
#[derive(Debug)]
pub(super) struct Mirror {
    ids: BTreeMap<HostKey, NodeId>,
    nodes: BTreeMap<NodeId, MirrorNode>,
    root: Option<NodeId>,
    next_id: i32,
    /// The last value and checked state recorded per form field, to drop repeats. It
    /// lives here because it lives and dies with the node: forgetting a node forgets it.
    inputs: BTreeMap<NodeId, (String, bool)>,
    /// Per field, the last value as it left (masked), when the masking changed it: a
    /// keyframe restates that, not the raw value, since the keyframe's snapshot resets
    /// what the masking remembers (a field that was ever a password).
    shown: BTreeMap<NodeId, String>,
    /// The last scroll position seen per node (the document's is the window's), for
    /// keyframes: a replay that starts at one shows the page scrolled as it was.
    scrolls: BTreeMap<NodeId, (f64, f64)>,
}

impl Mirror {
    pub(super) fn new() -> Self {
        Mirror {
            ids: BTreeMap::new(),
            nodes: BTreeMap::new(),
            root: None,
            next_id: 1,
            inputs: BTreeMap::new(),
            shown: BTreeMap::new(),
            scrolls: BTreeMap::new(),
        }
    }

    /// How many nodes are mirrored.
    pub(super) fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether there is a tree to take keyframes of.
    pub(super) fn has_root(&self) -> bool {
        self.root.is_some()
    }

    /// The id of a host node in the mirrored tree.
    #[inline]
    pub(super) fn id(&self, key: HostKey) -> Option<NodeId> {
        self.ids.get(&key).copied()
    }

    /// The id of a host node, or rrweb's "unknown" id (pointer and focus events still go
    /// out for nodes the recorder never saw).
    #[inline]
    pub(super) fn id_or_unknown(&self, key: HostKey) -> NodeId {
        self.id(key).unwrap_or(NodeId::UNKNOWN)
    }

    /// Whether a field's value differs from the last one recorded for it; remembers it
    /// when it does.
    pub(super) fn input_changed(&mut self, id: NodeId, value: &str, checked: bool) -> bool {
        if self
            .inputs
            .get(&id)
            .is_some_and(|(v, c)| v == value && *c == checked)
        {
            return false;
        }
        self.inputs.insert(id, (value.to_owned(), checked));
        true
    }

    /// Node `id` was scrolled to (`x`, `y`) (finite; a mirrored node).
    pub(super) fn set_scroll(&mut self, id: NodeId, x: f64, y: f64) {
        if !self.nodes.contains_key(&id) || !x.is_finite() || !y.is_finite() {
            return;
        }
        if x == 0.0 && y == 0.0 {
            self.scrolls.remove(&id);
        } else {
            self.scrolls.insert(id, (x, y));
        }
    }

    /// The root's id (the document's).
    pub(super) fn root(&self) -> Option<NodeId> {
        self.root
    }

    /// Where node `id` was last scrolled to, if anywhere but the top left.
    pub(super) fn scroll_of(&self, id: NodeId) -> Option<(f64, f64)> {
        self.scrolls.get(&id).copied()
    }

    /// Scrolled nodes and where, in id order.
    pub(super) fn scrolls(&self) -> impl Iterator<Item = (NodeId, (f64, f64))> + '_ {
        self.scrolls.iter().map(|(&id, &p)| (id, p))
    }

    /// Field `id`'s value left as `text` (after masking).
    pub(super) fn input_shown(&mut self, id: NodeId, text: &str) {
        let Some((raw, _)) = self.inputs.get(&id) else {
            return;
        };
        if raw == text {
            self.shown.remove(&id);
        } else {
            self.shown.insert(id, text.to_owned());
        }
    }

    /// Fields with a recorded value, in id order, each with the value to restate: the
    /// masked one it last left as, if masking changed it, else the raw one.
    pub(super) fn inputs(&self) -> impl Iterator<Item = (NodeId, &str, bool)> + '_ {
        self.inputs.iter().map(|(&id, (v, c))| {
            let text = self.shown.get(&id).map_or(v.as_str(), String::as_str);
            (id, text, *c)
        })
    }

    /// Whether node `id` is mirrored.
    pub(super) fn contains(&self, id: NodeId) -> bool {
        self.nodes.contains_key(&id)
    }

    /// The parent of node `id`.
    pub(super) fn parent(&self, id: NodeId) -> Option<NodeId> {
        self.nodes.get(&id)?.parent
    }

    /// The CSS recorded for a `<style>` or `<link>` element: its `_cssText`, else its
    /// text children's. `None` for a node that is not an element.
    pub(super) fn sheet_css(&self, id: NodeId) -> Option<String> {
        let HostKind::Element { attributes, .. } = &self.nodes.get(&id)?.kind else {
            return None;
        };
        if let Some((_, css)) = attributes.iter().find(|(n, _)| n == "_cssText") {
            return Some(css.clone());
        }
        let kids = &self.nodes.get(&id)?.children;
        Some(
            kids.iter()
                .filter_map(|c| match &self.nodes.get(c)?.kind {
                    HostKind::Text(t) => Some(t.as_str()),
                    _ => None,
                })
                .collect(),
        )
    }

    /// Puts a sheet's current CSS where [`Mirror::sheet_css`] read it from (the first
    /// text child, the others emptied, or `_cssText`), so that keyframes show it.
    pub(super) fn set_sheet_css(&mut self, id: NodeId, css: String) {
        let Some(node) = self.nodes.get(&id) else {
            return;
        };
        let HostKind::Element { attributes, .. } = &node.kind else {
            return;
        };
        let has_attr = attributes.iter().any(|(n, _)| n == "_cssText");
        let texts: Vec<NodeId> = node
            .children
            .iter()
            .copied()
            .filter(|c| matches!(self.nodes.get(c).map(|n| &n.kind), Some(HostKind::Text(_))))
            .collect();
        if has_attr || texts.is_empty() {
            if let Some(MirrorNode {
                kind: HostKind::Element { attributes, .. },
                ..
            }) = self.nodes.get_mut(&id)
            {
                match attributes.iter_mut().find(|(n, _)| n == "_cssText") {
                    Some((_, v)) => *v = css,
                    None => attributes.push(("_cssText".to_owned(), css)),
                }
            }
            return;
        }
        let mut css = Some(css);
        for t in texts {
            if let Some(MirrorNode {
                kind: HostKind::Text(text),
                ..
            }) = self.nodes.get_mut(&t)
            {
                *text = css.take().unwrap_or_default();
            }
        }
    }

    /// Replaces the mirror with a host tree (a full snapshot). Ids keep counting up.
    pub(super) fn reset_to(&mut self, tree: &HostTree) {
        self.ids.clear();
        self.nodes.clear();
        self.inputs.clear();
        self.shown.clear();
        self.scrolls.clear();
        let ids = self.insert_tree(tree, None, None, None);
        self.root = ids.first().copied();
    }

    /// The whole mirrored tree, serialized; `None` before the first snapshot.
    pub(super) fn tree(&self) -> Option<NodeTree> {
        self.root.map(|root| self.tree_of(root))
    }

    /// Whether an element of `kind` under `parent` is in the SVG namespace.
    fn svg_under(&self, parent: Option<NodeId>, kind: &HostKind) -> bool {
        let HostKind::Element { tag, .. } = kind else {
            return false;
        };
        if tag.eq_ignore_ascii_case("svg") {
            return true;
        }
        parent.and_then(|p| self.nodes.get(&p)).is_some_and(|p| {
            p.svg
                && !matches!(&p.kind, HostKind::Element { tag, .. } if tag.eq_ignore_ascii_case("foreignobject"))
        })
    }

    fn alloc(&mut self, key: HostKey) -> NodeId {
        if let Some(&id) = self.ids.get(&key) {
            return id;
        }
        let id = NodeId(self.next_id);
        self.next_id = self.next_id.saturating_add(1);
        self.ids.insert(key, id);
        id
    }

    fn serialize(&self, id: NodeId) -> Option<SerializedNode> {
        let n = self.nodes.get(&id)?;
        let (kind, shape) = match &n.kind {
            HostKind::Document => (
                NodeKind::Document { compat_mode: None },
                NodeShape::CHILD_LIST,
            ),
            HostKind::Doctype { name } => (
                NodeKind::DocumentType {
                    name: name.clone(),
                    public_id: String::new(),
                    system_id: String::new(),
                },
                NodeShape::empty(),
            ),
            HostKind::Element { tag, attributes } => (
                NodeKind::Element {
                    tag: tag.clone(),
                    attributes: attributes
                        .iter()
                        .map(|(k, v)| Attribute {
                            name: k.clone(),
                            value: AttrValue::Str(v.clone()),
                        })
                        .collect(),
                    is_svg: n.svg.then_some(true),
                    need_block: None,
                    is_custom: None,
                },
                NodeShape::CHILD_LIST,
            ),
            HostKind::Text(t) => (
                NodeKind::Text {
                    text: t.clone(),
                    is_style: None,
                },
                NodeShape::empty(),
            ),
            HostKind::Comment(t) => (NodeKind::Comment { text: t.clone() }, NodeShape::empty()),
        };
        Some(SerializedNode {
            id,
            kind,
            root_id: None,
            // Set by the callers (`tree_of` while it walks, `mark_shadow_host` for one
            // node), which know the children without a second pass over them.
            is_shadow_host: None,
            is_shadow: n.in_shadow.then_some(true),
            shape,
            extra: Vec::new(),
        })
    }

    /// Marks a node serialized on its own as a shadow host when it has shadow children
    /// (rrweb's rebuild attaches a shadow root only to a marked node).
    fn mark_shadow_host(&self, node: &mut SerializedNode, n: &MirrorNode) {
        if n.children
            .iter()
            .any(|c| self.nodes.get(c).is_some_and(|c| c.in_shadow))
        {
            node.is_shadow_host = Some(true);
        }
    }

    /// The mirrored tree (or a subtree) as a serialized tree, without recursion.
    fn tree_of(&self, top: NodeId) -> NodeTree {
        let mut nodes: Vec<TreeNode> = Vec::new();
        let mut stack: Vec<(NodeId, Option<u32>)> = vec![(top, None)];
        while let Some((id, parent)) = stack.pop() {
            let Some(node) = self.serialize(id) else {
                continue;
            };
            let index = nodes.len() as u32;
            // rrweb's rebuild attaches a shadow root only to a node marked as its host;
            // without the mark its Replayer drops the shadow children.
            if node.is_shadow == Some(true)
                && let Some(p) = parent.and_then(|p| nodes.get_mut(p as usize))
            {
                p.node.is_shadow_host = Some(true);
            }
            nodes.push(TreeNode { parent, node });
            if let Some(n) = self.nodes.get(&id) {
                // Reversed so that the stack pops the children in document order.
                for &c in n.children.iter().rev() {
                    stack.push((c, Some(index)));
                }
            }
        }
        NodeTree { nodes }
    }

    /// Inserts a host subtree under `parent` before `before`; returns the new ids. A
    /// key that was already in the tree moves: its old node is taken out, and when
    /// `displaced` is given, the old node and its parent are listed there, so that the
    /// batch emits its removal (a host that reads the DOM late can walk a node into a
    /// new place before the record of its move reaches the recorder).
    fn insert_tree(
        &mut self,
        tree: &HostTree,
        parent: Option<NodeId>,
        before: Option<NodeId>,
        mut displaced: Option<&mut Vec<(NodeId, Option<NodeId>)>>,
    ) -> Vec<NodeId> {
        let mut ids: Vec<NodeId> = Vec::with_capacity(tree.nodes.len());
        for (i, hn) in tree.nodes.iter().enumerate() {
            // A parent must come earlier in pre-order; anything else hangs the node
            // under the subtree's own parent rather than trusting a bad index.
            let p = match hn.parent {
                Some(HostIndex(pi)) if pi < i => ids.get(pi).copied(),
                _ => parent,
            };
            // A key already in the tree moves: take it out first.
            if let Some(&old) = self.ids.get(&hn.key) {
                if let Some(list) = displaced.as_deref_mut() {
                    let old_parent = self.nodes.get(&old).and_then(|n| n.parent);
                    if old_parent.is_some() && self.attached(old) {
                        list.push((old, old_parent));
                    }
                }
                self.detach(old);
                self.forget(old);
            }
            let id = self.alloc(hn.key);
            let svg = self.svg_under(p, &hn.kind);
            self.nodes.insert(
                id,
                MirrorNode {
                    key: hn.key,
                    parent: p,
                    children: Vec::new(),
                    kind: hn.kind.clone(),
                    in_shadow: hn.in_shadow,
                    svg,
                },
            );
            if let Some(pid) = p
                && let Some(pn) = self.nodes.get_mut(&pid)
            {
                // Only the subtree's root goes before `before`; its descendants are
                // appended in pre-order, which is their order.
                let at = if i == 0 {
                    before
                        .and_then(|b| pn.children.iter().position(|&c| c == b))
                        .unwrap_or(pn.children.len())
                } else {
                    pn.children.len()
                };
                pn.children.insert(at, id);
            }
            ids.push(id);
        }
        ids
    }

    fn detach(&mut self, id: NodeId) {
        let parent = self.nodes.get(&id).and_then(|n| n.parent);
        if let Some(p) = parent
            && let Some(pn) = self.nodes.get_mut(&p)
        {
            pn.children.retain(|&c| c != id);
        }
        if let Some(n) = self.nodes.get_mut(&id) {
            n.parent = None;
        }
    }

    /// Forgets a detached subtree (its keys get new ids if they come back later).
    fn forget(&mut self, id: NodeId) {
        let mut stack = vec![id];
        while let Some(x) = stack.pop() {
            if let Some(n) = self.nodes.remove(&x) {
                self.ids.remove(&n.key);
                self.inputs.remove(&x);
                self.shown.remove(&x);
                self.scrolls.remove(&x);
                stack.extend(n.children);
            }
        }
    }

    /// Whether `id` hangs under the root. Bounded by the node count, so a cycle (which
    /// the mirror never builds, but a walk must not trust) ends the walk.
    fn attached(&self, id: NodeId) -> bool {
        let mut at = Some(id);
        let mut steps = 0;
        while let Some(x) = at {
            if Some(x) == self.root {
                return true;
            }
            at = self.nodes.get(&x).and_then(|n| n.parent);
            steps += 1;
            if steps > self.nodes.len() {
                return false;
            }
        }
        false
    }

    /// Applies one batch of mutation records (one MutationObserver callback) and returns
    /// it coalesced: a node added and removed within the batch is left out; several
    /// changes to one attribute or text give the last value. `None` when the batch
    /// changed nothing that is attached.
    pub(super) fn apply(&mut self, records: &[MutationRecord]) -> Option<Mutation> {
        // Nodes present before the batch, with their parents (for removes), in the order
        // the host removed them: that order is always valid to replay.
        let mut before_order: Vec<NodeId> = Vec::new();
        let mut before: BTreeMap<NodeId, Option<NodeId>> = BTreeMap::new();
        for r in records {
            if let MutationRecord::ChildList { removed, .. } = r {
                for k in removed {
                    if let Some(&id) = self.ids.get(k)
                        && !before.contains_key(&id)
                    {
                        before.insert(id, self.nodes.get(&id).and_then(|n| n.parent));
                        before_order.push(id);
                    }
                }
            }
        }
        let mut added: Vec<NodeId> = Vec::new();
        let mut texts: BTreeMap<NodeId, ()> = BTreeMap::new();
        let mut attrs: BTreeMap<NodeId, Vec<String>> = BTreeMap::new();
        for r in records {
            match r {
                MutationRecord::ChildList {
                    target,
                    added: add,
                    removed,
                    next_sibling,
                } => {
                    for k in removed {
                        if let Some(&id) = self.ids.get(k) {
                            self.detach(id);
                            // Keep it known until the batch ends: it may come back.
                            if let Some(n) = self.nodes.get_mut(&id) {
                                n.parent = None;
                            }
                        }
                    }
                    let Some(&parent) = self.ids.get(target) else {
                        continue;
                    };
                    let before_id = next_sibling.and_then(|k| self.ids.get(&k).copied());
                    for t in add {
                        let mut displaced = Vec::new();
                        added.extend(self.insert_tree(
                            t,
                            Some(parent),
                            before_id,
                            Some(&mut displaced),
                        ));
                        // A node the batch moved without a removal record: it leaves its
                        // old place as if removed there (unless the batch added it).
                        for (old, old_parent) in displaced {
                            if !before.contains_key(&old) && !added.contains(&old) {
                                before.insert(old, old_parent);
                                before_order.push(old);
                            }
                        }
                    }
                }
                MutationRecord::Attributes {
                    target,
                    name,
                    value,
                    ..
                } => {
                    let Some(&id) = self.ids.get(target) else {
                        continue;
                    };
                    if let Some(MirrorNode {
                        kind: HostKind::Element { attributes, .. },
                        ..
                    }) = self.nodes.get_mut(&id)
                    {
                        match value {
                            Some(v) => match attributes.iter_mut().find(|(k, _)| k == name) {
                                Some(a) => a.1.clone_from(v),
                                None => attributes.push((name.clone(), v.clone())),
                            },
                            None => attributes.retain(|(k, _)| k != name),
                        }
                        let list = attrs.entry(id).or_default();
                        if !list.contains(name) {
                            list.push(name.clone());
                        }
                    }
                }
                MutationRecord::CharacterData { target, value, .. } => {
                    let Some(&id) = self.ids.get(target) else {
                        continue;
                    };
                    if let Some(n) = self.nodes.get_mut(&id)
                        && let HostKind::Text(t) | HostKind::Comment(t) = &mut n.kind
                    {
                        t.clone_from(value);
                        texts.insert(id, ());
                    }
                }
            }
        }
        // Lookups into the batch's additions stay logarithmic on large batches.
        let added_set: BTreeSet<NodeId> = added.iter().copied().collect();
        let mut m = Mutation::default();
        // Removes: nodes that were in the tree before the batch and are now gone or moved.
        for &id in &before_order {
            let Some(old_parent) = before.get(&id).copied().flatten() else {
                continue;
            };
            let now_parent = self.nodes.get(&id).and_then(|n| n.parent);
            if now_parent == Some(old_parent) && !added_set.contains(&id) {
                continue; // removed and put back in place within the batch
            }
            // Only the top of a removed subtree: skip if an ancestor was removed too.
            if before.contains_key(&old_parent)
                && self.nodes.get(&old_parent).and_then(|n| n.parent).is_none()
            {
                continue;
            }
            m.removes.push(Removal {
                parent_id: old_parent,
                id,
                is_shadow: None,
                extra: Vec::new(),
            });
        }
        // Adds: nodes added in this batch and attached at the end, in document order.
        // An add whose next sibling is added later in the list waits for it on replay.
        let mut seen = BTreeSet::new();
        for &id in &added {
            if !seen.insert(id) || !self.attached(id) {
                continue;
            }
            let Some(n) = self.nodes.get(&id) else {
                continue;
            };
            let Some(parent) = n.parent else { continue };
            let next = self.nodes.get(&parent).and_then(|p| {
                let i = p.children.iter().position(|&c| c == id)?;
                p.children.get(i + 1).copied()
            });
            if let Some(mut node) = self.serialize(id) {
                self.mark_shadow_host(&mut node, n);
                m.adds.push(Addition {
                    parent_id: parent,
                    next_id: next,
                    previous_id: None,
                    node: NodeTree::single(node),
                    extra: Vec::new(),
                });
            }
        }
        // Text and attribute changes: only on nodes that were there before the batch (an
        // added node already carries its last values) and are still attached.
        for (&id, ()) in &texts {
            if added_set.contains(&id) || !self.attached(id) {
                continue;
            }
            if let Some(MirrorNode {
                kind: HostKind::Text(t) | HostKind::Comment(t),
                ..
            }) = self.nodes.get(&id)
            {
                m.texts.push(TextChange {
                    id,
                    value: Some(t.clone()),
                    extra: Vec::new(),
                });
            }
        }
        for (id, names) in attrs {
            if added_set.contains(&id) || !self.attached(id) {
                continue;
            }
            let Some(MirrorNode {
                kind: HostKind::Element { attributes, .. },
                ..
            }) = self.nodes.get(&id)
            else {
                continue;
            };
            let list: Attributes = names
                .iter()
                .map(|n| Attribute {
                    name: n.clone(),
                    value: match attributes.iter().find(|(k, _)| k == n) {
                        Some((_, v)) => AttrValue::Str(v.clone()),
                        None => AttrValue::Removed,
                    },
                })
                .collect();
            m.attributes.push(AttributeChange {
                id,
                attributes: list,
                extra: Vec::new(),
            });
        }
        // Nodes removed and not put back are forgotten.
        for &id in before.keys() {
            if !self.attached(id) {
                self.forget(id);
            }
        }
        let orphans: Vec<NodeId> = added
            .iter()
            .copied()
            .filter(|&id| !self.attached(id))
            .collect();
        for id in orphans {
            self.forget(id);
        }
        let changed = !(m.adds.is_empty()
            && m.removes.is_empty()
            && m.texts.is_empty()
            && m.attributes.is_empty());
        changed.then_some(m)
    }
}

// The saved form (see `super::persist`). Encoding and decoding sit side by side here so
// that a change to one shows in the other.

/// A host node kind as saved (its own layout, so that the public [`HostKind`] can change
/// without changing saved states).
#[derive(Encode, Decode)]
enum SavedKind {
    Document,
    Doctype(String),
    Element(String, Vec<(String, String)>),
    Text(String),
    Comment(String),
}

/// Where a saved node hangs.
#[derive(Encode, Decode)]
enum SavedParent {
    /// At the top: the root, or a node the host handed over without a parent.
    None,
    /// Under the saved node at this index, which comes earlier.
    Earlier(u32),
    /// Under a node the mirror has forgotten since (its key came back in the same
    /// snapshot): the node stays out of the tree, but a removal of it names that parent.
    Gone(i32),
}

#[derive(Encode, Decode)]
struct SavedNode {
    id: i32,
    key: u64,
    parent: SavedParent,
    kind: SavedKind,
    in_shadow: bool,
}

/// The mirror as saved: its nodes in pre-order, the root's tree first, then every tree
/// the mirror keeps outside it, in id order; a node's children are the nodes that name
/// it as parent, in the order saved.
#[derive(Encode, Decode)]
pub(super) struct SavedMirror {
    root: Option<i32>,
    next_id: i32,
    nodes: Vec<SavedNode>,
    /// The last value recorded per field, in id order, with the masked form it left
    /// as when masking changed it.
    inputs: Vec<(i32, String, bool, Option<String>)>,
    /// The last scroll position per scrolled node, in id order.
    scrolls: Vec<(i32, f64, f64)>,
}

impl Mirror {
    /// Tops of the trees the mirror holds: the root (if it is still there), then every
    /// node with no parent, or a parent the mirror forgot, in id order.
    ///
    /// The mirror can hold nodes outside the root's tree: a snapshot whose host tree has
    /// several parentless nodes keeps them all, and one in which a key comes twice
    /// forgets the first node (and its subtree) while later nodes still name it as
    /// parent. Their keys keep their ids (an input or scroll on them is recorded), so
    /// they are saved too.
    fn tops(&self) -> Vec<NodeId> {
        let root = self.root.filter(|r| self.nodes.contains_key(r));
        let others = self.nodes.iter().filter(|&(&id, n)| {
            Some(id) != root && n.parent.is_none_or(|p| !self.nodes.contains_key(&p))
        });
        root.into_iter().chain(others.map(|(&id, _)| id)).collect()
    }

    /// The saved form. Every node is reached: a node whose parent is mirrored is in
    /// that parent's child list (inserting puts it there, detaching takes it out of
    /// both). Child-list entries of nodes forgotten without being detached (an
    /// addition under a node outside the tree, forgotten at the end of its batch) are
    /// left out: no walk or lookup ever finds them, since none leads outside the tree.
    pub(super) fn save(&self) -> SavedMirror {
        let mut nodes = Vec::with_capacity(self.nodes.len());
        let mut index: BTreeMap<NodeId, u32> = BTreeMap::new();
        for top in self.tops() {
            let mut stack = vec![top];
            while let Some(id) = stack.pop() {
                let Some(n) = self.nodes.get(&id) else {
                    continue;
                };
                if index.contains_key(&id) {
                    continue;
                }
                let parent = match n.parent {
                    None => SavedParent::None,
                    Some(p) => match index.get(&p) {
                        Some(&i) => SavedParent::Earlier(i),
                        None => SavedParent::Gone(p.0),
                    },
                };
                index.insert(id, nodes.len() as u32);
                nodes.push(SavedNode {
                    id: id.0,
                    key: n.key.0,
                    parent,
                    kind: match &n.kind {
                        HostKind::Document => SavedKind::Document,
                        HostKind::Doctype { name } => SavedKind::Doctype(name.clone()),
                        HostKind::Element { tag, attributes } => {
                            SavedKind::Element(tag.clone(), attributes.clone())
                        }
                        HostKind::Text(t) => SavedKind::Text(t.clone()),
                        HostKind::Comment(t) => SavedKind::Comment(t.clone()),
                    },
                    in_shadow: n.in_shadow,
                });
                // Reversed so that the stack pops the children in order.
                let children = n.children.iter().rev().copied();
                stack.extend(
                    children.filter(|c| self.nodes.get(c).is_some_and(|cn| cn.parent == Some(id))),
                );
            }
        }
        SavedMirror {
            root: self.root.map(|r| r.0),
            next_id: self.next_id,
            nodes,
            inputs: (self.inputs.iter())
                .map(|(id, (v, c))| (id.0, v.clone(), *c, self.shown.get(id).cloned()))
                .collect(),
            scrolls: (self.scrolls.iter())
                .map(|(id, &(x, y))| (id.0, x, y))
                .collect(),
        }
    }

    /// A mirror from its saved form, checked: at most `limits.nodes` nodes, ids unique,
    /// positive and below the next id, keys unique, every parent an earlier node or
    /// one that is not there, the root at the top, inputs and scroll positions on known
    /// nodes in id order.
    /// The rebuilt mirror is a forest whatever the bytes said, so every walk ends.
    pub(super) fn restore(s: SavedMirror, limits: &Limits) -> Result<Mirror, StateError> {
        if s.nodes.len() > limits.nodes {
            return Err(StateError::LimitExceeded {
                stage: STAGE,
                what: "nodes",
                limit: limits.nodes,
            });
        }
        let next_id = s.next_id;
        if next_id < 1 {
            return Err(malformed("the next node id is not positive"));
        }
        let valid_id = |id: i32| (1..next_id).contains(&id);
        let mut m = Mirror::new();
        m.next_id = next_id;
        let mut order: Vec<NodeId> = Vec::with_capacity(s.nodes.len());
        let mut gone: Vec<NodeId> = Vec::new();
        for n in s.nodes {
            if !valid_id(n.id) {
                return Err(malformed("a node id is not below the next id"));
            }
            let id = NodeId(n.id);
            let key = HostKey(n.key);
            if m.nodes.contains_key(&id) {
                return Err(malformed("a node id appears twice"));
            }
            if m.ids.insert(key, id).is_some() {
                return Err(malformed("a host key appears twice"));
            }
            let parent = match n.parent {
                SavedParent::None => None,
                SavedParent::Earlier(i) => {
                    let p = order
                        .get(i as usize)
                        .copied()
                        .ok_or_else(|| malformed("a parent does not come before its child"))?;
                    if let Some(pn) = m.nodes.get_mut(&p) {
                        pn.children.push(id);
                    }
                    Some(p)
                }
                SavedParent::Gone(p) => {
                    if !valid_id(p) {
                        return Err(malformed("a node id is not below the next id"));
                    }
                    gone.push(NodeId(p));
                    Some(NodeId(p))
                }
            };
            let kind = match n.kind {
                SavedKind::Document => HostKind::Document,
                SavedKind::Doctype(name) => HostKind::Doctype { name },
                SavedKind::Element(tag, attributes) => HostKind::Element { tag, attributes },
                SavedKind::Text(t) => HostKind::Text(t),
                SavedKind::Comment(t) => HostKind::Comment(t),
            };
            // Parents come first, so the namespace follows from them as it did live.
            let svg = m.svg_under(parent, &kind);
            m.nodes.insert(
                id,
                MirrorNode {
                    key,
                    parent,
                    children: Vec::new(),
                    kind,
                    in_shadow: n.in_shadow,
                    svg,
                },
            );
            order.push(id);
        }
        // A forgotten parent that is there after all would leave its child out of its
        // child list.
        if gone.iter().any(|p| m.nodes.contains_key(p)) {
            return Err(malformed("a forgotten parent is still mirrored"));
        }
        if let Some(r) = s.root {
            if !valid_id(r) {
                return Err(malformed("a node id is not below the next id"));
            }
            if m.nodes.get(&NodeId(r)).is_some_and(|n| n.parent.is_some()) {
                return Err(malformed("the root has a parent"));
            }
            m.root = Some(NodeId(r));
        }
        let mut last = 0;
        for (id, value, checked, shown) in s.inputs {
            if id <= last || !m.nodes.contains_key(&NodeId(id)) {
                return Err(malformed(
                    "a field value is on an unknown node or out of order",
                ));
            }
            last = id;
            m.inputs.insert(NodeId(id), (value, checked));
            if let Some(text) = shown {
                m.shown.insert(NodeId(id), text);
            }
        }
        let mut last = 0;
        for (id, x, y) in s.scrolls {
            if id <= last || !m.nodes.contains_key(&NodeId(id)) {
                return Err(malformed(
                    "a scroll position is on an unknown node or out of order",
                ));
            }
            if !x.is_finite() || !y.is_finite() {
                return Err(malformed("a scroll position is not a finite number"));
            }
            last = id;
            m.scrolls.insert(NodeId(id), (x, y));
        }
        Ok(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(tag: &str) -> HostKind {
        HostKind::Element {
            tag: tag.into(),
            attributes: vec![("class".into(), "c".into())],
        }
    }

    fn node(key: u64, parent: Option<usize>, kind: HostKind) -> super::super::HostTreeNode {
        super::super::HostTreeNode {
            key: HostKey(key),
            parent: parent.map(HostIndex),
            kind,
            in_shadow: false,
        }
    }

    /// A mirror with nodes outside the root's tree: a second parentless node with a
    /// child, and a key that comes twice (the first node is forgotten; the second
    /// names the first's child, forgotten with it, as its parent).
    fn odd_mirror() -> Mirror {
        let mut m = Mirror::new();
        m.reset_to(&HostTree {
            nodes: vec![
                node(1, None, HostKind::Document),
                node(2, Some(0), el("html")),
                node(3, Some(1), el("input")),
                node(10, None, el("aside")),
                node(11, Some(3), HostKind::Text("t".into())),
                node(20, Some(1), el("div")),
                node(21, Some(5), el("span")),
                node(20, Some(6), el("p")),
            ],
        });
        m.input_changed(NodeId(3), "v", true);
        m.input_changed(NodeId(4), "w", false);
        m
    }

    fn saved_bytes(m: &Mirror) -> Vec<u8> {
        bincode::encode_to_vec(m.save(), bincode::config::standard()).unwrap()
    }

    fn from_bytes(b: &[u8]) -> Result<Mirror, StateError> {
        let (s, _): (SavedMirror, usize) =
            bincode::decode_from_slice(b, bincode::config::standard()).unwrap();
        Mirror::restore(s, &Limits::DEFAULT)
    }

    #[test]
    fn nodes_outside_the_tree_survive_and_behave_the_same() {
        let mut live = odd_mirror();
        // The second `20` is outside the tree, under a forgotten node.
        let p = live.id(HostKey(20)).unwrap();
        let gone = live.nodes[&p].parent.unwrap();
        assert!(!live.nodes.contains_key(&gone));
        assert!(live.id(HostKey(10)).is_some() && !live.attached(live.id(HostKey(10)).unwrap()));
        let bytes = saved_bytes(&live);
        let mut back = from_bytes(&bytes).unwrap();
        assert_eq!(saved_bytes(&back), bytes);
        assert_eq!(back.len(), live.len());
        assert_eq!(format!("{:?}", back.tree()), format!("{:?}", live.tree()));
        // Removing the nodes outside the tree, and adding under one, coalesce alike.
        let mut add = HostTree::default();
        add.push(HostKey(30), None, HostKind::Text("x".into()));
        let records = [
            MutationRecord::ChildList {
                target: HostKey(10),
                added: vec![add],
                removed: vec![HostKey(11), HostKey(20)],
                next_sibling: None,
            },
            MutationRecord::ChildList {
                target: HostKey(2),
                added: vec![],
                removed: vec![HostKey(3)],
                next_sibling: None,
            },
        ];
        let (a, b) = (live.apply(&records), back.apply(&records));
        assert!(a.is_some());
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
        assert_eq!(saved_bytes(&back), saved_bytes(&live));
    }

    fn saved(nodes: Vec<SavedNode>) -> SavedMirror {
        SavedMirror {
            root: Some(1),
            next_id: 10,
            nodes,
            inputs: vec![],
            scrolls: vec![],
        }
    }

    fn sn(id: i32, key: u64, parent: SavedParent) -> SavedNode {
        SavedNode {
            id,
            key,
            parent,
            kind: SavedKind::Document,
            in_shadow: false,
        }
    }

    fn refused(s: SavedMirror) -> &'static str {
        match Mirror::restore(s, &Limits::DEFAULT) {
            Err(StateError::Malformed { reason, .. }) => reason,
            other => panic!("{:?}", other.map(|m| m.len())),
        }
    }

    #[test]
    fn an_inconsistent_tree_is_refused() {
        use SavedParent::{Earlier, Gone, None as Top};
        let ok = || vec![sn(1, 1, Top), sn(2, 2, Earlier(0)), sn(3, 3, Earlier(1))];
        assert_eq!(
            Mirror::restore(saved(ok()), &Limits::DEFAULT)
                .unwrap()
                .len(),
            3
        );
        // A parent at or after its child would allow a cycle.
        let mut n = ok();
        n[1].parent = Earlier(1);
        assert_eq!(refused(saved(n)), "a parent does not come before its child");
        let mut n = ok();
        n[1].parent = Earlier(2);
        assert_eq!(refused(saved(n)), "a parent does not come before its child");
        let mut n = ok();
        n[2].id = 2;
        assert_eq!(refused(saved(n)), "a node id appears twice");
        let mut n = ok();
        n[2].key = 1;
        assert_eq!(refused(saved(n)), "a host key appears twice");
        let mut n = ok();
        n[2].id = 10;
        assert_eq!(refused(saved(n)), "a node id is not below the next id");
        let mut n = ok();
        n[2].id = 0;
        assert_eq!(refused(saved(n)), "a node id is not below the next id");
        let mut n = ok();
        n[2].parent = Gone(2);
        assert_eq!(refused(saved(n)), "a forgotten parent is still mirrored");
        let mut n = ok();
        n[0].parent = Gone(7);
        assert_eq!(refused(saved(n)), "the root has a parent");
        let mut s = saved(ok());
        s.inputs = vec![(3, "v".into(), false, None), (2, "w".into(), true, None)];
        assert_eq!(
            refused(s),
            "a field value is on an unknown node or out of order"
        );
        let mut s = saved(ok());
        s.inputs = vec![(7, "v".into(), false, None)];
        assert_eq!(
            refused(s),
            "a field value is on an unknown node or out of order"
        );
        let mut s = saved(ok());
        s.scrolls = vec![(3, 0.0, 5.0), (2, 0.0, 1.0)];
        assert_eq!(
            refused(s),
            "a scroll position is on an unknown node or out of order"
        );
        let mut s = saved(ok());
        s.scrolls = vec![(2, f64::NAN, 1.0)];
        assert_eq!(refused(s), "a scroll position is not a finite number");
        let mut s = saved(ok());
        s.scrolls = vec![(1, 0.0, 640.0), (3, 4.0, 8.0)];
        let m = Mirror::restore(s, &Limits::DEFAULT).unwrap();
        assert_eq!(m.scroll_of(NodeId(1)), Some((0.0, 640.0)));
        let mut s = saved(ok());
        s.next_id = 0;
        s.nodes.clear();
        assert_eq!(refused(s), "the next node id is not positive");
        assert!(matches!(
            Mirror::restore(saved(ok()), &Limits::DEFAULT.with_nodes(2)),
            Err(StateError::LimitExceeded { what: "nodes", .. })
        ));
        // A root that is gone (the host re-added its key) is kept as such.
        let mut s = saved(ok());
        s.root = Some(9);
        let m = Mirror::restore(s, &Limits::DEFAULT).unwrap();
        assert!(m.has_root() && m.tree().is_some_and(|t| t.nodes.is_empty()));
    }
}
