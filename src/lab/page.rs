//! The lab page, written once: presets, notices, the simulation controls (or run / cancel for labs
//! that end by themselves), the picture, the checkers, the params form from the knob table, the
//! charts, the results from the report, and the explanations. A lab supplies a [`LabUi`]: its
//! picture, its charts, its fault buttons and its words.

use std::cell::RefCell;
use std::marker::PhantomData;
use std::rc::Rc;

use flowlab_sim::kernel::knobs::Knobs;
use flowlab_sim::kernel::lab::Lab;
use flowlab_sim::kernel::time::NS_PER_S;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use super::form::{self, Input};
use super::history::HistoryWire;
use super::host::{decode_frame, Command, Host, WORKER_BUDGET_MS, WORKER_SLICE_MS};
use super::keys::{shortcut, shortcuts_panel, Shortcut};
use super::pacing::{Phase, MAX_FRAME_MS, REFRESH_MS};
use super::remote::{Remote, Why};
use super::results;
use super::state::{Action, LabState};
use super::stats::Work;
use super::sweep::SweepPanel;
use super::view::{Changed, Frame, LabView, Look, Shown};
use crate::i18n::{count, describe_problem, fill, help, tr, tr_id, Lang};
use crate::kit::chart;
use crate::kit::controls::SimControls;
use crate::kit::fields::{CheckField, NumField, SelectField};
use crate::text;
use crate::worker::live::LiveOpen;
use crate::worker::pool::Fallback;

/// What a lab plugs into the page: its picture, its operator actions and its words. The
/// picture draws only from what the engine sent ([`Shown`], filled by the lab's [`LabView`] on
/// the engine's side). Text ids the page reads from the lab's table: `<id>.title`, `<id>.intro`,
/// `<id>.legend`, `<id>.preset.<preset>` and `<id>.preset.<preset>.watch`.
pub trait LabUi: Sized + 'static {
    type L: Lab;
    /// The engine's side of the page.
    type V: LabView<L = Self::L>;
    /// Explanation cards: (title id, body id).
    const EXPLAIN: &'static [(&'static str, &'static str)];
    /// Chart titles (text ids): one canvas each, filled by [`LabView::charts`] in the same order.
    const CHARTS: &'static [&'static str];

    fn new() -> Self;

    /// The picture's canvases (their node refs are kept in `self`), their ids those of `side`
    /// ([`Side::id`]): while comparing, a second instance draws B's picture beside A's.
    fn stage(&self, side: Side) -> Html;

    /// Draws the picture from what the engine sent, every frame it brought a new one.
    fn draw(&mut self, shown: &Shown<Self::V>, look: &Look);

    /// A fault or operator action in the lab's words (the timeline's marks and log). A lab that
    /// has actions says each; the default (a lab without any) is the link's notation.
    fn verb_text(f: &<Self::L as Lab>::Fault, _lang: Lang) -> String {
        serde_json::to_value(f)
            .map(|v| flowlab_sim::replay::Act::Verb(v).to_string())
            .unwrap_or_default()
    }

    /// Fault and operator buttons; `apply` applies one to the run.
    fn actions(
        _shown: &Shown<Self::V>,
        _apply: &Callback<<Self::L as Lab>::Fault>,
        _lang: Lang,
    ) -> Html {
        html! {}
    }

    /// Live panels of the lab's own under the picture (tables of state, a ring change ...).
    fn extra(_shown: &Shown<Self::V>, _lang: Lang) -> Html {
        html! {}
    }
}

/// Which run a lab's stage draws: A (the live run; the only one unless comparing) or B.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    A,
    B,
}

impl Side {
    /// The id of the stage's element `base` on this side (`lab-canvas`, B's `lab-canvas-b`): the
    /// page holds both stages at once while comparing.
    pub fn id(self, base: &str) -> String {
        match self {
            Side::A => base.to_string(),
            Side::B => format!("{base}-b"),
        }
    }
}

/// Where the live run is: in a Web Worker, or (where workers are unavailable or failed) on the
/// page's main thread, the same [`Host`] either way.
enum Link<V: LabView> {
    Worker(Remote),
    Inline(Box<Host<V>>),
}

/// What the animation loop owns: the engine's link (a [`Host`] of the run, in a worker or here),
/// what it last sent, the lab's picture, and the chart canvases.
pub struct Runtime<U: LabUi> {
    link: Link<U::V>,
    /// Why the live run is on the main thread, when a worker could not be used.
    pub fallback: Option<Why>,
    /// The run's params and seed as last sent (a fallback starts the run again from them).
    params: <U::L as Lab>::Params,
    seed: u64,
    /// The page state's generation of the last rebuild sent (a host started here in place of
    /// the worker's takes it).
    generation: u64,
    /// B's params while comparing (a fallback compares again).
    compare: Option<<U::L as Lab>::Params>,
    pub shown: Shown<U::V>,
    /// B's picture and its words while comparing (only these of it are filled: the rest of B is
    /// in `shown.b`).
    shown_b: Shown<U::V>,
    /// B's picture came and is not drawn yet.
    unseen_b: bool,
    /// When both pictures wait, B's is drawn first at the next frame (one picture a frame: see
    /// [`Runtime::draw_unseen`]).
    b_first: bool,
    /// What frames brought that is not drawn yet.
    unseen: Changed,
    pub ui: U,
    /// B's picture, while comparing.
    pub ui_b: U,
    /// How the page looks at the run (play, speed, language, reduced motion).
    pub look: Look,
    charts: Vec<NodeRef>,
    /// Frame rate over the last half second.
    frames: u32,
    fps_since: f64,
    pub fps: f64,
    /// Bumped whenever what the live readouts show may have changed (the run moved, a fault, a
    /// step, a rebuild, play or speed): they re-render only when it did.
    pub changes: u64,
    /// The engine's count of changes last seen.
    seen_changes: u64,
    /// A count of the charts' redraws (their data tables follow them).
    pub charts_version: u64,
    /// The live readouts, each re-rendered when what it follows changed.
    readers: Vec<Reader<U>>,
    next_reader: u64,
    /// Asks the animation loop for a frame (it stops when there is nothing to do).
    wake: Option<Rc<dyn Fn()>>,
    /// A lab that ends by itself starts its run at the next rebuild (a preset was clicked: its
    /// params arrive with the rebuild, after the click).
    start_on_rebuild: bool,
    /// A jump on the timeline not sent yet (drags coalesce to one per frame).
    pending_seek: Option<flowlab_sim::kernel::time::Nanos>,
    /// Tells the page's state what the engine recorded of the run (its link follows).
    pub on_history: Option<Callback<HistoryWire>>,
    /// The timeline's jump (it pauses the page too), for panels that show a moment of the run.
    pub on_seek: Option<Callback<flowlab_sim::kernel::time::Nanos>>,
    /// Who waits for the run file asked of the engine ([`Runtime::export`]).
    export_sink: Option<ExportSink>,
}

/// Takes the run file the engine made of the live run: its text, or why not.
pub type ExportSink = Box<dyn FnOnce(Result<String, String>)>;

/// A live readout's subscription: it re-renders when `key` of the runtime changed since it last
/// did, at most every `ms` wall milliseconds.
struct Reader<U: LabUi> {
    id: u64,
    ms: f64,
    /// Another period than `ms`, while it says so.
    period: fn(&Runtime<U>) -> Option<f64>,
    last_ts: f64,
    seen: u64,
    key: fn(&Runtime<U>) -> u64,
    notify: Rc<dyn Fn()>,
    /// The re-render asked for and not run yet (dropped with the reader, which cancels it).
    pending: Option<gloo::timers::callback::Timeout>,
}

