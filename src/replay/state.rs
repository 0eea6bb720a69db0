//! The page state at a moment, and how each event changes it.

use std::collections::{BTreeMap, BTreeSet};

use super::css;
use super::diag::{Diagnostics, Issue};
use super::dom::{Dom, DomFlags, DomIssue, DomKind, NIL, NodeData};
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
    limits: Limits,
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
    pub fn memory(&self) -> (usize, usize) {
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
        (
            self.dom.structure_bytes() + side + std::mem::size_of::<State>(),
            self.dom.text_bytes() + side_text,
        )
    }

    fn issue(&mut self, event_index: usize, issue: Issue) -> Result<(), ReplayError> {
        self.diagnostics.count(issue);
        if self.strict {
            return Err(ReplayError { event_index, issue });
        }
        Ok(())
    }

    fn dom_issue(&mut self, event_index: usize, i: DomIssue) -> Result<(), ReplayError> {
        let issue = match i {
            DomIssue::DuplicateId(id) => Issue::DuplicateId(id),
            DomIssue::TooManyNodes => Issue::TooManyNodes,
        };
        self.issue(event_index, issue)
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
        let mut issues = Vec::new();
        let built = self.dom.build(&snap.tree, &mut issues);
        for i in issues {
            self.dom_issue(ev, i)?;
        }
        match built {
            Ok(Some(root)) => {
                self.dom.set_root(root);
                self.init_media_from_attributes(root, self.time);
            }
            Ok(None) => {}
            Err(i) => self.dom_issue(ev, i)?,
        }
        self.window_scroll = (
            snap.initial_offset.left.as_f64(),
            snap.initial_offset.top.as_f64(),
        );
        Ok(())
    }

    /// rrweb records media state as `rr_media*` attributes in snapshots.
    fn init_media_from_attributes(&mut self, root: u32, at: Timestamp) {
        let slots: Vec<u32> = self
            .dom
            .descendants(root)
            .filter(|&s| matches!(self.dom.tag(s), Some("video" | "audio")))
            .collect();
        for s in slots {
            let Some(id) = self.dom.node(s).map(|n| n.id) else {
                continue;
            };
            let num = |name: &str| self.dom.attr(s, name).and_then(|v| v.parse::<f64>().ok());
            let state = MediaState {
                playing: self.dom.attr(s, "rr_mediaState") == Some("played"),
                current_time: num("rr_mediaCurrentTime").unwrap_or(0.0),
                at,
                volume: num("rr_mediaVolume").unwrap_or(1.0),
                muted: self
                    .dom
                    .attr(s, "rr_mediaMuted")
                    .is_some_and(|v| v != "false"),
                looping: self
                    .dom
                    .attr(s, "rr_mediaLoop")
                    .is_some_and(|v| v != "false"),
                rate: num("rr_mediaPlaybackRate").unwrap_or(1.0),
            };
            self.media.insert(id, state);
        }
    }

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
            Incremental::AdoptedStyleSheet(a) => {
                for style in a.styles.iter().flatten() {
                    let rules = style.rules.iter().map(|r| r.rule.clone()).collect();
                    self.sheets
                        .insert(SheetKey::Constructed(style.style_id), rules);
                }
                self.adopted.insert(a.id, a.style_ids.clone());
            }
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

    fn media_event(
        &mut self,
        m: &MediaInteraction,
        t: Timestamp,
        ev: usize,
    ) -> Result<(), ReplayError> {
        if self.dom.slot_of(m.id).is_none() {
            return self.issue(ev, Issue::UnknownNode(m.id));
        }
        let entry = self.media.entry(m.id).or_insert(MediaState {
            playing: false,
            current_time: 0.0,
            at: t,
            volume: 1.0,
            muted: false,
            looping: false,
            rate: 1.0,
        });
        // Bring the clock up to `t` before changing anything.
        entry.current_time = entry.position_at(t);
        entry.at = t;
        if let Some(ct) = m.current_time {
            entry.current_time = ct.as_f64();
        }
        if let Some(v) = m.volume {
            entry.volume = v.as_f64();
        }
        if let Some(muted) = m.muted {
            entry.muted = muted;
        }
        if let Some(l) = m.looping {
            entry.looping = l;
        }
        if let Some(r) = m.playback_rate {
            entry.rate = r.as_f64();
        }
        match m.kind {
            MediaInteractionKind::Play => entry.playing = true,
            MediaInteractionKind::Pause => entry.playing = false,
            _ => {}
        }
        Ok(())
    }

    /// The rule list of a sheet, created from the node's CSS on first edit.
    fn sheet_rules(&mut self, key: SheetKey) -> Option<&mut Vec<String>> {
        if !self.sheets.contains_key(&key) {
            let SheetKey::Node(id) = key else {
                self.sheets.insert(key, Vec::new());
                return self.sheets.get_mut(&key);
            };
            let slot = self.dom.slot_of(id)?;
            let css = match self.dom.attr(slot, "_cssText") {
                Some(css) => css.to_owned(),
                None => self
                    .dom
                    .children(slot)
                    .filter_map(|c| self.dom.text(c))
                    .collect::<String>(),
            };
            self.sheets.insert(key, css::split_rules(&css));
        }
        self.sheets.get_mut(&key)
    }

    fn sheet_key(&self, id: Option<NodeId>, style_id: Option<i64>) -> Option<SheetKey> {
        match (id, style_id) {
            (Some(id), _) => Some(SheetKey::Node(id)),
            (None, Some(s)) => Some(SheetKey::Constructed(s)),
            (None, None) => None,
        }
    }

    fn sheet_rule(&mut self, r: &StyleSheetRule, ev: usize) -> Result<(), ReplayError> {
        let Some(key) = self.sheet_key(r.id, r.style_id) else {
            return self.issue(ev, Issue::BadStyleEdit);
        };
        if let Some(text) = r.replace.as_ref().or(r.replace_sync.as_ref()) {
            self.sheets.insert(key, css::split_rules(text));
        }
        let Some(rules) = self.sheet_rules(key) else {
            let id = r.id.unwrap_or(NodeId::UNKNOWN);
            return self.issue(ev, Issue::UnknownNode(id));
        };
        let mut ok = true;
        for add in r.adds.iter().flatten() {
            let path = match &add.index {
                None => None,
                Some(RuleIndex::Flat(i)) => Some(vec![*i]),
                Some(RuleIndex::Nested(p)) => Some(p.clone()),
            };
            ok &= css::insert_rule(rules, path.as_deref(), &add.rule);
        }
        for rm in r.removes.iter().flatten() {
            let path = match &rm.index {
                RuleIndex::Flat(i) => vec![*i],
                RuleIndex::Nested(p) => p.clone(),
            };
            ok &= css::delete_rule(rules, &path);
        }
        if !ok {
            self.issue(ev, Issue::BadStyleEdit)?;
        }
        Ok(())
    }

    fn declaration(&mut self, d: &StyleDeclaration, ev: usize) -> Result<(), ReplayError> {
        let Some(key) = self.sheet_key(d.id, d.style_id) else {
            return self.issue(ev, Issue::BadStyleEdit);
        };
        let Some(rules) = self.sheet_rules(key) else {
            let id = d.id.unwrap_or(NodeId::UNKNOWN);
            return self.issue(ev, Issue::UnknownNode(id));
        };
        let mut ok = true;
        if let Some(set) = &d.set {
            let value = set.value.as_deref().unwrap_or("");
            let prio = set.priority.as_deref().unwrap_or("");
            ok &= css::set_declaration(rules, &d.index, &set.property, Some((value, prio)));
        }
        if let Some(rm) = &d.remove {
            ok &= css::set_declaration(rules, &d.index, &rm.property, None);
        }
        if !ok {
            self.issue(ev, Issue::BadStyleEdit)?;
        }
        Ok(())
    }

    /// Forgets the side state of nodes about to be freed.
    fn forget_subtree(&mut self, slot: u32) {
        let ids: Vec<NodeId> = self
            .dom
            .descendants(slot)
            .filter_map(|s| self.dom.node(s).map(|n| n.id))
            .collect();
        for id in ids {
            self.form.remove(&id);
            self.element_scroll.remove(&id);
            self.media.remove(&id);
            self.sheets.remove(&SheetKey::Node(id));
            self.adopted.remove(&id);
            if self.focus == Some(id) {
                self.focus = None;
            }
        }
    }

    fn mutation(&mut self, m: &Mutation, ev: usize) -> Result<(), ReplayError> {
        // 1. Removes.
        let removed_ids: BTreeSet<NodeId> = if m.removes.len() > 8 {
            m.removes.iter().map(|r| r.id).collect()
        } else {
            BTreeSet::new()
        };
        for r in &m.removes {
            let Some(target) = self.dom.slot_of(r.id) else {
                let parent_removed = if removed_ids.is_empty() {
                    m.removes.iter().any(|x| x.id == r.parent_id)
                } else {
                    removed_ids.contains(&r.parent_id)
                };
                if !parent_removed {
                    self.issue(ev, Issue::UnknownNode(r.id))?;
                }
                continue;
            };
            let Some(parent) = self.dom.slot_of(r.parent_id) else {
                self.issue(ev, Issue::UnknownNode(r.parent_id))?;
                continue;
            };
            if self.dom.node(target).map(|n| n.parent) == Some(parent) {
                self.forget_subtree(target);
                self.dom.remove(target);
            } else {
                // rrweb unmaps the node even though the DOM refuses the removal.
                self.dom.unmap_subtree(target);
                self.issue(ev, Issue::NotAChild(r.id))?;
            }
        }

        // 2. Adds: an add whose parent or next sibling is not there yet waits until the
        // node it needs arrives, then is retried (after the first pass, like rrweb).
        let mut waiting: BTreeMap<NodeId, Vec<usize>> = BTreeMap::new();
        let mut pending = 0usize;
        let mut ready: Vec<usize> = Vec::new();
        let mut woken: Vec<usize> = Vec::new();
        for (i, add) in m.adds.iter().enumerate() {
            self.try_add(add, i, ev, &mut waiting, &mut pending, &mut woken)?;
        }
        while !woken.is_empty() {
            std::mem::swap(&mut ready, &mut woken);
            ready.sort_unstable();
            for i in ready.drain(..) {
                if let Some(add) = m.adds.get(i) {
                    pending = pending.saturating_sub(1);
                    self.try_add(add, i, ev, &mut waiting, &mut pending, &mut woken)?;
                }
            }
        }
        for (_, adds) in std::mem::take(&mut waiting) {
            for i in adds {
                let id = m
                    .adds
                    .get(i)
                    .and_then(|a| a.node.root())
                    .map_or(NodeId::UNKNOWN, |n| n.id);
                self.issue(ev, Issue::OrphanAdd(id))?;
            }
        }

        // 3. Texts.
        for t in &m.texts {
            let Some(slot) = self.dom.slot_of(t.id) else {
                self.issue(ev, Issue::UnknownNode(t.id))?;
                continue;
            };
            let value = t.value.as_deref().unwrap_or("");
            match self.dom.node(slot).map(|n| n.kind) {
                Some(DomKind::Text | DomKind::Comment | DomKind::CData) => {
                    self.dom.set_text(slot, value)
                }
                Some(DomKind::Element) => {
                    let kids: Vec<u32> = self.dom.children(slot).collect();
                    for k in kids {
                        self.forget_subtree(k);
                    }
                    self.dom.replace_children_with_text(slot, value);
                }
                _ => {}
            }
        }

        // 4. Attributes.
        for a in &m.attributes {
            let Some(slot) = self.dom.slot_of(a.id) else {
                self.issue(ev, Issue::UnknownNode(a.id))?;
                continue;
            };
            for attr in &a.attributes {
                match &attr.value {
                    AttrValue::Removed => self.dom.set_attr(slot, &attr.name, None),
                    AttrValue::StyleDiff(diff) => {
                        let mut style = self.dom.attr(slot, &attr.name).unwrap_or("").to_owned();
                        for (prop, change) in diff {
                            let v = match change {
                                StyleChange::Set(v) => Some((v.as_str(), "")),
                                StyleChange::SetWithPriority(v, p) => {
                                    Some((v.as_str(), p.as_str()))
                                }
                                StyleChange::Remove => None,
                            };
                            style = css::edit_declarations(&style, prop, v);
                        }
                        self.dom.set_attr(slot, &attr.name, Some(&style));
                    }
                    AttrValue::Other(_) => self.diagnostics.not_rendered += 1,
                    v => {
                        if let Some(text) = v.as_text() {
                            self.dom.set_attr(slot, &attr.name, Some(&text));
                        } else {
                            // `false`: rrweb's recorder never writes it; treat as removal.
                            self.dom.set_attr(slot, &attr.name, None);
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Tries one add; on a missing parent or next sibling it registers in `waiting`.
    #[allow(clippy::too_many_arguments)]
    fn try_add(
        &mut self,
        add: &Addition,
        index: usize,
        ev: usize,
        waiting: &mut BTreeMap<NodeId, Vec<usize>>,
        pending: &mut usize,
        woken: &mut Vec<usize>,
    ) -> Result<(), ReplayError> {
        let Some(root) = add.node.root() else {
            return Ok(());
        };
        let mut wait_on = |dep: NodeId, state: &mut State| -> Result<(), ReplayError> {
            if *pending >= state.limits.pending_adds {
                return state.issue(ev, Issue::BacklogFull);
            }
            *pending += 1;
            waiting.entry(dep).or_default().push(index);
            Ok(())
        };
        let Some(parent) = self.dom.slot_of(add.parent_id) else {
            return wait_on(add.parent_id, self);
        };
        let next = match add.next_id {
            Some(n) if n.0 != -1 => match self.dom.slot_of(n) {
                Some(s) => Some(s),
                None => return wait_on(n, self),
            },
            _ => None,
        };
        if add.next_id == Some(NodeId::UNKNOWN) || add.previous_id == Some(Some(NodeId::UNKNOWN)) {
            return self.issue(ev, Issue::OrphanAdd(root.id));
        }
        if let Some(root_id) = root.root_id
            && self.dom.slot_of(root_id).is_none()
            && root_id != root.id
        {
            return self.issue(ev, Issue::UnknownNode(root_id));
        }
        let parent_is_iframe = self.dom.tag(parent) == Some("iframe");
        let is_document = matches!(root.kind, NodeKind::Document { .. });
        let created = if parent_is_iframe && is_document {
            // A same-origin iframe's document: built whole, replacing any earlier one.
            let old: Vec<u32> = self
                .dom
                .children(parent)
                .filter(|&c| {
                    self.dom
                        .node(c)
                        .is_some_and(|n| n.kind == DomKind::Document)
                })
                .collect();
            for c in old {
                self.forget_subtree(c);
                self.dom.remove(c);
            }
            let mut issues = Vec::new();
            let built = self.dom.build(&add.node, &mut issues);
            for i in issues {
                self.dom_issue(ev, i)?;
            }
            match built {
                Ok(Some(slot)) => {
                    self.dom.link(slot, parent, NIL);
                    Some(slot)
                }
                Ok(None) => None,
                Err(i) => {
                    self.dom_issue(ev, i)?;
                    None
                }
            }
        } else {
            match self.dom.create(root) {
                Ok(slot) => {
                    let previous = match add.previous_id {
                        Some(Some(p)) => self.dom.slot_of(p),
                        _ => None,
                    };
                    let after_previous = previous
                        .and_then(|p| self.dom.node(p))
                        .map(|p| p.next)
                        .filter(|&n| self.dom.node(n).is_some_and(|x| x.parent == parent));
                    let before = match (after_previous, next) {
                        (Some(n), _) => n,
                        (None, Some(n)) if self.dom.node(n).is_some_and(|x| x.parent == parent) => {
                            n
                        }
                        (None, Some(_)) => NIL,
                        (None, None) => {
                            // Appending an element or doctype to a document replaces it.
                            let parent_is_doc = self
                                .dom
                                .node(parent)
                                .is_some_and(|p| p.kind == DomKind::Document);
                            let replaces = matches!(
                                root.kind,
                                NodeKind::Element { .. } | NodeKind::DocumentType { .. }
                            );
                            if parent_is_doc && replaces && previous.is_none() {
                                let kids: Vec<u32> = self.dom.children(parent).collect();
                                for k in kids {
                                    self.forget_subtree(k);
                                    self.dom.remove(k);
                                }
                            }
                            NIL
                        }
                    };
                    self.dom.link(slot, parent, before);
                    if root.is_shadow == Some(true) {
                        self.dom.add_flags(parent, DomFlags::SHADOW_HOST);
                    }
                    Some(slot)
                }
                Err(i) => {
                    self.dom_issue(ev, i)?;
                    None
                }
            }
        };
        if let Some(slot) = created {
            if matches!(root.tag(), Some("video" | "audio")) {
                self.init_media_from_attributes(slot, self.time);
            }
            // Wake what waited for the nodes that now exist (nothing to scan for when
            // nothing waits, the common case).
            if waiting.is_empty() {
                return Ok(());
            }
            let ids: Vec<NodeId> = self
                .dom
                .descendants(slot)
                .filter_map(|s| self.dom.node(s).map(|n| n.id))
                .collect();
            for id in ids {
                if let Some(w) = waiting.remove(&id) {
                    woken.extend(w);
                }
            }
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

    /// A stable 64-bit digest of the whole state (DOM in document order, form values,
    /// scroll, viewport, focus, pointer, click, selection, media, stylesheets), independent
    /// of memory layout, slot reuse and map order. Diagnostics are not included.
    pub fn hash(&self) -> u64 {
        let mut h = StableHasher::new();
        h.i64(self.time.0);
        h.str(&self.href);
        match self.viewport {
            Some((w, hh)) => {
                h.u8(1);
                h.f64(w);
                h.f64(hh);
            }
            None => h.u8(0),
        }
        h.f64(self.window_scroll.0);
        h.f64(self.window_scroll.1);
        // The DOM, walked in document order with depth markers.
        let root = self.dom.root();
        h.u64(self.dom.len() as u64);
        for slot in self.dom.descendants(root) {
            let Some(n) = self.dom.node(slot) else {
                continue;
            };
            h.u8(n.kind as u8);
            h.u8(n.flags.bits());
            h.i64(i64::from(n.id.0));
            h.str(self.dom.name(n.name));
            match &n.data {
                NodeData::None => h.u8(0),
                NodeData::Text(t) => {
                    h.u8(1);
                    h.str(t);
                }
                NodeData::Attrs(attrs) => {
                    h.u8(2);
                    h.u64(attrs.len() as u64);
                    for a in attrs {
                        h.str(self.dom.name(a.name));
                        h.str(&a.value);
                    }
                }
                NodeData::Doctype(d) => {
                    let [public, system] = &**d;
                    h.u8(3);
                    h.str(public);
                    h.str(system);
                }
                NodeData::UnknownType(c) => {
                    h.u8(4);
                    h.i64(*c);
                }
            }
            // Structure: how many children, so that shapes hash differently.
            h.u64(self.dom.children(slot).count() as u64);
        }
        h.u64(self.element_scroll.len() as u64);
        for (id, (x, y)) in &self.element_scroll {
            h.i64(i64::from(id.0));
            h.f64(*x);
            h.f64(*y);
        }
        h.i64(self.focus.map_or(i64::MIN, |f| i64::from(f.0)));
        h.u64(self.form.len() as u64);
        for (id, v) in &self.form {
            h.i64(i64::from(id.0));
            h.str(&v.text);
            h.u8(u8::from(v.checked));
        }
        if let Some(p) = self.pointer {
            h.f64(p.x);
            h.f64(p.y);
            h.i64(i64::from(p.id.0));
            h.i64(p.at.0);
            h.i64(p.source.code());
        }
        if let Some(c) = self.last_click {
            h.i64(i64::from(c.id.0));
            h.f64(c.x.unwrap_or(f64::NAN));
            h.f64(c.y.unwrap_or(f64::NAN));
            h.i64(c.at.0);
            h.u8(u8::from(c.double));
        }
        for r in &self.selection {
            h.i64(i64::from(r.start.0));
            h.i64(r.start_offset);
            h.i64(i64::from(r.end.0));
            h.i64(r.end_offset);
        }
        for (id, m) in &self.media {
            h.i64(i64::from(id.0));
            h.u8(u8::from(m.playing));
            h.f64(m.position_at(self.time));
            h.f64(m.volume);
            h.u8(u8::from(m.muted));
            h.u8(u8::from(m.looping));
            h.f64(m.rate);
        }
        for (key, rules) in &self.sheets {
            match key {
                SheetKey::Node(id) => h.i64(i64::from(id.0)),
                SheetKey::Constructed(s) => h.i64(s.wrapping_add(1 << 40)),
            }
            for r in rules {
                h.str(r);
            }
        }
        for (id, ids) in &self.adopted {
            h.i64(i64::from(id.0));
            for s in ids {
                h.i64(*s);
            }
        }
        for name in &self.custom_elements {
            h.str(name);
        }
        for (family, src) in &self.fonts {
            h.str(family);
            h.str(src);
        }
        h.finish()
    }
}

/// FNV-1a over a canonical byte encoding, with lengths prefixed so that field
/// boundaries cannot shift. Stable across platforms, runs and Rust versions.
struct StableHasher(u64);

impl StableHasher {
    fn new() -> Self {
        StableHasher(0xcbf2_9ce4_8422_2325)
    }
    fn bytes(&mut self, b: &[u8]) {
        for &x in b {
            self.0 ^= u64::from(x);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    fn u8(&mut self, v: u8) {
        self.bytes(&[v]);
    }
    fn u64(&mut self, v: u64) {
        self.bytes(&v.to_le_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.bytes(&v.to_le_bytes());
    }
    fn f64(&mut self, v: f64) {
        // One bit pattern per value: -0.0 is 0.0, every NaN is the same.
        let v = if v == 0.0 { 0.0 } else { v };
        let bits = if v.is_nan() { u64::MAX } else { v.to_bits() };
        self.u64(bits);
    }
    fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.bytes(s.as_bytes());
    }
    fn finish(&self) -> u64 {
        // A final avalanche so that nearby states do not give nearby hashes.
        let mut x = self.0;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        x ^ (x >> 33)
    }
}
