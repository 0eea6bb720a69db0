//! The patch wire between wasm and the JavaScript DOM applier: a [`PatchSink`] that
//! writes each operation as `u32` words, with its strings in one text.
//!
//! Why this shape: crossing from wasm to JavaScript costs per call and per string. One
//! `Uint32Array` and one string per patch cross in two copies, however many nodes the
//! patch builds (a 110,000-node page is one patch). Strings are referred to by their
//! start and length in UTF-16 units, what `String.prototype.substring` takes, so the
//! applier slices them without decoding anything again.
//!
//! The opcodes are mirrored in `web/js/applier.js`; `OPCODES` below is checked against
//! it by the browser tests.

use session_replay::replay::{FormValue, NewNode, NodeKey, PatchSink, ScrollTarget};

/// Operation codes. Operands follow each code; `s` is a string (two words: start and
/// length), `k` a node key, `f` an `f32` as its bits, `n` a count.
pub mod op {
    /// `k` (or `NONE`): drop everything; `k` is the new top-level document.
    pub const RESET: u32 = 1;
    /// `k`: detach the node and forget its key.
    pub const REMOVE: u32 = 2;
    /// `k s(tag) svg`: a detached element.
    pub const ELEMENT: u32 = 3;
    /// `k s`: a text node.
    pub const TEXT: u32 = 4;
    /// `k s`: a comment (CDATA sections too).
    pub const COMMENT: u32 = 5;
    /// `k s(name) s(public id) s(system id)`.
    pub const DOCTYPE: u32 = 6;
    /// `k`: an iframe's content document, bound when it is placed.
    pub const DOCUMENT: u32 = 7;
    /// `k s(name) s(value)`.
    pub const SET_ATTR: u32 = 8;
    /// `k s(name)`.
    pub const REMOVE_ATTR: u32 = 9;
    /// `k s`.
    pub const SET_TEXT: u32 = 10;
    /// `k shadow n k*n`: the children of `k`, in order.
    pub const CHILDREN: u32 = 11;
    /// `k 0` or `k 1 s(css)`: a style or link element's CSS beyond its markup.
    pub const SHEET: u32 = 12;
    /// `k n s*n`: adopted stylesheets of a document or shadow host.
    pub const ADOPTED: u32 = 13;
    /// `k s(value) checked`.
    pub const FORM: u32 = 14;
    /// `k(or NONE for the window) f(x) f(y)`.
    pub const SCROLL: u32 = 15;
    /// `k` or `NONE`.
    pub const FOCUS: u32 = 16;
    /// `f(width) f(height)`.
    pub const VIEWPORT: u32 = 17;
    /// `n (k(from) k(to))*n`: reuse shown nodes under new keys, all pairs at once.
    pub const ADOPT: u32 = 18;
    /// "No node".
    pub const NONE: u32 = u32::MAX;
}

/// Every opcode by name, for the applier's check.
pub const OPCODES: &[(&str, u32)] = &[
    ("RESET", op::RESET),
    ("REMOVE", op::REMOVE),
    ("ELEMENT", op::ELEMENT),
    ("TEXT", op::TEXT),
    ("COMMENT", op::COMMENT),
    ("DOCTYPE", op::DOCTYPE),
    ("DOCUMENT", op::DOCUMENT),
    ("SET_ATTR", op::SET_ATTR),
    ("REMOVE_ATTR", op::REMOVE_ATTR),
    ("SET_TEXT", op::SET_TEXT),
    ("CHILDREN", op::CHILDREN),
    ("SHEET", op::SHEET),
    ("ADOPTED", op::ADOPTED),
    ("FORM", op::FORM),
    ("SCROLL", op::SCROLL),
    ("FOCUS", op::FOCUS),
    ("VIEWPORT", op::VIEWPORT),
    ("ADOPT", op::ADOPT),
];

/// One patch, as words and text.
#[derive(Debug, Default)]
pub struct OpWriter {
    /// The operations.
    pub words: Vec<u32>,
    /// Every string the operations refer to, back to back.
    pub text: String,
    /// `text`'s length in UTF-16 units.
    utf16: u32,
    /// The patch dropped everything shown (`RESET`).
    pub reset: bool,
    /// Canvas elements the patch created: new elements, with blank bitmaps.
    pub new_canvases: Vec<NodeKey>,
}

impl OpWriter {
    /// Empties the buffers (keeping their memory for the next patch).
    pub fn clear(&mut self) {
        self.words.clear();
        self.text.clear();
        self.utf16 = 0;
        self.reset = false;
        self.new_canvases.clear();
    }

    fn s(&mut self, s: &str) {
        // ASCII is one unit per byte: the common case skips the count.
        let len = if s.is_ascii() {
            s.len()
        } else {
            s.encode_utf16().count()
        };
        let len = u32::try_from(len).unwrap_or(u32::MAX);
        self.words.push(self.utf16);
        self.words.push(len);
        self.text.push_str(s);
        self.utf16 = self.utf16.saturating_add(len);
    }

