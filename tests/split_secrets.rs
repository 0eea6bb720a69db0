//! Secrets split across text nodes (`<span>123</span> <span>45</span> <span>6789</span>`):
//! caught in full snapshots, in added subtrees and in text changes, by the streaming and
//! the typed scrubber alike; runs end at block elements, so table cells and separate
//! values stay.

#[path = "common/markup.rs"]
mod markup;

use markup::{N, el, mutation, page, scrub_both, shown, t, texts};
use proptest::prelude::*;
use serde_json::json;
use session_replay::privacy::*;

#[test]
fn ssn_split_across_spans_is_masked_in_each() {
    let (events, _) = page(vec![el(
        "p",
        vec![
            t("SSN: "),
            el("span", vec![t("123")]),
            t(" "),
            el("span", vec![t("45")]),
            t(" "),
            el("span", vec![t("6789")]),
            t(" on file"),
        ],
    )]);
    let (out, report) = scrub_both(&events, &Policy::balanced());
    let s = shown(&out);
    for part in ["123", "45", "6789"] {
        assert!(!texts(&out).iter().any(|x| x == part), "{part} left: {s}");
    }
    assert!(s.contains("SSN: ") && s.contains(" on file"), "{s}");
    assert!(texts(&out).iter().any(|x| x == "***"), "{s}");
    assert_eq!(report.count_at(&ScrubPlace::SplitText), 1, "{report}");
    assert_eq!(report.count(ScrubAction::Pii(PiiKind::Ssn)), 1, "{report}");
}

#[test]
fn cards_emails_and_keys_split_through_inline_elements() {
    let (events, _) = page(vec![
        // Four groups in bold, no space between elements: the page shows 4111111111111111.
        el(
            "p",
            ["4111", "1111", "1111", "1111"]
                .into_iter()
                .map(|g| el("b", vec![t(g)]))
                .collect(),
        ),
        // An address split by its `@` and by a link.
        el(
            "div",
            vec![
                el("span", vec![t("jane.doe")]),
                t("@"),
                el("a", vec![el("em", vec![t("mail.example.com")])]),
            ],
        ),
        // A card number across a comment (not shown, so it does not cut the run).
        el(
            "p",
            vec![
                el("span", vec![t("5555 5555")]),
                N::Comment("price"),
                el("span", vec![t(" 5555 4444")]),
            ],
        ),
    ]);
    let (out, report) = scrub_both(&events, &Policy::balanced());
    let s = shown(&out);
    for leaked in ["4111", "jane.doe", "mail.example.com", "5555"] {
        assert!(!s.contains(leaked), "{leaked} left: {s}");
    }
    assert_eq!(report.count_at(&ScrubPlace::SplitText), 3, "{report}");
    // The comment is still masked as comments are.
    assert!(texts(&out).iter().any(|x| x == "*****"), "{s}");
}

#[test]
fn runs_end_at_blocks_masks_and_line_breaks() {
    let (events, _) = page(vec![
        // Table cells are separate values.
        el(
            "table",
            vec![el(
                "tr",
                vec![
                    el("td", vec![t("123")]),
                    el("td", vec![t("45")]),
                    el("td", vec![t("6789")]),
                ],
            )],
        ),
        // So are list items, and lines cut by `br`.
        el(
            "ul",
            vec![
                el("li", vec![t("4111 1111")]),
                el("li", vec![t("1111 1111")]),
            ],
        ),
        el("p", vec![t("123 45"), el("br", vec![]), t("6789")]),
        // Ordinary numbers side by side stay.
        el(
            "p",
            vec![
                el("span", vec![t("Order")]),
                t(" "),
                el("span", vec![t("123")]),
                t(" of "),
                el("span", vec![t("456")]),
                t(", "),
                el("time", vec![t("2024-11-29")]),
            ],
        ),
    ]);
    let (out, report) = scrub_both(&events, &Policy::balanced());
    let s = shown(&out);
    for kept in [
        "123",
        "45",
        "6789",
        "4111 1111",
        "1111 1111",
        "123 45",
        "456",
        "2024-11-29",
    ] {
        assert!(texts(&out).iter().any(|x| x == kept), "{kept} lost: {s}");
    }
    assert_eq!(report.count_at(&ScrubPlace::SplitText), 0, "{report}");
}

