//! The per-chunk string table and string references: the writer's table and lookup,
//! and the reader's resolution of a reference against the decoded table.
//!
//! Every string a chunk uses is stored once, in the section (name, value, text) of its
//! first use, sections in the order of first use. A reference is one `uv` in `refs`
//! (see "String references" in FORMAT.md):
//!
//! - `r < 3`: the first use of the next string of section `r` (the reader keeps a count
//!   of strings seen per section, so the string's index need not be written);
//! - `r >= 3`: a later use of string `(r - 3) / 3` of section `(r - 3) % 3`.
//!
//! So the writer must add strings to the table in exactly the order it writes their
//! first references, and the reader must resolve references in the order it reads them.

use super::super::CodecError;
use super::{Dec, Enc, spend};
use crate::hash::{FastMap, HashKeyed, ShortMap, hash_bytes, short_key};

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

/// The per-chunk string table being built: every distinct string once, in the order of
/// first use, each in the section of its first use.
#[derive(Default)]
pub(crate) struct Strings {
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
        self.bytes.push_str(s);
        self.ends.push(self.bytes.len());
    }

    /// The strings in one section, in order.
    pub(crate) fn section(&self, cat: u8) -> impl Iterator<Item = &str> + '_ {
        (0..self.len())
            .filter(move |&i| self.place.get(i).is_some_and(|p| (p & 3) as u8 == cat))
            .filter_map(|i| self.get(i))
    }

    /// Strings in each section so far.
    pub(crate) fn counts(&self) -> [u32; N_SECTIONS] {
        self.counts
    }

    /// The reference to write for `s` (see "String references" in FORMAT.md), adding it
    /// to `cat`'s section on its first use.
    #[inline]
    fn reference(&mut self, s: &str, cat: Cat) -> u64 {
        self.reference_and_index(s, cat).0
    }

    /// [`Strings::reference`], and the string's index in the table.
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

    /// Empties the table, keeping its memory for the next chunk.
    pub(crate) fn clear(&mut self) {
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
    /// Writes a reference to `s`, adding it to `cat`'s section on its first use.
    #[inline]
    pub(super) fn s(&mut self, s: &str, cat: Cat) {
        let r = self.strings.reference(s, cat);
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

impl<'a> Dec<'a, '_> {
    /// Reads a string reference ([`Enc::s`]) and resolves it in the chunk's table. The
    /// string's length counts against the chunk's decoded-bytes budget, since the caller
    /// usually copies it out.
    #[inline]
    pub(super) fn s(&mut self) -> Result<&'a str, CodecError> {
        let r = self.cols.refs.uv()?;
        let n = N_SECTIONS as u64;
        let (sec, first) = if r < n {
            (r, true)
        } else {
            ((r - n) % n, false)
        };
        let sec = sec as usize;
        let (Some(list), Some(seen)) = (self.table.get(sec), self.seen.get(sec).copied()) else {
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
        let s = list
            .get(idx)
            .copied()
            .ok_or_else(|| self.bad("string reference out of the table"))?;
        if first && let Some(x) = self.seen.get_mut(sec) {
            *x += 1;
        }
        spend(&mut self.out_bytes, self.limits, s.len())?;
        Ok(s)
    }
}
