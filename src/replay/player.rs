//! A playback clock that the host drives.

use std::collections::VecDeque;

use super::replayer::Replayer;
use super::state::State;
use crate::model::{Event, EventKind, Incremental, NodeId, Timestamp};

/// What the player hands out as it plays. Poll with [`Player::poll`] after each
/// [`Player::tick`].
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
    /// The DOM was rebuilt (a full snapshot, or a seek backwards): render it anew.
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

/// rrweb's threshold for skipping inactivity: gaps of over 10 s without interaction.
pub const DEFAULT_INACTIVITY_MS: i64 = 10_000;

/// A host-driven playback clock over a [`Replayer`].
///
/// The host calls [`Player::tick`] with its own clock (milliseconds, any origin) from its
/// render loop, then drains [`Player::poll`]. The player reads no clock itself.
///
/// ```
/// use session_replay::{rrweb, replay::{Player, PlayerOutput, Replayer}};
/// let events = rrweb::read(br#"[
///   {"type":4,"data":{"href":"https://a.test/","width":800,"height":600},"timestamp":1000},
///   {"type":3,"data":{"source":4,"width":400,"height":300},"timestamp":1500}
/// ]"#)?;
/// let mut player = Player::new(Replayer::new(events)?);
/// player.play(0);
/// for now in (0..=1000).step_by(16) {
///     player.tick(now);
///     while let Some(out) = player.poll() {
///         if let PlayerOutput::Event { index, .. } = out { let _ = index; /* render */ }
///     }
/// }
/// assert_eq!(player.state().viewport(), Some((400.0, 300.0)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Player {
    replayer: Replayer,
    playing: bool,
    speed: f64,
    skip_inactive: bool,
    inactivity_ms: i64,
    /// Replay position (epoch ms of the recording, fractional for speeds).
    position: f64,
    last_now: Option<i64>,
    outputs: VecDeque<PlayerOutput>,
    diff: DomDiff,
    /// Gaps without user interaction: (last interaction, next interaction).
    gaps: Vec<(i64, i64)>,
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
            skip_inactive: true,
            inactivity_ms: DEFAULT_INACTIVITY_MS,
            position: start as f64,
            last_now: None,
            outputs: VecDeque::new(),
            diff: DomDiff::default(),
            gaps: Vec::new(),
        };
        p.compute_gaps();
        p.replayer.seek(Timestamp(start));
        p.outputs.push_back(PlayerOutput::DomReset);
        p
    }

    fn compute_gaps(&mut self) {
        self.gaps.clear();
        let mut last: Option<i64> = None;
        for e in self.replayer.events() {
            if is_interaction(e) {
                let t = e.timestamp.0;
                if let Some(l) = last
                    && t - l > self.inactivity_ms
                {
                    self.gaps.push((l, t));
                }
                last = Some(t);
            }
        }
    }

    /// Starts or resumes playback; `now` is the host's clock.
    pub fn play(&mut self, now: i64) {
        self.playing = true;
        self.last_now = Some(now);
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

    /// Turns skipping of inactive stretches on or off, with the gap threshold in ms.
    pub fn set_skip_inactivity(&mut self, on: bool, threshold_ms: i64) {
        self.skip_inactive = on;
        self.inactivity_ms = threshold_ms.max(1);
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

    /// The replayer underneath.
    pub fn replayer(&self) -> &Replayer {
        &self.replayer
    }

    /// Jumps to `t` (playing continues from there if it was playing).
    pub fn seek(&mut self, t: Timestamp) {
        let before = self.replayer.applied();
        self.position = t.0 as f64;
        self.move_to(t);
        if self.replayer.applied() < before {
            self.diff = DomDiff::default();
            self.outputs.push_back(PlayerOutput::DomReset);
        }
    }

    /// Advances the clock to the host's `now` and queues outputs.
    pub fn tick(&mut self, now: i64) {
        if !self.playing {
            return;
        }
        let elapsed = self.last_now.map_or(0, |l| now.saturating_sub(l)).max(0);
        self.last_now = Some(now);
        let mut target = self.position + elapsed as f64 * self.speed;
        if self.skip_inactive {
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
        }
        let end = self.replayer.time_range().map_or(0, |(_, e)| e.0) as f64;
        let finished = target >= end;
        let target = target.min(end.max(self.position));
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
        if target > before {
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
        self.replayer.seek(t);
        if !self.diff.is_empty() {
            self.outputs
                .push_back(PlayerOutput::DomChanged(std::mem::take(&mut self.diff)));
        }
    }

    /// The next output, if any.
    pub fn poll(&mut self) -> Option<PlayerOutput> {
        self.outputs.pop_front()
    }
}
