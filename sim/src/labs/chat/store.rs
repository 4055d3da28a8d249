//! The offline store a scheme pulls from: it reads so many rows per second, each query costs a
//! fixed number of rows' worth of reading, and pulls wait for one another (one queue per scheme,
//! so the schemes do not slow each other down).

use super::Scheme;
use crate::kernel::time::{Nanos, NS_PER_S};

/// One scheme's store: its read capacity and when it is next free.
#[derive(Clone, Debug)]
pub(super) struct Store {
    layout: Scheme,
    rows_per_s: u32,
    query_cost_rows: u32,
    busy_until: Nanos,
}

/// A pull the store accepted: the rows it reads, and when they are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Pull {
    pub rows: u64,
    pub done: Nanos,
}

impl Store {
    pub fn new(layout: Scheme, rows_per_s: u32, query_cost_rows: u32) -> Self {
        Self {
            layout,
            rows_per_s,
            query_cost_rows,
            busy_until: 0,
        }
    }

    /// A pull of `n` messages asked for at `now` (a gap pull if `gap`, else a reconnect pull):
    /// the rows and queries the scheme's layout needs, served after the pulls before it.
    pub fn pull(&mut self, now: Nanos, n: u64, gap: bool) -> Pull {
        let (rows, queries) = match self.layout {
            Scheme::OfflineCopies | Scheme::CopyPerMember => (n, 1),
            // Read the id set, then the messages by id, in batches of 100.
            Scheme::UnreadIds => (2 * n, 1 + n.div_ceil(100)),
            // Read the cursor, then one range scan.
            Scheme::Cursor => (if gap { n } else { n + 1 }, if gap { 1 } else { 2 }),
        };
        let cost = rows + queries * self.query_cost_rows as u64;
        let service = (cost as u128 * NS_PER_S as u128 / self.rows_per_s as u128) as Nanos;
        let done = self.busy_until.max(now) + service;
        self.busy_until = done;
        Pull { rows, done }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pulls_queue_behind_each_other_and_cost_by_layout() {
        // 1,000 rows per second, 10 rows per query.
        let mut s = Store::new(Scheme::CopyPerMember, 1_000, 10);
        let a = s.pull(0, 90, false);
        assert_eq!(a, Pull { rows: 90, done: NS_PER_S / 10 });
        // Asked at once: it waits for the first.
        let b = s.pull(0, 90, false);
        assert_eq!(b.done, 2 * NS_PER_S / 10);
        // Asked after the store is free again: served at once.
        let c = s.pull(NS_PER_S, 0, false);
        assert_eq!(c.done, NS_PER_S + NS_PER_S / 100);

        let mut ids = Store::new(Scheme::UnreadIds, 1_000, 10);
        let p = ids.pull(0, 150, false);
        assert_eq!(p.rows, 300, "the ids, then the messages");
        assert_eq!(p.done, (300 + 3 * 10) * NS_PER_S / 1_000);

        let mut cur = Store::new(Scheme::Cursor, 1_000, 0);
        assert_eq!(cur.pull(0, 5, false).rows, 6, "the cursor, then the messages");
        assert_eq!(cur.pull(0, 5, true).rows, 5, "a gap: only the messages");
    }
}
