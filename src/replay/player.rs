//! A playback clock that the host drives.

use std::collections::VecDeque;

use super::ingest::Indexing;
use super::replayer::Replayer;
use super::state::State;
use crate::codec::DecodedChunk;
use crate::error::ReplayError;
use crate::model::{Event, EventKind, Incremental, Millis, NodeId, Timestamp};

/// What the player hands out as it plays. Drain [`Player::poll_output`] after each
/// [`Player::tick`] and [`Player::seek`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum PlayerOutput {
    /// An event was applied; render what it did. `index` is into [`Replayer::events`].
    Event {
        /// The event's index.
        index: usize,
        /// Its timestamp.
        at: Timestamp,
    },
    /// The pointer moved to a recorded sample.
    PointerMoved {
        /// X in CSS pixels.
        x: f64,
        /// Y in CSS pixels.
        y: f64,
        /// The sample's time.
        at: Timestamp,
    },
    /// The DOM changed since the last poll. A renderer updates these nodes from
    /// [`Player::state`].
    DomChanged(DomDiff),
    /// The DOM was rebuilt (a full snapshot, a seek backwards, a late event before the
    /// position, or a chunk's keyframe after missing chunks): render it anew.
    DomReset,
    /// Playback jumped over a stretch with no user interaction.
    SkippedInactivity {
        /// Where the jump started.
        from: Timestamp,
        /// Where it landed.
        to: Timestamp,
    },
    /// Playback reached the end and paused.
    Finished,
}

/// Nodes touched since the last poll.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DomDiff {
    /// Added nodes (roots of what was added).
    pub added: Vec<NodeId>,
    /// Removed nodes.
    pub removed: Vec<NodeId>,
    /// Nodes whose text or attributes changed.
    pub changed: Vec<NodeId>,
}

impl DomDiff {
    fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// What playback does with long stretches of the recording without user interaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Inactivity {
    /// Play them at the current speed.
    Play,
    /// Jump over every gap longer than this between two interactions.
    SkipOver(Millis),
}

impl Inactivity {
    /// rrweb's default: skip gaps of over 10 s without interaction.
    pub const DEFAULT: Inactivity = Inactivity::SkipOver(Millis::seconds(10));
}

impl Default for Inactivity {
    fn default() -> Self {
        Inactivity::DEFAULT
    }
}

/// What playback does when it reaches the last event the replayer holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum AtEnd {
    /// Pause there and hand out [`PlayerOutput::Finished`]: a stored recording.
    #[default]
    Finish,
    /// Keep the clock running: a live session, whose events come in later
    /// ([`Player::push`]). They play when the clock reaches their time, at the next
    /// tick if it already has. Never finishes.
    Follow,
}

/// A host-driven playback clock over a [`Replayer`].
///
/// The host calls [`Player::tick`] with its own clock (a [`Timestamp`] in milliseconds,
/// any origin) and drains [`Player::poll_output`] until `None`. The player reads no
/// clock itself; [`Player::poll_timeout`] says when it next has something to hand out,
/// so a host can sleep until then instead of ticking every frame.
///
/// ```
/// use session_replay::{rrweb, replay::{Player, PlayerOutput, Replayer}, Limits, Timestamp};
/// let events = rrweb::read(br#"[
///   {"type":4,"data":{"href":"https://a.test/","width":800,"height":600},"timestamp":1000},
///   {"type":3,"data":{"source":4,"width":400,"height":300},"timestamp":1500}
/// ]"#, &Limits::DEFAULT)?;
/// let mut player = Player::new(Replayer::from(events));
/// player.play(Timestamp(0));
/// // The host's loop: wake when the player asks, tick, drain.
/// while let Some(wake) = player.poll_timeout() {
///     player.tick(wake);
///     while let Some(out) = player.poll_output() {
///         if let PlayerOutput::Event { index, .. } = out { let _ = index; /* render */ }
///     }
/// }
/// assert!(!player.is_playing());
/// assert_eq!(player.state().viewport(), Some((400.0, 300.0)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Player {
    replayer: Replayer,
    playing: bool,
    speed: f64,
    inactivity: Inactivity,
    /// Replay position (epoch ms of the recording, fractional for speeds).
    position: f64,
    last_now: Option<i64>,
    outputs: VecDeque<PlayerOutput>,
    diff: DomDiff,
    /// Gaps without user interaction: (last interaction, next interaction).
    gaps: Vec<(i64, i64)>,
    /// The time of the last interaction, where the next gap would start.
    last_interaction: Option<i64>,
    at_end: AtEnd,
}

