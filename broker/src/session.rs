//! One session's pipeline on a worker: a batch of rrweb JSON in, scrubbed, encoded and
//! closed as a chunk, the chunk's bytes out; and the session to and from its saved form.

use session_replay::codec::{Encoder, EncoderConfig};
use session_replay::model::Event;
use session_replay::privacy::{Policy, Scrubber};
use session_replay::{Limits, RrwebError, StateError, rrweb};

use crate::state::{EnvelopeError, SavedSession};

/// What a batch is to a session, by its sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// The next one: apply it.
    Next,
    /// Applied already (a re-delivery after a crash between storing and
    /// acknowledging): acknowledge it and do nothing else.
    Applied,
    /// Not the next one: an earlier batch is missing.
    Gap,
}

/// A live session: its scrubber, its encoder, and how far it got.
pub struct Session {
    scrubber: Scrubber,
    encoder: Encoder,
    /// The last batch applied, `None` before the first.
    last_seq: Option<u64>,
}

/// A session read back from the store.
pub enum Restored {
    /// It goes on from here.
    Live(Box<Session>),
    /// Its last batch was applied: only re-deliveries can still come, up to this one.
    Finished {
        /// The session's last batch.
        last_seq: u64,
    },
}

/// Why a saved session does not restore.
#[derive(Debug)]
pub enum RestoreError {
    /// The envelope is damaged.
    Envelope(EnvelopeError),
    /// A stage's state is refused.
    State(StateError),
}

impl Session {
    /// A session before its first batch.
    pub fn new(policy: &Policy, encoder: EncoderConfig) -> Session {
        Session {
            scrubber: Scrubber::new(policy.clone()),
            encoder: Encoder::new(encoder),
            last_seq: None,
        }
    }

    /// The last batch applied, `None` before the first.
    pub fn last_seq(&self) -> Option<u64> {
        self.last_seq
    }

    /// Where a batch numbered `seq` stands.
    pub fn order(&self, seq: u64) -> Order {
        order(self.last_seq, seq)
    }

    /// Applies the next batch: scrubs its events, encodes them, closes the chunk (or,
    /// for the `last` batch, ends the stream) and returns the bytes to append to the
    /// session's stored output. An error leaves the session unusable (the scrubber may
    /// have taken part of the batch): the caller drops it and restores from the store.
    pub fn apply(
        &mut self,
        seq: u64,
        events: &[u8],
        last: bool,
        limits: &Limits,
    ) -> Result<Vec<u8>, RrwebError> {
        for event in scrub_batch(&mut self.scrubber, events, limits)? {
            self.encoder.push(&event);
        }
        // A batch is stored whole and acknowledged whole, so its events close their own
        // chunk: no chunk spans two batches, or two workers.
        if last {
            self.encoder.finish();
        } else {
            self.encoder.flush();
        }
        let mut out = Vec::new();
        while let Some(chunk) = self.encoder.poll_chunk() {
            out.extend_from_slice(&chunk);
        }
        self.last_seq = Some(seq);
        Ok(out)
    }

    /// The session's saved form after its last applied batch. `finished`: the last
    /// batch has been applied, so only the marker is kept.
    pub fn save(&mut self, finished: bool) -> Vec<u8> {
        let last_seq = self.last_seq.unwrap_or(0);
        if finished {
            return SavedSession {
                last_seq,
                finished,
                scrubber: &[],
                encoder: &[],
            }
            .to_bytes();
        }
        let scrubber = self.scrubber.save_state();
        // The chunk is closed and polled already, so this carries no output.
        let encoder = self.encoder.save_state();
        SavedSession {
            last_seq,
            finished,
            scrubber: &scrubber,
            encoder: &encoder,
        }
        .to_bytes()
    }

    /// The session saved in `bytes` (untrusted: checked and bounded by `limits`),
    /// under `policy`, which must be the one it was saved under.
    pub fn restore(
        policy: &Policy,
        bytes: &[u8],
        limits: &Limits,
    ) -> Result<Restored, RestoreError> {
        let saved = SavedSession::from_bytes(bytes).map_err(RestoreError::Envelope)?;
        if saved.finished {
            return Ok(Restored::Finished {
                last_seq: saved.last_seq,
            });
        }
        let scrubber = Scrubber::restore_state(policy.clone(), saved.scrubber, limits)
            .map_err(RestoreError::State)?;
        let encoder = Encoder::restore_state(saved.encoder, limits).map_err(RestoreError::State)?;
        Ok(Restored::Live(Box::new(Session {
            scrubber,
            encoder,
            last_seq: Some(saved.last_seq),
        })))
    }
}

