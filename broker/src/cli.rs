//! The command line: subcommands and their options, parsed into each part's own
//! option types.

use std::time::Duration;

use crate::config::{Shared, parse_number};
use crate::demo::RunOptions;
use crate::error::{BrokerError, Result};
use crate::worker::WorkerOptions;

/// Usage text.
pub const USAGE: &str = "\
usage: session-replay-broker COMMAND [OPTIONS]

commands:
  run [FILE...]      produce, two workers with a hand-off and a crash, check, summary
                     (default files: the corpus's todo, feed and login recordings)
      --copies N --per-batch N --handoff-after N --no-crash --lease-ms N --timeout-s N
  produce FILE...    send recordings as batches to the partition streams
      --copies N --per-batch N
  worker --id ID     scrub and encode batches of the partitions it takes
      --take all|P,P,... --lease-ms N --block-ms N --read-count N
      --handoff-after N --crash-after N

shared options (every command):
  --redis URL (redis://127.0.0.1:6390/)  --partitions N (4)
  --policy private|balanced|relaxed (private)  --keyframes cadence|none (cadence)";

/// A parsed command line.
#[derive(Debug)]
pub enum Cli {
    /// `run`.
    Run(Shared, RunOptions),
    /// `produce`.
    Produce(Shared, ProduceOptions),
    /// `worker`.
    Worker(Shared, WorkerOptions),
}

/// `produce`'s options.
#[derive(Debug, Clone)]
pub struct ProduceOptions {
    /// Recordings.
    pub files: Vec<String>,
    /// Sessions made of each recording.
    pub copies: usize,
    /// Events per batch.
    pub per_batch: usize,
}

fn usage(msg: impl Into<String>) -> BrokerError {
    BrokerError::Usage(msg.into())
}

/// Parses the arguments after the program name.
pub fn parse(args: &[String]) -> Result<Cli> {
    let (command, rest) = args.split_first().ok_or_else(|| usage("no command"))?;
    let mut shared = Shared::default();
    let mut options: Vec<(String, String)> = Vec::new();
    let mut flags: Vec<String> = Vec::new();
    let mut files: Vec<String> = Vec::new();
    let mut it = rest.iter();
    while let Some(arg) = it.next() {
        if arg == "--no-crash" {
            flags.push(arg.clone());
        } else if arg.starts_with("--") {
            let value = it
                .next()
                .ok_or_else(|| usage(format!("{arg} needs a value")))?;
            if !shared.set(arg, value)? {
                options.push((arg.clone(), value.clone()));
            }
        } else {
            files.push(arg.clone());
        }
    }
    let cli = match command.as_str() {
        "run" => {
            let mut o = RunOptions::default();
            if !files.is_empty() {
                o.files = files;
            }
            for (name, value) in &options {
                match name.as_str() {
                    "--copies" => o.copies = parse_number(name, value)?,
                    "--per-batch" => o.per_batch = parse_number(name, value)?,
                    "--handoff-after" => o.handoff_after = Some(parse_number(name, value)?),
                    "--lease-ms" => o.lease_ms = parse_number(name, value)?,
                    "--timeout-s" => o.timeout = Duration::from_secs(parse_number(name, value)?),
                    _ => return Err(usage(format!("run: unknown option {name}"))),
                }
            }
            o.crash = !flags.iter().any(|f| f == "--no-crash");
            flags.clear();
            Cli::Run(shared, o)
        }
        "produce" => {
            if files.is_empty() {
                return Err(usage("produce: no recordings given"));
            }
            let mut o = ProduceOptions {
                files,
                copies: 1,
                per_batch: 50,
            };
            for (name, value) in &options {
                match name.as_str() {
                    "--copies" => o.copies = parse_number(name, value)?,
                    "--per-batch" => o.per_batch = parse_number(name, value)?,
                    _ => return Err(usage(format!("produce: unknown option {name}"))),
                }
            }
            Cli::Produce(shared, o)
        }
        "worker" => {
            let id = options
                .iter()
                .find(|(n, _)| n == "--id")
                .map(|(_, v)| v.clone())
                .ok_or_else(|| usage("worker: --id is required"))?;
            let mut o = WorkerOptions::new(&id, &shared);
            for (name, value) in &options {
                match name.as_str() {
                    "--id" => {}
                    "--take" => o.partitions = parse_partitions(value, shared.partitions)?,
                    "--lease-ms" => o.lease_ms = parse_number(name, value)?,
                    "--block-ms" => o.block_ms = parse_number(name, value)?,
                    "--read-count" => o.read_count = parse_number(name, value)?,
                    "--handoff-after" => o.handoff_after = Some(parse_number(name, value)?),
                    "--crash-after" => o.crash_after = Some(parse_number(name, value)?),
                    _ => return Err(usage(format!("worker: unknown option {name}"))),
                }
            }
            if !files.is_empty() {
                return Err(usage("worker: takes no files"));
            }
            Cli::Worker(shared, o)
        }
        other => return Err(usage(format!("unknown command {other:?}"))),
    };
    if let Some(f) = flags.first() {
        return Err(usage(format!("{command}: unknown option {f}")));
    }
    Ok(cli)
}

/// `all` or a comma-separated list of partitions below `partitions`.
fn parse_partitions(value: &str, partitions: u32) -> Result<Vec<u32>> {
    if value == "all" {
        return Ok((0..partitions).collect());
    }
    value
        .split(',')
        .map(|p| {
            let p: u32 = parse_number("--take", p)?;
            if p >= partitions {
                return Err(usage(format!("--take: partition {p} of {partitions}")));
            }
            Ok(p)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn a_worker_line_parses_whatever_the_order() {
        let Cli::Worker(shared, o) = parse(&args(
            "worker --take 1,3 --id w2 --partitions 6 --crash-after 9 --redis redis://h:1/",
        ))
        .unwrap() else {
            panic!("not a worker");
        };
        assert_eq!(o.id, "w2");
        assert_eq!(o.partitions, [1, 3]);
        assert_eq!(o.crash_after, Some(9));
        assert_eq!(o.handoff_after, None);
        assert_eq!(shared.partitions, 6);
        assert_eq!(shared.redis, "redis://h:1/");
    }

    #[test]
    fn run_takes_files_and_flags() {
        let Cli::Run(_, o) = parse(&args("run a.json b.json --no-crash --copies 2")).unwrap()
        else {
            panic!("not a run");
        };
        assert_eq!(o.files, ["a.json", "b.json"]);
        assert!(!o.crash);
        assert_eq!(o.copies, 2);
    }

    #[test]
    fn mistakes_are_usage_errors() {
        for line in [
            "",
            "serve",
            "worker --take all",
            "worker --id w --take 4",
            "worker --id w --bogus 1",
            "produce",
            "produce a.json --no-crash",
            "run --copies",
        ] {
            assert!(
                matches!(parse(&args(line)), Err(BrokerError::Usage(_))),
                "{line:?}"
            );
        }
    }
}
