//! The snowflake lab's "why did that happen" lines: every run of ids issued twice, with the
//! worker, its worker id, the timestamp and sequence numbers, and the rule that let it happen (a
//! clock that went back under a policy that ignores it, or a worker id two workers share).

use super::params::Backwards;
use crate::kernel::why::{Class, Ent, EntKind, Fmt, Kind};

use Fmt::{Id, Int};

// Timestamps are written as ids (no separators): they are read against each other.

pub(super) const DUP_CLOCK_BACK: usize = 0;
pub(super) const DUP_SHARED_ID: usize = 1;
pub(super) const DUP_OTHER: usize = 2;

pub(super) const KINDS: &[Kind] = &[
    Kind {
        key: "dup_clock_back",
        class: Class::DuplicateId,
        args: &[Int, Id, Id, Int],
        english: "worker {1} issued {0} id(s) a second time, at timestamp {2} ms from sequence {3}: its clock went back to a millisecond it had already issued ids in, and the policy \"ignore\" issues anyway",
    },
    Kind {
        key: "dup_shared_id",
        class: Class::DuplicateId,
        args: &[Int, Id, Id, Int, Id],
        english: "worker {1} issued {0} id(s) a second time, at timestamp {2} ms from sequence {3}: it shares worker id {4} with another worker, so both issue the same ids in the same millisecond",
    },
    Kind {
        key: "dup_other",
        class: Class::DuplicateId,
        args: &[Int, Id, Id, Int],
        english: "worker {1} issued {0} id(s) a second time, at timestamp {2} ms from sequence {3}: the timestamp bits wrapped around, or a step back was borrowed past",
    },
];

/// The kind of a duplicate issued by `worker` (whose worker id `node` is shared if `shared`)
/// under `policy`.
pub(super) fn dup_kind(shared: bool, policy: Backwards) -> usize {
    if shared {
        DUP_SHARED_ID
    } else if policy == Backwards::Ignore {
        DUP_CLOCK_BACK
    } else {
        DUP_OTHER
    }
}

pub(super) fn ents(lane: usize, worker: usize) -> [Ent; 2] {
    [
        Ent::new(EntKind::Worker, worker as u32),
        Ent::new(EntKind::Lane, lane as u32),
    ]
}
