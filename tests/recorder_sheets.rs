//! The recorder's CSSOM input: rule edits of `<style>` sheets and constructed sheets,
//! declaration edits and adoptions come out as rrweb's events, go through CSS masking,
//! and a keyframe taken after them shows what replaying them shows.

use session_replay::model::*;
use session_replay::privacy::Policy;
use session_replay::record::*;
use session_replay::replay::Replayer;

const DOC: HostKey = HostKey(1);
const STYLE_TEXT: HostKey = HostKey(4);
const STYLE_TEXT_CHILD: HostKey = HostKey(5);
const STYLE_EMPTY: HostKey = HostKey(6);
const HOST: HostKey = HostKey(8);
const SHEET: HostKey = HostKey(100);

fn el(tag: &str, attributes: &[(&str, &str)]) -> HostKind {
    HostKind::Element {
        tag: tag.into(),
        attributes: attributes
            .iter()
            .map(|(n, v)| ((*n).into(), (*v).into()))
            .collect(),
    }
}

/// A page with a `<style>` holding text, an empty one inlined as `_cssText` (as
/// CSS-in-JS leaves it), and a shadow host.
fn recorder() -> Recorder {
    let mut t = HostTree::default();
    let doc = t.push(DOC, None, HostKind::Document);
    let html = t.push(HostKey(2), Some(doc), el("html", &[]));
    let head = t.push(HostKey(3), Some(html), el("head", &[]));
    let style = t.push(STYLE_TEXT, Some(head), el("style", &[]));
    t.push(
        STYLE_TEXT_CHILD,
        Some(style),
        HostKind::Text("a { color: red; }".into()),
    );
    t.push(STYLE_EMPTY, Some(head), el("style", &[("_cssText", "")]));
    let body = t.push(HostKey(7), Some(html), el("body", &[]));
    let host = t.push(HOST, Some(body), el("div", &[]));
    t.push(HostKey(9), Some(host), el("span", &[]));
    t.nodes.last_mut().unwrap().in_shadow = true;
    let mut rec = Recorder::new(Policy::default(), RecorderConfig::default());
    rec.grant_consent();
    rec.page("https://shop.test/", 800.0, 600.0, Timestamp(1_000));
    rec.snapshot(&t, Timestamp(1_000));
    rec
}

fn drain(rec: &mut Recorder) -> Vec<Event> {
    std::iter::from_fn(|| rec.poll_event()).collect()
}

fn insert(path: &[i64], rule: &str) -> SheetEdit {
    SheetEdit::Insert {
        path: path.to_vec(),
        rule: rule.into(),
    }
}

fn incrementals(events: &[Event]) -> Vec<&Incremental> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Incremental(i) => Some(i),
            _ => None,
        })
        .collect()
}

/// The replayed page at the end, as HTML.
fn html_at_end(events: Vec<Event>) -> String {
    let mut r = Replayer::from(events);
    let (_, end) = r.time_range().unwrap();
    let s = r.seek(end);
    assert_eq!(s.diagnostics().problems(), 0, "{:?}", s.diagnostics());
    s.to_html()
}

/// The stream from its last keyframe alone, with the Meta that opens it, as a player
/// that seeks there starts.
fn from_last_keyframe(events: &[Event]) -> Vec<Event> {
    let last = events
        .iter()
        .rposition(|e| matches!(e.kind, EventKind::FullSnapshot(_)))
        .unwrap();
    let mut tail = vec![events[0].clone()];
    tail.extend_from_slice(&events[last..]);
    tail
}

/// Every kind of edit, in the order a page might make them.
fn edit_everything(rec: &mut Recorder) {
    let t = Timestamp(2_000);
    rec.sheet_edit(
        HostSheet::Node(STYLE_TEXT),
        &insert(&[1], "b { color: blue; }"),
        t,
    );
    rec.sheet_edit(
        HostSheet::Node(STYLE_TEXT),
        &SheetEdit::Delete { path: vec![0] },
        t,
    );
    rec.sheet_edit(
        HostSheet::Node(STYLE_EMPTY),
        &insert(&[0], "@media screen { p { color: red; } }"),
        t,
    );
    rec.sheet_edit(
        HostSheet::Node(STYLE_EMPTY),
        &insert(&[0, 1], "q { margin: 0; }"),
        t,
    );
    rec.sheet_edit(
        HostSheet::Node(STYLE_EMPTY),
        &SheetEdit::SetProperty {
            path: vec![0, 0],
            property: "color".into(),
            value: "green".into(),
            priority: "important".into(),
        },
        t,
    );
    rec.adopted_sheets(
        DOC,
        &[AdoptedSheet {
            key: SHEET,
            rules: Some(vec!["x { top: 0px; }".into()]),
        }],
        t,
    );
    rec.sheet_edit(
        HostSheet::Constructed(SHEET),
        &insert(&[1], "y { left: 0px; }"),
        t,
    );
    rec.adopted_sheets(
        HOST,
        &[AdoptedSheet {
            key: SHEET,
            rules: None,
        }],
        t,
    );
}

