//! Bounded resources and damaged input: deep trees, huge strings, length-prefix bombs,
//! dropped / duplicated / reordered events, detached iframes, and determinism across
//! processes. Everything here runs on the test harness's ordinary 2 MiB thread stacks.

mod common;

use common::read;
use session_replay::codec::{self, Compression, EncoderConfig};
use session_replay::model::*;
use session_replay::privacy::{Policy, scrub};
use session_replay::replay::{ReplayConfig, Replayer};
use session_replay::{Limits, Recovered, RrwebError, rrweb};

fn element(id: i32, tag: &str) -> SerializedNode {
    SerializedNode {
        id: NodeId(id),
        kind: NodeKind::Element {
            tag: tag.into(),
            attributes: Attributes::new(),
            is_svg: None,
            need_block: None,
            is_custom: None,
        },
        root_id: None,
        is_shadow_host: None,
        is_shadow: None,
        shape: NodeShape::CHILD_LIST,
        extra: Vec::new(),
    }
}

fn deep_snapshot(depth: usize) -> Event {
    let mut nodes = vec![TreeNode {
        parent: None,
        node: SerializedNode {
            id: NodeId(1),
            kind: NodeKind::Document { compat_mode: None },
            root_id: None,
            is_shadow_host: None,
            is_shadow: None,
            shape: NodeShape::CHILD_LIST,
            extra: Vec::new(),
        },
    }];
    for i in 0..depth {
        nodes.push(TreeNode {
            parent: Some(i as u32),
            node: element(i as i32 + 2, if i == 0 { "html" } else { "div" }),
        });
    }
    Event {
        timestamp: Timestamp(1),
        kind: EventKind::FullSnapshot(FullSnapshot {
            tree: NodeTree { nodes },
            initial_offset: ScrollOffset::default(),
            extra: Vec::new(),
        }),
        extra: Vec::new(),
    }
}

#[test]
fn a_tree_100000_levels_deep_goes_through_every_stage() {
    let depth = 100_000;
    let mut events = vec![deep_snapshot(depth)];
    // And 1,000 more levels added one mutation record at a time.
    let adds = (0..1000)
        .map(|i| Addition {
            parent_id: NodeId(depth as i32 + 1 + i),
            next_id: None,
            previous_id: None,
            node: NodeTree::single(element(depth as i32 + 2 + i, "span")),
            extra: Vec::new(),
        })
        .collect();
    events.push(Event {
        timestamp: Timestamp(2),
        kind: EventKind::Incremental(Incremental::Mutation(Mutation {
            adds,
            ..Mutation::default()
        })),
        extra: Vec::new(),
    });
    // Replay, hash, HTML, keyframes.
    let mut r = Replayer::from(events.clone());
    let s = r.seek(Timestamp(2));
    assert_eq!(s.node_count(), depth + 1001);
    assert_eq!(s.diagnostics().problems(), 0);
    let _ = s.hash();
    let html = s.to_html();
    assert_eq!(html.matches("<div>").count(), depth - 1);
    assert_eq!(s.to_node_tree().len(), depth + 1001);
    // Scrub.
    let (scrubbed, _) = scrub(events.clone(), &Policy::private().mask(".x div").unwrap());
    assert_eq!(scrubbed.len(), 2);
    // Binary format, both ways.
    let bin = codec::encode(
        &events,
        EncoderConfig::default().with_compression(Compression::None),
    );
    let Recovered {
        events: back,
        errors,
    } = codec::decode(&bin, &Limits::DEFAULT);
    assert!(errors.is_empty());
    assert_eq!(back, events);
    // rrweb JSON: writing is iterative; reading stops at the nesting limit with an error.
    let json = rrweb::write_events(&events);
    assert!(matches!(
        rrweb::read(&json, &Limits::DEFAULT),
        Err(RrwebError::Syntax { .. })
    ));
}

#[test]
fn huge_strings_are_refused_by_the_limits() {
    let big = "a".repeat(50 << 20);
    // rrweb JSON: a 50 MB attribute value.
    let json = format!(
        r#"[{{"type":3,"data":{{"source":0,"texts":[],"attributes":[{{"id":1,"attributes":{{"title":"{big}"}}}}],"removes":[],"adds":[]}},"timestamp":1}}]"#
    );
    match rrweb::read(json.as_bytes(), &Limits::DEFAULT) {
        Err(RrwebError::LimitExceeded {
            what: "string length",
            path,
            ..
        }) => {
            assert_eq!(path, "$.data.attributes[0].attributes.title")
        }
        other => panic!("{other:?}"),
    }
    // Binary: an event carrying it encodes, and the decoder refuses the chunk by limit.
    let event = Event {
        timestamp: Timestamp(1),
        kind: EventKind::Incremental(Incremental::Input(Input {
            id: NodeId(1),
            text: big,
            is_checked: false,
            user_triggered: None,
            extra: Vec::new(),
        })),
        extra: Vec::new(),
    };
    let bin = codec::encode(
        &[event],
        EncoderConfig::default().with_compression(Compression::None),
    );
    let Recovered { events, errors } = codec::decode(&bin, &Limits::DEFAULT);
    assert!(events.is_empty());
    assert!(
        matches!(
            errors.as_slice(),
            [
                codec::CodecError::LimitExceeded {
                    what: "string length",
                    ..
                },
                codec::CodecError::Lost { .. }
            ]
        ),
        "{errors:?}"
    );
}

