//! Assets: long strings (stylesheets, long texts, `data:` URLs) stored once per stream,
//! or once per site in a host's store, and referred to by number from every segment.
//!
//! A keyframe repeats the page, and most of a page's bytes are a few long strings: its
//! stylesheets above all. Stored in the string table of each segment, they were the
//! larger part of every keyframe. Stored once, as assets, a keyframe refers to them by
//! number, and a host that keeps an asset store ([`AssetMode::External`]) across the
//! sessions of a site stores the same stylesheet once for all of them.
//!
//! The encoder's [`Registry`] gives each distinct long string a number (in the order of
//! first use in the stream) and its SHA-256. Assets are written in asset chunks, which
//! come right before the chunk that first uses them (see "Asset chunks" in
//! `docs/FORMAT.md`); the decoder's [`AssetTable`] keeps them by number for the rest of
//! the stream. An asset that is damaged, or held by a store the reader was not given,
//! is reported ([`crate::CodecError::MissingAsset`]) and reads as an empty string.

use sha2::{Digest, Sha256};

use super::CodecError;
use super::varint::{Buf, Rd};
use crate::hash::FastMap;
use crate::limits::Limits;

/// The SHA-256 of an asset's text: its name in any store.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AssetHash(pub [u8; 32]);

impl AssetHash {
    /// The hash of `text`.
    pub fn of(text: &str) -> Self {
        Self::of_bytes(text.as_bytes())
    }

    /// The hash of `bytes` (a primer's name).
    pub(crate) fn of_bytes(bytes: &[u8]) -> Self {
        AssetHash(Sha256::digest(bytes).into())
    }
}

impl std::fmt::Display for AssetHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl std::fmt::Debug for AssetHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AssetHash({self})")
    }
}

/// An asset for a host's store: its hash and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    /// The SHA-256 of `text`.
    pub hash: AssetHash,
    /// The asset: a stylesheet, a long text, a `data:` URL.
    pub text: String,
}

/// Where a stream's assets are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum AssetMode {
    /// In the stream itself, each once: the stream is complete and self-describing.
    #[default]
    Inline,
    /// In the host's store: the stream carries each asset's hash and length only, and
    /// [`Encoder::poll_asset`](super::Encoder::poll_asset) hands out each asset the
    /// stream uses (once per stream) for the host to store under its hash. A reader
    /// needs the store: [`Decoder::add_asset`](super::Decoder::add_asset), or
    /// [`decode_with_assets`](super::decode_with_assets).
    External,
}

/// A host's asset store, as a reader sees it: the text of an asset by its hash, and
/// the bytes of a primer ([`Primer`](super::Primer)) by its hash.
pub trait AssetSource {
    /// The text stored under `hash`, if the store has it.
    fn asset(&self, hash: &AssetHash) -> Option<&str>;

    /// The primer stored under `hash`, if the store has it (a store that keeps none
    /// need not say).
    fn primer(&self, hash: &AssetHash) -> Option<&[u8]> {
        let _ = hash;
        None
    }
}

impl<S: std::hash::BuildHasher> AssetSource for std::collections::HashMap<AssetHash, String, S> {
    fn asset(&self, hash: &AssetHash) -> Option<&str> {
        self.get(hash).map(String::as_str)
    }
}

impl AssetSource for std::collections::BTreeMap<AssetHash, String> {
    fn asset(&self, hash: &AssetHash) -> Option<&str> {
        self.get(hash).map(String::as_str)
    }
}

/// The encoder's assets: every long string the stream stored, by hash, with its number,
/// and those not yet written in an asset chunk.
#[derive(Default)]
pub(crate) struct Registry {
    /// Every asset of the stream: its number.
    numbers: FastMap<[u8; 32], u64>,
    /// The next asset's number.
    next: u64,
    /// Assets numbered since the last asset chunk, in number order.
    fresh: Vec<Asset>,
}

impl Registry {
    /// The number of the asset `text`, numbering it if the stream has not stored it.
    pub(crate) fn intern(&mut self, text: &str) -> u64 {
        let hash = AssetHash::of(text);
        if let Some(&no) = self.numbers.get(&hash.0) {
            return no;
        }
        let no = self.next;
        self.next = self.next.saturating_add(1);
        self.numbers.insert(hash.0, no);
        self.fresh.push(Asset {
            hash,
            text: text.to_owned(),
        });
        no
    }

    /// Assets numbered since the last asset chunk.
    pub(crate) fn fresh(&self) -> &[Asset] {
        &self.fresh
    }

    /// Takes the fresh assets (once they are written).
    pub(crate) fn take_fresh(&mut self) -> Vec<Asset> {
        std::mem::take(&mut self.fresh)
    }

