//! An event chunk's body, written and read side by side: the strings it adds to its
//! segment's table, the keyframe (in a keyframe chunk), and its events' columns. Also
//! the reader's segment state that carries from chunk to chunk.

use super::CodecError;
use super::assets::AssetTable;
use super::compress::StreamDecompressor;
use super::varint::{Buf, Rd};
use super::wire::{ColReaders, Ctx, Dec, Enc, N_COLS, N_SECTIONS, Table};
use crate::limits::Limits;
use crate::model::Event;

/// What a keyframe chunk's body counts of its keyframe: events, the strings of each
/// section it introduces, and the bytes it takes in each column (the rest of each column
/// is the chunk's own events').
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct KeyframeCounts {
    pub(crate) events: u64,
    pub(crate) strings: [u32; N_SECTIONS],
    pub(crate) cols: [usize; N_COLS],
}

/// Appends an event chunk's body (see "Event chunk body" in FORMAT.md) to `body`:
/// `keyframe` is `Some((base_ts, counts))` for a keyframe chunk.
pub(crate) fn write_event_body(
    body: &mut Buf,
    keyframe: Option<(i64, KeyframeCounts)>,
    events: u64,
    enc: &Enc,
) {
    if let Some((base_ts, _)) = keyframe {
        body.iv(base_ts);
    }
    enc.strings.write_chunk_table(body);
    let key = keyframe.map(|k| k.1);
    if let Some(k) = key {
        body.uv(k.events);
    }
    body.uv(events);
    if let Some(k) = key {
        for n in k.strings {
            body.uv(u64::from(n));
        }
    }
    let cols = enc.cols.all();
    let split = |i: usize, len: usize| {
        key.and_then(|k| k.cols.get(i).copied())
            .unwrap_or(0)
            .min(len)
    };
    if key.is_some() {
        for (i, c) in cols.iter().enumerate() {
            body.uv(split(i, c.bytes.len()) as u64);
        }
    }
    for (i, c) in cols.iter().enumerate() {
        body.uv((c.bytes.len() - split(i, c.bytes.len())) as u64);
    }
    if key.is_some() {
        for (i, c) in cols.iter().enumerate() {
            body.raw(c.bytes.get(..split(i, c.bytes.len())).unwrap_or_default());
        }
    }
    for (i, c) in cols.iter().enumerate() {
        body.raw(c.bytes.get(split(i, c.bytes.len())..).unwrap_or_default());
    }
}

/// The reader's state of the open segment: what its next chunk continues from.
#[derive(Debug, Default)]
pub(crate) struct Segment {
    pub(crate) table: Table,
    pub(crate) ctx: Ctx,
    pub(crate) unzip: StreamDecompressor,
}

/// An event chunk's body as read.
#[derive(Debug, Default)]
pub(crate) struct ReadBody {
    pub(crate) keyframe: Vec<Event>,
    pub(crate) events: Vec<Event>,
    /// Assets the chunk's strings refer to that the reader does not have.
    pub(crate) missing: Vec<u64>,
}

