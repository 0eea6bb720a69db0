//! The streaming decoder, damage isolation and chain verification.

use std::collections::VecDeque;

use super::chunk::{Continuity, DecodedChunk};
use super::frame::{self, CHUNK_MAGIC, FORMAT_VERSION, FRAME_HEAD, HEADER_LEN, Reading};
use crate::error::{CodecError, Recovered};
use crate::limits::Limits;

/// Whether a [`Decoder`] decodes each chunk's keyframe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum KeyframeDecoding {
    /// Decode keyframes: for a reader that starts at any chunk (seeking, verifying).
    #[default]
    Decode,
    /// Step over them: for a reader that goes through the stream from its start, which
    /// has the state they describe already. They cost nothing to decode (their bytes
    /// are stepped over) and [`DecodedChunk::keyframe`] comes back empty, except after a
    /// gap ([`Continuity::Resumed`]), where the keyframe is what the reader needs to go on.
    Skip,
}

/// A sans-IO streaming decoder: [`push`](Decoder::push) byte slices split anywhere,
/// then drain [`poll_chunk`](Decoder::poll_chunk) until `None`; at the end of the
/// stream call [`finish`](Decoder::finish) and drain again.
///
/// ```
/// use session_replay::{codec::{self, Decoder, EncoderConfig}, rrweb, Limits};
/// let events = rrweb::read(br#"[{"type":4,"data":{"href":"https://a.test/","width":800,"height":600},"timestamp":1}]"#, &Limits::DEFAULT)?;
/// let bytes = codec::encode(&events, EncoderConfig::default());
/// let mut dec = Decoder::new().with_limits(Limits::DEFAULT);
/// let mut back = Vec::new();
/// for piece in bytes.chunks(7) {
///     dec.push(piece); // as bytes arrive from the network or storage
///     while let Some(chunk) = dec.poll_chunk() {
///         back.extend(chunk?.events); // an Err is a damaged part; the next chunk still comes
///     }
/// }
/// dec.finish();
/// while let Some(chunk) = dec.poll_chunk() {
///     back.extend(chunk?.events);
/// }
/// assert_eq!(back, events);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Decoder {
    limits: Limits,
    buf: Vec<u8>,
    /// Stream offset of `buf[0]`.
    base: usize,
    /// Whether chunks come with their keyframes decoded.
    keyframes: KeyframeDecoding,
    /// Whether each chunk's SHA-256 is computed (for the chain); [`decode`], which
    /// hands out only events, has no use for it.
    hashes: bool,
    header_done: bool,
    /// The stream's format version, once its header is read.
    version: u8,
    failed: bool,
    /// The chunk index that follows on without a gap; `None` after a gap (a damaged or
    /// missing chunk, or an orphaned one), until the next keyframe chunk.
    expect: Option<u64>,
    /// Chunks seen (intact or not), for naming damaged ones.
    next_chunk: usize,
    outputs: VecDeque<Result<DecodedChunk, CodecError>>,
    /// Skipping damaged bytes until the next chunk magic.
    resyncing: bool,
}

impl Decoder {
    /// A decoder with the default limits, decoding keyframes.
    pub fn new() -> Self {
        Decoder {
            limits: Limits::DEFAULT,
            buf: Vec::new(),
            base: 0,
            keyframes: KeyframeDecoding::Decode,
            hashes: true,
            header_done: false,
            version: FORMAT_VERSION,
            failed: false,
            expect: Some(0),
            next_chunk: 0,
            outputs: VecDeque::new(),
            resyncing: false,
        }
    }

    /// Decodes within `limits` (set it before pushing bytes).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Whether to decode each chunk's keyframe (default [`KeyframeDecoding::Decode`]).
    pub fn with_keyframes(mut self, keyframes: KeyframeDecoding) -> Self {
        self.keyframes = keyframes;
        self
    }

