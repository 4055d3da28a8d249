//! The labs, and the registry that lists them: one line per lab in [`labs!`] declares its module
//! and registers it. The command line and the page find every lab here (its id, knob table, metric
//! list, presets and checkers) and run it through [`AnyLab`] / [`AnyRun`], without naming it.

use std::marker::PhantomData;

use serde_json::Value;

use crate::kernel::cost::Cost;
use crate::kernel::knobs::{Knob, Knobs};
use crate::kernel::lab::{Checker, Extent, Lab};
use crate::kernel::model::{Advance, Model, ParamError, Validate};
use crate::kernel::query::{self, Problem};
use crate::kernel::report::{Metric, Report};
use crate::kernel::sim::{Planned, Sim};
use crate::kernel::time::Nanos;
use crate::replay::{Act, ActionError, ActionLog, ActionProblem};

macro_rules! labs {
    ($($module:ident => $lab:ident),* $(,)?) => {
        $( pub mod $module; )*

        /// Every registered lab, in the order the page lists them.
        pub fn all() -> Vec<&'static dyn AnyLab> {
            vec![$( &Reg::<$module::$lab>(PhantomData) ),*]
        }
    };
}

labs! {
    limiter => Limiter,
    queue => Queue,
    chat => Chat,
    limiter_queue => LimiterQueue,
    flash_sale => Sale,
    cache => Cache,
    snowflake => Snowflake,
}

/// The registered lab with this id.
pub fn by_id(id: &str) -> Option<&'static dyn AnyLab> {
    all().into_iter().find(|l| l.id() == id)
}

/// A preset as the registry lists it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PresetInfo {
    pub id: &'static str,
    pub seed: u64,
    /// The report path of the figure the preset exists to show ([`Preset::headline`]).
    ///
    /// [`Preset::headline`]: crate::kernel::preset::Preset::headline
    pub headline: &'static str,
}

/// A params value that could not be read: where, and why.
#[derive(Clone, Debug, PartialEq)]
pub enum DecodeError {
    /// Not of the params' shape: the dotted path ("" for the whole) and what serde said.
    Shape { path: String, message: String },
    /// Of the right shape, but refused by the validation.
    Invalid(ParamError),
}

/// A registered lab, without its types: what the command line and the page's shell need.
pub trait AnyLab: Send + Sync {
    /// Registry id (`limiter`, `flash-sale`).
    fn id(&self) -> &'static str;
    /// One line about the lab.
    fn about(&self) -> &'static str;
    /// The command line quiesces its runs and reports their figures at rest too.
    fn checks_at_rest(&self) -> bool;
    /// The knob table.
    fn knobs(&self) -> Vec<Knob>;
    /// The metric list.
    fn metrics(&self) -> &'static [&'static Metric];
    fn presets(&self) -> Vec<PresetInfo>;
    fn checkers(&self) -> &'static [Checker];
    /// The kinds of anomaly its "why did that happen" log notes.
    fn why_kinds(&self) -> &'static [crate::kernel::why::Kind];
    fn default_seed(&self) -> u64;
    /// Whether its runs last as long as they are told (rather than ending by themselves).
    fn timed(&self) -> bool;
    /// The default params, as JSON.
    fn defaults(&self) -> Value;
    /// A preset's params (as JSON) and seed.
    fn preset(&self, id: &str) -> Option<(Value, u64)>;
    /// Reads `v` as this lab's params (every field present or defaulted), and validates them.
    fn decode(&self, v: Value) -> Result<Value, DecodeError>;
    /// Sets one dotted key on `params` from text, as the page's URL and `--set` do.
    fn set(&self, params: &Value, key: &str, text: &str) -> Result<Value, Problem>;
    /// The link query of `params` and `seed` (what differs from the defaults).
    fn to_query(&self, params: &Value, seed: u64) -> String;
    /// Params, seed and problems of a link query (over the defaults).
    fn parse_query(&self, query: &str) -> (Value, Option<u64>, Vec<Problem>);
    /// Starts a run of valid `params`.
    fn start(&self, params: &Value, seed: u64) -> Result<Box<dyn AnyRun>, ParamError>;
    /// What a run of valid `params` costs.
    fn cost(&self, params: &Value) -> Result<Cost, DecodeError>;
    /// Whether `verb` (JSON) is one of the lab's faults or operator actions; serde's words if not.
    fn check_verb(&self, verb: &Value) -> Result<(), String>;
}

