//! Phone numbers: E.164 (`+44 20 7946 0958`, `+1 (415) 555-0134`), the `00`
//! international prefix, North American (`(415) 555-0134`, `1-800-555-0199`) and national
//! trunk-0 forms (`020 7946 0958`, `06 12 34 56 78`, `030/1234567`).
//!
//! Each form has its own shape (group sizes, one kind of separator, the NANP's rules for
//! the first digits), so that dates, times, versions, IPs, prices, ISBNs, year ranges,
//! timestamps and order numbers stay. Ten or eleven bare digits count only with a keyword
//! or the phone context.

use super::context::{Kw, keyword_before};
use super::groups::{MAX_GROUPS, Sep, digit, digits_end, group_after, group_before, sep_at};
use super::{Context, PiiKind, Scan, is_word};

/// One group of a phone number as written.
#[derive(Debug, Clone, Copy, Default)]
struct Part {
    /// Its digits.
    start: usize,
    end: usize,
    /// Whether it is in parentheses.
    paren: bool,
    /// The separator before it (none for the first, or after a `)`).
    sep: Option<Sep>,
}

/// The groups of a possible phone number, and where it ends (after a closing
/// parenthesis).
struct Written {
    parts: [Part; MAX_GROUPS],
    n: usize,
    end_at: usize,
}

impl Written {
    /// Group `k` (an empty one past the end).
    fn part(&self, k: usize) -> Part {
        self.parts
            .get(..self.n)
            .and_then(|p| p.get(k))
            .copied()
            .unwrap_or_default()
    }

    fn len(&self, k: usize) -> usize {
        let p = self.part(k);
        p.end - p.start
    }

    fn paren(&self, k: usize) -> bool {
        self.part(k).paren
    }

    fn sep(&self, k: usize) -> Option<Sep> {
        self.part(k).sep
    }

    fn first_digit(&self, s: &[u8], k: usize) -> u8 {
        s.get(self.part(k).start)
            .filter(|b| b.is_ascii_digit())
            .map_or(0, |b| b - b'0')
    }

    /// The separators between the groups from `k` on, all of one kind (none counts as a
    /// kind of its own) and none a slash.
    fn one_kind_from(&self, k: usize) -> bool {
        let mut seps = (k.max(1)..self.n).map(|i| self.sep(i));
        let first = seps.next().flatten();
        first != Some(Sep::Slash) && seps.all(|x| x == first)
    }

    /// The number of digits, not counting a `(0)` group (the trunk prefix written
    /// inside an international number).
    fn digits(&self) -> usize {
        (0..self.n)
            .filter(|&k| !(self.paren(k) && self.len(k) == 1))
            .map(|k| self.len(k))
            .sum()
    }
}

/// Reads the groups of a possible phone number from `p` (a digit or a `(`).
fn read(s: &[u8], mut p: usize) -> Written {
    let mut w = Written {
        parts: [Part::default(); MAX_GROUPS],
        n: 0,
        end_at: p,
    };
    let mut sep = None;
    loop {
        let paren = s.get(p) == Some(&b'(');
        let d0 = p + usize::from(paren);
        let d1 = digits_end(s, d0);
        if d1 == d0 {
            break;
        }
        let after = if paren {
            if s.get(d1) != Some(&b')') {
                break;
            }
            d1 + 1
        } else {
            d1
        };
        // A group that runs into a letter (`9am`) or is a time after a space (`10:30`)
        // belongs to something else.
        let next = s.get(after).copied();
        if next.is_some_and(|b| is_word(b) && !(paren && b.is_ascii_digit()))
            || (w.n > 0 && sep == Some(Sep::Space) && matches!(next, Some(b':' | b'/')))
        {
            break;
        }
        let Some(slot) = w.parts.get_mut(w.n) else {
            break;
        };
        *slot = Part {
            start: d0,
            end: d1,
            paren,
            sep,
        };
        w.n += 1;
        w.end_at = after;
        match sep_at(s, after) {
            Some((k, l)) if digit(s, after + l) || s.get(after + l) == Some(&b'(') => {
                sep = Some(k);
                p = after + l;
            }
            _ if paren && digit(s, after) => {
                sep = None;
                p = after;
            }
            _ => break,
        }
    }
    w
}

