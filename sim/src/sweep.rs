//! Sweeps: one lab's figure over many seeds, and across one knob's values. Written once against
//! the registry ([`AnyLab`]), for every lab.
//!
//! A [`Sweep`] says what to run (a metric, an optional knob [`Axis`], seeds, the virtual time);
//! [`Sweep::plan`] checks it against a lab and its base params and gives a [`Plan`]: the points
//! (each one's params, checked by the lab and its cost model), the seeds, and what it costs. Each
//! run is then [`run_one`] (the page runs it in a worker, the command line with rayon), which is
//! what `flowlab run` does with the same params and seed. Only each run's value and digest are
//! kept: a 200-seed × 20-value sweep holds 4,000 of them. [`Summary`] and [`Histogram`] sum them
//! up. A sweep is written into a link by [`Sweep::to_query`] (`sweep=` part of the lab's link).

mod link;
mod run;
mod stats;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::kernel::knobs::{Kind, Knob};
use crate::kernel::model::{shorten, ParamError};
use crate::kernel::query::Problem;
use crate::kernel::report::{Leaf, Measure};
use crate::kernel::time::{Nanos, NS_PER_S};
use crate::labs::{AnyLab, DecodeError};

pub use link::SWEEP_KEY;
pub use run::{
    drive, drive_with, finish, run_full, run_one, Finished, Replay, RunOut, QUIESCE_LIMIT, SLICES,
};
pub use stats::{Bin, Histogram, Summary, MAX_BINS};

/// Most seeds a sweep runs per point.
pub const MAX_SEEDS: u32 = 200;
/// Most points (knob values) a sweep has.
pub const MAX_POINTS: usize = 20;
/// Fewest and most steps of a range.
pub const MIN_STEPS: u32 = 2;
pub const MAX_STEPS: u32 = MAX_POINTS as u32;
/// Virtual seconds a timed lab runs when the sweep does not say.
pub const DEFAULT_UNTIL_S: f64 = 60.0;
/// Longest virtual run, seconds (about 116 days).
pub const MAX_UNTIL_S: f64 = 10_000_000.0;
/// Longest knob value text.
pub const MAX_VALUE_CHARS: usize = 40;

/// What to sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sweep {
    /// The figure, by its dotted path in the report (`final.lost`, `e2e_latency_p99_ms`,
    /// `fixed_window.accepted`): see [`sweepable_metrics`]. A latency's bare path
    /// (`e2e_latency`) means its p99.
    pub metric: String,
    /// The knob and its values; `None`: only seeds (one point, the base params).
    pub knob: Option<Axis>,
    /// Seeds per point, 1..=[`MAX_SEEDS`].
    pub seeds: u32,
    /// The first seed; the others follow it (`first_seed + 1`, ...).
    pub first_seed: u64,
    /// Virtual seconds each run lasts (timed labs; [`DEFAULT_UNTIL_S`] if `None`). Labs that end
    /// by themselves take none.
    pub until_s: Option<f64>,
}

/// A knob and the values it takes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Axis {
    /// Dotted key, as in the link and `--set` (`acks`, `traffic.rate_per_s`).
    pub key: String,
    pub values: Values,
}

/// The values of a knob a sweep goes through.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Values {
    /// These values, as text (as in the link: `all`, `0.25`, `true`), 1..=[`MAX_POINTS`] of them.
    List { values: Vec<String> },
    /// `steps` values evenly from `lo` to `hi` (a numeric knob); whole-number knobs round them
    /// (equal ones merge), real ones are written to one digit past the step's first (`0:0.1:4` gives 0, 0.033, 0.067, 0.1).
    Range { lo: f64, hi: f64, steps: u32 },
    /// Every option of a choice knob (acks 0 / 1 / all), or both sides of a switch.
    Choices,
}

