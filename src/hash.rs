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
    (h.rotate_left(5) ^ le_word(chunks.remainder())).wrapping_mul(K)
}

/// Up to eight bytes as a zero-padded little-endian word, with at most two loads (a
/// variable-length copy would call memcpy for every short string).
fn le_word(b: &[u8]) -> u64 {
    let n = b.len();
    let word4 = |s: Option<&[u8]>| {
        s.and_then(|s| <[u8; 4]>::try_from(s).ok())
            .map_or(0, |a| u64::from(u32::from_le_bytes(a)))
    };
    if n >= 8 {
        return b
            .get(..8)
            .and_then(|s| <[u8; 8]>::try_from(s).ok())
            .map_or(0, u64::from_le_bytes);
    }
    if n >= 4 {
        // Two overlapping 4-byte loads: bytes 0..4, and bytes 4..n from the top of
        // the last four.
        let lo = word4(b.get(..4));
        let hi = word4(b.get(n - 4..));
        return lo | (hi >> (8 * (8 - n))) << 32;
    }
    b.iter().rev().fold(0u64, |w, &x| w << 8 | u64::from(x))
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

/// A string of at most 15 bytes as one integer: its bytes little-endian, its length in
/// the top byte. Equal strings give equal keys and different ones different keys, so a
/// map keyed by it needs no string comparison. `None` for longer strings.
pub(crate) fn short_key(s: &str) -> Option<u128> {
    let b = s.as_bytes();
    if b.len() > 15 {
        return None;
    }
    let lo = le_word(b.get(..b.len().min(8)).unwrap_or_default());
    let hi = le_word(b.get(8..).unwrap_or_default());
    Some(u128::from(lo) | u128::from(hi) << 64 | (b.len() as u128) << 120)
}

/// A hasher for [`short_key`] keys: one multiply-xor mix.
#[derive(Default)]
pub(crate) struct ShortHash(u64);

impl std::hash::Hasher for ShortHash {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 = hash_bytes(self.0, bytes);
    }
    fn write_u128(&mut self, v: u128) {
        // Each half through its own multiply before they meet, so that no simple
        // relation between the halves of two keys makes them collide.
        const K1: u64 = 0x9E37_79B9_7F4A_7C15;
        const K2: u64 = 0xC2B2_AE3D_27D4_EB4F;
        let (lo, hi) = (v as u64, (v >> 64) as u64);
        let a = lo.wrapping_mul(K1);
        let b = (hi ^ a.rotate_left(31)).wrapping_mul(K2);
        self.0 = b ^ b >> 29;
    }
}

/// A `HashMap` keyed by [`short_key`].
pub(crate) type ShortMap<V> = HashMap<u128, V, BuildHasherDefault<ShortHash>>;

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

    #[test]
    fn short_keys_are_exact() {
        let words = [
            "",
            "a",
            "\0",
            "a\0",
            "div",
            "dív",
            "0123456789abcde",
            "0123456789abcdf",
        ];
        for (i, a) in words.iter().enumerate() {
            for (j, b) in words.iter().enumerate() {
                assert_eq!(short_key(a) == short_key(b), i == j, "{a:?} {b:?}");
            }
        }
        assert!(short_key("0123456789abcdef").is_none());
        // The key is the bytes little-endian with the length on top, for every length.
        let data = "0123456789abcde";
        for n in 0..=15 {
            let expect = data.as_bytes()[..n]
                .iter()
                .rev()
                .fold(0u128, |w, &x| w << 8 | u128::from(x))
                | (n as u128) << 120;
            assert_eq!(short_key(&data[..n]), Some(expect), "{n}");
        }
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
