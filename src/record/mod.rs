//! Recording: the sans-IO entry point that apps feed.
//!
//! This module owns the [`Recorder`]: it takes what a host observes (a tree snapshot,
//! MutationObserver-style records, pointer, scroll, viewport, input, focus, selection and
//! custom events, each with the host's time), assigns stable [`NodeId`]s to host nodes,
//! samples and throttles as rrweb does, coalesces each batch of mutations, takes keyframes
//! (full snapshots) on a cadence and after a cap is hit, gates everything on consent, and
//! hands out events that have already been through the masking [`Policy`], and, with
//! the codec on, encoded chunks ready to upload.

use std::collections::{BTreeMap, VecDeque};

use crate::codec::{Encoder, EncoderConfig};
use crate::model::*;
use crate::privacy::{Consent, Policy, Scrubber};

/// The host's identity for one of its nodes (a pointer value, an index, anything stable
/// while the node lives).
pub type HostKey = u64;

/// What a host node is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostKind {
    /// The document.
    Document,
    /// A doctype.
    Doctype {
        /// Its name (`html`).
        name: String,
    },
    /// An element with its attributes.
    Element {
        /// The tag name (lower case for HTML).
        tag: String,
        /// The attributes, in order.
        attributes: Vec<(String, String)>,
    },
    /// A text node.
    Text(String),
    /// A comment.
    Comment(String),
}

/// One node of a [`HostTree`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostTreeNode {
    /// The host's key.
    pub key: HostKey,
    /// Index of the parent in the tree (lower than this node's), `None` for the root.
    pub parent: Option<usize>,
    /// What it is.
    pub kind: HostKind,
    /// A child of its parent's shadow root.
    pub in_shadow: bool,
}

/// A host subtree in pre-order (parents before children, siblings in order): what the
/// host hands to [`Recorder::snapshot`] and in [`MutationRecord::ChildList`] additions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostTree {
    /// The nodes, root first.
    pub nodes: Vec<HostTreeNode>,
}

impl HostTree {
    /// Appends a node under `parent` (an index returned earlier) and returns its index.
    pub fn push(&mut self, key: HostKey, parent: Option<usize>, kind: HostKind) -> usize {
        self.nodes.push(HostTreeNode {
            key,
            parent,
            kind,
            in_shadow: false,
        });
        self.nodes.len() - 1
    }
}

/// A MutationObserver record, with the new values the host read when it observed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MutationRecord {
    /// Children added to or removed from `target`.
    ChildList {
        /// The parent.
        target: HostKey,
        /// Added subtrees (each a host tree rooted at the added node).
        added: Vec<HostTree>,
        /// Removed nodes.
        removed: Vec<HostKey>,
        /// The sibling the additions went before, if any.
        next_sibling: Option<HostKey>,
    },
    /// An attribute changed.
    Attributes {
        /// The element.
        target: HostKey,
        /// The attribute.
        name: String,
        /// The value before (MutationObserver's `oldValue`), when the host has it.
        old_value: Option<String>,
        /// The new value, read by the host when it observed the record; `None` when
        /// the attribute was removed.
        value: Option<String>,
    },
    /// A text node's data changed.
    CharacterData {
        /// The text node.
        target: HostKey,
        /// The text before (MutationObserver's `oldValue`), when the host has it.
        old_value: Option<String>,
        /// The new text.
        value: String,
    },
}

/// How the recorder samples, cuts keyframes and caps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecorderConfig {
    /// Pointer samples at most every this many ms. Default 50.
    pub pointer_sample_ms: i64,
    /// Pointer samples are batched into one event every this many ms. Default 500.
    pub pointer_batch_ms: i64,
    /// Scroll events at most every this many ms per target. Default 100.
    pub scroll_throttle_ms: i64,
    /// A keyframe (full snapshot) at least every this many ms. Default 5 minutes.
    pub keyframe_ms: i64,
    /// A keyframe at least every this many events. Default 10,000.
    pub keyframe_events: usize,
    /// Most events per second; past it, incremental events are dropped until the second
    /// ends, then a keyframe resynchronises. Default 1,000.
    pub max_events_per_sec: usize,
    /// Most bytes of events per second (estimated from their content), with the same
    /// drop-then-resync behaviour. Default 1 MiB.
    pub max_bytes_per_sec: usize,
    /// Hand out encoded chunks too ([`Recorder::take_chunks`]). Default off.
    pub encode: bool,
    /// The encoder's configuration when `encode` is on.
    pub encoder: EncoderConfig,
}

