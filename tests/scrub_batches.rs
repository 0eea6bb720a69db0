//! A session scrubbed batch by batch through one `Scrubber` (`scrub_json_batch`, as an
//! ingest server receives it) against the whole stream in one call (`scrub_rrweb_json`):
//! the same bytes and the same report, at any batch boundaries, on every corpus stream
//! and rrweb fixture, under every preset and under policies whose selectors govern
//! nodes added later. A fresh scrubber per batch does not give that (the hazard the
//! session's scrubber exists for), and a batch with bad JSON keeps its valid part.

mod common;
#[path = "common/batches.rs"]
mod split;

use std::collections::HashSet;
use std::sync::OnceLock;

use common::read;
use proptest::prelude::*;
use session_replay::privacy::*;
use session_replay::{Limits, RrwebError};
use split::{append_contents, array, batches, split_events};

/// The block and unmask selectors of the mixed policy: each hits nodes that later
/// events add to or change in `login` (`.alert`, `.welcome`), `feed` (`.feed`,
/// `.suggest`) and `todo` (`.stats`, `.todo-list`); `selectors_hit_the_corpus` checks.
const BLOCK: &str = ".alert, .feed, .stats";
const UNMASK: &str = ".welcome, .suggest, .todo-list";

fn policies() -> Vec<(&'static str, Policy)> {
    vec![
        ("private", Policy::private()),
        ("balanced", Policy::balanced()),
        ("relaxed", Policy::relaxed()),
        (
            "relaxed+block(.todo-list)",
            Policy::relaxed().block(".todo-list").unwrap(),
        ),
        (
            "private+unmask(.todo-list)",
            Policy::private().unmask(".todo-list").unwrap(),
        ),
        (
            "private+block+unmask",
            Policy::private()
                .block(BLOCK)
                .unwrap()
                .unmask(UNMASK)
                .unwrap(),
        ),
    ]
}

/// Every corpus stream and every rrweb fixture (all are event arrays).
fn streams() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for n in ["login", "todo", "feed"] {
        for v in ["raw", "rrweb-default"] {
            out.push((format!("{n}.{v}"), read(&format!("corpus/{n}.{v}.json"))));
        }
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/rrweb-fixtures");
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    for p in names {
        let bytes = std::fs::read(&p).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        if v.as_array()
            .is_some_and(|a| a.iter().all(|e| e.is_object()))
        {
            out.push((p.file_name().unwrap().to_string_lossy().into(), bytes));
        }
    }
    out
}

fn whole(bytes: &[u8], policy: &Policy) -> (Vec<u8>, ScrubReport) {
    scrub_rrweb_json(bytes, policy, &Limits::default()).unwrap()
}

/// The batches through one scrubber; the outputs' events joined into one array.
fn batched(batches: &[Vec<u8>], policy: &Policy) -> (Vec<u8>, ScrubReport) {
    let mut s = Scrubber::new(policy.clone());
    let mut joined = vec![b'['];
    let mut out = Vec::new();
    for b in batches {
        out.clear();
        s.scrub_json_batch(b, &Limits::default(), &mut out).unwrap();
        append_contents(&mut joined, &out);
    }
    joined.push(b']');
    (joined, s.take_report())
}

/// Each batch through a fresh scrubber (`scrub_rrweb_json` per batch): the hazard.
fn fresh_per_batch(batches: &[Vec<u8>], policy: &Policy) -> Vec<u8> {
    let mut joined = vec![b'['];
    for b in batches {
        append_contents(&mut joined, &whole(b, policy).0);
    }
    joined.push(b']');
    joined
}

/// One stream under one policy, with its whole-stream result.
struct Case {
    stream: String,
    policy: &'static str,
    events: Vec<Vec<u8>>,
    whole: (Vec<u8>, ScrubReport),
}

