//! Reading and writing rrweb's JSON, losslessly.
//!
//! This module owns the mapping between rrweb 2.x `eventWithTime` JSON and the
//! [`crate::model`]. Reading then writing gives semantically identical JSON: the same
//! keys and values, integers staying integers and floats floats, `null` distinct from
//! absent, unknown fields and unknown event kinds kept. Reading never panics and never
//! recurses without bound: nesting is capped by [`crate::Limits::json_depth`] and node
//! trees are flattened iteratively. Errors name the event index and the JSON path, and
//! [`Reader::read_recovering`] hands back every valid event alongside the errors.

mod read;
mod write;

pub(crate) use read::read_one;
pub use read::{Reader, Recovered, event_from_json};
pub use write::{write_event, write_events, write_events_to, write_json};

use crate::error::RrwebError;
use crate::model::Event;

/// Reads an rrweb event array with the default limits; the first problem is an error.
pub fn read(input: &[u8]) -> Result<Vec<Event>, RrwebError> {
    Reader::new().read(input)
}

/// Reads an rrweb event array from a string (see [`read`]).
pub fn read_str(input: &str) -> Result<Vec<Event>, RrwebError> {
    read(input.as_bytes())
}

/// Reads every valid event with the default limits, reporting errors alongside
/// (see [`Reader::read_recovering`]).
pub fn read_recovering(input: &[u8]) -> Recovered {
    Reader::new().read_recovering(input)
}

/// Writes events as a compact rrweb JSON array string.
pub fn write_string(events: &[Event]) -> String {
    // The writer emits only valid UTF-8 (JSON text built from &str and ASCII).
    String::from_utf8_lossy(&write_events(events)).into_owned()
}
