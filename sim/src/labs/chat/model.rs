//! The chat lab's model: messages sent to groups, fanned out under the four schemes side by side,
//! with the members' churn, the outage, pulls and acks as events.

use super::members::{Members, Online, Timer};
use super::params::ChatParams;
use super::ranges::RangeSet;
use super::scheme::{SchemeState, SchemeStats, KEY_BYTES};
use super::snapshot::{ChatSnapshot, FlowKind, Picture, View};
use super::store::Store;
use super::Scheme;
use crate::kernel::cost::{bytes, Cost};
use crate::check::delivery::Receipt;
use crate::kernel::digest::Digest;
use crate::kernel::lab::{Checker, Cx, Lab, NoFault, Seeds};
use crate::kernel::preset::Preset;
use crate::kernel::report::{Metric, Report};
use crate::kernel::rng::SimRng;
use crate::kernel::sim::Sim;
use crate::kernel::time::{Nanos, NS_PER_MS, NS_PER_S};
use crate::kernel::traffic::{KeyChoice, KeyPicker};
use crate::kernel::why::{Kind as WhyKind, WhyLog};

use super::why;

#[derive(Clone, Debug)]
pub enum Event {
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

/// The group-chat lab model (run by [`Sim`]; [`ChatLab`] is the run).
#[derive(Clone)]
pub struct Chat {
    p: ChatParams,
    rng: SimRng,
    groups_pick: KeyPicker,
    sender_pick: KeyPicker,
    members: Members,
    /// Latest msgid of every group.
    latest: Vec<u32>,
    schemes: [SchemeState; 4],
    /// A line for every message lost, delivered again, or unread count wrong.
    why: WhyLog,
    picture: Picture,
    messages: u64,
    /// Pushes that failed, or clients that crashed, while the member was online: counted apart
    /// from the schemes, as the checker of scheme 1's losses.
    online_faults: u64,
    dropped_events: u64,
}

/// A run of the group-chat lab.
pub type ChatLab = Sim<Chat>;

impl Chat {
    pub fn params(&self) -> &ChatParams {
        &self.p
    }

    pub fn stats(&self, s: Scheme) -> &SchemeStats {
        self.schemes[s.index()].stats()
    }

    pub fn messages(&self) -> u64 {
        self.messages
    }

    /// Pushes that failed and crashes before storing, while the member was online.
    pub fn online_faults(&self) -> u64 {
        self.online_faults
    }

    pub fn online_count(&self) -> u64 {
        self.members.online_count()
    }

    pub fn users(&self) -> u32 {
        self.members.users()
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
        self.schemes[scheme.index()].have(user)
    }

    /// Scheme 4's cursor of `user`.
    pub fn cursor(&self, user: u32) -> u32 {
        self.schemes[Scheme::Cursor.index()].cursor(user)
    }

    /// Messages missing from clients now, per scheme (own messages count as had).
    pub fn missing(&self, scheme: Scheme) -> u64 {
        let st = &self.schemes[scheme.index()];
        (0..self.users())
            .map(|u| st.missing(u, self.latest_of(u)))
            .sum()
    }

    /// Every first delivery accounted for under `scheme`: first deliveries + what clients miss =
    /// what members are owed (every message goes to every member of its group but its sender).
    pub fn accounted(&self, scheme: Scheme) -> bool {
        let owed = self.messages * (self.members.per_group() as u64 - 1);
        self.stats(scheme)
            .delivery
            .accounted(owed, self.missing(scheme))
    }

    /// The latest msgid of member `u`'s group.
    fn latest_of(&self, u: u32) -> u32 {
        self.latest[self.members.group_of(u)]
    }

    fn schedule(&mut self, cx: &mut Cx<Event>, at: Nanos, ev: Event) {
        if cx.pending() == cx.capacity() {
            // Full: drop churn timers of sessions that have since ended (a crash or an outage
            // leaves one behind). What is left is at most a handful per member, which fits.
            let members = &self.members;
            cx.retain(|e| !matches!(e, Event::Churn { user, gen } if members.stale(*user, *gen)));
        }
        if cx.at(at, ev).is_err() {
            self.dropped_events += 1;
        }
    }

