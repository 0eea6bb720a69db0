//! Events: every rrweb 2.x event type and incremental source.

use bincode::{Decode, Encode};
use serde::{Deserialize, Serialize};

use super::{Attributes, EventClass, Extra, Json, NodeId, NodeTree, Num, Timestamp};

/// Declares a numeric code enum with a lossless `Other` fallback.
macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:expr),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Encode, Decode,
        )]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A code this crate does not know, kept as written.
            Other(i64),
        }
        impl $name {
            /// The enum for a numeric code.
            pub fn from_code(code: i64) -> Self {
                match code {
                    $($code => $name::$variant,)+
                    other => $name::Other(other),
                }
            }
            /// The numeric code as rrweb writes it.
            pub fn code(self) -> i64 {
                match self {
                    $($name::$variant => $code,)+
                    $name::Other(other) => other,
                }
            }
        }
        impl std::fmt::Display for $name {
            /// The variant's name (`Click`), or `Other(code)`.
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self {
                    $($name::$variant => f.pad(stringify!($variant)),)+
                    $name::Other(code) => write!(f, "Other({code})"),
                }
            }
        }
    };
}

code_enum! {
    /// rrweb's `MouseInteractions`.
    MouseInteractionKind {
        /// Mouse button released.
        MouseUp = 0,
        /// Mouse button pressed.
        MouseDown = 1,
        /// Click.
        Click = 2,
        /// Context menu.
        ContextMenu = 3,
        /// Double click.
        DblClick = 4,
        /// Focus.
        Focus = 5,
        /// Blur.
        Blur = 6,
        /// Touch start.
        TouchStart = 7,
        /// Touch move departed (rrweb's `TouchMove_Departed`).
        TouchMoveDeparted = 8,
        /// Touch end.
        TouchEnd = 9,
        /// Touch cancel.
        TouchCancel = 10,
    }
}

code_enum! {
    /// rrweb's `PointerTypes`.
    PointerKind {
        /// A mouse.
        Mouse = 0,
        /// A pen.
        Pen = 1,
        /// A touch.
        Touch = 2,
    }
}

code_enum! {
    /// rrweb's `MediaInteractions`.
    MediaInteractionKind {
        /// Playback started.
        Play = 0,
        /// Playback paused.
        Pause = 1,
        /// The position was moved.
        Seeked = 2,
        /// The volume or mute state changed.
        VolumeChange = 3,
        /// The playback rate changed.
        RateChange = 4,
    }
}

code_enum! {
    /// Which of rrweb's move sources a [`PointerMoves`] came from.
    MoveSource {
        /// `MouseMove` (source 1).
        Mouse = 1,
        /// `TouchMove` (source 6).
        Touch = 6,
        /// `Drag` (source 12).
        Drag = 12,
    }
}

/// One recorded event: a time and what happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub struct Event {
    /// When it happened, epoch milliseconds.
    pub timestamp: Timestamp,
    /// What happened.
    pub kind: EventKind,
    /// Unknown top-level fields (rrweb's optional `delay` among them), kept verbatim.
    pub extra: Extra,
}

/// The kinds of event (rrweb's `EventType`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub enum EventKind {
    /// `DomContentLoaded` (type 0); its `data` is kept as recorded.
    DomContentLoaded(Option<Json>),
    /// `Load` (type 1); its `data` is kept as recorded.
    Load(Option<Json>),
    /// `FullSnapshot` (type 2): the whole DOM.
    FullSnapshot(FullSnapshot),
    /// `IncrementalSnapshot` (type 3): a change or an interaction.
    Incremental(Incremental),
    /// `Meta` (type 4): page URL and viewport.
    Meta(Meta),
    /// `Custom` (type 5): an app-defined event.
    Custom(Tagged),
    /// `Plugin` (type 6): a plugin's payload.
    Plugin(Tagged),
    /// `Asset` (type 7): an asset (e.g. an image's bytes) captured by rrweb.
    Asset(Tagged),
    /// An event type this crate does not know, kept verbatim.
    Unknown {
        /// The `type` number as written.
        type_code: i64,
        /// The `data` value, if present.
        data: Option<Json>,
    },
}

