//! Scores the PII detectors on the labelled corpus in `tests/data/detectors/` (positives
//! with their secrets marked `[[...]]`, near misses that must give no finding) and renders
//! the per-detector table the README carries (shared by `tests/detectors.rs` and
//! `examples/detectors.rs`).
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::ops::Range;

use session_replay::privacy::detect::{Detectors, Finding, find};

/// `kind<TAB>text` lines, each secret marked `[[...]]`.
pub const POSITIVES: &str = include_str!("../data/detectors/positives.tsv");
/// `category<TAB>text` lines that must give no finding.
pub const NEAR_MISSES: &str = include_str!("../data/detectors/near_misses.tsv");

/// The table's rows in order, named as `PiiKind::name` names them. `dob` is listed ahead
/// of its detector (the rewrite adds it), so its positives count as missed until then.
pub const KINDS: [&str; 13] = [
    "card",
    "iban",
    "ssn",
    "email",
    "phone",
    "dob",
    "ip",
    "jwt",
    "bearer",
    "api_key",
    "private_key",
    "url_secret",
    "high_entropy",
];

/// One corpus line: its 1-based line number in the file, its label (a kind for
/// positives, a category for near misses), its text with markers removed and `\n`
/// unescaped, and the byte ranges of the marked secrets in that text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub number: usize,
    pub label: String,
    pub text: String,
    pub secrets: Vec<Range<usize>>,
}

/// Parses a corpus file; comments (`#`) and blank lines are skipped. Errors name the line.
pub fn parse(src: &str) -> Result<Vec<Line>, String> {
    let mut out = Vec::new();
    for (i, raw) in src.lines().enumerate() {
        let number = i + 1;
        if raw.trim().is_empty() || raw.starts_with('#') {
            continue;
        }
        let Some((label, marked)) = raw.split_once('\t') else {
            return Err(format!("line {number}: no tab after the label"));
        };
        if label.is_empty() || label.contains(char::is_whitespace) {
            return Err(format!("line {number}: bad label {label:?}"));
        }
        // Unescape first so that the ranges are in the text the detectors see.
        let marked = marked.replace("\\n", "\n");
        let (mut text, mut secrets, mut rest) = (String::new(), Vec::new(), marked.as_str());
        while let Some(open) = rest.find("[[") {
            let (before, after) = rest.split_at(open);
            let after = &after[2..];
            let Some(close) = after.find("]]") else {
                return Err(format!("line {number}: `[[` without `]]`"));
            };
            let secret = &after[..close];
            if secret.is_empty() || secret.contains("[[") {
                return Err(format!("line {number}: empty or nested marker"));
            }
            text.push_str(before);
            secrets.push(text.len()..text.len() + secret.len());
            text.push_str(secret);
            rest = &after[close + 2..];
        }
        if rest.contains("]]") {
            return Err(format!("line {number}: `]]` without `[[`"));
        }
        text.push_str(rest);
        out.push(Line {
            number,
            label: label.to_owned(),
            text,
            secrets,
        });
    }
    Ok(out)
}

/// Whether findings of `kind` cover every ASCII letter and digit of every secret of `line`
/// (separators and markup around a secret may be left out).
pub fn caught(line: &Line, findings: &[Finding], kind: &str) -> bool {
    let bytes = line.text.as_bytes();
    line.secrets.iter().all(|secret| {
        secret
            .clone()
            .filter(|&b| bytes.get(b).is_some_and(u8::is_ascii_alphanumeric))
            .all(|b| {
                findings
                    .iter()
                    .any(|f| f.kind.name() == kind && f.start <= b && b < f.end)
            })
    })
}

/// The distinct kind names of `findings`, in order.
fn kind_names(findings: &[Finding]) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = findings.iter().map(|f| f.kind.name()).collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// A positive the detectors did not catch, with the kinds they did report on its line.
#[derive(Debug, Clone)]
pub struct Missed {
    pub line: usize,
    pub kind: String,
    pub text: String,
    pub found: Vec<&'static str>,
}

/// A near miss with findings, and their kinds.
#[derive(Debug, Clone)]
pub struct FalsePositive {
    pub line: usize,
    pub category: String,
    pub text: String,
    pub kinds: Vec<&'static str>,
}

