//! `flowlab challenge`: the graded challenges. `list` prints them (goals and limits); `check`
//! grades a params file (or the reference solution, or the defaults) with the engine's own
//! [`flowlab_sim::challenge::check`], the function the page calls, so both give the same verdict.
//! The exit code is 0 when the challenge is passed, 1 when not or on an error.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, bail, Result};
use clap::{Args, Subcommand};
use flowlab_sim::challenge::{self, fmt_num, Allowed, Challenge, Price, Src, Verdict};
use flowlab_sim::labs;
use serde::Serialize;

#[derive(Args)]
pub struct ChallengeArgs {
    #[command(subcommand)]
    command: ChallengeCommand,
}

#[derive(Subcommand)]
enum ChallengeCommand {
    /// Lists the challenges: id, lab, title, goals and limits.
    List {
        /// JSON, with each challenge's fixed setup, limits, goals, price and causes.
        #[arg(long)]
        json: bool,
        /// Only this lab's challenges.
        #[arg(long, value_name = "LAB")]
        lab: Option<String>,
    },
    /// Grades params against a challenge: the goals, the stars and, when a goal fails, why.
    Check(CheckArgs),
}

#[derive(Args)]
struct CheckArgs {
    /// The challenge (see `flowlab challenge list`).
    #[arg(value_name = "ID")]
    id: String,

    /// Params file, .json or .toml, over the challenge's setup (fields it leaves out keep the
    /// setup's values); changing a fixed knob or breaking a limit is refused [default: the lab's
    /// defaults under the setup].
    #[arg(long, value_name = "FILE", conflicts_with = "reference")]
    params: Option<PathBuf>,

    /// Grades the challenge's stored reference solution.
    #[arg(long)]
    reference: bool,

    /// Seed of the run [default: the challenge's].
    #[arg(long, value_name = "N")]
    seed: Option<u64>,

