//! The keyframe index behind seeking: when a keyframe is taken, the memory budget, and
//! how the index follows a recording that grows at its end or gets events inserted
//! before it.
//!
//! The index covers the first `indexed` events. Covering more means replaying them from
//! the last keyframe (the "tip" state is kept between pushes so that a live recording
//! is replayed once) and taking a keyframe whenever the cadence says so: at least every
//! [`ReplayConfig::keyframe_events`] events and every
//! [`ReplayConfig::keyframe_interval`] of recording, counted from the last keyframe.
//! Events inserted before the end invalidate the keyframes after them; the index
//! replays again from the last keyframe before the insertion.
//!
//! A keyframe from a decoded chunk that follows missing chunks is an *anchor*: no
//! replay of the events held can give it, so it is never dropped, and a replay that
//! reaches it goes on from it. At its place (the events held before it) there are then
//! two states: the one replay gives, before the gap, and the anchor's, from the time it
//! describes on. Keyframes are ordered by their [`Keyframe::key`], which puts the anchor
//! after the replayed state of the same place.
//!
//! Keyframes share DOM pages with each other and with the seek cursor (`pages`): a
//! keyframe taken a few edits after another holds only the pages those edits touched.
//! What each one costs is therefore counted beside the keyframe before it
//! ([`State::memory_beyond`]), and the budget is on the sum of those, which is the
//! memory they take together (pages shared by keyframes that are not neighbours count
//! more than once: an over-estimate, never an under-estimate).

use super::replayer::ReplayConfig;
use super::state::State;
use crate::error::ReplayError;
use crate::model::Event;

/// Where a keyframe's state comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Origin {
    /// Replaying the events before it, or a chunk's keyframe equal to that: the index
    /// may drop it (budget, invalidation) and take it again.
    Replayed,
    /// A chunk's keyframe after missing chunks: the only account of the page there.
    Anchor,
}

/// A state kept for seeking.
pub(super) struct Keyframe {
    /// Events applied in this state.
    pub(super) applied: usize,
    pub(super) state: State,
    /// For an anchor, the time it describes: seeks to this time or later at its place
    /// get it, earlier ones the state before the gap.
    pub(super) since: i64,
    /// What it holds beyond the keyframe before it (all it holds, for the first).
    bytes: usize,
    origin: Origin,
}

impl Keyframe {
    /// A keyframe of `state`, compacted, not counted yet (the index counts it beside
    /// its neighbour when it keeps it: [`Index::put`]).
    fn new(applied: usize, mut state: State, origin: Origin, since: i64) -> Self {
        state.compact();
        Keyframe {
            applied,
            state,
            since,
            bytes: 0,
            origin,
        }
    }

    /// Where the keyframe sits: its place, then whether it is an anchor (after the
    /// replayed state of the same place).
    pub(super) fn key(&self) -> (usize, bool) {
        (self.applied, self.origin == Origin::Anchor)
    }
}

/// The keyframes and the cadence that adds more.
pub(super) struct Index {
    /// The state before any event (the empty state): always there, so every place has
    /// a keyframe at or before it.
    first: Keyframe,
    /// The others, sorted by [`Keyframe::key`].
    keyframes: Vec<Keyframe>,
    /// Take a keyframe at least every this many events...
    every_events: usize,
    /// ...and every this long of recording (both double when the budget thins).
    every_ms: i64,
    /// Events applied in the last keyframe taken: the cadence counts from there.
    last: usize,
    /// Events covered: seeking below this is right.
    indexed: usize,
    /// The state with `indexed` events applied, while kept (rebuilt from the last
    /// keyframe when needed).
    tip: Option<State>,
    /// Bytes all keyframes take.
    total: usize,
    budget: usize,
}

impl Index {
    pub(super) fn new(initial: State, config: &ReplayConfig) -> Self {
        let mut first = Keyframe::new(0, initial, Origin::Replayed, i64::MIN);
        first.bytes = first.state.memory_beyond(None);
        Index {
            total: first.bytes,
            first,
            keyframes: Vec::new(),
            every_events: config.keyframe_events.0.max(1),
            every_ms: config.keyframe_interval.0.max(1),
            last: 0,
            indexed: 0,
            tip: None,
            budget: config.keyframe_budget_bytes,
        }
    }

    /// How many keyframes there are.
    pub(super) fn len(&self) -> usize {
        1 + self.keyframes.len()
    }

