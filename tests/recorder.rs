//! The recorder: replaying what it records gives the host's tree after every batch
//! (proptest), sampling and throttling, coalescing, keyframes, caps, consent, encoding.

use proptest::prelude::*;
use session_replay::model::*;
use session_replay::privacy::{Detectors, Policy, PrivacySignal};
use session_replay::record::*;
use session_replay::replay::{DomKind, Replayer};
use session_replay::{Limits, Recovered, codec};

use host_pages::{bare_page, drain, el, kinds};

/// The host's own tree: key -> (kind, children).
#[derive(Clone, Debug, Default)]
struct Host {
    nodes: std::collections::BTreeMap<u64, (HostKind, Vec<u64>, Option<u64>)>,
    next: u64,
}

impl Host {
    fn page() -> (Host, HostTree) {
        let mut h = Host {
            next: 10,
            ..Host::default()
        };
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
                tag: "body".into(),
                attributes: vec![("class".into(), "app".into())],
            },
        );
        h.nodes.insert(1, (HostKind::Document, vec![2], None));
        h.nodes.insert(
            2,
            (
                HostKind::Element {
                    tag: "html".into(),
                    attributes: vec![],
                },
                vec![3],
                Some(1),
            ),
        );
        h.nodes.insert(
            3,
            (
                HostKind::Element {
                    tag: "body".into(),
                    attributes: vec![("class".into(), "app".into())],
                },
                vec![],
                Some(2),
            ),
        );
        (h, t)
    }

    fn elements(&self) -> Vec<u64> {
        self.nodes
            .iter()
            .filter(|(k, v)| **k != 1 && matches!(v.0, HostKind::Element { .. }))
            .map(|(k, _)| *k)
            .collect()
    }

    fn descendants(&self, k: u64) -> Vec<u64> {
        let mut out = vec![];
        let mut stack = vec![k];
        while let Some(x) = stack.pop() {
            out.push(x);
            if let Some(n) = self.nodes.get(&x) {
                stack.extend(n.1.iter().copied());
            }
        }
        out
    }

    /// (tag or #text, attributes, text) in document order.
    fn shape(&self) -> Vec<String> {
        let mut out = vec![];
        let mut stack = vec![1u64];
        while let Some(x) = stack.pop() {
            let (kind, children, _) = &self.nodes[&x];
            out.push(match kind {
                HostKind::Document => "#doc".into(),
                HostKind::Element { tag, attributes } => format!("<{tag} {attributes:?}>"),
                HostKind::Text(t) => format!("#text {t}"),
                HostKind::Comment(t) => format!("#comment {t}"),
                HostKind::Doctype { name } => format!("#doctype {name}"),
            });
            stack.extend(children.iter().rev());
        }
        out
    }
}

fn replayed_shape(events: &[Event]) -> Vec<String> {
    let mut r = Replayer::from(events.to_vec());
    let (_, end) = r.time_range().unwrap();
    let s = r.seek(end);
    assert_eq!(s.diagnostics().problems(), 0, "{:?}", s.diagnostics());
    let dom = s.dom();
    dom.root()
        .unwrap()
        .descendants()
        .map(|n| match n.kind() {
            DomKind::Document => "#doc".into(),
            DomKind::Element => format!(
                "<{} {:?}>",
                n.tag().unwrap(),
                n.attributes()
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect::<Vec<_>>()
            ),
            DomKind::Text => format!("#text {}", n.text().unwrap()),
            DomKind::Comment => format!("#comment {}", n.text().unwrap()),
            _ => "?".into(),
        })
        .collect()
}

#[derive(Debug, Clone)]
enum Op {
    Add {
        parent: usize,
        before: usize,
        text: bool,
        depth: u8,
    },
    Remove {
        node: usize,
    },
    Attr {
        node: usize,
        v: u8,
    },
    Text {
        node: usize,
        v: u8,
    },
    Move {
        node: usize,
        parent: usize,
    },
    AddRemove {
        parent: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (any::<usize>(), any::<usize>(), any::<bool>(), 0u8..3).prop_map(
            |(parent, before, text, depth)| Op::Add {
                parent,
                before,
                text,
                depth
            }
        ),
        any::<usize>().prop_map(|node| Op::Remove { node }),
        (any::<usize>(), any::<u8>()).prop_map(|(node, v)| Op::Attr { node, v }),
        (any::<usize>(), any::<u8>()).prop_map(|(node, v)| Op::Text { node, v }),
        (any::<usize>(), any::<usize>()).prop_map(|(node, parent)| Op::Move { node, parent }),
        any::<usize>().prop_map(|parent| Op::AddRemove { parent }),
    ]
}

