//! One run of any registered lab, exactly as `flowlab run` makes it: timed labs advance to `until`
//! (then, for labs that check at rest, quiesce and report their `final.*` figures), the others run
//! to their own end. `flowlab run`, `flowlab sweep` and the page's sweep workers all go through
//! [`drive`], so the same params and seed give the same figures everywhere.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::kernel::lab::Extent;
use crate::kernel::model::{Advance, ParamError};
use crate::kernel::report::{Measure, Report};
use crate::kernel::time::{Nanos, NS_PER_MS, NS_PER_S};
use crate::labs::{AnyLab, AnyRun};
use crate::replay::{Act, ActionError, ActionLog, ActionProblem};

/// Slices of virtual time a timed run advances by, reporting progress after each (the result
/// does not depend on them: a run is the same however it is stepped).
pub const SLICES: u64 = 100;
/// Work units one call of the loop may do before progress is reported again.
const BUDGET_TIMED: u64 = 1 << 20;
const BUDGET_ITEMS: u64 = 1 << 22;
/// Longest a run is given to come to rest after `until` (labs that check at rest).
pub const QUIESCE_LIMIT: Nanos = 600 * NS_PER_S;

/// What a run left behind.
#[derive(Clone, Debug)]
pub struct Finished {
    /// Figures when the run stopped: timed labs at `until`, the others at their end.
    pub figures: Report,
    /// Labs that check at rest: whether the run came to rest within [`QUIESCE_LIMIT`], and the
    /// figures known only at rest (group `final`).
    pub at_rest: Option<(bool, Report)>,
    /// The run's digest when it stopped (before coming to rest).
    pub digest: u64,
    /// Virtual time when it stopped (before coming to rest).
    pub now: Nanos,
    /// Work done (events and stream items), before coming to rest.
    pub work: u64,
}

impl Finished {
    /// The figure at dotted `path` as in the command line's JSON (`lost`, `final.lost`,
    /// `fixed_window.accepted`, `e2e_latency_p99_ms`), if the run reported it as a number. A
    /// latency's bare path (`e2e_latency`) is its p99.
    pub fn number(&self, path: &str) -> Option<f64> {
        let reports = || std::iter::once(&self.figures).chain(self.at_rest.iter().map(|(_, r)| r));
        reports()
            .flat_map(|r| r.leaves())
            .find(|(p, _)| p == path)
            .map(|(_, leaf)| leaf.as_f64())
            .unwrap_or_else(|| {
                reports()
                    .find_map(|r| r.get(path))
                    .filter(|f| f.metric.measure == Measure::Latency)
                    .and_then(|f| f.number())
            })
    }
}

/// Runs `sim` (a run of `lab` just started) as the command line does: a timed run to `until`,
/// calling `progress` with the virtual milliseconds reached after each slice, then, for labs
/// that check at rest, to rest; a run that ends by itself to its end, calling `progress` with the
/// work done.
pub fn drive(
    lab: &dyn AnyLab,
    sim: &mut dyn AnyRun,
    until: Nanos,
    progress: &mut dyn FnMut(u64),
) -> Finished {
    let none = Replay {
        params: &Value::Null,
        log: &ActionLog::default(),
    };
    drive_with(lab, sim, until, none, progress).expect("a run without actions has none to refuse")
}

/// What a run replays: its action log, and the params it started with (a live knob's change
/// applies to them).
#[derive(Clone, Copy)]
pub struct Replay<'a> {
    pub params: &'a Value,
    pub log: &'a ActionLog,
}