/// Every (stream, policy) pair, scrubbed whole once.
fn cases() -> &'static [(Policy, Vec<Case>)] {
    static CASES: OnceLock<Vec<(Policy, Vec<Case>)>> = OnceLock::new();
    CASES.get_or_init(|| {
        let streams = streams();
        assert!(streams.len() > 30);
        policies()
            .into_iter()
            .map(|(name, policy)| {
                let cases = streams
                    .iter()
                    .map(|(stream, bytes)| Case {
                        stream: stream.clone(),
                        policy: name,
                        events: split_events(bytes)
                            .into_iter()
                            .map(<[u8]>::to_vec)
                            .collect(),
                        whole: whole(bytes, &policy),
                    })
                    .collect();
                (policy, cases)
            })
            .collect()
    })
}

/// Separators between the events of a batch: the output does not depend on them.
const SEPS: [&[u8]; 3] = [b",", b" ,\n  ", b"\n,\t"];

fn batch_sizes() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(
        prop_oneof![3 => 1usize..8, 3 => 8usize..160, 1 => Just(0usize)],
        1..10,
    )
    .prop_filter("one batch at least is not empty", |v| {
        v.iter().any(|&n| n > 0)
    })
}

proptest! {
    // Each case splits every stream under every policy (36 streams, 6 policies).
    #![proptest_config(ProptestConfig::with_cases(6))]

    #[test]
    fn batches_through_one_scrubber_equal_the_whole_stream(
        sizes in batch_sizes(),
        sep in 0usize..SEPS.len(),
    ) {
        for (policy, cases) in cases() {
            for case in cases {
                let events: Vec<&[u8]> = case.events.iter().map(Vec::as_slice).collect();
                let batches = batches(&events, &sizes, SEPS[sep]);
                let (out, report) = batched(&batches, policy);
                prop_assert!(
                    out == case.whole.0,
                    "{} under {}, batch sizes {:?}: output differs",
                    case.stream, case.policy, sizes
                );
                prop_assert_eq!(
                    &report, &case.whole.1,
                    "{} under {}, batch sizes {:?}: report differs",
                    &case.stream, case.policy, &sizes
                );
            }
        }
    }
}

/// The selectors of the policies above match nodes in the streams they are meant for,
/// so that the tests exercise state carried across batches.
#[test]
fn selectors_hit_the_corpus() {
    let todo = read("corpus/todo.raw.json");
    let blocked = |bytes: &[u8], p: &Policy| whole(bytes, p).1.count(ScrubAction::ElementBlocked);
    assert!(
        blocked(&todo, &Policy::relaxed().block(".todo-list").unwrap())
            > blocked(&todo, &Policy::relaxed())
    );
    assert_ne!(
        whole(&todo, &Policy::private().unmask(".todo-list").unwrap()).0,
        whole(&todo, &Policy::private()).0
    );
    for n in ["login", "feed", "todo"] {
        let bytes = read(&format!("corpus/{n}.raw.json"));
        let base = Policy::private();
        let with_block = Policy::private().block(BLOCK).unwrap();
        assert!(
            blocked(&bytes, &with_block) > blocked(&bytes, &base),
            "{n}: the block selector matches nothing"
        );
        let with_unmask = Policy::private().unmask(UNMASK).unwrap();
        assert_ne!(
            whole(&bytes, &with_unmask).0,
            whole(&bytes, &base).0,
            "{n}: the unmask selector changes nothing"
        );
    }
}

/// The ids of node `root` and of every node the stream adds under it (at any depth).
fn ids_under(json: &[u8], root: i64) -> HashSet<i64> {
    let v: serde_json::Value = serde_json::from_slice(json).unwrap();
    let mut under = HashSet::from([root]);
    for add in adds(&v) {
        if add["parentId"].as_i64().is_some_and(|p| under.contains(&p)) {
            collect_ids(&add["node"], &mut under);
        }
    }
    under
}

