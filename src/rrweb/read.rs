//! rrweb JSON -> model: the reader behind [`crate::rrweb::read`] and [`Reader`].
//!
//! How it works, and why:
//! - **Two passes per event, one over the bytes.** serde_json streams the top-level
//!   array; each element is parsed into our own [`Json`] tree (which keeps integers and
//!   floats apart, and object keys in order), then converted into the typed model. The
//!   intermediate tree costs an allocation per value, but it lets an invalid event be
//!   skipped whole in lenient mode, lets every error name a JSON path, and keeps unknown
//!   fields verbatim (`extra`), which a derive-based typed parse cannot do losslessly.
//! - **Depth is ours.** serde_json's recursion limit is off (`disable_recursion_limit`)
//!   because its fixed 128 rejects real DOMs; [`JsonSeed`] enforces
//!   [`Limits::json_depth`] instead, so a hostile input still cannot overflow the stack.
//! - **Node trees are flattened with an explicit stack** ([`NodeTree`]'s `from_json`), so
//!   a page thousands of levels deep never recurses.
//! - **Paths are built on the way out.** A [`Fail`] collects its path innermost first as
//!   the error unwinds, so the happy path never formats a path.

use std::fmt;

use serde::de::{DeserializeSeed, SeqAccess, Visitor};

use crate::error::{Recovered, RrwebError};
use crate::limits::Limits;
use crate::model::json::JsonSeed;
use crate::model::*;

/// One step of a JSON path.
#[derive(Debug, Clone)]
enum Seg {
    Key(String),
    Index(usize),
}

/// Why a value could not be converted, and where (path stored innermost first).
#[derive(Debug)]
struct Fail {
    path: Vec<Seg>,
    reason: String,
    limit: Option<(&'static str, usize)>,
}

impl Fail {
    fn new(reason: impl Into<String>) -> Self {
        Fail {
            path: Vec::new(),
            reason: reason.into(),
            limit: None,
        }
    }
    fn limit(what: &'static str, limit: usize) -> Self {
        Fail {
            path: Vec::new(),
            reason: String::new(),
            limit: Some((what, limit)),
        }
    }
    fn at_key(mut self, key: &str) -> Self {
        self.path.push(Seg::Key(key.to_owned()));
        self
    }
    fn at_index(mut self, i: usize) -> Self {
        self.path.push(Seg::Index(i));
        self
    }
    fn path_string(&self) -> String {
        let mut s = String::from("$");
        for seg in self.path.iter().rev() {
            match seg {
                Seg::Key(k) => {
                    s.push('.');
                    s.push_str(k);
                }
                Seg::Index(i) => {
                    s.push('[');
                    s.push_str(&i.to_string());
                    s.push(']');
                }
            }
        }
        s
    }
    fn into_error(self, index: usize) -> RrwebError {
        let path = self.path_string();
        match self.limit {
            Some((what, limit)) => RrwebError::LimitExceeded {
                index,
                path,
                what,
                limit,
            },
            None => RrwebError::InvalidEvent {
                index,
                path,
                reason: self.reason,
            },
        }
    }
}

type Res<T> = Result<T, Fail>;

fn expected(what: &str, found: &Json) -> Fail {
    Fail::new(format!("expected {what}, found {}", found.type_name()))
}

/// Conversion context: the limits.
struct Cx<'a> {
    limits: &'a Limits,
}

/// Values that can be read from a [`Json`].
trait FromJson: Sized {
    fn from_json(v: Json, cx: &Cx) -> Res<Self>;
}

impl FromJson for Json {
    fn from_json(v: Json, _: &Cx) -> Res<Self> {
        Ok(v)
    }
}

impl FromJson for String {
    fn from_json(v: Json, cx: &Cx) -> Res<Self> {
        match v {
            Json::Str(s) if s.len() > cx.limits.string_len => {
                Err(Fail::limit("string length", cx.limits.string_len))
            }
            Json::Str(s) => Ok(s),
            other => Err(expected("a string", &other)),
        }
    }
}

impl FromJson for bool {
    fn from_json(v: Json, _: &Cx) -> Res<Self> {
        match v {
            Json::Bool(b) => Ok(b),
            other => Err(expected("a boolean", &other)),
        }
    }
}

