//! Masking decisions on content: what becomes of a text, an attribute, an input value,
//! a URL or CSS, an opaque JSON value, and of mutations' text and attribute changes,
//! given the node's privacy state. Each decision counts what it does in the report.

use super::super::report::{Place, ScrubAction, ScrubPlace};
use super::super::{MASKED_INPUT, NodePrivacy};
use super::context::Around;
use super::mirror::{MEl, NO_PARENT, Tag};
use super::{AttrOutcome, AttributeChange, Engine, Fate, TextOutcome, TextPlan};
use crate::model::{Extra, Json, NodeId};
use crate::privacy::detect::{self, Detectors, PiiKind};
use crate::privacy::policy::{AttributeAction, MaskTarget};
use crate::privacy::url::{self, UrlMode, UrlScrub};

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

/// Attributes that carry what a person wrote or sees rather than structure. `srcdoc`
/// is a whole document's markup (its text included) in one attribute.
fn is_user_data_attr(name: &str) -> bool {
    matches!(
        name,
        "title"
            | "alt"
            | "placeholder"
            | "label"
            | "summary"
            | "abbr"
            | "download"
            | "content"
            | "srcdoc"
    ) || name.starts_with("aria-")
        || name.starts_with("data-")
}

fn is_form_control(tag: &str) -> bool {
    matches!(tag, "input" | "textarea" | "select" | "option")
}

