//! A timed run's history, written once for every lab: the interventions recorded as the user makes
//! them (the action log a link and a run file replay), checkpoints of the run at intervals of
//! work (a jump to any moment re-runs from the nearest one), the marks of what happened (each
//! intervention, the first anomaly of each kind and later bursts), forks (an intervention in the
//! past drops the actions after it, kept for an undo). Plain Rust, beside the [`Host`]
//! (super::host::Host) that owns it: tested natively.
//!
//! Bounded by cost: checkpoints are copies of the run, so how many are kept follows the lab's
//! memory estimate for its params and the room the page's memory budget leaves beside the run
//! (and beside B, while comparing), and when they are all used every other one goes and the
//! interval doubles (a jump re-runs at most one interval, whatever the run's length). A run too
//! big for one copy beside it keeps only its start: a jump re-runs from there.

use flowlab_sim::kernel::cost::PAGE_BUDGET_BYTES;
use flowlab_sim::kernel::lab::Lab;
use flowlab_sim::kernel::sim::Sim;
use flowlab_sim::kernel::time::Nanos;
use flowlab_sim::replay::{Act, Action, ActionLog, MAX_ACTIONS};
use flowlab_sim::Model;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Memory all checkpoints of a run after its start may take together at most (the lab's
/// estimate of one run's peak memory, times their number), whatever room the budget leaves.
pub const CHECKPOINT_BYTES: u64 = 192 << 20;
/// Most checkpoints kept (the start of the run is one).
pub const MAX_CHECKPOINTS: usize = 48;

/// The room for the checkpoints of a run of `memory` bytes alone on the page: what the page's
/// budget leaves beside the run, at most [`CHECKPOINT_BYTES`].
pub fn room_alone(memory: u64) -> u64 {
    CHECKPOINT_BYTES.min(PAGE_BUDGET_BYTES.saturating_sub(memory))
}

/// The room for each side's checkpoints while A (`a` bytes) and B (`b` bytes) run together: half
/// of what the budget leaves beside both.
pub fn room_beside(a: u64, b: u64) -> u64 {
    CHECKPOINT_BYTES.min(PAGE_BUDGET_BYTES.saturating_sub(a.saturating_add(b)) / 2)
}

/// Checkpoints kept by a run of `memory` bytes with `room` bytes for them: its start, and as many
/// copies after it as fit.
fn most_kept(memory: u64, room: u64) -> usize {
    let after = usize::try_from(room / memory.max(1)).unwrap_or(usize::MAX);
    after.saturating_add(1).clamp(1, MAX_CHECKPOINTS)
}
/// Wall time of engine work between two checkpoints at first, by the lab's cost model (native
/// nanoseconds); the page's engine is slower, and the interval doubles as the run grows long.
pub const CHECKPOINT_WALL_NS: u64 = 15_000_000;
/// Least work between two checkpoints.
pub const MIN_CHECKPOINT_WORK: u64 = 5_000;
/// Most anomaly marks kept; past that, only the first of each kind.
pub const MAX_MARKS: usize = 200;
/// A kind's next mark comes at least this long after its last (a burst is one mark).
pub const MARK_GAP_NS: Nanos = 1_000_000_000;

/// An anomaly on the timeline: when, and its kind (an index into the lab's "why" kinds).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    pub at: Nanos,
    /// The "why" kind it marks (unless it is a milestone).
    pub kind: u16,
    /// A milestone's key ([`flowlab_sim::kernel::lab::Milestone`]): a moment of note that is
    /// not an anomaly (the stock sold out). (Frames go as bincode: every field is always
    /// written.)
    pub milestone: Option<String>,
}

