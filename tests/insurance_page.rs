//! End to end on a real recording: the insurance member portal (`tests/pages/insurance/`),
//! recorded by rrweb 2.2.2 in headless Chromium (`tools/record-page`), scrubbed under
//! every preset by both paths; no planted secret (`tests/data/pages/insurance.canaries.json`)
//! survives anywhere, and the ordinary text stays visible under `balanced`.

mod common;
#[path = "common/markup.rs"]
mod markup;

use common::{collapse, read, state_page};
use markup::texts;
use serde_json::Value;
use session_replay::privacy::*;
use session_replay::replay::Replayer;
use session_replay::{Event, Limits, rrweb};

const RECORDING: &str = "pages/insurance.rrweb.json";
const CANARIES: &str = "pages/insurance.canaries.json";

/// One planted secret, as the canaries file lists it.
#[derive(Debug)]
struct Secret {
    id: String,
    kind: String,
    value: String,
    /// Pieces that must not survive anywhere on their own.
    parts: Vec<String>,
    /// Set across several text nodes.
    split: bool,
    /// Pieces shown harmlessly before the secret was complete; gone at the end.
    shown_before: Vec<String>,
    /// `text`, `attribute` or `input`.
    place: String,
    /// Where on the page, for messages.
    element: String,
}

struct Canaries {
    secrets: Vec<Secret>,
    keep: Vec<String>,
}

fn strings_of(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_owned()).collect())
        .unwrap_or_default()
}

fn canaries() -> Canaries {
    let v: Value = serde_json::from_slice(&read(CANARIES)).unwrap();
    let secrets = v["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| Secret {
            id: s["id"].as_str().unwrap().to_owned(),
            kind: s["kind"].as_str().unwrap().to_owned(),
            value: s["value"].as_str().unwrap().to_owned(),
            parts: strings_of(s, "parts"),
            split: s["split"].as_bool().unwrap_or(false),
            shown_before: strings_of(s, "shown_before"),
            place: s["place"].as_str().unwrap().to_owned(),
            element: s["element"].as_str().unwrap().to_owned(),
        })
        .collect();
    Canaries {
        secrets,
        keep: strings_of(&v, "keep"),
    }
}

fn pii(kind: &str) -> PiiKind {
    match kind {
        "ssn" => PiiKind::Ssn,
        "dob" => PiiKind::DateOfBirth,
        "email" => PiiKind::Email,
        "phone" => PiiKind::Phone,
        "iban" => PiiKind::Iban,
        "card" => PiiKind::Card,
        "api_key" => PiiKind::ApiKey,
        "jwt" => PiiKind::Jwt,
        "url_secret" => PiiKind::UrlSecret,
        other => panic!("unknown kind {other} in {CANARIES}"),
    }
}

fn presets() -> [(&'static str, Policy); 3] {
    [
        ("private", Policy::private()),
        ("balanced", Policy::balanced()),
        ("relaxed", Policy::relaxed()),
    ]
}

/// Scrubs the recording with the streaming path and the typed path; they must give the
/// same JSON and the same report.
fn scrub_both(raw: &[u8], policy: &Policy) -> (Value, Vec<Event>, ScrubReport) {
    let (bytes, report) = scrub_rrweb_json(raw, policy, &Limits::DEFAULT).unwrap();
    let (typed, typed_report) = scrub(rrweb::read(raw, &Limits::DEFAULT).unwrap(), policy);
    let streamed: Value = serde_json::from_slice(&bytes).unwrap();
    let typed_json: Value = serde_json::from_str(&rrweb::write_string(&typed)).unwrap();
    let (a, b) = (streamed.as_array().unwrap(), typed_json.as_array().unwrap());
    assert_eq!(a.len(), b.len(), "both paths hand out every event");
    if let Some(i) = (0..a.len()).find(|&i| a[i] != b[i]) {
        panic!(
            "the paths differ at event {i}:\nstreaming {}\ntyped     {}",
            a[i], b[i]
        );
    }
    assert_eq!(report, typed_report, "both paths count the same");
    (streamed, typed, report)
}

/// Every string in the events: text nodes, text changes, attributes and attribute
/// changes, input events, URLs, style text.
fn all_strings(v: &Value) -> Vec<&str> {
    let mut out = Vec::new();
    let mut stack = vec![v];
    while let Some(x) = stack.pop() {
        match x {
            Value::String(s) => out.push(s.as_str()),
            Value::Object(m) => stack.extend(m.values()),
            Value::Array(a) => stack.extend(a.iter()),
            _ => {}
        }
    }
    out
}

/// Every attribute value: of snapshot and added nodes, and attribute changes.
fn attributes(v: &Value) -> Vec<&str> {
    let mut out = Vec::new();
    let mut stack = vec![v];
    while let Some(x) = stack.pop() {
        match x {
            Value::Object(m) => {
                if let Some(Value::Object(a)) = m.get("attributes") {
                    out.extend(a.values().filter_map(Value::as_str));
                }
                stack.extend(m.values());
            }
            Value::Array(a) => stack.extend(a.iter()),
            _ => {}
        }
    }
    out
}

/// The text of every input event (rrweb incremental source 5).
fn input_texts(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == 3 && e["data"]["source"] == 5)
        .map(|e| e["data"]["text"].as_str().unwrap_or(""))
        .collect()
}

