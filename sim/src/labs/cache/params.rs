use crate::kernel::traffic::MAX_DURATION_MS;

/// Most keys in the database. Every lane keeps a few words per key (versions, commit times), and
/// up to seven lanes run at once: 50,000 keys use about 40 MB.
pub const MAX_KEYS: u32 = 50_000;
/// Most cache nodes at once (nodes added with "add node" count).
pub const MAX_NODES: u32 = 32;
/// Most app servers.
pub const MAX_APP_SERVERS: u32 = 64;

crate::choices! {
    /// How writes keep the cache and the database together.
    pub enum Strategy in "cache.strategy" {
        /// No cache: every read queries the database.
        NoCache = "no_cache",
        /// Cache-aside: update the database, then delete the cached value.
        #[default]
        UpdateThenDelete = "update_then_delete",
        /// Cache-aside: delete the cached value, then update the database.
        DeleteThenUpdate = "delete_then_update",
        /// Cache-aside: update the database, then write the new value into the cache.
        UpdateThenSet = "update_then_set",
        /// Delete, update the database, and delete again after `double_delete_delay_ms`.
        DoubleDelete = "double_delete",
        /// Reads load through the cache (the cache node queries the database on a miss, one load
        /// per key at a time); writes update the database, then delete.
        ReadThrough = "read_through",
        /// Writes go to the cache, which writes the database and installs the value before
        /// answering.
        WriteThrough = "write_through",
        /// Writes go to the cache and are answered at once; dirty values reach the database every
        /// `flush_interval_ms`. A crash loses what was not flushed.
        WriteBehind = "write_behind",
        /// Update the database and answer; an invalidation travels through a queue (a binlog
        /// consumer, an MQ) and deletes the cached value after `invalidation_lag_ms` on average.
        AsyncInvalidation = "async_invalidation",
    }
}

impl Strategy {
    /// The cache node loads missing values itself (and installs them only if no newer write
    /// reached it meanwhile).
    pub fn loads_through(self) -> bool {
        matches!(
            self,
            Strategy::ReadThrough | Strategy::WriteThrough | Strategy::WriteBehind
        )
    }
}

crate::choices! {
    /// What protects the database when a cached value is missing (cache breakdown, 缓存击穿).
    pub enum MissGuard in "cache.miss_guard" {
        /// Every miss queries the database.
        #[default]
        None = "none",
        /// Concurrent misses of one key on one app server share one database load (in-process).
        SingleFlight = "single_flight",
        /// A lock in the cache (SET NX): one load per key in the whole cluster; the others wait
        /// `lock_wait_ms` and look again.
        Mutex = "mutex",
        /// Values carry a logical expiry and stay cached: past it, readers get the old value
        /// while one refresh runs.
        LogicalExpiry = "logical_expiry",
    }
}

crate::choices! {
    /// How keys are spread over the cache nodes.
    pub enum Hashing in "cache.hashing" {
        /// Consistent hashing: a ring with `virtual_nodes` points per node.
        #[default]
        Ring = "ring",
        /// hash(key) mod N.
        ModN = "mod_n",
    }
}

crate::choices! {
    /// A change of the cache cluster scheduled in the params.
    pub enum RingChange in "cache.ring_change" {
        #[default]
        None = "none",
        AddNode = "add_node",
        RemoveNode = "remove_node",
    }
}

crate::choices! {
    /// Which variants run side by side, on the same requests (see [`super::lanes`]).
    pub enum Compare in "cache.compare" {
        /// One lane: the params as set.
        #[default]
        Off = "off",
        /// No guard, single-flight, a mutex, logical expiry.
        Breakdown = "breakdown",
        /// No jitter, TTL jitter, an L1 cache.
        Avalanche = "avalanche",
        /// No protection, caching empty results, a Bloom filter.
        Penetration = "penetration",
        /// The cache-aside variants, asynchronous invalidation and write-through.
        Consistency = "consistency",
        /// Write-through against write-behind.
        Writes = "writes",
        /// The group-profile scenario: no cache, a cache, coalescing, batching, an L1 cache.
        GroupQuery = "group_query",
        /// hash mod N against a consistent-hash ring.
        Hashing = "hashing",
    }
}

