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
        /// An `input` whose type is checked by clicking (checkbox, radio).
        const INPUT_CHECK = 1 << 7;
        /// An `input` of type file: its dialog may stay open past any window.
        const INPUT_FILE = 1 << 8;
        /// A link that leaves the page's document: another window (`target` other
        /// than `_self`), a download, or another application (`mailto:`, `tel:`,
        /// `sms:`). The page shows no change; none is owed.
        const LINK_AWAY = 1 << 9;
        const LINK_TARGET = 1 << 10;
        const LINK_DOWNLOAD = 1 << 11;
    }
}

/// No interned name.
const NO_NAME: u32 = u32::MAX;
/// Distinct tags, and distinct `id` and `class` values, kept at most: a page that makes
/// a new one for every element it adds (ids numbered per row) stops being described by
/// them past it.
const MAX_NAMES: usize = 1 << 16;

#[derive(Debug, Clone)]
struct Node {
    parent: i32,
    /// Its tag, interned ([`NO_NAME`]: not an element).
    tag: u32,
    bits: Bits,
    /// The first non-blank text in the element or the element inside it.
    first_text: i32,
    /// Its `id` and `class`, interned ([`NO_NAME`]: none).
    html_id: u32,
    class: u32,
}

/// The mirror.
#[derive(Debug, Default)]
pub(crate) struct PageMirror {
    nodes: FastMap<i32, Node>,
    /// Texts (of text nodes), their first bytes.
    texts: FastMap<i32, SmallVec<[u8; TEXT_KEEP]>>,
    /// `id` and `class` values, interned: a list re-rendered over and over names its
    /// items with the same few classes, so adding them allocates nothing.
    names: Interner,
    tags: Interner,
    /// Nodes removed since the last sweep of their orphaned descendants.
    removed: usize,
}

/// Distinct strings numbered in order of first sight, so a string seen again costs a
/// lookup and no allocation (tags; `id` and `class` values).
#[derive(Debug, Default)]
struct Interner {
    all: Vec<Box<str>>,
    no: FastMap<Box<str>, u32>,
}

impl Interner {
    /// The number of `s`, numbering it if new; [`NO_NAME`] once `cap` strings are held.
    fn intern(&mut self, s: &str, cap: usize) -> u32 {
        if let Some(&n) = self.no.get(s) {
            return n;
        }
        if self.all.len() >= cap {
            return NO_NAME;
        }
        let n = self.all.len() as u32;
        self.all.push(s.into());
        self.no.insert(s.into(), n);
        n
    }

