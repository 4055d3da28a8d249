//! Message fates: what became of every message a lab sends, from `send()` to its processing, over a
//! bounded window of the most recent message ids.
//!
//! The lab feeds it events: a message was sent; its send was reported ok or failed; an attempt to
//! write it is in transit, arrived, or ended with no copy (lost on the way, refused); a copy was
//! added to a log, removed (an election cut the log) or trimmed (retention); it was delivered,
//! processed, committed past without being processed, expired, dead-lettered, or sent again (a
//! replay). From these it counts, as they happen:
//!
//! - **lost silently**: reported sent (or, fire-and-forget, never reported anything but a success)
//!   yet gone from every log with no attempt still on its way, or committed past, and never
//!   processed, expired or dead-lettered. A message counted lost that later turns up (a stray
//!   earlier attempt lands and is processed) is uncounted, so the live count equals the exact final
//!   check once the run is at rest;
//! - messages **written twice** (appended while another copy was in a log, or after being
//!   processed), **delivered twice** and **processed twice** (counted per extra time);
//! - ids touched after they left the window (their fates are final: nothing changes them).
//!
//! [`Fates::final_check`] gives the exact counts over the window, to call once the run is quiet.
//!
//! Ids are issued densely from 0 ([`Fates::sent`] with the next id); the window holds the last
//! `window` ids (a power of two) in a ring, 10 bytes each, which grows to its size as ids are
//! issued.

/// Reported sent ok.
const F_SUCCESS: u8 = 1;
/// Reported failed.
const F_FAILED: u8 = 2;
/// No copy in any log and no attempt on its way.
const F_GONE: u8 = 4;
/// The group committed past it before it was processed.
const F_SKIPPED: u8 = 8;
/// Counted lost (now).
const F_LOST: u8 = 16;
const F_EXPIRED: u8 = 32;
const F_DEAD: u8 = 64;
/// Written to a log while another copy was there (or after it was processed).
const F_DUPW: u8 = 128;

#[derive(Clone, Copy, Debug, Default)]
struct Fate {
    /// Copies in the logs.
    copies: u16,
    /// Attempts to write it on their way.
    in_transit: u16,
    delivered: u16,
    processed: u16,
    flags: u8,
}

/// The exact checks over the window, once the run is at rest.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FinalCheck {
    /// Reported sent, never processed, neither expired nor dead-lettered.
    pub lost: u64,
    /// Processed more than once.
    pub processed_twice: u64,
    /// Written to a log more than once.
    pub written_twice: u64,
    /// Reported failed.
    pub failed: u64,
    /// Sends whose callback did not run exactly once.
    pub unsettled: u64,
}

/// What the picture shows of a message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Seen {
    pub written_twice: bool,
    pub processed: bool,
}

/// The fates of the last `window` messages, and the live counts.
#[derive(Clone, Debug)]
pub struct Fates {
    slots: Vec<Fate>,
    window: u64,
    mask: u64,
    /// One past the newest id.
    next: u64,
    lost: u64,
    written_twice: u64,
    delivered_twice: u64,
    processed_twice: u64,
    untracked: u64,
    /// Write attempts on their way to a log, of every id (tracked or not).
    attempts_in_transit: u64,
}

impl Fates {
    /// A ledger of the last `window` ids (a power of two).
    pub fn new(window: u64) -> Self {
        assert!(window.is_power_of_two(), "the window is a power of two");
        Self {
            // Filled as ids are issued (every slot is reset when its id is sent).
            slots: Vec::with_capacity(window.min(1 << 12) as usize),
            window,
            mask: window - 1,
            next: 0,
            lost: 0,
            written_twice: 0,
            delivered_twice: 0,
            processed_twice: 0,
            untracked: 0,
            attempts_in_transit: 0,
        }
    }

    /// Ids tracked.
    pub fn window(&self) -> u64 {
        self.window
    }

    /// Write attempts still on their way to a log: until they arrive, the messages they carry are
    /// neither lost nor kept, so the run is not at rest.
    pub fn attempts_in_transit(&self) -> u64 {
        self.attempts_in_transit
    }

    /// Messages counted lost silently now.
    pub fn lost(&self) -> u64 {
        self.lost
    }

    /// Appends of a message already in a log (or already processed).
    pub fn written_twice(&self) -> u64 {
        self.written_twice
    }

    /// Deliveries beyond a message's first.
    pub fn delivered_twice(&self) -> u64 {
        self.delivered_twice
    }

    /// Processings beyond a message's first.
    pub fn processed_twice(&self) -> u64 {
        self.processed_twice
    }

