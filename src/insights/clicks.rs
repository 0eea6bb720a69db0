//! Click signals: rage clicks (bursts at one spot), dead clicks (the page did nothing)
//! and error clicks (a page error right after).
//!
//! Clicks form chains: each click within the rage gap and distance of the one before
//! extends the chain. A chain of at least `rage_clicks` is one rage click when it
//! closes. Each click waits for its verdict until the longest window after it has
//! passed (in recording time): a response (mutation, navigation, focus, selection,
//! input within the mutation window; a scroll within the scroll window) makes it alive,
//! a page error within the error window makes it an error click. A chain's clicks are
//! judged together, so a burst is one signal: a rage click is not also dead clicks,
//! a chain gives at most one error click, and a chain with an error click has no dead
//! click. A rage burst that also raised a page error gives both signals: one says the
//! person repeated themselves, the other that the page failed.

use std::collections::VecDeque;

use super::config::InsightsConfig;
use super::page::PageMirror;
use super::signal::{Signal, SignalKind};
use crate::model::NodeId;

/// What came after a click, as far as its verdict goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Response {
    /// A DOM mutation, navigation, focus or selection change, input or media event.
    Change,
    /// A scroll.
    Scroll,
}

#[derive(Debug, Clone)]
struct Pending {
    t: i64,
    node: i32,
    xy: Option<(f64, f64)>,
    /// The control clicked, if the click looked interactive.
    control: Option<i32>,
    chain: u64,
    answered: bool,
    /// Answered by a change (not only a scroll): lets a later change stop early.
    changed: bool,
    /// A page error after it: its source and delay.
    error: Option<(&'static str, i64)>,
}

#[derive(Debug, Clone)]
struct Chain {
    no: u64,
    first_t: i64,
    last_t: i64,
    last_xy: Option<(f64, f64)>,
    last_node: i32,
    first_node: i32,
    /// The control the first click acted on, if any: what a rage click names.
    first_control: Option<i32>,
    count: u32,
}

/// Clicks waiting for their verdict, at most: beyond it the oldest go unjudged (a
/// stream that stamps thousands of clicks with one time, or a burst of them).
const MAX_PENDING: usize = 1024;

/// The click detectors' state.
#[derive(Debug)]
pub(crate) struct Clicks {
    chain: Option<Chain>,
    /// The last chain closed, and whether it was a rage click (its clicks are judged
    /// after it closes).
    closed: VecDeque<(u64, i64, bool)>,
    pending: VecDeque<Pending>,
    next_chain: u64,
}

impl Default for Clicks {
    fn default() -> Self {
        // Room for the clicks of a few seconds of fast clicking, so the steady state
        // does not grow the queues (a burst beyond it grows them once).
        Clicks {
            chain: None,
            closed: VecDeque::with_capacity(16),
            pending: VecDeque::with_capacity(64),
            next_chain: 0,
        }
    }
}

impl Clicks {
    /// A click at `t` on `node`, at `xy` if recorded. Returns false for an exact
    /// duplicate (same time, node and place) of a click still waiting for its verdict
    /// (a batch sent twice): dropped.
    pub(crate) fn click(
        &mut self,
        t: i64,
        node: NodeId,
        xy: Option<(f64, f64)>,
        page: &PageMirror,
        cfg: &InsightsConfig,
        out: &mut VecDeque<Signal>,
    ) -> bool {
        if self
            .pending
            .iter()
            .rev()
            .take_while(|p| (t - p.t).abs() <= cfg.click_horizon() || p.t > t)
            .any(|p| p.t == t && p.node == node.0 && p.xy == xy)
        {
            return false;
        }
        let control = page.control(node);
        let extends = self.chain.as_ref().is_some_and(|c| {
            let near = match (c.last_xy, xy) {
                (Some((x0, y0)), Some((x1, y1))) => {
                    (x1 - x0).abs() + (y1 - y0).abs() <= cfg.rage_distance
                }
                // Without coordinates, only the same node is the same spot.
                _ => c.last_node == node.0,
            };
            (t - c.last_t).abs() <= cfg.rage_gap.0 && near
        });
        if extends {
            if let Some(c) = self.chain.as_mut() {
                c.count = c.count.saturating_add(1);
                c.last_t = c.last_t.max(t);
                c.last_xy = xy;
                c.last_node = node.0;
            }
        } else {
            self.close_chain(page, cfg, out);
            let no = self.next_chain;
            self.next_chain += 1;
            self.chain = Some(Chain {
                no,
                first_t: t,
                last_t: t,
                last_xy: xy,
                last_node: node.0,
                first_node: node.0,
                first_control: control,
                count: 1,
            });
        }
        let chain = self.chain.as_ref().map_or(0, |c| c.no);
        if self.pending.len() >= MAX_PENDING {
            self.pending.pop_front();
        }
        self.pending.push_back(Pending {
            t,
            node: node.0,
            xy,
            control,
            chain,
            answered: false,
            changed: false,
            error: None,
        });
        true
    }

