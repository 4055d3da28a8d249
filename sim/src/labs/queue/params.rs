//! The queue lab's knobs, named after the Kafka settings they model (`acks`, `retries`,
//! `max.in.flight.requests.per.connection` become `acks`, `retries`, `max_in_flight` ...).

use crate::kernel::model::ParamError;
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
/// Most messages one producer's buffer holds.
pub const MAX_BUFFER_MESSAGES: u32 = 100_000;

crate::choices! {
    /// How many replicas must have a record before the leader answers the producer.
    pub enum Acks in "queue.acks" {
        /// Fire and forget: the send counts as done when it leaves; no answer, no retry.
        Zero = "zero",
        /// The leader answers once it has appended the batch.
        One = "one",
        /// The leader answers once every in-sync replica has the batch (the high watermark passed
        /// it).
        #[default]
        All = "all",
    }
}

crate::choices! {
    /// Where a message goes.
    pub enum Partitioner in "queue.partitioner" {
        /// By a hash of the message key (the user): one user's messages share a partition.
        #[default]
        ByKey = "by_key",
        /// No key: each message to the next partition in turn.
        RoundRobin = "round_robin",
        /// No key: fill a batch for one partition, then move to another (Kafka's default without
        /// key).
        Sticky = "sticky",
    }
}

crate::choices! {
    /// How a consumer group shares partitions among its members.
    pub enum Assignor in "queue.assignor" {
        /// Consecutive runs of partitions per consumer.
        #[default]
        Range = "range",
        /// Partitions dealt out one at a time.
        RoundRobin = "round_robin",
        /// Keep what each consumer had; move only what must move.
        Sticky = "sticky",
    }
}

crate::choices! {
    /// When a consumer commits its offsets.
    pub enum CommitMode in "queue.commit" {
        /// Every `auto_commit_ms`, whatever has been polled (processed or not).
        #[default]
        Auto = "auto",
        /// As soon as a poll returns, before processing it: a crash loses the rest of the poll.
        BeforeProcessing = "before_processing",
        /// After every message of a poll is processed: a crash processes part of it again.
        AfterProcessing = "after_processing",
    }
}

/// A rolling crash needs time between crashes: 0 (never) or at least 100 ms.
fn fault_rules(f: &FaultSchedule) -> Result<(), ParamError> {
    let every = f.crash_leader_every_ms;
    if every != 0 && every < 100 {
        return Err(ParamError::rule(
            "crash_leader_every_ms",
            every,
            "queue.rule.crash_leader_every",
            vec![MAX_DURATION_MS.to_string()],
            format!("0 or 100..={MAX_DURATION_MS}"),
        ));
    }
    Ok(())
}

crate::knobs! {
    /// Faults replayed at fixed times, so a preset or a link can show them (0 = never). Buttons on
    /// the page call the same verbs at any time.
    pub struct FaultSchedule in "queue.faults" check fault_rules ["queue.rule.crash_leader_every"]; {
        /// Crash the broker that leads partition 0 at this time, milliseconds.
        crash_leader_at_ms: u32 = 0 => range(0, MAX_DURATION_MS);
        /// Restart a crashed broker this long after it crashed, milliseconds (0 = it stays down).
        restart_broker_after_ms: u32 = 0 => range(0, MAX_DURATION_MS);
        /// Crash a leader every this many milliseconds (a rolling fault; 0 = never, else at least
        /// 100).
        crash_leader_every_ms: u32 = 0 => range(0, MAX_DURATION_MS);
        /// Crash consumer 0 at this time, milliseconds.
        crash_consumer_at_ms: u32 = 0 => range(0, MAX_DURATION_MS);
        /// Restart a crashed consumer this long after, milliseconds (0 = it stays down).
        restart_consumer_after_ms: u32 = 0 => range(0, MAX_DURATION_MS);
        /// Stop every consumer at this time, milliseconds.
        pause_consumers_at_ms: u32 = 0 => range(0, MAX_DURATION_MS);
        /// ... for this long, milliseconds.
        pause_consumers_ms: u32 = 0 => range(0, MAX_DURATION_MS);
        /// Cut the producers' network link at this time, milliseconds.
        cut_link_at_ms: u32 = 0 => range(0, MAX_DURATION_MS);
        /// ... for this long, milliseconds.
        cut_link_ms: u32 = 0 => range(0, MAX_DURATION_MS);
        /// Produce one poison message (its processing always fails) at this time, milliseconds.
        poison_at_ms: u32 = 0 => range(0, MAX_DURATION_MS);
    }
}

