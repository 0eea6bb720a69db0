//! Pointer events, written and read side by side: batches of pointer positions (tag 6:
//! MouseMove, TouchMove, Drag) and mouse interactions (tag 7: clicks, focus, ...).

use super::super::CodecError;
use super::ctx::IdRole;
use super::{Dec, Enc, EventTag, WireCodec, no_extra};
use crate::model::*;

/// Source `u8`, `uv` count, then per position `iv` deltas of x, y and time (in `num`)
/// and the node id (target role).
///
/// Positions are deltas of the previous position, across batches too (`prev_x`,
/// `prev_y`, `prev_t` in the coding state): a pointer moves a few pixels every few
/// milliseconds, so each delta is usually one byte.
impl WireCodec for PointerMoves {
    const TAG: EventTag = EventTag::Moves;

    /// Only integer coordinates and offsets (a float one goes as JSON), and only the
    /// sources the tag stands for.
    fn fits(&self) -> bool {
        no_extra(&self.extra)
            && self.positions.iter().all(|p| {
                no_extra(&p.extra)
                    && matches!(
                        (p.x, p.y, p.time_offset),
                        (Num::Int(_), Num::Int(_), Num::Int(_))
                    )
            })
            && matches!(
                self.source,
                MoveSource::Mouse | MoveSource::Touch | MoveSource::Drag
            )
    }

    fn encode(&self, w: &mut Enc, t: Timestamp) {
        w.cols.op.u8(self.source.code() as u8);
        w.cols.op.uv(self.positions.len() as u64);
        for p in &self.positions {
            // `fits` checked every position is integers, so this never skips one and
            // the count written above stays true.
            let (Num::Int(x), Num::Int(y), Num::Int(dt)) = (p.x, p.y, p.time_offset) else {
                continue;
            };
            for d in w.ctx.pointer_deltas(x, y, t.0.wrapping_add(dt)) {
                w.cols.num.iv(d);
            }
            w.id(p.id, IdRole::Target);
        }
    }

    fn decode(r: &mut Dec<'_, '_>, t: Timestamp) -> Result<Self, CodecError> {
        let source = MoveSource::from_code(i64::from(r.cols.op.u8()?));
        // Each position takes three bytes of numbers and one of ids (not of `op`, so
        // `Rd::count` cannot check it): checked here before allocating.
        let n = usize::try_from(r.cols.op.uv()?).unwrap_or(usize::MAX);
        if n > r.limits.nodes {
            return Err(CodecError::LimitExceeded {
                chunk: 0,
                what: "items in a list",
                limit: r.limits.nodes,
            });
        }
        if n.saturating_mul(3) > r.cols.num.left() || n > r.cols.ids.left() {
            return Err(r.bad("count beyond the end of the chunk"));
        }
        let mut positions = Vec::with_capacity(n.min(4096));
        for _ in 0..n {
            let d = [r.cols.num.iv()?, r.cols.num.iv()?, r.cols.num.iv()?];
            let [x, y, time] = r.ctx.pointer_from_deltas(d);
            positions.push(Position {
                x: Num::Int(x),
                y: Num::Int(y),
                id: r.id(IdRole::Target)?,
                time_offset: Num::Int(time.wrapping_sub(t.0)),
                extra: Vec::new(),
            });
        }
        Ok(PointerMoves {
            source,
            positions,
            extra: Vec::new(),
        })
    }
}

/// Presence flags of a mouse interaction's optional fields.
const HAS_X: u8 = 1;
const HAS_Y: u8 = 2;
const HAS_POINTER_TYPE: u8 = 4;

/// `iv` type, node id, `u8` presence flags, then x, y (`num`) and `iv` pointerType as
/// present.
impl WireCodec for MouseInteraction {
    const TAG: EventTag = EventTag::MouseInteraction;

    fn fits(&self) -> bool {
        no_extra(&self.extra)
    }

    fn encode(&self, w: &mut Enc, _: Timestamp) {
        w.cols.op.iv(self.kind.code());
        w.id(self.id, IdRole::Target);
        let flags = (u8::from(self.x.is_some()) * HAS_X)
            | (u8::from(self.y.is_some()) * HAS_Y)
            | (u8::from(self.pointer_type.is_some()) * HAS_POINTER_TYPE);
        w.cols.op.u8(flags);
        if let Some(x) = &self.x {
            w.put(x);
        }
        if let Some(y) = &self.y {
            w.put(y);
        }
        if let Some(p) = self.pointer_type {
            w.cols.op.iv(p.code());
        }
    }

    fn decode(r: &mut Dec<'_, '_>, _: Timestamp) -> Result<Self, CodecError> {
        let kind = MouseInteractionKind::from_code(r.cols.op.iv()?);
        let id = r.id(IdRole::Target)?;
        let flags = r.cols.op.u8()?;
        if flags >> 3 != 0 {
            return Err(r.bad("unknown mouse interaction flags"));
        }
        let x = if flags & HAS_X != 0 {
            Some(r.get()?)
        } else {
            None
        };
        let y = if flags & HAS_Y != 0 {
            Some(r.get()?)
        } else {
            None
        };
        let pointer_type = if flags & HAS_POINTER_TYPE != 0 {
            Some(PointerKind::from_code(r.cols.op.iv()?))
        } else {
            None
        };
        Ok(MouseInteraction {
            kind,
            id,
            x,
            y,
            pointer_type,
            extra: Vec::new(),
        })
    }
}
