//! `flowlab`: runs flowlab's lab models headless and prints their metrics as JSON.
//!
//! ```text
//! flowlab run limiter --preset boundary_burst --until-s 30 --pretty
//! flowlab run chat --set push_fail_prob=0.1 --seeds 8
//! flowlab run limiter-queue --set requests=100000000
//! flowlab run cache --preset cache_aside_race --until-s 10
//! flowlab list
//! ```
//!
//! Stdout carries only the JSON; messages and the progress bar (on a terminal, for long runs) go to
//! stderr. A bad parameter, file, preset or model prints one line naming it and exits with 1; a
//! malformed command line is reported by the argument parser and exits with 2.

mod challenge;
mod figures;
mod params;
mod progress;
mod sweep;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, bail, Result};
use clap::{Args, Parser, Subcommand};
use flowlab_sim::kernel::cost::{Cost, CLI_BUDGET_BYTES};
use flowlab_sim::kernel::knobs::Knob;
use flowlab_sim::kernel::lab::{Checker, Extent};
use flowlab_sim::kernel::report::{Measure, Metric, Report};
use flowlab_sim::kernel::time::{Nanos, NS_PER_MS, NS_PER_S};
use flowlab_sim::kernel::why;
use flowlab_sim::labs::{self, AnyLab, PresetInfo};
use flowlab_sim::replay::{ActionLog, RunFile, Verdict};
use flowlab_sim::sweep::{drive_with, Finished, Replay, DEFAULT_UNTIL_S, MAX_UNTIL_S};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

use figures::{Figures, Stats, Summary, Tree};
use progress::Progress;

pub(crate) const DEFAULT_SEED: u64 = 42;
/// Longest message printed.
const MAX_MESSAGE_CHARS: usize = 400;
/// Seeds run in parallel at once by `--seeds` (bounds the figures held at a time).
const SEED_CHUNK: u64 = 256;
/// Runs `--seeds` lists one by one; the summary covers all of them.
const MAX_LISTED_RUNS: usize = 1_000;

#[derive(Parser)]
#[command(
    name = "flowlab",
    version,
    about = "Runs flowlab's lab models headless and prints their metrics as JSON.",
    after_help = "Examples:\n  \
        flowlab list\n  \
        flowlab run limiter --preset boundary_burst --until-s 30 --pretty\n  \
        flowlab run limiter --set fixed_window.limit=20 --set traffic.pattern=on_off\n  \
        flowlab run chat --params chat.toml --seeds 8\n  \
        flowlab run limiter-queue --set requests=100000000\n  \
        flowlab run cache --preset cache_aside_race --until-s 10"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs a model and prints {model, seed, params, metrics, digest} as JSON on stdout.
    Run(RunArgs),
    /// Runs one figure of a model over many seeds, and across a knob's values, in parallel;
    /// prints one row per run (CSV) or the runs and a summary per value (JSON).
    Sweep(sweep::SweepArgs),
    /// Lists the models and their presets.
    List {
        /// JSON instead of text, with every model's knob table (keys, ranges, units, defaults)
        /// and metric list.
        #[arg(long)]
        json: bool,
    },
    /// Graded challenges: `list` them, or `check` params against one (exit 0 when passed).
    Challenge(challenge::ChallengeArgs),
}

#[derive(Args)]
struct RunArgs {
    /// The model: limiter, queue, chat, cache, limiter-queue, flash-sale or snowflake (not with
    /// --run-file, which names it).
    #[arg(value_name = "MODEL", required_unless_present = "run_file")]
    model: Option<String>,