#[test]
fn a_masked_element_is_already_masked_and_cuts_the_run() {
    let (events, _) = page(vec![el(
        "p",
        vec![
            el("span", vec![t("123")]),
            t(" "),
            N::El("span", vec![("class", "rr-mask")], vec![t("45")]),
            t(" "),
            el("span", vec![t("6789")]),
        ],
    )]);
    let (out, report) = scrub_both(&events, &Policy::balanced());
    let all = texts(&out);
    assert!(all.iter().any(|x| x == "**"), "{all:?}");
    assert!(all.iter().any(|x| x == "123") && all.iter().any(|x| x == "6789"));
    assert_eq!(report.count_at(&ScrubPlace::SplitText), 0);
}

#[test]
fn a_part_added_later_masks_the_new_node_and_takes_back_the_others() {
    // 123 [empty span] 6789, then a mutation adds "45" into the empty span.
    let (mut events, next) = page(vec![el(
        "p",
        vec![
            el("span", vec![t("123")]),
            t(" "),
            el("span", vec![]),
            t(" "),
            el("span", vec![t("6789")]),
        ],
    )]);
    // Ids: p 5, span 6, "123" 7, " " 8, span 9, " " 10, span 11, "6789" 12.
    assert_eq!(next, 13);
    events.push(mutation(
        2000,
        json!({"adds": [{"parentId": 9, "nextId": null, "node": {"type": 3, "textContent": "45", "id": 40}}]}),
    ));
    let (out, report) = scrub_both(&events, &Policy::balanced());
    let m = &out[2]["data"];
    assert_eq!(m["adds"][0]["node"]["textContent"], json!("**"), "{m}");
    let changed: Vec<(i64, String)> = m["texts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["id"].as_i64().unwrap(),
                x["value"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        changed,
        vec![(7, "***".to_owned()), (12, "****".to_owned())],
        "{m}"
    );
    assert_eq!(report.count_at(&ScrubPlace::SplitText), 1);
}

/// "123 00 6789" in three spans (no SSN: group 00), then a text change of the middle
/// span to 45, which makes one. Ids: p 5, span 6, "123" 7, " " 8, span 9, "00" 10,
/// " " 11, span 12, "6789" 13.
fn completed_by_a_text_change() -> Vec<serde_json::Value> {
    let (mut events, _) = page(vec![el(
        "p",
        vec![
            el("span", vec![t("123")]),
            t(" "),
            el("span", vec![t("00")]),
            t(" "),
            el("span", vec![t("6789")]),
        ],
    )]);
    events.push(mutation(
        2000,
        json!({"texts": [{"id": 10, "value": "45"}]}),
    ));
    events
}

#[test]
fn a_text_change_that_completes_a_secret_is_masked_in_place() {
    let (out, _) = scrub_both(&completed_by_a_text_change(), &Policy::balanced());
    let all = texts(&out[1]);
    assert!(all.iter().any(|x| x == "00") && all.iter().any(|x| x == "6789"));
    let m = &out[2]["data"]["texts"];
    assert_eq!(
        m,
        &json!([{"id": 10, "value": "**"}, {"id": 7, "value": "***"}, {"id": 13, "value": "****"}])
    );
}

#[test]
fn under_private_everything_is_masked_already_and_nothing_is_resent() {
    let (out, report) = scrub_both(&completed_by_a_text_change(), &Policy::private());
    assert_eq!(out[2]["data"]["texts"].as_array().unwrap().len(), 1);
    assert_eq!(report.count_at(&ScrubPlace::SplitText), 0);
}

#[test]
fn numbers_cut_before_their_first_digit() {
    // The country code of an IBAN or the plus of a phone number in a node of its own.
    for (head, rest) in [
        ("D", "E89 3704 0044 0532 0130 00"),
        ("DE", "89 3704 0044 0532 0130 00"),
        ("+", "44 20 7946 0958"),
    ] {
        let (events, _) = page(vec![el(
            "p",
            vec![
                t("Details: "),
                el("span", vec![t(head)]),
                el("span", vec![t(rest)]),
                t(" (verified)"),
            ],
        )]);
        let (out, report) = scrub_both(&events, &Policy::balanced());
        let all = texts(&out);
        for part in [head, rest] {
            assert!(!all.iter().any(|x| x == part), "{part:?} left in {all:?}");
        }
        assert_eq!(report.count_at(&ScrubPlace::SplitText), 1, "{report}");
    }
}

/// A secret and the ways a page splits it.
fn split_secret() -> impl Strategy<Value = (String, Vec<usize>, Vec<u8>)> {
    let secrets = prop::sample::select(vec![
        "123 45 6789",
        "123-45-6789",
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "378282246310005",
        "jane.doe+news@mail.example.com",
        "DE89 3704 0044 0532 0130 00",
        "+44 20 7946 0958",
    ]);
    secrets.prop_flat_map(|s| {
        let len = s.len();
        (
            Just(s.to_owned()),
            prop::collection::vec(1..len, 1..4),
            prop::collection::vec(0u8..4, 4),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// However a secret is cut into inline pieces (spans, bold, links, with layout
    /// whitespace nodes and comments between), no piece of it reaches the output under
    /// `balanced`, and both paths agree.
    #[test]
    fn split_secrets_never_survive((secret, mut cuts, wrap) in split_secret()) {
        cuts.sort_unstable();
        cuts.dedup();
        let mut pieces = Vec::new();
        let mut at = 0;
        for &c in cuts.iter().chain(std::iter::once(&secret.len())) {
            if c > at && secret.is_char_boundary(c) {
                pieces.push(secret[at..c].to_owned());
                at = c;
            }
        }
        let mut kids = vec![t("Details: ")];
        for (i, p) in pieces.iter().enumerate() {
            let k = match wrap[i % wrap.len()] {
                0 => el("span", vec![t(p)]),
                1 => el("b", vec![el("i", vec![t(p)])]),
                2 => el("a", vec![t(p)]),
                _ => t(p),
            };
            kids.push(k);
            if i % 2 == 1 {
                kids.push(N::Comment("x"));
            }
        }
        kids.push(t(" (verified)"));
        let (events, _) = page(vec![el("p", kids)]);
        let (out, _) = scrub_both(&events, &Policy::balanced());
        let all: Vec<String> = texts(&out)
            .into_iter()
            .filter(|x| x != "Details: " && x != " (verified)")
            .collect();
        // Every piece with a letter or digit is masked wherever it shows.
        for p in pieces.iter().filter(|p| p.chars().any(|c| c.is_ascii_alphanumeric())) {
            prop_assert!(!all.iter().any(|x| x.contains(p.trim())), "{p:?} left in {all:?}");
        }
        prop_assert!(texts(&out).iter().any(|x| x == "Details: "));
    }
}

/// rrweb adds a new subtree one node at a time, a parent's children last to first, each
/// placed before the one added just before it (`nextId`): the scrubber must read the
/// run in the page's order, not in the order of the adds.
#[test]
fn a_subtree_added_node_by_node_in_rrweb_order_is_read_in_page_order() {
    let (mut events, _) = page(vec![el("div", vec![])]);
    let add = |parent: i64, next: Option<i64>, node: serde_json::Value| json!({"parentId": parent, "nextId": next, "node": node});
    let text = |id: i64, s: &str| json!({"type": 3, "textContent": s, "id": id});
    let elem = |id: i64, tag: &str| json!({"type": 2, "tagName": tag, "attributes": {}, "childNodes": [], "id": id});
    events.push(mutation(
        2000,
        json!({"adds": [
            add(5, None, elem(100, "p")),
            add(100, None, text(101, " on 08/28/2025.")),
            add(100, Some(101), elem(102, "span")),
            add(100, Some(102), text(103, " ")),
            add(100, Some(103), elem(104, "span")),
            add(100, Some(104), text(105, "Sent to account ")),
            add(104, None, text(106, "de29 1001 0010")),
            add(102, None, text(107, "0987 6543 21")),
        ]}),
    ));
    let (out, report) = scrub_both(&events, &Policy::balanced());
    let all = texts(&out);
    assert!(all.iter().any(|x| x == "**** **** ****"), "{all:?}");
    assert!(all.iter().any(|x| x == "**** **** **"), "{all:?}");
    assert!(all.iter().any(|x| x == "Sent to account "), "{all:?}");
    assert_eq!(report.count(ScrubAction::Pii(PiiKind::Iban)), 1, "{report}");
}
