//! The queue lab model: producers with Kafka's delivery knobs, replicated partitions on brokers that
//! crash, and a consumer group that polls, processes and commits. Every message is followed from
//! `send()` to its processing by the fate ledger (`check::fate`), so the checkers count what really
//! happened: lost silently, failed visibly, written, delivered and processed twice, per-key order
//! violations (`check::order`), lag, end-to-end latency, dead letters and expired messages.
//!
//! The parts, each with its own state: `producer` (accumulator, batches, idempotence, buffer),
//! `cluster` (brokers, partitions, replication, elections, truncation), `group` (assignment, polls,
//! commits, dedup, poison and dead letters, TTL and replay), `net`, `faults`, `snapshot` (the
//! picture) and `stats`. This file holds them together: the model, its events, the charts' tick,
//! quiescing, and the lab contract.
//!
//! Simplifications, kept where they do not change what the lab shows: the replicas of a partition
//! share one log (see `cluster`); a follower copies everything new once per `replica_fetch_ms`;
//! `max_in_flight` counts per partition (Kafka counts per broker connection); idempotence keeps one
//! sequence number per batch.

use super::cluster::Cluster;
use super::event::{Event, Fault};
use super::group::{Consumer, Group, Offsets};
use super::net::Net;
use super::params::QueueParams;
use super::producer::Producers;
use super::snapshot::{Flows, QueueSnapshot, View};
use super::stats::{metrics, QueueStats};
use crate::kernel::cost::{bytes, Cost};
use crate::check::fate::{Fates, FinalCheck};
use crate::check::order::KeyOrder;
use crate::kernel::digest::Digest;
use crate::kernel::lab::{Checker, Lab, Seeds};
use crate::kernel::metrics::LatencyHistogram;
use crate::kernel::preset::Preset;
use crate::kernel::report::{Metric, Report};
use crate::kernel::rng::SimRng;
use crate::kernel::sim::Sim;
use crate::kernel::time::{Nanos, NS_PER_MS};
use crate::kernel::why::{Kind, WhyLog};

/// What the queue lab's parts see while handling an event.
pub(super) type Cx<'a> = crate::kernel::lab::Cx<'a, Event>;

/// Most events waiting at once.
const EVENT_CAPACITY: usize = 1 << 19;
/// Messages whose fate is tracked; older ids are final (their counts no longer change).
const MSG_WINDOW: u64 = 1 << 19;

/// The queue lab model (run by [`Sim`]; [`QueueLab`] is the run).
#[derive(Clone)]
pub struct Queue {
    pub(super) p: QueueParams,
    /// Keys, arrivals, sticky partitions and the rolling crash draw from it.
    pub(super) rng: SimRng,
    pub(super) net: Net,
    pub(super) prod: Producers,
    pub(super) cluster: Cluster,
    pub(super) group: Group,
    /// What became of every message.
    pub(super) fate: Fates,
    /// Per-key order of first processings.
    pub(super) order: KeyOrder,
    pub(super) flows: Flows,
    /// End-to-end latencies of the current chart bucket.
    pub(super) bucket_hist: LatencyHistogram,
    pub(super) stats: QueueStats,
    /// A line for every anomaly counted, with its rule.
    pub(super) why: WhyLog,
}

/// A run of the queue lab.
pub type QueueLab = Sim<Queue>;

impl Queue {
    pub fn params(&self) -> &QueueParams {
        &self.p
    }

    pub fn stats(&self) -> &QueueStats {
        &self.stats
    }

    pub fn partitions(&self) -> u32 {
        self.cluster.parts.len() as u32
    }

    /// Consumers that exist (members or not).
    pub fn consumer_count(&self) -> u32 {
        self.group.consumers.len() as u32
    }

    /// Records readable and not yet committed, per partition.
    pub fn lag(&self) -> Vec<u64> {
        self.cluster
            .parts
            .iter()
            .zip(&self.group.offsets)
            .map(|(pt, o)| pt.hw.saturating_sub(o.committed))
            .collect()
    }

    pub fn total_lag(&self) -> u64 {
        self.lag().iter().sum()
    }

    /// Consumers in the group that own no partition.
    pub fn idle_members(&self) -> u32 {
        self.group.idle_members()
    }

    /// Expired messages remembered for a replay.
    pub fn expired_waiting(&self) -> usize {
        self.group.archive.len()
    }

    /// Messages of a replay not sent yet.
    pub fn replay_pending(&self) -> usize {
        self.group.replaying.len()
    }

    /// Whether consumers are paused now.
    pub fn paused(&self) -> bool {
        self.group.paused_until.is_some()
    }

    pub fn link_up(&self) -> bool {
        self.net.link_up
    }

