//! The cluster: brokers that crash and restart, and the topic's partitions, each a log replicated
//! on `replication_factor` brokers. The leader appends produce requests (refusing what it must,
//! answering duplicates of an idempotent producer as their original write), followers copy it
//! every `replica_fetch_ms` and leave the in-sync set when they fall `replica_lag_max_ms` behind,
//! the high watermark follows the in-sync replicas, and the controller elects a new leader
//! `leader_detect_ms` after one dies (cleanly, or not), truncating what the new leader lacks.
//!
//! Simplification: the replicas of a partition share one log and differ by their log end offset
//! (followers truncate to the new leader on every election, as Kafka does with leader epochs, so
//! their logs are always prefixes of it).

use std::collections::{BTreeMap, VecDeque};

use super::event::{Event, Fault, Produce, Record, Resp};
use super::model::{Cx, Queue};
use super::params::{Acks, QueueParams};
use super::snapshot::FlowKind;
use super::why;
use crate::kernel::time::{Nanos, NS_PER_MS};

/// Consumed records kept behind the committed offset (for the picture).
const CONSUMED_KEEP: u64 = 64;
/// Records a trim deletes in one event at most; the rest follow in further events at the same
/// time (a long chart bucket would otherwise trim a minute of records in one event).
const TRIM_CHUNK: u64 = 16_384;

/// An idempotent producer's batch in a log: its epoch, sequence number and end offset.
#[derive(Clone, Copy, Debug)]
struct Idem {
    epoch: u16,
    seq: u32,
    end: u64,
}

#[derive(Clone)]
pub(super) struct Partition {
    pub(super) replicas: Vec<u32>,
    pub(super) leader: Option<u32>,
    pub(super) log: VecDeque<Record>,
    /// Offset of `log[0]`.
    pub(super) base: u64,
    /// Log end offset of each replica (the leader's is `base + log.len()`).
    pub(super) leo: Vec<u64>,
    pub(super) in_sync: Vec<bool>,
    caught_up_at: Vec<Nanos>,
    pub(super) hw: u64,
    /// `acks=all` requests waiting for the high watermark: (end offset, batch, request).
    pending: VecDeque<(u64, u64, u64)>,
    /// Per producer: its batches above the high watermark and the last one at or below it (what
    /// a new leader needs after a clean election, which never cuts below the high watermark).
    idem: BTreeMap<u8, VecDeque<Idem>>,
}

impl Partition {
    pub(super) fn end(&self) -> u64 {
        self.base + self.log.len() as u64
    }

    pub(super) fn record(&self, off: u64) -> Option<&Record> {
        if off < self.base {
            return None;
        }
        self.log.get((off - self.base) as usize)
    }

    fn in_sync_count(&self, up: &[bool]) -> u32 {
        self.replicas
            .iter()
            .zip(&self.in_sync)
            .filter(|(&b, &s)| s && up[b as usize])
            .count() as u32
    }

    /// Appends a record forwarded from another partition: every in-sync replica has it at once.
    pub(super) fn forward(&mut self, r: Record) {
        self.log.push_back(Record {
            producer: u8::MAX,
            ..r
        });
        let end = self.end();
        for (j, leo) in self.leo.iter_mut().enumerate() {
            if self.in_sync[j] {
                *leo = end;
            }
        }
    }
}

/// The brokers and the partitions.
#[derive(Clone)]
pub(super) struct Cluster {
    pub(super) up: Vec<bool>,
    pub(super) parts: Vec<Partition>,
}

impl Cluster {
    pub(super) fn new(p: &QueueParams) -> Self {
        Self {
            up: vec![true; p.brokers as usize],
            parts: Vec::new(),
        }
    }

    /// Partition `i`, on the brokers after `i` in turn, led by the first one up.
    pub(super) fn new_partition(&self, p: &QueueParams, i: u32, now: Nanos) -> Partition {
        let rf = p.replication_factor as usize;
        let replicas: Vec<u32> = (0..rf).map(|k| (i + k as u32) % p.brokers).collect();
        let up = &self.up;
        let leader = replicas.iter().copied().find(|&b| up[b as usize]);
        Partition {
            in_sync: replicas.iter().map(|&b| up[b as usize]).collect(),
            leader,
            replicas,
            log: VecDeque::new(),
            base: 0,
            leo: vec![0; rf],
            caught_up_at: vec![now; rf],
            hw: 0,
            pending: VecDeque::new(),
            idem: BTreeMap::new(),
        }
    }
}

