//! Producers: `send()`, the buffer (blocking or failing when full), the accumulator that groups
//! messages into batches per partition (`batch_size_bytes`, `linger_ms`), the requests in flight
//! per partition (`max_in_flight`), retries with backoff, the delivery timeout, and idempotence
//! (a producer epoch and one sequence number per batch).

use std::collections::{BTreeMap, VecDeque};

use super::event::{Event, Msg, Produce, Resp};
use super::model::{Cx, Queue};
use super::params::{Acks, Partitioner, QueueParams};
use super::snapshot::FlowKind;
use super::why;
use crate::kernel::rng::splitmix64;
use crate::kernel::time::{Nanos, NS_PER_MS};
use crate::kernel::traffic::{KeyChoice, KeyPicker};

/// Most sends one producer holds blocked on a full buffer.
pub(super) const BLOCKED_CAPACITY: usize = 10_000;

#[derive(Clone)]
pub(super) struct Batch {
    pub(super) producer: u8,
    pub(super) partition: u32,
    pub(super) msgs: Vec<Msg>,
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

/// A producer's state for one partition.
#[derive(Clone, Default)]
pub(super) struct ProducerPart {
    /// Batches waiting to be sent, oldest first (retries go back to the front, in sequence order).
    queue: VecDeque<u64>,
    pub(super) in_flight: u32,
    next_seq: u32,
    epoch: u16,
    /// A send failed for good: start a new epoch once nothing is in flight.
    bump_pending: bool,
    /// Arrival time of the last request and of the last answer on this connection: TCP delivers
    /// them in order, so jitter never reorders them.
    last_request_at: Nanos,
    pub(super) last_answer_at: Nanos,
}

#[derive(Clone)]
pub(super) struct Producer {
    pub(super) parts: Vec<ProducerPart>,
    /// Messages in the buffer (unsent or unacknowledged).
    pub(super) buffered: u32,
    /// Sends blocked on a full buffer, with when they blocked.
    pub(super) blocked: VecDeque<(Msg, Nanos)>,
    sticky: u32,
    rr: u32,
}

/// The producers, their batches, and the traffic they send.
#[derive(Clone)]
pub(super) struct Producers {
    pub(super) list: Vec<Producer>,
    pub(super) batches: BTreeMap<u64, Batch>,
    next_batch: u64,
    next_req: u64,
    keys: KeyPicker,
    /// Per key: the sequence number of its next message.
    key_next_seq: Vec<u32>,
    next_msg: u64,
    /// New messages keep arriving (quiescing stops them).
    pub(super) sending: bool,
    /// Produce requests on their way to a broker (with acks=0 no batch waits for them, yet the
    /// run is not at rest until they land).
    pub(super) requests_in_transit: u64,
}

impl Producers {
    pub(super) fn new(p: &QueueParams) -> Self {
        let keys = KeyPicker::new(
            if p.key_zipf > 0.0 {
                KeyChoice::Zipf
            } else {
                KeyChoice::Uniform
            },
            p.keys,
            p.key_zipf,
        );
        Self {
            list: (0..p.producers)
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
            keys,
            key_next_seq: vec![0; p.keys as usize],
            next_msg: 0,
            sending: true,
            requests_in_transit: 0,
        }
    }

    /// A new partition (the topic grew).
    pub(super) fn add_partition(&mut self) {
        for pr in &mut self.list {
            pr.parts.push(ProducerPart::default());
        }
    }

    /// Nothing unsent, unanswered or blocked.
    pub(super) fn idle(&self) -> bool {
        self.batches.is_empty()
            && self.requests_in_transit == 0
            && self.list.iter().all(|p| p.blocked.is_empty())
    }
}

impl Queue {
    /// The next message of the traffic, and the time of the one after.
    pub(super) fn arrival(&mut self, cx: &mut Cx) {
        let now = cx.now();
        let msg = self.new_msg(now, false);
        self.send(cx, msg);
        if self.prod.sending && self.p.rate_per_s > 0 {
            let gap = self.rng.exp_nanos(1e9 / self.p.rate_per_s as f64);
            self.at(cx, now + gap, Event::Arrival);
        }
    }

