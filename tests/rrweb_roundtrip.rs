//! JSON -> model -> JSON is lossless on every corpus stream and every rrweb fixture.

use std::path::{Path, PathBuf};

use serde_json::Value;
use session_replay::model::EventClass;
use session_replay::{Limits, rrweb};

fn data_files(dir: &str, filter: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| filter(p.file_name().unwrap().to_str().unwrap()))
        .collect();
    files.sort();
    files
}

/// Finds the first difference between two JSON values, with its path; `Value`'s equality
/// already tells integers from floats and `null` from absent.
fn first_difference(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                match y.get(k) {
                    None => return Some(format!("{path}.{k}: missing after round trip")),
                    Some(w) => {
                        if let Some(d) = first_difference(v, w, &format!("{path}.{k}")) {
                            return Some(d);
                        }
                    }
                }
            }
            y.keys()
                .find(|k| !x.contains_key(*k))
                .map(|k| format!("{path}.{k}: added by round trip"))
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                return Some(format!("{path}: length {} vs {}", x.len(), y.len()));
            }
            x.iter()
                .zip(y)
                .enumerate()
                .find_map(|(i, (v, w))| first_difference(v, w, &format!("{path}[{i}]")))
        }
        _ if a == b => None,
        _ => Some(format!("{path}: {a} vs {b}")),
    }
}

fn assert_lossless(path: &Path) -> usize {
    let bytes = std::fs::read(path).unwrap();
    let events =
        rrweb::read(&bytes, &Limits::DEFAULT).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let written = rrweb::write_events(&events);
    let original: Value = serde_json::from_slice(&bytes).unwrap();
    let back: Value = serde_json::from_slice(&written).unwrap();
    if let Some(d) = first_difference(&original, &back, "$") {
        panic!("{}: not lossless at {d}", path.display());
    }
    assert_eq!(original, back);
    // Reading what we wrote gives the same model, and writing it again the same bytes.
    let again = rrweb::read(&written, &Limits::DEFAULT).unwrap();
    assert_eq!(again, events);
    assert_eq!(rrweb::write_events(&again), written);
    events.len()
}

#[test]
fn corpus_streams_round_trip_losslessly() {
    let files = data_files("corpus", |n| {
        n.ends_with(".raw.json") || n.ends_with(".rrweb-default.json")
    });
    assert_eq!(files.len(), 6, "three pages, two variants each");
    let mut total = 0;
    for f in &files {
        total += assert_lossless(f);
    }
    // 145 + 2698 + 472 raw events, 144 + 2722 + 468 default (see the corpus README).
    assert_eq!(total, 145 + 2698 + 472 + 144 + 2722 + 468);
}

#[test]
fn rrweb_fixtures_round_trip_losslessly() {
    let files = data_files("rrweb-fixtures", |n| n.ends_with(".json"));
    assert_eq!(files.len(), 26);
    let total: usize = files.iter().map(|f| assert_lossless(f)).sum();
    assert_eq!(total, 259, "the fixtures README counts 259 events");
}

#[test]
fn summaries_match_the_corpus_event_summary() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/corpus");
    let summary: Value =
        serde_json::from_slice(&std::fs::read(root.join("event-summary.json")).unwrap()).unwrap();
    let streams = summary["streams"].as_object().unwrap();
    assert_eq!(streams.len(), 6);
    for (name, expected) in streams {
        let bytes = std::fs::read(root.join(expected["file"].as_str().unwrap())).unwrap();
        let s = session_replay::Summary::of(&rrweb::read(&bytes, &Limits::DEFAULT).unwrap());
        assert_eq!(
            s.events as u64,
            expected["events"].as_u64().unwrap(),
            "{name}"
        );
        assert_eq!(
            s.duration_ms as u64,
            expected["duration_ms"].as_u64().unwrap(),
            "{name}"
        );
        for (source, count) in expected["incremental_by_source"].as_object().unwrap() {
            assert_eq!(
                s.count(EventClass::from_name(source).expect("a known kind")) as u64,
                count.as_u64().unwrap(),
                "{name}: {source}"
            );
        }
        for (kind, count) in expected["mouse_interactions"].as_object().unwrap() {
            assert_eq!(
                s.interactions
                    .iter()
                    .filter(|(k, _)| k.to_string() == *kind)
                    .map(|(_, n)| *n)
                    .sum::<usize>() as u64,
                count.as_u64().unwrap(),
                "{name}: {kind}"
            );
        }
        let m = &expected["mutation_records"];
        assert_eq!(
            s.mutation_records.adds as u64,
            m["adds"].as_u64().unwrap(),
            "{name}"
        );
        assert_eq!(
            s.mutation_records.removes as u64,
            m["removes"].as_u64().unwrap(),
            "{name}"
        );
        assert_eq!(
            s.mutation_records.texts as u64,
            m["texts"].as_u64().unwrap(),
            "{name}"
        );
        assert_eq!(
            s.mutation_records.attributes as u64,
            m["attributes"].as_u64().unwrap(),
            "{name}"
        );
        assert_eq!(s.out_of_order, 0, "{name}: timestamps never decrease");
        assert!(s.first_snapshot_nodes.unwrap() > 50, "{name}");
    }
}
