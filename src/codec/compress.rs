//! The compression stage: one brotli stream per segment, flushed at the end of each
//! chunk, so a chunk's bytes are decodable on arrival and later chunks of the segment
//! refer back to what earlier ones held.
//!
//! Why one stream per segment and not one per chunk: a host that flushes after every
//! batch makes small chunks, and a small chunk compressed on its own pays the
//! compressor's start-up (no history to refer back to) every time: on the corpus, 1.6x
//! the bytes of no flushing. A flush point in one stream costs only the end of a
//! brotli meta-block. The price is that a chunk decodes only after every chunk of its
//! segment before it, which the format's damage rules allow for (a lost chunk loses
//! the segment's events up to the next keyframe chunk anyway: their page state is gone).

use super::CodecError;

/// The window of a segment's stream, chosen from its first chunk (the keyframe chunk,
/// most of a segment's distinct content): room for five times that, as a segment holds
/// about `1 + keyframe_cost` keyframes' worth, and at least 256 KiB (the smallest
/// segment the encoder closes on cost), at most 4 MiB. Why not always 4 MiB: a reader
/// allocates the whole window up front, which on a short session costs more time than
/// decoding it (measured: login decodes in 0.21 ms with 256 KiB, 0.34 ms with 4 MiB),
/// and no corpus stream is smaller with the larger window.
#[cfg(feature = "compress")]
fn window_bits(first_chunk: usize) -> i32 {
    let want = first_chunk.saturating_mul(5).max(256 << 10);
    (usize::BITS - (want - 1).leading_zeros()).clamp(18, 22) as i32
}

/// The window of a segment's stream primed with `primer` bytes: the primer sits in the
/// window as if the stream had written it, so the window holds it and the room the
/// stream would have had without it (see [`window_holding`]).
#[cfg(feature = "compress")]
fn primed_window_bits(first_chunk: usize, primer: usize) -> Option<i32> {
    window_holding(first_chunk.saturating_mul(5).max(256 << 10), primer, 18)
}

/// The bits of the smallest window, of at least `min_bits`, that holds `room` bytes of
/// the stream's own and a primer of `primer` bytes (brotli keeps only the last window
/// minus 16 bytes of a custom dictionary); `None` if that takes more than 16 MiB (a
/// larger primer is not used).
#[cfg(feature = "compress")]
fn window_holding(room: usize, primer: usize, min_bits: u32) -> Option<i32> {
    const MAX: usize = (1 << 24) - 16;
    let slack = if primer == 0 {
        0
    } else {
        primer.saturating_add(16)
    };
    let want = room.saturating_add(slack);
    if want > MAX {
        return None;
    }
    Some((usize::BITS - (want - 1).leading_zeros()).clamp(min_bits, 24) as i32)
}

/// Whether brotli can start a stream at `quality` from `primer`: it takes no custom
/// dictionary below quality 2.
#[cfg(feature = "compress")]
fn takes_primer(quality: u32, primer: &[u8]) -> bool {
    quality >= 2 && !primer.is_empty()
}

/// What a chunk's compressed data starts from: nothing (it continues its segment's
/// stream, or starts one from nothing), a host's primer, or the built-in dictionary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Start {
    Nothing,
    Primer,
    Dictionary,
}

/// One brotli stream, fed a chunk at a time and flushed after each.
#[cfg(feature = "compress")]
struct Stream {
    state: brotli::enc::encode::BrotliEncoderStateStruct<brotli::enc::StandardAlloc>,
}

#[cfg(feature = "compress")]
impl Stream {
    /// `size_hint`: the whole input's size when known (an asset chunk's), else 0.
    fn new(quality: u32, lgwin: i32, primer: &[u8], size_hint: usize) -> Self {
        let mut state = brotli::enc::encode::BrotliEncoderStateStruct::new(
            brotli::enc::StandardAlloc::default(),
        );
        state.params = brotli::enc::BrotliEncoderParams {
            quality: quality.min(11) as i32,
            lgwin,
            size_hint,
            ..Default::default()
        };
        if !primer.is_empty() {
            // The primer goes in the window as if already written: later bytes refer
            // back into it (brotli's custom dictionary; the static one is then off).
            state.set_custom_dictionary(primer.len(), primer);
        }
        Stream { state }
    }

