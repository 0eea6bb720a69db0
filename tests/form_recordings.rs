//! The form recordings of issue 15: short sessions (30-60 s, 300-450 events) on
//! form-heavy pages of our own (`tests/pages/`, re-recorded as its README says),
//! recorded by rrweb 2.2.2 in headless Chromium. Each reads cleanly, replays without
//! problems, is the kind of session it is kept for, and survives the binary format.

mod common;

use common::read;
use serde_json::Value;
use session_replay::codec::{self, EncoderConfig};
use session_replay::model::EventClass;
use session_replay::replay::Replayer;
use session_replay::{Event, Limits, rrweb};

/// The recordings, under `tests/data/`.
const RECORDINGS: [&str; 3] = [
    "pages/checkout.rrweb.json",
    "pages/signup.rrweb.json",
    "pages/insurance-long.rrweb.json",
];

/// What the size measurements need: sessions this long, with this many events.
const SECONDS: std::ops::RangeInclusive<f64> = 30.0..=60.0;
const EVENTS: std::ops::RangeInclusive<usize> = 300..=450;

fn events_of(path: &str) -> Vec<Event> {
    rrweb::read(&read(path), &Limits::DEFAULT).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The recording's length and event count as its JSON says, apart from the crate's
/// reader: the array's length, and the span of its `timestamp` fields.
fn json_shape(path: &str) -> (usize, f64) {
    let v: Value = serde_json::from_slice(&read(path)).unwrap();
    let all = v
        .as_array()
        .unwrap_or_else(|| panic!("{path}: not an array"));
    let times: Vec<i64> = all
        .iter()
        .map(|e| e["timestamp"].as_i64().unwrap())
        .collect();
    let (first, last) = (times.iter().min().unwrap(), times.iter().max().unwrap());
    (all.len(), (last - first) as f64 / 1000.0)
}

#[test]
fn each_recording_reads_cleanly_and_replays_without_problems() {
    for path in RECORDINGS {
        let events = events_of(path);
        let (count, _) = json_shape(path);
        assert_eq!(events.len(), count, "{path}: the reader kept every event");
        let mut r = Replayer::from(events);
        let (_, end) = r.time_range().unwrap();
        let state = r.seek(end);
        assert_eq!(
            state.diagnostics().problems(),
            0,
            "{path}: {:?}",
            state.diagnostics()
        );
        assert!(state.node_count() > 100, "{path}: {}", state.node_count());
    }
}

#[test]
fn each_recording_is_a_short_form_session() {
    for path in RECORDINGS {
        let events = events_of(path);
        let (count, json_seconds) = json_shape(path);
        let mut r = Replayer::from(events.clone());
        let (start, end) = r.time_range().unwrap();
        let seconds = end.millis_since(start) as f64 / 1000.0;
        assert_eq!(seconds, json_seconds, "{path}: replayed span vs JSON");
        assert!(SECONDS.contains(&seconds), "{path}: {seconds} s");
        assert!(EVENTS.contains(&count), "{path}: {count} events");
        // A form session: one page load, the pointer moving and clicking, the page
        // answering, and typing as a good part of the events.
        let of = |class: EventClass| events.iter().filter(|e| e.kind.class() == class).count();
        assert_eq!(of(EventClass::FullSnapshot), 1, "{path}");
        for class in [
            EventClass::MouseInteraction,
            EventClass::MouseMove,
            EventClass::Mutation,
        ] {
            assert!(of(class) > 0, "{path}: no {class:?}");
        }
        assert!(
            of(EventClass::Input) * 4 >= count,
            "{path}: {} inputs of {count}",
            of(EventClass::Input)
        );
        r.seek(end);
        assert!(
            !r.state().form_values().is_empty(),
            "{path}: no form values"
        );
    }
}

#[test]
fn each_recording_survives_the_binary_format() {
    for path in RECORDINGS {
        let events = events_of(path);
        let bytes = codec::encode(&events, EncoderConfig::default());
        let back = codec::decode(&bytes, &Limits::DEFAULT);
        assert!(back.is_clean(), "{path}: {:?}", back.errors);
        assert_eq!(back.events, events, "{path}");
        assert!(
            bytes.len() < read(path).len(),
            "{path}: {} bytes binary",
            bytes.len()
        );
    }
}
