//! DOM patches: the operations that bring a renderer's live copy of the page from the
//! state it last showed to the state now, for renderers that keep a DOM (the web player).
//!
//! A renderer that rebuilt the page at every frame or seek would pay for the whole page
//! each time (rrweb's players spend 35-160 ms per seek, most of it rebuilding). A
//! [`DomPatcher`] remembers what it last handed out and emits only the difference, as
//! calls on a [`PatchSink`]. The difference is found without walking the page: the
//! state's DOM lives in copy-on-write pages shared with the copy the patcher keeps, so
//! only pages written since (a few per frame while playing, the edited part after a
//! seek) are compared. Seeking a 110,000-node page costs what changed between the two
//! instants, not the page.
//!
//! Nodes are named to the renderer by a [`NodeKey`]: unique among the nodes shown, and
//! kept while a node stays. It is not the recorded node id, because a recording can hold
//! several nodes with one id (text set through `textContent`, rrweb's failed removals).
//!
//! Attributes that could run code or navigate arrive renamed to `data-rr-<name>` (the
//! same renames as HTML output); the renderer must still sandbox what it shows.

use std::collections::BTreeMap;

use super::dom::{Dom, DomFlags, DomKind, DomNode, NIL, NodeData};
use super::state::{FormValue, SheetKey, State};
use crate::model::NodeId;

/// A renderer's handle for one node: unique among the nodes shown, kept while the node
/// stays. Not the recorded node id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeKey(pub u32);

