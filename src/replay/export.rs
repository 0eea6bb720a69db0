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
    /// (last click, Meta, pointer, custom elements, fonts), whether a snapshot follows and its initial offset, and the events after
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

    /// Events that rebuild this state when replayed from nothing: the last click (at its
    /// own time, the one thing a state keeps that only an event's timestamp can carry),
    /// then at the state's time Meta, the pointer, custom element definitions and fonts,
    /// a full snapshot, form values, scroll positions, edited and adopted stylesheets,
    /// media, focus and the selection.
    ///
    /// Replayed into a new [`State`] and brought to the same time ([`State::set_time`]),
    /// they give a state with the same [`State::hash`], so a keyframe can stand in for
    /// the events before it (diagnostics, which are not part of the page, start anew).
    /// One thing is rebuilt to within a rounding: a media element playing at this moment
    /// restarts from its position now, so its position later can differ from a replay
    /// from the start in the last bits.
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
        // First, as it is the oldest: a click's time is its event's timestamp. None of
        // these is about nodes, so a full snapshot after them keeps them.
        if let Some(c) = self.last_click {
            out.push(Event {
                timestamp: c.at,
                kind: EventKind::Incremental(Incremental::MouseInteraction(MouseInteraction {
                    kind: if c.double {
                        MouseInteractionKind::DblClick
                    } else {
                        MouseInteractionKind::Click
                    },
                    id: c.id,
                    x: c.x.map(num),
                    y: c.y.map(num),
                    pointer_type: None,
                    extra: Vec::new(),
                })),
                extra: Vec::new(),
            });
        }
        if let Some((w, h)) = self.viewport {
            out.push(ev(EventKind::Meta(Meta {
                href: self.href.clone(),
                width: num(w),
                height: num(h),
                extra: Vec::new(),
            })));
        }
        if let Some(p) = self.pointer {
            // A sample carries its own time as an offset from its event's.
            out.push(inc(Incremental::Moves(PointerMoves {
                source: p.source,
                positions: vec![Position {
                    x: num(p.x),
                    y: num(p.y),
                    id: p.id,
                    time_offset: Num::Int(p.at.0.saturating_sub(t.0)),
                    extra: Vec::new(),
                }],
                extra: Vec::new(),
            })));
        }
        for name in &self.custom_elements {
            out.push(inc(Incremental::CustomElement(CustomElement {
                define: Some(CustomElementDefine {
                    name: name.clone(),
                    extra: Vec::new(),
                }),
                extra: Vec::new(),
            })));
        }
        for (family, source) in &self.fonts {
            out.push(inc(Incremental::Font(Font {
                family: family.clone(),
                font_source: source.clone(),
                buffer: false,
                descriptors: None,
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

#[cfg(test)]
mod tests {
    use super::super::{ReplayMode, State};
    use crate::Limits;
    use crate::model::{Event, Timestamp};

    fn rebuilt(s: &State) -> State {
        let mut k = State::new(Limits::DEFAULT, ReplayMode::Strict);
        for (i, e) in s.to_keyframe_events().iter().enumerate() {
            k.apply(e, i).unwrap();
        }
        k.set_time(s.time());
        k
    }

    fn streams() -> Vec<(String, Vec<Event>)> {
        let root = env!("CARGO_MANIFEST_DIR");
        let mut paths: Vec<std::path::PathBuf> = ["login", "todo", "feed"]
            .iter()
            .map(|n| format!("{root}/tests/data/corpus/{n}.raw.json").into())
            .collect();
        for e in std::fs::read_dir(format!("{root}/tests/data/rrweb-fixtures")).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "json") {
                paths.push(p);
            }
        }
        paths.sort();
        paths
            .into_iter()
            .map(|p| {
                let events = crate::rrweb::read(&std::fs::read(&p).unwrap(), &Limits::DEFAULT);
                (p.display().to_string(), events.unwrap())
            })
            .collect()
    }

    /// The keyframe stands in for the events before it: the same hash, at many moments
    /// of every corpus stream and fixture, and later on too, media playing aside (their
    /// position later is rebuilt to within a rounding).
    #[test]
    fn keyframe_events_rebuild_the_same_hash() {
        let (mut checked, mut playing) = (0, 0);
        for (name, mut events) in streams() {
            events.sort_by_key(|e| e.timestamp);
            let mut s = State::new(Limits::DEFAULT, ReplayMode::Lenient);
            let step = (events.len() / 25).max(1);
            for (i, e) in events.iter().enumerate() {
                s.apply(e, i).unwrap();
                if i % step != 0 && i + 1 != events.len() {
                    continue;
                }
                let mut k = rebuilt(&s);
                assert_eq!(k.hash(), s.hash(), "{name} after event {i}");
                checked += 1;
                // Later, as a seek between events shows it.
                let mut later = s.clone();
                later.set_time(Timestamp(s.time().0 + 1_500));
                k.set_time(later.time());
                if s.media().values().all(|m| !m.playing) {
                    assert_eq!(k.hash(), later.hash(), "{name} after event {i}");
                    continue;
                }
                playing += 1;
                for (id, m) in later.media() {
                    let (a, b) = (
                        m.position_at(later.time()),
                        k.media()[id].position_at(k.time()),
                    );
                    assert!((a - b).abs() <= 1e-9 * a.abs().max(1.0), "{name}: {a} {b}");
                }
            }
        }
        assert!(checked > 300 && playing > 20, "{checked}, {playing}");
    }

    /// What only the keyframe's own events carry: the last click at its time, the
    /// pointer with its sample's time, custom elements and fonts.
    #[test]
    fn keyframe_carries_click_pointer_custom_elements_and_fonts() {
        let json = br#"[
          {"type":4,"data":{"href":"https://a.test/","width":800,"height":600},"timestamp":10},
          {"type":2,"data":{"node":{"type":0,"childNodes":[{"type":2,"tagName":"html","attributes":{},"childNodes":[{"type":2,"tagName":"body","attributes":{},"childNodes":[],"id":3}],"id":2}],"id":1},"initialOffset":{"top":0,"left":0}},"timestamp":11},
          {"type":3,"data":{"source":2,"type":4,"id":3,"x":5.5,"y":7},"timestamp":20},
          {"type":3,"data":{"source":1,"positions":[{"x":1,"y":2,"id":3,"timeOffset":-40},{"x":3.25,"y":4,"id":3,"timeOffset":-10}]},"timestamp":30},
          {"type":3,"data":{"source":16,"define":{"name":"my-el"}},"timestamp":31},
          {"type":3,"data":{"source":10,"family":"Foo","fontSource":"url(foo.woff)","buffer":false},"timestamp":32}
        ]"#;
        let events = crate::rrweb::read(json, &Limits::DEFAULT).unwrap();
        let mut s = State::new(Limits::DEFAULT, ReplayMode::Strict);
        for (i, e) in events.iter().enumerate() {
            s.apply(e, i).unwrap();
        }
        let k = rebuilt(&s);
        let click = k.last_click().unwrap();
        assert_eq!(
            (click.at, click.x, click.double),
            (Timestamp(20), Some(5.5), true)
        );
        let p = k.pointer().unwrap();
        assert_eq!((p.x, p.at), (3.25, Timestamp(20)));
        assert_eq!(k.custom_elements, s.custom_elements);
        assert_eq!(
            k.fonts,
            vec![("Foo".to_owned(), "url(foo.woff)".to_owned())]
        );
        assert_eq!(k.hash(), s.hash());
    }
}