/// Applies one op to the host and returns the records the host's observer would report.
fn apply(h: &mut Host, op: &Op) -> Vec<MutationRecord> {
    let els = h.elements();
    match op {
        Op::Add {
            parent,
            before,
            text,
            depth,
        } => {
            let p = els[parent % els.len()];
            let siblings = h.nodes[&p].1.clone();
            let next = if siblings.is_empty() {
                None
            } else {
                Some(siblings[before % siblings.len()]).filter(|_| before % 2 == 0)
            };
            let mut t = HostTree::default();
            let key = h.next;
            h.next += 1;
            let kind = if *text {
                HostKind::Text(format!("words {key}"))
            } else {
                HostKind::Element {
                    tag: "div".into(),
                    attributes: vec![("class".into(), format!("c{key}"))],
                }
            };
            t.push(HostKey(key), None, kind.clone());
            h.nodes.insert(key, (kind, vec![], Some(p)));
            let mut last = HostIndex(0);
            if !*text {
                for _ in 0..*depth {
                    let k = h.next;
                    h.next += 1;
                    let kind = HostKind::Element {
                        tag: "span".into(),
                        attributes: vec![],
                    };
                    last = t.push(HostKey(k), Some(last), kind.clone());
                    let parent_key = t.nodes[t.nodes[last.0].parent.unwrap().0].key.0;
                    h.nodes.insert(k, (kind, vec![], Some(parent_key)));
                    h.nodes.get_mut(&parent_key).unwrap().1.push(k);
                }
            }
            let list = &mut h.nodes.get_mut(&p).unwrap().1;
            match next.and_then(|n| list.iter().position(|&c| c == n)) {
                Some(i) => list.insert(i, key),
                None => list.push(key),
            }
            vec![MutationRecord::ChildList {
                target: HostKey(p),
                added: vec![t],
                removed: vec![],
                next_sibling: next.map(HostKey),
            }]
        }
        Op::Remove { node } => {
            let all: Vec<u64> = h.nodes.keys().copied().filter(|&k| k > 3).collect();
            if all.is_empty() {
                return vec![];
            }
            let k = all[node % all.len()];
            let p = h.nodes[&k].2.unwrap();
            h.nodes.get_mut(&p).unwrap().1.retain(|&c| c != k);
            for d in h.descendants(k) {
                h.nodes.remove(&d);
            }
            vec![MutationRecord::ChildList {
                target: HostKey(p),
                added: vec![],
                removed: vec![HostKey(k)],
                next_sibling: None,
            }]
        }
        Op::Attr { node, v } => {
            let k = els[node % els.len()];
            let value = (v % 3 != 0).then(|| format!("v{v}"));
            if let HostKind::Element { attributes, .. } = &mut h.nodes.get_mut(&k).unwrap().0 {
                attributes.retain(|(n, _)| n != "data-k");
                if let Some(v) = &value {
                    attributes.push(("data-k".into(), v.clone()));
                }
            }
            vec![MutationRecord::Attributes {
                target: HostKey(k),
                name: "data-k".into(),
                old_value: None,
                value,
            }]
        }
        Op::Text { node, v } => {
            let texts: Vec<u64> = h
                .nodes
                .iter()
                .filter(|(_, n)| matches!(n.0, HostKind::Text(_)))
                .map(|(k, _)| *k)
                .collect();
            if texts.is_empty() {
                return vec![];
            }
            let k = texts[node % texts.len()];
            let value = format!("changed {v}");
            h.nodes.get_mut(&k).unwrap().0 = HostKind::Text(value.clone());
            vec![MutationRecord::CharacterData {
                target: HostKey(k),
                old_value: None,
                value,
            }]
        }
        Op::Move { node, parent } => {
            // A leaf moves (a whole-subtree move is a remove plus the subtree added again).
            let leaves: Vec<u64> = h
                .nodes
                .iter()
                .filter(|(k, n)| **k > 3 && n.1.is_empty())
                .map(|(k, _)| *k)
                .collect();
            if leaves.is_empty() {
                return vec![];
            }
            let k = leaves[node % leaves.len()];
            let targets: Vec<u64> = els.iter().copied().filter(|&e| e != k).collect();
            let p = targets[parent % targets.len()];
            let old = h.nodes[&k].2.unwrap();
            h.nodes.get_mut(&old).unwrap().1.retain(|&c| c != k);
            h.nodes.get_mut(&p).unwrap().1.push(k);
            h.nodes.get_mut(&k).unwrap().2 = Some(p);
            let mut t = HostTree::default();
            t.push(HostKey(k), None, h.nodes[&k].0.clone());
            vec![
                MutationRecord::ChildList {
                    target: HostKey(old),
                    added: vec![],
                    removed: vec![HostKey(k)],
                    next_sibling: None,
                },
                MutationRecord::ChildList {
                    target: HostKey(p),
                    added: vec![t],
                    removed: vec![],
                    next_sibling: None,
                },
            ]
        }
        Op::AddRemove { parent } => {
            // Added and removed within one batch: nothing to record.
            let p = els[parent % els.len()];
            let key = h.next;
            h.next += 1;
            let mut t = HostTree::default();
            t.push(HostKey(key), None, HostKind::Text("gone".into()));
            vec![
                MutationRecord::ChildList {
                    target: HostKey(p),
                    added: vec![t],
                    removed: vec![],
                    next_sibling: None,
                },
                MutationRecord::ChildList {
                    target: HostKey(p),
                    added: vec![],
                    removed: vec![HostKey(key)],
                    next_sibling: None,
                },
            ]
        }
    }
}

