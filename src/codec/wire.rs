//! Event coding inside a chunk: a string table, delta-coded timestamps, node ids and
//! pointer coordinates, input values as edits of the field's previous value. Anything
//! the compact forms do not cover (unknown fields, rare kinds) travels as rrweb JSON, so
//! the coding is lossless for every event.

use super::CodecError;
use super::varint::{Buf, Rd};
use crate::limits::Limits;
use crate::model::*;

use crate::hash::{FastMap, HashKeyed, hash_bytes};

// Event tags.
const E_JSON: u64 = 0;
const E_DCL: u64 = 1;
const E_LOAD: u64 = 2;
const E_META: u64 = 3;
const E_SNAPSHOT: u64 = 4;
const E_MUTATION: u64 = 5;
const E_MOVES: u64 = 6;
const E_MOUSE: u64 = 7;
const E_SCROLL: u64 = 8;
const E_VIEWPORT: u64 = 9;
const E_INPUT: u64 = 10;

/// Coding state shared by the encoder and decoder of one chunk.
#[derive(Default)]
pub(crate) struct Ctx {
    prev_ts: i64,
    prev_id: i64,
    prev_x: i64,
    prev_y: i64,
    prev_t: i64,
    inputs: FastMap<i32, String>,
}

impl Ctx {
    pub(crate) fn new(base_ts: i64) -> Self {
        Ctx {
            prev_ts: base_ts,
            ..Ctx::default()
        }
    }
}

/// A node's fixed part, as the wire writes it.
struct NodeHead<'a> {
    /// rrweb's type number, 6 for an unknown type.
    kind: u8,
    shape: NodeShape,
    id: NodeId,
    root_id: Option<NodeId>,
    is_shadow_host: Option<bool>,
    is_shadow: Option<bool>,
    extra: &'a [(String, Json)],
}

