//! Event coding inside a chunk: a string table in three sections, fields split into six
//! columns, delta-coded timestamps and pointer coordinates, node ids coded against a
//! prediction by role, input values as edits of the field's previous value. Anything
//! the compact forms do not cover (unknown fields, rare kinds) travels as rrweb JSON, so
//! the coding is lossless for every event.

use super::CodecError;
use super::varint::{Buf, Rd};
use crate::limits::Limits;
use crate::model::*;

use crate::hash::{FastMap, HashKeyed, ShortMap, hash_bytes, short_key};

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
    /// Last node id of a serialized node; the next is predicted one above it.
    prev_node: i64,
    /// Last parent id of an add or remove.
    prev_parent: i64,
    /// Last id of a removed node.
    prev_removed: i64,
    /// Last id of any other target (attributes, texts, inputs, pointer, scroll).
    prev_target: i64,
    prev_x: i64,
    prev_y: i64,
    /// The last pointer position's time (its event's timestamp plus its offset): times
    /// run on across batches, so a batch's first offset is coded as small as the rest.
    prev_t: i64,
    inputs: FastMap<i32, String>,
}

impl Ctx {
    /// Records a field's value, reusing the memory of its previous one.
    fn remember_input(&mut self, id: i32, text: &str) {
        let v = self.inputs.entry(id).or_default();
        v.clear();
        v.push_str(text);
    }

    pub(crate) fn new(base_ts: i64) -> Self {
        Ctx {
            prev_ts: base_ts,
            prev_t: base_ts,
            ..Ctx::default()
        }
    }
}

/// What a node id is, which decides the value it is coded against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IdRole {
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
    fn predict(&self, role: IdRole) -> i64 {
        match role {
            IdRole::Node => self.prev_node.wrapping_add(1),
            IdRole::Parent => self.prev_parent,
            IdRole::Sibling => self.prev_node,
            IdRole::Removed => self.prev_removed,
            IdRole::Target => self.prev_target,
        }
    }

    /// Records an id of this role.
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

/// The string table's sections: a string goes to the section of its first use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cat {
    /// Tag and attribute names, style properties, doctype parts.
    Name = 0,
    /// Attribute and style values, URLs, embedded JSON.
    Value = 1,
    /// Text content.
    Text = 2,
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
        /// The tag's interned name, for a node of the replayed DOM.
        tag_atom: Option<usize>,
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

/// Sections in the string table.
pub(crate) const N_SECTIONS: usize = 3;

/// The per-chunk string table being built: every distinct string once, in the order of
/// first use, each in the section of its first use.
#[derive(Default)]
pub(crate) struct Strings {
    /// Every string's bytes, one after another (one buffer: no allocation per string).
    bytes: String,
    /// Each string's end in `bytes`, in the order of first use (it starts where the one
    /// before it ends).
    ends: Vec<usize>,
    /// For each string: its section (low 2 bits) and its index in the section.
    place: Vec<u32>,
    /// Strings in each section so far.
    counts: [u32; N_SECTIONS],
    /// Strings of up to 15 bytes by their exact integer key: their index in `list`.
    short: ShortMap<u32>,
    /// Longer strings by their 64-bit hash: their index in `list`. The rare string
    /// whose hash is taken by another goes to `spill`.
    index: HashKeyed<u32>,
    spill: FastMap<String, u32>,
}

impl Strings {
    /// Bytes of all strings in the table.
    pub(crate) fn byte_len(&self) -> usize {
        self.bytes.len()
    }

    /// Strings in the table.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The `i`th string, in the order of first use.
    pub(crate) fn get(&self, i: usize) -> Option<&str> {
        let start = match i.checked_sub(1) {
            Some(p) => *self.ends.get(p)?,
            None => 0,
        };
        self.bytes.get(start..*self.ends.get(i)?)
    }

    fn push(&mut self, s: &str) {
        self.bytes.push_str(s);
        self.ends.push(self.bytes.len());
    }