    /// Events about ids that had left the window (ignored).
    pub fn untracked(&self) -> u64 {
        self.untracked
    }

    /// Whether `id` is still in the window.
    #[inline]
    pub fn tracked(&self, id: u64) -> bool {
        id + self.window >= self.next
    }

    #[inline]
    fn slot(&mut self, id: u64) -> Option<&mut Fate> {
        if id + self.window < self.next {
            self.untracked += 1;
            return None;
        }
        Some(&mut self.slots[(id & self.mask) as usize])
    }

    /// Message `id` was sent: the next id (ids are issued densely from 0).
    #[inline]
    pub fn sent(&mut self, id: u64) {
        debug_assert_eq!(id, self.next, "ids are issued densely, in order");
        self.next = id + 1;
        let i = (id & self.mask) as usize;
        if i < self.slots.len() {
            self.slots[i] = Fate::default();
        } else {
            self.slots.push(Fate::default());
        }
    }

    /// Counts `id` lost if it was reported sent yet can no longer be processed; true if it was
    /// counted now.
    fn settle(&mut self, id: u64) -> bool {
        let Some(s) = self.slot(id) else {
            return false;
        };
        let f = s.flags;
        if f & F_SUCCESS != 0
            && f & (F_GONE | F_SKIPPED) != 0
            && f & (F_LOST | F_EXPIRED | F_DEAD) == 0
            && s.processed == 0
        {
            s.flags |= F_LOST;
            self.lost += 1;
            return true;
        }
        false
    }

    /// The send of `id` was reported ok (with fire-and-forget: it left); true if that makes it
    /// lost (its copies were gone already).
    pub fn reported_ok(&mut self, id: u64) -> bool {
        if let Some(s) = self.slot(id) {
            s.flags |= F_SUCCESS;
        }
        self.settle(id)
    }

    /// The send of `id` was reported failed.
    pub fn reported_failed(&mut self, id: u64) {
        if let Some(s) = self.slot(id) {
            s.flags |= F_FAILED;
        }
    }

    /// An attempt to write `id` left for a log.
    #[inline]
    pub fn in_transit(&mut self, id: u64) {
        self.attempts_in_transit += 1;
        if let Some(s) = self.slot(id) {
            s.in_transit += 1;
        }
    }

    /// An attempt to write `id` arrived (it is then appended, or refused: [`Fates::attempt_gone`]).
    #[inline]
    pub fn arrived(&mut self, id: u64) {
        self.attempts_in_transit = self.attempts_in_transit.saturating_sub(1);
        if let Some(s) = self.slot(id) {
            s.in_transit = s.in_transit.saturating_sub(1);
        }
    }

    /// An attempt to write `id` ended with no copy (lost on the way, or refused); true if that
    /// makes it lost.
    pub fn attempt_gone(&mut self, id: u64) -> bool {
        if let Some(s) = self.slot(id) {
            if s.copies == 0 && s.in_transit == 0 {
                s.flags |= F_GONE;
            }
        }
        self.settle(id)
    }

    /// A copy of `id` was appended to a log; true if it is a duplicate write (another copy was
    /// there, or it was processed already).
    #[inline]
    pub fn appended(&mut self, id: u64) -> bool {
        let Some(s) = self.slot(id) else { return false };
        let dup = s.copies > 0 || s.processed > 0;
        s.copies += 1;
        s.flags &= !F_GONE;
        if dup {
            s.flags |= F_DUPW;
            self.written_twice += 1;
        }
        dup
    }

    /// A copy of `id` was put in a log by the operator (forwarded to another partition).
    pub fn copy_added(&mut self, id: u64) {
        if let Some(s) = self.slot(id) {
            s.copies += 1;
        }
    }

    /// A copy of `id` was cut from its log (an election): if none is left, nor on its way, it is
    /// gone; true if that makes it lost.
    pub fn copy_removed(&mut self, id: u64) -> bool {
        if let Some(s) = self.slot(id) {
            s.copies = s.copies.saturating_sub(1);
        }
        self.attempt_gone(id)
    }

    /// A copy of `id` was deleted from its log by cleanup or retention (no event if it left the
    /// window; the lab reports an unread one as expired).
    #[inline]
    pub fn copy_trimmed(&mut self, id: u64) {
        if self.tracked(id) {
            let s = &mut self.slots[(id & self.mask) as usize];
            s.copies = s.copies.saturating_sub(1);
        }
    }

