//! Serialized DOM nodes, kept as a flat pre-order list so that no walk over them recurses.

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

use super::{Extra, Json, NodeId, Num};

/// One attribute of an element, in the order the recording gave it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub struct Attribute {
    /// The attribute name as recorded (rrweb's synthetic ones start with `_` or `rr_`).
    pub name: String,
    /// Its value.
    pub value: AttrValue,
}

/// An attribute's value. rrweb writes strings, numbers and `true`; mutations add `null`
/// (removed) and style diffs for `style`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub enum AttrValue {
    /// A string value, the common case.
    Str(String),
    /// A number (rrweb writes e.g. `rr_width` sizes and media times as numbers).
    Num(Num),
    /// A boolean; rrweb uses `true` for valueless attributes in some versions.
    Bool(bool),
    /// `null`: in a mutation, the attribute was removed.
    Removed,
    /// A style diff on the `style` attribute: property -> change.
    StyleDiff(Vec<(String, StyleChange)>),
    /// Anything else, kept verbatim.
    Other(Json),
}

impl AttrValue {
    /// The value as text if it is a string or a number, as the DOM would show it.
    pub fn as_text(&self) -> Option<std::borrow::Cow<'_, str>> {
        match self {
            AttrValue::Str(s) => Some(std::borrow::Cow::Borrowed(s)),
            AttrValue::Num(n) => Some(std::borrow::Cow::Owned(n.to_string())),
            AttrValue::Bool(true) => Some(std::borrow::Cow::Borrowed("")),
            _ => None,
        }
    }
}

/// One property of a style diff (`{"color": "red"}`, `{"color": ["red", "important"]}`,
/// `{"color": false}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub enum StyleChange {
    /// Set the property to a value.
    Set(String),
    /// Set the property to a value with a priority (`important`).
    SetWithPriority(String, String),
    /// Remove the property (`false`).
    Remove,
}

/// The attributes of an element, in order. Most elements have only a few.
pub type Attributes = SmallVec<[Attribute; 2]>;

/// What a serialized node is, with the fields of its kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub enum NodeKind {
    /// The document (rrweb node type 0).
    Document {
        /// `compatMode` (`CSS1Compat` or `BackCompat`), when recorded.
        compat_mode: Option<String>,
    },
    /// A doctype (rrweb node type 1).
    DocumentType {
        /// The doctype name, usually `html`.
        name: String,
        /// The public identifier.
        public_id: String,
        /// The system identifier.
        system_id: String,
    },
    /// An element (rrweb node type 2).
    Element {
        /// The tag name as recorded (lower case for HTML).
        tag: String,
        /// The attributes, in order.
        attributes: Attributes,
        /// `isSVG` when present.
        is_svg: Option<bool>,
        /// `needBlock` when present (rrweb's blocked-element marker).
        need_block: Option<bool>,
        /// `isCustom` when present (a custom element).
        is_custom: Option<bool>,
    },
    /// A text node (rrweb node type 3).
    Text {
        /// The text.
        text: String,
        /// `isStyle` when present: the text of a `<style>` element.
        is_style: Option<bool>,
    },
    /// A CDATA section (rrweb node type 4).
    CData {
        /// The content (rrweb records it as empty).
        text: String,
    },
    /// A comment (rrweb node type 5).
    Comment {
        /// The comment text.
        text: String,
    },
    /// A node type this crate does not know; its fields stay in [`SerializedNode::extra`].
    Unknown {
        /// The node type number as written.
        type_code: i64,
    },
}

bitflags::bitflags! {
    /// The JSON shape of a serialized node beyond its typed fields: which keys that rrweb
    /// writes for most nodes were present, so that writing it back gives the same JSON.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
    pub struct NodeShape: u8 {
        /// The node carried a `childNodes` array (rrweb writes one for documents and
        /// elements, even when empty).
        const CHILD_LIST = 1;
        /// An element node had no `attributes` key (rrweb's test fixtures omit it).
        const NO_ATTRIBUTES = 2;
    }
}

impl Encode for NodeShape {
    fn encode<E: bincode::enc::Encoder>(
        &self,
        e: &mut E,
    ) -> Result<(), bincode::error::EncodeError> {
        self.bits().encode(e)
    }
}

