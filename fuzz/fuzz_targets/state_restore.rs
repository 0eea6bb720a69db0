//! Untrusted entry point: restoring saved session state (bytes that crossed a queue or
//! sat in a key-value store). Never panics, never allocates in proportion to a claimed
//! length; a state that restores keeps working (it scrubs or encodes a short stream)
//! and saves again to a state that restores to the same.
//!
//! The first byte picks the stage. Inputs are taken either as they are (the envelope
//! checks) or, when the second byte is odd, as a body sealed here with a valid
//! envelope and checksum, so the fuzzer reaches the body's decoding past the CRC.
#![no_main]

use libfuzzer_sys::fuzz_target;
use session_replay::codec::Encoder;
use session_replay::privacy::{Policy, Scrubber};
use session_replay::{Limits, rrweb};

/// A short stream that touches the ids a restored mirror is likely to hold.
const STREAM: &[u8] = br#"[
 {"type":3,"data":{"source":0,"texts":[{"id":3,"value":"secret 4111 1111 1111 1111"}],"attributes":[{"id":2,"attributes":{"class":"todo-list","value":"v"}}],"removes":[{"parentId":1,"id":5}],"adds":[{"parentId":2,"nextId":null,"node":{"type":2,"tagName":"li","attributes":{"class":"x"},"childNodes":[{"type":3,"textContent":"added text","id":41}],"id":40}},{"parentId":4,"nextId":null,"node":{"type":3,"textContent":"more","id":42}}]},"timestamp":100},
 {"type":3,"data":{"source":5,"text":"hunter2","isChecked":false,"id":6},"timestamp":101},
 {"type":3,"data":{"source":2,"type":2,"id":7,"x":1,"y":2},"timestamp":102}
]"#;

fn seal(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut out = b"SRST".to_vec();
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&[kind, 0]);
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(body).to_le_bytes());
    out.extend_from_slice(body);
    out
}

fuzz_target!(|data: &[u8]| {
    let [stage, mode, rest @ ..] = data else { return };
    let limits = Limits::DEFAULT.with_nodes(100_000).with_input_bytes(1 << 20);
    let events = rrweb::read(STREAM, &Limits::DEFAULT).unwrap();
    match stage % 2 {
        0 => {
            let bytes = if mode % 2 == 1 { seal(1, rest) } else { rest.to_vec() };
            let policy = Policy::relaxed().block(".todo-list").unwrap();
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
        _ => {
            let bytes = if mode % 2 == 1 { seal(2, rest) } else { rest.to_vec() };
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
    }
});
