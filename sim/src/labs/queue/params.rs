//! The queue lab's knobs, named after the Kafka settings they model (`acks`, `retries`,
//! `max.in.flight.requests.per.connection` become `acks`, `retries`, `max_in_flight` ...).

use serde::{Deserialize, Serialize};

use crate::kernel::model::{check_range, ParamError, Validate};
use crate::kernel::traffic::MAX_DURATION_MS;

/// Most brokers, partitions, producers and consumers (the picture has to fit them).
pub const MAX_BROKERS: u32 = 6;
pub const MAX_PARTITIONS: u32 = 32;
pub const MAX_PRODUCERS: u32 = 8;
pub const MAX_CONSUMERS: u32 = 32;
/// Most records one partition keeps (retention by size); older ones are deleted, consumed or not.
pub const MAX_LOG_RECORDS: u32 = 200_000;
/// Most keys (users); each key keeps its last processed sequence number for the order checker.
pub const MAX_KEYS: u32 = 10_000;

/// How many replicas must have a record before the leader answers the producer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Acks {
    /// Fire and forget: the send counts as done when it leaves; no answer, no retry.
    Zero,
    /// The leader answers once it has appended the batch.
    One,
    /// The leader answers once every in-sync replica has the batch (the high watermark passed it).
    #[default]
    All,
}

impl Acks {
    pub const ALL: [Acks; 3] = [Acks::Zero, Acks::One, Acks::All];
    pub fn as_str(self) -> &'static str {
        match self {
            Acks::Zero => "zero",
            Acks::One => "one",
            Acks::All => "all",
        }
    }
}

/// Where a message goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Partitioner {
    /// By a hash of the message key (the user): one user's messages share a partition.
    #[default]
    ByKey,
    /// No key: each message to the next partition in turn.
    RoundRobin,
    /// No key: fill a batch for one partition, then move to another (Kafka's default without key).
    Sticky,
}

impl Partitioner {
    pub const ALL: [Partitioner; 3] = [
        Partitioner::ByKey,
        Partitioner::RoundRobin,
        Partitioner::Sticky,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Partitioner::ByKey => "by_key",
            Partitioner::RoundRobin => "round_robin",
            Partitioner::Sticky => "sticky",
        }
    }
}

/// How a consumer group shares partitions among its members.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Assignor {
    /// Consecutive runs of partitions per consumer.
    #[default]
    Range,
    /// Partitions dealt out one at a time.
    RoundRobin,
    /// Keep what each consumer had; move only what must move.
    Sticky,
}

impl Assignor {
    pub const ALL: [Assignor; 3] = [Assignor::Range, Assignor::RoundRobin, Assignor::Sticky];
    pub fn as_str(self) -> &'static str {
        match self {
            Assignor::Range => "range",
            Assignor::RoundRobin => "round_robin",
            Assignor::Sticky => "sticky",
        }
    }
}

/// When a consumer commits its offsets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommitMode {
    /// Every `auto_commit_ms`, whatever has been polled (processed or not).
    #[default]
    Auto,
    /// As soon as a poll returns, before processing it: a crash loses the rest of the poll.
    BeforeProcessing,
    /// After every message of a poll is processed: a crash processes part of it again.
    AfterProcessing,
}

impl CommitMode {
    pub const ALL: [CommitMode; 3] = [
        CommitMode::Auto,
        CommitMode::BeforeProcessing,
        CommitMode::AfterProcessing,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            CommitMode::Auto => "auto",
            CommitMode::BeforeProcessing => "before_processing",
            CommitMode::AfterProcessing => "after_processing",
        }
    }
}

/// Faults replayed at fixed times, so a preset or a link can show them (0 = never). Buttons on the
/// page call the same verbs at any time.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultSchedule {
    /// Crash the broker that leads partition 0 at this time, milliseconds.
    pub crash_leader_at_ms: u32,
    /// Restart a crashed broker this long after it crashed, milliseconds (0 = it stays down).
    pub restart_broker_after_ms: u32,
    /// Crash a leader every this many milliseconds (a rolling fault; 0 = never).
    pub crash_leader_every_ms: u32,
    /// Crash consumer 0 at this time, milliseconds.
    pub crash_consumer_at_ms: u32,
    /// Restart a crashed consumer this long after, milliseconds (0 = it stays down).
    pub restart_consumer_after_ms: u32,
    /// Stop every consumer at this time, milliseconds.
    pub pause_consumers_at_ms: u32,
    /// ... for this long, milliseconds.
    pub pause_consumers_ms: u32,
    /// Cut the producers' network link at this time, milliseconds.
    pub cut_link_at_ms: u32,
    /// ... for this long, milliseconds.
    pub cut_link_ms: u32,
    /// Produce one poison message (its processing always fails) at this time, milliseconds.
    pub poison_at_ms: u32,
}

