//! A summary of a recording: counts by kind, duration, viewports, interactions per node.

use std::collections::BTreeMap;

use super::{Event, EventClass, EventKind, Incremental, MouseInteractionKind, NodeId, Num};

/// What a recording contains, computed in one pass over its events.
///
/// Maps are `BTreeMap`s so that printing a summary is deterministic.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    /// Number of events.
    pub events: usize,
    /// Milliseconds from the first to the last timestamp.
    pub duration_ms: i64,
    /// Events per kind: event types, with incremental events by source (read one with
    /// [`Summary::count`], which gives 0 for a kind that never occurred).
    pub by_kind: BTreeMap<EventClass, usize>,
    /// Mouse interactions per kind (`Click`, `Focus`, ...; see [`Summary::interactions_of`]).
    pub interactions: BTreeMap<MouseInteractionKind, usize>,
    /// Mutation records: adds, removes, texts, attributes entries.
    pub mutation_records: MutationCounts,
    /// Node count of the first full snapshot, if any.
    pub first_snapshot_nodes: Option<usize>,
    /// Every viewport size in order (from Meta and ViewportResize events), deduplicated
    /// when consecutive.
    pub viewports: Vec<(Num, Num)>,
    /// Clicks per target node.
    pub clicks_per_node: BTreeMap<NodeId, usize>,
    /// Input events per target node.
    pub inputs_per_node: BTreeMap<NodeId, usize>,
    /// Events whose timestamp is earlier than the one before.
    pub out_of_order: usize,
}

/// Counts of the records inside mutation events.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MutationCounts {
    /// Added nodes.
    pub adds: usize,
    /// Removed nodes.
    pub removes: usize,
    /// Text changes.
    pub texts: usize,
    /// Attribute changes.
    pub attributes: usize,
}

impl Summary {
    /// How many events of `class` there were (0 if none).
    pub fn count(&self, class: EventClass) -> usize {
        self.by_kind.get(&class).copied().unwrap_or(0)
    }

    /// How many mouse interactions of `kind` there were (0 if none).
    pub fn interactions_of(&self, kind: MouseInteractionKind) -> usize {
        self.interactions.get(&kind).copied().unwrap_or(0)
    }

    /// Summarises `events`.
    pub fn of(events: &[Event]) -> Summary {
        let mut s = Summary {
            events: events.len(),
            ..Summary::default()
        };
        let (mut first, mut last) = (None::<i64>, None::<i64>);
        let mut prev = None;
        for e in events {
            let t = e.timestamp.0;
            first = Some(first.map_or(t, |f| f.min(t)));
            last = Some(last.map_or(t, |l| l.max(t)));
            if prev.is_some_and(|p| t < p) {
                s.out_of_order += 1;
            }
            prev = Some(t);
            *s.by_kind.entry(e.kind.class()).or_default() += 1;
            let mut viewport = None;
            match &e.kind {
                EventKind::FullSnapshot(snap) if s.first_snapshot_nodes.is_none() => {
                    s.first_snapshot_nodes = Some(snap.tree.len());
                }
                EventKind::Meta(m) => viewport = Some((m.width, m.height)),
                EventKind::Incremental(inc) => match inc {
                    Incremental::ViewportResize(v) => viewport = Some((v.width, v.height)),
                    Incremental::Mutation(m) => {
                        s.mutation_records.adds += m.adds.len();
                        s.mutation_records.removes += m.removes.len();
                        s.mutation_records.texts += m.texts.len();
                        s.mutation_records.attributes += m.attributes.len();
                    }
                    Incremental::MouseInteraction(mi) => {
                        *s.interactions.entry(mi.kind).or_default() += 1;
                        if mi.kind == MouseInteractionKind::Click {
                            *s.clicks_per_node.entry(mi.id).or_default() += 1;
                        }
                    }
                    Incremental::Input(i) => *s.inputs_per_node.entry(i.id).or_default() += 1,
                    _ => {}
                },
                _ => {}
            }
            if let Some(v) = viewport
                && s.viewports.last() != Some(&v)
            {
                s.viewports.push(v);
            }
        }
        if let (Some(f), Some(l)) = (first, last) {
            s.duration_ms = l.saturating_sub(f);
        }
        s
    }
}
