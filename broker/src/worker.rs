//! A worker process: holds partitions through leases, reads their streams through the
//! consumer group, keeps one pipeline per open session, stores each batch's output and
//! state before acknowledging it, and hands its partitions over when told to.
//!
//! Exactly once per batch: a batch's output and the session's state after it are
//! stored in one transaction, the state naming the batch's sequence number; the batch
//! is acknowledged after. A worker that dies between the two leaves the batch pending;
//! the next owner claims it, finds the stored state already at that batch, and only
//! acknowledges it. A worker that dies before storing leaves the state one batch
//! behind, and the batch is applied again from it. Either way every batch's output is
//! stored once.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use redis::streams::{
    StreamAutoClaimOptions, StreamAutoClaimReply, StreamId, StreamReadOptions, StreamReadReply,
};
use redis::{Commands, Connection};
use session_replay::Limits;
use session_replay::codec::EncoderConfig;
use session_replay::privacy::Policy;

use crate::batch::Batch;
use crate::config::Shared;
use crate::error::{BrokerError, Result};
use crate::session::{Order, RestoreError, Restored, Session, order};
use crate::store::{self, Commit};
use crate::{keys, lease};

/// A worker's own options.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// Its consumer name and lease holder id.
    pub id: String,
    /// The partitions it takes whenever they are free.
    pub partitions: Vec<u32>,
    /// How long a lease lasts unless renewed: how soon a dead worker's partitions are
    /// taken over.
    pub lease_ms: u64,
    /// How long one read waits for new batches.
    pub block_ms: u64,
    /// Batches per read.
    pub read_count: usize,
    /// Hand every partition over after storing this many batches.
    pub handoff_after: Option<u64>,
    /// Die after storing this many batches, before acknowledging the last one and
    /// without releasing anything (to show the recovery of a crash).
    pub crash_after: Option<u64>,
}

impl WorkerOptions {
    /// Defaults for worker `id`, taking every partition of `shared`.
    pub fn new(id: &str, shared: &Shared) -> WorkerOptions {
        WorkerOptions {
            id: id.to_string(),
            partitions: (0..shared.partitions).collect(),
            lease_ms: 2_000,
            block_ms: 100,
            read_count: 8,
            handoff_after: None,
            crash_after: None,
        }
    }
}

/// How a worker ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Asked to stop: released its partitions.
    Stopped,
    /// Handed its partitions over after `handoff_after` batches.
    HandedOver,
    /// Died on purpose after `crash_after` batches (the process exits at once).
    Crashed,
}

/// The exit status of a worker that died on purpose.
pub const CRASH_STATUS: i32 = 70;

/// What a worker counts as it goes, here and in the shared `keys::STATS` hash (stored
/// batches are counted there by the commit itself, in its transaction).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stat {
    /// Re-delivered batches found applied already, only acknowledged.
    Duplicates,
    /// Sessions read back from the store (taken over from another worker).
    Restored,
    /// Partition leases taken.
    Claimed,
    /// Pending batches of a previous holder taken over.
    Reclaimed,
    /// Partition leases handed over mid-stream (`handoff_after`).
    HandedOver,
    /// Partition leases given back on a stop.
    Released,
}

impl Stat {
    /// Every stat.
    pub const ALL: [Stat; 6] = [
        Stat::Duplicates,
        Stat::Restored,
        Stat::Claimed,
        Stat::Reclaimed,
        Stat::HandedOver,
        Stat::Released,
    ];

    /// Its field in `keys::STATS`.
    pub fn name(self) -> &'static str {
        match self {
            Stat::Duplicates => "duplicates",
            Stat::Restored => "restored",
            Stat::Claimed => "claimed",
            Stat::Reclaimed => "reclaimed",
            Stat::HandedOver => "handed_over",
            Stat::Released => "released",
        }
    }
}

struct Worker {
    opts: WorkerOptions,
    partitions: u32,
    con: Connection,
    policy: Policy,
    limits: Limits,
    encoder: EncoderConfig,
    /// Held partitions and when each lease was last renewed.
    owned: BTreeMap<u32, Instant>,
    /// Open sessions of held partitions.
    sessions: HashMap<String, Session>,
    /// Batches stored by this worker.
    stored: u64,
    /// This worker's counts, by `Stat`.
    counts: [u64; Stat::ALL.len()],
}

