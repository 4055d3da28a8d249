//! The snowflake id lab (the notes' 雪花算法: "如何保证生成的 id 唯一"): a 63-bit id is the time in
//! milliseconds since an epoch, the worker's id and a sequence number within the millisecond. It
//! is unique as long as no two workers share an id and no worker's clock repeats a millisecond it
//! already used. Here workers have clocks of their own (skewed, drifting, stepped back by NTP,
//! frozen by a paused virtual machine), and a generator's policy for a clock that goes backwards
//! decides whether it refuses, waits, borrows, or — wrongly — issues ids again.
//!
//! Requests (from the shared traffic generators) go round-robin to the workers; a worker serves
//! them one at a time, so a generator that waits delays the requests behind it. With `compare =
//! policies` every policy runs side by side, each with its own generators, on the same requests and
//! the same clocks. Checkers: duplicate ids ([`PrefixLedger`]), ids issued with a timestamp below
//! one already issued and by how much ([`Sortedness`]), waits, refusals, and how long the
//! timestamp bits last.

mod clock;
mod params;
pub mod presets;
mod why;

use std::collections::VecDeque;

pub use clock::Clock;
pub use params::{
    Backwards, ClockFaults, Compare, SnowflakeParams, Target, MAX_IDS_PER_REQUEST, MAX_STEP_BACK_MS,
    MAX_WAITING, MAX_WORKERS, MS_PER_YEAR,
};

use crate::kernel::cost::{bytes, Cost};
use crate::check::dupes::PrefixLedger;
use crate::check::order::Sortedness;
use crate::kernel::lab::{Checker, Cx, Lab, Seeds, Verb};
use crate::kernel::metrics::{Combine, LatencyHistogram, TimeSeries};
use crate::kernel::preset::Preset;
use crate::kernel::report::{Metric, Report};
use crate::kernel::rng::SimRng;
use crate::kernel::sim::Sim;
use crate::kernel::time::{Nanos, NS_PER_MS, NS_PER_S};
use crate::kernel::traffic::{Arrival, TrafficGen};
use crate::kernel::why::{Kind as WhyKind, WhyLog};
use serde::{Deserialize, Serialize};

/// Milliseconds the duplicate checker remembers per worker id (wider than any step back).
const LEDGER_WINDOW_MS: usize = 2_048;
/// Runs of ids kept per lane for the picture.
const RECENT: usize = 2_048;
/// Clock samples kept for the chart.
const SAMPLES: usize = 600;
/// Chart buckets kept.
const SERIES: usize = 1_200;

/// A clock fault or an operator action, now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// Steps the clocks of the target back by this many milliseconds.
    StepBack { all: bool, ms: u32 },
    /// Moves them forward.
    Leap { all: bool, ms: u32 },
    /// Stops them for this many milliseconds.
    Freeze { all: bool, ms: u32 },
}

impl Verb for Fault {
    fn name(&self) -> &'static str {
        match self {
            Fault::StepBack { .. } => "step_back",
            Fault::Leap { .. } => "leap",
            Fault::Freeze { .. } => "freeze",
        }
    }
}

#[derive(Clone, Debug)]
pub enum Event {
    /// A blocked generator looks at its clock again.
    Resume { lane: u8, worker: u16, gen: u64 },
    /// A worker's clock runs again after standing still.
    Unfreeze { worker: u16 },
    Fault(Fault),
    /// Chart sample.
    Tick,
}

/// A request for ids, waiting at a worker.
#[derive(Clone, Copy, Debug)]
struct Request {
    arrived: Nanos,
    left: u32,
}

/// One worker's generator in one lane.
#[derive(Clone, Debug)]
struct Generator {
    node: u64,
    /// Last timestamp used, milliseconds since the epoch.
    last_ts: i64,
    seq: u64,
    waiting: VecDeque<Request>,
    /// Bumped whenever a wake-up is scheduled, so older ones are ignored.
    wake: u64,
    blocked: bool,
    /// Ids issued per second (for the most one worker sustains).
    per_s: TimeSeries,
}