/// Counts for one detector kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KindScore {
    pub positives: usize,
    pub caught: usize,
    /// Near-miss lines with at least one finding of this kind.
    pub false_positives: usize,
}

/// Counts for one near-miss category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryScore {
    pub category: String,
    pub lines: usize,
    /// Lines with any finding.
    pub false_positives: usize,
}

/// The whole score: per kind, per near-miss category, and the lines behind the misses.
#[derive(Debug, Clone, Default)]
pub struct Score {
    pub kinds: BTreeMap<String, KindScore>,
    pub categories: Vec<CategoryScore>,
    pub near_misses: usize,
    pub missed: Vec<Missed>,
    pub false_positives: Vec<FalsePositive>,
}

/// Runs the detectors page text gets (`Detectors::all()` but `ENTROPY`, which only
/// attribute and input values get) over both corpora and scores them.
pub fn score(positives: &[Line], near_misses: &[Line]) -> Score {
    let mut s = Score {
        near_misses: near_misses.len(),
        ..Score::default()
    };
    for line in positives {
        let findings = find(&line.text, Detectors::all() - Detectors::ENTROPY);
        let k = s.kinds.entry(line.label.clone()).or_default();
        k.positives += 1;
        if caught(line, &findings, &line.label) {
            k.caught += 1;
        } else {
            s.missed.push(Missed {
                line: line.number,
                kind: line.label.clone(),
                text: line.text.clone(),
                found: kind_names(&findings),
            });
        }
    }
    for line in near_misses {
        let findings = find(&line.text, Detectors::all() - Detectors::ENTROPY);
        let kinds = kind_names(&findings);
        for kind in &kinds {
            s.kinds
                .entry((*kind).to_owned())
                .or_default()
                .false_positives += 1;
        }
        let at = match s.categories.iter().position(|c| c.category == line.label) {
            Some(at) => at,
            None => {
                s.categories.push(CategoryScore {
                    category: line.label.clone(),
                    lines: 0,
                    false_positives: 0,
                });
                s.categories.len() - 1
            }
        };
        let cat = &mut s.categories[at];
        cat.lines += 1;
        if !kinds.is_empty() {
            cat.false_positives += 1;
            s.false_positives.push(FalsePositive {
                line: line.number,
                category: line.label.clone(),
                text: line.text.clone(),
                kinds,
            });
        }
    }
    s
}

/// The README's two tables (counts only, never values): per detector kind, then per
/// near-miss category. Kinds with no positive and no false positive are left out; the
/// total's false positives are near-miss lines with any finding (a line two detectors
/// flag counts once).
pub fn markdown(s: &Score) -> String {
    let mut rows: Vec<(&String, &KindScore)> = s
        .kinds
        .iter()
        .filter(|(_, k)| k.positives > 0 || k.false_positives > 0)
        .collect();
    rows.sort_by_key(|(name, _)| {
        let at = KINDS.iter().position(|k| k == name);
        (at.unwrap_or(KINDS.len()), (*name).clone())
    });
    let mut out = format!(
        "| detector | positives | caught (TP) | missed (FN) | false positives on {} near-misses |\n\
         | --- | ---: | ---: | ---: | ---: |\n",
        s.near_misses
    );
    let (mut pos, mut tp) = (0, 0);
    for (name, k) in rows {
        out += &format!(
            "| {name} | {} | {} | {} | {} |\n",
            k.positives,
            k.caught,
            k.positives - k.caught,
            k.false_positives
        );
        pos += k.positives;
        tp += k.caught;
    }
    out += &format!(
        "| total | {pos} | {tp} | {} | {} |\n\n",
        pos - tp,
        s.false_positives.len()
    );
    out += "| near-miss category | lines | lines with a finding |\n| --- | ---: | ---: |\n";
    for c in &s.categories {
        out += &format!("| {} | {} | {} |\n", c.category, c.lines, c.false_positives);
    }
    out
}

/// The README block between the detector-table markers, if both are there.
pub fn readme_block(readme: &str) -> Option<&str> {
    let start = "<!-- detector-table:start -->";
    let from = readme.find(start)? + start.len();
    let len = readme.get(from..)?.find("<!-- detector-table:end -->")?;
    readme.get(from..from + len)
}
