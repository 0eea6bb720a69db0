//! Numbers with a check: payment cards (issuer prefix, Luhn), IBANs (country length,
//! mod-97) and US SSNs (the SSA's invalid ranges), in every grouping people write them.

use super::context::{Kw, keyword_before};
use super::groups::{Groups, Sep, group_after, group_before};
use super::{Context, PiiKind, Scan, boundary_after, boundary_before};

// ---- payment cards ----

fn luhn(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, &d) in digits.iter().rev().enumerate() {
        let mut v = u32::from(d);
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum.is_multiple_of(10)
}

fn known_iin(d: &[u8]) -> bool {
    let n = |k: usize| -> u32 { d.iter().take(k).fold(0u32, |a, &x| a * 10 + u32::from(x)) };
    let len = d.len();
    match d.first() {
        Some(4) => matches!(len, 13 | 16 | 19),
        Some(5) => (51..=55).contains(&n(2)) || n(2) == 50 || (56..=59).contains(&n(2)),
        Some(2) => (2221..=2720).contains(&n(4)),
        Some(3) => {
            matches!(n(2), 34 | 37 | 36 | 38 | 39)
                || (300..=305).contains(&n(3))
                || (3528..=3589).contains(&n(4))
        }
        Some(6) => {
            n(4) == 6011
                || n(2) == 65
                || (644..=649).contains(&n(3))
                || n(2) == 62
                || (60..=69).contains(&n(2))
        }
        _ => false,
    }
}

/// The groupings cards are printed in, longest first: 4-4-4-4-3 (19 digits), 4-4-4-4,
/// Amex 4-6-5, Diners 4-6-4.
const CARD_SHAPES: [&[usize]; 4] = [&[4, 4, 4, 4, 3], &[4, 4, 4, 4], &[4, 6, 5], &[4, 6, 4]];

fn card_digits(d: &[u8]) -> bool {
    (13..=19).contains(&d.len()) && known_iin(d) && luhn(d)
}

/// A card number starting at the digit group at `at`: 13-19 digits in one group, or in
/// one of [`CARD_SHAPES`] with one kind of separator (space, dash or dot).
pub(super) fn card_at(scan: &mut Scan<'_>, at: usize) {
    let s = scan.s;
    let before = group_before(s, at);
    if before.is_some_and(|n| n.sep == Sep::Glue) {
        return;
    }
    let g = Groups::read(
        s,
        at,
        5,
        |k| matches!(k, Sep::Space | Sep::Dash | Sep::Dot),
        true,
    );
    let mut buf = [0u8; 19];
    if (13..=19).contains(&g.len(0)) {
        let end = g.end_of(0);
        let glued = group_after(s, end).is_some_and(|n| n.sep == Sep::Glue);
        if !glued
            && g.digits(s, 1, &mut buf)
                .is_some_and(|n| buf.get(..n).is_some_and(card_digits))
        {
            scan.push(at, end, PiiKind::Card);
        }
        return;
    }
    let Some(sep) = g.sep(0) else { return };
    // A 4-digit group of the same kind before: the grouping started earlier.
    if before.is_some_and(|n| n.joins && n.sep == sep && n.len == 4) {
        return;
    }
    for shape in CARD_SHAPES {
        if !g.shaped(shape) {
            continue;
        }
        let k = shape.len();
        let end = g.end_of(k - 1);
        // And it must stop: a further 4-digit group of the same kind makes it longer.
        let next = if k < g.n() {
            Some((sep, g.len(k)))
        } else {
            group_after(s, end)
                .filter(|n| n.joins)
                .map(|n| (n.sep, n.len))
        };
        if next.is_some_and(|(k, len)| k == Sep::Glue || (k == sep && len == 4)) {
            continue;
        }
        if g.digits(s, k, &mut buf)
            .is_some_and(|n| buf.get(..n).is_some_and(card_digits))
        {
            scan.push(at, end, PiiKind::Card);
            return;
        }
    }
}

// ---- IBAN ----