    /// `id` was delivered to a consumer; true if not for the first time.
    #[inline]
    pub fn delivered(&mut self, id: u64) -> bool {
        let Some(s) = self.slot(id) else { return false };
        s.delivered += 1;
        let again = s.delivered > 1;
        if again {
            self.delivered_twice += 1;
        }
        again
    }

    /// How many times `id` was processed (`None` if it left the window).
    #[inline]
    pub fn times_processed(&mut self, id: u64) -> Option<u16> {
        self.slot(id).map(|s| s.processed)
    }

    /// `id` was processed; true if not for the first time. A message counted lost turned up.
    #[inline]
    pub fn processed(&mut self, id: u64) -> bool {
        let Some(s) = self.slot(id) else { return false };
        s.processed += 1;
        let again = s.processed > 1;
        let was_lost = s.flags & F_LOST != 0;
        s.flags &= !(F_LOST | F_GONE | F_SKIPPED);
        if was_lost {
            self.lost -= 1;
        }
        if again {
            self.processed_twice += 1;
        }
        again
    }

    /// The group committed past `id` without processing it (it may still be, by another copy);
    /// true if that makes it lost.
    pub fn committed_past(&mut self, id: u64) -> bool {
        if let Some(s) = self.slot(id) {
            if s.processed == 0 {
                s.flags |= F_SKIPPED;
            }
        }
        self.settle(id)
    }

    /// Accounted for (dead-lettered or expired): no longer lost if it was.
    fn account(&mut self, id: u64, flag: u8) {
        let Some(s) = self.slot(id) else { return };
        let was_lost = s.flags & F_LOST != 0;
        s.flags = (s.flags | flag) & !F_LOST;
        if was_lost {
            self.lost -= 1;
        }
    }

    /// `id` was dropped unprocessed for its age; true if this is news (it was neither processed
    /// nor expired before).
    pub fn expired(&mut self, id: u64) -> bool {
        let first = self
            .slot(id)
            .is_some_and(|s| s.processed == 0 && s.flags & F_EXPIRED == 0);
        if first {
            self.account(id, F_EXPIRED);
        }
        first
    }

    /// `id` was moved to the dead-letter queue.
    pub fn dead_lettered(&mut self, id: u64) {
        self.account(id, F_DEAD);
    }

    /// `id` (expired) is sent again: its send awaits a new answer.
    pub fn resent(&mut self, id: u64) {
        if let Some(s) = self.slot(id) {
            s.flags &= !(F_EXPIRED | F_SUCCESS | F_GONE | F_SKIPPED);
        }
    }

    /// What the picture shows of `id` (`None` once it left the window).
    #[inline]
    pub fn seen(&self, id: u64) -> Option<Seen> {
        self.tracked(id).then(|| {
            let s = &self.slots[(id & self.mask) as usize];
            Seen {
                written_twice: s.flags & F_DUPW != 0,
                processed: s.processed > 0,
            }
        })
    }

