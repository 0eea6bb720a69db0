//! The state's stable digest, [`State::hash`]: what it covers and how it stays the same
//! across routes, runs and platforms.
//!
//! # What the hash covers
//!
//! Everything a viewer of the moment could see: the time, URL, viewport, window scroll,
//! the DOM (every node reachable from the root, with its kind, flags, id, name, payload
//! and child count), element scroll, focus, form values, pointer, last click, selection,
//! media, stylesheets, adopted sheets, custom elements and fonts. Not covered:
//! [`State::diagnostics`] (a report about the recording, not part of the page), the
//! limits and the strict flag (configuration), and the arena's bookkeeping (slots, the
//! free list, the interned-name table).
//!
//! # Why it is deterministic
//!
//! [`Replayer::seek`](super::Replayer::seek) is checked against a plain replay from the
//! start by comparing hashes (tests, fuzzing), and a hash may be kept and compared in
//! another run, so equal states must hash equally whatever their history and wherever
//! they run:
//!
//! - The hasher is FNV-1a with fixed constants over an explicit little-endian byte
//!   encoding: no per-process random seed (unlike `std`'s `RandomState`), no dependence
//!   on `usize` width or endianness.
//! - Floats have one bit pattern per value (-0.0 is 0.0, every NaN is the same), so
//!   values that compare equal hash equally.
//! - Strings are length-prefixed, so field boundaries cannot shift: `("ab", "c")` and
//!   `("a", "bc")` differ. So are the DOM, attribute lists, element scroll and form
//!   values; the sections after them (pointer, click, selection, media, sheets,
//!   adopted sheets, custom elements, fonts) carry no count or presence tag, and stay
//!   so because changing them would change every hash.
//! - The DOM is walked in document order from the root and hashed by node id and names
//!   as strings, never by slot or interned-name index: those depend on the order nodes
//!   were freed, reused and compacted, and names were first seen.
//! - Side state lives in `BTreeMap`s and `BTreeSet`s, iterated in key order; the `Vec`s
//!   (selection ranges, fonts) are hashed in their recorded order, which is part of
//!   their meaning.
//! - Media are hashed as seen at the state's time (their
//!   [`position_at`](super::MediaState::position_at) it), so [`State::set_time`] moves a
//!   playing video's hash like its picture.
//!
//! Treat the byte encoding as fixed: any change to what is fed here, or in which order,
//! changes every hash.

use super::dom::NodeData;
use super::state::{SheetKey, State};

