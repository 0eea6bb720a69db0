//! The recorder's session state: a recorder saved, dropped and restored between host
//! calls (as the next page of a visit, or another worker, would) hands out the same
//! events and chunks as one that never stopped; consent survives; damaged state is an
//! error, never a panic; a restored state saves to the same bytes.

mod common;
#[path = "common/drive.rs"]
mod drive;

use proptest::prelude::*;
use session_replay::codec::{self, EncoderConfig};
use session_replay::model::*;
use session_replay::privacy::{Consent, Policy, PrivacySignal};
use session_replay::record::*;
use session_replay::{Limits, StateError, rrweb};

const STREAMS: [&str; 3] = [
    "corpus/login.raw.json",
    "corpus/todo.raw.json",
    "corpus/feed.raw.json",
];

fn events(path: &str) -> Vec<Event> {
    rrweb::read(&common::read(path), &Limits::DEFAULT).unwrap()
}

/// Every pending kind of work, often: small caps, a short keyframe cadence.
fn busy(config: RecorderConfig) -> RecorderConfig {
    config
        .with_keyframe_every(EventCount(40), Millis(4_000))
        .with_max_events_per_sec(EventCount(12))
        .with_max_bytes_per_sec(20_000)
}

/// What a recorder handed out: its events as rrweb JSON, its chunks, and its counts.
#[derive(Debug, PartialEq)]
struct Output {
    events: String,
    chunks: Vec<Vec<u8>>,
    dropped: u64,
}

/// What to do every `every` host calls.
#[derive(Clone, Copy, PartialEq)]
enum Handoff {
    /// Nothing.
    Never,
    /// Save, and go on with the same recorder (it closes the open chunk, as a
    /// hand-off does: the reference for chunk bytes).
    SaveOnly(usize),
    /// Save, drop the recorder, and go on with one restored from the bytes.
    Restore(usize),
}

/// Drives `path` through a recorder, draining its output every fifth call (so that
/// some hand-offs carry events and chunks not yet handed out), with `handoff`.
fn record(path: &str, policy: &Policy, config: RecorderConfig, handoff: Handoff) -> Output {
    let evs = events(path);
    let mut rec = Recorder::new(policy.clone(), config);
    rec.grant_consent();
    let mut calls = 0usize;
    let mut got = Vec::new();
    let mut chunks = Vec::new();
    let mut restored = 0;
    drive::drive_with(&mut rec, &evs, |rec| {
        calls += 1;
        if calls.is_multiple_of(5) {
            got.extend(std::iter::from_fn(|| rec.poll_event()));
            chunks.extend(std::iter::from_fn(|| rec.poll_chunk()));
        }
        match handoff {
            Handoff::SaveOnly(every) if calls.is_multiple_of(every) => {
                rec.save_state();
            }
            Handoff::Restore(every) if calls.is_multiple_of(every) => {
                let bytes = rec.save_state();
                let mut back = Recorder::restore_state(policy.clone(), &bytes, &Limits::DEFAULT)
                    .unwrap_or_else(|e| panic!("{path}: restore after call {calls}: {e}"));
                // A restored state saves to the same bytes.
                assert!(back.save_state() == bytes, "{path}: resave after {calls}");
                *rec = back;
                restored += 1;
            }
            _ => {}
        }
    });
    if let Handoff::Restore(every) = handoff {
        assert_eq!(restored, calls / every);
    }
    rec.stop(evs.last().unwrap().timestamp);
    got.extend(std::iter::from_fn(|| rec.poll_event()));
    chunks.extend(std::iter::from_fn(|| rec.poll_chunk()));
    Output {
        events: rrweb::write_string(&got),
        chunks,
        dropped: rec.dropped(),
    }
}

/// The events a chunk stream decodes to, as rrweb JSON.
fn decoded(chunks: &[Vec<u8>]) -> String {
    let back = codec::decode(&chunks.concat(), &Limits::DEFAULT);
    assert!(back.is_clean(), "{:?}", back.errors.first());
    rrweb::write_string(&back.events)
}

