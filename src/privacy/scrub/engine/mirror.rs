//! The node mirror: what the scrubber knows of the page (each node's parent, tag,
//! attributes, shown text and privacy state), kept current from snapshots and
//! mutations, and read by selectors through [`MEl`].

use std::collections::BTreeMap;

use super::super::NodePrivacy;
use crate::privacy::selector::SelectorElement;

#[derive(Debug, Clone)]
pub(in crate::privacy::scrub) struct MNode {
    pub(super) parent: i32,
    pub(super) element: bool,
    /// Lower-cased.
    pub(super) tag: Tag,
    pub(super) attrs: PackedAttrs,
    /// Text content of text nodes (kept so that a later mask can re-mask it).
    pub(super) text: Option<Box<str>>,
    /// Inline up to four (no allocation for most elements).
    pub(super) children: smallvec::SmallVec<[i32; 4]>,
    pub(super) privacy: NodePrivacy,
}

/// The parent of a root (a snapshot's document): no node has this id.
pub(in crate::privacy::scrub) const NO_PARENT: i32 = i32::MIN;

/// The mirror's nodes by id. rrweb hands out ids densely from 1, so ids up to a bound
/// index a vector directly; an id far beyond the nodes seen so far (hostile input)
/// goes to a map instead, so no id makes the vector grow out of proportion.
#[derive(Debug, Clone, Default)]
pub(super) struct Mirror {
    dense: Vec<Option<MNode>>,
    sparse: BTreeMap<i32, MNode>,
    len: usize,
}

impl Mirror {
    /// Ids below this may live in the vector, if not too far beyond its length.
    const DENSE_MAX: usize = 1 << 22;

    fn slot(&self, id: i32) -> Option<usize> {
        usize::try_from(id).ok().filter(|&i| i < self.dense.len())
    }

    pub(super) fn get(&self, id: &i32) -> Option<&MNode> {
        match self.slot(*id) {
            Some(i) => self.dense.get(i).and_then(Option::as_ref),
            None => self.sparse.get(id),
        }
    }

    pub(super) fn get_mut(&mut self, id: &i32) -> Option<&mut MNode> {
        match self.slot(*id) {
            Some(i) => self.dense.get_mut(i).and_then(Option::as_mut),
            None => self.sparse.get_mut(id),
        }
    }

    pub(super) fn contains_key(&self, id: &i32) -> bool {
        self.get(id).is_some()
    }

    pub(super) fn insert(&mut self, id: i32, node: MNode) {
        if self.slot(id).is_none()
            && let Ok(i) = usize::try_from(id)
            && i < Self::DENSE_MAX
            && i <= 2 * self.dense.len() + 4096
        {
            let new_len = (i + 1).max(self.dense.len() * 3 / 2);
            self.dense
                .resize_with(new_len.min(Self::DENSE_MAX), || None);
            // Ids now covered by the vector move over from the map.
            let moved: Vec<i32> = self
                .sparse
                .keys()
                .copied()
                .filter(|&k| self.slot(k).is_some())
                .collect();
            for k in moved {
                if let (Some(n), Some(slot)) = (self.sparse.remove(&k), self.slot(k))
                    && let Some(x) = self.dense.get_mut(slot)
                {
                    *x = Some(n);
                }
            }
        }
        let old = match self.slot(id) {
            Some(i) => self.dense.get_mut(i).and_then(|x| x.replace(node)),
            None => self.sparse.insert(id, node),
        };
        if old.is_none() {
            self.len += 1;
        }
    }