    /// Counts again what every keyframe holds beside the one before it, and the total
    /// (the first one's own count stands: it never changes in place but by `put`).
    fn recount(&mut self) {
        for i in 0..self.keyframes.len() {
            self.rebytes(i);
        }
        self.total = self.first.bytes + self.keyframes.iter().map(|k| k.bytes).sum::<usize>();
    }

    /// Counts again what keyframe `i` of `keyframes` holds beside the one before it,
    /// keeping the total right.
    fn rebytes(&mut self, i: usize) {
        if i >= self.keyframes.len() {
            return;
        }
        let (before, rest) = self.keyframes.split_at_mut(i);
        let Some(k) = rest.first_mut() else { return };
        let prev = before.last().map_or(&self.first.state, |p| &p.state);
        let bytes = k.state.memory_beyond(Some(prev));
        self.total = self.total - k.bytes + bytes;
        k.bytes = bytes;
    }

    /// Memory the keyframes take, in bytes (estimate).
    pub(super) fn bytes(&self) -> usize {
        self.total
    }

    /// Events the index covers.
    pub(super) fn indexed(&self) -> usize {
        self.indexed
    }

    /// The last keyframe whose [`Keyframe::key`] is at most `key`: `(applied, true)`
    /// for the state to replay on from after `applied` events (an anchor there if any),
    /// `(applied, false)` for the state before a gap there.
    pub(super) fn at_or_before(&self, key: (usize, bool)) -> &Keyframe {
        let k = self.keyframes.partition_point(|k| k.key() <= key);
        k.checked_sub(1)
            .and_then(|i| self.keyframes.get(i))
            .unwrap_or(&self.first)
    }

    /// The anchor at `applied`, if any.
    pub(super) fn anchor_at(&self, applied: usize) -> Option<&Keyframe> {
        Some(self.at_or_before((applied, true))).filter(|k| k.key() == (applied, true))
    }

    /// Every state the index holds (to update what all of them count).
    pub(super) fn states_mut(&mut self) -> impl Iterator<Item = &mut State> {
        std::iter::once(&mut self.first)
            .chain(&mut self.keyframes)
            .map(|k| &mut k.state)
            .chain(self.tip.as_mut())
    }

    /// Drops the tip state (after a whole recording is indexed, to keep memory to the
    /// keyframes; a push rebuilds it).
    pub(super) fn release_tip(&mut self) {
        self.tip = None;
    }

    /// Keeps `kf`, in place of one of the same key, and counts what it and the
    /// keyframe after it hold beside the ones before them.
    fn put(&mut self, kf: Keyframe) {
        let i = self.keyframes.partition_point(|k| k.key() < kf.key());
        let is_first = kf.key() == self.first.key();
        let same = if is_first {
            Some(&mut self.first)
        } else {
            self.keyframes.get_mut(i).filter(|k| k.key() == kf.key())
        };
        match same {
            Some(k) => {
                self.total = self.total - k.bytes + kf.bytes;
                *k = kf;
            }
            _ => {
                self.total += kf.bytes;
                self.keyframes.insert(i, kf);
            }
        }
        // The first keyframe counts alone; the others beside the one before them.
        if is_first {
            let bytes = self.first.state.memory_beyond(None);
            self.total = self.total - self.first.bytes + bytes;
            self.first.bytes = bytes;
            self.rebytes(0);
        } else {
            self.rebytes(i);
            self.rebytes(i + 1);
        }
    }

    /// Adds a decoded chunk's keyframe at `applied` (the events held so far, all
    /// indexed), describing the time `since`: the cadence counts from it.
    pub(super) fn add_chunk_keyframe(
        &mut self,
        applied: usize,
        state: State,
        origin: Origin,
        since: i64,
    ) {
        self.put(Keyframe::new(applied, state, origin, since));
        self.last = applied;
        self.tip = None;
        self.thin();
    }

    /// Takes back a chunk keyframe [`Index::add_chunk_keyframe`] added whose chunk was
    /// then refused.
    pub(super) fn remove_chunk_keyframe(&mut self, applied: usize, origin: Origin) {
        let key = (applied, origin == Origin::Anchor);
        let i = self.keyframes.partition_point(|k| k.key() < key);
        if self.keyframes.get(i).is_some_and(|k| k.key() == key) {
            let k = self.keyframes.remove(i);
            self.total -= k.bytes;
            // The one that followed now follows the one before.
            self.rebytes(i);
        }
        if self.last == applied {
            self.last = self.at_or_before((applied, true)).applied;
        }
        self.tip = None;
    }

