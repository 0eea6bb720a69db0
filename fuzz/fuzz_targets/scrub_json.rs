//! Untrusted entry point: the streaming scrubber, rrweb JSON bytes to bytes. Differential:
//! the streaming path and the typed path (read into the model, scrub, write) must give
//! the same JSON and the same report, or the same error. The first byte picks the
//! mode: raw bytes as they come, or a structured stream written as rrweb JSON (and
//! reformatted with whitespace) so that the scanner sees valid recordings.
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use session_replay::privacy::{Policy, scrub, scrub_rrweb_json};
use session_replay::{Limits, rrweb};

fn check(json: &[u8]) {
    for policy in [Policy::private(), Policy::balanced(), Policy::relaxed()] {
        let streamed = scrub_rrweb_json(json, &policy, &Limits::default());
        let typed = rrweb::read(json, &Limits::DEFAULT).map(|events| {
            let (out, report) = scrub(events, &policy);
            (rrweb::write_events(&out), report)
        });
        match (streamed, typed) {
            (Ok((s, sr)), Ok((t, tr))) => {
                let s: Value = serde_json::from_slice(&s).expect("streamed output is JSON");
                let t: Value = serde_json::from_slice(&t).expect("typed output is JSON");
                assert_eq!(s, t, "outputs differ");
                assert_eq!(sr, tr, "reports differ");
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            (a, b) => panic!(
                "streamed {:?} vs typed {:?}",
                a.map(|x| x.1),
                b.map(|x| x.1)
            ),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        check(rest);
        return;
    }
    let mut u = Unstructured::new(rest);
    let Ok(events) = session_replay_fuzz::events(&mut u) else {
        return;
    };
    let json = rrweb::write_events(&events);
    check(&json);
    if mode % 4 == 3 {
        // Whitespace after every structural byte outside strings.
        let (mut spread, mut in_str, mut esc) = (Vec::new(), false, false);
        for &b in &json {
            spread.push(b);
            if in_str {
                match (esc, b) {
                    (true, _) => esc = false,
                    (false, b'\\') => esc = true,
                    (false, b'"') => in_str = false,
                    _ => {}
                }
            } else if b == b'"' {
                in_str = true;
            } else if matches!(b, b'{' | b'[' | b':' | b',') {
                spread.extend_from_slice(b" \n");
            }
        }
        check(&spread);
    }
});
