use serde::{Deserialize, Serialize};

use crate::kernel::model::{check_range, ParamError, Validate};
use crate::kernel::traffic::MAX_DURATION_MS;

/// Most keys in the database. Every lane keeps a few words per key (versions, commit times), and
/// up to seven lanes run at once: 50,000 keys use about 40 MB.
pub const MAX_KEYS: u32 = 50_000;
/// Most cache nodes at once (nodes added with "add node" count).
pub const MAX_NODES: u32 = 32;
/// Most app servers.
pub const MAX_APP_SERVERS: u32 = 64;

/// How writes keep the cache and the database together.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// No cache: every read queries the database.
    NoCache,
    /// Cache-aside: update the database, then delete the cached value.
    #[default]
    UpdateThenDelete,
    /// Cache-aside: delete the cached value, then update the database.
    DeleteThenUpdate,
    /// Cache-aside: update the database, then write the new value into the cache.
    UpdateThenSet,
    /// Delete, update the database, and delete again after `double_delete_delay_ms`.
    DoubleDelete,
    /// Reads load through the cache (the cache node queries the database on a miss, one load per
    /// key at a time); writes update the database, then delete.
    ReadThrough,
    /// Writes go to the cache, which writes the database and installs the value before answering.
    WriteThrough,
    /// Writes go to the cache and are answered at once; dirty values reach the database every
    /// `flush_interval_ms`. A crash loses what was not flushed.
    WriteBehind,
    /// Update the database and answer; an invalidation travels through a queue (a binlog consumer,
    /// an MQ) and deletes the cached value after `invalidation_lag_ms` on average.
    AsyncInvalidation,
}

impl Strategy {
    pub const ALL: [Strategy; 9] = [
        Strategy::NoCache,
        Strategy::UpdateThenDelete,
        Strategy::DeleteThenUpdate,
        Strategy::UpdateThenSet,
        Strategy::DoubleDelete,
        Strategy::ReadThrough,
        Strategy::WriteThrough,
        Strategy::WriteBehind,
        Strategy::AsyncInvalidation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::NoCache => "no_cache",
            Strategy::UpdateThenDelete => "update_then_delete",
            Strategy::DeleteThenUpdate => "delete_then_update",
            Strategy::UpdateThenSet => "update_then_set",
            Strategy::DoubleDelete => "double_delete",
            Strategy::ReadThrough => "read_through",
            Strategy::WriteThrough => "write_through",
            Strategy::WriteBehind => "write_behind",
            Strategy::AsyncInvalidation => "async_invalidation",
        }
    }

    /// The cache node loads missing values itself (and installs them only if no newer write
    /// reached it meanwhile).
    pub fn loads_through(self) -> bool {
        matches!(
            self,
            Strategy::ReadThrough | Strategy::WriteThrough | Strategy::WriteBehind
        )
    }
}

/// What protects the database when a cached value is missing (cache breakdown, 缓存击穿).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissGuard {
    /// Every miss queries the database.
    #[default]
    None,
    /// Concurrent misses of one key on one app server share one database load (in-process).
    SingleFlight,
    /// A lock in the cache (SET NX): one load per key in the whole cluster; the others wait
    /// `lock_wait_ms` and look again.
    Mutex,
    /// Values carry a logical expiry and stay cached: past it, readers get the old value while one
    /// refresh runs.
    LogicalExpiry,
}

impl MissGuard {
    pub const ALL: [MissGuard; 4] = [
        MissGuard::None,
        MissGuard::SingleFlight,
        MissGuard::Mutex,
        MissGuard::LogicalExpiry,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MissGuard::None => "none",
            MissGuard::SingleFlight => "single_flight",
            MissGuard::Mutex => "mutex",
            MissGuard::LogicalExpiry => "logical_expiry",
        }
    }
}

/// How keys are spread over the cache nodes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Hashing {
    /// Consistent hashing: a ring with `virtual_nodes` points per node.
    #[default]
    Ring,
    /// hash(key) mod N.
    ModN,
}

/// A change of the cache cluster scheduled in the params.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RingChange {
    #[default]
    None,
    AddNode,
    RemoveNode,
}

/// Which variants run side by side, on the same requests (see [`super::lanes`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Compare {
    /// One lane: the params as set.
    #[default]
    Off,
    /// No guard, single-flight, a mutex, logical expiry.
    Breakdown,
    /// No jitter, TTL jitter, an L1 cache.
    Avalanche,
    /// No protection, caching empty results, a Bloom filter.
    Penetration,
    /// The cache-aside variants, asynchronous invalidation and write-through.
    Consistency,
    /// Write-through against write-behind.
    Writes,
    /// The group-profile scenario: no cache, a cache, coalescing, batching, an L1 cache.
    GroupQuery,
    /// hash mod N against a consistent-hash ring.
    Hashing,
}

