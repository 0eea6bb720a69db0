//! The streaming decoder, damage isolation and chain verification.

use std::collections::VecDeque;

use super::CodecError;
pub use super::frame::DecodedChunk;
use super::frame::{self, CHUNK_MAGIC, FRAME_HEAD, HEADER_LEN};
use crate::limits::Limits;
use crate::model::Event;

/// What the decoder hands out.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum DecoderOutput {
    /// An intact chunk.
    Chunk(DecodedChunk),
    /// A damaged or unreadable part; decoding goes on at the next chunk.
    Error(CodecError),
}

/// A sans-IO streaming decoder: push byte slices split anywhere, poll chunks out.
#[derive(Debug)]
pub struct Decoder {
    limits: Limits,
    buf: Vec<u8>,
    /// Stream offset of `buf[0]`.
    base: usize,
    /// Whether chunks come with their keyframes decoded.
    keyframes: bool,
    /// Whether each chunk's SHA-256 is computed (for the chain); [`decode`], which
    /// hands out only events, has no use for it.
    hashes: bool,
    header_done: bool,
    failed: bool,
    /// Chunks seen (intact or not), for naming damaged ones.
    next_chunk: usize,
    outputs: VecDeque<DecoderOutput>,
    /// Skipping damaged bytes until the next chunk magic.
    resyncing: bool,
}

impl Decoder {
    /// A decoder with the default limits.
    pub fn new() -> Self {
        Decoder::with_limits(Limits::DEFAULT)
    }

    /// A decoder with chosen limits.
    pub fn with_limits(limits: Limits) -> Self {
        Decoder {
            limits,
            buf: Vec::new(),
            base: 0,
            keyframes: true,
            hashes: true,
            header_done: false,
            failed: false,
            next_chunk: 0,
            outputs: VecDeque::new(),
            resyncing: false,
        }
    }

    /// Whether to decode each chunk's keyframe (default yes). A reader that goes through
    /// a stream from its start has no use for them: skipped, they cost nothing to decode
    /// (their bytes are stepped over) and [`DecodedChunk::keyframe`] comes back empty.
    pub fn decode_keyframes(mut self, on: bool) -> Self {
        self.keyframes = on;
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

    /// The next output, if any.
    pub fn poll(&mut self) -> Option<DecoderOutput> {
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
                Ok(_) => {
                    self.header_done = true;
                    self.consume(HEADER_LEN);
                }
                Err(e) => {
                    self.failed = true;
                    self.outputs.push_back(DecoderOutput::Error(e));
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
            let decoded =
                frame::decode_payload(payload, &self.limits, chunk, offset, hash, self.keyframes);
            self.consume(FRAME_HEAD + len);
            match decoded {
                Ok(c) => {
                    self.next_chunk = usize::try_from(c.index)
                        .unwrap_or(chunk)
                        .max(chunk)
                        .saturating_add(1);
                    self.outputs.push_back(DecoderOutput::Chunk(c));
                }
                Err(e) => {
                    self.next_chunk += 1;
                    self.outputs.push_back(DecoderOutput::Error(e));
                }
            }
        }
    }

    fn damaged(&mut self, e: CodecError) {
        self.outputs.push_back(DecoderOutput::Error(e));
        self.next_chunk += 1;
        // Skip this magic and look for the next chunk.
        self.consume(1);
        self.resyncing = true;
    }

    /// Ends the stream: reports a truncated last chunk, if any, and hands out what
    /// remains.
    pub fn finish(&mut self) -> Option<DecoderOutput> {
        self.run();
        if !self.header_done && !self.failed {
            self.failed = true;
            self.outputs
                .push_back(DecoderOutput::Error(if self.buf.is_empty() {
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
            self.outputs
                .push_back(DecoderOutput::Error(CodecError::Truncated {
                    chunk: self.next_chunk,
                    offset: start,
                    missing: need.saturating_sub(have),
                }));
            self.next_chunk += 1;
            if let Some(p) = find_magic(&rest, 1) {
                self.base = start + p;
                self.buf = rest.get(p..).unwrap_or_default().to_vec();
                self.run();
                return self.finish();
            }
            self.base = start + have;
        }
        self.buf.clear();
        self.poll()
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

/// Decodes a whole stream: the events of every intact chunk, in order, and the errors.
pub fn decode(bytes: &[u8]) -> (Vec<Event>, Vec<CodecError>) {
    // In order from the start: the keyframes are not needed, and not decoded.
    // Nor are the chunk hashes: only `verify` checks the chain.
    let (chunks, errors) = decode_chunks(bytes, Limits::DEFAULT, false, false);
    (chunks.into_iter().flat_map(|c| c.events).collect(), errors)
}

fn decode_chunks(
    bytes: &[u8],
    limits: Limits,
    keyframes: bool,
    hashes: bool,
) -> (Vec<DecodedChunk>, Vec<CodecError>) {
    let mut d = Decoder::with_limits(limits).decode_keyframes(keyframes);
    d.hashes = hashes;
    d.push(bytes);
    let mut chunks = Vec::new();
    let mut errors = Vec::new();
    let mut take = |o: DecoderOutput| match o {
        DecoderOutput::Chunk(c) => chunks.push(c),
        DecoderOutput::Error(e) => errors.push(e),
    };
    while let Some(o) = d.poll() {
        take(o);
    }
    if let Some(o) = d.finish() {
        take(o);
    }
    while let Some(o) = d.poll() {
        take(o);
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

/// Checks a stream for audits: every chunk's CRC, and the SHA-256 chain that makes a
/// deleted, reordered or edited chunk visible.
pub fn verify(bytes: &[u8]) -> VerifyReport {
    // Everything is decoded, keyframes included: a damaged keyframe is a damaged chunk.
    let (chunks, errors) = decode_chunks(bytes, Limits::DEFAULT, true, true);
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
