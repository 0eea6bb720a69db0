//! The recorder's copy of what the CSSOM changes without touching a node: the rule lists
//! of sheets edited through it, the constructed stylesheets, and which of them each
//! document or shadow root adopts.
//!
//! Why the recorder keeps them: a keyframe is taken from the recorder's own copy of the
//! page (the mirror), and `insertRule` changes no node. Without this copy, a keyframe
//! after an edit would show the sheet as it was first recorded (rrweb's recorder has
//! that gap for a `<style>` with text), and a replay that seeks to it would lose the
//! edits.
//!
//! - A node's rule list is made from the node's recorded CSS on its first edit, split by
//!   the code the replay uses (`replay::css`), so a keyframe shows exactly what replaying
//!   the edits from the previous one shows.
//! - An edited list is copied back into the mirror only when a keyframe is taken
//!   (`stale`): CSS-in-JS libraries insert rules one by one into sheets of thousands, and
//!   rejoining a sheet per edit would cost the square of its size.
//! - A constructed sheet's rules go out inside the first adoption that needs them after
//!   each keyframe (rrweb's `AdoptedStyleSheet.styles`), since a replayer knows only the
//!   sheets announced since the snapshot it started from.

use std::collections::{BTreeMap, BTreeSet};

use bincode::{Decode, Encode};

use super::host::{AdoptedSheet, HostKey, SheetEdit};
use super::persist::malformed;
use crate::error::StateError;
use crate::model::*;
use crate::replay::css;

/// CSSOM state the mirror's nodes do not hold.
#[derive(Debug, Default)]
pub(super) struct Sheets {
    /// Rule lists of node-owned sheets edited since their node's CSS was recorded.
    nodes: BTreeMap<NodeId, Vec<String>>,
    /// Node sheets whose list changed since it was last copied into the mirror.
    stale: BTreeSet<NodeId>,
    /// The style id given to each constructed sheet the host handed over.
    style_ids: BTreeMap<HostKey, i64>,
    /// Constructed sheets' rules, by style id.
    constructed: BTreeMap<i64, Vec<String>>,
    /// The next style id (rrweb's start at 1).
    next_style: i64,
    /// What each document or shadow host adopts: style ids, in order.
    adopted: BTreeMap<NodeId, Vec<i64>>,
    /// Style ids whose rules went out since the last keyframe: a replayer has them.
    announced: BTreeSet<i64>,
}

impl Sheets {
    pub(super) fn new() -> Self {
        Sheets {
            next_style: 1,
            ..Sheets::default()
        }
    }

    /// Forgets node sheets and adoptions: a new snapshot gives the nodes new ids and
    /// records their CSS as it is now, and the host hands the adoptions over again.
    /// Constructed sheets stay (the host's keys for them still hold).
    pub(super) fn reset_nodes(&mut self) {
        self.nodes.clear();
        self.stale.clear();
        self.adopted.clear();
        self.announced.clear();
    }

    /// The style id of a constructed sheet the host handed over.
    pub(super) fn style_id(&self, key: HostKey) -> Option<i64> {
        self.style_ids.get(&key).copied()
    }

    /// Whether any node sheet is being tracked (mutations then check their targets).
    pub(super) fn tracks_nodes(&self) -> bool {
        !self.nodes.is_empty()
    }