    /// A new message from a random user (key).
    pub(super) fn new_msg(&mut self, now: Nanos, poison: bool) -> Msg {
        let key = self.prod.keys.pick(&mut self.rng).unwrap_or(0);
        let key_seq = self.prod.key_next_seq[key as usize];
        self.prod.key_next_seq[key as usize] += 1;
        let id = self.prod.next_msg;
        self.prod.next_msg += 1;
        self.fate.sent(id);
        Msg {
            id,
            key,
            key_seq,
            poison,
            created: now,
        }
    }

    fn producer_of(&self, key: u32) -> usize {
        (key % self.p.producers) as usize
    }

    /// `send()`: into the buffer, or blocked on a full one, or failed.
    pub(super) fn send(&mut self, cx: &mut Cx, msg: Msg) {
        let now = cx.now();
        self.stats.sent += 1;
        self.stats.sent_series.record(now, 1);
        let pi = self.producer_of(msg.key);
        let cap = self.p.buffer_messages();
        let pr = &mut self.prod.list[pi];
        if pr.buffered >= cap || !pr.blocked.is_empty() {
            if self.p.block_on_full_buffer && pr.blocked.len() < BLOCKED_CAPACITY {
                pr.blocked.push_back((msg, now));
            } else {
                self.fail_msg(msg.id);
            }
            return;
        }
        self.accumulate(cx, pi, msg);
    }

    fn fail_msg(&mut self, id: u64) {
        self.stats.failed_visibly += 1;
        self.fate.reported_failed(id);
    }

    /// Lets blocked sends in as the buffer frees; those blocked too long fail.
    pub(super) fn admit_blocked(&mut self, cx: &mut Cx, pi: usize) {
        let now = cx.now();
        let cap = self.p.buffer_messages();
        let max_block = self.p.max_block_ms as u64 * NS_PER_MS;
        loop {
            let pr = &mut self.prod.list[pi];
            let Some(&(msg, since)) = pr.blocked.front() else {
                return;
            };
            if now - since > max_block {
                pr.blocked.pop_front();
                self.fail_msg(msg.id);
                continue;
            }
            if pr.buffered >= cap {
                return;
            }
            pr.blocked.pop_front();
            self.accumulate(cx, pi, msg);
        }
    }

    fn partition_for(&mut self, pi: usize, key: u32) -> u32 {
        let n = self.cluster.parts.len() as u32;
        match self.p.partitioner {
            Partitioner::ByKey => (splitmix64(key as u64) % n as u64) as u32,
            Partitioner::RoundRobin => {
                let pr = &mut self.prod.list[pi];
                pr.rr = (pr.rr + 1) % n;
                pr.rr
            }
            Partitioner::Sticky => self.prod.list[pi].sticky % n,
        }
    }

    /// A sticky producer moves to another partition once a batch is full or lingered.
    fn restick(&mut self, pi: usize) {
        if self.p.partitioner == Partitioner::Sticky {
            let n = self.cluster.parts.len() as u64;
            self.prod.list[pi].sticky = self.rng.below(n) as u32;
        }
    }

    /// Adds a message to its partition's open batch (or a new one), and sends what is ready.
    fn accumulate(&mut self, cx: &mut Cx, pi: usize, msg: Msg) {
        let now = cx.now();
        let part = self.partition_for(pi, msg.key);
        let cap = self.p.batch_messages() as usize;
        let prod = &mut self.prod;
        prod.list[pi].buffered += 1;
        let tail = prod.list[pi].parts[part as usize].queue.back().copied();
        let open = tail.filter(|id| {
            prod.batches
                .get(id)
                .is_some_and(|b| !b.sent && b.msgs.len() < cap)
        });
        let id = match open {
            Some(id) => id,
            None => {
                let id = prod.next_batch;
                prod.next_batch += 1;
                prod.batches.insert(
                    id,
                    Batch {
                        producer: pi as u8,
                        partition: part,
                        msgs: Vec::with_capacity(cap.min(64)),
                        created: now,
                        ready: self.p.linger_ms == 0,
                        seq: None,
                        sent: false,
                        attempts: 0,
                        req: 0,
                    },
                );
                prod.list[pi].parts[part as usize].queue.push_back(id);
                if self.p.linger_ms > 0 {
                    let at = now + self.p.linger_ms as u64 * NS_PER_MS;
                    let ev = Event::Linger {
                        producer: pi as u8,
                        partition: part,
                        batch: id,
                    };
                    self.at(cx, at, ev);
                }
                id
            }
        };
        let b = self.prod.batches.get_mut(&id).expect("batch exists");
        b.msgs.push(msg);
        if b.msgs.len() >= cap {
            b.ready = true;
            self.restick(pi);
        }
        self.pump(cx, pi, part);
    }

