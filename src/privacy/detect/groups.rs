//! Digit groups and the separators between them, shared by the numeric detectors.
//!
//! People write the same number as `4111 1111 1111 1111`, `4111-1111-1111-1111`,
//! `4111.1111.1111.1111` or with the non-breaking and thin spaces and the typographic
//! dashes that pages emit (`&nbsp;`, U+202F, U+2009, U+2007, U+2010..U+2013). Every
//! detector sees them through [`sep_at`], so a form caught by one is caught by all. A line
//! break is never a separator: blocks of text joined with `\n` never make one number.

/// A kind of separator between two digit groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Sep {
    /// ASCII space, U+00A0, U+202F, U+2009, U+2007.
    Space,
    /// `-`, U+2010, U+2011, U+2012, U+2013.
    Dash,
    /// `.`
    Dot,
    /// `/`
    Slash,
    /// `,` or `:` between digits: never joins groups, but glues a number to the next
    /// (`1,234`, `10:30`), so the number is not one of ours.
    Glue,
}

/// The separator starting at byte `i`, with its length in bytes (a whole UTF-8 sequence,
/// so ranges around it stay on char boundaries).
pub(super) fn sep_at(s: &[u8], i: usize) -> Option<(Sep, usize)> {
    match *s.get(i)? {
        b' ' => Some((Sep::Space, 1)),
        b'-' => Some((Sep::Dash, 1)),
        b'.' => Some((Sep::Dot, 1)),
        b'/' => Some((Sep::Slash, 1)),
        0xC2 if s.get(i + 1) == Some(&0xA0) => Some((Sep::Space, 2)),
        0xE2 if s.get(i + 1) == Some(&0x80) => match *s.get(i + 2)? {
            0x87 | 0x89 | 0xAF => Some((Sep::Space, 3)),
            0x90..=0x93 => Some((Sep::Dash, 3)),
            _ => None,
        },
        _ => None,
    }
}

/// The separator that ends just before byte `i`, with its length in bytes.
pub(super) fn sep_before(s: &[u8], i: usize) -> Option<(Sep, usize)> {
    let last = *s.get(i.checked_sub(1)?)?;
    let len = match last {
        b' ' | b'-' | b'.' | b'/' => 1,
        0xA0 => 2,
        0x87 | 0x89 | 0xAF | 0x90..=0x93 => 3,
        _ => return None,
    };
    sep_at(s, i.checked_sub(len)?).filter(|&(_, l)| l == len)
}

/// The end of the run of ASCII digits starting at `i`.
pub(super) fn digits_end(s: &[u8], i: usize) -> usize {
    let mut j = i;
    while s.get(j).is_some_and(u8::is_ascii_digit) {
        j += 1;
    }
    j
}

/// Whether byte `i` is an ASCII digit.
pub(super) fn digit(s: &[u8], i: usize) -> bool {
    s.get(i).is_some_and(u8::is_ascii_digit)
}

/// A digit group next to a number, seen from that number: how it is joined and how long
/// it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Neighbour {
    /// What joins it.
    pub(super) sep: Sep,
    /// Its number of digits.
    pub(super) len: usize,
    /// Whether it really belongs with the number. A group glued to letters (`9am`) or a
    /// time or date after a space (`0958 10:30`, `0958 24/7`) is something else.
    pub(super) joins: bool,
}

/// Whether a group whose outer neighbour byte is `outer`, joined by `sep`, belongs with
/// the number it touches.
fn joins(sep: Sep, outer: Option<u8>) -> bool {
    let Some(o) = outer else { return true };
    let word = o.is_ascii_alphanumeric() || o == b'_';
    let time_or_date = sep == Sep::Space && matches!(o, b':' | b'/');
    !word && !time_or_date
}

/// The digit group after the number ending at `end`, if any.
pub(super) fn group_after(s: &[u8], end: usize) -> Option<Neighbour> {
    let (sep, len) = match sep_at(s, end) {
        Some(x) => x,
        None if matches!(s.get(end), Some(b',' | b':')) => (Sep::Glue, 1),
        None => return None,
    };
    let from = end + len;
    let to = digits_end(s, from);
    (to > from).then(|| Neighbour {
        sep,
        len: to - from,
        joins: sep == Sep::Glue || joins(sep, s.get(to).copied()),
    })
}

