//! CSS selectors, matched in-house over the recording's DOM: type, `#id`, `.class`,
//! `[attr]`, `[attr=v]`, `[attr~=v]`, `[attr|=v]`, `[attr^=v]`, `[attr$=v]`, `[attr*=v]`
//! (with an optional ` i` flag), `*`, descendant and child combinators, selector lists.
//! Matching walks ancestors with an explicit stack; nothing recurses.

pub use crate::error::SelectorError;

/// How many ancestors a combinator may walk before matching gives up (keeps matching
/// linear on pathologically deep trees).
pub const MAX_ANCESTORS: usize = 256;

/// Longest selector text accepted.
pub const MAX_SELECTOR_LEN: usize = 4096;
const MAX_COMPOUNDS: usize = 64;

/// What an element looks like to a selector.
pub trait SelectorElement: Sized {
    /// Lower-case tag name.
    fn tag(&self) -> &str;
    /// An attribute's value.
    fn attr(&self, name: &str) -> Option<&str>;
    /// The parent element, if any.
    fn parent_element(&self) -> Option<Self>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Exists,
    Equals,
    Includes,
    DashMatch,
    Prefix,
    Suffix,
    Substring,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct AttrTest {
    name: String,
    op: Op,
    value: String,
    ignore_case: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Compound {
    tag: Option<String>,
    ids: Vec<String>,
    classes: Vec<String>,
    attrs: Vec<AttrTest>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Combinator {
    Descendant,
    Child,
}

/// One complex selector: compounds joined by combinators (stored right to left).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Complex {
    /// `parts[0]` is the subject; `parts[i].1` is the combinator to its left.
    parts: Vec<(Compound, Option<Combinator>)>,
}

/// A parsed selector list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Selector {
    text: String,
    list: Vec<Complex>,
}

impl std::fmt::Display for Selector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::str::FromStr for Selector {
    type Err = SelectorError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Selector::parse(s)
    }
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
}

fn ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b >= 0x80
}

impl Parser<'_> {
    fn err(&self, reason: &'static str) -> SelectorError {
        SelectorError::Invalid {
            selector: self.text.to_owned(),
            position: self.i,
            reason,
        }
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn ws(&mut self) -> bool {
        let start = self.i;
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.i += 1;
        }
        self.i > start
    }
    fn ident(&mut self) -> Result<String, SelectorError> {
        let mut out = String::new();
        while let Some(b) = self.peek() {
            if b == b'\\' {
                // An escaped character (e.g. `.a\:b`).
                self.i += 1;
                let rest = self.text.get(self.i..).unwrap_or("");
                let Some(c) = rest.chars().next() else {
                    return Err(self.err("dangling escape"));
                };
                out.push(c);
                self.i += c.len_utf8();
            } else if ident_char(b) {
                let rest = self.text.get(self.i..).unwrap_or("");
                let Some(c) = rest.chars().next() else { break };
                out.push(c);
                self.i += c.len_utf8();
            } else {
                break;
            }
        }
        if out.is_empty() {
            return Err(self.err("expected a name"));
        }
        Ok(out)
    }
    fn string_or_ident(&mut self) -> Result<String, SelectorError> {
        match self.peek() {
            Some(q @ (b'"' | b'\'')) => {
                self.i += 1;
                let start = self.i;
                while let Some(b) = self.peek() {
                    if b == q {
                        let v = self.text.get(start..self.i).unwrap_or("").to_owned();
                        self.i += 1;
                        return Ok(v);
                    }
                    self.i += 1;
                }
                Err(self.err("unterminated string"))
            }
            _ => self.ident(),
        }
    }
    fn compound(&mut self) -> Result<Compound, SelectorError> {
        let mut c = Compound::default();
        let start = self.i;
        if self.peek() == Some(b'*') {
            self.i += 1;
        } else if self.peek().is_some_and(ident_char) {
            c.tag = Some(self.ident()?.to_ascii_lowercase());
        }
        loop {
            match self.peek() {
                Some(b'#') => {
                    self.i += 1;
                    c.ids.push(self.ident()?);
                }
                Some(b'.') => {
                    self.i += 1;
                    c.classes.push(self.ident()?);
                }
                Some(b'[') => {
                    self.i += 1;
                    self.ws();
                    let name = self.ident()?.to_ascii_lowercase();
                    self.ws();
                    let op = match (self.peek(), self.s.get(self.i + 1).copied()) {
                        (Some(b']'), _) => Op::Exists,
                        (Some(b'='), _) => Op::Equals,
                        (Some(b'~'), Some(b'=')) => Op::Includes,
                        (Some(b'|'), Some(b'=')) => Op::DashMatch,
                        (Some(b'^'), Some(b'=')) => Op::Prefix,
                        (Some(b'$'), Some(b'=')) => Op::Suffix,
                        (Some(b'*'), Some(b'=')) => Op::Substring,
                        _ => return Err(self.err("expected ] or an attribute operator")),
                    };
                    let mut test = AttrTest {
                        name,
                        op,
                        value: String::new(),
                        ignore_case: false,
                    };
                    if op != Op::Exists {
                        self.i += if op == Op::Equals { 1 } else { 2 };
                        self.ws();
                        test.value = self.string_or_ident()?;
                        self.ws();
                        if matches!(self.peek(), Some(b'i' | b'I')) {
                            self.i += 1;
                            test.ignore_case = true;
                            self.ws();
                        } else if matches!(self.peek(), Some(b's' | b'S')) {
                            self.i += 1;
                            self.ws();
                        }
                    }
                    if self.peek() != Some(b']') {
                        return Err(self.err("expected ]"));
                    }
                    self.i += 1;
                    c.attrs.push(test);
                }
                Some(b':') => return Err(self.err("pseudo-classes are not supported")),
                _ => break,
            }
        }
        if self.i == start {
            return Err(self.err("expected a selector"));
        }
        Ok(c)
    }
}