/// What the page shows of the history, sent when it changed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HistoryWire {
    /// The params the run started with, as JSON text.
    pub params: String,
    /// The action log's text form.
    pub log: String,
    pub marks: Vec<Mark>,
    /// Actions an undo of the last fork would bring back (`None`: nothing to undo).
    pub undo: Option<usize>,
    /// Interventions refused because the log was full.
    pub refused: u32,
    /// The page state's generation of the rebuild that started this run (see
    /// [`Command::Rebuild`](super::host::Command::Rebuild)): the page takes only its current run's
    /// record, not one of a run it has already replaced.
    pub generation: u64,
}

/// A timed run's history (see the module's words).
pub struct History<L: Lab> {
    params: Value,
    log: ActionLog,
    /// The log before the last fork, the fork's time, and how many actions it dropped.
    undo: Option<(ActionLog, Nanos, usize)>,
    /// Copies of the run, oldest first; the first at its start.
    checkpoints: Vec<Sim<L>>,
    every: u64,
    max: usize,
    /// The lab's estimate of one copy's memory.
    memory: u64,
    /// The furthest the run went in this history.
    furthest: Nanos,
    marks: Vec<Mark>,
    /// The last mark of each kind.
    last_of_kind: Vec<Option<Nanos>>,
    /// The "why" lines below this number were looked at for marks.
    why_seen: u64,
    refused: u32,
    /// Bumped when what the page shows of it changed.
    pub version: u64,
}

impl<L: Lab> History<L> {
    /// The history of `sim` (at its start, `log` planned), started from `params`.
    pub fn new(sim: &Sim<L>, params: &L::Params, log: ActionLog) -> Self {
        let cost = L::cost(params);
        let memory = cost.memory();
        let max = most_kept(memory, room_alone(memory));
        let every = (CHECKPOINT_WALL_NS / cost.unit_ns.max(1)).max(MIN_CHECKPOINT_WORK);
        Self {
            params: serde_json::to_value(params).unwrap_or(Value::Null),
            log,
            undo: None,
            checkpoints: vec![sim.clone()],
            every,
            max,
            memory,
            furthest: sim.now(),
            marks: Vec::new(),
            last_of_kind: Vec::new(),
            why_seen: 0,
            refused: 0,
            version: 1,
        }
    }

    /// The history of a fresh run `sim` with `log` planned in it: none if the lab ends by itself
    /// (it takes no actions) or the run's params refuse the log (a link's is checked before).
    pub fn planned(sim: &mut Sim<L>, log: ActionLog) -> Self {
        let params = serde_json::to_value(sim.params()).unwrap_or_default();
        let timed = sim.extent() == flowlab_sim::kernel::lab::Extent::Timed;
        let log = match timed && flowlab_sim::labs::plan_log(sim, &params, &log, None).is_ok() {
            true => log,
            false => ActionLog::default(),
        };
        Self::new(sim, &sim.params().clone(), log)
    }

    /// Runs `sim` to `to` in one go, taking the checkpoints and marks on the way.
    pub fn run_to(&mut self, sim: &mut Sim<L>, to: Nanos) {
        while sim.advance_to(to, self.every) == flowlab_sim::Advance::BudgetExhausted {
            self.moved(sim);
        }
        self.moved(sim);
    }

    /// Work between two checkpoints now.
    pub fn every(&self) -> u64 {
        self.every
    }

    /// The params the run started with (before the log's knob changes).
    pub fn params(&self) -> &Value {
        &self.params
    }

    pub fn log(&self) -> &ActionLog {
        &self.log
    }

    pub fn furthest(&self) -> Nanos {
        self.furthest
    }

    pub fn checkpoints(&self) -> usize {
        self.checkpoints.len()
    }

    pub fn max_checkpoints(&self) -> usize {
        self.max
    }

    /// The lab's estimate of one copy of the run (bytes).
    pub fn memory(&self) -> u64 {
        self.memory
    }

    /// Gives the checkpoints `room` bytes (see [`room_alone`], [`room_beside`]): fewer may be
    /// kept (every other one goes, the start stays, until they fit), or more.
    pub fn set_room(&mut self, room: u64) {
        self.max = most_kept(self.memory, room);
        while self.checkpoints.len() > self.max {
            let mut i = 0;
            self.checkpoints.retain(|_| {
                i += 1;
                i % 2 == 1
            });
            self.every = self.every.saturating_mul(2);
        }
    }

