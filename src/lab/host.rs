//! The live engine of a lab's page, written once for every lab: a [`Host`] owns the run
//! (`Sim<L>`) and its pacing, takes [`Command`]s (rebuild, start, cancel, a fault, a live knob, a
//! step, how the page looks) and, asked for a frame, advances the run toward the wall time it is
//! given within a time budget and answers with a [`Frame`]: the picture's data every frame the
//! run moved, charts and readouts only when due. Plain Rust: it runs in a Web Worker, or on the
//! page's main thread where workers are unavailable, and natively in tests.

use flowlab_sim::kernel::lab::{Extent, Lab};
use flowlab_sim::kernel::sim::Sim;
use flowlab_sim::Model;
use serde::{Deserialize, Serialize};

use flowlab_sim::replay::{Act, ActionLog, RunFile};

use super::compare::{Twin, TwinWire};
use super::history::{knob_text, room_alone, room_beside, History, HistoryWire};
use super::pacing::{Pacing, Phase};
use super::view::{Frame, Head, LabView, Look, Readouts, WireReport};
use super::why::WhyWire;
use crate::i18n::Lang;

/// Readouts (the lab's panels, the results and checkers) are sent at most this often, wall ms.
pub const READOUTS_MS: f64 = 100.0;

/// What the page asks of the engine besides frames.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(bound = "")]
pub enum Command<L: Lab> {
    /// A new run of `params` and `seed`; a lab that ends by itself starts it at once if `start`.
    Rebuild {
        params: L::Params,
        seed: u64,
        start: bool,
        /// Interventions the run replays (a link's, or a run file's).
        #[serde(default)]
        actions: ActionLog,
        /// The page state's generation that asked for this run, sent back with its history.
        #[serde(default)]
        generation: u64,
    },
    /// Stops a run that ends by itself.
    Cancel,
    /// A fault or operator action.
    Apply(L::Fault),
    /// Knob `key` of `params` changed: applied to the running run if it is live, else a rebuild.
    SetLive {
        params: L::Params,
        seed: u64,
        key: String,
    },
    /// Pauses and runs to the lab's next step.
    Step,
    /// Pauses and runs to this virtual time (a tour's step shows a moment of the run).
    RunTo(flowlab_sim::kernel::time::Nanos),
    /// Pauses and shows the run as it was at this virtual time (at most the furthest reached).
    Seek(flowlab_sim::kernel::time::Nanos),
    /// Undoes the last fork: its dropped actions come back, from the fork's time.
    Undo,
    /// Play, speed, language, reduced motion.
    Look(Look),
    /// Draw everything again (the page was resized).
    Touch,
    /// Compares with B of these params (on the run's seed, replaying its actions), or stops.
    Compare(Option<L::Params>),
    /// The run file of the run as it stands (sent with the next frame): its start params, seed
    /// and action log up to now, and the figures and digest of a copy of it finished where it
    /// stands (a lab that ends by itself, at its end): no replay.
    Export,
}

/// Why a timed run cannot be exported yet: it is at 0 s ([`Host::run_file`]).
pub const NOT_STARTED: &str = "the run has not started";

/// The engine's side of a lab's page.
pub struct Host<V: LabView> {
    sim: Sim<V::L>,
    pace: Pacing,
    look: Look,
    pic: V::Pic,
    /// B's picture, filled like A's while comparing.
    pic_b: V::Pic,
    picture_dirty: bool,
    readouts_dirty: bool,
    last_readouts_ts: f64,
    changes: u64,
    /// The log's lines numbered below this were sent.
    why_sent: u64,
    /// A new run: the page drops the log's lines it has.
    why_reset: bool,
    /// The run's history (its action log, checkpoints, marks; labs that end by themselves take
    /// no actions).
    history: Option<History<V::L>>,
    /// The history's version last sent.
    history_sent: u64,
    /// B, while comparing (see [`super::compare`]).
    twin: Option<Twin<V::L>>,
    /// B is not with A yet: it catches up over the next frames.
    twin_behind: bool,
    /// B's report last sent was from on its way to A: the frame B reaches A in sends the
    /// readouts at once, so that the page never shows B with A beside a report from before.
    twin_report_behind: bool,
    /// A run file asked for, not sent yet.
    export_due: bool,
    /// The page state's generation of the last rebuild (sent with the history).
    generation: u64,
}

