//! The page's pool of engine workers for batch runs (sweeps): one worker per core the browser
//! reports (at least 2, at most 8), each doing one [`BatchJob`] at a time. Where workers are
//! unavailable or do not start, the same jobs run on the main thread, one seed per task, and the
//! pool says why ([`Mode::MainThread`]).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use gloo::timers::callback::Timeout;
use gloo_worker::{Spawnable, WorkerBridge};

use super::{
    do_batch, do_check, BatchDone, BatchJob, CheckDone, CheckJob, Engine, Request, Response,
    PROTOCOL,
};

/// Fewest and most workers in the pool.
pub const MIN_WORKERS: usize = 2;
pub const MAX_WORKERS: usize = 8;
/// A worker that has not answered its greeting by then is given up on.
const START_TIMEOUT_MS: u32 = 10_000;
/// The worker script, beside the page (Trunk puts it there, whatever the public URL).
const WORKER_JS: &str = "worker.js";

/// How the pool runs jobs.
#[derive(Clone, Debug, PartialEq)]
pub enum Mode {
    /// Workers are starting.
    Starting,
    /// In this many workers.
    Workers(usize),
    /// On the page's main thread, and why.
    MainThread(Fallback),
}

/// Why the pool runs on the main thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fallback {
    /// The browser has no Web Workers.
    Unsupported,
    /// Creating one failed (a content policy, for example).
    SpawnFailed,
    /// None answered within the start timeout, or they speak another protocol.
    NoAnswer,
}

/// Where a job's results go.
pub type Sink = Rc<dyn Fn(BatchDone)>;
/// Where a check's verdict goes.
pub type CheckSink = Rc<dyn Fn(CheckDone)>;

struct Slot {
    bridge: Option<WorkerBridge<Engine>>,
    ready: bool,
    busy: bool,
}

struct Inner {
    mode: Mode,
    slots: Vec<Slot>,
    queue: VecDeque<BatchJob>,
    sink: Option<Sink>,
    /// A challenge check waiting for a worker (it goes before batch jobs), and where it goes.
    check: Option<CheckJob>,
    check_sink: Option<CheckSink>,
    /// The main-thread runner's next task.
    tick: Option<Timeout>,
    start_timer: Option<Timeout>,
    /// Told when the mode changes (the panel shows it).
    on_mode: Vec<Rc<dyn Fn(Mode)>>,
}

/// A handle on the page's one pool.
#[derive(Clone)]
pub struct Pool(Rc<RefCell<Inner>>);

thread_local! {
    static POOL: RefCell<Option<Pool>> = const { RefCell::new(None) };
}

/// Workers the pool has: the browser's core count within the bounds.
pub fn pool_size() -> usize {
    let cores = web_sys::window()
        .map(|w| w.navigator().hardware_concurrency())
        .unwrap_or(0.0);
    (cores as usize).clamp(MIN_WORKERS, MAX_WORKERS)
}

/// Whether this browser can run a worker from a script URL: it has `Worker`, and creating one
/// from a tiny blob works (a content policy may forbid it; gloo-worker would panic then).
pub(crate) fn workers_work() -> Result<(), Fallback> {
    let global = js_sys::global();
    if !js_sys::Reflect::has(&global, &"Worker".into()).unwrap_or(false) {
        return Err(Fallback::Unsupported);
    }
    let parts = js_sys::Array::of1(&"".into());
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type("application/javascript");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts)
        .map_err(|_| Fallback::SpawnFailed)?;
    let url =
        web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| Fallback::SpawnFailed)?;
    let probe = web_sys::Worker::new(&url);
    let _ = web_sys::Url::revoke_object_url(&url);
    match probe {
        Ok(w) => {
            w.terminate();
            Ok(())
        }
        Err(_) => Err(Fallback::SpawnFailed),
    }
}

impl Pool {
    /// The page's pool, started on first use.
    pub fn get() -> Pool {
        POOL.with(|p| {
            p.borrow_mut()
                .get_or_insert_with(|| {
                    let pool = Pool(Rc::new(RefCell::new(Inner {
                        mode: Mode::Starting,
                        slots: Vec::new(),
                        queue: VecDeque::new(),
                        sink: None,
                        check: None,
                        check_sink: None,
                        tick: None,
                        start_timer: None,
                        on_mode: Vec::new(),
                    })));
                    pool.start();
                    pool
                })
                .clone()
        })
    }

    pub fn mode(&self) -> Mode {
        self.0.borrow().mode.clone()
    }

    /// Calls `f` whenever the mode changes (until the page goes away).
    pub fn watch(&self, f: Rc<dyn Fn(Mode)>) {
        self.0.borrow_mut().on_mode.push(f);
    }

    fn start(&self) {
        if let Err(why) = workers_work() {
            self.set_mode(Mode::MainThread(why));
            return;
        }
        let n = pool_size();
        for i in 0..n {
            let weak = Rc::downgrade(&self.0);
            let bridge = Engine::spawner()
                .callback(move |resp: Response| {
                    if let Some(inner) = weak.upgrade() {
                        Pool(inner).answered(i, resp);
                    }
                })
                .spawn(WORKER_JS);
            bridge.send(Request::Hello);
            self.0.borrow_mut().slots.push(Slot {
                bridge: Some(bridge),
                ready: false,
                busy: false,
            });
        }
        let weak = Rc::downgrade(&self.0);
        let timer = Timeout::new(START_TIMEOUT_MS, move || {
            if let Some(inner) = weak.upgrade() {
                let pool = Pool(inner);
                if pool.mode() == Mode::Starting {
                    pool.give_up(Fallback::NoAnswer);
                }
            }
        });
        self.0.borrow_mut().start_timer = Some(timer);
    }

