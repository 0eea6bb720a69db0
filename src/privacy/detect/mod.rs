//! PII and secret detectors, hand-written scanners with a checksum or a structural check
//! where one exists (Luhn for cards, mod-97 for IBANs, SSN area rules, calendar dates), so
//! that order numbers, ISBNs, prices, timestamps, versions and ordinary dates stay.
//!
//! [`find`] runs on every visible text node and many attribute values, so each detector
//! starts with a cheap rejection: the numeric ones run only from the starts of digit
//! groups (one pass over the text for all of them), email only where there is an `@` or a
//! `%40`, secrets only where a known prefix starts a token. Some candidates are ambiguous
//! on their own (a date, a bare 9-digit SSN, a bare 10-11 digit phone number): they count
//! when a keyword before them in the text says what they are, or when the caller's
//! [`Context`] does ([`find_with`]).
//!
//! One file per family: `groups.rs` (the separators and digit groups every numeric
//! detector shares), `numbers.rs` (cards, SSN, IBAN), `phone.rs`, `contact.rs` (email,
//! IP), `dates.rs` (dates of birth), `secrets.rs` (vendor keys, JWT, Bearer, PEM, secret
//! URL parameters in text), `entropy.rs`, `context.rs` (keywords).

mod contact;
mod context;
mod dates;
mod entropy;
mod groups;
mod numbers;
mod phone;
mod secrets;

pub use context::context_of;

bitflags::bitflags! {
    /// Which detectors run.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct Detectors: u32 {
        /// Payment cards: 13-19 digits, known issuer prefix, Luhn valid, in the usual
        /// groups (4-4-4-4, Amex 4-6-5, ...) or none.
        const CARD = 1;
        /// IBAN: country (any case), check digits, BBAN of the country's length, mod-97.
        const IBAN = 1 << 1;
        /// US SSN `AAA GG SSSS` with any separators, the SSA's invalid ranges rejected;
        /// nine bare digits only with a keyword or [`Context::SSN`].
        const SSN = 1 << 2;
        /// Email addresses, also percent-encoded (`jane%40example.com`).
        const EMAIL = 1 << 3;
        /// Phone numbers: E.164, `00` international, NANP, national trunk-0 formats.
        const PHONE = 1 << 4;
        /// IPv4 and IPv6 addresses.
        const IP = 1 << 5;
        /// API keys and tokens: JWT, Bearer, vendor key prefixes, PEM private keys, and
        /// secret-named URL parameters in text.
        const SECRET = 1 << 6;
        /// Long high-entropy strings (attributes only).
        const ENTROPY = 1 << 7;
        /// Dates of birth: a date that a keyword (`date of birth`, `born`, ...) or
        /// [`Context::DOB`] says is one.
        const DOB = 1 << 8;
    }
}

impl Default for Detectors {
    fn default() -> Self {
        Detectors::all()
    }
}

bitflags::bitflags! {
    /// What the place a text comes from says about it: a field's name, id or
    /// autocomplete, an ancestor's class or itemprop, a label, a column header (see
    /// [`context_of`]). It decides the candidates that are ambiguous on their own.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct Context: u8 {
        /// A date of birth: every valid date is one, also the compact `19850312`
        /// (which a keyword in the text makes one only right before it: `DOB:19850312`).
        const DOB = 1;
        /// A social security number: nine bare digits are one.
        const SSN = 1 << 1;
        /// A phone number: ten or eleven bare digits are one.
        const PHONE = 1 << 2;
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
    /// An API key or token of a known vendor (AWS, Stripe, GitHub, Slack, Google, ...).
    ApiKey,
    /// A PEM private key.
    PrivateKey,
    /// A long high-entropy string.
    HighEntropy,
    /// A secret-looking URL parameter or fragment.
    UrlSecret,
    /// A date of birth.
    DateOfBirth,
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
            PiiKind::DateOfBirth => "dob",
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

/// What a scan collects: findings, and candidates that count only in a context.
pub(super) struct Scan<'a> {
    /// The text scanned.
    pub(super) s: &'a [u8],
    out: Vec<Finding>,
    pending: Vec<(Finding, Context)>,
    /// The end of the furthest finding or candidate: digit groups before it are done.
    reach: usize,
}

