//! Taking events into a replayer: a whole recording, events pushed as a live session
//! records (in time order or late), and decoded chunks with the keyframes they carry.
//!
//! Every way in goes through [`Replayer::insert`]: the new events take their place in
//! time order (after every held event with the same time, as a stable sort of
//! everything in arrival order puts them), the keyframes after that place are taken
//! again, and the new events are indexed. So a replayer that grew batch by batch seeks
//! to exactly the states ([`State::hash`]) of one built from the whole recording.
//!
//! Chunks add one thing: the keyframe at the chunk's start (the page state as the
//! encoder had it, see [`State::to_keyframe_events`]). Without missing chunks before it,
//! and with the recording in time order so far, it equals what replaying gives; it is
//! then kept as a seek keyframe, and the chunk's events are not replayed at all (a seek
//! into the chunk applies from the keyframe). After a missing chunk, it is the only
//! account of the page there: it becomes an anchor that replay never crosses.

use super::keyframes::Origin;
use super::replayer::{ReplayConfig, ReplayMode, Replayer};
use super::state::State;
use crate::codec::DecodedChunk;
use crate::error::ReplayError;
use crate::model::{Event, EventKind, Incremental};

/// How new events are indexed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Indexing {
    /// Replay them from the last keyframe, taking keyframes by the cadence.
    Replay,
    /// Cover them without replaying, when they land at the end: they follow a chunk's
    /// keyframe, which bounds what a seek among them applies.
    FromKeyframe,
}

/// Where a batch of new events went.
enum Placed {
    /// After every held event: the new events are `events[old_len..]`.
    Appended,
    /// Merged with the held events from `p` on: `is_new` marks each of `events[p..]`.
    Merged { is_new: Vec<bool> },
}

/// Whether a decoded chunk's keyframe sets the state. This is the one place that
/// decides it.
///
/// A keyframe chunk (its frame's flag marks it) sets it when its keyframe was decoded, or
/// after a gap (the decoder then decodes it even when told to step over keyframes, and
/// an empty one means the page was empty). A keyframe chunk read in order with its
/// keyframe stepped over continues the previous state, which is the same state.
fn carries_keyframe(chunk: &DecodedChunk) -> bool {
    chunk.is_keyframe()
        && (!chunk.keyframe.is_empty() || chunk.continuity != crate::codec::Continuity::Unbroken)
}

/// The pointer samples of an event: (time, x, y).
fn samples(e: &Event) -> impl Iterator<Item = (i64, f64, f64)> + '_ {
    let positions = match &e.kind {
        EventKind::Incremental(Incremental::Moves(m)) => m.positions.as_slice(),
        _ => &[],
    };
    positions.iter().map(move |p| {
        let at = e
            .timestamp
            .0
            .saturating_add(p.time_offset.as_i64().unwrap_or(0));
        (at, p.x.as_f64(), p.y.as_f64())
    })
}

/// Every pointer sample of `events` (in time order), by time, then in event order.
fn pointer_track(events: &[Event]) -> Vec<(i64, f64, f64)> {
    let mut track: Vec<_> = events.iter().flat_map(samples).collect();
    track.sort_by_key(|p| p.0);
    track
}

impl Replayer {
    /// A lenient replayer from decoded chunks ([`crate::codec::Decoder::poll_chunk`]),
    /// in stream order, using the keyframes they carry: see [`Replayer::push_chunk`].
    /// Chunks the decoder reported damaged are simply left out; the state is right again
    /// from the next chunk that carries a keyframe.
    ///
    /// Chunks are taken by value: their events move into the replayer, their keyframes
    /// are replayed into states and dropped.
    pub fn from_chunks(
        chunks: impl IntoIterator<Item = DecodedChunk>,
        config: ReplayConfig,
    ) -> Self {
        let mut r = Replayer::empty(config, ReplayMode::Lenient);
        for chunk in chunks {
            // Lenient application reports nothing as an error.
            let _ = r.push_chunk(chunk);
        }
        r.index.release_tip();
        r
    }

    /// Adds one event as it arrives (see [`Replayer::extend`]). Always `Ok` for a
    /// lenient replayer.
    pub fn push(&mut self, event: Event) -> Result<(), ReplayError> {
        self.extend(std::iter::once(event))
    }

