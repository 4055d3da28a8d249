//! The queue lab's "why did that happen" lines: each counted loss, duplicate, out-of-order
//! processing, dead letter, expiry and election, with the rule that made it happen and its
//! numbers. Noted where the model counts them (`cluster`, `producer`, `group`).

use crate::kernel::why::{Class, Ent, EntKind, Fmt, Kind};

use Fmt::{Id, Int, Ms};

pub(super) const LOST_CUT: usize = 0;
pub(super) const LOST_UNCLEAN: usize = 1;
pub(super) const LOST_DEAD_LEADER: usize = 2;
pub(super) const LOST_ON_THE_WAY: usize = 3;
pub(super) const LOST_ACKED_LATE: usize = 4;
pub(super) const LOST_COMMITTED: usize = 5;
pub(super) const DUP_WRITTEN: usize = 6;
pub(super) const DUP_PROCESSED: usize = 7;
pub(super) const REORDER_RETRY: usize = 8;
pub(super) const REORDER_SPREAD: usize = 9;
pub(super) const REORDER_OTHER: usize = 10;
pub(super) const DEAD_LETTER: usize = 11;
pub(super) const EXPIRED_TTL: usize = 12;
pub(super) const EXPIRED_RETENTION: usize = 13;
pub(super) const ELECTED: usize = 14;
pub(super) const ELECTED_UNCLEAN: usize = 15;

pub(super) const KINDS: &[Kind] = &[
    Kind {
        key: "lost_cut",
        class: Class::Lost,
        args: &[Int, Id, Id, Id, Id, Int],
        english: "offset {0} of partition {1} was acknowledged by leader broker {2} with acks={3} and never copied before it crashed: broker {4} took over holding only the offsets below {5}",
    },
    Kind {
        key: "lost_unclean",
        class: Class::Lost,
        args: &[Int, Id, Id, Int],
        english: "offset {0} of partition {1} was cut when broker {2}, out of sync, was elected leader (unclean election allowed) with its log ending at offset {3}",
    },
    Kind {
        key: "lost_dead_leader",
        class: Class::Lost,
        args: &[Int, Id, Id],
        english: "message {0} was sent with acks=0 to broker {1}, leader of partition {2}, which had crashed: no answer comes with acks=0, and the producer counted it sent",
    },
    Kind {
        key: "lost_on_the_way",
        class: Class::Lost,
        args: &[Int, Id],
        english: "message {0} to partition {1} was sent with acks=0 and lost on the way (network or no leader): no answer comes with acks=0, and the producer counted it sent",
    },
    Kind {
        key: "lost_acked_late",
        class: Class::Lost,
        args: &[Int, Id],
        english: "message {0} of partition {1} was acknowledged after an election had already cut its only copy",
    },
    Kind {
        key: "lost_committed",
        class: Class::Lost,
        args: &[Int, Id, Id],
        english: "offset {0} of partition {1} was committed before consumer {2} processed it; after the rebalance the new owner starts past it, so nobody processes it",
    },
    Kind {
        key: "dup_written",
        class: Class::Duplicate,
        args: &[Int, Int, Id],
        english: "message {0} was written a second time, at offset {1} of partition {2}: a retry without idempotence, after the first write landed but its answer did not come back in time",
    },
    Kind {
        key: "dup_processed",
        class: Class::Duplicate,
        args: &[Int, Int, Id, Id],
        english: "message {0} at offset {1} of partition {2} was processed a second time, by consumer {3}: it was written twice, or processed but not committed before its partition moved",
    },
    Kind {
        key: "reorder_retry",
        class: Class::OutOfOrder,
        args: &[Int, Id, Int, Id],
        english: "message {0} of key {1} was processed after message {2} of the same key: with max.in.flight={3} and retries without idempotence, a retried batch landed behind later ones",
    },
    Kind {
        key: "reorder_spread",
        class: Class::OutOfOrder,
        args: &[Int, Id, Int],
        english: "message {0} of key {1} was processed after message {2} of the same key: without a key the partitioner spreads one user's messages over partitions, read in parallel",
    },
    Kind {
        key: "reorder_other",
        class: Class::OutOfOrder,
        args: &[Int, Id, Int],
        english: "message {0} of key {1} was processed after message {2} of the same key: a write cut by an election, or a message sent again, came back behind later ones",
    },
    Kind {
        key: "dead_letter",
        class: Class::DeadLetter,
        args: &[Int, Int, Id, Id, Int],
        english: "message {0} at offset {1} of partition {2} failed at consumer {3} {4} times and went to the dead-letter queue",
    },
    Kind {
        key: "expired_ttl",
        class: Class::Expired,
        args: &[Int, Id, Ms, Ms],
        english: "message {0} of partition {1} expired unprocessed: it was {2} old when read, and the TTL is {3}",
    },
    Kind {
        key: "expired_retention",
        class: Class::Expired,
        args: &[Int, Id, Int],
        english: "message {0} of partition {1} was deleted by retention (the log keeps {2} records) before anyone read it",
    },
    Kind {
        key: "elected",
        class: Class::Election,
        args: &[Id, Id, Int, Int],
        english: "partition {0}: broker {1}, in sync, was elected leader; {2} records past its log end (offset {3}) were cut",
    },
    Kind {
        key: "elected_unclean",
        class: Class::Election,
        args: &[Id, Id, Int, Int],
        english: "partition {0}: no in-sync replica was up, so broker {1}, out of sync, was elected leader (unclean election); {2} records past its log end (offset {3}) were cut",
    },
];

pub(super) fn broker(b: u32) -> Ent {
    Ent::new(EntKind::Broker, b)
}

pub(super) fn partition(p: u32) -> Ent {
    Ent::new(EntKind::Partition, p)
}

pub(super) fn consumer(c: u32) -> Ent {
    Ent::new(EntKind::Consumer, c)
}

pub(super) fn key(k: u32) -> Ent {
    Ent::new(EntKind::Key, k)
}

pub(super) fn producer(p: u32) -> Ent {
    Ent::new(EntKind::Producer, p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_match_the_table() {
        let keys = [
            (LOST_CUT, "lost_cut"),
            (LOST_UNCLEAN, "lost_unclean"),
            (LOST_DEAD_LEADER, "lost_dead_leader"),
            (LOST_ON_THE_WAY, "lost_on_the_way"),
            (LOST_ACKED_LATE, "lost_acked_late"),
            (LOST_COMMITTED, "lost_committed"),
            (DUP_WRITTEN, "dup_written"),
            (DUP_PROCESSED, "dup_processed"),
            (REORDER_RETRY, "reorder_retry"),
            (REORDER_SPREAD, "reorder_spread"),
            (REORDER_OTHER, "reorder_other"),
            (DEAD_LETTER, "dead_letter"),
            (EXPIRED_TTL, "expired_ttl"),
            (EXPIRED_RETENTION, "expired_retention"),
            (ELECTED, "elected"),
            (ELECTED_UNCLEAN, "elected_unclean"),
        ];
        assert_eq!(keys.len(), KINDS.len());
        for (i, k) in keys {
            assert_eq!(KINDS[i].key, k);
        }
    }
}
