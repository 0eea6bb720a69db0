//! Deterministic replay: the page state at any time `t`.
//!
//! This module owns the arena DOM that events are applied to, the [`State`] at a moment
//! (DOM, pointer, scroll, viewport, focus, form values, selection, media, stylesheets),
//! its stable [`State::hash`], the keyframe index behind [`Replayer::seek`], the
//! host-driven [`Player`] clock, and HTML output ([`State::to_html`]). Events are applied
//! in rrweb's order (removes, adds with retry, texts, attributes); problems in the
//! recording are skipped and counted in [`Diagnostics`], or in strict mode returned as a
//! [`ReplayError`] naming the event and the node. Nothing here recurses over the DOM.
//!
//! ## Guide
//!
//! - **State at t** = every event with `timestamp <= t` applied, in rrweb's order
//!   (removes, adds with retry until parent and next sibling exist, texts, attributes
//!   with style diffs); input values, checked state, window and element scroll, viewport,
//!   focus, selection, media (position advances while playing), stylesheet rule and
//!   declaration edits, adopted stylesheets, shadow roots and same-origin iframe
//!   documents.
//! - **Seek.** [`Replayer::seek`] restores the nearest keyframe at or before `t` (a clone
//!   of the state, kept every 256 events or 10 s by default, thinned to stay within a
//!   64 MiB budget: [`ReplayConfig`]) and applies the events after it. Keyframes and
//!   the current state share the DOM page by page, copied on write, so a restore costs
//!   one pointer per 64 nodes and a keyframe the pages changed since the one before
//!   (a 110,000-node page seeks in about 0.1 ms). Forward seeks
//!   with no keyframe in between apply from where they are. Whatever seeks came before,
//!   the state at `t` is the same, bit for bit ([`State::hash`]).
//! - **Growing.** A replayer can also be built from decoded chunks, using the keyframes
//!   they carry instead of replaying their events ([`Replayer::from_chunks`]; after a
//!   damaged chunk, the state is exact again from the next keyframe), or grow as a live
//!   session records ([`Replayer::push`], [`Replayer::extend`],
//!   [`Replayer::push_chunk`], also on [`Player`], which follows the live edge with
//!   [`AtEnd::Follow`]). Late events take their place in time order; seeks give what a
//!   replayer built from everything at once gives.
//! - **Lenient by default.** Unknown nodes, duplicate ids and orphan adds are skipped
//!   and counted in [`Diagnostics`] ([`ReplayMode::Lenient`]);
//!   [`Replayer::new_strict`] makes the first one a [`ReplayError`] naming the event
//!   index and the node. Node count and pending adds are bounded by [`crate::Limits`].
//! - **Playing.** [`Player`] is a clock the host drives: [`Player::tick`] with the host's
//!   time, drain [`Player::poll_output`] (events applied, DOM changes, pointer samples,
//!   skipped inactivity), and sleep until [`Player::poll_timeout`].
//! - **HTML output** ([`State::to_html`]) inlines CSS from `_cssText` (and the edited rule
//!   lists), writes form state as attributes, shadow roots as
//!   `<template shadowrootmode="open">`, iframe documents through `srcdoc`, scroll and
//!   focus as `data-rr-*` restored by one small script of ours. Recorded scripts are made
//!   inert, `on*` handlers and `javascript:` URLs renamed.
//!
//! ## Where things are
//!
//! [`State`] (`state.rs`) holds the parts of the page state and dispatches each event;
//! mutation batches are applied in `mutate.rs`, stylesheets in `sheets.rs`, media in
//! `media.rs`, the hash in `state_hash.rs`; the canvas drawing a renderer needs at an
//! instant is found in `canvas.rs`; the arena DOM is `dom.rs`, its copy-on-write
//! page storage (what keyframes and the seek cursor share) `pages.rs`; `html.rs` and
//! `export.rs` turn the state into HTML and into keyframe events; `replayer.rs` is the
//! seek cursor over the recording, `keyframes.rs` the keyframe index behind it,
//! `ingest.rs` how events and chunks come in, and `player.rs` the clock.

mod canvas;
pub(crate) mod css;
mod diag;
mod dom;
mod export;
mod html;
mod inert;
mod ingest;
mod keyframes;
mod media;
mod mutate;
mod pages;
mod patch;
mod persist;
mod player;
mod replayer;
mod reuse;
mod sheets;
mod state;
mod state_hash;

