//! Masking bars: the corpus login canaries, a hard page of our own with secrets in
//! every place, tree shape preserved through scrubbing, and a proptest that no secret
//! planted in a masked region reaches the output.

mod common;

use common::read;
use proptest::prelude::*;
use serde_json::Value;
use session_replay::model::*;
use session_replay::privacy::*;
use session_replay::replay::Replayer;
use session_replay::{Limits, rrweb};

fn scrub_json(bytes: &[u8], policy: &Policy) -> (String, ScrubReport) {
    let (out, report) = scrub_rrweb_json(bytes, policy, &Limits::default()).unwrap();
    (String::from_utf8(out).unwrap(), report)
}

#[test]
fn login_canaries_never_survive_the_default_policy() {
    let raw = read("corpus/login.raw.json");
    let canaries: Value = serde_json::from_slice(&read("corpus/canaries.json")).unwrap();
    let raw_text = String::from_utf8_lossy(&raw).to_string();
    let (out, report) = scrub_json(&raw, &Policy::default());
    let mut checked = 0;
    for c in canaries["canaries"].as_array().unwrap() {
        let v = c["value"].as_str().unwrap();
        assert!(raw_text.contains(v), "the raw stream has {}", c["id"]);
        assert!(!out.contains(v), "{} leaked", c["id"]);
        // Not even a prefix typed so far (each keystroke carries the partial value).
        for len in 4..v.len() {
            assert!(
                !out.contains(&v[..len]),
                "{} prefix of {len} leaked",
                c["id"]
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 3);
    // Every input event carries either nothing or the fixed mask: no lengths leak.
    let events = rrweb::read(out.as_bytes(), &Limits::DEFAULT).unwrap();
    for e in &events {
        if let EventKind::Incremental(Incremental::Input(i)) = &e.kind {
            assert!(i.text.is_empty() || i.text == MASKED_INPUT, "{:?}", i.text);
            assert!(!i.is_checked, "checked state is masked under private");
        }
    }
    assert!(report.count_at(&ScrubPlace::InputEvent) >= 60, "{report}");
    // The report holds counts, never values.
    let shown = report.to_string();
    assert!(!shown.contains("jane") && !shown.contains("Canary"));
}

/// Every secret planted on the hard page (tests/data/pages/hard-page.json).
const STRUCTURED: [&str; 20] = [
    "jane.doe@example.com",
    "9fT2xQ7LmZ4pR8vW1yB6nC3s",
    "eyJhbGciOiJIUzI1NiJ9",
    "123-45-6789",
    "4111 1111 1111 1111",
    "4111111111111111",
    "GB82 WEST 1234 5698 7654 32",
    "415 555 0134",
    "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
    "AKIAIOSFODNN7EXAMPLE",
    "STYLETOKEN42",
    "CSSSIG777",
    "IMGSIG999",
    "SRCSETTOKEN1",
    "RESETTOKEN55",
    "IFRAMETOKEN3",
    "STYLEDIFFTOKEN",
    "RULETOKEN8",
    "Hunter2Secret",
    "HIDDENCSRF0099887766",
];

const UNSTRUCTURED: [&str; 16] = [
    "Jane Doe",
    "TEXTAREASECRET",
    "TEXTAREATYPED",
    "BLOCKEDATTR",
    "BLOCKEDTEXT",
    "PRIVATEMARKERTEXT",
    "SHADOWSECRET",
    "IFRAMESECRET",
    "CONTENTEDITABLESECRET",
    "LATERTITLE",
    "LATERPRIVATETEXT",
    "LATERBLOCKEDTEXT",
    "MOVEDINTOPRIVATE",
    "MASKEDLATERTEXT",
    "ATTRLATER",
    "order 5512",
];

#[test]
fn hard_page_private_leaks_nothing() {
    let raw = read("pages/hard-page.json");
    let raw_text = String::from_utf8_lossy(&raw).to_string();
    let (out, report) = scrub_json(&raw, &Policy::private());
    for s in STRUCTURED.iter().chain(UNSTRUCTURED.iter()) {
        assert!(raw_text.contains(s), "planted: {s}");
        assert!(!out.contains(s), "private leaked {s:?}\n{out}");
    }
    // Not one input value or checked answer.
    let events = rrweb::read(out.as_bytes(), &Limits::DEFAULT).unwrap();
    for e in &events {
        if let EventKind::Incremental(Incremental::Input(i)) = &e.kind {
            assert!(i.text.is_empty() || i.text == MASKED_INPUT);
            assert!(!i.is_checked);
        }
    }
    // The radio's snapshot `checked` and the option's `selected` are gone too.
    let EventKind::FullSnapshot(s) = &events[1].kind else {
        panic!()
    };
    let radio = s.tree.iter().find(|n| n.id == NodeId(22)).unwrap();
    assert!(radio.attribute("checked").is_none());
    let option = s.tree.iter().find(|n| n.id == NodeId(27)).unwrap();
    assert!(option.attribute("selected").is_none());
    // The blocked element keeps its size, loses its children and other attributes.
    let blocked = s.tree.iter().find(|n| n.id == NodeId(29)).unwrap();
    assert_eq!(blocked.attribute("rr_width").as_deref(), Some("300px"));
    assert!(blocked.attribute("data-secret").is_none());
    assert!(s.tree.iter().all(|n| n.id != NodeId(30)));
    assert!(report.count(ScrubAction::ElementBlocked) >= 1, "{report}");
}

#[test]
fn hard_page_balanced_removes_structured_secrets_keeps_text() {
    let raw = read("pages/hard-page.json");
    let (out, _) = scrub_json(&raw, &Policy::balanced());
    for s in STRUCTURED {
        assert!(!out.contains(s), "balanced leaked {s:?}");
    }
    // Vendor markers, blocks, inputs and later masks hold under every preset.
    for s in [
        "BLOCKEDTEXT",
        "BLOCKEDATTR",
        "PRIVATEMARKERTEXT",
        "LATERPRIVATETEXT",
        "LATERBLOCKEDTEXT",
        "MOVEDINTOPRIVATE",
        "MASKEDLATERTEXT",
        "TEXTAREASECRET",
        "TEXTAREATYPED",
        "order 5512",
    ] {
        assert!(!out.contains(s), "balanced leaked {s:?}");
    }
    for kept in [
        "Your orders",
        "Reset password",
        "Buy milk",
        "Draft:",
        "CONTENTEDITABLESECRET",
    ] {
        assert!(out.contains(kept), "balanced should keep {kept:?}");
    }
    let (relaxed, _) = scrub_json(&raw, &Policy::relaxed());
    for s in STRUCTURED {
        assert!(!relaxed.contains(s), "relaxed leaked {s:?}");
    }
    assert!(
        relaxed.contains("Photo of Jane Doe"),
        "relaxed keeps plain attributes"
    );
}

#[test]
fn allow_listing_never_unmasks_passwords() {
    let raw = read("pages/hard-page.json");
    let policy = Policy::private()
        .allow_input("#search, #pw, #cc")
        .unwrap()
        .unmask("body")
        .unwrap();
    let (out, _) = scrub_json(&raw, &policy);
    assert!(
        out.contains("order 5512"),
        "the allow-listed search field is recorded"
    );
    assert!(
        !out.contains("Hunter2Secret"),
        "password, even after type=text"
    );
    assert!(!out.contains("4111111111111111"), "cc-number field");
    assert!(out.contains("Your orders"), "unmasked text");
    assert!(
        !out.contains("PRIVATEMARKERTEXT"),
        "an unmask cannot undo a vendor mask"
    );
}

#[test]
fn custom_mask_function_and_hidden_lengths() {
    let raw = read("pages/hard-page.json");
    let policy = Policy::private()
        .with_text_lengths(TextLengths::Hidden)
        .with_mask_fn(std::sync::Arc::new(|t, _v| match t {
            MaskTarget::InputValue { .. } => Some("[redacted]".to_owned()),
            _ => None,
        }));
    let (out, _) = scrub_json(&raw, &policy);
    assert!(out.contains("[redacted]"));
    assert!(out.contains(r#""textContent":"***""#));
}

fn shape(events: Vec<Event>) -> Vec<(Option<String>, usize)> {
    let mut r = Replayer::from(events);
    let (_, end) = r.time_range().unwrap();
    let s = r.seek(end);
    let dom = s.dom();
    dom.root()
        .unwrap()
        .descendants()
        .map(|n| (n.tag().map(str::to_owned), n.children().count()))
        .collect()
}

#[test]
fn scrubbed_streams_replay_to_the_same_tree_shape() {
    for name in ["login", "todo", "feed"] {
        let events =
            rrweb::read(&read(&format!("corpus/{name}.raw.json")), &Limits::DEFAULT).unwrap();
        let raw_shape = shape(events.clone());
        for policy in [Policy::private(), Policy::balanced(), Policy::relaxed()] {
            let (scrubbed, _) = scrub(events.clone(), &policy);
            assert_eq!(scrubbed.len(), events.len(), "{name}: no event dropped");
            assert_eq!(
                shape(scrubbed),
                raw_shape,
                "{name} under {:?}",
                policy.preset_kind()
            );
        }
    }
}

#[test]
fn balanced_keeps_the_todo_items_and_headings() {
    let events = rrweb::read(&read("corpus/todo.raw.json"), &Limits::DEFAULT).unwrap();
    let text = |evs: Vec<Event>| {
        let mut r = Replayer::from(evs);
        let (_, end) = r.time_range().unwrap();
        let s = r.seek(end);
        s.dom()
            .root()
            .unwrap()
            .descendants()
            .filter(|n| n.parent().and_then(|p| p.tag()) != Some("script"))
            .filter_map(|n| n.text().map(str::to_owned))
            .collect::<Vec<_>>()
    };
    let (balanced, _) = scrub(events.clone(), &Policy::balanced());
    assert_eq!(text(balanced), text(events.clone()));
    let (private, _) = scrub(events.clone(), &Policy::private());
    let private_text = text(private).join("");
    assert!(!private_text.contains("Buy") && private_text.contains('*'));
}

#[test]
fn consent_gate_and_gpc() {
    let mut gpc: ConsentGate<u32> = ConsentGate::new(PrivacySignal::GlobalPrivacyControl);
    assert!(!gpc.grant(), "Global Privacy Control means no consent");
    assert!(!gpc.push(1));
    let mut gate: ConsentGate<u32> = ConsentGate::new(PrivacySignal::Absent);
    assert_eq!(gate.consent(), Consent::None);
    gate.grant();
    gate.push(1);
    gate.push(2);
    assert_eq!(gate.take(), vec![1, 2]);
    gate.push(3);
    gate.withdraw();
    assert!(gate.take().is_empty());
    assert!(!gate.grant(), "withdrawn stays withdrawn");
    assert_eq!(gate.dropped(), 1);
}

// ---- proptest: no secret planted in a masked region reaches the output ----

const SECRET: &str = "ZQXSECRET";

#[derive(Debug, Clone)]
enum Op {
    AddElement { parent: usize, marker: usize },
    AddText { parent: usize },
    SetText { target: usize },
    SetAttr { target: usize, marker: usize },
    Move { node: usize, parent: usize },
    Remove { node: usize },
    Type { field: usize },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (any::<usize>(), 0usize..6).prop_map(|(parent, marker)| Op::AddElement { parent, marker }),
        any::<usize>().prop_map(|parent| Op::AddText { parent }),
        any::<usize>().prop_map(|target| Op::SetText { target }),
        (any::<usize>(), 0usize..6).prop_map(|(target, marker)| Op::SetAttr { target, marker }),
        (any::<usize>(), any::<usize>()).prop_map(|(node, parent)| Op::Move { node, parent }),
        any::<usize>().prop_map(|node| Op::Remove { node }),
        any::<usize>().prop_map(|field| Op::Type { field }),
    ]
}

/// Marker attributes: plain, private-marked, blocked, shadow host, and so on.
fn marker_attrs(marker: usize, n: usize) -> Vec<(String, String)> {
    match marker {
        0 => vec![("class".into(), format!("c{n}"))],
        1 => vec![
            ("class".into(), "rr-mask".into()),
            ("title".into(), format!("{SECRET}title{n}")),
        ],
        2 => vec![
            ("data-private".into(), String::new()),
            ("data-x".into(), format!("{SECRET}data{n}")),
        ],
        3 => vec![
            ("class".into(), "rr-block".into()),
            ("alt".into(), format!("{SECRET}alt{n}")),
        ],
        4 => vec![("type".into(), "password".into())],
        _ => vec![("data-dd-privacy".into(), "mask".into())],
    }
}

fn masked_marker(marker: usize) -> bool {
    matches!(marker, 1 | 2 | 3 | 5)
}

fn el(id: i32, tag: &str, attrs: Vec<(String, String)>, is_shadow: bool) -> SerializedNode {
    SerializedNode {
        id: NodeId(id),
        kind: NodeKind::Element {
            tag: tag.into(),
            attributes: attrs
                .into_iter()
                .map(|(name, v)| Attribute {
                    name,
                    value: AttrValue::Str(v),
                })
                .collect(),
            is_svg: None,
            need_block: None,
            is_custom: None,
        },
        root_id: None,
        is_shadow_host: None,
        is_shadow: is_shadow.then_some(true),
        shape: NodeShape::CHILD_LIST,
        extra: Vec::new(),
    }
}

fn text(id: i32, t: &str) -> SerializedNode {
    SerializedNode {
        id: NodeId(id),
        kind: NodeKind::Text {
            text: t.into(),
            is_style: None,
        },
        root_id: None,
        is_shadow_host: None,
        is_shadow: None,
        shape: NodeShape::empty(),
        extra: Vec::new(),
    }
}

fn mutation(m: Mutation, t: i64) -> Event {
    Event {
        timestamp: Timestamp(t),
        kind: EventKind::Incremental(Incremental::Mutation(m)),
        extra: Vec::new(),
    }
}

/// Builds a stream from the ops. Secrets go only where the policy must mask them (under
/// a masking marker, into inputs, into attributes that are always masked); visible
/// regions get only plain words. Returns the events.
fn build(ops: &[Op]) -> Vec<Event> {
    // Mirror: id -> (parent, masked region?, is input)
    let mut nodes: Vec<(i32, i32, bool, bool, bool)> = vec![]; // (id, parent, element, masked, input)
    let base = NodeTree {
        nodes: vec![
            TreeNode {
                parent: None,
                node: SerializedNode {
                    id: NodeId(1),
                    kind: NodeKind::Document { compat_mode: None },
                    root_id: None,
                    is_shadow_host: None,
                    is_shadow: None,
                    shape: NodeShape::CHILD_LIST,
                    extra: vec![],
                },
            },
            TreeNode {
                parent: Some(0),
                node: el(2, "html", vec![], false),
            },
            TreeNode {
                parent: Some(1),
                node: el(3, "body", vec![], false),
            },
        ],
    };
    nodes.push((3, 2, true, false, false));
    let mut events = vec![Event {
        timestamp: Timestamp(0),
        kind: EventKind::FullSnapshot(FullSnapshot {
            tree: base,
            initial_offset: ScrollOffset::default(),
            extra: vec![],
        }),
        extra: vec![],
    }];
    let mut next_id = 10;
    let mut t = 1;
    for op in ops {
        t += 1;
        let elements: Vec<(i32, bool)> = nodes
            .iter()
            .filter(|n| n.2 && !n.4)
            .map(|n| (n.0, n.3))
            .collect();
        match op {
            Op::AddElement { parent, marker } => {
                let (p, pm) = elements[parent % elements.len()];
                let id = next_id;
                next_id += 1;
                let is_input = *marker == 4;
                let tag = if is_input { "input" } else { "div" };
                let shadow = id % 5 == 0;
                events.push(mutation(
                    Mutation {
                        adds: vec![Addition {
                            parent_id: NodeId(p),
                            next_id: None,
                            previous_id: None,
                            node: NodeTree::single(el(
                                id,
                                tag,
                                marker_attrs(*marker, id as usize),
                                shadow,
                            )),
                            extra: vec![],
                        }],
                        ..Mutation::default()
                    },
                    t,
                ));
                nodes.push((id, p, true, pm || masked_marker(*marker), is_input));
            }
            Op::AddText { parent } => {
                let (p, pm) = elements[parent % elements.len()];
                let id = next_id;
                next_id += 1;
                let content = if pm {
                    format!("{SECRET} text {id}")
                } else {
                    format!("plain words {id}")
                };
                events.push(mutation(
                    Mutation {
                        adds: vec![Addition {
                            parent_id: NodeId(p),
                            next_id: None,
                            previous_id: None,
                            node: NodeTree::single(text(id, &content)),
                            extra: vec![],
                        }],
                        ..Mutation::default()
                    },
                    t,
                ));
                nodes.push((id, p, false, pm, false));
            }
            Op::SetText { target } => {
                let texts: Vec<(i32, bool)> =
                    nodes.iter().filter(|n| !n.2).map(|n| (n.0, n.3)).collect();
                if texts.is_empty() {
                    continue;
                }
                let (id, m) = texts[target % texts.len()];
                let value = if m {
                    format!("{SECRET} edit")
                } else {
                    "plain edit".to_owned()
                };
                events.push(mutation(
                    Mutation {
                        texts: vec![TextChange {
                            id: NodeId(id),
                            value: Some(value),
                            extra: vec![],
                        }],
                        ..Mutation::default()
                    },
                    t,
                ));
            }
            Op::SetAttr { target, marker } => {
                let (id, m) = elements[target % elements.len()];
                if id == 3 || *marker == 4 {
                    continue;
                }
                // Escalating markers later: the subtree becomes masked from here on.
                let attrs = marker_attrs(*marker, id as usize);
                events.push(mutation(
                    Mutation {
                        attributes: vec![AttributeChange {
                            id: NodeId(id),
                            attributes: attrs
                                .into_iter()
                                .map(|(name, v)| Attribute {
                                    name,
                                    value: AttrValue::Str(v),
                                })
                                .collect(),
                            extra: vec![],
                        }],
                        ..Mutation::default()
                    },
                    t,
                ));
                if masked_marker(*marker) && !m {
                    // Mark the subtree masked for what comes next.
                    let mut stack = vec![id];
                    while let Some(x) = stack.pop() {
                        for n in nodes.iter_mut().filter(|n| n.1 == x) {
                            n.3 = true;
                            stack.push(n.0);
                        }
                        if let Some(n) = nodes.iter_mut().find(|n| n.0 == x) {
                            n.3 = true;
                        }
                    }
                }
            }
            Op::Move { node, parent } => {
                // Move a text node (re-added with its content, as rrweb does).
                let texts: Vec<(i32, i32)> =
                    nodes.iter().filter(|n| !n.2).map(|n| (n.0, n.1)).collect();
                if texts.is_empty() {
                    continue;
                }
                let (id, old_parent) = texts[node % texts.len()];
                let (p, pm) = elements[parent % elements.len()];
                let content = if pm {
                    format!("{SECRET} moved")
                } else {
                    "plain moved".to_owned()
                };
                events.push(mutation(
                    Mutation {
                        removes: vec![Removal {
                            parent_id: NodeId(old_parent),
                            id: NodeId(id),
                            is_shadow: None,
                            extra: vec![],
                        }],
                        adds: vec![Addition {
                            parent_id: NodeId(p),
                            next_id: None,
                            previous_id: None,
                            node: NodeTree::single(text(id, &content)),
                            extra: vec![],
                        }],
                        ..Mutation::default()
                    },
                    t,
                ));
                if let Some(n) = nodes.iter_mut().find(|n| n.0 == id) {
                    n.1 = p;
                    n.3 = pm;
                }
            }
            Op::Remove { node } => {
                let removable: Vec<(i32, i32)> = nodes
                    .iter()
                    .filter(|n| n.0 != 3)
                    .map(|n| (n.0, n.1))
                    .collect();
                if removable.is_empty() {
                    continue;
                }
                let (id, p) = removable[node % removable.len()];
                events.push(mutation(
                    Mutation {
                        removes: vec![Removal {
                            parent_id: NodeId(p),
                            id: NodeId(id),
                            is_shadow: None,
                            extra: vec![],
                        }],
                        ..Mutation::default()
                    },
                    t,
                ));
                let mut gone = vec![id];
                let mut i = 0;
                while i < gone.len() {
                    let x = gone[i];
                    gone.extend(nodes.iter().filter(|n| n.1 == x).map(|n| n.0));
                    i += 1;
                }
                nodes.retain(|n| !gone.contains(&n.0));
            }
            Op::Type { field } => {
                // Typing into any element: inputs are always masked, so the secret goes in.
                let all: Vec<i32> = nodes.iter().filter(|n| n.2).map(|n| n.0).collect();
                let id = all[field % all.len()];
                for k in 1..=SECRET.len() {
                    events.push(Event {
                        timestamp: Timestamp(t),
                        kind: EventKind::Incremental(Incremental::Input(Input {
                            id: NodeId(id),
                            text: SECRET[..k].to_owned(),
                            is_checked: true,
                            user_triggered: Some(true),
                            extra: vec![],
                        })),
                        extra: vec![],
                    });
                }
            }
        }
    }
    events
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn no_masked_secret_reaches_the_output(ops in prop::collection::vec(op(), 1..40), preset in 0usize..3) {
        let events = build(&ops);
        let policy = Policy::preset([Preset::Private, Preset::Balanced, Preset::Relaxed][preset]);
        let (out, report) = scrub(events.clone(), &policy);
        let json = rrweb::write_string(&out);
        // The streaming scrubber over the same stream as JSON: the same output and report.
        let (streamed, streamed_report) =
            scrub_rrweb_json(&rrweb::write_events(&events), &policy, &Limits::default()).unwrap();
        let streamed: Value = serde_json::from_slice(&streamed).unwrap();
        let typed: Value = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&streamed, &typed);
        prop_assert_eq!(&streamed_report, &report);
        // The secret, or any 4-character start of it, nowhere.
        prop_assert!(!json.contains(&SECRET[..4]), "leak under {:?}:\n{}", policy.preset_kind(), json);
        // And the scrubbed stream still replays without problems.
        let mut r = Replayer::from(out);
        let (_, end) = r.time_range().unwrap();
        prop_assert_eq!(r.seek(end).diagnostics().problems(), 0);
    }
}