    fn set_timer(&mut self, cx: &mut Cx<Event>, t: Option<Timer>) {
        if let Some(t) = t {
            let ev = Event::Churn {
                user: t.user,
                gen: t.gen,
            };
            self.schedule(cx, t.at, ev);
        }
    }

    fn go_offline(&mut self, cx: &mut Cx<Event>, u: u32) {
        let t = self.members.go_offline(u, cx.now(), &mut self.rng);
        self.set_timer(cx, t);
    }

    /// Member `u` comes online: each scheme shows its unread count and pulls what it owes.
    fn go_online(&mut self, cx: &mut Cx<Event>, u: u32) {
        let Online::Came(t) = self.members.go_online(u, cx.now(), &mut self.rng) else {
            return;
        };
        self.set_timer(cx, t);
        let latest = self.latest_of(u);
        for s in 0..4 {
            let pull = self.schemes[s].reconnected(u, latest);
            let (shown, truth) = self.schemes[s].last_unread;
            if shown != truth {
                let n = why::number(self.schemes[s].kind());
                let args = [u as i64, shown as i64, truth as i64, n];
                self.why
                    .note(cx.now(), why::UNREAD_WRONG, &args, &why::ents(s, u));
            }
            if pull {
                self.reconnect_pull(cx, s, u);
            }
        }
    }

    /// Starts the pull a reconnecting member makes under scheme `s`.
    fn reconnect_pull(&mut self, cx: &mut Cx<Event>, s: usize, u: u32) {
        let latest = self.latest_of(u);
        let (from, n) = self.schemes[s].begin_reconnect_pull(u, latest);
        self.request_pull(cx, s, u, (from, latest), n, false);
    }

    /// Asks scheme `s`'s store for `n` messages of member `u` (`from`, `upto`: see
    /// [`Event::PullDone`]).
    fn request_pull(
        &mut self,
        cx: &mut Cx<Event>,
        s: usize,
        u: u32,
        (from, upto): (u32, u32),
        n: u64,
        gap: bool,
    ) {
        let done = self.schemes[s].pull(cx.now(), n, gap);
        let ev = Event::PullDone {
            scheme: s as u8,
            user: u,
            gen: self.members.gen(u),
            gap,
            from,
            upto,
        };
        self.schedule(cx, done, ev);
    }

    /// A client receives `id` (by push or pull) under scheme `s`.
    fn receive(&mut self, cx: &mut Cx<Event>, s: usize, u: u32, id: u32, pulled: bool) {
        let now = cx.now();
        let receipt = self.schemes[s].receive(u, id);
        let kind = match receipt {
            Receipt::First if pulled => FlowKind::Pulled,
            Receipt::First => FlowKind::Push,
            Receipt::Dropped | Receipt::ShownTwice => FlowKind::Duplicate,
        };
        if receipt != Receipt::First {
            let k = if receipt == Receipt::Dropped {
                why::DUP_DROPPED
            } else {
                why::DUP_SHOWN
            };
            let n = why::number(self.schemes[s].kind());
            self.why
                .note(now, k, &[id as i64, u as i64, n], &why::ents(s, u));
        }
        self.picture.flow(s, u, kind, now);
        if self.schemes[s].acks() {
            // A client acks at once without batching, or when its batch holds the most ids one
            // ack carries (so what it holds is bounded however long the batching interval).
            if self.p.ack_batch_ms == 0 || self.schemes[s].unacked_full(u) {
                self.flush_acks(s, u, now);
            } else if self.members.set_ack_pending(u) {
                let at = now + self.p.ack_batch_ms as u64 * NS_PER_MS;
                self.schedule(cx, at, Event::AckFlush { user: u });
            }
        }
        if self.schemes[s].kind() == Scheme::Cursor && !pulled {
            self.check_gap(cx, s, u);
        }
    }