/// A run of ids issued at once (for the picture).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct IssuedRun {
    pub worker: u16,
    /// Timestamp bits, ms since the epoch.
    pub ts: i64,
    pub seq: u64,
    pub n: u64,
    /// Of them, issued before.
    pub dup: u64,
    /// True time it was issued.
    pub at: Nanos,
}

/// One policy's generators and counts.
#[derive(Clone, Debug)]
struct Lane {
    policy: Backwards,
    gens: Vec<Generator>,
    ledger: PrefixLedger,
    order: Sortedness,
    requests: u64,
    served: u64,
    refused: u64,
    overloaded: u64,
    wait: LatencyHistogram,
    issued_series: TimeSeries,
    dup_series: TimeSeries,
    refused_series: TimeSeries,
    recent: VecDeque<IssuedRun>,
}

/// The parts of one id.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IdParts {
    pub id: u64,
    pub ts: u64,
    pub node: u64,
    pub seq: u64,
}

/// One lane in the picture.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LaneView {
    pub policy: Option<Backwards>,
    /// Runs issued in the span shown, newest last.
    pub runs: Vec<IssuedRun>,
    pub refused: u64,
    pub duplicates: u64,
    pub latest: Option<IdParts>,
    /// Requests waiting, per worker.
    pub waiting: Vec<u32>,
}

/// What the picture draws.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SnowflakeSnapshot {
    pub now: Nanos,
    /// Each worker's clock minus true time, milliseconds.
    pub offsets_ms: Vec<f64>,
    pub frozen: Vec<bool>,
    /// Each worker's id.
    pub nodes: Vec<u64>,
    pub lanes: Vec<LaneView>,
    pub worker_bits: u32,
    pub sequence_bits: u32,
    pub timestamp_bits: u32,
    /// The timestamp true time reads now (ms since the epoch).
    pub now_ts: i64,
}

/// The snowflake lab model (run by [`Sim`]; [`SnowflakeLab`] is the run).
#[derive(Clone)]
pub struct Snowflake {
    p: SnowflakeParams,
    clocks: Vec<Clock>,
    traffic: TrafficGen,
    next: Option<Arrival>,
    rr: usize,
    lanes: Vec<Lane>,
    /// The timestamp of local time 0, ms since the epoch.
    epoch_offset_ms: i64,
    /// (true time, each worker's offset in ms), sampled every chart bucket.
    samples: VecDeque<(Nanos, Vec<f64>)>,
    bucket_ns: Nanos,
    /// A line for every run of ids issued twice.
    why: WhyLog,
}

/// A run of the snowflake lab.
pub type SnowflakeLab = Sim<Snowflake>;

fn node_of(p: &SnowflakeParams, worker: u32) -> u64 {
    let space = 1u64 << p.worker_bits;
    let own = worker as u64 % space;
    // Worker 2k+1 takes worker 2k's id for the first `reused_ids` pairs.
    if worker % 2 == 1 && worker / 2 < p.reused_ids {
        (worker as u64 - 1) % space
    } else {
        own
    }
}

/// Where a request stands after a try.
#[derive(Clone)]
enum Step {
    Done,
    Refused,
    /// Blocked until the clock reads the given local time (None: it stands still).
    Blocked(Option<Nanos>),
}

impl Snowflake {
    /// The policies running, in lane order.
    pub fn policies(&self) -> Vec<Backwards> {
        self.lanes.iter().map(|l| l.policy).collect()
    }

    pub fn clock(&self, worker: usize) -> &Clock {
        &self.clocks[worker]
    }

    /// Ids issued twice in lane `l`.
    pub fn duplicates(&self, l: usize) -> u64 {
        self.lanes[l].ledger.duplicates()
    }

    /// Ids issued in lane `l`.
    pub fn issued(&self, l: usize) -> u64 {
        self.lanes[l].ledger.issued()
    }

    /// Requests refused in lane `l` (by the policy, or a full queue).
    pub fn refused(&self, l: usize) -> u64 {
        self.lanes[l].refused + self.lanes[l].overloaded
    }

    /// Wait of the served requests of lane `l`, nanoseconds (p99, max).
    pub fn wait(&self, l: usize) -> (u64, u64) {
        let p = self.lanes[l].wait.percentiles();
        (p.p99_ns.min(p.max_ns), p.max_ns)
    }