fn iban_length(country: &[u8]) -> Option<usize> {
    const TABLE: &[(&[u8; 2], usize)] = &[
        (b"AD", 24),
        (b"AE", 23),
        (b"AT", 20),
        (b"BE", 16),
        (b"BG", 22),
        (b"BH", 22),
        (b"BR", 29),
        (b"CH", 21),
        (b"CY", 28),
        (b"CZ", 24),
        (b"DE", 22),
        (b"DK", 18),
        (b"EE", 20),
        (b"ES", 24),
        (b"FI", 18),
        (b"FO", 18),
        (b"FR", 27),
        (b"GB", 22),
        (b"GI", 23),
        (b"GL", 18),
        (b"GR", 27),
        (b"HR", 21),
        (b"HU", 28),
        (b"IE", 22),
        (b"IL", 23),
        (b"IS", 26),
        (b"IT", 27),
        (b"KW", 30),
        (b"KZ", 20),
        (b"LB", 28),
        (b"LI", 21),
        (b"LT", 20),
        (b"LU", 20),
        (b"LV", 21),
        (b"MC", 27),
        (b"MT", 31),
        (b"NL", 18),
        (b"NO", 15),
        (b"PL", 28),
        (b"PT", 25),
        (b"RO", 24),
        (b"RS", 22),
        (b"SA", 24),
        (b"SE", 24),
        (b"SI", 19),
        (b"SK", 24),
        (b"SM", 27),
        (b"TR", 26),
        (b"UA", 29),
    ];
    TABLE
        .iter()
        .find(|(c, _)| c.as_slice() == country)
        .map(|(_, l)| *l)
}

