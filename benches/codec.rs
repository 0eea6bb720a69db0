//! Size and speed of the binary format against the baselines, measured in the same run:
//! rrweb JSON, gzip -9 and zstd -19 of it (sizes); gzip -6 of it and serde_json parsing it
//! into the model (speed). Every stream we have: the corpus, a 4-minute `todo-long`
//! recorded with `../shared/drive`, form pages of our own (30-60 s), and a generated
//! page of 110k nodes with an hour of edits. Prints tables (sizes; what each mechanism
//! saves; a shared asset store; flushing; speed, best of N interleaved rounds), then
//! criterion measures encode and decode.

use std::hint::black_box;
use std::io::Write;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use session_replay::codec::{
    Asset, AssetHash, AssetMode, AssetSource, Compression, Encoder, EncoderConfig, Primer, decode,
    decode_with_assets, encode,
};
use session_replay::model::{Event, EventCount, Millis};
use session_replay::{Limits, rrweb};

#[path = "../tests/common/big_page.rs"]
mod big_page;

/// Recorded streams, as (name, path under tests/data).
const RECORDED: [(&str, &str); 9] = [
    ("login", "corpus/login.raw.json"),
    ("todo", "corpus/todo.raw.json"),
    ("feed", "corpus/feed.raw.json"),
    ("todo-long (4 min)", "drive/todo-long.rrweb.json"),
    ("login, driven again (25 s)", "drive/login.rrweb.json"),
    ("insurance (24 s)", "pages/insurance.rrweb.json"),
    ("insurance-long (54 s)", "pages/insurance-long.rrweb.json"),
    ("checkout (53 s)", "pages/checkout.rrweb.json"),
    ("signup (53 s)", "pages/signup.rrweb.json"),
];

struct Stream {
    name: String,
    json: Vec<u8>,
    events: Vec<Event>,
}

fn streams() -> Vec<Stream> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/");
    let mut out: Vec<Stream> = RECORDED
        .iter()
        .map(|(name, path)| {
            let json = std::fs::read(format!("{dir}{path}")).unwrap();
            let events = rrweb::read(&json, &Limits::DEFAULT).unwrap();
            Stream {
                name: (*name).into(),
                json,
                events,
            }
        })
        .collect();
    let events = big_page::big_session(10_000, 3_600_000);
    out.push(Stream {
        name: "big page (110k nodes, 1 h)".into(),
        json: rrweb::write_events(&events),
        events,
    });
    out
}

fn gzip(b: &[u8], level: u32) -> usize {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
    e.write_all(b).unwrap();
    e.finish().unwrap().len()
}

fn zstd19(b: &[u8]) -> usize {
    zstd::encode_all(b, 19).unwrap().len()
}

/// Bytes of `events` encoded with `config` by a host that flushes after every `batch`
/// events (0: never); with `restart`, each flush also restarts the compressed stream (as
/// a save does), which is what chunks compressed one by one would pay.
fn flushed(events: &[Event], config: EncoderConfig, batch: usize, restart: bool) -> usize {
    let mut enc = Encoder::new(config);
    let mut bytes = 0;
    for (i, e) in events.iter().enumerate() {
        enc.push(e);
        if batch > 0 && (i + 1) % batch == 0 {
            if restart {
                enc.save_state();
            } else {
                enc.flush();
            }
        }
        bytes += std::iter::from_fn(|| enc.poll_chunk())
            .map(|c| c.len())
            .sum::<usize>();
    }
    enc.finish();
    bytes
        + std::iter::from_fn(|| enc.poll_chunk())
            .map(|c| c.len())
            .sum::<usize>()
}