    /// Scheme 4: ids are ordered, so a client that sees a hole pulls it at once.
    fn check_gap(&mut self, cx: &mut Cx<Event>, s: usize, u: u32) {
        let online = self.members.is_online(u);
        if let Some((upto, missing)) = self.schemes[s].gap(u, online) {
            self.request_pull(cx, s, u, (0, upto), missing, true);
        }
    }

    fn flush_acks(&mut self, s: usize, u: u32, now: Nanos) {
        let online = self.members.is_online(u);
        self.schemes[s].flush_acks(u, online, self.p.ack_loss_prob, now);
    }

    fn on_send(&mut self, cx: &mut Cx<Event>) {
        let per_group = self.members.per_group();
        // The message goes to every member of the group.
        cx.work(per_group as u64);
        let g = self.groups_pick.pick(&mut self.rng).unwrap_or(0);
        // Only an online member can send: the drawn sender, or the next online member after it.
        let drawn = self.sender_pick.pick(&mut self.rng).unwrap_or(0);
        let base = g * per_group;
        let Some(sender) = (0..per_group)
            .map(|k| (drawn + k) % per_group)
            .find(|&j| self.members.is_online(base + j))
        else {
            return; // nobody in the group is online
        };
        let gi = g as usize;
        self.latest[gi] += 1;
        let id = self.latest[gi];
        self.messages += 1;
        let now = cx.now();
        self.picture.message(g, id, sender, now);
        for st in &mut self.schemes {
            st.sent(base + sender, id, now);
        }
        for j in 0..per_group {
            if j == sender {
                continue;
            }
            let u = base + j;
            let online = self.members.is_online(u);
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
                if self.schemes[s].stores_for(online) {
                    self.schemes[s].store_for(u, id, now);
                    // Drawn only for the group the picture shows (the busiest).
                    self.picture.flow(s, u, FlowKind::Stored, now);
                }
                if online {
                    if fail || crash {
                        if self.schemes[s].kind() == Scheme::OfflineCopies {
                            self.schemes[s].lose();
                            self.picture.flow(s, u, FlowKind::Lost, now);
                            let args = [id as i64, u as i64];
                            self.why
                                .note(now, why::LOST_OFFLINE_COPY, &args, &why::ents(s, u));
                        }
                    } else {
                        self.receive(cx, s, u, id, false);
                    }
                }
            }
            if crash {
                self.go_offline(cx, u);
            }
        }
    }

    fn on_pull_done(
        &mut self,
        cx: &mut Cx<Event>,
        s: usize,
        u: u32,
        gen: u32,
        gap: bool,
        (from, upto): (u32, u32),
    ) {
        self.schemes[s].landed(u, gap);
        if self.members.stale(u, gen) || !self.members.is_online(u) {
            // The member left before the rows arrived; they stay owed. (A stale gap pull leaves
            // the flag alone: it belongs to the member's new session now.)
            if !gap && self.schemes[s].take_repull(u) && self.members.is_online(u) {
                self.reconnect_pull(cx, s, u); // for the member's current session
            }
            return;
        }
        let ids = self.schemes[s].pulled_ids(u, gap, from, upto);
        let now = cx.now();
        for id in ids {
            self.schemes[s].delete_pulled(u, id, now);
            self.receive(cx, s, u, id, true);
        }
        if self.schemes[s].kind() == Scheme::Cursor {
            // Only now, with the whole pull applied, is a hole a real gap.
            self.schemes[s].gap_pull_done(u);
            self.check_gap(cx, s, u);
        }
    }

    fn refresh_storage(&mut self, now: Nanos) {
        for st in &mut self.schemes {
            st.refresh(now);
        }
    }

