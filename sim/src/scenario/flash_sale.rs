//! The flash sale: 100,000,000 users press "grab" within one second; every one gets an answer
//! (success, sold out, or rejected by the limiter) and every request is simulated individually,
//! streamed in arrival order with O(servers + shards + stock) memory.
//!
//! Pipeline: a load balancer deals requests round-robin to `servers` app servers, each with its own
//! token bucket; an admitted request checks and decrements the stock on a Redis-like single-threaded
//! counter (`shards` counters, each holding its share of the stock, each serving one operation per
//! `redis_op_us`, FIFO); a success is enqueued to a partitioned queue whose consumers write orders to
//! a database at `db_writes_per_s`. With `soldout_flag`, once every shard is empty the app servers
//! learn it after `flag_delay_us` and answer "sold out" themselves, without touching Redis.
//! With `unsafe_check`, the stock check is "read, then write read - 1" (GET, then SET `unsafe_gap_us`
//! later), and concurrent requests that read the same value all succeed: an oversell, counted.
//!
//! Arrivals: request i of N gets a uniform random offset inside the i-th of N equal slices of the
//! arrival distribution's probability (stratified sampling), mapped through the inverse CDF of the
//! shape, so the stream comes out sorted without a sort.

use std::collections::VecDeque;

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use crate::kernel::model::{check_range, ParamError, Validate};
use crate::kernel::rng::{ln_unit, SimRng};
use crate::kernel::time::{Nanos, NS_PER_MS, NS_PER_S, NS_PER_US};

/// Longest the order queue may take to drain, virtual seconds (bounds the per-second counts).
pub const MAX_DRAIN_S: u64 = 86_400;
/// Most stock × consumers (the backlog is measured over the consumers at every success).
pub const MAX_BACKLOG_WORK: u64 = 2_000_000_000;

/// How the users' presses spread over the window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// Evenly over the window.
    #[default]
    Uniform,
    /// Most at t = 0, decaying (exponential with a time constant of a fifth of the window).
    Spike,
    /// Rising linearly across the window.
    Ramp,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FlashSaleParams {
    /// Users pressing "grab", one request each.
    pub users: u64,
    /// The window in which they press, milliseconds.
    pub window_ms: u32,
    /// How presses spread over the window.
    pub shape: Shape,
    /// App servers behind the load balancer.
    pub servers: u32,
    /// Each app server's token bucket: tokens per second.
    pub token_rate_per_s: u32,
    /// Each app server's token bucket: size.
    pub burst: u32,
    /// Gifts in stock.
    pub stock: u64,
    /// Counters the stock is split across (each holds an equal share).
    pub shards: u32,
    /// Time one counter takes for one operation, microseconds.
    pub redis_op_us: u32,
    /// Round trip between a user and the app servers, microseconds (added to every answer).
    pub rtt_us: u32,
    /// App servers cache a "sold out" flag once every shard is empty.
    pub soldout_flag: bool,
    /// Time for the sold-out flag to reach every app server, microseconds.
    pub flag_delay_us: u32,
    /// Check stock unsafely: read, then write read - 1 later (oversells under concurrency).
    pub unsafe_check: bool,
    /// Time between the read and the write of the unsafe check, microseconds.
    pub unsafe_gap_us: u32,
    /// Partitions of the order queue.
    pub partitions: u32,
    /// Order consumers (partitions are shared among them).
    pub consumers: u32,
    /// Orders the database can write per second, all consumers together.
    pub db_writes_per_s: u32,
}

impl Default for FlashSaleParams {
    fn default() -> Self {
        Self {
            users: 100_000_000,
            window_ms: 1_000,
            shape: Shape::Uniform,
            servers: 200,
            token_rate_per_s: 5_000,
            burst: 100,
            stock: 100_000,
            shards: 4,
            redis_op_us: 5,
            rtt_us: 20_000,
            soldout_flag: true,
            flag_delay_us: 1_000,
            unsafe_check: false,
            unsafe_gap_us: 200,
            partitions: 16,
            consumers: 8,
            db_writes_per_s: 20_000,
        }
    }
}

