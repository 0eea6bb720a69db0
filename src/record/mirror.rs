//! The host mirror: the recorder's copy of the host's tree, the ids it gave host nodes,
//! and each batch of mutation records applied and coalesced into one rrweb mutation.
//!
//! Ids come from a counter that only grows (a snapshot clears the map, not the
//! counter), so a node id is never given to two nodes: a key that leaves the tree and
//! comes back gets a new id, as in rrweb.

use std::collections::{BTreeMap, BTreeSet};

use super::host::{HostIndex, HostKey, HostKind, HostTree, MutationRecord};
use crate::model::*;

mod saved;

pub(super) use saved::SavedMirror;

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
