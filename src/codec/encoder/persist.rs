//! The encoder's saved form: its configuration, where the stream stands (chunk index,
//! hash chain, last timestamp), the page state its next keyframe is written from, and
//! any output not yet polled, as session state (see `crate::persist`).
//!
//! Saving closes the open chunk first ([`Encoder::save_state`]): a chunk never spans
//! two workers, and what is saved is small. The page state is saved as the keyframe
//! events that rebuild it, in the crate's own binary format, so restoring it goes
//! through the bounded, validating decoder and the same replay as any stream; the
//! restored encoder writes the same keyframes, byte for byte (tested).

use bincode::{Decode, Encode};

use super::{Compression, Encoder, EncoderConfig, Keyframes};
use crate::error::StateError;
use crate::limits::Limits;
use crate::model::{EventCount, Millis, Timestamp};
use crate::persist::{self, StateKind};
use crate::replay::{ReplayMode, State};

#[derive(Encode, Decode)]
struct SavedEncoder {
    keyframe_events: u64,
    keyframe_interval: i64,
    keyframe_bytes: u64,
    /// Brotli quality, or `None` for no compression.
    quality: Option<u32>,
    keyframes_on_cadence: bool,
    limits: [u64; 8],
    /// The page state, as keyframe events in the binary format.
    page: Vec<u8>,
    time: i64,
    applied: u64,
    index: u64,
    prev_hash: [u8; 32],
    wrote_header: bool,
    last_ts: Option<i64>,
    /// The keyframe cadence's stretch: its first timestamp, events and bytes so far.
    stretch_ts: i64,
    stretch_events: u64,
    stretch_bytes: u64,
    /// Output not yet polled, and where each closed chunk in it ends.
    out: Vec<u8>,
    ready: Vec<u64>,
}

const STAGE: &str = "encoder";

fn malformed(reason: &'static str) -> StateError {
    persist::malformed(STAGE, reason)
}

fn limits_to_words(l: &Limits) -> [u64; 8] {
    [
        l.json_depth,
        l.nodes,
        l.string_len,
        l.input_bytes,
        l.pending_adds,
        l.chunk_bytes,
        l.events_per_chunk,
        l.decoded_bytes,
    ]
    .map(|v| v as u64)
}

/// Saved limits, none above the restoring side's (a saved state cannot lift a limit).
fn limits_from_words(w: [u64; 8], cap: &Limits) -> Limits {
    let [
        json_depth,
        nodes,
        string_len,
        input_bytes,
        pending_adds,
        chunk_bytes,
        events_per_chunk,
        decoded_bytes,
    ] = w.map(|v| usize::try_from(v).unwrap_or(usize::MAX));
    Limits {
        json_depth: json_depth.min(cap.json_depth),
        nodes: nodes.min(cap.nodes),
        string_len: string_len.min(cap.string_len),
        input_bytes: input_bytes.min(cap.input_bytes),
        pending_adds: pending_adds.min(cap.pending_adds),
        chunk_bytes: chunk_bytes.min(cap.chunk_bytes),
        events_per_chunk: events_per_chunk.min(cap.events_per_chunk),
        decoded_bytes: decoded_bytes.min(cap.decoded_bytes),
    }
}

impl Encoder {
    /// The session's encoding state as bytes, for another worker or a later process to
    /// continue from with [`Encoder::restore_state`]. Closes the open chunk first, so a
    /// chunk never spans two workers; output not yet polled is carried in the state
    /// (poll before saving to hand it out here instead).
    pub fn save_state(&mut self) -> Vec<u8> {
        self.flush();
        let c = &self.config;
        let page = persist::events_to_bytes(&self.state.to_keyframe_events());
        let saved = SavedEncoder {
            keyframe_events: c.keyframe_events.0 as u64,
            keyframe_interval: c.keyframe_interval.0,
            keyframe_bytes: c.keyframe_bytes as u64,
            quality: c.compression.quality(),
            keyframes_on_cadence: c.keyframes == Keyframes::OnCadence,
            limits: limits_to_words(&c.limits),
            page,
            time: self.state.time().0,
            applied: self.applied as u64,
            index: self.index,
            prev_hash: self.prev_hash,
            wrote_header: self.wrote_header,
            last_ts: self.last_ts,
            stretch_ts: self.stretch_ts,
            stretch_events: self.stretch_events,
            stretch_bytes: self.stretch_bytes as u64,
            out: self.out.clone(),
            ready: self.ready.iter().map(|&e| e as u64).collect(),
        };
        persist::save(StateKind::Encoder, &saved)
    }

