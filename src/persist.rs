//! Session state as bytes: the envelope every saved stage shares, and bounded reading.
//!
//! A stage that keeps per-session state (the [`Scrubber`](crate::privacy::Scrubber),
//! the [`Encoder`](crate::codec::Encoder), the [`Replayer`](crate::replay::Replayer),
//! the [`Recorder`](crate::record::Recorder)) saves it as one envelope, so that a
//! session can move between workers or survive a restart. The layout is in
//! `docs/STATE.md`:
//!
//! ```text
//! magic "SRST" | version u16 LE | kind u8 | reserved u8 (0) | body length u32 LE
//! | CRC-32 of the body u32 LE | body
//! ```
//!
//! The body is the stage's own saved form, bincode 2 (`standard()` configuration),
//! with a stage that holds others (the recorder) carrying their envelopes as byte
//! strings. Saved state crosses process boundaries and may sit in a queue or a
//! key-value store, so reading it back treats it as untrusted input: the checksum is
//! checked first, every length is bounded by the bytes there are (bincode's claim
//! limit, scaled to the body's size, see [`decode_body`]), and each stage checks what
//! it reads against its [`Limits`](crate::Limits) and its own invariants before it
//! builds anything from it.

use bincode::Decode;
use bincode::Encode;

use crate::error::StateError;

/// The four bytes every saved state starts with.
pub(crate) const MAGIC: [u8; 4] = *b"SRST";
/// The envelope and body layout version this build writes and reads.
pub(crate) const VERSION: u16 = 4;
/// Bytes before the body.
pub(crate) const HEAD: usize = 16;

/// A body that decoded but whose parts do not hold together (a reference out of range,
/// counts that disagree): the stage's error, positioned at the body as a whole.
pub(crate) fn malformed(stage: &'static str, reason: &'static str) -> StateError {
    StateError::Malformed {
        stage,
        at: HEAD,
        reason,
    }
}

/// Which stage a saved state belongs to (the envelope's `kind` byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StateKind {
    Scrubber = 1,
    Encoder = 2,
    Replayer = 3,
    Recorder = 4,
}

impl StateKind {
    /// The stage's name, for errors.
    pub(crate) fn name(self) -> &'static str {
        match self {
            StateKind::Scrubber => "scrubber",
            StateKind::Encoder => "encoder",
            StateKind::Replayer => "replayer",
            StateKind::Recorder => "recorder",
        }
    }

    fn from_byte(b: u8) -> Option<StateKind> {
        [
            StateKind::Scrubber,
            StateKind::Encoder,
            StateKind::Replayer,
            StateKind::Recorder,
        ]
        .into_iter()
        .find(|k| *k as u8 == b)
    }
}

/// The bincode configuration of every body.
fn config() -> bincode::config::Configuration {
    bincode::config::standard()
}

/// Wraps a saved `body` of `kind` in the envelope.
pub(crate) fn seal(kind: StateKind, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEAD + body.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.push(kind as u8);
    out.push(0);
    // A body over 4 GiB cannot be saved in this layout; saturate so that reading it
    // back fails on the length rather than on a wrapped one.
    out.extend_from_slice(&u32::try_from(body.len()).unwrap_or(u32::MAX).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(body).to_le_bytes());
    out.extend_from_slice(body);
    out
}

/// Encodes `value` as a body and seals it.
pub(crate) fn save<T: Encode>(kind: StateKind, value: &T) -> Vec<u8> {
    // Encoding into a vector cannot fail for the plain types saved here.
    let body = bincode::encode_to_vec(value, config()).unwrap_or_default();
    seal(kind, &body)
}

/// Checks the envelope of a saved state of `kind` and returns its body.
pub(crate) fn open(kind: StateKind, bytes: &[u8], max_bytes: usize) -> Result<&[u8], StateError> {
    let head = bytes.get(..HEAD).ok_or(StateError::Truncated {
        stage: kind.name(),
        at: bytes.len(),
    })?;
    let word = |i: usize| -> [u8; 4] {
        let mut w = [0; 4];
        w.copy_from_slice(head.get(i..i + 4).unwrap_or(&[0; 4]));
        w
    };
    if word(0) != MAGIC {
        return Err(StateError::BadMagic);
    }
    let version = u16::from_le_bytes([
        head.get(4).copied().unwrap_or(0),
        head.get(5).copied().unwrap_or(0),
    ]);
    if version != VERSION {
        return Err(StateError::UnsupportedVersion { found: version });
    }
    let found = head.get(6).copied().unwrap_or(0);
    match StateKind::from_byte(found) {
        Some(k) if k == kind => {}
        other => {
            return Err(StateError::WrongStage {
                expected: kind.name(),
                found: other.map_or("unknown", StateKind::name),
            });
        }
    }
    if head.get(7) != Some(&0) {
        return Err(StateError::Malformed {
            stage: kind.name(),
            at: 7,
            reason: "reserved byte is not zero",
        });
    }
    let len = u32::from_le_bytes(word(8)) as usize;
    if len > max_bytes {
        return Err(StateError::LimitExceeded {
            stage: kind.name(),
            what: "state bytes",
            limit: max_bytes,
        });
    }
    let body = bytes.get(HEAD..HEAD + len).ok_or(StateError::Truncated {
        stage: kind.name(),
        at: bytes.len(),
    })?;
    if crc32fast::hash(body) != u32::from_le_bytes(word(12)) {
        return Err(StateError::Checksum { stage: kind.name() });
    }
    if bytes.len() != HEAD + len {
        return Err(StateError::Malformed {
            stage: kind.name(),
            at: HEAD + len,
            reason: "bytes after the body",
        });
    }
    Ok(body)
}

