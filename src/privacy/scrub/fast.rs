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

use std::borrow::Cow;

use super::{
    AttrOutcome, AttributeChange, Fate, NO_PARENT, NodeLook, NodePrivacy, PackedAttrs, Place,
    ScrubAction, ScrubPlace, Scrubber, TextOutcome, TextPlan,
};
use crate::error::RrwebError;
use crate::limits::Limits;
use crate::model::NodeId;
use crate::privacy::{Policy, ScrubReport};

/// This event is not for the fast path; the typed path decides.
#[derive(Debug, Clone, Copy)]
struct Bail;
type R<T> = Result<T, Bail>;

/// A byte range of the input.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Span {
    start: usize,
    end: usize,
}

/// A JSON string: its whole span (quotes included) and whether it has escapes.
#[derive(Debug, Clone, Copy, Default)]
struct Str {
    span: Span,
    escaped: bool,
}

/// A scalar JSON value.
#[derive(Debug, Clone, Copy)]
enum Scalar {
    Str(Str),
    Int(i64),
    Float,
    Bool(bool),
    Null,
}

/// A scanner over the input. Every position it stops at is an ASCII byte, so the
/// spans it hands out are valid `str` boundaries.
struct Cur<'a> {
    b: &'a [u8],
    i: usize,
    /// Longest string content (raw bytes) allowed before bailing out.
    max_string: usize,
}

impl<'a> Cur<'a> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    #[inline]
    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.i += 1;
        }
    }

    #[inline]
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    #[inline]
    fn expect(&mut self, c: u8) -> R<()> {
        if self.eat(c) { Ok(()) } else { Err(Bail) }
    }

    fn hex4(&mut self) -> R<u32> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = match self.peek() {
                Some(c @ b'0'..=b'9') => c - b'0',
                Some(c @ b'a'..=b'f') => c - b'a' + 10,
                Some(c @ b'A'..=b'F') => c - b'A' + 10,
                _ => return Err(Bail),
            };
            v = v * 16 + u32::from(d);
            self.i += 1;
        }
        Ok(v)
    }

    /// A string starting at the current `"`, fully validated.
    #[inline]
    fn string(&mut self) -> R<Str> {
        let start = self.i;
        self.expect(b'"')?;
        let mut escaped = false;
        loop {
            // The common bytes first, eight at a time: everything but the quote,
            // backslash and control bytes.
            while let Some(chunk) = self.b.get(self.i..self.i + 8) {
                let mut w = [0u8; 8];
                w.copy_from_slice(chunk);
                let w = u64::from_le_bytes(w);
                const ONES: u64 = 0x0101_0101_0101_0101;
                const HIGH: u64 = 0x8080_8080_8080_8080;
                let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
                let special = zero(w ^ (ONES * u64::from(b'"')))
                    | zero(w ^ (ONES * u64::from(b'\\')))
                    | (w.wrapping_sub(ONES * 0x20) & !w & HIGH);
                if special != 0 {
                    // The first flagged byte (flags below a real one can be spurious
                    // only above it, so this never skips a special byte).
                    self.i += (special.trailing_zeros() / 8) as usize;
                    break;
                }
                self.i += 8;
            }
            match self.peek() {
                Some(b'"') => {
                    self.i += 1;
                    break;
                }
                Some(b'\\') => {
                    escaped = true;
                    self.escape()?;
                }
                // The last few bytes of the input, one at a time.
                Some(0x20..) => self.i += 1,
                _ => return Err(Bail), // a control byte or the end of input
            }
        }
        if self.i - start - 2 > self.max_string {
            return Err(Bail);
        }
        Ok(Str {
            span: Span { start, end: self.i },
            escaped,
        })
    }

    /// An escape sequence at the current `\\`, validated.
    #[cold]
    fn escape(&mut self) -> R<()> {
        self.i += 1;
        match self.peek() {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => self.i += 1,
            Some(b'u') => {
                self.i += 1;
                let u = self.hex4()?;
                if (0xD800..0xDC00).contains(&u) {
                    // A high surrogate needs its low half.
                    self.expect(b'\\')?;
                    self.expect(b'u')?;
                    let lo = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return Err(Bail);
                    }
                } else if (0xDC00..0xE000).contains(&u) {
                    return Err(Bail);
                }
            }
            _ => return Err(Bail),
        }
        Ok(())
    }

    fn digits(&mut self) -> usize {
        let from = self.i;
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
        self.i - from
    }

    /// A number in JSON's grammar: an integer if it has no fraction or exponent and
    /// fits an `i64`.
    #[inline]
    fn number(&mut self) -> R<Scalar> {
        let start = self.i;
        let neg = self.eat(b'-');
        let int_start = self.i;
        let mut v: i64 = 0;
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                while let Some(d @ b'0'..=b'9') = self.peek() {
                    v = v.wrapping_mul(10).wrapping_add(i64::from(d - b'0'));
                    self.i += 1;
                }
            }
            _ => return Err(Bail),
        }
        let int_end = self.i;
        let mut float = false;
        if self.eat(b'.') {
            float = true;
            if self.digits() == 0 {
                return Err(Bail);
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            float = true;
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(Bail);
            }
        }
        // serde_json reads `-0` as a float, and rejects what overflows an f64.
        if float || (neg && v == 0) {
            let finite = std::str::from_utf8(self.b.get(start..self.i).unwrap_or_default())
                .ok()
                .and_then(|t| t.parse::<f64>().ok())
                .is_some_and(f64::is_finite);
            return if finite { Ok(Scalar::Float) } else { Err(Bail) };
        }
        // At most 19 digits fit; longer integers go the typed way.
        if int_end - int_start > 18 {
            return Err(Bail);
        }
        Ok(Scalar::Int(if neg { -v } else { v }))
    }

    fn literal(&mut self, word: &[u8]) -> R<()> {
        if self.b.get(self.i..self.i + word.len()) == Some(word) {
            self.i += word.len();
            Ok(())
        } else {
            Err(Bail)
        }
    }

    /// A scalar value; containers bail.
    #[inline]
    fn scalar(&mut self) -> R<Scalar> {
        match self.peek() {
            Some(b'"') => Ok(Scalar::Str(self.string()?)),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.literal(b"true").map(|()| Scalar::Bool(true)),
            Some(b'f') => self.literal(b"false").map(|()| Scalar::Bool(false)),
            Some(b'n') => self.literal(b"null").map(|()| Scalar::Null),
            _ => Err(Bail),
        }
    }

    #[inline]
    fn int(&mut self) -> R<i64> {
        match self.scalar()? {
            Scalar::Int(i) => Ok(i),
            _ => Err(Bail),
        }
    }

    #[inline]
    fn id(&mut self) -> R<i32> {
        i32::try_from(self.int()?).map_err(|_| Bail)
    }

    #[inline]
    fn num(&mut self) -> R<()> {
        match self.scalar()? {
            Scalar::Int(_) | Scalar::Float => Ok(()),
            _ => Err(Bail),
        }
    }

    #[inline]
    fn boolean(&mut self) -> R<(bool, Span)> {
        let start = self.i;
        match self.scalar()? {
            Scalar::Bool(b) => Ok((b, Span { start, end: self.i })),
            _ => Err(Bail),
        }
    }

    #[inline]
    fn str_value(&mut self) -> R<Str> {
        match self.scalar()? {
            Scalar::Str(s) => Ok(s),
            _ => Err(Bail),
        }
    }

    /// An unescaped key followed by `:`; returns its bytes.
    #[inline]
    fn key(&mut self) -> R<&'a [u8]> {
        let k = self.string()?;
        if k.escaped {
            return Err(Bail);
        }
        self.ws();
        self.expect(b':')?;
        self.ws();
        self.b.get(k.span.start + 1..k.span.end - 1).ok_or(Bail)
    }

    /// A value under a key the fast path does not interpret: a number, boolean or
    /// null passes through (the typed path would not change it); anything that could
    /// carry text bails.
    #[inline]
    fn opaque(&mut self) -> R<()> {
        match self.scalar()? {
            Scalar::Str(_) => Err(Bail),
            _ => Ok(()),
        }
    }

    /// After a member: `,` (more follow, true) or `}` (false).
    #[inline]
    fn next_member(&mut self) -> R<bool> {
        self.ws();
        if self.eat(b',') {
            self.ws();
            Ok(true)
        } else {
            self.expect(b'}')?;
            Ok(false)
        }
    }

    /// Opens an object: true if it has members.
    #[inline]
    fn open_object(&mut self) -> R<bool> {
        self.expect(b'{')?;
        self.ws();
        Ok(!self.eat(b'}'))
    }

    /// Skips any JSON value, validating it, iteratively; nesting beyond `depth_left`
    /// bails.
    fn skip_value(&mut self, depth_left: usize) -> R<()> {
        let mut stack: Vec<bool> = Vec::new(); // true: object
        loop {
            self.ws();
            // A value.
            match self.peek() {
                Some(b'{') => {
                    self.i += 1;
                    self.ws();
                    if !self.eat(b'}') {
                        stack.push(true);
                        if stack.len() > depth_left {
                            return Err(Bail);
                        }
                        self.string()?;
                        self.ws();
                        self.expect(b':')?;
                        continue;
                    }
                }
                Some(b'[') => {
                    self.i += 1;
                    self.ws();
                    if !self.eat(b']') {
                        stack.push(false);
                        if stack.len() > depth_left {
                            return Err(Bail);
                        }
                        continue;
                    }
                }
                _ => {
                    self.scalar()?;
                }
            }
            // After a value: close containers or go on to the next member/element.
            loop {
                let Some(&obj) = stack.last() else {
                    return Ok(());
                };
                self.ws();
                if self.eat(b',') {
                    if obj {
                        self.ws();
                        self.string()?;
                        self.ws();
                        self.expect(b':')?;
                    }
                    break;
                }
                self.expect(if obj { b'}' } else { b']' })?;
                stack.pop();
            }
        }
    }
}