impl Validate for FlashSaleParams {
    fn validate(&self) -> Result<(), ParamError> {
        check_range("users", self.users, 1, 1_000_000_000)?;
        check_range("window_ms", self.window_ms, 1, 3_600_000)?;
        check_range("servers", self.servers, 1, 100_000)?;
        check_range("token_rate_per_s", self.token_rate_per_s, 1, 100_000_000)?;
        check_range("burst", self.burst, 1, 100_000_000)?;
        check_range("stock", self.stock, 0, 100_000_000)?;
        check_range("shards", self.shards, 1, 1_024)?;
        check_range("redis_op_us", self.redis_op_us, 1, 1_000_000)?;
        check_range("rtt_us", self.rtt_us, 0, 10_000_000)?;
        check_range("flag_delay_us", self.flag_delay_us, 0, 10_000_000)?;
        check_range("unsafe_gap_us", self.unsafe_gap_us, 0, 10_000_000)?;
        check_range("partitions", self.partitions, 1, 10_000)?;
        check_range("consumers", self.consumers, 1, 10_000)?;
        check_range("db_writes_per_s", self.db_writes_per_s, 1, 100_000_000)?;
        // Bounds on the work and memory a run may take: the order queue must drain within a day of
        // virtual time, and the backlog is measured over the consumers at every success.
        let drain_s = self.stock / self.db_writes_per_s as u64;
        if drain_s > MAX_DRAIN_S {
            return Err(ParamError::new(
                "db_writes_per_s",
                self.db_writes_per_s,
                format!(
                    ">= stock / {MAX_DRAIN_S} (the orders must drain within a day of virtual time)"
                ),
            ));
        }
        let work = self
            .stock
            .saturating_mul(self.consumers.min(self.partitions) as u64);
        if work > MAX_BACKLOG_WORK {
            return Err(ParamError::new(
                "consumers",
                self.consumers,
                format!("stock × consumers <= {MAX_BACKLOG_WORK} (now {work})"),
            ));
        }
        Ok(())
    }
}

/// What a run measured.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FlashSaleReport {
    pub users: u64,
    /// Answers, by kind (they add up to `users`).
    pub success: u64,
    pub sold_out: u64,
    pub rejected: u64,
    /// Passed their server's token bucket.
    pub admitted: u64,
    /// Answered "sold out" by an app server from the cached flag, without Redis.
    pub sold_out_from_flag: u64,
    /// Successes beyond the stock (0 with the atomic decrement).
    pub oversold: u64,
    /// Share of users answered within 1 s of pressing.
    pub answered_within_1s: f64,
    pub response_p50_ms: f64,
    pub response_p99_ms: f64,
    pub response_max_ms: f64,
    /// Counter operations (reads, decrements, writes) served by all shards.
    pub redis_ops: u64,
    /// Most orders waiting in the queue at once, and when the last was written.
    pub queue_backlog_peak: u64,
    /// From the last success to the last order written, seconds.
    pub queue_drain_s: f64,
    /// Orders written per second by the database, in the busiest second.
    pub db_writes_peak_per_s: u64,
    /// Virtual time of the last answer, seconds.
    pub last_answer_s: f64,
}

/// The inverse CDF of the shape at probability p in [0, 1): a time in [0, window).
fn arrival_at(shape: Shape, p: f64, window_ns: f64) -> f64 {
    match shape {
        Shape::Uniform => p * window_ns,
        Shape::Ramp => p.sqrt() * window_ns,
        Shape::Spike => {
            // Exponential with tau = window / 5, truncated to the window: e^-5 of the mass cut.
            const TAIL: f64 = 0.006_737_946_999_085_467; // e^-5
            let tau = window_ns / 5.0;
            -tau * ln_unit(1.0 - p * (1.0 - TAIL))
        }
    }
}

