//! The main job: runs the pipeline on a recording built into the example.
//!
//! `cargo run --release --example quickstart`
//!
//! Today the pipeline is: read rrweb JSON into the model, inspect it, and write it back
//! as rrweb JSON, checking that nothing was lost.

use session_replay::{EventKind, Summary, rrweb};

/// A real rrweb recording of a login page (see tests/data/corpus/README.md).
const RECORDING: &[u8] = include_bytes!("../tests/data/corpus/login.raw.json");

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 1. Read.
    let events = rrweb::read(RECORDING)?;
    println!(
        "read {} events from {} bytes of rrweb JSON",
        events.len(),
        RECORDING.len()
    );

    // 2. Inspect.
    let s = Summary::of(&events);
    println!("  duration {:.1} s", s.duration_ms as f64 / 1000.0);
    let kinds: Vec<String> = s.by_kind.iter().map(|(k, n)| format!("{k} {n}")).collect();
    println!("  by kind: {}", kinds.join(", "));
    if let Some(n) = s.first_snapshot_nodes {
        println!("  first full snapshot: {n} nodes");
    }
    let sizes: Vec<String> = s
        .viewports
        .iter()
        .map(|(w, h)| format!("{w}x{h}"))
        .collect();
    println!("  viewports: {}", sizes.join(" -> "));
    if let Some(meta) = events.iter().find_map(|e| match &e.kind {
        EventKind::Meta(m) => Some(m),
        _ => None,
    }) {
        println!("  page: {}", meta.href);
    }

    // 3. Write back, and check the round trip is lossless.
    let written = rrweb::write_events(&events);
    let before: serde_json::Value = serde_json::from_slice(RECORDING)?;
    let after: serde_json::Value = serde_json::from_slice(&written)?;
    println!(
        "wrote {} bytes of rrweb JSON: {}",
        written.len(),
        if before == after {
            "identical to the input, value for value"
        } else {
            "DIFFERENT from the input"
        }
    );
    if before != after {
        return Err("round trip was not lossless".into());
    }
    Ok(())
}
