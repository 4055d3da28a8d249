//! The cache lab's "why did that happen" lines: every stale read, with the key, the version it
//! returned, the newer one acknowledged before it started and when, and the race of the lane's
//! strategy that let the old value through. Each lane notes its own; the model gathers them.

use super::params::Strategy;
use crate::kernel::why::{Class, Ent, EntKind, Fmt, Kind};

use Fmt::{Id, Time};

pub(super) const STALE_L1: usize = 0;
pub(super) const STALE_REFILL: usize = 1;
pub(super) const STALE_DELETE_FIRST: usize = 2;
pub(super) const STALE_SET_RACE: usize = 3;
pub(super) const STALE_INVALIDATION_LAG: usize = 4;
pub(super) const STALE_OTHER: usize = 5;

pub(super) const KINDS: &[Kind] = &[
    Kind {
        key: "stale_l1",
        class: Class::Stale,
        args: &[Id, Time, Id, Id, Time, Id],
        english: "read of key {0} at {1} returned v{2} although v{3} was acknowledged at {4}: app server {5}'s local (L1) copy is not invalidated by writes and lives until its TTL",
    },
    Kind {
        key: "stale_refill",
        class: Class::Stale,
        args: &[Id, Time, Id, Id, Time],
        english: "read of key {0} at {1} returned v{2} although v{3} was acknowledged at {4}: the cache was refilled by a read that started before the update",
    },
    Kind {
        key: "stale_delete_first",
        class: Class::Stale,
        args: &[Id, Time, Id, Id, Time],
        english: "read of key {0} at {1} returned v{2} although v{3} was acknowledged at {4}: the cache was deleted before the database was updated, and a read in between put the old value back",
    },
    Kind {
        key: "stale_set_race",
        class: Class::Stale,
        args: &[Id, Time, Id, Id, Time],
        english: "read of key {0} at {1} returned v{2} although v{3} was acknowledged at {4}: two writers set the cache in the other order than they updated the database",
    },
    Kind {
        key: "stale_invalidation_lag",
        class: Class::Stale,
        args: &[Id, Time, Id, Id, Time],
        english: "read of key {0} at {1} returned v{2} although v{3} was acknowledged at {4}: the invalidation was still on its way through the queue",
    },
    Kind {
        key: "stale_other",
        class: Class::Stale,
        args: &[Id, Time, Id, Id, Time],
        english: "read of key {0} at {1} returned v{2} although v{3} was acknowledged at {4}: the cache held a value older than the last acknowledged write (a lost flush, or a node that came back)",
    },
];

/// The kind of a stale read served from the shared cache (or a miss) under `strategy`.
pub(super) fn stale_kind(strategy: Strategy) -> usize {
    match strategy {
        Strategy::UpdateThenDelete | Strategy::ReadThrough => STALE_REFILL,
        Strategy::DeleteThenUpdate | Strategy::DoubleDelete => STALE_DELETE_FIRST,
        Strategy::UpdateThenSet => STALE_SET_RACE,
        Strategy::AsyncInvalidation => STALE_INVALIDATION_LAG,
        _ => STALE_OTHER,
    }
}

pub(super) fn key(k: u32) -> Ent {
    Ent::new(EntKind::Key, k)
}

pub(super) fn node(n: u32) -> Ent {
    Ent::new(EntKind::Node, n)
}

pub(super) fn lane(l: u32) -> Ent {
    Ent::new(EntKind::Lane, l)
}