    /// An encoder that continues exactly where the one that saved `bytes` stopped: the
    /// chunks it writes next are the ones the saved encoder would have written. `bytes`
    /// are untrusted: checked and bounded by `limits` (`input_bytes` for their size;
    /// the saved configuration's limits are capped at `limits`).
    pub fn restore_state(bytes: &[u8], limits: &Limits) -> Result<Encoder, StateError> {
        let body = persist::open(StateKind::Encoder, bytes, limits.input_bytes)?;
        let s: SavedEncoder = persist::decode_body(StateKind::Encoder, body)?;
        let limits = limits_from_words(s.limits, limits);
        let config = EncoderConfig::default()
            .with_keyframe_every(
                EventCount(usize::try_from(s.keyframe_events).unwrap_or(usize::MAX)),
                Millis(s.keyframe_interval),
                usize::try_from(s.keyframe_bytes).unwrap_or(usize::MAX),
            )
            .with_compression(match s.quality {
                Some(quality) => Compression::Brotli { quality },
                None => Compression::None,
            })
            .with_keyframes(if s.keyframes_on_cadence {
                Keyframes::OnCadence
            } else {
                Keyframes::None
            })
            .with_limits(limits);
        let page = persist::events_from_bytes(StateKind::Encoder, &s.page, &limits)?;
        let mut state = State::new(limits, ReplayMode::Lenient);
        for (i, e) in page.iter().enumerate() {
            // Lenient: what the keyframe cannot rebuild is counted, as when encoding.
            let _ = state.apply(e, i);
        }
        state.set_time(Timestamp(s.time));
        let mut ready = std::collections::VecDeque::with_capacity(s.ready.len().min(1024));
        let mut last = 0usize;
        for e in s.ready {
            let e = usize::try_from(e).unwrap_or(usize::MAX);
            if e < last || e > s.out.len() {
                return Err(malformed("pending chunk offsets out of order"));
            }
            last = e;
            ready.push_back(e);
        }
        let mut enc = Encoder::new(config);
        enc.state = state;
        enc.applied = usize::try_from(s.applied).unwrap_or(usize::MAX);
        enc.index = s.index;
        enc.prev_hash = s.prev_hash;
        enc.wrote_header = s.wrote_header;
        enc.last_ts = s.last_ts;
        enc.stretch_ts = s.stretch_ts;
        enc.stretch_events = s.stretch_events;
        enc.stretch_bytes = usize::try_from(s.stretch_bytes).unwrap_or(usize::MAX);
        enc.out = s.out;
        enc.ready = ready;
        Ok(enc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Event;

    fn events() -> Vec<Event> {
        let json = br#"[
          {"type":4,"data":{"href":"https://a.test/","width":800,"height":600},"timestamp":10},
          {"type":2,"data":{"node":{"type":0,"childNodes":[{"type":2,"tagName":"html","attributes":{},"childNodes":[{"type":3,"textContent":"hi","id":3}],"id":2}],"id":1},"initialOffset":{"top":0,"left":0}},"timestamp":11},
          {"type":3,"data":{"source":0,"texts":[{"id":3,"value":"there"}],"attributes":[],"removes":[],"adds":[]},"timestamp":20},
          {"type":3,"data":{"source":4,"width":400,"height":300},"timestamp":30},
          {"type":3,"data":{"source":0,"texts":[{"id":3,"value":"again"}],"attributes":[],"removes":[],"adds":[]},"timestamp":40}
        ]"#;
        crate::rrweb::read(json, &Limits::DEFAULT).unwrap()
    }

    /// Encodes with a flush after every event, and a save and restore at `handoff`.
    fn encode_with(handoff: Option<usize>) -> Vec<u8> {
        let mut enc = Encoder::new(EncoderConfig::default());
        let mut out = Vec::new();
        for (i, e) in events().iter().enumerate() {
            if handoff == Some(i) {
                let bytes = enc.save_state();
                enc = Encoder::restore_state(&bytes, &Limits::DEFAULT).unwrap();
            }
            enc.push(e);
            enc.flush();
            while let Some(c) = enc.poll_chunk() {
                out.extend(c);
            }
        }
        enc.finish();
        while let Some(c) = enc.poll_chunk() {
            out.extend(c);
        }
        out
    }

    #[test]
    fn a_restored_encoder_writes_the_same_bytes() {
        let whole = encode_with(None);
        for at in 0..events().len() {
            assert_eq!(encode_with(Some(at)), whole, "hand-off before event {at}");
        }
    }

    #[test]
    fn unpolled_output_travels_with_the_state() {
        let mut enc = Encoder::new(EncoderConfig::default());
        for e in &events()[..2] {
            enc.push(e);
        }
        let bytes = enc.save_state();
        let mut back = Encoder::restore_state(&bytes, &Limits::DEFAULT).unwrap();
        let mut got = Vec::new();
        while let Some(c) = back.poll_chunk() {
            got.extend(c);
        }
        let mut want = Vec::new();
        while let Some(c) = enc.poll_chunk() {
            want.extend(c);
        }
        assert!(!want.is_empty());
        assert_eq!(got, want);
    }

    #[test]
    fn counts_restored_at_the_top_do_not_overflow() {
        let bytes = Encoder::new(EncoderConfig::default()).save_state();
        let body = persist::open(StateKind::Encoder, &bytes, 1 << 20).unwrap();
        let mut s: SavedEncoder = persist::decode_body(StateKind::Encoder, body).unwrap();
        s.applied = u64::MAX;
        s.index = u64::MAX;
        let bytes = persist::save(StateKind::Encoder, &s);
        let mut enc = Encoder::restore_state(&bytes, &Limits::DEFAULT).unwrap();
        for e in &events() {
            enc.push(e);
            enc.flush();
        }
        enc.finish();
        assert!(enc.poll_chunk().is_some());
        assert_eq!(enc.chunks(), u64::MAX);
    }
}
