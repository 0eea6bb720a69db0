//! The streaming encoder and its configuration.

mod persist;

use std::collections::VecDeque;

use super::chunk::ChunkKind;
use super::frame::{self, FLAG_COMPRESSED, FrameCounts};
use super::varint::Buf;
use super::wire::{Ctx, Enc};
use crate::limits::Limits;
use crate::model::{Event, EventCount, Millis};
use crate::replay::{ReplayMode, State};

/// Whether chunk bodies are compressed after delta coding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Compression {
    /// Stored as coded: fastest, about 3x larger.
    None,
    /// Brotli at `quality` 0 to 11 (needs the `compress` feature). 6 (the default) is
    /// within 1% of quality 9's size on the corpus at a fifth of the time (quality 9's
    /// hasher clears a 32 MiB table per chunk); 10 ([`EncoderConfig::archival`]) is 11%
    /// smaller and about 10x slower.
    Brotli {
        /// 0 to 11.
        quality: u32,
    },
}

impl Compression {
    /// The default: brotli quality 6 with the `compress` feature, none without it.
    pub const DEFAULT: Compression = if cfg!(feature = "compress") {
        Compression::Brotli { quality: 6 }
    } else {
        Compression::None
    };

    /// The brotli quality, when compressing.
    pub(crate) fn quality(self) -> Option<u32> {
        match self {
            Compression::None => None,
            Compression::Brotli { quality } => Some(quality),
        }
    }
}

impl Default for Compression {
    fn default() -> Self {
        Compression::DEFAULT
    }
}

/// Whether the chunks the keyframe cadence opens carry a keyframe (the page state at
/// their start).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Keyframes {
    /// Each chunk the cadence opens ([`EncoderConfig::with_keyframe_every`]) carries
    /// one: a reader can start there, and damage costs the events up to the next one.
    /// A chunk opened after [`Encoder::flush`] before the cadence is due carries none
    /// and continues the chunk before it ([`ChunkKind::Continuation`]).
    #[default]
    OnCadence,
    /// None: chunks are smaller, but readable only in order from the first one. The
    /// cadence still closes chunks.
    None,
}

/// How the encoder cuts chunks, where it writes keyframes, and whether it compresses.
///
/// A chunk closes when the keyframe cadence is due or when the host calls
/// [`Encoder::flush`]. The cadence counts from the start of the last keyframe chunk,
/// across flushes: a host that flushes after every batch gets keyframes at the same
/// events as one that never flushes, and small continuation chunks between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct EncoderConfig {
    /// Open a keyframe chunk after this many events since the last one opened.
    /// Default 1,000.
    pub keyframe_events: EventCount,
    /// Open a keyframe chunk when the events since the last one opened span this long.
    /// Default 30 s.
    pub keyframe_interval: Millis,
    /// Open a keyframe chunk when the events since the last one opened take this many
    /// bytes of chunk body (before compression, keyframes left out). Default 1 MiB.
    pub keyframe_bytes: usize,
    /// The compression stage. Default [`Compression::DEFAULT`].
    pub compression: Compression,
    /// Whether the chunks the cadence opens carry a keyframe. Default
    /// [`Keyframes::OnCadence`].
    pub keyframes: Keyframes,
    /// Limits for the replay state kept for keyframes.
    pub limits: Limits,
}

impl Default for EncoderConfig {
    fn default() -> Self {
        EncoderConfig {
            keyframe_events: EventCount(1_000),
            keyframe_interval: Millis::seconds(30),
            keyframe_bytes: 1 << 20,
            compression: Compression::DEFAULT,
            keyframes: Keyframes::OnCadence,
            limits: Limits::DEFAULT,
        }
    }
}

impl EncoderConfig {
    /// The default cadence with brotli quality 10: for storage, where size matters more
    /// than encoding time (on the corpus 11% smaller than the default quality 6, and
    /// about 10x slower to encode; decoding is as fast).
    pub fn archival() -> Self {
        EncoderConfig::default().with_compression(Compression::Brotli { quality: 10 })
    }

    /// Sets the keyframe cadence: the chunk open closes, and the next opens with a
    /// keyframe, after `events` since the last keyframe chunk opened, when they span
    /// `interval`, or when they take `bytes` of body, whichever comes first. Without
    /// [`Encoder::flush`], this is the size of every chunk.
    pub fn with_keyframe_every(
        mut self,
        events: EventCount,
        interval: Millis,
        bytes: usize,
    ) -> Self {
        self.keyframe_events = EventCount(events.0.max(1));
        self.keyframe_interval = Millis(interval.0.max(1));
        self.keyframe_bytes = bytes.max(1);
        self
    }

