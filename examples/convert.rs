//! Converts a recording between rrweb JSON and the binary format, optionally masking it.
//!
//! `cargo run --release --example convert -- [--policy private|balanced|relaxed] [--no-compress | --archival] IN OUT`
//!
//! The input may be rrweb JSON or binary (recognised by its magic). The output is rrweb
//! JSON when OUT ends in `.json`, binary otherwise. `--archival` compresses harder (brotli
//! quality 10 instead of 6: smaller, slower to write, as fast to read).

use std::process::ExitCode;

use session_replay::codec::{self, Compression, EncoderConfig, FILE_MAGIC};
use session_replay::privacy::{Policy, Preset, scrub};
use session_replay::{Limits, Recovered, rrweb};

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut policy: Option<Preset> = None;
    let mut compress = true;
    if let Some(i) = args.iter().position(|a| a == "--no-compress") {
        compress = false;
        args.remove(i);
    }
    let mut archival = false;
    if let Some(i) = args.iter().position(|a| a == "--archival") {
        archival = true;
        args.remove(i);
    }
    if let Some(i) = args.iter().position(|a| a == "--policy") {
        match args.get(i + 1).map(|n| n.parse::<Preset>()) {
            Some(Ok(p)) => policy = Some(p),
            Some(Err(e)) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
            None => {
                eprintln!("--policy needs a name");
                return ExitCode::from(2);
            }
        }
        args.drain(i..i + 2);
    }
    let [input, output] = args.as_slice() else {
        eprintln!(
            "usage: convert [--policy private|balanced|relaxed] [--no-compress | --archival] IN OUT"
        );
        return ExitCode::from(2);
    };
    let bytes = match std::fs::read(input) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{input}: {e}");
            return ExitCode::from(1);
        }
    };
    let mut clean = true;
    let mut events = if bytes.starts_with(&FILE_MAGIC) {
        let Recovered { events, errors } = codec::decode(&bytes, &Limits::DEFAULT);
        for e in &errors {
            eprintln!("warning: {e} (skipped)");
        }
        clean &= errors.is_empty();
        events
    } else {
        let recovered = rrweb::read_recovering(&bytes, &Limits::DEFAULT);
        for e in &recovered.errors {
            eprintln!("warning: {e} (skipped)");
        }
        clean &= recovered.is_clean();
        recovered.events
    };
    if let Some(p) = policy {
        let (scrubbed, report) = scrub(events, &Policy::preset(p));
        events = scrubbed;
        println!(
            "masked with the {} policy: {} actions",
            p.name(),
            report.total()
        );
    }
    let out = if output.ends_with(".json") {
        rrweb::write_events(&events)
    } else {
        let config = if !compress {
            EncoderConfig::default().with_compression(Compression::None)
        } else if archival {
            EncoderConfig::archival()
        } else {
            EncoderConfig::default()
        };
        codec::encode(&events, config)
    };
    if let Err(e) = std::fs::write(output, &out) {
        eprintln!("{output}: {e}");
        return ExitCode::from(1);
    }
    println!(
        "{input} -> {output}: {} events, {} -> {} bytes",
        events.len(),
        bytes.len(),
        out.len()
    );
    if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
