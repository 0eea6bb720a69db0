//! Seeking: a keyframe index over the recording so that any seek applies a bounded
//! number of events.

use super::state::State;
use crate::error::ReplayError;
use crate::limits::Limits;
use crate::model::{Event, EventCount, EventKind, Incremental, Millis, Timestamp};

/// What replay does with something in a recording it cannot apply as recorded (a node
/// that is not there, an add whose parent never came, a limit reached).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ReplayMode {
    /// Skip it, count it in [`crate::replay::Diagnostics`] and go on, as rrweb's
    /// player does: real recordings have such gaps.
    #[default]
    Lenient,
    /// Stop at the first one with a [`ReplayError`] naming the event and the node.
    Strict,
}

/// How a [`Replayer`] is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReplayConfig {
    /// Resource limits (nodes in the DOM, adds waiting for a parent).
    pub limits: Limits,
    /// Keep a keyframe at least every this many events. Default 256.
    pub keyframe_events: EventCount,
    /// Keep a keyframe at least every this long of recording. Default 10 s.
    pub keyframe_interval: Millis,
    /// Most memory all keyframes together may take, in bytes; past it, every other
    /// keyframe is dropped and the spacing doubles. Default 64 MiB.
    pub keyframe_budget_bytes: usize,
}

impl Default for ReplayConfig {
    fn default() -> Self {
        ReplayConfig {
            limits: Limits::DEFAULT,
            keyframe_events: EventCount(256),
            keyframe_interval: Millis::seconds(10),
            keyframe_budget_bytes: 64 << 20,
        }
    }
}

impl ReplayConfig {
    /// Sets the limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Sets the keyframe spacing: a keyframe at least every `events`, and at least
    /// every `interval` of recording.
    pub fn with_keyframe_every(mut self, events: EventCount, interval: Millis) -> Self {
        self.keyframe_events = EventCount(events.0.max(1));
        self.keyframe_interval = Millis(interval.0.max(1));
        self
    }

    /// Sets the keyframe memory budget, in bytes.
    pub fn with_keyframe_budget(mut self, bytes: usize) -> Self {
        self.keyframe_budget_bytes = bytes;
        self
    }
}

struct Keyframe {
    /// Events applied in this state.
    applied: usize,
    state: State,
    bytes: usize,
}

/// The recording with a keyframe index: [`Replayer::seek`] gives the state at any time.
///
/// Events are replayed in time order (a stable sort; out-of-order events are counted in
/// the diagnostics). The state at `t` is the result of applying every event with
/// `timestamp <= t`; whatever seeks came before, the state is the same, bit for bit
/// ([`State::hash`]).
///
/// ```
/// use session_replay::{rrweb, replay::Replayer, Limits, Timestamp};
/// let events = rrweb::read(br#"[
///   {"type":4,"data":{"href":"https://a.test/","width":800,"height":600},"timestamp":10},
///   {"type":2,"data":{"node":{"type":0,"childNodes":[{"type":2,"tagName":"html","attributes":{},"childNodes":[],"id":2}],"id":1},"initialOffset":{"top":0,"left":0}},"timestamp":11},
///   {"type":3,"data":{"source":4,"width":400,"height":300},"timestamp":20}
/// ]"#, &Limits::DEFAULT)?;
/// let mut r = Replayer::from(events);
/// assert_eq!(r.seek(Timestamp(15)).viewport(), Some((800.0, 600.0)));
/// assert_eq!(r.seek(Timestamp(20)).viewport(), Some((400.0, 300.0)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Replayer {
    events: Vec<Event>,
    times: Vec<i64>,
    keyframes: Vec<Keyframe>,
    state: State,
    applied: usize,
    config: ReplayConfig,
    pointer_track: Vec<(i64, f64, f64)>,
}

impl std::fmt::Debug for Replayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Replayer")
            .field("events", &self.events.len())
            .field("keyframes", &self.keyframes.len())
            .field("applied", &self.applied)
            .finish()
    }
}

impl From<Vec<Event>> for Replayer {
    /// A lenient replayer with the default configuration.
    fn from(events: Vec<Event>) -> Self {
        Replayer::new(events, ReplayConfig::default())
    }
}

impl Replayer {
    /// A lenient replayer ([`ReplayMode::Lenient`]): what cannot be applied is skipped
    /// and counted in [`State::diagnostics`]. Builds the keyframe index in one pass over
    /// the events.
    pub fn new(events: Vec<Event>, config: ReplayConfig) -> Self {
        // Lenient application reports nothing as an error: the index is always whole.
        Self::build(events, config, ReplayMode::Lenient).0
    }

    /// A strict replayer ([`ReplayMode::Strict`]): the first problem in the recording is
    /// returned as an error naming the event and the node.
    pub fn new_strict(events: Vec<Event>, config: ReplayConfig) -> Result<Self, ReplayError> {
        match Self::build(events, config, ReplayMode::Strict) {
            (r, None) => Ok(r),
            (_, Some(e)) => Err(e),
        }
    }

    /// The replayer and, in strict mode, the first problem (the index then stops there).
    fn build(
        mut events: Vec<Event>,
        config: ReplayConfig,
        mode: ReplayMode,
    ) -> (Self, Option<ReplayError>) {
        let mut out_of_order = 0u64;
        for w in events.windows(2) {
            if let [a, b] = w
                && b.timestamp < a.timestamp
            {
                out_of_order += 1;
            }
        }
        if out_of_order > 0 {
            events.sort_by_key(|e| e.timestamp);
        }
        let times: Vec<i64> = events.iter().map(|e| e.timestamp.0).collect();
        let mut initial = State::new(config.limits, mode);
        initial.diagnostics.out_of_order = out_of_order;
        let mut pointer_track = Vec::new();
        for e in &events {
            if let EventKind::Incremental(Incremental::Moves(m)) = &e.kind {
                for p in &m.positions {
                    let at = e
                        .timestamp
                        .0
                        .saturating_add(p.time_offset.as_i64().unwrap_or(0));
                    pointer_track.push((at, p.x.as_f64(), p.y.as_f64()));
                }
            }
        }
        pointer_track.sort_by_key(|p| p.0);
        let mut r = Replayer {
            events,
            times,
            keyframes: Vec::new(),
            state: initial.clone(),
            applied: 0,
            config,
            pointer_track,
        };
        let error = r.build_keyframes(initial).err();
        (r, error)
    }

