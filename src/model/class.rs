//! Typed names for kinds of events: the keys events are counted by.

/// A kind of event: an event type, with incremental events named by source (and moves
/// by what moved). [`crate::Summary`] counts events by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum EventClass {
    /// rrweb's `DomContentLoaded` (type 0).
    DomContentLoaded,
    /// `Load` (type 1).
    Load,
    /// `FullSnapshot` (type 2).
    FullSnapshot,
    /// `Meta` (type 4).
    Meta,
    /// `Custom` (type 5).
    Custom,
    /// `Plugin` (type 6).
    Plugin,
    /// `Asset` (type 7).
    Asset,
    /// An event type this crate does not know.
    UnknownEvent,
    /// Incremental: DOM mutations.
    Mutation,
    /// Incremental: mouse moves.
    MouseMove,
    /// Incremental: touch moves.
    TouchMove,
    /// Incremental: drag moves.
    Drag,
    /// Incremental: moves of an unknown source.
    Move,
    /// Incremental: clicks, focus, touches.
    MouseInteraction,
    /// Incremental: scrolls.
    Scroll,
    /// Incremental: viewport resizes.
    ViewportResize,
    /// Incremental: form input.
    Input,
    /// Incremental: media playback.
    MediaInteraction,
    /// Incremental: stylesheet rule edits.
    StyleSheetRule,
    /// Incremental: canvas drawing.
    CanvasMutation,
    /// Incremental: font loads.
    Font,
    /// Incremental: console logs (rrweb 1).
    Log,
    /// Incremental: style declaration edits.
    StyleDeclaration,
    /// Incremental: text selection.
    Selection,
    /// Incremental: adopted stylesheets.
    AdoptedStyleSheet,
    /// Incremental: custom element definitions.
    CustomElement,
    /// Incremental: a source this crate does not know.
    UnknownIncremental,
}

impl EventClass {
    /// Every class, in order.
    pub const ALL: [EventClass; 27] = [
        EventClass::DomContentLoaded,
        EventClass::Load,
        EventClass::FullSnapshot,
        EventClass::Meta,
        EventClass::Custom,
        EventClass::Plugin,
        EventClass::Asset,
        EventClass::UnknownEvent,
        EventClass::Mutation,
        EventClass::MouseMove,
        EventClass::TouchMove,
        EventClass::Drag,
        EventClass::Move,
        EventClass::MouseInteraction,
        EventClass::Scroll,
        EventClass::ViewportResize,
        EventClass::Input,
        EventClass::MediaInteraction,
        EventClass::StyleSheetRule,
        EventClass::CanvasMutation,
        EventClass::Font,
        EventClass::Log,
        EventClass::StyleDeclaration,
        EventClass::Selection,
        EventClass::AdoptedStyleSheet,
        EventClass::CustomElement,
        EventClass::UnknownIncremental,
    ];

    /// The class's name (`"Input"`, `"MouseMove"`), as [`crate::EventKind::name`] gives it.
    pub fn name(self) -> &'static str {
        match self {
            EventClass::DomContentLoaded => "DomContentLoaded",
            EventClass::Load => "Load",
            EventClass::FullSnapshot => "FullSnapshot",
            EventClass::Meta => "Meta",
            EventClass::Custom => "Custom",
            EventClass::Plugin => "Plugin",
            EventClass::Asset => "Asset",
            EventClass::UnknownEvent => "UnknownEvent",
            EventClass::Mutation => "Mutation",
            EventClass::MouseMove => "MouseMove",
            EventClass::TouchMove => "TouchMove",
            EventClass::Drag => "Drag",
            EventClass::Move => "Move",
            EventClass::MouseInteraction => "MouseInteraction",
            EventClass::Scroll => "Scroll",
            EventClass::ViewportResize => "ViewportResize",
            EventClass::Input => "Input",
            EventClass::MediaInteraction => "MediaInteraction",
            EventClass::StyleSheetRule => "StyleSheetRule",
            EventClass::CanvasMutation => "CanvasMutation",
            EventClass::Font => "Font",
            EventClass::Log => "Log",
            EventClass::StyleDeclaration => "StyleDeclaration",
            EventClass::Selection => "Selection",
            EventClass::AdoptedStyleSheet => "AdoptedStyleSheet",
            EventClass::CustomElement => "CustomElement",
            EventClass::UnknownIncremental => "UnknownIncremental",
        }
    }

    /// The class named `name`, if any (the inverse of [`EventClass::name`]).
    pub fn from_name(name: &str) -> Option<EventClass> {
        EventClass::ALL.into_iter().find(|c| c.name() == name)
    }
}

impl std::fmt::Display for EventClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `pad`, so that width and alignment (`{:<20}`) apply.
        f.pad(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for c in EventClass::ALL {
            assert_eq!(EventClass::from_name(c.name()), Some(c));
        }
        assert_eq!(EventClass::from_name("Nope"), None);
    }
}
