//! The [`Recorder`]: the sans-IO entry point apps feed. It holds the parts (the host
//! mirror, the sampler, the cadence and caps, the consent gate, the scrubber and the
//! encoder) and turns each host call into masked events and encoded chunks.

use std::collections::VecDeque;

use super::cadence::Cadence;
use super::config::RecorderConfig;
use super::host::{AdoptedSheet, HostKey, HostSheet, HostTree, MutationRecord, SheetEdit};
use super::mirror::Mirror;
use super::sampler::Sampler;
use super::sheets::{self, Sheets};
use crate::codec::Encoder;
use crate::model::*;
use crate::privacy::{Consent, ConsentGate, Policy, Scrubber};

/// The page as the host last gave it ([`Recorder::page`], then [`Recorder::viewport`]):
/// a later keyframe restates it first, as rrweb's checkouts do, so that a stream cut at
/// any keyframe begins as a recording does (a Meta event, then a full snapshot).
#[derive(Debug, Clone, bincode::Encode, bincode::Decode)]
pub(super) struct Page {
    pub(super) href: String,
    pub(super) width: f64,
    pub(super) height: f64,
    /// Its Meta event is the last event that went out (the host's snapshot comes
    /// next): the keyframe does not say it again.
    pub(super) fresh: bool,
}

/// Whether an event counts against the rate caps. Keyframes and page changes do not:
/// they are what a replay needs to get back in step after the caps dropped events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caps {
    Apply,
    Exempt,
}

/// The recorder. Every method takes the host's time (`now`); nothing reads a clock.
///
/// The host feeds what it observes, then drains [`Recorder::poll_event`] (and
/// [`Recorder::poll_chunk`] with encoding on) until `None`. Pointer batches, throttled
/// scrolls and keyframes fall due between calls: the host calls [`Recorder::tick`] when
/// [`Recorder::poll_timeout`] says (ticking more often is harmless).
///
/// ```
/// use session_replay::model::Timestamp;
/// use session_replay::record::{HostKey, HostKind, HostTree, Recorder, RecorderConfig};
/// use session_replay::privacy::Policy;
///
/// let mut rec = Recorder::new(Policy::default(), RecorderConfig::default());
/// rec.grant_consent();
/// let mut page = HostTree::default();
/// let doc = page.push(HostKey(1), None, HostKind::Document);
/// let html = page.push(HostKey(2), Some(doc), HostKind::Element { tag: "html".into(), attributes: vec![] });
/// page.push(HostKey(3), Some(html), HostKind::Element { tag: "input".into(), attributes: vec![] });
/// rec.page("https://shop.test/", 800.0, 600.0, Timestamp(1_000));
/// rec.snapshot(&page, Timestamp(1_000));
/// rec.input(HostKey(3), "4111 1111 1111 1111", false, Timestamp(1_200));
/// let events: Vec<_> = std::iter::from_fn(|| rec.poll_event()).collect();
/// assert_eq!(events.len(), 3);
/// assert!(!session_replay::rrweb::write_string(&events).contains("4111"));
/// // Nothing falls due until the next time-based keyframe, 5 minutes after the first.
/// assert_eq!(rec.poll_timeout(), Some(Timestamp(301_000)));
/// ```
// The fields are visible to the record module so that its saved form (`persist`)
// reads and rebuilds them; outside it, the recorder is only its methods.
pub struct Recorder {
    /// Masks every event before it is queued.
    pub(super) scrubber: Scrubber,
    /// Consent, and the queue of masked events waiting for the host.
    pub(super) gate: ConsentGate<Event>,
    pub(super) mirror: Mirror,
    /// What the CSSOM changed that the mirror's nodes do not hold.
    pub(super) sheets: Sheets,
    pub(super) sampler: Sampler,
    pub(super) cadence: Cadence,
    /// `Some` with encoding on, until [`Recorder::stop`] or a withdrawal.
    pub(super) encoder: Option<Encoder>,
    /// Closed chunks waiting for the host, oldest first.
    pub(super) chunks: VecDeque<Vec<u8>>,
    pub(super) page: Option<Page>,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("consent", &self.gate.consent())
            .field("nodes", &self.mirror.len())
            .field("queued", &self.gate.waiting())
            .finish()
    }
}