    /// No worker answered: drop them and run on the main thread.
    fn give_up(&self, why: Fallback) {
        {
            let mut inner = self.0.borrow_mut();
            inner.slots.clear();
        }
        self.set_mode(Mode::MainThread(why));
        self.pump();
    }

    fn set_mode(&self, mode: Mode) {
        let watchers = {
            let mut inner = self.0.borrow_mut();
            if inner.mode == mode {
                return;
            }
            inner.mode = mode.clone();
            inner.on_mode.clone()
        };
        for w in watchers {
            w(mode.clone());
        }
    }

    fn answered(&self, slot: usize, resp: Response) {
        match resp {
            Response::Hello { protocol } => {
                if protocol != PROTOCOL {
                    if self.ready_count() == 0 {
                        self.give_up(Fallback::NoAnswer);
                    }
                    return;
                }
                if let Some(s) = self.0.borrow_mut().slots.get_mut(slot) {
                    s.ready = true;
                }
                let n = self.ready_count();
                self.0.borrow_mut().start_timer = None;
                self.set_mode(Mode::Workers(n));
            }
            Response::Check(done) => {
                if let Some(s) = self.0.borrow_mut().slots.get_mut(slot) {
                    s.busy = false;
                }
                let sink = self.0.borrow().check_sink.clone();
                if let Some(sink) = sink {
                    sink(done);
                }
            }
            Response::Batch(done) => {
                if let Some(s) = self.0.borrow_mut().slots.get_mut(slot) {
                    s.busy = false;
                }
                let sink = self.0.borrow().sink.clone();
                if let Some(sink) = sink {
                    sink(done);
                }
            }
            // The pool asks for no live run.
            Response::Live(_) => {}
        }
        self.pump();
    }

    fn ready_count(&self) -> usize {
        self.0.borrow().slots.iter().filter(|s| s.ready).count()
    }

    /// Replaces whatever was queued with `jobs`, whose results go to `sink`.
    pub fn submit(&self, jobs: Vec<BatchJob>, sink: Sink) {
        {
            let mut inner = self.0.borrow_mut();
            inner.queue = jobs.into();
            inner.sink = Some(sink);
        }
        self.pump();
    }

    /// Grades `job` on the next idle worker (before any queued batch job), its verdict going to
    /// `sink`; replaces a check not yet handed out.
    pub fn submit_check(&self, job: CheckJob, sink: CheckSink) {
        {
            let mut inner = self.0.borrow_mut();
            inner.check = Some(job);
            inner.check_sink = Some(sink);
        }
        self.pump();
    }

    /// Drops what is queued; answers still on their way are dropped by the sweep that asked
    /// (by its id).
    pub fn cancel(&self) {
        let check_waits = {
            let mut inner = self.0.borrow_mut();
            inner.queue.clear();
            inner.sink = None;
            inner.tick = None;
            inner.check.is_some()
        };
        // A check still waiting keeps its turn on the main thread.
        if check_waits {
            self.pump();
        }
    }

    /// Jobs not yet handed out.
    pub fn queued(&self) -> usize {
        self.0.borrow().queue.len()
    }

    /// Hands queued jobs to idle workers, or runs the next on the main thread.
    fn pump(&self) {
        let mode = self.mode();
        match mode {
            Mode::Starting => {}
            Mode::Workers(_) => {
                let mut inner = self.0.borrow_mut();
                let Inner {
                    slots,
                    queue,
                    check,
                    ..
                } = &mut *inner;
                for s in slots.iter_mut().filter(|s| s.ready && !s.busy) {
                    if let Some(job) = check.take() {
                        if let Some(b) = &s.bridge {
                            s.busy = true;
                            b.send(Request::Check(job));
                        }
                        continue;
                    }
                    let Some(job) = queue.pop_front() else { break };
                    if let Some(b) = &s.bridge {
                        s.busy = true;
                        b.send(Request::Batch(job));
                    }
                }
            }
            Mode::MainThread(_) => {
                let mut inner = self.0.borrow_mut();
                if inner.tick.is_some() || (inner.queue.is_empty() && inner.check.is_none()) {
                    return;
                }
                let weak = Rc::downgrade(&self.0);
                // One seed per task, so the page can draw between them.
                inner.tick = Some(Timeout::new(0, move || {
                    let Some(rc) = weak.upgrade() else { return };
                    let pool = Pool(rc);
                    let check = {
                        let mut inner = pool.0.borrow_mut();
                        inner.check.take().map(|c| (c, inner.check_sink.clone()))
                    };
                    if let Some((job, sink)) = check {
                        pool.0.borrow_mut().tick = None;
                        let done = do_check(&job);
                        if let Some(sink) = sink {
                            sink(done);
                        }
                        pool.pump();
                        return;
                    }
                    let (job, sink) = {
                        let mut inner = pool.0.borrow_mut();
                        inner.tick = None;
                        let Some(front) = inner.queue.front_mut() else {
                            return;
                        };
                        let mut one = front.clone();
                        if front.seeds.len() > 1 {
                            one.seeds = vec![front.seeds.remove(0)];
                        } else {
                            inner.queue.pop_front();
                        }
                        (one, inner.sink.clone())
                    };
                    let done = do_batch(&job, &crate::web::now_ms);
                    if let Some(sink) = sink {
                        sink(done);
                    }
                    pool.pump();
                }));
            }
        }
    }
}
