//! Ambiguous numbers decided by the page around them: a date is a date of birth under
//! a "Date of birth" label, in a DOB column or in a field named `dob`; nine bare digits
//! are an SSN in a field named `ssn`; ten bare digits are a phone number next to
//! "Phone". The same numbers elsewhere stay. Both scrubber paths agree.

#[path = "common/markup.rs"]
mod markup;

use markup::{N, el, page, scrub_both, t, texts};
use serde_json::{Value, json};
use session_replay::privacy::*;

fn has(out: &Value, s: &str) -> bool {
    texts(out).iter().any(|x| x == s)
}

/// The attributes of node `id` in the snapshot.
fn attrs(out: &Value, id: i64) -> Value {
    let mut stack = vec![&out[1]["data"]["node"]];
    while let Some(n) = stack.pop() {
        if n["id"] == json!(id) {
            return n["attributes"].clone();
        }
        if let Some(kids) = n["childNodes"].as_array() {
            stack.extend(kids.iter());
        }
    }
    Value::Null
}

#[test]
fn labels_before_a_value_decide_it() {
    let (events, _) = page(vec![
        el(
            "dl",
            vec![
                el("dt", vec![t("Date of birth")]),
                el("dd", vec![t("12/03/1985")]),
                el("dt", vec![t("Member since")]),
                el("dd", vec![t("12/03/2019")]),
            ],
        ),
        el("p", vec![el("b", vec![t("Born:")]), t(" 12 March 1985")]),
        el(
            "div",
            vec![
                N::El("div", vec![("class", "label")], vec![t("Phone")]),
                N::El("div", vec![("class", "value")], vec![t("4155550134")]),
            ],
        ),
        el(
            "div",
            vec![
                N::El("div", vec![("class", "label")], vec![t("Order")]),
                N::El("div", vec![("class", "value")], vec![t("4155550134")]),
            ],
        ),
    ]);
    let (out, report) = scrub_both(&events, &Policy::balanced());
    assert!(has(&out, "**********"), "{:?}", texts(&out));
    assert!(
        has(&out, "12/03/2019"),
        "not a birth date: {:?}",
        texts(&out)
    );
    assert!(has(&out, " ** ***** ****"), "{:?}", texts(&out));
    assert!(has(&out, "**********"), "{:?}", texts(&out));
    assert!(
        has(&out, "4155550134"),
        "an order number: {:?}",
        texts(&out)
    );
    assert_eq!(report.count(ScrubAction::Pii(PiiKind::DateOfBirth)), 2);
    assert_eq!(report.count(ScrubAction::Pii(PiiKind::Phone)), 1);
}

#[test]
fn attributes_and_column_headers_decide_a_value() {
    let (events, _) = page(vec![
        el(
            "table",
            vec![
                el(
                    "thead",
                    vec![el(
                        "tr",
                        vec![
                            el("th", vec![t("Patient")]),
                            el("th", vec![t("DOB")]),
                            el("th", vec![t("Last visit")]),
                        ],
                    )],
                ),
                el(
                    "tbody",
                    vec![el(
                        "tr",
                        vec![
                            el("td", vec![t("J. Doe")]),
                            el("td", vec![t("1985-03-12")]),
                            el("td", vec![t("2024-11-29")]),
                        ],
                    )],
                ),
            ],
        ),
        N::El(
            "span",
            vec![("itemprop", "birthDate")],
            vec![t("March 12, 1985")],
        ),
        N::El("div", vec![("class", "ssn-value")], vec![t("123456789")]),
        N::El("div", vec![("class", "order-id")], vec![t("123456789")]),
    ]);
    let (out, _) = scrub_both(&events, &Policy::balanced());
    let all = texts(&out);
    assert!(has(&out, "**********"), "{all:?}");
    assert!(has(&out, "2024-11-29"), "{all:?}");
    assert!(has(&out, "***** *** ****"), "{all:?}");
    assert!(has(&out, "*********"), "{all:?}");
    assert!(has(&out, "123456789"), "{all:?}");
    assert!(has(&out, "J. Doe") && has(&out, "Last visit"), "{all:?}");
}

#[test]
fn an_allowed_fields_name_decides_its_value() {
    let (mut events, _) = page(vec![el(
        "form",
        vec![
            N::El(
                "input",
                vec![
                    ("id", "dob"),
                    ("name", "birth_date"),
                    ("value", "1985-03-12"),
                ],
                vec![],
            ),
            N::El(
                "input",
                vec![
                    ("id", "visit"),
                    ("name", "visit_date"),
                    ("value", "2024-11-29"),
                ],
                vec![],
            ),
            N::El(
                "time",
                vec![("datetime", "1985-03-12"), ("itemprop", "birthDate")],
                vec![],
            ),
        ],
    )]);
    // form 5, input#dob 6, input#visit 7, time 8.
    events.push(json!({"type": 3, "data": {"source": 5, "text": "1985-03-13", "isChecked": false, "id": 6}, "timestamp": 3000}));
    events.push(json!({"type": 3, "data": {"source": 5, "text": "2024-11-30", "isChecked": false, "id": 7}, "timestamp": 3001}));
    let policy = Policy::balanced().allow_input("#dob, #visit").unwrap();
    let (out, _) = scrub_both(&events, &policy);
    assert_eq!(attrs(&out, 6)["value"], json!("**********"));
    assert_eq!(attrs(&out, 7)["value"], json!("2024-11-29"));
    assert_eq!(attrs(&out, 8)["datetime"], json!("**********"));
    assert_eq!(out[2]["data"]["text"], json!("**********"));
    assert_eq!(out[3]["data"]["text"], json!("2024-11-30"));
}

#[test]
fn dates_elsewhere_stay() {
    let (events, _) = page(vec![
        el("p", vec![t("Order placed 12/03/2024, shipped 2024-11-29.")]),
        el(
            "ul",
            vec![
                el("li", vec![t("Updated March 12, 2024")]),
                el("li", vec![t("Birthday sale: ends 12/31")]),
            ],
        ),
    ]);
    let (out, report) = scrub_both(&events, &Policy::balanced());
    assert!(has(&out, "Order placed 12/03/2024, shipped 2024-11-29."));
    assert!(has(&out, "Updated March 12, 2024"));
    assert_eq!(report.count(ScrubAction::Pii(PiiKind::DateOfBirth)), 0);
}
