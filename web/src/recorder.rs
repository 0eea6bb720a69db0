//! The recorder's bindings: a [`Recording`] that the JavaScript glue feeds with what it
//! observed in the page, as one batch of commands per call, and that hands back masked
//! rrweb events (and encoded chunks).
//!
//! Why batches of numbers and one string: a call across the wasm boundary copies each
//! string once, and a 10,000-row table is 110,000 nodes. The glue writes every
//! observation as numbers into one `Float64Array` and every string into one joined
//! string, with the strings' lengths (UTF-16 units, what JavaScript counts) among the
//! numbers; `Feed` reads them back. A malformed batch stops at the bad command and
//! is reported; what came before it stands.
//!
//! The commands (first number of each; `t` is the page's epoch time in ms, `key` the
//! glue's number for a node, `s` a string):
//!
//! | code | command | operands |
//! | ---: | --- | --- |
//! | 1 | page | t, width, height, s href |
//! | 2 | snapshot | t, tree |
//! | 3 | mutations | t, n, n × record |
//! | 4 | pointer move | t, source (0 mouse, 1 touch, 2 drag), key, x, y |
//! | 5 | interaction | t, rrweb MouseInteractions code, key, x, y |
//! | 6 | focus | t, key |
//! | 7 | blur | t, key |
//! | 8 | scroll | t, key, x, y |
//! | 9 | viewport | t, width, height |
//! | 10 | input | t, key, checked (0/1), s value |
//! | 11 | selection | t, n, n × (start key, offset, end key, offset) |
//! | 12 | tick | t |
//! | 13 | keyframe | t |
//! | 14 | custom | t, s tag, s payload JSON |
//! | 15 | sheet edit | t, owner (0 node, 1 constructed sheet), key, edit |
//! | 16 | adoption | t, host key (the document's or the shadow host's), n, n × sheet |
//! | 17 | flush (the page is hidden or going away) | t |
//! | 18 | location (the URL changed within the document: no event, the next keyframe's Meta says it) | t, s href |
//!
//! A tree is `n`, then per node in pre-order: key, parent index (-1 for the root),
//! flags (1: child of its parent's shadow root), kind (0 document, 1 doctype `s`,
//! 2 element `s tag, m, m × (s name, s value)`, 3 text `s`, 4 comment `s`). A mutation
//! record is 1 (children: target, next sibling key or -1, a added trees, r removed
//! keys), 2 (attribute: target, s name, has value (0/1), [s value]) or 3 (text:
//! target, s value).
//!
//! A sheet edit is 1 (insert: path, s rule), 2 (delete: path), 3 (replace: sync (0/1),
//! s text), 4 (set a declaration: path, s property, s value, s priority) or 5 (remove
//! one: path, s property); a path is `n, n × index`. An adopted sheet is its key, then
//! 0, or 1 and `m, m × s rule` (its rules, the first time the glue hands it over).

use session_replay::model::{Json, MouseInteractionKind, Timestamp};
use session_replay::privacy::{Policy, PrivacySignal};
use session_replay::record::{
    AdoptedSheet, HostIndex, HostKey, HostKind, HostSheet, HostTree, HostTreeNode, MutationRecord,
    Recorder, RecorderConfig, SheetEdit,
};
use session_replay::{EventCount, Millis, codec, rrweb};
use wasm_bindgen::prelude::*;

use crate::record_options::Options;

/// Reads one batch of commands: numbers and the strings they measure.
struct Feed<'a> {
    nums: &'a [f64],
    at: usize,
    text: &'a str,
    /// Byte position in `text`.
    pos: usize,
}

