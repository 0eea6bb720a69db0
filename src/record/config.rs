//! The recorder's configuration: sampling, keyframe cadence, rate caps, the privacy
//! signal and encoding.

use crate::codec::EncoderConfig;
use crate::model::{EventCount, Millis};
use crate::privacy::PrivacySignal;

/// How the recorder samples, cuts keyframes and caps, whether the visitor sent a
/// privacy signal, and whether it encodes.
///
/// ```
/// use session_replay::codec::EncoderConfig;
/// use session_replay::model::{EventCount, Millis};
/// use session_replay::record::RecorderConfig;
///
/// let config = RecorderConfig::new()
///     .with_keyframe_every(EventCount(5_000), Millis::minutes(2))
///     .with_max_events_per_sec(EventCount(500))
///     .with_encoding(EncoderConfig::default());
/// assert_eq!(config.keyframe_interval, Millis(120_000));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecorderConfig {
    /// Pointer samples at most this often. Default 50 ms.
    pub pointer_sample: Millis,
    /// Pointer samples are batched into one event this often. Default 500 ms.
    pub pointer_batch: Millis,
    /// Scroll events at most this often per target. Default 100 ms.
    pub scroll_throttle: Millis,
    /// A keyframe (full snapshot) at least this often. Default 5 minutes.
    pub keyframe_interval: Millis,
    /// A keyframe at least every this many events. Default 10,000.
    pub keyframe_events: EventCount,
    /// Most events per second; past it, incremental events are dropped until the second
    /// ends, then a keyframe resynchronises. Default 1,000.
    pub max_events_per_sec: EventCount,
    /// Most bytes of events per second (estimated from their content), with the same
    /// drop-then-resync behaviour. Default 1 MiB.
    pub max_bytes_per_sec: usize,
    /// The visitor's privacy signal: under Global Privacy Control consent can never be
    /// granted. Default [`PrivacySignal::Absent`].
    pub privacy_signal: PrivacySignal,
    /// With `Some`, the recorder also hands out encoded chunks
    /// ([`Recorder::poll_chunk`](super::Recorder::poll_chunk)) made with this encoder
    /// configuration. Default `None`.
    pub encoder: Option<EncoderConfig>,
}

impl Default for RecorderConfig {
    fn default() -> Self {
        RecorderConfig {
            pointer_sample: Millis(50),
            pointer_batch: Millis(500),
            scroll_throttle: Millis(100),
            keyframe_interval: Millis::minutes(5),
            keyframe_events: EventCount(10_000),
            max_events_per_sec: EventCount(1_000),
            max_bytes_per_sec: 1 << 20,
            privacy_signal: PrivacySignal::Absent,
            encoder: None,
        }
    }
}

impl RecorderConfig {
    /// The default configuration.
    pub fn new() -> Self {
        Self::default()
    }

    /// Hands out encoded chunks too, made with `encoder`.
    pub fn with_encoding(mut self, encoder: EncoderConfig) -> Self {
        self.encoder = Some(encoder);
        self
    }

    /// Sets the visitor's privacy signal.
    pub fn with_privacy_signal(mut self, signal: PrivacySignal) -> Self {
        self.privacy_signal = signal;
        self
    }

    /// Sets the keyframe cadence: at least every `events` events and every `interval`
    /// (each at least 1).
    pub fn with_keyframe_every(mut self, events: EventCount, interval: Millis) -> Self {
        self.keyframe_events = EventCount(events.0.max(1));
        self.keyframe_interval = Millis(interval.0.max(1));
        self
    }

    /// Sets the pointer sampling interval.
    pub fn with_pointer_sample(mut self, every: Millis) -> Self {
        self.pointer_sample = every;
        self
    }

    /// Sets how often pointer samples go out as one batch.
    pub fn with_pointer_batch(mut self, every: Millis) -> Self {
        self.pointer_batch = every;
        self
    }

    /// Sets the per-target scroll throttle.
    pub fn with_scroll_throttle(mut self, every: Millis) -> Self {
        self.scroll_throttle = every;
        self
    }

    /// Sets the event-rate cap (at least 1).
    pub fn with_max_events_per_sec(mut self, n: EventCount) -> Self {
        self.max_events_per_sec = EventCount(n.0.max(1));
        self
    }

    /// Sets the byte-rate cap (at least 1).
    pub fn with_max_bytes_per_sec(mut self, n: usize) -> Self {
        self.max_bytes_per_sec = n.max(1);
        self
    }
}