    fn build_keyframes(&mut self, initial: State) -> Result<(), ReplayError> {
        let mut every_events = self.config.keyframe_events.0.max(1);
        let mut every_ms = self.config.keyframe_interval.0.max(1);
        let mut state = initial;
        let (a, b) = state.memory();
        let bytes = a + b;
        self.keyframes.push(Keyframe {
            applied: 0,
            state: state.clone(),
            bytes,
        });
        let mut total = bytes;
        let (mut last_i, mut last_t) = (0usize, self.times.first().copied().unwrap_or(0));
        for i in 0..self.events.len() {
            let Some(e) = self.events.get(i) else { break };
            state.apply(e, i)?;
            let applied = i + 1;
            let t = e.timestamp.0;
            if applied - last_i >= every_events || t.saturating_sub(last_t) >= every_ms {
                state.compact();
                let (a, b) = state.memory();
                self.keyframes.push(Keyframe {
                    applied,
                    state: state.clone(),
                    bytes: a + b,
                });
                total += a + b;
                last_i = applied;
                last_t = t;
                // Over budget: keep every other keyframe and space them out twice as far.
                while total > self.config.keyframe_budget_bytes && self.keyframes.len() > 2 {
                    let mut keep = 0usize;
                    self.keyframes.retain(|_| {
                        keep += 1;
                        keep % 2 == 1
                    });
                    total = self.keyframes.iter().map(|k| k.bytes).sum();
                    every_events = every_events.saturating_mul(2);
                    every_ms = every_ms.saturating_mul(2);
                }
            }
        }
        Ok(())
    }

    /// The configuration.
    pub(super) fn config(&self) -> &ReplayConfig {
        &self.config
    }

    /// The events, in time order.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The first and last timestamps, if there are events.
    pub fn time_range(&self) -> Option<(Timestamp, Timestamp)> {
        Some((
            Timestamp(*self.times.first()?),
            Timestamp(*self.times.last()?),
        ))
    }

    /// How many keyframes the index holds.
    pub fn keyframe_count(&self) -> usize {
        self.keyframes.len()
    }

    /// Memory the keyframes take, in bytes (estimate).
    pub fn keyframe_bytes(&self) -> usize {
        self.keyframes.iter().map(|k| k.bytes).sum()
    }

    /// How many events the current state has applied.
    pub fn applied(&self) -> usize {
        self.applied
    }

    /// The current state (after the last seek).
    pub fn state(&self) -> &State {
        &self.state
    }

    /// The events' timestamps (epoch ms), in time order.
    pub(crate) fn times(&self) -> &[i64] {
        &self.times
    }

    /// Number of events with `timestamp <= t`.
    pub fn events_until(&self, t: Timestamp) -> usize {
        self.times.partition_point(|&x| x <= t.0)
    }

    /// The state at `t`: every event with `timestamp <= t` applied. Seeks forward by
    /// applying events from the current state when no keyframe is closer, otherwise
    /// restores the nearest keyframe at or before `t` and applies from there.
    pub fn seek(&mut self, t: Timestamp) -> &State {
        let target = self.events_until(t);
        self.advance_to(target);
        self.state.set_time(t);
        &self.state
    }

    /// Moves the current state to "`target` events applied".
    pub(crate) fn advance_to(&mut self, target: usize) {
        let k = self.keyframes.partition_point(|k| k.applied <= target);
        let best = k.checked_sub(1).and_then(|i| self.keyframes.get(i));
        let restore = match best {
            Some(kf) => target < self.applied || kf.applied > self.applied,
            None => target < self.applied,
        };
        if restore && let Some(kf) = best {
            self.state.clone_from(&kf.state);
            self.applied = kf.applied;
        }
        while self.applied < target {
            let i = self.applied;
            if let Some(e) = self.events.get(i) {
                // Errors were reported when the index was built; a strict replayer that
                // got this far has none.
                let _ = self.state.apply(e, i);
            }
            self.applied += 1;
        }
        self.state.compact();
    }

    /// The pointer at `t`, linearly interpolated between the recorded samples around it
    /// (it uses samples after `t`, so it is for display, not part of [`State`]).
    pub fn pointer_at(&self, t: Timestamp) -> Option<(f64, f64)> {
        let i = self.pointer_track.partition_point(|p| p.0 <= t.0);
        let before = i.checked_sub(1).and_then(|j| self.pointer_track.get(j))?;
        match self.pointer_track.get(i) {
            Some(after) if after.0 > before.0 => {
                let f = (t.0 - before.0) as f64 / (after.0 - before.0) as f64;
                Some((
                    before.1 + (after.1 - before.1) * f,
                    before.2 + (after.2 - before.2) * f,
                ))
            }
            _ => Some((before.1, before.2)),
        }
    }

    /// Pointer samples with time in `(from, to]`, in order.
    pub(crate) fn pointer_samples(&self, from: i64, to: i64) -> &[(i64, f64, f64)] {
        let a = self.pointer_track.partition_point(|p| p.0 <= from);
        let b = self.pointer_track.partition_point(|p| p.0 <= to);
        self.pointer_track.get(a..b.max(a)).unwrap_or_default()
    }
}
