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
pub(super) const REFUSED_FIXED: usize = 4;

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
        key: "refused_fixed",
        class: Class::Refused,
        args: &[Int, Time, Ms],
        english: "fixed window: {0} requests in a row were refused from {1}, over {2}: the window's quota was used up, and only the next boundary frees it",
    },
    Kind {
        key: "refused_log",
        class: Class::Refused,
        args: &[Int, Time, Ms],
        english: "sliding log: {0} requests in a row were refused from {1}, over {2}: the log held the limit's worth of the last window, and room comes back only as the oldest leave it",
    },
    Kind {
        key: "refused_counter",
        class: Class::Refused,
        args: &[Int, Time, Ms],
        english: "sliding counter: {0} requests in a row were refused from {1}, over {2}: this window's count plus the previous window's share was at the limit",
    },
    Kind {
        key: "refused_token",
        class: Class::Refused,
        args: &[Int, Time, Ms],
        english: "token bucket: {0} requests in a row were refused from {1}, over {2}: the bucket was empty, and tokens come back only at the refill rate",
    },
    Kind {
        key: "refused_leaky",
        class: Class::Refused,
        args: &[Int, Time, Ms],
        english: "leaky bucket: {0} requests in a row were dropped from {1}, over {2}: its queue was full, and it drains only at the leak rate",
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

/// The kind of a burst of refusals of `algo`.
pub(super) fn refused_kind(algo: Algo) -> usize {
    REFUSED_FIXED + algo.index()
}

pub(super) fn lane(algo: Algo) -> [Ent; 1] {
    [Ent::new(EntKind::Lane, algo.index() as u32)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_algorithm_has_its_own_refusal_line() {
        let keys: Vec<&str> = Algo::ALL.iter().map(|&a| KINDS[refused_kind(a)].key).collect();
        assert_eq!(
            keys,
            ["refused_fixed", "refused_log", "refused_counter", "refused_token", "refused_leaky"]
        );
        assert_eq!(KINDS[over_kind(Algo::FixedWindow)].key, "over_fixed");
        assert_eq!(KINDS[over_kind(Algo::TokenBucket)].key, "over_token");
    }
}