impl EventKind {
    /// rrweb's `type` number.
    pub fn type_code(&self) -> i64 {
        match self {
            EventKind::DomContentLoaded(_) => 0,
            EventKind::Load(_) => 1,
            EventKind::FullSnapshot(_) => 2,
            EventKind::Incremental(_) => 3,
            EventKind::Meta(_) => 4,
            EventKind::Custom(_) => 5,
            EventKind::Plugin(_) => 6,
            EventKind::Asset(_) => 7,
            EventKind::Unknown { type_code, .. } => *type_code,
        }
    }

    /// A short name for reports: the event type, or the incremental source.
    pub fn name(&self) -> &'static str {
        self.class().name()
    }

    /// The kind as a typed key (for counting events by kind).
    pub fn class(&self) -> EventClass {
        match self {
            EventKind::DomContentLoaded(_) => EventClass::DomContentLoaded,
            EventKind::Load(_) => EventClass::Load,
            EventKind::FullSnapshot(_) => EventClass::FullSnapshot,
            EventKind::Incremental(inc) => inc.class(),
            EventKind::Meta(_) => EventClass::Meta,
            EventKind::Custom(_) => EventClass::Custom,
            EventKind::Plugin(_) => EventClass::Plugin,
            EventKind::Asset(_) => EventClass::Asset,
            EventKind::Unknown { .. } => EventClass::UnknownEvent,
        }
    }
}

/// A full snapshot: the DOM tree and the window scroll at that moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub struct FullSnapshot {
    /// The serialized document, root first.
    pub tree: NodeTree,
    /// `initialOffset`: the window scroll.
    pub initial_offset: ScrollOffset,
    /// Unknown fields of `data`.
    pub extra: Extra,
}

/// A window scroll offset (`{top, left}`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Encode, Decode)]
pub struct ScrollOffset {
    /// Vertical offset.
    pub top: Num,
    /// Horizontal offset.
    pub left: Num,
    /// Unknown fields.
    pub extra: Extra,
}

/// Meta: the page URL and the viewport size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub struct Meta {
    /// The page URL.
    pub href: String,
    /// Viewport width.
    pub width: Num,
    /// Viewport height.
    pub height: Num,
    /// Unknown fields.
    pub extra: Extra,
}

/// A custom, plugin or asset event: a name (`tag`, `plugin` or `url`) and a payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub struct Tagged {
    /// `tag` for custom events, `plugin` for plugin events, `url` for assets.
    pub name: String,
    /// The payload, kept verbatim.
    pub payload: Json,
    /// Unknown fields.
    pub extra: Extra,
}

/// Incremental snapshot data, one variant per rrweb `IncrementalSource`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub enum Incremental {
    /// Source 0: DOM mutations.
    Mutation(Mutation),
    /// Sources 1, 6 and 12: mouse, touch and drag moves.
    Moves(PointerMoves),
    /// Source 2: a mouse or touch interaction, focus or blur.
    MouseInteraction(MouseInteraction),
    /// Source 3: window or element scroll.
    Scroll(Scroll),
    /// Source 4: viewport resize.
    ViewportResize(ViewportResize),
    /// Source 5: an input value or checked state.
    Input(Input),
    /// Source 7: media play, pause, seek, volume, rate.
    MediaInteraction(MediaInteraction),
    /// Source 8: stylesheet rules inserted, deleted or replaced.
    StyleSheetRule(StyleSheetRule),
    /// Source 9: canvas drawing commands, kept opaque apart from the node id.
    CanvasMutation(CanvasMutation),
    /// Source 10: a font loaded.
    Font(Font),
    /// Source 11: a console log line (rrweb's deprecated log recorder), kept opaque.
    Log(Extra),
    /// Source 13: a style declaration set or removed.
    StyleDeclaration(StyleDeclaration),
    /// Source 14: the selection.
    Selection(Selection),
    /// Source 15: adopted stylesheets.
    AdoptedStyleSheet(AdoptedStyleSheet),
    /// Source 16: a custom element defined.
    CustomElement(CustomElement),
    /// A source this crate does not know, kept verbatim.
    Unknown {
        /// The `source` number.
        source: i64,
        /// Every other field of `data`.
        fields: Extra,
    },
}

