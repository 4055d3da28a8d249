//! Graded challenges: a challenge is data (a lab, a fixed setup, limits on what the user may change,
//! a run length, goals on the lab's report, a price for the stars, causes for the debrief and a
//! reference solution), graded by one generic function, [`check`], written against the registry
//! ([`crate::labs::AnyLab`]) and so the same for every lab, on the command line and in the page.
//!
//! Words: a challenge carries its English (the command line prints it) and text ids for the page,
//! all derived from its id: `challenge.<id>.title`, `.story`, `.goal.<goal>`, `.cause.<cause>`,
//! `.price` ([`Challenge::text_ids`]). The page's tables hold both languages of each.

mod cache;
mod chat;
mod flash_sale;
mod limiter;
mod queue;
mod snowflake;

use serde::Serialize;
use serde_json::Value;

use crate::kernel::cost::PAGE_BUDGET_BYTES;
use crate::kernel::knobs::leaf;
use crate::kernel::lab::Extent;
use crate::kernel::model::{Advance, Bound, ParamError, Rule};
use crate::kernel::report::Leaf;
use crate::kernel::time::{Nanos, NS_PER_MS, NS_PER_S};
use crate::labs::{self, AnyLab, DecodeError};

/// One knob set by its dotted key and its value as text (as in a link or `--set`).
pub type Set = (&'static str, &'static str);

/// A graded challenge.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Challenge {
    /// `<lab>.<name>` (`queue.leader_crash`).
    pub id: &'static str,
    /// Registry id of its lab.
    pub lab: &'static str,
    /// English title (text id `challenge.<id>.title`).
    pub title: &'static str,
    /// English story: the situation and what to do (text id `challenge.<id>.story`).
    pub story: &'static str,
    /// The part of the setup the user cannot change, over the lab's defaults.
    pub fixed: &'static [Set],
    /// Bounds on knobs the user may change.
    pub limits: &'static [Limit],
    /// Virtual milliseconds a run lasts (labs that run as long as told; others run to their end).
    pub run_ms: u64,
    /// What the run must achieve, checked in order; the first that fails is debriefed.
    pub goals: &'static [Goal],
    /// How cheaply the goals are met: the stars.
    pub price: Price,
    /// A solution that passes (over the fixed setup).
    pub reference: &'static [Set],
    /// The seed a check uses unless told another.
    pub seed: u64,
}

/// What a knob the user may change must satisfy.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Limit {
    pub key: &'static str,
    pub allowed: Allowed,
}

#[derive(Clone, Copy, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Allowed {
    /// A number in `lo..=hi`.
    Range { lo: f64, hi: f64 },
    /// One of these values (a choice or a switch, as text).
    OneOf(&'static [&'static str]),
}

/// A number taken from a run.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "from", content = "key")]
pub enum Src {
    /// A figure of the report at its dotted path (`final.lost`, `token_bucket.accepted`, a latency
    /// as `e2e_latency_p99_ms`); `{key}` in a path is that param's value (`{backwards}.duplicates`
    /// reads the lane of the policy chosen).
    Metric(&'static str),
    /// A figure of the report divided by the run's length in seconds.
    PerSecond(&'static str),
    /// A param's value (a switch as 0 or 1).
    Param(&'static str),
    /// One figure of the report divided by another (`accepted` of `arrived`).
    Share(&'static str, &'static str),
}

/// A comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Op {
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = "==")]
    Eq,
}

impl Op {
    pub fn holds(self, a: f64, b: f64) -> bool {
        match self {
            Op::Le => a <= b,
            Op::Lt => a < b,
            Op::Ge => a >= b,
            Op::Gt => a > b,
            Op::Eq => a == b,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Op::Le => "<=",
            Op::Lt => "<",
            Op::Ge => ">=",
            Op::Gt => ">",
            Op::Eq => "==",
        }
    }
}