/// A flash sale in progress: advanced a slice of users at a time (so a page can keep drawing),
/// or all at once with [`run`].
pub struct FlashSale {
    p: FlashSaleParams,
    rng: SimRng,
    next_user: u64,
    window_ns: f64,
    rtt: Nanos,
    op: Nanos,
    flag_delay: Nanos,
    gap: Nanos,
    one: u64,
    cap: u64,
    rate: u64,
    fill_ns: u64,
    tokens: Vec<u64>,
    last: Vec<Nanos>,
    server: usize,
    remaining: Vec<u64>,
    free_at: Vec<Nanos>,
    pending_sets: Vec<VecDeque<(Nanos, u64)>>,
    empty_shards: usize,
    shard: usize,
    flag_known_at: Nanos,
    consumers: usize,
    write_ns: Nanos,
    consumer_free: Vec<Nanos>,
    last_success: Nanos,
    last_write: Nanos,
    writes_per_s: Vec<u64>,
    hist: Histogram<u64>,
    r: FlashSaleReport,
    within_1s: u64,
    run_value: u64,
    run_len: u64,
    last_answer: Nanos,
    /// Virtual time of the latest arrival so far.
    now: Nanos,
}

impl FlashSale {
    pub fn new(p: &FlashSaleParams, seed: u64) -> Result<Self, ParamError> {
        p.validate()?;
        let one = NS_PER_S;
        let cap = p.burst as u64 * one;
        let rate = p.token_rate_per_s as u64;
        let shards = p.shards as usize;
        let remaining: Vec<u64> = (0..shards as u64)
            .map(|k| p.stock / shards as u64 + u64::from(k < p.stock % shards as u64))
            .collect();
        let empty_shards = remaining.iter().filter(|&&r| r == 0).count();
        let consumers = p.consumers.min(p.partitions) as usize;
        Ok(Self {
            rng: SimRng::derive(seed, 0xf1a5),
            next_user: 0,
            window_ns: p.window_ms as f64 * NS_PER_MS as f64,
            rtt: p.rtt_us as u64 * NS_PER_US,
            op: p.redis_op_us as u64 * NS_PER_US,
            flag_delay: p.flag_delay_us as u64 * NS_PER_US,
            gap: p.unsafe_gap_us as u64 * NS_PER_US,
            one,
            cap,
            rate,
            fill_ns: cap / rate + 1,
            tokens: vec![cap; p.servers as usize],
            last: vec![0; p.servers as usize],
            server: 0,
            remaining,
            free_at: vec![0; shards],
            pending_sets: vec![VecDeque::new(); shards],
            empty_shards,
            shard: 0,
            flag_known_at: if empty_shards == shards { 0 } else { u64::MAX },
            consumers,
            write_ns: (NS_PER_S * consumers as u64).div_ceil(p.db_writes_per_s as u64),
            consumer_free: vec![0; consumers],
            last_success: 0,
            last_write: 0,
            writes_per_s: Vec::new(),
            hist: Histogram::<u64>::new_with_bounds(1_000, 3_600 * NS_PER_S, 2)
                .expect("static histogram bounds"),
            r: FlashSaleReport {
                users: p.users,
                ..Default::default()
            },
            within_1s: 0,
            run_value: 0,
            run_len: 0,
            last_answer: 0,
            now: 0,
            p: p.clone(),
        })
    }

    pub fn params(&self) -> &FlashSaleParams {
        &self.p
    }

    /// Users simulated so far.
    pub fn done(&self) -> u64 {
        self.next_user
    }

    pub fn is_finished(&self) -> bool {
        self.next_user == self.p.users
    }

    /// Virtual time of the latest arrival simulated.
    pub fn now(&self) -> Nanos {
        self.now
    }

    /// Running counts so far (answers by kind, admitted, oversold, Redis operations, backlog peak).
    pub fn counts(&self) -> &FlashSaleReport {
        &self.r
    }