/// The non-blank texts of the subtrees the scrubbed stream `json` adds under `parents`.
fn added_texts(json: &[u8], parents: &HashSet<i64>) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_slice(json).unwrap();
    let mut out = Vec::new();
    for add in adds(&v) {
        if add["parentId"]
            .as_i64()
            .is_some_and(|p| parents.contains(&p))
        {
            collect_texts(&add["node"], &mut out);
        }
    }
    out
}

/// Every mutation's adds, in order.
fn adds(v: &serde_json::Value) -> impl Iterator<Item = &serde_json::Value> {
    v.as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == 3 && e["data"]["source"] == 0)
        .flat_map(|e| e["data"]["adds"].as_array().unwrap())
}

fn collect_ids(node: &serde_json::Value, out: &mut HashSet<i64>) {
    out.extend(node["id"].as_i64());
    for c in node["childNodes"].as_array().into_iter().flatten() {
        collect_ids(c, out);
    }
}

fn collect_texts(node: &serde_json::Value, out: &mut Vec<String>) {
    if let Some(t) = node["textContent"].as_str()
        && !t.trim().is_empty()
    {
        out.push(t.to_owned());
    }
    for c in node["childNodes"].as_array().into_iter().flatten() {
        collect_texts(c, out);
    }
}

/// The id of the `ul.todo-list` element in the todo stream's full snapshot.
fn todo_list_id(json: &[u8]) -> i64 {
    fn find(node: &serde_json::Value) -> Option<i64> {
        if node["attributes"]["class"] == "todo-list" {
            return node["id"].as_i64();
        }
        node["childNodes"].as_array()?.iter().find_map(find)
    }
    let v: serde_json::Value = serde_json::from_slice(json).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == 2)
        .and_then(|e| find(&e["data"]["node"]))
        .expect("the todo stream has a .todo-list")
}

/// The leak: the list is blocked (or unmasked) in the first batch's snapshot; the items
/// added to it in later batches must be governed by that. A fresh scrubber per batch of
/// 50 events forgets it; the session's scrubber does not.
#[test]
fn a_fresh_scrubber_per_batch_leaks_and_the_sessions_scrubber_does_not() {
    let bytes = read("corpus/todo.raw.json");
    let events = split_events(&bytes);
    let batches = batches(&events, &[50], b",");
    assert!(batches.len() > 50);
    let list = ids_under(&bytes, todo_list_id(&bytes));
    assert!(
        added_texts(&bytes, &list).len() > 100,
        "the todo list gets items added"
    );

    // Blocked: nothing added under the list is in the output.
    let policy = Policy::relaxed().block(".todo-list").unwrap();
    let (whole_out, whole_report) = whole(&bytes, &policy);
    assert!(added_texts(&whole_out, &list).is_empty());
    let fresh = fresh_per_batch(&batches, &policy);
    assert_ne!(fresh, whole_out);
    let leaked = added_texts(&fresh, &list);
    assert!(
        leaked.len() > 100,
        "a fresh scrubber per batch lets the blocked list's items through"
    );
    let (out, report) = batched(&batches, &policy);
    assert!(added_texts(&out, &list).is_empty());
    assert!(
        out == whole_out,
        "the session's scrubber equals the whole stream"
    );
    assert_eq!(report, whole_report);

    // Unmasked: the items added to the list are visible (relaxed text would be; under
    // `private` only the unmask shows them), as in the whole stream.
    let policy = Policy::private().unmask(".todo-list").unwrap();
    let (whole_out, whole_report) = whole(&bytes, &policy);
    let shown = |json: &[u8]| {
        added_texts(json, &list)
            .iter()
            .filter(|t| t.chars().any(|c| c.is_alphanumeric()))
            .count()
    };
    assert!(shown(&whole_out) > 100);
    let fresh = fresh_per_batch(&batches, &policy);
    assert_ne!(fresh, whole_out);
    assert!(
        shown(&fresh) < shown(&whole_out),
        "a fresh scrubber per batch masks what the unmask rule shows"
    );
    let (out, report) = batched(&batches, &policy);
    assert_eq!(shown(&out), shown(&whole_out));
    assert!(
        out == whole_out,
        "the session's scrubber equals the whole stream"
    );
    assert_eq!(report, whole_report);
}