/// One node of a tree, in pre-order.
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

/// The fast path's reusable buffers.
struct Fast<'a> {
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

const NODE_KEYS_BOOL: [&[u8]; 5] = [
    b"isSVG",
    b"needBlock",
    b"isCustom",
    b"isShadowHost",
    b"isShadow",
];

impl<'a> Fast<'a> {
    fn reset(&mut self) {
        self.nodes.clear();
        self.attrs.clear();
        self.items.clear();
        self.edits.clear();
        self.buf.clear();
    }

    fn cur(&self, i: usize) -> Cur<'a> {
        Cur {
            b: self.input,
            i,
            max_string: self.limits.string_len,
        }
    }

    /// The unescaped content of a string.
    fn unescape(&self, s: Str) -> Cow<'a, str> {
        let inner = self
            .text
            .get(s.span.start + 1..s.span.end.saturating_sub(1))
            .unwrap_or("");
        if !s.escaped {
            return Cow::Borrowed(inner);
        }
        let mut out = String::with_capacity(inner.len());
        let mut rest = inner;
        // Runs without a backslash are copied whole.
        while let Some(p) = rest.find('\\') {
            out.push_str(rest.get(..p).unwrap_or(""));
            let esc = rest.get(p + 1..).unwrap_or("");
            let mut chars = esc.chars();
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('b') => out.push('\u{8}'),
                Some('f') => out.push('\u{c}'),
                Some('u') => {
                    let hex = |s: &str| {
                        s.get(..4)
                            .and_then(|h| u32::from_str_radix(h, 16).ok())
                            .unwrap_or(0xFFFD)
                    };
                    let hi = hex(esc.get(1..).unwrap_or(""));
                    let (code, used) = if (0xD800..0xDC00).contains(&hi) {
                        // Validated by the scanner: `\uXXXX` follows.
                        let lo = hex(esc.get(7..).unwrap_or(""));
                        (
                            0x10000 + ((hi - 0xD800) << 10) + (lo.wrapping_sub(0xDC00) & 0x3FF),
                            11,
                        )
                    } else {
                        (hi, 5)
                    };
                    out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                    rest = esc.get(used..).unwrap_or("");
                    continue;
                }
                Some(other) => out.push(other), // `"`, `\`, `/`
                None => {}
            }
            rest = esc.get(1..).unwrap_or("");
        }
        out.push_str(rest);
        Cow::Owned(out)
    }

    // ---- parsing (no scrubber state is touched) ----

    /// Parses one event at `c`; on success `c` is just past it.
    fn parse_event(&mut self, c: &mut Cur<'a>, s: &mut Scrubber) -> R<Plan> {
        self.reset();
        if !c.open_object()? {
            return Err(Bail);
        }
        let mut ty: Option<i64> = None;
        let mut timestamp = false;
        let mut plan: Option<Plan> = None;
        loop {
            match c.key()? {
                b"type" if ty.is_none() => ty = Some(c.int()?),
                b"timestamp" if !timestamp => {
                    c.int()?;
                    timestamp = true;
                }
                b"data" if plan.is_none() => {
                    plan = Some(match ty {
                        Some(0 | 1) => {
                            // Only the usual empty object passes through here.
                            if c.open_object()? {
                                return Err(Bail);
                            }
                            Plan::Verbatim
                        }
                        Some(2) => self.parse_full_snapshot(c)?,
                        Some(3) => self.parse_incremental(c, s)?,
                        Some(4) => self.parse_meta(c)?,
                        _ => return Err(Bail),
                    });
                }
                _ => c.opaque()?,
            }
            if !c.next_member()? {
                break;
            }
        }
        if !timestamp {
            return Err(Bail);
        }
        match (ty, plan) {
            (Some(_), Some(p)) => Ok(p),
            (Some(0 | 1), None) => Ok(Plan::Verbatim),
            _ => Err(Bail),
        }
    }

    fn parse_meta(&mut self, c: &mut Cur<'a>) -> R<Plan> {
        if !c.open_object()? {
            return Err(Bail);
        }
        let (mut href, mut width, mut height) = (None, false, false);
        loop {
            match c.key()? {
                b"href" if href.is_none() => href = Some(c.str_value()?),
                b"width" if !width => {
                    c.num()?;
                    width = true;
                }
                b"height" if !height => {
                    c.num()?;
                    height = true;
                }
                _ => c.opaque()?,
            }
            if !c.next_member()? {
                break;
            }
        }
        match href {
            Some(href) if width && height => Ok(Plan::Meta { href }),
            _ => Err(Bail),
        }
    }

    fn parse_full_snapshot(&mut self, c: &mut Cur<'a>) -> R<Plan> {
        if !c.open_object()? {
            return Err(Bail);
        }
        let (mut nodes, mut offset) = (None, false);
        loop {
            match c.key()? {
                b"node" if nodes.is_none() => nodes = Some(self.parse_tree(c, 3)?),
                b"initialOffset" if !offset => {
                    if !c.open_object()? {
                        return Err(Bail);
                    }
                    let (mut top, mut left) = (false, false);
                    loop {
                        match c.key()? {
                            b"top" if !top => top = true,
                            b"left" if !left => left = true,
                            _ => return Err(Bail),
                        }
                        c.num()?;
                        if !c.next_member()? {
                            break;
                        }
                    }
                    if !(top && left) {
                        return Err(Bail);
                    }
                    offset = true;
                }
                _ => c.opaque()?,
            }
            if !c.next_member()? {
                break;
            }
        }
        match nodes {
            Some(nodes) if offset => Ok(Plan::FullSnapshot { nodes }),
            _ => Err(Bail),
        }
    }

    fn parse_incremental(&mut self, c: &mut Cur<'a>, s: &mut Scrubber) -> R<Plan> {
        if !c.open_object()? {
            return Err(Bail);
        }
        if c.key()? != b"source" {
            return Err(Bail);
        }
        let source = c.int()?;
        let more = c.next_member()?;
        match source {
            0 => self.parse_mutation(c, more),
            1 | 6 | 12 => {
                let mut positions = false;
                if more {
                    loop {
                        match c.key()? {
                            b"positions" if !positions => {
                                self.parse_positions(c, s)?;
                                positions = true;
                            }
                            _ => c.opaque()?,
                        }
                        if !c.next_member()? {
                            break;
                        }
                    }
                }
                if positions {
                    Ok(Plan::Verbatim)
                } else {
                    Err(Bail)
                }
            }
            2..=5 => {
                if !more {
                    return Err(Bail);
                }
                self.parse_small_incremental(c, s, source)
            }
            _ => Err(Bail),
        }
    }

    /// Mouse interaction, scroll, viewport and input: flat objects of known fields.
    fn parse_small_incremental(
        &mut self,
        c: &mut Cur<'a>,
        s: &mut Scrubber,
        source: i64,
    ) -> R<Plan> {
        let mut id: Option<i32> = None;
        let mut text: Option<Str> = None;
        let mut checked: Option<(bool, Span)> = None;
        let mut seen = 0u32;
        loop {
            let key = c.key()?;
            let bit = match (source, key) {
                (2 | 3 | 5, b"id") => {
                    id = Some(c.id()?);
                    1
                }
                (2, b"type") => {
                    c.int()?;
                    2
                }
                (2, b"pointerType") => {
                    c.int()?;
                    4
                }
                (2 | 3, b"x") => {
                    c.num()?;
                    8
                }
                (2 | 3, b"y") => {
                    c.num()?;
                    16
                }
                (4, b"width") => {
                    c.num()?;
                    32
                }
                (4, b"height") => {
                    c.num()?;
                    64
                }
                (5, b"text") => {
                    text = Some(c.str_value()?);
                    128
                }
                (5, b"isChecked") => {
                    checked = Some(c.boolean()?);
                    256
                }
                (5, b"userTriggered") => {
                    c.boolean()?;
                    512
                }
                _ => {
                    c.opaque()?;
                    0
                }
            };
            if bit != 0 {
                if seen & bit != 0 {
                    return Err(Bail); // a duplicate key
                }
                seen |= bit;
            }
            if !c.next_member()? {
                break;
            }
        }
        let required = match source {
            2 => 1 | 2,
            3 => 1 | 8 | 16,
            4 => 32 | 64,
            _ => 1 | 128 | 256,
        };
        if seen & required != required {
            return Err(Bail);
        }
        match (source, id, text, checked) {
            (5, Some(id), Some(text), Some(checked)) => Ok(Plan::Input { id, text, checked }),
            // Events on a node that is not in the output are retargeted or dropped by
            // the typed path.
            (2 | 3, Some(id), _, _) if s.dropped(NodeId(id)) => Err(Bail),
            _ => Ok(Plan::Verbatim),
        }
    }

    fn parse_positions(&mut self, c: &mut Cur<'a>, s: &mut Scrubber) -> R<()> {
        c.expect(b'[')?;
        c.ws();
        if c.eat(b']') {
            return Ok(());
        }
        loop {
            if !c.open_object()? {
                return Err(Bail);
            }
            let mut seen = 0u8;
            loop {
                let bit = match c.key()? {
                    b"x" => 1,
                    b"y" => 2,
                    b"timeOffset" => 4,
                    b"id" => {
                        if s.dropped(NodeId(c.id()?)) {
                            return Err(Bail);
                        }
                        8
                    }
                    _ => {
                        c.opaque()?;
                        0
                    }
                };
                if bit & 7 != 0 {
                    c.num()?;
                }
                if bit != 0 {
                    if seen & bit != 0 {
                        return Err(Bail);
                    }
                    seen |= bit;
                }
                if !c.next_member()? {
                    break;
                }
            }
            if seen != 15 {
                return Err(Bail);
            }
            c.ws();
            if !c.eat(b',') {
                c.expect(b']')?;
                return Ok(());
            }
            c.ws();
        }
    }

    fn parse_mutation(&mut self, c: &mut Cur<'a>, more: bool) -> R<Plan> {
        let mut arrays: [Option<LArray>; 4] = [None; 4];
        let mut iframe = false;
        if more {
            loop {
                let key = c.key()?;
                let slot = match key {
                    b"texts" => 0,
                    b"attributes" => 1,
                    b"removes" => 2,
                    b"adds" => 3,
                    b"isAttachIframe" if !iframe => {
                        iframe = true;
                        c.boolean()?;
                        4
                    }
                    _ => {
                        c.opaque()?;
                        4
                    }
                };
                if let Some(a) = arrays.get_mut(slot) {
                    if a.is_some() {
                        return Err(Bail);
                    }
                    *a = Some(self.parse_array(c, slot)?);
                }
                if !c.next_member()? {
                    break;
                }
            }
        }
        match arrays {
            [Some(texts), Some(attributes), Some(removes), Some(adds)] => Ok(Plan::Mutation {
                texts,
                attributes,
                removes,
                adds,
            }),
            _ => Err(Bail),
        }
    }

    /// One of a mutation's arrays: 0 texts, 1 attributes, 2 removes, 3 adds.
    fn parse_array(&mut self, c: &mut Cur<'a>, slot: usize) -> R<LArray> {
        let start = c.i;
        let first = self.items.len() as u32;
        c.expect(b'[')?;
        c.ws();
        if !c.eat(b']') {
            loop {
                let item = self.parse_item(c, slot)?;
                self.items.push(item);
                c.ws();
                if !c.eat(b',') {
                    c.expect(b']')?;
                    break;
                }
                c.ws();
            }
        }
        Ok(LArray {
            items: (first, self.items.len() as u32),
            span: Span { start, end: c.i },
        })
    }

    fn parse_item(&mut self, c: &mut Cur<'a>, slot: usize) -> R<LItem> {
        let start = c.i;
        if !c.open_object()? {
            return Err(Bail);
        }
        let mut item = LItem {
            span: Span::default(),
            id: 0,
            parent: 0,
            value: None,
            value_span: Span::default(),
            range: (0, 0),
            obj_span: Span::default(),
        };
        let mut seen = 0u8;
        loop {
            let key = c.key()?;
            let bit = match (slot, key) {
                (_, b"id") if slot != 3 => {
                    item.id = c.id()?;
                    1
                }
                (0, b"value") => {
                    let vs = c.i;
                    match c.scalar()? {
                        Scalar::Str(s) => item.value = Some(s),
                        Scalar::Null => {}
                        _ => return Err(Bail),
                    }
                    item.value_span = Span {
                        start: vs,
                        end: c.i,
                    };
                    2
                }
                (1, b"attributes") => {
                    let vs = c.i;
                    item.range = self.parse_attrs(c)?;
                    item.obj_span = Span {
                        start: vs,
                        end: c.i,
                    };
                    2
                }
                (2 | 3, b"parentId") => {
                    item.parent = c.id()?;
                    4
                }
                (2, b"isShadow") => {
                    c.boolean()?;
                    8
                }
                (3, b"nextId") => {
                    match c.scalar()? {
                        Scalar::Int(i) if i32::try_from(i).is_ok() => {}
                        Scalar::Null => {}
                        _ => return Err(Bail),
                    }
                    16
                }
                (3, b"previousId") => {
                    match c.scalar()? {
                        Scalar::Int(i) if i32::try_from(i).is_ok() => {}
                        Scalar::Null => {}
                        _ => return Err(Bail),
                    }
                    32
                }
                (3, b"node") => {
                    item.range = self.parse_tree(c, 6)?;
                    let root = self.nodes.get(item.range.0 as usize).ok_or(Bail)?;
                    item.id = root.id.ok_or(Bail)?;
                    64
                }
                _ => {
                    c.opaque()?;
                    0
                }
            };
            if bit != 0 {
                if seen & bit != 0 {
                    return Err(Bail);
                }
                seen |= bit;
            }
            if !c.next_member()? {
                break;
            }
        }
        let required = match slot {
            0 | 1 => 1 | 2,
            2 => 1 | 4,
            _ => 4 | 16 | 64,
        };
        if seen & required != required {
            return Err(Bail);
        }
        item.span = Span { start, end: c.i };
        Ok(item)
    }

    /// An attributes object of scalar values; returns its range in `attrs`.
    fn parse_attrs(&mut self, c: &mut Cur<'a>) -> R<(u32, u32)> {
        let first = self.attrs.len() as u32;
        if c.open_object()? {
            loop {
                let name = c.string()?;
                if name.escaped {
                    return Err(Bail); // the mirror matches names as written
                }
                c.ws();
                c.expect(b':')?;
                c.ws();
                let vs = c.i;
                let value = c.scalar()?;
                if let Scalar::Float = value {
                    // `Num::to_string` of a float may not be its JSON text: typed path.
                    return Err(Bail);
                }
                self.attrs.push(LAttr {
                    name,
                    value,
                    value_span: Span {
                        start: vs,
                        end: c.i,
                    },
                });
                if !c.next_member()? {
                    break;
                }
            }
        }
        let last = self.attrs.len() as u32;
        // Duplicate names: the typed path keeps both; rare enough to leave to it.
        if last - first > 1 {
            let names = self.attrs.get(first as usize..last as usize).unwrap_or(&[]);
            for (i, a) in names.iter().enumerate() {
                let ab = self.input.get(a.name.span.start..a.name.span.end);
                if names
                    .iter()
                    .skip(i + 1)
                    .any(|b| self.input.get(b.name.span.start..b.name.span.end) == ab)
                {
                    return Err(Bail);
                }
            }
        }
        Ok((first, last))
    }

    /// A node tree, iteratively, in pre-order; `depth` is the JSON nesting of the root
    /// object. Returns the range in `nodes`.
    fn parse_tree(&mut self, c: &mut Cur<'a>, depth: usize) -> R<(u32, u32)> {
        let first = self.nodes.len();
        self.stack.clear();
        c.expect(b'{')?;
        let mut cur: usize;
        // Just consumed a node's `{`.
        'open: loop {
            cur = self.nodes.len();
            if cur - first >= self.limits.nodes
                || depth + 2 * self.stack.len() + 2 >= self.limits.json_depth
            {
                return Err(Bail);
            }
            self.nodes.push(LNode {
                parent: self.stack.last().map(|&p| p - first as u32),
                ..LNode::default()
            });
            c.ws();
            let mut more = !c.eat(b'}');
            loop {
                if more {
                    let key = c.key()?;
                    let kind = self.nodes.get(cur).and_then(|n| n.kind);
                    let node = self.nodes.get_mut(cur).ok_or(Bail)?;
                    match (key, kind) {
                        (b"type", None) => {
                            let t = c.int()?;
                            if !(0..=5).contains(&t) {
                                return Err(Bail);
                            }
                            node.kind = Some(t);
                        }
                        (b"id", _) if node.id.is_none() => node.id = Some(c.id()?),
                        (b"tagName", Some(2)) if node.tag.is_none() => {
                            node.tag = Some(c.str_value()?)
                        }
                        (b"textContent", Some(3..=5)) if node.text.is_none() => {
                            node.text = Some(c.str_value()?)
                        }
                        (b"isStyle", Some(3)) => node.is_style = c.boolean()?.0,
                        (b"name", Some(1)) if node.doctype_fields & 1 == 0 => {
                            node.doctype_fields |= 1;
                            c.str_value()?;
                        }
                        (b"publicId", Some(1)) if node.doctype_fields & 2 == 0 => {
                            node.doctype_fields |= 2;
                            c.str_value()?;
                        }
                        (b"systemId", Some(1)) if node.doctype_fields & 4 == 0 => {
                            node.doctype_fields |= 4;
                            c.str_value()?;
                        }
                        (b"compatMode", Some(0)) => {
                            let _ = c.str_value()?;
                        }
                        (b"rootId", _) => {
                            c.int()?;
                        }
                        (b"attributes", Some(2)) if node.attrs_span.is_none() => {
                            let vs = c.i;
                            let range = self.parse_attrs(c)?;
                            let node = self.nodes.get_mut(cur).ok_or(Bail)?;
                            node.attrs = range;
                            node.attrs_span = Some(Span {
                                start: vs,
                                end: c.i,
                            });
                        }
                        (b"childNodes", Some(_)) if node.children_span.is_none() => {
                            node.children_start = c.i;
                            c.expect(b'[')?;
                            c.ws();
                            if c.eat(b']') {
                                node.children_span = Some(Span {
                                    start: node.children_start,
                                    end: c.i,
                                });
                            } else {
                                self.stack.push(cur as u32);
                                c.expect(b'{')?;
                                continue 'open;
                            }
                        }
                        (k, _) if NODE_KEYS_BOOL.contains(&k) => {
                            c.boolean()?;
                        }
                        _ => c.opaque()?,
                    }
                    more = c.next_member()?;
                    continue;
                }
                // The node's `}` has been read.
                let node = self.nodes.get(cur).ok_or(Bail)?;
                let complete = node.id.is_some()
                    && match node.kind {
                        Some(0) => true,
                        Some(1) => node.doctype_fields == 7,
                        Some(2) => node.tag.is_some(),
                        Some(3..=5) => node.text.is_some(),
                        _ => false,
                    };
                if !complete {
                    return Err(Bail);
                }
                let Some(&parent) = self.stack.last() else {
                    return Ok((first as u32, self.nodes.len() as u32));
                };
                c.ws();
                if c.eat(b',') {
                    c.ws();
                    c.expect(b'{')?;
                    continue 'open;
                }
                c.expect(b']')?;
                self.stack.pop();
                cur = parent as usize;
                let p = self.nodes.get_mut(cur).ok_or(Bail)?;
                p.children_span = Some(Span {
                    start: p.children_start,
                    end: c.i,
                });
                more = c.next_member()?;
            }
        }
    }

    // ---- applying (the scrubber decides; edits are collected) ----

    fn push_edit(&mut self, span: Span, rep: &[u8]) {
        let from = self.buf.len();
        self.buf.extend_from_slice(rep);
        self.edits.push(Edit {
            start: span.start,
            end: span.end,
            rep: (from, self.buf.len()),
        });
    }

    /// Whether a string is only spaces and whitespace escapes (`\n`, `\t`, `\r`, `\f`).
    fn raw_blank(&self, t: Str) -> bool {
        let b = self
            .input
            .get(t.span.start + 1..t.span.end.saturating_sub(1))
            .unwrap_or(&[]);
        let mut i = 0;
        while let Some(&c) = b.get(i) {
            match (c, b.get(i + 1)) {
                (b' ', _) => i += 1,
                (b'\\', Some(b'n' | b't' | b'r' | b'f')) => i += 2,
                _ => return false,
            }
        }
        true
    }

    /// Replaces string `t` by its plain mask (each non-whitespace character a `*`),
    /// written straight from the escaped input: an escape is one character, and the
    /// whitespace ones are kept as they were written.
    fn push_masked_edit(&mut self, t: Str) {
        let from = self.buf.len();
        let inner = self
            .text
            .get(t.span.start + 1..t.span.end.saturating_sub(1))
            .unwrap_or("");
        self.buf.push(b'"');
        let mut rest = inner;
        loop {
            // A run of plain ASCII first, byte by byte.
            let run = rest
                .bytes()
                .position(|b| b == b'\\' || b >= 0x80)
                .unwrap_or(rest.len());
            self.buf.extend(
                rest.as_bytes()
                    .get(..run)
                    .unwrap_or(&[])
                    .iter()
                    .map(|&b| if b == b' ' { b' ' } else { b'*' }),
            );
            rest = rest.get(run..).unwrap_or("");
            let Some(c) = rest.chars().next() else { break };
            let len = if c == '\\' {
                let esc = rest.get(1..).unwrap_or("");
                let (ch, len) = match esc.as_bytes().first() {
                    Some(b'n') => (Some('\n'), 2),
                    Some(b't') => (Some('\t'), 2),
                    Some(b'r') => (Some('\r'), 2),
                    Some(b'f') => (Some('\u{c}'), 2),
                    Some(b'u') => {
                        let hex =
                            |s: &str| s.get(..4).and_then(|h| u32::from_str_radix(h, 16).ok());
                        match hex(esc.get(1..).unwrap_or("")) {
                            // A surrogate pair (validated by the scanner) is one character,
                            // and never whitespace.
                            Some(hi) if (0xD800..0xDC00).contains(&hi) => (None, 12),
                            Some(code) => (char::from_u32(code), 6),
                            None => (None, 2),
                        }
                    }
                    _ => (None, 2),
                };
                match ch {
                    Some(w) if w.is_whitespace() => self
                        .buf
                        .extend_from_slice(rest.get(..len).unwrap_or("").as_bytes()),
                    _ => self.buf.push(b'*'),
                }
                len
            } else {
                if c.is_whitespace() {
                    let mut tmp = [0u8; 4];
                    self.buf
                        .extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
                } else {
                    self.buf.push(b'*');
                }
                c.len_utf8()
            };
            rest = rest.get(len..).unwrap_or("");
        }
        self.buf.push(b'"');
        self.edits.push(Edit {
            start: t.span.start,
            end: t.span.end,
            rep: (from, self.buf.len()),
        });
    }

    fn push_string_edit(&mut self, span: Span, value: &str) {
        let from = self.buf.len();
        write_json_string(&mut self.buf, value);
        self.edits.push(Edit {
            start: span.start,
            end: span.end,
            rep: (from, self.buf.len()),
        });
    }

    /// The node as the mirror sees it; a text's content only if the mirror keeps it
    /// (`keep_text`) and it is not blank.
    fn look(&self, n: &LNode, keep_text: bool) -> NodeLook<'a> {
        match n.kind {
            Some(2) => NodeLook::Element {
                tag: n.tag.map_or(Cow::Borrowed(""), |t| self.unescape(t)),
                attrs: {
                    let list = self
                        .attrs
                        .get(n.attrs.0 as usize..n.attrs.1 as usize)
                        .unwrap_or(&[]);
                    // The raw spans bound the unescaped lengths.
                    let bytes = list
                        .iter()
                        .filter(|a| !super::mirror_skips_attr(self.name_str(a.name)))
                        .map(|a| {
                            a.name.span.end - a.name.span.start + a.value_span.end
                                - a.value_span.start
                        })
                        .sum();
                    let mut p = PackedAttrs::with_capacity(bytes);
                    for a in list {
                        let name = self.name_str(a.name);
                        if !super::mirror_skips_attr(name)
                            && let Some(v) = self.attr_text(a)
                        {
                            p.push(name, &v);
                        }
                    }
                    p
                },
            },
            Some(3..=5) => NodeLook::Text(match n.text {
                Some(t) if keep_text && !self.raw_blank(t) => self.unescape(t),
                _ => Cow::Borrowed(""),
            }),
            Some(0) => NodeLook::Document,
            _ => NodeLook::Other,
        }
    }

    fn name_str(&self, s: Str) -> &'a str {
        match self.unescape(s) {
            Cow::Borrowed(t) => t,
            Cow::Owned(_) => "",
        }
    }

    /// An attribute's value as the mirror sees it (`AttrValue::as_text`).
    fn attr_text(&self, a: &LAttr) -> Option<Cow<'a, str>> {
        match a.value {
            Scalar::Str(s) => Some(self.unescape(s)),
            Scalar::Int(i) => Some(Cow::Owned(i.to_string())),
            Scalar::Bool(true) => Some(Cow::Borrowed("")),
            _ => None,
        }
    }

    /// Puts node `i` in the mirror under `parent`.
    fn insert(&self, s: &mut Scrubber, i: usize, parent: i32) {
        let Some(n) = self.nodes.get(i) else { return };
        let Some(id) = n.id else { return };
        let look = self.look(n, s.keeps_text_under(parent));
        s.insert_raw(parent, id, look);
    }

    /// The fast form of `Scrubber::scrub_tree` over `nodes[range]`.
    /// `root_in_place`: the root is already in the mirror as this batch put it there
    /// (see `apply_mutation`), so inserting it again would change nothing.
    fn apply_tree(
        &mut self,
        s: &mut Scrubber,
        range: (u32, u32),
        parent: i32,
        place: &ScrubPlace,
        root_in_place: bool,
    ) -> bool {
        let (first, last) = (range.0 as usize, range.1 as usize);
        let mut ids = std::mem::take(&mut self.ids);
        let mut kept = std::mem::take(&mut self.kept);
        ids.clear();
        kept.clear();
        for i in first..last {
            let Some(n) = self.nodes.get(i) else { break };
            let (id, local_parent) = (n.id.unwrap_or(0), n.parent);
            let parent_id = match local_parent {
                Some(p) => ids.get(p as usize).copied().unwrap_or(parent),
                None => parent,
            };
            ids.push(id);
            if root_in_place && i == first {
                // What the refresh would do, without building the same data again.
                s.refresh_privacy(id);
            } else {
                self.insert(s, i, parent_id);
            }
            let p = s.ensure(id);
            let parent_fate = local_parent.and_then(|pi| kept.get(pi as usize).copied());
            let fate = s.tree_fate(id, p, parent_fate);
            kept.push(fate);
            if fate == Fate::Dropped {
                continue;
            }
            self.scrub_node(s, i, id, parent_id, place);
            if fate == Fate::KeptBlocked {
                s.report.add(ScrubAction::ElementBlocked, place.into());
                if let Some(span) = self.nodes.get(i).and_then(|n| n.children_span)
                    && span.end - span.start > 2
                {
                    self.push_edit(span, b"[]");
                }
            }
        }
        let root_kept = kept.first().is_some_and(|&f| f != Fate::Dropped);
        self.ids = ids;
        self.kept = kept;
        root_kept
    }

    /// The fast form of `Scrubber::scrub_node`.
    fn scrub_node(&mut self, s: &mut Scrubber, i: usize, id: i32, parent: i32, place: &ScrubPlace) {
        let Some(n) = self.nodes.get(i) else { return };
        match n.kind {
            Some(2) => {
                let (a, b) = (n.attrs.0 as usize, n.attrs.1 as usize);
                let Some(span) = n.attrs_span else { return };
                self.scrub_attrs(s, id, a, b, span);
            }
            Some(3) => {
                let Some(t) = n.text else { return };
                if self.raw_blank(t) {
                    return; // whitespace stays as it is, in any parent
                }
                let is_style = n.is_style;
                let text = self.unescape(t);
                let parent_tag = s.tag_of(parent);
                match s.text_plan(&text, &parent_tag, is_style, parent, place) {
                    TextPlan::Keep => {}
                    TextPlan::Set(new) => self.push_string_edit(t.span, &new),
                    TextPlan::MaskEachChar => self.push_masked_edit(t),
                }
            }
            Some(4 | 5) => {
                let Some(t) = n.text else { return };
                if let Some(new) = s.comment_text(&self.unescape(t)) {
                    self.push_string_edit(t.span, &new);
                }
            }
            _ => {}
        }
    }

    /// Scrubs `attrs[a..b]` of element `id`; rewrites the object at `span` if any
    /// attribute changes.
    fn scrub_attrs(&mut self, s: &mut Scrubber, id: i32, a: usize, b: usize, span: Span) {
        let mut outcomes: Vec<(usize, AttrOutcome)> = Vec::new();
        for k in a..b {
            let Some(&attr) = self.attrs.get(k) else {
                break;
            };
            let name = self.unescape(attr.name);
            let o = match attr.value {
                Scalar::Str(v) => s.attr_outcome(id, &name, &self.unescape(v)),
                Scalar::Null => s.scalar_attr_outcome(id, &name, true),
                _ => s.scalar_attr_outcome(id, &name, false),
            };
            if !matches!(o, AttrOutcome::Keep) {
                outcomes.push((k, o));
            }
        }
        if outcomes.is_empty() {
            return;
        }
        let from = self.buf.len();
        self.buf.push(b'{');
        let mut first = true;
        let mut changed = outcomes.into_iter().peekable();
        for k in a..b {
            let Some(&attr) = self.attrs.get(k) else {
                break;
            };
            let outcome = match changed.peek() {
                Some((j, _)) if *j == k => changed.next().map(|(_, o)| o),
                _ => None,
            };
            if matches!(outcome, Some(AttrOutcome::Remove)) {
                continue;
            }
            if !first {
                self.buf.push(b',');
            }
            first = false;
            self.buf.extend_from_slice(
                self.input
                    .get(attr.name.span.start..attr.name.span.end)
                    .unwrap_or(b"\"\""),
            );
            self.buf.push(b':');
            match outcome {
                Some(AttrOutcome::Set(v)) => write_json_string(&mut self.buf, &v),
                _ => self.buf.extend_from_slice(
                    self.input
                        .get(attr.value_span.start..attr.value_span.end)
                        .unwrap_or(b"null"),
                ),
            }
        }
        self.buf.push(b'}');
        self.edits.push(Edit {
            start: span.start,
            end: span.end,
            rep: (from, self.buf.len()),
        });
    }

    /// Drops the array items whose `keep` is false and appends `extra` (JSON items,
    /// comma separated) at the end of the array.
    fn filter_array(&mut self, arr: LArray, keep: &[bool], extra: &[u8]) {
        let items: Vec<Span> = self
            .items
            .get(arr.items.0 as usize..arr.items.1 as usize)
            .unwrap_or(&[])
            .iter()
            .map(|it| it.span)
            .collect();
        let n = items.len();
        let mut any_kept = false;
        let mut i = 0;
        while i < n {
            if keep.get(i).copied().unwrap_or(true) {
                any_kept = true;
                i += 1;
                continue;
            }
            let mut j = i;
            while j + 1 < n && !keep.get(j + 1).copied().unwrap_or(true) {
                j += 1;
            }
            let (Some(&first), Some(&last)) = (items.get(i), items.get(j)) else {
                break;
            };
            let span = if i > 0 {
                // From the end of the kept item before: the commas go with the run.
                Span {
                    start: items.get(i - 1).map_or(first.start, |p| p.end),
                    end: last.end,
                }
            } else if let Some(next) = items.get(j + 1) {
                Span {
                    start: first.start,
                    end: next.start,
                }
            } else {
                Span {
                    start: first.start,
                    end: last.end,
                }
            };
            self.push_edit(span, b"");
            i = j + 1;
        }
        if !extra.is_empty() {
            let close = arr.span.end.saturating_sub(1);
            let mut rep = Vec::with_capacity(extra.len() + 1);
            if any_kept {
                rep.push(b',');
            }
            rep.extend_from_slice(extra);
            self.push_edit(
                Span {
                    start: close,
                    end: close,
                },
                &rep,
            );
        }
    }

    fn item(&self, k: u32) -> Option<LItem> {
        self.items.get(k as usize).copied()
    }

    /// The fast form of `Scrubber::scrub_mutation`.
    fn apply_mutation(
        &mut self,
        s: &mut Scrubber,
        texts: LArray,
        attributes: LArray,
        removes: LArray,
        adds: LArray,
    ) {
        let mut keep = std::mem::take(&mut self.keep_items);
        // Removes.
        keep.clear();
        for k in removes.items.0..removes.items.1 {
            let Some(it) = self.item(k) else { break };
            let dropped = s.dropped(NodeId(it.id));
            s.remove_subtree(it.id);
            keep.push(!dropped);
        }
        let removes_keep = keep.clone();
        // Adds: every root in place first.
        for k in adds.items.0..adds.items.1 {
            let Some(it) = self.item(k) else { break };
            self.insert(s, it.range.0 as usize, it.parent);
        }
        // The typed path inserts each root a second time when it scrubs the add. When
        // no id comes twice in the batch and the root is an element still under the
        // parent the first pass gave it, that refresh would store the same tag and
        // attributes again: only its privacy is reset (to be computed afresh).
        let mut batch_ids = std::mem::take(&mut self.ids);
        batch_ids.clear();
        let (first, last) = (adds.items.0, adds.items.1);
        if let (Some(a), Some(b)) = (
            self.item(first),
            last.checked_sub(1).and_then(|l| self.item(l)),
        ) {
            batch_ids.extend(
                self.nodes
                    .get(a.range.0 as usize..b.range.1 as usize)
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(|n| n.id),
            );
        }
        batch_ids.sort_unstable();
        let unique_ids = batch_ids.windows(2).all(|w| w.first() != w.get(1));
        self.ids = batch_ids;
        keep.clear();
        for k in adds.items.0..adds.items.1 {
            let Some(it) = self.item(k) else { break };
            let root_id = it.id;
            let p = s.ensure(root_id);
            if p.contains(NodePrivacy::DROPPED) {
                s.report.add(
                    ScrubAction::NodeDropped,
                    Place::Fixed(&ScrubPlace::BlockedSubtree),
                );
                let (first, last) = (it.range.0 as usize, it.range.1 as usize);
                for i in first + 1..last {
                    let parent = self
                        .nodes
                        .get(i)
                        .and_then(|n| n.parent)
                        .and_then(|pi| self.nodes.get(first + pi as usize))
                        .and_then(|n| n.id)
                        .unwrap_or(root_id);
                    self.insert(s, i, parent);
                }
                keep.push(false);
                continue;
            }
            let in_place = unique_ids
                && s.nodes
                    .get(&root_id)
                    .is_some_and(|n| n.parent == it.parent && n.element);
            // The root can still go: re-inserted under a parent that was dropped meanwhile.
            let kept = self.apply_tree(s, it.range, it.parent, &ScrubPlace::MutationAdd, in_place);
            keep.push(kept);
        }
        self.filter_array(adds, &keep, b"");
        // Texts.
        keep.clear();
        for k in texts.items.0..texts.items.1 {
            let Some(it) = self.item(k) else { break };
            let value = it.value.map(|v| self.unescape(v));
            match s.text_change(NodeId(it.id), value.as_deref()) {
                TextOutcome::Drop => keep.push(false),
                TextOutcome::Keep => keep.push(true),
                TextOutcome::Set(v) => {
                    self.push_string_edit(it.value_span, &v);
                    keep.push(true);
                }
            }
        }
        let texts_keep = keep.clone();
        // Attributes.
        let mut take_back = Vec::new();
        let mut remask = Vec::new();
        keep.clear();
        for k in attributes.items.0..attributes.items.1 {
            let Some(it) = self.item(k) else { break };
            let (a, b) = (it.range.0 as usize, it.range.1 as usize);
            let look: Vec<(&str, Option<Cow<'_, str>>)> = self
                .attrs
                .get(a..b)
                .unwrap_or(&[])
                .iter()
                .map(|attr| (self.name_str(attr.name), self.attr_text(attr)))
                .collect();
            let change = s.attribute_change(NodeId(it.id), &look, &mut take_back, &mut remask);
            if change == AttributeChange::Drop {
                keep.push(false);
                continue;
            }
            keep.push(true);
            self.scrub_attrs(s, it.id, a, b, it.obj_span);
        }
        self.filter_array(attributes, &keep, b"");
        let mut extra = Vec::new();
        for (parent, id) in take_back {
            if !extra.is_empty() {
                extra.push(b',');
            }
            extra.extend_from_slice(b"{\"parentId\":");
            extra.extend_from_slice(parent.to_string().as_bytes());
            extra.extend_from_slice(b",\"id\":");
            extra.extend_from_slice(id.to_string().as_bytes());
            extra.push(b'}');
        }
        self.filter_array(removes, &removes_keep, &extra);
        extra.clear();
        for (id, v) in remask {
            if !extra.is_empty() {
                extra.push(b',');
            }
            extra.extend_from_slice(b"{\"id\":");
            extra.extend_from_slice(id.to_string().as_bytes());
            extra.extend_from_slice(b",\"value\":");
            write_json_string(&mut extra, &v);
            extra.push(b'}');
        }
        self.filter_array(texts, &texts_keep, &extra);
        self.keep_items = keep;
    }

    fn apply(&mut self, s: &mut Scrubber, plan: Plan) -> Outcome {
        match plan {
            Plan::Verbatim => {}
            Plan::FullSnapshot { nodes } => {
                s.clear_mirror();
                self.apply_tree(s, nodes, NO_PARENT, &ScrubPlace::Snapshot, false);
            }
            Plan::Meta { href } => {
                if let Some(v) = s.meta_href(&self.unescape(href)) {
                    self.push_string_edit(href.span, &v);
                }
            }
            Plan::Mutation {
                texts,
                attributes,
                removes,
                adds,
            } => self.apply_mutation(s, texts, attributes, removes, adds),
            Plan::Input { id, text, checked } => {
                let t = self.unescape(text);
                let Some((new, is_checked)) = s.input_change(NodeId(id), &t, checked.0) else {
                    return Outcome::Drop;
                };
                if let Some(v) = new {
                    self.push_string_edit(text.span, &v);
                }
                if is_checked != checked.0 {
                    self.push_edit(checked.1, if is_checked { b"true" } else { b"false" });
                }
            }
        }
        Outcome::Emit
    }

    /// Writes `input[span]` with the edits applied.
    fn emit(&mut self, span: Span, out: &mut Vec<u8>) {
        self.edits.sort_by_key(|e| (e.start, e.end));
        let mut pos = span.start;
        for e in &self.edits {
            if e.start < pos {
                continue; // never happens: edits do not overlap
            }
            out.extend_from_slice(self.input.get(pos..e.start).unwrap_or(&[]));
            out.extend_from_slice(self.buf.get(e.rep.0..e.rep.1).unwrap_or(&[]));
            pos = e.end;
        }
        out.extend_from_slice(self.input.get(pos..span.end).unwrap_or(&[]));
    }
}

