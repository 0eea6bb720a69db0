//! Email and IP addresses.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::{PiiKind, Scan, boundary_before, is_word};

// ---- email ----

fn local_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"._%+-".contains(&b)
}

fn domain_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'.'
}

/// File extensions that follow an `@` in asset names (`logo@2x.png`) and are no
/// top-level domain.
const NOT_TLDS: [&[u8]; 16] = [
    b"png", b"jpg", b"jpeg", b"gif", b"svg", b"webp", b"avif", b"ico", b"bmp", b"css", b"js",
    b"mjs", b"json", b"map", b"ttf", b"txt",
];

/// Email addresses, with plus-addressing and subdomains, and with the `@`
/// percent-encoded (`jane%40example.com`, as in a URL's query written out in text).
pub(super) fn emails(scan: &mut Scan<'_>) {
    let s = scan.s;
    // Cheap rejection: no `@` and no `%` means no address.
    if !s.contains(&b'@') && !s.contains(&b'%') {
        return;
    }
    let mut i = 0;
    while let Some(p) = s
        .get(i..)
        .and_then(|r| r.iter().position(|&b| b == b'@' || b == b'%'))
    {
        let at = i + p;
        let sign = if s.get(at) == Some(&b'@') {
            1
        } else if s.get(at + 1..at + 3) == Some(b"40") {
            3
        } else {
            i = at + 1;
            continue;
        };
        match address(s, at, sign) {
            Some((start, end)) => {
                scan.push(start, end, PiiKind::Email);
                i = end;
            }
            None => i = at + sign,
        }
    }
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

/// The address around the `@` (or `%40`, `sign` bytes) at `at`.
fn address(s: &[u8], at: usize, sign: usize) -> Option<(usize, usize)> {
    let mut start = at;
    while start > 0 && s.get(start - 1).is_some_and(|&b| local_byte(b)) {
        start -= 1;
    }
    // A percent-encoded byte that no local part has (`%20`, `%3D`, `%2F`) ends what came
    // before: `q=a%20jane%40example.com` holds `jane%40example.com`.
    let mut k = start;
    while k + 2 < at {
        let decoded = match s.get(k..k + 3) {
            Some(&[b'%', h, l]) => hex(h).zip(hex(l)).map(|(h, l)| h * 16 + l),
            _ => None,
        };
        match decoded {
            Some(v) => {
                if !local_byte(v) || v == b'%' {
                    start = k + 3;
                }
                k += 3;
            }
            None => k += 1,
        }
    }
    while start < at && s.get(start) == Some(&b'.') {
        start += 1;
    }
    if start == at {
        return None;
    }
    let from = at + sign;
    let mut end = from;
    while s.get(end).is_some_and(|&b| domain_byte(b)) {
        end += 1;
    }
    while end > from && matches!(s.get(end - 1), Some(b'.' | b'-')) {
        end -= 1;
    }
    let dom = s.get(from..end)?;
    let dot = dom.iter().rposition(|&b| b == b'.')?;
    let tld = dom.get(dot + 1..)?;
    let ok = dot > 0
        && !matches!(dom.first(), Some(b'.' | b'-'))
        && !dom.windows(2).any(|w| w == b"..")
        && tld.len() >= 2
        && tld.iter().all(u8::is_ascii_alphabetic)
        && !NOT_TLDS.iter().any(|t| t.eq_ignore_ascii_case(tld));
    ok.then_some((start, end))
}

// ---- IP addresses ----

/// IPv4 and IPv6 addresses (parsed by the standard library once a run of hex digits,
/// dots and colons has the right number of dots or colons).
pub(super) fn ips(text: &str, scan: &mut Scan<'_>) {
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
        if !followed && (v4 || v6) {
            scan.push(i, end, PiiKind::Ip);
        }
        i = j.max(i + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Detectors, PiiKind, find};

    fn found(text: &str, kind: PiiKind) -> Vec<&str> {
        find(text, Detectors::all())
            .iter()
            .filter(|f| f.kind == kind)
            .map(|f| &text[f.start..f.end])
            .collect()
    }

    #[test]
    fn emails() {
        for (text, email) in [
            ("mail jane.canary@example.com!", "jane.canary@example.com"),
            ("to a.b+c@mail.example.org.", "a.b+c@mail.example.org"),
            (
                "<jane_doe-1@sub.mail.example.co.uk>",
                "jane_doe-1@sub.mail.example.co.uk",
            ),
            ("mailto:JANE@EXAMPLE.COM", "JANE@EXAMPLE.COM"),
            ("?email=jane%40example.com&x=1", "jane%40example.com"),
            (
                "q=jane%2Bx%40mail.example.com",
                "jane%2Bx%40mail.example.com",
            ),
            ("q=hello%20jane%40example.com", "jane%40example.com"),
            ("#contact=jane@example.com", "jane@example.com"),
            (
                "see https://a.test/u?e=a.b%40c.example.io#x",
                "a.b%40c.example.io",
            ),
        ] {
            assert_eq!(found(text, PiiKind::Email), [email], "{text:?}");
        }
        for text in [
            "@handle and user@localhost and a@b.c",
            "logo@2x.png and icon@3x.webp",
            "npm i pkg@1.2.3",
            "100% @ 5%",
            "a%40b",
            "x@.example.com and y@-a.com",
            "jane@\nexample.com",
        ] {
            assert_eq!(found(text, PiiKind::Email), Vec::<&str>::new(), "{text:?}");
        }
    }

    #[test]
    fn ips() {
        assert_eq!(
            found("from 192.168.10.4 via", PiiKind::Ip),
            ["192.168.10.4"]
        );
        assert_eq!(
            found("addr 2001:db8::8a2e:370:7334", PiiKind::Ip),
            ["2001:db8::8a2e:370:7334"]
        );
        for text in [
            "at 12:30:45 and 999.1.1.1 and 1.2.3",
            "v1.2.3.4",
            "1.2.3.4.5",
        ] {
            assert_eq!(found(text, PiiKind::Ip), Vec::<&str>::new(), "{text:?}");
        }
    }
}
