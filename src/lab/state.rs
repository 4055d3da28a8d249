//! A lab page's reproducible state (params, seed, preset) and its reducer: plain Rust, tested
//! natively. The URL holds the state: reading it applies every key, then checks the result once
//! (so keys bound to each other round-trip in any order); writing it puts the seed, the preset
//! while the params are still the preset's, and what differs from the base.

use std::rc::Rc;

use flowlab_sim::kernel::cost::PAGE_BUDGET_BYTES;
use flowlab_sim::kernel::knobs::Knobs;
use flowlab_sim::kernel::lab::Lab;
use flowlab_sim::kernel::model::Validate;
use flowlab_sim::kernel::preset::Preset;
use flowlab_sim::kernel::time::NS_PER_S;
use flowlab_sim::migrate;
use flowlab_sim::replay::{self, ActionLog, ACTIONS_KEY};
use flowlab_sim::sweep::{Sweep, SweepError};

use crate::url_state::{self, Problem};

/// What a link reproduces.
pub struct LabState<L: Lab> {
    pub params: L::Params,
    pub seed: u64,
    /// The preset last loaded (its "what to watch" sentence stays on screen).
    pub preset: Option<&'static str>,
    /// Problems found in the URL at load.
    pub url_problems: Vec<Problem>,
    /// The last input that could not be applied.
    pub input_problem: Option<Problem>,
    /// Bumped whenever the run must be rebuilt.
    pub generation: u64,
    /// Bumped when a live knob changed (the run applies it without a rebuild); its key.
    pub live: Option<(u64, String)>,
    /// The sweep in the link (the sweep panel's definition), and what was wrong with the link's.
    pub sweep: Option<Sweep>,
    pub sweep_problem: Option<SweepError>,
    /// Bumped when the sweep panel must start its sweep (a link with a sweep was opened, or a
    /// preset's "across 50 seeds" was pressed).
    pub sweep_go: u64,
    /// The graded challenge the page is in (`challenge=<id>` in the link).
    pub challenge: Option<&'static str>,
    /// The guided tour's step the page is at (`tour=<n>` in the link, 1-based there).
    pub tour: Option<usize>,
    /// A tour's step asks the run of this generation to go to this virtual time (ns) and pause.
    pub pause_at: Option<(u64, u64)>,
    /// The params the run started with: the link's (`params` is what the form shows, live knob
    /// changes included; those are in `actions`).
    pub run_params: L::Params,
    /// The run's interventions (`actions=` in the link): the next rebuild replays them; whatever
    /// starts a fresh run (a new seed, a knob that is not live, a preset, Reset) clears them. The
    /// engine reports the log as it records it ([`Action::RunLog`]).
    pub actions: ActionLog,
    /// B's params while comparing A with B (`b=` in the link: what differs from A's).
    pub compare: Option<L::Params>,
}

// By hand: a derive would ask the lab type itself to be `Clone` and `PartialEq`.
impl<L: Lab> Clone for LabState<L> {
    fn clone(&self) -> Self {
        Self {
            params: self.params.clone(),
            seed: self.seed,
            preset: self.preset,
            url_problems: self.url_problems.clone(),
            input_problem: self.input_problem.clone(),
            generation: self.generation,
            live: self.live.clone(),
            sweep: self.sweep.clone(),
            sweep_problem: self.sweep_problem.clone(),
            sweep_go: self.sweep_go,
            challenge: self.challenge,
            tour: self.tour,
            pause_at: self.pause_at,
            run_params: self.run_params.clone(),
            actions: self.actions.clone(),
            compare: self.compare.clone(),
        }
    }
}

impl<L: Lab> PartialEq for LabState<L> {
    fn eq(&self, o: &Self) -> bool {
        self.params == o.params
            && self.seed == o.seed
            && self.preset == o.preset
            && self.url_problems == o.url_problems
            && self.input_problem == o.input_problem
            && self.generation == o.generation
            && self.live == o.live
            && self.sweep == o.sweep
            && self.sweep_problem == o.sweep_problem
            && self.sweep_go == o.sweep_go
            && self.challenge == o.challenge
            && self.tour == o.tour
            && self.pause_at == o.pause_at
            && self.run_params == o.run_params
            && self.actions == o.actions
            && self.compare == o.compare
    }
}

impl<L: Lab> std::fmt::Debug for LabState<L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LabState")
            .field("params", &self.params)
            .field("seed", &self.seed)
            .field("preset", &self.preset)
            .finish_non_exhaustive()
    }
}

/// The link's key for a moment of the run to open paused at (virtual seconds), as an imported run
/// file opens at its end.
pub const AT_KEY: &str = "at";