    /// Replays a run file (exported by the web app or by --save-run): its model, params, seed,
    /// virtual time and actions; checks that the run gives the file's digest (exit 1 if not).
    #[arg(long = "run-file", value_name = "FILE",
          conflicts_with_all = ["model", "params", "sets", "preset", "seed", "until_s", "seeds", "actions"])]
    run_file: Option<PathBuf>,

    /// Interventions at virtual times, as the web app's link records them:
    /// `12.5:crash_leader_of(0);20:add_consumer;30:set(token_bucket.rate_per_s=40)`.
    #[arg(long, value_name = "LOG")]
    actions: Option<String>,

    /// Writes the run as a run file (format version, model, params, seed, virtual time, actions,
    /// figures, digest), which the web app imports and --run-file replays.
    #[arg(long = "save-run", value_name = "FILE", conflicts_with = "seeds")]
    save_run: Option<PathBuf>,

    /// Params file, .json or .toml, with the params' fields (as printed under "params"); fields it
    /// leaves out keep the preset's or default values, unknown fields are refused.
    #[arg(long, value_name = "FILE")]
    params: Option<PathBuf>,

    /// Sets one parameter by its dotted key, as in the web app's URL (fixed_window.limit=20);
    /// repeatable, applied after --preset and --params.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    sets: Vec<String>,

    /// Starts from one of the model's presets (params and seed); see `flowlab list`.
    #[arg(long, value_name = "ID")]
    preset: Option<String>,

    /// Seed of the run [default: the preset's, else 42].
    #[arg(long, value_name = "N")]
    seed: Option<u64>,

    /// Virtual seconds to run the limiter, the chat or the cache for [default: 60]. limiter-queue
    /// runs its `requests` arrivals instead.
    #[arg(long = "until-s", value_name = "T", allow_negative_numbers = true)]
    until_s: Option<f64>,

    /// Runs N seeds (seed, seed+1, ...) in parallel and prints each one's key figures and the
    /// mean, min, max and standard deviation of every metric.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    seeds: Option<u64>,

    /// Adds the run's "why did that happen" log: how many lines of each kind, and the latest few
    /// hundred in English (time, class, what happened and the rule that made it happen).
    #[arg(long)]
    why: bool,

    /// Indents the JSON.
    #[arg(long)]
    pretty: bool,

    /// Memory the run may need at most, by the lab's cost model, megabytes (params that would
    /// need more are refused, naming what costs).
    #[arg(long = "max-memory-mb", value_name = "MB", default_value_t = CLI_BUDGET_BYTES >> 20,
          value_parser = clap::value_parser!(u64).range(16..=1_048_576))]
    max_memory_mb: u64,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run(&args),
        Command::Sweep(args) => lab_named(&args.model).and_then(|lab| sweep::sweep(lab, &args)),
        Command::List { json } => list(json),
        Command::Challenge(args) => return challenge::main(&args),
    };
    match result {
        Ok(text) => print(&text),
        Err(e) => {
            // One line, whatever the cause held.
            let msg = format!("{e:#}").replace(['\n', '\r'], " ");
            // Never a screenful: a value or a file quoted in a message is cut.
            let msg: String = if msg.chars().count() > MAX_MESSAGE_CHARS {
                msg.chars().take(MAX_MESSAGE_CHARS).chain(['…']).collect()
            } else {
                msg
            };
            let _ = writeln!(std::io::stderr(), "flowlab: {msg}");
            ExitCode::FAILURE
        }
    }
}

/// Writes `text` and a newline to stdout. A reader that went away (`| head`) is not an error.
fn print(text: &str) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|_| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "flowlab: cannot write the output: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &RunArgs) -> Result<String> {
    if let Some(path) = &args.run_file {
        return replay_file(path, args);
    }
    execute(lab_named(args.model.as_deref().unwrap_or_default())?, args)
}

/// `flowlab run --run-file F`: the file's run, again; the digest must be the file's.
fn replay_file(path: &std::path::Path, args: &RunArgs) -> Result<String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow!("cannot read the run file {}: {e}", path.display()))?;
    let file = RunFile::read(&text).map_err(|e| anyhow!("run file {}: {e}", path.display()))?;
    let run = file
        .load()
        .map_err(|e| anyhow!("run file {}: {e}", path.display()))?;
    let lab = run.lab;
    let cost = lab
        .cost(&run.params)
        .map_err(|_| anyhow!("params of {} could not be read", lab.id()))?;
    cost.admit(&run.params, args.max_memory_mb << 20)
        .map_err(|e| anyhow!("{e} (raise --max-memory-mb to allow more)"))?;
    let outcome = run_one(lab, &run.params, run.seed, run.until, &run.actions, &|_| {})?;
    if let Verdict::Differs { file, replay } = run.verdict(&outcome.finished) {
        bail!(
            "run file {}: the replay's digest is {replay}, the file's {file}: not the same run",
            path.display()
        );
    }
    to_json(
        &Single {
            model: lab.id(),
            preset: None,
            seed: run.seed,
            params: &run.params,
            actions: (!run.actions.is_empty()).then(|| run.actions.to_string()),
            metrics: outcome.figures,
            digest: outcome.digest,
            why: None,
        },
        args.pretty,
    )
}