impl<V: LabView> Host<V> {
    pub fn new(params: &<V::L as Lab>::Params, seed: u64, look: Look) -> Self {
        let mut pace = Pacing::new(look.lang);
        pace.set(look.playing, look.speed, look.lang);
        pace.reduced_motion = look.reduced_motion;
        let sim = Sim::<V::L>::new_or_default(params, seed);
        let history = Some(History::new(&sim, sim.params(), ActionLog::default()));
        Self {
            sim,
            history,
            history_sent: 0,
            twin: None,
            twin_behind: false,
            twin_report_behind: false,
            export_due: false,
            generation: 0,
            pace,
            look,
            pic: V::Pic::default(),
            pic_b: V::Pic::default(),
            picture_dirty: true,
            readouts_dirty: true,
            last_readouts_ts: f64::NEG_INFINITY,
            changes: 0,
            why_sent: 0,
            why_reset: true,
        }
    }

    /// Takes the page state's generation as the current run's (a host started in place of a
    /// worker's, for the run the page last asked for).
    pub fn set_generation(&mut self, generation: u64) {
        self.generation = generation;
    }

    /// A new run (of new params, or the same again): its "why" log starts empty, its history
    /// holds `actions` (planned in the run), or none for a lab that ends by itself.
    fn new_run(&mut self, mut sim: Sim<V::L>, actions: ActionLog) {
        self.history = Some(History::planned(&mut sim, actions));
        self.sim = sim;
        self.restart_why();
    }

    /// The run changed under the "why" panel (a new run, a jump): the page's lines go.
    fn restart_why(&mut self) {
        // Every line the run keeps is sent again.
        self.why_sent = 0;
        self.why_reset = true;
    }

    /// The run's history, what the page shows of it (when it changed).
    fn history_news(&mut self) -> Option<HistoryWire> {
        let h = self.history.as_ref()?;
        (h.version != self.history_sent).then(|| {
            self.history_sent = h.version;
            HistoryWire {
                generation: self.generation,
                ..h.wire()
            }
        })
    }

    pub fn history(&self) -> Option<&History<V::L>> {
        self.history.as_ref()
    }

    /// The log's lines not sent yet (at most those it keeps) and its counts, if it has news.
    fn why_news(&mut self) -> Option<WhyWire> {
        let w = self.sim.why()?;
        if w.total() == self.why_sent && !self.why_reset {
            return None;
        }
        let wire = WhyWire {
            reset: self.why_reset,
            counts: w.counts().to_vec(),
            entries: w.since(self.why_sent).copied().collect(),
        };
        self.why_sent = w.total();
        self.why_reset = false;
        Some(wire)
    }

    /// In a worker, the engine does not share the page's frame: it may take most of one per
    /// request (`budget_ms` for a timed run, `slice_ms` for one that ends by itself).
    pub fn set_budget(&mut self, budget_ms: f64, slice_ms: f64) {
        self.pace
            .set_budgets(budget_ms.clamp(1.0, 50.0), slice_ms.clamp(1.0, 200.0));
    }

    pub fn sim(&self) -> &Sim<V::L> {
        &self.sim
    }

    /// B, while comparing.
    pub fn twin(&self) -> Option<&Twin<V::L>> {
        self.twin.as_ref()
    }

    /// Brings B to A (after A moved or changed), within a frame's engine budget of wall time read
    /// on `clock`: a B far behind catches up over the next frames.
    fn follow_twin(&mut self, clock: &dyn Fn() -> f64) {
        self.twin_behind = match &mut self.twin {
            Some(t) => {
                let log = self.history.as_ref().map(History::log).cloned();
                let end = clock() + self.pace.whole_budget_ms();
                let mut more = || clock() < end;
                !t.follow(
                    &self.sim,
                    &log.unwrap_or_default(),
                    &self.look,
                    V::prepare,
                    &mut more,
                )
            }
            None => false,
        };
        self.share_room();
    }

    /// Gives the checkpoints of A, and of B while comparing, the room the page's memory budget
    /// leaves beside the runs themselves (B's history is new after a new seed or log).
    fn share_room(&mut self) {
        let Some(a) = self.history.as_mut() else {
            return;
        };
        match self.twin.as_mut() {
            None => a.set_room(room_alone(a.memory())),
            Some(t) => match t.history_mut() {
                Some(b) => {
                    let room = room_beside(a.memory(), b.memory());
                    a.set_room(room);
                    b.set_room(room);
                }
                None => a.set_room(room_alone(a.memory())),
            },
        }
    }

    pub fn timed(&self) -> bool {
        self.sim.extent() == Extent::Timed
    }

