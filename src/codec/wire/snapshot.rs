//! Node trees and full snapshots (tag 4), written from the event model or straight from
//! the replayed DOM for a chunk's keyframe, and read back.
//!
//! A tree is a `uv` node count, then per node in pre-order its distance back to its
//! parent (`0` for a root) and the node. Pre-order makes the distance small and always
//! backwards, so the reader can check it against the nodes read so far.

use super::super::CodecError;
use super::{Dec, Enc, EventTag, FieldCodec, WireCodec, no_extra};
use crate::model::*;

/// Distance back from node `i` to its parent `parent`; 0 for none (and for a parent that
/// is not before it, which pre-order rules out).
#[inline]
fn parent_distance(i: usize, parent: Option<u32>) -> u64 {
    match parent {
        Some(p) if (p as usize) < i => (i - p as usize) as u64,
        _ => 0,
    }
}

impl FieldCodec for NodeTree {
    fn encode(&self, w: &mut Enc) {
        w.cols.op.uv(self.nodes.len() as u64);
        for (i, tn) in self.nodes.iter().enumerate() {
            w.cols.op.uv(parent_distance(i, tn.parent));
            w.put(&tn.node);
        }
    }

    fn decode(r: &mut Dec<'_, '_>) -> Result<Self, CodecError> {
        // Each node takes at least three bytes of `op`: distance, kind, flags.
        let n = r.cols.op.count(3, r.limits.nodes)?;
        let mut nodes = Vec::with_capacity(n.min(4096));
        for i in 0..n {
            let d = r.cols.op.uv()?;
            let parent = match d {
                0 => None,
                d if usize::try_from(d).is_ok_and(|d| d <= i) => {
                    Some((i - usize::try_from(d).unwrap_or(0)) as u32)
                }
                _ => return Err(r.bad("parent index out of range")),
            };
            nodes.push(TreeNode {
                parent,
                node: r.get()?,
            });
        }
        Ok(NodeTree { nodes })
    }
}

/// Tree, then initialOffset top and left.
impl WireCodec for FullSnapshot {
    const TAG: EventTag = EventTag::FullSnapshot;

    fn fits(&self) -> bool {
        no_extra(&self.extra) && no_extra(&self.initial_offset.extra)
    }

    fn encode(&self, w: &mut Enc, _: Timestamp) {
        w.put(&self.tree);
        w.put(&self.initial_offset.top);
        w.put(&self.initial_offset.left);
    }

    fn decode(r: &mut Dec<'_, '_>, _: Timestamp) -> Result<Self, CodecError> {
        let tree = r.get()?;
        let top = r.get()?;
        let left = r.get()?;
        Ok(FullSnapshot {
            tree,
            initial_offset: ScrollOffset {
                top,
                left,
                extra: Vec::new(),
            },
            extra: Vec::new(),
        })
    }
}

impl Enc {
    /// A full snapshot event written straight from the replayed DOM: the same bytes as
    /// [`Enc::event`] gives for the snapshot `state` exports, without building it.
    /// `nodes` is how many nodes the snapshot carries (as `State::keyframe_parts` counts).
    ///
    /// Fast path for keyframes, which every chunk after the first opens with: it skips
    /// building (and dropping) a copy of the whole DOM as model nodes. It is safe because
    /// the walk visits the nodes in the export's order with the same parents, and each
    /// node goes through the same writer as a model node; the test below pins the bytes.
    pub(crate) fn snapshot_from_state(
        &mut self,
        t: Timestamp,
        state: &crate::replay::State,
        offset: (Num, Num),
        nodes: u64,
    ) {
        self.head(EventTag::FullSnapshot, t);
        self.cols.op.uv(nodes);
        let mut i = 0usize;
        state.visit_snapshot_nodes(|parent, v| {
            self.cols.op.uv(parent_distance(i, parent));
            self.node_view(v);
            i += 1;
        });
        self.put(&offset.0);
        self.put(&offset.1);
    }
}

#[cfg(test)]
mod tests {
    use super::super::Strings;
    use super::*;
    use crate::limits::Limits;

    /// The keyframe written straight from the replayed DOM is byte for byte the
    /// keyframe written from the exported events, at many points of every corpus stream
    /// and fixture (including unmapped nodes, shadow roots, doctype, comments).
    #[test]
    fn direct_keyframe_bytes_equal_the_exported_events() {
        let mut streams: Vec<Vec<u8>> = ["login", "todo", "feed"]
            .iter()
            .map(|n| {
                std::fs::read(format!(
                    "{}/tests/data/corpus/{n}.raw.json",
                    env!("CARGO_MANIFEST_DIR")
                ))
                .unwrap()
            })
            .collect();
        let dir = format!("{}/tests/data/rrweb-fixtures", env!("CARGO_MANIFEST_DIR"));
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "json") {
                streams.push(std::fs::read(p).unwrap());
            }
        }
        let mut checked = 0;
        for bytes in streams {
            let events = crate::rrweb::read(&bytes, &Limits::DEFAULT).unwrap();
            let mut state =
                crate::replay::State::new(Limits::default(), crate::replay::ReplayMode::Lenient);
            let step = (events.len() / 12).max(1);
            for (i, e) in events.iter().enumerate() {
                let _ = state.apply(e, i);
                if i % step != 0 && i + 1 != events.len() {
                    continue;
                }
                let mut a = Enc::default();
                for k in state.to_keyframe_events() {
                    a.event(&k);
                }
                let mut b = Enc::default();
                let parts = state.keyframe_parts();
                for k in &parts.before {
                    b.event(k);
                }
                if let Some(offset) = parts.snapshot {
                    b.snapshot_from_state(state.time(), &state, offset, parts.snapshot_nodes);
                }
                for k in &parts.after {
                    b.event(k);
                }
                for (x, y) in a.cols.all().iter().zip(b.cols.all()) {
                    assert_eq!(x.bytes, y.bytes);
                }
                fn all(t: &Strings) -> Vec<Option<&str>> {
                    (0..t.len()).map(|i| t.get(i)).collect()
                }
                assert_eq!(all(&a.strings), all(&b.strings));
                checked += 1;
            }
        }
        assert!(checked > 200, "{checked}");
    }
}
