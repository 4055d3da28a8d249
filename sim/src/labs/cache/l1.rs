//! The app servers' local (L1) caches: a small LRU per server with its own TTL, filled by every
//! read answered from elsewhere and never invalidated by writes (so it can serve stale values up
//! to its TTL).

use super::lru::Lru;
use crate::kernel::time::{Nanos, NS_PER_MS};

#[derive(Clone)]
pub(super) struct L1 {
    /// Per app server: key -> (version, "not found", expires at). Empty when there is no L1.
    caches: Vec<Lru<(u32, bool, Nanos)>>,
    ttl_ns: Nanos,
}

impl L1 {
    /// `keys` values per server (0 = no L1).
    pub fn new(app_servers: u32, keys: u32, ttl_ms: u32) -> Self {
        let caches = if keys > 0 {
            (0..app_servers).map(|_| Lru::new(keys as usize)).collect()
        } else {
            Vec::new()
        };
        Self {
            caches,
            ttl_ns: ttl_ms as u64 * NS_PER_MS,
        }
    }

    /// The value of `key` on `server`'s L1 if it has not expired at `now` (an expired one is
    /// dropped): (version, "not found").
    pub fn lookup(&mut self, server: u16, key: u32, now: Nanos) -> Option<(u32, bool)> {
        let l1 = self.caches.get_mut(server as usize)?;
        match l1.get(key).copied() {
            Some((ver, null, exp)) if exp > now => Some((ver, null)),
            Some(_) => {
                l1.remove(key);
                None
            }
            None => None,
        }
    }

    /// Keeps an answer in `server`'s L1 from `now` for its TTL.
    pub fn store(&mut self, server: u16, key: u32, ver: u32, null: bool, now: Nanos) {
        if let Some(l1) = self.caches.get_mut(server as usize) {
            l1.insert(key, (ver, null, now + self.ttl_ns));
        }
    }
}