/// The queue lab: one topic, its brokers, producers and one consumer group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueueParams {
    /// Brokers in the cluster.
    pub brokers: u32,
    /// Partitions of the topic.
    pub partitions: u32,
    /// Copies of each partition (leader included), on distinct brokers.
    pub replication_factor: u32,
    /// `min.insync.replicas`: with `acks=all`, a write needs this many in-sync replicas.
    pub min_insync_replicas: u32,
    /// Allow electing an out-of-sync replica when no in-sync one is alive (it loses what it lacks).
    pub unclean_leader_election: bool,
    /// Time a follower takes to copy new records from its leader, milliseconds.
    pub replica_fetch_ms: u32,
    /// A follower that has not caught up for this long leaves the in-sync set, milliseconds.
    pub replica_lag_max_ms: u32,
    /// Time for the controller to notice a dead broker and elect new leaders, milliseconds.
    pub leader_detect_ms: u32,
    /// Records a partition keeps; past it the oldest are deleted, consumed or not.
    pub log_retention_records: u32,

    /// Producer applications (each user, or key, always sends through the same one).
    pub producers: u32,
    /// Messages sent per second, all producers together (Poisson).
    pub rate_per_s: u32,
    /// Distinct keys (users); per-key order is checked.
    pub keys: u32,
    /// Zipf exponent of key popularity (0 = all users equally active).
    pub key_zipf: f64,
    /// How a message's partition is chosen.
    pub partitioner: Partitioner,
    pub acks: Acks,
    /// Retries of a failed request before the send is reported failed.
    pub retries: u32,
    pub retry_backoff_ms: u32,
    /// A request with no answer by then counts as failed (and may be retried), milliseconds.
    pub request_timeout_ms: u32,
    /// A send not acknowledged within this time after `send()` is reported failed, milliseconds.
    pub delivery_timeout_ms: u32,
    /// Requests per partition sent and not yet answered (Kafka counts per broker connection).
    pub max_in_flight: u32,
    /// Producer id and sequence numbers: the leader drops duplicates and refuses gaps.
    pub idempotence: bool,
    /// A batch is sent when it holds this many bytes ...
    pub batch_size_bytes: u32,
    /// ... or this long after its first message, milliseconds.
    pub linger_ms: u32,
    /// Size of one message, bytes.
    pub message_bytes: u32,
    /// Bytes a producer may hold unsent or unacknowledged.
    pub buffer_memory_bytes: u32,
    /// With a full buffer, `send()` blocks (up to `max_block_ms`) instead of failing at once.
    pub block_on_full_buffer: bool,
    pub max_block_ms: u32,

    /// One-way network latency, milliseconds (plus up to `jitter_ms` at random).
    pub latency_ms: u32,
    pub jitter_ms: u32,
    /// Probability that a produce request is lost on the way.
    pub request_loss_prob: f64,
    /// Probability that the answer to a request is lost on the way back (a lost ack).
    pub ack_loss_prob: f64,

    /// Consumers in the group at start.
    pub consumers: u32,
    pub assignor: Assignor,
    /// Time to process one message, milliseconds.
    pub process_ms: u32,
    /// Most records one poll returns.
    pub max_poll_records: u32,
    pub commit: CommitMode,
    pub auto_commit_ms: u32,
    /// A crashed consumer leaves the group after this long, milliseconds.
    pub session_timeout_ms: u32,
    /// Every consumer stops this long while the group rebalances, milliseconds.
    pub rebalance_ms: u32,
    /// Skip messages whose id is in the store of processed ids (the notes' Redis set).
    pub dedup_store: bool,
    /// Attempts at a failing (poison) message before giving up on it.
    pub poison_retries: u32,
    /// After the last attempt, move the poison message to a dead-letter queue and go on; without
    /// one, the consumer keeps retrying and its partition is stuck behind the message.
    pub dead_letter_queue: bool,
    /// Messages older than this are dropped unprocessed, milliseconds (0 = never).
    pub ttl_ms: u32,
    /// Rate at which "replay expired" sends the dropped messages again (a throttled script: all
    /// at once would be a new backlog), messages per second.
    pub replay_rate_per_s: u32,

    pub faults: FaultSchedule,
    /// Width of one chart bucket, milliseconds.
    pub chart_bucket_ms: u32,
}

