use std::collections::VecDeque;

use super::algo::{FixedWindow, LeakyBucket, SlidingCounter, SlidingLog, TokenBucket, Verdict};
use super::params::LimiterParams;
use super::Algo;
use crate::check::accounting::sums_to;
use crate::kernel::cost::{bytes, Cost};
use crate::kernel::digest::Digest;
use crate::kernel::knobs::Knobs;
use crate::kernel::lab::{Checker, Cx, Lab, NoFault, Seeds};
use crate::kernel::metrics::{Combine, LatencyHistogram, TimeSeries};
use crate::kernel::model::{Model, ParamError};
use crate::kernel::preset::Preset;
use crate::kernel::report::{Metric, Report};
use crate::kernel::rng::splitmix64;
use crate::kernel::sim::Sim;
use crate::kernel::time::{Nanos, NS_PER_MS, NS_PER_S};
use crate::kernel::traffic::{Arrival, TrafficGen};
use crate::kernel::why::{Kind as WhyKind, WhyLog};

use super::why;

/// Chart history kept per series, in buckets.
pub const SERIES_CAPACITY: usize = 2_400;
/// Recent requests kept for drawing.
const RECENT_CAPACITY: usize = 4_096;
/// Upcoming arrivals drawn ahead of time for drawing (the stream itself is unaffected).
const UPCOMING_CAPACITY: usize = 2_048;
/// Most particles drawn per lane; past it the lane is drawn as a flow.
const MAX_PARTICLES_PER_LANE: usize = 600;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// A request leaves the leaky bucket's queue.
    LeakyDeparture { arrived_at: Nanos },
    /// The scheduled change of the token refill rate.
    TokenRate(u32),
}

/// What one lane did with one request (kept for drawing).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Accepted,
    Rejected,
    Queued { depart_at: Nanos },
}

#[derive(Clone, Copy, Debug)]
struct Recent {
    at: Nanos,
    outcomes: [Outcome; 5],
}

/// Counts and series of one lane.
#[derive(Clone, Debug)]
pub struct LaneStats {
    pub algo: Algo,
    /// Requests offered to this lane.
    pub arrived: u64,
    /// Requests let through (for the leaky bucket: when they leave the queue).
    pub accepted: u64,
    /// Requests refused (for the leaky bucket: dropped because the queue was full).
    pub rejected: u64,
    /// Accepted per chart bucket.
    pub accepted_series: TimeSeries,
    /// Rejected per chart bucket.
    pub rejected_series: TimeSeries,
    /// Most accepted in the trailing compare window, per chart bucket.
    pub window_series: TimeSeries,
    /// Most requests accepted in any window of length W so far.
    pub max_in_window: u64,
    /// When that maximum was reached.
    pub max_in_window_at: Nanos,
    /// Acceptances after which the trailing window held more than the nominal limit.
    pub over_limit: u64,
    /// Time from arrival to being let through (non-zero only for the leaky bucket).
    pub delay: LatencyHistogram,
    /// The nominal limit over W as a fraction `num / den` (limit x W / window, or rate x W).
    nominal_num: u128,
    nominal_den: u128,
    /// Acceptance times inside the trailing compare window.
    in_window: VecDeque<Nanos>,
    /// The trailing window holds more than the limit now (an episode the log noted).
    over_now: bool,
    /// The refusals in a row so far, and when the first came.
    refused_run: (u64, Nanos),
}

impl LaneStats {
    fn new(algo: Algo, bucket_ns: Nanos, nominal_num: u128, nominal_den: u128) -> Self {
        Self {
            algo,
            arrived: 0,
            accepted: 0,
            rejected: 0,
            accepted_series: TimeSeries::new(bucket_ns, SERIES_CAPACITY, Combine::Sum),
            rejected_series: TimeSeries::new(bucket_ns, SERIES_CAPACITY, Combine::Sum),
            window_series: TimeSeries::new(bucket_ns, SERIES_CAPACITY, Combine::Max),
            max_in_window: 0,
            max_in_window_at: 0,
            over_limit: 0,
            delay: LatencyHistogram::new(),
            nominal_num,
            nominal_den,
            in_window: VecDeque::new(),
            over_now: false,
            refused_run: (0, 0),
        }
    }