/// Reads an event chunk's body onto `seg` (emptied first for a keyframe chunk); the
/// keyframe's events are decoded only if `decode_keyframe`. On error, `seg` is left
/// half-updated: the caller must drop the segment.
pub(crate) fn read_event_body(
    body: &[u8],
    keyframe_chunk: bool,
    decode_keyframe: bool,
    seg: &mut Segment,
    assets: &AssetTable,
    limits: &Limits,
) -> Result<ReadBody, CodecError> {
    let bad = |offset: usize, what: &'static str| CodecError::Malformed {
        chunk: 0,
        offset,
        what,
    };
    let mut rd = Rd::new(body);
    let base_ts = if keyframe_chunk {
        seg.table.clear();
        Some(rd.iv()?)
    } else {
        None
    };
    let before = seg.table.counts();
    let mut missing = Vec::new();
    let added = seg
        .table
        .read_chunk_table(&mut rd, limits, &mut |no, out| {
            if !assets.append(no, out) && !missing.contains(&no) {
                missing.push(no);
            }
        })?;
    let n_key = if keyframe_chunk {
        rd.count(2, limits.events_per_chunk)?
    } else {
        0
    };
    let n_events = rd.count(2, limits.events_per_chunk)?;
    if n_key.saturating_add(n_events) > limits.events_per_chunk {
        return Err(CodecError::LimitExceeded {
            chunk: 0,
            what: "events per chunk",
            limit: limits.events_per_chunk,
        });
    }
    let mut key_strings = [0usize; N_SECTIONS];
    if keyframe_chunk {
        for (k, &n) in key_strings.iter_mut().zip(&added) {
            let at = rd.pos;
            *k = usize::try_from(rd.uv()?).unwrap_or(usize::MAX);
            if *k > n {
                return Err(bad(at, "keyframe string count beyond the table"));
            }
        }
    }
    // Column lengths, then readers over each column (positions stay body offsets). A
    // continuation chunk's keyframe columns are empty, their lengths not written.
    let mut lens = [0usize; 2 * N_COLS];
    let skip = if keyframe_chunk { 0 } else { N_COLS };
    for l in lens.iter_mut().skip(skip) {
        *l = rd.count(0, body.len())?;
    }
    if lens.iter().sum::<usize>() != rd.left() {
        return Err(bad(rd.pos, "column lengths do not match the chunk"));
    }
    let mut at = rd.pos;
    let mut spans = lens.iter().map(|&l| {
        let r = Rd::span(body, at, at + l);
        at += l;
        r
    });
    let mut section = || ColReaders::in_wire_order(|| spans.next());
    let (Some(key_cols), Some(event_cols)) = (section(), section()) else {
        return Err(bad(rd.pos, "column lengths do not match the chunk"));
    };
    let mut keyframe = Vec::new();
    let mut out_bytes = 0;
    if let Some(base) = base_ts
        && decode_keyframe
    {
        let mut dec = Dec {
            cols: key_cols,
            table: &seg.table,
            seen: [0; N_SECTIONS],
            out_bytes: 0,
            ctx: Ctx::new(base),
            limits,
        };
        keyframe.reserve(n_key.min(4096));
        for _ in 0..n_key {
            keyframe.push(dec.event()?);
        }
        if let Some(pos) = dec.cols.leftover() {
            return Err(bad(pos, "keyframe columns do not match its events"));
        }
        if dec.seen != key_strings {
            return Err(bad(dec.cols.op.pos, "keyframe string count does not match"));
        }
        out_bytes = dec.out_bytes;
    }
    // A keyframe chunk's own events start from a fresh coding state after the strings
    // the keyframe introduced (so a reader in order can step over the keyframe); a
    // continuation chunk's go on from the chunk before.
    let (seen, ctx) = match base_ts {
        Some(base) => (key_strings, Ctx::new(base)),
        None => (before, std::mem::take(&mut seg.ctx)),
    };
    let mut dec = Dec {
        cols: event_cols,
        table: &seg.table,
        seen,
        out_bytes,
        ctx,
        limits,
    };
    let mut events = Vec::with_capacity(n_events.min(1 << 16));
    for _ in 0..n_events {
        events.push(dec.event()?);
    }
    if let Some(pos) = dec.cols.leftover() {
        return Err(bad(pos, "trailing bytes after the last event"));
    }
    if dec.seen != seg.table.counts() {
        return Err(bad(
            dec.cols.op.pos,
            "strings in the table that no event uses",
        ));
    }
    seg.ctx = dec.ctx;
    Ok(ReadBody {
        keyframe,
        events,
        missing,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events() -> Vec<Event> {
        crate::rrweb::read(
            br#"[{"type":4,"data":{"href":"https://a.test/","width":800,"height":600},"timestamp":5},
                 {"type":3,"data":{"source":3,"id":1,"x":0,"y":9},"timestamp":6},
                 {"type":4,"data":{"href":"https://a.test/","width":800,"height":700},"timestamp":7}]"#,
            &Limits::DEFAULT,
        )
        .unwrap()
    }

    /// A keyframe chunk (keyframe: event 0, own: event 1), then a continuation chunk
    /// (event 2, whose href refers back to the keyframe chunk's string).
    fn bodies(counts: impl FnOnce(&mut KeyframeCounts)) -> (Vec<u8>, Vec<u8>) {
        let ev = events();
        let mut enc = Enc {
            ctx: Ctx::new(5),
            ..Enc::default()
        };
        enc.begin_chunk();
        enc.event(&ev[0]);
        let mut k = KeyframeCounts {
            events: 1,
            strings: enc.strings.counts(),
            cols: enc.cols.lens(),
        };
        counts(&mut k);
        enc.ctx = Ctx::new(5);
        enc.event(&ev[1]);
        let mut a = Buf::default();
        write_event_body(&mut a, Some((5, k)), 1, &enc);
        enc.begin_chunk();
        enc.event(&ev[2]);
        let mut b = Buf::default();
        write_event_body(&mut b, None, 1, &enc);
        (a.bytes, b.bytes)
    }

    #[test]
    fn a_segment_reads_back_chunk_after_chunk() {
        let ev = events();
        let (a, b) = bodies(|_| {});
        for decode_keyframe in [true, false] {
            let mut seg = Segment::default();
            let assets = AssetTable::default();
            let r = read_event_body(
                &a,
                true,
                decode_keyframe,
                &mut seg,
                &assets,
                &Limits::DEFAULT,
            )
            .unwrap();
            assert_eq!(r.keyframe.len(), usize::from(decode_keyframe));
            assert_eq!(r.events, ev[1..2]);
            let r = read_event_body(&b, false, true, &mut seg, &assets, &Limits::DEFAULT).unwrap();
            assert_eq!(r.events, ev[2..]);
            // The continuation read without its segment refers to a string it lacks.
            let mut lone = Segment::default();
            assert!(
                read_event_body(&b, false, true, &mut lone, &assets, &Limits::DEFAULT).is_err()
            );
        }
    }

    /// Keyframe column lengths or string counts that do not match the keyframe's events
    /// make a malformed chunk, whether the keyframe is decoded or stepped over.
    #[test]
    fn keyframe_lengths_are_checked() {
        let mut cases = Vec::new();
        for i in 0..N_COLS {
            for delta in [-1i64, 1] {
                cases.push((i, delta));
            }
        }
        let mut checked = 0;
        for (i, delta) in cases {
            let (a, _) = bodies(|k| {
                let v = k.cols[i] as i64 + delta;
                k.cols[i] = v.max(0) as usize;
            });
            let (right, _) = bodies(|_| {});
            if a == right {
                continue;
            }
            let r = read_event_body(
                &a,
                true,
                true,
                &mut Segment::default(),
                &AssetTable::default(),
                &Limits::DEFAULT,
            );
            assert!(r.is_err(), "column {i} {delta}");
            checked += 1;
        }
        for s in 0..N_SECTIONS {
            let (a, _) = bodies(|k| k.strings[s] ^= 1);
            for decode in [true, false] {
                let r = read_event_body(
                    &a,
                    true,
                    decode,
                    &mut Segment::default(),
                    &AssetTable::default(),
                    &Limits::DEFAULT,
                );
                // Stepping over the keyframe cannot see a count one below; one above
                // names strings no event introduced.
                if decode {
                    assert!(r.is_err(), "section {s}");
                }
            }
        }
        assert!(checked >= 6, "{checked}");
    }

    #[test]
    fn every_truncation_is_an_error() {
        let (a, _) = bodies(|_| {});
        for n in 0..a.len() {
            let r = read_event_body(
                &a[..n],
                true,
                true,
                &mut Segment::default(),
                &AssetTable::default(),
                &Limits::DEFAULT,
            );
            assert!(r.is_err(), "{n}");
        }
    }
}