impl Incremental {
    /// rrweb's `source` number.
    pub fn source_code(&self) -> i64 {
        match self {
            Incremental::Mutation(_) => 0,
            Incremental::Moves(m) => m.source.code(),
            Incremental::MouseInteraction(_) => 2,
            Incremental::Scroll(_) => 3,
            Incremental::ViewportResize(_) => 4,
            Incremental::Input(_) => 5,
            Incremental::MediaInteraction(_) => 7,
            Incremental::StyleSheetRule(_) => 8,
            Incremental::CanvasMutation(_) => 9,
            Incremental::Font(_) => 10,
            Incremental::Log(_) => 11,
            Incremental::StyleDeclaration(_) => 13,
            Incremental::Selection(_) => 14,
            Incremental::AdoptedStyleSheet(_) => 15,
            Incremental::CustomElement(_) => 16,
            Incremental::Unknown { source, .. } => *source,
        }
    }

    /// A short name of the source, for reports.
    pub fn name(&self) -> &'static str {
        self.class().name()
    }

    /// The source as a typed key (for counting events by kind).
    pub fn class(&self) -> EventClass {
        match self {
            Incremental::Mutation(_) => EventClass::Mutation,
            Incremental::Moves(m) => match m.source {
                MoveSource::Mouse => EventClass::MouseMove,
                MoveSource::Touch => EventClass::TouchMove,
                MoveSource::Drag => EventClass::Drag,
                MoveSource::Other(_) => EventClass::Move,
            },
            Incremental::MouseInteraction(_) => EventClass::MouseInteraction,
            Incremental::Scroll(_) => EventClass::Scroll,
            Incremental::ViewportResize(_) => EventClass::ViewportResize,
            Incremental::Input(_) => EventClass::Input,
            Incremental::MediaInteraction(_) => EventClass::MediaInteraction,
            Incremental::StyleSheetRule(_) => EventClass::StyleSheetRule,
            Incremental::CanvasMutation(_) => EventClass::CanvasMutation,
            Incremental::Font(_) => EventClass::Font,
            Incremental::Log(_) => EventClass::Log,
            Incremental::StyleDeclaration(_) => EventClass::StyleDeclaration,
            Incremental::Selection(_) => EventClass::Selection,
            Incremental::AdoptedStyleSheet(_) => EventClass::AdoptedStyleSheet,
            Incremental::CustomElement(_) => EventClass::CustomElement,
            Incremental::Unknown { .. } => EventClass::UnknownIncremental,
        }
    }
}

/// A batch of DOM mutations. rrweb applies removes, then adds, then texts, then attributes.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Encode, Decode)]
pub struct Mutation {
    /// Text node value changes.
    pub texts: Vec<TextChange>,
    /// Attribute changes.
    pub attributes: Vec<AttributeChange>,
    /// Removed nodes.
    pub removes: Vec<Removal>,
    /// Added nodes.
    pub adds: Vec<Addition>,
    /// `isAttachIframe` when present: the adds attach an iframe's document.
    pub is_attach_iframe: Option<bool>,
    /// Unknown fields.
    pub extra: Extra,
}

/// A text node's new value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub struct TextChange {
    /// The text node.
    pub id: NodeId,
    /// The new value; `None` for JSON `null`.
    pub value: Option<String>,
    /// Unknown fields.
    pub extra: Extra,
}

/// An element's changed attributes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub struct AttributeChange {
    /// The element.
    pub id: NodeId,
    /// The changed attributes; [`super::AttrValue::Removed`] means removed.
    pub attributes: Attributes,
    /// Unknown fields.
    pub extra: Extra,
}

/// A removed node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub struct Removal {
    /// The parent it was removed from.
    pub parent_id: NodeId,
    /// The removed node.
    pub id: NodeId,
    /// `isShadow` when present: it was in a shadow root.
    pub is_shadow: Option<bool>,
    /// Unknown fields.
    pub extra: Extra,
}

