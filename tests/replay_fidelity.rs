//! The fidelity bar: at every corpus checkpoint, the replayed state equals the live page
//! captured in Chromium (element + class sequence, attributes, visible text, form values,
//! window scroll, viewport).

mod common;

use common::*;
use serde_json::Value;
use session_replay::replay::{ReplayConfig, Replayer, State};
use session_replay::{Limits, Timestamp, rrweb};

fn check(state: &State, cp: &Value, name: &str) -> Vec<String> {
    let label = format!("{name}@{}", cp["label"].as_str().unwrap());
    let mut problems = Vec::new();
    let truth = parse_html(cp["html"].as_str().unwrap());
    let ours = state_page(state);

    // Element sequence with tags and classes.
    let seq = |p: &Page| -> Vec<(String, String)> {
        p.elements
            .iter()
            .map(|e| {
                let class = e
                    .attrs
                    .iter()
                    .find(|(k, _)| k == "class")
                    .map(|(_, v)| v.clone());
                (e.tag.clone(), class.unwrap_or_default())
            })
            .collect()
    };
    let (ts, os) = (seq(&truth), seq(&ours));
    if ts != os {
        let i = ts
            .iter()
            .zip(&os)
            .position(|(a, b)| a != b)
            .unwrap_or(ts.len().min(os.len()));
        problems.push(format!(
            "{label}: element sequence differs at {i} (live {} elements, replay {}): live {:?} vs replay {:?}",
            ts.len(),
            os.len(),
            ts.get(i),
            os.get(i)
        ));
    } else {
        // Attributes, element by element.
        for (i, (t, o)) in truth.elements.iter().zip(&ours.elements).enumerate() {
            let (ta, oa) = (comparable_attrs(&t.attrs), comparable_attrs(&o.attrs));
            if ta != oa {
                problems.push(format!(
                    "{label}: attributes of element {i} <{}>: live {ta:?} vs replay {oa:?}",
                    t.tag
                ));
                break;
            }
        }
    }

    // Visible text.
    if truth.text != ours.text {
        let i = truth
            .text
            .chars()
            .zip(ours.text.chars())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        let ctx = |s: &str| {
            s.chars()
                .skip(i.saturating_sub(30))
                .take(80)
                .collect::<String>()
        };
        problems.push(format!(
            "{label}: text differs at char {i}: live {:?} vs replay {:?}",
            ctx(&truth.text),
            ctx(&ours.text)
        ));
    }

    // Form values, by CSS path.
    let controls: Vec<usize> = (0..ours.elements.len())
        .filter(|&i| {
            matches!(
                ours.elements[i].tag.as_str(),
                "input" | "textarea" | "select"
            )
        })
        .collect();
    let form = cp["formState"].as_array().unwrap();
    if form.len() != controls.len() {
        problems.push(format!(
            "{label}: {} form controls live, {} replayed",
            form.len(),
            controls.len()
        ));
    }
    let dom = state.dom();
    for f in form {
        let path = f["path"].as_str().unwrap();
        let Some(&i) = controls.iter().find(|&&i| css_path(&ours, i) == path) else {
            problems.push(format!("{label}: no replayed control at {path}"));
            continue;
        };
        // Map the element back to its node id through document order.
        let html = dom
            .root()
            .unwrap()
            .children()
            .find(|c| c.tag() == Some("html"))
            .unwrap();
        let node = html
            .descendants()
            .filter(|n| {
                n.tag().is_some()
                    && !n
                        .flags()
                        .contains(session_replay::replay::DomFlags::IN_SHADOW)
            })
            .nth(i)
            .unwrap();
        let value = state.form_value(node.id()).unwrap();
        if f["value"].as_str().unwrap() != value.text {
            problems.push(format!(
                "{label}: {path} value live {:?} vs replay {:?}",
                f["value"], value.text
            ));
        }
        if let Some(checked) = f.get("checked").and_then(Value::as_bool)
            && checked != value.checked
        {
            problems.push(format!(
                "{label}: {path} checked live {checked} vs replay {}",
                value.checked
            ));
        }
    }

    // Window scroll and viewport.
    let (sx, sy) = state.window_scroll();
    let (tx, ty) = (
        cp["scrollX"].as_f64().unwrap(),
        cp["scrollY"].as_f64().unwrap(),
    );
    if (sx - tx).abs() > 1.0 || (sy - ty).abs() > 1.0 {
        problems.push(format!(
            "{label}: scroll live ({tx}, {ty}) vs replay ({sx}, {sy})"
        ));
    }
    let vp = state.viewport();
    let tv = (
        cp["width"].as_f64().unwrap(),
        cp["height"].as_f64().unwrap(),
    );
    if vp != Some(tv) {
        problems.push(format!("{label}: viewport live {tv:?} vs replay {vp:?}"));
    }
    problems
}

fn checkpoints(name: &str) -> Vec<Value> {
    serde_json::from_slice::<Value>(&read(&format!("corpus/{name}.checkpoints.json")))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn every_checkpoint_matches_the_live_page() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for name in ["login", "todo", "feed"] {
        let events =
            rrweb::read(&read(&format!("corpus/{name}.raw.json")), &Limits::DEFAULT).unwrap();
        let cps = checkpoints(name);
        // Fresh replayer per checkpoint, and one replayer seeking forward through all.
        let mut sequential = Replayer::from(events.clone());
        for cp in &cps {
            let t = Timestamp(cp["t"].as_i64().unwrap());
            let mut fresh = Replayer::from(events.clone());
            let applied = fresh.events_until(t) as u64;
            let state = fresh.seek(t);
            assert_eq!(
                applied,
                cp["eventsSoFar"].as_u64().unwrap(),
                "{name}: events at the checkpoint"
            );
            problems.extend(check(state, cp, name));
            let seq_hash = sequential.seek(t).hash();
            assert_eq!(
                seq_hash,
                state.hash(),
                "{name}: sequential seek gives the same state"
            );
            assert_eq!(
                state.diagnostics().problems(),
                0,
                "{name}: {:?}",
                state.diagnostics()
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 19, "all 19 corpus checkpoints");
    assert!(
        problems.is_empty(),
        "{} mismatches:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn strict_replay_of_the_corpus_finds_nothing_to_skip() {
    for name in ["login", "todo", "feed"] {
        for variant in ["raw", "rrweb-default"] {
            let events = rrweb::read(
                &read(&format!("corpus/{name}.{variant}.json")),
                &Limits::DEFAULT,
            )
            .unwrap();
            let mut r = Replayer::new_strict(events, ReplayConfig::default()).unwrap();
            let (_, end) = r.time_range().unwrap();
            assert_eq!(r.seek(end).diagnostics().problems(), 0);
        }
    }
}