/// What a run leaves where it stands: a timed lab's figures and digest now (then, for labs that
/// check at rest, it comes to rest for the figures known only then); a lab that ends by itself
/// first runs to its end. The page's export of its live run (a clone of it) and every replay end
/// here.
pub fn finish(lab: &dyn AnyLab, sim: &mut dyn AnyRun) -> Finished {
    match sim.extent() {
        Extent::Timed => {
            let figures = sim.figures();
            let digest = sim.digest();
            let (now, work) = (sim.now(), sim.work());
            let at_rest = lab.checks_at_rest().then(|| {
                let quiet = sim.quiesce(QUIESCE_LIMIT);
                (quiet, sim.final_figures().since(figures.figures.len()))
            });
            Finished {
                figures,
                at_rest,
                digest,
                now,
                work,
            }
        }
        Extent::Items { .. } => {
            while sim.advance(BUDGET_ITEMS) == Advance::BudgetExhausted {}
            Finished {
                figures: sim.figures(),
                at_rest: None,
                digest: sim.digest(),
                now: sim.now(),
                work: sim.work(),
            }
        }
    }
}

/// [`drive`], applying `replay`'s actions on the way: the run plans them ([`AnyRun::plan_log`])
/// and applies each once every event at or before its time is handled, in the log's order,
/// however it is advanced. A knob change the lab refused while running is reported after the
/// run; check the log first with [`ActionLog::check`].
pub fn drive_with(
    lab: &dyn AnyLab,
    sim: &mut dyn AnyRun,
    until: Nanos,
    replay: Replay<'_>,
    progress: &mut dyn FnMut(u64),
) -> Result<Finished, ActionError> {
    let actions = &replay.log.actions;
    if !actions.is_empty() && !matches!(sim.extent(), Extent::Timed) {
        return Err(ActionError {
            index: 1,
            text: actions[0].to_string(),
            problem: ActionProblem::NoActions,
        });
    }
    if !actions.is_empty() {
        sim.plan_log(replay.params, replay.log, None)?;
    }
    match sim.extent() {
        Extent::Timed => {
            for k in 1..=SLICES {
                let t = (until as u128 * k as u128 / SLICES as u128) as Nanos;
                while sim.advance_to(t, BUDGET_TIMED) == Advance::BudgetExhausted {}
                progress(t / NS_PER_MS);
            }
        }
        Extent::Items { .. } => {
            while sim.advance(BUDGET_ITEMS) == Advance::BudgetExhausted {
                progress(sim.work());
            }
        }
    }
    let finished = finish(lab, sim);
    if sim.refused_changes() > 0 {
        let a = actions
            .iter()
            .find(|a| matches!(a.act, Act::Set { .. }))
            .expect("only knob changes are refused");
        return Err(ActionError {
            index: 1 + actions.iter().position(|x| x == a).unwrap_or(0),
            text: a.to_string(),
            problem: ActionProblem::NotLive,
        });
    }
    Ok(finished)
}

/// Starts a run of `lab` with `params` and `seed` and [`drive`]s it.
pub fn run_full(
    lab: &dyn AnyLab,
    params: &Value,
    seed: u64,
    until: Nanos,
    progress: &mut dyn FnMut(u64),
) -> Result<Finished, ParamError> {
    let mut sim = lab.start(params, seed)?;
    Ok(drive(lab, &mut *sim, until, progress))
}

/// One run's outcome in a sweep: the picked figure and the run's digest.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunOut {
    /// The metric's value; `None` if this run did not report it (a lane the point's params turn
    /// off, a figure reported only after some event).
    pub value: Option<f64>,
    /// The run's digest (equal digests: equal runs).
    pub digest: u64,
}

/// One run of a sweep: `lab` with `params` (valid, as a [`Plan`](super::Plan)'s points hold
/// them) and `seed` to `until` (ignored by labs that end by themselves), keeping only `metric`.
/// The same as `flowlab run` with these params and seed: see [`drive`].
pub fn run_one(
    lab: &dyn AnyLab,
    params: &Value,
    seed: u64,
    until: Nanos,
    metric: &str,
) -> Result<RunOut, ParamError> {
    let f = run_full(lab, params, seed, until, &mut |_| {})?;
    Ok(RunOut {
        value: f.number(metric),
        digest: f.digest,
    })
}