    /// Something changed: everything is drawn and sent again.
    fn touch(&mut self) {
        self.picture_dirty = true;
        self.readouts_dirty = true;
        self.pace.charts_dirty = true;
        self.changes += 1;
    }

    /// Applies `cmd`; `clock` reads wall milliseconds.
    pub fn command(&mut self, cmd: Command<V::L>, clock: &dyn Fn() -> f64) {
        match cmd {
            Command::Rebuild {
                params,
                seed,
                start,
                actions,
                generation,
            } => {
                self.generation = generation;
                self.new_run(Sim::new_or_default(&params, seed), actions);
                self.pace.phase = Phase::Idle;
                if start && !self.timed() {
                    self.pace.start(clock());
                }
            }
            Command::Cancel => self.pace.cancel(),
            Command::Apply(f) => match (&mut self.history, serde_json::to_value(&f)) {
                (Some(h), Ok(verb)) => {
                    h.record(&mut self.sim, Act::Verb(verb), |sim| {
                        sim.apply(f);
                        true
                    });
                }
                _ => self.sim.apply(f),
            },
            Command::SetLive { params, seed, key } => {
                let took = match (&mut self.history, knob_text(&params, &key)) {
                    (Some(h), Some(value)) => {
                        let act = Act::Set {
                            key: key.clone(),
                            value,
                        };
                        // A full log refuses it: the run goes on as it was.
                        h.record(&mut self.sim, act, |sim| sim.set_live(&params, &key))
                            .unwrap_or(true)
                    }
                    _ => self.sim.set_live(&params, &key),
                };
                if !took {
                    self.new_run(Sim::new_or_default(&params, seed), ActionLog::default());
                    self.pace.phase = Phase::Idle;
                }
            }
            Command::Seek(t) => {
                if let Some(h) = &mut self.history {
                    self.sim = h.seek(t);
                    h.sought(&self.sim);
                    self.restart_why();
                }
                // A lab that ends by itself, shown before its end, is stopped there (Run starts
                // it again); at its end, finished.
                if !self.timed() && self.pace.phase != Phase::Idle {
                    self.pace.phase = if self.sim.is_done() {
                        Phase::Finished
                    } else {
                        Phase::Cancelled
                    };
                }
                self.look.playing = false;
                self.pace.set(false, self.look.speed, self.look.lang);
            }
            Command::Undo => {
                if let Some(sim) = self.history.as_mut().and_then(History::undo) {
                    self.sim = sim;
                    self.restart_why();
                }
            }
            Command::Step => {
                let to = V::step_to(&self.sim);
                self.run_to(to);
                self.look.playing = false;
            }
            Command::RunTo(to) => {
                let to = to.max(self.sim.now());
                self.run_to(to);
                self.look.playing = false;
            }
            Command::Look(look) => {
                self.pace.set(look.playing, look.speed, look.lang);
                self.pace.reduced_motion = look.reduced_motion;
                self.look = look;
            }
            Command::Touch => {}
            Command::Export => self.export_due = true,
            Command::Compare(b) => {
                if b.is_none() {
                    self.pace.twin_off();
                }
                self.twin = b.map(|p| {
                    let log = self.history.as_ref().map(History::log).cloned();
                    Twin::new(&p, self.sim.seed(), &log.unwrap_or_default())
                });
            }
        }
        self.follow_twin(clock);
        self.touch();
    }

    /// Pauses and runs to `to` in one go, the history taking its checkpoints and marks on the way.
    fn run_to(&mut self, to: flowlab_sim::kernel::time::Nanos) {
        if let Some(h) = &mut self.history {
            h.run_to(&mut self.sim, to);
        }
        self.pace.step_to(&mut self.sim, to);
    }

    /// The rest of the page's frame (drawing) took `ms`: on the main thread, the engine's next
    /// budget leaves it out.
    pub fn frame_rest(&mut self, ms: f64) {
        self.pace.frame_rest(ms);
    }