    /// Applies an edit to the sheet of node `id`; `css` gives the node's recorded CSS the
    /// first time. Returns whether the edit applied (a path outside the sheet does not,
    /// and neither does `replace`, which only constructed sheets have).
    pub(super) fn edit_node(
        &mut self,
        id: NodeId,
        edit: &SheetEdit,
        css: impl FnOnce() -> Option<String>,
    ) -> bool {
        if matches!(edit, SheetEdit::Replace { .. }) {
            return false;
        }
        let rules = match self.nodes.entry(id) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => {
                let Some(text) = css() else {
                    return false;
                };
                e.insert(css::split_rules(&text))
            }
        };
        let ok = apply(rules, edit);
        if ok {
            self.stale.insert(id);
        }
        ok
    }

    /// Applies an edit to constructed sheet `style`. Returns whether it applied.
    pub(super) fn edit_constructed(&mut self, style: i64, edit: &SheetEdit) -> bool {
        self.constructed
            .get_mut(&style)
            .is_some_and(|rules| apply(rules, edit))
    }

    /// The CSS of node `id` changed through the DOM (its text, or a `_cssText` once a
    /// link loaded): the browser parsed it afresh, so its edited list no longer holds.
    pub(super) fn node_changed(&mut self, id: NodeId) {
        if self.nodes.remove(&id).is_some() {
            self.stale.remove(&id);
        }
    }

    /// The CSS of each node sheet edited since the last call, to copy into the mirror
    /// before a keyframe; lists of nodes no longer `alive` are dropped.
    pub(super) fn take_stale(&mut self, alive: impl Fn(NodeId) -> bool) -> Vec<(NodeId, String)> {
        self.nodes.retain(|id, _| alive(*id));
        let stale = std::mem::take(&mut self.stale);
        stale
            .into_iter()
            .filter_map(|id| Some((id, self.nodes.get(&id)?.concat())))
            .collect()
    }

    /// A document or shadow host (`host`) adopts `sheets`: takes the rules given, and
    /// returns the event, with the rules of each sheet a replayer has not had since the
    /// last keyframe. A sheet the recorder has no rules for is left out.
    pub(super) fn adopt(&mut self, host: NodeId, sheets: &[AdoptedSheet]) -> AdoptedStyleSheet {
        let mut ids = Vec::with_capacity(sheets.len());
        for s in sheets {
            let id = match (self.style_ids.get(&s.key), &s.rules) {
                (Some(&id), _) => id,
                (None, Some(_)) => {
                    let id = self.next_style;
                    self.next_style = self.next_style.saturating_add(1);
                    self.style_ids.insert(s.key, id);
                    id
                }
                (None, None) => continue,
            };
            if let Some(rules) = &s.rules {
                self.constructed.insert(id, rules.clone());
                // New rules: a replayer must get them even if it had the sheet.
                self.announced.remove(&id);
            }
            ids.push(id);
        }
        self.adoption(host, ids)
    }

    /// Records `host`'s adoption of `ids` and builds its event.
    fn adoption(&mut self, host: NodeId, ids: Vec<i64>) -> AdoptedStyleSheet {
        let mut styles = Vec::new();
        for &id in &ids {
            if self.announced.insert(id) {
                let rules = self.constructed.get(&id).map_or(&[][..], |r| &r[..]);
                styles.push(AdoptedStyle {
                    style_id: id,
                    rules: rules
                        .iter()
                        .enumerate()
                        .map(|(i, r)| AdoptedRule {
                            rule: r.clone(),
                            index: Some(i as i64),
                            extra: Vec::new(),
                        })
                        .collect(),
                    extra: Vec::new(),
                });
            }
        }
        if ids.is_empty() {
            self.adopted.remove(&host);
        } else {
            self.adopted.insert(host, ids.clone());
        }
        AdoptedStyleSheet {
            id: host,
            styles: (!styles.is_empty()).then_some(styles),
            style_ids: ids,
            extra: Vec::new(),
        }
    }

    /// After a keyframe: a replayer starting there knows no constructed sheet, so each
    /// adoption of a host still `alive` goes out again with its sheets' rules.
    pub(super) fn after_keyframe(
        &mut self,
        alive: impl Fn(NodeId) -> bool,
    ) -> Vec<AdoptedStyleSheet> {
        self.announced.clear();
        let adopted = std::mem::take(&mut self.adopted);
        adopted
            .into_iter()
            .filter(|(host, _)| alive(*host))
            .map(|(host, ids)| self.adoption(host, ids))
            .collect()
    }

    /// The saved form; what belongs to nodes no longer `alive` (the mirror forgot them)
    /// is left out.
    pub(super) fn save(&self, alive: impl Fn(NodeId) -> bool) -> SavedSheets {
        SavedSheets {
            nodes: self
                .nodes
                .iter()
                .filter(|(id, _)| alive(**id))
                .map(|(id, r)| (id.0, r.clone()))
                .collect(),
            stale: self
                .stale
                .iter()
                .filter(|id| alive(**id))
                .map(|id| id.0)
                .collect(),
            style_ids: self.style_ids.iter().map(|(k, id)| (k.0, *id)).collect(),
            constructed: self
                .constructed
                .iter()
                .map(|(id, r)| (*id, r.clone()))
                .collect(),
            next_style: self.next_style,
            adopted: self
                .adopted
                .iter()
                .filter(|(h, _)| alive(**h))
                .map(|(h, ids)| (h.0, ids.clone()))
                .collect(),
            announced: self.announced.iter().copied().collect(),
        }
    }

    /// Sheets from their saved form, checked: keys unique, style ids below the next one
    /// and each given to one sheet, stale lists present, adoptions of known sheets, and
    /// node ids that `known` (the restored mirror) has.
    pub(super) fn restore(
        s: SavedSheets,
        known: impl Fn(NodeId) -> bool,
    ) -> Result<Sheets, StateError> {
        let mut out = Sheets::new();
        if s.next_style < 1 {
            return Err(malformed("the next style id is not positive"));
        }
        out.next_style = s.next_style;
        let valid_style = |id: i64| (1..s.next_style).contains(&id);
        for (id, rules) in s.nodes {
            let id = NodeId(id);
            if !known(id) || out.nodes.insert(id, rules).is_some() {
                return Err(malformed(
                    "a sheet of a node the tree does not hold, or twice",
                ));
            }
        }
        for id in s.stale {
            if !out.nodes.contains_key(&NodeId(id)) || !out.stale.insert(NodeId(id)) {
                return Err(malformed("a stale sheet that is not tracked, or twice"));
            }
        }
        for (id, rules) in s.constructed {
            if !valid_style(id) || out.constructed.insert(id, rules).is_some() {
                return Err(malformed(
                    "a constructed sheet's id is out of range or repeated",
                ));
            }
        }
        let mut given = BTreeSet::new();
        for (key, id) in s.style_ids {
            if !out.constructed.contains_key(&id)
                || !given.insert(id)
                || out.style_ids.insert(HostKey(key), id).is_some()
            {
                return Err(malformed(
                    "a sheet key names no sheet, or two keys one sheet",
                ));
            }
        }
        for (host, ids) in s.adopted {
            if !known(NodeId(host)) || ids.iter().any(|id| !out.constructed.contains_key(id)) {
                return Err(malformed(
                    "an adoption by an unknown host or of an unknown sheet",
                ));
            }
            out.adopted.insert(NodeId(host), ids);
        }
        for id in s.announced {
            if !out.constructed.contains_key(&id) {
                return Err(malformed("an announced sheet that is not known"));
            }
            out.announced.insert(id);
        }
        Ok(out)
    }
}