    /// Fills `out` with what to draw at `now`; flows from the last `span_ns` of virtual time.
    fn fill_snapshot(&self, now: Nanos, span_ns: Nanos, out: &mut ChatSnapshot) {
        self.picture.fill(
            now,
            span_ns,
            &self.members,
            self.latest[0],
            &self.schemes,
            out,
        );
    }
}

/// The chat lab's metrics: the run's counts, then one set per scheme (lane).
pub mod metrics {
    crate::metrics! {
        in "chat.m";
        /// Members in all groups.
        USERS = users: count;
        /// Messages sent, all groups together.
        MESSAGES = messages: count, key;
        /// Pushes that failed and clients that crashed before storing, while the member was
        /// online.
        ONLINE_FAULTS = online_faults: count;
        /// Events that could not be scheduled because the bounded queue was full (should stay 0).
        DROPPED_EVENTS = dropped_events: count, checker;
        /// Rows inserted (messages, copies, unread ids).
        INSERTS = inserts: count;
        /// Rows deleted (copies or ids, after an ack or a pull).
        DELETES = deletes: count;
        /// Rows updated (cursors).
        UPDATES = updates: count;
        /// Bytes written by inserts, deletes and updates.
        WRITE_BYTES = write_bytes: count;
        /// Rows stored now.
        ROWS_STORED = rows_stored: count;
        /// Most rows ever stored.
        PEAK_ROWS = peak_rows: count, key;
        /// Bytes stored now.
        BYTES_STORED = bytes_stored: count;
        /// Reconnect and gap pulls.
        PULLS = pulls: count;
        /// Reconnect pulls.
        RECONNECT_PULLS = reconnect_pulls: count;
        /// Rows read by pulls.
        ROWS_READ = rows_read: count, key;
        /// Rows read by reconnect pulls.
        RECONNECT_ROWS_READ = reconnect_rows_read: count;
        /// Messages a member will never get.
        LOST = lost: count, checker, key;
        /// Messages stored by clients (first delivery).
        DELIVERED = delivered: count, key;
        /// Deliveries of a message the client already had.
        DUPLICATES_DELIVERED = duplicates_delivered: count, checker;
        /// Messages shown to a user a second time (zero while the client dedups by msgid).
        SHOWN_TWICE = shown_twice: count, checker;
        /// Reconnects at which the unread count the scheme shows was checked.
        UNREAD_CHECKS = unread_checks: count;
        /// Reconnects at which that unread count was wrong.
        UNREAD_WRONG = unread_wrong: count, checker;
        /// Sum of |shown - true| over the checks.
        UNREAD_ABS_ERROR = unread_abs_error: count;
        /// Rows written per message sent (inserts, deletes and updates).
        WRITES_PER_MESSAGE = writes_per_message: real, key;
        /// Mean rows read per reconnect.
        ROWS_PER_RECONNECT = rows_per_reconnect: real;
        /// Time from asking to pull to having the rows, per pull.
        PULL_LATENCY = pull_latency: latency, key;
    }
}

impl Lab for Chat {
    const ID: &'static str = "chat";
    const ABOUT: &'static str =
        "group-chat offline store: four storage schemes fed the same messages, churn and faults; runs --until-s virtual seconds";
    type Params = ChatParams;
    type Event = Event;
    type Fault = NoFault;
    type Snapshot = ChatSnapshot;
    type View = View;

