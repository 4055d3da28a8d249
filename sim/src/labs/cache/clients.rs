//! The clients: a Poisson stream of reads and writes over Zipf-popular keys (some of them missing
//! from the database, some for the hot key), plus bursts of reads of the hot key. The lab pulls it
//! one request at a time; every lane gets every request.

use std::collections::VecDeque;

use super::params::CacheParams;
use crate::kernel::lab::Seeds;
use crate::kernel::rng::SimRng;
use crate::kernel::time::{Nanos, NS_PER_MS, NS_PER_S};
use crate::kernel::traffic::{KeyChoice, KeyPicker};

/// One request from a client.
#[derive(Clone, Copy, Debug)]
pub(super) struct Arrival {
    pub at: Nanos,
    pub key: u32,
    pub server: u16,
    pub write: bool,
}

/// The request stream, drawn one ahead.
#[derive(Clone)]
pub(super) struct Clients {
    rate_per_s: u32,
    read_share: f64,
    key_count: u32,
    hot_key_share: f64,
    missing_share: f64,
    missing_key_space: u32,
    burst_size: u32,
    burst_every_ns: Nanos,
    burst_width_ns: Nanos,
    app_servers: u32,
    rng: SimRng,
    keys: KeyPicker,
    next_bg: Option<Nanos>,
    burst: VecDeque<Nanos>,
    next_burst_at: Nanos,
    pending: Option<Arrival>,
}

impl Clients {
    pub fn new(p: &CacheParams, seeds: Seeds) -> Self {
        let mut rng = seeds.stream(1);
        let next_bg =
            (p.rate_per_s > 0).then(|| rng.exp_nanos(NS_PER_S as f64 / p.rate_per_s as f64));
        let mut c = Self {
            rate_per_s: p.rate_per_s,
            read_share: p.read_share,
            key_count: p.key_count,
            hot_key_share: p.hot_key_share,
            missing_share: p.missing_share,
            missing_key_space: p.missing_key_space,
            burst_size: p.burst_size,
            burst_every_ns: p.burst_every_ms as u64 * NS_PER_MS,
            burst_width_ns: p.burst_width_ms as u64 * NS_PER_MS,
            app_servers: p.app_servers,
            rng,
            keys: KeyPicker::new(KeyChoice::Zipf, p.key_count, p.zipf_exponent),
            next_bg,
            burst: VecDeque::new(),
            next_burst_at: p.burst_every_ms as u64 * NS_PER_MS,
            pending: None,
        };
        c.pending = c.draw();
        c
    }

    /// When the next request arrives, if any does.
    pub fn next_at(&self) -> Option<Nanos> {
        self.pending.map(|a| a.at)
    }

    /// Takes the next request and draws the one after it.
    pub fn take(&mut self) -> Option<Arrival> {
        let a = self.pending.take()?;
        self.pending = self.draw();
        Some(a)
    }

    fn draw(&mut self) -> Option<Arrival> {
        if self.burst.is_empty() && self.burst_size > 0 {
            let at = self.next_burst_at;
            let width = self.burst_width_ns;
            let mut times: Vec<Nanos> = (0..self.burst_size)
                .map(|_| at + self.rng.below(width + 1))
                .collect();
            times.sort_unstable();
            self.burst.extend(times);
            self.next_burst_at += self.burst_every_ns;
        }
        let bg = self.next_bg;
        let from_burst = match (bg, self.burst.front()) {
            (Some(b), Some(&t)) => t < b,
            (None, Some(_)) => true,
            (_, None) => false,
        };
        let servers = self.app_servers as u64;
        if from_burst {
            let at = self.burst.pop_front()?;
            let server = self.rng.below(servers) as u16;
            return Some(Arrival {
                at,
                key: 0,
                server,
                write: false,
            });
        }
        let at = bg?;
        let gap = self
            .rng
            .exp_nanos(NS_PER_S as f64 / self.rate_per_s as f64);
        self.next_bg = Some(at + gap);
        let server = self.rng.below(servers) as u16;
        let write = !self.rng.chance(self.read_share);
        let key = if !write && self.rng.chance(self.missing_share) {
            self.key_count + self.rng.below(self.missing_key_space as u64) as u32
        } else if self.rng.chance(self.hot_key_share) {
            0
        } else {
            self.keys.pick(&mut self.rng).unwrap_or(0)
        };
        Some(Arrival {
            at,
            key,
            server,
            write,
        })
    }
}
