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
pub use read::{Reader, event_from_json};
pub use write::{
    write_event, write_events, write_events_to, write_json, write_json_str_to, write_json_to,
};

use crate::error::{Recovered, RrwebError};
use crate::limits::Limits;
use crate::model::Event;

/// Reads an rrweb event array within `limits` ([`Limits::DEFAULT`] fits real
/// recordings); the first problem is an error.
pub fn read(input: &[u8], limits: &Limits) -> Result<Vec<Event>, RrwebError> {
    Reader::new().with_limits(*limits).read(input)
}

/// Reads an rrweb event array from a string (see [`read`]).
pub fn read_str(input: &str, limits: &Limits) -> Result<Vec<Event>, RrwebError> {
    read(input.as_bytes(), limits)
}

/// Reads every valid event within `limits`, reporting errors alongside
/// (see [`Reader::read_recovering`]).
pub fn read_recovering(input: &[u8], limits: &Limits) -> Recovered<RrwebError> {
    Reader::new().with_limits(*limits).read_recovering(input)
}

/// Writes events as a compact rrweb JSON array string.
pub fn write_string(events: &[Event]) -> String {
    // The writer emits only valid UTF-8 (JSON text built from &str and ASCII).
    String::from_utf8_lossy(&write_events(events)).into_owned()
}
