//! Secrets split across text nodes: `<span>123</span> <span>45</span> <span>6789</span>`
//! shows an SSN that no single text node holds. The detectors also run on the text of
//! each inline run (the text nodes one block shows in a row, through inline elements
//! such as `span`, `b` or `a`), joined as the browser shows it, and a finding that spans
//! two or more nodes masks its part in each of them.
//!
//! What is joined: text nodes whose content the detectors scrub (not masked, not in
//! `script`, `style` or `textarea`), in document order, through inline elements. What
//! ends a run: a block element (`div`, `p`, `td`, `li`, ...), `br`, a replaced or form
//! element, a masked or blocked element (a comment, never shown, is skipped). So
//! `<td>123</td><td>45</td>` is two runs: a table's cells, like a form's separate
//! fields, are separate values.
//!
//! Cost: the engine notes the text nodes of an event that the detectors saw and that
//! hold a digit, `@` or `%` (a structured secret has one of them); only the blocks
//! holding those are walked, each once per event, and a run is joined only when two of
//! its nodes show text and together they hold four digits or an `@` or `%` (a counter
//! such as "3 items left" is not joined). Most events note nothing.

use super::super::NodePrivacy;
use super::super::report::{Place, ScrubPlace};
use super::Engine;
use super::context::Around;
use super::mirror::NO_PARENT;
use crate::privacy::detect::{self, Detectors, Finding, PiiKind};

/// Whether an element's content flows inline with its neighbours' (HTML's phrasing
/// elements that show their text; `br` and replaced elements end a run). A `match`,
/// which compiles to a few length and byte compares: it runs for every element walked.
fn is_inline(tag: &str) -> bool {
    // No phrasing element's name is longer than seven bytes: most block tags are
    // refused on their length alone.
    tag.len() <= 7
        && matches!(
            tag,
            "a" | "abbr"
                | "acronym"
                | "b"
                | "bdi"
                | "bdo"
                | "big"
                | "cite"
                | "code"
                | "data"
                | "del"
                | "dfn"
                | "em"
                | "font"
                | "i"
                | "ins"
                | "kbd"
                | "label"
                | "mark"
                | "nobr"
                | "output"
                | "q"
                | "s"
                | "samp"
                | "small"
                | "span"
                | "strike"
                | "strong"
                | "sub"
                | "sup"
                | "time"
                | "tt"
                | "u"
                | "var"
                | "wbr"
        )
}

/// The most nodes one block's walk visits. A block with more inline nodes than this
/// (a flat list of thousands of spans) is checked in its first ones; it bounds the work
/// a single mutation into such a block costs.
const MAX_WALK: usize = 8192;

/// The most ancestors climbed to find a node's block.
const MAX_CLIMB: usize = 256;

/// Whether a text may hold part of a structured secret: every detector's finding has a
/// digit, an `@`, or a `%` (percent-encoding), except a few vendor keys written in
/// letters only, which are not split in practice.
pub(super) fn may_hold_part(text: &str) -> bool {
    text.bytes()
        .any(|b| b.is_ascii_digit() || b == b'@' || b == b'%')
}

/// How many digits a text holds, and whether it holds an `@` or a `%` (an encoded one).
fn part_marks(text: &str) -> (usize, bool) {
    let (mut digits, mut at) = (0, false);
    for b in text.bytes() {
        digits += usize::from(b.is_ascii_digit());
        at |= b == b'@' || b == b'%';
    }
    (digits, at)
}

/// One piece of a joined run: `joined[at..]` holds node `node`'s `text[from..to]` as
/// is, or, for a whitespace run (`space`), one space standing for it.
#[derive(Debug, Clone, Copy)]
struct Piece {
    node: u32,
    at: u32,
    from: u32,
    to: u32,
    space: bool,
}

impl Piece {
    /// The bytes the piece takes in the joined text.
    fn len(&self) -> u32 {
        if self.space { 1 } else { self.to - self.from }
    }
}

/// A run being built: its text nodes in order (only ids: the walk copies no text),
/// whether one of them was noted, then, once it is worth checking, the joined text
/// and its pieces.
#[derive(Debug, Default)]
struct Run {
    nodes: Vec<i32>,
    touched: bool,
    joined: String,
    pieces: Vec<Piece>,
}

impl Run {
    fn clear(&mut self) {
        self.nodes.clear();
        self.touched = false;
        self.joined.clear();
        self.pieces.clear();
    }

