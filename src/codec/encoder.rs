//! The streaming encoder: cuts chunks, places keyframes by cost, writes asset chunks
//! before the chunks that use them, and compresses each segment as one stream.

mod config;
mod persist;

use std::collections::VecDeque;

pub use config::{Compression, EncoderConfig, Keyframes};

use super::assets::{Asset, AssetMode, write_asset_body};
use super::body::{KeyframeCounts, write_event_body};
use super::compress::{Start, StreamCompressor, compress_once};
use super::dictionary;
use super::frame::{
    self, FLAG_COMPRESSED, P_ASSETS, P_COMPRESSED, P_DICT, P_FRESH, P_KEYFRAME, P_PRIMED,
    PayloadHead,
};
use super::primer::Primer;
use super::varint::Buf;
use super::wire::{Ctx, Enc};
use crate::model::{Event, EventKind};
use crate::replay::{ReplayMode, State};

/// A segment's string table past this many strings or bytes makes the next chunk the
/// cadence opens a keyframe chunk, far below what a reader accepts by default
/// (`Limits::nodes`, `Limits::decoded_bytes`).
const SEGMENT_STRINGS: usize = 1 << 19;
const SEGMENT_STRING_BYTES: usize = 32 << 20;

/// A sans-IO streaming encoder: [`push`](Encoder::push) events in, then drain
/// [`poll_chunk`](Encoder::poll_chunk) until `None`; each closed chunk comes out once.
/// At the end, [`finish`](Encoder::finish) and drain again. With
/// [`AssetMode::External`], also drain [`poll_asset`](Encoder::poll_asset).
///
/// ```
/// use session_replay::{codec::{self, Encoder, EncoderConfig}, rrweb, Limits};
/// let events = rrweb::read(br#"[{"type":4,"data":{"href":"https://a.test/","width":800,"height":600},"timestamp":1}]"#, &Limits::DEFAULT)?;
/// let mut enc = Encoder::new(EncoderConfig::default());
/// let mut bytes = Vec::new();
/// for e in &events {
///     enc.push(e);
///     while let Some(chunk) = enc.poll_chunk() {
///         bytes.extend(chunk); // upload or store as chunks close
///     }
/// }
/// enc.finish();
/// while let Some(chunk) = enc.poll_chunk() {
///     bytes.extend(chunk);
/// }
/// let back = codec::decode(&bytes, &Limits::DEFAULT);
/// assert!(back.is_clean());
/// assert_eq!(back.events, events);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Encoder {
    config: EncoderConfig,
    /// The page state replayed from every event pushed, for keyframes.
    state: State,
    /// Events applied to `state` (its event index for diagnostics).
    applied: usize,
    index: u64,
    prev_hash: [u8; 32],
    wrote_header: bool,
    /// The last event's timestamp: the cadence never closes a chunk within a millisecond.
    last_ts: Option<i64>,
    // The chunk cadence, counted from the last chunk it opened, across flushes.
    stretch_ts: i64,
    stretch_events: u64,
    /// Body bytes of the stretch's closed chunks.
    stretch_bytes: usize,
    // The open segment (since the last keyframe chunk).
    /// Whether a segment is open (false before the first chunk).
    seg_open: bool,
    seg_ts: i64,
    /// Bytes of the segment's keyframe and full snapshots, and of its other events
    /// (columns and stored strings, before compression): the keyframe cost rule.
    seg_key_bytes: usize,
    seg_bytes: usize,
    /// Event chunks closed so far: the next one's number.
    seq: u64,
    zip: StreamCompressor,
    // The open chunk (none after a flush).
    enc: Enc,
    /// Whether the open chunk is a keyframe chunk, and its keyframe's counts.
    keyframe: Option<KeyframeCounts>,
    events: u64,
    /// Bytes of the open chunk's own events.
    chunk_bytes: usize,
    /// The open chunk's first timestamp; `None` when no chunk is open.
    first_ts: Option<i64>,
    base_ts: i64,
    // Output not yet polled.
    /// Closed chunks not yet polled, back to back, then the stream header while no
    /// chunk has closed. Frames are written here in place.
    out: Vec<u8>,
    /// Where each closed chunk in `out` ends, oldest first.
    ready: VecDeque<usize>,
    /// Assets for the host's store, not yet polled ([`AssetMode::External`]).
    assets_out: VecDeque<Asset>,
    /// What starts each new compressed stream ([`Encoder::set_primer`]).
    primer: Option<Primer>,
    /// The stream's first keyframe chunk body, offered as a primer for later sessions
    /// ([`AssetMode::External`]), not yet polled.
    primer_out: Option<Primer>,
    /// Scratch space for a chunk's body and its compressed form.
    body: Buf,
    zbody: Vec<u8>,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoder")
            .field("config", &self.config)
            .field("chunks", &self.index)
            .field("pending_events", &self.events)
            .finish()
    }
}