fn sizes(all: &[Stream]) {
    eprintln!(
        "| stream | events | rrweb JSON | gzip -9 | zstd -19 | ours, no compression | ours, default | ours, archival | default / zstd -19 | archival / zstd -19 |"
    );
    eprintln!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let mut t = [0usize; 6];
    let mut worst = (0.0f64, String::new());
    for s in all {
        let raw = encode(
            &s.events,
            EncoderConfig::default().with_compression(Compression::None),
        )
        .len();
        let def = encode(&s.events, EncoderConfig::default());
        let back = decode(&def, &Limits::DEFAULT);
        assert!(back.is_clean() && back.events == s.events, "{}", s.name);
        let arch = encode(&s.events, EncoderConfig::archival()).len();
        let (g, z) = (gzip(&s.json, 9), zstd19(&s.json));
        let r = def.len() as f64 / z as f64;
        if r > worst.0 {
            worst = (r, s.name.clone());
        }
        eprintln!(
            "| {} | {} | {} | {g} | {z} | {raw} | {} | {arch} | {r:.2}x | {:.2}x |",
            s.name,
            s.events.len(),
            s.json.len(),
            def.len(),
            arch as f64 / z as f64
        );
        for (a, v) in t.iter_mut().zip([s.json.len(), g, z, raw, def.len(), arch]) {
            *a += v;
        }
    }
    eprintln!(
        "| total | | {} | {} | {} | {} | {} | {} | {:.3}x | {:.3}x |",
        t[0],
        t[1],
        t[2],
        t[3],
        t[4],
        t[5],
        t[4] as f64 / t[2] as f64,
        t[5] as f64 / t[2] as f64
    );
    eprintln!("largest default / zstd -19: {:.2}x ({})", worst.0, worst.1);
}

/// What each mechanism saves, stream by stream, at the default quality.
fn mechanisms(all: &[Stream]) {
    let d = EncoderConfig::default();
    // Each mechanism is added to the one before it: the first three columns without
    // the dictionary, the fourth with everything (the default).
    let plain = d.with_dictionary(false);
    let no_assets = plain.with_assets(AssetMode::Inline, usize::MAX);
    // Version 2's placement: a keyframe every 1,000 events, 30 s or 1 MiB.
    let clock = no_assets.with_keyframe_every(EventCount(1_000), Millis::seconds(30), 1 << 20);
    eprintln!(
        "\n| stream | keyframes on the clock, no assets | by cost, no assets | by cost, assets | by cost, assets, dictionary (default) | clock, assets | flush every 50, compression restarted per chunk | flush every 50, one stream per segment (default) | flushed / not |"
    );
    eprintln!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for s in all {
        let e = &s.events;
        let a = encode(e, clock).len();
        let b = encode(e, no_assets).len();
        let c = encode(e, plain).len();
        let cd = encode(e, d).len();
        let ca = encode(e, clock.with_assets(AssetMode::Inline, 512)).len();
        let f_restart = flushed(e, d, 50, true);
        let f = flushed(e, d, 50, false);
        eprintln!(
            "| {} | {a} | {b} ({:+.0}%) | {c} ({:+.0}%) | {cd} ({:+.1}%) | {ca} ({:+.0}% vs clock) | {f_restart} | {f} | {:.2}x |",
            s.name,
            pct(b, a),
            pct(c, b),
            pct(cd, c),
            pct(ca, a),
            f as f64 / cd as f64
        );
    }
}

fn pct(new: usize, old: usize) -> f64 {
    (new as f64 / old as f64 - 1.0) * 100.0
}

/// A stream written with an asset store: its bytes, and the assets it handed out.
fn with_store(events: &[Event], primer: Option<Primer>) -> (Vec<u8>, Vec<Asset>, Option<Primer>) {
    let mut enc = Encoder::new(EncoderConfig::default().with_assets(AssetMode::External, 512));
    enc.set_primer(primer);
    let mut out = Vec::new();
    let mut assets = Vec::new();
    for e in events {
        enc.push(e);
    }
    enc.finish();
    assets.extend(std::iter::from_fn(|| enc.poll_asset()));
    out.extend(std::iter::from_fn(|| enc.poll_chunk()).flatten());
    (out, assets, enc.poll_primer())
}