    /// The number of the first fresh asset.
    pub(crate) fn first_fresh(&self) -> u64 {
        self.next.saturating_sub(self.fresh.len() as u64)
    }

    /// Every asset's hash, in number order (for saved encoder state).
    pub(crate) fn hashes(&self) -> Vec<[u8; 32]> {
        let mut all: Vec<_> = self.numbers.iter().map(|(h, &n)| (n, *h)).collect();
        all.sort_unstable();
        all.into_iter().map(|(_, h)| h).collect()
    }

    /// A registry that has stored `hashes`, numbered in order, none fresh.
    pub(crate) fn from_hashes(hashes: Vec<[u8; 32]>) -> Self {
        let next = hashes.len() as u64;
        Registry {
            numbers: hashes.into_iter().zip(0..).collect(),
            next,
            fresh: Vec::new(),
        }
    }
}

/// Entry kinds in an asset chunk.
const INLINE: u8 = 0;
const EXTERNAL: u8 = 1;

/// Writes an asset chunk's body: the first asset's number, the count, per asset its kind
/// (`0` stored here, `1` in the host's store), its hash (only for the host's store: a
/// reader hashes what it holds if it needs to) and byte length, then the text of the
/// assets stored here, one after another.
pub(crate) fn write_asset_body(first: u64, assets: &[Asset], mode: AssetMode, body: &mut Buf) {
    body.uv(first);
    body.uv(assets.len() as u64);
    let kind = match mode {
        AssetMode::Inline => INLINE,
        AssetMode::External => EXTERNAL,
    };
    for a in assets {
        body.u8(kind);
        if kind == EXTERNAL {
            body.raw(&a.hash.0);
        }
        body.uv(a.text.len() as u64);
    }
    if kind == INLINE {
        for a in assets {
            body.raw(a.text.as_bytes());
        }
    }
}

/// An asset as the reader holds it.
#[derive(Debug, Clone)]
enum Slot {
    /// Its text, from an asset chunk.
    Inline(String),
    /// In the host's store: its hash and length.
    External(AssetHash, usize),
}

/// The reader's assets: every asset the stream declared so far, by number, and the
/// texts a host's store provided.
#[derive(Debug, Default)]
pub(crate) struct AssetTable {
    slots: FastMap<u64, Slot>,
    /// Texts from the host's store, by hash (checked against it).
    provided: FastMap<[u8; 32], String>,
    /// Bytes of text held (inline and provided), against `Limits::decoded_bytes`.
    bytes: usize,
}

impl AssetTable {
    /// Adds an asset from the host's store; ignored (false) unless `text` hashes to
    /// `hash`, or if it would take the table over `limits`.
    pub(crate) fn provide(&mut self, hash: AssetHash, text: String, limits: &Limits) -> bool {
        if self.provided.contains_key(&hash.0) {
            return true;
        }
        if AssetHash::of(&text) != hash
            || self.bytes.saturating_add(text.len()) > limits.decoded_bytes
        {
            return false;
        }
        self.bytes += text.len();
        self.provided.insert(hash.0, text);
        true
    }