/// What the run must achieve.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Goal {
    /// Short id within the challenge (`no_loss`); text id `challenge.<id>.goal.<goal>`.
    pub id: &'static str,
    /// English.
    pub text: &'static str,
    pub figure: Src,
    pub op: Op,
    pub threshold: f64,
    /// Why it may fail, most specific first; the first whose conditions all hold is the debrief's
    /// (the last should have none).
    pub causes: &'static [Cause],
}

/// A likely cause of a failed goal, told from the run's own counters.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Cause {
    /// Short id within the challenge; text id `challenge.<id>.cause.<cause>`.
    pub id: &'static str,
    /// English, one sentence; `{0}`, `{1}` ... are the numbers of `args`.
    pub text: &'static str,
    /// When it applies: every condition holds.
    pub when: &'static [Cond],
    /// The numbers the sentence quotes.
    pub args: &'static [Src],
}

/// A condition on a run.
#[derive(Clone, Copy, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cond {
    /// A number compared to a threshold.
    Is(Src, Op, f64),
    /// A choice (or switch, `"true"`/`"false"`) param has this value.
    Param(&'static str, &'static str),
}

/// How cheaply the goals are met. When `three <= two` lower is better: three stars at most `three`,
/// two at most `two`, else one; when `three > two` higher is better: three stars at least `three`,
/// two at least `two`.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Price {
    /// English name of what is counted (text id `challenge.<id>.price`).
    pub text: &'static str,
    pub figure: Src,
    pub three: f64,
    pub two: f64,
}

impl Price {
    /// Higher figures are better (else lower).
    pub fn higher_is_better(&self) -> bool {
        self.three > self.two
    }

    /// `p` is at least as good as `bound`.
    fn better(&self, p: f64, bound: f64) -> bool {
        if self.higher_is_better() {
            p >= bound
        } else {
            p <= bound
        }
    }
}

/// The outcome of one goal.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GoalResult {
    pub id: &'static str,
    /// Text id of its words.
    pub text_id: String,
    /// English.
    pub text: &'static str,
    pub figure_of: Src,
    /// The figure, if the run reported it.
    pub figure: Option<f64>,
    pub op: Op,
    pub threshold: f64,
    pub ok: bool,
}

/// Why the first failed goal failed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Debrief {
    pub goal: &'static str,
    pub figure: Option<f64>,
    pub op: Op,
    pub threshold: f64,
    /// Text id of the cause's sentence.
    pub cause: String,
    /// The numbers it quotes (a missing one as NaN, serialised as null).
    pub args: Vec<f64>,
    /// The sentence in English, numbers filled in.
    pub text: String,
}

/// A graded run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Verdict {
    pub challenge: &'static str,
    pub seed: u64,
    pub passed: bool,
    pub goals: Vec<GoalResult>,
    /// The price figure (what the stars count).
    pub price: Option<f64>,
    /// 1–3 when passed, 0 when not.
    pub stars: u8,
    /// For the first failed goal.
    pub debrief: Option<Debrief>,
}

/// The most work units a graded run may take (several times the costliest reference solution): a
/// run of params the limits still allow but that would take minutes is refused instead.
pub const MAX_WORK: u64 = 60_000_000;

/// Text ids of the refusals a check gives (the page's tables hold them).
pub const RULE_FIXED: &str = "challenge.rule.fixed";
pub const RULE_ONE_OF: &str = "challenge.rule.one_of";
pub const RULE_TOO_LONG: &str = "challenge.rule.too_long";

/// Every challenge, lab by lab.
pub fn all() -> Vec<&'static Challenge> {
    [
        limiter::ALL,
        queue::ALL,
        chat::ALL,
        flash_sale::ALL,
        cache::ALL,
        snowflake::ALL,
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The challenge with this id.
pub fn by_id(id: &str) -> Option<&'static Challenge> {
    all().into_iter().find(|c| c.id == id)
}

/// The challenges of lab `lab`.
pub fn of_lab(lab: &str) -> Vec<&'static Challenge> {
    all().into_iter().filter(|c| c.lab == lab).collect()
}

