//! The insights' light mirror of the page: per node, its parent, whether a click on it
//! looks interactive, and what describes it (tag, id, classes, first text). Nothing
//! else: insights must run at a small fraction of a JSON parse, so the full replay
//! state is not built.

use smallvec::SmallVec;

use super::signal::{Target, text_shape};
use crate::hash::FastMap;
use crate::model::{AttrValue, Attribute, Mutation, NodeId, NodeKind, NodeTree, StyleChange};

/// No node (a parent or a first text).
const NONE: i32 = i32::MIN;
/// The parent of a removed subtree's root.
const DETACHED: i32 = i32::MIN + 1;
/// How far up from the clicked node a control is looked for (a click lands on the
/// icon or the span inside a button).
const CONTROL_DEPTH: usize = 8;
/// Bytes of a text kept for its shape (inline, so a text change allocates nothing).
const TEXT_KEEP: usize = 48;

bitflags::bitflags! {
    /// What the attributes that matter to a click say.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
    struct Bits: u16 {
        const TEXT = 1;
        const HREF = 1 << 1;
        const CLICK_ROLE = 1 << 2;
        const ONCLICK = 1 << 3;
        const POINTER = 1 << 4;
        const EDITABLE = 1 << 5;
        /// An `input` whose type is a button (submit, button, reset, image).
        const INPUT_BUTTON = 1 << 6;
        /// An `input` whose type is checked by clicking (checkbox, radio) or a file.
        const INPUT_CHECK = 1 << 7;
    }
}

/// An element's `id` and `class`.
type Names = (Option<Box<str>>, Option<Box<str>>);

#[derive(Debug, Clone)]
struct Node {
    parent: i32,
    /// Index into the tag table (elements).
    tag: u16,
    bits: Bits,
    /// The first non-blank text in the element or the element inside it.
    first_text: i32,
}

/// The mirror.
#[derive(Debug, Default)]
pub(crate) struct PageMirror {
    nodes: FastMap<i32, Node>,
    /// Texts (of text nodes), their first bytes.
    texts: FastMap<i32, SmallVec<[u8; TEXT_KEEP]>>,
    /// `id` and `class` of the elements that have them.
    names: FastMap<i32, Names>,
    tags: Vec<Box<str>>,
    tag_no: FastMap<Box<str>, u16>,
}

/// The tags a click on which looks interactive by themselves.
fn tag_is_control(tag: &str) -> bool {
    matches!(tag, "button" | "summary" | "option")
}

/// The tags where a click types or picks rather than acts (no dead click there, as
/// Datadog): text fields, selects, text areas.
fn tag_is_field(tag: &str) -> bool {
    matches!(tag, "textarea" | "select")
}

/// Whether a text holds only white space (most text nodes between elements do).
fn blank(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_whitespace()) || s.trim().is_empty()
}

fn keep_text(s: &str) -> SmallVec<[u8; TEXT_KEEP]> {
    let mut end = s.len().min(TEXT_KEEP);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    SmallVec::from_slice(s.as_bytes().get(..end).unwrap_or_default())
}

impl PageMirror {
    /// Forgets the page (a new full snapshot follows).
    pub(crate) fn clear(&mut self) {
        self.nodes.clear();
        self.texts.clear();
        self.names.clear();
    }

    fn tag(&mut self, tag: &str) -> u16 {
        if let Some(&n) = self.tag_no.get(tag) {
            return n;
        }
        let n = u16::try_from(self.tags.len()).unwrap_or(u16::MAX);
        if n < u16::MAX {
            self.tags.push(tag.into());
            self.tag_no.insert(tag.into(), n);
        }
        n
    }

    fn tag_name(&self, n: u16) -> &str {
        self.tags.get(usize::from(n)).map_or("", |t| t)
    }

