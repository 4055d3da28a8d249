use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasherDefault;

use super::bloom::Bloom;
use super::lru::Lru;
use super::params::{CacheParams, Hashing, MissGuard, RingChange, Strategy, MAX_NODES};
use super::ring::{key_hash, mod_n_owner, moved_share_on_join, Ring};
use super::{lanes, LaneKind};
use crate::kernel::digest::Digest;
use crate::kernel::event::EventQueue;
use crate::kernel::metrics::{Combine, LatencyHistogram, TimeSeries};
use crate::kernel::model::{Advance, Model, ParamError, Validate};
use crate::kernel::rng::SimRng;
use crate::kernel::time::{Nanos, NS_PER_MS, NS_PER_S, NS_PER_US};
use crate::kernel::traffic::{KeyChoice, KeyPicker};

type Fixed = BuildHasherDefault<DefaultHasher>;

const SERIES_CAPACITY: usize = 1_200;
/// Requests in flight in one lane; past it a request fails at once (counted as an error).
pub const MAX_IN_FLIGHT: usize = 65_536;
/// Recent requests kept per lane for drawing.
const FLOW_CAPACITY: usize = 4_096;
/// The database's overload is judged over slots of this length.
const SLOT_NS: Nanos = 100 * NS_PER_MS;
/// Keys of the ring picture.
const SAMPLE_KEYS: u32 = 96;
const NO_FLIGHT: u32 = u32::MAX;

/// How a request ended (each request ends exactly once).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlowKind {
    /// Answered by the app server's local cache.
    HitL1,
    /// Answered by the cache cluster.
    HitCache,
    /// Answered from the database after a miss.
    Miss,
    /// Failed: the database timed out, or the lane was full.
    Error,
    /// A write, acknowledged.
    Write,
    /// Refused by the Bloom filter: the key does not exist.
    Filtered,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flow {
    pub start: Nanos,
    pub end: Nanos,
    pub kind: FlowKind,
    pub server: u16,
    pub node: u16,
    /// The request went to the database.
    pub db: bool,
    /// A read answered with a value older than a write already acknowledged.
    pub stale: bool,
}

/// Counters and series of one lane.
#[derive(Clone, Debug)]
pub struct LaneStats {
    pub kind: LaneKind,
    pub reads: u64,
    pub writes: u64,
    pub hits_l1: u64,
    pub hits_cache: u64,
    /// Reads the Bloom filter answered ("no such key") without the cache or the database.
    pub filtered: u64,
    /// Reads answered from the database after a miss (or with no cache).
    pub miss_served: u64,
    pub read_errors: u64,
    pub writes_acked: u64,
    pub write_errors: u64,
    /// Queries sent to the database (reads, writes, batches, refreshes, flushes).
    pub db_queries: u64,
    pub db_timeouts: u64,
    /// Most queries sent in one 100 ms slot, per second.
    pub peak_db_qps: u64,
    /// Time in 100 ms slots where more queries were sent than the database can run.
    pub overload_ns: u64,
    pub stale_reads: u64,
    /// Longest time a stale read was behind: from the acknowledgement of the first newer write.
    pub max_staleness_ns: u64,
    /// Acknowledged writes that never reached the database (write-behind crash).
    pub lost_writes: u64,
    /// Writes of write-behind that reached the database.
    pub flushed_writes: u64,
    /// Reads of missing keys that the Bloom filter let through (false positives).
    pub bloom_false_positives: u64,
    pub read_latency: LatencyHistogram,
    pub write_latency: LatencyHistogram,
    /// Most database loads of one key between two fills of it (a stampede's size).
    pub max_loads_per_fill: u64,
    /// The same, for the hot key (key 0).
    pub hot_key_max_loads: u64,
    /// Existing keys whose node changed at the last ring change.
    pub keys_moved: u64,
    /// Cache operations per node id.
    pub node_ops: Vec<u64>,
    /// Database queries sent per chart bucket.
    pub db_series: TimeSeries,
    pub reads_series: TimeSeries,
    /// Reads answered by L1 or the cache, per bucket.
    pub hits_series: TimeSeries,
    pub stale_series: TimeSeries,
}

impl LaneStats {
    fn new(kind: LaneKind, bucket: Nanos) -> Self {
        Self {
            kind,
            reads: 0,
            writes: 0,
            hits_l1: 0,
            hits_cache: 0,
            filtered: 0,
            miss_served: 0,
            read_errors: 0,
            writes_acked: 0,
            write_errors: 0,
            db_queries: 0,
            db_timeouts: 0,
            peak_db_qps: 0,
            overload_ns: 0,
            stale_reads: 0,
            max_staleness_ns: 0,
            lost_writes: 0,
            flushed_writes: 0,
            bloom_false_positives: 0,
            read_latency: LatencyHistogram::new(),
            write_latency: LatencyHistogram::new(),
            max_loads_per_fill: 0,
            hot_key_max_loads: 0,
            keys_moved: 0,
            node_ops: vec![0; MAX_NODES as usize],
            db_series: TimeSeries::new(bucket, SERIES_CAPACITY, Combine::Sum),
            reads_series: TimeSeries::new(bucket, SERIES_CAPACITY, Combine::Sum),
            hits_series: TimeSeries::new(bucket, SERIES_CAPACITY, Combine::Sum),
            stale_series: TimeSeries::new(bucket, SERIES_CAPACITY, Combine::Sum),
        }
    }

    /// Reads answered by L1 or the cache, over reads answered.
    pub fn hit_ratio(&self) -> f64 {
        let answered = self.hits_l1 + self.hits_cache + self.miss_served;
        if answered == 0 {
            0.0
        } else {
            (self.hits_l1 + self.hits_cache) as f64 / answered as f64
        }
    }

    /// Reads that have ended (hit, filtered, served after a miss, or failed).
    pub fn reads_ended(&self) -> u64 {
        self.hits_l1 + self.hits_cache + self.filtered + self.miss_served + self.read_errors
    }
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    ver: u32,
    /// A cached "not found".
    null: bool,
    expires_at: Nanos,
    /// Logical expiry (only under `logical_expiry`; `expires_at` is then never).
    logical_at: Nanos,
    /// Write-behind: writes acknowledged since the last flush of this key.
    dirty: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Read,
    Write,
    /// A logical-expiry refresh.
    Refresh,
    /// A write-behind flush of one key.
    Flush,
}

#[derive(Clone, Copy, Debug)]
struct Req {
    kind: Kind,
    key: u32,
    server: u16,
    node: u16,
    start: Nanos,
    /// The newest version acknowledged when the read started: older is stale.
    must_see: u32,
    /// The version read or written.
    ver: u32,
    /// The database had the key.
    found: bool,
    /// This request holds the lock, leads a single-flight, or runs a node's load.
    loader: bool,
    /// This read leads a coalesced group.
    coal_leader: bool,
    /// Writes a flush carries.
    writes: u32,
    db: bool,
}

#[derive(Clone, Copy, Debug)]
enum Ev {
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

#[derive(Clone, Debug)]
struct NodeLoad {
    waiters: Vec<u32>,
    superseded: bool,
}

/// Where keys live, for one lane.
#[derive(Clone, Debug)]
struct Placement {
    hashing: Hashing,
    ring: Ring,
    nodes: Vec<u32>,
}

impl Placement {
    fn new(hashing: Hashing, nodes: &[u32], vnodes: u32) -> Self {
        Self {
            hashing,
            ring: Ring::new(nodes, vnodes),
            nodes: nodes.to_vec(),
        }
    }