fn open_policy() -> Policy {
    Policy::relaxed().with_detectors(Detectors::empty())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn replay_equals_the_host_tree_after_every_batch(batches in prop::collection::vec(prop::collection::vec(op(), 1..4), 1..12)) {
        let (mut host, tree) = Host::page();
        let mut rec = Recorder::new(open_policy(), RecorderConfig::default());
        rec.grant_consent();
        rec.page("https://a.test/", 800.0, 600.0, Timestamp(1000));
        rec.snapshot(&tree, Timestamp(1000));
        let mut events: Vec<Event> = std::iter::from_fn(|| rec.poll_event()).collect();
        let mut t = 1000;
        for batch in &batches {
            t += 100;
            let records: Vec<MutationRecord> = batch.iter().flat_map(|o| apply(&mut host, o)).collect();
            rec.mutations(&records, Timestamp(t));
            events.extend(std::iter::from_fn(|| rec.poll_event()));
            prop_assert_eq!(replayed_shape(&events), host.shape());
        }
    }
}

fn page_recorder(config: RecorderConfig) -> (Recorder, Host) {
    let (host, tree) = Host::page();
    let mut rec = Recorder::new(Policy::default(), config);
    rec.grant_consent();
    rec.page("https://a.test/?token=abc", 800.0, 600.0, Timestamp(1000));
    rec.snapshot(&tree, Timestamp(1000));
    (rec, host)
}

/// `n` inputs on the body, one a millisecond from `start`, each with its own value.
fn input_storm(rec: &mut Recorder, n: i64, start: i64, value: impl Fn(i64) -> String) {
    for i in 0..n {
        rec.input(HostKey(3), &value(i), false, Timestamp(start + i));
    }
}

#[test]
fn pointer_sampling_scroll_throttle_input_dedupe() {
    let (mut rec, _) = page_recorder(RecorderConfig::default());
    drain(&mut rec);
    // 100 moves over one second at 10 ms: sampled every 50 ms, batched every 500 ms.
    for i in 0..100 {
        rec.pointer_move(
            HostKey(3),
            f64::from(i),
            10.0,
            Timestamp(2000 + i64::from(i) * 10),
        );
    }
    rec.tick(Timestamp(3100));
    let moves: Vec<usize> = drain(&mut rec)
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Incremental(Incremental::Moves(m)) => Some(m.positions.len()),
            _ => None,
        })
        .collect();
    assert_eq!(moves.iter().sum::<usize>(), 20, "{moves:?}");
    assert!(moves.len() >= 2);
    // 20 scrolls in 200 ms: at most one per 100 ms, the last value delivered.
    for i in 0..20 {
        rec.scroll(
            HostKey(1),
            0.0,
            f64::from(i * 10),
            Timestamp(4000 + i64::from(i) * 10),
        );
    }
    rec.tick(Timestamp(4300));
    let scrolls: Vec<Num> = drain(&mut rec)
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Incremental(Incremental::Scroll(s)) => Some(s.y),
            _ => None,
        })
        .collect();
    assert!(scrolls.len() <= 3, "{scrolls:?}");
    assert_eq!(scrolls.last(), Some(&Num::Int(190)));
    // The same value twice is one event.
    rec.input(HostKey(3), "a", false, Timestamp(5000));
    rec.input(HostKey(3), "a", false, Timestamp(5010));
    rec.input(HostKey(3), "ab", false, Timestamp(5020));
    assert_eq!(drain(&mut rec).len(), 2);
}

