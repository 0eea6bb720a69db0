//! URLs: query strings, fragments, user info; `srcset` lists; CSS `url()`.

use super::detect::{self, Detectors, PiiKind};

/// How much of a URL survives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlMode {
    /// Every query value and the fragment are masked (names stay, so analytics still see
    /// which parameters were used).
    StripValues,
    /// Only parameters whose names look secret are masked, and detectors run on the rest.
    SecretParams,
}

const SECRET_NAMES: [&str; 24] = [
    "token",
    "session",
    "sess",
    "auth",
    "key",
    "code",
    "password",
    "passwd",
    "pwd",
    "secret",
    "sig",
    "signature",
    "jwt",
    "access",
    "refresh",
    "otp",
    "credential",
    "apikey",
    "api_key",
    "ticket",
    "nonce",
    "state",
    "sid",
    "email",
];

/// Whether a parameter name looks like it carries a secret.
pub fn secret_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    SECRET_NAMES.iter().any(|s| {
        n == *s
            || n.ends_with(&format!("_{s}"))
            || n.ends_with(&format!("-{s}"))
            || n.starts_with(&format!("{s}_"))
            || n.starts_with(&format!("{s}-"))
            || (s.len() >= 5 && n.contains(s))
    })
}

/// What scrubbing a URL found.
pub(crate) struct UrlScrub {
    pub(crate) url: String,
    pub(crate) found: Vec<PiiKind>,
    pub(crate) changed: bool,
}

const MASK: &str = "*";

fn detect_part(part: &str, detectors: Detectors, found: &mut Vec<PiiKind>) -> String {
    let decoded = percent_decode(part);
    let f = detect::find(&decoded, detectors);
    if f.is_empty() {
        return part.to_owned();
    }
    found.extend(f.iter().map(|x| x.kind));
    MASK.to_owned()
}

