//! PII and secret detectors. Each is a hand-written scanner with a checksum or a
//! structural check where one exists (Luhn for cards, mod-97 for IBANs, SSN area rules),
//! so that order numbers, ISBNs, prices and dates stay.

use std::net::{Ipv4Addr, Ipv6Addr};

bitflags::bitflags! {
    /// Which detectors run.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct Detectors: u32 {
        /// Payment cards: 13-19 digits, known issuer prefix, Luhn valid.
        const CARD = 1;
        /// IBAN: country, check digits, BBAN of the country's length, mod-97 == 1.
        const IBAN = 1 << 1;
        /// US SSN `AAA-GG-SSSS` with the SSA's invalid ranges rejected.
        const SSN = 1 << 2;
        /// Email addresses.
        const EMAIL = 1 << 3;
        /// Phone numbers: E.164 and common national formats.
        const PHONE = 1 << 4;
        /// IPv4 and IPv6 addresses.
        const IP = 1 << 5;
        /// API keys and tokens: JWT, Bearer, AWS, Stripe, GitHub, Slack, Google, PEM keys.
        const SECRET = 1 << 6;
        /// Long high-entropy strings (attributes only).
        const ENTROPY = 1 << 7;
    }
}

impl Default for Detectors {
    fn default() -> Self {
        Detectors::all()
    }
}

/// What a detector found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum PiiKind {
    /// A payment card number.
    Card,
    /// An IBAN.
    Iban,
    /// A US social security number.
    Ssn,
    /// An email address.
    Email,
    /// A phone number.
    Phone,
    /// An IP address.
    Ip,
    /// A JSON web token.
    Jwt,
    /// A `Bearer` token.
    Bearer,
    /// An API key of a known vendor (AWS, Stripe, GitHub, Slack, Google).
    ApiKey,
    /// A PEM private key.
    PrivateKey,
    /// A long high-entropy string.
    HighEntropy,
    /// A secret-looking URL parameter or fragment.
    UrlSecret,
}

impl PiiKind {
    /// A short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            PiiKind::Card => "card",
            PiiKind::Iban => "iban",
            PiiKind::Ssn => "ssn",
            PiiKind::Email => "email",
            PiiKind::Phone => "phone",
            PiiKind::Ip => "ip",
            PiiKind::Jwt => "jwt",
            PiiKind::Bearer => "bearer",
            PiiKind::ApiKey => "api_key",
            PiiKind::PrivateKey => "private_key",
            PiiKind::HighEntropy => "high_entropy",
            PiiKind::UrlSecret => "url_secret",
        }
    }
}

/// One finding: a byte range of the scanned text and its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Finding {
    /// Start byte (on a char boundary).
    pub start: usize,
    /// End byte (exclusive, on a char boundary).
    pub end: usize,
    /// What it is.
    pub kind: PiiKind,
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn boundary_before(s: &[u8], i: usize) -> bool {
    i == 0 || s.get(i - 1).is_none_or(|&b| !is_word(b))
}

fn boundary_after(s: &[u8], i: usize) -> bool {
    s.get(i).is_none_or(|&b| !is_word(b))
}

/// Finds everything the enabled detectors recognise in `text`, sorted and merged.
pub fn find(text: &str, detectors: Detectors) -> Vec<Finding> {
    let s = text.as_bytes();
    let mut out = Vec::new();
    let has_digit = s.iter().any(u8::is_ascii_digit);
    if has_digit {
        if detectors.contains(Detectors::CARD) {
            cards(s, &mut out);
        }
        if detectors.contains(Detectors::SSN) {
            ssns(s, &mut out);
        }
        if detectors.contains(Detectors::PHONE) {
            phones(s, &mut out);
        }
        if detectors.contains(Detectors::IP) {
            ips(text, &mut out);
        }
        if detectors.contains(Detectors::IBAN) {
            ibans(s, &mut out);
        }
    }
    if detectors.contains(Detectors::EMAIL) && s.contains(&b'@') {
        emails(s, &mut out);
    }
    if detectors.contains(Detectors::SECRET) {
        secrets(text, &mut out);
    }
    if detectors.contains(Detectors::ENTROPY) {
        high_entropy(s, &mut out);
    }
    merge(out)
}

