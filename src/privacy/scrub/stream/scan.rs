//! The JSON scanner of the streaming path: validates rrweb JSON in place and hands out
//! byte spans of strings and scalars (never copies), and writes JSON strings.
//!
//! Invariant: every position the scanner stops at is an ASCII byte of valid JSON seen
//! so far, so the spans it hands out are `str` boundaries of the (UTF-8 checked) input.

/// This event is not for the fast path; the typed path decides.
#[derive(Debug, Clone, Copy)]
pub(super) struct Bail;
pub(super) type R<T> = Result<T, Bail>;

/// A byte range of the input.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Span {
    pub(super) start: usize,
    pub(super) end: usize,
}

/// A JSON string: its whole span (quotes included) and whether it has escapes.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Str {
    pub(super) span: Span,
    pub(super) escaped: bool,
}

/// A scalar JSON value.
#[derive(Debug, Clone, Copy)]
pub(super) enum Scalar {
    Str(Str),
    Int(i64),
    Float,
    Bool(bool),
    Null,
}

/// A scanner over the input. Every position it stops at is an ASCII byte, so the
/// spans it hands out are valid `str` boundaries.
pub(super) struct Cur<'a> {
    pub(super) b: &'a [u8],
    pub(super) i: usize,
    /// Longest string content (raw bytes) allowed before bailing out.
    pub(super) max_string: usize,
}