/// Where a batch went wrong: the command's index and what was wrong.
#[derive(Debug)]
struct BadFeed(&'static str);

type Read<T> = Result<T, BadFeed>;

impl<'a> Feed<'a> {
    fn num(&mut self) -> Read<f64> {
        let v = *self
            .nums
            .get(self.at)
            .ok_or(BadFeed("the numbers end early"))?;
        self.at += 1;
        Ok(v)
    }

    /// A count or index: finite, whole, non-negative and at most `max`.
    fn count(&mut self, max: usize) -> Read<usize> {
        let v = self.num()?;
        if !(v >= 0.0 && v.fract() == 0.0 && v <= max as f64) {
            return Err(BadFeed("a count is out of range"));
        }
        Ok(v as usize)
    }

    fn time(&mut self) -> Read<Timestamp> {
        let v = self.num()?;
        if !v.is_finite() {
            return Err(BadFeed("a time is not finite"));
        }
        // Saturating: the page's clock is the page's, and i64 holds any sane one.
        Ok(Timestamp(v as i64))
    }

    fn key(&mut self) -> Read<HostKey> {
        let v = self.num()?;
        if !(v >= 0.0 && v.fract() == 0.0 && v < 9.0e15) {
            return Err(BadFeed("a node key is out of range"));
        }
        Ok(HostKey(v as u64))
    }

    fn opt_key(&mut self) -> Read<Option<HostKey>> {
        if self.nums.get(self.at) == Some(&-1.0) {
            self.at += 1;
            return Ok(None);
        }
        self.key().map(Some)
    }

    /// A string, measured in UTF-16 units (JavaScript's `length`).
    fn str(&mut self) -> Read<&'a str> {
        let units = self.count(usize::MAX >> 1)?;
        let rest = &self.text[self.pos..];
        let mut seen = 0;
        let mut end = 0;
        // Fast path: ASCII is one unit per byte.
        let bytes = rest.as_bytes();
        while seen < units && end < bytes.len() && bytes[end] < 0x80 {
            seen += 1;
            end += 1;
        }
        if seen < units {
            for c in rest[end..].chars() {
                if seen >= units {
                    break;
                }
                seen += c.len_utf16();
                end += c.len_utf8();
            }
        }
        if seen != units {
            return Err(BadFeed("a string runs past the text"));
        }
        self.pos += end;
        Ok(&rest[..end])
    }

    fn tree(&mut self) -> Read<HostTree> {
        // Each node takes at least four numbers: the count is bounded by what is left.
        let n = self.count((self.nums.len() - self.at) / 4)?;
        let mut nodes = Vec::with_capacity(n);
        for i in 0..n {
            let key = self.key()?;
            let parent = self.num()?;
            let parent = if parent == -1.0 {
                None
            } else if parent >= 0.0 && parent.fract() == 0.0 && (parent as usize) < i {
                Some(HostIndex(parent as usize))
            } else {
                return Err(BadFeed("a parent index does not come before its child"));
            };
            let flags = self.num()?;
            let kind = match self.num()? as i64 {
                0 => HostKind::Document,
                1 => HostKind::Doctype {
                    name: self.str()?.to_owned(),
                },
                2 => {
                    let tag = self.str()?.to_owned();
                    let m = self.count((self.nums.len() - self.at) / 2)?;
                    let mut attributes = Vec::with_capacity(m);
                    for _ in 0..m {
                        let name = self.str()?.to_owned();
                        let value = self.str()?.to_owned();
                        attributes.push((name, value));
                    }
                    HostKind::Element { tag, attributes }
                }
                3 => HostKind::Text(self.str()?.to_owned()),
                4 => HostKind::Comment(self.str()?.to_owned()),
                _ => return Err(BadFeed("an unknown node kind")),
            };
            nodes.push(HostTreeNode {
                key,
                parent,
                kind,
                in_shadow: flags == 1.0,
            });
        }
        Ok(HostTree { nodes })
    }

    /// A rule path: `n, n × index`, each a whole non-negative number.
    fn path(&mut self) -> Read<Vec<i64>> {
        let n = self.count(self.nums.len() - self.at)?;
        let mut path = Vec::with_capacity(n);
        for _ in 0..n {
            path.push(self.count(u32::MAX as usize)? as i64);
        }
        Ok(path)
    }

    fn sheet_edit(&mut self) -> Read<SheetEdit> {
        Ok(match self.num()? as i64 {
            1 => SheetEdit::Insert {
                path: self.path()?,
                rule: self.str()?.to_owned(),
            },
            2 => SheetEdit::Delete { path: self.path()? },
            3 => {
                let sync = self.num()? == 1.0;
                SheetEdit::Replace {
                    text: self.str()?.to_owned(),
                    sync,
                }
            }
            4 => SheetEdit::SetProperty {
                path: self.path()?,
                property: self.str()?.to_owned(),
                value: self.str()?.to_owned(),
                priority: self.str()?.to_owned(),
            },
            5 => SheetEdit::RemoveProperty {
                path: self.path()?,
                property: self.str()?.to_owned(),
            },
            _ => return Err(BadFeed("an unknown sheet edit")),
        })
    }

    fn record(&mut self) -> Read<MutationRecord> {
        Ok(match self.num()? as i64 {
            1 => {
                let target = self.key()?;
                let next_sibling = self.opt_key()?;
                let a = self.count(self.nums.len() - self.at)?;
                let mut added = Vec::with_capacity(a);
                for _ in 0..a {
                    added.push(self.tree()?);
                }
                let r = self.count(self.nums.len() - self.at)?;
                let mut removed = Vec::with_capacity(r);
                for _ in 0..r {
                    removed.push(self.key()?);
                }
                MutationRecord::ChildList {
                    target,
                    added,
                    removed,
                    next_sibling,
                }
            }
            2 => {
                let target = self.key()?;
                let name = self.str()?.to_owned();
                let value = if self.num()? == 1.0 {
                    Some(self.str()?.to_owned())
                } else {
                    None
                };
                MutationRecord::Attributes {
                    target,
                    name,
                    old_value: None,
                    value,
                }
            }
            3 => {
                let target = self.key()?;
                MutationRecord::CharacterData {
                    target,
                    old_value: None,
                    value: self.str()?.to_owned(),
                }
            }
            _ => return Err(BadFeed("an unknown mutation record")),
        })
    }
}

