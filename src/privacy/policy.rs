//! The masking policy: presets, selector rules, vendor markers, attribute rules.

use std::sync::Arc;

use super::detect::Detectors;
use super::selector::{Selector, SelectorError};
use super::url::UrlMode;

/// The three presets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Preset {
    /// Everything that can carry user data is masked: all text, all input values,
    /// checked and selected state, user-data attributes, URL query values and fragments.
    Private,
    /// Text is visible and scrubbed by the PII detectors; input values, checked state
    /// aside, stay masked; user-data attributes stay masked; URLs lose secret parameters.
    Balanced,
    /// Text and attributes are visible, scrubbed by the detectors; input values masked.
    Relaxed,
}

impl Preset {
    /// The preset's name.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Private => "private",
            Preset::Balanced => "balanced",
            Preset::Relaxed => "relaxed",
        }
    }
}

impl std::str::FromStr for Preset {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "private" => Ok(Preset::Private),
            "balanced" => Ok(Preset::Balanced),
            "relaxed" => Ok(Preset::Relaxed),
            other => Err(format!(
                "unknown policy {other:?}: private, balanced or relaxed"
            )),
        }
    }
}

/// What happens to an attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AttributeAction {
    /// Kept as recorded (URL attributes still lose secrets unless this is explicit).
    Keep,
    /// Each non-space character replaced.
    Mask,
    /// Dropped.
    Remove,
    /// Kept, with detected PII masked.
    Detect,
}

/// An attribute rule: for elements matching `selector` (all when `None`), attributes
/// named `name` (a trailing `*` matches a prefix) get `action`. Later rules win.
#[derive(Debug, Clone)]
pub struct AttributeRule {
    /// Which elements.
    pub selector: Option<Selector>,
    /// Which attribute: exact name, or a prefix ending in `*` (`data-*`).
    pub name: String,
    /// What to do.
    pub action: AttributeAction,
}

impl AttributeRule {
    pub(crate) fn names(&self, attr: &str) -> bool {
        match self.name.strip_suffix('*') {
            Some(prefix) => attr.starts_with(prefix),
            None => attr == self.name,
        }
    }
}

/// Where a value being masked comes from, for a custom masking function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MaskTarget<'a> {
    /// A text node under an element with this tag.
    Text {
        /// The parent element's tag.
        parent_tag: &'a str,
    },
    /// An attribute of an element.
    Attribute {
        /// The element's tag.
        tag: &'a str,
        /// The attribute name.
        name: &'a str,
    },
    /// A form control's value.
    InputValue {
        /// The control's tag.
        tag: &'a str,
    },
}

/// A custom masking function: given the target and the original value, returns the
/// replacement, or `None` to use the policy's own masking. It is called only for values
/// the policy decided to mask, so it can never reveal what the policy hides... unless
/// it returns the original, which is the app's explicit choice.
pub type MaskFn = Arc<dyn Fn(MaskTarget<'_>, &str) -> Option<String> + Send + Sync>;

/// The masking policy. Build from a preset and refine with the builder methods.
///
/// ```
/// use session_replay::privacy::Policy;
/// let policy = Policy::private()
///     .unmask(".product-title, h1")?     // opt text back in
///     .allow_input("#search")?           // this field's value may be recorded
///     .block("#payment-iframe")?;
/// # Ok::<(), session_replay::privacy::SelectorError>(())
/// ```
#[derive(Clone)]
pub struct Policy {
    pub(crate) preset: Preset,
    pub(crate) text_masked: bool,
    pub(crate) user_attrs_masked: bool,
    pub(crate) mask_checked: bool,
    pub(crate) hide_lengths: bool,
    pub(crate) url_mode: UrlMode,
    pub(crate) detectors: Detectors,
    pub(crate) vendor_markers: bool,
    pub(crate) mask: Vec<Selector>,
    pub(crate) unmask: Vec<Selector>,
    pub(crate) block: Vec<Selector>,
    pub(crate) ignore: Vec<Selector>,
    pub(crate) allow_input: Vec<Selector>,
    pub(crate) attribute_rules: Vec<AttributeRule>,
    pub(crate) mask_fn: Option<MaskFn>,
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policy")
            .field("preset", &self.preset)
            .field("text_masked", &self.text_masked)
            .field("user_attrs_masked", &self.user_attrs_masked)
            .field("mask_checked", &self.mask_checked)
            .field("hide_lengths", &self.hide_lengths)
            .field("url_mode", &self.url_mode)
            .field("detectors", &self.detectors)
            .field("vendor_markers", &self.vendor_markers)
            .field("mask", &self.mask.len())
            .field("unmask", &self.unmask.len())
            .field("block", &self.block.len())
            .field("ignore", &self.ignore.len())
            .field("allow_input", &self.allow_input.len())
            .field("attribute_rules", &self.attribute_rules.len())
            .field("mask_fn", &self.mask_fn.is_some())
            .finish()
    }
}

