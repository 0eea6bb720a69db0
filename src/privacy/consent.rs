//! Consent: recording happens only with it, and stops the moment it is withdrawn.

use std::collections::VecDeque;

/// The user's consent to being recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Consent {
    /// Not given (the start, and what Global Privacy Control means).
    #[default]
    None,
    /// Given.
    Granted,
    /// Given, then taken back: recording stops for good.
    Withdrawn,
}

/// Whether the visitor's browser sent a privacy signal that forbids recording
/// (`navigator.globalPrivacyControl`, the `Sec-GPC` header).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum PrivacySignal {
    /// No signal: consent can be granted.
    #[default]
    Absent,
    /// Global Privacy Control is on: consent can never be granted.
    GlobalPrivacyControl,
}

/// Gates recorded events on consent. Events wait in the gate until the host takes them
/// ([`ConsentGate::take`], or one at a time with [`ConsentGate::poll`]); withdrawal
/// drops everything not yet handed out and every event after it.
///
/// ```
/// use session_replay::privacy::{ConsentGate, PrivacySignal};
/// let mut gate: ConsentGate<&str> = ConsentGate::new(PrivacySignal::Absent);
/// assert!(!gate.push("before consent"));      // dropped: no consent yet
/// gate.grant();
/// assert!(gate.push("a"));
/// assert_eq!(gate.take(), vec!["a"]);         // handed out
/// gate.push("b");
/// gate.withdraw();                            // "b" was never handed out: gone
/// assert!(gate.take().is_empty());
/// assert!(!gate.push("c"));
/// ```
#[derive(Debug, Clone)]
pub struct ConsentGate<T> {
    consent: Consent,
    gpc: bool,
    pending: VecDeque<T>,
    dropped: u64,
}

impl<T> ConsentGate<T> {
    /// A gate with no consent yet. Under [`PrivacySignal::GlobalPrivacyControl`],
    /// consent cannot be granted.
    pub fn new(signal: PrivacySignal) -> Self {
        ConsentGate {
            consent: Consent::None,
            gpc: signal == PrivacySignal::GlobalPrivacyControl,
            pending: VecDeque::new(),
            dropped: 0,
        }
    }

    /// The consent state.
    pub fn consent(&self) -> Consent {
        self.consent
    }

    /// Whether recording is allowed now.
    pub fn allows_recording(&self) -> bool {
        self.consent == Consent::Granted
    }

    /// Grants consent, unless Global Privacy Control is on or consent was withdrawn
    /// (a new session needs a new gate). Returns whether recording is now allowed.
    pub fn grant(&mut self) -> bool {
        if !self.gpc && self.consent == Consent::None {
            self.consent = Consent::Granted;
        }
        self.allows_recording()
    }

    /// Withdraws consent: everything not handed out is dropped, and recording stops.
    pub fn withdraw(&mut self) {
        self.consent = Consent::Withdrawn;
        self.dropped += self.pending.len() as u64;
        self.pending.clear();
    }

    /// Whether an item may be recorded now; when not, it counts as dropped. For a
    /// producer that works on an item (masks it, encodes it) between deciding to record
    /// it and [`push`](ConsentGate::push)ing it: the work is skipped without consent.
    pub fn admit(&mut self) -> bool {
        let allowed = self.allows_recording();
        if !allowed {
            self.dropped += 1;
        }
        allowed
    }

    /// Offers an item; returns whether it was kept.
    pub fn push(&mut self, item: T) -> bool {
        let kept = self.admit();
        if kept {
            self.pending.push_back(item);
        }
        kept
    }

    /// Hands out what is waiting.
    pub fn take(&mut self) -> Vec<T> {
        // Reuses the queue's buffer (no copy when it has not wrapped around).
        Vec::from(std::mem::take(&mut self.pending))
    }

    /// Hands out the oldest waiting item, if any.
    pub fn poll(&mut self) -> Option<T> {
        self.pending.pop_front()
    }

    /// How many items wait to be handed out.
    pub fn waiting(&self) -> usize {
        self.pending.len()
    }

    /// How many items were refused or dropped.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}