#[test]
fn keyframes_caps_and_resync() {
    let config = RecorderConfig::default()
        .with_keyframe_every(EventCount(1_000_000), Millis(10_000))
        .with_max_events_per_sec(EventCount(50));
    let (mut rec, _) = page_recorder(config);
    drain(&mut rec);
    // A storm of 200 inputs in one second: 50 pass, the rest are dropped, then a keyframe.
    input_storm(&mut rec, 200, 2000, |i| format!("v{i}"));
    rec.tick(Timestamp(3500));
    rec.input(HostKey(3), "after", false, Timestamp(3600));
    let events = drain(&mut rec);
    let inputs = events.iter().filter(|e| e.kind.name() == "Input").count();
    let snapshots = events
        .iter()
        .filter(|e| e.kind.name() == "FullSnapshot")
        .count();
    // 50 in the storm's second, the field's last value restated by the resync keyframe
    // (the 150 dropped are not lost to a replay), then one after.
    assert_eq!(
        inputs, 52,
        "50 in the storm's second, one with the keyframe, one after"
    );
    assert_eq!(snapshots, 1, "a resync keyframe after the cap");
    assert!(rec.dropped() >= 150);
    // The cadence: a keyframe every 10 s.
    rec.tick(Timestamp(14_000));
    assert_eq!(
        drain(&mut rec)
            .iter()
            .filter(|e| e.kind.name() == "FullSnapshot")
            .count(),
        1
    );
}

#[test]
fn consent_gates_and_withdrawal_drops_pending() {
    let (host, tree) = Host::page();
    let _ = host;
    let mut rec = Recorder::new(Policy::default(), RecorderConfig::default());
    rec.snapshot(&tree, Timestamp(1000));
    assert!(rec.poll_event().is_none(), "nothing before consent");
    rec.grant_consent();
    rec.snapshot(&tree, Timestamp(1100));
    rec.input(HostKey(3), "x", false, Timestamp(1200));
    rec.withdraw_consent();
    assert!(
        rec.poll_event().is_none(),
        "withdrawal drops what was not handed out"
    );
    rec.input(HostKey(3), "y", false, Timestamp(1300));
    assert!(rec.poll_event().is_none());
    assert!(!rec.grant_consent());
    let mut gpc = Recorder::new(
        Policy::default(),
        RecorderConfig::default().with_privacy_signal(PrivacySignal::GlobalPrivacyControl),
    );
    assert!(!gpc.grant_consent());
}

#[test]
fn masked_before_leaving_and_encoded_chunks_decode() {
    let config = RecorderConfig::default().with_encoding(codec::EncoderConfig::default());
    let (mut rec, _) = page_recorder(config);
    rec.input(HostKey(3), "4111 1111 1111 1111", false, Timestamp(2000));
    rec.custom(
        "checkout",
        Json::Str("mail jane@example.com".into()),
        Timestamp(2100),
    );
    rec.stop(Timestamp(2200));
    let events = drain(&mut rec);
    let json = session_replay::rrweb::write_string(&events);
    assert!(
        !json.contains("4111") && !json.contains("jane@example.com") && !json.contains("token=abc")
    );
    let bytes: Vec<u8> = std::iter::from_fn(|| rec.poll_chunk()).flatten().collect();
    let Recovered {
        events: decoded,
        errors,
    } = codec::decode(&bytes, &Limits::DEFAULT);
    assert!(errors.is_empty());
    assert_eq!(decoded, events);
    assert!(!String::from_utf8_lossy(&bytes).contains("4111"));
}

mod common;
#[path = "common/drive.rs"]
mod drive;
#[path = "common/host_pages.rs"]
mod host_pages;