    /// Advances the run for an animation frame at `ts` (page time), `dt_ms` after the last one (0
    /// for the first after a stop), within the budget, and says what the page should show.
    pub fn frame(&mut self, ts: f64, dt_ms: f64, clock: &dyn Fn() -> f64) -> Frame<V> {
        self.look.phase = self.pace.phase;
        V::prepare(&mut self.sim, &self.look);
        let before = (self.sim.now(), self.sim.work(), self.pace.phase);
        let mut behind = false;
        let moving = if self.timed() {
            behind = self.pace.advance(&mut self.sim, dt_ms, clock);
            self.pace.playing
        } else {
            let running = self.pace.phase == Phase::Running;
            self.pace.run_slice(&mut self.sim, clock);
            running
        };
        if (self.sim.now(), self.sim.work(), self.pace.phase) != before {
            self.changes += 1;
            self.readouts_dirty = true;
            if let Some(h) = &mut self.history {
                h.moved(&mut self.sim);
            }
            let t0 = clock();
            self.follow_twin(clock);
            if self.twin.is_some() {
                self.pace.twin_took(clock() - t0);
            }
        } else if self.twin_behind {
            // A stands still and B catches up: everything of B is sent again.
            self.follow_twin(clock);
            self.touch();
        }
        self.look.phase = self.pace.phase;
        let pic = if moving || self.picture_dirty {
            self.picture_dirty = false;
            V::picture(&self.sim, &self.look, &mut self.pic);
            Some((self.pic.clone(), V::summary(&self.sim, self.look.lang)))
        } else {
            None
        };
        let charts = self
            .pace
            .charts_due(ts)
            .then(|| V::charts(&self.sim, self.look.lang));
        let caught_up = self.twin.is_some() && !self.twin_behind && self.twin_report_behind;
        let readouts =
            if self.readouts_dirty && (caught_up || ts - self.last_readouts_ts >= READOUTS_MS) {
                self.readouts_dirty = false;
                self.last_readouts_ts = ts;
                self.twin_report_behind = self.twin.is_some() && self.twin_behind;
                Some(self.readouts(self.look.lang))
            } else {
                None
            };
        let (look, pic_b) = (&self.look, &mut self.pic_b);
        let with_a = !self.twin_behind;
        let compare = self.twin.as_ref().map(|t| TwinWire {
            with_a,
            now: t.sim().now(),
            work: t.sim().work(),
            digest: t.sim().digest(),
            report: readouts
                .is_some()
                .then(|| WireReport::from_report(&t.sim().figures())),
            charts: charts.is_some().then(|| V::charts(t.sim(), look.lang)),
            pic: pic.is_some().then(|| {
                V::picture(t.sim(), look, pic_b);
                (pic_b.clone(), V::summary(t.sim(), look.lang))
            }),
        });
        let why = self.why_news();
        let history = self.history_news();
        let export = std::mem::take(&mut self.export_due).then(|| self.run_file());
        Frame {
            head: self.head(behind),
            pic,
            readouts,
            charts,
            why,
            history,
            compare,
            export,
        }
    }

    /// The run file of the run as it stands ([`Command::Export`]), as JSON text, or why not.
    pub fn run_file(&self) -> Result<String, String> {
        let lab = flowlab_sim::labs::by_id(V::L::ID).ok_or("no such lab")?;
        let timed = self.timed();
        if timed && self.sim.now() == 0 {
            return Err(NOT_STARTED.into());
        }
        let params = match &self.history {
            Some(h) => h.params().clone(),
            None => serde_json::to_value(self.sim.params()).map_err(|e| e.to_string())?,
        };
        let mut log = self
            .history
            .as_ref()
            .filter(|_| timed)
            .map(|h| h.log().clone())
            .unwrap_or_default();
        log.cut_after(self.sim.now());
        let mut copy = self.sim.clone();
        // The actions past now (looking at the past) are not the file's: the copy finishes
        // without them, as a replay of the file would.
        copy.plan(std::iter::empty());
        let done = flowlab_sim::sweep::finish(lab, &mut copy);
        let file = RunFile::of_run(lab, &params, self.sim.seed(), done.now, &log, &done);
        serde_json::to_string_pretty(&file)
            .map(|t| t + "\n")
            .map_err(|e| e.to_string())
    }

    fn readouts(&self, lang: Lang) -> Readouts<V> {
        Readouts {
            info: V::info(&self.sim, lang),
            report: WireReport::from_report(&self.sim.figures()),
        }
    }

    fn head(&self, behind: bool) -> Head {
        Head {
            now: self.sim.now(),
            work: self.sim.work(),
            items: match self.sim.extent() {
                Extent::Items { count, unit } => Some((count, unit.to_string())),
                Extent::Timed => None,
            },
            phase: self.pace.phase,
            wall_ms: self.pace.wall_ms,
            busy_ms: self.pace.busy_ms,
            engine_ms: self.pace.engine_budget_ms(),
            behind,
            achieved: self.pace.achieved.filter(|_| self.pace.playing),
            changes: self.changes,
            furthest: self.history.as_ref().map_or(0, History::furthest),
            pending: self.readouts_dirty
                || self.pace.charts_dirty
                || self.picture_dirty
                || self.twin_behind,
        }
    }