impl<'a> Scan<'a> {
    fn new(text: &'a str) -> Self {
        Scan {
            s: text.as_bytes(),
            out: Vec::new(),
            pending: Vec::new(),
            reach: 0,
        }
    }

    /// A finding.
    pub(super) fn push(&mut self, start: usize, end: usize, kind: PiiKind) {
        self.reach = self.reach.max(end);
        self.out.push(Finding { start, end, kind });
    }

    /// A candidate that is a finding when a keyword in the text says so (`keyword`), or
    /// else when the caller's context has `need`.
    pub(super) fn candidate(
        &mut self,
        start: usize,
        end: usize,
        kind: PiiKind,
        need: Context,
        keyword: bool,
    ) {
        if keyword {
            self.push(start, end, kind);
        } else {
            self.reach = self.reach.max(end);
            self.pending.push((Finding { start, end, kind }, need));
        }
    }
}

/// Finds everything the enabled detectors recognise in `text`, sorted and merged.
/// Candidates that need a context count only when a keyword in the text says what they
/// are (`DOB: 12/03/1985`, `SSN 123456789`, `Tel 4155550134`).
pub fn find(text: &str, detectors: Detectors) -> Vec<Finding> {
    find_with(text, detectors, &mut Context::empty)
}

/// [`find`], where the candidates that are ambiguous on their own (a date, nine bare
/// digits, ten or eleven bare digits) are findings when a keyword in the text or
/// `context()` says so. `context` is called at most once, and only when such a candidate
/// exists that no keyword decided, so the common case pays nothing for it.
pub fn find_with(
    text: &str,
    detectors: Detectors,
    context: &mut dyn FnMut() -> Context,
) -> Vec<Finding> {
    let mut scan = Scan::new(text);
    let has_digit = numeric(&mut scan, detectors);
    let s = scan.s;
    if has_digit && detectors.contains(Detectors::IP) && (s.contains(&b'.') || s.contains(&b':')) {
        contact::ips(text, &mut scan);
    }
    if detectors.contains(Detectors::EMAIL) {
        contact::emails(&mut scan);
    }
    if detectors.contains(Detectors::SECRET) {
        secrets::secrets(text, &mut scan);
        secrets::url_params(&mut scan);
    }
    if detectors.contains(Detectors::ENTROPY) {
        entropy::high_entropy(&mut scan);
    }
    let Scan {
        mut out, pending, ..
    } = scan;
    if !pending.is_empty() {
        let have = context();
        out.extend(
            pending
                .into_iter()
                .filter(|(_, need)| have.intersects(*need))
                .map(|(f, _)| f),
        );
    }
    merge(out)
}

/// The detectors that start at digit groups.
const NUMERIC: Detectors = Detectors::CARD
    .union(Detectors::SSN)
    .union(Detectors::PHONE)
    .union(Detectors::DOB)
    .union(Detectors::IBAN);

