//! Runs that leave the page, for every lab: a run file (JSON, written by the same function as
//! `flowlab run --save-run`, from the live run where it stands: [`crate::lab::host::Host::run_file`],
//! in the engine's worker), the charts' series as CSV, the picture and
//! its charts as PNG; and a run file imported (picked or dropped) to replay it here, or on its own
//! lab's page, its digest checked by a replay. The file's words, its refusals and what to do with
//! it are plain Rust, tested natively; the panel itself is [`view`] (in the browser).

use flowlab_sim::kernel::cost::PAGE_BUDGET_BYTES;
use flowlab_sim::kernel::time::{Nanos, NS_PER_S};
use flowlab_sim::labs::AnyLab;
use flowlab_sim::migrate;
use flowlab_sim::replay::{
    self, ActionError, ActionLog, ActionProblem, Loaded, ReplayError, RunFile, RunFileError,
    Verdict, ACTIONS_KEY, MAX_ACTIONS, MAX_AT_S, RUN_FORMAT,
};
use flowlab_sim::ParamError;
use serde_json::Value;

use crate::i18n::{describe_error, describe_problem, fill, tr, Lang};
use crate::kit::chart::Chart;
use crate::lab::state::AT_KEY;
use crate::text;

/// Largest file the page reads as a run file (a log of [`MAX_ACTIONS`] actions is far smaller).
pub const MAX_FILE_BYTES: u64 = 4 << 20;
/// Longest replay the page makes by itself, by the lab's cost model in the browser (seconds): a
/// run longer than this is imported without its check (the command line checks it).
pub const MAX_REPLAY_S: f64 = 20.0;
/// Where an import that opened another lab's page leaves what its check said, for that page.
pub const SESSION_KEY: &str = "flowlab.import.status";

/// `flowlab-<lab>-<seed>.<ext>`.
pub fn file_name(lab: &str, seed: u64, ext: &str) -> String {
    format!("flowlab-{lab}-{seed}.{ext}")
}

/// A CSV field: quoted when it holds a comma, a quote or a line break.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The charts' series as one CSV table.
#[derive(Clone, Debug, PartialEq)]
pub struct Csv {
    pub text: String,
    /// Rows under the header (one per point in time).
    pub rows: usize,
    /// Columns after the time (one per series).
    pub series: usize,
}

/// Every chart's series in one table: a header row (`time_s`, then `<chart>: <series>` for each
/// series of each chart, in order), then one row per point in time of any series, its values
/// unformatted (shortest exact decimal; empty where a series has no point then, or no finite
/// value).
pub fn charts_csv(titles: &[String], charts: &[Chart]) -> Csv {
    let mut head = vec!["time_s".to_string()];
    let mut columns: Vec<Vec<(f64, f64)>> = Vec::new();
    for (i, c) in charts.iter().enumerate() {
        let title = titles
            .get(i)
            .cloned()
            .unwrap_or_else(|| format!("chart {}", i + 1));
        for s in &c.series {
            head.push(format!("{title}: {}", s.name));
            let mut pts: Vec<(f64, f64)> = s
                .points
                .iter()
                .copied()
                .filter(|p| p.0.is_finite())
                .collect();
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            columns.push(pts);
        }
    }
    let mut times: Vec<f64> = columns.iter().flatten().map(|p| p.0).collect();
    times.sort_by(f64::total_cmp);
    times.dedup_by(|a, b| (*a - *b).abs() < 1e-9);
    let mut text = head
        .iter()
        .map(|h| csv_field(h))
        .collect::<Vec<_>>()
        .join(",");
    text.push('\n');
    for &t in &times {
        text.push_str(&t.to_string());
        for col in &columns {
            text.push(',');
            // The first point at or after t - 1e-9: this time's, if it is within 1e-9.
            let i = col.partition_point(|p| p.0 < t - 1e-9);
            if let Some(&(x, y)) = col.get(i) {
                if (x - t).abs() < 1e-9 && y.is_finite() {
                    text.push_str(&y.to_string());
                }
            }
        }
        text.push('\n');
    }
    Csv {
        text,
        rows: times.len(),
        series: columns.len(),
    }
}

/// Seconds a replay of `lab` with `params` to `until` takes in the browser, by the lab's cost
/// model (none if it has no estimate).
pub fn replay_estimate_s(lab: &dyn AnyLab, params: &Value, until: Nanos) -> Option<f64> {
    let until_s = lab.timed().then(|| until as f64 / NS_PER_S as f64);
    let cost = lab.cost(params).ok()?;
    cost.run_wall_s(until_s)
        .map(|s| s * crate::lab::sweep::BROWSER_SLOWDOWN)
}

/// A run file's text as the page saves it (indented, a line break at the end).
pub fn file_text(file: &RunFile) -> String {
    serde_json::to_string_pretty(file).expect("a run file serialises to JSON") + "\n"
}

