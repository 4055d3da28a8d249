//! The rate-limiter lab's guided tour (see `crate::tour`): why a fixed window lets twice the limit
//! through, the sliding windows, the token and leaky buckets, a rate changed live, and where the
//! notes simplify.

use crate::tour::{preset, Claim, Cmp, Setup, Step, Target, Wait};

pub const STEPS: &[Step] = &[
    Step {
        id: "edge",
        // Paused just after the burst that straddles 2 s.
        setup: Some(Setup {
            preset: Some("boundary_burst"),
            set: &[],
            seed: None,
            at_ms: Some(2_400),
        }),
        targets: &[Target::Picture, Target::Chart(0)],
        wait: Wait::Read,
        claims: &[
            Claim {
                set: &[],
                metric: "fixed_window.max_in_window",
                cmp: Cmp::AtLeast(18.0),
                until_s: 20,
            },
            Claim {
                set: &[],
                metric: "sliding_log.max_in_window",
                cmp: Cmp::AtMost(10.0),
                until_s: 20,
            },
        ],
    },
    Step {
        id: "halve",
        setup: None,
        targets: &[Target::Knob("fixed_window.limit"), Target::Chart(0)],
        wait: Wait::Knob("fixed_window.limit", "5"),
        claims: &[Claim {
            set: &[("fixed_window.limit", "5")],
            metric: "fixed_window.max_in_window",
            cmp: Cmp::AtMost(10.0),
            until_s: 20,
        }],
    },
    Step {
        id: "sliding",
        setup: preset("boundary_burst"),
        targets: &[Target::Lane("sliding_log"), Target::Lane("sliding_counter")],
        wait: Wait::Read,
        claims: &[
            Claim {
                set: &[],
                metric: "sliding_log.max_in_window",
                cmp: Cmp::AtMost(10.0),
                until_s: 20,
            },
            Claim {
                set: &[],
                metric: "sliding_counter.max_in_window",
                cmp: Cmp::AtLeast(11.0),
                until_s: 20,
            },
        ],
    },
    Step {
        id: "token",
        setup: preset("token_burst"),
        targets: &[Target::Knob("token_bucket.burst"), Target::Lane("token_bucket")],
        wait: Wait::Knob("token_bucket.burst", "1"),
        claims: &[
            Claim {
                set: &[],
                metric: "token_bucket.max_in_window",
                cmp: Cmp::AtLeast(25.0),
                until_s: 20,
            },
            Claim {
                set: &[("token_bucket.burst", "1")],
                metric: "token_bucket.max_in_window",
                cmp: Cmp::AtMost(11.0),
                until_s: 20,
            },
        ],
    },
    Step {
        id: "leaky",
        setup: preset("leaky_smooth"),
        targets: &[
            Target::Knob("leaky_bucket.capacity"),
            Target::Lane("leaky_bucket"),
        ],
        wait: Wait::Knob("leaky_bucket.capacity", "40"),
        claims: &[
            Claim {
                set: &[],
                metric: "leaky_bucket.rejected",
                cmp: Cmp::AtLeast(20.0),
                until_s: 20,
            },
            Claim {
                set: &[("leaky_bucket.capacity", "40")],
                metric: "leaky_bucket.rejected",
                cmp: Cmp::AtMost(5.0),
                until_s: 20,
            },
            Claim {
                set: &[("leaky_bucket.capacity", "40")],
                metric: "leaky_bucket.delay_p99_ms",
                cmp: Cmp::AtLeast(2500.0),
                until_s: 20,
            },
        ],
    },
    Step {
        id: "live",
        setup: preset("raise_token_rate"),
        targets: &[Target::Knob("token_bucket.rate_per_s"), Target::Chart(4)],
        wait: Wait::Knob("token_bucket.rate_per_s", "20"),
        claims: &[],
    },
    Step {
        id: "simplify",
        setup: None,
        targets: &[Target::Chart(0)],
        wait: Wait::Read,
        claims: &[],
    },
];
