//! How stylesheet events change the state's rule lists: rule inserts and deletes,
//! declaration edits, and adopted (constructed) stylesheets.
//!
//! A sheet's rules are kept as a list of rule texts keyed by [`SheetKey`]. A `<style>` or
//! `<link>` node's list is made from its CSS on the first edit that targets it; until
//! then the node's own text is the sheet. The rule-text surgery is in `css`.

use super::css;
use super::diag::Issue;
use super::state::{SheetKey, State};
use crate::error::ReplayError;
use crate::model::*;

impl State {
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

    /// Applies a rule insert, delete or whole-sheet replacement.
    pub(super) fn sheet_rule(&mut self, r: &StyleSheetRule, ev: usize) -> Result<(), ReplayError> {
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

    /// Applies a declaration edit (`style.setProperty` / `removeProperty` on a rule).
    pub(super) fn declaration(
        &mut self,
        d: &StyleDeclaration,
        ev: usize,
    ) -> Result<(), ReplayError> {
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

    /// Records constructed stylesheets and which of them a document or shadow root adopts.
    pub(super) fn adopt_sheets(&mut self, a: &AdoptedStyleSheet) {
        for style in a.styles.iter().flatten() {
            let rules = style.rules.iter().map(|r| r.rule.clone()).collect();
            self.sheets
                .insert(SheetKey::Constructed(style.style_id), rules);
        }
        self.adopted.insert(a.id, a.style_ids.clone());
    }
}
