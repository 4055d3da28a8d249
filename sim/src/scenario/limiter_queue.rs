//! The `limiter-queue` reference model, defined exactly so other simulators can run the same thing:
//!
//! Poisson arrivals at `arrival_rate_per_s` (10,000/s); a token bucket of `token_rate_per_s`
//! (8,000 tokens/s) with `burst` (500), full at the start; a request that gets a token is admitted
//! and joins one FIFO queue of `queue_capacity` (1,000) waiting places served by `servers` (8)
//! servers, each taking exactly `service_us` (1 ms) per request; an admitted request that finds all
//! servers busy and the waiting places full is dropped. `requests` arrivals are simulated, and the
//! run ends when the last admitted request completes.
//!
//! Streaming: one arrival at a time, no event heap, O(servers + queue) memory. Because service
//! times are equal and the queue is FIFO, requests start service in admission order, and the k-th
//! one starts at max(its arrival, departure of the (k - servers)-th).

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::kernel::model::{check_range, ParamError, Validate};
use crate::kernel::rng::SimRng;
use crate::kernel::time::{Nanos, NS_PER_S, NS_PER_US};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimiterQueueParams {
    /// Mean Poisson arrival rate, requests per second.
    pub arrival_rate_per_s: u32,
    /// Token refill rate, tokens per second.
    pub token_rate_per_s: u32,
    /// Token bucket size.
    pub burst: u32,
    /// Waiting places in the FIFO queue.
    pub queue_capacity: u32,
    /// Servers.
    pub servers: u32,
    /// Service time of one request, microseconds.
    pub service_us: u32,
    /// Arrivals to simulate.
    pub requests: u64,
}

impl Default for LimiterQueueParams {
    fn default() -> Self {
        Self {
            arrival_rate_per_s: 10_000,
            token_rate_per_s: 8_000,
            burst: 500,
            queue_capacity: 1_000,
            servers: 8,
            service_us: 1_000,
            requests: 1_000_000,
        }
    }
}

impl Validate for LimiterQueueParams {
    fn validate(&self) -> Result<(), ParamError> {
        check_range(
            "arrival_rate_per_s",
            self.arrival_rate_per_s,
            1,
            1_000_000_000,
        )?;
        check_range("token_rate_per_s", self.token_rate_per_s, 1, 1_000_000_000)?;
        check_range("burst", self.burst, 1, 1_000_000_000)?;
        check_range("queue_capacity", self.queue_capacity, 0, 10_000_000)?;
        check_range("servers", self.servers, 1, 100_000)?;
        check_range("service_us", self.service_us, 1, 3_600_000_000)?;
        check_range("requests", self.requests, 1, 10_000_000_000)
    }
}

/// What a run measured.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LimiterQueueReport {
    pub arrived: u64,
    /// Got a token.
    pub admitted: u64,
    /// Refused by the token bucket.
    pub rejected: u64,
    /// Admitted, but the queue was full.
    pub dropped: u64,
    /// Served.
    pub completed: u64,
    /// Mean time from arrival to the start of service of the completed requests, milliseconds.
    pub mean_wait_ms: f64,
    /// Most requests waiting at once.
    pub max_queue_len: u64,
    /// Virtual time at the end of the run (last completion), seconds.
    pub virtual_s: f64,
}

/// Runs the model, calling `progress(done)` every 2^20 arrivals.
pub fn run(
    p: &LimiterQueueParams,
    seed: u64,
    mut progress: impl FnMut(u64),
) -> Result<LimiterQueueReport, ParamError> {
    run_dyn(p, seed, &mut progress)
}

