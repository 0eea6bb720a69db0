//! Partition ownership: one lease per partition in Redis, taken with `SET NX PX`,
//! renewed and released only by its holder. The lease is also the fence every commit
//! checks (see `store::commit`), so a worker that lost its partition cannot write.

use redis::Connection;

use crate::error::Result;
use crate::keys;

/// Renews the lease if `ARGV[1]` holds it (compare and expire in one step, so a lease
/// taken over by another worker meanwhile is never extended).
const RENEW: &str = "if redis.call('GET', KEYS[1]) == ARGV[1] then \
                     return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end";
/// Deletes the lease if `ARGV[1]` holds it.
const RELEASE: &str = "if redis.call('GET', KEYS[1]) == ARGV[1] then \
                       return redis.call('DEL', KEYS[1]) else return 0 end";

/// Takes partition `p` for `worker` for `lease_ms` if no one holds it.
pub fn claim(con: &mut Connection, p: u32, worker: &str, lease_ms: u64) -> Result<bool> {
    let ok: Option<String> = redis::cmd("SET")
        .arg(keys::owner(p))
        .arg(worker)
        .arg("NX")
        .arg("PX")
        .arg(lease_ms)
        .query(con)?;
    Ok(ok.is_some())
}

/// Extends `worker`'s lease on `p`; false if it no longer holds it.
pub fn renew(con: &mut Connection, p: u32, worker: &str, lease_ms: u64) -> Result<bool> {
    let n: i64 = redis::cmd("EVAL")
        .arg(RENEW)
        .arg(1)
        .arg(keys::owner(p))
        .arg(worker)
        .arg(lease_ms)
        .query(con)?;
    Ok(n == 1)
}

/// Gives up `worker`'s lease on `p` (the next worker may take it at once); false if it
/// did not hold it.
pub fn release(con: &mut Connection, p: u32, worker: &str) -> Result<bool> {
    let n: i64 = redis::cmd("EVAL")
        .arg(RELEASE)
        .arg(1)
        .arg(keys::owner(p))
        .arg(worker)
        .query(con)?;
    Ok(n == 1)
}

/// Who holds `p`, if anyone.
pub fn holder(con: &mut Connection, p: u32) -> Result<Option<String>> {
    Ok(redis::cmd("GET").arg(keys::owner(p)).query(con)?)
}