impl FromJson for i64 {
    fn from_json(v: Json, _: &Cx) -> Res<Self> {
        match v {
            Json::Int(i) => Ok(i),
            other => Err(expected("an integer", &other)),
        }
    }
}

impl FromJson for Num {
    fn from_json(v: Json, _: &Cx) -> Res<Self> {
        v.as_num().ok_or_else(|| expected("a number", &v))
    }
}

impl FromJson for NodeId {
    fn from_json(v: Json, _: &Cx) -> Res<Self> {
        match v {
            Json::Int(i) => i32::try_from(i)
                .map(NodeId)
                .map_err(|_| Fail::new(format!("node id {i} is out of range"))),
            other => Err(expected("an integer node id", &other)),
        }
    }
}

impl FromJson for Timestamp {
    fn from_json(v: Json, _: &Cx) -> Res<Self> {
        match v {
            Json::Int(i) => Ok(Timestamp(i)),
            other => Err(expected("an integer timestamp", &other)),
        }
    }
}

/// `null` reads as `None`.
impl<T: FromJson> FromJson for Option<T> {
    fn from_json(v: Json, cx: &Cx) -> Res<Self> {
        match v {
            Json::Null => Ok(None),
            other => T::from_json(other, cx).map(Some),
        }
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(v: Json, cx: &Cx) -> Res<Self> {
        match v {
            Json::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.into_iter().enumerate() {
                    out.push(T::from_json(item, cx).map_err(|f| f.at_index(i))?);
                }
                Ok(out)
            }
            other => Err(expected("an array", &other)),
        }
    }
}

/// An object being taken apart field by field; what is left becomes `extra`.
///
/// Fields are found by a linear scan: rrweb objects have a handful of keys, where a map
/// would cost more to build than the scans it saves. Taking a field removes it, so
/// whatever remains at the end is exactly the unknown fields, in their original order.
struct Obj {
    fields: Vec<(String, Json)>,
}

impl Obj {
    fn from(v: Json) -> Res<Obj> {
        match v {
            Json::Object(fields) => Ok(Obj { fields }),
            other => Err(expected("an object", &other)),
        }
    }

    fn take(&mut self, key: &str) -> Option<Json> {
        let i = self.fields.iter().position(|(k, _)| k == key)?;
        Some(self.fields.remove(i).1)
    }

    fn req<T: FromJson>(&mut self, key: &str, cx: &Cx) -> Res<T> {
        match self.take(key) {
            Some(v) => T::from_json(v, cx).map_err(|f| f.at_key(key)),
            None => Err(Fail::new(format!("missing field `{key}`"))),
        }
    }

    /// An optional field: absent reads as `None`; a present value must convert to `T`
    /// (use `Option<U>` for `T` when `null` is allowed).
    fn opt<T: FromJson>(&mut self, key: &str, cx: &Cx) -> Res<Option<T>> {
        match self.take(key) {
            Some(v) => T::from_json(v, cx).map(Some).map_err(|f| f.at_key(key)),
            None => Ok(None),
        }
    }

    fn rest(self) -> Extra {
        self.fields
    }
}

/// Implements [`FromJson`] for a struct read from an object.
macro_rules! from_obj {
    ($ty:ty, |$o:ident, $cx:ident| $body:expr) => {
        impl FromJson for $ty {
            fn from_json(v: Json, $cx: &Cx) -> Res<Self> {
                let mut $o = Obj::from(v)?;
                $body
            }
        }
    };
}

fn attr_value(v: Json, cx: &Cx) -> Res<AttrValue> {
    Ok(match v {
        Json::Str(s) => AttrValue::Str(String::from_json(Json::Str(s), cx)?),
        Json::Int(i) => AttrValue::Num(Num::Int(i)),
        Json::Float(f) => AttrValue::Num(Num::Float(f)),
        Json::Bool(b) => AttrValue::Bool(b),
        Json::Null => AttrValue::Removed,
        Json::Object(fields) => match style_diff(&fields) {
            Some(diff) => AttrValue::StyleDiff(diff),
            None => AttrValue::Other(Json::Object(fields)),
        },
        other => AttrValue::Other(other),
    })
}

