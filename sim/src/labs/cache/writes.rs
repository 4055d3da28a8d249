//! The write path of a lane and the update strategies: cache-aside (delete before or after the
//! database, set after it, delete twice), asynchronous invalidation, write-through and
//! write-behind (with its periodic flush), and the acknowledgement of a write (where the staleness
//! check learns the new version).

use super::checks::End;
use super::lane::{Ev, Kind, Lane, LaneCx, Req};
use super::params::{CacheParams, Strategy};
use super::snapshot::{Flow, FlowKind};
use crate::kernel::time::{Nanos, NS_PER_MS};

/// What the strategies keep besides the cache and the database.
#[derive(Clone)]
pub(super) struct Writes {
    /// Newest version issued per existing key (write-behind numbers versions in the cache).
    issued: Vec<u32>,
    /// A delete of the key is pending (at that time), and a later one is wanted (at that time).
    delete_at: Vec<Nanos>,
    delete_again: Vec<Nanos>,
    /// Write-behind writes being flushed (sent, not committed).
    pub flushing: u64,
    /// Write-behind writes acknowledged.
    pub wb_acked: u64,
    /// Write-behind: keys written since the last flush (each once).
    dirty_keys: Vec<u32>,
    dirty_listed: Vec<bool>,
}

impl Writes {
    pub fn new(p: &CacheParams) -> Self {
        let n = p.key_count as usize;
        Self {
            issued: vec![0; n],
            delete_at: vec![0; n],
            delete_again: vec![0; n],
            flushing: 0,
            wb_acked: 0,
            dirty_keys: Vec::new(),
            dirty_listed: if p.strategy == Strategy::WriteBehind {
                vec![false; n]
            } else {
                Vec::new()
            },
        }
    }
}

impl Lane {
    pub(super) fn on_write(&mut self, cx: &mut LaneCx, key: u32, server: u16) {
        self.stats.writes += 1;
        self.checks.opened();
        let mut req = Req::new(Kind::Write, key, server, self.now);
        req.found = true;
        req.writes = 1;
        let Some(r) = self.reqs.alloc(req) else {
            self.stats.write_errors += 1;
            self.checks.ended(End::WriteError);
            return;
        };
        match self.p.strategy {
            Strategy::DeleteThenUpdate
            | Strategy::DoubleDelete
            | Strategy::WriteThrough
            | Strategy::WriteBehind => {
                let at = self.now + self.cache_lat();
                self.schedule(cx, at, Ev::WriteCache(r));
            }
            _ => self.db_write(cx, r),
        }
    }

    /// Sends write (or flush) `r` to the database.
    fn db_write(&mut self, cx: &mut LaneCx, r: u32) {
        self.reqs[r].db = true;
        let timeout = self.reqs[r].kind == Kind::Write;
        match self.db_admit(1.0, timeout) {
            Some(start) => {
                let at = start + self.lat(self.p.db_write_us);
                self.schedule(cx, at, Ev::DbCommit(r));
            }
            None => {
                let at = self.now + self.p.db_timeout_ms as u64 * NS_PER_MS;
                self.schedule(cx, at, Ev::DbFail(r));
            }
        }
    }

    pub(super) fn on_write_cache(&mut self, cx: &mut LaneCx, r: u32) {
        let q = self.reqs[r];
        self.reqs[r].node = self.cluster.owner(q.key) as u16;
        match self.p.strategy {
            Strategy::DeleteThenUpdate | Strategy::DoubleDelete => {
                self.delete_entry(cx, q.key);
                self.db_write(cx, r);
            }
            Strategy::UpdateThenDelete | Strategy::ReadThrough => {
                self.delete_entry(cx, q.key);
                self.ack(r);
            }
            Strategy::UpdateThenSet => {
                let e = self.new_entry(q.ver, false);
                self.insert_entry(cx, q.key, e);
                self.ack(r);
            }
            Strategy::WriteThrough => self.db_write(cx, r),
            Strategy::WriteBehind => {
                let k = q.key as usize;
                let v = self.writes.issued[k] + 1;
                self.writes.issued[k] = v;
                let dirty = self.cluster.peek(q.key).map_or(0, |e| e.dirty);
                let mut e = self.new_entry(v, false);
                e.dirty = dirty + 1;
                if !self.writes.dirty_listed[k] {
                    self.writes.dirty_listed[k] = true;
                    self.writes.dirty_keys.push(q.key);
                }
                self.insert_entry(cx, q.key, e);
                self.guard.supersede_load(q.key);
                self.reqs[r].ver = v;
                self.writes.wb_acked += 1;
                self.ack(r);
            }
            Strategy::NoCache | Strategy::AsyncInvalidation => self.ack(r),
        }
    }