    /// Something the page did at `t`.
    pub(crate) fn respond(&mut self, t: i64, r: Response, cfg: &InsightsConfig) {
        let window = match r {
            Response::Change => cfg.dead_mutation_window.0,
            Response::Scroll => cfg.dead_scroll_window.0,
        };
        // Only the clicks still waiting; the newest are at the back.
        for p in self.pending.iter_mut().rev() {
            if t < p.t {
                continue;
            }
            if t - p.t > window {
                break;
            }
            // In a stream in time order, a click a change already answered had every
            // click before it within this change's window answered too.
            if r == Response::Change && p.changed {
                break;
            }
            p.answered = true;
            p.changed |= r == Response::Change;
        }
    }

    /// A page error at `t`: the latest click before it, within the error window, is an
    /// error click.
    pub(crate) fn error(&mut self, t: i64, source: &'static str, cfg: &InsightsConfig) {
        if let Some(p) = self
            .pending
            .iter_mut()
            .rev()
            .take_while(|p| p.t > t || t - p.t <= cfg.error_window.0)
            .find(|p| p.t <= t)
            && p.error.is_none()
        {
            p.error = Some((source, t - p.t));
        }
    }

    /// Closes the open chain: a rage click if long enough.
    fn close_chain(&mut self, page: &PageMirror, cfg: &InsightsConfig, out: &mut VecDeque<Signal>) {
        let Some(c) = self.chain.take() else {
            return;
        };
        let rage = c.count >= cfg.rage_clicks;
        if rage {
            // Named by the control, as a dead click is (the span inside a button is
            // not what a person rage-clicked); the clicked node if there is none.
            let node = c.first_control.unwrap_or(c.first_node);
            out.push_back(Signal {
                t: c.first_t,
                node: Some(node),
                kind: SignalKind::RageClick {
                    count: c.count,
                    duration_ms: c.last_t - c.first_t,
                    target: page.describe(node),
                },
            });
        }
        self.closed.push_back((c.no, c.last_t, rage));
    }

    /// Decides what the recording time `now` allows: a chain that can no longer grow
    /// closes, and the clicks of a closed chain whose windows have all passed get their
    /// verdict. With `end`, everything still open closes, and clicks whose windows had
    /// not passed when the recording ended get none (the person may have left).
    pub(crate) fn advance(
        &mut self,
        now: i64,
        end: bool,
        page: &PageMirror,
        cfg: &InsightsConfig,
        out: &mut VecDeque<Signal>,
    ) {
        if self
            .chain
            .as_ref()
            .is_some_and(|c| end || now - c.last_t > cfg.rage_gap.0)
        {
            self.close_chain(page, cfg, out);
        }
        while let Some(&(no, last_t, rage)) = self.closed.front() {
            let settled = now - last_t > cfg.click_horizon();
            if !settled && !end {
                break;
            }
            self.closed.pop_front();
            // A chain with a page error is an error click (once), not dead clicks: the
            // page did something, if not what the person wanted.
            let error = self
                .pending
                .iter()
                .take_while(|p| p.chain == no)
                .find_map(|p| p.error.map(|(source, after)| (p.t, p.node, source, after)));
            // Dead clicks per control, in the order first clicked.
            let mut dead: Vec<(i32, u32, i64)> = Vec::new();
            while self.pending.front().is_some_and(|p| p.chain == no) {
                let Some(p) = self.pending.pop_front() else {
                    break;
                };
                // A click whose windows outlived the recording is not judged dead.
                let judged = settled || now - p.t > cfg.dead_window();
                if !rage
                    && error.is_none()
                    && judged
                    && !p.answered
                    && let Some(ctl) = p.control
                {
                    match dead.iter_mut().find(|d| d.0 == ctl) {
                        Some(d) => d.1 = d.1.saturating_add(1),
                        None => dead.push((ctl, 1, p.t)),
                    }
                }
            }
            if let Some((t, node, source, after)) = error {
                out.push_back(Signal {
                    t,
                    node: Some(node),
                    kind: SignalKind::ErrorClick {
                        source: source.to_owned(),
                        after_ms: after,
                        target: page.describe(node),
                    },
                });
            }
            for (ctl, count, t) in dead {
                out.push_back(Signal {
                    t,
                    node: Some(ctl),
                    kind: SignalKind::DeadClick {
                        count,
                        target: page.describe(ctl),
                    },
                });
            }
        }
    }

    /// When the next verdict falls due (recording time), if one is waiting.
    pub(crate) fn next_due(&self, cfg: &InsightsConfig) -> Option<i64> {
        let chain = self
            .chain
            .as_ref()
            .map(|c| c.last_t.saturating_add(cfg.rage_gap.0).saturating_add(1));
        let closed = self
            .closed
            .front()
            .map(|&(_, last_t, _)| last_t.saturating_add(cfg.click_horizon()).saturating_add(1));
        match (chain, closed) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}
