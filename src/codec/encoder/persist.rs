//! The encoder's saved form: its configuration, where the stream stands (chunk index,
//! hash chain, last timestamp, the open segment's string table and coding state, the
//! stream's assets), the page state its next keyframe is written from, and any output
//! not yet polled, as session state (see `crate::persist`).
//!
//! Saving closes the open chunk first ([`Encoder::save_state`]): a chunk never spans
//! two workers, and what is saved is small. The page state is saved as the keyframe
//! events that rebuild it, in the crate's own binary format, so restoring it goes
//! through the bounded, validating decoder and the same replay as any stream; the
//! restored encoder writes the same keyframes, byte for byte (tested).

use bincode::{Decode, Encode};

use super::super::assets::{Asset, AssetHash, AssetMode, Registry};
use super::super::wire::{Ctx, SavedCtx, Strings};
use super::{Compression, Encoder, EncoderConfig, Keyframes};
use crate::error::StateError;
use crate::limits::Limits;
use crate::model::{EventCount, Millis, Timestamp};
use crate::persist::{self, StateKind};
use crate::replay::{ReplayMode, State};

#[derive(Encode, Decode)]
struct SavedEncoder {
    /// The chunk cadence: events, interval, bytes.
    chunk_every: (u64, i64, u64),
    /// The keyframe rule: cost, minimum bytes, maximum interval.
    keyframe_cost: (u32, u64, i64),
    /// Brotli quality, or `None` for no compression.
    quality: Option<u32>,
    /// Whether compressed streams start from the built-in dictionary.
    dictionary: bool,
    keyframes_by_cost: bool,
    external_assets: bool,
    asset_min: u64,
    limits: [u64; 8],
    /// The page state, as keyframe events in the binary format.
    page: Vec<u8>,
    time: i64,
    applied: u64,
    index: u64,
    prev_hash: [u8; 32],
    wrote_header: bool,
    last_ts: Option<i64>,
    /// The chunk cadence's stretch: its first timestamp, events and bytes so far.
    stretch: (i64, u64, u64),
    /// The open segment: whether one is, its start, keyframe and event bytes; event
    /// chunks so far.
    segment: (bool, i64, u64, u64, u64),
    /// The segment's string table: each string, its section and asset number.
    strings: Vec<(String, u8, Option<u64>)>,
    ctx: SavedCtx,
    /// Every asset's hash, in number order; assets not yet handed to the host.
    assets: Vec<[u8; 32]>,
    assets_out: Vec<([u8; 32], String)>,
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
    /// (poll before saving to hand it out here instead). The segment goes on after a
    /// restore (no keyframe is added), but its compressed stream starts anew, whether
    /// or not this encoder is the one that goes on: the compressor's history is not part
    /// of the state, and the chunks after a save are the same bytes either way.
    pub fn save_state(&mut self) -> Vec<u8> {
        self.flush();
        self.zip.restart();
        let c = &self.config;
        let page = persist::events_to_bytes(&self.state.to_keyframe_events());
        let saved = SavedEncoder {
            chunk_every: (
                c.chunk_events.0 as u64,
                c.chunk_interval.0,
                c.chunk_bytes as u64,
            ),
            keyframe_cost: (
                c.keyframe_cost,
                c.keyframe_min_bytes as u64,
                c.keyframe_max_interval.0,
            ),
            quality: c.compression.quality(),
            dictionary: c.dictionary,
            keyframes_by_cost: c.keyframes == Keyframes::ByCost,
            external_assets: c.assets == AssetMode::External,
            asset_min: c.asset_min as u64,
            limits: limits_to_words(&c.limits),
            page,
            time: self.state.time().0,
            applied: self.applied as u64,
            index: self.index,
            prev_hash: self.prev_hash,
            wrote_header: self.wrote_header,
            last_ts: self.last_ts,
            stretch: (
                self.stretch_ts,
                self.stretch_events,
                self.stretch_bytes as u64,
            ),
            segment: (
                self.seg_open,
                self.seg_ts,
                self.seg_key_bytes as u64,
                self.seg_bytes as u64,
                self.seq,
            ),
            strings: self.enc.strings.entries(),
            ctx: self.enc.ctx.save(),
            assets: self.enc.assets.hashes(),
            assets_out: self
                .assets_out
                .iter()
                .map(|a| (a.hash.0, a.text.clone()))
                .collect(),
            out: self.out.clone(),
            ready: self.ready.iter().map(|&e| e as u64).collect(),
        };
        persist::save(StateKind::Encoder, &saved)
    }