/// What an imported run file does.
#[derive(Clone, Debug, PartialEq)]
pub enum Import {
    /// A run of this page's lab: it replays here, paused at its end (timed labs).
    Here {
        params: Value,
        seed: u64,
        actions: ActionLog,
        at: Option<Nanos>,
    },
    /// A run of another lab: its page opens with the link that reproduces it (`#/<lab>?…`).
    Elsewhere { hash: String },
}

/// Reads and checks a run file's text ([`RunFile::read`], [`RunFile::load`]), and whether its
/// params fit the page (what does not is refused naming the field, as a link's would be).
pub fn read_import(text: &str) -> Result<Loaded, ImportError> {
    let run = RunFile::read(text)
        .map_err(|e| structured(text, e))
        .and_then(|f| f.load())
        .map_err(ImportError::File)?;
    let cost = run.lab.cost(&run.params).map_err(|_| {
        ImportError::File(RunFileError::Params(format!(
            "not the params of {}",
            run.lab.id()
        )))
    })?;
    cost.admit(&run.params, PAGE_BUDGET_BYTES)
        .map_err(ImportError::Budget)?;
    Ok(run)
}

/// A log that did not read is refused by the file's reader as a field (in English): read again,
/// its action and what is wrong with it, to say them in the reader's language (the English
/// words are the same).
fn structured(text: &str, e: RunFileError) -> RunFileError {
    if matches!(&e, RunFileError::Field { path, .. } if path == ACTIONS_KEY) {
        let log = serde_json::from_str::<Value>(text).ok().and_then(|v| {
            v.get(ACTIONS_KEY)
                .and_then(Value::as_str)
                .map(ActionLog::parse)
        });
        if let Some(Err(a)) = log {
            return RunFileError::Actions(a);
        }
    }
    e
}

/// Why a file is not imported.
#[derive(Clone, Debug, PartialEq)]
pub enum ImportError {
    File(RunFileError),
    /// The params are the lab's, but too big for the page (the command line runs them).
    Budget(ParamError),
}

/// The link of `run` on its lab's page: its params (what differs from the defaults) and seed, its
/// actions, the moment to open paused at (its end, for timed labs), and the link's format.
pub fn link_of(run: &Loaded) -> String {
    let mut q = run.lab.to_query(&run.params, run.seed);
    if !run.actions.is_empty() {
        let log = crate::url_state::percent_encode(&run.actions.to_string());
        q = format!("{q}&{ACTIONS_KEY}={log}");
    }
    if run.lab.timed() {
        q = format!("{q}&{AT_KEY}={}", replay::seconds_text(run.until));
    }
    // The params were moved to today's names when the file was read: a link of today's format.
    let v = format!("{}={}", migrate::LINK_FORMAT_KEY, migrate::LINK_FORMAT);
    format!("#/{}?{q}&{v}", run.lab.id())
}

/// What importing `run` on the page of lab `here` does.
pub fn plan_import(here: &str, run: &Loaded) -> Import {
    if run.lab.id() == here {
        Import::Here {
            params: run.params.clone(),
            seed: run.seed,
            actions: run.actions.clone(),
            at: run.lab.timed().then_some(run.until),
        }
    } else {
        Import::Elsewhere { hash: link_of(run) }
    }
}

/// What the check of an imported file found.
#[derive(Clone, Debug, PartialEq)]
pub enum Check {
    Done(Verdict),
    /// Not replayed here: it would take about this many seconds.
    TooLong(f64),
    /// The engine could not write the replayed run's file (its words).
    Failed(String),
    /// The engine did not come to the file's moment in time (another run took its place).
    Unanswered,
}

/// What can be said of an imported file before the engine replays it: a lab that ends by itself
/// has no digest to compare (its figures are of the wall clock), and a run longer than
/// [`MAX_REPLAY_S`] is not replayed here. `None`: the engine checks it ([`check_made`]) once its
/// live run, which replays the file, is at the file's end.
pub fn check_first(run: &Loaded) -> Option<Check> {
    if !run.lab.timed() {
        return Some(Check::Done(Verdict::NoDigest));
    }
    match replay_estimate_s(run.lab, &run.params, run.until) {
        Some(est) if est > MAX_REPLAY_S => Some(Check::TooLong(est)),
        _ => None,
    }
}

/// The check of `run` against the file the engine wrote of its live run (`made`, see
/// [`crate::lab::host::Host::run_file`]); `None` while that is not the file's run at the file's end
/// (the page has not replayed it yet).
pub fn check_made(run: &Loaded, made: &RunFile) -> Option<Check> {
    let params = |v: &Value| run.lab.decode(v.clone()).ok();
    let same_run = made.lab == run.lab.id()
        && made.seed == run.seed
        && made.actions == run.actions
        && made.until.as_deref() == Some(replay::seconds_text(run.until).as_str())
        && params(&made.params).is_some()
        && params(&made.params) == params(&run.params);
    if !same_run {
        return None;
    }
    let replayed: u64 = made.digest.as_deref()?.parse().ok()?;
    Some(Check::Done(match run.digest {
        Some(file) if file == replayed => Verdict::Same(file),
        Some(file) => Verdict::Differs {
            file,
            replay: replayed,
        },
        None => Verdict::NoDigest,
    }))
}

