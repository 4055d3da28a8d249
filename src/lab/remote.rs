//! The page's end of the live run in a Web Worker: one request in flight at a time (the commands
//! queued since the last, and the frame wanted), answers collected for the next animation frame,
//! and, while a lab that ends by itself runs, two slices asked for ahead (the worker runs flat out,
//! never waiting for the page; the page draws the latest). Says when the worker cannot be used:
//! the page then runs the same [`Host`](super::host::Host) on its main thread.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use gloo_worker::{Spawnable, WorkerBridge};

use crate::worker::live::{LiveAnswer, LiveOpen, LiveRequest};
use crate::worker::pool::{workers_work, Fallback};
use crate::worker::{Engine, Request, Response, PROTOCOL};

/// A worker that has not greeted the page by then is given up on (page wall ms).
pub const START_TIMEOUT_MS: f64 = 8_000.0;
/// A request not answered by then: the worker is gone (a flat run may take longer).
pub const ANSWER_TIMEOUT_MS: f64 = 8_000.0;
pub const FLAT_TIMEOUT_MS: f64 = 120_000.0;
/// Most wall time one request may cover (a stalled page does not make the run jump).
const MAX_DT_MS: f64 = 100.0;

/// Why the live run is on the main thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    /// The page could not start one (see the pool's reasons).
    Start(Fallback),
    /// It started and then stopped answering (it failed).
    Stopped,
}

struct Inner {
    bridge: Option<WorkerBridge<Engine>>,
    ready: bool,
    /// When each request in flight was sent (page ms), and whether it is a flat run, oldest first.
    in_flight: VecDeque<(f64, bool)>,
    open: Option<LiveOpen>,
    commands: Vec<String>,
    /// A flat run asked for, sent with the next request.
    flat: bool,
    /// Wall time not yet covered by a request.
    dt_ms: f64,
    /// The run goes on by itself (a lab that ends by itself, running): ask again at once.
    keep_busy: bool,
    /// Answers not yet taken by the page.
    inbox: VecDeque<LiveAnswer>,
    failed: Option<Why>,
    started_ms: f64,
    /// Wakes the page's animation loop.
    wake: Option<Rc<dyn Fn()>>,
    now: fn() -> f64,
}

/// A live run in a worker (the worker goes with it: gloo terminates it when its bridge, held
/// only here, is dropped).
pub struct Remote(Rc<RefCell<Inner>>);

/// The worker script beside the page, from the page's base URL (the site may live under a
/// sub-path, such as `/flowlab/` on GitHub Pages).
fn worker_url() -> String {
    let base = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| js_sys::Reflect::get(&d, &"baseURI".into()).ok())
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    web_sys::Url::new_with_base("worker.js", &base)
        .map(|u| u.href())
        .unwrap_or_else(|_| "worker.js".to_string())
}

impl Remote {
    /// Starts a worker for the live run `open` describes, or says why it cannot.
    pub fn start(open: LiveOpen, now: fn() -> f64) -> Result<Remote, Why> {
        workers_work().map_err(Why::Start)?;
        let inner = Rc::new(RefCell::new(Inner {
            bridge: None,
            ready: false,
            in_flight: VecDeque::new(),
            open: Some(open),
            commands: Vec::new(),
            dt_ms: 0.0,
            flat: false,
            keep_busy: false,
            inbox: VecDeque::new(),
            failed: None,
            started_ms: now(),
            wake: None,
            now,
        }));
        let weak = Rc::downgrade(&inner);
        let bridge = Engine::spawner()
            .callback(move |resp: Response| {
                if let Some(inner) = weak.upgrade() {
                    Remote(inner).answered(resp);
                }
            })
            .spawn(&worker_url());
        bridge.send(Request::Hello);
        inner.borrow_mut().bridge = Some(bridge);
        Ok(Remote(inner))
    }

    pub fn set_wake(&self, wake: Rc<dyn Fn()>) {
        self.0.borrow_mut().wake = Some(wake);
    }

