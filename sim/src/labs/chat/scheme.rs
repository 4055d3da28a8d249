//! One storage scheme: what its server keeps for each member (offline copies, a copy per member,
//! unread ids, or a cursor), what each member's client holds, how clients ack, the gaps a client
//! of scheme 4 pulls, and the scheme's counts. Deliveries are judged by the
//! [`Delivery`](crate::check::delivery::Delivery) checker each scheme feeds.

use std::ops::Deref;

use super::ranges::RangeSet;
use super::store::Store;
use super::Scheme;
use crate::check::delivery::{Delivery, Receipt};
use crate::kernel::metrics::{Combine, LatencyHistogram, TimeSeries};
use crate::kernel::rng::SimRng;
use crate::kernel::time::Nanos;

/// Bytes of the key columns of a row (ids, time).
pub(super) const KEY_BYTES: u64 = 24;
/// Bytes of a small row: an unread id, a cursor, a delete or an update record.
pub(super) const SMALL_ROW_BYTES: u64 = 16;
const SERIES_CAPACITY: usize = 1_200;
/// Most ranges of one member's owed set. Owed ids are real stored rows, so this is set far above
/// what churn lets accumulate; if it is ever reached, the merged hole counts as owed rows (and the
/// totals follow the sets, so they stay consistent).
const OWED_MAX_RANGES: usize = 16_384;
/// Ranges all members' sets may hold together, per scheme and per kind of set (owed, held): what a
/// member's set keeps is this shared out (at most its cap above, at least 8), so memory has a
/// bound whatever the number of members. At 1,000 members each set keeps up to 1,000 ranges
/// (holes), far more than churn lets pile up; at 100,000 members, 8.
pub const RANGES_PER_SET_KIND: usize = 1_000_000;
/// Ids all members' clients may hold unacked together, per scheme: a client whose batch holds its
/// share acks at once (so what it holds is bounded however long the batching interval).
pub const UNACKED_IDS: usize = 2_000_000;

/// The most ranges one member's set keeps, for `users` members and a cap of `cap`.
pub fn ranges_cap(users: u32, cap: usize) -> usize {
    (RANGES_PER_SET_KIND / (users.max(1) as usize)).clamp(8, cap)
}

/// The most ids one member's client holds unacked, for `users` members.
pub fn unacked_cap(users: u32) -> usize {
    (UNACKED_IDS / (users.max(1) as usize)).clamp(16, 4_096)
}
/// Most ranges a client of schemes 2-4 remembers (their holes are filled later, so they must be
/// kept; reaching this needs thousands of unfilled holes in one member's history).
pub const CLIENT_MAX_RANGES: usize = 4_096;

/// Counters and series of one scheme. The delivery counts (`lost`, `delivered`,
/// `duplicates_delivered`, `shown_twice`, `unread_*`) are its checker's, read through it.
#[derive(Clone, Debug)]
pub struct SchemeStats {
    pub scheme: Scheme,
    /// Rows inserted (messages, copies, unread ids).
    pub inserts: u64,
    /// Rows deleted (copies or ids, after an ack or a pull).
    pub deletes: u64,
    /// Rows updated (cursors).
    pub updates: u64,
    /// Bytes written by inserts, deletes and updates.
    pub write_bytes: u64,
    /// Rows stored now, and the most ever.
    pub rows_stored: u64,
    pub peak_rows: u64,
    /// Bytes stored now.
    pub bytes_stored: u64,
    /// Reconnect and gap pulls, and the rows they read.
    pub pulls: u64,
    pub reconnect_pulls: u64,
    pub rows_read: u64,
    pub reconnect_rows_read: u64,
    /// Time from asking to pull to having the rows, per pull.
    pub pull_latency: LatencyHistogram,
    /// Deliveries, losses and unread counts, as the delivery checker judged them.
    pub delivery: Delivery,
    /// Bytes written per chart bucket.
    pub write_series: TimeSeries,
    /// Rows stored (largest in each bucket).
    pub rows_series: TimeSeries,
    owed_total: u64,
    msg_rows: u64,
}