/// A node to create (detached; [`PatchSink::children`] places it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NewNode<'a> {
    /// A document: the content document of the `<iframe>` it is placed in.
    Document,
    /// A doctype.
    Doctype {
        /// Its name (`html`).
        name: &'a str,
        /// Its public id.
        public_id: &'a str,
        /// Its system id.
        system_id: &'a str,
    },
    /// An element (its attributes follow as [`PatchSink::set_attr`]).
    Element {
        /// The tag name.
        tag: &'a str,
        /// In the SVG namespace.
        svg: bool,
    },
    /// A text node.
    Text(&'a str),
    /// A comment.
    Comment(&'a str),
    /// A CDATA section (renderers in HTML documents show it as a comment).
    CData(&'a str),
}

/// Where a renderer scrolls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScrollTarget {
    /// The top-level window.
    Window,
    /// An element (or an iframe's document).
    Node(NodeKey),
}

/// What a renderer does to follow a [`DomPatcher`]. Calls come in this order within one
/// patch: `reset` (when the page is rebuilt), removals, adoptions, creations with their
/// attributes, child lists (parents before their descendants), attribute and text
/// updates, stylesheets, viewport, form state, scroll, focus.
pub trait PatchSink {
    /// Drop everything shown; `root` is the new top-level document (what the renderer's
    /// own document stands for), or `None` when the state has no page.
    fn reset(&mut self, root: Option<NodeKey>);
    /// Detach this node and forget its key (its descendants that stay are placed again).
    fn remove(&mut self, key: NodeKey);
    /// Reuse shown nodes for new ones, all pairs at once: the node shown under `from`
    /// is named `to` from now on (`from` names nothing until a later `create`). It stays
    /// where it is until the child lists place it; the attribute and text updates that
    /// turn it into the new node follow in the same patch. Only nodes whose whole state
    /// is their markup are reused (no form controls, canvases, frames, media, sheets or
    /// shadow hosts), so a renderer moves no other state with them; a renderer that
    /// marks the focused node drops that mark, and the patch sends focus again.
    fn adopt(&mut self, moves: &[(NodeKey, NodeKey)]);
    /// Create a detached node under this key (replacing whatever the key named).
    fn create(&mut self, key: NodeKey, node: NewNode<'_>);
    /// Set (`Some`) or remove (`None`) an attribute of an element.
    fn set_attr(&mut self, key: NodeKey, name: &str, value: Option<&str>);
    /// Set the text of a text, comment or CDATA node.
    fn set_text(&mut self, key: NodeKey, text: &str);
    /// Make `kids` the children of `parent`, in this order: its light children, or with
    /// `shadow` its open shadow root's. A `Document` kid of an `<iframe>` is its content
    /// document. Nodes not listed that are still there are not part of the page any
    /// more.
    fn children(&mut self, parent: NodeKey, shadow: bool, kids: &[NodeKey]);
    /// The CSS of a `<style>` or `<link>` element's sheet, when it differs from what its
    /// markup gives (rules edited through the CSSOM, CSS inlined as `_cssText`); `None`
    /// when it no longer does.
    fn sheet(&mut self, owner: NodeKey, css: Option<&str>);
    /// The adopted stylesheets of a document or shadow host, in order.
    fn adopted(&mut self, host: NodeKey, sheets: &[&str]);
    /// A form control's live value and checked state.
    fn form(&mut self, key: NodeKey, value: &FormValue);
    /// A scroll position, in CSS pixels.
    fn scroll(&mut self, target: ScrollTarget, x: f64, y: f64);
    /// The focused element, if any.
    fn focus(&mut self, key: Option<NodeKey>);
    /// The recorded viewport size, in CSS pixels.
    fn viewport(&mut self, width: f64, height: f64);
}

/// What one patch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PatchStats {
    /// The page was rebuilt from nothing.
    pub rebuilt: bool,
    /// Nodes created.
    pub created: usize,
    /// Nodes removed.
    pub removed: usize,
    /// Shown nodes reused for new ones of the same shape (not counted as created or
    /// removed).
    pub reused: usize,
    /// Nodes whose attributes or text changed.
    pub updated: usize,
    /// Child lists sent.
    pub child_lists: usize,
    /// Node slots compared (the pages written since the last patch).
    pub compared: usize,
}

/// What the renderer shows, as of the last patch: the DOM shares its pages with the
/// state it was taken from, so keeping it costs a pointer per 64 nodes.
#[derive(Debug, Clone)]
struct Shown {
    dom: Dom,
    form: BTreeMap<NodeId, FormValue>,
    element_scroll: BTreeMap<NodeId, (f64, f64)>,
    window_scroll: (f64, f64),
    focus: Option<NodeId>,
    viewport: Option<(f64, f64)>,
    sheets: BTreeMap<SheetKey, Vec<String>>,
    adopted: BTreeMap<NodeId, Vec<i64>>,
}

/// Turns states into the operations a live DOM needs to follow them. See the module
/// documentation.
///
/// ```
/// use session_replay::{rrweb, Limits, Timestamp};
/// use session_replay::replay::{DomPatcher, Replayer};
/// # use session_replay::replay::{NewNode, NodeKey, PatchSink, ScrollTarget, FormValue};
/// # #[derive(Default)] struct Count { created: usize, texts: Vec<String> }
/// # impl PatchSink for Count {
/// #   fn reset(&mut self, _: Option<NodeKey>) {}
/// #   fn remove(&mut self, _: NodeKey) {}
/// #   fn adopt(&mut self, _: &[(NodeKey, NodeKey)]) {}
/// #   fn create(&mut self, _: NodeKey, n: NewNode<'_>) { self.created += 1;
/// #       if let NewNode::Text(t) = n { self.texts.push(t.into()) } }
/// #   fn set_attr(&mut self, _: NodeKey, _: &str, _: Option<&str>) {}
/// #   fn set_text(&mut self, _: NodeKey, t: &str) { self.texts.push(t.into()) }
/// #   fn children(&mut self, _: NodeKey, _: bool, _: &[NodeKey]) {}
/// #   fn sheet(&mut self, _: NodeKey, _: Option<&str>) {}
/// #   fn adopted(&mut self, _: NodeKey, _: &[&str]) {}
/// #   fn form(&mut self, _: NodeKey, _: &FormValue) {}
/// #   fn scroll(&mut self, _: ScrollTarget, _: f64, _: f64) {}
/// #   fn focus(&mut self, _: Option<NodeKey>) {}
/// #   fn viewport(&mut self, _: f64, _: f64) {}
/// # }
/// let events = rrweb::read(br#"[
///  {"type":4,"data":{"href":"https://a.test/","width":800,"height":600},"timestamp":1000},
///  {"type":2,"data":{"node":{"type":0,"id":1,"childNodes":[
///    {"type":2,"id":2,"tagName":"html","attributes":{},"childNodes":[
///      {"type":2,"id":3,"tagName":"body","attributes":{},"childNodes":[
///        {"type":3,"id":4,"textContent":"before"}]}]}]},
///   "initialOffset":{"top":0,"left":0}},"timestamp":1000},
///  {"type":3,"data":{"source":0,"texts":[{"id":4,"value":"after"}],
///   "attributes":[],"removes":[],"adds":[]},"timestamp":2000}
/// ]"#, &Limits::DEFAULT)?;
/// let mut replayer = Replayer::from(events);
/// let mut patcher = DomPatcher::new();
/// let mut sink = Count::default(); // your renderer
/// patcher.patch(replayer.seek(Timestamp(1500)), &mut sink); // builds the page
/// assert_eq!(sink.created, 3); // html, body, text (the document is the renderer's own)
/// let stats = patcher.patch(replayer.seek(Timestamp(2500)), &mut sink); // one text
/// assert_eq!((stats.created, stats.updated), (0, 1));
/// assert_eq!(sink.texts, ["before", "after"]);
/// # Ok::<(), session_replay::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct DomPatcher {
    shown: Option<Shown>,
    reuse: bool,
}

