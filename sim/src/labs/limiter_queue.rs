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

use crate::kernel::cost::{bytes, Cost};
use crate::kernel::lab::{Checker, Cx, Extent, Lab, NoFault, Seeds};
use crate::kernel::model::{Advance, Model, ParamError};
use crate::kernel::preset::Preset;
use crate::kernel::report::{Metric, Report};
use crate::kernel::rng::SimRng;
use crate::kernel::sim::Sim;
use crate::kernel::time::{Nanos, NS_PER_S, NS_PER_US};

crate::knobs! {
    /// The reference model's knobs.
    pub struct LimiterQueueParams in "limiter_queue" {
        /// Mean Poisson arrival rate, requests per second.
        arrival_rate_per_s: u32 = 10_000 => range(1, 1_000_000_000);
        /// Token refill rate, tokens per second.
        token_rate_per_s: u32 = 8_000 => range(1, 1_000_000_000);
        /// Token bucket size.
        burst: u32 = 500 => range(1, 1_000_000_000);
        /// Waiting places in the FIFO queue.
        queue_capacity: u32 = 1_000 => range(0, 10_000_000);
        /// Servers.
        servers: u32 = 8 => range(1, 100_000);
        /// Service time of one request, microseconds.
        service_us: u32 = 1_000 => range(1, 3_600_000_000);
        /// Arrivals to simulate.
        requests: u64 = 1_000_000 => range(1, 10_000_000_000);
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
    let mut sim = Sim::<LimiterQueue>::new(p.clone(), seed)?;
    while sim.advance(1 << 20) == Advance::BudgetExhausted {
        progress(sim.arrived());
    }
    progress(p.requests);
    Ok(sim.report())
}

/// The reference model (run by [`Sim`]): one arrival at a time, no event heap.
#[derive(Clone)]
pub struct LimiterQueue {
    p: LimiterQueueParams,
    rng: SimRng,
    mean_gap_ns: f64,
    service: Nanos,
    /// Token bucket in nano-tokens: one token = 1e9. Elapsed time is capped at the time to fill
    /// the bucket, so the product never overflows.
    one: u64,
    cap: u64,
    rate: u64,
    fill_ns: Nanos,
    tokens: u64,
    last_refill: Nanos,
    /// Departure times of the last `servers` requests to start, oldest first (a ring).
    departures: Vec<Nanos>,
    ring: usize,
    /// Start times of the requests waiting now (non-decreasing).
    waiting: VecDeque<Nanos>,
    r: LimiterQueueReport,
    wait_sum_ns: u128,
    /// Arrival time of request `arrived` (drawn one ahead), and of the last one taken.
    next_t: Nanos,
    t: Nanos,
    last_departure: Nanos,
}

impl LimiterQueue {
    /// Arrivals taken so far.
    pub fn arrived(&self) -> u64 {
        self.r.arrived
    }

    /// What the run measured so far (complete once every arrival is taken).
    pub fn report(&self) -> LimiterQueueReport {
        let mut r = self.r.clone();
        r.mean_wait_ms = if r.completed == 0 {
            0.0
        } else {
            self.wait_sum_ns as f64 / r.completed as f64 / 1e6
        };
        r.virtual_s = self.last_departure.max(self.t) as f64 / NS_PER_S as f64;
        r
    }

    /// Takes the arrivals due at or before `until`, at most `max` of them. Compiled once in this
    /// crate (at its optimisation level) rather than in each caller's: a caller built for size
    /// would otherwise get a size-optimised hot loop.
    #[inline(never)]
    fn take(&mut self, until: Nanos, max: u64) -> u64 {
        if until == Nanos::MAX {
            self.take_all::<false>(until, max)
        } else {
            self.take_all::<true>(until, max)
        }
    }

    #[inline(always)]
    fn take_all<const CHECK_UNTIL: bool>(&mut self, until: Nanos, max: u64) -> u64 {
        let servers = self.departures.len();
        let qcap = self.p.queue_capacity as usize;
        let requests = self.p.requests;
        let mean_gap = self.mean_gap_ns;
        let (one, cap, rate, fill_ns, service) =
            (self.one, self.cap, self.rate, self.fill_ns, self.service);
        // The hot state in locals (registers), written back once at the end.
        let mut r = std::mem::take(&mut self.r);
        let (mut tokens, mut last_refill, mut ring) = (self.tokens, self.last_refill, self.ring);
        let (mut next_t, mut t, mut last_departure) = (self.next_t, self.t, self.last_departure);
        let mut wait_sum = self.wait_sum_ns;
        let departures = &mut self.departures;
        let waiting = &mut self.waiting;
        let rng = &mut self.rng;
        let first = r.arrived;
        let last = r.arrived.saturating_add(max).min(requests);
        while r.arrived < last {
            if CHECK_UNTIL && next_t > until {
                break;
            }
            t = next_t;
            r.arrived += 1;
            if r.arrived < requests {
                next_t = t + rng.exp_nanos(mean_gap);
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
            wait_sum += (start - t) as u128;
            r.completed += 1;
        }
        self.r = r;
        (self.tokens, self.last_refill, self.ring) = (tokens, last_refill, ring);
        (self.next_t, self.t, self.last_departure) = (next_t, t, last_departure);
        self.wait_sum_ns = wait_sum;
        self.r.arrived - first
    }
}

/// The reference model's metrics.
pub mod metrics {
    crate::metrics! {
        in "limiter_queue.m";
        /// Arrivals so far.
        ARRIVED = arrived: count;
        /// Got a token.
        ADMITTED = admitted: count, key;
        /// Refused by the token bucket.
        REJECTED = rejected: count, key;
        /// Admitted, but the queue was full.
        DROPPED = dropped: count, key;
        /// Served.
        COMPLETED = completed: count, key;
        /// Mean time from arrival to the start of service of the completed requests.
        MEAN_WAIT = mean_wait_ms: ms, key;
        /// Most requests waiting at once.
        MAX_QUEUE_LEN = max_queue_len: count, key;
        /// Virtual time at the end of the run (last completion), seconds.
        VIRTUAL = virtual_s: secs;
    }
}

impl Lab for LimiterQueue {
    const ID: &'static str = "limiter-queue";
    const ABOUT: &'static str =
        "reference model: Poisson arrivals, a token bucket, one FIFO queue and servers; runs `requests` arrivals and reports wall-clock requests_per_s";
    type Params = LimiterQueueParams;
    type Event = ();
    type Fault = NoFault;
    type Snapshot = LimiterQueueReport;
    type View = ();

    fn build(p: &LimiterQueueParams, seeds: Seeds, _cx: &mut Cx<()>) -> Self {
        let mut rng = seeds.stream(0x11_9e);
        let mean_gap_ns = NS_PER_S as f64 / p.arrival_rate_per_s as f64;
        let one = NS_PER_S;
        let cap = p.burst as u64 * one;
        let rate = p.token_rate_per_s as u64;
        let next_t = rng.exp_nanos(mean_gap_ns);
        Self {
            rng,
            mean_gap_ns,
            service: p.service_us as u64 * NS_PER_US,
            one,
            cap,
            rate,
            fill_ns: cap / rate + 1,
            tokens: cap,
            last_refill: 0,
            departures: vec![0; p.servers as usize],
            ring: 0,
            waiting: VecDeque::with_capacity((p.queue_capacity as usize).min(1 << 20)),
            r: LimiterQueueReport::default(),
            wait_sum_ns: 0,
            next_t,
            t: 0,
            last_departure: 0,
            p: p.clone(),
        }
    }

    fn params(&self) -> &LimiterQueueParams {
        &self.p
    }

    fn handle(&mut self, _cx: &mut Cx<()>, _ev: ()) {}

    fn source_time(&self) -> Option<Nanos> {
        (self.r.arrived < self.p.requests).then_some(self.next_t)
    }

    fn on_source(&mut self, _cx: &mut Cx<()>) {
        self.take(Nanos::MAX, 1);
    }

    fn run_source(&mut self, cx: &mut Cx<()>, until: Nanos, budget: u64) -> u64 {
        let n = self.take(until, budget);
        cx.set_now(self.t);
        n
    }

    fn snapshot(&self, _now: Nanos, _view: &(), out: &mut LimiterQueueReport) {
        *out = self.report();
    }

    fn metrics() -> &'static [&'static Metric] {
        metrics::ALL
    }

    fn report(&self, _now: Nanos, out: &mut Report) {
        use metrics::*;
        let r = LimiterQueue::report(self);
        out.count(&ARRIVED, r.arrived);
        out.count(&ADMITTED, r.admitted);
        out.count(&REJECTED, r.rejected);
        out.count(&DROPPED, r.dropped);
        out.count(&COMPLETED, r.completed);
        out.real(&MEAN_WAIT, r.mean_wait_ms);
        out.count(&MAX_QUEUE_LEN, r.max_queue_len);
        out.real(&VIRTUAL, r.virtual_s);
    }

    fn extent(p: &LimiterQueueParams) -> Extent {
        Extent::Items {
            count: p.requests,
            unit: "requests",
        }
    }

    /// The waiting places and the servers' departure times; one arrival at a time.
    fn cost(p: &LimiterQueueParams) -> Cost {
        Cost::new()
            .part("the waiting queue", bytes(p.queue_capacity as u64, 8), &["queue_capacity"])
            .part("the servers", bytes(p.servers as u64, 8), &["servers"])
            .work(p.arrival_rate_per_s as u64)
            .unit_ns(60)
    }

    fn checkers() -> &'static [Checker] {
        &[Checker::Accounting]
    }

    fn presets() -> Vec<Preset<LimiterQueueParams>> {
        Vec::new()
    }

    fn queue_capacity(_: &LimiterQueueParams) -> usize {
        1
    }
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
