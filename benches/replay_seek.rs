//! Seek cost: to the middle and to the end of each corpus stream and of a synthetic
//! 3-hour session built from the todo stream's activity (tests/common/synth.rs), and of
//! a big page: a ~110,000-node table edited for an hour (tests/common/big_page.rs). Each
//! measured seek starts from a state at the recording's start, so it is a real jump:
//! restore the nearest keyframe, then apply the events after it.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use session_replay::replay::Replayer;
use session_replay::{Limits, Timestamp, rrweb};

#[path = "../tests/common/big_page.rs"]
mod big_page;
#[path = "../tests/common/synth.rs"]
mod synth;

const STREAMS: [(&str, &[u8]); 3] = [
    (
        "login",
        include_bytes!("../tests/data/corpus/login.raw.json"),
    ),
    ("todo", include_bytes!("../tests/data/corpus/todo.raw.json")),
    ("feed", include_bytes!("../tests/data/corpus/feed.raw.json")),
];

fn seek_bench(c: &mut Criterion, name: &str, mut replayer: Replayer) {
    let (start, end) = replayer.time_range().unwrap();
    let middle = Timestamp(start.0 + (end.0 - start.0) / 2);
    let mut g = c.benchmark_group(format!("seek/{name}"));
    for (label, t) in [("middle", middle), ("end", end)] {
        g.bench_function(label, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    replayer.seek(start);
                    let now = Instant::now();
                    black_box(replayer.seek(black_box(t)));
                    total += now.elapsed();
                }
                total
            })
        });
    }
    // A backward jump from the end to the middle, the case rrweb pays most for.
    g.bench_function("end->middle", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                replayer.seek(end);
                let now = Instant::now();
                black_box(replayer.seek(black_box(middle)));
                total += now.elapsed();
            }
            total
        })
    });
    g.finish();
    replayer.seek(end);
    let s = replayer.state();
    let (structure, text) = s.memory();
    eprintln!(
        "{name}: {} events, {} keyframes ({:.1} MiB), {} nodes at the end, {:.0} B/node + {} B text",
        replayer.events().len(),
        replayer.keyframe_count(),
        replayer.keyframe_bytes() as f64 / (1 << 20) as f64,
        s.node_count(),
        structure as f64 / s.node_count() as f64,
        text
    );
}

fn bench(c: &mut Criterion) {
    for (name, bytes) in STREAMS {
        let events = rrweb::read(bytes, &Limits::DEFAULT).unwrap();
        seek_bench(c, name, Replayer::from(events));
    }
    let todo = rrweb::read(STREAMS[1].1, &Limits::DEFAULT).unwrap();
    let long = synth::long_session(&todo, 3 * 3600 * 1000);
    let build = Instant::now();
    let replayer = Replayer::from(long);
    eprintln!("3h synthetic: index built in {:?}", build.elapsed());
    seek_bench(c, "synthetic-3h", replayer);
    // Issue 15: a 10,000-row table (~110,000 nodes) edited for an hour.
    let big = big_page::big_session(10_000, 3600 * 1000);
    let build = Instant::now();
    let replayer = Replayer::from(big);
    eprintln!("big page: index built in {:?}", build.elapsed());
    seek_bench(c, "big-page", replayer);
}

criterion_group!(benches, bench);
criterion_main!(benches);