    /// Exact counts over the window (call once the run is at rest).
    pub fn final_check(&self) -> FinalCheck {
        let lo = self.next.saturating_sub(self.window());
        let mut out = FinalCheck::default();
        for id in lo..self.next {
            let s = &self.slots[(id & self.mask) as usize];
            if s.flags & F_SUCCESS != 0 && s.processed == 0 && s.flags & (F_EXPIRED | F_DEAD) == 0 {
                out.lost += 1;
            }
            if s.processed > 1 {
                out.processed_twice += 1;
            }
            if s.flags & F_DUPW != 0 {
                out.written_twice += 1;
            }
            if s.flags & F_FAILED != 0 {
                out.failed += 1;
            }
            let answers = u64::from(s.flags & F_SUCCESS != 0) + u64::from(s.flags & F_FAILED != 0);
            if answers != 1 {
                out.unsettled += 1;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An attempt that reaches a log and is appended.
    fn write(f: &mut Fates, id: u64) -> bool {
        f.in_transit(id);
        f.arrived(id);
        f.appended(id)
    }

    #[test]
    fn acks1_the_leader_answers_then_an_election_cuts_the_record() {
        let mut f = Fates::new(16);
        f.sent(0);
        assert!(!write(&mut f, 0));
        f.reported_ok(0);
        assert_eq!(f.lost(), 0, "still in the log");
        assert!(f.copy_removed(0), "counted lost now"); // the new leader lacked it
        assert_eq!(f.lost(), 1);
        let fc = f.final_check();
        assert_eq!(fc.lost, 1);
        assert_eq!(fc.unsettled, 0);
    }

    #[test]
    fn fire_and_forget_into_a_dead_link_is_lost_at_once() {
        let mut f = Fates::new(16);
        f.sent(0);
        f.reported_ok(0);
        f.attempt_gone(0);
        assert_eq!(f.lost(), 1);
        assert_eq!(f.final_check().lost, 1);
    }

    #[test]
    fn a_retry_after_a_lost_ack_writes_twice_and_is_processed_twice() {
        let mut f = Fates::new(16);
        f.sent(0);
        assert!(!write(&mut f, 0));
        assert!(write(&mut f, 0), "the retry lands next to the first copy");
        f.reported_ok(0);
        assert_eq!(f.written_twice(), 1);
        assert!(!f.delivered(0));
        assert!(!f.processed(0));
        assert!(f.delivered(0));
        assert!(f.processed(0));
        assert_eq!((f.delivered_twice(), f.processed_twice()), (1, 1));
        let fc = f.final_check();
        assert_eq!(
            fc,
            FinalCheck {
                written_twice: 1,
                processed_twice: 1,
                ..FinalCheck::default()
            }
        );
    }

    #[test]
    fn a_late_stray_copy_uncounts_a_loss() {
        let mut f = Fates::new(16);
        f.sent(0);
        assert!(!write(&mut f, 0));
        f.reported_ok(0);
        f.committed_past(0); // the group skipped it
        assert_eq!(f.lost(), 1);
        // An earlier attempt still on its way lands, and that copy is processed.
        assert!(write(&mut f, 0));
        assert!(!f.delivered(0));
        assert!(!f.processed(0));
        assert_eq!(f.lost(), 0, "it turned up");
        assert_eq!(f.final_check().lost, f.lost());
    }

    #[test]
    fn an_attempt_on_its_way_keeps_a_message_from_counting_lost() {
        let mut f = Fates::new(16);
        f.sent(0);
        f.in_transit(0); // attempt 1, slow
        assert!(!write(&mut f, 0)); // attempt 2
        f.reported_ok(0);
        f.copy_removed(0);
        assert_eq!(f.lost(), 0, "attempt 1 may still land");
        f.arrived(0);
        f.attempt_gone(0); // refused
        assert_eq!(f.lost(), 1);
    }

    #[test]
    fn expired_and_dead_lettered_messages_are_accounted_for() {
        let mut f = Fates::new(16);
        for id in 0..2 {
            f.sent(id);
            write(&mut f, id);
            f.reported_ok(id);
            f.committed_past(id);
        }
        assert_eq!(f.lost(), 2);
        assert!(f.expired(0));
        assert!(!f.expired(0), "once");
        f.dead_lettered(1);
        assert_eq!(f.lost(), 0);
        assert_eq!(f.final_check().lost, 0);
        // A replay sends it again: unanswered until the new send is.
        f.resent(0);
        assert_eq!(f.final_check().unsettled, 1);
        f.reported_ok(0);
        assert_eq!(f.final_check().unsettled, 0);
    }

    #[test]
    fn a_failed_send_is_settled_and_not_lost() {
        let mut f = Fates::new(16);
        f.sent(0);
        f.reported_failed(0);
        f.sent(1); // never answered
        let fc = f.final_check();
        assert_eq!((fc.failed, fc.lost, fc.unsettled), (1, 0, 1));
    }

    #[test]
    fn the_window_wraps_old_ids_are_final_and_untracked() {
        let mut f = Fates::new(4);
        f.sent(0);
        f.reported_ok(0);
        f.attempt_gone(0);
        assert_eq!(f.lost(), 1);
        for id in 1..6 {
            f.sent(id);
            f.reported_failed(id);
        }
        assert!(!f.tracked(0) && !f.tracked(1) && f.tracked(2));
        assert_eq!(f.seen(0), None);
        // Events about an id out of the window change nothing and are counted.
        assert!(!f.processed(0));
        assert!(!f.appended(1));
        f.copy_trimmed(0); // silently
        assert_eq!(f.untracked(), 2);
        assert_eq!(f.lost(), 1, "a final fate stays counted");
        // The final check covers the window only: ids 2..6, all failed; slot 0 was reused.
        let fc = f.final_check();
        assert_eq!((fc.failed, fc.lost, fc.unsettled), (4, 0, 0));
    }

    #[test]
    fn seen_for_the_picture() {
        let mut f = Fates::new(8);
        f.sent(0);
        write(&mut f, 0);
        write(&mut f, 0);
        f.processed(0);
        assert_eq!(
            f.seen(0),
            Some(Seen {
                written_twice: true,
                processed: true
            })
        );
        assert_eq!(f.untracked(), 0, "looking counts nothing");
    }
}
