//! `run`: the whole ingest end to end against a running Redis: produce, two worker
//! processes, a hand-off and a crash mid-stream, then the check against the
//! whole-stream result and a summary.

use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

use redis::streams::StreamInfoGroupsReply;
use redis::{Commands, Connection};

use crate::baseline;
use crate::config::Shared;
use crate::error::{BrokerError, Result};
use crate::producer::{self, Produced};
use crate::verify;
use crate::worker::{CRASH_STATUS, Stat};
use crate::{keys, lease};

/// The run's own options.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Recordings, one session each.
    pub files: Vec<String>,
    /// Sessions made of each recording.
    pub copies: usize,
    /// Events per batch.
    pub per_batch: usize,
    /// Batches the first worker stores before it hands over (default: half of its
    /// partitions' batches).
    pub handoff_after: Option<u64>,
    /// Whether the second worker dies mid-stream (and a third takes over).
    pub crash: bool,
    /// Lease of every worker, in ms: how long a dead worker's partitions wait.
    pub lease_ms: u64,
    /// How long the workers may take.
    pub timeout: Duration,
}

impl Default for RunOptions {
    fn default() -> Self {
        let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/corpus");
        RunOptions {
            files: ["todo", "feed", "login"]
                .iter()
                .map(|n| format!("{corpus}/{n}.raw.json"))
                .collect(),
            copies: 4,
            per_batch: 50,
            handoff_after: None,
            crash: true,
            lease_ms: 1_000,
            timeout: Duration::from_secs(120),
        }
    }
}

fn fail(msg: impl Into<String>) -> BrokerError {
    BrokerError::Run(msg.into())
}

/// A spawned worker process, killed if still running when dropped (a failed run
/// leaves no process behind).
struct Proc {
    name: &'static str,
    child: Child,
    exited: Option<ExitStatus>,
}

impl Proc {
    fn spawn(name: &'static str, shared: &Shared, args: &[String]) -> Result<Proc> {
        let exe = std::env::current_exe().map_err(|e| fail(format!("own binary: {e}")))?;
        let child = Command::new(exe)
            .arg("worker")
            .arg("--id")
            .arg(name)
            .args(args)
            .args(shared.to_args())
            .spawn()
            .map_err(|e| fail(format!("spawning worker {name}: {e}")))?;
        Ok(Proc {
            name,
            child,
            exited: None,
        })
    }