impl Recorder {
    /// A recorder with `policy` applied to everything it hands out. Nothing is recorded
    /// before [`Recorder::grant_consent`].
    pub fn new(policy: Policy, config: RecorderConfig) -> Self {
        Recorder {
            scrubber: Scrubber::new(policy),
            gate: ConsentGate::new(config.privacy_signal),
            mirror: Mirror::new(),
            sheets: Sheets::new(),
            sampler: Sampler::new(
                config.pointer_sample,
                config.pointer_batch,
                config.scroll_throttle,
            ),
            cadence: Cadence::new(
                config.keyframe_interval,
                config.keyframe_events,
                config.max_events_per_sec,
                config.max_bytes_per_sec,
            ),
            encoder: config.encoder.map(Encoder::new),
            chunks: VecDeque::new(),
            page: None,
        }
    }

    /// Grants consent (refused under Global Privacy Control or after a withdrawal).
    /// Returns whether recording is now allowed.
    pub fn grant_consent(&mut self) -> bool {
        self.gate.grant()
    }

    /// Withdraws consent: everything not handed out is dropped, and recording stops.
    pub fn withdraw_consent(&mut self) {
        self.gate.withdraw();
        // The chunks hold the same events as the queue: they go too, and so does the
        // encoder, which holds the page state.
        self.chunks.clear();
        self.encoder = None;
        self.sampler.drop_pending();
    }

    /// The consent state.
    pub fn consent(&self) -> Consent {
        self.gate.consent()
    }

    /// Events refused (no consent), dropped by a cap, or dropped on withdrawal.
    pub fn dropped(&self) -> u64 {
        // Saturating: a restored state may start near the top.
        self.gate.dropped().saturating_add(self.cadence.capped())
    }

    /// The session's recording state as bytes, for another worker, a later process or
    /// the next page of a visit to continue from with [`Recorder::restore_state`]: the
    /// consent, the events and chunks not yet handed out, the mirrored tree with the
    /// ids it gave, the sampling, cadence and caps, and the scrubber's and encoder's
    /// states (see `record/persist.rs` for the layout).
    ///
    /// With encoding on, the open chunk is closed first and queued for
    /// [`Recorder::poll_chunk`], as [`Encoder::save_state`] does (a chunk never spans
    /// two workers): poll before saving to hand it out here; whatever is not polled
    /// travels in the state. The policy is not in it (the restoring side supplies it).
    pub fn save_state(&mut self) -> Vec<u8> {
        super::persist::save(self)
    }

    /// A recorder that continues exactly where the one that saved `bytes` stopped: it
    /// hands out the events and chunks the saved one would have. `policy` must be the
    /// one it was saved under ([`StateError::PolicyMismatch`](crate::StateError) if
    /// not); the configuration travels in the state. `bytes` are untrusted: the
    /// envelope, each part and each nested stage's state are checked against `limits`
    /// (`input_bytes` for sizes, `nodes` for the mirrors) and against what the live
    /// recorder relies on (a consistent tree, no events waiting without consent, no
    /// output kept after a withdrawal) before anything is built from them.
    pub fn restore_state(
        policy: Policy,
        bytes: &[u8],
        limits: &crate::Limits,
    ) -> Result<Recorder, crate::StateError> {
        super::persist::restore(policy, bytes, limits)
    }

    /// The id the recorder gave a host node, if it is in the recorded tree.
    pub fn node_id(&self, key: HostKey) -> Option<NodeId> {
        self.mirror.id(key)
    }

