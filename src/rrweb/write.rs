//! model -> rrweb JSON. Fields are written in the order rrweb's recorder writes them,
//! unknown fields after them; node trees are written without recursion.

use crate::model::*;

/// A compact JSON writer that places commas itself.
pub(crate) struct W<'a> {
    out: &'a mut Vec<u8>,
    comma: bool,
}

impl<'a> W<'a> {
    pub(crate) fn new(out: &'a mut Vec<u8>) -> Self {
        W { out, comma: false }
    }

    fn sep(&mut self) {
        if self.comma {
            self.out.push(b',');
        }
    }

    fn raw(&mut self, s: &str) {
        self.sep();
        self.out.extend_from_slice(s.as_bytes());
        self.comma = true;
    }

    fn begin(&mut self, c: u8) {
        self.sep();
        self.out.push(c);
        self.comma = false;
    }

    fn end(&mut self, c: u8) {
        self.out.push(c);
        self.comma = true;
    }

    fn obj(&mut self) {
        self.begin(b'{');
    }

    fn end_obj(&mut self) {
        self.end(b'}');
    }

    fn arr(&mut self) {
        self.begin(b'[');
    }

    fn end_arr(&mut self) {
        self.end(b']');
    }

    fn key(&mut self, k: &str) {
        self.sep();
        escape(self.out, k);
        self.out.push(b':');
        self.comma = false;
    }

    fn str(&mut self, s: &str) {
        self.sep();
        escape(self.out, s);
        self.comma = true;
    }

    fn int(&mut self, i: i64) {
        self.raw(itoa::Buffer::new().format(i));
    }

    fn float(&mut self, f: f64) {
        self.sep();
        if f.is_finite() {
            // serde_json writes the shortest representation that reads back bit-exact.
            let _ = serde_json::to_writer(&mut *self.out, &f);
        } else {
            self.out.extend_from_slice(b"null");
        }
        self.comma = true;
    }

    fn field<T: ToJson + ?Sized>(&mut self, k: &str, v: &T) {
        self.key(k);
        v.write(self);
    }

    fn opt<T: ToJson>(&mut self, k: &str, v: &Option<T>) {
        if let Some(v) = v {
            self.field(k, v);
        }
    }

    fn extra(&mut self, extra: &Extra) {
        for (k, v) in extra {
            self.field(k, v);
        }
    }
}

/// Which bytes need escaping in a JSON string: 0 = none, else the escape letter
/// (`u` for `\u00XX`).
#[allow(clippy::indexing_slicing)] // constant indices below 256, checked at compile time
const ESCAPE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = b'u';
        i += 1;
    }
    t[0x08] = b'b';
    t[0x09] = b't';
    t[0x0a] = b'n';
    t[0x0c] = b'f';
    t[0x0d] = b'r';
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t
};

/// Writes `s` as a JSON string: quotes, backslashes and control characters escaped,
/// everything else verbatim (as `JSON.stringify` does).
fn escape(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(s.len() + 2);
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc = ESCAPE.get(usize::from(b)).copied().unwrap_or(0);
        if esc == 0 {
            continue;
        }
        out.extend_from_slice(bytes.get(start..i).unwrap_or_default());
        if esc == b'u' {
            out.extend_from_slice(b"\\u00");
            out.push(HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0'));
            out.push(HEX.get(usize::from(b & 0xf)).copied().unwrap_or(b'0'));
        } else {
            out.push(b'\\');
            out.push(esc);
        }
        start = i + 1;
    }
    out.extend_from_slice(bytes.get(start..).unwrap_or_default());
    out.push(b'"');
}

/// Values that can be written as rrweb JSON.
pub(crate) trait ToJson {
    fn write(&self, w: &mut W);
}

impl ToJson for str {
    fn write(&self, w: &mut W) {
        w.str(self);
    }
}

impl ToJson for String {
    fn write(&self, w: &mut W) {
        w.str(self);
    }
}

impl ToJson for bool {
    fn write(&self, w: &mut W) {
        w.raw(if *self { "true" } else { "false" });
    }
}

impl ToJson for i64 {
    fn write(&self, w: &mut W) {
        w.int(*self);
    }
}

impl ToJson for Num {
    fn write(&self, w: &mut W) {
        match *self {
            Num::Int(i) => w.int(i),
            Num::Float(f) => w.float(f),
        }
    }
}

impl ToJson for NodeId {
    fn write(&self, w: &mut W) {
        w.int(i64::from(self.0));
    }
}

impl ToJson for Timestamp {
    fn write(&self, w: &mut W) {
        w.int(self.0);
    }
}

