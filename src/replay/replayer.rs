//! Seeking: the recording, its keyframe index and the seek cursor, so that any seek
//! applies a bounded number of events.

use super::ingest::Indexing;
use super::keyframes::Index;
use super::state::State;
use crate::error::ReplayError;
use crate::limits::Limits;
use crate::model::{Event, EventCount, Millis, Timestamp};

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
    /// keyframe is dropped and the spacing doubles. Default 64 MiB. DOM pages a
    /// keyframe shares with the keyframe before it are not counted again. (Keyframes of
    /// decoded chunks that follow missing chunks are never dropped: nothing else can
    /// give the state there.)
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

/// The recording with a keyframe index: [`Replayer::seek`] gives the state at any time.
///
/// Events are replayed in time order (a stable sort; out-of-order events are counted in
/// the diagnostics). The state at `t` is the result of applying every event with
/// `timestamp <= t`; whatever seeks came before, the state is the same, bit for bit
/// ([`State::hash`]).
///
/// A replayer is built from a whole recording ([`Replayer::new`]), from decoded chunks
/// using the keyframes they carry ([`Replayer::from_chunks`]), or grows as a session
/// records ([`Replayer::empty`], then [`Replayer::push`], [`Replayer::extend`],
/// [`Replayer::push_chunk`]). However the events came in, and in whatever order, seeks
/// give what a replayer built from all of them at once gives.
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
    /// The events, in time order (stable: arrival order among equal times).
    pub(super) events: Vec<Event>,
    /// Their timestamps.
    pub(super) times: Vec<i64>,
    pub(super) index: Index,
    /// The seek cursor: the state with `applied` events applied.
    pub(super) state: State,
    pub(super) applied: usize,
    pub(super) config: ReplayConfig,
    pub(super) mode: ReplayMode,
    /// Pointer samples (time, x, y), by time, then in event order.
    pub(super) pointer_track: Vec<(i64, f64, f64)>,
    /// Events that came with an earlier time than the one before them.
    pub(super) out_of_order: u64,
    /// The time of the last event that came in.
    pub(super) last_arrival: Option<i64>,
    /// The index of the last decoded chunk taken, to see missing ones.
    pub(super) last_chunk: Option<u64>,
    /// Whether the cursor's state is an anchor's (see `keyframes`), not the state
    /// before the gap at the same place.
    pub(super) anchored: bool,
    /// How many times the cursor's state changed in a way its events do not tell: a
    /// seek back or onto an anchor, events inserted before it, an anchor at its place.
    /// A player watching it renders anew (and, for the last two, seeks again).
    pub(super) jumps: u64,
}

impl std::fmt::Debug for Replayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Replayer")
            .field("events", &self.events.len())
            .field("keyframes", &self.index.len())
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
    ///
    /// The replayer keeps the events (every seek applies some of them again), so it
    /// takes them by value, in any form that yields them: a `Vec` is kept as it is, with
    /// no copy. There is no borrowed `&[Event]` entry point on purpose: a replayer that
    /// borrowed would be tied to the caller's buffer and could not grow
    /// ([`Replayer::push`]), and one that took a slice would have to deep-clone every
    /// event anyway. A caller that keeps its own copy passes `events.iter().cloned()`,
    /// which makes that clone visible where it is paid.
    pub fn new(events: impl IntoIterator<Item = Event>, config: ReplayConfig) -> Self {
        let mut r = Self::empty(config, ReplayMode::Lenient);
        // Lenient application reports nothing as an error.
        let _ = r.insert(events.into_iter().collect(), Indexing::Replay);
        r.index.release_tip();
        r
    }

    /// A strict replayer ([`ReplayMode::Strict`]): the first problem in the recording is
    /// returned as an error naming the event and the node.
    pub fn new_strict(
        events: impl IntoIterator<Item = Event>,
        config: ReplayConfig,
    ) -> Result<Self, ReplayError> {
        let mut r = Self::empty(config, ReplayMode::Strict);
        r.insert(events.into_iter().collect(), Indexing::Replay)?;
        r.index.release_tip();
        Ok(r)
    }

    /// A replayer with no events yet, to push a live session into as it records
    /// ([`Replayer::push`], [`Replayer::extend`], [`Replayer::push_chunk`]). In
    /// [`ReplayMode::Strict`], a push that brings a problem is refused whole.
    pub fn empty(config: ReplayConfig, mode: ReplayMode) -> Self {
        let initial = State::new(config.limits, mode);
        Replayer {
            events: Vec::new(),
            times: Vec::new(),
            index: Index::new(initial.clone(), &config),
            state: initial,
            applied: 0,
            config,
            mode,
            pointer_track: Vec::new(),
            out_of_order: 0,
            last_arrival: None,
            last_chunk: None,
            anchored: false,
            jumps: 0,
        }
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
        self.index.len()
    }

    /// Memory the keyframes take, in bytes (estimate).
    pub fn keyframe_bytes(&self) -> usize {
        self.index.bytes()
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
        // After missing chunks, a chunk's keyframe holds the state from its time on.
        let anchored = self.index.anchor_at(target).is_some_and(|a| t.0 >= a.since);
        self.advance_to((target, anchored));
        self.state.set_time(t);
        &self.state
    }

    /// Moves the current state to `want`: (events applied, on the anchor there).
    fn advance_to(&mut self, want: (usize, bool)) {
        let here = (self.applied, self.anchored);
        let kf = self.index.at_or_before(want);
        // Never apply forward across a keyframe: an anchor holds what the events before
        // it cannot give.
        if want < here || kf.key() > here {
            self.state.clone_from(&kf.state);
            if want < here || kf.key().1 {
                self.jumps += 1;
            }
            (self.applied, self.anchored) = kf.key();
        }
        let target = want.0;
        while self.applied < target {
            let i = self.applied;
            if let Some(e) = self.events.get(i) {
                // Errors were reported when the index was built; a strict replayer that
                // got this far has none. Events past the index cannot be reached: every
                // public change indexes what it adds.
                let _ = self.state.apply(e, i);
            }
            self.applied += 1;
            self.anchored = false;
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