    /// An encoder that continues exactly where the one that saved `bytes` stopped: the
    /// chunks it writes next hold the events the saved encoder's would have, in the same
    /// segments (byte for byte without compression). `bytes` are untrusted: checked and
    /// bounded by `limits` (`input_bytes` for their size; the saved configuration's
    /// limits are capped at `limits`).
    pub fn restore_state(bytes: &[u8], limits: &Limits) -> Result<Encoder, StateError> {
        let body = persist::open(StateKind::Encoder, bytes, limits.input_bytes)?;
        let s: SavedEncoder = persist::decode_body(StateKind::Encoder, body)?;
        let limits = limits_from_words(s.limits, limits);
        let size = |v: u64| usize::try_from(v).unwrap_or(usize::MAX);
        let config = EncoderConfig::default()
            .with_chunk_every(
                EventCount(size(s.chunk_every.0)),
                Millis(s.chunk_every.1),
                size(s.chunk_every.2),
            )
            .with_keyframe_cost(
                s.keyframe_cost.0,
                size(s.keyframe_cost.1),
                Millis(s.keyframe_cost.2),
            )
            .with_compression(match s.quality {
                Some(quality) => Compression::Brotli { quality },
                None => Compression::None,
            })
            .with_keyframes(if s.keyframes_by_cost {
                Keyframes::ByCost
            } else {
                Keyframes::None
            })
            .with_assets(
                if s.external_assets {
                    AssetMode::External
                } else {
                    AssetMode::Inline
                },
                size(s.asset_min),
            )
            .with_dictionary(s.dictionary)
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
            let e = size(e);
            if e < last || e > s.out.len() {
                return Err(malformed("pending chunk offsets out of order"));
            }
            last = e;
            ready.push_back(e);
        }
        if s.strings.len() > limits.nodes {
            return Err(malformed("string table larger than the limits"));
        }
        let n_assets = s.assets.len() as u64;
        let strings = Strings::from_entries(s.strings, n_assets)
            .ok_or_else(|| malformed("string table that does not hold together"))?;
        let mut enc = Encoder::new(config);
        enc.state = state;
        enc.applied = size(s.applied);
        enc.index = s.index;
        enc.prev_hash = s.prev_hash;
        enc.wrote_header = s.wrote_header;
        enc.last_ts = s.last_ts;
        (enc.stretch_ts, enc.stretch_events) = (s.stretch.0, s.stretch.1);
        enc.stretch_bytes = size(s.stretch.2);
        let (open, ts, key, bytes, seq) = s.segment;
        (enc.seg_open, enc.seg_ts, enc.seq) = (open, ts, seq);
        (enc.seg_key_bytes, enc.seg_bytes) = (size(key), size(bytes));
        enc.enc.strings = strings;
        enc.enc.ctx = Ctx::restore(s.ctx);
        enc.enc.assets = Registry::from_hashes(s.assets);
        enc.assets_out = s
            .assets_out
            .into_iter()
            .map(|(h, text)| Asset {
                hash: AssetHash(h),
                text,
            })
            .collect();
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
    fn encode_with(handoff: Option<usize>, config: EncoderConfig) -> Vec<u8> {
        encode_saving(handoff, config, true)
    }

    /// [`encode_with`] with a save at `at` that the same encoder goes on from.
    fn saved_only(at: usize, config: EncoderConfig) -> Vec<u8> {
        encode_saving(Some(at), config, false)
    }

    /// Encodes with a flush after every event and a save before event `save`, restored
    /// into a new encoder if `restore`.
    fn encode_saving(save: Option<usize>, config: EncoderConfig, restore: bool) -> Vec<u8> {
        let mut enc = Encoder::new(config);
        let mut out = Vec::new();
        for (i, e) in events().iter().enumerate() {
            if save == Some(i) {
                let bytes = enc.save_state();
                if restore {
                    enc = Encoder::restore_state(&bytes, &Limits::DEFAULT).unwrap();
                }
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

    /// A restored encoder writes the same bytes as the one that saved would have (with
    /// compression too: saving restarts the compressed stream either way), and the
    /// same events as one that never saved.
    #[test]
    fn a_restored_encoder_goes_on_where_it_stopped() {
        let plain = EncoderConfig::default().with_compression(Compression::None);
        let whole = encode_with(None, plain);
        for at in 0..events().len() {
            assert_eq!(
                encode_with(Some(at), plain),
                whole,
                "hand-off before event {at}"
            );
        }
        // With and without the built-in dictionary: a restored encoder keeps the
        // setting (the bytes would differ from the saving encoder's otherwise).
        let with = EncoderConfig::default();
        let without = with.with_dictionary(false);
        assert_ne!(encode_with(None, with), encode_with(None, without));
        for packed in [with, without] {
            let whole = crate::codec::decode(&encode_with(None, packed), &Limits::DEFAULT);
            assert!(whole.is_clean());
            assert_eq!(whole.events, events());
            for at in 0..events().len() {
                let bytes = encode_with(Some(at), packed);
                assert_eq!(bytes, saved_only(at, packed), "hand-off before event {at}");
                let back = crate::codec::decode(&bytes, &Limits::DEFAULT);
                assert!(back.is_clean(), "{:?}", back.errors);
                assert_eq!(back.events, whole.events, "hand-off before event {at}");
                assert!(crate::codec::verify(&bytes, &Limits::DEFAULT).is_ok());
            }
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