/// What a user does to the state.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Sets one dotted param key from text.
    Set(String, String),
    SetSeed(String),
    LoadPreset(&'static str),
    Reset,
    DismissNotice,
    /// The sweep panel ran this sweep (it goes into the link).
    SetSweep(Sweep),
    /// Loads a preset and runs its headline figure over this many seeds.
    PresetSweep(&'static str, u32),
    /// Enters a challenge (its fixed setup over the defaults, and its seed) or leaves it.
    SetChallenge(Option<&'static str>),
    /// Goes to a step of the lab's guided tour (its setup applies), or leaves the tour (the lab
    /// stays as it is).
    Tour(Option<usize>),
    /// The engine's record of the run: the params it started with and its interventions (no
    /// rebuild: the run already has them).
    /// Tagged with the generation of the rebuild that started the run: a record of a run the
    /// state has replaced since (a preset chosen while a frame of the old run was on its way) is
    /// dropped, or the next rebuild would bring the old run's params back.
    RunLog(serde_json::Value, ActionLog, u64),
    /// Replays a run (an imported run file): its params, seed and actions, paused at `at` (ns).
    Replay {
        params: serde_json::Value,
        seed: u64,
        actions: ActionLog,
        at: Option<u64>,
    },
    /// Starts comparing with B (a copy of A's params) or stops.
    Compare(bool),
    /// Sets one dotted param key of B from text.
    SetB(String, String),
    /// B's params become A's again.
    CopyToB,
}

/// Whether a run of `p` fits the page's memory budget (its cost model's estimate).
pub fn admit<L: Lab>(p: &L::Params) -> Result<(), Problem> {
    let v = serde_json::to_value(p).expect("params serialise to JSON");
    L::cost(p)
        .admit(&v, PAGE_BUDGET_BYTES)
        .map_err(Problem::Invalid)
}

/// Whether a run of `p` fits the page's budget beside a run of `other`: A and B of a comparison
/// run in one worker, so they are admitted together (each alone first).
pub fn admit_beside<L: Lab>(p: &L::Params, other: Option<&L::Params>) -> Result<(), Problem> {
    let Some(o) = other else {
        return admit::<L>(p);
    };
    let v = serde_json::to_value(p).expect("params serialise to JSON");
    L::cost(p)
        .admit_beside(&v, PAGE_BUDGET_BYTES, L::cost(o).memory())
        .map_err(Problem::Invalid)
}

/// The params of challenge `c`'s fixed setup.
fn setup_of<L: Lab>(c: &flowlab_sim::challenge::Challenge) -> Option<L::Params> {
    c.setup().ok().and_then(|v| serde_json::from_value(v).ok())
}

fn preset_of<L: Lab>(id: &str) -> Option<Preset<L::Params>> {
    L::presets().into_iter().find(|p| p.id == id)
}

impl<L: Lab> LabState<L> {
    /// The state a URL query describes, with what was wrong in it.
    pub fn from_query(query: &str) -> Self {
        // A sweep is a part of its own, beside the params.
        let (query, sweep) = Sweep::split_link(query);
        let (query, challenge) = crate::challenges::split_link(&query);
        let (query, tour) = crate::tour::split_link(&query);
        let (query, actions) = url_state::split_key(&query, ACTIONS_KEY);
        let (query, at) = url_state::split_key(&query, AT_KEY);
        let (query, b) = url_state::split_key(&query, crate::lab::compare::LINK_KEY);
        let (query, format) = url_state::split_key(&query, migrate::LINK_FORMAT_KEY);
        let mut problems = Vec::new();
        // A link of an older format has its renamed knobs moved to their names of today; a newer
        // one is read as far as it can be, and said so.
        let format = match format.map(|v| (migrate::link_format(&v), v)) {
            None => 1,
            Some((Ok(f), _)) => f,
            Some((Err(why), v)) => {
                problems.push(Problem::BadValue {
                    key: migrate::LINK_FORMAT_KEY.into(),
                    value: flowlab_sim::kernel::model::shorten(&v),
                    expected: url_state::Expect::Text(why),
                });
                migrate::LINK_FORMAT
            }
        };
        let query = migrate::query_in(migrate::RENAMES, L::ID, format, &query);
        // B's part is a query of its own: its renamed knobs move too.
        let b = b.map(|b| migrate::query_in(migrate::RENAMES, L::ID, format, &b));
        let query = query.as_str();
        let (sweep, sweep_problem) = match sweep {
            Some(Ok(mut s)) => {
                // Its knob too, if it was renamed.
                migrate::sweep_in(migrate::RENAMES, L::ID, format, &mut s);
                (Some(s), None)
            }
            Some(Err(e)) => (None, Some(e)),
            None => (None, None),
        };
        let tour = tour.and_then(|t| match crate::tour::parse_step(L::ID, &t) {
            Ok(i) => Some(i),
            Err(p) => {
                problems.push(p);
                None
            }
        });
        let challenge = challenge.and_then(|id| match crate::challenges::of_lab(L::ID, &id) {
            Some(c) => Some(c),
            None => {
                let ids = flowlab_sim::challenge::of_lab(L::ID)
                    .into_iter()
                    .map(|c| c.id.to_string());
                let expected = url_state::Expect::OneOf(ids.collect());
                problems.push(Problem::BadValue {
                    key: "challenge".into(),
                    value: id,
                    expected,
                });
                None
            }
        });
        // A preset named in the URL is the base the other keys apply over.
        let named = url_state::pairs(query)
            .into_iter()
            .find(|(k, _)| k == url_state::PRESET_KEY)
            .map(|(_, v)| v);
        let preset = named.and_then(|name| match preset_of::<L>(&name) {
            Some(p) => Some(p),
            None => {
                problems.push(Problem::UnknownPreset(name));
                None
            }
        });
        let base = preset
            .as_ref()
            .map(|p| p.params.clone())
            .or_else(|| challenge.and_then(setup_of::<L>))
            .unwrap_or_default();
        let mut parsed = url_state::parse(query, base.clone());
        problems.extend(parsed.problems);
        // Params over the page's budget are refused as a whole (the base is kept).
        if let Err(e) = admit::<L>(&parsed.params) {
            problems.push(e);
            parsed.params = base;
        }
        // The preset stays only while the params are still its own.
        let preset = preset.filter(|p| parsed.params == p.params);
        let mut s = Self {
            params: parsed.params,
            seed: parsed
                .seed
                .or(preset.as_ref().map(|p| p.seed))
                .or(challenge.map(|c| c.seed))
                .unwrap_or(L::default_seed()),
            preset: preset.map(|p| p.id),
            url_problems: problems,
            input_problem: None,
            generation: 0,
            live: None,
            sweep_go: u64::from(sweep.is_some()),
            sweep,
            sweep_problem,
            challenge: challenge.map(|c| c.id),
            tour: None,
            pause_at: None,
            run_params: L::Params::default(),
            actions: ActionLog::default(),
            compare: None,
        };
        s.run_params = s.params.clone();
        if let Some(b) = b {
            let (params, problems) = Self::link_b(&s.run_params, &b);
            s.url_problems.extend(problems);
            // A and B that do not fit the page together: the link opens without comparing.
            match admit_beside::<L>(&params, Some(&s.run_params)) {
                Ok(()) => s.compare = Some(params),
                Err(e) => s.url_problems.push(b_problem(e)),
            }
        }
        if let Some(text) = actions {
            match Self::link_log(&s.run_params, &text, format) {
                Ok((log, params)) => {
                    s.actions = log;
                    s.params = params;
                }
                Err(p) => s.url_problems.push(p),
            }
        }
        if let Some(t) = at {
            let max = Self::latest_moment(&s.run_params);
            match replay::parse_seconds(t.trim()).filter(|&ns| ns <= max) {
                Some(ns) => s.pause_at = Some((0, ns)),
                None => s.url_problems.push(Problem::BadValue {
                    key: AT_KEY.into(),
                    value: flowlab_sim::kernel::model::shorten(&t),
                    expected: url_state::Expect::Number(format!(
                        "0..={}",
                        replay::seconds_text(max)
                    )),
                }),
            }
        }
        // A link naming only a step (`#/queue?tour=3`) opens it as the tour sets it up; a link
        // with params too (the page's own, written while touring) keeps them.
        if let Some(i) = tour {
            if query.is_empty() && s.challenge.is_none() {
                s.apply(Action::Tour(Some(i)));
                s.generation = 0;
                s.pause_at = s.pause_at.map(|(_, t)| (0, t));
            } else {
                s.tour = Some(i);
            }
        }
        s
    }

    /// The latest moment a link may open paused at with `params` (whole virtual seconds): the live
    /// engine runs there in one go, so no further than the page replays by itself
    /// ([`MAX_REPLAY_S`](crate::lab::export::MAX_REPLAY_S) by the lab's cost model in the browser).
    pub fn latest_moment(params: &L::Params) -> u64 {
        use crate::lab::export::{replay_estimate_s, MAX_REPLAY_S};
        let max = replay::MAX_AT_S * NS_PER_S;
        let (Some(lab), Ok(v)) = (
            flowlab_sim::labs::by_id(L::ID),
            serde_json::to_value(params),
        ) else {
            return max;
        };
        match replay_estimate_s(lab, &v, NS_PER_S) {
            Some(per_s) if per_s > 0.0 => {
                let s = (MAX_REPLAY_S / per_s)
                    .floor()
                    .clamp(1.0, replay::MAX_AT_S as f64);
                s as u64 * NS_PER_S
            }
            _ => max,
        }
    }

    /// A link's action log, checked against the lab from `params` (the run's start), and the
    /// params with its knob changes applied (what the form shows once they all happened).
    fn link_log(
        params: &L::Params,
        text: &str,
        format: u32,
    ) -> Result<(ActionLog, L::Params), Problem> {
        let bad = |why: String| Problem::BadValue {
            key: ACTIONS_KEY.into(),
            value: flowlab_sim::kernel::model::shorten(text),
            expected: url_state::Expect::Text(why),
        };
        let mut log = ActionLog::parse(text).map_err(|e| bad(e.to_string()))?;
        migrate::log_in(migrate::RENAMES, L::ID, format, &mut log);
        let lab = flowlab_sim::labs::by_id(L::ID).ok_or_else(|| bad("no such lab".into()))?;
        let v = serde_json::to_value(params).expect("params serialise to JSON");
        log.check(lab, &v, replay::MAX_AT_S * NS_PER_S)
            .map_err(|e| bad(e.to_string()))?;
        let mut now = params.clone();
        for a in &log.actions {
            if let replay::Act::Set { key, value } = &a.act {
                if let Ok(p) = url_state::apply(&now, key, value) {
                    now = p;
                }
            }
        }
        Ok((log, now))
    }

    /// B's params from the link's `b` part (what differs from A's start params `a`), and what
    /// was wrong in it, each problem naming its key as `b.<key>`.
    fn link_b(a: &L::Params, text: &str) -> (L::Params, Vec<Problem>) {
        let mut problems = Vec::new();
        let mut query = Vec::new();
        for (k, v) in url_state::pairs(text) {
            if k == url_state::SEED_KEY || k == url_state::PRESET_KEY {
                // B runs on A's seed.
                problems.push(Problem::UnknownKey(format!(
                    "{}.{k}",
                    crate::lab::compare::LINK_KEY
                )));
            } else {
                query.push(format!(
                    "{}={}",
                    url_state::percent_encode(&k),
                    url_state::percent_encode(&v)
                ));
            }
        }
        let mut parsed = url_state::parse(&query.join("&"), a.clone());
        if let Err(e) = admit::<L>(&parsed.params) {
            parsed.problems.push(e);
            parsed.params = a.clone();
        }
        problems.extend(parsed.problems.into_iter().map(b_problem));
        (parsed.params, problems)
    }

    /// The query that reproduces this state: the seed, the preset (while the params are its
    /// own), and what differs from the defaults.
    pub fn query(&self) -> String {
        let challenge = self.challenge.and_then(flowlab_sim::challenge::by_id);
        let base = challenge.and_then(setup_of::<L>).unwrap_or_default();
        // With a log, the link holds the params the run started with; its knob changes are in
        // the log.
        let params = if self.actions.is_empty() {
            &self.params
        } else {
            &self.run_params
        };
        let mut q = url_state::to_query(params, &base, self.seed);
        if let Some(c) = challenge {
            q = format!("{q}&{}={}", crate::challenges::LINK_KEY, c.id);
        }
        if let Some(id) = self.preset {
            q = format!("{q}&{}={id}", url_state::PRESET_KEY);
        }
        if let Some(s) = &self.sweep {
            q = format!("{q}&{}={}", flowlab_sim::sweep::SWEEP_KEY, s.to_query());
        }
        if let Some(i) = self.tour {
            q = format!("{q}&{}={}", crate::tour::LINK_KEY, i + 1);
        }
        if !self.actions.is_empty() {
            let log = url_state::percent_encode(&self.actions.to_string());
            q = format!("{q}&{ACTIONS_KEY}={log}");
        }
        if let Some(b) = &self.compare {
            // What differs from the params the run started with (the seed is A's).
            let diff = url_state::to_query(b, &self.run_params, self.seed);
            let diff = diff.split_once('&').map_or("", |(_, rest)| rest);
            let key = crate::lab::compare::LINK_KEY;
            q = format!("{q}&{key}={}", url_state::percent_encode(diff));
        }
        format!("{q}&{}={}", migrate::LINK_FORMAT_KEY, migrate::LINK_FORMAT)
    }

    /// Applies `action`.
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::Set(key, text) => match url_state::apply(&self.params, &key, &text)
                .and_then(|p| admit_beside::<L>(&p, self.compare.as_ref()).map(|()| p))
            {
                Ok(p) => {
                    if p != self.params {
                        self.params = p;
                        self.preset = None;
                        let live = L::Params::knob(&key).is_some_and(|k| k.live);
                        if live {
                            let n = self.live.as_ref().map_or(0, |l| l.0) + 1;
                            self.live = Some((n, key));
                        } else {
                            self.fresh_run();
                        }
                    }
                    self.input_problem = None;
                }
                Err(e) => self.input_problem = Some(e),
            },
            Action::SetSeed(text) => match text.trim().parse::<u64>() {
                Ok(seed) => {
                    self.seed = seed;
                    self.input_problem = None;
                    self.fresh_run();
                }
                Err(_) => self.input_problem = Some(Problem::BadSeed(text)),
            },
            Action::LoadPreset(id) => {
                if let Some(Preset {
                    id, params, seed, ..
                }) = preset_of::<L>(id)
                {
                    self.params = params;
                    self.seed = seed;
                    self.preset = Some(id);
                    self.input_problem = None;
                    self.fresh_run();
                }
            }
            Action::Reset => self.fresh_run(),
            Action::DismissNotice => self.url_problems.clear(),
            Action::SetSweep(sweep) => {
                self.sweep = Some(sweep);
                self.sweep_problem = None;
            }
            Action::PresetSweep(id, seeds) => {
                if let Some(p) = preset_of::<L>(id) {
                    let metric = match flowlab_sim::labs::by_id(L::ID) {
                        Some(lab) => {
                            let v = serde_json::to_value(&p.params).expect("params serialise");
                            crate::lab::sweep::headline_metric(lab, &v, p.headline)
                        }
                        None => p.headline.to_string(),
                    };
                    let sweep = Sweep::seeds_only(metric, seeds, p.seed);
                    self.apply(Action::LoadPreset(id));
                    self.sweep = Some(sweep);
                    self.sweep_problem = None;
                    self.sweep_go += 1;
                }
            }
            Action::Tour(step) => {
                let steps = crate::tour::of_lab(L::ID);
                self.tour = step.filter(|i| *i < steps.len());
                if let Some(setup) = self.tour.and_then(|i| steps[i].setup) {
                    self.set_up(&setup);
                }
            }
            Action::RunLog(params, log, generation) => {
                if generation != self.generation {
                    return;
                }
                if let Ok(p) = serde_json::from_value::<L::Params>(params) {
                    self.run_params = p;
                    self.actions = log;
                }
            }
            Action::Replay {
                params,
                seed,
                actions,
                at,
            } => match serde_json::from_value::<L::Params>(params) {
                Ok(p) if p.validate().is_ok() && admit::<L>(&p).is_ok() => {
                    let shown = Self::link_log(&p, &actions.to_string(), migrate::LINK_FORMAT)
                        .map(|(_, q)| q);
                    self.params = shown.unwrap_or_else(|_| p.clone());
                    self.seed = seed;
                    self.preset = None;
                    self.challenge = None;
                    self.input_problem = None;
                    self.generation += 1;
                    self.run_params = p;
                    self.actions = actions;
                    // A moment the page would take too long to reach is left out (the run
                    // opens at its start).
                    let max = Self::latest_moment(&self.run_params);
                    self.pause_at = at.filter(|&t| t <= max).map(|t| (self.generation, t));
                }
                _ => {}
            },
            Action::Compare(on) => {
                let b = on.then(|| self.compare.clone().unwrap_or_else(|| self.params.clone()));
                match b.as_ref().map(|b| admit_beside::<L>(b, Some(&self.params))) {
                    Some(Err(e)) => self.input_problem = Some(b_problem(e)),
                    _ => self.compare = b,
                }
            }
            Action::CopyToB => {
                if self.compare.is_some() {
                    match admit_beside::<L>(&self.params, Some(&self.params)) {
                        Ok(()) => self.compare = Some(self.params.clone()),
                        Err(e) => self.input_problem = Some(b_problem(e)),
                    }
                }
            }
            Action::SetB(key, text) => {
                if let Some(b) = &self.compare {
                    match url_state::apply(b, &key, &text)
                        .and_then(|p| admit_beside::<L>(&p, Some(&self.params)).map(|()| p))
                    {
                        Ok(p) => {
                            self.compare = Some(p);
                            self.input_problem = None;
                        }
                        Err(e) => self.input_problem = Some(b_problem(e)),
                    }
                }
            }
            Action::SetChallenge(id) => {
                let ch = id.and_then(|id| crate::challenges::of_lab(L::ID, id));
                self.challenge = ch.map(|c| c.id);
                if let Some(p) = ch.and_then(setup_of::<L>) {
                    self.params = p;
                    self.seed = ch.map_or(self.seed, |c| c.seed);
                    self.preset = None;
                    self.input_problem = None;
                    self.fresh_run();
                }
            }
        }
        // A's new params (a preset, a replayed file, a challenge, a tour's step) and B's that do
        // not fit the page together: the comparison ends, saying why.
        if let Some(b) = &self.compare {
            if let Err(e) = admit_beside::<L>(&self.params, Some(b)) {
                self.compare = None;
                self.input_problem = Some(e);
            }
        }
        debug_assert!(
            self.params.validate().is_ok(),
            "the state keeps valid params only"
        );
    }
}