    fn remove(&mut self, id: &i32) -> Option<MNode> {
        let old = match self.slot(*id) {
            Some(i) => self.dense.get_mut(i).and_then(Option::take),
            None => self.sparse.remove(id),
        };
        if old.is_some() {
            self.len -= 1;
        }
        old
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Every node with its id: the vector's, then the map's, each in id order.
    pub(super) fn iter(&self) -> impl Iterator<Item = (i32, &MNode)> {
        let dense = self
            .dense
            .iter()
            .enumerate()
            .filter_map(|(i, n)| Some((i32::try_from(i).ok()?, n.as_ref()?)));
        dense.chain(self.sparse.iter().map(|(&id, n)| (id, n)))
    }

    pub(super) fn clear(&mut self) {
        self.dense.iter_mut().for_each(|x| *x = None);
        self.sparse.clear();
        self.len = 0;
    }
}

/// A lower-cased tag name; a common one costs no allocation to keep or copy.
#[derive(Debug, Clone, Default)]
pub(super) enum Tag {
    #[default]
    Empty,
    /// A common tag, from [`COMMON_TAGS`].
    Common(&'static str),
    Heap(Box<str>),
}

/// Tags common enough to be kept without an allocation.
pub(super) const COMMON_TAGS: [&str; 73] = [
    "#comment",
    "#document",
    "a",
    "abbr",
    "article",
    "aside",
    "audio",
    "b",
    "blockquote",
    "body",
    "br",
    "button",
    "canvas",
    "caption",
    "code",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "em",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hr",
    "html",
    "i",
    "iframe",
    "img",
    "input",
    "label",
    "legend",
    "li",
    "link",
    "main",
    "meta",
    "nav",
    "noscript",
    "ol",
    "optgroup",
    "option",
    "p",
    "path",
    "picture",
    "pre",
    "script",
    "section",
    "select",
    "small",
    "source",
    "span",
    "strong",
    "style",
    "sub",
    "summary",
    "svg",
    "table",
    "tbody",
    "td",
    "textarea",
    "time",
    "title",
];

/// A tag of at most eight bytes as an integer, for comparing without `memcmp`.
const fn pack_tag(b: &[u8]) -> Option<u64> {
    if b.len() > 8 {
        return None;
    }
    let (mut k, mut shift, mut rest) = (0u64, 0, b);
    while let [c, tail @ ..] = rest {
        k |= (*c as u64) << shift;
        shift += 8;
        rest = tail;
    }
    Some(k)
}

/// [`COMMON_TAGS`] packed (0 for those longer than eight bytes, which then never match).
/// Evaluated at compile time, where an index out of bounds is a build error.
#[allow(clippy::indexing_slicing)]
const COMMON_TAG_KEYS: [u64; COMMON_TAGS.len()] = {
    let mut keys = [0u64; COMMON_TAGS.len()];
    let mut i = 0;
    while i < keys.len() {
        if let Some(k) = pack_tag(COMMON_TAGS[i].as_bytes()) {
            keys[i] = k;
        }
        i += 1;
    }
    keys
};

impl Tag {
    pub(super) fn lower(tag: &str) -> Tag {
        if tag.is_empty() {
            return Tag::Empty;
        }
        let owned;
        let lower = if tag.bytes().any(|b| b.is_ascii_uppercase()) {
            owned = tag.to_ascii_lowercase();
            owned.as_str()
        } else {
            tag
        };
        if let Some(key) = pack_tag(lower.as_bytes())
            && let Some(i) = COMMON_TAG_KEYS.iter().position(|&k| k == key)
            && let Some(t) = COMMON_TAGS.get(i)
        {
            return Tag::Common(t);
        }
        Tag::Heap(lower.into())
    }
}

impl std::ops::Deref for Tag {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            Tag::Empty => "",
            Tag::Common(s) => s,
            Tag::Heap(s) => s,
        }
    }
}

/// An element's attributes in the mirror, in one buffer: names and values one after
/// the other, with their lengths alongside (one allocation for a typical element
/// instead of two per attribute).
#[derive(Debug, Clone, Default)]
pub(in crate::privacy::scrub) struct PackedAttrs {
    text: String,
    lens: smallvec::SmallVec<[(u32, u32); 6]>,
}

impl PackedAttrs {
    pub(in crate::privacy::scrub) fn with_capacity(bytes: usize) -> Self {
        PackedAttrs {
            text: String::with_capacity(bytes),
            lens: smallvec::SmallVec::new(),
        }
    }

    /// Appends an attribute (an inlined stylesheet's text is not kept, see
    /// [`mirror_skips_attr`]).
    pub(in crate::privacy::scrub) fn push(&mut self, name: &str, value: &str) {
        if mirror_skips_attr(name) {
            return;
        }
        let (Ok(n), Ok(v)) = (u32::try_from(name.len()), u32::try_from(value.len())) else {
            return;
        };
        self.text.push_str(name);
        self.text.push_str(value);
        self.lens.push((n, v));
    }

    /// The buffer and the (name, value) lengths, as saved.
    pub(super) fn parts(&self) -> (&str, &[(u32, u32)]) {
        (&self.text, &self.lens)
    }

    /// Attributes from saved parts, if the lengths cut `text` exactly into names and
    /// values on character boundaries.
    pub(super) fn from_parts(text: String, lens: &[(u32, u32)]) -> Option<PackedAttrs> {
        let mut at = 0usize;
        for &(n, v) in lens {
            for len in [n, v] {
                at = at.checked_add(len as usize)?;
                if !text.is_char_boundary(at) {
                    return None;
                }
            }
        }
        (at == text.len()).then(|| PackedAttrs {
            text,
            lens: lens.iter().copied().collect(),
        })
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        let mut at = 0usize;
        self.lens.iter().map(move |&(n, v)| {
            let (n, v) = (n as usize, v as usize);
            let name = self.text.get(at..at + n).unwrap_or("");
            let value = self.text.get(at + n..at + n + v).unwrap_or("");
            at += n + v;
            (name, value)
        })
    }

    /// Sets (`Some`) or removes (`None`) attribute `name`, as a mutation does.
    pub(super) fn set(&mut self, name: &str, value: Option<&str>) {
        let mut next = PackedAttrs::default();
        for (k, v) in self.iter() {
            if k != name {
                next.push(k, v);
            }
        }
        if let Some(v) = value {
            next.push(name, v);
        }
        *self = next;
    }
}

