//! Secrets: vendor API keys and tokens by their prefixes, JWTs, Bearer tokens, PEM
//! private keys, and secret-named parameters of URLs written in text.
//!
//! Every key starts a token, so one pass looks only where a word starts with a byte that
//! some prefix starts with (natural text rarely gets further). Each prefix has its own
//! body alphabet and minimum length, and some need a digit, so that words such as
//! `sk-SK`, `key-value`, `hf_test`, `npm_config` or `xoxo-gossip` stay.

use super::{PiiKind, Scan, boundary_before, token_end};
use crate::privacy::url::secret_name;

/// The bytes a key's body may hold.
#[derive(Debug, Clone, Copy)]
enum Alpha {
    /// `A-Z0-9` (AWS key ids).
    UpperDigit,
    /// `A-Za-z0-9`.
    Alnum,
    /// `A-Za-z0-9_`.
    Word,
    /// `A-Za-z0-9-`.
    AlnumDash,
    /// `A-Za-z0-9-_` (base64url).
    B64Url,
    /// `0-9a-f`.
    LowerHex,
    /// `0-9a-fA-F`.
    Hex,
}

impl Alpha {
    fn allows(self, b: u8) -> bool {
        match self {
            Alpha::UpperDigit => b.is_ascii_uppercase() || b.is_ascii_digit(),
            Alpha::Alnum => b.is_ascii_alphanumeric(),
            Alpha::Word => b.is_ascii_alphanumeric() || b == b'_',
            Alpha::AlnumDash => b.is_ascii_alphanumeric() || b == b'-',
            Alpha::B64Url => b.is_ascii_alphanumeric() || b == b'-' || b == b'_',
            Alpha::LowerHex => b.is_ascii_digit() || (b'a'..=b'f').contains(&b),
            Alpha::Hex => b.is_ascii_hexdigit(),
        }
    }
}

/// A vendor key: a prefix, then a body of `alpha`, at least `min` long (exactly `min`,
/// then the token ends, when `exact`), with a digit in it when `digit`.
#[derive(Debug, Clone, Copy)]
struct Rule {
    prefix: &'static [u8],
    alpha: Alpha,
    min: usize,
    exact: bool,
    digit: bool,
}

const fn run(prefix: &'static [u8], alpha: Alpha, min: usize) -> Rule {
    Rule {
        prefix,
        alpha,
        min,
        exact: false,
        digit: false,
    }
}

const fn exact(prefix: &'static [u8], alpha: Alpha, len: usize) -> Rule {
    Rule {
        prefix,
        alpha,
        min: len,
        exact: true,
        digit: false,
    }
}

const fn with_digit(rule: Rule) -> Rule {
    Rule {
        digit: true,
        ..rule
    }
}

use Alpha::{AlnumDash, B64Url, Hex, LowerHex, UpperDigit};