    /// Inserts a serialized subtree under `parent` (`NONE` for a document root).
    pub(crate) fn insert(&mut self, tree: &NodeTree, parent: i32) {
        self.nodes.reserve(tree.nodes.len());
        for t in &tree.nodes {
            let id = t.node.id.0;
            let p = match t.parent {
                Some(i) => tree.nodes.get(i as usize).map_or(NONE, |pn| pn.node.id.0),
                None => parent,
            };
            match &t.node.kind {
                NodeKind::Element {
                    tag, attributes, ..
                } => {
                    let tag_no = self.tag(tag);
                    let mut node = Node {
                        parent: p,
                        tag: tag_no,
                        bits: Bits::empty(),
                        first_text: NONE,
                    };
                    for a in attributes {
                        self.set_attribute(id, &mut node, a);
                    }
                    self.nodes.insert(id, node);
                }
                NodeKind::Text { text, is_style } => {
                    self.nodes.insert(
                        id,
                        Node {
                            parent: p,
                            tag: u16::MAX,
                            bits: Bits::TEXT,
                            first_text: NONE,
                        },
                    );
                    if is_style != &Some(true) && !blank(text) {
                        self.texts.insert(id, keep_text(text.trim_start()));
                        self.label(id, p);
                    }
                }
                _ => {
                    self.nodes.insert(
                        id,
                        Node {
                            parent: p,
                            tag: u16::MAX,
                            bits: Bits::empty(),
                            first_text: NONE,
                        },
                    );
                }
            }
        }
    }

    /// A text node `id` under `parent`: the first text of its element and of the
    /// element around that, if they have none yet.
    fn label(&mut self, id: i32, parent: i32) {
        let mut at = parent;
        for _ in 0..2 {
            let Some(n) = self.nodes.get_mut(&at) else {
                return;
            };
            if n.first_text == NONE {
                n.first_text = id;
            }
            at = n.parent;
        }
    }

    fn set_attribute(&mut self, id: i32, node: &mut Node, a: &Attribute) {
        let name = a.name.as_str();
        // Most attributes say nothing about clicks: decided by name before any work.
        if !matches!(
            name,
            "id" | "class" | "href" | "onclick" | "role" | "contenteditable" | "type" | "style"
        ) {
            return;
        }
        let text = a.value.as_text();
        let present = !matches!(a.value, AttrValue::Removed | AttrValue::Bool(false));
        let flag = |bits: &mut Bits, f: Bits, on: bool| bits.set(f, on);
        match name {
            "id" | "class" => {
                let v: Option<Box<str>> = text.filter(|t| !t.trim().is_empty()).map(|t| t.into());
                let e = self.names.entry(id).or_default();
                if name == "id" {
                    e.0 = v;
                } else {
                    e.1 = v;
                }
            }
            "href" => flag(&mut node.bits, Bits::HREF, present),
            "onclick" => flag(&mut node.bits, Bits::ONCLICK, present),
            "role" => {
                let clickable = text.as_deref().is_some_and(|r| {
                    r.split_ascii_whitespace().any(|r| {
                        matches!(
                            r,
                            "button"
                                | "link"
                                | "menuitem"
                                | "menuitemcheckbox"
                                | "menuitemradio"
                                | "tab"
                                | "checkbox"
                                | "radio"
                                | "switch"
                                | "option"
                        )
                    })
                });
                flag(&mut node.bits, Bits::CLICK_ROLE, clickable);
            }
            "contenteditable" => {
                let on = present && text.as_deref().is_none_or(|v| v != "false");
                flag(&mut node.bits, Bits::EDITABLE, on);
            }
            "type" => {
                let t = text.as_deref().unwrap_or("").to_ascii_lowercase();
                let button = matches!(t.as_str(), "submit" | "button" | "reset" | "image");
                let check = matches!(t.as_str(), "checkbox" | "radio" | "file");
                flag(&mut node.bits, Bits::INPUT_BUTTON, button);
                flag(&mut node.bits, Bits::INPUT_CHECK, check);
            }
            "style" => match &a.value {
                AttrValue::StyleDiff(diff) => {
                    for (prop, change) in diff {
                        if prop == "cursor" {
                            let on = matches!(change, StyleChange::Set(v) | StyleChange::SetWithPriority(v, _) if v.trim() == "pointer");
                            flag(&mut node.bits, Bits::POINTER, on);
                        }
                    }
                }
                _ => {
                    let on = text.as_deref().is_some_and(|s| {
                        s.split(';').any(|d| {
                            let mut kv = d.splitn(2, ':');
                            kv.next().is_some_and(|k| k.trim() == "cursor")
                                && kv.next().is_some_and(|v| v.trim().starts_with("pointer"))
                        })
                    });
                    flag(&mut node.bits, Bits::POINTER, on);
                }
            },
            _ => {}
        }
    }

