//! A session ingested batch by batch, as a server behind a queue does it: each batch
//! scrubbed by the session's scrubber (the streaming path), encoded and flushed, with
//! the session's state saved, dropped and restored between batches (a hand-off to
//! another worker). The stored stream must decode to exactly the whole-stream result:
//! the recording scrubbed in one piece. A proptest splits every corpus stream at random
//! batch boundaries with random hand-offs, under every preset and policies with block
//! and unmask selectors; the login stream is handed off at every batch boundary.

mod common;
#[path = "common/batches.rs"]
mod split;

use common::{CORPUS_STREAMS, read};
use proptest::prelude::*;
use session_replay::codec::{self, Compression, Encoder, EncoderConfig};
use session_replay::privacy::{Policy, Scrubber, scrub};
use session_replay::{Limits, rrweb};
use split::split_events;

fn policies() -> Vec<Policy> {
    vec![
        Policy::private(),
        Policy::balanced(),
        Policy::relaxed(),
        Policy::relaxed().block(".todo-list").unwrap(),
        Policy::private().unmask(".todo-list").unwrap(),
        // Block and unmask rules that hit login and feed (tests/scrub_batches.rs checks
        // that each changes the output).
        Policy::private()
            .block(".alert, .feed, .stats")
            .unwrap()
            .unmask(".welcome, .suggest, .todo-list")
            .unwrap(),
    ]
}

/// The whole recording scrubbed in one piece, as rrweb JSON.
fn whole(input: &[u8], policy: &Policy) -> Vec<u8> {
    let events = rrweb::read(input, &Limits::DEFAULT).unwrap();
    rrweb::write_events(&scrub(events, policy).0)
}

/// One session's stages on a worker.
struct Session {
    scrubber: Scrubber,
    encoder: Encoder,
}

/// Ingests `events` (each an event's JSON) cut at `cuts` into batches, handing the
/// session off before each batch index in `handoffs`; returns the stored stream.
fn ingest(
    events: &[&[u8]],
    cuts: &[usize],
    handoffs: &[usize],
    policy: &Policy,
    config: EncoderConfig,
) -> Vec<u8> {
    let limits = Limits::DEFAULT;
    let mut s = Session {
        scrubber: Scrubber::new(policy.clone()),
        encoder: Encoder::new(config),
    };
    let mut stored = Vec::new();
    let mut scrubbed = Vec::new();
    let mut start = 0;
    let bounds = cuts.iter().copied().chain([events.len()]);
    for (b, end) in bounds.enumerate() {
        let end = end.clamp(start, events.len());
        if handoffs.contains(&b) {
            let (a, e) = (s.scrubber.save_state(), s.encoder.save_state());
            drop(s);
            s = Session {
                scrubber: Scrubber::restore_state(policy.clone(), &a, &limits).unwrap(),
                encoder: Encoder::restore_state(&e, &limits).unwrap(),
            };
        }
        // The batch as the SDK sent it: a JSON array of its events.
        let batch = [b"[".as_slice(), &events[start..end].join(&b","[..]), b"]"].concat();
        scrubbed.clear();
        s.scrubber
            .scrub_json_batch(&batch, &limits, &mut scrubbed)
            .unwrap();
        for e in rrweb::read(&scrubbed, &limits).unwrap() {
            s.encoder.push(&e);
        }
        s.encoder.flush();
        while let Some(c) = s.encoder.poll_chunk() {
            stored.extend(c);
        }
        start = end;
    }
    s.encoder.finish();
    while let Some(c) = s.encoder.poll_chunk() {
        stored.extend(c);
    }
    stored
}

/// The stored stream back as rrweb JSON (what `convert OUT.bin OUT.json` writes).
fn converted(stored: &[u8]) -> Vec<u8> {
    let back = codec::decode(stored, &Limits::DEFAULT);
    assert!(back.is_clean(), "{:?}", back.errors);
    rrweb::write_events(&back.events)
}

fn fast() -> EncoderConfig {
    EncoderConfig::default().with_compression(Compression::None)
}

#[test]
fn login_handed_off_at_every_batch_boundary() {
    let input = read("corpus/login.raw.json");
    let events = split_events(&input);
    for policy in policies() {
        let want = whole(&input, &policy);
        for n in [1, 7, 50] {
            let cuts: Vec<usize> = (n..events.len()).step_by(n).collect();
            let every: Vec<usize> = (1..=cuts.len()).collect();
            let config = if n == 50 {
                EncoderConfig::default()
            } else {
                fast()
            };
            let got = converted(&ingest(&events, &cuts, &every, &policy, config));
            assert!(got == want, "batches of {n}, hand-off at every boundary");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn any_batches_and_hand_offs_give_the_whole_stream_result(
        stream in 0..CORPUS_STREAMS.len(),
        policy in 0..6usize,
        sizes in prop::collection::vec(1..120usize, 1..64),
        handoff_bits in any::<u64>(),
    ) {
        let input = read(CORPUS_STREAMS[stream]);
        let events = split_events(&input);
        let policy = &policies()[policy];
        let mut cuts = Vec::new();
        let mut at = 0;
        for s in sizes.iter().cycle() {
            at += s;
            if at >= events.len() {
                break;
            }
            cuts.push(at);
        }
        let handoffs: Vec<usize> = (1..=cuts.len()).filter(|b| handoff_bits >> (b % 64) & 1 == 1).collect();
        let got = converted(&ingest(&events, &cuts, &handoffs, policy, fast()));
        prop_assert!(got == whole(&input, policy), "{}: cuts {:?}, hand-offs {:?}", CORPUS_STREAMS[stream], cuts, handoffs);
    }
}
