//! What the canvas draws: each lane's recent requests as flows (how each ended, through which
//! server and node, whether it reached the database, whether it was stale), its nodes' fill, the
//! database's load, and the ring.

use super::lane::Lane;
use super::members::RingView;
use super::params::Strategy;
use super::LaneKind;
use crate::kernel::time::Nanos;

/// Recent requests kept per lane for drawing.
pub(super) const FLOW_CAPACITY: usize = 4_096;

/// How a request ended (each request ends exactly once).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum FlowKind {
    /// Answered by the app server's local cache.
    HitL1,
    /// Answered by the cache cluster.
    HitCache,
    /// Answered from the database after a miss.
    Miss,
    /// Failed: the database timed out, or the lane was full.
    Error,
    /// A write, acknowledged.
    Write,
    /// Refused by the Bloom filter: the key does not exist.
    Filtered,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Flow {
    pub start: Nanos,
    pub end: Nanos,
    pub kind: FlowKind,
    pub server: u16,
    pub node: u16,
    /// The request went to the database.
    pub db: bool,
    /// A read answered with a value older than a write already acknowledged.
    pub stale: bool,
}

/// One lane as drawn.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct LaneView {
    pub kind: LaneKind,
    pub flows: Vec<Flow>,
    /// More requests than are kept: drawn as a flow.
    pub dense: bool,
    pub nodes: Vec<u32>,
    /// Values held per node, in the order of `nodes`.
    pub node_keys: Vec<u64>,
    pub node_capacity: u64,
    pub db_qps: u64,
    pub db_capacity_qps: u64,
    pub l1: bool,
    pub bloom: bool,
    pub no_cache: bool,
    pub app_servers: u32,
}

/// What the canvas draws.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct CacheSnapshot {
    pub now: Nanos,
    pub lanes: Vec<LaneView>,
    pub ring: RingView,
}

/// How the picture maps time: flows from the last `span_ns` of virtual time are drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct View {
    pub span_ns: Nanos,
}

/// Fills `out` with what to draw at `now`.
pub(super) fn fill(now: Nanos, view: View, lanes: &[Lane], ring: &RingView, out: &mut CacheSnapshot) {
    out.now = now;
    let since = now.saturating_sub(view.span_ns);
    out.lanes.clear();
    for l in lanes {
        let flows: Vec<Flow> = l
            .flows
            .iter()
            .rev()
            .take_while(|f| f.end >= since)
            .copied()
            .collect();
        let members = l.cluster.members();
        out.lanes.push(LaneView {
            kind: l.stats.kind,
            dense: flows.len() == FLOW_CAPACITY,
            flows,
            nodes: members.to_vec(),
            node_keys: members
                .iter()
                .map(|&n| l.cluster.values_on(n) as u64)
                .collect(),
            node_capacity: l.p.node_memory_keys as u64,
            db_qps: l.db.recent_qps(l.now),
            db_capacity_qps: l.p.db_capacity_qps as u64,
            l1: l.p.l1_keys > 0,
            bloom: l.p.bloom_filter,
            no_cache: l.p.strategy == Strategy::NoCache,
            app_servers: l.p.app_servers,
        });
    }
    if out.ring.generation != ring.generation {
        out.ring.clone_from(ring);
    }
}
