//! What a decoded chunk is: its kind (keyframe or continuation) and how it stands to the
//! chunks a reader got before it.

use crate::model::Event;

/// Whether a chunk opens with the page state or continues the chunk before it (the
/// keyframe flag of its frame, see "Chunk frame" in `docs/FORMAT.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChunkKind {
    /// It opens with a keyframe: the page state at its start, as events (none for the
    /// first chunk, and for one before any snapshot, whose state is empty). A reader can
    /// start here.
    Keyframe,
    /// It opens with no keyframe and continues the page state of the chunk before it:
    /// the encoder opened it after [`Encoder::flush`](super::Encoder::flush), before the
    /// keyframe cadence was due. Its events replay correctly only after every chunk back
    /// to the last keyframe chunk.
    Continuation,
}

/// How a chunk stands to the chunks a [`Decoder`](super::Decoder) handed out before it:
/// what a reader going through the stream in order does with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Continuity {
    /// Nothing is missing before it: replay its events after the previous chunk's.
    Unbroken,
    /// A keyframe chunk after a gap (a damaged or missing chunk, orphaned chunks, or the
    /// start of a stream read from the middle): the page state read so far is stale or
    /// absent. Replay its keyframe, then its events; the keyframe is decoded even with
    /// [`KeyframeDecoding::Skip`](super::KeyframeDecoding::Skip).
    Resumed,
    /// A continuation chunk after a gap: the page state its events continue from is lost,
    /// so they cannot be replayed correctly (a mutation may name nodes the lost chunk
    /// added). So are the continuation chunks after it, up to the next keyframe chunk.
    /// The events are still handed out (intact, for a reader that does not replay);
    /// [`decode`](super::decode) leaves them out and reports
    /// [`CodecError::Orphaned`](crate::CodecError::Orphaned).
    Orphaned,
}

impl Continuity {
    /// The continuity of a chunk of `kind` recording `index`, for a reader that expects
    /// `expect` next (`None` after a gap: damage, a missing chunk, orphaned chunks).
    pub(crate) fn of(kind: ChunkKind, index: u64, expect: Option<u64>) -> Self {
        let gap = expect != Some(index);
        match (kind, gap) {
            (_, false) => Continuity::Unbroken,
            (ChunkKind::Keyframe, true) => Continuity::Resumed,
            (ChunkKind::Continuation, true) => Continuity::Orphaned,
        }
    }
}

/// A chunk as decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedChunk {
    /// The index the chunk records (0, 1, 2, ...).
    pub index: u64,
    /// The SHA-256 of the previous chunk, as this chunk records it.
    pub prev_hash: [u8; 32],
    /// The SHA-256 of this chunk's frame.
    pub hash: [u8; 32],
    /// Whether it opens with a keyframe (a reader can start here) or continues the
    /// chunk before it. See also [`DecodedChunk::is_keyframe`].
    pub kind: ChunkKind,
    /// How it follows the chunks the decoder handed out before it.
    pub continuity: Continuity,
    /// The page state at the chunk's start, as events that rebuild it (empty for a
    /// continuation chunk, and for a chunk that starts before any snapshot). To start
    /// reading at a keyframe chunk, replay these, then [`DecodedChunk::events`].
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
    fn continuity_follows_the_kind_after_a_gap() {
        use ChunkKind::*;
        use Continuity::*;
        let cases = [
            (Keyframe, 0, Some(0), Unbroken),
            (Continuation, 3, Some(3), Unbroken),
            (Keyframe, 3, None, Resumed),
            (Keyframe, 4, Some(3), Resumed),
            (Continuation, 3, None, Orphaned),
            (Continuation, 2, Some(3), Orphaned),
            (Keyframe, u64::MAX, Some(0), Resumed),
        ];
        for (kind, index, expect, want) in cases {
            assert_eq!(
                Continuity::of(kind, index, expect),
                want,
                "{kind:?} {index}"
            );
        }
    }
}
