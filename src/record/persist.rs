//! The recorder's saved form: each part's own saved form (the mirror's, the sheets',
//! the sampler's, the cadence's and the consent gate's, each beside its part), the nested
//! stages' sealed states (the scrubber's, the encoder's) as byte strings, and the
//! chunks not yet polled, as session state (see `crate::persist`).
//!
//! A host saves after one call and restores before the next (another worker, another
//! process, the next page of a visit in a browser): the restored recorder hands out
//! the events and chunks the saved one would have. Saving closes the open encoded
//! chunk (as [`Encoder::save_state`] does: a chunk never spans two workers) and queues
//! it for [`Recorder::poll_chunk`]. The configuration travels in the state (each
//! part's settings, the encoder's configuration, the privacy signal); the policy does
//! not (the restoring side supplies it, and the scrubber's digest checks it).
//!
//! Restoring checks each part before anything is built from it: the envelope and
//! checksum, then the body bounded by its size (`persist::decode_body`), then each
//! part against `Limits` and its own invariants (in its own file), then what ties
//! them together (no output kept after a withdrawal), and each nested stage through
//! its own `restore_state`.

use std::collections::VecDeque;

use bincode::{Decode, Encode};

use super::Recorder;
use super::cadence::{Cadence, SavedCadence};
use super::mirror::{Mirror, SavedMirror};
use super::recorder::Page;
use super::sampler::{Sampler, SavedSampler};
use super::sheets::{SavedSheets, Sheets};
use crate::codec::Encoder;
use crate::error::StateError;
use crate::limits::Limits;
use crate::persist::{self, StateKind};
use crate::privacy::{Consent, ConsentGate, Policy, SavedGate, Scrubber};

#[derive(Encode, Decode)]
struct SavedRecorder {
    /// The scrubber's sealed state.
    scrubber: Vec<u8>,
    gate: SavedGate,
    mirror: SavedMirror,
    sheets: SavedSheets,
    sampler: SavedSampler,
    cadence: SavedCadence,
    /// The encoder's sealed state, with encoding on and not stopped.
    encoder: Option<Vec<u8>>,
    /// Closed chunks not yet polled, oldest first.
    chunks: Vec<Vec<u8>>,
    /// The page a keyframe restates.
    page: Option<Page>,
}

/// The stage name in errors about the recorder's own parts.
pub(super) const STAGE: &str = "recorder";

pub(super) fn malformed(reason: &'static str) -> StateError {
    persist::malformed(STAGE, reason)
}

/// The recorder's state, sealed (see [`Recorder::save_state`]).
pub(super) fn save(r: &mut Recorder) -> Vec<u8> {
    let chunks = &mut r.chunks;
    let encoder = r.encoder.as_mut().map(|enc| {
        enc.flush();
        chunks.extend(std::iter::from_fn(|| enc.poll_chunk()));
        enc.save_state()
    });
    let saved = SavedRecorder {
        scrubber: r.scrubber.save_state(),
        gate: r.gate.save(),
        mirror: r.mirror.save(),
        sheets: r.sheets.save(|id| r.mirror.contains(id)),
        sampler: r.sampler.save(),
        cadence: r.cadence.save(),
        encoder,
        chunks: r.chunks.iter().cloned().collect(),
        page: r.page.clone(),
    };
    persist::save(StateKind::Recorder, &saved)
}

/// A recorder from saved state, checked (see [`Recorder::restore_state`]).
pub(super) fn restore(
    policy: Policy,
    bytes: &[u8],
    limits: &Limits,
) -> Result<Recorder, StateError> {
    let body = persist::open(StateKind::Recorder, bytes, limits.input_bytes)?;
    let s: SavedRecorder = persist::decode_body(StateKind::Recorder, body)?;
    // The cheap parts first, the ones that decode events or rebuild pages after.
    let mirror = Mirror::restore(s.mirror, limits)?;
    let sheets = Sheets::restore(s.sheets, |id| mirror.contains(id))?;
    let sampler = Sampler::restore(s.sampler)?;
    let cadence = Cadence::restore(s.cadence)?;
    let gate = ConsentGate::restore(s.gate, limits)?;
    if gate.consent() == Consent::Withdrawn && (s.encoder.is_some() || !s.chunks.is_empty()) {
        // Withdrawal drops the chunks and the encoder with the events.
        return Err(malformed("recorded output kept after a withdrawal"));
    }
    let scrubber = Scrubber::restore_state(policy, &s.scrubber, limits)?;
    let mut chunks: VecDeque<Vec<u8>> = s.chunks.into();
    let encoder = match s.encoder {
        Some(b) => {
            let mut enc = Encoder::restore_state(&b, limits)?;
            // A state saved here has no output left in its encoder; any other's goes
            // out in order, after the queued chunks.
            chunks.extend(std::iter::from_fn(|| enc.poll_chunk()));
            Some(enc)
        }
        None => None,
    };
    Ok(Recorder {
        scrubber,
        gate,
        mirror,
        sheets,
        sampler,
        cadence,
        encoder,
        chunks,
        page: s.page,
    })
}