impl Deref for SchemeStats {
    type Target = Delivery;

    /// The delivery counts read as the scheme's own (`stats.lost`).
    fn deref(&self) -> &Delivery {
        &self.delivery
    }
}

impl SchemeStats {
    fn new(scheme: Scheme, bucket_ns: Nanos, dedup: bool) -> Self {
        Self {
            scheme,
            inserts: 0,
            deletes: 0,
            updates: 0,
            write_bytes: 0,
            rows_stored: 0,
            peak_rows: 0,
            bytes_stored: 0,
            pulls: 0,
            reconnect_pulls: 0,
            rows_read: 0,
            reconnect_rows_read: 0,
            pull_latency: LatencyHistogram::new(),
            delivery: Delivery::new(dedup),
            write_series: TimeSeries::new(bucket_ns, SERIES_CAPACITY, Combine::Sum),
            rows_series: TimeSeries::new(bucket_ns, SERIES_CAPACITY, Combine::Max),
            owed_total: 0,
            msg_rows: 0,
        }
    }

    /// Rows written per message sent (inserts, deletes and updates).
    pub fn writes_per_message(&self, messages: u64) -> f64 {
        if messages == 0 {
            0.0
        } else {
            (self.inserts + self.deletes + self.updates) as f64 / messages as f64
        }
    }

    /// Mean rows read per reconnect.
    pub fn rows_per_reconnect(&self) -> f64 {
        if self.reconnect_pulls == 0 {
            0.0
        } else {
            self.reconnect_rows_read as f64 / self.reconnect_pulls as f64
        }
    }

    fn write(&mut self, now: Nanos, bytes: u64) {
        self.write_bytes += bytes;
        self.write_series.record(now, bytes);
    }
}

/// One scheme's server and client state.
#[derive(Clone)]
pub(super) struct SchemeState {
    kind: Scheme,
    /// The unread count shown at the last reconnect, and what the member missed.
    pub(super) last_unread: (u64, u64),
    /// Bytes of a message row (content and keys).
    msg_bytes: u64,
    /// Members in all groups (one cursor row each, for scheme 4).
    users: u64,
    /// Copies (1, 2) or unread ids (3) still owed to each member; unused by 4.
    owed: Vec<RangeSet>,
    /// `last_ack_msgid` of each member (4 only).
    cursor: Vec<u32>,
    /// What each member's client has stored.
    have: Vec<RangeSet>,
    /// Ids received since the last ack (2, 3), at most `max_unacked` each.
    unacked: Vec<Vec<u32>>,
    max_unacked: usize,
    /// The contiguous id last acked by the client (4).
    last_acked: Vec<u32>,
    /// A gap pull, or a reconnect sync, is in flight (4): no gap pulls meanwhile.
    gap_pull: Vec<bool>,
    /// A reconnect pull is in flight; at most one per member, so the event queue stays bounded.
    pulling: Vec<bool>,
    /// The member reconnected again while a pull was in flight: pull afresh when it lands.
    repull: Vec<bool>,
    store: Store,
    ack_rng: SimRng,
    stats: SchemeStats,
}

impl SchemeState {
    /// Scheme `kind` for `users` members; `ack_rng` draws its lost acks.
    pub fn new(
        kind: Scheme,
        users: u32,
        msg_bytes: u64,
        store: Store,
        ack_rng: SimRng,
        bucket_ns: Nanos,
        dedup: bool,
    ) -> Self {
        let n = users as usize;
        let cursor = kind == Scheme::Cursor;
        Self {
            kind,
            last_unread: (0, 0),
            msg_bytes,
            users: users as u64,
            owed: if cursor {
                Vec::new()
            } else {
                vec![RangeSet::with_cap(ranges_cap(users, OWED_MAX_RANGES)); n]
            },
            cursor: if cursor { vec![0; n] } else { Vec::new() },
            // Scheme 1's holes are losses for good: its clients keep the default cap. The others'
            // holes are filled later, so their clients must not forget them.
            have: vec![
                if kind == Scheme::OfflineCopies {
                    RangeSet::with_cap(ranges_cap(users, super::ranges::MAX_RANGES))
                } else {
                    RangeSet::with_cap(ranges_cap(users, CLIENT_MAX_RANGES))
                };
                n
            ],
            unacked: vec![Vec::new(); n],
            max_unacked: unacked_cap(users),
            last_acked: vec![0; n],
            gap_pull: vec![false; n],
            pulling: vec![false; n],
            repull: vec![false; n],
            store,
            ack_rng,
            stats: SchemeStats::new(kind, bucket_ns, dedup),
        }
    }