impl Challenge {
    /// Text id of a part: `challenge.<id>.<part>`.
    pub fn text_id(&self, part: &str) -> String {
        format!("challenge.{}.{part}", self.id)
    }

    /// Every text id of this challenge and its English: title, story, goals, causes, price.
    pub fn text_ids(&self) -> Vec<(String, &'static str)> {
        let mut out = vec![
            (self.text_id("title"), self.title),
            (self.text_id("story"), self.story),
            (self.text_id("price"), self.price.text),
        ];
        for g in self.goals {
            out.push((self.text_id(&format!("goal.{}", g.id)), g.text));
            for c in g.causes {
                out.push((self.text_id(&format!("cause.{}", c.id)), c.text));
            }
        }
        out.sort();
        out.dedup();
        out
    }

    fn registered(&self) -> &'static dyn AnyLab {
        labs::by_id(self.lab).expect("a challenge names a registered lab")
    }

    /// The lab's defaults under the fixed setup.
    pub fn setup(&self) -> Result<Value, ParamError> {
        apply(self.registered(), self.registered().defaults(), self.fixed)
    }

    /// The reference solution: the setup with the reference's knobs.
    pub fn reference_params(&self) -> Result<Value, ParamError> {
        apply(self.registered(), self.setup()?, self.reference)
    }

    /// The params to run for `user` (a whole or partial params object over the setup): refused
    /// when they cannot be read, change a fixed knob, or break a limit (the message names the knob
    /// and what is allowed).
    pub fn admit(&self, user: &Value) -> Result<Value, ParamError> {
        let lab = self.registered();
        let setup = self.setup()?;
        if !user.is_object() {
            return Err(ParamError::new(
                "params",
                shape_of(user),
                "an object of params",
            ));
        }
        let mut merged = setup.clone();
        merge(&mut merged, user.clone());
        let params = lab.decode(merged).map_err(|e| match e {
            DecodeError::Shape { path, message } => {
                let path = if path.is_empty() || path == "." {
                    "params".to_string()
                } else {
                    path
                };
                ParamError::new(path, "", message)
            }
            DecodeError::Invalid(e) => e,
        })?;
        for (key, _) in self.fixed {
            let want = leaf(&setup, key);
            let got = leaf(&params, key);
            if want != got {
                let want = want.map(text_of).unwrap_or_default();
                return Err(ParamError::rule(
                    *key,
                    got.map(text_of).unwrap_or_default(),
                    RULE_FIXED,
                    vec![want.clone()],
                    format!("fixed by this challenge at {want}"),
                ));
            }
        }
        for l in self.limits {
            let got = leaf(&params, l.key).expect("a limit names a knob");
            match l.allowed {
                Allowed::Range { lo, hi } => {
                    let x = got.as_f64().unwrap_or(f64::NAN);
                    if !(lo..=hi).contains(&x) {
                        return Err(ParamError::with_rule(
                            l.key,
                            text_of(got),
                            Rule::Range {
                                lo: Bound::Num(plain(lo)),
                                hi: Bound::Num(plain(hi)),
                            },
                        ));
                    }
                }
                Allowed::OneOf(values) => {
                    if !values.contains(&text_of(got).as_str()) {
                        let list = values.join(", ");
                        return Err(ParamError::rule(
                            l.key,
                            text_of(got),
                            RULE_ONE_OF,
                            vec![list.clone()],
                            format!("one of {list} in this challenge"),
                        ));
                    }
                }
            }
        }
        let cost = lab
            .cost(&params)
            .map_err(|_| ParamError::new("params", "", "params the lab can read"))?;
        cost.admit(&params, PAGE_BUDGET_BYTES)?;
        Ok(params)
    }
}

