//! Property: any model value written as rrweb JSON reads back as the same value, and
//! writing it again gives the same bytes. Also: the model's bincode derive round-trips.

use proptest::prelude::*;
use session_replay::model::*;
use session_replay::{Limits, rrweb};

fn num() -> impl Strategy<Value = Num> {
    prop_oneof![
        any::<i64>().prop_map(Num::Int),
        (-1e6f64..1e6).prop_map(Num::Float),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Num::Float),
    ]
}

fn id() -> impl Strategy<Value = NodeId> {
    prop_oneof![1i32..5000, Just(-1), Just(-2), any::<i32>()].prop_map(NodeId)
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 ]{0,12}",
        any::<String>(),
        Just("\"\\\n\u{0}\u{1f}é😀".to_owned())
    ]
}

fn json_leaf() -> impl Strategy<Value = Json> {
    prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::Int),
        ((i64::MAX as u64 + 1)..=u64::MAX).prop_map(Json::UInt),
        (-1e9f64..1e9).prop_map(Json::Float),
        text().prop_map(Json::Str),
    ]
}

fn json() -> impl Strategy<Value = Json> {
    json_leaf().prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
            prop::collection::vec((text(), inner), 0..4).prop_map(Json::Object),
        ]
    })
}

fn extra() -> impl Strategy<Value = Extra> {
    prop::collection::vec(("x_[a-z]{1,4}", json()), 0..2)
}

fn attr_value() -> impl Strategy<Value = AttrValue> {
    let change = prop_oneof![
        text().prop_map(StyleChange::Set),
        (text(), text()).prop_map(|(v, p)| StyleChange::SetWithPriority(v, p)),
        Just(StyleChange::Remove),
    ];
    prop_oneof![
        4 => text().prop_map(AttrValue::Str),
        1 => num().prop_map(AttrValue::Num),
        1 => any::<bool>().prop_map(AttrValue::Bool),
        1 => Just(AttrValue::Removed),
        1 => prop::collection::vec(("[a-z-]{1,8}", change), 0..3).prop_map(AttrValue::StyleDiff),
        1 => prop::collection::vec(json(), 0..3).prop_map(|a| AttrValue::Other(Json::Array(a))),
    ]
}

fn attributes() -> impl Strategy<Value = Attributes> {
    prop::collection::vec(("[a-z_-]{1,10}", attr_value()), 0..4).prop_map(|v| {
        v.into_iter()
            .map(|(name, value)| Attribute { name, value })
            .collect()
    })
}

fn node_kind() -> impl Strategy<Value = NodeKind> {
    prop_oneof![
        prop::option::of("[A-Za-z0-9]{1,12}")
            .prop_map(|compat_mode| NodeKind::Document { compat_mode }),
        (text(), text(), text()).prop_map(|(name, public_id, system_id)| NodeKind::DocumentType {
            name,
            public_id,
            system_id
        }),
        (
            "[a-z][a-z0-9-]{0,8}",
            attributes(),
            prop::option::of(any::<bool>()),
            prop::option::of(any::<bool>()),
            prop::option::of(any::<bool>())
        )
            .prop_map(|(tag, attributes, is_svg, need_block, is_custom)| {
                NodeKind::Element {
                    tag,
                    attributes,
                    is_svg,
                    need_block,
                    is_custom,
                }
            }),
        (text(), prop::option::of(any::<bool>()))
            .prop_map(|(text, is_style)| NodeKind::Text { text, is_style }),
        text().prop_map(|text| NodeKind::CData { text }),
        text().prop_map(|text| NodeKind::Comment { text }),
        (6i64..100).prop_map(|type_code| NodeKind::Unknown { type_code }),
    ]
}