impl<U: LabUi> Runtime<U> {
    fn new(state: &LabState<U::L>, look: Look) -> Self {
        let open = LiveOpen {
            lab: U::L::ID.to_string(),
            params: serde_json::to_string(&state.params).unwrap_or_default(),
            seed: state.seed,
            look,
            budget_ms: WORKER_BUDGET_MS,
            slice_ms: WORKER_SLICE_MS,
        };
        let (link, fallback) = match Remote::start(open, crate::web::now_ms) {
            Ok(r) => (Link::Worker(r), None),
            Err(why) => (
                Link::Inline(Box::new(Host::new(&state.params, state.seed, look))),
                Some(why),
            ),
        };
        crate::lab::stats::set_engine(fallback.is_none());
        Self {
            link,
            fallback,
            params: state.params.clone(),
            seed: state.seed,
            generation: state.generation,
            compare: None,
            shown: Shown::default(),
            shown_b: Shown::default(),
            unseen_b: false,
            b_first: false,
            unseen: Changed::default(),
            ui: U::new(),
            ui_b: U::new(),
            look,
            charts: U::CHARTS.iter().map(|_| NodeRef::default()).collect(),
            frames: 0,
            fps_since: 0.0,
            fps: 0.0,
            changes: 0,
            seen_changes: u64::MAX,
            charts_version: 0,
            readers: Vec::new(),
            next_reader: 0,
            wake: None,
            start_on_rebuild: false,
            pending_seek: None,
            on_history: None,
            on_seek: None,
            export_sink: None,
        }
    }

    fn timed(&self) -> bool {
        U::V::TIMED
    }

    /// Whether the run moves by itself.
    fn moving(&self) -> bool {
        (self.timed() && self.look.playing) || self.shown.head.phase == Phase::Running
    }

    /// One animation frame at `ts`, `dt_ms` after the last (0 for the first after a stop).
    fn frame(&mut self, ts: f64, dt_ms: f64, restart: bool) {
        crate::lab::stats::count(Work::Frame);
        if restart {
            self.frames = 0;
            self.fps_since = ts;
        }
        self.frames += 1;
        if ts - self.fps_since >= 500.0 {
            self.fps = self.frames as f64 * 1000.0 / (ts - self.fps_since);
            self.frames = 0;
            self.fps_since = ts;
        }
        self.check_worker();
        if let Some(t) = self.pending_seek.take() {
            self.send(Command::Seek(t));
        }
        match &mut self.link {
            Link::Inline(host) => {
                let frame = host.frame(ts, dt_ms, &crate::web::now_ms);
                self.take(frame);
            }
            Link::Worker(remote) => {
                let answers = remote.take();
                let mut failed = false;
                for a in answers {
                    if let Some(e) = a.error {
                        web_sys::console::warn_1(&format!("flowlab worker: {e}").into());
                        failed |= a.frame.is_none();
                    }
                    if let Some(bytes) = a.frame {
                        match decode_frame::<U::V>(&bytes) {
                            Ok(f) => self.take(f),
                            Err(e) => {
                                web_sys::console::warn_1(&format!("flowlab frame: {e}").into());
                            }
                        }
                    }
                }
                let wanted = self.moving() || self.shown.head.pending;
                if let Link::Worker(remote) = &self.link {
                    if failed {
                        // Taken up at the next frame: the run goes on here.
                        remote.fail();
                    }
                    remote.keep_busy(!U::V::TIMED && self.shown.head.phase == Phase::Running);
                    // Asks for a frame only when there is something to get: a paused lab that
                    // nothing changes sends nothing.
                    if wanted || remote.wants() {
                        remote.frame(ts, dt_ms);
                    }
                }
            }
        }
        self.draw_unseen();
    }

    /// The worker failed to start or stopped answering: the run goes on here, started again from
    /// its params and seed.
    fn check_worker(&mut self) {
        let Link::Worker(remote) = &self.link else {
            return;
        };
        let Some(why) = remote.failed() else {
            return;
        };
        web_sys::console::warn_1(
            &format!("flowlab: the live run falls back to the main thread ({why:?})").into(),
        );
        let mut host = Box::new(Host::new(&self.params, self.seed, self.look));
        host.set_generation(self.generation);
        if self.compare.is_some() {
            host.command(Command::Compare(self.compare.clone()), &crate::web::now_ms);
        }
        if self.export_sink.is_some() {
            // The run file asked of the worker comes from here instead.
            host.command(Command::Export, &crate::web::now_ms);
        }
        self.link = Link::Inline(host);
        self.fallback = Some(why);
        crate::lab::stats::set_engine(false);
        self.changes += 1;
    }

    /// Takes in a frame from the engine (drawn at the next animation frame).
    fn take(&mut self, mut frame: Frame<U::V>) {
        if let Some(file) = frame.export.take() {
            if let Some(sink) = self.export_sink.take() {
                // After the frame: the sink may change the page's state.
                gloo::timers::callback::Timeout::new(0, move || sink(file)).forget();
            }
        }
        if let Some((pic, summary)) = frame.compare.as_mut().and_then(|b| b.pic.take()) {
            self.shown_b.pic = pic;
            self.shown_b.summary = summary;
            self.unseen_b = true;
        }
        let changed = self.shown.take(frame);
        if changed.history {
            if let Some(cb) = self.on_history.clone() {
                // After the frame: the page's state re-renders, and the runtime is not borrowed.
                let h = self.shown.history.clone();
                gloo::timers::callback::Timeout::new(0, move || cb.emit(h)).forget();
            }
        }
        self.unseen.picture |= changed.picture || changed.highlight;
        self.unseen.charts |= changed.charts || changed.compare;
        if self.shown.head.changes != self.seen_changes || changed.readouts {
            self.seen_changes = self.shown.head.changes;
            self.changes += 1;
        }
        self.look.phase = self.shown.head.phase;
    }

    /// Chooses a line of the "why" log (or none): the picture marks what it names.
    pub(super) fn select_why(&mut self, e: Option<flowlab_sim::kernel::why::Entry>) {
        self.shown.why.select(e);
        self.unseen.picture = true;
        self.changes += 1;
        if let Some(wake) = &self.wake {
            wake();
        }
    }

    /// Draws what the engine's frames changed.
    fn draw_unseen(&mut self) {
        let changed = std::mem::take(&mut self.unseen);
        if self.shown.b.is_none() {
            self.unseen_b = false;
        }
        // One picture a frame: while comparing, A's and B's take turns when both wait (each then
        // moves at half the frame rate, and a frame costs what it costs without B); the one left
        // waits for the next frame (the loop runs on while a picture waits).
        let both = changed.picture && self.unseen_b;
        let (draw_a, draw_b) = match (both, self.b_first) {
            (true, b_first) => (!b_first, b_first),
            (false, _) => (changed.picture, self.unseen_b),
        };
        if both {
            self.b_first = !self.b_first;
        }
        self.unseen.picture = changed.picture && !draw_a;
        self.unseen_b &= !draw_b;
        // What the picture and the charts take is left out of the engine's next budget.
        let t0 = crate::web::now_ms();
        if draw_a {
            crate::lab::stats::count(Work::Picture);
            self.ui.draw(&self.shown, &self.look);
        }
        if draw_b {
            crate::lab::stats::count(Work::Picture);
            self.ui_b.draw(&self.shown_b, &self.look);
        }
        if changed.charts {
            let lang = self.look.lang;
            for (i, node) in self.charts.iter().enumerate() {
                if let (Some(canvas), Some(c)) =
                    (node.cast::<HtmlCanvasElement>(), self.shown.chart(i))
                {
                    crate::lab::stats::count(Work::Chart);
                    chart::draw(&canvas, &c, lang);
                }
            }
            self.charts_version += 1;
        }
        if let (true, Link::Inline(host)) = (self.moving(), &mut self.link) {
            host.frame_rest(crate::web::now_ms() - t0);
        }
    }

