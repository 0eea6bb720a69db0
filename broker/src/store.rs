//! The session store on Redis: a session's saved state, and the commit of a batch
//! (output appended and state saved in one transaction, fenced by the partition lease).

use redis::Connection;

use crate::error::Result;
use crate::keys;

/// How a commit went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Commit {
    /// The output and the state are stored.
    Stored,
    /// The worker does not hold the partition (its lease expired and another worker
    /// may have taken it over): nothing was written.
    NotOwner,
}

/// A session's saved state, if it has one.
pub fn load(con: &mut Connection, session: &str) -> Result<Option<Vec<u8>>> {
    Ok(redis::cmd("GET").arg(keys::state(session)).query(con)?)
}

/// Stores one applied batch: appends `chunk` to the session's output and replaces its
/// saved state with `state`, both or neither (MULTI/EXEC), and only while `worker`
/// holds partition `p` (WATCH on the lease: if it changes hands before EXEC, nothing is
/// written). Output and state thus always describe the same batch, which is what makes
/// a re-delivered batch recognisable and a restored session exact.
pub fn commit(
    con: &mut Connection,
    p: u32,
    worker: &str,
    session: &str,
    chunk: &[u8],
    state: &[u8],
) -> Result<Commit> {
    let owner = keys::owner(p);
    redis::cmd("WATCH").arg(&owner).exec(con)?;
    let holder: Option<String> = redis::cmd("GET").arg(&owner).query(con)?;
    if holder.as_deref() != Some(worker) {
        redis::cmd("UNWATCH").exec(con)?;
        return Ok(Commit::NotOwner);
    }
    let done: Option<Vec<redis::Value>> = redis::pipe()
        .atomic()
        .cmd("APPEND")
        .arg(keys::output(session))
        .arg(chunk)
        .cmd("SET")
        .arg(keys::state(session))
        .arg(state)
        .cmd("HINCRBY")
        .arg(keys::STATS)
        .arg("batches")
        .arg(1)
        .cmd("HINCRBY")
        .arg(keys::STATS)
        .arg("output_bytes")
        .arg(chunk.len())
        .cmd("HINCRBY")
        .arg(keys::STATS)
        .arg("state_bytes")
        .arg(state.len())
        .query(con)?;
    Ok(match done {
        Some(_) => Commit::Stored,
        None => Commit::NotOwner,
    })
}