impl Policy {
    /// A digest of everything the policy decides by, for checking that saved scrubber
    /// state is restored under the policy it was saved under (its cached decisions
    /// would not hold under another). The mask function counts only as present or
    /// absent: a closure has no identity to compare.
    pub(crate) fn fingerprint(&self) -> [u8; 16] {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        let mut put = |s: &str| {
            h.update((s.len() as u64).to_le_bytes());
            h.update(s.as_bytes());
        };
        put(&format!(
            "{:?}|{}|{}|{}|{}|{:?}|{:?}|{}|{}",
            self.preset,
            self.text_masked,
            self.user_attrs_masked,
            self.mask_checked,
            self.hide_lengths,
            self.url_mode,
            self.detectors,
            self.vendor_markers,
            self.mask_fn.is_some(),
        ));
        for (verb, list) in [
            ("mask", &self.mask),
            ("unmask", &self.unmask),
            ("block", &self.block),
            ("ignore", &self.ignore),
            ("allow_input", &self.allow_input),
        ] {
            put(verb);
            for sel in list {
                put(&sel.to_string());
            }
        }
        for rule in &self.attribute_rules {
            put(&format!("{rule:?}"));
        }
        let d = h.finalize();
        let mut out = [0u8; 16];
        out.copy_from_slice(d.get(..16).unwrap_or(&[0; 16]));
        out
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy::private()
    }
}

impl Policy {
    /// The default: mask everything that can carry user data.
    pub fn private() -> Self {
        Policy {
            preset: Preset::Private,
            text_masked: true,
            user_attrs_masked: true,
            mask_checked: true,
            hide_lengths: false,
            url_mode: UrlMode::StripValues,
            detectors: Detectors::all(),
            vendor_markers: true,
            mask: Vec::new(),
            unmask: Vec::new(),
            block: Vec::new(),
            ignore: Vec::new(),
            allow_input: Vec::new(),
            attribute_rules: Vec::new(),
            mask_fn: None,
        }
    }

    /// Text visible with PII detectors; inputs and user-data attributes masked.
    pub fn balanced() -> Self {
        Policy {
            preset: Preset::Balanced,
            text_masked: false,
            mask_checked: false,
            url_mode: UrlMode::SecretParams,
            ..Policy::private()
        }
    }

    /// Text and attributes visible with PII detectors; inputs masked.
    pub fn relaxed() -> Self {
        Policy {
            preset: Preset::Relaxed,
            user_attrs_masked: false,
            ..Policy::balanced()
        }
    }

    /// The policy of a preset.
    pub fn preset(preset: Preset) -> Self {
        match preset {
            Preset::Private => Policy::private(),
            Preset::Balanced => Policy::balanced(),
            Preset::Relaxed => Policy::relaxed(),
        }
    }

    /// Which preset this policy started from.
    pub fn preset_kind(&self) -> Preset {
        self.preset
    }

    /// Masks the text of matching elements and their subtrees (escalates; an unmask
    /// below cannot undo it).
    pub fn mask(mut self, selector: &str) -> Result<Self, SelectorError> {
        self.mask.push(Selector::parse(selector)?);
        Ok(self)
    }

    /// Opts the text of matching elements and their subtrees back in (under `private`).
    /// It cannot undo a mask or block on the element or above it, and never applies to
    /// input values (see [`Policy::allow_input`]).
    pub fn unmask(mut self, selector: &str) -> Result<Self, SelectorError> {
        self.unmask.push(Selector::parse(selector)?);
        Ok(self)
    }

    /// Blocks matching elements: kept with their size, children and non-layout
    /// attributes dropped.
    pub fn block(mut self, selector: &str) -> Result<Self, SelectorError> {
        self.block.push(Selector::parse(selector)?);
        Ok(self)
    }

    /// Ignores matching elements' input: the element stays, its input events go.
    pub fn ignore(mut self, selector: &str) -> Result<Self, SelectorError> {
        self.ignore.push(Selector::parse(selector)?);
        Ok(self)
    }

    /// Lets the values of matching form fields be recorded. Password fields (ever
    /// `type=password`, or autocomplete `*-password`, `cc-*`, `one-time-code`) stay masked.
    pub fn allow_input(mut self, selector: &str) -> Result<Self, SelectorError> {
        self.allow_input.push(Selector::parse(selector)?);
        Ok(self)
    }

