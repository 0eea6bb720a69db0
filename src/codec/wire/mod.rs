//! Event coding inside a chunk: the event tags, the per-kind codec trait, and the
//! writer ([`Enc`]) and reader ([`Dec`]) that dispatch each event to its kind's codec.
//!
//! A chunk's events are coded with a string table in three sections, their fields split
//! into six columns, timestamps and pointer coordinates delta-coded, node ids coded
//! against a prediction by role, and input values as edits of the field's previous
//! value. Anything the compact forms do not cover (unknown fields, rare kinds) travels as
//! rrweb JSON (tag 0), so the coding is lossless for every event. The format is specified
//! in "Chunk body", "Coding state" and "Events" of `docs/FORMAT.md`.
//!
//! Where things are, each file pairing the write and the read of what it covers:
//!
//! - `cols`: the six columns and their wire order;
//! - `ctx`: the coding state (timestamps, node ids by role, pointer and input registers);
//! - `strings`: the per-chunk string table and string references;
//! - `values`: field values shared by many kinds (numbers, `bool3`, attributes);
//! - `node`, `snapshot`: serialized nodes, node trees and full snapshots (keyframes);
//! - `mutation`, `pointer`, `view`, `input`: the incremental kinds.
//!
//! Every event is written as its tag (`op`), its timestamp delta (`ts`), then its kind's
//! fields; the reader takes them back in exactly that order, column by column. The two
//! sides stay in step only because each kind's `encode` and `decode` touch the same
//! columns in the same order: keep them side by side when changing either.

mod cols;
mod ctx;
mod input;
mod mutation;
mod node;
mod pointer;
mod snapshot;
mod strings;
mod values;
mod view;

pub(crate) use cols::{ColReaders, Cols, N_COLS};
pub(crate) use ctx::{Ctx, SavedCtx};
pub(crate) use strings::{N_SECTIONS, Strings, Table};

use super::CodecError;
use crate::limits::Limits;
use crate::model::*;

/// An event's tag, the first thing written for it (a `uv` in `op`). The values are the
/// wire's: never renumber one.
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventTag {
    /// Any event, as its rrweb JSON (the fallback that makes the coding lossless).
    Json = 0,
    /// DomContentLoaded with `data: {}`.
    DomContentLoaded = 1,
    /// Load with `data: {}`.
    Load = 2,
    /// Meta ([`view`]).
    Meta = 3,
    /// FullSnapshot ([`snapshot`]).
    FullSnapshot = 4,
    /// Mutation ([`mutation`]).
    Mutation = 5,
    /// MouseMove, TouchMove or Drag ([`pointer`]).
    Moves = 6,
    /// MouseInteraction ([`pointer`]).
    MouseInteraction = 7,
    /// Scroll ([`view`]).
    Scroll = 8,
    /// ViewportResize ([`view`]).
    ViewportResize = 9,
    /// Input ([`input`]).
    Input = 10,
}

/// A tag byte no [`EventTag`] has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UnknownTag;

impl TryFrom<u8> for EventTag {
    type Error = UnknownTag;

    fn try_from(b: u8) -> Result<Self, UnknownTag> {
        Ok(match b {
            0 => EventTag::Json,
            1 => EventTag::DomContentLoaded,
            2 => EventTag::Load,
            3 => EventTag::Meta,
            4 => EventTag::FullSnapshot,
            5 => EventTag::Mutation,
            6 => EventTag::Moves,
            7 => EventTag::MouseInteraction,
            8 => EventTag::Scroll,
            9 => EventTag::ViewportResize,
            10 => EventTag::Input,
            _ => return Err(UnknownTag),
        })
    }
}

/// The compact form of one kind of event: when it applies, how it is written, and how it
/// is read back. The write and the read of a kind are implemented next to each other, and
/// must touch the same columns in the same order.
pub(super) trait WireCodec: Sized {
    /// The tag written before events of this kind.
    const TAG: EventTag;

    /// Whether the compact form carries this value exactly (no unknown fields, no value
    /// it cannot represent). If not, the event travels as JSON.
    fn fits(&self) -> bool;

    /// Writes the fields that follow the tag and the timestamp delta. `t` is the
    /// event's timestamp (pointer times are coded against it).
    fn encode(&self, w: &mut Enc, t: Timestamp);

    /// Reads back the fields [`WireCodec::encode`] wrote.
    fn decode(r: &mut Dec<'_, '_>, t: Timestamp) -> Result<Self, CodecError>;
}

/// The coding of a field value that several kinds share (a number, a `bool3`, attributes,
/// a node, a tree): always compact, no tag of its own. Written with [`Enc::put`], read
/// with [`Dec::get`].
pub(super) trait FieldCodec: Sized {
    /// Writes the value.
    fn encode(&self, w: &mut Enc);

