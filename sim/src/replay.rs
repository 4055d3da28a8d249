//! Recorded interventions: a run's **action log** (every fault, operator action and live knob
//! change, with the virtual time it happened at), its text form (the link's `actions=` part and
//! the command line's `--actions`), and **run files** (JSON: format version, lab, params, seed,
//! virtual time, action log, figures, digest) that the command line replays and checks.
//!
//! A run with actions is driven exactly as one without ([`crate::sweep::drive_with`]): before
//! each slice the actions due by its end are applied, each once the run has advanced to its time,
//! so however a run is stepped (the page's frames, the command line's slices) an action lands
//! between the same two events.
//!
//! Text form: actions separated by `;`, each `SECONDS:ACTION` where ACTION is a lab's verb as the
//! page's buttons name it (`add_consumer`, `crash_broker(1)`, `crash_node(node=2)`,
//! `step_back(all=true,ms=500)`) or a live knob change `set(rate_per_s=40)`. Times are virtual
//! seconds with at most nine decimals (exact nanoseconds), in order (equal times keep their order).

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};

use crate::kernel::model::ParamError;
use crate::kernel::query::Problem;
use crate::kernel::report::Leaf;
use crate::kernel::time::{Nanos, NS_PER_S};
use crate::labs::AnyLab;
use crate::sweep::{drive_with, Finished, Replay};

/// The link's key for the action log.
pub const ACTIONS_KEY: &str = "actions";
/// Most actions a log may hold (a run is bounded; so is what replays it).
pub const MAX_ACTIONS: usize = 1000;
/// Latest action time accepted, virtual seconds (the longest run: [`crate::sweep::MAX_UNTIL_S`]).
pub const MAX_AT_S: u64 = 10_000_000;

/// One recorded intervention.
#[derive(Clone, Debug, PartialEq)]
pub enum Act {
    /// A fault or operator action: the lab's verb as JSON (`"add_node"`, `{"crash_broker": 1}`).
    Verb(Value),
    /// A live knob took a new value (the knob's text form, as in a link).
    Set { key: String, value: String },
}

/// An intervention at a virtual time.
#[derive(Clone, Debug, PartialEq)]
pub struct Action {
    pub at: Nanos,
    pub act: Act,
}

/// A run's interventions, in time order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ActionLog {
    pub actions: Vec<Action>,
}

/// What is wrong with one action of a log.
#[derive(Clone, Debug, PartialEq)]
pub enum ActionProblem {
    /// Not `SECONDS:ACTION`.
    Shape,
    /// The time is not a number of seconds in `0..=MAX_AT_S` with at most nine decimals.
    Time,
    /// Earlier than the action before it (at this many nanoseconds).
    OutOfOrder { before: Nanos },
    /// More than [`MAX_ACTIONS`].
    TooMany,
    /// The action is not written as `name`, `name(value)` or `name(key=value,…)`.
    Syntax,
    /// The lab has no such action (serde's words, which list the ones it has).
    Unknown(String),
    /// The knob or its value is refused.
    Knob(Problem),
    /// The knob exists but cannot change while a run goes (changing it starts a new run).
    NotLive,
    /// After the run's end (virtual nanoseconds).
    AfterEnd { until: Nanos },
    /// The lab ends by itself and takes no actions while it runs.
    NoActions,
}

/// An action that cannot be taken: which (1-based), its text, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct ActionError {
    pub index: usize,
    pub text: String,
    pub problem: ActionProblem,
}

impl fmt::Display for ActionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "action {} `{}`: ", self.index, self.text)?;
        match &self.problem {
            ActionProblem::Shape => write!(f, "expected SECONDS:ACTION (e.g. `12.5:crash_broker(1)`)"),
            ActionProblem::Time => write!(
                f,
                "the time must be virtual seconds in 0..={MAX_AT_S} with at most 9 decimals"
            ),
            ActionProblem::OutOfOrder { before } => write!(
                f,
                "out of order: it comes before the previous action's time ({} s)",
                seconds_text(*before)
            ),
            ActionProblem::TooMany => write!(f, "a log holds at most {MAX_ACTIONS} actions"),
            ActionProblem::Syntax => write!(
                f,
                "expected `name`, `name(value)` or `name(key=value,…)`, or `set(knob=value)`"
            ),
            ActionProblem::Unknown(why) => write!(f, "unknown action: {why}"),
            ActionProblem::Knob(p) => write!(f, "{p}"),
            ActionProblem::NotLive => write!(
                f,
                "this knob cannot change while the run goes (a new value starts a new run): set it in the params"
            ),
            ActionProblem::AfterEnd { until } => {
                write!(f, "after the run's end ({} s)", seconds_text(*until))
            }
            ActionProblem::NoActions => {
                write!(f, "this lab ends by itself and takes no actions while it runs")
            }
        }
    }
}