impl Selector {
    /// Parses a selector list.
    pub fn parse(text: &str) -> Result<Selector, SelectorError> {
        if text.len() > MAX_SELECTOR_LEN {
            return Err(SelectorError::TooLong { len: text.len() });
        }
        let mut p = Parser {
            s: text.as_bytes(),
            text,
            i: 0,
        };
        let mut list = Vec::new();
        loop {
            p.ws();
            let mut parts: Vec<(Compound, Option<Combinator>)> = Vec::new();
            let mut pending: Option<Combinator> = None;
            loop {
                let c = p.compound()?;
                parts.push((c, pending.take()));
                if parts.len() > MAX_COMPOUNDS {
                    return Err(SelectorError::TooLong { len: parts.len() });
                }
                let had_ws = p.ws();
                match p.peek() {
                    Some(b'>') => {
                        p.i += 1;
                        p.ws();
                        pending = Some(Combinator::Child);
                    }
                    Some(b',') | None => break,
                    Some(_) if had_ws => pending = Some(Combinator::Descendant),
                    Some(_) => return Err(p.err("unexpected character")),
                }
            }
            // Store right to left: the subject first, each with the combinator to its left.
            let n = parts.len();
            let mut rtl = Vec::with_capacity(n);
            for k in (0..n).rev() {
                let comb = parts.get(k).and_then(|(_, c)| *c);
                if let Some((compound, _)) = parts.get(k) {
                    rtl.push((compound.clone(), comb));
                }
            }
            list.push(Complex { parts: rtl });
            match p.peek() {
                Some(b',') => p.i += 1,
                None => break,
                Some(_) => return Err(p.err("unexpected character")),
            }
        }
        Ok(Selector {
            text: text.to_owned(),
            list,
        })
    }

    /// Whether `el` matches any selector of the list. Combinators look at most
    /// [`MAX_ANCESTORS`] levels up; past that this answers `false` (see
    /// [`Selector::matches_bounded`] to tell that case apart).
    pub fn matches<E: SelectorElement + Clone>(&self, el: &E) -> bool {
        self.matches_bounded(el) == Some(true)
    }

    /// Like [`Selector::matches`], but `None` when the answer would need a walk of more
    /// than [`MAX_ANCESTORS`] ancestors (a hostile, absurdly deep page). The scrubber
    /// then errs on the safe side: it masks or blocks, and does not unmask.
    pub fn matches_bounded<E: SelectorElement + Clone>(&self, el: &E) -> Option<bool> {
        let mut gave_up = false;
        for c in &self.list {
            match c.matches(el) {
                Some(true) => return Some(true),
                Some(false) => {}
                None => gave_up = true,
            }
        }
        if gave_up { None } else { Some(false) }
    }

