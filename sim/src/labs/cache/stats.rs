//! The counters and chart series of one lane (what the results table, the charts and the command
//! line read).

use super::lane::SERIES_CAPACITY;
use super::params::MAX_NODES;
use super::LaneKind;
use crate::kernel::metrics::{Combine, LatencyHistogram, TimeSeries};
use crate::kernel::time::Nanos;

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
    pub(super) fn new(kind: LaneKind, bucket: Nanos) -> Self {
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