    /// Reads back what [`FieldCodec::encode`] wrote.
    fn decode(r: &mut Dec<'_, '_>) -> Result<Self, CodecError>;
}

/// True when a record has no unknown fields, the condition for every compact form.
pub(super) fn no_extra(e: &Extra) -> bool {
    e.is_empty()
}

fn json_of(e: &Event) -> String {
    let mut out = Vec::new();
    crate::rrweb::write_event(e, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// Encoding side: the open chunk's columns, the segment's string table and coding
/// state, and the stream's assets.
pub(crate) struct Enc {
    pub(crate) cols: Cols,
    /// Per interned DOM name: its string's index in the segment's table plus one (0 when
    /// not used yet in the segment). Only valid with the table it points into: both are
    /// emptied together in [`Enc::reset`].
    pub(crate) atom_refs: Vec<u32>,
    pub(crate) strings: Strings,
    pub(crate) ctx: Ctx,
    /// The stream's assets: long values and texts stored once.
    pub(crate) assets: crate::codec::assets::Registry,
    /// Values and texts of at least this many bytes are stored as assets.
    pub(crate) asset_min: usize,
}

impl Default for Enc {
    fn default() -> Self {
        Enc {
            cols: Cols::default(),
            atom_refs: Vec::new(),
            strings: Strings::default(),
            ctx: Ctx::default(),
            assets: crate::codec::assets::Registry::default(),
            asset_min: usize::MAX,
        }
    }
}

impl Enc {
    /// Starts a new segment: columns, string table and coding state empty (the memory
    /// kept); the stream's assets stay.
    pub(crate) fn reset(&mut self) {
        self.cols.clear();
        self.atom_refs.fill(0);
        self.strings.clear();
        self.ctx = Ctx::default();
    }

    /// Starts a new chunk within the segment: its columns empty; the string table and
    /// coding state go on.
    pub(crate) fn begin_chunk(&mut self) {
        self.cols.clear();
        self.strings.begin_chunk();
    }

    /// Writes a field value.
    #[inline]
    pub(super) fn put<T: FieldCodec>(&mut self, v: &T) {
        v.encode(self);
    }

    /// Writes what every event starts with: its tag and its timestamp delta.
    #[inline]
    pub(super) fn head(&mut self, tag: EventTag, t: Timestamp) {
        self.cols.op.uv(u64::from(tag as u8));
        self.ts(t);
    }

    /// Encodes one event.
    pub(crate) fn event(&mut self, e: &Event) {
        if !self.compact(e) {
            self.head(EventTag::Json, e.timestamp);
            let json = json_of(e);
            self.cols.text.str(&json);
        }
    }

    /// Writes `e` in its kind's compact form if it has one that fits; false (and
    /// nothing written) if not.
    fn compact(&mut self, e: &Event) -> bool {
        if !no_extra(&e.extra) {
            return false;
        }
        let t = e.timestamp;
        // Only the exact `data: {}` of these two is implied by their tag.
        let empty_obj = |d: &Option<Json>| matches!(d, Some(Json::Object(f)) if f.is_empty());
        match &e.kind {
            EventKind::DomContentLoaded(d) if empty_obj(d) => {
                self.head(EventTag::DomContentLoaded, t);
                true
            }
            EventKind::Load(d) if empty_obj(d) => {
                self.head(EventTag::Load, t);
                true
            }
            EventKind::Meta(m) => self.compact_as(m, t),
            EventKind::FullSnapshot(s) => self.compact_as(s, t),
            EventKind::Incremental(inc) => match inc {
                Incremental::Mutation(m) => self.compact_as(m, t),
                Incremental::Moves(m) => self.compact_as(m, t),
                Incremental::MouseInteraction(m) => self.compact_as(m, t),
                Incremental::Scroll(s) => self.compact_as(s, t),
                Incremental::ViewportResize(v) => self.compact_as(v, t),
                Incremental::Input(i) => self.compact_as(i, t),
                _ => false,
            },
            _ => false,
        }
    }

    /// Writes `v` as an event of its kind if its compact form fits (checked before
    /// anything is written, so a misfit leaves the columns untouched for the JSON form).
    #[inline]
    fn compact_as<T: WireCodec>(&mut self, v: &T, t: Timestamp) -> bool {
        if !v.fits() {
            return false;
        }
        self.head(T::TAG, t);
        v.encode(self, t);
        true
    }
}

/// Counts `n` bytes of decoded text against a chunk's budget (`Limits::decoded_bytes`).
pub(super) fn spend(out_bytes: &mut usize, limits: &Limits, n: usize) -> Result<(), CodecError> {
    *out_bytes = out_bytes.saturating_add(n);
    if *out_bytes > limits.decoded_bytes {
        return Err(CodecError::LimitExceeded {
            chunk: 0,
            what: "decoded text in a chunk",
            limit: limits.decoded_bytes,
        });
    }
    Ok(())
}

/// Decoding side: one run of events (a keyframe, or a chunk's own events) over the
/// segment's string table.
pub(crate) struct Dec<'a, 'b> {
    pub(crate) cols: ColReaders<'a>,
    /// The segment's string table.
    pub(crate) table: &'b Table,
    /// Strings of each section introduced so far.
    pub(crate) seen: [usize; N_SECTIONS],
    /// Bytes of text handed out so far in this chunk (strings, input values), against
    /// `Limits::decoded_bytes`.
    pub(crate) out_bytes: usize,
    pub(crate) ctx: Ctx,
    pub(crate) limits: &'b Limits,
}

impl Dec<'_, '_> {
    /// A malformed-chunk error at the current position in `op` (the column every
    /// event's structure is read from).
    pub(super) fn bad(&self, what: &'static str) -> CodecError {
        CodecError::Malformed {
            chunk: 0,
            offset: self.cols.op.pos,
            what,
        }
    }

    /// Reads a field value.
    #[inline]
    pub(super) fn get<T: FieldCodec>(&mut self) -> Result<T, CodecError> {
        T::decode(self)
    }

    /// Reads a list: a `uv` count in `op`, then that many items. Each item takes at least
    /// `min_op_bytes` of `op`, which bounds the count by the bytes left before anything
    /// is allocated (and the first allocation is capped besides).
    #[inline]
    pub(super) fn list<T>(
        &mut self,
        min_op_bytes: usize,
        mut item: impl FnMut(&mut Self) -> Result<T, CodecError>,
    ) -> Result<Vec<T>, CodecError> {
        let n = self.cols.op.count(min_op_bytes, self.limits.nodes)?;
        let mut items = Vec::with_capacity(n.min(4096));
        for _ in 0..n {
            items.push(item(self)?);
        }
        Ok(items)
    }

    /// Parses embedded JSON (an event, a node's unknown fields, an attribute value).
    pub(super) fn json(&mut self, s: &str) -> Result<Json, CodecError> {
        Json::parse(s.as_bytes(), self.limits.json_depth)
            .map_err(|_| self.bad("invalid embedded JSON"))
    }

    /// Decodes one event.
    pub(crate) fn event(&mut self) -> Result<Event, CodecError> {
        let tag = self.cols.op.uv()?;
        // The timestamp is read before the tag is checked, so that a broken chunk
        // reports the same first error as ever.
        let t = self.ts()?;
        let Some(tag) = u8::try_from(tag)
            .ok()
            .and_then(|b| EventTag::try_from(b).ok())
        else {
            return Err(self.bad("invalid event tag"));
        };
        let kind = match tag {
            EventTag::Json => {
                let s = self.cols.text.str(self.limits.string_len)?;
                let v = self.json(s)?;
                // The event's own timestamp is in its JSON; the delta above only kept
                // `prev_ts` in step.
                return crate::rrweb::event_from_json(v, 0, self.limits)
                    .map_err(|_| self.bad("invalid embedded event"));
            }
            EventTag::DomContentLoaded => {
                EventKind::DomContentLoaded(Some(Json::Object(Vec::new())))
            }
            EventTag::Load => EventKind::Load(Some(Json::Object(Vec::new()))),
            EventTag::Meta => EventKind::Meta(Meta::decode(self, t)?),
            EventTag::FullSnapshot => EventKind::FullSnapshot(FullSnapshot::decode(self, t)?),
            EventTag::Mutation => {
                EventKind::Incremental(Incremental::Mutation(Mutation::decode(self, t)?))
            }
            EventTag::Moves => {
                EventKind::Incremental(Incremental::Moves(PointerMoves::decode(self, t)?))
            }
            EventTag::MouseInteraction => EventKind::Incremental(Incremental::MouseInteraction(
                MouseInteraction::decode(self, t)?,
            )),
            EventTag::Scroll => {
                EventKind::Incremental(Incremental::Scroll(Scroll::decode(self, t)?))
            }
            EventTag::ViewportResize => EventKind::Incremental(Incremental::ViewportResize(
                ViewportResize::decode(self, t)?,
            )),
            EventTag::Input => EventKind::Incremental(Incremental::Input(Input::decode(self, t)?)),
        };
        Ok(Event {
            timestamp: t,
            kind,
            extra: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every tag reads back as itself, and nothing else is a tag.
    #[test]
    fn tags_round_trip() {
        for b in 0..=u8::MAX {
            match EventTag::try_from(b) {
                Ok(t) => assert_eq!(t as u8, b),
                Err(UnknownTag) => assert!(b > 10),
            }
        }
    }
}
