//! Structured inputs for the fuzz targets: event sequences built from fuzzer bytes with a
//! small id space, so that mutations, inputs and scrolls hit nodes that exist (and some
//! that do not).

use arbitrary::{Result, Unstructured};
use session_replay::model::*;

const TAGS: [&str; 12] = [
    "div", "span", "input", "textarea", "select", "option", "iframe", "style", "script", "a",
    "img", "p",
];
const ATTRS: [&str; 14] = [
    "class",
    "id",
    "type",
    "value",
    "href",
    "src",
    "title",
    "data-x",
    "style",
    "checked",
    "autocomplete",
    "rr_width",
    "srcset",
    "_cssText",
];
const CLASSES: [&str; 6] = ["rr-block", "rr-mask", "rr-ignore", "a", "fs-unmask", "x y"];

fn id(u: &mut Unstructured) -> Result<NodeId> {
    Ok(NodeId(i32::from(u.int_in_range(0u8..=40)?) - 2))
}

fn text(u: &mut Unstructured) -> Result<String> {
    let s: &str = u.arbitrary()?;
    Ok(s.chars().take(40).collect())
}

fn num(u: &mut Unstructured) -> Result<Num> {
    Ok(if u.arbitrary()? {
        Num::Int(i64::from(u.arbitrary::<i16>()?))
    } else {
        // Recordings hold finite numbers only (JSON has no NaN or infinity).
        let f = f64::from(u.arbitrary::<f32>()?);
        Num::Float(if f.is_finite() { f } else { 0.5 })
    })
}

fn attr(u: &mut Unstructured) -> Result<Attribute> {
    let name = (*u.choose(&ATTRS)?).to_owned();
    let value = match u.int_in_range(0u8..=5)? {
        0 => AttrValue::Removed,
        1 => AttrValue::Str((*u.choose(&CLASSES)?).to_owned()),
        2 => AttrValue::Num(num(u)?),
        3 => AttrValue::StyleDiff(vec![
            ("color".into(), StyleChange::Set(text(u)?)),
            ("top".into(), StyleChange::Remove),
        ]),
        _ => AttrValue::Str(text(u)?),
    };
    Ok(Attribute { name, value })
}

fn node(u: &mut Unstructured, nid: NodeId) -> Result<SerializedNode> {
    let kind = match u.int_in_range(0u8..=6)? {
        0 => NodeKind::Document { compat_mode: None },
        1 => NodeKind::DocumentType {
            name: "html".into(),
            public_id: String::new(),
            system_id: String::new(),
        },
        2 | 3 | 4 => NodeKind::Element {
            tag: (*u.choose(&TAGS)?).to_owned(),
            attributes: (0..u.int_in_range(0u8..=3)?)
                .map(|_| attr(u))
                .collect::<Result<_>>()?,
            is_svg: None,
            need_block: None,
            is_custom: None,
        },
        5 => NodeKind::Comment { text: text(u)? },
        _ => NodeKind::Text {
            text: text(u)?,
            is_style: None,
        },
    };
    Ok(SerializedNode {
        id: nid,
        kind,
        root_id: if u.ratio(1u8, 10)? {
            Some(id(u)?)
        } else {
            None
        },
        is_shadow_host: None,
        is_shadow: if u.ratio(1u8, 8)? { Some(true) } else { None },
        shape: NodeShape::CHILD_LIST,
        extra: Vec::new(),
    })
}

fn tree(u: &mut Unstructured) -> Result<NodeTree> {
    // Pre-order, as the model's trees are: each node's parent is the previous node or
    // one of its ancestors.
    let n = u.int_in_range(1u8..=6)?;
    let mut nodes = Vec::new();
    let mut ancestors: Vec<u32> = Vec::new();
    for i in 0..n {
        let parent = if i == 0 {
            None
        } else {
            let keep = u.int_in_range(1..=ancestors.len())?;
            ancestors.truncate(keep);
            ancestors.last().copied()
        };
        ancestors.push(u32::from(i));
        let nid = id(u)?;
        nodes.push(TreeNode {
            parent,
            node: node(u, nid)?,
        });
    }
    Ok(NodeTree { nodes })
}

