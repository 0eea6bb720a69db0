//! Replayers that grow: events pushed in batches (in order and late) and decoded chunks
//! with their keyframes seek to exactly the states ([`State::hash`]) of a replayer built
//! from the whole stream; a damaged chunk costs only the time until the next keyframe;
//! a player follows a live session at its edge.

mod common;

use std::sync::OnceLock;

use proptest::prelude::*;
use session_replay::codec::*;
use session_replay::model::*;
use session_replay::replay::*;
use session_replay::{Limits, rrweb};

/// Every corpus stream, read once.
fn corpus() -> &'static [(String, Vec<Event>)] {
    static STREAMS: OnceLock<Vec<(String, Vec<Event>)>> = OnceLock::new();
    STREAMS.get_or_init(|| {
        let mut out = Vec::new();
        for page in ["login", "todo", "feed"] {
            for kind in ["raw", "rrweb-default"] {
                let name = format!("corpus/{page}.{kind}.json");
                let events = rrweb::read(&common::read(&name), &Limits::DEFAULT).unwrap();
                out.push((name, events));
            }
        }
        out
    })
}

fn times(r: &Replayer, n: usize) -> Vec<Timestamp> {
    let (start, end) = r.time_range().unwrap();
    (0..=n as i64)
        .map(|k| Timestamp(start.0 - 1 + (end.0 - start.0 + 2) * k / n as i64))
        .collect()
}

fn hashes(r: &mut Replayer, at: &[Timestamp]) -> Vec<u64> {
    at.iter().map(|&t| r.seek(t).hash()).collect()
}

