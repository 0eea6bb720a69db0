//! The streaming decoder: framing and resynchronisation after damage, segments, assets,
//! primers, and the accounting of what damage lost; also [`decode`], [`verify`],
//! [`assets_needed`] and [`primers_needed`].

use std::collections::VecDeque;

use super::assets::{AssetHash, AssetSource, AssetTable};
use super::body::{ReadBody, Segment, read_event_body};
use super::chunk::{ChainLink, ChunkKind, Continuity, DecodedChunk};
use super::compress::decompress_once;
use super::frame::{self, CHUNK_MAGIC, FRAME_HEAD, HEADER_LEN, PayloadHead};
use super::primer::PrimerTable;
use super::varint::Rd;
use crate::error::{CodecError, Recovered};
use crate::hash::FastMap;
use crate::limits::Limits;
use crate::model::Timestamp;

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
    /// Whether each chunk's SHA-256 is computed and every intact frame's link kept
    /// (for [`verify`]); [`decode`], which hands out only events, has no use for them.
    hashes: bool,
    /// Only asset chunks are read ([`assets_needed`]).
    assets_only: bool,
    /// Verifying ([`verify`]): every intact frame's link is kept, and a missing asset is
    /// not reported (its chunk's damage is, and a host's store is not needed).
    verifying: bool,
    header_done: bool,
    failed: bool,
    /// Chunks seen (intact or not), for naming damaged ones.
    next_chunk: usize,
    /// The open segment, `None` before the first keyframe chunk and after a loss.
    seg: Option<Segment>,
    /// A segment's memory, kept for the next one.
    spare: Segment,
    assets: AssetTable,
    /// Assets already reported missing.
    missing: FastMap<u64, ()>,
    /// Assets the stream declares as held by a host's store.
    external: Vec<AssetHash>,
    /// Primers the host gave, and those the stream names (when listing them).
    primers: PrimerTable,
    primers_named: Vec<AssetHash>,
    /// Verifying: the open segment starts from a primer the verifier lacks, so its
    /// chunks' bodies are not read (their frames and links are checked).
    opaque: bool,
    /// Damage not yet accounted for: the first and last chunk, and whether events
    /// were certainly lost (an unreadable event chunk) or only maybe (a damaged frame,
    /// which may have been an asset chunk).
    loss: Option<(usize, usize, bool)>,
    /// The timestamp of the last recorded event handed out.
    last_ts: Option<Timestamp>,
    /// The number the next event chunk has if none was lost.
    next_seq: u64,
    /// Every intact frame's index, link and hash, in order (when verifying).
    links: Vec<(u64, ChainLink, [u8; 32])>,
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
            assets_only: false,
            verifying: false,
            header_done: false,
            failed: false,
            next_chunk: 0,
            seg: None,
            spare: Segment::default(),
            assets: AssetTable::default(),
            missing: FastMap::default(),
            external: Vec::new(),
            primers: PrimerTable::default(),
            primers_named: Vec::new(),
            opaque: false,
            loss: None,
            last_ts: None,
            next_seq: 0,
            links: Vec::new(),
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

    /// Gives the decoder an asset from the host's store, for a stream written with
    /// [`AssetMode::External`](super::AssetMode::External) (before the bytes of the
    /// chunks that use it). Returns false, and keeps nothing, if `text` does not hash to
    /// `hash` or would take the decoder over its limits.
    pub fn add_asset(&mut self, hash: AssetHash, text: String) -> bool {
        self.assets.provide(hash, text, &self.limits)
    }

    /// Gives the decoder a primer from the host's store (see
    /// [`Encoder::set_primer`](super::Encoder::set_primer)), before the bytes of the
    /// chunks that start from it ([`primers_needed`] lists them). Returns false, and keeps
    /// nothing, if `bytes` do not hash to `hash` or the primers given would exceed
    /// [`Limits::decoded_bytes`].
    pub fn add_primer(&mut self, hash: AssetHash, bytes: &[u8]) -> bool {
        self.primers.provide(hash, bytes, self.limits.decoded_bytes)
    }

    /// Feeds bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.failed {
            return;
        }
        self.buf.extend_from_slice(bytes);
        self.run();
    }

    /// The next chunk, or an error for a damaged or unreadable part (decoding goes on
    /// at the next chunk); `None` when nothing more is ready. After damage, the chunks
    /// of the damaged segment that follow cannot be read: they are covered by one
    /// [`CodecError::Lost`], which comes just before the keyframe chunk where reading
    /// resumes ([`Continuity::Resumed`]), or at the end.
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
                Ok(_) => {
                    self.header_done = true;
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
            // The payload is read in place: the buffer is lent out while the chunk is
            // read (reading never touches it), so no chunk is copied on its way in.
            let buf = std::mem::take(&mut self.buf);
            self.next_chunk += 1;
            self.intact(
                buf.get(FRAME_HEAD..FRAME_HEAD + len).unwrap_or_default(),
                chunk,
                offset,
                hash,
            );
            self.buf = buf;
            self.consume(FRAME_HEAD + len);
        }
    }

    /// Notes damage at `chunk`: events may be lost, which the next chunk read tells.
    fn note_loss(&mut self, chunk: usize, certain: bool) {
        self.loss = Some(match self.loss {
            Some((first, _, c)) => (first, chunk, c || certain),
            None => (chunk, chunk, certain),
        });
    }

    /// Reports the loss being accounted for, if events were lost, up to `until`.
    fn close_loss(&mut self, lost: bool, until: Option<Timestamp>) {
        if let Some((chunk, last_chunk, certain)) = self.loss.take()
            && (lost || certain)
        {
            self.outputs.push_back(Err(CodecError::Lost {
                chunk,
                last_chunk,
                after: self.last_ts,
                until,
            }));
        }
    }

    /// Reads an intact frame's payload (CRC checked).
    fn intact(&mut self, payload: &[u8], chunk: usize, offset: usize, hash: [u8; 32]) {
        let mut rd = Rd::new(payload);
        let head = match PayloadHead::read(&mut rd) {
            Ok(h) => h,
            Err(e) => {
                self.lose_segment(chunk);
                self.outputs.push_back(Err(e.in_chunk(chunk)));
                return;
            }
        };
        if self.verifying {
            self.links.push((head.index, head.link, hash));
        }
        let body = payload.get(rd.pos..).unwrap_or_default();
        let out = |kind, continuity, r: ReadBody| DecodedChunk {
            index: head.index,
            prev_hash: head.link,
            hash,
            kind,
            continuity,
            keyframe: r.keyframe,
            events: r.events,
            offset,
        };
        match head.kind() {
            ChunkKind::Assets => match self.read_assets(&head, body) {
                Ok(()) => self.outputs.push_back(Ok(out(
                    ChunkKind::Assets,
                    Continuity::Unbroken,
                    ReadBody::default(),
                ))),
                Err(e) => self.outputs.push_back(Err(e.in_chunk(chunk))),
            },
            _ if self.assets_only => {
                if let Some(h) = head.primer
                    && !self.primers_named.iter().any(|p| p.0 == h)
                {
                    self.primers_named.push(AssetHash(h));
                }
            }
            _ if self.verifying && self.unprimed(&head) => {
                // The verifier has no store: the segment is checked frame by frame.
                self.next_seq = head.seq.saturating_add(1);
                self.seg = None;
                self.opaque = true;
            }
            ChunkKind::Continuation if self.opaque && head.seq == self.next_seq => {
                self.next_seq = head.seq.saturating_add(1);
            }
            ChunkKind::Keyframe => {
                // Nothing is lost if the reader has every event chunk before it.
                let whole = head.seq == self.next_seq;
                if !whole {
                    // Event chunks before it are missing: the damage seen was one of
                    // them, or (none seen) they were cut out before this chunk.
                    self.loss = Some(match self.loss {
                        Some((first, last, _)) => (first, last, true),
                        None => (chunk, chunk, true),
                    });
                }
                let resumed = !whole || self.loss.as_ref().is_some_and(|l| l.2);
                let mut seg = self
                    .seg
                    .take()
                    .unwrap_or_else(|| std::mem::take(&mut self.spare));
                let decode_keyframe = self.keyframes == KeyframeDecoding::Decode || resumed;
                self.opaque = false;
                match self.read_events(&head, body, true, decode_keyframe, &mut seg) {
                    Ok(r) => {
                        self.next_seq = head.seq.saturating_add(1);
                        self.seg = Some(seg);
                        self.close_loss(resumed, r.events.first().map(|e| e.timestamp));
                        self.missing_assets(chunk, &r);
                        self.last_ts = r.events.last().map(|e| e.timestamp).or(self.last_ts);
                        let continuity = if resumed {
                            Continuity::Resumed
                        } else {
                            Continuity::Unbroken
                        };
                        self.outputs
                            .push_back(Ok(out(ChunkKind::Keyframe, continuity, r)));
                    }
                    Err(e) => {
                        self.spare = seg;
                        self.lose_segment(chunk);
                        self.outputs.push_back(Err(e.in_chunk(chunk)));
                    }
                }
            }
            ChunkKind::Continuation => {
                let next = self.next_seq;
                let Some(mut seg) = self.seg.take().filter(|_| head.seq == next) else {
                    // It continues a segment the reader lost (or never had).
                    self.lose_segment(chunk);
                    return;
                };
                match self.read_events(&head, body, false, false, &mut seg) {
                    Ok(r) => {
                        self.next_seq = head.seq.saturating_add(1);
                        self.seg = Some(seg);
                        // Nothing of the segment is missing: the damage before was not
                        // one of its chunks.
                        self.loss = None;
                        self.missing_assets(chunk, &r);
                        self.last_ts = r.events.last().map(|e| e.timestamp).or(self.last_ts);
                        self.outputs.push_back(Ok(out(
                            ChunkKind::Continuation,
                            Continuity::Unbroken,
                            r,
                        )));
                    }
                    Err(e) => {
                        self.spare = seg;
                        self.lose_segment(chunk);
                        self.outputs.push_back(Err(e.in_chunk(chunk)));
                    }
                }
            }
        }
    }

    /// The open segment cannot go on: its events from `chunk` on are lost.
    fn lose_segment(&mut self, chunk: usize) {
        if let Some(s) = self.seg.take() {
            self.spare = s;
        }
        self.note_loss(chunk, true);
    }

    /// Whether `head` starts from a primer the reader was not given.
    fn unprimed(&self, head: &PayloadHead) -> bool {
        head.primer.is_some_and(|h| self.primers.get(&h).is_none())
    }

    fn read_assets(&mut self, head: &PayloadHead, body: &[u8]) -> Result<(), CodecError> {
        let owned;
        let body = if head.compressed() {
            owned = decompress_once(body, head.dictionary(), self.limits.chunk_bytes)?;
            &owned
        } else {
            body
        };
        let external = self.assets.read_body(body, &self.limits)?;
        self.external.extend(external);
        Ok(())
    }

    fn read_events(
        &mut self,
        head: &PayloadHead,
        body: &[u8],
        keyframe_chunk: bool,
        decode_keyframe: bool,
        seg: &mut Segment,
    ) -> Result<ReadBody, CodecError> {
        let owned;
        let body = if head.compressed() {
            let primer = match head.primer {
                Some(h) => Some(self.primers.get(&h).ok_or(CodecError::MissingPrimer {
                    chunk: 0,
                    primer: AssetHash(h),
                })?),
                None => head.dictionary(),
            };
            owned = seg
                .unzip
                .decompress(body, head.fresh(), primer, self.limits.chunk_bytes)?;
            &owned
        } else {
            seg.unzip.restart();
            body
        };
        read_event_body(
            body,
            keyframe_chunk,
            decode_keyframe,
            seg,
            &self.assets,
            &self.limits,
        )
    }

    /// Reports, once each, the assets a chunk referred to that the reader lacks.
    fn missing_assets(&mut self, chunk: usize, r: &ReadBody) {
        if self.verifying {
            return;
        }
        for &asset in &r.missing {
            if self.missing.insert(asset, ()).is_none() {
                self.outputs
                    .push_back(Err(CodecError::MissingAsset { chunk, asset }));
            }
        }
    }

    fn damaged(&mut self, e: CodecError) {
        self.outputs.push_back(Err(e));
        self.note_loss(self.next_chunk, false);
        self.next_chunk += 1;
        // Skip this magic and look for the next chunk.
        self.consume(1);
        self.resyncing = true;
    }

    /// Ends the stream: queues an error for a truncated last chunk, if any, every
    /// intact chunk found after it, and the loss the damage at the end caused; drain
    /// them with [`Decoder::poll_chunk`].
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
                self.note_loss(self.next_chunk, false);
                self.next_chunk += 1;
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
        // Damage at the end: whatever followed it is gone.
        self.close_loss(true, None);
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
/// of every chunk read, in order, and an error for each damaged part.
///
/// After a damaged or missing chunk, the rest of its segment cannot be read; the loss is
/// reported as one [`CodecError::Lost`] with the times between which events are
/// missing, and the next keyframe chunk's keyframe comes before its events, so that
/// replay goes on from the right page state. A clean stream decodes to exactly the
/// events encoded. For a stream whose assets are in a host's store, see
/// [`decode_with_assets`].
pub fn decode(bytes: &[u8], limits: &Limits) -> Recovered<CodecError> {
    decode_inner(bytes, limits, None)
}