    /// Compresses `body` and flushes, appending to `out`; with `last`, ends the stream
    /// instead.
    fn write(&mut self, body: &[u8], out: &mut Vec<u8>, last: bool) -> bool {
        use brotli::enc::encode::BrotliEncoderOperation as Op;
        let mut nop =
            |_: &mut brotli::interface::PredictionModeContextMap<brotli::InputReferenceMut>,
             _: &mut [brotli::interface::StaticCommand],
             _: brotli::InputPair,
             _: &mut brotli::enc::StandardAlloc| ();
        let mut buf = [0u8; 1 << 14];
        let (mut avail_in, mut in_at) = (body.len(), 0usize);
        let mut total = None;
        let end = if last {
            Op::BROTLI_OPERATION_FINISH
        } else {
            Op::BROTLI_OPERATION_FLUSH
        };
        for op in [Op::BROTLI_OPERATION_PROCESS, end] {
            loop {
                let (mut avail_out, mut out_at, before) = (buf.len(), 0usize, in_at);
                if !self.state.compress_stream(
                    op,
                    &mut avail_in,
                    body,
                    &mut in_at,
                    &mut avail_out,
                    &mut buf,
                    &mut out_at,
                    &mut total,
                    &mut nop,
                ) {
                    return false;
                }
                out.extend_from_slice(buf.get(..out_at).unwrap_or_default());
                let done = match op {
                    Op::BROTLI_OPERATION_PROCESS => avail_in == 0,
                    _ => avail_in == 0 && !self.state.has_more_output(),
                };
                if done {
                    break;
                }
                // A call that neither took input nor gave output would loop forever.
                if out_at == 0 && in_at == before {
                    return false;
                }
            }
        }
        true
    }
}

/// The writer's side: the open segment's brotli stream, if one is open.
#[derive(Default)]
pub(crate) struct StreamCompressor {
    #[cfg(feature = "compress")]
    w: Option<Stream>,
}

impl StreamCompressor {
    /// Ends the segment's stream: the next chunk starts a new one.
    pub(crate) fn restart(&mut self) {
        #[cfg(feature = "compress")]
        {
            self.w = None;
        }
    }

    /// Whether the next chunk starts a new stream.
    pub(crate) fn fresh(&self) -> bool {
        #[cfg(feature = "compress")]
        {
            self.w.is_none()
        }
        #[cfg(not(feature = "compress"))]
        {
            true
        }
    }

    /// Appends `body`, compressed at `quality` and flushed, to `out`: the bytes a reader
    /// that has the stream so far decodes back to `body`. A new stream starts from
    /// `primer` if one is given and fits (see [`primed_window_bits`]), else from
    /// `dictionary` if one is given; returns which, or `None` if compression is
    /// unavailable or failed (then nothing is appended and the stream is restarted).
    pub(crate) fn compress(
        &mut self,
        body: &[u8],
        quality: u32,
        primer: Option<&[u8]>,
        dictionary: Option<&[u8]>,
        out: &mut Vec<u8>,
    ) -> Option<Start> {
        #[cfg(feature = "compress")]
        {
            let mut start = Start::Nothing;
            let usable = |p: &&[u8]| takes_primer(quality, p);
            let w = self.w.get_or_insert_with(|| {
                let plain = window_bits(body.len());
                let primed = primer
                    .filter(usable)
                    .and_then(|p| Some((p, primed_window_bits(body.len(), p.len())?)));
                if let Some((p, lgwin)) = primed {
                    start = Start::Primer;
                    return Stream::new(quality, lgwin, p, 0);
                }
                // The built-in dictionary is small against the smallest window (14 KB
                // in 256 KiB): it sits in the window the stream would have had anyway,
                // so a short session's reader allocates no more than without it.
                match dictionary.filter(usable) {
                    Some(d) if d.len().saturating_add(16) <= (1usize << plain) / 8 => {
                        start = Start::Dictionary;
                        Stream::new(quality, plain, d, 0)
                    }
                    _ => Stream::new(quality, plain, &[], 0),
                }
            });
            let at = out.len();
            if w.write(body, out, false) {
                Some(start)
            } else {
                out.truncate(at);
                self.w = None;
                None
            }
        }
        #[cfg(not(feature = "compress"))]
        {
            let _ = (body, quality, primer, dictionary, out);
            None
        }
    }
}