impl Default for QueueParams {
    fn default() -> Self {
        Self {
            brokers: 3,
            partitions: 4,
            replication_factor: 3,
            min_insync_replicas: 2,
            unclean_leader_election: false,
            replica_fetch_ms: 20,
            replica_lag_max_ms: 1_000,
            leader_detect_ms: 500,
            log_retention_records: 50_000,
            producers: 2,
            rate_per_s: 100,
            keys: 50,
            key_zipf: 0.8,
            partitioner: Partitioner::ByKey,
            acks: Acks::All,
            retries: 10,
            retry_backoff_ms: 100,
            request_timeout_ms: 300,
            delivery_timeout_ms: 10_000,
            max_in_flight: 5,
            idempotence: true,
            batch_size_bytes: 16_384,
            linger_ms: 5,
            message_bytes: 1_000,
            buffer_memory_bytes: 1_000_000,
            block_on_full_buffer: true,
            max_block_ms: 1_000,
            latency_ms: 5,
            jitter_ms: 5,
            request_loss_prob: 0.0,
            ack_loss_prob: 0.0,
            consumers: 3,
            assignor: Assignor::Range,
            process_ms: 5,
            max_poll_records: 20,
            commit: CommitMode::AfterProcessing,
            auto_commit_ms: 1_000,
            session_timeout_ms: 1_000,
            rebalance_ms: 200,
            dedup_store: false,
            poison_retries: 3,
            dead_letter_queue: true,
            ttl_ms: 0,
            replay_rate_per_s: 100,
            faults: FaultSchedule::default(),
            chart_bucket_ms: 500,
        }
    }
}

fn prob(field: &str, p: f64) -> Result<(), ParamError> {
    if !p.is_finite() {
        return Err(ParamError::new(field, p, "0..=1"));
    }
    check_range(field, p, 0.0, 1.0)
}

