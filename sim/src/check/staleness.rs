//! Stale reads: every key has versions (committed by the store, acknowledged to a writer); a read
//! that started after a write was acknowledged and returned an older version is stale, and it is
//! as stale as the time since the first newer version was acknowledged.
//!
//! The lab feeds it: a commit ([`Staleness::commit`]), an acknowledgement ([`Staleness::ack`]),
//! the start of a read ([`Staleness::read_started`], whose answer the read carries) and the version
//! it returned ([`Staleness::read_returned`]). Keys are indices `0..keys`.

use crate::kernel::time::Nanos;

/// Acknowledgement times kept per key: the last this many versions (at index version % RECENT).
const RECENT: usize = 4;

/// Versions per key and the stale reads seen.
#[derive(Clone, Debug)]
pub struct Staleness {
    /// Newest version committed, per key.
    committed: Vec<u32>,
    /// Newest version acknowledged, per key.
    acked: Vec<u32>,
    /// (version, acknowledged at) of the last versions acknowledged, at index version % RECENT.
    ack_times: Vec<[(u32, Nanos); RECENT]>,
    stale_reads: u64,
    max_behind_ns: Nanos,
}

impl Staleness {
    /// Keys `0..keys`, every one at version 0, committed and acknowledged.
    pub fn new(keys: usize) -> Self {
        Self {
            committed: vec![0; keys],
            acked: vec![0; keys],
            ack_times: vec![[(0, 0); RECENT]; keys],
            stale_reads: 0,
            max_behind_ns: 0,
        }
    }

    /// The store committed version `ver` of `key` (an older one arriving late changes nothing).
    pub fn commit(&mut self, key: u32, ver: u32) {
        let c = &mut self.committed[key as usize];
        *c = (*c).max(ver);
    }

    /// A writer was told that version `ver` of `key` is written, at `at`.
    pub fn ack(&mut self, key: u32, ver: u32, at: Nanos) {
        let k = key as usize;
        self.acked[k] = self.acked[k].max(ver);
        self.ack_times[k][ver as usize % RECENT] = (ver, at);
    }

    /// A read of `key` starts: the version it must see at least (the newest acknowledged now). The
    /// read carries it to [`Staleness::read_returned`].
    pub fn read_started(&self, key: u32) -> u32 {
        self.acked[key as usize]
    }

    /// A read of `key` that had to see `must_see` returned version `ver` at `now`: if older, it
    /// is stale, and the answer is how long it was behind (since the first newer version was
    /// acknowledged, among those remembered; 0 if none is).
    pub fn read_returned(
        &mut self,
        key: u32,
        must_see: u32,
        ver: u32,
        now: Nanos,
    ) -> Option<Nanos> {
        if ver >= must_see {
            return None;
        }
        let since = self.ack_times[key as usize]
            .iter()
            .filter(|&&(v, _)| v > ver)
            .map(|&(_, t)| t)
            .min()
            .unwrap_or(now);
        let behind = now - since;
        self.stale_reads += 1;
        self.max_behind_ns = self.max_behind_ns.max(behind);
        Some(behind)
    }

    /// Newest version of `key` committed.
    pub fn committed(&self, key: u32) -> u32 {
        self.committed[key as usize]
    }

    /// Newest version of `key` acknowledged.
    pub fn acked(&self, key: u32) -> u32 {
        self.acked[key as usize]
    }

    /// Reads that returned a version older than one acknowledged before they started.
    pub fn stale_reads(&self) -> u64 {
        self.stale_reads
    }

    /// Longest time a stale read was behind.
    pub fn max_behind_ns(&self) -> Nanos {
        self.max_behind_ns
    }

    /// Keys with a version acknowledged that the store has not committed (a write acknowledged
    /// before it is durable: write-behind does that by design).
    pub fn acked_ahead(&self) -> u64 {
        self.acked
            .iter()
            .zip(&self.committed)
            .filter(|(a, c)| a > c)
            .count() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_started_after_an_ack_that_returns_older_is_stale() {
        let mut s = Staleness::new(2);
        s.commit(0, 1);
        s.ack(0, 1, 10);
        let must = s.read_started(0);
        assert_eq!(must, 1);
        assert_eq!(
            s.read_returned(0, must, 0, 30),
            Some(20),
            "behind since the ack at 10"
        );
        assert_eq!(
            s.read_returned(0, must, 1, 31),
            None,
            "the acknowledged version"
        );
        assert_eq!((s.stale_reads(), s.max_behind_ns()), (1, 20));
        // The other key is untouched.
        assert_eq!(s.read_started(1), 0);
        assert_eq!(s.read_returned(1, 0, 0, 40), None);
    }

    #[test]
    fn a_read_started_before_the_ack_is_not_stale() {
        let mut s = Staleness::new(1);
        let must = s.read_started(0);
        s.commit(0, 1);
        s.ack(0, 1, 10);
        assert_eq!(s.read_returned(0, must, 0, 20), None);
        assert_eq!(s.stale_reads(), 0);
    }

    #[test]
    fn staleness_counts_from_the_first_newer_version_acknowledged() {
        let mut s = Staleness::new(1);
        for (v, t) in [(1, 100), (2, 150), (3, 400)] {
            s.commit(0, v);
            s.ack(0, v, t);
        }
        let must = s.read_started(0);
        assert_eq!(must, 3);
        assert_eq!(s.read_returned(0, must, 0, 500), Some(400), "v1 at 100");
        assert_eq!(s.read_returned(0, must, 1, 500), Some(350), "v2 at 150");
        assert_eq!(s.read_returned(0, must, 2, 500), Some(100), "v3 at 400");
        assert_eq!((s.stale_reads(), s.max_behind_ns()), (3, 400));
    }

    #[test]
    fn only_the_last_acks_are_remembered() {
        let mut s = Staleness::new(1);
        for v in 1..=5u32 {
            s.commit(0, v);
            s.ack(0, v, v as Nanos * 10);
        }
        // v1's time (10) was overwritten by v5's: the oldest newer one remembered is v2 at 20.
        assert_eq!(s.read_returned(0, 5, 0, 100), Some(80));
    }

    #[test]
    fn commits_only_move_forward_and_acks_may_run_ahead() {
        let mut s = Staleness::new(2);
        s.commit(0, 3);
        s.commit(0, 2); // a late flush of an older version
        assert_eq!(s.committed(0), 3);
        s.ack(1, 1, 5); // acknowledged before it is committed (write-behind)
        assert_eq!((s.acked(1), s.committed(1)), (1, 0));
        assert_eq!(s.acked_ahead(), 1);
        s.commit(1, 1);
        assert_eq!(s.acked_ahead(), 0);
    }
}
