//! The snowflake lab's guided tour (see `crate::tour`): the notes' "timestamp, machine id and
//! sequence", a clock that steps back, a sequence that runs out, a worker id used twice, ids only
//! roughly in order, and where the notes simplify.

use crate::tour::{preset, Claim, Cmp, Setup, Step, Target, Wait};

pub const STEPS: &[Step] = &[
    Step {
        id: "layout",
        setup: Some(Setup {
            preset: None,
            set: &[],
            seed: None,
            at_ms: None,
        }),
        targets: &[Target::Picture],
        wait: Wait::Read,
        claims: &[Claim {
            set: &[],
            metric: "wait.duplicates",
            cmp: Cmp::AtMost(0.0),
            until_s: 5,
        }],
    },
    Step {
        id: "back",
        setup: preset("clock_back_5ms"),
        targets: &[Target::Lane("ignore"), Target::Chart(2)],
        wait: Wait::Read,
        claims: &[
            Claim {
                set: &[],
                metric: "ignore.duplicates",
                cmp: Cmp::AtLeast(20.0),
                until_s: 5,
            },
            Claim {
                set: &[],
                metric: "refuse.refused",
                cmp: Cmp::AtLeast(20.0),
                until_s: 5,
            },
            Claim {
                set: &[],
                metric: "wait.duplicates",
                cmp: Cmp::AtMost(0.0),
                until_s: 5,
            },
            Claim {
                set: &[],
                metric: "borrow.duplicates",
                cmp: Cmp::AtMost(0.0),
                until_s: 5,
            },
        ],
    },
    Step {
        id: "press",
        setup: Some(Setup {
            preset: Some("clock_back_5ms"),
            set: &[
                ("compare", "off"),
                ("backwards", "ignore"),
                ("faults.step_back_at_ms", "0"),
            ],
            seed: None,
            at_ms: None,
        }),
        targets: &[Target::Action("step-all"), Target::Checker("duplicates")],
        wait: Wait::Action("step-all"),
        claims: &[
            // The button's effect, as the same step back at 2 s.
            Claim {
                set: &[("faults.step_back_at_ms", "2000")],
                metric: "ignore.duplicates",
                cmp: Cmp::AtLeast(20.0),
                until_s: 5,
            },
        ],
    },
    Step {
        id: "sequence",
        setup: preset("sequence_exhausted"),
        targets: &[Target::Knob("sequence_bits"), Target::Chart(1)],
        wait: Wait::Knob("sequence_bits", "13"),
        claims: &[
            Claim {
                set: &[],
                metric: "wait.wait_p99_ms",
                cmp: Cmp::AtLeast(100.0),
                until_s: 5,
            },
            Claim {
                set: &[("sequence_bits", "13")],
                metric: "wait.wait_p99_ms",
                cmp: Cmp::AtMost(1.0),
                until_s: 5,
            },
        ],
    },
    Step {
        id: "reuse",
        setup: preset("reused_worker_id"),
        targets: &[Target::Knob("reused_ids"), Target::Chart(2)],
        wait: Wait::Knob("reused_ids", "0"),
        claims: &[
            Claim {
                set: &[],
                metric: "wait.duplicates",
                cmp: Cmp::AtLeast(1000.0),
                until_s: 5,
            },
            Claim {
                set: &[("reused_ids", "0")],
                metric: "wait.duplicates",
                cmp: Cmp::AtMost(0.0),
                until_s: 5,
            },
        ],
    },
    Step {
        id: "order",
        setup: preset("many_workers"),
        targets: &[Target::Chart(0), Target::Results],
        wait: Wait::Read,
        claims: &[
            Claim {
                set: &[],
                metric: "wait.out_of_order",
                cmp: Cmp::AtLeast(1000.0),
                until_s: 5,
            },
            Claim {
                set: &[],
                metric: "wait.duplicates",
                cmp: Cmp::AtMost(0.0),
                until_s: 5,
            },
        ],
    },
    Step {
        id: "simplify",
        setup: None,
        targets: &[Target::Picture],
        wait: Wait::Read,
        claims: &[],
    },
];