/// A run of a registered lab, without its types.
pub trait AnyRun: Send {
    fn now(&self) -> Nanos;
    fn advance_to(&mut self, until: Nanos, budget: u64) -> Advance;
    fn advance(&mut self, budget: u64) -> Advance;
    fn is_done(&self) -> bool;
    fn extent(&self) -> Extent;
    /// Work done so far (events and stream items).
    fn work(&self) -> u64;
    fn figures(&self) -> Report;
    fn quiesce(&mut self, limit: Nanos) -> bool;
    fn final_figures(&self) -> Report;
    /// Figures the run reports only once something has happened ([`Lab::reported_later`]).
    fn reported_later(&self) -> Vec<(&'static str, &'static Metric)>;
    fn digest(&self) -> u64;
    /// Applies a fault or operator action given as its JSON (`{"crash_broker": 1}`, `"add_node"`);
    /// an action the lab does not know is refused with serde's words (which list the known ones).
    fn apply_json(&mut self, verb: &Value) -> Result<(), String>;
    /// Applies knob `key` of `params` to the running run; false if the knob is not live (or the
    /// lab cannot take it while running), and an error if `params` are not this lab's.
    fn set_live_json(&mut self, params: &Value, key: &str) -> Result<bool, String>;
    /// A copy of the run as it is now, which goes on exactly as this one would (a checkpoint of
    /// the timeline).
    fn checkpoint(&self) -> Box<dyn AnyRun>;
    /// Plans `log`'s actions later than `after` (all of them if `None`), so the run applies each
    /// by itself at its time however it is advanced; `params` are the params the run started
    /// with (a knob change applies to them and to the changes before it).
    fn plan_log(
        &mut self,
        params: &Value,
        log: &ActionLog,
        after: Option<Nanos>,
    ) -> Result<(), ActionError>;
    /// Planned knob changes the lab refused while running.
    fn refused_changes(&self) -> u32;
    /// Its "why did that happen" log, if the lab keeps one, and the kinds it notes.
    fn why(
        &self,
    ) -> Option<(
        &'static [crate::kernel::why::Kind],
        &crate::kernel::why::WhyLog,
    )>;
}

#[derive(Clone)]
struct Reg<L>(PhantomData<fn() -> L>);

fn typed<P: Knobs>(v: &Value) -> Result<P, DecodeError> {
    serde_path_to_error::deserialize(v.clone()).map_err(|e| DecodeError::Shape {
        path: e.path().to_string(),
        message: e.inner().to_string(),
    })
}

