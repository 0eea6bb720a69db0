//! Field values shared by many kinds of event, written and read side by side: numbers,
//! optional booleans (`bool3`), attribute values (with style diffs) and attribute lists.

use super::super::CodecError;
use super::strings::Cat;
use super::{Dec, Enc, FieldCodec};
use crate::model::{AttrValue, Attribute, Attributes, Num, StyleChange};

/// A number: a `u8` tag in `op` (`0` integer, `1` float that is exactly an `f32`,
/// `2` any other float), then its payload in `num`.
impl FieldCodec for Num {
    #[inline]
    fn encode(&self, w: &mut Enc) {
        match *self {
            Num::Int(i) => {
                w.cols.op.u8(0);
                w.cols.num.iv(i);
            }
            // Fast path: most floats from browsers (scroll offsets, zoomed coordinates)
            // are exact in f32, which takes half the bytes. It is lossless because the
            // cast back must give the same f64. `==` cannot tell -0.0 from 0.0, so a
            // negative zero takes the f64 form rather than rely on the cast for its sign;
            // NaN is never equal to itself, so it takes the f64 form with its payload.
            Num::Float(f) if f64::from(f as f32) == f && !(f == 0.0 && f.is_sign_negative()) => {
                w.cols.op.u8(1);
                w.cols.num.f32(f as f32);
            }
            Num::Float(f) => {
                w.cols.op.u8(2);
                w.cols.num.f64(f);
            }
        }
    }

    #[inline]
    fn decode(r: &mut Dec<'_, '_>) -> Result<Self, CodecError> {
        Ok(match r.cols.op.u8()? {
            0 => Num::Int(r.cols.num.iv()?),
            1 => Num::Float(f64::from(r.cols.num.f32()?)),
            2 => Num::Float(r.cols.num.f64()?),
            _ => return Err(r.bad("invalid number tag")),
        })
    }
}

/// A `bool3`: one `u8` in `op`, `0` absent, `1` false, `2` true.
impl FieldCodec for Option<bool> {
    #[inline]
    fn encode(&self, w: &mut Enc) {
        w.cols.op.u8(match self {
            None => 0,
            Some(false) => 1,
            Some(true) => 2,
        });
    }

    #[inline]
    fn decode(r: &mut Dec<'_, '_>) -> Result<Self, CodecError> {
        Ok(match r.cols.op.u8()? {
            0 => None,
            1 => Some(false),
            2 => Some(true),
            _ => return Err(r.bad("invalid optional boolean")),
        })
    }
}

/// The `u8` tag of a string attribute value. The keyframe writer, whose DOM holds only
/// string values, writes it directly (see `node`).
pub(super) const ATTR_STR: u8 = 0;

/// An attribute value: a `u8` tag in `op`, then its payload (see "Attributes" in
/// FORMAT.md).
impl FieldCodec for AttrValue {
    fn encode(&self, w: &mut Enc) {
        match self {
            AttrValue::Str(s) => {
                w.cols.op.u8(ATTR_STR);
                w.s(s, Cat::Value);
            }
            AttrValue::Num(n) => {
                w.cols.op.u8(1);
                w.put(n);
            }
            AttrValue::Bool(b) => w.cols.op.u8(if *b { 3 } else { 2 }),
            AttrValue::Removed => w.cols.op.u8(4),
            AttrValue::StyleDiff(d) => {
                w.cols.op.u8(5);
                w.cols.op.uv(d.len() as u64);
                for (k, c) in d {
                    w.s(k, Cat::Name);
                    match c {
                        StyleChange::Set(v) => {
                            w.cols.op.u8(0);
                            w.s(v, Cat::Value);
                        }
                        StyleChange::SetWithPriority(v, p) => {
                            w.cols.op.u8(1);
                            w.s(v, Cat::Value);
                            w.s(p, Cat::Name);
                        }
                        StyleChange::Remove => w.cols.op.u8(2),
                    }
                }
            }
            // Any other JSON value, as its JSON text in the value section.
            AttrValue::Other(j) => {
                w.cols.op.u8(6);
                let json = String::from_utf8_lossy(&crate::rrweb::write_json(j)).into_owned();
                w.s(&json, Cat::Value);
            }
        }
    }

    fn decode(r: &mut Dec<'_, '_>) -> Result<Self, CodecError> {
        Ok(match r.cols.op.u8()? {
            ATTR_STR => AttrValue::Str(r.s()?.to_owned()),
            1 => AttrValue::Num(r.get()?),
            2 => AttrValue::Bool(false),
            3 => AttrValue::Bool(true),
            4 => AttrValue::Removed,
            5 => {
                // Each property takes at least its one-byte change tag in `op`.
                let n = r.cols.op.count(1, r.limits.nodes)?;
                let mut d = Vec::with_capacity(n.min(64));
                for _ in 0..n {
                    let k = r.s()?.to_owned();
                    let c = match r.cols.op.u8()? {
                        0 => StyleChange::Set(r.s()?.to_owned()),
                        1 => StyleChange::SetWithPriority(r.s()?.to_owned(), r.s()?.to_owned()),
                        2 => StyleChange::Remove,
                        _ => return Err(r.bad("invalid style change")),
                    };
                    d.push((k, c));
                }
                AttrValue::StyleDiff(d)
            }
            6 => {
                let s = r.s()?;
                AttrValue::Other(r.json(s)?)
            }
            _ => return Err(r.bad("invalid attribute value tag")),
        })
    }
}

/// An attribute list: a `uv` count in `op`, then each name (name ref) and value.
impl FieldCodec for Attributes {
    fn encode(&self, w: &mut Enc) {
        w.cols.op.uv(self.len() as u64);
        for x in self {
            w.s(&x.name, Cat::Name);
            w.put(&x.value);
        }
    }

    fn decode(r: &mut Dec<'_, '_>) -> Result<Self, CodecError> {
        // Each attribute takes at least its one-byte value tag in `op`.
        let n = r.cols.op.count(1, r.limits.nodes)?;
        let mut a = Attributes::with_capacity(n.min(32));
        for _ in 0..n {
            let name = r.s()?.to_owned();
            let value = r.get()?;
            a.push(Attribute { name, value });
        }
        Ok(a)
    }
}
