//! bincode 2's `standard()` primitive encodings, written and read by hand so that the
//! event payload can be delta-coded in one pass: unsigned varints (`< 251` in one byte;
//! `251`/`252`/`253` + u16/u32/u64 little-endian), zigzag for signed, length-prefixed
//! bytes. The unit tests check every form byte for byte against bincode itself.

use super::CodecError;

/// An output buffer.
#[derive(Debug, Default, Clone)]
pub(crate) struct Buf {
    pub(crate) bytes: Vec<u8>,
}

impl Buf {
    #[inline]
    pub(crate) fn u8(&mut self, v: u8) {
        self.bytes.push(v);
    }

    #[inline]
    pub(crate) fn uv(&mut self, v: u64) {
        if v < 251 {
            self.bytes.push(v as u8);
        } else if v <= u64::from(u16::MAX) {
            self.bytes.push(251);
            self.bytes.extend_from_slice(&(v as u16).to_le_bytes());
        } else if v <= u64::from(u32::MAX) {
            self.bytes.push(252);
            self.bytes.extend_from_slice(&(v as u32).to_le_bytes());
        } else {
            self.bytes.push(253);
            self.bytes.extend_from_slice(&v.to_le_bytes());
        }
    }

    #[inline]
    pub(crate) fn iv(&mut self, v: i64) {
        self.uv(((v << 1) ^ (v >> 63)) as u64);
    }

    pub(crate) fn f32(&mut self, v: f32) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn f64(&mut self, v: f64) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn raw(&mut self, b: &[u8]) {
        self.bytes.extend_from_slice(b);
    }

    pub(crate) fn str(&mut self, s: &str) {
        self.uv(s.len() as u64);
        self.bytes.extend_from_slice(s.as_bytes());
    }
}

/// A bounds-checked reader: every length is checked against the bytes left before
/// anything is allocated.
pub(crate) struct Rd<'a> {
    pub(crate) b: &'a [u8],
    pub(crate) pos: usize,
}

impl<'a> Rd<'a> {
    pub(crate) fn new(b: &'a [u8]) -> Self {
        Rd { b, pos: 0 }
    }

    /// A reader over `b[start..end]` whose positions are offsets in `b`.
    pub(crate) fn span(b: &'a [u8], start: usize, end: usize) -> Self {
        let end = end.min(b.len());
        Rd {
            b: b.get(..end).unwrap_or_default(),
            pos: start.min(end),
        }
    }

    pub(crate) fn left(&self) -> usize {
        self.b.len().saturating_sub(self.pos)
    }

    fn bad(&self, what: &'static str) -> CodecError {
        CodecError::Malformed {
            chunk: 0,
            offset: self.pos,
            what,
        }
    }

    #[inline]
    pub(crate) fn u8(&mut self) -> Result<u8, CodecError> {
        let v = *self
            .b
            .get(self.pos)
            .ok_or_else(|| self.bad("unexpected end of chunk"))?;
        self.pos += 1;
        Ok(v)
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], CodecError> {
        if n > self.left() {
            return Err(self.bad("length beyond the end of the chunk"));
        }
        let s = self
            .b
            .get(self.pos..self.pos + n)
            .ok_or_else(|| self.bad("length beyond the end of the chunk"))?;
        self.pos += n;
        Ok(s)
    }

    #[inline]
    pub(crate) fn uv(&mut self) -> Result<u64, CodecError> {
        let first = self.u8()?;
        Ok(match first {
            0..=250 => u64::from(first),
            251 => {
                let b = self.take(2)?;
                u64::from(u16::from_le_bytes([
                    b.first().copied().unwrap_or(0),
                    b.get(1).copied().unwrap_or(0),
                ]))
            }
            252 => {
                let mut a = [0u8; 4];
                a.copy_from_slice(self.take(4)?);
                u64::from(u32::from_le_bytes(a))
            }
            253 => {
                let mut a = [0u8; 8];
                a.copy_from_slice(self.take(8)?);
                u64::from_le_bytes(a)
            }
            _ => return Err(self.bad("invalid varint tag")),
        })
    }

    #[inline]
    pub(crate) fn iv(&mut self) -> Result<i64, CodecError> {
        let u = self.uv()?;
        Ok(((u >> 1) as i64) ^ -((u & 1) as i64))
    }

    /// A count of items, each taking at least `min_bytes`, checked against what is left.
    pub(crate) fn count(&mut self, min_bytes: usize, cap: usize) -> Result<usize, CodecError> {
        let n = self.uv()?;
        let n = usize::try_from(n).map_err(|_| self.bad("count out of range"))?;
        if n > cap {
            return Err(CodecError::LimitExceeded {
                chunk: 0,
                what: "items in a list",
                limit: cap,
            });
        }
        if n.saturating_mul(min_bytes.max(1)) > self.left() {
            return Err(self.bad("count beyond the end of the chunk"));
        }
        Ok(n)
    }

    pub(crate) fn f32(&mut self) -> Result<f32, CodecError> {
        let mut a = [0u8; 4];
        a.copy_from_slice(self.take(4)?);
        Ok(f32::from_le_bytes(a))
    }

    pub(crate) fn f64(&mut self) -> Result<f64, CodecError> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.take(8)?);
        Ok(f64::from_le_bytes(a))
    }

    pub(crate) fn str(&mut self, cap: usize) -> Result<&'a str, CodecError> {
        let n = self.uv()?;
        let n = usize::try_from(n).map_err(|_| self.bad("length out of range"))?;
        if n > cap {
            return Err(CodecError::LimitExceeded {
                chunk: 0,
                what: "string length",
                limit: cap,
            });
        }
        let b = self.take(n)?;
        std::str::from_utf8(b).map_err(|_| self.bad("string is not UTF-8"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_bincode_standard_encoding() {
        let cfg = bincode::config::standard();
        for v in [
            0u64,
            1,
            250,
            251,
            252,
            65535,
            65536,
            u64::from(u32::MAX),
            u64::from(u32::MAX) + 1,
            u64::MAX,
        ] {
            let mut b = Buf::default();
            b.uv(v);
            assert_eq!(b.bytes, bincode::encode_to_vec(v, cfg).unwrap(), "{v}");
            assert_eq!(Rd::new(&b.bytes).uv().unwrap(), v);
        }
        for v in [0i64, -1, 1, -126, 125, -32768, i64::MIN, i64::MAX] {
            let mut b = Buf::default();
            b.iv(v);
            assert_eq!(b.bytes, bincode::encode_to_vec(v, cfg).unwrap(), "{v}");
            assert_eq!(Rd::new(&b.bytes).iv().unwrap(), v);
        }
        let mut b = Buf::default();
        b.str("héllo");
        assert_eq!(b.bytes, bincode::encode_to_vec("héllo", cfg).unwrap());
        let mut b = Buf::default();
        b.f64(1.5);
        assert_eq!(b.bytes, bincode::encode_to_vec(1.5f64, cfg).unwrap());
    }

    #[test]
    fn lengths_are_checked_before_allocation() {
        // A string claiming 2^40 bytes in a 10-byte input.
        let mut b = Buf::default();
        b.uv(1 << 40);
        assert!(Rd::new(&b.bytes).str(usize::MAX).is_err());
        let mut b = Buf::default();
        b.uv(1_000_000);
        assert!(Rd::new(&b.bytes).count(1, usize::MAX).is_err());
        assert!(Rd::new(&[254]).uv().is_err());
        assert!(Rd::new(&[]).u8().is_err());
    }
}