impl std::error::Error for ActionError {}

/// Seconds as text: the fewest decimals that give back the exact nanoseconds.
pub fn seconds_text(ns: Nanos) -> String {
    let (s, frac) = (ns / NS_PER_S, ns % NS_PER_S);
    if frac == 0 {
        return s.to_string();
    }
    let f = format!("{frac:09}");
    format!("{s}.{}", f.trim_end_matches('0'))
}

/// Exact nanoseconds of a seconds text (`12`, `0.25`, `3.000000001`).
pub fn parse_seconds(t: &str) -> Option<Nanos> {
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || int.len() > 8 || !digits(int) || frac.len() > 9 || !digits(frac) {
        return None;
    }
    if t.contains('.') && frac.is_empty() {
        return None;
    }
    let s: u64 = int.parse().ok()?;
    let f: u64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<9}").parse().ok()?
    };
    (s <= MAX_AT_S && (s < MAX_AT_S || f == 0)).then_some(s * NS_PER_S + f)
}

/// A scalar of an action's arguments: a whole number, `true`/`false`, else text.
fn scalar(v: &str) -> Value {
    if let Ok(n) = v.parse::<u64>() {
        return Value::Number(Number::from(n));
    }
    match v {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => Value::String(v.to_string()),
    }
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// A name of an action or an argument: lower-case letters, digits, `_`, `.`.
fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.')
}

/// An argument value: no separator of the text form in it.
fn is_value(s: &str) -> bool {
    !s.is_empty() && !s.contains([';', ':', '(', ')', ',', '=', '&', ' '])
}

fn parse_act(text: &str) -> Option<Act> {
    let Some((name, rest)) = text.split_once('(') else {
        return is_name(text).then(|| Act::Verb(Value::String(text.to_string())));
    };
    let inner = rest.strip_suffix(')')?;
    if !is_name(name) {
        return None;
    }
    if name == "set" {
        let (key, value) = inner.split_once('=')?;
        return (is_name(key) && is_value(value)).then(|| Act::Set {
            key: key.to_string(),
            value: value.to_string(),
        });
    }
    if !inner.contains('=') {
        return is_value(inner).then(|| Act::Verb(single(name, scalar(inner))));
    }
    let mut fields = Map::new();
    for part in inner.split(',') {
        let (k, v) = part.split_once('=')?;
        if !is_name(k) || !is_value(v) || fields.insert(k.to_string(), scalar(v)).is_some() {
            return None;
        }
    }
    Some(Act::Verb(single(name, Value::Object(fields))))
}

fn single(name: &str, v: Value) -> Value {
    let mut m = Map::new();
    m.insert(name.to_string(), v);
    Value::Object(m)
}

impl fmt::Display for Act {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Act::Set { key, value } => write!(f, "set({key}={value})"),
            Act::Verb(Value::String(name)) => write!(f, "{name}"),
            Act::Verb(Value::Object(m)) if m.len() == 1 => {
                let (name, v) = m.iter().next().expect("one entry");
                match v {
                    Value::Object(fields) => {
                        let parts: Vec<String> = fields
                            .iter()
                            .map(|(k, v)| format!("{k}={}", scalar_text(v).unwrap_or_default()))
                            .collect();
                        write!(f, "{name}({})", parts.join(","))
                    }
                    v => write!(f, "{name}({})", scalar_text(v).unwrap_or_default()),
                }
            }
            Act::Verb(v) => write!(f, "{v}"),
        }
    }
}

impl ActionLog {
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    /// Reads the text form (an empty text is an empty log). Checks the shape and the order; what
    /// the actions mean is checked against a lab by [`ActionLog::check`].
    pub fn parse(text: &str) -> Result<Self, ActionError> {
        let mut actions: Vec<Action> = Vec::new();
        for (i, raw) in text
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .enumerate()
        {
            let err = |problem| ActionError {
                index: i + 1,
                text: raw.to_string(),
                problem,
            };
            if i >= MAX_ACTIONS {
                return Err(err(ActionProblem::TooMany));
            }
            let (t, act) = raw
                .split_once(':')
                .ok_or_else(|| err(ActionProblem::Shape))?;
            let at = parse_seconds(t.trim()).ok_or_else(|| err(ActionProblem::Time))?;
            if let Some(prev) = actions.last() {
                if at < prev.at {
                    return Err(err(ActionProblem::OutOfOrder { before: prev.at }));
                }
            }
            let act = parse_act(act.trim()).ok_or_else(|| err(ActionProblem::Syntax))?;
            actions.push(Action { at, act });
        }
        Ok(Self { actions })
    }