/// Runs the numeric detectors from the start of every digit group (one pass for all of
/// them); whether the text has a digit at all.
fn numeric(scan: &mut Scan<'_>, d: Detectors) -> bool {
    let s = scan.s;
    let Some(mut i) = s.iter().position(u8::is_ascii_digit) else {
        return false;
    };
    if !d.intersects(NUMERIC) {
        return true;
    }
    let mut dates = dates::Dates::default();
    loop {
        let end = groups::digits_end(s, i);
        // Groups inside a number already found are part of it.
        if i >= scan.reach {
            if boundary_before(s, i) {
                // Most numbers in text stand alone (`3 comments`, `1,234`): each detector
                // runs only where the group's length and neighbours fit its shapes.
                let len = end - i;
                let sep = groups::sep_at(s, end);
                let joined = sep.is_some_and(|(_, l)| {
                    s.get(end + l)
                        .is_some_and(|&b| b.is_ascii_digit() || b == b'(')
                });
                let opened = i > 0 && matches!(s.get(i - 1), Some(b'+' | b'('));
                if d.contains(Detectors::CARD) && ((13..=19).contains(&len) || (len == 4 && joined))
                {
                    numbers::card_at(scan, i);
                }
                if d.contains(Detectors::SSN) && (len == 9 || (len == 3 && joined)) {
                    numbers::ssn_at(scan, i);
                }
                if d.contains(Detectors::PHONE) && (joined || opened || (10..=17).contains(&len)) {
                    phone::phone_at(scan, i);
                }
                let dated = len == 8
                    || (len <= 4
                        && (sep.is_some() || s.get(end).is_some_and(u8::is_ascii_alphabetic)))
                    || (len <= 2 && groups::sep_before(s, i).is_some());
                if d.contains(Detectors::DOB) && dated {
                    dates::date_at(scan, i, &mut dates);
                }
            } else if d.contains(Detectors::IBAN) && i >= 2 {
                // Check digits right after two letters: `GB82`, `de89`.
                numbers::iban_at(scan, i - 2);
            }
        }
        match s
            .get(end..)
            .and_then(|r| r.iter().position(u8::is_ascii_digit))
        {
            Some(p) => i = end + p,
            None => return true,
        }
    }
}

impl PiiKind {
    /// How much a finding of this kind says about what it covers, for [`merge`]: when
    /// findings overlap, the merged one is named by its most specific detector, so that
    /// the report names what the text is. The more structure a detector checks, the
    /// higher: a PEM block is unmistakable and may contain anything; a JWT is often what
    /// a `Bearer` token or a secret URL parameter holds; a vendor key can end in
    /// `@github.com` (a token in a clone URL) and read as an email; checksummed numbers
    /// (card Luhn, IBAN mod-97) beat the SSN's ranges, which beat a date's calendar
    /// check; a `Bearer` token is only known by its keyword; an email, a phone and an IP
    /// each contain a looser match of the next (`+1...@`, digits and dots); a secret
    /// parameter and high entropy say only "something secret is here".
    fn specificity(self) -> u8 {
        match self {
            PiiKind::PrivateKey => 12,
            PiiKind::Jwt => 11,
            PiiKind::ApiKey => 10,
            PiiKind::Card => 9,
            PiiKind::Iban => 8,
            PiiKind::Ssn => 7,
            PiiKind::DateOfBirth => 6,
            PiiKind::Bearer => 5,
            PiiKind::Email => 4,
            PiiKind::Phone => 3,
            PiiKind::Ip => 2,
            PiiKind::UrlSecret => 1,
            PiiKind::HighEntropy => 0,
        }
    }
}

