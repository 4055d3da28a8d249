//! The cache lab model: the clients' requests, fed to every lane; the cluster's membership, changed
//! by operator actions ([`Fault`]) or at scheduled times; what the lab reports.

use serde::{Deserialize, Serialize};
use crate::kernel::why::{Entry as WhyEntry, Kind as WhyKind, WhyLog};

use super::clients::Clients;
use super::lane::{Event, Lane, LaneCx, Scheduled, CHANGE_RANK};
use super::members::{Members, RingChangeInfo};
use super::params::{CacheParams, RingChange};
use super::snapshot::{self, CacheSnapshot, View};
use super::stats::LaneStats;
use super::{lanes, presets};
use crate::kernel::cost::{bytes, Cost};
use crate::kernel::digest::Digest;
use crate::kernel::lab::{Checker, Lab, Seeds, Verb};
use crate::kernel::preset::Preset;
use crate::kernel::report::{Metric, Report};
use crate::kernel::sim::Sim;
use crate::kernel::time::{Nanos, NS_PER_MS};

/// The report's group of the figures of the last ring change.
const RING_CHANGE: &str = "ring_change";

/// Operator actions on the cache cluster (the same in every lane).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// A new node joins (refused past the node limit).
    AddNode,
    /// The most recently added node leaves (refused if it is the last one).
    RemoveNode,
    /// A node crashes and restarts empty: what it held is gone, unflushed writes too (nothing
    /// happens if it is not in the cluster).
    CrashNode { node: u32 },
}

impl Verb for Fault {
    fn name(&self) -> &'static str {
        match self {
            Fault::AddNode => "add_node",
            Fault::RemoveNode => "remove_node",
            Fault::CrashNode { .. } => "crash_node",
        }
    }
}

/// The cache lab model: one or more lanes fed the same requests (run by [`Sim`]; [`CacheLab`] is
/// the run).
#[derive(Clone)]
pub struct Cache {
    p: CacheParams,
    lanes: Vec<Lane>,
    /// Every lane's "why" lines, gathered in time order at the end of every advance.
    why: WhyLog,
    why_scratch: Vec<WhyEntry>,
    clients: Clients,
    members: Members,
    arrivals: u64,
}

/// A run of the cache lab.
pub type CacheLab = Sim<Cache>;

impl Cache {
    pub fn params(&self) -> &CacheParams {
        &self.p
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
        self.lanes[lane].reqs.clients_in_flight()
    }

    /// Every request of a lane ended at most once, and those not ended are in flight.
    pub fn accounted(&self, lane: usize) -> bool {
        let l = &self.lanes[lane];
        l.checks.accounted(l.reqs.clients_in_flight() as u64)
    }

    /// Events that could not be scheduled because a bounded queue was full (should stay 0).
    pub fn dropped_events(&self) -> u64 {
        self.lanes.iter().map(|l| l.quota.dropped).sum()
    }

    /// Write-behind writes acknowledged and not yet sent to the database, in a lane.
    pub fn unflushed_writes(&self, lane: usize) -> u64 {
        self.lanes[lane].cluster.unflushed()
    }

    /// Write-behind writes sent to the database and not yet committed, in a lane.
    pub fn flushing_writes(&self, lane: usize) -> u64 {
        self.lanes[lane].writes.flushing
    }

    /// Write-behind writes acknowledged, in a lane.
    pub fn write_behind_acked(&self, lane: usize) -> u64 {
        self.lanes[lane].writes.wb_acked
    }

    /// Unflushed writes held by node `node` in a lane.
    pub fn unflushed_on(&self, lane: usize, node: u32) -> u64 {
        self.lanes[lane].cluster.unflushed_on(node)
    }

    /// Values held by the cache nodes of a lane (bounded by nodes × node_memory_keys).
    pub fn cached_values(&self, lane: usize) -> usize {
        self.lanes[lane].cluster.values()
    }

    /// Versions: (committed in the database, newest acknowledged) of `key` in a lane.
    pub fn versions(&self, lane: usize, key: u32) -> (u32, u32) {
        self.lanes[lane].checks.versions(key)
    }

    pub fn nodes(&self) -> &[u32] {
        self.members.nodes()
    }

    pub fn last_change(&self) -> Option<RingChangeInfo> {
        self.members.last_change()
    }