/// Whether the number ending at `end` goes on: another joined digit group, or a glued
/// `,` / `:` number.
fn goes_on(s: &[u8], end: usize) -> bool {
    group_after(s, end).is_some_and(|n| n.joins)
}

/// The fewest digits after an international `00` prefix: a country code (1-3 digits)
/// and a subscriber number make ten or more in the numbers people write with `00`, while
/// receipt and reference numbers that start `00` are shorter.
const INTERNATIONAL_MIN: usize = 10;

/// A phone number around the digit group at `at` (a word starts there).
pub(super) fn phone_at(scan: &mut Scan<'_>, at: usize) {
    let s = scan.s;
    let prev = at.checked_sub(1).and_then(|i| s.get(i)).copied();
    let plus = prev == Some(b'+');
    // `(415) ...` starts at the parenthesis; `(0049 30 1234567)` at the digits.
    let paren = prev == Some(b'(') && s.get(digits_end(s, at)) == Some(&b')');
    let (start, from) = if plus {
        (at - 1, at)
    } else if paren {
        (at - 1, at - 1)
    } else {
        (at, at)
    };
    // Inside another number: `+44 (20)`, `(415) 555`, `12 345`.
    let outer = start.checked_sub(1).and_then(|i| s.get(i)).copied();
    if outer.is_some_and(|b| is_word(b) || b == b'+' || b == b')')
        || group_before(s, start).is_some_and(|n| n.joins)
        || super::groups::sep_before(s, start)
            .is_some_and(|(_, l)| start > l && s.get(start - l - 1) == Some(&b')'))
    {
        return;
    }
    let w = read(s, from);
    if w.n == 0 || goes_on(s, w.end_at) {
        return;
    }
    let end = w.end_at;
    let digits = w.digits();
    let first = w.first_digit(s, 0);
    let any_slash = (1..w.n).any(|k| w.sep(k) == Some(Sep::Slash));
    if plus {
        // E.164: a country code that does not start with 0, at most 15 digits.
        let ok = first != 0
            && !w.paren(0)
            && !any_slash
            && if w.n == 1 {
                (10..=15).contains(&digits)
            } else {
                (9..=15).contains(&digits) && w.len(0) <= 4
            };
        if ok {
            scan.push(start, end, PiiKind::Phone);
        }
        return;
    }
    if w.paren(0) {
        // `(415) 555-0134`, `(020) 7946 0958`.
        if nanp(s, &w, 0) || national(s, &w) {
            scan.push(start, end, PiiKind::Phone);
        }
        return;
    }
    if w.n == 1 {
        bare(scan, at, end);
        return;
    }
    let found = if first == 0 && s.get(at + 1) == Some(&b'0') {
        // `0049 30 1234567`, `00 33 6 ...`: the international prefix, then a country code
        // and a subscriber number, at least ten digits and at most E.164's fifteen
        // (`0042-118-7734` is a receipt number). A national number never starts `00`.
        let third = if w.len(0) == 2 {
            w.first_digit(s, 1)
        } else {
            s.get(at + 2).map_or(0, |b| b - b'0')
        };
        w.len(0) >= 2
            && third != 0
            && (INTERNATIONAL_MIN..=15).contains(&digits.saturating_sub(2))
            && w.one_kind_from(1)
            && !(1..w.n).any(|k| w.paren(k) && w.len(k) > 1)
    } else if first == 0 {
        national(s, &w)
    } else if first == 1 && w.len(0) == 1 {
        // `1-800-555-0199`, `1 (800) 555-0199`.
        nanp(s, &w, 1) && (w.paren(1) || w.one_kind_from(1))
    } else {
        nanp(s, &w, 0) && w.one_kind_from(1)
    };
    if found {
        scan.push(start, end, PiiKind::Phone);
    }
}

/// North American groups 3-3-4 from group `k` (the last ones): area code and exchange
/// start with 2-9; the area code may be in parentheses, then any separator or none.
fn nanp(s: &[u8], w: &Written, k: usize) -> bool {
    w.n == k + 3
        && w.len(k) == 3
        && w.len(k + 1) == 3
        && w.len(k + 2) == 4
        && w.first_digit(s, k) >= 2
        && w.first_digit(s, k + 1) >= 2
        && !w.paren(k + 1)
        && !w.paren(k + 2)
        && w.sep(k + 2)
            .is_some_and(|x| matches!(x, Sep::Space | Sep::Dash | Sep::Dot))
        && (w.paren(k) || w.sep(k + 1) == w.sep(k + 2))
}