    fn f(&mut self, v: f64) {
        let v = if v.is_finite() { v as f32 } else { 0.0 };
        self.words.push(v.to_bits());
    }
}

impl PatchSink for OpWriter {
    fn reset(&mut self, root: Option<NodeKey>) {
        self.reset = true;
        self.words.push(op::RESET);
        self.words.push(root.map_or(op::NONE, |k| k.0));
    }
    fn remove(&mut self, key: NodeKey) {
        self.words.extend([op::REMOVE, key.0]);
    }
    fn adopt(&mut self, moves: &[(NodeKey, NodeKey)]) {
        self.words
            .extend([op::ADOPT, u32::try_from(moves.len()).unwrap_or(0)]);
        for &(from, to) in moves {
            self.words.extend([from.0, to.0]);
        }
    }
    fn create(&mut self, key: NodeKey, node: NewNode<'_>) {
        match node {
            NewNode::Element { tag, svg } => {
                if !svg && tag.eq_ignore_ascii_case("canvas") {
                    self.new_canvases.push(key);
                }
                self.words.extend([op::ELEMENT, key.0]);
                self.s(tag);
                self.words.push(u32::from(svg));
            }
            NewNode::Text(t) => {
                self.words.extend([op::TEXT, key.0]);
                self.s(t);
            }
            NewNode::Comment(t) | NewNode::CData(t) => {
                self.words.extend([op::COMMENT, key.0]);
                self.s(t);
            }
            NewNode::Doctype {
                name,
                public_id,
                system_id,
            } => {
                self.words.extend([op::DOCTYPE, key.0]);
                self.s(name);
                self.s(public_id);
                self.s(system_id);
            }
            NewNode::Document => self.words.extend([op::DOCUMENT, key.0]),
            // A node kind this build does not know: an empty comment keeps its place.
            _ => {
                self.words.extend([op::COMMENT, key.0]);
                self.s("");
            }
        }
    }
    fn set_attr(&mut self, key: NodeKey, name: &str, value: Option<&str>) {
        match value {
            Some(v) => {
                self.words.extend([op::SET_ATTR, key.0]);
                self.s(name);
                self.s(v);
            }
            None => {
                self.words.extend([op::REMOVE_ATTR, key.0]);
                self.s(name);
            }
        }
    }
    fn set_text(&mut self, key: NodeKey, text: &str) {
        self.words.extend([op::SET_TEXT, key.0]);
        self.s(text);
    }
    fn children(&mut self, parent: NodeKey, shadow: bool, kids: &[NodeKey]) {
        self.words.extend([
            op::CHILDREN,
            parent.0,
            u32::from(shadow),
            u32::try_from(kids.len()).unwrap_or(0),
        ]);
        self.words.extend(kids.iter().map(|k| k.0));
    }
    fn sheet(&mut self, owner: NodeKey, css: Option<&str>) {
        self.words.extend([op::SHEET, owner.0]);
        match css {
            Some(c) => {
                self.words.push(1);
                self.s(c);
            }
            None => self.words.push(0),
        }
    }
    fn adopted(&mut self, host: NodeKey, sheets: &[&str]) {
        self.words.extend([
            op::ADOPTED,
            host.0,
            u32::try_from(sheets.len()).unwrap_or(0),
        ]);
        for s in sheets {
            self.s(s);
        }
    }
    fn form(&mut self, key: NodeKey, value: &FormValue) {
        self.words.extend([op::FORM, key.0]);
        self.s(&value.text);
        self.words.push(u32::from(value.checked));
    }
    fn scroll(&mut self, target: ScrollTarget, x: f64, y: f64) {
        let k = match target {
            ScrollTarget::Window => op::NONE,
            ScrollTarget::Node(k) => k.0,
        };
        self.words.extend([op::SCROLL, k]);
        self.f(x);
        self.f(y);
    }
    fn focus(&mut self, key: Option<NodeKey>) {
        self.words
            .extend([op::FOCUS, key.map_or(op::NONE, |k| k.0)]);
    }
    fn viewport(&mut self, width: f64, height: f64) {
        self.words.push(op::VIEWPORT);
        self.f(width);
        self.f(height);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_counted_in_utf16_units() {
        let mut w = OpWriter::default();
        w.create(NodeKey(3), NewNode::Text("a😀b"));
        w.set_text(NodeKey(3), "é");
        assert_eq!(w.words, [op::TEXT, 3, 0, 4, op::SET_TEXT, 3, 4, 1]);
        assert_eq!(w.text, "a😀bé");
        w.clear();
        assert!(w.words.is_empty() && w.text.is_empty());
        w.set_text(NodeKey(1), "x");
        assert_eq!(w.words, [op::SET_TEXT, 1, 0, 1]);
    }

    #[test]
    fn opcodes_are_distinct() {
        let mut codes: Vec<u32> = OPCODES.iter().map(|c| c.1).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), OPCODES.len());
    }
}