/// A recording in progress: the library's [`Recorder`] with the options the page gave.
#[wasm_bindgen]
pub struct Recording {
    rec: Recorder,
    /// Whether `stop` was called: later commands are ignored.
    stopped: bool,
    /// Commands refused (malformed batches), for `problems`.
    problems: Vec<String>,
}

#[wasm_bindgen]
impl Recording {
    /// A recording with the options (rrweb's `record()` options that concern the
    /// recorder, as JSON; see `record_options.rs`) and whether the visitor's browser
    /// sends Global Privacy Control.
    #[wasm_bindgen(constructor)]
    pub fn new(options_json: &str, gpc: bool) -> Result<Recording, JsError> {
        Recording::with_options(options_json, gpc).map_err(|e| JsError::new(&e))
    }
}

impl Recording {
    /// [`Recording::new`], with the error as text (JsError exists only in wasm).
    pub fn with_options(options_json: &str, gpc: bool) -> Result<Recording, String> {
        let options = Options::parse(options_json)?;
        let policy: Policy = options.policy()?;
        let mut config = RecorderConfig::new()
            .with_pointer_sample(Millis(options.mousemove_ms))
            .with_scroll_throttle(Millis(options.scroll_ms))
            .with_keyframe_every(
                EventCount(options.checkout_every_nth),
                Millis(options.checkout_every_ms),
            )
            .with_max_events_per_sec(EventCount(options.max_events_per_sec))
            .with_max_bytes_per_sec(options.max_bytes_per_sec);
        if gpc {
            config = config.with_privacy_signal(PrivacySignal::GlobalPrivacyControl);
        }
        if options.chunks {
            config = config.with_encoding(codec::EncoderConfig::default());
        }
        let mut rec = Recorder::new(policy, config);
        if !options.consent_required {
            // `record({ emit })` starts at once, as rrweb's does: the page decided.
            // Global Privacy Control still refuses.
            rec.grant_consent();
        }
        Ok(Recording {
            rec,
            stopped: false,
            problems: Vec::new(),
        })
    }
}

#[wasm_bindgen]
impl Recording {
    /// Feeds one batch of commands (see the module's table). Returns false when the
    /// batch was malformed: the commands before the bad one were applied.
    pub fn feed(&mut self, nums: &[f64], text: &str) -> bool {
        if self.stopped {
            return true;
        }
        let mut f = Feed {
            nums,
            at: 0,
            text,
            pos: 0,
        };
        let mut index = 0;
        while f.at < nums.len() {
            if let Err(BadFeed(why)) = self.command(&mut f) {
                // Position only: the command's index, never what it carried.
                self.problems.push(format!("command {index}: {why}"));
                return false;
            }
            index += 1;
        }
        true
    }

