//! The scrubber: applies a [`Policy`] to a stream of events, keeping per-node masking
//! state across mutations. The same engine serves the recorder and the server.

use std::collections::BTreeMap;

use report::Place;
pub use report::{AttributePlace, ScrubAction, ScrubPlace, ScrubReport};

use super::detect::{self, Detectors, PiiKind};
use super::policy::{AttributeAction, MaskTarget, Policy};
use super::selector::{Selector, SelectorElement};
use super::url::{self, UrlMode, UrlScrub};
use crate::error::RrwebError;
use crate::model::*;

bitflags::bitflags! {
    /// A node's privacy state.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct NodePrivacy: u16 {
        /// Text masked by a mask rule here or above (sticky down the tree).
        const MASKED = 1;
        /// This element is blocked: kept with its size, children dropped.
        const BLOCKED = 1 << 1;
        /// Inside a blocked element: not in the output.
        const DROPPED = 1 << 2;
        /// Input events of this element (and below) are dropped.
        const IGNORED = 1 << 3;
        /// Text opted back in by an unmask rule here or above.
        const ALLOWED = 1 << 4;
        /// This field's value may be recorded.
        const INPUT_ALLOWED = 1 << 5;
        /// A password field, now or ever (type toggles do not unmask it).
        const PASSWORD = 1 << 6;
        /// Input values masked by a vendor's mask-user-input marker.
        const MASK_INPUT = 1 << 7;
        /// The state has been computed.
        const COMPUTED = 1 << 8;
    }
}

#[derive(Debug, Clone)]
struct MNode {
    parent: i32,
    element: bool,
    /// Lower-cased.
    tag: Tag,
    attrs: PackedAttrs,
    /// Text content of text nodes (kept so that a later mask can re-mask it).
    text: Option<Box<str>>,
    /// Inline up to four (no allocation for most elements).
    children: smallvec::SmallVec<[i32; 4]>,
    privacy: NodePrivacy,
}

const NO_PARENT: i32 = i32::MIN;

/// The mirror's nodes by id. rrweb hands out ids densely from 1, so ids up to a bound
/// index a vector directly; an id far beyond the nodes seen so far (hostile input)
/// goes to a map instead, so no id makes the vector grow out of proportion.
#[derive(Debug, Clone, Default)]
struct NodeMap {
    dense: Vec<Option<MNode>>,
    sparse: BTreeMap<i32, MNode>,
    len: usize,
}

impl NodeMap {
    /// Ids below this may live in the vector, if not too far beyond its length.
    const DENSE_MAX: usize = 1 << 22;

    fn slot(&self, id: i32) -> Option<usize> {
        usize::try_from(id).ok().filter(|&i| i < self.dense.len())
    }

    fn get(&self, id: &i32) -> Option<&MNode> {
        match self.slot(*id) {
            Some(i) => self.dense.get(i).and_then(Option::as_ref),
            None => self.sparse.get(id),
        }
    }

    fn get_mut(&mut self, id: &i32) -> Option<&mut MNode> {
        match self.slot(*id) {
            Some(i) => self.dense.get_mut(i).and_then(Option::as_mut),
            None => self.sparse.get_mut(id),
        }
    }

    fn contains_key(&self, id: &i32) -> bool {
        self.get(id).is_some()
    }

    fn insert(&mut self, id: i32, node: MNode) {
        if self.slot(id).is_none()
            && let Ok(i) = usize::try_from(id)
            && i < Self::DENSE_MAX
            && i <= 2 * self.dense.len() + 4096
        {
            let new_len = (i + 1).max(self.dense.len() * 3 / 2);
            self.dense
                .resize_with(new_len.min(Self::DENSE_MAX), || None);
            // Ids now covered by the vector move over from the map.
            let moved: Vec<i32> = self
                .sparse
                .keys()
                .copied()
                .filter(|&k| self.slot(k).is_some())
                .collect();
            for k in moved {
                if let (Some(n), Some(slot)) = (self.sparse.remove(&k), self.slot(k))
                    && let Some(x) = self.dense.get_mut(slot)
                {
                    *x = Some(n);
                }
            }
        }
        let old = match self.slot(id) {
            Some(i) => self.dense.get_mut(i).and_then(|x| x.replace(node)),
            None => self.sparse.insert(id, node),
        };
        if old.is_none() {
            self.len += 1;
        }
    }

    fn remove(&mut self, id: &i32) -> Option<MNode> {
        let old = match self.slot(*id) {
            Some(i) => self.dense.get_mut(i).and_then(Option::take),
            None => self.sparse.remove(id),
        };
        if old.is_some() {
            self.len -= 1;
        }
        old
    }

    fn len(&self) -> usize {
        self.len
    }

    fn clear(&mut self) {
        self.dense.iter_mut().for_each(|x| *x = None);
        self.sparse.clear();
        self.len = 0;
    }
}

mod fast;
mod report;

/// A lower-cased tag name; a common one costs no allocation to keep or copy.
#[derive(Debug, Clone, Default)]
enum Tag {
    #[default]
    Empty,
    /// A common tag, from [`COMMON_TAGS`].
    Common(&'static str),
    Heap(Box<str>),
}

/// Tags common enough to be kept without an allocation.
const COMMON_TAGS: [&str; 72] = [
    "#document",
    "a",
    "abbr",
    "article",
    "aside",
    "audio",
    "b",
    "blockquote",
    "body",
    "br",
    "button",
    "canvas",
    "caption",
    "code",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "em",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hr",
    "html",
    "i",
    "iframe",
    "img",
    "input",
    "label",
    "legend",
    "li",
    "link",
    "main",
    "meta",
    "nav",
    "noscript",
    "ol",
    "optgroup",
    "option",
    "p",
    "path",
    "picture",
    "pre",
    "script",
    "section",
    "select",
    "small",
    "source",
    "span",
    "strong",
    "style",
    "sub",
    "summary",
    "svg",
    "table",
    "tbody",
    "td",
    "textarea",
    "time",
    "title",
];

/// A tag of at most eight bytes as an integer, for comparing without `memcmp`.
const fn pack_tag(b: &[u8]) -> Option<u64> {
    if b.len() > 8 {
        return None;
    }
    let (mut k, mut shift, mut rest) = (0u64, 0, b);
    while let [c, tail @ ..] = rest {
        k |= (*c as u64) << shift;
        shift += 8;
        rest = tail;
    }
    Some(k)
}

/// [`COMMON_TAGS`] packed (0 for those longer than eight bytes, which then never match).
/// Evaluated at compile time, where an index out of bounds is a build error.
#[allow(clippy::indexing_slicing)]
const COMMON_TAG_KEYS: [u64; COMMON_TAGS.len()] = {
    let mut keys = [0u64; COMMON_TAGS.len()];
    let mut i = 0;
    while i < keys.len() {
        if let Some(k) = pack_tag(COMMON_TAGS[i].as_bytes()) {
            keys[i] = k;
        }
        i += 1;
    }
    keys
};

impl Tag {
    fn lower(tag: &str) -> Tag {
        if tag.is_empty() {
            return Tag::Empty;
        }
        let owned;
        let lower = if tag.bytes().any(|b| b.is_ascii_uppercase()) {
            owned = tag.to_ascii_lowercase();
            owned.as_str()
        } else {
            tag
        };
        if let Some(key) = pack_tag(lower.as_bytes())
            && let Some(i) = COMMON_TAG_KEYS.iter().position(|&k| k == key)
            && let Some(t) = COMMON_TAGS.get(i)
        {
            return Tag::Common(t);
        }
        Tag::Heap(lower.into())
    }
}

impl std::ops::Deref for Tag {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            Tag::Empty => "",
            Tag::Common(s) => s,
            Tag::Heap(s) => s,
        }
    }
}

/// An element's attributes in the mirror, in one buffer: names and values one after
/// the other, with their lengths alongside (one allocation for a typical element
/// instead of two per attribute).
#[derive(Debug, Clone, Default)]
struct PackedAttrs {
    text: String,
    lens: smallvec::SmallVec<[(u32, u32); 6]>,
}

impl PackedAttrs {
    fn with_capacity(bytes: usize) -> Self {
        PackedAttrs {
            text: String::with_capacity(bytes),
            lens: smallvec::SmallVec::new(),
        }
    }

