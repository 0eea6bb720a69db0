//! The page state at a moment: its parts, their accessors, and the dispatch of each event
//! to the code that applies it.
//!
//! [`State`] is extended in sibling files, one job each:
//!
//! - `mutate`: DOM mutation batches (removes, adds with their backlog, texts, attributes),
//!   and the invariants of the arena DOM they keep;
//! - `media`: media playback state; `sheets`: stylesheet edits and adopted sheets;
//! - `state_hash`: [`State::hash`], what it covers and why it is deterministic;
//! - `html` and `export`: the state as HTML, and as keyframe events.
//!
//! The small events (pointer, clicks and focus, scroll, viewport, form input, selection,
//! custom elements, fonts) are applied in place in the dispatch below.

use std::collections::{BTreeMap, BTreeSet};

use super::diag::{Diagnostics, Issue};
use super::dom::{Dom, DomIssue, DomKind};
use super::replayer::ReplayMode;
use crate::error::ReplayError;
use crate::limits::Limits;
use crate::model::*;

/// A form control's live value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FormValue {
    /// The value (text fields, selects; a checkbox's `value` attribute).
    pub text: String,
    /// The checked state (checkboxes and radios).
    pub checked: bool,
}

/// The pointer at the last applied sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pointer {
    /// X in CSS pixels.
    pub x: f64,
    /// Y in CSS pixels.
    pub y: f64,
    /// The node under it.
    pub id: NodeId,
    /// When it was sampled (the event timestamp plus the sample's time offset).
    pub at: Timestamp,
    /// Mouse, touch or drag.
    pub source: MoveSource,
}

/// The last click.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Click {
    /// The clicked node.
    pub id: NodeId,
    /// X, when recorded.
    pub x: Option<f64>,
    /// Y, when recorded.
    pub y: Option<f64>,
    /// When.
    pub at: Timestamp,
    /// Click or double click.
    pub double: bool,
}

/// A media element's playback state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MediaState {
    /// Playing or paused.
    pub playing: bool,
    /// `currentTime` (seconds) as of `at`.
    pub current_time: f64,
    /// When `current_time` was recorded.
    pub at: Timestamp,
    /// Volume, 0 to 1.
    pub volume: f64,
    /// Muted.
    pub muted: bool,
    /// Looping.
    pub looping: bool,
    /// Playback rate.
    pub rate: f64,
}

impl MediaState {
    /// The position (seconds) at time `t`, advancing while playing.
    pub fn position_at(&self, t: Timestamp) -> f64 {
        if self.playing {
            self.current_time + (t.millis_since(self.at).max(0) as f64 / 1000.0) * self.rate
        } else {
            self.current_time
        }
    }
}

/// One selection range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SelectedRange {
    /// Start node.
    pub start: NodeId,
    /// Offset in the start node.
    pub start_offset: i64,
    /// End node.
    pub end: NodeId,
    /// Offset in the end node.
    pub end_offset: i64,
}

/// Which stylesheet a rule edit targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SheetKey {
    /// The sheet of a `<style>` or `<link>` node.
    Node(NodeId),
    /// A constructed stylesheet (adopted stylesheets).
    Constructed(i64),
}

/// The page at one moment: the DOM and everything a viewer needs besides it.
///
/// `State` is plain data: cloning it is how keyframes are made, and [`State::hash`] is a
/// stable digest of everything in it but the diagnostics.
#[derive(Debug, Clone)]
pub struct State {
    pub(crate) dom: Dom,
    pub(crate) time: Timestamp,
    pub(crate) href: String,
    pub(crate) viewport: Option<(f64, f64)>,
    pub(crate) window_scroll: (f64, f64),
    pub(crate) element_scroll: BTreeMap<NodeId, (f64, f64)>,
    pub(crate) focus: Option<NodeId>,
    pub(crate) form: BTreeMap<NodeId, FormValue>,
    pub(crate) pointer: Option<Pointer>,
    pub(crate) last_click: Option<Click>,
    pub(crate) selection: Vec<SelectedRange>,
    pub(crate) media: BTreeMap<NodeId, MediaState>,
    pub(crate) sheets: BTreeMap<SheetKey, Vec<String>>,
    pub(crate) adopted: BTreeMap<NodeId, Vec<i64>>,
    pub(crate) custom_elements: BTreeSet<String>,
    pub(crate) fonts: Vec<(String, String)>,
    pub(crate) diagnostics: Diagnostics,
    /// The bounds on what a recording can make the state hold (the node limit is also in
    /// `dom`; `mutate` reads the backlog bound).
    pub(super) limits: Limits,
    /// Whether a problem in the recording stops the replay ([`State::issue`]).
    strict: bool,
}