/// [`decode`], for a stream written with
/// [`AssetMode::External`](super::AssetMode::External): its assets come from `store`
/// (fetch the ones [`assets_needed`] lists). An asset the store lacks is reported
/// ([`CodecError::MissingAsset`]) and its strings read as empty.
pub fn decode_with_assets(
    bytes: &[u8],
    limits: &Limits,
    store: &dyn AssetSource,
) -> Recovered<CodecError> {
    decode_inner(bytes, limits, Some(store))
}

fn decode_inner(
    bytes: &[u8],
    limits: &Limits,
    store: Option<&dyn AssetSource>,
) -> Recovered<CodecError> {
    // In order from the start: keyframes are not needed, and not decoded, except after a
    // loss. Nor are the chunk hashes: only `verify` checks the chain.
    let mut d = Decoder::new()
        .with_limits(*limits)
        .with_keyframes(KeyframeDecoding::Skip);
    d.hashes = false;
    if let Some(store) = store {
        // One pass over the stream's plain heads and asset chunks finds both.
        let scan = store_scan(bytes, limits);
        for h in scan.external {
            if let Some(text) = store.asset(&h) {
                d.add_asset(h, text.to_owned());
            }
        }
        for h in scan.primers_named {
            if let Some(p) = store.primer(&h) {
                d.add_primer(h, p);
            }
        }
    }
    d.push(bytes);
    d.finish();
    let mut out = Recovered::default();
    while let Some(o) = d.poll_chunk() {
        match o {
            Ok(c) => {
                // The keyframe is empty unless the chunk resumes after a loss.
                out.events.extend(c.keyframe);
                out.events.extend(c.events);
            }
            Err(e) => out.errors.push(e),
        }
    }
    out
}