fn serialized_node() -> impl Strategy<Value = (SerializedNode, bool)> {
    (
        id(),
        node_kind(),
        prop::option::of(id()),
        prop::option::of(any::<bool>()),
        prop::option::of(any::<bool>()),
        any::<bool>(),
        any::<bool>(),
        extra(),
    )
        .prop_map(
            |(id, kind, root_id, is_shadow_host, is_shadow, child_list, no_attrs, extra)| {
                let mut shape = NodeShape::empty();
                if child_list {
                    shape |= NodeShape::CHILD_LIST;
                }
                if let NodeKind::Element { attributes, .. } = &kind
                    && no_attrs
                    && attributes.is_empty()
                {
                    shape |= NodeShape::NO_ATTRIBUTES;
                }
                (
                    SerializedNode {
                        id,
                        kind,
                        root_id,
                        is_shadow_host,
                        is_shadow,
                        shape,
                        extra,
                    },
                    child_list,
                )
            },
        )
}

/// A pre-order tree: each node's depth is at most one more than the previous node's.
fn tree() -> impl Strategy<Value = NodeTree> {
    prop::collection::vec((serialized_node(), 0u32..4), 1..12).prop_map(|items| {
        let mut nodes: Vec<TreeNode> = Vec::new();
        let mut ancestors: Vec<u32> = Vec::new();
        for (i, ((node, _), step)) in items.into_iter().enumerate() {
            if i == 0 {
                nodes.push(TreeNode { parent: None, node });
                ancestors.push(0);
                continue;
            }
            // step 0 = child of the previous node, else climb `step` levels first.
            let keep = ancestors.len().saturating_sub(step as usize).max(1);
            ancestors.truncate(keep);
            let parent = *ancestors.last().unwrap();
            nodes.push(TreeNode {
                parent: Some(parent),
                node,
            });
            ancestors.push(i as u32);
        }
        // A node with children must carry its child list.
        let has_kids: Vec<bool> = (0..nodes.len())
            .map(|i| nodes.iter().any(|n| n.parent == Some(i as u32)))
            .collect();
        for (n, kids) in nodes.iter_mut().zip(has_kids) {
            if kids {
                n.node.shape |= NodeShape::CHILD_LIST;
            }
        }
        NodeTree { nodes }
    })
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let text_change = (id(), prop::option::of(text()), extra())
        .prop_map(|(id, value, extra)| TextChange { id, value, extra });
    let attr_change =
        (id(), attributes(), extra()).prop_map(|(id, attributes, extra)| AttributeChange {
            id,
            attributes,
            extra,
        });
    let removal = (id(), id(), prop::option::of(any::<bool>()), extra()).prop_map(
        |(parent_id, id, is_shadow, extra)| Removal {
            parent_id,
            id,
            is_shadow,
            extra,
        },
    );
    let addition = (
        id(),
        prop::option::of(id()),
        prop::option::of(prop::option::of(id())),
        tree(),
        extra(),
    )
        .prop_map(|(parent_id, next_id, previous_id, node, extra)| Addition {
            parent_id,
            next_id,
            previous_id,
            node,
            extra,
        });
    (
        prop::collection::vec(text_change, 0..3),
        prop::collection::vec(attr_change, 0..3),
        prop::collection::vec(removal, 0..3),
        prop::collection::vec(addition, 0..3),
        prop::option::of(any::<bool>()),
        extra(),
    )
        .prop_map(
            |(texts, attributes, removes, adds, is_attach_iframe, extra)| Mutation {
                texts,
                attributes,
                removes,
                adds,
                is_attach_iframe,
                extra,
            },
        )
}

fn rule_index() -> impl Strategy<Value = RuleIndex> {
    prop_oneof![
        any::<i64>().prop_map(RuleIndex::Flat),
        prop::collection::vec(any::<i64>(), 0..3).prop_map(RuleIndex::Nested)
    ]
}

