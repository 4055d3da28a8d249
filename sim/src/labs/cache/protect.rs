//! What protects the database, for one lane: the Bloom filter of existing keys (penetration),
//! single flight per app server and the lock in the cache (breakdown), the refreshes of logical
//! expiry, a node's own loads (read-through), coalescing of identical reads and batching of
//! database reads. Each keeps only who waits for what; the lane decides what happens.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use super::bloom::Bloom;
use super::params::CacheParams;
use crate::kernel::time::Nanos;

/// A fixed-key hasher: the same layout on every run.
type Fixed = BuildHasherDefault<DefaultHasher>;

/// A key on one app server.
fn on_server(server: u16, key: u32) -> u64 {
    (server as u64) << 32 | key as u64
}

/// A node's load of a key: the misses that joined it, and whether a write superseded it.
#[derive(Clone, Debug)]
struct NodeLoad {
    waiters: Vec<u32>,
    superseded: bool,
}

#[derive(Clone)]
pub(super) struct Protections {
    bloom: Option<Bloom>,
    /// Lock in the cache, per key: held until.
    locks: HashMap<u32, Nanos, Fixed>,
    /// Single flights by (server, key): the reads waiting for the leader's load.
    single_flight: HashMap<u64, Vec<u32>, Fixed>,
    /// Coalesced reads by (server, key): the reads waiting for the leader's answer.
    coalesced: HashMap<u64, Vec<u32>, Fixed>,
    /// The node load of a key that new misses may join (by loader request).
    node_loads: HashMap<u32, u32, Fixed>,
    /// Node loads in flight, by loader request.
    loads: HashMap<u32, NodeLoad, Fixed>,
    /// Keys being refreshed (logical expiry).
    refreshing: HashMap<u32, (), Fixed>,
    /// Batches of database reads (request ids), by batch id; free ids to reuse.
    batches: Vec<Vec<u32>>,
    free_batches: Vec<u32>,
    /// The batch each app server is gathering, if any.
    open_batch: Vec<Option<u32>>,
}

impl Protections {
    pub fn new(p: &CacheParams) -> Self {
        let bloom = p.bloom_filter.then(|| {
            let mut b = Bloom::new(p.key_count, p.bloom_bits_per_key);
            (0..p.key_count).for_each(|k| b.insert(k));
            b
        });
        Self {
            bloom,
            locks: HashMap::default(),
            single_flight: HashMap::default(),
            coalesced: HashMap::default(),
            node_loads: HashMap::default(),
            loads: HashMap::default(),
            refreshing: HashMap::default(),
            batches: Vec::new(),
            free_batches: Vec::new(),
            open_batch: vec![None; p.app_servers as usize],
        }
    }

    // --- Bloom filter ---

    /// Whether there is a Bloom filter, and whether it lets `key` through.
    pub fn bloom_admits(&self, key: u32) -> Option<bool> {
        self.bloom.as_ref().map(|b| b.may_contain(key))
    }

    // --- coalescing ---

    /// Read `r` of `key` on `server` waits for an identical read in flight (true), or becomes
    /// the one the next identical reads wait for (false).
    pub fn coalesce(&mut self, server: u16, key: u32, r: u32) -> bool {
        let ck = on_server(server, key);
        if let Some(w) = self.coalesced.get_mut(&ck) {
            w.push(r);
            return true;
        }
        self.coalesced.insert(ck, Vec::new());
        false
    }

    /// The leader of the coalesced reads of `key` on `server` ended: those that waited.
    pub fn end_coalesced(&mut self, server: u16, key: u32) -> Vec<u32> {
        self.coalesced
            .remove(&on_server(server, key))
            .unwrap_or_default()
    }

    // --- single flight ---

    /// Miss `r` of `key` on `server` joins the flight in progress (true), or leads a new one
    /// (false).
    pub fn join_flight(&mut self, server: u16, key: u32, r: u32) -> bool {
        let sk = on_server(server, key);
        if let Some(w) = self.single_flight.get_mut(&sk) {
            w.push(r);
            return true;
        }
        self.single_flight.insert(sk, Vec::new());
        false
    }