    /// Simulates up to `max_users` more users; returns how many.
    // Never inlined: callers built for size (the page, at `opt-level = "z"`) would otherwise pull
    // the hot loop into their own size-optimised code (measured: 1.8 s against 1.1 s in Chromium).
    #[inline(never)]
    pub fn advance(&mut self, max_users: u64) -> u64 {
        let end = (self.next_user + max_users).min(self.p.users);
        let n = self.p.users;
        let inv_n = 1.0 / n as f64;
        let servers = self.tokens.len();
        let shards = self.remaining.len();
        let (one, cap, rate, fill_ns) = (self.one, self.cap, self.rate, self.fill_ns);
        let (rtt, op, flag_delay, gap) = (self.rtt, self.op, self.flag_delay, self.gap);
        let r = &mut self.r;
        for i in self.next_user..end {
            let pr = (i as f64 + self.rng.unit_f64()) * inv_n;
            let t = arrival_at(self.p.shape, pr, self.window_ns) as Nanos;

            // The server's token bucket.
            let s = self.server;
            self.server += 1;
            if self.server == servers {
                self.server = 0;
            }
            let elapsed = t.saturating_sub(self.last[s]).min(fill_ns);
            let tk = (self.tokens[s] + elapsed * rate).min(cap);
            self.last[s] = t.max(self.last[s]);
            let answered_at;
            if tk < one {
                self.tokens[s] = tk;
                r.rejected += 1;
                answered_at = t;
            } else {
                self.tokens[s] = tk - one;
                r.admitted += 1;
                if t >= self.flag_known_at {
                    r.sold_out += 1;
                    r.sold_out_from_flag += 1;
                    answered_at = t;
                } else {
                    let k = self.shard;
                    self.shard += 1;
                    if self.shard == shards {
                        self.shard = 0;
                    }
                    let success;
                    let done;
                    if self.p.unsafe_check {
                        // Writes issued earlier reach the counter first, in order.
                        while let Some(&(at, v)) = self.pending_sets[k].front() {
                            if at > t {
                                break;
                            }
                            self.pending_sets[k].pop_front();
                            self.free_at[k] = self.free_at[k].max(at) + op;
                            r.redis_ops += 1;
                            self.remaining[k] = v;
                        }
                        let start = self.free_at[k].max(t);
                        self.free_at[k] = start + op;
                        r.redis_ops += 1;
                        let read = self.remaining[k];
                        success = read > 0;
                        if success {
                            // Write back read - 1 later: whatever others did meanwhile is overwritten.
                            self.pending_sets[k].push_back((start + op + gap, read - 1));
                        }
                        done = start + op;
                    } else {
                        let start = self.free_at[k].max(t);
                        self.free_at[k] = start + op;
                        r.redis_ops += 1;
                        success = self.remaining[k] > 0;
                        if success {
                            self.remaining[k] -= 1;
                            if self.remaining[k] == 0 {
                                self.empty_shards += 1;
                                if self.empty_shards == shards && self.p.soldout_flag {
                                    self.flag_known_at = start + op + flag_delay;
                                }
                            }
                        }
                        done = start + op;
                    }
                    if success {
                        r.success += 1;
                        self.last_success = self.last_success.max(done);
                        // Enqueue the order; its partition's consumer writes it in turn.
                        let c = (r.success as usize) % self.consumers;
                        let w = self.consumer_free[c].max(done) + self.write_ns;
                        self.consumer_free[c] = w;
                        self.last_write = self.last_write.max(w);
                        let sec = (w / NS_PER_S) as usize;
                        if self.writes_per_s.len() <= sec {
                            self.writes_per_s.resize(sec + 1, 0);
                        }
                        self.writes_per_s[sec] += 1;
                        // Orders in the queue now: each consumer writes back to back, so the
                        // ones it still holds end every write_ns up to when it is free.
                        let backlog: u64 = self
                            .consumer_free
                            .iter()
                            .filter(|&&f| f > done)
                            .map(|&f| (f - done).div_ceil(self.write_ns))
                            .sum();
                        r.queue_backlog_peak = r.queue_backlog_peak.max(backlog);
                    } else {
                        r.sold_out += 1;
                    }
                    answered_at = done;
                }
            }
            // Runs of equal response times are recorded at once (most answers cost one round trip).
            let response = (answered_at - t + rtt).clamp(1_000, 3_600 * NS_PER_S);
            if response == self.run_value {
                self.run_len += 1;
            } else {
                if self.run_len > 0 {
                    let _ = self.hist.record_n(self.run_value, self.run_len);
                }
                self.run_value = response;
                self.run_len = 1;
            }
            self.within_1s += u64::from(response <= NS_PER_S);
            self.last_answer = self.last_answer.max(answered_at + rtt);
            self.now = t;
        }
        let did = end - self.next_user;
        self.next_user = end;
        did
    }

