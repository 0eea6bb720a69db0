//! What the player draws on the replayed page's 2D canvases after each patch: the
//! library's [`CanvasIndex`] says which recorded commands give a canvas its pixels, and
//! this remembers what each canvas on screen already shows, so that playing draws only
//! the new commands and a seek (or a canvas the patch created anew) redraws from the
//! canvas's recorded image.
//!
//! The work crosses to JavaScript as one JSON array per patch (`web/js/canvas.js` draws
//! it): `[{ "key", "restart", "base", "commands": [{ "property", "args", "setter" }] }]`.
//! JSON because the commands are rrweb's serialized arguments (nested arrays, typed
//! array and image descriptors), which the drawer has to rebuild anyway; a page with no
//! canvas drawing costs one empty string per patch.

use std::collections::BTreeMap;

use session_replay::model::NodeId;
use session_replay::replay::{CanvasIndex, NodeKey, State};
use session_replay::{Event, rrweb};

/// A canvas's size when its attribute is missing or not a number (the HTML defaults).
const DEFAULT_SIZE: (f64, f64) = (300.0, 150.0);

/// The canvases' drawing state as the renderer shows it.
#[derive(Debug, Default)]
pub struct CanvasTracker {
    index: CanvasIndex,
    /// Per canvas on screen: its key, and the events its pixels stand for (the first
    /// `n` of the recording).
    shown: BTreeMap<NodeId, (NodeKey, usize)>,
}

fn size(attr: Option<&str>, default: f64) -> f64 {
    // As the browser reads it: a non-negative integer, else the default.
    attr.and_then(|v| v.trim().parse::<u32>().ok())
        .map_or(default, f64::from)
}

impl CanvasTracker {
    /// Indexes the recording's canvas drawing.
    pub fn new(events: &[Event]) -> Self {
        CanvasTracker {
            index: CanvasIndex::new(events),
            shown: BTreeMap::new(),
        }
    }

    /// The drawing that brings the shown canvases to `state` (the first `upto` of
    /// `events` applied), after a patch that dropped everything (`reset`) or created
    /// the canvases `created`. Returns the JSON work list, or an empty string.
    pub fn work(
        &mut self,
        state: &State,
        events: &[Event],
        upto: usize,
        reset: bool,
        created: &[NodeKey],
    ) -> String {
        if self.index.is_empty() {
            return String::new();
        }
        if reset {
            self.shown.clear();
        }
        let dom = state.dom();
        // Written by hand with the library's JSON writer (no serde_json in the wasm for
        // this: it cost 38 KB).
        let mut out = Vec::new();
        for id in self.index.canvases() {
            let Some(node) = dom
                .get(id)
                .filter(|n| n.tag().is_some_and(|t| t.eq_ignore_ascii_case("canvas")))
            else {
                self.shown.remove(&id);
                continue;
            };
            let key = node.key();
            let shown = self
                .shown
                .get(&id)
                .filter(|(k, _)| *k == key && !created.contains(&key))
                .map(|&(_, n)| n);
            let dims = (
                size(node.attr("width"), DEFAULT_SIZE.0),
                size(node.attr("height"), DEFAULT_SIZE.1),
            );
            let draw = self.index.draw(events, id, shown, upto, dims);
            self.shown.insert(id, (key, upto));
            if !draw.restart && draw.commands.is_empty() {
                continue;
            }
            // A canvas created anew is blank already: with nothing to draw it needs no
            // work at all.
            let base = node
                .attr("rr_dataURL")
                .filter(|u| draw.image && u.starts_with("data:image/"));
            if shown.is_none()
                && base.is_none()
                && draw.commands.is_empty()
                && created.contains(&key)
            {
                continue;
            }
            out.push(if out.is_empty() { b'[' } else { b',' });
            out.extend_from_slice(
                format!("{{\"key\":{},\"restart\":{},\"base\":", key.0, draw.restart).as_bytes(),
            );
            match base {
                Some(url) => rrweb::write_json_str_to(url, &mut out),
                None => out.extend_from_slice(b"null"),
            }
            out.extend_from_slice(b",\"commands\":[");
            for (i, c) in draw.commands.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                c.write_json(&mut out);
            }
            out.extend_from_slice(b"]}");
        }
        if out.is_empty() {
            return String::new();
        }
        out.push(b']');
        // The writer writes UTF-8 from `str`s and escapes.
        String::from_utf8(out).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use crate::Replay;
    use serde_json::Value;

