//! The rate limiters' "why did that happen" lines: a trailing window that lets more than the
//! limit through (once per episode, with the count, the window and the limit, and the rule of the
//! algorithm that let it), and a burst of refusals (once it ends, with its length and span).

use super::Algo;
use crate::kernel::why::{Class, Ent, EntKind, Fmt, Kind};

use Fmt::{Int, Ms, Time};

/// Refusals in a row that make a burst worth a line.
pub(super) const BURST_MIN: u64 = 5;

pub(super) const OVER_FIXED: usize = 0;
pub(super) const OVER_COUNTER: usize = 1;
pub(super) const OVER_TOKEN: usize = 2;
pub(super) const OVER_OTHER: usize = 3;
pub(super) const REFUSED_BURST: usize = 4;

pub(super) const KINDS: &[Kind] = &[
    Kind {
        key: "over_fixed",
        class: Class::OverLimit,
        args: &[Int, Ms, Int],
        english: "fixed window: {0} requests passed in the {1} ending now, over the limit of {2}: the count restarts at every window boundary, so a burst at the end of one window and another at the start of the next both pass",
    },
    Kind {
        key: "over_counter",
        class: Class::OverLimit,
        args: &[Int, Ms, Int],
        english: "sliding counter: {0} requests passed in the {1} ending now, over the limit of {2}: it estimates the previous window's share as if its requests were spread evenly, and they were not",
    },
    Kind {
        key: "over_token",
        class: Class::OverLimit,
        args: &[Int, Ms, Int],
        english: "token bucket: {0} requests passed in the {1} ending now, over the rate's {2}: a full bucket lets a burst through at once, on top of the rate",
    },
    Kind {
        key: "over_other",
        class: Class::OverLimit,
        args: &[Int, Ms, Int],
        english: "{0} requests passed in the {1} ending now, over the limit of {2}",
    },
    Kind {
        key: "refused_burst",
        class: Class::Refused,
        args: &[Int, Time, Ms],
        english: "{0} requests in a row were refused from {1}, over {2}: the limiter had no room left until its window moved on or its tokens came back",
    },
];

/// The kind of an over-the-limit episode of `algo`.
pub(super) fn over_kind(algo: Algo) -> usize {
    match algo {
        Algo::FixedWindow => OVER_FIXED,
        Algo::SlidingCounter => OVER_COUNTER,
        Algo::TokenBucket => OVER_TOKEN,
        _ => OVER_OTHER,
    }
}

pub(super) fn lane(algo: Algo) -> [Ent; 1] {
    [Ent::new(EntKind::Lane, algo.index() as u32)]
}