    /// Covers the events from `indexed` on without replaying them (a decoded chunk that
    /// brought its own keyframe): seeks among them replay from that keyframe.
    pub(super) fn cover_without_replay(&mut self, len: usize) {
        self.indexed = len;
        self.tip = None;
    }

    /// The time the cadence counts from: that of the last event in the last keyframe
    /// taken (the first event's, before any).
    fn last_time(&self, times: &[i64]) -> i64 {
        let at = self.last.saturating_sub(1);
        times.get(at).copied().unwrap_or(0)
    }

    /// The tip state, rebuilt from the last keyframe if it was dropped. The events it
    /// applies again were applied before, so in strict mode they raise nothing.
    fn take_tip(&mut self, events: &[Event]) -> State {
        if let Some(tip) = self.tip.take() {
            return tip;
        }
        let kf = self.at_or_before((self.indexed, true));
        let mut s = kf.state.clone();
        for i in kf.applied..self.indexed {
            if let Some(e) = events.get(i) {
                let _ = s.apply(e, i);
            }
        }
        s
    }

    /// Replays the events not yet covered, taking keyframes by the cadence. In strict
    /// mode the first problem stops it there (the index then covers the events before).
    pub(super) fn index(&mut self, events: &[Event], times: &[i64]) -> Result<(), ReplayError> {
        if self.indexed >= events.len() {
            return Ok(());
        }
        let mut tip = self.take_tip(events);
        // Anchors ahead (after an insertion before them): the replay goes on from each.
        let anchors: Vec<usize> = self
            .keyframes
            .iter()
            .filter(|k| k.origin == Origin::Anchor && k.applied > self.indexed)
            .map(|k| k.applied)
            .collect();
        let mut next_anchor = anchors.iter().copied().peekable();
        let mut last_t = self.last_time(times);
        for i in self.indexed..events.len() {
            if next_anchor.next_if_eq(&i).is_some()
                && let Some(a) = self.anchor_at(i)
            {
                tip.clone_from(&a.state);
                self.last = i;
                last_t = self.last_time(times);
            }
            let Some(e) = events.get(i) else { break };
            // On a problem (strict mode) the tip, half applied, is dropped.
            tip.apply(e, i)?;
            let applied = i + 1;
            self.indexed = applied;
            let t = e.timestamp.0;
            let due = applied - self.last >= self.every_events
                || t.saturating_sub(last_t) >= self.every_ms;
            if due && next_anchor.peek() != Some(&applied) {
                // Compacted before the clone, so that the keyframe and the tip share
                // their pages (the clone copies no node).
                tip.compact();
                self.put(Keyframe::new(
                    applied,
                    tip.clone(),
                    Origin::Replayed,
                    i64::MIN,
                ));
                self.last = applied;
                last_t = t;
                self.thin();
            }
        }
        // An anchor at the very end (a chunk whose events all went before it).
        if next_anchor.next_if_eq(&events.len()).is_some()
            && let Some(a) = self.anchor_at(events.len())
        {
            tip.clone_from(&a.state);
            self.last = events.len();
        }
        self.tip = Some(tip);
        Ok(())
    }

    /// Over budget: keep every other keyframe, the first one first (anchors all stay),
    /// and space them out twice as far.
    fn thin(&mut self) {
        let replayed = |ks: &[Keyframe]| ks.iter().filter(|k| k.origin == Origin::Replayed).count();
        while self.total > self.budget && 1 + replayed(&self.keyframes) > 2 {
            // The first keyframe counts as the first kept.
            let mut n = 1usize;
            self.keyframes.retain(|k| {
                if k.origin == Origin::Anchor {
                    return true;
                }
                n += 1;
                n % 2 == 1
            });
            self.recount();
            self.every_events = self.every_events.saturating_mul(2);
            self.every_ms = self.every_ms.saturating_mul(2);
        }
    }

    /// Positions of the anchors after `p`, in order (to put them back, see
    /// [`Index::set_anchor_positions`]).
    pub(super) fn anchors_after(&self, p: usize) -> Vec<usize> {
        self.keyframes
            .iter()
            .filter(|k| k.origin == Origin::Anchor && k.applied > p)
            .map(|k| k.applied)
            .collect()
    }