    /// Masks and queues one event (through consent, the caps, the scrubber and the
    /// encoder).
    fn emit(&mut self, e: Event, caps: Caps) -> bool {
        // Consent first: without it, nothing (not even the caps' window) moves.
        if !self.gate.admit() {
            return false;
        }
        let t = e.timestamp;
        if self.cadence.open_window(t) {
            self.keyframe(t);
        }
        if caps == Caps::Apply && !self.cadence.admit(&e) {
            return false;
        }
        let Some(masked) = self.scrubber.scrub_event(e) else {
            return false;
        };
        if let EventKind::Incremental(Incremental::Input(i)) = &masked.kind {
            self.mirror.input_shown(i.id, &i.text);
        }
        self.cadence.counted(t);
        if let Some(enc) = &mut self.encoder {
            enc.push(&masked);
            // Each closed chunk comes out once, in order; the first carries the header.
            self.chunks.extend(std::iter::from_fn(|| enc.poll_chunk()));
        }
        // A page's Meta is fresh only until anything else follows it.
        if !matches!(masked.kind, EventKind::Meta(_))
            && let Some(p) = &mut self.page
        {
            p.fresh = false;
        }
        // Consent cannot change within this call: the gate keeps it.
        self.gate.push(masked);
        true
    }

    /// Queues an incremental event, then a keyframe if that made one due.
    fn incremental(&mut self, now: Timestamp, inc: Incremental) {
        self.emit(
            Event {
                timestamp: now,
                kind: EventKind::Incremental(inc),
                extra: Vec::new(),
            },
            Caps::Apply,
        );
        self.keyframe_if_due(now);
    }

    fn keyframe_if_due(&mut self, now: Timestamp) {
        if self.cadence.keyframe_due(now) {
            self.keyframe(now);
        }
    }

    /// The page's URL and viewport (a Meta event).
    pub fn page(&mut self, href: &str, width: f64, height: f64, now: Timestamp) {
        self.flush_moves(now);
        self.page = Some(Page {
            href: href.to_owned(),
            width,
            height,
            fresh: false,
        });
        // Fresh only if its Meta went out (not before consent), and only until the
        // next event: the host's snapshot that follows then does not say it again.
        let out = self.emit_page(now);
        if let Some(p) = &mut self.page {
            p.fresh = out;
        }
    }

    /// The page's URL changed without a new document (the history API, a fragment):
    /// no event, as in rrweb, but the next keyframe's Meta says it.
    pub fn location(&mut self, href: &str) {
        if let Some(p) = &mut self.page {
            p.href = href.to_owned();
            p.fresh = false;
        }
    }

    /// Emits the page's Meta event (masked as every event is); returns whether it went
    /// out.
    fn emit_page(&mut self, now: Timestamp) -> bool {
        let Some(p) = &self.page else {
            return false;
        };
        let meta = Meta {
            href: p.href.clone(),
            width: Num::from_f64(p.width),
            height: Num::from_f64(p.height),
            extra: Vec::new(),
        };
        self.emit(
            Event {
                timestamp: now,
                kind: EventKind::Meta(meta),
                extra: Vec::new(),
            },
            Caps::Exempt,
        )
    }

    /// A full snapshot of a host tree: resets the id map and takes a keyframe.
    pub fn snapshot(&mut self, tree: &HostTree, now: Timestamp) {
        self.flush_moves(now);
        self.mirror.reset_to(tree);
        self.sheets.reset_nodes();
        self.keyframe(now);
    }

