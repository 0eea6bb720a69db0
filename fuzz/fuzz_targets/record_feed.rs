//! Untrusted entry point: the web recorder's command batches (`Recording::feed` in
//! `web/src/recorder.rs`). The page's glue writes them, but they cross from a page whose
//! own scripts can reach the glue's objects, so they are input like any other: no batch
//! panics, a malformed one is reported and what came before it stands, and the
//! Recording keeps working (events, chunks, wake time, stop) after any batch.
//!
//! Layout: a byte with the text's length, a byte that splits the numbers into two
//! batches (odd: encoding on), the text, then one number per byte (0-199 as they are,
//! 200-255 a table of edge values: negatives, fractions, NaN, infinities, huge ones and
//! an epoch time), so the fuzzer reaches well-formed commands from the seeds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use session_replay_web::recorder::Recording;

const EDGES: [f64; 16] = [
    -1.0,
    -2.0,
    0.5,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    1e9,
    9e15,
    1.7e12,
    9_007_199_254_740_993.0,
    -0.0,
    1e300,
    4_294_967_295.0,
    65_536.0,
    300_000.0,
    1.7e12 + 600_000.0,
];

fn num(b: u8) -> f64 {
    if b < 200 {
        f64::from(b)
    } else {
        EDGES[usize::from(b - 200) % EDGES.len()]
    }
}

fuzz_target!(|data: &[u8]| {
    let [len, split, rest @ ..] = data else {
        return;
    };
    let len = usize::from(*len).min(rest.len());
    let text = String::from_utf8_lossy(&rest[..len]);
    let nums: Vec<f64> = rest[len..].iter().map(|&b| num(b)).collect();
    let cut = (usize::from(*split) / 2).min(nums.len());
    let options = if split % 2 == 1 {
        r#"{"chunks":true}"#
    } else {
        "{}"
    };
    let Ok(mut r) = Recording::with_options(options, false) else {
        return;
    };
    for batch in [&nums[..cut], &nums[cut..]] {
        let before = r.problems().len();
        let ok = r.feed(batch, &text);
        // A batch is refused exactly when one problem is reported for it.
        assert_eq!(r.problems().len(), before + usize::from(!ok));
        let _ = r.events();
        while r.poll_chunk().is_some() {}
        let wake = r.next_wake();
        assert!(wake == -1.0 || wake.is_finite());
    }
    r.stop(2e12);
    let _ = r.events();
    while r.poll_chunk().is_some() {}
});