/// Records the corpus login session through the Recorder (as a glue layer would have
/// observed it) and compares with rrweb's own stream of the same session.
#[test]
fn login_through_the_recorder_compared_with_rrweb() {
    let raw = session_replay::rrweb::read(&common::read("corpus/login.raw.json"), &Limits::DEFAULT)
        .unwrap();
    let mut rec = Recorder::new(Policy::default(), RecorderConfig::default());
    rec.grant_consent();
    drive::drive(&mut rec, &raw);
    let (_, end) = (raw[0].timestamp, raw.last().unwrap().timestamp);
    rec.stop(end);
    let ours = drain(&mut rec);
    let theirs = session_replay::Summary::of(&raw);
    let mine = session_replay::Summary::of(&ours);
    for kind in [
        EventClass::Input,
        EventClass::MouseInteraction,
        EventClass::Mutation,
        EventClass::ViewportResize,
        EventClass::Meta,
        EventClass::FullSnapshot,
    ] {
        let (a, b) = (theirs.count(kind), mine.count(kind));
        eprintln!("{kind:<18} rrweb {a:>4}  recorder {b:>4}");
        assert_eq!(a, b, "{kind}");
    }
    let (a, b) = (
        theirs.count(EventClass::MouseMove),
        mine.count(EventClass::MouseMove),
    );
    eprintln!("MouseMove          rrweb {a:>4}  recorder {b:>4}");
    assert!(b.abs_diff(a) <= a / 2 + 2, "pointer batches {a} vs {b}");
    let (a, b) = (
        theirs.count(EventClass::Scroll),
        mine.count(EventClass::Scroll),
    );
    eprintln!("Scroll             rrweb {a:>4}  recorder {b:>4}");
    assert!(b <= a + 1);
    // Replaying our recording gives the page rrweb's gives, text and values masked.
    let shape = |evs: Vec<Event>| {
        let mut r = Replayer::from(evs);
        let (_, e) = r.time_range().unwrap();
        let s = r.seek(e);
        s.dom()
            .root()
            .unwrap()
            .descendants()
            .map(|n| (n.id(), n.tag().map(str::to_owned)))
            .collect::<Vec<_>>()
    };
    assert_eq!(shape(ours.clone()), shape(raw.clone()));
    let json = session_replay::rrweb::write_string(&ours);
    assert!(!json.contains("jane.canary") && !json.contains("CanaryPass"));
}

#[test]
fn touch_moves_and_the_byte_cap() {
    let config = RecorderConfig::default()
        .with_max_bytes_per_sec(4_000)
        .with_keyframe_every(EventCount(1_000_000), Millis(1_000_000));
    let (mut rec, _) = page_recorder(config);
    drain(&mut rec);
    for i in 0..10 {
        rec.touch_move(
            HostKey(3),
            5.0,
            f64::from(i),
            Timestamp(2000 + i64::from(i) * 60),
        );
    }
    rec.pointer_move(HostKey(3), 1.0, 1.0, Timestamp(2700));
    rec.tick(Timestamp(3300));
    let sources: Vec<MoveSource> = drain(&mut rec)
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Incremental(Incremental::Moves(m)) => Some(m.source),
            _ => None,
        })
        .collect();
    assert_eq!(sources.first(), Some(&MoveSource::Touch));
    assert_eq!(sources.last(), Some(&MoveSource::Mouse));
    // 100 inputs of 200 bytes in one second exceed 4,000 bytes: the rest are dropped,
    // then a keyframe resynchronises.
    let long = "x".repeat(200);
    input_storm(&mut rec, 100, 5000, |i| format!("{long}{i}"));
    rec.tick(Timestamp(6500));
    let events = drain(&mut rec);
    let inputs = events.iter().filter(|e| e.kind.name() == "Input").count();
    assert!(inputs < 30, "{inputs}");
    assert_eq!(
        events
            .iter()
            .filter(|e| e.kind.name() == "FullSnapshot")
            .count(),
        1
    );
}

#[test]
fn poll_timeout_says_when_tick_has_work() {
    let config = RecorderConfig::default()
        .with_keyframe_every(EventCount(1_000_000), Millis::minutes(5))
        .with_max_events_per_sec(EventCount(5));
    let mut rec = Recorder::new(Policy::default(), config);
    assert_eq!(
        rec.poll_timeout(),
        None,
        "nothing pending before a snapshot"
    );
    rec.grant_consent();
    let (_, tree) = Host::page();
    rec.snapshot(&tree, Timestamp(1000));
    drain(&mut rec);
    let keyframe_due = Timestamp(1000 + 5 * 60_000);
    assert_eq!(rec.poll_timeout(), Some(keyframe_due));

    // A pointer batch: due 500 ms after its first sample.
    rec.pointer_move(HostKey(3), 1.0, 1.0, Timestamp(2000));
    assert_eq!(rec.poll_timeout(), Some(Timestamp(2500)));
    rec.tick(Timestamp(2499));
    assert!(rec.poll_event().is_none());
    rec.tick(Timestamp(2500));
    assert_eq!(kinds(&drain(&mut rec)), ["MouseMove"]);
    assert_eq!(rec.poll_timeout(), Some(keyframe_due));

    // A held-back scroll: due when its target's throttle ends, with the last position.
    rec.scroll(HostKey(3), 0.0, 10.0, Timestamp(3000));
    rec.scroll(HostKey(3), 0.0, 20.0, Timestamp(3050));
    rec.scroll(HostKey(3), 0.0, 30.0, Timestamp(3060));
    assert_eq!(kinds(&drain(&mut rec)), ["Scroll"]);
    assert_eq!(rec.poll_timeout(), Some(Timestamp(3100)));
    rec.tick(Timestamp(3099));
    assert!(rec.poll_event().is_none());
    rec.tick(Timestamp(3100));
    let scrolls = drain(&mut rec);
    assert!(matches!(
        &scrolls[..],
        [Event { kind: EventKind::Incremental(Incremental::Scroll(s)), .. }] if s.y == Num::Int(30)
    ));

    // An overflowed cap window: the resync keyframe is due when its second ends.
    input_storm(&mut rec, 10, 4000, |i| format!("v{i}"));
    assert_eq!(kinds(&drain(&mut rec)).len(), 5);
    assert_eq!(rec.poll_timeout(), Some(Timestamp(5000)));
    rec.tick(Timestamp(4999));
    assert!(rec.poll_event().is_none());
    rec.tick(Timestamp(5000));
    // With the body's last value (the storm's, five of which were dropped) and its
    // scroll position restated.
    assert_eq!(kinds(&drain(&mut rec)), ["FullSnapshot", "Input", "Scroll"]);
    assert_eq!(rec.poll_timeout(), Some(Timestamp(5000 + 5 * 60_000)));
}

