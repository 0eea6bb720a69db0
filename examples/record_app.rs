//! An in-process app recording itself, with no browser: it builds a page-like tree,
//! simulates a user filling a checkout form (card number, password) and editing a list,
//! records with the default (private) policy, encodes, then decodes, replays and prints
//! the final state, and checks that no secret reached the bytes.
//!
//! `cargo run --release --example record_app`

use session_replay::codec::{self, EncoderConfig};
use session_replay::model::{Millis, MouseInteractionKind, Timestamp};
use session_replay::privacy::Policy;
use session_replay::record::{
    HostKey, HostKind, HostTree, MutationRecord, Recorder, RecorderConfig,
};
use session_replay::replay::Replayer;
use session_replay::{Limits, Recovered};

const CARD: &str = "4111 1111 1111 1111";
const PASSWORD: &str = "correct horse battery staple";

fn el(tag: &str, attrs: &[(&str, &str)]) -> HostKind {
    HostKind::Element {
        tag: tag.into(),
        attributes: attrs
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect(),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The app's UI tree; keys are the app's own widget ids.
    let mut page = HostTree::default();
    let doc = page.push(HostKey(1), None, HostKind::Document);
    let html = page.push(HostKey(2), Some(doc), el("html", &[]));
    let body = page.push(HostKey(3), Some(html), el("body", &[]));
    let h1 = page.push(HostKey(4), Some(body), el("h1", &[]));
    page.push(HostKey(5), Some(h1), HostKind::Text("Checkout".into()));
    let form = page.push(HostKey(6), Some(body), el("form", &[("id", "pay")]));
    page.push(
        HostKey(7),
        Some(form),
        el("input", &[("id", "card"), ("autocomplete", "cc-number")]),
    );
    page.push(
        HostKey(8),
        Some(form),
        el("input", &[("id", "pw"), ("type", "password")]),
    );
    page.push(HostKey(9), Some(body), el("ul", &[("id", "list")]));

    let mut rec = Recorder::new(
        Policy::default(),
        RecorderConfig::default().with_encoding(EncoderConfig::default()),
    );
    rec.grant_consent();
    let mut t = Timestamp(1_700_000_000_000);
    rec.page(
        "https://shop.example/checkout?session=s3cr3t",
        1280.0,
        800.0,
        t,
    );
    rec.snapshot(&page, t);

    // The user clicks the card field and types the number, key by key.
    t = t.saturating_add(Millis(400));
    rec.pointer_interaction(MouseInteractionKind::Click, HostKey(7), 120.0, 200.0, t);
    rec.focus(HostKey(7), t);
    for i in 1..=CARD.len() {
        t = t.saturating_add(Millis(90));
        rec.input(HostKey(7), &CARD[..i], false, t);
        rec.tick(t);
    }
    rec.blur(HostKey(7), t);
    rec.focus(HostKey(8), t);
    for i in 1..=PASSWORD.len() {
        t = t.saturating_add(Millis(80));
        rec.input(HostKey(8), &PASSWORD[..i], false, t);
    }
    // Then edits the list: adds three items, renames one, removes one.
    for (n, text) in ["Gift wrap", "Express shipping", "Receipt by email"]
        .iter()
        .enumerate()
    {
        t = t.saturating_add(Millis(500));
        let mut item = HostTree::default();
        let li = item.push(
            HostKey(100 + n as u64 * 2),
            None,
            el("li", &[("class", "item")]),
        );
        item.push(
            HostKey(101 + n as u64 * 2),
            Some(li),
            HostKind::Text((*text).into()),
        );
        rec.mutations(
            &[MutationRecord::ChildList {
                target: HostKey(9),
                added: vec![item],
                removed: vec![],
                next_sibling: None,
            }],
            t,
        );
    }
    t = t.saturating_add(Millis(500));
    rec.mutations(
        &[MutationRecord::CharacterData {
            target: HostKey(103),
            old_value: Some("Express shipping".into()),
            value: "Standard shipping".into(),
        }],
        t,
    );
    t = t.saturating_add(Millis(500));
    rec.mutations(
        &[MutationRecord::ChildList {
            target: HostKey(9),
            added: vec![],
            removed: vec![HostKey(100)],
            next_sibling: None,
        }],
        t,
    );
    for i in 0..40 {
        t = t.saturating_add(Millis(16));
        rec.pointer_move(HostKey(9), 300.0 + f64::from(i), 400.0, t);
    }
    rec.stop(t.saturating_add(Millis(1)));

    let events: Vec<_> = std::iter::from_fn(|| rec.poll_event()).collect();
    // Each chunk could be uploaded as it closes; concatenated they are the stream.
    let bytes: Vec<u8> = std::iter::from_fn(|| rec.poll_chunk()).flatten().collect();
    println!(
        "recorded {} events; {} bytes encoded",
        events.len(),
        bytes.len()
    );

    // Decode and replay what would have been uploaded.
    let Recovered {
        events: decoded,
        errors,
    } = codec::decode(&bytes, &Limits::DEFAULT);
    if !errors.is_empty() || decoded != events {
        return Err("the encoded recording does not decode to what was recorded".into());
    }
    let mut replayer = Replayer::from(decoded);
    let (_, end) = replayer.time_range().ok_or("empty recording")?;
    let state = replayer.seek(end);
    println!(
        "replayed final state: {} nodes, url {}",
        state.node_count(),
        state.href()
    );
    let list: Vec<String> = state
        .dom()
        .root()
        .ok_or("no document")?
        .descendants()
        .filter(|n| n.parent().and_then(|p| p.tag()) == Some("li"))
        .filter_map(|n| n.text().map(str::to_owned))
        .collect();
    println!("list items (text masked by the private policy): {list:?}");
    for (id, v) in state.form_values() {
        println!("field {id}: value {:?}", v.text);
    }

    // No secret may reach the bytes or the events.
    let json = session_replay::rrweb::write_string(&events);
    let raw = String::from_utf8_lossy(&bytes);
    let secrets = [
        CARD,
        "4111",
        PASSWORD,
        "horse",
        "s3cr3t",
        "Express shipping",
    ];
    let leaked: Vec<&str> = secrets
        .iter()
        .copied()
        .filter(|s| json.contains(s) || raw.contains(s))
        .collect();
    if leaked.is_empty() {
        println!(
            "no secret reached the recording: card number, password, session token and text all masked"
        );
        Ok(())
    } else {
        Err(format!("leaked: {leaked:?}").into())
    }
}
