//! Masking: private by default, at record time and over stored streams.
//!
//! This module owns the [`Policy`] (presets `private`, `balanced`, `relaxed`, selector
//! rules for mask, unmask, block, ignore and input allow-listing, attribute rules, a
//! custom masking function), the in-house [`Selector`] engine, the vendor privacy markers
//! honoured by default, the PII [`detect`]ors, URL scrubbing, [`ConsentGate`], and the
//! [`Scrubber`] that applies a policy event by event while keeping each node's masking
//! state across mutations. [`scrub`] runs it over a recorded stream; the recorder runs
//! the same engine as events are made. Reports count what was masked, never the values.
//!
//! ## Guide
//!
//! | preset | text | user-data attributes (title, alt, placeholder, aria-*, data-*, ...) | URLs (href, src, srcset, action, CSS `url()`, Meta href) | input values | checked / selected |
//! | --- | --- | --- | --- | --- | --- |
//! | `private` (default) | masked, layout kept | masked | query values and fragment masked | masked, fixed `*****` (no length) | masked |
//! | `balanced` | visible, PII detected and masked | masked | secret-named params masked, PII detected | masked | visible |
//! | `relaxed` | visible, PII detected | visible, PII detected | secret-named params masked, PII detected | masked | visible |
//!
//! - **Under every preset** passwords can never be unmasked (ever `type=password`, even
//!   after a toggle to text; autocomplete `*-password`, `cc-*`, `one-time-code`); vendor
//!   markers of rrweb, Sentry, PostHog, FullStory, Highlight/LogRocket (`data-private`),
//!   Hotjar, Clarity, OpenReplay and Datadog are honoured ([`Markers`]); blocked elements
//!   keep their size (`rr_width`, `rr_height`) and lose children and other attributes;
//!   ignored elements lose their input events; levels only escalate down the tree and over
//!   a node's life, and nodes added or moved later inherit.
//! - **Detectors** (checksummed where possible), each in every way people write it
//!   (spaces, dashes, dots, the Unicode spaces and dashes pages emit; never across a line
//!   break): payment cards (Luhn + issuer prefix, usual groupings), IBAN (any case,
//!   country length + mod 97), US SSN (area/group/serial rules), email (also
//!   percent-encoded), phone (E.164, `00`, NANP, national trunk-0 formats), IPv4/IPv6
//!   (also with a port; not versions and section numbers), dates of birth (after a birth
//!   keyword), JWT, Bearer, vendor API keys (AWS, Stripe, GitHub, GitLab, Slack, Google,
//!   OpenAI, Anthropic, npm, PyPI, SendGrid, Twilio, Mailgun, Shopify, DigitalOcean,
//!   Hugging Face, Square), PEM private keys, high-entropy attribute values, secret URL
//!   parameters. Ambiguous numbers (a date, nine or ten bare digits) count only after a
//!   keyword in the text, or with the [`detect::Context`] a caller passes to
//!   [`detect::find_with`]. Overlapping findings merge into one, named by the most
//!   specific detector (a JWT sent as a Bearer token is a JWT). The scrubber passes
//!   what the page around the value says (the field's `name`, `id` or `autocomplete`,
//!   an ancestor's `class` or `itemprop`, the label or text just before it, a table
//!   cell's column header), so `<dt>Date of birth</dt><dd>12/03/1985</dd>` is masked and
//!   `Order placed 12/03/2024` is not.
//! - **Secrets split across text nodes** (`<span>123</span> <span>45</span>
//!   <span>6789</span>`): the scrubber also runs the detectors on the text of each inline
//!   run (text nodes in a row through `span`, `b`, `a` and other phrasing elements,
//!   joined as the browser shows them) and masks each node's part of a finding that
//!   spans nodes, in the event that completes it and, for nodes handed out earlier, with
//!   text changes. Runs end at block elements, `br`, form and replaced elements, and
//!   masked or blocked elements: table cells, list items and separate fields are
//!   separate values. Counted at [`ScrubPlace::SplitText`].
//! - **Three ways in.** The [`Recorder`](crate::record::Recorder) masks as it records;
//!   [`scrub`] masks a stream in the model; [`scrub_rrweb_json`] masks rrweb JSON bytes to
//!   bytes without building the model (it scans each event in place, copies every
//!   untouched byte span and rewrites only what changes; anything its scanner does not
//!   know for certain goes through the typed path with the same scrubber, so the output
//!   is the same either way, which differential tests and a fuzz target check). A
//!   [`Scrubber`] kept across calls carries each node's masking state from batch to
//!   batch: a server that gets a session in batches of rrweb JSON keeps one per session
//!   and feeds it each batch ([`Scrubber::scrub_json_batch`], the same streaming path;
//!   [`Scrubber::scrub_event`] on the model).
//! - **Reports** ([`ScrubReport`]) count by [`ScrubAction`] and [`ScrubPlace`], never
//!   values. **Consent** ([`ConsentGate`]) holds events until handed out; Global Privacy
//!   Control ([`PrivacySignal`]) means no consent; withdrawal drops what was not handed out.
//!
//! ## Where things are
//!
//! `policy.rs` (presets and rules), `selector.rs` (CSS selectors over the recording's DOM),
//! `detect/` (PII, one file per detector family), `url.rs` (URL and CSS scrubbing),
//! `consent.rs`, and `scrub/`: the [`Scrubber`] holds an engine (`scrub/engine/`: the
//! node mirror, node privacy, the masking decisions, the page context of ambiguous
//! numbers, secrets split across text nodes) that two front ends use through a
//! narrow interface: the typed walk (`scrub/typed.rs`) and the streaming JSON path
//! (`scrub/stream/`).

mod consent;
pub mod detect;
mod policy;
mod scrub;
mod selector;
mod url;

pub(crate) use consent::SavedGate;
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