    /// Most ids one worker issued in any second, lane `l`.
    pub fn peak_per_worker_per_s(&self, l: usize) -> u64 {
        self.lanes[l]
            .gens
            .iter()
            .map(|g| g.per_s.max_value())
            .max()
            .unwrap_or(0)
    }

    /// Ids issued with a timestamp below one issued before them, and the largest such gap (ms).
    pub fn disorder(&self, l: usize) -> (u64, u64) {
        let o = &self.lanes[l].order;
        (o.out_of_order(), o.worst())
    }

    /// The clock samples for the chart: (true time, offset in ms per worker).
    pub fn samples(&self) -> impl DoubleEndedIterator<Item = &(Nanos, Vec<f64>)> {
        self.samples.iter()
    }

    /// Series of lane `l`: ids issued, duplicates, refusals per chart bucket.
    pub fn series(&self, l: usize) -> (&TimeSeries, &TimeSeries, &TimeSeries) {
        let lane = &self.lanes[l];
        (&lane.issued_series, &lane.dup_series, &lane.refused_series)
    }

    fn local_ms(&self, worker: usize, t: Nanos) -> i64 {
        self.epoch_offset_ms + self.clocks[worker].local(t).div_euclid(NS_PER_MS as i64)
    }

    /// Local time (ns) at which the clock of `worker` reads timestamp `ts`.
    fn local_of_ts(&self, ts: i64) -> i64 {
        (ts - self.epoch_offset_ms) * NS_PER_MS as i64
    }

    fn targets(&self, all: bool) -> Vec<usize> {
        if all {
            (0..self.clocks.len()).collect()
        } else {
            vec![0]
        }
    }

    fn fault(&mut self, cx: &mut Cx<Event>, f: Fault) {
        let t = cx.now();
        match f {
            Fault::StepBack { all, ms } => {
                let ms = ms.min(MAX_STEP_BACK_MS);
                for w in self.targets(all) {
                    self.clocks[w].step(t, -((ms as u64 * NS_PER_MS) as i64));
                }
            }
            Fault::Leap { all, ms } => {
                for w in self.targets(all) {
                    self.clocks[w].step(t, (ms as u64 * NS_PER_MS) as i64);
                }
                // A clock that moved forward may release generators waiting for it.
                for w in self.targets(all) {
                    self.wake_all(cx, w);
                }
            }
            Fault::Freeze { all, ms } => {
                for w in self.targets(all) {
                    let was = self.clocks[w].frozen(t);
                    self.clocks[w].freeze(t, ms as u64 * NS_PER_MS);
                    if !was {
                        let _ = cx.at(t + ms as u64 * NS_PER_MS, Event::Unfreeze { worker: w as u16 });
                    }
                }
            }
        }
    }

    /// Serves the waiting requests of every lane's generator of `worker` (after its clock moved).
    fn wake_all(&mut self, cx: &mut Cx<Event>, worker: usize) {
        for l in 0..self.lanes.len() {
            if self.lanes[l].gens[worker].blocked {
                self.lanes[l].gens[worker].blocked = false;
                self.serve(cx, l, worker);
            }
        }
    }

    /// A request arrives at `worker` in every lane.
    fn arrive(&mut self, cx: &mut Cx<Event>, worker: usize) {
        let t = cx.now();
        let ids = self.p.ids_per_request;
        for l in 0..self.lanes.len() {
            let lane = &mut self.lanes[l];
            lane.requests += 1;
            let g = &mut lane.gens[worker];
            if g.waiting.len() >= MAX_WAITING as usize {
                lane.overloaded += 1;
                lane.refused_series.record(t, 1);
                continue;
            }
            g.waiting.push_back(Request {
                arrived: t,
                left: ids,
            });
            if !g.blocked && g.waiting.len() == 1 {
                self.serve(cx, l, worker);
            }
        }
        cx.work(self.lanes.len() as u64);
    }