/// Runs a worker until it is asked to stop, hands over, or dies on purpose.
pub fn run(shared: &Shared, opts: WorkerOptions) -> Result<Exit> {
    let mut w = Worker {
        con: shared.connect()?,
        partitions: shared.partitions,
        policy: shared.policy(),
        limits: shared.limits(),
        encoder: shared.encoder(),
        owned: BTreeMap::new(),
        sessions: HashMap::new(),
        stored: 0,
        counts: [0; Stat::ALL.len()],
        opts,
    };
    let exit = w.run();
    let counts: Vec<String> = Stat::ALL
        .iter()
        .map(|&s| format!("{} {}", s.name(), w.counts[s as usize]))
        .collect();
    eprintln!(
        "worker {}: {exit:?} after storing {} batches; {}",
        w.opts.id,
        w.stored,
        counts.join(", ")
    );
    exit
}

impl Worker {
    fn run(&mut self) -> Result<Exit> {
        loop {
            let stop: bool = self.con.exists(keys::STOP)?;
            if stop {
                self.release_all(Stat::Released)?;
                return Ok(Exit::Stopped);
            }
            if let Some(exit) = self.tend_leases()? {
                return Ok(exit);
            }
            if self.owned.is_empty() {
                std::thread::sleep(Duration::from_millis(self.opts.block_ms));
                continue;
            }
            let streams: Vec<String> = self
                .owned
                .keys()
                .map(|&p| keys::partition_stream(p))
                .collect();
            let ids = vec![">"; streams.len()];
            let read = StreamReadOptions::default()
                .group(keys::GROUP, &self.opts.id)
                .count(self.opts.read_count)
                .block(self.opts.block_ms as usize);
            let reply: Option<StreamReadReply> = self.con.xread_options(&streams, &ids, &read)?;
            for key in reply.map(|r| r.keys).unwrap_or_default() {
                let Some(p) = keys::stream_partition(&key.key) else {
                    continue;
                };
                for entry in &key.ids {
                    if let Some(exit) = self.handle(p, &key.key, entry)? {
                        return Ok(exit);
                    }
                }
            }
        }
    }

    /// Renews the leases that are due, drops lost partitions, and claims free ones
    /// (taking over their pending batches).
    fn tend_leases(&mut self) -> Result<Option<Exit>> {
        self.renew_due()?;
        for p in self.opts.partitions.clone() {
            if self.owned.contains_key(&p)
                || !lease::claim(&mut self.con, p, &self.opts.id, self.opts.lease_ms)?
            {
                continue;
            }
            self.owned.insert(p, Instant::now());
            // Sessions of this partition last seen here may have moved on elsewhere:
            // they are read back from the store when their next batch comes.
            self.drop_sessions_of(p);
            self.count(Stat::Claimed, 1)?;
            if let Some(exit) = self.take_over_pending(p)? {
                return Ok(Some(exit));
            }
        }
        Ok(None)
    }

    /// Renews every lease last renewed a quarter of its life ago.
    fn renew_due(&mut self) -> Result<()> {
        let due = Duration::from_millis(self.opts.lease_ms / 4);
        let held: Vec<u32> = self
            .owned
            .iter()
            .filter(|(_, t)| t.elapsed() >= due)
            .map(|(&p, _)| p)
            .collect();
        for p in held {
            if lease::renew(&mut self.con, p, &self.opts.id, self.opts.lease_ms)? {
                self.owned.insert(p, Instant::now());
            } else {
                self.lose(p);
            }
        }
        Ok(())
    }

    /// Batches read by the partition's previous holder and never acknowledged (it
    /// handed over mid-read, or died): claimed for this worker and handled first, in
    /// stream order, before any new batch of the partition.
    fn take_over_pending(&mut self, p: u32) -> Result<Option<Exit>> {
        let stream = keys::partition_stream(p);
        let mut start = "0-0".to_string();
        loop {
            // Idle time 0: the lease, not the time since delivery, says the previous
            // holder is gone.
            let reply: StreamAutoClaimReply = self.con.xautoclaim_options(
                &stream,
                keys::GROUP,
                &self.opts.id,
                0,
                &start,
                StreamAutoClaimOptions::default().count(64),
            )?;
            self.count(Stat::Reclaimed, reply.claimed.len() as u64)?;
            for entry in &reply.claimed {
                if let Some(exit) = self.handle(p, &stream, entry)? {
                    return Ok(Some(exit));
                }
            }
            if reply.next_stream_id == "0-0" || !self.owned.contains_key(&p) {
                return Ok(None);
            }
            start = reply.next_stream_id;
        }
    }