/// A style diff (`{prop: "v" | ["v", "prio"] | false}`), if the object has exactly that shape.
fn style_diff(fields: &[(String, Json)]) -> Option<Vec<(String, StyleChange)>> {
    fields
        .iter()
        .map(|(k, v)| {
            let change = match v {
                Json::Str(s) => StyleChange::Set(s.clone()),
                Json::Bool(false) => StyleChange::Remove,
                Json::Array(items) => match items.as_slice() {
                    [Json::Str(value), Json::Str(prio)] => {
                        StyleChange::SetWithPriority(value.clone(), prio.clone())
                    }
                    _ => return None,
                },
                _ => return None,
            };
            Some((k.clone(), change))
        })
        .collect()
}

fn attributes(v: Json, cx: &Cx) -> Res<Attributes> {
    match v {
        Json::Object(fields) => {
            let mut out = Attributes::with_capacity(fields.len());
            for (name, value) in fields {
                let value = attr_value(value, cx).map_err(|f| f.at_key(&name))?;
                out.push(Attribute { name, value });
            }
            Ok(out)
        }
        other => Err(expected("an object of attributes", &other)),
    }
}

/// Reads one node object; returns it and its `childNodes` if it had them.
fn node(v: Json, cx: &Cx) -> Res<(SerializedNode, Option<Vec<Json>>)> {
    let mut o = Obj::from(v)?;
    let type_code: i64 = o.req("type", cx)?;
    let children = match o.take("childNodes") {
        Some(Json::Array(items)) => Some(items),
        Some(other) => return Err(expected("an array", &other).at_key("childNodes")),
        None => None,
    };
    let mut shape = NodeShape::empty();
    if children.is_some() {
        shape |= NodeShape::CHILD_LIST;
    }
    let kind = match type_code {
        0 => NodeKind::Document {
            compat_mode: o.opt("compatMode", cx)?,
        },
        1 => NodeKind::DocumentType {
            name: o.req("name", cx)?,
            public_id: o.req("publicId", cx)?,
            system_id: o.req("systemId", cx)?,
        },
        2 => NodeKind::Element {
            tag: o.req("tagName", cx)?,
            attributes: match o.take("attributes") {
                Some(v) => attributes(v, cx).map_err(|f| f.at_key("attributes"))?,
                None => {
                    shape |= NodeShape::NO_ATTRIBUTES;
                    Attributes::new()
                }
            },
            is_svg: o.opt("isSVG", cx)?,
            need_block: o.opt("needBlock", cx)?,
            is_custom: o.opt("isCustom", cx)?,
        },
        3 => NodeKind::Text {
            text: o.req("textContent", cx)?,
            is_style: o.opt("isStyle", cx)?,
        },
        4 => NodeKind::CData {
            text: o.req("textContent", cx)?,
        },
        5 => NodeKind::Comment {
            text: o.req("textContent", cx)?,
        },
        other => NodeKind::Unknown { type_code: other },
    };
    let node = SerializedNode {
        id: o.req("id", cx)?,
        kind,
        root_id: o.opt("rootId", cx)?,
        is_shadow_host: o.opt("isShadowHost", cx)?,
        is_shadow: o.opt("isShadow", cx)?,
        shape,
        extra: o.rest(),
    };
    Ok((node, children))
}

