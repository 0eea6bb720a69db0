//! What the page around a value says it is: the field names, labels and column headers
//! that make an ambiguous number a secret (a date is a date of birth under "Date of
//! birth", nine bare digits are an SSN in a field named `ssn`). Read from the mirror,
//! and only when the detectors met such a number (see `detect::find_with`).
//!
//! Where it looks, nearest first, and no further than a few steps (a label is next to
//! its value, not a page away):
//! - the element's own attributes (for a field's value: `name`, `id`, `autocomplete`,
//!   `aria-label`, `placeholder`, ...) and those of up to [`ANCESTORS`] ancestors
//!   (`class="dob"`, `itemprop="birthDate"`);
//! - the text just before, in document order: the previous sibling of the value or of
//!   one of its [`ANCESTORS`] ancestors (`<dt>Date of birth</dt><dd>…</dd>`,
//!   `<th>DOB</th><td>…</td>`, `<b>Born:</b> …`, `<label>SSN</label><input>`);
//! - a table cell's column header (`<th>Date of birth</th>` above the cell).

use super::Engine;
use super::mirror::MNode;
use crate::privacy::detect::{Context, context_of};

/// Ancestors whose attributes and preceding siblings count.
const ANCESTORS: usize = 3;

/// Previous siblings looked at on each level (blank text and comments skipped).
const SIBLINGS: usize = 2;

/// The most bytes of a label's text read (labels are short; a paragraph is not one).
const LABEL_BYTES: usize = 80;

/// The most nodes read below one sibling for its text.
const LABEL_NODES: usize = 16;

/// The most siblings a value may have for the text before it, or its column, to be
/// looked up (each lookup is linear in them).
const MAX_SIBLINGS: usize = 4096;

/// Attributes that name or describe a field or a value.
const NAMING_ATTRS: [&str; 10] = [
    "name",
    "id",
    "class",
    "autocomplete",
    "itemprop",
    "aria-label",
    "placeholder",
    "title",
    "for",
    "data-field",
];

/// Where a value is, for its context.
#[derive(Debug, Clone, Copy)]
pub(super) enum Around {
    /// Nowhere in the page (a payload): only keywords in the value count.
    Nowhere,
    /// Text node `id` under element `parent`.
    Text { id: i32, parent: i32 },
    /// A value of element `el` (an input's value, an attribute).
    Field { el: i32 },
}

impl Engine {
    /// What the page around a value says it is.
    pub(super) fn context_around(&self, around: Around) -> Context {
        let (start, first_el) = match around {
            Around::Nowhere => return Context::empty(),
            Around::Text { id, parent } => (id, parent),
            Around::Field { el } => (el, el),
        };
        let mut ctx = Context::empty();
        // Attributes of the element and its ancestors.
        let mut at = first_el;
        for _ in 0..=ANCESTORS {
            let Some(n) = self.nodes.get(&at) else { break };
            if !n.element {
                break;
            }
            ctx |= attrs_context(n);
            at = n.parent;
        }
        if !ctx.is_empty() {
            return ctx;
        }
        // The text just before the value, or before one of its ancestors.
        let mut at = start;
        for _ in 0..=ANCESTORS {
            let Some(n) = self.nodes.get(&at) else { break };
            let parent = n.parent;
            let Some(p) = self.nodes.get(&parent) else {
                break;
            };
            let (said, looked) = self.before(p, at);
            if !said.is_empty() {
                return said;
            }
            // Above a cell, a row or an item are other rows and items, not labels (a
            // cell's label is its column header, below).
            if !p.element || matches!(&*n.tag, "td" | "th" | "tr" | "li" | "dd" | "option") {
                break;
            }
            // The nearest text before the value is its label, if it has one: when that
            // text says nothing, what is further up is another record's.
            if looked {
                return Context::empty();
            }
            at = parent;
        }
        // A table cell's column header.
        let mut at = first_el;
        for _ in 0..=ANCESTORS {
            let Some(n) = self.nodes.get(&at) else { break };
            if n.element && matches!(&*n.tag, "td" | "th") {
                return self.column_header(at, n);
            }
            at = n.parent;
        }
        ctx
    }

    /// What the previous siblings of `child` (under `parent`) say, and whether one of
    /// them shows any text.
    fn before(&self, parent: &MNode, child: i32) -> (Context, bool) {
        // Finding the child is linear in its siblings: past a bound (a flat list of
        // thousands of dates), a value has no label here, so that a page of them costs
        // no more than the bound each.
        if parent.children.len() > MAX_SIBLINGS {
            return (Context::empty(), false);
        }
        let Some(pos) = parent.children.iter().position(|&c| c == child) else {
            return (Context::empty(), false);
        };
        let mut ctx = Context::empty();
        let mut looked = 0;
        for &sib in parent.children.iter().take(pos).rev() {
            let mut label = String::new();
            self.text_of(sib, &mut label);
            if label.trim().is_empty() {
                continue;
            }
            ctx |= context_of(&label);
            // A label's attributes name the field it labels (`for="ssn"`); another
            // sibling's describe that sibling, not the value.
            if let Some(n) = self.nodes.get(&sib)
                && n.element
                && &*n.tag == "label"
            {
                ctx |= attrs_context(n);
            }
            looked += 1;
            if looked >= SIBLINGS || !ctx.is_empty() {
                break;
            }
        }
        (ctx, looked > 0)
    }