impl Encoder {
    /// A new encoder.
    pub fn new(config: EncoderConfig) -> Self {
        let enc = Enc {
            asset_min: config.asset_min,
            ..Enc::default()
        };
        Encoder {
            config,
            state: State::new(config.limits, ReplayMode::Lenient),
            applied: 0,
            index: 0,
            prev_hash: [0; 32],
            wrote_header: false,
            last_ts: None,
            stretch_ts: 0,
            stretch_events: 0,
            stretch_bytes: 0,
            seg_open: false,
            seg_ts: 0,
            seg_key_bytes: 0,
            seg_bytes: 0,
            seq: 0,
            zip: StreamCompressor::default(),
            enc,
            keyframe: None,
            events: 0,
            chunk_bytes: 0,
            first_ts: None,
            base_ts: 0,
            out: Vec::new(),
            ready: VecDeque::new(),
            assets_out: VecDeque::new(),
            primer: None,
            primer_out: None,
            body: Buf::default(),
            zbody: Vec::new(),
        }
    }

    fn header(&mut self) {
        if !self.wrote_header {
            let flags = if self.config.compression.quality().is_some() {
                FLAG_COMPRESSED
            } else {
                0
            };
            self.out.extend(frame::write_header(flags));
            self.wrote_header = true;
        }
    }

    /// Whether the segment has paid for a new keyframe by `t`.
    fn keyframe_due(&self, t: i64) -> bool {
        let c = &self.config;
        let cost = self
            .seg_key_bytes
            .saturating_mul(c.keyframe_cost as usize)
            .max(c.keyframe_min_bytes);
        // The interval bounds what a reader starting at the keyframe decodes after it;
        // once the segment's events are smaller than the keyframe itself (a big page
        // with few edits), that reader's work is the keyframe's, and another keyframe
        // would only repeat the page.
        let long = t.saturating_sub(self.seg_ts) >= c.keyframe_max_interval.0
            && self.seg_bytes >= self.seg_key_bytes;
        self.seg_bytes >= cost
            || long
            || self.enc.strings.len() > SEGMENT_STRINGS
            || self.enc.strings.byte_len() > SEGMENT_STRING_BYTES
    }

    /// Opens a chunk at `first_ts`; `cadence` when the chunk cadence (or the first
    /// event) opens it, not a flush.
    fn start_chunk(&mut self, first_ts: i64, cadence: bool) {
        self.first_ts = Some(first_ts);
        self.events = 0;
        self.chunk_bytes = 0;
        if cadence {
            self.stretch_ts = first_ts;
            self.stretch_events = 0;
            self.stretch_bytes = 0;
        }
        let keyframe = !self.seg_open
            || (cadence
                && self.config.keyframes == Keyframes::ByCost
                && self.keyframe_due(first_ts));
        if !keyframe {
            self.enc.begin_chunk();
            self.keyframe = None;
            return;
        }
        // A new segment: string table, coding state and compression start afresh.
        self.enc.reset();
        self.enc.begin_chunk();
        self.zip.restart();
        self.seg_open = true;
        self.seg_ts = first_ts;
        self.seg_bytes = 0;
        let mut counts = KeyframeCounts::default();
        // The first chunk starts from the empty page; so does a chunk before any event
        // changed it.
        let key = self.state.keyframe_parts();
        let any = !key.before.is_empty() || key.snapshot.is_some() || !key.after.is_empty();
        let base = if any { self.state.time().0 } else { first_ts };
        self.base_ts = base;
        self.enc.ctx = Ctx::new(base);
        if any {
            // The keyframe's events, with its snapshot tree written straight from the
            // replayed DOM (the same bytes as encoding `to_keyframe_events`, tested).
            let t = self.state.time();
            for e in &key.before {
                self.enc.event(e);
            }
            if let Some(offset) = key.snapshot {
                self.enc
                    .snapshot_from_state(t, &self.state, offset, key.snapshot_nodes);
            }
            for e in &key.after {
                self.enc.event(e);
            }
            counts.events =
                (key.before.len() + usize::from(key.snapshot.is_some()) + key.after.len()) as u64;
            counts.cols = self.enc.cols.lens();
            counts.strings = self.enc.strings.counts();
            // The chunk's own events start from a fresh coding state, so that a reader
            // going through the stream in order can step over the keyframe.
            self.enc.ctx = Ctx::new(base);
        }
        self.seg_key_bytes = self.raw_size();
        self.keyframe = Some(counts);
    }

    /// Bytes the open chunk's body holds so far, before compression: its columns and
    /// the strings it stores.
    fn raw_size(&self) -> usize {
        self.enc.cols.total() + self.enc.strings.chunk_table_bytes()
    }

