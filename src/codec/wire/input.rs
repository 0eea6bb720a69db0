//! Input events (tag 10), written and read side by side: a field's value as an edit of
//! its previous value.
//!
//! Recorders emit an input field's whole value on every keystroke, so a 40-character
//! field typed key by key would carry 40 copies of a growing value. Instead the value is
//! written as the bytes it replaces at one spot of the field's last value (kept per node
//! id in the coding state): typing at the end is `0, 0` and the new character, however
//! long the value.

use super::super::CodecError;
use super::ctx::IdRole;
use super::{Dec, Enc, EventTag, WireCodec, no_extra, spend};
use crate::model::*;

/// Flags bit 0: isChecked. Bits 1-2: userTriggered, `0` absent, `1` false, `2` true.
const CHECKED: u8 = 1;
const TRIGGERED_SHIFT: u8 = 1;

/// Node id (target role), `uv` bytes removed from the previous value, `uv` length of the
/// kept suffix, `str` middle (in `text`), `u8` flags. The value is
/// `previous[..len - removed - suffix] + middle + previous[len - suffix..]`.
impl WireCodec for Input {
    const TAG: EventTag = EventTag::Input;

    fn fits(&self) -> bool {
        no_extra(&self.extra)
    }

    fn encode(&self, w: &mut Enc, _: Timestamp) {
        w.id(self.id, IdRole::Target);
        let prev = w.ctx.input(self.id.0);
        let (pre, suf) = common_affixes(prev, &self.text);
        // `common_affixes` keeps prefix and suffix apart within the shorter value and on
        // char boundaries of both, so the slice and the subtraction below are in range.
        let mid = self.text.get(pre..self.text.len() - suf).unwrap_or("");
        // The bytes of the previous value the edit replaces, then the kept suffix.
        w.cols.op.uv((prev.len() - pre - suf) as u64);
        w.cols.op.uv(suf as u64);
        w.cols.text.str(mid);
        let flags = (u8::from(self.is_checked) * CHECKED)
            | match self.user_triggered {
                None => 0,
                Some(false) => 1 << TRIGGERED_SHIFT,
                Some(true) => 2 << TRIGGERED_SHIFT,
            };
        w.cols.op.u8(flags);
        w.ctx.remember_input(self.id.0, &self.text);
    }

    fn decode(r: &mut Dec<'_, '_>, _: Timestamp) -> Result<Self, CodecError> {
        let id = r.id(IdRole::Target)?;
        let removed = usize::try_from(r.cols.op.uv()?).map_err(|_| r.bad("edit out of range"))?;
        let suf = usize::try_from(r.cols.op.uv()?).map_err(|_| r.bad("edit out of range"))?;
        let mid = r.cols.text.str(r.limits.string_len)?;
        let flags = r.cols.op.u8()?;
        if flags >> 3 != 0 || flags >> TRIGGERED_SHIFT == 3 {
            return Err(r.bad("unknown input flags"));
        }
        // The edit is untrusted: it must fit in the previous value and cut it on char
        // boundaries, or the slices below would be out of range or split a character.
        let prev = r.ctx.input(id.0);
        let Some(pre) = removed
            .checked_add(suf)
            .and_then(|n| prev.len().checked_sub(n))
        else {
            return Err(r.bad("input edit longer than the previous value"));
        };
        let (Some(head), Some(tail)) = (prev.get(..pre), prev.get(prev.len() - suf..)) else {
            return Err(r.bad("input edit splits a character"));
        };
        let len = head.len() + mid.len() + tail.len();
        if len > r.limits.string_len {
            return Err(CodecError::LimitExceeded {
                chunk: 0,
                what: "string length",
                limit: r.limits.string_len,
            });
        }
        spend(&mut r.out_bytes, r.limits, len)?;
        let text = format!("{head}{mid}{tail}");
        r.ctx.remember_input(id.0, &text);
        Ok(Input {
            id,
            text,
            is_checked: flags & CHECKED != 0,
            user_triggered: match flags >> TRIGGERED_SHIFT {
                0 => None,
                1 => Some(false),
                _ => Some(true),
            },
            extra: Vec::new(),
        })
    }
}

/// Byte lengths of the common prefix and (non-overlapping) suffix, on char boundaries.
fn common_affixes(a: &str, b: &str) -> (usize, usize) {
    let mut pre = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    // Index 0 is a boundary of both, so these loops stop.
    while !a.is_char_boundary(pre) || !b.is_char_boundary(pre) {
        pre -= 1;
    }
    // The suffix is sought only in what the prefix left of the shorter string, so the
    // two never overlap and `len - pre - suf` cannot underflow.
    let max_suf = a.len().min(b.len()) - pre;
    let mut suf = a
        .bytes()
        .rev()
        .zip(b.bytes().rev())
        .take(max_suf)
        .take_while(|(x, y)| x == y)
        .count();
    while !a.is_char_boundary(a.len() - suf) || !b.is_char_boundary(b.len() - suf) {
        suf -= 1;
    }
    (pre, suf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affixes() {
        assert_eq!(common_affixes("jane", "jane."), (4, 0));
        assert_eq!(common_affixes("abc", "abXc"), (2, 1));
        assert_eq!(common_affixes("", "x"), (0, 0));
        assert_eq!(common_affixes("aaa", "aa"), (2, 0));
        assert_eq!(common_affixes("héllo", "hállo"), (1, 3));
    }
}