    /// Sets the compression stage (brotli needs the `compress` feature; without it
    /// chunks are stored uncompressed). Qualities above 11 are taken as 11.
    pub fn with_compression(mut self, compression: Compression) -> Self {
        self.compression = match compression {
            Compression::Brotli { quality } if cfg!(feature = "compress") => Compression::Brotli {
                quality: quality.min(11),
            },
            _ => Compression::None,
        };
        self
    }

    /// Sets whether the chunks the cadence opens carry a keyframe.
    pub fn with_keyframes(mut self, keyframes: Keyframes) -> Self {
        self.keyframes = keyframes;
        self
    }

    /// Sets the limits of the replay state kept for keyframes.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
}

/// A sans-IO streaming encoder: [`push`](Encoder::push) events in, then drain
/// [`poll_chunk`](Encoder::poll_chunk) until `None`; each closed chunk comes out once.
/// At the end, [`finish`](Encoder::finish) and drain again.
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
    // After a flush, with every chunk polled, the encoder goes on from the fields down to
    // `wrote_header` alone: the config, the replayed page state (for the next keyframe),
    // the chain, the cadence since the last keyframe chunk and the last timestamp. The
    // open chunk's fields are empty then (`enc` and `body` keep only memory): the coding
    // state and string table restart with each chunk.
    config: EncoderConfig,
    /// The page state replayed from every event pushed, for keyframes.
    state: State,
    /// Events applied to `state` (its event index for diagnostics).
    applied: usize,
    index: u64,
    prev_hash: [u8; 32],
    /// The first timestamp, event count and body bytes (closed chunks') of the stretch
    /// since the last keyframe chunk opened: the cadence counts these.
    stretch_ts: i64,
    stretch_events: u64,
    stretch_bytes: usize,
    /// The last event's timestamp: a keyframe chunk never opens within a millisecond.
    last_ts: Option<i64>,
    wrote_header: bool,
    // The open chunk (none after a flush).
    enc: Enc,
    /// Whether the open chunk carries a keyframe.
    kind: ChunkKind,
    /// The open chunk's counts (events, and what its keyframe takes in each column
    /// and string section), as its body records them.
    counts: FrameCounts,
    /// Bytes of the strings the open chunk's keyframe introduced.
    keyframe_string_bytes: usize,
    /// The open chunk's first timestamp; `None` when no chunk is open.
    first_ts: Option<i64>,
    base_ts: Option<i64>,
    // Output not yet polled.
    /// Closed chunks not yet polled, back to back, then the stream header while no
    /// chunk has closed. Frames are written here in place.
    out: Vec<u8>,
    /// Where each closed chunk in `out` ends, oldest first.
    ready: VecDeque<usize>,
    /// Scratch space for a chunk's body, reused from chunk to chunk.
    body: Buf,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoder")
            .field("config", &self.config)
            .field("chunks", &self.index)
            .field("pending_events", &self.counts.events)
            .finish()
    }
}