    /// A node joins the cluster (refused past the node limit).
    fn add_node(&mut self, cx: &mut LaneCx) -> bool {
        self.members.add(cx.now()).is_some_and(|_| {
            self.move_keys(cx);
            true
        })
    }

    /// The most recently added node leaves (refused if it is the last one).
    fn remove_node(&mut self, cx: &mut LaneCx) -> bool {
        self.members.remove(cx.now()).is_some_and(|_| {
            self.move_keys(cx);
            true
        })
    }

    /// Every lane places keys over the new membership.
    fn move_keys(&mut self, cx: &mut LaneCx) {
        let now = cx.now();
        let nodes = self.members.nodes().to_vec();
        for l in &mut self.lanes {
            l.tick(now.max(l.now));
            l.set_members(cx, &nodes);
        }
    }

    /// Cache node `node` crashes and restarts empty. Does nothing if `node` is not in the cluster.
    fn crash_node(&mut self, node: u32) {
        if !self.members.nodes().contains(&node) {
            return;
        }
        for l in &mut self.lanes {
            l.crash(node);
        }
    }
}

/// The cache lab's metrics: the requests and dropped events of the run, the shares of keys the
/// last ring change moves, then one set per lane.
pub mod metrics {
    crate::metrics! {
        in "cache.m";
        /// Requests sent by the clients (every lane gets each one).
        ARRIVALS = arrivals: count, key;
        /// Events that could not be scheduled because a lane's bounded queue was full (should
        /// stay 0).
        DROPPED_EVENTS = dropped_events: count, checker, key;
        /// Share of the existing keys the last ring change moves on the ring.
        RING_SHARE = ring_share: share;
        /// Share of the existing keys the same change moves with hash mod N.
        MOD_N_SHARE = mod_n_share: share;
        /// Reads sent (the lane gets every one).
        READS = reads: count;
        /// Writes sent.
        WRITES = writes: count;
        /// Reads answered by the app server's local cache.
        HITS_L1 = hits_l1: count;
        /// Reads answered by the cache cluster.
        HITS_CACHE = hits_cache: count;
        /// Reads the Bloom filter answered ("no such key") without the cache or the database.
        FILTERED = filtered: count;
        /// Reads answered from the database after a miss (or with no cache).
        MISS_SERVED = miss_served: count;
        /// Reads that failed (the database timed out, or the lane was full).
        READ_ERRORS = read_errors: count;
        /// Writes acknowledged.
        WRITES_ACKED = writes_acked: count;
        /// Writes that failed.
        WRITE_ERRORS = write_errors: count;
        /// Queries sent to the database (reads, writes, batches, refreshes, flushes).
        DB_QUERIES = db_queries: count;
        /// Queries that gave up waiting in the database's queue.
        DB_TIMEOUTS = db_timeouts: count;
        /// Most queries sent in one 100 ms slot, per second.
        PEAK_DB_QPS = peak_db_qps: count;
        /// Reads answered with a value older than a write acknowledged before they started.
        STALE_READS = stale_reads: count, checker;
        /// Acknowledged writes that never reached the database (write-behind crash).
        LOST_WRITES = lost_writes: count, checker;
        /// Reads of missing keys that the Bloom filter let through (false positives).
        BLOOM_FALSE_POSITIVES = bloom_false_positives: count;
        /// Most database loads of one key between two fills of it (a stampede's size).
        MAX_LOADS_PER_FILL = max_loads_per_fill: count;
        /// The same, for the hot key (key 0).
        HOT_KEY_MAX_LOADS = hot_key_max_loads: count;
        /// Existing keys whose node changed at the last ring change.
        KEYS_MOVED = keys_moved: count;
        /// Reads answered by L1 or the cache, over reads answered.
        HIT_RATIO = hit_ratio: share;
        /// Time in 100 ms slots where more queries were sent than the database can run.
        DB_OVERLOAD = db_overload_ms: ms;
        /// Longest time a stale read was behind: from the acknowledgement of the first newer
        /// write.
        MAX_STALENESS = max_staleness_ms: ms;
        /// Time from a read's arrival to its answer.
        READ_LATENCY = read_latency: latency;
        /// Time from a write's arrival to its acknowledgement (or failure).
        WRITE_LATENCY = write_latency: latency;
    }
}

