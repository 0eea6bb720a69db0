//! Pages written as a tiny markup, turned into rrweb JSON events, and scrubbed by both
//! paths (shared by `tests/split_secrets.rs` and `tests/detect_context.rs`).
#![allow(dead_code)]

use serde_json::{Value, json};
use session_replay::privacy::*;
use session_replay::{Limits, rrweb};

/// Builds rrweb nodes from a tiny markup: `("tag", attrs, children)` or a text.
pub enum N {
    /// An element: tag, attributes, children.
    El(&'static str, Vec<(&'static str, &'static str)>, Vec<N>),
    Text(String),
    Comment(&'static str),
}

pub fn el(tag: &'static str, kids: Vec<N>) -> N {
    N::El(tag, vec![], kids)
}

pub fn t(s: &str) -> N {
    N::Text(s.to_owned())
}

/// The node's rrweb JSON, ids handed out from `next` in pre-order.
pub fn node(n: &N, next: &mut i64) -> Value {
    let id = *next;
    *next += 1;
    match n {
        N::El(tag, attrs, kids) => {
            let attributes: serde_json::Map<String, Value> = attrs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), json!(v)))
                .collect();
            let children: Vec<Value> = kids.iter().map(|k| node(k, next)).collect();
            json!({"type": 2, "tagName": tag, "attributes": attributes, "childNodes": children, "id": id})
        }
        N::Text(s) => json!({"type": 3, "textContent": s, "id": id}),
        N::Comment(s) => json!({"type": 5, "textContent": s, "id": id}),
    }
}

/// A page whose body holds `body`; body's id is 4 and ids after it go in pre-order.
pub fn page(body: Vec<N>) -> (Vec<Value>, i64) {
    let mut next = 5;
    let kids: Vec<Value> = body.iter().map(|k| node(k, &mut next)).collect();
    let doc = json!({"type": 0, "childNodes": [
        {"type": 2, "tagName": "html", "attributes": {}, "id": 2, "childNodes": [
            {"type": 2, "tagName": "head", "attributes": {}, "id": 3, "childNodes": []},
            {"type": 2, "tagName": "body", "attributes": {}, "id": 4, "childNodes": kids}
        ]}
    ], "id": 1});
    let events = vec![
        json!({"type": 4, "data": {"href": "https://shop.test/", "width": 800, "height": 600}, "timestamp": 1000}),
        json!({"type": 2, "data": {"node": doc, "initialOffset": {"left": 0, "top": 0}}, "timestamp": 1001}),
    ];
    (events, next)
}

pub fn mutation(t: i64, data: Value) -> Value {
    let mut d = data;
    d["source"] = json!(0);
    for k in ["texts", "attributes", "removes", "adds"] {
        if d.get(k).is_none() {
            d[k] = json!([]);
        }
    }
    json!({"type": 3, "data": d, "timestamp": t})
}

/// Scrubs with the streaming path and the typed path; checks they agree and returns the
/// streaming output and its report.
pub fn scrub_both(events: &[Value], policy: &Policy) -> (Value, ScrubReport) {
    let bytes = serde_json::to_vec(events).unwrap();
    let (out, report) = scrub_rrweb_json(&bytes, policy, &Limits::default()).unwrap();
    let parsed = rrweb::read(&bytes, &Limits::default()).unwrap();
    let (typed, typed_report) = scrub(parsed, policy);
    let typed_json = rrweb::write_string(&typed);
    let a: Value = serde_json::from_slice(&out).unwrap();
    let b: Value = serde_json::from_str(&typed_json).unwrap();
    assert_eq!(a, b, "streaming and typed paths differ");
    assert_eq!(report.to_string(), typed_report.to_string());
    (a, report)
}

/// Every text the output shows: snapshot and added text nodes, and text changes.
pub fn texts(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![v];
    while let Some(x) = stack.pop() {
        match x {
            Value::Object(m) => {
                if let Some(Value::String(s)) = m.get("textContent") {
                    out.push(s.clone());
                }
                if m.contains_key("id")
                    && let Some(Value::String(s)) = m.get("value")
                {
                    out.push(s.clone());
                }
                stack.extend(m.values());
            }
            Value::Array(a) => stack.extend(a.iter()),
            _ => {}
        }
    }
    out
}

pub fn shown(v: &Value) -> String {
    texts(v).join("|")
}
