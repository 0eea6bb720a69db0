//! Timeline markers: the moments a person watching wants to jump to (clicks, typing,
//! page loads) and the insights signals (rage, dead and error clicks, thrashing,
//! u-turns), as one JSON list the player draws.

use session_replay::insights::{Insights, InsightsConfig};
use session_replay::model::{Event, EventKind, Incremental, MouseInteractionKind};
use session_replay::{NodeId, Timestamp};

/// Typing into one field, with pauses under this, is one marker (a keystroke each
/// would bury the timeline).
const INPUT_RUN_MS: i64 = 2_000;

/// The markers of a recording, as a JSON array of `{"t": offset ms, "kind", "label",
/// "node"}` in time order; signals carry their insights fields too (`count`, ...).
pub fn markers_json(events: &[Event], start: Timestamp) -> String {
    let mut out: Vec<(i64, serde_json::Value)> = Vec::new();
    let off = |t: Timestamp| t.0.saturating_sub(start.0).max(0);
    let mut typing: Option<(NodeId, i64)> = None;
    let mut last_href: Option<&str> = None;
    for e in events {
        match &e.kind {
            EventKind::Meta(m) => {
                if last_href != Some(m.href.as_str()) {
                    out.push((
                        off(e.timestamp),
                        serde_json::json!({"kind": "navigation", "label": page_label(&m.href)}),
                    ));
                }
                last_href = Some(&m.href);
            }
            EventKind::Incremental(Incremental::MouseInteraction(mi))
                if matches!(
                    mi.kind,
                    MouseInteractionKind::Click | MouseInteractionKind::DblClick
                ) =>
            {
                let label = if mi.kind == MouseInteractionKind::DblClick {
                    "double click"
                } else {
                    "click"
                };
                out.push((
                    off(e.timestamp),
                    serde_json::json!({"kind": "click", "label": label, "node": mi.id.0}),
                ));
            }
            EventKind::Incremental(Incremental::Input(i)) => {
                let t = e.timestamp.0;
                let same_run = typing
                    .is_some_and(|(id, last)| id == i.id && t.saturating_sub(last) < INPUT_RUN_MS);
                if !same_run {
                    out.push((
                        off(e.timestamp),
                        serde_json::json!({"kind": "input", "label": "input", "node": i.id.0}),
                    ));
                }
                typing = Some((i.id, t));
            }
            _ => {}
        }
    }
    let mut insights = Insights::new(InsightsConfig::default());
    insights.push_batch(events);
    insights.finish();
    for s in insights.summary().signals {
        let mut v = serde_json::to_value(&s).unwrap_or(serde_json::Value::Null);
        if let Some(obj) = v.as_object_mut() {
            let kind = s.kind.name();
            obj.insert("label".into(), kind.replace('_', " ").into());
            obj.insert("signal".into(), true.into());
            let t = off(Timestamp(s.t));
            obj.insert("t".into(), t.into());
            out.push((t, v));
            continue;
        }
    }
    out.sort_by_key(|(t, _)| *t);
    let list: Vec<serde_json::Value> = out
        .into_iter()
        .map(|(t, mut v)| {
            if let Some(o) = v.as_object_mut() {
                o.insert("t".into(), t.into());
            }
            v
        })
        .collect();
    serde_json::Value::Array(list).to_string()
}

/// A page's URL as a marker shows it: host and path, no query or fragment.
fn page_label(href: &str) -> String {
    let end = href.find(['?', '#']).unwrap_or(href.len());
    let base = href.get(..end).unwrap_or(href);
    base.split_once("//")
        .map_or(base, |(_, rest)| rest)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use session_replay::{Limits, rrweb};

    #[test]
    fn clicks_typing_runs_pages_and_signals() {
        let events = rrweb::read(
            br#"[
          {"type":4,"data":{"href":"https://a.test/p?q=secret#x","width":800,"height":600},"timestamp":1000},
          {"type":3,"data":{"source":2,"type":2,"id":5,"x":10,"y":10},"timestamp":1500},
          {"type":3,"data":{"source":5,"text":"a","isChecked":false,"id":7},"timestamp":2000},
          {"type":3,"data":{"source":5,"text":"ab","isChecked":false,"id":7},"timestamp":2500},
          {"type":3,"data":{"source":5,"text":"abc","isChecked":false,"id":7},"timestamp":9000},
          {"type":3,"data":{"source":2,"type":2,"id":5,"x":10,"y":10},"timestamp":9100},
          {"type":3,"data":{"source":2,"type":2,"id":5,"x":11,"y":10},"timestamp":9300},
          {"type":3,"data":{"source":2,"type":2,"id":5,"x":12,"y":10},"timestamp":9500}
        ]"#,
            &Limits::DEFAULT,
        )
        .unwrap();
        let v: serde_json::Value =
            serde_json::from_str(&markers_json(&events, Timestamp(1000))).unwrap();
        let kinds: Vec<&str> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            [
                "navigation",
                "click",
                "input",
                "input",
                "click",
                "rage_click",
                "click",
                "click"
            ]
        );
        assert_eq!(v[0]["label"], "a.test/p");
        assert_eq!(v[0]["t"], 0);
        assert_eq!(v[5]["count"], 3);
        assert_eq!(v[5]["signal"], true);
        assert!(!v.to_string().contains("secret"));
    }
}
