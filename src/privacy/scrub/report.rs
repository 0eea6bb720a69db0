//! The scrub report: what was masked, counted by [`ScrubAction`] and by [`ScrubPlace`],
//! never the values.

use std::borrow::Borrow;
use std::collections::BTreeMap;

use crate::privacy::detect::PiiKind;

/// What the scrubber did, as counted in [`ScrubReport::by_kind`].
///
/// `Display` gives the report's key (`text_masked`, `pii:email`, ...); keys order
/// alphabetically, as the report lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ScrubAction {
    /// `attribute_masked`: an attribute's value masked.
    AttributeMasked,
    /// `attribute_removed`: an attribute removed.
    AttributeRemoved,
    /// `checked_masked`: a checked or selected state hidden.
    CheckedMasked,
    /// `element_blocked`: an element kept with its size, its children dropped.
    ElementBlocked,
    /// `input_event_dropped`: an input event on an ignored or blocked field dropped.
    InputEventDropped,
    /// `input_masked`: an input value masked.
    InputMasked,
    /// `node_dropped`: a node (and its subtree) left out of the output.
    NodeDropped,
    /// `payload_removed`: a captured asset's bytes removed.
    PayloadRemoved,
    /// `pii:<kind>`: a detector's finding masked.
    Pii(PiiKind),
    /// `text_masked`: a text masked.
    TextMasked,
    /// `url_scrubbed`: a URL (or a CSS `url()`) scrubbed.
    UrlScrubbed,
}

/// Display, order (and so the report's listing order) by the key string, which is
/// one-to-one with the value: the report reads as it did when keyed by strings.
macro_rules! keyed_by_name {
    ($ty:ty) => {
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                // `pad`, so that the report's column widths apply.
                f.pad(self.as_str())
            }
        }

        impl Ord for $ty {
            fn cmp(&self, other: &Self) -> std::cmp::Ordering {
                self.as_str().cmp(other.as_str())
            }
        }

        impl PartialOrd for $ty {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }
    };
}

impl ScrubAction {
    /// The report's key for this action.
    pub fn as_str(&self) -> &'static str {
        match self {
            ScrubAction::AttributeMasked => "attribute_masked",
            ScrubAction::AttributeRemoved => "attribute_removed",
            ScrubAction::CheckedMasked => "checked_masked",
            ScrubAction::ElementBlocked => "element_blocked",
            ScrubAction::InputEventDropped => "input_event_dropped",
            ScrubAction::InputMasked => "input_masked",
            ScrubAction::NodeDropped => "node_dropped",
            ScrubAction::PayloadRemoved => "payload_removed",
            // Spelled out (`PiiKind::name` with the prefix) so that no key is built.
            ScrubAction::Pii(k) => match k {
                PiiKind::Card => "pii:card",
                PiiKind::Iban => "pii:iban",
                PiiKind::Ssn => "pii:ssn",
                PiiKind::Email => "pii:email",
                PiiKind::Phone => "pii:phone",
                PiiKind::Ip => "pii:ip",
                PiiKind::Jwt => "pii:jwt",
                PiiKind::Bearer => "pii:bearer",
                PiiKind::ApiKey => "pii:api_key",
                PiiKind::PrivateKey => "pii:private_key",
                PiiKind::HighEntropy => "pii:high_entropy",
                PiiKind::UrlSecret => "pii:url_secret",
            },
            ScrubAction::TextMasked => "text_masked",
            ScrubAction::UrlScrubbed => "url_scrubbed",
        }
    }
}

keyed_by_name!(ScrubAction);

