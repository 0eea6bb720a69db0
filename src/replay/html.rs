//! The state as a self-contained HTML document.
//!
//! The output is for viewing a moment of a recording, not for running the recorded page:
//! scripts are made inert, event-handler attributes and `javascript:` URLs are renamed,
//! and nothing the page recorded can navigate. What the renderer adds is named `rr_*` or
//! `data-rr-*` so it cannot be mistaken for the page's own.

use super::dom::{Dom, DomFlags, DomKind, NIL, NodeData};
use super::state::{SheetKey, State};
use crate::model::NodeId;

/// Options for [`State::to_html_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct HtmlOptions {
    /// Add a small script (our own, the only one that runs) that restores the window and
    /// element scroll positions when the document opens. Default true.
    pub restore_scroll: bool,
    /// How deep iframes may nest inside each other's `srcdoc`. Default 8.
    pub max_iframe_depth: usize,
}

impl Default for HtmlOptions {
    fn default() -> Self {
        HtmlOptions {
            restore_scroll: true,
            max_iframe_depth: 8,
        }
    }
}

const VOID: [&str; 16] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "keygen", "command",
];
const RAW_TEXT: [&str; 7] = [
    "style", "script", "xmp", "iframe", "noembed", "noframes", "noscript",
];

fn escape_text(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            c => out.push(c),
        }
    }
}

fn escape_attr(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            c => out.push(c),
        }
    }
}

/// Raw text must not close its element early.
fn push_raw(out: &mut String, s: &str) {
    out.push_str(&s.replace("</", "<\\/"));
}

use super::inert::valid_attr_name;

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

struct Writer<'a> {
    state: &'a State,
    dom: &'a Dom,
    opts: HtmlOptions,
}

