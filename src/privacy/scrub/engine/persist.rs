//! The engine's saved form: the node mirror, the report, and the digest of the policy
//! it was built under, as a scrubber's session state (see `crate::persist`).
//!
//! The mirror is saved exactly as it is (every node with its parent, children, tag,
//! attributes, kept text and privacy flags), so a restored scrubber makes the same
//! decisions, sticky ones included (a field that was ever a password). Restoring
//! checks what the live mirror relies on: ids are unique, attribute lengths cut their
//! buffer exactly, and the node count is within [`Limits::nodes`]. Parent and child
//! links are taken as they come: hostile events can already make them point anywhere,
//! so every walk over them is bounded and none can panic.

use bincode::{Decode, Encode};

use super::super::NodePrivacy;
use super::super::report::{ScrubAction, ScrubPlace, ScrubReport};
use super::Engine;
use super::mirror::{MNode, Mirror, PackedAttrs, Tag};
use crate::error::StateError;
use crate::limits::Limits;
use crate::persist::{self, StateKind};
use crate::privacy::policy::Policy;

#[derive(Encode, Decode)]
struct SavedEngine {
    policy: [u8; 16],
    nodes: Vec<SavedNode>,
    events_in: u64,
    events_out: u64,
    by_kind: Vec<(String, u64)>,
    by_place: Vec<(String, u64)>,
}

#[derive(Encode, Decode)]
struct SavedNode {
    id: i32,
    parent: i32,
    element: bool,
    tag: String,
    attr_text: String,
    attr_lens: Vec<(u32, u32)>,
    text: Option<String>,
    children: Vec<i32>,
    privacy: u16,
}

const STAGE: &str = "scrubber";

fn malformed(reason: &'static str) -> StateError {
    persist::malformed(STAGE, reason)
}

impl Engine {
    /// The engine's state, sealed.
    pub(in crate::privacy::scrub) fn save(&self) -> Vec<u8> {
        let mut nodes: Vec<SavedNode> = self
            .nodes
            .iter()
            .map(|(id, n)| {
                let (attr_text, lens) = n.attrs.parts();
                SavedNode {
                    id,
                    parent: n.parent,
                    element: n.element,
                    tag: n.tag.to_string(),
                    attr_text: attr_text.to_owned(),
                    attr_lens: lens.to_vec(),
                    text: n.text.as_deref().map(str::to_owned),
                    children: n.children.to_vec(),
                    privacy: n.privacy.bits(),
                }
            })
            .collect();
        // In id order, whichever part of the mirror a node lives in: the same state
        // saves to the same bytes.
        nodes.sort_unstable_by_key(|n| n.id);
        let saved = SavedEngine {
            policy: self.policy.fingerprint(),
            nodes,
            events_in: self.report.events_in,
            events_out: self.report.events_out,
            by_kind: (self.report.by_kind.iter())
                .map(|(k, v)| (k.as_str().to_owned(), *v))
                .collect(),
            by_place: (self.report.by_place.iter())
                .map(|(k, v)| (k.as_str().to_owned(), *v))
                .collect(),
        };
        persist::save(StateKind::Scrubber, &saved)
    }

    /// An engine for `policy` from saved state, checked (see the module docs).
    pub(in crate::privacy::scrub) fn restore(
        policy: Policy,
        bytes: &[u8],
        limits: &Limits,
    ) -> Result<Engine, StateError> {
        let body = persist::open(StateKind::Scrubber, bytes, limits.input_bytes)?;
        let saved: SavedEngine = persist::decode_body(StateKind::Scrubber, body)?;
        if saved.policy != policy.fingerprint() {
            return Err(StateError::PolicyMismatch);
        }
        if saved.nodes.len() > limits.nodes {
            return Err(StateError::LimitExceeded {
                stage: STAGE,
                what: "nodes",
                limit: limits.nodes,
            });
        }
        let mut nodes = Mirror::default();
        for n in saved.nodes {
            if nodes.contains_key(&n.id) {
                return Err(malformed("a node id appears twice"));
            }
            let attrs = PackedAttrs::from_parts(n.attr_text, &n.attr_lens)
                .ok_or_else(|| malformed("attribute lengths do not fit their text"))?;
            let node = MNode {
                parent: n.parent,
                element: n.element,
                tag: if n.tag.is_empty() {
                    Tag::Empty
                } else {
                    Tag::lower(&n.tag)
                },
                attrs,
                text: n.text.map(String::into_boxed_str),
                children: n.children.into_iter().collect(),
                privacy: NodePrivacy::from_bits_truncate(n.privacy),
            };
            nodes.insert(n.id, node);
        }
        let mut report = ScrubReport {
            events_in: saved.events_in,
            events_out: saved.events_out,
            ..ScrubReport::default()
        };
        for (k, v) in saved.by_kind {
            let k = ScrubAction::from_name(&k).ok_or_else(|| malformed("unknown report action"))?;
            report.by_kind.insert(k, v);
        }
        for (k, v) in saved.by_place {
            let k = ScrubPlace::from_name(&k).ok_or_else(|| malformed("unknown report place"))?;
            report.by_place.insert(k, v);
        }
        Ok(Engine {
            policy,
            nodes,
            report,
            split: Default::default(),
            carry_next: false,
            carried: Default::default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_counts_restored_at_the_top_do_not_overflow() {
        let policy = Policy::private();
        let bytes = Engine::new(policy.clone()).save();
        let body = persist::open(StateKind::Scrubber, &bytes, 1 << 20).unwrap();
        let mut s: SavedEngine = persist::decode_body(StateKind::Scrubber, body).unwrap();
        s.events_in = u64::MAX;
        s.events_out = u64::MAX;
        s.by_kind = vec![
            ("text_masked".into(), u64::MAX),
            ("input_masked".into(), u64::MAX),
        ];
        s.by_place = vec![("snapshot".into(), u64::MAX)];
        let bytes = persist::save(StateKind::Scrubber, &s);
        let mut scrubber =
            crate::privacy::Scrubber::restore_state(policy, &bytes, &Limits::DEFAULT).unwrap();
        let events = crate::rrweb::read(
            br#"[{"type":2,"data":{"node":{"type":0,"childNodes":[{"type":2,"tagName":"p","attributes":{},"childNodes":[{"type":3,"textContent":"secret","id":3}],"id":2}],"id":1},"initialOffset":{"top":0,"left":0}},"timestamp":1},
                {"type":3,"data":{"source":5,"text":"hunter2","isChecked":false,"id":3},"timestamp":2}]"#,
            &Limits::DEFAULT,
        )
        .unwrap();
        for e in events {
            scrubber.scrub_event(e);
        }
        let report = scrubber.report();
        assert_eq!((report.events_in, report.events_out), (u64::MAX, u64::MAX));
        assert_eq!(report.total(), u64::MAX);
    }
}