    /// A batch lingered long enough: it is ready.
    pub(super) fn linger(&mut self, cx: &mut Cx, producer: u8, partition: u32, batch: u64) {
        if let Some(b) = self.prod.batches.get_mut(&batch) {
            if !b.sent {
                b.ready = true;
                self.restick(producer as usize);
            }
        }
        self.pump(cx, producer as usize, partition);
    }

    /// Sends ready batches of one producer's partition while the in-flight limit allows.
    fn pump(&mut self, cx: &mut Cx, pi: usize, part: u32) {
        let now = cx.now();
        loop {
            let prod = &mut self.prod;
            let pp = &mut prod.list[pi].parts[part as usize];
            if pp.bump_pending {
                if pp.in_flight > 0 {
                    return;
                }
                // A new producer epoch: sequence numbers restart, and waiting batches get new ones.
                pp.bump_pending = false;
                pp.epoch = pp.epoch.wrapping_add(1);
                pp.next_seq = 0;
                for id in &pp.queue {
                    if let Some(b) = prod.batches.get_mut(id) {
                        b.seq = None;
                    }
                }
                continue;
            }
            if pp.in_flight >= self.p.max_in_flight {
                return;
            }
            let Some(&id) = pp.queue.front() else { return };
            let b = prod.batches.get(&id).expect("queued batch exists");
            if !b.ready {
                return;
            }
            let deadline = b.created + self.p.delivery_timeout_ms as u64 * NS_PER_MS;
            pp.queue.pop_front();
            if now >= deadline {
                self.fail_batch(cx, id);
                continue;
            }
            self.send_attempt(cx, id);
        }
    }

    /// Sends one attempt of a batch to its partition's leader.
    fn send_attempt(&mut self, cx: &mut Cx, id: u64) {
        let now = cx.now();
        let prod = &mut self.prod;
        let req = prod.next_req;
        prod.next_req += 1;
        let b = prod.batches.get_mut(&id).expect("batch exists");
        let (pi, part) = (b.producer as usize, b.partition);
        let pp = &mut prod.list[pi].parts[part as usize];
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
        self.stats.requests_series.record(now, 1);
        if attempts > 1 {
            self.stats.retries += 1;
        }
        let n = msgs.len() as u32;
        let lat = self.net.latency();
        let pp = &mut self.prod.list[pi].parts[part as usize];
        let lat = (now + lat).max(pp.last_request_at) - now;
        pp.last_request_at = now + lat;
        let leader = self.cluster.parts[part as usize].leader;
        let lost = self.net.request_lost();
        // With fire-and-forget, the ids of a request that never reaches a log.
        let mut gone = Vec::new();
        match leader {
            None if !lost => {
                // No leader known: the metadata answer says so after a round trip.
                let resp = Resp::NotLeader;
                self.at(cx, now + 2 * lat, Event::Response { batch: id, req, resp });
                self.flows.add(now, FlowKind::Send, part, pi as u32, lat, n);
                gone = msgs;
            }
            Some(broker) if !lost => {
                for m in &msgs {
                    self.fate.in_transit(m.id);
                }
                self.flows.add(now, FlowKind::Send, part, pi as u32, lat, n);
                self.prod.requests_in_transit += 1;
                let ev = Event::Produce(Box::new(Produce {
                    broker,
                    partition: part,
                    producer: pi as u8,
                    epoch,
                    seq,
                    batch: id,
                    req,
                    msgs,
                }));
                self.at(cx, now + lat, ev);
            }
            _ => {
                self.flows.add(now, FlowKind::SendLost, part, pi as u32, lat, n);
                gone = msgs;
            }
        }
        if self.p.acks == Acks::Zero {
            // Fire and forget: the callback says "sent" as soon as it leaves.
            self.prod.list[pi].parts[part as usize].in_flight -= 1;
            self.succeed_batch(cx, id);
            for m in &gone {
                if self.fate.attempt_gone(m.id) {
                    let ents = [why::partition(part), why::producer(pi as u32)];
                    let args = [m.id as i64, part as i64];
                    self.why.note(now, why::LOST_ON_THE_WAY, &args, &ents);
                }
            }
        } else {
            let at = now + self.p.request_timeout_ms as u64 * NS_PER_MS;
            self.at(cx, at, Event::RequestTimeout { batch: id, req });
        }
    }