impl Default for DomPatcher {
    fn default() -> Self {
        DomPatcher {
            shown: None,
            reuse: true,
        }
    }
}

/// The per-patch work lists, kept apart from the walk that fills them.
#[derive(Default)]
struct Work {
    removes: Vec<u32>,
    creates: Vec<u32>,
    /// Every node new to the renderer, sorted (for lookups): `creates` as the diff
    /// found it, before reuse took the adopted nodes' new slots out of it.
    creates_sorted: Vec<u32>,
    updates: Vec<u32>,
    dirty: Vec<u32>,
    /// Shown nodes reused for created ones: (old slot, new slot).
    adopted: Vec<(u32, u32)>,
}

impl DomPatcher {
    /// A patcher that has shown nothing: its first patch builds the whole page.
    pub fn new() -> Self {
        DomPatcher::default()
    }

    /// Whether nodes that leave are reused for new ones of the same shape
    /// ([`PatchSink::adopt`]); on by default. Off, every new node is created.
    pub fn set_reuse(&mut self, on: bool) {
        self.reuse = on;
    }

    /// Forget what was shown (the renderer lost its DOM): the next patch rebuilds.
    pub fn forget(&mut self) {
        self.shown = None;
    }

    /// Emits what turns the last patched state into `state`, and remembers `state`.
    pub fn patch(&mut self, state: &State, sink: &mut impl PatchSink) -> PatchStats {
        let new = &state.dom;
        let mut stats = PatchStats::default();
        let old = match self.shown.take() {
            Some(s) if same_root(&s.dom, new) => Some(s),
            _ => None,
        };
        let mut work = Work::default();
        match &old {
            None => {
                stats.rebuilt = true;
                let root = new.node(new.root()).map(|_| NodeKey(new.root()));
                sink.reset(root);
                if root.is_some() {
                    for slot in new.descendants(new.root()) {
                        if slot != new.root() {
                            work.creates.push(slot);
                        }
                        if new.node(slot).is_some_and(|n| n.first_child != NIL) {
                            work.dirty.push(slot);
                        }
                    }
                }
            }
            Some(old) => diff_nodes(&old.dom, new, &mut work, &mut stats),
        }
        work.creates_sorted = work.creates.clone();
        work.creates_sorted.sort_unstable();
        if self.reuse
            && let Some(old) = &old
        {
            reuse_nodes(old, new, &mut work);
        }
        emit_nodes(new, &work, sink, &mut stats);
        emit_state(state, old.as_ref(), &work, sink);
        // Keep the sheets the renderer has when they are the state's: no deep copy of
        // the rules at every frame.
        let sheets = match old {
            Some(o) if o.sheets == state.sheets => o.sheets,
            _ => state.sheets.clone(),
        };
        let shown = Shown {
            dom: new.clone(),
            form: state.form.clone(),
            element_scroll: state.element_scroll.clone(),
            window_scroll: state.window_scroll,
            focus: state.focus,
            viewport: state.viewport,
            sheets,
            adopted: state.adopted.clone(),
        };
        self.shown = Some(shown);
        stats
    }
}

/// The same top-level document: an incremental patch is possible.
fn same_root(old: &Dom, new: &Dom) -> bool {
    // Both empty (before the first snapshot) counts as the same: nothing to rebuild.
    old.root() == new.root()
        && (old.root() == NIL
            || old
                .node(old.root())
                .zip(new.node(new.root()))
                .is_some_and(|(a, b)| a.kind == b.kind && a.id == b.id))
}

