//! The queue lab's challenges: producer settings, consumer groups and faults.

use super::{Allowed, Cause, Challenge, Cond, Goal, Limit, Op, Price, Src};

const NO_LOSS: Goal = Goal {
    id: "no_loss",
    text: "Lose no acknowledged message",
    figure: Src::Metric("final.lost"),
    op: Op::Eq,
    threshold: 0.0,
    causes: &[
        Cause {
            id: "acks_one",
            text: "With acks=one the leader answered before any follower copied the batch; when it died, {0} acknowledged messages died with it.",
            when: &[Cond::Param("acks", "one")],
            args: &[Src::Metric("final.lost")],
        },
        Cause {
            id: "lost",
            text: "{0} acknowledged messages never reached a consumer.",
            when: &[],
            args: &[Src::Metric("final.lost")],
        },
    ],
};

const NO_DUPES: Goal = Goal {
    id: "no_dupes",
    text: "Write no message twice",
    figure: Src::Metric("final.written_twice"),
    op: Op::Eq,
    threshold: 0.0,
    causes: &[
        Cause {
            id: "no_idempotence",
            text: "Without idempotence a retry after a lost ack appended the batch again: {0} messages are in the log twice ({1} retries).",
            when: &[Cond::Param("idempotence", "false")],
            args: &[Src::Metric("final.written_twice"), Src::Metric("retries")],
        },
        Cause {
            id: "twice",
            text: "{0} messages are in the log twice.",
            when: &[],
            args: &[Src::Metric("final.written_twice")],
        },
    ],
};

