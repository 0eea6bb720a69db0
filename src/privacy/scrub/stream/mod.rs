//! The streaming path of [`Scrubber::scrub_json_batch`] (and so of
//! [`scrub_rrweb_json`](super::scrub_rrweb_json), one batch with a fresh scrubber):
//! rrweb JSON is scanned in place, the [`Scrubber`] decides exactly as it does for the
//! model, and the output copies every untouched byte span of the input, re-writing only
//! the values that change (masked text, scrubbed attributes, dropped children and array
//! items).
//!
//! Each event is first parsed completely into borrowed spans without touching the
//! scrubber's state; only then are the decisions applied. Whatever the scanner does not
//! know for certain (unknown keys holding strings or containers, escaped keys, floats
//! where the model reads integers, style diffs, rare event kinds, anything near a limit)
//! makes that one event go through the typed path ([`crate::rrweb::read_one`], then
//! [`Scrubber::scrub_event`]) with the same scrubber, so the result is the same either
//! way; a test and the `scrub` fuzz target compare the two paths. What concerns the
//! input as a whole (too large, not UTF-8, not an array, a syntax error between events)
//! goes to the typed reader, which names the error and reads the events before it; the
//! fast path hands it the count of events it has scrubbed already, so that each event
//! is applied to the engine once, which a session fed in batches relies on.
//!
//! Parts: `scan` (the JSON scanner), `parse` (an event into spans), `apply` (the
//! engine's decisions into edits of the input). The engine is only reached through its
//! interface (see `engine`), as the typed front end reaches it.
//!
//! Invariants the parts rely on:
//! - parsing only reads the engine: the one call it makes, `Engine::dropped`, may
//!   compute and cache a node's privacy, which the typed path would compute the same
//!   way; so after a bail the typed path sees the engine as if the event were new;
//! - the input is checked UTF-8 before anything else, and spans start and end on ASCII
//!   bytes, so every span is a `str` boundary;
//! - the edits of one event never overlap (each replaces a different value, or a
//!   children array whose nodes get no edits because they are dropped), so writing them
//!   in order of position rebuilds the event;
//! - the per-event buffers of [`Fast`] are cleared, never freed, between events, and
//!   kept by the scrubber between calls ([`Buffers`]): after the first few events an
//!   event costs no allocation unless a value changes, whatever the batch size.

mod apply;
mod parse;
mod scan;

use super::Scrubber;
use super::engine::Fate;
use crate::error::RrwebError;
use crate::limits::Limits;
use scan::{Bail, Cur, Scalar, Span, Str};

/// One node of a tree, in pre-order (a tree is a range of `Fast::nodes`; `parent` is
/// relative to the range's start, as the model's `TreeNode::parent` is).
#[derive(Debug, Clone, Default)]
struct LNode {
    parent: Option<u32>,
    kind: Option<i64>,
    id: Option<i32>,
    tag: Option<Str>,
    text: Option<Str>,
    is_style: bool,
    attrs: (u32, u32),
    attrs_span: Option<Span>,
    children_start: usize,
    children_span: Option<Span>,
    doctype_fields: u8,
}

/// One attribute of an element or of an attribute change (only scalar values: an
/// object value, a style diff, bails).
#[derive(Debug, Clone, Copy)]
struct LAttr {
    name: Str,
    value: Scalar,
    value_span: Span,
}

/// An element of one of a mutation's arrays, with the spans it needs.
#[derive(Debug, Clone, Copy)]
struct LItem {
    span: Span,
    id: i32,
    parent: i32,
    /// texts: the value; attributes: unused.
    value: Option<Str>,
    value_span: Span,
    /// attributes: the range in `attrs` and the object's span; adds: the range in `nodes`.
    range: (u32, u32),
    obj_span: Span,
    /// adds: the sibling the root goes before (`nextId`).
    next: Option<i32>,
}

/// The arrays of a mutation: element ranges into `items`, and the array spans.
#[derive(Debug, Clone, Copy, Default)]
struct LArray {
    items: (u32, u32),
    span: Span,
}

/// What an event is, once parsed: what `Fast::apply` hands to the engine. Every span
/// and range points into the input or the `Fast` buffers of this event.
#[derive(Debug, Clone, Copy)]
enum Plan {
    /// Copied as is.
    Verbatim,
    FullSnapshot {
        nodes: (u32, u32),
    },
    Meta {
        href: Str,
    },
    Mutation {
        texts: LArray,
        attributes: LArray,
        removes: LArray,
        adds: LArray,
    },
    Input {
        id: i32,
        text: Str,
        checked: (bool, Span),
    },
}

/// A replacement of `input[start..end]` by `buf[rep.0..rep.1]`.
#[derive(Debug, Clone, Copy)]
struct Edit {
    start: usize,
    end: usize,
    rep: (usize, usize),
}

