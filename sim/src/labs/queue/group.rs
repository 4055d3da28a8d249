//! The consumer group: members that poll their partitions (`max_poll_records`), process one
//! message at a time (`process_ms`) and commit (`auto`, before or after processing), rebalance
//! when a member joins, leaves or times out (`session_timeout_ms`, `rebalance_ms`, the assignor),
//! skip what the dedup store has seen, retry a poison message and dead-letter it, drop messages
//! older than the TTL and replay them on demand.

use std::collections::VecDeque;

use super::assign::assign;
use super::event::{Event, Msg};
use super::model::{Cx, Queue};
use super::params::CommitMode;
use super::params::Partitioner;
use super::snapshot::FlowKind;
use super::why;
use crate::kernel::time::{Nanos, NS_PER_MS, NS_PER_S};

/// Most expired messages remembered for a replay.
pub(super) const ARCHIVE_CAPACITY: usize = 100_000;

#[derive(Clone, Default)]
pub(super) struct Consumer {
    pub(super) up: bool,
    pub(super) member: bool,
    /// Bumped on every restart and rebalance: older timers are stale.
    pub(super) gen: u32,
    /// Polled records not yet taken: (partition, offset).
    pub(super) buffer: VecDeque<(u32, u64)>,
    /// The record being processed.
    pub(super) busy: Option<(u32, u64, Msg)>,
    /// Attempts at the (poison) message being processed.
    pub(super) attempts: u32,
    /// Where the next poll starts looking (partitions in turn).
    rr: usize,
}

/// The group's progress on one partition.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Offsets {
    /// The group's committed offset.
    pub(super) committed: u64,
    /// The owner's fetch position.
    pub(super) position: u64,
    /// The offset up to which the owner has finished processing.
    pub(super) done: u64,
    pub(super) owner: Option<u32>,
}

/// The consumer group.
#[derive(Clone, Default)]
pub(super) struct Group {
    pub(super) consumers: Vec<Consumer>,
    /// Per partition.
    pub(super) offsets: Vec<Offsets>,
    /// The group's generation (commits of an older one are refused).
    pub(super) gen: u32,
    pub(super) rebalancing: bool,
    pub(super) paused_until: Option<Nanos>,
    pub(super) pause_token: u32,
    /// Expired messages remembered for a replay.
    pub(super) archive: VecDeque<Msg>,
    /// Expired messages being sent again, at `replay_rate_per_s`.
    pub(super) replaying: VecDeque<Msg>,
}

impl Group {
    /// A partition's log was cut to `end`: offsets beyond it go back, polled records beyond it go.
    pub(super) fn truncated(&mut self, part: u32, end: u64) {
        let o = &mut self.offsets[part as usize];
        o.position = o.position.min(end);
        o.committed = o.committed.min(end);
        o.done = o.done.min(end);
        for c in &mut self.consumers {
            c.buffer.retain(|&(p, off)| p != part || off < end);
        }
    }

    /// The offset below which a partition is consumed (committed and processed).
    pub(super) fn consumed(&self, part: usize, hw: u64) -> u64 {
        let o = &self.offsets[part];
        o.committed.min(o.done).min(hw)
    }

    /// Partitions `c` owns.
    pub(super) fn owned(&self, c: u32) -> impl Iterator<Item = u32> + '_ {
        self.offsets
            .iter()
            .enumerate()
            .filter(move |(_, o)| o.owner == Some(c))
            .map(|(k, _)| k as u32)
    }

    /// Members up that own no partition.
    pub(super) fn idle_members(&self) -> u32 {
        self.consumers
            .iter()
            .enumerate()
            .filter(|(i, c)| {
                c.member && c.up && !self.offsets.iter().any(|o| o.owner == Some(*i as u32))
            })
            .count() as u32
    }
}

impl Queue {
    pub(super) fn wake_consumers(&mut self, cx: &mut Cx) {
        for c in 0..self.group.consumers.len() as u32 {
            self.consumer_next(cx, c);
        }
    }