impl Encoder {
    /// A new encoder.
    pub fn new(config: EncoderConfig) -> Self {
        Encoder {
            config,
            state: State::new(config.limits, ReplayMode::Lenient),
            applied: 0,
            index: 0,
            prev_hash: [0; 32],
            stretch_ts: 0,
            stretch_events: 0,
            stretch_bytes: 0,
            last_ts: None,
            wrote_header: false,
            enc: Enc::default(),
            kind: ChunkKind::Keyframe,
            counts: FrameCounts::default(),
            keyframe_string_bytes: 0,
            first_ts: None,
            base_ts: None,
            out: Vec::new(),
            ready: VecDeque::new(),
            body: Buf::default(),
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

    /// Opens a chunk at `first_ts`; `stretch` when the first chunk or the cadence opens
    /// it (a keyframe chunk, with keyframes on), not a flush.
    fn start_chunk(&mut self, first_ts: i64, stretch: bool) {
        // The counts were reset when the last chunk closed.
        self.enc.reset();
        self.first_ts = Some(first_ts);
        if stretch {
            self.stretch_ts = first_ts;
            self.stretch_events = 0;
            self.stretch_bytes = 0;
        }
        // The first chunk starts from the empty page: a reader can start there, always.
        self.kind = if self.index == 0 || (stretch && self.config.keyframes == Keyframes::OnCadence)
        {
            ChunkKind::Keyframe
        } else {
            ChunkKind::Continuation
        };
        if self.kind == ChunkKind::Keyframe && self.index > 0 {
            // The keyframe's events, with its snapshot tree written straight from the
            // replayed DOM (the same bytes as encoding `to_keyframe_events`, tested).
            let key = self.state.keyframe_parts();
            let t = self.state.time();
            // Every keyframe event is at the state's time.
            let any = !key.before.is_empty() || key.snapshot.is_some() || !key.after.is_empty();
            let base = if any { t.0 } else { first_ts };
            self.base_ts = Some(base);
            self.enc.ctx = Ctx::new(base);
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
            self.counts.keyframe_events =
                (key.before.len() + usize::from(key.snapshot.is_some()) + key.after.len()) as u64;
            // The chunk's own events start from a fresh coding state, so that a reader
            // going through the stream in order can skip the keyframe's bytes.
            self.counts.keyframe_cols = self.enc.cols.lens();
            self.counts.keyframe_strings = self.enc.strings.counts();
            self.keyframe_string_bytes = self.enc.strings.byte_len();
            self.enc.ctx = Ctx::new(base);
        } else {
            self.base_ts = Some(first_ts);
            self.enc.ctx = Ctx::new(first_ts);
        }
    }

    /// Adds one event: first closes the open chunk and opens a keyframe chunk when the
    /// cadence is due, or opens a continuation chunk after a flush.
    pub fn push(&mut self, event: &Event) {
        self.header();
        let t = event.timestamp.0;
        let c = &self.config;
        let due = self.stretch_events >= c.keyframe_events.0 as u64
            || t.saturating_sub(self.stretch_ts) >= c.keyframe_interval.0
            || self.stretch_bytes.saturating_add(self.own_bytes()) >= c.keyframe_bytes;
        // Never open a keyframe chunk within a millisecond: a reader starting there sees
        // every event of each moment it covers.
        let due = due && self.stretch_events > 0 && self.last_ts.is_some_and(|l| t > l);
        if due {
            self.close_chunk();
        }
        if self.first_ts.is_none() {
            self.start_chunk(t, due || self.index == 0);
        }
        self.enc.event(event);
        self.counts.events += 1;
        self.stretch_events += 1;
        self.last_ts = Some(t);
        // The page state only feeds keyframes: without them (as for events saved inside
        // session state) replaying each event here would be work for nothing.
        // Lenient: problems in the recording are counted in the state, never fatal here.
        if self.config.keyframes == Keyframes::OnCadence {
            let _ = self.state.apply(event, self.applied);
        }
        // Saturating: a restored state may start at the top.
        self.applied = self.applied.saturating_add(1);
    }

    fn close_chunk(&mut self) {
        if self.first_ts.is_none() {
            return;
        }
        let compress = self.config.compression.quality();
        self.stretch_bytes = self.stretch_bytes.saturating_add(self.own_bytes());
        let parts = frame::FrameParts {
            index: self.index,
            kind: self.kind,
            prev_hash: &self.prev_hash,
            base_ts: self.base_ts.unwrap_or(0),
            counts: self.counts,
            enc: &self.enc,
            compress,
        };
        self.prev_hash = frame::build_frame(&mut self.out, &mut self.body, parts);
        // Everything in `out` not yet marked belongs to this chunk (the header, before
        // the first one).
        self.ready.push_back(self.out.len());
        self.index = self.index.saturating_add(1);
        self.first_ts = None;
        self.counts = FrameCounts::default();
        self.keyframe_string_bytes = 0;
    }

    /// Bytes the open chunk's own events take so far (their columns and the strings
    /// they brought into the table), the keyframe's left out: a large page state must not
    /// make every chunk full as soon as it opens. 0 with no chunk open.
    fn own_bytes(&self) -> usize {
        if self.first_ts.is_none() {
            return 0;
        }
        let key: usize = self.counts.keyframe_cols.iter().sum();
        let total = self.enc.cols.total() + self.enc.strings.byte_len();
        total.saturating_sub(key + self.keyframe_string_bytes)
    }

    /// Closes the open chunk now, so that every event pushed is in a chunk for
    /// [`Encoder::poll_chunk`]: e.g. before a server acknowledges a batch, or before the
    /// page unloads. The next chunk continues this one's page state, with no keyframe,
    /// unless the keyframe cadence is due by then ([`EncoderConfig`]): flushing often
    /// adds small chunks, not keyframes.
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

    /// Chunks closed so far.
    pub fn chunks(&self) -> u64 {
        self.index
    }
}

/// Encodes a whole recording.
pub fn encode(events: &[Event], config: EncoderConfig) -> Vec<u8> {
    let mut e = Encoder::new(config);
    for ev in events {
        e.push(ev);
    }
    e.finish();
    e.take_all()
}