/// Where the scrubber acted, as counted in [`ScrubReport::by_place`].
///
/// `Display` gives the report's key (`input_event`, `attribute:title`, ...); keys order
/// alphabetically, as the report lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScrubPlace {
    /// `asset_payload`: a captured asset's bytes.
    AssetPayload,
    /// `asset_url`: a captured asset's URL.
    AssetUrl,
    /// `attribute:<name>`: an attribute (lower-cased name); see [`ScrubPlace::attribute`].
    Attribute(AttributePlace),
    /// `blocked_later`: children taken back when an element became blocked.
    BlockedLater,
    /// `blocked_subtree`: nodes under a blocked element.
    BlockedSubtree,
    /// `canvas`: a canvas mutation.
    Canvas,
    /// `comment`: a comment or CDATA section.
    Comment,
    /// `custom_payload`: a custom event.
    CustomPayload,
    /// `event`: an event's own fields.
    Event,
    /// `font_source`: a font's URL.
    FontSource,
    /// `input_event`: an input event.
    InputEvent,
    /// `log_payload`: a console log.
    LogPayload,
    /// `masked_later`: texts re-masked when their element became masked.
    MaskedLater,
    /// `meta`: a meta event's other fields.
    Meta,
    /// `meta_href`: a meta event's page URL.
    MetaHref,
    /// `mutation`: a mutation's own fields.
    Mutation,
    /// `mutation_add`: nodes added by a mutation.
    MutationAdd,
    /// `mutation_attribute`: an attribute change's own fields.
    MutationAttribute,
    /// `mutation_text`: a mutation's text change.
    MutationText,
    /// `plugin_payload`: a plugin event.
    PluginPayload,
    /// `selection`: a selection event.
    Selection,
    /// `snapshot`: a full snapshot.
    Snapshot,
    /// `style_declaration`: a style declaration change.
    StyleDeclaration,
    /// `style_text`: a `<style>` element's text.
    StyleText,
    /// `stylesheet_rule`: a stylesheet rule.
    StylesheetRule,
    /// `unknown_event`: an event of a kind the model does not know.
    UnknownEvent,
}

/// The place `attribute:<name>`. It holds the whole report key, so that the report can
/// look an attribute place up by a key built on the stack (no allocation for a place
/// already counted).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AttributePlace {
    /// `attribute:<name>`.
    key: Box<str>,
}

const ATTRIBUTE_PREFIX: &str = "attribute:";

impl AttributePlace {
    /// The attribute's name.
    pub fn name(&self) -> &str {
        self.key.get(ATTRIBUTE_PREFIX.len()..).unwrap_or("")
    }
}

impl std::fmt::Debug for AttributePlace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("AttributePlace").field(&self.name()).finish()
    }
}

impl ScrubPlace {
    /// The place of attribute `name` (lower-cased, as the scrubber counts it).
    pub fn attribute(name: &str) -> ScrubPlace {
        // Exactly sized, so that the box takes the buffer as it is.
        let mut key = String::with_capacity(ATTRIBUTE_PREFIX.len() + name.len());
        key.push_str(ATTRIBUTE_PREFIX);
        key.push_str(name);
        ScrubPlace::Attribute(AttributePlace {
            key: key.into_boxed_str(),
        })
    }

    /// The report's key for this place.
    pub fn as_str(&self) -> &str {
        match self {
            ScrubPlace::AssetPayload => "asset_payload",
            ScrubPlace::AssetUrl => "asset_url",
            ScrubPlace::Attribute(a) => &a.key,
            ScrubPlace::BlockedLater => "blocked_later",
            ScrubPlace::BlockedSubtree => "blocked_subtree",
            ScrubPlace::Canvas => "canvas",
            ScrubPlace::Comment => "comment",
            ScrubPlace::CustomPayload => "custom_payload",
            ScrubPlace::Event => "event",
            ScrubPlace::FontSource => "font_source",
            ScrubPlace::InputEvent => "input_event",
            ScrubPlace::LogPayload => "log_payload",
            ScrubPlace::MaskedLater => "masked_later",
            ScrubPlace::Meta => "meta",
            ScrubPlace::MetaHref => "meta_href",
            ScrubPlace::Mutation => "mutation",
            ScrubPlace::MutationAdd => "mutation_add",
            ScrubPlace::MutationAttribute => "mutation_attribute",
            ScrubPlace::MutationText => "mutation_text",
            ScrubPlace::PluginPayload => "plugin_payload",
            ScrubPlace::Selection => "selection",
            ScrubPlace::Snapshot => "snapshot",
            ScrubPlace::StyleDeclaration => "style_declaration",
            ScrubPlace::StyleText => "style_text",
            ScrubPlace::StylesheetRule => "stylesheet_rule",
            ScrubPlace::UnknownEvent => "unknown_event",
        }
    }
}

keyed_by_name!(ScrubPlace);