/// A page going away: `flush` sends the pointer batch and the held-back scroll before
/// they are due, and recording goes on.
#[test]
fn flush_sends_what_waits_for_the_clock() {
    let config =
        RecorderConfig::default().with_keyframe_every(EventCount(1_000_000), Millis::minutes(5));
    let mut rec = Recorder::new(Policy::default(), config);
    rec.grant_consent();
    let (_, tree) = Host::page();
    rec.snapshot(&tree, Timestamp(1000));
    drain(&mut rec);
    rec.pointer_move(HostKey(3), 1.0, 1.0, Timestamp(2000));
    rec.pointer_move(HostKey(3), 5.0, 1.0, Timestamp(2100));
    rec.scroll(HostKey(3), 0.0, 10.0, Timestamp(2150));
    rec.scroll(HostKey(3), 0.0, 40.0, Timestamp(2160));
    assert_eq!(kinds(&drain(&mut rec)), ["Scroll"]);
    rec.tick(Timestamp(2200));
    assert!(rec.poll_event().is_none(), "nothing is due yet");
    rec.flush(Timestamp(2200));
    let out = drain(&mut rec);
    assert_eq!(kinds(&out), ["MouseMove", "Scroll"]);
    assert!(matches!(
        &out[1],
        Event { kind: EventKind::Incremental(Incremental::Scroll(s)), .. } if s.y == Num::Int(40)
    ));
    // Nothing is sent twice, and what comes next is batched as before.
    rec.tick(Timestamp(3000));
    assert!(rec.poll_event().is_none());
    rec.pointer_move(HostKey(3), 9.0, 1.0, Timestamp(3000));
    assert_eq!(rec.poll_timeout(), Some(Timestamp(3500)));
}

#[test]
fn poll_timeout_for_the_event_count_cadence() {
    // Custom events count towards the cadence without taking the keyframe themselves:
    // the keyframe is due from the event that reached the count.
    let config = RecorderConfig::default().with_keyframe_every(EventCount(3), Millis::minutes(5));
    let (mut rec, _) = page_recorder(config);
    drain(&mut rec);
    rec.custom("a", Json::Null, Timestamp(2000));
    rec.custom("b", Json::Null, Timestamp(2100));
    assert_eq!(rec.poll_timeout(), Some(Timestamp(2100)));
    rec.tick(Timestamp(2100));
    assert_eq!(
        kinds(&drain(&mut rec)),
        ["Custom", "Custom", "Meta", "FullSnapshot"]
    );
    assert_eq!(rec.poll_timeout(), Some(Timestamp(2100 + 5 * 60_000)));
}

/// One host call of a scripted session.
#[derive(Debug, Clone)]
enum Call {
    Move(u8, u8),
    Scroll(bool, u8),
    Input(u8),
    Custom,
    Add,
    Remove,
    Viewport(u8),
}

fn call() -> impl Strategy<Value = Call> {
    prop_oneof![
        4 => (0u8..3, any::<u8>()).prop_map(|(s, x)| Call::Move(s, x)),
        2 => (any::<bool>(), any::<u8>()).prop_map(|(w, y)| Call::Scroll(w, y)),
        2 => (0u8..4).prop_map(Call::Input),
        1 => Just(Call::Custom),
        1 => Just(Call::Add),
        1 => Just(Call::Remove),
        1 => any::<u8>().prop_map(Call::Viewport),
    ]
}

