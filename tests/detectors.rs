//! The PII detectors against the labelled corpus in `tests/data/detectors/`: the corpus is
//! well formed and holds valid test values, the scorer counts what it says, the README's
//! table is what the detectors give now, and every positive is caught and no near miss is
//! flagged.

#[path = "common/detector_table.rs"]
mod detector_table;

use detector_table::{KINDS, Line, NEAR_MISSES, POSITIVES, markdown, parse, readme_block, score};

fn corpus() -> (Vec<Line>, Vec<Line>) {
    let positives = parse(POSITIVES).unwrap_or_else(|e| panic!("positives.tsv: {e}"));
    let near = parse(NEAR_MISSES).unwrap_or_else(|e| panic!("near_misses.tsv: {e}"));
    (positives, near)
}

fn digits(s: &str) -> Vec<u32> {
    s.chars().filter_map(|c| c.to_digit(10)).collect()
}

fn luhn(d: &[u32]) -> bool {
    let sum: u32 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &v)| match (i % 2, v * 2) {
            (1, x) if x > 9 => x - 9,
            (1, x) => x,
            _ => v,
        })
        .sum();
    sum.is_multiple_of(10)
}

fn iban_ok(s: &str) -> bool {
    let chars: Vec<char> = s
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let shape = chars.len() >= 15
        && chars.len() <= 34
        && chars.iter().take(2).all(char::is_ascii_uppercase)
        && chars.iter().skip(2).take(2).all(char::is_ascii_digit);
    let rem = chars
        .iter()
        .skip(4)
        .chain(chars.iter().take(4))
        .fold(0u32, |rem, c| {
            let v = c.to_digit(36).unwrap_or(0);
            if v >= 10 {
                (rem * 100 + v) % 97
            } else {
                (rem * 10 + v) % 97
            }
        });
    shape && rem == 1
}

fn secrets(line: &Line) -> impl Iterator<Item = &str> {
    line.secrets.iter().map(|r| &line.text[r.clone()])
}

#[test]
fn corpus_is_well_formed() {
    let (positives, near) = corpus();
    for l in &positives {
        assert!(
            KINDS.contains(&l.label.as_str()),
            "positives.tsv:{} kind {}",
            l.number,
            l.label
        );
        assert!(
            !l.secrets.is_empty(),
            "positives.tsv:{} marks no secret",
            l.number
        );
    }
    for l in &near {
        assert!(
            l.secrets.is_empty(),
            "near_misses.tsv:{} marks a secret",
            l.number
        );
    }
    let count = |kind: &str| positives.iter().filter(|l| l.label == kind).count();
    for kind in [
        "ssn",
        "card",
        "iban",
        "phone",
        "email",
        "dob",
        "api_key",
        "jwt",
        "url_secret",
    ] {
        assert!(count(kind) >= 15, "{kind}: {} positives", count(kind));
    }
    for kind in ["ip", "bearer", "private_key"] {
        assert!(count(kind) >= 3, "{kind}: {} positives", count(kind));
    }
    let mut categories: Vec<&str> = near.iter().map(|l| l.label.as_str()).collect();
    categories.sort_unstable();
    categories.dedup();
    assert!(
        near.len() >= 250 && categories.len() >= 15,
        "{} near misses in {} categories",
        near.len(),
        categories.len()
    );
    // Pages emit these separators; both corpora carry each of them.
    for sep in ['\u{a0}', '\u{202f}', '\u{2013}'] {
        assert!(
            positives.iter().any(|l| l.text.contains(sep)),
            "no positive with {sep:?}"
        );
        assert!(
            near.iter().any(|l| l.text.contains(sep)),
            "no near miss with {sep:?}"
        );
    }
}

#[test]
fn corpus_values_are_valid_test_data() {
    let (positives, near) = corpus();
    for l in &positives {
        for s in secrets(l) {
            let d = digits(s);
            match l.label.as_str() {
                "card" => assert!(
                    (13..=19).contains(&d.len()) && luhn(&d),
                    "positives.tsv:{} card {s}",
                    l.number
                ),
                "iban" => assert!(iban_ok(s), "positives.tsv:{} iban {s}", l.number),
                "ssn" => {
                    let n = |r: std::ops::Range<usize>| d[r].iter().fold(0, |a, &x| a * 10 + x);
                    let valid = d.len() == 9
                        && !matches!(n(0..3), 0 | 666 | 900..)
                        && n(3..5) != 0
                        && n(5..9) != 0;
                    assert!(valid, "positives.tsv:{} ssn {s}", l.number);
                }
                _ => {}
            }
        }
    }
    // The Luhn-invalid ids are what they say, and near misses hold no valid IBAN.
    let ids: Vec<&Line> = near
        .iter()
        .filter(|l| l.label == "luhn_invalid_id")
        .collect();
    assert!(ids.len() >= 10);
    for l in ids {
        let d = digits(&l.text);
        assert!(
            d.len() == 16 && !luhn(&d),
            "near_misses.tsv:{} passes Luhn",
            l.number
        );
    }
    for l in &near {
        for word in l.text.split(|c: char| !c.is_ascii_alphanumeric()) {
            assert!(!iban_ok(word), "near_misses.tsv:{} holds an IBAN", l.number);
        }
    }
}

