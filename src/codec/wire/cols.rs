//! The six columns a chunk's events are split into, and their order on the wire.
//!
//! Invariants of the layout (see "Columns" in FORMAT.md): every field of every event goes
//! to exactly one column, chosen by the kind of field, never by the kind of event; each
//! column is written and read front to back; and the reader takes an event's fields from
//! the columns in the order the writer put them there. Nothing marks where one event's
//! fields end in a column, so a section (a keyframe, or a chunk's own events) must use up
//! exactly the bytes of each of its columns: [`ColReaders::leftover`] checks it.

use super::super::varint::{Buf, Rd};

/// A chunk's coded bytes, split by kind of field so that the compressor sees like next
/// to like: structure (tags, counts, flags), timestamps, node ids, numbers, string
/// references and inline text. See "Columns" in FORMAT.md. The encoder writes
/// `Cols<Buf>`; the decoder reads `Cols<Rd>` ([`ColReaders`]).
#[derive(Default)]
pub(crate) struct Cols<T = Buf> {
    /// Event tags, counts, flags, kinds, value tags, tree distances.
    pub(crate) op: T,
    /// Timestamp deltas.
    pub(crate) ts: T,
    /// Node id deltas.
    pub(crate) ids: T,
    /// Number payloads and pointer coordinates.
    pub(crate) num: T,
    /// String table references.
    pub(crate) refs: T,
    /// Inline text: input edits and events kept as JSON.
    pub(crate) text: T,
}

/// Columns in their order on the wire.
pub(crate) const N_COLS: usize = 6;

impl<T> Cols<T> {
    /// The columns in wire order (the one place, with [`Cols::in_wire_order`], that
    /// knows it).
    pub(crate) fn all(&self) -> [&T; N_COLS] {
        [
            &self.op, &self.ts, &self.ids, &self.num, &self.refs, &self.text,
        ]
    }

    /// Columns made one by one in wire order; `None` if `next` runs out.
    pub(crate) fn in_wire_order(mut next: impl FnMut() -> Option<T>) -> Option<Self> {
        Some(Cols {
            op: next()?,
            ts: next()?,
            ids: next()?,
            num: next()?,
            refs: next()?,
            text: next()?,
        })
    }
}

impl Cols<Buf> {
    /// The byte length of every column.
    pub(crate) fn lens(&self) -> [usize; N_COLS] {
        self.all().map(|b| b.bytes.len())
    }

    /// Bytes in all columns.
    pub(crate) fn total(&self) -> usize {
        self.lens().iter().sum()
    }

    /// Empties every column, keeping its memory.
    pub(super) fn clear(&mut self) {
        let Cols {
            op,
            ts,
            ids,
            num,
            refs,
            text,
        } = self;
        for b in [op, ts, ids, num, refs, text] {
            b.bytes.clear();
        }
    }
}

/// One section of events (a keyframe, or a chunk's own events) as readers over its
/// columns; positions are offsets in the chunk body.
pub(crate) type ColReaders<'a> = Cols<Rd<'a>>;

impl ColReaders<'_> {
    /// The first column with bytes left, and where.
    pub(crate) fn leftover(&self) -> Option<usize> {
        self.all()
            .into_iter()
            .find(|r| r.left() != 0)
            .map(|r| r.pos)
    }
}
