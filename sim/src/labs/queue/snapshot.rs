//! What the picture draws: the partitions as log strips (replicas, high watermark, committed
//! offset, the newest records), the consumers and producers, and the recent flows of messages
//! (sends, acks, losses, deliveries and the checkers' marks) as particles.

use std::collections::VecDeque;

use super::model::Queue;
use crate::kernel::time::{Nanos, NS_PER_MS};

/// Flows kept for the picture.
pub(super) const FLOW_CAPACITY: usize = 4_096;
/// Records per partition sent to the picture.
const SHOWN_RECORDS: usize = 48;

/// What happened to a message, for drawing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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

/// The recent flows, a bounded ring.
#[derive(Clone)]
pub(super) struct Flows(VecDeque<Flow>);

impl Flows {
    pub(super) fn new() -> Self {
        Self(VecDeque::with_capacity(FLOW_CAPACITY))
    }

    pub(super) fn add(
        &mut self,
        at: Nanos,
        kind: FlowKind,
        partition: u32,
        node: u32,
        dur: Nanos,
        count: u32,
    ) {
        if self.0.len() == FLOW_CAPACITY {
            self.0.pop_front();
        }
        self.0.push_back(Flow {
            at,
            dur,
            kind,
            partition,
            node,
            count,
        });
    }

    pub(super) fn last_kind(&self) -> Option<FlowKind> {
        self.0.back().map(|f| f.kind)
    }
}

/// One replica as drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReplicaView {
    pub broker: u32,
    pub leo: u64,
    pub in_sync: bool,
    pub up: bool,
}

/// One record as drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RecordView {
    pub offset: u64,
    pub key: u32,
    pub poison: bool,
    /// Written more than once.
    pub duplicate: bool,
    pub processed: bool,
}

/// One partition as drawn.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
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

#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct ConsumerView {
    pub up: bool,
    pub member: bool,
    pub partitions: Vec<u32>,
    /// Partition and offset being processed.
    pub busy: Option<(u32, u64)>,
    pub buffered: u32,
}

#[derive(Clone, Copy, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct ProducerView {
    pub buffered: u32,
    pub in_flight: u32,
    pub blocked: u32,
}

/// What the canvas draws.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
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

/// How the picture maps time: the span of virtual time a particle takes to cross.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct View {
    pub span_ns: Nanos,
}

impl Default for View {
    fn default() -> Self {
        Self {
            span_ns: 700 * NS_PER_MS,
        }
    }
}

impl Queue {
    /// Fills `out` with what to draw at `now`, flows of the last `span_ns`. Reuses its buffers.
    pub(super) fn fill_snapshot_at(&self, now: Nanos, span_ns: Nanos, out: &mut QueueSnapshot) {
        let up = &self.cluster.up;
        out.now = now;
        out.brokers_up.clone_from(up);
        out.link_up = self.net.link_up;
        out.paused = self.group.paused_until.is_some();
        out.rebalancing = self.group.rebalancing;
        let parts = &self.cluster.parts;
        out.partitions.resize_with(parts.len(), Default::default);
        for ((pt, o), v) in parts
            .iter()
            .zip(&self.group.offsets)
            .zip(out.partitions.iter_mut())
        {
            v.leader = pt.leader;
            v.replicas.clear();
            v.replicas
                .extend(pt.replicas.iter().enumerate().map(|(i, &b)| ReplicaView {
                    broker: b,
                    leo: pt.leo[i],
                    in_sync: pt.in_sync[i],
                    up: up[b as usize],
                }));
            v.base = pt.base;
            v.end = pt.end();
            v.hw = pt.hw;
            v.committed = o.committed;
            v.position = o.position;
            v.owner = o.owner;
            v.recent.clear();
            let from = pt.log.len().saturating_sub(SHOWN_RECORDS);
            v.recent
                .extend(pt.log.iter().enumerate().skip(from).map(|(k, r)| {
                    let seen = self.fate.seen(r.msg.id).unwrap_or_default();
                    RecordView {
                        offset: pt.base + k as u64,
                        key: r.msg.key,
                        poison: r.msg.poison,
                        duplicate: seen.written_twice,
                        processed: seen.processed,
                    }
                }));
        }
        let consumers = &self.group.consumers;
        out.consumers.resize_with(consumers.len(), Default::default);
        for (i, (c, v)) in consumers.iter().zip(out.consumers.iter_mut()).enumerate() {
            v.up = c.up;
            v.member = c.member;
            v.partitions.clear();
            v.partitions.extend(self.group.owned(i as u32));
            v.busy = c.busy.map(|(p, o, _)| (p, o));
            v.buffered = c.buffer.len() as u32;
        }
        out.producers.clear();
        out.producers
            .extend(self.prod.list.iter().map(|p| ProducerView {
                buffered: p.buffered,
                in_flight: p.parts.iter().map(|x| x.in_flight).sum(),
                blocked: p.blocked.len() as u32,
            }));
        let since = now.saturating_sub(span_ns);
        out.flows.clear();
        out.flows.extend(
            self.flows
                .0
                .iter()
                .rev()
                .take_while(|f| f.at + f.dur >= since)
                .copied(),
        );
        out.dense = out.flows.len() == FLOW_CAPACITY;
    }
}
