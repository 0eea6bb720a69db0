//! Keyframe cadence and rate caps: when the recorder owes a full snapshot, and which
//! incremental events a one-second window has room for.
//!
//! A keyframe is owed after `keyframe_interval` or `keyframe_events`, and after a cap
//! overflowed: events dropped by a cap leave the replayed page out of step, and the
//! keyframe at the end of the overflowed second puts it back (the resync).

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

    /// An event at `t` was handed out.
    #[inline]
    pub(super) fn counted(&mut self, t: Timestamp) {
        self.events_since_keyframe += 1;
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
        self.window_events += 1;
        self.window_bytes = self.window_bytes.saturating_add(approx_size(e));
        if self.window_events > self.max_events.0 || self.window_bytes > self.max_bytes {
            self.overflowed = true;
            self.capped += 1;
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