impl Validate for QueueParams {
    fn validate(&self) -> Result<(), ParamError> {
        check_range("brokers", self.brokers, 1, MAX_BROKERS)?;
        check_range("partitions", self.partitions, 1, MAX_PARTITIONS)?;
        check_range(
            "replication_factor",
            self.replication_factor,
            1,
            self.brokers,
        )?;
        if self.min_insync_replicas < 1 || self.min_insync_replicas > self.replication_factor {
            return Err(ParamError::new(
                "min_insync_replicas",
                self.min_insync_replicas,
                format!("1..=replication_factor (now {})", self.replication_factor),
            ));
        }
        check_range("replica_fetch_ms", self.replica_fetch_ms, 1, 60_000)?;
        check_range("replica_lag_max_ms", self.replica_lag_max_ms, 1, 600_000)?;
        check_range("leader_detect_ms", self.leader_detect_ms, 1, 600_000)?;
        check_range(
            "log_retention_records",
            self.log_retention_records,
            100,
            MAX_LOG_RECORDS,
        )?;
        check_range("producers", self.producers, 1, MAX_PRODUCERS)?;
        check_range("rate_per_s", self.rate_per_s, 0, 20_000)?;
        check_range("keys", self.keys, 1, MAX_KEYS)?;
        if !self.key_zipf.is_finite() {
            return Err(ParamError::new("key_zipf", self.key_zipf, "0..=3"));
        }
        check_range("key_zipf", self.key_zipf, 0.0, 3.0)?;
        check_range("retries", self.retries, 0, 1_000)?;
        check_range("retry_backoff_ms", self.retry_backoff_ms, 0, 60_000)?;
        check_range("request_timeout_ms", self.request_timeout_ms, 1, 600_000)?;
        check_range(
            "delivery_timeout_ms",
            self.delivery_timeout_ms,
            1,
            MAX_DURATION_MS,
        )?;
        check_range("max_in_flight", self.max_in_flight, 1, 100)?;
        check_range("batch_size_bytes", self.batch_size_bytes, 1, 10_000_000)?;
        check_range("linger_ms", self.linger_ms, 0, 60_000)?;
        check_range("message_bytes", self.message_bytes, 1, 1_000_000)?;
        let min_buffer = self.message_bytes;
        if self.buffer_memory_bytes < min_buffer || self.buffer_memory_bytes > 1_000_000_000 {
            return Err(ParamError::new(
                "buffer_memory_bytes",
                self.buffer_memory_bytes,
                format!("message_bytes ({min_buffer})..=1000000000"),
            ));
        }
        if self.buffer_memory_bytes / self.message_bytes > 100_000 {
            return Err(ParamError::new(
                "buffer_memory_bytes",
                self.buffer_memory_bytes,
                format!(
                    "at most 100000 messages of message_bytes ({}) each",
                    self.message_bytes
                ),
            ));
        }
        check_range("max_block_ms", self.max_block_ms, 0, 600_000)?;
        check_range("latency_ms", self.latency_ms, 0, 10_000)?;
        check_range("jitter_ms", self.jitter_ms, 0, 10_000)?;
        prob("request_loss_prob", self.request_loss_prob)?;
        prob("ack_loss_prob", self.ack_loss_prob)?;
        check_range("consumers", self.consumers, 0, MAX_CONSUMERS)?;
        check_range("process_ms", self.process_ms, 0, 60_000)?;
        check_range("max_poll_records", self.max_poll_records, 1, 10_000)?;
        check_range("auto_commit_ms", self.auto_commit_ms, 1, 600_000)?;
        check_range("session_timeout_ms", self.session_timeout_ms, 1, 600_000)?;
        check_range("rebalance_ms", self.rebalance_ms, 0, 600_000)?;
        check_range("poison_retries", self.poison_retries, 0, 1_000)?;
        check_range("ttl_ms", self.ttl_ms, 0, MAX_DURATION_MS)?;
        check_range("replay_rate_per_s", self.replay_rate_per_s, 1, 100_000)?;
        let f = &self.faults;
        for (name, v) in [
            ("faults.crash_leader_at_ms", f.crash_leader_at_ms),
            ("faults.restart_broker_after_ms", f.restart_broker_after_ms),
            ("faults.crash_consumer_at_ms", f.crash_consumer_at_ms),
            (
                "faults.restart_consumer_after_ms",
                f.restart_consumer_after_ms,
            ),
            ("faults.pause_consumers_at_ms", f.pause_consumers_at_ms),
            ("faults.pause_consumers_ms", f.pause_consumers_ms),
            ("faults.cut_link_at_ms", f.cut_link_at_ms),
            ("faults.cut_link_ms", f.cut_link_ms),
            ("faults.poison_at_ms", f.poison_at_ms),
        ] {
            check_range(name, v, 0, MAX_DURATION_MS)?;
        }
        if f.crash_leader_every_ms != 0 {
            check_range(
                "faults.crash_leader_every_ms",
                f.crash_leader_every_ms,
                100,
                MAX_DURATION_MS,
            )?;
        }
        check_range("chart_bucket_ms", self.chart_bucket_ms, 10, 600_000)
    }
}

impl QueueParams {
    /// Messages one batch holds.
    pub fn batch_messages(&self) -> u32 {
        (self.batch_size_bytes / self.message_bytes).max(1)
    }

    /// Messages one producer's buffer holds.
    pub fn buffer_messages(&self) -> u32 {
        (self.buffer_memory_bytes / self.message_bytes).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        QueueParams::default().validate().unwrap();
    }

    #[test]
    fn bad_params_name_their_field() {
        let cases: Vec<(QueueParams, &str)> = vec![
            (
                QueueParams {
                    partitions: 0,
                    ..Default::default()
                },
                "partitions",
            ),
            (
                QueueParams {
                    min_insync_replicas: 4,
                    ..Default::default()
                },
                "min_insync_replicas",
            ),
            (
                QueueParams {
                    replication_factor: 4,
                    ..Default::default()
                },
                "replication_factor",
            ),
            (
                QueueParams {
                    ack_loss_prob: f64::NAN,
                    ..Default::default()
                },
                "ack_loss_prob",
            ),
            (
                QueueParams {
                    buffer_memory_bytes: 10,
                    ..Default::default()
                },
                "buffer_memory_bytes",
            ),
            (
                QueueParams {
                    faults: FaultSchedule {
                        crash_leader_every_ms: 5,
                        ..Default::default()
                    },
                    ..Default::default()
                },
                "faults.crash_leader_every_ms",
            ),
        ];
        for (p, field) in cases {
            let e = p.validate().unwrap_err();
            assert_eq!(e.field, field, "{e}");
            assert!(!e.allowed.is_empty());
        }
    }
}