/// Where batch `seq` stands after batch `last` (`None`: before the first).
pub fn order(last: Option<u64>, seq: u64) -> Order {
    match last {
        Some(l) if seq <= l => Order::Applied,
        Some(l) if seq == l + 1 => Order::Next,
        None if seq == 0 => Order::Next,
        _ => Order::Gap,
    }
}

/// Scrubs one batch of rrweb JSON with the session's scrubber, giving the events to
/// encode. The one place the scrubbing path is chosen: the streaming path (bytes to
/// bytes, only masked values re-written), then a read of its output for the encoder.
/// On an error the scrubber has taken the events before it (see
/// [`Scrubber::scrub_json_batch`]): the caller must not go on with this session.
fn scrub_batch(
    scrubber: &mut Scrubber,
    events: &[u8],
    limits: &Limits,
) -> Result<Vec<Event>, RrwebError> {
    let mut scrubbed = Vec::with_capacity(events.len());
    scrubber.scrub_json_batch(events, limits, &mut scrubbed)?;
    rrweb::read(&scrubbed, limits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use session_replay::codec;

    fn recording() -> Vec<u8> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/data/corpus/login.raw.json"
        );
        std::fs::read(path).unwrap()
    }

    #[test]
    fn order_follows_the_sequence() {
        assert_eq!(order(None, 0), Order::Next);
        assert_eq!(order(None, 1), Order::Gap);
        assert_eq!(order(Some(4), 5), Order::Next);
        assert_eq!(order(Some(4), 4), Order::Applied);
        assert_eq!(order(Some(4), 0), Order::Applied);
        assert_eq!(order(Some(4), 6), Order::Gap);
    }

    /// Batch by batch with a save and restore before every batch (a hand-off each
    /// time) gives the whole-stream scrub, and a clean, chained binary stream.
    #[test]
    fn batches_with_a_hand_off_before_each_give_the_whole_stream() {
        let json = recording();
        let policy = Policy::private();
        let limits = Limits::DEFAULT;
        let batches = crate::split::split_batches(&json, 20).unwrap();
        let mut saved: Option<Vec<u8>> = None;
        let mut out = Vec::new();
        for (i, b) in batches.iter().enumerate() {
            let mut s = match saved.take() {
                None => Session::new(&policy, EncoderConfig::default()),
                Some(bytes) => match Session::restore(&policy, &bytes, &limits) {
                    Ok(Restored::Live(s)) => *s,
                    _ => panic!("batch {i}: state does not restore"),
                },
            };
            assert_eq!(s.order(i as u64), Order::Next);
            let last = i + 1 == batches.len();
            out.extend(s.apply(i as u64, b, last, &limits).unwrap());
            saved = Some(s.save(last));
        }
        let Ok(Restored::Finished { last_seq }) =
            Session::restore(&policy, &saved.unwrap(), &limits)
        else {
            panic!("the last state is not the finished marker");
        };
        assert_eq!(last_seq, batches.len() as u64 - 1);

        let decoded = codec::decode(&out, &limits);
        assert!(decoded.is_clean());
        assert!(codec::verify(&out, &limits).is_ok());
        let (whole, _) =
            session_replay::privacy::scrub_rrweb_json(&json, &policy, &limits).unwrap();
        let got: serde_json::Value =
            serde_json::from_slice(&rrweb::write_events(&decoded.events)).unwrap();
        let want: serde_json::Value = serde_json::from_slice(&whole).unwrap();
        assert_eq!(got, want);
    }

    #[test]
    fn a_state_under_another_policy_is_refused() {
        let json = recording();
        let limits = Limits::DEFAULT;
        let batch = &crate::split::split_batches(&json, 20).unwrap()[0];
        let mut s = Session::new(&Policy::private(), EncoderConfig::default());
        s.apply(0, batch, false, &limits).unwrap();
        let bytes = s.save(false);
        assert!(matches!(
            Session::restore(&Policy::relaxed(), &bytes, &limits),
            Err(RestoreError::State(StateError::PolicyMismatch))
        ));
        assert!(matches!(
            Session::restore(&Policy::private(), &bytes[..10], &limits),
            Err(RestoreError::Envelope(EnvelopeError::Truncated { at: 10 }))
        ));
    }
}