    /// Appends an attribute (an inlined stylesheet's text is not kept, see
    /// [`mirror_skips_attr`]).
    fn push(&mut self, name: &str, value: &str) {
        if mirror_skips_attr(name) {
            return;
        }
        let (Ok(n), Ok(v)) = (u32::try_from(name.len()), u32::try_from(value.len())) else {
            return;
        };
        self.text.push_str(name);
        self.text.push_str(value);
        self.lens.push((n, v));
    }

    fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        let mut at = 0usize;
        self.lens.iter().map(move |&(n, v)| {
            let (n, v) = (n as usize, v as usize);
            let name = self.text.get(at..at + n).unwrap_or("");
            let value = self.text.get(at + n..at + n + v).unwrap_or("");
            at += n + v;
            (name, value)
        })
    }

    /// Sets (`Some`) or removes (`None`) attribute `name`, as a mutation does.
    fn set(&mut self, name: &str, value: Option<&str>) {
        let mut next = PackedAttrs::default();
        for (k, v) in self.iter() {
            if k != name {
                next.push(k, v);
            }
        }
        if let Some(v) = value {
            next.push(name, v);
        }
        *self = next;
    }
}

/// Attributes the mirror does not keep: an inlined stylesheet's text (rrweb's
/// `_cssText`) is large, and nothing matches on it.
fn mirror_skips_attr(name: &str) -> bool {
    name.eq_ignore_ascii_case("_csstext")
}

/// What the mirror needs to know of a node, borrowed from whichever form it came in.
enum NodeLook<'a> {
    Element {
        tag: std::borrow::Cow<'a, str>,
        attrs: PackedAttrs,
    },
    Text(std::borrow::Cow<'a, str>),
    Document,
    Other,
}

#[derive(Clone, Copy)]
struct MEl<'a> {
    nodes: &'a NodeMap,
    id: i32,
}

impl SelectorElement for MEl<'_> {
    fn tag(&self) -> &str {
        self.nodes.get(&self.id).map_or("", |n| &n.tag)
    }
    fn attr(&self, name: &str) -> Option<&str> {
        let n = self.nodes.get(&self.id)?;
        n.attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }
    fn parent_element(&self) -> Option<Self> {
        let n = self.nodes.get(&self.id)?;
        let p = self.nodes.get(&n.parent)?;
        p.element.then_some(MEl {
            nodes: self.nodes,
            id: n.parent,
        })
    }
}

/// Attributes that only shape layout: what a blocked element keeps.
const LAYOUT_ATTRS: [&str; 9] = [
    "class",
    "style",
    "width",
    "height",
    "rr_width",
    "rr_height",
    "hidden",
    "dir",
    "id",
];
const URL_ATTRS: [&str; 12] = [
    "href",
    "src",
    "action",
    "formaction",
    "poster",
    "cite",
    "background",
    "longdesc",
    "data",
    "xlink:href",
    "ping",
    "manifest",
];
const STRUCTURAL_ATTRS: [&str; 16] = [
    "class",
    "id",
    "style",
    "type",
    "rel",
    "role",
    "tabindex",
    "for",
    "lang",
    "dir",
    "name",
    "method",
    "target",
    "media",
    "charset",
    "autocomplete",
];

fn is_user_data_attr(name: &str) -> bool {
    matches!(
        name,
        "title" | "alt" | "placeholder" | "label" | "summary" | "abbr" | "download" | "content"
    ) || name.starts_with("aria-")
        || name.starts_with("data-")
}

fn is_password_field(tag: &str, get: &dyn Fn(&str) -> Option<String>) -> bool {
    if tag != "input" && tag != "textarea" {
        return false;
    }
    let ty = get("type").unwrap_or_default().to_ascii_lowercase();
    let ac = get("autocomplete").unwrap_or_default().to_ascii_lowercase();
    ty == "password"
        || ac.split_ascii_whitespace().any(|t| {
            t.ends_with("-password")
                || t == "password"
                || t.starts_with("cc-")
                || t == "one-time-code"
        })
}

fn is_form_control(tag: &str) -> bool {
    matches!(tag, "input" | "textarea" | "select" | "option")
}

const VENDOR_BLOCK_CLASSES: [&str; 6] = [
    "rr-block",
    "sentry-block",
    "ph-no-capture",
    "fs-exclude",
    "highlight-block",
    "dd-privacy-hidden",
];
const VENDOR_MASK_CLASSES: [&str; 6] = [
    "rr-mask",
    "sentry-mask",
    "ph-mask",
    "fs-mask",
    "dd-privacy-mask",
    "highlight-mask",
];
const VENDOR_UNMASK_CLASSES: [&str; 3] = ["fs-unmask", "dd-privacy-allow", "sentry-unmask"];
const VENDOR_IGNORE_CLASSES: [&str; 4] = [
    "rr-ignore",
    "sentry-ignore",
    "ph-ignore-input",
    "highlight-ignore",
];

/// The vendor privacy markers of an element, read in one pass over its attributes.
fn vendor_flags(attrs: &PackedAttrs) -> NodePrivacy {
    let mut f = NodePrivacy::empty();
    for (name, value) in attrs.iter() {
        if name.eq_ignore_ascii_case("class") {
            for c in value.split_ascii_whitespace() {
                if VENDOR_BLOCK_CLASSES.contains(&c) {
                    f |= NodePrivacy::BLOCKED;
                } else if VENDOR_MASK_CLASSES.contains(&c) {
                    f |= NodePrivacy::MASKED;
                } else if VENDOR_UNMASK_CLASSES.contains(&c) {
                    f |= NodePrivacy::ALLOWED;
                } else if VENDOR_IGNORE_CLASSES.contains(&c) {
                    f |= NodePrivacy::IGNORED;
                } else if c == "dd-privacy-mask-user-input" {
                    f |= NodePrivacy::MASK_INPUT;
                }
            }
            continue;
        }
        if !name.starts_with("data-") {
            continue;
        }
        match name {
            "data-sentry-block" | "data-openreplay-hidden" => f |= NodePrivacy::BLOCKED,
            "data-sentry-mask"
            | "data-private"
            | "data-hj-suppress"
            | "data-clarity-mask"
            | "data-openreplay-obscured" => f |= NodePrivacy::MASKED,
            "data-hj-allow"
            | "data-clarity-unmask"
            | "data-openreplay-unmask"
            | "data-sentry-unmask" => f |= NodePrivacy::ALLOWED,
            "data-sentry-ignore" => f |= NodePrivacy::IGNORED,
            "data-dd-privacy" => match value {
                "hidden" => f |= NodePrivacy::BLOCKED,
                "mask" => f |= NodePrivacy::MASKED,
                "allow" => f |= NodePrivacy::ALLOWED,
                "mask-user-input" => f |= NodePrivacy::MASK_INPUT,
                _ => {}
            },
            _ => {}
        }
    }
    f
}

/// The masked form of an input value: fixed, so that its length is not revealed.
pub const MASKED_INPUT: &str = "*****";

/// Applies a policy to events one at a time, keeping the per-node state.
///
/// ```
/// use session_replay::{rrweb, privacy::{Policy, Scrubber}};
/// let events = rrweb::read(br#"[{"type":3,"data":{"source":5,"text":"hunter2","isChecked":false,"id":9},"timestamp":1}]"#)?;
/// let mut s = Scrubber::new(Policy::private());
/// let out: Vec<_> = events.into_iter().filter_map(|e| s.scrub_event(e)).collect();
/// assert!(!rrweb::write_string(&out).contains("hunter2"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Scrubber {
    policy: Policy,
    nodes: NodeMap,
    report: ScrubReport,
}

impl std::fmt::Debug for Scrubber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scrubber")
            .field("policy", &self.policy)
            .field("nodes", &self.nodes.len())
            .finish()
    }
}

/// What becomes of a node met in a tree (see `Scrubber::tree_fate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Dropped,
    Kept,
    KeptBlocked,
}

/// What becomes of a text node's content (see `Scrubber::text_plan`).
enum TextPlan {
    Keep,
    Set(String),
    MaskEachChar,
}

/// What happens to a mutation's text change.
enum TextOutcome {
    Drop,
    Keep,
    Set(String),
}

/// What an attribute change met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AttributeChange {
    /// The node is not in the mirror: scrub as masked.
    UnknownNode,
    /// The node is not in the output: drop the change.
    Drop,
    /// A known node, mirror updated.
    Known,
}

enum AttrOutcome {
    Keep,
    Set(String),
    Remove,
}

