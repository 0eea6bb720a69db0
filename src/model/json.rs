//! Opaque JSON values and numbers that keep their integer-or-float identity.

use std::fmt;

use bincode::de::{BorrowDecoder, Decoder};
use bincode::enc::Encoder;
use bincode::error::{DecodeError, EncodeError};
use bincode::{BorrowDecode, Decode, Encode};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// How deep an opaque [`Json`] value may nest when it is decoded from bincode.
///
/// Values read from rrweb JSON are bounded by [`crate::Limits::json_depth`]; this bound
/// protects the binary path, where a hostile input could otherwise recurse without end.
pub const MAX_OPAQUE_DEPTH: usize = 256;

/// A JSON number exactly as it was written: an integer stays an integer, a float a float.
///
/// rrweb writes coordinates, scroll offsets and media times sometimes as integers and
/// sometimes as floats; keeping the distinction is what makes our round trip lossless.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Num {
    /// An integer (`12`, `-3`).
    Int(i64),
    /// A number written with a fraction or an exponent (`12.5`, `1e3`).
    Float(f64),
}

impl Num {
    /// The value as `f64` (integers beyond 2^53 round).
    pub fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }

    /// The value as an integer, if it is one (floats with no fraction count too).
    pub fn as_i64(self) -> Option<i64> {
        match self {
            Num::Int(i) => Some(i),
            Num::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(f as i64),
            Num::Float(_) => None,
        }
    }

    /// The compact number for a measured value: an integer when it has no fraction (as
    /// browsers report most coordinates), else a float; non-finite values become `0.0`,
    /// since JSON cannot carry them.
    pub fn from_f64(v: f64) -> Num {
        if v.fract() == 0.0 && v.abs() < 9e15 {
            Num::Int(v as i64)
        } else {
            Num::Float(if v.is_finite() { v } else { 0.0 })
        }
    }

    /// A stable 64-bit identity of the value (used by hashes): integers and floats differ.
    pub fn stable_bits(self) -> (u8, u64) {
        match self {
            Num::Int(i) => (0, i as u64),
            Num::Float(f) => (1, f.to_bits()),
        }
    }
}

impl Default for Num {
    fn default() -> Self {
        Num::Int(0)
    }
}

impl From<i64> for Num {
    fn from(v: i64) -> Self {
        Num::Int(v)
    }
}

impl From<f64> for Num {
    fn from(v: f64) -> Self {
        Num::Float(v)
    }
}

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Num::Int(i) => write!(f, "{i}"),
            Num::Float(x) => write!(f, "{x}"),
        }
    }
}

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            Num::Int(i) => s.serialize_i64(i),
            Num::Float(f) => s.serialize_f64(f),
        }
    }
}

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Num;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Num, E> {
                Ok(Num::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Num, E> {
                i64::try_from(v)
                    .map(Num::Int)
                    .map_err(|_| E::custom("integer out of range"))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Num, E> {
                Ok(Num::Float(v))
            }
        }
        d.deserialize_any(V)
    }
}

impl Encode for Num {
    fn encode<E: Encoder>(&self, e: &mut E) -> Result<(), EncodeError> {
        match *self {
            Num::Int(i) => {
                0u8.encode(e)?;
                i.encode(e)
            }
            Num::Float(f) => {
                1u8.encode(e)?;
                f.encode(e)
            }
        }
    }
}

impl<C> Decode<C> for Num {
    fn decode<D: Decoder<Context = C>>(d: &mut D) -> Result<Self, DecodeError> {
        match u8::decode(d)? {
            0 => Ok(Num::Int(i64::decode(d)?)),
            1 => Ok(Num::Float(f64::decode(d)?)),
            found => Err(DecodeError::UnexpectedVariant {
                type_name: "Num",
                allowed: &bincode::error::AllowedEnumVariants::Range { min: 0, max: 1 },
                found: u32::from(found),
            }),
        }
    }
}
bincode::impl_borrow_decode!(Num);

/// An opaque JSON value that keeps object key order and integer-vs-float identity.
///
/// It carries whatever the model does not type in depth (canvas commands, plugin and
/// custom payloads, unknown fields and unknown event kinds) so that nothing is lost.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Json {
    /// `null`.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer that fits in `i64`.
    Int(i64),
    /// A positive integer above `i64::MAX`.
    UInt(u64),
    /// A number with a fraction or exponent.
    Float(f64),
    /// A string.
    Str(String),
    /// An array.
    Array(Vec<Json>),
    /// An object, keys in their original order.
    Object(Vec<(String, Json)>),
}

