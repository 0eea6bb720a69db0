//! The broker's error type: Redis, a recording or batch that does not read, a saved
//! session that does not restore, a batch out of order, a bad command line.

use session_replay::{RrwebError, StateError};

use crate::state::EnvelopeError;

/// What stops a broker command. Names the session, batch or stream entry, never the
/// recorded content.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BrokerError {
    /// Talking to Redis failed (connection, command or reply).
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    /// A recording file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A recording is not a JSON array of events.
    #[error("{path}: not a JSON array of events: {source}")]
    Recording {
        /// The file.
        path: String,
        /// Where the JSON went wrong.
        source: serde_json::Error,
    },
    /// A stream entry lacks a field or has one that does not parse.
    #[error("stream {stream} entry {id}: {reason}")]
    Entry {
        /// The partition stream.
        stream: String,
        /// The entry id.
        id: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A batch's events do not read as rrweb JSON.
    #[error("session {session} batch {seq}: {source}")]
    Batch {
        /// The session.
        session: String,
        /// The batch's sequence number.
        seq: u64,
        /// The reader's error (it names the event).
        source: RrwebError,
    },
    /// A session's saved envelope is damaged.
    #[error("session {session}: saved state: {source}")]
    Envelope {
        /// The session.
        session: String,
        /// What is wrong with it.
        source: EnvelopeError,
    },
    /// A session's scrubber or encoder state does not restore.
    #[error("session {session}: saved state: {source}")]
    State {
        /// The session.
        session: String,
        /// The stage's error.
        source: StateError,
    },
    /// A batch came that does not follow the last one applied (a lost batch or lost
    /// state: applying it would give a wrong stream).
    #[error("session {session}: batch {seq} does not follow {}", last.map_or("nothing".to_string(), |l| format!("batch {l}")))]
    Gap {
        /// The session.
        session: String,
        /// The batch that came.
        seq: u64,
        /// The last batch applied, if any.
        last: Option<u64>,
    },
    /// The command line is wrong.
    #[error("{0}")]
    Usage(String),
    /// The end-to-end run did not go as it must (a worker failed, a timeout, a
    /// mismatch).
    #[error("{0}")]
    Run(String),
}

/// The broker's result.
pub type Result<T, E = BrokerError> = std::result::Result<T, E>;