    pub fn marks(&self) -> &[Mark] {
        &self.marks
    }

    /// What the page shows.
    pub fn wire(&self) -> HistoryWire {
        HistoryWire {
            params: self.params.to_string(),
            log: self.log.to_string(),
            marks: self.marks.clone(),
            undo: self.undo.as_ref().map(|u| u.2),
            refused: self.refused,
            generation: 0,
        }
    }

    /// The run moved (a frame advanced it): past the furthest point, it marks anomalies and
    /// takes a checkpoint when an interval of work went by.
    pub fn moved(&mut self, sim: &mut Sim<L>) {
        let now = sim.now();
        if now <= self.furthest {
            return;
        }
        let from = self.furthest;
        self.furthest = now;
        self.mark(sim, from);
        let last = self.checkpoints.last().map_or(0, |c| c.work());
        if sim.work() >= last.saturating_add(self.every) {
            self.checkpoint(sim);
        }
    }

    /// Marks the anomalies the run noted after `from`, and its milestones since then (those
    /// ahead of the run's clock once it reaches them, or at its end).
    fn mark(&mut self, sim: &Sim<L>, from: Nanos) {
        let before = self.marks.len();
        let (now, done) = (sim.now(), sim.is_done());
        for m in sim.milestones() {
            if m.at > from && (m.at <= now || done) && self.marks.len() < MAX_MARKS {
                let noted = |x: &Mark| x.milestone.as_deref() == Some(m.key) && x.at == m.at;
                if !self.marks.iter().any(noted) {
                    self.marks.push(Mark {
                        at: m.at,
                        kind: 0,
                        milestone: Some(m.key.to_string()),
                    });
                    self.marks.sort_by_key(|m| m.at);
                }
            }
        }
        let Some(w) = sim.why() else {
            if self.marks.len() != before {
                self.version += 1;
            }
            return;
        };
        for e in w.since(self.why_seen) {
            if e.at <= from {
                continue;
            }
            let k = usize::from(e.kind);
            if self.last_of_kind.len() <= k {
                self.last_of_kind.resize(k + 1, None);
            }
            let new = match self.last_of_kind[k] {
                None => true,
                Some(t) => self.marks.len() < MAX_MARKS && e.at >= t.saturating_add(MARK_GAP_NS),
            };
            if new {
                self.last_of_kind[k] = Some(e.at);
                self.marks.push(Mark {
                    at: e.at,
                    kind: e.kind,
                    milestone: None,
                });
            }
        }
        self.why_seen = w.total();
        if self.marks.len() != before {
            self.version += 1;
        }
    }

    /// Keeps a copy of the run as it is now, its instant finished (every event and action at
    /// this time handled: the copy re-planned from here misses none); when the copies are all
    /// used, every other one goes (the start stays) and the interval doubles.
    fn checkpoint(&mut self, sim: &mut Sim<L>) {
        // No room for a copy beside the run: its start is its only checkpoint.
        if self.max <= 1 {
            return;
        }
        sim.run_to(sim.now());
        if self.checkpoints.len() >= self.max {
            let mut i = 0;
            self.checkpoints.retain(|_| {
                i += 1;
                i % 2 == 1
            });
            self.every = self.every.saturating_mul(2);
        }
        self.checkpoints.push(sim.clone());
    }

    /// The run at `t` (at most the furthest point): a copy of the nearest checkpoint before it,
    /// the later actions planned again, run to `t`.
    pub fn seek(&self, t: Nanos) -> Sim<L> {
        let t = t.min(self.furthest);
        let i = self.checkpoints.partition_point(|c| c.now() <= t).max(1) - 1;
        let mut sim = self.checkpoints[i].clone();
        let at = sim.now();
        // The log was checked when it was made or read: a failure here leaves the copy's plan.
        let _ = flowlab_sim::labs::plan_log(&mut sim, &self.params, &self.log, Some(at));
        sim.run_to(t);
        sim
    }