    /// Serves `worker`'s queue in lane `l` until it is empty or blocked.
    fn serve(&mut self, cx: &mut Cx<Event>, l: usize, worker: usize) {
        let t = cx.now();
        loop {
            if self.lanes[l].gens[worker].waiting.is_empty() {
                return;
            }
            match self.try_front(t, l, worker) {
                Step::Done => {
                    let lane = &mut self.lanes[l];
                    let r = lane.gens[worker].waiting.pop_front().expect("a front request");
                    lane.served += 1;
                    lane.wait.record(t - r.arrived);
                }
                Step::Refused => {
                    let lane = &mut self.lanes[l];
                    lane.gens[worker].waiting.pop_front();
                    lane.refused += 1;
                    lane.refused_series.record(t, 1);
                }
                Step::Blocked(until) => {
                    let g = &mut self.lanes[l].gens[worker];
                    g.blocked = true;
                    g.wake += 1;
                    if let Some(at) = until {
                        let ev = Event::Resume {
                            lane: l as u8,
                            worker: worker as u16,
                            gen: g.wake,
                        };
                        // A full queue of events cannot happen: at most one wake-up per generator.
                        let _ = cx.at(at.max(t + 1), ev);
                    }
                    return;
                }
            }
        }
    }

    /// Gives the front request of `worker` in lane `l` as many ids as the clock allows now.
    fn try_front(&mut self, t: Nanos, l: usize, worker: usize) -> Step {
        let now_ms = self.local_ms(worker, t);
        let cap = self.p.ids_per_ms();
        let policy = self.lanes[l].policy;
        loop {
            let g = &self.lanes[l].gens[worker];
            let left = g.waiting.front().map_or(0, |r| r.left) as u64;
            if left == 0 {
                return Step::Done;
            }
            let mut ts = now_ms;
            if ts < g.last_ts {
                match policy {
                    Backwards::Refuse => return Step::Refused,
                    Backwards::Wait => {
                        let local = self.local_of_ts(g.last_ts);
                        return Step::Blocked(self.clocks[worker].when_reads(t, local));
                    }
                    Backwards::Borrow => ts = g.last_ts,
                    Backwards::Ignore => {}
                }
            }
            let g = &mut self.lanes[l].gens[worker];
            if ts != g.last_ts {
                g.last_ts = ts;
                g.seq = 0;
            }
            if g.seq >= cap {
                if policy == Backwards::Borrow && g.last_ts > now_ms {
                    // Already ahead of the clock: borrow the next millisecond.
                    g.last_ts += 1;
                    g.seq = 0;
                    continue;
                }
                // The sequence is used up for this millisecond: wait for the next one.
                let local = self.local_of_ts(ts + 1);
                return Step::Blocked(self.clocks[worker].when_reads(t, local));
            }
            let take = (cap - g.seq).min(left);
            let from = g.seq;
            g.seq += take;
            let node = g.node;
            if let Some(r) = g.waiting.front_mut() {
                r.left -= take as u32;
            }
            g.per_s.record(t, take);
            self.issue(l, worker, node, ts, from, take, t);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn issue(&mut self, l: usize, worker: usize, node: u64, ts: i64, from: u64, n: u64, t: Nanos) {
        let lane = &mut self.lanes[l];
        let dup = lane.ledger.issue(node, ts, from, n);
        lane.order.observe_n(ts.max(0) as u64, n);
        lane.issued_series.record(t, n);
        if dup > 0 {
            lane.dup_series.record(t, dup);
            let p = &self.p;
            let shared = (0..p.workers).any(|w| w as usize != worker && node_of(p, w) == node);
            let kind = why::dup_kind(shared, lane.policy);
            let args = [dup as i64, worker as i64, ts, from as i64, node as i64];
            self.why.note(t, kind, &args, &why::ents(l, worker));
        }
        if lane.recent.len() == RECENT {
            lane.recent.pop_front();
        }
        lane.recent.push_back(IssuedRun {
            worker: worker as u16,
            ts,
            seq: from,
            n,
            dup,
            at: t,
        });
    }

    fn id_of(&self, r: &IssuedRun) -> IdParts {
        let node = self.lanes[0].gens[r.worker as usize].node;
        let seq = r.seq + r.n - 1;
        let ts = r.ts.max(0) as u64;
        let tb = self.p.timestamp_bits();
        let id = ((ts & ((1u64 << tb) - 1)) << (self.p.worker_bits + self.p.sequence_bits))
            | (node << self.p.sequence_bits)
            | seq;
        IdParts { id, ts, node, seq }
    }

    fn sample(&mut self, t: Nanos) {
        let offs: Vec<f64> = self
            .clocks
            .iter()
            .map(|c| c.offset(t) as f64 / NS_PER_MS as f64)
            .collect();
        if self.samples.len() == SAMPLES {
            self.samples.pop_front();
        }
        self.samples.push_back((t, offs));
        for lane in &mut self.lanes {
            lane.issued_series.touch(t);
            lane.dup_series.touch(t);
            lane.refused_series.touch(t);
        }
    }
}

/// The snowflake lab's metrics.
pub mod metrics {
    crate::metrics! {
        in "snowflake.m";
        /// Ids given out.
        ISSUED = issued: count, key;
        /// Ids given out that had been given out before: a snowflake id must never repeat.
        DUPLICATES = duplicates: count, checker, key;
        /// Requests for ids.
        REQUESTS = requests: count;
        /// Requests refused (the clock was behind, or too many were waiting).
        REFUSED = refused: count, key;
        /// Ids issued with a timestamp below one already issued (by any worker): ids are only
        /// roughly time-ordered across workers.
        OUT_OF_ORDER = out_of_order: count;
        /// The most such an id was behind, milliseconds.
        WORST_DISORDER = worst_disorder_ms: count;
        /// Time a request waited for its ids (for the clock to catch up, or the next millisecond).
        WAIT = wait: latency, key;
        /// Most ids one worker gave out in any second.
        PEAK_PER_WORKER = peak_ids_per_s_per_worker: per_s, key;
        /// Ids one worker can give per second at most: 1000 × 2^sequence_bits.
        CAPACITY = capacity_per_worker_per_s: per_s;
        /// Years the timestamp bits last from the epoch.
        YEARS = timestamp_years: real;
        /// The year the timestamp bits run out.
        RUNS_OUT = runs_out_in_year: real;
        /// Spread of the workers' clocks now: fastest minus slowest, milliseconds.
        CLOCK_SPREAD = clock_spread_ms: ms;
    }
}

impl Lab for Snowflake {
    const ID: &'static str = "snowflake";
    const ABOUT: &'static str =
        "snowflake ids (timestamp | worker | sequence) from workers whose clocks skew, drift and step back; policies for a clock going backwards; duplicate and order checks; runs --until-s virtual seconds";
    type Params = SnowflakeParams;
    type Event = Event;
    type Fault = Fault;
    type Snapshot = SnowflakeSnapshot;
    /// The span of true time the picture shows.
    type View = Nanos;

    fn build(p: &SnowflakeParams, seeds: Seeds, cx: &mut Cx<Event>) -> Self {
        let mut rng: SimRng = seeds.stream(0x5e0f);
        let clocks: Vec<Clock> = (0..p.workers)
            .map(|_| {
                let skew = p.clock_skew_ms as i64 * NS_PER_MS as i64;
                let off = if skew > 0 {
                    rng.below(2 * skew as u64 + 1) as i64 - skew
                } else {
                    0
                };
                let d = p.drift_ppm as i64;
                let ppm = if d > 0 {
                    rng.below(2 * d as u64 + 1) as i64 - d
                } else {
                    0
                };
                Clock::new(off, ppm)
            })
            .collect();
        let policies: Vec<Backwards> = match p.compare {
            Compare::Off => vec![p.backwards],
            Compare::Policies => Backwards::ALL.to_vec(),
        };
        let bucket_ns = p.chart_bucket_ms as u64 * NS_PER_MS;
        let lanes = policies
            .into_iter()
            .map(|policy| Lane {
                policy,
                gens: (0..p.workers)
                    .map(|w| Generator {
                        node: node_of(p, w),
                        last_ts: i64::MIN,
                        seq: 0,
                        waiting: VecDeque::new(),
                        wake: 0,
                        blocked: false,
                        per_s: TimeSeries::new(NS_PER_S, SERIES, Combine::Sum),
                    })
                    .collect(),
                ledger: PrefixLedger::new(LEDGER_WINDOW_MS),
                order: Sortedness::default(),
                requests: 0,
                served: 0,
                refused: 0,
                overloaded: 0,
                wait: LatencyHistogram::new(),
                issued_series: TimeSeries::new(bucket_ns, SERIES, Combine::Sum),
                dup_series: TimeSeries::new(bucket_ns, SERIES, Combine::Sum),
                refused_series: TimeSeries::new(bucket_ns, SERIES, Combine::Sum),
                recent: VecDeque::with_capacity(256),
            })
            .collect();
        let years = (p.start_year - p.epoch_year) as f64;
        let mut traffic = TrafficGen::new(&p.traffic, seeds.seed());
        let next = traffic.next_arrival();
        let f = &p.faults;
        let all = f.target == Target::All;
        let ms = |x: u32| x as u64 * NS_PER_MS;
        if f.step_back_at_ms > 0 {
            let _ = cx.at(
                ms(f.step_back_at_ms),
                Event::Fault(Fault::StepBack {
                    all,
                    ms: f.step_back_ms,
                }),
            );
        }
        if f.leap_at_ms > 0 {
            let _ = cx.at(ms(f.leap_at_ms), Event::Fault(Fault::Leap { all, ms: f.leap_ms }));
        }
        if f.freeze_at_ms > 0 {
            let _ = cx.at(
                ms(f.freeze_at_ms),
                Event::Fault(Fault::Freeze {
                    all,
                    ms: f.freeze_ms,
                }),
            );
        }
        let _ = cx.at(bucket_ns, Event::Tick);
        Self {
            clocks,
            traffic,
            next,
            rr: 0,
            lanes,
            epoch_offset_ms: (years * MS_PER_YEAR) as i64,
            samples: VecDeque::with_capacity(64),
            bucket_ns,
            why: WhyLog::new(why::KINDS),
            p: p.clone(),
        }
    }

    fn params(&self) -> &SnowflakeParams {
        &self.p
    }

    /// Wake-ups (one per generator), unfreezes, scheduled faults and the chart tick.
    fn queue_capacity(p: &SnowflakeParams) -> usize {
        (p.workers as usize) * (Backwards::ALL.len() + 2) + 16
    }

    fn handle(&mut self, cx: &mut Cx<Event>, ev: Event) {
        match ev {
            Event::Resume { lane, worker, gen } => {
                let (l, w) = (lane as usize, worker as usize);
                let g = &mut self.lanes[l].gens[w];
                if g.blocked && g.wake == gen {
                    g.blocked = false;
                    self.serve(cx, l, w);
                }
            }
            Event::Unfreeze { worker } => self.wake_all(cx, worker as usize),
            Event::Fault(f) => self.fault(cx, f),
            Event::Tick => {
                let t = cx.now();
                self.sample(t);
                let _ = cx.at(t + self.bucket_ns, Event::Tick);
            }
        }
    }

    fn source_time(&self) -> Option<Nanos> {
        self.next.map(|a| a.at)
    }

    fn on_source(&mut self, cx: &mut Cx<Event>) {
        let worker = self.rr;
        self.rr = (self.rr + 1) % self.clocks.len();
        self.arrive(cx, worker);
        self.next = self.traffic.next_arrival();
    }

    fn apply(&mut self, cx: &mut Cx<Event>, fault: Fault) {
        self.fault(cx, fault);
    }

    fn snapshot(&self, now: Nanos, span: &Nanos, out: &mut SnowflakeSnapshot) {
        out.now = now;
        out.offsets_ms.clear();
        out.offsets_ms.extend(
            self.clocks
                .iter()
                .map(|c| c.offset(now) as f64 / NS_PER_MS as f64),
        );
        out.frozen.clear();
        out.frozen.extend(self.clocks.iter().map(|c| c.frozen(now)));
        out.nodes.clear();
        out.nodes
            .extend(self.lanes[0].gens.iter().map(|g| g.node));
        out.worker_bits = self.p.worker_bits;
        out.sequence_bits = self.p.sequence_bits;
        out.timestamp_bits = self.p.timestamp_bits();
        out.now_ts = self.epoch_offset_ms + (now / NS_PER_MS) as i64;
        out.lanes.resize_with(self.lanes.len(), LaneView::default);
        let since = now.saturating_sub(*span);
        for (view, lane) in out.lanes.iter_mut().zip(&self.lanes) {
            view.policy = Some(lane.policy);
            view.runs.clear();
            view.runs.extend(
                lane.recent
                    .iter()
                    .rev()
                    .take_while(|r| r.at >= since)
                    .copied(),
            );
            view.runs.reverse();
            view.refused = lane.refused + lane.overloaded;
            view.duplicates = lane.ledger.duplicates();
            view.latest = lane.recent.back().map(|r| self.id_of(r));
            view.waiting.clear();
            view.waiting
                .extend(lane.gens.iter().map(|g| g.waiting.len() as u32));
        }
    }

    fn metrics() -> &'static [&'static Metric] {
        metrics::ALL
    }

    fn report(&self, now: Nanos, r: &mut Report) {
        use metrics::*;
        let p = &self.p;
        r.real(&CAPACITY, p.ids_per_ms() as f64 * 1_000.0);
        let years = p.years_of_timestamps();
        r.real(&YEARS, years);
        r.real(&RUNS_OUT, p.epoch_year as f64 + years);
        let offs = self.clocks.iter().map(|c| c.offset(now));
        let (lo, hi) = offs.fold((i64::MAX, i64::MIN), |(a, b), o| (a.min(o), b.max(o)));
        r.ms(&CLOCK_SPREAD, (hi - lo).max(0) as u64);
        for (l, lane) in self.lanes.iter().enumerate() {
            let opt = <Backwards as crate::kernel::knobs::Choice>::OPTIONS
                [lane.policy as usize];
            r.lane(opt.value, opt.text);
            r.count(&ISSUED, lane.ledger.issued());
            r.count(&DUPLICATES, lane.ledger.duplicates());
            r.count(&REQUESTS, lane.requests);
            r.count(&REFUSED, lane.refused + lane.overloaded);
            let (ooo, worst) = self.disorder(l);
            r.count(&OUT_OF_ORDER, ooo);
            r.count(&WORST_DISORDER, worst);
            r.latency(&WAIT, lane.wait.percentiles());
            r.real(&PEAK_PER_WORKER, self.peak_per_worker_per_s(l) as f64);
        }
        r.end_lane();
    }

    /// Per lane and worker: the duplicate ledger's window, a series of ids per second, and at most
    /// `MAX_WAITING` requests waiting; per lane, the runs kept for the picture.
    fn cost(p: &SnowflakeParams) -> Cost {
        let lanes = match p.compare {
            Compare::Off => 1,
            Compare::Policies => Backwards::ALL.len() as u64,
        };
        let gens = lanes * p.workers as u64;
        Cost::new()
            .part("the why log", WhyLog::bytes(why::KINDS.len()), &[])
            .part("the duplicate checker's window", bytes(gens, LEDGER_WINDOW_MS as u64 * 16), &["workers", "compare"])
            .part("requests waiting at the workers", bytes(gens, MAX_WAITING as u64 * 32), &["workers", "traffic.rate_per_s"])
            .part("series per worker", bytes(gens, SERIES as u64 * 8 * 2), &["workers"])
            .part("runs for the picture and clock samples", bytes(lanes, RECENT as u64 * 96) + bytes(SAMPLES as u64, 32 + 8 * p.workers as u64), &["compare"])
            .work((p.traffic.max_rate_per_s() as u64).saturating_mul(lanes * 2))
            .unit_ns(150)
    }

    fn checkers() -> &'static [Checker] {
        &[Checker::Duplicates, Checker::Order]
    }

    fn why_kinds() -> &'static [WhyKind] {
        why::KINDS
    }

    fn why(&self) -> Option<&WhyLog> {
        Some(&self.why)
    }

    fn presets() -> Vec<Preset<SnowflakeParams>> {
        presets::all()
    }
}

impl Sim<Snowflake> {
    /// Fills `out` with what to draw: runs issued in the last `span_ns` of true time.
    pub fn fill_snapshot(&self, span_ns: Nanos, out: &mut SnowflakeSnapshot) {
        self.snapshot(&span_ns, out);
    }
}

#[cfg(test)]
mod tests;