/// A national number with a trunk 0: 10 or 11 digits, an area code of 2-5 digits (in
/// parentheses, or followed by a `/`, or like the other separators), groups of at least
/// two digits in one kind of separator.
fn national(s: &[u8], w: &Written) -> bool {
    let digits = w.digits();
    let second = s
        .get(w.part(0).start + 1)
        .filter(|b| b.is_ascii_digit())
        .map_or(0, |b| b - b'0');
    w.first_digit(s, 0) == 0
        && second != 0
        && (10..=11).contains(&digits)
        && w.n >= 2
        && (2..=5).contains(&w.len(0))
        && (0..w.n).all(|k| w.len(k) >= 2 && (k == 0 || !w.paren(k)))
        && (w.paren(0) || w.sep(1) == Some(Sep::Slash) || w.one_kind_from(1))
        && w.one_kind_from(2)
        && !looks_like_date(s, w)
}

/// `01 02 2024 10`: day, month and a year, not a phone number.
fn looks_like_date(s: &[u8], w: &Written) -> bool {
    w.n >= 3 && w.len(0) == 2 && w.len(1) == 2 && w.len(2) == 4 && {
        let y = s
            .get(w.part(2).start..w.part(2).start + 2)
            .unwrap_or_default();
        y == b"19" || y == b"20"
    }
}

