//! The state as events: a keyframe that, replayed, rebuilds this state.

use super::dom::{DomFlags, DomKind, NIL, NodeData};
use super::state::{SheetKey, State};
use crate::model::*;

impl State {
    /// Calls `f` for every node a full snapshot of this moment would carry, in pre-order,
    /// with the index of its parent among the nodes already visited. Nodes whose id
    /// rrweb had unmapped are left out, with everything under them. Borrowed: the
    /// encoder writes keyframes from these views without building a tree.
    pub(crate) fn visit_snapshot_nodes(&self, mut f: impl FnMut(Option<u32>, &NodeView<'_>)) {
        let dom = &self.dom;
        let root = dom.root();
        if root == NIL {
            return;
        }
        // Slot -> index among the visited nodes, for parents (u32::MAX: left out).
        let mut index_of: Vec<u32> = vec![u32::MAX; dom.slot_count()];
        let mut count = 0u32;
        for slot in dom.descendants(root) {
            let Some(n) = dom.node(slot) else { continue };
            if n.flags.contains(DomFlags::UNMAPPED) {
                continue;
            }
            let parent = if slot == root {
                None
            } else {
                match index_of.get(n.parent as usize) {
                    Some(&p) if p != u32::MAX => Some(p),
                    _ => continue, // under an unmapped node
                }
            };
            let flag = |fl: DomFlags| n.flags.contains(fl).then_some(true);
            let kind = match (&n.kind, &n.data) {
                (DomKind::Document, _) => ViewKind::Document {
                    compat_mode: Some(dom.name(n.name)).filter(|s| !s.is_empty()),
                },
                (DomKind::Doctype, NodeData::Doctype(ids)) => {
                    let [public, system] = &**ids;
                    ViewKind::DocumentType {
                        name: dom.name(n.name),
                        public_id: public,
                        system_id: system,
                    }
                }
                (DomKind::Element, data) => ViewKind::Element {
                    tag: dom.name(n.name),
                    tag_atom: n.name,
                    attributes: match data {
                        NodeData::Attrs(a) => a,
                        _ => &[],
                    },
                    is_svg: flag(DomFlags::SVG),
                    need_block: flag(DomFlags::NEED_BLOCK),
                    is_custom: flag(DomFlags::CUSTOM),
                },
                (DomKind::Text, NodeData::Text(t)) => ViewKind::Text {
                    text: t,
                    is_style: flag(DomFlags::STYLE_TEXT),
                },
                (DomKind::CData, NodeData::Text(t)) => ViewKind::CData { text: t },
                (DomKind::Comment, NodeData::Text(t)) => ViewKind::Comment { text: t },
                (_, NodeData::UnknownType(c)) => ViewKind::Unknown { type_code: *c },
                _ => continue,
            };
            let shape = if matches!(n.kind, DomKind::Document | DomKind::Element) {
                NodeShape::CHILD_LIST
            } else {
                NodeShape::empty()
            };
            if let Some(x) = index_of.get_mut(slot as usize) {
                *x = count;
            }
            count += 1;
            f(
                parent,
                &NodeView {
                    id: n.id,
                    kind,
                    is_shadow_host: flag(DomFlags::SHADOW_HOST),
                    is_shadow: flag(DomFlags::IN_SHADOW),
                    shape,
                    dom,
                },
            );
        }
    }

    /// The DOM as a serialized tree (what a full snapshot of this moment would carry).
    /// Nodes whose id rrweb had unmapped are left out.
    pub fn to_node_tree(&self) -> NodeTree {
        let mut nodes: Vec<TreeNode> = Vec::new();
        self.visit_snapshot_nodes(|parent, v| {
            nodes.push(TreeNode {
                parent,
                node: v.to_serialized(),
            })
        });
        NodeTree { nodes }
    }

    /// The keyframe in two parts around its snapshot tree: the events before the tree
    /// (Meta), whether a snapshot follows and its initial offset, and the events after
    /// it. [`State::to_keyframe_events`] is `before`, the snapshot, `after`.
    pub(crate) fn keyframe_parts(&self) -> KeyframeParts {
        let (mut before, nodes) = self.to_keyframe_events_with(false);
        let Some(split) = before
            .iter()
            .position(|e| matches!(e.kind, EventKind::FullSnapshot(_)))
        else {
            return KeyframeParts {
                before,
                snapshot: None,
                snapshot_nodes: 0,
                after: Vec::new(),
            };
        };
        let mut after = before.split_off(split);
        let offset = match after.drain(..1).next().map(|e| e.kind) {
            Some(EventKind::FullSnapshot(s)) => (s.initial_offset.top, s.initial_offset.left),
            _ => (Num::Int(0), Num::Int(0)),
        };
        KeyframeParts {
            before,
            snapshot: Some(offset),
            snapshot_nodes: nodes,
            after,
        }
    }

    /// Events that rebuild this state when replayed from nothing: Meta, a full snapshot,
    /// then form values, scroll positions, focus, media, edited and adopted stylesheets
    /// and the selection, all at the state's time.
    pub fn to_keyframe_events(&self) -> Vec<Event> {
        self.to_keyframe_events_with(true).0
    }

    /// The keyframe events and the number of nodes its snapshot carries; with `tree`
    /// false the snapshot carries an empty tree (for a caller that writes the tree
    /// itself, see [`State::keyframe_parts`]).
    fn to_keyframe_events_with(&self, tree: bool) -> (Vec<Event>, u64) {
        let t = self.time;
        let ev = |kind: EventKind| Event {
            timestamp: t,
            kind,
            extra: Vec::new(),
        };
        let inc = |i: Incremental| ev(EventKind::Incremental(i));
        let num = Num::from_f64;
        let mut out = Vec::new();
        if let Some((w, h)) = self.viewport {
            out.push(ev(EventKind::Meta(Meta {
                href: self.href.clone(),
                width: num(w),
                height: num(h),
                extra: Vec::new(),
            })));
        }
        // The snapshot is left out when there is no node to carry (as an empty tree).
        let (tree, nodes) = if tree {
            let t = self.to_node_tree();
            let n = t.nodes.len() as u64;
            (t, n)
        } else {
            let mut n = 0u64;
            self.visit_snapshot_nodes(|_, _| n += 1);
            (NodeTree::default(), n)
        };
        if nodes == 0 {
            return (out, 0);
        }
        out.push(ev(EventKind::FullSnapshot(FullSnapshot {
            tree,
            initial_offset: ScrollOffset {
                top: num(self.window_scroll.1),
                left: num(self.window_scroll.0),
                extra: Vec::new(),
            },
            extra: Vec::new(),
        })));
        for (id, v) in &self.form {
            out.push(inc(Incremental::Input(Input {
                id: *id,
                text: v.text.clone(),
                is_checked: v.checked,
                user_triggered: None,
                extra: Vec::new(),
            })));
        }
        for (id, (x, y)) in &self.element_scroll {
            out.push(inc(Incremental::Scroll(Scroll {
                id: *id,
                x: num(*x),
                y: num(*y),
                extra: Vec::new(),
            })));
        }
        for (key, rules) in &self.sheets {
            let (id, style_id) = match key {
                SheetKey::Node(id) => (Some(*id), None),
                SheetKey::Constructed(s) => (None, Some(*s)),
            };
            out.push(inc(Incremental::StyleSheetRule(StyleSheetRule {
                id,
                style_id,
                replace: Some(rules.join("\n")),
                ..StyleSheetRule::default()
            })));
        }
        for (host, ids) in &self.adopted {
            out.push(inc(Incremental::AdoptedStyleSheet(AdoptedStyleSheet {
                id: *host,
                styles: None,
                style_ids: ids.clone(),
                extra: Vec::new(),
            })));
        }
        for (id, m) in &self.media {
            out.push(inc(Incremental::MediaInteraction(MediaInteraction {
                kind: if m.playing {
                    MediaInteractionKind::Play
                } else {
                    MediaInteractionKind::Pause
                },
                id: *id,
                current_time: Some(Num::Float(m.position_at(t))),
                volume: Some(num(m.volume)),
                muted: Some(m.muted),
                looping: Some(m.looping),
                playback_rate: Some(num(m.rate)),
                extra: Vec::new(),
            })));
        }
        if let Some(f) = self.focus {
            out.push(inc(Incremental::MouseInteraction(MouseInteraction {
                kind: MouseInteractionKind::Focus,
                id: f,
                x: None,
                y: None,
                pointer_type: None,
                extra: Vec::new(),
            })));
        }
        if !self.selection.is_empty() {
            out.push(inc(Incremental::Selection(Selection {
                ranges: self
                    .selection
                    .iter()
                    .map(|r| SelectionRange {
                        start: r.start,
                        start_offset: Num::Int(r.start_offset),
                        end: r.end,
                        end_offset: Num::Int(r.end_offset),
                        extra: Vec::new(),
                    })
                    .collect(),
                extra: Vec::new(),
            })));
        }
        (out, nodes)
    }
}

/// A keyframe split around its snapshot tree (see [`State::keyframe_parts`]).
pub(crate) struct KeyframeParts {
    /// Events before the snapshot.
    pub(crate) before: Vec<Event>,
    /// The snapshot's initial offset (top, left), if a snapshot follows.
    pub(crate) snapshot: Option<(Num, Num)>,
    /// How many nodes the snapshot carries.
    pub(crate) snapshot_nodes: u64,
    /// Events after the snapshot.
    pub(crate) after: Vec<Event>,
}

/// A borrowed view of one node of the replayed DOM, as a snapshot carries it.
pub(crate) struct NodeView<'a> {
    pub(crate) id: NodeId,
    pub(crate) kind: ViewKind<'a>,
    pub(crate) is_shadow_host: Option<bool>,
    pub(crate) is_shadow: Option<bool>,
    pub(crate) shape: NodeShape,
    dom: &'a super::dom::Dom,
}

