//! A synthetic 3-hour session built from the todo stream's activity: its incremental
//! events repeated cycle after cycle with shifted timestamps and fresh ids for the nodes
//! each cycle creates. At the end of each cycle a mutation removes what the cycle added
//! and puts back the snapshot nodes it removed, so the page stays the size of the todo
//! page while the event count grows to ~450,000 with a single full snapshot at the start.
#![allow(dead_code)]

use std::collections::BTreeSet;

use session_replay::model::*;
use session_replay::replay::Replayer;

/// Builds a session of at least `duration_ms` from a recording that starts with one
/// full snapshot (such as `todo.raw.json`).
pub fn long_session(base: &[Event], duration_ms: i64) -> Vec<Event> {
    let snap_at = base
        .iter()
        .position(|e| matches!(e.kind, EventKind::FullSnapshot(_)))
        .expect("a full snapshot");
    let EventKind::FullSnapshot(snapshot) = &base[snap_at].kind else {
        unreachable!()
    };
    let snapshot_ids: BTreeSet<i32> = snapshot.tree.iter().map(|n| n.id.0).collect();
    let s_max = *snapshot_ids.iter().max().unwrap();
    let mut all_max = s_max;
    for e in base {
        e.clone()
            .for_each_node_id_mut(|id| all_max = all_max.max(id.0));
    }
    let stride = all_max + 1;
    let prefix = &base[..=snap_at];
    let body = &base[snap_at + 1..];
    let first = body.first().unwrap().timestamp.0;
    let last = body.last().unwrap().timestamp.0;
    let period = last - first + 1_000;

    // What one cycle leaves behind: new subtrees hanging off snapshot nodes, and
    // snapshot subtrees it removed.
    let mut r = Replayer::from(base.to_vec());
    let state = r.seek(Timestamp(last));
    let dom = state.dom();
    let mut new_roots = Vec::new();
    for n in dom.root().unwrap().descendants() {
        let id = n.id().0;
        let parent = n.parent().map(|p| p.id().0);
        if id > s_max && parent.is_some_and(|p| p <= s_max) {
            new_roots.push((parent.unwrap(), id));
        }
    }
    let children = snapshot.tree.children_index();
    let mut readd = Vec::new();
    for (i, tn) in snapshot.tree.nodes.iter().enumerate() {
        let Some(p) = tn.parent else { continue };
        let parent_id = snapshot.tree.nodes[p as usize].node.id;
        if dom.get(tn.node.id).is_none() && dom.get(parent_id).is_some() {
            // The removed subtree, as it was in the snapshot.
            let mut sub = Vec::new();
            let mut stack = vec![(i, None)];
            while let Some((j, parent)) = stack.pop() {
                let idx = sub.len() as u32;
                sub.push(TreeNode {
                    parent,
                    node: snapshot.tree.nodes[j].node.clone(),
                });
                for &c in children[j].iter().rev() {
                    stack.push((c as usize, Some(idx)));
                }
            }
            // Its next sibling in the snapshot, if that one is still there.
            let siblings = &children[p as usize];
            let pos = siblings.iter().position(|&c| c as usize == i).unwrap();
            let next = siblings[pos + 1..]
                .iter()
                .map(|&c| snapshot.tree.nodes[c as usize].node.id)
                .find(|id| dom.get(*id).is_some());
            readd.push(Addition {
                parent_id,
                next_id: next,
                previous_id: None,
                node: NodeTree { nodes: sub },
                extra: Vec::new(),
            });
        }
    }

    let cycles = (duration_ms + period - 1) / period;
    let mut out: Vec<Event> = prefix.to_vec();
    out.reserve(body.len() * cycles as usize);
    for k in 0..cycles {
        let shift = k * period;
        let offset = k as i32 * stride;
        let remap = |id: &mut NodeId| {
            if id.0 > s_max {
                id.0 += offset;
            }
        };
        for e in body {
            let mut e = e.clone();
            e.timestamp = Timestamp(e.timestamp.0 + shift);
            e.for_each_node_id_mut(remap);
            out.push(e);
        }
        let cleanup = Mutation {
            removes: new_roots
                .iter()
                .map(|&(parent, id)| Removal {
                    parent_id: NodeId(parent),
                    id: NodeId(id + offset),
                    is_shadow: None,
                    extra: Vec::new(),
                })
                .collect(),
            adds: readd.clone(),
            ..Mutation::default()
        };
        out.push(Event {
            timestamp: Timestamp(last + shift + 500),
            kind: EventKind::Incremental(Incremental::Mutation(cleanup)),
            extra: Vec::new(),
        });
    }
    out
}
