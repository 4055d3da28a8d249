//! The cache cluster of one lane: where keys live (a consistent-hash ring or mod N over the nodes)
//! and what each node holds (an LRU of values bounded by its memory).

use super::lru::Lru;
use super::params::{Hashing, MAX_NODES};
use super::ring::{key_hash, mod_n_owner, Ring};
use crate::kernel::time::Nanos;

/// A cached value.
#[derive(Clone, Copy, Debug)]
pub(super) struct Entry {
    pub ver: u32,
    /// A cached "not found".
    pub null: bool,
    pub expires_at: Nanos,
    /// Logical expiry (only under `logical_expiry`; `expires_at` is then never).
    pub logical_at: Nanos,
    /// Write-behind: writes acknowledged since the last flush of this key.
    pub dirty: u32,
}

/// Where keys live.
#[derive(Clone, Debug)]
pub(super) struct Placement {
    hashing: Hashing,
    ring: Ring,
    nodes: Vec<u32>,
}

impl Placement {
    pub fn new(hashing: Hashing, nodes: &[u32], vnodes: u32) -> Self {
        Self {
            hashing,
            ring: Ring::new(nodes, vnodes),
            nodes: nodes.to_vec(),
        }
    }

    /// The node that owns `key`.
    pub fn owner(&self, key: u32) -> usize {
        let h = key_hash(key);
        let o = match self.hashing {
            Hashing::Ring => self.ring.owner(h),
            Hashing::ModN => mod_n_owner(&self.nodes, h),
        };
        o.unwrap_or(0) as usize
    }

    pub fn nodes(&self) -> &[u32] {
        &self.nodes
    }
}

/// The nodes (by id, up to [`MAX_NODES`]) and the placement of keys over those in the cluster.
#[derive(Clone)]
pub(super) struct Cluster {
    hashing: Hashing,
    vnodes: u32,
    place: Placement,
    nodes: Vec<Lru<Entry>>,
}

impl Cluster {
    pub fn new(hashing: Hashing, vnodes: u32, members: &[u32], memory_keys: u32) -> Self {
        Self {
            hashing,
            vnodes,
            place: Placement::new(hashing, members, vnodes),
            nodes: (0..MAX_NODES)
                .map(|_| Lru::new(memory_keys as usize))
                .collect(),
        }
    }

    /// The node that owns `key`.
    pub fn owner(&self, key: u32) -> usize {
        self.place.owner(key)
    }

    /// The nodes in the cluster.
    pub fn members(&self) -> &[u32] {
        self.place.nodes()
    }

    /// The value of `key` on `node`, marked recently used.
    pub fn get(&mut self, node: usize, key: u32) -> Option<Entry> {
        self.nodes[node].get(key).copied()
    }

    /// The value of `key` on its owner, without touching its recency.
    pub fn peek(&self, key: u32) -> Option<&Entry> {
        self.nodes[self.owner(key)].peek(key)
    }

    /// The value of `key` on `node`, to change in place.
    pub fn peek_mut(&mut self, node: usize, key: u32) -> Option<&mut Entry> {
        self.nodes[node].peek_mut(key)
    }

    /// Stores `e` at `node`; returns the value pushed out to make room, if any.
    pub fn insert(&mut self, node: usize, key: u32, e: Entry) -> Option<(u32, Entry)> {
        self.nodes[node].insert(key, e)
    }

    /// Removes `key` from `node`.
    pub fn remove(&mut self, node: usize, key: u32) -> Option<Entry> {
        self.nodes[node].remove(key)
    }

    /// Node `node` loses everything it holds; returns the unflushed writes lost with it.
    pub fn crash(&mut self, node: u32) -> u64 {
        let lost = self.unflushed_on(node);
        self.nodes[node as usize].clear();
        lost
    }

    /// The cluster becomes `members`: returns how many of the first `keys` keys changed owner, and
    /// the dirty values dropped from nodes that no longer own them (in node order, then recency),
    /// to be written back. Values whose owner changed are not found on the new owner: they are
    /// dropped.
    pub fn set_members(&mut self, members: &[u32], keys: u32) -> (u64, Vec<(u32, Entry)>) {
        let before = std::mem::replace(
            &mut self.place,
            Placement::new(self.hashing, members, self.vnodes),
        );
        let moved = (0..keys)
            .filter(|&k| before.owner(k) != self.place.owner(k))
            .count() as u64;
        let mut dirty = Vec::new();
        for node in 0..self.nodes.len() {
            let leaving: Vec<(u32, Entry)> = self.nodes[node]
                .iter()
                .filter(|&(k, _)| self.place.owner(k) != node)
                .map(|(k, e)| (k, *e))
                .collect();
            for (k, e) in leaving {
                self.nodes[node].remove(k);
                if e.dirty > 0 {
                    dirty.push((k, e));
                }
            }
        }
        (moved, dirty)
    }

    /// Writes acknowledged by write-behind and not yet sent to the database, on every node.
    pub fn unflushed(&self) -> u64 {
        self.nodes
            .iter()
            .flat_map(|n| n.iter())
            .map(|(_, e)| e.dirty as u64)
            .sum()
    }

    /// The same, on node `node`.
    pub fn unflushed_on(&self, node: u32) -> u64 {
        self.nodes
            .get(node as usize)
            .into_iter()
            .flat_map(|n| n.iter())
            .map(|(_, e)| e.dirty as u64)
            .sum()
    }

    /// Values held by every node.
    pub fn values(&self) -> usize {
        self.nodes.iter().map(Lru::len).sum()
    }

    /// Values held by node `node`.
    pub fn values_on(&self, node: u32) -> usize {
        self.nodes[node as usize].len()
    }
}