    /// Commits `offset` of `part`; it lands after a network trip.
    fn commit(&mut self, cx: &mut Cx, part: u32, offset: u64) {
        let lat = self.net.latency();
        let group_gen = self.group.gen;
        let ev = Event::CommitLanded {
            partition: part,
            offset,
            group_gen,
        };
        self.at(cx, cx.now() + lat, ev);
    }

    /// A commit reached the group coordinator.
    pub(super) fn commit_landed(&mut self, part: u32, offset: u64, group_gen: u32) {
        if group_gen == self.group.gen {
            let end = self.cluster.parts[part as usize].end();
            let o = &mut self.group.offsets[part as usize];
            o.committed = o.committed.max(offset.min(end));
        }
    }

    /// Takes the next polled record (polling when the buffer is empty), unless busy.
    fn consumer_next(&mut self, cx: &mut Cx, c: u32) {
        if self.group.rebalancing || self.group.paused_until.is_some() {
            return;
        }
        let ci = c as usize;
        {
            let con = &self.group.consumers[ci];
            if !con.up || !con.member || con.busy.is_some() {
                return;
            }
        }
        while self.group.consumers[ci].busy.is_none() {
            if self.group.consumers[ci].buffer.is_empty() && !self.poll(cx, c) {
                return;
            }
            let Some((part, off)) = self.group.consumers[ci].buffer.pop_front() else {
                return;
            };
            self.take(cx, c, part, off);
        }
    }

    /// Fetches the next records of one owned partition into the consumer's buffer.
    fn poll(&mut self, cx: &mut Cx, c: u32) -> bool {
        let n = self.cluster.parts.len();
        let start = self.group.consumers[c as usize].rr;
        for k in 0..n {
            let part = (start + k) % n;
            let o = &mut self.group.offsets[part];
            if o.owner != Some(c) {
                continue;
            }
            let pt = &self.cluster.parts[part];
            let Some(leader) = pt.leader else { continue };
            if !self.cluster.up[leader as usize] {
                continue;
            }
            if o.position < pt.base {
                // Deleted by retention before this group read them.
                o.position = pt.base;
            }
            if o.position >= pt.hw {
                continue;
            }
            let count = (pt.hw - o.position).min(self.p.max_poll_records as u64);
            let from = o.position;
            o.position += count;
            let to = o.position;
            let con = &mut self.group.consumers[c as usize];
            con.rr = part + 1;
            con.buffer.extend((from..to).map(|o| (part as u32, o)));
            if self.p.commit == CommitMode::BeforeProcessing {
                self.commit(cx, part as u32, to);
            }
            return true;
        }
        false
    }

    /// Starts processing one record (or drops it for its age).
    fn take(&mut self, cx: &mut Cx, c: u32, part: u32, off: u64) {
        let now = cx.now();
        let ttl = self.p.ttl_ms as u64 * NS_PER_MS;
        let rec = self.cluster.parts[part as usize].record(off).copied();
        let o = &mut self.group.offsets[part as usize];
        let Some(rec) = rec else {
            o.done = o.done.max(off + 1);
            return;
        };
        if ttl > 0 && now - rec.msg.created > ttl {
            o.done = o.done.max(off + 1);
            if self.expire(cx, rec.msg, part, c) {
                let args = [rec.msg.id as i64, part as i64, (now - rec.msg.created) as i64, ttl as i64];
                let ents = [why::partition(part), why::consumer(c), why::key(rec.msg.key)];
                self.why.note(now, why::EXPIRED_TTL, &args, &ents);
            }
            self.after_message(cx, c, part);
            return;
        }
        self.fate.delivered(rec.msg.id);
        self.stats.delivered += 1;
        let dur = self.p.process_ms as u64 * NS_PER_MS;
        self.flows
            .add(now, FlowKind::Deliver, part, c, dur.max(NS_PER_MS), 1);
        let con = &mut self.group.consumers[c as usize];
        con.busy = Some((part, off, rec.msg));
        let gen = con.gen;
        self.at(cx, now + dur, Event::ProcessDone { consumer: c, gen });
    }

