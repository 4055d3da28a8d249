//! The database of one lane: the version committed per key (what a read sees), and a capacity:
//! queries queue behind each other, and one that would wait past the timeout fails. Its load is
//! judged over 100 ms slots (peak queries per second, time overloaded).

use super::params::CacheParams;
use super::stats::LaneStats;
use crate::kernel::time::{Nanos, NS_PER_MS, NS_PER_S};

/// The database's overload is judged over slots of this length.
pub(super) const SLOT_NS: Nanos = 100 * NS_PER_MS;

#[derive(Clone)]
pub(super) struct Database {
    capacity_qps: u32,
    timeout_ns: Nanos,
    /// Version committed, per existing key.
    ver: Vec<u32>,
    busy_until: Nanos,
    slot: u64,
    slot_count: u64,
    last_slot_count: u64,
}

impl Database {
    pub fn new(p: &CacheParams) -> Self {
        Self {
            capacity_qps: p.db_capacity_qps,
            timeout_ns: p.db_timeout_ms as u64 * NS_PER_MS,
            ver: vec![0; p.key_count as usize],
            busy_until: 0,
            slot: 0,
            slot_count: 0,
            last_slot_count: 0,
        }
    }

    /// The key exists in the database.
    pub fn has(&self, key: u32) -> bool {
        (key as usize) < self.ver.len()
    }

    /// What a read of `key` finds now: the committed version, or `None` if there is no such key.
    pub fn read(&self, key: u32) -> Option<u32> {
        self.ver.get(key as usize).copied()
    }

    /// Commits a new version of `key` (a write) and returns it.
    pub fn commit_next(&mut self, key: u32) -> u32 {
        let v = &mut self.ver[key as usize];
        *v += 1;
        *v
    }

    /// Commits version `ver` of `key` unless a newer one is there (a write-behind flush).
    pub fn commit_at_least(&mut self, key: u32, ver: u32) -> u32 {
        let v = &mut self.ver[key as usize];
        *v = (*v).max(ver);
        *v
    }

    /// Sends a query of `cost` units at `now`: when it starts running, or `None` if it would wait
    /// past the timeout (only queries that can time out).
    pub fn admit(
        &mut self,
        now: Nanos,
        cost: f64,
        can_time_out: bool,
        stats: &mut LaneStats,
    ) -> Option<Nanos> {
        stats.db_queries += 1;
        stats.db_series.record(now, 1);
        let slot = now / SLOT_NS;
        if slot != self.slot {
            self.close_slot(stats);
            self.slot = slot;
        }
        self.slot_count += 1;
        let wait = self.busy_until.saturating_sub(now);
        if can_time_out && wait > self.timeout_ns {
            stats.db_timeouts += 1;
            return None;
        }
        let start = now.max(self.busy_until);
        self.busy_until = start + (cost * NS_PER_S as f64 / self.capacity_qps as f64) as Nanos;
        Some(start)
    }

    fn close_slot(&mut self, stats: &mut LaneStats) {
        let n = self.slot_count;
        stats.peak_db_qps = stats.peak_db_qps.max(n * NS_PER_S / SLOT_NS);
        if n * NS_PER_S > self.capacity_qps as u64 * SLOT_NS {
            stats.overload_ns += SLOT_NS;
        }
        self.last_slot_count = n;
        self.slot_count = 0;
    }

    /// The clock reached `t`: closes the slots passed.
    pub fn tick(&mut self, t: Nanos, stats: &mut LaneStats) {
        let slot = t / SLOT_NS;
        if slot != self.slot {
            self.close_slot(stats);
            if slot > self.slot + 1 {
                self.last_slot_count = 0;
            }
            self.slot = slot;
        }
    }

    /// Queries per second sent in the last full slot, as of `now`.
    pub fn recent_qps(&self, now: Nanos) -> u64 {
        if now / SLOT_NS == self.slot {
            self.last_slot_count * NS_PER_S / SLOT_NS
        } else {
            0
        }
    }
}
