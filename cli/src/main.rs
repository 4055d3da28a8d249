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

mod figures;
mod models;
mod params;
mod progress;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, bail, Result};
use clap::{Args, Parser, Subcommand};
use flowlab_sim::kernel::time::{Nanos, NS_PER_S};
use rayon::prelude::*;
use serde::Serialize;

use figures::{summarize, Figures, Stats, Tree};
use models::{
    CacheSpec, ChatSpec, FlashSaleSpec, Kind, LimiterQueueSpec, LimiterSpec, QueueSpec, Spec,
};
use progress::Progress;

const DEFAULT_SEED: u64 = 42;
const DEFAULT_UNTIL_S: f64 = 60.0;
/// Longest virtual run, seconds (about 116 days).
const MAX_UNTIL_S: f64 = 10_000_000.0;

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
    /// Lists the models and their presets.
    List {
        /// JSON instead of text, with every model's settable keys.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
struct RunArgs {
    /// The model: limiter, queue, chat, cache, limiter-queue or flash-sale.
    #[arg(value_name = "MODEL")]
    model: String,

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

    /// Indents the JSON.
    #[arg(long)]
    pretty: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run(&args),
        Command::List { json } => list(json),
    };
    match result {
        Ok(text) => print(&text),
        Err(e) => {
            // One line, whatever the cause held.
            let msg = format!("{e:#}").replace(['\n', '\r'], " ");
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
    let Some(kind) = Kind::parse(&args.model) else {
        let names: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
        bail!(
            "unknown model `{}`; models: {}",
            args.model,
            names.join(", ")
        );
    };
    match kind {
        Kind::Limiter => execute::<LimiterSpec>(args),
        Kind::Queue => execute::<QueueSpec>(args),
        Kind::Chat => execute::<ChatSpec>(args),
        Kind::LimiterQueue => execute::<LimiterQueueSpec>(args),
        Kind::FlashSale => execute::<FlashSaleSpec>(args),
        Kind::Cache => execute::<CacheSpec>(args),
    }
}

fn until_ns(t: f64) -> Result<Nanos> {
    let ns = (t * NS_PER_S as f64).round();
    if !(t.is_finite() && t > 0.0 && t <= MAX_UNTIL_S && ns >= 1.0) {
        bail!("--until-s = {t} is not allowed: 0 < T <= {MAX_UNTIL_S} (virtual seconds)");
    }
    Ok(ns as Nanos)
}

#[derive(Serialize)]
struct Single<'a, P> {
    model: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    preset: Option<&'a str>,
    seed: u64,
    params: &'a P,
    metrics: Figures,
    #[serde(skip_serializing_if = "Option::is_none")]
    digest: Option<u64>,
}

#[derive(Serialize)]
struct Batch<'a, P> {
    model: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    preset: Option<&'a str>,
    /// The first seed.
    seed: u64,
    /// How many seeds ran.
    seeds: u64,
    params: &'a P,
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

fn to_json<T: Serialize>(v: &T, pretty: bool) -> Result<String> {
    let s = if pretty {
        serde_json::to_string_pretty(v)
    } else {
        serde_json::to_string(v)
    };
    s.map_err(|e| anyhow!("cannot write the output as JSON: {e}"))
}

fn execute<S: Spec>(args: &RunArgs) -> Result<String> {
    let until = match (S::TIMED, args.until_s) {
        (true, t) => until_ns(t.unwrap_or(DEFAULT_UNTIL_S))?,
        (false, None) => 0,
        (false, Some(_)) => bail!(
            "--until-s does not apply to {}: it runs its `requests` arrivals (--set requests=N)",
            S::NAME
        ),
    };
    let (params, preset_seed) =
        params::load::<S>(args.preset.as_deref(), args.params.as_deref(), &args.sets)?;
    let seed = args.seed.or(preset_seed).unwrap_or(DEFAULT_SEED);
    let preset = args.preset.as_deref();

    let Some(n) = args.seeds else {
        let (len, unit) = S::extent(&params, until);
        let bar = Progress::new(S::NAME, len, unit);
        let outcome = S::run(&params, seed, until, &|pos| bar.set(pos));
        bar.finish();
        let outcome = outcome?;
        return to_json(
            &Single {
                model: S::NAME,
                preset,
                seed,
                params: &params,
                metrics: outcome.figures,
                digest: outcome.digest,
            },
            args.pretty,
        );
    };

    if seed.checked_add(n - 1).is_none() {
        bail!("--seed {seed} with --seeds {n} runs past the largest seed (2^64 - 1)");
    }
    let bar = Progress::new(format!("{} x{n}", S::NAME), n, "seeds");
    let outcomes: Vec<_> = (0..n)
        .into_par_iter()
        .map(|i| {
            let r = S::run(&params, seed + i, until, &|_| bar.poll());
            bar.inc();
            r
        })
        .collect();
    bar.finish();
    let outcomes = outcomes.into_iter().collect::<Result<Vec<_>, _>>()?;
    let all: Vec<&Figures> = outcomes.iter().map(|o| &o.figures).collect();
    let summary = summarize(&all);
    let key = S::key_figures();
    let runs = outcomes
        .iter()
        .zip(seed..)
        .map(|(o, s)| BatchRun {
            seed: s,
            digest: o.digest,
            key_figures: o.figures.select(&key),
        })
        .collect();
    to_json(
        &Batch {
            model: S::NAME,
            preset,
            seed,
            seeds: n,
            params: &params,
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
    presets: Vec<ListedPreset>,
    keys: Vec<String>,
}

#[derive(Serialize)]
struct ListedPreset {
    id: &'static str,
    seed: u64,
}

fn list(json: bool) -> Result<String> {
    let models: Vec<Listed> = Kind::ALL
        .into_iter()
        .map(|k| Listed {
            model: k.name(),
            about: k.about(),
            presets: k
                .presets()
                .into_iter()
                .map(|(id, seed)| ListedPreset { id, seed })
                .collect(),
            keys: match k {
                Kind::Limiter => params::keys::<LimiterSpec>(),
                Kind::Queue => params::keys::<QueueSpec>(),
                Kind::Chat => params::keys::<ChatSpec>(),
                Kind::LimiterQueue => params::keys::<LimiterQueueSpec>(),
                Kind::FlashSale => params::keys::<FlashSaleSpec>(),
                Kind::Cache => params::keys::<CacheSpec>(),
            },
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
    out.push_str("\nRun one: flowlab run <MODEL> [--preset ID] [--set key=value]... (flowlab run --help); settable keys: flowlab list --json");
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
