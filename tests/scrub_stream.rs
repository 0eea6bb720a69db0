//! The streaming scrubber (`scrub_rrweb_json`, bytes to bytes) against the typed path
//! (read into the model, `scrub`, write): the same JSON and the same report, on every
//! corpus stream, every rrweb fixture and the hard page, under every preset and under
//! policies with selectors, attribute rules and a custom masking function; and on
//! random streams (proptest), including formatting the scanner must take in its stride.

mod common;

use std::sync::Arc;

use common::read;
use serde_json::Value;
use session_replay::privacy::*;
use session_replay::{Limits, rrweb};

fn typed(bytes: &[u8], policy: &Policy) -> Result<(Value, ScrubReport), String> {
    let events = rrweb::read(bytes, &Limits::DEFAULT).map_err(|e| e.to_string())?;
    let (events, report) = scrub(events, policy);
    let v = serde_json::from_slice(&rrweb::write_events(&events)).unwrap();
    Ok((v, report))
}

fn streamed(bytes: &[u8], policy: &Policy) -> Result<(Value, ScrubReport), String> {
    let (out, report) =
        scrub_rrweb_json(bytes, policy, &Limits::default()).map_err(|e| e.to_string())?;
    let v = serde_json::from_slice(&out).unwrap_or_else(|e| {
        panic!(
            "streamed output is not JSON ({e}):\n{}",
            String::from_utf8_lossy(&out)
        )
    });
    Ok((v, report))
}

fn assert_same(name: &str, bytes: &[u8], policy: &Policy) {
    let t = typed(bytes, policy);
    let s = streamed(bytes, policy);
    match (&t, &s) {
        (Ok((tv, tr)), Ok((sv, sr))) => {
            if tv != sv {
                let (ta, sa) = (tv.as_array().unwrap(), sv.as_array().unwrap());
                assert_eq!(ta.len(), sa.len(), "{name}: event count");
                for (i, (a, b)) in ta.iter().zip(sa).enumerate() {
                    assert_eq!(
                        a,
                        b,
                        "{name}: event {i} differs under {:?}",
                        policy.preset_kind()
                    );
                }
            }
            assert_eq!(tr, sr, "{name}: report under {:?}", policy.preset_kind());
        }
        (Err(a), Err(b)) => assert_eq!(a, b, "{name}: error"),
        _ => panic!("{name}: typed {t:?} vs streamed {s:?}"),
    }
}

fn inputs() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for n in ["login", "todo", "feed"] {
        for v in ["raw", "rrweb-default"] {
            out.push((format!("{n}.{v}"), read(&format!("corpus/{n}.{v}.json"))));
        }
    }
    out.push(("hard-page".into(), read("pages/hard-page.json")));
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/rrweb-fixtures");
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    for p in names {
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        out.push((name, std::fs::read(p).unwrap()));
    }
    out
}

fn policies() -> Vec<Policy> {
    vec![
        Policy::private(),
        Policy::balanced(),
        Policy::relaxed(),
        Policy::balanced()
            .block("footer, .ad")
            .unwrap()
            .mask("li > span, [data-id]")
            .unwrap()
            .unmask("h1, h2, button")
            .unwrap()
            .ignore("#search")
            .unwrap()
            .allow_input("input[type=checkbox], .new-todo")
            .unwrap()
            .attribute("a", "href", AttributeAction::Remove)
            .unwrap()
            .attribute("", "title", AttributeAction::Keep)
            .unwrap(),
        Policy::private()
            .with_text_lengths(TextLengths::Hidden)
            .with_mask_fn(Arc::new(|target, s| match target {
                MaskTarget::Text { .. } if s.len() > 3 => Some(format!("<{}>", s.len())),
                _ => None,
            })),
    ]
}

#[test]
fn streaming_scrub_equals_the_typed_path_everywhere() {
    let inputs = inputs();
    assert!(inputs.len() > 30);
    for policy in policies() {
        for (name, bytes) in &inputs {
            assert_same(name, bytes, &policy);
        }
    }
}