impl Compare {
    pub const ALL: [Compare; 8] = [
        Compare::Off,
        Compare::Breakdown,
        Compare::Avalanche,
        Compare::Penetration,
        Compare::Consistency,
        Compare::Writes,
        Compare::GroupQuery,
        Compare::Hashing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Compare::Off => "off",
            Compare::Breakdown => "breakdown",
            Compare::Avalanche => "avalanche",
            Compare::Penetration => "penetration",
            Compare::Consistency => "consistency",
            Compare::Writes => "writes",
            Compare::GroupQuery => "group_query",
            Compare::Hashing => "hashing",
        }
    }
}

/// The cache lab: clients, app servers (with an optional L1 cache), a cache cluster and a
/// database, with an update strategy and protections.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CacheParams {
    /// Variants run side by side on the same requests.
    pub compare: Compare,
    /// Client requests per second (Poisson), besides the bursts.
    pub rate_per_s: u32,
    /// Share of the requests that are reads (the rest are writes).
    pub read_share: f64,
    /// Keys in the database.
    pub key_count: u32,
    /// Zipf exponent of key popularity (0 = uniform; key 0 is the most popular).
    pub zipf_exponent: f64,
    /// Share of the requests that go to the hot key (key 0), on top of the Zipf choice.
    pub hot_key_share: f64,
    /// Share of the reads for keys that do not exist in the database (penetration).
    pub missing_share: f64,
    /// How many different missing keys those reads use (few: they repeat; many: they do not).
    pub missing_key_space: u32,
    /// Reads of the hot key that arrive together every `burst_every_ms` (0 = no bursts).
    pub burst_size: u32,
    /// Time between bursts, milliseconds.
    pub burst_every_ms: u32,
    /// Time over which one burst is spread, milliseconds.
    pub burst_width_ms: u32,
    /// App servers the clients are spread over (each has its own L1 cache, single-flight and
    /// batching).
    pub app_servers: u32,
    /// Mean time of a database read, microseconds (half fixed, half exponential).
    pub db_read_us: u32,
    /// Mean time of a database write, microseconds.
    pub db_write_us: u32,
    /// Queries per second the database can run; past it, queries queue.
    pub db_capacity_qps: u32,
    /// A query that would wait longer than this in the database's queue fails, milliseconds.
    pub db_timeout_ms: u32,
    /// How writes keep the cache and the database together.
    pub strategy: Strategy,
    /// Cache nodes at the start.
    pub nodes: u32,
    /// Values one cache node can hold (its memory limit); past it, the least recently used go.
    pub node_memory_keys: u32,
    /// Mean round trip of a cache operation, microseconds.
    pub cache_op_us: u32,
    /// Time to live of a cached value, milliseconds.
    pub ttl_ms: u32,
    /// Each TTL is stretched by a random share of up to this much (0.5: TTL to 1.5 × TTL).
    pub ttl_jitter: f64,
    /// The cache starts full (every key loaded at time 0, hottest first), as after a warm-up.
    pub warm_start: bool,
    /// Values each app server's local (L1) cache holds (0 = no L1).
    pub l1_keys: u32,
    /// Time to live in the L1 cache, milliseconds (L1 is not invalidated by writes).
    pub l1_ttl_ms: u32,
    /// What protects the database on a miss.
    pub miss_guard: MissGuard,
    /// How long a reader that did not get the lock waits before looking again, milliseconds.
    pub lock_wait_ms: u32,
    /// Cache "not found" answers (penetration).
    pub cache_null: bool,
    /// Time to live of a cached "not found", milliseconds.
    pub null_ttl_ms: u32,
    /// A Bloom filter of the existing keys in front of the cache (penetration).
    pub bloom_filter: bool,
    /// Bits of the Bloom filter per key (more bits: fewer false positives).
    pub bloom_bits_per_key: u32,
    /// Identical reads on one app server while one is in flight wait for its answer.
    pub coalesce: bool,
    /// Database reads of one app server are gathered for this long and sent as one batch query,
    /// milliseconds (0 = no batching).
    pub batch_window_ms: u32,
    /// Delay of the second delete of `double_delete`, milliseconds.
    pub double_delete_delay_ms: u32,
    /// Mean delay of an invalidation through the queue, milliseconds.
    pub invalidation_lag_ms: u32,
    /// Write-behind flushes dirty values to the database this often, milliseconds.
    pub flush_interval_ms: u32,
    /// How keys are spread over the nodes.
    pub hashing: Hashing,
    /// Points per node on the ring.
    pub virtual_nodes: u32,
    /// A node joins or leaves at `ring_change_at_ms`.
    pub ring_change: RingChange,
    /// When the scheduled ring change happens, milliseconds (0 = never).
    pub ring_change_at_ms: u32,
    /// Cache node 0 crashes (loses everything it holds) at this time, milliseconds (0 = never).
    pub crash_at_ms: u32,
    /// Width of one chart bar, milliseconds of virtual time.
    pub chart_bucket_ms: u32,
}