/// The fast path's state over one input: the input, and buffers reused from event to
/// event (`reset` clears the per-event ones; `ids`, `kept` and `keep_items` are taken
/// and put back by the code that uses them, to keep their capacity).
pub(super) struct Fast<'a> {
    input: &'a [u8],
    text: &'a str,
    limits: &'a Limits,
    bufs: Buffers,
}

/// The buffers of [`Fast`], kept by the [`Scrubber`] from call to call: a session fed
/// in batches would otherwise grow them again for every batch (about 4% more work on
/// the corpus in batches of 50 events). Scratch space, not state: each call clears
/// them before use, and a buffer grown past [`KEPT_BYTES`] (by a large snapshot) is
/// shrunk back when the call ends, so that an idle session holds little.
#[derive(Default)]
pub(super) struct Buffers {
    nodes: Vec<LNode>,
    attrs: Vec<LAttr>,
    items: Vec<LItem>,
    stack: Vec<u32>,
    edits: Vec<Edit>,
    buf: Vec<u8>,
    ids: Vec<i32>,
    kept: Vec<Fate>,
    keep_items: Vec<bool>,
}

/// The most bytes of capacity each buffer keeps between calls.
const KEPT_BYTES: usize = 64 << 10;

/// Empties `v` and shrinks it to at most [`KEPT_BYTES`] of capacity.
fn cleared<T>(mut v: Vec<T>) -> Vec<T> {
    v.clear();
    v.shrink_to(KEPT_BYTES / std::mem::size_of::<T>().max(1));
    v
}

/// What to do with the event after parsing.
enum Outcome {
    Emit,
    Drop,
}

/// Node keys whose value is a boolean the fast path passes through as written.
const NODE_KEYS_BOOL: [&[u8]; 5] = [
    b"isSVG",
    b"needBlock",
    b"isCustom",
    b"isShadowHost",
    b"isShadow",
];

impl<'a> Fast<'a> {
    /// The fast path over `input` (`text` is the same bytes, checked UTF-8), with the
    /// buffers `b` (cleared).
    fn new(input: &'a [u8], text: &'a str, limits: &'a Limits, bufs: Buffers) -> Self {
        let mut f = Fast {
            input,
            text,
            limits,
            bufs,
        };
        f.reset();
        f
    }

    /// The buffers back, cleared, for the next call.
    fn into_buffers(self) -> Buffers {
        let b = self.bufs;
        Buffers {
            nodes: cleared(b.nodes),
            attrs: cleared(b.attrs),
            items: cleared(b.items),
            stack: cleared(b.stack),
            edits: cleared(b.edits),
            buf: cleared(b.buf),
            ids: cleared(b.ids),
            kept: cleared(b.kept),
            keep_items: cleared(b.keep_items),
        }
    }

    /// Clears the per-event buffers (keeping their capacity).
    fn reset(&mut self) {
        self.bufs.nodes.clear();
        self.bufs.attrs.clear();
        self.bufs.items.clear();
        self.bufs.edits.clear();
        self.bufs.buf.clear();
    }

    /// A scanner at byte `i`, with the caller's string length limit (a longer string
    /// bails, so the typed reader reports the limit).
    fn cur(&self, i: usize) -> Cur<'a> {
        Cur {
            b: self.input,
            i,
            max_string: self.limits.string_len,
        }
    }
}

/// Why the fast path stopped before the end of the array.
enum Stop {
    /// The reader's error for an event read alone: nothing more is read.
    Error(RrwebError),
    /// The typed reader decides from event `done` on: it reads the whole input again
    /// (so that its error names the exact place), and the events it reads after the
    /// first `done` (which the fast path has scrubbed already) go the typed way.
    Typed { done: usize },
}

/// The output array being written: a comma before every event but the first.
struct Sink<'o> {
    out: &'o mut Vec<u8>,
    first: bool,
}

impl Sink<'_> {
    /// The output, ready for the next event's bytes.
    fn next(&mut self) -> &mut Vec<u8> {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        self.out
    }
}

/// Scrubs the events of the rrweb JSON array `input` with `s`, streaming, and appends
/// the kept ones to `out` as one JSON array; the same result as reading, scrubbing with
/// `s` and writing the model. The engine goes on from the state `s` is in, and every
/// event is applied to it once, by whichever path takes it.
///
/// On an error, `out` still gets a valid array: the events before the error, scrubbed
/// (by the fast path, then by the typed path for those the typed reader reads after
/// the point where the fast path stopped), and `s` holds exactly those events.
pub(super) fn scrub_json_array(
    s: &mut Scrubber,
    input: &[u8],
    limits: &Limits,
    out: &mut Vec<u8>,
) -> Result<(), RrwebError> {
    // The output is about the input's size (masks keep lengths, or nearly): one
    // allocation up front rather than growth by copies, in a batch as in a whole stream.
    out.reserve(input.len());
    out.push(b'[');
    let mut sink = Sink { out, first: true };
    let result = match fast_events(s, input, limits, &mut sink) {
        Ok(()) => Ok(()),
        Err(Stop::Error(e)) => Err(e),
        Err(Stop::Typed { done }) => typed_rest(s, input, limits, done, &mut sink),
    };
    sink.out.push(b']');
    result
}

