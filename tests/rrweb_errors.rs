//! Malformed rrweb JSON gives errors that name the event and the JSON path; the valid
//! part of the stream is still returned; nothing panics or overflows the stack.

use session_replay::{Limits, RrwebError, rrweb};

const META: &str =
    r#"{"type":4,"data":{"href":"https://a.test/","width":800,"height":600},"timestamp":1}"#;
const INPUT: &str =
    r#"{"type":3,"data":{"source":5,"text":"x","isChecked":false,"id":9},"timestamp":2}"#;

#[test]
fn invalid_event_names_index_and_path() {
    let bad = r#"{"type":3,"data":{"source":0,"texts":[],"attributes":[],"removes":[],"adds":[{"parentId":1,"nextId":null,"node":{"type":2,"tagName":"div","attributes":{},"childNodes":[{"type":3,"textContent":5,"id":3}],"id":2}}]},"timestamp":3}"#;
    let json = format!("[{META},{INPUT},{bad},{INPUT}]");
    let err = rrweb::read(json.as_bytes(), &Limits::DEFAULT).unwrap_err();
    match &err {
        RrwebError::InvalidEvent {
            index,
            path,
            reason,
        } => {
            assert_eq!(*index, 2);
            assert_eq!(path, "$.data.adds[0].node.childNodes[0].textContent");
            assert!(reason.contains("expected a string"), "{reason}");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(
        err.to_string().starts_with("event 2: at $.data.adds[0]"),
        "{err}"
    );

    // Recovering keeps the three valid events around the bad one.
    let rec = rrweb::read_recovering(json.as_bytes(), &Limits::DEFAULT);
    assert_eq!(rec.events.len(), 3);
    assert_eq!(rec.errors, vec![err]);
}

#[test]
fn missing_fields_and_wrong_types() {
    let cases = [
        (r#"{"data":{},"timestamp":1}"#, "$", "missing field `type`"),
        (r#"{"type":0,"data":{}}"#, "$", "missing field `timestamp`"),
        (
            r#"{"type":0,"data":{},"timestamp":1.5}"#,
            "$.timestamp",
            "integer timestamp",
        ),
        (
            r#"{"type":3,"data":{"source":1,"positions":[{"x":1,"y":2,"id":"a","timeOffset":0}]},"timestamp":1}"#,
            "$.data.positions[0].id",
            "node id",
        ),
        (
            r#"{"type":3,"data":{"source":3,"id":99999999999,"x":0,"y":0},"timestamp":1}"#,
            "$.data.id",
            "out of range",
        ),
        (
            r#"{"type":2,"data":{"node":[],"initialOffset":{"top":0,"left":0}},"timestamp":1}"#,
            "$.data.node",
            "expected an object",
        ),
        (r#"[]"#, "$", "expected an object"),
    ];
    for (event, want_path, want_reason) in cases {
        let json = format!("[{event}]");
        match rrweb::read(json.as_bytes(), &Limits::DEFAULT) {
            Err(RrwebError::InvalidEvent {
                index: 0,
                path,
                reason,
            }) => {
                assert_eq!(path, want_path, "{event}");
                assert!(reason.contains(want_reason), "{event}: {reason}");
            }
            other => panic!("{event}: unexpected {other:?}"),
        }
    }
}

#[test]
fn truncated_stream_returns_the_valid_prefix() {
    let json = format!("[{META},{INPUT},{INPUT}]");
    for cut in 1..json.len() {
        let rec = rrweb::read_recovering(&json.as_bytes()[..cut], &Limits::DEFAULT);
        assert_eq!(rec.errors.len(), 1, "cut at {cut}");
        // Every event whose closing brace is inside the cut comes back, and no other.
        let ends = [
            1 + META.len(),
            2 + META.len() + INPUT.len(),
            3 + META.len() + 2 * INPUT.len(),
        ];
        let complete = ends.iter().filter(|&&end| end <= cut).count();
        assert_eq!(rec.events.len(), complete, "cut at {cut}");
        match &rec.errors[0] {
            RrwebError::Syntax {
                event_index,
                line,
                column,
                ..
            } => {
                assert_eq!(*event_index, rec.events.len());
                assert_eq!(*line, 1);
                assert!(*column > 0);
            }
            RrwebError::NotAnArray { .. } => assert!(cut <= 1),
            other => panic!("cut at {cut}: {other:?}"),
        }
    }
}

#[test]
fn not_an_array() {
    for (input, found) in [
        ("{}", "an object"),
        ("\"x\"", "a string"),
        ("3", "a number"),
        ("null", "null"),
    ] {
        match rrweb::read(input.as_bytes(), &Limits::DEFAULT) {
            Err(RrwebError::NotAnArray { found: f }) => assert_eq!(f, found),
            other => panic!("{input}: {other:?}"),
        }
    }
    assert!(matches!(
        rrweb::read(b"", &Limits::DEFAULT),
        Err(RrwebError::Syntax { .. })
    ));
    assert!(matches!(
        rrweb::read(b"[] x", &Limits::DEFAULT),
        Err(RrwebError::Syntax { .. })
    ));
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    // rrweb JSON nested 10,000 deep, in a payload and in the node tree.
    let deep_payload = format!(
        r#"[{META},{{"type":5,"data":{{"tag":"t","payload":{}1{}}},"timestamp":2}}]"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let rec = rrweb::read_recovering(deep_payload.as_bytes(), &Limits::DEFAULT);
    assert_eq!(rec.events.len(), 1);
    match &rec.errors[..] {
        [
            RrwebError::Syntax {
                event_index: 1,
                message,
                ..
            },
        ] => {
            assert!(
                message.contains("nesting deeper than the limit of 512"),
                "{message}"
            )
        }
        other => panic!("{other:?}"),
    }

    let mut tree = String::new();
    for i in 0..10_000 {
        tree.push_str(&format!(
            r#"{{"type":2,"tagName":"div","attributes":{{}},"id":{},"childNodes":["#,
            i + 2
        ));
    }
    tree.push_str(&"]}".repeat(10_000));
    let snap = format!(
        r#"[{{"type":2,"data":{{"node":{{"type":0,"id":1,"childNodes":[{tree}]}},"initialOffset":{{"top":0,"left":0}}}},"timestamp":1}}]"#
    );
    assert!(matches!(
        rrweb::read(snap.as_bytes(), &Limits::DEFAULT),
        Err(RrwebError::Syntax { .. })
    ));

    // With a higher limit the same document reads, and its 10,001 levels are flat.
    let limits = Limits::DEFAULT.with_json_depth(25_000);
    let events = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            rrweb::Reader::new()
                .with_limits(limits)
                .read(snap.as_bytes())
                .map(|e| {
                    // Writing back is iterative; only the parse needed the larger stack.
                    (e.clone(), rrweb::write_events(&e))
                })
        })
        .unwrap()
        .join()
        .unwrap()
        .unwrap();
    let session_replay::EventKind::FullSnapshot(s) = &events.0[0].kind else {
        panic!()
    };
    assert_eq!(s.tree.len(), 10_001);
    assert_eq!(*s.tree.depths().iter().max().unwrap(), 10_000);
}

#[test]
fn limits_are_enforced() {
    let big = "a".repeat(1000);
    let json = format!(
        r#"[{{"type":3,"data":{{"source":5,"text":"{big}","isChecked":false,"id":9}},"timestamp":2}}]"#
    );
    let reader = rrweb::Reader::new().with_limits(Limits::DEFAULT.with_string_len(999));
    match reader.read(json.as_bytes()) {
        Err(RrwebError::LimitExceeded {
            index: 0,
            path,
            what,
            limit: 999,
        }) => {
            assert_eq!(path, "$.data.text");
            assert_eq!(what, "string length");
        }
        other => panic!("{other:?}"),
    }
    let reader = rrweb::Reader::new().with_limits(Limits::DEFAULT.with_input_bytes(10));
    assert!(matches!(
        reader.read(json.as_bytes()),
        Err(RrwebError::InputTooLarge { limit: 10, .. })
    ));

    let tree = r#"{"type":0,"id":1,"childNodes":[{"type":3,"textContent":"a","id":2},{"type":3,"textContent":"b","id":3}]}"#;
    let snap = format!(
        r#"[{{"type":2,"data":{{"node":{tree},"initialOffset":{{"top":0,"left":0}}}},"timestamp":1}}]"#
    );
    let reader = rrweb::Reader::new().with_limits(Limits::DEFAULT.with_nodes(2));
    match reader.read(snap.as_bytes()) {
        Err(RrwebError::LimitExceeded {
            what: "node count",
            path,
            ..
        }) => {
            assert_eq!(path, "$.data.node.childNodes[1]")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_kinds_and_fields_survive() {
    let json = r#"[{"type":42,"data":{"what":[1,2.5,null]},"timestamp":1,"delay":3},{"type":3,"data":{"source":99,"z":{"a":true}},"timestamp":2},{"type":3,"data":{"source":5,"text":"v","isChecked":true,"id":4,"userTriggered":true,"future":1.0},"timestamp":3},{"type":0,"timestamp":4}]"#;
    let events = rrweb::read(json.as_bytes(), &Limits::DEFAULT).unwrap();
    assert_eq!(events.len(), 4);
    let back: serde_json::Value = serde_json::from_slice(&rrweb::write_events(&events)).unwrap();
    let orig: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(back, orig);
    assert!(rrweb::write_string(&events).contains(r#""future":1.0"#));
}