/// Compresses `body` as a stream of its own (an asset chunk), appending to `out`,
/// starting from `primer` if one is given and the stream's window holds it with the
/// body (at most 16 MiB). Returns whether it did, or `None` if compression is
/// unavailable or failed (nothing appended).
pub(crate) fn compress_once(
    body: &[u8],
    quality: u32,
    primer: Option<&[u8]>,
    out: &mut Vec<u8>,
) -> Option<bool> {
    #[cfg(feature = "compress")]
    {
        let room = body.len().max(1024);
        let primed = primer
            .filter(|p| takes_primer(quality, p))
            .and_then(|p| Some((p, window_holding(room, p.len(), 17)?)));
        let (primer, lgwin) = match primed {
            Some((p, lgwin)) => (Some(p), lgwin),
            None => (None, window_holding(room, 0, 17).unwrap_or(24)),
        };
        let mut stream = Stream::new(quality, lgwin, primer.unwrap_or_default(), body.len());
        let at = out.len();
        if stream.write(body, out, true) {
            Some(primer.is_some())
        } else {
            out.truncate(at);
            None
        }
    }
    #[cfg(not(feature = "compress"))]
    {
        let _ = (body, quality, primer, out);
        None
    }
}

/// A `Write` that holds at most `cap` bytes: a decompression bomb stops at the limit.
#[cfg(feature = "compress")]
#[derive(Default)]
struct Capped {
    out: Vec<u8>,
    cap: usize,
}

#[cfg(feature = "compress")]
impl std::io::Write for Capped {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        if self.out.len().saturating_add(b.len()) > self.cap {
            return Err(std::io::ErrorKind::OutOfMemory.into());
        }
        self.out.extend_from_slice(b);
        Ok(b.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The reader's side: the segment's brotli stream so far.
#[derive(Default)]
pub(crate) struct StreamDecompressor {
    #[cfg(feature = "compress")]
    d: Option<brotli::DecompressorWriter<Capped>>,
}

impl std::fmt::Debug for StreamDecompressor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StreamDecompressor")
    }
}

impl StreamDecompressor {
    /// Forgets the stream (a new segment, or a gap).
    pub(crate) fn restart(&mut self) {
        #[cfg(feature = "compress")]
        {
            self.d = None;
        }
    }

    /// Decompresses one chunk's bytes, which continue the stream unless `fresh` (then
    /// they start a new one), into at most `limit` bytes. On error the stream is gone:
    /// later chunks of the segment cannot be read.
    pub(crate) fn decompress(
        &mut self,
        data: &[u8],
        fresh: bool,
        primer: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<u8>, CodecError> {
        #[cfg(feature = "compress")]
        {
            if fresh {
                self.d = None;
                return self.start_and(data, fresh, primer, limit);
            }
            let r = match self.d.as_mut() {
                Some(d) => Self::feed(d, data, limit),
                None => self.start_and(data, fresh, primer, limit),
            };
            if r.is_err() {
                self.d = None;
            }
            r
        }
        #[cfg(not(feature = "compress"))]
        {
            let _ = (data, fresh, primer, limit);
            Err(CodecError::CompressionUnavailable { chunk: 0 })
        }
    }

    /// Starts a stream (primed with `primer`, the bytes its writer primed it with) and
    /// decompresses its first chunk.
    #[cfg(feature = "compress")]
    fn start_and(
        &mut self,
        data: &[u8],
        fresh: bool,
        primer: Option<&[u8]>,
        limit: usize,
    ) -> Result<Vec<u8>, CodecError> {
        if !fresh {
            // A chunk that continues a stream this reader does not have.
            return Err(CodecError::Malformed {
                chunk: 0,
                offset: 0,
                what: "compressed data continues a stream that is not open",
            });
        }
        let d = self.d.insert(match primer {
            Some(p) => brotli::DecompressorWriter::new_with_custom_dictionary(
                Capped::default(),
                1 << 14,
                p.to_vec().into(),
            ),
            None => brotli::DecompressorWriter::new(Capped::default(), 1 << 14),
        });
        Self::feed(d, data, limit).inspect_err(|_| self.d = None)
    }

    #[cfg(feature = "compress")]
    fn feed(
        d: &mut brotli::DecompressorWriter<Capped>,
        data: &[u8],
        limit: usize,
    ) -> Result<Vec<u8>, CodecError> {
        use std::io::Write;
        d.get_mut().cap = limit;
        d.get_mut().out.clear();
        let mut r = d.write_all(data).and_then(|()| d.flush());
        // The decoder hands out at most its output buffer per call and keeps the rest
        // of what it decoded until it is called again: call it with no input until
        // nothing more comes (each call either writes some or ends the loop).
        while r.is_ok() {
            let before = d.get_mut().out.len();
            r = d.write(&[]).map(|_| ());
            if d.get_mut().out.len() == before {
                break;
            }
        }
        let out = std::mem::take(&mut d.get_mut().out);
        match r {
            Ok(()) => Ok(out),
            Err(e) if e.kind() == std::io::ErrorKind::OutOfMemory => {
                Err(CodecError::LimitExceeded {
                    chunk: 0,
                    what: "decompressed chunk size",
                    limit,
                })
            }
            Err(_) => Err(CodecError::Malformed {
                chunk: 0,
                offset: 0,
                what: "compressed data is corrupt",
            }),
        }
    }
}

/// Decompresses a stream of its own (an asset chunk), started from `primer` if its
/// writer started it so, into at most `limit` bytes.
pub(crate) fn decompress_once(
    data: &[u8],
    primer: Option<&[u8]>,
    limit: usize,
) -> Result<Vec<u8>, CodecError> {
    let mut d = StreamDecompressor::default();
    d.decompress(data, true, primer, limit)
}

#[cfg(all(test, feature = "compress"))]
mod tests {
    use super::*;