/// A batch with a syntax error after three good events: the reader's error (index in
/// the batch), the three events scrubbed in `out` as a valid array, and the session's
/// state holding exactly those three, so that the next batches go on as if the bad
/// batch had been those three events.
#[test]
fn a_bad_batch_keeps_its_valid_part_and_the_session_goes_on() {
    let bytes = read("corpus/todo.raw.json");
    let events = split_events(&bytes);
    let policy = Policy::relaxed().block(".todo-list").unwrap();
    let limits = Limits::default();
    // Good batches to event 100, then a bad one, then the rest in batches of 50. The
    // bad batch holds events 100..103 and then a broken fourth (or worse).
    let good = &events[..100];
    let bad_cases: Vec<(&str, Vec<u8>)> = vec![
        ("syntax error between events", {
            let mut b = array(&events[100..103], b",");
            b.pop();
            b.extend_from_slice(b",{\"type\":3 \"data\":{}}]");
            b
        }),
        ("missing comma", {
            let mut b = array(&events[100..103], b",");
            b.pop();
            b.extend_from_slice(b" ");
            b.extend_from_slice(events[103]);
            b.push(b']');
            b
        }),
        ("invalid event", {
            let mut b = array(&events[100..103], b",");
            b.pop();
            b.extend_from_slice(b",{\"data\":{},\"timestamp\":1}]");
            b
        }),
        ("truncated", {
            let mut b = array(&events[100..103], b",");
            b.pop();
            b.push(b',');
            b.extend_from_slice(&events[103][..events[103].len() / 2]);
            b
        }),
        ("trailing bytes", {
            let mut b = array(&events[100..103], b",");
            b.extend_from_slice(b" x");
            b
        }),
        ("not UTF-8", {
            let mut b = array(&events[100..103], b",");
            b.pop();
            b.extend_from_slice(b",{\"type\":5,\"data\":{\"tag\":\"\xff\"},\"timestamp\":1}]");
            b
        }),
    ];
    // What the valid part should give: the session fed the three events as a batch.
    let expect_session = |then: &[&[u8]]| {
        let mut s = Scrubber::new(policy.clone());
        let mut out = Vec::new();
        for b in batches(good, &[50], b",") {
            out.clear();
            s.scrub_json_batch(&b, &limits, &mut out).unwrap();
        }
        let mut three = Vec::new();
        s.scrub_json_batch(&array(&events[100..103], b","), &limits, &mut three)
            .unwrap();
        let mut rest = vec![b'['];
        for b in batches(then, &[50], b",") {
            out.clear();
            s.scrub_json_batch(&b, &limits, &mut out).unwrap();
            append_contents(&mut rest, &out);
        }
        rest.push(b']');
        (three, rest, s.take_report())
    };
    let (want_three, want_rest, want_report) = expect_session(&events[103..]);
    let three: serde_json::Value = serde_json::from_slice(&want_three).unwrap();
    assert_eq!(three.as_array().unwrap().len(), 3);

    for (what, bad) in &bad_cases {
        let mut s = Scrubber::new(policy.clone());
        let mut out = Vec::new();
        for b in batches(good, &[50], b",") {
            out.clear();
            s.scrub_json_batch(&b, &limits, &mut out).unwrap();
        }
        let before = s.report().events_in;
        out.clear();
        out.extend_from_slice(b"kept:");
        let err = s.scrub_json_batch(bad, &limits, &mut out).expect_err(what);
        // The reader's own error, counted within the batch.
        let reader = session_replay::rrweb::read(bad, &limits).unwrap_err();
        assert_eq!(err, reader, "{what}");
        assert_eq!(err.event_index(), Some(3), "{what}: {err}");
        assert!(matches!(
            err,
            RrwebError::Syntax { .. } | RrwebError::InvalidEvent { .. }
        ));
        // Appended after what `out` held: one valid array of the three events.
        assert_eq!(&out[..5], b"kept:");
        let kept: serde_json::Value = serde_json::from_slice(&out[5..])
            .unwrap_or_else(|e| panic!("{what}: not a JSON array ({e})"));
        assert_eq!(kept, three, "{what}: the valid part");
        assert_eq!(s.report().events_in, before + 3, "{what}");
        // The session goes on as if the batch had been the three events.
        let mut rest = vec![b'['];
        for b in batches(&events[103..], &[50], b",") {
            out.clear();
            s.scrub_json_batch(&b, &limits, &mut out).unwrap();
            append_contents(&mut rest, &out);
        }
        rest.push(b']');
        assert!(rest == want_rest, "{what}: the session after the error");
        assert_eq!(s.take_report(), want_report, "{what}");
    }
}