    /// Drops `msg` unprocessed for its age (once), and remembers it for a replay; true if it is
    /// news.
    pub(super) fn expire(&mut self, cx: &mut Cx, msg: Msg, part: u32, node: u32) -> bool {
        let first = self.fate.expired(msg.id);
        if first {
            self.stats.expired += 1;
            if self.flows.last_kind() != Some(FlowKind::Expired) {
                self.flows.add(cx.now(), FlowKind::Expired, part, node, 0, 1);
            }
            if self.group.archive.len() < ARCHIVE_CAPACITY {
                self.group.archive.push_back(msg);
            }
        }
        first
    }

    /// A consumer finished (or failed) processing its record.
    pub(super) fn process_done(&mut self, cx: &mut Cx, c: u32, gen: u32) {
        let now = cx.now();
        let ci = c as usize;
        if self.group.consumers[ci].gen != gen {
            return;
        }
        let Some((part, off, msg)) = self.group.consumers[ci].busy else {
            return;
        };
        if msg.poison {
            self.stats.poison_attempts += 1;
            let con = &mut self.group.consumers[ci];
            con.attempts += 1;
            if con.attempts <= self.p.poison_retries || !self.p.dead_letter_queue {
                // Try again; without a dead-letter queue this never ends.
                let dur = self.p.process_ms.max(1) as u64 * NS_PER_MS;
                self.at(cx, now + dur, Event::ProcessDone { consumer: c, gen });
                return;
            }
            let tries = con.attempts;
            con.attempts = 0;
            let args = [msg.id as i64, off as i64, part as i64, c as i64, tries as i64];
            let ents = [why::partition(part), why::consumer(c), why::key(msg.key)];
            self.why.note(now, why::DEAD_LETTER, &args, &ents);
            self.stats.dead_lettered += 1;
            self.fate.dead_lettered(msg.id);
            self.flows.add(now, FlowKind::DeadLetter, part, c, 0, 1);
        } else {
            self.process(now, msg, part, c);
        }
        self.group.consumers[ci].busy = None;
        let o = &mut self.group.offsets[part as usize];
        o.done = o.done.max(off + 1);
        self.after_message(cx, c, part);
        self.consumer_next(cx, c);
    }

    /// The message's effect, guarded by the dedup store if it is on.
    fn process(&mut self, now: Nanos, msg: Msg, part: u32, c: u32) {
        // The dedup store is exact: it holds every processed id (of the tracked window).
        let Some(times) = self.fate.times_processed(msg.id) else {
            return;
        };
        if self.p.dedup_store && times > 0 {
            self.stats.deduped += 1;
            return;
        }
        if self.fate.processed(msg.id) {
            self.flows.add(now, FlowKind::DupProcessed, part, c, 0, 1);
            let off = self.group.consumers[c as usize].busy.map_or(0, |b| b.1);
            let args = [msg.id as i64, off as i64, part as i64, c as i64];
            let ents = [why::partition(part), why::consumer(c), why::key(msg.key)];
            self.why.note(now, why::DUP_PROCESSED, &args, &ents);
            return;
        }
        self.stats.processed += 1;
        self.stats.processed_series.record(now, 1);
        let lat = now - msg.created;
        self.stats.e2e_latency.record(lat);
        self.bucket_hist.record(lat);
        if self.order.processed(msg.key, msg.key_seq) {
            self.flows.add(now, FlowKind::Reorder, part, c, 0, 1);
            let later = self.order.latest(msg.key).unwrap_or(0);
            let (k, seq) = (msg.key as i64, msg.key_seq as i64);
            let ents = [why::key(msg.key), why::partition(part), why::consumer(c)];
            if self.p.partitioner != Partitioner::ByKey {
                self.why
                    .note(now, why::REORDER_SPREAD, &[seq, k, later as i64], &ents);
            } else if !self.p.idempotence && self.p.max_in_flight > 1 && self.p.retries > 0 {
                let args = [seq, k, later as i64, self.p.max_in_flight as i64];
                self.why.note(now, why::REORDER_RETRY, &args, &ents);
            } else {
                self.why
                    .note(now, why::REORDER_OTHER, &[seq, k, later as i64], &ents);
            }
        }
    }

