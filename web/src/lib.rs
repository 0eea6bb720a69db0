//! The browser bindings of `session-replay`: a [`Replay`] that the JavaScript player
//! drives (load, seek, play, tick) and that hands back DOM patches to apply, and a
//! [`recorder::Recording`] that the JavaScript recorder feeds with what it observed.
//!
//! The library stays pure and free of wasm-bindgen; this crate only adapts it. What a
//! patch is and how it is found is the library's [`DomPatcher`]; the words it is sent
//! as are [`ops`]; the timeline markers are [`markers`]. `web/build` compiles this crate
//! to wasm, runs `wasm-bindgen --target no-modules`, and bundles the result with
//! `web/js/` into `web/dist/session-replay.js`.
//!
//! Time crosses the boundary as milliseconds from the recording's first event (what
//! the player shows), and the host's clock as `performance.now()` milliseconds.

pub mod canvas;
pub mod markers;
pub mod ops;
pub mod record_options;
pub mod recorder;

use session_replay::replay::{
    DomPatcher, Inactivity, Player, PlayerOutput, ReplayConfig, Replayer,
};
use session_replay::{Limits, Millis, Timestamp, codec, rrweb};
use wasm_bindgen::prelude::*;

use ops::OpWriter;

/// Flags [`Replay::tick`] returns.
pub mod tick {
    /// Playback reached the end and paused.
    pub const FINISHED: u32 = 1;
    /// Playback jumped over a stretch without interaction.
    pub const SKIPPED: u32 = 2;
    /// The page changed: a patch is waiting ([`super::Replay::ops`]).
    pub const PATCHED: u32 = 4;
    /// Canvases are to be drawn on ([`super::Replay::canvas_work`]).
    pub const CANVAS: u32 = 8;
}

/// A loaded recording with its player clock and the patch state of one rendered view.
#[wasm_bindgen]
pub struct Replay {
    player: Player,
    patcher: DomPatcher,
    ops: OpWriter,
    start: i64,
    end: i64,
    markers: String,
    problems: Vec<String>,
    first_frame: i64,
    canvas: canvas::CanvasTracker,
    /// The canvas work of the last patch (JSON; empty when none).
    canvas_work: String,
}