/// Errors that concern the batch as a whole leave the session as it was.
#[test]
fn a_batch_refused_whole_changes_nothing() {
    let bytes = read("corpus/login.raw.json");
    let events = split_events(&bytes);
    let policy = Policy::private();
    let limits = Limits::default();
    let first = array(&events[..20], b",");
    let second = array(&events[20..], b",");
    let (want, want_report) = whole(&bytes, &policy);
    for (what, bad, limits_here) in [
        ("not an array", b"{\"type\":4}".to_vec(), limits),
        ("empty", Vec::new(), limits),
        (
            "over the input limit",
            second.clone(),
            limits.with_input_bytes(second.len() - 1),
        ),
    ] {
        let mut s = Scrubber::new(policy.clone());
        let mut joined = vec![b'['];
        let mut out = Vec::new();
        s.scrub_json_batch(&first, &limits, &mut out).unwrap();
        append_contents(&mut joined, &out);
        let before = s.report().clone();
        out.clear();
        let err = s
            .scrub_json_batch(&bad, &limits_here, &mut out)
            .unwrap_err();
        assert_eq!(
            err,
            session_replay::rrweb::Reader::new()
                .with_limits(limits_here)
                .read(&bad)
                .unwrap_err(),
            "{what}"
        );
        assert_eq!(out, b"[]", "{what}");
        assert_eq!(s.report(), &before, "{what}");
        out.clear();
        s.scrub_json_batch(&second, &limits, &mut out).unwrap();
        append_contents(&mut joined, &out);
        joined.push(b']');
        assert!(joined == want, "{what}: the session after the error");
        assert_eq!(s.take_report(), want_report, "{what}");
    }
}

/// An event the scanner refuses as a value (an integer too long for it) goes the typed
/// way alone, in a batch as in the whole stream: the bytes stay the same.
#[test]
fn an_event_with_a_long_integer_takes_the_same_path_either_way() {
    let bytes = read("corpus/feed.raw.json");
    let mut events: Vec<Vec<u8>> = split_events(&bytes)
        .into_iter()
        .map(<[u8]>::to_vec)
        .collect();
    // A mouse move (type 3, source 1) gets an extra member holding a 25-digit integer.
    let k = events
        .iter()
        .position(|e| e.starts_with(b"{\"type\":3,\"data\":{\"source\":1,"))
        .expect("a mouse move");
    let e = &mut events[k];
    let at = e.len() - 1;
    e.splice(
        at..at,
        b",\"big\":1234567890123456789012345".iter().copied(),
    );
    let refs: Vec<&[u8]> = events.iter().map(Vec::as_slice).collect();
    let stream = array(&refs, b",");
    for (_, policy) in policies() {
        let whole_out = whole(&stream, &policy);
        assert!(
            whole_out.0.windows(6).any(|w| w == b"\"big\":"),
            "the event is kept"
        );
        let batched_out = batched(&batches(&refs, &[7, 50], b","), &policy);
        assert!(batched_out == whole_out);
    }
}
