//! Exactly-once delivery to the members of a group chat: every message reaches every member once,
//! is shown once, and the unread count a member sees is what it really misses.
//!
//! The lab owns the clients (what each one holds, by msgid) and tells the checker what happened:
//! a message reached a client that lacked it or already had it, a message was lost for good, a
//! reconnecting client was shown an unread count while missing so many. The checker owns the
//! counts and judges them: a delivery of a message the client already had is a duplicate, shown a
//! second time unless the client drops copies by msgid; an unread count that differs from what the
//! client misses is wrong by the difference; and first deliveries plus what clients still miss
//! must add up to what members are owed.

/// Delivery counts of one storage scheme.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Delivery {
    /// Messages a member will never get.
    pub lost: u64,
    /// Messages stored by clients (first delivery).
    pub delivered: u64,
    /// Deliveries of a message the client already had.
    pub duplicates_delivered: u64,
    /// Messages shown to a user a second time (zero while the client dedups by msgid).
    pub shown_twice: u64,
    /// Reconnects at which the unread count the scheme shows was checked, and how many were wrong.
    pub unread_checks: u64,
    pub unread_wrong: u64,
    /// Sum of |shown - true| over the checks.
    pub unread_abs_error: u64,
    /// Clients drop a message they already hold instead of showing it again.
    dedup: bool,
}

/// What a delivery was, as the checker judged it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Receipt {
    /// The client lacked the message: its first delivery.
    First,
    /// The client had it and dropped it by msgid.
    Dropped,
    /// The client had it and showed it again.
    ShownTwice,
}

impl Delivery {
    /// Counts for clients that drop messages they already hold (`dedup`) or show them again.
    pub fn new(dedup: bool) -> Self {
        Self {
            dedup,
            ..Self::default()
        }
    }

    /// A message reached a client; `new` says whether the client lacked it.
    pub fn received(&mut self, new: bool) -> Receipt {
        if new {
            self.delivered += 1;
            return Receipt::First;
        }
        self.duplicates_delivered += 1;
        if self.dedup {
            Receipt::Dropped
        } else {
            self.shown_twice += 1;
            Receipt::ShownTwice
        }
    }

    /// A message that nothing will bring to its member any more.
    pub fn lost(&mut self) {
        self.lost += 1;
    }

    /// A reconnecting client was shown `shown` unread messages while it misses `truth`; true if
    /// the count was right.
    pub fn unread(&mut self, shown: u64, truth: u64) -> bool {
        self.unread_checks += 1;
        if shown == truth {
            return true;
        }
        self.unread_wrong += 1;
        self.unread_abs_error += shown.abs_diff(truth);
        false
    }

    /// First deliveries plus what clients still miss add up to what members are owed (`owed`
    /// deliveries in all): no message counted as delivered twice, none forgotten.
    pub fn accounted(&self, owed: u64, missing: u64) -> bool {
        self.delivered.checked_add(missing) == Some(owed)
    }

    /// At rest: every owed message delivered once and shown once, nothing lost.
    pub fn exactly_once(&self, owed: u64, missing: u64) -> bool {
        missing == 0 && self.lost == 0 && self.shown_twice == 0 && self.accounted(owed, missing)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// A client that holds msgids, fed deliveries: what the lab does with its own clients.
    fn deliver(d: &mut Delivery, client: &mut BTreeSet<u32>, id: u32) -> Receipt {
        d.received(client.insert(id))
    }

    #[test]
    fn a_redelivery_is_a_duplicate_that_dedup_hides() {
        let mut d = Delivery::new(true);
        let mut c = BTreeSet::new();
        assert_eq!(deliver(&mut d, &mut c, 1), Receipt::First);
        assert_eq!(deliver(&mut d, &mut c, 2), Receipt::First);
        // The ack of 2 was lost: the server sends it again.
        assert_eq!(deliver(&mut d, &mut c, 2), Receipt::Dropped);
        assert_eq!(
            (d.delivered, d.duplicates_delivered, d.shown_twice),
            (2, 1, 0)
        );
        assert!(d.exactly_once(2, 0));

        let mut d = Delivery::new(false);
        let mut c = BTreeSet::new();
        for id in [1, 2, 2, 3, 1] {
            deliver(&mut d, &mut c, id);
        }
        assert_eq!(
            (d.delivered, d.duplicates_delivered, d.shown_twice),
            (3, 2, 2)
        );
        assert!(d.accounted(3, 0));
        assert!(!d.exactly_once(3, 0), "shown twice");
    }

    #[test]
    fn first_deliveries_and_missing_add_up_to_what_is_owed() {
        // Two members, three messages from a third: six deliveries owed.
        let mut d = Delivery::new(true);
        let mut a = BTreeSet::new();
        let mut b = BTreeSet::new();
        for id in 1..=3 {
            deliver(&mut d, &mut a, id);
        }
        // b's push of 2 failed, and the scheme keeps no copy: lost for good.
        deliver(&mut d, &mut b, 1);
        d.lost();
        deliver(&mut d, &mut b, 3);
        let missing = |c: &BTreeSet<u32>| (1..=3).filter(|id| !c.contains(id)).count() as u64;
        let miss = missing(&a) + missing(&b);
        assert_eq!(miss, 1);
        assert!(d.accounted(6, miss));
        assert!(!d.exactly_once(6, miss), "a message is lost");
        // A model that counted a redelivery as a first delivery would not add up.
        let mut wrong = d.clone();
        wrong.delivered += 1;
        assert!(!wrong.accounted(6, miss));
        assert!(!d.accounted(6, 0), "a message forgotten by the model");
    }

    #[test]
    fn unread_counts_are_judged_against_what_the_client_misses() {
        let mut d = Delivery::new(true);
        assert!(d.unread(3, 3));
        // Rows kept after a lost ack: the badge says 5, the client misses 2.
        assert!(!d.unread(5, 2));
        // No copy kept after a failed push: the badge says 0, the client misses 1.
        assert!(!d.unread(0, 1));
        assert_eq!(
            (d.unread_checks, d.unread_wrong, d.unread_abs_error),
            (3, 2, 4)
        );
    }
}
