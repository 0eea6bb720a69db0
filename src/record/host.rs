//! The host's input types: its node keys, the subtrees it hands over and the mutation
//! records it observed, and the stylesheet edits and adoptions it saw through the CSSOM.
//!
//! Two id spaces meet here and must not mix: a [`HostKey`] is the host's identity for a
//! node (stable while the node lives, chosen by the host), a [`HostIndex`] is a position
//! inside one [`HostTree`] (meaningful only in that tree). Both are newtypes so that one
//! cannot be passed where the other is expected.

/// The host's identity for one of its nodes (a pointer value, an index, anything stable
/// while the node lives).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HostKey(pub u64);

/// A node's position in one [`HostTree`], as returned by [`HostTree::push`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HostIndex(pub usize);

/// What a host node is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostKind {
    /// The document.
    Document,
    /// A doctype.
    Doctype {
        /// Its name (`html`).
        name: String,
    },
    /// An element with its attributes.
    Element {
        /// The tag name (lower case for HTML).
        tag: String,
        /// The attributes, in order.
        attributes: Vec<(String, String)>,
    },
    /// A text node.
    Text(String),
    /// A comment.
    Comment(String),
}

/// One node of a [`HostTree`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostTreeNode {
    /// The host's key.
    pub key: HostKey,
    /// The parent's position in the tree (lower than this node's), `None` for the root.
    pub parent: Option<HostIndex>,
    /// What it is.
    pub kind: HostKind,
    /// A child of its parent's shadow root.
    pub in_shadow: bool,
}

/// A host subtree in pre-order (parents before children, siblings in order): what the
/// host hands to [`Recorder::snapshot`](super::Recorder::snapshot) and in
/// [`MutationRecord::ChildList`] additions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostTree {
    /// The nodes, root first.
    pub nodes: Vec<HostTreeNode>,
}

impl HostTree {
    /// Appends a node under `parent` (a position returned earlier) and returns its
    /// position.
    pub fn push(&mut self, key: HostKey, parent: Option<HostIndex>, kind: HostKind) -> HostIndex {
        self.nodes.push(HostTreeNode {
            key,
            parent,
            kind,
            in_shadow: false,
        });
        HostIndex(self.nodes.len() - 1)
    }
}

/// A MutationObserver record, with the new values the host read when it observed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MutationRecord {
    /// Children added to or removed from `target`.
    ChildList {
        /// The parent.
        target: HostKey,
        /// Added subtrees (each a host tree rooted at the added node).
        added: Vec<HostTree>,
        /// Removed nodes.
        removed: Vec<HostKey>,
        /// The sibling the additions went before, if any.
        next_sibling: Option<HostKey>,
    },
    /// An attribute changed.
    Attributes {
        /// The element.
        target: HostKey,
        /// The attribute.
        name: String,
        /// The value before (MutationObserver's `oldValue`), when the host has it.
        old_value: Option<String>,
        /// The new value, read by the host when it observed the record; `None` when
        /// the attribute was removed.
        value: Option<String>,
    },
    /// A text node's data changed.
    CharacterData {
        /// The text node.
        target: HostKey,
        /// The text before (MutationObserver's `oldValue`), when the host has it.
        old_value: Option<String>,
        /// The new text.
        value: String,
    },
}

/// A stylesheet the host saw edited through the CSSOM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostSheet {
    /// The sheet of a `<style>` or `<link>` node in the recorded tree.
    Node(HostKey),
    /// A constructed stylesheet (`new CSSStyleSheet()`), by the host's key for it. Its
    /// edits count once the recorder has its rules from a
    /// [`Recorder::adopted_sheets`](super::Recorder::adopted_sheets) call.
    Constructed(HostKey),
}

/// One CSSOM edit of a stylesheet. A `path` locates a rule: its index in the sheet, then
/// its index in each grouping rule (`@media`, `@supports`, ...) down to it, as rrweb
/// records them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SheetEdit {
    /// `insertRule(rule, index)`: `path` ends with the index the rule now has.
    Insert {
        /// Where the rule went.
        path: Vec<i64>,
        /// The rule's CSS text.
        rule: String,
    },
    /// `deleteRule(index)`.
    Delete {
        /// The rule that went.
        path: Vec<i64>,
    },
    /// `replace(text)` (`sync: false`) or `replaceSync(text)` on a constructed sheet.
    Replace {
        /// The sheet's new CSS text.
        text: String,
        /// Which of the two was called.
        sync: bool,
    },
    /// `style.setProperty(property, value, priority)` on a style rule.
    SetProperty {
        /// The style rule.
        path: Vec<i64>,
        /// The property.
        property: String,
        /// The value.
        value: String,
        /// `important` or empty.
        priority: String,
    },
    /// `style.removeProperty(property)` on a style rule.
    RemoveProperty {
        /// The style rule.
        path: Vec<i64>,
        /// The property.
        property: String,
    },
}

/// A constructed stylesheet in an adoption (`document.adoptedStyleSheets = [...]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdoptedSheet {
    /// The host's key for the sheet.
    pub key: HostKey,
    /// Its rules' CSS texts: needed the first time the host hands the sheet over, and
    /// taken as the sheet's rules whenever given. `None` for a sheet the recorder has.
    pub rules: Option<Vec<String>>,
}
