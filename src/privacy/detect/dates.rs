//! Dates of birth. A date alone is no secret (`Order placed 12/03/2024`), so a valid
//! calendar date is only a candidate: a finding when a birth keyword (`DOB`, `date of
//! birth`, `born`, `geb.`, `né le`, ...) comes before it in the text, or when the caller's
//! context says DOB.
//!
//! Formats: `1985-03-12`, `1985/03/12`, `12/03/1985`, `03/12/1985`, `12.03.1985`,
//! `12-03-1985`, `12/03/85`, `12 March 1985`, `12th March 1985`, `March 12, 1985`,
//! `Mar 12 1985`, `12-Mar-1985`, and the compact `19850312` (right after the keyword, or
//! with the context).

use super::context::{Kw, keyword_before, keyword_right_before};
use super::groups::{Sep, digit, digits_end, group_after, group_before, sep_at, sep_before};
use super::{Context, PiiKind, Scan, boundary_before, is_word};

/// What the date detector remembers along a text.
#[derive(Debug, Default)]
pub(super) struct Dates {
    /// The end of the last date: a keyword before it belongs to that date, not the next.
    last_end: usize,
}

/// A date around the digit group at `at` (a word starts there).
pub(super) fn date_at(scan: &mut Scan<'_>, at: usize, dates: &mut Dates) {
    let s = scan.s;
    let written = numeric(s, at)
        .or_else(|| day_month(s, at))
        .or_else(|| month_day(s, at));
    let (start, end, keyword) = match written {
        Some((start, end)) => (
            start,
            end,
            keyword_before(s, start, dates.last_end, Kw::Birth),
        ),
        // Eight bare digits are as often a build or order number: only a birth keyword
        // right before them (`DOB:19920921`, `birthDate=19920921`), not one a few words
        // away, or the context (a `dob` field, a birth-date column) makes them a date of
        // birth.
        None => match compact(s, at) {
            Some((start, end)) => (
                start,
                end,
                keyword_right_before(s, start, dates.last_end, Kw::Birth),
            ),
            None => return,
        },
    };
    dates.last_end = end;
    scan.candidate(start, end, PiiKind::DateOfBirth, Context::DOB, keyword);
}

fn value(s: &[u8], from: usize, to: usize) -> u32 {
    s.get(from..to)
        .unwrap_or_default()
        .iter()
        .fold(0u32, |a, &b| {
            a.saturating_mul(10).saturating_add(u32::from(b - b'0'))
        })
}

