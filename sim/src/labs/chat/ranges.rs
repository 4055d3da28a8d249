//! A set of message ids stored as sorted, disjoint, inclusive ranges. Message ids increase within a
//! group, so what a member has, or still owes, is a handful of ranges however many messages there are.

/// Most ranges a set keeps by default; past it the two oldest ranges are merged (the set forgets
/// the hole between them, which then counts as held). The chat model uses this default only for
/// scheme 1's clients, whose holes are losses for good; other sets get larger caps.
pub const MAX_RANGES: usize = 256;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RangeSet {
    ranges: Vec<(u32, u32)>,
    count: u64,
    cap: usize,
}

impl Default for RangeSet {
    fn default() -> Self {
        Self {
            ranges: Vec::new(),
            count: 0,
            cap: MAX_RANGES,
        }
    }
}

impl RangeSet {
    pub fn new() -> Self {
        Self::default()
    }

    /// A set that keeps at most `cap` ranges (at least 2).
    pub fn with_cap(cap: usize) -> Self {
        Self {
            cap: cap.max(2),
            ..Self::default()
        }
    }

    /// Number of ids in the set.
    pub fn len(&self) -> u64 {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    pub fn ranges(&self) -> &[(u32, u32)] {
        &self.ranges
    }

    fn find(&self, id: u32) -> Result<usize, usize> {
        self.ranges.binary_search_by(|&(lo, hi)| {
            if hi < id {
                std::cmp::Ordering::Less
            } else if lo > id {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
    }

    pub fn contains(&self, id: u32) -> bool {
        self.find(id).is_ok()
    }

    /// Adds `id`; returns false if it was already there.
    pub fn insert(&mut self, id: u32) -> bool {
        // Fast path: appending just after the last range.
        if let Some(last) = self.ranges.last_mut() {
            if last.1 != u32::MAX && last.1 + 1 == id {
                last.1 = id;
                self.count += 1;
                return true;
            }
            if id > last.1 {
                self.ranges.push((id, id));
                self.count += 1;
                self.bound();
                return true;
            }
        }
        let i = match self.find(id) {
            Ok(_) => return false,
            Err(i) => i,
        };
        let joins_prev = i > 0 && self.ranges[i - 1].1 + 1 == id;
        let joins_next = i < self.ranges.len() && id + 1 == self.ranges[i].0;
        match (joins_prev, joins_next) {
            (true, true) => {
                self.ranges[i - 1].1 = self.ranges[i].1;
                self.ranges.remove(i);
            }
            (true, false) => self.ranges[i - 1].1 = id,
            (false, true) => self.ranges[i].0 = id,
            (false, false) => self.ranges.insert(i, (id, id)),
        }
        self.count += 1;
        self.bound();
        true
    }

    /// Adds every id in `lo..=hi`; returns how many were new.
    pub fn insert_range(&mut self, lo: u32, hi: u32) -> u64 {
        if lo > hi {
            return 0;
        }
        let n = (hi - lo) as u64 + 1;
        match self.ranges.last_mut() {
            None => self.ranges.push((lo, hi)),
            Some(last) if last.1 < lo && last.1 + 1 < lo => self.ranges.push((lo, hi)),
            Some(last) if last.1 + 1 == lo => last.1 = hi,
            Some(_) => return (lo..=hi).filter(|&id| self.insert(id)).count() as u64,
        }
        self.count += n;
        self.bound();
        n
    }

    /// Removes `id`; returns false if it was not there.
    pub fn remove(&mut self, id: u32) -> bool {
        let Ok(i) = self.find(id) else { return false };
        let (lo, hi) = self.ranges[i];
        if lo == hi {
            self.ranges.remove(i);
        } else if id == lo {
            self.ranges[i].0 = id + 1;
        } else if id == hi {
            self.ranges[i].1 = id - 1;
        } else {
            self.ranges[i].1 = id - 1;
            self.ranges.insert(i + 1, (id + 1, hi));
        }
        self.count -= 1;
        self.bound();
        true
    }

    /// The largest `k` such that `1..=k` are all in the set (0 if 1 is missing).
    pub fn contiguous_max(&self) -> u32 {
        match self.ranges.first() {
            Some(&(1, hi)) => hi,
            _ => 0,
        }
    }

    /// Ids in `1..=upto` that are missing.
    pub fn missing_upto(&self, upto: u32) -> u64 {
        let have: u64 = self
            .ranges
            .iter()
            .filter(|r| r.0 <= upto)
            .map(|&(lo, hi)| (hi.min(upto) - lo) as u64 + 1)
            .sum();
        upto as u64 - have
    }

    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.ranges.iter().flat_map(|&(lo, hi)| lo..=hi)
    }

    pub fn clear(&mut self) {
        self.ranges.clear();
        self.count = 0;
    }

    fn bound(&mut self) {
        while self.ranges.len() > self.cap {
            let (lo, _) = self.ranges[0];
            let (_, hi) = self.ranges[1];
            let gap = (self.ranges[1].0 - self.ranges[0].1 - 1) as u64;
            self.ranges[1] = (lo, hi);
            self.ranges.remove(0);
            self.count += gap;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_remove_and_merge() {
        let mut s = RangeSet::new();
        for id in [1, 2, 3, 7, 5, 6] {
            assert!(s.insert(id));
        }
        assert!(!s.insert(2));
        assert_eq!(s.ranges(), &[(1, 3), (5, 7)]);
        assert_eq!(s.contiguous_max(), 3);
        assert_eq!(s.missing_upto(8), 2);
        assert!(s.insert(4));
        assert_eq!(s.ranges(), &[(1, 7)]);
        assert!(s.remove(4));
        assert_eq!(s.ranges(), &[(1, 3), (5, 7)]);
        assert!(!s.remove(4));
        assert_eq!(s.len(), 6);
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![1, 2, 3, 5, 6, 7]);
    }

    #[test]
    fn insert_range_counts_new_ids() {
        let mut s = RangeSet::new();
        assert_eq!(s.insert_range(1, 10), 10);
        assert_eq!(s.insert_range(5, 12), 2);
        assert_eq!(s.ranges(), &[(1, 12)]);
        assert_eq!(s.insert_range(20, 21), 2);
        assert_eq!(s.len(), 14);
    }

    #[test]
    fn the_number_of_ranges_is_bounded() {
        let mut s = RangeSet::new();
        for i in 0..1000u32 {
            s.insert(i * 2 + 1);
        }
        assert!(s.ranges().len() <= MAX_RANGES);
        assert!(s.contains(1999));
    }
}
