//! Where a key lives: a consistent-hash ring with virtual nodes, and hash mod N, as pure functions
//! over node ids, so the share of keys that move on a change can be computed and compared.

use crate::kernel::rng::splitmix64;

/// The hash of a key (the same for every placement).
pub fn key_hash(key: u32) -> u64 {
    splitmix64(key as u64 ^ 0x6b65_795f_6861_7368)
}

/// The hash of virtual node `v` of node `node`.
fn point_hash(node: u32, v: u32) -> u64 {
    splitmix64(((node as u64) << 32 | v as u64) ^ 0x7269_6e67_5f70_6f69)
}

/// A consistent-hash ring: `vnodes` points per node, a key belongs to the first point at or after
/// its hash (wrapping round).
#[derive(Clone, Debug)]
pub struct Ring {
    vnodes: u32,
    /// (position, node), sorted by position.
    points: Vec<(u64, u32)>,
    nodes: Vec<u32>,
}

impl Ring {
    pub fn new(nodes: &[u32], vnodes: u32) -> Self {
        let mut r = Self {
            vnodes: vnodes.max(1),
            points: Vec::new(),
            nodes: Vec::new(),
        };
        for &n in nodes {
            r.add(n);
        }
        r
    }

    pub fn nodes(&self) -> &[u32] {
        &self.nodes
    }

    pub fn points(&self) -> &[(u64, u32)] {
        &self.points
    }

    pub fn add(&mut self, node: u32) {
        if self.nodes.contains(&node) {
            return;
        }
        self.nodes.push(node);
        self.nodes.sort_unstable();
        for v in 0..self.vnodes {
            self.points.push((point_hash(node, v), node));
        }
        self.points.sort_unstable();
    }

    pub fn remove(&mut self, node: u32) {
        self.nodes.retain(|&n| n != node);
        self.points.retain(|&(_, n)| n != node);
    }

    /// The node owning hash `h`, if the ring has any node.
    pub fn owner(&self, h: u64) -> Option<u32> {
        if self.points.is_empty() {
            return None;
        }
        let i = self.points.partition_point(|&(p, _)| p < h);
        Some(self.points[i % self.points.len()].1)
    }
}

/// The node owning hash `h` under hash mod N over `nodes` (in their order).
pub fn mod_n_owner(nodes: &[u32], h: u64) -> Option<u32> {
    if nodes.is_empty() {
        None
    } else {
        Some(nodes[(h % nodes.len() as u64) as usize])
    }
}

/// Keys `0..keys` whose owner differs between two placements.
pub fn moved(
    keys: u32,
    before: impl Fn(u64) -> Option<u32>,
    after: impl Fn(u64) -> Option<u32>,
) -> u64 {
    (0..keys)
        .filter(|&k| {
            let h = key_hash(k);
            before(h) != after(h)
        })
        .count() as u64
}

/// Share of keys `0..keys` that move when `node` joins `nodes`: (ring, mod N).
pub fn moved_share_on_join(nodes: &[u32], node: u32, vnodes: u32, keys: u32) -> (f64, f64) {
    let before = Ring::new(nodes, vnodes);
    let mut after = before.clone();
    after.add(node);
    let mut grown = nodes.to_vec();
    grown.push(node);
    let ring = moved(keys, |h| before.owner(h), |h| after.owner(h));
    let modn = moved(keys, |h| mod_n_owner(nodes, h), |h| mod_n_owner(&grown, h));
    (
        ring as f64 / keys.max(1) as f64,
        modn as f64 / keys.max(1) as f64,
    )
}

/// Keys `0..keys` per node of a ring, in the order of `ring.nodes()`.
pub fn load(ring: &Ring, keys: u32) -> Vec<u64> {
    let mut counts = vec![0u64; ring.nodes().len()];
    for k in 0..keys {
        if let Some(n) = ring.owner(key_hash(k)) {
            if let Ok(i) = ring.nodes().binary_search(&n) {
                counts[i] += 1;
            }
        }
    }
    counts
}

/// The busiest node's keys over the mean (1.0 = perfectly even).
pub fn max_over_mean(counts: &[u64]) -> f64 {
    let total: u64 = counts.iter().sum();
    if counts.is_empty() || total == 0 {
        return 1.0;
    }
    let mean = total as f64 / counts.len() as f64;
    *counts.iter().max().unwrap_or(&0) as f64 / mean
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_an_owner_among_the_nodes() {
        let r = Ring::new(&[0, 1, 2], 10);
        for k in 0..1000 {
            let o = r.owner(key_hash(k)).unwrap();
            assert!(o <= 2);
        }
        assert_eq!(Ring::new(&[], 10).owner(5), None);
        assert_eq!(mod_n_owner(&[], 5), None);
    }

    #[test]
    fn joining_moves_about_one_in_n_plus_one_with_the_ring_and_most_with_mod_n() {
        let (ring, modn) = moved_share_on_join(&[0, 1, 2, 3], 4, 200, 20_000);
        assert!((ring - 0.2).abs() < 0.04, "ring moved {ring}");
        assert!(modn > 0.75, "mod N moved {modn}");
    }

    #[test]
    fn a_key_only_moves_to_the_new_node() {
        let before = Ring::new(&[0, 1, 2], 50);
        let mut after = before.clone();
        after.add(3);
        for k in 0..5000 {
            let (a, b) = (before.owner(key_hash(k)), after.owner(key_hash(k)));
            assert!(a == b || b == Some(3));
        }
    }

    #[test]
    fn more_virtual_nodes_spread_the_load_more_evenly() {
        let nodes = [0, 1, 2, 3, 4, 5, 6, 7];
        let one = max_over_mean(&load(&Ring::new(&nodes, 1), 20_000));
        let many = max_over_mean(&load(&Ring::new(&nodes, 500), 20_000));
        assert!(many < 1.15, "500 vnodes: {many}");
        assert!(one > many + 0.3, "1 vnode {one} vs 500 {many}");
    }

    #[test]
    fn removing_a_node_moves_only_its_keys() {
        let before = Ring::new(&[0, 1, 2, 3], 100);
        let mut after = before.clone();
        after.remove(2);
        for k in 0..5000 {
            let (a, b) = (before.owner(key_hash(k)), after.owner(key_hash(k)));
            assert!(a == b || a == Some(2));
        }
    }
}