/// Whether day `d` of month `m` exists (in year `y`, or in some year when the year is
/// written with two digits).
fn valid(y: Option<u32>, m: u32, d: u32) -> bool {
    let leap =
        y.is_none_or(|y| y.is_multiple_of(4) && (!y.is_multiple_of(100) || y.is_multiple_of(400)));
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// A four-digit year someone alive may be born in (no clock here, so a wide range).
fn year4(y: u32) -> bool {
    (1900..=2099).contains(&y)
}

/// Whether the date ending at `end` stops there: no letters glued on and no further
/// group of the same number (`1.2.3.4`). `T` and a digit after an ISO date is its time.
fn stops(s: &[u8], end: usize, iso: bool) -> bool {
    match s.get(end) {
        Some(b'T') if iso && digit(s, end + 1) => true,
        Some(&b) if is_word(b) => false,
        _ => !group_after(s, end).is_some_and(|n| n.joins),
    }
}

/// `1985-03-12`, `12/03/1985`, `03/12/1985`, `12.03.1985`, `12/03/85`: three groups and
/// one kind of separator (`-`, `.`, `/`).
fn numeric(s: &[u8], at: usize) -> Option<(usize, usize)> {
    if group_before(s, at).is_some_and(|n| n.joins) {
        return None;
    }
    let d1 = digits_end(s, at);
    let (k, l1) = sep_at(s, d1)?;
    if !matches!(k, Sep::Dash | Sep::Dot | Sep::Slash) {
        return None;
    }
    let b = d1 + l1;
    let d2 = digits_end(s, b);
    let (k2, l2) = sep_at(s, d2)?;
    let c = d2 + l2;
    let d3 = digits_end(s, c);
    if d2 == b || k2 != k || d3 == c {
        return None;
    }
    let (x, y, z) = (value(s, at, d1), value(s, b, d2), value(s, c, d3));
    let small = |n: usize| (1..=2).contains(&n);
    let ok = if d1 - at == 4 && small(d2 - b) && small(d3 - c) {
        year4(x) && valid(Some(x), y, z) && stops(s, d3, true)
    } else if small(d1 - at) && small(d2 - b) && (d3 - c == 4 || d3 - c == 2) {
        let year = (d3 - c == 4).then_some(z);
        year.is_none_or(year4) && (valid(year, y, x) || valid(year, x, y)) && stops(s, d3, false)
    } else {
        false
    };
    ok.then_some((at, d3))
}

/// The month a word names (English, full or abbreviated), and the word's length.
fn month(s: &[u8], at: usize) -> Option<(u32, usize)> {
    const NAMES: [&[u8]; 12] = [
        b"january",
        b"february",
        b"march",
        b"april",
        b"may",
        b"june",
        b"july",
        b"august",
        b"september",
        b"october",
        b"november",
        b"december",
    ];
    // Every month starts with one of these letters.
    if !s.get(at).is_some_and(|b| b"jfmasondJFMASOND".contains(b)) {
        return None;
    }
    let mut end = at;
    while s.get(end).is_some_and(u8::is_ascii_alphabetic) {
        end += 1;
    }
    let w = s.get(at..end)?;
    if w.len() < 3 || w.len() > 9 {
        return None;
    }
    let m = NAMES.iter().position(|n| {
        n.eq_ignore_ascii_case(w)
            || (w.len() == 3 && n.get(..3).is_some_and(|p| p.eq_ignore_ascii_case(w)))
    });
    let m = m.or_else(|| w.eq_ignore_ascii_case(b"sept").then_some(8))?;
    Some((m as u32 + 1, w.len()))
}

/// After a day: an ordinal suffix (`12th`), if any.
fn ordinal(s: &[u8], p: usize) -> usize {
    match s.get(p..p + 2) {
        Some(o)
            if [b"st", b"nd", b"rd", b"th"]
                .iter()
                .any(|x| o.eq_ignore_ascii_case(*x))
                && !s.get(p + 2).is_some_and(u8::is_ascii_alphanumeric) =>
        {
            p + 2
        }
        _ => p,
    }
}

/// A year at `p`: four digits, or two when `short` allows; its value and end.
fn year_at(s: &[u8], p: usize, short: bool) -> Option<(Option<u32>, usize)> {
    let end = digits_end(s, p);
    let y = value(s, p, end);
    match end - p {
        4 if year4(y) => Some((Some(y), end)),
        2 if short => Some((None, end)),
        _ => None,
    }
}

/// `12 March 1985`, `12th March 1985`, `12 Mar. 1985`, `12 March, 1985`, `12-Mar-1985`.
fn day_month(s: &[u8], at: usize) -> Option<(usize, usize)> {
    if group_before(s, at).is_some_and(|n| n.joins) {
        return None;
    }
    let d1 = digits_end(s, at);
    if d1 - at > 2 {
        return None;
    }
    let day = value(s, at, d1);
    let p = ordinal(s, d1);
    let (k, l) = sep_at(s, p)?;
    if !matches!(k, Sep::Space | Sep::Dash) {
        return None;
    }
    let (m, len) = month(s, p + l)?;
    let mut p = p + l + len;
    if s.get(p) == Some(&b'.') {
        p += 1;
    }
    if k == Sep::Space && s.get(p) == Some(&b',') {
        p += 1;
    }
    let (k2, l2) = sep_at(s, p)?;
    if k2 != k {
        return None;
    }
    let (y, end) = year_at(s, p + l2, k == Sep::Dash)?;
    (valid(y, m, day) && stops(s, end, false)).then_some((at, end))
}

/// `March 12, 1985`, `Mar 12 1985`, `Mar. 12th, 1985`: the month is the word before the
/// digit group at `at`, and the date starts there.
fn month_day(s: &[u8], at: usize) -> Option<(usize, usize)> {
    let (k, l) = sep_before(s, at)?;
    if k != Sep::Space {
        return None;
    }
    let mut w_end = at - l;
    if w_end > 0 && s.get(w_end - 1) == Some(&b'.') {
        w_end -= 1;
    }
    let mut w_start = w_end;
    while w_start > 0 && s.get(w_start - 1).is_some_and(u8::is_ascii_alphabetic) {
        w_start -= 1;
    }
    if w_start == w_end || !boundary_before(s, w_start) {
        return None;
    }
    let (m, len) = month(s, w_start)?;
    let d1 = digits_end(s, at);
    if w_start + len != w_end || d1 - at > 2 {
        return None;
    }
    let day = value(s, at, d1);
    let mut p = ordinal(s, d1);
    if s.get(p) == Some(&b',') {
        p += 1;
    }
    let (k2, l2) = sep_at(s, p)?;
    if k2 != Sep::Space {
        return None;
    }
    let (y, end) = year_at(s, p + l2, false)?;
    (valid(y, m, day) && stops(s, end, false)).then_some((w_start, end))
}

/// `19850312`: eight bare digits that read as a date.
fn compact(s: &[u8], at: usize) -> Option<(usize, usize)> {
    let end = digits_end(s, at);
    if end - at != 8 || group_before(s, at).is_some_and(|n| n.joins) || !stops(s, end, true) {
        return None;
    }
    let y = value(s, at, at + 4);
    let (m, d) = (value(s, at + 4, at + 6), value(s, at + 6, end));
    (year4(y) && valid(Some(y), m, d)).then_some((at, end))
}

#[cfg(test)]
mod tests {
    use super::super::{Context, Detectors, PiiKind, find_with};

    fn dobs(text: &str) -> Vec<&str> {
        dobs_in(text, Context::empty())
    }

    fn dobs_in(text: &str, c: Context) -> Vec<&str> {
        find_with(text, Detectors::all(), &mut || c)
            .iter()
            .filter(|f| f.kind == PiiKind::DateOfBirth)
            .map(|f| &text[f.start..f.end])
            .collect()
    }

    #[test]
    fn every_format_after_a_keyword() {
        for (label, date) in [
            ("DOB: ", "1985-03-12"),
            ("Date of birth: ", "1985/03/12"),
            ("born ", "12/03/1985"),
            ("Birthday ", "03/12/1985"),
            ("geb. ", "12.03.1985"),
            ("N\u{e9}e le ", "12-03-1985"),
            ("D.O.B. ", "12/03/85"),
            ("born ", "12 March 1985"),
            ("born on the ", "12th March 1985"),
            ("Date of birth: ", "March 12, 1985"),
            ("DOB ", "Mar 12 1985"),
            ("DOB ", "Mar. 12th, 1985"),
            ("dob=", "12-Mar-1985"),
            ("DOB ", "12-mar-85"),
            ("born ", "12 Sept 1985"),
            ("Fecha de nacimiento: ", "12/03/1985"),
            ("data di nascita ", "12.03.1985"),
            ("Geburtsdatum: ", "12.03.1985"),
            ("date de naissance : ", "12/03/1985"),
            ("birthDate\":\"", "1985-03-12"),
            ("DOB: ", "1985\u{2013}03\u{2013}12"),
            ("DOB: ", "12\u{a0}March\u{a0}1985"),
            ("Date of birth\n", "12/03/1985"),
            ("born ", "29/02/1984"),
        ] {
            let text = format!("{label}{date}, thanks");
            assert_eq!(dobs(&text), [date], "{text:?}");
        }
        assert_eq!(dobs("birthDate: 1985-03-12T00:00:00Z"), ["1985-03-12"]);
    }

    #[test]
    fn compact_dates_right_after_a_keyword() {
        for text in [
            "DOB:19920921",
            "DOB 19920921",
            "DOB: 19920921.",
            "dob=19920921&x=1",
            "{\"dob\":\"19920921\"}",
            "Date of birth: 19920921",
            "birthDate=19920921",
            "D.O.B. 19920921",
            "Date of birth\n19920921",
        ] {
            assert_eq!(dobs(text), ["19920921"], "{text:?}");
        }
        for text in [
            "19920921",
            "Order 19920921",
            "DOB: see record 19920921",
            "Born in Paris, order 19920921",
            "DOB: 19921321",
            "DOB: 199209210",
            "DOB: 19920921a",
            "DOB: 1992-0921",
            "Adobe 19920921",
        ] {
            assert_eq!(dobs(text), Vec::<&str>::new(), "{text:?}");
        }
        // The keyword belongs to the date after it, not to the number after that.
        for text in ["DOB 12/03/1985; 19920921", "DOB 12/03/1985, ref 19920921"] {
            assert_eq!(dobs(text), ["12/03/1985"], "{text:?}");
        }
    }

    #[test]
    fn in_a_context_every_date_counts() {
        for date in ["12/03/1985", "1985-03-12", "19850312", "March 12, 1985"] {
            assert_eq!(dobs_in(date, Context::DOB), [date]);
            assert_eq!(
                dobs_in(date, Context::PHONE | Context::SSN),
                Vec::<&str>::new()
            );
            assert_eq!(dobs(date), Vec::<&str>::new());
        }
    }

    #[test]
    fn other_dates_and_numbers_stay() {
        for text in [
            "Order placed 12/03/2024",
            "Updated 2024-11-29",
            "DOB: 31/02/1985",
            "DOB: 13/13/1985",
            "DOB: 1985-13-01",
            "DOB: 1985-02-30",
            "DOB: 29/02/1985",
            "DOB: 00/12/1985",
            "DOB: 12/03/1885",
            "DOB: 12/03/198",
            "DOB: 12/03-1985",
            "DOB: 12 03 1985",
            "DOB: 1.2.3.4",
            "DOB: 12.03.1985.4",
            "DOB: 12/03/1985a",
            "DOB: 12 Marchy 1985",
            "DOB: Marc 12, 1985",
            "DOB: 20241329",
            "DOB: 123456789",
            "Born in 1985",
            "Adobe 12/03/1985",
            "12/03/1985 is my dob",
            "DOB 12/03\n1985",
        ] {
            assert_eq!(dobs(text), Vec::<&str>::new(), "{text:?}");
        }
        let far = format!("DOB {} 12/03/1985", "x".repeat(40));
        assert_eq!(dobs(&far), Vec::<&str>::new());
        // A keyword says one date is a birth date, not the next one.
        assert_eq!(dobs("DOB 12/03/1985, joined 01/02/2020"), ["12/03/1985"]);
        assert_eq!(dobs("Joined 01/02/2020, DOB 12/03/1985"), ["12/03/1985"]);
    }

    #[test]
    fn the_context_is_asked_once_and_only_when_needed() {
        let mut calls = 0;
        let f = find_with("12/03/1985 and 1985-03-12", Detectors::all(), &mut || {
            calls += 1;
            Context::DOB
        });
        assert_eq!((f.len(), calls), (2, 1));
        let mut calls = 0;
        find_with("DOB 12/03/1985, total 12.50", Detectors::all(), &mut || {
            calls += 1;
            Context::DOB
        });
        assert_eq!(calls, 0);
        find_with("12/03/1985", Detectors::all() - Detectors::DOB, &mut || {
            calls += 1;
            Context::DOB
        });
        assert_eq!(calls, 0);
    }
}