    /// Runs a lab that ends by itself flat out (the benchmark's engine time): in the worker, or
    /// here.
    fn run_flat(&mut self) {
        match &mut self.link {
            Link::Worker(remote) => remote.flat(),
            Link::Inline(host) => {
                host.run_flat(&crate::web::now_ms);
            }
        }
        self.changes += 1;
        if let Some(wake) = &self.wake {
            wake();
        }
    }

    /// Re-renders the readouts that are due at `ts` (what they follow changed and their period is
    /// over), each in a task of its own after the frame (as their timers did), so the frame's
    /// drawing is not made late by them, and the runtime is not borrowed when they render.
    fn notify_readers(&mut self, ts: f64) {
        for i in 0..self.readers.len() {
            let k = (self.readers[i].key)(self);
            let period = (self.readers[i].period)(self);
            let r = &mut self.readers[i];
            if k != r.seen && ts - r.last_ts >= period.unwrap_or(r.ms) {
                r.seen = k;
                r.last_ts = ts;
                let notify = r.notify.clone();
                // Replaces one not run yet, if any: it would have done the same.
                r.pending = Some(gloo::timers::callback::Timeout::new(0, move || notify()));
            }
        }
    }

    /// Whether the loop needs another frame: the run moves, or something changed that the
    /// picture, the charts or a readout does not show yet. When not, the loop stops: a paused lab
    /// costs nothing.
    fn busy(&self) -> bool {
        self.moving()
            || self.pending_seek.is_some()
            || self.shown.head.pending
            || matches!(&self.link, Link::Worker(r) if r.busy())
            || self.readers.iter().any(|r| (r.key)(self) != r.seen)
            || self.unseen.picture
            || self.unseen_b
    }

    /// Sends `cmd` to the engine; everything is drawn again and the loop wakes.
    /// Asks the engine for the run file of the live run as it stands (made where the run is, in
    /// the worker: no replay on the page); `sink` takes it with a frame to come.
    pub fn export(&mut self, sink: ExportSink) {
        self.export_sink = Some(sink);
        self.send(Command::Export);
    }

    fn send(&mut self, cmd: Command<U::L>) {
        match &cmd {
            Command::Rebuild {
                params,
                seed,
                generation,
                ..
            } => {
                self.params = params.clone();
                self.seed = *seed;
                self.generation = *generation;
            }
            Command::SetLive { params, seed, .. } => {
                self.params = params.clone();
                self.seed = *seed;
            }
            Command::Compare(b) => self.compare = b.clone(),
            _ => {}
        }
        match &mut self.link {
            Link::Inline(host) => host.command(cmd, &crate::web::now_ms),
            Link::Worker(remote) => match serde_json::to_string(&cmd) {
                Ok(json) => remote.push(json),
                Err(e) => web_sys::console::warn_1(&format!("flowlab command: {e}").into()),
            },
        }
        self.changes += 1;
        if let Some(wake) = &self.wake {
            wake();
        }
    }

    /// A lab that ends by itself: its next run (the next rebuild) starts at once.
    pub fn start_next_run(&mut self) {
        self.start_on_rebuild = true;
    }

    /// A lab that ends by itself: starts a run of `state` now (Run).
    pub fn start_run(&mut self, state: &LabState<U::L>) {
        self.start_on_rebuild = true;
        self.rebuild(state);
    }

    fn rebuild(&mut self, state: &LabState<U::L>) {
        let start = std::mem::take(&mut self.start_on_rebuild);
        self.pending_seek = None;
        self.send(Command::Rebuild {
            params: state.run_params.clone(),
            seed: state.seed,
            start,
            actions: state.actions.clone(),
            generation: state.generation,
        });
    }

    /// Shows the run as it was at `t` (sent with the next frame; a later jump replaces it).
    pub(super) fn seek(&mut self, t: flowlab_sim::kernel::time::Nanos) {
        self.look.playing = false;
        self.pending_seek = Some(t);
        self.changes += 1;
        if let Some(wake) = &self.wake {
            wake();
        }
    }

    /// How the page looks changed (play, speed, language).
    fn set_look(&mut self, playing: bool, speed: f64, lang: Lang) {
        self.look.playing = playing;
        self.look.speed = speed;
        self.look.lang = lang;
        self.send(Command::Look(self.look));
    }
}

/// A runtime shared between a page, its animation loop and its live readouts; compared by identity.
pub struct Shared<U: LabUi>(pub Rc<RefCell<Runtime<U>>>);

impl<U: LabUi> Clone for Shared<U> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<U: LabUi> PartialEq for Shared<U> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// The animation loop: the frame asked for (if any), the last frame's time, and whether the page
/// is still mounted.
#[derive(Default)]
struct Loop {
    frame: Option<gloo::render::AnimationFrame>,
    last: Option<f64>,
    mounted: bool,
}

/// Asks for an animation frame, unless one is pending or the page is gone.
fn wake<U: LabUi>(rt: &Rc<RefCell<Runtime<U>>>, lp: &Rc<RefCell<Loop>>) {
    {
        let l = lp.borrow();
        if !l.mounted || l.frame.is_some() {
            return;
        }
    }
    let (rt2, lp2) = (rt.clone(), lp.clone());
    let frame = gloo::render::request_animation_frame(move |ts| on_frame(rt2, lp2, ts));
    lp.borrow_mut().frame = Some(frame);
}

/// Runs the runtime's frame, re-renders the readouts that are due, and asks for the next frame
/// while there is something to do.
fn on_frame<U: LabUi>(rt: Rc<RefCell<Runtime<U>>>, lp: Rc<RefCell<Loop>>, ts: f64) {
    let (_spent, last) = {
        let mut l = lp.borrow_mut();
        (l.frame.take(), l.last.replace(ts))
    };
    let dt = last.map_or(0.0, |prev| (ts - prev).clamp(0.0, MAX_FRAME_MS));
    if crate::web::page_hidden() {
        // A hidden tab gets (almost) no frames; the first one back starts afresh.
        lp.borrow_mut().last = None;
        wake(&rt, &lp);
        return;
    }
    {
        let mut r = rt.borrow_mut();
        r.frame(ts, dt, last.is_none());
        r.notify_readers(ts);
    }
    if rt.borrow().busy() {
        wake(&rt, &lp);
    } else {
        // Stopped: the next frame starts afresh (no catching up on the time it stood).
        lp.borrow_mut().last = None;
    }
}

/// Re-renders the calling component when `key` of the runtime changed since it last rendered, at
/// most every `ms` wall milliseconds, from the animation loop: a paused run that nothing changes
/// renders nothing (and runs no timer). Only live readouts use it, so inputs a user is typing into
/// are never re-rendered under them. Counts the renders (see [`crate::lab::stats`]).
#[hook]
pub(super) fn use_live<U: LabUi>(rt: &Shared<U>, ms: u32, key: fn(&Runtime<U>) -> u64) {
    use_live_paced(rt, ms, key, |_| None);
}

