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

/// Display by the key string; `Ord` (written per type, cheap, and sorting as the key
/// strings do) gives the report's listing order, so the report reads as it did when
/// keyed by strings.
macro_rules! keyed_by_name {
    ($ty:ty) => {
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                // `pad`, so that the report's column widths apply.
                f.pad(self.as_str())
            }
        }

        impl PartialOrd for $ty {
            #[inline]
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }
    };
}

impl ScrubAction {
    /// The position of the action's key among all keys in alphabetical order. Every
    /// count looks its action up in the report's map, so comparing two small integers
    /// instead of two strings keeps counting cheap (a unit test checks the two orders
    /// agree).
    #[inline]
    fn rank(&self) -> u8 {
        match self {
            ScrubAction::AttributeMasked => 0,
            ScrubAction::AttributeRemoved => 1,
            ScrubAction::CheckedMasked => 2,
            ScrubAction::ElementBlocked => 3,
            ScrubAction::InputEventDropped => 4,
            ScrubAction::InputMasked => 5,
            ScrubAction::NodeDropped => 6,
            ScrubAction::PayloadRemoved => 7,
            ScrubAction::Pii(kind) => match kind {
                PiiKind::ApiKey => 8,
                PiiKind::Bearer => 9,
                PiiKind::Card => 10,
                PiiKind::DateOfBirth => 11,
                PiiKind::Email => 12,
                PiiKind::HighEntropy => 13,
                PiiKind::Iban => 14,
                PiiKind::Ip => 15,
                PiiKind::Jwt => 16,
                PiiKind::Phone => 17,
                PiiKind::PrivateKey => 18,
                PiiKind::Ssn => 19,
                PiiKind::UrlSecret => 20,
            },
            ScrubAction::TextMasked => 21,
            ScrubAction::UrlScrubbed => 22,
        }
    }

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
                PiiKind::DateOfBirth => "pii:dob",
            },
            ScrubAction::TextMasked => "text_masked",
            ScrubAction::UrlScrubbed => "url_scrubbed",
        }
    }
}

keyed_by_name!(ScrubAction);

impl ScrubAction {
    /// Every action, in key order.
    const ALL: [ScrubAction; 23] = [
        ScrubAction::AttributeMasked,
        ScrubAction::AttributeRemoved,
        ScrubAction::CheckedMasked,
        ScrubAction::ElementBlocked,
        ScrubAction::InputEventDropped,
        ScrubAction::InputMasked,
        ScrubAction::NodeDropped,
        ScrubAction::PayloadRemoved,
        ScrubAction::Pii(PiiKind::ApiKey),
        ScrubAction::Pii(PiiKind::Bearer),
        ScrubAction::Pii(PiiKind::Card),
        ScrubAction::Pii(PiiKind::DateOfBirth),
        ScrubAction::Pii(PiiKind::Email),
        ScrubAction::Pii(PiiKind::HighEntropy),
        ScrubAction::Pii(PiiKind::Iban),
        ScrubAction::Pii(PiiKind::Ip),
        ScrubAction::Pii(PiiKind::Jwt),
        ScrubAction::Pii(PiiKind::Phone),
        ScrubAction::Pii(PiiKind::PrivateKey),
        ScrubAction::Pii(PiiKind::Ssn),
        ScrubAction::Pii(PiiKind::UrlSecret),
        ScrubAction::TextMasked,
        ScrubAction::UrlScrubbed,
    ];

    /// The action whose key is `name` (what [`ScrubAction::as_str`] gives), for a
    /// report read back from saved state.
    pub(crate) fn from_name(name: &str) -> Option<ScrubAction> {
        Self::ALL.iter().copied().find(|a| a.as_str() == name)
    }
}

impl Ord for ScrubAction {
    #[inline]
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.rank().cmp(&other.rank())
    }
}

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
    /// `split_text`: a secret split across text nodes (`<span>123</span> <span>45</span>
    /// <span>6789</span>`), masked in each of them.
    SplitText,
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

    /// The place's position in the alphabetical order of keys (all attribute places
    /// share one), for a cheap `Ord`: every count looks its place up in the report.
    #[inline]
    fn rank(&self) -> u8 {
        match self {
            ScrubPlace::AssetPayload => 0,
            ScrubPlace::AssetUrl => 1,
            ScrubPlace::Attribute(_) => 2,
            ScrubPlace::BlockedLater => 3,
            ScrubPlace::BlockedSubtree => 4,
            ScrubPlace::Canvas => 5,
            ScrubPlace::Comment => 6,
            ScrubPlace::CustomPayload => 7,
            ScrubPlace::Event => 8,
            ScrubPlace::FontSource => 9,
            ScrubPlace::InputEvent => 10,
            ScrubPlace::LogPayload => 11,
            ScrubPlace::MaskedLater => 12,
            ScrubPlace::Meta => 13,
            ScrubPlace::MetaHref => 14,
            ScrubPlace::Mutation => 15,
            ScrubPlace::MutationAdd => 16,
            ScrubPlace::MutationAttribute => 17,
            ScrubPlace::MutationText => 18,
            ScrubPlace::PluginPayload => 19,
            ScrubPlace::Selection => 20,
            ScrubPlace::Snapshot => 21,
            ScrubPlace::SplitText => 22,
            ScrubPlace::StyleDeclaration => 23,
            ScrubPlace::StyleText => 24,
            ScrubPlace::StylesheetRule => 25,
            ScrubPlace::UnknownEvent => 26,
        }
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
            ScrubPlace::SplitText => "split_text",
            ScrubPlace::StyleDeclaration => "style_declaration",
            ScrubPlace::StyleText => "style_text",
            ScrubPlace::StylesheetRule => "stylesheet_rule",
            ScrubPlace::UnknownEvent => "unknown_event",
        }
    }
}

