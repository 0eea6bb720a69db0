//! How media elements' playback state is kept: read from a snapshot's `rr_media*`
//! attributes, then changed by media interaction events.
//!
//! A [`MediaState`] stores the position as of the last event (`current_time` at `at`)
//! rather than a position per moment: a playing element's position at any later time is
//! derived ([`MediaState::position_at`]), so nothing needs updating between events.

use super::diag::Issue;
use super::state::{MediaState, State};
use crate::error::ReplayError;
use crate::model::*;

impl State {
    /// Reads the playback state of the `<video>` and `<audio>` elements under `root` (a
    /// snapshot, or an added node) from the `rr_media*` attributes rrweb records in
    /// snapshots, as of `at`.
    pub(super) fn init_media_from_attributes(&mut self, root: u32, at: Timestamp) {
        let slots: Vec<u32> = self
            .dom
            .descendants(root)
            .filter(|&s| matches!(self.dom.tag(s), Some("video" | "audio")))
            .collect();
        for s in slots {
            let Some(id) = self.dom.node(s).map(|n| n.id) else {
                continue;
            };
            let num = |name: &str| self.dom.attr(s, name).and_then(|v| v.parse::<f64>().ok());
            let state = MediaState {
                playing: self.dom.attr(s, "rr_mediaState") == Some("played"),
                current_time: num("rr_mediaCurrentTime").unwrap_or(0.0),
                at,
                volume: num("rr_mediaVolume").unwrap_or(1.0),
                muted: self
                    .dom
                    .attr(s, "rr_mediaMuted")
                    .is_some_and(|v| v != "false"),
                looping: self
                    .dom
                    .attr(s, "rr_mediaLoop")
                    .is_some_and(|v| v != "false"),
                rate: num("rr_mediaPlaybackRate").unwrap_or(1.0),
            };
            self.media.insert(id, state);
        }
    }

    /// Applies a media interaction (play, pause, seek, volume, rate...) at `t`.
    pub(super) fn media_event(
        &mut self,
        m: &MediaInteraction,
        t: Timestamp,
        ev: usize,
    ) -> Result<(), ReplayError> {
        if self.dom.slot_of(m.id).is_none() {
            return self.issue(ev, Issue::UnknownNode(m.id));
        }
        let entry = self.media.entry(m.id).or_insert(MediaState {
            playing: false,
            current_time: 0.0,
            at: t,
            volume: 1.0,
            muted: false,
            looping: false,
            rate: 1.0,
        });
        // Bring the clock up to `t` before changing anything.
        entry.current_time = entry.position_at(t);
        entry.at = t;
        if let Some(ct) = m.current_time {
            entry.current_time = ct.as_f64();
        }
        if let Some(v) = m.volume {
            entry.volume = v.as_f64();
        }
        if let Some(muted) = m.muted {
            entry.muted = muted;
        }
        if let Some(l) = m.looping {
            entry.looping = l;
        }
        if let Some(r) = m.playback_rate {
            entry.rate = r.as_f64();
        }
        match m.kind {
            MediaInteractionKind::Play => entry.playing = true,
            MediaInteractionKind::Pause => entry.playing = false,
            _ => {}
        }
        Ok(())
    }
}
