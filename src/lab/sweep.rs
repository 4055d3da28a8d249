//! The sweep panel every lab has: one figure of the lab over many seeds, and optionally across a
//! knob's values, run in the pool of engine workers (`crate::worker::pool`). What a sweep is, how
//! it is checked and laid out, and how one run is made come from the engine
//! (`flowlab_sim::sweep`), the same code `flowlab sweep` runs, so the page and the command line
//! give the same figure for the same run.
//!
//! [`Tally`] (plain Rust, tested natively) collects the runs' results as they come back, in any
//! order, and summarises them; the component (wasm only) is the form, the progress bar and the
//! charts.

use flowlab_sim::labs::AnyLab;
use flowlab_sim::sweep::{Histogram, Plan, Summary};

use crate::kit::sweep_chart::{BandPoint, Bin};
use crate::worker::{BatchDone, BatchJob};

#[cfg(target_arch = "wasm32")]
pub use ui::SweepPanel;

/// A sweep asks before it starts when it would take longer than this, seconds.
pub const ASK_ABOVE_S: f64 = 60.0;
/// The browser's engine is this much slower than the command line's (wasm against native, same
/// machine: BENCHMARKS.md), for the estimate of how long a sweep takes.
pub const BROWSER_SLOWDOWN: f64 = 1.6;
/// Most seeds in one job (so results come back steadily).
const MAX_SEEDS_PER_JOB: usize = 8;
/// Errors kept to show.
const MAX_ERRORS: usize = 5;
/// Bins of a seed sweep's histogram, at most.
pub const HIST_BINS: usize = 20;

/// The sweepable figure a preset's `headline` names: the path itself, or a latency's p99 (a
/// headline names a latency by its report path, a sweep by one of its statistics).
pub fn headline_metric(lab: &dyn AnyLab, params: &serde_json::Value, headline: &str) -> String {
    let metrics = flowlab_sim::sweep::sweepable_metrics(lab, params).unwrap_or_default();
    let p99 = format!("{headline}_p99_ms");
    if metrics.iter().any(|m| m.path == headline) {
        headline.to_string()
    } else if metrics.iter().any(|m| m.path == p99) {
        p99
    } else {
        headline.to_string()
    }
}

/// The jobs of `plan` for `workers` workers, in the order they are handed out. Their sizes shrink
/// as the runs left do (a job holds about a `2 × workers`-th of what is left, at most
/// [`MAX_SEEDS_PER_JOB`]), so the workers finish close together: the last jobs are single runs. A
/// job never spans two points (it carries one point's params).
pub fn jobs(plan: &Plan, sweep: u64, lab: &str, workers: usize) -> Vec<BatchJob> {
    let share = (workers.max(1) * 2).max(1);
    let mut left = plan.runs();
    let mut out = Vec::new();
    for (i, p) in plan.points.iter().enumerate() {
        let params = p.params.to_string();
        let mut seeds = plan.seeds.as_slice();
        while !seeds.is_empty() {
            let size = left
                .div_ceil(share)
                .clamp(1, MAX_SEEDS_PER_JOB)
                .min(seeds.len());
            let (chunk, rest) = seeds.split_at(size);
            out.push(BatchJob {
                sweep,
                lab: lab.to_string(),
                params: params.clone(),
                point: i as u32,
                seeds: chunk.to_vec(),
                until: plan.until,
                metric: plan.metric.path.clone(),
            });
            seeds = rest;
            left -= size;
        }
    }
    out
}

/// One run's result as the page keeps it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cell {
    pub value: Option<f64>,
    pub digest: u64,
}

/// A sweep's results so far.
#[derive(Clone, Debug)]
pub struct Tally {
    pub id: u64,
    pub plan: Plan,
    /// [point][seed's index]: `None` while not done.
    cells: Vec<Vec<Option<Cell>>>,
    pub done: usize,
    /// Runs that did not report the figure.
    pub absent: usize,
    /// Runs that could not run (the first few messages).
    pub errors: Vec<String>,
    pub failed: usize,
    pub started_ms: f64,
    pub finished_ms: Option<f64>,
    pub cancelled: bool,
    /// Milliseconds the engine spent on the runs taken in, where they ran (summed over workers).
    pub busy_ms: f64,
}

impl Tally {
    pub fn new(id: u64, plan: Plan, now_ms: f64) -> Self {
        let cells = vec![vec![None; plan.seeds.len()]; plan.points.len()];
        Self {
            id,
            plan,
            cells,
            done: 0,
            absent: 0,
            errors: Vec::new(),
            failed: 0,
            started_ms: now_ms,
            finished_ms: None,
            cancelled: false,
            busy_ms: 0.0,
        }
    }

    pub fn total(&self) -> usize {
        self.plan.runs()
    }

    pub fn running(&self) -> bool {
        self.finished_ms.is_none() && !self.cancelled
    }

    /// Takes in a job's results (another sweep's, or one already taken, changes nothing).
    pub fn record(&mut self, b: &BatchDone, now_ms: f64) {
        if b.sweep != self.id || self.cancelled {
            return;
        }
        let Some(row) = self.cells.get_mut(b.point as usize) else {
            return;
        };
        if b.runs.iter().any(|r| {
            self.plan
                .seeds
                .iter()
                .position(|&s| s == r.seed)
                .is_some_and(|k| row[k].is_none())
        }) {
            self.busy_ms += b.busy_ms;
        }
        for r in &b.runs {
            let Some(k) = self.plan.seeds.iter().position(|&s| s == r.seed) else {
                continue;
            };
            if row[k].is_some() {
                continue;
            }
            self.done += 1;
            match &r.error {
                Some(e) => {
                    self.failed += 1;
                    if self.errors.len() < MAX_ERRORS {
                        self.errors.push(e.clone());
                    }
                    row[k] = Some(Cell {
                        value: None,
                        digest: 0,
                    });
                }
                None => {
                    if r.value.is_none() {
                        self.absent += 1;
                    }
                    row[k] = Some(Cell {
                        value: r.value,
                        digest: r.digest,
                    });
                }
            }
        }
        if self.done == self.total() {
            self.finished_ms = Some(now_ms);
        }
    }

