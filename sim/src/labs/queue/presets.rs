//! One-click scenarios of the queue lab, each showing one effect (asserted in
//! `sim/tests/queue_presets.rs`).

use super::params::{Acks, CommitMode, FaultSchedule, Partitioner, QueueParams};

/// This lab's presets.
pub type Preset = crate::kernel::preset::Preset<QueueParams>;

pub fn all() -> Vec<Preset> {
    vec![
        acks0_crash(),
        acks1_leader_dies(),
        safe_producer(),
        retries_no_idempotence(),
        commit_before_crash(),
        commit_after_crash(),
        no_key_order(),
        idle_consumers(),
        backlog(),
        poison_message(),
        big_batches(),
    ]
}

pub fn by_id(id: &str) -> Option<Preset> {
    crate::kernel::preset::find(all(), id)
}

/// `acks=0`: the leader of partition 0 crashes at 3 s; until the controller notices, everything sent
/// to it vanishes, and no producer callback ever says so.
pub fn acks0_crash() -> Preset {
    Preset {
        id: "acks0_crash",
        seed: 21,
        headline: "lost",
        params: QueueParams {
            acks: Acks::Zero,
            idempotence: false,
            rate_per_s: 200,
            faults: FaultSchedule {
                crash_leader_at_ms: 3_000,
                restart_broker_after_ms: 6_000,
                ..FaultSchedule::default()
            },
            ..QueueParams::default()
        },
    }
}

/// `acks=1` with slow followers: the leader answers before anyone copies the batch; when it dies,
/// a follower takes over without the newest records, and acknowledged messages are gone.
pub fn acks1_leader_dies() -> Preset {
    Preset {
        id: "acks1_leader_dies",
        seed: 22,
        headline: "final.lost",
        params: QueueParams {
            acks: Acks::One,
            idempotence: false,
            rate_per_s: 200,
            replica_fetch_ms: 300,
            faults: FaultSchedule {
                crash_leader_at_ms: 3_000,
                restart_broker_after_ms: 6_000,
                ..FaultSchedule::default()
            },
            ..QueueParams::default()
        },
    }
}

/// `acks=all`, idempotence, many retries, `min.insync.replicas=2`: a leader crashes every 3 s and
/// 5% of acks are lost, yet nothing is lost, nothing is written twice, and every key stays in order.
pub fn safe_producer() -> Preset {
    Preset {
        id: "safe_producer",
        seed: 23,
        headline: "final.lost",
        params: QueueParams {
            acks: Acks::All,
            idempotence: true,
            retries: 1_000,
            delivery_timeout_ms: 120_000,
            min_insync_replicas: 2,
            replication_factor: 3,
            ack_loss_prob: 0.05,
            request_loss_prob: 0.02,
            rate_per_s: 200,
            faults: FaultSchedule {
                crash_leader_every_ms: 3_000,
                ..FaultSchedule::default()
            },
            ..QueueParams::default()
        },
    }
}

/// Retries without idempotence and 5 requests in flight: a lost ack makes the retry write the batch
/// twice, and a lost request retried behind later ones lands out of order.
pub fn retries_no_idempotence() -> Preset {
    Preset {
        id: "retries_no_idempotence",
        seed: 24,
        headline: "dup_written",
        params: QueueParams {
            acks: Acks::All,
            idempotence: false,
            max_in_flight: 5,
            retries: 10,
            linger_ms: 0,
            ack_loss_prob: 0.05,
            request_loss_prob: 0.05,
            rate_per_s: 400,
            keys: 20,
            consumers: 4,
            process_ms: 2,
            ..QueueParams::default()
        },
    }
}

/// Commit before processing: the consumers stop from 2 s to 5 s, then each polls a full batch of 50
/// from its own partition (one consumer per partition), and consumer 0 crashes 0.2 s into its batch
/// (about 20 processed). The group had committed past messages nobody processed: they are lost
/// (most of the 30 left of the batch, and what the rebalances drop: dozens on any seed).
pub fn commit_before_crash() -> Preset {
    Preset {
        id: "commit_before_crash",
        seed: 25,
        headline: "final.lost",
        params: QueueParams {
            commit: CommitMode::BeforeProcessing,
            ..crash_mid_batch()
        },
    }
}

