//! 2D canvas drawing at an instant: which of rrweb's recorded canvas commands give a
//! canvas its pixels at `t`, for renderers that draw (the web player).
//!
//! rrweb records a 2D canvas as the context calls the page made (`fillRect`, a
//! `fillStyle` set, ...) in CanvasMutation events, or, when it samples frames, as a
//! `clearRect` and a `drawImage` of the frame. Its snapshot carries the canvas's image
//! at that moment as `rr_dataURL`. A canvas's pixels at `t` are therefore its last
//! *base* (the image of the latest full snapshot, or of the latest mutation that added
//! the canvas) with every command for it after the base up to `t` drawn on top. rrweb's
//! own player only draws while it plays, so a seek shows stale or empty canvases
//! (PostHog #35219); here every seek gets the exact list.
//!
//! The list can grow without end (an animation redraws 60 times a second), so it is cut
//! where the drawing before cannot show: at the last `reset()`, and at the last
//! `clearRect` that covers the whole canvas with no transform or clip in force. What
//! comes before such a clear still sets the context's state (styles, transforms, the
//! current path), so those commands stay and only the drawing is dropped.
//!
//! The commands stay as recorded (opaque JSON). Which methods and properties may run,
//! and how arguments are rebuilt, is the renderer's allow-list; the library only orders
//! and cuts.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Event, EventKind, Incremental, Json, NodeId, NodeKind, NodeTree};

/// Drawing calls: they change pixels only, so before a full clear they can go.
const DRAWS: &[&str] = &[
    "clearRect",
    "drawImage",
    "fill",
    "fillRect",
    "fillText",
    "putImageData",
    "stroke",
    "strokeRect",
    "strokeText",
];
/// Calls that add to the current path: dead once a later `beginPath` starts a new one.
const PATHS: &[&str] = &[
    "arc",
    "arcTo",
    "bezierCurveTo",
    "closePath",
    "ellipse",
    "lineTo",
    "moveTo",
    "quadraticCurveTo",
    "rect",
    "roundRect",
];

/// Where each canvas's drawing is in a recording.
#[derive(Debug, Clone, Default)]
pub struct CanvasIndex {
    /// Per canvas, the indices of its 2D drawing events, in order.
    draws: BTreeMap<NodeId, Vec<usize>>,
    /// Per canvas, the indices of the events that serialized it again (added it), in
    /// order; the full snapshots are bases for every canvas.
    adds: BTreeMap<NodeId, Vec<usize>>,
    /// Indices of the full snapshots.
    snapshots: Vec<usize>,
    /// Canvases serialized with an image (`rr_dataURL`) at some point.
    imaged: BTreeSet<NodeId>,
    /// Per element, the events that set its `width` or `height`: on a canvas that
    /// clears the bitmap and the context's state, even to the same value (an old idiom
    /// for clearing), which a DOM patch would not show.
    resized: BTreeMap<NodeId, Vec<usize>>,
}

/// What a renderer draws on one canvas to bring it to an instant.
#[derive(Debug, Clone, PartialEq)]
pub struct CanvasDraw<'a> {
    /// Clear the canvas (and its context's state) first.
    pub restart: bool,
    /// On a restart, draw the canvas's recorded image (`rr_dataURL`, if it has one)
    /// before the commands; not when the canvas was resized (cleared) since.
    pub image: bool,
    /// The commands, in order.
    pub commands: Vec<CanvasCommand<'a>>,
}

/// One recorded 2D context call or property set: `{property, args, setter?}`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CanvasCommand<'a>(&'a [(String, Json)]);