    fn build(params: &ChatParams, seeds: Seeds, cx: &mut Cx<Event>) -> Self {
        let p = params.clone();
        let users = p.groups * p.members_per_group;
        let bucket = p.chart_bucket_ms as u64 * NS_PER_MS;
        let msg_bytes = p.content_bytes as u64 + KEY_BYTES;
        let mk = |kind: Scheme| {
            SchemeState::new(
                kind,
                users,
                msg_bytes,
                Store::new(kind, p.store_rows_per_s, p.query_cost_rows),
                seeds.stream(100 + kind.index() as u64),
                bucket,
                p.client_dedup,
            )
        };
        let mut lab = Self {
            groups_pick: KeyPicker::new(KeyChoice::Zipf, p.groups, p.group_zipf),
            sender_pick: KeyPicker::new(KeyChoice::Zipf, p.members_per_group, p.sender_zipf),
            rng: seeds.stream(1),
            members: Members::new(
                p.groups,
                p.members_per_group,
                p.online_mean_ms,
                p.offline_mean_ms,
            ),
            latest: vec![0; p.groups as usize],
            schemes: Scheme::ALL.map(mk),
            why: WhyLog::new(why::KINDS),
            picture: Picture::new(p.members_per_group),
            messages: 0,
            online_faults: 0,
            dropped_events: 0,
            p,
        };
        // Start in the steady state, each member's first spell timed.
        for t in lab.members.start(&mut lab.rng) {
            lab.set_timer(cx, Some(t));
        }
        if lab.p.msg_rate_per_s > 0 {
            let at = lab
                .rng
                .exp_nanos(NS_PER_S as f64 / lab.p.msg_rate_per_s as f64);
            lab.schedule(cx, at, Event::Send);
        }
        if lab.p.outage_at_ms > 0 {
            let at = lab.p.outage_at_ms as u64 * NS_PER_MS;
            lab.schedule(cx, at, Event::OutageStart);
        }
        lab.refresh_storage(0);
        lab
    }

    fn params(&self) -> &ChatParams {
        &self.p
    }

    /// Per member at most: one churn event, one reconnect pull and one gap pull per scheme, one
    /// ack flush; plus the send and outage events.
    /// Per member: a few words of state per scheme, its sets of ranges (capped so that all of them
    /// together stay under a bound, see `scheme::ranges_cap`), the ids it has not acked (capped
    /// likewise), and its share of the event queue. Work: every message is fanned out to every
    /// member of its group in four schemes; members come and go.
    fn cost(p: &ChatParams) -> Cost {
        use super::scheme::{ranges_cap, unacked_cap, CLIENT_MAX_RANGES};
        let users = p.groups as u64 * p.members_per_group as u64;
        let u32s = users as u32;
        // Owed sets in schemes 1-3, held sets in 1-4; a range is 8 bytes, twice for a Vec's growth.
        let ranges = 3 * users * ranges_cap(u32s, 16_384) as u64
            + 3 * users * ranges_cap(u32s, CLIENT_MAX_RANGES) as u64
            + users * ranges_cap(u32s, super::ranges::MAX_RANGES) as u64;
        let unacked = 2 * users * unacked_cap(u32s) as u64;
        let churn_per_s = users * 1_000 / p.online_mean_ms.min(p.offline_mean_ms).max(1) as u64;
        Cost::new()
            .part("the members' sets of message ids", bytes(ranges, 16), &["members_per_group", "groups"])
            .part("the why log", WhyLog::bytes(why::KINDS.len()), &[])
            .part("ids received and not yet acked", bytes(unacked, 8), &["members_per_group", "groups"])
            .part("the members' state", bytes(users, 640), &["members_per_group", "groups"])
            .part("the event queue", bytes(users * 10 + 16, 48), &["members_per_group", "groups"])
            .part("flows, series and histograms", 8 << 20, &["chart_bucket_ms"])
            .work(
                (p.msg_rate_per_s as u64)
                    .saturating_mul(p.members_per_group as u64 * 4 + 1)
                    .saturating_add(churn_per_s),
            )
            .unit_ns(400)
    }

    fn queue_capacity(p: &ChatParams) -> usize {
        (p.groups * p.members_per_group) as usize * 10 + 16
    }