    pub fn broker_up(&self, b: u32) -> bool {
        self.cluster.up.get(b as usize).copied().unwrap_or(false)
    }

    pub fn consumer_up(&self, c: u32) -> bool {
        self.group.consumers.get(c as usize).is_some_and(|c| c.up)
    }

    /// Leader of a partition now.
    pub fn leader(&self, part: u32) -> Option<u32> {
        self.cluster.parts.get(part as usize).and_then(|p| p.leader)
    }

    /// Exact counts over the tracked window (call after quiescing): messages reported sent yet
    /// never processed, processed or written more than once, failed, and sends not answered
    /// exactly once.
    pub fn final_check(&self) -> FinalCheck {
        self.fate.final_check()
    }

    /// Schedules `ev`; a full event queue drops it (and counts it).
    pub(super) fn at(&mut self, cx: &mut Cx, at: Nanos, ev: Event) {
        if cx.at(at, ev).is_err() {
            self.stats.dropped_events += 1;
        }
    }

    /// The stats show the checkers' counts.
    fn sync_checks(&mut self) {
        let s = &mut self.stats;
        s.lost = self.fate.lost();
        s.dup_written = self.fate.written_twice();
        s.dup_delivered = self.fate.delivered_twice();
        s.dup_processed = self.fate.processed_twice();
        s.untracked = self.fate.untracked();
        s.order_violations = self.order.violations();
    }

    /// The end of a chart bucket: records the series, trims the logs, and lets in blocked sends
    /// whose time ran out (they fail).
    fn tick(&mut self, cx: &mut Cx) {
        let now = cx.now();
        let bucket = self.p.chart_bucket_ms as u64 * NS_PER_MS;
        self.at(cx, now + bucket, Event::Tick);
        let t = now.saturating_sub(1);
        let lags = self.cluster.parts.iter().zip(&self.group.offsets);
        for (i, (pt, o)) in lags.enumerate() {
            self.stats.lag_series[i].record(t, pt.hw.saturating_sub(o.committed));
        }
        let pc = self.bucket_hist.percentiles();
        let s = &mut self.stats;
        s.p50_series.record(t, pc.p50_ns);
        s.p99_series.record(t, pc.p99_ns);
        self.bucket_hist.clear();
        s.lost_series.record(t, self.fate.lost());
        let dups = self.fate.processed_twice() + self.fate.written_twice();
        s.dup_series.record(t, dups);
        s.reorder_series.record(t, self.order.violations());
        s.failed_series.record(t, s.failed_visibly);
        s.sent_series.touch(t);
        s.processed_series.touch(t);
        s.requests_series.touch(t);
        self.trim_logs(cx);
        for pi in 0..self.prod.list.len() {
            self.admit_blocked(cx, pi);
        }
    }

    fn dispatch(&mut self, cx: &mut Cx, ev: Event) {
        match ev {
            Event::Arrival => self.arrival(cx),
            Event::Linger {
                producer,
                partition,
                batch,
            } => self.linger(cx, producer, partition, batch),
            Event::Produce(r) => self.produce(cx, *r),
            Event::Response { batch, req, resp } => self.response(cx, batch, req, resp),
            Event::RequestTimeout { batch, req } => self.request_timeout(cx, batch, req),
            Event::Retry { batch } => self.retry(cx, batch),
            Event::Fetch { partition, replica } => self.fetch(cx, partition, replica),
            Event::Elect { partition } => self.elect(cx, partition),
            Event::ProcessDone { consumer, gen } => self.process_done(cx, consumer, gen),
            Event::AutoCommit { consumer, gen } => self.auto_commit(cx, consumer, gen),
            Event::CommitLanded {
                partition,
                offset,
                group_gen,
            } => self.commit_landed(partition, offset, group_gen),
            Event::SessionExpired { consumer, gen } => self.session_expired(cx, consumer, gen),
            Event::RebalanceDone { group_gen } => self.rebalance_done(cx, group_gen),
            Event::Resume { token } => self.resume(cx, token),
            Event::Fault(f) => self.apply_fault(cx, f),
            Event::ReplayNext => self.replay_next(cx),
            Event::RollingCrash => self.rolling_crash(cx),
            Event::Tick => self.tick(cx),
            Event::TrimMore => self.trim_logs(cx),
        }
    }
}

impl Lab for Queue {
    const ID: &'static str = "queue";
    const ABOUT: &'static str =
        "partitioned message queue: producers, replicated partitions, a consumer group and faults; runs --until-s virtual seconds, then stops sending, heals every fault and reports the exact checks once quiet";
    const CHECKS_AT_REST: bool = true;
    type Params = QueueParams;
    type Event = Event;
    type Fault = Fault;
    type Snapshot = QueueSnapshot;
    type View = View;