impl<'a> CanvasCommand<'a> {
    fn field(&self, k: &str) -> Option<&'a Json> {
        self.0.iter().find(|(n, _)| n == k).map(|(_, v)| v)
    }

    /// The method called or the property set (empty when missing).
    pub fn property(&self) -> &'a str {
        self.field("property").and_then(Json::as_str).unwrap_or("")
    }

    /// The arguments, as rrweb serialized them.
    pub fn args(&self) -> &'a [Json] {
        match self.field("args") {
            Some(Json::Array(a)) => a,
            _ => &[],
        }
    }

    /// A property set (`args[0]` is the value), not a call.
    pub fn setter(&self) -> bool {
        matches!(self.field("setter"), Some(Json::Bool(true)))
    }

    fn num(&self, k: usize) -> Option<f64> {
        self.args()
            .get(k)
            .and_then(Json::as_num)
            .map(|n| n.as_f64())
    }

    /// True when the arguments are the identity matrix `(1, 0, 0, 1, 0, 0)`.
    fn identity_args(&self) -> bool {
        [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
            .iter()
            .enumerate()
            .all(|(k, want)| self.num(k) == Some(*want))
    }

    /// Appends `{"property":..,"args":[..],"setter":..}`, the shape renderers read.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"property\":");
        crate::rrweb::write_json_str_to(self.property(), out);
        out.extend_from_slice(b",\"args\":[");
        for (i, a) in self.args().iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            crate::rrweb::write_json_to(a, out);
        }
        out.extend_from_slice(if self.setter() {
            b"],\"setter\":true}"
        } else {
            b"],\"setter\":false}"
        });
    }
}

/// A canvas mutation's 2D commands: `commands: [...]`, or one command inline (the
/// event's own fields). rrweb 1.x wrote no `type`; `type` 0 is 2D, 1 and 2 are WebGL.
fn commands_2d(fields: &[(String, Json)]) -> impl Iterator<Item = CanvasCommand<'_>> {
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v);
    let is_2d = matches!(get("type"), None | Some(Json::Int(0)));
    let list: &[Json] = match get("commands") {
        Some(Json::Array(list)) if is_2d => list,
        _ => &[],
    };
    let inline = (is_2d && get("commands").is_none() && get("property").is_some())
        .then_some(CanvasCommand(fields));
    list.iter()
        .filter_map(|c| match c {
            Json::Object(f) => Some(CanvasCommand(f)),
            _ => None,
        })
        .chain(inline)
        .filter(|c| !c.property().is_empty())
}

/// Adds event `i` to an ascending list, once.
fn note_event(list: &mut Vec<usize>, i: usize) {
    if list.last() != Some(&i) {
        list.push(i);
    }
}

impl CanvasIndex {
    /// Indexes the canvas drawing of `events` (in the order the replayer applies them).
    pub fn new(events: &[Event]) -> Self {
        let mut index = CanvasIndex::default();
        for (i, e) in events.iter().enumerate() {
            match &e.kind {
                EventKind::FullSnapshot(f) => {
                    index.snapshots.push(i);
                    index.note_canvases(&f.tree, None);
                }
                EventKind::Incremental(Incremental::CanvasMutation(c)) => {
                    index.draws.entry(c.id).or_default().push(i);
                }
                EventKind::Incremental(Incremental::Mutation(m)) => {
                    for add in &m.adds {
                        index.note_canvases(&add.node, Some(i));
                    }
                    for change in &m.attributes {
                        if change
                            .attributes
                            .iter()
                            .any(|a| a.name == "width" || a.name == "height")
                        {
                            note_event(index.resized.entry(change.id).or_default(), i);
                        }
                    }
                }
                _ => {}
            }
        }
        index
    }

    /// Notes the canvases of a serialized tree: those with an image, and (for an add
    /// at event `added`) that they were serialized again there.
    fn note_canvases(&mut self, tree: &NodeTree, added: Option<usize>) {
        for n in tree.iter() {
            let NodeKind::Element {
                tag, attributes, ..
            } = &n.kind
            else {
                continue;
            };
            if !tag.eq_ignore_ascii_case("canvas") {
                continue;
            }
            if attributes.iter().any(|a| a.name == "rr_dataURL") {
                self.imaged.insert(n.id);
            }
            if let Some(i) = added {
                note_event(self.adds.entry(n.id).or_default(), i);
            }
        }
    }

    /// True when no canvas is drawn on or has a recorded image.
    pub fn is_empty(&self) -> bool {
        self.draws.is_empty() && self.imaged.is_empty()
    }

