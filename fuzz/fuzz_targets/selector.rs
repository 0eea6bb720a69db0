//! Untrusted entry point: parsing (and matching) CSS selectors from policy text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use session_replay::privacy::{Selector, SelectorElement};

#[derive(Clone)]
struct El(usize);

const CHAIN: [(&str, &[(&str, &str)]); 4] = [
    ("html", &[]),
    ("body", &[("class", "a b")]),
    ("form", &[("id", "f"), ("data-x", "1")]),
    ("input", &[("type", "password"), ("name", "p-q")]),
];

impl SelectorElement for El {
    fn tag(&self) -> &str {
        CHAIN[self.0].0
    }
    fn attr(&self, name: &str) -> Option<&str> {
        CHAIN[self.0]
            .1
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| *v)
    }
    fn parent_element(&self) -> Option<Self> {
        self.0.checked_sub(1).map(El)
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(sel) = Selector::parse(s) {
            let _ = sel.matches(&El(3));
            // What parsed prints back and parses the same.
            let again = Selector::parse(&sel.to_string()).unwrap();
            assert_eq!(again, sel);
        }
    }
});
