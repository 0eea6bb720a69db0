//! Just enough CSS to replay CSSOM edits: split a sheet into rules, edit a rule list by
//! (nested) index, and set or remove declarations. Quotes, comments and nesting are
//! respected; nothing here recurses on input (nesting is walked with a counter).

/// The index of the closing quote of the string opening at `i` (or the end).
fn skip_string(bytes: &[u8], i: usize) -> usize {
    let Some(&quote) = bytes.get(i) else { return i };
    let mut j = i + 1;
    while let Some(&c) = bytes.get(j) {
        if c == b'\\' {
            j += 1;
        } else if c == quote {
            break;
        }
        j += 1;
    }
    j
}

/// Splits CSS text into its top-level rules (`a{..}`, `@media x{..}`, `@import ..;`).
pub(crate) fn split_rules(css: &str) -> Vec<String> {
    let mut rules = Vec::new();
    let bytes = css.as_bytes();
    let mut depth = 0usize;
    let mut start = 0usize;
    let mut i = 0usize;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' | b'\'' => i = skip_string(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let comment_start = i;
                i += 2;
                while i < bytes.len()
                    && !(bytes.get(i) == Some(&b'*') && bytes.get(i + 1) == Some(&b'/'))
                {
                    i += 1;
                }
                i += 1;
                // A comment between rules is not part of the next rule (CSSOM drops it).
                if depth == 0
                    && css
                        .get(start..comment_start)
                        .is_some_and(|p| p.trim().is_empty())
                {
                    start = i + 1;
                }
            }
            b'{' => depth += 1,
            b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    push_rule(&mut rules, css, start, i + 1);
                    start = i + 1;
                }
            }
            b';' if depth == 0 => {
                push_rule(&mut rules, css, start, i + 1);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    push_rule(&mut rules, css, start, css.len());
    rules
}

fn push_rule(rules: &mut Vec<String>, css: &str, start: usize, end: usize) {
    if let Some(r) = css.get(start..end.min(css.len())) {
        let r = r.trim();
        if !r.is_empty() {
            rules.push(r.to_owned());
        }
    }
}

/// A rule split into its prelude and block content: `prelude { body }`.
fn open_block(rule: &str) -> Option<(&str, &str)> {
    let open = rule.find('{')?;
    let close = rule.rfind('}')?;
    if close < open {
        return None;
    }
    Some((rule.get(..open)?.trim(), rule.get(open + 1..close)?))
}

/// Applies `edit` to the rule list that `path` (all but its last index) leads to,
/// descending through grouping rules. Returns false if the path does not exist.
pub(crate) fn edit_at_path(
    rules: &mut Vec<String>,
    path: &[i64],
    edit: impl FnOnce(&mut Vec<String>, i64) -> bool,
) -> bool {
    let Some((&last, parents)) = path.split_last() else {
        return false;
    };
    // Descend: unpack each grouping rule on the way, edit, then repack upwards.
    let mut stack: Vec<(String, Vec<String>, usize)> = Vec::new();
    let mut current = std::mem::take(rules);
    for &idx in parents {
        let Some(rule) = usize::try_from(idx).ok().and_then(|i| current.get(i)) else {
            *rules = restore(stack, current);
            return false;
        };
        let Some((prelude, body)) = open_block(rule) else {
            *rules = restore(stack, current);
            return false;
        };
        let (prelude, inner) = (prelude.to_owned(), split_rules(body));
        stack.push((prelude, current, idx as usize));
        current = inner;
    }
    let ok = edit(&mut current, last);
    *rules = restore(stack, current);
    ok
}

fn restore(mut stack: Vec<(String, Vec<String>, usize)>, mut current: Vec<String>) -> Vec<String> {
    while let Some((prelude, mut outer, idx)) = stack.pop() {
        let rebuilt = format!("{prelude} {{ {} }}", current.join(" "));
        if let Some(r) = outer.get_mut(idx) {
            *r = rebuilt;
        }
        current = outer;
    }
    current
}

/// Inserts `rule` at `index` (clamped to the end when past it, as a lenient CSSOM would not;
/// the caller counts it).
pub(crate) fn insert_rule(rules: &mut Vec<String>, index: Option<&[i64]>, rule: &str) -> bool {
    match index {
        None | Some([]) => {
            rules.push(rule.to_owned());
            true
        }
        Some(path) => edit_at_path(rules, path, |list, at| match usize::try_from(at) {
            Ok(i) if i <= list.len() => {
                list.insert(i, rule.to_owned());
                true
            }
            _ => false,
        }),
    }
}

