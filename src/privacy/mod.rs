//! Masking: private by default, at record time and over stored streams.
//!
//! This module owns the [`Policy`] (presets `private`, `balanced`, `relaxed`, selector
//! rules for mask, unmask, block, ignore and input allow-listing, attribute rules, a
//! custom masking function), the in-house [`Selector`] engine, the vendor privacy markers
//! honoured by default, the PII [`detect`]ors, URL scrubbing, [`ConsentGate`], and the
//! [`Scrubber`] that applies a policy event by event while keeping each node's masking
//! state across mutations. [`scrub`] runs it over a recorded stream; the recorder runs
//! the same engine as events are made. Reports count what was masked, never the values.

mod consent;
pub mod detect;
mod policy;
mod scrub;
mod selector;
mod url;

pub use consent::{Consent, ConsentGate, PrivacySignal};
pub use detect::{Detectors, Finding, PiiKind};
pub use policy::{
    AttributeAction, AttributeRule, CheckedState, Markers, MaskFn, MaskTarget, Policy, Preset,
    TextLengths, VENDOR_BLOCK, VENDOR_IGNORE, VENDOR_MASK, VENDOR_MASK_INPUT, VENDOR_UNMASK,
};
pub use scrub::{
    AttributePlace, MASKED_INPUT, NodePrivacy, ScrubAction, ScrubPlace, ScrubReport, Scrubber,
    scrub, scrub_rrweb_json,
};
pub use selector::{MAX_ANCESTORS, MAX_SELECTOR_LEN, Selector, SelectorElement, SelectorError};
pub use url::{UrlMode, secret_name};