    fn handle(&mut self, cx: &mut Cx<Event>, ev: Event) {
        let t = cx.now();
        match ev {
            Event::Send => {
                let stop = self.p.send_until_ms as u64 * NS_PER_MS;
                if self.p.send_until_ms == 0 || t < stop {
                    self.on_send(cx);
                    let gap = self
                        .rng
                        .exp_nanos(NS_PER_S as f64 / self.p.msg_rate_per_s as f64);
                    self.schedule(cx, t + gap, Event::Send);
                }
            }
            Event::Churn { user, gen } => {
                if self.members.churn_due(user, gen) {
                    if self.members.is_online(user) {
                        self.go_offline(cx, user);
                    } else {
                        self.go_online(cx, user);
                    }
                }
            }
            Event::PullDone {
                scheme,
                user,
                gen,
                gap,
                from,
                upto,
            } => self.on_pull_done(cx, scheme as usize, user, gen, gap, (from, upto)),
            Event::AckFlush { user } => {
                self.members.clear_ack_pending(user);
                for s in 0..4 {
                    self.flush_acks(s, user, t);
                }
            }
            Event::OutageStart => {
                if !self.members.frozen() {
                    // A share of the members is cut off (a region, a gateway); the rest go on.
                    cx.work(self.users() as u64);
                    self.members
                        .cut_off_share(self.p.outage_share, t, &mut self.rng);
                    let end = t + self.p.outage_ms as u64 * NS_PER_MS;
                    self.schedule(cx, end, Event::OutageEnd);
                }
            }
            Event::OutageEnd => {
                // Everyone cut off comes back at once: the reconnect storm.
                cx.work(self.users() as u64);
                for u in 0..self.users() {
                    if self.members.take_cut_off(u) {
                        self.go_online(cx, u);
                    }
                }
            }
        }
        // After every event, so peaks do not depend on how the run is stepped.
        self.refresh_storage(t);
    }

    fn settle(&mut self, now: Nanos, _reached: bool) {
        self.refresh_storage(now);
    }

    /// Stops sending, faults and churn, brings everyone online so every scheme pulls what it owes,
    /// and lets acks flow. `Sim::quiesce(limit)` then runs it until [`Lab::quiet`]; with a limit of
    /// 0 it only does this, and a later `run_to` lets it settle.
    fn quiesce(&mut self, cx: &mut Cx<Event>) {
        let now = cx.now();
        self.p.send_until_ms = ((now / NS_PER_MS) as u32).max(1);
        self.p.push_fail_prob = 0.0;
        self.p.crash_prob = 0.0;
        self.p.ack_loss_prob = 0.0;
        self.members.freeze();
        for u in 0..self.users() {
            self.go_offline(cx, u);
            self.go_online(cx, u);
        }
    }

    /// Everyone online, no pull or ack in flight, nothing owed and every cursor caught up.
    fn quiet(&self) -> bool {
        self.members.online_count() == self.users() as u64
            && !self.members.any_ack_pending()
            && self
                .schemes
                .iter()
                .all(|st| st.at_rest(|u| self.latest_of(u)))
    }

    fn snapshot(&self, now: Nanos, view: &View, out: &mut ChatSnapshot) {
        self.fill_snapshot(now, view.span_ns, out);
    }