impl State {
    /// A stable 64-bit digest of the whole state (DOM in document order, form values,
    /// scroll, viewport, focus, pointer, click, selection, media, stylesheets), independent
    /// of memory layout, slot reuse and map order. Diagnostics are not included.
    ///
    /// Two states that show the same page at the same time hash the same however they
    /// were reached (see the module doc); the digest is the same on every platform and
    /// run.
    pub fn hash(&self) -> u64 {
        let mut h = StableHasher::new();
        h.i64(self.time.0);
        h.str(&self.href);
        match self.viewport {
            Some((w, hh)) => {
                h.u8(1);
                h.f64(w);
                h.f64(hh);
            }
            None => h.u8(0),
        }
        h.f64(self.window_scroll.0);
        h.f64(self.window_scroll.1);
        // The DOM, walked in document order. Each node is followed by its child count:
        // pre-order plus child counts determine the tree's shape, so no depth markers are
        // needed. The enum discriminant of `DomKind` and the bits of `DomFlags` are part
        // of the encoding. The node count is of live nodes (also those detached, if any).
        let root = self.dom.root();
        h.u64(self.dom.len() as u64);
        for slot in self.dom.descendants(root) {
            let Some(n) = self.dom.node(slot) else {
                continue;
            };
            h.u8(n.kind as u8);
            h.u8(n.flags.bits());
            h.i64(i64::from(n.id.0));
            h.str(self.dom.name(n.name));
            match &n.data {
                NodeData::None => h.u8(0),
                NodeData::Text(t) => {
                    h.u8(1);
                    h.str(t);
                }
                NodeData::Attrs(attrs) => {
                    h.u8(2);
                    h.u64(attrs.len() as u64);
                    for a in attrs {
                        h.str(self.dom.name(a.name));
                        h.str(&a.value);
                    }
                }
                NodeData::Doctype(d) => {
                    let [public, system] = &**d;
                    h.u8(3);
                    h.str(public);
                    h.str(system);
                }
                NodeData::UnknownType(c) => {
                    h.u8(4);
                    h.i64(*c);
                }
            }
            // Structure: how many children, so that shapes hash differently.
            h.u64(self.dom.children(slot).count() as u64);
        }
        h.u64(self.element_scroll.len() as u64);
        for (id, (x, y)) in &self.element_scroll {
            h.i64(i64::from(id.0));
            h.f64(*x);
            h.f64(*y);
        }
        h.i64(self.focus.map_or(i64::MIN, |f| i64::from(f.0)));
        h.u64(self.form.len() as u64);
        for (id, v) in &self.form {
            h.i64(i64::from(id.0));
            h.str(&v.text);
            h.u8(u8::from(v.checked));
        }
        if let Some(p) = self.pointer {
            h.f64(p.x);
            h.f64(p.y);
            h.i64(i64::from(p.id.0));
            h.i64(p.at.0);
            h.i64(p.source.code());
        }
        if let Some(c) = self.last_click {
            h.i64(i64::from(c.id.0));
            h.f64(c.x.unwrap_or(f64::NAN));
            h.f64(c.y.unwrap_or(f64::NAN));
            h.i64(c.at.0);
            h.u8(u8::from(c.double));
        }
        for r in &self.selection {
            h.i64(i64::from(r.start.0));
            h.i64(r.start_offset);
            h.i64(i64::from(r.end.0));
            h.i64(r.end_offset);
        }
        for (id, m) in &self.media {
            h.i64(i64::from(id.0));
            h.u8(u8::from(m.playing));
            h.f64(m.position_at(self.time));
            h.f64(m.volume);
            h.u8(u8::from(m.muted));
            h.u8(u8::from(m.looping));
            h.f64(m.rate);
        }
        for (key, rules) in &self.sheets {
            match key {
                SheetKey::Node(id) => h.i64(i64::from(id.0)),
                SheetKey::Constructed(s) => h.i64(s.wrapping_add(1 << 40)),
            }
            for r in rules {
                h.str(r);
            }
        }
        for (id, ids) in &self.adopted {
            h.i64(i64::from(id.0));
            for s in ids {
                h.i64(*s);
            }
        }
        for name in &self.custom_elements {
            h.str(name);
        }
        for (family, src) in &self.fonts {
            h.str(family);
            h.str(src);
        }
        h.finish()
    }
}

/// FNV-1a over a canonical byte encoding, with lengths prefixed so that field
/// boundaries cannot shift. Stable across platforms, runs and Rust versions.
struct StableHasher(u64);

impl StableHasher {
    fn new() -> Self {
        StableHasher(0xcbf2_9ce4_8422_2325)
    }
    fn bytes(&mut self, b: &[u8]) {
        for &x in b {
            self.0 ^= u64::from(x);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    fn u8(&mut self, v: u8) {
        self.bytes(&[v]);
    }
    fn u64(&mut self, v: u64) {
        self.bytes(&v.to_le_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.bytes(&v.to_le_bytes());
    }
    fn f64(&mut self, v: f64) {
        // One bit pattern per value: -0.0 is 0.0, every NaN is the same.
        let v = if v == 0.0 { 0.0 } else { v };
        let bits = if v.is_nan() { u64::MAX } else { v.to_bits() };
        self.u64(bits);
    }
    fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.bytes(s.as_bytes());
    }
    fn finish(&self) -> u64 {
        // A final avalanche so that nearby states do not give nearby hashes.
        let mut x = self.0;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        x ^ (x >> 33)
    }
}
