//! Converts a recording: rrweb JSON in, rrweb JSON out (lossless).
//!
//! `cargo run --release --example convert -- IN.json OUT.json`

use std::process::ExitCode;

use session_replay::rrweb;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = args.as_slice() else {
        eprintln!("usage: convert IN.json OUT.json");
        return ExitCode::from(2);
    };
    let bytes = match std::fs::read(input) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{input}: {e}");
            return ExitCode::from(1);
        }
    };
    let recovered = rrweb::read_recovering(&bytes);
    for e in &recovered.errors {
        eprintln!("warning: {e} (skipped)");
    }
    let out = rrweb::write_events(&recovered.events);
    if let Err(e) = std::fs::write(output, &out) {
        eprintln!("{output}: {e}");
        return ExitCode::from(1);
    }
    println!(
        "{input} -> {output}: {} events, {} -> {} bytes",
        recovered.events.len(),
        bytes.len(),
        out.len()
    );
    if recovered.is_clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
