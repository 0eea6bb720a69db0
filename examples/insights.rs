//! Prints the insights summary of an rrweb JSON stream as JSON: duration, active time,
//! pages, counts, and every frustration signal (rage, dead and error clicks, thrashed
//! cursor, U-turns).
//!
//! `cargo run --release --example insights -- IN.json` (without an argument: the corpus
//! login recording built into the example).

use session_replay::insights::{InsightsConfig, summarize};
use session_replay::{Limits, rrweb};

const BUILT_IN: &[u8] = include_bytes!("../tests/data/corpus/login.raw.json");

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let bytes = match std::env::args().nth(1) {
        Some(path) => std::fs::read(&path).map_err(|e| format!("{path}: {e}"))?,
        None => BUILT_IN.to_vec(),
    };
    // Lenient: a damaged event is skipped (and said on stderr), the rest is summarised.
    let read = rrweb::read_recovering(&bytes, &Limits::DEFAULT);
    for e in &read.errors {
        eprintln!("skipped: {e}");
    }
    let summary = summarize(&read.events, InsightsConfig::default());
    println!("{}", serde_json::to_string_pretty(&summary)?);
    Ok(())
}
