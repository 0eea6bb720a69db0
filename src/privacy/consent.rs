//! Consent: recording happens only with it, and stops the moment it is withdrawn.

use std::collections::VecDeque;

use bincode::{Decode, Encode};

use crate::error::StateError;
use crate::limits::Limits;
use crate::model::Event;
use crate::persist::{self, StateKind};

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
        // Saturating: a restored state may start near the top.
        self.dropped = self.dropped.saturating_add(self.pending.len() as u64);
        self.pending.clear();
    }

    /// Whether an item may be recorded now; when not, it counts as dropped. For a
    /// producer that works on an item (masks it, encodes it) between deciding to record
    /// it and [`push`](ConsentGate::push)ing it: the work is skipped without consent.
    pub fn admit(&mut self) -> bool {
        let allowed = self.allows_recording();
        if !allowed {
            self.dropped = self.dropped.saturating_add(1);
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

/// A recorder's consent gate as saved (inside the recorder's state): the consent, the
/// privacy signal, the masked events waiting for the host, and the dropped count.
#[derive(Encode, Decode)]
pub(crate) struct SavedGate {
    consent: u8,
    gpc: bool,
    /// The waiting events, in the binary format (`persist::events_to_bytes`).
    pending: Vec<u8>,
    dropped: u64,
}

/// Saving is for the recorder's gate only (of events), not for any `T`: the waiting
/// items are saved in the events' own bounded, validated format, and a closure
/// parameter for other item types would have no caller.
impl ConsentGate<Event> {
    /// The saved form. Takes `&mut self` only to lay the queue out in one slice for
    /// encoding (no copy of the events).
    pub(crate) fn save(&mut self) -> SavedGate {
        SavedGate {
            consent: match self.consent {
                Consent::None => 0,
                Consent::Granted => 1,
                Consent::Withdrawn => 2,
            },
            gpc: self.gpc,
            pending: persist::events_to_bytes(self.pending.make_contiguous()),
            dropped: self.dropped,
        }
    }

    /// A gate from its saved form, checked: consent is never granted under Global
    /// Privacy Control, and events wait only while it is granted (none before it, and
    /// withdrawal drops them). The events are read within `limits`.
    pub(crate) fn restore(s: SavedGate, limits: &Limits) -> Result<Self, StateError> {
        let malformed = |reason| persist::malformed(StateKind::Recorder.name(), reason);
        let consent = match s.consent {
            0 => Consent::None,
            1 => Consent::Granted,
            2 => Consent::Withdrawn,
            _ => return Err(malformed("unknown consent state")),
        };
        if s.gpc && consent == Consent::Granted {
            return Err(malformed("consent granted under Global Privacy Control"));
        }
        let pending = persist::events_from_bytes(StateKind::Recorder, &s.pending, limits)?;
        if consent != Consent::Granted && !pending.is_empty() {
            return Err(malformed("events wait without consent"));
        }
        Ok(ConsentGate {
            consent,
            gpc: s.gpc,
            pending: pending.into(),
            dropped: s.dropped,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> Event {
        crate::rrweb::read(
            br#"[{"type":4,"data":{"href":"https://a.test/","width":8,"height":6},"timestamp":1}]"#,
            &Limits::DEFAULT,
        )
        .unwrap()
        .remove(0)
    }

    fn round_trip(g: &mut ConsentGate<Event>) -> ConsentGate<Event> {
        ConsentGate::restore(g.save(), &Limits::DEFAULT).unwrap()
    }

    #[test]
    fn every_consent_state_round_trips() {
        let mut none = ConsentGate::new(PrivacySignal::Absent);
        none.push(event());
        let mut granted = ConsentGate::new(PrivacySignal::Absent);
        granted.grant();
        granted.push(event());
        granted.push(event());
        let mut withdrawn = granted.clone();
        withdrawn.withdraw();
        let mut gpc = ConsentGate::new(PrivacySignal::GlobalPrivacyControl);
        gpc.grant();
        gpc.push(event());
        for g in [&mut none, &mut granted, &mut withdrawn, &mut gpc] {
            let mut back = round_trip(g);
            assert_eq!(back.consent(), g.consent());
            assert_eq!(back.dropped(), g.dropped());
            assert_eq!(back.take(), g.take());
            assert_eq!(back.grant(), g.grant());
        }
        assert_eq!(granted.consent(), Consent::Granted);
    }

    fn reason(s: SavedGate) -> &'static str {
        match ConsentGate::restore(s, &Limits::DEFAULT) {
            Err(StateError::Malformed { reason, .. }) => reason,
            other => panic!("{:?}", other.map(|g| g.consent())),
        }
    }

    #[test]
    fn states_the_gate_never_holds_are_refused() {
        let mut g = ConsentGate::new(PrivacySignal::Absent);
        g.grant();
        g.push(event());
        let mut s = g.save();
        s.consent = 3;
        assert_eq!(reason(s), "unknown consent state");
        let mut s = g.save();
        s.gpc = true;
        assert_eq!(reason(s), "consent granted under Global Privacy Control");
        let mut s = g.save();
        s.consent = 2;
        assert_eq!(reason(s), "events wait without consent");
        let mut s = g.save();
        s.pending.truncate(s.pending.len() - 1);
        assert_eq!(reason(s), "saved events do not decode");
    }
}