/// The registered lab `id`, or a message listing them.
fn lab_named(id: &str) -> Result<&'static dyn AnyLab> {
    labs::by_id(id).ok_or_else(|| {
        let names: Vec<&str> = labs::all().iter().map(|l| l.id()).collect();
        anyhow!("unknown model `{id}`; models: {}", names.join(", "))
    })
}

fn until_ns(t: f64) -> Result<Nanos> {
    let ns = (t * NS_PER_S as f64).round();
    if !(t.is_finite() && t > 0.0 && t <= MAX_UNTIL_S && ns >= 1.0) {
        bail!("--until-s = {t:?} is not allowed: 0 < T <= {MAX_UNTIL_S} (virtual seconds)");
    }
    Ok(ns as Nanos)
}

#[derive(Serialize)]
struct Single<'a> {
    model: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    preset: Option<&'a str>,
    seed: u64,
    params: &'a Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    actions: Option<String>,
    metrics: Figures,
    #[serde(skip_serializing_if = "Option::is_none")]
    digest: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    why: Option<Why>,
}

/// The run's "why did that happen" log (`--why`).
#[derive(Serialize)]
struct Why {
    /// Lines of each kind (all of them), by the kind's key.
    counts: BTreeMap<&'static str, u64>,
    /// The latest lines, oldest first, in English.
    lines: Vec<String>,
}

impl Why {
    fn of(sim: &dyn labs::AnyRun) -> Option<Self> {
        let (kinds, log) = sim.why()?;
        Some(Self {
            counts: kinds
                .iter()
                .map(|k| k.key)
                .zip(log.counts().iter().copied())
                .collect(),
            lines: log.entries().map(|e| why::english(kinds, e)).collect(),
        })
    }
}

#[derive(Serialize)]
struct Batch<'a> {
    model: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    preset: Option<&'a str>,
    /// The first seed.
    seed: u64,
    /// How many seeds ran.
    seeds: u64,
    params: &'a Value,
    /// Runs listed one by one (the first ones; the summary covers every run).
    runs_listed: u64,
    runs: Vec<BatchRun>,
    summary: Tree<'a, Stats>,
}

#[derive(Serialize)]
struct BatchRun {
    seed: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    digest: Option<u64>,
    key_figures: Figures,
}

pub(crate) fn to_json<T: Serialize>(v: &T, pretty: bool) -> Result<String> {
    let s = if pretty {
        serde_json::to_string_pretty(v)
    } else {
        serde_json::to_string(v)
    };
    s.map_err(|e| anyhow!("cannot write the output as JSON: {e}"))
}

/// What one run produced.
struct Outcome {
    figures: Figures,
    /// Digest of the run (timed labs; the others report wall-clock figures that vary).
    digest: Option<u64>,
    /// The paths of its key figures.
    key: Vec<String>,
    /// Its "why did that happen" log.
    why: Option<Why>,
    /// What the engine left (a run file is written from it).
    finished: Finished,
}