/// [`use_live`], with another period while `period` says so: longer while what it follows
/// changes faster than anyone reads, none when a user's choice waits to be shown.
#[hook]
pub(super) fn use_live_paced<U: LabUi>(
    rt: &Shared<U>,
    ms: u32,
    key: fn(&Runtime<U>) -> u64,
    period: fn(&Runtime<U>) -> Option<f64>,
) {
    let update = use_force_update();
    let rt = rt.clone();
    use_effect_with((), move |_| {
        let id = {
            let mut r = rt.0.borrow_mut();
            let id = r.next_reader;
            r.next_reader += 1;
            let seen = key(&r);
            r.readers.push(Reader {
                id,
                ms: ms as f64,
                period,
                last_ts: f64::NEG_INFINITY,
                seen,
                key,
                notify: Rc::new(move || update.force_update()),
                pending: None,
            });
            id
        };
        move || rt.0.borrow_mut().readers.retain(|r| r.id != id)
    });
    crate::lab::stats::count(Work::Readout);
}

/// What most live readouts follow: any change of the run.
fn changes<U: LabUi>(r: &Runtime<U>) -> u64 {
    r.changes
}

#[derive(Properties)]
pub struct LabPageProps<U: LabUi> {
    #[prop_or_default]
    pub _ui: PhantomData<U>,
}

