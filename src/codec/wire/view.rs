//! Where the page is and how it is shown, written and read side by side: Meta (tag 3:
//! URL and viewport), Scroll (tag 8) and ViewportResize (tag 9).

use super::super::CodecError;
use super::ctx::IdRole;
use super::strings::Cat;
use super::{Dec, Enc, EventTag, WireCodec, no_extra};
use crate::model::*;

/// href (value ref), width, height.
impl WireCodec for Meta {
    const TAG: EventTag = EventTag::Meta;

    fn fits(&self) -> bool {
        no_extra(&self.extra)
    }

    fn encode(&self, w: &mut Enc, _: Timestamp) {
        w.s(&self.href, Cat::Value);
        w.put(&self.width);
        w.put(&self.height);
    }

    fn decode(r: &mut Dec<'_, '_>, _: Timestamp) -> Result<Self, CodecError> {
        Ok(Meta {
            href: r.s()?.to_owned(),
            width: r.get()?,
            height: r.get()?,
            extra: Vec::new(),
        })
    }
}

/// Node id (target role), x, y.
impl WireCodec for Scroll {
    const TAG: EventTag = EventTag::Scroll;

    fn fits(&self) -> bool {
        no_extra(&self.extra)
    }

    fn encode(&self, w: &mut Enc, _: Timestamp) {
        w.id(self.id, IdRole::Target);
        w.put(&self.x);
        w.put(&self.y);
    }

    fn decode(r: &mut Dec<'_, '_>, _: Timestamp) -> Result<Self, CodecError> {
        Ok(Scroll {
            id: r.id(IdRole::Target)?,
            x: r.get()?,
            y: r.get()?,
            extra: Vec::new(),
        })
    }
}

/// Width, height.
impl WireCodec for ViewportResize {
    const TAG: EventTag = EventTag::ViewportResize;

    fn fits(&self) -> bool {
        no_extra(&self.extra)
    }

    fn encode(&self, w: &mut Enc, _: Timestamp) {
        w.put(&self.width);
        w.put(&self.height);
    }

    fn decode(r: &mut Dec<'_, '_>, _: Timestamp) -> Result<Self, CodecError> {
        Ok(ViewportResize {
            width: r.get()?,
            height: r.get()?,
            extra: Vec::new(),
        })
    }
}