    /// The run is at `sim.now()` before the furthest point, and an intervention comes: the
    /// history after now is dropped (checkpoints and marks), the actions after now kept for an
    /// undo, and the run's plan of them dropped.
    fn fork(&mut self, sim: &mut Sim<L>) {
        let now = sim.now();
        if now >= self.furthest {
            return;
        }
        let before = self.log.clone();
        let dropped = self.log.cut_after(now);
        self.undo = (!dropped.is_empty()).then_some((before, now, dropped.len()));
        self.truncate(now);
        sim.plan(std::iter::empty());
        self.version += 1;
    }

    /// Forgets what happened after `t`.
    fn truncate(&mut self, t: Nanos) {
        self.furthest = t;
        let keep = self.checkpoints.partition_point(|c| c.now() <= t).max(1);
        self.checkpoints.truncate(keep);
        self.marks.retain(|m| m.at <= t);
        for k in self.last_of_kind.iter_mut() {
            *k = None;
        }
        for m in self.marks.iter().filter(|m| m.milestone.is_none()) {
            let k = usize::from(m.kind);
            if let Some(slot) = self.last_of_kind.get_mut(k) {
                *slot = Some(slot.map_or(m.at, |s| s.max(m.at)));
            }
        }
    }

    /// Records an intervention at the run's time, taking it first with `take` (which says whether
    /// the run took it): the instant is finished first, so that a replay (which applies an action
    /// once everything at or before its time is handled) takes it at the same point; in the past,
    /// the history forks. Refused, untaken, when the log is full (`None`); else whether the run
    /// took it.
    pub fn record(
        &mut self,
        sim: &mut Sim<L>,
        act: Act,
        take: impl FnOnce(&mut Sim<L>) -> bool,
    ) -> Option<bool> {
        let in_past = sim.now() < self.furthest;
        let dropping = in_past && self.log.actions.last().is_some_and(|a| a.at > sim.now());
        if self.log.actions.len() >= MAX_ACTIONS && !dropping {
            self.refused += 1;
            self.version += 1;
            return None;
        }
        sim.run_to(sim.now());
        self.fork(sim);
        if !take(sim) {
            return Some(false);
        }
        let at = sim.now();
        self.log.push(Action { at, act });
        self.furthest = self.furthest.max(at);
        self.version += 1;
        Some(true)
    }

    /// Undoes the last fork: its actions come back, and the run goes back to the fork's time
    /// (from there it plays the restored history).
    pub fn undo(&mut self) -> Option<Sim<L>> {
        let (log, at, _) = self.undo.take()?;
        self.log = log;
        self.truncate(at);
        self.version += 1;
        let sim = self.seek(at);
        self.why_seen = sim.why().map_or(0, |w| w.total());
        Some(sim)
    }

    /// After a jump: the "why" lines of the run as it now is were all looked at.
    pub fn sought(&mut self, sim: &Sim<L>) {
        self.why_seen = sim.why().map_or(0, |w| w.total());
    }
}