/// True when `slot` is in the page (it climbs to the root): detached and freed nodes
/// are not shown. Bounded by the node count, so a corrupt link cannot loop forever.
fn attached(dom: &Dom, slot: u32) -> bool {
    let mut at = slot;
    let mut steps = 0usize;
    loop {
        if at == dom.root() {
            return true;
        }
        let Some(n) = dom.node(at) else { return false };
        if n.parent == NIL || steps > dom.slot_count() {
            return false;
        }
        at = n.parent;
        steps += 1;
    }
}

/// Two nodes a renderer can turn one into the other by updates alone: the same node (id)
/// of the same kind and name, with or without a shadow root alike (a DOM cannot take
/// one away). Names compare as text: two states' name tables need not agree on numbers
/// (a replayer grown from chunks interns in its own order).
fn same_kind(old: &Dom, a: &DomNode, new: &Dom, b: &DomNode) -> bool {
    a.id == b.id
        && a.kind == b.kind
        && old.name(a.name) == new.name(b.name)
        && a.flags.contains(DomFlags::SVG) == b.flags.contains(DomFlags::SVG)
        && a.flags.contains(DomFlags::SHADOW_HOST) == b.flags.contains(DomFlags::SHADOW_HOST)
        && match (&a.data, &b.data) {
            (NodeData::Doctype(x), NodeData::Doctype(y)) => x == y,
            _ => true,
        }
}

/// The same text or attributes (attribute names compared as text, as in `same_kind`).
fn same_data(old: &Dom, a: &DomNode, new: &Dom, b: &DomNode) -> bool {
    match (&a.data, &b.data) {
        (NodeData::Attrs(x), NodeData::Attrs(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|(p, q)| p.value == q.value && old.name(p.name) == new.name(q.name))
        }
        (x, y) => x == y,
    }
}

/// The slot of a node's parent, previous and next sibling, and where it lives.
fn place(n: &DomNode) -> (u32, u32, u32, bool) {
    (
        n.parent,
        n.prev,
        n.next,
        n.flags.contains(DomFlags::IN_SHADOW),
    )
}

/// Compares the pages written since `old` was shown, slot by slot.
fn diff_nodes(old: &Dom, new: &Dom, work: &mut Work, stats: &mut PatchStats) {
    let ranges: Vec<std::ops::Range<usize>> = new.changed_slots(old).collect();
    for range in ranges {
        for slot in range {
            let slot = slot as u32;
            let (o, n) = (old.node(slot), new.node(slot));
            if o.is_none() && n.is_none() {
                break;
            }
            stats.compared += 1;
            let o = o.filter(|_| attached(old, slot));
            let n = n.filter(|_| attached(new, slot));
            match (o, n) {
                (None, None) => {}
                (Some(_), None) => work.removes.push(slot),
                (None, Some(n)) => {
                    work.creates.push(slot);
                    work.dirty.push(n.parent);
                    if n.first_child != NIL {
                        work.dirty.push(slot);
                    }
                }
                (Some(o), Some(n)) => {
                    if !same_kind(old, o, new, n) {
                        work.removes.push(slot);
                        work.creates.push(slot);
                        work.dirty.push(n.parent);
                        if n.first_child != NIL {
                            work.dirty.push(slot);
                        }
                    } else {
                        if !same_data(old, o, new, n) {
                            work.updates.push(slot);
                        }
                        if place(o) != place(n) {
                            work.dirty.push(n.parent);
                        }
                        if o.first_child != n.first_child || o.last_child != n.last_child {
                            work.dirty.push(slot);
                        }
                    }
                }
            }
        }
    }
}

/// Turns removals and creations of nodes of the same shape under the same parent into
/// reuse (see [`super::reuse`]).
fn reuse_nodes(old: &Shown, new: &Dom, work: &mut Work) {
    if work.removes.is_empty() || work.creates.is_empty() {
        return;
    }
    let mut removes = work.removes.clone();
    removes.sort_unstable();
    let live = super::reuse::LiveState {
        scroll: &old.element_scroll,
        form: &old.form,
    };
    work.adopted = super::reuse::pair(
        &old.dom,
        new,
        &work.dirty,
        &removes,
        &work.creates_sorted,
        &live,
    );
    if work.adopted.is_empty() {
        return;
    }
    let mut from: Vec<u32> = work.adopted.iter().map(|p| p.0).collect();
    from.sort_unstable();
    let mut to: Vec<u32> = work.adopted.iter().map(|p| p.1).collect();
    to.sort_unstable();
    work.removes.retain(|s| from.binary_search(s).is_err());
    work.creates.retain(|s| to.binary_search(s).is_err());
}