/// Arrival order: the stream in time order with the events at `late` (indices into it)
/// each delivered `by` events later.
fn deliver_late(events: &[Event], late: &[(usize, usize)]) -> Vec<Event> {
    let mut order: Vec<(usize, usize)> = (0..events.len()).map(|i| (i, i)).collect();
    for &(i, by) in late {
        let i = i % events.len();
        order[i].0 = i + by;
    }
    order.sort_by_key(|&(key, i)| (key, i));
    order.into_iter().map(|(_, i)| events[i].clone()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// Pushed in random batches in time order, and sought while it grows: every seek
    /// gives the whole stream's state (nothing pushed later lands before the seek time).
    #[test]
    fn pushed_in_batches_seeks_like_the_whole_stream(
        stream in 0usize..6,
        batches in prop::collection::vec(1usize..120, 1..40),
        fractions in prop::collection::vec(0.0f64..1.0, 40),
        spacing in prop_oneof![Just(256usize), 5usize..60],
    ) {
        let (name, events) = &corpus()[stream];
        let config = ReplayConfig::default().with_keyframe_every(EventCount(spacing), Millis(2_000));
        let mut whole = Replayer::new(events.iter().cloned(), config);
        let mut live = Replayer::empty(config, ReplayMode::Lenient);
        let mut pushed = 0;
        for (k, size) in batches.iter().cycle().enumerate() {
            if pushed == events.len() {
                break;
            }
            let end = (pushed + size).min(events.len());
            live.extend(events[pushed..end].iter().cloned()).unwrap();
            pushed = end;
            // A time among what was pushed (up to the last pushed event's, which the
            // next events cannot precede).
            let (start, last) = live.time_range().unwrap();
            let t = Timestamp(start.0 + ((last.0 - start.0) as f64 * fractions[k % 40]) as i64);
            let t = if events.get(pushed).is_some_and(|e| e.timestamp == last) {
                Timestamp(t.0.min(last.0 - 1))
            } else {
                t
            };
            prop_assert_eq!(live.seek(t).hash(), whole.seek(t).hash(), "{} at {}", name, t.0);
        }
        prop_assert_eq!(live.keyframe_count(), whole.keyframe_count());
        let at = times(&whole, 25);
        prop_assert_eq!(hashes(&mut live, &at), hashes(&mut whole, &at), "{}", name);
    }

    /// Events delivered late, pushed in random batches: once all are in, every seek
    /// gives the state of a replayer built from the same arrival order.
    #[test]
    fn late_events_in_batches_seek_like_the_whole_stream(
        stream in 0usize..6,
        late in prop::collection::vec((0usize..3000, 1usize..80), 1..12),
        batches in prop::collection::vec(1usize..200, 1..20),
        spacing in prop_oneof![Just(256usize), 5usize..60],
    ) {
        let (name, events) = &corpus()[stream];
        let arrival = deliver_late(events, &late);
        let config = ReplayConfig::default().with_keyframe_every(EventCount(spacing), Millis(2_000));
        let mut whole = Replayer::new(arrival.clone(), config);
        let mut live = Replayer::empty(config, ReplayMode::Lenient);
        let at = times(&whole, 25);
        let mut pushed = 0;
        for (k, size) in batches.iter().cycle().enumerate() {
            if pushed == arrival.len() {
                break;
            }
            let end = (pushed + size).min(arrival.len());
            live.extend(arrival[pushed..end].iter().cloned()).unwrap();
            pushed = end;
            // Leave the cursor somewhere, so that late events land before it too.
            live.seek(at[k % at.len()]);
        }
        prop_assert_eq!(live.events(), whole.events());
        prop_assert_eq!(hashes(&mut live, &at), hashes(&mut whole, &at), "{}", name);
        prop_assert_eq!(
            live.state().diagnostics().out_of_order,
            whole.state().diagnostics().out_of_order
        );
    }
}

/// The decoded chunks of `events` at this cadence (uncompressed: the tests encode a lot).
fn chunks_of(events: &[Event], every: usize, keyframes: Keyframes) -> (Vec<u8>, Vec<DecodedChunk>) {
    // No assets: every chunk is an event chunk.
    let config = EncoderConfig::default()
        .with_compression(Compression::None)
        .with_keyframes(keyframes)
        .with_keyframe_every(EventCount(every), Millis(1_000_000), 1 << 20)
        .with_assets(AssetMode::Inline, usize::MAX);
    let bin = encode(events, config);
    (bin.clone(), decode_chunks(&bin))
}

fn decode_chunks(bin: &[u8]) -> Vec<DecodedChunk> {
    let mut d = Decoder::new();
    d.push(bin);
    d.finish();
    std::iter::from_fn(|| d.poll_chunk())
        .filter_map(Result::ok)
        .collect()
}

/// Around each chunk's start: just before its first event (the keyframe's moment), and
/// at its first event.
fn chunk_starts(chunks: &[DecodedChunk]) -> Vec<Timestamp> {
    let mut out = Vec::new();
    for c in chunks {
        if let Some(first) = c.events.first() {
            out.push(Timestamp(first.timestamp.0 - 1));
            out.push(first.timestamp);
        }
    }
    out
}

#[test]
fn from_chunks_seeks_like_the_whole_stream_at_every_cadence() {
    for (name, events) in corpus() {
        let mut whole = Replayer::from(events.clone());
        let at = times(&whole, 40);
        // Small chunks cost an encoded keyframe each: fewer of them on the long streams.
        let cadences: &[usize] = if events.len() > 1_000 {
            &[97, 400]
        } else {
            &[11, 60, 300]
        };
        for &every in cadences {
            let (_, chunks) = chunks_of(events, every, Keyframes::ByCost);
            let starts = chunk_starts(&chunks);
            let n = chunks.len();
            // The first chunk (no keyframe) is replayed; after it, each chunk's keyframe
            // is a seek keyframe, and nothing else: their events were not replayed (one
            // of the first chunk's may sit where the second chunk's goes).
            let first = Replayer::from(chunks[0].events.clone()).keyframe_count();
            let mut r = Replayer::from_chunks(chunks, ReplayConfig::default());
            let k = r.keyframe_count();
            let most = first + n - 1;
            assert!((most - 1..=most).contains(&k), "{name} every {every}: {k}");
            assert_eq!(r.events(), whole.events());
            assert_eq!(
                hashes(&mut r, &starts),
                hashes(&mut whole, &starts),
                "{name} every {every}"
            );
            assert_eq!(
                hashes(&mut r, &at),
                hashes(&mut whole, &at),
                "{name} every {every}"
            );
        }
        // Without keyframes the chunks' events are replayed: the index of a whole build.
        let (_, chunks) = chunks_of(events, 40, Keyframes::None);
        let mut r = Replayer::from_chunks(chunks, ReplayConfig::default());
        assert_eq!(r.keyframe_count(), whole.keyframe_count(), "{name}");
        assert_eq!(hashes(&mut r, &at), hashes(&mut whole, &at), "{name}");
    }
}

/// Flips bytes in the middle of chunk `hit`.
fn damage(bin: &[u8], chunks: &[DecodedChunk], hit: usize) -> Vec<u8> {
    let start = chunks[hit].offset;
    let len = u32::from_le_bytes(bin[start + 4..start + 8].try_into().unwrap()) as usize;
    let mut out = bin.to_vec();
    for b in &mut out[start + 12 + len / 2..][..4] {
        *b ^= 0x5a;
    }
    out
}

#[test]
fn a_damaged_chunk_costs_only_the_time_until_the_next_keyframe() {
    let (name, events) = &corpus()[2]; // todo, raw: the longest
    let mut whole = Replayer::from(events.clone());
    let (bin, chunks) = chunks_of(events, 150, Keyframes::ByCost);
    assert!(chunks.len() > 10);
    for hits in [vec![0], vec![4], vec![5, 6], vec![chunks.len() - 2]] {
        let mut bad = bin.clone();
        for &h in &hits {
            bad = damage(&bad, &chunks, h);
        }
        let mut d = Decoder::new();
        d.push(&bad);
        d.finish();
        let polled: Vec<_> = std::iter::from_fn(|| d.poll_chunk()).collect();
        // One error per damaged chunk, and one loss per run of them.
        let damaged = polled
            .iter()
            .filter(|c| matches!(c, Err(e) if !matches!(e, CodecError::Lost { .. })))
            .count();
        assert_eq!(damaged, hits.len(), "{hits:?}");
        let intact: Vec<DecodedChunk> = polled.into_iter().filter_map(Result::ok).collect();
        let mut r = Replayer::from_chunks(intact, ReplayConfig::default());
        let lost: usize = hits.iter().map(|&h| chunks[h].events.len()).sum();
        assert_eq!(r.events().len(), events.len() - lost);
        // From the first chunk after the damage on, every moment is exactly right.
        let next = hits.last().unwrap() + 1;
        let from = chunks[next].events[0].timestamp;
        let mut at: Vec<Timestamp> = chunk_starts(&chunks[next..]);
        at.extend(times(&whole, 60).into_iter().filter(|&t| t >= from));
        at.push(Timestamp(from.0 - 1)); // the keyframe itself: the state before the chunk
        assert_eq!(
            hashes(&mut r, &at),
            hashes(&mut whole, &at),
            "{name}: {hits:?}"
        );
        // And before the damage too.
        if hits[0] > 0 {
            let before = chunks[hits[0]].events[0].timestamp;
            let at: Vec<Timestamp> = times(&whole, 60)
                .into_iter()
                .filter(|&t| t < before)
                .collect();
            assert_eq!(
                hashes(&mut r, &at),
                hashes(&mut whole, &at),
                "{name}: {hits:?}"
            );
        }
        // Seeking back and forth over the gap lands on the same states.
        let end = whole.time_range().unwrap().1;
        let (first, _) = r.time_range().unwrap();
        let there = r.seek(end).hash();
        r.seek(first);
        assert_eq!(r.seek(end).hash(), there);
        assert_eq!(there, whole.seek(end).hash());
    }
}

/// A live session fed chunk by chunk: the same as from_chunks, with seeks in between.
#[test]
fn chunks_pushed_one_by_one_with_a_gap() {
    let (_, events) = &corpus()[4]; // feed, raw
    let mut whole = Replayer::from(events.clone());
    let (_, chunks) = chunks_of(events, 25, Keyframes::ByCost);
    let mut r = Replayer::empty(ReplayConfig::default(), ReplayMode::Lenient);
    for (i, c) in chunks.iter().enumerate() {
        if i == 3 {
            continue; // lost
        }
        r.push_chunk(c.clone()).unwrap();
        let last = c.events.last().unwrap().timestamp;
        assert_eq!(r.seek(last).hash(), whole.seek(last).hash(), "chunk {i}");
    }
    let at = times(&whole, 30);
    let from = chunks[4].events[0].timestamp;
    let at: Vec<Timestamp> = at.into_iter().filter(|&t| t >= from).collect();
    assert_eq!(hashes(&mut r, &at), hashes(&mut whole, &at));
}

/// Ticks `player` every `step` ms of host time for `span` ms, draining outputs.
fn run(player: &mut Player, now: &mut i64, span: i64, step: i64, outs: &mut Vec<PlayerOutput>) {
    let until = *now + span;
    while *now < until {
        *now += step;
        player.tick(Timestamp(*now));
        outs.extend(std::iter::from_fn(|| player.poll_output()));
    }
}

#[test]
fn a_player_follows_a_live_session_at_its_edge() {
    let (_, events) = &corpus()[0]; // login, raw
    let mut whole = Replayer::from(events.clone());
    let (start, end) = whole.time_range().unwrap();
    let mut player = Player::new(Replayer::empty(
        ReplayConfig::default(),
        ReplayMode::Lenient,
    ));
    player.set_at_end(AtEnd::Follow);
    // Real time throughout, so that the wake-up below is exactly 500 ms away.
    player.set_inactivity(Inactivity::Play);
    player.play(Timestamp(0));
    let mut now = 0;
    let mut outs: Vec<PlayerOutput> = std::iter::from_fn(|| player.poll_output()).collect();
    // Nothing to wait for before the first event.
    assert_eq!(player.poll_timeout(), None);
    // The session records: each second of it arrives one second later, as a batch.
    let mut pushed = 0;
    for second in 0.. {
        let upto = start.0 + second * 1_000;
        let n = events.partition_point(|e| e.timestamp.0 <= upto);
        player.extend(events[pushed..n].iter().cloned()).unwrap();
        pushed = n;
        if pushed == events.len() {
            break;
        }
        run(&mut player, &mut now, 1_000, 16, &mut outs);
        // Playing at the edge: about a second behind the recording, never finished.
        assert!(player.is_playing());
    }
    // With all events in, the clock runs past the last one and waits for more.
    run(
        &mut player,
        &mut now,
        (end.0 - start.0) + 2_000,
        16,
        &mut outs,
    );
    assert!(player.is_playing());
    assert_eq!(player.poll_timeout(), None, "nothing ahead");
    assert!(!outs.contains(&PlayerOutput::Finished));
    let applied: Vec<usize> = outs
        .iter()
        .filter_map(|o| match o {
            PlayerOutput::Event { index, .. } => Some(*index),
            _ => None,
        })
        .collect();
    // Every event after the first moment, once, in order.
    let first = whole.events_until(start);
    assert_eq!(applied, (first..events.len()).collect::<Vec<_>>());
    assert_eq!(player.state().viewport(), whole.seek(end).viewport());
    let pos = player.position();
    assert!(pos > end);
    assert_eq!(player.state().hash(), whole.seek(pos).hash());

    // A late event (earlier than what was applied) rebuilds the state at the position.
    let mut late = events[events.len() / 2].clone();
    late.kind = EventKind::Incremental(Incremental::ViewportResize(ViewportResize {
        width: Num::Int(321),
        height: Num::Int(123),
        extra: Vec::new(),
    }));
    late.timestamp = Timestamp(end.0 - 1);
    player.push(late.clone()).unwrap();
    let outs: Vec<PlayerOutput> = std::iter::from_fn(|| player.poll_output()).collect();
    assert!(outs.contains(&PlayerOutput::DomReset), "{outs:?}");
    let mut with_late = events.clone();
    with_late.push(late);
    let mut whole = Replayer::from(with_late);
    assert_eq!(player.state().hash(), whole.seek(player.position()).hash());

    // New events after the edge play when the clock reaches them.
    let mut next = events.last().unwrap().clone();
    next.kind = EventKind::Incremental(Incremental::ViewportResize(ViewportResize {
        width: Num::Int(640),
        height: Num::Int(480),
        extra: Vec::new(),
    }));
    next.timestamp = Timestamp(player.position().0 + 500);
    player.push(next).unwrap();
    let wake = player.poll_timeout().unwrap();
    assert_eq!(wake, Timestamp(now + 500));
    player.tick(wake);
    assert_eq!(player.state().viewport(), Some((640.0, 480.0)));
}

/// A player fed decoded chunks ends where the whole stream ends.
#[test]
fn a_player_takes_chunks() {
    let (_, events) = &corpus()[1]; // login, rrweb defaults
    let mut whole = Replayer::from(events.clone());
    let (_, end) = whole.time_range().unwrap();
    let (_, chunks) = chunks_of(events, 20, Keyframes::ByCost);
    let mut player = Player::new(Replayer::empty(
        ReplayConfig::default(),
        ReplayMode::Lenient,
    ));
    player.set_at_end(AtEnd::Follow);
    player.set_speed(50.0);
    player.play(Timestamp(0));
    let (mut now, mut outs) = (0, Vec::new());
    for c in chunks {
        player.push_chunk(c).unwrap();
        run(&mut player, &mut now, 100, 10, &mut outs);
    }
    run(&mut player, &mut now, 2_000, 10, &mut outs);
    assert!(player.position() >= end);
    assert_eq!(player.state().hash(), whole.seek(player.position()).hash());
}

/// Construction takes what the caller has: a vector (kept), an iterator, a copy.
#[test]
fn construction_takes_owned_events_in_any_form() {
    let (_, events) = &corpus()[0];
    let mut a = Replayer::from(events.clone());
    let mut b = Replayer::new(events.iter().cloned(), ReplayConfig::default());
    let mut c = Replayer::new(events.to_vec(), ReplayConfig::default());
    let at = times(&a, 10);
    let h = hashes(&mut a, &at);
    assert_eq!(hashes(&mut b, &at), h);
    assert_eq!(hashes(&mut c, &at), h);
    let mut strict = Replayer::new_strict(events.iter().cloned(), ReplayConfig::default()).unwrap();
    assert_eq!(hashes(&mut strict, &at), h);
}
