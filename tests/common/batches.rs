//! Splitting an rrweb JSON array into its events' bytes and joining them back into
//! batches, as an ingest server receives a session (shared by `tests/scrub_batches.rs`
//! and `benches/scrub.rs`).
#![allow(dead_code)]

/// The bytes of each element of the top-level JSON array `json`, exactly as written
/// (whitespace between elements left out). `json` must be valid JSON.
pub fn split_events(json: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let (mut depth, mut in_str, mut esc) = (0usize, false, false);
    let mut start = None;
    for (i, &b) in json.iter().enumerate() {
        if in_str {
            match (esc, b) {
                (true, _) => esc = false,
                (false, b'\\') => esc = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match b {
            b' ' | b'\n' | b'\r' | b'\t' => continue,
            b'[' | b'{' if depth == 0 => {
                assert_eq!(b, b'[', "not an array");
                depth = 1;
                continue;
            }
            b',' | b']' if depth == 1 => {
                if let Some(s) = start.take() {
                    out.push(&json[s..i]);
                }
                if b == b']' {
                    depth = 0;
                }
                continue;
            }
            _ => {}
        }
        if depth == 1 && start.is_none() {
            start = Some(i);
        }
        // Trailing whitespace inside an element's span is trimmed below.
        match b {
            b'"' => in_str = true,
            b'[' | b'{' => depth += 1,
            b']' | b'}' => depth -= 1,
            _ => {}
        }
    }
    out.into_iter()
        .map(|e| {
            let end = e
                .iter()
                .rposition(|b| !b" \n\r\t".contains(b))
                .map_or(0, |p| p + 1);
            &e[..end]
        })
        .collect()
}

/// One JSON array of `events`, joined by `sep` (which must be a comma with optional
/// whitespace around it).
pub fn array(events: &[&[u8]], sep: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(events.iter().map(|e| e.len() + sep.len()).sum::<usize>() + 2);
    out.push(b'[');
    for (i, e) in events.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(sep);
        }
        out.extend_from_slice(e);
    }
    out.push(b']');
    out
}

/// Consecutive batches of `events`, of the sizes in `sizes` taken in turn (cycling;
/// a size of 0 is an empty batch), as JSON arrays.
pub fn batches(events: &[&[u8]], sizes: &[usize], sep: &[u8]) -> Vec<Vec<u8>> {
    assert!(sizes.iter().any(|&n| n > 0));
    let mut out = Vec::new();
    let mut at = 0;
    for &n in sizes.iter().cycle() {
        if at >= events.len() {
            break;
        }
        let end = (at + n).min(events.len());
        out.push(array(&events[at..end], sep));
        at = end;
    }
    out
}

/// The elements of one output array (`[` ... `]`, elements separated by bare commas,
/// as the scrubber writes), appended to `joined` with a comma before each but the first.
pub fn append_contents(joined: &mut Vec<u8>, array: &[u8]) {
    assert!(
        array.len() >= 2 && array[0] == b'[' && array[array.len() - 1] == b']',
        "not one array: {}",
        String::from_utf8_lossy(array)
    );
    let inner = &array[1..array.len() - 1];
    if inner.is_empty() {
        return;
    }
    if joined.len() > 1 {
        joined.push(b',');
    }
    joined.extend_from_slice(inner);
}
