//! The streaming path's applying: the engine decides on each parsed node, text,
//! attribute and mutation item, and the answers become edits (byte spans of the input
//! replaced by bytes in `Fast::buf`), written out around the untouched input.

use std::borrow::Cow;

use super::scan::{Scalar, Span, Str, write_json_string};
use super::{Edit, Fast, LArray, LAttr, LItem, LNode, Outcome, Plan};
use crate::model::NodeId;
use crate::privacy::scrub::engine::{
    AttrOutcome, AttributeChange, Engine, Fate, NO_PARENT, NodeLook, PackedAttrs, SplitFixes,
    TextOutcome, TextPlan, mirror_skips_attr,
};
use crate::privacy::scrub::report::ScrubPlace;

impl<'a> Fast<'a> {
    /// The unescaped content of a string: borrowed from the input when it has no escape
    /// (the common case, and no allocation).
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

    fn push_edit(&mut self, span: Span, rep: &[u8]) {
        let from = self.bufs.buf.len();
        self.bufs.buf.extend_from_slice(rep);
        self.bufs.edits.push(Edit {
            start: span.start,
            end: span.end,
            rep: (from, self.bufs.buf.len()),
        });
    }

    /// Whether a string is only spaces and whitespace escapes (`\n`, `\t`, `\r`, `\f`).
    /// Read from the raw bytes: the layout text between elements is mostly this, and
    /// the engine would keep it as it is, so it is neither unescaped nor decided on.
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
    /// whitespace ones are kept as they were written. This is the masked text's common
    /// case, and it saves unescaping the text, masking it and escaping the mask; the
    /// output is the same JSON string as the engine's mask would write.
    fn push_masked_edit(&mut self, t: Str) {
        let from = self.bufs.buf.len();
        let inner = self
            .text
            .get(t.span.start + 1..t.span.end.saturating_sub(1))
            .unwrap_or("");
        self.bufs.buf.push(b'"');
        let mut rest = inner;
        loop {
            // A run of plain ASCII first, byte by byte.
            let run = rest
                .bytes()
                .position(|b| b == b'\\' || b >= 0x80)
                .unwrap_or(rest.len());
            self.bufs.buf.extend(
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
                        .bufs
                        .buf
                        .extend_from_slice(rest.get(..len).unwrap_or("").as_bytes()),
                    _ => self.bufs.buf.push(b'*'),
                }
                len
            } else {
                if c.is_whitespace() {
                    let mut tmp = [0u8; 4];
                    self.bufs
                        .buf
                        .extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
                } else {
                    self.bufs.buf.push(b'*');
                }
                c.len_utf8()
            };
            rest = rest.get(len..).unwrap_or("");
        }
        self.bufs.buf.push(b'"');
        self.bufs.edits.push(Edit {
            start: t.span.start,
            end: t.span.end,
            rep: (from, self.bufs.buf.len()),
        });
    }

    fn push_string_edit(&mut self, span: Span, value: &str) {
        let from = self.bufs.buf.len();
        write_json_string(&mut self.bufs.buf, value);
        self.bufs.edits.push(Edit {
            start: span.start,
            end: span.end,
            rep: (from, self.bufs.buf.len()),
        });
    }

    /// Replaces each value at a span of `reps` by its string, dropping the edits of
    /// those spans made before (the per-node decisions that split secrets' fixes
    /// supersede), in one pass over the edits.
    fn replace_string_edits(&mut self, mut reps: Vec<(Span, String)>) {
        if reps.is_empty() {
            return;
        }
        reps.sort_by_key(|(s, _)| (s.start, s.end));
        self.bufs.edits.retain(|e| {
            reps.binary_search_by_key(&(e.start, e.end), |(s, _)| (s.start, s.end))
                .is_err()
        });
        for (span, value) in reps {
            self.push_string_edit(span, &value);
        }
    }

    /// The text nodes among `nodes[range]` that a split secret changes, with their new
    /// text, appended to `reps`.
    fn tree_text_fixes(
        &self,
        range: (u32, u32),
        fixes: &mut SplitFixes,
        reps: &mut Vec<(Span, String)>,
    ) {
        let nodes = self
            .bufs
            .nodes
            .get(range.0 as usize..range.1 as usize)
            .unwrap_or(&[]);
        for n in nodes.iter().filter(|n| n.kind == Some(3)) {
            if let (Some(id), Some(t)) = (n.id, n.text)
                && let Some(v) = fixes.get(id)
            {
                reps.push((t.span, v.to_owned()));
            }
        }
    }

    /// The node as the mirror sees it; a text's content only if the mirror keeps it
    /// (`keep_text`) and it is not blank (so a text under a masked element costs no
    /// copy). An element's attributes go in one buffer sized up front.
    fn look(&self, n: &LNode, keep_text: bool) -> NodeLook<'a> {
        match n.kind {
            Some(2) => NodeLook::Element {
                tag: n.tag.map_or(Cow::Borrowed(""), |t| self.unescape(t)),
                attrs: {
                    let list = self
                        .bufs
                        .attrs
                        .get(n.attrs.0 as usize..n.attrs.1 as usize)
                        .unwrap_or(&[]);
                    // The raw spans bound the unescaped lengths.
                    let bytes = list
                        .iter()
                        .filter(|a| !mirror_skips_attr(self.name_str(a.name)))
                        .map(|a| {
                            a.name.span.end - a.name.span.start + a.value_span.end
                                - a.value_span.start
                        })
                        .sum();
                    let mut p = PackedAttrs::with_capacity(bytes);
                    for a in list {
                        let name = self.name_str(a.name);
                        if !mirror_skips_attr(name)
                            && let Some(v) = self.attr_text(a)
                        {
                            p.push(name, &v);
                        }
                    }
                    p
                },
            },
            Some(4 | 5) => NodeLook::Comment,
            Some(3) => NodeLook::Text(match n.text {
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
    fn insert(&self, s: &mut Engine, i: usize, parent: i32) {
        let Some(n) = self.bufs.nodes.get(i) else {
            return;
        };
        let Some(id) = n.id else { return };
        s.insert(parent, id, |keep_text| self.look(n, keep_text));
    }

    /// The fast form of `Scrubber::scrub_tree` over `nodes[range]`.
    /// `root_in_place`: the root is already in the mirror as this batch put it there
    /// (see `apply_mutation`), so inserting it again would change nothing.
    fn apply_tree(
        &mut self,
        s: &mut Engine,
        range: (u32, u32),
        parent: i32,
        place: &ScrubPlace,
        root_in_place: bool,
    ) -> bool {
        let (first, last) = (range.0 as usize, range.1 as usize);
        let mut ids = std::mem::take(&mut self.bufs.ids);
        let mut kept = std::mem::take(&mut self.bufs.kept);
        ids.clear();
        kept.clear();
        for i in first..last {
            let Some(n) = self.bufs.nodes.get(i) else {
                break;
            };
            let (id, local_parent) = (n.id.unwrap_or(0), n.parent);
            let parent_id = match local_parent {
                Some(p) => ids.get(p as usize).copied().unwrap_or(parent),
                None => parent,
            };
            ids.push(id);
            if root_in_place && i == first {
                // What the refresh would do, without building the same data again.
                s.refresh(id);
            } else {
                self.insert(s, i, parent_id);
            }
            let parent_fate = local_parent.and_then(|pi| kept.get(pi as usize).copied());
            let fate = s.fate(id, parent_fate, place);
            kept.push(fate);
            if fate == Fate::Dropped {
                continue;
            }
            self.scrub_node(s, i, id, parent_id, place);
            // A blocked element keeps its place but not its children: its `childNodes`
            // becomes `[]` (already so when it had none).
            if fate == Fate::KeptBlocked
                && let Some(span) = self.bufs.nodes.get(i).and_then(|n| n.children_span)
                && span.end - span.start > 2
            {
                self.push_edit(span, b"[]");
            }
        }
        let root_kept = kept.first().is_some_and(|&f| f != Fate::Dropped);
        self.bufs.ids = ids;
        self.bufs.kept = kept;
        root_kept
    }

    /// The fast form of `Scrubber::scrub_node`.
    fn scrub_node(&mut self, s: &mut Engine, i: usize, id: i32, parent: i32, place: &ScrubPlace) {
        let Some(n) = self.bufs.nodes.get(i) else {
            return;
        };
        match n.kind {
            Some(2) => {
                let (a, b) = (n.attrs.0 as usize, n.attrs.1 as usize);
                let Some(span) = n.attrs_span else { return };
                self.scrub_attrs(s, id, a, b, span);
            }
            Some(3) => {
                let Some(t) = n.text else { return };
                // Fast path: layout whitespace stays as it is in any parent (the engine
                // keeps blank text, and blank CSS has no URL to scrub).
                if self.raw_blank(t) {
                    return;
                }
                let is_style = n.is_style;
                let text = self.unescape(t);
                match s.text_plan(id, &text, is_style, parent, place) {
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
    fn scrub_attrs(&mut self, s: &mut Engine, id: i32, a: usize, b: usize, span: Span) {
        // Only the changes are kept (an empty `Vec` does not allocate): most elements
        // change nothing and their attributes object is copied as written.
        let mut outcomes: Vec<(usize, AttrOutcome)> = Vec::new();
        for k in a..b {
            let Some(&attr) = self.bufs.attrs.get(k) else {
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
        let from = self.bufs.buf.len();
        self.bufs.buf.push(b'{');
        let mut first = true;
        let mut changed = outcomes.into_iter().peekable();
        for k in a..b {
            let Some(&attr) = self.bufs.attrs.get(k) else {
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
                self.bufs.buf.push(b',');
            }
            first = false;
            self.bufs.buf.extend_from_slice(
                self.input
                    .get(attr.name.span.start..attr.name.span.end)
                    .unwrap_or(b"\"\""),
            );
            self.bufs.buf.push(b':');
            match outcome {
                Some(AttrOutcome::Set(v)) => write_json_string(&mut self.bufs.buf, &v),
                _ => self.bufs.buf.extend_from_slice(
                    self.input
                        .get(attr.value_span.start..attr.value_span.end)
                        .unwrap_or(b"null"),
                ),
            }
        }
        self.bufs.buf.push(b'}');
        self.bufs.edits.push(Edit {
            start: span.start,
            end: span.end,
            rep: (from, self.bufs.buf.len()),
        });
    }

    /// Drops the array items whose `keep` is false and appends `extra` (JSON items,
    /// comma separated) at the end of the array.
    fn filter_array(&mut self, arr: LArray, keep: &[bool], extra: &[u8]) {
        let items: Vec<Span> = self
            .bufs
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
        self.bufs.items.get(k as usize).copied()
    }

    /// The fast form of the typed walk's `scrub_mutation`. The arrays are decided in
    /// the typed order (removes, adds, texts, attributes), whatever their order in the
    /// input: each step changes the mirror the next one reads.
    fn apply_mutation(
        &mut self,
        s: &mut Engine,
        texts: LArray,
        attributes: LArray,
        removes: LArray,
        adds: LArray,
    ) {
        let mut keep = std::mem::take(&mut self.bufs.keep_items);
        // Removes.
        keep.clear();
        for k in removes.items.0..removes.items.1 {
            let Some(it) = self.item(k) else { break };
            keep.push(s.remove(NodeId(it.id)));
        }
        // `keep` is reused for each array; the removes' and texts' verdicts are kept
        // aside until the nodes taken back and the texts re-masked are known.
        let removes_keep = keep.clone();
        // Adds: every root in place first (before its `nextId` sibling).
        for k in adds.items.0..adds.items.1 {
            let Some(it) = self.item(k) else { break };
            if let Some(n) = self.bufs.nodes.get(it.range.0 as usize)
                && let Some(id) = n.id
            {
                s.insert_before(it.parent, id, it.next, |keep_text| self.look(n, keep_text));
            }
        }
        // The typed path inserts each root a second time when it scrubs the add. When
        // no id comes twice in the batch and the root is an element still under the
        // parent the first pass gave it, that refresh would store the same tag and
        // attributes again: only its privacy is reset (to be computed afresh).
        let mut batch_ids = std::mem::take(&mut self.bufs.ids);
        batch_ids.clear();
        let (first, last) = (adds.items.0, adds.items.1);
        if let (Some(a), Some(b)) = (
            self.item(first),
            last.checked_sub(1).and_then(|l| self.item(l)),
        ) {
            batch_ids.extend(
                self.bufs
                    .nodes
                    .get(a.range.0 as usize..b.range.1 as usize)
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(|n| n.id),
            );
        }
        batch_ids.sort_unstable();
        let unique_ids = batch_ids.windows(2).all(|w| w.first() != w.get(1));
        self.bufs.ids = batch_ids;
        keep.clear();
        for k in adds.items.0..adds.items.1 {
            let Some(it) = self.item(k) else { break };
            let root_id = it.id;
            if s.drops_added_root(root_id) {
                let (first, last) = (it.range.0 as usize, it.range.1 as usize);
                for i in first + 1..last {
                    let parent = self
                        .bufs
                        .nodes
                        .get(i)
                        .and_then(|n| n.parent)
                        .and_then(|pi| self.bufs.nodes.get(first + pi as usize))
                        .and_then(|n| n.id)
                        .unwrap_or(root_id);
                    self.insert(s, i, parent);
                }
                keep.push(false);
                continue;
            }
            let in_place = unique_ids && s.is_placed_element(root_id, it.parent);
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
                .bufs
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
        // Secrets split across text nodes: fixed in place in this event's adds and text
        // changes, sent again as text changes for nodes handed out before (as the typed
        // path does).
        let mut fixes = s.split_secrets();
        if !fixes.is_empty() {
            let mut reps = Vec::new();
            for k in adds.items.0..adds.items.1 {
                let Some(it) = self.item(k) else { break };
                self.tree_text_fixes(it.range, &mut fixes, &mut reps);
            }
            for (j, k) in (texts.items.0..texts.items.1).enumerate() {
                let Some(it) = self.item(k) else { break };
                if texts_keep.get(j).copied().unwrap_or(false)
                    && let Some(v) = fixes.get(it.id)
                {
                    reps.push((it.value_span, v.to_owned()));
                }
            }
            self.replace_string_edits(reps);
            remask.extend(fixes.unplaced());
        }
        // What an attribute change took back or re-masked is appended to the removes and
        // the texts, as the typed path appends it to the model's arrays.
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
        self.bufs.keep_items = keep;
    }

    /// Hands a parsed event to the engine and collects the edits; `Drop` when the
    /// engine drops the event (an input on an ignored or blocked field).
    pub(super) fn apply(&mut self, s: &mut Engine, plan: Plan) -> Outcome {
        match plan {
            Plan::Verbatim => {}
            Plan::FullSnapshot { nodes } => {
                s.new_page();
                self.apply_tree(s, nodes, NO_PARENT, &ScrubPlace::Snapshot, false);
                let mut fixes = s.split_secrets();
                if !fixes.is_empty() {
                    let mut reps = Vec::new();
                    self.tree_text_fixes(nodes, &mut fixes, &mut reps);
                    self.replace_string_edits(reps);
                }
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

    /// Writes `input[span]` with the edits applied: every byte no edit covers is copied
    /// as written, formatting included.
    pub(super) fn emit(&mut self, span: Span, out: &mut Vec<u8>) {
        self.bufs.edits.sort_by_key(|e| (e.start, e.end));
        let mut pos = span.start;
        for e in &self.bufs.edits {
            if e.start < pos {
                continue; // never happens: edits do not overlap
            }
            out.extend_from_slice(self.input.get(pos..e.start).unwrap_or(&[]));
            out.extend_from_slice(self.bufs.buf.get(e.rep.0..e.rep.1).unwrap_or(&[]));
            pos = e.end;
        }
        out.extend_from_slice(self.input.get(pos..span.end).unwrap_or(&[]));
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::fast;

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
        let masked: String = serde_json::from_slice(&f.bufs.buf).unwrap();
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
}
