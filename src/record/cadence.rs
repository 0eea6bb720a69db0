//! Keyframe cadence and rate caps: when the recorder owes a full snapshot, and which
//! incremental events a one-second window has room for.
//!
//! A keyframe is owed after `keyframe_interval` or `keyframe_events`, and after a cap
//! overflowed: events dropped by a cap leave the replayed page out of step, and the
//! keyframe at the end of the overflowed second puts it back (the resync).

use bincode::{Decode, Encode};

use super::persist::malformed;
use crate::error::StateError;
use crate::model::*;

/// The rate caps' window: one second, starting at the first event past the last one.
const WINDOW: Millis = Millis::SECOND;

/// The cadence and caps state.
#[derive(Debug)]
pub(super) struct Cadence {
    keyframe_interval: Millis,
    keyframe_events: EventCount,
    max_events: EventCount,
    max_bytes: usize,
    last_keyframe: Option<Timestamp>,
    /// Events handed out since the last keyframe (the keyframe itself included).
    events_since_keyframe: usize,
    /// When the last of those events happened: the count trigger is due from then.
    last_counted: Timestamp,
    /// The current window's start. `i64::MIN` at first, so the first event opens one.
    window_start: Timestamp,
    window_events: usize,
    window_bytes: usize,
    /// A cap dropped an event in the current window: a resync keyframe is owed when
    /// the window ends.
    overflowed: bool,
    /// Events dropped by a cap.
    capped: u64,
}

// The small checks are `#[inline]`: every event handed out goes through them.
impl Cadence {
    pub(super) fn new(
        keyframe_interval: Millis,
        keyframe_events: EventCount,
        max_events: EventCount,
        max_bytes: usize,
    ) -> Self {
        Cadence {
            keyframe_interval,
            keyframe_events,
            max_events,
            max_bytes,
            last_keyframe: None,
            events_since_keyframe: 0,
            last_counted: Timestamp(i64::MIN),
            window_start: Timestamp(i64::MIN),
            window_events: 0,
            window_bytes: 0,
            overflowed: false,
            capped: 0,
        }
    }

    /// Events dropped by a cap so far.
    pub(super) fn capped(&self) -> u64 {
        self.capped
    }

    /// A keyframe was taken at `now`: the cadence starts over.
    pub(super) fn keyframe_taken(&mut self, now: Timestamp) {
        self.last_keyframe = Some(now);
        self.events_since_keyframe = 0;
    }

    /// Events counted since the last keyframe.
    pub(super) fn since_keyframe(&self) -> usize {
        self.events_since_keyframe
    }

    /// Takes back what was counted beyond `count` since the last keyframe: the events
    /// that restate the page after a keyframe are part of it, not activity since.
    pub(super) fn uncount_to(&mut self, count: usize) {
        self.events_since_keyframe = self.events_since_keyframe.min(count);
    }

    /// An event at `t` was handed out.
    #[inline]
    pub(super) fn counted(&mut self, t: Timestamp) {
        // Saturating: a restored state may start near the top.
        self.events_since_keyframe = self.events_since_keyframe.saturating_add(1);
        self.last_counted = t;
    }

    /// When the cadence next owes a keyframe: `interval` after the last one, or as soon
    /// as the count is reached (from the last counted event on).
    fn keyframe_deadline(&self) -> Option<Timestamp> {
        let by_time = self
            .last_keyframe
            .map(|k| k.saturating_add(self.keyframe_interval));
        if self.events_since_keyframe >= self.keyframe_events.0 {
            return Some(by_time.map_or(self.last_counted, |t| t.min(self.last_counted)));
        }
        by_time
    }

    /// Whether the cadence owes a keyframe at `now`.
    #[inline]
    pub(super) fn keyframe_due(&self, now: Timestamp) -> bool {
        self.events_since_keyframe >= self.keyframe_events.0
            || self
                .last_keyframe
                .is_some_and(|k| now.since(k) >= self.keyframe_interval)
    }

    /// Starts a new window at `t` when `t` is past the current one. Returns whether a
    /// resync keyframe is owed (the window that ended overflowed).
    #[inline]
    pub(super) fn open_window(&mut self, t: Timestamp) -> bool {
        t.since(self.window_start) >= WINDOW && self.restart_window(t)
    }

    /// Ends an overflowed window once its second is over, without waiting for the next
    /// event. Returns whether a resync keyframe is owed (it is when it ends).
    pub(super) fn end_overflowed_window(&mut self, now: Timestamp) -> bool {
        self.overflowed && now.since(self.window_start) >= WINDOW && self.restart_window(now)
    }

    fn restart_window(&mut self, t: Timestamp) -> bool {
        self.window_start = t;
        self.window_events = 0;
        self.window_bytes = 0;
        std::mem::replace(&mut self.overflowed, false)
    }

    /// Whether an incremental event fits in the window's caps; counts it either way,
    /// and counts it as dropped when it does not fit.
    #[inline]
    pub(super) fn admit(&mut self, e: &Event) -> bool {
        self.window_events = self.window_events.saturating_add(1);
        self.window_bytes = self.window_bytes.saturating_add(approx_size(e));
        if self.window_events > self.max_events.0 || self.window_bytes > self.max_bytes {
            self.overflowed = true;
            self.capped = self.capped.saturating_add(1);
            return false;
        }
        true
    }