    /// Feeds bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.failed {
            return;
        }
        self.buf.extend_from_slice(bytes);
        self.run();
    }

    /// The next intact chunk, or an error for a damaged or unreadable part (decoding
    /// goes on at the next chunk); `None` when nothing more is ready. Each chunk says
    /// how it follows the ones before ([`DecodedChunk::continuity`]): after a damaged
    /// or missing chunk, continuation chunks are still handed out but
    /// [`Continuity::Orphaned`] until the next keyframe chunk, which is
    /// [`Continuity::Resumed`].
    pub fn poll_chunk(&mut self) -> Option<Result<DecodedChunk, CodecError>> {
        self.outputs.pop_front()
    }

    fn consume(&mut self, n: usize) {
        let n = n.min(self.buf.len());
        self.buf.drain(..n);
        self.base += n;
    }

    fn run(&mut self) {
        if !self.header_done {
            if self.buf.len() < HEADER_LEN {
                return;
            }
            match frame::read_header(self.buf.get(..HEADER_LEN).unwrap_or_default()) {
                Ok(h) => {
                    self.header_done = true;
                    self.version = h.version;
                    self.consume(HEADER_LEN);
                }
                Err(e) => {
                    self.failed = true;
                    self.outputs.push_back(Err(e));
                    self.buf.clear();
                    return;
                }
            }
        }
        loop {
            if self.resyncing {
                // Find the next chunk magic; keep a possible partial magic at the end.
                match find_magic(&self.buf, 0) {
                    Some(p) => {
                        self.consume(p);
                        self.resyncing = false;
                    }
                    None => {
                        let keep = self.buf.len().min(CHUNK_MAGIC.len() - 1);
                        let drop = self.buf.len() - keep;
                        self.consume(drop);
                        return;
                    }
                }
            }
            if self.buf.len() < FRAME_HEAD {
                return;
            }
            let offset = self.base;
            let chunk = self.next_chunk;
            if self.buf.get(..4) != Some(&CHUNK_MAGIC[..]) {
                self.damaged(CodecError::Malformed {
                    chunk,
                    offset,
                    what: "bad chunk magic",
                });
                continue;
            }
            let word = |i: usize| {
                let mut a = [0u8; 4];
                if let Some(s) = self.buf.get(i..i + 4) {
                    a.copy_from_slice(s);
                }
                u32::from_le_bytes(a)
            };
            let len = word(4) as usize;
            let crc = word(8);
            if len > self.limits.chunk_bytes {
                self.damaged(CodecError::LimitExceeded {
                    chunk,
                    what: "chunk size",
                    limit: self.limits.chunk_bytes,
                });
                continue;
            }
            if self.buf.len() < FRAME_HEAD + len {
                // Either more bytes are coming, or the stream is truncated (see finish).
                // If a later magic already shows with a valid frame, this one is broken.
                return;
            }
            let payload = self
                .buf
                .get(FRAME_HEAD..FRAME_HEAD + len)
                .unwrap_or_default();
            if crc32fast::hash(payload) != crc {
                self.damaged(CodecError::Checksum { chunk, offset });
                continue;
            }
            let frame_bytes = self.buf.get(..FRAME_HEAD + len).unwrap_or_default();
            let hash = if self.hashes {
                frame::frame_hash(frame_bytes)
            } else {
                [0; 32]
            };
            let reading = Reading {
                limits: &self.limits,
                version: self.version,
                keyframes: self.keyframes,
                expect: self.expect,
            };
            let decoded = frame::decode_payload(payload, &reading, chunk, offset, hash);
            self.consume(FRAME_HEAD + len);
            match decoded {
                Ok(c) => {
                    self.next_chunk = usize::try_from(c.index)
                        .unwrap_or(chunk)
                        .max(chunk)
                        .saturating_add(1);
                    // An orphaned chunk leaves the reader's page state wrong until the
                    // next keyframe chunk.
                    self.expect = match c.continuity {
                        Continuity::Orphaned => None,
                        _ => c.index.checked_add(1),
                    };
                    self.outputs.push_back(Ok(c));
                }
                Err(e) => {
                    self.next_chunk += 1;
                    self.expect = None;
                    self.outputs.push_back(Err(e));
                }
            }
        }
    }

    fn damaged(&mut self, e: CodecError) {
        self.outputs.push_back(Err(e));
        self.next_chunk += 1;
        self.expect = None;
        // Skip this magic and look for the next chunk.
        self.consume(1);
        self.resyncing = true;
    }

    /// Ends the stream: queues an error for a truncated last chunk, if any, and every
    /// intact chunk found after it; drain them with [`Decoder::poll_chunk`].
    pub fn finish(&mut self) {
        // A loop, not recursion: each truncated chunk may hide intact ones after it, and a
        // hostile stream can hold any number of them.
        loop {
            self.run();
            if !self.header_done && !self.failed {
                self.failed = true;
                self.outputs.push_back(Err(if self.buf.is_empty() {
                    CodecError::Truncated {
                        chunk: 0,
                        offset: 0,
                        missing: HEADER_LEN,
                    }
                } else {
                    CodecError::BadMagic
                }));
            } else if !self.buf.is_empty() && !self.resyncing {
                let have = self.buf.len();
                let need = if have >= FRAME_HEAD {
                    let mut a = [0u8; 4];
                    if let Some(s) = self.buf.get(4..8) {
                        a.copy_from_slice(s);
                    }
                    FRAME_HEAD + u32::from_le_bytes(a) as usize
                } else {
                    FRAME_HEAD
                };
                // A truncated chunk may hide intact ones after it (if its length was damaged).
                let rest = self.buf.split_off(0);
                let start = self.base;
                self.outputs.push_back(Err(CodecError::Truncated {
                    chunk: self.next_chunk,
                    offset: start,
                    missing: need.saturating_sub(have),
                }));
                self.next_chunk += 1;
                self.expect = None;
                if let Some(p) = find_magic(&rest, 1) {
                    self.base = start + p;
                    self.buf = rest.get(p..).unwrap_or_default().to_vec();
                    continue;
                }
                self.base = start + have;
            }
            break;
        }
        self.buf.clear();
    }
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder::new()
    }
}