/// The crash both commit presets share. The consumers are lightly loaded (10 ms a message, about
/// 28 a second each) until the stop, so consumer 0 has at most a few messages left of an earlier
/// poll when they resume; the 3 s stop leaves about 80 waiting in its partition, so its next poll
/// is a full 50 on any seed, and the crash 0.2 s after the resume lands in that batch.
fn crash_mid_batch() -> QueueParams {
    QueueParams {
        consumers: 4,
        max_poll_records: 50,
        process_ms: 10,
        rate_per_s: 110,
        faults: FaultSchedule {
            pause_consumers_at_ms: 2_000,
            pause_consumers_ms: 3_000,
            crash_consumer_at_ms: 5_200,
            restart_consumer_after_ms: 3_000,
            ..FaultSchedule::default()
        },
        ..QueueParams::default()
    }
}

/// Commit after processing, same crash: the part of the batch processed before the crash (about 20
/// messages, on any seed) was never committed, so it is processed again. Turn on the dedup store
/// and the duplicates are skipped.
pub fn commit_after_crash() -> Preset {
    Preset {
        id: "commit_after_crash",
        seed: 26,
        headline: "final.processed_twice",
        params: QueueParams {
            commit: CommitMode::AfterProcessing,
            dedup_store: false,
            ..crash_mid_batch()
        },
    }
}

/// No key: one user's messages spread over every partition, each read by a different consumer at
/// its own pace, so they are processed out of order. Switch the partitioner to `by_key` and the
/// violations stop.
pub fn no_key_order() -> Preset {
    Preset {
        id: "no_key_order",
        seed: 27,
        headline: "order_violations",
        params: QueueParams {
            partitioner: Partitioner::RoundRobin,
            rate_per_s: 200,
            keys: 10,
            consumers: 4,
            ..QueueParams::default()
        },
    }
}

/// Five consumers, three partitions: a partition has one reader in a group, so two consumers sit
/// idle whatever the load.
pub fn idle_consumers() -> Preset {
    Preset {
        id: "idle_consumers",
        seed: 28,
        headline: "idle_consumers",
        params: QueueParams {
            partitions: 3,
            consumers: 5,
            ..QueueParams::default()
        },
    }
}

/// The consumers stop from 3 s to 13 s and a backlog piles up; then it drains slowly. Try adding
/// consumers (two help, more than the partitions do not), moving the backlog to a topic with more
/// partitions, or a TTL that drops the old messages (then replay them).
pub fn backlog() -> Preset {
    Preset {
        id: "backlog",
        seed: 29,
        headline: "e2e_latency",
        params: QueueParams {
            partitions: 4,
            consumers: 2,
            process_ms: 8,
            rate_per_s: 150,
            faults: FaultSchedule {
                pause_consumers_at_ms: 3_000,
                pause_consumers_ms: 10_000,
                ..FaultSchedule::default()
            },
            ..QueueParams::default()
        },
    }
}

/// A poison message at 2 s fails every attempt: after 3 retries it goes to the dead-letter queue
/// and its partition moves on. Turn the dead-letter queue off and the partition is stuck behind it.
pub fn poison_message() -> Preset {
    Preset {
        id: "poison_message",
        seed: 30,
        headline: "dead_lettered",
        params: QueueParams {
            poison_retries: 3,
            dead_letter_queue: true,
            faults: FaultSchedule {
                poison_at_ms: 2_000,
                ..FaultSchedule::default()
            },
            ..QueueParams::default()
        },
    }
}

/// `linger.ms=100` and 64 KB batches: a tenth of the requests, and every message waits for its
/// batch. Set `linger_ms` to 0 to compare.
pub fn big_batches() -> Preset {
    Preset {
        id: "big_batches",
        seed: 31,
        headline: "requests",
        params: QueueParams {
            linger_ms: 100,
            batch_size_bytes: 65_536,
            rate_per_s: 400,
            consumers: 4,
            process_ms: 2,
            ..QueueParams::default()
        },
    }
}
