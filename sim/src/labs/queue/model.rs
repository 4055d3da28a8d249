//! The queue lab model: producers with Kafka's delivery knobs, replicated partitions on brokers that
//! crash, and a consumer group that polls, processes and commits. Every message is followed from
//! `send()` to its processing, so the checkers count what really happened:
//!
//! - **lost silently**: the producer was told "sent" (or, with `acks=0`, never told anything), yet
//!   the message is gone from every log, or the group committed past it, and it was never processed.
//!   A message counted lost that later turns up (a stray earlier attempt lands) is uncounted, so the
//!   live figure is exact at quiescence;
//! - **failed visibly**: the send's callback reported an error (retries or delivery timeout ran out,
//!   a full buffer);
//! - duplicates written to a log, delivered to a consumer, and processed (after the dedup store);
//! - per-key order violations: a message processed for the first time after a later one of the same
//!   key;
//! - lag, end-to-end latency, dead letters and expired messages.
//!
//! Simplifications, kept where they do not change what the lab shows: the replicas of a partition
//! share one log and differ by their log end offset (followers truncate to the new leader on every
//! election, as Kafka does with leader epochs, so their logs are always prefixes of it); a follower
//! copies everything new once per `replica_fetch_ms`; `max_in_flight` counts per partition (Kafka
//! counts per broker connection); idempotence keeps one sequence number per batch.

use std::collections::{BTreeMap, VecDeque};

use super::assign::assign;
use super::params::{Acks, CommitMode, Partitioner, QueueParams, MAX_CONSUMERS, MAX_PARTITIONS};
use crate::kernel::digest::Digest;
use crate::kernel::event::EventQueue;
use crate::kernel::metrics::{Combine, LatencyHistogram, TimeSeries};
use crate::kernel::model::{Advance, Model, ParamError, Validate};
use crate::kernel::rng::{splitmix64, SimRng};
use crate::kernel::time::{Nanos, NS_PER_MS, NS_PER_S};
use crate::kernel::traffic::{KeyChoice, KeyPicker};

const EVENT_CAPACITY: usize = 1 << 19;
/// Messages whose fate is tracked; older ids are final (their counts no longer change).
const MSG_WINDOW: u64 = 1 << 19;
const FLOW_CAPACITY: usize = 4_096;
const SERIES_CAPACITY: usize = 1_200;
/// Consumed records kept behind the committed offset (for the picture).
const CONSUMED_KEEP: u64 = 64;
/// Most expired messages remembered for a replay.
const ARCHIVE_CAPACITY: usize = 100_000;
/// Most sends one producer holds blocked on a full buffer.
const BLOCKED_CAPACITY: usize = 10_000;
/// Records per partition sent to the picture.
const SHOWN_RECORDS: usize = 48;

const F_SUCCESS: u8 = 1;
const F_FAILED: u8 = 2;
const F_GONE: u8 = 4;
const F_SKIPPED: u8 = 8;
const F_LOST: u8 = 16;
const F_EXPIRED: u8 = 32;
const F_DEAD: u8 = 64;
/// Written to a log while another copy was there (or after it was processed).
const F_DUPW: u8 = 128;

#[derive(Clone, Copy, Debug, Default)]
struct MsgState {
    copies: u16,
    appends: u16,
    in_transit: u16,
    delivered: u16,
    processed: u16,
    flags: u8,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Msg {
    id: u64,
    key: u32,
    key_seq: u32,
    poison: bool,
    created: Nanos,
}

#[derive(Clone, Copy, Debug)]
struct Record {
    msg: Msg,
    producer: u8,
    epoch: u16,
    seq: u32,
}

/// A named fault or operator action: a button on the page, or scheduled in params.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    CrashBroker(u32),
    RestartBroker(u32),
    /// Crash whichever broker leads this partition now.
    CrashLeaderOf(u32),
    CrashConsumer(u32),
    RestartConsumer(u32),
    AddConsumer,
    /// The newest member leaves the group cleanly.
    RemoveConsumer,
    /// Every consumer stops for this many milliseconds.
    PauseConsumers(u32),
    CutLink,
    RestoreLink,
    InjectPoison,
    /// Grow the topic to this many partitions and forward every unprocessed record into it (the
    /// notes' "a bigger queue for the backlog").
    MoveBacklog(u32),
    /// Produce again the messages dropped as expired (the notes' "re-query the dropped ones").
    ReplayExpired,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Resp {
    Ok,
    NotLeader,
    NotEnoughReplicas,
    OutOfOrder,
}

#[derive(Clone, Debug)]
enum Ev {
    Arrival,
    Linger {
        producer: u8,
        partition: u32,
        batch: u64,
    },
    Produce {
        broker: u32,
        partition: u32,
        producer: u8,
        epoch: u16,
        seq: u32,
        batch: u64,
        req: u64,
        msgs: Vec<Msg>,
    },
    Response {
        batch: u64,
        req: u64,
        resp: Resp,
    },
    RequestTimeout {
        batch: u64,
        req: u64,
    },
    Retry {
        batch: u64,
    },
    Fetch {
        partition: u32,
        replica: u8,
    },
    Elect {
        partition: u32,
    },
    ProcessDone {
        consumer: u32,
        gen: u32,
    },
    AutoCommit {
        consumer: u32,
        gen: u32,
    },
    CommitLanded {
        partition: u32,
        offset: u64,
        group_gen: u32,
    },
    SessionExpired {
        consumer: u32,
        gen: u32,
    },
    RebalanceDone {
        group_gen: u32,
    },
    Resume {
        token: u32,
    },
    Fault(Fault),
    /// The rolling fault: crash a random partition's leader, and schedule the next.
    RollingCrash,
    /// Send the next message of a replay.
    ReplayNext,
    Tick,
}

struct Batch {
    producer: u8,
    partition: u32,
    msgs: Vec<Msg>,
    created: Nanos,
    ready: bool,
    /// Sequence number and producer epoch, given at the first send (idempotence only).
    seq: Option<(u16, u32)>,
    /// Sent at least once: it takes no more messages.
    sent: bool,
    attempts: u32,
    /// The request in flight, 0 if none.
    req: u64,
}

#[derive(Default)]
struct ProducerPart {
    /// Batches waiting to be sent, oldest first (retries go back to the front, in sequence order).
    queue: VecDeque<u64>,
    in_flight: u32,
    next_seq: u32,
    epoch: u16,
    /// A send failed for good: start a new epoch once nothing is in flight.
    bump_pending: bool,
    /// Arrival time of the last request and of the last answer on this connection: TCP delivers
    /// them in order, so jitter never reorders them.
    last_request_at: Nanos,
    last_answer_at: Nanos,
}

struct Producer {
    parts: Vec<ProducerPart>,
    buffered: u32,
    blocked: VecDeque<(Msg, Nanos)>,
    sticky: u32,
    rr: u32,
}

#[derive(Clone, Copy, Debug)]
struct Idem {
    epoch: u16,
    seq: u32,
    end: u64,
}

struct Partition {
    replicas: Vec<u32>,
    leader: Option<u32>,
    log: VecDeque<Record>,
    /// Offset of `log[0]`.
    base: u64,
    /// Log end offset of each replica (the leader's is `base + log.len()`).
    leo: Vec<u64>,
    in_sync: Vec<bool>,
    caught_up_at: Vec<Nanos>,
    hw: u64,
    /// `acks=all` requests waiting for the high watermark: (end offset, batch, request).
    pending: VecDeque<(u64, u64, u64)>,
    /// Per producer: its batches above the high watermark and the last one at or below it (what
    /// a new leader needs after a clean election, which never cuts below the high watermark).
    idem: BTreeMap<u8, VecDeque<Idem>>,
    /// The group's committed offset, the owner's fetch position, and the offset up to which the
    /// owner has finished processing.
    committed: u64,
    position: u64,
    done: u64,
    owner: Option<u32>,
}

impl Partition {
    fn end(&self) -> u64 {
        self.base + self.log.len() as u64
    }