fn incremental() -> impl Strategy<Value = Incremental> {
    let position =
        (num(), num(), id(), num(), extra()).prop_map(|(x, y, id, time_offset, extra)| Position {
            x,
            y,
            id,
            time_offset,
            extra,
        });
    let moves = (
        prop_oneof![
            Just(MoveSource::Mouse),
            Just(MoveSource::Touch),
            Just(MoveSource::Drag)
        ],
        prop::collection::vec(position, 0..4),
        extra(),
    )
        .prop_map(|(source, positions, extra)| {
            Incremental::Moves(PointerMoves {
                source,
                positions,
                extra,
            })
        });
    let interaction = (
        0i64..14,
        id(),
        prop::option::of(num()),
        prop::option::of(num()),
        prop::option::of(0i64..5),
        extra(),
    )
        .prop_map(|(kind, id, x, y, pointer, extra)| {
            Incremental::MouseInteraction(MouseInteraction {
                kind: MouseInteractionKind::from_code(kind),
                id,
                x,
                y,
                pointer_type: pointer.map(PointerKind::from_code),
                extra,
            })
        });
    let scroll = (id(), num(), num(), extra())
        .prop_map(|(id, x, y, extra)| Incremental::Scroll(Scroll { id, x, y, extra }));
    let resize = (num(), num(), extra()).prop_map(|(width, height, extra)| {
        Incremental::ViewportResize(ViewportResize {
            width,
            height,
            extra,
        })
    });
    let input = (
        id(),
        text(),
        any::<bool>(),
        prop::option::of(any::<bool>()),
        extra(),
    )
        .prop_map(|(id, text, is_checked, user_triggered, extra)| {
            Incremental::Input(Input {
                id,
                text,
                is_checked,
                user_triggered,
                extra,
            })
        });
    let media = (
        0i64..7,
        id(),
        prop::option::of(num()),
        prop::option::of(num()),
        prop::option::of(any::<bool>()),
        prop::option::of(any::<bool>()),
        prop::option::of(num()),
        extra(),
    )
        .prop_map(
            |(kind, id, current_time, volume, muted, looping, playback_rate, extra)| {
                Incremental::MediaInteraction(MediaInteraction {
                    kind: MediaInteractionKind::from_code(kind),
                    id,
                    current_time,
                    volume,
                    muted,
                    looping,
                    playback_rate,
                    extra,
                })
            },
        );
    let removal = (rule_index(), extra()).prop_map(|(index, extra)| RuleRemoval { index, extra });
    let insertion = (text(), prop::option::of(rule_index()), extra())
        .prop_map(|(rule, index, extra)| RuleInsertion { rule, index, extra });
    let sheet = (
        prop::option::of(id()),
        prop::option::of(any::<i64>()),
        prop::option::of(prop::collection::vec(removal, 0..2)),
        prop::option::of(prop::collection::vec(insertion, 0..2)),
        prop::option::of(text()),
        prop::option::of(text()),
        extra(),
    )
        .prop_map(
            |(id, style_id, removes, adds, replace, replace_sync, extra)| {
                Incremental::StyleSheetRule(StyleSheetRule {
                    id,
                    style_id,
                    removes,
                    adds,
                    replace,
                    replace_sync,
                    extra,
                })
            },
        );
    let set = (
        text(),
        prop::option::of(text()),
        prop::option::of(text()),
        extra(),
    )
        .prop_map(|(property, value, priority, extra)| StyleSet {
            property,
            value,
            priority,
            extra,
        });
    let remove = (text(), extra()).prop_map(|(property, extra)| StyleRemove { property, extra });
    let decl = (
        prop::option::of(id()),
        prop::option::of(any::<i64>()),
        prop::collection::vec(any::<i64>(), 0..3),
        prop::option::of(set),
        prop::option::of(remove),
        extra(),
    )
        .prop_map(|(id, style_id, index, set, remove, extra)| {
            Incremental::StyleDeclaration(StyleDeclaration {
                id,
                style_id,
                index,
                set,
                remove,
                extra,
            })
        });
    let range = (id(), num(), id(), num(), extra()).prop_map(
        |(start, start_offset, end, end_offset, extra)| SelectionRange {
            start,
            start_offset,
            end,
            end_offset,
            extra,
        },
    );
    let selection = (prop::collection::vec(range, 0..3), extra())
        .prop_map(|(ranges, extra)| Incremental::Selection(Selection { ranges, extra }));
    let rule = (text(), prop::option::of(any::<i64>()), extra())
        .prop_map(|(rule, index, extra)| AdoptedRule { rule, index, extra });
    let style = (any::<i64>(), prop::collection::vec(rule, 0..3), extra()).prop_map(
        |(style_id, rules, extra)| AdoptedStyle {
            style_id,
            rules,
            extra,
        },
    );
    let adopted = (
        id(),
        prop::option::of(prop::collection::vec(style, 0..2)),
        prop::collection::vec(any::<i64>(), 0..3),
        extra(),
    )
        .prop_map(|(id, styles, style_ids, extra)| {
            Incremental::AdoptedStyleSheet(AdoptedStyleSheet {
                id,
                styles,
                style_ids,
                extra,
            })
        });
    let custom = (
        prop::option::of(
            (text(), extra()).prop_map(|(name, extra)| CustomElementDefine { name, extra }),
        ),
        extra(),
    )
        .prop_map(|(define, extra)| Incremental::CustomElement(CustomElement { define, extra }));
    let canvas = (id(), extra())
        .prop_map(|(id, fields)| Incremental::CanvasMutation(CanvasMutation { id, fields }));
    let font = (
        text(),
        text(),
        any::<bool>(),
        prop::option::of(json()),
        extra(),
    )
        .prop_map(|(family, font_source, buffer, descriptors, extra)| {
            Incremental::Font(Font {
                family,
                font_source,
                buffer,
                descriptors,
                extra,
            })
        });
    let unknown =
        (17i64..1000, extra()).prop_map(|(source, fields)| Incremental::Unknown { source, fields });
    prop_oneof![
        mutation().prop_map(Incremental::Mutation),
        moves,
        interaction,
        scroll,
        resize,
        input,
        media,
        sheet,
        canvas,
        font,
        extra().prop_map(Incremental::Log),
        decl,
        selection,
        adopted,
        custom,
        unknown,
    ]
}

