//! Guided tours: for every lab with a page, 5–8 steps written as data (each lab's
//! `labs/<lab>/tour.rs`), their words in the lab's text table. A step sets the lab up (a preset
//! and/or keys as in a link, and a seed), points at a part of the page (a field by its knob key, a
//! fault button, the picture, a chart, the results), and waits for the user to do its action (a
//! knob reaching a value, a button pressed) before Next is offered. The page's part is
//! `lab::tour`; the link carries the step (`tour=3`). Plain Rust, tested natively: every setup is
//! valid for its lab, every target exists, every effect a step's words claim holds on the engine.

/// The link's key naming the tour's step (1-based).
pub const LINK_KEY: &str = "tour";
/// A tour's length.
pub const MIN_STEPS: usize = 5;
pub const MAX_STEPS: usize = 8;

/// How a step sets the lab up: a preset's params and seed (or the defaults), keys set over them
/// as in a link, and a seed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Setup {
    pub preset: Option<&'static str>,
    pub set: &'static [(&'static str, &'static str)],
    pub seed: Option<u64>,
    /// Timed labs: the run goes to this virtual time at once and pauses there (Play goes on).
    pub at_ms: Option<u64>,
}

/// The setup of a step that opens one of the lab's presets, as it is.
pub const fn preset(id: &'static str) -> Option<Setup> {
    Some(Setup {
        preset: Some(id),
        set: &[],
        seed: None,
        at_ms: None,
    })
}

/// What a step points at.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Target {
    /// A field of the params form, by its knob key (a knob the form shows without "all").
    Knob(&'static str),
    /// A fault or operator button, by its `data-action`.
    Action(&'static str),
    /// The picture.
    Picture,
    /// The lab's chart number `i` (its canvas).
    Chart(usize),
    /// A checker of the whole run, by its metric key.
    Checker(&'static str),
    /// A lane's row of the results table.
    Lane(&'static str),
    /// The results.
    Results,
    /// The Run button (labs that end by themselves).
    Run,
}

impl Target {
    /// The CSS selector of the page's element.
    pub fn selector(&self) -> String {
        match self {
            Target::Knob(k) => format!("label.field:has([data-param=\"{k}\"])"),
            Target::Action(a) => format!("[data-action=\"{a}\"]"),
            Target::Picture => ".stage".into(),
            Target::Chart(i) => format!("#chart-{i}"),
            Target::Checker(m) => format!("#checkers [data-metric=\"{m}\"]"),
            Target::Lane(l) => format!("#results tr[data-lane=\"{l}\"]"),
            Target::Results => ".panel.results".into(),
            Target::Run => "#btn-run".into(),
        }
    }
}

/// What a step waits for before Next is offered.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Wait {
    /// Nothing: reading is the step.
    Read,
    /// A knob set to a value (as text, as in a link).
    Knob(&'static str, &'static str),
    /// A fault or operator button pressed, by its `data-action`.
    Action(&'static str),
    /// The Run button pressed (labs that end by themselves).
    Run,
}

impl Wait {
    /// The selector of the button the step waits for a press of, if it waits for one.
    pub fn click_selector(&self) -> Option<String> {
        match self {
            Wait::Action(a) => Some(Target::Action(a).selector()),
            Wait::Run => Some(Target::Run.selector()),
            _ => None,
        }
    }
}

/// How a claimed figure compares.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cmp {
    AtLeast(f64),
    AtMost(f64),
}

/// An effect a step's words claim, checked by a test on the engine: with the step's setup and
/// `set` over it (the step's action as a knob, or a click as its scheduled equivalent), figure
/// `metric` (a path of `flowlab run`'s JSON) compares so on every seed tried.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Claim {
    pub set: &'static [(&'static str, &'static str)],
    pub metric: &'static str,
    pub cmp: Cmp,
    /// Virtual seconds run (labs that end by themselves run to their end).
    pub until_s: u32,
}

/// One step of a tour. Its words: `<lab>.tour.<id>.title`, `.body` and, when it waits for
/// something, `.do` (the action, in a few words).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Step {
    pub id: &'static str,
    /// None: the lab stays as the previous step (or the user) left it.
    pub setup: Option<Setup>,
    /// Highlighted; the first is scrolled to.
    pub targets: &'static [Target],
    pub wait: Wait,
    pub claims: &'static [Claim],
}

impl Step {
    pub fn text_id(&self, lab: &str, part: &str) -> String {
        format!("{lab}.tour.{}.{part}", self.id)
    }
}

/// The tour of lab `id` (empty for a lab without one).
pub fn of_lab(id: &str) -> &'static [Step] {
    crate::labs::tour(id)
}

/// Whether `key` of `params` already has the value `text` (as a link would set it).
pub fn knob_is<P: flowlab_sim::kernel::knobs::Knobs>(params: &P, key: &str, text: &str) -> bool {
    crate::url_state::apply(params, key, text).is_ok_and(|p| p == *params)
}

