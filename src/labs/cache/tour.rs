//! The cache lab's guided tour (see `crate::tour`): which update order is stale, a hot key's
//! expiry, an avalanche, penetration, adding a node, and where the notes simplify. Each step runs
//! one lane (`compare=off`) so the user's change shows in it.

use crate::tour::{Claim, Cmp, Setup, Step, Target, Wait};

pub const STEPS: &[Step] = &[
    Step {
        id: "race",
        setup: Some(Setup {
            preset: Some("cache_aside_race"),
            set: &[("compare", "off"), ("strategy", "delete_then_update")],
            seed: None,
            at_ms: None,
        }),
        targets: &[Target::Knob("strategy"), Target::Chart(2)],
        wait: Wait::Knob("strategy", "update_then_delete"),
        claims: &[
            Claim {
                set: &[],
                metric: "as_set.stale_reads",
                cmp: Cmp::AtLeast(10_000.0),
                until_s: 20,
            },
            Claim {
                set: &[("strategy", "update_then_delete")],
                metric: "as_set.stale_reads",
                cmp: Cmp::AtMost(3_000.0),
                until_s: 20,
            },
            Claim {
                set: &[("strategy", "update_then_delete")],
                metric: "as_set.stale_reads",
                cmp: Cmp::AtLeast(1.0),
                until_s: 20,
            },
        ],
    },
    Step {
        id: "double",
        setup: None,
        targets: &[Target::Knob("strategy"), Target::Chart(2)],
        wait: Wait::Knob("strategy", "double_delete"),
        claims: &[Claim {
            set: &[("strategy", "double_delete")],
            metric: "as_set.max_staleness_ms",
            cmp: Cmp::AtMost(100.0),
            until_s: 20,
        }],
    },
    Step {
        id: "hot",
        setup: Some(Setup {
            preset: Some("hot_key_expiry"),
            set: &[("compare", "off")],
            seed: None,
            at_ms: None,
        }),
        targets: &[Target::Knob("miss_guard"), Target::Chart(0)],
        wait: Wait::Knob("miss_guard", "mutex"),
        claims: &[
            Claim {
                set: &[],
                metric: "as_set.hot_key_max_loads",
                cmp: Cmp::AtLeast(20.0),
                until_s: 20,
            },
            Claim {
                set: &[("miss_guard", "mutex")],
                metric: "as_set.hot_key_max_loads",
                cmp: Cmp::AtMost(1.0),
                until_s: 20,
            },
        ],
    },
    Step {
        id: "avalanche",
        setup: Some(Setup {
            preset: Some("avalanche"),
            set: &[("compare", "off"), ("ttl_jitter", "0"), ("l1_keys", "0")],
            seed: None,
            at_ms: None,
        }),
        targets: &[Target::Knob("ttl_jitter"), Target::Chart(0)],
        wait: Wait::Knob("ttl_jitter", "1"),
        claims: &[
            Claim {
                set: &[],
                metric: "as_set.db_overload_ms",
                cmp: Cmp::AtLeast(500.0),
                until_s: 20,
            },
            Claim {
                set: &[("ttl_jitter", "1")],
                metric: "as_set.db_overload_ms",
                cmp: Cmp::AtMost(0.0),
                until_s: 20,
            },
        ],
    },
    Step {
        id: "penetration",
        setup: Some(Setup {
            preset: Some("penetration"),
            set: &[
                ("compare", "off"),
                ("bloom_filter", "false"),
                ("cache_null", "false"),
            ],
            seed: None,
            at_ms: None,
        }),
        targets: &[Target::Knob("cache_null"), Target::Chart(0)],
        wait: Wait::Knob("cache_null", "true"),
        claims: &[
            Claim {
                set: &[],
                metric: "as_set.db_queries",
                cmp: Cmp::AtLeast(30_000.0),
                until_s: 20,
            },
            Claim {
                set: &[("cache_null", "true")],
                metric: "as_set.db_queries",
                cmp: Cmp::AtMost(15_000.0),
                until_s: 20,
            },
        ],
    },
    Step {
        id: "ring",
        setup: Some(Setup {
            preset: Some("consistent_hashing"),
            set: &[("compare", "off"), ("hashing", "mod_n"), ("ring_change", "none")],
            seed: None,
            at_ms: None,
        }),
        targets: &[Target::Action("add-node"), Target::Chart(0)],
        wait: Wait::Action("add-node"),
        claims: &[
            // The button's effect, as the same change at 5 s: about 4 keys in 5 move.
            Claim {
                set: &[("ring_change", "add_node"), ("ring_change_at_ms", "5000")],
                metric: "as_set.keys_moved",
                cmp: Cmp::AtLeast(12_000.0),
                until_s: 10,
            },
            // On the ring, about 1 in 5.
            Claim {
                set: &[
                    ("hashing", "ring"),
                    ("ring_change", "add_node"),
                    ("ring_change_at_ms", "5000"),
                ],
                metric: "as_set.keys_moved",
                cmp: Cmp::AtMost(6_000.0),
                until_s: 10,
            },
        ],
    },
    Step {
        id: "simplify",
        setup: None,
        targets: &[Target::Results],
        wait: Wait::Read,
        claims: &[],
    },
];
