//! Every error type of the crate, and the umbrella [`Error`] they all convert into.
//!
//! Every error names where it happened: the event index and JSON path for rrweb input,
//! the chunk index and byte offset for the binary format, the event index and node id
//! for replay, the byte offset for a selector. Errors never carry recorded values (a
//! selector error carries the selector, which is the host's configuration, not recorded
//! data), so they are safe to log.
//!
//! Each stage returns its own error type, so a caller handles only what can happen
//! there; a host that drives several stages can use `?` into [`Error`], as with
//! rustls's and str0m's umbrella errors.

use thiserror::Error as ThisError;

use crate::model::{Event, Timestamp};
use crate::replay::Issue;

/// The valid part of a damaged input, and what was wrong with the rest: the one shape
/// of every lenient read ([`crate::rrweb::read_recovering`], [`crate::codec::decode`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Recovered<E> {
    /// Every event that read cleanly, in order ([`crate::codec::decode`] leaves out
    /// events that cannot be replayed after damage, and adds the keyframe it resumes
    /// from).
    pub events: Vec<Event>,
    /// What went wrong, in order: each error names where (event index, chunk).
    pub errors: Vec<E>,
}

impl<E> Default for Recovered<E> {
    fn default() -> Self {
        Recovered {
            events: Vec::new(),
            errors: Vec::new(),
        }
    }
}

impl<E> Recovered<E> {
    /// True when nothing went wrong.
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }

    /// The events when nothing went wrong, or else the first error.
    pub fn into_result(self) -> Result<Vec<Event>, E> {
        match self.errors.into_iter().next() {
            Some(e) => Err(e),
            None => Ok(self.events),
        }
    }
}