    /// The canvases that are drawn on or have a recorded image, in id order.
    pub fn canvases(&self) -> impl Iterator<Item = NodeId> + '_ {
        let mut drawn = self.draws.keys().copied().peekable();
        let mut imaged = self.imaged.iter().copied().peekable();
        // A merge of the two sorted sets, each id once.
        std::iter::from_fn(move || match (drawn.peek(), imaged.peek()) {
            (Some(&a), Some(&b)) if a == b => {
                imaged.next();
                drawn.next()
            }
            (Some(&a), Some(&b)) if b < a => imaged.next(),
            (Some(_), _) => drawn.next(),
            (None, _) => imaged.next(),
        })
    }

    /// The event index after which `id`'s pixels start afresh before `upto`: the
    /// latest full snapshot or add (from its recorded image) or resize (blank), and
    /// whether it is an image.
    fn base(&self, id: NodeId, upto: usize) -> Option<(usize, bool)> {
        let last_before = |list: &[usize]| {
            let at = list.partition_point(|&i| i < upto);
            at.checked_sub(1).and_then(|k| list.get(k).copied())
        };
        let snap = last_before(&self.snapshots);
        let add = self.adds.get(&id).and_then(|l| last_before(l));
        let image = snap.max(add).map(|i| (i, true));
        let blank = self
            .resized
            .get(&id)
            .and_then(|l| last_before(l))
            .map(|i| (i, false));
        // At one event the image wins: it was taken after the batch's resizes.
        image.max(blank)
    }

    /// The drawing that brings canvas `id` to the state after the first `upto` events.
    ///
    /// `shown` is what the renderer's canvas already shows (the first `shown` events
    /// drawn on it, from its base), or `None` for a canvas just created. When the
    /// canvas was serialized again or resized since, or `shown` is ahead, the answer
    /// restarts. `size` is the canvas's width and height now, which decides what a
    /// clear covers.
    pub fn draw<'a>(
        &self,
        events: &'a [Event],
        id: NodeId,
        shown: Option<usize>,
        upto: usize,
        size: (f64, f64),
    ) -> CanvasDraw<'a> {
        let upto = upto.min(events.len());
        let start = self.base(id, upto);
        let base = start.map(|(i, _)| i);
        let list = self.draws.get(&id).map_or(&[][..], Vec::as_slice);
        let after = |from: Option<usize>| {
            let start = from.map_or(0, |f| list.partition_point(|&i| i <= f));
            let end = list.partition_point(|&i| i < upto);
            list.get(start..end).unwrap_or(&[])
        };
        let go_on = shown.filter(|&s| s <= upto && base.is_none_or(|b| b < s));
        let (restart, picked) = match go_on {
            Some(s) => (false, after(s.checked_sub(1))),
            None => (true, after(base)),
        };
        let mut commands = Vec::new();
        for &i in picked {
            if let Some(Event {
                kind: EventKind::Incremental(Incremental::CanvasMutation(c)),
                ..
            }) = events.get(i)
            {
                commands.extend(commands_2d(&c.fields));
            }
        }
        if restart {
            commands = cut(commands, size);
        }
        CanvasDraw {
            restart,
            image: restart && start.is_none_or(|(_, image)| image),
            commands,
        }
    }
}

