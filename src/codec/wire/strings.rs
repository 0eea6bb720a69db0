//! The per-segment string table and string references: the writer's table and lookup,
//! and the reader's table and its resolution of a reference.
//!
//! Every string a segment (a keyframe chunk and the continuation chunks after it) uses
//! is stored once, in the chunk that first uses it, in the section (name, value, text) of
//! its first use, sections in the order of first use. A long value or text is stored
//! once per stream instead, as an asset (`codec::assets`), and its table entry holds the
//! asset's number. A reference is one `uv` in `refs` (see "String references" in
//! FORMAT.md):
//!
//! - `r < 3`: the first use of the next string of section `r` (the reader keeps a count
//!   of strings seen per section, so the string's index need not be written);
//! - `r >= 3`: a later use of string `(r - 3) / 3` of section `(r - 3) % 3`.
//!
//! So the writer must add strings to the table in exactly the order it writes their
//! first references, and the reader must resolve references in the order it reads them.

use super::super::CodecError;
use super::super::varint::{Buf, Rd};
use super::{Dec, Enc, spend};
use crate::hash::{FastMap, HashKeyed, ShortMap, hash_bytes, short_key};
use crate::limits::Limits;

/// The string table's sections: a string goes to the section of its first use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cat {
    /// Tag and attribute names, style properties, doctype parts.
    Name = 0,
    /// Attribute and style values, URLs, embedded JSON.
    Value = 1,
    /// Text content.
    Text = 2,
}

/// Sections in the string table.
pub(crate) const N_SECTIONS: usize = 3;

/// The per-segment string table being built: every distinct string once, in the order
/// of first use, each in the section of its first use.
#[derive(Default)]
pub(crate) struct Strings {
    /// The first string the open chunk introduced, and each section's count before it:
    /// the chunk's body stores the strings from there on.
    chunk_first: usize,
    chunk_counts: [u32; N_SECTIONS],
    /// Bytes of the strings stored in the table (assets left out), and their count
    /// before the open chunk.
    stored: usize,
    chunk_stored: usize,
    /// The strings stored as assets: (index in the table, asset number), in table order.
    assets: Vec<(u32, u64)>,
    /// Every string's bytes, one after another (one buffer: no allocation per string).
    bytes: String,
    /// Each string's end in `bytes`, in the order of first use (it starts where the one
    /// before it ends).
    ends: Vec<usize>,
    /// For each string: its section (low 2 bits) and its index in the section.
    place: Vec<u32>,
    /// Strings in each section so far.
    counts: [u32; N_SECTIONS],
    /// Strings of up to 15 bytes by their exact integer key: their index in `list`.
    short: ShortMap<u32>,
    /// Longer strings by their 64-bit hash: their index in `list`. The rare string
    /// whose hash is taken by another goes to `spill`.
    index: HashKeyed<u32>,
    spill: FastMap<String, u32>,
}

impl Strings {
    /// Bytes of all strings in the table.
    pub(crate) fn byte_len(&self) -> usize {
        self.bytes.len()
    }

    /// Strings in the table.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The `i`th string, in the order of first use.
    pub(crate) fn get(&self, i: usize) -> Option<&str> {
        let start = match i.checked_sub(1) {
            Some(p) => *self.ends.get(p)?,
            None => 0,
        };
        self.bytes.get(start..*self.ends.get(i)?)
    }

    fn push(&mut self, s: &str) {
        self.stored += s.len();
        self.bytes.push_str(s);
        self.ends.push(self.bytes.len());
    }

    /// Strings in each section so far.
    pub(crate) fn counts(&self) -> [u32; N_SECTIONS] {
        self.counts
    }

    /// Starts a chunk: the strings added from now on are the ones its body stores.
    pub(crate) fn begin_chunk(&mut self) {
        self.chunk_first = self.len();
        self.chunk_counts = self.counts;
        self.chunk_stored = self.stored;
    }

    /// Strings of each section the open chunk introduced so far.
    pub(crate) fn chunk_counts(&self) -> [u32; N_SECTIONS] {
        let mut c = self.counts;
        for (x, b) in c.iter_mut().zip(self.chunk_counts) {
            *x -= b;
        }
        c
    }

    /// Records that the `i`th string is stored as asset `no`.
    pub(super) fn mark_asset(&mut self, i: usize, no: u64) {
        self.stored -= self.get(i).map_or(0, str::len);
        self.assets.push((i as u32, no));
    }

    /// The asset number the `i`th string is stored as, if it is one.
    fn asset_of(&self, i: usize) -> Option<u64> {
        let k = self.assets.partition_point(|a| (a.0 as usize) < i);
        self.assets
            .get(k)
            .filter(|a| a.0 as usize == i)
            .map(|a| a.1)
    }

