//! The main job: runs the pipeline on a recording built into the example.
//!
//! `cargo run --release --example quickstart`
//!
//! Today the pipeline is: read rrweb JSON into the model, inspect it, write it back as
//! rrweb JSON (checking that nothing was lost), mask it with the default (private)
//! policy, encode it to the binary format and back, then replay it: seek backwards and
//! forwards through the keyframe index, and render the final page as HTML.

use session_replay::codec::{self, Compression, EncoderConfig};
use session_replay::privacy::{Policy, ScrubAction, scrub};
use session_replay::replay::Replayer;
use session_replay::{EventKind, Limits, Recovered, Summary, Timestamp, rrweb};

/// A real rrweb recording of a login page (see tests/data/corpus/README.md).
const RECORDING: &[u8] = include_bytes!("../tests/data/corpus/login.raw.json");

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 1. Read.
    let events = rrweb::read(RECORDING, &Limits::DEFAULT)?;
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

    // 4. Mask: the recording typed an email and two passwords in clear text.
    let secrets = [
        "jane.canary@example.com",
        "Tr0ub4dor&3-canaryA",
        "CanaryPass!2024-second",
    ];
    let raw_json = String::from_utf8_lossy(RECORDING);
    let in_raw = secrets.iter().filter(|s| raw_json.contains(*s)).count();
    let (events, report) = scrub(events, &Policy::default());
    let masked_json = rrweb::write_string(&events);
    let leaked = secrets.iter().filter(|s| masked_json.contains(*s)).count();
    println!(
        "masked with the private policy: {} actions ({} input values, {} texts, {} attributes); planted secrets: {in_raw} in the input, {leaked} in the output",
        report.total(),
        report.count(ScrubAction::InputMasked),
        report.count(ScrubAction::TextMasked),
        report.count(ScrubAction::AttributeMasked),
    );
    if leaked > 0 {
        return Err("a secret survived masking".into());
    }

    // 5. Encode to the binary format and back.
    let plain = codec::encode(
        &events,
        EncoderConfig::default().with_compression(Compression::None),
    );
    let packed = codec::encode(&events, EncoderConfig::default());
    let Recovered {
        events: decoded,
        errors,
    } = codec::decode(&packed, &Limits::DEFAULT);
    println!(
        "encoded: {} bytes without compression, {} with ({:.1}% of the JSON); decoded {} events, {}",
        plain.len(),
        packed.len(),
        100.0 * packed.len() as f64 / RECORDING.len() as f64,
        decoded.len(),
        if decoded == events && errors.is_empty() {
            "identical"
        } else {
            "DIFFERENT"
        }
    );
    if decoded != events || !errors.is_empty() {
        return Err("binary round trip failed".into());
    }
    let events = decoded;

    // 6. Replay: seek anywhere, in any order; the state is the same whatever the path.
    let mut replayer = Replayer::from(events);
    let (start, end) = replayer.time_range().ok_or("no events")?;
    let middle = Timestamp(start.0 + (end.0 - start.0) / 2);
    let end_hash = replayer.seek(end).hash();
    let mid = replayer.seek(middle);
    println!(
        "seek to +{:.1} s: {} nodes, viewport {:?}, window scroll {:?}, focus {:?}",
        (middle.0 - start.0) as f64 / 1000.0,
        mid.node_count(),
        mid.viewport().unwrap_or_default(),
        mid.window_scroll(),
        mid.focus()
    );
    let again = replayer.seek(end).hash();
    println!(
        "seek back to the end: state hash {again:016x} ({}), {} keyframes",
        if again == end_hash {
            "same as the first time"
        } else {
            "DIFFERENT"
        },
        replayer.keyframe_count()
    );
    if again != end_hash {
        return Err("seek was not path-independent".into());
    }

    // 7. Render the final state as a self-contained, inert HTML document.
    let state = replayer.state();
    let html = state.to_html();
    let out = std::env::temp_dir().join("session-replay-quickstart.html");
    std::fs::write(&out, &html)?;
    println!(
        "rendered the end state: {} bytes of HTML -> {} (diagnostics: {} problems)",
        html.len(),
        out.display(),
        state.diagnostics().problems()
    );
    Ok(())
}