/// The assets a stream declares as held by a host's store
/// ([`AssetMode::External`](super::AssetMode::External)), in the order it declares
/// them: what to fetch before [`decode_with_assets`] or [`Decoder::add_asset`].
pub fn assets_needed(bytes: &[u8], limits: &Limits) -> Vec<AssetHash> {
    store_scan(bytes, limits).external
}

/// A decoder run over `bytes` that reads only asset chunks and chunk heads: what a
/// stream needs from a host's store (its `external` assets and `primers_named`).
fn store_scan(bytes: &[u8], limits: &Limits) -> Decoder {
    let mut d = Decoder::new().with_limits(*limits);
    d.hashes = false;
    d.assets_only = true;
    d.push(bytes);
    d.finish();
    d
}

/// The primers a stream's chunks start from ([`Encoder::set_primer`](super::Encoder::set_primer)),
/// in the order the stream names them: what to fetch before [`decode_with_assets`]
/// or [`Decoder::add_primer`].
pub fn primers_needed(bytes: &[u8], limits: &Limits) -> Vec<AssetHash> {
    store_scan(bytes, limits).primers_named
}

/// What [`verify`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyReport {
    /// Intact chunks (CRC right), whether or not their events could be read.
    pub chunks: usize,
    /// Damaged or unreadable parts.
    pub errors: Vec<CodecError>,
    /// Positions (among intact chunks) whose recorded index or link to the previous
    /// chunk's hash does not follow from the chunk before: a chunk deleted, reordered
    /// or edited.
    pub chain_breaks: Vec<usize>,
}