/// A host's store: asset texts and primers by hash.
#[derive(Default)]
struct Store {
    assets: std::collections::HashMap<AssetHash, String>,
    primers: std::collections::HashMap<AssetHash, Vec<u8>>,
}

impl AssetSource for Store {
    fn asset(&self, hash: &AssetHash) -> Option<&str> {
        self.assets.get(hash).map(String::as_str)
    }
    fn primer(&self, hash: &AssetHash) -> Option<&[u8]> {
        self.primers.get(hash).map(Vec::as_slice)
    }
}

/// Two sessions of the same page, the second written against the store the first
/// filled: what each adds (stream, plus assets new to the store, brotli 11 as a store
/// would keep them), with assets only, and with the first session's keyframe as the
/// second's primer (the primer counted with the first session, brotli 11 too).
fn store() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/");
    let pairs = [
        (
            "login",
            "corpus/login.raw.json",
            "corpus/login.rrweb-default.json",
        ),
        (
            "todo",
            "corpus/todo.raw.json",
            "corpus/todo.rrweb-default.json",
        ),
        (
            "feed",
            "corpus/feed.raw.json",
            "corpus/feed.rrweb-default.json",
        ),
        (
            "insurance",
            "pages/insurance.rrweb.json",
            "pages/insurance-long.rrweb.json",
        ),
        (
            "checkout, then signup (another form page)",
            "pages/checkout.rrweb.json",
            "pages/signup.rrweb.json",
        ),
    ];
    eprintln!(
        "\n| page | 1st session: stream + new assets + its keyframe as a primer | without a store | 2nd, assets only: stream + new assets | 2nd, primed: stream + new assets | 2nd without a store | 2nd / 1st, assets only | 2nd / 1st, primed | 2nd primed / 2nd without a store |"
    );
    eprintln!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let read = |path: &str| {
        rrweb::read(
            &std::fs::read(format!("{dir}{path}")).unwrap(),
            &Limits::DEFAULT,
        )
        .unwrap()
    };
    for (page, first, second) in pairs {
        let mut store = Store::default();
        let put = |store: &mut Store, assets: Vec<Asset>| {
            let mut new_bytes = 0;
            for a in assets {
                if let std::collections::hash_map::Entry::Vacant(v) = store.assets.entry(a.hash) {
                    new_bytes += brotli11(a.text.as_bytes());
                    v.insert(a.text);
                }
            }
            new_bytes
        };
        let (e1, e2) = (read(first), read(second));
        let (bin1, assets1, primer) = with_store(&e1, None);
        let primer = primer.expect("a keyframe");
        let first_new = put(&mut store, assets1) + brotli11(primer.bytes());
        store.primers.insert(primer.hash(), primer.bytes().to_vec());
        let alone1 = encode(&e1, EncoderConfig::default()).len();
        let alone2 = encode(&e2, EncoderConfig::default()).len();
        let mut seconds = Vec::new();
        for p in [None, Some(primer.clone())] {
            let mut s2 = Store {
                assets: store.assets.clone(),
                primers: store.primers.clone(),
            };
            let (bin2, assets2, _) = with_store(&e2, p);
            let new2 = put(&mut s2, assets2);
            let back = decode_with_assets(&bin2, &Limits::DEFAULT, &s2);
            assert!(back.is_clean() && back.events == e2, "{second}");
            seconds.push((bin2.len(), new2));
        }
        let total1 = bin1.len() + first_new;
        let (s, p) = (seconds[0], seconds[1]);
        eprintln!(
            "| {page} | {} + {} = {} | {} | {} + {} = {} | {} + {} = {} | {} | {:.2} | {:.2} | {:.2} |",
            bin1.len(),
            first_new,
            total1,
            alone1,
            s.0,
            s.1,
            s.0 + s.1,
            p.0,
            p.1,
            p.0 + p.1,
            alone2,
            (s.0 + s.1) as f64 / total1 as f64,
            (p.0 + p.1) as f64 / total1 as f64,
            (p.0 + p.1) as f64 / alone2 as f64,
        );
    }
}

