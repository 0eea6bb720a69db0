//! Scrubbing rrweb JSON end to end (bytes in, bytes out) with the default policy,
//! against serde_json parsing the same bytes into a `Value` and serializing it back,
//! measured in the same run.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group};
use session_replay::Limits;
use session_replay::privacy::{Policy, scrub_rrweb_json};

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
    }
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

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    summary();
}
