//! The scrubber: applies a [`Policy`] to a stream of events, keeping per-node masking
//! state across mutations. The same engine serves the recorder and the server.

use std::collections::BTreeMap;

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

/// What was scrubbed, counted by kind and by place. Never values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScrubReport {
    /// Events read.
    pub events_in: u64,
    /// Events handed out.
    pub events_out: u64,
    /// Counts by kind of action (`text_masked`, `input_masked`, `attribute_masked`,
    /// `attribute_removed`, `url_scrubbed`, `pii:<kind>`, `node_dropped`, ...).
    pub by_kind: BTreeMap<String, u64>,
    /// Counts by place (`text`, `input_event`, `attribute:<name>`, `meta_href`,
    /// `mutation_text`, `custom_payload`, ...).
    pub by_place: BTreeMap<String, u64>,
}

impl ScrubReport {
    fn count(&mut self, kind: &str, place: &str) {
        for (map, key) in [(&mut self.by_kind, kind), (&mut self.by_place, place)] {
            match map.get_mut(key) {
                Some(n) => *n += 1,
                None => {
                    map.insert(key.to_owned(), 1);
                }
            }
        }
    }

    fn pii(&mut self, kinds: &[PiiKind], place: &str) {
        for k in kinds {
            self.count(&format!("pii:{}", k.name()), place);
        }
    }

    /// Total of masking actions.
    pub fn total(&self) -> u64 {
        self.by_kind.values().sum()
    }
}

