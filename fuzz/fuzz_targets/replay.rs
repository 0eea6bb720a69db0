//! Untrusted entry point: replaying arbitrary event sequences (structured). Never panics;
//! seeks are path-independent; HTML output is produced for any state; DOM patches (what
//! the web player applies) only ever name nodes the renderer holds, and the nodes a
//! renderer holds after each patch are the state's. The canvas drawing a renderer is
//! handed is found for any recording, and starts afresh whenever it must.
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use std::collections::HashSet;

use session_replay::replay::{
    CanvasIndex, DomPatcher, FormValue, NewNode, NodeKey, PatchSink, ReplayConfig, Replayer,
    ScrollTarget,
};
use session_replay::{EventCount, Millis, Timestamp};

/// A renderer that only tracks which keys it holds, and checks every operation names one.
#[derive(Default)]
struct Keys {
    live: HashSet<NodeKey>,
    root: Option<NodeKey>,
}

impl Keys {
    fn has(&self, k: NodeKey) {
        assert!(
            self.live.contains(&k),
            "patch names {k:?}, which the renderer does not hold"
        );
    }
}

impl PatchSink for Keys {
    fn reset(&mut self, root: Option<NodeKey>) {
        self.live.clear();
        self.root = root;
        self.live.extend(root);
    }
    fn remove(&mut self, key: NodeKey) {
        self.has(key);
        self.live.remove(&key);
    }
    fn adopt(&mut self, moves: &[(NodeKey, NodeKey)]) {
        // All pairs at once: every source is held and given up once, and each target
        // names nothing once the sources are given up (no shown node is clobbered).
        let mut given = HashSet::new();
        for &(from, _) in moves {
            self.has(from);
            assert!(given.insert(from), "{from:?} given up twice in one patch");
        }
        for &(from, _) in moves {
            self.live.remove(&from);
        }
        let mut taken = HashSet::new();
        for &(_, to) in moves {
            assert!(taken.insert(to), "{to:?} adopted twice in one patch");
            assert!(!self.live.contains(&to), "{to:?} still names a shown node");
        }
        self.live.extend(taken);
    }
    fn create(&mut self, key: NodeKey, _: NewNode<'_>) {
        self.live.insert(key);
    }
    fn set_attr(&mut self, key: NodeKey, _: &str, _: Option<&str>) {
        self.has(key);
    }
    fn set_text(&mut self, key: NodeKey, _: &str) {
        self.has(key);
    }
    fn children(&mut self, parent: NodeKey, _: bool, kids: &[NodeKey]) {
        self.has(parent);
        for &k in kids {
            self.has(k);
        }
    }
    fn sheet(&mut self, owner: NodeKey, _: Option<&str>) {
        self.has(owner);
    }
    fn adopted(&mut self, host: NodeKey, _: &[&str]) {
        self.has(host);
    }
    fn form(&mut self, key: NodeKey, _: &FormValue) {
        self.has(key);
    }
    fn scroll(&mut self, target: ScrollTarget, _: f64, _: f64) {
        if let ScrollTarget::Node(k) = target {
            self.has(k);
        }
    }
    fn focus(&mut self, key: Option<NodeKey>) {
        if let Some(k) = key {
            self.has(k);
        }
    }
    fn viewport(&mut self, _: f64, _: f64) {}
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(events) = session_replay_fuzz::events(&mut u) else {
        return;
    };
    let mut r = Replayer::new(
        events.clone(),
        ReplayConfig::default().with_keyframe_every(EventCount(3), Millis(500)),
    );
    let Some((start, end)) = r.time_range() else {
        return;
    };
    let mut fresh = Replayer::from(events);
    let mut patcher = DomPatcher::new();
    let mut keys = Keys::default();
    for k in [
        end.0,
        start.0,
        (start.0 + end.0) / 2,
        end.0 + 1,
        start.0 - 1,
    ] {
        let h = r.seek(Timestamp(k)).hash();
        assert_eq!(h, fresh.seek(Timestamp(k)).hash());
        let _ = r.state().to_html();
        let _ = r.state().to_keyframe_events();
        patcher.patch(r.state(), &mut keys);
        // Every node in the page is held (the renderer may also hold detached ones).
        let dom = r.state().dom();
        let in_page = dom.root().map_or(0, |n| n.descendants().count());
        assert!(
            keys.live.len() >= in_page,
            "{} held, {in_page} in the page",
            keys.live.len()
        );
    }
    let canvases = CanvasIndex::new(r.events());
    let n = r.events().len();
    for id in canvases.canvases() {
        for (shown, upto) in [
            (None, n),
            (Some(0), n),
            (Some(n), n / 2),
            (Some(n / 2), n),
            (Some(usize::MAX), 0),
        ] {
            let d = canvases.draw(r.events(), id, shown, upto, (300.0, f64::NAN));
            // A canvas just created, or ahead of the instant, starts afresh.
            assert!(d.restart || shown.is_some_and(|s| s <= upto));
            let mut out = Vec::new();
            for c in &d.commands {
                c.write_json(&mut out);
            }
            assert!(std::str::from_utf8(&out).is_ok());
        }
    }
});
