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

/// Words after which four dotted numbers are a version or a section number
/// (`Version 1.2.3.4`, `Firmware 2.4.1.7`, `Clause 12.4.2.1`, `Fig. 1.2.3.4`), compared
/// case-insensitively; `§` counts too (see [`numbered`]).
const NUMBERING_WORDS: [&[u8]; 22] = [
    b"version",
    b"ver",
    b"firmware",
    b"build",
    b"release",
    b"rev",
    b"section",
    b"sec",
    b"clause",
    b"chapter",
    b"ch",
    b"step",
    b"rule",
    b"item",
    b"article",
    b"art",
    b"paragraph",
    b"para",
    b"figure",
    b"fig",
    b"table",
    b"appendix",
];

/// Whether the dotted quad at `i` is numbered by what comes before it: a product token
/// and a slash (`Chrome/120.0.0.0`, a user agent), or a version or section word with an
/// optional `:` or `.` (`Version: 1.2.3.4`, `See section 4.2.1.3`, `§ 4.2.1.3`). A `v`
/// glued to it (`v1.2.3.4`) never starts a candidate. A slash after a path or a URL's
/// `//` (`http://10.0.0.1`, `/hosts/10.0.0.1`) leaves an address.
fn numbered(s: &[u8], i: usize) -> bool {
    let before = |p: usize| p.checked_sub(1).and_then(|q| s.get(q)).copied();
    if before(i) == Some(b'/') {
        let slash = i - 1;
        let mut w = slash;
        while before(w).is_some_and(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            w -= 1;
        }
        let product = s
            .get(w..slash)
            .is_some_and(|t| t.iter().any(u8::is_ascii_alphabetic));
        return product
            && before(w).is_none_or(|b| b.is_ascii_whitespace() || b"(\"'[,;".contains(&b));
    }
    let blank = |b: u8| b == b' ' || b == b'\t';
    let mut p = i;
    while before(p).is_some_and(blank) {
        p -= 1;
    }
    if before(p).is_some_and(|b| b == b':' || b == b'.') {
        p -= 1;
        while before(p).is_some_and(blank) {
            p -= 1;
        }
    }
    if before(p) == Some(0xA7) && p >= 2 && s.get(p - 2) == Some(&0xC2) {
        return true;
    }
    let mut w = p;
    while before(w).is_some_and(|b| b.is_ascii_alphabetic()) {
        w -= 1;
    }
    w < p
        && before(w).is_none_or(|b| !is_word(b))
        && s.get(w..p)
            .is_some_and(|word| NUMBERING_WORDS.iter().any(|k| k.eq_ignore_ascii_case(word)))
}

/// IPv4 and IPv6 addresses (parsed by the standard library once a run of hex digits,
/// dots and colons has the right number of dots or colons); an IPv4 address with a port
/// (`10.0.0.12:5432`) is the address. An IPv6 address with a port is written in brackets
/// (`[2001:db8::1]:443`), which end the run.
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
        let colons = cand.bytes().filter(|&c| c == b':').count();
        let dots = cand.bytes().filter(|&c| c == b'.').count();
        // `10.0.0.12:5432`: the address, then one colon and a port.
        let v4_end = match cand.split_once(':') {
            Some((addr, port)) if colons == 1 => {
                (port.len() <= 5 && port.parse::<u16>().is_ok()).then_some(i + addr.len())
            }
            _ => Some(end),
        };
        let v4 = dots == 3
            && v4_end.is_some_and(|e| {
                text.get(i..e)
                    .is_some_and(|a| a.parse::<Ipv4Addr>().is_ok())
            })
            && !numbered(s, i);
        let v6 = colons >= 2 && cand.len() >= 6 && cand.parse::<Ipv6Addr>().is_ok();
        if !followed && v4 {
            scan.push(i, v4_end.unwrap_or(end), PiiKind::Ip);
        } else if !followed && v6 {
            scan.push(i, end, PiiKind::Ip);
        }
        i = j.max(i + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::super::PiiKind;

    use super::super::testing::found;

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

    #[test]
    fn ips_with_a_port() {
        for (text, ip) in [
            ("Server: 10.0.0.12:5432", "10.0.0.12"),
            ("db at 192.168.1.20:80, then", "192.168.1.20"),
            ("10.0.0.12:65535", "10.0.0.12"),
            ("connect [2001:db8::1]:443 now", "2001:db8::1"),
        ] {
            assert_eq!(found(text, PiiKind::Ip), [ip], "{text:?}");
        }
        // Not a port: too big, too long, a second colon, letters after.
        for text in [
            "10.0.0.12:65536",
            "10.0.0.12:000080",
            "10.0.0.12:80:1",
            "10.0.0.12:80abc",
            "999.0.0.12:80",
        ] {
            assert_eq!(found(text, PiiKind::Ip), Vec::<&str>::new(), "{text:?}");
        }
    }

    #[test]
    fn numbered_quads_are_no_ips() {
        for text in [
            "Version 1.2.3.4",
            "version: 1.2.3.4",
            "VER. 10.0.2.1",
            "Firmware 2.4.1.7",
            "build 8.1.0.102",
            "Release 2.0.0.1",
            "rev 1.1.1.1",
            "Chrome/120.0.0.0 Safari/537.36",
            "(Edg/120.0.2210.91; OPR/106.0.0.0)",
            "See section 4.2.1.3 of the spec",
            "sec. 4.2.1.3",
            "\u{a7}4.2.1.3 and \u{a7} 4.2.1.3",
            "Clause 12.4.2.1",
            "Chapter 3.1.2.4: Limits",
            "ch. 3.1.2.4",
            "Step 1.2.1.1",
            "Rule 10.1.1.2",
            "item 2.1.1.1",
            "Article 5.1.2.3",
            "Art. 5.1.2.3",
            "paragraph 1.1.1.1",
            "Para 1.1.1.1",
            "Figure 3.2.1.1",
            "Fig. 3.2.1.1",
            "Table 3.2.1.1",
            "Appendix 1.0.0.1",
        ] {
            assert_eq!(found(text, PiiKind::Ip), Vec::<&str>::new(), "{text:?}");
        }
        // Addresses just outside: another word, a word that ends in one of them, a URL
        // or a path, a word a line before.
        for (text, ip) in [
            ("Server 10.0.0.1", "10.0.0.1"),
            ("Research 10.0.0.1", "10.0.0.1"),
            ("subsection10 10.0.0.1", "10.0.0.1"),
            ("see http://10.0.0.1/admin", "10.0.0.1"),
            ("GET /hosts/10.0.0.1", "10.0.0.1"),
            ("example.com/10.0.0.1", "10.0.0.1"),
            ("Version 2 runs on 10.0.0.1", "10.0.0.1"),
            ("Table: IP, 10.0.0.1", "10.0.0.1"),
            ("Section\n\n10.0.0.1", "10.0.0.1"),
        ] {
            assert_eq!(found(text, PiiKind::Ip), [ip], "{text:?}");
        }
    }
}
