//! Primers: an earlier session's keyframe, kept in a host's store, that starts a
//! segment's compressed stream so a new session of the same page costs its differences.
//!
//! Why: in a short session the keyframe is most of the stream (login: 4.6 of 5.8 KB),
//! and a second session of the same page repeats nearly all of it. Assets share only
//! the long strings; a primer shares everything else too (structure, short texts,
//! attributes). The encoder puts the primer's bytes in the brotli window as if the
//! stream had already written them (brotli's custom dictionary), so the new keyframe's
//! bytes become references into it; the stream names the primer by its SHA-256 and a
//! reader needs the same bytes to decompress (see "Primers" in `docs/FORMAT.md`).
//!
//! Where primers come from: with [`AssetMode::External`](super::AssetMode::External)
//! the encoder hands out its stream's first keyframe chunk body
//! ([`Encoder::poll_primer`](super::Encoder::poll_primer)); a host stores it under its
//! hash, keyed by whatever it knows of the page (its URL, a release), and gives it to
//! the encoders of later sessions of that page
//! ([`Encoder::set_primer`](super::Encoder::set_primer)). A primer from another page
//! is harmless: the stream is as large as without it, a little larger at worst.

use std::sync::Arc;

use super::assets::AssetHash;
use crate::hash::FastMap;

/// Bytes that start a segment's compressed stream, and their SHA-256, the name under
/// which a host stores them. Cheap to clone (shared).
#[derive(Clone, PartialEq, Eq)]
pub struct Primer {
    hash: AssetHash,
    bytes: Arc<[u8]>,
}

impl Primer {
    /// A primer of `bytes` (hashed here).
    pub fn new(bytes: impl Into<Arc<[u8]>>) -> Self {
        let bytes = bytes.into();
        Primer {
            hash: AssetHash::of_bytes(&bytes),
            bytes,
        }
    }

    /// Its SHA-256.
    pub fn hash(&self) -> AssetHash {
        self.hash
    }

    /// Its bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl std::fmt::Debug for Primer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Primer({}, {} bytes)", self.hash, self.bytes.len())
    }
}

/// The reader's primers, by hash.
#[derive(Debug, Default)]
pub(crate) struct PrimerTable {
    by_hash: FastMap<[u8; 32], Primer>,
    /// Bytes held, against [`crate::Limits::decoded_bytes`].
    bytes: usize,
}

impl PrimerTable {
    /// Keeps `primer` if it hashes to `hash` and fits within `cap` bytes in all.
    pub(crate) fn provide(&mut self, hash: AssetHash, bytes: &[u8], cap: usize) -> bool {
        let primer = Primer::new(bytes);
        if primer.hash != hash {
            return false;
        }
        if self.by_hash.contains_key(&hash.0) {
            return true;
        }
        let total = self.bytes.saturating_add(bytes.len());
        if total > cap {
            return false;
        }
        self.bytes = total;
        self.by_hash.insert(hash.0, primer);
        true
    }

    pub(crate) fn get(&self, hash: &[u8; 32]) -> Option<&[u8]> {
        self.by_hash.get(hash).map(Primer::bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_keeps_only_what_hashes_right_and_fits() {
        let p = Primer::new(b"keyframe bytes".to_vec());
        let mut t = PrimerTable::default();
        assert!(!t.provide(AssetHash([0; 32]), p.bytes(), 1 << 20));
        assert!(!t.provide(p.hash(), p.bytes(), 4));
        assert!(t.get(&p.hash().0).is_none());
        assert!(t.provide(p.hash(), p.bytes(), 1 << 20));
        assert_eq!(t.get(&p.hash().0), Some(&b"keyframe bytes"[..]));
    }
}
