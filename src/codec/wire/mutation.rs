//! DOM mutations (tag 5), written and read side by side: removes, adds, texts,
//! attributes, then isAttachIframe (see "Mutation" in FORMAT.md).
//!
//! The id roles are what make mutations small: a remove's parent and an add's parent
//! share the parent register (a batch usually touches one container), removed nodes have
//! their own register (a list cleared item by item counts up or down by one), and an
//! add's siblings are predicted from the last serialized node (often the node added just
//! before, inserted next to it).

use super::super::CodecError;
use super::ctx::IdRole;
use super::strings::Cat;
use super::{Dec, Enc, EventTag, WireCodec, no_extra};
use crate::model::*;

impl WireCodec for Mutation {
    const TAG: EventTag = EventTag::Mutation;

    fn fits(&self) -> bool {
        no_extra(&self.extra)
            && self.removes.iter().all(|r| no_extra(&r.extra))
            && self.adds.iter().all(|a| no_extra(&a.extra))
            && self.texts.iter().all(|t| no_extra(&t.extra))
            && self.attributes.iter().all(|a| no_extra(&a.extra))
    }

    fn encode(&self, w: &mut Enc, _: Timestamp) {
        w.cols.op.uv(self.removes.len() as u64);
        for r in &self.removes {
            w.id(r.parent_id, IdRole::Parent);
            w.id(r.id, IdRole::Removed);
            w.put(&r.is_shadow);
        }
        w.cols.op.uv(self.adds.len() as u64);
        for a in &self.adds {
            w.id(a.parent_id, IdRole::Parent);
            // nextId: 0 null, 1 + id.
            match a.next_id {
                None => w.cols.op.u8(0),
                Some(n) => {
                    w.cols.op.u8(1);
                    w.id(n, IdRole::Sibling);
                }
            }
            // previousId: 0 absent, 1 null, 2 + id.
            match a.previous_id {
                None => w.cols.op.u8(0),
                Some(None) => w.cols.op.u8(1),
                Some(Some(p)) => {
                    w.cols.op.u8(2);
                    w.id(p, IdRole::Sibling);
                }
            }
            w.put(&a.node);
        }
        w.cols.op.uv(self.texts.len() as u64);
        for x in &self.texts {
            w.id(x.id, IdRole::Target);
            match &x.value {
                None => w.cols.op.u8(0),
                Some(v) => {
                    w.cols.op.u8(1);
                    w.s(v, Cat::Text);
                }
            }
        }
        w.cols.op.uv(self.attributes.len() as u64);
        for x in &self.attributes {
            w.id(x.id, IdRole::Target);
            w.put(&x.attributes);
        }
        w.put(&self.is_attach_iframe);
    }

    fn decode(r: &mut Dec<'_, '_>, _: Timestamp) -> Result<Self, CodecError> {
        // Minimum `op` bytes per item: a remove its isShadow; an add its two sibling
        // tags and its tree's count; a text its value tag; an attribute change its count.
        let removes = r.list(1, |r| {
            Ok(Removal {
                parent_id: r.id(IdRole::Parent)?,
                id: r.id(IdRole::Removed)?,
                is_shadow: r.get()?,
                extra: Vec::new(),
            })
        })?;
        let adds = r.list(3, |r| {
            let parent_id = r.id(IdRole::Parent)?;
            let next_id = match r.cols.op.u8()? {
                0 => None,
                1 => Some(r.id(IdRole::Sibling)?),
                _ => return Err(r.bad("invalid nextId tag")),
            };
            let previous_id = match r.cols.op.u8()? {
                0 => None,
                1 => Some(None),
                2 => Some(Some(r.id(IdRole::Sibling)?)),
                _ => return Err(r.bad("invalid previousId tag")),
            };
            Ok(Addition {
                parent_id,
                next_id,
                previous_id,
                node: r.get()?,
                extra: Vec::new(),
            })
        })?;
        let texts = r.list(1, |r| {
            Ok(TextChange {
                id: r.id(IdRole::Target)?,
                value: match r.cols.op.u8()? {
                    0 => None,
                    1 => Some(r.s()?.to_owned()),
                    _ => return Err(r.bad("invalid text value tag")),
                },
                extra: Vec::new(),
            })
        })?;
        let attributes = r.list(1, |r| {
            Ok(AttributeChange {
                id: r.id(IdRole::Target)?,
                attributes: r.get()?,
                extra: Vec::new(),
            })
        })?;
        let is_attach_iframe = r.get()?;
        Ok(Mutation {
            texts,
            attributes,
            removes,
            adds,
            is_attach_iframe,
            extra: Vec::new(),
        })
    }
}