    /// Emits a full snapshot of the recorded tree now (the keyframe cadence calls it).
    /// The page's Meta event comes first (the last [`Recorder::page`], with the latest
    /// viewport), as in rrweb's checkouts, unless it is the event just emitted: a stream
    /// cut at a keyframe begins as a recording does. Adoptions of constructed stylesheets
    /// follow the snapshot, as rrweb's do: a replayer that starts at a keyframe knows no
    /// constructed sheet.
    pub fn keyframe(&mut self, now: Timestamp) {
        if !self.mirror.has_root() {
            return;
        }
        // Sheets edited through the CSSOM go into the copy first, so that the keyframe
        // shows them.
        let mirror = &self.mirror;
        for (id, css) in self.sheets.take_stale(|id| mirror.contains(id)) {
            self.mirror.set_sheet_css(id, css);
        }
        let Some(tree) = self.mirror.tree() else {
            return;
        };
        // A rate-cap window that ends now ends here, before any of this keyframe's
        // events: inside their emit it would take a keyframe of its own in the middle
        // of this one (a Meta, then that keyframe, then this snapshot without one).
        // This keyframe is the resync such a window owes.
        if self.gate.allows_recording() {
            self.cadence.open_window(now);
        }
        self.cadence.keyframe_taken(now);
        // The page first, unless the host just gave it (its snapshot follows; emitting
        // the snapshot ends the Meta's freshness, as any event does).
        if self.page.as_ref().is_some_and(|p| !p.fresh) {
            // Restating the page is part of the keyframe: it counts as the snapshot does.
            let at = self.cadence.since_keyframe();
            self.emit_page(now);
            self.cadence.uncount_to(at);
        }
        // The window's scroll is the snapshot's offset; other scrolled elements and the
        // fields' recorded values follow it as events of the same instant, as the page
        // has them now. A value that masking changed is restated as it left (and masked
        // again): the snapshot resets what the masking remembers about a field, such as
        // having been a password before its type was toggled.
        let root = self.mirror.root();
        let offset = root.and_then(|r| self.mirror.scroll_of(r)).map_or(
            ScrollOffset::default(),
            |(x, y)| ScrollOffset {
                left: Num::from_f64(x),
                top: Num::from_f64(y),
                extra: Vec::new(),
            },
        );
        // The same page under the same ids: masking keeps what it escalated to (a text
        // whose mask class was taken away stays masked in the keyframe, as it was in
        // the events before it).
        // (No keyframe can start inside this emit: the caps' window was settled above.)
        self.scrubber.carry_privacy(true);
        self.emit(
            Event {
                timestamp: now,
                kind: EventKind::FullSnapshot(FullSnapshot {
                    tree,
                    initial_offset: offset,
                    extra: Vec::new(),
                }),
                extra: Vec::new(),
            },
            Caps::Exempt,
        );
        self.scrubber.carry_privacy(false);
        let counted = self.cadence.since_keyframe();
        let mirror = &self.mirror;
        let mut after: Vec<Incremental> = self
            .sheets
            .after_keyframe(|id| mirror.contains(id))
            .into_iter()
            .map(Incremental::AdoptedStyleSheet)
            .collect();
        after.extend(self.mirror.inputs().map(|(id, text, checked)| {
            Incremental::Input(Input {
                id,
                text: text.to_owned(),
                is_checked: checked,
                user_triggered: None,
                extra: Vec::new(),
            })
        }));
        after.extend(
            self.mirror
                .scrolls()
                .filter(|&(id, _)| Some(id) != root)
                .map(|(id, (x, y))| {
                    Incremental::Scroll(Scroll {
                        id,
                        x: Num::from_f64(x),
                        y: Num::from_f64(y),
                        extra: Vec::new(),
                    })
                }),
        );
        for inc in after {
            self.emit(
                Event {
                    timestamp: now,
                    kind: EventKind::Incremental(inc),
                    extra: Vec::new(),
                },
                Caps::Exempt,
            );
        }
        // What restates the page is part of the keyframe, not activity since it.
        self.cadence.uncount_to(counted);
    }