impl Scrubber {
    /// A scrubber for `policy`.
    pub fn new(policy: Policy) -> Self {
        Scrubber {
            policy,
            nodes: NodeMap::default(),
            report: ScrubReport::default(),
        }
    }

    /// The policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// What has been scrubbed so far.
    pub fn report(&self) -> &ScrubReport {
        &self.report
    }

    /// Takes the report, leaving an empty one.
    pub fn take_report(&mut self) -> ScrubReport {
        std::mem::take(&mut self.report)
    }

    /// The privacy state of a node, if known.
    pub fn node_privacy(&self, id: NodeId) -> Option<NodePrivacy> {
        self.nodes.get(&id.0).map(|n| n.privacy)
    }

    /// Whether a selector of `list` matches; on a tree too deep to decide, `safe`.
    fn any_match(list: &[Selector], el: &MEl<'_>, safe: bool) -> bool {
        list.iter().any(|s| s.matches_bounded(el).unwrap_or(safe))
    }

    /// Computes the privacy of `id` from its parent's (which must be computed).
    fn compute_one(&mut self, id: i32) {
        let Some(n) = self.nodes.get(&id) else { return };
        let parent = self
            .nodes
            .get(&n.parent)
            .map_or(NodePrivacy::empty(), |p| p.privacy);
        // Privacy only escalates over a node's life: a password stays a password after a
        // type toggle, a blocked element stays blocked (its children left the output), and
        // masked or ignored stays so when the marker class is taken away again.
        let old_own = n.privacy
            & (NodePrivacy::PASSWORD
                | NodePrivacy::BLOCKED
                | NodePrivacy::DROPPED
                | NodePrivacy::MASKED
                | NodePrivacy::IGNORED
                | NodePrivacy::MASK_INPUT);
        let mut p = parent
            & (NodePrivacy::MASKED
                | NodePrivacy::DROPPED
                | NodePrivacy::IGNORED
                | NodePrivacy::ALLOWED
                | NodePrivacy::MASK_INPUT);
        if parent.intersects(NodePrivacy::BLOCKED | NodePrivacy::DROPPED) {
            p |= NodePrivacy::DROPPED;
        }
        if n.element {
            let el = MEl {
                nodes: &self.nodes,
                id,
            };
            let policy = &self.policy;
            // Vendor markers in one pass over the attributes (equal to the selector lists
            // in `policy::VENDOR_*`, which a test checks).
            let v = if policy.vendor_markers {
                self.nodes
                    .get(&id)
                    .map_or(NodePrivacy::empty(), |n| vendor_flags(&n.attrs))
            } else {
                NodePrivacy::empty()
            };
            p |= v
                & (NodePrivacy::BLOCKED
                    | NodePrivacy::MASKED
                    | NodePrivacy::IGNORED
                    | NodePrivacy::MASK_INPUT);
            if !policy.block.is_empty() && Self::any_match(&policy.block, &el, true) {
                p |= NodePrivacy::BLOCKED;
            }
            if !policy.mask.is_empty() && Self::any_match(&policy.mask, &el, true) {
                p |= NodePrivacy::MASKED;
            }
            if !policy.ignore.is_empty() && Self::any_match(&policy.ignore, &el, true) {
                p |= NodePrivacy::IGNORED;
            }
            if v.contains(NodePrivacy::ALLOWED)
                || (!policy.unmask.is_empty() && Self::any_match(&policy.unmask, &el, false))
            {
                p |= NodePrivacy::ALLOWED;
            }
            if !policy.allow_input.is_empty() && Self::any_match(&policy.allow_input, &el, false) {
                p |= NodePrivacy::INPUT_ALLOWED;
            }
            let get = |name: &str| el.attr(name).map(str::to_owned);
            if is_password_field(&n.tag, &get) {
                p |= NodePrivacy::PASSWORD;
            }
        }
        p |= old_own | NodePrivacy::COMPUTED;
        if p.intersects(NodePrivacy::MASKED | NodePrivacy::BLOCKED | NodePrivacy::DROPPED) {
            p.remove(NodePrivacy::ALLOWED);
        }
        if let Some(n) = self.nodes.get_mut(&id) {
            n.privacy = p;
        }
    }

    /// Makes sure `id` and its ancestors have a computed state.
    fn ensure(&mut self, id: i32) -> NodePrivacy {
        let mut path: smallvec::SmallVec<[i32; 8]> = smallvec::SmallVec::new();
        let mut at = id;
        while let Some(n) = self.nodes.get(&at) {
            if n.privacy.contains(NodePrivacy::COMPUTED) {
                break;
            }
            path.push(at);
            if path.len() > self.nodes.len() {
                break; // a cycle in hostile input
            }
            at = n.parent;
        }
        for &p in path.iter().rev() {
            self.compute_one(p);
        }
        self.nodes
            .get(&id)
            .map_or(NodePrivacy::empty(), |n| n.privacy)
    }

    /// Recomputes the subtree at `id` after an attribute change; returns the elements
    /// that newly became blocked and the text nodes that newly became masked.
    fn recompute_subtree(&mut self, id: i32) -> (Vec<i32>, Vec<i32>) {
        let mut newly_blocked = Vec::new();
        let mut newly_masked_text = Vec::new();
        let mut stack = vec![id];
        // Each node at most once, even if hostile input made the mirror cyclic.
        let mut budget = self.nodes.len() + 1;
        while let Some(x) = stack.pop() {
            if budget == 0 {
                break;
            }
            budget -= 1;
            let before = self
                .nodes
                .get(&x)
                .map_or(NodePrivacy::empty(), |n| n.privacy);
            self.compute_one(x);
            let Some(n) = self.nodes.get(&x) else {
                continue;
            };
            let after = n.privacy;
            if after.contains(NodePrivacy::BLOCKED) && !before.contains(NodePrivacy::BLOCKED) {
                newly_blocked.push(x);
            }
            if n.element
                && before.contains(NodePrivacy::COMPUTED)
                && !self.masks_text(before)
                && self.masks_text(after)
                && !after.intersects(NodePrivacy::BLOCKED | NodePrivacy::DROPPED)
            {
                for &c in &n.children {
                    if self
                        .nodes
                        .get(&c)
                        .is_some_and(|k| !k.element && k.text.is_some())
                    {
                        newly_masked_text.push(c);
                    }
                }
            }
            if before == after && x != id {
                continue;
            }
            stack.extend(n.children.iter().copied());
        }
        (newly_blocked, newly_masked_text)
    }

    /// Whether text under an element in state `p` is masked.
    fn masks_text(&self, p: NodePrivacy) -> bool {
        p.contains(NodePrivacy::MASKED)
            || (self.policy.text_masked && !p.contains(NodePrivacy::ALLOWED))
    }

    /// Whether the mirror keeps the content of a text node added under `parent`: only
    /// while it is shown as is (if the parent masks text already, a later re-mask has
    /// nothing to take back).
    fn keeps_text_under(&self, parent: i32) -> bool {
        !self.nodes.get(&parent).is_some_and(|p| {
            p.privacy.contains(NodePrivacy::COMPUTED) && self.masks_text(p.privacy)
        })
    }

    /// Whether text under element `parent` is masked.
    fn text_masked(&self, parent: i32) -> bool {
        let p = self
            .nodes
            .get(&parent)
            .map_or(NodePrivacy::empty(), |n| n.privacy);
        self.masks_text(p)
    }

    fn insert(&mut self, parent: i32, node: &SerializedNode) {
        let id = node.id.0;
        match &node.kind {
            NodeKind::Element {
                tag, attributes, ..
            } => self.insert_raw(
                parent,
                id,
                NodeLook::Element {
                    tag: tag.into(),
                    attrs: {
                        let mut p = PackedAttrs::default();
                        for a in attributes {
                            if let Some(v) = a.value.as_text() {
                                p.push(&a.name, &v);
                            }
                        }
                        p
                    },
                },
            ),
            NodeKind::Text { text, .. } | NodeKind::CData { text } | NodeKind::Comment { text } => {
                self.insert_raw(parent, id, NodeLook::Text(text.into()))
            }
            NodeKind::Document { .. } => self.insert_raw(parent, id, NodeLook::Document),
            _ => self.insert_raw(parent, id, NodeLook::Other),
        }
    }

