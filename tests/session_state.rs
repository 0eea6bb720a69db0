//! Session state saved and restored: a stage restored from its saved bytes (as another
//! worker would, in another process) continues exactly where the saved one stopped:
//! the same output, and no masking decision forgotten. Damaged or hostile state bytes
//! give an error, never a panic.

mod common;

use common::{CORPUS_STREAMS, read};
use session_replay::model::Event;
use session_replay::privacy::{Policy, Scrubber};
use session_replay::{Limits, StateError, rrweb};

fn policies() -> Vec<(&'static str, Policy)> {
    vec![
        ("private", Policy::private()),
        ("balanced", Policy::balanced()),
        ("relaxed", Policy::relaxed()),
        (
            "relaxed+block",
            Policy::relaxed().block(".todo-list").unwrap(),
        ),
        (
            "private+unmask",
            Policy::private().unmask(".todo-list").unwrap(),
        ),
    ]
}

fn events(path: &str) -> Vec<Event> {
    rrweb::read(&read(path), &Limits::DEFAULT).unwrap()
}

/// Scrubs `events` with a hand-off (save, drop, restore) after every `every` events.
fn with_handoffs(events: &[Event], policy: &Policy, every: usize) -> (Vec<Event>, String) {
    let mut s = Scrubber::new(policy.clone());
    let mut out = Vec::new();
    for (i, e) in events.iter().enumerate() {
        if i > 0 && i % every == 0 {
            let bytes = s.save_state();
            drop(s);
            s = Scrubber::restore_state(policy.clone(), &bytes, &Limits::DEFAULT).unwrap();
        }
        out.extend(s.scrub_event(e.clone()));
    }
    (out, format!("{:?}", s.report()))
}

#[test]
fn scrubber_hand_off_gives_the_whole_stream_result() {
    for path in CORPUS_STREAMS {
        let evs = events(path);
        for (name, policy) in policies() {
            let (whole, report) = with_handoffs(&evs, &policy, usize::MAX);
            // Every event on the short login stream; sparser on the others (each
            // hand-off saves the whole mirror, so every-event hand-offs are quadratic).
            let rates: &[usize] = if path.contains("login") {
                &[1, 50]
            } else {
                &[13, 50]
            };
            for &every in rates {
                let (got, got_report) = with_handoffs(&evs, &policy, every);
                assert!(got == whole, "{path} under {name}, hand-off every {every}");
                assert_eq!(got_report, report, "{path} under {name}, every {every}");
            }
        }
    }
}

#[test]
fn scrubber_state_is_refused_under_another_policy() {
    let evs = events("corpus/todo.raw.json");
    let mut s = Scrubber::new(Policy::relaxed().block(".todo-list").unwrap());
    for e in evs.iter().take(20) {
        s.scrub_event(e.clone());
    }
    let bytes = s.save_state();
    assert_eq!(
        Scrubber::restore_state(Policy::relaxed(), &bytes, &Limits::DEFAULT).unwrap_err(),
        StateError::PolicyMismatch
    );
    assert!(
        Scrubber::restore_state(
            Policy::relaxed().block(".todo-list").unwrap(),
            &bytes,
            &Limits::DEFAULT
        )
        .is_ok()
    );
}

#[test]
fn damaged_scrubber_state_is_an_error_not_a_panic() {
    let evs = events("corpus/login.raw.json");
    let policy = Policy::balanced();
    let mut s = Scrubber::new(policy.clone());
    for e in evs.iter().take(40) {
        s.scrub_event(e.clone());
    }
    let bytes = s.save_state();
    // Every truncation, and a flipped bit at many offsets.
    for n in 0..bytes.len() {
        assert!(Scrubber::restore_state(policy.clone(), &bytes[..n], &Limits::DEFAULT).is_err());
    }
    for i in (0..bytes.len()).step_by(7) {
        let mut b = bytes.clone();
        b[i] ^= 0x10;
        assert!(
            Scrubber::restore_state(policy.clone(), &b, &Limits::DEFAULT).is_err(),
            "bit flip at {i}"
        );
    }
    // Over the node limit of the restoring side.
    let small = Limits::DEFAULT.with_nodes(3);
    assert!(matches!(
        Scrubber::restore_state(policy, &bytes, &small),
        Err(StateError::LimitExceeded { what: "nodes", .. })
    ));
}

/// Encodes `events` in batches of `batch` with a flush after each (as an ingest server
/// makes each batch durable), and a save every `every` batches, which a restored
/// encoder goes on from if `hand_off` (else the same one does).
fn encode_batches(events: &[Event], batch: usize, every: usize, hand_off: bool) -> Vec<u8> {
    use session_replay::codec::{Encoder, EncoderConfig};
    let mut enc = Encoder::new(EncoderConfig::default());
    let mut out = Vec::new();
    for (b, part) in events.chunks(batch).enumerate() {
        if b > 0 && b % every == 0 {
            let bytes = enc.save_state();
            if hand_off {
                drop(enc);
                enc = Encoder::restore_state(&bytes, &Limits::DEFAULT).unwrap();
            }
        }
        for e in part {
            enc.push(e);
        }
        enc.flush();
        while let Some(c) = enc.poll_chunk() {
            out.extend(c);
        }
    }
    enc.finish();
    while let Some(c) = enc.poll_chunk() {
        out.extend(c);
    }
    out
}

#[test]
fn encoder_hand_off_writes_the_same_bytes() {
    for path in CORPUS_STREAMS {
        let evs = events(path);
        let whole = encode_batches(&evs, 50, usize::MAX, false);
        let back = session_replay::codec::decode(&whole, &Limits::DEFAULT);
        assert!(back.is_clean());
        assert!(back.events == evs, "{path}");
        // A save restarts the compressed stream (its history is not saved), so the
        // bytes are those of an encoder that saved at the same batches and went on.
        for every in [1, 3] {
            let moved = encode_batches(&evs, 50, every, true);
            assert!(
                moved == encode_batches(&evs, 50, every, false),
                "{path}: hand-off every {every} batches"
            );
            let back = session_replay::codec::decode(&moved, &Limits::DEFAULT);
            assert!(back.is_clean() && back.events == evs, "{path}");
            // What the saves cost: a fresh compressed stream at each.
            eprintln!(
                "{path}: save every {every} batches of 50: {} bytes, {:.2}x of none",
                moved.len(),
                moved.len() as f64 / whole.len() as f64
            );
        }
    }
}

#[test]
fn replayer_restores_at_the_same_moment() {
    use session_replay::replay::Replayer;
    for path in ["corpus/login.raw.json", "corpus/todo.raw.json"] {
        let evs = events(path);
        let mut r = Replayer::from(evs.clone());
        let mid = evs[evs.len() / 2].timestamp;
        let hash = r.seek(mid).hash();
        let bytes = r.save_state();
        drop(r);
        let mut back = Replayer::restore_state(&bytes, &Limits::DEFAULT).unwrap();
        assert_eq!(back.state().hash(), hash, "{path}: same moment");
        assert_eq!(back.events(), &evs[..], "{path}: same events");
        let end = evs.last().unwrap().timestamp;
        let mut fresh = Replayer::from(evs.clone());
        assert_eq!(
            back.seek(end).hash(),
            fresh.seek(end).hash(),
            "{path}: seeks on"
        );
        assert!(Replayer::restore_state(&bytes[..bytes.len() - 1], &Limits::DEFAULT).is_err());
    }
}