/// Reads a nested rrweb node into a flat pre-order [`NodeTree`], without recursion.
impl FromJson for NodeTree {
    fn from_json(v: Json, cx: &Cx) -> Res<Self> {
        struct Frame {
            children: std::vec::IntoIter<Json>,
            parent: u32,
            next_child: usize,
        }
        // On failure, the path is rebuilt from the frames: childNodes[i] per level.
        fn fail_at(f: Fail, stack: &[Frame]) -> Fail {
            let mut f = f;
            for frame in stack.iter().rev() {
                f = f.at_index(frame.next_child - 1).at_key("childNodes");
            }
            f
        }
        let mut nodes = Vec::new();
        let (root, children) = node(v, cx)?;
        nodes.push(TreeNode {
            parent: None,
            node: root,
        });
        let mut stack = Vec::new();
        if let Some(children) = children {
            stack.push(Frame {
                children: children.into_iter(),
                parent: 0,
                next_child: 0,
            });
        }
        // Invariant: `stack` holds, per open level, the iterator over that level's
        // remaining children and the index (in `nodes`) of their parent, so nodes are
        // pushed in pre-order with their parent already present: the flat form the
        // model and every walker over it rely on.
        while let Some(top) = stack.last_mut() {
            let Some(child) = top.children.next() else {
                stack.pop();
                continue;
            };
            top.next_child += 1;
            let parent = top.parent;
            // Checked before converting the child, so a huge tree stops at the limit
            // rather than after building it.
            if nodes.len() >= cx.limits.nodes {
                return Err(fail_at(Fail::limit("node count", cx.limits.nodes), &stack));
            }
            let (n, grandchildren) = node(child, cx).map_err(|f| fail_at(f, &stack))?;
            let index = nodes.len() as u32;
            nodes.push(TreeNode {
                parent: Some(parent),
                node: n,
            });
            if let Some(gc) = grandchildren {
                stack.push(Frame {
                    children: gc.into_iter(),
                    parent: index,
                    next_child: 0,
                });
            }
        }
        Ok(NodeTree { nodes })
    }
}

from_obj!(ScrollOffset, |o, cx| Ok(ScrollOffset {
    top: o.req("top", cx)?,
    left: o.req("left", cx)?,
    extra: o.rest(),
}));

from_obj!(FullSnapshot, |o, cx| Ok(FullSnapshot {
    tree: o.req("node", cx)?,
    initial_offset: o.req("initialOffset", cx)?,
    extra: o.rest(),
}));

from_obj!(Meta, |o, cx| Ok(Meta {
    href: o.req("href", cx)?,
    width: o.req("width", cx)?,
    height: o.req("height", cx)?,
    extra: o.rest(),
}));

fn tagged(v: Json, name_key: &str, cx: &Cx) -> Res<Tagged> {
    let mut o = Obj::from(v)?;
    Ok(Tagged {
        name: o.req(name_key, cx)?,
        payload: o.req("payload", cx)?,
        extra: o.rest(),
    })
}

from_obj!(TextChange, |o, cx| Ok(TextChange {
    id: o.req("id", cx)?,
    value: o.req("value", cx)?,
    extra: o.rest(),
}));

from_obj!(AttributeChange, |o, cx| Ok(AttributeChange {
    id: o.req("id", cx)?,
    attributes: match o.take("attributes") {
        Some(v) => attributes(v, cx).map_err(|f| f.at_key("attributes"))?,
        None => return Err(Fail::new("missing field `attributes`")),
    },
    extra: o.rest(),
}));

from_obj!(Removal, |o, cx| Ok(Removal {
    parent_id: o.req("parentId", cx)?,
    id: o.req("id", cx)?,
    is_shadow: o.opt("isShadow", cx)?,
    extra: o.rest(),
}));

from_obj!(Addition, |o, cx| Ok(Addition {
    parent_id: o.req("parentId", cx)?,
    next_id: o.req("nextId", cx)?,
    previous_id: o.opt("previousId", cx)?,
    node: o.req("node", cx)?,
    extra: o.rest(),
}));

from_obj!(Position, |o, cx| Ok(Position {
    x: o.req("x", cx)?,
    y: o.req("y", cx)?,
    id: o.req("id", cx)?,
    time_offset: o.req("timeOffset", cx)?,
    extra: o.rest(),
}));

impl FromJson for RuleIndex {
    fn from_json(v: Json, cx: &Cx) -> Res<Self> {
        match v {
            Json::Int(i) => Ok(RuleIndex::Flat(i)),
            other @ Json::Array(_) => Vec::<i64>::from_json(other, cx).map(RuleIndex::Nested),
            other => Err(expected("a rule index", &other)),
        }
    }
}

from_obj!(RuleRemoval, |o, cx| Ok(RuleRemoval {
    index: o.req("index", cx)?,
    extra: o.rest(),
}));

from_obj!(RuleInsertion, |o, cx| Ok(RuleInsertion {
    rule: o.req("rule", cx)?,
    index: o.opt("index", cx)?,
    extra: o.rest(),
}));

