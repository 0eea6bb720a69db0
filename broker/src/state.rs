//! A session's saved form on the shared store: the last batch applied, whether the
//! session is finished, and the scrubber's and encoder's own saved states.
//!
//! Layout: `SRSS`, a version byte, a flags byte (bit 0: finished), the last applied
//! batch's sequence number (u64 LE), the scrubber state's length (u32 LE), the
//! scrubber state, then the encoder state to the end. The stage states carry their own
//! checksums; this envelope only has to say which is which and how far the session got.

const MAGIC: &[u8; 4] = b"SRSS";
const VERSION: u8 = 1;
const FINISHED: u8 = 1;
const HEAD: usize = 4 + 1 + 1 + 8 + 4;

/// A saved session, borrowing the bytes it was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SavedSession<'a> {
    /// The sequence number of the last batch whose output is stored with this state.
    pub last_seq: u64,
    /// The session's last batch has been applied: nothing more will come, and the
    /// stage states are empty (the session keeps only this marker, so that a batch
    /// delivered again is still known as applied).
    pub finished: bool,
    /// [`session_replay::privacy::Scrubber::save_state`]'s bytes.
    pub scrubber: &'a [u8],
    /// [`session_replay::codec::Encoder::save_state`]'s bytes.
    pub encoder: &'a [u8],
}

/// Why a saved session does not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EnvelopeError {
    /// The bytes do not start with `SRSS`.
    #[error("not a saved session (bad magic)")]
    BadMagic,
    /// Written by a layout this build does not read.
    #[error("saved session layout version {0} is not supported")]
    Version(u8),
    /// The bytes end before the envelope or the scrubber state does.
    #[error("saved session ends early at byte {at}")]
    Truncated {
        /// The length there was.
        at: usize,
    },
}

impl SavedSession<'_> {
    /// The bytes to store.
    pub fn to_bytes(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEAD + self.scrubber.len() + self.encoder.len());
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        out.push(if self.finished { FINISHED } else { 0 });
        out.extend_from_slice(&self.last_seq.to_le_bytes());
        // A scrubber state is bounded far below 4 GiB by its node limit.
        let len = u32::try_from(self.scrubber.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(self.scrubber);
        out.extend_from_slice(self.encoder);
        out
    }
}

impl<'a> SavedSession<'a> {
    /// Reads stored bytes (untrusted: any damage is an error, never a panic).
    pub fn from_bytes(bytes: &'a [u8]) -> Result<SavedSession<'a>, EnvelopeError> {
        let truncated = EnvelopeError::Truncated { at: bytes.len() };
        let (head, rest) = bytes.split_at_checked(HEAD).ok_or(truncated.clone())?;
        let (magic, head) = head.split_at(4);
        if magic != MAGIC {
            return Err(EnvelopeError::BadMagic);
        }
        let [version, flags, head @ ..] = head else {
            return Err(truncated);
        };
        if *version != VERSION {
            return Err(EnvelopeError::Version(*version));
        }
        let (seq, len) = head.split_at(8);
        let last_seq = u64::from_le_bytes(seq.try_into().map_err(|_| truncated.clone())?);
        let len = u32::from_le_bytes(len.try_into().map_err(|_| truncated.clone())?);
        let (scrubber, encoder) = rest
            .split_at_checked(len as usize)
            .ok_or(truncated.clone())?;
        Ok(SavedSession {
            last_seq,
            finished: flags & FINISHED != 0,
            scrubber,
            encoder,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_session_reads_back() {
        for (finished, scrubber, encoder) in [
            (false, &b"scrub"[..], &b"encoder state"[..]),
            (true, &b""[..], &b""[..]),
            (false, &b""[..], &b"e"[..]),
        ] {
            let saved = SavedSession {
                last_seq: 41,
                finished,
                scrubber,
                encoder,
            };
            let bytes = saved.to_bytes();
            assert_eq!(SavedSession::from_bytes(&bytes), Ok(saved));
        }
    }

    #[test]
    fn every_truncation_and_damage_is_an_error() {
        let bytes = SavedSession {
            last_seq: 7,
            finished: false,
            scrubber: b"0123456789",
            encoder: b"abc",
        }
        .to_bytes();
        // Cut inside the header or the scrubber state: an error naming the length.
        for cut in 0..HEAD + 10 {
            assert_eq!(
                SavedSession::from_bytes(&bytes[..cut]),
                Err(EnvelopeError::Truncated { at: cut }),
                "cut at {cut}"
            );
        }
        let mut bad = bytes.clone();
        bad[0] = b'X';
        assert_eq!(SavedSession::from_bytes(&bad), Err(EnvelopeError::BadMagic));
        let mut bad = bytes;
        bad[4] = 9;
        assert_eq!(
            SavedSession::from_bytes(&bad),
            Err(EnvelopeError::Version(9))
        );
    }
}