/// `None` is `null` (for fields that are present but may be null).
impl<T: ToJson> ToJson for Option<T> {
    fn write(&self, w: &mut W) {
        match self {
            Some(v) => v.write(w),
            None => w.raw("null"),
        }
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn write(&self, w: &mut W) {
        w.arr();
        for item in self {
            item.write(w);
        }
        w.end_arr();
    }
}

impl ToJson for Json {
    fn write(&self, w: &mut W) {
        match self {
            Json::Null => w.raw("null"),
            Json::Bool(b) => b.write(w),
            Json::Int(i) => w.int(*i),
            Json::UInt(u) => w.raw(itoa::Buffer::new().format(*u)),
            Json::Float(f) => w.float(*f),
            Json::Str(s) => w.str(s),
            Json::Array(items) => items.write(w),
            Json::Object(fields) => {
                w.obj();
                w.extra(fields);
                w.end_obj();
            }
        }
    }
}

impl ToJson for AttrValue {
    fn write(&self, w: &mut W) {
        match self {
            AttrValue::Str(s) => w.str(s),
            AttrValue::Num(n) => n.write(w),
            AttrValue::Bool(b) => b.write(w),
            AttrValue::Removed => w.raw("null"),
            AttrValue::StyleDiff(props) => {
                w.obj();
                for (k, change) in props {
                    w.key(k);
                    match change {
                        StyleChange::Set(v) => w.str(v),
                        StyleChange::SetWithPriority(v, p) => {
                            w.arr();
                            w.str(v);
                            w.str(p);
                            w.end_arr();
                        }
                        StyleChange::Remove => w.raw("false"),
                    }
                }
                w.end_obj();
            }
            AttrValue::Other(j) => j.write(w),
        }
    }
}

impl ToJson for Attributes {
    fn write(&self, w: &mut W) {
        w.obj();
        for a in self {
            w.field(&a.name, &a.value);
        }
        w.end_obj();
    }
}

/// Writes a node's fields up to (not including) `childNodes`.
fn node_head(n: &SerializedNode, w: &mut W) {
    w.obj();
    w.field("type", &n.kind.type_code());
    match &n.kind {
        NodeKind::Document { .. } | NodeKind::Unknown { .. } => {}
        NodeKind::DocumentType {
            name,
            public_id,
            system_id,
        } => {
            w.field("name", name);
            w.field("publicId", public_id);
            w.field("systemId", system_id);
        }
        NodeKind::Element {
            tag, attributes, ..
        } => {
            w.field("tagName", tag);
            if !(n.shape.contains(NodeShape::NO_ATTRIBUTES) && attributes.is_empty()) {
                w.field("attributes", attributes);
            }
        }
        NodeKind::Text { text, .. } | NodeKind::CData { text } | NodeKind::Comment { text } => {
            w.field("textContent", text);
        }
    }
}

/// Writes a node's fields after `childNodes`, and closes it.
fn node_tail(n: &SerializedNode, w: &mut W) {
    match &n.kind {
        NodeKind::Document { compat_mode } => w.opt("compatMode", compat_mode),
        NodeKind::Element {
            is_svg,
            need_block,
            is_custom,
            ..
        } => {
            w.opt("isSVG", is_svg);
            w.opt("needBlock", need_block);
            w.opt("isCustom", is_custom);
        }
        NodeKind::Text { is_style, .. } => w.opt("isStyle", is_style),
        _ => {}
    }
    w.field("id", &n.id);
    w.opt("rootId", &n.root_id);
    w.opt("isShadowHost", &n.is_shadow_host);
    w.opt("isShadow", &n.is_shadow);
    w.extra(&n.extra);
    w.end_obj();
}

impl ToJson for NodeTree {
    fn write(&self, w: &mut W) {
        let Some(first) = self.nodes.first() else {
            w.raw("null");
            return;
        };
        let children = self.children_index();
        // Each frame: the node index and how many of its children are written.
        let mut stack: Vec<(usize, usize)> = Vec::new();
        let open = |i: usize, n: &SerializedNode, w: &mut W, stack: &mut Vec<(usize, usize)>| {
            node_head(n, w);
            let has_kids = children.get(i).is_some_and(|c| !c.is_empty());
            if n.shape.contains(NodeShape::CHILD_LIST) || has_kids {
                w.key("childNodes");
                w.arr();
                stack.push((i, 0));
            } else {
                node_tail(n, w);
            }
        };
        open(0, &first.node, w, &mut stack);
        while let Some(&mut (i, ref mut done)) = stack.last_mut() {
            let next = children.get(i).and_then(|c| c.get(*done)).copied();
            match next {
                Some(child) => {
                    *done += 1;
                    if let Some(c) = self.nodes.get(child as usize) {
                        open(child as usize, &c.node, w, &mut stack);
                    }
                }
                None => {
                    stack.pop();
                    w.end_arr();
                    if let Some(n) = self.nodes.get(i) {
                        node_tail(&n.node, w);
                    }
                }
            }
        }
    }
}

macro_rules! to_obj {
    ($ty:ty, |$s:ident, $w:ident| $body:block) => {
        impl ToJson for $ty {
            fn write(&self, $w: &mut W) {
                let $s = self;
                $w.obj();
                $body
                $w.extra(&$s.extra);
                $w.end_obj();
            }
        }
    };
}

to_obj!(ScrollOffset, |s, w| {
    w.field("top", &s.top);
    w.field("left", &s.left);
});

to_obj!(TextChange, |s, w| {
    w.field("id", &s.id);
    w.field("value", &s.value);
});

to_obj!(AttributeChange, |s, w| {
    w.field("id", &s.id);
    w.field("attributes", &s.attributes);
});

to_obj!(Removal, |s, w| {
    w.field("parentId", &s.parent_id);
    w.field("id", &s.id);
    w.opt("isShadow", &s.is_shadow);
});

to_obj!(Addition, |s, w| {
    w.field("parentId", &s.parent_id);
    w.field("nextId", &s.next_id);
    w.opt("previousId", &s.previous_id);
    w.field("node", &s.node);
});

to_obj!(Position, |s, w| {
    w.field("x", &s.x);
    w.field("y", &s.y);
    w.field("id", &s.id);
    w.field("timeOffset", &s.time_offset);
});

impl ToJson for RuleIndex {
    fn write(&self, w: &mut W) {
        match self {
            RuleIndex::Flat(i) => w.int(*i),
            RuleIndex::Nested(path) => path.write(w),
        }
    }
}

to_obj!(RuleRemoval, |s, w| {
    w.field("index", &s.index);
});

to_obj!(RuleInsertion, |s, w| {
    w.field("rule", &s.rule);
    w.opt("index", &s.index);
});

to_obj!(StyleSet, |s, w| {
    w.field("property", &s.property);
    w.field("value", &s.value);
    w.opt("priority", &s.priority);
});

to_obj!(StyleRemove, |s, w| {
    w.field("property", &s.property);
});

to_obj!(SelectionRange, |s, w| {
    w.field("start", &s.start);
    w.field("startOffset", &s.start_offset);
    w.field("end", &s.end);
    w.field("endOffset", &s.end_offset);
});

to_obj!(AdoptedRule, |s, w| {
    w.field("rule", &s.rule);
    w.opt("index", &s.index);
});

to_obj!(AdoptedStyle, |s, w| {
    w.field("styleId", &s.style_id);
    w.field("rules", &s.rules);
});

to_obj!(CustomElementDefine, |s, w| {
    w.field("name", &s.name);
});

fn incremental(inc: &Incremental, w: &mut W) {
    w.obj();
    w.field("source", &inc.source_code());
    let extra = match inc {
        Incremental::Mutation(m) => {
            w.field("texts", &m.texts);
            w.field("attributes", &m.attributes);
            w.field("removes", &m.removes);
            w.field("adds", &m.adds);
            w.opt("isAttachIframe", &m.is_attach_iframe);
            &m.extra
        }
        Incremental::Moves(m) => {
            w.field("positions", &m.positions);
            &m.extra
        }
        Incremental::MouseInteraction(m) => {
            w.field("type", &m.kind.code());
            w.field("id", &m.id);
            w.opt("x", &m.x);
            w.opt("y", &m.y);
            w.opt("pointerType", &m.pointer_type.map(PointerKind::code));
            &m.extra
        }
        Incremental::Scroll(s) => {
            w.field("id", &s.id);
            w.field("x", &s.x);
            w.field("y", &s.y);
            &s.extra
        }
        Incremental::ViewportResize(v) => {
            w.field("width", &v.width);
            w.field("height", &v.height);
            &v.extra
        }
        Incremental::Input(i) => {
            w.field("text", &i.text);
            w.field("isChecked", &i.is_checked);
            w.field("id", &i.id);
            w.opt("userTriggered", &i.user_triggered);
            &i.extra
        }
        Incremental::MediaInteraction(m) => {
            w.field("type", &m.kind.code());
            w.field("id", &m.id);
            w.opt("currentTime", &m.current_time);
            w.opt("volume", &m.volume);
            w.opt("muted", &m.muted);
            w.opt("loop", &m.looping);
            w.opt("playbackRate", &m.playback_rate);
            &m.extra
        }
        Incremental::StyleSheetRule(r) => {
            w.opt("id", &r.id);
            w.opt("styleId", &r.style_id);
            w.opt("removes", &r.removes);
            w.opt("adds", &r.adds);
            w.opt("replace", &r.replace);
            w.opt("replaceSync", &r.replace_sync);
            &r.extra
        }
        Incremental::CanvasMutation(c) => {
            w.field("id", &c.id);
            &c.fields
        }
        Incremental::Font(f) => {
            w.field("family", &f.family);
            w.field("fontSource", &f.font_source);
            w.field("buffer", &f.buffer);
            w.opt("descriptors", &f.descriptors);
            &f.extra
        }
        Incremental::Log(fields) => fields,
        Incremental::StyleDeclaration(d) => {
            w.opt("id", &d.id);
            w.opt("styleId", &d.style_id);
            w.field("index", &d.index);
            w.opt("set", &d.set);
            w.opt("remove", &d.remove);
            &d.extra
        }
        Incremental::Selection(s) => {
            w.field("ranges", &s.ranges);
            &s.extra
        }
        Incremental::AdoptedStyleSheet(a) => {
            w.field("id", &a.id);
            w.opt("styles", &a.styles);
            w.field("styleIds", &a.style_ids);
            &a.extra
        }
        Incremental::CustomElement(c) => {
            w.opt("define", &c.define);
            &c.extra
        }
        Incremental::Unknown { fields, .. } => fields,
    };
    w.extra(extra);
    w.end_obj();
}

fn tagged(t: &Tagged, name_key: &str, w: &mut W) {
    w.obj();
    w.field(name_key, &t.name);
    w.field("payload", &t.payload);
    w.extra(&t.extra);
    w.end_obj();
}

impl ToJson for Event {
    fn write(&self, w: &mut W) {
        w.obj();
        w.field("type", &self.kind.type_code());
        match &self.kind {
            EventKind::DomContentLoaded(data)
            | EventKind::Load(data)
            | EventKind::Unknown { data, .. } => w.opt("data", data),
            EventKind::FullSnapshot(s) => {
                w.key("data");
                w.obj();
                w.field("node", &s.tree);
                w.field("initialOffset", &s.initial_offset);
                w.extra(&s.extra);
                w.end_obj();
            }
            EventKind::Incremental(inc) => {
                w.key("data");
                incremental(inc, w);
            }
            EventKind::Meta(m) => {
                w.key("data");
                w.obj();
                w.field("href", &m.href);
                w.field("width", &m.width);
                w.field("height", &m.height);
                w.extra(&m.extra);
                w.end_obj();
            }
            EventKind::Custom(t) => {
                w.key("data");
                tagged(t, "tag", w);
            }
            EventKind::Plugin(t) => {
                w.key("data");
                tagged(t, "plugin", w);
            }
            EventKind::Asset(t) => {
                w.key("data");
                tagged(t, "url", w);
            }
        }
        w.field("timestamp", &self.timestamp);
        w.extra(&self.extra);
        w.end_obj();
    }
}

/// Appends the JSON of one event to `out`.
pub fn write_event(event: &Event, out: &mut Vec<u8>) {
    event.write(&mut W::new(out));
}

/// Appends a JSON array of `events` to `out`, compact, as rrweb's recorder writes it.
pub fn write_events_to(events: &[Event], out: &mut Vec<u8>) {
    let mut w = W::new(out);
    w.arr();
    for e in events {
        e.write(&mut w);
    }
    w.end_arr();
}

/// The JSON array of `events`, compact, as rrweb's recorder writes it.
pub fn write_events(events: &[Event]) -> Vec<u8> {
    let mut out = Vec::with_capacity(events.len() * 128);
    write_events_to(events, &mut out);
    out
}

/// The JSON of a single value that the model carries opaquely, e.g. a custom payload.
pub fn write_json(value: &Json) -> Vec<u8> {
    let mut out = Vec::new();
    write_json_to(value, &mut out);
    out
}

/// Appends the JSON of a single opaque value to `out`.
pub fn write_json_to(value: &Json, out: &mut Vec<u8>) {
    value.write(&mut W::new(out));
}

/// Appends a JSON string, quoted and escaped, to `out`.
pub fn write_json_str_to(s: &str, out: &mut Vec<u8>) {
    escape(out, s);
}