impl<L: Lab> LabState<L> {
    /// A fresh run of the params: rebuilt, with no interventions yet.
    fn fresh_run(&mut self) {
        self.generation += 1;
        self.run_params = self.params.clone();
        self.actions = ActionLog::default();
    }

    /// Sets the lab up as a tour's step says: the preset's params and seed (or the defaults), the
    /// keys over them, the seed. A key the lab refuses is skipped (the tour's tests keep that
    /// from shipping); the run is rebuilt, and a challenge is left.
    fn set_up(&mut self, s: &crate::tour::Setup) {
        let preset = s.preset.and_then(preset_of::<L>);
        let (mut params, mut seed) = match &preset {
            Some(p) => (p.params.clone(), p.seed),
            None => (L::Params::default(), L::default_seed()),
        };
        for (k, v) in s.set {
            if let Ok(p) = url_state::apply(&params, k, v) {
                params = p;
            }
        }
        if admit::<L>(&params).is_err() {
            return;
        }
        if let Some(x) = s.seed {
            seed = x;
        }
        self.preset = preset.filter(|p| p.params == params).map(|p| p.id);
        self.params = params;
        self.seed = seed;
        self.challenge = None;
        self.input_problem = None;
        self.fresh_run();
        self.pause_at = s
            .at_ms
            .map(|ms| (self.generation, ms * flowlab_sim::kernel::time::NS_PER_MS));
    }
}