    pub fn kind(&self) -> Scheme {
        self.kind
    }

    pub fn stats(&self) -> &SchemeStats {
        &self.stats
    }

    /// What member `u`'s client holds.
    pub fn have(&self, u: u32) -> &RangeSet {
        &self.have[u as usize]
    }

    /// Scheme 4's cursor of member `u`.
    pub fn cursor(&self, u: u32) -> u32 {
        self.cursor[u as usize]
    }

    /// Messages up to `latest` that member `u`'s client misses (its own count as had).
    pub fn missing(&self, u: u32, latest: u32) -> u64 {
        self.have[u as usize].missing_upto(latest)
    }

    /// What the server holds for member `u`: rows owed to it (1-3) or how far its cursor lags
    /// behind `latest` (4). This is also the unread count the scheme shows.
    pub fn owed(&self, u: u32, latest: u32) -> u64 {
        match self.kind {
            Scheme::Cursor => (latest - self.cursor[u as usize]) as u64,
            _ => self.owed[u as usize].len(),
        }
    }

    /// Adds `id` to what member `u` is owed; the total follows the set's own count.
    fn owe(&mut self, u: usize, id: u32) -> bool {
        let before = self.owed[u].len();
        let added = self.owed[u].insert(id);
        self.stats.owed_total = self.stats.owed_total + self.owed[u].len() - before;
        added
    }

    /// Removes `id` from what member `u` is owed; the total follows the set's own count.
    fn unowe(&mut self, u: usize, id: u32) -> bool {
        let before = self.owed[u].len();
        let removed = self.owed[u].remove(id);
        self.stats.owed_total = self.stats.owed_total + self.owed[u].len() - before;
        removed
    }

    /// Member `sender` sent message `id` at `now`: its own client has it, and the schemes that
    /// keep one copy of every message write it.
    pub fn sent(&mut self, sender: u32, id: u32, now: Nanos) {
        self.have[sender as usize].insert(id);
        if matches!(self.kind, Scheme::UnreadIds | Scheme::Cursor) {
            self.stats.msg_rows += 1;
            self.stats.inserts += 1;
            self.stats.write(now, self.msg_bytes);
        }
    }

    /// Whether the scheme writes a row for a member, online or not, when a message is sent.
    pub fn stores_for(&self, online: bool) -> bool {
        match self.kind {
            Scheme::OfflineCopies => !online,
            Scheme::CopyPerMember | Scheme::UnreadIds => true,
            Scheme::Cursor => false,
        }
    }

    /// Writes the row that member `u` is owed message `id` (a copy, or an unread id).
    pub fn store_for(&mut self, u: u32, id: u32, now: Nanos) {
        self.owe(u as usize, id);
        self.stats.inserts += 1;
        let bytes = if self.kind == Scheme::UnreadIds {
            SMALL_ROW_BYTES
        } else {
            self.msg_bytes
        };
        self.stats.write(now, bytes);
    }

    /// A message nothing will bring to its member any more.
    pub fn lose(&mut self) {
        self.stats.delivery.lost();
    }