/// A node's kind-specific part, borrowed from the model or from the replayed DOM.
enum NodeBody<'a> {
    Document(Option<&'a str>),
    Doctype(&'a str, &'a str, &'a str),
    Element {
        tag: &'a str,
        attributes: NodeAttrs<'a>,
        /// is_svg, need_block, is_custom.
        flags: [Option<bool>; 3],
    },
    Text(&'a str, Option<bool>),
    /// CDATA or comment text.
    Chars(&'a str),
    Unknown(i64),
}

/// An element's attributes: the model's, or the replayed DOM's (string values).
enum NodeAttrs<'a> {
    Model(&'a Attributes),
    Dom(
        &'a crate::replay::NodeView<'a>,
        &'a [crate::replay::DomAttr],
    ),
}

/// The per-chunk string table being built.
#[derive(Default)]
pub(crate) struct Strings {
    pub(crate) list: Vec<String>,
    /// By the string's 64-bit hash: its index in `list`. The rare string whose hash is
    /// taken by another goes to `spill`.
    index: HashKeyed<u32>,
    spill: FastMap<String, u32>,
}

impl Strings {
    fn id(&mut self, s: &str) -> u64 {
        // Long strings (stylesheets) are hashed by their length and three samples; a
        // hit is always confirmed by comparing the whole string.
        let b = s.as_bytes();
        let h = if b.len() > 256 {
            let mid = b.len() / 2;
            let parts = [
                b.get(..64).unwrap_or_default(),
                b.get(mid - 32..mid + 32).unwrap_or_default(),
                b.get(b.len() - 64..).unwrap_or_default(),
            ];
            parts
                .iter()
                .fold(hash_bytes(0, &(b.len() as u64).to_le_bytes()), |h, p| {
                    hash_bytes(h, p)
                })
        } else {
            hash_bytes(0, b)
        };
        match self.index.get(&h) {
            Some(&i) if self.list.get(i as usize).is_some_and(|x| x == s) => {
                return u64::from(i);
            }
            Some(_) => {
                if let Some(&i) = self.spill.get(s) {
                    return u64::from(i);
                }
            }
            None => {}
        }
        let i = self.list.len() as u32;
        self.list.push(s.to_owned());
        if let std::collections::hash_map::Entry::Vacant(v) = self.index.entry(h) {
            v.insert(i);
        } else {
            self.spill.insert(s.to_owned(), i);
        }
        u64::from(i)
    }

    /// Empties the table, keeping its memory for the next chunk.
    pub(crate) fn clear(&mut self) {
        self.list.clear();
        self.index.clear();
        self.spill.clear();
    }
}

#[derive(Default)]
pub(crate) struct Enc {
    pub(crate) buf: Buf,
    pub(crate) strings: Strings,
    pub(crate) ctx: Ctx,
}

fn no_extra(e: &Extra) -> bool {
    e.is_empty()
}

fn json_of(e: &Event) -> String {
    let mut out = Vec::new();
    crate::rrweb::write_event(e, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

impl Enc {
    /// Starts a new chunk: everything empty, the memory kept.
    pub(crate) fn reset(&mut self) {
        self.buf.bytes.clear();
        self.strings.clear();
        self.ctx = Ctx::default();
    }

    fn s(&mut self, s: &str) {
        let i = self.strings.id(s);
        self.buf.uv(i);
    }

    fn id(&mut self, id: NodeId) {
        let v = i64::from(id.0);
        self.buf.iv(v - self.ctx.prev_id);
        self.ctx.prev_id = v;
    }

    fn num(&mut self, n: Num) {
        match n {
            Num::Int(i) => {
                self.buf.u8(0);
                self.buf.iv(i);
            }
            Num::Float(f) if f64::from(f as f32) == f && !(f == 0.0 && f.is_sign_negative()) => {
                self.buf.u8(1);
                self.buf.f32(f as f32);
            }
            Num::Float(f) => {
                self.buf.u8(2);
                self.buf.f64(f);
            }
        }
    }

    fn opt_bool(&mut self, b: Option<bool>) {
        self.buf.u8(match b {
            None => 0,
            Some(false) => 1,
            Some(true) => 2,
        });
    }

    fn attr_value(&mut self, v: &AttrValue) {
        match v {
            AttrValue::Str(s) => {
                self.buf.u8(0);
                self.s(s);
            }
            AttrValue::Num(n) => {
                self.buf.u8(1);
                self.num(*n);
            }
            AttrValue::Bool(b) => self.buf.u8(if *b { 3 } else { 2 }),
            AttrValue::Removed => self.buf.u8(4),
            AttrValue::StyleDiff(d) => {
                self.buf.u8(5);
                self.buf.uv(d.len() as u64);
                for (k, c) in d {
                    self.s(k);
                    match c {
                        StyleChange::Set(v) => {
                            self.buf.u8(0);
                            self.s(v);
                        }
                        StyleChange::SetWithPriority(v, p) => {
                            self.buf.u8(1);
                            self.s(v);
                            self.s(p);
                        }
                        StyleChange::Remove => self.buf.u8(2),
                    }
                }
            }
            AttrValue::Other(j) => {
                self.buf.u8(6);
                let json = String::from_utf8_lossy(&crate::rrweb::write_json(j)).into_owned();
                self.s(&json);
            }
        }
    }

    fn attributes(&mut self, a: &Attributes) {
        self.buf.uv(a.len() as u64);
        for x in a {
            self.s(&x.name);
            self.attr_value(&x.value);
        }
    }

    fn node(&mut self, n: &SerializedNode) {
        let head = NodeHead {
            kind: match &n.kind {
                NodeKind::Unknown { .. } => 6,
                k => k.type_code() as u8,
            },
            shape: n.shape,
            id: n.id,
            root_id: n.root_id,
            is_shadow_host: n.is_shadow_host,
            is_shadow: n.is_shadow,
            extra: &n.extra,
        };
        let body = match &n.kind {
            NodeKind::Document { compat_mode } => NodeBody::Document(compat_mode.as_deref()),
            NodeKind::DocumentType {
                name,
                public_id,
                system_id,
            } => NodeBody::Doctype(name, public_id, system_id),
            NodeKind::Element {
                tag,
                attributes,
                is_svg,
                need_block,
                is_custom,
            } => NodeBody::Element {
                tag,
                attributes: NodeAttrs::Model(attributes),
                flags: [*is_svg, *need_block, *is_custom],
            },
            NodeKind::Text { text, is_style } => NodeBody::Text(text, *is_style),
            NodeKind::CData { text } | NodeKind::Comment { text } => NodeBody::Chars(text),
            NodeKind::Unknown { type_code } => NodeBody::Unknown(*type_code),
        };
        self.node_parts(&head, &body);
    }

    /// Writes a node, from the model or from the replayed DOM alike.
    fn node_parts(&mut self, head: &NodeHead<'_>, body: &NodeBody<'_>) {
        // Presence flags: shape bits, then optional fields.
        let mut flags: u16 = u16::from(head.shape.bits());
        for (bit, on) in [
            (2, head.root_id.is_some()),
            (3, head.is_shadow_host.is_some()),
            (4, head.is_shadow.is_some()),
            (5, !head.extra.is_empty()),
        ] {
            if on {
                flags |= 1 << bit;
            }
        }
        self.buf.u8(head.kind);
        self.buf.uv(u64::from(flags));
        self.id(head.id);
        if let Some(r) = head.root_id {
            self.id(r);
        }
        if head.is_shadow_host.is_some() {
            self.opt_bool(head.is_shadow_host);
        }
        if head.is_shadow.is_some() {
            self.opt_bool(head.is_shadow);
        }
        match body {
            NodeBody::Document(compat_mode) => match compat_mode {
                Some(c) => {
                    self.buf.u8(1);
                    self.s(c);
                }
                None => self.buf.u8(0),
            },
            NodeBody::Doctype(name, public_id, system_id) => {
                self.s(name);
                self.s(public_id);
                self.s(system_id);
            }
            NodeBody::Element {
                tag,
                attributes,
                flags,
            } => {
                self.s(tag);
                match attributes {
                    NodeAttrs::Model(a) => self.attributes(a),
                    NodeAttrs::Dom(view, a) => {
                        self.buf.uv(a.len() as u64);
                        for x in a.iter() {
                            self.s(view.attr_name(x));
                            // What `attr_value` writes for a string value.
                            self.buf.u8(0);
                            self.s(&x.value);
                        }
                    }
                }
                for f in flags {
                    self.opt_bool(*f);
                }
            }
            NodeBody::Text(text, is_style) => {
                self.s(text);
                self.opt_bool(*is_style);
            }
            NodeBody::Chars(text) => self.s(text),
            NodeBody::Unknown(type_code) => self.buf.iv(*type_code),
        }
        if !head.extra.is_empty() {
            let json = String::from_utf8_lossy(&crate::rrweb::write_json(&Json::Object(
                head.extra.to_vec(),
            )))
            .into_owned();
            self.s(&json);
        }
    }

    /// A full snapshot event written straight from the replayed DOM: the same bytes as
    /// [`Enc::event`] gives for the snapshot `state` exports, without building it.
    /// `nodes` is how many nodes the snapshot carries (as `State::keyframe_parts` counts).
    pub(crate) fn snapshot_from_state(
        &mut self,
        t: Timestamp,
        state: &crate::replay::State,
        offset: (Num, Num),
        nodes: u64,
    ) {
        self.buf.uv(E_SNAPSHOT);
        self.ts(t);
        self.buf.uv(nodes);
        let mut i = 0u32;
        state.visit_snapshot_nodes(|parent, v| {
            let d = match parent {
                Some(p) if p < i => u64::from(i - p),
                _ => 0,
            };
            self.buf.uv(d);
            self.node_view(v);
            i += 1;
        });
        self.num(offset.0);
        self.num(offset.1);
    }

    /// [`Enc::node`] for a borrowed view of the replayed DOM.
    fn node_view(&mut self, v: &crate::replay::NodeView<'_>) {
        use crate::replay::ViewKind;
        let head = NodeHead {
            kind: v.type_code().unwrap_or(6),
            shape: v.shape,
            id: v.id,
            root_id: None,
            is_shadow_host: v.is_shadow_host,
            is_shadow: v.is_shadow,
            extra: &[],
        };
        let body = match &v.kind {
            ViewKind::Document { compat_mode } => NodeBody::Document(*compat_mode),
            ViewKind::DocumentType {
                name,
                public_id,
                system_id,
            } => NodeBody::Doctype(name, public_id, system_id),
            ViewKind::Element {
                tag,
                attributes,
                is_svg,
                need_block,
                is_custom,
            } => NodeBody::Element {
                tag,
                attributes: NodeAttrs::Dom(v, attributes),
                flags: [*is_svg, *need_block, *is_custom],
            },
            ViewKind::Text { text, is_style } => NodeBody::Text(text, *is_style),
            ViewKind::CData { text } | ViewKind::Comment { text } => NodeBody::Chars(text),
            ViewKind::Unknown { type_code } => NodeBody::Unknown(*type_code),
        };
        self.node_parts(&head, &body);
    }

    fn tree(&mut self, t: &NodeTree) {
        self.buf.uv(t.nodes.len() as u64);
        for (i, tn) in t.nodes.iter().enumerate() {
            // Distance back to the parent; 0 for none.
            let d = match tn.parent {
                Some(p) if (p as usize) < i => (i - p as usize) as u64,
                _ => 0,
            };
            self.buf.uv(d);
            self.node(&tn.node);
        }
    }

    fn ts(&mut self, t: Timestamp) {
        self.buf.iv(t.0.wrapping_sub(self.ctx.prev_ts));
        self.ctx.prev_ts = t.0;
    }

    /// Encodes one event.
    pub(crate) fn event(&mut self, e: &Event) {
        if !self.compact(e) {
            self.buf.uv(E_JSON);
            self.ts(e.timestamp);
            let json = json_of(e);
            self.buf.str(&json);
        }
    }

    fn compact(&mut self, e: &Event) -> bool {
        if !no_extra(&e.extra) {
            return false;
        }
        let empty_obj = |d: &Option<Json>| matches!(d, Some(Json::Object(f)) if f.is_empty());
        match &e.kind {
            EventKind::DomContentLoaded(d) if empty_obj(d) => {
                self.buf.uv(E_DCL);
                self.ts(e.timestamp);
            }
            EventKind::Load(d) if empty_obj(d) => {
                self.buf.uv(E_LOAD);
                self.ts(e.timestamp);
            }
            EventKind::Meta(m) if no_extra(&m.extra) => {
                self.buf.uv(E_META);
                self.ts(e.timestamp);
                self.s(&m.href);
                self.num(m.width);
                self.num(m.height);
            }
            EventKind::FullSnapshot(s)
                if no_extra(&s.extra) && no_extra(&s.initial_offset.extra) =>
            {
                self.buf.uv(E_SNAPSHOT);
                self.ts(e.timestamp);
                self.tree(&s.tree);
                self.num(s.initial_offset.top);
                self.num(s.initial_offset.left);
            }
            EventKind::Incremental(inc) => return self.incremental(inc, e.timestamp),
            _ => return false,
        }
        true
    }

    fn incremental(&mut self, inc: &Incremental, t: Timestamp) -> bool {
        match inc {
            Incremental::Mutation(m) if self.mutation_ok(m) => {
                self.buf.uv(E_MUTATION);
                self.ts(t);
                self.buf.uv(m.removes.len() as u64);
                for r in &m.removes {
                    self.id(r.parent_id);
                    self.id(r.id);
                    self.opt_bool(r.is_shadow);
                }
                self.buf.uv(m.adds.len() as u64);
                for a in &m.adds {
                    self.id(a.parent_id);
                    match a.next_id {
                        None => self.buf.u8(0),
                        Some(n) => {
                            self.buf.u8(1);
                            self.id(n);
                        }
                    }
                    match a.previous_id {
                        None => self.buf.u8(0),
                        Some(None) => self.buf.u8(1),
                        Some(Some(p)) => {
                            self.buf.u8(2);
                            self.id(p);
                        }
                    }
                    self.tree(&a.node);
                }
                self.buf.uv(m.texts.len() as u64);
                for x in &m.texts {
                    self.id(x.id);
                    match &x.value {
                        None => self.buf.u8(0),
                        Some(v) => {
                            self.buf.u8(1);
                            self.s(v);
                        }
                    }
                }
                self.buf.uv(m.attributes.len() as u64);
                for x in &m.attributes {
                    self.id(x.id);
                    self.attributes(&x.attributes);
                }
                self.opt_bool(m.is_attach_iframe);
            }
            Incremental::Moves(m)
                if no_extra(&m.extra)
                    && m.positions.iter().all(|p| {
                        no_extra(&p.extra)
                            && matches!(
                                (p.x, p.y, p.time_offset),
                                (Num::Int(_), Num::Int(_), Num::Int(_))
                            )
                    })
                    && matches!(
                        m.source,
                        MoveSource::Mouse | MoveSource::Touch | MoveSource::Drag
                    ) =>
            {
                self.buf.uv(E_MOVES);
                self.ts(t);
                self.buf.u8(m.source.code() as u8);
                self.buf.uv(m.positions.len() as u64);
                for p in &m.positions {
                    let (Num::Int(x), Num::Int(y), Num::Int(dt)) = (p.x, p.y, p.time_offset) else {
                        continue;
                    };
                    self.buf.iv(x.wrapping_sub(self.ctx.prev_x));
                    self.buf.iv(y.wrapping_sub(self.ctx.prev_y));
                    self.buf.iv(dt.wrapping_sub(self.ctx.prev_t));
                    self.ctx.prev_x = x;
                    self.ctx.prev_y = y;
                    self.ctx.prev_t = dt;
                    self.id(p.id);
                }
            }
            Incremental::MouseInteraction(m) if no_extra(&m.extra) => {
                self.buf.uv(E_MOUSE);
                self.ts(t);
                self.buf.iv(m.kind.code());
                self.id(m.id);
                let flags = u8::from(m.x.is_some())
                    | u8::from(m.y.is_some()) << 1
                    | u8::from(m.pointer_type.is_some()) << 2;
                self.buf.u8(flags);
                if let Some(x) = m.x {
                    self.num(x);
                }
                if let Some(y) = m.y {
                    self.num(y);
                }
                if let Some(p) = m.pointer_type {
                    self.buf.iv(p.code());
                }
            }
            Incremental::Scroll(s) if no_extra(&s.extra) => {
                self.buf.uv(E_SCROLL);
                self.ts(t);
                self.id(s.id);
                self.num(s.x);
                self.num(s.y);
            }
            Incremental::ViewportResize(v) if no_extra(&v.extra) => {
                self.buf.uv(E_VIEWPORT);
                self.ts(t);
                self.num(v.width);
                self.num(v.height);
            }
            Incremental::Input(i) if no_extra(&i.extra) => {
                self.buf.uv(E_INPUT);
                self.ts(t);
                self.id(i.id);
                let prev = self.ctx.inputs.get(&i.id.0).map_or("", String::as_str);
                let (pre, suf) = common_affixes(prev, &i.text);
                let mid = i.text.get(pre..i.text.len() - suf).unwrap_or("");
                self.buf.uv(pre as u64);
                self.buf.uv(suf as u64);
                self.buf.str(mid);
                let flags = u8::from(i.is_checked)
                    | match i.user_triggered {
                        None => 0,
                        Some(false) => 2,
                        Some(true) => 4,
                    };
                self.buf.u8(flags);
                self.ctx.inputs.insert(i.id.0, i.text.clone());
            }
            _ => return false,
        }
        true
    }

    fn mutation_ok(&self, m: &Mutation) -> bool {
        no_extra(&m.extra)
            && m.removes.iter().all(|r| no_extra(&r.extra))
            && m.adds.iter().all(|a| no_extra(&a.extra))
            && m.texts.iter().all(|t| no_extra(&t.extra))
            && m.attributes.iter().all(|a| no_extra(&a.extra))
    }
}

/// Byte lengths of the common prefix and (non-overlapping) suffix, on char boundaries.
fn common_affixes(a: &str, b: &str) -> (usize, usize) {
    let mut pre = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    while !a.is_char_boundary(pre) || !b.is_char_boundary(pre) {
        pre -= 1;
    }
    let max_suf = a.len().min(b.len()) - pre;
    let mut suf = a
        .bytes()
        .rev()
        .zip(b.bytes().rev())
        .take(max_suf)
        .take_while(|(x, y)| x == y)
        .count();
    while !a.is_char_boundary(a.len() - suf) || !b.is_char_boundary(b.len() - suf) {
        suf -= 1;
    }
    (pre, suf)
}

/// Decoding side.
pub(crate) struct Dec<'a, 'b> {
    pub(crate) rd: Rd<'a>,
    pub(crate) strings: &'b [&'a str],
    pub(crate) ctx: Ctx,
    pub(crate) limits: &'b Limits,
}

impl<'a> Dec<'a, '_> {
    fn bad(&self, what: &'static str) -> CodecError {
        CodecError::Malformed {
            chunk: 0,
            offset: self.rd.pos,
            what,
        }
    }

    fn s(&mut self) -> Result<&'a str, CodecError> {
        let i = self.rd.uv()?;
        usize::try_from(i)
            .ok()
            .and_then(|i| self.strings.get(i).copied())
            .ok_or_else(|| self.bad("string index out of the table"))
    }

    fn id(&mut self) -> Result<NodeId, CodecError> {
        let d = self.rd.iv()?;
        let v = self.ctx.prev_id.wrapping_add(d);
        self.ctx.prev_id = v;
        i32::try_from(v)
            .map(NodeId)
            .map_err(|_| self.bad("node id out of range"))
    }

    fn num(&mut self) -> Result<Num, CodecError> {
        Ok(match self.rd.u8()? {
            0 => Num::Int(self.rd.iv()?),
            1 => Num::Float(f64::from(self.rd.f32()?)),
            2 => Num::Float(self.rd.f64()?),
            _ => return Err(self.bad("invalid number tag")),
        })
    }

    fn opt_bool(&mut self) -> Result<Option<bool>, CodecError> {
        Ok(match self.rd.u8()? {
            0 => None,
            1 => Some(false),
            2 => Some(true),
            _ => return Err(self.bad("invalid optional boolean")),
        })
    }

    fn json(&mut self, s: &str) -> Result<Json, CodecError> {
        Json::parse(s.as_bytes(), self.limits.json_depth)
            .map_err(|_| self.bad("invalid embedded JSON"))
    }

    fn attr_value(&mut self) -> Result<AttrValue, CodecError> {
        Ok(match self.rd.u8()? {
            0 => AttrValue::Str(self.s()?.to_owned()),
            1 => AttrValue::Num(self.num()?),
            2 => AttrValue::Bool(false),
            3 => AttrValue::Bool(true),
            4 => AttrValue::Removed,
            5 => {
                let n = self.rd.count(2, self.limits.nodes)?;
                let mut d = Vec::with_capacity(n.min(64));
                for _ in 0..n {
                    let k = self.s()?.to_owned();
                    let c = match self.rd.u8()? {
                        0 => StyleChange::Set(self.s()?.to_owned()),
                        1 => {
                            StyleChange::SetWithPriority(self.s()?.to_owned(), self.s()?.to_owned())
                        }
                        2 => StyleChange::Remove,
                        _ => return Err(self.bad("invalid style change")),
                    };
                    d.push((k, c));
                }
                AttrValue::StyleDiff(d)
            }
            6 => {
                let s = self.s()?;
                AttrValue::Other(self.json(s)?)
            }
            _ => return Err(self.bad("invalid attribute value tag")),
        })
    }

    fn attributes(&mut self) -> Result<Attributes, CodecError> {
        let n = self.rd.count(2, self.limits.nodes)?;
        let mut a = Attributes::with_capacity(n.min(32));
        for _ in 0..n {
            let name = self.s()?.to_owned();
            let value = self.attr_value()?;
            a.push(Attribute { name, value });
        }
        Ok(a)
    }

    fn node(&mut self) -> Result<SerializedNode, CodecError> {
        let kind = self.rd.u8()?;
        let flags = self.rd.uv()?;
        let id = self.id()?;
        let bit = |b: u32| flags & (1 << b) != 0;
        let root_id = if bit(2) { Some(self.id()?) } else { None };
        let is_shadow_host = if bit(3) { self.opt_bool()? } else { None };
        let is_shadow = if bit(4) { self.opt_bool()? } else { None };
        let kind = match kind {
            0 => NodeKind::Document {
                compat_mode: match self.rd.u8()? {
                    0 => None,
                    _ => Some(self.s()?.to_owned()),
                },
            },
            1 => NodeKind::DocumentType {
                name: self.s()?.to_owned(),
                public_id: self.s()?.to_owned(),
                system_id: self.s()?.to_owned(),
            },
            2 => NodeKind::Element {
                tag: self.s()?.to_owned(),
                attributes: self.attributes()?,
                is_svg: self.opt_bool()?,
                need_block: self.opt_bool()?,
                is_custom: self.opt_bool()?,
            },
            3 => NodeKind::Text {
                text: self.s()?.to_owned(),
                is_style: self.opt_bool()?,
            },
            4 => NodeKind::CData {
                text: self.s()?.to_owned(),
            },
            5 => NodeKind::Comment {
                text: self.s()?.to_owned(),
            },
            6 => NodeKind::Unknown {
                type_code: self.rd.iv()?,
            },
            _ => return Err(self.bad("invalid node kind")),
        };
        let extra = if bit(5) {
            let s = self.s()?;
            match self.json(s)? {
                Json::Object(f) => f,
                _ => return Err(self.bad("node extra is not an object")),
            }
        } else {
            Vec::new()
        };
        Ok(SerializedNode {
            id,
            kind,
            root_id,
            is_shadow_host,
            is_shadow,
            shape: NodeShape::from_bits_truncate((flags & 3) as u8),
            extra,
        })
    }

    fn tree(&mut self) -> Result<NodeTree, CodecError> {
        let n = self.rd.count(3, self.limits.nodes)?;
        let mut nodes = Vec::with_capacity(n.min(4096));
        for i in 0..n {
            let d = self.rd.uv()?;
            let parent = match d {
                0 => None,
                d if (d as usize) <= i => Some((i - d as usize) as u32),
                _ => return Err(self.bad("parent index out of range")),
            };
            nodes.push(TreeNode {
                parent,
                node: self.node()?,
            });
        }
        Ok(NodeTree { nodes })
    }

    fn ts(&mut self) -> Result<Timestamp, CodecError> {
        let d = self.rd.iv()?;
        self.ctx.prev_ts = self.ctx.prev_ts.wrapping_add(d);
        Ok(Timestamp(self.ctx.prev_ts))
    }

    fn ev(t: Timestamp, kind: EventKind) -> Event {
        Event {
            timestamp: t,
            kind,
            extra: Vec::new(),
        }
    }

    /// Decodes one event.
    pub(crate) fn event(&mut self) -> Result<Event, CodecError> {
        let tag = self.rd.uv()?;
        let t = self.ts()?;
        let inc = |i: Incremental| Self::ev(t, EventKind::Incremental(i));
        Ok(match tag {
            E_JSON => {
                let s = self.rd.str(self.limits.string_len)?;
                let v = self.json(s)?;
                crate::rrweb::event_from_json(v, 0, self.limits)
                    .map_err(|_| self.bad("invalid embedded event"))?
            }
            E_DCL => Self::ev(
                t,
                EventKind::DomContentLoaded(Some(Json::Object(Vec::new()))),
            ),
            E_LOAD => Self::ev(t, EventKind::Load(Some(Json::Object(Vec::new())))),
            E_META => Self::ev(
                t,
                EventKind::Meta(Meta {
                    href: self.s()?.to_owned(),
                    width: self.num()?,
                    height: self.num()?,
                    extra: Vec::new(),
                }),
            ),
            E_SNAPSHOT => {
                let tree = self.tree()?;
                let top = self.num()?;
                let left = self.num()?;
                Self::ev(
                    t,
                    EventKind::FullSnapshot(FullSnapshot {
                        tree,
                        initial_offset: ScrollOffset {
                            top,
                            left,
                            extra: Vec::new(),
                        },
                        extra: Vec::new(),
                    }),
                )
            }
            E_MUTATION => {
                let cap = self.limits.nodes;
                let n = self.rd.count(3, cap)?;
                let mut removes = Vec::with_capacity(n.min(4096));
                for _ in 0..n {
                    removes.push(Removal {
                        parent_id: self.id()?,
                        id: self.id()?,
                        is_shadow: self.opt_bool()?,
                        extra: Vec::new(),
                    });
                }
                let n = self.rd.count(4, cap)?;
                let mut adds = Vec::with_capacity(n.min(4096));
                for _ in 0..n {
                    let parent_id = self.id()?;
                    let next_id = match self.rd.u8()? {
                        0 => None,
                        _ => Some(self.id()?),
                    };
                    let previous_id = match self.rd.u8()? {
                        0 => None,
                        1 => Some(None),
                        _ => Some(Some(self.id()?)),
                    };
                    adds.push(Addition {
                        parent_id,
                        next_id,
                        previous_id,
                        node: self.tree()?,
                        extra: Vec::new(),
                    });
                }
                let n = self.rd.count(2, cap)?;
                let mut texts = Vec::with_capacity(n.min(4096));
                for _ in 0..n {
                    let id = self.id()?;
                    let value = match self.rd.u8()? {
                        0 => None,
                        _ => Some(self.s()?.to_owned()),
                    };
                    texts.push(TextChange {
                        id,
                        value,
                        extra: Vec::new(),
                    });
                }
                let n = self.rd.count(2, cap)?;
                let mut attributes = Vec::with_capacity(n.min(4096));
                for _ in 0..n {
                    attributes.push(AttributeChange {
                        id: self.id()?,
                        attributes: self.attributes()?,
                        extra: Vec::new(),
                    });
                }
                let is_attach_iframe = self.opt_bool()?;
                inc(Incremental::Mutation(Mutation {
                    texts,
                    attributes,
                    removes,
                    adds,
                    is_attach_iframe,
                    extra: Vec::new(),
                }))
            }
            E_MOVES => {
                let source = MoveSource::from_code(i64::from(self.rd.u8()?));
                let n = self.rd.count(4, self.limits.nodes)?;
                let mut positions = Vec::with_capacity(n.min(4096));
                for _ in 0..n {
                    let x = self.ctx.prev_x.wrapping_add(self.rd.iv()?);
                    let y = self.ctx.prev_y.wrapping_add(self.rd.iv()?);
                    let dt = self.ctx.prev_t.wrapping_add(self.rd.iv()?);
                    self.ctx.prev_x = x;
                    self.ctx.prev_y = y;
                    self.ctx.prev_t = dt;
                    positions.push(Position {
                        x: Num::Int(x),
                        y: Num::Int(y),
                        id: self.id()?,
                        time_offset: Num::Int(dt),
                        extra: Vec::new(),
                    });
                }
                inc(Incremental::Moves(PointerMoves {
                    source,
                    positions,
                    extra: Vec::new(),
                }))
            }
            E_MOUSE => {
                let kind = MouseInteractionKind::from_code(self.rd.iv()?);
                let id = self.id()?;
                let flags = self.rd.u8()?;
                let x = if flags & 1 != 0 {
                    Some(self.num()?)
                } else {
                    None
                };
                let y = if flags & 2 != 0 {
                    Some(self.num()?)
                } else {
                    None
                };
                let pointer_type = if flags & 4 != 0 {
                    Some(PointerKind::from_code(self.rd.iv()?))
                } else {
                    None
                };
                inc(Incremental::MouseInteraction(MouseInteraction {
                    kind,
                    id,
                    x,
                    y,
                    pointer_type,
                    extra: Vec::new(),
                }))
            }
            E_SCROLL => inc(Incremental::Scroll(Scroll {
                id: self.id()?,
                x: self.num()?,
                y: self.num()?,
                extra: Vec::new(),
            })),
            E_VIEWPORT => inc(Incremental::ViewportResize(ViewportResize {
                width: self.num()?,
                height: self.num()?,
                extra: Vec::new(),
            })),
            E_INPUT => {
                let id = self.id()?;
                let pre =
                    usize::try_from(self.rd.uv()?).map_err(|_| self.bad("edit out of range"))?;
                let suf =
                    usize::try_from(self.rd.uv()?).map_err(|_| self.bad("edit out of range"))?;
                let mid = self.rd.str(self.limits.string_len)?;
                let flags = self.rd.u8()?;
                let prev = self.ctx.inputs.get(&id.0).map_or("", String::as_str);
                if pre.checked_add(suf).is_none_or(|n| n > prev.len()) {
                    return Err(self.bad("input edit longer than the previous value"));
                }
                let (Some(head), Some(tail)) = (prev.get(..pre), prev.get(prev.len() - suf..))
                else {
                    return Err(self.bad("input edit splits a character"));
                };
                let text = format!("{head}{mid}{tail}");
                if text.len() > self.limits.string_len {
                    return Err(CodecError::LimitExceeded {
                        chunk: 0,
                        what: "string length",
                        limit: self.limits.string_len,
                    });
                }
                self.ctx.inputs.insert(id.0, text.clone());
                inc(Incremental::Input(Input {
                    id,
                    text,
                    is_checked: flags & 1 != 0,
                    user_triggered: match flags >> 1 {
                        0 => None,
                        1 => Some(false),
                        _ => Some(true),
                    },
                    extra: Vec::new(),
                }))
            }
            _ => return Err(self.bad("invalid event tag")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            let events = crate::rrweb::read(&bytes).unwrap();
            let mut state = crate::replay::State::new(Limits::default(), false);
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
                assert_eq!(a.buf.bytes, b.buf.bytes);
                assert_eq!(a.strings.list, b.strings.list);
                checked += 1;
            }
        }
        assert!(checked > 200, "{checked}");
    }

    #[test]
    fn affixes() {
        assert_eq!(common_affixes("jane", "jane."), (4, 0));
        assert_eq!(common_affixes("abc", "abXc"), (2, 1));
        assert_eq!(common_affixes("", "x"), (0, 0));
        assert_eq!(common_affixes("aaa", "aa"), (2, 0));
        assert_eq!(common_affixes("héllo", "hállo"), (1, 3));
    }
}