/// Applies one edit to a rule list; whether it applied.
fn apply(rules: &mut Vec<String>, edit: &SheetEdit) -> bool {
    match edit {
        SheetEdit::Insert { path, rule } => css::insert_rule(rules, Some(path), rule),
        SheetEdit::Delete { path } => css::delete_rule(rules, path),
        SheetEdit::Replace { text, .. } => {
            *rules = css::split_rules(text);
            true
        }
        SheetEdit::SetProperty {
            path,
            property,
            value,
            priority,
        } => css::set_declaration(rules, path, property, Some((value, priority))),
        SheetEdit::RemoveProperty { path, property } => {
            css::set_declaration(rules, path, property, None)
        }
    }
}

/// rrweb's index: a number for a top-level rule, a path for a nested one.
fn index(path: &[i64]) -> RuleIndex {
    match path {
        [i] => RuleIndex::Flat(*i),
        p => RuleIndex::Nested(p.to_vec()),
    }
}

/// The rrweb event for an edit of the sheet owned by node `id` or constructed as
/// `style_id`.
pub(super) fn edit_event(
    id: Option<NodeId>,
    style_id: Option<i64>,
    edit: &SheetEdit,
) -> Incremental {
    let rule = |adds, removes, replace, replace_sync| {
        Incremental::StyleSheetRule(StyleSheetRule {
            id,
            style_id,
            adds,
            removes,
            replace,
            replace_sync,
            extra: Vec::new(),
        })
    };
    let declaration = |path: &[i64], set, remove| {
        Incremental::StyleDeclaration(StyleDeclaration {
            id,
            style_id,
            index: path.to_vec(),
            set,
            remove,
            extra: Vec::new(),
        })
    };
    match edit {
        SheetEdit::Insert { path, rule: text } => rule(
            Some(vec![RuleInsertion {
                rule: text.clone(),
                index: Some(index(path)),
                extra: Vec::new(),
            }]),
            None,
            None,
            None,
        ),
        SheetEdit::Delete { path } => rule(
            None,
            Some(vec![RuleRemoval {
                index: index(path),
                extra: Vec::new(),
            }]),
            None,
            None,
        ),
        SheetEdit::Replace { text, sync: false } => rule(None, None, Some(text.clone()), None),
        SheetEdit::Replace { text, sync: true } => rule(None, None, None, Some(text.clone())),
        SheetEdit::SetProperty {
            path,
            property,
            value,
            priority,
        } => declaration(
            path,
            Some(StyleSet {
                property: property.clone(),
                value: Some(value.clone()),
                priority: (!priority.is_empty()).then(|| priority.clone()),
                extra: Vec::new(),
            }),
            None,
        ),
        SheetEdit::RemoveProperty { path, property } => declaration(
            path,
            None,
            Some(StyleRemove {
                property: property.clone(),
                extra: Vec::new(),
            }),
        ),
    }
}

/// The sheets' saved form (`record/persist.rs`).
#[derive(Encode, Decode)]
pub(super) struct SavedSheets {
    nodes: Vec<(i32, Vec<String>)>,
    stale: Vec<i32>,
    style_ids: Vec<(u64, i64)>,
    constructed: Vec<(i64, Vec<String>)>,
    next_style: i64,
    adopted: Vec<(i32, Vec<i64>)>,
    announced: Vec<i64>,
}