    /// Runs a lab that ends by itself from its start to its end in one go, as the engine alone
    /// would (no frames, no pictures): the wall milliseconds it took, or `None` for a timed lab.
    pub fn run_flat(&mut self, clock: &dyn Fn() -> f64) -> Option<f64> {
        if self.timed() {
            return None;
        }
        let params = self.sim.params().clone();
        let seed = self.sim.seed();
        self.new_run(Sim::new_or_default(&params, seed), ActionLog::default());
        let t0 = clock();
        self.sim.run_to_end();
        let took = clock() - t0;
        // The timeline covers the run (a jump re-runs from its start: no checkpoints were taken,
        // so that the time measured is the engine's alone).
        if let Some(h) = &mut self.history {
            h.moved(&mut self.sim);
        }
        self.follow_twin(clock);
        self.pace.phase = Phase::Finished;
        self.pace.wall_ms = took;
        self.pace.busy_ms = took;
        self.touch();
        Some(took)
    }
}

/// A host of any lab, driven by encoded commands and answering with encoded frames: what a
/// worker holds (it serves every lab; the page, which knows the lab's types, decodes).
pub trait AnyHost {
    /// Applies a command encoded as JSON ([`Command`] of the host's lab).
    fn command_json(&mut self, json: &str, clock: &dyn Fn() -> f64) -> Result<(), String>;
    /// A frame, encoded with bincode ([`Frame`] of the host's view).
    fn frame_bytes(&mut self, ts: f64, dt_ms: f64, clock: &dyn Fn() -> f64) -> Vec<u8>;
    fn run_flat(&mut self, clock: &dyn Fn() -> f64) -> Option<f64>;
    fn set_budget(&mut self, budget_ms: f64, slice_ms: f64);
    fn digest(&self) -> u64;
}

impl<V: LabView> AnyHost for Host<V> {
    fn command_json(&mut self, json: &str, clock: &dyn Fn() -> f64) -> Result<(), String> {
        let cmd: Command<V::L> = serde_json::from_str(json).map_err(|e| e.to_string())?;
        self.command(cmd, clock);
        Ok(())
    }

    fn frame_bytes(&mut self, ts: f64, dt_ms: f64, clock: &dyn Fn() -> f64) -> Vec<u8> {
        encode_frame(&self.frame(ts, dt_ms, clock))
    }

    fn run_flat(&mut self, clock: &dyn Fn() -> f64) -> Option<f64> {
        Host::run_flat(self, clock)
    }

    fn set_budget(&mut self, budget_ms: f64, slice_ms: f64) {
        Host::set_budget(self, budget_ms, slice_ms)
    }

    fn digest(&self) -> u64 {
        self.sim.digest()
    }
}

pub fn encode_frame<V: LabView>(f: &Frame<V>) -> Vec<u8> {
    bincode::serialize(f).unwrap_or_default()
}

pub fn decode_frame<V: LabView>(b: &[u8]) -> Result<Frame<V>, String> {
    bincode::deserialize(b).map_err(|e| e.to_string())
}

/// A host for lab `id` with its params as JSON (a worker's first request), if the lab has a page
/// and the params decode.
pub fn any_host(
    id: &str,
    params_json: &str,
    seed: u64,
    look: Look,
) -> Result<Box<dyn AnyHost>, String> {
    crate::labs::host(id, params_json, seed, look)
}

/// A host of view `V` from params as JSON.
pub fn boxed<V: LabView>(
    params_json: &str,
    seed: u64,
    look: Look,
) -> Result<Box<dyn AnyHost>, String> {
    let params: <V::L as Lab>::Params =
        serde_json::from_str(params_json).map_err(|e| e.to_string())?;
    Ok(Box::new(Host::<V>::new(&params, seed, look)))
}

/// The largest budget a worker takes for one frame of a timed run, and the slice of a run that
/// ends by itself: it does not share the page's frame, so it may take most of one.
pub const WORKER_BUDGET_MS: f64 = 14.0;
pub const WORKER_SLICE_MS: f64 = 25.0;

#[cfg(test)]
pub mod tests {
    use super::super::view::Shown;
    use super::*;
    use std::cell::Cell;