/// Whether `part` occurs in `s` as a piece of its own: a digit part between non-digits,
/// any other part between non-alphanumerics (`45` in `123 45 6789`, not in `2045`).
fn has_piece(s: &str, part: &str) -> bool {
    let joins: fn(char) -> bool = if part.chars().all(|c| c.is_ascii_digit()) {
        |c| c.is_ascii_digit()
    } else {
        char::is_alphanumeric
    };
    s.match_indices(part).any(|(i, _)| {
        !s[..i].chars().next_back().is_some_and(joins)
            && !s[i + part.len()..].chars().next().is_some_and(joins)
    })
}

/// The replayed page at the end of `events`: its visible text (whitespace collapsed,
/// as the browser shows it), every attribute value, and every form value.
fn end_state(events: Vec<Event>) -> (String, Vec<String>) {
    let mut r = Replayer::from(events);
    let (_, end) = r.time_range().unwrap();
    let state = r.seek(end);
    let page = state_page(state);
    let mut attrs: Vec<String> = page
        .elements
        .iter()
        .flat_map(|e| e.attrs.iter().map(|(_, v)| v.clone()))
        .collect();
    attrs.extend(state.form_values().values().map(|f| format!("{f:?}")));
    (page.text, attrs)
}

/// The recording holds what the canaries file says, where it says: the tests below
/// would pass vacuously on a recording without them.
#[test]
fn the_recording_holds_every_planted_secret_and_kept_text() {
    let raw = read(RECORDING);
    let events: Value = serde_json::from_slice(&raw).unwrap();
    let c = canaries();
    let (all, shown, typed) = (all_strings(&events), texts(&events), input_texts(&events));
    let attrs = attributes(&events);
    for s in &c.secrets {
        match (s.place.as_str(), s.split) {
            // Split values: each part is in a text of its own (`<span>111</span>`, or
            // for the child's SSN the text change that completes it), never the whole.
            ("text", true) => {
                for p in &s.parts {
                    assert!(
                        shown.iter().any(|t| has_piece(t, p)),
                        "part {p:?} of {}",
                        s.id
                    );
                }
                assert!(!shown.iter().any(|t| t.contains(&s.value)), "{}", s.id);
            }
            ("text", false) => assert!(
                shown.iter().any(|t| t.contains(&s.value)),
                "{} not in a text",
                s.id
            ),
            ("attribute", _) => assert!(
                attrs.iter().any(|t| t.contains(&s.value)),
                "{} not in an attribute",
                s.id
            ),
            // Typed key by key: the last input event holds the whole value.
            ("input", _) => assert!(typed.contains(&s.value.as_str()), "{}", s.id),
            (other, _) => panic!("unknown place {other}"),
        }
        for p in s.parts.iter().chain(&s.shown_before) {
            assert!(all.iter().any(|t| has_piece(t, p)), "{p:?} of {}", s.id);
        }
    }
    for k in &c.keep {
        assert!(shown.iter().any(|t| t.contains(k.as_str())), "{k:?}");
    }
    // Mutations are exercised, not just the snapshot: the claims table arrives after
    // load, "Show full SSN" is a text change, the person typed into fields.
    let arr = events.as_array().unwrap();
    let mutations = arr
        .iter()
        .filter(|e| e["type"] == 3 && e["data"]["source"] == 0);
    let (mut adds, mut text_changes) = (0, 0);
    for m in mutations {
        adds += m["data"]["adds"].as_array().unwrap().len();
        text_changes += m["data"]["texts"].as_array().unwrap().len();
    }
    assert!(
        adds > 50 && text_changes >= 1,
        "{adds} adds, {text_changes} text changes"
    );
    // The claims came after the first snapshot (they are rendered 700 ms after load).
    let snapshot = arr.iter().find(|e| e["type"] == 2).unwrap();
    assert!(
        !texts(snapshot)
            .iter()
            .any(|t| t.contains("CLM-2025-005377"))
    );
    assert!(typed.len() > 20);
}

