//! Untrusted entry point: the insights stage over arbitrary event sequences
//! (structured), fed in fuzzed batches with host ticks between them. No panic; every
//! signal polled is in the summary and the other way round; the summary holds together
//! (active time within the duration, signals in time order); feeding the same events
//! whole gives the same summary.
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use session_replay::Timestamp;
use session_replay::insights::{Insights, InsightsConfig, summarize};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(events) = session_replay_fuzz::events(&mut u) else {
        return;
    };
    let cuts = u.arbitrary::<u64>().unwrap_or(0);
    let tick_at = u.arbitrary::<i64>().unwrap_or(0);
    let mut i = Insights::new(InsightsConfig::default());
    let mut polled = Vec::new();
    for (k, e) in events.iter().enumerate() {
        i.push(e);
        if cuts >> (k % 64) & 1 == 1 {
            while let Some(s) = i.poll_signal() {
                polled.push(s);
            }
            if let Some(t) = i.poll_timeout() {
                // A host's clock: at the due time, or at a fuzzed one.
                i.tick(if k % 3 == 0 { Timestamp(tick_at) } else { t });
            }
        }
    }
    i.finish();
    polled.extend(std::iter::from_fn(|| i.poll_signal()));
    let s = i.summary();
    assert!(
        s.active_ms >= 0 && s.active_ms <= s.duration_ms.max(0),
        "{s:?}"
    );
    assert!(s.signals.windows(2).all(|w| w[0].t <= w[1].t));
    let mut p = polled.clone();
    p.sort_by_key(|x| x.t);
    assert_eq!(p, s.signals);
    // Without host ticks at fuzzed times, the batches do not matter.
    if cuts == 0 {
        assert_eq!(summarize(&events, InsightsConfig::default()), s);
    }
});
