//! What insights report: each signal, the element it concerns, and the session summary,
//! as plain serde types a server can store beside the stream.

use serde::{Deserialize, Serialize};

/// A frustration signal. As JSON: `{"kind": "rage_click", "t": EPOCH_MS, "node": ID, ...}`
/// with the fields of its kind beside `t` and `node`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    /// When it started (epoch ms): the first click of a burst, the click of a dead or
    /// error click, the first turn of a thrash, the return of a U-turn.
    pub t: i64,
    /// The node it concerns: the control clicked (a button, a link; the clicked node
    /// when no control was around it), `null` for a thrash or a U-turn.
    pub node: Option<i32>,
    /// What it is.
    #[serde(flatten)]
    pub kind: SignalKind,
}

/// The kinds of signal, with what each reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SignalKind {
    /// Clicks in quick succession at one spot: one signal per burst.
    RageClick {
        /// Clicks in the burst.
        count: u32,
        /// Time from the first click to the last, ms.
        duration_ms: i64,
        /// The element clicked first.
        target: Option<Target>,
    },
    /// A click on something that looks interactive, after which the page did nothing.
    DeadClick {
        /// Clicks on it in a row (1, or 2 for a double click that stayed short of rage).
        count: u32,
        /// The interactive element (the clicked node or the control around it).
        target: Option<Target>,
    },
    /// A click followed by a page error.
    ErrorClick {
        /// Where the error came from: `console` (rrweb's console plugin) or `custom`
        /// (a custom event tagged `error`). The message is not copied: it may hold
        /// what the person typed.
        source: String,
        /// Time from the click to the error, ms.
        after_ms: i64,
        /// The element clicked.
        target: Option<Target>,
    },
    /// The pointer moved back and forth fast.
    ThrashedCursor {
        /// Turns back within the window.
        turns: u32,
        /// Time from the first turn to the last, ms.
        duration_ms: i64,
    },
    /// A navigation to a page and straight back.
    UTurn {
        /// The page left and returned to (as in [`PageVisit::href`]).
        from: String,
        /// The page visited briefly (as in [`PageVisit::href`]).
        to: String,
        /// Time spent away, ms.
        away_ms: i64,
    },
}

impl SignalKind {
    /// Its name as in the JSON (`rage_click`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            SignalKind::RageClick { .. } => "rage_click",
            SignalKind::DeadClick { .. } => "dead_click",
            SignalKind::ErrorClick { .. } => "error_click",
            SignalKind::ThrashedCursor { .. } => "thrashed_cursor",
            SignalKind::UTurn { .. } => "u_turn",
        }
    }
}

/// A stable description of an element: what a person would search the page for. Never
/// a value: the text is its shape only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// The tag name.
    pub tag: String,
    /// The `id` attribute.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub id: Option<String>,
    /// The classes, in order.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub classes: Vec<String>,
    /// The shape of its first text as recorded (already masked under a masking policy):
    /// letters as `x`/`X`, digits as `9`, runs of space as one space, ASCII punctuation
    /// as it is, anything else as `?`; at most 32 characters.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub text_shape: Option<String>,
    /// The selector-like form, `tag#id.class1.class2`.
    pub selector: String,
}

/// A page the session visited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageVisit {
    /// When it was entered (epoch ms).
    pub t: i64,
    /// Its URL: scheme, host and path (query, fragment and user info dropped: they
    /// carry tokens, e-mail addresses and searches) unless
    /// [`InsightsConfig::full_urls`](super::InsightsConfig) is set.
    pub href: String,
}

/// The session's summary: how long, how active, where, what the person did, and every
/// signal.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Summary {
    /// The first event's time (epoch ms), `null` for an empty session.
    pub start: Option<i64>,
    /// From the first event to the last, ms.
    pub duration_ms: i64,
    /// Time with activity (input, pointer, clicks, scrolls, mutations), gaps over the
    /// idle threshold left out, ms.
    pub active_ms: i64,
    /// Pages visited, in order (loads of the same URL in a row, as rrweb's periodic
    /// full snapshot or a reload, count once). URLs without their query, fragment and
    /// user info unless [`InsightsConfig::full_urls`](super::InsightsConfig) is set.
    pub pages: Vec<PageVisit>,
    /// Clicks.
    pub clicks: u64,
    /// Input events (typing, checking, selecting).
    pub inputs: u64,
    /// Scroll events.
    pub scrolls: u64,
    /// Page errors seen.
    pub errors: u64,
    /// Every signal, in time order.
    pub signals: Vec<Signal>,
}