#[test]
fn whitespace_in_rrweb_key_order_gives_the_same_result() {
    for n in ["login", "feed"] {
        let bytes = spread(&read(&format!("corpus/{n}.raw.json")));
        for policy in [Policy::private(), Policy::balanced()] {
            assert_same(&format!("{n} spread"), &bytes, &policy);
        }
    }
}

#[test]
fn reformatted_and_reordered_json_gives_the_same_result() {
    // Pretty-printed (whitespace everywhere) and with keys in another order.
    for n in ["login", "todo"] {
        let bytes = read(&format!("corpus/{n}.raw.json"));
        let v: Value = serde_json::from_slice(&bytes).unwrap();
        let pretty = serde_json::to_vec_pretty(&v).unwrap();
        for policy in [Policy::private(), Policy::balanced()] {
            assert_same(&format!("{n} pretty"), &pretty, &policy);
        }
    }
}

#[test]
fn errors_are_the_typed_reader_errors() {
    let cases: [&[u8]; 13] = [
        b"",
        b"{}",
        b"[",
        b"[{\"type\":3}]",
        b"[{\"type\":3,\"data\":{\"source\":5,\"text\":\"x\",\"id\":1},\"timestamp\":1}]",
        b"[{\"type\":2,\"data\":{\"node\":{\"type\":2,\"id\":1},\"initialOffset\":{\"top\":0,\"left\":0}},\"timestamp\":1}]",
        b"[{\"type\":4,\"data\":{\"href\":\"x\",\"width\":1,\"height\":2},\"timestamp\":1}] x",
        b"[{\"type\":4,\"data\":{\"href\":\"\\ud800\",\"width\":1,\"height\":2},\"timestamp\":1}]",
        b"[{\"type\":4,\"data\":{\"href\":\"x\",\"width\":1,\"height\":2},\"timestamp\":1.5}]",
        b"[{\"type\":4,\"data\":{\"href\":\"x\",\"width\":1,\"height\":2},\"timestamp\":1},]",
        // serde_json reads -0 as a float: not a node id.
        b"[{\"type\":3,\"data\":{\"source\":3,\"id\":-0,\"x\":1,\"y\":2},\"timestamp\":1}]",
        // A number beyond f64.
        b"[{\"type\":3,\"data\":{\"source\":3,\"id\":1,\"x\":1e400,\"y\":2},\"timestamp\":1}]",
        // A duplicate key the model reads once.
        b"[{\"type\":3,\"data\":{\"source\":3,\"id\":1,\"id\":2,\"x\":1,\"y\":2},\"timestamp\":1}]",
    ];
    for (i, c) in cases.iter().enumerate() {
        if i < 12 {
            assert!(
                typed(c, &Policy::private()).is_err(),
                "case {i} should be an error"
            );
        }
        assert_same(&format!("case {i}"), c, &Policy::private());
    }
}

// ---- random streams: the two paths agree ----

use proptest::prelude::*;
use serde_json::json;

/// Attribute sets that exercise every rule: markers, passwords, URLs, user text.
fn attrs_for(k: u8, id: i64) -> Value {
    match k % 12 {
        0 => json!({}),
        1 => json!({"class": "rr-block", "title": format!("blocked {id}")}),
        2 => json!({"class": "rr-mask card", "data-x": format!("secret {id}")}),
        3 => json!({"class": "fs-unmask"}),
        4 => json!({"type": "password", "value": "hunter2"}),
        5 => json!({"href": format!("https://a.test/p/{id}?token=abc&x=1"), "class": "link"}),
        6 => json!({"data-private": "", "alt": "4111 1111 1111 1111"}),
        7 => json!({"style": "background:url(/i.png?sig=zz)", "id": format!("n{id}")}),
        8 => json!({"type": "checkbox", "checked": true, "value": "yes"}),
        9 => json!({"class": "rr-ignore", "placeholder": "Your email"}),
        10 => json!({"data-dd-privacy": "allow", "aria-label": "Menu"}),
        _ => json!({"rr_width": "10px", "width": 5, "hidden": true}),
    }
}

