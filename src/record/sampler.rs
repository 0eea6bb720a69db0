//! Pointer, touch and drag sampling with batching, and per-target scroll throttling:
//! what decides which of the host's many move and scroll callbacks become events, and
//! when.
//!
//! The sampler only keeps state and says what is due; the recorder turns what it hands
//! back into events. [`Sampler::deadline`] says when the next thing held here is due,
//! for [`Recorder::poll_timeout`](super::Recorder::poll_timeout).

use std::collections::BTreeMap;

use bincode::{Decode, Encode};

use super::persist::malformed;
use crate::error::StateError;
use crate::model::{Millis, MoveSource, NodeId, Num, PointerMoves, Position, Timestamp};

/// One kept pointer sample: when, where, over which node.
type Sample = (Timestamp, f64, f64, NodeId);

/// The sampling state.
#[derive(Debug)]
pub(super) struct Sampler {
    /// Keep at most one pointer sample per this span.
    sample_every: Millis,
    /// Send the kept samples as one event this long after the first.
    batch_every: Millis,
    /// At most one scroll event per target per this span.
    scroll_every: Millis,
    /// The samples of the batch being built, oldest first.
    moves: Vec<Sample>,
    /// What the batch's samples come from; another source closes the batch, since an
    /// rrweb moves event has one source.
    source: MoveSource,
    /// When the batch's first sample was kept; `Some` exactly when `moves` is not empty.
    batch_started: Option<Timestamp>,
    last_sample: Option<Timestamp>,
    /// When each target's last scroll event went out.
    scroll_last: BTreeMap<NodeId, Timestamp>,
    /// The latest position of each target whose scroll was held back, and when it came.
    scroll_pending: BTreeMap<NodeId, (f64, f64, Timestamp)>,
}

// The small checks are `#[inline]`: they run on every pointer callback, the host's most
// frequent call.
impl Sampler {
    pub(super) fn new(sample_every: Millis, batch_every: Millis, scroll_every: Millis) -> Self {
        Sampler {
            sample_every,
            batch_every,
            scroll_every,
            moves: Vec::new(),
            source: MoveSource::Mouse,
            batch_started: None,
            last_sample: None,
            scroll_last: BTreeMap::new(),
            scroll_pending: BTreeMap::new(),
        }
    }

    /// Makes `source` the batch's source. When it changes, the batch built so far (of
    /// the old source) is handed back to go out first.
    pub(super) fn switch_source(
        &mut self,
        source: MoveSource,
        now: Timestamp,
    ) -> Option<PointerMoves> {
        if source == self.source {
            return None;
        }
        let batch = self.take_batch(now);
        self.source = source;
        batch
    }

    /// Offers a pointer sample; returns whether it was kept (at most one per
    /// `sample_every`).
    #[inline]
    pub(super) fn sample(&mut self, id: NodeId, x: f64, y: f64, now: Timestamp) -> bool {
        if self
            .last_sample
            .is_some_and(|l| now.since(l) < self.sample_every)
        {
            return false;
        }
        self.last_sample = Some(now);
        self.moves.push((now, x, y, id));
        self.batch_started.get_or_insert(now);
        true
    }

    /// When the batch being built is due to go out.
    fn batch_deadline(&self) -> Option<Timestamp> {
        self.batch_started
            .map(|s| s.saturating_add(self.batch_every))
    }

    /// Whether the batch being built is due at `now`.
    #[inline]
    pub(super) fn batch_due(&self, now: Timestamp) -> bool {
        self.batch_started
            .is_some_and(|s| now.since(s) >= self.batch_every)
    }

    /// The batch built so far as one event at `now` (each sample's time an offset from
    /// it), or `None` when there is none.
    pub(super) fn take_batch(&mut self, now: Timestamp) -> Option<PointerMoves> {
        if self.moves.is_empty() {
            return None;
        }
        let positions = std::mem::take(&mut self.moves)
            .into_iter()
            .map(|(t, x, y, id)| Position {
                x: Num::from_f64(x.round()),
                y: Num::from_f64(y.round()),
                id,
                time_offset: Num::Int(t.millis_since(now)),
                extra: Vec::new(),
            })
            .collect();
        self.batch_started = None;
        Some(PointerMoves {
            source: self.source,
            positions,
            extra: Vec::new(),
        })
    }

