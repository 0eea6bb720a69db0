//! The same-run baseline: every session's batches through the same pipeline in this
//! process, without Redis, timed with and without the state save each batch pays.

use std::time::{Duration, Instant};

use crate::config::Shared;
use crate::error::{BrokerError, Result};
use crate::producer::Recording;
use crate::session::Session;
use crate::split::split_batches;
use crate::state::SavedSession;

/// The in-process times.
#[derive(Debug, Clone, Copy)]
pub struct Baseline {
    /// Scrub, encode and close a chunk, batch by batch.
    pub apply: Duration,
    /// The same, saving the session's state after each batch as the workers do.
    pub apply_and_save: Duration,
    /// Bytes of saved state, summed over every batch.
    pub state_bytes: usize,
    /// Of which the scrubbers' states.
    pub scrubber_bytes: usize,
    /// Of which the encoders' states.
    pub encoder_bytes: usize,
}

/// Runs every recording's batches of `per_batch` events through one session each.
pub fn measure(recordings: &[Recording], per_batch: usize, shared: &Shared) -> Result<Baseline> {
    let policy = shared.policy();
    let limits = shared.limits();
    let mut split = Vec::new();
    for r in recordings {
        split.push(
            split_batches(&r.json, per_batch).map_err(|source| BrokerError::Recording {
                path: r.session.clone(),
                source,
            })?,
        );
    }
    let pass = |save: bool| -> Result<(Duration, [usize; 3])> {
        let start = Instant::now();
        let mut bytes = [0; 3];
        for (r, batches) in recordings.iter().zip(&split) {
            let mut s = Session::new(&policy, shared.encoder());
            for (seq, events) in batches.iter().enumerate() {
                let last = seq + 1 == batches.len();
                s.apply(seq as u64, events, last, &limits)
                    .map_err(|source| BrokerError::Batch {
                        session: r.session.clone(),
                        seq: seq as u64,
                        source,
                    })?;
                if save {
                    let state = s.save(last);
                    bytes[0] += state.len();
                    if let Ok(saved) = SavedSession::from_bytes(&state) {
                        bytes[1] += saved.scrubber.len();
                        bytes[2] += saved.encoder.len();
                    }
                }
            }
        }
        Ok((start.elapsed(), bytes))
    };
    let (apply, _) = pass(false)?;
    let (apply_and_save, [state_bytes, scrubber_bytes, encoder_bytes]) = pass(true)?;
    Ok(Baseline {
        apply,
        apply_and_save,
        state_bytes,
        scrubber_bytes,
        encoder_bytes,
    })
}