#[test]
fn recorder_hand_off_hands_out_the_same_events_and_chunks() {
    let policy = Policy::balanced();
    let encoding = RecorderConfig::default().with_encoding(EncoderConfig::default());
    for path in STREAMS {
        for (name, config) in [("default", encoding), ("busy", busy(encoding))] {
            let whole = record(path, &policy, config, Handoff::Never);
            assert!(!whole.chunks.is_empty());
            assert_eq!(decoded(&whole.chunks), whole.events, "{path} {name}");
            // Every call on the short login stream (about 450 calls); about ten
            // hand-offs on the others (about 1,100 and 5,800 calls over pages of 1,557
            // and 1,050 nodes: each hand-off saves the page three times, mirror,
            // scrubber and encoder, and rebuilds it three times).
            let rates: &[usize] = match (path, name) {
                (p, "default") if p.contains("login") => &[1],
                (p, _) if p.contains("login") => &[7],
                (p, _) if p.contains("feed") => &[109],
                _ => &[577],
            };
            for &every in rates {
                let saved = record(path, &policy, config, Handoff::SaveOnly(every));
                let moved = record(path, &policy, config, Handoff::Restore(every));
                let at = format!("{path} {name}, hand-off every {every} calls");
                // The same events as a recorder that never stopped ...
                assert!(moved.events == whole.events, "{at}: events");
                assert_eq!(moved.dropped, whole.dropped, "{at}: dropped");
                // ... the same chunks, byte for byte, as one that closed its chunk at
                // the same calls without handing off ...
                assert_eq!(moved.chunks.len(), saved.chunks.len(), "{at}: chunks");
                assert!(moved.chunks == saved.chunks, "{at}: chunk bytes");
                // ... and those chunks are the events.
                assert!(decoded(&moved.chunks) == whole.events, "{at}: decoded");
            }
        }
    }
}

/// A small scripted session on a page with a form, step by step.
#[derive(Debug, Clone, Copy)]
enum Step {
    Grant,
    Withdraw,
    Observe(i64),
}

fn page() -> HostTree {
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
    t.push(
        HostKey(3),
        Some(html),
        HostKind::Element {
            tag: "input".into(),
            attributes: vec![("type".into(), "text".into())],
        },
    );
    t
}

fn step(rec: &mut Recorder, s: Step) {
    match s {
        Step::Grant => {
            rec.grant_consent();
        }
        Step::Withdraw => rec.withdraw_consent(),
        Step::Observe(t) => {
            let now = Timestamp(t);
            if t == 1000 {
                rec.page("https://a.test/", 800.0, 600.0, now);
                rec.snapshot(&page(), now);
            }
            rec.input(HostKey(3), &format!("value {t}"), false, now);
            rec.pointer_move(HostKey(3), t as f64, 2.0, now);
            rec.scroll(HostKey(1), 0.0, t as f64, now);
        }
    }
}

/// Runs `steps`, with a hand-off before each one when `handoff`; returns the consent
/// after each step, and what was handed out.
fn consent_run(
    config: RecorderConfig,
    steps: &[Step],
    handoff: bool,
) -> (Vec<(Consent, u64)>, Output) {
    let policy = Policy::private();
    let mut rec = Recorder::new(policy.clone(), config);
    let mut seen = Vec::new();
    for &s in steps {
        if handoff {
            let bytes = rec.save_state();
            rec = Recorder::restore_state(policy.clone(), &bytes, &Limits::DEFAULT).unwrap();
        }
        step(&mut rec, s);
        seen.push((rec.consent(), rec.dropped()));
    }
    rec.stop(Timestamp(9_000));
    let got: Vec<Event> = std::iter::from_fn(|| rec.poll_event()).collect();
    let out = Output {
        events: rrweb::write_string(&got),
        chunks: std::iter::from_fn(|| rec.poll_chunk()).collect(),
        dropped: rec.dropped(),
    };
    (seen, out)
}