impl<U: LabUi> PartialEq for LabPageProps<U> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// The page of lab `U`, at route `#/<id>`.
#[function_component(LabPage)]
pub fn lab_page<U: LabUi>(_props: &LabPageProps<U>) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let id = U::L::ID;
    // A link with a query wins; without one (the navigation's links), the lab's last state in
    // this tab comes back.
    let state = use_reducer(|| {
        let q = crate::web::hash_query();
        let restored = q.is_empty();
        let q = if restored {
            crate::web::session_get(&session_key(id)).unwrap_or_default()
        } else {
            q
        };
        let mut s = LabState::<U::L>::from_query(&q);
        // A sweep comes back with the lab's state, but only a link starts it.
        if restored {
            s.sweep_go = 0;
        }
        s
    });
    {
        let q = state.query();
        use_effect_with(q, move |q| {
            crate::web::replace_hash_query(&format!("/{id}"), q);
            crate::web::session_set(&session_key(id), q);
        });
    }
    {
        use_effect_with(lang, move |l| {
            crate::web::set_title(&format!("{} · flowlab", tr_id(*l, &format!("{id}.title"))))
        });
    }
    // With `prefers-reduced-motion: reduce`, the lab starts paused and its picture moves nothing.
    let reduced_motion = *use_memo((), |_| crate::web::prefers_reduced_motion());
    let runtime = {
        let st = state.clone();
        use_mut_ref(move || {
            let look = Look {
                lang,
                speed: 1.0,
                reduced_motion,
                playing: !reduced_motion && st.pause_at.is_none(),
                phase: Phase::Idle,
            };
            Runtime::<U>::new(&st, look)
        })
    };
    // A link to a moment (`at=`) opens paused there: it does not start playing first.
    let opens_paused = state.pause_at.is_some_and(|(g, _)| g == state.generation);
    let playing = use_state(|| !reduced_motion && !opens_paused);
    let speed = use_state(|| 1.0f64);
    {
        let rt = runtime.clone();
        let s = state.clone();
        let playing = playing.clone();
        use_effect_with(state.generation, move |g| {
            let mut r = rt.borrow_mut();
            r.rebuild(&s);
            // A tour's step shows a moment of the run: it goes there and pauses.
            if let Some((_, to)) = s.pause_at.filter(|(at, _)| at == g && r.timed()) {
                playing.set(false);
                r.look.playing = false;
                r.send(Command::RunTo(to));
            }
        });
    }
    {
        let rt = runtime.clone();
        let s = state.clone();
        use_effect_with(state.live.clone(), move |live| {
            if let Some((_, key)) = live {
                rt.borrow_mut().send(Command::SetLive {
                    params: s.params.clone(),
                    seed: s.seed,
                    key: key.clone(),
                });
            }
        });
    }
    {
        // B, while comparing: the engine runs it beside A.
        let rt = runtime.clone();
        use_effect_with(state.compare.clone(), move |b| {
            rt.borrow_mut().send(Command::Compare(b.clone()));
        });
    }
    {
        let rt = runtime.clone();
        use_effect_with((*playing, *speed, lang), move |(p, s, l)| {
            rt.borrow_mut().set_look(*p, *s, *l);
        });
    }
    {
        // A new size redraws the picture, even while paused.
        let rt = runtime.clone();
        use_effect_with((), move |_| {
            let listener =
                gloo::events::EventListener::new(&crate::web::window(), "resize", move |_| {
                    rt.borrow_mut().send(Command::Touch);
                });
            move || drop(listener)
        });
    }
    {
        // The animation loop runs while something moves or is not shown yet; a change (touch)
        // wakes it.
        let rt = runtime.clone();
        use_effect_with((), move |_| {
            let lp = Rc::new(RefCell::new(Loop {
                mounted: true,
                ..Loop::default()
            }));
            let waker: Rc<dyn Fn()> = {
                let (weak, lp) = (Rc::downgrade(&rt), lp.clone());
                Rc::new(move || {
                    if let Some(rt) = weak.upgrade() {
                        wake(&rt, &lp);
                    }
                })
            };
            if let Link::Worker(remote) = &rt.borrow().link {
                remote.set_wake(waker.clone());
            }
            rt.borrow_mut().wake = Some(waker);
            let flat: Rc<dyn Fn()> = {
                let weak = Rc::downgrade(&rt);
                Rc::new(move || {
                    if let Some(rt) = weak.upgrade() {
                        rt.borrow_mut().run_flat();
                    }
                })
            };
            crate::lab::stats::set_flat(Some(flat));
            wake(&rt, &lp);
            move || {
                let mut l = lp.borrow_mut();
                l.mounted = false;
                l.frame.take();
                drop(l);
                crate::lab::stats::set_flat(None);
                rt.borrow_mut().wake = None;
            }
        });
    }

    {
        // What the engine records of the run goes into the state (and so into the link).
        let rt = runtime.clone();
        let state = state.clone();
        use_effect_with((), move |_| {
            rt.borrow_mut().on_history = Some(Callback::from(move |h: HistoryWire| {
                let (Ok(params), Ok(log)) = (
                    serde_json::from_str::<serde_json::Value>(&h.params),
                    flowlab_sim::replay::ActionLog::parse(&h.log),
                ) else {
                    return;
                };
                state.dispatch(Action::RunLog(params, log, h.generation));
            }));
        });
    }
    let on_seek = {
        let rt = runtime.clone();
        let playing = playing.clone();
        Callback::from(move |t: flowlab_sim::kernel::time::Nanos| {
            playing.set(false);
            rt.borrow_mut().seek(t);
        })
    };
    runtime.borrow_mut().on_seek = Some(on_seek.clone());
    let on_undo = {
        let rt = runtime.clone();
        Callback::from(move |_: ()| rt.borrow_mut().send(Command::Undo))
    };
    let on_set = {
        let state = state.clone();
        Callback::from(move |(k, v): (AttrValue, String)| {
            state.dispatch(Action::Set(k.to_string(), v))
        })
    };
    // A sweep pauses a playing lab while it runs (its workers get the processor the live run and
    // its drawing would take) and plays it on when it ends, unless the user chose meanwhile.
    let resume_after_sweep = use_mut_ref(|| false);
    let on_sweep_running = {
        let rt = runtime.clone();
        let playing = playing.clone();
        let resume = resume_after_sweep.clone();
        use_callback((), move |running: bool, _| {
            let now = {
                let r = rt.borrow();
                r.timed() && r.look.playing
            };
            let mut resume = resume.borrow_mut();
            if running {
                if now {
                    playing.set(false);
                    *resume = true;
                }
                *resume
            } else {
                if std::mem::take(&mut *resume) && !now {
                    playing.set(true);
                }
                false
            }
        })
    };
    let on_play = {
        let playing = playing.clone();
        let resume = resume_after_sweep.clone();
        Callback::from(move |_| {
            *resume.borrow_mut() = false;
            playing.set(!*playing)
        })
    };
    let on_step = {
        let playing = playing.clone();
        let rt = runtime.clone();
        Callback::from(move |_| {
            playing.set(false);
            let mut r = rt.borrow_mut();
            r.look.playing = false;
            r.send(Command::Step);
        })
    };
    let on_reset = {
        let state = state.clone();
        Callback::from(move |_| state.dispatch(Action::Reset))
    };
    let on_speed = {
        let speed = speed.clone();
        Callback::from(move |s: f64| speed.set(s.clamp(0.1, 1000.0)))
    };
    let on_seed = {
        let state = state.clone();
        Callback::from(move |t: String| state.dispatch(Action::SetSeed(t)))
    };
    let shared = Shared(runtime.clone());
    let timed = runtime.borrow().timed();
    // Labs that end by themselves: Run starts over from the settings, Cancel stops the run.
    let run = {
        let rt = runtime.clone();
        let state = state.clone();
        Callback::from(move |_: ()| rt.borrow_mut().start_run(&state))
    };
    let cancel = {
        let rt = runtime.clone();
        Callback::from(move |_: ()| {
            rt.borrow_mut().send(Command::Cancel);
        })
    };
    let start_on_preset = {
        let rt = runtime.clone();
        let playing = playing.clone();
        Callback::from(move |_: ()| {
            if reduced_motion {
                // Nothing starts moving by itself: Play (or Run) starts it.
            } else if timed {
                playing.set(true);
            } else {
                // Every preset load rebuilds the run (a new generation); it starts then.
                rt.borrow_mut().start_on_rebuild = true;
            }
        })
    };
    let show_keys = use_state(|| false);
    let toggle_keys = {
        let show_keys = show_keys.clone();
        Callback::from(move |_: MouseEvent| show_keys.set(!*show_keys))
    };
    {
        // The keyboard shortcuts, on the whole page (not while typing in a field). Registered again
        // after every render, so the handlers see the current state.
        let rt = runtime.clone();
        let playing = playing.clone();
        let resume = resume_after_sweep.clone();
        let (on_step, on_reset, run, cancel) = (
            on_step.clone(),
            on_reset.clone(),
            run.clone(),
            cancel.clone(),
        );
        let (state, loaded, show_keys) =
            (state.clone(), start_on_preset.clone(), show_keys.clone());
        use_effect(move || {
            let listener = gloo::events::EventListener::new_with_options(
                &crate::web::window(),
                "keydown",
                gloo::events::EventListenerOptions::enable_prevent_default(),
                move |e| {
                    use wasm_bindgen::JsCast;
                    let Some(e) = e.dyn_ref::<web_sys::KeyboardEvent>() else {
                        return;
                    };
                    let Some(key) = shortcut(e) else {
                        return;
                    };
                    let handled = match key {
                        Shortcut::PlayPause if timed => {
                            let now = rt.borrow().look.playing;
                            *resume.borrow_mut() = false;
                            playing.set(!now);
                            true
                        }
                        Shortcut::PlayPause => {
                            if rt.borrow().shown.head.phase == Phase::Running {
                                cancel.emit(());
                            } else {
                                run.emit(());
                            }
                            true
                        }
                        Shortcut::Step if timed => {
                            on_step.emit(());
                            true
                        }
                        Shortcut::Step => false,
                        Shortcut::Reset => {
                            on_reset.emit(());
                            true
                        }
                        Shortcut::Preset(n) => match U::L::presets().get(n) {
                            Some(p) => {
                                state.dispatch(Action::LoadPreset(p.id));
                                loaded.emit(());
                                true
                            }
                            None => false,
                        },
                        Shortcut::Help => {
                            show_keys.set(!*show_keys);
                            true
                        }
                        Shortcut::Close if *show_keys => {
                            show_keys.set(false);
                            true
                        }
                        Shortcut::Close => false,
                    };
                    if handled {
                        e.prevent_default();
                    }
                },
            );
            move || drop(listener)
        });
    }

    let keys_button = html! {
        <button id="btn-keys" class="btn small" aria-expanded={show_keys.to_string()}
            aria-controls="shortcuts" onclick={toggle_keys.clone()}>
            { tr(lang, text::KEYS_BUTTON) }
        </button>
    };
    let controls = if timed {
        html! {
            <div class="control-bar" id="controls" tabindex="-1">
                <SimControls playing={*playing} speed={*speed} seed={state.seed}
                    on_play={on_play} on_step={on_step} on_reset={on_reset}
                    on_speed={on_speed} on_seed={on_seed} />
                <LiveClock<U> rt={shared.clone()} />
                { keys_button }
            </div>
        }
    } else {
        let on_seed = {
            let state = state.clone();
            Callback::from(move |e: Event| {
                let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                state.dispatch(Action::SetSeed(input.value()));
            })
        };
        html! {
            <div class="control-bar" id="controls" tabindex="-1">
                <div class="sim-controls">
                    <button id="btn-run" class="btn primary" onclick={run.reform(|_: MouseEvent| ())}>{ tr(lang, text::RUN) }</button>
                    <LiveCancel<U> rt={shared.clone()} on_cancel={cancel} />
                    <label class="inline">
                        <span>{ tr(lang, text::SEED) }</span>
                        <input id="input-seed" type="number" min="0" value={state.seed.to_string()} onchange={on_seed} />
                    </label>
                </div>
                <LiveProgress<U> rt={shared.clone()} />
                { keys_button }
            </div>
        }
    };
    let keys_panel = if *show_keys {
        shortcuts_panel::<U::L>(lang, timed, toggle_keys)
    } else {
        html! {}
    };

    // While comparing, B's picture plays beside A's (a second instance of the lab's stage).
    let (stage, stage_b) = {
        let rt = runtime.borrow();
        let b = state.compare.as_ref().map(|b| {
            let diff = super::compare_ui::differences::<U::L>(&state, b);
            (rt.ui_b.stage(Side::B), diff)
        });
        (rt.ui.stage(Side::A), b)
    };
    let comparing = stage_b.is_some();
    let chart_refs = runtime.borrow().charts.clone();

    html! {
        <div class={classes!("lab", format!("lab-{id}"))}>
            <section class="lab-head">
                <h1>{ tr_id(lang, &format!("{id}.title")) }</h1>
                <p class="intro">{ tr_id(lang, &format!("{id}.intro")) }</p>
                <super::tour::TourStart<U::L> state={state.clone()} />
            </section>
            <super::tour::TourCard<U::L> state={state.clone()} />
            { url_notice(lang, &state) }
            <PresetsBar<U> state={state.clone()} on_loaded={start_on_preset} />
            { controls }
            <LiveEngineNotice<U> rt={shared.clone()} />
            { keys_panel }
            { input_problem(lang, &state) }
            <LiveActions<U> rt={shared.clone()} />
            <div class={classes!("stages", comparing.then_some("stages-ab"))}>
                <div class="stage" id="stage-a">
                    if comparing {
                        <p class="stage-tag">{ tr(lang, text::STAGE_A) }</p>
                    }
                    { stage }
                    <p class="legend">{ tr_id(lang, &format!("{id}.legend")) }</p>
                    <LiveSummary<U> rt={shared.clone()} />
                </div>
                if let Some((stage_b, diff)) = stage_b {
                    <div class="stage stage-b" id="stage-b">
                        <p class="stage-tag">
                            { if diff.is_empty() { tr(lang, text::STAGE_B_SAME).to_string() } else { fill(tr(lang, text::STAGE_B), &[diff]) } }
                        </p>
                        { stage_b }
                        <LiveSummary<U> rt={shared.clone()} b={true} />
                    </div>
                }
            </div>
            <super::timeline::TimelineBar<U> rt={shared.clone()} {on_seek} {on_undo} />
            <super::compare_ui::ComparePanel<U> state={state.clone()} rt={shared.clone()} />
            <LiveCheckers<U> rt={shared.clone()} />
            <super::why::WhyPanel<U> rt={shared.clone()} />
            <LiveExtra<U> rt={shared.clone()} />
            <div class={classes!("columns", U::CHARTS.is_empty().then_some("single"))}>
                <ParamsForm<U> state={state.clone()} on_set={on_set} />
                if !U::CHARTS.is_empty() {
                    <section class="panel charts" aria-label={tr(lang, text::CHARTS)}>
                        { for U::CHARTS.iter().zip(chart_refs).enumerate().map(|(i, (title, node))| html! {
                            <>
                                <h2>{ tr_id(lang, title) }</h2>
                                <canvas id={format!("chart-{i}")} ref={node} class="chart" role="img"
                                    aria-label={tr_id(lang, title)}></canvas>
                                <ChartData<U> rt={shared.clone()} index={i} title={*title} />
                            </>
                        }) }
                    </section>
                }
            </div>
            <section class="panel results" aria-labelledby="results-title">
                <h2 id="results-title">{ tr(lang, text::RESULTS) }</h2>
                <LiveResults<U> rt={shared.clone()} />
            </section>
            <super::challenge::ChallengePanel<U::L> state={state.clone()} />
            <SweepPanel<U::L> state={state.clone()} on_running={on_sweep_running} />
            <super::export::RunExport<U> rt={shared.clone()} state={state.clone()} />
            <section class="panel explain" aria-labelledby="explain-title">
                <h2 id="explain-title">{ tr(lang, text::EXPLANATIONS) }</h2>
                <p class="note">{ tr(lang, text::NOTES_SAY) }</p>
                <div class="cards">
                    { for U::EXPLAIN.iter().map(|(t, b)| html! {
                        <article class="card"><h3>{ tr_id(lang, t) }</h3><p>{ tr_id(lang, b) }</p></article>
                    }) }
                </div>
            </section>
        </div>
    }
}