    /// Adds an attribute rule (see [`AttributeRule`]); `selector` may be empty for all
    /// elements.
    pub fn attribute(
        mut self,
        selector: &str,
        name: &str,
        action: AttributeAction,
    ) -> Result<Self, SelectorError> {
        let selector = if selector.trim().is_empty() {
            None
        } else {
            Some(Selector::parse(selector)?)
        };
        self.attribute_rules.push(AttributeRule {
            selector,
            name: name.to_ascii_lowercase(),
            action,
        });
        Ok(self)
    }

    /// Sets a custom masking function (see [`MaskFn`]).
    pub fn with_mask_fn(mut self, f: MaskFn) -> Self {
        self.mask_fn = Some(f);
        self
    }

    /// Whether masked text keeps its length (default [`TextLengths::Kept`], so a
    /// replay keeps its layout) or becomes a fixed `***`.
    pub fn with_text_lengths(mut self, lengths: TextLengths) -> Self {
        self.hide_lengths = lengths == TextLengths::Hidden;
        self
    }

    /// Whether the checked and selected state of radios, checkboxes and options is
    /// recorded or masked.
    pub fn with_checked_state(mut self, state: CheckedState) -> Self {
        self.mask_checked = state == CheckedState::Masked;
        self
    }

    /// Chooses the PII detectors.
    pub fn with_detectors(mut self, d: Detectors) -> Self {
        self.detectors = d;
        self
    }

    /// Whether vendors' privacy markers (`.rr-block`, `data-sentry-mask`, ...) are
    /// honoured (the default) or ignored.
    pub fn with_vendor_markers(mut self, markers: Markers) -> Self {
        self.vendor_markers = markers == Markers::Honoured;
        self
    }
}

/// Whether masked text keeps its length ([`Policy::with_text_lengths`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum TextLengths {
    /// Each masked character becomes `*`: the replay keeps its layout.
    #[default]
    Kept,
    /// Masked text becomes a fixed `***`: not even its length leaves.
    Hidden,
}

/// Whether checked and selected states are recorded ([`Policy::with_checked_state`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CheckedState {
    /// Recorded as they are.
    Recorded,
    /// Masked (always unchecked, unselected).
    Masked,
}

/// Whether vendors' privacy markers are honoured ([`Policy::with_vendor_markers`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Markers {
    /// Honoured: a page instrumented for another replay tool stays as private.
    #[default]
    Honoured,
    /// Ignored: only this policy's own selectors count.
    Ignored,
}

/// The vendor privacy markers honoured by default, so that a page instrumented for any
/// of rrweb, Sentry, PostHog, FullStory, LogRocket/Highlight, Hotjar, Clarity,
/// OpenReplay or Datadog stays safe.
#[cfg(test)]
pub(crate) struct VendorMarkers {
    pub(crate) block: Selector,
    pub(crate) mask: Selector,
    pub(crate) unmask: Selector,
    pub(crate) ignore: Selector,
    pub(crate) mask_input: Selector,
}

/// Vendor markers that block an element (honoured by default).
pub const VENDOR_BLOCK: &str = ".rr-block, .sentry-block, [data-sentry-block], .ph-no-capture, \
    .fs-exclude, .highlight-block, [data-openreplay-hidden], [data-dd-privacy=hidden], .dd-privacy-hidden";
/// Vendor markers that mask an element's text (honoured by default).
pub const VENDOR_MASK: &str = ".rr-mask, .sentry-mask, [data-sentry-mask], .ph-mask, .fs-mask, \
    [data-private], [data-hj-suppress], [data-clarity-mask], [data-openreplay-obscured], \
    [data-dd-privacy=mask], .dd-privacy-mask, .highlight-mask";
/// Vendor markers that unmask text (honoured by default; never inputs).
pub const VENDOR_UNMASK: &str = ".fs-unmask, [data-hj-allow], [data-clarity-unmask], \
    [data-openreplay-unmask], [data-dd-privacy=allow], .dd-privacy-allow, .sentry-unmask, [data-sentry-unmask]";
/// Vendor markers that drop an element's input events (honoured by default).
pub const VENDOR_IGNORE: &str =
    ".rr-ignore, .sentry-ignore, [data-sentry-ignore], .ph-ignore-input, .highlight-ignore";
/// Vendor markers that mask input values (inputs are masked anyway).
pub const VENDOR_MASK_INPUT: &str =
    "[data-dd-privacy=mask-user-input], .dd-privacy-mask-user-input";

#[cfg(test)]
impl VendorMarkers {
    pub(crate) fn new() -> Result<Self, SelectorError> {
        Ok(VendorMarkers {
            block: Selector::parse(VENDOR_BLOCK)?,
            mask: Selector::parse(VENDOR_MASK)?,
            unmask: Selector::parse(VENDOR_UNMASK)?,
            ignore: Selector::parse(VENDOR_IGNORE)?,
            mask_input: Selector::parse(VENDOR_MASK_INPUT)?,
        })
    }
}
