//! rrweb JSON read and write, against serde_json's own `Value` parse and serialize of the
//! same bytes, measured in the same run.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use session_replay::{Limits, rrweb};

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
        let mut g = c.benchmark_group(format!("rrweb_json/{name}"));
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function("baseline: serde_json::Value parse", |b| {
            b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(bytes)).unwrap())
        });
        g.bench_function("read into model", |b| {
            b.iter(|| rrweb::read(black_box(bytes), &Limits::DEFAULT).unwrap())
        });
        let value: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        g.bench_function("baseline: serde_json::Value serialize", |b| {
            b.iter(|| serde_json::to_vec(black_box(&value)).unwrap())
        });
        let events = rrweb::read(bytes, &Limits::DEFAULT).unwrap();
        g.bench_function("write from model", |b| {
            b.iter(|| rrweb::write_events(black_box(&events)))
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
