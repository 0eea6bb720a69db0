//! The typed front end: [`Scrubber::scrub_event`] walks an event of the model, hands
//! each node, text, attribute and value to the engine, and rebuilds the event from its
//! answers.

use super::Scrubber;
use super::engine::{
    AttrOutcome, AttributeChange, Fate, NO_PARENT, NodeLook, PackedAttrs, SplitFixes, TextOutcome,
};

use super::report::{Place, ScrubPlace};
use crate::model::*;

impl Scrubber {
    /// Scrubs one event; `None` when the policy drops it.
    pub fn scrub_event(&mut self, mut e: Event) -> Option<Event> {
        self.engine.event_in();
        let mut top_extra = std::mem::take(&mut e.extra);
        self.engine.scrub_extra(&mut top_extra, &ScrubPlace::Event);
        e.extra = top_extra;
        let kind = std::mem::replace(&mut e.kind, EventKind::Load(None));
        let kind = match kind {
            EventKind::FullSnapshot(mut s) => {
                self.engine.new_page();
                let tree = std::mem::take(&mut s.tree);
                s.tree = self.scrub_tree(tree, NO_PARENT, &ScrubPlace::Snapshot);
                let mut fixes = self.engine.split_secrets();
                set_tree_texts(&mut s.tree, &mut fixes);
                self.engine.scrub_extra(&mut s.extra, &ScrubPlace::Snapshot);
                EventKind::FullSnapshot(s)
            }
            EventKind::Meta(mut m) => {
                if let Some(v) = self.engine.meta_href(&m.href) {
                    m.href = v;
                }
                self.engine.scrub_extra(&mut m.extra, &ScrubPlace::Meta);
                EventKind::Meta(m)
            }
            EventKind::Incremental(inc) => EventKind::Incremental(self.scrub_incremental(inc)?),
            EventKind::Custom(mut t) => {
                self.engine
                    .scrub_json(&mut t.payload, &ScrubPlace::CustomPayload);
                self.engine
                    .scrub_extra(&mut t.extra, &ScrubPlace::CustomPayload);
                EventKind::Custom(t)
            }
            EventKind::Plugin(mut t) => {
                self.engine
                    .scrub_json(&mut t.payload, &ScrubPlace::PluginPayload);
                self.engine
                    .scrub_extra(&mut t.extra, &ScrubPlace::PluginPayload);
                EventKind::Plugin(t)
            }
            EventKind::Asset(mut t) => {
                if let Some(v) = self.engine.scrub_url(&t.name, &ScrubPlace::AssetUrl) {
                    t.name = v;
                }
                self.engine.scrub_asset_payload(&mut t.payload);
                EventKind::Asset(t)
            }
            EventKind::DomContentLoaded(mut d) => {
                if let Some(j) = &mut d {
                    self.engine.scrub_json(j, &ScrubPlace::Event);
                }
                EventKind::DomContentLoaded(d)
            }
            EventKind::Load(mut d) => {
                if let Some(j) = &mut d {
                    self.engine.scrub_json(j, &ScrubPlace::Event);
                }
                EventKind::Load(d)
            }
            EventKind::Unknown {
                type_code,
                mut data,
            } => {
                if let Some(j) = &mut data {
                    self.engine.scrub_json(j, &ScrubPlace::UnknownEvent);
                }
                EventKind::Unknown { type_code, data }
            }
        };
        e.kind = kind;
        self.engine.event_out();
        Some(e)
    }