from_obj!(StyleSet, |o, cx| Ok(StyleSet {
    property: o.req("property", cx)?,
    value: o.req("value", cx)?,
    priority: o.opt("priority", cx)?,
    extra: o.rest(),
}));

from_obj!(StyleRemove, |o, cx| Ok(StyleRemove {
    property: o.req("property", cx)?,
    extra: o.rest(),
}));

from_obj!(SelectionRange, |o, cx| Ok(SelectionRange {
    start: o.req("start", cx)?,
    start_offset: o.req("startOffset", cx)?,
    end: o.req("end", cx)?,
    end_offset: o.req("endOffset", cx)?,
    extra: o.rest(),
}));

from_obj!(AdoptedRule, |o, cx| Ok(AdoptedRule {
    rule: o.req("rule", cx)?,
    index: o.opt("index", cx)?,
    extra: o.rest(),
}));

from_obj!(AdoptedStyle, |o, cx| Ok(AdoptedStyle {
    style_id: o.req("styleId", cx)?,
    rules: o.req("rules", cx)?,
    extra: o.rest(),
}));

from_obj!(CustomElementDefine, |o, cx| Ok(CustomElementDefine {
    name: o.req("name", cx)?,
    extra: o.rest(),
}));

fn incremental(v: Json, cx: &Cx) -> Res<Incremental> {
    let mut o = Obj::from(v)?;
    let source: i64 = o.req("source", cx)?;
    let o = &mut o;
    Ok(match source {
        0 => Incremental::Mutation(Mutation {
            texts: o.req("texts", cx)?,
            attributes: o.req("attributes", cx)?,
            removes: o.req("removes", cx)?,
            adds: o.req("adds", cx)?,
            is_attach_iframe: o.opt("isAttachIframe", cx)?,
            extra: std::mem::take(&mut o.fields),
        }),
        1 | 6 | 12 => Incremental::Moves(PointerMoves {
            source: MoveSource::from_code(source),
            positions: o.req("positions", cx)?,
            extra: std::mem::take(&mut o.fields),
        }),
        2 => Incremental::MouseInteraction(MouseInteraction {
            kind: MouseInteractionKind::from_code(o.req("type", cx)?),
            id: o.req("id", cx)?,
            x: o.opt("x", cx)?,
            y: o.opt("y", cx)?,
            pointer_type: o.opt::<i64>("pointerType", cx)?.map(PointerKind::from_code),
            extra: std::mem::take(&mut o.fields),
        }),
        3 => Incremental::Scroll(Scroll {
            id: o.req("id", cx)?,
            x: o.req("x", cx)?,
            y: o.req("y", cx)?,
            extra: std::mem::take(&mut o.fields),
        }),
        4 => Incremental::ViewportResize(ViewportResize {
            width: o.req("width", cx)?,
            height: o.req("height", cx)?,
            extra: std::mem::take(&mut o.fields),
        }),
        5 => Incremental::Input(Input {
            text: o.req("text", cx)?,
            is_checked: o.req("isChecked", cx)?,
            id: o.req("id", cx)?,
            user_triggered: o.opt("userTriggered", cx)?,
            extra: std::mem::take(&mut o.fields),
        }),
        7 => Incremental::MediaInteraction(MediaInteraction {
            kind: MediaInteractionKind::from_code(o.req("type", cx)?),
            id: o.req("id", cx)?,
            current_time: o.opt("currentTime", cx)?,
            volume: o.opt("volume", cx)?,
            muted: o.opt("muted", cx)?,
            looping: o.opt("loop", cx)?,
            playback_rate: o.opt("playbackRate", cx)?,
            extra: std::mem::take(&mut o.fields),
        }),
        8 => Incremental::StyleSheetRule(StyleSheetRule {
            id: o.opt("id", cx)?,
            style_id: o.opt("styleId", cx)?,
            removes: o.opt("removes", cx)?,
            adds: o.opt("adds", cx)?,
            replace: o.opt("replace", cx)?,
            replace_sync: o.opt("replaceSync", cx)?,
            extra: std::mem::take(&mut o.fields),
        }),
        9 => Incremental::CanvasMutation(CanvasMutation {
            id: o.req("id", cx)?,
            fields: std::mem::take(&mut o.fields),
        }),
        10 => Incremental::Font(Font {
            family: o.req("family", cx)?,
            font_source: o.req("fontSource", cx)?,
            buffer: o.req("buffer", cx)?,
            descriptors: o.opt("descriptors", cx)?,
            extra: std::mem::take(&mut o.fields),
        }),
        11 => Incremental::Log(std::mem::take(&mut o.fields)),
        13 => Incremental::StyleDeclaration(StyleDeclaration {
            id: o.opt("id", cx)?,
            style_id: o.opt("styleId", cx)?,
            index: o.req("index", cx)?,
            set: o.opt("set", cx)?,
            remove: o.opt("remove", cx)?,
            extra: std::mem::take(&mut o.fields),
        }),
        14 => Incremental::Selection(Selection {
            ranges: o.req("ranges", cx)?,
            extra: std::mem::take(&mut o.fields),
        }),
        15 => Incremental::AdoptedStyleSheet(AdoptedStyleSheet {
            id: o.req("id", cx)?,
            styles: o.opt("styles", cx)?,
            style_ids: o.req("styleIds", cx)?,
            extra: std::mem::take(&mut o.fields),
        }),
        16 => Incremental::CustomElement(CustomElement {
            define: o.opt("define", cx)?,
            extra: std::mem::take(&mut o.fields),
        }),
        other => Incremental::Unknown {
            source: other,
            fields: std::mem::take(&mut o.fields),
        },
    })
}