impl std::fmt::Display for ScrubReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "events: {} in, {} out", self.events_in, self.events_out)?;
        writeln!(f, "by kind:")?;
        for (k, n) in &self.by_kind {
            writeln!(f, "  {k:<28} {n:>7}")?;
        }
        writeln!(f, "by place:")?;
        for (k, n) in &self.by_place {
            writeln!(f, "  {k:<28} {n:>7}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone)]
struct MNode {
    parent: i32,
    element: bool,
    tag: Box<str>,
    attrs: Vec<(Box<str>, Box<str>)>,
    /// Text content of text nodes (kept so that a later mask can re-mask it).
    text: Option<Box<str>>,
    children: Vec<i32>,
    privacy: NodePrivacy,
}

const NO_PARENT: i32 = i32::MIN;

#[derive(Clone, Copy)]
struct MEl<'a> {
    nodes: &'a BTreeMap<i32, MNode>,
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
            .map(|(_, v)| &**v)
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
pub(crate) fn vendor_flags(attrs: &[(Box<str>, Box<str>)]) -> NodePrivacy {
    let mut f = NodePrivacy::empty();
    for (name, value) in attrs {
        let name: &str = name;
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
            "data-dd-privacy" => match &**value {
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
    nodes: BTreeMap<i32, MNode>,
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
            nodes: BTreeMap::new(),
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
        let mut path = Vec::new();
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

    /// Whether text under element `parent` is masked.
    fn text_masked(&self, parent: i32) -> bool {
        let p = self
            .nodes
            .get(&parent)
            .map_or(NodePrivacy::empty(), |n| n.privacy);
        self.masks_text(p)
    }

    fn insert(&mut self, parent: i32, node: &SerializedNode) {
        let (element, tag, attrs, text) = match &node.kind {
            NodeKind::Element {
                tag, attributes, ..
            } => (
                true,
                tag.to_ascii_lowercase().into_boxed_str(),
                attributes
                    .iter()
                    .filter_map(|a| {
                        a.value
                            .as_text()
                            .map(|v| (a.name.as_str().into(), v.into()))
                    })
                    .collect(),
                None,
            ),
            NodeKind::Text { text, .. } | NodeKind::CData { text } | NodeKind::Comment { text } => {
                (false, "".into(), Vec::new(), Some(text.as_str().into()))
            }
            NodeKind::Document { .. } => (false, "#document".into(), Vec::new(), None),
            _ => (false, "".into(), Vec::new(), None),
        };
        if let Some(existing) = self.nodes.get_mut(&node.id.0) {
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
            self.remove_subtree(node.id.0);
        }
        self.nodes.insert(
            node.id.0,
            MNode {
                parent,
                element,
                tag,
                attrs,
                text,
                children: Vec::new(),
                privacy: NodePrivacy::empty(),
            },
        );
        // A node never becomes its own child (hostile input), so the mirror stays a tree.
        if parent != node.id.0
            && let Some(p) = self.nodes.get_mut(&parent)
        {
            p.children.push(node.id.0);
        }
    }

    fn remove_subtree(&mut self, id: i32) {
        if let Some(n) = self.nodes.get(&id) {
            let parent = n.parent;
            if let Some(p) = self.nodes.get_mut(&parent) {
                p.children.retain(|&c| c != id);
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
        s.chars()
            .map(|c| if c.is_whitespace() { c } else { '*' })
            .collect()
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

    fn detect(&mut self, s: &str, detectors: Detectors, place: &str) -> Option<String> {
        let f = detect::find(s, detectors);
        if f.is_empty() {
            return None;
        }
        let kinds: Vec<PiiKind> = f.iter().map(|x| x.kind).collect();
        self.report.pii(&kinds, place);
        Some(detect::mask_findings(s, &f))
    }

    fn url_mode(&self, privacy: NodePrivacy) -> UrlMode {
        if privacy.contains(NodePrivacy::MASKED) {
            UrlMode::StripValues
        } else {
            self.policy.url_mode
        }
    }

    fn apply_url(&mut self, s: UrlScrub, place: &str) -> Option<String> {
        if !s.found.is_empty() {
            self.report.pii(&s.found, place);
        }
        if s.changed {
            self.report.count("url_scrubbed", place);
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
            Some(n) => (n.tag.to_string(), n.privacy),
            None => (String::new(), NodePrivacy::MASKED),
        };
        let lname = name.to_ascii_lowercase();
        // Built only when something is counted (the common case counts nothing).
        let place = || format!("attribute:{lname}");
        if p.contains(NodePrivacy::BLOCKED) && !LAYOUT_ATTRS.contains(&lname.as_str()) {
            self.report.count("attribute_removed", &place());
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
                    self.report.count("attribute_removed", &place());
                    AttrOutcome::Remove
                }
                AttributeAction::Mask => {
                    self.report.count("attribute_masked", &place());
                    AttrOutcome::Set(
                        self.mask_text(value, MaskTarget::Attribute { tag: &tag, name }),
                    )
                }
                AttributeAction::Detect => {
                    match self.detect(value, self.policy.detectors, &place()) {
                        Some(v) => AttrOutcome::Set(v),
                        None => AttrOutcome::Keep,
                    }
                }
            };
        }
        if lname.starts_with("rr_") {
            if lname == "rr_dataurl" && self.policy.text_masked {
                self.report.count("attribute_removed", &place());
                return AttrOutcome::Remove;
            }
            return AttrOutcome::Keep;
        }
        if lname == "_csstext" || lname == "style" {
            let s = url::scrub_css(value, self.url_mode(p), self.policy.detectors);
            return match self.apply_url(s, &place()) {
                Some(v) => AttrOutcome::Set(v),
                None => AttrOutcome::Keep,
            };
        }
        if is_value {
            if self.input_allowed(p) {
                return match self.detect(value, self.policy.detectors, &place()) {
                    Some(v) => AttrOutcome::Set(v),
                    None => AttrOutcome::Keep,
                };
            }
            if value.is_empty() {
                return AttrOutcome::Keep;
            }
            // Checkbox/radio values are labels of the answer; mask them too.
            self.report.count("input_masked", &place());
            return AttrOutcome::Set(self.mask_input(value, &tag));
        }
        if (lname == "checked" || lname == "selected") && is_form_control(&tag) {
            if self.policy.mask_checked && !self.input_allowed(p) {
                self.report.count("checked_masked", &place());
                return AttrOutcome::Remove;
            }
            return AttrOutcome::Keep;
        }
        if URL_ATTRS.contains(&lname.as_str()) {
            let s = url::scrub_url(value, self.url_mode(p), self.policy.detectors);
            return match self.apply_url(s, &place()) {
                Some(v) => AttrOutcome::Set(v),
                None => AttrOutcome::Keep,
            };
        }
        if lname == "srcset" || lname == "imagesrcset" {
            let s = url::scrub_srcset(value, self.url_mode(p), self.policy.detectors);
            return match self.apply_url(s, &place()) {
                Some(v) => AttrOutcome::Set(v),
                None => AttrOutcome::Keep,
            };
        }
        if is_user_data_attr(&lname) {
            if self.policy.user_attrs_masked || p.contains(NodePrivacy::MASKED) {
                if value.trim().is_empty() {
                    return AttrOutcome::Keep;
                }
                self.report.count("attribute_masked", &place());
                return AttrOutcome::Set(
                    self.mask_text(value, MaskTarget::Attribute { tag: &tag, name }),
                );
            }
            return match self.detect(value, self.policy.detectors, &place()) {
                Some(v) => AttrOutcome::Set(v),
                None => AttrOutcome::Keep,
            };
        }
        let detectors = if STRUCTURAL_ATTRS.contains(&lname.as_str()) {
            self.policy.detectors - Detectors::ENTROPY
        } else {
            self.policy.detectors
        };
        match self.detect(value, detectors, &place()) {
            Some(v) => AttrOutcome::Set(v),
            None => AttrOutcome::Keep,
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
                    if self
                        .nodes
                        .get(&id)
                        .is_some_and(|n| n.privacy.contains(NodePrivacy::BLOCKED))
                        && !LAYOUT_ATTRS.contains(&name.to_ascii_lowercase().as_str())
                        && !matches!(a.value, AttrValue::Removed)
                    {
                        AttrOutcome::Remove
                    } else {
                        AttrOutcome::Keep
                    }
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
                            if let Some(nv) = self.apply_url(s, "attribute:style") {
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
                    self.scrub_json(&mut j, "attribute:other");
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
    fn scrub_json(&mut self, j: &mut Json, place: &str) {
        let detectors = self.policy.detectors;
        let mut found: Vec<PiiKind> = Vec::new();
        j.for_each_str_mut(|s| {
            let f = detect::find(s, detectors);
            if !f.is_empty() {
                found.extend(f.iter().map(|x| x.kind));
                *s = detect::mask_findings(s, &f);
            }
        });
        self.report.pii(&found, place);
    }

    fn scrub_extra(&mut self, extra: &mut Extra, place: &str) {
        for (_, v) in extra.iter_mut() {
            self.scrub_json(v, place);
        }
    }

    /// Scrubs a node's own content (text or attributes) in place; the node must be in
    /// the mirror with its state computed.
    fn scrub_node(&mut self, node: &mut SerializedNode, parent: i32, place: &str) {
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
                let parent_tag = self.nodes.get(&parent).map_or("", |n| &n.tag).to_owned();
                let new =
                    self.scrub_text(text, &parent_tag, *is_style == Some(true), parent, place);
                if let Some(new) = new {
                    *text = new;
                }
            }
            // Comments are not shown; they can carry anything.
            NodeKind::Comment { text } | NodeKind::CData { text } if !text.is_empty() => {
                *text = self.mask_text(
                    text,
                    MaskTarget::Text {
                        parent_tag: "#comment",
                    },
                );
                self.report.count("text_masked", "comment");
            }
            _ => {}
        }
    }

    /// The scrubbed form of a text node's content, if it changes.
    fn scrub_text(
        &mut self,
        text: &str,
        parent_tag: &str,
        is_style: bool,
        parent: i32,
        place: &str,
    ) -> Option<String> {
        if is_style || parent_tag == "style" {
            let mode = self.url_mode(
                self.nodes
                    .get(&parent)
                    .map_or(NodePrivacy::empty(), |n| n.privacy),
            );
            let s = url::scrub_css(text, mode, self.policy.detectors);
            return self.apply_url(s, "style_text");
        }
        if text.trim().is_empty() {
            return None;
        }
        let pp = self
            .nodes
            .get(&parent)
            .map_or(NodePrivacy::MASKED, |n| n.privacy);
        if parent_tag == "textarea" {
            if self.input_allowed(pp) {
                return self.detect(text, self.policy.detectors, place);
            }
            self.report.count("input_masked", place);
            return Some(self.mask_input(text, parent_tag));
        }
        if parent_tag == "script" || self.text_masked(parent) {
            self.report.count("text_masked", place);
            return Some(self.mask_text(text, MaskTarget::Text { parent_tag }));
        }
        self.detect(text, self.policy.detectors - Detectors::ENTROPY, place)
    }

    /// Inserts and scrubs a flat tree hanging under `parent` (NO_PARENT for a snapshot);
    /// returns the tree with blocked subtrees dropped.
    fn scrub_tree(&mut self, tree: NodeTree, parent: i32, place: &str) -> NodeTree {
        let mut out: Vec<TreeNode> = Vec::with_capacity(tree.nodes.len());
        // Per input index: its index in `out`, or None if dropped.
        let mut kept: Vec<Option<u32>> = Vec::with_capacity(tree.nodes.len());
        let mut ids: Vec<i32> = Vec::with_capacity(tree.nodes.len());
        for (i, mut tn) in tree.nodes.into_iter().enumerate() {
            let parent_id = match tn.parent {
                Some(p) if (p as usize) < i => ids.get(p as usize).copied().unwrap_or(parent),
                _ => parent,
            };
            ids.push(tn.node.id.0);
            self.insert(parent_id, &tn.node);
            let p = self.ensure(tn.node.id.0);
            if p.contains(NodePrivacy::DROPPED) {
                kept.push(None);
                self.report.count("node_dropped", "blocked_subtree");
                continue;
            }
            let out_parent = match tn.parent {
                Some(pi) if (pi as usize) < i => match kept.get(pi as usize).copied().flatten() {
                    Some(x) => Some(x),
                    None => {
                        kept.push(None);
                        continue;
                    }
                },
                _ => None,
            };
            self.scrub_node(&mut tn.node, parent_id, place);
            if p.contains(NodePrivacy::BLOCKED) {
                self.report.count("element_blocked", place);
            }
            kept.push(Some(out.len() as u32));
            out.push(TreeNode {
                parent: out_parent,
                node: tn.node,
            });
        }
        NodeTree { nodes: out }
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
                self.report.count("node_dropped", "blocked_subtree");
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
            let tree = self.scrub_tree(node, parent_id.0, "mutation_add");
            self.scrub_extra(&mut extra, "mutation_add");
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
            let Some(p) = self.privacy_of(t.id) else {
                // Unknown node: mask to be safe.
                if let Some(v) = &mut t.value
                    && !v.trim().is_empty()
                {
                    *v = self.mask_text(v, MaskTarget::Text { parent_tag: "" });
                    self.report.count("text_masked", "mutation_text");
                }
                m.texts.push(t);
                continue;
            };
            if p.contains(NodePrivacy::DROPPED) {
                continue;
            }
            let parent = self.nodes.get(&t.id.0).map_or(NO_PARENT, |n| n.parent);
            if let Some(v) = &t.value {
                if let Some(n) = self.nodes.get_mut(&t.id.0) {
                    n.text = Some(v.as_str().into());
                }
                let element = self.nodes.get(&t.id.0).is_some_and(|n| n.element);
                let (ptag, holder) = if element {
                    (
                        self.nodes
                            .get(&t.id.0)
                            .map_or(String::new(), |n| n.tag.to_string()),
                        t.id.0,
                    )
                } else {
                    (
                        self.nodes
                            .get(&parent)
                            .map_or(String::new(), |n| n.tag.to_string()),
                        parent,
                    )
                };
                if let Some(new) = self.scrub_text(v, &ptag, false, holder, "mutation_text") {
                    t.value = Some(new);
                }
            }
            m.texts.push(t);
        }
        // Attributes: update the mirror first (state may change), then scrub.
        let changes = std::mem::take(&mut m.attributes);
        let mut extra_removes: Vec<Removal> = Vec::new();
        let mut extra_texts: Vec<TextChange> = Vec::new();
        for mut c in changes {
            let Some(p) = self.privacy_of(c.id) else {
                // Unknown element: scrub as masked.
                let mut attrs = std::mem::take(&mut c.attributes);
                self.scrub_attributes(c.id.0, &mut attrs);
                c.attributes = attrs;
                m.attributes.push(c);
                continue;
            };
            if p.contains(NodePrivacy::DROPPED) {
                continue;
            }
            if let Some(n) = self.nodes.get_mut(&c.id.0) {
                for a in &c.attributes {
                    let lname: Box<str> = a.name.as_str().into();
                    n.attrs.retain(|(k, _)| *k != lname);
                    if let Some(v) = a.value.as_text() {
                        n.attrs.push((lname, v.into()));
                    }
                }
            }
            let (blocked, masked_texts) = self.recompute_subtree(c.id.0);
            for b in blocked {
                // Take back what was handed out under a now-blocked element.
                let kids = self
                    .nodes
                    .get(&b)
                    .map(|n| n.children.clone())
                    .unwrap_or_default();
                for k in kids {
                    extra_removes.push(Removal {
                        parent_id: NodeId(b),
                        id: NodeId(k),
                        is_shadow: None,
                        extra: Vec::new(),
                    });
                    self.report.count("node_dropped", "blocked_later");
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
                extra_texts.push(TextChange {
                    id: NodeId(t),
                    value: Some(masked),
                    extra: Vec::new(),
                });
                self.report.count("text_masked", "masked_later");
            }
            let mut attrs = std::mem::take(&mut c.attributes);
            self.scrub_attributes(c.id.0, &mut attrs);
            c.attributes = attrs;
            self.scrub_extra(&mut c.extra, "mutation_attribute");
            m.attributes.push(c);
        }
        m.removes.extend(extra_removes);
        m.texts.extend(extra_texts);
        let mut extra = std::mem::take(&mut m.extra);
        self.scrub_extra(&mut extra, "mutation");
        m.extra = extra;
        m
    }

    /// Scrubs one event; `None` when the policy drops it.
    pub fn scrub_event(&mut self, mut e: Event) -> Option<Event> {
        self.report.events_in += 1;
        let mut top_extra = std::mem::take(&mut e.extra);
        self.scrub_extra(&mut top_extra, "event");
        e.extra = top_extra;
        let kind = std::mem::replace(&mut e.kind, EventKind::Load(None));
        let kind = match kind {
            EventKind::FullSnapshot(mut s) => {
                self.nodes.clear();
                let tree = std::mem::take(&mut s.tree);
                s.tree = self.scrub_tree(tree, NO_PARENT, "snapshot");
                self.scrub_extra(&mut s.extra, "snapshot");
                EventKind::FullSnapshot(s)
            }
            EventKind::Meta(mut m) => {
                let s = url::scrub_url(&m.href, self.policy.url_mode, self.policy.detectors);
                if let Some(v) = self.apply_url(s, "meta_href") {
                    m.href = v;
                }
                self.scrub_extra(&mut m.extra, "meta");
                EventKind::Meta(m)
            }
            EventKind::Incremental(inc) => EventKind::Incremental(self.scrub_incremental(inc)?),
            EventKind::Custom(mut t) => {
                self.scrub_json(&mut t.payload, "custom_payload");
                self.scrub_extra(&mut t.extra, "custom_payload");
                EventKind::Custom(t)
            }
            EventKind::Plugin(mut t) => {
                self.scrub_json(&mut t.payload, "plugin_payload");
                self.scrub_extra(&mut t.extra, "plugin_payload");
                EventKind::Plugin(t)
            }
            EventKind::Asset(mut t) => {
                let s = url::scrub_url(&t.name, self.policy.url_mode, self.policy.detectors);
                if let Some(v) = self.apply_url(s, "asset_url") {
                    t.name = v;
                }
                if self.policy.text_masked {
                    // Captured asset bytes (images) can show anything.
                    t.payload = Json::Null;
                    self.report.count("payload_removed", "asset_payload");
                } else {
                    self.scrub_json(&mut t.payload, "asset_payload");
                }
                EventKind::Asset(t)
            }
            EventKind::DomContentLoaded(mut d) => {
                if let Some(j) = &mut d {
                    self.scrub_json(j, "event");
                }
                EventKind::DomContentLoaded(d)
            }
            EventKind::Load(mut d) => {
                if let Some(j) = &mut d {
                    self.scrub_json(j, "event");
                }
                EventKind::Load(d)
            }
            EventKind::Unknown {
                type_code,
                mut data,
            } => {
                if let Some(j) = &mut data {
                    self.scrub_json(j, "unknown_event");
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
                let p = self.privacy_of(i.id).unwrap_or(NodePrivacy::MASKED);
                if p.intersects(NodePrivacy::DROPPED | NodePrivacy::IGNORED | NodePrivacy::BLOCKED)
                {
                    self.report.count("input_event_dropped", "input_event");
                    return None;
                }
                let tag = self
                    .nodes
                    .get(&i.id.0)
                    .map_or(String::new(), |n| n.tag.to_string());
                if self.input_allowed(p) {
                    if let Some(v) = self.detect(&i.text, self.policy.detectors, "input_event") {
                        i.text = v;
                    }
                } else {
                    if !i.text.is_empty() {
                        self.report.count("input_masked", "input_event");
                    }
                    i.text = self.mask_input(&i.text, &tag);
                    if self.policy.mask_checked && i.is_checked {
                        i.is_checked = false;
                        self.report.count("checked_masked", "input_event");
                    }
                }
                self.scrub_extra(&mut i.extra, "input_event");
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
                self.scrub_extra(&mut s.extra, "selection");
                Incremental::Selection(s)
            }
            Incremental::StyleSheetRule(mut r) => {
                let mode = self.policy.url_mode;
                for add in r.adds.iter_mut().flatten() {
                    let s = url::scrub_css(&add.rule, mode, self.policy.detectors);
                    if let Some(v) = self.apply_url(s, "stylesheet_rule") {
                        add.rule = v;
                    }
                }
                for text in [&mut r.replace, &mut r.replace_sync].into_iter().flatten() {
                    let s = url::scrub_css(text, mode, self.policy.detectors);
                    if let Some(v) = self.apply_url(s, "stylesheet_rule") {
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
                    if let Some(nv) = self.apply_url(s, "style_declaration") {
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
                        if let Some(v) = self.apply_url(s, "stylesheet_rule") {
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
                    if let Some(v) = self.apply_url(s, "font_source") {
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
                        self.report.count("text_masked", "canvas");
                    }
                } else {
                    let mut fields = std::mem::take(&mut c.fields);
                    self.scrub_extra(&mut fields, "canvas");
                    c.fields = fields;
                }
                Incremental::CanvasMutation(c)
            }
            Incremental::Log(mut fields) => {
                self.scrub_extra(&mut fields, "log_payload");
                Incremental::Log(fields)
            }
            Incremental::Unknown { source, mut fields } => {
                self.scrub_extra(&mut fields, "unknown_event");
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

/// Scrubs rrweb JSON end to end: bytes in, bytes out. Invalid events are an error (use
/// [`crate::rrweb::Reader::read_recovering`] and [`scrub`] to keep the valid part).
pub fn scrub_rrweb_json(
    input: &[u8],
    policy: &Policy,
) -> Result<(Vec<u8>, ScrubReport), RrwebError> {
    let events = crate::rrweb::read(input)?;
    let (events, report) = scrub(events, policy);
    Ok((crate::rrweb::write_events(&events), report))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::privacy::policy::VendorMarkers;

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
            let mut nodes = BTreeMap::new();
            nodes.insert(
                1,
                MNode {
                    parent: NO_PARENT,
                    element: true,
                    tag: "div".into(),
                    attrs: attrs
                        .iter()
                        .map(|(k, v)| ((*k).into(), (*v).into()))
                        .collect(),
                    text: None,
                    children: vec![],
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