impl Default for RecorderConfig {
    fn default() -> Self {
        RecorderConfig {
            pointer_sample_ms: 50,
            pointer_batch_ms: 500,
            scroll_throttle_ms: 100,
            keyframe_ms: 5 * 60 * 1000,
            keyframe_events: 10_000,
            max_events_per_sec: 1_000,
            max_bytes_per_sec: 1 << 20,
            encode: false,
            encoder: EncoderConfig::default(),
        }
    }
}

impl RecorderConfig {
    /// Turns encoding on or off.
    pub fn encode(mut self, on: bool) -> Self {
        self.encode = on;
        self
    }

    /// Sets the keyframe cadence.
    pub fn keyframe_every(mut self, ms: i64, events: usize) -> Self {
        self.keyframe_ms = ms.max(1);
        self.keyframe_events = events.max(1);
        self
    }

    /// Sets the event-rate cap.
    pub fn max_events_per_sec(mut self, n: usize) -> Self {
        self.max_events_per_sec = n.max(1);
        self
    }

    /// Sets the byte-rate cap.
    pub fn max_bytes_per_sec(mut self, n: usize) -> Self {
        self.max_bytes_per_sec = n.max(1);
        self
    }
}

#[derive(Debug, Clone)]
struct RNode {
    key: HostKey,
    parent: Option<NodeId>,
    children: Vec<NodeId>,
    kind: HostKind,
    in_shadow: bool,
}

/// The recorder. Every method takes the host's time (`now`, epoch ms); nothing reads a
/// clock. Call [`Recorder::tick`] from the host's loop so that batches and throttled
/// events go out on time, then drain [`Recorder::poll_event`] (and
/// [`Recorder::take_chunks`] with encoding on).
///
/// ```
/// use session_replay::record::{HostKind, HostTree, MutationRecord, Recorder, RecorderConfig};
/// use session_replay::privacy::Policy;
///
/// let mut rec = Recorder::new(Policy::default(), RecorderConfig::default(), false);
/// rec.grant_consent();
/// let mut page = HostTree::default();
/// let doc = page.push(1, None, HostKind::Document);
/// let html = page.push(2, Some(doc), HostKind::Element { tag: "html".into(), attributes: vec![] });
/// let input = page.push(3, Some(html), HostKind::Element { tag: "input".into(), attributes: vec![] });
/// rec.page("https://shop.test/", 800.0, 600.0, 1_000);
/// rec.snapshot(&page, 1_000);
/// rec.input(3, "4111 1111 1111 1111", false, 1_200);
/// let events: Vec<_> = std::iter::from_fn(|| rec.poll_event()).collect();
/// assert_eq!(events.len(), 3);
/// assert!(!session_replay::rrweb::write_string(&events).contains("4111"));
/// # let _ = input;
/// ```
pub struct Recorder {
    config: RecorderConfig,
    scrubber: Scrubber,
    consent: Consent,
    gpc: bool,
    ids: BTreeMap<HostKey, NodeId>,
    nodes: BTreeMap<NodeId, RNode>,
    root: Option<NodeId>,
    next_id: i32,
    out: VecDeque<Event>,
    encoder: Option<Encoder>,
    chunks: Vec<u8>,
    // Sampling state.
    moves: Vec<(i64, f64, f64, NodeId)>,
    move_source: MoveSource,
    moves_started: Option<i64>,
    last_sample: Option<i64>,
    scroll_last: BTreeMap<NodeId, i64>,
    scroll_pending: BTreeMap<NodeId, (f64, f64, i64)>,
    inputs: BTreeMap<NodeId, (String, bool)>,
    // Cadence and caps.
    last_keyframe: Option<i64>,
    events_since_keyframe: usize,
    window_start: i64,
    window_events: usize,
    window_bytes: usize,
    overflowed: bool,
    href: String,
    viewport: (f64, f64),
    dropped: u64,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("consent", &self.consent)
            .field("nodes", &self.nodes.len())
            .field("queued", &self.out.len())
            .finish()
    }
}

