//! A fast, deterministic hash for the crate's internal maps: no random state (the
//! library reads no entropy and its output never depends on a seed), eight bytes at a
//! time, multiply-rotate. Not for untrusted keys where collisions would cost more
//! than time: the maps that see page content check equality on every hit.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

/// Hashes `bytes`, continuing from `seed`.
pub(crate) fn hash_bytes(seed: u64, bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = seed ^ 0xcbf2_9ce4_8422_2325 ^ (bytes.len() as u64).wrapping_mul(K);
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    // The tail as a little-endian word, zero-padded (a byte loop: a variable-length
    // copy would call memcpy for every short string).
    let tail = chunks
        .remainder()
        .iter()
        .rev()
        .fold(0u64, |w, &b| w << 8 | u64::from(b));
    (h.rotate_left(5) ^ tail).wrapping_mul(K)
}

/// A [`std::hash::Hasher`] over [`hash_bytes`].
#[derive(Default)]
pub(crate) struct FastHash(u64);

impl std::hash::Hasher for FastHash {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 = hash_bytes(self.0, bytes);
    }
}

/// A `HashMap` with [`FastHash`].
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHash>>;

/// A hasher for keys that are hashes already (`u64`s from [`hash_bytes`]).
#[derive(Default)]
pub(crate) struct PreHashed(u64);

impl std::hash::Hasher for PreHashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 = hash_bytes(self.0, bytes);
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

/// A `HashMap` keyed by [`hash_bytes`] values.
pub(crate) type HashKeyed<V> = HashMap<u64, V, BuildHasherDefault<PreHashed>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_spread() {
        assert_eq!(hash_bytes(0, b"div"), hash_bytes(0, b"div"));
        assert_ne!(hash_bytes(0, b"div"), hash_bytes(0, b"dir"));
        assert_ne!(hash_bytes(0, b""), hash_bytes(0, b"\0"));
        assert_ne!(
            hash_bytes(0, b"0123456789abcdef"),
            hash_bytes(0, b"0123456789abcdeg")
        );
    }

    /// The tail is the zero-padded little-endian word of the last bytes (state hashes
    /// depend on these values staying the same).
    #[test]
    fn tail_is_the_padded_little_endian_word() {
        fn reference(seed: u64, bytes: &[u8]) -> u64 {
            const K: u64 = 0x9E37_79B9_7F4A_7C15;
            let mut h = seed ^ 0xcbf2_9ce4_8422_2325 ^ (bytes.len() as u64).wrapping_mul(K);
            let mut chunks = bytes.chunks_exact(8);
            for c in &mut chunks {
                h = (h.rotate_left(5) ^ u64::from_le_bytes(c.try_into().unwrap())).wrapping_mul(K);
            }
            let mut tail = [0u8; 8];
            tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
            (h.rotate_left(5) ^ u64::from_le_bytes(tail)).wrapping_mul(K)
        }
        let data: Vec<u8> = (0..40u8).map(|i| i.wrapping_mul(37) ^ 0xa5).collect();
        for n in 0..data.len() {
            for seed in [0, 7, u64::MAX] {
                assert_eq!(
                    hash_bytes(seed, &data[..n]),
                    reference(seed, &data[..n]),
                    "{n}"
                );
            }
        }
    }
}