fn event(u: &mut Unstructured, t: &mut i64) -> Result<Event> {
    *t += i64::from(u.int_in_range(0u16..=3000)?) - 200;
    let inc = |i: Incremental| EventKind::Incremental(i);
    let kind = match u.int_in_range(0u8..=12)? {
        0 => EventKind::FullSnapshot(FullSnapshot {
            tree: tree(u)?,
            initial_offset: ScrollOffset::default(),
            extra: Vec::new(),
        }),
        1 => EventKind::Meta(Meta {
            href: text(u)?,
            width: num(u)?,
            height: num(u)?,
            extra: Vec::new(),
        }),
        2 | 3 | 4 => inc(Incremental::Mutation(Mutation {
            removes: (0..u.int_in_range(0u8..=2)?)
                .map(|_| {
                    Ok(Removal {
                        parent_id: id(u)?,
                        id: id(u)?,
                        is_shadow: None,
                        extra: Vec::new(),
                    })
                })
                .collect::<Result<_>>()?,
            adds: (0..u.int_in_range(0u8..=3)?)
                .map(|_| {
                    Ok(Addition {
                        parent_id: id(u)?,
                        next_id: if u.arbitrary()? { Some(id(u)?) } else { None },
                        previous_id: None,
                        node: tree(u)?,
                        extra: Vec::new(),
                    })
                })
                .collect::<Result<_>>()?,
            texts: (0..u.int_in_range(0u8..=2)?)
                .map(|_| {
                    Ok(TextChange {
                        id: id(u)?,
                        value: Some(text(u)?),
                        extra: Vec::new(),
                    })
                })
                .collect::<Result<_>>()?,
            attributes: (0..u.int_in_range(0u8..=2)?)
                .map(|_| {
                    Ok(AttributeChange {
                        id: id(u)?,
                        attributes: (0..2).map(|_| attr(u)).collect::<Result<_>>()?,
                        extra: Vec::new(),
                    })
                })
                .collect::<Result<_>>()?,
            is_attach_iframe: None,
            extra: Vec::new(),
        })),
        5 => inc(Incremental::Input(Input {
            id: id(u)?,
            text: text(u)?,
            is_checked: u.arbitrary()?,
            user_triggered: None,
            extra: Vec::new(),
        })),
        6 => inc(Incremental::Scroll(Scroll {
            id: id(u)?,
            x: num(u)?,
            y: num(u)?,
            extra: Vec::new(),
        })),
        7 => inc(Incremental::Moves(PointerMoves {
            source: MoveSource::Mouse,
            positions: (0..u.int_in_range(0u8..=3)?)
                .map(|_| {
                    Ok(Position {
                        x: num(u)?,
                        y: num(u)?,
                        id: id(u)?,
                        time_offset: Num::Int(-i64::from(u.arbitrary::<u8>()?)),
                        extra: Vec::new(),
                    })
                })
                .collect::<Result<_>>()?,
            extra: Vec::new(),
        })),
        8 => inc(Incremental::MouseInteraction(MouseInteraction {
            kind: MouseInteractionKind::from_code(i64::from(u.int_in_range(0u8..=11)?)),
            id: id(u)?,
            x: Some(num(u)?),
            y: None,
            pointer_type: None,
            extra: Vec::new(),
        })),
        9 => inc(Incremental::StyleSheetRule(StyleSheetRule {
            id: Some(id(u)?),
            adds: Some(vec![RuleInsertion {
                rule: text(u)?,
                index: Some(RuleIndex::Nested(vec![i64::from(u.arbitrary::<i8>()?), 0])),
                extra: Vec::new(),
            }]),
            removes: Some(vec![RuleRemoval {
                index: RuleIndex::Flat(i64::from(u.arbitrary::<i8>()?)),
                extra: Vec::new(),
            }]),
            ..StyleSheetRule::default()
        })),
        10 => inc(Incremental::MediaInteraction(MediaInteraction {
            kind: MediaInteractionKind::from_code(i64::from(u.int_in_range(0u8..=4)?)),
            id: id(u)?,
            current_time: Some(num(u)?),
            volume: None,
            muted: None,
            looping: None,
            playback_rate: Some(num(u)?),
            extra: Vec::new(),
        })),
        11 => EventKind::Custom(Tagged {
            name: text(u)?,
            payload: Json::Str(text(u)?),
            extra: Vec::new(),
        }),
        _ => inc(Incremental::ViewportResize(ViewportResize {
            width: num(u)?,
            height: num(u)?,
            extra: Vec::new(),
        })),
    };
    Ok(Event {
        timestamp: Timestamp(*t),
        kind,
        extra: Vec::new(),
    })
}

/// A sequence of up to 64 events.
pub fn events(u: &mut Unstructured) -> Result<Vec<Event>> {
    let mut t = 1_000_000;
    let n = u.int_in_range(0u8..=64)?;
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(event(u, &mut t)?);
    }
    Ok(out)
}