impl<'a> Cur<'a> {
    #[inline]
    pub(super) fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    #[inline]
    pub(super) fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.i += 1;
        }
    }

    #[inline]
    pub(super) fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    #[inline]
    pub(super) fn expect(&mut self, c: u8) -> R<()> {
        if self.eat(c) { Ok(()) } else { Err(Bail) }
    }

    pub(super) fn hex4(&mut self) -> R<u32> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = match self.peek() {
                Some(c @ b'0'..=b'9') => c - b'0',
                Some(c @ b'a'..=b'f') => c - b'a' + 10,
                Some(c @ b'A'..=b'F') => c - b'A' + 10,
                _ => return Err(Bail),
            };
            v = v * 16 + u32::from(d);
            self.i += 1;
        }
        Ok(v)
    }

    /// A string starting at the current `"`, fully validated.
    #[inline]
    pub(super) fn string(&mut self) -> R<Str> {
        let start = self.i;
        self.expect(b'"')?;
        let mut escaped = false;
        loop {
            // The common bytes first, eight at a time: everything but the quote,
            // backslash and control bytes.
            while let Some(chunk) = self.b.get(self.i..self.i + 8) {
                let mut w = [0u8; 8];
                w.copy_from_slice(chunk);
                let w = u64::from_le_bytes(w);
                const ONES: u64 = 0x0101_0101_0101_0101;
                const HIGH: u64 = 0x8080_8080_8080_8080;
                let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
                let special = zero(w ^ (ONES * u64::from(b'"')))
                    | zero(w ^ (ONES * u64::from(b'\\')))
                    | (w.wrapping_sub(ONES * 0x20) & !w & HIGH);
                if special != 0 {
                    // The first flagged byte (flags below a real one can be spurious
                    // only above it, so this never skips a special byte).
                    self.i += (special.trailing_zeros() / 8) as usize;
                    break;
                }
                self.i += 8;
            }
            match self.peek() {
                Some(b'"') => {
                    self.i += 1;
                    break;
                }
                Some(b'\\') => {
                    escaped = true;
                    self.escape()?;
                }
                // The last few bytes of the input, one at a time.
                Some(0x20..) => self.i += 1,
                _ => return Err(Bail), // a control byte or the end of input
            }
        }
        if self.i - start - 2 > self.max_string {
            return Err(Bail);
        }
        Ok(Str {
            span: Span { start, end: self.i },
            escaped,
        })
    }

    /// An escape sequence at the current `\\`, validated.
    #[cold]
    pub(super) fn escape(&mut self) -> R<()> {
        self.i += 1;
        match self.peek() {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => self.i += 1,
            Some(b'u') => {
                self.i += 1;
                let u = self.hex4()?;
                if (0xD800..0xDC00).contains(&u) {
                    // A high surrogate needs its low half.
                    self.expect(b'\\')?;
                    self.expect(b'u')?;
                    let lo = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return Err(Bail);
                    }
                } else if (0xDC00..0xE000).contains(&u) {
                    return Err(Bail);
                }
            }
            _ => return Err(Bail),
        }
        Ok(())
    }

    pub(super) fn digits(&mut self) -> usize {
        let from = self.i;
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
        self.i - from
    }

    /// A number in JSON's grammar: an integer if it has no fraction or exponent and
    /// fits an `i64`.
    #[inline]
    pub(super) fn number(&mut self) -> R<Scalar> {
        let start = self.i;
        let neg = self.eat(b'-');
        let int_start = self.i;
        let mut v: i64 = 0;
        match self.peek() {
            // A leading zero stands alone: serde_json calls `00` an invalid number, and
            // the typed path must give the same error (found by the scrub_json fuzzer).
            Some(b'0') => {
                self.i += 1;
                if let Some(b'0'..=b'9') = self.peek() {
                    return Err(Bail);
                }
            }
            Some(b'1'..=b'9') => {
                while let Some(d @ b'0'..=b'9') = self.peek() {
                    v = v.wrapping_mul(10).wrapping_add(i64::from(d - b'0'));
                    self.i += 1;
                }
            }
            _ => return Err(Bail),
        }
        let int_end = self.i;
        let mut float = false;
        if self.eat(b'.') {
            float = true;
            if self.digits() == 0 {
                return Err(Bail);
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            float = true;
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(Bail);
            }
        }
        // serde_json reads `-0` as a float, and rejects what overflows an f64.
        if float || (neg && v == 0) {
            let finite = std::str::from_utf8(self.b.get(start..self.i).unwrap_or_default())
                .ok()
                .and_then(|t| t.parse::<f64>().ok())
                .is_some_and(f64::is_finite);
            return if finite { Ok(Scalar::Float) } else { Err(Bail) };
        }
        // At most 19 digits fit; longer integers go the typed way.
        if int_end - int_start > 18 {
            return Err(Bail);
        }
        Ok(Scalar::Int(if neg { -v } else { v }))
    }

    pub(super) fn literal(&mut self, word: &[u8]) -> R<()> {
        if self.b.get(self.i..self.i + word.len()) == Some(word) {
            self.i += word.len();
            Ok(())
        } else {
            Err(Bail)
        }
    }

    /// A scalar value; containers bail.
    #[inline]
    pub(super) fn scalar(&mut self) -> R<Scalar> {
        match self.peek() {
            Some(b'"') => Ok(Scalar::Str(self.string()?)),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.literal(b"true").map(|()| Scalar::Bool(true)),
            Some(b'f') => self.literal(b"false").map(|()| Scalar::Bool(false)),
            Some(b'n') => self.literal(b"null").map(|()| Scalar::Null),
            _ => Err(Bail),
        }
    }

    /// A scalar that `want` takes (`Some`); any other value bails, as the typed reader
    /// would read it differently (or fail) where the fast path expects this kind.
    #[inline]
    fn scalar_of<T>(&mut self, want: impl FnOnce(Scalar) -> Option<T>) -> R<T> {
        want(self.scalar()?).ok_or(Bail)
    }

    /// An integer that fits an `i64` (no fraction or exponent).
    #[inline]
    pub(super) fn int(&mut self) -> R<i64> {
        self.scalar_of(|v| match v {
            Scalar::Int(i) => Some(i),
            _ => None,
        })
    }

    /// A node id: an integer that fits an `i32`, as the model's `NodeId`.
    #[inline]
    pub(super) fn id(&mut self) -> R<i32> {
        i32::try_from(self.int()?).map_err(|_| Bail)
    }

    /// Any number (kept as written: the fast path never rewrites one).
    #[inline]
    pub(super) fn num(&mut self) -> R<()> {
        self.scalar_of(|v| matches!(v, Scalar::Int(_) | Scalar::Float).then_some(()))
    }

    /// A boolean and its span (an input event's `isChecked` may be rewritten).
    #[inline]
    pub(super) fn boolean(&mut self) -> R<(bool, Span)> {
        let start = self.i;
        let b = self.scalar_of(|v| match v {
            Scalar::Bool(b) => Some(b),
            _ => None,
        })?;
        Ok((b, Span { start, end: self.i }))
    }

    /// A string.
    #[inline]
    pub(super) fn str_value(&mut self) -> R<Str> {
        self.scalar_of(|v| match v {
            Scalar::Str(s) => Some(s),
            _ => None,
        })
    }

    /// An unescaped key followed by `:`; returns its bytes.
    #[inline]
    pub(super) fn key(&mut self) -> R<&'a [u8]> {
        let k = self.string()?;
        if k.escaped {
            return Err(Bail);
        }
        self.ws();
        self.expect(b':')?;
        self.ws();
        self.b.get(k.span.start + 1..k.span.end - 1).ok_or(Bail)
    }

    /// A value under a key the fast path does not interpret: a number, boolean or
    /// null passes through (the typed path would not change it); anything that could
    /// carry text bails.
    #[inline]
    pub(super) fn opaque(&mut self) -> R<()> {
        match self.scalar()? {
            Scalar::Str(_) => Err(Bail),
            _ => Ok(()),
        }
    }

    /// After a member: `,` (more follow, true) or `}` (false).
    #[inline]
    pub(super) fn next_member(&mut self) -> R<bool> {
        self.ws();
        if self.eat(b',') {
            self.ws();
            Ok(true)
        } else {
            self.expect(b'}')?;
            Ok(false)
        }
    }

    /// Opens an object: true if it has members.
    #[inline]
    pub(super) fn open_object(&mut self) -> R<bool> {
        self.expect(b'{')?;
        self.ws();
        Ok(!self.eat(b'}'))
    }

    /// Skips any JSON value, validating it, iteratively; nesting beyond `depth_left`
    /// bails.
    pub(super) fn skip_value(&mut self, depth_left: usize) -> R<()> {
        let mut stack: Vec<bool> = Vec::new(); // true: object
        loop {
            self.ws();
            // A value.
            match self.peek() {
                Some(b'{') => {
                    self.i += 1;
                    self.ws();
                    if !self.eat(b'}') {
                        stack.push(true);
                        if stack.len() > depth_left {
                            return Err(Bail);
                        }
                        self.string()?;
                        self.ws();
                        self.expect(b':')?;
                        continue;
                    }
                }
                Some(b'[') => {
                    self.i += 1;
                    self.ws();
                    if !self.eat(b']') {
                        stack.push(false);
                        if stack.len() > depth_left {
                            return Err(Bail);
                        }
                        continue;
                    }
                }
                _ => {
                    self.scalar()?;
                }
            }
            // After a value: close containers or go on to the next member/element.
            loop {
                let Some(&obj) = stack.last() else {
                    return Ok(());
                };
                self.ws();
                if self.eat(b',') {
                    if obj {
                        self.ws();
                        self.string()?;
                        self.ws();
                        self.expect(b':')?;
                    }
                    break;
                }
                self.expect(if obj { b'}' } else { b']' })?;
                stack.pop();
            }
        }
    }

    /// Skips one value by its structure alone (strings and brackets), without
    /// validating it: where [`Cur::skip_value`] refuses a value that may still be
    /// valid JSON (an integer of 19 digits or more, a string over the length limit, a
    /// deep nesting), this finds where the value ends so that the typed reader can read
    /// that one event alone and decide. Bails only when the input ends first or a
    /// closing bracket comes where a value should start.
    pub(super) fn skip_extent(&mut self) -> R<()> {
        let mut depth = 0usize;
        loop {
            match self.peek() {
                None => return Err(Bail),
                Some(b'"') => {
                    self.i += 1;
                    loop {
                        match self.peek() {
                            None => return Err(Bail),
                            Some(b'\\') => self.i += 2,
                            Some(b'"') => {
                                self.i += 1;
                                break;
                            }
                            Some(_) => self.i += 1,
                        }
                    }
                }
                Some(b'{' | b'[') => {
                    depth += 1;
                    self.i += 1;
                }
                Some(b'}' | b']') => {
                    depth = depth.checked_sub(1).ok_or(Bail)?;
                    self.i += 1;
                }
                Some(_) if depth == 0 => {
                    // A scalar at the top: up to the next delimiter.
                    while let Some(b) = self.peek() {
                        if matches!(b, b',' | b']' | b'}' | b' ' | b'\n' | b'\r' | b'\t') {
                            break;
                        }
                        self.i += 1;
                    }
                    return Ok(());
                }
                Some(_) => self.i += 1,
            }
            if depth == 0 {
                return Ok(());
            }
        }
    }
}

