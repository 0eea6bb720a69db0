//! Keywords that say what an ambiguous number is: in the text before it (`DOB:`,
//! `SSN`, `Tel.`), or in the labels and attributes around it ([`context_of`]).

use super::Context;

/// The keyword families looked for in text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kw {
    /// A date of birth.
    Birth,
    /// A social security number.
    Ssn,
    /// A phone number.
    Phone,
}

/// How far before a candidate (in bytes) its keyword may start: a label and its value,
/// `Date of birth: `, and not a sentence away.
pub(super) const WINDOW: usize = 40;

/// A keyword: its lower-case bytes, and whether it must end a word (`dob` but not
/// `dobby`) or may start one (`birth` in `birthday`).
type Keyword = (&'static [u8], bool);

const WHOLE: bool = true;
const PREFIX: bool = false;

const BIRTH: &[Keyword] = &[
    (b"dob", WHOLE),
    (b"d.o.b", WHOLE),
    (b"birth", PREFIX),
    (b"bday", PREFIX),
    (b"b-day", WHOLE),
    (b"born", WHOLE),
    (b"geburt", PREFIX),
    (b"geb.", PREFIX),
    (b"geboren", WHOLE),
    (b"naissance", PREFIX),
    ("n\u{e9} le".as_bytes(), WHOLE),
    ("n\u{e9}e le".as_bytes(), WHOLE),
    (b"nacimiento", PREFIX),
    (b"nascita", PREFIX),
];

const SSN: &[Keyword] = &[
    (b"ssn", WHOLE),
    (b"social security", PREFIX),
    (b"soc sec", PREFIX),
    (b"soc. sec", PREFIX),
    (b"tax id", PREFIX),
    (b"taxpayer", PREFIX),
    (b"tin", WHOLE),
    (b"itin", WHOLE),
];

const PHONE: &[Keyword] = &[
    (b"phone", PREFIX),
    (b"tel", WHOLE),
    ("t\u{e9}l".as_bytes(), WHOLE),
    (b"teleph", PREFIX),
    (b"telef", PREFIX),
    ("t\u{e9}l\u{e9}ph".as_bytes(), PREFIX),
    (b"mobile", PREFIX),
    (b"mob", WHOLE),
    (b"cell", PREFIX),
    (b"fax", WHOLE),
    (b"call", PREFIX),
    (b"whatsapp", PREFIX),
    (b"sms", WHOLE),
    (b"handy", WHOLE),
];

/// Whether a keyword of `kw` lies in the text before `at`: starting at or after `floor`
/// and at most [`WINDOW`] bytes before `at`, at the start of a word.
pub(super) fn keyword_before(s: &[u8], at: usize, floor: usize, kw: Kw) -> bool {
    let table = match kw {
        Kw::Birth => BIRTH,
        Kw::Ssn => SSN,
        Kw::Phone => PHONE,
    };
    let lo = floor.max(at.saturating_sub(WINDOW));
    (lo..at).any(|p| {
        let starts_word = p == 0 || s.get(p - 1).is_none_or(|b| !b.is_ascii_alphabetic());
        starts_word
            && table.iter().any(|&(k, whole)| {
                let end = p + k.len();
                end <= at
                    && s.get(p..end).is_some_and(|w| w.eq_ignore_ascii_case(k))
                    && (!whole || s.get(end).is_none_or(|b| !b.is_ascii_alphabetic()))
            })
    })
}

/// How many bytes of separators may lie between a keyword and the value right after it:
/// `DOB:`, `dob=`, `"dob":"`, `Date of birth : `.
const GAP: usize = 4;

/// Whether a keyword of `kw` is the word right before `at` (and starts at or after
/// `floor`): between them only a few spaces or punctuation bytes ([`GAP`]), no other
/// word. For values that count only directly after their label (`DOB:19920921`), where
/// [`keyword_before`]'s window would reach a label a sentence away.
pub(super) fn keyword_right_before(s: &[u8], at: usize, floor: usize, kw: Kw) -> bool {
    let gap = |b: &u8| b.is_ascii_punctuation() || b.is_ascii_whitespace();
    let mut p = at;
    while p > floor && at - p < GAP && s.get(p - 1).is_some_and(gap) {
        p -= 1;
    }
    // The word: letters, and the dots of `d.o.b` and `geb.`.
    let mut w = p;
    while w > floor
        && s.get(w - 1)
            .is_some_and(|&b| b.is_ascii_alphabetic() || b == b'.')
    {
        w -= 1;
    }
    w < p && keyword_before(s, at, w, kw)
}

/// Which contexts a label, attribute value or heading names: a keyword match,
/// case-insensitive, on word boundaries that include camelCase and `-`/`_`
/// (`dob`, `birth_date`, `birthDate`, `bday` (autocomplete), `date-of-birth`, `ssn`,
/// `social security`, `tax id`, `phone`, `tel`, `mobile`, `fax`, ...).
///
/// `mobile` and `cell` also name layouts (`mobile-nav`, `hide-on-mobile`, `table-cell`):
/// they count when a number word follows (`mobile number`) or when they end the label
/// after anything but a layout word (`Mobile`, `your cell`).
pub fn context_of(label: &str) -> Context {
    let words = words(label);
    let mut c = Context::empty();
    for (i, w) in words.iter().enumerate() {
        let w = w.as_str();
        let prev = i
            .checked_sub(1)
            .and_then(|j| words.get(j))
            .map(String::as_str);
        let next = words.get(i + 1).map(String::as_str);
        let next2 = words.get(i + 2).map(String::as_str);
        if birth_word(w, next, next2) {
            c |= Context::DOB;
        }
        if ssn_word(w, next) {
            c |= Context::SSN;
        }
        if phone_word(w, prev, next) {
            c |= Context::PHONE;
        }
    }
    c
}

fn birth_word(w: &str, next: Option<&str>, next2: Option<&str>) -> bool {
    matches!(w, "dob" | "bday" | "born" | "geb" | "geboren")
        || w.contains("birth")
        || w.starts_with("geburt")
        || w.starts_with("naissance")
        || w.starts_with("nacimiento")
        || w.starts_with("nascita")
        || (matches!(w, "n\u{e9}" | "n\u{e9}e") && next == Some("le"))
        || (w == "d" && next == Some("o") && next2 == Some("b"))
}

fn ssn_word(w: &str, next: Option<&str>) -> bool {
    w.starts_with("ssn")
        || matches!(w, "itin" | "tin" | "taxid" | "taxpayerid")
        || w.starts_with("socialsecurity")
        || (w == "social" && next == Some("security"))
        || (w == "tax" && matches!(next, Some("id" | "identification" | "number" | "no")))
}

/// Words that end in `phone` without being one.
const NOT_PHONES: [&str; 11] = [
    "iphone",
    "headphone",
    "earphone",
    "microphone",
    "smartphone",
    "xylophone",
    "saxophone",
    "megaphone",
    "gramophone",
    "francophone",
    "anglophone",
];

/// Words next to `mobile` or `cell` that make them a layout, not a phone.
const LAYOUT: [&str; 12] = [
    "table", "grid", "data", "hide", "show", "only", "visible", "hidden", "nav", "menu", "view",
    "on",
];

fn phone_word(w: &str, prev: Option<&str>, next: Option<&str>) -> bool {
    if matches!(w, "mobile" | "cell") {
        return matches!(next, Some("number" | "no" | "nr" | "num" | "phone" | "tel"))
            || (next.is_none() && !prev.is_some_and(|p| LAYOUT.contains(&p)));
    }
    w.starts_with("phone")
        || (w.ends_with("phone") && !NOT_PHONES.iter().any(|n| w.starts_with(n)))
        || matches!(
            w,
            "tel" | "telnr" | "telno" | "fax" | "msisdn" | "whatsapp" | "t\u{e9}l"
        )
        || w.starts_with("telefon")
        || w.starts_with("teleph")
        || w.starts_with("t\u{e9}l\u{e9}ph")
}

/// The label's words, lower-cased: split at anything but letters and digits, between a
/// lower-case letter and an upper-case one (`birthDate`), before the last capital of a
/// run that a lower-case letter follows (`SSNField`), and between letters and digits.
fn words(label: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = label.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if let Some(&p) = i.checked_sub(1).and_then(|j| chars.get(j)) {
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            let split = (p.is_lowercase() && c.is_uppercase())
                || (p.is_uppercase() && c.is_uppercase() && next_lower)
                || (p.is_alphabetic() && c.is_numeric())
                || (p.is_numeric() && c.is_alphabetic());
            if split && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        }
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_on_case_and_punctuation() {
        assert_eq!(words("birthDate"), ["birth", "date"]);
        assert_eq!(words("SSNField"), ["ssn", "field"]);
        assert_eq!(words("date-of-birth"), ["date", "of", "birth"]);
        assert_eq!(words("tel1 bday_year"), ["tel", "1", "bday", "year"]);
        assert_eq!(words("Né(e) le"), ["né", "e", "le"]);
    }

    #[test]
    fn labels_name_contexts() {
        for label in [
            "dob",
            "DOB",
            "birth_date",
            "birthDate",
            "bday",
            "bday-year",
            "date-of-birth",
            "Date of birth",
            "D.O.B.",
            "Geburtsdatum",
            "Date de naissance",
            "Fecha de nacimiento",
            "data di nascita",
            "customer-dateofbirth",
        ] {
            assert_eq!(context_of(label), Context::DOB, "{label}");
        }
        for label in [
            "ssn",
            "SSN",
            "ssnLast4",
            "social security number",
            "socialSecurityNumber",
            "Tax ID",
            "tax_id",
            "TIN",
        ] {
            assert_eq!(context_of(label), Context::SSN, "{label}");
        }
        for label in [
            "phone",
            "phoneNumber",
            "home_phone",
            "telephone",
            "tel",
            "tel-national",
            "Mobile",
            "mobile number",
            "Cell",
            "your cell",
            "fax",
            "Telefonnummer",
            "Téléphone",
        ] {
            assert_eq!(context_of(label), Context::PHONE, "{label}");
        }
        assert_eq!(context_of("dob phone"), Context::DOB | Context::PHONE);
    }

    #[test]
    fn other_labels_name_nothing() {
        for label in [
            "",
            "order-number",
            "date",
            "updated_at",
            "adobe",
            "mobile-nav",
            "hide-on-mobile",
            "table-cell",
            "smartphone-case",
            "iphone",
            "microphone",
            "telemetry",
            "television",
            "hotel",
            "stint",
            "dobby",
            "reborn",
        ] {
            assert_eq!(context_of(label), Context::empty(), "{label}");
        }
    }

    #[test]
    fn keywords_before_a_position() {
        let kw = |text: &str, kw: Kw| keyword_before(text.as_bytes(), text.len(), 0, kw);
        assert!(kw("DOB: ", Kw::Birth));
        assert!(kw("Date of birth ", Kw::Birth));
        assert!(kw("Birthday: ", Kw::Birth));
        assert!(kw("user_dob=", Kw::Birth));
        assert!(kw("d.o.b. ", Kw::Birth));
        assert!(kw("geb. ", Kw::Birth));
        assert!(kw("Née le ", Kw::Birth));
        assert!(kw("Born on ", Kw::Birth));
        assert!(!kw("Adobe ", Kw::Birth));
        assert!(!kw("Reborn ", Kw::Birth));
        assert!(!kw("Order placed ", Kw::Birth));
        assert!(kw("SSN# ", Kw::Ssn));
        assert!(kw("Social Security No. ", Kw::Ssn));
        assert!(!kw("Austin ", Kw::Ssn));
        assert!(kw("Tel.: ", Kw::Phone));
        assert!(kw("Call us on ", Kw::Phone));
        assert!(!kw("Hotel ", Kw::Phone));
        assert!(!kw("Telemetry id ", Kw::Phone));
        // Too far: the keyword starts more than WINDOW bytes before.
        let far = format!("DOB {}", "x".repeat(WINDOW));
        assert!(!kw(&far, Kw::Birth));
        let near = format!("DOB {}", "x".repeat(WINDOW - 5));
        assert!(kw(&near, Kw::Birth));
        // Not before the floor (a keyword that belongs to an earlier number).
        assert!(!keyword_before(b"DOB 1 ", 6, 4, Kw::Birth));
    }

    #[test]
    fn keywords_right_before_a_position() {
        let kw = |text: &str| keyword_right_before(text.as_bytes(), text.len(), 0, Kw::Birth);
        for text in [
            "DOB:",
            "DOB",
            "DOB ",
            "dob=",
            "\"dob\":\"",
            "Date of birth: ",
            "birthDate=",
            "D.O.B. ",
            "geb. ",
            "Date of birth\n",
            "Born ",
        ] {
            assert!(kw(text), "{text:?}");
        }
        for text in [
            "",
            ":",
            "DOB: ref ",
            "DOB 12 ",
            "DOB :  = ",
            "Adobe ",
            "Reborn ",
            "Born in Paris, order ",
            "Order ",
        ] {
            assert!(!kw(text), "{text:?}");
        }
        // Not before the floor (a keyword that belongs to an earlier date).
        assert!(!keyword_right_before(b"DOB ", 4, 2, Kw::Birth));
    }
}