/// Writes `s` as a JSON string.
fn write_json_string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut from = 0;
    for (i, &c) in bytes.iter().enumerate() {
        let esc: &[u8] = match c {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(bytes.get(from..i).unwrap_or(&[]));
        if esc.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX.get(usize::from(c >> 4)).copied().unwrap_or(b'0'));
            out.push(HEX.get(usize::from(c & 15)).copied().unwrap_or(b'0'));
        } else {
            out.extend_from_slice(esc);
        }
        from = i + 1;
    }
    out.extend_from_slice(bytes.get(from..).unwrap_or(&[]));
    out.push(b'"');
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
    if input.len() > limits.input_bytes {
        return typed(input, policy, limits);
    }
    let Ok(text) = std::str::from_utf8(input) else {
        return typed(input, policy, limits);
    };
    let mut fast = Fast {
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
    };
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
            match fast.parse_event(&mut c, &mut s) {
                Ok(plan) => {
                    s.report.events_in += 1;
                    if let Outcome::Emit = fast.apply(&mut s, plan) {
                        s.report.events_out += 1;
                        if !first {
                            out.push(b',');
                        }
                        first = false;
                        fast.emit(Span { start, end: c.i }, &mut out);
                    }
                }
                Err(Bail) => {
                    c.i = start;
                    if c.skip_value(limits.json_depth.saturating_sub(1)).is_err() {
                        return typed(input, policy, limits);
                    }
                    let bytes = input.get(start..c.i).unwrap_or(&[]);
                    match crate::rrweb::read_one(bytes, index, limits) {
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

    fn cur(b: &[u8]) -> Cur<'_> {
        Cur {
            b,
            i: 0,
            max_string: 1 << 20,
        }
    }

    #[test]
    fn strings_are_validated_and_spanned() {
        for ok in [
            &br#""""#[..],
            br#""plain ascii, longer than eight bytes""#,
            br#""esc \" \\ \/ \b \f \n \r \t \u00e9 \ud83d\ude00 end""#,
            "\"utf-8 \u{e9}\u{1F600}\"".as_bytes(),
        ] {
            let mut c = cur(ok);
            let s = c.string().unwrap();
            assert_eq!((s.span.start, s.span.end, c.i), (0, ok.len(), ok.len()));
        }
        for bad in [
            &br#""unterminated"#[..],
            b"\"control \x01 byte\"",
            br#""bad escape \x""#,
            br#""lone \ud800 surrogate""#,
            br#""lone \udc00 low""#,
            br#""short \u12""#,
        ] {
            assert!(
                cur(bad).string().is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        // The length cap.
        let mut c = cur(br#""0123456789""#);
        c.max_string = 9;
        assert!(c.string().is_err());
    }

    #[test]
    fn numbers_follow_the_json_grammar() {
        let int = |b: &[u8]| match cur(b).number() {
            Ok(Scalar::Int(i)) => Some(i),
            _ => None,
        };
        assert_eq!(int(b"0"), Some(0));
        assert_eq!(int(b"-42"), Some(-42));
        assert_eq!(int(b"1795971171288"), Some(1_795_971_171_288));
        assert!(matches!(cur(b"1.5e3").number(), Ok(Scalar::Float)));
        assert!(matches!(cur(b"-0.0").number(), Ok(Scalar::Float)));
        assert!(matches!(cur(b"-0").number(), Ok(Scalar::Float)));
        assert!(cur(b"1e400").number().is_err());
        for bad in [&b"-"[..], b"1.", b"1e", b"+1", b".5"] {
            assert!(
                cur(bad).number().is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        // "01" reads as 0 followed by a stray byte, which the caller rejects.
        let mut c = cur(b"01");
        assert!(matches!(c.number(), Ok(Scalar::Int(0))));
        assert_eq!(c.i, 1);
        // Too many digits for the fast path.
        assert!(cur(b"12345678901234567890").number().is_err());
    }

    #[test]
    fn skip_value_validates_and_bounds_depth() {
        let ok = br#"{"a":[1,2,{"b":null}],"c":"d","e":true} "#;
        let mut c = cur(ok);
        c.skip_value(10).unwrap();
        assert_eq!(c.i, ok.len() - 1);
        for bad in [
            &br#"{"a":}"#[..],
            br#"[1,]"#,
            br#"{"a" 1}"#,
            br#"[1 2]"#,
            b"{1:2}",
        ] {
            assert!(
                cur(bad).skip_value(10).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        assert!(cur(b"[[[[1]]]]").skip_value(3).is_err());
        assert!(cur(b"[[[[1]]]]").skip_value(4).is_ok());
    }

    fn fast(input: &[u8]) -> Fast<'_> {
        Fast {
            input,
            text: std::str::from_utf8(input).unwrap(),
            limits: Box::leak(Box::new(Limits::default())),
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

    #[test]
    fn blank_strings_and_masks_from_escaped_text() {
        let input = br#"["  \n\t\r\f ", "a b", "", "x\u2003y\n\"q\" \u00e9\ud83d\ude00"]"#;
        let f = fast(input);
        let mut c = f.cur(1);
        let mut strs = Vec::new();
        loop {
            c.ws();
            strs.push(c.string().unwrap());
            c.ws();
            if !c.eat(b',') {
                break;
            }
        }
        assert!(f.raw_blank(strs[0]));
        assert!(!f.raw_blank(strs[1]));
        assert!(f.raw_blank(strs[2]));
        let mut f = f;
        f.push_masked_edit(strs[3]);
        let masked: String = serde_json::from_slice(&f.buf).unwrap();
        // The same as masking the unescaped text character by character.
        let plain: String =
            serde_json::from_slice(&input[strs[3].span.start..strs[3].span.end]).unwrap();
        let want: String = plain
            .chars()
            .map(|c| if c.is_whitespace() { c } else { '*' })
            .collect();
        assert_eq!(masked, want);
        assert_eq!(f.unescape(strs[3]), plain);
    }

    #[test]
    fn json_strings_are_escaped() {
        let mut out = Vec::new();
        write_json_string(&mut out, "a\"b\\c\n\t\r\u{1}\u{1f}\u{e9}");
        let back: String = serde_json::from_slice(&out).unwrap();
        assert_eq!(back, "a\"b\\c\n\t\r\u{1}\u{1f}\u{e9}");
    }
}