fn iban_valid(chars: &[u8]) -> bool {
    // Move the first four to the end, letters to numbers, mod 97.
    let mut rem = 0u32;
    for &c in chars.iter().skip(4).chain(chars.iter().take(4)) {
        let v = if c.is_ascii_digit() {
            u32::from(c - b'0')
        } else if c.is_ascii_uppercase() {
            u32::from(c - b'A') + 10
        } else {
            return false;
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

/// The most characters an IBAN has (Saint Lucia's 32, Malta's 31 in the table).
const IBAN_MAX: usize = 34;

/// An IBAN starting at `start` (two letters, then the check digits): the country's length
/// of letters and digits, in any case, with no spaces or with a space (of any kind) after
/// every group of four, and mod-97 on the upper-cased form.
pub(super) fn iban_at(scan: &mut Scan<'_>, start: usize) {
    let s = scan.s;
    let byte = |i: usize| s.get(i).copied().unwrap_or(0);
    if !boundary_before(s, start)
        || !byte(start).is_ascii_alphabetic()
        || !byte(start + 1).is_ascii_alphabetic()
        || !byte(start + 2).is_ascii_digit()
        || !byte(start + 3).is_ascii_digit()
    {
        return;
    }
    let country = [
        byte(start).to_ascii_uppercase(),
        byte(start + 1).to_ascii_uppercase(),
    ];
    let Some(len) = iban_length(&country) else {
        return;
    };
    let mut chars = [0u8; IBAN_MAX];
    let (mut n, mut j, mut end) = (0, start, start);
    let (mut in_group, mut spaced) = (0, false);
    while n < len.min(IBAN_MAX) {
        let b = byte(j);
        if b.is_ascii_alphanumeric() {
            in_group += 1;
            if spaced && in_group > 4 {
                return;
            }
            if let Some(c) = chars.get_mut(n) {
                *c = b.to_ascii_uppercase();
            }
            n += 1;
            j += 1;
            end = j;
            continue;
        }
        match super::groups::sep_at(s, j) {
            Some((Sep::Space, l)) if in_group == 4 && byte(j + l).is_ascii_alphanumeric() => {
                spaced = true;
                in_group = 0;
                j += l;
            }
            _ => break,
        }
    }
    if n == len && boundary_after(s, end) && iban_valid(chars.get(..n).unwrap_or_default()) {
        scan.push(start, end, PiiKind::Iban);
    }
}

// ---- SSN ----

/// The SSA's rules: no area 000, 666 or 900-999, no group 00, no serial 0000.
fn ssn_valid(area: u32, group: u32, serial: u32) -> bool {
    area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
}

/// An SSN starting at the digit group at `at`: 3-2-4 digits with any separators (mixed
/// too), or nine bare digits when a keyword or the context says SSN (alone they are as
/// likely an order number).
pub(super) fn ssn_at(scan: &mut Scan<'_>, at: usize) {
    let s = scan.s;
    if group_before(s, at).is_some_and(|n| n.joins) {
        return;
    }
    let g = Groups::read(
        s,
        at,
        3,
        |k| matches!(k, Sep::Space | Sep::Dash | Sep::Dot),
        false,
    );
    let (end, bare) = if g.shaped(&[3, 2, 4]) {
        (g.end_of(2), false)
    } else if g.n() == 1 && g.len(0) == 9 {
        (g.end_of(0), true)
    } else {
        return;
    };
    if group_after(s, end).is_some_and(|n| n.joins) {
        return;
    }
    let (area, group, serial) = if bare {
        let v = g.value(s, 0);
        (v / 1_000_000, v / 10_000 % 100, v % 10_000)
    } else {
        (g.value(s, 0), g.value(s, 1), g.value(s, 2))
    };
    if !ssn_valid(area, group, serial) {
        return;
    }
    if bare {
        let keyword = keyword_before(s, at, 0, Kw::Ssn);
        scan.candidate(at, end, PiiKind::Ssn, Context::SSN, keyword);
    } else {
        scan.push(at, end, PiiKind::Ssn);
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Context, Detectors, PiiKind, find, find_with, mask_findings};

    use super::super::testing::found;

    fn nothing(text: &str) {
        assert_eq!(find(text, Detectors::all()), vec![], "{text:?}");
    }

    /// The Unicode separators pages emit between digit groups.
    const SPACES: [&str; 5] = [" ", "\u{a0}", "\u{202f}", "\u{2009}", "\u{2007}"];
    const DASHES: [&str; 5] = ["-", "\u{2010}", "\u{2011}", "\u{2012}", "\u{2013}"];

    #[test]
    fn cards_in_every_grouping() {
        for sep in SPACES.iter().chain(&DASHES).chain(&["."]) {
            for groups in [
                &["4111", "1111", "1111", "1111"][..],
                &["5500", "0055", "5555", "5559"],
                &["2221", "0000", "0000", "0009"],
                &["3782", "822463", "10005"],
                &["3056", "930902", "5904"],
                &["4000", "0000", "0000", "0000", "006"],
            ] {
                let card = groups.join(sep);
                let text = format!("card: {card}, exp 12/25");
                assert_eq!(found(&text, PiiKind::Card), [card.as_str()], "{text:?}");
            }
        }
        for bare in ["4111111111111111", "378282246310005", "6011111111111117"] {
            assert_eq!(found(&format!("pan={bare};"), PiiKind::Card), [bare]);
        }
        // An expiry after a space is not part of the number.
        let text = "4242 4242 4242 4242 12/25";
        assert_eq!(
            mask_findings(text, &find(text, Detectors::all())),
            "**** **** **** **** 12/25"
        );
        assert_eq!(
            found("Ref 12 4111 1111 1111 1111", PiiKind::Card),
            ["4111 1111 1111 1111"]
        );
    }

    #[test]
    fn card_near_misses() {
        for text in [
            "Order 4111 1111 1111 1112",                // Luhn
            "id 4111111111111112",                      // Luhn, 16 bare digits
            "1234 5678 9012 3452",                      // no issuer starts with 1
            "1234567890123452",                         //
            "4111 11111 111 1111",                      // not a card grouping
            "4111 1111-1111 1111",                      // two kinds of separator
            "4111 1111 1111 1111 1111",                 // the grouping goes on
            "1111 4111 1111 1111 1111",                 //
            "4111 1111\n1111 1111",                     // a line break separates
            "4111 1111 1111\n1111",                     //
            "ISBN 978-0-306-40615-7 and 9780306406157", //
            "Total: $1,234.56 on 2024-11-29 at 12:30",  //
            "tracking 1Z999AA10123456784",              //
            "timestamp 1700000000000",                  //
            "v4111111111111111",                        // glued to a letter
        ] {
            assert_eq!(found(text, PiiKind::Card), Vec::<&str>::new(), "{text:?}");
        }
    }

    #[test]
    fn ibans_in_any_case_and_spacing() {
        for iban in [
            "GB82 WEST 1234 5698 7654 32",
            "gb82 west 1234 5698 7654 32",
            "Gb82 West 1234 5698 7654 32",
            "GB82WEST12345698765432",
            "De89 3704 0044 0532 0130 00",
            "de89370400440532013000",
            "FR14 2004 1010 0505 0001 3M02 606",
            "NL91ABNA0417164300",
            "BE68\u{a0}5390\u{a0}0754\u{a0}7034",
            "GB33\u{202f}BUKB\u{202f}2020\u{202f}1555\u{202f}5555\u{202f}55",
        ] {
            let text = format!("IBAN: {iban}.");
            assert_eq!(found(&text, PiiKind::Iban), [iban], "{text:?}");
        }
    }

    #[test]
    fn iban_near_misses() {
        for text in [
            "GB82 WEST 1234 5698 7654 33",  // check digits
            "GB82 WES T123 4569 8765 432",  // groups of four or none
            "GB82WEST 1234 5698 7654 32",   //
            "GB82 WEST 1234 5698 7654",     // too short
            "GB82 WEST 1234 5698 7654 32X", // too long
            "XX82 WEST 1234 5698 7654 32",  // no such country
            "GB82-WEST-1234-5698-7654-32",  // dashes are not IBAN spacing
            "GB82 WEST 1234\n5698 7654 32", // a line break separates
            "DE12 is a code",               //
            "aDE89370400440532013000",      // inside a word
        ] {
            assert_eq!(found(text, PiiKind::Iban), Vec::<&str>::new(), "{text:?}");
        }
    }

    #[test]
    fn ssns_with_any_separators() {
        for sep1 in SPACES.iter().chain(&DASHES).chain(&["."]) {
            for sep2 in [" ", "-", ".", "\u{a0}", "\u{2013}"] {
                let ssn = format!("123{sep1}45{sep2}6789");
                let text = format!("ref {ssn} ok");
                assert_eq!(found(&text, PiiKind::Ssn), [ssn.as_str()], "{text:?}");
            }
        }
        for text in [
            "000-12-3456",
            "666-12-3456",
            "912-34-5678",
            "123-00-4567",
            "123-45-0000",
            "123 00 4567",
            "part 123-45-6789-0",
            "part 1-123-45-6789",
            "123/45/6789",
            "123-456-789",
            "123-45\n6789",
            "1,123-45-6789",
        ] {
            assert_eq!(found(text, PiiKind::Ssn), Vec::<&str>::new(), "{text:?}");
        }
    }

    #[test]
    fn bare_ssns_need_a_keyword_or_context() {
        assert_eq!(found("SSN: 123456789", PiiKind::Ssn), ["123456789"]);
        assert_eq!(
            found("Social security number 123456789", PiiKind::Ssn),
            ["123456789"]
        );
        nothing("Order 123456789 shipped");
        nothing("SSN: 666123456");
        let far = format!("SSN {} 123456789", "x".repeat(45));
        nothing(&far);
        let ssn = |text: &str, c: Context| {
            find_with(text, Detectors::all(), &mut || c)
                .iter()
                .map(|f| &text[f.start..f.end])
                .collect::<Vec<_>>()
                .join("|")
        };
        assert_eq!(ssn("123456789", Context::SSN), "123456789");
        assert_eq!(ssn("123456789", Context::DOB | Context::PHONE), "");
        assert_eq!(ssn("1234567890", Context::SSN), "");
    }
}