    /// A clock that moves `ms_per_look` each time it is read.
    fn fake_clock(ms_per_look: f64) -> impl Fn() -> f64 {
        let t = Cell::new(0.0);
        move || {
            t.set(t.get() + ms_per_look);
            t.get()
        }
    }

    /// Every lab's view, checked the same way (called for each lab by `labs::tests`): frames
    /// carry the picture, the readouts and the charts, survive the trip to the page (bincode,
    /// as between a worker and the page), and the report read back is the run's own; whether the
    /// lab is timed matches its run; and the run in frames is the same run however it is cut.
    pub fn check<V: LabView>() {
        let params = V::quick_params();
        let look = Look::default();
        let mut host = Host::<V>::new(&params, 7, look);
        assert_eq!(V::TIMED, host.timed(), "{}: TIMED", V::L::ID);
        let clock = fake_clock(0.01);
        if !V::TIMED {
            host.command(
                Command::Rebuild {
                    params: params.clone(),
                    seed: 7,
                    start: true,
                    actions: ActionLog::default(),
                    generation: 0,
                },
                &clock,
            );
        }
        let first = host.frame(0.0, 0.0, &clock);
        assert!(first.pic.is_some(), "{}: the first frame draws", V::L::ID);
        assert!(first.readouts.is_some() && first.charts.is_some());
        let mut ts = 0.0;
        let mut last = None;
        for _ in 0..40 {
            ts += 16.0;
            last = Some(host.frame(ts, 16.0, &clock));
        }
        let mut f = last.unwrap();
        // Readouts and charts are due again by now.
        ts += 300.0;
        f = match host.frame(ts, 16.0, &clock) {
            g if g.readouts.is_some() => g,
            _ => f,
        };
        let bytes = encode_frame(&f);
        assert!(!bytes.is_empty());
        let back = decode_frame::<V>(&bytes).expect("a frame decodes");
        assert_eq!(back.head, f.head);
        let mut shown = Shown::<V>::default();
        shown.take(back);
        assert_eq!(shown.head.now, host.sim().now());
        if let Some(r) = &f.readouts {
            let report = r.report.to_report::<V::L>();
            assert_eq!(
                report,
                host.sim().figures(),
                "{}: the report survives",
                V::L::ID
            );
        }
        // Bytes sent per frame stay small (they cross to the page up to 60 times a second).
        assert!(
            bytes.len() < 512 * 1024,
            "{}: {} bytes",
            V::L::ID,
            bytes.len()
        );

        // The same run straight through: the same digest.
        if V::TIMED {
            let mut sim = Sim::<V::L>::new_or_default(&params, 7);
            sim.run_to(host.sim().now());
            assert_eq!(
                sim.digest(),
                host.sim().digest(),
                "{}: cut in frames",
                V::L::ID
            );
        }
    }

    /// The frozen run files of the engine's tests (`sim/tests/runs`): a run of each timed lab
    /// with a page, most with interventions, and the digest the command line replays them to.
    const RUN_FILES: &[&str] = &[
        include_str!("../../sim/tests/runs/cache-nodes.json"),
        include_str!("../../sim/tests/runs/chat-plain.json"),
        include_str!("../../sim/tests/runs/limiter-live-rate.json"),
        include_str!("../../sim/tests/runs/queue-acks1-actions.json"),
        include_str!("../../sim/tests/runs/snowflake-plain.json"),
    ];

    /// Applies `a` to the host as the page would (a fault button, a knob changed live).
    fn act<V: LabView>(host: &mut Host<V>, params: &mut <V::L as Lab>::Params, seed: u64, a: &Act) {
        let clock = fake_clock(1e-6);
        let cmd = match a {
            Act::Verb(v) => Command::Apply(serde_json::from_value(v.clone()).expect("a verb")),
            Act::Set { key, value } => {
                *params = crate::url_state::apply(params, key, value).expect("a knob");
                Command::SetLive {
                    params: params.clone(),
                    seed,
                    key: key.clone(),
                }
            }
        };
        host.command(cmd, &clock);
    }

    /// A lab that ends by itself: starts a run of `params` on `seed` and plays it frame by frame
    /// to its end; the last frame's time.
    pub fn run_to_its_end<V: LabView>(
        host: &mut Host<V>,
        params: &<V::L as Lab>::Params,
        seed: u64,
        clock: &dyn Fn() -> f64,
    ) -> f64 {
        let start = Command::Rebuild {
            params: params.clone(),
            seed,
            start: true,
            actions: ActionLog::default(),
            generation: 0,
        };
        host.command(start, clock);
        let mut ts = 0.0;
        while host.frame(ts, 16.0, clock).head.phase == Phase::Running {
            ts += 16.0;
        }
        ts
    }