impl State {
    /// An empty state (before any event). In [`ReplayMode::Strict`], [`State::apply`]
    /// returns the first problem as an error instead of counting it.
    pub fn new(limits: Limits, mode: ReplayMode) -> Self {
        State {
            dom: Dom::new(limits.nodes),
            time: Timestamp(i64::MIN),
            href: String::new(),
            viewport: None,
            window_scroll: (0.0, 0.0),
            element_scroll: BTreeMap::new(),
            focus: None,
            form: BTreeMap::new(),
            pointer: None,
            last_click: None,
            selection: Vec::new(),
            media: BTreeMap::new(),
            sheets: BTreeMap::new(),
            adopted: BTreeMap::new(),
            custom_elements: BTreeSet::new(),
            fonts: Vec::new(),
            diagnostics: Diagnostics::default(),
            limits,
            strict: mode == ReplayMode::Strict,
        }
    }

    /// The moment this state shows (the seek target).
    pub fn time(&self) -> Timestamp {
        self.time
    }

    /// The page URL from the last Meta event.
    pub fn href(&self) -> &str {
        &self.href
    }

    /// The viewport size (width, height), if known.
    pub fn viewport(&self) -> Option<(f64, f64)> {
        self.viewport
    }

    /// The window scroll (x, y).
    pub fn window_scroll(&self) -> (f64, f64) {
        self.window_scroll
    }

    /// Element scroll positions (x, y) by node.
    pub fn element_scroll(&self) -> &BTreeMap<NodeId, (f64, f64)> {
        &self.element_scroll
    }

    /// The focused node.
    pub fn focus(&self) -> Option<NodeId> {
        self.focus
    }

    /// Live form values set by input events, by node.
    pub fn form_values(&self) -> &BTreeMap<NodeId, FormValue> {
        &self.form
    }

    /// The pointer at its last sample.
    pub fn pointer(&self) -> Option<Pointer> {
        self.pointer
    }

    /// The last click.
    pub fn last_click(&self) -> Option<Click> {
        self.last_click
    }

    /// The selection ranges.
    pub fn selection(&self) -> &[SelectedRange] {
        &self.selection
    }

    /// Media playback state by node.
    pub fn media(&self) -> &BTreeMap<NodeId, MediaState> {
        &self.media
    }

    /// What was skipped or repaired while replaying up to here.
    pub fn diagnostics(&self) -> &Diagnostics {
        &self.diagnostics
    }

    /// Number of nodes in the DOM.
    pub fn node_count(&self) -> usize {
        self.dom.len()
    }

