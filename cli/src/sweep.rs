//! `flowlab sweep`: one figure of a lab over many seeds and across one knob's values, the runs
//! spread over rayon's threads. Each run is [`flowlab_sim::sweep::run_one`], what `flowlab run`
//! and the page's sweep workers make of the same params and seed; only its value and digest are
//! kept.

use std::fmt::Write;
use std::path::PathBuf;

use anyhow::{anyhow, bail, Result};
use clap::{Args, ValueEnum};
use flowlab_sim::kernel::cost::CLI_BUDGET_BYTES;
use flowlab_sim::kernel::time::NS_PER_S;
use flowlab_sim::labs::AnyLab;
use flowlab_sim::sweep::{
    run_one, sweepable_metrics, Axis, Plan, RunOut, Summary, Sweep, SweepError, SweepMetric,
    SweepRule, Values, MAX_SEEDS,
};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

use crate::progress::Progress;
use crate::{params, DEFAULT_SEED};

/// A sweep estimated to take longer than this (wall seconds, on the threads it has, by the cost
/// model: an upper bound, 3–20× the real time for the labs' defaults) asks for `--yes`.
pub const ASK_OVER_S: f64 = 300.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Csv,
    Json,
    /// A table for people: one line per point with its summary over seeds.
    Table,
}

#[derive(Args)]
pub struct SweepArgs {
    /// The model: limiter, queue, chat, cache, limiter-queue, flash-sale or snowflake.
    #[arg(value_name = "MODEL")]
    pub model: String,

    /// The figure to collect, by its path in `flowlab run`'s JSON (final.lost,
    /// e2e_latency_p99_ms, fixed_window.accepted; a latency's bare name is its p99); see
    /// --list-metrics.
    #[arg(long, value_name = "PATH", required_unless_present = "list_metrics")]
    metric: Option<String>,

    /// Lists the figures a sweep of this model can collect (with the params given) and exits.
    #[arg(long)]
    list_metrics: bool,

    /// A knob to sweep, by its dotted key (acks, traffic.rate_per_s); with neither --values nor
    /// --range, every choice of a choice knob (or both sides of a switch).
    #[arg(long, value_name = "KEY")]
    knob: Option<String>,

    /// The knob's values, comma-separated (zero,one,all or 100,200,400).
    #[arg(
        long,
        value_name = "A,B,C",
        requires = "knob",
        conflicts_with = "range",
        value_delimiter = ','
    )]
    values: Option<Vec<String>>,

    /// STEPS values evenly from LO to HI (a numeric knob; 2 to 20 steps).
    #[arg(
        long,
        value_name = "LO:HI:STEPS",
        requires = "knob",
        allow_hyphen_values = true
    )]
    range: Option<String>,

    /// Seeds per value (seed, seed+1, ...), 1 to 200.
    #[arg(long, value_name = "N", required_unless_present = "list_metrics",
          value_parser = clap::value_parser!(u32).range(1..=MAX_SEEDS as i64))]
    seeds: Option<u32>,

    /// The first seed [default: the preset's, else 42].
    #[arg(long, value_name = "S")]
    seed: Option<u64>,

    /// Virtual seconds each run lasts (models that run for as long as told) [default: 60].
    #[arg(long = "until-s", value_name = "T", allow_negative_numbers = true)]
    until_s: Option<f64>,

    /// Starts from one of the model's presets (its params; its seed unless --seed).
    #[arg(long, value_name = "ID")]
    preset: Option<String>,

    /// Params file, .json or .toml (as for `flowlab run`).
    #[arg(long, value_name = "FILE")]
    params: Option<PathBuf>,

    /// Sets one parameter by its dotted key (as for `flowlab run`); repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    sets: Vec<String>,

    /// csv: one row per run (point, x, seed, value, digest); json: the sweep, every run, and a
    /// summary per point; table: the summary per point, for people.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    format: Format,

    /// Indents the JSON.
    #[arg(long)]
    pretty: bool,

    /// Runs a sweep estimated to take more than five minutes.
    #[arg(long)]
    yes: bool,

    /// Memory one run may need at most, by the lab's cost model, megabytes; runs at once are
    /// fewer than threads if they would need more together.
    #[arg(long = "max-memory-mb", value_name = "MB", default_value_t = CLI_BUDGET_BYTES >> 20,
          value_parser = clap::value_parser!(u64).range(16..=1_048_576))]
    max_memory_mb: u64,
}

/// The flag a sweep field is given by.
fn flag(field: &str) -> String {
    match field {
        "metric" | "knob" | "values" | "range" | "seeds" | "seed" => format!("--{field}"),
        "until_s" => "--until-s".to_string(),
        other => other.to_string(),
    }
}