    /// One batch of mutation records (one MutationObserver callback), coalesced: a node
    /// added and removed within the batch emits nothing; several changes to one
    /// attribute or text emit the last value.
    pub fn mutations(&mut self, records: &[MutationRecord], now: Timestamp) {
        // Without consent the batch is dropped whole, before the mirror applies it.
        if !self.gate.admit() {
            return;
        }
        let Some(m) = self.mirror.apply(records) else {
            return;
        };
        if self.sheets.tracks_nodes() {
            self.sheets_changed_by(records);
        }
        self.flush_moves(now);
        self.incremental(now, Incremental::Mutation(m));
    }

    /// Drops the edited rule lists of sheets whose CSS these records changed through
    /// the DOM: the browser parsed that CSS afresh.
    fn sheets_changed_by(&mut self, records: &[MutationRecord]) {
        for r in records {
            let owner = match r {
                MutationRecord::ChildList { target, .. } => self.mirror.id(*target),
                MutationRecord::Attributes { target, name, .. } if name == "_cssText" => {
                    self.mirror.id(*target)
                }
                MutationRecord::Attributes { .. } => None,
                MutationRecord::CharacterData { target, .. } => self
                    .mirror
                    .id(*target)
                    .and_then(|id| self.mirror.parent(id)),
            };
            if let Some(id) = owner {
                self.sheets.node_changed(id);
            }
        }
    }

    /// A stylesheet was edited through the CSSOM (`insertRule`, `deleteRule`,
    /// `replace`, `style.setProperty`, ...). Edits of a node the recorder does not have,
    /// of a constructed sheet it has no rules for, or at a rule path outside the sheet
    /// emit nothing. The CSS goes through the policy's CSS masking.
    pub fn sheet_edit(&mut self, sheet: HostSheet, edit: &SheetEdit, now: Timestamp) {
        // Without consent the edit is dropped before the copy applies it, as mutations are.
        if !self.gate.admit() {
            return;
        }
        let (id, style_id) = match sheet {
            HostSheet::Node(key) => {
                let Some(id) = self.mirror.id(key) else {
                    return;
                };
                let mirror = &self.mirror;
                if !self.sheets.edit_node(id, edit, || mirror.sheet_css(id)) {
                    return;
                }
                (Some(id), None)
            }
            HostSheet::Constructed(key) => {
                let Some(style) = self.sheets.style_id(key) else {
                    return;
                };
                if !self.sheets.edit_constructed(style, edit) {
                    return;
                }
                (None, Some(style))
            }
        };
        self.flush_moves(now);
        self.incremental(now, sheets::edit_event(id, style_id, edit));
    }

    /// The document or a shadow root (`host`: the document's key, or the shadow host's)
    /// adopts `sheets`, in order (an empty list: none). Each sheet's rules go out with
    /// the first adoption that needs them after a keyframe.
    pub fn adopted_sheets(&mut self, host: HostKey, sheets: &[AdoptedSheet], now: Timestamp) {
        if !self.gate.admit() {
            return;
        }
        let Some(id) = self.mirror.id(host) else {
            return;
        };
        let a = self.sheets.adopt(id, sheets);
        self.flush_moves(now);
        self.incremental(now, Incremental::AdoptedStyleSheet(a));
    }

    /// The pointer moved over `target` (sampled every 50 ms, batched every 500 ms by
    /// default).
    pub fn pointer_move(&mut self, target: HostKey, x: f64, y: f64, now: Timestamp) {
        self.move_with(MoveSource::Mouse, target, x, y, now);
    }

    /// A touch moved over `target` (sampled and batched like the pointer).
    pub fn touch_move(&mut self, target: HostKey, x: f64, y: f64, now: Timestamp) {
        self.move_with(MoveSource::Touch, target, x, y, now);
    }

    /// Something is dragged over `target` (sampled and batched like the pointer).
    pub fn drag_move(&mut self, target: HostKey, x: f64, y: f64, now: Timestamp) {
        self.move_with(MoveSource::Drag, target, x, y, now);
    }