fn percent_decode(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.bytes().any(|b| b == b'%' || b == b'+') {
        return s.into();
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let hex = |j: usize| b.get(j).and_then(|x| (*x as char).to_digit(16));
        match (c, hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned().into()
}

/// Scrubs one URL (absolute or relative).
pub(crate) fn scrub_url(url: &str, mode: UrlMode, detectors: Detectors) -> UrlScrub {
    let mut found = Vec::new();
    let trimmed = url.trim();
    let starts = |p: &str| {
        trimmed
            .get(..p.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(p))
    };
    // data: and blob: URLs carry content, not addresses: keep only the type.
    if starts("data:") && mode == UrlMode::StripValues {
        let head = trimmed.split([',', ';']).next().unwrap_or("data:");
        let is_image = head.to_ascii_lowercase().starts_with("data:image/");
        if !is_image {
            return UrlScrub {
                url: format!("{head},"),
                found,
                changed: true,
            };
        }
        return UrlScrub {
            url: url.to_owned(),
            found,
            changed: false,
        };
    }
    if starts("javascript:") {
        return UrlScrub {
            url: "javascript:void(0)".to_owned(),
            found,
            changed: url != "javascript:void(0)",
        };
    }
    let (before_frag, frag) = match trimmed.split_once('#') {
        Some((a, f)) => (a, Some(f)),
        None => (trimmed, None),
    };
    let (base, query) = match before_frag.split_once('?') {
        Some((a, q)) => (a, Some(q)),
        None => (before_frag, None),
    };
    let mut out = String::with_capacity(url.len());
    // User info (scheme://user:pass@host) goes.
    match base.find("://") {
        Some(p) => {
            let (scheme, rest) = base.split_at(p + 3);
            let host_end = rest.find('/').unwrap_or(rest.len());
            let (authority, path) = rest.split_at(host_end);
            let authority = match authority.rfind('@') {
                Some(at) => {
                    found.push(PiiKind::UrlSecret);
                    authority.get(at + 1..).unwrap_or("")
                }
                None => authority,
            };
            out.push_str(scheme);
            out.push_str(authority);
            out.push_str(&scrub_path(path, detectors, &mut found));
        }
        None => out.push_str(&scrub_path(base, detectors, &mut found)),
    };
    if let Some(q) = query {
        out.push('?');
        let mut first = true;
        for pair in q.split('&') {
            if !first {
                out.push('&');
            }
            first = false;
            let (name, value) = match pair.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (pair, None),
            };
            out.push_str(name);
            if let Some(v) = value {
                out.push('=');
                if v.is_empty() {
                    continue;
                }
                match mode {
                    UrlMode::StripValues => out.push_str(MASK),
                    UrlMode::SecretParams if secret_name(&percent_decode(name)) => {
                        found.push(PiiKind::UrlSecret);
                        out.push_str(MASK);
                    }
                    UrlMode::SecretParams => out.push_str(&detect_part(v, detectors, &mut found)),
                }
            }
        }
    }
    if let Some(f) = frag {
        out.push('#');
        if !f.is_empty() {
            match mode {
                UrlMode::StripValues => out.push_str(MASK),
                UrlMode::SecretParams => {
                    // Fragments often carry OAuth tokens: `#access_token=...`.
                    let secret = f
                        .split('&')
                        .any(|p| p.split_once('=').is_some_and(|(n, _)| secret_name(n)));
                    if secret {
                        found.push(PiiKind::UrlSecret);
                        out.push_str(MASK);
                    } else {
                        out.push_str(&detect_part(f, detectors, &mut found));
                    }
                }
            }
        }
    }
    let changed = out != url;
    UrlScrub {
        url: out,
        found,
        changed,
    }
}

fn scrub_path<'a>(
    path: &'a str,
    detectors: Detectors,
    found: &mut Vec<PiiKind>,
) -> std::borrow::Cow<'a, str> {
    let decoded = percent_decode(path);
    let f = detect::find(&decoded, detectors - Detectors::ENTROPY);
    if f.is_empty() {
        return path.into();
    }
    found.extend(f.iter().map(|x| x.kind));
    // Mask the segments that held something.
    path.split('/')
        .map(|seg| {
            let d = percent_decode(seg);
            if detect::find(&d, detectors - Detectors::ENTROPY).is_empty() {
                seg.to_owned()
            } else {
                MASK.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
        .into()
}

/// Scrubs each URL of a `srcset` (`url 1x, url 2x`).
pub(crate) fn scrub_srcset(srcset: &str, mode: UrlMode, detectors: Detectors) -> UrlScrub {
    let mut found = Vec::new();
    let parts: Vec<String> = srcset
        .split(',')
        .map(|candidate| {
            let c = candidate.trim();
            let (url, descriptor) = match c.split_once(char::is_whitespace) {
                Some((u, d)) => (u, Some(d.trim())),
                None => (c, None),
            };
            let s = scrub_url(url, mode, detectors);
            found.extend(s.found);
            match descriptor {
                Some(d) => format!("{} {d}", s.url),
                None => s.url,
            }
        })
        .collect();
    let url = parts.join(", ");
    let changed = url != srcset;
    UrlScrub {
        url,
        found,
        changed,
    }
}

/// Scrubs every `url(...)` in CSS text.
pub(crate) fn scrub_css(css: &str, mode: UrlMode, detectors: Detectors) -> UrlScrub {
    let mut found = Vec::new();
    if !css.contains("url(") {
        // Unchanged: callers only read `url` when `changed` (no copy of a stylesheet).
        return UrlScrub {
            url: String::new(),
            found,
            changed: false,
        };
    }
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(p) = rest.find("url(") {
        out.push_str(rest.get(..p + 4).unwrap_or(""));
        let after = rest.get(p + 4..).unwrap_or("");
        let close = after.find(')').unwrap_or(after.len());
        let inner = after.get(..close).unwrap_or("").trim();
        let (quote, raw) = match inner.chars().next() {
            Some(q @ ('"' | '\'')) => (Some(q), inner.trim_matches(q)),
            _ => (None, inner),
        };
        let s = scrub_url(raw, mode, detectors);
        found.extend(s.found);
        if let Some(q) = quote {
            out.push(q);
            out.push_str(&s.url);
            out.push(q);
        } else {
            out.push_str(&s.url);
        }
        rest = after.get(close..).unwrap_or("");
    }
    out.push_str(rest);
    let changed = out != css;
    UrlScrub {
        url: out,
        found,
        changed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(url: &str, mode: UrlMode) -> String {
        scrub_url(url, mode, Detectors::all()).url
    }

    #[test]
    fn strip_values() {
        assert_eq!(
            s(
                "https://a.test/p/q?id=42&token=abc#frag",
                UrlMode::StripValues
            ),
            "https://a.test/p/q?id=*&token=*#*"
        );
        assert_eq!(
            s("https://u:pw@a.test/x", UrlMode::StripValues),
            "https://a.test/x"
        );
        assert_eq!(s("/img/logo.png", UrlMode::StripValues), "/img/logo.png");
        assert_eq!(
            s("/u/jane@example.com/profile", UrlMode::StripValues),
            "/u/*/profile"
        );
    }

    #[test]
    fn secret_params() {
        assert_eq!(
            s(
                "https://a.test/cb?page=2&access_token=xyz&q=shoes#id_token=abc",
                UrlMode::SecretParams
            ),
            "https://a.test/cb?page=2&access_token=*&q=shoes#*"
        );
        assert_eq!(
            s(
                "https://a.test/s?email=jane%40example.com&sort=asc",
                UrlMode::SecretParams
            ),
            "https://a.test/s?email=*&sort=asc"
        );
        assert_eq!(
            s(
                "https://a.test/s?contact=jane%40example.com",
                UrlMode::SecretParams
            ),
            "https://a.test/s?contact=*"
        );
        assert_eq!(
            s("https://a.test/#/inbox", UrlMode::SecretParams),
            "https://a.test/#/inbox"
        );
        assert!(
            !secret_name("page") && !secret_name("keyboard_layout") && secret_name("session_id")
        );
    }

    #[test]
    fn emails_and_keys_in_queries_and_fragments_encoded_or_not() {
        let m = UrlMode::SecretParams;
        // Under names that say nothing, the detectors find them, once decoded.
        for (url, want) in [
            (
                "https://a.test/r?to=jane%2Bnews%40mail.example.com&p=2",
                "https://a.test/r?to=*&p=2",
            ),
            (
                "https://a.test/r?to=jane+news@mail.example.com",
                "https://a.test/r?to=*",
            ),
            (
                // Encoded twice: a redirect URL inside a parameter.
                "https://a.test/login?next=https%3A%2F%2Fb.test%2F%3Fu%3Djane%2540example.com",
                "https://a.test/login?next=*",
            ),
            (
                "https://a.test/hook?x=sk_live_4eC39HqLyjWDarjtT1zdp7dc",
                "https://a.test/hook?x=*",
            ),
            (
                "https://a.test/app#/users/jane.doe%40example.com/edit",
                "https://a.test/app#*",
            ),
            (
                "https://a.test/cb#state=1&k=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",
                "https://a.test/cb#*",
            ),
        ] {
            assert_eq!(s(url, m), want, "{url}");
        }
        // What is no secret stays.
        for url in [
            "https://a.test/s?q=shoes&page=2#reviews",
            "https://a.test/s?q=size%2042&sort=price",
        ] {
            assert_eq!(s(url, m), url);
        }
    }

    #[test]
    fn srcset_and_css() {
        assert_eq!(
            scrub_srcset(
                "a.png?t=1 1x, b.png?sig=zz 2x",
                UrlMode::SecretParams,
                Detectors::all()
            )
            .url,
            "a.png?t=1 1x, b.png?sig=* 2x"
        );
        assert_eq!(
            scrub_css(
                r#"a{background:url("/i.png?token=s3cr3t")} b{x:url(c.png)}"#,
                UrlMode::StripValues,
                Detectors::all()
            )
            .url,
            r#"a{background:url("/i.png?token=*")} b{x:url(c.png)}"#
        );
    }
}
