//! The flash sale: 100,000,000 users press "grab" within one second; every one gets an answer
//! (success, sold out, or rejected by the limiter) and every request is simulated individually,
//! streamed in arrival order with O(servers + shards + stock) memory.
//!
//! Pipeline: a load balancer deals requests round-robin to `servers` app servers, each with its own
//! token bucket; an admitted request checks and decrements the stock on a Redis-like single-threaded
//! counter (`shards` counters, each holding its share of the stock, each serving one operation in
//! `redis_op_us` on average, FIFO); a success is enqueued to a partitioned queue whose consumers
//! write orders to a database at `db_writes_per_s`. With `soldout_flag`, once every shard is empty
//! each app server learns it within `flag_delay_us` and answers "sold out" itself, without touching
//! Redis.
//! With `unsafe_check`, the stock check is "read, then write read - 1" (GET, then SET `unsafe_gap_us`
//! later), and concurrent requests that read the same value all succeed: an oversell, counted.
//!
//! Arrivals: request i of N gets a uniform random offset inside the i-th of N equal slices of the
//! arrival distribution's probability (stratified sampling), mapped through the inverse CDF of the
//! shape, so the stream comes out sorted without a sort.
//!
//! What the seed draws: the arrival offsets (they move only nanoseconds: with 10^8 users the
//! stream is as smooth as its shape), each counter operation's time (uniform between half and one
//! and a half times `redis_op_us`), and when each app server learns the sold-out flag (uniform
//! within `flag_delay_us`). With the presets' 10^8 users the totals (admitted, refused, sold,
//! oversold) are the same on every seed: every token bucket is saturated all the window and the
//! stock sells out either way. The timings move: the counter operations served before every server
//! has the flag, the answers it spares, the slowest answers, the order queue's peak.

use std::collections::VecDeque;

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use crate::check::oversell::Oversell;
use crate::kernel::why::{Ent, EntKind, Kind as WhyKind, WhyLog};
use why::OVERSELL_UNSAFE;

mod why;
use crate::kernel::cost::{bytes, Cost};
use crate::kernel::digest::Digest;
use crate::kernel::lab::{Checker, Cx, Extent, Lab, Milestone, NoFault, Seeds};
use crate::kernel::model::ParamError;
use crate::kernel::preset::Preset;
use crate::kernel::report::{Metric, Report};
use crate::kernel::rng::{ln_unit, SimRng};
use crate::kernel::sim::Sim;
use crate::kernel::time::{Nanos, NS_PER_MS, NS_PER_S, NS_PER_US};

/// Longest the order queue may take to drain, virtual seconds (bounds the per-second counts).
pub const MAX_DRAIN_S: u64 = 86_400;
/// Most stock × consumers (the backlog is measured over the consumers at every success).
pub const MAX_BACKLOG_WORK: u64 = 2_000_000_000;

crate::choices! {
    /// How the users' presses spread over the window.
    pub enum Shape in "shape" {
        /// Evenly over the window.
        #[default]
        Uniform = "uniform",
        /// Most at t = 0, decaying (exponential with a time constant of a fifth of the window).
        Spike = "spike",
        /// Rising linearly across the window.
        Ramp = "ramp",
    }
}

/// Bounds on the work and memory a run may take: the order queue must drain within a day of
/// virtual time, and the backlog is measured over the consumers at every success.
fn rules(p: &FlashSaleParams) -> Result<(), ParamError> {
    let drain_s = p.stock / p.db_writes_per_s as u64;
    if drain_s > MAX_DRAIN_S {
        return Err(ParamError::rule(
            "db_writes_per_s",
            p.db_writes_per_s,
            "flash_sale.rule.drain",
            vec![MAX_DRAIN_S.to_string()],
            format!(
                ">= stock / {MAX_DRAIN_S} (the orders must drain within a day of virtual time)"
            ),
        ));
    }
    let work = p.stock.saturating_mul(p.consumers.min(p.partitions) as u64);
    if work > MAX_BACKLOG_WORK {
        return Err(ParamError::rule(
            "consumers",
            p.consumers,
            "flash_sale.rule.backlog_work",
            vec![MAX_BACKLOG_WORK.to_string(), work.to_string()],
            format!("stock × consumers <= {MAX_BACKLOG_WORK} (now {work})"),
        ));
    }
    Ok(())
}

