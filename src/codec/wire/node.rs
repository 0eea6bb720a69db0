//! One serialized node, written from the event model or straight from the replayed DOM
//! (the same bytes either way), and read back into the model.
//!
//! Layout (see "Node" in FORMAT.md): `u8` kind and `uv` presence flags in `op`, the node's
//! id (node role), the optional fields the flags announce, the kind's own fields, and
//! with flag bit 5 a value ref to its unknown fields as JSON.

use super::super::CodecError;
use super::ctx::IdRole;
use super::strings::Cat;
use super::values::ATTR_STR;
use super::{Dec, Enc, FieldCodec};
use crate::model::*;
use crate::replay::{DomAttr, NodeView, ViewKind};

/// The kind number of an unknown node type (rrweb's numbers are 0 to 5).
const KIND_UNKNOWN: u8 = 6;

/// Flags bits 0 and 1 are the node's [`NodeShape`]; these follow.
const HAS_ROOT_ID: u32 = 2;
const HAS_SHADOW_HOST: u32 = 3;
const HAS_SHADOW: u32 = 4;
const HAS_EXTRA: u32 = 5;

/// A node's fixed part, as the wire writes it.
struct NodeHead<'a> {
    /// rrweb's type number, [`KIND_UNKNOWN`] for an unknown type.
    kind: u8,
    shape: NodeShape,
    id: NodeId,
    root_id: Option<NodeId>,
    is_shadow_host: Option<bool>,
    is_shadow: Option<bool>,
    extra: &'a [(String, Json)],
}

/// A node's kind-specific part, borrowed from the model or from the replayed DOM: the
/// one shape both sources are turned into, so that one writer ([`Enc::node_parts`])
/// serves both and their bytes cannot drift apart.
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
    Dom(&'a NodeView<'a>, &'a [DomAttr]),
}

impl<'a> NodeBody<'a> {
    /// The body of a node of the event model.
    fn of_model(kind: &'a NodeKind) -> Self {
        match kind {
            NodeKind::Document { compat_mode } => NodeBody::Document(compat_mode.as_deref()),
            NodeKind::DocumentType {
                name,
                public_id: p,
                system_id: s,
            } => NodeBody::Doctype(name, p, s),
            NodeKind::Element {
                tag,
                attributes: a,
                is_svg,
                need_block,
                is_custom,
            } => NodeBody::Element {
                tag,
                tag_atom: None,
                attributes: NodeAttrs::Model(a),
                flags: [*is_svg, *need_block, *is_custom],
            },
            NodeKind::Text { text, is_style } => NodeBody::Text(text, *is_style),
            NodeKind::CData { text } | NodeKind::Comment { text } => NodeBody::Chars(text),
            NodeKind::Unknown { type_code } => NodeBody::Unknown(*type_code),
        }
    }

    /// The body of a node of the replayed DOM.
    fn of_view(v: &'a NodeView<'a>) -> Self {
        match &v.kind {
            ViewKind::Document { compat_mode } => NodeBody::Document(*compat_mode),
            ViewKind::DocumentType {
                name,
                public_id: p,
                system_id: s,
            } => NodeBody::Doctype(name, p, s),
            ViewKind::Element {
                tag,
                tag_atom,
                attributes: a,
                is_svg,
                need_block,
                is_custom,
            } => NodeBody::Element {
                tag_atom: Some(tag_atom.index()),
                tag,
                attributes: NodeAttrs::Dom(v, a),
                flags: [*is_svg, *need_block, *is_custom],
            },
            ViewKind::Text { text, is_style } => NodeBody::Text(text, *is_style),
            ViewKind::CData { text } | ViewKind::Comment { text } => NodeBody::Chars(text),
            ViewKind::Unknown { type_code } => NodeBody::Unknown(*type_code),
        }
    }
}

impl FieldCodec for SerializedNode {
    fn encode(&self, w: &mut Enc) {
        let head = NodeHead {
            kind: match &self.kind {
                NodeKind::Unknown { .. } => KIND_UNKNOWN,
                k => k.type_code() as u8,
            },
            shape: self.shape,
            id: self.id,
            root_id: self.root_id,
            is_shadow_host: self.is_shadow_host,
            is_shadow: self.is_shadow,
            extra: &self.extra,
        };
        w.node_parts(&head, &NodeBody::of_model(&self.kind));
    }

