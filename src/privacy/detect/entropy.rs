//! Long high-entropy tokens (attribute values that look random).

use super::{PiiKind, Scan, token_end};

/// Tokens of 24 or more characters that look random (see [`entropy_secret`]).
pub(super) fn high_entropy(scan: &mut Scan<'_>) {
    let s = scan.s;
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
            scan.push(i, end, PiiKind::HighEntropy);
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
    use super::super::PiiKind;
    use super::super::testing::kinds;

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