impl Json {
    /// The JSON type name, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Int(_) | Json::UInt(_) => "an integer",
            Json::Float(_) => "a float",
            Json::Str(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The value of `key` if this is an object that has it.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The number, if this is one.
    pub fn as_num(&self) -> Option<Num> {
        match *self {
            Json::Int(i) => Some(Num::Int(i)),
            Json::Float(f) => Some(Num::Float(f)),
            _ => None,
        }
    }

    /// Visits every string in the value (keys excluded), iteratively.
    pub fn for_each_str_mut(&mut self, mut f: impl FnMut(&mut String)) {
        let mut stack: Vec<&mut Json> = vec![self];
        while let Some(v) = stack.pop() {
            match v {
                Json::Str(s) => f(s),
                Json::Array(items) => stack.extend(items.iter_mut()),
                Json::Object(fields) => stack.extend(fields.iter_mut().map(|(_, v)| v)),
                _ => {}
            }
        }
    }

    /// Parses one JSON document with at most `max_depth` levels of nesting.
    pub fn parse(input: &[u8], max_depth: usize) -> Result<Json, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_slice(input);
        de.disable_recursion_limit();
        let v = JsonSeed {
            depth: 0,
            max_depth,
        }
        .deserialize(&mut de)?;
        de.end()?;
        Ok(v)
    }
}

impl From<Num> for Json {
    fn from(n: Num) -> Self {
        match n {
            Num::Int(i) => Json::Int(i),
            Num::Float(f) => Json::Float(f),
        }
    }
}

impl From<&str> for Json {
    fn from(s: &str) -> Self {
        Json::Str(s.to_owned())
    }
}