    /// The nominal limit over the compare window (may be fractional).
    pub fn nominal_limit(&self) -> f64 {
        self.nominal_num as f64 / self.nominal_den as f64
    }

    /// Requests accepted in the trailing compare window as of the last event.
    pub fn in_window_now(&self) -> u64 {
        self.in_window.len() as u64
    }

    fn evict(&mut self, t: Nanos, w: Nanos) {
        while let Some(&f) = self.in_window.front() {
            if f + w <= t {
                self.in_window.pop_front();
            } else {
                break;
            }
        }
    }

    /// `why` notes a window going over the limit, and the refusals in a row this ends.
    fn accept(&mut self, t: Nanos, w: Nanos, why: &mut WhyLog) {
        self.accepted += 1;
        self.accepted_series.record(t, 1);
        self.evict(t, w);
        self.in_window.push_back(t);
        let n = self.in_window.len() as u64;
        self.window_series.record(t, n);
        if n > self.max_in_window {
            self.max_in_window = n;
            self.max_in_window_at = t;
        }
        let over = n as u128 * self.nominal_den > self.nominal_num;
        if over {
            self.over_limit += 1;
        }
        let w_ns = w as i64;
        let limit = (self.nominal_num / self.nominal_den.max(1)) as i64;
        if over && !self.over_now {
            why.note(t, why::over_kind(self.algo), &[n as i64, w_ns, limit], &why::lane(self.algo));
        }
        self.over_now = over;
        let (run, since) = std::mem::take(&mut self.refused_run);
        if run >= why::BURST_MIN {
            let args = [run as i64, since as i64, (t - since) as i64];
            why.note(t, why::refused_kind(self.algo), &args, &why::lane(self.algo));
        }
    }

    fn reject(&mut self, t: Nanos) {
        self.rejected += 1;
        self.rejected_series.record(t, 1);
        if self.refused_run.0 == 0 {
            self.refused_run.1 = t;
        }
        self.refused_run.0 += 1;
    }

    fn touch(&mut self, t: Nanos, w: Nanos) {
        self.accepted_series.touch(t);
        self.rejected_series.touch(t);
        self.evict(t, w);
        self.window_series.record(t, self.in_window.len() as u64);
    }
}

/// How the picture maps time onto the lanes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct View {
    /// Virtual time a request takes from the client to its limiter's gate.
    pub lead_ns: Nanos,
    /// Virtual time a request takes from the gate to the exit (or to fall away when refused).
    pub trail_ns: Nanos,
}

impl Default for View {
    fn default() -> Self {
        Self {
            lead_ns: 400 * NS_PER_MS,
            trail_ns: 1_200 * NS_PER_MS,
        }
    }
}

/// A request drawn on screen.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Particle {
    /// 0..=1 along its path.
    pub progress: f32,
    /// A stable pseudo-random number in 0..1 to spread particles across the lane.
    pub jitter: f32,
}

/// A gauge drawn on a lane: window count, log size, estimate, tokens or queue.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Gauge {
    pub value: f64,
    pub max: f64,
    /// How far through the current window (window algorithms).
    pub window_progress: Option<f32>,
}

/// One lane of the picture.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct LaneView {
    /// Let through, moving from the gate to the exit.
    pub passed: Vec<Particle>,
    /// Refused, falling away from the gate.
    pub dropped: Vec<Particle>,
    /// Waiting in the leaky bucket's queue.
    pub waiting: u32,
    pub gauge: Gauge,
    /// Too many to draw one by one: drawn as a flow instead.
    pub dense: bool,
    /// Let through / refused during the trail span (for the flow drawing).
    pub passed_count: u32,
    pub dropped_count: u32,
}

/// What the canvas draws, filled in place each frame.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct LimiterSnapshot {
    pub now: Nanos,
    /// Requests on their way to the gates (the same for every lane).
    pub incoming: Vec<Particle>,
    pub incoming_count: u32,
    pub lanes: [LaneView; 5],
}

