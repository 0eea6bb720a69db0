//! session-replay-broker: an ingest server over Redis Streams, as an example of the
//! library's session hand-off. Reads the command line and runs one subcommand (see
//! `cli::USAGE`); the parts live in their own modules:
//!
//! - `producer`, `split`, `batch`: recordings to SDK-sized batches on partition streams;
//! - `worker`, `session`, `state`, `store`, `lease`: workers that scrub and encode
//!   batches, store then acknowledge them, and hand sessions over through saved state;
//! - `demo`, `verify`, `baseline`: the end-to-end run and its check.

mod baseline;
mod batch;
mod cli;
mod config;
mod demo;
mod error;
mod keys;
mod lease;
mod producer;
mod session;
mod split;
mod state;
mod store;
mod verify;
mod worker;

use std::process::ExitCode;

use cli::Cli;
use error::BrokerError;
use worker::{CRASH_STATUS, Exit};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cli = match cli::parse(&args) {
        Ok(cli) => cli,
        Err(e) => {
            eprintln!("{e}\n\n{}", cli::USAGE);
            return ExitCode::from(2);
        }
    };
    let done = match cli {
        Cli::Run(shared, opts) => demo::run(&shared, &opts),
        Cli::Produce(shared, opts) => produce(&shared, &opts),
        Cli::Worker(shared, opts) => match worker::run(&shared, opts) {
            // Dies as a crashed process would: no clean-up, leases left to expire.
            Ok(Exit::Crashed) => std::process::exit(CRASH_STATUS),
            other => other.map(|_| ()),
        },
    };
    match done {
        Ok(()) => ExitCode::SUCCESS,
        Err(e @ BrokerError::Usage(_)) => {
            eprintln!("{e}\n\n{}", cli::USAGE);
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn produce(shared: &config::Shared, opts: &cli::ProduceOptions) -> error::Result<()> {
    let recordings = producer::load_recordings(&opts.files, opts.copies)?;
    let mut con = shared.connect()?;
    let p = producer::produce(&mut con, &recordings, opts.per_batch, shared.partitions)?;
    println!(
        "produced {} sessions, {} batches ({} bytes), per partition {:?}",
        p.sessions, p.batches, p.bytes, p.per_partition
    );
    Ok(())
}
