//! The lab contract: what every lab model supplies so that one loop ([`Sim`](super::sim::Sim))
//! runs it, the page draws it and the command line reports it.
//!
//! A lab supplies its params (declared with `knobs!`), its events and how it handles them, its
//! faults as named verbs, a snapshot for drawing, its metrics (declared with `metrics!`) and the
//! report of their values, and its presets. It does not own a clock, an event queue or a loop:
//! [`Sim`](super::sim::Sim) owns them, hands the lab a [`Cx`] to schedule events and declare work,
//! and derives its random streams from the seed ([`Seeds`]).

use std::fmt::Debug;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::cost::Cost;
use super::digest::Digest;
use super::event::{EventQueue, QueueFull};
use super::knobs::Knobs;
use super::preset::Preset;
use super::report::{Metric, Report};
use super::rng::SimRng;
use super::time::Nanos;
use super::why::{Kind, WhyLog};

/// The seeded random streams of a run: every stream a lab uses is derived from the run's seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seeds(pub u64);

impl Seeds {
    /// The run's seed.
    pub fn seed(self) -> u64 {
        self.0
    }

    /// An independent stream, by id (the same id always gives the same stream for a seed).
    pub fn stream(self, id: u64) -> SimRng {
        SimRng::derive(self.0, id)
    }
}

/// What a lab sees while it handles an event: the clock, the event queue (to schedule), and a
/// meter of the work it did beyond the event itself.
pub struct Cx<'a, E> {
    now: Nanos,
    queue: &'a mut EventQueue<E>,
    work: u64,
}

impl<'a, E> Cx<'a, E> {
    pub(crate) fn new(now: Nanos, queue: &'a mut EventQueue<E>) -> Self {
        Self {
            now,
            queue,
            work: 0,
        }
    }

    /// Virtual time now.
    pub fn now(&self) -> Nanos {
        self.now
    }

    /// Schedules `ev` at virtual time `at` (not before now).
    pub fn at(&mut self, at: Nanos, ev: E) -> Result<(), QueueFull> {
        self.queue.push(at.max(self.now), ev)
    }

    /// Schedules `ev` after `delay`.
    pub fn after(&mut self, delay: Nanos, ev: E) -> Result<(), QueueFull> {
        self.queue.push(self.now.saturating_add(delay), ev)
    }

    /// Schedules `ev` at `at`; among events due at the same time, lower ranks go first.
    pub fn at_ranked(&mut self, at: Nanos, rank: u32, ev: E) -> Result<(), QueueFull> {
        self.queue.push_ranked(at.max(self.now), rank, ev)
    }

    /// Declares `units` of work done beyond the event itself (a message fanned out to 5,000
    /// members is 5,000 units), so a call's budget bounds the work, not the number of events.
    pub fn work(&mut self, units: u64) {
        self.work = self.work.saturating_add(units);
    }

    /// Time of the earliest event waiting, if any.
    pub fn next_event_at(&self) -> Option<Nanos> {
        self.queue.peek_time()
    }

    /// Events waiting in the queue.
    pub fn pending(&self) -> usize {
        self.queue.len()
    }

    /// Most events the queue holds.
    pub fn capacity(&self) -> usize {
        self.queue.capacity()
    }

    /// Drops the waiting events for which `keep` is false; the rest keep their order (O(n): for a
    /// lab that compacts a full queue, such as timers of sessions that have since ended).
    pub fn retain(&mut self, keep: impl FnMut(&E) -> bool) {
        self.queue.retain(keep);
    }

    /// Moves the clock to `t` while a lab takes several stream items in one call
    /// ([`Lab::run_source`]).
    pub(crate) fn set_now(&mut self, t: Nanos) {
        self.now = t;
    }

    /// Work declared so far in this call (a pulled stream's loop counts it against its budget).
    pub fn declared_work(&self) -> u64 {
        self.work
    }

    pub(crate) fn take_work(&mut self) -> u64 {
        std::mem::take(&mut self.work)
    }
}

/// How far a run goes on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extent {
    /// It runs for as long as it is told (virtual time).
    Timed,
    /// It ends by itself after this many items (users, requests), named by `unit`.
    Items { count: u64, unit: &'static str },
}

/// A fault or operator action, as a named verb (`crash_broker`), so buttons, scheduled params,
/// recorded action logs and the command line name it the same way.
pub trait Verb: Clone + Debug + PartialEq + Serialize + DeserializeOwned + 'static {
    /// The verb's name.
    fn name(&self) -> &'static str;
}

/// A lab with no faults.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub enum NoFault {}

impl Verb for NoFault {
    fn name(&self) -> &'static str {
        match *self {}
    }
}

/// The checkers a lab may feed (modules of `sim/src/check/`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Checker {
    /// Messages acknowledged and never processed (`check::fate`).
    Loss,
    /// Written, delivered or processed more than once; ids issued twice (`check::fate`,
    /// `check::dupes`).
    Duplicates,
    /// Per-key order, and how far out of order a sequence runs (`check::order`).
    Order,
    /// Reads older than a write acknowledged before they started (`check::staleness`).
    Staleness,
    /// More sold than stocked (`check::oversell`).
    Oversell,
    /// Every request ends exactly once (`check::accounting`).
    Accounting,
}

/// A moment of note in a run that is not an anomaly ([`Lab::milestones`]); `key` names it in the
/// lab's words (`<lab id>.milestone.<key>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Milestone {
    pub at: Nanos,
    pub key: &'static str,
}