/// The rate-limiter lab model (run by [`Sim`]; [`LimiterLab`] is the run).
#[derive(Clone)]
pub struct Limiter {
    params: LimiterParams,
    compare_ns: Nanos,
    traffic: TrafficGen,
    traffic_done: bool,
    upcoming: VecDeque<Arrival>,
    lookahead_ns: Nanos,
    fixed: FixedWindow,
    log: SlidingLog,
    counter: SlidingCounter,
    token: TokenBucket,
    leaky: LeakyBucket,
    lanes: [LaneStats; 5],
    recent: VecDeque<Recent>,
    arrived: u64,
    /// Requests in the leaky bucket not yet let through (queued, departure not yet processed).
    leaky_waiting: u64,
    /// A line for every window over the limit and every burst of refusals.
    why: WhyLog,
}

/// A run of the rate-limiter lab.
pub type LimiterLab = Sim<Limiter>;

impl Limiter {
    pub fn params(&self) -> &LimiterParams {
        &self.params
    }

    pub fn lanes(&self) -> &[LaneStats; 5] {
        &self.lanes
    }

    pub fn lane(&self, algo: Algo) -> &LaneStats {
        &self.lanes[algo.index()]
    }

    /// Requests that arrived so far (every lane sees all of them).
    pub fn arrived(&self) -> u64 {
        self.arrived
    }

    /// Requests in the leaky bucket not yet let through (exact even mid-step: a departure due now
    /// but not yet processed still counts as queued).
    pub fn leaky_queued(&self) -> u64 {
        self.leaky_waiting
    }

    pub fn token_rate_per_s(&self) -> u32 {
        self.token.rate_per_s()
    }

    /// Changes the token bucket's refill rate at `now`, while running (valid rate).
    fn change_token_rate(&mut self, now: Nanos, rate_per_s: u32) {
        self.token.set_rate(now, rate_per_s);
        // A live change is the user's new setting: the params follow it. (A scheduled change is
        // part of the run and leaves them as given.)
        self.params.token_bucket.rate_per_s = rate_per_s;
        self.refresh_token_nominal();
    }

    fn refresh_token_nominal(&mut self) {
        let lane = &mut self.lanes[Algo::TokenBucket.index()];
        lane.nominal_num = self.token.rate_per_s() as u128 * self.compare_ns as u128;
        lane.nominal_den = NS_PER_S as u128;
    }

    /// How far ahead of the clock arrivals are drawn for the picture. Does not change the run.
    fn set_lookahead(&mut self, now: Nanos, ns: Nanos) {
        self.lookahead_ns = ns;
        self.fill_upcoming(now);
    }

    fn fill_upcoming(&mut self, now: Nanos) {
        let horizon = now.saturating_add(self.lookahead_ns);
        while !self.traffic_done
            && self.upcoming.len() < UPCOMING_CAPACITY
            && self.upcoming.back().is_none_or(|a| a.at <= horizon)
        {
            match self.traffic.next_arrival() {
                Some(a) => self.upcoming.push_back(a),
                None => self.traffic_done = true,
            }
        }
    }

    fn on_arrival(&mut self, cx: &mut Cx<Event>, a: Arrival) {
        let t = a.at;
        self.arrived += 1;
        let w = self.compare_ns;
        let verdicts = [
            self.fixed.offer(t),
            self.log.offer(t),
            self.counter.offer(t),
            self.token.offer(t),
            self.leaky.offer(t),
        ];
        let mut outcomes = [Outcome::Accepted; 5];
        for (i, v) in verdicts.into_iter().enumerate() {
            let lane = &mut self.lanes[i];
            lane.arrived += 1;
            outcomes[i] = match v {
                Verdict::Accept => {
                    lane.accept(t, w, &mut self.why);
                    lane.delay.record(0);
                    Outcome::Accepted
                }
                Verdict::Reject => {
                    lane.reject(t);
                    Outcome::Rejected
                }
                Verdict::Queue { depart_at } => {
                    self.leaky_waiting += 1;
                    // Bounded: at most `capacity` departures are pending at once.
                    if cx
                        .at(depart_at, Event::LeakyDeparture { arrived_at: t })
                        .is_err()
                    {
                        unreachable!("event queue sized for the leaky bucket's capacity");
                    }
                    Outcome::Queued { depart_at }
                }
            };
        }
        if self.recent.len() == RECENT_CAPACITY {
            self.recent.pop_front();
        }
        self.recent.push_back(Recent { at: t, outcomes });
    }

