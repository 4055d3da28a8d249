//! One-click scenarios of the cache lab, each showing one effect (asserted in
//! `sim/tests/cache_presets.rs`). Each runs variants side by side on the same requests.

use super::params::{CacheParams, Compare, MissGuard, RingChange, Strategy};

/// This lab's presets.
pub type Preset = crate::kernel::preset::Preset<CacheParams>;

pub fn all() -> Vec<Preset> {
    vec![
        hot_key_expiry(),
        avalanche(),
        penetration(),
        cache_aside_race(),
        write_behind_crash(),
        group_profile(),
        consistent_hashing(),
    ]
}

pub fn by_id(id: &str) -> Option<Preset> {
    crate::kernel::preset::find(all(), id)
}

/// Half the reads go to one hot key. When it expires, every reader that misses queries the
/// database (a stampede); single-flight sends one query per app server, a lock in the cache one in
/// all, and logical expiry one while the others keep reading the old value.
pub fn hot_key_expiry() -> Preset {
    Preset {
        id: "hot_key_expiry",
        seed: 21,
        headline: "guard.none.hot_key_max_loads",
        params: CacheParams {
            compare: Compare::Breakdown,
            rate_per_s: 4_000,
            read_share: 1.0,
            key_count: 1_000,
            hot_key_share: 0.5,
            db_read_us: 20_000,
            db_capacity_qps: 3_000,
            ttl_ms: 2_000,
            ttl_jitter: 0.3,
            warm_start: true,
            ..CacheParams::default()
        },
    }
}

/// The cache starts full and every value has the same TTL: at 5 s they all expire at once and the
/// database is flooded. With TTL jitter (each TTL stretched by up to 100%) the expiries spread over
/// 5 s and the database stays under its capacity, on any seed; an L1 cache absorbs the hot keys.
pub fn avalanche() -> Preset {
    Preset {
        id: "avalanche",
        seed: 22,
        headline: "no_jitter.peak_db_qps",
        params: CacheParams {
            compare: Compare::Avalanche,
            rate_per_s: 5_000,
            read_share: 1.0,
            key_count: 5_000,
            zipf_exponent: 0.8,
            db_capacity_qps: 1_500,
            node_memory_keys: 5_000,
            ttl_ms: 5_000,
            ttl_jitter: 1.0,
            warm_start: true,
            l1_keys: 2_000,
            l1_ttl_ms: 1_000,
            ..CacheParams::default()
        },
    }
}

/// Half the reads ask for keys that do not exist: each one misses the cache and queries the
/// database. Caching "not found" spares it while the missing keys repeat; a Bloom filter refuses
/// them before the cache, letting through only its false positives.
pub fn penetration() -> Preset {
    Preset {
        id: "penetration",
        seed: 23,
        headline: "unprotected.db_queries",
        params: CacheParams {
            compare: Compare::Penetration,
            rate_per_s: 3_000,
            read_share: 1.0,
            missing_share: 0.5,
            missing_key_space: 2_000,
            null_ttl_ms: 5_000,
            ttl_ms: 10_000,
            db_capacity_qps: 1_000,
            node_memory_keys: 2_000,
            bloom_filter: true,
            cache_null: true,
            ..CacheParams::default()
        },
    }
}

/// Reads and writes race on 50 keys, each written a few times a second. "Delete, then update the
/// database" lets a reader put the old value back before the update lands, so stale reads pile up
/// until the next write or the TTL (about 4 reads in 10); "update, then delete" goes wrong only
/// when a read that missed straddles a write (1 to 4 reads in 100); the delayed second delete
/// cleans up after the first, so a stale value lives about as long as its delay.
pub fn cache_aside_race() -> Preset {
    Preset {
        id: "cache_aside_race",
        seed: 24,
        headline: "strategy.delete_then_update.stale_reads",
        params: CacheParams {
            compare: Compare::Consistency,
            rate_per_s: 3_000,
            read_share: 0.95,
            key_count: 50,
            zipf_exponent: 0.5,
            db_capacity_qps: 10_000,
            ttl_ms: 10_000,
            nodes: 2,
            double_delete_delay_ms: 50,
            invalidation_lag_ms: 50,
            ..CacheParams::default()
        },
    }
}

/// Write-behind answers a write as soon as the cache has it, and writes the database once a second;
/// the cache node crashes at 5.5 s and the writes it had not flushed are lost. Write-through is
/// slower per write and loses nothing.
pub fn write_behind_crash() -> Preset {
    Preset {
        id: "write_behind_crash",
        seed: 25,
        headline: "strategy.write_behind.lost_writes",
        params: CacheParams {
            compare: Compare::Writes,
            strategy: Strategy::WriteBehind,
            rate_per_s: 2_000,
            read_share: 0.5,
            key_count: 1_000,
            nodes: 1,
            db_capacity_qps: 5_000,
            flush_interval_ms: 1_000,
            crash_at_ms: 5_500,
            ..CacheParams::default()
        },
    }
}

/// 1,000 members open the same group's profile within 20 ms, every 2 s. With no cache each one is a
/// database query; a cache (warm, with single-flight on a miss) cuts that to a handful, coalescing
/// identical queries or batching them to a few dozen, and a local cache in each app server to none
/// until its copies expire (then a few hundred). Each cuts the total more than fivefold on any seed.
/// The profile is written about once a second: the local cache, which writes do not reach, serves
/// it stale.
pub fn group_profile() -> Preset {
    Preset {
        id: "group_profile",
        seed: 26,
        headline: "no_cache.db_queries",
        params: CacheParams {
            compare: Compare::GroupQuery,
            rate_per_s: 20,
            read_share: 0.9,
            key_count: 100,
            hot_key_share: 0.5,
            burst_size: 1_000,
            burst_every_ms: 2_000,
            burst_width_ms: 20,
            app_servers: 8,
            db_read_us: 10_000,
            db_capacity_qps: 2_000,
            ttl_ms: 60_000,
            warm_start: true,
            miss_guard: MissGuard::SingleFlight,
            l1_keys: 100,
            l1_ttl_ms: 5_000,
            coalesce: true,
            batch_window_ms: 5,
            ..CacheParams::default()
        },
    }
}

/// A fifth node joins four at 5 s. On the ring about 1/5 of the keys change node (and miss once);
/// with hash mod N about 4/5 do, and the database sees the difference.
pub fn consistent_hashing() -> Preset {
    Preset {
        id: "consistent_hashing",
        seed: 27,
        headline: "hashing.ring.keys_moved",
        params: CacheParams {
            compare: Compare::Hashing,
            rate_per_s: 5_000,
            read_share: 1.0,
            key_count: 20_000,
            zipf_exponent: 0.6,
            node_memory_keys: 10_000,
            db_capacity_qps: 3_000,
            ttl_ms: 60_000,
            warm_start: true,
            virtual_nodes: 200,
            ring_change: RingChange::AddNode,
            ring_change_at_ms: 5_000,
            ..CacheParams::default()
        },
    }
}
