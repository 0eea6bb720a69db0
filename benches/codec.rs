//! Size and speed of the binary format against the baselines, measured in the same run:
//! rrweb JSON, gzip -9 and zstd -19 of it (sizes); serde_json parsing the JSON into the
//! model (speed). Prints size tables (the second: a server flushing after every batch),
//! then criterion measures encode and decode.

use std::hint::black_box;
use std::io::Write;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use session_replay::codec::{Compression, Encoder, EncoderConfig, decode, encode};
use session_replay::privacy::{Policy, scrub};
use session_replay::{Event, Limits, rrweb};

const STREAMS: [(&str, &[u8]); 3] = [
    (
        "login.raw",
        include_bytes!("../tests/data/corpus/login.raw.json"),
    ),
    (
        "todo.raw",
        include_bytes!("../tests/data/corpus/todo.raw.json"),
    ),
    (
        "feed.raw",
        include_bytes!("../tests/data/corpus/feed.raw.json"),
    ),
];

fn gzip9(b: &[u8]) -> usize {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(b).unwrap();
    e.finish().unwrap().len()
}

fn zstd19(b: &[u8]) -> usize {
    zstd::encode_all(b, 19).unwrap().len()
}

/// Best of three runs, in milliseconds.
fn best_ms<T>(mut f: impl FnMut() -> T) -> f64 {
    (0..3)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed().as_secs_f64() * 1e3
        })
        .fold(f64::INFINITY, f64::min)
}

fn sizes() {
    let mut t = [0usize; 6];
    eprintln!(
        "| stream | rrweb JSON | gzip -9 | zstd -19 | ours, no compression | ours, brotli 6 (default) | ours, brotli 10 (archival) | default / zstd -19 | archival / zstd -19 |"
    );
    eprintln!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let mut times = Vec::new();
    for (name, bytes) in STREAMS {
        let events = rrweb::read(bytes, &Limits::DEFAULT).unwrap();
        let raw = encode(
            &events,
            EncoderConfig::default().with_compression(Compression::None),
        )
        .len();
        let comp = encode(&events, EncoderConfig::default()).len();
        let arch = encode(&events, EncoderConfig::archival()).len();
        let (g, z) = (gzip9(bytes), zstd19(bytes));
        eprintln!(
            "| {name} | {} | {g} | {z} | {raw} | {comp} | {arch} | {:.2}x | {:.2}x |",
            bytes.len(),
            comp as f64 / z as f64,
            arch as f64 / z as f64
        );
        for (a, v) in t.iter_mut().zip([bytes.len(), g, z, raw, comp, arch]) {
            *a += v;
        }
        times.push((
            name,
            best_ms(|| zstd19(bytes)),
            best_ms(|| encode(&events, EncoderConfig::default())),
            best_ms(|| encode(&events, EncoderConfig::archival())),
        ));
    }
    eprintln!(
        "| total | {} | {} | {} | {} | {} | {} | {:.2}x | {:.2}x |",
        t[0],
        t[1],
        t[2],
        t[3],
        t[4],
        t[5],
        t[4] as f64 / t[2] as f64,
        t[5] as f64 / t[2] as f64
    );
    eprintln!(
        "uncompressed total / gzip -9 total = {:.2}x",
        t[3] as f64 / t[1] as f64
    );
    eprintln!(
        "time to compress, best of 3 (ms): stream | zstd -19 of the JSON | ours, default | ours, archival"
    );
    for (name, z, d, a) in times {
        eprintln!("{name} | {z:.1} | {d:.1} | {a:.1}");
    }
}

/// Bytes of `events` encoded with the default config by a server that flushes after
/// every `batch` events (0: never), and the chunks.
fn encode_in_batches(events: &[Event], batch: usize) -> (usize, u64) {
    let mut enc = Encoder::new(EncoderConfig::default());
    let mut bytes = 0;
    for (i, e) in events.iter().enumerate() {
        enc.push(e);
        if batch > 0 && (i + 1) % batch == 0 {
            enc.flush();
        }
        bytes += std::iter::from_fn(|| enc.poll_chunk())
            .map(|c| c.len())
            .sum::<usize>();
    }
    enc.finish();
    bytes += std::iter::from_fn(|| enc.poll_chunk())
        .map(|c| c.len())
        .sum::<usize>();
    (bytes, enc.chunks())
}