/// Sorts the findings and merges the overlapping ones: the merged range is their union
/// (masking covers all of it), its kind the most specific of theirs.
fn merge(mut v: Vec<Finding>) -> Vec<Finding> {
    v.sort_by_key(|f| (f.start, std::cmp::Reverse(f.end)));
    let mut out: Vec<Finding> = Vec::with_capacity(v.len());
    for f in v {
        match out.last_mut() {
            Some(last) if f.start < last.end => {
                last.end = last.end.max(f.end);
                if f.kind.specificity() > last.kind.specificity() {
                    last.kind = f.kind;
                }
            }
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

/// The end of the run of bytes that `ok` accepts, from `from`.
pub(super) fn token_end(s: &[u8], from: usize, ok: impl Fn(u8) -> bool) -> usize {
    let mut j = from;
    while s.get(j).is_some_and(|&b| ok(b)) {
        j += 1;
    }
    j
}

/// Helpers the detectors' unit tests share.
#[cfg(test)]
pub(super) mod testing {
    use super::{Detectors, PiiKind, find};

    /// The spans of `kind` that every detector finds in `text`, as text.
    pub(in crate::privacy::detect) fn found(text: &str, kind: PiiKind) -> Vec<&str> {
        find(text, Detectors::all())
            .iter()
            .filter(|f| f.kind == kind)
            .map(|f| text.get(f.start..f.end).unwrap_or(""))
            .collect()
    }

    /// The kinds every detector finds in `text`, in order.
    pub(in crate::privacy::detect) fn kinds(text: &str) -> Vec<PiiKind> {
        find(text, Detectors::all())
            .iter()
            .map(|f| f.kind)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    use super::testing::kinds;

    #[test]
    fn masking_keeps_whitespace_and_length() {
        let text = "pay 4242\u{a0}4242\u{a0}4242\u{a0}4242 now, call 415\u{2013}555\u{2013}0134";
        let m = mask_findings(text, &find(text, Detectors::all()));
        assert_eq!(
            m,
            "pay ****\u{a0}****\u{a0}****\u{a0}**** now, call ************"
        );
        assert_eq!(m.chars().count(), text.chars().count());
    }

    #[test]
    fn overlapping_findings_merge() {
        // An email in a secret-named parameter: one finding.
        let text = "?email=jane@example.com&x=1";
        let f = find(text, Detectors::all());
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(&text[f[0].start..f[0].end], "jane@example.com");
    }

    #[test]
    fn overlapping_findings_take_the_most_specific_kind() {
        fn one(text: &str) -> Option<(PiiKind, &str)> {
            let f = find(text, Detectors::all() - Detectors::ENTROPY);
            assert_eq!(f.len(), 1, "{text:?}: {f:?}");
            f.first().map(|f| (f.kind, &text[f.start..f.end]))
        }
        // A token in a clone URL also reads as an email's local part.
        let clone = "git clone https://ghp_dvSLGnLoJeevYdDXxi6KExSC6LxppO8BNfSh@github.com/a/b";
        assert_eq!(
            one(clone),
            Some((
                PiiKind::ApiKey,
                "ghp_dvSLGnLoJeevYdDXxi6KExSC6LxppO8BNfSh@github.com"
            ))
        );
        // A JWT sent as a Bearer token, or as a secret URL parameter.
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        assert_eq!(
            one(&format!("Authorization: Bearer {jwt}")),
            Some((PiiKind::Jwt, jwt))
        );
        assert_eq!(
            one(&format!("https://a.test/cb#id_token={jwt}")),
            Some((PiiKind::Jwt, jwt))
        );
        // The kind of a finding alone is kept: a Bearer token that is no JWT, an email in
        // a secret parameter (more specific than the parameter).
        assert_eq!(
            one("Authorization: Bearer abcdef0123456789abcdef"),
            Some((PiiKind::Bearer, "abcdef0123456789abcdef"))
        );
        assert_eq!(
            one("?email=jane@example.com&x=1"),
            Some((PiiKind::Email, "jane@example.com"))
        );
    }

    #[test]
    fn merged_ranges_are_the_union_whatever_the_order() {
        let f = |start, end, kind| Finding { start, end, kind };
        let merged = merge(vec![
            f(10, 20, PiiKind::Email),
            f(0, 12, PiiKind::UrlSecret),
            f(15, 30, PiiKind::ApiKey),
            f(40, 45, PiiKind::Ip),
            f(30, 35, PiiKind::Phone),
        ]);
        assert_eq!(
            merged,
            vec![
                f(0, 30, PiiKind::ApiKey),
                f(30, 35, PiiKind::Phone),
                f(40, 45, PiiKind::Ip)
            ]
        );
        // Every kind has its own rank: the order is total.
        let all = [
            PiiKind::PrivateKey,
            PiiKind::Jwt,
            PiiKind::ApiKey,
            PiiKind::Card,
            PiiKind::Iban,
            PiiKind::Ssn,
            PiiKind::DateOfBirth,
            PiiKind::Bearer,
            PiiKind::Email,
            PiiKind::Phone,
            PiiKind::Ip,
            PiiKind::UrlSecret,
            PiiKind::HighEntropy,
        ];
        for w in all.windows(2) {
            assert!(w[0].specificity() > w[1].specificity(), "{w:?}");
        }
    }

    #[test]
    fn line_breaks_never_join_groups() {
        // Adjacent text nodes joined with `\n`: each block keeps its own numbers.
        for text in [
            "4111 1111\n1111 1111",
            "123 45\n6789",
            "415 555\n0134",
            "GB82 WEST\n1234 5698 7654 32",
            "12/03\n1985",
        ] {
            assert_eq!(kinds(text), vec![], "{text:?}");
        }
        assert_eq!(
            kinds("Card\n4111 1111 1111 1111\nSSN\n123 45 6789"),
            vec![PiiKind::Card, PiiKind::Ssn]
        );
        // A label in the block before still names the value.
        assert_eq!(
            kinds("Date of birth\n12/03/1985"),
            vec![PiiKind::DateOfBirth]
        );
    }

    #[test]
    fn detectors_can_be_turned_off() {
        let text = "4111 1111 1111 1111 jane@example.com DOB 12/03/1985";
        assert_eq!(kinds(text).len(), 3);
        let some = Detectors::all() - Detectors::CARD - Detectors::DOB;
        let f = find(text, some);
        assert_eq!(
            f.iter().map(|f| f.kind).collect::<Vec<_>>(),
            vec![PiiKind::Email]
        );
        assert!(find(text, Detectors::empty()).is_empty());
        assert!(Detectors::default().contains(Detectors::DOB));
    }

    #[test]
    fn context_is_asked_at_most_once_and_only_when_needed() {
        let calls = |text: &str| {
            let mut n = 0;
            find_with(text, Detectors::all(), &mut || {
                n += 1;
                Context::all()
            });
            n
        };
        assert_eq!(calls("plain words, v1.2.3, $12.50 on 2024"), 0);
        assert_eq!(calls("4111 1111 1111 1111 and jane@example.com"), 0);
        assert_eq!(calls("123456789, 4155550134, 12/03/1985, 19850312"), 1);
        assert_eq!(calls("SSN 123456789"), 0);
        let f = find_with(
            "123456789, 4155550134, 12/03/1985",
            Detectors::all(),
            &mut || Context::SSN | Context::DOB,
        );
        let got: Vec<PiiKind> = f.iter().map(|f| f.kind).collect();
        assert_eq!(got, vec![PiiKind::Ssn, PiiKind::DateOfBirth]);
    }

    /// Digit groups and every separator kind, as pages write them.
    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            "[0-9]{1,6}",
            Just(" ".to_owned()),
            Just("-".to_owned()),
            Just(".".to_owned()),
            Just("/".to_owned()),
            Just("\u{a0}".to_owned()),
            Just("\u{202f}".to_owned()),
            Just("\u{2009}".to_owned()),
            Just("\u{2007}".to_owned()),
            Just("\u{2010}".to_owned()),
            Just("\u{2011}".to_owned()),
            Just("\u{2012}".to_owned()),
            Just("\u{2013}".to_owned()),
            Just("\n".to_owned()),
            Just("(".to_owned()),
            Just(")".to_owned()),
            Just("+".to_owned()),
            Just(",".to_owned()),
            Just(":".to_owned()),
            Just("@".to_owned()),
            Just("%40".to_owned()),
            Just("=".to_owned()),
            Just("?token=".to_owned()),
            Just("DOB ".to_owned()),
            Just("SSN ".to_owned()),
            Just("Tel ".to_owned()),
            Just("March ".to_owned()),
            "[a-zA-Z]{1,4}",
            "\\PC{1,2}",
        ]
    }

    proptest! {
        #[test]
        fn findings_are_on_char_boundaries(pieces in prop::collection::vec(piece(), 0..40)) {
            let text: String = pieces.concat();
            let f = find_with(&text, Detectors::all(), &mut Context::all);
            for x in &f {
                prop_assert!(x.start < x.end && x.end <= text.len(), "{x:?}");
                prop_assert!(text.is_char_boundary(x.start) && text.is_char_boundary(x.end), "{x:?}");
            }
            for w in f.windows(2) {
                prop_assert!(w[0].end <= w[1].start, "sorted, disjoint: {w:?}");
            }
            let masked = mask_findings(&text, &f);
            prop_assert_eq!(masked.chars().count(), text.chars().count());
            // Masking is all that changes.
            for (a, b) in text.chars().zip(masked.chars()) {
                prop_assert!(a == b || b == '*');
            }
        }
    }
}