impl Queue {
    /// Adds partition `i` and starts its followers fetching.
    pub(super) fn add_partition(&mut self, cx: &mut Cx, i: u32) {
        let now = cx.now();
        let pt = self.cluster.new_partition(&self.p, i, now);
        self.cluster.parts.push(pt);
        for r in 0..self.p.replication_factor as u8 {
            let at = now + self.p.replica_fetch_ms as u64 * NS_PER_MS;
            let ev = Event::Fetch {
                partition: i,
                replica: r,
            };
            self.at(cx, at, ev);
        }
    }

    /// Sends a broker's answer back to the producer (none with `acks=0`; the network may lose it).
    fn respond(&mut self, cx: &mut Cx, batch: u64, req: u64, resp: Resp, part: u32, producer: u8) {
        if self.p.acks == Acks::Zero {
            return;
        }
        let now = cx.now();
        let lat = self.net.latency();
        if self.net.answer_lost() {
            return;
        }
        let pp = &mut self.prod.list[producer as usize].parts[part as usize];
        let lat = (now + lat).max(pp.last_answer_at) - now;
        pp.last_answer_at = now + lat;
        self.flows.add(now, FlowKind::Ack, part, producer as u32, lat, 1);
        self.at(cx, now + lat, Event::Response { batch, req, resp });
    }

    /// A produce request reaches a broker: refused, answered as a duplicate, or appended.
    pub(super) fn produce(&mut self, cx: &mut Cx, r: Produce) {
        let Produce {
            broker,
            partition: part,
            producer,
            epoch,
            seq,
            batch,
            req,
            msgs,
        } = r;
        let now = cx.now();
        self.prod.requests_in_transit -= 1;
        for m in &msgs {
            self.fate.arrived(m.id);
        }
        // What the broker does with the batch: refuse it (with an answer, or none from a dead
        // broker), answer a duplicate as its original write, or append it.
        let up = &self.cluster.up;
        let pt = &self.cluster.parts[part as usize];
        let refusal = if !up[broker as usize] {
            Some(None)
        } else if pt.leader != Some(broker) {
            Some(Some(Resp::NotLeader))
        } else if self.p.acks == Acks::All && pt.in_sync_count(up) < self.p.min_insync_replicas {
            Some(Some(Resp::NotEnoughReplicas))
        } else if self.p.idempotence {
            match pt.idem.get(&producer).and_then(|h| h.back().copied()) {
                Some(st) if epoch == st.epoch && seq <= st.seq => {
                    // Already written: answer as for the original write, write nothing. A
                    // message of this batch with no copy anywhere is gone (with acks=0 a
                    // sequence number can come back on other messages after a refusal).
                    for m in &msgs {
                        self.fate.attempt_gone(m.id);
                    }
                    self.answer_write(cx, batch, req, part, producer, st.end);
                    return;
                }
                // A gap; a fenced, older epoch; a new epoch that does not start at 0.
                Some(st) if epoch == st.epoch && seq > st.seq + 1 => Some(Some(Resp::OutOfOrder)),
                Some(st) if epoch < st.epoch || (epoch > st.epoch && seq != 0) => {
                    Some(Some(Resp::OutOfOrder))
                }
                // An unknown producer starts at sequence 0; anything else is a gap.
                None if seq != 0 => Some(Some(Resp::OutOfOrder)),
                _ => None,
            }
        } else {
            None
        };
        if let Some(answer) = refusal {
            for m in &msgs {
                if self.fate.attempt_gone(m.id) {
                    let args = [m.id as i64, broker as i64, part as i64];
                    let ents = [why::broker(broker), why::partition(part), why::producer(producer as u32)];
                    self.why.note(now, why::LOST_DEAD_LEADER, &args, &ents);
                }
            }
            if let Some(r) = answer {
                self.respond(cx, batch, req, r, part, producer);
            }
            return;
        }
        let mut dups = 0;
        let pt = &mut self.cluster.parts[part as usize];
        for m in &msgs {
            let dup = self.fate.appended(m.id);
            self.stats.appended += 1;
            if dup {
                dups += 1;
                let args = [m.id as i64, pt.end() as i64, part as i64];
                let ents = [why::partition(part), why::broker(broker), why::producer(producer as u32)];
                self.why.note(now, why::DUP_WRITTEN, &args, &ents);
            }
            pt.log.push_back(Record {
                msg: *m,
                producer,
                epoch,
                seq,
            });
        }
        let end = pt.end();
        let li = pt.replicas.iter().position(|&b| b == broker).unwrap_or(0);
        pt.leo[li] = end;
        pt.caught_up_at[li] = now;
        if self.p.idempotence {
            let hw = pt.hw;
            let h = pt.idem.entry(producer).or_default();
            h.push_back(Idem { epoch, seq, end });
            while h.len() >= 2 && h[1].end <= hw {
                h.pop_front();
            }
        }
        if dups > 0 {
            self.flows
                .add(now, FlowKind::DupWritten, part, producer as u32, 0, dups);
        }
        self.answer_write(cx, batch, req, part, producer, end);
        self.advance_hw(cx, part);
    }