    fn owner(&self, key: u32) -> usize {
        let h = key_hash(key);
        let o = match self.hashing {
            Hashing::Ring => self.ring.owner(h),
            Hashing::ModN => mod_n_owner(&self.nodes, h),
        };
        o.unwrap_or(0) as usize
    }
}

/// One variant: its own cache cluster, L1 caches and database, fed the lab's requests.
struct Lane {
    p: CacheParams,
    stats: LaneStats,
    rng: SimRng,
    now: Nanos,
    events: EventQueue<Ev>,
    dropped_events: u64,
    reqs: Vec<Req>,
    free: Vec<u32>,
    in_flight: usize,
    /// Of those, refreshes and flushes (not client requests).
    internal: usize,
    place: Placement,
    nodes: Vec<Lru<Entry>>,
    l1: Vec<Lru<(u32, bool, Nanos)>>,
    bloom: Option<Bloom>,
    locks: HashMap<u32, Nanos, Fixed>,
    single_flight: HashMap<u64, Vec<u32>, Fixed>,
    coalesced: HashMap<u64, Vec<u32>, Fixed>,
    /// The node load of a key that new misses may join (by loader request).
    node_loads: HashMap<u32, u32, Fixed>,
    /// Node loads in flight, by loader request.
    loads: HashMap<u32, NodeLoad, Fixed>,
    refreshing: HashMap<u32, (), Fixed>,
    batches: Vec<Vec<u32>>,
    free_batches: Vec<u32>,
    open_batch: Vec<Option<u32>>,
    /// Per existing key: version committed in the database, newest acknowledged, newest issued.
    db_ver: Vec<u32>,
    acked: Vec<u32>,
    issued: Vec<u32>,
    /// (version, acknowledged at) of the last four versions, at index version % 4.
    ack_times: Vec<[(u32, Nanos); 4]>,
    /// Database loads since the key was last filled.
    loads_since_fill: Vec<u32>,
    /// A delete of the key is pending (at that time), and a later one is wanted (at that time).
    delete_at: Vec<Nanos>,
    delete_again: Vec<Nanos>,
    db_busy_until: Nanos,
    slot: u64,
    slot_count: u64,
    last_slot_count: u64,
    /// Write-behind writes being flushed (sent, not committed).
    flushing_writes: u64,
    wb_acked: u64,
    /// Write-behind: keys written since the last flush (each once).
    dirty_keys: Vec<u32>,
    dirty_listed: Vec<bool>,
    flows: VecDeque<Flow>,
}

impl Lane {
    fn new(kind: LaneKind, p: CacheParams, seed: u64, nodes: &[u32]) -> Self {
        let n = p.key_count as usize;
        let bucket = p.chart_bucket_ms as u64 * NS_PER_MS;
        let bloom = p.bloom_filter.then(|| {
            let mut b = Bloom::new(p.key_count, p.bloom_bits_per_key);
            (0..p.key_count).for_each(|k| b.insert(k));
            b
        });
        let l1 = if p.l1_keys > 0 {
            (0..p.app_servers)
                .map(|_| Lru::new(p.l1_keys as usize))
                .collect()
        } else {
            Vec::new()
        };
        let mut lane = Self {
            stats: LaneStats::new(kind, bucket),
            rng: SimRng::derive(seed, 7),
            now: 0,
            events: EventQueue::with_capacity(2 * MAX_IN_FLIGHT + 2 * n + 1_024),
            dropped_events: 0,
            reqs: Vec::new(),
            free: Vec::new(),
            in_flight: 0,
            internal: 0,
            place: Placement::new(p.hashing, nodes, p.virtual_nodes),
            nodes: (0..MAX_NODES)
                .map(|_| Lru::new(p.node_memory_keys as usize))
                .collect(),
            l1,
            bloom,
            locks: HashMap::default(),
            single_flight: HashMap::default(),
            coalesced: HashMap::default(),
            node_loads: HashMap::default(),
            loads: HashMap::default(),
            refreshing: HashMap::default(),
            batches: Vec::new(),
            free_batches: Vec::new(),
            open_batch: vec![None; p.app_servers as usize],
            db_ver: vec![0; n],
            acked: vec![0; n],
            issued: vec![0; n],
            ack_times: vec![[(0, 0); 4]; n],
            loads_since_fill: vec![0; n],
            delete_at: vec![0; n],
            delete_again: vec![0; n],
            db_busy_until: 0,
            slot: 0,
            slot_count: 0,
            last_slot_count: 0,
            flushing_writes: 0,
            wb_acked: 0,
            dirty_keys: Vec::new(),
            dirty_listed: if p.strategy == Strategy::WriteBehind {
                vec![false; n]
            } else {
                Vec::new()
            },
            flows: VecDeque::with_capacity(256),
            p,
        };
        if lane.p.warm_start && lane.p.strategy != Strategy::NoCache {
            // Coldest first, so that the hottest keys are the most recently used.
            for k in (0..lane.p.key_count).rev() {
                let e = lane.new_entry(0, false);
                lane.insert_entry(k, e);
            }
        }
        if lane.p.strategy == Strategy::WriteBehind {
            let at = lane.p.flush_interval_ms as u64 * NS_PER_MS;
            lane.schedule(at, Ev::Flush);
        }
        lane
    }

    fn schedule(&mut self, at: Nanos, ev: Ev) {
        if self.events.push(at, ev).is_err() {
            self.dropped_events += 1;
        }
    }

    /// A latency with the given mean: half fixed, half exponential.
    fn lat(&mut self, mean_us: u32) -> Nanos {
        let half = mean_us as f64 * NS_PER_US as f64 / 2.0;
        half as Nanos + self.rng.exp_nanos(half)
    }