    /// Its exit status, once it has exited.
    fn poll(&mut self) -> Result<Option<ExitStatus>> {
        if self.exited.is_none() {
            self.exited = self
                .child
                .try_wait()
                .map_err(|e| fail(format!("worker {}: {e}", self.name)))?;
        }
        Ok(self.exited)
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if self.exited.is_none() && matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Deletes every key of an earlier run.
fn clear(con: &mut Connection) -> Result<usize> {
    let old: Vec<String> = con
        .scan_match::<_, String>(keys::ALL)?
        .collect::<redis::RedisResult<_>>()?;
    for batch in old.chunks(512) {
        let _: usize = con.del(batch)?;
    }
    Ok(old.len())
}

/// Whether every batch of every partition has been delivered and acknowledged.
fn all_acked(con: &mut Connection, partitions: u32) -> Result<bool> {
    for p in 0..partitions {
        let info: StreamInfoGroupsReply = con.xinfo_groups(keys::partition_stream(p))?;
        let Some(g) = info.groups.iter().find(|g| g.name == keys::GROUP) else {
            return Ok(false);
        };
        if g.pending > 0 || g.lag != Some(0) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Runs everything and prints the summary; an error if any session's output is wrong
/// or the run did not go as planned.
pub fn run(shared: &Shared, opts: &RunOptions) -> Result<()> {
    let mut con = shared.connect()?;
    let cleared = clear(&mut con)?;
    let recordings = producer::load_recordings(&opts.files, opts.copies)?;

    let t = Instant::now();
    let produced = producer::produce(&mut con, &recordings, opts.per_batch, shared.partitions)?;
    let produce_time = t.elapsed();

    // Worker 1 starts with the lower half of the partitions and hands them over
    // midway through its share; worker 2 takes whatever is free.
    let first: Vec<u32> = (0..shared.partitions.div_ceil(2)).collect();
    let first_share: usize = first
        .iter()
        .map(|&p| produced.per_partition[p as usize])
        .sum();
    let handoff_after = opts.handoff_after.unwrap_or((first_share / 2) as u64);
    if handoff_after == 0 || handoff_after as usize >= first_share {
        return Err(fail(format!(
            "worker 1's partitions hold {first_share} batches: cannot hand over after {handoff_after}"
        )));
    }
    let crash_after = ((produced.batches - handoff_after as usize) / 2).max(1) as u64;
    let list = |ps: &[u32]| ps.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
    let all: Vec<u32> = (0..shared.partitions).collect();
    let lease = opts.lease_ms.to_string();

    let t = Instant::now();
    let mut w1 = Proc::spawn(
        "w1",
        shared,
        &[
            "--take".into(),
            list(&first),
            "--handoff-after".into(),
            handoff_after.to_string(),
            "--lease-ms".into(),
            lease.clone(),
        ],
    )?;
    // Worker 2 must not take worker 1's partitions before it does.
    while first
        .iter()
        .any(|&p| lease::holder(&mut con, p).ok().flatten().as_deref() != Some("w1"))
    {
        if w1.poll()?.is_some() || t.elapsed() > opts.timeout {
            return Err(fail("worker 1 did not take its partitions"));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let mut w2_args = vec![
        "--take".into(),
        list(&all),
        "--lease-ms".into(),
        lease.clone(),
    ];
    if opts.crash {
        w2_args.extend(["--crash-after".into(), crash_after.to_string()]);
    }
    let mut w2 = Proc::spawn("w2", shared, &w2_args)?;
    let mut w3: Option<Proc> = None;
    let mut crashed_at = None;

    loop {
        if let Some(status) = w1.poll()?
            && !status.success()
        {
            return Err(fail(format!("worker 1 failed: {status}")));
        }
        if let Some(status) = w2.poll()? {
            let died = opts.crash && status.code() == Some(CRASH_STATUS);
            if !died && !status.success() {
                return Err(fail(format!("worker 2 failed: {status}")));
            }
            if died && w3.is_none() {
                // The replacement a supervisor would start: it takes every partition
                // once worker 2's leases run out.
                crashed_at = Some(t.elapsed());
                w3 = Some(Proc::spawn(
                    "w3",
                    shared,
                    &[
                        "--take".into(),
                        list(&all),
                        "--lease-ms".into(),
                        lease.clone(),
                    ],
                )?);
            }
        }
        if let Some(w) = w3.as_mut()
            && let Some(status) = w.poll()?
        {
            return Err(fail(format!("worker 3 exited early: {status}")));
        }
        let settled = w1.exited.is_some() && (!opts.crash || w3.is_some());
        if settled && all_acked(&mut con, shared.partitions)? {
            break;
        }
        if t.elapsed() > opts.timeout {
            return Err(fail(format!(
                "batches still unacknowledged after {:?}",
                opts.timeout
            )));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let work_time = t.elapsed();

    let _: () = con.set(keys::STOP, 1)?;
    for w in [Some(&mut w2), w3.as_mut()].into_iter().flatten() {
        let until = Instant::now() + Duration::from_secs(10);
        while w.poll()?.is_none() {
            if Instant::now() > until {
                return Err(fail(format!("worker {} did not stop", w.name)));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    let t = Instant::now();
    let checked = verify::check(&mut con, &recordings, shared)?;
    let check_time = t.elapsed();
    let base = baseline::measure(&recordings, opts.per_batch, shared)?;
    let stats: std::collections::HashMap<String, u64> = con.hgetall(keys::STATS)?;
    let stat = |name: &str| stats.get(name).copied().unwrap_or(0);

    print_summary(Summary {
        cleared,
        shared,
        opts,
        produced: &produced,
        produce_time,
        work_time,
        handoff_after,
        crash_after: opts
            .crash
            .then_some((crash_after, crashed_at.unwrap_or_default())),
        checked: &checked,
        check_time,
        base,
        stat: &stat,
    });
    if !checked.mismatches.is_empty() {
        return Err(fail(format!(
            "{} of {} sessions differ from the whole-stream result",
            checked.mismatches.len(),
            checked.sessions
        )));
    }
    if stat("batches") != produced.batches as u64 {
        return Err(fail(format!(
            "{} batches stored for {} sent: a batch was applied twice or lost",
            stat("batches"),
            produced.batches
        )));
    }
    let handed = stat(Stat::HandedOver.name()) > 0;
    let recovered = !opts.crash || stat(Stat::Duplicates.name()) > 0;
    if !handed || !recovered {
        return Err(fail("the hand-off or the crash recovery did not happen"));
    }
    Ok(())
}

struct Summary<'a> {
    cleared: usize,
    shared: &'a Shared,
    opts: &'a RunOptions,
    produced: &'a Produced,
    produce_time: Duration,
    work_time: Duration,
    handoff_after: u64,
    crash_after: Option<(u64, Duration)>,
    checked: &'a verify::Checked,
    check_time: Duration,
    base: baseline::Baseline,
    stat: &'a dyn Fn(&str) -> u64,
}

fn print_summary(s: Summary<'_>) {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let p = s.produced;
    let stat = s.stat;
    println!(
        "broker run: {} sessions, {} batches of up to {} events ({} KiB of JSON) over {} partitions (per partition {:?}); {} old keys cleared",
        p.sessions,
        p.batches,
        s.opts.per_batch,
        p.bytes / 1024,
        s.shared.partitions,
        p.per_partition,
        s.cleared
    );
    println!(
        "  produce: {:.0} ms (XADD, pipelined per round)",
        ms(s.produce_time)
    );
    let wait = if s.crash_after.is_some() {
        format!(
            "; includes up to {} ms of lease expiry after the crash",
            s.opts.lease_ms
        )
    } else {
        String::new()
    };
    println!(
        "  workers: {:.0} ms from starting worker 1 until every batch was acknowledged ({:.0} batches/s{wait})",
        ms(s.work_time),
        p.batches as f64 / s.work_time.as_secs_f64(),
    );
    println!(
        "  hand-off: w1 handed {} partitions over after storing {} batches; {} sessions restored from saved state, {} pending batches taken over (all workers)",
        stat(Stat::HandedOver.name()),
        s.handoff_after,
        stat(Stat::Restored.name()),
        stat(Stat::Reclaimed.name())
    );
    if let Some((after, at)) = s.crash_after {
        println!(
            "  crash: w2 died after storing {after} batches ({:.0} ms in), its last one unacknowledged; w3 took over: {} re-delivered batches found applied and skipped",
            ms(at),
            stat(Stat::Duplicates.name())
        );
    }
    println!(
        "  stored: {} batches, {} KiB of output ({} chunks; the same events as one stream per session: {} KiB), {} KiB of state saved ({} B per batch)",
        stat("batches"),
        stat("output_bytes") / 1024,
        s.checked.chunks,
        s.checked.whole_bytes / 1024,
        stat("state_bytes") / 1024,
        stat("state_bytes") / stat("batches").max(1)
    );
    println!(
        "  in-process baseline, same batches, no Redis: {:.0} ms scrub+encode, {:.0} ms with the state save per batch ({} KiB of state: scrubber {} KiB, encoder {} KiB)",
        ms(s.base.apply),
        ms(s.base.apply_and_save),
        s.base.state_bytes / 1024,
        s.base.scrubber_bytes / 1024,
        s.base.encoder_bytes / 1024
    );
    println!(
        "  check: {}/{} sessions equal the whole-stream scrub, chains verified ({:.0} ms)",
        s.checked.equal,
        s.checked.sessions,
        ms(s.check_time)
    );
    for m in &s.checked.mismatches {
        println!("  MISMATCH {m}");
    }
}