/// `p`, naming its key as B's (`b.<key>`).
fn b_problem(p: Problem) -> Problem {
    let b = |k: &str| format!("{}.{k}", crate::lab::compare::LINK_KEY);
    match p {
        Problem::UnknownKey(k) => Problem::UnknownKey(b(&k)),
        Problem::BadValue {
            key,
            value,
            expected,
        } => Problem::BadValue {
            key: b(&key),
            value,
            expected,
        },
        Problem::Invalid(mut e) => {
            e.field = b(&e.field);
            Problem::Invalid(e)
        }
        Problem::Repeated(k) => Problem::Repeated(b(&k)),
        other => other,
    }
}

impl<L: Lab> yew::Reducible for LabState<L> {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        // The engine tells its record after every change: unchanged, nothing re-renders.
        if let Action::RunLog(p, log, generation) = &action {
            let same_params = serde_json::to_value(&self.run_params).ok().as_ref() == Some(p);
            if *generation != self.generation || (same_params && &self.actions == log) {
                return self;
            }
        }
        let mut s = (*self).clone();
        s.apply(action);
        Rc::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flowlab_sim::limiter::{Limiter, LimiterParams};

    /// The run a link gives: its start params and seed, its log planned, run to `until_s`.
    fn link_digest<L: Lab>(query: &str, until_s: u64) -> u64 {
        use flowlab_sim::Model;
        let s = LabState::<L>::from_query(query);
        assert!(s.url_problems.is_empty(), "{query}: {:?}", s.url_problems);
        let back = LabState::<L>::from_query(&s.query());
        assert_eq!(
            (&back.run_params, back.seed, &back.actions, &back.params),
            (&s.run_params, s.seed, &s.actions, &s.params),
            "{query}: the page writes the link back as it read it"
        );
        let mut sim = flowlab_sim::Sim::<L>::new_or_default(&s.run_params, s.seed);
        let v = serde_json::to_value(&s.run_params).unwrap();
        flowlab_sim::labs::plan_log(&mut sim, &v, &s.actions, None).unwrap();
        sim.run_to(until_s * NS_PER_S);
        sim.digest()
    }