    fn cache_lat(&mut self) -> Nanos {
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

    fn new_entry(&mut self, ver: u32, null: bool) -> Entry {
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

    fn existing(&self, key: u32) -> bool {
        key < self.p.key_count
    }

    /// Stores `e` at the key's node; a dirty entry pushed out is written back first.
    fn insert_entry(&mut self, key: u32, e: Entry) {
        let node = self.place.owner(key);
        self.stats.node_ops[node] += 1;
        if let Some((k, old)) = self.nodes[node].insert(key, e) {
            if old.dirty > 0 {
                self.flush_key(k, old.ver, old.dirty);
            }
        }
        if self.existing(key) {
            self.loads_since_fill[key as usize] = 0;
        }
    }

    fn delete_entry(&mut self, key: u32) {
        let node = self.place.owner(key);
        self.stats.node_ops[node] += 1;
        self.drop_entry(node, key);
    }

    /// Removes a value from a node; unflushed writes it holds are written back first (a
    /// write-behind cache keeps a dirty value until the database has it).
    fn drop_entry(&mut self, node: usize, key: u32) {
        if let Some(e) = self.nodes[node].remove(key) {
            if e.dirty > 0 {
                self.flush_key(key, e.ver, e.dirty);
            }
        }
    }

    fn alloc(&mut self, r: Req) -> Option<u32> {
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

    fn release(&mut self, r: u32) {
        self.in_flight -= 1;
        if matches!(self.reqs[r as usize].kind, Kind::Refresh | Kind::Flush) {
            self.internal -= 1;
        }
        self.free.push(r);
    }

    fn flow(&mut self, f: Flow) {
        if self.flows.len() == FLOW_CAPACITY {
            self.flows.pop_front();
        }
        self.flows.push_back(f);
    }

    // --- the database ---

    /// Sends a query of `cost` units; `None` if it would wait past the timeout.
    fn db_admit(&mut self, cost: f64, can_time_out: bool) -> Option<Nanos> {
        let now = self.now;
        self.stats.db_queries += 1;
        self.stats.db_series.record(now, 1);
        let slot = now / SLOT_NS;
        if slot != self.slot {
            self.close_slot();
            self.slot = slot;
        }
        self.slot_count += 1;
        let wait = self.db_busy_until.saturating_sub(now);
        if can_time_out && wait > self.p.db_timeout_ms as u64 * NS_PER_MS {
            self.stats.db_timeouts += 1;
            return None;
        }
        let start = now.max(self.db_busy_until);
        self.db_busy_until =
            start + (cost * NS_PER_S as f64 / self.p.db_capacity_qps as f64) as Nanos;
        Some(start)
    }

    fn close_slot(&mut self) {
        let n = self.slot_count;
        self.stats.peak_db_qps = self.stats.peak_db_qps.max(n * NS_PER_S / SLOT_NS);
        if n * NS_PER_S > self.p.db_capacity_qps as u64 * SLOT_NS {
            self.stats.overload_ns += SLOT_NS;
        }
        self.last_slot_count = n;
        self.slot_count = 0;
    }

    /// Queries per second sent in the last full slot.
    fn recent_db_qps(&self) -> u64 {
        if self.now / SLOT_NS == self.slot {
            self.last_slot_count * NS_PER_S / SLOT_NS
        } else {
            0
        }
    }

    fn count_load(&mut self, key: u32) {
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

    fn db_read(&mut self, r: u32) {
        let (key, server, kind) = {
            let q = &self.reqs[r as usize];
            (q.key, q.server, q.kind)
        };
        self.reqs[r as usize].db = true;
        self.count_load(key);
        if self.p.batch_window_ms > 0 && kind == Kind::Read {
            let s = server as usize;
            match self.open_batch[s] {
                Some(b) => self.batches[b as usize].push(r),
                None => {
                    let b = match self.free_batches.pop() {
                        Some(b) => b,
                        None => {
                            self.batches.push(Vec::new());
                            (self.batches.len() - 1) as u32
                        }
                    };
                    self.batches[b as usize].push(r);
                    self.open_batch[s] = Some(b);
                    let at = self.now + self.p.batch_window_ms as u64 * NS_PER_MS;
                    self.schedule(at, Ev::BatchFire(server));
                }
            }
            return;
        }
        match self.db_admit(1.0, kind == Kind::Read) {
            Some(start) => self.schedule(start, Ev::DbStart(r)),
            None => {
                let at = self.now + self.p.db_timeout_ms as u64 * NS_PER_MS;
                self.schedule(at, Ev::DbFail(r));
            }
        }
    }

    fn db_write(&mut self, r: u32) {
        self.reqs[r as usize].db = true;
        let timeout = self.reqs[r as usize].kind == Kind::Write;
        match self.db_admit(1.0, timeout) {
            Some(start) => {
                let at = start + self.lat(self.p.db_write_us);
                self.schedule(at, Ev::DbCommit(r));
            }
            None => {
                let at = self.now + self.p.db_timeout_ms as u64 * NS_PER_MS;
                self.schedule(at, Ev::DbFail(r));
            }
        }
    }

    // --- reads ---

    fn on_read(&mut self, key: u32, server: u16) {
        self.stats.reads += 1;
        self.stats.reads_series.record(self.now, 1);
        let existing = self.existing(key);
        if let Some(b) = &self.bloom {
            if !b.may_contain(key) {
                self.stats.filtered += 1;
                self.stats.read_latency.record(1);
                let now = self.now;
                self.flow(Flow {
                    start: now,
                    end: now,
                    kind: FlowKind::Filtered,
                    server,
                    node: 0,
                    db: false,
                    stale: false,
                });
                return;
            }
            if !existing {
                self.stats.bloom_false_positives += 1;
            }
        }
        let req = Req {
            kind: Kind::Read,
            key,
            server,
            node: 0,
            start: self.now,
            must_see: if existing {
                self.acked[key as usize]
            } else {
                0
            },
            ver: 0,
            found: false,
            loader: false,
            coal_leader: false,
            writes: 0,
            db: false,
        };
        let Some(r) = self.alloc(req) else {
            self.stats.read_errors += 1;
            return;
        };
        if !self.l1.is_empty() {
            let now = self.now;
            let l1 = &mut self.l1[server as usize];
            match l1.get(key).copied() {
                Some((ver, null, exp)) if exp > now => {
                    self.finish(r, FlowKind::HitL1, ver, null);
                    return;
                }
                Some(_) => {
                    l1.remove(key);
                }
                None => {}
            }
        }
        if self.p.coalesce {
            let ck = (server as u64) << 32 | key as u64;
            if let Some(w) = self.coalesced.get_mut(&ck) {
                w.push(r);
                return;
            }
            self.coalesced.insert(ck, Vec::new());
            self.reqs[r as usize].coal_leader = true;
        }
        if self.p.strategy == Strategy::NoCache {
            self.db_read(r);
        } else {
            let at = self.now + self.cache_lat();
            self.schedule(at, Ev::CacheGet(r));
        }
    }

    fn on_cache_get(&mut self, r: u32) {
        let now = self.now;
        let Req {
            key, server, start, ..
        } = self.reqs[r as usize];
        let node = self.place.owner(key);
        self.reqs[r as usize].node = node as u16;
        self.stats.node_ops[node] += 1;
        let found = self.nodes[node].get(key).copied();
        match found {
            Some(e) if e.expires_at > now => {
                if self.p.miss_guard == MissGuard::LogicalExpiry
                    && e.logical_at <= now
                    && !e.null
                    && !self.refreshing.contains_key(&key)
                {
                    self.start_refresh(key, server);
                }
                self.finish(r, FlowKind::HitCache, e.ver, e.null);
                return;
            }
            Some(_) => self.drop_entry(node, key),
            None => {}
        }
        if self.p.strategy.loads_through() {
            if let Some(&l) = self.node_loads.get(&key) {
                if let Some(load) = self.loads.get_mut(&l) {
                    load.waiters.push(r);
                }
            } else {
                self.start_load(key, r);
                self.reqs[r as usize].loader = true;
                self.db_read(r);
            }
            return;
        }
        match self.p.miss_guard {
            MissGuard::None | MissGuard::LogicalExpiry => self.db_read(r),
            MissGuard::SingleFlight => {
                let sk = (server as u64) << 32 | key as u64;
                if let Some(w) = self.single_flight.get_mut(&sk) {
                    w.push(r);
                } else {
                    self.single_flight.insert(sk, Vec::new());
                    self.reqs[r as usize].loader = true;
                    self.db_read(r);
                }
            }
            MissGuard::Mutex => {
                let held = self.locks.get(&key).is_some_and(|&until| until > now);
                if !held {
                    // SET lock NX PX: held until the load is surely over.
                    let ttl = self.p.db_timeout_ms as u64 * NS_PER_MS
                        + 10 * (self.p.db_read_us as u64 + self.p.cache_op_us as u64) * NS_PER_US;
                    self.locks.insert(key, now + ttl);
                    self.reqs[r as usize].loader = true;
                    self.db_read(r);
                } else if now - start > self.p.db_timeout_ms as u64 * NS_PER_MS {
                    self.finish(r, FlowKind::Error, 0, false);
                } else {
                    let at = now + self.p.lock_wait_ms as u64 * NS_PER_MS + self.cache_lat();
                    self.schedule(at, Ev::CacheGet(r));
                }
            }
        }
    }

    fn start_refresh(&mut self, key: u32, server: u16) {
        let req = Req {
            kind: Kind::Refresh,
            key,
            server,
            node: 0,
            start: self.now,
            must_see: 0,
            ver: 0,
            found: false,
            loader: false,
            coal_leader: false,
            writes: 0,
            db: true,
        };
        if self.p.strategy.loads_through() && self.node_loads.contains_key(&key) {
            return; // the node is loading this key already
        }
        if let Some(r) = self.alloc(req) {
            self.refreshing.insert(key, ());
            if self.p.strategy.loads_through() {
                self.start_load(key, r);
            }
            self.db_read(r);
        }
    }

    /// Registers request `r` as the node's load of `key`: later misses join it until a write
    /// reaches the node, which supersedes it (its value is then not installed, and not joined).
    fn start_load(&mut self, key: u32, r: u32) {
        self.node_loads.insert(key, r);
        self.loads.insert(
            r,
            NodeLoad {
                waiters: Vec::new(),
                superseded: false,
            },
        );
    }

    /// Ends the node load led by `r`: its waiters, and whether a write superseded it.
    fn end_load(&mut self, key: u32, r: u32) -> (Vec<u32>, bool) {
        if self.node_loads.get(&key) == Some(&r) {
            self.node_loads.remove(&key);
        }
        match self.loads.remove(&r) {
            Some(l) => (l.waiters, l.superseded),
            None => (Vec::new(), false),
        }
    }

    /// A write reached the node: a load of the key in flight must not install its older value,
    /// and later misses start a fresh one.
    fn supersede_load(&mut self, key: u32) {
        if let Some(r) = self.node_loads.remove(&key) {
            if let Some(l) = self.loads.get_mut(&r) {
                l.superseded = true;
            }
        }
    }

    fn on_db_start(&mut self, r: u32) {
        let key = self.reqs[r as usize].key;
        let found = self.existing(key);
        let ver = if found { self.db_ver[key as usize] } else { 0 };
        let q = &mut self.reqs[r as usize];
        q.found = found;
        q.ver = ver;
        let at = self.now + self.lat(self.p.db_read_us);
        self.schedule(at, Ev::DbReadDone(r));
    }

    fn on_db_read_done(&mut self, r: u32) {
        let q = self.reqs[r as usize];
        let null = !q.found;
        let store = !null || self.p.cache_null;
        match q.kind {
            Kind::Refresh if self.p.strategy.loads_through() => {
                let (waiters, superseded) = self.end_load(q.key, r);
                if store && !superseded {
                    let node = self.place.owner(q.key);
                    let newer = self.nodes[node]
                        .peek(q.key)
                        .is_some_and(|e| !e.null && e.ver > q.ver);
                    if !newer {
                        let e = self.new_entry(q.ver, null);
                        self.insert_entry(q.key, e);
                    }
                }
                for w in waiters {
                    self.finish(w, FlowKind::Miss, q.ver, null);
                }
                self.refreshing.remove(&q.key);
                self.release(r);
            }
            Kind::Refresh => {
                let at = self.now + self.cache_lat();
                self.schedule(
                    at,
                    Ev::FillSet {
                        key: q.key,
                        ver: q.ver,
                        null,
                        store,
                        unlock: false,
                        refresh: true,
                        flight: NO_FLIGHT,
                    },
                );
                self.release(r);
            }
            Kind::Read if self.p.strategy == Strategy::NoCache => {
                self.finish(r, FlowKind::Miss, q.ver, null);
            }
            Kind::Read if self.p.strategy.loads_through() => {
                // The node installs what it loaded, unless a newer write reached it meanwhile.
                let (waiters, superseded) = self.end_load(q.key, r);
                if store && !superseded {
                    let node = self.place.owner(q.key);
                    let newer = self.nodes[node]
                        .peek(q.key)
                        .is_some_and(|e| !e.null && e.ver > q.ver);
                    if !newer {
                        let e = self.new_entry(q.ver, null);
                        self.insert_entry(q.key, e);
                    }
                }
                self.finish(r, FlowKind::Miss, q.ver, null);
                for w in waiters {
                    self.finish(w, FlowKind::Miss, q.ver, null);
                }
            }
            _ => {
                let unlock = self.p.miss_guard == MissGuard::Mutex && q.loader;
                // A single flight ends once its value is in the cache (the load and the set run
                // inside the flight), so no second flight starts in between.
                let flight = self.p.miss_guard == MissGuard::SingleFlight && q.loader;
                if store || unlock || flight {
                    let at = self.now + self.cache_lat();
                    self.schedule(
                        at,
                        Ev::FillSet {
                            key: q.key,
                            ver: q.ver,
                            null,
                            store,
                            unlock,
                            refresh: false,
                            flight: if flight { r } else { NO_FLIGHT },
                        },
                    );
                }
                if !flight {
                    self.finish(r, FlowKind::Miss, q.ver, null);
                }
            }
        }
    }

    fn on_db_fail(&mut self, r: u32) {
        let q = self.reqs[r as usize];
        match q.kind {
            Kind::Read => {
                let mut also = Vec::new();
                if q.loader {
                    if self.p.strategy.loads_through() {
                        also = self.end_load(q.key, r).0;
                    } else if self.p.miss_guard == MissGuard::SingleFlight {
                        let sk = (q.server as u64) << 32 | q.key as u64;
                        also = self.single_flight.remove(&sk).unwrap_or_default();
                    } else if self.p.miss_guard == MissGuard::Mutex {
                        self.locks.remove(&q.key);
                    }
                }
                self.finish(r, FlowKind::Error, 0, false);
                for w in also {
                    self.finish(w, FlowKind::Error, 0, false);
                }
            }
            Kind::Refresh => {
                self.refreshing.remove(&q.key);
                let waiters = if self.p.strategy.loads_through() {
                    self.end_load(q.key, r).0
                } else {
                    Vec::new()
                };
                self.release(r);
                for w in waiters {
                    self.finish(w, FlowKind::Error, 0, false);
                }
            }
            Kind::Write => {
                self.stats.write_errors += 1;
                let now = self.now;
                self.stats.write_latency.record(now - q.start);
                self.flow(Flow {
                    start: q.start,
                    end: now,
                    kind: FlowKind::Error,
                    server: q.server,
                    node: q.node,
                    db: true,
                    stale: false,
                });
                self.release(r);
            }
            Kind::Flush => self.release(r), // flushes do not time out
        }
    }

    fn on_fill(
        &mut self,
        key: u32,
        ver: u32,
        null: bool,
        store: bool,
        unlock: bool,
        refresh: bool,
    ) {
        if store {
            let e = self.new_entry(ver, null);
            self.insert_entry(key, e);
        }
        if unlock {
            self.locks.remove(&key);
        }
        if refresh {
            self.refreshing.remove(&key);
        }
    }

    /// Ends read `r` (and the reads coalesced behind it) with `kind`.
    fn finish(&mut self, r: u32, kind: FlowKind, ver: u32, null: bool) {
        let q = self.reqs[r as usize];
        let now = self.now;
        let mut stale = false;
        match kind {
            FlowKind::HitL1 => self.stats.hits_l1 += 1,
            FlowKind::HitCache => self.stats.hits_cache += 1,
            FlowKind::Miss => self.stats.miss_served += 1,
            _ => self.stats.read_errors += 1,
        }
        if matches!(kind, FlowKind::HitL1 | FlowKind::HitCache) {
            self.stats.hits_series.record(now, 1);
        }
        if kind != FlowKind::Error {
            self.stats.read_latency.record(now - q.start);
            if !null && self.existing(q.key) && ver < q.must_see {
                self.stats.stale_reads += 1;
                self.stats.stale_series.record(now, 1);
                let since = self.ack_times[q.key as usize]
                    .iter()
                    .filter(|&&(v, _)| v > ver)
                    .map(|&(_, t)| t)
                    .min()
                    .unwrap_or(now);
                self.stats.max_staleness_ns = self.stats.max_staleness_ns.max(now - since);
                stale = true;
            }
            if !self.l1.is_empty() && kind != FlowKind::HitL1 {
                let exp = now + self.p.l1_ttl_ms as u64 * NS_PER_MS;
                self.l1[q.server as usize].insert(q.key, (ver, null, exp));
            }
        }
        self.flow(Flow {
            start: q.start,
            end: now,
            kind,
            server: q.server,
            node: q.node,
            db: q.db,
            stale,
        });
        self.release(r);
        if q.coal_leader {
            let ck = (q.server as u64) << 32 | q.key as u64;
            for w in self.coalesced.remove(&ck).unwrap_or_default() {
                self.finish(w, kind, ver, null);
            }
        }
    }

    fn on_batch_fire(&mut self, server: u16) {
        let Some(b) = self.open_batch[server as usize].take() else {
            return;
        };
        let mut keys: Vec<u32> = self.batches[b as usize]
            .iter()
            .map(|&r| self.reqs[r as usize].key)
            .collect();
        keys.sort_unstable();
        keys.dedup();
        // A batch of n keys costs one query plus a tenth of one per extra key.
        let cost = 1.0 + 0.1 * (keys.len().saturating_sub(1)) as f64;
        match self.db_admit(cost, true) {
            Some(start) => self.schedule(start, Ev::BatchStart(b)),
            None => {
                for r in std::mem::take(&mut self.batches[b as usize]) {
                    self.on_db_fail(r);
                }
                self.free_batches.push(b);
            }
        }
    }

    fn on_batch_start(&mut self, b: u32) {
        for i in 0..self.batches[b as usize].len() {
            let r = self.batches[b as usize][i];
            let key = self.reqs[r as usize].key;
            let found = self.existing(key);
            let ver = if found { self.db_ver[key as usize] } else { 0 };
            let q = &mut self.reqs[r as usize];
            q.found = found;
            q.ver = ver;
        }
        let at = self.now + self.lat(self.p.db_read_us);
        self.schedule(at, Ev::BatchDone(b));
    }

    fn on_batch_done(&mut self, b: u32) {
        for r in std::mem::take(&mut self.batches[b as usize]) {
            self.on_db_read_done(r);
        }
        self.free_batches.push(b);
    }

    // --- writes ---

    fn on_write(&mut self, key: u32, server: u16) {
        self.stats.writes += 1;
        let req = Req {
            kind: Kind::Write,
            key,
            server,
            node: 0,
            start: self.now,
            must_see: 0,
            ver: 0,
            found: true,
            loader: false,
            coal_leader: false,
            writes: 1,
            db: false,
        };
        let Some(r) = self.alloc(req) else {
            self.stats.write_errors += 1;
            return;
        };
        match self.p.strategy {
            Strategy::DeleteThenUpdate
            | Strategy::DoubleDelete
            | Strategy::WriteThrough
            | Strategy::WriteBehind => {
                let at = self.now + self.cache_lat();
                self.schedule(at, Ev::WriteCache(r));
            }
            _ => self.db_write(r),
        }
    }

    fn on_write_cache(&mut self, r: u32) {
        let q = self.reqs[r as usize];
        self.reqs[r as usize].node = self.place.owner(q.key) as u16;
        match self.p.strategy {
            Strategy::DeleteThenUpdate | Strategy::DoubleDelete => {
                self.delete_entry(q.key);
                self.db_write(r);
            }
            Strategy::UpdateThenDelete | Strategy::ReadThrough => {
                self.delete_entry(q.key);
                self.ack(r);
            }
            Strategy::UpdateThenSet => {
                let e = self.new_entry(q.ver, false);
                self.insert_entry(q.key, e);
                self.ack(r);
            }
            Strategy::WriteThrough => self.db_write(r),
            Strategy::WriteBehind => {
                let k = q.key as usize;
                let v = self.issued[k] + 1;
                self.issued[k] = v;
                let node = self.place.owner(q.key);
                let dirty = self.nodes[node].peek(q.key).map_or(0, |e| e.dirty);
                let mut e = self.new_entry(v, false);
                e.dirty = dirty + 1;
                if !self.dirty_listed[k] {
                    self.dirty_listed[k] = true;
                    self.dirty_keys.push(q.key);
                }
                self.insert_entry(q.key, e);
                self.supersede_load(q.key);
                self.reqs[r as usize].ver = v;
                self.wb_acked += 1;
                self.ack(r);
            }
            Strategy::NoCache | Strategy::AsyncInvalidation => self.ack(r),
        }
    }

    fn on_commit(&mut self, r: u32) {
        let q = self.reqs[r as usize];
        let k = q.key as usize;
        if q.kind == Kind::Flush {
            self.db_ver[k] = self.db_ver[k].max(q.ver);
            self.stats.flushed_writes += q.writes as u64;
            self.flushing_writes -= q.writes as u64;
            self.release(r);
            return;
        }
        let v = self.db_ver[k] + 1;
        self.db_ver[k] = v;
        self.issued[k] = self.issued[k].max(v);
        self.reqs[r as usize].ver = v;
        let now = self.now;
        match self.p.strategy {
            Strategy::UpdateThenDelete | Strategy::ReadThrough | Strategy::UpdateThenSet => {
                let at = now + self.cache_lat();
                self.schedule(at, Ev::WriteCache(r));
            }
            Strategy::DoubleDelete => {
                let at = now + self.p.double_delete_delay_ms as u64 * NS_PER_MS;
                self.request_delete(q.key, at);
                self.ack(r);
            }
            Strategy::AsyncInvalidation => {
                let at = now
                    + self
                        .rng
                        .exp_nanos(self.p.invalidation_lag_ms.max(1) as f64 * NS_PER_MS as f64)
                        .min(60_000 * NS_PER_MS);
                self.request_delete(q.key, at);
                self.ack(r);
            }
            Strategy::WriteThrough => {
                // The node installs the committed value before answering; a load of the key in
                // flight must not put an older value back.
                let node = self.place.owner(q.key);
                let newer = self.nodes[node]
                    .peek(q.key)
                    .is_some_and(|e| !e.null && e.ver > v);
                if !newer {
                    let e = self.new_entry(v, false);
                    self.insert_entry(q.key, e);
                }
                self.supersede_load(q.key);
                self.ack(r);
            }
            _ => self.ack(r),
        }
    }

    /// Deletes the key's cached value at `at` (one pending delete per key; a later request is
    /// remembered and done when the pending one fires).
    fn request_delete(&mut self, key: u32, at: Nanos) {
        let k = key as usize;
        if self.delete_at[k] == 0 {
            self.delete_at[k] = at.max(1);
            self.schedule(at, Ev::Delete(key));
        } else {
            self.delete_again[k] = self.delete_again[k].max(at);
        }
    }

    fn on_delete(&mut self, key: u32) {
        let k = key as usize;
        self.delete_entry(key);
        self.delete_at[k] = 0;
        let again = std::mem::take(&mut self.delete_again[k]);
        if again > self.now {
            self.request_delete(key, again);
        }
    }

    fn ack(&mut self, r: u32) {
        let q = self.reqs[r as usize];
        let k = q.key as usize;
        let now = self.now;
        self.stats.writes_acked += 1;
        self.stats.write_latency.record(now - q.start);
        self.acked[k] = self.acked[k].max(q.ver);
        self.ack_times[k][(q.ver % 4) as usize] = (q.ver, now);
        self.flow(Flow {
            start: q.start,
            end: now,
            kind: FlowKind::Write,
            server: q.server,
            node: q.node,
            db: q.db,
            stale: false,
        });
        self.release(r);
    }

    // --- write-behind ---

    fn flush_key(&mut self, key: u32, ver: u32, writes: u32) {
        let req = Req {
            kind: Kind::Flush,
            key,
            server: 0,
            node: 0,
            start: self.now,
            must_see: 0,
            ver,
            found: true,
            loader: false,
            coal_leader: false,
            writes,
            db: true,
        };
        match self.alloc(req) {
            Some(r) => {
                self.flushing_writes += writes as u64;
                self.db_write(r);
            }
            // No room to send it: those writes are lost like a crash would lose them.
            None => self.stats.lost_writes += writes as u64,
        }
    }

    fn on_flush(&mut self) {
        // Only the keys written since the last flush (O(dirty keys), not O(cached values)).
        for k in std::mem::take(&mut self.dirty_keys) {
            self.dirty_listed[k as usize] = false;
            let node = self.place.owner(k);
            let Some(e) = self.nodes[node].peek_mut(k) else {
                continue; // already written back (evicted, moved) or lost in a crash
            };
            if e.dirty > 0 {
                let (ver, writes) = (e.ver, e.dirty);
                e.dirty = 0;
                self.flush_key(k, ver, writes);
            }
        }
        let at = self.now + self.p.flush_interval_ms as u64 * NS_PER_MS;
        self.schedule(at, Ev::Flush);
    }

    /// Writes acknowledged by write-behind and not yet sent to the database.
    fn unflushed(&self) -> u64 {
        self.nodes
            .iter()
            .flat_map(|n| n.iter())
            .map(|(_, e)| e.dirty as u64)
            .sum()
    }

    // --- cluster changes ---

    fn crash(&mut self, node: u32) {
        let lost: u64 = self.nodes[node as usize]
            .iter()
            .map(|(_, e)| e.dirty as u64)
            .sum();
        self.stats.lost_writes += lost;
        self.nodes[node as usize].clear();
    }

    fn set_nodes(&mut self, nodes: &[u32]) {
        let before = self.place.clone();
        self.place = Placement::new(self.p.hashing, nodes, self.p.virtual_nodes);
        self.stats.keys_moved = (0..self.p.key_count)
            .filter(|&k| before.owner(k) != self.place.owner(k))
            .count() as u64;
        // Values whose owner changed are not found on the new owner: drop them (writing back
        // dirty ones first, as a graceful hand-over would).
        for node in 0..MAX_NODES as usize {
            let moved: Vec<(u32, Entry)> = self.nodes[node]
                .iter()
                .filter(|&(k, _)| self.place.owner(k) != node)
                .map(|(k, e)| (k, *e))
                .collect();
            for (k, e) in moved {
                self.nodes[node].remove(k);
                if e.dirty > 0 {
                    self.flush_key(k, e.ver, e.dirty);
                }
            }
        }
    }

    fn handle(&mut self, ev: Ev) {
        match ev {
            Ev::CacheGet(r) => self.on_cache_get(r),
            Ev::DbStart(r) => self.on_db_start(r),
            Ev::DbReadDone(r) => self.on_db_read_done(r),
            Ev::DbCommit(r) => self.on_commit(r),
            Ev::DbFail(r) => self.on_db_fail(r),
            Ev::FillSet {
                key,
                ver,
                null,
                store,
                unlock,
                refresh,
                flight,
            } => {
                self.on_fill(key, ver, null, store, unlock, refresh);
                if flight != NO_FLIGHT {
                    let q = self.reqs[flight as usize];
                    let sk = (q.server as u64) << 32 | q.key as u64;
                    let waiters = self.single_flight.remove(&sk).unwrap_or_default();
                    self.finish(flight, FlowKind::Miss, ver, null);
                    for w in waiters {
                        self.finish(w, FlowKind::Miss, ver, null);
                    }
                }
            }
            Ev::WriteCache(r) => self.on_write_cache(r),
            Ev::Delete(key) => self.on_delete(key),
            Ev::Flush => self.on_flush(),
            Ev::BatchFire(s) => self.on_batch_fire(s),
            Ev::BatchStart(b) => self.on_batch_start(b),
            Ev::BatchDone(b) => self.on_batch_done(b),
        }
    }

    /// Advances the clock (closing database slots on the way).
    fn tick(&mut self, t: Nanos) {
        self.now = t;
        let slot = t / SLOT_NS;
        if slot != self.slot {
            self.close_slot();
            if slot > self.slot + 1 {
                self.last_slot_count = 0;
            }
            self.slot = slot;
        }
    }
}

/// One request from a client.
#[derive(Clone, Copy, Debug)]
struct Arrival {
    at: Nanos,
    key: u32,
    server: u16,
    write: bool,
}

/// The last ring change.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RingChangeInfo {
    pub at: Nanos,
    pub node: u32,
    pub added: bool,
    /// Share of existing keys that move, with a ring and with mod N (computed for this change).
    pub ring_share: f64,
    pub mod_n_share: f64,
}

/// The ring as drawn: points (position as a fraction of the circle, node) and sample keys.
#[derive(Clone, Debug, Default)]
pub struct RingView {
    pub nodes: Vec<u32>,
    pub points: Vec<(f64, u32)>,
    /// (position, owner now, owner before the last change).
    pub keys: Vec<(f64, u32, u32)>,
    pub last_change: Option<RingChangeInfo>,
    /// Keys per node among the existing keys (ring placement), in the order of `nodes`.
    pub load: Vec<u64>,
    /// Bumped when the cluster changes: a view with the same generation is up to date.
    pub generation: u64,
}

/// One lane as drawn.
#[derive(Clone, Debug)]
pub struct LaneView {
    pub kind: LaneKind,
    pub flows: Vec<Flow>,
    /// More requests than are kept: drawn as a flow.
    pub dense: bool,
    pub nodes: Vec<u32>,
    /// Values held per node, in the order of `nodes`.
    pub node_keys: Vec<u64>,
    pub node_capacity: u64,
    pub db_qps: u64,
    pub db_capacity_qps: u64,
    pub l1: bool,
    pub bloom: bool,
    pub no_cache: bool,
    pub app_servers: u32,
}

/// What the canvas draws.
#[derive(Clone, Debug, Default)]
pub struct CacheSnapshot {
    pub now: Nanos,
    pub lanes: Vec<LaneView>,
    pub ring: RingView,
}

/// The cache lab model: one or more lanes fed the same requests.
pub struct CacheLab {
    p: CacheParams,
    seed: u64,
    now: Nanos,
    lanes: Vec<Lane>,
    rng: SimRng,
    keys: KeyPicker,
    next_bg: Option<Nanos>,
    burst: VecDeque<Nanos>,
    next_burst_at: Nanos,
    pending: Option<Arrival>,
    nodes: Vec<u32>,
    next_node: u32,
    /// Scheduled cluster events still to come: (time, is_crash).
    scheduled: Vec<(Nanos, bool)>,
    last_change: Option<RingChangeInfo>,
    /// Owners of the sample keys before the last change.
    prev_owner: Vec<u32>,
    /// The ring as drawn, rebuilt only when the cluster changes.
    ring_view: RingView,
    arrivals: u64,
}

impl CacheLab {
    pub fn params(&self) -> &CacheParams {
        &self.p
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn lane_count(&self) -> usize {
        self.lanes.len()
    }

    pub fn stats(&self, lane: usize) -> &LaneStats {
        &self.lanes[lane].stats
    }

    pub fn lane_params(&self, lane: usize) -> &CacheParams {
        &self.lanes[lane].p
    }

    /// Requests sent by the clients (each lane gets every one).
    pub fn arrivals(&self) -> u64 {
        self.arrivals
    }

    /// Requests (reads and writes) still in flight in a lane.
    pub fn in_flight(&self, lane: usize) -> usize {
        let l = &self.lanes[lane];
        l.in_flight - l.internal
    }

    /// Events that could not be scheduled because a bounded queue was full (should stay 0).
    pub fn dropped_events(&self) -> u64 {
        self.lanes.iter().map(|l| l.dropped_events).sum()
    }

    /// Write-behind writes acknowledged and not yet sent to the database, in a lane.
    pub fn unflushed_writes(&self, lane: usize) -> u64 {
        self.lanes[lane].unflushed()
    }

    /// Write-behind writes sent to the database and not yet committed, in a lane.
    pub fn flushing_writes(&self, lane: usize) -> u64 {
        self.lanes[lane].flushing_writes
    }

    /// Write-behind writes acknowledged, in a lane.
    pub fn write_behind_acked(&self, lane: usize) -> u64 {
        self.lanes[lane].wb_acked
    }

    /// Unflushed writes held by node `node` in a lane.
    pub fn unflushed_on(&self, lane: usize, node: u32) -> u64 {
        self.lanes[lane]
            .nodes
            .get(node as usize)
            .into_iter()
            .flat_map(|n| n.iter())
            .map(|(_, e)| e.dirty as u64)
            .sum()
    }

    /// Values held by the cache nodes of a lane (bounded by nodes × node_memory_keys).
    pub fn cached_values(&self, lane: usize) -> usize {
        self.lanes[lane].nodes.iter().map(Lru::len).sum()
    }

    /// Versions: (committed in the database, newest acknowledged) of `key` in a lane.
    pub fn versions(&self, lane: usize, key: u32) -> (u32, u32) {
        let l = &self.lanes[lane];
        (l.db_ver[key as usize], l.acked[key as usize])
    }

    pub fn nodes(&self) -> &[u32] {
        &self.nodes
    }

    pub fn last_change(&self) -> Option<RingChangeInfo> {
        self.last_change
    }

    /// A node joins the cluster (refused past the node limit).
    pub fn add_node(&mut self) -> bool {
        if self.nodes.len() as u32 >= MAX_NODES - 1 || self.next_node >= MAX_NODES {
            return false;
        }
        let node = self.next_node;
        self.next_node += 1;
        let before = self.nodes.clone();
        self.nodes.push(node);
        self.change(before, node, true);
        true
    }

    /// The most recently added node leaves (refused if it is the last one).
    pub fn remove_node(&mut self) -> bool {
        if self.nodes.len() <= 1 {
            return false;
        }
        let before = self.nodes.clone();
        let node = self.nodes.pop().expect("more than one node");
        self.change(before, node, false);
        true
    }

    fn change(&mut self, before: Vec<u32>, node: u32, added: bool) {
        self.prev_owner = self.sample_owners(&before);
        let keys = self.p.key_count;
        let vn = self.p.virtual_nodes;
        let (ring_share, mod_n_share) = if added {
            moved_share_on_join(&before, node, vn, keys)
        } else {
            moved_share_on_join(&self.nodes, node, vn, keys)
        };
        self.last_change = Some(RingChangeInfo {
            at: self.now,
            node,
            added,
            ring_share,
            mod_n_share,
        });
        let nodes = self.nodes.clone();
        for l in &mut self.lanes {
            l.tick(self.now.max(l.now));
            l.set_nodes(&nodes);
        }
        self.build_ring_view();
    }

    fn build_ring_view(&mut self) {
        let ring = Ring::new(&self.nodes, self.p.virtual_nodes);
        let owners = self.sample_owners(&self.nodes);
        // Unique across labs, so a snapshot filled from an earlier lab is refreshed too (drawing
        // only: no metric depends on it).
        static VIEWS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let generation = VIEWS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.ring_view = RingView {
            nodes: self.nodes.clone(),
            points: ring
                .points()
                .iter()
                .map(|&(h, n)| (h as f64 / u64::MAX as f64, n))
                .collect(),
            keys: owners
                .iter()
                .enumerate()
                .map(|(k, &o)| {
                    let pos = key_hash(k as u32) as f64 / u64::MAX as f64;
                    (pos, o, self.prev_owner.get(k).copied().unwrap_or(o))
                })
                .collect(),
            last_change: self.last_change,
            load: super::ring::load(&ring, self.p.key_count),
            generation,
        };
    }

    /// Cache node `node` crashes and restarts empty: what it held is gone, unflushed writes too.
    /// Does nothing if `node` is not in the cluster.
    pub fn crash_node(&mut self, node: u32) {
        if !self.nodes.contains(&node) {
            return;
        }
        for l in &mut self.lanes {
            l.crash(node);
        }
    }

    fn sample_owners(&self, nodes: &[u32]) -> Vec<u32> {
        let ring = Ring::new(nodes, self.p.virtual_nodes);
        (0..SAMPLE_KEYS.min(self.p.key_count))
            .map(|k| ring.owner(key_hash(k)).unwrap_or(0))
            .collect()
    }

    fn draw_arrival(&mut self) -> Option<Arrival> {
        if self.burst.is_empty() && self.p.burst_size > 0 {
            let at = self.next_burst_at;
            let width = self.p.burst_width_ms as u64 * NS_PER_MS;
            let mut times: Vec<Nanos> = (0..self.p.burst_size)
                .map(|_| at + self.rng.below(width + 1))
                .collect();
            times.sort_unstable();
            self.burst.extend(times);
            self.next_burst_at += self.p.burst_every_ms as u64 * NS_PER_MS;
        }
        let bg = self.next_bg;
        let from_burst = match (bg, self.burst.front()) {
            (Some(b), Some(&t)) => t < b,
            (None, Some(_)) => true,
            (_, None) => false,
        };
        let servers = self.p.app_servers as u64;
        if from_burst {
            let at = self.burst.pop_front()?;
            let server = self.rng.below(servers) as u16;
            return Some(Arrival {
                at,
                key: 0,
                server,
                write: false,
            });
        }
        let at = bg?;
        let gap = self
            .rng
            .exp_nanos(NS_PER_S as f64 / self.p.rate_per_s as f64);
        self.next_bg = Some(at + gap);
        let server = self.rng.below(servers) as u16;
        let write = !self.rng.chance(self.p.read_share);
        let key = if !write && self.rng.chance(self.p.missing_share) {
            self.p.key_count + self.rng.below(self.p.missing_key_space as u64) as u32
        } else if self.rng.chance(self.p.hot_key_share) {
            0
        } else {
            self.keys.pick(&mut self.rng).unwrap_or(0)
        };
        Some(Arrival {
            at,
            key,
            server,
            write,
        })
    }

    /// Fills `out` with what to draw; flows from the last `span_ns` of virtual time.
    pub fn fill_snapshot(&self, span_ns: Nanos, out: &mut CacheSnapshot) {
        out.now = self.now;
        let since = self.now.saturating_sub(span_ns);
        out.lanes.clear();
        for l in &self.lanes {
            let flows: Vec<Flow> = l
                .flows
                .iter()
                .rev()
                .take_while(|f| f.end >= since)
                .copied()
                .collect();
            out.lanes.push(LaneView {
                kind: l.stats.kind,
                dense: flows.len() == FLOW_CAPACITY,
                flows,
                nodes: l.place.nodes.clone(),
                node_keys: l
                    .place
                    .nodes
                    .iter()
                    .map(|&n| l.nodes[n as usize].len() as u64)
                    .collect(),
                node_capacity: l.p.node_memory_keys as u64,
                db_qps: l.recent_db_qps(),
                db_capacity_qps: l.p.db_capacity_qps as u64,
                l1: l.p.l1_keys > 0,
                bloom: l.p.bloom_filter,
                no_cache: l.p.strategy == Strategy::NoCache,
                app_servers: l.p.app_servers,
            });
        }
        if out.ring.generation != self.ring_view.generation {
            out.ring.clone_from(&self.ring_view);
        }
    }

    /// The next thing to happen: (time, lane index or None for an arrival or a cluster event).
    fn next_item(&self) -> Option<(Nanos, Option<usize>)> {
        let mut best: Option<(Nanos, Option<usize>)> = None;
        for (i, l) in self.lanes.iter().enumerate() {
            if let Some(t) = l.events.peek_time() {
                if best.is_none_or(|(b, _)| t < b) {
                    best = Some((t, Some(i)));
                }
            }
        }
        let outside = self
            .scheduled
            .first()
            .map(|s| s.0)
            .into_iter()
            .chain(self.pending.map(|a| a.at))
            .min();
        if let Some(t) = outside {
            if best.is_none_or(|(b, _)| t < b) {
                best = Some((t, None));
            }
        }
        best
    }
}

impl Model for CacheLab {
    type Params = CacheParams;

    fn new(p: CacheParams, seed: u64) -> Result<Self, ParamError> {
        p.validate()?;
        let nodes: Vec<u32> = (0..p.nodes).collect();
        let lanes = lanes(&p)
            .into_iter()
            .map(|(kind, q)| Lane::new(kind, q, seed, &nodes))
            .collect();
        let mut scheduled = Vec::new();
        if p.ring_change != RingChange::None && p.ring_change_at_ms > 0 {
            scheduled.push((p.ring_change_at_ms as u64 * NS_PER_MS, false));
        }
        if p.crash_at_ms > 0 {
            scheduled.push((p.crash_at_ms as u64 * NS_PER_MS, true));
        }
        scheduled.sort_unstable();
        let mut rng = SimRng::derive(seed, 1);
        let next_bg =
            (p.rate_per_s > 0).then(|| rng.exp_nanos(NS_PER_S as f64 / p.rate_per_s as f64));
        let mut lab = Self {
            keys: KeyPicker::new(KeyChoice::Zipf, p.key_count, p.zipf_exponent),
            seed,
            now: 0,
            lanes,
            rng,
            next_bg,
            burst: VecDeque::new(),
            next_burst_at: p.burst_every_ms as u64 * NS_PER_MS,
            pending: None,
            next_node: p.nodes,
            nodes,
            scheduled,
            last_change: None,
            prev_owner: Vec::new(),
            ring_view: RingView::default(),
            arrivals: 0,
            p,
        };
        lab.prev_owner = lab.sample_owners(&lab.nodes.clone());
        lab.build_ring_view();
        lab.pending = lab.draw_arrival();
        Ok(lab)
    }

    fn now(&self) -> Nanos {
        self.now
    }

    fn advance_to(&mut self, until: Nanos, max_events: u64) -> Advance {
        let max_events = max_events.max(1);
        let mut done = 0;
        while let Some((t, who)) = self.next_item() {
            if t > until {
                break;
            }
            if done == max_events {
                return Advance::BudgetExhausted;
            }
            done += 1;
            self.now = t;
            match who {
                Some(i) => {
                    let lane = &mut self.lanes[i];
                    let (t, ev) = lane.events.pop_due(t).expect("peeked event is due");
                    lane.tick(t);
                    lane.handle(ev);
                }
                None if self.scheduled.first().is_some_and(|s| s.0 == t) => {
                    let (_, crash) = self.scheduled.remove(0);
                    if crash {
                        let node = self.nodes[0];
                        for l in &mut self.lanes {
                            l.tick(t);
                        }
                        self.crash_node(node);
                    } else {
                        match self.p.ring_change {
                            RingChange::AddNode => {
                                self.add_node();
                            }
                            RingChange::RemoveNode => {
                                self.remove_node();
                            }
                            RingChange::None => {}
                        }
                    }
                }
                None => {
                    let a = self.pending.take().expect("an arrival is pending");
                    self.arrivals += 1;
                    for l in &mut self.lanes {
                        l.tick(a.at);
                        if a.write {
                            l.on_write(a.key, a.server);
                        } else {
                            l.on_read(a.key, a.server);
                        }
                    }
                    self.pending = self.draw_arrival();
                }
            }
        }
        self.now = self.now.max(until);
        for l in &mut self.lanes {
            l.tick(self.now);
        }
        Advance::Reached
    }

    fn digest(&self) -> u64 {
        let mut d = Digest::default();
        d.u64(self.now).u64(self.arrivals);
        for l in &self.lanes {
            let s = &l.stats;
            for x in [
                s.reads,
                s.writes,
                s.hits_l1,
                s.hits_cache,
                s.filtered,
                s.miss_served,
                s.read_errors,
                s.writes_acked,
                s.write_errors,
                s.db_queries,
                s.db_timeouts,
                s.peak_db_qps,
                s.overload_ns,
                s.stale_reads,
                s.max_staleness_ns,
                s.lost_writes,
                s.flushed_writes,
                s.max_loads_per_fill,
                s.keys_moved,
                s.read_latency.percentiles().p99_ns,
                s.write_latency.percentiles().p50_ns,
            ] {
                d.u64(x);
            }
        }
        d.finish()
    }
}