    /// JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs the subcommand: prints its output, and exits with 0 only when a check passed (or for a
/// list).
pub fn main(args: &ChallengeArgs) -> ExitCode {
    match run(args) {
        Ok((text, ok)) => {
            let code = super::print(&text);
            if ok {
                code
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            let msg = format!("{e:#}").replace(['\n', '\r'], " ");
            let msg: String = if msg.chars().count() > super::MAX_MESSAGE_CHARS {
                msg.chars()
                    .take(super::MAX_MESSAGE_CHARS)
                    .chain(['…'])
                    .collect()
            } else {
                msg
            };
            let _ = writeln!(std::io::stderr(), "flowlab: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &ChallengeArgs) -> Result<(String, bool)> {
    match &args.command {
        ChallengeCommand::List { json, lab } => list(*json, lab.as_deref()).map(|t| (t, true)),
        ChallengeCommand::Check(c) => check(c),
    }
}

fn list(json: bool, lab: Option<&str>) -> Result<String> {
    let all: Vec<&Challenge> = match lab {
        Some(id) => {
            if labs::by_id(id).is_none() {
                let names: Vec<&str> = labs::all().iter().map(|l| l.id()).collect();
                bail!("unknown lab `{id}`; labs: {}", names.join(", "));
            }
            challenge::of_lab(id)
        }
        None => challenge::all(),
    };
    if json {
        return super::to_json(&all, true);
    }
    let mut out = String::new();
    for c in &all {
        out.push_str(&format!("{:<28}{}\n", c.id, c.title));
        for g in c.goals {
            out.push_str(&format!(
                "{:<28}goal: {} ({} {} {})\n",
                "",
                g.text,
                src_name(g.figure),
                g.op.as_str(),
                fmt_num(g.threshold)
            ));
        }
        for l in c.limits {
            out.push_str(&format!(
                "{:<28}limit: {} {}\n",
                "",
                l.key,
                allowed(&l.allowed)
            ));
        }
        let fixed: Vec<String> = c.fixed.iter().map(|(k, v)| format!("{k}={v}")).collect();
        out.push_str(&format!("{:<28}fixed: {}\n", "", fixed.join(" ")));
        out.push_str(&format!("{:<28}stars: {}\n", "", price(&c.price)));
    }
    out.push_str(
        "\nGrade params: flowlab challenge check <ID> --params FILE (or --reference); \
         details: flowlab challenge list --json",
    );
    Ok(out)
}

fn src_name(s: Src) -> String {
    match s {
        Src::Metric(p) => p.to_string(),
        Src::PerSecond(p) => format!("{p} per s"),
        Src::Param(k) => k.to_string(),
        Src::Share(a, b) => format!("{a} / {b}"),
    }
}

fn allowed(a: &Allowed) -> String {
    match a {
        Allowed::Range { lo, hi } => format!("{}..={}", fmt_num(*lo), fmt_num(*hi)),
        Allowed::OneOf(v) => format!("one of {}", v.join(", ")),
    }
}

fn price(p: &Price) -> String {
    let word = if p.higher_is_better() {
        "at least"
    } else {
        "at most"
    };
    format!(
        "{} ({}): three {word} {}, two {word} {}",
        p.text,
        src_name(p.figure),
        fmt_num(p.three),
        fmt_num(p.two)
    )
}

#[derive(Serialize)]
struct Checked<'a> {
    title: &'static str,
    lab: &'static str,
    #[serde(flatten)]
    verdict: &'a Verdict,
}

fn check(args: &CheckArgs) -> Result<(String, bool)> {
    let Some(c) = challenge::by_id(&args.id) else {
        let ids: Vec<&str> = challenge::all().iter().map(|c| c.id).collect();
        bail!(
            "unknown challenge `{}`; challenges: {}",
            args.id,
            ids.join(", ")
        );
    };
    let lab = labs::by_id(c.lab).expect("a challenge names a registered lab");
    let setup = c.setup().map_err(|e| anyhow!("{e}"))?;
    let user = match (&args.params, args.reference) {
        (Some(path), _) => super::params::from_file(lab, &setup, path)?,
        (None, true) => c.reference_params().map_err(|e| anyhow!("{e}"))?,
        (None, false) => setup,
    };
    let seed = args.seed.unwrap_or(c.seed);
    let v = challenge::check(c, &user, seed).map_err(|e| anyhow!("{} refused: {e}", c.id))?;
    let text = if args.json {
        super::to_json(
            &Checked {
                title: c.title,
                lab: c.lab,
                verdict: &v,
            },
            true,
        )?
    } else {
        describe(c, &v)
    };
    Ok((text, v.passed))
}

fn describe(c: &Challenge, v: &Verdict) -> String {
    let mut out = format!("{} — {} (seed {})\n", c.id, c.title, v.seed);
    for g in &v.goals {
        out.push_str(&format!(
            "  {} {}: {} = {} (needs {} {})\n",
            if g.ok { "pass" } else { "FAIL" },
            g.text,
            src_name(g.figure_of),
            g.figure.map_or("missing".to_string(), fmt_num),
            g.op.as_str(),
            fmt_num(g.threshold)
        ));
    }
    let price_figure = v.price.map_or("missing".to_string(), fmt_num);
    if v.passed {
        let stars: String = (0..3)
            .map(|i| if i < v.stars { '★' } else { '☆' })
            .collect();
        let word = if c.price.higher_is_better() {
            "at least"
        } else {
            "at most"
        };
        out.push_str(&format!(
            "passed {stars} {} of 3 stars: {} = {price_figure} (three stars {word} {}, two {word} {})",
            v.stars,
            c.price.text,
            fmt_num(c.price.three),
            fmt_num(c.price.two)
        ));
    } else {
        out.push_str("not passed");
        if let Some(d) = &v.debrief {
            out.push_str(&format!(": {}", d.text));
        }
    }
    out
}