impl Default for CacheParams {
    fn default() -> Self {
        Self {
            compare: Compare::Off,
            rate_per_s: 2_000,
            read_share: 0.95,
            key_count: 2_000,
            zipf_exponent: 1.0,
            hot_key_share: 0.0,
            missing_share: 0.0,
            missing_key_space: 1_000,
            burst_size: 0,
            burst_every_ms: 2_000,
            burst_width_ms: 20,
            app_servers: 4,
            db_read_us: 5_000,
            db_write_us: 10_000,
            db_capacity_qps: 1_000,
            db_timeout_ms: 500,
            strategy: Strategy::UpdateThenDelete,
            nodes: 4,
            node_memory_keys: 1_000,
            cache_op_us: 500,
            ttl_ms: 5_000,
            ttl_jitter: 0.0,
            warm_start: false,
            l1_keys: 0,
            l1_ttl_ms: 1_000,
            miss_guard: MissGuard::None,
            lock_wait_ms: 10,
            cache_null: false,
            null_ttl_ms: 2_000,
            bloom_filter: false,
            bloom_bits_per_key: 8,
            coalesce: false,
            batch_window_ms: 0,
            double_delete_delay_ms: 50,
            invalidation_lag_ms: 50,
            flush_interval_ms: 1_000,
            hashing: Hashing::Ring,
            virtual_nodes: 100,
            ring_change: RingChange::None,
            ring_change_at_ms: 0,
            crash_at_ms: 0,
            chart_bucket_ms: 100,
        }
    }
}

fn share(field: &str, p: f64) -> Result<(), ParamError> {
    if !p.is_finite() {
        return Err(ParamError::new(field, p, "0..=1"));
    }
    check_range(field, p, 0.0, 1.0)
}

impl Validate for CacheParams {
    fn validate(&self) -> Result<(), ParamError> {
        check_range("rate_per_s", self.rate_per_s, 0, 200_000)?;
        share("read_share", self.read_share)?;
        check_range("key_count", self.key_count, 1, MAX_KEYS)?;
        if !self.zipf_exponent.is_finite() {
            return Err(ParamError::new(
                "zipf_exponent",
                self.zipf_exponent,
                "0..=3",
            ));
        }
        check_range("zipf_exponent", self.zipf_exponent, 0.0, 3.0)?;
        share("hot_key_share", self.hot_key_share)?;
        share("missing_share", self.missing_share)?;
        check_range(
            "missing_key_space",
            self.missing_key_space,
            1,
            1_000_000_000,
        )?;
        check_range("burst_size", self.burst_size, 0, 20_000)?;
        check_range("burst_every_ms", self.burst_every_ms, 10, MAX_DURATION_MS)?;
        check_range(
            "burst_width_ms",
            self.burst_width_ms,
            0,
            self.burst_every_ms,
        )?;
        check_range("app_servers", self.app_servers, 1, MAX_APP_SERVERS)?;
        check_range("db_read_us", self.db_read_us, 1, 10_000_000)?;
        check_range("db_write_us", self.db_write_us, 1, 10_000_000)?;
        check_range("db_capacity_qps", self.db_capacity_qps, 1, 10_000_000)?;
        check_range("db_timeout_ms", self.db_timeout_ms, 1, 60_000)?;
        check_range("nodes", self.nodes, 1, MAX_NODES - 1)?;
        check_range("node_memory_keys", self.node_memory_keys, 1, 1_000_000)?;
        check_range("cache_op_us", self.cache_op_us, 1, 1_000_000)?;
        check_range("ttl_ms", self.ttl_ms, 1, MAX_DURATION_MS)?;
        share("ttl_jitter", self.ttl_jitter)?;
        check_range("l1_keys", self.l1_keys, 0, 100_000)?;
        check_range("l1_ttl_ms", self.l1_ttl_ms, 1, MAX_DURATION_MS)?;
        check_range("lock_wait_ms", self.lock_wait_ms, 1, 10_000)?;
        check_range("null_ttl_ms", self.null_ttl_ms, 1, MAX_DURATION_MS)?;
        check_range("bloom_bits_per_key", self.bloom_bits_per_key, 1, 64)?;
        check_range("batch_window_ms", self.batch_window_ms, 0, 10_000)?;
        check_range(
            "double_delete_delay_ms",
            self.double_delete_delay_ms,
            0,
            60_000,
        )?;
        check_range("invalidation_lag_ms", self.invalidation_lag_ms, 0, 60_000)?;
        check_range(
            "flush_interval_ms",
            self.flush_interval_ms,
            1,
            MAX_DURATION_MS,
        )?;
        check_range("virtual_nodes", self.virtual_nodes, 1, 1_000)?;
        check_range(
            "ring_change_at_ms",
            self.ring_change_at_ms,
            0,
            MAX_DURATION_MS,
        )?;
        check_range("crash_at_ms", self.crash_at_ms, 0, MAX_DURATION_MS)?;
        check_range("chart_bucket_ms", self.chart_bucket_ms, 10, 600_000)
    }
}