/// AWS key ids (`ASIA`, `ABIA` and `ACCA` also start upper-case words, hence the digit)
/// and Google API keys.
const RULES_A: [Rule; 5] = [
    exact(b"AKIA", UpperDigit, 16),
    with_digit(exact(b"ASIA", UpperDigit, 16)),
    with_digit(exact(b"ABIA", UpperDigit, 16)),
    with_digit(exact(b"ACCA", UpperDigit, 16)),
    run(b"AIza", B64Url, 30),
];
/// Stripe secret and test keys; Anthropic, OpenAI project and other OpenAI keys; Square.
const RULES_S: [Rule; 7] = [
    run(b"sk_live_", Alpha::Alnum, 16),
    run(b"sk_test_", Alpha::Alnum, 16),
    run(b"sk-ant-", B64Url, 32),
    run(b"sk-proj-", B64Url, 20),
    with_digit(run(b"sk-", B64Url, 32)),
    run(b"sq0atp-", B64Url, 22),
    run(b"sq0csp-", B64Url, 40),
];
/// Stripe restricted keys.
const RULES_R: [Rule; 2] = [
    run(b"rk_live_", Alpha::Alnum, 16),
    run(b"rk_test_", Alpha::Alnum, 16),
];
/// Stripe webhook secrets.
const RULES_W: [Rule; 1] = [run(b"whsec_", Alpha::Alnum, 24)];
/// GitHub and GitLab tokens.
const RULES_G: [Rule; 7] = [
    run(b"ghp_", Alpha::Alnum, 30),
    run(b"gho_", Alpha::Alnum, 30),
    run(b"ghs_", Alpha::Alnum, 30),
    run(b"ghu_", Alpha::Alnum, 30),
    run(b"ghr_", Alpha::Alnum, 30),
    run(b"github_pat_", Alpha::Word, 22),
    run(b"glpat-", B64Url, 20),
];
/// Slack tokens (they carry digits; `xoxo-` is also a word).
const RULES_X: [Rule; 8] = [
    with_digit(run(b"xoxa-", AlnumDash, 10)),
    with_digit(run(b"xoxb-", AlnumDash, 10)),
    with_digit(run(b"xoxp-", AlnumDash, 10)),
    with_digit(run(b"xoxo-", AlnumDash, 10)),
    with_digit(run(b"xoxs-", AlnumDash, 10)),
    with_digit(run(b"xoxe-", AlnumDash, 10)),
    with_digit(run(b"xoxr-", AlnumDash, 10)),
    with_digit(run(b"xapp-", AlnumDash, 10)),
];
/// Google OAuth access tokens.
const RULES_Y: [Rule; 1] = [run(b"ya29.", B64Url, 20)];
/// npm tokens.
const RULES_N: [Rule; 1] = [run(b"npm_", Alpha::Alnum, 30)];
/// PyPI tokens.
const RULES_P: [Rule; 1] = [run(b"pypi-", B64Url, 40)];
/// Twilio API key secrets.
const RULES_UPPER_S: [Rule; 1] = [exact(b"SK", LowerHex, 32)];
/// Mailgun keys.
const RULES_K: [Rule; 1] = [exact(b"key-", LowerHex, 32)];
/// Shopify tokens.
const RULES_SHOPIFY: [Rule; 4] = [
    exact(b"shpat_", Hex, 32),
    exact(b"shpss_", Hex, 32),
    exact(b"shpca_", Hex, 32),
    exact(b"shppa_", Hex, 32),
];
/// DigitalOcean tokens.
const RULES_D: [Rule; 3] = [
    exact(b"dop_v1_", LowerHex, 64),
    exact(b"doo_v1_", LowerHex, 64),
    exact(b"dor_v1_", LowerHex, 64),
];
/// Hugging Face tokens.
const RULES_H: [Rule; 1] = [run(b"hf_", Alpha::Alnum, 30)];

/// The bytes a secret can start with; the pass looks no further at any other.
fn first(b: u8) -> bool {
    matches!(
        b,
        b'A' | b's'
            | b'r'
            | b'w'
            | b'g'
            | b'x'
            | b'y'
            | b'n'
            | b'p'
            | b'S'
            | b'k'
            | b'd'
            | b'h'
            | b'B'
            | b'b'
            | b'e'
            | b'-'
    )
}

/// The body of a `rule` key after its prefix at `body`: where it ends, if it is one.
fn body_end(s: &[u8], body: usize, rule: &Rule) -> Option<usize> {
    let end = token_end(s, body, |b| rule.alpha.allows(b));
    let len = end - body;
    let long = if rule.exact {
        len == rule.min && !s.get(end).is_some_and(|b| b.is_ascii_alphanumeric())
    } else {
        len >= rule.min
    };
    let digit = !rule.digit
        || s.get(body..end)
            .is_some_and(|t| t.iter().any(u8::is_ascii_digit));
    (long && digit).then_some(end)
}

fn b64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// The secret starting at `i` (a word starts there, with a byte that [`first`] accepts): its
/// range and kind.
fn secret_at(text: &str, i: usize) -> Option<(usize, usize, PiiKind)> {
    let s = text.as_bytes();
    let at = s.get(i..)?;
    let rules: &[Rule] = match at.first()? {
        b'A' => &RULES_A,
        b's' if at.starts_with(b"shp") => &RULES_SHOPIFY,
        b's' => &RULES_S,
        b'r' => &RULES_R,
        b'w' => &RULES_W,
        b'g' => &RULES_G,
        b'x' => &RULES_X,
        b'y' => &RULES_Y,
        b'n' => &RULES_N,
        b'p' => &RULES_P,
        b'S' if at.starts_with(b"SG.") => return sendgrid(s, i),
        b'S' => &RULES_UPPER_S,
        b'k' => &RULES_K,
        b'd' => &RULES_D,
        b'h' if at.starts_with(SLACK_HOOK) => return slack_hook(s, i),
        b'h' => &RULES_H,
        b'e' => return jwt(s, i),
        b'B' | b'b' => return bearer_named(text, i),
        b'-' => return pem(text, i),
        _ => return None,
    };
    rules.iter().find_map(|r| {
        at.starts_with(r.prefix)
            .then(|| body_end(s, i + r.prefix.len(), r))
            .flatten()
            .map(|end| (i, end, PiiKind::ApiKey))
    })
}