    pub fn cancel(&mut self) {
        if self.running() {
            self.cancelled = true;
        }
    }

    /// Seconds left, from the pace so far (none before the first result).
    pub fn eta_s(&self, now_ms: f64) -> Option<f64> {
        if self.done == 0 || !self.running() {
            return None;
        }
        let per_run = (now_ms - self.started_ms).max(0.0) / self.done as f64;
        Some(per_run * (self.total() - self.done) as f64 / 1000.0)
    }

    /// Seconds the sweep took (or has taken so far).
    pub fn elapsed_s(&self, now_ms: f64) -> f64 {
        (self.finished_ms.unwrap_or(now_ms) - self.started_ms).max(0.0) / 1000.0
    }

    /// The values point `p`'s runs reported so far, in seed order.
    pub fn values(&self, p: usize) -> Vec<f64> {
        self.cells
            .get(p)
            .map(|row| row.iter().flatten().filter_map(|c| c.value).collect())
            .unwrap_or_default()
    }

    /// Point `p`'s results so far, in seed order: (seed, cell).
    pub fn runs(&self, p: usize) -> Vec<(u64, Cell)> {
        self.cells
            .get(p)
            .map(|row| {
                row.iter()
                    .zip(&self.plan.seeds)
                    .filter_map(|(c, s)| c.map(|c| (*s, c)))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn summary(&self, p: usize) -> Option<Summary> {
        Summary::of(&self.values(p))
    }

    /// The chart's points: each point with a summary so far (`label` names it).
    pub fn band(&self, label: impl Fn(usize) -> String) -> Vec<BandPoint> {
        (0..self.plan.points.len())
            .filter_map(|i| {
                let s = self.summary(i)?;
                Some(BandPoint {
                    label: label(i),
                    x: self.plan.points[i].x,
                    p10: s.p10,
                    median: s.median,
                    p90: s.p90,
                    seeds: self.values(i),
                })
            })
            .collect()
    }

    /// A seed sweep's histogram (of its one point).
    pub fn histogram(&self) -> Vec<Bin> {
        Histogram::of(&self.values(0), HIST_BINS)
            .bins
            .iter()
            .map(|b| Bin {
                lo: b.lo,
                hi: b.hi,
                count: b.count.min(u32::MAX as u64) as u32,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::RunDone;
    use flowlab_sim::kernel::cost::PAGE_BUDGET_BYTES;
    use flowlab_sim::sweep::{Axis, Sweep, Values};

    fn plan() -> Plan {
        let lab = flowlab_sim::labs::by_id("queue").unwrap();
        let s = Sweep {
            metric: "lost".into(),
            knob: Some(Axis {
                key: "acks".into(),
                values: Values::Choices,
            }),
            seeds: 5,
            first_seed: 10,
            until_s: Some(2.0),
        };
        s.plan(lab, &lab.defaults(), PAGE_BUDGET_BYTES).unwrap()
    }

    fn done(sweep: u64, point: u32, seeds: &[u64], value: f64) -> BatchDone {
        BatchDone {
            sweep,
            point,
            runs: seeds
                .iter()
                .map(|&seed| RunDone {
                    seed,
                    value: Some(value + seed as f64),
                    digest: seed,
                    error: None,
                })
                .collect(),
            busy_ms: 5.0,
        }
    }

    #[test]
    fn every_rule_of_a_sweep_has_words_in_both_languages() {
        for (id, english) in flowlab_sim::sweep::RULES {
            let (en, zh) = crate::i18n::both_id(id).unwrap_or_else(|| panic!("no text for {id}"));
            assert_eq!(
                &en, english,
                "{id}: the page says what the command line says"
            );
            // The same arguments in both.
            for k in 0..4 {
                let arg = format!("{{{k}}}");
                assert_eq!(en.contains(&arg), zh.contains(&arg), "{id} {arg}");
            }
        }
    }

    #[test]
    fn every_presets_headline_is_a_sweep_that_plans() {
        for lab in flowlab_sim::labs::all() {
            for p in lab.presets() {
                let (params, seed) = lab.preset(p.id).unwrap();
                let metric = headline_metric(lab, &params, p.headline);
                let s = Sweep::seeds_only(metric, 50, seed);
                if let Err(e) = s.plan(lab, &params, PAGE_BUDGET_BYTES) {
                    panic!("{} {}: {e:?}", lab.id(), p.id);
                }
            }
        }
    }

    #[test]
    fn jobs_cover_every_run_once() {
        let p = plan();
        for workers in [1, 2, 8] {
            let js = jobs(&p, 7, "queue", workers);
            let mut seen: Vec<(u32, u64)> = js
                .iter()
                .flat_map(|j| j.seeds.iter().map(move |&s| (j.point, s)))
                .collect();
            seen.sort_unstable();
            let before = seen.len();
            seen.dedup();
            assert_eq!(seen.len(), before);
            assert_eq!(seen.len(), p.runs());
            assert!(js.iter().all(|j| j.sweep == 7 && j.metric == "lost"));
            assert!(js.len() >= p.points.len());
            assert!(js
                .iter()
                .all(|j| (1..=MAX_SEEDS_PER_JOB).contains(&j.seeds.len())));
            // The tail is single runs, so no worker is left with a long job while the others idle.
            let tail = js.iter().rev().take(workers).collect::<Vec<_>>();
            assert!(
                tail.iter().all(|j| j.seeds.len() == 1),
                "{workers}: {:?}",
                js.iter().map(|j| j.seeds.len()).collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn a_tally_counts_each_run_once_and_ignores_other_sweeps() {
        let p = plan();
        let n = p.runs();
        let mut t = Tally::new(3, p, 0.0);
        t.record(&done(2, 0, &[10, 11], 1.0), 10.0);
        assert_eq!(t.done, 0, "another sweep's results are dropped");
        t.record(&done(3, 0, &[10, 11], 1.0), 10.0);
        t.record(&done(3, 0, &[10, 11], 1.0), 10.0);
        assert_eq!(t.done, 2, "a result taken twice counts once");
        assert_eq!(t.busy_ms, 5.0, "and its engine time once");
        assert_eq!(t.values(0), vec![11.0, 12.0]);
        assert!((t.eta_s(20.0).unwrap() - (n - 2) as f64 * 0.01).abs() < 1e-9);
        for point in 0..3 {
            t.record(&done(3, point, &[10, 11, 12, 13, 14], 0.0), 100.0);
        }
        assert_eq!(t.done, n);
        assert!(!t.running());
        assert_eq!(t.finished_ms, Some(100.0));
        let band = t.band(|i| i.to_string());
        assert_eq!(band.len(), 3);
        assert_eq!(band[1].median, 12.0);
        assert_eq!(t.runs(2).len(), 5);
    }

    #[test]
    fn a_cancelled_tally_takes_nothing_more() {
        let mut t = Tally::new(1, plan(), 0.0);
        t.cancel();
        t.record(&done(1, 0, &[10], 0.0), 1.0);
        assert_eq!(t.done, 0);
        assert!(!t.running());
        assert_eq!(t.eta_s(5.0), None);
    }

    #[test]
    fn failures_and_absent_figures_are_counted_apart() {
        let mut t = Tally::new(1, plan(), 0.0);
        let b = BatchDone {
            sweep: 1,
            point: 0,
            runs: vec![
                RunDone {
                    seed: 10,
                    value: None,
                    digest: 5,
                    error: None,
                },
                RunDone {
                    seed: 11,
                    value: None,
                    digest: 0,
                    error: Some("boom".into()),
                },
            ],
            busy_ms: 0.0,
        };
        t.record(&b, 1.0);
        assert_eq!((t.done, t.absent, t.failed), (2, 1, 1));
        assert_eq!(t.errors, vec!["boom".to_string()]);
        assert!(t.values(0).is_empty());
    }
}

#[cfg(target_arch = "wasm32")]
mod ui {
    use std::cell::RefCell;
    use std::rc::Rc;

    use flowlab_sim::kernel::cost::PAGE_BUDGET_BYTES;
    use flowlab_sim::kernel::knobs::{Kind, Knob, Knobs};
    use flowlab_sim::kernel::lab::Lab;
    use flowlab_sim::kernel::report::Measure;
    use flowlab_sim::labs::AnyLab;
    use flowlab_sim::sweep::{
        sweepable_metrics, Axis, Plan, Sweep, SweepError, SweepMetric, SweepRule, Values,
        DEFAULT_UNTIL_S, MAX_SEEDS,
    };
    use gloo::timers::callback::Timeout;
    use web_sys::{HtmlInputElement, HtmlSelectElement};
    use yew::prelude::*;

    use super::{jobs, Tally, ASK_ABOVE_S, BROWSER_SLOWDOWN};
    use crate::i18n::{count, describe_problem, fill, real, tr, tr_id, Lang};
    use crate::kit::chart::{cell_text, Axis as YAxis};
    use crate::kit::sweep_chart::{self as sc, BandLayout, HistLayout};
    use crate::lab::state::{Action, LabState};
    use crate::text;
    use crate::worker::pool::{Fallback, Mode, Pool};

    /// Results re-render at most this often while a sweep runs, ms.
    const RENDER_MS: u32 = 200;
    /// Seeds a new sweep runs by default.
    const DEFAULT_SEEDS: u32 = 20;
    /// Virtual seconds a timed lab's sweep runs by default.
    const DEFAULT_SWEEP_S: f64 = 30.0;

    #[derive(Properties)]
    pub struct SweepProps<L: Lab> {
        pub state: UseReducerHandle<LabState<L>>,
        /// Told `true` when a sweep starts and `false` when it ends or is cancelled; answers
        /// whether the lab is paused for it (the page pauses a playing lab while a sweep runs, so
        /// the sweep's workers have the processor, and plays it on afterwards).
        pub on_running: Callback<bool, bool>,
    }

    impl<L: Lab> PartialEq for SweepProps<L> {
        fn eq(&self, o: &Self) -> bool {
            self.state == o.state && self.on_running == o.on_running
        }
    }

    /// The form's fields, as typed.
    #[derive(Clone, Debug, PartialEq)]
    struct Form {
        metric: String,
        knob: String,
        lo: String,
        hi: String,
        steps: String,
        seeds: String,
        until: String,
    }

    impl Form {
        fn of(s: &Sweep) -> Self {
            let (knob, lo, hi, steps) = match &s.knob {
                None => (String::new(), String::new(), String::new(), "5".into()),
                Some(a) => match &a.values {
                    Values::Range { lo, hi, steps } => (
                        a.key.clone(),
                        lo.to_string(),
                        hi.to_string(),
                        steps.to_string(),
                    ),
                    Values::List { values } => (
                        a.key.clone(),
                        values.join(","),
                        String::new(),
                        String::new(),
                    ),
                    Values::Choices => (a.key.clone(), String::new(), String::new(), String::new()),
                },
            };
            Self {
                metric: s.metric.clone(),
                knob,
                lo,
                hi,
                steps,
                seeds: s.seeds.to_string(),
                until: s.until_s.unwrap_or(DEFAULT_SWEEP_S).to_string(),
            }
        }
    }

    /// The knobs a sweep can go across: numbers and choices (a switch's two sides too).
    fn sweepable_knobs<L: Lab>() -> Vec<Knob> {
        <L::Params as Knobs>::knobs()
    }

    /// A default range for a numeric knob: around its current value, within its bounds.
    fn default_range(k: &Knob, current: f64) -> (String, String) {
        let (lo, hi) = match k.kind {
            Kind::Int { lo, hi } => (lo as f64, hi as f64),
            Kind::Real { lo, hi, .. } => (lo, hi),
            _ => return (String::new(), String::new()),
        };
        let (a, b) = if current > 0.0 {
            ((current / 2.0).max(lo), (current * 2.0).min(hi))
        } else {
            (lo, (lo + 10.0).min(hi))
        };
        let int = matches!(k.kind, Kind::Int { .. });
        let f = |x: f64| {
            if int {
                format!("{}", x.round())
            } else {
                format!("{x}")
            }
        };
        (f(a), f(b))
    }

    /// The sweep the form describes (its text checked by the engine when planned).
    fn read_form<L: Lab>(f: &Form, seed: u64, lang: Lang) -> Result<Sweep, String> {
        let seeds: u32 = f.seeds.trim().parse().map_err(|_| {
            fill(
                tr(lang, text::SWEEP_BAD_SEEDS),
                &[f.seeds.clone(), MAX_SEEDS.to_string()],
            )
        })?;
        let knob = if f.knob.is_empty() {
            None
        } else {
            let k = sweepable_knobs::<L>().into_iter().find(|k| k.key == f.knob);
            let values = match k.map(|k| k.kind) {
                Some(Kind::Int { .. } | Kind::Real { .. }) => {
                    let num = |t: &str, name: &str| {
                        t.trim().parse::<f64>().map_err(|_| {
                            fill(
                                tr(lang, text::SWEEP_BAD_NUMBER),
                                &[name.to_string(), t.to_string()],
                            )
                        })
                    };
                    Values::Range {
                        lo: num(&f.lo, tr(lang, text::SWEEP_FROM))?,
                        hi: num(&f.hi, tr(lang, text::SWEEP_TO))?,
                        steps: f.steps.trim().parse().map_err(|_| {
                            fill(
                                tr(lang, text::SWEEP_BAD_NUMBER),
                                &[tr(lang, text::SWEEP_STEPS).to_string(), f.steps.clone()],
                            )
                        })?,
                    }
                }
                _ => Values::Choices,
            };
            Some(Axis {
                key: f.knob.clone(),
                values,
            })
        };
        let timed = flowlab_sim::labs::by_id(L::ID).is_some_and(|l| l.timed());
        let until_s = if timed {
            Some(f.until.trim().parse::<f64>().map_err(|_| {
                fill(
                    tr(lang, text::SWEEP_BAD_NUMBER),
                    &[tr(lang, text::SWEEP_UNTIL).to_string(), f.until.clone()],
                )
            })?)
        } else {
            None
        };
        Ok(Sweep {
            metric: f.metric.clone(),
            knob,
            seeds,
            first_seed: seed,
            until_s,
        })
    }

    /// A sweep's refusal in the reader's language, naming the field.
    pub fn describe_sweep_error(lang: Lang, e: &SweepError) -> String {
        match &*e.rule {
            SweepRule::Text { id, args } => fill(
                tr(lang, text::SWEEP_REFUSED),
                &[e.field.clone(), e.got.clone(), fill(tr_id(lang, id), args)],
            ),
            SweepRule::Point { label, problem } => fill(
                tr(lang, text::SWEEP_POINT_REFUSED),
                &[label.clone(), describe_problem(lang, problem)],
            ),
        }
    }

    /// A metric's name in the reader's language: its lane, its label and its statistic.
    fn metric_name(lang: Lang, m: &SweepMetric) -> String {
        let mut s = String::new();
        if let Some((_, lane)) = &m.lane {
            s.push_str(tr_id(lang, lane));
            s.push_str(" · ");
        }
        let label = tr_id(lang, m.text);
        match m.stat {
            // A latency's label names the statistics the results table shows ("Delay p50 / p99"):
            // here it is one of them.
            Some(stat) => {
                s.push_str(label.trim_end_matches(" p50 / p99"));
                s.push_str(" · ");
                s.push_str(stat);
            }
            None => s.push_str(label),
        }
        if m.group == "final" {
            s.push_str(tr(lang, text::SWEEP_AT_REST));
        }
        s
    }

    fn y_axis(m: &SweepMetric) -> YAxis {
        match m.measure {
            Measure::Count => YAxis::Count,
            Measure::Millis | Measure::Latency => YAxis::Ms,
            Measure::Share => YAxis::Share,
            _ => YAxis::Real,
        }
    }

    /// A point's label in the reader's language (a choice's option is translated).
    fn point_label(lang: Lang, plan: &Plan, i: usize) -> String {
        let p = &plan.points[i];
        match (p.text, p.label.as_str()) {
            (Some(id), _) => tr_id(lang, id).to_string(),
            // A switch's two sides.
            (None, "true") => tr(lang, text::YES).to_string(),
            (None, "false") => tr(lang, text::NO).to_string(),
            (None, label) => label.to_string(),
        }
    }

    fn mode_text(lang: Lang, m: &Mode) -> String {
        match m {
            Mode::Starting => tr(lang, text::SWEEP_POOL_STARTING).to_string(),
            Mode::Workers(n) => fill(tr(lang, text::SWEEP_POOL_WORKERS), &[n.to_string()]),
            Mode::MainThread(why) => {
                let why = match why {
                    Fallback::Unsupported => tr(lang, text::WORKERS_UNSUPPORTED),
                    Fallback::SpawnFailed => tr(lang, text::WORKERS_SPAWN_FAILED),
                    Fallback::NoAnswer => tr(lang, text::WORKERS_NO_ANSWER),
                };
                fill(tr(lang, text::SWEEP_POOL_MAIN), &[why.to_string()])
            }
        }
    }

    /// What the panel is doing.
    #[derive(Clone, Debug, PartialEq)]
    enum Stage {
        Idle,
        /// Waiting for the user to say yes to a long sweep: its estimate, seconds.
        Ask(f64),
        Refused(String),
    }

    /// The sweep panel of lab `L`.
    #[function_component(SweepPanel)]
    pub fn sweep_panel<L: Lab>(props: &SweepProps<L>) -> Html {
        let lang = use_context::<Lang>().unwrap_or_default();
        let state = props.state.clone();
        let lab: &'static dyn AnyLab = match flowlab_sim::labs::by_id(L::ID) {
            Some(l) => l,
            None => return html! {},
        };
        let params = serde_json::to_value(&state.params).expect("params serialise to JSON");
        let metrics = use_memo(params.clone(), move |p| {
            sweepable_metrics(lab, p).unwrap_or_default()
        });
        let knobs = use_memo((), |_| sweepable_knobs::<L>());
        let form = {
            let metrics = metrics.clone();
            let st = state.clone();
            use_state(move || match &st.sweep {
                Some(s) => Form::of(s),
                None => Form {
                    metric: metrics
                        .iter()
                        .find(|m| m.checker)
                        .or(metrics.first())
                        .map(|m| m.path.clone())
                        .unwrap_or_default(),
                    knob: String::new(),
                    lo: String::new(),
                    hi: String::new(),
                    steps: "5".into(),
                    seeds: DEFAULT_SEEDS.to_string(),
                    until: DEFAULT_SWEEP_S.to_string(),
                },
            })
        };
        let stage = use_state(|| Stage::Idle);
        let tally: Rc<RefCell<Option<Tally>>> = use_mut_ref(|| None);
        let version = use_state(|| 0u64);
        let render_due: Rc<RefCell<Option<Timeout>>> = use_mut_ref(|| None);
        let next_id = use_mut_ref(|| 0u64);
        let show_runs = use_state(|| false);
        let pool_mode = use_state(|| None::<Mode>);
        // Whether the page paused its lab for the running sweep.
        let lab_paused = use_state(|| false);

        // Re-renders soon (at most every RENDER_MS), from a result's callback; at once when `now`
        // (the last result: the finished sweep is not kept waiting).
        let poke = {
            let version = version.clone();
            let render_due = render_due.clone();
            Rc::new(move |now: bool| {
                if now {
                    render_due.borrow_mut().take();
                    version.set(crate::web::now_ms() as u64);
                    return;
                }
                if render_due.borrow().is_some() {
                    return;
                }
                let version = version.clone();
                let due = render_due.clone();
                *render_due.borrow_mut() = Some(Timeout::new(RENDER_MS, move || {
                    due.borrow_mut().take();
                    version.set(crate::web::now_ms() as u64);
                }));
            })
        };

        // Starts `sweep` (already in the link), asking first when it is long unless `sure`.
        let start = {
            let tally = tally.clone();
            let stage = stage.clone();
            let next_id = next_id.clone();
            let poke = poke.clone();
            let pool_mode = pool_mode.clone();
            let params = params.clone();
            let on_running = props.on_running.clone();
            let lab_paused = lab_paused.clone();
            Rc::new(move |sweep: Sweep, sure: bool| {
                let plan = match sweep.plan(lab, &params, PAGE_BUDGET_BYTES) {
                    Ok(p) => p,
                    Err(e) => {
                        stage.set(Stage::Refused(describe_sweep_error(lang, &e)));
                        return;
                    }
                };
                let pool = Pool::get();
                let mode = pool.mode();
                if pool_mode.as_ref() != Some(&mode) {
                    let pm = pool_mode.clone();
                    pool.watch(Rc::new(move |m| pm.set(Some(m))));
                    pool_mode.set(Some(mode.clone()));
                }
                let workers = match mode {
                    Mode::Workers(n) => n,
                    Mode::Starting => crate::worker::pool::pool_size(),
                    Mode::MainThread(_) => 1,
                };
                let est = plan.seconds_on(workers) * BROWSER_SLOWDOWN;
                if !sure && est > ASK_ABOVE_S {
                    stage.set(Stage::Ask(est));
                    return;
                }
                stage.set(Stage::Idle);
                let id = {
                    let mut n = next_id.borrow_mut();
                    *n += 1;
                    *n
                };
                let js = jobs(&plan, id, L::ID, workers);
                *tally.borrow_mut() = Some(Tally::new(id, plan, crate::web::now_ms()));
                lab_paused.set(on_running.emit(true));
                let sink_tally = tally.clone();
                let sink_poke = poke.clone();
                let sink_running = on_running.clone();
                pool.submit(
                    js,
                    Rc::new(move |done| {
                        let finished = match sink_tally.borrow_mut().as_mut() {
                            Some(t) => {
                                let was = t.running();
                                t.record(&done, crate::web::now_ms());
                                was && !t.running()
                            }
                            None => false,
                        };
                        if finished {
                            sink_running.emit(false);
                        }
                        sink_poke(finished);
                    }),
                );
                poke(false);
            })
        };

        // A link with a sweep, or a preset's "across 50 seeds": start it.
        {
            let start = start.clone();
            let st = state.clone();
            let form = form.clone();
            use_effect_with(state.sweep_go, move |go| {
                if *go > 0 {
                    if let Some(s) = &st.sweep {
                        form.set(Form::of(s));
                        start(s.clone(), false);
                    }
                }
            });
        }
        // Leaving the lab cancels its sweep.
        {
            let tally = tally.clone();
            use_effect_with((), move |_| {
                move || {
                    if tally.borrow().as_ref().is_some_and(Tally::running) {
                        Pool::get().cancel();
                    }
                }
            });
        }

        let set = |f: fn(&mut Form, String)| {
            let form = form.clone();
            Callback::from(move |e: Event| {
                let v = match e.target_dyn_into::<HtmlSelectElement>() {
                    Some(s) => s.value(),
                    None => e.target_unchecked_into::<HtmlInputElement>().value(),
                };
                let mut next = (*form).clone();
                f(&mut next, v);
                form.set(next);
            })
        };
        let on_knob = {
            let form = form.clone();
            let knobs = knobs.clone();
            let params = params.clone();
            Callback::from(move |e: Event| {
                let key = e.target_unchecked_into::<HtmlSelectElement>().value();
                let mut next = (*form).clone();
                if let Some(k) = knobs.iter().find(|k| k.key == key) {
                    let current = flowlab_sim::kernel::knobs::leaf(&params, &key)
                        .and_then(|v| v.as_f64())
                        .unwrap_or(0.0);
                    let (lo, hi) = default_range(k, current);
                    next.lo = lo;
                    next.hi = hi;
                    next.steps = "5".into();
                }
                next.knob = key;
                form.set(next);
            })
        };
        let on_run = {
            let form = form.clone();
            let st = state.clone();
            let stage = stage.clone();
            let start = start.clone();
            Callback::from(move |e: SubmitEvent| {
                e.prevent_default();
                match read_form::<L>(&form, st.seed, lang) {
                    Ok(s) => {
                        st.dispatch(Action::SetSweep(s.clone()));
                        start(s, false);
                    }
                    Err(msg) => stage.set(Stage::Refused(msg)),
                }
            })
        };
        let on_sure = {
            let form = form.clone();
            let st = state.clone();
            let start = start.clone();
            Callback::from(move |_: MouseEvent| {
                if let Ok(s) = read_form::<L>(&form, st.seed, lang) {
                    start(s, true);
                }
            })
        };
        let on_cancel = {
            let tally = tally.clone();
            let stage = stage.clone();
            let version = version.clone();
            let on_running = props.on_running.clone();
            Callback::from(move |_: MouseEvent| {
                Pool::get().cancel();
                let was = tally.borrow().as_ref().is_some_and(Tally::running);
                if let Some(t) = tally.borrow_mut().as_mut() {
                    t.cancel();
                }
                if was {
                    on_running.emit(false);
                }
                stage.set(Stage::Idle);
                version.set(*version + 1);
            })
        };
        let toggle_runs = {
            let show_runs = show_runs.clone();
            Callback::from(move |e: Event| {
                let d: web_sys::HtmlDetailsElement = e.target_unchecked_into();
                show_runs.set(d.open());
            })
        };

        let f = (*form).clone();
        let knob = knobs.iter().find(|k| k.key == f.knob);
        let numeric = knob.is_some_and(|k| matches!(k.kind, Kind::Int { .. } | Kind::Real { .. }));
        let timed = lab.timed();
        let now = crate::web::now_ms();
        let t = tally.borrow();

        let problem = state
            .sweep_problem
            .as_ref()
            .map(|e| describe_sweep_error(lang, e));
        html! {
            <section class="panel sweep" id="sweep" aria-labelledby="sweep-title">
                <h2 id="sweep-title">{ tr(lang, text::SWEEP_TITLE) }</h2>
                <p class="note">{ tr(lang, text::SWEEP_INTRO) }</p>
                if let Some(p) = problem {
                    <p class="notice small" role="alert" id="sweep-link-problem">{ p }</p>
                }
                <form class="sweep-form" onsubmit={on_run}>
                    <label class="field field-choice sweep-metric">
                        <span class="field-label">{ tr(lang, text::SWEEP_METRIC) }</span>
                        <select id="sweep-metric" onchange={set(|f, v| f.metric = v)}>
                            { for metrics.iter().map(|m| html! {
                                <option value={m.path.clone()} selected={m.path == f.metric}>{ metric_name(lang, m) }</option>
                            }) }
                        </select>
                    </label>
                    <label class="field field-choice">
                        <span class="field-label">{ tr(lang, text::SWEEP_KNOB) }</span>
                        <select id="sweep-knob" onchange={on_knob}>
                            <option value="" selected={f.knob.is_empty()}>{ tr(lang, text::SWEEP_NO_KNOB) }</option>
                            { for knobs.iter().map(|k| html! {
                                <option value={k.key.clone()} selected={k.key == f.knob}>{ tr_id(lang, k.text) }</option>
                            }) }
                        </select>
                    </label>
                    if numeric {
                        <div class="sweep-range">
                            <label class="field">
                                <span class="field-label">{ tr(lang, text::SWEEP_FROM) }</span>
                                <input id="sweep-lo" type="number" step="any" value={f.lo.clone()} onchange={set(|f, v| f.lo = v)} />
                            </label>
                            <label class="field">
                                <span class="field-label">{ tr(lang, text::SWEEP_TO) }</span>
                                <input id="sweep-hi" type="number" step="any" value={f.hi.clone()} onchange={set(|f, v| f.hi = v)} />
                            </label>
                            <label class="field">
                                <span class="field-label">{ tr(lang, text::SWEEP_STEPS) }</span>
                                <input id="sweep-steps" type="number" min="2" max="20" value={f.steps.clone()} onchange={set(|f, v| f.steps = v)} />
                            </label>
                        </div>
                    } else if !f.knob.is_empty() {
                        <p class="note">{ tr(lang, text::SWEEP_EVERY_CHOICE) }</p>
                    }
                    <label class="field">
                        <span class="field-label">{ fill(tr(lang, text::SWEEP_SEEDS), &[MAX_SEEDS.to_string()]) }</span>
                        <input id="sweep-seeds" type="number" min="1" max={MAX_SEEDS.to_string()} value={f.seeds.clone()} onchange={set(|f, v| f.seeds = v)} />
                    </label>
                    if timed {
                        <label class="field">
                            <span class="field-label">{ tr(lang, text::SWEEP_UNTIL) }</span>
                            <input id="sweep-until" type="number" min="0.001" step="any" value={f.until.clone()}
                                placeholder={DEFAULT_UNTIL_S.to_string()} onchange={set(|f, v| f.until = v)} />
                        </label>
                    }
                    <div class="sweep-buttons">
                        <button id="btn-sweep" type="submit" class="btn primary">{ tr(lang, text::SWEEP_RUN) }</button>
                        if t.as_ref().is_some_and(Tally::running) {
                            <button id="btn-sweep-cancel" type="button" class="btn" onclick={on_cancel}>{ tr(lang, text::CANCEL) }</button>
                        }
                    </div>
                </form>
                { match &*stage {
                    Stage::Idle => html! {},
                    Stage::Refused(msg) => html! { <p class="notice small" role="alert" id="sweep-problem">{ msg.clone() }</p> },
                    Stage::Ask(est) => html! {
                        <p class="ask" role="alert" id="sweep-ask">
                            { fill(tr(lang, text::SWEEP_ASK), &[real(lang, est.ceil(), 0)]) }{ " " }
                            <button id="btn-sweep-sure" type="button" class="btn small" onclick={on_sure}>{ tr(lang, text::SWEEP_SURE) }</button>
                        </p>
                    },
                } }
                if let Some(m) = pool_mode.as_ref() {
                    <p class="note" id="sweep-engine">{ mode_text(lang, m) }</p>
                }
                if let Some(t) = t.as_ref() {
                    { progress_view(lang, t, now, *lab_paused) }
                    { results_view(lang, t, &t.plan.knob.as_ref().and_then(|k| knobs.iter().find(|x| &x.key == k)).map(|k| tr_id(lang, k.text).to_string()).unwrap_or_default()) }
                    <details class="picture-table" id="sweep-runs" ontoggle={toggle_runs}>
                        <summary>{ tr(lang, text::SWEEP_EVERY_RUN) }</summary>
                        if *show_runs {
                            { runs_table(lang, t) }
                        }
                    </details>
                }
            </section>
        }
    }

    fn progress_view(lang: Lang, t: &Tally, now: f64, lab_paused: bool) -> Html {
        let status = if t.cancelled {
            fill(
                tr(lang, text::SWEEP_CANCELLED),
                &[count(lang, t.done as u64), count(lang, t.total() as u64)],
            )
        } else if t.finished_ms.is_some() {
            fill(
                tr(lang, text::SWEEP_DONE),
                &[
                    count(lang, t.total() as u64),
                    real(lang, t.elapsed_s(now), 1),
                ],
            )
        } else {
            let left = t
                .eta_s(now)
                .map(|s| fill(tr(lang, text::SWEEP_LEFT), &[real(lang, s.ceil(), 0)]))
                .unwrap_or_default();
            format!(
                "{} {left}",
                fill(
                    tr(lang, text::SWEEP_RUNNING),
                    &[count(lang, t.done as u64), count(lang, t.total() as u64)]
                )
            )
        };
        let issues = (t.failed > 0 || t.absent > 0).then(|| {
            fill(
                tr(lang, text::SWEEP_ISSUES),
                &[
                    count(lang, t.failed as u64),
                    count(lang, t.absent as u64),
                    t.errors.join("; "),
                ],
            )
        });
        html! {
            <div class="sweep-progress">
                <progress id="sweep-bar" max={t.total().to_string()} value={t.done.to_string()}
                    aria-label={tr(lang, text::SWEEP_PROGRESS)}></progress>
                <span id="sweep-status" role="status" data-done={t.done.to_string()} data-total={t.total().to_string()}
                    data-finished={t.finished_ms.is_some().to_string()}
                    data-run-ms={format!("{:.2}", t.busy_ms / t.done.max(1) as f64)}>{ status }</span>
                if let Some(i) = issues {
                    <p class="notice small">{ i }</p>
                }
                if lab_paused && t.running() {
                    <p class="note small" id="sweep-lab-paused">{ tr(lang, text::SWEEP_LAB_PAUSED) }</p>
                }
            </div>
        }
    }

    fn results_view(lang: Lang, t: &Tally, knob_label: &str) -> Html {
        let axis = y_axis(&t.plan.metric);
        let name = metric_name(lang, &t.plan.metric);
        if t.plan.knob.is_some() {
            let band = t.band(|i| point_label(lang, &t.plan, i));
            if band.is_empty() {
                return html! {};
            }
            let l = BandLayout::of(&band, axis);
            let seeds_shown = t.plan.seeds.len() <= sc::SHOW_SEEDS_UP_TO;
            let desc = fill(
                tr(lang, text::SWEEP_CHART_DESC),
                &[name.clone(), count(lang, t.plan.seeds.len() as u64)],
            );
            html! {
                <>
                <figure class="sweep-figure">
                    <svg id="sweep-chart" class="sweep-chart" viewBox={format!("0 0 {} {}", sc::W, sc::H)} role="img" aria-label={desc.clone()}>
                        { y_grid(lang, l.y, axis) }
                        if l.numeric {
                            <path class="band" d={l.band_path(&band)} />
                            <path class="median" d={l.median_path(&band)} />
                        } else {
                            { for band.iter().zip(&l.xs).map(|(p, x)| html! {
                                <rect class="band" x={format!("{:.1}", x - 10.0)} y={format!("{:.1}", l.y.y(p.p90))}
                                    width="20" height={format!("{:.1}", (l.y.y(p.p10) - l.y.y(p.p90)).max(1.0))} />
                            }) }
                        }
                        if seeds_shown {
                            { for band.iter().zip(&l.xs).flat_map(|(p, x)| p.seeds.iter().map(move |v| html! {
                                <circle class="seed" cx={format!("{x:.1}")} cy={format!("{:.1}", l.y.y(*v))} r="2.5" />
                            })) }
                        }
                        { for band.iter().zip(&l.xs).map(|(p, x)| html! {
                            <circle class="median-dot" cx={format!("{x:.1}")} cy={format!("{:.1}", l.y.y(p.median))} r="4" />
                        }) }
                        { for band.iter().zip(&l.xs).zip(&l.labelled).filter(|(_, on)| **on).map(|((p, x), _)| html! {
                            <text class="x-tick" x={format!("{x:.1}")} y={format!("{:.1}", sc::PLOT_BOTTOM + 16.0)} text-anchor="middle">{ p.label.clone() }</text>
                        }) }
                        <text class="axis-title" x={format!("{:.1}", (sc::PLOT_LEFT + sc::PLOT_RIGHT) / 2.0)} y={format!("{:.1}", sc::H - 6.0)} text-anchor="middle">
                            { knob_label.to_string() }
                        </text>
                        <g class="legend">
                            <circle class="median-dot" cx={format!("{:.1}", sc::PLOT_LEFT)} cy="12" r="4" />
                            <text x={format!("{:.1}", sc::PLOT_LEFT + 8.0)} y="16">{ tr(lang, text::SWEEP_MEDIAN) }</text>
                            <rect class="band" x={format!("{:.1}", sc::PLOT_LEFT + 120.0)} y="6" width="14" height="12" />
                            <text x={format!("{:.1}", sc::PLOT_LEFT + 140.0)} y="16">{ tr(lang, text::SWEEP_BAND) }</text>
                            if seeds_shown {
                                <circle class="seed" cx={format!("{:.1}", sc::PLOT_LEFT + 330.0)} cy="12" r="2.5" />
                                <text x={format!("{:.1}", sc::PLOT_LEFT + 338.0)} y="16">{ tr(lang, text::SWEEP_EACH_SEED) }</text>
                            }
                        </g>
                    </svg>
                    <figcaption>{ desc }</figcaption>
                </figure>
                { summary_table(lang, t, axis, knob_label) }
                </>
            }
        } else {
            let bins = t.histogram();
            let Some(s) = t.summary(0) else {
                return html! {};
            };
            let l = HistLayout::of(&bins);
            let desc = fill(
                tr(lang, text::SWEEP_HIST_DESC),
                &[
                    name.clone(),
                    count(lang, s.n as u64),
                    cell_text(axis, s.min, lang),
                    cell_text(axis, s.median, lang),
                    cell_text(axis, s.max, lang),
                    format!("{}%", real(lang, s.zero_share * 100.0, 1)),
                ],
            );
            let edge = |v: f64| cell_text(axis, v, lang);
            html! {
                <>
                <figure class="sweep-figure">
                    <svg id="sweep-chart" class="sweep-chart" viewBox={format!("0 0 {} {}", sc::W, sc::H)} role="img" aria-label={desc.clone()}>
                        { y_grid(lang, l.y, YAxis::Count) }
                        { for bins.iter().zip(&l.bars).map(|(b, (x, w, top))| html! {
                            <rect class="bar" x={format!("{x:.1}")} y={format!("{top:.1}")} width={format!("{w:.1}")}
                                height={format!("{:.1}", (sc::PLOT_BOTTOM - top).max(0.0))}>
                                <title>{ format!("{} – {}: {}", edge(b.lo), edge(b.hi), b.count) }</title>
                            </rect>
                        }) }
                        if let (Some(first), Some(last)) = (bins.first(), bins.last()) {
                            <text class="x-tick" x={format!("{:.1}", sc::PLOT_LEFT)} y={format!("{:.1}", sc::PLOT_BOTTOM + 16.0)}>{ edge(first.lo) }</text>
                            <text class="x-tick" x={format!("{:.1}", sc::PLOT_RIGHT)} y={format!("{:.1}", sc::PLOT_BOTTOM + 16.0)} text-anchor="end">{ edge(last.hi) }</text>
                        }
                        <text class="axis-title" x={format!("{:.1}", (sc::PLOT_LEFT + sc::PLOT_RIGHT) / 2.0)} y={format!("{:.1}", sc::H - 6.0)} text-anchor="middle">{ name.clone() }</text>
                        <text class="axis-title" x="6" y="16">{ tr(lang, text::SWEEP_SEEDS_AXIS) }</text>
                    </svg>
                    <figcaption id="sweep-hist-summary">{ desc }</figcaption>
                </figure>
                { summary_table(lang, t, axis, knob_label) }
                </>
            }
        }
    }

    /// Horizontal grid lines and y tick labels.
    fn y_grid(lang: Lang, y: sc::YScale, axis: YAxis) -> Html {
        html! {
            <g class="grid">
                { for y.ticks(axis).into_iter().map(|v| html! {
                    <>
                        <line x1={format!("{:.1}", sc::PLOT_LEFT)} x2={format!("{:.1}", sc::PLOT_RIGHT)}
                            y1={format!("{:.1}", y.y(v))} y2={format!("{:.1}", y.y(v))} />
                        <text class="y-tick" x={format!("{:.1}", sc::PLOT_LEFT - 6.0)} y={format!("{:.1}", y.y(v) + 4.0)}
                            text-anchor="end">{ sc::tick(axis, v, lang) }</text>
                    </>
                }) }
            </g>
        }
    }

    /// One row per point: its runs so far and their summary (the chart's numbers, for everyone).
    fn summary_table(lang: Lang, t: &Tally, axis: YAxis, knob_label: &str) -> Html {
        let cell = |v: f64| cell_text(axis, v, lang);
        html! {
            <div class="table-scroll">
            <table class="sweep-table" id="sweep-summary">
                <thead><tr>
                    <th scope="col">{ if t.plan.knob.is_some() { knob_label.to_string() } else { tr(lang, text::SWEEP_ALL_SEEDS).to_string() } }</th>
                    <th scope="col">{ tr(lang, text::SWEEP_RUNS) }</th>
                    <th scope="col">{ "min" }</th>
                    <th scope="col">{ "p10" }</th>
                    <th scope="col">{ tr(lang, text::SWEEP_MEDIAN) }</th>
                    <th scope="col">{ "p90" }</th>
                    <th scope="col">{ "max" }</th>
                    <th scope="col">{ tr(lang, text::SWEEP_ZERO_SHARE) }</th>
                </tr></thead>
                <tbody>
                    { for (0..t.plan.points.len()).map(|i| {
                        let label = if t.plan.knob.is_some() { point_label(lang, &t.plan, i) } else { "–".into() };
                        match t.summary(i) {
                            Some(s) => html! {
                                <tr data-point={i.to_string()}>
                                    <th scope="row">{ label }</th>
                                    <td>{ count(lang, s.n as u64) }</td>
                                    <td>{ cell(s.min) }</td><td>{ cell(s.p10) }</td><td>{ cell(s.median) }</td>
                                    <td>{ cell(s.p90) }</td><td>{ cell(s.max) }</td>
                                    <td>{ format!("{}%", real(lang, s.zero_share * 100.0, 1)) }</td>
                                </tr>
                            },
                            None => html! {
                                <tr data-point={i.to_string()}><th scope="row">{ label }</th><td>{ "0" }</td>
                                    <td colspan="6">{ "–" }</td></tr>
                            },
                        }
                    }) }
                </tbody>
            </table>
            </div>
        }
    }

    /// Every run: its point, seed, figure and digest (what the command line's sweep prints).
    fn runs_table(lang: Lang, t: &Tally) -> Html {
        let axis = y_axis(&t.plan.metric);
        html! {
            <table class="sweep-table" id="sweep-run-table">
                <thead><tr>
                    <th scope="col">{ tr(lang, text::SWEEP_POINT) }</th>
                    <th scope="col">{ tr(lang, text::SEED) }</th>
                    <th scope="col">{ tr(lang, text::SWEEP_VALUE) }</th>
                    <th scope="col">{ tr(lang, text::SWEEP_DIGEST) }</th>
                </tr></thead>
                <tbody>
                    { for (0..t.plan.points.len()).flat_map(|i| t.runs(i).into_iter().map(move |(seed, c)| (i, seed, c))).map(|(i, seed, c)| html! {
                        <tr data-label={t.plan.points[i].label.clone()} data-seed={seed.to_string()}
                            data-value={c.value.map(|v| v.to_string()).unwrap_or_default()} data-digest={c.digest.to_string()}>
                            <td>{ point_label(lang, &t.plan, i) }</td>
                            <td>{ seed.to_string() }</td>
                            <td>{ c.value.map(|v| cell_text(axis, v, lang)).unwrap_or_else(|| "–".into()) }</td>
                            <td>{ format!("{:016x}", c.digest) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        }
    }
}
