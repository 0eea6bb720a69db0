//! Secrets: vendor API keys, JWTs, Bearer tokens, PEM private keys.

use super::{Finding, PiiKind, boundary_before, find_ascii, token_end};

pub(super) fn secrets(text: &str, out: &mut Vec<Finding>) {
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
}