fn merge(mut v: Vec<Finding>) -> Vec<Finding> {
    v.sort_by_key(|f| (f.start, std::cmp::Reverse(f.end)));
    let mut out: Vec<Finding> = Vec::with_capacity(v.len());
    for f in v {
        match out.last_mut() {
            Some(last) if f.start < last.end => last.end = last.end.max(f.end),
            _ => out.push(f),
        }
    }
    out
}

/// Replaces every non-whitespace character inside the findings by `*`.
pub fn mask_findings(text: &str, findings: &[Finding]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for f in findings {
        if f.start < at || f.end > text.len() {
            continue;
        }
        out.push_str(text.get(at..f.start).unwrap_or(""));
        for c in text.get(f.start..f.end).unwrap_or("").chars() {
            out.push(if c.is_whitespace() { c } else { '*' });
        }
        at = f.end;
    }
    out.push_str(text.get(at..).unwrap_or(""));
    out
}

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

fn cards(s: &[u8], out: &mut Vec<Finding>) {
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

fn ibans(s: &[u8], out: &mut Vec<Finding>) {
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

fn ssns(s: &[u8], out: &mut Vec<Finding>) {
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

// ---- email ----

fn emails(s: &[u8], out: &mut Vec<Finding>) {
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

// ---- phone ----

fn phones(s: &[u8], out: &mut Vec<Finding>) {
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

// ---- IP addresses ----

fn ips(text: &str, out: &mut Vec<Finding>) {
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

// ---- secrets ----

fn token_end(s: &[u8], from: usize, ok: impl Fn(u8) -> bool) -> usize {
    let mut j = from;
    while s.get(j).is_some_and(|&b| ok(b)) {
        j += 1;
    }
    j
}

/// The first position at or after `from` where `needle` (ASCII, non-empty) starts.
/// Cheaper than `str::find` on the short strings scrubbed by the thousand.
fn find_ascii(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let mut i = from;
    while let Some(p) = hay.get(i..)?.iter().position(|&b| b == first) {
        let at = i + p;
        if hay.get(at + 1..at + needle.len()) == Some(rest) {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

fn secrets(text: &str, out: &mut Vec<Finding>) {
    let s = text.as_bytes();
    // The shortest secret below is a Slack token: `xoxb-` and ten characters.
    if s.len() < 15 {
        return;
    }
    let b64url = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    // Vendor key prefixes: (prefix, allowed char, min length after the prefix, kind).
    type Rule = (&'static str, fn(u8) -> bool, usize);
    let upper_digit: fn(u8) -> bool = |b| b.is_ascii_uppercase() || b.is_ascii_digit();
    let alnum_f: fn(u8) -> bool = |b| b.is_ascii_alphanumeric();
    let word_f: fn(u8) -> bool = |b| b.is_ascii_alphanumeric() || b == b'_';
    let dash_f: fn(u8) -> bool = |b| b.is_ascii_alphanumeric() || b == b'-';
    let b64_f: fn(u8) -> bool = |b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    let rules: [Rule; 14] = [
        ("AKIA", upper_digit, 16),
        ("ASIA", upper_digit, 16),
        ("sk_live_", alnum_f, 10),
        ("rk_live_", alnum_f, 10),
        ("ghp_", alnum_f, 30),
        ("gho_", alnum_f, 30),
        ("ghs_", alnum_f, 30),
        ("ghu_", alnum_f, 30),
        ("github_pat_", word_f, 22),
        ("xoxb-", dash_f, 10),
        ("xoxp-", dash_f, 10),
        ("xoxa-", dash_f, 10),
        ("xoxs-", dash_f, 10),
        ("AIza", b64_f, 30),
    ];
    // One pass to see which prefixes occur at all (natural text has none of them):
    // bits 0..14 are the rules, then the JWT, bearer and PEM openings.
    const OPENINGS: [&[u8]; 3] = [b"eyJ", b"Bearer ", b"-----BEGIN "];
    let mut present = 0u32;
    for (i, pair) in s.windows(2).enumerate() {
        // The candidates by their first two bytes (indices as in `present`).
        let candidates: &[usize] = match pair {
            [b'A', b'K'] => &[0],
            [b'A', b'S'] => &[1],
            [b'A', b'I'] => &[13],
            [b's', b'k'] => &[2],
            [b'r', b'k'] => &[3],
            [b'g', b'h'] => &[4, 5, 6, 7, 8],
            [b'x', b'o'] => &[9, 10, 11, 12],
            [b'e', b'y'] => &[14],
            [b'B', b'e'] => &[15],
            [b'-', b'-'] => &[16],
            _ => continue,
        };
        let at = s.get(i..).unwrap_or_default();
        for &k in candidates {
            let prefix = match rules.get(k) {
                Some((p, _, _)) => p.as_bytes(),
                None => OPENINGS.get(k - rules.len()).copied().unwrap_or_default(),
            };
            if at.starts_with(prefix) {
                present |= 1 << k;
            }
        }
    }
    if present == 0 {
        return;
    }
    for (k, (prefix, ok, min)) in rules.into_iter().enumerate() {
        if present & (1 << k) == 0 {
            continue;
        }
        let mut from = 0;
        while let Some(start) = find_ascii(s, from, prefix.as_bytes()) {
            let end = token_end(s, start + prefix.len(), ok);
            if boundary_before(s, start) && end - start - prefix.len() >= min {
                out.push(Finding {
                    start,
                    end,
                    kind: PiiKind::ApiKey,
                });
            }
            from = end.max(start + 1);
        }
    }
    // JWT: eyJ....eyJ....sig
    let mut from = if present & (1 << rules.len()) == 0 {
        s.len()
    } else {
        0
    };
    while let Some(start) = find_ascii(s, from, b"eyJ") {
        let h_end = token_end(s, start, b64url);
        let mut end = h_end;
        let mut ok = false;
        if s.get(h_end) == Some(&b'.')
            && text.get(h_end + 1..).is_some_and(|t| t.starts_with("eyJ"))
        {
            let p_end = token_end(s, h_end + 1, b64url);
            end = p_end;
            if s.get(p_end) == Some(&b'.') {
                end = token_end(s, p_end + 1, b64url);
                ok = h_end - start >= 10 && p_end - h_end >= 10;
            }
        }
        if ok {
            out.push(Finding {
                start,
                end,
                kind: PiiKind::Jwt,
            });
        }
        from = end.max(start + 1);
    }
    // Bearer tokens.
    let mut from = if present & (1 << (rules.len() + 1)) == 0 {
        s.len()
    } else {
        0
    };
    while let Some(p) = find_ascii(s, from, b"Bearer ") {
        let start = p + "Bearer ".len();
        let end = token_end(s, start, |b| {
            b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b)
        });
        if end - start >= 16 {
            out.push(Finding {
                start,
                end,
                kind: PiiKind::Bearer,
            });
        }
        from = end.max(start);
    }
    // PEM private keys: the whole block.
    let mut from = if present & (1 << (rules.len() + 2)) == 0 {
        s.len()
    } else {
        0
    };
    while let Some(start) = find_ascii(s, from, b"-----BEGIN ") {
        let rest = text.get(start..).unwrap_or("");
        let header_end = rest.get(11..).and_then(|r| r.find("-----")).map(|e| e + 11);
        let is_private = header_end
            .and_then(|e| rest.get(..e))
            .is_some_and(|h| h.contains("PRIVATE KEY"));
        if is_private {
            let end = match rest.find("-----END ") {
                Some(e) => rest
                    .get(e + 9..)
                    .and_then(|r| r.find("-----"))
                    .map_or(rest.len(), |x| e + 9 + x + 5),
                None => rest.len(),
            };
            out.push(Finding {
                start,
                end: start + end,
                kind: PiiKind::PrivateKey,
            });
            from = start + end;
        } else {
            from = start + 1;
        }
    }
}

// ---- high entropy ----

fn high_entropy(s: &[u8], out: &mut Vec<Finding>) {
    if s.len() < 24 {
        return; // no token can be long enough
    }
    let tok = |b: u8| b.is_ascii_alphanumeric() || b"+/=_-".contains(&b);
    let mut i = 0;
    while i < s.len() {
        if !s.get(i).is_some_and(|&b| tok(b)) {
            i += 1;
            continue;
        }
        let end = token_end(s, i, tok);
        let t = s.get(i..end).unwrap_or_default();
        if t.len() >= 24 && entropy_secret(t) {
            out.push(Finding {
                start: i,
                end,
                kind: PiiKind::HighEntropy,
            });
        }
        i = end;
    }
}

/// A token that looks random: mixed letters and digits and at least 3.5 bits per char.
fn entropy_secret(t: &[u8]) -> bool {
    let digits = t.iter().filter(|b| b.is_ascii_digit()).count();
    let letters = t.iter().filter(|b| b.is_ascii_alphabetic()).count();
    if digits == 0 || letters == 0 || digits * 10 < t.len() {
        return false;
    }
    let mut counts = [0u32; 256];
    for &b in t {
        if let Some(c) = counts.get_mut(usize::from(b)) {
            *c += 1;
        }
    }
    let n = t.len() as f64;
    let h: f64 = counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum();
    h >= 3.5
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<PiiKind> {
        find(text, Detectors::all())
            .iter()
            .map(|f| f.kind)
            .collect()
    }

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

    #[test]
    fn emails_phones_ips() {
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

    #[test]
    fn secrets() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        assert_eq!(kinds(&format!("token={jwt}&x")), vec![PiiKind::Jwt]);
        assert_eq!(
            kinds("Authorization: Bearer abcdef0123456789abcdef"),
            vec![PiiKind::Bearer]
        );
        assert_eq!(kinds("AKIAIOSFODNN7EXAMPLE"), vec![PiiKind::ApiKey]);
        assert_eq!(
            kinds("sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
            vec![PiiKind::ApiKey]
        );
        assert_eq!(
            kinds("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"),
            vec![PiiKind::ApiKey]
        );
        assert_eq!(kinds("xoxb-2048-4096-abcdefABCDEF"), vec![PiiKind::ApiKey]);
        assert_eq!(
            kinds("AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe"),
            vec![PiiKind::ApiKey]
        );
        let pem = "x -----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY----- y";
        let m = masked(pem);
        assert!(m.starts_with("x *") && m.ends_with("* y"), "{m}");
        assert_eq!(
            m[2..m.len() - 2]
                .chars()
                .filter(|c| *c != '*' && !c.is_whitespace())
                .count(),
            0
        );
        assert!(kinds("-----BEGIN CERTIFICATE-----").is_empty());
        assert!(kinds("sk_test_abc and AKIA123 and eyJhbGc").is_empty());
    }

    #[test]
    fn entropy() {
        assert_eq!(
            kinds("k=9fT2xQ7LmZ4pR8vW1yB6nC3s"),
            vec![PiiKind::HighEntropy]
        );
        assert!(kinds("supercalifragilisticexpialidocious").is_empty());
        assert!(kinds("aaaaaaaaaaaaaaaaaaaaaaaa1111").is_empty());
        assert!(kinds("the-quick-brown-fox-jumps-over").is_empty());
    }
}