    /// Answers a write ending at `end` as `acks` demands.
    fn answer_write(&mut self, cx: &mut Cx, batch: u64, req: u64, part: u32, producer: u8, end: u64) {
        match self.p.acks {
            Acks::Zero => {}
            Acks::One => self.respond(cx, batch, req, Resp::Ok, part, producer),
            Acks::All => {
                let pt = &mut self.cluster.parts[part as usize];
                if pt.hw >= end {
                    self.respond(cx, batch, req, Resp::Ok, part, producer);
                } else {
                    pt.pending.push_back((end, batch, req));
                }
            }
        }
    }

    /// Moves the high watermark to the lowest log end of the in-sync replicas, answers the
    /// `acks=all` writes it passed, and wakes the consumers.
    pub(super) fn advance_hw(&mut self, cx: &mut Cx, part: u32) {
        let pt = &mut self.cluster.parts[part as usize];
        let Some(leader) = pt.leader else { return };
        if !self.cluster.up[leader as usize] {
            return;
        }
        let hw = pt
            .leo
            .iter()
            .zip(&pt.in_sync)
            .filter(|(_, &s)| s)
            .map(|(&l, _)| l)
            .min()
            .unwrap_or(pt.hw);
        if hw <= pt.hw {
            return;
        }
        pt.hw = hw;
        let mut ready = Vec::new();
        while let Some(&(end, batch, req)) = pt.pending.front() {
            if end > hw {
                break;
            }
            pt.pending.pop_front();
            ready.push((batch, req));
        }
        for (batch, req) in ready {
            let producer = self.producer_of_batch(batch).unwrap_or(0);
            self.respond(cx, batch, req, Resp::Ok, part, producer);
        }
        self.wake_consumers(cx);
    }

    /// A follower copies everything new from its leader (or, down, falls out of sync).
    pub(super) fn fetch(&mut self, cx: &mut Cx, part: u32, r: u8) {
        let now = cx.now();
        let every = self.p.replica_fetch_ms as u64 * NS_PER_MS;
        let ev = Event::Fetch {
            partition: part,
            replica: r,
        };
        self.at(cx, now + every, ev);
        let lag_max = self.p.replica_lag_max_ms as u64 * NS_PER_MS;
        let up = &self.cluster.up;
        let pt = &mut self.cluster.parts[part as usize];
        let ri = r as usize;
        let broker = pt.replicas[ri];
        let Some(leader) = pt.leader else { return };
        if leader == broker || !up[leader as usize] {
            return;
        }
        if up[broker as usize] {
            let end = pt.end();
            pt.leo[ri] = end;
            pt.caught_up_at[ri] = now;
            if !pt.in_sync[ri] {
                pt.in_sync[ri] = true; // caught up: back in sync
            }
        } else if pt.in_sync[ri] && now - pt.caught_up_at[ri] > lag_max {
            pt.in_sync[ri] = false;
        }
        self.advance_hw(cx, part);
    }