    /// Appends node number `node`'s text as the browser shows it: each whitespace run
    /// one space (none at the start of the run), the rest as is.
    fn join(&mut self, node: u32, text: &str) {
        let mut rest = text;
        let mut from = 0usize;
        while !rest.is_empty() {
            let ws_len = rest.len() - rest.trim_start().len();
            if ws_len > 0 {
                if !self.joined.is_empty() && !self.joined.ends_with(' ') {
                    self.pieces.push(Piece {
                        node,
                        at: self.joined.len() as u32,
                        from: from as u32,
                        to: (from + ws_len) as u32,
                        space: true,
                    });
                    self.joined.push(' ');
                }
                from += ws_len;
                rest = rest.get(ws_len..).unwrap_or("");
                continue;
            }
            let word_len = rest.find(char::is_whitespace).unwrap_or(rest.len());
            self.pieces.push(Piece {
                node,
                at: self.joined.len() as u32,
                from: from as u32,
                to: (from + word_len) as u32,
                space: false,
            });
            self.joined.push_str(rest.get(..word_len).unwrap_or(""));
            from += word_len;
            rest = rest.get(word_len..).unwrap_or("");
        }
    }
}

/// The split search's buffers, kept by the engine for their capacity: scratch, never
/// saved (the notes are cleared as each event starts).
#[derive(Debug, Default)]
pub(super) struct SplitScratch {
    /// The text nodes of the current event that the detectors saw and that may hold
    /// part of a secret.
    noted: Vec<i32>,
    /// The walk's stack: a node, and whether its parent shows text.
    stack: Vec<(i32, bool)>,
    blocks: Vec<i32>,
    run: Run,
}

impl SplitScratch {
    /// Forgets the notes of the event before.
    pub(super) fn new_event(&mut self) {
        self.noted.clear();
    }
}

/// The texts [`Engine::split_secrets`] changes, looked up by node id as a front end
/// walks its event once (a sorted index, so that a snapshot with many fixes is not
/// walked once per fix).
#[derive(Debug, Default)]
pub(in crate::privacy::scrub) struct SplitFixes {
    /// `(id, new text)` in the order found.
    fixes: Vec<(i32, String)>,
    /// Indices into `fixes`, by id.
    by_id: Vec<usize>,
    /// Which fixes a node of the event took.
    placed: Vec<bool>,
}

impl SplitFixes {
    fn new(fixes: Vec<(i32, String)>) -> Self {
        let mut by_id: Vec<usize> = (0..fixes.len()).collect();
        by_id.sort_by_key(|&k| fixes.get(k).map(|f| f.0));
        let placed = vec![false; fixes.len()];
        SplitFixes {
            fixes,
            by_id,
            placed,
        }
    }

    /// Whether nothing changes (the common case: the front end skips its walk).
    pub(in crate::privacy::scrub) fn is_empty(&self) -> bool {
        self.fixes.is_empty()
    }

    /// The new text of node `id`, if a split secret changes it; the node is then
    /// counted as fixed in place.
    pub(in crate::privacy::scrub) fn get(&mut self, id: i32) -> Option<&str> {
        let at = self
            .by_id
            .binary_search_by_key(&Some(id), |&k| self.fixes.get(k).map(|f| f.0))
            .ok()?;
        let k = *self.by_id.get(at)?;
        if let Some(p) = self.placed.get_mut(k) {
            *p = true;
        }
        self.fixes.get(k).map(|f| f.1.as_str())
    }

    /// The fixes no node of the event took, in the order found: nodes handed out
    /// before, which the front end sends again as text changes.
    pub(in crate::privacy::scrub) fn unplaced(self) -> impl Iterator<Item = (i32, String)> {
        self.fixes
            .into_iter()
            .zip(self.placed)
            .filter(|(_, placed)| !placed)
            .map(|(f, _)| f)
    }
}

/// What a node of a run becomes: the findings of its own text, and the parts of
/// findings across nodes that fall in it.
type NodeRanges = Vec<(u32, Vec<Finding>)>;

impl Engine {
    /// Notes text node `id`, whose content the detectors just scrubbed, for
    /// [`Engine::split_secrets`] (only if it may hold part of a secret).
    pub(super) fn note_detected_text(&mut self, id: i32, text: &str) {
        if id != NO_PARENT && may_hold_part(text) {
            self.split.noted.push(id);
        }
    }

