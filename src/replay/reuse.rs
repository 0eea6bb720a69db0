//! Node reuse for DOM patches: pairs each node a patch would remove with a node it would
//! create of the same shape in the same place, so that the renderer turns the old node
//! into the new one with a few attribute and text updates instead of rebuilding it.
//!
//! Why: a browser pays far more to create an element than to update one. Creating it
//! means a new style, a new layout object and new text shaping; an update re-shapes only
//! the text that changed. Measured in headless Chromium on a 300-item list with its
//! layout forced, replacing every item cost 16.4 ms and updating their texts in place
//! 6.1 ms. Lists whose items come back with new ids (a to-do list re-rendered by a
//! framework, a feed refreshed, the rows of a table re-keyed) are what seeking across a
//! session mostly changes.
//!
//! Only nodes whose live state lies entirely in their markup are reused: not form
//! controls (their value outlives the markup), canvases (their pixels), media, frames,
//! style sheets' owners, shadow hosts, templates, the document's root elements, and not
//! elements that were scrolled or had a live form value. Pairs are found per parent and
//! per gap between the children that stay (so a reused node never moves past one), in
//! document order, with a bounded look-ahead: the pass costs about what the patch
//! changes.

use std::collections::BTreeMap;

use super::dom::{Dom, DomFlags, DomKind, DomNode, NIL};
use super::state::FormValue;
use crate::model::NodeId;

/// How far past the last pair the search for an old node of the same shape looks: a few
/// nodes inserted or deleted between reusable ones do not end the pairing, and the pass
/// stays linear.
const LOOK_AHEAD: usize = 16;

/// Elements never reused (lower case): their live state is not in their markup, or
/// swapping them would reload or re-parse something (a `<source>` given a new `src`
/// does not restart its media; a new one inserted does).
const KEEP_OUT: &[&str] = &[
    "html", "head", "body", "iframe", "frame", "frameset", "object", "embed", "canvas", "input",
    "textarea", "select", "option", "optgroup", "style", "link", "script", "video", "audio",
    "source", "track", "template", "base", "meta",
];

/// What the old page held that an element's markup does not carry.
pub(super) struct LiveState<'a> {
    pub(super) scroll: &'a BTreeMap<NodeId, (f64, f64)>,
    pub(super) form: &'a BTreeMap<NodeId, FormValue>,
}

/// Whether a node may be reused (as the old node) or reuse one (as the new node).
fn reusable(dom: &Dom, n: &DomNode) -> bool {
    match n.kind {
        DomKind::Text => !n.flags.contains(DomFlags::STYLE_TEXT),
        DomKind::Comment => true,
        DomKind::Element => {
            !n.flags.contains(DomFlags::SHADOW_HOST)
                && !KEEP_OUT
                    .iter()
                    .any(|t| dom.name(n.name).eq_ignore_ascii_case(t))
        }
        _ => false,
    }
}

/// An old node the renderer can turn into the new one by updates alone.
fn same_shape(old: &Dom, a: &DomNode, new: &Dom, b: &DomNode) -> bool {
    a.kind == b.kind
        && a.flags.contains(DomFlags::SVG) == b.flags.contains(DomFlags::SVG)
        && a.flags.contains(DomFlags::IN_SHADOW) == b.flags.contains(DomFlags::IN_SHADOW)
        && (a.kind != DomKind::Element || old.name(a.name) == new.name(b.name))
}

/// The children of `parent` that `change` (leave or come) and are `ok` to pair, each
/// with its gap: the child before it that stays (`NIL` at the start).
fn candidates(
    dom: &Dom,
    parent: u32,
    change: impl Fn(u32) -> bool,
    ok: impl Fn(u32) -> bool,
    out: &mut Vec<(u32, u32)>,
) {
    out.clear();
    let mut gap = NIL;
    for c in dom.children(parent) {
        if !change(c) {
            gap = c;
        } else if ok(c) {
            out.push((gap, c));
        }
    }
}

/// Pairs removed old nodes with created new ones under the parents in `dirty` (slots
/// shown before and after) and, within each pair, their children. `removes` and
/// `creates` are sorted; returns `(old slot, new slot)` pairs, each slot at most once.
pub(super) fn pair(
    old: &Dom,
    new: &Dom,
    dirty: &[u32],
    removes: &[u32],
    creates: &[u32],
    live: &LiveState<'_>,
) -> Vec<(u32, u32)> {
    let removed = |s: u32| removes.binary_search(&s).is_ok();
    let created = |s: u32| creates.binary_search(&s).is_ok();
    let old_ok = |s: u32| {
        old.node(s).is_some_and(|n| {
            reusable(old, n) && !live.scroll.contains_key(&n.id) && !live.form.contains_key(&n.id)
        })
    };
    let new_ok = |s: u32| new.node(s).is_some_and(|n| reusable(new, n));
    let mut pairs = Vec::new();
    // Parents shown before and after the patch, then the pairs found, whose children
    // are paired in turn (a work list, not recursion: pages nest deeply).
    let mut stack: Vec<(u32, u32)> = dirty
        .iter()
        .filter(|&&p| p != NIL && !created(p) && !removed(p) && old.node(p).is_some())
        .map(|&p| (p, p))
        .collect();
    stack.sort_unstable();
    stack.dedup();
    // Each candidate with its gap: the child before it that stays (`NIL` at the start),
    // so that a node is reused only between the same neighbours. A removed row reused
    // for a row added far away would have to move, and the nodes between would be laid
    // out again.
    let mut olds: Vec<(u32, u32)> = Vec::new();
    let mut news: Vec<(u32, u32)> = Vec::new();
    let mut used: Vec<usize> = Vec::new();
    while let Some((op, np)) = stack.pop() {
        candidates(old, op, removed, old_ok, &mut olds);
        if olds.is_empty() {
            continue;
        }
        candidates(new, np, created, new_ok, &mut news);
        // Old candidates grouped by gap, in order within each (a stable sort); `used[i]`:
        // how many of the group starting at `i` are behind the last pair.
        olds.sort_by_key(|&(g, _)| g);
        used.clear();
        used.resize(olds.len(), 0);
        for &(g, b) in &news {
            let Some(bn) = new.node(b) else { continue };
            let lo = olds.partition_point(|&(x, _)| x < g);
            let hi = olds.partition_point(|&(x, _)| x <= g);
            let Some(done) = used.get_mut(lo) else {
                continue;
            };
            let from = lo + *done;
            let window = olds
                .get(from..hi.min(from + LOOK_AHEAD))
                .unwrap_or_default();
            let Some(k) = window
                .iter()
                .position(|&(_, a)| old.node(a).is_some_and(|an| same_shape(old, an, new, bn)))
            else {
                continue;
            };
            let Some(&(_, a)) = window.get(k) else {
                continue;
            };
            *done += k + 1;
            pairs.push((a, b));
            let has_kids = |d: &Dom, s: u32| d.node(s).is_some_and(|n| n.first_child != NIL);
            if has_kids(old, a) && has_kids(new, b) {
                stack.push((a, b));
            }
        }
    }
    pairs
}
