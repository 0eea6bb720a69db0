//! The replayer's saved form: its configuration, the recording it holds, and where it
//! stands, as session state (see `crate::persist`), so a live session's viewer or a
//! long analysis can move to another process and go on from the same moment.
//!
//! The keyframes are not saved: they are rebuilt from the events on restore (one pass,
//! as when the replayer was built), which keeps the state small and means a restored
//! replayer's keyframes cannot disagree with its events. The events are saved in the
//! crate's binary format and read back with the bounded decoder.

use bincode::{Decode, Encode};

use super::replayer::{ReplayConfig, Replayer};
use crate::error::StateError;
use crate::limits::Limits;
use crate::model::{EventCount, Millis, Timestamp};
use crate::persist::{self, StateKind};

#[derive(Encode, Decode)]
struct SavedReplayer {
    keyframe_events: u64,
    keyframe_interval: i64,
    keyframe_budget_bytes: u64,
    /// The events, in the order the replayer applies them, in the binary format.
    events: Vec<u8>,
    /// The time of the state the replayer was at, if it had applied anything.
    at: Option<i64>,
}

impl Replayer {
    /// The replayer's state as bytes, for another process to continue from with
    /// [`Replayer::restore_state`]: its configuration (but its limits, which the
    /// restoring side sets), every event it holds, and the moment it was at.
    pub fn save_state(&self) -> Vec<u8> {
        let c = self.config();
        let saved = SavedReplayer {
            keyframe_events: c.keyframe_events.0 as u64,
            keyframe_interval: c.keyframe_interval.0,
            keyframe_budget_bytes: c.keyframe_budget_bytes as u64,
            events: persist::events_to_bytes(self.events()),
            at: (self.applied() > 0).then(|| self.state().time().0),
        };
        persist::save(StateKind::Replayer, &saved)
    }

    /// A replayer that holds what the saved one held, at the moment it was at (its
    /// state has the same [`State::hash`](super::State::hash)). `bytes` are untrusted:
    /// checked and bounded by `limits`, which also become the replayer's limits.
    pub fn restore_state(bytes: &[u8], limits: &Limits) -> Result<Replayer, StateError> {
        let body = persist::open(StateKind::Replayer, bytes, limits.input_bytes)?;
        let s: SavedReplayer = persist::decode_body(StateKind::Replayer, body)?;
        let events = persist::events_from_bytes(StateKind::Replayer, &s.events, limits)?;
        let config = ReplayConfig::default()
            .with_limits(*limits)
            .with_keyframe_every(
                EventCount(usize::try_from(s.keyframe_events).unwrap_or(usize::MAX)),
                Millis(s.keyframe_interval),
            )
            .with_keyframe_budget(usize::try_from(s.keyframe_budget_bytes).unwrap_or(usize::MAX));
        let mut r = Replayer::new(events, config);
        if let Some(t) = s.at {
            r.seek(Timestamp(t));
        }
        Ok(r)
    }
}