/// `base` with each `key = value` set through the lab's own parsing.
fn apply(lab: &dyn AnyLab, base: Value, sets: &[Set]) -> Result<Value, ParamError> {
    let mut v = base;
    for (key, text) in sets {
        v = lab
            .set(&v, key, text)
            .map_err(|p| ParamError::new(*key, *text, format!("{p:?}")))?;
    }
    Ok(v)
}

fn merge(into: &mut Value, from: Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get_mut(&k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        a.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

fn shape_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a switch",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// A leaf as text: strings without quotes.
fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A number as people read it in English: thousands separated by commas, whole from 100 up, at
/// most two decimals from 1 and three below ("12,400", "1,014", "2.5", "0.967").
pub fn fmt_num(x: f64) -> String {
    if !x.is_finite() {
        return "?".to_string();
    }
    let decimals = match x.abs() {
        a if a >= 100.0 => 0,
        a if a >= 1.0 => 2,
        _ => 3,
    };
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let frac = frac.trim_end_matches('0');
    let mut out = String::new();
    if x < 0.0 && !s.trim_matches(['0', '.']).is_empty() {
        out.push('-');
    }
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    out
}

/// A bound as the labs' own range messages write it (`1..=100000`).
fn plain(x: f64) -> String {
    if x == x.trunc() && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// Runs `params` (admitted) of `lab` for `run_ms` (or to its end) and returns every figure as
/// (path, number): at rest for labs whose checks need it.
fn run(
    lab: &dyn AnyLab,
    params: &Value,
    seed: u64,
    run_ms: u64,
    max_work: u64,
) -> Result<Vec<(String, f64)>, ParamError> {
    let mut sim = lab.start(params, seed)?;
    let too_long = |work: u64| {
        ParamError::rule(
            "the run",
            format!("{} events", fmt_num(work as f64)),
            RULE_TOO_LONG,
            vec![max_work.to_string()],
            format!("a graded run takes at most {max_work} events: make the params smaller"),
        )
    };
    const SLICE: u64 = 1 << 20;
    let report = match sim.extent() {
        Extent::Timed => {
            let until: Nanos = run_ms.saturating_mul(NS_PER_MS);
            loop {
                let budget = SLICE.min(max_work.saturating_sub(sim.work()) + 1);
                let done = sim.advance_to(until, budget) == Advance::Reached;
                if sim.work() > max_work {
                    return Err(too_long(sim.work()));
                }
                if done {
                    break;
                }
            }
            let mut r = sim.figures();
            if lab.checks_at_rest() {
                // The figures at the end of the run, then the exact checks once quiet.
                sim.quiesce(600 * NS_PER_S);
                let finals = sim.final_figures().since(r.figures.len());
                r.figures.extend(finals.figures);
            }
            r
        }
        Extent::Items { .. } => {
            loop {
                let budget = SLICE.min(max_work.saturating_sub(sim.work()) + 1);
                let done = sim.advance(budget) == Advance::Reached;
                if sim.work() > max_work {
                    return Err(too_long(sim.work()));
                }
                if done {
                    break;
                }
            }
            sim.figures()
        }
    };
    Ok(report
        .leaves()
        .into_iter()
        .filter_map(|(p, l)| match l {
            Leaf::B(b) => Some((p, u64::from(b) as f64)),
            l => l.as_f64().map(|x| (p, x)),
        })
        .collect())
}

#[derive(Clone)]
struct Run<'a> {
    figures: Vec<(String, f64)>,
    params: &'a Value,
    run_s: f64,
}

impl Run<'_> {
    /// `path` with each `{key}` replaced by that param's value (a lane named after a choice).
    fn path(&self, path: &str) -> String {
        let mut out = String::new();
        let mut rest = path;
        while let Some(i) = rest.find('{') {
            out.push_str(&rest[..i]);
            let Some(j) = rest[i..].find('}') else { break };
            let key = &rest[i + 1..i + j];
            out.push_str(&leaf(self.params, key).map(text_of).unwrap_or_default());
            rest = &rest[i + j + 1..];
        }
        out.push_str(rest);
        out
    }

    fn metric(&self, path: &str) -> Option<f64> {
        let p = self.path(path);
        self.figures.iter().find(|(k, _)| *k == p).map(|&(_, x)| x)
    }

    fn get(&self, src: Src) -> Option<f64> {
        let metric = |p: &str| self.metric(p);
        match src {
            Src::Metric(p) => metric(p),
            Src::PerSecond(p) => metric(p).map(|x| x / self.run_s),
            Src::Share(a, b) => match (metric(a), metric(b)) {
                (Some(a), Some(b)) if b > 0.0 => Some(a / b),
                _ => None,
            },
            Src::Param(k) => match leaf(self.params, k)? {
                Value::Bool(b) => Some(u64::from(*b) as f64),
                v => v.as_f64(),
            },
        }
    }

    fn holds(&self, c: &Cond) -> bool {
        match *c {
            Cond::Is(src, op, x) => self.get(src).is_some_and(|v| op.holds(v, x)),
            Cond::Param(k, want) => leaf(self.params, k).is_some_and(|v| text_of(v) == want),
        }
    }
}

/// Grades `user` params (a whole or partial params object of the challenge's lab) on `seed`:
/// refused (naming the knob and what is allowed) if they change the fixed setup or break a limit.
/// Deterministic: the same params and seed give the same verdict everywhere.
pub fn check(ch: &Challenge, user: &Value, seed: u64) -> Result<Verdict, ParamError> {
    let params = ch.admit(user)?;
    let lab = ch.registered();
    let figures = run(lab, &params, seed, ch.run_ms, MAX_WORK)?;
    let r = Run {
        figures,
        params: &params,
        run_s: ch.run_ms as f64 / 1e3,
    };
    let goals: Vec<GoalResult> = ch
        .goals
        .iter()
        .map(|g| {
            let figure = r.get(g.figure);
            GoalResult {
                id: g.id,
                text_id: ch.text_id(&format!("goal.{}", g.id)),
                text: g.text,
                figure_of: g.figure,
                figure,
                op: g.op,
                threshold: g.threshold,
                ok: figure.is_some_and(|x| g.op.holds(x, g.threshold)),
            }
        })
        .collect();
    let passed = goals.iter().all(|g| g.ok);
    let price = r.get(ch.price.figure);
    let stars = match (passed, price) {
        (false, _) => 0,
        (true, Some(p)) if ch.price.better(p, ch.price.three) => 3,
        (true, Some(p)) if ch.price.better(p, ch.price.two) => 2,
        (true, _) => 1,
    };
    let debrief = ch
        .goals
        .iter()
        .zip(&goals)
        .find(|(_, res)| !res.ok)
        .map(|(g, res)| {
            let cause = g
                .causes
                .iter()
                .find(|c| c.when.iter().all(|w| r.holds(w)))
                .or(g.causes.last());
            let (id, text, args) = match cause {
                Some(c) => {
                    let args: Vec<f64> = c
                        .args
                        .iter()
                        .map(|&s| r.get(s).unwrap_or(f64::NAN))
                        .collect();
                    (
                        ch.text_id(&format!("cause.{}", c.id)),
                        fill(c.text, &args),
                        args,
                    )
                }
                None => (String::new(), String::new(), Vec::new()),
            };
            Debrief {
                goal: g.id,
                figure: res.figure,
                op: g.op,
                threshold: g.threshold,
                cause: id,
                args,
                text,
            }
        });
    Ok(Verdict {
        challenge: ch.id,
        seed,
        passed,
        goals,
        price,
        stars,
        debrief,
    })
}

/// `text` with `{0}`, `{1}` ... replaced by the numbers.
pub fn fill(text: &str, args: &[f64]) -> String {
    let mut out = text.to_string();
    for (i, a) in args.iter().enumerate() {
        out = out.replace(&format!("{{{i}}}"), &fmt_num(*a));
    }
    out
}

#[cfg(test)]
mod tests;