    /// After an event is applied: the text nodes whose content must change because a
    /// secret spans them, with their new text, found block by block. The new text
    /// masks the node's own findings too (it replaces what the per-node decision gave).
    /// A front end edits a node of this event in place, and re-sends any other node as
    /// a text change ([`SplitFixes::unplaced`]). Clears the notes.
    pub(in crate::privacy::scrub) fn split_secrets(&mut self) -> SplitFixes {
        if self.split.noted.is_empty() {
            return SplitFixes::default();
        }
        let mut found = Vec::new();
        self.split_secrets_into(&mut found);
        SplitFixes::new(found)
    }

    fn split_secrets_into(&mut self, out: &mut Vec<(i32, String)>) {
        let mut scratch = std::mem::take(&mut self.split);
        scratch.noted.sort_unstable();
        scratch.noted.dedup();
        let detectors = self.policy.detectors - Detectors::ENTROPY;
        scratch.blocks.clear();
        for &id in &scratch.noted {
            if let Some(b) = self.block_of(id) {
                scratch.blocks.push(b);
            }
        }
        // Each block once, in id order (the order the fixes come out in).
        scratch.blocks.sort_unstable();
        scratch.blocks.dedup();
        for k in 0..scratch.blocks.len() {
            if let Some(&b) = scratch.blocks.get(k) {
                self.walk_block(b, &mut scratch, detectors, out);
            }
        }
        scratch.noted.clear();
        self.split = scratch;
    }

    /// The nearest ancestor of text node `id` that is not an inline element: the block
    /// whose runs hold it.
    fn block_of(&self, id: i32) -> Option<i32> {
        let mut at = self.nodes.get(&id)?.parent;
        for _ in 0..MAX_CLIMB {
            let n = self.nodes.get(&at)?;
            if !(n.element && is_inline(&n.tag)) {
                return Some(at);
            }
            at = n.parent;
        }
        None
    }

    /// Whether the text children of element `el` are shown with only the detectors'
    /// masking: what a run may join.
    fn shows_text(&mut self, el: i32) -> bool {
        let Some(p) = self.nodes.get(&el) else {
            return false;
        };
        if !p.element || matches!(&*p.tag, "script" | "style" | "textarea" | "noscript") {
            return false;
        }
        // Computed already for every node an event decided on: read it as stored.
        let pp = if p.privacy.contains(NodePrivacy::COMPUTED) {
            p.privacy
        } else {
            self.ensure(el)
        };
        !(self.masks_text(pp) || pp.intersects(NodePrivacy::BLOCKED | NodePrivacy::DROPPED))
    }

    /// Walks block `b`'s inline content in document order, cutting it into runs, and
    /// checks each run that holds a noted node.
    fn walk_block(
        &mut self,
        b: i32,
        scratch: &mut SplitScratch,
        detectors: Detectors,
        out: &mut Vec<(i32, String)>,
    ) {
        let SplitScratch {
            noted, stack, run, ..
        } = scratch;
        run.clear();
        // Each entry: a node, and whether its parent shows text (worked out once per
        // element, not once per text).
        stack.clear();
        let shows = self.shows_text(b);
        match self.nodes.get(&b) {
            Some(n) => stack.extend(n.children.iter().rev().map(|&c| (c, shows))),
            None => return,
        }
        let mut visited = 0usize;
        while let Some((id, parent_shows)) = stack.pop() {
            visited += 1;
            if visited > MAX_WALK {
                break;
            }
            let Some(n) = self.nodes.get(&id) else {
                continue;
            };
            if n.element {
                if is_inline(&n.tag)
                    && !n
                        .privacy
                        .intersects(NodePrivacy::BLOCKED | NodePrivacy::DROPPED)
                {
                    let shows = self.shows_text(id);
                    if let Some(n) = self.nodes.get(&id) {
                        stack.extend(n.children.iter().rev().map(|&c| (c, shows)));
                    }
                } else {
                    self.check_run(run, detectors, out);
                }
                continue;
            }
            if &*n.tag == "#comment" {
                // Not shown: neither joins nor ends a run.
                continue;
            }
            if !n.tag.is_empty() || !parent_shows || n.privacy.contains(NodePrivacy::DROPPED) {
                // A document (a shadow root's or a frame's), another kind of node, or a
                // text shown masked: the run ends here.
                self.check_run(run, detectors, out);
                continue;
            }
            run.nodes.push(id);
            run.touched |= noted.binary_search(&id).is_ok();
        }
        self.check_run(run, detectors, out);
    }

    /// The content of text node `id` as a run joins it. A text the mirror keeps no
    /// content of, or keeps empty, is blank layout text here (a masked one is not
    /// joined; the mirror keeps blank text empty), shown as one space.
    fn run_text(&self, id: i32) -> &str {
        match self.nodes.get(&id).and_then(|n| n.text.as_deref()) {
            Some(t) if !t.is_empty() => t,
            _ => " ",
        }
    }

