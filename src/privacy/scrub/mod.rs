//! The scrubber: applies a [`Policy`] to a stream of events, keeping per-node masking
//! state across mutations. The same engine serves the recorder and the server.
//!
//! Parts: `engine` (the node mirror, node privacy and the masking decisions, behind a
//! narrow interface), `report` (the [`ScrubReport`] and its keys), and two front ends
//! over the engine: `typed` ([`Scrubber::scrub_event`] over the model) and `stream`
//! ([`Scrubber::scrub_json_batch`] and [`scrub_rrweb_json`], rrweb JSON bytes to bytes
//! without building the model).

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

/// Applies a policy to events one at a time, keeping the per-node state: one scrubber
/// per session, fed the session's events in order, on the model
/// ([`Scrubber::scrub_event`]) or as batches of rrweb JSON
/// ([`Scrubber::scrub_json_batch`]).
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
    /// The streaming path's scratch buffers, reused from batch to batch (no state: see
    /// `stream::Buffers`).
    buffers: stream::Buffers,
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
            buffers: stream::Buffers::default(),
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

    /// Scrubs a session's next batch of rrweb JSON (a JSON array of events, as an ingest
    /// server receives them) on the streaming path of [`scrub_rrweb_json`], going on
    /// from the state the earlier batches left: the nodes they added, blocked, masked
    /// or unmasked govern this batch as they would in one whole stream. Appends one JSON
    /// array, the batch's kept events, to `out`; the report accumulates in the scrubber
    /// ([`Scrubber::report`], [`Scrubber::take_report`]).
    ///
    /// Batches must be the session's events in order, each event in exactly one batch.
    /// Then the batches' outputs, their events joined with commas, are byte for byte the
    /// output of [`scrub_rrweb_json`] over the whole stream, and the report is its
    /// report. `limits` apply to each batch (`input_bytes` is the size of one batch; no
    /// limit counts across batches, nor across events in one call).
    ///
    /// **Errors.** A batch that is not valid rrweb JSON gives the reader's error
    /// ([`crate::rrweb::Reader::read`]), positions and event index counted within the
    /// batch. The valid part is kept: `out` still gets a valid JSON array, holding the
    /// scrubbed events that came before the error, and the scrubber's state and report
    /// include exactly those events (none after the error, none twice). The session can
    /// go on with the next batch.
    ///
    /// ```
    /// use session_replay::{Limits, privacy::{Policy, Scrubber, scrub_rrweb_json}};
    /// let snapshot = br#"[{"type":2,"data":{"node":{"type":0,"childNodes":[{"type":2,"tagName":"ul","attributes":{"class":"secret"},"childNodes":[],"id":2}],"id":1},"initialOffset":{"left":0,"top":0}},"timestamp":1}]"#;
    /// let later = br#"[{"type":3,"data":{"source":0,"texts":[],"attributes":[],"removes":[],"adds":[{"parentId":2,"nextId":null,"node":{"type":3,"textContent":"card 4111","id":3}}]},"timestamp":2}]"#;
    /// let policy = Policy::relaxed().block(".secret")?;
    /// let mut session = Scrubber::new(policy.clone());
    /// let (mut first, mut second) = (Vec::new(), Vec::new());
    /// session.scrub_json_batch(snapshot, &Limits::default(), &mut first)?;
    /// session.scrub_json_batch(later, &Limits::default(), &mut second)?;
    /// // The list was blocked in the first batch: what the second adds under it is dropped.
    /// assert!(!String::from_utf8_lossy(&second).contains("card"));
    /// // A fresh scrubber per batch forgets it.
    /// let (alone, _) = scrub_rrweb_json(later, &policy, &Limits::default())?;
    /// assert!(String::from_utf8_lossy(&alone).contains("card"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn scrub_json_batch(
        &mut self,
        batch: &[u8],
        limits: &crate::Limits,
        out: &mut Vec<u8>,
    ) -> Result<(), RrwebError> {
        stream::scrub_json_array(self, batch, limits, out)
    }

    /// The privacy state of a node, if known.
    pub fn node_privacy(&self, id: NodeId) -> Option<NodePrivacy> {
        self.engine.node_privacy(id)
    }

    /// Whether the next full snapshot is a keyframe of the page already seen, its
    /// nodes under the ids they had (the recorder's keyframes): then each node keeps
    /// what its privacy escalated to before it (a password once, a mask class since
    /// taken away), as it does between snapshots. Off for anything else (rrweb's ids
    /// start again on every page load). The recorder sets it around its own
    /// snapshots, whose ids never repeat.
    pub(crate) fn carry_privacy(&mut self, on: bool) {
        self.engine.carry_privacy(on);
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
            buffers: stream::Buffers::default(),
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

/// Scrubs a whole rrweb JSON stream end to end: bytes in, bytes out, within `limits`
/// (what the reader enforces on untrusted input: input size, string length, nesting,
/// node count).
///
/// Streaming: events are scanned in place and every byte the policy does not change is
/// copied as it was (formatting included); only masked values are re-written. The
/// result is the same JSON (semantically) and the same report as [`crate::rrweb::read`],
/// [`scrub`] and [`crate::rrweb::write_events`], several times faster. Invalid input is
/// the same error the reader gives (use [`crate::rrweb::Reader::read_recovering`] and
/// [`scrub`] to keep the valid part, or [`Scrubber::scrub_json_batch`], which keeps the
/// events before the error).
///
/// **A whole stream per call.** Each call starts a fresh [`Scrubber`], which knows
/// nothing of earlier calls. Masking depends on what came before (an element blocked or
/// unmasked by a selector in an earlier batch still governs the nodes added under it
/// later), so a session that arrives in batches must not be scrubbed batch by batch
/// here: keep one [`Scrubber`] for the session and pass each batch to
/// [`Scrubber::scrub_json_batch`], the same streaming path, which carries that state
/// from batch to batch. This function is that method over one batch with a fresh
/// scrubber.
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
    let mut s = Scrubber::new(policy.clone());
    let mut out = Vec::new();
    s.scrub_json_batch(input, limits, &mut out)?;
    Ok((out, s.take_report()))
}