    /// Reads an asset chunk's body into the table. Every count and length is checked
    /// against the bytes left and against `limits` first. Returns the hashes of the
    /// assets it declares as held by the host's store.
    pub(crate) fn read_body(
        &mut self,
        body: &[u8],
        limits: &Limits,
    ) -> Result<Vec<AssetHash>, CodecError> {
        let bad = |offset: usize, what: &'static str| CodecError::Malformed {
            chunk: 0,
            offset,
            what,
        };
        let mut rd = Rd::new(body);
        let first = rd.uv()?;
        // Each entry takes at least 2 bytes: kind, length.
        let n = rd.count(2, limits.nodes)?;
        if self.slots.len().saturating_add(n) > limits.nodes {
            return Err(CodecError::LimitExceeded {
                chunk: 0,
                what: "assets in a stream",
                limit: limits.nodes,
            });
        }
        let mut heads = Vec::with_capacity(n);
        let mut inline = 0usize;
        for _ in 0..n {
            let at = rd.pos;
            let kind = rd.u8()?;
            let mut hash = [0u8; 32];
            if kind == EXTERNAL {
                hash.copy_from_slice(rd.take(32)?);
            }
            let len = usize::try_from(rd.uv()?).unwrap_or(usize::MAX);
            if len > limits.string_len {
                return Err(CodecError::LimitExceeded {
                    chunk: 0,
                    what: "asset length",
                    limit: limits.string_len,
                });
            }
            match kind {
                INLINE => inline = inline.saturating_add(len),
                EXTERNAL => {}
                _ => return Err(bad(at, "unknown asset kind")),
            }
            heads.push((kind, AssetHash(hash), len));
        }
        if self.bytes.saturating_add(inline) > limits.decoded_bytes {
            return Err(CodecError::LimitExceeded {
                chunk: 0,
                what: "asset text in a stream",
                limit: limits.decoded_bytes,
            });
        }
        let at = rd.pos;
        let text = rd.take(inline)?;
        if rd.left() > 0 {
            return Err(bad(rd.pos, "trailing bytes after the assets"));
        }
        let text = std::str::from_utf8(text).map_err(|_| bad(at, "asset is not UTF-8"))?;
        let mut start = 0usize;
        let mut external = Vec::new();
        for (i, (kind, hash, len)) in heads.into_iter().enumerate() {
            let no = first.saturating_add(i as u64);
            let slot = if kind == INLINE {
                let s = text
                    .get(start..start + len)
                    .ok_or_else(|| bad(at + start, "asset is not UTF-8"))?;
                start += len;
                Slot::Inline(s.to_owned())
            } else {
                external.push(hash);
                Slot::External(hash, len)
            };
            self.slots.insert(no, slot);
        }
        self.bytes += inline;
        Ok(external)
    }

    /// Appends asset `no`'s text to `out`; false (nothing appended) if the stream's
    /// asset chunk for it was lost or the host's store did not provide it.
    pub(crate) fn append(&self, no: u64, out: &mut String) -> bool {
        let text = match self.slots.get(&no) {
            Some(Slot::Inline(s)) => Some(s.as_str()),
            Some(Slot::External(h, len)) => self
                .provided
                .get(&h.0)
                .map(String::as_str)
                .filter(|s| s.len() == *len),
            None => None,
        };
        match text {
            Some(t) => {
                out.push_str(t);
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(first: u64, texts: &[&str], mode: AssetMode) -> Vec<u8> {
        let assets: Vec<Asset> = texts
            .iter()
            .map(|t| Asset {
                hash: AssetHash::of(t),
                text: (*t).to_owned(),
            })
            .collect();
        let mut b = Buf::default();
        write_asset_body(first, &assets, mode, &mut b);
        b.bytes
    }

    #[test]
    fn inline_assets_read_back_by_number() {
        let mut t = AssetTable::default();
        let ext = t
            .read_body(
                &body(3, &["a { color: red }", "é€"], AssetMode::Inline),
                &Limits::DEFAULT,
            )
            .unwrap();
        assert!(ext.is_empty());
        let mut s = String::new();
        assert!(t.append(4, &mut s));
        assert!(t.append(3, &mut s));
        assert_eq!(s, "é€a { color: red }");
        assert!(!t.append(5, &mut s));
    }

    #[test]
    fn external_assets_need_the_right_text() {
        let mut t = AssetTable::default();
        let ext = t
            .read_body(&body(0, &["body{}"], AssetMode::External), &Limits::DEFAULT)
            .unwrap();
        assert_eq!(ext, vec![AssetHash::of("body{}")]);
        let mut s = String::new();
        assert!(!t.append(0, &mut s));
        assert!(!t.provide(AssetHash::of("body{}"), "p{}".into(), &Limits::DEFAULT));
        assert!(t.provide(AssetHash::of("body{}"), "body{}".into(), &Limits::DEFAULT));
        assert!(t.append(0, &mut s));
        assert_eq!(s, "body{}");
    }

    #[test]
    fn every_truncation_is_an_error() {
        let b = body(0, &["one asset", "two"], AssetMode::Inline);
        for n in 0..b.len() {
            assert!(
                AssetTable::default()
                    .read_body(&b[..n], &Limits::DEFAULT)
                    .is_err()
            );
        }
        let mut long = b.clone();
        long.push(0);
        assert!(
            AssetTable::default()
                .read_body(&long, &Limits::DEFAULT)
                .is_err()
        );
    }

    #[test]
    fn the_registry_numbers_each_text_once() {
        let mut r = Registry::default();
        assert_eq!(r.intern("x"), 0);
        assert_eq!(r.intern("y"), 1);
        assert_eq!(r.intern("x"), 0);
        assert_eq!(r.fresh().len(), 2);
        assert_eq!(r.first_fresh(), 0);
        r.take_fresh();
        assert_eq!(r.intern("z"), 2);
        assert_eq!(r.first_fresh(), 2);
        let back = Registry::from_hashes(r.hashes());
        assert_eq!(back.numbers, r.numbers);
    }
}