/// The bytes of the runs a secret lies in: keys, JWTs, base64, URL paths.
fn run_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/' | b'+' | b'=')
}

/// The shortest secret that is one run: a Slack token, `xoxb-` and ten characters.
const SHORTEST: usize = 15;

/// Vendor keys, JWTs, Bearer tokens and PEM private keys.
pub(super) fn secrets(text: &str, scan: &mut Scan<'_>) {
    let s = scan.s;
    if s.len() < SHORTEST {
        return;
    }
    // Words are short: only runs long enough to hold a secret, `Bearer` and a PEM
    // opening get looked into.
    let mut i = 0;
    while let Some(&b) = s.get(i) {
        if !run_byte(b) {
            i += 1;
            continue;
        }
        let end = token_end(s, i, run_byte);
        let len = end - i;
        if !(len >= SHORTEST || b == b'-' || (len == 6 && matches!(b, b'B' | b'b'))) {
            i = end;
            continue;
        }
        let mut j = i;
        let mut reach = end;
        while j < end {
            let first = s.get(j).is_some_and(|&c| first(c));
            if first
                && word_start(s, j)
                && let Some((start, stop, kind)) = secret_at(text, j)
            {
                scan.push(start, stop, kind);
                reach = reach.max(stop);
                j = stop.max(j + 1);
                continue;
            }
            j += 1;
        }
        i = reach;
    }
}

/// Whether a token can start at `j`: after a non-word byte, or after a percent-encoded
/// byte (`%3D`, `%26`) in a URL written out in text.
fn word_start(s: &[u8], j: usize) -> bool {
    boundary_before(s, j)
        || (j >= 3
            && s.get(j - 3) == Some(&b'%')
            && s.get(j - 2..j)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)))
}

/// SendGrid: `SG.` then two base64url parts.
fn sendgrid(s: &[u8], i: usize) -> Option<(usize, usize, PiiKind)> {
    let a = i + 3;
    let a_end = token_end(s, a, b64url);
    if a_end - a < 16 || s.get(a_end) != Some(&b'.') {
        return None;
    }
    let end = token_end(s, a_end + 1, b64url);
    (end - a_end > 30).then_some((i, end, PiiKind::ApiKey))
}

const SLACK_HOOK: &[u8] = b"hooks.slack.com/services/";

/// A Slack incoming webhook: the path after `hooks.slack.com/services/` is the secret.
fn slack_hook(s: &[u8], i: usize) -> Option<(usize, usize, PiiKind)> {
    let from = i + SLACK_HOOK.len();
    let end = token_end(s, from, |b| b.is_ascii_alphanumeric() || b == b'/');
    (end - from >= 20).then_some((from, end, PiiKind::ApiKey))
}

/// A JSON web token: `eyJ` header, `.`, `eyJ` payload, `.`, signature.
fn jwt(s: &[u8], start: usize) -> Option<(usize, usize, PiiKind)> {
    if !s.get(start..)?.starts_with(b"eyJ") {
        return None;
    }
    let h_end = token_end(s, start, b64url);
    if s.get(h_end) != Some(&b'.') || !s.get(h_end + 1..)?.starts_with(b"eyJ") {
        return None;
    }
    let p_end = token_end(s, h_end + 1, b64url);
    if s.get(p_end) != Some(&b'.') || h_end - start < 10 || p_end - h_end < 10 {
        return None;
    }
    Some((start, token_end(s, p_end + 1, b64url), PiiKind::Jwt))
}

/// The punctuation a `Bearer` token (RFC 6750's token68) holds besides letters and digits.
const TOKEN_PUNCT: &[u8] = b"-._~+/=";

