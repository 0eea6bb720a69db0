//! The streaming path's parsing: one event of rrweb JSON into borrowed spans (its
//! plan, nodes, attributes and mutation items) without touching the engine's state
//! beyond reading it; anything not certain bails to the typed path.
//!
//! Why an event bails rather than being decided here: the fast path must give the
//! typed path's bytes (as JSON) and report, and the typed path re-writes what it reads.
//! So the fast path only takes what it can copy as written and still be what the
//! writer would write: known keys with the value kinds the model reads, and unknown
//! keys holding a number, boolean or null (which the typed path keeps as they are).
//! Strings under unknown keys (detectors may rewrite them), containers, escaped keys
//! and floats where the model reads integers all bail.

use super::scan::{Bail, Cur, R, Scalar, Span, Str};
use super::{Fast, LArray, LAttr, LItem, LNode, NODE_KEYS_BOOL, Plan};
use crate::model::NodeId;
use crate::privacy::scrub::engine::Engine;

impl<'a> Fast<'a> {
    /// Parses one event at `c`; on success `c` is just past it. Only the kinds worth a
    /// fast path take it: full snapshots, the common incremental sources and meta, and
    /// DomContentLoaded/Load with their usual empty data. Custom, plugin and asset
    /// events carry payloads the detectors walk, so they go the typed way.
    pub(super) fn parse_event(&mut self, c: &mut Cur<'a>, s: &mut Engine) -> R<Plan> {
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
        // The reader refuses an event without a timestamp: its error, not ours.
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

    fn parse_incremental(&mut self, c: &mut Cur<'a>, s: &mut Engine) -> R<Plan> {
        if !c.open_object()? {
            return Err(Bail);
        }
        // rrweb writes `source` first; the plan depends on it, so anything else is
        // left to the typed path rather than parsed twice.
        if c.key()? != b"source" {
            return Err(Bail);
        }
        let source = c.int()?;
        let more = c.next_member()?;
        match source {
            0 => self.parse_mutation(c, more),
            // Mouse moves, touch moves and drags: nothing to mask, only node ids to
            // check, so they are copied as written when no id is dropped.
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
    fn parse_small_incremental(&mut self, c: &mut Cur<'a>, s: &mut Engine, source: i64) -> R<Plan> {
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
            mark(&mut seen, bit)?;
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
        // Every key the model requires must be there, or the reader's error is wanted.
        match (source, id, text, checked) {
            (5, Some(id), Some(text), Some(checked)) => Ok(Plan::Input { id, text, checked }),
            // Events on a node that is not in the output are retargeted or dropped by
            // the typed path.
            (2 | 3, Some(id), _, _) if s.dropped(NodeId(id)) => Err(Bail),
            _ => Ok(Plan::Verbatim),
        }
    }

    fn parse_positions(&mut self, c: &mut Cur<'a>, s: &mut Engine) -> R<()> {
        c.expect(b'[')?;
        c.ws();
        if c.eat(b']') {
            return Ok(());
        }
        loop {
            if !c.open_object()? {
                return Err(Bail);
            }
            let mut seen = 0u32;
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
                mark(&mut seen, bit)?;
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
        let first = self.bufs.items.len() as u32;
        c.expect(b'[')?;
        c.ws();
        if !c.eat(b']') {
            loop {
                let item = self.parse_item(c, slot)?;
                self.bufs.items.push(item);
                c.ws();
                if !c.eat(b',') {
                    c.expect(b']')?;
                    break;
                }
                c.ws();
            }
        }
        Ok(LArray {
            items: (first, self.bufs.items.len() as u32),
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
            next: None,
        };
        let mut seen = 0u32;
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
                        Scalar::Int(i) if i32::try_from(i).is_ok() => {
                            item.next = i32::try_from(i).ok();
                        }
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
                    let root = self.bufs.nodes.get(item.range.0 as usize).ok_or(Bail)?;
                    item.id = root.id.ok_or(Bail)?;
                    64
                }
                _ => {
                    c.opaque()?;
                    0
                }
            };
            mark(&mut seen, bit)?;
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
        let first = self.bufs.attrs.len() as u32;
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
                self.bufs.attrs.push(LAttr {
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
        let last = self.bufs.attrs.len() as u32;
        // Duplicate names: the typed path keeps both; rare enough to leave to it.
        if last - first > 1 {
            let names = self
                .bufs
                .attrs
                .get(first as usize..last as usize)
                .unwrap_or(&[]);
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
        let first = self.bufs.nodes.len();
        self.bufs.stack.clear();
        c.expect(b'{')?;
        let mut cur: usize;
        // Just consumed a node's `{`.
        'open: loop {
            cur = self.bufs.nodes.len();
            // Near a limit the reader's error (or its acceptance at exactly the limit)
            // decides: each tree level nests two JSON levels (`childNodes`' array and
            // the node object), so bail before the reader's depth would be reached.
            if cur - first >= self.limits.nodes
                || depth + 2 * self.bufs.stack.len() + 2 >= self.limits.json_depth
            {
                return Err(Bail);
            }
            self.bufs.nodes.push(LNode {
                parent: self.bufs.stack.last().map(|&p| p - first as u32),
                ..LNode::default()
            });
            c.ws();
            let mut more = !c.eat(b'}');
            loop {
                if more {
                    let key = c.key()?;
                    let kind = self.bufs.nodes.get(cur).and_then(|n| n.kind);
                    let node = self.bufs.nodes.get_mut(cur).ok_or(Bail)?;
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
                            let node = self.bufs.nodes.get_mut(cur).ok_or(Bail)?;
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
                                self.bufs.stack.push(cur as u32);
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
                let node = self.bufs.nodes.get(cur).ok_or(Bail)?;
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
                let Some(&parent) = self.bufs.stack.last() else {
                    return Ok((first as u32, self.bufs.nodes.len() as u32));
                };
                c.ws();
                if c.eat(b',') {
                    c.ws();
                    c.expect(b'{')?;
                    continue 'open;
                }
                c.expect(b']')?;
                self.bufs.stack.pop();
                cur = parent as usize;
                let p = self.bufs.nodes.get_mut(cur).ok_or(Bail)?;
                p.children_span = Some(Span {
                    start: p.children_start,
                    end: c.i,
                });
                more = c.next_member()?;
            }
        }
    }
}

/// Records key `bit` as seen (0: a key that is not tracked). A tracked key met twice
/// bails: what a duplicate key means is the typed reader's to say.
#[inline]
fn mark(seen: &mut u32, bit: u32) -> R<()> {
    if *seen & bit != 0 {
        return Err(Bail);
    }
    *seen |= bit;
    Ok(())
}
