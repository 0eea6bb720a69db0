//! Numbers with a check: payment cards (issuer prefix, Luhn), IBANs (country length,
//! mod-97) and US SSNs (the SSA's invalid ranges).

use super::{Finding, PiiKind, boundary_after, boundary_before};

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

pub(super) fn cards(s: &[u8], out: &mut Vec<Finding>) {
    let mut i = 0;
    while i < s.len() {
        if !s.get(i).is_some_and(u8::is_ascii_digit) || !boundary_before(s, i) {
            i += 1;
            continue;
        }
        // A run of digits with single spaces or dashes between groups.
        let start = i;
        let mut digits = Vec::with_capacity(19);
        let mut j = i;
        let mut end = i;
        while let Some(&b) = s.get(j) {
            if b.is_ascii_digit() {
                digits.push(b - b'0');
                j += 1;
                end = j;
            } else if (b == b' ' || b == b'-') && s.get(j + 1).is_some_and(u8::is_ascii_digit) {
                j += 1;
            } else {
                break;
            }
            if digits.len() > 19 {
                break;
            }
        }
        if (13..=19).contains(&digits.len())
            && boundary_after(s, end)
            && known_iin(&digits)
            && luhn(&digits)
        {
            out.push(Finding {
                start,
                end,
                kind: PiiKind::Card,
            });
        }
        i = end.max(i + 1);
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

pub(super) fn ibans(s: &[u8], out: &mut Vec<Finding>) {
    let mut i = 0;
    while i + 4 < s.len() {
        let ok_start = boundary_before(s, i)
            && s.get(i).is_some_and(u8::is_ascii_uppercase)
            && s.get(i + 1).is_some_and(u8::is_ascii_uppercase)
            && s.get(i + 2).is_some_and(u8::is_ascii_digit)
            && s.get(i + 3).is_some_and(u8::is_ascii_digit);
        let Some(len) = ok_start
            .then(|| iban_length(s.get(i..i + 2).unwrap_or_default()))
            .flatten()
        else {
            i += 1;
            continue;
        };
        let mut chars = Vec::with_capacity(len);
        let mut j = i;
        let mut end = i;
        while chars.len() < len {
            match s.get(j) {
                Some(&b) if b.is_ascii_alphanumeric() => {
                    chars.push(b.to_ascii_uppercase());
                    j += 1;
                    end = j;
                }
                Some(b' ') if s.get(j + 1).is_some_and(u8::is_ascii_alphanumeric) => j += 1,
                _ => break,
            }
        }
        if chars.len() == len && boundary_after(s, end) && iban_valid(&chars) {
            out.push(Finding {
                start: i,
                end,
                kind: PiiKind::Iban,
            });
            i = end;
        } else {
            i += 1;
        }
    }
}

// ---- SSN ----

pub(super) fn ssns(s: &[u8], out: &mut Vec<Finding>) {
    let digit = |i: usize| {
        s.get(i)
            .filter(|b| b.is_ascii_digit())
            .map(|b| u32::from(b - b'0'))
    };
    let mut i = 0;
    while i + 11 <= s.len() {
        let shape = (0..11).all(|k| match k {
            3 | 6 => s.get(i + k) == Some(&b'-'),
            _ => digit(i + k).is_some(),
        });
        if shape
            && boundary_before(s, i)
            && boundary_after(s, i + 11)
            && s.get(i + 11) != Some(&b'-')
        {
            let num = |a: usize, n: usize| {
                (a..a + n).fold(0, |acc, k| acc * 10 + digit(i + k).unwrap_or(0))
            };
            let (area, group, serial) = (num(0, 3), num(4, 2), num(7, 4));
            if area != 0 && area != 666 && area < 900 && group != 0 && serial != 0 {
                out.push(Finding {
                    start: i,
                    end: i + 11,
                    kind: PiiKind::Ssn,
                });
                i += 11;
                continue;
            }
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Detectors, PiiKind, find, mask_findings};

    fn kinds(text: &str) -> Vec<PiiKind> {
        find(text, Detectors::all())
            .iter()
            .map(|f| f.kind)
            .collect()
    }

    #[allow(dead_code)]
    fn masked(text: &str) -> String {
        mask_findings(text, &find(text, Detectors::all()))
    }

    #[test]
    fn cards() {
        assert_eq!(kinds("card 4111 1111 1111 1111 exp"), vec![PiiKind::Card]);
        assert_eq!(kinds("4111-1111-1111-1111"), vec![PiiKind::Card]);
        assert_eq!(kinds("5500005555555559"), vec![PiiKind::Card]);
        assert_eq!(kinds("amex 378282246310005"), vec![PiiKind::Card]);
        assert_eq!(
            masked("pay 4242 4242 4242 4242 now"),
            "pay **** **** **** **** now"
        );
        // Luhn-invalid order number, ISBN-13, prices, dates, long ids stay.
        assert!(kinds("Order 4111 1111 1111 1112").is_empty());
        assert!(kinds("ISBN 978-0-306-40615-7 and 9780306406157").is_empty());
        assert!(kinds("Total: $1,234.56 on 2024-11-29 at 12:30").is_empty());
        assert!(kinds("tracking 1234567890123").is_empty());
    }

    #[test]
    fn ibans() {
        assert_eq!(
            kinds("IBAN GB82 WEST 1234 5698 7654 32."),
            vec![PiiKind::Iban]
        );
        assert_eq!(kinds("DE89370400440532013000"), vec![PiiKind::Iban]);
        assert!(
            kinds("GB82 WEST 1234 5698 7654 33").is_empty(),
            "bad check digits"
        );
        assert!(kinds("DE12 is a code").is_empty());
    }

    #[test]
    fn ssns() {
        assert_eq!(kinds("SSN: 123-45-6789"), vec![PiiKind::Ssn]);
        for bad in [
            "000-12-3456",
            "666-12-3456",
            "912-34-5678",
            "123-00-4567",
            "123-45-0000",
        ] {
            assert!(kinds(bad).is_empty(), "{bad}");
        }
        assert!(kinds("part 123-45-6789-0").is_empty());
    }
}
