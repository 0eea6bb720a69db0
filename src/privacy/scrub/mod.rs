//! The scrubber: applies a [`Policy`] to a stream of events, keeping per-node masking
//! state across mutations. The same engine serves the recorder and the server.
//!
//! Parts: `engine` (the node mirror, node privacy and the masking decisions, behind a
//! narrow interface), `report` (the [`ScrubReport`] and its keys), and two front ends
//! over the engine: `typed` ([`Scrubber::scrub_event`] over the model) and `stream`
//! ([`scrub_rrweb_json`], rrweb JSON bytes to bytes without building the model).

mod engine;
mod report;
mod stream;
mod typed;

pub use report::{AttributePlace, ScrubAction, ScrubPlace, ScrubReport};

use crate::error::{RrwebError, StateError};
use crate::limits::Limits;
use crate::model::{Event, NodeId};
use crate::privacy::policy::Policy;
use engine::Engine;

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

/// The masked form of an input value: fixed, so that its length is not revealed.
pub const MASKED_INPUT: &str = "*****";

/// Applies a policy to events one at a time, keeping the per-node state.
///
/// ```
/// use session_replay::{rrweb, privacy::{Policy, Scrubber}, Limits};
/// let events = rrweb::read(br#"[{"type":3,"data":{"source":5,"text":"hunter2","isChecked":false,"id":9},"timestamp":1}]"#, &Limits::DEFAULT)?;
/// let mut s = Scrubber::new(Policy::private());
/// let out: Vec<_> = events.into_iter().filter_map(|e| s.scrub_event(e)).collect();
/// assert!(!rrweb::write_string(&out).contains("hunter2"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Scrubber {
    /// Every decision and count goes through the engine; this type adds the public API
    /// and the typed front end (`typed`).
    engine: Engine,
}

impl std::fmt::Debug for Scrubber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.engine.fmt(f)
    }
}

impl Scrubber {
    /// A scrubber for `policy`.
    pub fn new(policy: Policy) -> Self {
        Scrubber {
            engine: Engine::new(policy),
        }
    }

    /// The policy.
    pub fn policy(&self) -> &Policy {
        self.engine.policy()
    }

    /// What has been scrubbed so far.
    pub fn report(&self) -> &ScrubReport {
        self.engine.report()
    }

    /// Takes the report, leaving an empty one.
    pub fn take_report(&mut self) -> ScrubReport {
        self.engine.take_report()
    }

    /// The privacy state of a node, if known.
    pub fn node_privacy(&self, id: NodeId) -> Option<NodePrivacy> {
        self.engine.node_privacy(id)
    }

    /// The session's scrubbing state as bytes, for another worker or a later process
    /// to continue from with [`Scrubber::restore_state`]: every node the scrubber knows
    /// with its masking state, and the report so far: 35 to 55 bytes per live node on
    /// the corpus (see `BENCHMARKS.md`). The policy is not in it (a policy may hold a
    /// closure): the restoring side supplies it, and a digest checks it is the same.
    pub fn save_state(&self) -> Vec<u8> {
        self.engine.save()
    }

    /// A scrubber that continues exactly where the one that saved `bytes` stopped,
    /// under `policy`, which must be the policy it was saved under
    /// ([`StateError::PolicyMismatch`] if not: its masking decisions would not hold).
    /// `bytes` are untrusted: they are checked (envelope, checksum, lengths) and bounded
    /// by `limits` (`input_bytes` for their size, `nodes` for the mirror).
    pub fn restore_state(
        policy: Policy,
        bytes: &[u8],
        limits: &Limits,
    ) -> Result<Scrubber, StateError> {
        Ok(Scrubber {
            engine: Engine::restore(policy, bytes, limits)?,
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
/// **A whole stream per call.** Each call starts a fresh [`Scrubber`], which knows
/// nothing of earlier calls. Masking depends on what came before (an element blocked or
/// unmasked by a selector in an earlier batch still governs the nodes added under it
/// later), so a session that arrives in batches must not be scrubbed batch by batch
/// here: keep one [`Scrubber`] for the session and pass each event through
/// [`Scrubber::scrub_event`], which carries that state from batch to batch.
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
    stream::scrub_json_stream(input, policy, limits)
}