    /// The report of the run so far (complete once [`FlashSale::is_finished`]).
    pub fn report(&self) -> FlashSaleReport {
        let mut r = self.r.clone();
        let mut hist = self.hist.clone();
        if self.run_len > 0 {
            let _ = hist.record_n(self.run_value, self.run_len);
        }
        // The unsafe check's last writes still land (they do not change who succeeded).
        for q in &self.pending_sets {
            r.redis_ops += q.len() as u64;
        }
        let done = self.next_user.max(1);
        r.oversold = r.success.saturating_sub(self.p.stock);
        r.answered_within_1s = self.within_1s as f64 / done as f64;
        let ms = |v: u64| v as f64 / NS_PER_MS as f64;
        if !hist.is_empty() {
            r.response_p50_ms = ms(hist.value_at_quantile(0.5));
            r.response_p99_ms = ms(hist.value_at_quantile(0.99));
            r.response_max_ms = ms(hist.max());
        }
        r.queue_drain_s =
            self.last_write.saturating_sub(self.last_success) as f64 / NS_PER_S as f64;
        r.db_writes_peak_per_s = self.writes_per_s.iter().copied().max().unwrap_or(0);
        r.last_answer_s = self.last_answer as f64 / NS_PER_S as f64;
        r
    }
}

/// Runs the flash sale to the end, calling `progress(done)` every 2^22 users.
pub fn run(
    p: &FlashSaleParams,
    seed: u64,
    mut progress: impl FnMut(u64),
) -> Result<FlashSaleReport, ParamError> {
    let mut sale = FlashSale::new(p, seed)?;
    while !sale.is_finished() {
        sale.advance(1 << 22);
        progress(sale.done());
    }
    Ok(sale.report())
}

/// One-click scenarios (asserted in `sim/tests/flash_sale.rs`).
pub mod presets {
    use super::FlashSaleParams;

    /// This lab's presets.
    pub type Preset = crate::kernel::preset::Preset<FlashSaleParams>;

    pub fn all() -> Vec<Preset> {
        vec![
            // 100,000,000 users, 100,000 gifts: every user answered within a second, none oversold.
            Preset {
                id: "full_scale",
                seed: 1,
                params: FlashSaleParams::default(),
            },
            // The same sale with "read, then write read - 1": concurrent readers all succeed.
            Preset {
                id: "unsafe_oversell",
                seed: 1,
                params: FlashSaleParams {
                    unsafe_check: true,
                    ..FlashSaleParams::default()
                },
            },
            // No cached sold-out flag: every admitted request queues on the counters after the
            // stock is gone, and answers slip past one second.
            Preset {
                id: "no_soldout_flag",
                seed: 1,
                params: FlashSaleParams {
                    soldout_flag: false,
                    redis_op_us: 20,
                    ..FlashSaleParams::default()
                },
            },
        ]
    }

    pub fn by_id(id: &str) -> Option<Preset> {
        crate::kernel::preset::find(all(), id)
    }
}