impl VerifyReport {
    /// True when every chunk is intact and the chain is unbroken.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty() && self.chain_breaks.is_empty() && self.chunks > 0
    }
}

/// Checks a stream for audits, within `limits`: every chunk's CRC, that every chunk
/// reads, and the SHA-256 chain that makes a deleted, reordered or edited chunk visible.
/// Assets held by a host's store are not needed.
pub fn verify(bytes: &[u8], limits: &Limits) -> VerifyReport {
    // Everything is decoded, keyframes included: a damaged keyframe is a damaged chunk.
    let mut d = Decoder::new().with_limits(*limits);
    d.verifying = true;
    d.push(bytes);
    d.finish();
    let mut errors = Vec::new();
    while let Some(o) = d.poll_chunk() {
        if let Err(e) = o {
            errors.push(e);
        }
    }
    let mut report = VerifyReport {
        chunks: d.links.len(),
        errors,
        chain_breaks: Vec::new(),
    };
    let mut prev: Option<&(u64, ChainLink, [u8; 32])> = None;
    for (i, c) in d.links.iter().enumerate() {
        let ok = match prev {
            None => c.0 == 0 && c.1 == ChainLink::Full([0; 32]),
            Some(p) => p.0.checked_add(1) == Some(c.0) && c.1.follows(&p.2),
        };
        if !ok {
            report.chain_breaks.push(i);
        }
        prev = Some(c);
    }
    report
}
