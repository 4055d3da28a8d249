//! The event queue: events ordered by virtual time, then by rank (a lab may order simultaneous
//! events by kind, such as the cache lab's lanes), then by insertion order (FIFO), so a run is
//! deterministic whatever the event type.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::time::Nanos;

#[derive(Clone)]
struct Entry<E> {
    at: Nanos,
    rank: u32,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.at == other.at && self.rank == other.rank && self.seq == other.seq
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    // BinaryHeap is a max-heap: reverse so the earliest (then lowest rank, then first inserted)
    // pops first.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .at
            .cmp(&self.at)
            .then_with(|| other.rank.cmp(&self.rank))
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

/// A priority queue of timed events with a hard capacity.
#[derive(Clone)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    next_seq: u64,
    capacity: usize,
}

/// Returned when pushing into a full queue: the model must treat this as back-pressure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueFull;

impl<E> EventQueue<E> {
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            heap: BinaryHeap::with_capacity(capacity.min(4096)),
            next_seq: 0,
            capacity,
        }
    }

    /// Schedules `event` at virtual time `at`.
    pub fn push(&mut self, at: Nanos, event: E) -> Result<(), QueueFull> {
        self.push_ranked(at, 0, event)
    }

    /// Schedules `event` at virtual time `at`; among events due at the same time, lower ranks
    /// pop first.
    pub fn push_ranked(&mut self, at: Nanos, rank: u32, event: E) -> Result<(), QueueFull> {
        if self.heap.len() >= self.capacity {
            return Err(QueueFull);
        }
        self.heap.push(Entry {
            at,
            rank,
            seq: self.next_seq,
            event,
        });
        self.next_seq += 1;
        Ok(())
    }

    /// Time of the earliest event, if any.
    pub fn peek_time(&self) -> Option<Nanos> {
        self.heap.peek().map(|e| e.at)
    }

    /// Removes and returns the earliest event if it is due at or before `until`.
    pub fn pop_due(&mut self, until: Nanos) -> Option<(Nanos, E)> {
        if self.heap.peek()?.at <= until {
            self.heap.pop().map(|e| (e.at, e.event))
        } else {
            None
        }
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Keeps only the events for which `keep` is true (O(n); for compaction when full).
    pub fn retain(&mut self, mut keep: impl FnMut(&E) -> bool) {
        self.heap.retain(|e| keep(&e.event));
    }

    pub fn clear(&mut self) {
        self.heap.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_time_order_then_fifo() {
        let mut q = EventQueue::with_capacity(16);
        q.push(30, "c").unwrap();
        q.push(10, "a1").unwrap();
        q.push(20, "b").unwrap();
        q.push(10, "a2").unwrap();
        let mut out = vec![];
        while let Some((t, e)) = q.pop_due(u64::MAX) {
            out.push((t, e));
        }
        assert_eq!(out, vec![(10, "a1"), (10, "a2"), (20, "b"), (30, "c")]);
    }

    #[test]
    fn pop_due_respects_the_horizon() {
        let mut q = EventQueue::with_capacity(4);
        q.push(5, 1).unwrap();
        q.push(15, 2).unwrap();
        assert_eq!(q.pop_due(10), Some((5, 1)));
        assert_eq!(q.pop_due(10), None);
        assert_eq!(q.peek_time(), Some(15));
    }

    #[test]
    fn retain_keeps_order_of_what_remains() {
        let mut q = EventQueue::with_capacity(8);
        for (t, e) in [(3, 3), (1, 1), (2, 2), (4, 4)] {
            q.push(t, e).unwrap();
        }
        q.retain(|e| e % 2 == 0);
        assert_eq!(q.pop_due(10), Some((2, 2)));
        assert_eq!(q.pop_due(10), Some((4, 4)));
        assert!(q.is_empty());
    }

    #[test]
    fn rank_orders_simultaneous_events() {
        let mut q = EventQueue::with_capacity(8);
        q.push_ranked(5, 2, "late rank").unwrap();
        q.push_ranked(5, 0, "first").unwrap();
        q.push_ranked(4, 9, "earlier time").unwrap();
        q.push_ranked(5, 0, "second").unwrap();
        let order: Vec<_> = std::iter::from_fn(|| q.pop_due(10).map(|(_, e)| e)).collect();
        assert_eq!(order, ["earlier time", "first", "second", "late rank"]);
    }

    #[test]
    fn capacity_is_enforced() {
        let mut q = EventQueue::with_capacity(2);
        q.push(1, ()).unwrap();
        q.push(2, ()).unwrap();
        assert_eq!(q.push(3, ()), Err(QueueFull));
    }
}