crate::knobs! {
    /// The cache lab: clients, app servers (with an optional L1 cache), a cache cluster and a
    /// database, with an update strategy and protections.
    pub struct CacheParams in "cache" {
        /// Variants run side by side on the same requests.
        @compare
        compare: Compare = Compare::Off => choice;
        /// Client requests per second (Poisson), besides the bursts.
        @clients
        rate_per_s: u32 = 2_000 => range(0, 200_000);
        /// Share of the requests that are reads (the rest are writes).
        read_share: f64 = 0.95 => range(0.0, 1.0).step(0.01);
        /// Keys in the database.
        key_count: u32 = 2_000 => range(1, MAX_KEYS);
        /// Zipf exponent of key popularity (0 = uniform; key 0 is the most popular).
        zipf_exponent: f64 = 1.0 => range(0.0, 3.0).step(0.1);
        /// Share of the requests that go to the hot key (key 0), on top of the Zipf choice.
        hot_key_share: f64 = 0.0 => range(0.0, 1.0).step(0.01);
        /// Share of the reads for keys that do not exist in the database (penetration).
        missing_share: f64 = 0.0 => range(0.0, 1.0).step(0.01);
        /// How many different missing keys those reads use (few: they repeat; many: they do not).
        missing_key_space: u32 = 1_000 => range(1, 1_000_000_000).adv();
        /// Reads of the hot key that arrive together every `burst_every_ms` (0 = no bursts).
        burst_size: u32 = 0 => range(0, 20_000);
        /// Time between bursts, milliseconds.
        burst_every_ms: u32 = 2_000 => range(10, MAX_DURATION_MS);
        /// Time over which one burst is spread, milliseconds.
        burst_width_ms: u32 = 20 => range(0, MAX_DURATION_MS).le(burst_every_ms).adv();
        /// App servers the clients are spread over (each has its own L1 cache, single-flight and
        /// batching).
        app_servers: u32 = 4 => range(1, MAX_APP_SERVERS);
        /// Mean time of a database read, microseconds (half fixed, half exponential).
        @database
        db_read_us: u32 = 5_000 => range(1, 10_000_000);
        /// Mean time of a database write, microseconds.
        db_write_us: u32 = 10_000 => range(1, 10_000_000);
        /// Queries per second the database can run; past it, queries queue.
        db_capacity_qps: u32 = 1_000 => range(1, 10_000_000);
        /// A query that would wait longer than this in the database's queue fails, milliseconds.
        db_timeout_ms: u32 = 500 => range(1, 60_000);
        /// How writes keep the cache and the database together.
        @cache
        strategy: Strategy = Strategy::UpdateThenDelete => choice;
        /// Cache nodes at the start.
        nodes: u32 = 4 => range(1, MAX_NODES - 1);
        /// Values one cache node can hold (its memory limit); past it, the least recently used go.
        node_memory_keys: u32 = 1_000 => range(1, 1_000_000);
        /// Mean round trip of a cache operation, microseconds.
        cache_op_us: u32 = 500 => range(1, 1_000_000).adv();
        /// Time to live of a cached value, milliseconds.
        ttl_ms: u32 = 5_000 => range(1, MAX_DURATION_MS);
        /// Each TTL is stretched by a random share of up to this much (0.5: TTL to 1.5 × TTL).
        ttl_jitter: f64 = 0.0 => range(0.0, 1.0).step(0.01);
        /// The cache starts full (every key loaded at time 0, hottest first), as after a warm-up.
        warm_start: bool = false => switch;
        /// Values each app server's local (L1) cache holds (0 = no L1).
        l1_keys: u32 = 0 => range(0, 100_000);
        /// Time to live in the L1 cache, milliseconds (L1 is not invalidated by writes).
        l1_ttl_ms: u32 = 1_000 => range(1, MAX_DURATION_MS);
        /// What protects the database on a miss.
        @protections
        miss_guard: MissGuard = MissGuard::None => choice;
        /// How long a reader that did not get the lock waits before looking again, milliseconds.
        lock_wait_ms: u32 = 10 => range(1, 10_000).adv();
        /// Cache "not found" answers (penetration).
        cache_null: bool = false => switch;
        /// Time to live of a cached "not found", milliseconds.
        null_ttl_ms: u32 = 2_000 => range(1, MAX_DURATION_MS).adv();
        /// A Bloom filter of the existing keys in front of the cache (penetration).
        bloom_filter: bool = false => switch;
        /// Bits of the Bloom filter per key (more bits: fewer false positives).
        bloom_bits_per_key: u32 = 8 => range(1, 64).adv();
        /// Identical reads on one app server while one is in flight wait for its answer.
        coalesce: bool = false => switch;
        /// Database reads of one app server are gathered for this long and sent as one batch
        /// query, milliseconds (0 = no batching).
        batch_window_ms: u32 = 0 => range(0, 10_000);
        /// Delay of the second delete of `double_delete`, milliseconds.
        @cache
        double_delete_delay_ms: u32 = 50 => range(0, 60_000);
        /// Mean delay of an invalidation through the queue, milliseconds.
        invalidation_lag_ms: u32 = 50 => range(0, 60_000);
        /// Write-behind flushes dirty values to the database this often, milliseconds.
        flush_interval_ms: u32 = 1_000 => range(1, MAX_DURATION_MS);
        /// How keys are spread over the nodes.
        @ring
        hashing: Hashing = Hashing::Ring => choice;
        /// Points per node on the ring.
        virtual_nodes: u32 = 100 => range(1, 1_000).adv();
        /// A node joins or leaves at `ring_change_at_ms`.
        ring_change: RingChange = RingChange::None => choice;
        /// When the scheduled ring change happens, milliseconds (0 = never).
        ring_change_at_ms: u32 = 0 => range(0, MAX_DURATION_MS);
        /// Cache node 0 crashes (loses everything it holds) at this time, milliseconds (0 = never).
        crash_at_ms: u32 = 0 => range(0, MAX_DURATION_MS);
        /// Width of one chart bar, milliseconds of virtual time.
        chart_bucket_ms: u32 = 100 => range(10, 600_000).adv();
    }
}
