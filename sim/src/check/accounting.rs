//! Every request ends exactly once: opened = closed (by outcome) + still open.

/// A ledger of requests by outcome. `N` outcomes (accepted, rejected, ...), counted in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ledger<const N: usize> {
    opened: u64,
    closed: [u64; N],
    /// Closings with nothing open: a request ended twice (or never started).
    overclosed: u64,
}

impl<const N: usize> Default for Ledger<N> {
    fn default() -> Self {
        Self {
            opened: 0,
            closed: [0; N],
            overclosed: 0,
        }
    }
}

impl<const N: usize> Ledger<N> {
    pub fn open(&mut self) {
        self.opened += 1;
    }

    /// A request ended with outcome `k`.
    pub fn close(&mut self, k: usize) {
        if self.open_now() == 0 {
            self.overclosed += 1;
        }
        self.closed[k] += 1;
    }

    pub fn opened(&self) -> u64 {
        self.opened
    }

    pub fn closed(&self, k: usize) -> u64 {
        self.closed[k]
    }

    /// Requests opened and not yet closed.
    pub fn open_now(&self) -> u64 {
        self.opened.saturating_sub(self.closed.iter().sum::<u64>())
    }

    /// Every request closed at most once, and `in_flight` (what the model says is still open)
    /// matches what is open.
    pub fn balanced(&self, in_flight: u64) -> bool {
        self.overclosed == 0 && self.open_now() == in_flight
    }
}

/// `total` equals the sum of `parts`: the accounting of a lab that keeps its own counts.
pub fn sums_to(total: u64, parts: &[u64]) -> bool {
    parts.iter().try_fold(0u64, |a, &p| a.checked_add(p)) == Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balanced_when_every_request_ends_once() {
        let mut l = Ledger::<2>::default();
        l.open();
        l.open();
        l.open();
        l.close(0);
        l.close(1);
        assert_eq!(l.open_now(), 1);
        assert!(l.balanced(1));
        assert!(!l.balanced(0), "the model lost track of one");
        l.close(0);
        l.close(0);
        assert!(!l.balanced(0), "one ended twice");
    }

    #[test]
    fn sums() {
        assert!(sums_to(10, &[3, 7]));
        assert!(!sums_to(10, &[3, 6]));
        assert!(!sums_to(u64::MAX, &[u64::MAX, 1]));
    }
}