/// The digit group before the number starting at `start`, if any.
pub(super) fn group_before(s: &[u8], start: usize) -> Option<Neighbour> {
    let (sep, len) = match sep_before(s, start) {
        Some(x) => x,
        None if start > 0 && matches!(s.get(start - 1), Some(b',' | b':')) => (Sep::Glue, 1),
        None => return None,
    };
    let to = start.checked_sub(len)?;
    let mut from = to;
    while from > 0 && digit(s, from - 1) {
        from -= 1;
    }
    (to > from).then(|| Neighbour {
        sep,
        len: to - from,
        joins: sep == Sep::Glue || joins(sep, from.checked_sub(1).and_then(|k| s.get(k).copied())),
    })
}

/// The most groups a detector reads (a phone number such as `+33 6 12 34 56 78` has six).
pub(super) const MAX_GROUPS: usize = 8;

/// One digit group.
#[derive(Debug, Clone, Copy, Default)]
struct Group {
    start: usize,
    end: usize,
    /// The separator to the next group, when one was read.
    sep: Option<Sep>,
}

/// Up to [`MAX_GROUPS`] digit groups joined by single separators.
#[derive(Debug, Clone, Copy)]
pub(super) struct Groups {
    groups: [Group; MAX_GROUPS],
    n: usize,
}

impl Groups {
    /// Reads up to `max` groups from the digit at `at`: a group joins when `allow` accepts
    /// its separator, when `same` is unset or the separator is of the kind of the first
    /// one, and when it belongs (see [`Neighbour::joins`]). No group when the first one
    /// runs into a letter.
    pub(super) fn read(
        s: &[u8],
        at: usize,
        max: usize,
        allow: impl Fn(Sep) -> bool,
        same: bool,
    ) -> Groups {
        let mut g = Groups {
            groups: [Group::default(); MAX_GROUPS],
            n: 0,
        };
        let first_end = digits_end(s, at);
        if first_end == at
            || s.get(first_end)
                .is_some_and(|&b| b.is_ascii_alphabetic() || b == b'_')
        {
            return g;
        }
        g.push(at, first_end);
        let mut kind = None;
        while g.n < max.min(MAX_GROUPS) {
            let end = g.end_of(g.n);
            let Some(next) = group_after(s, end) else {
                break;
            };
            let kind_ok = !same || kind.is_none_or(|k| k == next.sep);
            if !next.joins || next.sep == Sep::Glue || !allow(next.sep) || !kind_ok {
                break;
            }
            let len = sep_at(s, end).map_or(1, |(_, l)| l);
            if let Some(last) = g.groups.get_mut(g.n - 1) {
                last.sep = Some(next.sep);
            }
            kind = Some(next.sep);
            g.push(end + len, end + len + next.len);
        }
        g
    }

    fn push(&mut self, start: usize, end: usize) {
        if let Some(slot) = self.groups.get_mut(self.n) {
            *slot = Group {
                start,
                end,
                sep: None,
            };
            self.n += 1;
        }
    }

    fn group(&self, k: usize) -> Option<&Group> {
        self.groups.get(..self.n)?.get(k)
    }

    /// How many groups were read.
    pub(super) fn n(&self) -> usize {
        self.n
    }

    /// The number of digits of group `k` (0 past the end).
    pub(super) fn len(&self, k: usize) -> usize {
        self.group(k).map_or(0, |g| g.end - g.start)
    }

    /// Whether the first groups have exactly these lengths.
    pub(super) fn shaped(&self, shape: &[usize]) -> bool {
        shape.len() <= self.n && shape.iter().enumerate().all(|(k, &l)| self.len(k) == l)
    }

    /// The separator after group `k`, if another group follows.
    pub(super) fn sep(&self, k: usize) -> Option<Sep> {
        self.group(k).and_then(|g| g.sep)
    }

    /// The end of group `k` (of the last group past the end).
    pub(super) fn end_of(&self, k: usize) -> usize {
        self.group(k.min(self.n.saturating_sub(1)))
            .map_or(0, |g| g.end)
    }

