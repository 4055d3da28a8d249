//! Who is in the cache cluster (the same nodes in every lane), the last change of it (a node
//! joined or left, and what share of the keys that moves on a ring and with mod N), and the ring
//! as drawn, rebuilt only when the cluster changes.

use super::params::{CacheParams, MAX_NODES};
use super::ring::{key_hash, load, moved_share_on_join, Ring};
use crate::kernel::time::Nanos;

/// Keys of the ring picture.
const SAMPLE_KEYS: u32 = 96;

/// The last ring change.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RingChangeInfo {
    pub at: Nanos,
    pub node: u32,
    pub added: bool,
    /// Share of existing keys that move, with a ring and with mod N (computed for this change).
    pub ring_share: f64,
    pub mod_n_share: f64,
}

/// The ring as drawn: points (position as a fraction of the circle, node) and sample keys.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct RingView {
    pub nodes: Vec<u32>,
    pub points: Vec<(f64, u32)>,
    /// (position, owner now, owner before the last change).
    pub keys: Vec<(f64, u32, u32)>,
    pub last_change: Option<RingChangeInfo>,
    /// Keys per node among the existing keys (ring placement), in the order of `nodes`.
    pub load: Vec<u64>,
    /// Bumped when the cluster changes: a view with the same generation is up to date.
    pub generation: u64,
}

#[derive(Clone)]
pub(super) struct Members {
    key_count: u32,
    vnodes: u32,
    nodes: Vec<u32>,
    next_node: u32,
    last_change: Option<RingChangeInfo>,
    /// Owners of the sample keys before the last change.
    prev_owner: Vec<u32>,
    view: RingView,
}

impl Members {
    pub fn new(p: &CacheParams) -> Self {
        let nodes: Vec<u32> = (0..p.nodes).collect();
        let mut m = Self {
            key_count: p.key_count,
            vnodes: p.virtual_nodes,
            next_node: p.nodes,
            nodes,
            last_change: None,
            prev_owner: Vec::new(),
            view: RingView::default(),
        };
        m.prev_owner = m.sample_owners(&m.nodes);
        m.build_view();
        m
    }

    pub fn nodes(&self) -> &[u32] {
        &self.nodes
    }

    pub fn last_change(&self) -> Option<RingChangeInfo> {
        self.last_change
    }

    pub fn view(&self) -> &RingView {
        &self.view
    }

    /// A new node joins at `now` (refused past the node limit): its id.
    pub fn add(&mut self, now: Nanos) -> Option<u32> {
        if self.nodes.len() as u32 >= MAX_NODES - 1 || self.next_node >= MAX_NODES {
            return None;
        }
        let node = self.next_node;
        self.next_node += 1;
        let before = self.nodes.clone();
        self.nodes.push(node);
        self.changed(now, before, node, true);
        Some(node)
    }

    /// The most recently added node leaves at `now` (refused if it is the last one): its id.
    pub fn remove(&mut self, now: Nanos) -> Option<u32> {
        if self.nodes.len() <= 1 {
            return None;
        }
        let before = self.nodes.clone();
        let node = self.nodes.pop().expect("more than one node");
        self.changed(now, before, node, false);
        Some(node)
    }

    fn changed(&mut self, now: Nanos, before: Vec<u32>, node: u32, added: bool) {
        self.prev_owner = self.sample_owners(&before);
        let (keys, vn) = (self.key_count, self.vnodes);
        let (ring_share, mod_n_share) = if added {
            moved_share_on_join(&before, node, vn, keys)
        } else {
            moved_share_on_join(&self.nodes, node, vn, keys)
        };
        self.last_change = Some(RingChangeInfo {
            at: now,
            node,
            added,
            ring_share,
            mod_n_share,
        });
        self.build_view();
    }

    fn sample_owners(&self, nodes: &[u32]) -> Vec<u32> {
        let ring = Ring::new(nodes, self.vnodes);
        (0..SAMPLE_KEYS.min(self.key_count))
            .map(|k| ring.owner(key_hash(k)).unwrap_or(0))
            .collect()
    }

    fn build_view(&mut self) {
        let ring = Ring::new(&self.nodes, self.vnodes);
        let owners = self.sample_owners(&self.nodes);
        // Unique across labs, so a snapshot filled from an earlier lab is refreshed too (drawing
        // only: no metric depends on it).
        static VIEWS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let generation = VIEWS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.view = RingView {
            nodes: self.nodes.clone(),
            points: ring
                .points()
                .iter()
                .map(|&(h, n)| (h as f64 / u64::MAX as f64, n))
                .collect(),
            keys: owners
                .iter()
                .enumerate()
                .map(|(k, &o)| {
                    let pos = key_hash(k as u32) as f64 / u64::MAX as f64;
                    (pos, o, self.prev_owner.get(k).copied().unwrap_or(o))
                })
                .collect(),
            last_change: self.last_change,
            load: load(&ring, self.key_count),
            generation,
        };
    }
}