    fn metrics() -> &'static [&'static Metric] {
        metrics::ALL
    }

    fn report(&self, _now: Nanos, r: &mut Report) {
        use metrics::*;
        r.count(&USERS, self.users() as u64);
        r.count(&MESSAGES, self.messages);
        r.count(&ONLINE_FAULTS, self.online_faults);
        r.count(&DROPPED_EVENTS, self.dropped_events);
        for s in Scheme::ALL {
            let st = self.stats(s);
            r.lane(s.as_str(), s.text());
            for (m, v) in [
                (&INSERTS, st.inserts),
                (&DELETES, st.deletes),
                (&UPDATES, st.updates),
                (&WRITE_BYTES, st.write_bytes),
                (&ROWS_STORED, st.rows_stored),
                (&PEAK_ROWS, st.peak_rows),
                (&BYTES_STORED, st.bytes_stored),
                (&PULLS, st.pulls),
                (&RECONNECT_PULLS, st.reconnect_pulls),
                (&ROWS_READ, st.rows_read),
                (&RECONNECT_ROWS_READ, st.reconnect_rows_read),
                (&LOST, st.lost),
                (&DELIVERED, st.delivered),
                (&DUPLICATES_DELIVERED, st.duplicates_delivered),
                (&SHOWN_TWICE, st.shown_twice),
                (&UNREAD_CHECKS, st.unread_checks),
                (&UNREAD_WRONG, st.unread_wrong),
                (&UNREAD_ABS_ERROR, st.unread_abs_error),
            ] {
                r.count(m, v);
            }
            r.real(&WRITES_PER_MESSAGE, st.writes_per_message(self.messages));
            r.real(&ROWS_PER_RECONNECT, st.rows_per_reconnect());
            r.latency(&PULL_LATENCY, st.pull_latency.percentiles());
        }
        r.end_lane();
    }

    /// The digest of the lab before the contract (so the golden files stay).
    fn digest(&self, now: Nanos, d: &mut Digest) {
        d.u64(now).u64(self.messages).u64(self.online_faults);
        for st in &self.schemes {
            let s = st.stats();
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
    }

    fn why_kinds() -> &'static [WhyKind] {
        why::KINDS
    }

    fn why(&self) -> Option<&WhyLog> {
        Some(&self.why)
    }

    fn checkers() -> &'static [Checker] {
        &[Checker::Loss, Checker::Duplicates]
    }

    fn presets() -> Vec<Preset<ChatParams>> {
        super::presets::all()
    }
}

/// What only the chat lab's run does: its picture, drawn at the run's clock.
impl Sim<Chat> {
    /// Fills `out` with what to draw now; flows from the last `span_ns` of virtual time.
    pub fn fill_snapshot(&self, span_ns: Nanos, out: &mut ChatSnapshot) {
        self.snapshot(&View { span_ns }, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::model::{Advance, Model};
    use crate::kernel::time::secs;

    fn small() -> ChatParams {
        ChatParams {
            groups: 3,
            members_per_group: 10,
            msg_rate_per_s: 30,
            online_mean_ms: 2_000,
            offline_mean_ms: 1_000,
            push_fail_prob: 0.1,
            ack_loss_prob: 0.1,
            crash_prob: 0.05,
            ack_batch_ms: 100,
            ..ChatParams::default()
        }
    }

    #[test]
    fn quiescing_comes_to_rest_with_every_delivery_exactly_once_in_schemes_2_to_4() {
        let mut lab = ChatLab::new(small(), 5).unwrap();
        lab.run_to(secs(10));
        assert!(!lab.quiet(), "mid-run, messages are on their way");
        assert!(lab.quiesce(secs(120)), "comes to rest");
        let owed = lab.messages() * 9;
        for s in Scheme::ALL {
            assert!(lab.accounted(s), "{s:?}");
        }
        for s in [Scheme::CopyPerMember, Scheme::UnreadIds, Scheme::Cursor] {
            assert!(
                lab.stats(s).delivery.exactly_once(owed, lab.missing(s)),
                "{s:?}"
            );
        }
        let s1 = lab.stats(Scheme::OfflineCopies);
        assert_eq!(s1.lost, lab.online_faults());
        assert_eq!(lab.missing(Scheme::OfflineCopies), s1.lost);
    }

    #[test]
    fn a_send_counts_as_work_for_every_member() {
        let p = ChatParams {
            members_per_group: 100,
            groups: 1,
            ..small()
        };
        let mut lab = ChatLab::new(p, 1).unwrap();
        // A budget of one unit takes one event per call: the call that sends a message did the
        // event and the message's work for each of the 100 members.
        let mut sends = 0;
        while sends < 5 {
            let (work, msgs) = (lab.work(), lab.messages());
            assert_eq!(lab.advance_to(secs(10), 1), Advance::BudgetExhausted);
            if lab.messages() > msgs {
                assert_eq!(lab.work() - work, 1 + 100);
                sends += 1;
            } else {
                assert_eq!(lab.work() - work, 1);
            }
        }
    }
}