/// A `Bearer` token (the token only): 16 characters or more, or 8 or more with a digit or
/// a token punctuation (`mF_9.B5f-4.1JqM`), so that the prose after the word
/// (`Bearer tokens are...`, `Bearer authentication.`) stays. A period that ends the
/// sentence is not part of the token, and a hyphenated lower-case word
/// (`Bearer token-based auth`) is prose too.
fn bearer(s: &[u8], i: usize) -> Option<(usize, usize, PiiKind)> {
    let word = s.get(i..i + 7)?;
    if !(word == b"Bearer " || word == b"bearer ") {
        return None;
    }
    let start = i + 7;
    let mut end = token_end(s, start, |b| {
        b.is_ascii_alphanumeric() || TOKEN_PUNCT.contains(&b)
    });
    while end > start && s.get(end - 1) == Some(&b'.') {
        end -= 1;
    }
    let token = s.get(start..end)?;
    let hyphenated_words = token.iter().all(|&b| b.is_ascii_lowercase() || b == b'-');
    let marked = !hyphenated_words
        && token
            .iter()
            .any(|b| b.is_ascii_digit() || TOKEN_PUNCT.contains(b));
    let ok = token.len() >= 16 || (token.len() >= 8 && marked);
    ok.then_some((start, end, PiiKind::Bearer))
}

/// A `Bearer` token, named after what it is when it is more than that: a JWT or a vendor
/// key in the header is reported as one (its range, and the token's, are one finding).
fn bearer_named(text: &str, i: usize) -> Option<(usize, usize, PiiKind)> {
    let s = text.as_bytes();
    let (start, end, kind) = bearer(s, i)?;
    // No `Bearer` inside a Bearer token: one level only, whatever the input.
    let inner = match s.get(start) {
        Some(b'B' | b'b') => None,
        _ => secret_at(text, start),
    };
    Some(match inner {
        Some((a, e, k)) if a == start => (start, end.max(e), k),
        _ => (start, end, kind),
    })
}

/// A PEM private key: the whole block, to its `-----END ...-----` (or the text's end).
fn pem(text: &str, start: usize) -> Option<(usize, usize, PiiKind)> {
    let rest = text.get(start..)?;
    let header = rest.strip_prefix("-----BEGIN ")?;
    let header_end = header.find("-----")?;
    if !header.get(..header_end)?.contains("PRIVATE KEY") {
        return None;
    }
    let end = match rest.find("-----END ") {
        Some(e) => rest
            .get(e + 9..)
            .and_then(|r| r.find("-----"))
            .map_or(rest.len(), |x| e + 9 + x + 5),
        None => rest.len(),
    };
    Some((start, start + end, PiiKind::PrivateKey))
}

/// The bytes of a URL parameter's name.
fn name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'[' | b']')
}

/// Where a parameter's value stops: the next parameter, the fragment, or the end of the
/// URL in the text.
fn value_stop(b: u8) -> bool {
    b.is_ascii_whitespace() || matches!(b, b'&' | b'#' | b';' | b'"' | b'\'' | b'<' | b'>' | b'`')
}

