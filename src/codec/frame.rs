//! The file header and chunk frames: magic, length, CRC32, the payload's flag and the
//! plain fields before its body (index, chain link, sequence number), and the SHA-256
//! of a frame. What is inside a body is `body` (event chunks) and `assets` (asset chunks).

use bincode::{Decode, Encode};
use sha2::{Digest, Sha256};

use super::CodecError;
use super::chunk::{ChainLink, ChunkKind};
use super::varint::{Buf, Rd};

/// The file magic.
pub const FILE_MAGIC: [u8; 4] = *b"SRPL";
/// The chunk magic, which also lets a reader find the next chunk after damage.
pub const CHUNK_MAGIC: [u8; 4] = *b"SRCK";
/// The format version this crate writes and reads. Versions 1 and 2 were never
/// published and are not read.
pub const FORMAT_VERSION: u8 = 3;
/// Bytes in the file header.
pub const HEADER_LEN: usize = 8;
/// Bytes in a chunk frame before its payload: magic, length, CRC32.
pub(crate) const FRAME_HEAD: usize = 12;

/// Header flag: chunks may be compressed.
pub(crate) const FLAG_COMPRESSED: u8 = 1;

/// Payload flag: the body is brotli data.
pub(crate) const P_COMPRESSED: u8 = 1;
/// Payload flag: a keyframe chunk (it opens a segment).
pub(crate) const P_KEYFRAME: u8 = 2;
/// Payload flag: an asset chunk.
pub(crate) const P_ASSETS: u8 = 4;
/// Payload flag: a continuation chunk whose brotli data starts a new stream (the
/// writer could not continue the segment's, e.g. after a restore).
pub(crate) const P_FRESH: u8 = 8;
/// Payload flag: the brotli stream this chunk starts is primed with a primer from the
/// host's store, whose SHA-256 follows the sequence number.
pub(crate) const P_PRIMED: u8 = 16;
/// Payload flag: the brotli stream this chunk starts (or an asset chunk's body) starts
/// from the format's built-in dictionary (`dictionary`).
pub(crate) const P_DICT: u8 = 32;
const P_KNOWN: u8 = P_COMPRESSED | P_KEYFRAME | P_ASSETS | P_FRESH | P_PRIMED | P_DICT;

/// The file header (bincode, fixed-width integers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Encode, Decode)]
pub(crate) struct FileHeader {
    pub(crate) magic: [u8; 4],
    pub(crate) version: u8,
    pub(crate) flags: u8,
    pub(crate) reserved: u16,
}

fn header_config() -> impl bincode::config::Config {
    bincode::config::standard()
        .with_fixed_int_encoding()
        .with_limit::<HEADER_LEN>()
}

pub(crate) fn write_header(flags: u8) -> Vec<u8> {
    let h = FileHeader {
        magic: FILE_MAGIC,
        version: FORMAT_VERSION,
        flags,
        reserved: 0,
    };
    bincode::encode_to_vec(h, header_config()).unwrap_or_default()
}

pub(crate) fn read_header(b: &[u8]) -> Result<FileHeader, CodecError> {
    let (h, _): (FileHeader, usize) =
        bincode::decode_from_slice(b, header_config()).map_err(|_| CodecError::BadMagic)?;
    if h.magic != FILE_MAGIC {
        return Err(CodecError::BadMagic);
    }
    if h.version != FORMAT_VERSION {
        return Err(CodecError::UnsupportedVersion(h.version));
    }
    Ok(h)
}

/// SHA-256 of a whole frame.
pub(crate) fn frame_hash(frame: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(frame);
    h.finalize().into()
}

/// The plain fields at the start of a payload, before its (possibly compressed) body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PayloadHead {
    pub(crate) flag: u8,
    /// The chunk's index in the stream.
    pub(crate) index: u64,
    /// The previous chunk's hash: whole in a keyframe chunk (and the first chunk), its
    /// first 8 bytes otherwise.
    pub(crate) link: ChainLink,
    /// An event chunk's number among the stream's event chunks (0, 1, 2, ...: asset
    /// chunks not counted), so a reader knows whether it lost any event chunk, even a
    /// whole segment; 0 for an asset chunk, which does not write it.
    pub(crate) seq: u64,
    /// The primer's SHA-256, with [`P_PRIMED`].
    pub(crate) primer: Option<[u8; 32]>,
}

