//! The flash sale's guided tour (see `crate::tour`): the notes' 10^8 users in one second, why the
//! stock check must be atomic, the sold-out flag, the limiter at the door, and where the notes
//! simplify.

use crate::tour::{preset, Claim, Cmp, Step, Target, Wait};

pub const STEPS: &[Step] = &[
    Step {
        id: "full",
        setup: preset("full_scale"),
        targets: &[Target::Run, Target::Picture],
        wait: Wait::Run,
        claims: &[
            Claim {
                set: &[],
                metric: "success",
                cmp: Cmp::AtMost(100_000.0),
                until_s: 0,
            },
            Claim {
                set: &[],
                metric: "success",
                cmp: Cmp::AtLeast(100_000.0),
                until_s: 0,
            },
            Claim {
                set: &[],
                metric: "answered_within_1s",
                cmp: Cmp::AtLeast(1.0),
                until_s: 0,
            },
        ],
    },
    Step {
        id: "atomic",
        setup: preset("unsafe_oversell"),
        targets: &[Target::Run, Target::Checker("oversold")],
        wait: Wait::Run,
        claims: &[Claim {
            set: &[],
            metric: "oversold",
            cmp: Cmp::AtLeast(100_000.0),
            until_s: 0,
        }],
    },
    Step {
        id: "flag",
        setup: preset("no_soldout_flag"),
        targets: &[Target::Run, Target::Results],
        wait: Wait::Run,
        claims: &[
            Claim {
                set: &[],
                metric: "answered_within_1s",
                cmp: Cmp::AtMost(0.999),
                until_s: 0,
            },
            Claim {
                set: &[],
                metric: "redis_ops",
                cmp: Cmp::AtLeast(500_000.0),
                until_s: 0,
            },
        ],
    },
    Step {
        id: "door",
        setup: preset("full_scale"),
        targets: &[Target::Knob("token_rate_per_s"), Target::Results],
        wait: Wait::Knob("token_rate_per_s", "50000"),
        claims: &[
            Claim {
                set: &[("token_rate_per_s", "50000")],
                metric: "redis_ops",
                cmp: Cmp::AtLeast(1_000_000.0),
                until_s: 0,
            },
            Claim {
                set: &[("token_rate_per_s", "50000")],
                metric: "answered_within_1s",
                cmp: Cmp::AtMost(0.999),
                until_s: 0,
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
