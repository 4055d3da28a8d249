//! The one loop: [`Sim`] runs any [`Lab`]. It owns the clock, the event queue, the seed, the work
//! budget of each call, quiescing and the digest; the lab only handles events.

use std::collections::VecDeque;
use std::ops::Deref;

use super::digest::Digest;
use super::event::{EventQueue, QueueFull};
use super::knobs::Knobs;
use super::lab::{Cx, Extent, Lab, Seeds};
use super::model::{Advance, Model, ParamError, Validate};
use super::report::Report;
use super::time::{Nanos, NS_PER_MS};

/// A run of lab `L`: the lab, its clock and its event queue (cloned for checkpoints).
#[derive(Clone)]
pub struct Sim<L: Lab> {
    lab: L,
    seed: u64,
    now: Nanos,
    queue: EventQueue<L::Event>,
    /// Work done so far (events, stream items and the fan-out they declared).
    work: u64,
    /// Interventions planned for later (a replayed action log), in time order: each is applied
    /// once every event and stream item at or before its time is handled.
    planned: VecDeque<(Nanos, Planned<L>)>,
    /// Planned knob changes the lab refused (it could not take them live).
    refused: u32,
}

/// An intervention a run applies by itself at its time.
#[derive(Clone, Debug)]
pub enum Planned<L: Lab> {
    Fault(L::Fault),
    /// The params with the live knob `key` changed.
    Live(L::Params, String),
}

impl<L: Lab> Deref for Sim<L> {
    type Target = L;

    /// The lab's own accessors (counts, state for the page) read through the run.
    fn deref(&self) -> &L {
        &self.lab
    }
}

impl<L: Lab> Sim<L> {
    /// A run of `params`, or of the defaults if they are refused (a last resort that never panics:
    /// the page keeps only valid params).
    pub fn new_or_default(params: &L::Params, seed: u64) -> Self {
        Self::new(params.clone(), seed)
            .or_else(|_| Self::new(L::Params::default(), seed))
            .expect("default params are valid")
    }

    pub fn lab(&self) -> &L {
        &self.lab
    }

    /// The lab, for changes that schedule nothing (what the picture shows).
    pub fn lab_mut(&mut self) -> &mut L {
        &mut self.lab
    }