/// Runs `lab` with `params` and `seed` as every run is made ([`drive`], which the page and
/// `flowlab sweep` call too): timed labs to `until` (then, if their checks need it, at rest), the
/// others to their end, reporting progress (virtual ms, or items done).
fn run_one(
    lab: &dyn AnyLab,
    params: &Value,
    seed: u64,
    until: Nanos,
    log: &ActionLog,
    report: &(dyn Fn(u64) + Sync),
) -> Result<Outcome> {
    let mut sim = lab.start(params, seed)?;
    let mut f = Figures::default();
    let replay = Replay { params, log };
    match sim.extent() {
        Extent::Timed => {
            let done = drive_with(lab, &mut *sim, until, replay, &mut |ms| report(ms))?;
            f.f("virtual_s", done.now as f64 / NS_PER_S as f64);
            f.extend_report(&done.figures);
            let mut key = key_paths(&done.figures);
            if let Some((quiet, finals)) = &done.at_rest {
                // Then quiet: the exact checks.
                f.b("final.quiet", *quiet);
                f.extend_report(finals);
                key.extend(key_paths(finals));
            }
            Ok(Outcome {
                figures: f,
                digest: Some(done.digest),
                key,
                why: Why::of(&*sim),
                finished: done,
            })
        }
        Extent::Items { count, .. } => {
            let started = progress::now();
            let done = drive_with(lab, &mut *sim, until, replay, &mut |work| report(work))?;
            let wall_s = started.elapsed().as_secs_f64();
            f.extend_report(&done.figures);
            f.f("requests_per_s", count as f64 / wall_s.max(1e-9));
            f.f("wall_s", wall_s);
            let mut key = key_paths(&done.figures);
            key.push("requests_per_s".into());
            Ok(Outcome {
                figures: f,
                digest: None,
                key,
                why: Why::of(&*sim),
                finished: done,
            })
        }
    }
}

/// Says on stderr when a run is going to take long (its cost model's work per virtual second
/// times the virtual seconds asked for), so `--until-s 10000000` is not a silent wait of hours.
fn warn_if_long(cost: &Cost, until: Option<Nanos>, seeds: u64) {
    let until_s = until.map(|t| t as f64 / NS_PER_S as f64);
    let Some(one) = cost.run_wall_s(until_s) else {
        return;
    };
    let secs = one * seeds as f64;
    if secs >= 60.0 {
        let _ = writeln!(
            std::io::stderr(),
            "flowlab: by the lab's cost model this run takes about {} minutes of CPU",
            (secs / 60.0).ceil()
        );
    }
}

/// The paths of a report's key figures (a latency by its p99).
fn key_paths(r: &Report) -> Vec<String> {
    r.figures
        .iter()
        .filter(|f| f.metric.key_figure)
        .map(|f| {
            let p = f.path(&r.lanes);
            if f.metric.measure == Measure::Latency {
                format!("{p}_p99_ms")
            } else {
                p
            }
        })
        .collect()
}

