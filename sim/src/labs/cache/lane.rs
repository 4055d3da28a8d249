//! One lane: a variant of the params with its own cache cluster, L1 caches, protections and
//! database, fed the lab's requests. This file ties the parts together: the requests in flight,
//! the lane's events (scheduled in the run's one queue, ranked by lane, with the lane's own bound),
//! and what crosses parts (storing a value may write back a dirty one). The read path is in
//! `reads.rs`, the write path and the update strategies in `writes.rs`.

use std::collections::VecDeque;

use super::checks::LaneChecks;
use super::cluster::{Cluster, Entry};
use super::db::Database;
use super::l1::L1;
use super::params::{CacheParams, MissGuard, Strategy};
use super::protect::Protections;
use super::snapshot::{Flow, FLOW_CAPACITY};
use super::stats::LaneStats;
use super::LaneKind;
use crate::kernel::why::WhyLog;
use crate::kernel::lab::{Cx, Seeds};
use crate::kernel::rng::SimRng;
use crate::kernel::time::{Nanos, NS_PER_MS, NS_PER_US};

/// Chart history kept per series, in buckets.
pub(super) const SERIES_CAPACITY: usize = 1_200;
/// Requests in flight in one lane; past it a request fails at once (counted as an error).
pub const MAX_IN_FLIGHT: usize = 65_536;
pub(super) const NO_FLIGHT: u32 = u32::MAX;
/// Rank of the scheduled cluster changes among events due at the same time: after every lane's.
pub(super) const CHANGE_RANK: u32 = u32::MAX;

/// An event of the cache lab: one lane's, or a scheduled change of the cluster.
#[derive(Clone, Copy, Debug)]
pub struct Event(pub(super) Scheduled);