    pub fn params(&self) -> &L::Params {
        self.lab.params()
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Work done so far.
    pub fn work(&self) -> u64 {
        self.work
    }

    /// Events waiting.
    pub fn pending(&self) -> usize {
        self.queue.len()
    }

    /// Time of the next thing that will happen (an event or a stream item).
    pub fn next_at(&self) -> Option<Nanos> {
        match (self.queue.peek_time(), self.lab.source_time()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Nothing left to happen.
    pub fn is_done(&self) -> bool {
        self.next_at().is_none()
    }

    /// Runs whatever comes next, within `budget`, for labs that end by themselves: the clock stays
    /// at the last item done. `Reached` means nothing is left.
    pub fn advance(&mut self, budget: u64) -> Advance {
        let r = self.run(None, budget);
        self.lab.settle(self.now, r == Advance::Reached);
        r
    }

    /// Runs until nothing is left (labs that end by themselves).
    pub fn run_to_end(&mut self) {
        while self.advance(1 << 22) == Advance::BudgetExhausted {}
    }

    /// Plans `actions` (time order, none before now): the run applies each by itself at its time,
    /// however it is advanced. Replaces what was planned.
    pub fn plan(&mut self, actions: impl IntoIterator<Item = (Nanos, Planned<L>)>) {
        self.planned = actions.into_iter().collect();
        debug_assert!(self.planned.iter().all(|(t, _)| *t >= self.now));
        debug_assert!(self
            .planned
            .iter()
            .zip(self.planned.iter().skip(1))
            .all(|(a, b)| a.0 <= b.0));
    }

    /// Interventions planned and not yet applied.
    pub fn planned(&self) -> usize {
        self.planned.len()
    }

    /// Planned knob changes the lab refused.
    pub fn refused_changes(&self) -> u32 {
        self.refused
    }

    /// Applies the first planned intervention, at its time.
    fn apply_planned(&mut self) {
        let Some((at, p)) = self.planned.pop_front() else {
            return;
        };
        self.now = self.now.max(at);
        match p {
            Planned::Fault(f) => self.apply(f),
            Planned::Live(params, key) => {
                if !self.set_live(&params, &key) {
                    self.refused += 1;
                }
            }
        }
    }

    fn run(&mut self, until: Option<Nanos>, budget: u64) -> Advance {
        let budget = budget.max(1); // a budget of 0 would never make progress
        let limit = until.unwrap_or(Nanos::MAX);
        let mut spent = 0u64;
        loop {
            let te = self.queue.peek_time();
            let ts = self.lab.source_time();
            // Queued events go first when tied with the stream.
            let take_event = match (te, ts) {
                (Some(e), Some(s)) => e <= s,
                (Some(_), None) => true,
                (None, _) => false,
            };
            let next = if take_event { te } else { ts };
            // A planned intervention goes once everything at or before its time is handled.
            if let Some(&(at, _)) = self.planned.front() {
                if at <= limit && next.is_none_or(|t| at < t) {
                    self.apply_planned();
                    continue;
                }
            }
            let Some(t) = next.filter(|&t| t <= limit) else {
                return Advance::Reached;
            };
            if spent >= budget {
                return Advance::BudgetExhausted;
            }
            if take_event {
                let (at, ev) = self.queue.pop_due(t).expect("peeked event is due");
                self.now = at;
                let mut cx = Cx::new(at, &mut self.queue);
                self.lab.handle(&mut cx, ev);
                let w = 1 + cx.take_work();
                spent = spent.saturating_add(w);
                self.work = self.work.saturating_add(w);
            } else {
                // Stream items up to the next event (exclusive: events win ties) or the limit.
                let horizon = match te {
                    Some(e) => limit.min(e.saturating_sub(1)),
                    None => limit,
                };
                let horizon = match self.planned.front() {
                    Some(&(at, _)) => horizon.min(at),
                    None => horizon,
                };
                let mut cx = Cx::new(t, &mut self.queue);
                let n = self.lab.run_source(&mut cx, horizon, budget - spent).max(1);
                self.now = self.now.max(cx.now());
                let w = n + cx.take_work();
                spent = spent.saturating_add(w);
                self.work = self.work.saturating_add(w);
            }
        }
    }

    /// Applies a fault or operator action now.
    pub fn apply(&mut self, fault: L::Fault) {
        let mut cx = Cx::new(self.now, &mut self.queue);
        self.lab.apply(&mut cx, fault);
    }

    /// Schedules `ev` at `at` (not before now) from outside the lab: a fault a test or a preset
    /// sets for later. Fails if the event queue is full.
    pub fn schedule(&mut self, at: Nanos, ev: L::Event) -> Result<(), QueueFull> {
        self.queue.push(at.max(self.now), ev)
    }

    /// Applies the live knob `key` of `params` to the running model; false if the lab cannot (the
    /// caller then rebuilds).
    pub fn set_live(&mut self, params: &L::Params, key: &str) -> bool {
        let live = L::Params::knob(key).is_some_and(|k| k.live);
        if !live || params.validate().is_err() {
            return false;
        }
        let mut cx = Cx::new(self.now, &mut self.queue);
        self.lab.set_live(&mut cx, params, key)
    }

    /// Stops new work, heals every fault, and runs until the lab is at rest or `limit` of virtual
    /// time passes. Returns whether it came to rest.
    pub fn quiesce(&mut self, limit: Nanos) -> bool {
        {
            let mut cx = Cx::new(self.now, &mut self.queue);
            self.lab.quiesce(&mut cx);
        }
        if self.lab.quiet() {
            return true;
        }
        let end = self.now.saturating_add(limit);
        let step = 100 * NS_PER_MS;
        while self.now < end {
            let t = self.now.saturating_add(step).min(end);
            self.run_to(t);
            if self.lab.quiet() {
                return true;
            }
        }
        false
    }

    /// Fills `out` with what to draw now.
    pub fn snapshot(&self, view: &L::View, out: &mut L::Snapshot) {
        self.lab.snapshot(self.now, view, out);
    }

    /// The figures as of now.
    pub fn figures(&self) -> Report {
        let mut r = Report::new();
        self.lab.report(self.now, &mut r);
        r
    }

    /// The figures as of now, then those known at rest under the group `final`.
    pub fn final_figures(&self) -> Report {
        let mut r = self.figures();
        r.end_lane();
        r.group("final");
        self.lab.final_report(self.now, &mut r);
        r.group("");
        r
    }

    /// How far this run goes by itself.
    pub fn extent(&self) -> Extent {
        L::extent(self.lab.params())
    }
}

/// The run's basic verbs are those of every [`Model`]: `new`, `now`, `advance_to`, `run_to`,
/// `digest`.
impl<L: Lab> Model for Sim<L> {
    type Params = L::Params;

    /// A run of `params` and `seed`; the params are validated first.
    fn new(params: L::Params, seed: u64) -> Result<Self, ParamError> {
        params.validate()?;
        let mut queue = EventQueue::with_capacity(L::queue_capacity(&params));
        let lab = {
            let mut cx = Cx::new(0, &mut queue);
            L::build(&params, Seeds(seed), &mut cx)
        };
        Ok(Self {
            lab,
            seed,
            now: 0,
            queue,
            work: 0,
            planned: VecDeque::new(),
            refused: 0,
        })
    }

    /// Virtual time now.
    fn now(&self) -> Nanos {
        self.now
    }

    /// Runs events and stream items due at or before `until`, within `budget` units of work (at
    /// least one item). `Reached` moves the clock to `until`; `BudgetExhausted` leaves it at the
    /// last item done. The run does not depend on how it is cut into calls.
    fn advance_to(&mut self, until: Nanos, budget: u64) -> Advance {
        let r = self.run(Some(until), budget);
        if r == Advance::Reached {
            self.now = self.now.max(until);
        }
        self.lab.settle(self.now, r == Advance::Reached);
        r
    }

    /// A digest of the run's figures: equal digests mean equal runs.
    fn digest(&self) -> u64 {
        let mut d = Digest::default();
        self.lab.digest(self.now, &mut d);
        d.finish()
    }
}
