//! Order: per key (a message processed for the first time after a later one of its key), and
//! across a stream (how far values run out of order: ids that should be roughly time-ordered).

/// Per-key order: each key's messages carry a sequence number 0, 1, 2 ... in the order they were
/// sent; processing one for the first time after a later one of the same key is a violation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyOrder {
    /// Per key: one past the highest sequence number processed.
    next: Vec<u32>,
    violations: u64,
}

impl KeyOrder {
    /// For keys `0..keys`.
    pub fn new(keys: u32) -> Self {
        Self {
            next: vec![0; keys as usize],
            violations: 0,
        }
    }

    /// Message `seq` of `key` processed for the first time; true if out of order (a later message
    /// of the key was processed before it). The same `seq` again is not a violation.
    pub fn processed(&mut self, key: u32, seq: u32) -> bool {
        let slot = &mut self.next[key as usize];
        if seq + 1 < *slot {
            self.violations += 1;
            true
        } else {
            *slot = seq + 1;
            false
        }
    }

    /// The latest message of `key` processed so far (its place among the key's messages).
    pub fn latest(&self, key: u32) -> Option<u32> {
        self.next.get(key as usize).and_then(|&n| n.checked_sub(1))
    }

    pub fn violations(&self) -> u64 {
        self.violations
    }
}

/// How sorted a stream is: a value below the largest seen before it is out of order, by the
/// difference.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sortedness {
    max_seen: Option<u64>,
    seen: u64,
    out_of_order: u64,
    /// Largest (max seen - value) of an out-of-order value.
    worst: u64,
}

impl Sortedness {
    /// Observes the next value; returns by how much it is out of order (0 if in order).
    pub fn observe(&mut self, v: u64) -> u64 {
        self.seen += 1;
        match self.max_seen {
            Some(m) if v < m => {
                self.out_of_order += 1;
                self.worst = self.worst.max(m - v);
                m - v
            }
            _ => {
                self.max_seen = Some(v);
                0
            }
        }
    }

    /// Observes `n` values equal to `v` (a run issued at once).
    pub fn observe_n(&mut self, v: u64, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let behind = self.observe(v);
        self.seen += n - 1;
        if behind > 0 {
            self.out_of_order += n - 1;
        }
        behind
    }

    pub fn seen(&self) -> u64 {
        self.seen
    }

    pub fn out_of_order(&self) -> u64 {
        self.out_of_order
    }

    pub fn worst(&self) -> u64 {
        self.worst
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_key_order() {
        let mut o = KeyOrder::new(2);
        assert!(!o.processed(0, 0));
        assert!(!o.processed(0, 2), "a gap is not a violation");
        assert!(o.processed(0, 1), "1 after 2");
        assert!(!o.processed(1, 0), "keys are independent");
        assert_eq!(o.violations(), 1);
        assert!(
            !o.processed(0, 2),
            "the latest again is not after a later one"
        );
        assert!(o.processed(0, 0));
        assert_eq!(o.violations(), 2);
    }

    #[test]
    fn sortedness_measures_how_far_back() {
        let mut s = Sortedness::default();
        for v in [1, 5, 3, 6, 2, 7] {
            s.observe(v);
        }
        assert_eq!(s.out_of_order(), 2);
        assert_eq!(s.worst(), 4, "2 after 6");
        assert_eq!(s.seen(), 6);
    }
}