/// Seeds a preset's "across 50 seeds" runs.
const PRESET_SWEEP_SEEDS: u32 = 50;

/// Where a lab's last state is kept for the tab's session.
fn session_key(id: &str) -> String {
    format!("flowlab.state.{id}")
}

/// The notice listing what was wrong in the URL, with a dismiss button.
fn url_notice<L: Lab>(lang: Lang, state: &UseReducerHandle<LabState<L>>) -> Html {
    if state.url_problems.is_empty() {
        return html! {};
    }
    let st = state.clone();
    let dismiss = Callback::from(move |_: MouseEvent| st.dispatch(Action::DismissNotice));
    html! {
        <div id="url-notice" class="notice" role="alert">
            <strong>{ tr(lang, text::URL_NOTICE) }</strong>
            <ul>{ for state.url_problems.iter().map(|pr| html! { <li>{ describe_problem(lang, pr) }</li> }) }</ul>
            <button class="btn small" onclick={dismiss}>{ tr(lang, text::DISMISS) }</button>
        </div>
    }
}

/// The message for the last input that could not be applied.
fn input_problem<L: Lab>(lang: Lang, state: &LabState<L>) -> Html {
    match &state.input_problem {
        Some(pr) => html! {
            <div id="input-problem" class="notice small" role="alert">
                { fill(tr(lang, text::NOT_APPLIED), &[describe_problem(lang, pr)]) }
            </div>
        },
        None => html! {},
    }
}

#[derive(Properties)]
pub(super) struct StateProps<U: LabUi> {
    pub state: UseReducerHandle<LabState<U::L>>,
    #[prop_or_default]
    pub on_loaded: Callback<()>,
    #[prop_or_default]
    pub on_set: Callback<(AttrValue, String)>,
    /// The form of B's params (while comparing), not A's.
    #[prop_or_default]
    pub b: bool,
}

impl<U: LabUi> PartialEq for StateProps<U> {
    fn eq(&self, o: &Self) -> bool {
        self.state == o.state
            && self.on_loaded == o.on_loaded
            && self.on_set == o.on_set
            && self.b == o.b
    }
}

/// Preset buttons, and the "what to watch" sentence of the one loaded.
#[function_component(PresetsBar)]
fn presets_bar<U: LabUi>(props: &StateProps<U>) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let id = U::L::ID;
    let state = &props.state;
    let presets = U::L::presets();
    let buttons = presets.iter().map(|p| {
        let pid = p.id;
        let active = state.preset == Some(pid);
        let st = state.clone();
        let loaded = props.on_loaded.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            st.dispatch(Action::LoadPreset(pid));
            loaded.emit(());
        });
        html! {
            <button class={classes!("btn", "preset", active.then_some("active"))} data-preset={pid}
                aria-pressed={active.to_string()} {onclick}>
                { tr_id(lang, &format!("{id}.preset.{pid}")) }
            </button>
        }
    });
    let watch = state.preset.map(|pid| {
        let title = tr_id(lang, &format!("{id}.preset.{pid}"));
        let st = state.clone();
        let across = Callback::from(move |_: MouseEvent| {
            st.dispatch(Action::PresetSweep(pid, PRESET_SWEEP_SEEDS));
            crate::web::focus_id("sweep-title");
        });
        let seeds = PRESET_SWEEP_SEEDS.to_string();
        html! {
            <p id="preset-watch" class="watch">
                <strong>{ fill(tr(lang, text::WHAT_TO_WATCH), &[title.to_string()]) }</strong>{ " " }
                { tr_id(lang, &format!("{id}.preset.{pid}.watch")) }{ " " }
                <button id="btn-preset-sweep" class="btn small" onclick={across}
                    title={fill(tr(lang, text::SWEEP_ACROSS_HELP), std::slice::from_ref(&seeds))}>
                    { fill(tr(lang, text::SWEEP_ACROSS), &[seeds]) }
                </button>
            </p>
        }
    });
    if presets.is_empty() {
        return html! {};
    }
    html! {
        <>
            <section class="presets" aria-label={tr(lang, text::PRESETS)}>
                <span class="section-label">{ tr(lang, text::PRESETS) }</span>
                { for buttons }
            </section>
            { for watch }
        </>
    }
}