    /// Writes the strings the open chunk introduced: each section's count, one entry per
    /// string (`len << 1`, or `asset << 1 | 1` for an asset), then the stored strings'
    /// bytes (see "Chunk body" in FORMAT.md). Returns the bytes written.
    pub(crate) fn write_chunk_table(&self, body: &mut Buf) -> usize {
        let start = body.bytes.len();
        for n in self.chunk_counts() {
            body.uv(u64::from(n));
        }
        let new = self.chunk_first..self.len();
        for cat in 0..N_SECTIONS as u8 {
            for i in new.clone().filter(|&i| self.cat_of(i) == cat) {
                match self.asset_of(i) {
                    Some(no) => body.uv(no << 1 | 1),
                    None => body.uv((self.get(i).map_or(0, str::len) as u64) << 1),
                }
            }
        }
        for cat in 0..N_SECTIONS as u8 {
            for i in new.clone().filter(|&i| self.cat_of(i) == cat) {
                if self.asset_of(i).is_none() {
                    body.raw(self.get(i).unwrap_or_default().as_bytes());
                }
            }
        }
        body.bytes.len() - start
    }

    /// Bytes [`Strings::write_chunk_table`] writes for the open chunk's strings, with
    /// each entry taken as one byte: what they add to the segment's size.
    pub(crate) fn chunk_table_bytes(&self) -> usize {
        (self.stored - self.chunk_stored) + (self.len() - self.chunk_first)
    }

    /// Every string in the order of first use, with its section and asset number: the
    /// table as saved with an encoder's state.
    pub(crate) fn entries(&self) -> Vec<(String, u8, Option<u64>)> {
        (0..self.len())
            .map(|i| {
                let s = self.get(i).unwrap_or_default().to_owned();
                (s, self.cat_of(i), self.asset_of(i))
            })
            .collect()
    }

    /// The table [`Strings::entries`] listed (with no chunk open), or `None` if the list
    /// is not one a table can hold: a section out of range, a string twice, an asset
    /// number not below `assets`.
    pub(crate) fn from_entries(
        entries: Vec<(String, u8, Option<u64>)>,
        assets: u64,
    ) -> Option<Self> {
        let mut t = Strings::default();
        for (s, cat, asset) in entries {
            let cat = match cat {
                0 => Cat::Name,
                1 => Cat::Value,
                2 => Cat::Text,
                _ => return None,
            };
            let before = t.len();
            let (_, i) = t.reference_and_index(&s, cat);
            if i != before {
                return None;
            }
            if let Some(no) = asset {
                if no >= assets {
                    return None;
                }
                t.mark_asset(i, no);
            }
        }
        t.begin_chunk();
        Some(t)
    }

    fn cat_of(&self, i: usize) -> u8 {
        self.place.get(i).map_or(u8::MAX, |p| (p & 3) as u8)
    }

    /// The reference to write for `s` (see "String references" in FORMAT.md), adding it
    /// to `cat`'s section on its first use, and the string's index in the table.
    fn reference_and_index(&mut self, s: &str, cat: Cat) -> (u64, usize) {
        let before = self.len();
        let i = self.id(s) as usize;
        if i == before {
            // A new string: it takes the next place in `cat`'s section, and its first
            // use is written as the bare section number.
            let c = cat as usize;
            let n = self.counts.get(c).copied().unwrap_or(0);
            if let Some(x) = self.counts.get_mut(c) {
                *x += 1;
            }
            self.place.push(n << 2 | cat as u32);
            return (cat as u64, i);
        }
        (self.repeat(i), i)
    }

    /// The reference for a later use of the `i`th string: `3 + index * 3 + section`,
    /// from the section it was first used in (whatever section the later use is in).
    fn repeat(&self, i: usize) -> u64 {
        let p = self.place.get(i).copied().unwrap_or(0);
        N_SECTIONS as u64 + u64::from(p >> 2) * N_SECTIONS as u64 + u64::from(p & 3)
    }