    fn command(&mut self, f: &mut Feed) -> Read<()> {
        let op = f.num()? as i64;
        let t = f.time()?;
        let rec = &mut self.rec;
        match op {
            1 => {
                let (w, h) = (f.num()?, f.num()?);
                rec.page(f.str()?, w, h, t);
            }
            2 => {
                let tree = f.tree()?;
                rec.snapshot(&tree, t);
            }
            3 => {
                let n = f.count(f.nums.len() - f.at)?;
                let mut records = Vec::with_capacity(n);
                for _ in 0..n {
                    records.push(f.record()?);
                }
                rec.mutations(&records, t);
            }
            4 => {
                let source = f.num()?;
                let key = f.key()?;
                let (x, y) = (f.num()?, f.num()?);
                match source as i64 {
                    1 => rec.touch_move(key, x, y, t),
                    2 => rec.drag_move(key, x, y, t),
                    _ => rec.pointer_move(key, x, y, t),
                }
            }
            5 => {
                let code = f.num()? as i64;
                let key = f.key()?;
                let (x, y) = (f.num()?, f.num()?);
                rec.pointer_interaction(MouseInteractionKind::from_code(code), key, x, y, t);
            }
            6 => rec.focus(f.key()?, t),
            7 => rec.blur(f.key()?, t),
            8 => {
                let key = f.key()?;
                let (x, y) = (f.num()?, f.num()?);
                rec.scroll(key, x, y, t);
            }
            9 => {
                let (w, h) = (f.num()?, f.num()?);
                rec.viewport(w, h, t);
            }
            10 => {
                let key = f.key()?;
                let checked = f.num()? == 1.0;
                rec.input(key, f.str()?, checked, t);
            }
            11 => {
                let n = f.count((f.nums.len() - f.at) / 4)?;
                let mut ranges = Vec::with_capacity(n);
                for _ in 0..n {
                    let s = f.key()?;
                    let so = f.num()?;
                    let e = f.key()?;
                    let eo = f.num()?;
                    ranges.push((s, so as i64, e, eo as i64));
                }
                rec.selection(&ranges, t);
            }
            12 => rec.tick(t),
            13 => rec.keyframe(t),
            17 => rec.flush(t),
            18 => rec.location(f.str()?),
            14 => {
                let tag = f.str()?;
                let payload = f.str()?;
                let payload: Json = serde_json::from_str(payload)
                    .map_err(|_| BadFeed("a custom payload is not JSON"))?;
                rec.custom(tag, payload, t);
            }
            15 => {
                let owner = f.num()?;
                let key = f.key()?;
                let sheet = match owner as i64 {
                    0 => HostSheet::Node(key),
                    1 => HostSheet::Constructed(key),
                    _ => return Err(BadFeed("an unknown sheet owner")),
                };
                let edit = f.sheet_edit()?;
                rec.sheet_edit(sheet, &edit, t);
            }
            16 => {
                let host = f.key()?;
                let n = f.count((f.nums.len() - f.at) / 2)?;
                let mut sheets = Vec::with_capacity(n);
                for _ in 0..n {
                    let key = f.key()?;
                    let rules = match f.num()? as i64 {
                        0 => None,
                        1 => {
                            let m = f.count(f.nums.len() - f.at)?;
                            let mut rules = Vec::with_capacity(m);
                            for _ in 0..m {
                                rules.push(f.str()?.to_owned());
                            }
                            Some(rules)
                        }
                        _ => return Err(BadFeed("an adopted sheet's rules flag is not 0 or 1")),
                    };
                    sheets.push(AdoptedSheet { key, rules });
                }
                rec.adopted_sheets(host, &sheets, t);
            }
            _ => return Err(BadFeed("an unknown command")),
        }
        Ok(())
    }

    /// The masked events waiting, as a JSON array of rrweb events (`[]` when none).
    pub fn events(&mut self) -> String {
        let events: Vec<_> = std::iter::from_fn(|| self.rec.poll_event()).collect();
        if events.is_empty() {
            return String::from("[]");
        }
        rrweb::write_string(&events)
    }

    /// The next encoded chunk, with `chunks: true`.
    #[wasm_bindgen(js_name = pollChunk)]
    pub fn poll_chunk(&mut self) -> Option<Vec<u8>> {
        self.rec.poll_chunk()
    }

    /// When the recorder next wants a tick (epoch ms), or -1.
    #[wasm_bindgen(js_name = nextWake)]
    pub fn next_wake(&self) -> f64 {
        self.rec.poll_timeout().map_or(-1.0, |t| t.0 as f64)
    }

    /// Grants consent; false when refused (Global Privacy Control, or withdrawn).
    #[wasm_bindgen(js_name = grantConsent)]
    pub fn grant_consent(&mut self) -> bool {
        self.rec.grant_consent()
    }

