//! The streaming path of [`scrub_rrweb_json`](super::scrub_rrweb_json): rrweb JSON is
//! scanned in place, the [`Scrubber`] decides exactly as it does for the model, and the
//! output copies every untouched byte span of the input, re-writing only the values
//! that change (masked text, scrubbed attributes, dropped children and array items).
//!
//! Each event is first parsed completely into borrowed spans without touching the
//! scrubber's state; only then are the decisions applied. Whatever the scanner does not
//! know for certain (unknown keys holding strings or containers, escaped keys, floats
//! where the model reads integers, style diffs, rare event kinds, anything near a limit)
//! makes that one event go through the typed path ([`crate::rrweb::read_one`], then
//! [`Scrubber::scrub_event`]) with the same scrubber, so the result is the same either
//! way; a test and the `scrub` fuzz target compare the two paths.
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
//! - the per-event buffers of [`Fast`] are cleared, never freed, between events: after
//!   the first few events an event costs no allocation unless a value changes.

mod apply;
mod parse;
mod scan;

use super::Scrubber;
use super::engine::Fate;
use crate::error::RrwebError;
use crate::limits::Limits;
use crate::privacy::{Policy, ScrubReport};
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
    /// Empty buffers over `input` (`text` is the same bytes, checked UTF-8).
    fn new(input: &'a [u8], text: &'a str, limits: &'a Limits) -> Self {
        Fast {
            input,
            text,
            limits,
            nodes: Vec::new(),
            attrs: Vec::new(),
            items: Vec::new(),
            stack: Vec::new(),
            edits: Vec::new(),
            buf: Vec::new(),
            ids: Vec::new(),
            kept: Vec::new(),
            keep_items: Vec::new(),
        }
    }

    /// Clears the per-event buffers (keeping their capacity).
    fn reset(&mut self) {
        self.nodes.clear();
        self.attrs.clear();
        self.items.clear();
        self.edits.clear();
        self.buf.clear();
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

/// The typed path over the whole input (for what the scanner cannot decide at the top
/// level, such as a syntax error: the typed reader names it exactly).
fn typed(
    input: &[u8],
    policy: &Policy,
    limits: &Limits,
) -> Result<(Vec<u8>, ScrubReport), RrwebError> {
    let events = crate::rrweb::Reader::new()
        .with_limits(*limits)
        .read(input)?;
    let (events, report) = super::scrub(events, policy);
    Ok((crate::rrweb::write_events(&events), report))
}

/// Scrubs rrweb JSON bytes to bytes, streaming; the same result as reading, scrubbing
/// and writing the model.
pub(super) fn scrub_json_stream(
    input: &[u8],
    policy: &Policy,
    limits: &Limits,
) -> Result<(Vec<u8>, ScrubReport), RrwebError> {
    // Whatever the typed reader refuses as a whole (too large, not UTF-8, not an
    // array) it also names best: the typed path over the whole input gives its error.
    if input.len() > limits.input_bytes {
        return typed(input, policy, limits);
    }
    let Ok(text) = std::str::from_utf8(input) else {
        return typed(input, policy, limits);
    };
    let mut fast = Fast::new(input, text, limits);
    let mut s = Scrubber::new(policy.clone());
    let mut out = Vec::with_capacity(input.len());
    let mut c = fast.cur(0);
    c.ws();
    if !c.eat(b'[') {
        return typed(input, policy, limits);
    }
    out.push(b'[');
    c.ws();
    let mut first = true;
    if !c.eat(b']') {
        let mut index = 0usize;
        loop {
            c.ws();
            let start = c.i;
            match fast.parse_event(&mut c, &mut s.engine) {
                Ok(plan) => {
                    s.engine.event_in();
                    if let Outcome::Emit = fast.apply(&mut s.engine, plan) {
                        s.engine.event_out();
                        if !first {
                            out.push(b',');
                        }
                        first = false;
                        fast.emit(Span { start, end: c.i }, &mut out);
                    }
                }
                Err(Bail) => {
                    // This one event goes the typed way, with the same engine: find its
                    // end (validating, within the depth limit), read it alone, scrub it
                    // and write it as the typed path would.
                    c.i = start;
                    if c.skip_value(limits.json_depth.saturating_sub(1)).is_err() {
                        return typed(input, policy, limits);
                    }
                    let bytes = input.get(start..c.i).unwrap_or(&[]);
                    match crate::rrweb::read_one(bytes, index, limits) {
                        // Not an event the reader reads alone (its error would depend on
                        // the rest): start over on the typed path.
                        None => return typed(input, policy, limits),
                        Some(Err(e)) => return Err(e),
                        Some(Ok(e)) => {
                            if let Some(e) = s.scrub_event(e) {
                                if !first {
                                    out.push(b',');
                                }
                                first = false;
                                crate::rrweb::write_event(&e, &mut out);
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
            return typed(input, policy, limits);
        }
    }
    out.push(b']');
    c.ws();
    if c.i != input.len() {
        return typed(input, policy, limits);
    }
    Ok((out, s.take_report()))
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn fast(input: &[u8]) -> Fast<'_> {
        let text = std::str::from_utf8(input).unwrap();
        Fast::new(input, text, Box::leak(Box::new(Limits::default())))
    }
}