    /// Adds one event: first closes the open chunk when the chunk cadence is due (the
    /// next may then be a keyframe chunk), or opens a chunk after a flush.
    pub fn push(&mut self, event: &Event) {
        self.header();
        let t = event.timestamp.0;
        let c = &self.config;
        let due = self.stretch_events >= c.chunk_events.0 as u64
            || t.saturating_sub(self.stretch_ts) >= c.chunk_interval.0
            || self.stretch_bytes.saturating_add(self.chunk_bytes) >= c.chunk_bytes;
        // Never cut within a millisecond: a reader starting at a keyframe chunk sees
        // every event of each moment it covers.
        let due = due && self.stretch_events > 0 && self.last_ts.is_some_and(|l| t > l);
        if due {
            self.close_chunk();
        }
        if self.first_ts.is_none() {
            self.start_chunk(t, due || !self.seg_open);
        }
        let before = self.raw_size();
        self.enc.event(event);
        let size = self.raw_size().saturating_sub(before);
        self.chunk_bytes = self.chunk_bytes.saturating_add(size);
        // A full snapshot is the page again, as a keyframe is: it counts with the
        // keyframe, so a navigation does not make the next keyframe come sooner.
        if matches!(event.kind, EventKind::FullSnapshot(_)) {
            self.seg_key_bytes = self.seg_key_bytes.saturating_add(size);
        } else {
            self.seg_bytes = self.seg_bytes.saturating_add(size);
        }
        self.events += 1;
        self.stretch_events += 1;
        self.last_ts = Some(t);
        // The page state only feeds keyframes: without them (as for events saved inside
        // session state) replaying each event here would be work for nothing.
        // Lenient: problems in the recording are counted in the state, never fatal here.
        if self.config.keyframes == Keyframes::ByCost {
            let _ = self.state.apply(event, self.applied);
        }
        // Saturating: a restored state may start at the top.
        self.applied = self.applied.saturating_add(1);
    }

    /// Writes the open chunk: first an asset chunk with the assets it introduced, then
    /// the chunk itself.
    fn close_chunk(&mut self) {
        if self.first_ts.is_none() {
            return;
        }
        let quality = self.config.compression.quality();
        if !self.enc.assets.fresh().is_empty() {
            self.write_assets(quality);
        }
        let keyframe = self.keyframe;
        self.body.bytes.clear();
        write_event_body(
            &mut self.body,
            keyframe.map(|k| (self.base_ts, k)),
            self.events,
            &self.enc,
        );
        let mut flag = if keyframe.is_some() { P_KEYFRAME } else { 0 };
        let mut primed = None;
        self.zbody.clear();
        if let Some(q) = quality {
            if keyframe.is_none() && self.zip.fresh() {
                flag |= P_FRESH;
            }
            // A new stream starts from the host's primer, else from the built-in
            // dictionary (where the config allows).
            let primer = self.primer.as_ref().map(Primer::bytes);
            let dictionary = self.dictionary(dictionary::for_events);
            match self
                .zip
                .compress(&self.body.bytes, q, primer, dictionary, &mut self.zbody)
            {
                Some(start) => {
                    flag |= P_COMPRESSED;
                    match start {
                        Start::Primer => {
                            flag |= P_PRIMED;
                            primed = self.primer.as_ref().map(|p| p.hash().0);
                        }
                        Start::Dictionary => flag |= P_DICT,
                        Start::Nothing => {}
                    }
                }
                None => flag &= !P_FRESH,
            }
        }
        // The stream's first keyframe is what a later session of the page most likely
        // repeats: offered to a host that keeps a store.
        if keyframe.is_some() && self.seq == 0 && self.config.assets == AssetMode::External {
            self.primer_out = Some(Primer::new(self.body.bytes.as_slice()));
        }
        self.emit(flag, self.seq, primed);
        self.seq = self.seq.saturating_add(1);
        self.stretch_bytes = self.stretch_bytes.saturating_add(self.chunk_bytes);
        self.first_ts = None;
        self.keyframe = None;
        self.events = 0;
        self.chunk_bytes = 0;
    }

    /// Writes a closed chunk's frame into `out` for [`Encoder::poll_chunk`]: its head
    /// (`flag`, the next index, the link to the last chunk, `seq`, the primer's hash),
    /// then the body built in `zbody` (compressed) or `body` (not), as `flag` says.
    fn emit(&mut self, flag: u8, seq: u64, primer: Option<[u8; 32]>) {
        let head = PayloadHead {
            flag,
            index: self.index,
            link: PayloadHead::link_for(flag, self.index, &self.prev_hash),
            seq,
            primer,
        };
        let body: &[u8] = if flag & P_COMPRESSED != 0 {
            &self.zbody
        } else {
            &self.body.bytes
        };
        self.prev_hash = frame::write_frame(&mut self.out, &head, |o| o.extend_from_slice(body));
        self.ready.push_back(self.out.len());
        self.index = self.index.saturating_add(1);
    }