    /// Checks every action against `lab` (run with `params` to `until`): known verbs, live knobs
    /// with allowed values, times before the end.
    pub fn check(&self, lab: &dyn AnyLab, params: &Value, until: Nanos) -> Result<(), ActionError> {
        let mut p = params.clone();
        for (i, a) in self.actions.iter().enumerate() {
            let err = |problem| ActionError {
                index: i + 1,
                text: a.to_string(),
                problem,
            };
            if !lab.timed() {
                return Err(err(ActionProblem::NoActions));
            }
            if a.at > until {
                return Err(err(ActionProblem::AfterEnd { until }));
            }
            match &a.act {
                Act::Verb(v) => lab
                    .check_verb(v)
                    .map_err(|e| err(ActionProblem::Unknown(e)))?,
                Act::Set { key, value } => {
                    p = lab
                        .set(&p, key, value)
                        .map_err(|e| err(ActionProblem::Knob(e)))?;
                    if !lab.knobs().iter().any(|k| &k.key == key && k.live) {
                        return Err(err(ActionProblem::NotLive));
                    }
                }
            }
        }
        Ok(())
    }

    /// Appends `action` if it keeps the log in order and within [`MAX_ACTIONS`].
    pub fn push(&mut self, action: Action) -> bool {
        let ordered = self.actions.last().is_none_or(|l| l.at <= action.at);
        let ok = ordered && self.actions.len() < MAX_ACTIONS;
        if ok {
            self.actions.push(action);
        }
        ok
    }

    /// Drops the actions after `t` (a fork of the history at `t`); returns them.
    pub fn cut_after(&mut self, t: Nanos) -> Vec<Action> {
        let keep = self.actions.partition_point(|a| a.at <= t);
        self.actions.split_off(keep)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", seconds_text(self.at), self.act)
    }
}

impl fmt::Display for ActionLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.actions.iter().enumerate() {
            if i > 0 {
                f.write_str(";")?;
            }
            write!(f, "{a}")?;
        }
        Ok(())
    }
}

impl Serialize for ActionLog {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for ActionLog {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        ActionLog::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// The run file format this version writes, and the newest it reads.
pub const RUN_FORMAT: u32 = 1;

/// A run that left the page (or the command line): enough to replay it exactly, and what it gave.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunFile {
    /// [`RUN_FORMAT`] when written.
    pub format: u32,
    /// The registered lab's id.
    pub lab: String,
    pub seed: u64,
    /// Virtual seconds the run went to (labs that run as long as they are told), exact text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// The params, every field.
    pub params: Value,
    /// The interventions, in the text form.
    #[serde(default, skip_serializing_if = "ActionLog::is_empty")]
    pub actions: ActionLog,
    /// The run's figures when it was written (for reading; the digest is what is checked).
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub metrics: Value,
    /// The run's digest, as decimal text (exact in every JSON reader, JavaScript's too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

/// Why a run file cannot be replayed.
#[derive(Clone, Debug, PartialEq)]
pub enum RunFileError {
    /// Not JSON (a truncated file, say): serde's words, with the line and column.
    Json(String),
    /// JSON, but with no `format` number: not a run file.
    NotARunFile,
    /// Written by a newer flowlab.
    Newer {
        format: u64,
    },
    /// A field is missing, unknown or of the wrong kind.
    Field {
        path: String,
        message: String,
    },
    UnknownLab(String),
    /// The params are refused (the field and the allowed range).
    Params(String),
    /// `until` is not virtual seconds in the allowed range, or is given to a lab that runs to its
    /// own end, or missing for one that runs as long as it is told.
    Until(String),
    Actions(ActionError),
    /// `digest` is not a decimal number.
    Digest(String),
}

impl fmt::Display for RunFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunFileError::Json(e) => write!(f, "not readable JSON (cut short?): {e}"),
            RunFileError::NotARunFile => {
                write!(f, "not a flowlab run file: it has no `format` number")
            }
            RunFileError::Newer { format } => write!(
                f,
                "written by a newer flowlab (run file format {format}; this one reads up to {RUN_FORMAT})"
            ),
            RunFileError::Field { path, message } => write!(f, "field `{path}`: {message}"),
            RunFileError::UnknownLab(id) => write!(f, "field `lab`: unknown lab `{id}`"),
            RunFileError::Params(e) => write!(f, "field `params`: {e}"),
            RunFileError::Until(e) => write!(f, "field `until`: {e}"),
            RunFileError::Actions(e) => write!(f, "field `actions`: {e}"),
            RunFileError::Digest(d) => {
                write!(f, "field `digest`: `{d}` is not a whole number in 0..2^64")
            }
        }
    }
}

