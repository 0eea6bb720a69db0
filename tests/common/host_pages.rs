//! Small host pages and event helpers for the recorder's tests.
#![allow(dead_code)]

use session_replay::model::*;
use session_replay::record::*;

pub fn el(tag: &str) -> HostKind {
    HostKind::Element {
        tag: tag.into(),
        attributes: vec![],
    }
}

pub fn el_with(tag: &str, attributes: &[(&str, &str)]) -> HostKind {
    HostKind::Element {
        tag: tag.into(),
        attributes: attributes
            .iter()
            .map(|&(k, v)| (k.into(), v.into()))
            .collect(),
    }
}

/// A document with an empty body (keys 1-3), and the body's position.
pub fn bare_page() -> (HostTree, HostIndex) {
    let mut page = HostTree::default();
    let doc = page.push(HostKey(1), None, HostKind::Document);
    let html = page.push(HostKey(2), Some(doc), el("html"));
    let body = page.push(HostKey(3), Some(html), el("body"));
    (page, body)
}

pub fn drain(rec: &mut Recorder) -> Vec<Event> {
    std::iter::from_fn(|| rec.poll_event()).collect()
}

pub fn kinds(events: &[Event]) -> Vec<&'static str> {
    events.iter().map(|e| e.kind.name()).collect()
}