/// The params form, generated from the lab's knob table.
#[function_component(ParamsForm)]
pub(super) fn params_form<U: LabUi>(props: &StateProps<U>) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let show_all = use_state(|| false);
    let b = props.b;
    let shown = match (&props.state.compare, b) {
        (Some(p), true) => p,
        _ => &props.state.params,
    };
    let params = serde_json::to_value(shown).expect("params serialise to JSON");
    let sections = form::build(&<U::L as Lab>::Params::knobs(), &params);
    let hidden = form::advanced_count(&sections);
    let on_set = props.on_set.clone();
    let field = |f: &form::Field| -> Html {
        let label: AttrValue = tr_id(lang, f.text).into();
        let help_text: AttrValue = help(lang, f.text, f.doc).into();
        let key: AttrValue = f.key.clone().into();
        // B's changes start B again (run to A's time): no live hint there.
        let hint = (f.live && !b).then(|| AttrValue::from(tr(lang, text::LIVE_HINT)));
        match &f.input {
            Input::Number {
                value,
                min,
                max,
                step,
            } => html! {
                <NumField label={label} param={key} value={value.clone()} min={min.clone()} max={max.clone()}
                    step={Some(AttrValue::from(step.clone()))} help={Some(help_text)} hint={hint} on_set={on_set.clone()} {b} />
            },
            Input::Switch { on } => html! {
                <CheckField label={label} param={key} checked={*on} help={Some(help_text)} on_set={on_set.clone()} {b} />
            },
            Input::Choice { value, options } => {
                let options: Vec<(AttrValue, AttrValue)> = options
                    .iter()
                    .map(|(v, t)| (AttrValue::from(*v), AttrValue::from(tr_id(lang, t))))
                    .collect();
                html! {
                    <SelectField label={label} param={key} value={AttrValue::from(value.clone())} options={options}
                        help={Some(help_text)} on_set={on_set.clone()} {b} />
                }
            }
        }
    };
    let toggle = {
        let show_all = show_all.clone();
        Callback::from(move |_: MouseEvent| show_all.set(!*show_all))
    };
    html! {
        <section class="panel controls" id={if b { "params-b" } else { "params" }}>
            <h2>{ tr(lang, if b { text::COMPARE_PARAMS_B } else { text::PARAMETERS }) }</h2>
            { for sections.iter().map(|s| {
                let shown: Vec<&form::Field> = s.fields.iter().filter(|f| *show_all || !f.advanced).collect();
                if shown.is_empty() {
                    return html! {};
                }
                let heading = if s.text.is_empty() { tr(lang, text::GENERAL) } else { tr_id(lang, s.text) };
                html! {
                    <fieldset>
                        <legend>{ heading }</legend>
                        { for shown.into_iter().map(field) }
                    </fieldset>
                }
            }) }
            if hidden > 0 {
                <button id={if b { "btn-all-params-b" } else { "btn-all-params" }} class="btn small" aria-expanded={show_all.to_string()} onclick={toggle}>
                    { if *show_all { tr(lang, text::FEWER_PARAMETERS).to_string() } else { fill(tr(lang, text::ALL_PARAMETERS), &[hidden.to_string()]) } }
                </button>
            }
        </section>
    }
}

#[derive(Properties)]
pub struct LiveProps<U: LabUi> {
    pub rt: Shared<U>,
}

impl<U: LabUi> PartialEq for LiveProps<U> {
    fn eq(&self, o: &Self) -> bool {
        self.rt == o.rt
    }
}

/// The virtual clock, and the speed the run achieves when it falls behind the chosen one.
#[function_component(LiveClock)]
fn live_clock<U: LabUi>(props: &LiveProps<U>) -> Html {
    use_live(&props.rt, REFRESH_MS, changes);
    let lang = use_context::<Lang>().unwrap_or_default();
    let rt = props.rt.0.borrow();
    let now = rt.shown.head.now;
    let achieved = rt.shown.head.achieved.filter(|_| rt.look.playing);
    html! {
        <>
            // The engine's budget per frame rides along for the frame-rate benchmark.
            <span class="clock" id="virtual-clock" data-engine-ms={format!("{:.1}", rt.shown.head.engine_ms)}>
                { format!("{}: {:.3} s", tr(lang, text::VIRTUAL_TIME), now as f64 / NS_PER_S as f64) }
            </span>
            if let Some(a) = achieved {
                <span class="achieved" id="achieved-speed" data-achieved={format!("{a:.1}")} role="status"
                    title={tr(lang, text::ACHIEVED_HELP)}>
                    { fill(tr(lang, text::ACHIEVED), &[crate::lab::pacing::speed_text(a)]) }
                </span>
            }
        </>
    }
}

#[derive(Properties)]
struct CancelProps<U: LabUi> {
    rt: Shared<U>,
    on_cancel: Callback<()>,
}

impl<U: LabUi> PartialEq for CancelProps<U> {
    fn eq(&self, o: &Self) -> bool {
        self.rt == o.rt && self.on_cancel == o.on_cancel
    }
}

/// Where the live run is, when it is not in a worker: on the main thread, and why.
#[function_component(LiveEngineNotice)]
fn live_engine_notice<U: LabUi>(props: &LiveProps<U>) -> Html {
    use_live(&props.rt, REFRESH_MS, changes);
    let lang = use_context::<Lang>().unwrap_or_default();
    let Some(why) = props.rt.0.borrow().fallback else {
        return html! {};
    };
    let reason = match why {
        Why::Start(Fallback::Unsupported) => tr(lang, text::WORKERS_UNSUPPORTED),
        Why::Start(Fallback::SpawnFailed) => tr(lang, text::WORKERS_SPAWN_FAILED),
        Why::Start(Fallback::NoAnswer) => tr(lang, text::WORKERS_NO_ANSWER),
        Why::Stopped => tr(lang, text::WORKERS_STOPPED),
    };
    html! {
        <p id="engine-notice" class="notice small" role="status">
            { fill(tr(lang, text::LIVE_MAIN), &[reason.to_string()]) }
        </p>
    }
}

/// Cancel, enabled only while a run goes on.
#[function_component(LiveCancel)]
fn live_cancel<U: LabUi>(props: &CancelProps<U>) -> Html {
    use_live(&props.rt, 100, changes);
    let lang = use_context::<Lang>().unwrap_or_default();
    let running = props.rt.0.borrow().shown.head.phase == Phase::Running;
    html! {
        <button id="btn-cancel" class="btn" disabled={!running}
            onclick={props.on_cancel.reform(|_: MouseEvent| ())}>{ tr(lang, text::CANCEL) }</button>
    }
}

/// Progress of a run that ends by itself.
#[function_component(LiveProgress)]
fn live_progress<U: LabUi>(props: &LiveProps<U>) -> Html {
    use_live(&props.rt, 100, changes);
    let lang = use_context::<Lang>().unwrap_or_default();
    let rt = props.rt.0.borrow();
    let head = &rt.shown.head;
    let (total, unit) = head.items.clone().unwrap_or((0, String::new()));
    let unit_text = tr_id(lang, &format!("ui.unit.{unit}"));
    let done = head.work.min(total);
    let phase = head.phase;
    let secs = head.wall_ms / 1000.0;
    let line = match phase {
        Phase::Idle => tr(lang, text::PROGRESS_IDLE).to_string(),
        Phase::Running => fill(
            tr(lang, text::PROGRESS_RUNNING),
            &[count(lang, done), count(lang, total), unit_text.into()],
        ),
        Phase::Finished => fill(
            tr(lang, text::PROGRESS_FINISHED),
            &[count(lang, total), unit_text.into(), format!("{secs:.2}")],
        ),
        // The timeline shows a moment before the furthest point.
        Phase::Cancelled if head.now < head.furthest => fill(
            tr(lang, text::PROGRESS_AT),
            &[
                super::timeline::time_label(lang, head.now),
                count(lang, done),
                count(lang, total),
                unit_text.into(),
            ],
        ),
        Phase::Cancelled => fill(
            tr(lang, text::PROGRESS_CANCELLED),
            &[count(lang, done), count(lang, total), unit_text.into()],
        ),
    };
    html! {
        <div class="sale-status" id="run-status">
            <progress max={total.to_string()} value={done.to_string()}></progress>
            <span id="run-progress-text" data-phase={phase.as_str()} data-done={done.to_string()}
                data-wall-ms={format!("{:.0}", head.wall_ms)} data-busy-ms={format!("{:.0}", head.busy_ms)} role="status">{ line }</span>
            <span class="fps"><span id="run-fps">{ format!("{:.0}", rt.fps) }</span>{ " " }{ tr(lang, text::FPS) }</span>
        </div>
    }
}