/// A cheap estimate of an event's size in bytes, for the byte-rate cap.
fn approx_size(e: &Event) -> usize {
    match &e.kind {
        EventKind::Incremental(Incremental::Mutation(m)) => {
            let nodes: usize = m
                .adds
                .iter()
                .flat_map(|a| a.node.iter())
                .map(|n| {
                    32 + match &n.kind {
                        NodeKind::Element {
                            tag, attributes, ..
                        } => {
                            tag.len() + attributes.iter().map(|a| a.name.len() + 16).sum::<usize>()
                        }
                        NodeKind::Text { text, .. } | NodeKind::Comment { text } => text.len(),
                        _ => 0,
                    }
                })
                .sum();
            let texts: usize = m
                .texts
                .iter()
                .map(|t| 16 + t.value.as_ref().map_or(0, String::len))
                .sum();
            64 + nodes + texts + m.removes.len() * 24 + m.attributes.len() * 48
        }
        EventKind::Incremental(Incremental::Input(i)) => 64 + i.text.len(),
        EventKind::Incremental(Incremental::Moves(m)) => 48 + m.positions.len() * 40,
        _ => 96,
    }
}

impl Recorder {
    /// A recorder with `policy` applied to everything it hands out. With
    /// `global_privacy_control` set, consent can never be granted.
    pub fn new(policy: Policy, config: RecorderConfig, global_privacy_control: bool) -> Self {
        Recorder {
            encoder: config.encode.then(|| Encoder::new(config.encoder)),
            config,
            scrubber: Scrubber::new(policy),
            consent: Consent::None,
            gpc: global_privacy_control,
            ids: BTreeMap::new(),
            nodes: BTreeMap::new(),
            root: None,
            next_id: 1,
            out: VecDeque::new(),
            chunks: Vec::new(),
            moves: Vec::new(),
            move_source: MoveSource::Mouse,
            moves_started: None,
            last_sample: None,
            scroll_last: BTreeMap::new(),
            scroll_pending: BTreeMap::new(),
            inputs: BTreeMap::new(),
            last_keyframe: None,
            events_since_keyframe: 0,
            window_start: i64::MIN,
            window_events: 0,
            window_bytes: 0,
            overflowed: false,
            href: String::new(),
            viewport: (0.0, 0.0),
            dropped: 0,
        }
    }

    /// Grants consent (refused under Global Privacy Control or after a withdrawal).
    pub fn grant_consent(&mut self) -> bool {
        if !self.gpc && self.consent == Consent::None {
            self.consent = Consent::Granted;
        }
        self.consent == Consent::Granted
    }

    /// Withdraws consent: everything not handed out is dropped, and recording stops.
    pub fn withdraw_consent(&mut self) {
        self.consent = Consent::Withdrawn;
        self.dropped += self.out.len() as u64;
        self.out.clear();
        self.chunks.clear();
        self.encoder = None;
        self.moves.clear();
        self.scroll_pending.clear();
    }

    /// The consent state.
    pub fn consent(&self) -> Consent {
        self.consent
    }

    /// Events refused (no consent), dropped by a cap, or dropped on withdrawal.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The id the recorder gave a host node, if it is in the recorded tree.
    pub fn node_id(&self, key: HostKey) -> Option<NodeId> {
        self.ids.get(&key).copied()
    }

    fn recording(&self) -> bool {
        self.consent == Consent::Granted
    }

