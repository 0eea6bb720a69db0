//! Thrashed cursor: the pointer moved back and forth fast.
//!
//! The definition, from the pointer samples alone: along each axis, the pointer's
//! movement is cut into legs, each a run in one direction; a leg counts once it has
//! travelled at least `thrash_leg` px, and a **turn** is where a counted leg ends and
//! the pointer goes back at least `thrash_leg` px the other way (turns of both axes
//! within 250 ms are one turn of a diagonal movement). At least
//! `thrash_turns` turns (on either axis; a turn counts when the pointer is a leg back)
//! within `thrash_window` make a thrash, reported
//! once, when the turns stop: its first turn's time, how many turns, and how long.
//! Small wiggles (a hand at rest, a slow drag) make no leg; reading along lines of
//! text makes one turn per line, far slower than the window. A click clears the turns
//! counted so far: movement that ends in clicks has a purpose.

use std::collections::VecDeque;

use super::config::InsightsConfig;
use super::signal::{Signal, SignalKind};

/// How close turns of the two axes are one turn of a diagonal movement.
const DIAGONAL_MS: i64 = 250;

#[derive(Debug, Default, Clone, Copy)]
struct Axis {
    /// -1, 0 (no leg yet) or 1.
    dir: i8,
    /// Where the current leg began.
    origin: f64,
    /// The farthest point of the current leg, and when.
    extreme: f64,
    extreme_t: i64,
    started: bool,
}

impl Axis {
    /// A sample; returns the time of a turn it completes.
    fn sample(&mut self, v: f64, t: i64, leg: f64) -> Option<i64> {
        if !self.started {
            *self = Axis {
                dir: 0,
                origin: v,
                extreme: v,
                extreme_t: t,
                started: true,
            };
            return None;
        }
        if self.dir == 0 {
            if (v - self.origin).abs() >= leg {
                self.dir = if v > self.origin { 1 } else { -1 };
                self.extreme = v;
                self.extreme_t = t;
            } else if (v - self.origin).abs() > (self.extreme - self.origin).abs() {
                self.extreme = v;
                self.extreme_t = t;
            }
            return None;
        }
        let d = f64::from(self.dir);
        if (v - self.extreme) * d > 0.0 {
            self.extreme = v;
            self.extreme_t = t;
            return None;
        }
        if (self.extreme - v) * d >= leg {
            // The turn counts when it shows (the pointer is a leg back), not when the
            // extreme was reached: a pointer that rested at the end of a slow leg did
            // not turn fast.
            let turn = ((self.extreme - self.origin).abs() >= leg).then_some(t);
            self.origin = self.extreme;
            self.dir = -self.dir;
            self.extreme = v;
            self.extreme_t = t;
            return turn;
        }
        None
    }
}

/// The thrash detector's state.
#[derive(Debug)]
pub(crate) struct Cursor {
    x: Axis,
    y: Axis,
    /// Turns within the window, in time order.
    turns: VecDeque<i64>,
    /// The latest turn time seen (samples of two events may interleave in time).
    latest: i64,
    /// Each axis's last turn: a turn of one axis this close to the other's is the same
    /// turn of a diagonal movement, counted once.
    last_x: Option<i64>,
    last_y: Option<i64>,
    /// The thrash under way: its first turn, its last, and its turns.
    episode: Option<(i64, i64, u32)>,
}

impl Default for Cursor {
    fn default() -> Self {
        Cursor {
            x: Axis::default(),
            y: Axis::default(),
            turns: VecDeque::with_capacity(16),
            latest: i64::MIN,
            last_x: None,
            last_y: None,
            episode: None,
        }
    }
}