fn execute(lab: &'static dyn AnyLab, args: &RunArgs) -> Result<String> {
    let timed = lab.timed();
    let until = match (timed, args.until_s) {
        (true, t) => until_ns(t.unwrap_or(DEFAULT_UNTIL_S))?,
        (false, None) => 0,
        (false, Some(_)) => bail!(
            "--until-s does not apply to {}: it runs to its own end (see its params)",
            lab.id()
        ),
    };
    let (params, preset_seed) = params::load(
        lab,
        args.preset.as_deref(),
        args.params.as_deref(),
        &args.sets,
    )?;
    let seed = args.seed.or(preset_seed).unwrap_or(DEFAULT_SEED);
    let preset = args.preset.as_deref();
    let cost = lab
        .cost(&params)
        .map_err(|_| anyhow!("params of {} could not be read", lab.id()))?;
    cost.admit(&params, args.max_memory_mb << 20)
        .map_err(|e| anyhow!("{e} (raise --max-memory-mb to allow more)"))?;
    warn_if_long(&cost, timed.then_some(until), args.seeds.unwrap_or(1));
    let log = match &args.actions {
        None => ActionLog::default(),
        Some(text) => {
            let log = ActionLog::parse(text).map_err(|e| anyhow!("--actions: {e}"))?;
            log.check(lab, &params, until)
                .map_err(|e| anyhow!("--actions: {e}"))?;
            log
        }
    };
    let (len, unit) = match lab.start(&params, seed)?.extent() {
        Extent::Timed => (until / NS_PER_MS, "virtual ms"),
        Extent::Items { count, unit } => (count, unit),
    };

    if args.why && args.seeds.is_some() {
        bail!("--why applies to one run, not to --seeds");
    }
    let Some(n) = args.seeds else {
        let bar = Progress::new(lab.id(), len, unit);
        let outcome = run_one(lab, &params, seed, until, &log, &|pos| bar.set(pos));
        bar.finish();
        let outcome = outcome?;
        let single = Single {
            model: lab.id(),
            preset,
            seed,
            params: &params,
            actions: (!log.is_empty()).then(|| log.to_string()),
            metrics: outcome.figures,
            digest: outcome.digest,
            why: if args.why { outcome.why } else { None },
        };
        if let Some(path) = &args.save_run {
            let file = RunFile::of_run(lab, &params, seed, until, &log, &outcome.finished);
            std::fs::write(path, to_json(&file, true)? + "\n")
                .map_err(|e| anyhow!("cannot write the run file {}: {e}", path.display()))?;
        }
        return to_json(&single, args.pretty);
    };

    if seed.checked_add(n - 1).is_none() {
        bail!("--seed {seed} with --seeds {n} runs past the largest seed (2^64 - 1)");
    }
    let bar = Progress::new(format!("{} x{n}", lab.id()), n, "seeds");
    // Seeds run in parallel a chunk at a time and are summed up in seed order: memory does not
    // grow with N, and the summary does not depend on the scheduling.
    let mut summary = Summary::default();
    let mut runs = Vec::new();
    let mut start = 0u64;
    while start < n {
        let end = (start + SEED_CHUNK).min(n);
        let outcomes: Vec<_> = (start..end)
            .into_par_iter()
            .map(|i| {
                let r = run_one(lab, &params, seed + i, until, &log, &|_| bar.poll());
                bar.inc();
                r
            })
            .collect();
        for (i, o) in (start..end).zip(outcomes) {
            let o = o.inspect_err(|_| bar.finish())?;
            summary.add(&o.figures);
            if runs.len() < MAX_LISTED_RUNS {
                runs.push(BatchRun {
                    seed: seed + i,
                    digest: o.digest,
                    key_figures: o.figures.select(&o.key),
                });
            }
        }
        start = end;
    }
    bar.finish();
    let summary = summary.finish();
    to_json(
        &Batch {
            model: lab.id(),
            preset,
            seed,
            seeds: n,
            params: &params,
            runs_listed: runs.len() as u64,
            runs,
            summary: Tree(&summary, 0),
        },
        args.pretty,
    )
}

#[derive(Serialize)]
struct Listed {
    model: &'static str,
    about: &'static str,
    presets: Vec<PresetInfo>,
    keys: Vec<String>,
    knobs: Vec<Knob>,
    metrics: Vec<Metric>,
    checkers: &'static [Checker],
}

fn list(json: bool) -> Result<String> {
    let models: Vec<Listed> = labs::all()
        .into_iter()
        .map(|l| Listed {
            model: l.id(),
            about: l.about(),
            presets: l.presets(),
            keys: params::keys(l),
            knobs: l.knobs(),
            metrics: l.metrics().iter().map(|m| **m).collect(),
            checkers: l.checkers(),
        })
        .collect();
    if json {
        return to_json(&models, true);
    }
    let mut out = String::new();
    for m in &models {
        out.push_str(&format!("{:<15}{}\n", m.model, m.about));
        let presets = if m.presets.is_empty() {
            "(none)".to_string()
        } else {
            m.presets
                .iter()
                .map(|p| format!("{} (seed {})", p.id, p.seed))
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push_str(&format!("{:<15}presets: {presets}\n", ""));
    }
    out.push_str("\nRun one: flowlab run <MODEL> [--preset ID] [--set key=value]... (flowlab run --help); knobs and metrics: flowlab list --json");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn until_is_bounded() {
        assert_eq!(until_ns(1.5).unwrap(), 1_500_000_000);
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e-12, 1e8] {
            let e = until_ns(bad).unwrap_err().to_string();
            assert!(e.contains("--until-s"), "{e}");
        }
    }
}