fn event() -> impl Strategy<Value = Event> {
    let tagged = || {
        (text(), json(), extra()).prop_map(|(name, payload, extra)| Tagged {
            name,
            payload,
            extra,
        })
    };
    let kind = prop_oneof![
        prop::option::of(json()).prop_map(EventKind::DomContentLoaded),
        prop::option::of(json()).prop_map(EventKind::Load),
        (tree(), num(), num(), extra(), extra()).prop_map(|(tree, top, left, e1, e2)| {
            EventKind::FullSnapshot(FullSnapshot {
                tree,
                initial_offset: ScrollOffset {
                    top,
                    left,
                    extra: e1,
                },
                extra: e2,
            })
        }),
        incremental().prop_map(EventKind::Incremental),
        (text(), num(), num(), extra()).prop_map(|(href, width, height, extra)| EventKind::Meta(
            Meta {
                href,
                width,
                height,
                extra
            }
        )),
        tagged().prop_map(EventKind::Custom),
        tagged().prop_map(EventKind::Plugin),
        tagged().prop_map(EventKind::Asset),
        (8i64..1000, prop::option::of(json()))
            .prop_map(|(type_code, data)| EventKind::Unknown { type_code, data }),
    ];
    (any::<i64>(), kind, extra()).prop_map(|(t, kind, extra)| Event {
        timestamp: Timestamp(t),
        kind,
        extra,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn model_json_model_round_trip(events in prop::collection::vec(event(), 0..6)) {
        let json = rrweb::write_events(&events);
        let back = rrweb::read(&json, &Limits::DEFAULT).map_err(|e| TestCaseError::fail(format!("{e}\n{}", String::from_utf8_lossy(&json))))?;
        prop_assert_eq!(&back, &events);
        prop_assert_eq!(rrweb::write_events(&back), json);
    }

    #[test]
    fn bincode_round_trip(events in prop::collection::vec(event(), 0..6)) {
        let cfg = bincode::config::standard().with_limit::<{ 1 << 24 }>();
        let bytes = bincode::encode_to_vec(&events, cfg).unwrap();
        let (back, used): (Vec<Event>, usize) = bincode::decode_from_slice(&bytes, cfg).unwrap();
        prop_assert_eq!(used, bytes.len());
        prop_assert_eq!(back, events);
    }

    #[test]
    fn reading_arbitrary_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let rec = rrweb::read_recovering(&bytes, &Limits::DEFAULT);
        if rec.errors.is_empty() {
            // A clean read means the bytes were a JSON array of exactly those events.
            let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            prop_assert_eq!(v.as_array().map(Vec::len), Some(rec.events.len()));
        } else {
            prop_assert!(rec.events.is_empty() || bytes.len() > 2);
        }
    }
}