impl Cursor {
    /// A pointer sample at `t`.
    pub(crate) fn sample(
        &mut self,
        x: f64,
        y: f64,
        t: i64,
        cfg: &InsightsConfig,
        out: &mut VecDeque<Signal>,
    ) {
        let tx = self.x.sample(x, t, cfg.thrash_leg);
        let ty = self.y.sample(y, t, cfg.thrash_leg);
        let near = |a: Option<i64>, b: i64| a.is_some_and(|a| (a - b).abs() <= DIAGONAL_MS);
        let turn = match (tx, ty) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (Some(a), None) => (!near(self.last_y, a)).then_some(a),
            (None, Some(b)) => (!near(self.last_x, b)).then_some(b),
            (None, None) => None,
        };
        self.last_x = tx.or(self.last_x);
        self.last_y = ty.or(self.last_y);
        if let Some(t) = turn {
            self.turn(t, cfg, out);
        }
    }

    fn turn(&mut self, t: i64, cfg: &InsightsConfig, out: &mut VecDeque<Signal>) {
        self.latest = self.latest.max(t);
        self.advance(self.latest, false, out, cfg);
        while self
            .turns
            .front()
            .is_some_and(|&f| self.latest - f > cfg.thrash_window.0)
        {
            self.turns.pop_front();
        }
        if self.latest - t > cfg.thrash_window.0 {
            return;
        }
        // In time order (a turn of one axis may be a little older than the other's).
        let at = self
            .turns
            .iter()
            .rposition(|&x| x <= t)
            .map_or(0, |i| i + 1);
        self.turns.insert(at, t);
        match self.episode.as_mut() {
            Some(e) => {
                e.0 = e.0.min(t);
                e.1 = e.1.max(t);
                e.2 = e.2.saturating_add(1);
            }
            None if self.turns.len() >= cfg.thrash_turns as usize => {
                let first = self.turns.front().copied().unwrap_or(t);
                let last = self.turns.back().copied().unwrap_or(t);
                self.episode = Some((first, last, self.turns.len() as u32));
            }
            None => {}
        }
    }

    /// A click at `t`: movement that ends in clicks has a purpose (the corpus's todo
    /// person goes up and down its list twice a second, clicking items), so the turns
    /// so far count no more; a thrash already under way ends there.
    pub(crate) fn click(&mut self, t: i64, cfg: &InsightsConfig, out: &mut VecDeque<Signal>) {
        self.advance(t, true, out, cfg);
        self.turns.clear();
    }

    /// Ends a thrash whose turns have stopped (no turn for a window) by `now`, or any
    /// with `end`.
    pub(crate) fn advance(
        &mut self,
        now: i64,
        end: bool,
        out: &mut VecDeque<Signal>,
        cfg: &InsightsConfig,
    ) {
        if let Some((first, last, turns)) = self.episode
            && (end || now - last > cfg.thrash_window.0)
        {
            self.episode = None;
            self.turns.clear();
            out.push_back(Signal {
                t: first,
                node: None,
                kind: SignalKind::ThrashedCursor {
                    turns,
                    duration_ms: last - first,
                },
            });
        }
    }

    /// When a thrash under way ends if no turn comes.
    pub(crate) fn next_due(&self, cfg: &InsightsConfig) -> Option<i64> {
        self.episode
            .map(|(_, last, _)| last.saturating_add(cfg.thrash_window.0).saturating_add(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(points: &[(f64, f64, i64)]) -> Vec<Signal> {
        let cfg = InsightsConfig::default();
        let mut c = Cursor::default();
        let mut out = VecDeque::new();
        for &(x, y, t) in points {
            c.sample(x, y, t, &cfg, &mut out);
        }
        c.advance(i64::MAX / 2, true, &mut out, &cfg);
        out.into()
    }

    fn zigzag(width: f64, turns: usize, step_ms: i64, t0: i64) -> Vec<(f64, f64, i64)> {
        // Four samples per leg.
        let mut v = Vec::new();
        let mut t = t0;
        for leg in 0..=turns {
            for k in 0..4 {
                let f = f64::from(k + 1) / 4.0;
                let x = if leg % 2 == 0 {
                    width * f
                } else {
                    width * (1.0 - f)
                };
                v.push((100.0 + x, 300.0, t));
                t += step_ms;
            }
        }
        v
    }

    #[test]
    fn fast_back_and_forth_is_one_thrash() {
        let s = run(&zigzag(300.0, 8, 50, 1_000));
        assert_eq!(s.len(), 1, "{s:?}");
        match &s[0].kind {
            // 8 turns, the first at the first turn and the last at the eighth.
            SignalKind::ThrashedCursor { turns, duration_ms } => {
                assert_eq!((*turns, *duration_ms), (8, 7 * 200));
            }
            k => panic!("{k:?}"),
        }
    }

    #[test]
    fn near_misses_are_not_thrashes() {
        // Too few turns.
        assert!(run(&zigzag(300.0, 5, 50, 0)).is_empty());
        // Too slow: one turn every 440 ms, so at most 5 in any 2 s.
        assert!(run(&zigzag(300.0, 12, 110, 0)).is_empty());
        // Too small: legs of 30 px.
        assert!(run(&zigzag(30.0, 12, 50, 0)).is_empty());
    }

    #[test]
    fn a_diagonal_zigzag_turns_once_per_corner() {
        // Corners 450 ms apart, both axes turning at each: counted per axis, 8 or 9
        // turns would fall in 2 s; counted per corner, 5 do: no thrash.
        let mut p = Vec::new();
        for i in 0..9i64 {
            let (x, y) = if i % 2 == 0 {
                (100.0, 100.0)
            } else {
                (300.0, 250.0)
            };
            for k in 0..4i64 {
                let f = (k + 1) as f64 / 4.0;
                let (px, py) = p.last().map_or((x, y), |l: &(f64, f64, i64)| (l.0, l.1));
                p.push((px + (x - px) * f, py + (y - py) * f, i * 450 + k * 112));
            }
        }
        assert!(run(&p).is_empty());
    }

    #[test]
    fn clicks_between_the_turns_make_it_purposeful() {
        let cfg = InsightsConfig::default();
        let mut c = Cursor::default();
        let mut out = VecDeque::new();
        for (i, &(x, y, t)) in zigzag(300.0, 12, 50, 0).iter().enumerate() {
            c.sample(x, y, t, &cfg, &mut out);
            if i % 8 == 7 {
                c.click(t, &cfg, &mut out);
            }
        }
        c.advance(i64::MAX / 2, true, &mut out, &cfg);
        assert!(out.is_empty(), "{out:?}");
    }

    #[test]
    fn two_bursts_far_apart_are_two_thrashes() {
        let mut p = zigzag(300.0, 8, 50, 0);
        p.extend(zigzag(300.0, 8, 50, 60_000));
        assert_eq!(run(&p).len(), 2);
    }
}
