//! The thresholds of every signal, with their defaults and where each comes from.
//! (Windows are compared with differences of timestamps the stage keeps within ±2^53,
//! so a configured window of any size cannot overflow.)

use crate::model::Millis;

/// Thresholds for [`Insights`](super::Insights). Every field can be set; the defaults
/// follow the leading products where they agree, and lean towards fewer, surer signals
/// where they differ (a signal a team learns to distrust is worse than none).
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct InsightsConfig {
    /// Rage click: at least this many clicks in a chain (default 3, as posthog-js's
    /// `rageclick.ts`).
    pub rage_clicks: u32,
    /// Rage click: each click at most this long after the one before (default 1 s,
    /// PostHog and Datadog).
    pub rage_gap: Millis,
    /// Rage click: each click at most this far (Manhattan distance, CSS px) from the one
    /// before (default 30 px, PostHog; Datadog allows 100 px but needs the same target).
    pub rage_distance: f64,
    /// Dead click: a DOM mutation, navigation, focus change, selection change or input
    /// this long after the click means the page answered (default 3 s, Sentry's; PostHog
    /// waits 2.5 s). The longer window: a slow response is not a dead click.
    pub dead_mutation_window: Millis,
    /// Dead click: a scroll this long after the click means the page answered (default
    /// 300 ms, Sentry's; PostHog 100 ms). A scroll that starts later is the person's own.
    pub dead_scroll_window: Millis,
    /// Error click: a page error at most this long after the click (default 1 s). Page
    /// errors are rrweb console-plugin events at level `error` and custom events tagged
    /// `error`.
    pub error_window: Millis,
    /// Thrashed cursor: a pointer leg counts only if it travels at least this far along
    /// the axis before turning back (default 40 px: smaller wiggles are a hand at rest).
    pub thrash_leg: f64,
    /// Thrashed cursor: at least this many turns back (default 6: three a second; a
    /// person going up and down a list to click its items turns about twice a second)...
    pub thrash_turns: u32,
    /// ...within this long (default 2 s).
    pub thrash_window: Millis,
    /// U-turn: a navigation back to the page before within this long (default 5 s, as
    /// Clarity's "quick back").
    pub u_turn_window: Millis,
    /// Active time: gaps between activity longer than this are idle and not counted
    /// (default 5 s).
    pub idle_gap: Millis,
    /// Page URLs in the summary and in U-turns as recorded, with query, fragment and
    /// user info (default false: those carry reset tokens, e-mail addresses and
    /// searches, which a summary stored beside the stream must not hold).
    pub full_urls: bool,
}

impl Default for InsightsConfig {
    fn default() -> Self {
        InsightsConfig {
            rage_clicks: 3,
            rage_gap: Millis(1_000),
            rage_distance: 30.0,
            dead_mutation_window: Millis(3_000),
            dead_scroll_window: Millis(300),
            error_window: Millis(1_000),
            thrash_leg: 40.0,
            thrash_turns: 6,
            thrash_window: Millis(2_000),
            u_turn_window: Millis(5_000),
            idle_gap: Millis(5_000),
            full_urls: false,
        }
    }
}

impl InsightsConfig {
    /// How long after a click its dead-click verdict is known.
    pub(crate) fn dead_window(&self) -> i64 {
        self.dead_mutation_window.0.max(self.dead_scroll_window.0)
    }

    /// How long after a click nothing more can change what the click was (the longest
    /// window that starts at a click).
    pub(crate) fn click_horizon(&self) -> i64 {
        self.dead_window()
            .max(self.error_window.0)
            .max(self.rage_gap.0)
    }
}