    /// The built-in dictionary's `part`, if the config has compressed streams start
    /// from it.
    fn dictionary(&self, part: fn() -> &'static [u8]) -> Option<&'static [u8]> {
        self.config.dictionary.then(part)
    }

    /// Writes the assets the open chunk introduced as an asset chunk (compressed on
    /// their own: a reader needs them whatever segment it starts in).
    fn write_assets(&mut self, quality: Option<u32>) {
        let first = self.enc.assets.first_fresh();
        let fresh = self.enc.assets.take_fresh();
        let mode = self.config.assets;
        self.body.bytes.clear();
        write_asset_body(first, &fresh, mode, &mut self.body);
        let mut flag = P_ASSETS;
        self.zbody.clear();
        if let Some(q) = quality
            && let Some(used) = compress_once(
                &self.body.bytes,
                q,
                self.dictionary(dictionary::for_assets),
                &mut self.zbody,
            )
        {
            flag |= P_COMPRESSED;
            if used {
                flag |= P_DICT;
            }
        }
        self.emit(flag, 0, None);
        if mode == AssetMode::External {
            self.assets_out.extend(fresh);
        }
    }

    /// Closes the open chunk now, so that every event pushed is in a chunk for
    /// [`Encoder::poll_chunk`]: e.g. before a server acknowledges a batch, or before the
    /// page unloads. The next chunk continues this one's segment: flushing adds small
    /// chunks, never keyframes.
    pub fn flush(&mut self) {
        self.header();
        self.close_chunk();
    }

    /// The next closed chunk's bytes, if any: appended in the order they come (the
    /// first one carries the stream header), they are the stream.
    pub fn poll_chunk(&mut self) -> Option<Vec<u8>> {
        let end = self.ready.pop_front()?;
        // A host that polls after each push leaves nothing behind the chunk, so the
        // split copies nothing and the chunk takes the buffer as it is.
        let rest = self.out.split_off(end);
        for e in &mut self.ready {
            *e = e.saturating_sub(end);
        }
        Some(std::mem::replace(&mut self.out, rest))
    }

    /// The next asset for the host's store ([`AssetMode::External`]): each asset the
    /// stream uses comes out once, when the chunk that first uses it closes, before
    /// that chunk comes out of [`Encoder::poll_chunk`]. Store it under its hash (a store
    /// that has it already can drop it).
    pub fn poll_asset(&mut self) -> Option<Asset> {
        self.assets_out.pop_front()
    }

    /// Starts every compressed stream opened from now on (each keyframe chunk's, and a
    /// restored encoder's first) from `primer`: an earlier session's keyframe of the
    /// same page, from [`Encoder::poll_primer`] and the host's store. The stream then
    /// carries the primer's hash, and a reader needs the same primer
    /// ([`Decoder::add_primer`](super::Decoder::add_primer),
    /// [`AssetSource::primer`](super::AssetSource::primer)). `None` stops priming. A
    /// restored encoder has none until it is set again. A primer too large for a
    /// stream's window (16 MiB with the chunk) is not used.
    pub fn set_primer(&mut self, primer: Option<Primer>) {
        self.primer = primer;
    }

    /// The stream's first keyframe chunk body, once it closes, as a primer for later
    /// sessions of the same page ([`AssetMode::External`] only): a host stores it under
    /// its hash and keys it by what it knows of the page (its URL, a release). Not kept
    /// in a saved state: poll it before saving.
    pub fn poll_primer(&mut self) -> Option<Primer> {
        self.primer_out.take()
    }

    /// Ends the stream: closes the last chunk (or, for a stream with no events, hands
    /// out the bare header) for [`Encoder::poll_chunk`].
    pub fn finish(&mut self) {
        self.flush();
        if self.ready.back().copied().unwrap_or(0) < self.out.len() {
            self.ready.push_back(self.out.len());
        }
    }

    /// Every closed chunk at once, as one stream (no copy).
    fn take_all(&mut self) -> Vec<u8> {
        let end = self.ready.back().copied().unwrap_or(0);
        self.ready.clear();
        let rest = self.out.split_off(end);
        std::mem::replace(&mut self.out, rest)
    }

    /// Chunks closed so far (asset chunks included).
    pub fn chunks(&self) -> u64 {
        self.index
    }
}

/// Encodes a whole recording (with [`AssetMode::External`], the assets are dropped:
/// use an [`Encoder`] to collect them).
pub fn encode(events: &[Event], config: EncoderConfig) -> Vec<u8> {
    let mut e = Encoder::new(config);
    for ev in events {
        e.push(ev);
    }
    e.finish();
    e.take_all()
}