/// One point of a plan: the knob's value and the params with it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Point {
    /// The knob's value as text (as in the link), "" when the sweep has no knob.
    pub label: String,
    /// The value as a number, for a numeric knob (the x of a chart).
    pub x: Option<f64>,
    /// The option's text id, for a choice knob (the page says it in the reader's language).
    pub text: Option<&'static str>,
    /// The params of this point's runs (valid, within the budget).
    pub params: Value,
}

/// What a whole sweep costs, by the lab's cost model.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanCost {
    /// Work units of every run together (an upper bound: each virtual second as busy as the
    /// busiest).
    pub work: f64,
    /// Peak memory of the costliest run, bytes.
    pub peak_bytes: u64,
    /// Estimated seconds of every run one after another on one native thread (the cost model's
    /// `unit_ns`, measured on the reference machine of BENCHMARKS.md).
    pub wall_s: f64,
}

/// A checked sweep, ready to run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Plan {
    /// The metric, as [`sweepable_metrics`] describes it.
    pub metric: SweepMetric,
    /// The knob swept, if any.
    pub knob: Option<String>,
    /// 1..=[`MAX_POINTS`] points.
    pub points: Vec<Point>,
    /// The seeds every point runs.
    pub seeds: Vec<u64>,
    /// Virtual time each run lasts (0 for labs that end by themselves).
    pub until: Nanos,
    pub cost: PlanCost,
}

impl Plan {
    /// How many runs: points × seeds.
    pub fn runs(&self) -> usize {
        self.points.len() * self.seeds.len()
    }

    /// Run `i` (0..[`runs`](Self::runs)): its point's index and its seed. Runs go point by
    /// point, seeds in order within each.
    pub fn run(&self, i: usize) -> Option<(usize, u64)> {
        let n = self.seeds.len();
        (i < self.runs()).then(|| (i / n, self.seeds[i % n]))
    }

    /// The index of the run of point `point` with the `k`-th seed.
    pub fn index(&self, point: usize, k: usize) -> usize {
        point * self.seeds.len() + k
    }

    /// Estimated seconds for the whole sweep at `units_per_s` units of work a second (all
    /// workers together).
    pub fn seconds_at(&self, units_per_s: f64) -> f64 {
        self.cost.work / units_per_s.max(1e-9)
    }

    /// Estimated seconds on `threads` native threads (the cost model's speed).
    pub fn seconds_on(&self, threads: usize) -> f64 {
        self.cost.wall_s / threads.max(1).min(self.runs().max(1)) as f64
    }
}

/// A figure a sweep can pick.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SweepMetric {
    /// Dotted path as in the report and the command line's JSON (`final.lost`,
    /// `as_set.read_latency_p99_ms`).
    pub path: String,
    /// Text id of the metric's label (`queue.m.lost`).
    pub text: &'static str,
    /// The lane it belongs to (`fixed_window`) and its label's text id, if any.
    pub lane: Option<(String, &'static str)>,
    /// Its group besides the lane (`final`: known once the run is at rest), or "".
    pub group: &'static str,
    /// A latency's statistic (`p50`, `p90`, `p99`, `max`), in milliseconds.
    pub stat: Option<&'static str>,
    /// What it measures (a latency's statistic: [`Measure::Millis`]).
    pub measure: Measure,
    /// A count of something that went wrong.
    pub checker: bool,
    /// One of the lab's key figures.
    pub key_figure: bool,
}

impl SweepMetric {
    /// Whole numbers (its histogram gets whole-number bins).
    pub fn integer(&self) -> bool {
        self.measure == Measure::Count
    }
}

