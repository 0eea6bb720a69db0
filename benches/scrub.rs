//! Scrubbing rrweb JSON end to end (bytes in, bytes out) with the default policy,
//! against serde_json parsing the same bytes into a `Value` and serializing it back,
//! measured in the same run; and the same streams fed as a server gets them, in batches
//! of 50 events through one `Scrubber` (`scrub_json_batch`), against the whole stream
//! in one call.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group};
use session_replay::Limits;
use session_replay::privacy::{Policy, Scrubber, scrub_rrweb_json};

#[path = "../tests/common/batches.rs"]
mod split;

/// Events per batch, as an ingest server receives a session.
const BATCH: usize = 50;

const STREAMS: [(&str, &[u8]); 3] = [
    (
        "login",
        include_bytes!("../tests/data/corpus/login.raw.json"),
    ),
    ("todo", include_bytes!("../tests/data/corpus/todo.raw.json")),
    ("feed", include_bytes!("../tests/data/corpus/feed.raw.json")),
];

fn bench(c: &mut Criterion) {
    for (name, bytes) in STREAMS {
        let mut g = c.benchmark_group(format!("scrub/{name}"));
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function("baseline: Value parse + serialize", |b| {
            b.iter(|| {
                let v: serde_json::Value = serde_json::from_slice(black_box(bytes)).unwrap();
                serde_json::to_vec(&v).unwrap()
            })
        });
        for (label, policy) in [
            ("private", Policy::private()),
            ("balanced", Policy::balanced()),
        ] {
            g.bench_function(label, |b| {
                b.iter(|| scrub_rrweb_json(black_box(bytes), &policy, &Limits::default()).unwrap())
            });
        }
        g.finish();
        // Whole stream vs batches through the session's scrubber (split beforehand).
        let batches = split::batches(&split::split_events(bytes), &[BATCH], b",");
        let mut g = c.benchmark_group(format!("scrub_batches/{name}"));
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        let policy = Policy::private();
        g.bench_function("whole", |b| {
            b.iter(|| scrub_rrweb_json(black_box(bytes), &policy, &Limits::default()).unwrap())
        });
        g.bench_function(format!("batches of {BATCH}"), |b| {
            b.iter(|| scrub_batches(black_box(&batches), &policy))
        });
        g.finish();
    }
}

/// A session in batches through one scrubber, each batch's output reused (as a
/// server would send it on and clear it); returns the bytes written.
fn scrub_batches(batches: &[Vec<u8>], policy: &Policy) -> usize {
    let mut s = Scrubber::new(policy.clone());
    let mut out = Vec::new();
    let mut written = 0;
    for b in batches {
        out.clear();
        s.scrub_json_batch(b, &Limits::default(), &mut out).unwrap();
        written += out.len();
    }
    black_box(s.take_report());
    written
}

/// The throughput ratios, measured here in one run: the best of many rounds of each,
/// interleaved, so that both sides see the same machine.
fn summary() {
    use std::time::{Duration, Instant};
    println!(
        "\nscrub throughput vs serde_json::Value parse + serialize (same run, best of 40 rounds):"
    );
    println!(
        "{:<8} {:>10} {:>10} {:>8} {:>10} {:>8}",
        "stream", "baseline", "private", "ratio", "balanced", "ratio"
    );
    let (private, balanced) = (Policy::private(), Policy::balanced());
    for (name, bytes) in STREAMS {
        let mut best = [Duration::MAX; 3];
        for _ in 0..40 {
            let t = Instant::now();
            let v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
            black_box(serde_json::to_vec(&v).unwrap());
            best[0] = best[0].min(t.elapsed());
            for (k, p) in [(1, &private), (2, &balanced)] {
                let t = Instant::now();
                black_box(scrub_rrweb_json(bytes, p, &Limits::default()).unwrap());
                best[k] = best[k].min(t.elapsed());
            }
        }
        let r = |k: usize| best[0].as_secs_f64() / best[k].as_secs_f64();
        println!(
            "{name:<8} {:>10.2?} {:>10.2?} {:>7.2}x {:>10.2?} {:>7.2}x",
            best[0],
            best[1],
            r(1),
            best[2],
            r(2)
        );
    }
}

/// Batched against whole, in one run: rounds interleave the two so that both see the
/// same machine; the best of the rounds (the least disturbed) and the mean.
fn batch_summary() {
    use std::time::{Duration, Instant};
    const ROUNDS: u32 = 100;
    println!(
        "\nscrub_json_batch, batches of {BATCH} events through one Scrubber, vs the whole stream \
         in one call (same run, {ROUNDS} interleaved rounds):"
    );
    println!(
        "{:<8} {:<9} {:>8} {:>10} {:>10} {:>7} {:>10} {:>10} {:>7}",
        "stream",
        "policy",
        "batches",
        "whole min",
        "batch min",
        "ratio",
        "whole avg",
        "batch avg",
        "ratio"
    );
    for (name, bytes) in STREAMS {
        let batches = split::batches(&split::split_events(bytes), &[BATCH], b",");
        for (label, policy) in [
            ("private", Policy::private()),
            ("balanced", Policy::balanced()),
        ] {
            let (mut best, mut total) = ([Duration::MAX; 2], [Duration::ZERO; 2]);
            for round in 0..ROUNDS {
                // Each goes first in every other round, so neither always follows the
                // other's cache state.
                for k in [round % 2, 1 - round % 2] {
                    let t = Instant::now();
                    if k == 0 {
                        black_box(scrub_rrweb_json(bytes, &policy, &Limits::default()).unwrap());
                    } else {
                        black_box(scrub_batches(&batches, &policy));
                    }
                    let d = t.elapsed();
                    best[k as usize] = best[k as usize].min(d);
                    total[k as usize] += d;
                }
            }
            let mean = total.map(|t| t / ROUNDS);
            println!(
                "{name:<8} {label:<9} {:>8} {:>10.2?} {:>10.2?} {:>7.3} {:>10.2?} {:>10.2?} {:>7.3}",
                batches.len(),
                best[0],
                best[1],
                best[1].as_secs_f64() / best[0].as_secs_f64(),
                mean[0],
                mean[1],
                mean[1].as_secs_f64() / mean[0].as_secs_f64(),
            );
        }
    }
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    summary();
    batch_summary();
}