impl Lab for Cache {
    const ID: &'static str = "cache";
    const ABOUT: &'static str =
        "cache lab: update strategies, penetration/breakdown/avalanche protections and consistent hashing, variants side by side on the same requests; runs --until-s virtual seconds";
    type Params = CacheParams;
    type Event = Event;
    type Fault = Fault;
    type Snapshot = CacheSnapshot;
    type View = View;

    fn build(p: &CacheParams, seeds: Seeds, cx: &mut LaneCx) -> Self {
        let members = Members::new(p);
        let lanes = lanes(p)
            .into_iter()
            .enumerate()
            .map(|(i, (kind, q))| Lane::new(i, kind, q, seeds, members.nodes(), cx))
            .collect();
        // Scheduled cluster changes go after every lane's events due at the same time (and before
        // the requests); a ring change before a crash at the same time.
        let mut scheduled = Vec::new();
        if p.ring_change != RingChange::None && p.ring_change_at_ms > 0 {
            scheduled.push((p.ring_change_at_ms as u64 * NS_PER_MS, false));
        }
        if p.crash_at_ms > 0 {
            scheduled.push((p.crash_at_ms as u64 * NS_PER_MS, true));
        }
        scheduled.sort_unstable();
        for (at, crash) in scheduled {
            cx.at_ranked(at, CHANGE_RANK, Event(Scheduled::Change { crash }))
                .expect("the queue has room for the scheduled changes");
        }
        Self {
            clients: Clients::new(p, seeds),
            p: p.clone(),
            lanes,
            members,
            arrivals: 0,
            why: WhyLog::new(super::why::KINDS),
            why_scratch: Vec::new(),
        }
    }

    fn params(&self) -> &CacheParams {
        &self.p
    }

    /// Every lane's bound, and the scheduled changes.
    /// Per lane (variants side by side): a few words per key (versions, acknowledgement times,
    /// loads, locks), the cache nodes' LRUs (every node full, or every existing and missing key
    /// cached once), the app servers' L1 caches, the Bloom filter, the requests in flight and the
    /// lane's share of the event queue. Work: every request takes a handful of events per lane.
    fn cost(p: &CacheParams) -> Cost {
        let mut cost = Cost::new();
        let mut work = 0u64;
        for (_, q) in lanes(p) {
            let keys = q.key_count as u64;
            let cachable = keys + if q.cache_null { q.missing_key_space as u64 } else { 0 };
            let nodes = (q.nodes as u64 + 1).min(super::params::MAX_NODES as u64);
            let lru = (nodes * q.node_memory_keys as u64).min(cachable);
            let l1 = q.app_servers as u64 * (q.l1_keys as u64).min(cachable);
            let events = super::lane::Quota::capacity_for(&q) as u64;
            cost = cost
                .part("per-key state", bytes(keys, 160), &["key_count"])
                .part("the cache nodes' memory", bytes(lru, 64), &["node_memory_keys", "nodes", "missing_key_space"])
                .part("the app servers' L1 caches", bytes(l1, 64), &["l1_keys", "app_servers"])
                .part("the Bloom filter", bytes(keys, q.bloom_bits_per_key as u64) / 8, &["bloom_bits_per_key"])
                .part("requests in flight and events", bytes(super::lane::MAX_IN_FLIGHT as u64, 96) + bytes(events, 48), &["key_count"])
                .part("flows, series and histograms", 2 << 20, &["compare"])
                .part("the why log", 3 * WhyLog::bytes(super::why::KINDS.len()), &["compare"]);
            let bursts = q.burst_size as u64 * 1_000 / q.burst_every_ms.max(1) as u64;
            work = work.saturating_add((q.rate_per_s as u64 + bursts).saturating_mul(8));
        }
        cost.work(work)
            .unit_ns(250)
    }

    fn queue_capacity(p: &CacheParams) -> usize {
        let lanes = lanes(p).len();
        lanes * super::lane::Quota::capacity_for(p) + 2
    }

