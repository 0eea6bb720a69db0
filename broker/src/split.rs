//! Splitting a recording into the batches an rrweb SDK would send: `per_batch` events
//! at a time, each event's JSON bytes kept exactly as recorded.

use serde::Deserialize as _;
use serde_json::value::RawValue;

/// The recording's events in batches of `per_batch` (at least 1), each batch one JSON
/// array. The events are not parsed into a model or re-written: a batch holds the
/// bytes the SDK would have sent.
pub fn split_batches(json: &[u8], per_batch: usize) -> Result<Vec<Vec<u8>>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(json);
    // Real DOMs nest deeper than serde_json's default 128 levels; the library's
    // reader enforces its own limit when the worker reads the batch.
    de.disable_recursion_limit();
    let events: Vec<&RawValue> = Vec::deserialize(&mut de)?;
    de.end()?;
    Ok(events
        .chunks(per_batch.max(1))
        .map(|batch| {
            let len = batch.iter().map(|e| e.get().len() + 1).sum::<usize>() + 1;
            let mut out = Vec::with_capacity(len);
            out.push(b'[');
            for (i, e) in batch.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(e.get().as_bytes());
            }
            out.push(b']');
            out
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn batches_keep_every_event_in_order() {
        let json = br#"[ {"a":1}, [2, {"b":[3]}], "x\"]", 4.50, {"type":2} ]"#;
        let batches = split_batches(json, 2).unwrap();
        assert_eq!(batches.len(), 3);
        // Each event's bytes as written (4.50 stays 4.50, the escaped quote stays).
        assert_eq!(batches[1], br#"["x\"]",4.50]"#);
        let mut all = Vec::new();
        for b in &batches {
            let v: Value = serde_json::from_slice(b).unwrap();
            all.extend(v.as_array().unwrap().clone());
        }
        assert_eq!(
            Value::Array(all),
            serde_json::from_slice::<Value>(json).unwrap()
        );
    }

    #[test]
    fn batch_sizes_are_as_asked() {
        let json = format!("[{}]", ["1"; 7].join(","));
        let sizes = |n| {
            split_batches(json.as_bytes(), n)
                .unwrap()
                .iter()
                .map(|b| serde_json::from_slice::<Vec<u8>>(b).unwrap().len())
                .collect::<Vec<_>>()
        };
        assert_eq!(sizes(3), [3, 3, 1]);
        assert_eq!(sizes(7), [7]);
        assert_eq!(sizes(0), [1; 7]);
        assert!(split_batches(b"[]", 5).unwrap().is_empty());
    }

    #[test]
    fn a_recording_that_is_not_an_array_is_an_error() {
        assert!(split_batches(b"{\"type\":2}", 5).is_err());
        assert!(split_batches(b"[1,2", 5).is_err());
        assert!(split_batches(b"[1] trailing", 5).is_err());
    }
}