/// Depth of a slot (for ordering child lists top-down).
fn depth(dom: &Dom, slot: u32) -> usize {
    let mut d = 0usize;
    let mut at = slot;
    while let Some(n) = dom.node(at) {
        if n.parent == NIL || d > dom.slot_count() {
            break;
        }
        at = n.parent;
        d += 1;
    }
    d
}

/// The CSS a `<style>`/`<link>` renders with beyond its markup (edited rules, or
/// `_cssText`), as HTML output inlines it.
fn sheet_css(state: &State, slot: u32) -> Option<String> {
    let dom = &state.dom;
    let n = dom.node(slot)?;
    if n.kind != DomKind::Element {
        return None;
    }
    if let Some(rules) = state.sheets.get(&SheetKey::Node(n.id)) {
        return Some(rules.join("\n"));
    }
    dom.attr(slot, "_cssText").map(str::to_owned)
}

fn emit_attrs(dom: &Dom, slot: u32, old: Option<(&Dom, u32)>, sink: &mut impl PatchSink) {
    let Some(tag) = dom.tag(slot) else { return };
    let key = NodeKey(slot);
    let rendered = |tag: &str, name: &str, value: &str| -> Option<String> {
        // `_cssText` and rrweb's own `rr_*` are not markup; `value`/`checked` of form
        // controls come through `form` (the live state).
        if name.starts_with('_') || name.starts_with("rr_") {
            return None;
        }
        let lower = name.to_ascii_lowercase();
        let out = if super::inert::neutralized(tag, &lower, value)
            || (tag.eq_ignore_ascii_case("link") && lower == "href")
        {
            format!("data-rr-{lower}")
        } else {
            name.to_owned()
        };
        super::inert::valid_attr_name(&out).then_some(out)
    };
    let new_attrs = dom.attrs(slot);
    if let Some((odom, oslot)) = old
        && let Some(otag) = odom.tag(oslot)
    {
        // Removed (or renamed) attributes first.
        for a in odom.attrs(oslot) {
            let name = odom.name(a.name);
            let Some(was) = rendered(otag, name, &a.value) else {
                continue;
            };
            let still = new_attrs.iter().any(|b| {
                dom.name(b.name) == name && rendered(tag, name, &b.value).as_deref() == Some(&was)
            });
            if !still {
                sink.set_attr(key, &was, None);
            }
        }
        for b in new_attrs {
            let name = dom.name(b.name);
            let unchanged = odom
                .attrs(oslot)
                .iter()
                .any(|a| odom.name(a.name) == name && a.value == b.value);
            if !unchanged && let Some(r) = rendered(tag, name, &b.value) {
                sink.set_attr(key, &r, Some(&b.value));
            }
        }
        return;
    }
    for b in new_attrs {
        let name = dom.name(b.name);
        if let Some(r) = rendered(tag, name, &b.value) {
            sink.set_attr(key, &r, Some(&b.value));
        }
    }
}

fn new_node(dom: &Dom, slot: u32) -> Option<NewNode<'_>> {
    let n = dom.node(slot)?;
    Some(match (&n.kind, &n.data) {
        (DomKind::Document, _) => NewNode::Document,
        (DomKind::Doctype, NodeData::Doctype(ids)) => {
            let [public_id, system_id] = &**ids;
            NewNode::Doctype {
                name: dom.name(n.name),
                public_id,
                system_id,
            }
        }
        (DomKind::Element, _) => NewNode::Element {
            tag: dom.name(n.name),
            svg: n.flags.contains(DomFlags::SVG),
        },
        (DomKind::Text, NodeData::Text(t)) => NewNode::Text(t),
        (DomKind::Comment, NodeData::Text(t)) => NewNode::Comment(t),
        (DomKind::CData, NodeData::Text(t)) => NewNode::CData(t),
        // Unknown node types render as nothing visible.
        _ => NewNode::Comment(""),
    })
}

