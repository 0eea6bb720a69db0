//! Drives a Recorder with what a browser glue layer would have observed during an
//! rrweb recording: the first full snapshot becomes the host tree (host keys are rrweb's
//! node ids), mutations become MutationObserver records, and pointer, scroll, viewport,
//! input and focus events become the recorder's calls at their original times.
#![allow(dead_code)]

use session_replay::model::*;
use session_replay::record::*;

fn host_kind(n: &SerializedNode) -> Option<HostKind> {
    Some(match &n.kind {
        NodeKind::Document { .. } => HostKind::Document,
        NodeKind::DocumentType { name, .. } => HostKind::Doctype { name: name.clone() },
        NodeKind::Element {
            tag, attributes, ..
        } => HostKind::Element {
            tag: tag.clone(),
            attributes: attributes
                .iter()
                .filter_map(|a| a.value.as_text().map(|v| (a.name.clone(), v.into_owned())))
                .collect(),
        },
        NodeKind::Text { text, .. } => HostKind::Text(text.clone()),
        NodeKind::Comment { text } | NodeKind::CData { text } => HostKind::Comment(text.clone()),
        NodeKind::Unknown { .. } => return None,
    })
}

pub fn host_tree(tree: &NodeTree) -> HostTree {
    let mut t = HostTree::default();
    let mut index = Vec::new();
    for tn in &tree.nodes {
        let Some(kind) = host_kind(&tn.node) else {
            index.push(None);
            continue;
        };
        let parent = tn
            .parent
            .and_then(|p| index.get(p as usize).copied().flatten());
        let i = t.push(tn.node.id.0 as u64, parent, kind);
        t.nodes[i].in_shadow = tn.node.is_shadow == Some(true);
        index.push(Some(i));
    }
    t
}

/// Feeds `events` to `rec`, returning how many recorder calls were made.
pub fn drive(rec: &mut Recorder, events: &[Event]) -> usize {
    let mut calls = 0;
    for e in events {
        let t = e.timestamp.0;
        rec.tick(t);
        match &e.kind {
            EventKind::Meta(m) => rec.page(&m.href, m.width.as_f64(), m.height.as_f64(), t),
            EventKind::FullSnapshot(s) => rec.snapshot(&host_tree(&s.tree), t),
            EventKind::Incremental(inc) => match inc {
                Incremental::Mutation(m) => {
                    let mut records = Vec::new();
                    for r in &m.removes {
                        records.push(MutationRecord::ChildList {
                            target: r.parent_id.0 as u64,
                            added: vec![],
                            removed: vec![r.id.0 as u64],
                            next_sibling: None,
                        });
                    }
                    for a in &m.adds {
                        records.push(MutationRecord::ChildList {
                            target: a.parent_id.0 as u64,
                            added: vec![host_tree(&a.node)],
                            removed: vec![],
                            next_sibling: a.next_id.map(|n| n.0 as u64),
                        });
                    }
                    for x in &m.texts {
                        records.push(MutationRecord::CharacterData {
                            target: x.id.0 as u64,
                            old_value: None,
                            value: x.value.clone().unwrap_or_default(),
                        });
                    }
                    for x in &m.attributes {
                        for a in &x.attributes {
                            records.push(MutationRecord::Attributes {
                                target: x.id.0 as u64,
                                name: a.name.clone(),
                                old_value: None,
                                value: a.value.as_text().map(|v| v.into_owned()),
                            });
                        }
                    }
                    rec.mutations(&records, t);
                }
                Incremental::Moves(m) => {
                    for p in &m.positions {
                        let at = t + p.time_offset.as_i64().unwrap_or(0);
                        rec.pointer_move(p.id.0 as u64, p.x.as_f64(), p.y.as_f64(), at);
                        calls += 1;
                    }
                    continue;
                }
                Incremental::MouseInteraction(i) => match i.kind {
                    MouseInteractionKind::Focus => rec.focus(i.id.0 as u64, t),
                    MouseInteractionKind::Blur => rec.blur(i.id.0 as u64, t),
                    k => rec.pointer_interaction(
                        k,
                        i.id.0 as u64,
                        i.x.map_or(0.0, Num::as_f64),
                        i.y.map_or(0.0, Num::as_f64),
                        t,
                    ),
                },
                Incremental::Scroll(s) => rec.scroll(s.id.0 as u64, s.x.as_f64(), s.y.as_f64(), t),
                Incremental::ViewportResize(v) => {
                    rec.viewport(v.width.as_f64(), v.height.as_f64(), t)
                }
                Incremental::Input(i) => rec.input(i.id.0 as u64, &i.text, i.is_checked, t),
                Incremental::Selection(s) => {
                    let ranges: Vec<(u64, i64, u64, i64)> = s
                        .ranges
                        .iter()
                        .map(|r| {
                            (
                                r.start.0 as u64,
                                r.start_offset.as_i64().unwrap_or(0),
                                r.end.0 as u64,
                                r.end_offset.as_i64().unwrap_or(0),
                            )
                        })
                        .collect();
                    rec.selection(&ranges, t)
                }
                _ => {}
            },
            _ => {}
        }
        calls += 1;
    }
    calls
}