    /// The index of `s` in the table, adding it at the end if it is not there.
    fn id(&mut self, s: &str) -> u64 {
        // Fast path for the short strings that make up most uses (tag and attribute
        // names, class values): up to 15 bytes pack with their length into a u128 that
        // is the string itself, so a hit needs no comparison and no collision exists.
        if let Some(k) = short_key(s) {
            let next = self.len() as u32;
            let i = *self.short.entry(k).or_insert(next);
            if i == next {
                self.push(s);
            }
            return u64::from(i);
        }
        // Long strings (stylesheets) are hashed by their length and three samples; a
        // hit is always confirmed by comparing the whole string, so sampling only costs
        // a rare trip to `spill`, never a wrong reference.
        let b = s.as_bytes();
        let h = if b.len() > 256 {
            let mid = b.len() / 2;
            let parts = [
                b.get(..64).unwrap_or_default(),
                b.get(mid - 32..mid + 32).unwrap_or_default(),
                b.get(b.len() - 64..).unwrap_or_default(),
            ];
            parts
                .iter()
                .fold(hash_bytes(0, &(b.len() as u64).to_le_bytes()), |h, p| {
                    hash_bytes(h, p)
                })
        } else {
            hash_bytes(0, b)
        };
        match self.index.get(&h) {
            Some(&i) if self.get(i as usize).is_some_and(|x| x == s) => {
                return u64::from(i);
            }
            Some(_) => {
                if let Some(&i) = self.spill.get(s) {
                    return u64::from(i);
                }
            }
            None => {}
        }
        let i = self.len() as u32;
        self.push(s);
        // The hash slot keeps its first owner; a string colliding with it is found by
        // its whole text in `spill`.
        if let std::collections::hash_map::Entry::Vacant(v) = self.index.entry(h) {
            v.insert(i);
        } else {
            self.spill.insert(s.to_owned(), i);
        }
        u64::from(i)
    }

    /// Empties the table, keeping its memory for the next segment.
    pub(crate) fn clear(&mut self) {
        self.chunk_first = 0;
        self.chunk_counts = [0; N_SECTIONS];
        self.stored = 0;
        self.chunk_stored = 0;
        self.assets.clear();
        self.bytes.clear();
        self.ends.clear();
        self.place.clear();
        self.counts = [0; N_SECTIONS];
        self.short.clear();
        self.index.clear();
        self.spill.clear();
    }
}

impl Enc {
    /// Writes a reference to `s`, adding it to `cat`'s section on its first use (as an
    /// asset if it is a long value or text).
    #[inline]
    pub(super) fn s(&mut self, s: &str, cat: Cat) {
        let before = self.strings.len();
        let (r, i) = self.strings.reference_and_index(s, cat);
        if i == before && cat != Cat::Name && s.len() >= self.asset_min {
            let no = self.assets.intern(s);
            self.strings.mark_asset(i, no);
        }
        self.cols.refs.uv(r);
    }

    /// [`Enc::s`] for an interned name of the replayed DOM: after its first use in the
    /// chunk, its reference comes from a per-name cache instead of the table's lookup
    /// (the same bytes either way).
    ///
    /// Fast path for keyframes, which write every element's tag and attribute names. It
    /// is safe because an atom always names the same string, the table only grows within
    /// a chunk (so a cached index stays that string's), a later use is coded by index
    /// alone ([`Strings::repeat`]), and the cache is emptied with the table at each chunk.
    pub(super) fn s_atom(&mut self, atom: usize, s: &str, cat: Cat) {
        if let Some(&i) = self.atom_refs.get(atom)
            && i != 0
        {
            let r = self.strings.repeat(i as usize - 1);
            self.cols.refs.uv(r);
            return;
        }
        let (r, i) = self.strings.reference_and_index(s, cat);
        self.cols.refs.uv(r);
        if atom >= self.atom_refs.len() {
            self.atom_refs.resize(atom + 1, 0);
        }
        if let Some(x) = self.atom_refs.get_mut(atom) {
            *x = i as u32 + 1;
        }
    }
}

/// The reader's string table of a segment: every string its chunks stored so far, by
/// section, in the order of first use.
#[derive(Debug, Default)]
pub(crate) struct Table {
    /// Every string's text, one after another.
    bytes: String,
    /// Each section's strings: their start and end in `bytes`.
    sections: [Vec<(usize, usize)>; N_SECTIONS],
}

impl Table {
    /// Empties the table for a new segment, keeping its memory.
    pub(crate) fn clear(&mut self) {
        self.bytes.clear();
        for s in &mut self.sections {
            s.clear();
        }
    }

    /// Strings in each section.
    pub(crate) fn counts(&self) -> [usize; N_SECTIONS] {
        [0, 1, 2].map(|i| self.sections.get(i).map_or(0, Vec::len))
    }

    /// String `idx` of section `sec`.
    fn get(&self, sec: usize, idx: usize) -> Option<&str> {
        let &(a, b) = self.sections.get(sec)?.get(idx)?;
        self.bytes.get(a..b)
    }

