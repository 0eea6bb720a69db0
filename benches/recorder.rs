//! Per-event recording cost with the default (private) policy applied, on one core:
//! pointer moves, input events, and mutation records of an average node (a todo item:
//! a list element with a checkbox, a label and a button).

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use session_replay::model::{EventCount, Timestamp};
use session_replay::privacy::Policy;
use session_replay::record::*;

fn page() -> (Recorder, HostTree) {
    let mut t = HostTree::default();
    let doc = t.push(HostKey(1), None, HostKind::Document);
    let html = t.push(
        HostKey(2),
        Some(doc),
        HostKind::Element {
            tag: "html".into(),
            attributes: vec![],
        },
    );
    let body = t.push(
        HostKey(3),
        Some(html),
        HostKind::Element {
            tag: "body".into(),
            attributes: vec![],
        },
    );
    t.push(
        HostKey(4),
        Some(body),
        HostKind::Element {
            tag: "input".into(),
            attributes: vec![("type".into(), "text".into())],
        },
    );
    t.push(
        HostKey(5),
        Some(body),
        HostKind::Element {
            tag: "ul".into(),
            attributes: vec![("class".into(), "todo-list".into())],
        },
    );
    let mut rec = Recorder::new(
        Policy::default(),
        RecorderConfig::default().with_max_events_per_sec(EventCount(usize::MAX)),
    );
    rec.grant_consent();
    rec.page("https://todo.test/", 1280.0, 800.0, Timestamp(0));
    rec.snapshot(&t, Timestamp(0));
    (rec, t)
}

fn item(key: u64) -> HostTree {
    let mut t = HostTree::default();
    let li = t.push(
        HostKey(key),
        None,
        HostKind::Element {
            tag: "li".into(),
            attributes: vec![
                ("class".into(), "todo-item".into()),
                ("data-id".into(), key.to_string()),
            ],
        },
    );
    t.push(
        HostKey(key + 1),
        Some(li),
        HostKind::Element {
            tag: "input".into(),
            attributes: vec![
                ("type".into(), "checkbox".into()),
                ("class".into(), "toggle".into()),
            ],
        },
    );
    let label = t.push(
        HostKey(key + 2),
        Some(li),
        HostKind::Element {
            tag: "span".into(),
            attributes: vec![("class".into(), "label".into())],
        },
    );
    t.push(
        HostKey(key + 3),
        Some(label),
        HostKind::Text("Buy milk and eggs".into()),
    );
    t.push(
        HostKey(key + 4),
        Some(li),
        HostKind::Element {
            tag: "button".into(),
            attributes: vec![
                ("class".into(), "destroy".into()),
                ("aria-label".into(), "Delete".into()),
            ],
        },
    );
    t
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("record");
    g.throughput(Throughput::Elements(1));
    g.bench_function("pointer move", |b| {
        let (mut rec, _) = page();
        let mut t = 0i64;
        b.iter(|| {
            t += 17;
            rec.pointer_move(black_box(HostKey(4)), 10.0, 20.0, Timestamp(t));
            while rec.poll_event().is_some() {}
        })
    });
    g.bench_function("input event", |b| {
        let (mut rec, _) = page();
        let mut t = 0i64;
        let values: Vec<String> = (0..64).map(|i| "x".repeat(i + 1)).collect();
        b.iter(|| {
            t += 1;
            rec.input(
                black_box(HostKey(4)),
                &values[(t % 64) as usize],
                false,
                Timestamp(t),
            );
            while rec.poll_event().is_some() {}
        })
    });
    // 20 records per iteration, each adding a todo item of 5 nodes: throughput per node.
    g.throughput(Throughput::Elements(100));
    g.bench_function("mutation record (todo item, per node)", |b| {
        b.iter_batched_ref(
            || (page().0, 1_000u64, 1i64),
            |(rec, key, t)| {
                for _ in 0..20 {
                    *key += 10;
                    *t += 1;
                    let r = [MutationRecord::ChildList {
                        target: HostKey(5),
                        added: vec![item(*key)],
                        removed: vec![],
                        next_sibling: None,
                    }];
                    rec.mutations(&r, Timestamp(*t));
                    while rec.poll_event().is_some() {}
                }
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