    fn answered(&self, resp: Response) {
        let wake = {
            let mut i = self.0.borrow_mut();
            match resp {
                Response::Hello { protocol } if protocol == PROTOCOL => i.ready = true,
                Response::Hello { .. } => i.failed = Some(Why::Start(Fallback::NoAnswer)),
                Response::Live(a) => {
                    i.in_flight.pop_front();
                    i.inbox.push_back(a);
                }
                // Not asked for by the live run.
                _ => {}
            }
            i.wake.clone()
        };
        if self.0.borrow().keep_busy {
            while self.send(None) {}
        }
        if let Some(w) = wake {
            w();
        }
    }

    /// Queues a command (JSON of the lab's `Command`), sent with the next request.
    pub fn push(&self, json: String) {
        let mut i = self.0.borrow_mut();
        // A jump replaces one queued just before it (a drag sends many).
        const SEEK: &str = "{\"Seek\"";
        if json.starts_with(SEEK) && i.commands.last().is_some_and(|c| c.starts_with(SEEK)) {
            i.commands.pop();
        }
        i.commands.push(json);
    }

    /// An animation frame at `ts`, `dt_ms` after the last: asks for a frame if no request is in
    /// flight (else the wall time waits for the next request).
    pub fn frame(&self, ts: f64, dt_ms: f64) {
        self.0.borrow_mut().dt_ms += dt_ms;
        while self.send(Some(ts)) {}
    }

    /// Asks the worker to run the lab flat out from its start to its end (the benchmark).
    pub fn flat(&self) {
        self.0.borrow_mut().flat = true;
        self.send(None);
    }

    /// Sends the next request, if the worker is ready and there is room: one request in flight,
    /// two while a lab that ends by itself runs (the worker then finds the next slice waiting
    /// when it finishes one, and never waits for the page). Returns whether it sent one.
    fn send(&self, ts: Option<f64>) -> bool {
        let mut i = self.0.borrow_mut();
        let room = if i.keep_busy && !i.flat { 2 } else { 1 };
        if !i.ready || i.in_flight.len() >= room || i.failed.is_some() {
            return false;
        }
        let now = (i.now)();
        let ts = ts.unwrap_or(now);
        let dt = std::mem::take(&mut i.dt_ms).min(MAX_DT_MS);
        let flat = std::mem::take(&mut i.flat);
        let req = LiveRequest {
            open: i.open.take(),
            commands: std::mem::take(&mut i.commands),
            frame: Some((ts, dt)),
            flat,
        };
        i.in_flight.push_back((now, flat));
        if let Some(b) = &i.bridge {
            b.send(Request::Live(req));
        }
        true
    }

    /// Answers not yet taken, in order.
    pub fn take(&self) -> Vec<LiveAnswer> {
        self.0.borrow_mut().inbox.drain(..).collect()
    }

    /// Whether the run goes on by itself (the next slice is asked for as soon as one comes).
    pub fn keep_busy(&self, on: bool) {
        self.0.borrow_mut().keep_busy = on;
    }

    /// Something waits to be sent (the opening, commands).
    pub fn wants(&self) -> bool {
        let i = self.0.borrow();
        i.open.is_some() || !i.commands.is_empty()
    }

    /// Something is on its way or waiting to be sent or taken.
    pub fn busy(&self) -> bool {
        let i = self.0.borrow();
        !i.in_flight.is_empty()
            || !i.commands.is_empty()
            || !i.inbox.is_empty()
            || !i.ready
            || i.flat
    }

    /// The worker answered without a frame: it cannot hold this run.
    pub fn fail(&self) {
        self.0.borrow_mut().failed.get_or_insert(Why::Stopped);
    }

    /// Why the worker cannot be used (any more), if so.
    pub fn failed(&self) -> Option<Why> {
        let mut i = self.0.borrow_mut();
        let now = (i.now)();
        if i.failed.is_none() {
            if !i.ready && now - i.started_ms > START_TIMEOUT_MS {
                i.failed = Some(Why::Start(Fallback::NoAnswer));
            } else if let Some(&(at, flat)) = i.in_flight.front() {
                let limit = if flat {
                    FLAT_TIMEOUT_MS
                } else {
                    ANSWER_TIMEOUT_MS
                };
                if now - at > limit {
                    i.failed = Some(Why::Stopped);
                }
            }
        }
        i.failed
    }
}