pub use crate::error::ReplayError;
pub use canvas::{CanvasCommand, CanvasDraw, CanvasIndex};
pub use diag::{Diagnostics, Issue};
pub(crate) use dom::DomAttr;
pub use dom::{DomFlags, DomKind};
pub(crate) use export::{NodeView, ViewKind};
pub use html::HtmlOptions;
pub use patch::{DomPatcher, NewNode, NodeKey, PatchSink, PatchStats, ScrollTarget};
pub use player::{AtEnd, DomDiff, Inactivity, Player, PlayerOutput};
pub use replayer::{ReplayConfig, ReplayMode, Replayer};
pub use state::{Click, FormValue, MediaState, Pointer, SelectedRange, SheetKey, State};

use crate::model::NodeId;
use dom::{Dom, NIL};

/// A read-only view of a state's DOM.
#[derive(Clone, Copy)]
pub struct DomView<'a> {
    dom: &'a Dom,
}

impl<'a> DomView<'a> {
    pub(crate) fn new(dom: &'a Dom) -> Self {
        DomView { dom }
    }

    /// The document node.
    pub fn root(&self) -> Option<NodeRef<'a>> {
        let root = self.dom.root();
        (root != NIL).then_some(NodeRef {
            dom: self.dom,
            slot: root,
        })
    }

    /// The node with this id, if it is in the DOM.
    pub fn get(&self, id: NodeId) -> Option<NodeRef<'a>> {
        self.dom.slot_of(id).map(|slot| NodeRef {
            dom: self.dom,
            slot,
        })
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.dom.len()
    }

    /// True when the DOM is empty.
    pub fn is_empty(&self) -> bool {
        self.dom.is_empty()
    }
}

/// A node of a [`DomView`].
#[derive(Clone, Copy)]
pub struct NodeRef<'a> {
    dom: &'a Dom,
    slot: u32,
}

impl std::fmt::Debug for NodeRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeRef")
            .field("id", &self.id())
            .field("kind", &self.kind())
            .field("tag", &self.tag())
            .finish()
    }
}

impl<'a> NodeRef<'a> {
    fn at(&self, slot: u32) -> Option<NodeRef<'a>> {
        self.dom.node(slot).map(|_| NodeRef {
            dom: self.dom,
            slot,
        })
    }

    /// The key a [`DomPatcher`] names this node by to its renderer.
    pub fn key(&self) -> NodeKey {
        NodeKey(self.slot)
    }

    /// The node's id.
    pub fn id(&self) -> NodeId {
        self.dom.node(self.slot).map_or(NodeId(0), |n| n.id)
    }

    /// What kind of node.
    pub fn kind(&self) -> DomKind {
        self.dom
            .node(self.slot)
            .map_or(DomKind::Unknown, |n| n.kind)
    }

    /// Markers (SVG, shadow host, in shadow root, ...).
    pub fn flags(&self) -> DomFlags {
        self.dom
            .node(self.slot)
            .map_or(DomFlags::empty(), |n| n.flags)
    }

    /// The tag name, for elements.
    pub fn tag(&self) -> Option<&'a str> {
        self.dom.tag(self.slot)
    }

    /// The attributes, in order.
    pub fn attributes(&self) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        let dom = self.dom;
        dom.attrs(self.slot)
            .iter()
            .map(move |a| (dom.name(a.name), &*a.value))
    }

    /// One attribute's value.
    pub fn attr(&self, name: &str) -> Option<&'a str> {
        self.dom.attr(self.slot, name)
    }

    /// The text, for text, comment and CDATA nodes.
    pub fn text(&self) -> Option<&'a str> {
        self.dom.text(self.slot)
    }

    /// The parent.
    pub fn parent(&self) -> Option<NodeRef<'a>> {
        self.dom.node(self.slot).and_then(|n| self.at(n.parent))
    }

    /// The children, in order.
    pub fn children(&self) -> impl Iterator<Item = NodeRef<'a>> + 'a {
        let dom = self.dom;
        dom.children(self.slot)
            .map(move |slot| NodeRef { dom, slot })
    }

    /// This node and everything under it, in document order.
    pub fn descendants(&self) -> impl Iterator<Item = NodeRef<'a>> + 'a {
        let dom = self.dom;
        dom.descendants(self.slot)
            .map(move |slot| NodeRef { dom, slot })
    }
}