impl Summary {
    /// The number of signals of the kind named `name` (`rage_click`, ...).
    pub fn count(&self, name: &str) -> usize {
        self.signals
            .iter()
            .filter(|s| s.kind.name() == name)
            .count()
    }
}

/// A URL without its query, fragment and user info.
pub(crate) fn page_url(href: &str) -> String {
    let end = href.find(['?', '#']).unwrap_or(href.len());
    let base = href.get(..end).unwrap_or(href);
    // User info sits between "//" and an "@" before the path.
    if let Some(start) = base.find("//").map(|i| i + 2) {
        let rest = base.get(start..).unwrap_or("");
        let host_end = rest.find('/').unwrap_or(rest.len());
        if let Some(at) = rest.get(..host_end).and_then(|h| h.rfind('@')) {
            return format!(
                "{}{}",
                base.get(..start).unwrap_or(""),
                rest.get(at + 1..).unwrap_or("")
            );
        }
    }
    base.to_owned()
}

/// The shape of a text: letters as `x` or `X`, digits as `9`, runs of white space as one
/// space, ASCII punctuation kept, anything else (symbols, emoji) as `?`; leading and
/// trailing space dropped; at most `max` characters.
pub(crate) fn text_shape(text: &str, max: usize) -> Option<String> {
    let mut out = String::new();
    let mut n = 0;
    let mut space = false;
    for c in text.trim().chars() {
        if n >= max {
            break;
        }
        let s = if c.is_whitespace() {
            if space {
                continue;
            }
            space = true;
            ' '
        } else {
            space = false;
            if c.is_alphabetic() {
                if c.is_uppercase() { 'X' } else { 'x' }
            } else if c.is_numeric() {
                '9'
            } else if c.is_ascii_punctuation() {
                c
            } else {
                '?'
            }
        };
        out.push(s);
        n += 1;
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_keep_no_letter_or_digit() {
        assert_eq!(
            text_shape("  Pay £12.50\n now ", 32).unwrap(),
            "Xxx ?99.99 xxx"
        );
        assert_eq!(text_shape("Hi 😀!", 32).unwrap(), "Xx ?!");
        assert_eq!(text_shape("****", 32).unwrap(), "****");
        assert_eq!(text_shape("Ünïcode", 3).unwrap(), "Xxx");
        assert_eq!(text_shape(" \n ", 32), None);
    }

    #[test]
    fn page_urls_lose_query_fragment_and_user_info() {
        assert_eq!(
            page_url("https://u:p@shop.test/reset?token=abc#x"),
            "https://shop.test/reset"
        );
        assert_eq!(
            page_url("https://shop.test/a/b#frag"),
            "https://shop.test/a/b"
        );
        assert_eq!(page_url("https://shop.test"), "https://shop.test");
        assert_eq!(page_url("/path?q=1"), "/path");
        assert_eq!(
            page_url("https://shop.test/@user/x"),
            "https://shop.test/@user/x"
        );
    }

    #[test]
    fn signals_serialise_flat_with_their_kind() {
        let s = Signal {
            t: 5,
            node: Some(7),
            kind: SignalKind::RageClick {
                count: 4,
                duration_ms: 600,
                target: None,
            },
        };
        let j = serde_json::to_value(&s).unwrap();
        assert_eq!(j["kind"], "rage_click");
        assert_eq!(j["t"], 5);
        assert_eq!(j["node"], 7);
        assert_eq!(j["count"], 4);
        let back: Signal = serde_json::from_value(j).unwrap();
        assert_eq!(back, s);
        let u = Signal {
            t: 9,
            node: None,
            kind: SignalKind::UTurn {
                from: "a".into(),
                to: "b".into(),
                away_ms: 3,
            },
        };
        assert_eq!(
            serde_json::to_value(&u).unwrap()["node"],
            serde_json::Value::Null
        );
    }
}
