//! The state as events: a keyframe that, replayed, rebuilds this state.

use super::dom::{DomFlags, DomKind, NIL, NodeData};
use super::state::{SheetKey, State};
use crate::model::*;

impl State {
    /// The DOM as a serialized tree (what a full snapshot of this moment would carry).
    /// Nodes whose id rrweb had unmapped are left out.
    pub fn to_node_tree(&self) -> NodeTree {
        let dom = &self.dom;
        let root = dom.root();
        let mut nodes: Vec<TreeNode> = Vec::new();
        if root == NIL {
            return NodeTree { nodes };
        }
        // Slot -> index in `nodes`, for parents.
        let mut index_of: std::collections::BTreeMap<u32, u32> = std::collections::BTreeMap::new();
        for slot in dom.descendants(root) {
            let Some(n) = dom.node(slot) else { continue };
            if n.flags.contains(DomFlags::UNMAPPED) {
                continue;
            }
            let parent = if slot == root {
                None
            } else {
                match index_of.get(&n.parent) {
                    Some(&p) => Some(p),
                    None => continue, // under an unmapped node
                }
            };
            let flag = |f: DomFlags| n.flags.contains(f).then_some(true);
            let kind = match (&n.kind, &n.data) {
                (DomKind::Document, _) => NodeKind::Document {
                    compat_mode: Some(dom.name(n.name).to_owned()).filter(|s| !s.is_empty()),
                },
                (DomKind::Doctype, NodeData::Doctype(ids)) => {
                    let [public, system] = &**ids;
                    NodeKind::DocumentType {
                        name: dom.name(n.name).to_owned(),
                        public_id: public.to_string(),
                        system_id: system.to_string(),
                    }
                }
                (DomKind::Element, data) => NodeKind::Element {
                    tag: dom.name(n.name).to_owned(),
                    attributes: match data {
                        NodeData::Attrs(a) => a
                            .iter()
                            .map(|x| Attribute {
                                name: dom.name(x.name).to_owned(),
                                value: AttrValue::Str(x.value.to_string()),
                            })
                            .collect(),
                        _ => Attributes::new(),
                    },
                    is_svg: flag(DomFlags::SVG),
                    need_block: flag(DomFlags::NEED_BLOCK),
                    is_custom: flag(DomFlags::CUSTOM),
                },
                (DomKind::Text, NodeData::Text(t)) => NodeKind::Text {
                    text: t.to_string(),
                    is_style: flag(DomFlags::STYLE_TEXT),
                },
                (DomKind::CData, NodeData::Text(t)) => NodeKind::CData {
                    text: t.to_string(),
                },
                (DomKind::Comment, NodeData::Text(t)) => NodeKind::Comment {
                    text: t.to_string(),
                },
                (_, NodeData::UnknownType(c)) => NodeKind::Unknown { type_code: *c },
                _ => continue,
            };
            let shape = if matches!(n.kind, DomKind::Document | DomKind::Element) {
                NodeShape::CHILD_LIST
            } else {
                NodeShape::empty()
            };
            index_of.insert(slot, nodes.len() as u32);
            nodes.push(TreeNode {
                parent,
                node: SerializedNode {
                    id: n.id,
                    kind,
                    root_id: None,
                    is_shadow_host: flag(DomFlags::SHADOW_HOST),
                    is_shadow: flag(DomFlags::IN_SHADOW),
                    shape,
                    extra: Vec::new(),
                },
            });
        }
        NodeTree { nodes }
    }

    /// Events that rebuild this state when replayed from nothing: Meta, a full snapshot,
    /// then form values, scroll positions, focus, media, edited and adopted stylesheets
    /// and the selection, all at the state's time.
    pub fn to_keyframe_events(&self) -> Vec<Event> {
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
        let tree = self.to_node_tree();
        if tree.is_empty() {
            return out;
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
        out
    }
}