#[test]
fn markers_and_labels_are_checked() {
    let lines = parse("# c\n\nssn\tSSN [[123-45-6789]] and [[234-56-7890]]\\nok\n").unwrap();
    let [line] = lines.as_slice() else {
        panic!("{lines:?}")
    };
    assert_eq!((line.number, line.label.as_str()), (3, "ssn"));
    assert_eq!(line.text, "SSN 123-45-6789 and 234-56-7890\nok");
    assert_eq!(line.secrets, vec![4..15, 20..31]);
    for (bad, why) in [
        ("card 4111", "no tab"),
        ("card\t[[4111", "without `]]`"),
        ("card\t4111]]", "without `[[`"),
        ("card\t[[]]", "empty"),
        ("ca rd\tx", "bad label"),
    ] {
        let err = parse(&format!("# c\n{bad}\n")).unwrap_err();
        assert!(
            err.starts_with("line 2:") && err.contains(why),
            "{bad}: {err}"
        );
    }
}

#[test]
fn scoring_counts_cover_kind_and_lines() {
    let positives = parse(concat!(
        "card\tpay [[4111 1111 1111 1111]] now\n",
        "email\tmail [[jane@example.com, ext 12]]\n", // partly covered: missed
        "phone\tcard [[4111-1111-1111-1111]]\n",      // covered, but by a card: missed
    ))
    .unwrap();
    let near = parse("price\t$1,234.56\nid\tref 4242 4242 4242 4242\n").unwrap();
    let s = score(&positives, &near);
    let k = |name: &str| s.kinds.get(name).copied().unwrap_or_default();
    assert_eq!(
        (
            k("card").positives,
            k("card").caught,
            k("card").false_positives
        ),
        (1, 1, 1)
    );
    assert_eq!((k("email").positives, k("email").caught), (1, 0));
    assert_eq!((k("phone").positives, k("phone").caught), (1, 0));
    let missed: Vec<(usize, &[&str])> = s
        .missed
        .iter()
        .map(|m| (m.line, m.found.as_slice()))
        .collect();
    assert_eq!(missed, vec![(2, &["email"][..]), (3, &["card"][..])]);
    let fps: Vec<(usize, &str)> = s
        .false_positives
        .iter()
        .map(|f| (f.line, f.category.as_str()))
        .collect();
    assert_eq!(fps, vec![(2, "id")]);
    let table = markdown(&s);
    assert!(
        table.contains("false positives on 2 near-misses"),
        "{table}"
    );
    assert!(table.contains("| card | 1 | 1 | 0 | 1 |\n| email | 1 | 0 | 1 | 0 |\n| phone | 1 | 0 | 1 | 0 |\n| total | 3 | 1 | 2 | 1 |"), "{table}");
    assert!(
        table.contains("| price | 1 | 0 |\n| id | 1 | 1 |"),
        "{table}"
    );
}

#[test]
fn readme_table_is_what_the_detectors_give() {
    let (positives, near) = corpus();
    let table = markdown(&score(&positives, &near));
    let block = readme_block(include_str!("../README.md"))
        .expect("README.md lacks the detector-table markers");
    assert_eq!(
        block.trim(),
        table.trim(),
        "the README's detector table is out of date: run `cargo run --release --example detectors` \
         and paste its table (markers included) over the README's"
    );
}

#[test]
fn every_positive_caught_and_no_near_miss_flagged() {
    let (positives, near) = corpus();
    let s = score(&positives, &near);
    let missed: Vec<String> = s
        .missed
        .iter()
        .map(|m| format!("{}:{}", m.kind, m.line))
        .collect();
    let flagged: Vec<String> = s
        .false_positives
        .iter()
        .map(|f| format!("{}:{} ({})", f.category, f.line, f.kinds.join(",")))
        .collect();
    assert!(
        missed.is_empty(),
        "missed positives (kind:line): {missed:?}"
    );
    assert!(
        flagged.is_empty(),
        "near misses flagged (category:line): {flagged:?}"
    );
}