    fn build(p: &QueueParams, seeds: Seeds, cx: &mut Cx) -> Self {
        let bucket = p.chart_bucket_ms as u64 * NS_PER_MS;
        let mut m = Self {
            p: p.clone(),
            rng: seeds.stream(1),
            net: Net::new(p, seeds.stream(2)),
            prod: Producers::new(p),
            cluster: Cluster::new(p),
            group: Group::default(),
            fate: Fates::new(MSG_WINDOW),
            order: KeyOrder::new(p.keys),
            flows: Flows::new(),
            bucket_hist: LatencyHistogram::new(),
            stats: QueueStats::new(bucket, p.partitions),
            why: WhyLog::new(super::why::KINDS),
        };
        for i in 0..p.partitions {
            m.add_partition(cx, i);
            m.group.offsets.push(Offsets::default());
        }
        for _ in 0..p.consumers {
            m.group.consumers.push(Consumer::default());
            let c = m.group.consumers.len() as u32 - 1;
            m.start_consumer(cx, c);
        }
        if p.consumers > 0 {
            // The group forms at once.
            m.form_group();
        }
        if p.rate_per_s > 0 {
            let gap = m.rng.exp_nanos(1e9 / p.rate_per_s as f64);
            m.at(cx, gap, Event::Arrival);
        }
        m.at(cx, bucket, Event::Tick);
        m.schedule_faults(cx);
        m
    }

    fn params(&self) -> &QueueParams {
        &self.p
    }

    /// The partition logs (each cut at its retention), messages buffered or in flight at the
    /// producers (at most their buffer) and blocked behind a full one, the fate ledger's window,
    /// the event queue, the expired messages kept for a replay, and the polls in the consumers'
    /// hands. Work: every message is sent, batched, appended, copied to every follower, answered,
    /// polled, processed and committed.
    fn cost(p: &QueueParams) -> Cost {
        let producers = p.producers as u64;
        let per_msg = (p.replication_factor as u64) * 3 + 8;
        Cost::new()
            .part("the partition logs", bytes(p.partitions as u64 * p.log_retention_records as u64, 96), &["log_retention_records", "partitions"])
            .part("messages at the producers", bytes(producers * p.buffer_messages() as u64, 64), &["buffer_memory_bytes", "producers"])
            .part("sends blocked on a full buffer", bytes(producers * super::producer::BLOCKED_CAPACITY as u64, 64), &["producers"])
            .part("the fate of every message", bytes(MSG_WINDOW, 12), &["rate_per_s"])
            .part("the event queue", bytes(EVENT_CAPACITY as u64, 48), &["partitions", "rate_per_s"])
            .part("expired messages kept for a replay", bytes(super::group::ARCHIVE_CAPACITY as u64, 64), &["ttl_ms"])
            .part("polls in the consumers' hands", bytes(p.consumers as u64 * p.max_poll_records as u64, 48), &["max_poll_records", "consumers"])
            .part("the why log", WhyLog::bytes(super::why::KINDS.len()), &[])
            .part("keys, flows, series and histograms", bytes(p.keys as u64, 16) + (4 << 20), &["keys"])
            .work((p.rate_per_s as u64).saturating_mul(per_msg))
            .unit_ns(1300)
    }

    fn queue_capacity(_: &QueueParams) -> usize {
        EVENT_CAPACITY
    }

    fn handle(&mut self, cx: &mut Cx, ev: Event) {
        self.dispatch(cx, ev);
    }

    /// The stats show the checkers' counts as of the end of every advance.
    fn settle(&mut self, _now: Nanos, _reached: bool) {
        self.sync_checks();
    }

    fn apply(&mut self, cx: &mut Cx, f: Fault) {
        self.apply_fault(cx, f);
        self.sync_checks();
    }

    /// Stops new sends and heals every fault: brokers and the link back, crashed members
    /// restarted (or one added if the group has none), the pause over.
    fn quiesce(&mut self, cx: &mut Cx) {
        self.prod.sending = false;
        self.net.link_up = true;
        for b in 0..self.cluster.up.len() as u32 {
            self.restart_broker(cx, b);
        }
        let consumers = &self.group.consumers;
        let any_member = consumers.iter().any(|c| c.member && c.up);
        for c in 0..self.group.consumers.len() as u32 {
            let con = &self.group.consumers[c as usize];
            if !con.up && con.member {
                self.apply_fault(cx, Fault::RestartConsumer(c));
            }
        }
        if !any_member && self.group.consumers.iter().all(|c| !c.up) {
            self.apply_fault(cx, Fault::AddConsumer);
        }
        self.group.paused_until = None;
        self.wake_consumers(cx);
        self.sync_checks();
    }