    pub(super) fn crash_broker(&mut self, cx: &mut Cx, b: u32) {
        if b as usize >= self.cluster.up.len() || !self.cluster.up[b as usize] {
            return;
        }
        let now = cx.now();
        self.cluster.up[b as usize] = false;
        let detect = self.p.leader_detect_ms as u64 * NS_PER_MS;
        for part in 0..self.cluster.parts.len() as u32 {
            let pt = &mut self.cluster.parts[part as usize];
            if pt.leader == Some(b) {
                pt.pending.clear(); // a dead leader answers nothing
                self.at(cx, now + detect, Event::Elect { partition: part });
            }
        }
        let f = &self.p.faults;
        if f.restart_broker_after_ms > 0 {
            let at = now + f.restart_broker_after_ms as u64 * NS_PER_MS;
            self.at(cx, at, Event::Fault(Fault::RestartBroker(b)));
        } else if f.crash_leader_every_ms > 0 {
            let at = now + f.crash_leader_every_ms as u64 * NS_PER_MS / 2;
            self.at(cx, at, Event::Fault(Fault::RestartBroker(b)));
        }
    }

    pub(super) fn restart_broker(&mut self, cx: &mut Cx, b: u32) {
        if b as usize >= self.cluster.up.len() || self.cluster.up[b as usize] {
            return;
        }
        self.cluster.up[b as usize] = true;
        for part in 0..self.cluster.parts.len() as u32 {
            let pt = &self.cluster.parts[part as usize];
            if pt.leader.is_none() || pt.leader == Some(b) {
                self.elect(cx, part);
            }
        }
        self.wake_consumers(cx);
    }

    /// Elects a leader for `part` if it has no live one: an in-sync replica that is up, or (unclean
    /// elections allowed) the live replica with the longest log. The others truncate to it.
    pub(super) fn elect(&mut self, cx: &mut Cx, part: u32) {
        let now = cx.now();
        let up = &self.cluster.up;
        let pt = &mut self.cluster.parts[part as usize];
        if let Some(l) = pt.leader {
            if up[l as usize] {
                return;
            }
        }
        let clean = (0..pt.replicas.len()).find(|&i| pt.in_sync[i] && up[pt.replicas[i] as usize]);
        let choice = match clean {
            Some(i) => Some((i, false)),
            None if self.p.unclean_leader_election => (0..pt.replicas.len())
                .filter(|&i| up[pt.replicas[i] as usize])
                .max_by_key(|&i| (pt.leo[i], std::cmp::Reverse(i)))
                .map(|i| (i, true)),
            None => None,
        };
        let Some((i, unclean)) = choice else {
            pt.leader = None; // offline until an in-sync replica comes back
            return;
        };
        self.stats.elections += 1;
        if unclean {
            self.stats.unclean_elections += 1;
        }
        let new_end = pt.leo[i];
        let old_leader = pt.leader;
        let new_leader = pt.replicas[i];
        let kind = if unclean {
            why::ELECTED_UNCLEAN
        } else {
            why::ELECTED
        };
        let cut = pt.end().saturating_sub(new_end);
        let (args, ents) = (
            [part as i64, new_leader as i64, cut as i64, new_end as i64],
            [why::partition(part), why::broker(new_leader)],
        );
        self.why.note(now, kind, &args, &ents);
        let pt = &mut self.cluster.parts[part as usize];
        pt.leader = Some(pt.replicas[i]);
        pt.pending.clear();
        for (j, leo) in pt.leo.iter_mut().enumerate() {
            *leo = (*leo).min(new_end);
            if unclean {
                pt.in_sync[j] = j == i;
            } else if !up[pt.replicas[j] as usize] {
                pt.in_sync[j] = false;
            }
        }
        pt.in_sync[i] = true;
        pt.caught_up_at[i] = now;
        self.truncate(cx, part, new_end, old_leader, new_leader, unclean);
        let pt = &mut self.cluster.parts[part as usize];
        pt.hw = pt.hw.min(new_end);
        // Producer state past the new end goes. After an unclean election that cut below the high
        // watermark the state left may be older than the log: rebuild it from the log then.
        let base = pt.base;
        let log = &pt.log;
        pt.idem.retain(|&producer, h| {
            while h.back().is_some_and(|st| st.end > new_end) {
                h.pop_back();
            }
            if h.is_empty() {
                if let Some((k, r)) = log
                    .iter()
                    .enumerate()
                    .rev()
                    .find(|(_, r)| r.producer == producer)
                {
                    h.push_back(Idem {
                        epoch: r.epoch,
                        seq: r.seq,
                        end: base + k as u64 + 1,
                    });
                }
            }
            !h.is_empty()
        });
        self.advance_hw(cx, part);
    }