/// Cuts a restart's commands where what was drawn before cannot show: after the last
/// `reset()`, and before the last full clear (keeping the context state set before it).
fn cut(commands: Vec<CanvasCommand<'_>>, (w, h): (f64, f64)) -> Vec<CanvasCommand<'_>> {
    let start = commands
        .iter()
        .rposition(|c| c.property() == "reset")
        .map_or(0, |r| r + 1);
    let commands = commands.get(start..).unwrap_or(&[]);
    // Whether a clear now covers the canvas: no transform, no clip (both are saved and
    // restored with the context's state).
    let mut plain = true;
    let mut unclipped = true;
    let mut saved: Vec<(bool, bool)> = Vec::new();
    let mut last_clear = None;
    for (i, c) in commands.iter().enumerate() {
        let arg = |k: usize| c.num(k);
        match c.property() {
            "save" => saved.push((plain, unclipped)),
            "restore" => {
                if let Some((p, u)) = saved.pop() {
                    (plain, unclipped) = (p, u);
                }
            }
            "resetTransform" => plain = true,
            "setTransform" => plain = c.args().len() == 6 && c.identity_args(),
            "translate" => plain &= arg(0) == Some(0.0) && arg(1) == Some(0.0),
            "scale" => plain &= arg(0) == Some(1.0) && arg(1) == Some(1.0),
            "rotate" => plain &= arg(0) == Some(0.0),
            "transform" => plain &= c.identity_args(),
            "clip" => unclipped = false,
            "clearRect" if plain && unclipped => {
                if let (Some(x), Some(y), Some(cw), Some(ch)) = (arg(0), arg(1), arg(2), arg(3))
                    && x <= 0.0
                    && y <= 0.0
                    && x + cw >= w
                    && y + ch >= h
                {
                    last_clear = Some(i);
                }
            }
            _ => {}
        }
    }
    let Some(clear) = last_clear else {
        return commands.to_vec();
    };
    let (before, from_clear) = commands.split_at(clear);
    // Without the clear itself: the renderer starts from a clear canvas.
    let after_clear = from_clear.get(1..).unwrap_or(&[]);
    // Path calls before the last `beginPath` are dead, unless a clip used them.
    let clipped = before.iter().any(|c| c.property() == "clip");
    // And all of them when the drawing after the clear starts a new path before it
    // uses or extends the current one.
    let path_used = |p: &str| PATHS.contains(&p) || matches!(p, "fill" | "stroke" | "clip");
    let fresh_path = after_clear
        .iter()
        .map(|c| c.property())
        .find(|p| *p == "beginPath" || path_used(p))
        == Some("beginPath");
    let path_from = if clipped {
        0
    } else if fresh_path {
        before.len()
    } else {
        before
            .iter()
            .rposition(|c| c.property() == "beginPath")
            .unwrap_or(0)
    };
    let mut out: Vec<CanvasCommand<'_>> = before
        .iter()
        .enumerate()
        .filter(|(i, c)| {
            let p = c.property();
            !DRAWS.contains(&p) && (*i >= path_from || (!PATHS.contains(&p) && p != "beginPath"))
        })
        .map(|(_, c)| *c)
        .collect();
    out.extend_from_slice(after_clear);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Limits, rrweb};

    /// A page with one canvas (id 5) in its snapshot, and events after it.
    fn recording(later: &str) -> Vec<Event> {
        let json = format!(
            r#"[{{"type":4,"data":{{"href":"https://a.test/","width":800,"height":600}},"timestamp":1000}},
            {{"type":2,"data":{{"node":{{"type":0,"id":1,"childNodes":[{{"type":2,"id":2,"tagName":"html","attributes":{{}},"childNodes":[{{"type":2,"id":3,"tagName":"body","attributes":{{}},"childNodes":[{{"type":2,"id":5,"tagName":"canvas","attributes":{{"width":"100","height":"50","rr_dataURL":"data:image/png;base64,AA=="}},"childNodes":[]}}]}}]}}]}},"initialOffset":{{"top":0,"left":0}}}},"timestamp":1001}}
            {later}]"#
        );
        rrweb::read(json.as_bytes(), &Limits::DEFAULT).unwrap()
    }

    fn cmd(t: i64, calls: &str) -> String {
        format!(
            r#",{{"type":3,"data":{{"source":9,"id":5,"type":0,"commands":[{calls}]}},"timestamp":{t}}}"#
        )
    }

    /// A `fillRect`, then `middle` (one event), then a `strokeRect`.
    fn fill_then_stroke(middle: &str) -> Vec<Event> {
        recording(&format!(
            "{}{}{}",
            cmd(1100, r#"{"property":"fillRect","args":[0,0,10,10]}"#),
            middle,
            cmd(1400, r#"{"property":"strokeRect","args":[0,0,10,10]}"#),
        ))
    }

    fn names(d: &CanvasDraw<'_>) -> Vec<String> {
        d.commands.iter().map(|c| c.property().to_owned()).collect()
    }

    #[test]
    fn a_restart_has_everything_since_the_base_and_goes_on_from_what_is_shown() {
        let events = recording(&format!(
            "{}{}{}",
            cmd(
                1100,
                r##"{"property":"fillStyle","args":["#f00"],"setter":true},{"property":"fillRect","args":[0,0,10,10]}"##
            ),
            // The inline form of rrweb 1.x: no `type`, no `commands`.
            r#",{"type":3,"data":{"source":9,"id":5,"property":"strokeRect","args":[1,2,3,4]},"timestamp":1200}"#,
            // WebGL is not drawn here.
            r#",{"type":3,"data":{"source":9,"id":5,"type":1,"property":"clear","args":[16384]},"timestamp":1300}"#,
        ));
        let index = CanvasIndex::new(&events);
        assert_eq!(index.canvases().collect::<Vec<_>>(), [NodeId(5)]);
        let all = index.draw(&events, NodeId(5), None, events.len(), (100.0, 50.0));
        assert!(all.restart);
        assert_eq!(names(&all), ["fillStyle", "fillRect", "strokeRect"]);
        assert!(all.commands[0].setter() && !all.commands[1].setter());
        assert_eq!(all.commands[2].args().len(), 4);
        // Shown up to the first drawing event (index 2 drawn: 3 events): only the rest.
        let more = index.draw(&events, NodeId(5), Some(3), events.len(), (100.0, 50.0));
        assert!(!more.restart);
        assert_eq!(names(&more), ["strokeRect"]);
        // Before any drawing: a restart with nothing but the base image.
        let at_snapshot = index.draw(&events, NodeId(5), None, 2, (100.0, 50.0));
        assert!(at_snapshot.restart && at_snapshot.commands.is_empty());
        // Shown ahead of the instant (a seek back): a restart.
        let back = index.draw(&events, NodeId(5), Some(4), 3, (100.0, 50.0));
        assert!(back.restart);
        assert_eq!(names(&back), ["fillStyle", "fillRect"]);
        // As JSON, in the shape the renderer reads.
        let mut out = vec![b'['];
        for (i, c) in back.commands.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            c.write_json(&mut out);
        }
        out.push(b']');
        let json = String::from_utf8(out).unwrap();
        assert_eq!(
            json,
            r##"[{"property":"fillStyle","args":["#f00"],"setter":true},{"property":"fillRect","args":[0,0,10,10],"setter":false}]"##
        );
    }

    #[test]
    fn a_canvas_with_only_an_image_is_listed() {
        let events = recording("");
        let index = CanvasIndex::new(&events);
        assert!(!index.is_empty());
        assert_eq!(index.canvases().collect::<Vec<_>>(), [NodeId(5)]);
        let d = index.draw(&events, NodeId(5), None, events.len(), (100.0, 50.0));
        assert!(d.restart && d.commands.is_empty());
        assert!(CanvasIndex::new(&events[..1]).is_empty());
    }

    #[test]
    fn a_new_snapshot_or_a_new_add_is_a_new_base() {
        let add = r#",{"type":3,"data":{"source":0,"texts":[],"attributes":[],"removes":[{"parentId":3,"id":5}],"adds":[{"parentId":3,"nextId":null,"node":{"type":2,"id":5,"tagName":"canvas","attributes":{"rr_dataURL":"data:image/png;base64,AQ=="},"childNodes":[]}}]},"timestamp":1300}"#;
        let events = fill_then_stroke(add);
        let index = CanvasIndex::new(&events);
        let end = index.draw(&events, NodeId(5), None, events.len(), (100.0, 50.0));
        assert_eq!(names(&end), ["strokeRect"]);
        // Shown before the add: the add restarts it.
        let over = index.draw(&events, NodeId(5), Some(3), events.len(), (100.0, 50.0));
        assert!(over.restart);
        assert_eq!(names(&over), ["strokeRect"]);
        // Shown after the add: it goes on.
        let on = index.draw(&events, NodeId(5), Some(4), events.len(), (100.0, 50.0));
        assert!(!on.restart);
        assert_eq!(names(&on), ["strokeRect"]);
    }

    #[test]
    fn a_resize_clears_the_canvas_even_to_the_same_size() {
        let resize = r#",{"type":3,"data":{"source":0,"texts":[],"attributes":[{"id":5,"attributes":{"width":"100"}}],"removes":[],"adds":[]},"timestamp":1300}"#;
        let events = fill_then_stroke(resize);
        let index = CanvasIndex::new(&events);
        let end = index.draw(&events, NodeId(5), None, events.len(), (100.0, 50.0));
        assert!(end.restart && !end.image);
        assert_eq!(names(&end), ["strokeRect"]);
        // Playing over the resize restarts too, blank.
        let over = index.draw(&events, NodeId(5), Some(3), events.len(), (100.0, 50.0));
        assert!(over.restart && !over.image);
        // Before it, the recorded image is the base.
        let before = index.draw(&events, NodeId(5), None, 3, (100.0, 50.0));
        assert!(before.restart && before.image);
        assert_eq!(names(&before), ["fillRect"]);
    }

    #[test]
    fn drawing_before_a_full_clear_goes_but_the_context_state_stays() {
        let frame = |x: i32| {
            format!(
                r##"{{"property":"clearRect","args":[0,0,100,50]}},{{"property":"beginPath","args":[]}},{{"property":"arc","args":[{x},20,5,0,6.3]}},{{"property":"fill","args":[]}}"##
            )
        };
        let events = recording(&format!(
            "{}{}{}{}",
            cmd(
                1100,
                r##"{"property":"fillStyle","args":["#0a0"],"setter":true},{"property":"lineWidth","args":[3],"setter":true}"##
            ),
            cmd(1200, &frame(10)),
            cmd(1300, &frame(20)),
            cmd(1400, &frame(30)),
        ));
        let index = CanvasIndex::new(&events);
        let d = index.draw(&events, NodeId(5), None, events.len(), (100.0, 50.0));
        assert!(d.restart);
        // The styles stay, the two earlier frames go, the last frame is drawn whole.
        assert_eq!(
            names(&d),
            ["fillStyle", "lineWidth", "beginPath", "arc", "fill"]
        );
        assert_eq!(d.commands[3].args()[0], Json::Int(30));
        // On a bigger canvas the same clear is not full: nothing is cut.
        let big = index.draw(&events, NodeId(5), None, events.len(), (200.0, 50.0));
        assert_eq!(big.commands.len(), 2 + 3 * 4);
    }

    #[test]
    fn a_clear_under_a_transform_or_a_clip_cuts_nothing_and_reset_cuts_all() {
        let clear = r#"{"property":"clearRect","args":[0,0,100,50]}"#;
        let draw = r#"{"property":"fillRect","args":[0,0,5,5]}"#;
        let cases = [
            (
                format!(r#"{draw},{{"property":"scale","args":[2,2]}},{clear},{draw}"#),
                4,
            ),
            (
                format!(
                    r#"{draw},{{"property":"rect","args":[0,0,5,5]}},{{"property":"clip","args":[]}},{clear},{draw}"#
                ),
                5,
            ),
            // A transform undone by restore, or by setTransform to identity, does not count.
            (
                format!(
                    r#"{draw},{{"property":"save","args":[]}},{{"property":"rotate","args":[1]}},{{"property":"restore","args":[]}},{clear},{draw}"#
                ),
                4,
            ),
            (
                format!(
                    r#"{draw},{{"property":"translate","args":[3,3]}},{{"property":"setTransform","args":[1,0,0,1,0,0]}},{clear},{draw}"#
                ),
                3,
            ),
            (
                format!(r#"{draw},{{"property":"reset","args":[]}},{draw}"#),
                1,
            ),
        ];
        for (calls, want) in cases {
            let events = recording(&cmd(1100, &calls));
            let index = CanvasIndex::new(&events);
            let d = index.draw(&events, NodeId(5), None, events.len(), (100.0, 50.0));
            assert_eq!(d.commands.len(), want, "{calls}: {:?}", names(&d));
        }
    }

    #[test]
    fn hostile_shapes_are_skipped_not_trusted() {
        let events = recording(&format!(
            "{}{}{}",
            r#",{"type":3,"data":{"source":9,"id":5,"type":0,"commands":[1,"x",null,{"args":[]},{"property":"fillRect","args":"nope"}]},"timestamp":1100}"#,
            r#",{"type":3,"data":{"source":9,"id":5,"type":"0","commands":[{"property":"fillRect","args":[]}]},"timestamp":1200}"#,
            r#",{"type":3,"data":{"source":9,"id":9,"type":0,"commands":{"property":"fillRect"}},"timestamp":1300}"#,
        ));
        let index = CanvasIndex::new(&events);
        let d = index.draw(&events, NodeId(5), None, events.len(), (100.0, 50.0));
        // Only the object with a property; its bad args read as none.
        assert_eq!(names(&d), ["fillRect"]);
        assert!(d.commands[0].args().is_empty());
        let none = index.draw(&events, NodeId(9), None, usize::MAX, (f64::NAN, -1.0));
        assert!(none.commands.is_empty());
        // Unknown canvases and out-of-range positions answer, never panic.
        let _ = index.draw(&events, NodeId(77), Some(usize::MAX), 0, (0.0, 0.0));
    }
}