/// Feeds one call at `t`; `next` is the next host key to add.
fn feed(rec: &mut Recorder, c: &Call, t: Timestamp, next: &mut u64) {
    match *c {
        Call::Move(0, x) => rec.pointer_move(HostKey(3), f64::from(x), 1.0, t),
        Call::Move(1, x) => rec.touch_move(HostKey(3), f64::from(x), 1.0, t),
        Call::Move(_, x) => rec.drag_move(HostKey(3), f64::from(x), 1.0, t),
        Call::Scroll(window, y) => {
            let target = HostKey(if window { 1 } else { 3 });
            rec.scroll(target, 0.0, f64::from(y), t)
        }
        Call::Input(v) => rec.input(HostKey(3), &format!("value {v}"), v % 2 == 0, t),
        Call::Custom => rec.custom("step", Json::Null, t),
        Call::Add => {
            let mut tree = HostTree::default();
            tree.push(HostKey(*next), None, HostKind::Text("item".into()));
            *next += 1;
            rec.mutations(
                &[MutationRecord::ChildList {
                    target: HostKey(3),
                    added: vec![tree],
                    removed: vec![],
                    next_sibling: None,
                }],
                t,
            );
        }
        Call::Remove => rec.mutations(
            &[MutationRecord::ChildList {
                target: HostKey(3),
                added: vec![],
                removed: vec![HostKey(next.saturating_sub(1))],
                next_sibling: None,
            }],
            t,
        ),
        Call::Viewport(w) => rec.viewport(f64::from(w) + 100.0, 600.0, t),
    }
}

/// Every pending kind of work, often: small caps, a short keyframe cadence.
fn busy_config() -> RecorderConfig {
    RecorderConfig::default()
        .with_keyframe_every(EventCount(15), Millis(3_000))
        .with_max_events_per_sec(EventCount(8))
        .with_max_bytes_per_sec(1_500)
}

/// Runs a script with a host that ticks every millisecond, after that millisecond's
/// calls.
fn run_ticking_every_ms(script: &[(u16, Call)]) -> (Vec<Event>, u64) {
    let (mut rec, _) = page_recorder(busy_config());
    let mut next = 100;
    let mut t = 1000i64;
    let mut calls = script.iter().peekable();
    let end = 1000 + script.iter().map(|(gap, _)| i64::from(*gap)).sum::<i64>() + 5_000;
    let mut at = 1000 + script.first().map_or(0, |(gap, _)| i64::from(*gap));
    while t <= end {
        while let Some((_, c)) = calls.peek().filter(|_| at == t) {
            feed(&mut rec, c, Timestamp(t), &mut next);
            calls.next();
            at += calls.peek().map_or(0, |(gap, _)| i64::from(*gap));
        }
        rec.tick(Timestamp(t));
        t += 1;
    }
    (drain(&mut rec), rec.dropped())
}

/// Ticks at every deadline up to `t` (before `t` only, with `before`).
fn tick_until(rec: &mut Recorder, t: i64, before: bool) {
    for _ in 0..10_000 {
        match rec.poll_timeout() {
            Some(d) if d.0 < t || (!before && d.0 == t) => rec.tick(d),
            _ => return,
        }
    }
    panic!("poll_timeout did not move on");
}

/// The same script with a host that ticks only when `poll_timeout` says.
fn run_ticking_at_poll_timeout(script: &[(u16, Call)]) -> (Vec<Event>, u64) {
    let (mut rec, _) = page_recorder(busy_config());
    let mut next = 100;
    let mut t = 1000i64;
    for (gap, c) in script {
        t += i64::from(*gap);
        tick_until(&mut rec, t, true);
        feed(&mut rec, c, Timestamp(t), &mut next);
        tick_until(&mut rec, t, false);
    }
    tick_until(&mut rec, t + 5_000, false);
    (drain(&mut rec), rec.dropped())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn ticking_at_poll_timeout_equals_ticking_every_ms(
        script in prop::collection::vec((0u16..700, call()), 1..60)
    ) {
        let every_ms = run_ticking_every_ms(&script);
        let at_timeout = run_ticking_at_poll_timeout(&script);
        prop_assert_eq!(every_ms, at_timeout);
    }
}