    /// Adds events as they arrive, indexing them at once: keyframes are taken by the same
    /// cadence as a whole-recording build, and seeks over everything pushed so far give
    /// what [`Replayer::new`] over all of it (in arrival order) gives.
    ///
    /// An event with an earlier time than some held (a late one) goes where a stable
    /// sort puts it; the keyframes after it are dropped and taken again by replaying
    /// from the keyframe before it, so a late event costs a replay of what follows it.
    /// If the seek cursor was past it, the cursor goes back to that keyframe (the next
    /// seek applies from there).
    ///
    /// Always `Ok` for a lenient replayer. In strict mode the first problem the new
    /// events bring (or bring about in the events after them) refuses the whole batch:
    /// the replayer is as it was, and the error names the event.
    pub fn extend(&mut self, events: impl IntoIterator<Item = Event>) -> Result<(), ReplayError> {
        self.insert(events.into_iter().collect(), Indexing::Replay)
            .map(|_| ())
    }

    /// Adds a decoded chunk, in stream order, as it arrives (a server taking a session
    /// chunk by chunk).
    ///
    /// A chunk that carries a keyframe, when no chunk is missing before it (its index
    /// follows the last one's) and the recording is in time order so far, gets its
    /// keyframe as a seek keyframe, and its events are not replayed: a seek into the
    /// chunk restores the keyframe and applies the chunk's events up to the target. Its
    /// state is the one replaying gives ([`State::to_keyframe_events`]).
    ///
    /// After a missing chunk (damaged and skipped, or a reader starting mid-stream), the
    /// keyframe is the only account of the page: it becomes an anchor, which the
    /// budget never drops and replay never crosses, so the state is exactly right again
    /// from there. Between the gap and that keyframe, the state is the last one before
    /// the gap with the chunk's events applied. A chunk without a keyframe continues the
    /// previous state; so does one whose keyframe may differ from a replay in time order
    /// (events out of time order before it): its events are replayed as pushed ones are.
    ///
    /// Diagnostics restart from a keyframe (they count what was replayed since). Always
    /// `Ok` for a lenient replayer; in strict mode a problem refuses the whole chunk.
    pub fn push_chunk(&mut self, chunk: DecodedChunk) -> Result<(), ReplayError> {
        self.take_chunk(chunk).map(|_| ())
    }

    /// [`Replayer::push_chunk`], returning where the first of its events went.
    pub(super) fn take_chunk(&mut self, chunk: DecodedChunk) -> Result<usize, ReplayError> {
        let carries = carries_keyframe(&chunk);
        let DecodedChunk {
            index,
            keyframe,
            events,
            ..
        } = chunk;
        let gap = match self.last_chunk {
            Some(last) => last.checked_add(1) != Some(index),
            None => index != 0,
        };
        let first = events.iter().map(|e| e.timestamp.0).min();
        let in_order = self.out_of_order == 0
            && first.is_none_or(|t| self.times.last().is_none_or(|&l| t >= l));
        let at = self.events.len();
        let mut indexing = Indexing::Replay;
        let mut added = None;
        if carries && (gap || in_order) {
            let mut s = State::new(self.config.limits, self.mode);
            for e in &keyframe {
                // A keyframe's problem is named by the event it stands before.
                s.apply(e, at)?;
            }
            s.diagnostics.out_of_order = self.out_of_order;
            let origin = if gap {
                Origin::Anchor
            } else {
                Origin::Replayed
            };
            let since = keyframe
                .iter()
                .map(|e| e.timestamp.0)
                .max()
                .unwrap_or(i64::MIN);
            self.index.add_chunk_keyframe(at, s, origin, since);
            added = Some(origin);
            // The state at the cursor's place now depends on the time (before the gap
            // or the anchor's): a player re-seeks.
            if gap && self.applied == at {
                self.jumps += 1;
            }
            // Strict mode checks every event, so it replays them.
            if self.mode == ReplayMode::Lenient {
                indexing = Indexing::FromKeyframe;
            }
        }
        match self.insert(events, indexing) {
            Ok(p) => {
                self.last_chunk = Some(index);
                Ok(p)
            }
            Err(e) => {
                if let Some(origin) = added {
                    self.index.remove_chunk_keyframe(at, origin);
                    if self.applied >= at {
                        self.reset_cursor(at);
                    }
                }
                Err(e)
            }
        }
    }

    /// Rebuilds the times of the events from position `p` on, after the events there
    /// changed (a batch merged in, or taken back).
    fn retime_from(&mut self, p: usize) {
        self.times.truncate(p);
        self.times.extend(
            self.events
                .get(p..)
                .unwrap_or_default()
                .iter()
                .map(|e| e.timestamp.0),
        );
    }

    /// Puts the seek cursor on the last keyframe to replay on from after `p` events.
    fn reset_cursor(&mut self, p: usize) {
        let kf = self.index.at_or_before((p, true));
        self.state.clone_from(&kf.state);
        (self.applied, self.anchored) = kf.key();
        self.jumps += 1;
    }