    fn scrub_incremental(&mut self, inc: Incremental) -> Option<Incremental> {
        Some(match inc {
            Incremental::Mutation(m) => Incremental::Mutation(self.scrub_mutation(m)),
            Incremental::Input(mut i) => {
                let (text, checked) = self.engine.input_change(i.id, &i.text, i.is_checked)?;
                if let Some(t) = text {
                    i.text = t;
                }
                i.is_checked = checked;
                self.engine
                    .scrub_extra(&mut i.extra, &ScrubPlace::InputEvent);
                Incremental::Input(i)
            }
            // Pointer events on a node that is not in the output go to the element that
            // stands for it; scroll, media and canvas events on it are dropped.
            Incremental::MouseInteraction(mut m) => {
                m.id = self.engine.retarget(m.id);
                Incremental::MouseInteraction(m)
            }
            Incremental::Scroll(s) => {
                self.shown(s.id)?;
                Incremental::Scroll(s)
            }
            Incremental::Moves(mut m) => {
                for p in &mut m.positions {
                    p.id = self.engine.retarget(p.id);
                }
                Incremental::Moves(m)
            }
            Incremental::MediaInteraction(m) => {
                self.shown(m.id)?;
                Incremental::MediaInteraction(m)
            }
            Incremental::Selection(mut s) => {
                let any_dropped = s.ranges.iter().any(|r| self.engine.marked_dropped(r.start));
                if any_dropped {
                    s.ranges.clear();
                }
                self.engine
                    .scrub_extra(&mut s.extra, &ScrubPlace::Selection);
                Incremental::Selection(s)
            }
            Incremental::StyleSheetRule(mut r) => {
                for add in r.adds.iter_mut().flatten() {
                    if let Some(v) = self
                        .engine
                        .scrub_css(&add.rule, &ScrubPlace::StylesheetRule)
                    {
                        add.rule = v;
                    }
                }
                for text in [&mut r.replace, &mut r.replace_sync].into_iter().flatten() {
                    if let Some(v) = self.engine.scrub_css(text, &ScrubPlace::StylesheetRule) {
                        *text = v;
                    }
                }
                Incremental::StyleSheetRule(r)
            }
            Incremental::StyleDeclaration(mut d) => {
                if let Some(set) = &mut d.set
                    && let Some(v) = &mut set.value
                    && let Some(nv) = self.engine.scrub_css(v, &ScrubPlace::StyleDeclaration)
                {
                    *v = nv;
                }
                Incremental::StyleDeclaration(d)
            }
            Incremental::AdoptedStyleSheet(mut a) => {
                for style in a.styles.iter_mut().flatten() {
                    for rule in &mut style.rules {
                        if let Some(v) = self
                            .engine
                            .scrub_css(&rule.rule, &ScrubPlace::StylesheetRule)
                        {
                            rule.rule = v;
                        }
                    }
                }
                Incremental::AdoptedStyleSheet(a)
            }
            Incremental::Font(mut f) => {
                if !f.buffer
                    && let Some(v) = self
                        .engine
                        .scrub_url(&f.font_source, &ScrubPlace::FontSource)
                {
                    f.font_source = v;
                }
                Incremental::Font(f)
            }
            Incremental::CanvasMutation(mut c) => {
                self.shown(c.id)?;
                self.engine.scrub_canvas(&mut c.fields);
                Incremental::CanvasMutation(c)
            }
            Incremental::Log(mut fields) => {
                self.engine
                    .scrub_extra(&mut fields, &ScrubPlace::LogPayload);
                Incremental::Log(fields)
            }
            Incremental::Unknown { source, mut fields } => {
                self.engine
                    .scrub_extra(&mut fields, &ScrubPlace::UnknownEvent);
                Incremental::Unknown { source, fields }
            }
            other @ (Incremental::ViewportResize(_) | Incremental::CustomElement(_)) => other,
        })
    }

    /// `None` if node `id` is known and not in the output (an event on it is dropped).
    fn shown(&mut self, id: NodeId) -> Option<()> {
        (!self.engine.dropped(id)).then_some(())
    }

