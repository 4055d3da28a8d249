//! The queue lab's counts and chart series, and its metrics as the command line and the page
//! report them.

use crate::kernel::metrics::{Combine, LatencyHistogram, TimeSeries};
use crate::kernel::time::Nanos;

/// Chart history kept per series, in buckets.
pub(super) const SERIES_CAPACITY: usize = 1_200;

/// Counters of the checkers and of the traffic.
#[derive(Clone, Debug)]
pub struct QueueStats {
    /// `send()` calls.
    pub sent: u64,
    /// Sends whose callback reported success (with `acks=0`: every send that left).
    pub acked: u64,
    pub failed_visibly: u64,
    /// Lost silently, now (exact once the run is quiet; see `check::fate`).
    pub lost: u64,
    pub requests: u64,
    pub retries: u64,
    pub appended: u64,
    pub dup_written: u64,
    pub truncated: u64,
    pub elections: u64,
    pub unclean_elections: u64,
    pub rebalances: u64,
    pub delivered: u64,
    pub dup_delivered: u64,
    /// Messages processed for the first time.
    pub processed: u64,
    pub dup_processed: u64,
    /// Deliveries the dedup store skipped.
    pub deduped: u64,
    pub order_violations: u64,
    pub dead_lettered: u64,
    pub poison_attempts: u64,
    pub expired: u64,
    pub replayed: u64,
    /// Ids touched after they left the tracking window (their counts were not updated).
    pub untracked: u64,
    pub dropped_events: u64,
    /// `send()` to first processing.
    pub e2e_latency: LatencyHistogram,
    /// `send()` to the callback's success.
    pub send_latency: LatencyHistogram,
    pub sent_series: TimeSeries,
    pub processed_series: TimeSeries,
    pub requests_series: TimeSeries,
    pub p50_series: TimeSeries,
    pub p99_series: TimeSeries,
    pub lag_series: Vec<TimeSeries>,
    pub lost_series: TimeSeries,
    pub dup_series: TimeSeries,
    pub reorder_series: TimeSeries,
    pub failed_series: TimeSeries,
}

impl QueueStats {
    pub(super) fn new(bucket: Nanos, partitions: u32) -> Self {
        let s = |c| TimeSeries::new(bucket, SERIES_CAPACITY, c);
        Self {
            sent: 0,
            acked: 0,
            failed_visibly: 0,
            lost: 0,
            requests: 0,
            retries: 0,
            appended: 0,
            dup_written: 0,
            truncated: 0,
            elections: 0,
            unclean_elections: 0,
            rebalances: 0,
            delivered: 0,
            dup_delivered: 0,
            processed: 0,
            dup_processed: 0,
            deduped: 0,
            order_violations: 0,
            dead_lettered: 0,
            poison_attempts: 0,
            expired: 0,
            replayed: 0,
            untracked: 0,
            dropped_events: 0,
            e2e_latency: LatencyHistogram::new(),
            send_latency: LatencyHistogram::new(),
            sent_series: s(Combine::Sum),
            processed_series: s(Combine::Sum),
            requests_series: s(Combine::Sum),
            p50_series: s(Combine::Max),
            p99_series: s(Combine::Max),
            lag_series: (0..partitions).map(|_| s(Combine::Max)).collect(),
            lost_series: s(Combine::Max),
            dup_series: s(Combine::Max),
            reorder_series: s(Combine::Max),
            failed_series: s(Combine::Max),
        }
    }

    /// A lag series for a new partition.
    pub(super) fn add_partition(&mut self, bucket: Nanos) {
        self.lag_series
            .push(TimeSeries::new(bucket, SERIES_CAPACITY, Combine::Max));
    }
}

/// The queue lab's metrics: the traffic and checkers as the run goes, then (group `final`) the
/// exact checks once it is at rest.
pub mod metrics {
    crate::metrics! {
        in "queue.m";
        /// `send()` calls.
        SENT = sent: count, key;
        /// Sends whose callback reported success (with `acks=0`: every send that left).
        ACKED = acked: count;
        /// Sends whose callback reported an error (retries or the delivery timeout ran out, a full
        /// buffer).
        FAILED_VISIBLY = failed_visibly: count, checker, key;
        /// Reported sent yet gone, never processed (at rest: the exact count over the tracked
        /// window).
        LOST = lost: count, checker, key;
        /// Produce requests sent (first attempts and retries).
        REQUESTS = requests: count;
        /// Produce requests that were retries.
        RETRIES = retries: count;
        /// Records appended to a partition's log.
        APPENDED = appended: count;
        /// Records appended while another copy was in a log (or after being processed).
        DUP_WRITTEN = dup_written: count, checker, key;
        /// Records cut from a log by an election (the new leader lacked them).
        TRUNCATED = truncated: count;
        /// Leader elections.
        ELECTIONS = elections: count;
        /// Elections of an out-of-sync replica.
        UNCLEAN_ELECTIONS = unclean_elections: count;
        /// Consumer-group rebalances.
        REBALANCES = rebalances: count;
        /// Records delivered to a consumer.
        DELIVERED = delivered: count;
        /// Deliveries of a message delivered before.
        DUP_DELIVERED = dup_delivered: count, checker;
        /// Messages processed for the first time.
        PROCESSED = processed: count;
        /// Processings of a message processed before.
        DUP_PROCESSED = dup_processed: count, checker, key;
        /// Deliveries the dedup store skipped.
        DEDUPED = deduped: count;
        /// Messages processed for the first time after a later one of their key.
        ORDER_VIOLATIONS = order_violations: count, checker, key;
        /// Poison messages moved to the dead-letter queue.
        DEAD_LETTERED = dead_lettered: count;
        /// Messages dropped unprocessed for their age (TTL) or deleted unread by retention.
        EXPIRED = expired: count;
        /// Events dropped because the event queue was full.
        DROPPED_EVENTS = dropped_events: count, checker;
        /// Group members that own no partition.
        IDLE_CONSUMERS = idle_consumers: count;
        /// Records readable and not yet committed, all partitions.
        LAG = lag: count, key;
        /// `send()` to first processing.
        E2E_LATENCY = e2e_latency: latency, key;
        /// `send()` to the callback's success.
        SEND_LATENCY = send_latency: latency;
        /// Messages processed more than once (at rest).
        PROCESSED_TWICE = processed_twice: count, checker, key;
        /// Messages written to a log more than once (at rest).
        WRITTEN_TWICE = written_twice: count, checker;
        /// Sends reported failed (at rest).
        FAILED = failed: count;
    }
}