    /// Takes `batch` (in arrival order) in and indexes it; returns where the first new
    /// event went in time order (`events.len()` before, when all went at the end).
    pub(super) fn insert(
        &mut self,
        batch: Vec<Event>,
        indexing: Indexing,
    ) -> Result<usize, ReplayError> {
        let old_len = self.events.len();
        let Some(min_t) = batch.iter().map(|e| e.timestamp.0).min() else {
            return Ok(old_len);
        };
        // Arrival order, counted as a whole-recording build counts it (kept only if the
        // batch is taken).
        let mut inversions = 0u64;
        let mut last = self.last_arrival;
        for e in &batch {
            let t = e.timestamp.0;
            inversions += u64::from(last.is_some_and(|l| t < l));
            last = Some(t);
        }
        let sorted = batch
            .windows(2)
            .all(|w| matches!(w, [a, b] if a.timestamp <= b.timestamp));
        // After every held event at or before the earliest new one.
        let p = self.times.partition_point(|&x| x <= min_t);
        let has_samples = batch.iter().any(|e| samples(e).next().is_some());
        let placed = if p == old_len {
            if self.events.is_empty() {
                // A whole recording: keep the caller's vector.
                self.events = batch;
            } else {
                self.events.extend(batch);
            }
            if !sorted {
                // Stable: among equal times, arrival order.
                if let Some(tail) = self.events.get_mut(old_len..) {
                    tail.sort_by_key(|e| e.timestamp);
                }
            }
            Placed::Appended
        } else {
            let held = self.events.split_off(p);
            let mut tagged: Vec<(bool, Event)> = held
                .into_iter()
                .map(|e| (false, e))
                .chain(batch.into_iter().map(|e| (true, e)))
                .collect();
            // Stable: held events (already in order) before new ones of the same time.
            tagged.sort_by_key(|(_, e)| e.timestamp);
            let mut is_new = Vec::with_capacity(tagged.len());
            for (new, e) in tagged {
                is_new.push(new);
                self.events.push(e);
            }
            Placed::Merged { is_new }
        };
        self.retime_from(p);
        if has_samples {
            self.add_samples(&placed, old_len);
        }

        // Anchors after `p` move to just after the held event before them.
        let anchors_before = self.index.anchors_after(p);
        let moved = match &placed {
            Placed::Appended => Vec::new(),
            Placed::Merged { is_new } => is_new
                .iter()
                .enumerate()
                .filter(|(_, new)| !**new)
                .map(|(m, _)| p + m)
                .collect(),
        };
        self.index.invalidate(p, |a| {
            a.checked_sub(p + 1)
                .and_then(|j| moved.get(j))
                .map_or(a, |&at| at + 1)
        });
        if self.applied > p {
            self.reset_cursor(p);
        }
        let result = if indexing == Indexing::FromKeyframe && p >= self.index.indexed() {
            self.index.cover_without_replay(self.events.len());
            Ok(())
        } else {
            self.index.index(&self.events, &self.times)
        };
        if let Err(e) = result {
            self.take_back(p, old_len, placed, &anchors_before);
            return Err(e);
        }

        self.last_arrival = last;
        if inversions > 0 {
            self.out_of_order += inversions;
            let n = self.out_of_order;
            self.state.diagnostics.out_of_order = n;
            for s in self.index.states_mut() {
                s.diagnostics.out_of_order = n;
            }
        }
        Ok(p)
    }

    /// Puts the pointer samples of the new events in the track.
    fn add_samples(&mut self, placed: &Placed, old_len: usize) {
        match placed {
            Placed::Appended => {
                // The new events come after every held one: among samples of the same
                // time, theirs go last.
                let new = self.events.get(old_len..).unwrap_or_default();
                let first = new.iter().flat_map(samples).map(|s| s.0).min();
                let Some(first) = first else { return };
                let q = self.pointer_track.partition_point(|s| s.0 <= first);
                self.pointer_track.extend(new.iter().flat_map(samples));
                if let Some(tail) = self.pointer_track.get_mut(q..) {
                    tail.sort_by_key(|s| s.0);
                }
            }
            // Late samples go among those of the same time by event order, which the
            // track does not keep: sort it again (nearly sorted, so about linear).
            Placed::Merged { .. } => self.pointer_track = pointer_track(&self.events),
        }
    }