#[test]
fn bincode_length_prefix_bombs_fail_on_the_limit() {
    // The model's own bincode derive: a Vec<Event> claiming 2^50 elements.
    let mut bomb = vec![253u8];
    bomb.extend_from_slice(&(1u64 << 50).to_le_bytes());
    let cfg = bincode::config::standard().with_limit::<{ 1 << 20 }>();
    assert!(bincode::decode_from_slice::<Vec<Event>, _>(&bomb, cfg).is_err());
    // A string claiming 2^40 bytes inside an event.
    let mut bomb = vec![0u8, 253];
    bomb.extend_from_slice(&(1u64 << 40).to_le_bytes());
    assert!(bincode::decode_from_slice::<Event, _>(&bomb, cfg).is_err());
}

#[test]
fn dropped_duplicated_and_reordered_events_replay_with_diagnostics() {
    let events = rrweb::read(&read("corpus/todo.raw.json"), &Limits::DEFAULT).unwrap();
    let end = events.last().unwrap().timestamp;
    // Every 7th incremental event dropped.
    let dropped: Vec<Event> = events
        .iter()
        .enumerate()
        .filter(|(i, _)| *i < 4 || i % 7 != 0)
        .map(|(_, e)| e.clone())
        .collect();
    let mut r = Replayer::from(dropped);
    assert!(r.seek(end).diagnostics().problems() > 0);
    // Every mutation twice.
    let mut doubled = Vec::new();
    for e in &events {
        doubled.push(e.clone());
        if matches!(e.kind, EventKind::Incremental(Incremental::Mutation(_))) {
            doubled.push(e.clone());
        }
    }
    let mut r = Replayer::from(doubled);
    let d = r.seek(end).diagnostics().clone();
    assert!(d.duplicate_ids > 0 && d.unknown_nodes > 0, "{d:?}");
    // Blocks of events swapped in the stream, same timestamps: sorted back and counted.
    let mut reordered = events.clone();
    for k in (10..reordered.len() - 20).step_by(50) {
        reordered.swap(k, k + 10);
    }
    let mut r = Replayer::from(reordered);
    assert!(r.seek(end).diagnostics().out_of_order > 0);
    // Strict mode names the first problem.
    let broken: Vec<Event> = events
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 200)
        .map(|(_, e)| e.clone())
        .collect();
    let strict = Replayer::new_strict(broken, ReplayConfig::default());
    if let Err(e) = strict {
        assert!(e.event_index() > 0);
    }
}

#[test]
fn duplicate_snapshots_and_detached_iframes() {
    // dialog-playback carries three full snapshots.
    let events = rrweb::read(
        &read("rrweb-fixtures/dialog-playback.json"),
        &Limits::DEFAULT,
    )
    .unwrap();
    let mut r = Replayer::from(events);
    let (_, end) = r.time_range().unwrap();
    assert_eq!(r.seek(end).diagnostics().full_snapshots, 3);
    // The same snapshot twice in a row: the second replaces the first.
    let mut login = rrweb::read(&read("corpus/login.raw.json"), &Limits::DEFAULT).unwrap();
    let snap = login[3].clone();
    login.insert(4, snap);
    let mut r = Replayer::from(login);
    let (_, end) = r.time_range().unwrap();
    let s = r.seek(end);
    assert_eq!(s.diagnostics().problems(), 0);
    assert_eq!(s.node_count(), 278);
    // An iframe detached mid-stream: its document goes; later references are counted.
    let mut iframe = rrweb::read(&read("rrweb-fixtures/iframe.json"), &Limits::DEFAULT).unwrap();
    let t = iframe.last().unwrap().timestamp.0;
    let detach = format!(
        r#"[{{"type":3,"data":{{"source":0,"texts":[],"attributes":[],"removes":[{{"parentId":5,"id":6}}],"adds":[]}},"timestamp":{}}}]"#,
        t + 1
    );
    iframe.extend(rrweb::read(detach.as_bytes(), &Limits::DEFAULT).unwrap());
    let mut r = Replayer::from(iframe.clone());
    let before = r.seek(Timestamp(t)).node_count();
    let after = r.seek(Timestamp(t + 1));
    assert!(
        after.node_count() < before,
        "{before} -> {}",
        after.node_count()
    );
    assert!(!after.to_html().contains("iframe 1"));
}

