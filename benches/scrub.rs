//! Scrubbing rrweb JSON end to end (bytes in, bytes out) with the default policy,
//! against serde_json parsing the same bytes into a `Value` and serializing it back,
//! measured in the same run.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
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
                b.iter(|| scrub_rrweb_json(black_box(bytes), &policy).unwrap())
            });
        }
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
