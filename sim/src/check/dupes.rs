//! Ids issued more than once, remembered within a bounded window.
//!
//! [`Dupes`] remembers single ids in insertion order; past `capacity` the oldest are forgotten, so
//! memory is bounded and a duplicate of an id older than the window is missed (the window is sized
//! so that the duplicates a lab can make fall inside it, and says so).
//!
//! [`PrefixLedger`] counts duplicates among ids made of (node, slot, sequence) where each issuance
//! at a (node, slot) starts at a sequence number and takes a run of them, in O(1) per run whatever
//! its length: it keeps, per node and per slot of the last `window` slots, the highest sequence
//! number issued. Snowflake ids are such runs (slot = millisecond).

use std::collections::{BTreeSet, VecDeque};

/// Duplicate detector over the last `capacity` ids.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dupes {
    seen: BTreeSet<u64>,
    order: VecDeque<u64>,
    capacity: usize,
    issued: u64,
    duplicates: u64,
}

impl Dupes {
    pub fn new(capacity: usize) -> Self {
        Self {
            seen: BTreeSet::new(),
            order: VecDeque::new(),
            capacity: capacity.max(1),
            issued: 0,
            duplicates: 0,
        }
    }

    /// An id was issued; true if it was issued before (within the window).
    pub fn issue(&mut self, id: u64) -> bool {
        self.issued += 1;
        if !self.seen.insert(id) {
            self.duplicates += 1;
            return true;
        }
        self.order.push_back(id);
        if self.order.len() > self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
        false
    }

    pub fn issued(&self) -> u64 {
        self.issued
    }

    pub fn duplicates(&self) -> u64 {
        self.duplicates
    }

    /// Ids remembered now (at most the capacity).
    pub fn remembered(&self) -> usize {
        self.order.len()
    }
}

/// Runs of sequence numbers per (node, slot); counts those issued twice. Exact when every run at a
/// (node, slot) starts at 0 or continues the last one there (what snowflake generators do), and
/// for slots at most `window` behind the newest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrefixLedger {
    window: usize,
    /// Per node: its id and a ring of (slot, sequence numbers issued there: 0..end).
    nodes: Vec<(u64, Vec<(i64, u64)>)>,
    issued: u64,
    duplicates: u64,
}

impl PrefixLedger {
    /// Remembers the last `window` slots of each node.
    pub fn new(window: usize) -> Self {
        Self {
            window: window.max(1),
            nodes: Vec::new(),
            issued: 0,
            duplicates: 0,
        }
    }

    /// `n` sequence numbers from `from` issued at (`node`, `slot`); returns how many of them were
    /// issued before.
    pub fn issue(&mut self, node: u64, slot: i64, from: u64, n: u64) -> u64 {
        let w = self.window;
        let i = match self.nodes.iter().position(|(id, _)| *id == node) {
            Some(i) => i,
            None => {
                self.nodes.push((node, vec![(i64::MIN, 0); w]));
                self.nodes.len() - 1
            }
        };
        let ring = &mut self.nodes[i].1;
        let cell = &mut ring[slot.rem_euclid(w as i64) as usize];
        if cell.0 != slot {
            *cell = (slot, 0);
        }
        let end = from + n;
        let dup = cell.1.min(end).saturating_sub(from);
        cell.1 = cell.1.max(end);
        self.issued += n;
        self.duplicates += dup;
        dup
    }

    pub fn issued(&self) -> u64 {
        self.issued
    }

    pub fn duplicates(&self) -> u64 {
        self.duplicates
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_repeats_within_the_window() {
        let mut d = Dupes::new(3);
        assert!(!d.issue(1));
        assert!(!d.issue(2));
        assert!(d.issue(1));
        assert!(!d.issue(3));
        assert!(!d.issue(4)); // 1 is forgotten now
        assert!(!d.issue(1), "older than the window: missed, by design");
        assert_eq!((d.issued(), d.duplicates()), (6, 1));
        assert!(d.remembered() <= 3);
    }

    #[test]
    fn runs_issued_again_are_counted_once_each() {
        let mut l = PrefixLedger::new(16);
        assert_eq!(l.issue(1, 100, 0, 10), 0);
        assert_eq!(l.issue(1, 100, 10, 5), 0, "a continuation is new");
        assert_eq!(l.issue(1, 101, 0, 3), 0, "next slot starts again");
        assert_eq!(l.issue(1, 100, 0, 4), 4, "a clock stepped back: 0..4 again");
        assert_eq!(l.issue(2, 100, 0, 4), 0, "another node");
        assert_eq!(
            l.issue(2, 100, 0, 20),
            4,
            "a reused node id overlaps what it issued"
        );
        assert_eq!(l.duplicates(), 8);
        assert_eq!(l.issued(), 46);
        // Older than the window: forgotten (the window is chosen wider than any step back).
        assert_eq!(l.issue(1, 100 + 16, 0, 1), 0);
        assert_eq!(l.issue(1, 100, 0, 1), 0);
    }
}