fn event(v: Json, cx: &Cx) -> Res<Event> {
    let mut o = Obj::from(v)?;
    let type_code: i64 = o.req("type", cx)?;
    let timestamp: Timestamp = o.req("timestamp", cx)?;
    let data = |o: &mut Obj| o.take("data");
    let kind = match type_code {
        0 => EventKind::DomContentLoaded(data(&mut o)),
        1 => EventKind::Load(data(&mut o)),
        2 => EventKind::FullSnapshot(o.req("data", cx)?),
        3 => match data(&mut o) {
            Some(v) => EventKind::Incremental(incremental(v, cx).map_err(|f| f.at_key("data"))?),
            None => return Err(Fail::new("missing field `data`")),
        },
        4 => EventKind::Meta(o.req("data", cx)?),
        5..=7 => {
            let key = match type_code {
                5 => "tag",
                6 => "plugin",
                _ => "url",
            };
            let Some(v) = data(&mut o) else {
                return Err(Fail::new("missing field `data`"));
            };
            let t = tagged(v, key, cx).map_err(|f| f.at_key("data"))?;
            match type_code {
                5 => EventKind::Custom(t),
                6 => EventKind::Plugin(t),
                _ => EventKind::Asset(t),
            }
        }
        other => EventKind::Unknown {
            type_code: other,
            data: data(&mut o),
        },
    };
    Ok(Event {
        timestamp,
        kind,
        extra: o.rest(),
    })
}

/// Reads rrweb JSON with chosen limits and strictness.
///
/// ```
/// use session_replay::rrweb::Reader;
/// let json = br#"[{"type":4,"data":{"href":"https://x.test/","width":800,"height":600},"timestamp":1}]"#;
/// let events = Reader::new().read(json).unwrap();
/// assert_eq!(events.len(), 1);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Reader {
    limits: Limits,
}

impl Reader {
    /// A reader with the default [`Limits`].
    pub fn new() -> Self {
        Reader::default()
    }

    /// Uses these limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Reads every event; the first problem is an error.
    pub fn read(&self, input: &[u8]) -> Result<Vec<Event>, RrwebError> {
        let mut out = self.run(input, false);
        match out.errors.drain(..).next() {
            Some(e) => Err(e),
            None => Ok(out.events),
        }
    }

    /// Reads every valid event, skipping invalid ones and stopping at a syntax error;
    /// reports what went wrong alongside.
    pub fn read_recovering(&self, input: &[u8]) -> Recovered<RrwebError> {
        self.run(input, true)
    }

    /// Reads the events up to the first problem: those that read cleanly before it, and
    /// the problem (at most one error); what [`Reader::read`] reads, keeping the valid
    /// part. The streaming scrubber uses it to go on from where its scanner stopped.
    pub(crate) fn read_until_error(&self, input: &[u8]) -> Recovered<RrwebError> {
        self.run(input, false)
    }