    /// Whether the list is empty (matches nothing).
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

fn compound_matches<E: SelectorElement>(c: &Compound, el: &E) -> bool {
    if let Some(t) = &c.tag
        && !el.tag().eq_ignore_ascii_case(t)
    {
        return false;
    }
    if !c.ids.iter().all(|id| el.attr("id") == Some(id.as_str())) {
        return false;
    }
    if !c.classes.is_empty() {
        let classes = el.attr("class").unwrap_or("");
        if !c
            .classes
            .iter()
            .all(|k| classes.split_ascii_whitespace().any(|x| x == k))
        {
            return false;
        }
    }
    c.attrs.iter().all(|t| {
        let Some(v) = el.attr(&t.name) else {
            return false;
        };
        let (v, want) = if t.ignore_case {
            (v.to_lowercase(), t.value.to_lowercase())
        } else {
            (v.to_owned(), t.value.clone())
        };
        match t.op {
            Op::Exists => true,
            Op::Equals => v == want,
            Op::Includes => v.split_ascii_whitespace().any(|x| x == want),
            Op::DashMatch => v == want || v.starts_with(&format!("{want}-")),
            Op::Prefix => !want.is_empty() && v.starts_with(&want),
            Op::Suffix => !want.is_empty() && v.ends_with(&want),
            Op::Substring => !want.is_empty() && v.contains(&want),
        }
    })
}

impl Complex {
    fn matches<E: SelectorElement + Clone>(&self, el: &E) -> Option<bool> {
        let Some((subject, _)) = self.parts.first() else {
            return Some(false);
        };
        if !compound_matches(subject, el) {
            return Some(false);
        }
        // Backtracking over (part index, element) with an explicit stack.
        let mut stack: Vec<(usize, E)> = vec![(1, el.clone())];
        let mut gave_up = false;
        while let Some((k, at)) = stack.pop() {
            let Some((compound, _)) = self.parts.get(k) else {
                return Some(true);
            };
            let comb = self.parts.get(k - 1).and_then(|(_, c)| *c);
            match comb {
                Some(Combinator::Child) => {
                    if let Some(p) = at.parent_element()
                        && compound_matches(compound, &p)
                    {
                        stack.push((k + 1, p));
                    }
                }
                _ => {
                    // Any ancestor; push candidates so the nearest is tried first.
                    let mut candidates = Vec::new();
                    let mut cur = at.parent_element();
                    let mut walked = 0;
                    while let Some(p) = cur {
                        walked += 1;
                        if walked > MAX_ANCESTORS {
                            gave_up = true;
                            break;
                        }
                        cur = p.parent_element();
                        if compound_matches(compound, &p) {
                            candidates.push(p);
                        }
                    }
                    for p in candidates.into_iter().rev() {
                        stack.push((k + 1, p));
                    }
                }
            }
            if stack.len() > 4096 {
                return None;
            }
        }
        if gave_up { None } else { Some(false) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone)]
    struct El<'a> {
        chain: &'a [(&'a str, &'a [(&'a str, &'a str)])],
        at: usize,
    }

    impl SelectorElement for El<'_> {
        fn tag(&self) -> &str {
            self.chain[self.at].0
        }
        fn attr(&self, name: &str) -> Option<&str> {
            self.chain[self.at]
                .1
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| *v)
        }
        fn parent_element(&self) -> Option<Self> {
            (self.at > 0).then(|| El {
                chain: self.chain,
                at: self.at - 1,
            })
        }
    }

    const CHAIN: &[(&str, &[(&str, &str)])] = &[
        ("html", &[]),
        ("body", &[("class", "app dark")]),
        ("form", &[("id", "checkout"), ("data-dd-privacy", "mask")]),
        ("div", &[("class", "row")]),
        (
            "input",
            &[
                ("type", "password"),
                ("name", "user-pass"),
                ("autocomplete", "current-password"),
            ],
        ),
    ];

    fn m(sel: &str) -> bool {
        let el = El {
            chain: CHAIN,
            at: CHAIN.len() - 1,
        };
        Selector::parse(sel).unwrap().matches(&el)
    }

    #[test]
    fn matching() {
        assert!(m("input"));
        assert!(m("INPUT"));
        assert!(m("*"));
        assert!(m("[type=password]"));
        assert!(m("input[type='password']"));
        assert!(m("[autocomplete$=password]"));
        assert!(m("[name^=user]"));
        assert!(m("[name*=er-pa]"));
        assert!(m("[name|=user]"));
        assert!(m("[type=PASSWORD i]"));
        assert!(!m("[type=PASSWORD]"));
        assert!(m("#checkout input"));
        assert!(m("form > div > input"));
        assert!(m("body form input"));
        assert!(m(".app.dark input"));
        assert!(m("[data-dd-privacy=mask] *"));
        assert!(m("p, .row > input"));
        assert!(m("html input"));
        assert!(!m("form > input"));
        assert!(!m(".row > div"));
        assert!(!m("#other input"));
        assert!(!m("body > input"));
        assert!(!m("[type^='']"));
        // Backtracking: the first `div`-like ancestor is not the right one.
        assert!(m("body > * input"));
        assert!(m("html > body form > div input"));
    }

    #[test]
    fn parse_errors() {
        for bad in [
            "", " ", "a >", "[x", "[x=]", "a:hover", "#", "a,,b", "[x~y]", "a!b",
        ] {
            assert!(Selector::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Selector::parse(&"a ".repeat(100)).is_err());
        assert!(Selector::parse(&"x".repeat(5000)).is_err());
        assert!(Selector::parse(".a\\:b, [data-x=\"y z\"]").is_ok());
    }
}