    fn handle(&mut self, cx: &mut LaneCx, ev: Event) {
        let now = cx.now();
        match ev.0 {
            Scheduled::Lane(i, ev) => {
                let lane = &mut self.lanes[i as usize];
                lane.quota.taken();
                lane.tick(now);
                lane.handle(cx, ev);
            }
            Scheduled::Change { crash: true } => {
                let node = self.members.nodes()[0];
                for l in &mut self.lanes {
                    l.tick(now);
                }
                self.crash_node(node);
            }
            Scheduled::Change { crash: false } => match self.p.ring_change {
                RingChange::AddNode => {
                    self.add_node(cx);
                }
                RingChange::RemoveNode => {
                    self.remove_node(cx);
                }
                RingChange::None => {}
            },
        }
    }

    fn source_time(&self) -> Option<Nanos> {
        self.clients.next_at()
    }

    fn on_source(&mut self, cx: &mut LaneCx) {
        let a = self.clients.take().expect("a request is due");
        self.arrivals += 1;
        for l in &mut self.lanes {
            l.tick(a.at);
            if a.write {
                l.on_write(cx, a.key, a.server);
            } else {
                l.on_read(cx, a.key, a.server);
            }
        }
    }

    fn settle(&mut self, now: Nanos, reached: bool) {
        if reached {
            for l in &mut self.lanes {
                l.tick(now);
            }
        }
        let parts = self.lanes.iter_mut().map(|l| &mut l.why);
        self.why.gather(parts, &mut self.why_scratch);
    }

    fn why_kinds() -> &'static [WhyKind] {
        super::why::KINDS
    }

    fn why(&self) -> Option<&WhyLog> {
        Some(&self.why)
    }

    fn apply(&mut self, cx: &mut LaneCx, fault: Fault) {
        match fault {
            Fault::AddNode => {
                self.add_node(cx);
            }
            Fault::RemoveNode => {
                self.remove_node(cx);
            }
            Fault::CrashNode { node } => self.crash_node(node),
        }
    }

    fn snapshot(&self, now: Nanos, view: &View, out: &mut CacheSnapshot) {
        snapshot::fill(now, *view, &self.lanes, self.members.view(), out);
    }

    fn metrics() -> &'static [&'static Metric] {
        metrics::ALL
    }

    fn reported_later(&self) -> Vec<(&'static str, &'static Metric)> {
        // The ring change the params schedule (as `new` plans it): its figures come after it.
        if self.p.ring_change != RingChange::None && self.p.ring_change_at_ms > 0 {
            vec![
                (RING_CHANGE, &metrics::RING_SHARE),
                (RING_CHANGE, &metrics::MOD_N_SHARE),
            ]
        } else {
            Vec::new()
        }
    }

    fn report(&self, _now: Nanos, r: &mut Report) {
        use metrics::*;
        r.count(&ARRIVALS, self.arrivals);
        r.count(&DROPPED_EVENTS, self.dropped_events());
        if let Some(c) = self.last_change() {
            r.group(RING_CHANGE);
            r.real(&RING_SHARE, c.ring_share);
            r.real(&MOD_N_SHARE, c.mod_n_share);
            r.group("");
        }
        for l in &self.lanes {
            let s = &l.stats;
            r.lane(s.kind.id(), s.kind.text());
            for (m, v) in [
                (&READS, s.reads),
                (&WRITES, s.writes),
                (&HITS_L1, s.hits_l1),
                (&HITS_CACHE, s.hits_cache),
                (&FILTERED, s.filtered),
                (&MISS_SERVED, s.miss_served),
                (&READ_ERRORS, s.read_errors),
                (&WRITES_ACKED, s.writes_acked),
                (&WRITE_ERRORS, s.write_errors),
                (&DB_QUERIES, s.db_queries),
                (&DB_TIMEOUTS, s.db_timeouts),
                (&PEAK_DB_QPS, s.peak_db_qps),
                (&STALE_READS, s.stale_reads),
                (&LOST_WRITES, s.lost_writes),
                (&BLOOM_FALSE_POSITIVES, s.bloom_false_positives),
                (&MAX_LOADS_PER_FILL, s.max_loads_per_fill),
                (&HOT_KEY_MAX_LOADS, s.hot_key_max_loads),
                (&KEYS_MOVED, s.keys_moved),
            ] {
                r.count(m, v);
            }
            r.real(&HIT_RATIO, s.hit_ratio());
            r.ms(&DB_OVERLOAD, s.overload_ns);
            r.ms(&MAX_STALENESS, s.max_staleness_ns);
            r.latency(&READ_LATENCY, s.read_latency.percentiles());
            r.latency(&WRITE_LATENCY, s.write_latency.percentiles());
        }
        r.end_lane();
    }

    /// The digest the lab has always had (the browser test checks the same figure).
    fn digest(&self, now: Nanos, d: &mut Digest) {
        d.u64(now).u64(self.arrivals);
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
    }

    fn checkers() -> &'static [Checker] {
        &[Checker::Staleness, Checker::Accounting]
    }

    fn presets() -> Vec<Preset<CacheParams>> {
        presets::all()
    }
}

