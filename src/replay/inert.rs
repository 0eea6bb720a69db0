//! What a replayed page may not do: the attribute renames that keep recorded markup from
//! running code, loading a frame or navigating, shared by HTML output and DOM patches.
//!
//! A recording is untrusted. Renderers also sandbox what they show (no scripts, a
//! content security policy); renaming is the layer that holds even where a sandbox is
//! missing, and it keeps the recorded value visible under `data-rr-<name>`.

/// True when attribute `lower` (lower-cased) of a `<tag>` element with `value` is
/// renamed to `data-rr-<lower>`: event handlers, autofocus, a script's source and type,
/// a frame's or embed's source, `srcdoc`, `<meta http-equiv>` (refresh), `<base>` (it
/// redirects every relative URL and link target), and any URL attribute holding a
/// `javascript:` URL.
pub(crate) fn neutralized(tag: &str, lower: &str, value: &str) -> bool {
    // Tags compare lower-cased: `<IFRAME>` and `<SCRIPT>` are the same elements.
    let tag = tag.to_ascii_lowercase();
    let tag = tag.as_str();
    lower.starts_with("on")
        || lower == "autofocus"
        || lower == "autoplay"
        || lower == "srcdoc"
        || (tag == "script" && matches!(lower, "src" | "type"))
        || (matches!(tag, "iframe" | "frame") && lower == "src")
        || (tag == "object" && lower == "data")
        || (tag == "embed" && lower == "src")
        || (tag == "meta" && lower == "http-equiv")
        || (tag == "base" && matches!(lower, "href" | "target"))
        || (matches!(
            lower,
            "href" | "src" | "action" | "formaction" | "xlink:href" | "data"
        ) && is_javascript_url(value))
}

/// A `javascript:` URL, as a browser reads one: leading whitespace and control
/// characters ignored, tabs and newlines inside the scheme ignored, any case.
pub(crate) fn is_javascript_url(value: &str) -> bool {
    let mut scheme = value
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'));
    "javascript:".chars().all(|want| {
        scheme
            .next()
            .is_some_and(|c| c.to_ascii_lowercase() == want)
    })
}

/// The tag a renderer writes for a recorded element: lower-cased (HTML tags are not
/// case-sensitive; SVG ones are, and keep theirs), and `span` for a name that is not a
/// tag at all (`img src=x onerror=...` would otherwise write markup of its own).
pub(crate) fn safe_tag(tag: &str, svg: bool) -> std::borrow::Cow<'_, str> {
    let valid = tag.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
    if !valid {
        std::borrow::Cow::Borrowed("span")
    } else if svg || !tag.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Borrowed(tag)
    } else {
        std::borrow::Cow::Owned(tag.to_ascii_lowercase())
    }
}

/// A doctype name safe to write: letters and digits only, else `html`.
pub(crate) fn safe_doctype(name: &str) -> &str {
    if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric()) {
        name
    } else {
        "html"
    }
}

/// A name a DOM accepts as an attribute name (what `setAttribute` does not throw on,
/// and what HTML output can write unquoted).
pub(crate) fn valid_attr_name(name: &str) -> bool {
    !name.is_empty()
        && !name.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '>' | '/' | '=' | '<')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_renamed() {
        assert!(neutralized("div", "onclick", "x()"));
        assert!(neutralized("a", "href", "  JavaScript:alert(1)"));
        assert!(neutralized("a", "href", "java\tscript:alert(1)"));
        assert!(neutralized("a", "href", "\u{1}javascript:x"));
        assert!(!neutralized("a", "href", "/javascript:page"));
        assert!(!neutralized("a", "href", "https://a.test/"));
        assert!(neutralized("iframe", "src", "https://a.test/"));
        assert!(neutralized("iframe", "srcdoc", "<p>"));
        assert!(neutralized("meta", "http-equiv", "refresh"));
        assert!(neutralized("base", "href", "https://evil.test/"));
        assert!(neutralized("script", "src", "/app.js"));
        assert!(neutralized("object", "data", "x.swf"));
        assert!(!neutralized("img", "src", "a.png"));
        assert!(neutralized("IFRAME", "src", "https://a.test/"));
        assert!(neutralized("SCRIPT", "src", "/x.js"));
        assert!(neutralized("video", "autoplay", ""));
        assert_eq!(safe_tag("DIV", false), "div");
        assert_eq!(safe_tag("foreignObject", true), "foreignObject");
        assert_eq!(safe_tag("img src=x onerror=alert(1)", false), "span");
        assert_eq!(safe_tag("", false), "span");
        assert_eq!(safe_tag("my-element", false), "my-element");
        assert_eq!(safe_doctype("html><script>"), "html");
        assert_eq!(safe_doctype("html"), "html");
        assert!(valid_attr_name("data-x"));
        assert!(!valid_attr_name("a b"));
        assert!(!valid_attr_name("\"x"));
        assert!(!valid_attr_name(""));
    }
}
