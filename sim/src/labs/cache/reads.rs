//! The read path of a lane: the Bloom filter, L1, coalescing, the cache node, the protections on a
//! miss (single flight, the lock, logical expiry, a node's own load), batching, the database read,
//! the fill, and the end of a read (where staleness is checked).

use super::checks::End;
use super::lane::{Ev, Kind, Lane, LaneCx, Req, NO_FLIGHT};
use super::params::{MissGuard, Strategy};
use super::snapshot::{Flow, FlowKind};
use crate::kernel::time::{NS_PER_MS, NS_PER_US};

impl Lane {
    pub(super) fn on_read(&mut self, cx: &mut LaneCx, key: u32, server: u16) {
        self.stats.reads += 1;
        self.checks.opened();
        self.stats.reads_series.record(self.now, 1);
        let existing = self.existing(key);
        if let Some(admits) = self.guard.bloom_admits(key) {
            if !admits {
                self.stats.filtered += 1;
                self.checks.ended(End::Filtered);
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
        let mut req = Req::new(Kind::Read, key, server, self.now);
        if existing {
            req.must_see = self.checks.read_started(key);
        }
        let Some(r) = self.reqs.alloc(req) else {
            self.stats.read_errors += 1;
            self.checks.ended(End::ReadError);
            return;
        };
        if let Some((ver, null)) = self.l1.lookup(server, key, self.now) {
            self.finish(r, FlowKind::HitL1, ver, null);
            return;
        }
        if self.p.coalesce {
            if self.guard.coalesce(server, key, r) {
                return;
            }
            self.reqs[r].coal_leader = true;
        }
        if self.p.strategy == Strategy::NoCache {
            self.db_read(cx, r);
        } else {
            let at = self.now + self.cache_lat();
            self.schedule(cx, at, Ev::CacheGet(r));
        }
    }

    pub(super) fn on_cache_get(&mut self, cx: &mut LaneCx, r: u32) {
        let now = self.now;
        let Req {
            key, server, start, ..
        } = self.reqs[r];
        let node = self.cluster.owner(key);
        self.reqs[r].node = node as u16;
        self.stats.node_ops[node] += 1;
        match self.cluster.get(node, key) {
            Some(e) if e.expires_at > now => {
                if self.p.miss_guard == MissGuard::LogicalExpiry
                    && e.logical_at <= now
                    && !e.null
                    && !self.guard.refreshing(key)
                {
                    self.start_refresh(cx, key, server);
                }
                self.finish(r, FlowKind::HitCache, e.ver, e.null);
                return;
            }
            Some(_) => self.drop_entry(cx, node, key),
            None => {}
        }
        if self.p.strategy.loads_through() {
            if let Some(l) = self.guard.node_load(key) {
                self.guard.join_load(l, r);
            } else {
                self.guard.start_load(key, r);
                self.reqs[r].loader = true;
                self.db_read(cx, r);
            }
            return;
        }
        match self.p.miss_guard {
            MissGuard::None | MissGuard::LogicalExpiry => self.db_read(cx, r),
            MissGuard::SingleFlight => {
                if !self.guard.join_flight(server, key, r) {
                    self.reqs[r].loader = true;
                    self.db_read(cx, r);
                }
            }
            MissGuard::Mutex => {
                if !self.guard.locked(key, now) {
                    // SET lock NX PX: held until the load is surely over.
                    let ttl = self.p.db_timeout_ms as u64 * NS_PER_MS
                        + 10 * (self.p.db_read_us as u64 + self.p.cache_op_us as u64) * NS_PER_US;
                    self.guard.lock(key, now + ttl);
                    self.reqs[r].loader = true;
                    self.db_read(cx, r);
                } else if now - start > self.p.db_timeout_ms as u64 * NS_PER_MS {
                    self.finish(r, FlowKind::Error, 0, false);
                } else {
                    let at = now + self.p.lock_wait_ms as u64 * NS_PER_MS + self.cache_lat();
                    self.schedule(cx, at, Ev::CacheGet(r));
                }
            }
        }
    }

    /// Logical expiry: one request reloads the key while readers keep the old value.
    fn start_refresh(&mut self, cx: &mut LaneCx, key: u32, server: u16) {
        let mut req = Req::new(Kind::Refresh, key, server, self.now);
        req.db = true;
        if self.p.strategy.loads_through() && self.guard.node_load(key).is_some() {
            return; // the node is loading this key already
        }
        if let Some(r) = self.reqs.alloc(req) {
            self.guard.begin_refresh(key);
            if self.p.strategy.loads_through() {
                self.guard.start_load(key, r);
            }
            self.db_read(cx, r);
        }
    }

    /// Sends read `r` to the database (or into its server's batch).
    fn db_read(&mut self, cx: &mut LaneCx, r: u32) {
        let Req {
            key, server, kind, ..
        } = self.reqs[r];
        self.reqs[r].db = true;
        self.count_load(key);
        if self.p.batch_window_ms > 0 && kind == Kind::Read {
            if self.guard.add_to_batch(server, r) {
                let at = self.now + self.p.batch_window_ms as u64 * NS_PER_MS;
                self.schedule(cx, at, Ev::BatchFire(server));
            }
            return;
        }
        match self.db_admit(1.0, kind == Kind::Read) {
            Some(start) => self.schedule(cx, start, Ev::DbStart(r)),
            None => {
                let at = self.now + self.p.db_timeout_ms as u64 * NS_PER_MS;
                self.schedule(cx, at, Ev::DbFail(r));
            }
        }
    }

    /// Read `r` sees what the database holds now.
    fn see_db(&mut self, r: u32) {
        let found = self.db.read(self.reqs[r].key);
        let q = &mut self.reqs[r];
        q.found = found.is_some();
        q.ver = found.unwrap_or(0);
    }

    pub(super) fn on_db_start(&mut self, cx: &mut LaneCx, r: u32) {
        self.see_db(r);
        let at = self.now + self.lat(self.p.db_read_us);
        self.schedule(cx, at, Ev::DbReadDone(r));
    }

    pub(super) fn on_db_read_done(&mut self, cx: &mut LaneCx, r: u32) {
        let q = self.reqs[r];
        let null = !q.found;
        let store = !null || self.p.cache_null;
        match q.kind {
            Kind::Refresh if self.p.strategy.loads_through() => {
                let (waiters, superseded) = self.guard.end_load(q.key, r);
                if store && !superseded {
                    self.install_unless_newer(cx, q.key, q.ver, null);
                }
                for w in waiters {
                    self.finish(w, FlowKind::Miss, q.ver, null);
                }
                self.guard.end_refresh(q.key);
                self.reqs.release(r);
            }
            Kind::Refresh => {
                let at = self.now + self.cache_lat();
                self.schedule(
                    cx,
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
                self.reqs.release(r);
            }
            Kind::Read if self.p.strategy == Strategy::NoCache => {
                self.finish(r, FlowKind::Miss, q.ver, null);
            }
            Kind::Read if self.p.strategy.loads_through() => {
                // The node installs what it loaded, unless a newer write reached it meanwhile.
                let (waiters, superseded) = self.guard.end_load(q.key, r);
                if store && !superseded {
                    self.install_unless_newer(cx, q.key, q.ver, null);
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
                        cx,
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

    pub(super) fn on_db_fail(&mut self, r: u32) {
        let q = self.reqs[r];
        match q.kind {
            Kind::Read => {
                let mut also = Vec::new();
                if q.loader {
                    if self.p.strategy.loads_through() {
                        also = self.guard.end_load(q.key, r).0;
                    } else if self.p.miss_guard == MissGuard::SingleFlight {
                        also = self.guard.end_flight(q.server, q.key);
                    } else if self.p.miss_guard == MissGuard::Mutex {
                        self.guard.unlock(q.key);
                    }
                }
                self.finish(r, FlowKind::Error, 0, false);
                for w in also {
                    self.finish(w, FlowKind::Error, 0, false);
                }
            }
            Kind::Refresh => {
                self.guard.end_refresh(q.key);
                let waiters = if self.p.strategy.loads_through() {
                    self.guard.end_load(q.key, r).0
                } else {
                    Vec::new()
                };
                self.reqs.release(r);
                for w in waiters {
                    self.finish(w, FlowKind::Error, 0, false);
                }
            }
            Kind::Write => self.write_failed(r),
            Kind::Flush => self.reqs.release(r), // flushes do not time out
        }
    }

    /// A value loaded by the app reaches the cache: stored, the lock released, the refresh or the
    /// single flight over.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn on_fill(
        &mut self,
        cx: &mut LaneCx,
        key: u32,
        ver: u32,
        null: bool,
        store: bool,
        unlock: bool,
        refresh: bool,
        flight: u32,
    ) {
        if store {
            let e = self.new_entry(ver, null);
            self.insert_entry(cx, key, e);
        }
        if unlock {
            self.guard.unlock(key);
        }
        if refresh {
            self.guard.end_refresh(key);
        }
        if flight != NO_FLIGHT {
            let q = self.reqs[flight];
            let waiters = self.guard.end_flight(q.server, q.key);
            self.finish(flight, FlowKind::Miss, ver, null);
            for w in waiters {
                self.finish(w, FlowKind::Miss, ver, null);
            }
        }
    }

    /// Ends read `r` (and the reads coalesced behind it) with `kind`.
    pub(super) fn finish(&mut self, r: u32, kind: FlowKind, ver: u32, null: bool) {
        let q = self.reqs[r];
        let now = self.now;
        let mut stale = false;
        match kind {
            FlowKind::HitL1 => {
                self.stats.hits_l1 += 1;
                self.checks.ended(End::HitL1);
            }
            FlowKind::HitCache => {
                self.stats.hits_cache += 1;
                self.checks.ended(End::HitCache);
            }
            FlowKind::Miss => {
                self.stats.miss_served += 1;
                self.checks.ended(End::Miss);
            }
            _ => {
                self.stats.read_errors += 1;
                self.checks.ended(End::ReadError);
            }
        }
        if matches!(kind, FlowKind::HitL1 | FlowKind::HitCache) {
            self.stats.hits_series.record(now, 1);
        }
        if kind != FlowKind::Error {
            self.stats.read_latency.record(now - q.start);
            if !null && self.existing(q.key) {
                if let Some(behind) = self.checks.read_returned(q.key, q.must_see, ver, now) {
                    let (kind, server) = if kind == FlowKind::HitL1 {
                        (super::why::STALE_L1, q.server as i64)
                    } else {
                        (super::why::stale_kind(self.p.strategy), 0)
                    };
                    let args = [
                        q.key as i64,
                        now as i64,
                        ver as i64,
                        q.must_see as i64,
                        (now - behind) as i64,
                        server,
                    ];
                    let ents = [
                        super::why::key(q.key),
                        super::why::node(q.node as u32),
                        super::why::lane(self.quota.index() as u32),
                    ];
                    self.why.note(now, kind, &args, &ents);
                    self.stats.stale_reads += 1;
                    self.stats.stale_series.record(now, 1);
                    self.stats.max_staleness_ns = self.stats.max_staleness_ns.max(behind);
                    stale = true;
                }
            }
            if kind != FlowKind::HitL1 {
                self.l1.store(q.server, q.key, ver, null, now);
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
        self.reqs.release(r);
        if q.coal_leader {
            for w in self.guard.end_coalesced(q.server, q.key) {
                self.finish(w, kind, ver, null);
            }
        }
    }

    // --- batching ---

    pub(super) fn on_batch_fire(&mut self, cx: &mut LaneCx, server: u16) {
        let Some(b) = self.guard.close_batch(server) else {
            return;
        };
        let mut keys: Vec<u32> = self
            .guard
            .batch(b)
            .iter()
            .map(|&r| self.reqs[r].key)
            .collect();
        keys.sort_unstable();
        keys.dedup();
        // A batch of n keys costs one query plus a tenth of one per extra key.
        let cost = 1.0 + 0.1 * (keys.len().saturating_sub(1)) as f64;
        match self.db_admit(cost, true) {
            Some(start) => self.schedule(cx, start, Ev::BatchStart(b)),
            None => {
                for r in self.guard.end_batch(b) {
                    self.on_db_fail(r);
                }
            }
        }
    }

    pub(super) fn on_batch_start(&mut self, cx: &mut LaneCx, b: u32) {
        for i in 0..self.guard.batch(b).len() {
            let r = self.guard.batch(b)[i];
            self.see_db(r);
        }
        let at = self.now + self.lat(self.p.db_read_us);
        self.schedule(cx, at, Ev::BatchDone(b));
    }

    pub(super) fn on_batch_done(&mut self, cx: &mut LaneCx, b: u32) {
        for r in self.guard.end_batch(b) {
            self.on_db_read_done(cx, r);
        }
    }
}