/// Attributes the mirror does not keep: an inlined stylesheet's text (rrweb's
/// `_cssText`) is large, and nothing matches on it.
pub(in crate::privacy::scrub) fn mirror_skips_attr(name: &str) -> bool {
    name.eq_ignore_ascii_case("_csstext")
}

/// What the mirror needs to know of a node, borrowed from whichever form it came in
/// (the typed model or the input's JSON): what a front end hands to the engine.
pub(in crate::privacy::scrub) enum NodeLook<'a> {
    Element {
        tag: std::borrow::Cow<'a, str>,
        attrs: PackedAttrs,
    },
    Text(std::borrow::Cow<'a, str>),
    /// A comment or CDATA section: never shown, so its content is not kept.
    Comment,
    Document,
    Other,
}

/// A node of the mirror as a [`SelectorElement`], for matching the policy's selectors.
#[derive(Clone, Copy)]
pub(super) struct MEl<'a> {
    pub(super) nodes: &'a Mirror,
    pub(super) id: i32,
}

impl SelectorElement for MEl<'_> {
    fn tag(&self) -> &str {
        self.nodes.get(&self.id).map_or("", |n| &n.tag)
    }
    fn attr(&self, name: &str) -> Option<&str> {
        let n = self.nodes.get(&self.id)?;
        n.attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }
    fn parent_element(&self) -> Option<Self> {
        let n = self.nodes.get(&self.id)?;
        let p = self.nodes.get(&n.parent)?;
        p.element.then_some(MEl {
            nodes: self.nodes,
            id: n.parent,
        })
    }
}

impl Mirror {
    /// Puts a node in the mirror under `parent`, before its child `next` if it has one
    /// (else last), keeping a text node's content only if `keep_text` (a node seen
    /// again in the same place is refreshed and keeps its children and place; seen
    /// elsewhere, it was moved and starts over).
    pub(super) fn add(
        &mut self,
        parent: i32,
        id: i32,
        look: NodeLook<'_>,
        keep_text: bool,
        next: Option<i32>,
    ) {
        let (element, tag, attrs, text): (bool, Tag, PackedAttrs, _) = match look {
            NodeLook::Element { tag, attrs } => (true, Tag::lower(&tag), attrs, None),
            NodeLook::Text(t) => {
                // Blank layout text is kept empty, whichever front end brought it (the
                // streaming one does not copy it): nothing reads its whitespace.
                let text = keep_text.then(|| {
                    if t.trim().is_empty() {
                        "".into()
                    } else {
                        (*t).into()
                    }
                });
                (false, Tag::default(), PackedAttrs::default(), text)
            }
            NodeLook::Comment => (false, Tag::lower("#comment"), PackedAttrs::default(), None),
            NodeLook::Document => (false, Tag::lower("#document"), PackedAttrs::default(), None),
            NodeLook::Other => (false, Tag::default(), PackedAttrs::default(), None),
        };
        if let Some(existing) = self.get_mut(&id) {
            if existing.parent == parent {
                // Seen earlier in the same batch: refresh, keep its children.
                existing.element = element;
                existing.tag = tag;
                existing.attrs = attrs;
                existing.text = text;
                existing.privacy = NodePrivacy::empty();
                return;
            }
            // A node added again elsewhere (moved) starts over.
            self.remove_subtree(id);
        }
        self.insert(
            id,
            MNode {
                parent,
                element,
                tag,
                attrs,
                text,
                children: smallvec::SmallVec::new(),
                privacy: NodePrivacy::empty(),
            },
        );
        // A node never becomes its own child (hostile input), so the mirror stays a tree.
        if parent != id
            && let Some(p) = self.get_mut(&parent)
        {
            match next.and_then(|n| p.children.iter().position(|&c| c == n)) {
                Some(at) => p.children.insert(at, id),
                None => p.children.push(id),
            }
        }
    }

    /// Forgets node `id` and everything below it.
    pub(super) fn remove_subtree(&mut self, id: i32) {
        if let Some(n) = self.get(&id) {
            let parent = n.parent;
            if let Some(p) = self.get_mut(&parent) {
                p.children.retain(|c| *c != id);
            }
        }
        let mut stack = vec![id];
        while let Some(x) = stack.pop() {
            if let Some(n) = self.remove(&x) {
                stack.extend(n.children);
            }
        }
    }

    /// The lower-cased tag of node `id` (empty if unknown or not an element).
    pub(super) fn tag_of(&self, id: i32) -> Tag {
        self.get(&id).map_or_else(Tag::default, |n| n.tag.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_tags_are_sorted_and_kept_lower_case() {
        assert!(COMMON_TAGS.windows(2).all(|w| w[0] < w[1]));
        assert!(matches!(Tag::lower("DIV"), Tag::Common("div")));
        assert!(matches!(Tag::lower("my-widget"), Tag::Heap(_)));
        assert_eq!(&*Tag::lower("My-Widget"), "my-widget");
        assert_eq!(&*Tag::lower(""), "");
    }
}