/// Any error of this crate. Each stage's error converts into it with `?`.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum Error {
    /// Reading rrweb JSON failed.
    #[error(transparent)]
    Rrweb(#[from] RrwebError),
    /// Binary format bytes are damaged, unsupported or over a limit.
    #[error(transparent)]
    Codec(#[from] CodecError),
    /// Strict replay met something it could not apply.
    #[error(transparent)]
    Replay(#[from] ReplayError),
    /// A privacy policy's selector could not be parsed.
    #[error(transparent)]
    Selector(#[from] SelectorError),
    /// Saved session state could not be restored.
    #[error(transparent)]
    State(#[from] StateError),
}

/// An error restoring saved session state (see `Scrubber::restore_state` and the
/// other stages' `restore_state`). It names the stage and the byte offset in the saved
/// state, never a saved value.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum StateError {
    /// The bytes do not start as saved state does.
    #[error("not saved session state (bad magic)")]
    BadMagic,
    /// Saved by a version of the layout this build does not read.
    #[error("saved state layout version {found} is not supported")]
    UnsupportedVersion {
        /// The version found.
        found: u16,
    },
    /// Saved by another stage.
    #[error("saved state of a {found}, restored as a {expected}")]
    WrongStage {
        /// The stage restoring.
        expected: &'static str,
        /// The stage that saved it.
        found: &'static str,
    },
    /// The bytes end before the state does.
    #[error("{stage} state ends early at byte {at}")]
    Truncated {
        /// The stage.
        stage: &'static str,
        /// Bytes there were.
        at: usize,
    },
    /// The checksum does not match: the bytes were damaged after saving.
    #[error("{stage} state is damaged (checksum mismatch)")]
    Checksum {
        /// The stage.
        stage: &'static str,
    },
    /// The bytes are not a state this build could have saved.
    #[error("{stage} state is malformed at byte {at}: {reason}")]
    Malformed {
        /// The stage.
        stage: &'static str,
        /// Byte offset in the saved state (at or before the problem).
        at: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// The state is over a limit of the restoring side.
    #[error("{stage} state: {what} exceeds the limit of {limit}")]
    LimitExceeded {
        /// The stage.
        stage: &'static str,
        /// Which limit.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
    /// The state was saved under another policy than the one restoring it: its masking
    /// decisions would not hold.
    #[error("scrubber state was saved under a different policy")]
    PolicyMismatch,
}

/// An error reading rrweb JSON.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum RrwebError {
    /// The bytes are not valid JSON (or nest deeper than the limit).
    #[error("invalid JSON at line {line}, column {column} (inside event {event_index}): {message}")]
    Syntax {
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// Index of the event being read when it happened (the count of events before it).
        event_index: usize,
        /// What the JSON parser said.
        message: String,
    },
    /// The top-level value is not an array.
    #[error("a recording is a JSON array of events; found {found}")]
    NotAnArray {
        /// What was found instead.
        found: String,
    },
    /// One event is valid JSON but not a valid rrweb event.
    #[error("event {index}: at {path}: {reason}")]
    InvalidEvent {
        /// Index of the event in the array.
        index: usize,
        /// JSON path inside the event, e.g. `$.data.adds[3].node.id`.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// A resource limit was exceeded.
    #[error("event {index}: at {path}: {what} exceeds the limit of {limit}")]
    LimitExceeded {
        /// Index of the event in the array.
        index: usize,
        /// JSON path inside the event.
        path: String,
        /// Which limit.
        what: &'static str,
        /// The limit's value.
        limit: usize,
    },
    /// The input is larger than the total-input limit.
    #[error("input of {size} bytes exceeds the limit of {limit} bytes")]
    InputTooLarge {
        /// Input size.
        size: usize,
        /// The limit.
        limit: usize,
    },
}

impl RrwebError {
    /// The index of the event the error is about, when there is one.
    pub fn event_index(&self) -> Option<usize> {
        match self {
            RrwebError::Syntax { event_index, .. } => Some(*event_index),
            RrwebError::InvalidEvent { index, .. } | RrwebError::LimitExceeded { index, .. } => {
                Some(*index)
            }
            RrwebError::NotAnArray { .. } | RrwebError::InputTooLarge { .. } => None,
        }
    }
}

/// An error in encoded bytes, naming the chunk (its index in the stream, counting
/// damaged ones) and where.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum CodecError {
    /// The file does not start with the format's magic.
    #[error("not a session-replay stream (bad magic)")]
    BadMagic,
    /// A version this decoder does not know.
    #[error("format version {0} is not supported (this decoder reads version 3)")]
    UnsupportedVersion(u8),
    /// A chunk's frame or content is broken.
    #[error("chunk {chunk}: malformed at byte {offset}: {what}")]
    Malformed {
        /// The chunk.
        chunk: usize,
        /// Byte offset (in the stream for framing errors, in the chunk body otherwise).
        offset: usize,
        /// What is wrong.
        what: &'static str,
    },
    /// A chunk's CRC32 does not match its bytes.
    #[error("chunk {chunk} at byte {offset}: checksum mismatch")]
    Checksum {
        /// The chunk.
        chunk: usize,
        /// Its offset in the stream.
        offset: usize,
    },
    /// The stream ends inside a chunk.
    #[error("chunk {chunk} at byte {offset}: truncated ({missing} more bytes expected)")]
    Truncated {
        /// The chunk.
        chunk: usize,
        /// Its offset in the stream.
        offset: usize,
        /// Bytes missing, if known.
        missing: usize,
    },
    /// A limit was exceeded.
    #[error("chunk {chunk}: {what} exceeds the limit of {limit}")]
    LimitExceeded {
        /// The chunk.
        chunk: usize,
        /// Which limit.
        what: &'static str,
        /// Its value.
        limit: usize,
    },
    /// Events lost to damage: a damaged or missing chunk, and the continuation chunks
    /// of its segment after it, which continue a page state, string table and
    /// compressed stream that are gone. Every event recorded after the last event read
    /// before the loss (`after`) and before the first read after it (`until`) is lost;
    /// reading resumes at the next keyframe chunk.
    #[error(
        "chunks {chunk} to {last_chunk}: events lost{}{}",
        after.map(|t| format!(" after {} ms", t.0)).unwrap_or_default(),
        until.map(|t| format!(" up to {} ms", t.0)).unwrap_or_else(|| " to the end".into())
    )]
    Lost {
        /// The first chunk of the loss (counting every chunk seen, damaged ones too).
        chunk: usize,
        /// The last chunk of the loss.
        last_chunk: usize,
        /// The timestamp of the last event read before the loss (`None`: none was).
        after: Option<Timestamp>,
        /// The timestamp of the first event read after it (`None`: the stream ended).
        until: Option<Timestamp>,
    },
    /// A chunk refers to an asset the reader does not have: its asset chunk was
    /// damaged, or it is held by a host's store that did not provide it. The strings
    /// that refer to it read as empty; everything else in the chunk is read.
    #[error("chunk {chunk}: asset {asset} is missing")]
    MissingAsset {
        /// The first chunk that referred to it.
        chunk: usize,
        /// The asset's number in the stream.
        asset: u64,
    },
    /// A chunk's compressed stream starts from a primer (an earlier session's keyframe
    /// in a host's store) that the reader was not given: the chunk and the rest of its
    /// segment cannot be read (reported once, then as [`CodecError::Lost`]).
    #[error("chunk {chunk}: primer {primer} is missing")]
    MissingPrimer {
        /// The chunk.
        chunk: usize,
        /// The primer's SHA-256, its name in the store.
        primer: crate::codec::AssetHash,
    },
    /// The chunk is compressed but this build has no compression support.
    #[error("chunk {chunk} is compressed; build with the `compress` feature to read it")]
    CompressionUnavailable {
        /// The chunk.
        chunk: usize,
    },
}

impl CodecError {
    pub(crate) fn in_chunk(self, chunk: usize) -> Self {
        match self {
            CodecError::Malformed { offset, what, .. } => CodecError::Malformed {
                chunk,
                offset,
                what,
            },
            CodecError::LimitExceeded { what, limit, .. } => {
                CodecError::LimitExceeded { chunk, what, limit }
            }
            CodecError::MissingPrimer { primer, .. } => CodecError::MissingPrimer { chunk, primer },
            other => other,
        }
    }

    /// The chunk the error is about, if any.
    pub fn chunk(&self) -> Option<usize> {
        match self {
            CodecError::Malformed { chunk, .. }
            | CodecError::Checksum { chunk, .. }
            | CodecError::Truncated { chunk, .. }
            | CodecError::LimitExceeded { chunk, .. }
            | CodecError::Lost { chunk, .. }
            | CodecError::MissingAsset { chunk, .. }
            | CodecError::MissingPrimer { chunk, .. }
            | CodecError::CompressionUnavailable { chunk } => Some(*chunk),
            CodecError::BadMagic | CodecError::UnsupportedVersion(_) => None,
        }
    }
}

/// A strict-mode replay error: the first thing replay could not apply, with the index of
/// the event (in time order) that carried it. Lenient replay counts the same issues in
/// [`crate::replay::Diagnostics`] instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ThisError)]
#[error("event {event_index}: {issue}")]
#[non_exhaustive]
pub struct ReplayError {
    /// Index of the event, in time order.
    pub event_index: usize,
    /// What could not be applied (it names the node where there is one).
    pub issue: Issue,
}

impl ReplayError {
    /// The index of the event the error is about.
    pub fn event_index(&self) -> usize {
        self.event_index
    }
}

/// A selector that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum SelectorError {
    /// Unexpected input at a byte offset.
    #[error("selector {selector:?}: {reason} at byte {position}")]
    Invalid {
        /// The selector text.
        selector: String,
        /// Byte offset of the problem.
        position: usize,
        /// What was wrong.
        reason: &'static str,
    },
    /// Longer than [`crate::privacy::MAX_SELECTOR_LEN`] bytes or with too many parts.
    #[error("selector of {len} bytes or parts exceeds the limit")]
    TooLong {
        /// Its length.
        len: usize,
    },
}