impl Writer<'_> {
    fn attr(&self, out: &mut String, name: &str, value: &str) {
        if !valid_attr_name(name) {
            return;
        }
        out.push(' ');
        out.push_str(name);
        out.push_str("=\"");
        escape_attr(out, value);
        out.push('"');
    }

    /// The CSS a `<style>` or `<link>` node renders with.
    fn sheet_css(&self, slot: u32, id: NodeId) -> Option<String> {
        if let Some(rules) = self.state.sheets.get(&SheetKey::Node(id)) {
            return Some(rules.join("\n"));
        }
        self.dom.attr(slot, "_cssText").map(str::to_owned)
    }

    fn adopted_css(&self, host: NodeId) -> Option<String> {
        let ids = self.state.adopted.get(&host)?;
        let css: Vec<String> = ids
            .iter()
            .filter_map(|s| self.state.sheets.get(&SheetKey::Constructed(*s)))
            .map(|r| r.join("\n"))
            .collect();
        Some(css.join("\n"))
    }

    /// Writes the start tag of element `slot`; returns whether it has an end tag and
    /// whether its children are replaced by `content`.
    fn start_tag(&self, out: &mut String, slot: u32, depth: usize) -> (bool, Option<String>) {
        let Some(n) = self.dom.node(slot) else {
            return (false, None);
        };
        let tag = super::inert::safe_tag(self.dom.name(n.name), n.flags.contains(DomFlags::SVG));
        let tag: &str = &tag;
        let id = n.id;
        let mut content: Option<String> = None;
        let is_sheet_link = tag == "link" && self.dom.attr(slot, "_cssText").is_some();
        let out_tag = if is_sheet_link { "style" } else { tag };
        out.push('<');
        out.push_str(out_tag);
        let form = self.state.form_value(id);
        // Blocked elements keep their recorded size; canvases show their recorded image.
        let mut extra_style = String::new();
        if let Some(w) = self.dom.attr(slot, "rr_width") {
            extra_style.push_str(&format!("width: {w} !important; "));
        }
        if let Some(h) = self.dom.attr(slot, "rr_height") {
            extra_style.push_str(&format!("height: {h} !important; "));
        }
        if let Some(url) = self.dom.attr(slot, "rr_dataURL")
            && url.starts_with("data:image/")
            && !url.contains(['"', '\'', ')', '\\'])
        {
            extra_style.push_str(&format!(
                "background: url(\"{url}\") 0 0 / 100% 100% no-repeat; "
            ));
        }
        for a in self.dom.attrs(slot) {
            let name = self.dom.name(a.name);
            let value = &*a.value;
            if name.starts_with('_') {
                continue;
            }
            if is_sheet_link {
                if name == "href" {
                    self.attr(out, "data-rr-href", value);
                }
                continue;
            }
            let lower = name.to_ascii_lowercase();
            // Anything that could run code or navigate is renamed to data-rr-*.
            let neutralize = super::inert::neutralized(tag, &lower, value);
            let renamed = neutralize.then(|| format!("data-rr-{lower}"));
            // Form state is written from the live values below; style gets the extras.
            if (form.is_some() && matches!(lower.as_str(), "value" | "checked"))
                || (lower == "style" && !extra_style.is_empty())
            {
                continue;
            }
            match renamed {
                Some(r) => self.attr(out, &r, value),
                None => self.attr(out, name, value),
            }
        }
        if tag == "script" {
            self.attr(out, "type", "text/x-rr-inert");
        }
        if !extra_style.is_empty() {
            let own = self.dom.attr(slot, "style").unwrap_or("").trim();
            let sep = if own.is_empty() || own.ends_with(';') {
                ""
            } else {
                ";"
            };
            let style = format!("{own}{sep} {}", extra_style.trim_end());
            self.attr(out, "style", style.trim());
        }
        if let Some(f) = &form {
            match tag {
                "input" => {
                    let kind = self
                        .dom
                        .attr(slot, "type")
                        .unwrap_or("")
                        .to_ascii_lowercase();
                    if matches!(kind.as_str(), "checkbox" | "radio") {
                        self.attr(out, "value", &f.text);
                        if f.checked {
                            self.attr(out, "checked", "");
                        }
                    } else {
                        self.attr(out, "value", &f.text);
                    }
                }
                "textarea" => content = Some(f.text.clone()),
                "select" => self.attr(out, "data-rr-value", &f.text),
                _ => {}
            }
        }
        if tag == "option" {
            // Selected if its select's live value names it.
            let parent_select = self.select_of(slot);
            if let Some(sel) = parent_select.and_then(|s| self.dom.node(s)).map(|s| s.id)
                && let Some(v) = self.state.form.get(&sel)
            {
                let own = self
                    .dom
                    .attr(slot, "value")
                    .map(str::to_owned)
                    .unwrap_or_else(|| self.text_of(slot));
                if own == v.text && self.dom.attr(slot, "selected").is_none() {
                    self.attr(out, "selected", "");
                }
            }
        }
        if self.state.focus == Some(id) {
            self.attr(out, "data-rr-focused", "");
        }
        if let Some((x, y)) = self.state.element_scroll.get(&id) {
            self.attr(out, "data-rr-scroll-left", &fmt_num(*x));
            self.attr(out, "data-rr-scroll-top", &fmt_num(*y));
        }
        if tag == "iframe" {
            let doc = self.dom.children(slot).find(|&c| {
                self.dom
                    .node(c)
                    .is_some_and(|x| x.kind == DomKind::Document)
            });
            if let Some(doc) = doc {
                if depth < self.opts.max_iframe_depth {
                    let inner = Writer {
                        state: self.state,
                        dom: self.dom,
                        opts: self.opts,
                    }
                    .document(doc, depth + 1, false);
                    self.attr(out, "srcdoc", &inner);
                } else {
                    self.attr(out, "data-rr-srcdoc-omitted", "nesting");
                }
            }
        }
        if tag == "html"
            && n.parent == self.dom.root()
            && let Some((w, h)) = self.state.viewport
        {
            self.attr(
                out,
                "data-rr-viewport",
                &format!("{}x{}", fmt_num(w), fmt_num(h)),
            );
        }
        out.push('>');
        if (tag == "style" || is_sheet_link)
            && let Some(css) = self.sheet_css(slot, id)
        {
            content = Some(css);
        }
        let has_end = !VOID.contains(&tag) || is_sheet_link;
        (has_end, content)
    }

    fn select_of(&self, option: u32) -> Option<u32> {
        let mut at = self.dom.node(option)?.parent;
        for _ in 0..2 {
            match self.dom.tag(at) {
                Some("select") => return Some(at),
                Some("optgroup") => at = self.dom.node(at)?.parent,
                _ => return None,
            }
        }
        None
    }

    fn text_of(&self, slot: u32) -> String {
        self.dom
            .descendants(slot)
            .filter_map(|s| self.dom.text(s))
            .collect::<String>()
            .trim()
            .to_owned()
    }

    /// Serializes the subtree of a document node, iteratively.
    fn document(&self, doc: u32, depth: usize, top: bool) -> String {
        let mut out = String::new();
        // Frames: (slot, end tag to write after children, raw-text parent).
        enum Step {
            Open(u32),
            Close(String),
        }
        let mut stack: Vec<Step> = Vec::new();
        let kids: Vec<u32> = self.dom.children(doc).collect();
        let mut saw_doctype = false;
        for &k in kids.iter().rev() {
            stack.push(Step::Open(k));
        }
        let mut raw_depth: Vec<bool> = Vec::new();
        while let Some(step) = stack.pop() {
            match step {
                Step::Close(tag) => {
                    raw_depth.pop();
                    if top && tag == "body" {
                        self.after_body(&mut out);
                    }
                    if tag == "template-shadow" {
                        out.push_str("</template>");
                    } else {
                        out.push_str("</");
                        out.push_str(&tag);
                        out.push('>');
                    }
                }
                Step::Open(slot) => {
                    let Some(n) = self.dom.node(slot) else {
                        continue;
                    };
                    let in_raw = raw_depth.last().copied().unwrap_or(false);
                    match (&n.kind, &n.data) {
                        (DomKind::Doctype, data) => {
                            saw_doctype = true;
                            out.push_str("<!DOCTYPE ");
                            out.push_str(super::inert::safe_doctype(self.dom.name(n.name)));
                            if let NodeData::Doctype(ids) = data {
                                let [public, system] = &**ids;
                                if !public.is_empty() {
                                    out.push_str(" PUBLIC \"");
                                    escape_attr(&mut out, public);
                                    out.push('"');
                                }
                                if !system.is_empty() {
                                    if public.is_empty() {
                                        out.push_str(" SYSTEM");
                                    }
                                    out.push_str(" \"");
                                    escape_attr(&mut out, system);
                                    out.push('"');
                                }
                            }
                            out.push('>');
                        }
                        (DomKind::Text, NodeData::Text(t)) => {
                            if in_raw {
                                push_raw(&mut out, t);
                            } else {
                                escape_text(&mut out, t);
                            }
                        }
                        (DomKind::Comment, NodeData::Text(t)) => {
                            out.push_str("<!--");
                            out.push_str(&t.replace("--", "- -"));
                            out.push_str("-->");
                        }
                        (DomKind::CData, NodeData::Text(t)) => {
                            out.push_str("<![CDATA[");
                            out.push_str(&t.replace("]]>", "]] >"));
                            out.push_str("]]>");
                        }
                        (DomKind::Element, _) => {
                            let tag = super::inert::safe_tag(
                                self.dom.name(n.name),
                                n.flags.contains(DomFlags::SVG),
                            )
                            .into_owned();
                            let (has_end, content) = self.start_tag(&mut out, slot, depth);
                            if !has_end {
                                continue;
                            }
                            let is_sheet_link = tag == "link";
                            let close = if is_sheet_link {
                                "style".to_owned()
                            } else {
                                tag.clone()
                            };
                            let raw = RAW_TEXT.contains(&tag.as_str()) || is_sheet_link;
                            stack.push(Step::Close(close));
                            raw_depth.push(raw);
                            if let Some(c) = content {
                                if raw {
                                    push_raw(&mut out, &c);
                                } else {
                                    escape_text(&mut out, &c);
                                }
                                continue;
                            }
                            if tag == "iframe" {
                                continue;
                            }
                            if tag == "head"
                                && let Some(css) =
                                    self.dom.node(doc).and_then(|d| self.adopted_css(d.id))
                            {
                                out.push_str("<style data-rr-adopted>");
                                push_raw(&mut out, &css);
                                out.push_str("</style>");
                            }
                            let children: Vec<u32> = self.dom.children(slot).collect();
                            let (shadow, light): (Vec<u32>, Vec<u32>) =
                                children.into_iter().partition(|&c| {
                                    self.dom
                                        .node(c)
                                        .is_some_and(|x| x.flags.contains(DomFlags::IN_SHADOW))
                                });
                            for &c in light.iter().rev() {
                                stack.push(Step::Open(c));
                            }
                            if !shadow.is_empty() || n.flags.contains(DomFlags::SHADOW_HOST) {
                                out.push_str("<template shadowrootmode=\"open\">");
                                if let Some(css) = self.adopted_css(n.id) {
                                    out.push_str("<style data-rr-adopted>");
                                    push_raw(&mut out, &css);
                                    out.push_str("</style>");
                                }
                                stack.push(Step::Close("template-shadow".to_owned()));
                                raw_depth.push(false);
                                for &c in shadow.iter().rev() {
                                    stack.push(Step::Open(c));
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        if top && !saw_doctype {
            out.insert_str(0, "<!DOCTYPE html>");
        }
        out
    }

    /// Our restoring script, last in `<body>`: scroll positions and focus.
    fn after_body(&self, out: &mut String) {
        if !self.opts.restore_scroll {
            return;
        }
        let (x, y) = self.state.window_scroll;
        out.push_str("<script data-rr-restore>(function(){var r=document.documentElement;");
        out.push_str("r.style.scrollBehavior='auto';");
        out.push_str("document.querySelectorAll('[data-rr-scroll-top]').forEach(function(e){");
        out.push_str("e.scrollTop=+e.getAttribute('data-rr-scroll-top');e.scrollLeft=+e.getAttribute('data-rr-scroll-left');});");
        out.push_str(&format!("window.scrollTo({},{});", fmt_num(x), fmt_num(y)));
        out.push_str("var f=document.querySelector('[data-rr-focused]');if(f){f.focus({preventScroll:true});}");
        out.push_str("})();</script>");
    }
}

impl State {
    /// The DOM at this moment as a self-contained HTML document (see [`HtmlOptions`]).
    pub fn to_html(&self) -> String {
        self.to_html_with(HtmlOptions::default())
    }

    /// [`State::to_html`] with options.
    pub fn to_html_with(&self, opts: HtmlOptions) -> String {
        let root = self.dom.root();
        if root == NIL {
            return "<!DOCTYPE html><html><head></head><body></body></html>".to_owned();
        }
        let w = Writer {
            state: self,
            dom: &self.dom,
            opts,
        };
        match self.dom.node(root).map(|n| n.kind) {
            Some(DomKind::Document) => w.document(root, 0, true),
            _ => String::new(),
        }
    }
}