/// An added node (with its subtree, if the recording carried one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub struct Addition {
    /// The parent it is inserted into.
    pub parent_id: NodeId,
    /// The sibling it goes before; `None` (JSON `null`) appends.
    pub next_id: Option<NodeId>,
    /// `previousId`: absent (`None`), `null` (`Some(None)`) or a node.
    pub previous_id: Option<Option<NodeId>>,
    /// The node, root first.
    pub node: NodeTree,
    /// Unknown fields.
    pub extra: Extra,
}

/// Pointer, touch or drag positions, sampled and batched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub struct PointerMoves {
    /// Which source: mouse, touch or drag.
    pub source: MoveSource,
    /// The positions, oldest first.
    pub positions: Vec<Position>,
    /// Unknown fields.
    pub extra: Extra,
}

/// One sampled pointer position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub struct Position {
    /// X in CSS pixels.
    pub x: Num,
    /// Y in CSS pixels.
    pub y: Num,
    /// The node under the pointer.
    pub id: NodeId,
    /// Milliseconds relative to the event's timestamp (zero or negative).
    pub time_offset: Num,
    /// Unknown fields.
    pub extra: Extra,
}

/// A mouse or touch interaction, or a focus change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub struct MouseInteraction {
    /// What happened.
    pub kind: MouseInteractionKind,
    /// The target node.
    pub id: NodeId,
    /// X, when recorded.
    pub x: Option<Num>,
    /// Y, when recorded.
    pub y: Option<Num>,
    /// The pointer type, when recorded.
    pub pointer_type: Option<PointerKind>,
    /// Unknown fields.
    pub extra: Extra,
}

/// A scroll of the window (the document's id) or of an element.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub struct Scroll {
    /// The scrolled node.
    pub id: NodeId,
    /// scrollLeft.
    pub x: Num,
    /// scrollTop.
    pub y: Num,
    /// Unknown fields.
    pub extra: Extra,
}

/// The viewport's new size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub struct ViewportResize {
    /// Width in CSS pixels.
    pub width: Num,
    /// Height in CSS pixels.
    pub height: Num,
    /// Unknown fields.
    pub extra: Extra,
}

/// A form control's value or checked state (rrweb sends the whole value each keystroke).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub struct Input {
    /// The control.
    pub id: NodeId,
    /// The whole current value.
    pub text: String,
    /// The checked state (radios and checkboxes).
    pub is_checked: bool,
    /// `userTriggered` when present.
    pub user_triggered: Option<bool>,
    /// Unknown fields.
    pub extra: Extra,
}

/// A media element's playback change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub struct MediaInteraction {
    /// What happened.
    pub kind: MediaInteractionKind,
    /// The media element.
    pub id: NodeId,
    /// `currentTime` in seconds.
    pub current_time: Option<Num>,
    /// `volume`, 0 to 1.
    pub volume: Option<Num>,
    /// `muted`.
    pub muted: Option<bool>,
    /// `loop`.
    pub looping: Option<bool>,
    /// `playbackRate`.
    pub playback_rate: Option<Num>,
    /// Unknown fields.
    pub extra: Extra,
}

/// A CSS rule index: flat (`3`) or nested through grouping rules (`[2, 0]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub enum RuleIndex {
    /// A top-level index.
    Flat(i64),
    /// A path through nested rules.
    Nested(Vec<i64>),
}

/// A rule removed from a stylesheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub struct RuleRemoval {
    /// Where.
    pub index: RuleIndex,
    /// Unknown fields.
    pub extra: Extra,
}

/// A rule inserted into a stylesheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub struct RuleInsertion {
    /// The CSS text of the rule.
    pub rule: String,
    /// Where; `None` appends.
    pub index: Option<RuleIndex>,
    /// Unknown fields.
    pub extra: Extra,
}