    /// Every send settled and every readable record processed and committed.
    fn quiet(&self) -> bool {
        // With acks=0 the producer is done with a batch as it leaves: it may still be on its way.
        self.prod.idle()
            && self.fate.attempts_in_transit() == 0
            && self.group.replaying.is_empty()
            && !self.group.rebalancing
            && self
                .cluster
                .parts
                .iter()
                .zip(&self.group.offsets)
                .all(|(p, o)| {
                    p.leader.is_some() && p.hw == p.end() && o.done >= p.hw && o.committed >= p.hw
                })
            && self.group.consumers.iter().all(|c| c.busy.is_none())
    }

    fn snapshot(&self, now: Nanos, view: &View, out: &mut QueueSnapshot) {
        self.fill_snapshot_at(now, view.span_ns, out);
    }

    fn metrics() -> &'static [&'static Metric] {
        metrics::ALL
    }

    fn report(&self, _now: Nanos, r: &mut Report) {
        use metrics::*;
        let s = &self.stats;
        for (m, v) in [
            (&SENT, s.sent),
            (&ACKED, s.acked),
            (&FAILED_VISIBLY, s.failed_visibly),
            (&LOST, s.lost),
            (&REQUESTS, s.requests),
            (&RETRIES, s.retries),
            (&APPENDED, s.appended),
            (&DUP_WRITTEN, s.dup_written),
            (&TRUNCATED, s.truncated),
            (&ELECTIONS, s.elections),
            (&UNCLEAN_ELECTIONS, s.unclean_elections),
            (&REBALANCES, s.rebalances),
            (&DELIVERED, s.delivered),
            (&DUP_DELIVERED, s.dup_delivered),
            (&PROCESSED, s.processed),
            (&DUP_PROCESSED, s.dup_processed),
            (&DEDUPED, s.deduped),
            (&ORDER_VIOLATIONS, s.order_violations),
            (&DEAD_LETTERED, s.dead_lettered),
            (&EXPIRED, s.expired),
            (&DROPPED_EVENTS, s.dropped_events),
            (&IDLE_CONSUMERS, self.idle_members() as u64),
            (&LAG, self.total_lag()),
        ] {
            r.count(m, v);
        }
        r.latency(&E2E_LATENCY, s.e2e_latency.percentiles());
        r.latency(&SEND_LATENCY, s.send_latency.percentiles());
    }

    fn final_report(&self, _now: Nanos, r: &mut Report) {
        use metrics::*;
        let fc = self.final_check();
        r.count(&LOST, fc.lost);
        r.count(&PROCESSED_TWICE, fc.processed_twice);
        r.count(&WRITTEN_TWICE, fc.written_twice);
        r.count(&FAILED, fc.failed);
        r.count(&ORDER_VIOLATIONS, self.stats.order_violations);
    }

    fn digest(&self, now: Nanos, d: &mut Digest) {
        let s = &self.stats;
        for x in [
            s.sent,
            s.acked,
            s.failed_visibly,
            s.lost,
            s.requests,
            s.retries,
            s.appended,
            s.dup_written,
            s.truncated,
            s.elections,
            s.unclean_elections,
            s.rebalances,
            s.delivered,
            s.dup_delivered,
            s.processed,
            s.dup_processed,
            s.deduped,
            s.order_violations,
            s.dead_lettered,
            s.expired,
            s.e2e_latency.percentiles().p99_ns,
            now,
        ] {
            d.u64(x);
        }
        for l in self.lag() {
            d.u64(l);
        }
    }

    fn checkers() -> &'static [Checker] {
        &[Checker::Loss, Checker::Duplicates, Checker::Order]
    }

    fn why_kinds() -> &'static [Kind] {
        super::why::KINDS
    }

    fn why(&self) -> Option<&WhyLog> {
        Some(&self.why)
    }

    fn presets() -> Vec<Preset<QueueParams>> {
        super::presets::all()
    }
}

/// What only the queue's run does: faults now or later, and the picture, which need the clock or
/// the event queue.
impl Sim<Queue> {
    /// Applies a fault or an operator action now.
    pub fn apply_fault(&mut self, f: Fault) {
        self.apply(f);
    }

    /// Schedules a fault at a virtual time (tests and presets); not before now.
    pub fn schedule_fault(&mut self, at: Nanos, f: Fault) {
        if self.schedule(at, Event::Fault(f)).is_err() {
            self.lab_mut().stats.dropped_events += 1;
        }
    }

    /// Fills `out` with what to draw now, flows of the last `span_ns`. Reuses its buffers.
    pub fn fill_snapshot(&self, span_ns: Nanos, out: &mut QueueSnapshot) {
        self.snapshot(&View { span_ns }, out);
    }
}