/// Deletes the rule at `path`.
pub(crate) fn delete_rule(rules: &mut Vec<String>, path: &[i64]) -> bool {
    edit_at_path(rules, path, |list, at| match usize::try_from(at) {
        Ok(i) if i < list.len() => {
            list.remove(i);
            true
        }
        _ => false,
    })
}

/// Sets (`Some`) or removes (`None`) a declaration in the style rule at `path`.
pub(crate) fn set_declaration(
    rules: &mut Vec<String>,
    path: &[i64],
    property: &str,
    value: Option<(&str, &str)>,
) -> bool {
    edit_at_path(rules, path, |list, at| {
        let Some(rule) = usize::try_from(at).ok().and_then(|i| list.get_mut(i)) else {
            return false;
        };
        let Some((prelude, body)) = open_block(rule) else {
            return false;
        };
        let body = edit_declarations(body, property, value);
        *rule = format!("{prelude} {{ {body} }}");
        true
    })
}

/// Splits a declaration block into `(property, value)` pairs (value includes any
/// `!important`).
pub(crate) fn parse_declarations(block: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let bytes = block.as_bytes();
    let (mut start, mut depth, mut i) = (0usize, 0usize, 0usize);
    let flush = |s: usize, e: usize, out: &mut Vec<(String, String)>| {
        if let Some(decl) = block.get(s..e)
            && let Some((p, v)) = decl.split_once(':')
        {
            let (p, v) = (p.trim(), v.trim());
            if !p.is_empty() {
                out.push((p.to_owned(), v.to_owned()));
            }
        }
    };
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' | b'\'' => i = skip_string(bytes, i),
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            b';' if depth == 0 => {
                flush(start, i, &mut out);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    flush(start, block.len(), &mut out);
    out
}

/// Sets or removes one property in a declaration block and serializes it the way
/// browsers do (`a: 1; b: 2 !important;`).
pub(crate) fn edit_declarations(
    block: &str,
    property: &str,
    value: Option<(&str, &str)>,
) -> String {
    let mut decls = parse_declarations(block);
    let pos = decls.iter().position(|(p, _)| p == property);
    match (pos, value) {
        (Some(i), Some((v, prio))) => {
            if let Some(d) = decls.get_mut(i) {
                d.1 = with_priority(v, prio);
            }
        }
        (None, Some((v, prio))) => decls.push((property.to_owned(), with_priority(v, prio))),
        (Some(i), None) => {
            decls.remove(i);
        }
        (None, None) => {}
    }
    decls
        .iter()
        .map(|(p, v)| format!("{p}: {v};"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn with_priority(v: &str, prio: &str) -> String {
    if prio.is_empty() {
        v.to_owned()
    } else {
        format!("{v} !{prio}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_rules_with_strings_comments_and_groups() {
        let css = r#"@import url("a;b.css"); a { content: "}" } /* x { */ @media (min-width: 1px) { b { c: d } e { f: g } } h{}"#;
        let rules = split_rules(css);
        assert_eq!(rules.len(), 4, "{rules:?}");
        assert_eq!(rules[0], r#"@import url("a;b.css");"#);
        assert_eq!(rules[1], r#"a { content: "}" }"#);
        assert_eq!(
            rules[2],
            "@media (min-width: 1px) { b { c: d } e { f: g } }"
        );
        assert_eq!(rules[3], "h{}");
    }

    #[test]
    fn inserts_and_deletes_nested() {
        let mut rules = split_rules("a { x: 1 } @media print { b { y: 2 } }");
        assert!(insert_rule(&mut rules, Some(&[1, 0]), "c { z: 3 }"));
        assert_eq!(rules[1], "@media print { c { z: 3 } b { y: 2 } }");
        assert!(delete_rule(&mut rules, &[1, 1]));
        assert_eq!(rules[1], "@media print { c { z: 3 } }");
        assert!(delete_rule(&mut rules, &[0]));
        assert!(!delete_rule(&mut rules, &[5]));
        assert!(!insert_rule(&mut rules, Some(&[7]), "d{}"));
        assert!(!delete_rule(&mut rules, &[0, 9]));
        assert_eq!(rules, vec!["@media print { c { z: 3 } }"]);
    }

    #[test]
    fn declarations() {
        let mut rules = split_rules("a { color: red; background: url(x;y) }");
        assert!(set_declaration(
            &mut rules,
            &[0],
            "color",
            Some(("blue", "important"))
        ));
        assert!(set_declaration(
            &mut rules,
            &[0],
            "width",
            Some(("1px", ""))
        ));
        assert!(set_declaration(&mut rules, &[0], "background", None));
        assert_eq!(rules[0], "a { color: blue !important; width: 1px; }");
        assert_eq!(
            edit_declarations("top: 1px; left: 2px", "left", None),
            "top: 1px;"
        );
    }
}
