//! Faults and operator actions: the verbs the page's buttons, the scheduled params and the tests
//! call (crash and restart brokers and consumers, cut the link, pause the group, inject a poison
//! message, move the backlog to a bigger topic, replay what expired).

use super::event::{Event, Fault};
use super::group::{Consumer, Offsets, ARCHIVE_CAPACITY};
use super::model::{Cx, Queue};
use super::params::{CommitMode, Partitioner, MAX_CONSUMERS, MAX_PARTITIONS};
use crate::kernel::rng::splitmix64;
use crate::kernel::time::NS_PER_MS;

impl Queue {
    /// Applies a fault or an operator action now.
    pub(super) fn apply_fault(&mut self, cx: &mut Cx, f: Fault) {
        match f {
            Fault::CrashBroker(b) => self.crash_broker(cx, b),
            Fault::RestartBroker(b) => self.restart_broker(cx, b),
            Fault::CrashLeaderOf(p) => {
                if let Some(l) = self.cluster.parts.get(p as usize).and_then(|pt| pt.leader) {
                    self.crash_broker(cx, l);
                }
            }
            Fault::CrashConsumer(c) => self.crash_consumer(cx, c),
            Fault::RestartConsumer(c) => {
                if self.group.consumers.get(c as usize).is_some_and(|con| !con.up) {
                    self.start_consumer(cx, c);
                    self.rebalance(cx);
                }
            }
            Fault::AddConsumer => {
                if self.group.consumers.len() < MAX_CONSUMERS as usize {
                    self.group.consumers.push(Consumer::default());
                    let c = self.group.consumers.len() as u32 - 1;
                    self.start_consumer(cx, c);
                    self.rebalance(cx);
                }
            }
            Fault::RemoveConsumer => self.remove_consumer(cx),
            Fault::PauseConsumers(ms) => {
                let now = cx.now();
                let g = &mut self.group;
                g.pause_token = g.pause_token.wrapping_add(1);
                g.paused_until = Some(now + ms as u64 * NS_PER_MS);
                let token = g.pause_token;
                self.at(cx, now + ms as u64 * NS_PER_MS, Event::Resume { token });
            }
            Fault::CutLink => self.net.link_up = false,
            Fault::RestoreLink => self.net.link_up = true,
            Fault::InjectPoison => {
                let msg = self.new_msg(cx.now(), true);
                self.send(cx, msg);
            }
            Fault::MoveBacklog(n) => self.move_backlog(cx, n),
            Fault::ReplayExpired => self.replay_expired(cx),
        }
    }

    /// The newest member leaves the group cleanly: it commits what it processed, then goes.
    fn remove_consumer(&mut self, cx: &mut Cx) {
        let g = &self.group;
        let Some(c) = (0..g.consumers.len())
            .rev()
            .find(|&i| g.consumers[i].member && g.consumers[i].up)
        else {
            return;
        };
        for o in &mut self.group.offsets {
            if o.owner == Some(c as u32) && self.p.commit != CommitMode::Auto {
                o.committed = o.committed.max(o.done);
            }
        }
        self.rebalance(cx);
        let con = &mut self.group.consumers[c];
        con.member = false;
        con.up = false;
        con.gen = con.gen.wrapping_add(1);
    }

    /// Starts sending the expired messages again, at `replay_rate_per_s`.
    fn replay_expired(&mut self, cx: &mut Cx) {
        let g = &mut self.group;
        let idle = g.replaying.is_empty();
        while let Some(m) = g.archive.pop_front() {
            if g.replaying.len() >= ARCHIVE_CAPACITY {
                break;
            }
            self.fate.resent(m.id);
            g.replaying.push_back(m);
        }
        if idle && !self.group.replaying.is_empty() {
            self.at(cx, cx.now(), Event::ReplayNext);
        }
    }

    /// The rolling fault: crash a random partition's leader, and schedule the next.
    pub(super) fn rolling_crash(&mut self, cx: &mut Cx) {
        let every = self.p.faults.crash_leader_every_ms as u64 * NS_PER_MS;
        self.at(cx, cx.now() + every, Event::RollingCrash);
        let p = self.rng.below(self.cluster.parts.len() as u64) as u32;
        self.apply_fault(cx, Fault::CrashLeaderOf(p));
    }

    /// Schedules the faults of the params' schedule (at the start of a run).
    pub(super) fn schedule_faults(&mut self, cx: &mut Cx) {
        let f = self.p.faults.clone();
        let ms = |x: u32| x as u64 * NS_PER_MS;
        if f.crash_leader_at_ms > 0 {
            let ev = Event::Fault(Fault::CrashLeaderOf(0));
            self.at(cx, ms(f.crash_leader_at_ms), ev);
        }
        if f.crash_leader_every_ms > 0 {
            self.at(cx, ms(f.crash_leader_every_ms), Event::RollingCrash);
        }
        if f.crash_consumer_at_ms > 0 {
            let ev = Event::Fault(Fault::CrashConsumer(0));
            self.at(cx, ms(f.crash_consumer_at_ms), ev);
        }
        if f.pause_consumers_at_ms > 0 && f.pause_consumers_ms > 0 {
            let ev = Event::Fault(Fault::PauseConsumers(f.pause_consumers_ms));
            self.at(cx, ms(f.pause_consumers_at_ms), ev);
        }
        if f.cut_link_at_ms > 0 && f.cut_link_ms > 0 {
            self.at(cx, ms(f.cut_link_at_ms), Event::Fault(Fault::CutLink));
            let back = ms(f.cut_link_at_ms) + ms(f.cut_link_ms);
            self.at(cx, back, Event::Fault(Fault::RestoreLink));
        }
        if f.poison_at_ms > 0 {
            self.at(cx, ms(f.poison_at_ms), Event::Fault(Fault::InjectPoison));
        }
    }

    /// Grows the topic to `n` partitions and forwards every record not yet processed into it, by
    /// key (so a key's order survives), then rebalances.
    fn move_backlog(&mut self, cx: &mut Cx, n: u32) {
        let n = n.clamp(self.cluster.parts.len() as u32, MAX_PARTITIONS);
        let old = self.cluster.parts.len() as u32;
        let bucket = self.p.chart_bucket_ms as u64 * NS_PER_MS;
        for i in old..n {
            self.add_partition(cx, i);
            self.group.offsets.push(Offsets::default());
            self.stats.add_partition(bucket);
            self.prod.add_partition();
        }
        for con in &mut self.group.consumers {
            con.buffer.clear();
        }
        let mut moved = Vec::new();
        for part in 0..old as usize {
            let pt = &self.cluster.parts[part];
            let o = &mut self.group.offsets[part];
            let from = o.done.max(pt.base);
            let to = pt.hw;
            for off in from..to {
                if let Some(r) = pt.record(off) {
                    moved.push(*r);
                }
            }
            o.position = o.position.max(to);
            o.committed = o.committed.max(to);
            o.done = o.done.max(to);
        }
        cx.work(moved.len() as u64);
        for (k, r) in moved.into_iter().enumerate() {
            let target = match self.p.partitioner {
                Partitioner::ByKey => (splitmix64(r.msg.key as u64) % n as u64) as u32,
                _ => (k as u64 % n as u64) as u32,
            };
            self.cluster.parts[target as usize].forward(r);
            self.fate.copy_added(r.msg.id);
        }
        for part in 0..n {
            self.advance_hw(cx, part);
        }
        self.rebalance(cx);
    }
}