/// Sizes when a server encodes a session batch by batch, flushing after each batch of 50
/// events (issue 18), raw and scrubbed with `Policy::private()`.
fn batch_sizes() {
    eprintln!(
        "\n| stream | events | rrweb JSON | zstd -19 of the JSON | no flush | flush every 50 events | flushed / not |"
    );
    eprintln!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (name, bytes) in STREAMS {
        let raw = rrweb::read(bytes, &Limits::DEFAULT).unwrap();
        let (private, _) = scrub(raw.clone(), &Policy::private());
        for (label, events) in [("raw", raw), ("private", private)] {
            let json = rrweb::write_events(&events);
            let (whole, whole_chunks) = encode_in_batches(&events, 0);
            let (flushed, flushed_chunks) = encode_in_batches(&events, 50);
            eprintln!(
                "| {name}, {label} | {} | {} | {} | {whole} ({whole_chunks} chunks) | {flushed} ({flushed_chunks} chunks) | {:.2}x |",
                events.len(),
                json.len(),
                zstd19(&json),
                flushed as f64 / whole as f64
            );
        }
    }
}

/// Speed ratios by a stricter measure than criterion's means on a noisy machine: the
/// best of 40 interleaved rounds of each, in the same run.
fn best_of_rounds() {
    eprintln!(
        "\nspeed vs parsing the JSON into the model (same run, best of 40 interleaved rounds):"
    );
    eprintln!("| stream | parse | encode, none | decode, none | encode, brotli | decode, brotli |");
    eprintln!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for (name, bytes) in STREAMS {
        let events = rrweb::read(bytes, &Limits::DEFAULT).unwrap();
        let none = EncoderConfig::default().with_compression(Compression::None);
        let (bin, binb) = (
            encode(&events, none),
            encode(&events, EncoderConfig::default()),
        );
        let mut best = [f64::INFINITY; 5];
        for _ in 0..40 {
            let runs: [&dyn Fn(); 5] = [
                &|| drop(black_box(rrweb::read(bytes, &Limits::DEFAULT).unwrap())),
                &|| drop(black_box(encode(&events, none))),
                &|| drop(black_box(decode(&bin, &Limits::DEFAULT))),
                &|| drop(black_box(encode(&events, EncoderConfig::default()))),
                &|| drop(black_box(decode(&binb, &Limits::DEFAULT))),
            ];
            for (b, f) in best.iter_mut().zip(runs) {
                let t = Instant::now();
                f();
                *b = b.min(t.elapsed().as_secs_f64() * 1e6);
            }
        }
        let r = |k: usize| best[0] / best[k];
        eprintln!(
            "| {name} | {:.0} µs | {:.0} µs ({:.1}x) | {:.0} µs ({:.1}x) | {:.0} µs ({:.2}x) | {:.0} µs ({:.1}x) |",
            best[0],
            best[1],
            r(1),
            best[2],
            r(2),
            best[3],
            r(3),
            best[4],
            r(4)
        );
    }
}

fn bench(c: &mut Criterion) {
    sizes();
    batch_sizes();
    best_of_rounds();
    for (name, bytes) in STREAMS {
        let events = rrweb::read(bytes, &Limits::DEFAULT).unwrap();
        let mut g = c.benchmark_group(format!("codec/{name}"));
        g.throughput(Throughput::Elements(events.len() as u64));
        g.bench_function("baseline: serde_json parse into the model", |b| {
            b.iter(|| rrweb::read(black_box(bytes), &Limits::DEFAULT).unwrap())
        });
        for (label, config) in [
            (
                "no compression",
                EncoderConfig::default().with_compression(Compression::None),
            ),
            ("brotli", EncoderConfig::default()),
        ] {
            let bin = encode(&events, config);
            g.bench_function(format!("encode, {label}"), |b| {
                b.iter(|| encode(black_box(&events), config))
            });
            g.bench_function(format!("decode, {label}"), |b| {
                b.iter(|| decode(black_box(&bin), &Limits::DEFAULT))
            });
        }
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