fn is_interaction(e: &Event) -> bool {
    matches!(
        &e.kind,
        EventKind::Incremental(
            Incremental::Moves(_)
                | Incremental::MouseInteraction(_)
                | Incremental::Scroll(_)
                | Incremental::ViewportResize(_)
                | Incremental::Input(_)
        )
    )
}

impl Player {
    /// A paused player at the start of the recording.
    pub fn new(replayer: Replayer) -> Self {
        let start = replayer.time_range().map_or(0, |(s, _)| s.0);
        let mut p = Player {
            replayer,
            playing: false,
            speed: 1.0,
            inactivity: Inactivity::DEFAULT,
            position: start as f64,
            last_now: None,
            outputs: VecDeque::new(),
            diff: DomDiff::default(),
            gaps: Vec::new(),
            last_interaction: None,
            at_end: AtEnd::Finish,
        };
        p.compute_gaps();
        p.replayer.seek(Timestamp(start));
        p.outputs.push_back(PlayerOutput::DomReset);
        p
    }

    fn compute_gaps(&mut self) {
        self.gaps.clear();
        self.last_interaction = None;
        self.add_gaps(0);
    }

    /// Adds the gaps between interactions among the events from `from` on, which come
    /// after every event [`Player::compute_gaps`] or an earlier call saw.
    fn add_gaps(&mut self, from: usize) {
        let Inactivity::SkipOver(threshold) = self.inactivity else {
            return;
        };
        let events = self.replayer.events().get(from..).unwrap_or_default();
        for e in events.iter().filter(|e| is_interaction(e)) {
            let t = e.timestamp.0;
            if let Some(l) = self.last_interaction
                && t - l > threshold.0
            {
                self.gaps.push((l, t));
            }
            self.last_interaction = Some(t);
        }
    }

    /// Starts or resumes playback; `now` is the host's clock.
    pub fn play(&mut self, now: Timestamp) {
        self.playing = true;
        self.last_now = Some(now.0);
    }

    /// Pauses playback.
    pub fn pause(&mut self) {
        self.playing = false;
        self.last_now = None;
    }

    /// Whether it is playing.
    pub fn is_playing(&self) -> bool {
        self.playing
    }

    /// Sets the speed (1.0 is real time). Non-positive or non-finite values are ignored.
    pub fn set_speed(&mut self, speed: f64) {
        if speed.is_finite() && speed > 0.0 {
            self.speed = speed;
        }
    }

    /// Sets what playback does with stretches without interaction (default
    /// [`Inactivity::DEFAULT`]: skip gaps over 10 s).
    pub fn set_inactivity(&mut self, inactivity: Inactivity) {
        self.inactivity = match inactivity {
            Inactivity::SkipOver(t) => Inactivity::SkipOver(Millis(t.0.max(1))),
            other => other,
        };
        self.compute_gaps();
    }

    /// The replay position.
    pub fn position(&self) -> Timestamp {
        Timestamp(self.position.floor() as i64)
    }

    /// The state at the current position.
    pub fn state(&self) -> &State {
        self.replayer.state()
    }

    /// Sets what playback does at the last event (default [`AtEnd::Finish`]; a live
    /// session follows with [`AtEnd::Follow`]).
    pub fn set_at_end(&mut self, at_end: AtEnd) {
        self.at_end = at_end;
    }

    /// The replayer underneath.
    pub fn replayer(&self) -> &Replayer {
        &self.replayer
    }

    /// Adds an event of a live session as it arrives ([`Replayer::push`]); see
    /// [`Player::extend`].
    pub fn push(&mut self, event: Event) -> Result<(), ReplayError> {
        self.extend(std::iter::once(event))
    }