impl From<String> for Json {
    fn from(s: String) -> Self {
        Json::Str(s)
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self {
            Json::Null => s.serialize_unit(),
            Json::Bool(b) => s.serialize_bool(*b),
            Json::Int(i) => s.serialize_i64(*i),
            Json::UInt(u) => s.serialize_u64(*u),
            Json::Float(f) => s.serialize_f64(*f),
            Json::Str(v) => s.serialize_str(v),
            Json::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Json::Object(fields) => {
                let mut map = s.serialize_map(Some(fields.len()))?;
                for (k, v) in fields {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

/// Deserializes a [`Json`] value while counting nesting, so that hostile input cannot
/// recurse deeper than `max_depth`.
#[derive(Clone, Copy)]
pub(crate) struct JsonSeed {
    pub(crate) depth: usize,
    pub(crate) max_depth: usize,
}

impl<'de> DeserializeSeed<'de> for JsonSeed {
    type Value = Json;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        if self.depth > self.max_depth {
            return Err(de::Error::custom(format_args!(
                "nesting deeper than the limit of {}",
                self.max_depth
            )));
        }
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for JsonSeed {
    type Value = Json;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Json, E> {
        Ok(i64::try_from(v).map_or(Json::UInt(v), Json::Int))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json, E> {
        Ok(Json::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Json, E> {
        Ok(Json::Str(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Json, E> {
        Ok(Json::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let inner = JsonSeed {
            depth: self.depth + 1,
            max_depth: self.max_depth,
        };
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(inner)? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let inner = JsonSeed {
            depth: self.depth + 1,
            max_depth: self.max_depth,
        };
        let mut fields = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(inner)?;
            fields.push((key, value));
        }
        Ok(Json::Object(fields))
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        JsonSeed {
            depth: 0,
            max_depth: MAX_OPAQUE_DEPTH,
        }
        .deserialize(d)
    }
}

const TAG_NULL: u8 = 0;
const TAG_FALSE: u8 = 1;
const TAG_TRUE: u8 = 2;
const TAG_INT: u8 = 3;
const TAG_UINT: u8 = 4;
const TAG_FLOAT: u8 = 5;
const TAG_STR: u8 = 6;
const TAG_ARRAY: u8 = 7;
const TAG_OBJECT: u8 = 8;

impl Encode for Json {
    fn encode<E: Encoder>(&self, e: &mut E) -> Result<(), EncodeError> {
        match self {
            Json::Null => TAG_NULL.encode(e),
            Json::Bool(false) => TAG_FALSE.encode(e),
            Json::Bool(true) => TAG_TRUE.encode(e),
            Json::Int(i) => {
                TAG_INT.encode(e)?;
                i.encode(e)
            }
            Json::UInt(u) => {
                TAG_UINT.encode(e)?;
                u.encode(e)
            }
            Json::Float(f) => {
                TAG_FLOAT.encode(e)?;
                f.encode(e)
            }
            Json::Str(s) => {
                TAG_STR.encode(e)?;
                s.encode(e)
            }
            Json::Array(items) => {
                TAG_ARRAY.encode(e)?;
                items.encode(e)
            }
            Json::Object(fields) => {
                TAG_OBJECT.encode(e)?;
                fields.encode(e)
            }
        }
    }
}

fn decode_json<C, D: Decoder<Context = C>>(d: &mut D, depth: usize) -> Result<Json, DecodeError> {
    if depth > MAX_OPAQUE_DEPTH {
        return Err(DecodeError::Other("opaque JSON nested too deep"));
    }
    Ok(match u8::decode(d)? {
        TAG_NULL => Json::Null,
        TAG_FALSE => Json::Bool(false),
        TAG_TRUE => Json::Bool(true),
        TAG_INT => Json::Int(i64::decode(d)?),
        TAG_UINT => Json::UInt(u64::decode(d)?),
        TAG_FLOAT => Json::Float(f64::decode(d)?),
        TAG_STR => Json::Str(String::decode(d)?),
        TAG_ARRAY => {
            let len = decode_len(d)?;
            // Grow as elements arrive: a claimed length allocates nothing up front.
            let mut items = Vec::new();
            for _ in 0..len {
                items.push(decode_json(d, depth + 1)?);
            }
            Json::Array(items)
        }
        TAG_OBJECT => {
            let len = decode_len(d)?;
            let mut fields = Vec::new();
            for _ in 0..len {
                let key = String::decode(d)?;
                fields.push((key, decode_json(d, depth + 1)?));
            }
            Json::Object(fields)
        }
        found => {
            return Err(DecodeError::UnexpectedVariant {
                type_name: "Json",
                allowed: &bincode::error::AllowedEnumVariants::Range { min: 0, max: 8 },
                found: u32::from(found),
            });
        }
    })
}

fn decode_len<C, D: Decoder<Context = C>>(d: &mut D) -> Result<usize, DecodeError> {
    let len = u64::decode(d)?;
    let len = usize::try_from(len).map_err(|_| DecodeError::OutsideUsizeRange(len))?;
    // Every element takes at least one byte: claim that much against the decoder's limit.
    d.claim_bytes_read(len)?;
    Ok(len)
}

impl<C> Decode<C> for Json {
    fn decode<D: Decoder<Context = C>>(d: &mut D) -> Result<Self, DecodeError> {
        decode_json(d, 0)
    }
}

impl<'de, C> BorrowDecode<'de, C> for Json {
    fn borrow_decode<D: BorrowDecoder<'de, Context = C>>(d: &mut D) -> Result<Self, DecodeError> {
        decode_json(d, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_keeps_int_float_and_order() {
        let v = Json::parse(
            br#"{"b":1,"a":1.0,"c":[null,true,"x",-3,18446744073709551615]}"#,
            8,
        )
        .unwrap();
        let Json::Object(fields) = &v else {
            panic!("object expected")
        };
        assert_eq!(fields[0], ("b".into(), Json::Int(1)));
        assert_eq!(fields[1], ("a".into(), Json::Float(1.0)));
        assert_eq!(
            fields[2].1,
            Json::Array(vec![
                Json::Null,
                Json::Bool(true),
                Json::Str("x".into()),
                Json::Int(-3),
                Json::UInt(u64::MAX)
            ])
        );
    }

    #[test]
    fn parse_enforces_depth() {
        let deep = format!("{}{}", "[".repeat(50), "]".repeat(50));
        assert!(Json::parse(deep.as_bytes(), 60).is_ok());
        let err = Json::parse(deep.as_bytes(), 10).unwrap_err();
        assert!(err.to_string().contains("nesting deeper"), "{err}");
    }

    #[test]
    fn bincode_round_trip_and_bounds() {
        let cfg = bincode::config::standard().with_limit::<4096>();
        let v = Json::parse(
            br#"{"k":[1,2.5,"s",{"x":null}],"u":18446744073709551615}"#,
            8,
        )
        .unwrap();
        let bytes = bincode::encode_to_vec(&v, cfg).unwrap();
        let (back, used): (Json, usize) = bincode::decode_from_slice(&bytes, cfg).unwrap();
        assert_eq!(back, v);
        assert_eq!(used, bytes.len());
        // An array claiming 2^40 elements must fail on the limit, not allocate.
        let mut bomb = vec![TAG_ARRAY, 253];
        bomb.extend_from_slice(&(1u64 << 40).to_le_bytes());
        assert!(bincode::decode_from_slice::<Json, _>(&bomb, cfg).is_err());
        // Deep nesting is refused.
        let deep = [TAG_ARRAY, 1].repeat(MAX_OPAQUE_DEPTH + 2);
        let cfg_big = bincode::config::standard().with_limit::<{ 1 << 20 }>();
        assert!(bincode::decode_from_slice::<Json, _>(&deep, cfg_big).is_err());
    }
}