    /// Fills `out` with what to draw at `now`. Reuses `out`'s buffers.
    fn fill_snapshot(&self, now: Nanos, view: View, out: &mut LimiterSnapshot) {
        out.now = now;
        out.incoming.clear();
        out.incoming_count = 0;
        let lead = view.lead_ns.max(1);
        let trail = view.trail_ns.max(1);
        for a in self.upcoming.iter().take_while(|a| a.at <= now + lead) {
            out.incoming_count += 1;
            if out.incoming.len() < MAX_PARTICLES_PER_LANE {
                let progress = 1.0 - (a.at.saturating_sub(now)) as f32 / lead as f32;
                out.incoming.push(Particle {
                    progress,
                    jitter: jitter(a.at),
                });
            }
        }
        for lane in out.lanes.iter_mut() {
            lane.passed.clear();
            lane.dropped.clear();
            lane.passed_count = 0;
            lane.dropped_count = 0;
            lane.waiting = 0;
        }
        let since = now.saturating_sub(trail);
        for r in self.recent.iter().rev() {
            // Leaky-bucket requests can leave long after arriving: keep scanning while any may show.
            if r.at < since
                && !matches!(r.outcomes[4], Outcome::Queued { depart_at } if depart_at + trail > now)
            {
                if r.at + trail < since {
                    break;
                }
                continue;
            }
            let j = jitter(r.at);
            for (i, o) in r.outcomes.iter().enumerate() {
                let lane = &mut out.lanes[i];
                let left_at = match *o {
                    Outcome::Accepted | Outcome::Rejected => r.at,
                    Outcome::Queued { depart_at } => {
                        if depart_at > now {
                            lane.waiting += 1;
                            continue;
                        }
                        depart_at
                    }
                };
                let age = now.saturating_sub(left_at);
                if age > trail {
                    continue;
                }
                let p = Particle {
                    progress: age as f32 / trail as f32,
                    jitter: j,
                };
                if matches!(o, Outcome::Rejected) {
                    lane.dropped_count += 1;
                    if lane.dropped.len() < MAX_PARTICLES_PER_LANE {
                        lane.dropped.push(p);
                    }
                } else {
                    lane.passed_count += 1;
                    if lane.passed.len() < MAX_PARTICLES_PER_LANE {
                        lane.passed.push(p);
                    }
                }
            }
        }
        let ring_full = self.recent.len() == RECENT_CAPACITY
            && self.recent.front().is_some_and(|r| r.at >= since);
        for (i, lane) in out.lanes.iter_mut().enumerate() {
            lane.dense = ring_full
                || lane.passed_count as usize > MAX_PARTICLES_PER_LANE
                || lane.dropped_count as usize > MAX_PARTICLES_PER_LANE
                || out.incoming_count as usize > MAX_PARTICLES_PER_LANE;
            lane.gauge = self.gauge_at(now, Algo::ALL[i]);
        }
    }

    /// The gauge of one lane at `t`.
    pub fn gauge_at(&self, t: Nanos, algo: Algo) -> Gauge {
        let p = &self.params;
        match algo {
            Algo::FixedWindow => {
                let (c, progress) = self.fixed.gauge(t);
                Gauge {
                    value: c as f64,
                    max: p.fixed_window.limit as f64,
                    window_progress: Some(progress),
                }
            }
            Algo::SlidingLog => Gauge {
                value: self.log.gauge(t) as f64,
                max: p.sliding_log.limit as f64,
                window_progress: None,
            },
            Algo::SlidingCounter => {
                let w = p.sliding_counter.window_ms as u64 * NS_PER_MS;
                Gauge {
                    value: self.counter.gauge(t),
                    max: p.sliding_counter.limit as f64,
                    window_progress: Some((t % w) as f32 / w as f32),
                }
            }
            Algo::TokenBucket => Gauge {
                value: self.token.tokens(t),
                max: self.token.burst() as f64,
                window_progress: None,
            },
            Algo::LeakyBucket => Gauge {
                value: self.leaky.queued(t) as f64,
                max: self.leaky.capacity() as f64,
                window_progress: None,
            },
        }
    }