    /// Undoes a refused batch (strict mode): the held events, the anchors and the index
    /// as they were.
    fn take_back(&mut self, p: usize, old_len: usize, placed: Placed, anchors: &[usize]) {
        match placed {
            Placed::Appended => self.events.truncate(old_len),
            Placed::Merged { is_new } => {
                let tail = self.events.split_off(p);
                let held = tail.into_iter().zip(is_new).filter(|(_, new)| !new);
                self.events.extend(held.map(|(e, _)| e));
            }
        }
        self.retime_from(p);
        self.pointer_track = pointer_track(&self.events);
        self.index.set_anchor_positions(p, anchors);
        self.index.invalidate(p, |a| a);
        // These events were indexed before without a problem.
        let _ = self.index.index(&self.events, &self.times);
        if self.applied > p {
            self.reset_cursor(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Limits;
    use crate::model::{EventCount, Millis, Timestamp};

    fn events(name: &str) -> Vec<Event> {
        let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
        crate::rrweb::read(&std::fs::read(path).unwrap(), &Limits::DEFAULT).unwrap()
    }

    fn hashes(r: &mut Replayer, times: &[i64]) -> Vec<u64> {
        times.iter().map(|&t| r.seek(Timestamp(t)).hash()).collect()
    }

    /// Late events, alone and in batches, land where a whole-recording build puts them;
    /// out-of-order counts and pointer samples agree too.
    #[test]
    fn late_events_give_the_whole_recording_states() {
        let evs = events("corpus/login.raw.json");
        // Arrival order: a few events held back and delivered late.
        let mut arrival: Vec<Event> = Vec::new();
        let mut held = Vec::new();
        for (i, e) in evs.iter().enumerate() {
            if i % 11 == 5 {
                held.push(e.clone());
            } else {
                arrival.push(e.clone());
                if i % 23 == 0 {
                    arrival.append(&mut held);
                }
            }
        }
        arrival.append(&mut held);
        let config = ReplayConfig::default().with_keyframe_every(EventCount(16), Millis(1_000));
        let mut whole = Replayer::new(arrival.clone(), config);
        let mut live = Replayer::empty(config, ReplayMode::Lenient);
        let (start, end) = whole.time_range().unwrap();
        let times: Vec<i64> = (0..=30)
            .map(|k| start.0 + (end.0 - start.0) * k / 30)
            .collect();
        for (n, batch) in arrival.chunks(9).enumerate() {
            live.extend(batch.iter().cloned()).unwrap();
            if n % 5 == 0 {
                // Seek in between, so that late events land behind the cursor too.
                live.seek(Timestamp(*times.get(n % times.len()).unwrap()));
            }
        }
        assert!(whole.state().diagnostics().out_of_order >= 5);
        assert_eq!(live.events(), whole.events());
        assert_eq!(hashes(&mut live, &times), hashes(&mut whole, &times));
        assert_eq!(
            live.state().diagnostics().out_of_order,
            whole.state().diagnostics().out_of_order
        );
        assert_eq!(
            live.pointer_samples(i64::MIN, i64::MAX),
            whole.pointer_samples(i64::MIN, i64::MAX)
        );
    }

    /// In strict mode a batch that brings a problem is refused whole; the replayer goes
    /// on as if it had never come.
    #[test]
    fn strict_refuses_a_bad_batch_whole() {
        let evs = events("corpus/login.raw.json");
        let config = ReplayConfig::default().with_keyframe_every(EventCount(16), Millis(1_000));
        let mut r = Replayer::empty(config, ReplayMode::Strict);
        r.extend(evs[..100].iter().cloned()).unwrap();
        let before = hashes(&mut r, &[evs[50].timestamp.0, evs[99].timestamp.0]);
        // An input on a node that does not exist, late, among good events.
        let mut bad = evs[40].clone();
        bad.kind = EventKind::Incremental(Incremental::Input(crate::model::Input {
            id: crate::model::NodeId(999_999),
            text: "x".into(),
            is_checked: false,
            user_triggered: None,
            extra: Vec::new(),
        }));
        let batch = vec![evs[100].clone(), bad, evs[101].clone()];
        let at = evs[..100].partition_point(|e| e.timestamp <= evs[40].timestamp);
        let err = r.extend(batch).unwrap_err();
        assert_eq!(err.event_index(), at);
        assert_eq!(r.events(), &evs[..100]);
        assert_eq!(
            hashes(&mut r, &[evs[50].timestamp.0, evs[99].timestamp.0]),
            before
        );
        r.extend(evs[100..].iter().cloned()).unwrap();
        let mut whole = Replayer::new_strict(evs.clone(), config).unwrap();
        let end = evs.last().unwrap().timestamp.0;
        assert_eq!(hashes(&mut r, &[end]), hashes(&mut whole, &[end]));
        assert_eq!(r.keyframe_count(), whole.keyframe_count());
    }
}