/// The link's query without its tour part, and the step it named (the first, as written).
pub fn split_link(query: &str) -> (String, Option<String>) {
    crate::url_state::split_key(query, LINK_KEY)
}

/// Step `text` (1-based, as in a link) of lab `lab`'s tour, as an index; or the problem, naming
/// the key and the allowed range.
pub fn parse_step(lab: &str, text: &str) -> Result<usize, crate::url_state::Problem> {
    let n = of_lab(lab).len();
    match text.trim().parse::<usize>() {
        Ok(k) if (1..=n).contains(&k) => Ok(k - 1),
        _ => Err(crate::url_state::Problem::BadValue {
            key: LINK_KEY.into(),
            value: text.chars().take(20).collect(),
            expected: if n == 0 {
                crate::url_state::Expect::OneOf(Vec::new())
            } else {
                crate::url_state::Expect::Whole(format!("1..={n}"))
            },
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flowlab_sim::kernel::time::NS_PER_S;
    use flowlab_sim::labs::AnyLab;
    use serde_json::Value;

    fn lab(id: &str) -> &'static dyn AnyLab {
        flowlab_sim::labs::by_id(id).expect("a registered lab")
    }

    /// A setup's params and seed, through the lab's own `set` (the link's and `--set`'s rules).
    fn apply(lab: &dyn AnyLab, s: &Setup) -> Result<(Value, u64), String> {
        let (mut p, mut seed) = match s.preset {
            Some(id) => lab.preset(id).ok_or(format!("no preset {id}"))?,
            None => (lab.defaults(), lab.default_seed()),
        };
        for (k, v) in s.set {
            p = lab.set(&p, k, v).map_err(|e| format!("{k}={v}: {e}"))?;
        }
        if let Some(x) = s.seed {
            seed = x;
        }
        Ok((p, seed))
    }

    /// The setup each step starts from (the last one given, for steps that keep the lab).
    fn setups(id: &str) -> Vec<Setup> {
        let mut last: Option<Setup> = None;
        of_lab(id)
            .iter()
            .map(|s| {
                if s.setup.is_some() {
                    last = s.setup;
                }
                last.unwrap_or_else(|| panic!("{id}: the first step sets the lab up"))
            })
            .collect()
    }

    /// A source file's text, to check the names of buttons a step points at.
    fn ui_source(id: &str) -> &'static str {
        match id {
            "limiter" => include_str!("labs/limiter/mod.rs"),
            "queue" => include_str!("labs/queue/mod.rs"),
            "chat" => include_str!("labs/chat/mod.rs"),
            "flash-sale" => include_str!("labs/flash_sale/mod.rs"),
            "cache" => include_str!("labs/cache/mod.rs"),
            "snowflake" => include_str!("labs/snowflake/mod.rs"),
            _ => "",
        }
    }

    /// How many charts a lab's page has: the titles in its `LabUi::CHARTS`.
    fn charts(id: &str) -> usize {
        let src = ui_source(id);
        let start = src
            .find("const CHARTS")
            .expect("every page declares its charts");
        let decl = &src[start..];
        let end = decl.find("];").expect("a list");
        decl[..end].matches('"').count() / 2
    }

    #[test]
    fn every_lab_with_a_page_has_a_tour_of_5_to_8_steps_with_unique_ids() {
        for id in crate::labs::ids() {
            let steps = of_lab(id);
            assert!(
                (MIN_STEPS..=MAX_STEPS).contains(&steps.len()),
                "{id}: {} steps",
                steps.len()
            );
            let mut ids: Vec<_> = steps.iter().map(|s| s.id).collect();
            ids.sort();
            ids.dedup();
            assert_eq!(ids.len(), steps.len(), "{id}: step ids repeat");
            assert!(
                steps.iter().any(|s| s.wait != Wait::Read),
                "{id}: nothing to do"
            );
        }
    }

    /// Every step's words are in the tables in both languages; a step that waits says what to do.
    #[test]
    fn every_step_has_its_words_in_both_languages() {
        let cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        let mut missing = Vec::new();
        for id in crate::labs::ids() {
            for s in of_lab(id) {
                let mut parts = vec!["title", "body"];
                if s.wait != Wait::Read {
                    parts.push("do");
                }
                for part in parts {
                    let t = s.text_id(id, part);
                    match crate::i18n::both_id(&t) {
                        Some((en, zh)) if !en.is_empty() && cjk(zh) => {}
                        _ => missing.push(t),
                    }
                }
            }
        }
        assert!(missing.is_empty(), "{missing:#?}");
    }

    /// Every setup applies to its lab (a preset that exists, keys in range, within the page's
    /// budget); every knob a step points at or waits for exists and shows without "all"; a value
    /// waited for is valid there and is not already set (the user has something to do); a button
    /// is one the lab's page has.
    #[test]
    fn every_setup_target_and_wait_is_real() {
        for id in crate::labs::ids() {
            let lab = lab(id);
            let knobs = lab.knobs();
            let shown = |k: &str| knobs.iter().any(|x| x.key == k && !x.advanced);
            for (s, setup) in of_lab(id).iter().zip(setups(id)) {
                let (p, _) = apply(lab, &setup).unwrap_or_else(|e| panic!("{id}.{}: {e}", s.id));
                let cost = lab.cost(&p).expect("decodes");
                cost.admit(&p, flowlab_sim::kernel::cost::PAGE_BUDGET_BYTES)
                    .unwrap_or_else(|e| panic!("{id}.{}: over the page's budget: {e}", s.id));
                for t in s.targets {
                    match t {
                        Target::Knob(k) => assert!(shown(k), "{id}.{}: knob {k} not shown", s.id),
                        Target::Action(a) => assert!(
                            ui_source(id).contains(&format!("\"{a}\"")),
                            "{id}.{}: no button {a}",
                            s.id
                        ),
                        Target::Chart(i) => {
                            assert!(*i < charts(id), "{id}.{}: chart {i}", s.id)
                        }
                        Target::Run => assert!(!lab.timed(), "{id}: a timed lab has no Run"),
                        _ => {}
                    }
                }
                match s.wait {
                    Wait::Knob(k, v) => {
                        assert!(shown(k), "{id}.{}: knob {k} not shown", s.id);
                        let after = lab
                            .set(&p, k, v)
                            .unwrap_or_else(|e| panic!("{id}.{}: {k}={v}: {e}", s.id));
                        assert_ne!(after, p, "{id}.{}: {k} is {v} already", s.id);
                        assert!(
                            s.targets.contains(&Target::Knob(k)),
                            "{id}.{}: the knob waited for is pointed at",
                            s.id
                        );
                    }
                    Wait::Action(a) => {
                        assert!(
                            ui_source(id).contains(&format!("\"{a}\"")),
                            "{id}.{}: no button {a}",
                            s.id
                        );
                        assert!(s.targets.contains(&Target::Action(a)), "{id}.{}", s.id);
                    }
                    Wait::Run => assert!(!lab.timed(), "{id}: a timed lab has no Run"),
                    Wait::Read => {}
                }
            }
        }
    }

    /// Every effect a step claims holds on the engine, on the step's seed and the next few.
    fn claims_hold(id: &str, seeds: u64) {
        let lab = lab(id);
        let mut failed = Vec::new();
        for (s, setup) in of_lab(id).iter().zip(setups(id)) {
            for c in s.claims {
                let (mut p, seed) = apply(lab, &setup).expect("checked above");
                for (k, v) in c.set {
                    p = lab.set(&p, k, v).unwrap_or_else(|e| panic!("{k}={v}: {e}"));
                }
                for seed in seed..seed + seeds {
                    let until = u64::from(c.until_s) * NS_PER_S;
                    let f = flowlab_sim::sweep::run_full(lab, &p, seed, until, &mut |_| {})
                        .unwrap_or_else(|e| panic!("{id}.{}: {e}", s.id));
                    let x = f.number(c.metric);
                    let ok = match (x, c.cmp) {
                        (Some(x), Cmp::AtLeast(v)) => x >= v,
                        (Some(x), Cmp::AtMost(v)) => x <= v,
                        (None, _) => false,
                    };
                    if !ok {
                        failed.push(format!(
                            "{id}.{} {:?}: {} = {x:?}, claimed {:?} (seed {seed})",
                            s.id, c.set, c.metric, c.cmp
                        ));
                    }
                }
            }
        }
        assert!(failed.is_empty(), "{failed:#?}");
    }

    #[test]
    fn limiter_tour_claims_hold() {
        claims_hold("limiter", 3);
    }
    #[test]
    fn queue_tour_claims_hold() {
        claims_hold("queue", 2);
    }
    #[test]
    fn chat_tour_claims_hold() {
        claims_hold("chat", 2);
    }
    #[test]
    fn flash_sale_tour_claims_hold() {
        claims_hold("flash-sale", 1);
    }
    #[test]
    fn cache_tour_claims_hold() {
        claims_hold("cache", 2);
    }
    #[test]
    fn snowflake_tour_claims_hold() {
        claims_hold("snowflake", 2);
    }

    #[test]
    fn a_step_in_the_link_is_read_and_a_bad_one_names_the_range() {
        let (rest, step) = split_link("seed=3&tour=2&acks=one");
        assert_eq!(
            (rest.as_str(), step.as_deref()),
            ("seed=3&acks=one", Some("2"))
        );
        assert_eq!(parse_step("queue", "2"), Ok(1));
        for bad in ["0", "99", "two", "-1", ""] {
            match parse_step("queue", bad) {
                Err(crate::url_state::Problem::BadValue { key, expected, .. }) => {
                    assert_eq!(key, "tour");
                    let n = of_lab("queue").len();
                    assert_eq!(
                        expected,
                        crate::url_state::Expect::Whole(format!("1..={n}"))
                    );
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
        assert!(
            parse_step("limiter-queue", "1").is_err(),
            "no page, no tour"
        );
    }
}