    /// Puts a node in the mirror under `parent` (a node seen again in the same place is
    /// refreshed and keeps its children; seen elsewhere, it was moved and starts over).
    fn insert_raw(&mut self, parent: i32, id: i32, look: NodeLook<'_>) {
        let (element, tag, attrs, text): (bool, Tag, PackedAttrs, _) = match look {
            NodeLook::Element { tag, attrs } => (true, Tag::lower(&tag), attrs, None),
            NodeLook::Text(t) => {
                let text = self.keeps_text_under(parent).then(|| (*t).into());
                (false, Tag::default(), PackedAttrs::default(), text)
            }
            NodeLook::Document => (false, Tag::lower("#document"), PackedAttrs::default(), None),
            NodeLook::Other => (false, Tag::default(), PackedAttrs::default(), None),
        };
        if let Some(existing) = self.nodes.get_mut(&id) {
            if existing.parent == parent {
                // Seen earlier in the same batch: refresh, keep its children.
                existing.element = element;
                existing.tag = tag;
                existing.attrs = attrs;
                existing.text = text;
                existing.privacy = NodePrivacy::empty();
                return;
            }
            // A node added again elsewhere (moved) starts over.
            self.remove_subtree(id);
        }
        self.nodes.insert(
            id,
            MNode {
                parent,
                element,
                tag,
                attrs,
                text,
                children: smallvec::SmallVec::new(),
                privacy: NodePrivacy::empty(),
            },
        );
        // A node never becomes its own child (hostile input), so the mirror stays a tree.
        if parent != id
            && let Some(p) = self.nodes.get_mut(&parent)
        {
            p.children.push(id);
        }
    }

    fn remove_subtree(&mut self, id: i32) {
        if let Some(n) = self.nodes.get(&id) {
            let parent = n.parent;
            if let Some(p) = self.nodes.get_mut(&parent) {
                p.children.retain(|c| *c != id);
            }
        }
        let mut stack = vec![id];
        while let Some(x) = stack.pop() {
            if let Some(n) = self.nodes.remove(&x) {
                stack.extend(n.children);
            }
        }
    }