    /// Sets the positions of the anchors after `p`, in order.
    pub(super) fn set_anchor_positions(&mut self, p: usize, positions: &[usize]) {
        let anchors = self
            .keyframes
            .iter_mut()
            .filter(|k| k.origin == Origin::Anchor && k.applied > p);
        for (k, &at) in anchors.zip(positions) {
            k.applied = at;
        }
    }

    /// Events were inserted from position `p` on: the keyframes after `p` no longer hold
    /// what their position says. Replayed ones are dropped; anchors move to `moved(old
    /// position)` (events inserted at an anchor's position go after it: they are not in
    /// the chunk's keyframe). The index then covers up to the last keyframe at or
    /// before `p`, and [`Index::index`] replays from there.
    ///
    /// The spacing stays as it is: where the budget had doubled it since that keyframe,
    /// the keyframes taken again are as far apart as the latest ones (a whole-recording
    /// build would space them as they were), which keeps a late event from costing a
    /// replay from the start. Seeks give the same states either way.
    pub(super) fn invalidate(&mut self, p: usize, moved: impl Fn(usize) -> usize) {
        if p >= self.indexed {
            return;
        }
        let start = self.at_or_before((p, true)).applied;
        self.keyframes
            .retain(|k| k.applied <= start || k.origin == Origin::Anchor);
        for k in &mut self.keyframes {
            if k.applied > p {
                k.applied = moved(k.applied);
            }
        }
        self.recount();
        self.last = start;
        self.indexed = start;
        self.tip = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Limits;
    use crate::model::{EventCount, Millis};
    use crate::replay::ReplayMode;

    fn events() -> Vec<Event> {
        let path = format!(
            "{}/tests/data/corpus/login.raw.json",
            env!("CARGO_MANIFEST_DIR")
        );
        crate::rrweb::read(&std::fs::read(path).unwrap(), &Limits::DEFAULT).unwrap()
    }

    fn index(config: &ReplayConfig) -> Index {
        Index::new(State::new(Limits::DEFAULT, ReplayMode::Lenient), config)
    }

    fn positions(ix: &Index) -> Vec<usize> {
        std::iter::once(&ix.first)
            .chain(&ix.keyframes)
            .map(|k| k.applied)
            .collect()
    }

    /// Indexing in pieces takes the keyframes a single pass takes.
    #[test]
    fn indexing_in_pieces_takes_the_same_keyframes() {
        let evs = events();
        let times: Vec<i64> = evs.iter().map(|e| e.timestamp.0).collect();
        let config = ReplayConfig::default().with_keyframe_every(EventCount(20), Millis(2_000));
        let mut whole = index(&config);
        whole.index(&evs, &times).unwrap();
        assert!(whole.len() > 10);
        for piece in [1, 7, 64] {
            let mut grown = index(&config);
            let mut end = 0;
            while end < evs.len() {
                end = (end + piece).min(evs.len());
                grown.index(&evs[..end], &times[..end]).unwrap();
                if end % 3 == 0 {
                    grown.release_tip();
                }
            }
            assert_eq!(positions(&grown), positions(&whole), "pieces of {piece}");
        }
    }

    /// Over budget, every other replayed keyframe goes; anchors stay, and invalidation
    /// moves them instead of dropping them.
    #[test]
    fn anchors_survive_thinning_and_invalidation() {
        let evs = events();
        let times: Vec<i64> = evs.iter().map(|e| e.timestamp.0).collect();
        let config = ReplayConfig::default()
            .with_keyframe_every(EventCount(10), Millis(i64::MAX))
            .with_keyframe_budget(0);
        let mut ix = index(&config);
        ix.index(&evs[..50], &times[..50]).unwrap();
        let anchor = State::new(Limits::DEFAULT, ReplayMode::Lenient);
        ix.add_chunk_keyframe(50, anchor, Origin::Anchor, 0);
        ix.index(&evs, &times).unwrap();
        assert!(positions(&ix).contains(&50), "{:?}", positions(&ix));
        assert!(ix.every_events > 10, "the budget doubled the spacing");
        ix.invalidate(30, |a| a + 1);
        assert_eq!(ix.anchors_after(30), vec![51]);
        assert!(ix.indexed <= 30);
        assert!(positions(&ix).iter().all(|&a| a <= 30 || a == 51));
    }
}
