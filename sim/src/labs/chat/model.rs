use std::collections::VecDeque;

use super::params::ChatParams;
use super::ranges::RangeSet;
use super::Scheme;
use crate::kernel::digest::Digest;
use crate::kernel::event::EventQueue;
use crate::kernel::metrics::{Combine, LatencyHistogram, TimeSeries};
use crate::kernel::model::{Advance, Model, ParamError, Validate};
use crate::kernel::rng::SimRng;
use crate::kernel::time::{Nanos, NS_PER_MS, NS_PER_S};
use crate::kernel::traffic::{KeyChoice, KeyPicker};

/// Bytes of the key columns of a row (ids, time).
const KEY_BYTES: u64 = 24;
/// Bytes of a small row: an unread id, a cursor, a delete or an update record.
const SMALL_ROW_BYTES: u64 = 16;
const SERIES_CAPACITY: usize = 1_200;
/// Recent flows of the focus group kept for drawing, per scheme.
const FLOW_CAPACITY: usize = 4_096;
/// Most ranges of one member's owed set. Owed ids are real stored rows, so this is set far above
/// what churn lets accumulate; if it is ever reached, the merged hole counts as owed rows (and the
/// totals follow the sets, so they stay consistent).
const OWED_MAX_RANGES: usize = 16_384;
/// Most ranges a client of schemes 2-4 remembers (their holes are filled later, so they must be
/// kept; reaching this needs thousands of unfilled holes in one member's history).
pub const CLIENT_MAX_RANGES: usize = 4_096;
/// Rows of `group_msgs` shown.
const SHOWN_MSGS: usize = 8;

#[derive(Clone, Debug)]
enum Ev {
    Send,
    Churn {
        user: u32,
        gen: u32,
    },
    /// A pull finished: deliver what the member is owed up to `upto` (schemes 1-3), the ids in
    /// `from+1..=upto` (scheme 4), or the holes below `upto` (a gap pull).
    PullDone {
        scheme: u8,
        user: u32,
        gen: u32,
        gap: bool,
        from: u32,
        upto: u32,
    },
    AckFlush {
        user: u32,
    },
    OutageStart,
    OutageEnd,
}

/// What happened to one message for one member of the focus group (for drawing).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlowKind {
    /// Pushed to an online member and stored.
    Push,
    /// Written to the store for this member (a copy, or an unread id).
    Stored,
    /// Delivered by a pull on reconnect or on a gap.
    Pulled,
    /// Delivered again: the client already had it.
    Duplicate,
    /// Lost: the push failed or the client crashed, and nothing will bring it back.
    Lost,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flow {
    pub at: Nanos,
    /// Index of the member in the focus group.
    pub member: u32,
    pub kind: FlowKind,
}

/// Counters and series of one scheme.
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
    /// Bytes written per chart bucket.
    pub write_series: TimeSeries,
    /// Rows stored (largest in each bucket).
    pub rows_series: TimeSeries,
    owed_total: u64,
    msg_rows: u64,
}