/// The numeric figures a run of `lab` with `params` reports, in report order: what a sweep can
/// pick. Flags are left out; a latency gives its p50, p90, p99 and max. Read from a run just
/// started (and, for labs that check at rest, its figures at rest), then the figures the run says
/// it reports only once something has happened ([`AnyRun::reported_later`]: the cache's
/// `ring_change.*` when its params schedule a ring change).
pub fn sweepable_metrics(lab: &dyn AnyLab, params: &Value) -> Result<Vec<SweepMetric>, ParamError> {
    let sim = lab.start(params, lab.default_seed())?;
    let report = if lab.checks_at_rest() {
        sim.final_figures()
    } else {
        sim.figures()
    };
    let mut out = Vec::new();
    for f in &report.figures {
        let path = f.path(&report.lanes);
        let lane = f
            .lane
            .map(|l| (report.lanes[l].id.clone(), report.lanes[l].text));
        let m = f.metric;
        let one = |path: String, stat: Option<&'static str>, measure: Measure| SweepMetric {
            path,
            text: m.text,
            lane: lane.clone(),
            group: f.group,
            stat,
            measure,
            checker: m.checker,
            key_figure: m.key_figure,
        };
        match m.measure {
            Measure::Flag => {}
            Measure::Latency => {
                for stat in ["p50", "p90", "p99", "max"] {
                    out.push(one(
                        format!("{path}_{stat}_ms"),
                        Some(stat),
                        Measure::Millis,
                    ));
                }
            }
            measure => out.push(one(path, None, measure)),
        }
    }
    // The leaves of the report are the source of the paths: they agree (a test checks it).
    debug_assert!(out.iter().all(|m| report
        .leaves()
        .iter()
        .any(|(p, l)| *p == m.path && !matches!(l, Leaf::B(_)))));
    for (group, m) in sim.reported_later() {
        let path = format!("{group}.{}", m.key);
        let one = |path: String, stat: Option<&'static str>, measure: Measure| SweepMetric {
            path,
            text: m.text,
            lane: None,
            group,
            stat,
            measure,
            checker: m.checker,
            key_figure: m.key_figure,
        };
        let later = match m.measure {
            Measure::Flag => Vec::new(),
            Measure::Latency => ["p50", "p90", "p99", "max"]
                .into_iter()
                .map(|stat| one(format!("{path}_{stat}_ms"), Some(stat), Measure::Millis))
                .collect(),
            measure => vec![one(path, None, measure)],
        };
        for l in later {
            if out.iter().all(|o| o.path != l.path) {
                out.push(l);
            }
        }
    }
    Ok(out)
}

/// Why a sweep cannot run: the field, the value given, and what is allowed, in English (the
/// command line prints it) and structured (the page translates it).
#[derive(Clone, Debug, PartialEq)]
pub struct SweepError {
    /// What is wrong: `metric`, `knob`, `values`, `range`, `seeds`, `seed`, `until_s`, `params`,
    /// or `sweep` (a link's sweep part as a whole).
    pub field: String,
    /// The value given (shortened).
    pub got: String,
    /// What is allowed, in English.
    pub allowed: String,
    /// The same, structured (boxed: errors stay small on the success path).
    pub rule: Box<SweepRule>,
}