    /// The digits of the first `k` groups as values 0-9, into `buf`; how many there are
    /// (`None` past `buf`'s size).
    pub(super) fn digits(&self, s: &[u8], k: usize, buf: &mut [u8]) -> Option<usize> {
        let mut n = 0;
        for g in self.groups.get(..k.min(self.n))? {
            for &b in s.get(g.start..g.end)? {
                *buf.get_mut(n)? = b - b'0';
                n += 1;
            }
        }
        Some(n)
    }

    /// The value of group `k` (groups are at most a few digits where this is used).
    pub(super) fn value(&self, s: &[u8], k: usize) -> u32 {
        self.group(k)
            .and_then(|g| s.get(g.start..g.end))
            .unwrap_or_default()
            .iter()
            .fold(0u32, |a, &b| {
                a.saturating_mul(10).saturating_add(u32::from(b - b'0'))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_are_whole_utf8_sequences() {
        for (text, kind, len) in [
            (" ", Sep::Space, 1),
            ("\u{a0}", Sep::Space, 2),
            ("\u{202f}", Sep::Space, 3),
            ("\u{2009}", Sep::Space, 3),
            ("\u{2007}", Sep::Space, 3),
            ("-", Sep::Dash, 1),
            ("\u{2010}", Sep::Dash, 3),
            ("\u{2011}", Sep::Dash, 3),
            ("\u{2012}", Sep::Dash, 3),
            ("\u{2013}", Sep::Dash, 3),
            (".", Sep::Dot, 1),
            ("/", Sep::Slash, 1),
        ] {
            let s = format!("1{text}2");
            assert_eq!(sep_at(s.as_bytes(), 1), Some((kind, len)), "{text:?}");
            assert_eq!(
                sep_before(s.as_bytes(), 1 + len),
                Some((kind, len)),
                "{text:?}"
            );
        }
        for text in ["\n", "\t", "\u{2014}", "\u{2028}", ",", "_", "\u{20ac}"] {
            let s = format!("1{text}2");
            assert_eq!(sep_at(s.as_bytes(), 1), None, "{text:?}");
            assert_eq!(sep_before(s.as_bytes(), 1 + text.len()), None, "{text:?}");
        }
    }

    #[test]
    fn groups_follow_separators_and_stop_at_line_breaks() {
        let any = |_: Sep| true;
        let s = "4111\u{a0}1111 1111\u{2009}1111 x";
        let g = Groups::read(s.as_bytes(), 0, 8, any, true);
        assert_eq!((g.n(), g.len(3)), (4, 4));
        assert_eq!(&s[..g.end_of(3)], "4111\u{a0}1111 1111\u{2009}1111");
        let g = Groups::read(b"123-45 6789", 0, 8, any, true);
        assert_eq!(g.n(), 2, "one kind only");
        let g = Groups::read(b"123-45 6789", 0, 8, any, false);
        assert!(g.shaped(&[3, 2, 4]));
        let g = Groups::read(b"020 7946\n0958", 0, 8, any, false);
        assert_eq!(g.n(), 2);
        // A time or letters after a space are something else.
        let g = Groups::read(b"0958 10:30", 0, 8, any, false);
        assert_eq!(g.n(), 1);
        let g = Groups::read(b"0958 9am", 0, 8, any, false);
        assert_eq!(g.n(), 1);
        assert_eq!(Groups::read(b"999AA", 0, 8, any, false).n(), 0);
    }

    #[test]
    fn neighbours() {
        let s = b"12 4111 x 1,234 10:30";
        assert_eq!(
            group_before(s, 3),
            Some(Neighbour {
                sep: Sep::Space,
                len: 2,
                joins: true
            })
        );
        assert_eq!(group_after(s, 7), None);
        assert_eq!(group_before(s, 12).map(|n| n.sep), Some(Sep::Glue));
        assert_eq!(
            group_after(s, 18).map(|n| (n.sep, n.len)),
            Some((Sep::Glue, 2))
        );
        assert!(!group_after(b"1 2/3", 1).is_some_and(|n| n.joins));
    }
}