keyed_by_name!(ScrubPlace);

impl ScrubPlace {
    /// Every place but attributes, in key order.
    const FIXED: [ScrubPlace; 26] = [
        ScrubPlace::AssetPayload,
        ScrubPlace::AssetUrl,
        ScrubPlace::BlockedLater,
        ScrubPlace::BlockedSubtree,
        ScrubPlace::Canvas,
        ScrubPlace::Comment,
        ScrubPlace::CustomPayload,
        ScrubPlace::Event,
        ScrubPlace::FontSource,
        ScrubPlace::InputEvent,
        ScrubPlace::LogPayload,
        ScrubPlace::MaskedLater,
        ScrubPlace::Meta,
        ScrubPlace::MetaHref,
        ScrubPlace::Mutation,
        ScrubPlace::MutationAdd,
        ScrubPlace::MutationAttribute,
        ScrubPlace::MutationText,
        ScrubPlace::PluginPayload,
        ScrubPlace::Selection,
        ScrubPlace::Snapshot,
        ScrubPlace::SplitText,
        ScrubPlace::StyleDeclaration,
        ScrubPlace::StyleText,
        ScrubPlace::StylesheetRule,
        ScrubPlace::UnknownEvent,
    ];

    /// The place whose key is `name` (what [`ScrubPlace::as_str`] gives), for a report
    /// read back from saved state.
    pub(crate) fn from_name(name: &str) -> Option<ScrubPlace> {
        match name.strip_prefix(ATTRIBUTE_PREFIX) {
            Some(attr) => Some(ScrubPlace::attribute(attr)),
            None => Self::FIXED.iter().find(|p| p.as_str() == name).cloned(),
        }
    }
}

impl Ord for ScrubPlace {
    /// Fixed places by their rank; attribute places (which sort together, between
    /// `asset_url` and `blocked_later`) by their key. The same order as the key
    /// strings', so the map can also be searched with a key alone (`Borrow<str>`).
    #[inline]
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        match (self, other) {
            (ScrubPlace::Attribute(a), ScrubPlace::Attribute(b)) => a.key.cmp(&b.key),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

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
        // Saturating, here and below: a restored report may start at the top.
        let n = self.by_kind.entry(action).or_insert(0);
        *n = n.saturating_add(1);
        match place {
            Place::Fixed(p) => match self.by_place.get_mut(p) {
                Some(n) => *n = n.saturating_add(1),
                None => {
                    self.by_place.insert(p.clone(), 1);
                }
            },
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
            Some(n) => *n = n.saturating_add(1),
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
        // Saturating: counts restored from saved state may be anything.
        self.by_kind.values().fold(0, |a, &n| a.saturating_add(n))
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

    #[test]
    fn every_key_reads_back() {
        for a in ScrubAction::ALL {
            assert_eq!(ScrubAction::from_name(a.as_str()), Some(a));
        }
        assert!(ScrubAction::ALL.windows(2).all(|w| w[0] < w[1]));
        for p in ScrubPlace::FIXED {
            assert_eq!(ScrubPlace::from_name(p.as_str()), Some(p.clone()));
        }
        assert!(ScrubPlace::FIXED.windows(2).all(|w| w[0] < w[1]));
        let title = ScrubPlace::attribute("title");
        assert_eq!(ScrubPlace::from_name(title.as_str()), Some(title));
        assert_eq!(ScrubPlace::from_name("nope"), None);
        assert_eq!(ScrubAction::from_name("pii:nope"), None);
    }

    #[test]
    fn action_ranks_sort_as_their_keys() {
        let mut all = vec![
            ScrubAction::AttributeMasked,
            ScrubAction::AttributeRemoved,
            ScrubAction::CheckedMasked,
            ScrubAction::ElementBlocked,
            ScrubAction::InputEventDropped,
            ScrubAction::InputMasked,
            ScrubAction::NodeDropped,
            ScrubAction::PayloadRemoved,
            ScrubAction::TextMasked,
            ScrubAction::UrlScrubbed,
        ];
        all.extend(
            [
                PiiKind::Card,
                PiiKind::Iban,
                PiiKind::Ssn,
                PiiKind::Email,
                PiiKind::Phone,
                PiiKind::Ip,
                PiiKind::Jwt,
                PiiKind::Bearer,
                PiiKind::ApiKey,
                PiiKind::PrivateKey,
                PiiKind::HighEntropy,
                PiiKind::UrlSecret,
                PiiKind::DateOfBirth,
            ]
            .map(ScrubAction::Pii),
        );
        for a in &all {
            for b in &all {
                assert_eq!(a.cmp(b), a.as_str().cmp(b.as_str()), "{a} vs {b}");
            }
        }
        let mut ranks: Vec<u8> = all.iter().map(ScrubAction::rank).collect();
        ranks.sort();
        ranks.dedup();
        assert_eq!(ranks.len(), all.len(), "one rank per action");
    }

    #[test]
    fn place_order_is_the_key_order() {
        let mut all: Vec<ScrubPlace> = [
            "alt",
            "title",
            "aria-label",
            "data-x",
            "href",
            "placeholder",
            "a",
            "zz",
        ]
        .iter()
        .map(|n| ScrubPlace::attribute(n))
        .collect();
        all.extend(ScrubPlace::FIXED.iter().cloned());
        for a in &all {
            for b in &all {
                assert_eq!(a.cmp(b), a.as_str().cmp(b.as_str()), "{a} vs {b}");
            }
        }
    }
}