    #[test]
    fn the_window_follows_the_first_chunk() {
        assert_eq!(window_bits(0), 18);
        assert_eq!(window_bits(50 << 10), 18);
        assert_eq!(window_bits(60 << 10), 19);
        assert_eq!(window_bits(1 << 20), 22);
        assert_eq!(window_bits(usize::MAX), 22);
    }

    #[test]
    fn chunks_of_one_stream_decode_in_order() {
        let parts: Vec<Vec<u8>> = (0..20)
            .map(|i| format!("chunk {i}: the same words again and again {i}").into_bytes())
            .collect();
        let mut c = StreamCompressor::default();
        let mut d = StreamDecompressor::default();
        for (i, p) in parts.iter().enumerate() {
            let fresh = c.fresh();
            assert_eq!(fresh, i == 0);
            let mut out = Vec::new();
            assert_eq!(c.compress(p, 6, None, None, &mut out), Some(Start::Nothing));
            assert_eq!(d.decompress(&out, fresh, None, 1 << 20).unwrap(), *p);
        }
    }

    /// Chunks far larger than the decoder's output buffer come out whole.
    #[test]
    fn large_chunks_come_out_whole() {
        let mut c = StreamCompressor::default();
        let mut d = StreamDecompressor::default();
        let mut seed = 7u64;
        for i in 0..4 {
            let part: Vec<u8> = (0..(100_000 * (i + 1)))
                .map(|_| {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
                    b"abcdefgh"[(seed >> 61) as usize]
                })
                .collect();
            let fresh = c.fresh();
            let mut out = Vec::new();
            assert_eq!(
                c.compress(&part, 6, None, None, &mut out),
                Some(Start::Nothing)
            );
            assert_eq!(d.decompress(&out, fresh, None, 1 << 24).unwrap(), part);
        }
    }

    #[test]
    fn a_continuation_without_its_stream_is_an_error() {
        let mut c = StreamCompressor::default();
        let mut a = Vec::new();
        let mut b = Vec::new();
        c.compress(b"first part", 6, None, None, &mut a);
        c.compress(b"second part", 6, None, None, &mut b);
        let mut d = StreamDecompressor::default();
        assert!(d.decompress(&b, false, None, 1 << 20).is_err());
    }

    #[test]
    fn output_stops_at_the_limit() {
        let big = vec![b'a'; 1 << 20];
        let mut out = Vec::new();
        assert_eq!(compress_once(&big, 6, None, &mut out), Some(false));
        assert!(matches!(
            decompress_once(&out, None, 1000),
            Err(CodecError::LimitExceeded { .. })
        ));
        assert_eq!(decompress_once(&out, None, 1 << 20).unwrap(), big);
    }

    #[test]
    fn a_stream_of_its_own_starts_from_its_primer() {
        let primer =
            b"body { margin: 0; font-family: system-ui, sans-serif; color: #222; }".repeat(4);
        let body = b"main { margin: 0; font-family: system-ui, sans-serif; color: #333; }";
        let (mut with, mut without) = (Vec::new(), Vec::new());
        assert_eq!(compress_once(body, 6, Some(&primer), &mut with), Some(true));
        assert_eq!(compress_once(body, 6, None, &mut without), Some(false));
        assert!(
            with.len() < without.len(),
            "{} against {}",
            with.len(),
            without.len()
        );
        assert_eq!(
            decompress_once(&with, Some(&primer), 1 << 20).unwrap(),
            body
        );
        // Without its primer (or with another) the bytes do not come back.
        assert_ne!(
            decompress_once(&with, None, 1 << 20).ok().as_deref(),
            Some(&body[..])
        );
        // Below quality 2 brotli has no dictionary: the primer is not used.
        assert_eq!(
            compress_once(body, 1, Some(&primer), &mut Vec::new()),
            Some(false)
        );
    }
}