#[test]
fn poll_chunk_hands_out_each_chunk_in_order() {
    let encoder = codec::EncoderConfig::default().with_keyframe_every(
        EventCount(4),
        Millis(1_000_000),
        1 << 20,
    );
    let (mut rec, _) = page_recorder(RecorderConfig::default().with_encoding(encoder));
    input_storm(&mut rec, 30, 2000, |i| format!("v{i}"));
    rec.stop(Timestamp(3000));
    let events = drain(&mut rec);
    let chunks: Vec<Vec<u8>> = std::iter::from_fn(|| rec.poll_chunk()).collect();
    assert!(chunks.len() >= 5, "{}", chunks.len());
    // The stream is the chunks in order, and only the first carries the header: every
    // prefix of the chunks decodes to a prefix of the events.
    let all = chunks.concat();
    assert_eq!(all, codec::encode(&events, encoder));
    let Recovered {
        events: first,
        errors,
    } = codec::decode(&chunks[0], &Limits::DEFAULT);
    assert!(errors.is_empty());
    assert_eq!(first[..], events[..first.len()]);
    let Recovered {
        events: two,
        errors,
    } = codec::decode(&chunks[..2].concat(), &Limits::DEFAULT);
    assert!(errors.is_empty() && two.len() > first.len());
}

/// An element without attributes.
/// A host that reads the DOM late can walk a node into its new place before the record
/// of its move arrives: the recorder then sees the node added under its new parent with
/// no removal from the old one. The replay must still hold it once, in its new place.
#[test]
fn a_node_walked_into_a_new_place_without_a_removal_leaves_its_old_one() {
    let (mut page, body) = bare_page();
    let a = page.push(HostKey(4), Some(body), el("section"));
    page.push(HostKey(5), Some(body), el("aside"));
    let moved = page.push(HostKey(6), Some(a), el("p"));
    page.push(HostKey(7), Some(moved), HostKind::Text("hello".into()));
    let mut rec = Recorder::new(Policy::relaxed(), RecorderConfig::default());
    rec.grant_consent();
    rec.page("https://shop.test/", 800.0, 600.0, Timestamp(1_000));
    rec.snapshot(&page, Timestamp(1_000));
    // The <p> (and its text) arrive under the <aside>, with no removal from <section>.
    let mut sub = HostTree::default();
    let p = sub.push(HostKey(6), None, el("p"));
    sub.push(HostKey(7), Some(p), HostKind::Text("hello".into()));
    rec.mutations(
        &[MutationRecord::ChildList {
            target: HostKey(5),
            added: vec![sub],
            removed: vec![],
            next_sibling: None,
        }],
        Timestamp(2_000),
    );
    let events: Vec<Event> = std::iter::from_fn(|| rec.poll_event()).collect();
    let shape = replayed_shape(&events);
    let tags: Vec<&str> = shape
        .iter()
        .filter_map(|s| s.strip_prefix('<'))
        .map(|s| s.split(' ').next().unwrap())
        .collect();
    assert_eq!(tags, ["html", "body", "section", "aside", "p"], "{shape:?}");
    assert_eq!(shape.iter().filter(|s| s.starts_with("#text")).count(), 1);
    // The mutation removes the old node and adds the new one.
    let EventKind::Incremental(Incremental::Mutation(m)) = &events.last().unwrap().kind else {
        panic!("the last event is the mutation");
    };
    assert_eq!(m.removes.len(), 1);
    assert_eq!(m.adds.len(), 2);
}

/// SVG elements are marked as such (rrweb's `isSVG`), up to a `<foreignObject>`, so
/// that a replayer creates them in their namespace.
#[test]
fn svg_elements_are_marked_up_to_a_foreign_object() {
    let (mut page, body) = bare_page();
    let svg = page.push(HostKey(4), Some(body), el("svg"));
    page.push(HostKey(5), Some(svg), el("linearGradient"));
    let fo = page.push(HostKey(6), Some(svg), el("foreignObject"));
    page.push(HostKey(7), Some(fo), el("div"));
    let mut rec = Recorder::new(Policy::relaxed(), RecorderConfig::default());
    rec.grant_consent();
    rec.snapshot(&page, Timestamp(1_000));
    let json = session_replay::rrweb::write_string(
        &std::iter::from_fn(|| rec.poll_event()).collect::<Vec<_>>(),
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let mut svg_tags = Vec::new();
    let mut stack = vec![&v[0]["data"]["node"]];
    while let Some(n) = stack.pop() {
        if n["isSVG"] == serde_json::Value::Bool(true) {
            svg_tags.push(n["tagName"].as_str().unwrap().to_owned());
        }
        if let Some(kids) = n["childNodes"].as_array() {
            stack.extend(kids.iter().rev());
        }
    }
    assert_eq!(
        svg_tags,
        ["svg", "linearGradient", "foreignObject"],
        "{json}"
    );
}