    /// Reads the strings a chunk stores ([`Strings::write_chunk_table`]) onto the end of
    /// the table. An asset's text comes from `asset(number, out)`, which appends it to
    /// `out` (nothing if the asset is missing: the string is then empty). Every count and
    /// length is checked against the bytes left and against `limits` before anything
    /// is allocated; the whole table stays within `Limits::nodes` strings and
    /// `Limits::decoded_bytes` bytes. Returns how many strings of each section the chunk
    /// added.
    pub(crate) fn read_chunk_table(
        &mut self,
        rd: &mut Rd<'_>,
        limits: &Limits,
        asset: &mut dyn FnMut(u64, &mut String),
    ) -> Result<[usize; N_SECTIONS], CodecError> {
        let bad = |offset: usize, what: &'static str| CodecError::Malformed {
            chunk: 0,
            offset,
            what,
        };
        // Each entry takes at least its one byte.
        let mut counts = [0usize; N_SECTIONS];
        for c in &mut counts {
            *c = rd.count(1, limits.nodes)?;
        }
        let n: usize = counts.iter().sum();
        if n > rd.left() {
            return Err(bad(rd.pos, "string count beyond the end of the chunk"));
        }
        let had: usize = self.counts().iter().sum();
        if had.saturating_add(n) > limits.nodes {
            return Err(CodecError::LimitExceeded {
                chunk: 0,
                what: "strings in a segment",
                limit: limits.nodes,
            });
        }
        // Entries: a stored string's length, or an asset's number.
        let mut entries = Vec::with_capacity(n);
        let mut stored = 0usize;
        for _ in 0..n {
            let v = rd.uv()?;
            if v & 1 == 1 {
                entries.push(Err(v >> 1));
            } else {
                let len = usize::try_from(v >> 1).unwrap_or(usize::MAX);
                if len > limits.string_len {
                    return Err(CodecError::LimitExceeded {
                        chunk: 0,
                        what: "string length",
                        limit: limits.string_len,
                    });
                }
                stored = stored.saturating_add(len);
                entries.push(Ok(len));
            }
        }
        // The stored strings' bytes are checked as UTF-8 in one pass; each string is then
        // a slice of them that must start and end on character boundaries.
        let at = rd.pos;
        let all = rd.take(stored)?;
        let all = std::str::from_utf8(all).map_err(|_| bad(at, "string is not UTF-8"))?;
        let mut entries = entries.into_iter();
        let mut start = 0usize;
        for (sec, &count) in counts.iter().enumerate() {
            for e in entries.by_ref().take(count) {
                let a = self.bytes.len();
                match e {
                    Ok(len) => {
                        let s = all
                            .get(start..start + len)
                            .ok_or_else(|| bad(at + start, "string is not UTF-8"))?;
                        self.bytes.push_str(s);
                        start += len;
                    }
                    Err(no) => asset(no, &mut self.bytes),
                }
                if self.bytes.len() > limits.decoded_bytes {
                    return Err(CodecError::LimitExceeded {
                        chunk: 0,
                        what: "string table of a segment",
                        limit: limits.decoded_bytes,
                    });
                }
                if let Some(list) = self.sections.get_mut(sec) {
                    list.push((a, self.bytes.len()));
                }
            }
        }
        Ok(counts)
    }
}

impl<'b> Dec<'_, 'b> {
    /// Reads a string reference ([`Enc::s`]) and resolves it in the segment's table. The
    /// string's length counts against the chunk's decoded-bytes budget, since the caller
    /// usually copies it out.
    #[inline]
    pub(super) fn s(&mut self) -> Result<&'b str, CodecError> {
        let r = self.cols.refs.uv()?;
        let n = N_SECTIONS as u64;
        let (sec, first) = if r < n {
            (r, true)
        } else {
            ((r - n) % n, false)
        };
        let sec = sec as usize;
        let Some(seen) = self.seen.get(sec).copied() else {
            return Err(self.bad("string reference out of the table"));
        };
        let idx = if first {
            seen
        } else {
            usize::try_from((r - n) / n).unwrap_or(usize::MAX)
        };
        // A later use may only name a string already introduced: the writer never
        // refers ahead, and a reader stepping over the keyframe relies on it.
        if !first && idx >= seen {
            return Err(self.bad("string reference to a string not used yet"));
        }
        let table: &'b Table = self.table;
        let s = table
            .get(sec, idx)
            .ok_or_else(|| self.bad("string reference out of the table"))?;
        if first && let Some(x) = self.seen.get_mut(sec) {
            *x += 1;
        }
        spend(&mut self.out_bytes, self.limits, s.len())?;
        Ok(s)
    }
}