    /// Applies a mutation: removals detach, additions insert, attributes and texts
    /// update what is kept of them.
    pub(crate) fn apply(&mut self, m: &Mutation) {
        for r in &m.removes {
            if let Some(n) = self.nodes.get_mut(&r.id.0) {
                n.parent = DETACHED;
            }
        }
        for a in &m.adds {
            self.insert(&a.node, a.parent_id.0);
        }
        for c in &m.attributes {
            let id = c.id.0;
            let Some(mut node) = self.nodes.get(&id).cloned() else {
                continue;
            };
            for a in &c.attributes {
                self.set_attribute(id, &mut node, a);
            }
            self.nodes.insert(id, node);
        }
        for t in &m.texts {
            let id = t.id.0;
            let text = t.value.as_deref().unwrap_or("");
            if blank(text) {
                self.texts.remove(&id);
            } else {
                let kept = keep_text(text.trim_start());
                match self.texts.get_mut(&id) {
                    // Reuse the slot: a text that changes often allocates nothing.
                    Some(slot) => {
                        slot.clear();
                        slot.extend_from_slice(&kept);
                    }
                    None => {
                        self.texts.insert(id, kept);
                        if let Some(p) = self.nodes.get(&id).map(|n| n.parent) {
                            self.label(id, p);
                        }
                    }
                }
            }
        }
    }

    /// The control a click on `id` acted on: the clicked node or the nearest element
    /// around it that looks interactive (a link, a button, a button-like or checkable
    /// input, a click role, an `onclick` attribute, an inline pointer cursor). `None`
    /// if nothing does, or if the click went to a field where clicks type or pick (text
    /// inputs, text areas, selects, editable content), or to a node not on the page.
    pub(crate) fn control(&self, id: NodeId) -> Option<i32> {
        let mut at = id.0;
        for _ in 0..CONTROL_DEPTH {
            let n = self.nodes.get(&at)?;
            if n.parent == DETACHED {
                return None;
            }
            if !n.bits.contains(Bits::TEXT) && n.tag != u16::MAX {
                let tag = self.tag_name(n.tag);
                let input = tag == "input";
                if tag_is_field(tag)
                    || n.bits.contains(Bits::EDITABLE)
                    || (input && !n.bits.intersects(Bits::INPUT_BUTTON | Bits::INPUT_CHECK))
                {
                    return None;
                }
                if tag_is_control(tag)
                    || (tag == "a" && n.bits.contains(Bits::HREF))
                    || (input && n.bits.intersects(Bits::INPUT_BUTTON | Bits::INPUT_CHECK))
                    || n.bits
                        .intersects(Bits::CLICK_ROLE | Bits::ONCLICK | Bits::POINTER)
                {
                    return Some(at);
                }
            }
            at = n.parent;
        }
        None
    }

