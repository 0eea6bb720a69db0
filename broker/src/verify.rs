//! The end-to-end check: each session's stored output, decoded and written as rrweb
//! JSON, must equal its whole recording scrubbed in one go; and its chunk chain must
//! verify.

use redis::Connection;
use serde_json::Value;
use session_replay::codec;
use session_replay::privacy::scrub_rrweb_json;
use session_replay::rrweb;

use crate::config::Shared;
use crate::error::Result;
use crate::keys;
use crate::producer::Recording;

/// What the check found.
#[derive(Debug, Default)]
pub struct Checked {
    /// Sessions checked.
    pub sessions: usize,
    /// Sessions whose output equals the whole-stream result.
    pub equal: usize,
    /// Bytes of stored output (every session's chunks, one per batch).
    pub output_bytes: usize,
    /// Chunks in the stored output.
    pub chunks: usize,
    /// Bytes of the same scrubbed events encoded as one stream each (the chunk cadence
    /// a single encoder would have picked), for comparison.
    pub whole_bytes: usize,
    /// One line per session that is wrong, saying how.
    pub mismatches: Vec<String>,
}

/// Checks every recording's stored output.
pub fn check(con: &mut Connection, recordings: &[Recording], shared: &Shared) -> Result<Checked> {
    let policy = shared.policy();
    let limits = shared.limits();
    let mut c = Checked::default();
    for r in recordings {
        c.sessions += 1;
        let out: Option<Vec<u8>> = redis::cmd("GET").arg(keys::output(&r.session)).query(con)?;
        let out = out.unwrap_or_default();
        c.output_bytes += out.len();
        let mut wrong = |why: String| c.mismatches.push(format!("{}: {why}", r.session));
        let want = match scrub_rrweb_json(&r.json, &policy, &limits) {
            Ok((json, _)) => json,
            Err(e) => {
                wrong(format!("the whole recording does not scrub: {e}"));
                continue;
            }
        };
        let decoded = codec::decode(&out, &limits);
        if let Some(e) = decoded.errors.first() {
            wrong(format!("stored output does not decode: {e}"));
            continue;
        }
        let chain = codec::verify(&out, &limits);
        if !chain.is_ok() {
            wrong(format!(
                "chunk chain does not verify: {} damaged, breaks at {:?}",
                chain.errors.len(),
                chain.chain_breaks
            ));
            continue;
        }
        c.chunks += chain.chunks;
        let got: Value =
            serde_json::from_slice(&rrweb::write_events(&decoded.events)).unwrap_or(Value::Null);
        let want_value: Value = serde_json::from_slice(&want).unwrap_or(Value::Null);
        if got != want_value {
            let n = |v: &Value| v.as_array().map_or(0, Vec::len);
            wrong(format!(
                "decoded output differs from the whole-stream scrub ({} events vs {})",
                n(&got),
                n(&want_value)
            ));
            continue;
        }
        if let Ok(events) = rrweb::read(&want, &limits) {
            c.whole_bytes += codec::encode(&events, shared.encoder()).len();
        }
        c.equal += 1;
    }
    Ok(c)
}