    fn scrub_mutation(&mut self, mut m: Mutation) -> Mutation {
        // Removes: dropped nodes were never handed out.
        let removes = std::mem::take(&mut m.removes);
        for r in removes {
            if self.engine.remove(r.id) {
                m.removes.push(r);
            }
        }
        // Adds: first put every added node in place, so that state can be computed
        // for adds that arrive before their parent in the batch.
        let adds = std::mem::take(&mut m.adds);
        for a in &adds {
            if let Some(root) = a.node.root() {
                self.insert_before(a.parent_id.0, root, a.next_id.map(|n| n.0));
            }
        }
        for a in adds {
            let Some(root_id) = a.node.root().map(|n| n.id.0) else {
                continue;
            };
            if self.engine.drops_added_root(root_id) {
                // Keep it in the mirror (as dropped) so later events on it are dropped.
                let tree = a.node;
                for tn in tree.nodes.iter().skip(1) {
                    let parent = tn
                        .parent
                        .and_then(|pi| tree.nodes.get(pi as usize))
                        .map_or(root_id, |x| x.node.id.0);
                    self.insert(parent, &tn.node);
                }
                continue;
            }
            let Addition {
                parent_id,
                next_id,
                previous_id,
                node,
                mut extra,
            } = a;
            // The root was inserted above; scrub_tree inserts again (fresh) with children.
            let tree = self.scrub_tree(node, parent_id.0, &ScrubPlace::MutationAdd);
            self.engine
                .scrub_extra(&mut extra, &ScrubPlace::MutationAdd);
            if tree.is_empty() {
                continue;
            }
            m.adds.push(Addition {
                parent_id,
                next_id,
                previous_id,
                node: tree,
                extra,
            });
        }
        // Texts.
        let texts = std::mem::take(&mut m.texts);
        for mut t in texts {
            match self.engine.text_change(t.id, t.value.as_deref()) {
                TextOutcome::Drop => continue,
                TextOutcome::Keep => {}
                TextOutcome::Set(v) => t.value = Some(v),
            }
            m.texts.push(t);
        }
        // Attributes: update the mirror first (state may change), then scrub.
        let changes = std::mem::take(&mut m.attributes);
        let mut take_back = Vec::new();
        let mut remask = Vec::new();
        for mut c in changes {
            let look: Vec<_> = c
                .attributes
                .iter()
                .map(|a| (a.name.as_str(), a.value.as_text()))
                .collect();
            let change = self
                .engine
                .attribute_change(c.id, &look, &mut take_back, &mut remask);
            drop(look);
            if change == AttributeChange::Drop {
                continue;
            }
            let mut attrs = std::mem::take(&mut c.attributes);
            self.scrub_attributes(c.id.0, &mut attrs);
            c.attributes = attrs;
            if change == AttributeChange::Known {
                self.engine
                    .scrub_extra(&mut c.extra, &ScrubPlace::MutationAttribute);
            }
            m.attributes.push(c);
        }
        // Secrets split across text nodes: fixed in place in this event's adds and text
        // changes, sent again as text changes for nodes handed out before.
        let mut fixes = self.engine.split_secrets();
        if !fixes.is_empty() {
            for a in &mut m.adds {
                set_tree_texts(&mut a.node, &mut fixes);
            }
            for t in &mut m.texts {
                if let Some(v) = fixes.get(t.id.0) {
                    t.value = Some(v.to_owned());
                }
            }
            remask.extend(fixes.unplaced());
        }
        let extra_removes = take_back.into_iter().map(|(parent, id)| Removal {
            parent_id: NodeId(parent),
            id: NodeId(id),
            is_shadow: None,
            extra: Vec::new(),
        });
        let extra_texts = remask.into_iter().map(|(id, v)| TextChange {
            id: NodeId(id),
            value: Some(v),
            extra: Vec::new(),
        });
        m.removes.extend(extra_removes);
        m.texts.extend(extra_texts);
        let mut extra = std::mem::take(&mut m.extra);
        self.engine.scrub_extra(&mut extra, &ScrubPlace::Mutation);
        m.extra = extra;
        m
    }

    /// Inserts and scrubs a flat tree hanging under `parent` (NO_PARENT for a snapshot);
    /// returns the tree with blocked subtrees dropped.
    fn scrub_tree(&mut self, tree: NodeTree, parent: i32, place: &ScrubPlace) -> NodeTree {
        let mut out: Vec<TreeNode> = Vec::with_capacity(tree.nodes.len());
        // Per input index: its index in `out`, or None if dropped.
        let mut kept: Vec<Option<u32>> = Vec::with_capacity(tree.nodes.len());
        let mut ids: Vec<i32> = Vec::with_capacity(tree.nodes.len());
        let mut fates: Vec<Fate> = Vec::with_capacity(tree.nodes.len());
        for (i, mut tn) in tree.nodes.into_iter().enumerate() {
            let parent_id = match tn.parent {
                Some(p) if (p as usize) < i => ids.get(p as usize).copied().unwrap_or(parent),
                _ => parent,
            };
            ids.push(tn.node.id.0);
            self.insert(parent_id, &tn.node);
            let parent_fate = match tn.parent {
                Some(pi) if (pi as usize) < i => fates.get(pi as usize).copied(),
                _ => None,
            };
            let fate = self.engine.fate(tn.node.id.0, parent_fate, place);
            fates.push(fate);
            if fate == Fate::Dropped {
                kept.push(None);
                continue;
            }
            let out_parent = match tn.parent {
                Some(pi) if (pi as usize) < i => kept.get(pi as usize).copied().flatten(),
                _ => None,
            };
            self.scrub_node(&mut tn.node, parent_id, place);
            kept.push(Some(out.len() as u32));
            out.push(TreeNode {
                parent: out_parent,
                node: tn.node,
            });
        }
        NodeTree { nodes: out }
    }