impl<C> Decode<C> for NodeShape {
    fn decode<D: bincode::de::Decoder<Context = C>>(
        d: &mut D,
    ) -> Result<Self, bincode::error::DecodeError> {
        Ok(NodeShape::from_bits_retain(u8::decode(d)?))
    }
}
bincode::impl_borrow_decode!(NodeShape);

impl NodeKind {
    /// rrweb's node type number (`0` document ... `5` comment, or the unknown one).
    pub fn type_code(&self) -> i64 {
        match self {
            NodeKind::Document { .. } => 0,
            NodeKind::DocumentType { .. } => 1,
            NodeKind::Element { .. } => 2,
            NodeKind::Text { .. } => 3,
            NodeKind::CData { .. } => 4,
            NodeKind::Comment { .. } => 5,
            NodeKind::Unknown { type_code } => *type_code,
        }
    }
}

/// One serialized node without its children (they follow it in the [`NodeTree`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub struct SerializedNode {
    /// The node's id.
    pub id: NodeId,
    /// What kind of node it is.
    pub kind: NodeKind,
    /// `rootId`: the id of the document this node belongs to when that is an iframe's.
    pub root_id: Option<NodeId>,
    /// `isShadowHost` when present.
    pub is_shadow_host: Option<bool>,
    /// `isShadow` when present: the node is a child of a shadow root.
    pub is_shadow: Option<bool>,
    /// Which usually-present JSON keys the node carried (for a lossless round trip).
    pub shape: NodeShape,
    /// Fields we do not know, kept verbatim.
    pub extra: Extra,
}

impl SerializedNode {
    /// The tag name if this is an element.
    pub fn tag(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Element { tag, .. } => Some(tag),
            _ => None,
        }
    }

    /// The attributes if this is an element.
    pub fn attributes(&self) -> Option<&Attributes> {
        match &self.kind {
            NodeKind::Element { attributes, .. } => Some(attributes),
            _ => None,
        }
    }

    /// The value of attribute `name` as text, if this is an element that has it.
    pub fn attribute(&self, name: &str) -> Option<std::borrow::Cow<'_, str>> {
        self.attributes()?
            .iter()
            .find(|a| a.name == name)
            .and_then(|a| a.value.as_text())
    }
}

/// A node of a [`NodeTree`] with the index of its parent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub struct TreeNode {
    /// Index of the parent in [`NodeTree::nodes`]; always lower than this node's own
    /// index. `None` for the root.
    pub parent: Option<u32>,
    /// The node.
    pub node: SerializedNode,
}

/// A serialized subtree in pre-order: the root first, every node after its parent and
/// siblings in document order.
///
/// rrweb nests `childNodes`; we keep the tree flat so that reading, writing, masking and
/// replaying it never recurse, whatever the depth of the page.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Encode, Decode)]
pub struct NodeTree {
    /// The nodes, root first.
    pub nodes: Vec<TreeNode>,
}

impl NodeTree {
    /// A tree of one node.
    pub fn single(node: SerializedNode) -> Self {
        NodeTree {
            nodes: vec![TreeNode { parent: None, node }],
        }
    }

    /// The root node, if the tree is not empty.
    pub fn root(&self) -> Option<&SerializedNode> {
        self.nodes.first().map(|n| &n.node)
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True when the tree has no node.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Iterates the nodes in pre-order.
    pub fn iter(&self) -> impl Iterator<Item = &SerializedNode> {
        self.nodes.iter().map(|n| &n.node)
    }

    /// For each node, the indices of its children in order. Parent indices that do not
    /// point backwards are ignored (the node is treated as a detached root).
    pub fn children_index(&self) -> Vec<Vec<u32>> {
        let mut children: Vec<Vec<u32>> = vec![Vec::new(); self.nodes.len()];
        for (i, n) in self.nodes.iter().enumerate() {
            if let Some(p) = n.parent
                && (p as usize) < i
                && let Some(list) = children.get_mut(p as usize)
            {
                list.push(i as u32);
            }
        }
        children
    }

    /// Depth of each node (the root is 0).
    pub fn depths(&self) -> Vec<u32> {
        let mut depth: Vec<u32> = Vec::with_capacity(self.nodes.len());
        for (i, n) in self.nodes.iter().enumerate() {
            let d = match n.parent {
                Some(p) if (p as usize) < i => depth.get(p as usize).map_or(0, |d| d + 1),
                _ => 0,
            };
            depth.push(d);
        }
        depth
    }
}