    fn release_buffer(&mut self, cx: &mut Cx, pi: usize, n: u32) {
        let pr = &mut self.prod.list[pi];
        pr.buffered = pr.buffered.saturating_sub(n);
        self.admit_blocked(cx, pi);
    }

    fn succeed_batch(&mut self, cx: &mut Cx, id: u64) {
        let Some(b) = self.prod.batches.remove(&id) else {
            return;
        };
        let now = cx.now();
        for m in &b.msgs {
            self.stats.acked += 1;
            self.stats.send_latency.record(now - m.created);
            if self.fate.reported_ok(m.id) {
                let part = b.partition;
                let ents = [why::partition(part), why::producer(b.producer as u32)];
                let args = [m.id as i64, part as i64];
                self.why.note(now, why::LOST_ACKED_LATE, &args, &ents);
            }
        }
        self.release_buffer(cx, b.producer as usize, b.msgs.len() as u32);
        self.pump(cx, b.producer as usize, b.partition);
    }

    fn fail_batch(&mut self, cx: &mut Cx, id: u64) {
        let Some(b) = self.prod.batches.remove(&id) else {
            return;
        };
        for m in &b.msgs {
            self.fail_msg(m.id);
        }
        if self.p.idempotence {
            self.prod.list[b.producer as usize].parts[b.partition as usize].bump_pending = true;
        }
        self.release_buffer(cx, b.producer as usize, b.msgs.len() as u32);
        self.pump(cx, b.producer as usize, b.partition);
    }

    /// An attempt failed: retry after the backoff, or report the send failed.
    fn attempt_failed(&mut self, cx: &mut Cx, id: u64, counts: bool) {
        let now = cx.now();
        let Some(b) = self.prod.batches.get_mut(&id) else {
            return;
        };
        if !counts {
            b.attempts = b.attempts.saturating_sub(1);
        }
        let deadline = b.created + self.p.delivery_timeout_ms as u64 * NS_PER_MS;
        let backoff = self.p.retry_backoff_ms as u64 * NS_PER_MS;
        if b.attempts <= self.p.retries && now + backoff < deadline {
            self.at(cx, now + backoff, Event::Retry { batch: id });
        } else {
            self.fail_batch(cx, id);
        }
    }

    /// The backoff is over: the batch goes back in line, in sequence order.
    pub(super) fn retry(&mut self, cx: &mut Cx, id: u64) {
        let prod = &mut self.prod;
        let Some(b) = prod.batches.get_mut(&id) else {
            return;
        };
        b.ready = true;
        let (pi, part, seq) = (b.producer as usize, b.partition, b.seq);
        let pp = &mut prod.list[pi].parts[part as usize];
        // Back in sequence order, ahead of batches never sent.
        let batches = &prod.batches;
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
        self.pump(cx, pi, part);
    }

    /// A broker's answer reached the producer.
    pub(super) fn response(&mut self, cx: &mut Cx, id: u64, req: u64, resp: Resp) {
        let Some(b) = self.prod.batches.get_mut(&id) else {
            return;
        };
        if b.req != req {
            return; // an answer to an attempt already given up on
        }
        b.req = 0;
        let (pi, part) = (b.producer as usize, b.partition);
        self.prod.list[pi].parts[part as usize].in_flight -= 1;
        match resp {
            Resp::Ok => self.succeed_batch(cx, id),
            Resp::OutOfOrder => self.attempt_failed(cx, id, false),
            Resp::NotLeader | Resp::NotEnoughReplicas => self.attempt_failed(cx, id, true),
        }
        self.pump(cx, pi, part);
    }

    /// No answer in time.
    pub(super) fn request_timeout(&mut self, cx: &mut Cx, id: u64, req: u64) {
        let Some(b) = self.prod.batches.get_mut(&id) else {
            return;
        };
        if b.req != req {
            return;
        }
        b.req = 0;
        let (pi, part) = (b.producer as usize, b.partition);
        self.prod.list[pi].parts[part as usize].in_flight -= 1;
        self.attempt_failed(cx, id, true);
        self.pump(cx, pi, part);
    }

    /// The producer that sent `batch`, if it is still waiting for an answer.
    pub(super) fn producer_of_batch(&self, batch: u64) -> Option<u8> {
        self.prod.batches.get(&batch).map(|b| b.producer)
    }
}