    /// Adds events of a live session as they arrive ([`Replayer::extend`]). Events
    /// after the position play as the clock reaches them (with [`AtEnd::Follow`] the
    /// clock runs on past the last event, so playback keeps up with the session).
    /// An event at or before the position is applied at the next tick; one that goes
    /// before events already applied (late) rebuilds the state at the position, and
    /// [`PlayerOutput::DomReset`] tells the renderer. Into an empty player, the first
    /// events put the position at their start.
    pub fn extend(&mut self, events: impl IntoIterator<Item = Event>) -> Result<(), ReplayError> {
        let (old_len, jumps) = (self.replayer.events().len(), self.replayer.jumps);
        let p = self
            .replayer
            .insert(events.into_iter().collect(), Indexing::Replay)?;
        self.grew(old_len, jumps, p);
        Ok(())
    }

    /// Adds a decoded chunk of a live session as it arrives ([`Replayer::push_chunk`]),
    /// as [`Player::extend`] adds events.
    pub fn push_chunk(&mut self, chunk: DecodedChunk) -> Result<(), ReplayError> {
        let (old_len, jumps) = (self.replayer.events().len(), self.replayer.jumps);
        let p = self.replayer.take_chunk(chunk)?;
        self.grew(old_len, jumps, p);
        Ok(())
    }

    /// Follows the replayer's growth: events went in from `p` on; there were `old_len`,
    /// and the replayer had counted `jumps` before.
    fn grew(&mut self, old_len: usize, jumps: u64, p: usize) {
        if p >= old_len {
            self.add_gaps(old_len);
        } else {
            self.compute_gaps();
        }
        if old_len == 0 {
            // The first events: start where they start.
            if let Some((start, _)) = self.replayer.time_range() {
                self.position = start.0 as f64;
                self.replayer.seek(start);
            }
            self.diff = DomDiff::default();
            self.outputs.push_back(PlayerOutput::DomReset);
        } else if self.replayer.jumps != jumps {
            // The state went back to a keyframe (an insertion before what it had
            // applied), or a chunk's keyframe replaced it: rebuild it at the position.
            self.replayer.seek(self.position());
            self.diff = DomDiff::default();
            self.outputs.push_back(PlayerOutput::DomReset);
        }
    }

    /// The most events one move hands out one by one ([`PlayerOutput::Event`]); a
    /// longer jump forward hands out [`PlayerOutput::DomReset`] instead.
    pub const EVENT_OUTPUTS_MAX: usize = 1024;

    /// Jumps to `t` (playing continues from there if it was playing).
    pub fn seek(&mut self, t: Timestamp) {
        self.position = t.0 as f64;
        self.move_to(t);
    }

    /// Advances the clock to the host's `now` and queues outputs.
    pub fn tick(&mut self, now: Timestamp) {
        if !self.playing {
            return;
        }
        let now = now.0;
        let elapsed = self.last_now.map_or(0, |l| now.saturating_sub(l)).max(0);
        self.last_now = Some(now);
        let mut target = self.position + elapsed as f64 * self.speed;
        // `gaps` is empty unless inactivity is skipped.
        let pos = self.position as i64;
        if let Some(&(from, to)) = self
            .gaps
            .iter()
            .find(|(from, to)| pos < *to && (target as i64) > *from)
        {
            let jump_from = (pos.max(from)) as f64;
            if target < to as f64 {
                self.outputs.push_back(PlayerOutput::SkippedInactivity {
                    from: Timestamp(jump_from as i64),
                    to: Timestamp(to),
                });
                target = to as f64;
            }
        }
        let end = self.replayer.time_range().map_or(0, |(_, e)| e.0) as f64;
        let (finished, target) = match self.at_end {
            AtEnd::Finish => (target >= end, target.min(end.max(self.position))),
            // The session goes on: so does the clock.
            AtEnd::Follow => (false, target),
        };
        let from = self.position as i64;
        self.position = target;
        for &(at, x, y) in self.replayer.pointer_samples(from, target as i64) {
            self.outputs.push_back(PlayerOutput::PointerMoved {
                x,
                y,
                at: Timestamp(at),
            });
        }
        self.move_to(Timestamp(target as i64));
        if finished {
            self.playing = false;
            self.last_now = None;
            self.outputs.push_back(PlayerOutput::Finished);
        }
    }