    /// Member `u`'s client receives `id` (by push or pull).
    pub fn receive(&mut self, u: u32, id: u32) -> Receipt {
        let ui = u as usize;
        let receipt = self.stats.delivery.received(self.have[ui].insert(id));
        if matches!(self.kind, Scheme::CopyPerMember | Scheme::UnreadIds) {
            self.unacked[ui].push(id);
        }
        receipt
    }

    /// Member `u`'s client holds as many unacked ids as it may: it acks now.
    pub fn unacked_full(&self, u: u32) -> bool {
        self.unacked[u as usize].len() >= self.max_unacked
    }

    /// Whether clients ack what they receive (all but scheme 1, whose copies go as they are
    /// pulled).
    pub fn acks(&self) -> bool {
        self.kind != Scheme::OfflineCopies
    }

    /// Member `u`'s client acks what it received; the ack may be lost on its way (`ack_loss`), and
    /// an offline client's never arrives.
    pub fn flush_acks(&mut self, u: u32, online: bool, ack_loss: f64, now: Nanos) {
        let ui = u as usize;
        match self.kind {
            Scheme::OfflineCopies => {}
            Scheme::CopyPerMember | Scheme::UnreadIds => {
                if self.unacked[ui].is_empty() {
                    return;
                }
                let ids = std::mem::take(&mut self.unacked[ui]);
                if !online || self.ack_rng.chance(ack_loss) {
                    return; // the rows stay; they come back on the next reconnect
                }
                for id in ids {
                    if self.unowe(ui, id) {
                        self.stats.deletes += 1;
                        self.stats.write(now, SMALL_ROW_BYTES);
                    }
                }
            }
            Scheme::Cursor => {
                let c = self.have[ui].contiguous_max();
                if c <= self.last_acked[ui] {
                    return;
                }
                self.last_acked[ui] = c;
                if !online || self.ack_rng.chance(ack_loss) {
                    return;
                }
                if c > self.cursor[ui] {
                    self.cursor[ui] = c; // never backwards
                    self.stats.updates += 1;
                    self.stats.write(now, SMALL_ROW_BYTES);
                }
            }
        }
    }

    /// Member `u` reconnected, its group at `latest`: the unread count the scheme shows is checked
    /// against what the client really misses. True if a reconnect pull is to start now (false if
    /// one is in flight: it pulls afresh when that one lands).
    pub fn reconnected(&mut self, u: u32, latest: u32) -> bool {
        let ui = u as usize;
        let truth = self.have[ui].missing_upto(latest);
        let shown = self.owed(u, latest);
        self.stats.delivery.unread(shown, truth);
        self.last_unread = (shown, truth);
        if self.kind == Scheme::Cursor {
            self.last_acked[ui] = 0; // ack afresh after the pull
            self.gap_pull[ui] = true; // the sync covers any gap; no gap pulls meanwhile
        }
        if self.pulling[ui] {
            self.repull[ui] = true;
            false
        } else {
            true
        }
    }

    /// Starts member `u`'s reconnect pull, its group at `latest`: where it reads from (the cursor,
    /// for scheme 4) and how many messages.
    pub fn begin_reconnect_pull(&mut self, u: u32, latest: u32) -> (u32, u64) {
        let ui = u as usize;
        self.pulling[ui] = true;
        match self.kind {
            Scheme::Cursor => (self.cursor[ui], (latest - self.cursor[ui]) as u64),
            _ => (0, self.owed[ui].len()),
        }
    }

    /// Scheme 4: ids are ordered, so a client that sees a hole pulls it at once. The holes below
    /// the highest id member `u`'s client holds, as (highest id, holes), if it is to pull them
    /// now (then a gap pull is in flight).
    pub fn gap(&mut self, u: u32, online: bool) -> Option<(u32, u64)> {
        let ui = u as usize;
        if self.gap_pull[ui] || !online {
            return None;
        }
        let have = &self.have[ui];
        let ranges = have.ranges();
        if ranges.len() < 2 && have.contiguous_max() > 0 || ranges.is_empty() {
            return None;
        }
        let upto = ranges.last().map_or(0, |r| r.1);
        let missing = have.missing_upto(upto);
        if missing == 0 {
            return None;
        }
        self.gap_pull[ui] = true;
        Some((upto, missing))
    }