#[test]
fn edits_come_out_as_rrweb_events() {
    let mut rec = recorder();
    drain(&mut rec);
    edit_everything(&mut rec);
    let events = drain(&mut rec);
    let incs = incrementals(&events);
    assert_eq!(incs.len(), 8, "{incs:#?}");
    let Incremental::StyleSheetRule(r) = incs[0] else {
        panic!("{:?}", incs[0])
    };
    assert_eq!(r.id, rec.node_id(STYLE_TEXT));
    let add = &r.adds.as_ref().unwrap()[0];
    assert_eq!(
        (add.rule.as_str(), &add.index),
        ("b { color: blue; }", &Some(RuleIndex::Flat(1)))
    );
    let Incremental::StyleSheetRule(r) = incs[3] else {
        panic!()
    };
    assert_eq!(
        r.adds.as_ref().unwrap()[0].index,
        Some(RuleIndex::Nested(vec![0, 1]))
    );
    let Incremental::StyleDeclaration(d) = incs[4] else {
        panic!()
    };
    assert_eq!(
        (
            d.index.as_slice(),
            d.set.as_ref().unwrap().property.as_str()
        ),
        (&[0, 0][..], "color")
    );
    assert_eq!(
        d.set.as_ref().unwrap().priority.as_deref(),
        Some("important")
    );
    // The first adoption carries the sheet's rules; the shadow root's, later, only its id.
    let Incremental::AdoptedStyleSheet(a) = incs[5] else {
        panic!()
    };
    assert_eq!(a.id, rec.node_id(DOC).unwrap());
    let styles = a.styles.as_ref().unwrap();
    assert_eq!(styles[0].rules[0].rule, "x { top: 0px; }");
    let style_id = styles[0].style_id;
    assert_eq!(a.style_ids, vec![style_id]);
    let Incremental::StyleSheetRule(r) = incs[6] else {
        panic!()
    };
    assert_eq!((r.id, r.style_id), (None, Some(style_id)));
    let Incremental::AdoptedStyleSheet(a) = incs[7] else {
        panic!()
    };
    assert_eq!(
        (a.id, a.styles.is_none()),
        (rec.node_id(HOST).unwrap(), true)
    );
    // rrweb's JSON shape.
    let json = session_replay::rrweb::write_string(&events);
    assert!(
        json.contains(r#""source":8"#)
            && json.contains(r#""source":13"#)
            && json.contains(r#""source":15"#)
    );
}

#[test]
fn a_keyframe_after_edits_shows_what_replaying_them_shows() {
    let mut rec = recorder();
    edit_everything(&mut rec);
    rec.keyframe(Timestamp(3_000));
    let events = drain(&mut rec);
    let whole = html_at_end(events.clone());
    let tail = from_last_keyframe(&events);
    // The keyframe is followed by the adoptions again, with the sheet's rules.
    let adoptions: Vec<_> = incrementals(&tail)
        .into_iter()
        .filter_map(|i| match i {
            Incremental::AdoptedStyleSheet(a) => Some(a),
            _ => None,
        })
        .collect();
    assert_eq!(adoptions.len(), 2);
    assert_eq!(adoptions[0].styles.as_ref().unwrap()[0].rules.len(), 2);
    let from_keyframe = html_at_end(tail);
    assert_eq!(whole, from_keyframe);
    for rule in [
        "b { color: blue; }",
        "q { margin: 0; }",
        "color: green !important",
        "y { left: 0px; }",
    ] {
        assert!(whole.contains(rule), "{rule} missing from {whole}");
    }
    assert!(!whole.contains("color: red"), "{whole}");
}

#[test]
fn edits_that_cannot_apply_emit_nothing() {
    let mut rec = recorder();
    drain(&mut rec);
    let t = Timestamp(2_000);
    // A path outside the sheet, `replace` on a node's sheet, a node and a constructed
    // sheet the recorder does not have.
    rec.sheet_edit(HostSheet::Node(STYLE_TEXT), &insert(&[5], "b {}"), t);
    rec.sheet_edit(
        HostSheet::Node(STYLE_TEXT),
        &SheetEdit::Replace {
            text: "b {}".into(),
            sync: true,
        },
        t,
    );
    rec.sheet_edit(HostSheet::Node(HostKey(999)), &insert(&[0], "b {}"), t);
    rec.sheet_edit(
        HostSheet::Constructed(HostKey(998)),
        &insert(&[0], "b {}"),
        t,
    );
    rec.adopted_sheets(
        DOC,
        &[AdoptedSheet {
            key: HostKey(998),
            rules: None,
        }],
        t,
    );
    let events = drain(&mut rec);
    // Only the adoption, of nothing (the unknown sheet is left out).
    assert_eq!(events.len(), 1, "{events:#?}");
    let EventKind::Incremental(Incremental::AdoptedStyleSheet(a)) = &events[0].kind else {
        panic!()
    };
    assert!(a.style_ids.is_empty());
}

#[test]
fn a_text_change_starts_the_sheet_afresh() {
    let mut rec = recorder();
    let t = Timestamp(2_000);
    rec.sheet_edit(
        HostSheet::Node(STYLE_TEXT),
        &insert(&[1], "b { color: blue; }"),
        t,
    );
    // The page rewrites the style's text: the browser parses it afresh.
    rec.mutations(
        &[MutationRecord::CharacterData {
            target: STYLE_TEXT_CHILD,
            old_value: None,
            value: "c { color: gray; }".into(),
        }],
        t,
    );
    rec.sheet_edit(
        HostSheet::Node(STYLE_TEXT),
        &insert(&[1], "d { color: pink; }"),
        t,
    );
    rec.keyframe(Timestamp(3_000));
    let events = drain(&mut rec);
    let whole = html_at_end(events.clone());
    assert!(whole.contains("c { color: gray; }") && whole.contains("d { color: pink; }"));
    assert!(!whole.contains("blue"), "{whole}");
    assert_eq!(whole, html_at_end(from_last_keyframe(&events)));
}

#[test]
fn urls_in_rules_are_masked() {
    let mut rec = recorder();
    drain(&mut rec);
    let secret = "jane.doe@example.com";
    let rule = format!("b {{ background: url(\"https://cdn.test/bg.png?email={secret}\"); }}");
    let t = Timestamp(2_000);
    rec.sheet_edit(HostSheet::Node(STYLE_TEXT), &insert(&[1], &rule), t);
    rec.adopted_sheets(
        DOC,
        &[AdoptedSheet {
            key: SHEET,
            rules: Some(vec![rule.clone()]),
        }],
        t,
    );
    rec.sheet_edit(
        HostSheet::Constructed(SHEET),
        &SheetEdit::Replace {
            text: rule.clone(),
            sync: false,
        },
        t,
    );
    rec.keyframe(Timestamp(3_000));
    let events = drain(&mut rec);
    assert!(events.len() >= 5);
    let json = session_replay::rrweb::write_string(&events);
    assert!(json.contains("cdn.test"), "{json}");
    assert!(!json.contains("jane.doe"), "{json}");
}

#[test]
fn sheets_travel_in_the_saved_state() {
    let mut a = recorder();
    edit_everything(&mut a);
    drain(&mut a);
    let bytes = a.save_state();
    let mut b = Recorder::restore_state(
        Policy::default(),
        &bytes,
        &session_replay::Limits::default(),
    )
    .expect("restores");
    for r in [&mut a, &mut b] {
        r.sheet_edit(
            HostSheet::Constructed(SHEET),
            &insert(&[0], "z { top: 1px; }"),
            Timestamp(2_500),
        );
        r.keyframe(Timestamp(3_000));
    }
    let (ea, eb) = (drain(&mut a), drain(&mut b));
    assert!(ea.len() >= 4);
    assert_eq!(ea, eb);
}

#[test]
fn shadow_hosts_are_marked_in_keyframes_and_adds() {
    let mut rec = recorder();
    // A host added later, with a shadow child.
    let mut added = HostTree::default();
    let host = added.push(HostKey(60), None, el("div", &[]));
    added.push(HostKey(61), Some(host), el("span", &[]));
    added.nodes.last_mut().unwrap().in_shadow = true;
    rec.mutations(
        &[MutationRecord::ChildList {
            target: HostKey(7),
            added: vec![added],
            removed: vec![],
            next_sibling: None,
        }],
        Timestamp(2_000),
    );
    rec.keyframe(Timestamp(3_000));
    let json = session_replay::rrweb::write_string(&drain(&mut rec));
    // The snapshot's host, the added host, and both again in the keyframe.
    assert_eq!(json.matches(r#""isShadowHost":true"#).count(), 4, "{json}");
}