    /// The flight of `key` on `server` ended: those that joined it.
    pub fn end_flight(&mut self, server: u16, key: u32) -> Vec<u32> {
        self.single_flight
            .remove(&on_server(server, key))
            .unwrap_or_default()
    }

    // --- the lock in the cache ---

    /// Somebody holds the lock of `key` at `now`.
    pub fn locked(&self, key: u32, now: Nanos) -> bool {
        self.locks.get(&key).is_some_and(|&until| until > now)
    }

    /// Takes the lock of `key` (SET NX PX) until `until`.
    pub fn lock(&mut self, key: u32, until: Nanos) {
        self.locks.insert(key, until);
    }

    pub fn unlock(&mut self, key: u32) {
        self.locks.remove(&key);
    }

    // --- logical expiry ---

    pub fn refreshing(&self, key: u32) -> bool {
        self.refreshing.contains_key(&key)
    }

    pub fn begin_refresh(&mut self, key: u32) {
        self.refreshing.insert(key, ());
    }

    pub fn end_refresh(&mut self, key: u32) {
        self.refreshing.remove(&key);
    }

    // --- a node's own loads (read-through) ---

    /// The node is loading `key`: the load's leader request.
    pub fn node_load(&self, key: u32) -> Option<u32> {
        self.node_loads.get(&key).copied()
    }

    /// Miss `r` waits for load `leader`.
    pub fn join_load(&mut self, leader: u32, r: u32) {
        if let Some(load) = self.loads.get_mut(&leader) {
            load.waiters.push(r);
        }
    }

    /// Registers request `r` as the node's load of `key`: later misses join it until a write
    /// reaches the node, which supersedes it (its value is then not installed, and not joined).
    pub fn start_load(&mut self, key: u32, r: u32) {
        self.node_loads.insert(key, r);
        self.loads.insert(
            r,
            NodeLoad {
                waiters: Vec::new(),
                superseded: false,
            },
        );
    }

    /// Ends the node load led by `r`: its waiters, and whether a write superseded it.
    pub fn end_load(&mut self, key: u32, r: u32) -> (Vec<u32>, bool) {
        if self.node_loads.get(&key) == Some(&r) {
            self.node_loads.remove(&key);
        }
        match self.loads.remove(&r) {
            Some(l) => (l.waiters, l.superseded),
            None => (Vec::new(), false),
        }
    }

    /// A write reached the node: a load of the key in flight must not install its older value,
    /// and later misses start a fresh one.
    pub fn supersede_load(&mut self, key: u32) {
        if let Some(r) = self.node_loads.remove(&key) {
            if let Some(l) = self.loads.get_mut(&r) {
                l.superseded = true;
            }
        }
    }

    // --- batching ---

    /// Adds database read `r` to `server`'s open batch; true if it opened a new batch (whose
    /// window starts now).
    pub fn add_to_batch(&mut self, server: u16, r: u32) -> bool {
        let s = server as usize;
        if let Some(b) = self.open_batch[s] {
            self.batches[b as usize].push(r);
            return false;
        }
        let b = match self.free_batches.pop() {
            Some(b) => b,
            None => {
                self.batches.push(Vec::new());
                (self.batches.len() - 1) as u32
            }
        };
        self.batches[b as usize].push(r);
        self.open_batch[s] = Some(b);
        true
    }

    /// Closes `server`'s open batch (its window is over): its id.
    pub fn close_batch(&mut self, server: u16) -> Option<u32> {
        self.open_batch[server as usize].take()
    }

    /// The reads of batch `b`.
    pub fn batch(&self, b: u32) -> &[u32] {
        &self.batches[b as usize]
    }

    /// Ends batch `b`: its reads (its id is free again).
    pub fn end_batch(&mut self, b: u32) -> Vec<u32> {
        let reads = std::mem::take(&mut self.batches[b as usize]);
        self.free_batches.push(b);
        reads
    }
}