impl<L: Lab> AnyLab for Reg<L>
where
    Sim<L>: Send,
{
    fn id(&self) -> &'static str {
        L::ID
    }

    fn about(&self) -> &'static str {
        L::ABOUT
    }

    fn checks_at_rest(&self) -> bool {
        L::CHECKS_AT_REST
    }

    fn knobs(&self) -> Vec<Knob> {
        L::Params::knobs()
    }

    fn metrics(&self) -> &'static [&'static Metric] {
        L::metrics()
    }

    fn presets(&self) -> Vec<PresetInfo> {
        L::presets()
            .into_iter()
            .map(|p| PresetInfo {
                id: p.id,
                seed: p.seed,
                headline: p.headline,
            })
            .collect()
    }

    fn checkers(&self) -> &'static [Checker] {
        L::checkers()
    }

    fn why_kinds(&self) -> &'static [crate::kernel::why::Kind] {
        L::why_kinds()
    }

    fn default_seed(&self) -> u64 {
        L::default_seed()
    }

    fn timed(&self) -> bool {
        L::extent(&L::Params::default()) == Extent::Timed
    }

    fn defaults(&self) -> Value {
        serde_json::to_value(L::Params::default()).expect("params serialise to JSON")
    }

    fn preset(&self, id: &str) -> Option<(Value, u64)> {
        L::presets().into_iter().find(|p| p.id == id).map(|p| {
            (
                serde_json::to_value(&p.params).expect("params serialise to JSON"),
                p.seed,
            )
        })
    }

    fn decode(&self, v: Value) -> Result<Value, DecodeError> {
        let p: L::Params = typed(&v)?;
        p.validate().map_err(DecodeError::Invalid)?;
        Ok(serde_json::to_value(&p).expect("params serialise to JSON"))
    }

    fn set(&self, params: &Value, key: &str, text: &str) -> Result<Value, Problem> {
        let p: L::Params = typed(params).map_err(|_| Problem::UnknownKey(key.to_string()))?;
        let p = query::apply(&p, key, text)?;
        Ok(serde_json::to_value(&p).expect("params serialise to JSON"))
    }

    fn to_query(&self, params: &Value, seed: u64) -> String {
        let p: L::Params = typed(params).unwrap_or_default();
        query::to_query(&p, &L::Params::default(), seed)
    }

    fn parse_query(&self, q: &str) -> (Value, Option<u64>, Vec<Problem>) {
        let parsed = query::parse(q, L::Params::default());
        (
            serde_json::to_value(&parsed.params).expect("params serialise to JSON"),
            parsed.seed,
            parsed.problems,
        )
    }

    fn cost(&self, params: &Value) -> Result<Cost, DecodeError> {
        let p: L::Params = typed(params)?;
        Ok(L::cost(&p))
    }

    fn check_verb(&self, verb: &Value) -> Result<(), String> {
        serde_json::from_value::<L::Fault>(verb.clone())
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    fn start(&self, params: &Value, seed: u64) -> Result<Box<dyn AnyRun>, ParamError> {
        let p: L::Params = typed(params).map_err(|e| match e {
            DecodeError::Shape { path, message } => ParamError::new(path, "", message),
            DecodeError::Invalid(e) => e,
        })?;
        Ok(Box::new(Sim::<L>::new(p, seed)?))
    }
}

/// Plans `log`'s actions later than `after` (all if `None`) in `sim`, whose run started with
/// `params` (what [`AnyRun::plan_log`] does, for a run of a known lab type).
pub fn plan_log<L: Lab>(
    sim: &mut Sim<L>,
    params: &Value,
    log: &ActionLog,
    after: Option<Nanos>,
) -> Result<(), ActionError> {
    let mut p: L::Params = typed(params).map_err(|e| ActionError {
        index: 0,
        text: String::new(),
        problem: ActionProblem::Unknown(format!("{e:?}")),
    })?;
    let mut plan = Vec::new();
    for (i, a) in log.actions.iter().enumerate() {
        let err = |problem| ActionError {
            index: i + 1,
            text: a.to_string(),
            problem,
        };
        let planned = match &a.act {
            Act::Verb(v) => Planned::Fault(
                serde_json::from_value(v.clone())
                    .map_err(|e| err(ActionProblem::Unknown(e.to_string())))?,
            ),
            Act::Set { key, value } => {
                p = query::apply(&p, key, value).map_err(|e| err(ActionProblem::Knob(e)))?;
                Planned::Live(p.clone(), key.clone())
            }
        };
        if after.is_none_or(|t| a.at > t) {
            plan.push((a.at.max(Model::now(sim)), planned));
        }
    }
    sim.plan(plan);
    Ok(())
}