impl std::hash::Hash for ScrubPlace {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl Borrow<str> for ScrubPlace {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

/// Where something is counted, as the scrubber passes it around: a fixed place, or an
/// attribute by name, whose key is only built when something is counted (and then on
/// the stack).
#[derive(Debug, Clone, Copy)]
pub(super) enum Place<'a> {
    Fixed(&'a ScrubPlace),
    /// `attribute:<name>`.
    Attribute(&'a str),
}

impl<'a> From<&'a ScrubPlace> for Place<'a> {
    fn from(p: &'a ScrubPlace) -> Self {
        Place::Fixed(p)
    }
}

/// What was scrubbed, counted by kind and by place. Never values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScrubReport {
    /// Events read.
    pub events_in: u64,
    /// Events handed out.
    pub events_out: u64,
    /// Counts by kind of action; see [`ScrubReport::count`] for one count.
    pub by_kind: BTreeMap<ScrubAction, u64>,
    /// Counts by place; see [`ScrubReport::count_at`] for one count.
    pub by_place: BTreeMap<ScrubPlace, u64>,
}

impl ScrubReport {
    /// How many times `action` was taken (0 if never).
    pub fn count(&self, action: ScrubAction) -> u64 {
        self.by_kind.get(&action).copied().unwrap_or(0)
    }

    /// How many actions were taken at `place` (0 if none).
    pub fn count_at(&self, place: &ScrubPlace) -> u64 {
        self.by_place.get(place.as_str()).copied().unwrap_or(0)
    }

    /// Counts one `action` at `place`.
    pub(super) fn add(&mut self, action: ScrubAction, place: Place<'_>) {
        *self.by_kind.entry(action).or_insert(0) += 1;
        match place {
            Place::Fixed(p) => self.add_place(p.as_str(), || p.clone()),
            Place::Attribute(name) => {
                // The key on the stack: no allocation unless the place is new (or the
                // name is long).
                let mut buf = [0u8; 64];
                let n = ATTRIBUTE_PREFIX.len() + name.len();
                if let Some(dst) = buf.get_mut(..n) {
                    let (a, b) = dst.split_at_mut(ATTRIBUTE_PREFIX.len());
                    a.copy_from_slice(ATTRIBUTE_PREFIX.as_bytes());
                    b.copy_from_slice(name.as_bytes());
                    if let Ok(key) = std::str::from_utf8(dst) {
                        return self.add_place(key, || ScrubPlace::attribute(name));
                    }
                }
                self.add_place(&format!("{ATTRIBUTE_PREFIX}{name}"), || {
                    ScrubPlace::attribute(name)
                });
            }
        }
    }

    /// Counts one action at the place of key `key`, made by `place` if it is new.
    fn add_place(&mut self, key: &str, place: impl FnOnce() -> ScrubPlace) {
        match self.by_place.get_mut(key) {
            Some(n) => *n += 1,
            None => {
                self.by_place.insert(place(), 1);
            }
        }
    }

    /// Counts a finding of each of `kinds` at `place`.
    pub(super) fn pii(&mut self, kinds: &[PiiKind], place: Place<'_>) {
        for &k in kinds {
            self.add(ScrubAction::Pii(k), place);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_the_report_strings_and_order_alphabetically() {
        let mut r = ScrubReport::default();
        r.add(ScrubAction::Pii(PiiKind::Email), Place::Attribute("title"));
        r.add(
            ScrubAction::InputMasked,
            Place::Fixed(&ScrubPlace::InputEvent),
        );
        r.add(
            ScrubAction::InputMasked,
            Place::Fixed(&ScrubPlace::InputEvent),
        );
        r.add(ScrubAction::Pii(PiiKind::Card), Place::Attribute("title"));
        let long = "x".repeat(80);
        r.add(ScrubAction::TextMasked, Place::Attribute(&long));
        assert_eq!(r.count(ScrubAction::InputMasked), 2);
        assert_eq!(r.count(ScrubAction::UrlScrubbed), 0);
        assert_eq!(r.count_at(&ScrubPlace::attribute("title")), 2);
        assert_eq!(r.count_at(&ScrubPlace::attribute(&long)), 1);
        assert_eq!(r.count_at(&ScrubPlace::MetaHref), 0);
        let kinds: Vec<String> = r.by_kind.keys().map(|k| k.to_string()).collect();
        assert_eq!(
            kinds,
            ["input_masked", "pii:card", "pii:email", "text_masked"]
        );
        let places: Vec<String> = r.by_place.keys().map(|k| k.to_string()).collect();
        let mut sorted = places.clone();
        sorted.sort();
        assert_eq!(places, sorted);
        assert_eq!(
            format!("[{:<14}]", ScrubPlace::InputEvent),
            "[input_event   ]"
        );
        assert_eq!(ScrubPlace::attribute("alt").to_string(), "attribute:alt");
        let ScrubPlace::Attribute(a) = ScrubPlace::attribute("alt") else {
            unreachable!()
        };
        assert_eq!(a.name(), "alt");
    }
}