    /// Withdraws consent: what was not handed out is dropped, and recording stops.
    #[wasm_bindgen(js_name = withdrawConsent)]
    pub fn withdraw_consent(&mut self) {
        self.rec.withdraw_consent();
    }

    /// Whether recording is allowed now.
    #[wasm_bindgen(getter)]
    pub fn recording(&self) -> bool {
        !self.stopped && self.rec.consent() == session_replay::privacy::Consent::Granted
    }

    /// Events refused (no consent), dropped by a cap, or dropped on withdrawal.
    #[wasm_bindgen(getter)]
    pub fn dropped(&self) -> f64 {
        self.rec.dropped() as f64
    }

    /// Stops: the pending pointer batch and scrolls go out, the last chunk closes.
    pub fn stop(&mut self, now: f64) {
        if !self.stopped {
            self.rec.stop(Timestamp(now as i64));
            self.stopped = true;
        }
    }

    /// Malformed batches so far (their command index and what was wrong).
    pub fn problems(&self) -> Vec<String> {
        self.problems.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes commands as the glue does: numbers, and strings measured in UTF-16 units.
    #[derive(Default)]
    struct Cmds {
        nums: Vec<f64>,
        text: String,
    }

    impl Cmds {
        fn n(&mut self, x: f64) -> &mut Self {
            self.nums.push(x);
            self
        }
        fn s(&mut self, x: &str) -> &mut Self {
            self.nums.push(x.encode_utf16().count() as f64);
            self.text.push_str(x);
            self
        }
        fn el(&mut self, key: f64, parent: f64, tag: &str, attrs: &[(&str, &str)]) -> &mut Self {
            self.n(key)
                .n(parent)
                .n(0.0)
                .n(2.0)
                .s(tag)
                .n(attrs.len() as f64);
            for (k, v) in attrs {
                self.s(k).s(v);
            }
            self
        }
    }

    fn page() -> Cmds {
        let mut c = Cmds::default();
        c.n(1.0)
            .n(1_000.0)
            .n(800.0)
            .n(600.0)
            .s("https://shop.test/?q=secret");
        c.n(2.0).n(1_000.0).n(5.0);
        c.n(1.0).n(-1.0).n(0.0).n(0.0); // document
        c.el(2.0, 0.0, "html", &[]);
        c.el(3.0, 1.0, "body", &[("class", "app")]);
        c.el(4.0, 2.0, "input", &[("type", "text")]);
        c.n(5.0).n(2.0).n(0.0).n(3.0).s("Jane Ünïcode Doe");
        c
    }

    fn events(r: &mut Recording) -> serde_json::Value {
        serde_json::from_str(&r.events()).unwrap()
    }

    #[test]
    fn commands_become_masked_events() {
        let mut r = Recording::with_options("{}", false).unwrap();
        let mut c = page();
        c.n(10.0).n(1_100.0).n(4.0).n(0.0).s("4111 1111 1111 1111");
        // A mutation: text changed, an attribute set, a <p> added before the input.
        c.n(3.0).n(1_200.0).n(3.0);
        c.n(3.0).n(5.0).s("Other 😀 text");
        c.n(2.0).n(3.0).s("data-user").n(1.0).s("jane@example.com");
        c.n(1.0).n(3.0).n(4.0).n(1.0).n(1.0);
        c.el(6.0, -1.0, "p", &[]);
        c.n(0.0);
        assert!(r.feed(&c.nums, &c.text), "{:?}", r.problems());
        let ev = events(&mut r);
        let json = ev.to_string();
        assert_eq!(ev.as_array().unwrap().len(), 4, "{json}");
        for secret in ["4111", "Jane", "jane@", "secret", "Other"] {
            assert!(!json.contains(secret), "{secret} leaked: {json}");
        }
        // The <p> went in before the input, and lengths are hidden.
        let m = &ev[3]["data"];
        assert_eq!(
            m["adds"][0]["nextId"],
            ev[1]["data"]["node"]["childNodes"][0]["childNodes"][0]["childNodes"][0]["id"]
        );
        assert_eq!(m["texts"][0]["value"], "***");
    }

    #[test]
    fn sheet_edits_and_adoptions_become_rrweb_events() {
        let mut r = Recording::with_options("{}", false).unwrap();
        let mut c = page();
        // A rule inserted at [0] into the sheet of node 3 (the recorder takes any
        // element's: the glue sends only `<style>` and `<link>` owners).
        c.n(15.0).n(1_100.0).n(0.0).n(3.0);
        c.n(1.0).n(1.0).n(0.0).s("b { color: blue; }");
        // A nested declaration edit that cannot apply (no rule at [0, 2]) emits nothing.
        c.n(15.0).n(1_100.0).n(0.0).n(3.0);
        c.n(4.0).n(2.0).n(0.0).n(2.0).s("color").s("red").s("");
        // The document adopts a new constructed sheet, then it is replaced.
        c.n(16.0)
            .n(1_200.0)
            .n(1.0)
            .n(1.0)
            .n(50.0)
            .n(1.0)
            .n(1.0)
            .s("x { top: 0px; }");
        c.n(15.0)
            .n(1_300.0)
            .n(1.0)
            .n(50.0)
            .n(3.0)
            .n(1.0)
            .s("y { left: 0px; }");
        assert!(r.feed(&c.nums, &c.text), "{:?}", r.problems());
        let ev = events(&mut r);
        let json = ev.to_string();
        assert_eq!(ev.as_array().unwrap().len(), 5, "{json}");
        assert_eq!(ev[2]["data"]["source"], 8);
        assert_eq!(ev[2]["data"]["adds"][0]["index"], 0);
        assert_eq!(ev[3]["data"]["source"], 15);
        assert_eq!(
            ev[3]["data"]["styles"][0]["rules"][0]["rule"],
            "x { top: 0px; }"
        );
        assert_eq!(ev[4]["data"]["replaceSync"], "y { left: 0px; }");
        assert_eq!(ev[4]["data"]["styleId"], ev[3]["data"]["styleIds"][0]);
        // A bad edit code is reported with its position.
        let mut bad = Cmds::default();
        bad.n(15.0).n(1_400.0).n(0.0).n(3.0).n(9.0);
        assert!(!r.feed(&bad.nums, &bad.text));
        assert_eq!(r.problems(), ["command 0: an unknown sheet edit"]);
    }

    #[test]
    fn a_malformed_batch_keeps_what_came_before_and_says_where() {
        let mut r = Recording::with_options("{}", false).unwrap();
        let mut c = page();
        c.n(10.0).n(1_100.0).n(4.0).n(0.0).n(1e9); // a string past the text
        assert!(!r.feed(&c.nums, &c.text));
        assert_eq!(r.problems(), ["command 2: a string runs past the text"]);
        assert_eq!(events(&mut r).as_array().unwrap().len(), 2);
        for bad in [
            vec![99.0, 1.0],
            vec![2.0, 1.0, 3.0, 1.0, 5.0, 0.0, 0.0],
            vec![4.0, f64::NAN],
        ] {
            let mut r = Recording::with_options("{}", false).unwrap();
            assert!(!r.feed(&bad, ""));
            assert_eq!(r.problems().len(), 1);
        }
    }

    #[test]
    fn consent_and_the_privacy_signal() {
        let mut r = Recording::with_options(r#"{"requireConsent":true}"#, false).unwrap();
        let c = page();
        assert!(r.feed(&c.nums, &c.text));
        assert_eq!(r.events(), "[]");
        assert!(r.grant_consent());
        assert!(r.feed(&c.nums, &c.text));
        assert_eq!(events(&mut r).as_array().unwrap().len(), 2);
        r.withdraw_consent();
        assert!(!r.recording());
        let mut gpc = Recording::with_options("{}", true).unwrap();
        assert!(!gpc.grant_consent());
        assert!(gpc.feed(&c.nums, &c.text));
        assert_eq!(gpc.events(), "[]");
    }

    #[test]
    fn chunks_come_out_with_chunks_on() {
        let mut r = Recording::with_options(r#"{"chunks":true}"#, false).unwrap();
        let c = page();
        assert!(r.feed(&c.nums, &c.text));
        r.stop(2_000.0);
        let mut bytes = Vec::new();
        while let Some(chunk) = r.poll_chunk() {
            bytes.extend(chunk);
        }
        let decoded = session_replay::codec::decode(&bytes, &session_replay::Limits::DEFAULT);
        assert!(decoded.errors.is_empty(), "{:?}", decoded.errors);
        assert_eq!(decoded.events.len(), 2);
    }
}