/// What a check found, in `lang`.
pub fn check_text(lang: Lang, c: &Check) -> String {
    match c {
        Check::Done(Verdict::Same(d)) => fill(tr(lang, text::IMPORT_SAME), &[d.to_string()]),
        Check::Done(Verdict::Differs { file, replay }) => fill(
            tr(lang, text::IMPORT_DIFFERS),
            &[file.to_string(), replay.to_string()],
        ),
        Check::Done(Verdict::NoDigest) => tr(lang, text::IMPORT_NO_DIGEST).to_string(),
        Check::TooLong(s) => fill(
            tr(lang, text::IMPORT_UNCHECKED),
            &[crate::i18n::real(lang, s.ceil(), 0)],
        ),
        Check::Failed(e) => fill(
            tr(lang, text::IMPORT_REPLAY_FAILED),
            std::slice::from_ref(e),
        ),
        Check::Unanswered => tr(lang, text::IMPORT_UNANSWERED).to_string(),
    }
}

/// What is wrong with an action of a log, in `lang`.
pub fn describe_action_error(lang: Lang, e: &ActionError) -> String {
    let why = match &e.problem {
        ActionProblem::Shape => tr(lang, text::ACTION_SHAPE).to_string(),
        ActionProblem::Time => fill(tr(lang, text::ACTION_TIME), &[MAX_AT_S.to_string()]),
        ActionProblem::OutOfOrder { before } => fill(
            tr(lang, text::ACTION_OUT_OF_ORDER),
            &[replay::seconds_text(*before)],
        ),
        ActionProblem::TooMany => fill(tr(lang, text::ACTION_TOO_MANY), &[MAX_ACTIONS.to_string()]),
        ActionProblem::Syntax => tr(lang, text::ACTION_SYNTAX).to_string(),
        ActionProblem::Unknown(why) => {
            fill(tr(lang, text::ACTION_UNKNOWN), std::slice::from_ref(why))
        }
        ActionProblem::Knob(p) => describe_problem(lang, p),
        ActionProblem::NotLive => tr(lang, text::ACTION_NOT_LIVE).to_string(),
        ActionProblem::AfterEnd { until } => fill(
            tr(lang, text::ACTION_AFTER_END),
            &[replay::seconds_text(*until)],
        ),
        ActionProblem::NoActions => tr(lang, text::ACTION_NO_ACTIONS).to_string(),
    };
    fill(
        tr(lang, text::RUNFILE_ACTION),
        &[e.index.to_string(), e.text.clone(), why],
    )
}

fn field(lang: Lang, path: &str, message: String) -> String {
    fill(tr(lang, text::RUNFILE_FIELD), &[path.to_string(), message])
}

/// Why a run file is refused, in `lang`, naming the field at fault (in English, the command
/// line's words).
pub fn describe_run_file_error(lang: Lang, e: &RunFileError) -> String {
    match e {
        RunFileError::Json(m) => fill(tr(lang, text::RUNFILE_JSON), std::slice::from_ref(m)),
        RunFileError::NotARunFile => tr(lang, text::RUNFILE_NOT_RUN_FILE).to_string(),
        RunFileError::Newer { format } => fill(
            tr(lang, text::RUNFILE_NEWER),
            &[format.to_string(), RUN_FORMAT.to_string()],
        ),
        RunFileError::Field { path, message } => field(lang, path, message.clone()),
        RunFileError::UnknownLab(id) => field(
            lang,
            "lab",
            fill(
                tr(lang, text::RUNFILE_UNKNOWN_LAB),
                std::slice::from_ref(id),
            ),
        ),
        RunFileError::Params(m) => field(lang, "params", m.clone()),
        RunFileError::Until(m) => field(lang, "until", m.clone()),
        RunFileError::Actions(a) => field(lang, "actions", describe_action_error(lang, a)),
        RunFileError::Digest(d) => field(
            lang,
            "digest",
            fill(tr(lang, text::RUNFILE_DIGEST), std::slice::from_ref(d)),
        ),
    }
}

/// Why a replay stopped, in `lang`.
pub fn describe_replay_error(lang: Lang, e: &ReplayError) -> String {
    match e {
        ReplayError::Params(p) => field(lang, "params", describe_error(lang, p)),
        ReplayError::Actions(a) => field(lang, "actions", describe_action_error(lang, a)),
    }
}

/// Why a file is not imported, in `lang`.
pub fn describe_import_error(lang: Lang, e: &ImportError) -> String {
    match e {
        ImportError::File(e) => describe_run_file_error(lang, e),
        ImportError::Budget(p) => field(lang, "params", describe_error(lang, p)),
    }
}

#[cfg(target_arch = "wasm32")]
pub use view::RunExport;

#[cfg(target_arch = "wasm32")]
mod view;

#[cfg(test)]
mod tests;
