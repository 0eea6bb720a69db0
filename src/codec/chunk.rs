//! What a decoded chunk is: its kind (keyframe, continuation or assets), its link in
//! the chain, and how it stands to the chunks a reader got before it.

use crate::model::Event;

/// What a chunk holds (the flag of its frame, see "Chunk frame" in `docs/FORMAT.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChunkKind {
    /// It opens a segment with a keyframe: the page state at its start, as events (none
    /// for the first chunk, and for one before any snapshot, whose state is empty). A
    /// reader can start here.
    Keyframe,
    /// It continues the segment of the chunk before it: its events, string references
    /// and compressed bytes go on from there, so it is read only after every chunk of
    /// its segment.
    Continuation,
    /// Assets (long strings stored once per stream) that later chunks refer to. No
    /// events.
    Assets,
}

/// How a chunk stands to the chunks a [`Decoder`](super::Decoder) handed out before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Continuity {
    /// Nothing is missing before it: replay its events after the previous chunk's.
    Unbroken,
    /// A keyframe chunk after a loss (a damaged or missing chunk, or the start of a
    /// stream read from the middle): the page state read so far is stale or absent.
    /// Replay its keyframe, then its events; the keyframe is decoded even with
    /// [`KeyframeDecoding::Skip`](super::KeyframeDecoding::Skip).
    Resumed,
}

/// A chunk's link to the chunk before it in the SHA-256 chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChainLink {
    /// The previous chunk's whole hash (zeros for the first chunk): in keyframe chunks,
    /// where a reader may start.
    Full([u8; 32]),
    /// The first 8 bytes of the previous chunk's hash: in the other chunks, which are
    /// many and small when a host flushes often. 64 bits still make a chunk deleted,
    /// reordered or spliced in show.
    Short([u8; 8]),
}

impl ChainLink {
    /// Whether this link names the chunk whose hash is `prev`.
    pub fn follows(&self, prev: &[u8; 32]) -> bool {
        match self {
            ChainLink::Full(h) => h == prev,
            ChainLink::Short(h) => prev.get(..8) == Some(&h[..]),
        }
    }
}

/// A chunk as decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedChunk {
    /// The index the chunk records (0, 1, 2, ...).
    pub index: u64,
    /// Its link to the previous chunk, as it records it.
    pub prev_hash: ChainLink,
    /// The SHA-256 of this chunk's frame.
    pub hash: [u8; 32],
    /// What it holds. See also [`DecodedChunk::is_keyframe`].
    pub kind: ChunkKind,
    /// How it follows the chunks the decoder handed out before it.
    pub continuity: Continuity,
    /// The page state at the chunk's start, as events that rebuild it (empty but for a
    /// keyframe chunk whose keyframe was decoded, and empty for a chunk that starts
    /// before any snapshot). To start reading at a keyframe chunk, replay these, then
    /// [`DecodedChunk::events`].
    pub keyframe: Vec<Event>,
    /// The recorded events of this chunk.
    pub events: Vec<Event>,
    /// Where the frame starts in the stream.
    pub offset: usize,
}

impl DecodedChunk {
    /// True for a keyframe chunk: one a reader (seeking, or resuming after damage) can
    /// start at.
    pub fn is_keyframe(&self) -> bool {
        self.kind == ChunkKind::Keyframe
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_follow_only_their_chunk() {
        let h = [3u8; 32];
        let mut other = h;
        other[31] = 4;
        assert!(ChainLink::Full(h).follows(&h));
        assert!(!ChainLink::Full(h).follows(&other));
        assert!(ChainLink::Short([3; 8]).follows(&h));
        // Only the first 8 bytes are compared.
        assert!(ChainLink::Short([3; 8]).follows(&other));
        other[0] = 0;
        assert!(!ChainLink::Short([3; 8]).follows(&other));
    }
}
