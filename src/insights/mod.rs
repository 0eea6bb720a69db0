//! Insights: frustration signals (rage, dead and error clicks, thrashed cursor,
//! U-turns) and a session summary, computed as events stream in.
//!
//! ## Guide
//!
//! [`Insights`] is a sans-IO stage, like the codec's: [`Insights::push`] each event in
//! order (batch by batch, as they arrive), drain [`Insights::poll_signal`] until
//! `None`, and call [`Insights::finish`] at the end of the session. Signals come out
//! once they are certain, which for a click is when its longest window has passed in
//! *recording* time (3 s by default): the stage reads no clock. A live host whose
//! stream may pause asks [`Insights::poll_timeout`] when the next verdict falls due and
//! calls [`Insights::tick`] with the recording time it has reached.
//! [`Insights::summary`] is the summary so far; [`summarize`] does it all for a whole
//! recording. Everything is plain serde data, to store beside the stream.
//!
//! The thresholds, their defaults and where each comes from are on
//! [`InsightsConfig`]. In short:
//! - **rage click**: 3+ clicks, each within 1 s and 30 px (Manhattan) of the one before;
//!   one signal per burst, with its count;
//! - **dead click**: a click on something that looks interactive (a link, a button, a
//!   button-like or checkable input, a click role, `onclick`, an inline pointer cursor;
//!   not text fields, selects or editable text) followed by no mutation, navigation,
//!   focus or selection change or input within 3 s, and no scroll within 300 ms;
//! - **error click**: a click followed within 1 s by a page error (rrweb's console
//!   plugin at level `error`, or a custom event tagged `error`);
//! - **thrashed cursor**: see `cursor` (6 turns of 40 px legs within 2 s, no click
//!   between them);
//! - **U-turn**: a page left for another and returned to within 5 s.
//!
//! What is known of the page comes from a light mirror (`page`): tags, a few
//! attributes and each element's first text, enough to tell a control and describe
//! it ([`Target`]: tag, id, classes, the shape of its text; never a value).
//!
//! Where things are: `config` (thresholds), `signal` (what is reported), `page` (the
//! mirror), `clicks` (rage, dead and error clicks), `cursor` (thrash), and here the
//! stage, navigation and the summary.

mod clicks;
mod config;
mod cursor;
mod page;
mod signal;

use std::collections::VecDeque;

pub use config::InsightsConfig;
pub use signal::{PageVisit, Signal, SignalKind, Summary, Target};

use clicks::{Clicks, Response};
use cursor::Cursor;
use page::PageMirror;

use crate::model::{
    Event, EventKind, Incremental, Json, MouseInteractionKind, MoveSource, Timestamp,
};

/// Timestamps are kept within ±2^53 ms (about 285,000 years around 1970), so that
/// differences and windows never overflow whatever a recording claims.
fn clamp(t: i64) -> i64 {
    const LIMIT: i64 = 1 << 53;
    t.clamp(-LIMIT, LIMIT)
}

/// The sans-IO insights stage. See the [module documentation](self).
///
/// ```
/// use session_replay::{insights::{Insights, InsightsConfig}, rrweb, Limits};
/// let events = rrweb::read(br#"[{"type":4,"data":{"href":"https://a.test/","width":800,"height":600},"timestamp":1}]"#, &Limits::DEFAULT)?;
/// let mut insights = Insights::new(InsightsConfig::default());
/// for batch in events.chunks(50) {
///     insights.push_batch(batch);
///     while let Some(signal) = insights.poll_signal() {
///         println!("{}", serde_json::to_string(&signal)?);
///     }
/// }
/// insights.finish();
/// while let Some(signal) = insights.poll_signal() {
///     println!("{}", serde_json::to_string(&signal)?);
/// }
/// let summary = insights.summary();
/// assert_eq!(summary.pages.len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Insights {
    cfg: InsightsConfig,
    page: PageMirror,
    clicks: Clicks,
    cursor: Cursor,
    /// Signals the detectors found since the last [`Insights::collect`].
    out: VecDeque<Signal>,
    /// Signals not yet polled.
    ready: VecDeque<Signal>,
    /// The summary so far (its signals: every one found).
    summary: Summary,
    /// The latest recording time seen.
    now: Option<i64>,
    end: Option<i64>,
    last_activity: Option<i64>,
    finished: bool,
}