impl std::error::Error for RunFileError {}

/// A run file, read and checked: what to run.
#[derive(Clone)]
pub struct Loaded {
    pub lab: &'static dyn AnyLab,
    pub params: Value,
    pub seed: u64,
    /// Virtual time to run to (0 for labs that run to their own end).
    pub until: Nanos,
    pub actions: ActionLog,
    pub digest: Option<u64>,
}

impl RunFile {
    /// Reads a run file's text: its format first (a newer one is refused before its fields are
    /// looked at), then its fields.
    pub fn read(text: &str) -> Result<Self, RunFileError> {
        let v: Value = serde_json::from_str(text).map_err(|e| RunFileError::Json(e.to_string()))?;
        let format = v
            .get("format")
            .and_then(Value::as_u64)
            .ok_or(RunFileError::NotARunFile)?;
        if format > u64::from(RUN_FORMAT) {
            return Err(RunFileError::Newer { format });
        }
        serde_path_to_error::deserialize(v).map_err(|e| RunFileError::Field {
            path: e.path().to_string(),
            message: e.inner().to_string(),
        })
    }

    /// Checks the file against the registry: the lab, its params, the time, the actions.
    pub fn load(&self) -> Result<Loaded, RunFileError> {
        let lab = crate::labs::by_id(&self.lab)
            .ok_or_else(|| RunFileError::UnknownLab(self.lab.clone()))?;
        // What was renamed since the file was written goes to its name of today.
        let mut params = self.params.clone();
        crate::migrate::params_in(crate::migrate::RENAMES, lab.id(), self.format, &mut params);
        let mut actions = self.actions.clone();
        crate::migrate::log_in(crate::migrate::RENAMES, lab.id(), self.format, &mut actions);
        let params = lab.decode(params).map_err(|e| {
            RunFileError::Params(match e {
                crate::labs::DecodeError::Shape { path, message } => format!("{path}: {message}"),
                crate::labs::DecodeError::Invalid(e) => e.to_string(),
            })
        })?;
        let until = match (lab.timed(), &self.until) {
            (true, Some(t)) => parse_seconds(t).filter(|&ns| ns > 0).ok_or_else(|| {
                RunFileError::Until(format!(
                    "`{t}` is not virtual seconds in 0 < T <= {MAX_AT_S} with at most 9 decimals"
                ))
            })?,
            (true, None) => {
                return Err(RunFileError::Until(format!(
                    "missing: {} runs as long as it is told",
                    lab.id()
                )))
            }
            (false, Some(_)) => {
                return Err(RunFileError::Until(format!(
                    "{} runs to its own end: leave `until` out",
                    lab.id()
                )))
            }
            (false, None) => 0,
        };
        actions
            .check(lab, &params, until)
            .map_err(RunFileError::Actions)?;
        let digest = match &self.digest {
            None => None,
            Some(d) => Some(d.parse().map_err(|_| RunFileError::Digest(d.clone()))?),
        };
        Ok(Loaded {
            lab,
            params,
            seed: self.seed,
            until,
            actions,
            digest,
        })
    }
}

/// Why a run could not be replayed.
#[derive(Clone, Debug, PartialEq)]
pub enum ReplayError {
    /// The params are refused (a run file's are checked by [`RunFile::load`] first).
    Params(ParamError),
    /// An action could not be taken (a knob the run refused to change).
    Actions(ActionError),
}

impl fmt::Display for ReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplayError::Params(e) => write!(f, "field `params`: {e}"),
            ReplayError::Actions(e) => write!(f, "field `actions`: {e}"),
        }
    }
}

impl std::error::Error for ReplayError {}

/// Runs `lab` with `params` and `seed` to `until` (labs that end by themselves: to their end),
/// applying `log`'s actions, exactly as `flowlab run` makes every run ([`drive_with`]).
pub fn replay(
    lab: &dyn AnyLab,
    params: &Value,
    seed: u64,
    until: Nanos,
    log: &ActionLog,
    progress: &mut dyn FnMut(u64),
) -> Result<Finished, ReplayError> {
    let mut sim = lab.start(params, seed).map_err(ReplayError::Params)?;
    drive_with(lab, &mut *sim, until, Replay { params, log }, progress)
        .map_err(ReplayError::Actions)
}