/// The fast path over the array's events, as far as it can go.
fn fast_events(
    s: &mut Scrubber,
    input: &[u8],
    limits: &Limits,
    sink: &mut Sink<'_>,
) -> Result<(), Stop> {
    // Whatever the typed reader refuses as a whole (too large, not UTF-8, not an
    // array) it also names best.
    if input.len() > limits.input_bytes {
        return Err(Stop::Typed { done: 0 });
    }
    let Ok(text) = std::str::from_utf8(input) else {
        return Err(Stop::Typed { done: 0 });
    };
    let mut fast = Fast::new(input, text, limits, std::mem::take(&mut s.buffers));
    let result = fast.events(s, sink);
    s.buffers = fast.into_buffers();
    result
}

impl Fast<'_> {
    /// The events of the input array, as far as the fast path goes.
    fn events(&mut self, s: &mut Scrubber, sink: &mut Sink<'_>) -> Result<(), Stop> {
        let (input, limits) = (self.input, self.limits);
        let mut c = self.cur(0);
        c.ws();
        if !c.eat(b'[') {
            return Err(Stop::Typed { done: 0 });
        }
        c.ws();
        let mut index = 0usize;
        if !c.eat(b']') {
            loop {
                c.ws();
                let start = c.i;
                match self.parse_event(&mut c, &mut s.engine) {
                    Ok(plan) => {
                        s.engine.event_in();
                        if let Outcome::Emit = self.apply(&mut s.engine, plan) {
                            s.engine.event_out();
                            self.emit(Span { start, end: c.i }, sink.next());
                        }
                    }
                    Err(Bail) => {
                        // This one event goes the typed way, with the same engine: find
                        // its end, read it alone, scrub it and write it as the typed
                        // path would. Where the scanner refuses the value itself (an
                        // integer too long for it, say), its structure still tells
                        // where it ends, and the reader decides on those bytes.
                        c.i = start;
                        if c.skip_value(limits.json_depth.saturating_sub(1)).is_err() {
                            c.i = start;
                            if c.skip_extent().is_err() {
                                return Err(Stop::Typed { done: index });
                            }
                        }
                        let bytes = input.get(start..c.i).unwrap_or(&[]);
                        match crate::rrweb::read_one(bytes, index, limits) {
                            // Not an event the reader reads alone (its error would depend
                            // on the rest): the typed reader goes on from here.
                            None => return Err(Stop::Typed { done: index }),
                            Some(Err(e)) => return Err(Stop::Error(e)),
                            Some(Ok(e)) => {
                                if let Some(e) = s.scrub_event(e) {
                                    crate::rrweb::write_event(&e, sink.next());
                                }
                            }
                        }
                    }
                }
                index += 1;
                c.ws();
                if c.eat(b',') {
                    continue;
                }
                if c.eat(b']') {
                    break;
                }
                // A syntax error between events: the typed reader names it.
                return Err(Stop::Typed { done: index });
            }
        }
        c.ws();
        if c.i != input.len() {
            return Err(Stop::Typed { done: index });
        }
        Ok(())
    }
}

/// The typed path from event `done` on: the typed reader reads `input` up to its first
/// problem; the events after the first `done` are scrubbed with `s` and written, and
/// the problem, if any, is the error. (The fast path takes only what the reader reads
/// the same way, so the reader's first `done` events are the ones already scrubbed.)
fn typed_rest(
    s: &mut Scrubber,
    input: &[u8],
    limits: &Limits,
    done: usize,
    sink: &mut Sink<'_>,
) -> Result<(), RrwebError> {
    let read = crate::rrweb::Reader::new()
        .with_limits(*limits)
        .read_until_error(input);
    for e in read.events.into_iter().skip(done) {
        if let Some(e) = s.scrub_event(e) {
            crate::rrweb::write_event(&e, sink.next());
        }
    }
    read.errors.into_iter().next().map_or(Ok(()), Err)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn fast(input: &[u8]) -> Fast<'_> {
        let text = std::str::from_utf8(input).unwrap();
        Fast::new(
            input,
            text,
            Box::leak(Box::new(Limits::default())),
            Buffers::default(),
        )
    }
}