impl Insights {
    /// A new stage.
    pub fn new(cfg: InsightsConfig) -> Self {
        Insights {
            cfg,
            page: PageMirror::default(),
            clicks: Clicks::default(),
            cursor: Cursor::default(),
            out: VecDeque::new(),
            ready: VecDeque::new(),
            summary: Summary::default(),
            now: None,
            end: None,
            last_activity: None,
            finished: false,
        }
    }

    /// Feeds a batch of events, in order.
    pub fn push_batch(&mut self, events: &[Event]) {
        for e in events {
            self.push(e);
        }
    }

    /// Feeds the next event. Events out of time order are taken as they come: time
    /// never runs backwards for the verdicts (the latest time seen rules), and an exact
    /// duplicate of the click before is dropped.
    pub fn push(&mut self, event: &Event) {
        if self.finished {
            return;
        }
        let t = clamp(event.timestamp.0);
        self.summary.start = Some(self.summary.start.map_or(t, |s| s.min(t)));
        self.end = Some(self.end.map_or(t, |e| e.max(t)));
        // Time far behind the latest seen: the latest was wrong (an event stamped in the
        // future, a host's clock run ahead) or the stream restarted. Everything open is
        // settled as at an end, and time goes on from here, so one bad stamp does not
        // judge every later click at once.
        if self
            .now
            .is_some_and(|n| n - t > self.cfg.click_horizon().max(self.cfg.thrash_window.0))
        {
            let n = self.now.unwrap_or(t);
            self.decide(n, true);
            self.now = Some(t);
        }
        let now = self.now.map_or(t, |n| n.max(t));
        self.now = Some(now);
        // Verdicts whose windows closed before this event.
        self.decide(now, false);
        let cfg = self.cfg;
        match &event.kind {
            EventKind::Meta(m) => {
                self.clicks.respond(t, Response::Change, &cfg);
                self.navigate(t, &m.href);
            }
            EventKind::FullSnapshot(s) => {
                self.clicks.respond(t, Response::Change, &cfg);
                self.page.clear();
                self.page.insert(&s.tree, i32::MIN);
            }
            EventKind::Incremental(inc) => {
                // What a person does, and what the page does in answer; not canvas
                // frames, fonts, stylesheet rules or logs, which run on their own.
                if matches!(
                    inc,
                    Incremental::Mutation(_)
                        | Incremental::Moves(_)
                        | Incremental::MouseInteraction(_)
                        | Incremental::Scroll(_)
                        | Incremental::Input(_)
                        | Incremental::Selection(_)
                ) {
                    self.activity(t);
                }
                match inc {
                    Incremental::Mutation(m) => {
                        self.page.apply(m);
                        self.clicks.respond(t, Response::Change, &cfg);
                    }
                    // A mouse only: a finger swiping up and down a list is scrolling.
                    Incremental::Moves(m) if m.source == MoveSource::Mouse => {
                        for p in &m.positions {
                            let (x, y) = (p.x.as_f64(), p.y.as_f64());
                            if !x.is_finite() || !y.is_finite() {
                                continue;
                            }
                            let pt = clamp(t.saturating_add(p.time_offset.as_f64() as i64));
                            self.cursor.sample(x, y, pt, &cfg, &mut self.out);
                        }
                    }
                    Incremental::MouseInteraction(mi) => match mi.kind {
                        MouseInteractionKind::Click => {
                            self.cursor.click(t, &cfg, &mut self.out);
                            let xy = mi.x.zip(mi.y).map(|(x, y)| (x.as_f64(), y.as_f64()));
                            if self
                                .clicks
                                .click(t, mi.id, xy, &self.page, &cfg, &mut self.out)
                            {
                                self.summary.clicks += 1;
                            }
                        }
                        MouseInteractionKind::Focus | MouseInteractionKind::Blur => {
                            self.clicks.respond(t, Response::Change, &cfg);
                        }
                        _ => {}
                    },
                    Incremental::Scroll(_) => {
                        self.summary.scrolls += 1;
                        self.clicks.respond(t, Response::Scroll, &cfg);
                    }
                    Incremental::Input(_) => {
                        self.summary.inputs += 1;
                        self.clicks.respond(t, Response::Change, &cfg);
                    }
                    Incremental::Selection(_) | Incremental::MediaInteraction(_) => {
                        self.clicks.respond(t, Response::Change, &cfg);
                    }
                    _ => {}
                }
            }
            EventKind::Plugin(p)
                if p.name == "rrweb/console@1"
                    && p.payload.get("level").and_then(Json::as_str) == Some("error") =>
            {
                self.summary.errors += 1;
                self.clicks.error(t, "console", &cfg);
            }
            EventKind::Custom(c) if c.name == "error" => {
                self.summary.errors += 1;
                self.clicks.error(t, "custom", &cfg);
            }
            _ => {}
        }
        self.collect();
    }