/// One line about a refused sweep, naming the flag.
fn describe(lab: &dyn AnyLab, e: &SweepError) -> String {
    match &*e.rule {
        SweepRule::Point { .. } => e.to_string(),
        SweepRule::Text { id, .. } => {
            let hint = match *id {
                "sweep.rule.metric" => {
                    format!(" (every one: flowlab sweep {} --list-metrics)", lab.id())
                }
                _ => String::new(),
            };
            format!(
                "{} = {} is not allowed: {}{hint}",
                flag(&e.field),
                e.got,
                e.allowed
            )
        }
    }
}

#[derive(Serialize)]
struct Row<'a> {
    point: &'a str,
    x: Option<f64>,
    seed: u64,
    value: Option<f64>,
    digest: u64,
}

#[derive(Serialize)]
struct PointOut<'a> {
    label: &'a str,
    x: Option<f64>,
    /// Runs that did not report the metric.
    missing: usize,
    summary: Option<Summary>,
}

#[derive(Serialize)]
struct Out<'a> {
    model: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    preset: Option<&'a str>,
    sweep: &'a Sweep,
    /// The sweep as a link's `sweep=` part.
    link: String,
    metric: &'a SweepMetric,
    /// The params every point starts from.
    params: &'a Value,
    /// Virtual seconds each run lasted (models that run for as long as told).
    #[serde(skip_serializing_if = "Option::is_none")]
    until_s: Option<f64>,
    /// Seconds every run takes one after another on one thread, by the lab's cost model (an
    /// upper bound: each virtual second as busy as the busiest).
    estimated_cpu_s: f64,
    points: Vec<PointOut<'a>>,
    runs: Vec<Row<'a>>,
}

#[derive(Serialize)]
struct Listed<'a> {
    path: &'a str,
    measure: flowlab_sim::kernel::report::Measure,
    checker: bool,
    key_figure: bool,
}

/// Runs `flowlab sweep`: the output text.
pub fn sweep(lab: &'static dyn AnyLab, args: &SweepArgs) -> Result<String> {
    let (base, preset_seed) = params::load(
        lab,
        args.preset.as_deref(),
        args.params.as_deref(),
        &args.sets,
    )?;
    if args.list_metrics {
        let metrics = sweepable_metrics(lab, &base)?;
        if args.format == Format::Json {
            let listed: Vec<Listed> = metrics
                .iter()
                .map(|m| Listed {
                    path: &m.path,
                    measure: m.measure,
                    checker: m.checker,
                    key_figure: m.key_figure,
                })
                .collect();
            return crate::to_json(&listed, args.pretty);
        }
        return Ok(metrics
            .iter()
            .map(|m| m.path.as_str())
            .collect::<Vec<_>>()
            .join("\n"));
    }
    let knob = match &args.knob {
        None => None,
        Some(key) => Some(Axis {
            key: key.clone(),
            values: match (&args.values, &args.range) {
                (Some(v), _) => Values::List { values: v.clone() },
                (None, Some(r)) => {
                    Values::from_range_text(r).map_err(|e| anyhow!(describe(lab, &e)))?
                }
                (None, None) => Values::Choices,
            },
        }),
    };
    let def = Sweep {
        metric: args.metric.clone().unwrap_or_default(),
        knob,
        seeds: args.seeds.unwrap_or(1),
        first_seed: args.seed.or(preset_seed).unwrap_or(DEFAULT_SEED),
        until_s: args.until_s,
    };
    let budget = args.max_memory_mb << 20;
    let plan = def
        .plan(lab, &base, budget)
        .map_err(|e| anyhow!(describe(lab, &e)))?;

    // Runs at once: rayon's threads, fewer if their memory together would pass the budget.
    let threads = rayon::current_num_threads();
    let fit = (budget / plan.cost.peak_bytes.max(1)).max(1) as usize;
    let at_once = threads.min(fit);
    let secs = plan.seconds_on(at_once);
    if secs > ASK_OVER_S && !args.yes {
        bail!(
            "this sweep could take up to about {} minutes on {at_once} thread{} ({} runs, by the \
             lab's cost model, an upper bound); add --yes to run it, or lower --seeds, the values \
             or --until-s",
            (secs / 60.0).ceil(),
            if at_once == 1 { "" } else { "s" },
            plan.runs()
        );
    }
    let outs = run_all(lab, &plan, at_once)?;
    match args.format {
        Format::Csv => Ok(csv(&plan, &outs)),
        Format::Table => Ok(table(&plan, &outs)),
        Format::Json => {
            let out = Out {
                model: lab.id(),
                preset: args.preset.as_deref(),
                sweep: &def,
                link: def.to_query(),
                metric: &plan.metric,
                params: &base,
                until_s: lab.timed().then_some(plan.until as f64 / NS_PER_S as f64),
                estimated_cpu_s: plan.cost.wall_s,
                points: points(&plan, &outs),
                runs: rows(&plan, &outs),
            };
            crate::to_json(&out, args.pretty)
        }
    }
}

