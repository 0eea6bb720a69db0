//! The encoder's configuration: where chunks close, where keyframes go, compression and
//! assets.

use super::super::assets::AssetMode;
use crate::limits::Limits;
use crate::model::{EventCount, Millis};

/// Whether chunk bodies are compressed after delta coding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Compression {
    /// Stored as coded: fastest, several times larger.
    None,
    /// Brotli at `quality` 0 to 11 (needs the `compress` feature), one stream per
    /// segment. 6 is the default; 10 ([`EncoderConfig::archival`]) is about a tenth
    /// smaller and more than ten times slower (see `BENCHMARKS.md`). 7 to 9 cost more
    /// time than 6 for almost no gain.
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

/// Whether the encoder writes keyframes after the first chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Keyframes {
    /// Where they pay for themselves: a chunk the chunk cadence opens is a keyframe
    /// chunk when the segment since the last keyframe has grown to
    /// [`EncoderConfig::keyframe_cost`] times that keyframe's bytes (and at least
    /// [`EncoderConfig::keyframe_min_bytes`]), or has lasted
    /// [`EncoderConfig::keyframe_max_interval`]. So keyframes stay a bounded share of the
    /// stream: a short session has one, a long busy one many.
    #[default]
    ByCost,
    /// Only the first chunk: smaller, but readable only in order from the start.
    None,
}

/// How the encoder cuts chunks, where it writes keyframes, whether it compresses, and
/// where assets go.
///
/// A chunk closes when the chunk cadence is due ([`EncoderConfig::with_chunk_every`],
/// counted from the last chunk the cadence opened, across flushes) or when the host calls
/// [`Encoder::flush`](super::Encoder::flush). Only a chunk the cadence opens can be a
/// keyframe chunk ([`Keyframes::ByCost`]): a host that flushes after every batch gets
/// its keyframes at the same events as one that never flushes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct EncoderConfig {
    /// Close the open chunk after this many events since the cadence last opened one.
    /// Default 1,000.
    pub chunk_events: EventCount,
    /// ... or when they span this long. Default 30 s.
    pub chunk_interval: Millis,
    /// ... or when they take this many bytes of chunk body (before compression).
    /// Default 1 MiB.
    pub chunk_bytes: usize,
    /// A keyframe when the segment's events take this many times the bytes of its
    /// keyframe (and full snapshots), before compression: keyframes stay under
    /// `1 / (1 + cost)` of the stream. Default 4.
    pub keyframe_cost: u32,
    /// ... and at least this many bytes. Default 256 KiB.
    pub keyframe_min_bytes: usize,
    /// A keyframe at least this often, so that a reader starting in the middle has at
    /// most this much to decode after the keyframe; but only once the segment's events
    /// take as many bytes as its keyframe (on a big page with few edits, decoding the
    /// keyframe is most of that reader's work, and another would repeat the page).
    /// Default 5 minutes.
    pub keyframe_max_interval: Millis,
    /// The compression stage. Default [`Compression::DEFAULT`].
    pub compression: Compression,
    /// Whether keyframes are written. Default [`Keyframes::ByCost`].
    pub keyframes: Keyframes,
    /// Where assets are kept. Default [`AssetMode::Inline`].
    pub assets: AssetMode,
    /// Values and texts of at least this many bytes are stored as assets. Default 512.
    pub asset_min: usize,
    /// Whether compressed streams start from the format's built-in dictionary (a
    /// generic page's stylesheets and keyframe) where no primer is set: 8-16% off a
    /// short session. Default true; a stream written without it needs no dictionary to
    /// read, which matters only to a reader written elsewhere.
    pub dictionary: bool,
    /// Limits for the replay state kept for keyframes.
    pub limits: Limits,
}

impl Default for EncoderConfig {
    fn default() -> Self {
        EncoderConfig {
            chunk_events: EventCount(1_000),
            chunk_interval: Millis::seconds(30),
            chunk_bytes: 1 << 20,
            keyframe_cost: 4,
            keyframe_min_bytes: 256 << 10,
            keyframe_max_interval: Millis::minutes(5),
            compression: Compression::DEFAULT,
            keyframes: Keyframes::ByCost,
            assets: AssetMode::Inline,
            asset_min: 512,
            dictionary: true,
            limits: Limits::DEFAULT,
        }
    }
}

impl EncoderConfig {
    /// The default settings with brotli quality 10: for storage, where size matters more
    /// than encoding time.
    pub fn archival() -> Self {
        EncoderConfig::default().with_compression(Compression::Brotli { quality: 10 })
    }

    /// Sets the chunk cadence: the open chunk closes after `events` since the cadence
    /// last opened one, when they span `interval`, or when they take `bytes` of body,
    /// whichever comes first. Without [`Encoder::flush`](super::Encoder::flush), this is
    /// the size of every chunk.
    pub fn with_chunk_every(mut self, events: EventCount, interval: Millis, bytes: usize) -> Self {
        self.chunk_events = EventCount(events.0.max(1));
        self.chunk_interval = Millis(interval.0.max(1));
        self.chunk_bytes = bytes.max(1);
        self
    }

    /// Keyframes on a fixed cadence, whatever they cost: the chunk cadence is set as
    /// [`EncoderConfig::with_chunk_every`] does, and every chunk it opens is a keyframe
    /// chunk. For readers that must be able to start every `interval` (a player that
    /// fetches a long stream by range), and for tests.
    pub fn with_keyframe_every(self, events: EventCount, interval: Millis, bytes: usize) -> Self {
        let mut c = self.with_chunk_every(events, interval, bytes);
        c.keyframe_cost = 0;
        c.keyframe_min_bytes = 0;
        c
    }

    /// Sets where keyframes go ([`Keyframes::ByCost`]): when the segment's events take
    /// `cost` times its keyframe's bytes and at least `min_bytes`, or after
    /// `max_interval`.
    pub fn with_keyframe_cost(mut self, cost: u32, min_bytes: usize, max_interval: Millis) -> Self {
        self.keyframe_cost = cost;
        self.keyframe_min_bytes = min_bytes;
        self.keyframe_max_interval = Millis(max_interval.0.max(1));
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

    /// Sets whether keyframes are written.
    pub fn with_keyframes(mut self, keyframes: Keyframes) -> Self {
        self.keyframes = keyframes;
        self
    }

    /// Sets where assets go, and the length from which a value or text is one
    /// (`usize::MAX`: none).
    pub fn with_assets(mut self, mode: AssetMode, min_len: usize) -> Self {
        self.assets = mode;
        self.asset_min = min_len.max(1);
        self
    }

    /// Sets whether compressed streams start from the built-in dictionary
    /// ([`EncoderConfig::dictionary`]).
    pub fn with_dictionary(mut self, on: bool) -> Self {
        self.dictionary = on;
        self
    }

    /// Sets the limits of the replay state kept for keyframes.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
}
