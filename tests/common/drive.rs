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

/// The host key of a node: the glue layer's keys are rrweb's node ids.
fn key(id: NodeId) -> HostKey {
    HostKey(id.0 as u64)
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
        let i = t.push(key(tn.node.id), parent, kind);
        t.nodes[i.0].in_shadow = tn.node.is_shadow == Some(true);
        index.push(Some(i));
    }
    t
}

/// Feeds `events` to `rec`, returning how many recorder calls were made.
pub fn drive(rec: &mut Recorder, events: &[Event]) -> usize {
    drive_with(rec, events, |_| {})
}

/// Feeds `events` to `rec` as [`drive`] does, calling `between` after every recorder
/// call (ticks included), where a host could hand the session off or drain output.
pub fn drive_with(
    rec: &mut Recorder,
    events: &[Event],
    mut between: impl FnMut(&mut Recorder),
) -> usize {
    let mut calls = 0;
    for e in events {
        let t = e.timestamp;
        rec.tick(t);
        between(rec);
        match &e.kind {
            EventKind::Meta(m) => rec.page(&m.href, m.width.as_f64(), m.height.as_f64(), t),
            EventKind::FullSnapshot(s) => rec.snapshot(&host_tree(&s.tree), t),
            EventKind::Incremental(inc) => match inc {
                Incremental::Mutation(m) => {
                    let mut records = Vec::new();
                    for r in &m.removes {
                        records.push(MutationRecord::ChildList {
                            target: key(r.parent_id),
                            added: vec![],
                            removed: vec![key(r.id)],
                            next_sibling: None,
                        });
                    }
                    for a in &m.adds {
                        records.push(MutationRecord::ChildList {
                            target: key(a.parent_id),
                            added: vec![host_tree(&a.node)],
                            removed: vec![],
                            next_sibling: a.next_id.map(key),
                        });
                    }
                    for x in &m.texts {
                        records.push(MutationRecord::CharacterData {
                            target: key(x.id),
                            old_value: None,
                            value: x.value.clone().unwrap_or_default(),
                        });
                    }
                    for x in &m.attributes {
                        for a in &x.attributes {
                            records.push(MutationRecord::Attributes {
                                target: key(x.id),
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
                        let at = t.saturating_add(Millis(p.time_offset.as_i64().unwrap_or(0)));
                        rec.pointer_move(key(p.id), p.x.as_f64(), p.y.as_f64(), at);
                        between(rec);
                        calls += 1;
                    }
                    continue;
                }
                Incremental::MouseInteraction(i) => match i.kind {
                    MouseInteractionKind::Focus => rec.focus(key(i.id), t),
                    MouseInteractionKind::Blur => rec.blur(key(i.id), t),
                    k => rec.pointer_interaction(
                        k,
                        key(i.id),
                        i.x.map_or(0.0, Num::as_f64),
                        i.y.map_or(0.0, Num::as_f64),
                        t,
                    ),
                },
                Incremental::Scroll(s) => rec.scroll(key(s.id), s.x.as_f64(), s.y.as_f64(), t),
                Incremental::ViewportResize(v) => {
                    rec.viewport(v.width.as_f64(), v.height.as_f64(), t)
                }
                Incremental::Input(i) => rec.input(key(i.id), &i.text, i.is_checked, t),
                Incremental::Selection(s) => {
                    let ranges: Vec<(HostKey, i64, HostKey, i64)> = s
                        .ranges
                        .iter()
                        .map(|r| {
                            (
                                key(r.start),
                                r.start_offset.as_i64().unwrap_or(0),
                                key(r.end),
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
        between(rec);
        calls += 1;
    }
    calls
}