    #[test]
    fn a_moment_too_far_to_reach_is_refused_naming_at_and_the_range() {
        use flowlab_sim::labs::queue::Queue;
        let s = LabState::<Queue>::from_query("seed=3&at=60");
        assert!(s.url_problems.is_empty(), "{:?}", s.url_problems);
        assert_eq!(s.pause_at, Some((0, 60 * NS_PER_S)));
        let max = LabState::<Queue>::latest_moment(&s.run_params);
        assert!(
            max >= 600 * NS_PER_S,
            "ten minutes of the default queue: {max}"
        );
        let far = LabState::<Queue>::from_query("seed=3&at=10000000");
        assert_eq!(far.pause_at, None);
        match &far.url_problems[..] {
            [Problem::BadValue { key, expected, .. }] => {
                assert_eq!(key, "at");
                assert!(
                    expected.to_string().contains(&replay::seconds_text(max)),
                    "{expected}"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn links_carry_their_format_and_a_newer_one_is_said_so() {
        let s = S::from_query("seed=4");
        assert!(s.query().ends_with("&v=1"), "{}", s.query());
        assert!(S::from_query("seed=4&v=1").url_problems.is_empty());
        let newer = S::from_query("seed=4&fixed_window.limit=9&v=2");
        assert!(matches!(&newer.url_problems[..], [Problem::BadValue { key, .. }] if key == "v"));
        assert_eq!(
            newer.params.fixed_window.limit, 9,
            "what it can read is read"
        );
        assert_eq!(newer.seed, 4);
        let bad = S::from_query("v=banana");
        assert!(matches!(&bad.url_problems[..], [Problem::BadValue { key, .. }] if key == "v"));
    }

    /// Links written today, frozen with the digest of the run they give: a rename of a knob or
    /// an action, or a change of what one means, must keep them working (a migration in the
    /// link reader), or this test says which link broke.
    #[test]
    fn frozen_links_with_their_actions_still_give_the_same_run() {
        use flowlab_sim::labs::{cache::Cache, chat::Chat, queue::Queue, snowflake::Snowflake};
        let got = [
            link_digest::<Queue>(
                "seed=3&acks=one&actions=4%3Acrash_leader_of(0)%3B6%3Aadd_consumer%3B7.25%3Amove_backlog(8)",
                10,
            ),
            link_digest::<Limiter>(
                "seed=2&preset=token_burst&actions=3%3Aset(token_bucket.rate_per_s%3D25)",
                10,
            ),
            link_digest::<Cache>(
                "seed=1&actions=2%3Aadd_node%3B4.5%3Acrash_node(node%3D1)",
                8,
            ),
            link_digest::<Snowflake>(
                "seed=1&actions=1.5%3Astep_back(all%3Dfalse%2Cms%3D800)%3B3%3Afreeze(all%3Dtrue%2Cms%3D200)",
                5,
            ),
            link_digest::<Chat>("seed=4&preset=big_group", 6),
        ];
        let frozen: [u64; 5] = [
            5618828149723934314,
            7867484010799055830,
            15272992922988018,
            5247249459551880399,
            17112712758031404615,
        ];
        assert_eq!(got, frozen, "a frozen link gives another run");
    }

    type S = LabState<Limiter>;

    #[test]
    fn a_link_round_trips() {
        let mut s = S::from_query("");
        s.apply(Action::Set("fixed_window.limit".into(), "7".into()));
        s.apply(Action::SetSeed("99".into()));
        let back = S::from_query(&s.query());
        assert_eq!(back.params, s.params);
        assert_eq!(back.seed, 99);
        assert!(back.url_problems.is_empty());
    }

    #[test]
    fn a_preset_stays_in_the_link_until_a_param_changes() {
        let mut s = S::from_query("");
        s.apply(Action::LoadPreset("boundary_burst"));
        assert!(s.query().contains("preset=boundary_burst"), "{}", s.query());
        let back = S::from_query(&s.query());
        assert_eq!(back.preset, Some("boundary_burst"));
        assert_eq!(back.seed, 1);
        s.apply(Action::Set("fixed_window.limit".into(), "3".into()));
        assert_eq!(s.preset, None);
        assert!(!s.query().contains("preset="));
    }

    #[test]
    fn bad_input_is_kept_as_a_problem_and_the_params_stay() {
        let mut s = S::from_query("");
        let g = s.generation;
        s.apply(Action::Set("leaky_bucket.capacity".into(), "0".into()));
        assert!(matches!(s.input_problem, Some(Problem::Invalid(_))));
        assert_eq!(s.params, LimiterParams::default());
        assert_eq!(s.generation, g, "no rebuild for a refused value");
        s.apply(Action::SetSeed("banana".into()));
        assert!(matches!(s.input_problem, Some(Problem::BadSeed(_))));
    }

    /// The engine's record of a run comes after the frame that carried it: one of the run a
    /// preset has just replaced must not bring that run's params back (the next rebuild would
    /// run them under the preset's name: an e2e test caught it under load).
    #[test]
    fn the_record_of_a_replaced_run_is_dropped() {
        use yew::Reducible;
        let s = Rc::new(S::from_query(""));
        let old = (serde_json::to_value(&s.run_params).unwrap(), s.generation);
        let id = Limiter::presets()[0].id;
        let s = s.reduce(Action::LoadPreset(id));
        let preset = s.run_params.clone();
        assert_ne!(
            preset,
            LimiterParams::default(),
            "the preset changes the params"
        );
        let s = s.reduce(Action::RunLog(old.0.clone(), ActionLog::default(), old.1));
        assert_eq!(s.run_params, preset, "the old run's record is dropped");
        // The current run's record is taken (the engine's log of a live change, here).
        let log = ActionLog::parse("1000000:set(token_bucket.rate_per_s=25)").unwrap();
        let now = serde_json::to_value(&s.run_params).unwrap();
        let g = s.generation;
        let s = s.reduce(Action::RunLog(now, log.clone(), g));
        assert_eq!(s.actions, log);
    }

    #[test]
    fn a_live_knob_does_not_rebuild() {
        let mut s = S::from_query("");
        let g = s.generation;
        s.apply(Action::Set("token_bucket.rate_per_s".into(), "25".into()));
        assert_eq!(s.generation, g);
        assert_eq!(s.live, Some((1, "token_bucket.rate_per_s".to_string())));
        s.apply(Action::Set("token_bucket.burst".into(), "9".into()));
        assert_eq!(s.generation, g + 1);
    }

    #[test]
    fn params_over_the_page_budget_are_refused_naming_what_costs() {
        use flowlab_sim::labs::queue::Queue;
        let mut s = LabState::<Queue>::from_query("");
        s.apply(Action::Set("partitions".into(), "32".into()));
        s.apply(Action::Set("log_retention_records".into(), "200000".into()));
        match &s.input_problem {
            Some(Problem::Invalid(e)) => {
                assert_eq!(e.field, "log_retention_records", "{e}");
                assert!(e.allowed.contains("partition logs"), "{e}");
            }
            other => panic!("refused for its cost: {other:?}"),
        }
        assert_eq!(
            s.params.log_retention_records, 50_000,
            "the last value that fitted stays"
        );
        // The same in a link: reported, and the base params kept.
        let l = LabState::<Queue>::from_query("partitions=32&log_retention_records=200000");
        assert!(l
            .url_problems
            .iter()
            .any(|p| matches!(p, Problem::Invalid(e) if e.field == "log_retention_records")));
    }

    /// A and B run in one worker: their params are admitted together, whichever side changes.
    #[test]
    fn a_and_b_are_admitted_together() {
        use flowlab_sim::labs::queue::Queue;
        type Q = LabState<Queue>;
        let field = |s: &Q| match &s.input_problem {
            Some(Problem::Invalid(e)) if e.allowed.contains("together") => e.field.clone(),
            other => panic!("refused as a pair: {other:?}"),
        };
        // 32 partitions keeping 80,000 records each: about 276 MB, which fits the page (512 MB)
        // alone, not twice.
        let mut s = Q::from_query("partitions=32&log_retention_records=80000");
        assert!(s.url_problems.is_empty(), "{:?}", s.url_problems);
        s.apply(Action::Compare(true));
        assert_eq!(s.compare, None, "no B beside an A that big");
        assert_eq!(field(&s), "b.log_retention_records");

        // 50,000 (about 188 MB) each fits; B may grow to 80,000, not to 120,000 (394 MB).
        let mut s = Q::from_query("partitions=32&log_retention_records=50000");
        s.apply(Action::Compare(true));
        assert!(s.compare.is_some());
        s.apply(Action::SetB("log_retention_records".into(), "80000".into()));
        assert_eq!(s.compare.as_ref().unwrap().log_retention_records, 80_000);
        assert_eq!(s.input_problem, None);
        s.apply(Action::SetB(
            "log_retention_records".into(),
            "120000".into(),
        ));
        assert_eq!(s.compare.as_ref().unwrap().log_retention_records, 80_000);
        assert_eq!(field(&s), "b.log_retention_records");
        // A cannot grow to B's size now either.
        s.apply(Action::Set("log_retention_records".into(), "80000".into()));
        assert_eq!(s.params.log_retention_records, 50_000);
        assert_eq!(field(&s), "log_retention_records");
        // Copying A to B fits (188 MB twice).
        s.apply(Action::CopyToB);
        assert_eq!(s.compare.as_ref(), Some(&s.params));

        // A link with both: B is dropped, and said why.
        let l = Q::from_query(
            "partitions=32&log_retention_records=80000&b=log_retention_records%3D90000",
        );
        assert_eq!(l.compare, None);
        assert!(l
            .url_problems
            .iter()
            .any(|p| matches!(p, Problem::Invalid(e) if e.field == "b.log_retention_records")));
        // Without a pair over the budget, the same link compares.
        let l = Q::from_query(
            "partitions=32&log_retention_records=50000&b=log_retention_records%3D60000",
        );
        assert_eq!(l.compare.map(|b| b.log_retention_records), Some(60_000));
    }

    #[test]
    fn a_garbage_link_is_reported_and_the_rest_applies() {
        let s = S::from_query(
            "seed=banana&fixed_window.limit=abc&bogus=1&preset=nope&token_bucket.burst=7",
        );
        assert_eq!(s.params.token_bucket.burst, 7);
        assert_eq!(s.seed, 42);
        assert_eq!(s.url_problems.len(), 4, "{:?}", s.url_problems);
    }

    #[test]
    fn a_sweep_rides_in_the_link_beside_the_params() {
        use flowlab_sim::labs::queue::Queue;
        let q = "seed=5&acks=one&sweep=metric=lost;knob=acks;choices;seeds=50;seed=22;until=12";
        let s = LabState::<Queue>::from_query(q);
        assert!(s.url_problems.is_empty(), "{:?}", s.url_problems);
        assert_eq!(s.seed, 5);
        let sw = s.sweep.clone().expect("the sweep is read");
        assert_eq!((sw.seeds, sw.first_seed, sw.until_s), (50, 22, Some(12.0)));
        assert_eq!(s.sweep_go, 1, "a link's sweep starts when the page opens");
        let back = LabState::<Queue>::from_query(&s.query());
        assert_eq!(back.sweep, s.sweep);
        assert_eq!(back.params, s.params);
    }

    #[test]
    fn a_bad_sweep_part_is_reported_and_the_params_still_apply() {
        use flowlab_sim::labs::queue::Queue;
        let s = LabState::<Queue>::from_query("acks=one&sweep=metric=lost;seeds=900;seed=1");
        assert_eq!(s.params.acks, flowlab_sim::labs::queue::Acks::One);
        assert!(s.sweep.is_none());
        assert_eq!(s.sweep_go, 0);
        let e = s.sweep_problem.expect("reported");
        assert_eq!(e.field, "seeds", "{e:?}");
        assert!(s.url_problems.is_empty(), "the params' part is fine");
    }

    #[test]
    fn a_challenge_link_loads_its_fixed_setup_and_round_trips() {
        let ch = flowlab_sim::challenge::by_id("limiter.window_edge").unwrap();
        let s = S::from_query("challenge=limiter.window_edge&fixed_window.limit=5");
        assert!(s.url_problems.is_empty(), "{:?}", s.url_problems);
        assert_eq!(s.challenge, Some(ch.id));
        assert_eq!(s.seed, ch.seed, "the challenge's seed");
        assert_eq!(s.params.fixed_window.limit, 5);
        assert_eq!(s.params.traffic.burst_size, 20, "the fixed setup applies");
        let back = S::from_query(&s.query());
        assert_eq!(
            (back.params, back.challenge),
            (s.params.clone(), s.challenge)
        );
        // Leaving keeps the params; entering again restores the setup.
        let mut t = s.clone();
        t.apply(Action::SetChallenge(None));
        assert_eq!((t.challenge, &t.params), (None, &s.params));
        t.apply(Action::SetChallenge(Some(ch.id)));
        assert_eq!(
            serde_json::to_value(&t.params).unwrap(),
            ch.setup().unwrap()
        );
        // Another lab's challenge, or none such, is reported and ignored.
        for q in ["challenge=queue.leader_crash", "challenge=nope"] {
            let s = S::from_query(q);
            assert_eq!(s.challenge, None);
            assert_eq!(s.url_problems.len(), 1, "{:?}", s.url_problems);
            assert_eq!(s.params, LimiterParams::default());
        }
    }

    #[test]
    fn a_preset_sweep_loads_the_preset_and_runs_its_headline_figure() {
        use flowlab_sim::labs::queue::Queue;
        let mut s = LabState::<Queue>::from_query("");
        let g = s.generation;
        s.apply(Action::PresetSweep("acks1_leader_dies", 50));
        assert_eq!(s.preset, Some("acks1_leader_dies"));
        assert_eq!(s.generation, g + 1);
        assert_eq!(s.sweep_go, 1);
        let sw = s.sweep.clone().unwrap();
        assert!(sw.knob.is_none());
        assert_eq!((sw.seeds, sw.first_seed), (50, s.seed));
        assert!(s.query().contains("sweep="), "{}", s.query());
        // And the sweep it describes can run.
        let lab = flowlab_sim::labs::by_id("queue").unwrap();
        let params = serde_json::to_value(&s.params).unwrap();
        sw.plan(lab, &params, PAGE_BUDGET_BYTES).expect("plans");
    }

    #[test]
    fn a_tour_step_in_the_link_sets_the_lab_up_and_round_trips() {
        use flowlab_sim::labs::queue::{Acks, Queue};
        let steps = crate::tour::of_lab("queue");
        // A link naming only the step opens it as the tour sets it up.
        let s = LabState::<Queue>::from_query("tour=2");
        assert!(s.url_problems.is_empty(), "{:?}", s.url_problems);
        assert_eq!(s.tour, Some(1));
        let setup = steps[1].setup.expect("the step sets the lab up");
        assert_eq!(s.preset, setup.preset);
        assert_eq!(s.params.acks, Acks::One, "acks1_leader_dies");
        let back = LabState::<Queue>::from_query(&s.query());
        assert_eq!(
            (back.tour, &back.params, back.seed),
            (s.tour, &s.params, s.seed)
        );
        // The user's change while touring stays in the link, and a reload keeps it.
        let mut t = s.clone();
        t.apply(Action::Set("acks".into(), "all".into()));
        let back = LabState::<Queue>::from_query(&t.query());
        assert_eq!((back.tour, back.params.acks), (Some(1), Acks::All));
        // Next sets the next step up; leaving keeps the lab as it is.
        t.apply(Action::Tour(Some(2)));
        assert_eq!(t.preset, Some("retries_no_idempotence"));
        let g = t.generation;
        t.apply(Action::Tour(None));
        assert_eq!(
            (t.tour, t.preset, t.generation),
            (None, Some("retries_no_idempotence"), g)
        );
        assert!(!t.query().contains("tour="), "{}", t.query());
    }

    #[test]
    fn a_bad_tour_step_is_reported_naming_the_range_and_the_rest_applies() {
        use flowlab_sim::labs::queue::Queue;
        let n = crate::tour::of_lab("queue").len();
        for bad in ["0", "99", "x"] {
            let s = LabState::<Queue>::from_query(&format!("tour={bad}&partitions=6"));
            assert_eq!(s.tour, None);
            assert_eq!(s.params.partitions, 6);
            match s.url_problems.as_slice() {
                [Problem::BadValue { key, expected, .. }] => {
                    assert_eq!(key, "tour");
                    assert_eq!(*expected, url_state::Expect::Whole(format!("1..={n}")));
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_tour_step_may_pause_the_run_at_a_moment() {
        let s = S::from_query("tour=1");
        assert_eq!(
            s.pause_at,
            Some((0, 2_400 * flowlab_sim::kernel::time::NS_PER_MS))
        );
        let mut t = s.clone();
        t.apply(Action::Tour(Some(1)));
        assert_eq!(
            t.pause_at,
            Some((0, 2_400 * flowlab_sim::kernel::time::NS_PER_MS)),
            "a step without a setup keeps the lab"
        );
        t.apply(Action::Tour(Some(2)));
        assert_eq!(
            t.pause_at, None,
            "a step that sets up without a moment runs on"
        );
        t.apply(Action::Tour(Some(0)));
        assert_eq!(
            t.pause_at,
            Some((t.generation, 2_400 * flowlab_sim::kernel::time::NS_PER_MS))
        );
    }

    #[test]
    fn a_comparison_rides_in_the_link_as_b_s_differences_from_a() {
        use flowlab_sim::labs::queue::{Acks, Queue};
        let mut s = LabState::<Queue>::from_query("");
        s.apply(Action::LoadPreset("acks1_leader_dies"));
        assert!(!s.query().contains("&b="));
        let g = s.generation;
        s.apply(Action::Compare(true));
        assert_eq!(
            s.compare.as_ref(),
            Some(&s.params),
            "B starts as a copy of A"
        );
        assert_eq!(s.generation, g, "A's run goes on");
        assert!(s.query().contains("&b=&"), "{}", s.query());
        s.apply(Action::SetB("acks".into(), "all".into()));
        assert_eq!(s.compare.as_ref().unwrap().acks, Acks::All);
        assert_eq!(s.params.acks, Acks::One, "A keeps its own");
        assert_eq!(s.preset, Some("acks1_leader_dies"), "A is still the preset");
        assert!(s.query().contains("&b=acks%3Dall&"), "{}", s.query());
        let back = LabState::<Queue>::from_query(&s.query());
        assert!(back.url_problems.is_empty(), "{:?}", back.url_problems);
        assert_eq!(
            (&back.params, &back.compare, back.seed),
            (&s.params, &s.compare, s.seed)
        );
        // A changes; B keeps its params (and the link still holds them exactly).
        let b = s.compare.clone();
        s.apply(Action::Set("partitions".into(), "6".into()));
        assert_eq!(s.params.partitions, 6);
        assert_eq!(s.compare, b);
        let back = LabState::<Queue>::from_query(&s.query());
        assert_eq!(back.compare, s.compare);
        // Copy A to B, stop.
        s.apply(Action::CopyToB);
        assert_eq!(s.compare.as_ref(), Some(&s.params));
        s.apply(Action::Compare(false));
        assert_eq!(s.compare, None);
        assert!(!s.query().contains("&b="));
    }

    #[test]
    fn bad_values_of_b_are_reported_naming_b_s_key_and_the_range() {
        use flowlab_sim::labs::queue::Queue;
        let s = LabState::<Queue>::from_query(
            "partitions=4&b=partitions%3D0%26acks%3Dall%26nope%3D1%26seed%3D3",
        );
        assert_eq!(s.params.partitions, 4);
        let b = s.compare.clone().expect("B is on");
        assert_eq!(b.partitions, 4, "a bad value keeps A's");
        assert_eq!(
            b.acks,
            flowlab_sim::labs::queue::Acks::All,
            "the rest applies"
        );
        let texts: Vec<String> = s
            .url_problems
            .iter()
            .map(|p| crate::i18n::describe_problem(crate::i18n::Lang::En, p))
            .collect();
        assert_eq!(texts.len(), 3, "{texts:?}");
        assert!(
            texts
                .iter()
                .any(|t| t.contains("b.partitions") && t.contains("1..=")),
            "{texts:?}"
        );
        assert!(texts.iter().any(|t| t.contains("b.nope")), "{texts:?}");
        assert!(texts.iter().any(|t| t.contains("b.seed")), "{texts:?}");
        // Typed in B's form: refused, named as B's.
        let mut t = s.clone();
        t.apply(Action::SetB("partitions".into(), "0".into()));
        match &t.input_problem {
            Some(Problem::Invalid(e)) => assert_eq!(e.field, "b.partitions"),
            other => panic!("{other:?}"),
        }
        assert_eq!(t.compare, s.compare);
    }
}
