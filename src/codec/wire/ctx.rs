//! The coding state a chunk's events run through, and the codings that use it directly:
//! timestamps as deltas, node ids against a prediction by role.
//!
//! The state is per segment (see "Coding state" in FORMAT.md): the encoder and the
//! decoder each start it from [`Ctx::new`] at a keyframe chunk's start and again after
//! its keyframe, carry it from chunk to chunk of the segment, and update it identically
//! event by event. Any write that updates a register must have a
//! read that updates it the same way, or every later delta decodes wrong.

use super::super::CodecError;
use super::{Dec, Enc};
use crate::hash::FastMap;
use crate::model::{NodeId, Timestamp};

/// Coding state shared by the encoder and decoder of one chunk.
#[derive(Debug, Default)]
pub(crate) struct Ctx {
    /// The last event's timestamp: the next is coded as its difference from it.
    prev_ts: i64,
    /// Last node id of a serialized node; the next is predicted one above it.
    prev_node: i64,
    /// Last parent id of an add or remove.
    prev_parent: i64,
    /// Last id of a removed node.
    prev_removed: i64,
    /// Last id of any other target (attributes, texts, inputs, pointer, scroll).
    prev_target: i64,
    /// The last pointer position, across batches: positions are coded as moves from it.
    prev_x: i64,
    prev_y: i64,
    /// The last pointer position's time (its event's timestamp plus its offset): times
    /// run on across batches, so a batch's first offset is coded as small as the rest.
    prev_t: i64,
    /// Each input field's last value, by node id: input values are coded as edits of it.
    inputs: FastMap<i32, String>,
}

/// The coding state as saved with an encoder's state: every register, and the input
/// fields' values in id order.
#[derive(Debug, Clone, PartialEq, Eq, bincode::Encode, bincode::Decode)]
pub(crate) struct SavedCtx {
    registers: [i64; 8],
    inputs: Vec<(i32, String)>,
}

impl Ctx {
    /// The state, for saving.
    pub(crate) fn save(&self) -> SavedCtx {
        let mut inputs: Vec<(i32, String)> =
            self.inputs.iter().map(|(k, v)| (*k, v.clone())).collect();
        inputs.sort_unstable();
        SavedCtx {
            registers: [
                self.prev_ts,
                self.prev_node,
                self.prev_parent,
                self.prev_removed,
                self.prev_target,
                self.prev_x,
                self.prev_y,
                self.prev_t,
            ],
            inputs,
        }
    }

    /// The state [`Ctx::save`] saved.
    pub(crate) fn restore(s: SavedCtx) -> Self {
        let [
            prev_ts,
            prev_node,
            prev_parent,
            prev_removed,
            prev_target,
            prev_x,
            prev_y,
            prev_t,
        ] = s.registers;
        Ctx {
            prev_ts,
            prev_node,
            prev_parent,
            prev_removed,
            prev_target,
            prev_x,
            prev_y,
            prev_t,
            inputs: s.inputs.into_iter().collect(),
        }
    }

    /// The state at a section's start: times are coded from `base_ts`, everything else
    /// from zero.
    pub(crate) fn new(base_ts: i64) -> Self {
        Ctx {
            prev_ts: base_ts,
            prev_t: base_ts,
            ..Ctx::default()
        }
    }

    /// A field's last value (empty if none): what its next value is coded as an edit of.
    #[inline]
    pub(super) fn input(&self, id: i32) -> &str {
        self.inputs.get(&id).map_or("", String::as_str)
    }

    /// Records a field's value, reusing the memory of its previous one.
    pub(super) fn remember_input(&mut self, id: i32, text: &str) {
        let v = self.inputs.entry(id).or_default();
        v.clear();
        v.push_str(text);
    }

    /// The deltas a pointer position `(x, y)` at `time` is written as (x, y, time), which
    /// makes it the position the next one is coded against.
    #[inline]
    pub(super) fn pointer_deltas(&mut self, x: i64, y: i64, time: i64) -> [i64; 3] {
        let d = [
            x.wrapping_sub(self.prev_x),
            y.wrapping_sub(self.prev_y),
            time.wrapping_sub(self.prev_t),
        ];
        (self.prev_x, self.prev_y, self.prev_t) = (x, y, time);
        d
    }

