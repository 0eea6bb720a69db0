//! Scrubs a recorded rrweb stream with a masking policy and prints the report.
//!
//! `cargo run --release --example scrub -- [--policy private|balanced|relaxed] IN.json OUT.json`

use std::process::ExitCode;

use session_replay::privacy::{Policy, Preset, scrub};
use session_replay::{Limits, rrweb};

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut preset = Preset::Private;
    if let Some(i) = args.iter().position(|a| a == "--policy") {
        let Some(name) = args.get(i + 1).cloned() else {
            eprintln!("--policy needs a name: private, balanced or relaxed");
            return ExitCode::from(2);
        };
        match name.parse() {
            Ok(p) => preset = p,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        }
        args.drain(i..i + 2);
    }
    let [input, output] = args.as_slice() else {
        eprintln!("usage: scrub [--policy private|balanced|relaxed] IN.json OUT.json");
        return ExitCode::from(2);
    };
    let bytes = match std::fs::read(input) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{input}: {e}");
            return ExitCode::from(1);
        }
    };
    let recovered = rrweb::read_recovering(&bytes, &Limits::DEFAULT);
    for e in &recovered.errors {
        eprintln!("warning: {e} (skipped)");
    }
    let clean = recovered.is_clean();
    let (events, report) = scrub(recovered.events, &Policy::preset(preset));
    let out = rrweb::write_events(&events);
    if let Err(e) = std::fs::write(output, &out) {
        eprintln!("{output}: {e}");
        return ExitCode::from(1);
    }
    println!(
        "{input} -> {output} with the {} policy: {} -> {} bytes",
        preset.name(),
        bytes.len(),
        out.len()
    );
    print!("{report}");
    if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