fn js_err(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

impl Replay {
    fn new(events: Vec<session_replay::Event>, problems: Vec<String>) -> Result<Replay, String> {
        let replayer = Replayer::new(events, ReplayConfig::default());
        let Some((start, end)) = replayer.time_range() else {
            return Err("the recording holds no event".into());
        };
        let markers = markers::markers_json(replayer.events(), start);
        let canvas = canvas::CanvasTracker::new(replayer.events());
        // The first frame worth showing: the first full snapshot (before it there is no
        // page), else the start.
        let first_frame = replayer
            .events()
            .iter()
            .find(|e| matches!(e.kind, session_replay::EventKind::FullSnapshot(_)))
            .map_or(start.0, |e| e.timestamp.0.clamp(start.0, end.0));
        let mut player = Player::new(replayer);
        player.seek(start);
        Ok(Replay {
            player,
            patcher: DomPatcher::new(),
            ops: OpWriter::default(),
            start: start.0,
            end: end.0,
            markers,
            problems,
            first_frame,
            canvas,
            canvas_work: String::new(),
        })
    }

    /// Reads rrweb JSON (an array of events): the valid part plays, the rest is
    /// reported in [`Replay::problems`].
    pub fn read_json(bytes: &[u8]) -> Result<Replay, String> {
        let rec = rrweb::read_recovering(bytes, &Limits::DEFAULT);
        let problems = rec.errors.iter().map(ToString::to_string).collect();
        Replay::new(rec.events, problems)
    }

    /// Reads the crate's binary format: intact chunks play, damage is reported with
    /// the time it covers.
    pub fn read_binary(bytes: &[u8]) -> Result<Replay, String> {
        let rec = codec::decode(bytes, &Limits::DEFAULT);
        let start = rec.events.first().map(|e| e.timestamp);
        let problems = rec.errors.iter().map(|e| loss_text(e, start)).collect();
        Replay::new(rec.events, problems)
    }

    /// Finds the patch, and the canvas drawing that goes with it.
    fn patch(&mut self) -> bool {
        self.ops.clear();
        self.patcher.patch(self.player.state(), &mut self.ops);
        let events = self.player.replayer().events();
        let at = self.player.position();
        let upto = events.partition_point(|e| e.timestamp <= at);
        self.canvas_work = self.canvas.work(
            self.player.state(),
            events,
            upto,
            self.ops.reset,
            &self.ops.new_canvases,
        );
        !self.ops.words.is_empty()
    }

    fn drain(&mut self) -> u32 {
        let mut flags = 0;
        while let Some(out) = self.player.poll_output() {
            match out {
                PlayerOutput::Finished => flags |= tick::FINISHED,
                PlayerOutput::SkippedInactivity { .. } => flags |= tick::SKIPPED,
                _ => {}
            }
        }
        flags
    }
}

/// A decoding problem as the person watching reads it: a loss as the stretch of the
/// timeline it covers (`m:ss.s`, from the first event), everything else as the codec
/// words it.
fn loss_text(e: &session_replay::CodecError, start: Option<Timestamp>) -> String {
    let at = |t: Timestamp| {
        let ms = start.map_or(0, |s| t.0.saturating_sub(s.0).max(0));
        format!("{}:{:04.1}", ms / 60_000, (ms % 60_000) as f64 / 1000.0)
    };
    match e {
        session_replay::CodecError::Lost {
            chunk,
            last_chunk,
            after,
            until,
        } => {
            let from = after.map_or_else(|| "the start".to_owned(), at);
            let to = until.map_or_else(|| "the end".to_owned(), at);
            format!("events lost from {from} to {to} (chunks {chunk} to {last_chunk})")
        }
        other => other.to_string(),
    }
}

#[wasm_bindgen]
impl Replay {
    /// Loads rrweb JSON bytes.
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(bytes: &[u8]) -> Result<Replay, JsError> {
        Replay::read_json(bytes).map_err(js_err)
    }

    /// Loads the crate's binary format.
    #[wasm_bindgen(js_name = fromBinary)]
    pub fn from_binary(bytes: &[u8]) -> Result<Replay, JsError> {
        Replay::read_binary(bytes).map_err(js_err)
    }

    /// Loads either: the binary format by its magic, JSON otherwise.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: &[u8]) -> Result<Replay, JsError> {
        let json = bytes
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|&b| b == b'[' || b == b'{');
        if json {
            Replay::from_json(bytes)
        } else {
            Replay::from_binary(bytes)
        }
    }

    /// Milliseconds from the first event to the last.
    #[wasm_bindgen(getter)]
    pub fn duration(&self) -> f64 {
        // Saturating: a hostile recording may span the whole i64 range.
        self.end.saturating_sub(self.start).max(0) as f64
    }

    /// The first event's time (epoch ms).
    #[wasm_bindgen(getter, js_name = startTime)]
    pub fn start_time(&self) -> f64 {
        self.start as f64
    }

    /// Where the page first exists (the first full snapshot), in ms from the first event.
    #[wasm_bindgen(getter, js_name = firstFrame)]
    pub fn first_frame(&self) -> f64 {
        self.first_frame.saturating_sub(self.start).max(0) as f64
    }

    /// The position, in milliseconds from the first event.
    #[wasm_bindgen(getter)]
    pub fn position(&self) -> f64 {
        self.player.position().0.saturating_sub(self.start).max(0) as f64
    }

    /// Whether the clock runs.
    #[wasm_bindgen(getter)]
    pub fn playing(&self) -> bool {
        self.player.is_playing()
    }

    /// Moves to `offset_ms` from the first event; returns true when a patch waits.
    pub fn seek(&mut self, offset_ms: f64) -> bool {
        let off = if offset_ms.is_finite() {
            offset_ms.min(self.duration()).max(0.0) as i64
        } else {
            0
        };
        self.player.seek(Timestamp(self.start.saturating_add(off)));
        self.drain();
        self.patch()
    }

    /// Starts the clock at the host's `now` (ms).
    pub fn play(&mut self, now: f64) {
        if self.player.position().0 >= self.end {
            self.player.seek(Timestamp(self.start));
        }
        self.player.play(Timestamp(now as i64));
    }

    /// Stops the clock.
    pub fn pause(&mut self) {
        self.player.pause();
    }

    /// Playback speed (1, 2, 4, 8, ...).
    #[wasm_bindgen(js_name = setSpeed)]
    pub fn set_speed(&mut self, speed: f64) {
        if speed.is_finite() && speed > 0.0 {
            self.player.set_speed(speed);
        }
    }

    /// Skip stretches without interaction longer than `ms` (0: play them).
    #[wasm_bindgen(js_name = setSkipInactivity)]
    pub fn set_skip_inactivity(&mut self, ms: f64) {
        let inactivity = if ms.is_finite() && ms >= 1.0 {
            Inactivity::SkipOver(Millis(ms as i64))
        } else {
            Inactivity::Play
        };
        self.player.set_inactivity(inactivity);
    }

    /// Advances the clock to the host's `now` (ms); returns [`tick`] flags.
    pub fn tick(&mut self, now: f64) -> u32 {
        self.player.tick(Timestamp(now as i64));
        let mut flags = self.drain();
        if self.patch() {
            flags |= tick::PATCHED;
        }
        if !self.canvas_work.is_empty() {
            flags |= tick::CANVAS;
        }
        flags
    }

    /// When the clock next has something to show (host ms), or -1.
    #[wasm_bindgen(js_name = nextWake)]
    pub fn next_wake(&self) -> f64 {
        self.player.poll_timeout().map_or(-1.0, |t| t.0 as f64)
    }

    /// The waiting patch's operations (see `ops`), then empty until the next patch.
    pub fn ops(&mut self) -> Vec<u32> {
        std::mem::take(&mut self.ops.words)
    }

    /// The canvas drawing that goes with the last patch, as JSON (see [`canvas`]), then
    /// empty until the next; empty when there is none. Draw it after the patch.
    #[wasm_bindgen(js_name = canvasWork)]
    pub fn canvas_work(&mut self) -> String {
        std::mem::take(&mut self.canvas_work)
    }

    /// The waiting patch's strings.
    pub fn strings(&mut self) -> String {
        std::mem::take(&mut self.ops.text)
    }

    /// Whether patches reuse nodes that leave for new ones of the same shape (on by
    /// default; off only to compare the two).
    #[wasm_bindgen(js_name = setNodeReuse)]
    pub fn set_node_reuse(&mut self, on: bool) {
        self.patcher.set_reuse(on);
    }

    /// Forgets what was rendered: the next patch rebuilds the page (a new view).
    #[wasm_bindgen(js_name = rebuild)]
    pub fn rebuild(&mut self) -> bool {
        self.patcher.forget();
        self.patch()
    }

    /// The pointer at the position, `[x, y]` in recorded CSS pixels, or empty.
    pub fn pointer(&self) -> Vec<f64> {
        let t = self.player.position();
        self.player
            .replayer()
            .pointer_at(t)
            .map_or_else(Vec::new, |(x, y)| vec![x, y])
    }

    /// The last click before the position: `[x, y, ms before the position]`, or empty.
    #[wasm_bindgen(js_name = lastClick)]
    pub fn last_click(&self) -> Vec<f64> {
        let Some(c) = self.player.state().last_click() else {
            return Vec::new();
        };
        let (Some(x), Some(y)) = (c.x, c.y) else {
            return Vec::new();
        };
        let ago = self.player.position().0.saturating_sub(c.at.0).max(0);
        vec![x, y, ago as f64]
    }

    /// Timeline markers, as JSON (see [`markers::markers_json`]).
    pub fn markers(&self) -> String {
        self.markers.clone()
    }

    /// What could not be read, one message per problem (positions, never values).
    pub fn problems(&self) -> Vec<String> {
        self.problems.clone()
    }

    /// Nodes in the page at the position.
    #[wasm_bindgen(getter, js_name = nodeCount)]
    pub fn node_count(&self) -> usize {
        self.player.state().node_count()
    }

    /// The opcodes, as `NAME=code` pairs joined by commas (checked by the applier).
    pub fn opcodes() -> String {
        ops::OPCODES
            .iter()
            .map(|(n, c)| format!("{n}={c}"))
            .collect::<Vec<_>>()
            .join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use session_replay::EventCount;
    use session_replay::codec::EncoderConfig;

    #[test]
    fn a_damaged_stream_plays_what_is_intact_and_says_when_the_loss_is() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/data/corpus/login.raw.json"
        );
        let events = rrweb::read(&std::fs::read(path).unwrap(), &Limits::DEFAULT).unwrap();
        let config = EncoderConfig::default().with_keyframe_every(
            EventCount(20),
            Millis::seconds(3),
            1 << 20,
        );
        let mut bin = codec::encode(&events, config);
        let whole = Replay::read_binary(&bin).unwrap();
        assert!(whole.problems.is_empty());
        let at = bin.len() * 3 / 4;
        for b in bin.iter_mut().skip(at).take(16) {
            *b ^= 0x5a;
        }
        let mut damaged = Replay::read_binary(&bin).unwrap();
        assert_eq!(damaged.duration(), whole.duration());
        let lost: Vec<&String> = damaged
            .problems
            .iter()
            .filter(|p| p.starts_with("events lost"))
            .collect();
        assert_eq!(lost.len(), 1, "{:?}", damaged.problems);
        // "events lost from 0:18.2 to 0:21.4 (chunks 8 to 8)": offsets, not epoch times.
        assert!(
            lost[0].contains(" from 0:") && lost[0].contains(" to 0:"),
            "{}",
            lost[0]
        );
        // The intact part plays: the page is there at the end.
        assert!(damaged.seek(damaged.duration()));
        assert!(damaged.node_count() > 50);
    }

    #[test]
    fn hostile_timestamps_do_not_trap() {
        let json = format!(
            r#"[{{"type":4,"data":{{"href":"https://a.test/","width":1,"height":1}},"timestamp":{}}},
               {{"type":3,"data":{{"source":5,"text":"a","isChecked":false,"id":7}},"timestamp":{}}},
               {{"type":3,"data":{{"source":5,"text":"b","isChecked":false,"id":7}},"timestamp":{}}}]"#,
            i64::MIN,
            i64::MAX,
            i64::MAX
        );
        let mut r = Replay::read_json(json.as_bytes()).unwrap();
        assert!(r.duration() >= 0.0);
        r.seek(f64::MAX);
        r.seek(f64::NAN);
        r.seek(-1.0);
        assert!(r.position() >= 0.0);
        r.play(0.0);
        r.tick(f64::MAX);
        let _ = r.markers();
    }

    #[test]
    fn json_and_binary_are_told_apart() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/data/corpus/login.raw.json"
        );
        let json = std::fs::read(path).unwrap();
        let events = rrweb::read(&json, &Limits::DEFAULT).unwrap();
        let bin = codec::encode(&events, EncoderConfig::default());
        let (a, b) = (
            Replay::read_json(&json).unwrap(),
            Replay::read_binary(&bin).unwrap(),
        );
        assert_eq!(a.duration(), b.duration());
        assert_eq!(a.markers, b.markers);
        assert!(Replay::read_json(b"[]").is_err());
    }
}