impl<L: Lab> AnyRun for Sim<L>
where
    Sim<L>: Send,
{
    fn now(&self) -> Nanos {
        Model::now(self)
    }

    fn advance_to(&mut self, until: Nanos, budget: u64) -> Advance {
        Model::advance_to(self, until, budget)
    }

    fn advance(&mut self, budget: u64) -> Advance {
        Sim::advance(self, budget)
    }

    fn is_done(&self) -> bool {
        Sim::is_done(self)
    }

    fn extent(&self) -> Extent {
        Sim::extent(self)
    }

    fn work(&self) -> u64 {
        Sim::work(self)
    }

    fn figures(&self) -> Report {
        Sim::figures(self)
    }

    fn quiesce(&mut self, limit: Nanos) -> bool {
        Sim::quiesce(self, limit)
    }

    fn final_figures(&self) -> Report {
        Sim::final_figures(self)
    }

    fn reported_later(&self) -> Vec<(&'static str, &'static Metric)> {
        self.lab().reported_later()
    }

    fn digest(&self) -> u64 {
        Model::digest(self)
    }

    fn apply_json(&mut self, verb: &Value) -> Result<(), String> {
        let f: L::Fault = serde_json::from_value(verb.clone()).map_err(|e| e.to_string())?;
        Sim::apply(self, f);
        Ok(())
    }

    fn checkpoint(&self) -> Box<dyn AnyRun> {
        Box::new(self.clone())
    }

    fn plan_log(
        &mut self,
        params: &Value,
        log: &ActionLog,
        after: Option<Nanos>,
    ) -> Result<(), ActionError> {
        plan_log(self, params, log, after)
    }

    fn refused_changes(&self) -> u32 {
        Sim::refused_changes(self)
    }

    fn set_live_json(&mut self, params: &Value, key: &str) -> Result<bool, String> {
        let p: L::Params = typed(params).map_err(|e| match e {
            DecodeError::Shape { path, message } => format!("{path}: {message}"),
            DecodeError::Invalid(e) => e.to_string(),
        })?;
        Ok(Sim::set_live(self, &p, key))
    }

    fn why(
        &self,
    ) -> Option<(
        &'static [crate::kernel::why::Kind],
        &crate::kernel::why::WhyLog,
    )> {
        self.lab().why().map(|w| (L::why_kinds(), w))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_every_lab_starts_from_its_defaults_and_presets() {
        let labs = all();
        let mut ids: Vec<&str> = labs.iter().map(|l| l.id()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), labs.len());
        for lab in labs {
            assert!(!lab.knobs().is_empty(), "{}", lab.id());
            assert!(!lab.metrics().is_empty(), "{}", lab.id());
            let d = lab.decode(lab.defaults()).expect("defaults decode");
            assert!(lab.start(&d, 1).is_ok(), "{}", lab.id());
            for p in lab.presets() {
                let (v, seed) = lab.preset(p.id).unwrap();
                assert_eq!(seed, p.seed);
                assert!(lab.decode(v).is_ok(), "{} {}", lab.id(), p.id);
            }
        }
    }

    #[test]
    fn every_knob_default_is_in_its_table_range() {
        for lab in all() {
            let root = lab.defaults();
            for k in lab.knobs() {
                assert_eq!(
                    crate::kernel::knobs::leaf(&root, &k.key),
                    Some(&k.default),
                    "{} {}",
                    lab.id(),
                    k.key
                );
                k.check(&root)
                    .unwrap_or_else(|e| panic!("{}: {e}", lab.id()));
            }
        }
    }

    /// The page offers every preset and the defaults: each must fit its memory budget.
    #[test]
    fn every_preset_and_the_defaults_fit_the_page_budget() {
        use crate::kernel::cost::PAGE_BUDGET_BYTES;
        for lab in all() {
            let mut cases = vec![("defaults", lab.defaults())];
            for p in lab.presets() {
                cases.push((p.id, lab.preset(p.id).unwrap().0));
            }
            for (id, v) in cases {
                let cost = lab.cost(&v).unwrap();
                assert!(
                    cost.admit(&v, PAGE_BUDGET_BYTES).is_ok(),
                    "{} {id}: {} MB",
                    lab.id(),
                    cost.memory() >> 20
                );
            }
        }
    }

    #[test]
    fn set_goes_through_the_typed_params() {
        let lab = by_id("limiter").unwrap();
        let v = lab.set(&lab.defaults(), "fixed_window.limit", "7").unwrap();
        assert_eq!(v["fixed_window"]["limit"], 7);
        assert!(matches!(
            lab.set(&lab.defaults(), "fixed_window.limit", "0"),
            Err(Problem::Invalid(_))
        ));
        assert!(matches!(
            lab.decode(serde_json::json!({"fixed_window": {"limt": 3}})),
            Err(DecodeError::Shape { .. })
        ));
    }
}