fn emit_nodes(new: &Dom, work: &Work, sink: &mut impl PatchSink, stats: &mut PatchStats) {
    for &slot in &work.removes {
        sink.remove(NodeKey(slot));
    }
    stats.removed = work.removes.len();
    if !work.adopted.is_empty() {
        let moves: Vec<(NodeKey, NodeKey)> = work
            .adopted
            .iter()
            .map(|&(a, b)| (NodeKey(a), NodeKey(b)))
            .collect();
        sink.adopt(&moves);
        stats.reused = moves.len();
    }
    for &slot in &work.creates {
        if let Some(node) = new_node(new, slot) {
            // A recorded tag name is lower-cased (HTML) or replaced when it is not a
            // tag at all, as HTML output does.
            if let NewNode::Element { tag, svg } = node {
                let tag = super::inert::safe_tag(tag, svg);
                sink.create(NodeKey(slot), NewNode::Element { tag: &tag, svg });
            } else {
                sink.create(NodeKey(slot), node);
            }
            emit_attrs(new, slot, None, sink);
            stats.created += 1;
        }
    }
    stats.updated = work.updates.len();
    // Child lists, parents first: an iframe is in its document before its own document
    // is filled, a shadow host before its shadow root.
    // A rebuild lists parents in document order already (and every one is attached):
    // no climb to the root per parent, which a deep page would make quadratic.
    let dirty: Vec<(usize, u32)> = if stats.rebuilt {
        work.dirty.iter().map(|&p| (0, p)).collect()
    } else {
        let mut d: Vec<(usize, u32)> = work
            .dirty
            .iter()
            .filter(|&&p| p != NIL && attached(new, p))
            .map(|&p| (depth(new, p), p))
            .collect();
        d.sort_unstable();
        d.dedup();
        d
    };
    let mut light = Vec::new();
    let mut shadow = Vec::new();
    for &(_, parent) in &dirty {
        light.clear();
        shadow.clear();
        for c in new.children(parent) {
            let in_shadow = new
                .node(c)
                .is_some_and(|n| n.flags.contains(DomFlags::IN_SHADOW));
            if in_shadow {
                shadow.push(NodeKey(c));
            } else {
                light.push(NodeKey(c));
            }
        }
        sink.children(NodeKey(parent), false, &light);
        let host = new
            .node(parent)
            .is_some_and(|n| n.flags.contains(DomFlags::SHADOW_HOST));
        if host || !shadow.is_empty() {
            sink.children(NodeKey(parent), true, &shadow);
            stats.child_lists += 1;
        }
        stats.child_lists += 1;
    }
}