fn element(id: i64, k: u8, children: Vec<Value>) -> Value {
    let tag = ["div", "span", "input", "a", "li", "textarea", "style", "P"][(k % 8) as usize];
    json!({"type": 2, "tagName": tag, "attributes": attrs_for(k / 8, id), "childNodes": children, "id": id})
}

fn text_node(id: i64, k: u8) -> Value {
    let t = [
        "Hello world",
        "\n  ",
        "call 555-123-4567",
        "a\tb \u{e9}\u{1F600} \"q\"",
        "",
        "x",
    ][(k % 6) as usize];
    json!({"type": 3, "textContent": t, "id": id})
}

#[derive(Debug, Clone)]
enum Step {
    Batch(Vec<(u8, u8, u8)>),
    Input(u8, u8),
    Pointer(u8),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => prop::collection::vec((any::<u8>(), any::<u8>(), any::<u8>()), 1..8).prop_map(Step::Batch),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(a, b)| Step::Input(a, b)),
        1 => any::<u8>().prop_map(Step::Pointer),
    ]
}

/// A stream from the steps: a snapshot, then mutation batches (adds of single nodes and
/// small subtrees, in any order, moves, duplicate ids, removes, text and attribute
/// changes), inputs and pointer events on any node.
fn stream(seed: &[(u8, u8)], steps: &[Step]) -> Vec<u8> {
    let mut ids: Vec<i64> = vec![3, 4];
    let mut body_children = Vec::new();
    let mut next = 10i64;
    for &(a, b) in seed {
        let id = next;
        next += 2;
        ids.push(id);
        ids.push(id + 1);
        body_children.push(element(id, a, vec![text_node(id + 1, b)]));
    }
    let snapshot = json!({"type": 0, "childNodes": [
        {"type": 1, "name": "html", "publicId": "", "systemId": "", "id": 2},
        {"type": 2, "tagName": "html", "attributes": {}, "childNodes": [
            {"type": 2, "tagName": "body", "attributes": {}, "childNodes": body_children, "id": 4}
        ], "id": 3}
    ], "id": 1});
    let mut events = vec![
        json!({"type": 4, "data": {"href": "https://app.test/a?session=s3cr3t", "width": 800, "height": 600}, "timestamp": 1}),
        json!({"type": 2, "data": {"node": snapshot, "initialOffset": {"left": 0, "top": 0}}, "timestamp": 2}),
    ];
    let pick = |ids: &Vec<i64>, k: u8| ids[k as usize % ids.len()];
    for (t, st) in steps.iter().enumerate() {
        let ts = 10 + t as i64;
        match st {
            Step::Batch(ops) => {
                let (mut adds, mut removes, mut texts, mut attrs) = (vec![], vec![], vec![], vec![]);
                for &(op, a, b) in ops {
                    match op % 6 {
                        0 | 1 => {
                            // A new node, or (1 in 8) an existing id again: a move.
                            let id = if b % 8 == 0 { pick(&ids, a) } else { next += 3; next };
                            let node = if op % 6 == 0 {
                                element(id, b, vec![text_node(id + 1, a), element(id + 2, a, vec![])])
                            } else {
                                text_node(id, b)
                            };
                            adds.push(json!({"parentId": pick(&ids, a.wrapping_add(b)), "nextId": null, "node": node}));
                            ids.extend([id, id + 1, id + 2]);
                        }
                        2 => removes.push(json!({"parentId": pick(&ids, b), "id": pick(&ids, a)})),
                        3 => texts.push(json!({"id": pick(&ids, a), "value": if b % 5 == 0 { Value::Null } else { json!(format!("changed {b} 4111 1111 1111 1111")) }})),
                        _ => {
                            let mut v = attrs_for(b, a as i64);
                            if b % 7 == 0 {
                                v = json!({"class": null, "data-private": null});
                            }
                            attrs.push(json!({"id": pick(&ids, a), "attributes": v}));
                        }
                    }
                }
                // Adds sometimes arrive child-first, as rrweb sends them.
                if ops.len() % 2 == 0 {
                    adds.reverse();
                }
                events.push(json!({"type": 3, "data": {"source": 0, "texts": texts, "attributes": attrs, "removes": removes, "adds": adds}, "timestamp": ts}));
            }
            Step::Input(a, b) => events.push(json!({"type": 3, "data": {"source": 5, "text": format!("typed {b}"), "isChecked": b % 2 == 0, "id": pick(&ids, *a)}, "timestamp": ts})),
            Step::Pointer(a) => {
                let id = pick(&ids, *a);
                events.push(json!({"type": 3, "data": {"source": 2, "type": 2, "id": id, "x": 1, "y": 2}, "timestamp": ts}));
                events.push(json!({"type": 3, "data": {"source": 3, "id": id, "x": 0, "y": 5}, "timestamp": ts}));
                events.push(json!({"type": 3, "data": {"source": 1, "positions": [{"x": 1, "y": 2, "id": id, "timeOffset": 0}]}, "timestamp": ts}));
            }
        }
    }
    // serde_json sorts keys; going through the model gives rrweb's own key order (the
    // one the streaming path is built for: `type` first, `id` after `childNodes`).
    let sorted = serde_json::to_vec(&Value::Array(events)).unwrap();
    rrweb::write_events(&rrweb::read(&sorted, &Limits::DEFAULT).unwrap())
}