/// The kind-specific part of a [`NodeView`].
pub(crate) enum ViewKind<'a> {
    Document {
        compat_mode: Option<&'a str>,
    },
    DocumentType {
        name: &'a str,
        public_id: &'a str,
        system_id: &'a str,
    },
    Element {
        tag: &'a str,
        /// The tag's interned name.
        tag_atom: super::dom::Atom,
        attributes: &'a [super::dom::DomAttr],
        is_svg: Option<bool>,
        need_block: Option<bool>,
        is_custom: Option<bool>,
    },
    Text {
        text: &'a str,
        is_style: Option<bool>,
    },
    CData {
        text: &'a str,
    },
    Comment {
        text: &'a str,
    },
    Unknown {
        type_code: i64,
    },
}

impl NodeView<'_> {
    /// An attribute's name.
    pub(crate) fn attr_name(&self, a: &super::dom::DomAttr) -> &str {
        self.dom.name(a.name)
    }

    /// rrweb's node type number (6 and up for unknown types, as the model has it).
    pub(crate) fn type_code(&self) -> Option<u8> {
        Some(match self.kind {
            ViewKind::Document { .. } => 0,
            ViewKind::DocumentType { .. } => 1,
            ViewKind::Element { .. } => 2,
            ViewKind::Text { .. } => 3,
            ViewKind::CData { .. } => 4,
            ViewKind::Comment { .. } => 5,
            ViewKind::Unknown { .. } => return None,
        })
    }

    fn to_serialized(&self) -> SerializedNode {
        let kind = match &self.kind {
            ViewKind::Document { compat_mode } => NodeKind::Document {
                compat_mode: compat_mode.map(str::to_owned),
            },
            ViewKind::DocumentType {
                name,
                public_id,
                system_id,
            } => NodeKind::DocumentType {
                name: (*name).to_owned(),
                public_id: (*public_id).to_owned(),
                system_id: (*system_id).to_owned(),
            },
            ViewKind::Element {
                tag,
                attributes,
                is_svg,
                need_block,
                is_custom,
                ..
            } => NodeKind::Element {
                tag: (*tag).to_owned(),
                attributes: attributes
                    .iter()
                    .map(|x| Attribute {
                        name: self.attr_name(x).to_owned(),
                        value: AttrValue::Str(x.value.to_string()),
                    })
                    .collect(),
                is_svg: *is_svg,
                need_block: *need_block,
                is_custom: *is_custom,
            },
            ViewKind::Text { text, is_style } => NodeKind::Text {
                text: (*text).to_owned(),
                is_style: *is_style,
            },
            ViewKind::CData { text } => NodeKind::CData {
                text: (*text).to_owned(),
            },
            ViewKind::Comment { text } => NodeKind::Comment {
                text: (*text).to_owned(),
            },
            ViewKind::Unknown { type_code } => NodeKind::Unknown {
                type_code: *type_code,
            },
        };
        SerializedNode {
            id: self.id,
            kind,
            root_id: None,
            is_shadow_host: self.is_shadow_host,
            is_shadow: self.is_shadow,
            shape: self.shape,
            extra: Vec::new(),
        }
    }
}