    /// Whether a scroll of `id` may go out at `now` (its throttle is over).
    fn scroll_due(&self, id: NodeId, now: Timestamp) -> bool {
        self.scroll_last
            .get(&id)
            .is_none_or(|&l| now.since(l) >= self.scroll_every)
    }

    /// Offers a scroll of `id`; returns whether it goes out now. When not, it is held
    /// back (replacing one held before: the last position wins) until its target's
    /// throttle ends.
    pub(super) fn scroll(&mut self, id: NodeId, x: f64, y: f64, now: Timestamp) -> bool {
        if self.scroll_due(id, now) {
            self.scroll_pending.remove(&id);
            self.scroll_last.insert(id, now);
            true
        } else {
            self.scroll_pending.insert(id, (x, y, now));
            false
        }
    }

    /// The held-back scrolls whose throttle is over at `now`, in target order, taken
    /// out as sent at `now`.
    pub(super) fn take_due_scrolls(&mut self, now: Timestamp) -> Vec<(NodeId, f64, f64)> {
        let due: Vec<(NodeId, f64, f64)> = self
            .scroll_pending
            .iter()
            .filter(|(id, _)| self.scroll_due(**id, now))
            .map(|(id, &(x, y, _))| (*id, x, y))
            .collect();
        for &(id, _, _) in &due {
            self.scroll_pending.remove(&id);
            self.scroll_last.insert(id, now);
        }
        due
    }

    /// Every held-back scroll, in target order, taken out (when recording stops).
    pub(super) fn take_pending_scrolls(&mut self) -> Vec<(NodeId, f64, f64)> {
        std::mem::take(&mut self.scroll_pending)
            .into_iter()
            .map(|(id, (x, y, _))| (id, x, y))
            .collect()
    }

    /// Drops the batch being built and every held-back scroll (consent withdrawn). The
    /// throttle's memory stays: the sampler behaves as if they had gone out.
    pub(super) fn drop_pending(&mut self) {
        self.moves.clear();
        self.batch_started = None;
        self.scroll_pending.clear();
    }