/// Updates (now that nodes exist), stylesheets, viewport, form state, scroll, focus.
fn emit_state(state: &State, old: Option<&Shown>, work: &Work, sink: &mut impl PatchSink) {
    let new = &state.dom;
    if let Some(o) = old {
        for &slot in &work.updates {
            match new.node(slot).map(|n| (&n.kind, &n.data)) {
                Some((DomKind::Element, _)) => emit_attrs(new, slot, Some((&o.dom, slot)), sink),
                Some((_, NodeData::Text(t))) => sink.set_text(NodeKey(slot), t),
                _ => {}
            }
        }
        // Reused nodes: what differs from the node they were.
        for &(a, b) in &work.adopted {
            match (o.dom.node(a), new.node(b)) {
                (Some(_), Some(n)) if n.kind == DomKind::Element => {
                    emit_attrs(new, b, Some((&o.dom, a)), sink);
                }
                (Some(was), Some(n)) => {
                    if let (NodeData::Text(x), NodeData::Text(t)) = (&was.data, &n.data)
                        && x != t
                    {
                        sink.set_text(NodeKey(b), t);
                    }
                }
                _ => {}
            }
        }
    }
    let key_of = |id: NodeId| new.slot_of(id).filter(|&s| attached(new, s)).map(NodeKey);
    // New to the renderer: created, or a reused node standing for a new one.
    let created = |slot: u32| work.creates_sorted.binary_search(&slot).is_ok();
    // Stylesheets: owners created or updated here, and owners whose rules changed.
    let mut owners: Vec<u32> = work
        .creates
        .iter()
        .chain(&work.updates)
        .copied()
        .filter(|&s| matches!(new.tag(s), Some("style" | "link")))
        .collect();
    // A `<style>` whose text changed: the browser re-parses it and drops rules set
    // through the CSSOM, so they are sent again.
    owners.extend(work.updates.iter().filter_map(|&s| {
        let n = new.node(s)?;
        (n.flags.contains(DomFlags::STYLE_TEXT)).then_some(n.parent)
    }));
    if old.is_none_or(|o| o.sheets != state.sheets) {
        // Only the sheets whose rules differ.
        let keys = state
            .sheets
            .keys()
            .chain(old.map(|o| o.sheets.keys()).into_iter().flatten());
        for k in keys {
            let differs = old.is_none_or(|o| o.sheets.get(k) != state.sheets.get(k));
            if differs
                && let SheetKey::Node(id) = k
                && let Some(NodeKey(s)) = key_of(*id)
            {
                owners.push(s);
            }
        }
    }
    owners.sort_unstable();
    owners.dedup();
    for slot in owners {
        let css = sheet_css(state, slot);
        let had = old.is_some_and(|o| {
            o.dom
                .node(slot)
                .is_some_and(|n| o.sheets.contains_key(&SheetKey::Node(n.id)))
                || o.dom.attr(slot, "_cssText").is_some()
        });
        if css.is_some() || had {
            sink.sheet(NodeKey(slot), css.as_deref());
        }
    }
    // Adopted sheets: hosts whose list changed, or any, when a constructed sheet did.
    for (host, ids) in &state.adopted {
        let Some(key) = key_of(*host) else { continue };
        let same = old.is_some_and(|o| {
            o.adopted.get(host) == Some(ids)
                && !created(key.0)
                && ids.iter().all(|i| {
                    let k = SheetKey::Constructed(*i);
                    o.sheets.get(&k) == state.sheets.get(&k)
                })
        });
        if same {
            continue;
        }
        let css: Vec<String> = ids
            .iter()
            .filter_map(|s| state.sheets.get(&SheetKey::Constructed(*s)))
            .map(|r| r.join("\n"))
            .collect();
        let refs: Vec<&str> = css.iter().map(String::as_str).collect();
        sink.adopted(key, &refs);
    }
    if let Some(o) = old {
        for host in o.adopted.keys() {
            if !state.adopted.contains_key(host)
                && let Some(key) = key_of(*host)
            {
                sink.adopted(key, &[]);
            }
        }
    }
    // The viewport before scroll: resizing the view moves what a scroll position shows.
    if let Some((w, h)) = state.viewport
        && old.is_none_or(|o| o.viewport != state.viewport)
    {
        sink.viewport(w, h);
    }
    // Form state, element scroll: changed entries, and every entry of a created node.
    for (id, v) in &state.form {
        let Some(key) = key_of(*id) else { continue };
        if old.is_none_or(|o| o.form.get(id) != Some(v)) || created(key.0) {
            sink.form(key, v);
        }
    }
    // Controls whose live value is gone (a seek back before the typing) or whose markup
    // changed without one: the value the markup gives (the renderer's control keeps
    // whatever value it was last given, as a browser's does once it is typed into).
    if let Some(o) = old {
        let gone = o.form.keys().filter(|id| !state.form.contains_key(id));
        let remarked = work
            .updates
            .iter()
            .filter_map(|&s| new.node(s))
            .map(|n| n.id)
            .filter(|id| !state.form.contains_key(id));
        let mut ids: Vec<NodeId> = gone.copied().chain(remarked).collect();
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            if let (Some(key), Some(v)) = (key_of(id), state.form_value(id)) {
                sink.form(key, &v);
            }
        }
    }
    for (id, &(x, y)) in &state.element_scroll {
        let Some(key) = key_of(*id) else { continue };
        if old.is_none_or(|o| o.element_scroll.get(id) != Some(&(x, y))) || created(key.0) {
            sink.scroll(ScrollTarget::Node(key), x, y);
        }
    }
    // Elements no longer scrolled at this instant (a seek back before their scroll).
    if let Some(o) = old {
        for id in o.element_scroll.keys() {
            if !state.element_scroll.contains_key(id)
                && let Some(key) = key_of(*id)
                && !created(key.0)
            {
                sink.scroll(ScrollTarget::Node(key), 0.0, 0.0);
            }
        }
    }
    if old.is_none_or(|o| o.window_scroll != state.window_scroll) {
        let (x, y) = state.window_scroll;
        sink.scroll(ScrollTarget::Window, x, y);
    }
    // (A renderer drops its focus mark from a node it reuses.)
    if old.is_none_or(|o| o.focus != state.focus)
        || !work.adopted.is_empty()
        || state.focus.and_then(key_of).is_some_and(|k| created(k.0))
    {
        sink.focus(state.focus.and_then(key_of));
    }
}