/// Writes `s` as a JSON string.
pub(super) fn write_json_string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut from = 0;
    for (i, &c) in bytes.iter().enumerate() {
        let esc: &[u8] = match c {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(bytes.get(from..i).unwrap_or(&[]));
        if esc.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX.get(usize::from(c >> 4)).copied().unwrap_or(b'0'));
            out.push(HEX.get(usize::from(c & 15)).copied().unwrap_or(b'0'));
        } else {
            out.extend_from_slice(esc);
        }
        from = i + 1;
    }
    out.extend_from_slice(bytes.get(from..).unwrap_or(&[]));
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cur(b: &[u8]) -> Cur<'_> {
        Cur {
            b,
            i: 0,
            max_string: 1 << 20,
        }
    }

    #[test]
    fn strings_are_validated_and_spanned() {
        for ok in [
            &br#""""#[..],
            br#""plain ascii, longer than eight bytes""#,
            br#""esc \" \\ \/ \b \f \n \r \t \u00e9 \ud83d\ude00 end""#,
            "\"utf-8 \u{e9}\u{1F600}\"".as_bytes(),
        ] {
            let mut c = cur(ok);
            let s = c.string().unwrap();
            assert_eq!((s.span.start, s.span.end, c.i), (0, ok.len(), ok.len()));
        }
        for bad in [
            &br#""unterminated"#[..],
            b"\"control \x01 byte\"",
            br#""bad escape \x""#,
            br#""lone \ud800 surrogate""#,
            br#""lone \udc00 low""#,
            br#""short \u12""#,
        ] {
            assert!(
                cur(bad).string().is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        // The length cap.
        let mut c = cur(br#""0123456789""#);
        c.max_string = 9;
        assert!(c.string().is_err());
    }

    #[test]
    fn numbers_follow_the_json_grammar() {
        let int = |b: &[u8]| match cur(b).number() {
            Ok(Scalar::Int(i)) => Some(i),
            _ => None,
        };
        assert_eq!(int(b"0"), Some(0));
        assert_eq!(int(b"-42"), Some(-42));
        assert_eq!(int(b"1795971171288"), Some(1_795_971_171_288));
        assert!(matches!(cur(b"1.5e3").number(), Ok(Scalar::Float)));
        assert!(matches!(cur(b"-0.0").number(), Ok(Scalar::Float)));
        assert!(matches!(cur(b"-0").number(), Ok(Scalar::Float)));
        assert!(cur(b"1e400").number().is_err());
        for bad in [&b"-"[..], b"1.", b"1e", b"+1", b".5"] {
            assert!(
                cur(bad).number().is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        // A leading zero before a digit is no number (serde_json: "invalid number").
        for bad in [&b"01"[..], b"00", b"-01"] {
            assert!(cur(bad).number().is_err());
        }
        // Too many digits for the fast path.
        assert!(cur(b"12345678901234567890").number().is_err());
    }

    #[test]
    fn skip_value_validates_and_bounds_depth() {
        let ok = br#"{"a":[1,2,{"b":null}],"c":"d","e":true} "#;
        let mut c = cur(ok);
        c.skip_value(10).unwrap();
        assert_eq!(c.i, ok.len() - 1);
        for bad in [
            &br#"{"a":}"#[..],
            br#"[1,]"#,
            br#"{"a" 1}"#,
            br#"[1 2]"#,
            b"{1:2}",
        ] {
            assert!(
                cur(bad).skip_value(10).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        assert!(cur(b"[[[[1]]]]").skip_value(3).is_err());
        assert!(cur(b"[[[[1]]]]").skip_value(4).is_ok());
    }

    #[test]
    fn skip_extent_finds_the_end_of_what_skip_value_refuses() {
        // A 20-digit integer, a string with escaped quotes and brackets, nesting.
        let v = br#"{"a":[12345678901234567890,"x\"]}\\"],"b":{"c":[[]]}} ,"#;
        assert!(cur(v).skip_value(10).is_err());
        let mut c = cur(v);
        c.skip_extent().unwrap();
        assert_eq!(c.i, v.len() - 2);
        // A scalar ends at the next delimiter.
        let mut c = cur(b"123456789012345678901]");
        c.skip_extent().unwrap();
        assert_eq!(c.i, 21);
        // The end of input, or a closer where a value starts, bails.
        assert!(cur(br#"{"a":[1,2"#).skip_extent().is_err());
        assert!(cur(br#"{"a":"b}"#).skip_extent().is_err());
        assert!(cur(b"]").skip_extent().is_err());
    }

    #[test]
    fn json_strings_are_escaped() {
        let mut out = Vec::new();
        write_json_string(&mut out, "a\"b\\c\n\t\r\u{1}\u{1f}\u{e9}");
        let back: String = serde_json::from_slice(&out).unwrap();
        assert_eq!(back, "a\"b\\c\n\t\r\u{1}\u{1f}\u{e9}");
    }
}