    /// The strings in one section, in order.
    pub(crate) fn section(&self, cat: u8) -> impl Iterator<Item = &str> + '_ {
        (0..self.len())
            .filter(move |&i| self.place.get(i).is_some_and(|p| (p & 3) as u8 == cat))
            .filter_map(|i| self.get(i))
    }

    /// Strings in each section so far.
    pub(crate) fn counts(&self) -> [u32; N_SECTIONS] {
        self.counts
    }

    /// The reference to write for `s` (see "String references" in FORMAT.md), adding it
    /// to `cat`'s section on its first use.
    fn reference(&mut self, s: &str, cat: Cat) -> u64 {
        self.reference_and_index(s, cat).0
    }

    /// [`Strings::reference`], and the string's index in the table.
    fn reference_and_index(&mut self, s: &str, cat: Cat) -> (u64, usize) {
        let before = self.len();
        let i = self.id(s) as usize;
        if i == before {
            let c = cat as usize;
            let n = self.counts.get(c).copied().unwrap_or(0);
            if let Some(x) = self.counts.get_mut(c) {
                *x += 1;
            }
            self.place.push(n << 2 | cat as u32);
            return (cat as u64, i);
        }
        (self.repeat(i), i)
    }

    /// The reference for a later use of the `i`th string.
    fn repeat(&self, i: usize) -> u64 {
        let p = self.place.get(i).copied().unwrap_or(0);
        N_SECTIONS as u64 + u64::from(p >> 2) * N_SECTIONS as u64 + u64::from(p & 3)
    }

    fn id(&mut self, s: &str) -> u64 {
        if let Some(k) = short_key(s) {
            let next = self.len() as u32;
            let i = *self.short.entry(k).or_insert(next);
            if i == next {
                self.push(s);
            }
            return u64::from(i);
        }
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
            Some(&i) if self.get(i as usize).is_some_and(|x| x == s) => {
                return u64::from(i);
            }
            Some(_) => {
                if let Some(&i) = self.spill.get(s) {
                    return u64::from(i);
                }
            }
            None => {}
        }
        let i = self.len() as u32;
        self.push(s);
        if let std::collections::hash_map::Entry::Vacant(v) = self.index.entry(h) {
            v.insert(i);
        } else {
            self.spill.insert(s.to_owned(), i);
        }
        u64::from(i)
    }

    /// Empties the table, keeping its memory for the next chunk.
    pub(crate) fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
        self.place.clear();
        self.counts = [0; N_SECTIONS];
        self.short.clear();
        self.index.clear();
        self.spill.clear();
    }
}

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
    /// The columns in wire order.
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

    fn clear(&mut self) {
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

#[derive(Default)]
pub(crate) struct Enc {
    pub(crate) cols: Cols,
    /// Per interned DOM name: its string's index in this chunk's table plus one (0 when
    /// not used yet in the chunk).
    pub(crate) atom_refs: Vec<u32>,
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
        self.cols.clear();
        self.atom_refs.fill(0);
        self.strings.clear();
        self.ctx = Ctx::default();
    }

    fn s(&mut self, s: &str, cat: Cat) {
        let r = self.strings.reference(s, cat);
        self.cols.refs.uv(r);
    }

    /// [`Enc::s`] for an interned name of the replayed DOM: after its first use in the
    /// chunk, its reference comes from a per-name cache instead of the table's lookup
    /// (the same bytes either way).
    fn s_atom(&mut self, atom: usize, s: &str, cat: Cat) {
        if let Some(&i) = self.atom_refs.get(atom)
            && i != 0
        {
            let r = self.strings.repeat(i as usize - 1);
            self.cols.refs.uv(r);
            return;
        }
        let (r, i) = self.strings.reference_and_index(s, cat);
        self.cols.refs.uv(r);
        if atom >= self.atom_refs.len() {
            self.atom_refs.resize(atom + 1, 0);
        }
        if let Some(x) = self.atom_refs.get_mut(atom) {
            *x = i as u32 + 1;
        }
    }

    fn id(&mut self, id: NodeId, role: IdRole) {
        let v = i64::from(id.0);
        self.cols.ids.iv(v.wrapping_sub(self.ctx.predict(role)));
        self.ctx.saw(role, v);
    }

    fn num(&mut self, n: Num) {
        match n {
            Num::Int(i) => {
                self.cols.op.u8(0);
                self.cols.num.iv(i);
            }
            Num::Float(f) if f64::from(f as f32) == f && !(f == 0.0 && f.is_sign_negative()) => {
                self.cols.op.u8(1);
                self.cols.num.f32(f as f32);
            }
            Num::Float(f) => {
                self.cols.op.u8(2);
                self.cols.num.f64(f);
            }
        }
    }

    fn opt_bool(&mut self, b: Option<bool>) {
        self.cols.op.u8(match b {
            None => 0,
            Some(false) => 1,
            Some(true) => 2,
        });
    }

    fn attr_value(&mut self, v: &AttrValue) {
        match v {
            AttrValue::Str(s) => {
                self.cols.op.u8(0);
                self.s(s, Cat::Value);
            }
            AttrValue::Num(n) => {
                self.cols.op.u8(1);
                self.num(*n);
            }
            AttrValue::Bool(b) => self.cols.op.u8(if *b { 3 } else { 2 }),
            AttrValue::Removed => self.cols.op.u8(4),
            AttrValue::StyleDiff(d) => {
                self.cols.op.u8(5);
                self.cols.op.uv(d.len() as u64);
                for (k, c) in d {
                    self.s(k, Cat::Name);
                    match c {
                        StyleChange::Set(v) => {
                            self.cols.op.u8(0);
                            self.s(v, Cat::Value);
                        }
                        StyleChange::SetWithPriority(v, p) => {
                            self.cols.op.u8(1);
                            self.s(v, Cat::Value);
                            self.s(p, Cat::Name);
                        }
                        StyleChange::Remove => self.cols.op.u8(2),
                    }
                }
            }
            AttrValue::Other(j) => {
                self.cols.op.u8(6);
                let json = String::from_utf8_lossy(&crate::rrweb::write_json(j)).into_owned();
                self.s(&json, Cat::Value);
            }
        }
    }

    fn attributes(&mut self, a: &Attributes) {
        self.cols.op.uv(a.len() as u64);
        for x in a {
            self.s(&x.name, Cat::Name);
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
                tag_atom: None,
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
        self.cols.op.u8(head.kind);
        self.cols.op.uv(u64::from(flags));
        self.id(head.id, IdRole::Node);
        if let Some(r) = head.root_id {
            self.id(r, IdRole::Target);
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
                    self.cols.op.u8(1);
                    self.s(c, Cat::Name);
                }
                None => self.cols.op.u8(0),
            },
            NodeBody::Doctype(name, public_id, system_id) => {
                self.s(name, Cat::Name);
                self.s(public_id, Cat::Name);
                self.s(system_id, Cat::Name);
            }
            NodeBody::Element {
                tag,
                tag_atom,
                attributes,
                flags,
            } => {
                match tag_atom {
                    Some(a) => self.s_atom(*a, tag, Cat::Name),
                    None => self.s(tag, Cat::Name),
                }
                match attributes {
                    NodeAttrs::Model(a) => self.attributes(a),
                    NodeAttrs::Dom(view, a) => {
                        self.cols.op.uv(a.len() as u64);
                        for x in a.iter() {
                            self.s_atom(x.name.index(), view.attr_name(x), Cat::Name);
                            // What `attr_value` writes for a string value.
                            self.cols.op.u8(0);
                            self.s(&x.value, Cat::Value);
                        }
                    }
                }
                for f in flags {
                    self.opt_bool(*f);
                }
            }
            NodeBody::Text(text, is_style) => {
                self.s(text, Cat::Text);
                self.opt_bool(*is_style);
            }
            NodeBody::Chars(text) => self.s(text, Cat::Text),
            NodeBody::Unknown(type_code) => self.cols.op.iv(*type_code),
        }
        if !head.extra.is_empty() {
            let json = String::from_utf8_lossy(&crate::rrweb::write_json(&Json::Object(
                head.extra.to_vec(),
            )))
            .into_owned();
            self.s(&json, Cat::Value);
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
        self.cols.op.uv(E_SNAPSHOT);
        self.ts(t);
        self.cols.op.uv(nodes);
        let mut i = 0u32;
        state.visit_snapshot_nodes(|parent, v| {
            let d = match parent {
                Some(p) if p < i => u64::from(i - p),
                _ => 0,
            };
            self.cols.op.uv(d);
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
                tag_atom,
                attributes,
                is_svg,
                need_block,
                is_custom,
            } => NodeBody::Element {
                tag,
                tag_atom: Some(tag_atom.index()),
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
        self.cols.op.uv(t.nodes.len() as u64);
        for (i, tn) in t.nodes.iter().enumerate() {
            // Distance back to the parent; 0 for none.
            let d = match tn.parent {
                Some(p) if (p as usize) < i => (i - p as usize) as u64,
                _ => 0,
            };
            self.cols.op.uv(d);
            self.node(&tn.node);
        }
    }

    fn ts(&mut self, t: Timestamp) {
        self.cols.ts.iv(t.0.wrapping_sub(self.ctx.prev_ts));
        self.ctx.prev_ts = t.0;
    }

    /// Encodes one event.
    pub(crate) fn event(&mut self, e: &Event) {
        if !self.compact(e) {
            self.cols.op.uv(E_JSON);
            self.ts(e.timestamp);
            let json = json_of(e);
            self.cols.text.str(&json);
        }
    }

    fn compact(&mut self, e: &Event) -> bool {
        if !no_extra(&e.extra) {
            return false;
        }
        let empty_obj = |d: &Option<Json>| matches!(d, Some(Json::Object(f)) if f.is_empty());
        match &e.kind {
            EventKind::DomContentLoaded(d) if empty_obj(d) => {
                self.cols.op.uv(E_DCL);
                self.ts(e.timestamp);
            }
            EventKind::Load(d) if empty_obj(d) => {
                self.cols.op.uv(E_LOAD);
                self.ts(e.timestamp);
            }
            EventKind::Meta(m) if no_extra(&m.extra) => {
                self.cols.op.uv(E_META);
                self.ts(e.timestamp);
                self.s(&m.href, Cat::Value);
                self.num(m.width);
                self.num(m.height);
            }
            EventKind::FullSnapshot(s)
                if no_extra(&s.extra) && no_extra(&s.initial_offset.extra) =>
            {
                self.cols.op.uv(E_SNAPSHOT);
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
                self.cols.op.uv(E_MUTATION);
                self.ts(t);
                self.cols.op.uv(m.removes.len() as u64);
                for r in &m.removes {
                    self.id(r.parent_id, IdRole::Parent);
                    self.id(r.id, IdRole::Removed);
                    self.opt_bool(r.is_shadow);
                }
                self.cols.op.uv(m.adds.len() as u64);
                for a in &m.adds {
                    self.id(a.parent_id, IdRole::Parent);
                    match a.next_id {
                        None => self.cols.op.u8(0),
                        Some(n) => {
                            self.cols.op.u8(1);
                            self.id(n, IdRole::Sibling);
                        }
                    }
                    match a.previous_id {
                        None => self.cols.op.u8(0),
                        Some(None) => self.cols.op.u8(1),
                        Some(Some(p)) => {
                            self.cols.op.u8(2);
                            self.id(p, IdRole::Sibling);
                        }
                    }
                    self.tree(&a.node);
                }
                self.cols.op.uv(m.texts.len() as u64);
                for x in &m.texts {
                    self.id(x.id, IdRole::Target);
                    match &x.value {
                        None => self.cols.op.u8(0),
                        Some(v) => {
                            self.cols.op.u8(1);
                            self.s(v, Cat::Text);
                        }
                    }
                }
                self.cols.op.uv(m.attributes.len() as u64);
                for x in &m.attributes {
                    self.id(x.id, IdRole::Target);
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
                self.cols.op.uv(E_MOVES);
                self.ts(t);
                self.cols.op.u8(m.source.code() as u8);
                self.cols.op.uv(m.positions.len() as u64);
                for p in &m.positions {
                    let (Num::Int(x), Num::Int(y), Num::Int(dt)) = (p.x, p.y, p.time_offset) else {
                        continue;
                    };
                    self.cols.num.iv(x.wrapping_sub(self.ctx.prev_x));
                    self.cols.num.iv(y.wrapping_sub(self.ctx.prev_y));
                    let time = t.0.wrapping_add(dt);
                    self.cols.num.iv(time.wrapping_sub(self.ctx.prev_t));
                    self.ctx.prev_x = x;
                    self.ctx.prev_y = y;
                    self.ctx.prev_t = time;
                    self.id(p.id, IdRole::Target);
                }
            }
            Incremental::MouseInteraction(m) if no_extra(&m.extra) => {
                self.cols.op.uv(E_MOUSE);
                self.ts(t);
                self.cols.op.iv(m.kind.code());
                self.id(m.id, IdRole::Target);
                let flags = u8::from(m.x.is_some())
                    | u8::from(m.y.is_some()) << 1
                    | u8::from(m.pointer_type.is_some()) << 2;
                self.cols.op.u8(flags);
                if let Some(x) = m.x {
                    self.num(x);
                }
                if let Some(y) = m.y {
                    self.num(y);
                }
                if let Some(p) = m.pointer_type {
                    self.cols.op.iv(p.code());
                }
            }
            Incremental::Scroll(s) if no_extra(&s.extra) => {
                self.cols.op.uv(E_SCROLL);
                self.ts(t);
                self.id(s.id, IdRole::Target);
                self.num(s.x);
                self.num(s.y);
            }
            Incremental::ViewportResize(v) if no_extra(&v.extra) => {
                self.cols.op.uv(E_VIEWPORT);
                self.ts(t);
                self.num(v.width);
                self.num(v.height);
            }
            Incremental::Input(i) if no_extra(&i.extra) => {
                self.cols.op.uv(E_INPUT);
                self.ts(t);
                self.id(i.id, IdRole::Target);
                let prev = self.ctx.inputs.get(&i.id.0).map_or("", String::as_str);
                let (pre, suf) = common_affixes(prev, &i.text);
                let mid = i.text.get(pre..i.text.len() - suf).unwrap_or("");
                // The bytes of the previous value the edit replaces, then the kept
                // suffix: typing at the end is `0, 0` however long the value.
                self.cols.op.uv((prev.len() - pre - suf) as u64);
                self.cols.op.uv(suf as u64);
                self.cols.text.str(mid);
                let flags = u8::from(i.is_checked)
                    | match i.user_triggered {
                        None => 0,
                        Some(false) => 2,
                        Some(true) => 4,
                    };
                self.cols.op.u8(flags);
                self.ctx.remember_input(i.id.0, &i.text);
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

/// Counts `n` bytes of decoded text against a chunk's budget (`Limits::decoded_bytes`).
fn spend(out_bytes: &mut usize, limits: &Limits, n: usize) -> Result<(), CodecError> {
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

/// Decoding side: one section of events over the chunk's string table.
pub(crate) struct Dec<'a, 'b> {
    pub(crate) cols: ColReaders<'a>,
    /// The string table, by section.
    pub(crate) table: &'b [Vec<&'a str>; N_SECTIONS],
    /// Strings of each section introduced so far.
    pub(crate) seen: [usize; N_SECTIONS],
    /// Bytes of text handed out so far in this chunk (strings, input values), against
    /// `Limits::decoded_bytes`.
    pub(crate) out_bytes: usize,
    pub(crate) ctx: Ctx,
    pub(crate) limits: &'b Limits,
}

impl<'a> Dec<'a, '_> {
    fn bad(&self, what: &'static str) -> CodecError {
        CodecError::Malformed {
            chunk: 0,
            offset: self.cols.op.pos,
            what,
        }
    }

    fn s(&mut self) -> Result<&'a str, CodecError> {
        let r = self.cols.refs.uv()?;
        let n = N_SECTIONS as u64;
        let (sec, first) = if r < n {
            (r, true)
        } else {
            ((r - n) % n, false)
        };
        let sec = sec as usize;
        let (Some(list), Some(seen)) = (self.table.get(sec), self.seen.get(sec).copied()) else {
            return Err(self.bad("string reference out of the table"));
        };
        let idx = if first {
            seen
        } else {
            usize::try_from((r - n) / n).unwrap_or(usize::MAX)
        };
        if !first && idx >= seen {
            return Err(self.bad("string reference to a string not used yet"));
        }
        let s = list
            .get(idx)
            .copied()
            .ok_or_else(|| self.bad("string reference out of the table"))?;
        if first && let Some(x) = self.seen.get_mut(sec) {
            *x += 1;
        }
        spend(&mut self.out_bytes, self.limits, s.len())?;
        Ok(s)
    }

    fn id(&mut self, role: IdRole) -> Result<NodeId, CodecError> {
        let d = self.cols.ids.iv()?;
        let v = self.ctx.predict(role).wrapping_add(d);
        self.ctx.saw(role, v);
        i32::try_from(v)
            .map(NodeId)
            .map_err(|_| self.bad("node id out of range"))
    }

    fn num(&mut self) -> Result<Num, CodecError> {
        Ok(match self.cols.op.u8()? {
            0 => Num::Int(self.cols.num.iv()?),
            1 => Num::Float(f64::from(self.cols.num.f32()?)),
            2 => Num::Float(self.cols.num.f64()?),
            _ => return Err(self.bad("invalid number tag")),
        })
    }

    fn opt_bool(&mut self) -> Result<Option<bool>, CodecError> {
        Ok(match self.cols.op.u8()? {
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
        Ok(match self.cols.op.u8()? {
            0 => AttrValue::Str(self.s()?.to_owned()),
            1 => AttrValue::Num(self.num()?),
            2 => AttrValue::Bool(false),
            3 => AttrValue::Bool(true),
            4 => AttrValue::Removed,
            5 => {
                let n = self.cols.op.count(1, self.limits.nodes)?;
                let mut d = Vec::with_capacity(n.min(64));
                for _ in 0..n {
                    let k = self.s()?.to_owned();
                    let c = match self.cols.op.u8()? {
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
        let n = self.cols.op.count(1, self.limits.nodes)?;
        let mut a = Attributes::with_capacity(n.min(32));
        for _ in 0..n {
            let name = self.s()?.to_owned();
            let value = self.attr_value()?;
            a.push(Attribute { name, value });
        }
        Ok(a)
    }

    fn node(&mut self) -> Result<SerializedNode, CodecError> {
        let kind = self.cols.op.u8()?;
        let flags = self.cols.op.uv()?;
        if flags >> 6 != 0 {
            return Err(self.bad("unknown node flags"));
        }
        let id = self.id(IdRole::Node)?;
        let bit = |b: u32| flags & (1 << b) != 0;
        let root_id = if bit(2) {
            Some(self.id(IdRole::Target)?)
        } else {
            None
        };
        let is_shadow_host = if bit(3) { self.opt_bool()? } else { None };
        let is_shadow = if bit(4) { self.opt_bool()? } else { None };
        let kind = match kind {
            0 => NodeKind::Document {
                compat_mode: match self.cols.op.u8()? {
                    0 => None,
                    1 => Some(self.s()?.to_owned()),
                    _ => return Err(self.bad("invalid compatMode tag")),
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
                type_code: self.cols.op.iv()?,
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
        let n = self.cols.op.count(3, self.limits.nodes)?;
        let mut nodes = Vec::with_capacity(n.min(4096));
        for i in 0..n {
            let d = self.cols.op.uv()?;
            let parent = match d {
                0 => None,
                d if usize::try_from(d).is_ok_and(|d| d <= i) => {
                    Some((i - usize::try_from(d).unwrap_or(0)) as u32)
                }
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
        let d = self.cols.ts.iv()?;
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
        let tag = self.cols.op.uv()?;
        let t = self.ts()?;
        let inc = |i: Incremental| Self::ev(t, EventKind::Incremental(i));
        Ok(match tag {
            E_JSON => {
                let s = self.cols.text.str(self.limits.string_len)?;
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
                let n = self.cols.op.count(1, cap)?;
                let mut removes = Vec::with_capacity(n.min(4096));
                for _ in 0..n {
                    removes.push(Removal {
                        parent_id: self.id(IdRole::Parent)?,
                        id: self.id(IdRole::Removed)?,
                        is_shadow: self.opt_bool()?,
                        extra: Vec::new(),
                    });
                }
                let n = self.cols.op.count(3, cap)?;
                let mut adds = Vec::with_capacity(n.min(4096));
                for _ in 0..n {
                    let parent_id = self.id(IdRole::Parent)?;
                    let next_id = match self.cols.op.u8()? {
                        0 => None,
                        1 => Some(self.id(IdRole::Sibling)?),
                        _ => return Err(self.bad("invalid nextId tag")),
                    };
                    let previous_id = match self.cols.op.u8()? {
                        0 => None,
                        1 => Some(None),
                        2 => Some(Some(self.id(IdRole::Sibling)?)),
                        _ => return Err(self.bad("invalid previousId tag")),
                    };
                    adds.push(Addition {
                        parent_id,
                        next_id,
                        previous_id,
                        node: self.tree()?,
                        extra: Vec::new(),
                    });
                }
                let n = self.cols.op.count(1, cap)?;
                let mut texts = Vec::with_capacity(n.min(4096));
                for _ in 0..n {
                    let id = self.id(IdRole::Target)?;
                    let value = match self.cols.op.u8()? {
                        0 => None,
                        1 => Some(self.s()?.to_owned()),
                        _ => return Err(self.bad("invalid text value tag")),
                    };
                    texts.push(TextChange {
                        id,
                        value,
                        extra: Vec::new(),
                    });
                }
                let n = self.cols.op.count(1, cap)?;
                let mut attributes = Vec::with_capacity(n.min(4096));
                for _ in 0..n {
                    attributes.push(AttributeChange {
                        id: self.id(IdRole::Target)?,
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
                let source = MoveSource::from_code(i64::from(self.cols.op.u8()?));
                // Each position takes three bytes of numbers and one of ids.
                let n = usize::try_from(self.cols.op.uv()?).unwrap_or(usize::MAX);
                if n > self.limits.nodes {
                    return Err(CodecError::LimitExceeded {
                        chunk: 0,
                        what: "items in a list",
                        limit: self.limits.nodes,
                    });
                }
                if n.saturating_mul(3) > self.cols.num.left() || n > self.cols.ids.left() {
                    return Err(self.bad("count beyond the end of the chunk"));
                }
                let mut positions = Vec::with_capacity(n.min(4096));
                for _ in 0..n {
                    let x = self.ctx.prev_x.wrapping_add(self.cols.num.iv()?);
                    let y = self.ctx.prev_y.wrapping_add(self.cols.num.iv()?);
                    let time = self.ctx.prev_t.wrapping_add(self.cols.num.iv()?);
                    let dt = time.wrapping_sub(t.0);
                    self.ctx.prev_x = x;
                    self.ctx.prev_y = y;
                    self.ctx.prev_t = time;
                    positions.push(Position {
                        x: Num::Int(x),
                        y: Num::Int(y),
                        id: self.id(IdRole::Target)?,
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
                let kind = MouseInteractionKind::from_code(self.cols.op.iv()?);
                let id = self.id(IdRole::Target)?;
                let flags = self.cols.op.u8()?;
                if flags >> 3 != 0 {
                    return Err(self.bad("unknown mouse interaction flags"));
                }
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
                    Some(PointerKind::from_code(self.cols.op.iv()?))
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
                id: self.id(IdRole::Target)?,
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
                let id = self.id(IdRole::Target)?;
                let removed = usize::try_from(self.cols.op.uv()?)
                    .map_err(|_| self.bad("edit out of range"))?;
                let suf = usize::try_from(self.cols.op.uv()?)
                    .map_err(|_| self.bad("edit out of range"))?;
                let mid = self.cols.text.str(self.limits.string_len)?;
                let flags = self.cols.op.u8()?;
                if flags >> 3 != 0 || flags >> 1 == 3 {
                    return Err(self.bad("unknown input flags"));
                }
                let prev = self.ctx.inputs.get(&id.0).map_or("", String::as_str);
                let Some(pre) = removed
                    .checked_add(suf)
                    .and_then(|n| prev.len().checked_sub(n))
                else {
                    return Err(self.bad("input edit longer than the previous value"));
                };
                let (Some(head), Some(tail)) = (prev.get(..pre), prev.get(prev.len() - suf..))
                else {
                    return Err(self.bad("input edit splits a character"));
                };
                let len = head.len() + mid.len() + tail.len();
                if len > self.limits.string_len {
                    return Err(CodecError::LimitExceeded {
                        chunk: 0,
                        what: "string length",
                        limit: self.limits.string_len,
                    });
                }
                spend(&mut self.out_bytes, self.limits, len)?;
                let text = format!("{head}{mid}{tail}");
                self.ctx.remember_input(id.0, &text);
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

    #[test]
    fn affixes() {
        assert_eq!(common_affixes("jane", "jane."), (4, 0));
        assert_eq!(common_affixes("abc", "abXc"), (2, 1));
        assert_eq!(common_affixes("", "x"), (0, 0));
        assert_eq!(common_affixes("aaa", "aa"), (2, 0));
        assert_eq!(common_affixes("héllo", "hállo"), (1, 3));
    }
}