/// What a [`SweepError`] says, structured.
#[derive(Clone, Debug, PartialEq)]
pub enum SweepRule {
    /// A rule of the sweep's own: its text id (one of [`RULES`]) and the arguments it quotes
    /// (`{0}`, `{1}`, ...).
    Text { id: &'static str, args: Vec<String> },
    /// The knob's value `label` cannot be run: the lab's own problem with it (not of the knob's
    /// type or range, against another knob's rule, over the memory budget), which the page
    /// already says in the reader's language.
    Point { label: String, problem: Problem },
}

/// Text ids of the sweep's own rules, with what they say in English (`{n}`: an argument).
pub const RULES: &[(&str, &str)] = &[
    ("sweep.rule.metric", "a number {0} reports, such as {1}"),
    ("sweep.rule.knob", "one of {0}'s knobs, such as {1}"),
    ("sweep.rule.values_count", "{0} to {1} values"),
    ("sweep.rule.value_twice", "each value once ({0} is given twice)"),
    (
        "sweep.rule.value_chars",
        "at most {0} letters, digits, '_', '.' or '-' a value",
    ),
    ("sweep.rule.range_knob", "a range needs a numeric knob ({0} is not one)"),
    ("sweep.rule.range", "two finite numbers, lo below hi, within {0}"),
    ("sweep.rule.steps", "{0} to {1} steps"),
    ("sweep.rule.range_text", "LO:HI:STEPS: two numbers and {0} to {1} steps"),
    (
        "sweep.rule.choices_knob",
        "every choice needs a knob with choices or a switch ({0} is a number: give a range or values)",
    ),
    ("sweep.rule.seeds", "{0} to {1} seeds"),
    (
        "sweep.rule.seed",
        "a whole number such that the last seed, seed + seeds - 1, is at most {0}",
    ),
    ("sweep.rule.until", "more than 0 and at most {0} virtual seconds"),
    (
        "sweep.rule.until_untimed",
        "no value: {0} runs to its own end, set by its params",
    ),
    ("sweep.rule.params", "params {0} can run: {1}"),
    (
        "sweep.rule.link",
        "metric=PATH;knob=KEY;values=A,B,C|range=LO:HI:STEPS|choices;seeds=N;seed=S;until=T",
    ),
    ("sweep.rule.link_field", "one of metric, knob, values, range, choices, seeds, seed, until, each once"),
];

impl SweepError {
    /// A refusal by one of the sweep's own rules (`id` in [`RULES`]).
    pub fn text(field: &str, got: impl ToString, id: &'static str, args: Vec<String>) -> Self {
        let english = RULES.iter().find(|(r, _)| *r == id).map(|(_, en)| *en);
        debug_assert!(english.is_some(), "{id} is not in sweep::RULES");
        let english = english.unwrap_or(id);
        Self {
            field: field.to_string(),
            got: shorten(&got.to_string()),
            allowed: fill(english, &args),
            rule: Box::new(SweepRule::Text { id, args }),
        }
    }

    /// A point whose params the lab refused.
    fn point(key: &str, label: &str, problem: Problem) -> Self {
        Self {
            field: key.to_string(),
            got: shorten(label),
            allowed: problem.to_string(),
            rule: Box::new(SweepRule::Point {
                label: shorten(label),
                problem,
            }),
        }
    }
}

/// `{0}`, `{1}` ... of `template` replaced by `args`.
fn fill(template: &str, args: &[String]) -> String {
    let mut s = template.to_string();
    for (i, a) in args.iter().enumerate() {
        s = s.replace(&format!("{{{i}}}"), a);
    }
    s
}

impl std::fmt::Display for SweepError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &*self.rule {
            // The lab's problem names the knob and its value already, unless it is another
            // knob's (a memory refusal names the knob that drives the cost).
            SweepRule::Point { .. } if self.allowed.starts_with(&format!("{} = ", self.field)) => {
                write!(f, "{}", self.allowed)
            }
            SweepRule::Point { .. } => {
                write!(f, "with {} = {}: {}", self.field, self.got, self.allowed)
            }
            SweepRule::Text { .. } => write!(
                f,
                "{} = {} is not allowed: {}",
                self.field, self.got, self.allowed
            ),
        }
    }
}

impl std::error::Error for SweepError {}

/// Virtual nanoseconds of `until_s` seconds, checked: 0 < T <= [`MAX_UNTIL_S`].
pub fn until_ns(until_s: f64) -> Result<Nanos, SweepError> {
    let ns = (until_s * NS_PER_S as f64).round();
    if !(until_s.is_finite() && until_s > 0.0 && until_s <= MAX_UNTIL_S && ns >= 1.0) {
        return Err(SweepError::text(
            "until_s",
            until_s,
            "sweep.rule.until",
            vec![MAX_UNTIL_S.to_string()],
        ));
    }
    Ok(ns as Nanos)
}