/// Every run of `plan`, `at_once` at a time, in plan order.
fn run_all(lab: &dyn AnyLab, plan: &Plan, at_once: usize) -> Result<Vec<RunOut>> {
    let bar = Progress::new(format!("{} sweep", lab.id()), plan.runs() as u64, "runs");
    let work = || {
        (0..plan.runs())
            .into_par_iter()
            .map(|i| {
                let (p, seed) = plan.run(i).expect("i < runs");
                let out = run_one(
                    lab,
                    &plan.points[p].params,
                    seed,
                    plan.until,
                    &plan.metric.path,
                );
                bar.inc();
                out
            })
            .collect::<Vec<_>>()
    };
    let outs = if at_once < rayon::current_num_threads() {
        rayon::ThreadPoolBuilder::new()
            .num_threads(at_once)
            .build()
            .map_err(|e| anyhow!("cannot start {at_once} threads: {e}"))?
            .install(work)
    } else {
        work()
    };
    bar.finish();
    outs.into_iter()
        .map(|o| o.map_err(|e| anyhow!("{e}")))
        .collect()
}

fn rows<'a>(plan: &'a Plan, outs: &[RunOut]) -> Vec<Row<'a>> {
    outs.iter()
        .enumerate()
        .map(|(i, o)| {
            let (p, seed) = plan.run(i).expect("one out per run");
            Row {
                point: &plan.points[p].label,
                x: plan.points[p].x,
                seed,
                value: o.value,
                digest: o.digest,
            }
        })
        .collect()
}

fn points<'a>(plan: &'a Plan, outs: &[RunOut]) -> Vec<PointOut<'a>> {
    plan.points
        .iter()
        .enumerate()
        .map(|(p, point)| {
            let runs = &outs[plan.index(p, 0)..plan.index(p + 1, 0)];
            let values: Vec<f64> = runs.iter().filter_map(|o| o.value).collect();
            PointOut {
                label: &point.label,
                x: point.x,
                missing: runs.len() - values.len(),
                summary: Summary::of(&values),
            }
        })
        .collect()
}

/// A number for people: whole numbers as they are, others to 3 decimals (trailing zeros cut).
fn short(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x}")
    } else {
        let s = format!("{x:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// The summary per point, aligned: `value  n  min  p10  median  p90  max  mean  zero`.
fn table(plan: &Plan, outs: &[RunOut]) -> String {
    let head = [
        plan.knob.clone().unwrap_or_else(|| "runs".into()),
        "n".into(),
        "min".into(),
        "p10".into(),
        "median".into(),
        "p90".into(),
        "max".into(),
        "mean".into(),
        "zero".into(),
    ];
    let mut rows = vec![head.to_vec()];
    for p in points(plan, outs) {
        let label = if p.label.is_empty() {
            "all seeds"
        } else {
            p.label
        };
        let mut row = vec![label.to_string()];
        match p.summary {
            Some(s) => row.extend([
                s.n.to_string(),
                short(s.min),
                short(s.p10),
                short(s.median),
                short(s.p90),
                short(s.max),
                short(s.mean),
                format!("{:.0}%", s.zero_share * 100.0),
            ]),
            None => {
                row.push("0".to_string());
                row.extend((0..7).map(|_| "-".to_string()));
            }
        }
        rows.push(row);
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = format!(
        "{} over {} seed{} ({} to {})\n",
        plan.metric.path,
        plan.seeds.len(),
        if plan.seeds.len() == 1 { "" } else { "s" },
        plan.seeds[0],
        plan.seeds[plan.seeds.len() - 1]
    );
    for r in &rows {
        let cells: Vec<String> = r
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(c, (cell, w))| {
                if c == 0 {
                    format!("{cell:<w$}")
                } else {
                    format!("{cell:>w$}")
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out.trim_end().to_string()
}

/// One row per run: `point,x,seed,value,digest` (an empty `point` and `x` when the sweep has no
/// knob, an empty `x` for a knob that is not a number, an empty `value` when the run did not
/// report the metric). Labels, paths and numbers never hold a comma or a quote.
fn csv(plan: &Plan, outs: &[RunOut]) -> String {
    let mut s = String::from("point,x,seed,value,digest");
    let num = |x: Option<f64>| x.map(|x| x.to_string()).unwrap_or_default();
    for r in rows(plan, outs) {
        let _ = write!(
            s,
            "\n{},{},{},{},{}",
            r.point,
            num(r.x),
            r.seed,
            num(r.value),
            r.digest
        );
    }
    s
}