    /// Scrubs a node's own content (text or attributes) in place; the node must be in
    /// the mirror with its state computed.
    fn scrub_node(&mut self, node: &mut SerializedNode, parent: i32, place: &ScrubPlace) {
        let id = node.id.0;
        let mut extra = std::mem::take(&mut node.extra);
        self.engine.scrub_extra(&mut extra, place);
        node.extra = extra;
        match &mut node.kind {
            NodeKind::Element { attributes, .. } => {
                let mut attrs = std::mem::take(attributes);
                self.scrub_attributes(id, &mut attrs);
                if let NodeKind::Element { attributes, .. } = &mut node.kind {
                    *attributes = attrs;
                }
            }
            NodeKind::Text { text, is_style } => {
                let new = self
                    .engine
                    .scrub_text(id, text, *is_style == Some(true), parent, place);
                if let Some(new) = new {
                    *text = new;
                }
            }
            // Comments are not shown; they can carry anything.
            NodeKind::Comment { text } | NodeKind::CData { text } => {
                if let Some(new) = self.engine.comment_text(text) {
                    *text = new;
                }
            }
            _ => {}
        }
    }

    fn scrub_attributes(&mut self, id: i32, attrs: &mut Attributes) {
        let mut i = 0;
        while i < attrs.len() {
            // `attrs` is not part of `self`: read the attribute in place, no copies.
            let Some(a) = attrs.get(i) else { break };
            let name = a.name.as_str();
            let outcome = match &a.value {
                AttrValue::Str(v) => self.engine.attr_outcome(id, name, v),
                AttrValue::Num(_) | AttrValue::Bool(_) | AttrValue::Removed => self
                    .engine
                    .scalar_attr_outcome(id, name, matches!(a.value, AttrValue::Removed)),
                AttrValue::StyleDiff(diff) => {
                    let mut diff = diff.clone();
                    for (_, change) in &mut diff {
                        if let StyleChange::Set(v) | StyleChange::SetWithPriority(v, _) = change
                            && let Some(nv) = self.engine.scrub_style_value(id, v)
                        {
                            *v = nv;
                        }
                    }
                    if let Some(a) = attrs.get_mut(i) {
                        a.value = AttrValue::StyleDiff(diff);
                    }
                    i += 1;
                    continue;
                }
                AttrValue::Other(j) => {
                    let mut j = j.clone();
                    self.engine.scrub_json(&mut j, Place::Attribute("other"));
                    if let Some(a) = attrs.get_mut(i) {
                        a.value = AttrValue::Other(j);
                    }
                    i += 1;
                    continue;
                }
            };
            match outcome {
                AttrOutcome::Keep => i += 1,
                AttrOutcome::Set(v) => {
                    if let Some(a) = attrs.get_mut(i) {
                        a.value = AttrValue::Str(v);
                    }
                    i += 1;
                }
                AttrOutcome::Remove => {
                    attrs.remove(i);
                }
            }
        }
    }

    /// Puts `node` in the mirror under `parent`.
    fn insert(&mut self, parent: i32, node: &SerializedNode) {
        self.insert_before(parent, node, None);
    }

    /// Puts a node in the engine's mirror under `parent`, before sibling `next` (an
    /// added root's `nextId`) if that is one of the parent's children, else last.
    fn insert_before(&mut self, parent: i32, node: &SerializedNode, next: Option<i32>) {
        self.engine
            .insert_before(parent, node.id.0, next, |_| match &node.kind {
                NodeKind::Element {
                    tag, attributes, ..
                } => NodeLook::Element {
                    tag: tag.into(),
                    attrs: {
                        let mut p = PackedAttrs::default();
                        for a in attributes {
                            if let Some(v) = a.value.as_text() {
                                p.push(&a.name, &v);
                            }
                        }
                        p
                    },
                },
                NodeKind::Text { text, .. } => NodeLook::Text(text.into()),
                NodeKind::CData { .. } | NodeKind::Comment { .. } => NodeLook::Comment,
                NodeKind::Document { .. } => NodeLook::Document,
                _ => NodeLook::Other,
            });
    }
}

/// Sets the content of every text node of `tree` that a split secret changes.
fn set_tree_texts(tree: &mut NodeTree, fixes: &mut SplitFixes) {
    if fixes.is_empty() {
        return;
    }
    for tn in &mut tree.nodes {
        if let NodeKind::Text { text, .. } = &mut tn.node.kind
            && let Some(v) = fixes.get(tn.node.id.0)
        {
            *text = v.to_owned();
        }
    }
}