    /// A stable description of the element `id` (of the parent, for a text node).
    pub(crate) fn describe(&self, id: i32) -> Option<Target> {
        let mut n = self.nodes.get(&id)?;
        let mut id = id;
        if n.bits.contains(Bits::TEXT) || n.tag == u16::MAX {
            id = n.parent;
            n = self.nodes.get(&id)?;
        }
        let tag = self.tag_name(n.tag).to_owned();
        let (html_id, class) = self
            .names
            .get(&id)
            .map(|(i, c)| (i.as_deref(), c.as_deref()))
            .unwrap_or_default();
        let classes: Vec<String> = class
            .map(|c| c.split_ascii_whitespace().map(str::to_owned).collect())
            .unwrap_or_default();
        let text_shape = (n.first_text != NONE)
            .then(|| self.texts.get(&n.first_text))
            .flatten()
            .and_then(|t| text_shape(&String::from_utf8_lossy(t), 32));
        let mut selector = tag.clone();
        if let Some(i) = html_id {
            selector.push('#');
            selector.push_str(i);
        }
        for c in &classes {
            selector.push('.');
            selector.push_str(c);
        }
        Some(Target {
            tag,
            id: html_id.map(str::to_owned),
            classes,
            text_shape,
            selector,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Limits, rrweb};

    fn page(body: &str) -> PageMirror {
        let json = format!(
            r#"[{{"type":2,"data":{{"node":{{"type":0,"id":1,"childNodes":[{{"type":2,"id":2,"tagName":"html","attributes":{{}},"childNodes":[{body}]}}]}},"initialOffset":{{"top":0,"left":0}}}},"timestamp":1}}]"#
        );
        let events = rrweb::read(json.as_bytes(), &Limits::DEFAULT).unwrap();
        let mut m = PageMirror::default();
        if let crate::model::EventKind::FullSnapshot(s) = &events[0].kind {
            m.insert(&s.tree, NONE);
        }
        m
    }

    #[test]
    fn controls_are_found_from_what_is_clicked_inside_them() {
        let m = page(
            r#"{"type":2,"id":3,"tagName":"button","attributes":{"id":"buy","class":"btn primary"},"childNodes":[{"type":2,"id":4,"tagName":"span","attributes":{},"childNodes":[{"type":3,"id":5,"textContent":" Buy now "}]}]},
               {"type":2,"id":6,"tagName":"input","attributes":{"type":"email"},"childNodes":[]},
               {"type":2,"id":7,"tagName":"div","attributes":{"style":"color: red; cursor: pointer"},"childNodes":[]},
               {"type":2,"id":8,"tagName":"a","attributes":{},"childNodes":[]},
               {"type":2,"id":9,"tagName":"input","attributes":{"type":"submit"},"childNodes":[]},
               {"type":2,"id":10,"tagName":"div","attributes":{"contenteditable":"true"},"childNodes":[{"type":2,"id":11,"tagName":"a","attributes":{"href":"/x"},"childNodes":[]}]},
               {"type":2,"id":12,"tagName":"div","attributes":{"role":"button"},"childNodes":[]}"#,
        );
        assert_eq!(m.control(NodeId(5)), Some(3));
        assert_eq!(m.control(NodeId(4)), Some(3));
        assert_eq!(m.control(NodeId(6)), None, "a text field");
        assert_eq!(m.control(NodeId(7)), Some(7), "a pointer cursor");
        assert_eq!(m.control(NodeId(8)), None, "a link without href");
        assert_eq!(m.control(NodeId(9)), Some(9));
        assert_eq!(
            m.control(NodeId(11)),
            Some(11),
            "a link inside editable text"
        );
        assert_eq!(m.control(NodeId(10)), None);
        assert_eq!(m.control(NodeId(12)), Some(12));
        assert_eq!(m.control(NodeId(99)), None);
        let t = m.describe(3).unwrap();
        assert_eq!(t.selector, "button#buy.btn.primary");
        assert_eq!(t.text_shape.as_deref(), Some("Xxx xxx"));
        assert_eq!(m.describe(5).unwrap().tag, "span");
    }

    #[test]
    fn mutations_move_what_a_click_means() {
        let mut m = page(r#"{"type":2,"id":3,"tagName":"div","attributes":{},"childNodes":[]}"#);
        assert_eq!(m.control(NodeId(3)), None);
        let json = br#"[{"type":3,"data":{"source":0,"texts":[],"attributes":[{"id":3,"attributes":{"style":{"cursor":"pointer"},"class":"card"}}],"removes":[],"adds":[{"parentId":3,"nextId":null,"node":{"type":3,"id":4,"textContent":"Open 2"}}]},"timestamp":2},
           {"type":3,"data":{"source":0,"texts":[{"id":4,"value":"Close 10"}],"attributes":[],"removes":[],"adds":[]},"timestamp":3}]"#;
        let events = rrweb::read(json, &Limits::DEFAULT).unwrap();
        for e in &events {
            if let crate::model::EventKind::Incremental(crate::model::Incremental::Mutation(mu)) =
                &e.kind
            {
                m.apply(mu);
            }
        }
        assert_eq!(m.control(NodeId(4)), Some(3));
        let t = m.describe(3).unwrap();
        assert_eq!(t.selector, "div.card");
        assert_eq!(t.text_shape.as_deref(), Some("Xxxxx 99"));
        let rm = br#"[{"type":3,"data":{"source":0,"texts":[],"attributes":[],"removes":[{"parentId":2,"id":3}],"adds":[]},"timestamp":4}]"#;
        for e in rrweb::read(rm, &Limits::DEFAULT).unwrap() {
            if let crate::model::EventKind::Incremental(crate::model::Incremental::Mutation(mu)) =
                &e.kind
            {
                m.apply(mu);
            }
        }
        assert_eq!(m.control(NodeId(3)), None, "removed");
    }
}
