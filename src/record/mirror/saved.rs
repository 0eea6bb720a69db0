//! The mirror's saved form (see `record::persist`): what [`Mirror::save`] writes and
//! [`Mirror::restore`] checks and reads back, side by side, so that a change to one shows
//! in the other.

use std::collections::BTreeMap;

use bincode::{Decode, Encode};

use super::super::host::{HostKey, HostKind};
use super::super::persist::{STAGE, malformed};
use super::{Mirror, MirrorNode};
use crate::error::StateError;
use crate::limits::Limits;
use crate::model::*;

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
pub(in crate::record) struct SavedMirror {
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
    pub(in crate::record) fn save(&self) -> SavedMirror {
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
    pub(in crate::record) fn restore(
        s: SavedMirror,
        limits: &Limits,
    ) -> Result<Mirror, StateError> {
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
    use super::super::super::host::{HostIndex, HostTree, MutationRecord};
    use super::*;

    fn el(tag: &str) -> HostKind {
        HostKind::Element {
            tag: tag.into(),
            attributes: vec![("class".into(), "c".into())],
        }
    }

    fn node(key: u64, parent: Option<usize>, kind: HostKind) -> crate::record::HostTreeNode {
        crate::record::HostTreeNode {
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