    /// Runs the detectors on a finished run if it may hide a split secret, appends the
    /// nodes that change to `out`, and clears the run.
    fn check_run(&mut self, run: &mut Run, detectors: Detectors, out: &mut Vec<(i32, String)>) {
        if run.nodes.is_empty() {
            // The common break: a block child right after another.
            return;
        }
        if !run.touched || run.nodes.len() < 2 {
            run.clear();
            return;
        }
        // Worth joining only if the run can hold a structured secret: an address (an
        // `@`, or `%40` in a URL), or four digits or more, which every numeric secret
        // has (an SSN nine, a card thirteen, a date of birth four). A counter such as
        // "3 items left" across two nodes, the common case by far, has fewer. (Vendor
        // keys cut into parts that hold no digit are not looked for.)
        let (mut digits, mut at, mut filled) = (0usize, false, 0usize);
        for &id in &run.nodes {
            let text = self.run_text(id);
            let (d, a) = part_marks(text);
            digits += d;
            at |= a;
            filled += usize::from(!text.trim().is_empty());
        }
        if filled < 2 || (digits < 4 && !at) {
            run.clear();
            return;
        }
        for k in 0..run.nodes.len() {
            let id = run.nodes.get(k).copied().unwrap_or(NO_PARENT);
            let text = self.run_text(id);
            run.join(k as u32, text);
        }
        // The run's context is its first node's (a label before the run, the block's
        // field name).
        let around = match run.nodes.first() {
            Some(&id) => Around::Text {
                id,
                parent: self.nodes.get(&id).map_or(NO_PARENT, |n| n.parent),
            },
            None => Around::Nowhere,
        };
        let found = detect::find_with(&run.joined, detectors, &mut || self.context_around(around));
        let mut per_node: NodeRanges = Vec::new();
        let mut kinds: Vec<PiiKind> = Vec::new();
        for f in &found {
            let (start, end) = (f.start as u32, f.end as u32);
            // The pieces the finding covers, and in how many nodes it shows.
            let covered: Vec<Piece> = run
                .pieces
                .iter()
                .copied()
                .filter(|p| p.at < end && p.at + p.len() > start)
                .collect();
            let mut nodes_shown: Vec<u32> = covered
                .iter()
                .filter(|p| !p.space)
                .map(|p| p.node)
                .collect();
            nodes_shown.dedup();
            if nodes_shown.len() < 2 {
                continue; // within one node: the per-node decision masked it
            }
            kinds.push(f.kind);
            for p in covered {
                // The part of the piece inside the finding, in the node's own bytes.
                let range = if p.space {
                    (p.from, p.to)
                } else {
                    let lo = start.max(p.at) - p.at + p.from;
                    let hi = end.min(p.at + p.len()) - p.at + p.from;
                    (lo, hi)
                };
                let part = Finding {
                    start: range.0 as usize,
                    end: range.1 as usize,
                    kind: f.kind,
                };
                match per_node.iter_mut().find(|(n, _)| *n == p.node) {
                    Some((_, v)) => v.push(part),
                    None => per_node.push((p.node, vec![part])),
                }
            }
        }
        if !kinds.is_empty() {
            self.report
                .pii(&kinds, Place::Fixed(&ScrubPlace::SplitText));
        }
        per_node.sort_by_key(|(n, _)| *n);
        for (node, mut parts) in per_node {
            let Some(&id) = run.nodes.get(node as usize) else {
                continue;
            };
            let text = self.run_text(id);
            let parent = self.nodes.get(&id).map_or(NO_PARENT, |n| n.parent);
            parts.extend(detect::find_with(text, detectors, &mut || {
                self.context_around(Around::Text { id, parent })
            }));
            let merged = merge(parts);
            let new = detect::mask_findings(text, &merged);
            if new != text {
                out.push((id, new));
            }
        }
        run.clear();
    }
}

/// Findings sorted by start, overlapping ones merged: what `mask_findings` takes.
fn merge(mut v: Vec<Finding>) -> Vec<Finding> {
    v.sort_by_key(|f| (f.start, std::cmp::Reverse(f.end)));
    let mut out: Vec<Finding> = Vec::with_capacity(v.len());
    for f in v {
        match out.last_mut() {
            Some(last) if f.start <= last.end => last.end = last.end.max(f.end),
            _ => out.push(f),
        }
    }
    out
}