fn find_magic(b: &[u8], from: usize) -> Option<usize> {
    b.get(from..)?
        .windows(CHUNK_MAGIC.len())
        .position(|w| w == CHUNK_MAGIC)
        .map(|p| p + from)
}

/// Decodes a whole stream within `limits` into events that replay correctly: the events
/// of every intact chunk, in order, and an error for each damaged part.
///
/// After a damaged or missing chunk, the continuation chunks up to the next keyframe
/// chunk ([`Continuity::Orphaned`]) are left out and reported as one
/// [`CodecError::Orphaned`] (with the time their events span), and the next keyframe
/// chunk's keyframe comes before its events, so that replay goes on from the right page
/// state. A clean stream decodes to exactly the events encoded.
pub fn decode(bytes: &[u8], limits: &Limits) -> Recovered<CodecError> {
    // In order from the start: keyframes are not needed, and not decoded, except after a
    // gap. Nor are the chunk hashes: only `verify` checks the chain.
    let mut d = Decoder::new()
        .with_limits(*limits)
        .with_keyframes(KeyframeDecoding::Skip);
    d.hashes = false;
    d.push(bytes);
    d.finish();
    let mut out = Recovered::default();
    // The run of orphaned chunks being left out, reported when it ends.
    let mut orphans: Option<CodecError> = None;
    while let Some(o) = d.poll_chunk() {
        let c = match o {
            Ok(c) if c.continuity == Continuity::Orphaned => {
                add_orphan(&mut orphans, &c);
                continue;
            }
            Ok(c) => c,
            Err(e) => {
                out.errors.extend(orphans.take());
                out.errors.push(e);
                continue;
            }
        };
        out.errors.extend(orphans.take());
        // The keyframe is empty unless the chunk resumes after a gap.
        out.events.extend(c.keyframe);
        out.events.extend(c.events);
    }
    out.errors.extend(orphans);
    out
}

/// Adds an orphaned chunk's events to the run being left out.
fn add_orphan(run: &mut Option<CodecError>, c: &DecodedChunk) {
    let times = c.events.iter().map(|e| e.timestamp);
    let (Some(lo), Some(hi)) = (times.clone().min(), times.max()) else {
        // Nothing lost.
        return;
    };
    let chunk = usize::try_from(c.index).unwrap_or(usize::MAX);
    match run {
        Some(CodecError::Orphaned {
            last_chunk,
            events,
            from,
            to,
            ..
        }) => {
            *last_chunk = chunk;
            *events += c.events.len();
            *from = (*from).min(lo);
            *to = (*to).max(hi);
        }
        _ => {
            *run = Some(CodecError::Orphaned {
                chunk,
                last_chunk: chunk,
                events: c.events.len(),
                from: lo,
                to: hi,
            });
        }
    }
}

fn decode_chunks(
    bytes: &[u8],
    limits: Limits,
    keyframes: KeyframeDecoding,
    hashes: bool,
) -> (Vec<DecodedChunk>, Vec<CodecError>) {
    let mut d = Decoder::new().with_limits(limits).with_keyframes(keyframes);
    d.hashes = hashes;
    d.push(bytes);
    d.finish();
    let mut chunks = Vec::new();
    let mut errors = Vec::new();
    while let Some(o) = d.poll_chunk() {
        match o {
            Ok(c) => chunks.push(c),
            Err(e) => errors.push(e),
        }
    }
    (chunks, errors)
}

/// What [`verify`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyReport {
    /// Intact chunks.
    pub chunks: usize,
    /// Damaged or unreadable parts.
    pub errors: Vec<CodecError>,
    /// Positions (among intact chunks) whose recorded index or previous-chunk hash does
    /// not follow from the chunk before: a chunk deleted, reordered or edited.
    pub chain_breaks: Vec<usize>,
}

impl VerifyReport {
    /// True when every chunk is intact and the chain is unbroken.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty() && self.chain_breaks.is_empty() && self.chunks > 0
    }
}

/// Checks a stream for audits, within `limits`: every chunk's CRC, and the SHA-256 chain
/// that makes a deleted, reordered or edited chunk visible.
pub fn verify(bytes: &[u8], limits: &Limits) -> VerifyReport {
    // Everything is decoded, keyframes included: a damaged keyframe is a damaged chunk.
    let (chunks, errors) = decode_chunks(bytes, *limits, KeyframeDecoding::Decode, true);
    let mut report = VerifyReport {
        chunks: chunks.len(),
        errors,
        chain_breaks: Vec::new(),
    };
    let mut prev: Option<&DecodedChunk> = None;
    for (i, c) in chunks.iter().enumerate() {
        let ok = match prev {
            None => c.index == 0 && c.prev_hash == [0; 32],
            Some(p) => p.index.checked_add(1) == Some(c.index) && c.prev_hash == p.hash,
        };
        if !ok {
            report.chain_breaks.push(i);
        }
        prev = Some(c);
    }
    report
}