    /// Every request accounted for exactly once: accepted + rejected + still queued = arrived, per lane.
    pub fn accounted(&self) -> bool {
        self.lanes.iter().enumerate().all(|(i, l)| {
            let queued = if i == Algo::LeakyBucket.index() {
                self.leaky_queued()
            } else {
                0
            };
            sums_to(l.arrived, &[l.accepted, l.rejected, queued]) && l.arrived == self.arrived
        })
    }
}

/// A stable value in 0..1 from a time, to spread particles across a lane.
fn jitter(t: Nanos) -> f32 {
    (splitmix64(t) >> 40) as f32 / (1u64 << 24) as f32
}

/// The limiter lab's metrics: one set per algorithm (lane), plus the arrivals they all see.
pub mod metrics {
    crate::metrics! {
        in "limiter.m";
        /// Requests that arrived (every algorithm sees all of them).
        ARRIVED = arrived: count, key;
        /// Every request accounted for once: accepted + rejected + still queued = arrived, in
        /// every lane.
        ACCOUNTED = accounted: flag;
        /// Requests let through (for the leaky bucket: when they leave its queue).
        ACCEPTED = accepted: count, key;
        /// Requests refused (for the leaky bucket: dropped because its queue was full).
        REJECTED = rejected: count, key;
        /// Requests waiting in the leaky bucket's queue now.
        QUEUED = queued: count;
        /// Most requests accepted in any window of length W so far.
        MAX_IN_WINDOW = max_in_window: count, key;
        /// When that most was reached, seconds.
        MAX_IN_WINDOW_AT = max_in_window_at_s: secs;
        /// The limit the algorithm is meant to keep over W.
        NOMINAL_LIMIT = nominal_limit: real;
        /// Acceptances after which the trailing window W held more than the nominal limit.
        OVER_LIMIT = over_limit: count, checker, key;
        /// Time from arrival to being let through (only the leaky bucket delays).
        DELAY = delay: latency;
    }
}

impl Lab for Limiter {
    const ID: &'static str = "limiter";
    const ABOUT: &'static str =
        "five rate limiters (fixed window, sliding log, sliding counter, token bucket, leaky bucket) fed the same arrivals; runs --until-s virtual seconds";
    type Params = LimiterParams;
    type Event = Event;
    type Fault = NoFault;
    type Snapshot = LimiterSnapshot;
    type View = View;

    fn build(params: &LimiterParams, seeds: Seeds, cx: &mut Cx<Event>) -> Self {
        let p = params;
        let bucket = p.chart_bucket_ms as u64 * NS_PER_MS;
        let compare_ns = p.compare_window_ms as u64 * NS_PER_MS;
        let win = |w: &super::params::WindowParams| {
            (
                w.limit as u128 * compare_ns as u128,
                w.window_ms as u128 * NS_PER_MS as u128,
            )
        };
        let (f_n, f_d) = win(&p.fixed_window);
        let (l_n, l_d) = win(&p.sliding_log);
        let (c_n, c_d) = win(&p.sliding_counter);
        let rate = |r: u32| (r as u128 * compare_ns as u128, NS_PER_S as u128);
        let (t_n, t_d) = rate(p.token_bucket.rate_per_s);
        let (k_n, k_d) = rate(p.leaky_bucket.drain_per_s);
        if p.token_bucket.change_at_ms > 0 {
            let at = p.token_bucket.change_at_ms as u64 * NS_PER_MS;
            cx.at(at, Event::TokenRate(p.token_bucket.changed_rate_per_s))
                .expect("fresh queue has room");
        }
        let mut lab = Self {
            compare_ns,
            traffic: TrafficGen::new(&p.traffic, seeds.seed()),
            traffic_done: false,
            upcoming: VecDeque::with_capacity(64),
            lookahead_ns: 0,
            fixed: FixedWindow::new(
                p.fixed_window.limit,
                p.fixed_window.window_ms as u64 * NS_PER_MS,
            ),
            log: SlidingLog::new(
                p.sliding_log.limit,
                p.sliding_log.window_ms as u64 * NS_PER_MS,
            ),
            counter: SlidingCounter::new(
                p.sliding_counter.limit,
                p.sliding_counter.window_ms as u64 * NS_PER_MS,
            ),
            token: TokenBucket::new(p.token_bucket.rate_per_s, p.token_bucket.burst),
            leaky: LeakyBucket::new(p.leaky_bucket.drain_per_s, p.leaky_bucket.capacity),
            lanes: [
                LaneStats::new(Algo::FixedWindow, bucket, f_n, f_d),
                LaneStats::new(Algo::SlidingLog, bucket, l_n, l_d),
                LaneStats::new(Algo::SlidingCounter, bucket, c_n, c_d),
                LaneStats::new(Algo::TokenBucket, bucket, t_n, t_d),
                LaneStats::new(Algo::LeakyBucket, bucket, k_n, k_d),
            ],
            recent: VecDeque::with_capacity(256),
            arrived: 0,
            leaky_waiting: 0,
            why: WhyLog::new(why::KINDS),
            params: params.clone(),
        };
        lab.fill_upcoming(0);
        lab
    }