    /// Cuts the partition's log to `end`: what was beyond it is gone from every replica.
    /// `old` led it before `new` was elected (`unclean`ly or not): the lines of the log name them.
    fn truncate(
        &mut self,
        cx: &mut Cx,
        part: u32,
        end: u64,
        old: Option<u32>,
        new: u32,
        unclean: bool,
    ) {
        let now = cx.now();
        let mut gone = Vec::new();
        let pt = &mut self.cluster.parts[part as usize];
        while pt.end() > end && !pt.log.is_empty() {
            let off = pt.end() - 1;
            let r = pt.log.pop_back().expect("log not empty");
            gone.push((r.msg.id, off, r.producer));
        }
        if pt.log.is_empty() && pt.base > end {
            pt.base = end;
        }
        self.group.truncated(part, end);
        if !gone.is_empty() {
            self.stats.truncated += gone.len() as u64;
            self.flows
                .add(now, FlowKind::Truncated, part, 0, 0, gone.len() as u32);
            cx.work(gone.len() as u64);
        }
        let acks = match self.p.acks {
            Acks::Zero => 0,
            Acks::One => 1,
            Acks::All => -1,
        };
        for (id, off, producer) in gone.into_iter().rev() {
            if !self.fate.copy_removed(id) {
                continue;
            }
            let p = why::producer(producer as u32);
            let (pe, ne) = (why::partition(part), why::broker(new));
            match old {
                Some(b) if !unclean && acks >= 0 => {
                    let args = [off as i64, part as i64, b as i64, acks, new as i64, end as i64];
                    self.why
                        .note(now, why::LOST_CUT, &args, &[pe, why::broker(b), ne, p]);
                }
                _ => {
                    let args = [off as i64, part as i64, new as i64, end as i64];
                    self.why.note(now, why::LOST_UNCLEAN, &args, &[pe, ne, p]);
                }
            }
        }
    }

    /// Deletes consumed records beyond a few kept for the picture, and anything past retention
    /// (those not yet consumed expire).
    pub(super) fn trim_logs(&mut self, cx: &mut Cx) {
        let keep = self.p.log_retention_records as u64;
        let mut expired = Vec::new();
        let mut trimmed = 0;
        let mut more = false;
        for (i, pt) in self.cluster.parts.iter_mut().enumerate() {
            let consumed = self.group.consumed(i, pt.hw);
            // Nothing a replica still has to copy, or the group has to read, goes, unless retention
            // says so.
            let mut cut = consumed.saturating_sub(CONSUMED_KEEP);
            let end = pt.end();
            if end - pt.base > keep {
                cut = cut.max(end - keep);
            }
            while pt.base < cut {
                if trimmed == TRIM_CHUNK {
                    more = true;
                    break;
                }
                let Some(r) = pt.log.pop_front() else { break };
                let off = pt.base;
                pt.base += 1;
                trimmed += 1;
                if off >= consumed {
                    expired.push((r.msg, i as u32));
                }
                self.fate.copy_trimmed(r.msg.id);
            }
        }
        cx.work(trimmed);
        let now = cx.now();
        for (m, part) in expired {
            if self.expire(cx, m, part, 0) {
                let args = [m.id as i64, part as i64, keep as i64];
                let ents = [why::partition(part), why::key(m.key)];
                self.why.note(now, why::EXPIRED_RETENTION, &args, &ents);
            }
        }
        if more {
            let now = cx.now();
            self.at(cx, now, Event::TrimMore);
        }
    }
}