/// The value of a URL parameter whose name looks secret (`?token=...`,
/// `#access_token=...`), written out in text. Only after `?`, `&`, `#` or `;` (also
/// percent-encoded, in a URL inside another URL's query), so prose with `=` stays.
pub(super) fn url_params(scan: &mut Scan<'_>) {
    let s = scan.s;
    if !s.contains(&b'=') && !s.contains(&b'%') {
        return;
    }
    let mut i = 0;
    while let Some(p) = s
        .get(i..)
        .and_then(|r| r.iter().position(|&b| b == b'=' || b == b'%'))
    {
        let eq = i + p;
        let encoded = s.get(eq) == Some(&b'%');
        if encoded
            && !s
                .get(eq + 1..eq + 3)
                .is_some_and(|h| h.eq_ignore_ascii_case(b"3d"))
        {
            i = eq + 1;
            continue;
        }
        let eq_end = eq + if encoded { 3 } else { 1 };
        i = eq_end;
        let mut n0 = eq;
        while n0 > 0 && s.get(n0 - 1).is_some_and(|&b| name_byte(b)) {
            n0 -= 1;
        }
        // The delimiter before the name, itself percent-encoded in a URL that is the
        // value of another URL's parameter (`%3Fcode%3D...`).
        let delimited = if n0 > 0 && s.get(n0 - 1) == Some(&b'%') {
            let d = s.get(n0..n0 + 2).unwrap_or_default();
            let hit = [b"26", b"3f", b"23", b"3b"]
                .iter()
                .any(|x| d.eq_ignore_ascii_case(*x));
            n0 = (n0 + 2).min(eq);
            hit
        } else {
            n0 > 0 && matches!(s.get(n0 - 1), Some(b'?' | b'&' | b'#' | b';'))
        };
        let name = std::str::from_utf8(s.get(n0..eq).unwrap_or_default()).unwrap_or("");
        if name.is_empty() || !delimited || !secret_name(name) {
            continue;
        }
        let mut end = eq_end;
        while let Some(&b) = s.get(end) {
            let next_encoded = encoded
                && b == b'%'
                && s.get(end + 1..end + 3).is_some_and(|h| {
                    [b"26", b"23", b"3b"]
                        .iter()
                        .any(|x| h.eq_ignore_ascii_case(*x))
                });
            if value_stop(b) || next_encoded {
                break;
            }
            end += 1;
        }
        // Sentence punctuation after a URL is not part of it.
        while end > eq_end && matches!(s.get(end - 1), Some(b'.' | b',' | b')' | b'!' | b'?')) {
            end -= 1;
        }
        if end > eq_end {
            scan.push(eq_end, end, PiiKind::UrlSecret);
            i = end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Detectors, PiiKind, find, mask_findings};

    fn found(text: &str) -> Vec<(PiiKind, &str)> {
        find(text, Detectors::all() - Detectors::ENTROPY)
            .iter()
            .map(|f| (f.kind, &text[f.start..f.end]))
            .collect()
    }

    fn key(text: &str) -> Vec<&str> {
        found(text)
            .into_iter()
            .filter(|(k, _)| *k == PiiKind::ApiKey)
            .map(|(_, t)| t)
            .collect()
    }

    #[test]
    fn vendor_keys() {
        for k in [
            "AKIAIOSFODNN7EXAMPLE",
            "ASIAY34FZKBOKMUTVV7A",
            "ABIA2K3DQ6W4E9QXJ7AB",
            "ACCA5GHJ2KL8MNB7VC3X",
            "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe",
            "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
            "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
            "rk_live_51H8s9dLkdIwHu7ixPz0xQ1",
            "rk_test_51H8s9dLkdIwHu7ixPz0xQ1",
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "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",
            "gho_16C7e42F292c6912E7710c838347Ae178B4a",
            "ghs_16C7e42F292c6912E7710c838347Ae178B4a",
            "ghu_16C7e42F292c6912E7710c838347Ae178B4a",
            "ghr_1B4a2e77838347a7E420ce178F2E7c6912E169246c34E1ccbF66C46812d16D5B1A9Dc86A1498",
            "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP",
            "glpat-xxxxXXXXxxxx1234yyyy",
            "xoxb-2048-4096-abcdefABCDEF",
            "xoxp-1234567890-abcdefghij",
            "xoxe-1-My0xLTEyMzQ1Njc4OTAx",
            "xapp-1-A0123456789-0123456789012-abcdef",
            "ya29.a0AfH6SMBx3kz1QmN8v_7Yp2Lq",
            "sk-proj-abc123DEF456ghi789JKL0",
            "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789",
            "sk-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKL",
            "npm_abcdefghijklmnopqrstuvwxyz0123456789",
            "pypi-AgEIcHlwaS5vcmcCJGE0ZjQ5ZDc4LWQ1ZTItNDQ3ZS1hMDAx",
            "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",
            "SK0123456789abcdef0123456789abcdef",
            "key-0123456789abcdef0123456789abcdef",
            "shpat_0123456789abcdef0123456789abcdef",
            "shpss_0123456789ABCDEF0123456789ABCDEF",
            "shpca_0123456789abcdef0123456789abcdef",
            "shppa_0123456789abcdef0123456789abcdef",
            "dop_v1_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "hf_abcdefghijklmnopqrstuvwxyzABCDEFGH",
            "sq0atp-abcdefghijklmnopqrstuv",
            "sq0csp-abcdefghijklmnopqrstuvwxyz0123456789ABCD",
        ] {
            for text in [
                k.to_owned(),
                format!("key: {k} "),
                format!("?api_key={k}&x=1"),
                format!("next=%2Fcb%3Fapi_key%3D{k}%26x%3D1"),
            ] {
                assert!(key(&text).contains(&k), "{text:?}: {:?}", found(&text));
            }
        }
        let hook = "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX";
        assert_eq!(key(hook), ["T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"]);
    }

    #[test]
    fn words_with_prefixes_stay() {
        for text in [
            "sk-SK language and sk-sk locale",
            "the key-value store and key-0123",
            "hf_test and hf_hub_download and npm_config_cache",
            "xoxo-gossip-girl-forever and xoxb-abcdefghijkl",
            "ASIAPACIFICREGIONAL and ACCAUNTINGDEPARTMENT and AKIA123",
            "sk_test_abc and eyJhbGc and ghp_short",
            "SKU0123456789abcdef0123456789abcdef",
            "task-0123456789abcdef0123456789abcdef0123456789",
            "whsec_short and glpat-short and ya29.short",
            "SG.small.parts",
            "The Bearer of bad news and bearer bonds",
            "-----BEGIN CERTIFICATE-----",
            "ask_live_4eC39HqLyjWDarjtT1zdp7dc",
            "hooks.slack.com/services/ and hooks.slack.com/docs",
        ] {
            assert_eq!(found(text), vec![], "{text:?}");
        }
    }

    #[test]
    fn tokens_and_keys() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        assert_eq!(found(&format!("id_token {jwt}&x")), [(PiiKind::Jwt, jwt)]);
        assert_eq!(
            found("Authorization: Bearer abcdef0123456789abcdef"),
            [(PiiKind::Bearer, "abcdef0123456789abcdef")]
        );
        assert_eq!(
            found("authorization: bearer abcdef0123456789abcdef"),
            [(PiiKind::Bearer, "abcdef0123456789abcdef")]
        );
        let pem = "x -----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY----- y";
        let m = mask_findings(pem, &find(pem, Detectors::all()));
        assert!(m.starts_with("x *") && m.ends_with("* y"), "{m}");
        assert!(
            m[2..m.len() - 2]
                .chars()
                .all(|c| c == '*' || c.is_whitespace())
        );
    }

    #[test]
    fn bearer_tokens_named_after_what_they_are() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        let key = "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";
        assert_eq!(found(&format!("Bearer {jwt}")), [(PiiKind::Jwt, jwt)]);
        assert_eq!(
            found(&format!("headers: {{ Authorization: `Bearer {jwt}` }}")),
            [(PiiKind::Jwt, jwt)]
        );
        assert_eq!(found(&format!("Bearer {key}")), [(PiiKind::ApiKey, key)]);
        // Something else in the token is no finding of its own: `eyJ` that is no JWT.
        assert_eq!(
            found("Bearer eyJabcdefghijklmnop"),
            [(PiiKind::Bearer, "eyJabcdefghijklmnop")]
        );
    }

    #[test]
    fn short_bearer_tokens_with_a_digit_or_punctuation() {
        for token in [
            "mF_9.B5f-4.1JqM",
            "abc12345",
            "abcd.efgh",
            "ab~cd+ef/g==",
            "AbCd-EfGh",
        ] {
            for text in [
                format!("Authorization: Bearer {token}"),
                format!("Bearer {token}."),
                format!("\"Bearer {token}\""),
            ] {
                assert_eq!(found(&text), [(PiiKind::Bearer, token)], "{text:?}");
            }
        }
        // Prose, and tokens just too short or without a mark.
        for text in [
            "Bearer tokens are sent in the Authorization header.",
            "Use Bearer authentication.",
            "Bearer token-based auth",
            "Bearer self-contained tokens",
            "Bearer abc1234",
            "Bearer a.b.c.d",
            "Bearer abcdefghij",
            "Bearer AbCdEfGhIj",
        ] {
            assert_eq!(found(text), vec![], "{text:?}");
        }
    }

    #[test]
    fn secret_url_parameters_in_text() {
        for (text, value) in [
            ("see https://a.test/cb?token=abc123&x=1 now", "abc123"),
            ("https://a.test/#access_token=ya1b2c3&state=x", "ya1b2c3"),
            ("link: /reset?page=2&session_id=s3cr3t.", "s3cr3t"),
            ("u;jsessionid=ABC123DEF", "ABC123DEF"),
            ("next=%2Fcb%3Fcode%3DQ1w2E3%26p%3D1", "Q1w2E3"),
        ] {
            let f = found(text);
            assert!(f.contains(&(PiiKind::UrlSecret, value)), "{text:?}: {f:?}");
        }
        for text in [
            "token=abc123 in prose",
            "the secret = 42",
            "a?page=2&sort=asc",
            "?token=&x=1",
            "if (a == b) key=1",
        ] {
            assert!(
                !found(text).iter().any(|(k, _)| *k == PiiKind::UrlSecret),
                "{text:?}"
            );
        }
    }
}