crate::knobs! {
    /// The flash sale: users, app servers with token buckets, stock counters, the order queue.
    pub struct FlashSaleParams in "flash_sale" check rules [
        "flash_sale.rule.drain",
        "flash_sale.rule.backlog_work",
    ]; {
        /// Users pressing "grab", one request each.
        @users
        users: u64 = 100_000_000 => range(1, 1_000_000_000);
        /// The window in which they press, milliseconds.
        window_ms: u32 = 1_000 => range(1, 3_600_000);
        /// How presses spread over the window.
        shape: Shape = Shape::Uniform => choice;
        /// App servers behind the load balancer.
        @servers
        servers: u32 = 200 => range(1, 100_000);
        /// Each app server's token bucket: tokens per second.
        token_rate_per_s: u32 = 5_000 => range(1, 100_000_000);
        /// Each app server's token bucket: size.
        burst: u32 = 100 => range(1, 100_000_000);
        /// Round trip between a user and the app servers, microseconds (added to every answer).
        rtt_us: u32 = 20_000 => range(0, 10_000_000).adv();
        /// Gifts in stock.
        @stock
        stock: u64 = 100_000 => range(0, 100_000_000);
        /// Counters the stock is split across (each holds an equal share).
        shards: u32 = 4 => range(1, 1_024);
        /// Time one counter takes for one operation, microseconds, on average (each takes between
        /// half and one and a half times this).
        redis_op_us: u32 = 5 => range(1, 1_000_000);
        /// App servers cache a "sold out" flag once every shard is empty.
        soldout_flag: bool = true => switch;
        /// Time for the sold-out flag to reach every app server, microseconds (each learns it at a
        /// random moment within it).
        flag_delay_us: u32 = 1_000 => range(0, 10_000_000).adv();
        /// Check stock unsafely: read, then write read - 1 later (oversells under concurrency).
        unsafe_check: bool = false => switch;
        /// Time between the read and the write of the unsafe check, microseconds.
        unsafe_gap_us: u32 = 200 => range(0, 10_000_000).adv();
        /// Partitions of the order queue.
        @orders
        partitions: u32 = 16 => range(1, 10_000);
        /// Order consumers (partitions are shared among them).
        consumers: u32 = 8 => range(1, 10_000);
        /// Orders the database can write per second, all consumers together.
        db_writes_per_s: u32 = 20_000 => range(1, 100_000_000);
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

/// The flash sale model (run by [`Sim`]; [`FlashSale`] is the run): advanced a slice of users at a
/// time (so a page can keep drawing), or all at once with [`run`].
#[derive(Clone)]
pub struct Sale {
    p: FlashSaleParams,
    rng: SimRng,
    /// Counter operation times and flag delays (a stream apart from the arrivals).
    noise: SimRng,
    next_user: u64,
    /// Arrival time of user `next_user` (drawn one ahead, so the loop knows when it is due).
    next_t: Nanos,
    window_ns: f64,
    rtt: Nanos,
    /// A counter operation takes `op_min + noise.below(op_span)`: uniform between half and one and
    /// a half times `redis_op_us`.
    op_min: Nanos,
    op_span: Nanos,
    /// When each app server learns of the sell-out, after the last shard empties.
    flag_after: Vec<Nanos>,
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
    /// When each app server knows the stock is gone (`Nanos::MAX` until it is).
    flag_known_at: Vec<Nanos>,
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
    /// A line for every sale beyond the stock.
    why: WhyLog,
    /// When the last gift of the stock sold.
    milestones: Vec<Milestone>,
}

/// A run of the flash sale.
pub type FlashSale = Sim<Sale>;

impl Sim<Sale> {
    /// A sale of `p` (validated) with `seed`.
    pub fn new(p: &FlashSaleParams, seed: u64) -> Result<Self, ParamError> {
        <Self as crate::kernel::model::Model>::new(p.clone(), seed)
    }
}

impl Sale {
    fn build_sale(p: &FlashSaleParams, seed: u64) -> Self {
        let one = NS_PER_S;
        let cap = p.burst as u64 * one;
        let rate = p.token_rate_per_s as u64;
        let shards = p.shards as usize;
        let remaining: Vec<u64> = (0..shards as u64)
            .map(|k| p.stock / shards as u64 + u64::from(k < p.stock % shards as u64))
            .collect();
        let empty_shards = remaining.iter().filter(|&&r| r == 0).count();
        let consumers = p.consumers.min(p.partitions) as usize;
        let mut noise = SimRng::derive(seed, 0xf1a6);
        let op = p.redis_op_us as u64 * NS_PER_US;
        let flag_delay = p.flag_delay_us as u64 * NS_PER_US;
        let flag_after = (0..p.servers)
            .map(|_| noise.below(flag_delay + 1))
            .collect();
        // No stock at all: sold out from the start (the flag is known only if there is one).
        let sold_out_at_start = empty_shards == shards && p.soldout_flag;
        let mut sale = Self {
            rng: SimRng::derive(seed, 0xf1a5),
            noise,
            next_user: 0,
            next_t: 0,
            window_ns: p.window_ms as f64 * NS_PER_MS as f64,
            rtt: p.rtt_us as u64 * NS_PER_US,
            op_min: op - op / 2,
            op_span: op + 1,
            flag_after,
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
            flag_known_at: vec![
                if sold_out_at_start { 0 } else { Nanos::MAX };
                p.servers as usize
            ],
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
            why: WhyLog::new(why::KINDS),
            milestones: Vec::new(),
            p: p.clone(),
        };
        sale.next_t = sale.draw_arrival(0);
        sale
    }

    /// Arrival time of user `i`: a uniform offset inside the i-th of N equal slices of the shape's
    /// probability, through its inverse CDF (the stream comes out sorted).
    fn draw_arrival(&mut self, i: u64) -> Nanos {
        let pr = (i as f64 + self.rng.unit_f64()) / self.p.users as f64;
        arrival_at(self.p.shape, pr, self.window_ns) as Nanos
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

    /// Running counts so far (answers by kind, admitted, oversold, Redis operations, backlog peak).
    pub fn counts(&self) -> &FlashSaleReport {
        &self.r
    }

    /// Simulates the users who arrive at or before `until`, at most `max_users` of them; returns
    /// how many.
    // Never inlined: callers built for size (the page, at `opt-level = "z"`) would otherwise pull
    // the hot loop into their own size-optimised code (measured: 1.8 s against 1.1 s in Chromium).
    #[inline(never)]
    fn take(&mut self, until: Nanos, max_users: u64) -> (u64, u64) {
        // Every arrival is inside the window: past its end, no user needs the check.
        if until as f64 >= self.window_ns {
            self.take_users::<false>(until, max_users)
        } else {
            self.take_users::<true>(until, max_users)
        }
    }

    #[inline(always)]
    /// Returns (users taken, extra work): a success also measures the order queue's backlog over
    /// every consumer, work that counts against `budget` with the users.
    fn take_users<const CHECK_UNTIL: bool>(&mut self, until: Nanos, budget: u64) -> (u64, u64) {
        let first = self.next_user;
        let last = (self.next_user + budget).min(self.p.users);
        let per_success = self.consumer_free.len() as u64;
        let mut extra = 0u64;
        let n = self.p.users;
        let inv_n = 1.0 / n as f64;
        let servers = self.tokens.len();
        let shards = self.remaining.len();
        let (one, cap, rate, fill_ns) = (self.one, self.cap, self.rate, self.fill_ns);
        let (rtt, gap) = (self.rtt, self.gap);
        let r = &mut self.r;
        let (shape, window_ns) = (self.p.shape, self.window_ns);
        let mut end = self.next_user;
        let mut next_t = self.next_t;
        while end < last && end - first + extra < budget {
            let t = next_t;
            if CHECK_UNTIL && t > until {
                break;
            }
            end += 1;
            if end < n {
                let pr = (end as f64 + self.rng.unit_f64()) * inv_n;
                next_t = arrival_at(shape, pr, window_ns) as Nanos;
            }

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
                if t >= self.flag_known_at[s] {
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
                            let op = self.op_min + self.noise.below(self.op_span);
                            self.free_at[k] = self.free_at[k].max(at) + op;
                            r.redis_ops += 1;
                            self.remaining[k] = v;
                        }
                        let start = self.free_at[k].max(t);
                        let op = self.op_min + self.noise.below(self.op_span);
                        self.free_at[k] = start + op;
                        r.redis_ops += 1;
                        let read = self.remaining[k];
                        success = read > 0;
                        if success && r.success >= self.p.stock {
                            // This sale is beyond the stock: note why.
                            let args = [
                                r.success as i64 + 1,
                                self.p.stock as i64,
                                k as i64,
                                read as i64,
                                read as i64 - 1,
                                gap as i64,
                            ];
                            let ents = [Ent::new(EntKind::Node, k as u32)];
                            self.why.note(start + op, OVERSELL_UNSAFE, &args, &ents);
                        }
                        if success {
                            // Write back read - 1 later: whatever others did meanwhile is overwritten.
                            self.pending_sets[k].push_back((start + op + gap, read - 1));
                        }
                        done = start + op;
                    } else {
                        let start = self.free_at[k].max(t);
                        let op = self.op_min + self.noise.below(self.op_span);
                        self.free_at[k] = start + op;
                        r.redis_ops += 1;
                        success = self.remaining[k] > 0;
                        if success {
                            self.remaining[k] -= 1;
                            if self.remaining[k] == 0 {
                                self.empty_shards += 1;
                                if self.empty_shards == shards && self.p.soldout_flag {
                                    for (known, after) in
                                        self.flag_known_at.iter_mut().zip(&self.flag_after)
                                    {
                                        *known = start + op + after;
                                    }
                                }
                            }
                        }
                        done = start + op;
                    }
                    if success {
                        r.success += 1;
                        self.last_success = self.last_success.max(done);
                        if r.success == self.p.stock {
                            self.milestones.push(Milestone {
                                at: self.last_success,
                                key: "sold_out",
                            });
                        }
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
                        extra += per_success;
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
        self.next_t = next_t;
        let did = end - self.next_user;
        self.next_user = end;
        (did, extra)
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
        let mut sales = Oversell::new(self.p.stock);
        sales.sell_n(r.success);
        r.oversold = sales.oversold();
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

/// The flash sale's metrics.
pub mod metrics {
    crate::metrics! {
        in "flash_sale.m";
        /// Users simulated so far.
        USERS = users: count;
        /// Answered "you got it".
        SUCCESS = success: count, key;
        /// Answered "sold out".
        SOLD_OUT = sold_out: count, key;
        /// Refused by their app server's token bucket.
        REJECTED = rejected: count, key;
        /// Passed their server's token bucket.
        ADMITTED = admitted: count;
        /// Answered "sold out" by an app server from the cached flag, without touching Redis.
        SOLD_OUT_FROM_FLAG = sold_out_from_flag: count;
        /// Successes beyond the stock (0 with the atomic decrement).
        OVERSOLD = oversold: count, checker, key;
        /// Share of users answered within 1 s of pressing.
        ANSWERED_WITHIN_1S = answered_within_1s: share, key;
        /// Median response time, milliseconds.
        RESPONSE_P50 = response_p50_ms: ms;
        /// 99th percentile response time, milliseconds.
        RESPONSE_P99 = response_p99_ms: ms, key;
        /// Slowest response, milliseconds.
        RESPONSE_MAX = response_max_ms: ms;
        /// Counter operations (reads, decrements, writes) served by all shards.
        REDIS_OPS = redis_ops: count;
        /// Most orders waiting in the queue at once.
        QUEUE_BACKLOG_PEAK = queue_backlog_peak: count;
        /// From the last success to the last order written, seconds.
        QUEUE_DRAIN = queue_drain_s: secs;
        /// Orders written per second by the database, in the busiest second.
        DB_WRITES_PEAK = db_writes_peak_per_s: per_s;
        /// Virtual time of the last answer, seconds.
        LAST_ANSWER = last_answer_s: secs;
    }
}

impl Lab for Sale {
    const ID: &'static str = "flash-sale";
    const ABOUT: &'static str =
        "100,000,000 users grab a gift within one second; every request simulated; reports answers, oversell, response times and wall-clock requests_per_s";
    type Params = FlashSaleParams;
    type Event = ();
    type Fault = NoFault;
    /// The picture needs only the counts so far.
    type Snapshot = FlashSaleReport;
    type View = ();

    fn build(p: &FlashSaleParams, seeds: Seeds, _cx: &mut Cx<()>) -> Self {
        Sale::build_sale(p, seeds.seed())
    }

    fn params(&self) -> &FlashSaleParams {
        &self.p
    }

    fn handle(&mut self, _cx: &mut Cx<()>, _ev: ()) {}

    fn source_time(&self) -> Option<Nanos> {
        (self.next_user < self.p.users).then_some(self.next_t)
    }

    fn on_source(&mut self, cx: &mut Cx<()>) {
        let (_, extra) = self.take(Nanos::MAX, 1);
        cx.work(extra);
    }

    fn run_source(&mut self, cx: &mut Cx<()>, until: Nanos, budget: u64) -> u64 {
        let (n, extra) = self.take(until, budget);
        cx.set_now(self.now);
        cx.work(extra);
        n
    }

    fn snapshot(&self, _now: Nanos, _view: &(), out: &mut FlashSaleReport) {
        *out = self.report();
    }

    fn metrics() -> &'static [&'static Metric] {
        metrics::ALL
    }

    fn report(&self, _now: Nanos, r: &mut Report) {
        use metrics::*;
        let f = self.report();
        r.count(&USERS, self.done());
        r.count(&SUCCESS, f.success);
        r.count(&SOLD_OUT, f.sold_out);
        r.count(&REJECTED, f.rejected);
        r.count(&ADMITTED, f.admitted);
        r.count(&SOLD_OUT_FROM_FLAG, f.sold_out_from_flag);
        r.count(&OVERSOLD, f.oversold);
        r.real(&ANSWERED_WITHIN_1S, f.answered_within_1s);
        r.real(&RESPONSE_P50, f.response_p50_ms);
        r.real(&RESPONSE_P99, f.response_p99_ms);
        r.real(&RESPONSE_MAX, f.response_max_ms);
        r.count(&REDIS_OPS, f.redis_ops);
        r.count(&QUEUE_BACKLOG_PEAK, f.queue_backlog_peak);
        r.real(&QUEUE_DRAIN, f.queue_drain_s);
        r.count(&DB_WRITES_PEAK, f.db_writes_peak_per_s);
        r.real(&LAST_ANSWER, f.last_answer_s);
    }

    /// The integers of the report (the reals derive from them).
    fn digest(&self, now: Nanos, d: &mut Digest) {
        let f = self.report();
        d.u64(now)
            .u64(self.done())
            .u64(f.success)
            .u64(f.sold_out)
            .u64(f.rejected)
            .u64(f.admitted)
            .u64(f.sold_out_from_flag)
            .u64(f.oversold)
            .u64(f.redis_ops)
            .u64(f.queue_backlog_peak)
            .u64(f.db_writes_peak_per_s)
            .u64(f.response_p99_ms.to_bits())
            .u64(f.last_answer_s.to_bits());
    }

    fn extent(p: &FlashSaleParams) -> Extent {
        Extent::Items {
            count: p.users,
            unit: "users",
        }
    }

    fn checkers() -> &'static [Checker] {
        &[Checker::Oversell, Checker::Accounting]
    }

    fn why_kinds() -> &'static [WhyKind] {
        why::KINDS
    }

    fn why(&self) -> Option<&WhyLog> {
        Some(&self.why)
    }

    fn milestones(&self) -> &[Milestone] {
        &self.milestones
    }

    /// Users stream through (no per-user memory). What grows: the unsafe check's pending writes
    /// (every success whose write has not landed: at most what the limiters admit within the gap),
    /// and the database's per-second counts (as many seconds as the orders take to drain). Work:
    /// every user, plus a scan of the consumers at every success.
    fn cost(p: &FlashSaleParams) -> Cost {
        let window_s = p.window_ms as f64 / 1e3;
        let servers = p.servers as u64;
        let admit = |secs: f64| {
            servers.saturating_mul(p.burst as u64).saturating_add(
                (servers as f64 * p.token_rate_per_s as f64 * secs).min(u64::MAX as f64 / 2.0)
                    as u64,
            )
        };
        let admitted = p.users.min(admit(window_s));
        let successes = if p.unsafe_check {
            admitted
        } else {
            admitted.min(p.stock)
        };
        let pending = if p.unsafe_check {
            // The longest counter operation is one and a half times `redis_op_us`.
            let gap_s = (p.unsafe_gap_us as f64 + 1.5 * p.redis_op_us as f64) / 1e6;
            admitted.min(admit(gap_s)).saturating_add(p.shards as u64)
        } else {
            0
        };
        let seconds = (window_s as u64 + 2)
            .saturating_add(successes / p.db_writes_per_s as u64 + 1)
            .saturating_mul(2);
        let consumers = p.consumers.min(p.partitions) as u64;
        // Every user is one unit, and every success wakes each consumer of its partition queue
        // once; spread over the sale's window.
        let wakes = successes.saturating_mul(consumers);
        let work = p.users.saturating_add(wakes);
        let span_s = window_s.max(1e-3);
        // Measured natively (BENCHMARKS.md): about 16 ns a user, 4 ns a consumer's wake.
        let unit_ns = (p.users as f64 * 16.0 + wakes as f64 * 4.0) / work.max(1) as f64;
        Cost::new()
            .part("the unsafe check's pending writes", bytes(pending, 32), &["unsafe_gap_us", "token_rate_per_s", "burst", "servers"])
            .part("the database's per-second counts", bytes(seconds, 8), &["db_writes_per_s", "stock"])
            // Per server: its bucket (tokens, last refill) and when it learns the stock is gone.
            .part("the app servers' token buckets", bytes(servers, 32), &["servers"])
            .part("the why log", WhyLog::bytes(why::KINDS.len()), &[])
            .part("the stock shards and consumers", bytes(p.shards as u64 * 64 + consumers * 8, 1), &["shards", "consumers"])
            .work((work as f64 / span_s) as u64)
            .ends_after(span_s)
            .unit_ns(unit_ns.ceil() as u64)
    }

    fn presets() -> Vec<Preset<FlashSaleParams>> {
        presets::all()
    }

    fn queue_capacity(_: &FlashSaleParams) -> usize {
        1
    }
}

/// One-click scenarios (asserted in `sim/tests/flash_sale.rs`).
pub mod presets {
    use super::FlashSaleParams;

    /// This lab's presets.
    pub type Preset = crate::kernel::preset::Preset<FlashSaleParams>;

    pub fn all() -> Vec<Preset> {
        vec![
            // 100,000,000 users, 100,000 gifts: about 99% refused by the limiters, exactly the stock
            // sold, about 95% of the rest answered from the flag, everyone within a second.
            Preset {
                id: "full_scale",
                seed: 1,
                headline: "answered_within_1s",
                params: FlashSaleParams::default(),
            },
            // The same sale with "read, then write read - 1": concurrent readers all succeed, about
            // ten times the stock is sold.
            Preset {
                id: "unsafe_oversell",
                seed: 1,
                headline: "oversold",
                params: FlashSaleParams {
                    unsafe_check: true,
                    ..FlashSaleParams::default()
                },
            },
            // No cached sold-out flag: every admitted request queues on the counters after the
            // stock is gone; about three in four admitted are answered after more than a second.
            Preset {
                id: "no_soldout_flag",
                seed: 1,
                headline: "redis_ops",
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
