//! Ids issued more than once, remembered within a bounded window.
//!
//! Ids are remembered in insertion order; past `capacity` the oldest are forgotten, so memory is
//! bounded and a duplicate of an id older than the window is missed (the window is sized so that
//! the duplicates a lab can make fall inside it, and says so).

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
}