    fn params(&self) -> &LimiterParams {
        &self.params
    }

    /// Bounded: at most `capacity` departures are pending, plus the rate change.
    fn queue_capacity(p: &LimiterParams) -> usize {
        p.leaky_bucket.capacity as usize + 2
    }

    fn handle(&mut self, cx: &mut Cx<Event>, e: Event) {
        let t = cx.now();
        match e {
            Event::LeakyDeparture { arrived_at } => {
                self.leaky_waiting -= 1;
                let lane = &mut self.lanes[Algo::LeakyBucket.index()];
                lane.accept(t, self.compare_ns, &mut self.why);
                lane.delay.record(t - arrived_at);
            }
            Event::TokenRate(r) => {
                // The params stay as given (they reproduce the run); the bucket's rate changes.
                self.token.set_rate(t, r);
                self.refresh_token_nominal();
            }
        }
    }

    fn source_time(&self) -> Option<Nanos> {
        self.upcoming.front().map(|a| a.at)
    }

    fn on_source(&mut self, cx: &mut Cx<Event>) {
        let a = self.upcoming.pop_front().expect("a due arrival exists");
        self.on_arrival(cx, a);
        if self.upcoming.is_empty() {
            self.fill_upcoming(cx.now());
        }
    }

    fn settle(&mut self, now: Nanos, reached: bool) {
        if reached {
            let w = self.compare_ns;
            for lane in &mut self.lanes {
                lane.touch(now, w);
            }
            self.fill_upcoming(now);
        }
    }

    fn set_live(&mut self, cx: &mut Cx<Event>, params: &LimiterParams, key: &str) -> bool {
        if key != "token_bucket.rate_per_s" {
            return false;
        }
        // A live change is the user's new setting: the params follow it. (A scheduled change is
        // part of the run and leaves them as given.)
        self.change_token_rate(cx.now(), params.token_bucket.rate_per_s);
        true
    }

    fn snapshot(&self, now: Nanos, view: &View, out: &mut LimiterSnapshot) {
        self.fill_snapshot(now, *view, out);
    }