/// The lab's fault and operator buttons.
#[function_component(LiveActions)]
fn live_actions<U: LabUi>(props: &LiveProps<U>) -> Html {
    use_live(&props.rt, REFRESH_MS, changes);
    let lang = use_context::<Lang>().unwrap_or_default();
    let apply = {
        let rt = props.rt.clone();
        Callback::from(move |f: <U::L as Lab>::Fault| {
            rt.0.borrow_mut().send(Command::Apply(f));
        })
    };
    U::actions(&props.rt.0.borrow().shown, &apply, lang)
}

/// The picture in words (what a screen reader reads for the canvas), refreshed live.
#[function_component(LiveSummary)]
fn live_summary<U: LabUi>(props: &SummaryProps<U>) -> Html {
    use_live(&props.rt, 1000, changes);
    let rt = props.rt.0.borrow();
    let (text, side) = if props.b {
        (rt.shown_b.summary.clone(), Side::B)
    } else {
        (rt.shown.summary.clone(), Side::A)
    };
    html! { <p id={side.id("picture-summary")} class="sr-only" aria-live="polite">{ text }</p> }
}

#[derive(Properties)]
struct SummaryProps<U: LabUi> {
    rt: Shared<U>,
    /// B's picture's words (while comparing).
    #[prop_or_default]
    b: bool,
}

impl<U: LabUi> PartialEq for SummaryProps<U> {
    fn eq(&self, o: &Self) -> bool {
        self.rt == o.rt && self.b == o.b
    }
}

/// The lab's own live panels.
#[function_component(LiveExtra)]
fn live_extra<U: LabUi>(props: &LiveProps<U>) -> Html {
    use_live(&props.rt, REFRESH_MS, changes);
    let lang = use_context::<Lang>().unwrap_or_default();
    U::extra(&props.rt.0.borrow().shown, lang)
}

/// The checkers of the whole run: counts of what went wrong, marked when not zero.
#[function_component(LiveCheckers)]
fn live_checkers<U: LabUi>(props: &LiveProps<U>) -> Html {
    use_live(&props.rt, REFRESH_MS, changes);
    let lang = use_context::<Lang>().unwrap_or_default();
    let r = results::build(&props.rt.0.borrow().shown.report, lang);
    let cells: Vec<&results::Cell> = r.run.iter().filter(|c| c.metric.checker).collect();
    if cells.is_empty() {
        return html! {};
    }
    html! {
        <section class="checkers" id="checkers" aria-label={tr(lang, text::CHECKERS)}>
            { for cells.into_iter().map(|c| html! {
                <div class={classes!("checker", c.bad.then_some("bad"))} title={help(lang, c.metric.text, c.metric.doc)}
                    data-metric={c.metric.key}>
                    <span class="checker-label">{ tr_id(lang, c.metric.text) }</span>
                    <span class="checker-value" id={format!("c-{}", c.metric.key)}>{ c.text.clone() }</span>
                </div>
            }) }
        </section>
    }
}

/// Every figure of the run: the whole run's, then a table of lanes by metric.
#[function_component(LiveResults)]
fn live_results<U: LabUi>(props: &LiveProps<U>) -> Html {
    use_live(&props.rt, REFRESH_MS, changes);
    let lang = use_context::<Lang>().unwrap_or_default();
    let r = results::build(&props.rt.0.borrow().shown.report, lang);
    let run: Vec<&results::Cell> = r.run.iter().filter(|c| !c.metric.checker).collect();
    html! {
        <>
            if !run.is_empty() {
                <table id="run-figures" class="kv">
                    <tbody>
                        { for run.into_iter().map(|c| html! {
                            <tr data-metric={c.metric.key}>
                                <td title={help(lang, c.metric.text, c.metric.doc)}>{ tr_id(lang, c.metric.text) }</td>
                                <td class="num" id={format!("r-{}", c.metric.key)}>{ c.text.clone() }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
            if !r.rows.is_empty() {
                <div class="scroll-x" tabindex="0" role="region" aria-label={tr(lang, text::RESULTS_BY_LANE)}>
                    <table id="results">
                        <thead><tr>
                            <th scope="col">{ tr(lang, text::LANE) }</th>
                            { for r.columns.iter().map(|m| html! {
                                <th scope="col" title={help(lang, m.text, m.doc)}>{ tr_id(lang, m.text) }</th>
                            }) }
                        </tr></thead>
                        <tbody>
                            { for r.rows.iter().map(|row| html! {
                                <tr data-lane={row.lane.clone()}>
                                    <th scope="row">{ tr_id(lang, row.text) }</th>
                                    { for row.cells.iter().zip(&r.columns).map(|(c, m)| match c {
                                        Some(c) => html! { <td class={classes!("num", c.bad.then_some("over"))} data-col={m.key}>{ c.text.clone() }</td> },
                                        None => html! { <td class="num" data-col={m.key}>{ "–" }</td> },
                                    }) }
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </div>
            }
        </>
    }
}

#[derive(Properties)]
struct ChartDataProps<U: LabUi> {
    rt: Shared<U>,
    /// Which of the lab's charts.
    index: usize,
    /// Its title (a text id).
    title: &'static str,
}

impl<U: LabUi> PartialEq for ChartDataProps<U> {
    fn eq(&self, o: &Self) -> bool {
        self.rt == o.rt && self.index == o.index && self.title == o.title
    }
}

/// A chart's data table, under the chart: folded by default; open, it follows the chart (the same
/// [`chart::Chart`] the canvas draws, as a table by [`chart::data_table`]).
#[function_component(ChartData)]
fn chart_data<U: LabUi>(props: &ChartDataProps<U>) -> Html {
    use_live(&props.rt, REFRESH_MS, |r| r.charts_version);
    let lang = use_context::<Lang>().unwrap_or_default();
    let open = use_state(|| false);
    let ontoggle = {
        let open = open.clone();
        Callback::from(move |e: Event| {
            let details: web_sys::Element = e.target_unchecked_into();
            open.set(details.has_attribute("open"));
        })
    };
    let i = props.index;
    let title = tr_id(lang, props.title);
    let body = if *open {
        let rt = props.rt.0.borrow();
        match rt.shown.chart(i) {
            Some(c) => {
                let t = chart::data_table(&c, lang);
                html! {
                    <>
                        <div class="scroll-y" tabindex="0" role="region" aria-label={title}>
                            <table id={format!("chart-{i}-table")} class="data-table">
                                <caption class="sr-only">{ title }</caption>
                                <thead><tr>
                                    { for t.head.iter().map(|h| html! { <th scope="col">{ h.clone() }</th> }) }
                                </tr></thead>
                                <tbody>
                                    { for t.rows.iter().map(|(time, cells)| html! {
                                        <tr>
                                            <th scope="row">{ time.clone() }</th>
                                            { for cells.iter().map(|c| html! { <td class="num">{ c.clone() }</td> }) }
                                        </tr>
                                    }) }
                                </tbody>
                            </table>
                        </div>
                        if !t.refs.is_empty() {
                            <p class="note">{ fill(tr(lang, text::REFERENCE_LINES), &[t.refs.join(" · ")]) }</p>
                        }
                    </>
                }
            }
            None => html! {},
        }
    } else {
        html! {}
    };
    html! {
        <details class="chart-data" id={format!("chart-{i}-data")} {ontoggle}>
            <summary>{ tr(lang, text::DATA_TABLE) }</summary>
            { body }
        </details>
    }
}