/// Ten or eleven bare digits that have a phone's shape (a trunk 0, or the NANP's), or
/// an international number after `00`, a
/// finding when a keyword or the context says phone: alone they are as likely an order
/// number or a timestamp.
fn bare(scan: &mut Scan<'_>, at: usize, end: usize) {
    let s = scan.s;
    let d = |k: usize| s.get(at + k).map_or(0, |b| b - b'0');
    let n = end - at;
    let nanp = |o: usize| d(o) >= 2 && d(o + 3) >= 2;
    let shaped =
        match n {
            10 => (d(0) == 0 && d(1) != 0) || nanp(0),
            11 => (d(0) == 0 && d(1) != 0) || (d(0) == 1 && nanp(1)),
            _ => false,
        } || ((INTERNATIONAL_MIN + 2..=17).contains(&n) && d(0) == 0 && d(1) == 0 && d(2) != 0);
    if shaped {
        let keyword = keyword_before(s, at, 0, Kw::Phone);
        scan.candidate(at, end, PiiKind::Phone, Context::PHONE, keyword);
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Context, Detectors, PiiKind, find, find_with};

    fn phones(text: &str) -> Vec<&str> {
        find(text, Detectors::all())
            .iter()
            .filter(|f| f.kind == PiiKind::Phone)
            .map(|f| &text[f.start..f.end])
            .collect()
    }

    #[test]
    fn international_forms() {
        for phone in [
            "+44 20 7946 0958",
            "+44 (0) 20 7946 0958",
            "+44 (0)20 7946 0958",
            "+1 (415) 555-0134",
            "+1 415 555 0134",
            "+1-415-555-0134",
            "+1.415.555.0134",
            "+33 6 12 34 56 78",
            "+33\u{a0}6\u{a0}12\u{a0}34\u{a0}56\u{a0}78",
            "+491701234567",
            "+447911123456",
            "+49 30 1234567",
            "+49 (30) 1234567",
            "0049 30 1234567",
            "0044 20 7946 0958",
            "00 33 6 12 34 56 78",
        ] {
            for text in [
                format!("call {phone} now"),
                format!("({phone})"),
                phone.to_owned(),
            ] {
                assert_eq!(phones(&text), [phone], "{text:?}");
            }
        }
    }

    #[test]
    fn national_forms() {
        for phone in [
            "(415) 555-0134",
            "(415)555-0134",
            "(415) 555 0134",
            "415.555.0134",
            "415 555 0134",
            "415-555-0134",
            "415\u{2011}555\u{2011}0134",
            "1-800-555-0199",
            "1 800 555 0199",
            "1 (800) 555-0199",
            "020 7946 0958",
            "(020) 7946 0958",
            "020\u{202f}7946\u{202f}0958",
            "06 12 34 56 78",
            "06.12.34.56.78",
            "06-12-34-56-78",
            "030 1234567",
            "030/1234567",
            "0171 1234567",
            "07911 123456",
        ] {
            let text = format!("Phone: {phone}.");
            assert_eq!(phones(&text), [phone], "{text:?}");
            assert_eq!(phones(&format!("x {phone}, y")), [phone]);
        }
        // Letters or a time after the number are not part of it.
        assert_eq!(phones("020 7946 0958 9am-5pm"), ["020 7946 0958"]);
        assert_eq!(phones("020 7946 0958 10:30-18:00"), ["020 7946 0958"]);
    }

    #[test]
    fn not_phones() {
        for text in [
            "01.02.2024 10:30",
            "on 2024-11-29, item 12 of 150",
            "at 12:30:45",
            "v1.2.3.4 and 1.2.3.4",
            "from 192.168.10.4 and 10.0.0.138",
            "Total: 1,234.56 and 12,345,678.90",
            "ISBN 978-0-306-40615-7",
            "ISBN 0-306-40615-2",
            "Order 123456789012 and #4155550134",
            "2019-2024",
            "1700000000000",
            "1700000000",
            "tracking 1Z999AA10123456784",
            "01 02 2024 10",
            "123-456-7890",
            "415-155-0134",
            "415 555-0134",
            "415-555 0134",
            "020 7946-0958",
            "020 7946\n0958",
            "(415)\n555-0134",
            "+44 20\n7946 0958",
            "4111 1111 1111 1111",
            "0 20 7946 0958",
            "+0 20 7946 0958",
            "+12345",
            "20+44 20 7946 0958",
            "415 555 0134 5",
        ] {
            assert_eq!(phones(text), Vec::<&str>::new(), "{text:?}");
        }
    }

    #[test]
    fn double_zero_needs_ten_digits_after_it() {
        for phone in [
            "0049 30 1234567",
            "0044 20 7946 0958",
            "0035 4123 4567",
            "00-354-512-3456",
        ] {
            assert_eq!(phones(&format!("call {phone}.")), [phone], "{phone:?}");
        }
        // Nine digits or fewer after the `00`: a receipt or reference number, whatever the
        // separators; a national number never starts `00`.
        for text in [
            "Receipt 0042-118-7734",
            "Ref 0042 118 7734",
            "0035 412 345",
            "00-354-512-345",
            "00 12 34 56 78",
            "0012 345 6789",
            "ref 004211877",
            "Tel 00421187734",
        ] {
            assert_eq!(phones(text), Vec::<&str>::new(), "{text:?}");
        }
        assert_eq!(phones("Tel 004211877345"), ["004211877345"]);
    }

    #[test]
    fn bare_digits_need_a_keyword_or_context() {
        assert_eq!(phones("Tel: 4155550134"), ["4155550134"]);
        assert_eq!(phones("Mobile 07911123456"), ["07911123456"]);
        assert_eq!(phones("call 14155550134"), ["14155550134"]);
        assert_eq!(phones("Tel 0033612345678"), ["0033612345678"]);
        assert!(phones("Ref 0033612345678").is_empty());
        assert!(phones("Order 4155550134").is_empty());
        assert!(phones("Tel: 1155550134").is_empty(), "not a phone's shape");
        let far = format!("Tel {} 4155550134", "x".repeat(45));
        assert!(phones(&far).is_empty());
        let with = |text: &str, c: Context| {
            let mut calls = 0;
            let f = find_with(text, Detectors::all(), &mut || {
                calls += 1;
                c
            });
            (f.len(), calls)
        };
        assert_eq!(with("4155550134", Context::PHONE), (1, 1));
        assert_eq!(with("02079460958", Context::PHONE), (1, 1));
        assert_eq!(with("4155550134", Context::SSN), (0, 1));
        assert_eq!(
            with("Tel 4155550134", Context::empty()),
            (1, 0),
            "the keyword decided"
        );
        assert_eq!(
            with("1700000000000", Context::PHONE),
            (0, 0),
            "no candidate"
        );
    }
}