    fn metrics() -> &'static [&'static Metric] {
        metrics::ALL
    }

    fn report(&self, _now: Nanos, r: &mut Report) {
        use metrics::*;
        r.count(&ARRIVED, self.arrived);
        r.flag(&ACCOUNTED, self.accounted());
        for a in Algo::ALL {
            let l = self.lane(a);
            let queued = if a == Algo::LeakyBucket {
                self.leaky_queued()
            } else {
                0
            };
            r.lane(a.as_str(), a.text());
            r.count(&ARRIVED, l.arrived);
            r.count(&ACCEPTED, l.accepted);
            r.count(&REJECTED, l.rejected);
            r.count(&QUEUED, queued);
            r.count(&MAX_IN_WINDOW, l.max_in_window);
            r.secs(&MAX_IN_WINDOW_AT, l.max_in_window_at);
            r.real(&NOMINAL_LIMIT, l.nominal_limit());
            r.count(&OVER_LIMIT, l.over_limit);
            r.latency(&DELAY, l.delay.percentiles());
        }
        r.end_lane();
    }

    fn digest(&self, now: Nanos, d: &mut Digest) {
        d.u64(now).u64(self.arrived);
        for l in &self.lanes {
            d.u64(l.arrived)
                .u64(l.accepted)
                .u64(l.rejected)
                .u64(l.max_in_window)
                .u64(l.max_in_window_at)
                .u64(l.over_limit);
            let p = l.delay.percentiles();
            d.u64(p.count).u64(p.p50_ns).u64(p.p99_ns).u64(p.max_ns);
            for (t, v) in l.accepted_series.points() {
                d.u64(t).u64(v);
            }
        }
    }

    /// The exact window tracker holds every acceptance of the compare window (per lane, at most
    /// the arrivals the traffic can bring in it); the sliding log its limit; the leaky bucket's
    /// departures wait as events; the rest (recent requests, series, histograms) is fixed.
    fn cost(p: &LimiterParams) -> Cost {
        let w = p.compare_window_ms as u64 * NS_PER_MS;
        let in_window = p.traffic.max_arrivals_in(w);
        let rate = p.traffic.max_rate_per_s() as u64
            + if p.traffic.pattern == crate::kernel::traffic::Pattern::BoundaryBurst {
                p.traffic.burst_size as u64 * 1_000 / p.traffic.burst_period_ms.max(1) as u64
            } else {
                0
            };
        Cost::new()
            .part("the why log", WhyLog::bytes(why::KINDS.len()), &[])
            .part("the window tracker", bytes(in_window, 8 * 5), &["compare_window_ms", "traffic.rate_per_s"])
            .part("the sliding log", bytes(p.sliding_log.limit as u64, 8), &["sliding_log.limit"])
            .part("the leaky bucket's queue", bytes(p.leaky_bucket.capacity as u64, 48), &["leaky_bucket.capacity"])
            .part("recent requests, series and histograms", 4 << 20, &["chart_bucket_ms"])
            .work(rate.saturating_mul(2))
            .unit_ns(1500)
    }

    fn checkers() -> &'static [Checker] {
        &[Checker::Accounting]
    }

    fn why_kinds() -> &'static [WhyKind] {
        why::KINDS
    }

    fn why(&self) -> Option<&WhyLog> {
        Some(&self.why)
    }

    fn presets() -> Vec<Preset<LimiterParams>> {
        super::presets::all()
    }
}

/// What only the limiter's run does: a live change of the token rate, the lookahead of the
/// picture, and the lab's accessors that need the clock.
impl Sim<Limiter> {
    /// Changes the token bucket's refill rate now, while running.
    pub fn set_token_rate(&mut self, rate_per_s: u32) -> Result<(), ParamError> {
        let mut p = self.params().clone();
        p.token_bucket.rate_per_s = rate_per_s;
        let key = "token_bucket.rate_per_s";
        let knob = LimiterParams::knob(key).expect("the token rate is a knob");
        knob.check(&serde_json::to_value(&p).expect("params serialise"))?;
        self.set_live(&p, key);
        Ok(())
    }

    /// How far ahead of the clock arrivals are drawn for the picture. Does not change the run.
    pub fn set_lookahead(&mut self, ns: Nanos) {
        let now = self.now();
        self.lab_mut().set_lookahead(now, ns);
    }

    /// Time of the next thing that will happen (an arrival, a departure, a rate change).
    pub fn next_event_at(&self) -> Option<Nanos> {
        self.next_at()
    }

    /// Fills `out` with what to draw now. Reuses `out`'s buffers.
    pub fn fill_snapshot(&self, view: View, out: &mut LimiterSnapshot) {
        self.snapshot(&view, out);
    }

    /// The gauge of one lane now.
    pub fn gauge(&self, algo: Algo) -> Gauge {
        self.gauge_at(self.now(), algo)
    }
}