    /// One batch: applied, stored, acknowledged, in that order.
    fn handle(&mut self, p: u32, stream: &str, entry: &StreamId) -> Result<Option<Exit>> {
        self.renew_due()?;
        if !self.owned.contains_key(&p) {
            // Lost meanwhile: the batch stays pending for the new holder.
            return Ok(None);
        }
        let batch = Batch::from_entry(stream, entry)?;
        let (place, last) = self.order_of(&batch)?;
        match place {
            Order::Applied => {
                self.ack(stream, &entry.id)?;
                self.count(Stat::Duplicates, 1)?;
                return Ok(None);
            }
            Order::Gap => {
                return Err(BrokerError::Gap {
                    session: batch.session.clone(),
                    seq: batch.seq,
                    last,
                });
            }
            Order::Next => {}
        }
        let session = self
            .sessions
            .entry(batch.session.clone())
            .or_insert_with(|| Session::new(&self.policy, self.encoder));
        let chunk = match session.apply(batch.seq, &batch.events, batch.last, &self.limits) {
            Ok(chunk) => chunk,
            Err(source) => {
                // The batch stays pending: nothing of it was stored.
                return Err(BrokerError::Batch {
                    session: batch.session,
                    seq: batch.seq,
                    source,
                });
            }
        };
        let state = session.save(batch.last);
        match store::commit(
            &mut self.con,
            p,
            &self.opts.id,
            &batch.session,
            &chunk,
            &state,
        )? {
            Commit::Stored => {}
            Commit::NotOwner => {
                self.lose(p);
                return Ok(None);
            }
        }
        self.stored += 1;
        if self.opts.crash_after == Some(self.stored) {
            return Ok(Some(Exit::Crashed));
        }
        self.ack(stream, &entry.id)?;
        if batch.last {
            self.sessions.remove(&batch.session);
        }
        if self.opts.handoff_after == Some(self.stored) {
            self.release_all(Stat::HandedOver)?;
            return Ok(Some(Exit::HandedOver));
        }
        Ok(None)
    }

    /// Where a batch stands for its session, and the session's last applied batch,
    /// reading the session back from the store if it is not open here.
    fn order_of(&mut self, batch: &Batch) -> Result<(Order, Option<u64>)> {
        if let Some(s) = self.sessions.get(&batch.session) {
            return Ok((s.order(batch.seq), s.last_seq()));
        }
        let Some(bytes) = store::load(&mut self.con, &batch.session)? else {
            // Never stored: a new session (or a gap, if this is not its first batch).
            return Ok((order(None, batch.seq), None));
        };
        let restored =
            Session::restore(&self.policy, &bytes, &self.limits).map_err(|e| match e {
                RestoreError::Envelope(source) => BrokerError::Envelope {
                    session: batch.session.clone(),
                    source,
                },
                RestoreError::State(source) => BrokerError::State {
                    session: batch.session.clone(),
                    source,
                },
            })?;
        match restored {
            Restored::Finished { last_seq } => {
                Ok((order(Some(last_seq), batch.seq), Some(last_seq)))
            }
            Restored::Live(s) => {
                let o = (s.order(batch.seq), s.last_seq());
                self.sessions.insert(batch.session.clone(), *s);
                self.count(Stat::Restored, 1)?;
                Ok(o)
            }
        }
    }

    fn ack(&mut self, stream: &str, id: &str) -> Result<()> {
        let _: usize = self.con.xack(stream, keys::GROUP, &[id])?;
        Ok(())
    }

    /// Forgets a partition this worker no longer holds, and its open sessions (their
    /// next batches go to the new holder, which reads them back from the store).
    fn lose(&mut self, p: u32) {
        self.owned.remove(&p);
        self.drop_sessions_of(p);
    }

    fn drop_sessions_of(&mut self, p: u32) {
        let n = self.partitions;
        self.sessions.retain(|s, _| keys::partition_of(s, n) != p);
    }

    /// Hands every partition over (counted as `stat`): each session's state is in the
    /// store already (it is saved with every batch), so releasing the leases is all
    /// that is left; batches read but not handled stay pending for the next holder.
    fn release_all(&mut self, stat: Stat) -> Result<()> {
        for p in std::mem::take(&mut self.owned).into_keys() {
            if lease::release(&mut self.con, p, &self.opts.id)? {
                self.count(stat, 1)?;
            }
        }
        self.sessions.clear();
        Ok(())
    }

    /// Counts `n` of `stat` here and in the shared stats.
    fn count(&mut self, stat: Stat, n: u64) -> Result<()> {
        self.counts[stat as usize] += n;
        if n > 0 {
            let _: i64 = self.con.hincr(keys::STATS, stat.name(), n)?;
        }
        Ok(())
    }
}