    /// Asks the store for `n` messages at `now`; when they will be read.
    pub fn pull(&mut self, now: Nanos, n: u64, gap: bool) -> Nanos {
        let p = self.store.pull(now, n, gap);
        let s = &mut self.stats;
        s.pulls += 1;
        s.rows_read += p.rows;
        if !gap {
            s.reconnect_pulls += 1;
            s.reconnect_rows_read += p.rows;
        }
        s.pull_latency.record(p.done - now);
        p.done
    }

    /// A pull of member `u` landed (a reconnect pull is no longer in flight).
    pub fn landed(&mut self, u: u32, gap: bool) {
        if !gap {
            self.pulling[u as usize] = false;
        }
    }

    /// Whether member `u` reconnected while its pull was in flight, clearing it.
    pub fn take_repull(&mut self, u: u32) -> bool {
        std::mem::take(&mut self.repull[u as usize])
    }

    /// The ids a landed pull of member `u` brings: what it is owed up to `upto` (1-3), the ids
    /// after its cursor `from` (4), or the holes below `upto` (a gap pull of 4).
    pub fn pulled_ids(&self, u: u32, gap: bool, from: u32, upto: u32) -> Vec<u32> {
        let ui = u as usize;
        match (self.kind, gap) {
            (Scheme::Cursor, false) => (from + 1..=upto).collect(),
            (Scheme::Cursor, true) => {
                let mut holes = Vec::new();
                let mut next = 1u32;
                for &(lo, hi) in self.have[ui].ranges() {
                    if lo > upto {
                        break;
                    }
                    holes.extend(next..lo);
                    next = hi + 1;
                }
                holes
            }
            _ => self.owed[ui].iter().take_while(|&id| id <= upto).collect(),
        }
    }

    /// Scheme 1 deletes an offline copy as it is pulled.
    pub fn delete_pulled(&mut self, u: u32, id: u32, now: Nanos) {
        if self.kind == Scheme::OfflineCopies && self.unowe(u as usize, id) {
            self.stats.deletes += 1;
            self.stats.write(now, SMALL_ROW_BYTES);
        }
    }

    /// Scheme 4: the pull is applied whole; only now is a hole a real gap.
    pub fn gap_pull_done(&mut self, u: u32) {
        self.gap_pull[u as usize] = false;
    }

    /// Rows and bytes stored now, by the scheme's layout; the peak and the series follow.
    pub fn refresh(&mut self, now: Nanos) {
        let content = self.msg_bytes;
        let users = self.users;
        let s = &mut self.stats;
        let (rows, bytes) = match self.kind {
            Scheme::OfflineCopies | Scheme::CopyPerMember => (s.owed_total, s.owed_total * content),
            Scheme::UnreadIds => (
                s.msg_rows + s.owed_total,
                s.msg_rows * content + s.owed_total * SMALL_ROW_BYTES,
            ),
            Scheme::Cursor => (
                s.msg_rows + users,
                s.msg_rows * content + users * SMALL_ROW_BYTES,
            ),
        };
        s.rows_stored = rows;
        s.bytes_stored = bytes;
        s.peak_rows = s.peak_rows.max(rows);
        s.rows_series.record(now, rows);
        s.write_series.touch(now);
    }

    /// Nothing in flight and nothing owed: no pull, no unacked id, no row owed, every cursor at
    /// its group's latest (`latest_of(u)`).
    pub fn at_rest(&self, latest_of: impl Fn(u32) -> u32) -> bool {
        let idle = !self.pulling.iter().any(|&p| p)
            && !self.gap_pull.iter().any(|&p| p)
            && self.unacked.iter().all(Vec::is_empty);
        idle && match self.kind {
            Scheme::Cursor => (0..self.users as u32).all(|u| self.cursor(u) == latest_of(u)),
            _ => self.stats.owed_total == 0,
        }
    }
}
