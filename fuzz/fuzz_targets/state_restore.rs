//! Untrusted entry point: restoring saved session state (bytes that crossed a queue or
//! sat in a key-value store). Never panics, never allocates in proportion to a claimed
//! length; a state that restores keeps working (it scrubs or encodes a short stream, or
//! records a few host calls) and saves again to a state that restores to the same.
//!
//! The first byte picks the stage (scrubber, encoder, recorder, replayer). Inputs are taken
//! either as they are (the envelope checks) or, when the second byte is odd, as a body
//! sealed here with a valid envelope and checksum, so the fuzzer reaches the body's
//! decoding past the CRC.
#![no_main]

use libfuzzer_sys::fuzz_target;
use session_replay::codec::Encoder;
use session_replay::model::{MouseInteractionKind, Timestamp};
use session_replay::privacy::{Policy, Scrubber};
use session_replay::record::{HostKey, HostKind, HostTree, MutationRecord, Recorder};
use session_replay::replay::Replayer;
use session_replay::{Limits, rrweb};

/// A short stream that touches the ids a restored mirror is likely to hold.
const STREAM: &[u8] = br#"[
 {"type":3,"data":{"source":0,"texts":[{"id":3,"value":"secret 4111 1111 1111 1111"}],"attributes":[{"id":2,"attributes":{"class":"todo-list","value":"v"}}],"removes":[{"parentId":1,"id":5}],"adds":[{"parentId":2,"nextId":null,"node":{"type":2,"tagName":"li","attributes":{"class":"x"},"childNodes":[{"type":3,"textContent":"added text","id":41}],"id":40}},{"parentId":4,"nextId":null,"node":{"type":3,"textContent":"more","id":42}}]},"timestamp":100},
 {"type":3,"data":{"source":5,"text":"hunter2","isChecked":false,"id":6},"timestamp":101},
 {"type":3,"data":{"source":2,"type":2,"id":7,"x":1,"y":2},"timestamp":102}
]"#;

fn seal(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut out = b"SRST".to_vec();
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&[kind, 0]);
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(body).to_le_bytes());
    out.extend_from_slice(body);
    out
}

/// A few host calls on keys a restored mirror is likely to hold (the seed's keys are
/// small numbers), at times around the seed's, then a stop; drains everything.
fn record_some(rec: &mut Recorder) {
    let mut added = HostTree::default();
    let li = added.push(
        HostKey(900),
        None,
        HostKind::Element {
            tag: "li".into(),
            attributes: vec![("class".into(), "x".into())],
        },
    );
    added.push(HostKey(901), Some(li), HostKind::Text("added text".into()));
    let records = [
        MutationRecord::ChildList {
            target: HostKey(4),
            added: vec![added],
            removed: vec![HostKey(5), HostKey(9)],
            next_sibling: Some(HostKey(6)),
        },
        MutationRecord::Attributes {
            target: HostKey(2),
            name: "class".into(),
            old_value: None,
            value: Some("todo-list".into()),
        },
        MutationRecord::CharacterData {
            target: HostKey(7),
            old_value: None,
            value: "secret 4111 1111 1111 1111".into(),
        },
    ];
    for (i, t) in [1_000i64, 1_030, 1_700, 400_000].into_iter().enumerate() {
        let now = Timestamp(t);
        let k = HostKey(3 + i as u64);
        rec.tick(now);
        rec.mutations(&records, now);
        rec.input(k, "hunter2", i % 2 == 0, now);
        rec.pointer_move(k, 10.0, 20.0, now);
        rec.touch_move(k, 11.0, 21.0, now);
        rec.scroll(HostKey(1), 0.0, t as f64, now);
        rec.scroll(k, 0.0, 1.0, now);
        rec.pointer_interaction(MouseInteractionKind::Click, k, 1.0, 2.0, now);
        rec.selection(&[(k, 0, HostKey(7), 3)], now);
        let _ = rec.poll_timeout();
        while rec.poll_event().is_some() {}
    }
    rec.stop(Timestamp(400_001));
    while rec.poll_event().is_some() {}
    while rec.poll_chunk().is_some() {}
}

fuzz_target!(|data: &[u8]| {
    let [stage, mode, rest @ ..] = data else {
        return;
    };
    let limits = Limits::DEFAULT
        .with_nodes(100_000)
        .with_input_bytes(1 << 20);
    let events = rrweb::read(STREAM, &Limits::DEFAULT).unwrap();
    let policy = Policy::relaxed().block(".todo-list").unwrap();
    match stage % 4 {
        0 => {
            let bytes = if mode % 2 == 1 {
                seal(1, rest)
            } else {
                rest.to_vec()
            };
            if let Ok(mut s) = Scrubber::restore_state(policy.clone(), &bytes, &limits) {
                let again = s.save_state();
                let back = Scrubber::restore_state(policy, &again, &limits).unwrap();
                assert_eq!(back.save_state(), again);
                for e in events {
                    let _ = s.scrub_event(e);
                }
                let mut out = Vec::new();
                let _ = s.scrub_json_batch(STREAM, &Limits::DEFAULT, &mut out);
            }
        }
        1 => {
            let bytes = if mode % 2 == 1 {
                seal(2, rest)
            } else {
                rest.to_vec()
            };
            if let Ok(mut enc) = Encoder::restore_state(&bytes, &limits) {
                let again = enc.save_state();
                let mut back = Encoder::restore_state(&again, &limits).unwrap();
                assert_eq!(back.save_state(), again);
                for e in &events {
                    enc.push(e);
                }
                enc.finish();
                while enc.poll_chunk().is_some() {}
            }
        }
        3 => {
            let bytes = if mode % 2 == 1 {
                seal(3, rest)
            } else {
                rest.to_vec()
            };
            if let Ok(mut r) = Replayer::restore_state(&bytes, &limits) {
                let again = r.save_state();
                let back = Replayer::restore_state(&again, &limits).unwrap();
                assert_eq!(back.save_state(), again);
                // A live replayer goes on taking events and seeking.
                let _ = r.extend(events);
                let _ = r.seek(Timestamp(i64::MAX));
                let _ = r.seek(Timestamp(0));
            }
        }
        _ => {
            let bytes = if mode % 2 == 1 {
                seal(4, rest)
            } else {
                rest.to_vec()
            };
            if let Ok(mut rec) = Recorder::restore_state(policy.clone(), &bytes, &limits) {
                let again = rec.save_state();
                let mut back = Recorder::restore_state(policy, &again, &limits).unwrap();
                assert_eq!(back.save_state(), again);
                record_some(&mut rec);
            }
        }
    }
});