/// A finished run's figures, nested by their dotted paths, as the command line prints them:
/// timed labs' `virtual_s`, every figure of the report (latencies expanded to `_p50_ms` …
/// `_max_ms`), and for labs that check at rest `final.quiet` and the figures at rest. A number
/// that is not finite is `null`.
pub fn figures_json(done: &Finished, timed: bool) -> Value {
    let num = |x: f64| Number::from_f64(x).map_or(Value::Null, Value::Number);
    let mut leaves: Vec<(String, Value)> = Vec::new();
    if timed {
        leaves.push(("virtual_s".into(), num(done.now as f64 / NS_PER_S as f64)));
    }
    let of = |l: Leaf| match l {
        Leaf::U(u) => Value::Number(u.into()),
        Leaf::F(x) => num(x),
        Leaf::B(b) => Value::Bool(b),
    };
    leaves.extend(done.figures.leaves().into_iter().map(|(p, l)| (p, of(l))));
    if let Some((quiet, finals)) = &done.at_rest {
        leaves.push(("final.quiet".into(), Value::Bool(*quiet)));
        leaves.extend(finals.leaves().into_iter().map(|(p, l)| (p, of(l))));
    }
    let mut root = Map::new();
    for (path, v) in leaves {
        let parts: Vec<&str> = path.split('.').collect();
        nest(&mut root, &parts, v);
    }
    Value::Object(root)
}

/// Puts `v` at `path` in `map`, making the groups on the way. A figure and a group of the same
/// name: the first one recorded stays.
fn nest(map: &mut Map<String, Value>, path: &[&str], v: Value) {
    match path {
        [] => {}
        [last] => {
            map.entry(last.to_string()).or_insert(v);
        }
        [group, rest @ ..] => {
            let entry = map
                .entry(group.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(m) = entry {
                nest(m, rest, v);
            }
        }
    }
}

impl RunFile {
    /// The run file of a run of `lab` with `params`, `seed`, `until` and `log` that finished as
    /// `done` (a [`replay`] of them): every field, the figures, and (timed labs, whose digest
    /// does not depend on the wall clock) the digest. The command line's `--save-run` and the
    /// page's export both write their files with it.
    pub fn of_run(
        lab: &dyn AnyLab,
        params: &Value,
        seed: u64,
        until: Nanos,
        log: &ActionLog,
        done: &Finished,
    ) -> Self {
        let timed = lab.timed();
        RunFile {
            format: RUN_FORMAT,
            lab: lab.id().to_string(),
            seed,
            until: timed.then(|| seconds_text(until)),
            params: params.clone(),
            actions: if timed {
                log.clone()
            } else {
                ActionLog::default()
            },
            metrics: figures_json(done, timed),
            digest: timed.then(|| done.digest.to_string()),
        }
    }

    /// Replays the run ([`replay`]) and writes it as a run file ([`RunFile::of_run`]).
    pub fn record(
        lab: &dyn AnyLab,
        params: &Value,
        seed: u64,
        until: Nanos,
        log: &ActionLog,
    ) -> Result<Self, ReplayError> {
        let done = replay(lab, params, seed, until, log, &mut |_| {})?;
        Ok(Self::of_run(lab, params, seed, until, log, &done))
    }
}

/// What a replay of a run file gave, against the digest the file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The replay's digest is the file's.
    Same(u64),
    /// Not the same run: the file's digest and the replay's.
    Differs { file: u64, replay: u64 },
    /// Nothing to compare: the file holds no digest (a lab that ends by itself reports
    /// wall-clock figures, and writes none).
    NoDigest,
}

impl Loaded {
    /// Replays the run ([`replay`]).
    pub fn replay(&self, progress: &mut dyn FnMut(u64)) -> Result<Finished, ReplayError> {
        replay(
            self.lab,
            &self.params,
            self.seed,
            self.until,
            &self.actions,
            progress,
        )
    }

    /// The file's digest against a replay's `done`.
    pub fn verdict(&self, done: &Finished) -> Verdict {
        match (self.digest, self.lab.timed()) {
            (Some(file), true) if file == done.digest => Verdict::Same(file),
            (Some(file), true) => Verdict::Differs {
                file,
                replay: done.digest,
            },
            _ => Verdict::NoDigest,
        }
    }
}

#[cfg(test)]
mod tests;
