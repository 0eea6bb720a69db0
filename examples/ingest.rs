//! An ingest server's work on one session, batch by batch, with hand-offs between
//! workers: what a pipeline behind a queue does, in one process.
//!
//! `cargo run --release --example ingest -- [--policy private|balanced|relaxed] --batch-events N --handoff-every M IN.json OUT.bin`
//!
//! The recording is split into batches of N events, as an rrweb SDK sends them (each a
//! JSON array). Each batch is scrubbed with the session's [`Scrubber`] (the streaming
//! path, bytes to bytes), encoded with the session's [`Encoder`], and flushed: its
//! bytes are appended to `OUT.bin` before the next batch is taken, as a server makes a
//! request durable before acknowledging it. Every M batches the session's state is
//! saved to bytes, every object is dropped, and both stages are restored from those
//! bytes, as when a queue rebalance moves the session to another worker.
//!
//! `convert OUT.bin OUT.json` then gives the same JSON as `scrub IN.json OUT.json`
//! with the same policy, for any N and M.

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use session_replay::codec::{Encoder, EncoderConfig};
use session_replay::privacy::{Policy, Preset, Scrubber};
use session_replay::{Limits, rrweb};

/// The options, from the command line.
struct Args {
    preset: Preset,
    batch_events: usize,
    handoff_every: usize,
    input: String,
    output: String,
}

const USAGE: &str = "usage: ingest [--policy private|balanced|relaxed] --batch-events N --handoff-every M IN.json OUT.bin";

fn parse_args() -> Result<Args, String> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut take = |flag: &str| -> Result<Option<String>, String> {
        match args.iter().position(|a| a == flag) {
            None => Ok(None),
            Some(i) => {
                let v = args
                    .get(i + 1)
                    .cloned()
                    .ok_or(format!("{flag} needs a value"))?;
                args.drain(i..i + 2);
                Ok(Some(v))
            }
        }
    };
    let preset = take("--policy")?.map_or(Ok(Preset::Private), |p| p.parse())?;
    let number = |v: Option<String>, flag: &str| -> Result<usize, String> {
        let v = v.ok_or(format!("{flag} is required"))?;
        match v.parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(format!("{flag} takes a whole number above 0, not {v:?}")),
        }
    };
    let batch_events = number(take("--batch-events")?, "--batch-events")?;
    let handoff_every = number(take("--handoff-every")?, "--handoff-every")?;
    let [input, output] = args.as_slice() else {
        return Err(USAGE.into());
    };
    Ok(Args {
        preset,
        batch_events,
        handoff_every,
        input: input.clone(),
        output: output.clone(),
    })
}

/// One session's state on a worker.
struct Session {
    scrubber: Scrubber,
    encoder: Encoder,
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let bytes = match std::fs::read(&args.input) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{}: {e}", args.input);
            return ExitCode::from(1);
        }
    };
    // What the SDK sent: the recording as batches of N events, each a JSON array.
    let events = match rrweb::read(&bytes, &Limits::DEFAULT) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("{}: {e}", args.input);
            return ExitCode::from(1);
        }
    };
    let batches: Vec<Vec<u8>> = events
        .chunks(args.batch_events)
        .map(rrweb::write_events)
        .collect();
    let mut file = match std::fs::File::create(&args.output) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{}: {e}", args.output);
            return ExitCode::from(1);
        }
    };

    let policy = Policy::preset(args.preset);
    let limits = Limits::DEFAULT;
    let started = Instant::now();
    let mut session = Session {
        scrubber: Scrubber::new(policy.clone()),
        encoder: Encoder::new(EncoderConfig::default()),
    };
    let (mut handoffs, mut state_bytes, mut written) = (0usize, 0usize, 0usize);
    let mut scrubbed = Vec::new();
    for (i, batch) in batches.iter().enumerate() {
        if i > 0 && i % args.handoff_every == 0 {
            // Hand-off: everything the session needs, as bytes; then nothing else
            // survives (the next worker starts from these bytes alone).
            let saved_scrubber = session.scrubber.save_state();
            let saved_encoder = session.encoder.save_state();
            state_bytes = state_bytes.max(saved_scrubber.len() + saved_encoder.len());
            drop(session);
            let scrubber = Scrubber::restore_state(policy.clone(), &saved_scrubber, &limits);
            let encoder = Encoder::restore_state(&saved_encoder, &limits);
            session = match (scrubber, encoder) {
                (Ok(scrubber), Ok(encoder)) => Session { scrubber, encoder },
                (Err(e), _) | (_, Err(e)) => {
                    eprintln!("batch {i}: restoring the session: {e}");
                    return ExitCode::from(1);
                }
            };
            handoffs += 1;
        }
        scrubbed.clear();
        if let Err(e) = session
            .scrubber
            .scrub_json_batch(batch, &limits, &mut scrubbed)
        {
            eprintln!("batch {i}: {e}");
            return ExitCode::from(1);
        }
        let out = match rrweb::read(&scrubbed, &limits) {
            Ok(out) => out,
            Err(e) => {
                eprintln!("batch {i}: scrubbed batch does not read back: {e}");
                return ExitCode::from(1);
            }
        };
        for e in &out {
            session.encoder.push(e);
        }
        // Durable before the next batch: the batch's chunk goes to the file now.
        session.encoder.flush();
        while let Some(chunk) = session.encoder.poll_chunk() {
            written += chunk.len();
            if let Err(e) = file.write_all(&chunk) {
                eprintln!("{}: {e}", args.output);
                return ExitCode::from(1);
            }
        }
    }
    session.encoder.finish();
    while let Some(chunk) = session.encoder.poll_chunk() {
        written += chunk.len();
        if let Err(e) = file.write_all(&chunk) {
            eprintln!("{}: {e}", args.output);
            return ExitCode::from(1);
        }
    }
    let report = session.scrubber.take_report();
    println!(
        "{} -> {} with the {} policy: {} events in {} batches of {}, {} hand-offs \
         (largest saved state {} bytes), {} -> {} bytes in {:.1} ms",
        args.input,
        args.output,
        args.preset.name(),
        events.len(),
        batches.len(),
        args.batch_events,
        handoffs,
        state_bytes,
        bytes.len(),
        written,
        started.elapsed().as_secs_f64() * 1e3,
    );
    print!("{report}");
    ExitCode::SUCCESS
}
