//! Test helpers: a small parser for the serialized HTML of the corpus checkpoints
//! (`documentElement.outerHTML`), and page views to compare with replayed states.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use session_replay::replay::{DomKind, NodeRef, State};

/// The six corpus recordings (three pages, each raw and with rrweb's defaults), as
/// paths for [`read`].
pub const CORPUS_STREAMS: [&str; 6] = [
    "corpus/todo.raw.json",
    "corpus/todo.rrweb-default.json",
    "corpus/login.raw.json",
    "corpus/login.rrweb-default.json",
    "corpus/feed.raw.json",
    "corpus/feed.rrweb-default.json",
];

pub fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(path)
}

pub fn read(path: &str) -> Vec<u8> {
    std::fs::read(data(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// One element of a page, flattened in document order.
#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    pub tag: String,
    pub attrs: Vec<(String, String)>,
    pub parent: Option<usize>,
}

/// A page: its elements in document order and its visible body text.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub elements: Vec<Element>,
    /// Text of the body, script and style excluded, whitespace collapsed.
    pub text: String,
}

const VOID: [&str; 14] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find(';').filter(|&e| e < 12);
        match end {
            Some(e) => {
                let ent = &rest[1..e];
                let decoded = match ent {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    "nbsp" => Some('\u{a0}'),
                    _ if ent.starts_with("#x") => u32::from_str_radix(&ent[2..], 16)
                        .ok()
                        .and_then(char::from_u32),
                    _ if ent.starts_with('#') => ent[1..].parse().ok().and_then(char::from_u32),
                    _ => None,
                };
                match decoded {
                    Some(c) => {
                        out.push(c);
                        rest = &rest[e + 1..];
                    }
                    None => {
                        out.push('&');
                        rest = &rest[1..];
                    }
                }
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

pub fn collapse(s: &str) -> String {
    s.split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Parses serialized HTML as browsers write it (`outerHTML`): lower-case tags, quoted
/// attribute values, void elements without end tags, raw text in script and style.
pub fn parse_html(html: &str) -> Page {
    let mut page = Page::default();
    let mut stack: Vec<usize> = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    let b = html.as_bytes();
    let in_body_text = |stack: &[usize], els: &[Element]| {
        let mut in_body = false;
        for &s in stack {
            match els[s].tag.as_str() {
                "script" | "style" | "template" => return false,
                "body" => in_body = true,
                _ => {}
            }
        }
        in_body
    };
    while i < b.len() {
        if html[i..].starts_with("<!--") {
            let end = html[i..].find("-->").map_or(html.len(), |e| i + e + 3);
            i = end;
        } else if html[i..].starts_with("</") {
            let end = html[i..].find('>').map_or(html.len(), |e| i + e + 1);
            let tag = html[i + 2..end - 1].trim().to_ascii_lowercase();
            if let Some(pos) = stack.iter().rposition(|&s| page.elements[s].tag == tag) {
                stack.truncate(pos);
            }
            i = end;
        } else if b[i] == b'<' && i + 1 < b.len() && (b[i + 1] as char).is_ascii_alphabetic() {
            // Start tag.
            let mut j = i + 1;
            while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' && b[j] != b'/' {
                j += 1;
            }
            let tag = html[i + 1..j].to_ascii_lowercase();
            let mut attrs = Vec::new();
            loop {
                while j < b.len() && (b[j].is_ascii_whitespace() || b[j] == b'/') {
                    j += 1;
                }
                if j >= b.len() || b[j] == b'>' {
                    j += 1;
                    break;
                }
                let start = j;
                while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'=' && b[j] != b'>' {
                    j += 1;
                }
                let name = html[start..j].to_owned();
                let mut value = String::new();
                if j < b.len() && b[j] == b'=' {
                    j += 1;
                    let q = b[j];
                    if q == b'"' || q == b'\'' {
                        let end = html[j + 1..]
                            .find(q as char)
                            .map_or(html.len(), |e| j + 1 + e);
                        value = decode_entities(&html[j + 1..end]);
                        j = end + 1;
                    } else {
                        let start = j;
                        while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                            j += 1;
                        }
                        value = decode_entities(&html[start..j]);
                    }
                }
                attrs.push((name, value));
            }
            let idx = page.elements.len();
            page.elements.push(Element {
                tag: tag.clone(),
                attrs,
                parent: stack.last().copied(),
            });
            i = j;
            if VOID.contains(&tag.as_str()) {
                continue;
            }
            stack.push(idx);
            if matches!(tag.as_str(), "script" | "style" | "textarea" | "title") {
                let close = format!("</{tag}");
                let end = html[i..].find(&close).map_or(html.len(), |e| i + e);
                if matches!(tag.as_str(), "textarea") && in_body_text(&stack, &page.elements) {
                    text.push_str(&decode_entities(&html[i..end]));
                }
                i = end;
            }
        } else {
            let from = if b[i] == b'<' { i + 1 } else { i };
            let end = html[from..].find('<').map_or(html.len(), |e| from + e);
            if in_body_text(&stack, &page.elements) {
                text.push_str(&decode_entities(&html[i..end]));
            }
            i = end;
        }
    }
    page.text = collapse(&text);
    page
}

/// The same view of a replayed state: elements under `<html>` (shadow roots and iframe
/// documents excluded, as `outerHTML` excludes them) and the body's visible text.
pub fn state_page(state: &State) -> Page {
    let mut page = Page::default();
    let dom = state.dom();
    let Some(root) = dom.root() else { return page };
    let Some(html) = root.children().find(|c| c.tag() == Some("html")) else {
        return page;
    };
    let mut text = String::new();
    // Iterative walk with (node, parent index, in body, hidden) frames.
    let mut stack: Vec<(NodeRef, Option<usize>, bool, bool)> = vec![(html, None, false, false)];
    while let Some((n, parent, in_body, hidden)) = stack.pop() {
        match n.kind() {
            DomKind::Element => {
                if n.flags()
                    .contains(session_replay::replay::DomFlags::IN_SHADOW)
                {
                    continue;
                }
                let tag = n.tag().unwrap_or("").to_owned();
                let idx = page.elements.len();
                page.elements.push(Element {
                    tag: tag.clone(),
                    attrs: n
                        .attributes()
                        .map(|(k, v)| (k.to_owned(), v.to_owned()))
                        .collect(),
                    parent,
                });
                if tag == "iframe" {
                    continue;
                }
                let body = in_body || tag == "body";
                let hide = hidden || matches!(tag.as_str(), "script" | "style" | "template");
                let kids: Vec<NodeRef> = n.children().collect();
                for k in kids.into_iter().rev() {
                    stack.push((k, Some(idx), body, hide));
                }
            }
            DomKind::Text if in_body && !hidden => text.push_str(n.text().unwrap_or("")),
            _ => {}
        }
    }
    page.text = collapse(&text);
    page
}

/// Attributes compared with the live page: all but src/href (rrweb makes them absolute),
/// autocomplete, rr_* and rrweb's `_`-prefixed synthetic ones, and value/checked/selected.
pub fn comparable_attrs(attrs: &[(String, String)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = attrs
        .iter()
        .filter(|(k, _)| {
            !matches!(
                k.as_str(),
                "src" | "href" | "autocomplete" | "value" | "checked" | "selected"
            ) && !k.starts_with("rr_")
                && !k.starts_with('_')
        })
        .cloned()
        .collect();
    out.sort();
    out
}

/// CSS path as the checkpoint capture wrote it: `#id`, or the parent's path then
/// `> tag` with `:nth-of-type(k)` when siblings share the tag.
pub fn css_path(page: &Page, idx: usize) -> String {
    let mut parts = Vec::new();
    let mut at = Some(idx);
    while let Some(i) = at {
        let el = &page.elements[i];
        if let Some((_, id)) = el.attrs.iter().find(|(k, v)| k == "id" && !v.is_empty()) {
            parts.push(format!("#{id}"));
            break;
        }
        let siblings: Vec<usize> = (0..page.elements.len())
            .filter(|&j| page.elements[j].parent == el.parent && page.elements[j].tag == el.tag)
            .collect();
        if siblings.len() > 1 {
            let k = siblings.iter().position(|&j| j == i).unwrap() + 1;
            parts.push(format!("{}:nth-of-type({k})", el.tag));
        } else {
            parts.push(el.tag.clone());
        }
        at = el.parent;
    }
    parts.reverse();
    parts.join(" > ")
}