/// No secret value, and no part of one, survives anywhere in the output (text nodes,
/// text changes, attributes, input events, URLs), under any preset, by either path.
#[test]
fn no_planted_secret_survives_any_preset() {
    let raw = read(RECORDING);
    let c = canaries();
    for (name, policy) in presets() {
        let (out, _, report) = scrub_both(&raw, &policy);
        let all = all_strings(&out);
        let mut leaks = Vec::new();
        for s in &c.secrets {
            let whole = all.iter().filter(|t| t.contains(&s.value)).count();
            let pieces: Vec<&String> = s
                .parts
                .iter()
                .filter(|p| all.iter().any(|t| has_piece(t, p)))
                .collect();
            if whole == 0 && pieces.is_empty() {
                continue;
            }
            let what = format!(
                "{name}: {} ({} {:?} in {}: {}): whole value in {whole} strings, parts left {pieces:?}",
                s.id, s.kind, s.value, s.place, s.element
            );
            leaks.push(what);
        }
        assert!(leaks.is_empty(), "leaks:\n{}\n{report}", leaks.join("\n"));
        // Input events carry the fixed mask or nothing, never a length (the search box,
        // the email and the phone the person typed).
        for t in input_texts(&out) {
            assert!(t.is_empty() || t == MASKED_INPUT, "{name}: input {t:?}");
        }
    }
}

/// Replayed to its end, the scrubbed page shows no secret either: a split value read
/// as the browser shows it (`5555555555554444` from four spans), and the child's last
/// four SSN digits, harmless in the first snapshot, masked again once "Show full SSN"
/// completed the number.
#[test]
fn the_replayed_end_state_shows_no_secret() {
    let raw = read(RECORDING);
    let c = canaries();
    for (name, policy) in presets() {
        let (_, typed, _) = scrub_both(&raw, &policy);
        let (text, attrs) = end_state(typed);
        for s in c.secrets.iter() {
            let value = collapse(&s.value);
            assert!(!text.contains(&value), "{name}: {} in the end state", s.id);
            assert!(
                !attrs.iter().any(|a| a.contains(&s.value)),
                "{name}: {}",
                s.id
            );
            for p in s.parts.iter().chain(&s.shown_before) {
                assert!(!has_piece(&text, p), "{name}: {p:?} of {}", s.id);
            }
        }
    }
}

/// Ordinary text stays visible under `balanced` and `relaxed`: headings, the plan name,
/// prices, dates of service and coverage dates, claim ids, ICD codes, NPI numbers,
/// order and tracking numbers, the ISBN, the API version, the footer's version string.
/// Under `private` all of it is masked.
#[test]
fn ordinary_text_stays_under_balanced_and_relaxed() {
    let raw = read(RECORDING);
    let c = canaries();
    for (name, policy) in presets() {
        let (out, typed, _) = scrub_both(&raw, &policy);
        let shown = texts(&out);
        let (end_text, _) = end_state(typed);
        for k in &c.keep {
            let in_events = shown.iter().any(|t| t.contains(k.as_str()));
            let at_end = end_text.contains(k.as_str());
            if name == "private" {
                assert!(!in_events && !at_end, "private shows {k:?}");
            } else {
                assert!(in_events && at_end, "{name} lost {k:?}");
            }
        }
    }
}

/// The report names what was found: at least one finding per secret shown in text, by
/// kind (`pii:ssn` for the profile's, the spouse's and the child's SSNs, ...), and the
/// split ones at `split_text`. Under `private` all text is masked instead.
#[test]
fn the_report_counts_each_kind() {
    let raw = read(RECORDING);
    let c = canaries();
    for (name, policy) in presets() {
        let (_, _, report) = scrub_both(&raw, &policy);
        println!("{name}:\n{report}");
        let typed = c.secrets.iter().filter(|s| s.place == "input").count() as u64;
        assert!(report.count(ScrubAction::InputMasked) >= typed, "{report}");
        if name == "private" {
            assert!(report.count(ScrubAction::TextMasked) > 100, "{report}");
            continue;
        }
        let in_text: Vec<&Secret> = c.secrets.iter().filter(|s| s.place == "text").collect();
        let mut kinds: Vec<&str> = in_text.iter().map(|s| s.kind.as_str()).collect();
        kinds.sort();
        kinds.dedup();
        for kind in kinds {
            let want = in_text.iter().filter(|s| s.kind == kind).count() as u64;
            let got = report.count(ScrubAction::Pii(pii(kind)));
            assert!(got >= want, "{name}: pii:{kind} {got} < {want}\n{report}");
        }
        let split = in_text.iter().filter(|s| s.split).count() as u64;
        assert!(
            report.count_at(&ScrubPlace::SplitText) >= split,
            "{name}: split_text < {split}\n{report}"
        );
    }
}