    // Inlined into the tree loop, so that the node is built in place in the tree's
    // vector: returned through a `Result` from a separate function, each node (over a
    // hundred bytes) was copied twice, 2% of decoding a snapshot-heavy stream.
    #[inline]
    fn decode(r: &mut Dec<'_, '_>) -> Result<Self, CodecError> {
        let kind = r.cols.op.u8()?;
        let flags = r.cols.op.uv()?;
        if flags >> (HAS_EXTRA + 1) != 0 {
            return Err(r.bad("unknown node flags"));
        }
        let id = r.id(IdRole::Node)?;
        let bit = |b: u32| flags & (1 << b) != 0;
        let root_id = if bit(HAS_ROOT_ID) {
            Some(r.id(IdRole::Target)?)
        } else {
            None
        };
        let is_shadow_host = if bit(HAS_SHADOW_HOST) { r.get()? } else { None };
        let is_shadow = if bit(HAS_SHADOW) { r.get()? } else { None };
        let kind = match kind {
            0 => NodeKind::Document {
                compat_mode: match r.cols.op.u8()? {
                    0 => None,
                    1 => Some(r.s()?.to_owned()),
                    _ => return Err(r.bad("invalid compatMode tag")),
                },
            },
            1 => NodeKind::DocumentType {
                name: r.s()?.to_owned(),
                public_id: r.s()?.to_owned(),
                system_id: r.s()?.to_owned(),
            },
            2 => NodeKind::Element {
                tag: r.s()?.to_owned(),
                attributes: r.get()?,
                is_svg: r.get()?,
                need_block: r.get()?,
                is_custom: r.get()?,
            },
            3 => NodeKind::Text {
                text: r.s()?.to_owned(),
                is_style: r.get()?,
            },
            4 => NodeKind::CData {
                text: r.s()?.to_owned(),
            },
            5 => NodeKind::Comment {
                text: r.s()?.to_owned(),
            },
            KIND_UNKNOWN => NodeKind::Unknown {
                type_code: r.cols.op.iv()?,
            },
            _ => return Err(r.bad("invalid node kind")),
        };
        let extra = if bit(HAS_EXTRA) {
            let s = r.s()?;
            match r.json(s)? {
                Json::Object(f) => f,
                _ => return Err(r.bad("node extra is not an object")),
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
}

impl Enc {
    /// [`SerializedNode`]'s encoding for a borrowed view of the replayed DOM (keyframes
    /// written without building the model's nodes). A DOM node has no rootId and no
    /// unknown fields.
    pub(super) fn node_view(&mut self, v: &NodeView<'_>) {
        let head = NodeHead {
            kind: v.type_code().unwrap_or(KIND_UNKNOWN),
            shape: v.shape,
            id: v.id,
            root_id: None,
            is_shadow_host: v.is_shadow_host,
            is_shadow: v.is_shadow,
            extra: &[],
        };
        self.node_parts(&head, &NodeBody::of_view(v));
    }

    /// Writes a node, from the model or from the replayed DOM alike.
    fn node_parts(&mut self, head: &NodeHead<'_>, body: &NodeBody<'_>) {
        // Presence flags: shape bits, then optional fields. An absent optional field
        // takes no byte at all, which is why presence is flagged rather than `bool3`.
        let mut flags: u16 = u16::from(head.shape.bits());
        for (bit, on) in [
            (HAS_ROOT_ID, head.root_id.is_some()),
            (HAS_SHADOW_HOST, head.is_shadow_host.is_some()),
            (HAS_SHADOW, head.is_shadow.is_some()),
            (HAS_EXTRA, !head.extra.is_empty()),
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
            self.put(&head.is_shadow_host);
        }
        if head.is_shadow.is_some() {
            self.put(&head.is_shadow);
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
                    NodeAttrs::Model(a) => self.put(*a),
                    // The same layout as `Attributes`' encoding, from the DOM's own
                    // attribute list: names through the per-atom cache, and every value
                    // a string (the only kind the replayed DOM keeps).
                    NodeAttrs::Dom(view, a) => {
                        self.cols.op.uv(a.len() as u64);
                        for x in a.iter() {
                            self.s_atom(x.name.index(), view.attr_name(x), Cat::Name);
                            self.cols.op.u8(ATTR_STR);
                            self.s(&x.value, Cat::Value);
                        }
                    }
                }
                for f in flags {
                    self.put(f);
                }
            }
            NodeBody::Text(text, is_style) => {
                self.s(text, Cat::Text);
                self.put(is_style);
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
}