    fn record(&self, off: u64) -> Option<&Record> {
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
}

#[derive(Default)]
struct Consumer {
    up: bool,
    member: bool,
    gen: u32,
    buffer: VecDeque<(u32, u64)>,
    busy: Option<(u32, u64, Msg)>,
    attempts: u32,
    rr: usize,
}

/// What happened to a message, for drawing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlowKind {
    /// A produce request on its way from a producer to a partition's leader.
    Send,
    /// A request lost on the way (network, a dead broker, a cut link).
    SendLost,
    /// An answer on its way back to the producer.
    Ack,
    /// A record written to a log a second time.
    DupWritten,
    /// Records removed from a log by an election (the new leader lacked them).
    Truncated,
    /// A record on its way to the consumer that processes it.
    Deliver,
    /// Processed a second time.
    DupProcessed,
    /// Processed after a later message of the same key.
    Reorder,
    DeadLetter,
    Expired,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flow {
    pub at: Nanos,
    /// Travel time (0 for a mark in place).
    pub dur: Nanos,
    pub kind: FlowKind,
    pub partition: u32,
    /// Producer (send, ack) or consumer (deliver and marks at consumers) index.
    pub node: u32,
    /// Records carried.
    pub count: u32,
}

/// Counters of the checkers and of the traffic.
#[derive(Clone, Debug)]
pub struct QueueStats {
    /// `send()` calls.
    pub sent: u64,
    /// Sends whose callback reported success (with `acks=0`: every send that left).
    pub acked: u64,
    pub failed_visibly: u64,
    /// Lost silently, now (exact once the run is quiet; see the module notes).
    pub lost: u64,
    pub requests: u64,
    pub retries: u64,
    pub appended: u64,
    pub dup_written: u64,
    pub truncated: u64,
    pub elections: u64,
    pub unclean_elections: u64,
    pub rebalances: u64,
    pub delivered: u64,
    pub dup_delivered: u64,
    /// Messages processed for the first time.
    pub processed: u64,
    pub dup_processed: u64,
    /// Deliveries the dedup store skipped.
    pub deduped: u64,
    pub order_violations: u64,
    pub dead_lettered: u64,
    pub poison_attempts: u64,
    pub expired: u64,
    pub replayed: u64,
    /// Ids touched after they left the tracking window (their counts were not updated).
    pub untracked: u64,
    pub dropped_events: u64,
    /// `send()` to first processing.
    pub e2e_latency: LatencyHistogram,
    /// `send()` to the callback's success.
    pub send_latency: LatencyHistogram,
    pub sent_series: TimeSeries,
    pub processed_series: TimeSeries,
    pub requests_series: TimeSeries,
    pub p50_series: TimeSeries,
    pub p99_series: TimeSeries,
    pub lag_series: Vec<TimeSeries>,
    pub lost_series: TimeSeries,
    pub dup_series: TimeSeries,
    pub reorder_series: TimeSeries,
    pub failed_series: TimeSeries,
}

impl QueueStats {
    fn new(bucket: Nanos, partitions: u32) -> Self {
        let s = |c| TimeSeries::new(bucket, SERIES_CAPACITY, c);
        Self {
            sent: 0,
            acked: 0,
            failed_visibly: 0,
            lost: 0,
            requests: 0,
            retries: 0,
            appended: 0,
            dup_written: 0,
            truncated: 0,
            elections: 0,
            unclean_elections: 0,
            rebalances: 0,
            delivered: 0,
            dup_delivered: 0,
            processed: 0,
            dup_processed: 0,
            deduped: 0,
            order_violations: 0,
            dead_lettered: 0,
            poison_attempts: 0,
            expired: 0,
            replayed: 0,
            untracked: 0,
            dropped_events: 0,
            e2e_latency: LatencyHistogram::new(),
            send_latency: LatencyHistogram::new(),
            sent_series: s(Combine::Sum),
            processed_series: s(Combine::Sum),
            requests_series: s(Combine::Sum),
            p50_series: s(Combine::Max),
            p99_series: s(Combine::Max),
            lag_series: (0..partitions).map(|_| s(Combine::Max)).collect(),
            lost_series: s(Combine::Max),
            dup_series: s(Combine::Max),
            reorder_series: s(Combine::Max),
            failed_series: s(Combine::Max),
        }
    }
}

/// One replica as drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReplicaView {
    pub broker: u32,
    pub leo: u64,
    pub in_sync: bool,
    pub up: bool,
}

/// One record as drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecordView {
    pub offset: u64,
    pub key: u32,
    pub poison: bool,
    /// Written more than once.
    pub duplicate: bool,
    pub processed: bool,
}

/// One partition as drawn.
#[derive(Clone, Debug, Default)]
pub struct PartitionView {
    pub leader: Option<u32>,
    pub replicas: Vec<ReplicaView>,
    pub base: u64,
    pub end: u64,
    pub hw: u64,
    pub committed: u64,
    pub position: u64,
    pub owner: Option<u32>,
    /// The newest records.
    pub recent: Vec<RecordView>,
}

impl PartitionView {
    /// Records readable by consumers and not yet committed.
    pub fn lag(&self) -> u64 {
        self.hw.saturating_sub(self.committed)
    }
}