    /// What the header of table cell `cell`'s column says: the cell at the same place
    /// in the table's first row that holds `th` cells.
    fn column_header(&self, cell: i32, n: &MNode) -> Context {
        let Some(row) = self
            .nodes
            .get(&n.parent)
            .filter(|r| r.children.len() <= MAX_SIBLINGS)
        else {
            return Context::empty();
        };
        let cells = |r: &MNode| -> Vec<i32> {
            r.children
                .iter()
                .copied()
                .filter(|c| {
                    self.nodes
                        .get(c)
                        .is_some_and(|x| x.element && matches!(&*x.tag, "td" | "th"))
                })
                .collect()
        };
        let Some(col) = cells(row).iter().position(|&c| c == cell) else {
            return Context::empty();
        };
        // The table: the row's parent, or its grandparent through thead/tbody/tfoot.
        let mut table = n.parent;
        for _ in 0..2 {
            match self.nodes.get(&table) {
                Some(t) if &*t.tag == "table" => break,
                Some(t) => table = t.parent,
                None => return Context::empty(),
            }
        }
        let Some(t) = self.nodes.get(&table).filter(|t| &*t.tag == "table") else {
            return Context::empty();
        };
        // The first row with a header cell, among the table's first rows (a header is
        // at the top; a table of thousands of rows is not read to its end for each
        // cell).
        const HEAD_ROWS: usize = 8;
        let mut rows: Vec<i32> = Vec::with_capacity(HEAD_ROWS);
        for &c in t.children.iter().take(HEAD_ROWS) {
            let Some(x) = self.nodes.get(&c) else {
                continue;
            };
            match &*x.tag {
                "tr" => rows.push(c),
                "thead" | "tbody" | "tfoot" => rows.extend(
                    x.children
                        .iter()
                        .copied()
                        .filter(|r| self.nodes.get(r).is_some_and(|y| &*y.tag == "tr"))
                        .take(HEAD_ROWS),
                ),
                _ => {}
            }
            if rows.len() >= HEAD_ROWS {
                break;
            }
        }
        for r in rows {
            let Some(rn) = self.nodes.get(&r) else {
                continue;
            };
            let row_cells = cells(rn);
            let has_th = row_cells
                .iter()
                .any(|c| self.nodes.get(c).is_some_and(|x| &*x.tag == "th"));
            if !has_th {
                continue;
            }
            let Some(&h) = row_cells.get(col) else {
                return Context::empty();
            };
            if h == cell {
                return Context::empty();
            }
            let mut label = String::new();
            self.text_of(h, &mut label);
            let mut ctx = context_of(&label);
            if let Some(hn) = self.nodes.get(&h) {
                ctx |= attrs_context(hn);
            }
            return ctx;
        }
        Context::empty()
    }

    /// Appends the text shown last under `id` to `out`: its text nodes from the end
    /// backwards (the nearest to what follows is the label, not a long block's start),
    /// each followed by a space, bounded by [`LABEL_BYTES`] and [`LABEL_NODES`].
    fn text_of(&self, id: i32, out: &mut String) {
        // Children pushed in order pop last first: text nodes come in reverse order.
        let mut stack = vec![id];
        let mut seen = 0;
        while let Some(x) = stack.pop() {
            seen += 1;
            if seen > LABEL_NODES || out.len() >= LABEL_BYTES {
                break;
            }
            let Some(n) = self.nodes.get(&x) else {
                continue;
            };
            if n.element {
                if matches!(&*n.tag, "script" | "style") {
                    continue;
                }
                stack.extend(n.children.iter().copied());
            } else if let Some(t) = &n.text
                && n.tag.is_empty()
            {
                // The end of a long text: the words next to what follows.
                let room = LABEL_BYTES.saturating_sub(out.len());
                let mut cut = t.len().saturating_sub(room);
                while !t.is_char_boundary(cut) {
                    cut += 1;
                }
                out.push_str(t.get(cut..).unwrap_or(""));
                out.push(' ');
            }
        }
    }
}

/// What an element's naming attributes say (and the names of its `data-` attributes,
/// `data-dob`).
fn attrs_context(n: &MNode) -> Context {
    let mut ctx = Context::empty();
    for (name, value) in n.attrs.iter() {
        let lname = name.to_ascii_lowercase();
        if NAMING_ATTRS.contains(&lname.as_str()) {
            ctx |= context_of(value);
        } else if let Some(rest) = lname.strip_prefix("data-") {
            ctx |= context_of(rest);
            if lname.ends_with("field") || lname.ends_with("name") || lname.ends_with("testid") {
                ctx |= context_of(value);
            }
        }
    }
    ctx
}