    fn move_to(&mut self, t: Timestamp) {
        let before = self.replayer.applied();
        let target = self.replayer.events_until(t);
        if target.saturating_sub(before) > Self::EVENT_OUTPUTS_MAX {
            // A long jump forward (a seek, a skipped stretch, a high speed): one output
            // per event would cost more than the jump itself (a seek across 100,000
            // events of a 3-hour session queued 100,000 outputs); render anew instead.
            self.diff = DomDiff::default();
            self.outputs.push_back(PlayerOutput::DomReset);
        } else if target > before {
            for index in before..target {
                let Some(e) = self.replayer.events().get(index) else {
                    break;
                };
                match &e.kind {
                    EventKind::FullSnapshot(_) => {
                        self.diff = DomDiff::default();
                        self.outputs.push_back(PlayerOutput::DomReset);
                    }
                    EventKind::Incremental(Incremental::Mutation(m)) => {
                        self.diff.removed.extend(m.removes.iter().map(|r| r.id));
                        self.diff
                            .added
                            .extend(m.adds.iter().filter_map(|a| a.node.root()).map(|n| n.id));
                        self.diff.changed.extend(m.texts.iter().map(|x| x.id));
                        self.diff.changed.extend(m.attributes.iter().map(|x| x.id));
                    }
                    _ => {}
                }
                self.outputs.push_back(PlayerOutput::Event {
                    index,
                    at: e.timestamp,
                });
            }
        }
        let jumps = self.replayer.jumps;
        self.replayer.seek(t);
        if self.replayer.jumps != jumps {
            // Back, or onto a chunk's keyframe after missing chunks: the events applied
            // do not tell the change.
            self.diff = DomDiff::default();
            self.outputs.push_back(PlayerOutput::DomReset);
        } else if !self.diff.is_empty() {
            self.outputs
                .push_back(PlayerOutput::DomChanged(std::mem::take(&mut self.diff)));
        }
    }

    /// The next output, if any.
    pub fn poll_output(&mut self) -> Option<PlayerOutput> {
        self.outputs.pop_front()
    }

    /// When, on the host's clock, the player next has something to hand out: the time
    /// to call [`Player::tick`] at. `None` while paused or finished, and following a
    /// live session ([`AtEnd::Follow`]) with nothing ahead: ask again after a push.
    /// Outputs waiting to be drained make it the last tick's time (call again now).
    ///
    /// The next moment is the earliest of the next event, the next pointer sample, the
    /// start of a gap that will be skipped, and the end of the recording, scaled by the
    /// speed. Ticking only at these times gives the same outputs as ticking every frame.
    pub fn poll_timeout(&self) -> Option<Timestamp> {
        if !self.playing {
            return None;
        }
        let now = self.last_now?;
        if !self.outputs.is_empty() {
            return Some(Timestamp(now));
        }
        let pos = self.position;
        // Host milliseconds until the position reaches `t` (`strictly`: passes it).
        let after = |t: i64, strictly: bool| -> i64 {
            let span = (t as f64 - pos) / self.speed;
            let d = if strictly {
                span.floor() + 1.0
            } else {
                span.ceil()
            };
            // f64 to i64 saturates; a recording spans far less than i64 milliseconds.
            (d.max(0.0)) as i64
        };
        let mut wait = match (
            self.replayer.times().get(self.replayer.applied()),
            self.at_end,
        ) {
            (Some(&t), _) => Some(after(t, false)),
            // Every event is applied: the next tick reports the end...
            (None, AtEnd::Finish) => Some(0),
            // ...or there is nothing to wait for until more events come.
            (None, AtEnd::Follow) => None,
        };
        let mut sooner = |w: i64| wait = Some(wait.map_or(w, |x| x.min(w)));
        if let Some(&(t, _, _)) = self.replayer.pointer_samples(pos as i64, i64::MAX).first() {
            sooner(after(t, false));
        }
        // The first gap not yet behind us: tick tests `target > from` to jump it.
        if let Some(&(from, _)) = self.gaps.iter().find(|(_, to)| (pos as i64) < *to) {
            sooner(after(from, true));
        }
        wait.map(|w| Timestamp(now.saturating_add(w)))
    }
}