impl PayloadHead {
    pub(crate) fn kind(&self) -> ChunkKind {
        if self.flag & P_ASSETS != 0 {
            ChunkKind::Assets
        } else if self.flag & P_KEYFRAME != 0 {
            ChunkKind::Keyframe
        } else {
            ChunkKind::Continuation
        }
    }

    pub(crate) fn compressed(&self) -> bool {
        self.flag & P_COMPRESSED != 0
    }

    /// The bytes the compressed stream this chunk starts was started from: the
    /// built-in dictionary's part for the chunk's kind, if the flag says so. (A host's
    /// primer is looked up by `primer`.)
    pub(crate) fn dictionary(&self) -> Option<&'static [u8]> {
        use super::dictionary::{for_assets, for_events};
        (self.flag & P_DICT != 0).then(|| {
            if self.flag & P_ASSETS != 0 {
                for_assets()
            } else {
                for_events()
            }
        })
    }

    /// Whether the body's brotli data starts a stream of its own.
    pub(crate) fn fresh(&self) -> bool {
        self.flag & (P_KEYFRAME | P_ASSETS | P_FRESH) != 0
    }

    /// The link a chunk of this kind writes for the previous chunk's hash `prev`.
    pub(crate) fn link_for(flag: u8, index: u64, prev: &[u8; 32]) -> ChainLink {
        if index == 0 {
            ChainLink::Full([0; 32])
        } else if flag & P_KEYFRAME != 0 {
            ChainLink::Full(*prev)
        } else {
            let mut s = [0u8; 8];
            s.copy_from_slice(prev.get(..8).unwrap_or(&[0; 8]));
            ChainLink::Short(s)
        }
    }

    fn write(&self, out: &mut Buf) {
        out.u8(self.flag);
        out.uv(self.index);
        // Chunk 0 has no chunk before it: its link is zeros, and not written.
        match &self.link {
            _ if self.index == 0 => {}
            ChainLink::Full(h) => out.raw(h),
            ChainLink::Short(h) => out.raw(h),
        }
        if self.flag & P_ASSETS == 0 {
            out.uv(self.seq);
        }
        if let Some(h) = &self.primer {
            out.raw(h);
        }
    }

    /// Reads the plain fields; `rd` is left at the body.
    pub(crate) fn read(rd: &mut Rd<'_>) -> Result<Self, CodecError> {
        let at = rd.pos;
        let flag = rd.u8()?;
        let bad = |what| CodecError::Malformed {
            chunk: 0,
            offset: at,
            what,
        };
        if flag & !P_KNOWN != 0 {
            return Err(bad("unknown chunk flags"));
        }
        let kinds = flag & (P_KEYFRAME | P_ASSETS);
        if kinds == P_KEYFRAME | P_ASSETS || (kinds != 0 && flag & P_FRESH != 0) {
            return Err(bad("chunk flags that do not go together"));
        }
        // A primer starts an event chunk's compressed stream, and only that.
        if flag & P_PRIMED != 0 && (flag & P_COMPRESSED == 0 || flag & (P_KEYFRAME | P_FRESH) == 0)
        {
            return Err(bad("a primer on a chunk that starts no compressed stream"));
        }
        // The dictionary starts a compressed stream (an event segment's, or an asset
        // chunk's own), where no primer does.
        if flag & P_DICT != 0
            && (flag & (P_COMPRESSED | P_PRIMED) != P_COMPRESSED
                || flag & (P_KEYFRAME | P_FRESH | P_ASSETS) == 0)
        {
            return Err(bad(
                "the dictionary on a chunk that starts no compressed stream",
            ));
        }
        let index = rd.uv()?;
        let link = if index == 0 {
            ChainLink::Full([0; 32])
        } else if flag & P_KEYFRAME != 0 {
            let mut h = [0u8; 32];
            h.copy_from_slice(rd.take(32)?);
            ChainLink::Full(h)
        } else {
            let mut h = [0u8; 8];
            h.copy_from_slice(rd.take(8)?);
            ChainLink::Short(h)
        };
        let seq = if flag & P_ASSETS == 0 { rd.uv()? } else { 0 };
        if kinds == 0 && seq == 0 {
            return Err(bad("continuation chunk first in the stream"));
        }
        let primer = if flag & P_PRIMED != 0 {
            let mut h = [0u8; 32];
            h.copy_from_slice(rd.take(32)?);
            Some(h)
        } else {
            None
        };
        Ok(PayloadHead {
            flag,
            index,
            link,
            seq,
            primer,
        })
    }
}