    /// The pointer position and time that [`Ctx::pointer_deltas`] wrote as `d`, which
    /// becomes the position the next one is read against.
    #[inline]
    pub(super) fn pointer_from_deltas(&mut self, d: [i64; 3]) -> [i64; 3] {
        let [dx, dy, dt] = d;
        self.prev_x = self.prev_x.wrapping_add(dx);
        self.prev_y = self.prev_y.wrapping_add(dy);
        self.prev_t = self.prev_t.wrapping_add(dt);
        [self.prev_x, self.prev_y, self.prev_t]
    }
}

/// What a node id is, which decides the value it is coded against.
///
/// Ids are coded as `id - prediction` (zigzag, so small either way), and the roles are
/// chosen so that the prediction is usually right or close: recorders number new nodes
/// in pre-order, so a serialized node is one above the last; an add's sibling is usually
/// a node just serialized; consecutive adds and removes tend to share a parent; and a
/// target (clicked, typed into, scrolled) tends to be the one before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum IdRole {
    /// A serialized node's own id: against the last such id plus one.
    Node,
    /// An add's or remove's parent: against the last parent.
    Parent,
    /// An add's next or previous sibling: against the last serialized node's id.
    Sibling,
    /// A removed node: against the last removed node.
    Removed,
    /// Any other id: against the last such id.
    Target,
}

impl Ctx {
    /// The value an id of this role is coded against.
    #[inline]
    fn predict(&self, role: IdRole) -> i64 {
        match role {
            IdRole::Node => self.prev_node.wrapping_add(1),
            IdRole::Parent => self.prev_parent,
            IdRole::Sibling => self.prev_node,
            IdRole::Removed => self.prev_removed,
            IdRole::Target => self.prev_target,
        }
    }

    /// Records an id of this role. A sibling changes no register: it is read against
    /// the node register without moving it, so the next serialized node's prediction
    /// still follows the last serialized node.
    #[inline]
    fn saw(&mut self, role: IdRole, v: i64) {
        match role {
            IdRole::Node => self.prev_node = v,
            IdRole::Parent => self.prev_parent = v,
            IdRole::Sibling => {}
            IdRole::Removed => self.prev_removed = v,
            IdRole::Target => self.prev_target = v,
        }
    }
}

impl Enc {
    /// Writes a node id in `ids`, as its difference from its role's prediction.
    /// Registers are `i64` and arithmetic wraps, so any `i32` id round-trips.
    #[inline]
    pub(super) fn id(&mut self, id: NodeId, role: IdRole) {
        let v = i64::from(id.0);
        self.cols.ids.iv(v.wrapping_sub(self.ctx.predict(role)));
        self.ctx.saw(role, v);
    }

    /// Writes an event's timestamp in `ts`, as its difference from the last event's.
    #[inline]
    pub(super) fn ts(&mut self, t: Timestamp) {
        self.cols.ts.iv(t.0.wrapping_sub(self.ctx.prev_ts));
        self.ctx.prev_ts = t.0;
    }
}

impl Dec<'_, '_> {
    /// Reads a node id of this role ([`Enc::id`]). The register takes the decoded value
    /// before the range check, as the writer's did; an id outside `i32` is an error
    /// anyway, so the state after it never matters.
    #[inline]
    pub(super) fn id(&mut self, role: IdRole) -> Result<NodeId, CodecError> {
        let d = self.cols.ids.iv()?;
        let v = self.ctx.predict(role).wrapping_add(d);
        self.ctx.saw(role, v);
        i32::try_from(v)
            .map(NodeId)
            .map_err(|_| self.bad("node id out of range"))
    }

    /// Reads an event's timestamp ([`Enc::ts`]).
    #[inline]
    pub(super) fn ts(&mut self) -> Result<Timestamp, CodecError> {
        let d = self.cols.ts.iv()?;
        self.ctx.prev_ts = self.ctx.prev_ts.wrapping_add(d);
        Ok(Timestamp(self.ctx.prev_ts))
    }
}