    /// Masks and queues one event (through the cap, the scrubber and the encoder).
    fn emit(&mut self, e: Event, keyframe: bool) {
        if !self.recording() {
            self.dropped += 1;
            return;
        }
        let t = e.timestamp.0;
        if t.saturating_sub(self.window_start) >= 1000 {
            self.window_start = t;
            self.window_events = 0;
            self.window_bytes = 0;
            if self.overflowed {
                self.overflowed = false;
                self.keyframe(t);
            }
        }
        if !keyframe {
            self.window_events += 1;
            self.window_bytes = self.window_bytes.saturating_add(approx_size(&e));
            if self.window_events > self.config.max_events_per_sec
                || self.window_bytes > self.config.max_bytes_per_sec
            {
                self.overflowed = true;
                self.dropped += 1;
                return;
            }
        }
        let Some(masked) = self.scrubber.scrub_event(e) else {
            return;
        };
        self.events_since_keyframe += 1;
        if let Some(enc) = &mut self.encoder {
            enc.push(&masked);
            while let Some(c) = enc.poll_chunk() {
                self.chunks.extend(c);
            }
        }
        self.out.push_back(masked);
    }

    /// The page's URL and viewport (a Meta event).
    pub fn page(&mut self, href: &str, width: f64, height: f64, now: i64) {
        self.href = href.to_owned();
        self.viewport = (width, height);
        self.flush_moves(now);
        self.emit(
            Event {
                timestamp: Timestamp(now),
                kind: EventKind::Meta(Meta {
                    href: href.to_owned(),
                    width: Num::from_f64(width),
                    height: Num::from_f64(height),
                    extra: Vec::new(),
                }),
                extra: Vec::new(),
            },
            true,
        );
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
                    is_svg: None,
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
            is_shadow_host: None,
            is_shadow: n.in_shadow.then_some(true),
            shape,
            extra: Vec::new(),
        })
    }

    /// The recorded tree (or a subtree) as a serialized tree, without recursion.
    fn tree_of(&self, top: NodeId) -> NodeTree {
        let mut nodes = Vec::new();
        let mut stack: Vec<(NodeId, Option<u32>)> = vec![(top, None)];
        while let Some((id, parent)) = stack.pop() {
            let Some(node) = self.serialize(id) else {
                continue;
            };
            let index = nodes.len() as u32;
            nodes.push(TreeNode { parent, node });
            if let Some(n) = self.nodes.get(&id) {
                for &c in n.children.iter().rev() {
                    stack.push((c, Some(index)));
                }
            }
        }
        NodeTree { nodes }
    }

    /// Inserts a host subtree under `parent` before `before`; returns the new ids.
    fn insert_tree(
        &mut self,
        tree: &HostTree,
        parent: Option<NodeId>,
        before: Option<NodeId>,
    ) -> Vec<NodeId> {
        let mut ids: Vec<NodeId> = Vec::with_capacity(tree.nodes.len());
        for (i, hn) in tree.nodes.iter().enumerate() {
            let p = match hn.parent {
                Some(pi) if pi < i => ids.get(pi).copied(),
                _ => parent,
            };
            // A key already in the tree moves: take it out first.
            if let Some(&old) = self.ids.get(&hn.key) {
                self.detach(old);
                self.forget(old);
            }
            let id = self.alloc(hn.key);
            self.nodes.insert(
                id,
                RNode {
                    key: hn.key,
                    parent: p,
                    children: Vec::new(),
                    kind: hn.kind.clone(),
                    in_shadow: hn.in_shadow,
                },
            );
            if let Some(pid) = p
                && let Some(pn) = self.nodes.get_mut(&pid)
            {
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
                stack.extend(n.children);
            }
        }
    }

    /// A full snapshot of a host tree: resets the id map and takes a keyframe.
    pub fn snapshot(&mut self, tree: &HostTree, now: i64) {
        self.flush_moves(now);
        self.ids.clear();
        self.nodes.clear();
        self.inputs.clear();
        let ids = self.insert_tree(tree, None, None);
        self.root = ids.first().copied();
        self.keyframe(now);
    }

    /// Emits a full snapshot of the recorded tree now (the keyframe cadence calls it).
    pub fn keyframe(&mut self, now: i64) {
        let Some(root) = self.root else { return };
        let tree = self.tree_of(root);
        self.last_keyframe = Some(now);
        self.events_since_keyframe = 0;
        self.emit(
            Event {
                timestamp: Timestamp(now),
                kind: EventKind::FullSnapshot(FullSnapshot {
                    tree,
                    initial_offset: ScrollOffset::default(),
                    extra: Vec::new(),
                }),
                extra: Vec::new(),
            },
            true,
        );
    }

    /// One batch of mutation records (one MutationObserver callback), coalesced: a node
    /// added and removed within the batch emits nothing; several changes to one
    /// attribute or text emit the last value.
    pub fn mutations(&mut self, records: &[MutationRecord], now: i64) {
        if !self.recording() {
            self.dropped += 1;
            return;
        }
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
                        added.extend(self.insert_tree(t, Some(parent), before_id));
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
                    if let Some(RNode {
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
        let attached = |s: &Self, id: NodeId| {
            let mut at = Some(id);
            let mut steps = 0;
            while let Some(x) = at {
                if Some(x) == s.root {
                    return true;
                }
                at = s.nodes.get(&x).and_then(|n| n.parent);
                steps += 1;
                if steps > s.nodes.len() {
                    return false;
                }
            }
            false
        };
        // Lookups into the batch's additions stay logarithmic on large batches.
        let added_set: std::collections::BTreeSet<NodeId> = added.iter().copied().collect();
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
        let mut seen = std::collections::BTreeSet::new();
        for &id in &added {
            if !seen.insert(id) || !attached(self, id) {
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
            if let Some(node) = self.serialize(id) {
                m.adds.push(Addition {
                    parent_id: parent,
                    next_id: next,
                    previous_id: None,
                    node: NodeTree::single(node),
                    extra: Vec::new(),
                });
            }
        }
        // Adds whose next sibling is added later in the list wait for it on replay.
        for (&id, ()) in &texts {
            if added_set.contains(&id) || !attached(self, id) {
                continue;
            }
            if let Some(RNode {
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
            if added_set.contains(&id) || !attached(self, id) {
                continue;
            }
            let Some(RNode {
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
            if !attached(self, id) {
                self.forget(id);
            }
        }
        let orphans: Vec<NodeId> = added
            .iter()
            .copied()
            .filter(|&id| !attached(self, id))
            .collect();
        for id in orphans {
            self.forget(id);
        }
        if m.adds.is_empty()
            && m.removes.is_empty()
            && m.texts.is_empty()
            && m.attributes.is_empty()
        {
            return;
        }
        self.flush_moves(now);
        self.emit(
            Event {
                timestamp: Timestamp(now),
                kind: EventKind::Incremental(Incremental::Mutation(m)),
                extra: Vec::new(),
            },
            false,
        );
        self.cadence(now);
    }

    fn cadence(&mut self, now: i64) {
        let due = self
            .last_keyframe
            .is_some_and(|k| now.saturating_sub(k) >= self.config.keyframe_ms)
            || self.events_since_keyframe >= self.config.keyframe_events;
        if due {
            self.keyframe(now);
        }
    }

    fn incremental(&mut self, now: i64, inc: Incremental) {
        self.emit(
            Event {
                timestamp: Timestamp(now),
                kind: EventKind::Incremental(inc),
                extra: Vec::new(),
            },
            false,
        );
        self.cadence(now);
    }

    /// The pointer moved over `target` (sampled every 50 ms, batched every 500 ms).
    pub fn pointer_move(&mut self, target: HostKey, x: f64, y: f64, now: i64) {
        self.move_with(MoveSource::Mouse, target, x, y, now);
    }

    /// A touch moved over `target` (sampled and batched like the pointer).
    pub fn touch_move(&mut self, target: HostKey, x: f64, y: f64, now: i64) {
        self.move_with(MoveSource::Touch, target, x, y, now);
    }

    /// Something is dragged over `target` (sampled and batched like the pointer).
    pub fn drag_move(&mut self, target: HostKey, x: f64, y: f64, now: i64) {
        self.move_with(MoveSource::Drag, target, x, y, now);
    }

    fn move_with(&mut self, source: MoveSource, target: HostKey, x: f64, y: f64, now: i64) {
        if !self.recording() {
            return;
        }
        if source != self.move_source {
            self.flush_moves(now);
            self.move_source = source;
        }
        let id = self.ids.get(&target).copied().unwrap_or(NodeId::UNKNOWN);
        if self
            .last_sample
            .is_some_and(|l| now.saturating_sub(l) < self.config.pointer_sample_ms)
        {
            return;
        }
        self.last_sample = Some(now);
        self.moves.push((now, x, y, id));
        self.moves_started.get_or_insert(now);
        self.tick(now);
    }

    fn flush_moves(&mut self, now: i64) {
        if self.moves.is_empty() {
            return;
        }
        let positions = std::mem::take(&mut self.moves)
            .into_iter()
            .map(|(t, x, y, id)| Position {
                x: Num::from_f64(x.round()),
                y: Num::from_f64(y.round()),
                id,
                time_offset: Num::Int(t - now),
                extra: Vec::new(),
            })
            .collect();
        self.moves_started = None;
        self.incremental(
            now,
            Incremental::Moves(PointerMoves {
                source: self.move_source,
                positions,
                extra: Vec::new(),
            }),
        );
    }

    /// A pointer button, click, touch or context-menu interaction on `target`.
    pub fn pointer_interaction(
        &mut self,
        kind: MouseInteractionKind,
        target: HostKey,
        x: f64,
        y: f64,
        now: i64,
    ) {
        let id = self.ids.get(&target).copied().unwrap_or(NodeId::UNKNOWN);
        self.flush_moves(now);
        self.incremental(
            now,
            Incremental::MouseInteraction(MouseInteraction {
                kind,
                id,
                x: Some(Num::from_f64(x)),
                y: Some(Num::from_f64(y)),
                pointer_type: Some(PointerKind::Mouse),
                extra: Vec::new(),
            }),
        );
    }

    /// Focus moved to `target`.
    pub fn focus(&mut self, target: HostKey, now: i64) {
        self.focus_event(MouseInteractionKind::Focus, target, now);
    }

    /// `target` lost focus.
    pub fn blur(&mut self, target: HostKey, now: i64) {
        self.focus_event(MouseInteractionKind::Blur, target, now);
    }

    fn focus_event(&mut self, kind: MouseInteractionKind, target: HostKey, now: i64) {
        let id = self.ids.get(&target).copied().unwrap_or(NodeId::UNKNOWN);
        self.incremental(
            now,
            Incremental::MouseInteraction(MouseInteraction {
                kind,
                id,
                x: None,
                y: None,
                pointer_type: None,
                extra: Vec::new(),
            }),
        );
    }

    /// The window (the document's key) or an element scrolled (throttled per target).
    pub fn scroll(&mut self, target: HostKey, x: f64, y: f64, now: i64) {
        let Some(&id) = self.ids.get(&target) else {
            return;
        };
        let due = self
            .scroll_last
            .get(&id)
            .is_none_or(|&l| now.saturating_sub(l) >= self.config.scroll_throttle_ms);
        if due {
            self.scroll_pending.remove(&id);
            self.scroll_last.insert(id, now);
            self.emit_scroll(id, x, y, now);
        } else {
            self.scroll_pending.insert(id, (x, y, now));
        }
    }

    fn emit_scroll(&mut self, id: NodeId, x: f64, y: f64, now: i64) {
        self.incremental(
            now,
            Incremental::Scroll(Scroll {
                id,
                x: Num::from_f64(x),
                y: Num::from_f64(y),
                extra: Vec::new(),
            }),
        );
    }

    /// The viewport was resized.
    pub fn viewport(&mut self, width: f64, height: f64, now: i64) {
        self.viewport = (width, height);
        self.incremental(
            now,
            Incremental::ViewportResize(ViewportResize {
                width: Num::from_f64(width),
                height: Num::from_f64(height),
                extra: Vec::new(),
            }),
        );
    }

    /// A form field's value or checked state (deduplicated per field).
    pub fn input(&mut self, target: HostKey, value: &str, checked: bool, now: i64) {
        let Some(&id) = self.ids.get(&target) else {
            return;
        };
        if self
            .inputs
            .get(&id)
            .is_some_and(|(v, c)| v == value && *c == checked)
        {
            return;
        }
        self.inputs.insert(id, (value.to_owned(), checked));
        self.incremental(
            now,
            Incremental::Input(Input {
                id,
                text: value.to_owned(),
                is_checked: checked,
                user_triggered: Some(true),
                extra: Vec::new(),
            }),
        );
    }

    /// The selection: (start node, offset, end node, offset) ranges.
    pub fn selection(&mut self, ranges: &[(HostKey, i64, HostKey, i64)], now: i64) {
        let ranges = ranges
            .iter()
            .filter_map(|&(s, so, e, eo)| {
                Some(SelectionRange {
                    start: *self.ids.get(&s)?,
                    start_offset: Num::Int(so),
                    end: *self.ids.get(&e)?,
                    end_offset: Num::Int(eo),
                    extra: Vec::new(),
                })
            })
            .collect();
        self.incremental(
            now,
            Incremental::Selection(Selection {
                ranges,
                extra: Vec::new(),
            }),
        );
    }

    /// An app-defined event (its payload goes through the PII detectors).
    pub fn custom(&mut self, tag: &str, payload: Json, now: i64) {
        self.emit(
            Event {
                timestamp: Timestamp(now),
                kind: EventKind::Custom(Tagged {
                    name: tag.to_owned(),
                    payload,
                    extra: Vec::new(),
                }),
                extra: Vec::new(),
            },
            false,
        );
    }

    /// Moves the clock: sends the pointer batch and throttled scrolls that are due, and
    /// a keyframe when one is due.
    pub fn tick(&mut self, now: i64) {
        // After a cap was hit, resynchronise as soon as its second is over.
        if self.overflowed && now.saturating_sub(self.window_start) >= 1000 {
            self.overflowed = false;
            self.window_start = now;
            self.window_events = 0;
            self.window_bytes = 0;
            self.keyframe(now);
        }
        if self
            .moves_started
            .is_some_and(|s| now.saturating_sub(s) >= self.config.pointer_batch_ms)
        {
            self.flush_moves(now);
        }
        let due: Vec<(NodeId, (f64, f64, i64))> = self
            .scroll_pending
            .iter()
            .filter(|(id, _)| {
                self.scroll_last
                    .get(id)
                    .is_none_or(|&l| now.saturating_sub(l) >= self.config.scroll_throttle_ms)
            })
            .map(|(id, v)| (*id, *v))
            .collect();
        for (id, (x, y, _)) in due {
            self.scroll_pending.remove(&id);
            self.scroll_last.insert(id, now);
            self.emit_scroll(id, x, y, now);
        }
        self.cadence(now);
    }

    /// The next masked event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.out.pop_front()
    }

    /// Encoded chunks closed so far (with `encode` on), taken out of the recorder.
    pub fn take_chunks(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.chunks)
    }

    /// Stops: flushes pending pointer and scroll events and the last encoded chunk.
    pub fn stop(&mut self, now: i64) {
        self.flush_moves(now);
        let pending: Vec<(NodeId, (f64, f64, i64))> = std::mem::take(&mut self.scroll_pending)
            .into_iter()
            .collect();
        for (id, (x, y, _)) in pending {
            self.emit_scroll(id, x, y, now);
        }
        if let Some(mut enc) = self.encoder.take() {
            enc.finish();
            while let Some(c) = enc.poll_chunk() {
                self.chunks.extend(c);
            }
        }
    }
}
