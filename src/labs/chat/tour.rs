//! The chat lab's guided tour (see `crate::tour`): the notes' four storage schemes for group
//! messages, why one copy plus a cursor is the answer, and where the notes simplify.

use crate::tour::{preset, Claim, Cmp, Step, Target, Wait};

pub const STEPS: &[Step] = &[
    Step {
        id: "lose",
        setup: preset("push_failures"),
        targets: &[Target::Picture, Target::Lane("offline_copies")],
        wait: Wait::Read,
        claims: &[
            Claim {
                set: &[],
                metric: "offline_copies.lost",
                cmp: Cmp::AtLeast(100.0),
                until_s: 30,
            },
            Claim {
                set: &[],
                metric: "cursor.lost",
                cmp: Cmp::AtMost(0.0),
                until_s: 30,
            },
        ],
    },
    Step {
        id: "fail_more",
        setup: None,
        targets: &[Target::Knob("push_fail_prob"), Target::Lane("offline_copies")],
        wait: Wait::Knob("push_fail_prob", "0.2"),
        claims: &[
            Claim {
                set: &[("push_fail_prob", "0.2")],
                metric: "offline_copies.lost",
                cmp: Cmp::AtLeast(2000.0),
                until_s: 30,
            },
            Claim {
                set: &[("push_fail_prob", "0.2")],
                metric: "copy_per_member.lost",
                cmp: Cmp::AtMost(0.0),
                until_s: 30,
            },
            Claim {
                set: &[("push_fail_prob", "0.2")],
                metric: "cursor.lost",
                cmp: Cmp::AtMost(0.0),
                until_s: 30,
            },
        ],
    },
    Step {
        id: "copies",
        setup: preset("big_group"),
        targets: &[Target::Lane("copy_per_member"), Target::Chart(1)],
        wait: Wait::Read,
        claims: &[
            Claim {
                set: &[],
                metric: "copy_per_member.writes_per_message",
                cmp: Cmp::AtLeast(1000.0),
                until_s: 30,
            },
            Claim {
                set: &[],
                metric: "cursor.writes_per_message",
                cmp: Cmp::AtMost(400.0),
                until_s: 30,
            },
        ],
    },
    Step {
        id: "ids",
        setup: preset("long_offline"),
        targets: &[Target::Lane("unread_ids"), Target::Chart(0)],
        wait: Wait::Read,
        claims: &[
            Claim {
                set: &[],
                metric: "unread_ids.rows_stored",
                cmp: Cmp::AtLeast(50000.0),
                until_s: 60,
            },
            Claim {
                set: &[],
                metric: "cursor.rows_stored",
                cmp: Cmp::AtMost(10000.0),
                until_s: 60,
            },
        ],
    },
    Step {
        id: "cursor",
        setup: preset("lost_acks"),
        targets: &[Target::Knob("client_dedup"), Target::Lane("cursor")],
        wait: Wait::Knob("client_dedup", "false"),
        claims: &[
            Claim {
                set: &[],
                metric: "cursor.duplicates_delivered",
                cmp: Cmp::AtLeast(100.0),
                until_s: 30,
            },
            Claim {
                set: &[],
                metric: "cursor.shown_twice",
                cmp: Cmp::AtMost(0.0),
                until_s: 30,
            },
            Claim {
                set: &[("client_dedup", "false")],
                metric: "cursor.shown_twice",
                cmp: Cmp::AtLeast(100.0),
                until_s: 30,
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