    fn move_with(&mut self, source: MoveSource, target: HostKey, x: f64, y: f64, now: Timestamp) {
        if !self.gate.allows_recording() {
            return;
        }
        if let Some(batch) = self.sampler.switch_source(source, now) {
            self.incremental(now, Incremental::Moves(batch));
        }
        let id = self.mirror.id_or_unknown(target);
        if self.sampler.sample(id, x, y, now) {
            // Moves are the host's most frequent calls: a kept sample moves the clock as
            // a tick would, so a batch goes out on time even if the host never ticks.
            self.tick(now);
        }
    }

    /// Sends the pointer batch built so far, if any.
    fn flush_moves(&mut self, now: Timestamp) {
        if let Some(batch) = self.sampler.take_batch(now) {
            self.incremental(now, Incremental::Moves(batch));
        }
    }

    /// A pointer button, click, touch or context-menu interaction on `target`.
    pub fn pointer_interaction(
        &mut self,
        kind: MouseInteractionKind,
        target: HostKey,
        x: f64,
        y: f64,
        now: Timestamp,
    ) {
        let id = self.mirror.id_or_unknown(target);
        // The moves that led here go out first, so that replay shows them in order.
        self.flush_moves(now);
        self.incremental(
            now,
            Incremental::MouseInteraction(MouseInteraction {
                kind,
                id,
                x: Some(Num::from_f64(x)),
                y: Some(Num::from_f64(y)),
                pointer_type: Some(PointerKind::Mouse),
                extra: Vec::new(),
            }),
        );
    }

    /// Focus moved to `target`.
    pub fn focus(&mut self, target: HostKey, now: Timestamp) {
        self.focus_event(MouseInteractionKind::Focus, target, now);
    }

    /// `target` lost focus.
    pub fn blur(&mut self, target: HostKey, now: Timestamp) {
        self.focus_event(MouseInteractionKind::Blur, target, now);
    }

    fn focus_event(&mut self, kind: MouseInteractionKind, target: HostKey, now: Timestamp) {
        let id = self.mirror.id_or_unknown(target);
        self.incremental(
            now,
            Incremental::MouseInteraction(MouseInteraction {
                kind,
                id,
                x: None,
                y: None,
                pointer_type: None,
                extra: Vec::new(),
            }),
        );
    }

    /// The window (the document's key) or an element scrolled (throttled per target;
    /// the last position wins).
    pub fn scroll(&mut self, target: HostKey, x: f64, y: f64, now: Timestamp) {
        let Some(id) = self.mirror.id(target) else {
            return;
        };
        // Without consent nothing is kept for a later keyframe either.
        if self.gate.allows_recording() {
            self.mirror.set_scroll(id, x, y);
        }
        if self.sampler.scroll(id, x, y, now) {
            self.emit_scroll(id, x, y, now);
        }
    }

    fn emit_scroll(&mut self, id: NodeId, x: f64, y: f64, now: Timestamp) {
        self.incremental(
            now,
            Incremental::Scroll(Scroll {
                id,
                x: Num::from_f64(x),
                y: Num::from_f64(y),
                extra: Vec::new(),
            }),
        );
    }

    /// The viewport was resized.
    pub fn viewport(&mut self, width: f64, height: f64, now: Timestamp) {
        if let Some(p) = &mut self.page {
            p.width = width;
            p.height = height;
            // The Meta that went out no longer says the page (even if the caps drop
            // the resize event itself).
            p.fresh = false;
        }
        self.incremental(
            now,
            Incremental::ViewportResize(ViewportResize {
                width: Num::from_f64(width),
                height: Num::from_f64(height),
                extra: Vec::new(),
            }),
        );
    }

