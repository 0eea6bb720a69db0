//! Node privacy: which nodes are masked, blocked, dropped, ignored or open to input
//! recording, computed from the policy's selectors and the vendor markers, and kept
//! current down the mirror when attributes change.

use super::super::NodePrivacy;
use super::Engine;
use super::mirror::{MEl, PackedAttrs};
use crate::privacy::selector::{Selector, SelectorElement};

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
pub(super) fn vendor_flags(attrs: &PackedAttrs) -> NodePrivacy {
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

/// What a node's privacy keeps once it has it, over its whole life (see `compute_one`).
pub(super) const ESCALATED: NodePrivacy = NodePrivacy::PASSWORD
    .union(NodePrivacy::BLOCKED)
    .union(NodePrivacy::DROPPED)
    .union(NodePrivacy::MASKED)
    .union(NodePrivacy::IGNORED)
    .union(NodePrivacy::MASK_INPUT);

impl Engine {
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
        let old_own = n.privacy & ESCALATED;
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
    pub(super) fn ensure(&mut self, id: i32) -> NodePrivacy {
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
    pub(super) fn recompute_subtree(&mut self, id: i32) -> (Vec<i32>, Vec<i32>) {
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
    pub(super) fn masks_text(&self, p: NodePrivacy) -> bool {
        p.contains(NodePrivacy::MASKED)
            || (self.policy.text_masked && !p.contains(NodePrivacy::ALLOWED))
    }

    /// Whether the mirror keeps the content of a text node added under `parent`: only
    /// while it is shown as is (if the parent masks text already, a later re-mask has
    /// nothing to take back).
    pub(in crate::privacy::scrub) fn keeps_text_under(&self, parent: i32) -> bool {
        !self.nodes.get(&parent).is_some_and(|p| {
            p.privacy.contains(NodePrivacy::COMPUTED) && self.masks_text(p.privacy)
        })
    }

    /// Whether text under element `parent` is masked.
    pub(super) fn text_masked(&self, parent: i32) -> bool {
        let p = self
            .nodes
            .get(&parent)
            .map_or(NodePrivacy::empty(), |n| n.privacy);
        self.masks_text(p)
    }
}

#[cfg(test)]
mod tests {
    use super::super::mirror::{MNode, Mirror, NO_PARENT, Tag};
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
            let mut nodes = Mirror::default();
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