/// A producer's buffer holds at most [`MAX_BUFFER_MESSAGES`] messages.
fn rules(p: &QueueParams) -> Result<(), ParamError> {
    if p.buffer_memory_bytes / p.message_bytes > MAX_BUFFER_MESSAGES {
        return Err(ParamError::rule(
            "buffer_memory_bytes",
            p.buffer_memory_bytes,
            "queue.rule.buffer_messages",
            vec![MAX_BUFFER_MESSAGES.to_string(), p.message_bytes.to_string()],
            format!(
                "at most {MAX_BUFFER_MESSAGES} messages of message_bytes ({}) each",
                p.message_bytes
            ),
        ));
    }
    Ok(())
}

crate::knobs! {
    /// The queue lab: one topic, its brokers, producers and one consumer group.
    pub struct QueueParams in "queue" check rules ["queue.rule.buffer_messages"]; {
        /// Brokers in the cluster.
        @cluster
        brokers: u32 = 3 => range(1, MAX_BROKERS);
        /// Partitions of the topic.
        partitions: u32 = 4 => range(1, MAX_PARTITIONS);
        /// Copies of each partition (leader included), on distinct brokers.
        replication_factor: u32 = 3 => range(1, MAX_BROKERS).le(brokers);
        /// `min.insync.replicas`: with `acks=all`, a write needs this many in-sync replicas (at
        /// most replication_factor).
        min_insync_replicas: u32 = 2 => range(1, MAX_BROKERS).le(replication_factor);
        /// Allow electing an out-of-sync replica when no in-sync one is alive (it loses what it
        /// lacks).
        unclean_leader_election: bool = false => switch;
        /// Time a follower takes to copy new records from its leader, milliseconds.
        replica_fetch_ms: u32 = 20 => range(1, 60_000);
        /// A follower that has not caught up for this long leaves the in-sync set, milliseconds.
        replica_lag_max_ms: u32 = 1_000 => range(1, 600_000).adv();
        /// Time for the controller to notice a dead broker and elect new leaders, milliseconds.
        leader_detect_ms: u32 = 500 => range(1, 600_000).adv();
        /// Records a partition keeps; past it the oldest are deleted, consumed or not.
        log_retention_records: u32 = 50_000 => range(100, MAX_LOG_RECORDS).adv();

        /// Producer applications (each user, or key, always sends through the same one).
        @producer
        producers: u32 = 2 => range(1, MAX_PRODUCERS);
        /// Messages sent per second, all producers together (Poisson).
        rate_per_s: u32 = 100 => range(0, 20_000);
        /// Distinct keys (users); per-key order is checked.
        keys: u32 = 50 => range(1, MAX_KEYS);
        /// Zipf exponent of key popularity (0 = all users equally active).
        key_zipf: f64 = 0.8 => range(0.0, 3.0);
        /// How a message's partition is chosen.
        partitioner: Partitioner = Partitioner::ByKey => choice;
        /// How many replicas must have a record before the leader answers the producer.
        acks: Acks = Acks::All => choice;
        /// Retries of a failed request before the send is reported failed.
        retries: u32 = 10 => range(0, 1_000);
        /// Wait before a retry, milliseconds.
        retry_backoff_ms: u32 = 100 => range(0, 60_000).adv();
        /// A request with no answer by then counts as failed (and may be retried), milliseconds.
        request_timeout_ms: u32 = 300 => range(1, 600_000).adv();
        /// A send not acknowledged within this time after `send()` is reported failed,
        /// milliseconds.
        delivery_timeout_ms: u32 = 10_000 => range(1, MAX_DURATION_MS).adv();
        /// Requests per partition sent and not yet answered (Kafka counts per broker connection).
        max_in_flight: u32 = 5 => range(1, 100);
        /// Producer id and sequence numbers: the leader drops duplicates and refuses gaps.
        idempotence: bool = true => switch;
        /// A batch is sent when it holds this many bytes ...
        batch_size_bytes: u32 = 16_384 => range(1, 10_000_000);
        /// ... or this long after its first message, milliseconds.
        linger_ms: u32 = 5 => range(0, 60_000);
        /// Size of one message, bytes.
        message_bytes: u32 = 1_000 => range(1, 1_000_000).adv();
        /// Bytes a producer may hold unsent or unacknowledged (at least message_bytes, and at
        /// most 100000 messages).
        buffer_memory_bytes: u32 = 1_000_000 => range(1, 1_000_000_000).ge(message_bytes);
        /// With a full buffer, `send()` blocks (up to `max_block_ms`) instead of failing at once.
        block_on_full_buffer: bool = true => switch;
        /// Longest a `send()` blocks on a full buffer before it fails, milliseconds.
        max_block_ms: u32 = 1_000 => range(0, 600_000).adv();

        /// One-way network latency, milliseconds (plus up to `jitter_ms` at random).
        @network
        latency_ms: u32 = 5 => range(0, 10_000);
        /// Random extra latency, up to this many milliseconds.
        jitter_ms: u32 = 5 => range(0, 10_000);
        /// Probability that a produce request is lost on the way.
        request_loss_prob: f64 = 0.0 => range(0.0, 1.0).step(0.01);
        /// Probability that the answer to a request is lost on the way back (a lost ack).
        ack_loss_prob: f64 = 0.0 => range(0.0, 1.0).step(0.01);

        /// Consumers in the group at start.
        @consumers
        consumers: u32 = 3 => range(0, MAX_CONSUMERS);
        /// How the group shares partitions among its members.
        assignor: Assignor = Assignor::Range => choice;
        /// Time to process one message, milliseconds.
        process_ms: u32 = 5 => range(0, 60_000);
        /// Most records one poll returns.
        max_poll_records: u32 = 20 => range(1, 10_000);
        /// When a consumer commits its offsets.
        commit: CommitMode = CommitMode::AfterProcessing => choice;
        /// Period of the automatic commit, milliseconds.
        auto_commit_ms: u32 = 1_000 => range(1, 600_000).adv();
        /// A crashed consumer leaves the group after this long, milliseconds.
        session_timeout_ms: u32 = 1_000 => range(1, 600_000).adv();
        /// Every consumer stops this long while the group rebalances, milliseconds.
        rebalance_ms: u32 = 200 => range(0, 600_000).adv();
        /// Skip messages whose id is in the store of processed ids (the notes' Redis set).
        dedup_store: bool = false => switch;
        /// Attempts at a failing (poison) message before giving up on it.
        poison_retries: u32 = 3 => range(0, 1_000);
        /// After the last attempt, move the poison message to a dead-letter queue and go on;
        /// without one, the consumer keeps retrying and its partition is stuck behind the message.
        dead_letter_queue: bool = true => switch;
        /// Messages older than this are dropped unprocessed, milliseconds (0 = never).
        ttl_ms: u32 = 0 => range(0, MAX_DURATION_MS);
        /// Rate at which "replay expired" sends the dropped messages again (a throttled script:
        /// all at once would be a new backlog), messages per second.
        replay_rate_per_s: u32 = 100 => range(1, 100_000).adv();

        /// Faults replayed at fixed times.
        faults: FaultSchedule = FaultSchedule::default() => group;
        /// Width of one chart bucket, milliseconds.
        chart_bucket_ms: u32 = 500 => range(10, 600_000).adv();
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
    use crate::kernel::knobs::Knobs;
    use crate::kernel::model::Validate;

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
                    message_bytes: 1,
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

    #[test]
    fn cross_field_rules_keep_their_english() {
        let e = QueueParams {
            min_insync_replicas: 3,
            replication_factor: 2,
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.allowed, "1..=replication_factor (2)");
        let e = QueueParams {
            buffer_memory_bytes: 10,
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.allowed, "message_bytes (1000)..=1000000000");
        let e = QueueParams {
            faults: FaultSchedule {
                crash_leader_every_ms: 99,
                ..Default::default()
            },
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.allowed, "0 or 100..=3600000");
    }

    #[test]
    fn knobs_come_in_the_page_sections() {
        let t = QueueParams::knobs();
        let section = |k: &str| t.iter().find(|x| x.key == k).unwrap().section;
        assert_eq!(section("brokers"), "queue:cluster");
        assert_eq!(section("acks"), "queue:producer");
        assert_eq!(section("ack_loss_prob"), "queue:network");
        assert_eq!(section("ttl_ms"), "queue:consumers");
        assert_eq!(section("faults.poison_at_ms"), "queue.faults");
        assert_eq!(section("chart_bucket_ms"), "queue.faults");
        assert_eq!(t.len(), 55);
    }
}