    /// A form field's value and checked state, as the DOM has them (deduplicated per
    /// field: the same value and state again emit nothing).
    pub fn input(&mut self, target: HostKey, value: &str, checked: bool, now: Timestamp) {
        // Without consent the value is not even kept (a keyframe would restate it); it
        // counts as dropped.
        if !self.gate.allows_recording() {
            self.gate.admit();
            return;
        }
        let Some(id) = self.mirror.id(target) else {
            return;
        };
        if !self.mirror.input_changed(id, value, checked) {
            return;
        }
        self.incremental(
            now,
            Incremental::Input(Input {
                id,
                text: value.to_owned(),
                is_checked: checked,
                user_triggered: Some(true),
                extra: Vec::new(),
            }),
        );
    }

    /// The selection: (start node, offset, end node, offset) ranges. Ranges on nodes
    /// outside the recorded tree are left out.
    pub fn selection(&mut self, ranges: &[(HostKey, i64, HostKey, i64)], now: Timestamp) {
        let ranges = ranges
            .iter()
            .filter_map(|&(s, so, e, eo)| {
                Some(SelectionRange {
                    start: self.mirror.id(s)?,
                    start_offset: Num::Int(so),
                    end: self.mirror.id(e)?,
                    end_offset: Num::Int(eo),
                    extra: Vec::new(),
                })
            })
            .collect();
        self.incremental(
            now,
            Incremental::Selection(Selection {
                ranges,
                extra: Vec::new(),
            }),
        );
    }

    /// An app-defined event (its payload goes through the PII detectors).
    pub fn custom(&mut self, tag: &str, payload: Json, now: Timestamp) {
        self.emit(
            Event {
                timestamp: now,
                kind: EventKind::Custom(Tagged {
                    name: tag.to_owned(),
                    payload,
                    extra: Vec::new(),
                }),
                extra: Vec::new(),
            },
            Caps::Apply,
        );
    }

    /// Moves the clock: sends the pointer batch and throttled scrolls that are due, the
    /// resync keyframe when an overflowed second is over, and a keyframe when the
    /// cadence owes one. Does nothing before [`Recorder::poll_timeout`].
    pub fn tick(&mut self, now: Timestamp) {
        if self.cadence.end_overflowed_window(now) {
            self.keyframe(now);
        }
        if self.sampler.batch_due(now) {
            self.flush_moves(now);
        }
        for (id, x, y) in self.sampler.take_due_scrolls(now) {
            self.emit_scroll(id, x, y, now);
        }
        self.keyframe_if_due(now);
    }

    /// When the recorder next wants [`Recorder::tick`] called: the earliest of the
    /// pointer batch's, a held-back scroll's, the keyframe cadence's and an overflowed
    /// cap window's deadlines; `None` when nothing waits for the clock. A host that
    /// ticks only then gets the same events as one that ticks every millisecond.
    pub fn poll_timeout(&self) -> Option<Timestamp> {
        let sampler = self.sampler.deadline();
        let cadence = self.cadence.deadline(self.mirror.has_root());
        [sampler, cadence].into_iter().flatten().min()
    }

    /// The next masked event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.gate.poll()
    }

    /// The next closed encoded chunk (with encoding on), if any. The first carries the
    /// stream header: the chunks concatenated in order are the stream.
    pub fn poll_chunk(&mut self) -> Option<Vec<u8>> {
        self.chunks.pop_front()
    }

    /// Sends what waits for the clock now: the pending pointer batch and the held-back
    /// scrolls. For a page that is being hidden or is going away, whose last batch would
    /// otherwise never be due.
    pub fn flush(&mut self, now: Timestamp) {
        self.flush_moves(now);
        for (id, x, y) in self.sampler.take_pending_scrolls() {
            self.emit_scroll(id, x, y, now);
        }
    }

    /// Stops: sends the pending pointer batch and held-back scrolls and closes the last
    /// encoded chunk.
    pub fn stop(&mut self, now: Timestamp) {
        self.flush(now);
        // The encoder goes: nothing recorded after `stop` is encoded.
        if let Some(mut enc) = self.encoder.take() {
            enc.finish();
            self.chunks.extend(std::iter::from_fn(|| enc.poll_chunk()));
        }
    }
}
