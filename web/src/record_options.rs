//! The recorder's options: rrweb's `record()` options that concern masking, sampling
//! and keyframes, mapped onto the library's [`Policy`] and recorder configuration so
//! that a site switching from rrweb keeps or strengthens its settings.
//!
//! The mapping (the glue passes the options as JSON; what JSON cannot carry is decided
//! in web/js/record_options.js: a RegExp for a class option arrives here as the selector
//! it means, in `mask`, `block` or `ignoreSelector`, or is refused; a function option the
//! recorder does not run is noted in `problems()`):
//!
//! | rrweb option | here |
//! | --- | --- |
//! | (none) | the `private` preset: all text and every input value masked, and their lengths hidden (masked text is `***`) |
//! | `textLengths: "kept"` | masked text keeps its length (`****`), so the replay keeps its layout |
//! | `policy: "balanced" \| "relaxed"` | a looser preset, by the site's own choice |
//! | `maskAllInputs: true` | every `input, textarea, select` masked |
//! | `maskInputOptions: { password: true, email: true, textarea: true, ... }` | `input[type=…]`, `textarea`, `select` masked |
//! | `maskTextSelector`, `maskTextClass` (default `rr-mask`) | masked |
//! | `blockSelector`, `blockClass` (default `rr-block`) | blocked (kept as an empty box) |
//! | `ignoreClass` (default `rr-ignore`), `ignoreSelector` | input on them not recorded |
//! | `mask`, `unmask`, `block`, `allowInput` (lists) | this crate's own selector lists |
//! | `sampling.mousemove` (ms, or `false`), `sampling.scroll` (ms) | pointer sampling, scroll throttling |
//! | `checkoutEveryNms`, `checkoutEveryNth` | keyframe cadence |
//! | `requireConsent: true` | nothing recorded until `grantConsent()` |
//!
//! rrweb's default classes are vendor markers that the policy honours anyway; naming
//! them again costs nothing.

use serde_json::{Map, Value};
use session_replay::privacy::{Policy, Preset, TextLengths};

/// The options a page passed to `record()`, checked.
#[derive(Debug, Clone)]
pub struct Options {
    preset: Preset,
    /// Masked text keeps its length (the site's choice; hidden by default).
    keep_lengths: bool,
    mask: Vec<String>,
    unmask: Vec<String>,
    block: Vec<String>,
    ignore: Vec<String>,
    allow_input: Vec<String>,
    /// Pointer samples at most this often (ms).
    pub mousemove_ms: i64,
    /// Scroll events at most this often per target (ms).
    pub scroll_ms: i64,
    /// A keyframe at least this often (ms).
    pub checkout_every_ms: i64,
    /// A keyframe at least every this many events.
    pub checkout_every_nth: usize,
    /// Rate caps.
    pub max_events_per_sec: usize,
    /// Rate caps, bytes.
    pub max_bytes_per_sec: usize,
    /// Nothing is recorded before consent.
    pub consent_required: bool,
    /// Encoded chunks are wanted (`emitChunk`).
    pub chunks: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            preset: Preset::Private,
            keep_lengths: false,
            mask: Vec::new(),
            unmask: Vec::new(),
            block: Vec::new(),
            ignore: Vec::new(),
            allow_input: Vec::new(),
            mousemove_ms: 50,
            scroll_ms: 100,
            checkout_every_ms: 5 * 60_000,
            checkout_every_nth: 10_000,
            max_events_per_sec: 1_000,
            // A page is one visitor: a burst (a 10,000-row table is about 10 MB of
            // events) should go out whole, not be dropped and resynchronised.
            max_bytes_per_sec: 32 << 20,
            consent_required: false,
            chunks: false,
        }
    }
}

fn string(v: &Value, name: &str) -> Result<Option<String>, String> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) if s.is_empty() => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        _ => Err(format!("option {name} must be a string")),
    }
}

