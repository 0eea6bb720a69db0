//! Writes the HTML of the page state at a moment of a recording.
//!
//! `cargo run --release --example render -- IN.json --at T OUT.html`
//!
//! `T` is epoch milliseconds as in rrweb timestamps, `+MS` an offset from the first
//! event, or `end` for the last event.

use std::process::ExitCode;

use session_replay::{Limits, Timestamp, replay::Replayer, rrweb};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (input, at, output) = match args.as_slice() {
        [input, flag, at, output] if flag == "--at" => (input, at, output),
        _ => {
            eprintln!("usage: render IN.json --at T|+MS|end OUT.html");
            return ExitCode::from(2);
        }
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
    let mut replayer = Replayer::from(recovered.events);
    let Some((start, end)) = replayer.time_range() else {
        eprintln!("{input}: no events");
        return ExitCode::from(1);
    };
    let t = if at == "end" {
        end
    } else if let Some(offset) = at.strip_prefix('+') {
        match offset.parse::<i64>() {
            Ok(ms) => Timestamp(start.0 + ms),
            Err(_) => {
                eprintln!("bad offset {at}");
                return ExitCode::from(2);
            }
        }
    } else {
        match at.parse::<i64>() {
            Ok(ms) => Timestamp(ms),
            Err(_) => {
                eprintln!("bad time {at}");
                return ExitCode::from(2);
            }
        }
    };
    let state = replayer.seek(t);
    let html = state.to_html();
    if let Err(e) = std::fs::write(output, &html) {
        eprintln!("{output}: {e}");
        return ExitCode::from(1);
    }
    println!(
        "{input} at {} (+{} ms): {} nodes, {} bytes of HTML -> {output}; state hash {:016x}",
        t.0,
        t.0 - start.0,
        state.node_count(),
        html.len(),
        state.hash()
    );
    let d = state.diagnostics();
    if d.problems() > 0 {
        println!("diagnostics: {d:?}");
    }
    ExitCode::SUCCESS
}
