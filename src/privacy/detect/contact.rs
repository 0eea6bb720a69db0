//! Email and IP addresses.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::{Finding, PiiKind, boundary_before, is_word};

// ---- email ----

pub(super) fn emails(s: &[u8], out: &mut Vec<Finding>) {
    let local = |b: u8| b.is_ascii_alphanumeric() || b"._%+-".contains(&b);
    let domain = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'.';
    for (at, _) in s.iter().enumerate().filter(|(_, b)| **b == b'@') {
        let mut start = at;
        while start > 0 && s.get(start - 1).is_some_and(|&b| local(b)) {
            start -= 1;
        }
        let mut end = at + 1;
        while s.get(end).is_some_and(|&b| domain(b)) {
            end += 1;
        }
        while end > at + 1 && s.get(end - 1) == Some(&b'.') {
            end -= 1;
        }
        let dom = s.get(at + 1..end).unwrap_or_default();
        let Some(dot) = dom.iter().rposition(|&b| b == b'.') else {
            continue;
        };
        let tld = dom.get(dot + 1..).unwrap_or_default();
        if start < at && dot > 0 && tld.len() >= 2 && tld.iter().all(u8::is_ascii_alphabetic) {
            out.push(Finding {
                start,
                end,
                kind: PiiKind::Email,
            });
        }
    }
}

// ---- IP addresses ----

pub(super) fn ips(text: &str, out: &mut Vec<Finding>) {
    let s = text.as_bytes();
    let mut i = 0;
    while i < s.len() {
        let b = s.get(i).copied().unwrap_or(0);
        if !(b.is_ascii_hexdigit() || b == b':')
            || !boundary_before(s, i)
            || (i > 0 && s.get(i - 1) == Some(&b'.'))
        {
            i += 1;
            continue;
        }
        let mut j = i;
        while s
            .get(j)
            .is_some_and(|&c| c.is_ascii_hexdigit() || c == b'.' || c == b':')
        {
            j += 1;
        }
        let mut end = j;
        while end > i && matches!(s.get(end - 1), Some(b'.') | Some(b':')) {
            end -= 1;
        }
        let cand = text.get(i..end).unwrap_or("");
        let followed = s.get(end).is_some_and(|&c| is_word(c));
        let v4 =
            cand.bytes().filter(|&c| c == b'.').count() == 3 && cand.parse::<Ipv4Addr>().is_ok();
        let v6 = cand.bytes().filter(|&c| c == b':').count() >= 2
            && cand.len() >= 6
            && cand.parse::<Ipv6Addr>().is_ok();
        let kind = (!followed && (v4 || v6)).then_some(PiiKind::Ip);
        if let Some(kind) = kind {
            out.push(Finding {
                start: i,
                end,
                kind,
            });
        }
        i = j.max(i + 1);
    }
}
