//! The engine's web workers: the messages between the page and a worker, the worker itself (built
//! as the second binary, `src/bin/worker.rs`) and, on the page, [`pool`]: a pool of them for batch
//! runs (sweeps), with a fallback on the main thread where workers are unavailable.
//!
//! Messages are plain serde types (gloo-worker encodes them with bincode); params travel as JSON
//! text, since bincode cannot carry a free-form `serde_json::Value`.

use serde::{Deserialize, Serialize};

use flowlab_sim::kernel::time::Nanos;

pub mod live;
#[cfg(target_arch = "wasm32")]
pub mod pool;

/// Bumped when the messages change: a page and a worker of different builds refuse each other.
pub const PROTOCOL: u32 = 2;

/// What the page asks a worker.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Request {
    /// Are you there, and do we speak the same protocol?
    Hello,
    /// Runs to do, one after another, each from its params and seed to its end.
    Batch(BatchJob),
    /// Grade params against a challenge.
    Check(CheckJob),
    /// The page's live run: its commands and the frame it wants ([`live`]).
    Live(live::LiveRequest),
}

/// What a worker answers.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Response {
    Hello { protocol: u32 },
    Batch(BatchDone),
    Check(CheckDone),
    Live(live::LiveAnswer),
}

/// Some runs of one sweep point: the same params on several seeds.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BatchJob {
    /// Which sweep asked (a cancelled sweep's late answers are dropped by it).
    pub sweep: u64,
    pub lab: String,
    /// The point's params, as JSON.
    pub params: String,
    pub point: u32,
    pub seeds: Vec<u64>,
    /// Virtual time a timed lab runs to.
    pub until: Nanos,
    /// The figure read at the end of each run (a report path).
    pub metric: String,
}

/// The runs of a [`BatchJob`], done.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BatchDone {
    pub sweep: u64,
    pub point: u32,
    pub runs: Vec<RunDone>,
    /// Wall milliseconds the runs took where they ran (a benchmark's figure: the engine's time
    /// in the worker, apart from the trips to and from it).
    pub busy_ms: f64,
}

/// One run's result: the figure (absent when the run did not report it), its digest, or why it
/// could not run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunDone {
    pub seed: u64,
    pub value: Option<f64>,
    pub digest: u64,
    pub error: Option<String>,
}

/// Grade `params` (JSON) against challenge `challenge` on `seed`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CheckJob {
    /// Which check asked (a late answer to an older one is dropped).
    pub id: u64,
    pub challenge: String,
    pub params: String,
    pub seed: u64,
}

/// A graded [`CheckJob`]: the verdict as JSON (`flowlab_sim::challenge::Verdict`), or the refusal
/// in English and in Chinese.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckDone {
    pub id: u64,
    pub verdict: Option<String>,
    pub error: Option<(String, String)>,
}

/// Does a check here and now (in a worker, or on the main thread when workers are missing).
pub fn do_check(job: &CheckJob) -> CheckDone {
    use crate::i18n::{describe_error, Lang};
    let failed = |en: String, zh: String| CheckDone {
        id: job.id,
        verdict: None,
        error: Some((en, zh)),
    };
    let Some(ch) = flowlab_sim::challenge::by_id(&job.challenge) else {
        let m = format!("unknown challenge `{}`", job.challenge);
        return failed(m.clone(), m);
    };
    let params: serde_json::Value = match serde_json::from_str(&job.params) {
        Ok(v) => v,
        Err(e) => return failed(format!("params: {e}"), format!("params: {e}")),
    };
    match flowlab_sim::challenge::check(ch, &params, job.seed) {
        Ok(v) => CheckDone {
            id: job.id,
            verdict: Some(serde_json::to_string(&v).expect("a verdict serialises")),
            error: None,
        },
        Err(e) => failed(describe_error(Lang::En, &e), describe_error(Lang::Zh, &e)),
    }
}

/// Does a batch job here and now (in a worker, or on the main thread when workers are missing),
/// timed by `now_ms`.
pub fn do_batch(job: &BatchJob, now_ms: &dyn Fn() -> f64) -> BatchDone {
    let t0 = now_ms();
    let runs = job.seeds.iter().map(|&seed| one_run(job, seed)).collect();
    BatchDone {
        sweep: job.sweep,
        point: job.point,
        runs,
        busy_ms: (now_ms() - t0).max(0.0),
    }
}

fn one_run(job: &BatchJob, seed: u64) -> RunDone {
    let failed = |e: String| RunDone {
        seed,
        value: None,
        digest: 0,
        error: Some(e),
    };
    let Some(lab) = flowlab_sim::labs::by_id(&job.lab) else {
        return failed(format!("unknown lab `{}`", job.lab));
    };
    let params: serde_json::Value = match serde_json::from_str(&job.params) {
        Ok(v) => v,
        Err(e) => return failed(format!("params: {e}")),
    };
    match flowlab_sim::sweep::run_one(lab, &params, seed, job.until, &job.metric) {
        Ok(out) => RunDone {
            seed,
            value: out.value,
            digest: out.digest,
            error: None,
        },
        Err(e) => failed(e.to_string()),
    }
}

#[cfg(target_arch = "wasm32")]
pub use imp::{register, Engine};

#[cfg(target_arch = "wasm32")]
mod imp {
    use gloo_worker::{HandlerId, Registrable, Worker, WorkerScope};

    use wasm_bindgen::JsCast;

    use super::live::Live;
    use super::{do_batch, do_check, Request, Response, PROTOCOL};

    /// Wall milliseconds in the worker.
    fn now_ms() -> f64 {
        let global: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
        global.performance().map_or(0.0, |p| p.now())
    }

    /// The worker: answers each request in turn.
    pub struct Engine {
        /// The page's live run, when this worker holds it.
        live: Live,
    }

    impl Worker for Engine {
        type Message = ();
        type Input = Request;
        type Output = Response;

        fn create(_scope: &WorkerScope<Self>) -> Self {
            Engine {
                live: Live::default(),
            }
        }

        fn update(&mut self, _scope: &WorkerScope<Self>, _msg: ()) {}

        fn received(&mut self, scope: &WorkerScope<Self>, msg: Request, id: HandlerId) {
            let out = match msg {
                Request::Hello => Response::Hello { protocol: PROTOCOL },
                Request::Batch(job) => Response::Batch(do_batch(&job, &now_ms)),
                Request::Check(job) => Response::Check(do_check(&job)),
                Request::Live(req) => Response::Live(self.live.handle(req, &now_ms)),
            };
            scope.respond(id, out);
        }
    }

    /// The worker binary's entry: serves requests until the page drops it.
    pub fn register() {
        console_error_panic_hook::set_once();
        Engine::registrar().register();
    }
}
