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
        check_range("db_writes_per_s", self.db_writes_per_s, 1, 100_000_000)
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

/// Runs the flash sale, calling `progress(done)` every 2^22 users.
pub fn run(
    p: &FlashSaleParams,
    seed: u64,
    mut progress: impl FnMut(u64),
) -> Result<FlashSaleReport, ParamError> {
    p.validate()?;
    let mut rng = SimRng::derive(seed, 0xf1a5);
    let n = p.users;
    let window_ns = p.window_ms as f64 * NS_PER_MS as f64;
    let rtt = p.rtt_us as u64 * NS_PER_US;
    let op = p.redis_op_us as u64 * NS_PER_US;
    let flag_delay = p.flag_delay_us as u64 * NS_PER_US;
    let gap = p.unsafe_gap_us as u64 * NS_PER_US;

    // Token buckets, in nano-tokens, one per server (all full at the start).
    let servers = p.servers as usize;
    let one = NS_PER_S;
    let cap = p.burst as u64 * one;
    let rate = p.token_rate_per_s as u64;
    let fill_ns = cap / rate + 1;
    let mut tokens = vec![cap; servers];
    let mut last = vec![0u64; servers];
    let mut server = 0usize;

    // Stock shards: remaining (for the atomic check) or the stored value (for the unsafe one), the
    // time each counter is free, and the unsafe check's pending writes (time, value), in order.
    let shards = p.shards as usize;
    let mut remaining: Vec<u64> = (0..shards as u64)
        .map(|k| p.stock / shards as u64 + u64::from(k < p.stock % shards as u64))
        .collect();
    let mut free_at = vec![0u64; shards];
    let mut pending_sets: Vec<VecDeque<(Nanos, u64)>> = vec![VecDeque::new(); shards];
    let mut empty_shards = remaining.iter().filter(|&&r| r == 0).count();
    let mut shard = 0usize;
    // When every server knows the stock is gone.
    let mut flag_known_at = if empty_shards == shards { 0 } else { u64::MAX };

    // Orders: one consumer per partition group; each writes at db_rate / consumers.
    let consumers = p.consumers.min(p.partitions) as usize;
    let write_ns = (NS_PER_S * consumers as u64).div_ceil(p.db_writes_per_s as u64);
    let mut consumer_free = vec![0u64; consumers];
    let mut order_done: VecDeque<Nanos> = VecDeque::new(); // completion times, to measure backlog
    let mut last_success: Nanos = 0;
    let mut last_write: Nanos = 0;
    let mut writes_per_s: Vec<u64> = Vec::new();

    let mut hist = Histogram::<u64>::new_with_bounds(1_000, 3_600 * NS_PER_S, 2)
        .expect("static histogram bounds");
    let mut r = FlashSaleReport {
        users: n,
        ..Default::default()
    };
    let mut within_1s = 0u64;
    // Runs of equal response times are recorded at once (most answers cost exactly one round trip).
    let mut run_value: u64 = 0;
    let mut run_len: u64 = 0;
    let mut last_answer: Nanos = 0;
    let mut successes_total = 0u64;
    let inv_n = 1.0 / n as f64;

    for i in 0..n {
        if i & ((1 << 22) - 1) == 0 && i > 0 {
            progress(i);
        }
        let pr = (i as f64 + rng.unit_f64()) * inv_n;
        let t = arrival_at(p.shape, pr, window_ns) as Nanos;

        // The server's token bucket.
        let s = server;
        server += 1;
        if server == servers {
            server = 0;
        }
        let elapsed = t.saturating_sub(last[s]).min(fill_ns);
        let tk = (tokens[s] + elapsed * rate).min(cap);
        last[s] = t.max(last[s]);
        let answered_at;
        if tk < one {
            tokens[s] = tk;
            r.rejected += 1;
            answered_at = t;
        } else {
            tokens[s] = tk - one;
            r.admitted += 1;
            if t >= flag_known_at {
                r.sold_out += 1;
                r.sold_out_from_flag += 1;
                answered_at = t;
            } else {
                let k = shard;
                shard += 1;
                if shard == shards {
                    shard = 0;
                }
                let success;
                let done;
                if p.unsafe_check {
                    // Writes issued earlier reach the counter first, in order.
                    while let Some(&(at, v)) = pending_sets[k].front() {
                        if at > t {
                            break;
                        }
                        pending_sets[k].pop_front();
                        free_at[k] = free_at[k].max(at) + op;
                        r.redis_ops += 1;
                        remaining[k] = v;
                    }
                    let start = free_at[k].max(t);
                    free_at[k] = start + op;
                    r.redis_ops += 1;
                    let read = remaining[k];
                    success = read > 0;
                    if success {
                        // Write back read - 1 later: whatever others did meanwhile is overwritten.
                        pending_sets[k].push_back((start + op + gap, read - 1));
                    }
                    done = start + op;
                } else {
                    let start = free_at[k].max(t);
                    free_at[k] = start + op;
                    r.redis_ops += 1;
                    success = remaining[k] > 0;
                    if success {
                        remaining[k] -= 1;
                        if remaining[k] == 0 {
                            empty_shards += 1;
                            if empty_shards == shards && p.soldout_flag {
                                flag_known_at = start + op + flag_delay;
                            }
                        }
                    }
                    done = start + op;
                }
                if success {
                    r.success += 1;
                    successes_total += 1;
                    last_success = last_success.max(done);
                    // Enqueue the order; its partition's consumer writes it in turn.
                    let c = (successes_total as usize) % consumers;
                    let w = consumer_free[c].max(done) + write_ns;
                    consumer_free[c] = w;
                    last_write = last_write.max(w);
                    let sec = (w / NS_PER_S) as usize;
                    if writes_per_s.len() <= sec {
                        writes_per_s.resize(sec + 1, 0);
                    }
                    writes_per_s[sec] += 1;
                    while order_done.front().is_some_and(|&d| d <= done) {
                        order_done.pop_front();
                    }
                    let pos = order_done.partition_point(|&d| d <= w);
                    order_done.insert(pos, w);
                    r.queue_backlog_peak = r.queue_backlog_peak.max(order_done.len() as u64);
                } else {
                    r.sold_out += 1;
                }
                answered_at = done;
            }
        }
        let response = (answered_at - t + rtt).clamp(1_000, 3_600 * NS_PER_S);
        if response == run_value {
            run_len += 1;
        } else {
            if run_len > 0 {
                let _ = hist.record_n(run_value, run_len);
            }
            run_value = response;
            run_len = 1;
        }
        within_1s += u64::from(response <= NS_PER_S);
        last_answer = last_answer.max(answered_at + rtt);
    }
    if run_len > 0 {
        let _ = hist.record_n(run_value, run_len);
    }
    progress(n);
    // The unsafe check's last writes still land (they do not change who succeeded).
    for q in &pending_sets {
        r.redis_ops += q.len() as u64;
    }
    r.oversold = r.success.saturating_sub(p.stock);
    r.answered_within_1s = within_1s as f64 / n as f64;
    let ms = |v: u64| v as f64 / NS_PER_MS as f64;
    r.response_p50_ms = ms(hist.value_at_quantile(0.5));
    r.response_p99_ms = ms(hist.value_at_quantile(0.99));
    r.response_max_ms = ms(hist.max());
    r.queue_drain_s = last_write.saturating_sub(last_success) as f64 / NS_PER_S as f64;
    r.db_writes_peak_per_s = writes_per_s.iter().copied().max().unwrap_or(0);
    r.last_answer_s = last_answer as f64 / NS_PER_S as f64;
    Ok(r)
}