/// The operator's verbs and the picture, as the tests and the page call them.
impl Sim<Cache> {
    /// A node joins the cluster now (refused past the node limit).
    pub fn add_node(&mut self) -> bool {
        let before = self.nodes().len();
        self.apply(Fault::AddNode);
        self.nodes().len() > before
    }

    /// The most recently added node leaves now (refused if it is the last one).
    pub fn remove_node(&mut self) -> bool {
        let before = self.nodes().len();
        self.apply(Fault::RemoveNode);
        self.nodes().len() < before
    }

    /// Cache node `node` crashes now and restarts empty: what it held is gone, unflushed writes
    /// too. Does nothing if `node` is not in the cluster.
    pub fn crash_node(&mut self, node: u32) {
        self.apply(Fault::CrashNode { node });
    }

    /// Fills `out` with what to draw; flows from the last `span_ns` of virtual time.
    pub fn fill_snapshot(&self, span_ns: Nanos, out: &mut CacheSnapshot) {
        self.snapshot(&View { span_ns }, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::model::Model;
    use crate::kernel::time::secs;

    #[test]
    fn every_request_of_every_lane_ends_once_in_every_preset() {
        for p in presets::all() {
            let mut lab = CacheLab::new(p.params.clone(), p.seed).unwrap();
            for t in [1, 3] {
                lab.run_to(secs(t));
                for i in 0..lab.lane_count() {
                    assert!(lab.accounted(i), "{} lane {i} at {t} s", p.id);
                }
            }
        }
    }

    #[test]
    fn operator_actions_are_named_verbs() {
        let f = Fault::CrashNode { node: 2 };
        assert_eq!(f.name(), "crash_node");
        assert_eq!(Fault::AddNode.name(), "add_node");
        assert_eq!(Fault::RemoveNode.name(), "remove_node");
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(json, r#"{"crash_node":{"node":2}}"#);
        assert_eq!(serde_json::from_str::<Fault>(&json).unwrap(), f);
        assert_eq!(
            serde_json::from_str::<Fault>(r#""add_node""#).unwrap(),
            Fault::AddNode
        );
    }

    #[test]
    fn verbs_through_the_run_change_the_cluster_now() {
        let mut lab = CacheLab::new(CacheParams::default(), 1).unwrap();
        lab.run_to(secs(1));
        lab.apply(Fault::AddNode);
        assert_eq!(lab.nodes(), [0, 1, 2, 3, 4]);
        let c = lab.last_change().unwrap();
        assert!(c.added && c.node == 4 && c.at == secs(1));
        lab.apply(Fault::RemoveNode);
        assert_eq!(lab.nodes().len(), 4);
        lab.apply(Fault::CrashNode { node: 99 }); // not in the cluster: nothing happens
        lab.run_to(secs(2));
        assert!(lab.accounted(0));
        assert_eq!(lab.dropped_events(), 0);
    }

    #[test]
    fn the_report_has_every_lane_and_the_ring_change() {
        let p = presets::consistent_hashing();
        let mut lab = CacheLab::new(p.params, p.seed).unwrap();
        lab.run_to(secs(5));
        let r = lab.figures();
        assert_eq!(r.lanes.len(), 2);
        assert_eq!(r.lanes[0].id, "hashing.mod_n");
        assert_eq!(r.lanes[1].text, "cache.hashing.ring");
        assert!(r.number("ring_change.ring_share").is_some());
        assert_eq!(
            r.number("hashing.ring.keys_moved"),
            Some(lab.stats(1).keys_moved as f64)
        );
        assert!(r.get("hashing.ring.read_latency").is_some());
    }
}