    /// The earliest time a tick has work here: a keyframe owed by the cadence (only
    /// when there is a tree to take one of), or the end of an overflowed window.
    pub(super) fn deadline(&self, has_tree: bool) -> Option<Timestamp> {
        // Without a tree a tick cannot take a keyframe, so none is due.
        let keyframe = if has_tree {
            // A keyframe interval of 0, or a count of 1 (a keyframe counts itself), would
            // make every tick owe one: ask for the next tick a millisecond after the last
            // keyframe rather than at its time again and again.
            self.keyframe_deadline().map(|d| match self.last_keyframe {
                Some(k) => d.max(k.saturating_add(Millis(1))),
                None => d,
            })
        } else {
            None
        };
        let resync = self
            .overflowed
            .then(|| self.window_start.saturating_add(WINDOW));
        match (keyframe, resync) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// The cadence as saved: its settings, where the keyframe count and the caps' window
/// stand, and the count of capped events.
#[derive(Encode, Decode)]
pub(super) struct SavedCadence {
    keyframe_interval: i64,
    keyframe_events: u64,
    max_events: u64,
    max_bytes: u64,
    last_keyframe: Option<i64>,
    events_since_keyframe: u64,
    last_counted: i64,
    window_start: i64,
    window_events: u64,
    window_bytes: u64,
    overflowed: bool,
    capped: u64,
}

/// A saved count as a `usize` (one saved on a 64-bit host may not fit a 32-bit one).
fn count(v: u64) -> Result<usize, StateError> {
    usize::try_from(v).map_err(|_| malformed("a count does not fit this platform"))
}

impl Cadence {
    pub(super) fn save(&self) -> SavedCadence {
        SavedCadence {
            keyframe_interval: self.keyframe_interval.0,
            keyframe_events: self.keyframe_events.0 as u64,
            max_events: self.max_events.0 as u64,
            max_bytes: self.max_bytes as u64,
            last_keyframe: self.last_keyframe.map(|t| t.0),
            events_since_keyframe: self.events_since_keyframe as u64,
            last_counted: self.last_counted.0,
            window_start: self.window_start.0,
            window_events: self.window_events as u64,
            window_bytes: self.window_bytes as u64,
            overflowed: self.overflowed,
            capped: self.capped,
        }
    }

    /// A cadence from its saved form. Any values are ones the live cadence copes with
    /// (its time arithmetic and counters saturate), so only their size is checked.
    pub(super) fn restore(s: SavedCadence) -> Result<Cadence, StateError> {
        Ok(Cadence {
            keyframe_interval: Millis(s.keyframe_interval),
            keyframe_events: EventCount(count(s.keyframe_events)?),
            max_events: EventCount(count(s.max_events)?),
            max_bytes: count(s.max_bytes)?,
            last_keyframe: s.last_keyframe.map(Timestamp),
            events_since_keyframe: count(s.events_since_keyframe)?,
            last_counted: Timestamp(s.last_counted),
            window_start: Timestamp(s.window_start),
            window_events: count(s.window_events)?,
            window_bytes: count(s.window_bytes)?,
            overflowed: s.overflowed,
            capped: s.capped,
        })
    }
}

/// A cheap estimate of an event's size in bytes, for the byte-rate cap.
fn approx_size(e: &Event) -> usize {
    match &e.kind {
        EventKind::Incremental(Incremental::Mutation(m)) => {
            let nodes: usize = m
                .adds
                .iter()
                .flat_map(|a| a.node.iter())
                .map(|n| {
                    32 + match &n.kind {
                        NodeKind::Element {
                            tag, attributes, ..
                        } => {
                            tag.len() + attributes.iter().map(|a| a.name.len() + 16).sum::<usize>()
                        }
                        NodeKind::Text { text, .. } | NodeKind::Comment { text } => text.len(),
                        _ => 0,
                    }
                })
                .sum();
            let texts: usize = m
                .texts
                .iter()
                .map(|t| 16 + t.value.as_ref().map_or(0, String::len))
                .sum();
            64 + nodes + texts + m.removes.len() * 24 + m.attributes.len() * 48
        }
        EventKind::Incremental(Incremental::Input(i)) => 64 + i.text.len(),
        EventKind::Incremental(Incremental::Moves(m)) => 48 + m.positions.len() * 40,
        _ => 96,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restored_counters_at_the_top_saturate() {
        let mut c = Cadence::new(Millis(1_000), EventCount(10), EventCount(5), 100);
        c.keyframe_taken(Timestamp(0));
        let mut s = c.save();
        s.events_since_keyframe = u64::MAX >> 1;
        s.window_events = u64::MAX >> 1;
        s.window_start = i64::MIN;
        s.capped = u64::MAX;
        let Ok(mut c) = Cadence::restore(s) else {
            return; // a 32-bit target refuses the counts instead
        };
        let e = Event {
            timestamp: Timestamp(1),
            kind: EventKind::Custom(Tagged {
                name: "x".into(),
                payload: Json::Null,
                extra: Vec::new(),
            }),
            extra: Vec::new(),
        };
        for _ in 0..3 {
            c.counted(Timestamp(1));
            assert!(!c.admit(&e));
        }
        assert_eq!(c.capped(), u64::MAX);
        assert!(c.keyframe_due(Timestamp(1)));
    }
}