    /// The earliest time something held here is due: the batch, or a held-back scroll.
    pub(super) fn deadline(&self) -> Option<Timestamp> {
        let scroll = self
            .scroll_pending
            .iter()
            .map(|(id, &(_, _, at))| {
                // A scroll held back without a previous one cannot happen (the first is
                // always due); if it did, it would be due when it came.
                self.scroll_last
                    .get(id)
                    .map_or(at, |l| l.saturating_add(self.scroll_every))
            })
            .min();
        match (self.batch_deadline(), scroll) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// The sampler as saved: its settings, the batch being built, and each target's
/// throttle, in target order. Positions are saved bit for bit (a host may report any
/// `f64`; rounding happens when the batch goes out).
#[derive(Encode, Decode)]
pub(super) struct SavedSampler {
    sample_every: i64,
    batch_every: i64,
    scroll_every: i64,
    moves: Vec<(i64, f64, f64, i32)>,
    /// The batch's source, as rrweb's code.
    source: i64,
    batch_started: Option<i64>,
    last_sample: Option<i64>,
    scroll_last: Vec<(i32, i64)>,
    scroll_pending: Vec<(i32, f64, f64, i64)>,
}

/// Whether `ids` are strictly increasing (as a map's keys are).
fn increasing(mut ids: impl Iterator<Item = i32>) -> bool {
    let Some(mut last) = ids.next() else {
        return true;
    };
    ids.all(|id| std::mem::replace(&mut last, id) < id)
}

impl Sampler {
    pub(super) fn save(&self) -> SavedSampler {
        SavedSampler {
            sample_every: self.sample_every.0,
            batch_every: self.batch_every.0,
            scroll_every: self.scroll_every.0,
            moves: (self.moves.iter())
                .map(|&(t, x, y, id)| (t.0, x, y, id.0))
                .collect(),
            source: self.source.code(),
            batch_started: self.batch_started.map(|t| t.0),
            last_sample: self.last_sample.map(|t| t.0),
            scroll_last: (self.scroll_last.iter())
                .map(|(id, t)| (id.0, t.0))
                .collect(),
            scroll_pending: (self.scroll_pending.iter())
                .map(|(id, &(x, y, t))| (id.0, x, y, t.0))
                .collect(),
        }
    }

    /// A sampler from its saved form, checked: a batch has a start exactly when it has
    /// samples, and starts at its first sample; the source is one the recorder uses;
    /// targets are in order, and a held-back scroll has a throttle holding it.
    pub(super) fn restore(s: SavedSampler) -> Result<Sampler, StateError> {
        if s.batch_started != s.moves.first().map(|m| m.0) {
            return Err(malformed(
                "the pointer batch's start is not its first sample",
            ));
        }
        let source = match MoveSource::from_code(s.source) {
            MoveSource::Other(_) => return Err(malformed("unknown pointer source")),
            known => known,
        };
        if !increasing(s.scroll_last.iter().map(|e| e.0))
            || !increasing(s.scroll_pending.iter().map(|e| e.0))
        {
            return Err(malformed("scroll targets out of order"));
        }
        let scroll_last: BTreeMap<NodeId, Timestamp> = (s.scroll_last.into_iter())
            .map(|(id, t)| (NodeId(id), Timestamp(t)))
            .collect();
        let mut scroll_pending = BTreeMap::new();
        for (id, x, y, t) in s.scroll_pending {
            if !scroll_last.contains_key(&NodeId(id)) {
                return Err(malformed("a held-back scroll has no throttle"));
            }
            scroll_pending.insert(NodeId(id), (x, y, Timestamp(t)));
        }
        Ok(Sampler {
            sample_every: Millis(s.sample_every),
            batch_every: Millis(s.batch_every),
            scroll_every: Millis(s.scroll_every),
            moves: (s.moves.into_iter())
                .map(|(t, x, y, id)| (Timestamp(t), x, y, NodeId(id)))
                .collect(),
            source,
            batch_started: s.batch_started.map(Timestamp),
            last_sample: s.last_sample.map(Timestamp),
            scroll_last,
            scroll_pending,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn busy() -> Sampler {
        let mut s = Sampler::new(Millis(50), Millis(500), Millis(100));
        s.switch_source(MoveSource::Touch, Timestamp(0));
        s.sample(NodeId(3), 1.5, f64::NAN, Timestamp(10));
        s.sample(NodeId(4), -0.0, 2.0, Timestamp(70));
        s.scroll(NodeId(1), 0.0, 5.0, Timestamp(20));
        s.scroll(NodeId(1), 0.0, 6.0, Timestamp(30));
        s.scroll(NodeId(9), 0.0, 1.0, Timestamp(40));
        s
    }

    #[test]
    fn round_trips_bit_for_bit() {
        let s = busy();
        let back = Sampler::restore(s.save()).unwrap();
        let enc = |s: &Sampler| bincode::encode_to_vec(s.save(), bincode::config::standard());
        assert_eq!(enc(&back).unwrap(), enc(&s).unwrap());
        assert_eq!(back.deadline(), s.deadline());
        let (mut a, mut b) = (s, back);
        assert_eq!(
            format!("{:?}", a.take_batch(Timestamp(90))),
            format!("{:?}", b.take_batch(Timestamp(90)))
        );
        assert_eq!(
            a.take_due_scrolls(Timestamp(200)),
            b.take_due_scrolls(Timestamp(200))
        );
    }

    fn reason(s: SavedSampler) -> &'static str {
        match Sampler::restore(s) {
            Err(StateError::Malformed { reason, .. }) => reason,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn states_the_sampler_never_holds_are_refused() {
        let mut s = busy().save();
        s.batch_started = None;
        assert_eq!(
            reason(s),
            "the pointer batch's start is not its first sample"
        );
        let mut s = busy().save();
        s.moves.clear();
        assert_eq!(
            reason(s),
            "the pointer batch's start is not its first sample"
        );
        let mut s = busy().save();
        s.source = 99;
        assert_eq!(reason(s), "unknown pointer source");
        let mut s = busy().save();
        s.scroll_last.push((0, 5));
        assert_eq!(reason(s), "scroll targets out of order");
        let mut s = busy().save();
        s.scroll_pending.push((20, 0.0, 0.0, 5));
        assert_eq!(reason(s), "a held-back scroll has no throttle");
    }
}