/// Changes to a stylesheet's rules.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Encode, Decode)]
pub struct StyleSheetRule {
    /// The `<style>`/`<link>` node owning the sheet, when it has one.
    pub id: Option<NodeId>,
    /// The constructed stylesheet's id (adopted stylesheets).
    pub style_id: Option<i64>,
    /// Removed rules.
    pub removes: Option<Vec<RuleRemoval>>,
    /// Inserted rules.
    pub adds: Option<Vec<RuleInsertion>>,
    /// `replace(text)` on a constructed sheet.
    pub replace: Option<String>,
    /// `replaceSync(text)` on a constructed sheet.
    pub replace_sync: Option<String>,
    /// Unknown fields.
    pub extra: Extra,
}

/// The `set` part of a style declaration change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub struct StyleSet {
    /// The CSS property.
    pub property: String,
    /// The value; `None` for JSON `null`.
    pub value: Option<String>,
    /// The priority (`important`), when present.
    pub priority: Option<String>,
    /// Unknown fields.
    pub extra: Extra,
}

/// The `remove` part of a style declaration change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub struct StyleRemove {
    /// The CSS property.
    pub property: String,
    /// Unknown fields.
    pub extra: Extra,
}

/// A declaration set or removed inside a stylesheet rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub struct StyleDeclaration {
    /// The owning node, when the sheet has one.
    pub id: Option<NodeId>,
    /// The constructed stylesheet's id.
    pub style_id: Option<i64>,
    /// The rule's index path.
    pub index: Vec<i64>,
    /// A declaration set.
    pub set: Option<StyleSet>,
    /// A declaration removed.
    pub remove: Option<StyleRemove>,
    /// Unknown fields.
    pub extra: Extra,
}

/// One selection range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub struct SelectionRange {
    /// The start node.
    pub start: NodeId,
    /// Offset in the start node.
    pub start_offset: Num,
    /// The end node.
    pub end: NodeId,
    /// Offset in the end node.
    pub end_offset: Num,
    /// Unknown fields.
    pub extra: Extra,
}

/// The document selection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub struct Selection {
    /// The ranges (empty: nothing selected).
    pub ranges: Vec<SelectionRange>,
    /// Unknown fields.
    pub extra: Extra,
}

/// A rule of an adopted stylesheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub struct AdoptedRule {
    /// The CSS text.
    pub rule: String,
    /// Its index, when present.
    pub index: Option<i64>,
    /// Unknown fields.
    pub extra: Extra,
}

/// A constructed stylesheet first seen in an adoption.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub struct AdoptedStyle {
    /// The sheet's id.
    pub style_id: i64,
    /// Its rules.
    pub rules: Vec<AdoptedRule>,
    /// Unknown fields.
    pub extra: Extra,
}

/// A document or shadow root's adopted stylesheets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub struct AdoptedStyleSheet {
    /// The document or shadow host.
    pub id: NodeId,
    /// Sheets seen for the first time, with their rules.
    pub styles: Option<Vec<AdoptedStyle>>,
    /// The adopted sheets, in order.
    pub style_ids: Vec<i64>,
    /// Unknown fields.
    pub extra: Extra,
}

/// A custom element definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub struct CustomElementDefine {
    /// The element name.
    pub name: String,
    /// Unknown fields.
    pub extra: Extra,
}

/// A custom element event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub struct CustomElement {
    /// `define`, when present.
    pub define: Option<CustomElementDefine>,
    /// Unknown fields.
    pub extra: Extra,
}

/// Canvas drawing commands. Only the node id is typed; the commands stay opaque.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub struct CanvasMutation {
    /// The canvas element.
    pub id: NodeId,
    /// Every other field (`type`, `commands`, `property`, `args`, ...), verbatim.
    pub fields: Extra,
}

/// A font loaded by the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Encode, Decode)]
pub struct Font {
    /// The font family.
    pub family: String,
    /// The source: a URL or the font data.
    pub font_source: String,
    /// Whether `font_source` holds the data itself.
    pub buffer: bool,
    /// The descriptors, when present.
    pub descriptors: Option<Json>,
    /// Unknown fields.
    pub extra: Extra,
}