    /// Every lab's history, checked the same way (called for each lab by `labs::tests`), against
    /// its frozen run file (the command line's replay):
    /// - interventions made live, at their times, are recorded as the file's log, and give the
    ///   file's digest (the page's run is the command line's);
    /// - a link's log replayed from the start gives it too;
    /// - a jump to any time shows the run as a fresh run to that time would be, back or forth,
    ///   and playing on from a jump gives the same end;
    /// - an intervention in the past forks (the later actions go, the run goes on from there),
    ///   and an undo brings the original history back, to the same digest.
    pub fn check_history<V: LabView>() {
        let id = V::L::ID;
        let clock = fake_clock(1e-6);
        let file = RUN_FILES
            .iter()
            .map(|t| flowlab_sim::replay::RunFile::read(t).expect("a frozen run file"))
            .find(|f| f.lab == id);
        let Some(file) = file else {
            assert!(!V::TIMED, "{id}: a timed lab has a frozen run file");
            // A lab that ends by itself: its run, then jumps back into it and to its end.
            let params = V::quick_params();
            let mut host = Host::<V>::new(&params, 1, Look::default());
            let ts = run_to_its_end(&mut host, &params, 1, &clock);
            let end = host.sim().now();
            let digest = host.sim().digest();
            let h = host.history().expect("a history");
            assert_eq!(h.furthest(), end, "{id}: the timeline covers the run");
            assert!(h.log().is_empty());
            for t in [end / 2, end / 5, 0] {
                host.command(Command::Seek(t), &clock);
                let mut fresh = Sim::<V::L>::new_or_default(&params, 1);
                fresh.run_to(t);
                assert_eq!(host.sim().now(), fresh.now(), "{id}: at {t}");
                assert_eq!(host.sim().digest(), fresh.digest(), "{id}: a jump to {t}");
                assert_eq!(host.frame(ts, 16.0, &clock).head.phase, Phase::Cancelled);
            }
            host.command(Command::Seek(end), &clock);
            assert_eq!(host.sim().digest(), digest, "{id}: back at the end");
            assert_eq!(host.frame(ts, 16.0, &clock).head.phase, Phase::Finished);
            return;
        };
        let loaded = file.load().expect("it loads");
        let digest = loaded.digest.expect("a digest");
        let start: <V::L as Lab>::Params = serde_json::from_value(loaded.params.clone()).unwrap();
        let seed = loaded.seed;
        let until = loaded.until;
        let log = loaded.actions.clone();

        // Live, as a user clicks.
        let mut host = Host::<V>::new(&start, seed, Look::default());
        let mut params = start.clone();
        for a in &log.actions {
            host.command(Command::RunTo(a.at), &clock);
            act(&mut host, &mut params, seed, &a.act);
        }
        host.command(Command::RunTo(until), &clock);
        let h = host.history().expect("a timed lab keeps a history");
        assert_eq!(
            h.log(),
            &log,
            "{id}: the clicks are recorded as the file's log"
        );
        assert_eq!(
            host.sim().digest(),
            digest,
            "{id}: the live run is the file's"
        );
        if host.sim().work() >= 2 * h.every() {
            assert!(h.checkpoints() >= 2, "{id}: checkpoints on the way");
        }
        assert!(h.checkpoints() <= h.max_checkpoints());
        let wire = h.wire();
        assert_eq!(wire.log, log.to_string());
        let history = host.frame(0.0, 0.0, &clock).history;
        assert!(history.is_some(), "{id}: the page is told the history");

        // The link's log, replayed.
        let mut replay = Host::<V>::new(&start, seed, Look::default());
        replay.command(
            Command::Rebuild {
                params: start.clone(),
                seed,
                start: false,
                actions: log.clone(),
                generation: 7,
            },
            &clock,
        );
        replay.command(Command::RunTo(until), &clock);
        assert_eq!(replay.sim().digest(), digest, "{id}: a replayed log");
        let told = replay.frame(0.0, 0.0, &clock).history;
        assert_eq!(
            told.map(|h| h.generation),
            Some(7),
            "{id}: the history names the rebuild that started its run"
        );

        // Jumps, back and forth.
        let fresh_at = |t| {
            let mut sim = Sim::<V::L>::new_or_default(&start, seed);
            flowlab_sim::labs::plan_log(&mut sim, &loaded.params, &log, None).unwrap();
            sim.run_to(t);
            sim.digest()
        };
        for t in [until / 3, 0, until * 2 / 3 + 7, until / 7, until] {
            host.command(Command::Seek(t), &clock);
            assert_eq!(host.sim().now(), t, "{id}: at the time asked");
            assert_eq!(host.sim().digest(), fresh_at(t), "{id}: a jump to {t}");
        }
        host.command(Command::Seek(until / 2), &clock);
        host.command(Command::RunTo(until), &clock);
        assert_eq!(host.sim().digest(), digest, "{id}: on from a jump");
        assert_eq!(host.history().unwrap().furthest(), until);

        // A fork and its undo.
        if let Some(first) = log.actions.first() {
            let fork_at = first.at / 2;
            host.command(Command::Seek(fork_at), &clock);
            let mut p = start.clone();
            act(&mut host, &mut p, seed, &first.act);
            let h = host.history().unwrap();
            assert_eq!(h.log().actions.len(), 1, "{id}: the later actions go");
            assert_eq!(h.log().actions[0].at, fork_at);
            assert_eq!(h.furthest(), fork_at);
            assert_eq!(h.wire().undo, Some(log.actions.len()));
            host.command(Command::Undo, &clock);
            let h = host.history().unwrap();
            assert_eq!(h.log(), &log, "{id}: the undo brings them back");
            assert_eq!(host.sim().now(), fork_at);
            host.command(Command::RunTo(until), &clock);
            assert_eq!(host.sim().digest(), digest, "{id}: the original history");
        }
    }