#[derive(Clone, Debug, Default)]
pub struct ConsumerView {
    pub up: bool,
    pub member: bool,
    pub partitions: Vec<u32>,
    /// Partition and offset being processed.
    pub busy: Option<(u32, u64)>,
    pub buffered: u32,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct ProducerView {
    pub buffered: u32,
    pub in_flight: u32,
    pub blocked: u32,
}

/// What the canvas draws.
#[derive(Clone, Debug, Default)]
pub struct QueueSnapshot {
    pub now: Nanos,
    pub brokers_up: Vec<bool>,
    pub partitions: Vec<PartitionView>,
    pub consumers: Vec<ConsumerView>,
    pub producers: Vec<ProducerView>,
    pub flows: Vec<Flow>,
    /// More flows in view than are kept: draw a flow instead of particles.
    pub dense: bool,
    pub link_up: bool,
    pub paused: bool,
    pub rebalancing: bool,
}

/// The queue lab model.
pub struct QueueLab {
    p: QueueParams,
    seed: u64,
    now: Nanos,
    rng: SimRng,
    net_rng: SimRng,
    keys: KeyPicker,
    events: EventQueue<Ev>,
    sending: bool,
    next_msg: u64,
    msgs: Vec<MsgState>,
    key_next_seq: Vec<u32>,
    /// Last processed sequence number of each key, plus one (0 = none yet).
    key_done: Vec<u32>,
    producers: Vec<Producer>,
    batches: BTreeMap<u64, Batch>,
    next_batch: u64,
    next_req: u64,
    brokers_up: Vec<bool>,
    parts: Vec<Partition>,
    link_up: bool,
    consumers: Vec<Consumer>,
    group_gen: u32,
    rebalancing: bool,
    paused_until: Option<Nanos>,
    pause_token: u32,
    archive: VecDeque<Msg>,
    /// Expired messages being sent again, at `replay_rate_per_s`.
    replaying: VecDeque<Msg>,
    flows: VecDeque<Flow>,
    bucket_hist: LatencyHistogram,
    stats: QueueStats,
}

impl QueueLab {
    pub fn params(&self) -> &QueueParams {
        &self.p
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn stats(&self) -> &QueueStats {
        &self.stats
    }

    pub fn partitions(&self) -> u32 {
        self.parts.len() as u32
    }

    /// Consumers that exist (members or not).
    pub fn consumer_count(&self) -> u32 {
        self.consumers.len() as u32
    }

    /// Records readable and not yet committed, per partition.
    pub fn lag(&self) -> Vec<u64> {
        self.parts
            .iter()
            .map(|p| p.hw.saturating_sub(p.committed))
            .collect()
    }

    pub fn total_lag(&self) -> u64 {
        self.lag().iter().sum()
    }

    /// Consumers in the group that own no partition.
    pub fn idle_members(&self) -> u32 {
        self.consumers
            .iter()
            .enumerate()
            .filter(|(i, c)| {
                c.member && c.up && !self.parts.iter().any(|p| p.owner == Some(*i as u32))
            })
            .count() as u32
    }

    /// Expired messages remembered for a replay.
    pub fn expired_waiting(&self) -> usize {
        self.archive.len()
    }

    /// Messages of a replay not sent yet.
    pub fn replay_pending(&self) -> usize {
        self.replaying.len()
    }

    // ----- bookkeeping -----

    fn schedule(&mut self, at: Nanos, ev: Ev) {
        if self.events.push(at, ev).is_err() {
            self.stats.dropped_events += 1;
        }
    }

    fn latency(&mut self) -> Nanos {
        let j = if self.p.jitter_ms > 0 {
            self.net_rng.below(self.p.jitter_ms as u64 * NS_PER_MS + 1)
        } else {
            0
        };
        self.p.latency_ms as u64 * NS_PER_MS + j
    }

    fn state(&mut self, id: u64) -> Option<&mut MsgState> {
        if id + MSG_WINDOW < self.next_msg {
            self.stats.untracked += 1;
            return None;
        }
        Some(&mut self.msgs[(id % MSG_WINDOW) as usize])
    }

    fn flow(&mut self, kind: FlowKind, partition: u32, node: u32, dur: Nanos, count: u32) {
        if self.flows.len() == FLOW_CAPACITY {
            self.flows.pop_front();
        }
        self.flows.push_back(Flow {
            at: self.now,
            dur,
            kind,
            partition,
            node,
            count,
        });
    }

    /// Counts `id` lost if it was reported sent yet can no longer be processed.
    fn settle(&mut self, id: u64) {
        let Some(s) = self.state(id) else { return };
        let f = s.flags;
        if f & F_SUCCESS != 0
            && f & (F_GONE | F_SKIPPED) != 0
            && f & (F_LOST | F_EXPIRED | F_DEAD) == 0
            && s.processed == 0
        {
            s.flags |= F_LOST;
            self.stats.lost += 1;
        }
    }

    /// A copy of `id` left the logs (truncated, or a request that never arrived).
    fn copy_gone(&mut self, id: u64) {
        if let Some(s) = self.state(id) {
            if s.copies == 0 && s.in_transit == 0 {
                s.flags |= F_GONE;
            }
        }
        self.settle(id);
    }

    // ----- producers -----

    fn arrival(&mut self) {
        let key = self.keys.pick(&mut self.rng).unwrap_or(0);
        let key_seq = self.key_next_seq[key as usize];
        self.key_next_seq[key as usize] += 1;
        let msg = self.new_msg(key, key_seq, false);
        self.send(msg);
        if self.sending && self.p.rate_per_s > 0 {
            let gap = self.rng.exp_nanos(1e9 / self.p.rate_per_s as f64);
            self.schedule(self.now + gap, Ev::Arrival);
        }
    }

    fn new_msg(&mut self, key: u32, key_seq: u32, poison: bool) -> Msg {
        let id = self.next_msg;
        self.next_msg += 1;
        self.msgs[(id % MSG_WINDOW) as usize] = MsgState::default();
        Msg {
            id,
            key,
            key_seq,
            poison,
            created: self.now,
        }
    }

    fn producer_of(&self, key: u32) -> usize {
        (key % self.p.producers) as usize
    }

    fn send(&mut self, msg: Msg) {
        self.stats.sent += 1;
        self.stats.sent_series.record(self.now, 1);
        let pi = self.producer_of(msg.key);
        let cap = self.p.buffer_messages();
        let pr = &mut self.producers[pi];
        if pr.buffered >= cap || !pr.blocked.is_empty() {
            if self.p.block_on_full_buffer && pr.blocked.len() < BLOCKED_CAPACITY {
                pr.blocked.push_back((msg, self.now));
            } else {
                self.fail_msg(msg.id);
            }
            return;
        }
        self.accumulate(pi, msg);
    }

    fn fail_msg(&mut self, id: u64) {
        self.stats.failed_visibly += 1;
        if let Some(s) = self.state(id) {
            s.flags |= F_FAILED;
        }
    }

    /// Lets blocked sends in as the buffer frees; those blocked too long fail.
    fn admit_blocked(&mut self, pi: usize) {
        let cap = self.p.buffer_messages();
        let max_block = self.p.max_block_ms as u64 * NS_PER_MS;
        loop {
            let pr = &mut self.producers[pi];
            let Some(&(msg, since)) = pr.blocked.front() else {
                return;
            };
            if self.now - since > max_block {
                pr.blocked.pop_front();
                self.fail_msg(msg.id);
                continue;
            }
            if pr.buffered >= cap {
                return;
            }
            pr.blocked.pop_front();
            self.accumulate(pi, msg);
        }
    }

    fn partition_for(&mut self, pi: usize, key: u32) -> u32 {
        let n = self.parts.len() as u32;
        match self.p.partitioner {
            Partitioner::ByKey => (splitmix64(key as u64) % n as u64) as u32,
            Partitioner::RoundRobin => {
                let pr = &mut self.producers[pi];
                pr.rr = (pr.rr + 1) % n;
                pr.rr
            }
            Partitioner::Sticky => self.producers[pi].sticky % n,
        }
    }

    fn accumulate(&mut self, pi: usize, msg: Msg) {
        let part = self.partition_for(pi, msg.key);
        let cap = self.p.batch_messages() as usize;
        self.producers[pi].buffered += 1;
        let tail = self.producers[pi].parts[part as usize]
            .queue
            .back()
            .copied();
        let open = tail.filter(|id| {
            self.batches
                .get(id)
                .is_some_and(|b| !b.sent && b.msgs.len() < cap)
        });
        let id = match open {
            Some(id) => id,
            None => {
                let id = self.next_batch;
                self.next_batch += 1;
                self.batches.insert(
                    id,
                    Batch {
                        producer: pi as u8,
                        partition: part,
                        msgs: Vec::with_capacity(cap.min(64)),
                        created: self.now,
                        ready: self.p.linger_ms == 0,
                        seq: None,
                        sent: false,
                        attempts: 0,
                        req: 0,
                    },
                );
                self.producers[pi].parts[part as usize].queue.push_back(id);
                if self.p.linger_ms > 0 {
                    let at = self.now + self.p.linger_ms as u64 * NS_PER_MS;
                    self.schedule(
                        at,
                        Ev::Linger {
                            producer: pi as u8,
                            partition: part,
                            batch: id,
                        },
                    );
                }
                id
            }
        };
        let b = self.batches.get_mut(&id).expect("batch exists");
        b.msgs.push(msg);
        if b.msgs.len() >= cap {
            b.ready = true;
            if self.p.partitioner == Partitioner::Sticky {
                let n = self.parts.len() as u64;
                self.producers[pi].sticky = self.rng.below(n) as u32;
            }
        }
        self.pump(pi, part);
    }

    /// Sends ready batches of one producer's partition while the in-flight limit allows.
    fn pump(&mut self, pi: usize, part: u32) {
        loop {
            let pp = &mut self.producers[pi].parts[part as usize];
            if pp.bump_pending {
                if pp.in_flight > 0 {
                    return;
                }
                // A new producer epoch: sequence numbers restart, and waiting batches get new ones.
                pp.bump_pending = false;
                pp.epoch = pp.epoch.wrapping_add(1);
                pp.next_seq = 0;
                let ids: Vec<u64> = pp.queue.iter().copied().collect();
                for id in ids {
                    if let Some(b) = self.batches.get_mut(&id) {
                        b.seq = None;
                    }
                }
                continue;
            }
            if pp.in_flight >= self.p.max_in_flight {
                return;
            }
            let Some(&id) = pp.queue.front() else { return };
            let b = self.batches.get(&id).expect("queued batch exists");
            if !b.ready {
                return;
            }
            let deadline = b.created + self.p.delivery_timeout_ms as u64 * NS_PER_MS;
            self.producers[pi].parts[part as usize].queue.pop_front();
            if self.now >= deadline {
                self.fail_batch(id);
                continue;
            }
            self.send_attempt(id);
        }
    }

    fn send_attempt(&mut self, id: u64) {
        let req = self.next_req;
        self.next_req += 1;
        let b = self.batches.get_mut(&id).expect("batch exists");
        let (pi, part) = (b.producer as usize, b.partition);
        let pp = &mut self.producers[pi].parts[part as usize];
        if self.p.idempotence && b.seq.is_none() {
            b.seq = Some((pp.epoch, pp.next_seq));
            pp.next_seq += 1;
        }
        pp.in_flight += 1;
        b.sent = true;
        b.attempts += 1;
        b.req = req;
        let (epoch, seq) = b.seq.unwrap_or((0, 0));
        let attempts = b.attempts;
        let msgs = b.msgs.clone();
        self.stats.requests += 1;
        self.stats.requests_series.record(self.now, 1);
        if attempts > 1 {
            self.stats.retries += 1;
        }
        let n = msgs.len() as u32;
        let lat = self.latency();
        let pp = &mut self.producers[pi].parts[part as usize];
        let lat = (self.now + lat).max(pp.last_request_at) - self.now;
        pp.last_request_at = self.now + lat;
        let leader = self.parts[part as usize].leader;
        let lost = !self.link_up || self.net_rng.chance(self.p.request_loss_prob);
        match leader {
            None if !lost => {
                // No leader known: the metadata answer says so after a round trip.
                self.schedule(
                    self.now + 2 * lat,
                    Ev::Response {
                        batch: id,
                        req,
                        resp: Resp::NotLeader,
                    },
                );
                self.flow(FlowKind::Send, part, pi as u32, lat, n);
            }
            Some(broker) if !lost => {
                for m in &msgs {
                    if let Some(s) = self.state(m.id) {
                        s.in_transit += 1;
                    }
                }
                self.flow(FlowKind::Send, part, pi as u32, lat, n);
                self.schedule(
                    self.now + lat,
                    Ev::Produce {
                        broker,
                        partition: part,
                        producer: pi as u8,
                        epoch,
                        seq,
                        batch: id,
                        req,
                        msgs: msgs.clone(),
                    },
                );
            }
            _ => self.flow(FlowKind::SendLost, part, pi as u32, lat, n),
        }
        if self.p.acks == Acks::Zero {
            // Fire and forget: the callback says "sent" as soon as it leaves.
            self.producers[pi].parts[part as usize].in_flight -= 1;
            self.succeed_batch(id);
            if lost || leader.is_none() {
                for m in &msgs {
                    self.copy_gone(m.id);
                }
            }
        } else {
            let at = self.now + self.p.request_timeout_ms as u64 * NS_PER_MS;
            self.schedule(at, Ev::RequestTimeout { batch: id, req });
        }
    }

    fn release_buffer(&mut self, pi: usize, n: u32) {
        let pr = &mut self.producers[pi];
        pr.buffered = pr.buffered.saturating_sub(n);
        self.admit_blocked(pi);
    }

    fn succeed_batch(&mut self, id: u64) {
        let Some(b) = self.batches.remove(&id) else {
            return;
        };
        for m in &b.msgs {
            self.stats.acked += 1;
            self.stats.send_latency.record(self.now - m.created);
            if let Some(s) = self.state(m.id) {
                s.flags |= F_SUCCESS;
            }
            self.settle(m.id);
        }
        self.release_buffer(b.producer as usize, b.msgs.len() as u32);
        self.pump(b.producer as usize, b.partition);
    }

    fn fail_batch(&mut self, id: u64) {
        let Some(b) = self.batches.remove(&id) else {
            return;
        };
        for m in &b.msgs {
            self.fail_msg(m.id);
        }
        if self.p.idempotence {
            self.producers[b.producer as usize].parts[b.partition as usize].bump_pending = true;
        }
        self.release_buffer(b.producer as usize, b.msgs.len() as u32);
        self.pump(b.producer as usize, b.partition);
    }

    fn attempt_failed(&mut self, id: u64, counts: bool) {
        let Some(b) = self.batches.get_mut(&id) else {
            return;
        };
        if !counts {
            b.attempts = b.attempts.saturating_sub(1);
        }
        let deadline = b.created + self.p.delivery_timeout_ms as u64 * NS_PER_MS;
        let backoff = self.p.retry_backoff_ms as u64 * NS_PER_MS;
        if b.attempts <= self.p.retries && self.now + backoff < deadline {
            self.schedule(self.now + backoff, Ev::Retry { batch: id });
        } else {
            self.fail_batch(id);
        }
    }

    fn retry(&mut self, id: u64) {
        let Some(b) = self.batches.get_mut(&id) else {
            return;
        };
        b.ready = true;
        let (pi, part, seq) = (b.producer as usize, b.partition, b.seq);
        let pp = &mut self.producers[pi].parts[part as usize];
        // Back in sequence order, ahead of batches never sent.
        let batches = &self.batches;
        let pos = pp
            .queue
            .iter()
            .position(|q| {
                let other = batches.get(q).map(|o| (o.sent, o.seq));
                match other {
                    Some((false, _)) | None => true,
                    Some((true, s)) => seq.is_some() && s > seq,
                }
            })
            .unwrap_or(pp.queue.len());
        pp.queue.insert(pos, id);
        self.pump(pi, part);
    }

    fn response(&mut self, id: u64, req: u64, resp: Resp) {
        let Some(b) = self.batches.get_mut(&id) else {
            return;
        };
        if b.req != req {
            return; // an answer to an attempt already given up on
        }
        b.req = 0;
        let (pi, part) = (b.producer as usize, b.partition);
        self.producers[pi].parts[part as usize].in_flight -= 1;
        match resp {
            Resp::Ok => self.succeed_batch(id),
            Resp::OutOfOrder => self.attempt_failed(id, false),
            Resp::NotLeader | Resp::NotEnoughReplicas => self.attempt_failed(id, true),
        }
        self.pump(pi, part);
    }

    fn request_timeout(&mut self, id: u64, req: u64) {
        let Some(b) = self.batches.get_mut(&id) else {
            return;
        };
        if b.req != req {
            return;
        }
        b.req = 0;
        let (pi, part) = (b.producer as usize, b.partition);
        self.producers[pi].parts[part as usize].in_flight -= 1;
        self.attempt_failed(id, true);
        self.pump(pi, part);
    }

    // ----- brokers -----

    fn respond(&mut self, batch: u64, req: u64, resp: Resp, part: u32, producer: u8) {
        if self.p.acks == Acks::Zero {
            return;
        }
        let lat = self.latency();
        if !self.link_up || self.net_rng.chance(self.p.ack_loss_prob) {
            return;
        }
        let pp = &mut self.producers[producer as usize].parts[part as usize];
        let lat = (self.now + lat).max(pp.last_answer_at) - self.now;
        pp.last_answer_at = self.now + lat;
        self.flow(FlowKind::Ack, part, producer as u32, lat, 1);
        self.schedule(self.now + lat, Ev::Response { batch, req, resp });
    }

    #[allow(clippy::too_many_arguments)]
    fn produce(
        &mut self,
        broker: u32,
        part: u32,
        producer: u8,
        epoch: u16,
        seq: u32,
        batch: u64,
        req: u64,
        msgs: Vec<Msg>,
    ) {
        for m in &msgs {
            if let Some(s) = self.state(m.id) {
                s.in_transit = s.in_transit.saturating_sub(1);
            }
        }
        // What the broker does with the batch: refuse it (with an answer, or none from a dead
        // broker), answer a duplicate as its original write, or append it.
        let pt = &self.parts[part as usize];
        let refusal = if !self.brokers_up[broker as usize] {
            Some(None)
        } else if pt.leader != Some(broker) {
            Some(Some(Resp::NotLeader))
        } else if self.p.acks == Acks::All
            && pt.in_sync_count(&self.brokers_up) < self.p.min_insync_replicas
        {
            Some(Some(Resp::NotEnoughReplicas))
        } else if self.p.idempotence {
            match pt.idem.get(&producer).and_then(|h| h.back().copied()) {
                Some(st) if epoch == st.epoch && seq <= st.seq => {
                    // Already written: answer as for the original write, write nothing.
                    self.answer_write(batch, req, part, producer, st.end);
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
                self.copy_gone(m.id);
            }
            if let Some(r) = answer {
                self.respond(batch, req, r, part, producer);
            }
            return;
        }
        let mut dups = 0;
        for m in &msgs {
            let dup = match self.state(m.id) {
                Some(s) => {
                    let dup = s.copies > 0 || s.processed > 0;
                    s.copies += 1;
                    s.appends += 1;
                    s.flags &= !F_GONE;
                    if dup {
                        s.flags |= F_DUPW;
                    }
                    dup
                }
                None => false,
            };
            self.stats.appended += 1;
            if dup {
                self.stats.dup_written += 1;
                dups += 1;
            }
            self.parts[part as usize].log.push_back(Record {
                msg: *m,
                producer,
                epoch,
                seq,
            });
        }
        if dups > 0 {
            self.flow(FlowKind::DupWritten, part, producer as u32, 0, dups);
        }
        let pt = &mut self.parts[part as usize];
        let end = pt.end();
        let li = pt.replicas.iter().position(|&b| b == broker).unwrap_or(0);
        pt.leo[li] = end;
        pt.caught_up_at[li] = self.now;
        if self.p.idempotence {
            let hw = pt.hw;
            let h = pt.idem.entry(producer).or_default();
            h.push_back(Idem { epoch, seq, end });
            while h.len() >= 2 && h[1].end <= hw {
                h.pop_front();
            }
        }
        self.answer_write(batch, req, part, producer, end);
        self.advance_hw(part);
    }

    /// Answers a write ending at `end` as `acks` demands.
    fn answer_write(&mut self, batch: u64, req: u64, part: u32, producer: u8, end: u64) {
        match self.p.acks {
            Acks::Zero => {}
            Acks::One => self.respond(batch, req, Resp::Ok, part, producer),
            Acks::All => {
                let pt = &mut self.parts[part as usize];
                if pt.hw >= end {
                    self.respond(batch, req, Resp::Ok, part, producer);
                } else {
                    pt.pending.push_back((end, batch, req));
                }
            }
        }
    }

    fn advance_hw(&mut self, part: u32) {
        let pt = &mut self.parts[part as usize];
        let Some(leader) = pt.leader else { return };
        if !self.brokers_up[leader as usize] {
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
            let producer = self.batches.get(&batch).map(|b| b.producer).unwrap_or(0);
            self.respond(batch, req, Resp::Ok, part, producer);
        }
        self.wake_consumers();
    }

    fn fetch(&mut self, part: u32, r: u8) {
        let every = self.p.replica_fetch_ms as u64 * NS_PER_MS;
        self.schedule(
            self.now + every,
            Ev::Fetch {
                partition: part,
                replica: r,
            },
        );
        let lag_max = self.p.replica_lag_max_ms as u64 * NS_PER_MS;
        let pt = &mut self.parts[part as usize];
        let ri = r as usize;
        let broker = pt.replicas[ri];
        let Some(leader) = pt.leader else { return };
        if leader == broker || !self.brokers_up[leader as usize] {
            return;
        }
        if self.brokers_up[broker as usize] {
            let end = pt.end();
            pt.leo[ri] = end;
            pt.caught_up_at[ri] = self.now;
            if !pt.in_sync[ri] {
                pt.in_sync[ri] = true; // caught up: back in sync
            }
        } else if pt.in_sync[ri] && self.now - pt.caught_up_at[ri] > lag_max {
            pt.in_sync[ri] = false;
        }
        self.advance_hw(part);
    }

    fn crash_broker(&mut self, b: u32) {
        if b as usize >= self.brokers_up.len() || !self.brokers_up[b as usize] {
            return;
        }
        self.brokers_up[b as usize] = false;
        let detect = self.p.leader_detect_ms as u64 * NS_PER_MS;
        for part in 0..self.parts.len() as u32 {
            let pt = &mut self.parts[part as usize];
            if pt.leader == Some(b) {
                pt.pending.clear(); // a dead leader answers nothing
                self.schedule(self.now + detect, Ev::Elect { partition: part });
            }
        }
        if self.p.faults.restart_broker_after_ms > 0 {
            let at = self.now + self.p.faults.restart_broker_after_ms as u64 * NS_PER_MS;
            self.schedule(at, Ev::Fault(Fault::RestartBroker(b)));
        } else if self.p.faults.crash_leader_every_ms > 0 {
            let at = self.now + self.p.faults.crash_leader_every_ms as u64 * NS_PER_MS / 2;
            self.schedule(at, Ev::Fault(Fault::RestartBroker(b)));
        }
    }

    fn restart_broker(&mut self, b: u32) {
        if b as usize >= self.brokers_up.len() || self.brokers_up[b as usize] {
            return;
        }
        self.brokers_up[b as usize] = true;
        for part in 0..self.parts.len() as u32 {
            let pt = &self.parts[part as usize];
            if pt.leader.is_none() || pt.leader == Some(b) {
                self.elect(part);
            }
        }
        self.wake_consumers();
    }

    fn elect(&mut self, part: u32) {
        let up = &self.brokers_up;
        let pt = &mut self.parts[part as usize];
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
        pt.caught_up_at[i] = self.now;
        self.truncate(part, new_end);
        let pt = &mut self.parts[part as usize];
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
        self.advance_hw(part);
    }

    /// Cuts the partition's log to `end`: what was beyond it is gone from every replica.
    fn truncate(&mut self, part: u32, end: u64) {
        let mut gone = Vec::new();
        let pt = &mut self.parts[part as usize];
        while pt.end() > end && !pt.log.is_empty() {
            let r = pt.log.pop_back().expect("log not empty");
            gone.push(r.msg.id);
        }
        if pt.log.is_empty() && pt.base > end {
            pt.base = end;
        }
        pt.position = pt.position.min(end);
        pt.committed = pt.committed.min(end);
        pt.done = pt.done.min(end);
        if !gone.is_empty() {
            self.stats.truncated += gone.len() as u64;
            self.flow(FlowKind::Truncated, part, 0, 0, gone.len() as u32);
        }
        for c in &mut self.consumers {
            c.buffer.retain(|&(p, off)| p != part || off < end);
        }
        for id in gone {
            if let Some(s) = self.state(id) {
                s.copies = s.copies.saturating_sub(1);
            }
            self.copy_gone(id);
        }
    }

    // ----- consumers -----

    fn wake_consumers(&mut self) {
        for c in 0..self.consumers.len() as u32 {
            self.consumer_next(c);
        }
    }

    fn commit(&mut self, part: u32, offset: u64) {
        let lat = self.latency();
        let group_gen = self.group_gen;
        self.schedule(
            self.now + lat,
            Ev::CommitLanded {
                partition: part,
                offset,
                group_gen,
            },
        );
    }

    fn consumer_next(&mut self, c: u32) {
        if self.rebalancing || self.paused_until.is_some() {
            return;
        }
        let ci = c as usize;
        {
            let con = &self.consumers[ci];
            if !con.up || !con.member || con.busy.is_some() {
                return;
            }
        }
        while self.consumers[ci].busy.is_none() {
            if self.consumers[ci].buffer.is_empty() && !self.poll(c) {
                return;
            }
            let Some((part, off)) = self.consumers[ci].buffer.pop_front() else {
                return;
            };
            self.take(c, part, off);
        }
    }

    /// Fetches the next records of one owned partition into the consumer's buffer.
    fn poll(&mut self, c: u32) -> bool {
        let n = self.parts.len();
        let start = self.consumers[c as usize].rr;
        for k in 0..n {
            let part = (start + k) % n;
            let pt = &mut self.parts[part];
            if pt.owner != Some(c) {
                continue;
            }
            let Some(leader) = pt.leader else { continue };
            if !self.brokers_up[leader as usize] {
                continue;
            }
            if pt.position < pt.base {
                // Deleted by retention before this group read them.
                pt.position = pt.base;
            }
            if pt.position >= pt.hw {
                continue;
            }
            let count = (pt.hw - pt.position).min(self.p.max_poll_records as u64);
            let from = pt.position;
            pt.position += count;
            let to = pt.position;
            let con = &mut self.consumers[c as usize];
            con.rr = part + 1;
            con.buffer.extend((from..to).map(|o| (part as u32, o)));
            if self.p.commit == CommitMode::BeforeProcessing {
                self.commit(part as u32, to);
            }
            return true;
        }
        false
    }

    fn take(&mut self, c: u32, part: u32, off: u64) {
        let ttl = self.p.ttl_ms as u64 * NS_PER_MS;
        let pt = &mut self.parts[part as usize];
        let Some(rec) = pt.record(off).copied() else {
            pt.done = pt.done.max(off + 1);
            return;
        };
        if ttl > 0 && self.now - rec.msg.created > ttl {
            pt.done = pt.done.max(off + 1);
            self.expire(rec.msg, part, c);
            self.after_message(c, part);
            return;
        }
        let dup = match self.state(rec.msg.id) {
            Some(s) => {
                s.delivered += 1;
                s.delivered > 1
            }
            None => false,
        };
        self.stats.delivered += 1;
        if dup {
            self.stats.dup_delivered += 1;
        }
        let dur = self.p.process_ms as u64 * NS_PER_MS;
        self.flow(FlowKind::Deliver, part, c, dur.max(NS_PER_MS), 1);
        let con = &mut self.consumers[c as usize];
        con.busy = Some((part, off, rec.msg));
        let gen = con.gen;
        self.schedule(self.now + dur, Ev::ProcessDone { consumer: c, gen });
    }

    /// Marks `id` dead-lettered or expired: accounted for, so no longer lost if it was.
    fn account(&mut self, id: u64, flag: u8) {
        let Some(s) = self.state(id) else { return };
        let was_lost = s.flags & F_LOST != 0;
        s.flags = (s.flags | flag) & !F_LOST;
        if was_lost {
            self.stats.lost -= 1;
        }
    }

    fn expire(&mut self, msg: Msg, part: u32, node: u32) {
        let first = self
            .state(msg.id)
            .is_some_and(|s| s.processed == 0 && s.flags & F_EXPIRED == 0);
        if first {
            self.account(msg.id, F_EXPIRED);
            self.stats.expired += 1;
            if self.flows.back().map(|f| f.kind) != Some(FlowKind::Expired) {
                self.flow(FlowKind::Expired, part, node, 0, 1);
            }
            if self.archive.len() < ARCHIVE_CAPACITY {
                self.archive.push_back(msg);
            }
        }
    }

    fn process_done(&mut self, c: u32, gen: u32) {
        let ci = c as usize;
        if self.consumers[ci].gen != gen {
            return;
        }
        let Some((part, off, msg)) = self.consumers[ci].busy else {
            return;
        };
        if msg.poison {
            self.stats.poison_attempts += 1;
            let con = &mut self.consumers[ci];
            con.attempts += 1;
            if con.attempts <= self.p.poison_retries || !self.p.dead_letter_queue {
                // Try again; without a dead-letter queue this never ends.
                let dur = self.p.process_ms.max(1) as u64 * NS_PER_MS;
                self.schedule(self.now + dur, Ev::ProcessDone { consumer: c, gen });
                return;
            }
            con.attempts = 0;
            self.stats.dead_lettered += 1;
            self.account(msg.id, F_DEAD);
            self.flow(FlowKind::DeadLetter, part, c, 0, 1);
        } else {
            self.apply(msg, part, c);
        }
        self.consumers[ci].busy = None;
        let pt = &mut self.parts[part as usize];
        pt.done = pt.done.max(off + 1);
        self.after_message(c, part);
        self.consumer_next(c);
    }

    /// The message's effect, guarded by the dedup store if it is on.
    fn apply(&mut self, msg: Msg, part: u32, c: u32) {
        let dedup = self.p.dedup_store;
        let Some(s) = self.state(msg.id) else {
            return;
        };
        if dedup && s.processed > 0 {
            self.stats.deduped += 1;
            return;
        }
        s.processed += 1;
        let again = s.processed > 1;
        let was_lost = s.flags & F_LOST != 0;
        s.flags &= !(F_LOST | F_GONE | F_SKIPPED);
        if was_lost {
            self.stats.lost -= 1; // it turned up after all
        }
        if again {
            self.stats.dup_processed += 1;
            self.flow(FlowKind::DupProcessed, part, c, 0, 1);
            return;
        }
        self.stats.processed += 1;
        self.stats.processed_series.record(self.now, 1);
        let lat = self.now - msg.created;
        self.stats.e2e_latency.record(lat);
        self.bucket_hist.record(lat);
        let k = msg.key as usize;
        if msg.key_seq + 1 < self.key_done[k] {
            self.stats.order_violations += 1;
            self.flow(FlowKind::Reorder, part, c, 0, 1);
        } else {
            self.key_done[k] = msg.key_seq + 1;
        }
    }

    /// After-processing commits, once a poll is fully processed.
    fn after_message(&mut self, c: u32, part: u32) {
        if self.p.commit == CommitMode::AfterProcessing
            && self.consumers[c as usize]
                .buffer
                .front()
                .is_none_or(|&(p, _)| p != part)
        {
            let done = self.parts[part as usize].done;
            self.commit(part, done);
        }
    }

    fn auto_commit(&mut self, c: u32, gen: u32) {
        if self.consumers[c as usize].gen != gen {
            return;
        }
        let at = self.now + self.p.auto_commit_ms as u64 * NS_PER_MS;
        self.schedule(at, Ev::AutoCommit { consumer: c, gen });
        if self.p.commit != CommitMode::Auto || self.rebalancing {
            return;
        }
        for part in 0..self.parts.len() as u32 {
            let pt = &self.parts[part as usize];
            if pt.owner == Some(c) {
                let pos = pt.position;
                self.commit(part, pos);
            }
        }
    }

    fn start_consumer(&mut self, c: u32) {
        let con = &mut self.consumers[c as usize];
        con.up = true;
        con.member = true;
        con.gen = con.gen.wrapping_add(1);
        con.buffer.clear();
        con.busy = None;
        con.attempts = 0;
        let gen = con.gen;
        let at = self.now + self.p.auto_commit_ms as u64 * NS_PER_MS;
        self.schedule(at, Ev::AutoCommit { consumer: c, gen });
    }

    fn crash_consumer(&mut self, c: u32) {
        let Some(con) = self.consumers.get_mut(c as usize) else {
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
        let at = self.now + self.p.session_timeout_ms as u64 * NS_PER_MS;
        self.schedule(at, Ev::SessionExpired { consumer: c, gen });
        if self.p.faults.restart_consumer_after_ms > 0 {
            let at = self.now + self.p.faults.restart_consumer_after_ms as u64 * NS_PER_MS;
            self.schedule(at, Ev::Fault(Fault::RestartConsumer(c)));
        }
    }

    fn rebalance(&mut self) {
        self.stats.rebalances += 1;
        // Partitions are revoked: members commit what they have finished (after-processing) or
        // what they have polled (auto-commit), then stop.
        for part in 0..self.parts.len() {
            let pt = &mut self.parts[part];
            if let Some(o) = pt.owner {
                if self.consumers[o as usize].up {
                    match self.p.commit {
                        CommitMode::AfterProcessing => pt.committed = pt.committed.max(pt.done),
                        CommitMode::Auto => pt.committed = pt.committed.max(pt.position),
                        CommitMode::BeforeProcessing => {}
                    }
                }
            }
        }
        for con in &mut self.consumers {
            con.buffer.clear();
            con.busy = None;
            con.attempts = 0;
            con.gen = con.gen.wrapping_add(1); // the auto-commit timers restart below
        }
        let gens: Vec<(u32, u32)> = self
            .consumers
            .iter()
            .enumerate()
            .filter(|(_, c)| c.up)
            .map(|(i, c)| (i as u32, c.gen))
            .collect();
        for (c, gen) in gens {
            let at = self.now + self.p.auto_commit_ms as u64 * NS_PER_MS;
            self.schedule(at, Ev::AutoCommit { consumer: c, gen });
        }
        self.group_gen = self.group_gen.wrapping_add(1);
        self.rebalancing = true;
        let at = self.now + self.p.rebalance_ms as u64 * NS_PER_MS;
        let group_gen = self.group_gen;
        self.schedule(at, Ev::RebalanceDone { group_gen });
    }

    fn rebalance_done(&mut self, group_gen: u32) {
        if group_gen != self.group_gen {
            return;
        }
        self.rebalancing = false;
        let members: Vec<u32> = self
            .consumers
            .iter()
            .enumerate()
            .filter(|(_, c)| c.member)
            .map(|(i, _)| i as u32)
            .collect();
        let previous: Vec<Option<u32>> = self.parts.iter().map(|p| p.owner).collect();
        let owners = assign(
            self.p.assignor,
            self.parts.len() as u32,
            &members,
            &previous,
        );
        let mut skipped = Vec::new();
        for (part, owner) in owners.into_iter().enumerate() {
            let pt = &mut self.parts[part];
            pt.owner = owner;
            // The new owner starts at the committed offset: what lies between the old owner's
            // progress and it is skipped (committed before processing) or done again.
            for off in pt.done.max(pt.base)..pt.committed.min(pt.end()) {
                if let Some(r) = pt.record(off) {
                    skipped.push(r.msg.id);
                }
            }
            pt.position = pt.committed;
            pt.done = pt.committed;
        }
        for id in skipped {
            if let Some(s) = self.state(id) {
                if s.processed == 0 {
                    s.flags |= F_SKIPPED;
                }
            }
            self.settle(id);
        }
        self.wake_consumers();
    }

    // ----- faults and actions -----

    /// Applies a fault or an operator action now.
    pub fn apply_fault(&mut self, f: Fault) {
        match f {
            Fault::CrashBroker(b) => self.crash_broker(b),
            Fault::RestartBroker(b) => self.restart_broker(b),
            Fault::CrashLeaderOf(p) => {
                if let Some(l) = self.parts.get(p as usize).and_then(|pt| pt.leader) {
                    self.crash_broker(l);
                }
            }
            Fault::CrashConsumer(c) => self.crash_consumer(c),
            Fault::RestartConsumer(c) => {
                if self.consumers.get(c as usize).is_some_and(|con| !con.up) {
                    self.start_consumer(c);
                    self.rebalance();
                }
            }
            Fault::AddConsumer => {
                if self.consumers.len() < MAX_CONSUMERS as usize {
                    self.consumers.push(Consumer::default());
                    let c = self.consumers.len() as u32 - 1;
                    self.start_consumer(c);
                    self.rebalance();
                }
            }
            Fault::RemoveConsumer => {
                if let Some(c) = (0..self.consumers.len())
                    .rev()
                    .find(|&i| self.consumers[i].member && self.consumers[i].up)
                {
                    // A clean leave: commit what was processed, then go.
                    for pt in &mut self.parts {
                        if pt.owner == Some(c as u32) && self.p.commit != CommitMode::Auto {
                            pt.committed = pt.committed.max(pt.done);
                        }
                    }
                    self.rebalance();
                    let con = &mut self.consumers[c];
                    con.member = false;
                    con.up = false;
                    con.gen = con.gen.wrapping_add(1);
                }
            }
            Fault::PauseConsumers(ms) => {
                self.pause_token = self.pause_token.wrapping_add(1);
                self.paused_until = Some(self.now + ms as u64 * NS_PER_MS);
                let token = self.pause_token;
                self.schedule(self.now + ms as u64 * NS_PER_MS, Ev::Resume { token });
            }
            Fault::CutLink => self.link_up = false,
            Fault::RestoreLink => self.link_up = true,
            Fault::InjectPoison => {
                let key = self.keys.pick(&mut self.rng).unwrap_or(0);
                let key_seq = self.key_next_seq[key as usize];
                self.key_next_seq[key as usize] += 1;
                let msg = self.new_msg(key, key_seq, true);
                self.send(msg);
            }
            Fault::MoveBacklog(n) => self.move_backlog(n),
            Fault::ReplayExpired => {
                let idle = self.replaying.is_empty();
                while let Some(m) = self.archive.pop_front() {
                    if self.replaying.len() >= ARCHIVE_CAPACITY {
                        break;
                    }
                    if let Some(s) = self.state(m.id) {
                        s.flags &= !(F_EXPIRED | F_SUCCESS | F_GONE | F_SKIPPED);
                    }
                    self.replaying.push_back(m);
                }
                if idle && !self.replaying.is_empty() {
                    self.schedule(self.now, Ev::ReplayNext);
                }
            }
        }
    }

    /// Sends the next replayed message (the replay script sends them again now: a TTL counts from
    /// this send, and latency too).
    fn replay_next(&mut self) {
        let Some(m) = self.replaying.pop_front() else {
            return;
        };
        self.stats.replayed += 1;
        self.stats.sent = self.stats.sent.saturating_sub(1); // not a new message
        self.send(Msg {
            created: self.now,
            ..m
        });
        if !self.replaying.is_empty() {
            let gap = NS_PER_S / self.p.replay_rate_per_s as u64;
            self.schedule(self.now + gap, Ev::ReplayNext);
        }
    }

    /// Grows the topic to `n` partitions and forwards every record not yet processed into it, by
    /// key (so a key's order survives), then rebalances.
    fn move_backlog(&mut self, n: u32) {
        let n = n.clamp(self.parts.len() as u32, MAX_PARTITIONS);
        let old = self.parts.len() as u32;
        for i in old..n {
            let pt = self.new_partition(i);
            self.parts.push(pt);
            self.stats.lag_series.push(TimeSeries::new(
                self.p.chart_bucket_ms as u64 * NS_PER_MS,
                SERIES_CAPACITY,
                Combine::Max,
            ));
            for pr in &mut self.producers {
                pr.parts.push(ProducerPart::default());
            }
            for r in 0..self.p.replication_factor as u8 {
                self.schedule(
                    self.now + self.p.replica_fetch_ms as u64 * NS_PER_MS,
                    Ev::Fetch {
                        partition: i,
                        replica: r,
                    },
                );
            }
        }
        for con in &mut self.consumers {
            con.buffer.clear();
        }
        let mut moved = Vec::new();
        for part in 0..old as usize {
            let pt = &mut self.parts[part];
            let from = pt.done.max(pt.base);
            let to = pt.hw;
            for off in from..to {
                if let Some(r) = pt.record(off) {
                    moved.push(*r);
                }
            }
            pt.position = pt.position.max(to);
            pt.committed = pt.committed.max(to);
            pt.done = pt.done.max(to);
        }
        for (k, r) in moved.into_iter().enumerate() {
            let target = match self.p.partitioner {
                Partitioner::ByKey => (splitmix64(r.msg.key as u64) % n as u64) as u32,
                _ => (k as u64 % n as u64) as u32,
            };
            let pt = &mut self.parts[target as usize];
            pt.log.push_back(Record {
                producer: u8::MAX,
                ..r
            });
            let end = pt.end();
            for (j, leo) in pt.leo.iter_mut().enumerate() {
                if pt.in_sync[j] {
                    *leo = end;
                }
            }
            if let Some(s) = self.state(r.msg.id) {
                s.copies += 1;
            }
        }
        for part in 0..n {
            self.advance_hw(part);
        }
        self.rebalance();
    }

    fn new_partition(&self, i: u32) -> Partition {
        let rf = self.p.replication_factor as usize;
        let replicas: Vec<u32> = (0..rf).map(|k| (i + k as u32) % self.p.brokers).collect();
        let up = &self.brokers_up;
        let leader = replicas.iter().copied().find(|&b| up[b as usize]);
        Partition {
            in_sync: replicas.iter().map(|&b| up[b as usize]).collect(),
            leader,
            replicas,
            log: VecDeque::new(),
            base: 0,
            leo: vec![0; rf],
            caught_up_at: vec![self.now; rf],
            hw: 0,
            pending: VecDeque::new(),
            idem: BTreeMap::new(),
            committed: 0,
            position: 0,
            done: 0,
            owner: None,
        }
    }

    /// Schedules a fault at a virtual time (tests and presets).
    pub fn schedule_fault(&mut self, at: Nanos, f: Fault) {
        self.schedule(at.max(self.now), Ev::Fault(f));
    }

    /// Whether consumers are paused now.
    pub fn paused(&self) -> bool {
        self.paused_until.is_some()
    }

    pub fn link_up(&self) -> bool {
        self.link_up
    }

    pub fn broker_up(&self, b: u32) -> bool {
        self.brokers_up.get(b as usize).copied().unwrap_or(false)
    }

    pub fn consumer_up(&self, c: u32) -> bool {
        self.consumers.get(c as usize).is_some_and(|c| c.up)
    }

    /// Leader of a partition now.
    pub fn leader(&self, part: u32) -> Option<u32> {
        self.parts.get(part as usize).and_then(|p| p.leader)
    }

    // ----- time -----

    fn tick(&mut self) {
        let bucket = self.p.chart_bucket_ms as u64 * NS_PER_MS;
        self.schedule(self.now + bucket, Ev::Tick);
        let t = self.now.saturating_sub(1);
        for (i, pt) in self.parts.iter().enumerate() {
            let lag = pt.hw.saturating_sub(pt.committed);
            self.stats.lag_series[i].record(t, lag);
        }
        let pc = self.bucket_hist.percentiles();
        self.stats.p50_series.record(t, pc.p50_ns);
        self.stats.p99_series.record(t, pc.p99_ns);
        self.bucket_hist.clear();
        let s = &mut self.stats;
        s.lost_series.record(t, s.lost);
        s.dup_series.record(t, s.dup_processed + s.dup_written);
        s.reorder_series.record(t, s.order_violations);
        s.failed_series.record(t, s.failed_visibly);
        self.sent_series_touch(t);
        self.trim_logs();
        for pi in 0..self.producers.len() {
            self.admit_blocked(pi);
        }
    }

    fn sent_series_touch(&mut self, t: Nanos) {
        self.stats.sent_series.touch(t);
        self.stats.processed_series.touch(t);
        self.stats.requests_series.touch(t);
    }

    /// Deletes consumed records beyond a few kept for the picture, and anything past retention.
    fn trim_logs(&mut self) {
        let keep = self.p.log_retention_records as u64;
        let mut expired = Vec::new();
        for (i, pt) in self.parts.iter_mut().enumerate() {
            let consumed = pt.committed.min(pt.done).min(pt.hw);
            // Nothing a replica still has to copy, or the group has to read, goes, unless retention
            // says so.
            let mut cut = consumed.saturating_sub(CONSUMED_KEEP);
            let end = pt.end();
            if end - pt.base > keep {
                cut = cut.max(end - keep);
            }
            while pt.base < cut {
                let Some(r) = pt.log.pop_front() else { break };
                let off = pt.base;
                pt.base += 1;
                if off >= consumed {
                    expired.push((r.msg, i as u32));
                }
                let idx = (r.msg.id % MSG_WINDOW) as usize;
                if r.msg.id + MSG_WINDOW >= self.next_msg {
                    self.msgs[idx].copies = self.msgs[idx].copies.saturating_sub(1);
                }
            }
        }
        for (m, part) in expired {
            self.expire(m, part, 0);
        }
    }

    fn handle(&mut self, ev: Ev) {
        match ev {
            Ev::Arrival => self.arrival(),
            Ev::Linger {
                producer,
                partition,
                batch,
            } => {
                if let Some(b) = self.batches.get_mut(&batch) {
                    if !b.sent {
                        b.ready = true;
                        if self.p.partitioner == Partitioner::Sticky {
                            let n = self.parts.len() as u64;
                            self.producers[producer as usize].sticky = self.rng.below(n) as u32;
                        }
                    }
                }
                self.pump(producer as usize, partition);
            }
            Ev::Produce {
                broker,
                partition,
                producer,
                epoch,
                seq,
                batch,
                req,
                msgs,
            } => self.produce(broker, partition, producer, epoch, seq, batch, req, msgs),
            Ev::Response { batch, req, resp } => self.response(batch, req, resp),
            Ev::RequestTimeout { batch, req } => self.request_timeout(batch, req),
            Ev::Retry { batch } => self.retry(batch),
            Ev::Fetch { partition, replica } => self.fetch(partition, replica),
            Ev::Elect { partition } => self.elect(partition),
            Ev::ProcessDone { consumer, gen } => self.process_done(consumer, gen),
            Ev::AutoCommit { consumer, gen } => self.auto_commit(consumer, gen),
            Ev::CommitLanded {
                partition,
                offset,
                group_gen,
            } => {
                if group_gen == self.group_gen {
                    let pt = &mut self.parts[partition as usize];
                    pt.committed = pt.committed.max(offset.min(pt.end()));
                }
            }
            Ev::SessionExpired { consumer, gen } => {
                let con = &mut self.consumers[consumer as usize];
                if con.gen == gen && !con.up && con.member {
                    con.member = false;
                    self.rebalance();
                }
            }
            Ev::RebalanceDone { group_gen } => self.rebalance_done(group_gen),
            Ev::Resume { token } => {
                if token == self.pause_token {
                    self.paused_until = None;
                    self.wake_consumers();
                }
            }
            Ev::Fault(f) => self.apply_fault(f),
            Ev::ReplayNext => self.replay_next(),
            Ev::RollingCrash => {
                let every = self.p.faults.crash_leader_every_ms as u64 * NS_PER_MS;
                self.schedule(self.now + every, Ev::RollingCrash);
                let p = self.rng.below(self.parts.len() as u64) as u32;
                self.apply_fault(Fault::CrashLeaderOf(p));
            }
            Ev::Tick => self.tick(),
        }
    }

    // ----- quiescence and the final check -----

    /// Stops new sends, heals every fault, and runs until every send is settled and every readable
    /// record processed (or `limit` of virtual time passes). Returns whether it got quiet.
    pub fn quiesce(&mut self, limit: Nanos) -> bool {
        self.sending = false;
        self.link_up = true;
        for b in 0..self.brokers_up.len() as u32 {
            self.restart_broker(b);
        }
        let any_member = self.consumers.iter().any(|c| c.member && c.up);
        for c in 0..self.consumers.len() as u32 {
            if !self.consumers[c as usize].up && self.consumers[c as usize].member {
                self.apply_fault(Fault::RestartConsumer(c));
            }
        }
        if !any_member && self.consumers.iter().all(|c| !c.up) {
            self.apply_fault(Fault::AddConsumer);
        }
        self.paused_until = None;
        self.wake_consumers();
        let end = self.now + limit;
        let step = 100 * NS_PER_MS;
        while self.now < end {
            let t = self.now + step;
            self.run_to(t);
            if self.quiet() {
                return true;
            }
        }
        false
    }

    fn quiet(&self) -> bool {
        self.batches.is_empty()
            && self.replaying.is_empty()
            && self.producers.iter().all(|p| p.blocked.is_empty())
            && !self.rebalancing
            && self.parts.iter().all(|p| {
                p.leader.is_some() && p.hw == p.end() && p.done >= p.hw && p.committed >= p.hw
            })
            && self.consumers.iter().all(|c| c.busy.is_none())
    }

    /// Exact counts over the tracked window (call after [`QueueLab::quiesce`]): messages reported
    /// sent yet never processed, and messages processed more than once.
    pub fn final_check(&self) -> FinalCheck {
        let lo = self.next_msg.saturating_sub(MSG_WINDOW);
        let mut out = FinalCheck::default();
        for id in lo..self.next_msg {
            let s = &self.msgs[(id % MSG_WINDOW) as usize];
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

    // ----- drawing -----

    pub fn fill_snapshot(&self, span_ns: Nanos, out: &mut QueueSnapshot) {
        out.now = self.now;
        out.brokers_up.clone_from(&self.brokers_up);
        out.link_up = self.link_up;
        out.paused = self.paused_until.is_some();
        out.rebalancing = self.rebalancing;
        out.partitions
            .resize_with(self.parts.len(), Default::default);
        for (pt, v) in self.parts.iter().zip(out.partitions.iter_mut()) {
            v.leader = pt.leader;
            v.replicas.clear();
            v.replicas
                .extend(pt.replicas.iter().enumerate().map(|(i, &b)| ReplicaView {
                    broker: b,
                    leo: pt.leo[i],
                    in_sync: pt.in_sync[i],
                    up: self.brokers_up[b as usize],
                }));
            v.base = pt.base;
            v.end = pt.end();
            v.hw = pt.hw;
            v.committed = pt.committed;
            v.position = pt.position;
            v.owner = pt.owner;
            v.recent.clear();
            let from = pt.log.len().saturating_sub(SHOWN_RECORDS);
            v.recent
                .extend(pt.log.iter().enumerate().skip(from).map(|(k, r)| {
                    let s = &self.msgs[(r.msg.id % MSG_WINDOW) as usize];
                    let tracked = r.msg.id + MSG_WINDOW >= self.next_msg;
                    RecordView {
                        offset: pt.base + k as u64,
                        key: r.msg.key,
                        poison: r.msg.poison,
                        duplicate: tracked && s.flags & F_DUPW != 0,
                        processed: tracked && s.processed > 0,
                    }
                }));
        }
        out.consumers
            .resize_with(self.consumers.len(), Default::default);
        for (i, (c, v)) in self
            .consumers
            .iter()
            .zip(out.consumers.iter_mut())
            .enumerate()
        {
            v.up = c.up;
            v.member = c.member;
            v.partitions.clear();
            v.partitions.extend(
                self.parts
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| p.owner == Some(i as u32))
                    .map(|(k, _)| k as u32),
            );
            v.busy = c.busy.map(|(p, o, _)| (p, o));
            v.buffered = c.buffer.len() as u32;
        }
        out.producers.clear();
        out.producers
            .extend(self.producers.iter().map(|p| ProducerView {
                buffered: p.buffered,
                in_flight: p.parts.iter().map(|x| x.in_flight).sum(),
                blocked: p.blocked.len() as u32,
            }));
        let since = self.now.saturating_sub(span_ns);
        out.flows.clear();
        out.flows.extend(
            self.flows
                .iter()
                .rev()
                .take_while(|f| f.at + f.dur >= since)
                .copied(),
        );
        out.dense = out.flows.len() == FLOW_CAPACITY;
    }
}

/// The exact checks after quiescence.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FinalCheck {
    pub lost: u64,
    pub processed_twice: u64,
    pub written_twice: u64,
    pub failed: u64,
    /// Sends whose callback did not run exactly once.
    pub unsettled: u64,
}

impl Model for QueueLab {
    type Params = QueueParams;

    fn new(p: QueueParams, seed: u64) -> Result<Self, ParamError> {
        p.validate()?;
        let bucket = p.chart_bucket_ms as u64 * NS_PER_MS;
        let keys = KeyPicker::new(
            if p.key_zipf > 0.0 {
                KeyChoice::Zipf
            } else {
                KeyChoice::Uniform
            },
            p.keys,
            p.key_zipf,
        );
        let mut m = Self {
            seed,
            now: 0,
            rng: SimRng::derive(seed, 1),
            net_rng: SimRng::derive(seed, 2),
            keys,
            events: EventQueue::with_capacity(EVENT_CAPACITY),
            sending: true,
            next_msg: 0,
            msgs: vec![MsgState::default(); MSG_WINDOW as usize],
            key_next_seq: vec![0; p.keys as usize],
            key_done: vec![0; p.keys as usize],
            producers: (0..p.producers)
                .map(|i| Producer {
                    parts: (0..p.partitions).map(|_| ProducerPart::default()).collect(),
                    buffered: 0,
                    blocked: VecDeque::new(),
                    sticky: i % p.partitions,
                    rr: i % p.partitions,
                })
                .collect(),
            batches: BTreeMap::new(),
            next_batch: 1,
            next_req: 1,
            brokers_up: vec![true; p.brokers as usize],
            parts: Vec::new(),
            link_up: true,
            consumers: Vec::new(),
            group_gen: 0,
            rebalancing: false,
            paused_until: None,
            pause_token: 0,
            archive: VecDeque::new(),
            replaying: VecDeque::new(),
            flows: VecDeque::with_capacity(FLOW_CAPACITY),
            bucket_hist: LatencyHistogram::new(),
            stats: QueueStats::new(bucket, p.partitions),
            p,
        };
        for i in 0..m.p.partitions {
            let pt = m.new_partition(i);
            m.parts.push(pt);
            for r in 0..m.p.replication_factor as u8 {
                let at = m.p.replica_fetch_ms as u64 * NS_PER_MS;
                m.schedule(
                    at,
                    Ev::Fetch {
                        partition: i,
                        replica: r,
                    },
                );
            }
        }
        for _ in 0..m.p.consumers {
            m.consumers.push(Consumer::default());
            let c = m.consumers.len() as u32 - 1;
            m.start_consumer(c);
        }
        if m.p.consumers > 0 {
            // The group forms at once.
            m.rebalance_done_initial();
        }
        if m.p.rate_per_s > 0 {
            let gap = m.rng.exp_nanos(1e9 / m.p.rate_per_s as f64);
            m.schedule(gap, Ev::Arrival);
        }
        m.schedule(bucket, Ev::Tick);
        let f = m.p.faults.clone();
        let ms = |x: u32| x as u64 * NS_PER_MS;
        if f.crash_leader_at_ms > 0 {
            m.schedule(ms(f.crash_leader_at_ms), Ev::Fault(Fault::CrashLeaderOf(0)));
        }
        if f.crash_leader_every_ms > 0 {
            m.schedule(ms(f.crash_leader_every_ms), Ev::RollingCrash);
        }
        if f.crash_consumer_at_ms > 0 {
            m.schedule(
                ms(f.crash_consumer_at_ms),
                Ev::Fault(Fault::CrashConsumer(0)),
            );
        }
        if f.pause_consumers_at_ms > 0 && f.pause_consumers_ms > 0 {
            m.schedule(
                ms(f.pause_consumers_at_ms),
                Ev::Fault(Fault::PauseConsumers(f.pause_consumers_ms)),
            );
        }
        if f.cut_link_at_ms > 0 && f.cut_link_ms > 0 {
            m.schedule(ms(f.cut_link_at_ms), Ev::Fault(Fault::CutLink));
            m.schedule(
                ms(f.cut_link_at_ms) + ms(f.cut_link_ms),
                Ev::Fault(Fault::RestoreLink),
            );
        }
        if f.poison_at_ms > 0 {
            m.schedule(ms(f.poison_at_ms), Ev::Fault(Fault::InjectPoison));
        }
        Ok(m)
    }

    fn now(&self) -> Nanos {
        self.now
    }

    fn advance_to(&mut self, until: Nanos, max_events: u64) -> Advance {
        let mut n = 0;
        while n < max_events {
            match self.events.pop_due(until) {
                Some((at, ev)) => {
                    self.now = at;
                    self.handle(ev);
                    n += 1;
                }
                None => {
                    self.now = self.now.max(until);
                    return Advance::Reached;
                }
            }
        }
        if self.events.peek_time().is_some_and(|t| t <= until) {
            Advance::BudgetExhausted
        } else {
            self.now = self.now.max(until);
            Advance::Reached
        }
    }

    fn digest(&self) -> u64 {
        let s = &self.stats;
        let mut d = Digest::default();
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
            self.now,
        ] {
            d.u64(x);
        }
        for l in self.lag() {
            d.u64(l);
        }
        d.finish()
    }
}

impl QueueLab {
    fn rebalance_done_initial(&mut self) {
        let members: Vec<u32> = (0..self.consumers.len() as u32).collect();
        let owners = assign(
            self.p.assignor,
            self.parts.len() as u32,
            &members,
            &vec![None; self.parts.len()],
        );
        for (pt, o) in self.parts.iter_mut().zip(owners) {
            pt.owner = o;
        }
    }
}
