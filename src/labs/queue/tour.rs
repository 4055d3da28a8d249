//! The queue lab's guided tour (see `crate::tour`): the notes' four questions — how a message is
//! lost, how one is written twice, how order is kept, how a backlog is cleared — then where the
//! notes simplify.

use crate::tour::{preset, Claim, Cmp, Step, Target, Wait};

pub const STEPS: &[Step] = &[
    Step {
        id: "acks0",
        setup: preset("acks0_crash"),
        targets: &[
            Target::Action("crash-leader"),
            Target::Checker("lost"),
            Target::Checker("failed_visibly"),
        ],
        wait: Wait::Action("crash-leader"),
        claims: &[
            Claim {
                set: &[],
                metric: "lost",
                cmp: Cmp::AtLeast(20.0),
                until_s: 12,
            },
            Claim {
                set: &[],
                metric: "failed_visibly",
                cmp: Cmp::AtMost(0.0),
                until_s: 12,
            },
        ],
    },
    Step {
        id: "acks1",
        setup: preset("acks1_leader_dies"),
        targets: &[Target::Knob("acks"), Target::Checker("lost")],
        wait: Wait::Knob("acks", "all"),
        claims: &[
            Claim {
                set: &[],
                metric: "final.lost",
                cmp: Cmp::AtLeast(10.0),
                until_s: 12,
            },
            Claim {
                set: &[("acks", "all")],
                metric: "final.lost",
                cmp: Cmp::AtMost(0.0),
                until_s: 12,
            },
        ],
    },
    Step {
        id: "twice",
        setup: preset("retries_no_idempotence"),
        targets: &[Target::Knob("idempotence"), Target::Checker("dup_written")],
        wait: Wait::Knob("idempotence", "true"),
        claims: &[
            Claim {
                set: &[],
                metric: "dup_written",
                cmp: Cmp::AtLeast(50.0),
                until_s: 12,
            },
            Claim {
                set: &[("idempotence", "true")],
                metric: "dup_written",
                cmp: Cmp::AtMost(0.0),
                until_s: 12,
            },
        ],
    },
    Step {
        id: "consume_twice",
        setup: preset("commit_after_crash"),
        targets: &[
            Target::Knob("dedup_store"),
            Target::Checker("processed_twice"),
        ],
        wait: Wait::Knob("dedup_store", "true"),
        claims: &[
            Claim {
                set: &[],
                metric: "final.processed_twice",
                cmp: Cmp::AtLeast(5.0),
                until_s: 12,
            },
            Claim {
                set: &[("dedup_store", "true")],
                metric: "final.processed_twice",
                cmp: Cmp::AtMost(0.0),
                until_s: 12,
            },
        ],
    },
    Step {
        id: "order",
        setup: preset("no_key_order"),
        targets: &[
            Target::Knob("partitioner"),
            Target::Checker("order_violations"),
        ],
        wait: Wait::Knob("partitioner", "by_key"),
        claims: &[
            Claim {
                set: &[],
                metric: "order_violations",
                cmp: Cmp::AtLeast(50.0),
                until_s: 12,
            },
            Claim {
                set: &[("partitioner", "by_key")],
                metric: "order_violations",
                cmp: Cmp::AtMost(0.0),
                until_s: 12,
            },
        ],
    },
    Step {
        id: "backlog",
        setup: preset("backlog"),
        targets: &[Target::Action("add-consumer"), Target::Chart(0)],
        wait: Wait::Action("add-consumer"),
        claims: &[
            Claim {
                set: &[],
                metric: "lag",
                cmp: Cmp::AtLeast(200.0),
                until_s: 25,
            },
            // Two more consumers from the start: the backlog is gone by 25 s.
            Claim {
                set: &[("consumers", "4")],
                metric: "lag",
                cmp: Cmp::AtMost(50.0),
                until_s: 25,
            },
            // A fifth and a sixth have no partition to read.
            Claim {
                set: &[("consumers", "6")],
                metric: "idle_consumers",
                cmp: Cmp::AtLeast(2.0),
                until_s: 25,
            },
        ],
    },
    Step {
        id: "simplify",
        setup: None,
        targets: &[Target::Knob("min_insync_replicas")],
        wait: Wait::Read,
        claims: &[],
    },
];