    pub(super) fn on_commit(&mut self, cx: &mut LaneCx, r: u32) {
        let q = self.reqs[r];
        let k = q.key as usize;
        if q.kind == Kind::Flush {
            let v = self.db.commit_at_least(q.key, q.ver);
            self.checks.committed(q.key, v);
            self.stats.flushed_writes += q.writes as u64;
            self.writes.flushing -= q.writes as u64;
            self.reqs.release(r);
            return;
        }
        let v = self.db.commit_next(q.key);
        self.checks.committed(q.key, v);
        self.writes.issued[k] = self.writes.issued[k].max(v);
        self.reqs[r].ver = v;
        let now = self.now;
        match self.p.strategy {
            Strategy::UpdateThenDelete | Strategy::ReadThrough | Strategy::UpdateThenSet => {
                let at = now + self.cache_lat();
                self.schedule(cx, at, Ev::WriteCache(r));
            }
            Strategy::DoubleDelete => {
                let at = now + self.p.double_delete_delay_ms as u64 * NS_PER_MS;
                self.request_delete(cx, q.key, at);
                self.ack(r);
            }
            Strategy::AsyncInvalidation => {
                let at = now
                    + self
                        .rng
                        .exp_nanos(self.p.invalidation_lag_ms.max(1) as f64 * NS_PER_MS as f64)
                        .min(60_000 * NS_PER_MS);
                self.request_delete(cx, q.key, at);
                self.ack(r);
            }
            Strategy::WriteThrough => {
                // The node installs the committed value before answering; a load of the key in
                // flight must not put an older value back.
                self.install_unless_newer(cx, q.key, v, false);
                self.guard.supersede_load(q.key);
                self.ack(r);
            }
            _ => self.ack(r),
        }
    }

    /// Deletes the key's cached value at `at` (one pending delete per key; a later request is
    /// remembered and done when the pending one fires).
    fn request_delete(&mut self, cx: &mut LaneCx, key: u32, at: Nanos) {
        let k = key as usize;
        if self.writes.delete_at[k] == 0 {
            self.writes.delete_at[k] = at.max(1);
            self.schedule(cx, at, Ev::Delete(key));
        } else {
            self.writes.delete_again[k] = self.writes.delete_again[k].max(at);
        }
    }

    pub(super) fn on_delete(&mut self, cx: &mut LaneCx, key: u32) {
        let k = key as usize;
        self.delete_entry(cx, key);
        self.writes.delete_at[k] = 0;
        let again = std::mem::take(&mut self.writes.delete_again[k]);
        if again > self.now {
            self.request_delete(cx, key, again);
        }
    }

    /// Acknowledges write `r` to its client.
    fn ack(&mut self, r: u32) {
        let q = self.reqs[r];
        let now = self.now;
        self.stats.writes_acked += 1;
        self.checks.ended(End::WriteAcked);
        self.stats.write_latency.record(now - q.start);
        self.checks.acked(q.key, q.ver, now);
        self.flow(Flow {
            start: q.start,
            end: now,
            kind: FlowKind::Write,
            server: q.server,
            node: q.node,
            db: q.db,
            stale: false,
        });
        self.reqs.release(r);
    }

    /// Write `r` gave up waiting for the database.
    pub(super) fn write_failed(&mut self, r: u32) {
        let q = self.reqs[r];
        self.stats.write_errors += 1;
        self.checks.ended(End::WriteError);
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
        self.reqs.release(r);
    }

    // --- write-behind ---

    /// Sends `writes` acknowledged writes of `key` (its version `ver`) to the database.
    pub(super) fn flush_key(&mut self, cx: &mut LaneCx, key: u32, ver: u32, writes: u32) {
        let mut req = Req::new(Kind::Flush, key, 0, self.now);
        req.ver = ver;
        req.found = true;
        req.writes = writes;
        req.db = true;
        match self.reqs.alloc(req) {
            Some(r) => {
                self.writes.flushing += writes as u64;
                self.db_write(cx, r);
            }
            // No room to send it: those writes are lost like a crash would lose them.
            None => self.stats.lost_writes += writes as u64,
        }
    }

    pub(super) fn on_flush(&mut self, cx: &mut LaneCx) {
        // Only the keys written since the last flush (O(dirty keys), not O(cached values)).
        for k in std::mem::take(&mut self.writes.dirty_keys) {
            self.writes.dirty_listed[k as usize] = false;
            let node = self.cluster.owner(k);
            let Some(e) = self.cluster.peek_mut(node, k) else {
                continue; // already written back (evicted, moved) or lost in a crash
            };
            if e.dirty > 0 {
                let (ver, writes) = (e.ver, e.dirty);
                e.dirty = 0;
                self.flush_key(cx, k, ver, writes);
            }
        }
        let at = self.now + self.p.flush_interval_ms as u64 * NS_PER_MS;
        self.schedule(cx, at, Ev::Flush);
    }
}
