//! The cache lab: clients, app servers with an optional local (L1) cache, a cache cluster placed by
//! consistent hashing or mod N, and a database with a capacity; update strategies and protections.
//!
//! Staleness is measured, not scripted: every key has a version; a read that starts after a write
//! was acknowledged and returns an older version is a stale read. Cache and database operations take
//! random latencies, so the races of each strategy happen by themselves.
//!
//! Variants can run side by side on the same requests ([`Compare`], [`lanes`]), like the chat lab's
//! four schemes.

use crate::kernel::knobs::Choice;

pub mod bloom;
mod checks;
mod clients;
mod cluster;
mod db;
mod l1;
mod lane;
pub mod lru;
mod members;
mod model;
mod params;
pub mod presets;
mod protect;
mod reads;
pub mod ring;
mod snapshot;
mod stats;
mod writes;
mod why;

pub use lane::{Event, MAX_IN_FLIGHT};
pub use members::{RingChangeInfo, RingView};
pub use model::{metrics, Cache, CacheLab, Fault};
pub use params::{
    CacheParams, Compare, Hashing, MissGuard, RingChange, Strategy, MAX_APP_SERVERS, MAX_KEYS,
    MAX_NODES,
};
pub use snapshot::{CacheSnapshot, Flow, FlowKind, LaneView, View};
pub use stats::LaneStats;

/// What one lane of a comparison is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum LaneKind {
    /// The params as set (no comparison).
    AsSet,
    Guard(MissGuard),
    NoJitter,
    TtlJitter,
    L1,
    Unprotected,
    NullCache,
    Bloom,
    Strategy(Strategy),
    NoCache,
    Cache,
    Coalescing,
    Batching,
    Hashing(Hashing),
}

impl LaneKind {
    /// A stable snake_case id (`as_set`, `guard.mutex`, `strategy.write_behind`, `hashing.ring` ...).
    pub fn id(self) -> String {
        match self {
            LaneKind::AsSet => "as_set".into(),
            LaneKind::Guard(g) => format!("guard.{}", g.as_str()),
            LaneKind::NoJitter => "no_jitter".into(),
            LaneKind::TtlJitter => "ttl_jitter".into(),
            LaneKind::L1 => "l1".into(),
            LaneKind::Unprotected => "unprotected".into(),
            LaneKind::NullCache => "null_cache".into(),
            LaneKind::Bloom => "bloom".into(),
            LaneKind::Strategy(s) => format!("strategy.{}", s.as_str()),
            LaneKind::NoCache => "no_cache".into(),
            LaneKind::Cache => "cache".into(),
            LaneKind::Coalescing => "coalescing".into(),
            LaneKind::Batching => "batching".into(),
            LaneKind::Hashing(Hashing::Ring) => "hashing.ring".into(),
            LaneKind::Hashing(Hashing::ModN) => "hashing.mod_n".into(),
        }
    }

    /// Text id of the lane's name.
    pub fn text(self) -> &'static str {
        match self {
            LaneKind::AsSet => "cache.lane.as_set",
            LaneKind::Guard(g) => <MissGuard as Choice>::OPTIONS[g as usize].text,
            LaneKind::NoJitter => "cache.lane.no_jitter",
            LaneKind::TtlJitter => "cache.lane.ttl_jitter",
            LaneKind::L1 => "cache.lane.l1",
            LaneKind::Unprotected => "cache.lane.unprotected",
            LaneKind::NullCache => "cache.lane.null_cache",
            LaneKind::Bloom => "cache.lane.bloom",
            LaneKind::Strategy(s) => <Strategy as Choice>::OPTIONS[s as usize].text,
            LaneKind::NoCache => "cache.lane.no_cache",
            LaneKind::Cache => "cache.lane.cache",
            LaneKind::Coalescing => "cache.lane.coalescing",
            LaneKind::Batching => "cache.lane.batching",
            LaneKind::Hashing(h) => <Hashing as Choice>::OPTIONS[h as usize].text,
        }
    }
}

/// The lanes `p` runs: each a name and the params it runs with (`p` with one switch flipped).
pub fn lanes(p: &CacheParams) -> Vec<(LaneKind, CacheParams)> {
    let with = |f: &dyn Fn(&mut CacheParams)| {
        let mut q = p.clone();
        f(&mut q);
        q
    };
    match p.compare {
        Compare::Off => vec![(LaneKind::AsSet, p.clone())],
        Compare::Breakdown => MissGuard::ALL
            .iter()
            .map(|&g| (LaneKind::Guard(g), with(&|q| q.miss_guard = g)))
            .collect(),
        Compare::Avalanche => vec![
            (
                LaneKind::NoJitter,
                with(&|q| {
                    q.ttl_jitter = 0.0;
                    q.l1_keys = 0;
                }),
            ),
            (LaneKind::TtlJitter, with(&|q| q.l1_keys = 0)),
            (LaneKind::L1, with(&|q| q.ttl_jitter = 0.0)),
        ],
        Compare::Penetration => vec![
            (
                LaneKind::Unprotected,
                with(&|q| {
                    q.cache_null = false;
                    q.bloom_filter = false;
                }),
            ),
            (
                LaneKind::NullCache,
                with(&|q| {
                    q.cache_null = true;
                    q.bloom_filter = false;
                }),
            ),
            (
                LaneKind::Bloom,
                with(&|q| {
                    q.cache_null = false;
                    q.bloom_filter = true;
                }),
            ),
        ],
        Compare::Consistency => [
            Strategy::DeleteThenUpdate,
            Strategy::UpdateThenDelete,
            Strategy::DoubleDelete,
            Strategy::UpdateThenSet,
            Strategy::AsyncInvalidation,
            Strategy::WriteThrough,
        ]
        .iter()
        .map(|&s| (LaneKind::Strategy(s), with(&|q| q.strategy = s)))
        .collect(),
        Compare::Writes => [Strategy::WriteThrough, Strategy::WriteBehind]
            .iter()
            .map(|&s| (LaneKind::Strategy(s), with(&|q| q.strategy = s)))
            .collect(),
        Compare::GroupQuery => {
            let base = |q: &mut CacheParams| {
                q.strategy = Strategy::NoCache;
                q.coalesce = false;
                q.batch_window_ms = 0;
                q.l1_keys = 0;
            };
            let cache = if p.strategy == Strategy::NoCache {
                Strategy::UpdateThenDelete
            } else {
                p.strategy
            };
            vec![
                (LaneKind::NoCache, with(&|q| base(q))),
                (
                    LaneKind::Cache,
                    with(&|q| {
                        base(q);
                        q.strategy = cache;
                    }),
                ),
                (
                    LaneKind::Coalescing,
                    with(&|q| {
                        base(q);
                        q.coalesce = true;
                    }),
                ),
                (
                    LaneKind::Batching,
                    with(&|q| {
                        base(q);
                        q.batch_window_ms = p.batch_window_ms;
                    }),
                ),
                (
                    LaneKind::L1,
                    with(&|q| {
                        base(q);
                        q.l1_keys = p.l1_keys;
                    }),
                ),
            ]
        }
        Compare::Hashing => [Hashing::ModN, Hashing::Ring]
            .iter()
            .map(|&h| (LaneKind::Hashing(h), with(&|q| q.hashing = h)))
            .collect(),
    }
}
