//! PII and secret detectors. Each is a hand-written scanner with a checksum or a
//! structural check where one exists (Luhn for cards, mod-97 for IBANs, SSN area rules),
//! so that order numbers, ISBNs, prices and dates stay.

mod contact;
mod entropy;
mod numbers;
mod phone;
mod secrets;

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

pub(super) fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

pub(super) fn boundary_before(s: &[u8], i: usize) -> bool {
    i == 0 || s.get(i - 1).is_none_or(|&b| !is_word(b))
}

pub(super) fn boundary_after(s: &[u8], i: usize) -> bool {
    s.get(i).is_none_or(|&b| !is_word(b))
}

/// Finds everything the enabled detectors recognise in `text`, sorted and merged.
pub fn find(text: &str, detectors: Detectors) -> Vec<Finding> {
    let s = text.as_bytes();
    let mut out = Vec::new();
    let has_digit = s.iter().any(u8::is_ascii_digit);
    if has_digit {
        if detectors.contains(Detectors::CARD) {
            numbers::cards(s, &mut out);
        }
        if detectors.contains(Detectors::SSN) {
            numbers::ssns(s, &mut out);
        }
        if detectors.contains(Detectors::PHONE) {
            phone::phones(s, &mut out);
        }
        if detectors.contains(Detectors::IP) {
            contact::ips(text, &mut out);
        }
        if detectors.contains(Detectors::IBAN) {
            numbers::ibans(s, &mut out);
        }
    }
    if detectors.contains(Detectors::EMAIL) && s.contains(&b'@') {
        contact::emails(s, &mut out);
    }
    if detectors.contains(Detectors::SECRET) {
        secrets::secrets(text, &mut out);
    }
    if detectors.contains(Detectors::ENTROPY) {
        entropy::high_entropy(s, &mut out);
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

pub(super) fn token_end(s: &[u8], from: usize, ok: impl Fn(u8) -> bool) -> usize {
    let mut j = from;
    while s.get(j).is_some_and(|&b| ok(b)) {
        j += 1;
    }
    j
}

/// The first position at or after `from` where `needle` (ASCII, non-empty) starts.
/// Cheaper than `str::find` on the short strings scrubbed by the thousand.
pub(super) fn find_ascii(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
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