    fn get(&self, n: u32) -> Option<&str> {
        self.all.get(n as usize).map(|s| &**s)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.all.len()
    }
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
    }

    fn tag_name(&self, n: u32) -> &str {
        self.tags.get(n).unwrap_or("")
    }

    /// Inserts a serialized subtree under `parent` (`NONE` for a document root).
    pub(crate) fn insert(&mut self, tree: &NodeTree, parent: i32) {
        // Reserved for a snapshot or a large subtree only: reserving for every small
        // add makes the map rehash often once removals have left tombstones in it.
        if tree.nodes.len() > 256 {
            self.nodes.reserve(tree.nodes.len());
        }
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
                    let tag_no = self.tags.intern(tag, MAX_NAMES);
                    let mut node = Node {
                        parent: p,
                        tag: tag_no,
                        bits: Bits::empty(),
                        first_text: NONE,
                        html_id: NO_NAME,
                        class: NO_NAME,
                    };
                    for a in attributes {
                        self.set_attribute(&mut node, a);
                    }
                    self.nodes.insert(id, node);
                }
                NodeKind::Text { text, is_style } => {
                    self.nodes.insert(
                        id,
                        Node {
                            parent: p,
                            tag: NO_NAME,
                            bits: Bits::TEXT,
                            first_text: NONE,
                            html_id: NO_NAME,
                            class: NO_NAME,
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
                            tag: NO_NAME,
                            bits: Bits::empty(),
                            first_text: NONE,
                            html_id: NO_NAME,
                            class: NO_NAME,
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

    fn set_attribute(&mut self, node: &mut Node, a: &Attribute) {
        let name = a.name.as_str();
        // Most attributes say nothing about clicks: decided by name before any work.
        if !matches!(
            name,
            "id" | "class"
                | "href"
                | "target"
                | "download"
                | "onclick"
                | "role"
                | "contenteditable"
                | "type"
                | "style"
        ) {
            return;
        }
        let text = a.value.as_text();
        let present = !matches!(a.value, AttrValue::Removed | AttrValue::Bool(false));
        let flag = |bits: &mut Bits, f: Bits, on: bool| bits.set(f, on);
        match name {
            "id" | "class" => {
                let v = match text.as_deref().map(str::trim) {
                    Some(t) if !t.is_empty() => self.names.intern(t, MAX_NAMES),
                    _ => NO_NAME,
                };
                if name == "id" {
                    node.html_id = v;
                } else {
                    node.class = v;
                }
            }
            "href" => {
                flag(&mut node.bits, Bits::HREF, present);
                let away = text.as_deref().is_some_and(|h| {
                    let h = h.trim_start().as_bytes();
                    ["mailto:", "tel:", "sms:"].iter().any(|s| {
                        h.get(..s.len())
                            .is_some_and(|p| p.eq_ignore_ascii_case(s.as_bytes()))
                    })
                });
                flag(&mut node.bits, Bits::LINK_AWAY, present && away);
            }
            "target" => {
                let other = text.as_deref().is_some_and(|t| {
                    !t.trim().is_empty() && !t.trim().eq_ignore_ascii_case("_self")
                });
                flag(&mut node.bits, Bits::LINK_TARGET, present && other);
            }
            "download" => flag(&mut node.bits, Bits::LINK_DOWNLOAD, present),
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
                let check = matches!(t.as_str(), "checkbox" | "radio");
                flag(&mut node.bits, Bits::INPUT_BUTTON, button);
                flag(&mut node.bits, Bits::INPUT_CHECK, check);
                flag(&mut node.bits, Bits::INPUT_FILE, t == "file");
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
            // The removed node goes; its descendants are orphans (no walk up from them
            // reaches the page), swept once removals add up.
            if self.nodes.remove(&r.id.0).is_some() {
                self.texts.remove(&r.id.0);
                self.removed += 1;
            }
        }
        // Orphans count among the nodes: at least half of the mirror's size removed.
        if self.removed > 1024 && self.removed.saturating_mul(2) > self.nodes.len() {
            self.sweep();
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
                self.set_attribute(&mut node, a);
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

    /// Drops the nodes whose way up to the page is gone (descendants of removed
    /// nodes): a long single-page session that replaces its content keeps a mirror
    /// the size of its page, not of its history. Runs once removals reach half the
    /// mirror's size (and 1,024), so its one pass over the mirror is paid for by them.
    /// Each node's status is worked out once (memoised along the walk up); a walk
    /// that meets a cycle in a hostile recording's parents ends at a bounded length,
    /// and the node is kept.
    fn sweep(&mut self) {
        self.removed = 0;
        let mut live: FastMap<i32, bool> = FastMap::default();
        live.reserve(self.nodes.len());
        let mut path: Vec<i32> = Vec::new();
        let mut ids: Vec<i32> = self.nodes.keys().copied().collect();
        // Sorted, so that the work and what is dropped do not depend on the map's order.
        ids.sort_unstable();
        for &id in &ids {
            path.clear();
            let mut at = id;
            let status = loop {
                if let Some(&known) = live.get(&at) {
                    break known;
                }
                let Some(n) = self.nodes.get(&at) else {
                    break false;
                };
                path.push(at);
                if n.parent == NONE || path.len() > 4096 {
                    break true;
                }
                at = n.parent;
            };
            for &p in &path {
                live.insert(p, status);
            }
        }
        for id in ids {
            if live.get(&id) == Some(&false) {
                self.nodes.remove(&id);
                self.texts.remove(&id);
            }
        }
    }

    /// The control a click on `id` acted on: the clicked node or the nearest element
    /// around it that looks interactive (a link, a button, a button-like or checkable
    /// input, a click role, an `onclick` attribute, an inline pointer cursor). `None`
    /// if nothing does, or if the click went to a field where clicks type or pick (text
    /// inputs, text areas, selects, editable content), to a control whose answer the
    /// page does not show (a file input's dialog; a link to another window, a download,
    /// `mailto:`, `tel:`, `sms:`), or to a node not on the page.
    pub(crate) fn control(&self, id: NodeId) -> Option<i32> {
        let mut at = id.0;
        for _ in 0..CONTROL_DEPTH {
            let n = self.nodes.get(&at)?;
            if !n.bits.contains(Bits::TEXT) && n.tag != NO_NAME {
                let tag = self.tag_name(n.tag);
                let input = tag == "input";
                let link = tag == "a" && n.bits.contains(Bits::HREF);
                if tag_is_field(tag)
                    || n.bits.contains(Bits::EDITABLE)
                    || (input && !n.bits.intersects(Bits::INPUT_BUTTON | Bits::INPUT_CHECK))
                    || (link
                        && n.bits
                            .intersects(Bits::LINK_AWAY | Bits::LINK_TARGET | Bits::LINK_DOWNLOAD))
                {
                    return None;
                }
                if tag_is_control(tag)
                    || link
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
        if n.bits.contains(Bits::TEXT) || n.tag == NO_NAME {
            n = self.nodes.get(&n.parent)?;
        }
        let tag = self.tag_name(n.tag).to_owned();
        let (html_id, class) = (self.names.get(n.html_id), self.names.get(n.class));
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
    fn removed_subtrees_are_swept_once_removals_add_up() {
        let mut m = page(r#"{"type":2,"id":3,"tagName":"ul","attributes":{},"childNodes":[]}"#);
        // 3,000 list items added then removed, each with a text inside.
        for k in 0..3000 {
            let li = 100 + 2 * k;
            let add = format!(
                r#"[{{"type":3,"data":{{"source":0,"texts":[],"attributes":[],"removes":[],"adds":[{{"parentId":3,"nextId":null,"node":{{"type":2,"id":{li},"tagName":"li","attributes":{{"class":"item"}},"childNodes":[{{"type":3,"id":{},"textContent":"Item {k}"}}]}}}}]}},"timestamp":2}},
                   {{"type":3,"data":{{"source":0,"texts":[],"attributes":[],"removes":[{{"parentId":3,"id":{li}}}],"adds":[]}},"timestamp":3}}]"#,
                li + 1
            );
            for e in rrweb::read(add.as_bytes(), &Limits::DEFAULT).unwrap() {
                if let crate::model::EventKind::Incremental(crate::model::Incremental::Mutation(
                    mu,
                )) = &e.kind
                {
                    m.apply(mu);
                }
            }
        }
        // The page (document, html, ul) and at most the orphans since the last sweep.
        assert!(m.nodes.len() < 3 + 1100, "{}", m.nodes.len());
        assert!(m.texts.len() < 1100);
        assert_eq!(m.names.len(), 1, "one class, interned");
        assert_eq!(m.describe(3).unwrap().tag, "ul");
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