/// Events as bytes inside a saved state (a keyframe, events waiting in a queue): the
/// crate's binary format, uncompressed, so that reading them back goes through the
/// same bounded, validating and fuzzed decoder as any stored stream.
pub(crate) fn events_to_bytes(events: &[crate::model::Event]) -> Vec<u8> {
    use crate::codec::{Compression, EncoderConfig, Keyframes};
    let config = EncoderConfig::default()
        .with_compression(Compression::None)
        .with_keyframes(Keyframes::None);
    crate::codec::encode(events, config)
}

/// Events saved by [`events_to_bytes`], within `limits`; any damage is an error (a
/// state with a hole in it would not continue exactly).
pub(crate) fn events_from_bytes(
    kind: StateKind,
    bytes: &[u8],
    limits: &crate::Limits,
) -> Result<Vec<crate::model::Event>, StateError> {
    let r = crate::codec::decode(bytes, limits);
    if r.is_clean() {
        Ok(r.events)
    } else {
        Err(StateError::Malformed {
            stage: kind.name(),
            at: HEAD,
            reason: "saved events do not decode",
        })
    }
}

/// Decodes a whole body as `T`, bounded: bincode refuses any container whose claimed
/// size (in memory) would pass 64 times the body's own size, so a few hostile bytes
/// cannot make it reserve gigabytes. Real bodies claim far less: every element of every
/// container takes at least one byte of the body, and none is 64 bytes in memory
/// without carrying more than one byte of its own.
pub(crate) fn decode_body<T: Decode<()>>(kind: StateKind, body: &[u8]) -> Result<T, StateError> {
    // bincode's limit is a const generic: pick the smallest power-of-two tier that
    // covers 64 times the body.
    let want = body.len().saturating_mul(64).max(1 << 16);
    macro_rules! tiers {
        ($($bits:literal),*) => {
            $(
                if want <= (1usize << $bits) {
                    return finish(kind, body, bincode::decode_from_slice(
                        body,
                        config().with_limit::<{ 1usize << $bits }>(),
                    ));
                }
            )*
        };
    }
    tiers!(16, 18, 20, 22, 24, 26, 28, 30);
    // Past 16 MiB of body: 2 GiB at most in all (the largest limit a 32-bit target
    // can name; the body itself is already within `Limits::input_bytes`).
    finish(
        kind,
        body,
        bincode::decode_from_slice(body, config().with_limit::<{ 1usize << 31 }>()),
    )
}

/// The decoded value, if it took the whole body.
fn finish<T>(
    kind: StateKind,
    body: &[u8],
    r: Result<(T, usize), bincode::error::DecodeError>,
) -> Result<T, StateError> {
    match r {
        Ok((v, used)) if used == body.len() => Ok(v),
        Ok((_, used)) => Err(StateError::Malformed {
            stage: kind.name(),
            at: HEAD + used,
            reason: "bytes after the saved state",
        }),
        Err(e) => Err(StateError::Malformed {
            stage: kind.name(),
            at: HEAD,
            reason: match e {
                bincode::error::DecodeError::UnexpectedEnd { .. } => "ends early",
                bincode::error::DecodeError::LimitExceeded => {
                    "claims more memory than its size allows"
                }
                bincode::error::DecodeError::Utf8 { .. } => "a string is not UTF-8",
                _ => "not a saved state of this version",
            },
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Encode, Decode)]
    struct Sample {
        a: u32,
        names: Vec<String>,
    }

    fn sample() -> Vec<u8> {
        save(
            StateKind::Scrubber,
            &Sample {
                a: 7,
                names: vec!["x".into(), "yz".into()],
            },
        )
    }

    #[test]
    fn round_trips() {
        let bytes = sample();
        let body = open(StateKind::Scrubber, &bytes, 1 << 20).unwrap();
        let back: Sample = decode_body(StateKind::Scrubber, body).unwrap();
        assert_eq!(back.a, 7);
        assert_eq!(back.names, ["x", "yz"]);
    }

    #[test]
    fn envelope_damage_is_named() {
        let bytes = sample();
        assert_eq!(
            open(StateKind::Scrubber, &bytes[..3], 1 << 20),
            Err(StateError::Truncated {
                stage: "scrubber",
                at: 3
            })
        );
        let mut b = bytes.clone();
        b[0] = b'X';
        assert_eq!(
            open(StateKind::Scrubber, &b, 1 << 20),
            Err(StateError::BadMagic)
        );
        let mut b = bytes.clone();
        b[4] = 9;
        assert_eq!(
            open(StateKind::Scrubber, &b, 1 << 20),
            Err(StateError::UnsupportedVersion { found: 9 })
        );
        assert!(matches!(
            open(StateKind::Encoder, &bytes, 1 << 20),
            Err(StateError::WrongStage {
                expected: "encoder",
                found: "scrubber"
            })
        ));
        let mut b = bytes.clone();
        *b.last_mut().unwrap() ^= 1;
        assert_eq!(
            open(StateKind::Scrubber, &b, 1 << 20),
            Err(StateError::Checksum { stage: "scrubber" })
        );
        assert!(matches!(
            open(StateKind::Scrubber, &bytes, 3),
            Err(StateError::LimitExceeded { .. })
        ));
        let mut b = bytes.clone();
        b.push(0);
        assert!(matches!(
            open(StateKind::Scrubber, &b, 1 << 20),
            Err(StateError::Malformed { .. })
        ));
    }

    #[test]
    fn a_huge_claimed_length_is_refused_without_reserving_it() {
        // A body claiming 2^40 strings in five bytes.
        let mut body = vec![253u8];
        body.extend_from_slice(&(1u64 << 40).to_le_bytes());
        let r: Result<Vec<String>, _> = decode_body(StateKind::Scrubber, &body);
        assert!(matches!(r, Err(StateError::Malformed { .. })));
    }
}