/// Edits (insertions, deletions, substitutions) between `a` and `b`.
fn edits(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let next = (prev + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// A few examples of `all`, the ones most like `given` first (whose last part is a typo or two
/// away, or contains it), else the first ones.
fn examples(given: &str, all: &[String]) -> String {
    let last = given.rsplit('.').next().unwrap_or(given);
    let near_enough = |p: &str| {
        let plast = p.rsplit('.').next().unwrap_or(p);
        (!last.is_empty() && plast.contains(last)) || edits(last, plast) <= 2.max(last.len() / 4)
    };
    let mut near: Vec<&String> = if last.chars().count() > MAX_VALUE_CHARS {
        Vec::new()
    } else {
        all.iter().filter(|p| near_enough(p)).collect()
    };
    if near.is_empty() {
        near = all.iter().collect();
    }
    let shown: Vec<&str> = near.iter().take(6).map(|s| s.as_str()).collect();
    let more = if near.len() > shown.len() {
        ", ..."
    } else {
        ""
    };
    format!("{}{more}", shown.join(", "))
}

/// `x` written with at most `decimals` decimals, trailing zeros cut.
fn decimal_text(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" {
        "0".to_string()
    } else {
        s
    }
}

/// Decimals `x` needs as Rust writes it shortest (`0.125` -> 3), at most 12.
fn decimals_of(x: f64) -> usize {
    let s = format!("{x}");
    s.split_once('.').map_or(0, |(_, d)| d.len()).min(12)
}

/// The values a range gives, as text: whole numbers rounded (equal ones merged), reals with one
/// digit past the step's first (and as many as `lo` and `hi` need). `libm` keeps the text the
/// same in the page (wasm) and natively.
fn range_values(lo: f64, hi: f64, steps: u32, whole: bool) -> Vec<String> {
    let n = steps.max(2);
    let at = |i: u32| {
        if i == n - 1 {
            hi
        } else {
            lo + (hi - lo) * i as f64 / (n - 1) as f64
        }
    };
    let decimals = if whole {
        0
    } else {
        let step = (hi - lo) / (n - 1) as f64;
        let mag = libm::floor(libm::log10(step.abs().max(1e-300)));
        let d = (1.0 - mag).clamp(0.0, 12.0) as usize;
        d.max(decimals_of(lo)).max(decimals_of(hi)).min(12)
    };
    let mut out: Vec<String> = Vec::new();
    for i in 0..n {
        let x = at(i);
        let t = if whole {
            decimal_text(libm::round(x), 0)
        } else {
            decimal_text(x, decimals)
        };
        if out.last() != Some(&t) {
            out.push(t);
        }
    }
    out
}

fn check_value_text(v: &str) -> Result<(), SweepError> {
    let ok = !v.is_empty()
        && v.chars().count() <= MAX_VALUE_CHARS
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if ok {
        Ok(())
    } else {
        Err(SweepError::text(
            "values",
            v,
            "sweep.rule.value_chars",
            vec![MAX_VALUE_CHARS.to_string()],
        ))
    }
}

impl Sweep {
    /// Only seeds: `seeds` runs of the base params from `first_seed`.
    pub fn seeds_only(metric: impl Into<String>, seeds: u32, first_seed: u64) -> Self {
        Self {
            metric: metric.into(),
            knob: None,
            seeds,
            first_seed,
            until_s: None,
        }
    }

    /// Checks the parts that do not depend on a lab: counts, ranges, value texts.
    pub fn check_shape(&self) -> Result<(), SweepError> {
        if !(1..=MAX_SEEDS).contains(&self.seeds) {
            return Err(SweepError::text(
                "seeds",
                self.seeds,
                "sweep.rule.seeds",
                vec!["1".into(), MAX_SEEDS.to_string()],
            ));
        }
        if self
            .first_seed
            .checked_add(u64::from(self.seeds) - 1)
            .is_none()
        {
            return Err(SweepError::text(
                "seed",
                self.first_seed,
                "sweep.rule.seed",
                vec![u64::MAX.to_string()],
            ));
        }
        if let Some(t) = self.until_s {
            until_ns(t)?;
        }
        let Some(axis) = &self.knob else {
            return Ok(());
        };
        match &axis.values {
            Values::List { values } => {
                if values.is_empty() || values.len() > MAX_POINTS {
                    return Err(SweepError::text(
                        "values",
                        values.len(),
                        "sweep.rule.values_count",
                        vec!["1".into(), MAX_POINTS.to_string()],
                    ));
                }
                for (i, v) in values.iter().enumerate() {
                    check_value_text(v)?;
                    if values[..i].contains(v) {
                        return Err(SweepError::text(
                            "values",
                            v,
                            "sweep.rule.value_twice",
                            vec![v.clone()],
                        ));
                    }
                }
            }
            Values::Range { steps, .. } => {
                if !(MIN_STEPS..=MAX_STEPS).contains(steps) {
                    return Err(SweepError::text(
                        "range",
                        steps,
                        "sweep.rule.steps",
                        vec![MIN_STEPS.to_string(), MAX_STEPS.to_string()],
                    ));
                }
            }
            Values::Choices => {}
        }
        Ok(())
    }

    /// Checks the sweep against `lab` and its `base_params` (a decoded params value) and lays
    /// out its runs: every point's params must pass the lab's validation and fit `budget_bytes`
    /// by its cost model (the page's budget is [`PAGE_BUDGET_BYTES`](crate::kernel::cost::PAGE_BUDGET_BYTES),
    /// the command line's [`CLI_BUDGET_BYTES`](crate::kernel::cost::CLI_BUDGET_BYTES)).
    pub fn plan(
        &self,
        lab: &dyn AnyLab,
        base_params: &Value,
        budget_bytes: u64,
    ) -> Result<Plan, SweepError> {
        self.check_shape()?;
        let params_err = |english: String| {
            SweepError::text(
                "params",
                "",
                "sweep.rule.params",
                vec![lab.id().to_string(), english],
            )
        };
        let base = lab.decode(base_params.clone()).map_err(|e| match e {
            DecodeError::Shape { path, message } => params_err(format!("{path}: {message}")),
            DecodeError::Invalid(e) => params_err(e.to_string()),
        })?;
        let until = match (lab.timed(), self.until_s) {
            (true, t) => until_ns(t.unwrap_or(DEFAULT_UNTIL_S))?,
            (false, None) => 0,
            (false, Some(t)) => {
                return Err(SweepError::text(
                    "until_s",
                    t,
                    "sweep.rule.until_untimed",
                    vec![lab.id().to_string()],
                ))
            }
        };
        let metrics = sweepable_metrics(lab, &base).map_err(|e| params_err(e.to_string()))?;
        // A latency's bare path (a preset's headline may name one) is its p99.
        let p99 = format!("{}_p99_ms", self.metric);
        let found = metrics.iter().find(|m| m.path == self.metric).or_else(|| {
            metrics
                .iter()
                .find(|m| m.path == p99 && m.stat == Some("p99"))
        });
        let Some(metric) = found.cloned() else {
            let paths: Vec<String> = metrics.iter().map(|m| m.path.clone()).collect();
            return Err(SweepError::text(
                "metric",
                &self.metric,
                "sweep.rule.metric",
                vec![lab.id().to_string(), examples(&self.metric, &paths)],
            ));
        };
        let points = match &self.knob {
            None => vec![Point {
                label: String::new(),
                x: None,
                text: None,
                params: base.clone(),
            }],
            Some(axis) => points(lab, &base, axis)?,
        };
        let mut cost = PlanCost {
            work: 0.0,
            peak_bytes: 0,
            wall_s: 0.0,
        };
        let until_s = lab.timed().then_some(until as f64 / NS_PER_S as f64);
        for p in &points {
            let c = lab.cost(&p.params).map_err(|e| match e {
                DecodeError::Shape { path, message } => params_err(format!("{path}: {message}")),
                DecodeError::Invalid(e) => params_err(e.to_string()),
            })?;
            if let Err(e) = c.admit(&p.params, budget_bytes) {
                let key = self.knob.as_ref().map_or("params", |a| a.key.as_str());
                return Err(SweepError::point(key, &p.label, Problem::Invalid(e)));
            }
            let seeds = f64::from(self.seeds);
            let virtual_s = c.own_end_s.or(until_s).unwrap_or(0.0);
            cost.work += c.work_per_s as f64 * virtual_s * seeds;
            cost.wall_s += c.run_wall_s(until_s).unwrap_or(0.0) * seeds;
            cost.peak_bytes = cost.peak_bytes.max(c.memory());
        }
        Ok(Plan {
            metric,
            knob: self.knob.as_ref().map(|a| a.key.clone()),
            points,
            seeds: (0..u64::from(self.seeds))
                .map(|k| self.first_seed + k)
                .collect(),
            until,
            cost,
        })
    }
}

/// The points of `axis` over `base`.
fn points(lab: &dyn AnyLab, base: &Value, axis: &Axis) -> Result<Vec<Point>, SweepError> {
    let knobs = lab.knobs();
    let Some(knob) = knobs.iter().find(|k| k.key == axis.key) else {
        let keys: Vec<String> = knobs.iter().map(|k| k.key.clone()).collect();
        return Err(SweepError::text(
            "knob",
            &axis.key,
            "sweep.rule.knob",
            vec![lab.id().to_string(), examples(&axis.key, &keys)],
        ));
    };
    let labels: Vec<String> = match (&axis.values, &knob.kind) {
        (Values::List { values }, _) => values.clone(),
        (Values::Choices, Kind::Choice { options }) => {
            options.iter().map(|o| o.value.to_string()).collect()
        }
        (Values::Choices, Kind::Switch) => vec!["false".into(), "true".into()],
        (Values::Choices, _) => {
            return Err(SweepError::text(
                "knob",
                &knob.key,
                "sweep.rule.choices_knob",
                vec![knob.key.clone()],
            ))
        }
        (Values::Range { lo, hi, steps }, Kind::Int { .. } | Kind::Real { .. }) => {
            let (klo, khi) = knob.static_bounds().unwrap_or((0.0, 0.0));
            let fits = |x: f64| x.is_finite() && x >= klo && x <= khi;
            if !(fits(*lo) && fits(*hi) && lo < hi) {
                let range = match knob.kind {
                    Kind::Int { lo, hi } => format!("{lo}..={hi}"),
                    _ => format!("{klo}..={khi}"),
                };
                return Err(SweepError::text(
                    "range",
                    format!("{lo}:{hi}"),
                    "sweep.rule.range",
                    vec![range],
                ));
            }
            range_values(*lo, *hi, *steps, matches!(knob.kind, Kind::Int { .. }))
        }
        (Values::Range { .. }, _) => {
            return Err(SweepError::text(
                "knob",
                &knob.key,
                "sweep.rule.range_knob",
                vec![knob.key.clone()],
            ))
        }
    };
    labels
        .into_iter()
        .map(|label| point(lab, base, knob, label))
        .collect()
}

fn point(lab: &dyn AnyLab, base: &Value, knob: &Knob, label: String) -> Result<Point, SweepError> {
    let params = lab
        .set(base, &knob.key, &label)
        .map_err(|p| SweepError::point(&knob.key, &label, p))?;
    let (x, text) = match &knob.kind {
        Kind::Int { .. } | Kind::Real { .. } => (label.parse::<f64>().ok(), None),
        Kind::Choice { options } => (
            None,
            options.iter().find(|o| o.value == label).map(|o| o.text),
        ),
        Kind::Switch => (None, None),
    };
    Ok(Point {
        label,
        x,
        text,
        params,
    })
}

#[cfg(test)]
mod tests;