    /// web/test/pages/canvas.html recorded by rrweb 2.2.2 in Chromium (recordCanvas):
    /// canvas `a` drawn before recording (an image in the snapshot), then resized;
    /// `anim` cleared and redrawn each step; `b` added later and drawn on.
    fn recording() -> Replay {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/data/pages/canvas.rrweb.json"
        );
        Replay::read_json(&std::fs::read(path).unwrap()).unwrap()
    }

    fn work(r: &mut Replay) -> Vec<Value> {
        let json = r.canvas_work();
        if json.is_empty() {
            return Vec::new();
        }
        serde_json::from_str::<Value>(&json)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    }

    fn props(w: &Value) -> Vec<&str> {
        w["commands"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["property"].as_str().unwrap())
            .collect()
    }

    #[test]
    fn a_seek_redraws_each_canvas_from_its_base_with_only_what_still_shows() {
        let mut r = recording();
        r.seek(r.duration());
        let w = work(&mut r);
        assert_eq!(w.len(), 3, "{w:?}");
        assert!(w.iter().all(|x| x["restart"] == true));
        // Sorted by id: a (resized: no image, only what came after), anim, b.
        assert!(w[0]["base"].is_null());
        assert_eq!(props(&w[0]), ["fillStyle", "fillRect"]);
        // Four frames, each cleared: the styles stay, only the last frame is drawn.
        let anim = props(&w[1]);
        assert_eq!(anim.iter().filter(|p| **p == "fillStyle").count(), 1);
        assert_eq!(anim.iter().filter(|p| **p == "arc").count(), 1);
        assert!(!anim.contains(&"clearRect"));
        assert_eq!(props(&w[2]), ["fillStyle", "fillRect", "strokeText"]);
        // Nothing new: nothing to draw.
        r.seek(r.duration());
        assert!(work(&mut r).is_empty());

        // Before the resize, `a` starts from its recorded image.
        r.seek(200.0);
        let w = work(&mut r);
        let a = w.iter().find(|x| x["base"].is_string()).expect("a's image");
        assert!(a["base"].as_str().unwrap().starts_with("data:image/png"));
        assert!(a["restart"] == true);
    }

    #[test]
    fn playing_draws_only_what_is_new() {
        let mut r = recording();
        r.seek(0.0);
        let _ = work(&mut r);
        r.play(0.0);
        let mut restarts = 0;
        let mut drawn = 0;
        let mut now = 0.0;
        while r.playing() && now < 10_000.0 {
            now += 16.0;
            let flags = r.tick(now);
            let w = work(&mut r);
            assert_eq!(flags & crate::tick::CANVAS != 0, !w.is_empty());
            for x in &w {
                restarts += usize::from(x["restart"] == true);
                drawn += props(x).len();
            }
        }
        // Each canvas starts once (a at its snapshot; b when added, which a new
        // element is anyway, so it needs no restart of its own), and a restarts again
        // at its resize; everything else goes on from what is shown.
        assert!(restarts <= 3, "{restarts} restarts");
        let total: usize = {
            let json = std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../tests/data/pages/canvas.rrweb.json"
            ))
            .unwrap();
            let v: Value = serde_json::from_str(&json).unwrap();
            v.as_array()
                .unwrap()
                .iter()
                .filter(|e| e["data"]["source"] == 9)
                .map(|e| e["data"]["commands"].as_array().unwrap().len())
                .sum()
        };
        // Every recorded command is drawn exactly once while playing.
        assert_eq!(drawn, total);
    }
}