/// The loop itself, compiled once in this crate (at its optimisation level) rather than in each
/// caller's: a caller built for size would otherwise get a size-optimised hot loop.
#[inline(never)]
fn run_dyn(
    p: &LimiterQueueParams,
    seed: u64,
    progress: &mut dyn FnMut(u64),
) -> Result<LimiterQueueReport, ParamError> {
    p.validate()?;
    let mut rng = SimRng::derive(seed, 0x11_9e);
    let mean_gap_ns = NS_PER_S as f64 / p.arrival_rate_per_s as f64;
    let service = p.service_us as u64 * NS_PER_US;
    // Token bucket in nano-tokens: one token = 1e9. Elapsed time is capped at the time to fill the
    // bucket, so the product never overflows.
    let one = NS_PER_S;
    let cap = p.burst as u64 * one;
    let rate = p.token_rate_per_s as u64;
    let fill_ns = cap / rate + 1;
    let mut tokens = cap;
    let mut last_refill: Nanos = 0;
    // Departure times of the last `servers` requests to start, oldest first (a ring).
    let servers = p.servers as usize;
    let mut departures: Vec<Nanos> = vec![0; servers];
    let mut ring = 0usize;
    // Start times of the requests waiting now (non-decreasing).
    let mut waiting: VecDeque<Nanos> =
        VecDeque::with_capacity((p.queue_capacity as usize).min(1 << 20));
    let qcap = p.queue_capacity as usize;

    let mut r = LimiterQueueReport::default();
    let mut wait_sum_ns: u128 = 0;
    let mut t: Nanos = 0;
    let mut last_departure: Nanos = 0;
    for i in 0..p.requests {
        t += rng.exp_nanos(mean_gap_ns);
        if i & ((1 << 20) - 1) == 0 && i > 0 {
            progress(i);
        }
        // Token bucket.
        let elapsed = (t - last_refill).min(fill_ns);
        tokens = (tokens + elapsed * rate).min(cap);
        last_refill = t;
        if tokens < one {
            r.rejected += 1;
            continue;
        }
        tokens -= one;
        r.admitted += 1;
        // Who is still waiting at t (started service at or before t: no longer waiting).
        while waiting.front().is_some_and(|&s| s <= t) {
            waiting.pop_front();
        }
        // The earliest a server frees up, in start order: the departure `servers` starts ago.
        let free_at = departures[ring];
        let start = t.max(free_at);
        if start > t {
            if waiting.len() >= qcap {
                r.dropped += 1;
                continue;
            }
            waiting.push_back(start);
            r.max_queue_len = r.max_queue_len.max(waiting.len() as u64);
        }
        let done = start + service;
        departures[ring] = done;
        ring += 1;
        if ring == servers {
            ring = 0;
        }
        last_departure = last_departure.max(done);
        wait_sum_ns += (start - t) as u128;
        r.completed += 1;
    }
    progress(p.requests);
    r.arrived = p.requests;
    r.mean_wait_ms = if r.completed == 0 {
        0.0
    } else {
        wait_sum_ns as f64 / r.completed as f64 / 1e6
    };
    r.virtual_s = last_departure.max(t) as f64 / NS_PER_S as f64;
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_request_is_accounted_for() {
        let p = LimiterQueueParams {
            requests: 200_000,
            ..Default::default()
        };
        let r = run(&p, 1, |_| {}).unwrap();
        assert_eq!(r.arrived, r.admitted + r.rejected);
        assert_eq!(r.admitted, r.completed + r.dropped);
        // 10,000/s offered, 8,000/s of tokens: about a fifth refused over 20 s (after the burst).
        let refused = r.rejected as f64 / r.arrived as f64;
        assert!((refused - 0.2).abs() < 0.01, "{refused}");
        // 8 servers of 1 ms serve 8,000/s: admitted load is right at capacity, so a queue forms.
        assert!(r.max_queue_len > 0 && r.max_queue_len <= 1_000);
    }

    #[test]
    fn an_idle_system_has_no_wait() {
        let p = LimiterQueueParams {
            arrival_rate_per_s: 100,
            requests: 10_000,
            ..Default::default()
        };
        let r = run(&p, 2, |_| {}).unwrap();
        assert_eq!(r.rejected, 0);
        assert_eq!(r.dropped, 0);
        assert!(r.mean_wait_ms < 0.01, "{}", r.mean_wait_ms);
    }

    #[test]
    fn a_tiny_queue_drops_when_servers_are_busy() {
        let p = LimiterQueueParams {
            arrival_rate_per_s: 20_000,
            token_rate_per_s: 20_000,
            queue_capacity: 2,
            servers: 1,
            requests: 50_000,
            ..Default::default()
        };
        let r = run(&p, 3, |_| {}).unwrap();
        assert!(r.dropped > 0);
        assert!(r.max_queue_len <= 2);
        assert_eq!(r.admitted, r.completed + r.dropped);
        // One server of 1 ms serves at most 1,000/s.
        assert!(r.completed as f64 <= r.virtual_s * 1_000.0 + 1.0);
    }

    #[test]
    fn bad_params_name_the_field() {
        let p = LimiterQueueParams {
            servers: 0,
            ..Default::default()
        };
        assert_eq!(run(&p, 1, |_| {}).unwrap_err().field, "servers");
    }

    #[test]
    fn same_seed_same_report() {
        let p = LimiterQueueParams {
            requests: 100_000,
            ..Default::default()
        };
        assert_eq!(run(&p, 9, |_| {}).unwrap(), run(&p, 9, |_| {}).unwrap());
    }
}