pub const ALL: &[Challenge] = &[
    Challenge {
        id: "queue.leader_crash",
        lab: "queue",
        title: "A leader crashes at 1,000 messages a second",
        story: "Producers send 1,000 messages a second and 2% of the acks are lost. At 3 s the leader of partition 0 crashes. Lose nothing, write nothing twice, and still process at least 800 messages a second over the 10 s.",
        fixed: &[
            ("rate_per_s", "1000"),
            ("ack_loss_prob", "0.02"),
            ("process_ms", "5"),
            ("faults.crash_leader_at_ms", "3000"),
            ("faults.restart_broker_after_ms", "5000"),
        ],
        limits: &[
            Limit { key: "acks", allowed: Allowed::OneOf(&["one", "all"]) },
            Limit { key: "consumers", allowed: Allowed::Range { lo: 1.0, hi: 12.0 } },
        ],
        run_ms: 10_000,
        goals: &[
            NO_LOSS,
            NO_DUPES,
            Goal {
                id: "throughput",
                text: "Process at least 800 messages a second",
                figure: Src::PerSecond("processed"),
                op: Op::Ge,
                threshold: 800.0,
                causes: &[
                    Cause {
                        id: "idle",
                        text: "A partition has one reader in a group: {0} consumers on {1} partitions leave some idle.",
                        when: &[Cond::Is(Src::Metric("idle_consumers"), Op::Gt, 0.0)],
                        args: &[Src::Param("consumers"), Src::Param("partitions")],
                    },
                    Cause {
                        id: "slow",
                        text: "Each consumer processes a message in {0} ms, so {1} consumers handle at most about {1} × 200 a second: {2} messages were still waiting at the end.",
                        when: &[],
                        args: &[Src::Param("process_ms"), Src::Param("consumers"), Src::Metric("lag")],
                    },
                ],
            },
        ],
        price: Price {
            text: "consumers",
            figure: Src::Param("consumers"),
            three: 5.0,
            two: 6.0,
        },
        reference: &[("partitions", "6"), ("consumers", "6")],
        seed: 1,
    },
    Challenge {
        id: "queue.backlog",
        lab: "queue",
        title: "Drain a 20,000-message backlog",
        story: "The consumers stopped for 50 s while 400 messages a second kept coming: about 20,000 wait. Clear the backlog within 30 s of their return, with at most 4 consumers.",
        fixed: &[
            ("rate_per_s", "400"),
            ("process_ms", "3"),
            ("faults.pause_consumers_at_ms", "1000"),
            ("faults.pause_consumers_ms", "50000"),
            ("ttl_ms", "0"),
        ],
        limits: &[Limit { key: "consumers", allowed: Allowed::Range { lo: 1.0, hi: 4.0 } }],
        run_ms: 81_000,
        goals: &[
            Goal {
                id: "drained",
                text: "At most 500 messages waiting 30 s after the consumers return",
                figure: Src::Metric("lag"),
                op: Op::Le,
                threshold: 500.0,
                causes: &[
                    Cause {
                        id: "few",
                        text: "Only {0} consumers (4 are allowed) for {1} partitions, each processing one message at a time, {2} ms each: {3} messages were still waiting.",
                        when: &[Cond::Is(Src::Param("consumers"), Op::Lt, 4.0)],
                        args: &[
                            Src::Param("consumers"),
                            Src::Param("partitions"),
                            Src::Param("process_ms"),
                            Src::Metric("lag"),
                        ],
                    },
                    Cause {
                        id: "slow",
                        text: "The group processed too slowly for the backlog and the new messages together: {0} were still waiting.",
                        when: &[],
                        args: &[Src::Metric("lag")],
                    },
                ],
            },
            NO_LOSS,
        ],
        price: Price {
            text: "end-to-end latency p99 (ms)",
            figure: Src::Metric("e2e_latency_p99_ms"),
            three: 50_000.0,
            two: 55_000.0,
        },
        reference: &[("consumers", "4")],
        seed: 1,
    },
    Challenge {
        id: "queue.consumer_crash",
        lab: "queue",
        title: "A consumer crashes in the middle of a batch",
        story: "The consumers stop from 2 s to 5 s; just after they resume, consumer 0 crashes with a batch half processed. Process no message twice and lose none.",
        fixed: &[
            ("consumers", "4"),
            ("process_ms", "10"),
            ("rate_per_s", "110"),
            ("faults.pause_consumers_at_ms", "2000"),
            ("faults.pause_consumers_ms", "3000"),
            ("faults.crash_consumer_at_ms", "5200"),
            ("faults.restart_consumer_after_ms", "3000"),
        ],
        limits: &[],
        run_ms: 10_000,
        goals: &[
            Goal {
                id: "once",
                text: "Process no message twice",
                figure: Src::Metric("final.processed_twice"),
                op: Op::Eq,
                threshold: 0.0,
                causes: &[Cause {
                    id: "uncommitted",
                    text: "The crashed consumer had processed part of its batch of up to {0} without committing; its successor started again from the last commit and processed {1} messages a second time.",
                    when: &[],
                    args: &[Src::Param("max_poll_records"), Src::Metric("final.processed_twice")],
                }],
            },
            Goal {
                id: "no_loss",
                text: "Lose no message",
                figure: Src::Metric("final.lost"),
                op: Op::Eq,
                threshold: 0.0,
                causes: &[
                    Cause {
                        id: "commit_first",
                        text: "Offsets were committed before processing: the successor skipped {0} messages nobody had processed.",
                        when: &[Cond::Param("commit", "before_processing")],
                        args: &[Src::Metric("final.lost")],
                    },
                    Cause {
                        id: "lost",
                        text: "{0} messages were never processed.",
                        when: &[],
                        args: &[Src::Metric("final.lost")],
                    },
                ],
            },
        ],
        price: Price {
            text: "messages processed again and skipped by the dedup store",
            figure: Src::Metric("deduped"),
            three: 5.0,
            two: 20.0,
        },
        reference: &[("dedup_store", "true")],
        seed: 1,
    },
    Challenge {
        id: "queue.batching",
        lab: "queue",
        title: "Fewer requests with batches",
        story: "Two producers send 2,000 messages a second, and each request costs the brokers. Send at most 250 requests a second while keeping the send latency p99 under 80 ms, without giving up on acks.",
        fixed: &[
            ("rate_per_s", "2000"),
            ("producers", "2"),
            ("consumers", "4"),
            ("process_ms", "1"),
            ("message_bytes", "1000"),
        ],
        limits: &[Limit { key: "acks", allowed: Allowed::OneOf(&["one", "all"]) }],
        run_ms: 10_000,
        goals: &[
            Goal {
                id: "requests",
                text: "At most 250 produce requests a second",
                figure: Src::PerSecond("requests"),
                op: Op::Le,
                threshold: 250.0,
                causes: &[Cause {
                    id: "linger",
                    text: "With linger.ms = {0} a batch leaves almost as soon as its first message arrives: {1} requests a second.",
                    when: &[],
                    args: &[Src::Param("linger_ms"), Src::PerSecond("requests")],
                }],
            },
            Goal {
                id: "latency",
                text: "Send latency p99 at most 80 ms",
                figure: Src::Metric("send_latency_p99_ms"),
                op: Op::Le,
                threshold: 80.0,
                causes: &[Cause {
                    id: "waits",
                    text: "Every message waits up to linger.ms = {0} for its batch to fill: the p99 send latency was {1} ms.",
                    when: &[],
                    args: &[Src::Param("linger_ms"), Src::Metric("send_latency_p99_ms")],
                }],
            },
            NO_LOSS,
        ],
        price: Price {
            text: "send latency p99 (ms)",
            figure: Src::Metric("send_latency_p99_ms"),
            three: 65.0,
            two: 75.0,
        },
        reference: &[("linger_ms", "40")],
        seed: 1,
    },
];