#[derive(Clone, Copy, Debug)]
pub(super) enum Scheduled {
    /// An event of lane `.0`.
    Lane(u16, Ev),
    /// The scheduled ring change, or the crash of the first node.
    Change { crash: bool },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Read,
    Write,
    /// A logical-expiry refresh.
    Refresh,
    /// A write-behind flush of one key.
    Flush,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Req {
    pub kind: Kind,
    pub key: u32,
    pub server: u16,
    pub node: u16,
    pub start: Nanos,
    /// The newest version acknowledged when the read started: older is stale.
    pub must_see: u32,
    /// The version read or written.
    pub ver: u32,
    /// The database had the key.
    pub found: bool,
    /// This request holds the lock, leads a single-flight, or runs a node's load.
    pub loader: bool,
    /// This read leads a coalesced group.
    pub coal_leader: bool,
    /// Writes a flush carries.
    pub writes: u32,
    pub db: bool,
}

impl Req {
    pub fn new(kind: Kind, key: u32, server: u16, start: Nanos) -> Self {
        Self {
            kind,
            key,
            server,
            node: 0,
            start,
            must_see: 0,
            ver: 0,
            found: false,
            loader: false,
            coal_leader: false,
            writes: 0,
            db: false,
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub(super) enum Ev {
    /// A read reaches its cache node.
    CacheGet(u32),
    /// A read query starts in the database: it sees the committed version now.
    DbStart(u32),
    DbReadDone(u32),
    /// A write query commits.
    DbCommit(u32),
    /// A query gave up waiting in the database's queue.
    DbFail(u32),
    /// A value (or "not found") loaded by the app reaches the cache.
    FillSet {
        key: u32,
        ver: u32,
        null: bool,
        store: bool,
        unlock: bool,
        refresh: bool,
        /// The single flight this fill ends (its leader), or `NO_FLIGHT`.
        flight: u32,
    },
    /// A write's cache step (a delete, a set, or the write itself under write-through/behind).
    WriteCache(u32),
    /// The second delete of `double_delete`, or an invalidation from the queue.
    Delete(u32),
    Flush,
    BatchFire(u16),
    BatchStart(u32),
    BatchDone(u32),
}

/// The requests in flight: a slab of ids.
#[derive(Clone, Default)]
pub(super) struct Requests {
    reqs: Vec<Req>,
    free: Vec<u32>,
    in_flight: usize,
    /// Of those, refreshes and flushes (not client requests).
    internal: usize,
}

impl Requests {
    /// A new request's id, or `None` if the lane is full.
    pub fn alloc(&mut self, r: Req) -> Option<u32> {
        if self.in_flight >= MAX_IN_FLIGHT {
            return None;
        }
        self.in_flight += 1;
        if matches!(r.kind, Kind::Refresh | Kind::Flush) {
            self.internal += 1;
        }
        Some(match self.free.pop() {
            Some(i) => {
                self.reqs[i as usize] = r;
                i
            }
            None => {
                self.reqs.push(r);
                (self.reqs.len() - 1) as u32
            }
        })
    }

    pub fn release(&mut self, r: u32) {
        self.in_flight -= 1;
        if matches!(self.reqs[r as usize].kind, Kind::Refresh | Kind::Flush) {
            self.internal -= 1;
        }
        self.free.push(r);
    }

    /// Client requests (reads and writes) in flight.
    pub fn clients_in_flight(&self) -> usize {
        self.in_flight - self.internal
    }
}

impl std::ops::Index<u32> for Requests {
    type Output = Req;
    fn index(&self, r: u32) -> &Req {
        &self.reqs[r as usize]
    }
}

impl std::ops::IndexMut<u32> for Requests {
    fn index_mut(&mut self, r: u32) -> &mut Req {
        &mut self.reqs[r as usize]
    }
}

/// The lane's share of the run's event queue: its events are ranked by its index, and it may
/// have at most `capacity` of them waiting (more are dropped and counted).
#[derive(Clone)]
pub(super) struct Quota {
    index: u16,
    pending: usize,
    capacity: usize,
    pub dropped: u64,
}

impl Quota {
    /// The lane's index.
    pub fn index(&self) -> u16 {
        self.index
    }

    /// Most events one lane may have waiting.
    pub fn capacity_for(p: &CacheParams) -> usize {
        2 * MAX_IN_FLIGHT + 2 * p.key_count as usize + 1_024
    }

    /// One of the lane's events was taken from the queue.
    pub fn taken(&mut self) {
        self.pending -= 1;
    }
}

/// One variant: its own cache cluster, L1 caches and database, fed the lab's requests.
#[derive(Clone)]
pub(super) struct Lane {
    pub p: CacheParams,
    pub stats: LaneStats,
    pub rng: SimRng,
    /// The lane's clock: the time of what it handles now.
    pub now: Nanos,
    pub quota: Quota,
    pub reqs: Requests,
    pub cluster: Cluster,
    pub l1: L1,
    pub guard: Protections,
    pub db: Database,
    pub writes: super::writes::Writes,
    pub checks: LaneChecks,
    /// Database loads since the key was last filled.
    pub loads_since_fill: Vec<u32>,
    pub flows: VecDeque<Flow>,
    /// Its "why" lines (the model gathers them).
    pub why: WhyLog,
}

/// What a lane sees of the run while it handles something.
pub(super) type LaneCx<'a> = Cx<'a, Event>;

impl Lane {
    pub fn new(
        index: usize,
        kind: LaneKind,
        p: CacheParams,
        seeds: Seeds,
        members: &[u32],
        cx: &mut LaneCx,
    ) -> Self {
        let n = p.key_count as usize;
        let bucket = p.chart_bucket_ms as u64 * NS_PER_MS;
        let mut lane = Self {
            stats: LaneStats::new(kind, bucket),
            rng: seeds.stream(7),
            now: 0,
            quota: Quota {
                index: index as u16,
                pending: 0,
                capacity: Quota::capacity_for(&p),
                dropped: 0,
            },
            reqs: Requests::default(),
            cluster: Cluster::new(p.hashing, p.virtual_nodes, members, p.node_memory_keys),
            l1: L1::new(p.app_servers, p.l1_keys, p.l1_ttl_ms),
            guard: Protections::new(&p),
            db: Database::new(&p),
            writes: super::writes::Writes::new(&p),
            checks: LaneChecks::new(n),
            loads_since_fill: vec![0; n],
            flows: VecDeque::with_capacity(256),
            why: WhyLog::new(super::why::KINDS),
            p,
        };
        if lane.p.warm_start && lane.p.strategy != Strategy::NoCache {
            // Coldest first, so that the hottest keys are the most recently used.
            for k in (0..lane.p.key_count).rev() {
                let e = lane.new_entry(0, false);
                lane.insert_entry(cx, k, e);
            }
        }
        if lane.p.strategy == Strategy::WriteBehind {
            let at = lane.p.flush_interval_ms as u64 * NS_PER_MS;
            lane.schedule(cx, at, Ev::Flush);
        }
        lane
    }

    /// Schedules `ev` at `at` in the run's queue, ranked by this lane (dropped and counted if the
    /// lane has its most events waiting).
    pub fn schedule(&mut self, cx: &mut LaneCx, at: Nanos, ev: Ev) {
        let o = &mut self.quota;
        if o.pending >= o.capacity {
            o.dropped += 1;
            return;
        }
        let e = Event(Scheduled::Lane(o.index, ev));
        match cx.at_ranked(at, o.index as u32, e) {
            Ok(()) => o.pending += 1,
            Err(_) => o.dropped += 1,
        }
    }

    /// A latency with the given mean: half fixed, half exponential.
    pub fn lat(&mut self, mean_us: u32) -> Nanos {
        let half = mean_us as f64 * NS_PER_US as f64 / 2.0;
        half as Nanos + self.rng.exp_nanos(half)
    }

    pub fn cache_lat(&mut self) -> Nanos {
        self.lat(self.p.cache_op_us)
    }

    fn ttl(&mut self, null: bool) -> Nanos {
        if null {
            return self.p.null_ttl_ms as u64 * NS_PER_MS;
        }
        let base = self.p.ttl_ms as u64 * NS_PER_MS;
        if self.p.ttl_jitter > 0.0 {
            base + (base as f64 * self.p.ttl_jitter * self.rng.unit_f64()) as Nanos
        } else {
            base
        }
    }

    pub fn new_entry(&mut self, ver: u32, null: bool) -> Entry {
        let ttl = self.ttl(null);
        let logical = self.p.miss_guard == MissGuard::LogicalExpiry && !null;
        Entry {
            ver,
            null,
            expires_at: if logical { Nanos::MAX } else { self.now + ttl },
            logical_at: self.now + ttl,
            dirty: 0,
        }
    }

    pub fn existing(&self, key: u32) -> bool {
        self.db.has(key)
    }

    /// Stores `e` at the key's node; a dirty entry pushed out is written back first.
    pub fn insert_entry(&mut self, cx: &mut LaneCx, key: u32, e: Entry) {
        let node = self.cluster.owner(key);
        self.stats.node_ops[node] += 1;
        if let Some((k, old)) = self.cluster.insert(node, key, e) {
            if old.dirty > 0 {
                self.flush_key(cx, k, old.ver, old.dirty);
            }
        }
        if self.existing(key) {
            self.loads_since_fill[key as usize] = 0;
        }
    }

    /// Installs version `ver` loaded or committed for `key`, unless the node holds a newer one.
    pub fn install_unless_newer(&mut self, cx: &mut LaneCx, key: u32, ver: u32, null: bool) {
        let newer = self
            .cluster
            .peek(key)
            .is_some_and(|e| !e.null && e.ver > ver);
        if !newer {
            let e = self.new_entry(ver, null);
            self.insert_entry(cx, key, e);
        }
    }

    pub fn delete_entry(&mut self, cx: &mut LaneCx, key: u32) {
        let node = self.cluster.owner(key);
        self.stats.node_ops[node] += 1;
        self.drop_entry(cx, node, key);
    }

    /// Removes a value from a node; unflushed writes it holds are written back first (a
    /// write-behind cache keeps a dirty value until the database has it).
    pub fn drop_entry(&mut self, cx: &mut LaneCx, node: usize, key: u32) {
        if let Some(e) = self.cluster.remove(node, key) {
            if e.dirty > 0 {
                self.flush_key(cx, key, e.ver, e.dirty);
            }
        }
    }

    pub fn flow(&mut self, f: Flow) {
        if self.flows.len() == FLOW_CAPACITY {
            self.flows.pop_front();
        }
        self.flows.push_back(f);
    }

    // --- the database ---

    /// Sends a query of `cost` units now; `None` if it would wait past the timeout.
    pub fn db_admit(&mut self, cost: f64, can_time_out: bool) -> Option<Nanos> {
        self.db.admit(self.now, cost, can_time_out, &mut self.stats)
    }

    /// Counts a database load of `key` since its last fill (the size of a stampede).
    pub fn count_load(&mut self, key: u32) {
        if self.p.strategy == Strategy::NoCache || !self.existing(key) {
            return;
        }
        let n = &mut self.loads_since_fill[key as usize];
        *n += 1;
        let n = *n as u64;
        self.stats.max_loads_per_fill = self.stats.max_loads_per_fill.max(n);
        if key == 0 {
            self.stats.hot_key_max_loads = self.stats.hot_key_max_loads.max(n);
        }
    }

    // --- cluster changes ---

    /// Node `node` crashes: what it held is gone, its unflushed writes too.
    pub fn crash(&mut self, node: u32) {
        self.stats.lost_writes += self.cluster.crash(node);
    }

    /// The cluster becomes `members`: values whose node changed are dropped (dirty ones written
    /// back first, as a graceful hand-over would).
    pub fn set_members(&mut self, cx: &mut LaneCx, members: &[u32]) {
        let (moved, dirty) = self.cluster.set_members(members, self.p.key_count);
        self.stats.keys_moved = moved;
        for (k, e) in dirty {
            self.flush_key(cx, k, e.ver, e.dirty);
        }
    }

    pub fn handle(&mut self, cx: &mut LaneCx, ev: Ev) {
        match ev {
            Ev::CacheGet(r) => self.on_cache_get(cx, r),
            Ev::DbStart(r) => self.on_db_start(cx, r),
            Ev::DbReadDone(r) => self.on_db_read_done(cx, r),
            Ev::DbCommit(r) => self.on_commit(cx, r),
            Ev::DbFail(r) => self.on_db_fail(r),
            Ev::FillSet {
                key,
                ver,
                null,
                store,
                unlock,
                refresh,
                flight,
            } => self.on_fill(cx, key, ver, null, store, unlock, refresh, flight),
            Ev::WriteCache(r) => self.on_write_cache(cx, r),
            Ev::Delete(key) => self.on_delete(cx, key),
            Ev::Flush => self.on_flush(cx),
            Ev::BatchFire(s) => self.on_batch_fire(cx, s),
            Ev::BatchStart(b) => self.on_batch_start(cx, b),
            Ev::BatchDone(b) => self.on_batch_done(cx, b),
        }
    }

    /// Advances the lane's clock (closing database slots on the way).
    pub fn tick(&mut self, t: Nanos) {
        self.now = t;
        self.db.tick(t, &mut self.stats);
    }
}