#[test]
fn consent_survives_a_hand_off() {
    use Step::*;
    let plain = RecorderConfig::default();
    let gpc = plain.with_privacy_signal(PrivacySignal::GlobalPrivacyControl);
    let cases: [(&str, RecorderConfig, Vec<Step>, Consent); 4] = [
        // Observed before consent (dropped), then granted: recording starts.
        (
            "none, then granted",
            plain,
            vec![Observe(1000), Observe(1100), Grant, Observe(1200)],
            Consent::Granted,
        ),
        (
            "never granted",
            plain,
            vec![Observe(1000), Observe(1100)],
            Consent::None,
        ),
        // Granted, recorded, withdrawn (what waited is dropped), then refused again.
        (
            "withdrawn",
            plain,
            vec![
                Grant,
                Observe(1000),
                Observe(1300),
                Withdraw,
                Grant,
                Observe(1400),
            ],
            Consent::Withdrawn,
        ),
        // Under Global Privacy Control a grant is refused, before and after hand-offs.
        (
            "GPC",
            gpc,
            vec![Grant, Observe(1000), Grant, Observe(1200)],
            Consent::None,
        ),
    ];
    for (name, config, steps, last) in cases {
        for encoding in [false, true] {
            let config = if encoding {
                config.with_encoding(EncoderConfig::default())
            } else {
                config
            };
            let (seen, whole) = consent_run(config, &steps, false);
            let (moved_seen, moved) = consent_run(config, &steps, true);
            assert_eq!(seen.last().unwrap().0, last, "{name}");
            assert_eq!(moved_seen, seen, "{name}");
            assert_eq!(moved, whole, "{name}, encoding {encoding}");
            let recorded = last == Consent::Granted;
            assert_eq!(whole.events != "[]", recorded, "{name}");
            assert!(whole.dropped > 0, "{name}");
        }
    }
}

/// A login session recorded halfway, with encoding on: events, a chunk and a pointer
/// batch waiting.
fn mid_login_state(policy: &Policy) -> Vec<u8> {
    let evs = events("corpus/login.raw.json");
    let config = RecorderConfig::default().with_encoding(EncoderConfig::default());
    let mut rec = Recorder::new(policy.clone(), config);
    rec.grant_consent();
    drive::drive(&mut rec, &evs[..evs.len() / 2]);
    rec.save_state()
}

/// `body` in a valid envelope of the recorder's kind (as the fuzz target seals it).
fn seal(body: &[u8]) -> Vec<u8> {
    let mut out = b"SRST".to_vec();
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&[4, 0]);
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(body).to_le_bytes());
    out.extend_from_slice(body);
    out
}

#[test]
fn damaged_recorder_state_is_an_error_not_a_panic() {
    let policy = Policy::balanced();
    let bytes = mid_login_state(&policy);
    let restore = |b: &[u8]| Recorder::restore_state(policy.clone(), b, &Limits::DEFAULT);
    assert!(restore(&bytes).is_ok());
    assert_eq!(seal(&bytes[16..]), bytes);
    // Every truncation, and a flipped bit at many offsets.
    for n in 0..bytes.len() {
        assert!(restore(&bytes[..n]).is_err(), "truncated to {n}");
    }
    for i in (0..bytes.len()).step_by(5) {
        let mut b = bytes.clone();
        b[i] ^= 1 << (i % 8);
        assert!(restore(&b).is_err(), "bit flip at {i}");
    }
    // Flipped bits behind a valid checksum reach the parts' checks: an error, or a
    // state the live recorder could hold, which then saves and restores again.
    let body = &bytes[16..];
    let (mut refused, mut kept) = (0, 0);
    for i in (0..body.len()).step_by(67) {
        let mut b = body.to_vec();
        b[i] ^= 1 << (i % 8);
        match restore(&seal(&b)) {
            Err(_) => refused += 1,
            Ok(mut rec) => {
                kept += 1;
                let again = rec.save_state();
                let mut back = restore(&again).unwrap();
                assert!(back.save_state() == again, "flip at {i}");
            }
        }
    }
    eprintln!("bit flips behind a valid checksum: {refused} refused, {kept} restored");
    assert!(refused > 0 && kept > 0);
    // Another policy, and a node limit under the page's size.
    assert_eq!(
        Recorder::restore_state(Policy::relaxed(), &bytes, &Limits::DEFAULT).unwrap_err(),
        StateError::PolicyMismatch
    );
    assert!(matches!(
        Recorder::restore_state(policy.clone(), &bytes, &Limits::DEFAULT.with_nodes(10)),
        Err(StateError::LimitExceeded { what: "nodes", .. })
    ));
    // Another stage's state.
    let scrubber = session_replay::privacy::Scrubber::new(policy.clone()).save_state();
    assert!(matches!(
        restore(&scrubber),
        Err(StateError::WrongStage { .. })
    ));
}