/// Appends a frame to `out`: magic, length and CRC (filled in last), the payload's
/// plain fields, then the body that `body` appends (given `out`, it writes the body's
/// bytes in place, compressed or not). Returns the frame's hash.
pub(crate) fn write_frame(
    out: &mut Vec<u8>,
    head: &PayloadHead,
    body: impl FnOnce(&mut Vec<u8>),
) -> [u8; 32] {
    let start = out.len();
    out.extend_from_slice(&CHUNK_MAGIC);
    out.extend_from_slice(&[0; 8]);
    let payload_start = out.len();
    let mut h = Buf::default();
    head.write(&mut h);
    out.extend_from_slice(&h.bytes);
    body(out);
    let payload = out.get(payload_start..).unwrap_or_default();
    let mut lc = [0u8; 8];
    let (len, crc) = lc.split_at_mut(4);
    len.copy_from_slice(&(payload.len() as u32).to_le_bytes());
    crc.copy_from_slice(&crc32fast::hash(payload).to_le_bytes());
    if let Some(x) = out.get_mut(start + 4..payload_start) {
        x.copy_from_slice(&lc);
    }
    frame_hash(out.get(start..).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(head: PayloadHead) -> Result<PayloadHead, CodecError> {
        let mut b = Buf::default();
        head.write(&mut b);
        let mut rd = Rd::new(&b.bytes);
        let back = PayloadHead::read(&mut rd)?;
        assert_eq!(rd.left(), 0);
        Ok(back)
    }

    #[test]
    fn heads_round_trip_and_links_are_full_only_where_a_reader_starts() {
        let prev = [9u8; 32];
        for (flag, index, seq) in [
            (P_KEYFRAME | P_COMPRESSED, 0, 0),
            (P_KEYFRAME, 7, 0),
            (0, 3, 2),
            (P_FRESH | P_COMPRESSED, 4, 5),
            (P_ASSETS | P_COMPRESSED, 5, 0),
            (P_KEYFRAME | P_COMPRESSED | P_PRIMED, 0, 0),
            (P_FRESH | P_COMPRESSED | P_PRIMED, 6, 3),
            (P_KEYFRAME | P_COMPRESSED | P_DICT, 0, 0),
            (P_FRESH | P_COMPRESSED | P_DICT, 6, 3),
            (P_ASSETS | P_COMPRESSED | P_DICT, 5, 0),
        ] {
            let head = PayloadHead {
                flag,
                index,
                link: PayloadHead::link_for(flag, index, &prev),
                seq,
                primer: (flag & P_PRIMED != 0).then_some([7; 32]),
            };
            assert_eq!(round_trip(head).unwrap(), head);
            let full = matches!(head.link, ChainLink::Full(_));
            assert_eq!(full, flag & P_KEYFRAME != 0 || index == 0);
            assert!(head.link.follows(&prev) || index == 0);
        }
    }

    #[test]
    fn flags_that_do_not_go_together_are_malformed() {
        for flag in [
            64u8,
            128,
            P_KEYFRAME | P_ASSETS,
            P_KEYFRAME | P_FRESH,
            P_ASSETS | P_FRESH,
            P_PRIMED | P_KEYFRAME,
            P_PRIMED | P_COMPRESSED,
            P_PRIMED | P_ASSETS | P_COMPRESSED,
            // The dictionary: only where a compressed stream starts, never with a primer.
            P_DICT | P_KEYFRAME,
            P_DICT | P_COMPRESSED,
            P_DICT | P_ASSETS,
            P_DICT | P_PRIMED | P_KEYFRAME | P_COMPRESSED,
            P_DICT | P_FRESH,
            P_DICT | P_PRIMED | P_FRESH | P_COMPRESSED,
        ] {
            let head = PayloadHead {
                flag,
                index: 1,
                link: ChainLink::Full([0; 32]),
                seq: 1,
                primer: (flag & P_PRIMED != 0).then_some([7; 32]),
            };
            let mut b = Buf::default();
            head.write(&mut b);
            assert!(PayloadHead::read(&mut Rd::new(&b.bytes)).is_err(), "{flag}");
        }
        // A continuation chunk numbered 0: the stream's first event chunk.
        let head = PayloadHead {
            flag: 0,
            index: 2,
            link: PayloadHead::link_for(0, 2, &[0; 32]),
            seq: 0,
            primer: None,
        };
        assert!(round_trip(head).is_err());
    }
}