fn strings(v: &Value, name: &str) -> Result<Vec<String>, String> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(a) => a
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("option {name} must list strings"))
            })
            .collect(),
        _ => Err(format!(
            "option {name} must be a string or a list of strings"
        )),
    }
}

fn millis(v: &Value, name: &str, default: i64) -> Result<i64, String> {
    match v {
        Value::Null => Ok(default),
        Value::Number(n) => n
            .as_f64()
            .filter(|x| x.is_finite() && *x >= 0.0)
            .map(|x| x as i64)
            .ok_or_else(|| format!("option {name} must be a non-negative number")),
        _ => Err(format!("option {name} must be a number")),
    }
}

/// A CSS class name as a selector (`rr-block` → `.rr-block`); a class name holds no
/// selector syntax, so anything else is refused.
fn class_selector(class: &str, name: &str) -> Result<String, String> {
    if class
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        Ok(format!(".{class}"))
    } else {
        Err(format!("option {name} must be a plain class name"))
    }
}

impl Options {
    /// Parses the options JSON.
    pub fn parse(json: &str) -> Result<Options, String> {
        let v: Value = serde_json::from_str(json).map_err(|_| "options are not JSON".to_owned())?;
        let empty = Map::new();
        let o = v.as_object().unwrap_or(&empty);
        let get = |k: &str| o.get(k).unwrap_or(&Value::Null);
        let preset = match string(get("policy"), "policy")?.as_deref() {
            None | Some("private") => Preset::Private,
            Some("balanced") => Preset::Balanced,
            Some("relaxed") => Preset::Relaxed,
            Some(_) => return Err("option policy must be private, balanced or relaxed".into()),
        };
        let mut out = Options {
            preset,
            ..Options::default()
        };
        out.keep_lengths = match string(get("textLengths"), "textLengths")?.as_deref() {
            None | Some("hidden") => false,
            Some("kept") => true,
            Some(_) => return Err("option textLengths must be hidden or kept".into()),
        };
        if get("maskAllInputs") == &Value::Bool(true) {
            out.mask.push("input, textarea, select".into());
        }
        if let Value::Object(m) = get("maskInputOptions") {
            for (k, v) in m {
                if v != &Value::Bool(true) {
                    continue;
                }
                match k.as_str() {
                    "textarea" | "select" => out.mask.push(k.clone()),
                    k if k.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') => {
                        out.mask.push(format!("input[type={k}]"))
                    }
                    _ => return Err("option maskInputOptions has an unknown key".into()),
                }
            }
        }
        out.mask
            .extend(string(get("maskTextSelector"), "maskTextSelector")?);
        if let Some(c) = string(get("maskTextClass"), "maskTextClass")? {
            out.mask.push(class_selector(&c, "maskTextClass")?);
        }
        out.block
            .extend(string(get("blockSelector"), "blockSelector")?);
        if let Some(c) = string(get("blockClass"), "blockClass")? {
            out.block.push(class_selector(&c, "blockClass")?);
        }
        out.ignore
            .extend(string(get("ignoreSelector"), "ignoreSelector")?);
        if let Some(c) = string(get("ignoreClass"), "ignoreClass")? {
            out.ignore.push(class_selector(&c, "ignoreClass")?);
        }
        out.mask.extend(strings(get("mask"), "mask")?);
        out.unmask.extend(strings(get("unmask"), "unmask")?);
        out.block.extend(strings(get("block"), "block")?);
        out.allow_input
            .extend(strings(get("allowInput"), "allowInput")?);
        if let Value::Object(s) = get("sampling") {
            let none = Value::Null;
            out.mousemove_ms = match s.get("mousemove").unwrap_or(&none) {
                // rrweb: `false` records no moves; a day between samples is none.
                Value::Bool(false) => 86_400_000,
                Value::Bool(true) => out.mousemove_ms,
                v => millis(v, "sampling.mousemove", out.mousemove_ms)?,
            };
            out.scroll_ms = millis(
                s.get("scroll").unwrap_or(&none),
                "sampling.scroll",
                out.scroll_ms,
            )?;
        }
        out.checkout_every_ms = millis(
            get("checkoutEveryNms"),
            "checkoutEveryNms",
            out.checkout_every_ms,
        )?;
        out.checkout_every_nth = millis(
            get("checkoutEveryNth"),
            "checkoutEveryNth",
            out.checkout_every_nth as i64,
        )? as usize;
        out.max_events_per_sec = millis(
            get("maxEventsPerSecond"),
            "maxEventsPerSecond",
            out.max_events_per_sec as i64,
        )? as usize;
        out.max_bytes_per_sec = millis(
            get("maxBytesPerSecond"),
            "maxBytesPerSecond",
            out.max_bytes_per_sec as i64,
        )? as usize;
        out.consent_required = get("requireConsent") == &Value::Bool(true);
        out.chunks = get("chunks") == &Value::Bool(true);
        Ok(out)
    }

    /// The masking policy these options ask for.
    pub fn policy(&self) -> Result<Policy, String> {
        let mut p = Policy::preset(self.preset);
        if !self.keep_lengths {
            // Not even a length leaves the page: a 16-digit run of `*` says "card".
            p = p.with_text_lengths(TextLengths::Hidden);
        }
        let bad = |what: &str| format!("option {what}: not a selector this recorder can match");
        for s in &self.mask {
            p = p.mask(s).map_err(|_| bad("mask"))?;
        }
        for s in &self.unmask {
            p = p.unmask(s).map_err(|_| bad("unmask"))?;
        }
        for s in &self.block {
            p = p.block(s).map_err(|_| bad("block"))?;
        }
        for s in &self.ignore {
            p = p.ignore(s).map_err(|_| bad("ignore"))?;
        }
        for s in &self.allow_input {
            p = p.allow_input(s).map_err(|_| bad("allowInput"))?;
        }
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_private_and_rrweb_options_map_onto_selectors() {
        let o = Options::parse("{}").unwrap();
        assert_eq!(o.preset, Preset::Private);
        assert!(!o.consent_required);
        let o = Options::parse(
            r#"{"policy":"relaxed","maskAllInputs":true,"maskInputOptions":{"password":true,"textarea":true,"email":false},
                "maskTextSelector":".secret","blockClass":"no-rec","ignoreClass":"","sampling":{"mousemove":false,"scroll":250},
                "checkoutEveryNms":60000,"requireConsent":true,"unmask":["h1"]}"#,
        )
        .unwrap();
        assert_eq!(o.preset, Preset::Relaxed);
        assert_eq!(
            o.mask,
            vec![
                "input, textarea, select",
                "input[type=password]",
                "textarea",
                ".secret"
            ]
        );
        assert_eq!(o.block, vec![".no-rec"]);
        assert!(o.ignore.is_empty());
        assert_eq!(o.unmask, vec!["h1"]);
        assert_eq!(
            (o.mousemove_ms, o.scroll_ms, o.checkout_every_ms),
            (86_400_000, 250, 60_000)
        );
        assert!(o.consent_required);
        assert!(o.policy().is_ok());
    }

    #[test]
    fn bad_options_are_refused_with_their_name() {
        for (json, want) in [
            ("[", "options are not JSON"),
            (r#"{"policy":"open"}"#, "option policy"),
            (r#"{"blockClass":"a b"}"#, "option blockClass"),
            (r#"{"maskTextSelector":5}"#, "option maskTextSelector"),
            (r#"{"mask":[">>"]}"#, "option mask"),
            (r#"{"sampling":{"scroll":-1}}"#, "option sampling.scroll"),
        ] {
            let err = Options::parse(json)
                .and_then(|o| o.policy().map(|_| ()))
                .unwrap_err();
            assert!(err.starts_with(want), "{json}: {err}");
        }
    }
}