/// State bytes per node mirrored at the end of each corpus stream, with the nested
/// stages' shares and, as a baseline, the page's keyframe in rrweb JSON and in the
/// binary format.
#[test]
fn state_size_per_live_node() {
    let policy = Policy::balanced();
    for path in STREAMS {
        let evs = events(path);
        let encoder = EncoderConfig::default();
        let mut rec = Recorder::new(
            policy.clone(),
            RecorderConfig::default().with_encoding(encoder),
        );
        rec.grant_consent();
        drive::drive(&mut rec, &evs);
        rec.keyframe(evs.last().unwrap().timestamp);
        let out: Vec<Event> = std::iter::from_fn(|| rec.poll_event()).collect();
        while rec.poll_chunk().is_some() {}
        // The keyframe: the last full snapshot and the events that restate the page
        // with it (field values, scroll positions).
        let at = out
            .iter()
            .rposition(|e| matches!(e.kind, EventKind::FullSnapshot(_)))
            .unwrap();
        let keyframe = &out[at..];
        let nodes = match &keyframe[0].kind {
            EventKind::FullSnapshot(s) => s.tree.nodes.len(),
            other => panic!("{}", other.name()),
        };
        let saved = rec.save_state();
        let state = saved.len();
        // What a host that compresses before storing would keep.
        let deflated = {
            use std::io::Write;
            let mut z =
                flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
            z.write_all(&saved).unwrap();
            z.finish().unwrap().len()
        };
        // The encoder's share exactly (it saw the recorder's output, in order); the
        // scrubber's about (one fed the masked output keeps masked text).
        let mut enc = codec::Encoder::new(encoder);
        let mut scrubber = session_replay::privacy::Scrubber::new(policy.clone());
        for e in &out {
            enc.push(e);
            scrubber.scrub_event(e.clone());
        }
        let (enc, scrub) = (enc.save_state().len(), scrubber.save_state().len());
        let json = rrweb::write_string(keyframe).len();
        let binary = codec::encode(keyframe, encoder).len();
        let per = |n: usize| n as f64 / nodes as f64;
        eprintln!(
            "{path}: {nodes} nodes; state {state} B = {:.1} B/node, deflated {:.1} (encoder \
             {:.1}, scrubber ~{:.1}, rest ~{:.1}); keyframe as JSON {:.1} B/node, binary {:.1}",
            per(state),
            per(deflated),
            per(enc),
            per(scrub),
            per(state.saturating_sub(enc + scrub)),
            per(json),
            per(binary),
        );
        // Three copies of the page (mirror, scrubber, encoder keyframe) in binary form
        // stay within a small multiple of one copy in rrweb JSON.
        assert!(state < 3 * json, "{path}");
        assert!(state > nodes, "{path}");
    }
}

// Hand-offs at any point of an arbitrary session: hostile host trees (several
// parentless nodes, repeated keys, parents out of order, which leave nodes outside the
// recorded tree), mutations on any key, inputs, scrolls and moves on any key.

fn kind() -> impl Strategy<Value = HostKind> {
    prop_oneof![
        Just(HostKind::Document),
        (0u8..3).prop_map(|v| HostKind::Element {
            tag: ["div", "input", "span"][v as usize].into(),
            attributes: vec![("class".into(), format!("c{v}"))],
        }),
        (0u8..3).prop_map(|v| HostKind::Text(format!("text {v}"))),
        Just(HostKind::Comment("note".into())),
    ]
}