    /// The DOM, for walking it.
    pub fn dom(&self) -> super::DomView<'_> {
        super::DomView::new(&self.dom)
    }

    /// The current value of a form control: the live value from input events, else the
    /// value the snapshot recorded.
    pub fn form_value(&self, id: NodeId) -> Option<FormValue> {
        if let Some(v) = self.form.get(&id) {
            return Some(v.clone());
        }
        let slot = self.dom.slot_of(id)?;
        let tag = self.dom.tag(slot)?;
        if !matches!(tag, "input" | "textarea" | "select") {
            return None;
        }
        let value = self.dom.attr(slot, "value");
        let toggles = tag == "input"
            && self.dom.attr(slot, "type").is_some_and(|t| {
                t.eq_ignore_ascii_case("checkbox") || t.eq_ignore_ascii_case("radio")
            });
        Some(FormValue {
            // A checkbox or radio without a value attribute has the value "on".
            text: value.unwrap_or(if toggles { "on" } else { "" }).to_owned(),
            checked: self.dom.attr(slot, "checked").is_some(),
        })
    }

    /// Memory held by the state: (bytes of structure, bytes of text and attribute values).
    /// DOM pages shared with other states (keyframes) count in full here.
    pub fn memory(&self) -> (usize, usize) {
        let (side, side_text) = self.side_memory();
        (
            self.dom.structure_bytes() + side + std::mem::size_of::<State>(),
            self.dom.text_bytes() + side_text,
        )
    }

    /// Bytes this state holds that `other` does not share with it (DOM pages), all in
    /// one figure; with no `other`, the whole of [`State::memory`]. What a keyframe
    /// costs beside the one before it.
    pub(crate) fn memory_beyond(&self, other: Option<&State>) -> usize {
        let (side, side_text) = self.side_memory();
        self.dom.bytes_beyond(other.map(|o| &o.dom))
            + side
            + side_text
            + std::mem::size_of::<State>()
    }

    /// Memory of the parts beside the DOM: (structure, text).
    fn side_memory(&self) -> (usize, usize) {
        let side = self.form.len() * 64
            + self.element_scroll.len() * 40
            + self.media.len() * 80
            + self.sheets.values().map(|r| r.len() * 24).sum::<usize>();
        let side_text = self.form.values().map(|v| v.text.len()).sum::<usize>()
            + self
                .sheets
                .values()
                .flat_map(|r| r.iter())
                .map(String::len)
                .sum::<usize>();
        (side, side_text)
    }

    /// Counts a problem in the recording; in strict mode it is also the error that stops
    /// the replay.
    pub(super) fn issue(&mut self, event_index: usize, issue: Issue) -> Result<(), ReplayError> {
        self.diagnostics.count(issue);
        if self.strict {
            return Err(ReplayError { event_index, issue });
        }
        Ok(())
    }

    /// [`State::issue`] for a DOM operation that did not happen.
    pub(super) fn dom_issue(&mut self, event_index: usize, i: DomIssue) -> Result<(), ReplayError> {
        let issue = match i {
            DomIssue::DuplicateId(id) => Issue::DuplicateId(id),
            DomIssue::TooManyNodes => Issue::TooManyNodes,
        };
        self.issue(event_index, issue)
    }

    /// Builds a serialized tree detached (a full snapshot's, or an iframe's document),
    /// reporting the nodes skipped for a duplicate id and a build stopped by the node
    /// limit (which leaves nothing behind). Returns the tree's root slot, if any.
    pub(super) fn build_detached(
        &mut self,
        tree: &NodeTree,
        ev: usize,
    ) -> Result<Option<u32>, ReplayError> {
        let mut issues = Vec::new();
        let built = self.dom.build(tree, &mut issues);
        for i in issues {
            self.dom_issue(ev, i)?;
        }
        match built {
            Ok(root) => Ok(root),
            Err(i) => {
                self.dom_issue(ev, i)?;
                Ok(None)
            }
        }
    }

    /// Applies one event. `event_index` is used in diagnostics and strict-mode errors.
    pub fn apply(&mut self, event: &Event, event_index: usize) -> Result<(), ReplayError> {
        self.time = event.timestamp;
        match &event.kind {
            EventKind::FullSnapshot(snap) => self.full_snapshot(snap, event_index)?,
            EventKind::Meta(m) => {
                self.href.clone_from(&m.href);
                self.viewport = Some((m.width.as_f64(), m.height.as_f64()));
            }
            EventKind::Incremental(inc) => self.incremental(inc, event.timestamp, event_index)?,
            EventKind::DomContentLoaded(_)
            | EventKind::Load(_)
            | EventKind::Custom(_)
            | EventKind::Plugin(_)
            | EventKind::Asset(_) => {}
            EventKind::Unknown { .. } => self.diagnostics.unknown_events += 1,
        }
        Ok(())
    }

    /// Replaces the page by a full snapshot: the DOM and all side state tied to nodes are
    /// rebuilt from it; what is not about nodes (URL, viewport, pointer, last click, custom
    /// elements, fonts) carries over.
    fn full_snapshot(&mut self, snap: &FullSnapshot, ev: usize) -> Result<(), ReplayError> {
        self.dom.clear();
        self.element_scroll.clear();
        self.focus = None;
        self.form.clear();
        self.selection.clear();
        self.media.clear();
        self.sheets.clear();
        self.adopted.clear();
        self.diagnostics.full_snapshots += 1;
        if let Some(root) = self.build_detached(&snap.tree, ev)? {
            self.dom.set_root(root);
            self.init_media_from_attributes(root, self.time);
        }
        self.window_scroll = (
            snap.initial_offset.left.as_f64(),
            snap.initial_offset.top.as_f64(),
        );
        Ok(())
    }

    /// Applies an incremental event at `t` (the event's timestamp).
    fn incremental(
        &mut self,
        inc: &Incremental,
        t: Timestamp,
        ev: usize,
    ) -> Result<(), ReplayError> {
        match inc {
            Incremental::Mutation(m) => self.mutation(m, ev)?,
            Incremental::Moves(m) => {
                // Samples are ordered by their own time; keep the latest.
                let mut best: Option<Pointer> = self.pointer;
                for p in &m.positions {
                    let at = Timestamp(t.0.saturating_add(p.time_offset.as_i64().unwrap_or(0)));
                    if best.is_none_or(|b| at >= b.at) {
                        best = Some(Pointer {
                            x: p.x.as_f64(),
                            y: p.y.as_f64(),
                            id: p.id,
                            at,
                            source: m.source,
                        });
                    }
                }
                self.pointer = best;
            }
            Incremental::MouseInteraction(mi) => match mi.kind {
                MouseInteractionKind::Focus => self.focus = Some(mi.id),
                MouseInteractionKind::Blur if self.focus == Some(mi.id) => self.focus = None,
                MouseInteractionKind::Click | MouseInteractionKind::DblClick => {
                    self.last_click = Some(Click {
                        id: mi.id,
                        x: mi.x.map(Num::as_f64),
                        y: mi.y.map(Num::as_f64),
                        at: t,
                        double: mi.kind == MouseInteractionKind::DblClick,
                    });
                }
                _ => {}
            },
            Incremental::Scroll(s) => {
                let pos = (s.x.as_f64(), s.y.as_f64());
                match self.dom.slot_of(s.id) {
                    Some(slot)
                        if self
                            .dom
                            .node(slot)
                            .is_some_and(|n| n.kind == DomKind::Document) =>
                    {
                        if slot == self.dom.root() {
                            self.window_scroll = pos;
                        } else {
                            self.element_scroll.insert(s.id, pos);
                        }
                    }
                    Some(_) => {
                        self.element_scroll.insert(s.id, pos);
                    }
                    None => self.issue(ev, Issue::UnknownNode(s.id))?,
                }
            }
            Incremental::ViewportResize(v) => {
                self.viewport = Some((v.width.as_f64(), v.height.as_f64()));
            }
            Incremental::Input(i) => {
                if self.dom.slot_of(i.id).is_none() {
                    return self.issue(ev, Issue::UnknownNode(i.id));
                }
                // Reuse the field's memory: rrweb sends the whole value per keystroke.
                match self.form.get_mut(&i.id) {
                    Some(f) => {
                        f.text.clear();
                        f.text.push_str(&i.text);
                        f.checked = i.is_checked;
                    }
                    None => {
                        self.form.insert(
                            i.id,
                            FormValue {
                                text: i.text.clone(),
                                checked: i.is_checked,
                            },
                        );
                    }
                }
            }
            Incremental::MediaInteraction(m) => self.media_event(m, t, ev)?,
            Incremental::StyleSheetRule(r) => self.sheet_rule(r, ev)?,
            Incremental::StyleDeclaration(d) => self.declaration(d, ev)?,
            Incremental::AdoptedStyleSheet(a) => self.adopt_sheets(a),
            Incremental::Selection(s) => {
                self.selection = s
                    .ranges
                    .iter()
                    .map(|r| SelectedRange {
                        start: r.start,
                        start_offset: r.start_offset.as_i64().unwrap_or(0),
                        end: r.end,
                        end_offset: r.end_offset.as_i64().unwrap_or(0),
                    })
                    .collect();
            }
            Incremental::CustomElement(c) => {
                if let Some(d) = &c.define {
                    self.custom_elements.insert(d.name.clone());
                }
            }
            Incremental::Font(f) => {
                if !f.buffer {
                    self.fonts.push((f.family.clone(), f.font_source.clone()));
                }
            }
            Incremental::CanvasMutation(_) => self.diagnostics.not_rendered += 1,
            Incremental::Log(_) => {}
            Incremental::Unknown { .. } => self.diagnostics.unknown_events += 1,
        }
        Ok(())
    }

    /// Compacts the DOM arena when most of it is free (before a keyframe is taken).
    pub(crate) fn compact(&mut self) {
        self.dom.compact_if_sparse();
    }

    /// Sets the moment the state shows (what [`super::Replayer::seek`] does after applying
    /// the events up to it); playing media advance to it.
    pub fn set_time(&mut self, t: Timestamp) {
        self.time = t;
    }
}
