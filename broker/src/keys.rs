//! The Redis key layout and the session-to-partition hash: every key the broker uses
//! is named here.

/// The consumer group every partition stream is read through.
pub const GROUP: &str = "sr:scrubbers";
/// Counters of what the workers did (a hash; field names in `worker::stat`).
pub const STATS: &str = "sr:stats";
/// Set to ask every worker to release its partitions and exit.
pub const STOP: &str = "sr:ctl:stop";
/// Every key the broker writes matches this (what `run` clears before it starts).
pub const ALL: &str = "sr:*";

/// The stream of partition `p`.
pub fn partition_stream(p: u32) -> String {
    format!("sr:p{p}")
}

/// The partition of a stream key, if it is one.
pub fn stream_partition(stream: &str) -> Option<u32> {
    stream.strip_prefix("sr:p")?.parse().ok()
}

/// The ownership lease of partition `p`.
pub fn owner(p: u32) -> String {
    format!("sr:owner:p{p}")
}

/// A session's saved state (see `state`).
pub fn state(session: &str) -> String {
    format!("sr:state:{session}")
}

/// A session's stored output: the binary stream, appended batch by batch.
pub fn output(session: &str) -> String {
    format!("sr:out:{session}")
}

/// The partition a session's batches go to: FNV-1a of its id, modulo `partitions`.
/// Stable across processes, builds and machines (std's hasher is seeded per process),
/// so every producer sends a session to the same partition and every batch of a
/// session is read, in order, by the one worker that owns it.
pub fn partition_of(session: &str, partitions: u32) -> u32 {
    (fnv1a(session.as_bytes()) % u64::from(partitions.max(1))) as u32
}

/// 64-bit FNV-1a: tiny, well known, and the same everywhere.
fn fnv1a(bytes: &[u8]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes
        .iter()
        .fold(OFFSET, |h, &b| (h ^ u64::from(b)).wrapping_mul(PRIME))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_published_vectors() {
        // The reference test vectors of 64-bit FNV-1a.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
        assert_eq!(
            partition_of("a", 1000),
            (0xaf63_dc4c_8601_ec8c_u64 % 1000) as u32
        );
    }

    #[test]
    fn sessions_spread_over_every_partition() {
        let mut seen = [0usize; 4];
        for i in 0..400 {
            seen[partition_of(&format!("session-{i}"), 4) as usize] += 1;
        }
        // Each partition gets a fair share (100 expected; FNV is not that uneven).
        assert!(seen.iter().all(|&n| (60..=140).contains(&n)), "{seen:?}");
    }

    #[test]
    fn stream_keys_read_back_to_their_partition() {
        for p in [0, 7, 123] {
            assert_eq!(stream_partition(&partition_stream(p)), Some(p));
        }
        assert_eq!(stream_partition("sr:out:x"), None);
    }
}