/// A host tree of up to `n` nodes over keys `0..keys`, parents anywhere (including
/// later nodes and none).
fn tree(n: usize, keys: u64) -> impl Strategy<Value = HostTree> {
    prop::collection::vec(
        (
            0..keys,
            prop::option::weighted(0.85, 0usize..n),
            kind(),
            any::<bool>(),
        ),
        1..n,
    )
    .prop_map(|nodes| HostTree {
        nodes: nodes
            .into_iter()
            .map(|(key, parent, kind, in_shadow)| HostTreeNode {
                key: HostKey(key),
                parent: parent.map(HostIndex),
                kind,
                in_shadow,
            })
            .collect(),
    })
}

const KEYS: u64 = 24;

fn record_op() -> impl Strategy<Value = MutationRecord> {
    prop_oneof![
        (
            0..KEYS,
            prop::collection::vec(tree(4, KEYS), 0..2),
            prop::collection::vec(0..KEYS, 0..3),
            prop::option::of(0..KEYS)
        )
            .prop_map(|(t, added, removed, next)| MutationRecord::ChildList {
                target: HostKey(t),
                added,
                removed: removed.into_iter().map(HostKey).collect(),
                next_sibling: next.map(HostKey),
            }),
        (0..KEYS, prop::option::of(0u8..3)).prop_map(|(t, v)| MutationRecord::Attributes {
            target: HostKey(t),
            name: "class".into(),
            old_value: None,
            value: v.map(|v| format!("v{v}")),
        }),
        (0..KEYS, 0u8..3).prop_map(|(t, v)| MutationRecord::CharacterData {
            target: HostKey(t),
            old_value: None,
            value: format!("data {v}"),
        }),
    ]
}

#[derive(Debug, Clone)]
enum Op {
    Snapshot(HostTree),
    Mutations(Vec<MutationRecord>),
    Input(u64, u8),
    Scroll(u64, u8),
    Move(u64, u8),
    Focus(u64),
    Tick,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => tree(12, KEYS).prop_map(Op::Snapshot),
        5 => prop::collection::vec(record_op(), 1..4).prop_map(Op::Mutations),
        2 => (0..KEYS, 0u8..3).prop_map(|(k, v)| Op::Input(k, v)),
        2 => (0..KEYS, any::<u8>()).prop_map(|(k, y)| Op::Scroll(k, y)),
        2 => (0..KEYS, any::<u8>()).prop_map(|(k, x)| Op::Move(k, x)),
        1 => (0..KEYS).prop_map(Op::Focus),
        1 => Just(Op::Tick),
    ]
}

/// Runs `ops` (each `gap` ms after the last), with a hand-off before each op whose
/// flag is set; returns what an observer sees.
fn run_ops(ops: &[(u16, Op, bool)], handoffs: bool) -> (String, u64, Vec<Option<NodeId>>, Vec<u8>) {
    let policy = Policy::relaxed();
    let mut rec = Recorder::new(policy.clone(), busy(RecorderConfig::default()));
    rec.grant_consent();
    let mut t = 1000i64;
    let mut got = Vec::new();
    for (gap, op, flag) in ops {
        if handoffs && *flag {
            let bytes = rec.save_state();
            rec = Recorder::restore_state(policy.clone(), &bytes, &Limits::DEFAULT).unwrap();
        }
        t += i64::from(*gap);
        let now = Timestamp(t);
        match op {
            Op::Snapshot(tree) => rec.snapshot(tree, now),
            Op::Mutations(records) => rec.mutations(records, now),
            Op::Input(k, v) => rec.input(HostKey(*k), &format!("v{v}"), *v == 0, now),
            Op::Scroll(k, y) => rec.scroll(HostKey(*k), 0.0, f64::from(*y), now),
            Op::Move(k, x) => rec.pointer_move(HostKey(*k), f64::from(*x), 1.0, now),
            Op::Focus(k) => rec.focus(HostKey(*k), now),
            Op::Tick => rec.tick(now),
        }
        got.extend(std::iter::from_fn(|| rec.poll_event()));
    }
    let ids = (0..KEYS).map(|k| rec.node_id(HostKey(k))).collect();
    let timeout = rec.poll_timeout();
    let state = rec.save_state();
    let events = format!("{}{timeout:?}", rrweb::write_string(&got));
    (events, rec.dropped(), ids, state)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn hand_offs_anywhere_change_nothing(
        ops in prop::collection::vec((0u16..400, op(), any::<bool>()), 1..40)
    ) {
        let whole = run_ops(&ops, false);
        let moved = run_ops(&ops, true);
        prop_assert_eq!(moved, whole);
    }
}