    fn run(&self, input: &[u8], lenient: bool) -> Recovered<RrwebError> {
        let mut out = Recovered::default();
        if input.len() > self.limits.input_bytes {
            out.errors.push(RrwebError::InputTooLarge {
                size: input.len(),
                limit: self.limits.input_bytes,
            });
            return out;
        }
        let mut de = serde_json::Deserializer::from_slice(input);
        de.disable_recursion_limit();
        let mut status = TopStatus::default();
        let result = TopLevel {
            cx: Cx {
                limits: &self.limits,
            },
            out: &mut out,
            lenient,
            status: &mut status,
        }
        .deserialize(&mut de)
        .and_then(|()| de.end());
        if let Err(e) = result {
            if let Some(found) = status.not_an_array {
                out.errors.push(RrwebError::NotAnArray {
                    found: found.to_owned(),
                });
            } else if !status.stopped {
                out.errors.push(RrwebError::Syntax {
                    line: e.line(),
                    column: e.column(),
                    event_index: status.seen,
                    message: e.to_string(),
                });
            }
        }
        out
    }
}

/// What the top-level visitor saw, beyond the events themselves.
#[derive(Default)]
struct TopStatus {
    /// Array elements visited so far.
    seen: usize,
    /// Reading stopped on purpose after an invalid event (strict mode).
    stopped: bool,
    /// The top-level value was not an array; what it was.
    not_an_array: Option<&'static str>,
}

struct TopLevel<'a, 'l> {
    cx: Cx<'l>,
    out: &'a mut Recovered<RrwebError>,
    lenient: bool,
    status: &'a mut TopStatus,
}

impl TopLevel<'_, '_> {
    fn not_an_array<E: serde::de::Error>(self, found: &'static str) -> Result<(), E> {
        self.status.not_an_array = Some(found);
        Err(E::custom(format_args!(
            "a recording is an array; found {found}"
        )))
    }
}

impl<'de> DeserializeSeed<'de> for TopLevel<'_, '_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TopLevel<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of events")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let seed = JsonSeed {
            depth: 1,
            max_depth: self.cx.limits.json_depth,
        };
        // One event at a time: each element's tree is converted and dropped before the
        // next is parsed, so peak memory is one event's tree plus the model.
        while let Some(v) = seq.next_element_seed(seed)? {
            let index = self.status.seen;
            self.status.seen += 1;
            match event(v, &self.cx) {
                Ok(e) => self.out.events.push(e),
                Err(f) => {
                    self.out.errors.push(f.into_error(index));
                    if !self.lenient {
                        // Strict: stop serde at once (an error is its only way out of a
                        // visitor); `stopped` tells `run` this error is ours, not a
                        // syntax error, so it is not reported twice.
                        self.status.stopped = true;
                        return Err(serde::de::Error::custom("stopped after an invalid event"));
                    }
                }
            }
        }
        Ok(())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        self.not_an_array("an object")
    }
    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<(), E> {
        self.not_an_array("a string")
    }
    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
        self.not_an_array("a boolean")
    }
    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<(), E> {
        self.not_an_array("a number")
    }
    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
        self.not_an_array("a number")
    }
    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
        self.not_an_array("a number")
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        self.not_an_array("null")
    }
}

/// Reads one event from its own JSON bytes (the element at `index` of a top-level
/// array). `None` when the bytes are not exactly one JSON value within the depth limit.
pub(crate) fn read_one(
    input: &[u8],
    index: usize,
    limits: &Limits,
) -> Option<Result<Event, RrwebError>> {
    let mut de = serde_json::Deserializer::from_slice(input);
    de.disable_recursion_limit();
    let v = JsonSeed {
        depth: 1,
        max_depth: limits.json_depth,
    }
    .deserialize(&mut de)
    .ok()?;
    de.end().ok()?;
    Some(event_from_json(v, index, limits))
}

/// Converts one already-parsed JSON value into an event (used by tests and by callers
/// that hold events as JSON values). `index` is used in the error.
pub fn event_from_json(v: Json, index: usize, limits: &Limits) -> Result<Event, RrwebError> {
    event(v, &Cx { limits }).map_err(|f| f.into_error(index))
}