impl Engine {
    pub(super) fn mask_text(&self, s: &str, target: MaskTarget<'_>) -> String {
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

    pub(super) fn mask_input(&self, s: &str, tag: &str) -> String {
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

    /// Masks what the detectors find in `s`; `around` is where it is in the page, read
    /// only if an ambiguous number needs it (see `context`).
    fn detect<'p>(
        &mut self,
        s: &str,
        detectors: Detectors,
        place: impl Into<Place<'p>>,
        around: Around,
    ) -> Option<String> {
        let f = detect::find_with(s, detectors, &mut || self.context_around(around));
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
    pub(super) fn input_allowed(&self, p: NodePrivacy) -> bool {
        p.contains(NodePrivacy::INPUT_ALLOWED)
            && !p.intersects(
                NodePrivacy::PASSWORD
                    | NodePrivacy::MASKED
                    | NodePrivacy::MASK_INPUT
                    | NodePrivacy::BLOCKED
                    | NodePrivacy::DROPPED,
            )
    }

    pub(in crate::privacy::scrub) fn attr_outcome(
        &mut self,
        id: i32,
        name: &str,
        value: &str,
    ) -> AttrOutcome {
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
        let field = Around::Field { el: id };
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
                    match self.detect(value, self.policy.detectors, place(), field) {
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
                return match self.detect(value, self.policy.detectors, place(), field) {
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
            return match self.detect(value, self.policy.detectors, place(), field) {
                Some(v) => AttrOutcome::Set(v),
                None => AttrOutcome::Keep,
            };
        }
        let detectors = if STRUCTURAL_ATTRS.contains(&&*lname) {
            self.policy.detectors - Detectors::ENTROPY
        } else {
            self.policy.detectors
        };
        match self.detect(value, detectors, place(), field) {
            Some(v) => AttrOutcome::Set(v),
            None => AttrOutcome::Keep,
        }
    }

    /// A number, boolean or `null` (removed) attribute: only a blocked element loses it.
    pub(in crate::privacy::scrub) fn scalar_attr_outcome(
        &self,
        id: i32,
        name: &str,
        removed: bool,
    ) -> AttrOutcome {
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

    /// Detectors over every string of an opaque value.
    pub(in crate::privacy::scrub) fn scrub_json<'p>(
        &mut self,
        j: &mut Json,
        place: impl Into<Place<'p>>,
    ) {
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

    pub(in crate::privacy::scrub) fn scrub_extra(&mut self, extra: &mut Extra, place: &ScrubPlace) {
        for (_, v) in extra.iter_mut() {
            self.scrub_json(v, place);
        }
    }

    /// The scrubbed form of a URL counted at `place`, if it changes (the policy's URL
    /// mode).
    pub(in crate::privacy::scrub) fn scrub_url(
        &mut self,
        value: &str,
        place: &ScrubPlace,
    ) -> Option<String> {
        let s = url::scrub_url(value, self.policy.url_mode, self.policy.detectors);
        self.apply_url(s, place)
    }

    /// The scrubbed form of CSS text counted at `place`, if it changes (the policy's URL
    /// mode).
    pub(in crate::privacy::scrub) fn scrub_css(
        &mut self,
        css: &str,
        place: &ScrubPlace,
    ) -> Option<String> {
        let s = url::scrub_css(css, self.policy.url_mode, self.policy.detectors);
        self.apply_url(s, place)
    }

    /// The scrubbed form of a CSS value of element `id`'s style attribute, if it changes
    /// (URL values stripped under a masked element, or an unknown one).
    pub(in crate::privacy::scrub) fn scrub_style_value(
        &mut self,
        id: i32,
        css: &str,
    ) -> Option<String> {
        let mode = self.url_mode(
            self.nodes
                .get(&id)
                .map_or(NodePrivacy::MASKED, |n| n.privacy),
        );
        let s = url::scrub_css(css, mode, self.policy.detectors);
        self.apply_url(s, Place::Attribute("style"))
    }

    /// Scrubs a canvas mutation's fields: under a text-masking policy every string
    /// argument is masked (fillText and friends draw user text), otherwise detectors run.
    pub(in crate::privacy::scrub) fn scrub_canvas(&mut self, fields: &mut Extra) {
        if !self.policy.text_masked {
            self.scrub_extra(fields, &ScrubPlace::Canvas);
            return;
        }
        let mut n = 0u64;
        for (_, v) in fields.iter_mut() {
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
    }

    /// Scrubs a captured asset's bytes: removed under a text-masking policy (images can
    /// show anything), otherwise detectors run.
    pub(in crate::privacy::scrub) fn scrub_asset_payload(&mut self, payload: &mut Json) {
        if self.policy.text_masked {
            *payload = Json::Null;
            self.report.add(
                ScrubAction::PayloadRemoved,
                Place::Fixed(&ScrubPlace::AssetPayload),
            );
        } else {
            self.scrub_json(payload, &ScrubPlace::AssetPayload);
        }
    }

    /// The scrubbed Meta href, if it changes.
    pub(in crate::privacy::scrub) fn meta_href(&mut self, href: &str) -> Option<String> {
        self.scrub_url(href, &ScrubPlace::MetaHref)
    }

    /// The masked content of a comment or CDATA section (comments are not shown and can
    /// carry anything), if it changes.
    pub(in crate::privacy::scrub) fn comment_text(&mut self, text: &str) -> Option<String> {
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

    /// The scrubbed form of the content of text node `id` under `parent`, if it
    /// changes (`id` is `NO_PARENT` for a text that is not a node's).
    pub(in crate::privacy::scrub) fn scrub_text(
        &mut self,
        id: i32,
        text: &str,
        is_style: bool,
        parent: i32,
        place: &ScrubPlace,
    ) -> Option<String> {
        let parent_tag = self.nodes.tag_of(parent);
        match self.plan_text(id, text, &parent_tag, is_style, parent, place) {
            TextPlan::Keep => None,
            TextPlan::Set(v) => Some(v),
            TextPlan::MaskEachChar => Some(self.mask_text(
                text,
                MaskTarget::Text {
                    parent_tag: &parent_tag,
                },
            )),
        }
    }

    /// What becomes of the content of text node `id` under `parent`. `MaskEachChar` is
    /// the plain mask (every non-whitespace character a `*`), left to the caller so that
    /// a streaming writer can write it straight from the input.
    pub(in crate::privacy::scrub) fn text_plan(
        &mut self,
        id: i32,
        text: &str,
        is_style: bool,
        parent: i32,
        place: &ScrubPlace,
    ) -> TextPlan {
        let parent_tag = self.nodes.tag_of(parent);
        self.plan_text(id, text, &parent_tag, is_style, parent, place)
    }

    /// [`Engine::text_plan`] once the parent's tag is known.
    fn plan_text(
        &mut self,
        id: i32,
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
                return keep_or(self.detect(
                    text,
                    self.policy.detectors,
                    place,
                    Around::Field { el: parent },
                ));
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
        // Shown with only the detectors' masking: it may hold part of a secret that
        // spans text nodes, which `split_secrets` looks for once the event is applied.
        self.note_detected_text(id, text);
        keep_or(self.detect(
            text,
            self.policy.detectors - Detectors::ENTROPY,
            place,
            Around::Text { id, parent },
        ))
    }

    /// The fate of a node met in a tree, from its privacy `p` and its tree parent's
    /// fate. A node under a blocked or dropped tree parent is dropped even when the
    /// mirror says otherwise (hostile input can make a node its own ancestor, which
    /// moves the parent out of the mirror); it is then marked dropped there too.
    pub(super) fn tree_fate(&mut self, id: i32, p: NodePrivacy, parent: Option<Fate>) -> Fate {
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

    /// A mutation's text change of node `id`.
    pub(in crate::privacy::scrub) fn text_change(
        &mut self,
        id: NodeId,
        value: Option<&str>,
    ) -> TextOutcome {
        let Some(p) = self.privacy(id) else {
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
        let (holder, text_id) = if element {
            (id.0, NO_PARENT)
        } else {
            (parent, id.0)
        };
        match self.scrub_text(text_id, v, false, holder, &ScrubPlace::MutationText) {
            Some(new) => TextOutcome::Set(new),
            None => TextOutcome::Keep,
        }
    }

    /// A mutation's attribute change of node `id`, before its values are scrubbed:
    /// updates the mirror and the privacy state below it. When the change blocks an
    /// element or masks text that was shown, what must be taken back is appended to
    /// `take_back` (removals of children as `(parent, child)`) and `remask` (text
    /// changes).
    pub(in crate::privacy::scrub) fn attribute_change(
        &mut self,
        id: NodeId,
        changes: &[(&str, Option<std::borrow::Cow<'_, str>>)],
        take_back: &mut Vec<(i32, i32)>,
        remask: &mut Vec<(i32, String)>,
    ) -> AttributeChange {
        let Some(p) = self.privacy(id) else {
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
    pub(in crate::privacy::scrub) fn input_change(
        &mut self,
        id: NodeId,
        text: &str,
        is_checked: bool,
    ) -> Option<(Option<String>, bool)> {
        let p = self.privacy(id).unwrap_or(NodePrivacy::MASKED);
        if p.intersects(NodePrivacy::DROPPED | NodePrivacy::IGNORED | NodePrivacy::BLOCKED) {
            self.report.add(
                ScrubAction::InputEventDropped,
                Place::Fixed(&ScrubPlace::InputEvent),
            );
            return None;
        }
        if self.input_allowed(p) {
            return Some((
                self.detect(
                    text,
                    self.policy.detectors,
                    &ScrubPlace::InputEvent,
                    Around::Field { el: id.0 },
                ),
                is_checked,
            ));
        }
        if !text.is_empty() {
            self.report.add(
                ScrubAction::InputMasked,
                Place::Fixed(&ScrubPlace::InputEvent),
            );
        }
        let tag = self.nodes.tag_of(id.0);
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
}
