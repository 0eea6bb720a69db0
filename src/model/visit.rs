//! Visiting every node id an event refers to.

use super::{Event, EventKind, Incremental, NodeId, NodeTree};

impl NodeTree {
    /// Calls `f` on every node id in the tree (`id` and `rootId`).
    pub fn for_each_node_id_mut(&mut self, mut f: impl FnMut(&mut NodeId)) {
        for n in &mut self.nodes {
            f(&mut n.node.id);
            if let Some(r) = &mut n.node.root_id {
                f(r);
            }
        }
    }
}

impl Event {
    /// Calls `f` on every node id the event refers to: targets, parents, siblings,
    /// serialized nodes, pointer targets, selection ends. Useful to renumber a stream.
    pub fn for_each_node_id_mut(&mut self, mut f: impl FnMut(&mut NodeId)) {
        match &mut self.kind {
            EventKind::FullSnapshot(s) => s.tree.for_each_node_id_mut(f),
            EventKind::Incremental(inc) => match inc {
                Incremental::Mutation(m) => {
                    for t in &mut m.texts {
                        f(&mut t.id);
                    }
                    for a in &mut m.attributes {
                        f(&mut a.id);
                    }
                    for r in &mut m.removes {
                        f(&mut r.parent_id);
                        f(&mut r.id);
                    }
                    for a in &mut m.adds {
                        f(&mut a.parent_id);
                        if let Some(n) = &mut a.next_id {
                            f(n);
                        }
                        if let Some(Some(p)) = &mut a.previous_id {
                            f(p);
                        }
                        a.node.for_each_node_id_mut(&mut f);
                    }
                }
                Incremental::Moves(m) => m.positions.iter_mut().for_each(|p| f(&mut p.id)),
                Incremental::MouseInteraction(m) => f(&mut m.id),
                Incremental::Scroll(s) => f(&mut s.id),
                Incremental::Input(i) => f(&mut i.id),
                Incremental::MediaInteraction(m) => f(&mut m.id),
                Incremental::StyleSheetRule(r) => {
                    if let Some(id) = &mut r.id {
                        f(id);
                    }
                }
                Incremental::StyleDeclaration(d) => {
                    if let Some(id) = &mut d.id {
                        f(id);
                    }
                }
                Incremental::Selection(s) => {
                    for r in &mut s.ranges {
                        f(&mut r.start);
                        f(&mut r.end);
                    }
                }
                Incremental::AdoptedStyleSheet(a) => f(&mut a.id),
                Incremental::CanvasMutation(c) => f(&mut c.id),
                Incremental::ViewportResize(_)
                | Incremental::Font(_)
                | Incremental::Log(_)
                | Incremental::CustomElement(_)
                | Incremental::Unknown { .. } => {}
            },
            EventKind::DomContentLoaded(_)
            | EventKind::Load(_)
            | EventKind::Meta(_)
            | EventKind::Custom(_)
            | EventKind::Plugin(_)
            | EventKind::Asset(_)
            | EventKind::Unknown { .. } => {}
        }
    }
}