    /// After-processing commits, once a poll is fully processed.
    fn after_message(&mut self, cx: &mut Cx, c: u32, part: u32) {
        if self.p.commit == CommitMode::AfterProcessing
            && self.group.consumers[c as usize]
                .buffer
                .front()
                .is_none_or(|&(p, _)| p != part)
        {
            let done = self.group.offsets[part as usize].done;
            self.commit(cx, part, done);
        }
    }

    /// The auto-commit timer of a consumer: commits what it polled (in `auto` mode).
    pub(super) fn auto_commit(&mut self, cx: &mut Cx, c: u32, gen: u32) {
        if self.group.consumers[c as usize].gen != gen {
            return;
        }
        let at = cx.now() + self.p.auto_commit_ms as u64 * NS_PER_MS;
        self.at(cx, at, Event::AutoCommit { consumer: c, gen });
        if self.p.commit != CommitMode::Auto || self.group.rebalancing {
            return;
        }
        for part in 0..self.group.offsets.len() as u32 {
            let o = self.group.offsets[part as usize];
            if o.owner == Some(c) {
                self.commit(cx, part, o.position);
            }
        }
    }

    pub(super) fn start_consumer(&mut self, cx: &mut Cx, c: u32) {
        let con = &mut self.group.consumers[c as usize];
        con.up = true;
        con.member = true;
        con.gen = con.gen.wrapping_add(1);
        con.buffer.clear();
        con.busy = None;
        con.attempts = 0;
        let gen = con.gen;
        let at = cx.now() + self.p.auto_commit_ms as u64 * NS_PER_MS;
        self.at(cx, at, Event::AutoCommit { consumer: c, gen });
    }

    pub(super) fn crash_consumer(&mut self, cx: &mut Cx, c: u32) {
        let now = cx.now();
        let Some(con) = self.group.consumers.get_mut(c as usize) else {
            return;
        };
        if !con.up {
            return;
        }
        con.up = false;
        con.gen = con.gen.wrapping_add(1);
        con.buffer.clear();
        con.busy = None;
        let gen = con.gen;
        let at = now + self.p.session_timeout_ms as u64 * NS_PER_MS;
        self.at(cx, at, Event::SessionExpired { consumer: c, gen });
        if self.p.faults.restart_consumer_after_ms > 0 {
            let at = now + self.p.faults.restart_consumer_after_ms as u64 * NS_PER_MS;
            self.at(cx, at, Event::Fault(super::event::Fault::RestartConsumer(c)));
        }
    }

    /// A crashed member's session ran out: it leaves the group.
    pub(super) fn session_expired(&mut self, cx: &mut Cx, c: u32, gen: u32) {
        let con = &mut self.group.consumers[c as usize];
        if con.gen == gen && !con.up && con.member {
            con.member = false;
            self.rebalance(cx);
        }
    }