/// The recorder seed of the `state_restore` fuzz target: a small form page mid-session,
/// with nodes outside the recorded tree, a value per field, events, a chunk, a pointer
/// batch and a scroll waiting, under the target's policy.
fn fuzz_seed_state() -> Vec<u8> {
    let policy = Policy::relaxed().block(".todo-list").unwrap();
    let encoder = EncoderConfig::default().with_compression(codec::Compression::None);
    let mut rec = Recorder::new(policy, RecorderConfig::default().with_encoding(encoder));
    rec.grant_consent();
    let mut t = page();
    // A list the policy blocks, a text, and a parentless node the host also handed over.
    let list = t.push(
        HostKey(4),
        Some(HostIndex(1)),
        HostKind::Element {
            tag: "ul".into(),
            attributes: vec![("class".into(), "todo-list".into())],
        },
    );
    t.push(HostKey(5), Some(list), HostKind::Text("secret item".into()));
    t.push(
        HostKey(6),
        Some(HostIndex(1)),
        HostKind::Text("hello".into()),
    );
    t.push(
        HostKey(7),
        Some(HostIndex(1)),
        HostKind::Text("more".into()),
    );
    t.push(HostKey(9), None, HostKind::Comment("detached".into()));
    rec.page("https://a.test/?token=abc", 800.0, 600.0, Timestamp(1000));
    rec.snapshot(&t, Timestamp(1000));
    rec.input(HostKey(3), "hunter2", false, Timestamp(1010));
    rec.input(HostKey(9), "x", true, Timestamp(1011));
    rec.scroll(HostKey(1), 0.0, 10.0, Timestamp(1020));
    rec.scroll(HostKey(1), 0.0, 20.0, Timestamp(1030));
    rec.pointer_move(HostKey(3), 5.0, 6.0, Timestamp(1040));
    // CSSOM state: an edited node sheet (the list's) and an adopted constructed sheet.
    rec.sheet_edit(
        HostSheet::Node(HostKey(4)),
        &SheetEdit::Insert {
            path: vec![0],
            rule: "b { color: red; }".into(),
        },
        Timestamp(1050),
    );
    rec.adopted_sheets(
        HostKey(1),
        &[AdoptedSheet {
            key: HostKey(50),
            rules: Some(vec!["x { top: 0px; }".into()]),
        }],
        Timestamp(1060),
    );
    rec.save_state()
}

#[test]
fn the_fuzz_seeds_are_current() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/state_restore");
    let state = fuzz_seed_state();
    // Stage byte 2 (the recorder); mode 0 takes the state as it is, mode 1 seals the
    // body itself (past the checksum).
    let seeds = [
        ("seed-recorder-form", 0u8, &state[..]),
        ("seed-recorder-form-body", 1, &state[16..]),
    ];
    for (name, mode, bytes) in seeds {
        let path = dir.join(name);
        let mut seed = vec![2, mode];
        seed.extend_from_slice(bytes);
        if std::env::var_os("WRITE_FUZZ_SEEDS").is_some() {
            std::fs::write(&path, &seed).unwrap();
        }
        // Regenerate with WRITE_FUZZ_SEEDS=1 when the layout changes.
        assert!(std::fs::read(&path).unwrap() == seed, "{}", path.display());
    }
}