/// Hashes of everything the pipeline outputs for the corpus: encoded bytes, state hashes,
/// scrubbed JSON. Printed by a child process.
fn pipeline_digest() -> String {
    let mut out = String::new();
    for name in ["login", "todo", "feed"] {
        let events =
            rrweb::read(&read(&format!("corpus/{name}.raw.json")), &Limits::DEFAULT).unwrap();
        let bin = codec::encode(&events, EncoderConfig::default());
        let mut r = Replayer::from(events.clone());
        let (start, end) = r.time_range().unwrap();
        let mid = r.seek(Timestamp((start.0 + end.0) / 2)).hash();
        let fin = r.seek(end).hash();
        let (scrubbed, _) = scrub(events, &Policy::balanced());
        let json = rrweb::write_events(&scrubbed);
        out.push_str(&format!(
            "{name} {:x} {mid:x} {fin:x} {:x}\n",
            fnv(&bin),
            fnv(&json)
        ));
    }
    out
}

fn fnv(b: &[u8]) -> u64 {
    b.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &x| {
        (h ^ u64::from(x)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[test]
#[ignore = "run by same_outputs_in_two_processes in a child process"]
fn print_pipeline_digest() {
    println!("DIGEST-BEGIN\n{}DIGEST-END", pipeline_digest());
}

#[test]
fn same_outputs_in_two_processes() {
    let here = pipeline_digest();
    let exe = std::env::current_exe().unwrap();
    let run = || {
        let out = std::process::Command::new(&exe)
            .args([
                "--ignored",
                "--exact",
                "print_pipeline_digest",
                "--nocapture",
                "--test-threads",
                "1",
            ])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let start = text.find("DIGEST-BEGIN\n").expect("child printed a digest") + 13;
        let end = text.find("DIGEST-END").unwrap();
        text[start..end].to_owned()
    };
    let (a, b) = (run(), run());
    assert_eq!(a, b, "two processes");
    assert_eq!(a, here, "child and parent");
}

#[test]
fn limits_have_documented_defaults() {
    let l = Limits::default();
    assert_eq!(l.json_depth, 512);
    assert_eq!(l.nodes, 1_000_000);
    assert_eq!(l.string_len, 32 << 20);
    assert_eq!(l.input_bytes, 1 << 30);
    assert_eq!(l.pending_adds, 100_000);
    assert_eq!(l.chunk_bytes, 64 << 20);
    assert_eq!(l.events_per_chunk, 1_000_000);
}

/// Fuzz regression (scrub target, timeout): an add that names the node as its own
/// parent made the scrubber's node mirror cyclic, and re-evaluating masking after an
/// attribute change then looped forever.
#[test]
fn fuzz_regression_self_parented_add_does_not_hang_the_scrubber() {
    let json = br#"[
      {"type":2,"data":{"node":{"type":0,"childNodes":[{"type":2,"tagName":"html","attributes":{},"childNodes":[],"id":2}],"id":1},"initialOffset":{"top":0,"left":0}},"timestamp":1},
      {"type":3,"data":{"source":0,"texts":[],"attributes":[],"removes":[],"adds":[{"parentId":5,"nextId":null,"node":{"type":2,"tagName":"div","attributes":{},"childNodes":[],"id":5}},{"parentId":5,"nextId":null,"node":{"type":2,"tagName":"span","attributes":{},"childNodes":[],"id":6}}]},"timestamp":2},
      {"type":3,"data":{"source":0,"texts":[],"attributes":[{"id":5,"attributes":{"class":"rr-mask"}}],"removes":[],"adds":[]},"timestamp":3}
    ]"#;
    let events = rrweb::read(json, &Limits::DEFAULT).unwrap();
    for policy in [Policy::private(), Policy::balanced()] {
        let (out, _) = scrub(events.clone(), &policy);
        assert_eq!(out.len(), 3);
        let _ = Replayer::from(out);
    }
}

/// Fuzz regression (scrub_json target): the streaming scanner read `00` as the number 0
/// and reported a wrong type, where serde_json (the typed path) reports an invalid
/// number. Both paths must give the same error for a leading zero anywhere.
#[test]
fn fuzz_regression_leading_zeros_fail_alike_on_both_paths() {
    let cases: [&[u8]; 4] = [
        br#"[00},"timestamp":1795971114826}]"#,
        br#"[{"type":3,"data":{"source":01,"positions":[]},"timestamp":5}]"#,
        br#"[{"type":4,"data":{"href":"x","width":1,"height":1},"timestamp":-01}]"#,
        br#"[{"type":3,"data":{"source":1,"positions":[{"x":00.5,"y":1,"id":1,"timeOffset":0}]},"timestamp":5}]"#,
    ];
    for json in cases {
        let typed = rrweb::read(json, &Limits::DEFAULT).unwrap_err().to_string();
        assert!(typed.contains("invalid number"), "{typed}");
        for policy in [Policy::private(), Policy::relaxed()] {
            let streamed =
                session_replay::privacy::scrub_rrweb_json(json, &policy, &Limits::default())
                    .unwrap_err()
                    .to_string();
            assert_eq!(streamed, typed);
        }
    }
}
