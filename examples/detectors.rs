//! Scores the PII detectors on the labelled corpus (`tests/data/detectors/`) and prints
//! the README's detector table between its markers, ready to paste, then every missed
//! positive and every near miss with a finding (the corpus is fake test data, so its text
//! is printed).
//!
//! `cargo run --release --example detectors`

use std::process::ExitCode;

#[path = "../tests/common/detector_table.rs"]
mod detector_table;

use detector_table::{NEAR_MISSES, POSITIVES, markdown, parse, score};

fn main() -> ExitCode {
    let (positives, near) = match (parse(POSITIVES), parse(NEAR_MISSES)) {
        (Ok(p), Ok(n)) => (p, n),
        (Err(e), _) => {
            eprintln!("positives.tsv: {e}");
            return ExitCode::FAILURE;
        }
        (_, Err(e)) => {
            eprintln!("near_misses.tsv: {e}");
            return ExitCode::FAILURE;
        }
    };
    let s = score(&positives, &near);
    print!(
        "<!-- detector-table:start -->\n{}<!-- detector-table:end -->\n",
        markdown(&s)
    );
    let one_line = |t: &str| t.replace('\n', "\\n");
    println!("\nmissed positives ({}):", s.missed.len());
    for m in &s.missed {
        let found = if m.found.is_empty() {
            "nothing".to_owned()
        } else {
            m.found.join(",")
        };
        println!(
            "  positives.tsv:{} {} (found {found}): {}",
            m.line,
            m.kind,
            one_line(&m.text)
        );
    }
    println!(
        "\nnear misses with a finding ({}):",
        s.false_positives.len()
    );
    for f in &s.false_positives {
        println!(
            "  near_misses.tsv:{} {} -> {}: {}",
            f.line,
            f.category,
            f.kinds.join(","),
            one_line(&f.text)
        );
    }
    ExitCode::SUCCESS
}