/// The text of knob `key` in `params` as an action log writes it (as a link does).
pub fn knob_text<P: Serialize>(params: &P, key: &str) -> Option<String> {
    let v = serde_json::to_value(params).ok()?;
    let leaf = flowlab_sim::kernel::knobs::leaf(&v, key)?;
    Some(match leaf {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use flowlab_sim::kernel::time::NS_PER_S;
    use flowlab_sim::queue::{Queue, QueueParams};

    /// A run and its checkpoints fit the page's budget together: the copies after the start take
    /// the room the budget leaves beside the run (half of what it leaves beside A and B while
    /// comparing), 192 MB at most; a run too big for one copy beside it keeps only its start, and
    /// a jump from there is still the run as it was.
    #[test]
    fn checkpoints_take_the_room_the_budget_leaves_beside_the_run() {
        const MB: u64 = 1 << 20;
        assert_eq!(most_kept(4 * MB, room_alone(4 * MB)), MAX_CHECKPOINTS);
        assert_eq!(most_kept(100 * MB, room_alone(100 * MB)), 2);
        assert_eq!(most_kept(276 * MB, room_alone(276 * MB)), 1);
        assert_eq!(room_beside(188 * MB, 188 * MB), 68 * MB);
        assert_eq!(most_kept(60 * MB, room_beside(188 * MB, 188 * MB)), 2);
        assert_eq!(room_beside(300 * MB, 300 * MB), 0);
        for memory in [MB, 10 * MB, 100 * MB, 200 * MB, 300 * MB, 500 * MB] {
            // The start is small; every later copy at most the run's estimate.
            let after = (most_kept(memory, room_alone(memory)) - 1) as u64;
            assert!(
                memory + after * memory <= PAGE_BUDGET_BYTES.max(memory),
                "{memory}"
            );
        }

        // The queue at 32 partitions keeping 80,000 records each: about 276 MB, admitted alone.
        let params = QueueParams {
            partitions: 32,
            log_retention_records: 80_000,
            ..QueueParams::default()
        };
        let memory = Queue::cost(&params).memory();
        assert!(memory > 256 * MB && memory <= PAGE_BUDGET_BYTES, "{memory}");
        let mut sim = Sim::<Queue>::new_or_default(&params, 3);
        let mut h = History::new(&sim, &params, ActionLog::default());
        assert_eq!(h.max_checkpoints(), 1, "no room for a copy beside it");
        h.every = 2_000;
        h.run_to(&mut sim, 8 * NS_PER_S);
        assert_eq!(h.checkpoints(), 1, "only its start");
        let mut fresh = Sim::<Queue>::new_or_default(&params, 3);
        fresh.run_to(5 * NS_PER_S);
        assert_eq!(
            h.seek(5 * NS_PER_S).digest(),
            fresh.digest(),
            "a jump re-runs from the start"
        );

        // A history given less room keeps fewer (the start stays), and jumps stay true.
        let params = QueueParams::default();
        let mut sim = Sim::<Queue>::new_or_default(&params, 5);
        let mut h = History::new(&sim, &params, ActionLog::default());
        h.every = 2_000;
        h.run_to(&mut sim, 20 * NS_PER_S);
        assert!(h.checkpoints() > 3, "{}", h.checkpoints());
        h.set_room(2 * h.memory());
        assert_eq!(h.max_checkpoints(), 3);
        assert!(h.checkpoints() <= 3 && h.checkpoints[0].now() == 0);
        for t in [3, 11, 19] {
            let mut fresh = Sim::<Queue>::new_or_default(&params, 5);
            fresh.run_to(t * NS_PER_S);
            assert_eq!(h.seek(t * NS_PER_S).digest(), fresh.digest(), "at {t} s");
        }
        h.set_room(0);
        assert_eq!(h.checkpoints(), 1);
        h.set_room(room_alone(h.memory()));
        assert_eq!(
            h.max_checkpoints(),
            most_kept(h.memory(), CHECKPOINT_BYTES),
            "room again"
        );
        assert!(h.max_checkpoints() > 3);
    }

    /// However long the run, the checkpoints stay within their number (every other goes, the
    /// interval doubles), and a jump from any of them is the run as it was.
    #[test]
    fn checkpoints_thin_out_and_every_jump_is_the_run_as_it_was() {
        let params = QueueParams::default();
        let mut sim = Sim::<Queue>::new_or_default(&params, 5);
        let mut h = History::new(&sim, &params, ActionLog::default());
        h.max = 4;
        h.every = 2_000;
        let end = 30 * NS_PER_S;
        let mut t = 0;
        while t < end {
            t += NS_PER_S / 4;
            sim.run_to(t);
            h.moved(&mut sim);
            assert!(h.checkpoints() <= 4);
        }
        assert!(h.every > 2_000, "the interval grew: {}", h.every);
        assert_eq!(h.furthest(), end);
        for t in [end, 0, end / 3, 7 * NS_PER_S + 1, end - 1] {
            let mut fresh = Sim::<Queue>::new_or_default(&params, 5);
            fresh.run_to(t);
            let at = h.seek(t);
            assert_eq!(at.now(), t);
            assert_eq!(at.digest(), fresh.digest(), "a jump to {t}");
        }
        // A jump past the furthest point stops there.
        assert_eq!(h.seek(end + NS_PER_S).now(), end);
    }

    /// Marks: the first of each kind, then one per burst, bounded; a fork drops the later ones.
    #[test]
    fn anomalies_are_marked_once_per_burst_and_a_fork_drops_the_later_ones() {
        let preset = Queue::presets()
            .into_iter()
            .find(|p| p.id == "acks1_leader_dies")
            .expect("the acks=1 preset");
        let mut sim = Sim::<Queue>::new_or_default(&preset.params, preset.seed);
        let mut h = History::new(&sim, &preset.params, ActionLog::default());
        for s in 1..=20 {
            sim.run_to(s * NS_PER_S);
            h.moved(&mut sim);
        }
        assert!(!h.marks().is_empty(), "the preset's loss is marked");
        let kinds = Queue::why_kinds();
        let lost = h
            .marks()
            .iter()
            .any(|m| kinds[usize::from(m.kind)].key.starts_with("lost"));
        assert!(lost, "{:?}", h.marks());
        for w in h.marks().windows(2) {
            assert!(w[0].at <= w[1].at);
        }
        for (i, a) in h.marks().iter().enumerate() {
            for b in &h.marks()[..i] {
                assert!(
                    a.kind != b.kind || a.at >= b.at + MARK_GAP_NS,
                    "one per burst"
                );
            }
        }
        let mut at = h.seek(h.marks()[0].at);
        h.sought(&at);
        let verb = serde_json::json!("add_consumer");
        let took = h.record(&mut at, Act::Verb(verb), |s| {
            s.apply(serde_json::from_value(serde_json::json!("add_consumer")).unwrap());
            true
        });
        assert_eq!(took, Some(true));
        assert!(h.marks().iter().all(|m| m.at <= h.furthest()));
        assert_eq!(h.log().actions.len(), 1);
    }

    /// The flash sale's sold-out moment is marked once, when the last gift sells, on any seed;
    /// a sale that does not sell out has no such mark.
    #[test]
    fn the_moment_the_stock_sells_out_is_marked() {
        use flowlab_sim::labs::flash_sale::{FlashSaleParams, Sale};
        let sold_out = |users: u64, seed: u64| {
            let p = FlashSaleParams {
                users,
                stock: 1_000,
                ..Default::default()
            };
            let mut sim = Sim::<Sale>::new_or_default(&p, seed);
            let mut h = History::new(&sim, &p, ActionLog::default());
            while sim.advance(5_000) == flowlab_sim::Advance::BudgetExhausted {
                h.moved(&mut sim);
            }
            h.moved(&mut sim);
            let marks: Vec<Mark> = h
                .marks()
                .iter()
                .filter(|m| m.milestone.as_deref() == Some("sold_out"))
                .cloned()
                .collect();
            (marks, sim.milestones().to_vec())
        };
        for seed in 0..8 {
            let (marks, noted) = sold_out(200_000, seed);
            assert_eq!(marks.len(), 1, "seed {seed}: {marks:?}");
            assert_eq!(noted.len(), 1);
            assert_eq!(marks[0].at, noted[0].at);
            assert!(marks[0].at > 0 && marks[0].at < 2 * NS_PER_S, "{marks:?}");
            let (none, _) = sold_out(500, seed);
            assert!(
                none.is_empty(),
                "seed {seed}: 500 users buy 500 of 1,000 gifts"
            );
        }
    }
}
