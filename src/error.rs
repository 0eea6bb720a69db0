//! The crate's error types.
//!
//! Every error names where it happened: the event index and JSON path for rrweb input,
//! and (in later stages) the chunk index or node id. Errors never carry recorded values,
//! so they are safe to log.

use thiserror::Error;

/// An error reading rrweb JSON.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
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