    /// Revokes every partition and stops the group for `rebalance_ms`.
    pub(super) fn rebalance(&mut self, cx: &mut Cx) {
        let now = cx.now();
        self.stats.rebalances += 1;
        let g = &mut self.group;
        // Partitions are revoked: members commit what they have finished (after-processing) or
        // what they have polled (auto-commit), then stop.
        for o in &mut g.offsets {
            if let Some(c) = o.owner {
                if g.consumers[c as usize].up {
                    match self.p.commit {
                        CommitMode::AfterProcessing => o.committed = o.committed.max(o.done),
                        CommitMode::Auto => o.committed = o.committed.max(o.position),
                        CommitMode::BeforeProcessing => {}
                    }
                }
            }
        }
        for con in &mut g.consumers {
            con.buffer.clear();
            con.busy = None;
            con.attempts = 0;
            con.gen = con.gen.wrapping_add(1); // the auto-commit timers restart below
        }
        let gens: Vec<(u32, u32)> = g
            .consumers
            .iter()
            .enumerate()
            .filter(|(_, c)| c.up)
            .map(|(i, c)| (i as u32, c.gen))
            .collect();
        for (c, gen) in gens {
            let at = now + self.p.auto_commit_ms as u64 * NS_PER_MS;
            self.at(cx, at, Event::AutoCommit { consumer: c, gen });
        }
        self.group.gen = self.group.gen.wrapping_add(1);
        self.group.rebalancing = true;
        let at = now + self.p.rebalance_ms as u64 * NS_PER_MS;
        let group_gen = self.group.gen;
        self.at(cx, at, Event::RebalanceDone { group_gen });
    }

    /// The rebalance is over: partitions go to the members by the assignor, from the committed
    /// offsets.
    pub(super) fn rebalance_done(&mut self, cx: &mut Cx, group_gen: u32) {
        if group_gen != self.group.gen {
            return;
        }
        self.group.rebalancing = false;
        let members: Vec<u32> = self
            .group
            .consumers
            .iter()
            .enumerate()
            .filter(|(_, c)| c.member)
            .map(|(i, _)| i as u32)
            .collect();
        let previous: Vec<Option<u32>> = self.group.offsets.iter().map(|o| o.owner).collect();
        let owners = assign(
            self.p.assignor,
            self.group.offsets.len() as u32,
            &members,
            &previous,
        );
        let mut skipped = Vec::new();
        for (part, owner) in owners.into_iter().enumerate() {
            let o = &mut self.group.offsets[part];
            let pt = &self.cluster.parts[part];
            let before = o.owner;
            o.owner = owner;
            // The new owner starts at the committed offset: what lies between the old owner's
            // progress and it is skipped (committed before processing) or done again.
            for off in o.done.max(pt.base)..o.committed.min(pt.end()) {
                if let Some(r) = pt.record(off) {
                    skipped.push((r.msg.id, off, part as u32, before));
                }
            }
            o.position = o.committed;
            o.done = o.committed;
        }
        let now = cx.now();
        for (id, off, part, before) in skipped {
            if self.fate.committed_past(id) {
                let c = before.unwrap_or(u32::MAX);
                let args = [off as i64, part as i64, c as i64];
                let ents = [why::partition(part), why::consumer(c)];
                self.why.note(now, why::LOST_COMMITTED, &args, &ents);
            }
        }
        self.wake_consumers(cx);
    }

    /// The group as it forms at the start: every consumer a member, no rebalance.
    pub(super) fn form_group(&mut self) {
        let members: Vec<u32> = (0..self.group.consumers.len() as u32).collect();
        let n = self.group.offsets.len();
        let owners = assign(self.p.assignor, n as u32, &members, &vec![None; n]);
        for (o, owner) in self.group.offsets.iter_mut().zip(owners) {
            o.owner = owner;
        }
    }

    /// The consumers' pause is over (unless a later one replaced it).
    pub(super) fn resume(&mut self, cx: &mut Cx, token: u32) {
        if token == self.group.pause_token {
            self.group.paused_until = None;
            self.wake_consumers(cx);
        }
    }

    /// Sends the next replayed message (the replay script sends them again now: a TTL counts from
    /// this send, and latency too).
    pub(super) fn replay_next(&mut self, cx: &mut Cx) {
        let Some(m) = self.group.replaying.pop_front() else {
            return;
        };
        let now = cx.now();
        self.stats.replayed += 1;
        self.stats.sent = self.stats.sent.saturating_sub(1); // not a new message
        self.send(cx, Msg { created: now, ..m });
        if !self.group.replaying.is_empty() {
            let gap = NS_PER_S / self.p.replay_rate_per_s as u64;
            self.at(cx, now + gap, Event::ReplayNext);
        }
    }
}
