//! Prints what an rrweb recording contains.
//!
//! `cargo run --release --example inspect -- IN.json`

use std::process::ExitCode;

use session_replay::replay::Replayer;
use session_replay::{Limits, Summary, rrweb};

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: inspect IN.json");
        return ExitCode::from(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::from(1);
        }
    };
    let recovered = rrweb::read_recovering(&bytes, &Limits::DEFAULT);
    for e in &recovered.errors {
        eprintln!("warning: {e}");
    }
    print!("{}", report(&path, &Summary::of(&recovered.events)));
    let mut r = Replayer::from(recovered.events.clone());
    if let Some((_, end)) = r.time_range() {
        let s = r.seek(end);
        println!(
            "  state at the end: {} nodes, hash {:016x}",
            s.node_count(),
            s.hash()
        );
        let d = s.diagnostics();
        if d.problems() > 0 || d.out_of_order > 0 {
            println!("  replay diagnostics: {d:?}");
        }
    }
    if recovered.is_clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The text report for one recording.
pub fn report(name: &str, s: &Summary) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(out, "{name}");
    let _ = writeln!(
        out,
        "  {} events over {:.1} s",
        s.events,
        s.duration_ms as f64 / 1000.0
    );
    let _ = writeln!(out, "  events by kind:");
    for (kind, n) in &s.by_kind {
        let _ = writeln!(out, "    {kind:<20} {n:>6}");
    }
    if !s.interactions.is_empty() {
        let list: Vec<String> = s
            .interactions
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        let _ = writeln!(out, "  mouse interactions: {}", list.join(", "));
    }
    let m = s.mutation_records;
    let _ = writeln!(
        out,
        "  mutation records: {} adds, {} removes, {} texts, {} attributes",
        m.adds, m.removes, m.texts, m.attributes
    );
    match s.first_snapshot_nodes {
        Some(n) => {
            let _ = writeln!(out, "  first full snapshot: {n} nodes");
        }
        None => {
            let _ = writeln!(out, "  no full snapshot");
        }
    }
    let sizes: Vec<String> = s
        .viewports
        .iter()
        .map(|(w, h)| format!("{w}x{h}"))
        .collect();
    let _ = writeln!(out, "  viewports: {}", sizes.join(" -> "));
    let per_node = |map: &std::collections::BTreeMap<session_replay::NodeId, usize>| {
        map.iter()
            .map(|(id, n)| format!("{id}: {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(out, "  clicks per node: {}", per_node(&s.clicks_per_node));
    let _ = writeln!(out, "  inputs per node: {}", per_node(&s.inputs_per_node));
    if s.out_of_order > 0 {
        let _ = writeln!(out, "  {} events out of time order", s.out_of_order);
    }
    out
}