impl SchemeStats {
    fn new(scheme: Scheme, bucket_ns: Nanos) -> Self {
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
            lost: 0,
            delivered: 0,
            duplicates_delivered: 0,
            shown_twice: 0,
            unread_checks: 0,
            unread_wrong: 0,
            unread_abs_error: 0,
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
}

/// One scheme's server and client state.
struct SchemeState {
    kind: Scheme,
    /// Copies (1, 2) or unread ids (3) still owed to each member; unused by 4.
    owed: Vec<RangeSet>,
    /// `last_ack_msgid` of each member (4 only).
    cursor: Vec<u32>,
    /// What each member's client has stored.
    have: Vec<RangeSet>,
    /// Ids received since the last ack (2, 3).
    unacked: Vec<Vec<u32>>,
    /// The contiguous id last acked by the client (4).
    last_acked: Vec<u32>,
    /// A gap pull, or a reconnect sync, is in flight (4): no gap pulls meanwhile.
    gap_pull: Vec<bool>,
    /// A reconnect pull is in flight; at most one per member, so the event queue stays bounded.
    pulling: Vec<bool>,
    /// The member reconnected again while a pull was in flight: pull afresh when it lands.
    repull: Vec<bool>,
    busy_until: Nanos,
    ack_rng: SimRng,
    stats: SchemeStats,
    /// Deliveries and losses in the focus group, for drawing.
    flows: VecDeque<Flow>,
    /// Rows written for members of the focus group, for drawing (kept apart so that schemes that
    /// write a row per member keep as much delivery history on screen as the others).
    stored_flows: VecDeque<Flow>,
}

/// One scheme's state as drawn.
#[derive(Clone, Debug, Default)]
pub struct SchemeView {
    pub flows: Vec<Flow>,
    /// Flows in view beyond what is kept: drawn as a flow instead.
    pub dense: bool,
    pub rows_stored: u64,
    pub peak_rows: u64,
    pub bytes_stored: u64,
    /// Per focus-group member: rows owed to it (1-3) or how far its cursor lags (4).
    pub owed: Vec<u64>,
}

/// What the canvas draws.
#[derive(Clone, Debug, Default)]
pub struct ChatSnapshot {
    pub now: Nanos,
    /// Online state of each member of the focus group (group 0, the busiest).
    pub online: Vec<bool>,
    pub latest_msgid: u32,
    pub schemes: [SchemeView; 4],
    /// `group_members(gid, uid, last_ack_msgid)`: the first rows of the focus group (scheme 4).
    pub group_members: Vec<(u32, u32, u32)>,
    /// `group_msgs(msgid, gid, sender_uid, time)`: the newest rows of the focus group.
    pub group_msgs: Vec<(u32, u32, u32, Nanos)>,
}

/// The group-chat lab model.
pub struct ChatLab {
    p: ChatParams,
    seed: u64,
    now: Nanos,
    members: u32,
    users: u32,
    rng: SimRng,
    groups_pick: KeyPicker,
    sender_pick: KeyPicker,
    online: Vec<bool>,
    gen: Vec<u32>,
    ack_pending: Vec<bool>,
    latest: Vec<u32>,
    /// Members cut off by the outage now.
    cut_off: Vec<bool>,
    frozen: bool,
    events: EventQueue<Ev>,
    schemes: [SchemeState; 4],
    messages: u64,
    /// Pushes that failed, or clients that crashed, while the member was online: counted apart
    /// from the schemes, as the checker of scheme 1's losses.
    online_faults: u64,
    dropped_events: u64,
    recent_msgs: VecDeque<(u32, u32, u32, Nanos)>,
}

impl ChatLab {
    pub fn params(&self) -> &ChatParams {
        &self.p
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn stats(&self, s: Scheme) -> &SchemeStats {
        &self.schemes[s.index()].stats
    }

    pub fn messages(&self) -> u64 {
        self.messages
    }

    /// Pushes that failed and crashes before storing, while the member was online.
    pub fn online_faults(&self) -> u64 {
        self.online_faults
    }

    pub fn online_count(&self) -> u64 {
        self.online.iter().filter(|&&o| o).count() as u64
    }

    pub fn users(&self) -> u32 {
        self.users
    }

    /// Events that could not be scheduled because the bounded queue was full (should stay 0).
    pub fn dropped_events(&self) -> u64 {
        self.dropped_events
    }

    /// Latest msgid of every group.
    pub fn latest(&self) -> &[u32] {
        &self.latest
    }

    /// What member `user`'s client holds under `scheme`.
    pub fn client_has(&self, scheme: Scheme, user: u32) -> &RangeSet {
        &self.schemes[scheme.index()].have[user as usize]
    }

    /// Scheme 4's cursor of `user`.
    pub fn cursor(&self, user: u32) -> u32 {
        self.schemes[Scheme::Cursor.index()].cursor[user as usize]
    }

    /// Messages missing from clients now, per scheme (own messages count as had).
    pub fn missing(&self, scheme: Scheme) -> u64 {
        let st = &self.schemes[scheme.index()];
        (0..self.users)
            .map(|u| st.have[u as usize].missing_upto(self.latest[(u / self.members) as usize]))
            .sum()
    }

    fn group_of(&self, u: u32) -> usize {
        (u / self.members) as usize
    }

    fn schedule(&mut self, at: Nanos, ev: Ev) {
        if self.events.len() == self.events.capacity() {
            // Full: drop churn timers of sessions that have since ended (a crash or an outage
            // leaves one behind). What is left is at most a handful per member, which fits.
            let gen = &self.gen;
            self.events
                .retain(|e| !matches!(e, Ev::Churn { user, gen: g } if *g != gen[*user as usize]));
        }
        if self.events.push(at, ev).is_err() {
            self.dropped_events += 1;
        }
    }

    fn exp_ms(&mut self, mean_ms: u32) -> Nanos {
        self.rng.exp_nanos(mean_ms as f64 * NS_PER_MS as f64)
    }

    fn go_offline(&mut self, u: u32) {
        let ui = u as usize;
        if !self.online[ui] {
            return;
        }
        self.online[ui] = false;
        self.gen[ui] = self.gen[ui].wrapping_add(1);
        if !self.cut_off[ui] && !self.frozen {
            let at = self.now + self.exp_ms(self.p.offline_mean_ms);
            let gen = self.gen[ui];
            self.schedule(at, Ev::Churn { user: u, gen });
        }
    }

    fn go_online(&mut self, u: u32) {
        let ui = u as usize;
        if self.online[ui] {
            return;
        }
        self.online[ui] = true;
        self.gen[ui] = self.gen[ui].wrapping_add(1);
        if !self.frozen {
            let at = self.now + self.exp_ms(self.p.online_mean_ms);
            let gen = self.gen[ui];
            self.schedule(at, Ev::Churn { user: u, gen });
        }
        let g = self.group_of(u);
        let latest = self.latest[g];
        for s in 0..4 {
            let st = &mut self.schemes[s];
            // The unread count each scheme would show, against what the client really misses.
            let truth = st.have[ui].missing_upto(latest);
            let shown = match st.kind {
                Scheme::Cursor => (latest - st.cursor[ui]) as u64,
                _ => st.owed[ui].len(),
            };
            st.stats.unread_checks += 1;
            if shown != truth {
                st.stats.unread_wrong += 1;
                st.stats.unread_abs_error += shown.abs_diff(truth);
            }
            if st.kind == Scheme::Cursor {
                st.last_acked[ui] = 0; // ack afresh after the pull
                st.gap_pull[ui] = true; // the sync covers any gap; no gap pulls meanwhile
            }
            if st.pulling[ui] {
                st.repull[ui] = true;
            } else {
                self.reconnect_pull(s, u);
            }
        }
    }

    /// Starts the pull a reconnecting member makes under scheme `s`.
    fn reconnect_pull(&mut self, s: usize, u: u32) {
        let ui = u as usize;
        let latest = self.latest[self.group_of(u)];
        let st = &mut self.schemes[s];
        st.pulling[ui] = true;
        let (from, n) = match st.kind {
            Scheme::Cursor => (st.cursor[ui], (latest - st.cursor[ui]) as u64),
            _ => (0, st.owed[ui].len()),
        };
        self.request_pull(s, u, from, latest, n, false);
    }

    #[allow(clippy::too_many_arguments)]
    fn request_pull(&mut self, s: usize, u: u32, from: u32, upto: u32, n: u64, gap: bool) {
        let st = &mut self.schemes[s];
        let (rows, queries) = match st.kind {
            Scheme::OfflineCopies | Scheme::CopyPerMember => (n, 1),
            // Read the id set, then the messages by id, in batches of 100.
            Scheme::UnreadIds => (2 * n, 1 + n.div_ceil(100)),
            // Read the cursor, then one range scan.
            Scheme::Cursor => (if gap { n } else { n + 1 }, if gap { 1 } else { 2 }),
        };
        let cost = rows + queries * self.p.query_cost_rows as u64;
        let service = (cost as u128 * NS_PER_S as u128 / self.p.store_rows_per_s as u128) as Nanos;
        let done = st.busy_until.max(self.now) + service;
        st.busy_until = done;
        st.stats.pulls += 1;
        st.stats.rows_read += rows;
        if !gap {
            st.stats.reconnect_pulls += 1;
            st.stats.reconnect_rows_read += rows;
        }
        st.stats.pull_latency.record(done - self.now);
        let gen = self.gen[u as usize];
        self.schedule(
            done,
            Ev::PullDone {
                scheme: s as u8,
                user: u,
                gen,
                gap,
                from,
                upto,
            },
        );
    }

    /// Adds `id` to what member `u` is owed; the total follows the set's own count.
    fn owe(st: &mut SchemeState, u: usize, id: u32) -> bool {
        let before = st.owed[u].len();
        let added = st.owed[u].insert(id);
        st.stats.owed_total = st.stats.owed_total + st.owed[u].len() - before;
        added
    }

    /// Removes `id` from what member `u` is owed; the total follows the set's own count.
    fn unowe(st: &mut SchemeState, u: usize, id: u32) -> bool {
        let before = st.owed[u].len();
        let removed = st.owed[u].remove(id);
        st.stats.owed_total = st.stats.owed_total + st.owed[u].len() - before;
        removed
    }

    fn write(st: &mut SchemeStats, now: Nanos, bytes: u64) {
        st.write_bytes += bytes;
        st.write_series.record(now, bytes);
    }

    fn flow(&mut self, s: usize, u: u32, kind: FlowKind) {
        if u < self.members {
            let st = &mut self.schemes[s];
            let q = if kind == FlowKind::Stored {
                &mut st.stored_flows
            } else {
                &mut st.flows
            };
            if q.len() == FLOW_CAPACITY {
                q.pop_front();
            }
            q.push_back(Flow {
                at: self.now,
                member: u,
                kind,
            });
        }
    }

    /// A client receives `id` (by push or pull) under scheme `s`.
    fn receive(&mut self, s: usize, u: u32, id: u32, pulled: bool) {
        let ui = u as usize;
        let dedup = self.p.client_dedup;
        let st = &mut self.schemes[s];
        let fresh = st.have[ui].insert(id);
        let kind = if fresh {
            st.stats.delivered += 1;
            if pulled {
                FlowKind::Pulled
            } else {
                FlowKind::Push
            }
        } else {
            st.stats.duplicates_delivered += 1;
            if !dedup {
                st.stats.shown_twice += 1;
            }
            FlowKind::Duplicate
        };
        if matches!(st.kind, Scheme::CopyPerMember | Scheme::UnreadIds) {
            st.unacked[ui].push(id);
        }
        self.flow(s, u, kind);
        if self.schemes[s].kind != Scheme::OfflineCopies {
            if self.p.ack_batch_ms == 0 {
                self.flush_acks(s, u);
            } else if !self.ack_pending[ui] {
                self.ack_pending[ui] = true;
                let at = self.now + self.p.ack_batch_ms as u64 * NS_PER_MS;
                self.schedule(at, Ev::AckFlush { user: u });
            }
        }
        if self.schemes[s].kind == Scheme::Cursor && !pulled {
            self.check_gap(s, u);
        }
    }

    /// Scheme 4: ids are ordered, so a client that sees a hole pulls it at once.
    fn check_gap(&mut self, s: usize, u: u32) {
        let ui = u as usize;
        let st = &self.schemes[s];
        if st.gap_pull[ui] || !self.online[ui] {
            return;
        }
        let have = &st.have[ui];
        let ranges = have.ranges();
        if ranges.len() < 2 && have.contiguous_max() > 0 || ranges.is_empty() {
            return;
        }
        // The holes below the highest id held.
        let upto = ranges.last().map_or(0, |r| r.1);
        let missing = have.missing_upto(upto);
        if missing == 0 {
            return;
        }
        self.schemes[s].gap_pull[ui] = true;
        self.request_pull(s, u, 0, upto, missing, true);
    }

    fn flush_acks(&mut self, s: usize, u: u32) {
        let ui = u as usize;
        let online = self.online[ui];
        let ack_loss = self.p.ack_loss_prob;
        let now = self.now;
        let st = &mut self.schemes[s];
        match st.kind {
            Scheme::OfflineCopies => {}
            Scheme::CopyPerMember | Scheme::UnreadIds => {
                if st.unacked[ui].is_empty() {
                    return;
                }
                let ids = std::mem::take(&mut st.unacked[ui]);
                if !online || st.ack_rng.chance(ack_loss) {
                    return; // the rows stay; they come back on the next reconnect
                }
                for id in ids {
                    if Self::unowe(st, ui, id) {
                        st.stats.deletes += 1;
                        Self::write(&mut st.stats, now, SMALL_ROW_BYTES);
                    }
                }
            }
            Scheme::Cursor => {
                let c = st.have[ui].contiguous_max();
                if c <= st.last_acked[ui] {
                    return;
                }
                st.last_acked[ui] = c;
                if !online || st.ack_rng.chance(ack_loss) {
                    return;
                }
                if c > st.cursor[ui] {
                    st.cursor[ui] = c; // never backwards
                    st.stats.updates += 1;
                    Self::write(&mut st.stats, now, SMALL_ROW_BYTES);
                }
            }
        }
    }

    fn on_send(&mut self) {
        let g = self.groups_pick.pick(&mut self.rng).unwrap_or(0);
        // Only an online member can send: the drawn sender, or the next online member after it.
        let drawn = self.sender_pick.pick(&mut self.rng).unwrap_or(0);
        let base = g * self.members;
        let Some(sender) = (0..self.members)
            .map(|k| (drawn + k) % self.members)
            .find(|&j| self.online[(base + j) as usize])
        else {
            return; // nobody in the group is online
        };
        let gi = g as usize;
        self.latest[gi] += 1;
        let id = self.latest[gi];
        self.messages += 1;
        let now = self.now;
        let content = self.p.content_bytes as u64 + KEY_BYTES;
        if g == 0 {
            if self.recent_msgs.len() == SHOWN_MSGS {
                self.recent_msgs.pop_front();
            }
            self.recent_msgs.push_back((id, 0, sender, now));
        }
        for st in &mut self.schemes {
            // The sender's own client has its message.
            st.have[(base + sender) as usize].insert(id);
            if matches!(st.kind, Scheme::UnreadIds | Scheme::Cursor) {
                st.stats.msg_rows += 1;
                st.stats.inserts += 1;
                Self::write(&mut st.stats, now, content);
            }
        }
        for j in 0..self.members {
            if j == sender {
                continue;
            }
            let u = base + j;
            let online = self.online[u as usize];
            let (fail, crash) = if online {
                let fail = self.rng.chance(self.p.push_fail_prob);
                let crash = !fail && self.rng.chance(self.p.crash_prob);
                (fail, crash)
            } else {
                (false, false)
            };
            if fail || crash {
                self.online_faults += 1;
            }
            for s in 0..4 {
                let kind = self.schemes[s].kind;
                let stores = match kind {
                    Scheme::OfflineCopies => !online,
                    Scheme::CopyPerMember | Scheme::UnreadIds => true,
                    Scheme::Cursor => false,
                };
                if stores {
                    let st = &mut self.schemes[s];
                    Self::owe(st, u as usize, id);
                    st.stats.inserts += 1;
                    let bytes = if kind == Scheme::UnreadIds {
                        SMALL_ROW_BYTES
                    } else {
                        content
                    };
                    Self::write(&mut st.stats, now, bytes);
                    self.flow(s, j, FlowKind::Stored);
                }
                if online {
                    if fail || crash {
                        if kind == Scheme::OfflineCopies {
                            self.schemes[s].stats.lost += 1;
                            self.flow(s, j, FlowKind::Lost);
                        }
                    } else {
                        self.receive(s, u, id, false);
                    }
                }
            }
            if crash {
                self.go_offline(u);
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn on_pull_done(&mut self, s: usize, u: u32, gen: u32, gap: bool, from: u32, upto: u32) {
        let ui = u as usize;
        let kind = self.schemes[s].kind;
        if !gap {
            self.schemes[s].pulling[ui] = false;
        }
        if gen != self.gen[ui] || !self.online[ui] {
            // The member left before the rows arrived; they stay owed. (A stale gap pull leaves
            // the flag alone: it belongs to the member's new session now.)
            if !gap && std::mem::take(&mut self.schemes[s].repull[ui]) && self.online[ui] {
                self.reconnect_pull(s, u); // for the member's current session
            }
            return;
        }
        let st = &self.schemes[s];
        let ids: Vec<u32> = match (kind, gap) {
            (Scheme::Cursor, false) => (from + 1..=upto).collect(),
            (Scheme::Cursor, true) => {
                let mut holes = Vec::new();
                let mut next = 1u32;
                for &(lo, hi) in st.have[ui].ranges() {
                    if lo > upto {
                        break;
                    }
                    holes.extend(next..lo);
                    next = hi + 1;
                }
                holes
            }
            _ => st.owed[ui].iter().take_while(|&id| id <= upto).collect(),
        };
        let now = self.now;
        for id in ids {
            if kind == Scheme::OfflineCopies {
                let st = &mut self.schemes[s];
                if Self::unowe(st, ui, id) {
                    st.stats.deletes += 1;
                    Self::write(&mut st.stats, now, SMALL_ROW_BYTES);
                }
            }
            self.receive(s, u, id, true);
        }
        if kind == Scheme::Cursor {
            // Only now, with the whole pull applied, is a hole a real gap.
            self.schemes[s].gap_pull[ui] = false;
            self.check_gap(s, u);
        }
    }

    fn refresh_storage(&mut self) {
        let content = self.p.content_bytes as u64 + KEY_BYTES;
        let users = self.users as u64;
        let now = self.now;
        for st in &mut self.schemes {
            let s = &mut st.stats;
            let (rows, bytes) = match st.kind {
                Scheme::OfflineCopies | Scheme::CopyPerMember => {
                    (s.owed_total, s.owed_total * content)
                }
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
    }

    /// Stops sending, faults and churn, brings everyone online so every scheme pulls what it owes,
    /// and lets acks flow. Run to a later time afterwards to reach quiescence.
    pub fn quiesce(&mut self) {
        self.p.send_until_ms = ((self.now / NS_PER_MS) as u32).max(1);
        self.p.push_fail_prob = 0.0;
        self.p.crash_prob = 0.0;
        self.p.ack_loss_prob = 0.0;
        self.frozen = true;
        self.cut_off.iter_mut().for_each(|c| *c = false);
        for u in 0..self.users {
            self.go_offline(u);
            self.go_online(u);
        }
    }

    /// Fills `out` with what to draw; flows from the last `span_ns` of virtual time.
    pub fn fill_snapshot(&self, span_ns: Nanos, out: &mut ChatSnapshot) {
        let m = self.members as usize;
        out.now = self.now;
        out.online.clear();
        out.online.extend_from_slice(&self.online[..m]);
        out.latest_msgid = self.latest[0];
        let since = self.now.saturating_sub(span_ns);
        for (s, view) in out.schemes.iter_mut().enumerate() {
            let st = &self.schemes[s];
            view.flows.clear();
            view.flows
                .extend(st.flows.iter().rev().take_while(|f| f.at >= since).copied());
            let delivered = view.flows.len();
            view.flows.extend(
                st.stored_flows
                    .iter()
                    .rev()
                    .take_while(|f| f.at >= since)
                    .copied(),
            );
            view.dense =
                delivered == FLOW_CAPACITY || view.flows.len() - delivered == FLOW_CAPACITY;
            view.rows_stored = st.stats.rows_stored;
            view.peak_rows = st.stats.peak_rows;
            view.bytes_stored = st.stats.bytes_stored;
            view.owed.clear();
            match st.kind {
                Scheme::Cursor => view
                    .owed
                    .extend(st.cursor[..m].iter().map(|&c| (self.latest[0] - c) as u64)),
                _ => view.owed.extend(st.owed[..m].iter().map(RangeSet::len)),
            }
        }
        let cur = &self.schemes[Scheme::Cursor.index()];
        out.group_members.clear();
        out.group_members
            .extend((0..m.min(10)).map(|j| (0, j as u32, cur.cursor[j])));
        out.group_msgs.clear();
        out.group_msgs
            .extend(self.recent_msgs.iter().rev().copied());
    }
}

impl Model for ChatLab {
    type Params = ChatParams;

    fn new(p: ChatParams, seed: u64) -> Result<Self, ParamError> {
        p.validate()?;
        let members = p.members_per_group;
        let users = p.groups * members;
        let n = users as usize;
        let bucket = p.chart_bucket_ms as u64 * NS_PER_MS;
        let mk = |kind: Scheme, stream: u64| SchemeState {
            kind,
            owed: if kind == Scheme::Cursor {
                Vec::new()
            } else {
                vec![RangeSet::with_cap(OWED_MAX_RANGES); n]
            },
            cursor: if kind == Scheme::Cursor {
                vec![0; n]
            } else {
                Vec::new()
            },
            // Scheme 1's holes are losses for good: its clients keep the default cap. The others'
            // holes are filled later, so their clients must not forget them.
            have: vec![
                if kind == Scheme::OfflineCopies {
                    RangeSet::new()
                } else {
                    RangeSet::with_cap(CLIENT_MAX_RANGES)
                };
                n
            ],
            unacked: vec![Vec::new(); n],
            last_acked: vec![0; n],
            gap_pull: vec![false; n],
            pulling: vec![false; n],
            repull: vec![false; n],
            busy_until: 0,
            ack_rng: SimRng::derive(seed, 100 + stream),
            stats: SchemeStats::new(kind, bucket),
            flows: VecDeque::with_capacity(256),
            stored_flows: VecDeque::with_capacity(256),
        };
        let mut lab = Self {
            groups_pick: KeyPicker::new(KeyChoice::Zipf, p.groups, p.group_zipf),
            sender_pick: KeyPicker::new(KeyChoice::Zipf, members, p.sender_zipf),
            rng: SimRng::derive(seed, 1),
            seed,
            now: 0,
            members,
            users,
            online: vec![false; n],
            gen: vec![0; n],
            ack_pending: vec![false; n],
            latest: vec![0; p.groups as usize],
            cut_off: vec![false; n],
            frozen: false,
            // Per member at most: one churn event, one reconnect pull and one gap pull per scheme,
            // one ack flush; plus the send and outage events.
            events: EventQueue::with_capacity(n * 10 + 16),
            schemes: [
                mk(Scheme::OfflineCopies, 0),
                mk(Scheme::CopyPerMember, 1),
                mk(Scheme::UnreadIds, 2),
                mk(Scheme::Cursor, 3),
            ],
            messages: 0,
            online_faults: 0,
            dropped_events: 0,
            recent_msgs: VecDeque::with_capacity(SHOWN_MSGS),
            p,
        };
        // Start in the steady state: online with probability on / (on + off).
        let on = lab.p.online_mean_ms as f64
            / (lab.p.online_mean_ms as f64 + lab.p.offline_mean_ms as f64);
        for u in 0..users {
            let ui = u as usize;
            if lab.rng.chance(on) {
                lab.online[ui] = true;
                let at = lab.exp_ms(lab.p.online_mean_ms);
                lab.schedule(at, Ev::Churn { user: u, gen: 0 });
            } else {
                let at = lab.exp_ms(lab.p.offline_mean_ms);
                lab.schedule(at, Ev::Churn { user: u, gen: 0 });
            }
        }
        if lab.p.msg_rate_per_s > 0 {
            let at = lab
                .rng
                .exp_nanos(NS_PER_S as f64 / lab.p.msg_rate_per_s as f64);
            lab.schedule(at, Ev::Send);
        }
        if lab.p.outage_at_ms > 0 {
            lab.schedule(lab.p.outage_at_ms as u64 * NS_PER_MS, Ev::OutageStart);
        }
        lab.refresh_storage();
        Ok(lab)
    }

    fn now(&self) -> Nanos {
        self.now
    }

    fn advance_to(&mut self, until: Nanos, max_events: u64) -> Advance {
        let max_events = max_events.max(1); // a budget of 0 would never make progress
        let mut done = 0;
        while self.events.peek_time().is_some_and(|t| t <= until) {
            if done == max_events {
                self.refresh_storage();
                return Advance::BudgetExhausted;
            }
            done += 1;
            let (t, ev) = self.events.pop_due(until).expect("peeked event is due");
            self.now = t;
            match ev {
                Ev::Send => {
                    let stop = self.p.send_until_ms as u64 * NS_PER_MS;
                    if self.p.send_until_ms == 0 || t < stop {
                        self.on_send();
                        let gap = self
                            .rng
                            .exp_nanos(NS_PER_S as f64 / self.p.msg_rate_per_s as f64);
                        self.schedule(t + gap, Ev::Send);
                    }
                }
                Ev::Churn { user, gen } => {
                    if gen == self.gen[user as usize]
                        && !self.cut_off[user as usize]
                        && !self.frozen
                    {
                        if self.online[user as usize] {
                            self.go_offline(user);
                        } else {
                            self.go_online(user);
                        }
                    }
                }
                Ev::PullDone {
                    scheme,
                    user,
                    gen,
                    gap,
                    from,
                    upto,
                } => self.on_pull_done(scheme as usize, user, gen, gap, from, upto),
                Ev::AckFlush { user } => {
                    self.ack_pending[user as usize] = false;
                    for s in 0..4 {
                        self.flush_acks(s, user);
                    }
                }
                Ev::OutageStart => {
                    if !self.frozen {
                        // A share of the members is cut off (a region, a gateway); the rest go on.
                        for u in 0..self.users {
                            if self.rng.chance(self.p.outage_share) {
                                self.cut_off[u as usize] = true;
                                self.go_offline(u);
                            }
                        }
                        self.schedule(t + self.p.outage_ms as u64 * NS_PER_MS, Ev::OutageEnd);
                    }
                }
                Ev::OutageEnd => {
                    // Everyone cut off comes back at once: the reconnect storm.
                    for u in 0..self.users {
                        if std::mem::take(&mut self.cut_off[u as usize]) {
                            self.go_online(u);
                        }
                    }
                }
            }
            // After every event, so peaks do not depend on how the run is stepped.
            self.refresh_storage();
        }
        self.now = self.now.max(until);
        self.refresh_storage();
        Advance::Reached
    }

    fn digest(&self) -> u64 {
        let mut d = Digest::default();
        d.u64(self.now).u64(self.messages).u64(self.online_faults);
        for st in &self.schemes {
            let s = &st.stats;
            for x in [
                s.inserts,
                s.deletes,
                s.updates,
                s.write_bytes,
                s.rows_stored,
                s.peak_rows,
                s.pulls,
                s.rows_read,
                s.lost,
                s.delivered,
                s.duplicates_delivered,
                s.unread_wrong,
                s.pull_latency.percentiles().p99_ns,
            ] {
                d.u64(x);
            }
        }
        d.finish()
    }
}