    /// A host driven through the encoded interface (as in a worker: JSON commands, bincode
    /// frames, the worker's budgets) runs the same run as one driven directly (as on the main
    /// thread): same params and seed, same commands, same frames, same digest.
    pub fn check_worker_equals_inline<V: LabView>() {
        let params = V::quick_params();
        let look = Look::default();
        let json = serde_json::to_string(&params).unwrap();
        let mut inline = Host::<V>::new(&params, 11, look);
        let mut remote = boxed::<V>(&json, 11, look).expect("a host from JSON");
        remote.set_budget(WORKER_BUDGET_MS, WORKER_SLICE_MS);
        // Clocks that hardly move: neither falls behind, so both reach every frame's target.
        let (a, b) = (fake_clock(1e-6), fake_clock(1e-6));
        let both = |remote: &mut Box<dyn AnyHost>, inline: &mut Host<V>, c: Command<V::L>| {
            remote
                .command_json(&serde_json::to_string(&c).unwrap(), &b)
                .unwrap();
            inline.command(c, &a);
        };
        both(
            &mut remote,
            &mut inline,
            Command::Rebuild {
                params: params.clone(),
                seed: 11,
                start: true,
                actions: ActionLog::default(),
                generation: 0,
            },
        );
        let mut ts = 0.0;
        for i in 0..60 {
            ts += 16.0;
            match i {
                10 => both(
                    &mut remote,
                    &mut inline,
                    Command::Look(Look { speed: 3.0, ..look }),
                ),
                20 => both(&mut remote, &mut inline, Command::Step),
                25 => both(
                    &mut remote,
                    &mut inline,
                    Command::RunTo(300 * flowlab_sim::kernel::time::NS_PER_MS),
                ),
                21 => both(&mut remote, &mut inline, Command::Look(look)),
                30 => both(&mut remote, &mut inline, Command::Touch),
                _ => {}
            }
            let f = decode_frame::<V>(&remote.frame_bytes(ts, 16.0, &b)).unwrap();
            let g = inline.frame(ts, 16.0, &a);
            assert_eq!(f.head.now, g.head.now, "{}: frame {i}", V::L::ID);
            assert_eq!(f.head.work, g.head.work, "{}: frame {i}", V::L::ID);
            if f.head.phase == Phase::Finished {
                break;
            }
        }
        assert_eq!(remote.digest(), inline.sim().digest(), "{}", V::L::ID);
        assert!(inline.sim().work() > 0, "{}: the run moved", V::L::ID);
        // A lab that ends by itself: its flat run (the engine's own time) is the same run too.
        if !V::TIMED {
            let mut s = Sim::<V::L>::new_or_default(&params, 11);
            s.run_to_end();
            let took = remote.run_flat(&b).expect("it ends by itself");
            assert!(took >= 0.0);
            assert_eq!(remote.digest(), s.digest(), "{}: flat run", V::L::ID);
        }
    }
}
