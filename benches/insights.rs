//! Insights over the corpus against parsing the same JSON into the model, in the same
//! run: first a table (best and mean of interleaved rounds, and their ratio), then
//! criterion. The insights side is fed the parsed events one at a time, as a server's
//! ingest stage would be.

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use session_replay::insights::{Insights, InsightsConfig};
use session_replay::model::Event;
use session_replay::{Limits, rrweb};

const STREAMS: [(&str, &[u8]); 4] = [
    (
        "login",
        include_bytes!("../tests/data/corpus/login.raw.json"),
    ),
    ("todo", include_bytes!("../tests/data/corpus/todo.raw.json")),
    ("feed", include_bytes!("../tests/data/corpus/feed.raw.json")),
    (
        "frustration (ours, 5 signals)",
        include_bytes!("../tests/data/pages/frustration.rrweb.json"),
    ),
];

fn insights(events: &[Event]) -> usize {
    let mut i = Insights::new(InsightsConfig::default());
    let mut n = 0;
    for e in events {
        i.push(e);
        while i.poll_signal().is_some() {
            n += 1;
        }
    }
    i.finish();
    while i.poll_signal().is_some() {
        n += 1;
    }
    n
}

fn table(rounds: usize) {
    eprintln!(
        "\n| stream | events | parse the JSON, best / mean (us) | insights, best / mean (us) | parse / insights, best | parse / insights, mean |"
    );
    eprintln!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for (name, bytes) in STREAMS {
        let events = rrweb::read(bytes, &Limits::DEFAULT).unwrap();
        let (mut best, mut sum) = ([f64::MAX; 2], [0.0; 2]);
        // Interleaved, so that a noisy moment hits both sides alike.
        for _ in 0..rounds {
            let t = Instant::now();
            black_box(rrweb::read(black_box(bytes), &Limits::DEFAULT).unwrap());
            let p = t.elapsed().as_secs_f64() * 1e6;
            let t = Instant::now();
            black_box(insights(black_box(&events)));
            let q = t.elapsed().as_secs_f64() * 1e6;
            for (k, v) in [p, q].into_iter().enumerate() {
                best[k] = best[k].min(v);
                sum[k] += v;
            }
        }
        let mean = [sum[0] / rounds as f64, sum[1] / rounds as f64];
        eprintln!(
            "| {name} | {} | {:.0} / {:.0} | {:.1} / {:.1} | {:.1}x | {:.1}x |",
            events.len(),
            best[0],
            mean[0],
            best[1],
            mean[1],
            best[0] / best[1],
            mean[0] / mean[1]
        );
    }
}

fn bench(c: &mut Criterion) {
    table(31);
    for (name, bytes) in STREAMS {
        let events = rrweb::read(bytes, &Limits::DEFAULT).unwrap();
        let mut g = c.benchmark_group(format!("insights/{name}"));
        g.throughput(Throughput::Elements(events.len() as u64));
        g.bench_function("baseline: parse the JSON into the model", |b| {
            b.iter(|| rrweb::read(black_box(bytes), &Limits::DEFAULT).unwrap())
        });
        g.bench_function("insights, one event at a time", |b| {
            b.iter(|| insights(black_box(&events)))
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