fn brotli11(b: &[u8]) -> usize {
    let p = brotli::enc::BrotliEncoderParams {
        quality: 11,
        ..Default::default()
    };
    let mut out = Vec::new();
    brotli::BrotliCompress(&mut &b[..], &mut out, &p).unwrap();
    out.len()
}

/// Speed against the same JSON, best of `rounds` interleaved rounds (each run starts with
/// caches holding the others' data, as a server converting one recording after another
/// would), and means.
fn speed(all: &[Stream], rounds: usize) {
    eprintln!(
        "\nspeed, same run, best of {rounds} interleaved rounds (mean in brackets), microseconds:"
    );
    eprintln!(
        "| stream | gzip -6 of the JSON | parse the JSON | parse + encode (default) | speed vs gzip -6 | decode (default) | speed vs parse | encode, no compression | decode, no compression |"
    );
    eprintln!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let none = EncoderConfig::default().with_compression(Compression::None);
    for s in all {
        let bin = encode(&s.events, EncoderConfig::default());
        let plain = encode(&s.events, none);
        let mut best = [f64::INFINITY; 6];
        let mut sum = [0f64; 6];
        for _ in 0..rounds {
            // Each run's result is dropped after its time is taken: parsing and
            // decoding are timed up to the events in hand, not their freeing (which
            // costs both the same, and would narrow the ratio between them).
            type Run<'a> = &'a dyn Fn() -> Box<dyn std::any::Any>;
            let runs: [Run; 6] = [
                &|| Box::new(black_box(gzip(&s.json, 6))),
                &|| Box::new(black_box(rrweb::read(&s.json, &Limits::DEFAULT).unwrap())),
                &|| {
                    let ev = rrweb::read(&s.json, &Limits::DEFAULT).unwrap();
                    Box::new(black_box(encode(&ev, EncoderConfig::default())))
                },
                &|| Box::new(black_box(decode(&bin, &Limits::DEFAULT))),
                &|| Box::new(black_box(encode(&s.events, none))),
                &|| Box::new(black_box(decode(&plain, &Limits::DEFAULT))),
            ];
            for ((b, m), f) in best.iter_mut().zip(&mut sum).zip(runs) {
                let t = Instant::now();
                let out = f();
                let us = t.elapsed().as_secs_f64() * 1e6;
                drop(out);
                *b = b.min(us);
                *m += us;
            }
        }
        let mean = sum.map(|x| x / rounds as f64);
        eprintln!(
            "| {} | {:.0} ({:.0}) | {:.0} ({:.0}) | {:.0} ({:.0}) | {:.2}x ({:.2}x) | {:.0} ({:.0}) | {:.1}x ({:.1}x) | {:.0} ({:.0}) | {:.0} ({:.0}) |",
            s.name,
            best[0],
            mean[0],
            best[1],
            mean[1],
            best[2],
            mean[2],
            best[0] / best[2],
            mean[0] / mean[2],
            best[3],
            mean[3],
            best[1] / best[3],
            mean[1] / mean[3],
            best[4],
            mean[4],
            best[5],
            mean[5]
        );
    }
}

fn bench(c: &mut Criterion) {
    // CODEC_TABLES=sizes,mechanisms,store,speed prints only those tables.
    let only = std::env::var("CODEC_TABLES").ok();
    let want = |t: &str| only.as_deref().is_none_or(|o| o.split(',').any(|x| x == t));
    let all = streams();
    if want("sizes") {
        sizes(&all);
    }
    if want("mechanisms") {
        mechanisms(&all);
    }
    if want("store") {
        store();
    }
    if want("speed") {
        speed(&all, 15);
    }
    // Criterion on the corpus only: the rest is in the tables above.
    for s in all.iter().take(3) {
        let (name, bytes, events) = (&s.name, &s.json, &s.events);
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
            let bin = encode(events, config);
            g.bench_function(format!("encode, {label}"), |b| {
                b.iter(|| encode(black_box(events), config))
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
