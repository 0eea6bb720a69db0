//! Phone numbers: E.164 and national formats.

use super::{Finding, PiiKind, boundary_after, boundary_before};

pub(super) fn phones(s: &[u8], out: &mut Vec<Finding>) {
    let sep = |b: u8| b" -.()".contains(&b);
    let mut i = 0;
    while i < s.len() {
        let b = s.get(i).copied().unwrap_or(0);
        let plus = b == b'+';
        let paren = b == b'(';
        if !(plus || paren || b.is_ascii_digit()) || !boundary_before(s, i) {
            i += 1;
            continue;
        }
        // Collect a run of digits and separators (no two separators in a row but ") ").
        let start = i;
        let mut j = if plus { i + 1 } else { i };
        let mut digits = Vec::new();
        let mut groups = Vec::new();
        let mut cur = 0usize;
        let mut end = j;
        let mut seps = 0usize;
        while let Some(&c) = s.get(j) {
            if c.is_ascii_digit() {
                digits.push(c - b'0');
                cur += 1;
                j += 1;
                end = j;
                seps = 0;
            } else if sep(c) && seps < 2 && (c != b'(' || cur == 0) {
                if cur > 0 {
                    groups.push(cur);
                    cur = 0;
                }
                seps += 1;
                j += 1;
            } else {
                break;
            }
        }
        if cur > 0 {
            groups.push(cur);
        }
        if paren && s.get(start + 4) != Some(&b')') {
            i += 1;
            continue;
        }
        let ok_end = boundary_after(s, end);
        let n = digits.len();
        let found = ok_end
            && if plus {
                (8..=15).contains(&n) && digits.first() != Some(&0) && groups.len() >= 2
                    || (10..=15).contains(&n) && groups.len() == 1
            } else if digits.first() == Some(&0) {
                // National format with a trunk 0: 10 or 11 digits in groups.
                (10..=11).contains(&n) && groups.len() >= 3 && groups.iter().all(|&g| g >= 2)
            } else {
                // North American: 3-3-4 with separators, area code starting 2-9.
                n == 10 && groups == [3, 3, 4] && digits.first().is_some_and(|&d| d >= 2)
            };
        if found {
            out.push(Finding {
                start,
                end,
                kind: PiiKind::Phone,
            });
            i = end;
        } else {
            i = end.max(i + 1);
        }
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
    fn phones() {
        assert_eq!(kinds("mail jane.canary@example.com!"), vec![PiiKind::Email]);
        assert_eq!(
            masked("to a.b+c@mail.example.org."),
            format!("to {}.", "*".repeat(22))
        );
        assert!(kinds("@handle and user@localhost and a@b.c").is_empty());
        assert_eq!(kinds("call +1 415 555 0134 now"), vec![PiiKind::Phone]);
        assert_eq!(kinds("+447911123456"), vec![PiiKind::Phone]);
        assert_eq!(kinds("(415) 555-0134"), vec![PiiKind::Phone]);
        assert_eq!(kinds("415-555-0134"), vec![PiiKind::Phone]);
        assert_eq!(kinds("06 12 34 56 78"), vec![PiiKind::Phone]);
        assert!(kinds("on 2024-11-29, item 12 of 150, v1.2.3").is_empty());
        assert!(kinds("ISBN 0-306-40615-2").is_empty());
        assert_eq!(kinds("from 192.168.10.4 via"), vec![PiiKind::Ip]);
        assert_eq!(kinds("addr 2001:db8::8a2e:370:7334"), vec![PiiKind::Ip]);
        assert!(kinds("at 12:30:45 and 999.1.1.1 and 1.2.3").is_empty());
    }
}