/// A lab model. Runs move between threads (the command line's sweeps) and are finished as
/// any run ([`crate::sweep::finish`] on a typed `Sim`), so a lab and its params, events and
/// faults are `Send`.
pub trait Lab: Sized + Clone + Send + 'static {
    /// Registry id: the route, the command line's name, and the lab's text scope.
    const ID: &'static str;
    /// One line about the lab, for `flowlab list` (the page has its own words).
    const ABOUT: &'static str;
    /// The run's exact checks need it at rest: the command line quiesces it after `--until-s` and
    /// reports [`Lab::final_report`] too.
    const CHECKS_AT_REST: bool = false;
    type Params: Knobs + Send;
    type Event: Clone + Send;
    /// Faults and operator actions (named verbs).
    type Fault: Verb + Send;
    /// What the picture draws, filled in place.
    type Snapshot: Default;
    /// How the picture maps time (spans that particles take to cross...), chosen by the page.
    type View: Copy + Default + PartialEq;

    /// Builds the model for valid params; schedules its first events in `cx`.
    fn build(params: &Self::Params, seeds: Seeds, cx: &mut Cx<Self::Event>) -> Self;

    /// The params the model runs with (a live change or quiescing may have moved them).
    fn params(&self) -> &Self::Params;

    /// Handles one event at `cx.now()`.
    fn handle(&mut self, cx: &mut Cx<Self::Event>, ev: Self::Event);

    /// Time of the next item of a stream the lab pulls itself (traffic drawn ahead), if any.
    /// At equal times, queued events go before it.
    fn source_time(&self) -> Option<Nanos> {
        None
    }

    /// Takes the next item of that stream (due at `cx.now()`).
    fn on_source(&mut self, _cx: &mut Cx<Self::Event>) {}

    /// Takes every stream item due at or before `until` and before the next queued event, at
    /// most `budget` of them, and returns how many. Labs whose stream is long and schedules no
    /// events (the flash sale) override this with a tight loop; the result must equal taking them
    /// one at a time.
    fn run_source(&mut self, cx: &mut Cx<Self::Event>, until: Nanos, budget: u64) -> u64 {
        let mut n = 0u64;
        // The budget covers the items and the work they declare (an item fanned out to every
        // lane costs as many units).
        while n.saturating_add(cx.declared_work()) < budget {
            match self.source_time() {
                Some(t) if t <= until && cx.next_event_at().is_none_or(|e| e > t) => {
                    cx.set_now(t);
                    self.on_source(cx);
                    n += 1;
                }
                _ => break,
            }
        }
        n
    }

    /// Called at the end of every advance, at the clock's final time; `reached` is false when the
    /// budget stopped it early.
    fn settle(&mut self, _now: Nanos, _reached: bool) {}

    /// Applies a fault or operator action now.
    fn apply(&mut self, _cx: &mut Cx<Self::Event>, _fault: Self::Fault) {}

    /// Applies the live knob `key` of `params` to the running model; false if it cannot (then the
    /// model is rebuilt).
    fn set_live(&mut self, _cx: &mut Cx<Self::Event>, _params: &Self::Params, _key: &str) -> bool {
        false
    }

    /// Stops new work and heals every fault, so the run can come to rest.
    fn quiesce(&mut self, _cx: &mut Cx<Self::Event>) {}

    /// Whether the run is at rest (everything sent is settled).
    fn quiet(&self) -> bool {
        true
    }

    /// Fills `out` with what to draw now.
    fn snapshot(&self, now: Nanos, view: &Self::View, out: &mut Self::Snapshot);

    /// Every metric the lab reports, in order.
    fn metrics() -> &'static [&'static Metric];

    /// Figures this run reports only once something has happened, as (group, metric): the
    /// cache's `ring_change.*` after the ring change its params schedule. A sweep can pick them
    /// (a run where it did not happen in time does not report them, and is counted so). None by
    /// default.
    fn reported_later(&self) -> Vec<(&'static str, &'static Metric)> {
        Vec::new()
    }

    /// Reports the figures as of `now`.
    fn report(&self, now: Nanos, r: &mut Report);

    /// Figures known only once the run is at rest (after [`Sim::quiesce`](super::sim::Sim::quiesce)).
    fn final_report(&self, _now: Nanos, _r: &mut Report) {}

    /// A digest of the run's integer figures: equal digests mean equal runs. By default, every
    /// integer of the report and the clock.
    fn digest(&self, now: Nanos, d: &mut Digest) {
        let mut r = Report::new();
        self.report(now, &mut r);
        d.u64(now);
        r.digest_into(d);
    }

    /// How far a run goes by itself.
    fn extent(_params: &Self::Params) -> Extent {
        Extent::Timed
    }

    /// The kinds of anomaly its "why did that happen" log notes (see [`WhyLog`]).
    fn why_kinds() -> &'static [Kind] {
        &[]
    }

    /// Its "why did that happen" log: an entry for every anomaly it counts.
    fn why(&self) -> Option<&WhyLog> {
        None
    }

    /// Moments of note that are not anomalies (the stock sold out), in the order they came: the
    /// page's timeline marks them beside the anomalies. A handful at most.
    fn milestones(&self) -> &[Milestone] {
        &[]
    }

    /// The checkers this lab feeds.
    fn checkers() -> &'static [Checker] {
        &[]
    }

    /// The lab's presets, in the order the page lists them.
    fn presets() -> Vec<Preset<Self::Params>>;

    /// Seed of a run when neither a link nor a preset gives one.
    fn default_seed() -> u64 {
        42
    }

    /// Capacity of the event queue for these params.
    fn queue_capacity(_params: &Self::Params) -> usize {
        1 << 16
    }

    /// What a run of these params costs at most: memory by part, and work per virtual second.
    fn cost(params: &Self::Params) -> Cost;
}
