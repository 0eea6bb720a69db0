//! The producer: reads recordings (one session each), splits each into SDK-sized
//! batches and appends them to their session's partition stream, sessions interleaved
//! as concurrent SDKs would send them.

use std::path::Path;

use redis::Connection;

use crate::batch::Batch;
use crate::error::{BrokerError, Result};
use crate::keys;
use crate::split::split_batches;

/// One session's recording.
pub struct Recording {
    /// The session id.
    pub session: String,
    /// The whole recording, rrweb JSON.
    pub json: Vec<u8>,
}

/// Reads each file as a session, `copies` times over (copy `i` of `todo.raw.json` is
/// session `todo-i`), to have more concurrent sessions than files.
pub fn load_recordings(paths: &[String], copies: usize) -> Result<Vec<Recording>> {
    let mut out = Vec::new();
    for path in paths {
        let json = std::fs::read(path).map_err(|source| BrokerError::Io {
            path: path.clone(),
            source,
        })?;
        let name = Path::new(path)
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.split('.').next())
            .unwrap_or("session");
        for i in 0..copies.max(1) {
            out.push(Recording {
                session: format!("{name}-{i}"),
                json: json.clone(),
            });
        }
    }
    Ok(out)
}

/// What was sent.
#[derive(Debug, Clone, Default)]
pub struct Produced {
    /// Sessions.
    pub sessions: usize,
    /// Batches in all.
    pub batches: usize,
    /// Batches per partition.
    pub per_partition: Vec<usize>,
    /// Bytes of event JSON sent.
    pub bytes: usize,
}

/// Creates each partition's stream and consumer group (reading from the start) if
/// missing.
pub fn create_groups(con: &mut Connection, partitions: u32) -> Result<()> {
    for p in 0..partitions {
        let made: redis::RedisResult<()> = redis::cmd("XGROUP")
            .arg("CREATE")
            .arg(keys::partition_stream(p))
            .arg(keys::GROUP)
            .arg("0")
            .arg("MKSTREAM")
            .exec(con);
        match made {
            Ok(()) => {}
            Err(e) if e.code() == Some("BUSYGROUP") => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Splits every recording into batches of `per_batch` events and appends them to
/// their partitions: round-robin over the sessions (batch 0 of each, then batch 1 of
/// each, ...), one pipelined round trip per round.
pub fn produce(
    con: &mut Connection,
    recordings: &[Recording],
    per_batch: usize,
    partitions: u32,
) -> Result<Produced> {
    create_groups(con, partitions)?;
    let mut split = Vec::with_capacity(recordings.len());
    for r in recordings {
        let batches =
            split_batches(&r.json, per_batch).map_err(|source| BrokerError::Recording {
                path: r.session.clone(),
                source,
            })?;
        split.push(batches);
    }
    let mut produced = Produced {
        sessions: recordings.len(),
        per_partition: vec![0; partitions as usize],
        ..Produced::default()
    };
    let rounds = split.iter().map(Vec::len).max().unwrap_or(0);
    for round in 0..rounds {
        let mut pipe = redis::pipe();
        for (r, batches) in recordings.iter().zip(&split) {
            let Some(events) = batches.get(round) else {
                continue;
            };
            let p = keys::partition_of(&r.session, partitions);
            let batch = Batch {
                session: r.session.clone(),
                seq: round as u64,
                last: round + 1 == batches.len(),
                events: events.clone(),
            };
            pipe.add_command(batch.xadd(&keys::partition_stream(p)))
                .ignore();
            produced.batches += 1;
            produced.bytes += events.len();
            if let Some(n) = produced.per_partition.get_mut(p as usize) {
                *n += 1;
            }
        }
        pipe.exec(con)?;
    }
    Ok(produced)
}