/// Adds whitespace after every `{`, `[`, `:` and `,` outside strings, keeping key order.
fn spread(json: &[u8]) -> Vec<u8> {
    let (mut out, mut in_str, mut esc) = (Vec::new(), false, false);
    for &b in json {
        out.push(b);
        if in_str {
            match (esc, b) {
                (true, _) => esc = false,
                (false, b'\\') => esc = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
        } else if b == b'"' {
            in_str = true;
        } else if matches!(b, b'{' | b'[' | b':' | b',') {
            out.extend_from_slice(b"\n\t ");
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn random_streams_scrub_the_same_both_ways(
        seed in prop::collection::vec((any::<u8>(), any::<u8>()), 0..6),
        steps in prop::collection::vec(step(), 1..25),
        which in 0usize..5,
    ) {
        let bytes = stream(&seed, &steps);
        let policy = policies().swap_remove(which);
        let t = typed(&bytes, &policy).unwrap();
        let s = streamed(&bytes, &policy).unwrap();
        if t.0 != s.0 {
            let input: Value = serde_json::from_slice(&bytes).unwrap();
            let (ta, sa) = (t.0.as_array().unwrap(), s.0.as_array().unwrap());
            for (i, (a, b)) in ta.iter().zip(sa).enumerate() {
                prop_assert_eq!(a, b, "event {} of input {}", i, input);
            }
        }
        prop_assert_eq!(&t.0, &s.0);
        prop_assert_eq!(&t.1, &s.1);
        // Whitespace everywhere changes nothing.
        let s = streamed(&spread(&bytes), &policy).unwrap();
        prop_assert_eq!(&t.0, &s.0);
    }
}

/// The caller's limits apply to the streaming path as they do to the reader: a stream
/// over a limit is the reader's error.
#[test]
fn streaming_scrub_honours_the_callers_limits() {
    let json = br#"[{"type":3,"data":{"source":5,"text":"hunter2","isChecked":false,"id":9},"timestamp":1}]"#;
    let policy = Policy::private();
    for limits in [
        Limits::default().with_input_bytes(16),
        Limits::default().with_string_len(3),
    ] {
        let streamed = scrub_rrweb_json(json, &policy, &limits).map(|(_, r)| r);
        let read = rrweb::Reader::new().with_limits(limits).read(json);
        let (Err(s), Err(r)) = (streamed, read) else {
            panic!("{limits:?}: both paths must refuse the stream");
        };
        assert_eq!(s.to_string(), r.to_string());
    }
    assert!(scrub_rrweb_json(json, &policy, &Limits::default()).is_ok());
}
