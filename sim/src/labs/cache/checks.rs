//! The checks one lane feeds, as its requests go: stale reads ([`crate::check::staleness`]) and
//! every request ending exactly once ([`crate::check::accounting`]).

use crate::check::accounting::Ledger;
use crate::check::staleness::Staleness;
use crate::kernel::time::Nanos;

/// How a client request ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum End {
    HitL1,
    HitCache,
    Filtered,
    /// Answered from the database after a miss (or with no cache).
    Miss,
    ReadError,
    WriteAcked,
    WriteError,
}

const ENDS: usize = 7;

#[derive(Clone)]
pub(super) struct LaneChecks {
    staleness: Staleness,
    ledger: Ledger<ENDS>,
}

impl LaneChecks {
    /// For keys `0..keys`.
    pub fn new(keys: usize) -> Self {
        Self {
            staleness: Staleness::new(keys),
            ledger: Ledger::default(),
        }
    }

    /// A client request arrived.
    pub fn opened(&mut self) {
        self.ledger.open();
    }

    /// A client request ended.
    pub fn ended(&mut self, how: End) {
        self.ledger.close(how as usize);
    }

    /// Every request ended at most once, and those not ended are the `in_flight` ones.
    pub fn accounted(&self, in_flight: u64) -> bool {
        self.ledger.balanced(in_flight)
    }

    /// The database committed version `ver` of existing key `key`.
    pub fn committed(&mut self, key: u32, ver: u32) {
        self.staleness.commit(key, ver);
    }

    /// A write of version `ver` of existing key `key` was acknowledged at `at`.
    pub fn acked(&mut self, key: u32, ver: u32, at: Nanos) {
        self.staleness.ack(key, ver, at);
    }

    /// A read of existing key `key` starts: the version it must see at least.
    pub fn read_started(&self, key: u32) -> u32 {
        self.staleness.read_started(key)
    }

    /// A read of existing key `key` returned version `ver`: how far behind it was, if stale.
    pub fn read_returned(&mut self, key: u32, must_see: u32, ver: u32, now: Nanos) -> Option<Nanos> {
        self.staleness.read_returned(key, must_see, ver, now)
    }

    /// (committed, newest acknowledged) versions of existing key `key`.
    pub fn versions(&self, key: u32) -> (u32, u32) {
        (self.staleness.committed(key), self.staleness.acked(key))
    }
}