    fn mask_text(&self, s: &str, target: MaskTarget<'_>) -> String {
        if let Some(f) = &self.policy.mask_fn
            && let Some(r) = f(target, s)
        {
            return r;
        }
        if s.trim().is_empty() {
            return s.to_owned();
        }
        if self.policy.hide_lengths {
            return "***".to_owned();
        }
        if s.is_ascii() {
            // Whitespace as `char::is_whitespace` has it in ASCII (vertical tab too).
            let masked: Vec<u8> = s
                .bytes()
                .map(|b| {
                    if matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r') {
                        b
                    } else {
                        b'*'
                    }
                })
                .collect();
            return String::from_utf8(masked).unwrap_or_default();
        }
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            out.push(if c.is_whitespace() { c } else { '*' });
        }
        out
    }

    fn mask_input(&self, s: &str, tag: &str) -> String {
        if s.is_empty() {
            return String::new();
        }
        if let Some(f) = &self.policy.mask_fn
            && let Some(r) = f(MaskTarget::InputValue { tag }, s)
        {
            return r;
        }
        MASKED_INPUT.to_owned()
    }

    fn detect<'p>(
        &mut self,
        s: &str,
        detectors: Detectors,
        place: impl Into<Place<'p>>,
    ) -> Option<String> {
        let f = detect::find(s, detectors);
        if f.is_empty() {
            return None;
        }
        let kinds: Vec<PiiKind> = f.iter().map(|x| x.kind).collect();
        self.report.pii(&kinds, place.into());
        Some(detect::mask_findings(s, &f))
    }

    fn url_mode(&self, privacy: NodePrivacy) -> UrlMode {
        if privacy.contains(NodePrivacy::MASKED) {
            UrlMode::StripValues
        } else {
            self.policy.url_mode
        }
    }

    fn apply_url<'p>(&mut self, s: UrlScrub, place: impl Into<Place<'p>>) -> Option<String> {
        let place = place.into();
        if !s.found.is_empty() {
            self.report.pii(&s.found, place);
        }
        if s.changed {
            self.report.add(ScrubAction::UrlScrubbed, place);
            Some(s.url)
        } else {
            None
        }
    }

    /// Whether an input value on this element may be recorded.
    fn input_allowed(&self, p: NodePrivacy) -> bool {
        p.contains(NodePrivacy::INPUT_ALLOWED)
            && !p.intersects(
                NodePrivacy::PASSWORD
                    | NodePrivacy::MASKED
                    | NodePrivacy::MASK_INPUT
                    | NodePrivacy::BLOCKED
                    | NodePrivacy::DROPPED,
            )
    }

    fn attr_outcome(&mut self, id: i32, name: &str, value: &str) -> AttrOutcome {
        let (tag, p) = match self.nodes.get(&id) {
            Some(n) => (n.tag.clone(), n.privacy),
            None => (Tag::default(), NodePrivacy::MASKED),
        };
        let lname: std::borrow::Cow<'_, str> = if name.bytes().any(|b| b.is_ascii_uppercase()) {
            name.to_ascii_lowercase().into()
        } else {
            name.into()
        };
        // Built only when something is counted (the common case counts nothing).
        let place = || Place::Attribute(&lname);
        if p.contains(NodePrivacy::BLOCKED) && !LAYOUT_ATTRS.contains(&&*lname) {
            self.report.add(ScrubAction::AttributeRemoved, place());
            return AttrOutcome::Remove;
        }
        let is_value = lname == "value" && is_form_control(&tag);
        // An app's attribute rule, last one wins (never for a masked field's value).
        let rule = self.policy.attribute_rules.iter().rev().find(|r| {
            r.names(&lname)
                && r.selector.as_ref().is_none_or(|s| {
                    s.matches(&MEl {
                        nodes: &self.nodes,
                        id,
                    })
                })
        });
        let rule_action = rule.map(|r| r.action);
        if let Some(action) = rule_action
            && (!is_value || self.input_allowed(p))
        {
            return match action {
                AttributeAction::Keep => AttrOutcome::Keep,
                AttributeAction::Remove => {
                    self.report.add(ScrubAction::AttributeRemoved, place());
                    AttrOutcome::Remove
                }
                AttributeAction::Mask => {
                    self.report.add(ScrubAction::AttributeMasked, place());
                    AttrOutcome::Set(
                        self.mask_text(value, MaskTarget::Attribute { tag: &tag, name }),
                    )
                }
                AttributeAction::Detect => {
                    match self.detect(value, self.policy.detectors, place()) {
                        Some(v) => AttrOutcome::Set(v),
                        None => AttrOutcome::Keep,
                    }
                }
            };
        }
        if lname.starts_with("rr_") {
            if lname == "rr_dataurl" && self.policy.text_masked {
                self.report.add(ScrubAction::AttributeRemoved, place());
                return AttrOutcome::Remove;
            }
            return AttrOutcome::Keep;
        }
        if lname == "_csstext" || lname == "style" {
            let s = url::scrub_css(value, self.url_mode(p), self.policy.detectors);
            return match self.apply_url(s, place()) {
                Some(v) => AttrOutcome::Set(v),
                None => AttrOutcome::Keep,
            };
        }
        if is_value {
            if self.input_allowed(p) {
                return match self.detect(value, self.policy.detectors, place()) {
                    Some(v) => AttrOutcome::Set(v),
                    None => AttrOutcome::Keep,
                };
            }
            if value.is_empty() {
                return AttrOutcome::Keep;
            }
            // Checkbox/radio values are labels of the answer; mask them too.
            self.report.add(ScrubAction::InputMasked, place());
            return AttrOutcome::Set(self.mask_input(value, &tag));
        }
        if (lname == "checked" || lname == "selected") && is_form_control(&tag) {
            if self.policy.mask_checked && !self.input_allowed(p) {
                self.report.add(ScrubAction::CheckedMasked, place());
                return AttrOutcome::Remove;
            }
            return AttrOutcome::Keep;
        }
        if URL_ATTRS.contains(&&*lname) {
            let s = url::scrub_url(value, self.url_mode(p), self.policy.detectors);
            return match self.apply_url(s, place()) {
                Some(v) => AttrOutcome::Set(v),
                None => AttrOutcome::Keep,
            };
        }
        if lname == "srcset" || lname == "imagesrcset" {
            let s = url::scrub_srcset(value, self.url_mode(p), self.policy.detectors);
            return match self.apply_url(s, place()) {
                Some(v) => AttrOutcome::Set(v),
                None => AttrOutcome::Keep,
            };
        }
        if is_user_data_attr(&lname) {
            if self.policy.user_attrs_masked || p.contains(NodePrivacy::MASKED) {
                if value.trim().is_empty() {
                    return AttrOutcome::Keep;
                }
                self.report.add(ScrubAction::AttributeMasked, place());
                return AttrOutcome::Set(
                    self.mask_text(value, MaskTarget::Attribute { tag: &tag, name }),
                );
            }
            return match self.detect(value, self.policy.detectors, place()) {
                Some(v) => AttrOutcome::Set(v),
                None => AttrOutcome::Keep,
            };
        }
        let detectors = if STRUCTURAL_ATTRS.contains(&&*lname) {
            self.policy.detectors - Detectors::ENTROPY
        } else {
            self.policy.detectors
        };
        match self.detect(value, detectors, place()) {
            Some(v) => AttrOutcome::Set(v),
            None => AttrOutcome::Keep,
        }
    }

    /// A number, boolean or `null` (removed) attribute: only a blocked element loses it.
    fn scalar_attr_outcome(&self, id: i32, name: &str, removed: bool) -> AttrOutcome {
        if !removed
            && self
                .nodes
                .get(&id)
                .is_some_and(|n| n.privacy.contains(NodePrivacy::BLOCKED))
            && !LAYOUT_ATTRS.contains(&name.to_ascii_lowercase().as_str())
        {
            AttrOutcome::Remove
        } else {
            AttrOutcome::Keep
        }
    }

    fn scrub_attributes(&mut self, id: i32, attrs: &mut Attributes) {
        let mut i = 0;
        while i < attrs.len() {
            // `attrs` is not part of `self`: read the attribute in place, no copies.
            let Some(a) = attrs.get(i) else { break };
            let name = a.name.as_str();
            let outcome = match &a.value {
                AttrValue::Str(v) => self.attr_outcome(id, name, v),
                AttrValue::Num(_) | AttrValue::Bool(_) | AttrValue::Removed => {
                    self.scalar_attr_outcome(id, name, matches!(a.value, AttrValue::Removed))
                }
                AttrValue::StyleDiff(diff) => {
                    let mut diff = diff.clone();
                    let mode = self.url_mode(
                        self.nodes
                            .get(&id)
                            .map_or(NodePrivacy::MASKED, |n| n.privacy),
                    );
                    for (_, change) in &mut diff {
                        if let StyleChange::Set(v) | StyleChange::SetWithPriority(v, _) = change {
                            let s = url::scrub_css(v, mode, self.policy.detectors);
                            if let Some(nv) = self.apply_url(s, Place::Attribute("style")) {
                                *v = nv;
                            }
                        }
                    }
                    if let Some(a) = attrs.get_mut(i) {
                        a.value = AttrValue::StyleDiff(diff);
                    }
                    i += 1;
                    continue;
                }
                AttrValue::Other(j) => {
                    let mut j = j.clone();
                    self.scrub_json(&mut j, Place::Attribute("other"));
                    if let Some(a) = attrs.get_mut(i) {
                        a.value = AttrValue::Other(j);
                    }
                    i += 1;
                    continue;
                }
            };
            match outcome {
                AttrOutcome::Keep => i += 1,
                AttrOutcome::Set(v) => {
                    if let Some(a) = attrs.get_mut(i) {
                        a.value = AttrValue::Str(v);
                    }
                    i += 1;
                }
                AttrOutcome::Remove => {
                    attrs.remove(i);
                }
            }
        }
    }

    /// Detectors over every string of an opaque value.
    fn scrub_json<'p>(&mut self, j: &mut Json, place: impl Into<Place<'p>>) {
        let detectors = self.policy.detectors;
        let mut found: Vec<PiiKind> = Vec::new();
        j.for_each_str_mut(|s| {
            let f = detect::find(s, detectors);
            if !f.is_empty() {
                found.extend(f.iter().map(|x| x.kind));
                *s = detect::mask_findings(s, &f);
            }
        });
        self.report.pii(&found, place.into());
    }

    fn scrub_extra(&mut self, extra: &mut Extra, place: &ScrubPlace) {
        for (_, v) in extra.iter_mut() {
            self.scrub_json(v, place);
        }
    }

    /// Scrubs a node's own content (text or attributes) in place; the node must be in
    /// the mirror with its state computed.
    fn scrub_node(&mut self, node: &mut SerializedNode, parent: i32, place: &ScrubPlace) {
        let id = node.id.0;
        let mut extra = std::mem::take(&mut node.extra);
        self.scrub_extra(&mut extra, place);
        node.extra = extra;
        match &mut node.kind {
            NodeKind::Element { attributes, .. } => {
                let mut attrs = std::mem::take(attributes);
                self.scrub_attributes(id, &mut attrs);
                if let NodeKind::Element { attributes, .. } = &mut node.kind {
                    *attributes = attrs;
                }
            }
            NodeKind::Text { text, is_style } => {
                let parent_tag = self.tag_of(parent);
                let new =
                    self.scrub_text(text, &parent_tag, *is_style == Some(true), parent, place);
                if let Some(new) = new {
                    *text = new;
                }
            }
            // Comments are not shown; they can carry anything.
            NodeKind::Comment { text } | NodeKind::CData { text } => {
                if let Some(new) = self.comment_text(text) {
                    *text = new;
                }
            }
            _ => {}
        }
    }

    /// The lower-cased tag of node `id` (empty if unknown or not an element).
    fn tag_of(&self, id: i32) -> Tag {
        self.nodes
            .get(&id)
            .map_or_else(Tag::default, |n| n.tag.clone())
    }

    /// Forgets every node: a full snapshot starts a new page.
    fn clear_mirror(&mut self) {
        self.nodes.clear();
    }

    /// Drops the computed privacy of `id`, to be computed afresh (what re-inserting the
    /// same node in the same place does).
    fn refresh_privacy(&mut self, id: i32) {
        if let Some(n) = self.nodes.get_mut(&id) {
            n.privacy = NodePrivacy::empty();
        }
    }

    /// The scrubbed Meta href, if it changes.
    fn meta_href(&mut self, href: &str) -> Option<String> {
        let s = url::scrub_url(href, self.policy.url_mode, self.policy.detectors);
        self.apply_url(s, &ScrubPlace::MetaHref)
    }

    /// The masked content of a comment or CDATA section (comments are not shown and can
    /// carry anything), if it changes.
    fn comment_text(&mut self, text: &str) -> Option<String> {
        if text.is_empty() {
            return None;
        }
        self.report
            .add(ScrubAction::TextMasked, Place::Fixed(&ScrubPlace::Comment));
        Some(self.mask_text(
            text,
            MaskTarget::Text {
                parent_tag: "#comment",
            },
        ))
    }

    /// The scrubbed form of a text node's content, if it changes.
    fn scrub_text(
        &mut self,
        text: &str,
        parent_tag: &str,
        is_style: bool,
        parent: i32,
        place: &ScrubPlace,
    ) -> Option<String> {
        match self.text_plan(text, parent_tag, is_style, parent, place) {
            TextPlan::Keep => None,
            TextPlan::Set(v) => Some(v),
            TextPlan::MaskEachChar => Some(self.mask_text(text, MaskTarget::Text { parent_tag })),
        }
    }

    /// What becomes of a text node's content. `MaskEachChar` is the plain mask (every
    /// non-whitespace character a `*`), left to the caller so that a streaming writer
    /// can write it straight from the input.
    fn text_plan(
        &mut self,
        text: &str,
        parent_tag: &str,
        is_style: bool,
        parent: i32,
        place: &ScrubPlace,
    ) -> TextPlan {
        let keep_or = |v: Option<String>| v.map_or(TextPlan::Keep, TextPlan::Set);
        if is_style || parent_tag == "style" {
            let mode = self.url_mode(
                self.nodes
                    .get(&parent)
                    .map_or(NodePrivacy::empty(), |n| n.privacy),
            );
            let s = url::scrub_css(text, mode, self.policy.detectors);
            return keep_or(self.apply_url(s, &ScrubPlace::StyleText));
        }
        if text.trim().is_empty() {
            return TextPlan::Keep;
        }
        let pp = self
            .nodes
            .get(&parent)
            .map_or(NodePrivacy::MASKED, |n| n.privacy);
        if parent_tag == "textarea" {
            if self.input_allowed(pp) {
                return keep_or(self.detect(text, self.policy.detectors, place));
            }
            self.report.add(ScrubAction::InputMasked, place.into());
            return TextPlan::Set(self.mask_input(text, parent_tag));
        }
        if parent_tag == "script" || self.text_masked(parent) {
            self.report.add(ScrubAction::TextMasked, place.into());
            if self.policy.mask_fn.is_none() && !self.policy.hide_lengths {
                return TextPlan::MaskEachChar;
            }
            return TextPlan::Set(self.mask_text(text, MaskTarget::Text { parent_tag }));
        }
        keep_or(self.detect(text, self.policy.detectors - Detectors::ENTROPY, place))
    }

    /// Inserts and scrubs a flat tree hanging under `parent` (NO_PARENT for a snapshot);
    /// returns the tree with blocked subtrees dropped.
    fn scrub_tree(&mut self, tree: NodeTree, parent: i32, place: &ScrubPlace) -> NodeTree {
        let mut out: Vec<TreeNode> = Vec::with_capacity(tree.nodes.len());
        // Per input index: its index in `out`, or None if dropped.
        let mut kept: Vec<Option<u32>> = Vec::with_capacity(tree.nodes.len());
        let mut ids: Vec<i32> = Vec::with_capacity(tree.nodes.len());
        let mut fates: Vec<Fate> = Vec::with_capacity(tree.nodes.len());
        for (i, mut tn) in tree.nodes.into_iter().enumerate() {
            let parent_id = match tn.parent {
                Some(p) if (p as usize) < i => ids.get(p as usize).copied().unwrap_or(parent),
                _ => parent,
            };
            ids.push(tn.node.id.0);
            self.insert(parent_id, &tn.node);
            let p = self.ensure(tn.node.id.0);
            let parent_fate = match tn.parent {
                Some(pi) if (pi as usize) < i => fates.get(pi as usize).copied(),
                _ => None,
            };
            let fate = self.tree_fate(tn.node.id.0, p, parent_fate);
            fates.push(fate);
            if fate == Fate::Dropped {
                kept.push(None);
                continue;
            }
            let out_parent = match tn.parent {
                Some(pi) if (pi as usize) < i => kept.get(pi as usize).copied().flatten(),
                _ => None,
            };
            self.scrub_node(&mut tn.node, parent_id, place);
            if fate == Fate::KeptBlocked {
                self.report.add(ScrubAction::ElementBlocked, place.into());
            }
            kept.push(Some(out.len() as u32));
            out.push(TreeNode {
                parent: out_parent,
                node: tn.node,
            });
        }
        NodeTree { nodes: out }
    }

    /// The fate of a node met in a tree, from its privacy `p` and its tree parent's
    /// fate. A node under a blocked or dropped tree parent is dropped even when the
    /// mirror says otherwise (hostile input can make a node its own ancestor, which
    /// moves the parent out of the mirror); it is then marked dropped there too.
    fn tree_fate(&mut self, id: i32, p: NodePrivacy, parent: Option<Fate>) -> Fate {
        let counted = p.contains(NodePrivacy::DROPPED) || parent == Some(Fate::KeptBlocked);
        if counted || parent == Some(Fate::Dropped) {
            if counted {
                self.report.add(
                    ScrubAction::NodeDropped,
                    Place::Fixed(&ScrubPlace::BlockedSubtree),
                );
            }
            if let Some(n) = self.nodes.get_mut(&id) {
                n.privacy |= NodePrivacy::DROPPED | NodePrivacy::COMPUTED;
            }
            return Fate::Dropped;
        }
        if p.contains(NodePrivacy::BLOCKED) {
            Fate::KeptBlocked
        } else {
            Fate::Kept
        }
    }

    fn privacy_of(&mut self, id: NodeId) -> Option<NodePrivacy> {
        self.nodes.contains_key(&id.0).then(|| self.ensure(id.0))
    }

    fn dropped(&mut self, id: NodeId) -> bool {
        self.privacy_of(id)
            .is_some_and(|p| p.contains(NodePrivacy::DROPPED))
    }

    fn scrub_mutation(&mut self, mut m: Mutation) -> Mutation {
        // Removes: dropped nodes were never handed out.
        let removes = std::mem::take(&mut m.removes);
        for r in removes {
            if self.dropped(r.id) {
                self.remove_subtree(r.id.0);
                continue;
            }
            self.remove_subtree(r.id.0);
            m.removes.push(r);
        }
        // Adds: first put every added node in place, so that state can be computed
        // for adds that arrive before their parent in the batch.
        let adds = std::mem::take(&mut m.adds);
        for a in &adds {
            if let Some(root) = a.node.root() {
                self.insert(a.parent_id.0, root);
            }
        }
        for a in adds {
            let Some(root_id) = a.node.root().map(|n| n.id.0) else {
                continue;
            };
            let p = self.ensure(root_id);
            if p.contains(NodePrivacy::DROPPED) {
                self.report.add(
                    ScrubAction::NodeDropped,
                    Place::Fixed(&ScrubPlace::BlockedSubtree),
                );
                // Keep it in the mirror (as dropped) so later events on it are dropped.
                let tree = a.node;
                for tn in tree.nodes.iter().skip(1) {
                    let parent = tn
                        .parent
                        .and_then(|pi| tree.nodes.get(pi as usize))
                        .map_or(root_id, |x| x.node.id.0);
                    self.insert(parent, &tn.node);
                }
                continue;
            }
            let Addition {
                parent_id,
                next_id,
                previous_id,
                node,
                mut extra,
            } = a;
            // The root was inserted above; scrub_tree inserts again (fresh) with children.
            let tree = self.scrub_tree(node, parent_id.0, &ScrubPlace::MutationAdd);
            self.scrub_extra(&mut extra, &ScrubPlace::MutationAdd);
            if tree.is_empty() {
                continue;
            }
            m.adds.push(Addition {
                parent_id,
                next_id,
                previous_id,
                node: tree,
                extra,
            });
        }
        // Texts.
        let texts = std::mem::take(&mut m.texts);
        for mut t in texts {
            match self.text_change(t.id, t.value.as_deref()) {
                TextOutcome::Drop => continue,
                TextOutcome::Keep => {}
                TextOutcome::Set(v) => t.value = Some(v),
            }
            m.texts.push(t);
        }
        // Attributes: update the mirror first (state may change), then scrub.
        let changes = std::mem::take(&mut m.attributes);
        let mut take_back = Vec::new();
        let mut remask = Vec::new();
        for mut c in changes {
            let look: Vec<_> = c
                .attributes
                .iter()
                .map(|a| (a.name.as_str(), a.value.as_text()))
                .collect();
            let change = self.attribute_change(c.id, &look, &mut take_back, &mut remask);
            drop(look);
            if change == AttributeChange::Drop {
                continue;
            }
            let mut attrs = std::mem::take(&mut c.attributes);
            self.scrub_attributes(c.id.0, &mut attrs);
            c.attributes = attrs;
            if change == AttributeChange::Known {
                self.scrub_extra(&mut c.extra, &ScrubPlace::MutationAttribute);
            }
            m.attributes.push(c);
        }
        let extra_removes = take_back.into_iter().map(|(parent, id)| Removal {
            parent_id: NodeId(parent),
            id: NodeId(id),
            is_shadow: None,
            extra: Vec::new(),
        });
        let extra_texts = remask.into_iter().map(|(id, v)| TextChange {
            id: NodeId(id),
            value: Some(v),
            extra: Vec::new(),
        });
        m.removes.extend(extra_removes);
        m.texts.extend(extra_texts);
        let mut extra = std::mem::take(&mut m.extra);
        self.scrub_extra(&mut extra, &ScrubPlace::Mutation);
        m.extra = extra;
        m
    }

    /// A mutation's text change of node `id`.
    fn text_change(&mut self, id: NodeId, value: Option<&str>) -> TextOutcome {
        let Some(p) = self.privacy_of(id) else {
            // Unknown node: mask to be safe.
            if let Some(v) = value
                && !v.trim().is_empty()
            {
                self.report.add(
                    ScrubAction::TextMasked,
                    Place::Fixed(&ScrubPlace::MutationText),
                );
                return TextOutcome::Set(self.mask_text(v, MaskTarget::Text { parent_tag: "" }));
            }
            return TextOutcome::Keep;
        };
        if p.contains(NodePrivacy::DROPPED) {
            return TextOutcome::Drop;
        }
        let Some(v) = value else {
            return TextOutcome::Keep;
        };
        let parent = self.nodes.get(&id.0).map_or(NO_PARENT, |n| n.parent);
        if let Some(n) = self.nodes.get_mut(&id.0) {
            n.text = Some(v.into());
        }
        let element = self.nodes.get(&id.0).is_some_and(|n| n.element);
        let holder = if element { id.0 } else { parent };
        let ptag = self.tag_of(holder);
        match self.scrub_text(v, &ptag, false, holder, &ScrubPlace::MutationText) {
            Some(new) => TextOutcome::Set(new),
            None => TextOutcome::Keep,
        }
    }

    /// A mutation's attribute change of node `id`, before its values are scrubbed:
    /// updates the mirror and the privacy state below it. When the change blocks an
    /// element or masks text that was shown, what must be taken back is appended to
    /// `take_back` (removals of children as `(parent, child)`) and `remask` (text
    /// changes).
    fn attribute_change(
        &mut self,
        id: NodeId,
        changes: &[(&str, Option<std::borrow::Cow<'_, str>>)],
        take_back: &mut Vec<(i32, i32)>,
        remask: &mut Vec<(i32, String)>,
    ) -> AttributeChange {
        let Some(p) = self.privacy_of(id) else {
            return AttributeChange::UnknownNode;
        };
        if p.contains(NodePrivacy::DROPPED) {
            return AttributeChange::Drop;
        }
        if let Some(n) = self.nodes.get_mut(&id.0) {
            for (name, value) in changes {
                n.attrs.set(name, value.as_deref());
            }
        }
        let (blocked, masked_texts) = self.recompute_subtree(id.0);
        for b in blocked {
            // Take back what was handed out under a now-blocked element.
            let kids = self
                .nodes
                .get(&b)
                .map(|n| n.children.clone())
                .unwrap_or_default();
            for k in kids {
                take_back.push((b, k));
                self.report.add(
                    ScrubAction::NodeDropped,
                    Place::Fixed(&ScrubPlace::BlockedLater),
                );
            }
        }
        for t in masked_texts {
            let Some(n) = self.nodes.get(&t) else {
                continue;
            };
            let Some(text) = n.text.clone() else { continue };
            if text.trim().is_empty() {
                continue;
            }
            let masked = self.mask_text(&text, MaskTarget::Text { parent_tag: "" });
            remask.push((t, masked));
            self.report.add(
                ScrubAction::TextMasked,
                Place::Fixed(&ScrubPlace::MaskedLater),
            );
        }
        AttributeChange::Known
    }

    /// An input event on node `id`: `None` drops the event; otherwise the new text (if
    /// it changes) and the checked state to record.
    fn input_change(
        &mut self,
        id: NodeId,
        text: &str,
        is_checked: bool,
    ) -> Option<(Option<String>, bool)> {
        let p = self.privacy_of(id).unwrap_or(NodePrivacy::MASKED);
        if p.intersects(NodePrivacy::DROPPED | NodePrivacy::IGNORED | NodePrivacy::BLOCKED) {
            self.report.add(
                ScrubAction::InputEventDropped,
                Place::Fixed(&ScrubPlace::InputEvent),
            );
            return None;
        }
        if self.input_allowed(p) {
            return Some((
                self.detect(text, self.policy.detectors, &ScrubPlace::InputEvent),
                is_checked,
            ));
        }
        if !text.is_empty() {
            self.report.add(
                ScrubAction::InputMasked,
                Place::Fixed(&ScrubPlace::InputEvent),
            );
        }
        let tag = self.tag_of(id.0);
        let masked = self.mask_input(text, &tag);
        let new = (masked != text).then_some(masked);
        if self.policy.mask_checked && is_checked {
            self.report.add(
                ScrubAction::CheckedMasked,
                Place::Fixed(&ScrubPlace::InputEvent),
            );
            return Some((new, false));
        }
        Some((new, is_checked))
    }

    /// Scrubs one event; `None` when the policy drops it.
    pub fn scrub_event(&mut self, mut e: Event) -> Option<Event> {
        self.report.events_in += 1;
        let mut top_extra = std::mem::take(&mut e.extra);
        self.scrub_extra(&mut top_extra, &ScrubPlace::Event);
        e.extra = top_extra;
        let kind = std::mem::replace(&mut e.kind, EventKind::Load(None));
        let kind = match kind {
            EventKind::FullSnapshot(mut s) => {
                self.clear_mirror();
                let tree = std::mem::take(&mut s.tree);
                s.tree = self.scrub_tree(tree, NO_PARENT, &ScrubPlace::Snapshot);
                self.scrub_extra(&mut s.extra, &ScrubPlace::Snapshot);
                EventKind::FullSnapshot(s)
            }
            EventKind::Meta(mut m) => {
                if let Some(v) = self.meta_href(&m.href) {
                    m.href = v;
                }
                self.scrub_extra(&mut m.extra, &ScrubPlace::Meta);
                EventKind::Meta(m)
            }
            EventKind::Incremental(inc) => EventKind::Incremental(self.scrub_incremental(inc)?),
            EventKind::Custom(mut t) => {
                self.scrub_json(&mut t.payload, &ScrubPlace::CustomPayload);
                self.scrub_extra(&mut t.extra, &ScrubPlace::CustomPayload);
                EventKind::Custom(t)
            }
            EventKind::Plugin(mut t) => {
                self.scrub_json(&mut t.payload, &ScrubPlace::PluginPayload);
                self.scrub_extra(&mut t.extra, &ScrubPlace::PluginPayload);
                EventKind::Plugin(t)
            }
            EventKind::Asset(mut t) => {
                let s = url::scrub_url(&t.name, self.policy.url_mode, self.policy.detectors);
                if let Some(v) = self.apply_url(s, &ScrubPlace::AssetUrl) {
                    t.name = v;
                }
                if self.policy.text_masked {
                    // Captured asset bytes (images) can show anything.
                    t.payload = Json::Null;
                    self.report.add(
                        ScrubAction::PayloadRemoved,
                        Place::Fixed(&ScrubPlace::AssetPayload),
                    );
                } else {
                    self.scrub_json(&mut t.payload, &ScrubPlace::AssetPayload);
                }
                EventKind::Asset(t)
            }
            EventKind::DomContentLoaded(mut d) => {
                if let Some(j) = &mut d {
                    self.scrub_json(j, &ScrubPlace::Event);
                }
                EventKind::DomContentLoaded(d)
            }
            EventKind::Load(mut d) => {
                if let Some(j) = &mut d {
                    self.scrub_json(j, &ScrubPlace::Event);
                }
                EventKind::Load(d)
            }
            EventKind::Unknown {
                type_code,
                mut data,
            } => {
                if let Some(j) = &mut data {
                    self.scrub_json(j, &ScrubPlace::UnknownEvent);
                }
                EventKind::Unknown { type_code, data }
            }
        };
        e.kind = kind;
        self.report.events_out += 1;
        Some(e)
    }

    fn nearest_kept(&mut self, id: NodeId) -> NodeId {
        let mut at = id.0;
        let mut steps = 0;
        while let Some(n) = self.nodes.get(&at) {
            if !n.privacy.contains(NodePrivacy::DROPPED) || steps > 4096 {
                break;
            }
            at = n.parent;
            steps += 1;
        }
        NodeId(at)
    }

    fn scrub_incremental(&mut self, inc: Incremental) -> Option<Incremental> {
        Some(match inc {
            Incremental::Mutation(m) => Incremental::Mutation(self.scrub_mutation(m)),
            Incremental::Input(mut i) => {
                let (text, checked) = self.input_change(i.id, &i.text, i.is_checked)?;
                if let Some(t) = text {
                    i.text = t;
                }
                i.is_checked = checked;
                self.scrub_extra(&mut i.extra, &ScrubPlace::InputEvent);
                Incremental::Input(i)
            }
            Incremental::MouseInteraction(mut m) => {
                if self.dropped(m.id) {
                    m.id = self.nearest_kept(m.id);
                }
                Incremental::MouseInteraction(m)
            }
            Incremental::Scroll(s) => {
                if self.dropped(s.id) {
                    return None;
                }
                Incremental::Scroll(s)
            }
            Incremental::Moves(mut m) => {
                for p in &mut m.positions {
                    if self.dropped(p.id) {
                        p.id = self.nearest_kept(p.id);
                    }
                }
                Incremental::Moves(m)
            }
            Incremental::MediaInteraction(m) => {
                if self.dropped(m.id) {
                    return None;
                }
                Incremental::MediaInteraction(m)
            }
            Incremental::Selection(mut s) => {
                let any_dropped = s.ranges.iter().any(|r| {
                    self.nodes
                        .get(&r.start.0)
                        .is_some_and(|n| n.privacy.contains(NodePrivacy::DROPPED))
                });
                if any_dropped {
                    s.ranges.clear();
                }
                self.scrub_extra(&mut s.extra, &ScrubPlace::Selection);
                Incremental::Selection(s)
            }
            Incremental::StyleSheetRule(mut r) => {
                let mode = self.policy.url_mode;
                for add in r.adds.iter_mut().flatten() {
                    let s = url::scrub_css(&add.rule, mode, self.policy.detectors);
                    if let Some(v) = self.apply_url(s, &ScrubPlace::StylesheetRule) {
                        add.rule = v;
                    }
                }
                for text in [&mut r.replace, &mut r.replace_sync].into_iter().flatten() {
                    let s = url::scrub_css(text, mode, self.policy.detectors);
                    if let Some(v) = self.apply_url(s, &ScrubPlace::StylesheetRule) {
                        *text = v;
                    }
                }
                Incremental::StyleSheetRule(r)
            }
            Incremental::StyleDeclaration(mut d) => {
                if let Some(set) = &mut d.set
                    && let Some(v) = &mut set.value
                {
                    let s = url::scrub_css(v, self.policy.url_mode, self.policy.detectors);
                    if let Some(nv) = self.apply_url(s, &ScrubPlace::StyleDeclaration) {
                        *v = nv;
                    }
                }
                Incremental::StyleDeclaration(d)
            }
            Incremental::AdoptedStyleSheet(mut a) => {
                for style in a.styles.iter_mut().flatten() {
                    for rule in &mut style.rules {
                        let s =
                            url::scrub_css(&rule.rule, self.policy.url_mode, self.policy.detectors);
                        if let Some(v) = self.apply_url(s, &ScrubPlace::StylesheetRule) {
                            rule.rule = v;
                        }
                    }
                }
                Incremental::AdoptedStyleSheet(a)
            }
            Incremental::Font(mut f) => {
                if !f.buffer {
                    let s =
                        url::scrub_url(&f.font_source, self.policy.url_mode, self.policy.detectors);
                    if let Some(v) = self.apply_url(s, &ScrubPlace::FontSource) {
                        f.font_source = v;
                    }
                }
                Incremental::Font(f)
            }
            Incremental::CanvasMutation(mut c) => {
                if self.dropped(c.id) {
                    return None;
                }
                if self.policy.text_masked {
                    // fillText and friends draw user text: mask every string argument.
                    let mut n = 0u64;
                    for (_, v) in &mut c.fields {
                        v.for_each_str_mut(|s| {
                            if !s.is_empty() && !s.starts_with("data:image/") {
                                n += 1;
                                *s = s
                                    .chars()
                                    .map(|ch| if ch.is_whitespace() { ch } else { '*' })
                                    .collect();
                            }
                        });
                    }
                    for _ in 0..n {
                        self.report
                            .add(ScrubAction::TextMasked, Place::Fixed(&ScrubPlace::Canvas));
                    }
                } else {
                    let mut fields = std::mem::take(&mut c.fields);
                    self.scrub_extra(&mut fields, &ScrubPlace::Canvas);
                    c.fields = fields;
                }
                Incremental::CanvasMutation(c)
            }
            Incremental::Log(mut fields) => {
                self.scrub_extra(&mut fields, &ScrubPlace::LogPayload);
                Incremental::Log(fields)
            }
            Incremental::Unknown { source, mut fields } => {
                self.scrub_extra(&mut fields, &ScrubPlace::UnknownEvent);
                Incremental::Unknown { source, fields }
            }
            other @ (Incremental::ViewportResize(_) | Incremental::CustomElement(_)) => other,
        })
    }
}

/// Scrubs a recorded stream with `policy`. Node ids and structure stay valid: a blocked
/// element keeps its place and loses its children, and every event that referred to a
/// dropped node is dropped or retargeted to the blocked element.
pub fn scrub(events: Vec<Event>, policy: &Policy) -> (Vec<Event>, ScrubReport) {
    let mut s = Scrubber::new(policy.clone());
    let out = events
        .into_iter()
        .filter_map(|e| s.scrub_event(e))
        .collect();
    (out, s.take_report())
}

/// Scrubs rrweb JSON end to end: bytes in, bytes out, within `limits` (what the reader
/// enforces on untrusted input: input size, string length, nesting, node count).
///
/// Streaming: events are scanned in place and every byte the policy does not change is
/// copied as it was (formatting included); only masked values are re-written. The
/// result is the same JSON (semantically) and the same report as [`crate::rrweb::read`],
/// [`scrub`] and [`crate::rrweb::write_events`], several times faster. Invalid input is
/// the same error the reader gives (use [`crate::rrweb::Reader::read_recovering`] and
/// [`scrub`] to keep the valid part).
///
/// ```
/// use session_replay::{Limits, privacy::{Policy, scrub_rrweb_json}};
/// let json = br#"[{"type":3,"data":{"source":5,"text":"hunter2","isChecked":false,"id":9},"timestamp":1}]"#;
/// let (out, report) = scrub_rrweb_json(json, &Policy::private(), &Limits::default())?;
/// assert!(!String::from_utf8_lossy(&out).contains("hunter2"));
/// assert_eq!(report.events_out, 1);
/// # Ok::<(), session_replay::RrwebError>(())
/// ```
pub fn scrub_rrweb_json(
    input: &[u8],
    policy: &Policy,
    limits: &crate::Limits,
) -> Result<(Vec<u8>, ScrubReport), RrwebError> {
    fast::scrub_json_stream(input, policy, limits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::privacy::policy::VendorMarkers;

    #[test]
    fn common_tags_are_sorted_and_kept_lower_case() {
        assert!(COMMON_TAGS.windows(2).all(|w| w[0] < w[1]));
        assert!(matches!(Tag::lower("DIV"), Tag::Common("div")));
        assert!(matches!(Tag::lower("my-widget"), Tag::Heap(_)));
        assert_eq!(&*Tag::lower("My-Widget"), "my-widget");
        assert_eq!(&*Tag::lower(""), "");
    }

    #[test]
    fn vendor_flags_agree_with_the_vendor_selectors() {
        let v = VendorMarkers::new().unwrap();
        let cases: Vec<Vec<(&str, &str)>> = vec![
            vec![("class", "a rr-block b")],
            vec![("class", "sentry-mask")],
            vec![("class", "fs-unmask")],
            vec![("class", "ph-ignore-input x")],
            vec![("class", "dd-privacy-mask-user-input")],
            vec![("data-private", "")],
            vec![("data-dd-privacy", "hidden")],
            vec![("data-dd-privacy", "allow")],
            vec![("data-dd-privacy", "mask-user-input")],
            vec![
                ("data-openreplay-obscured", "1"),
                ("class", "highlight-ignore"),
            ],
            vec![("data-hj-allow", ""), ("data-sentry-block", "")],
            vec![("class", "rr-blocked mask"), ("data-x", "rr-mask")],
        ];
        for attrs in cases {
            let mut nodes = NodeMap::default();
            nodes.insert(
                1,
                MNode {
                    parent: NO_PARENT,
                    element: true,
                    tag: Tag::lower("div"),
                    attrs: {
                        let mut p = PackedAttrs::default();
                        for (k, v) in attrs.iter() {
                            p.push(k, v);
                        }
                        p
                    },
                    text: None,
                    children: smallvec::SmallVec::new(),
                    privacy: NodePrivacy::empty(),
                },
            );
            let el = MEl {
                nodes: &nodes,
                id: 1,
            };
            let mut want = NodePrivacy::empty();
            for (sel, flag) in [
                (&v.block, NodePrivacy::BLOCKED),
                (&v.mask, NodePrivacy::MASKED),
                (&v.unmask, NodePrivacy::ALLOWED),
                (&v.ignore, NodePrivacy::IGNORED),
                (&v.mask_input, NodePrivacy::MASK_INPUT),
            ] {
                if sel.matches(&el) {
                    want |= flag;
                }
            }
            let got = vendor_flags(&nodes.get(&1).unwrap().attrs);
            assert_eq!(got, want, "{attrs:?}");
        }
    }
}
