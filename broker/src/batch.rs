//! A batch as it travels on a partition stream: the fields the producer writes and a
//! worker reads back.

use redis::streams::StreamId;

use crate::error::{BrokerError, Result};

/// One batch of one session: what an rrweb SDK sends every few seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// The session it belongs to.
    pub session: String,
    /// Its place in the session: 0, 1, 2, ... with no gaps.
    pub seq: u64,
    /// Whether it is the session's last batch (the SDK's unload flush).
    pub last: bool,
    /// The events, as one JSON array.
    pub events: Vec<u8>,
}

impl Batch {
    /// The XADD that appends this batch to `stream` (the id is left to Redis).
    pub fn xadd(&self, stream: &str) -> redis::Cmd {
        let mut cmd = redis::cmd("XADD");
        cmd.arg(stream)
            .arg("*")
            .arg("session")
            .arg(&self.session)
            .arg("seq")
            .arg(self.seq)
            .arg("last")
            .arg(u8::from(self.last))
            .arg("events")
            .arg(&self.events);
        cmd
    }

    /// Reads a batch back from a stream entry of `stream`.
    pub fn from_entry(stream: &str, entry: &StreamId) -> Result<Batch> {
        let bad = |reason| BrokerError::Entry {
            stream: stream.to_string(),
            id: entry.id.clone(),
            reason,
        };
        let bytes = |name, reason| -> Result<Vec<u8>> {
            entry.get::<Vec<u8>>(name).ok_or_else(|| bad(reason))
        };
        let session = String::from_utf8(bytes("session", "no session field")?)
            .map_err(|_| bad("session id is not UTF-8"))?;
        let seq = std::str::from_utf8(&bytes("seq", "no seq field")?)
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad("seq is not a number"))?;
        let last = match bytes("last", "no last field")?.as_slice() {
            b"0" => false,
            b"1" => true,
            _ => return Err(bad("last is not 0 or 1")),
        };
        let events = bytes("events", "no events field")?;
        Ok(Batch {
            session,
            seq,
            last,
            events,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use redis::Value;

    fn entry(fields: &[(&str, &[u8])]) -> StreamId {
        StreamId {
            id: "1-0".into(),
            map: fields
                .iter()
                .map(|(k, v)| (k.to_string(), Value::BulkString(v.to_vec())))
                .collect(),
            ..StreamId::default()
        }
    }

    #[test]
    fn a_batch_reads_back_from_its_fields() {
        let e = entry(&[
            ("session", b"todo-1"),
            ("seq", b"17"),
            ("last", b"1"),
            ("events", b"[]"),
        ]);
        let b = Batch::from_entry("sr:p0", &e).unwrap();
        assert_eq!(
            b,
            Batch {
                session: "todo-1".into(),
                seq: 17,
                last: true,
                events: b"[]".to_vec(),
            }
        );
    }

    #[test]
    fn a_bad_entry_names_the_field() {
        let e = entry(&[
            ("session", b"s"),
            ("seq", b"x"),
            ("last", b"0"),
            ("events", b"[]"),
        ]);
        let err = Batch::from_entry("sr:p3", &e).unwrap_err().to_string();
        assert_eq!(err, "stream sr:p3 entry 1-0: seq is not a number");
        let e = entry(&[("session", b"s"), ("seq", b"1"), ("events", b"[]")]);
        let err = Batch::from_entry("sr:p3", &e).unwrap_err().to_string();
        assert_eq!(err, "stream sr:p3 entry 1-0: no last field");
    }

    #[test]
    fn the_xadd_carries_every_field() {
        let b = Batch {
            session: "s".into(),
            seq: 3,
            last: false,
            events: b"[1]".to_vec(),
        };
        let args: Vec<Vec<u8>> = b
            .xadd("sr:p1")
            .args_iter()
            .map(|a| match a {
                redis::Arg::Simple(bytes) => bytes.to_vec(),
                _ => b"(not a plain argument)".to_vec(),
            })
            .collect();
        let want: Vec<&[u8]> = vec![
            b"XADD", b"sr:p1", b"*", b"session", b"s", b"seq", b"3", b"last", b"0", b"events",
            b"[1]",
        ];
        assert_eq!(args, want);
    }
}