    /// Counts active time: the gap since the last activity, if not idle.
    fn activity(&mut self, t: i64) {
        if let Some(last) = self.last_activity {
            let gap = t - last;
            if gap > 0 && gap <= self.cfg.idle_gap.0 {
                self.summary.active_ms += gap;
            }
        }
        self.last_activity = Some(self.last_activity.map_or(t, |l| l.max(t)));
    }

    /// A page load (a Meta event): a new page visited, and maybe a U-turn.
    fn navigate(&mut self, t: i64, href: &str) {
        let full;
        let href = if self.cfg.full_urls {
            href
        } else {
            full = signal::page_url(href);
            full.as_str()
        };
        let pages = &mut self.summary.pages;
        // A new full snapshot of the same page (rrweb's periodic checkout) is no visit.
        if pages.last().is_some_and(|p| p.href == href) {
            return;
        }
        if let [.., before, away] = pages.as_slice()
            && before.href == href
            && t >= away.t
            && t - away.t <= self.cfg.u_turn_window.0
        {
            self.out.push_back(Signal {
                t,
                node: None,
                kind: SignalKind::UTurn {
                    from: before.href.clone(),
                    to: away.href.clone(),
                    away_ms: t - away.t,
                },
            });
        }
        pages.push(PageVisit {
            t,
            href: href.to_owned(),
        });
    }

    fn decide(&mut self, now: i64, end: bool) {
        self.clicks
            .advance(now, end, &self.page, &self.cfg, &mut self.out);
        self.cursor.advance(now, end, &mut self.out, &self.cfg);
    }

    /// Moves what the detectors found into the summary and the queue for polling.
    fn collect(&mut self) {
        while let Some(s) = self.out.pop_front() {
            self.summary.signals.push(s.clone());
            self.ready.push_back(s);
        }
    }

    /// The next signal found, if any.
    pub fn poll_signal(&mut self) -> Option<Signal> {
        self.ready.pop_front()
    }

    /// When (recording time, epoch ms) the next verdict falls due if no event comes
    /// first: then call [`Insights::tick`].
    pub fn poll_timeout(&self) -> Option<Timestamp> {
        let a = self.clicks.next_due(&self.cfg);
        let b = self.cursor.next_due(&self.cfg);
        match (a, b) {
            (Some(a), Some(b)) => Some(Timestamp(a.min(b))),
            (a, b) => a.or(b).map(Timestamp),
        }
    }

    /// The recording has reached `now` with no event: decides what falls due.
    pub fn tick(&mut self, now: Timestamp) {
        if self.finished {
            return;
        }
        // A tick decides what falls due by then, but does not move the stage's time:
        // a host clock that runs ahead must not judge clicks before their events come.
        let now = clamp(now.0);
        let now = self.now.map_or(now, |n| n.max(now));
        self.decide(now, false);
        self.collect();
    }

    /// The session has ended: open bursts close, and clicks whose windows outlived the
    /// recording get no verdict.
    pub fn finish(&mut self) {
        if self.finished {
            return;
        }
        let now = self.now.unwrap_or(0);
        self.decide(now, true);
        self.collect();
        self.finished = true;
    }

    /// The summary so far, with every signal found so far (in time order).
    pub fn summary(&self) -> Summary {
        let mut s = self.summary.clone();
        s.duration_ms = match (s.start, self.end) {
            (Some(a), Some(b)) => b - a,
            _ => 0,
        };
        // Detectors decide at different delays: the summary lists by time.
        s.signals.sort_by_key(|x| x.t);
        s
    }
}

/// The summary of a whole recording (events in order).
pub fn summarize(events: &[Event], config: InsightsConfig) -> Summary {
    let mut i = Insights::new(config);
    i.push_batch(events);
    i.finish();
    i.summary()
}
