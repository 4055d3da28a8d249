//! The engine's side of a lab's page, written against the lab contract and compiled natively too
//! (tested without a browser): a lab's [`LabView`] reads the run (`&Sim<L>`) and fills what its
//! picture and readouts need, as plain serde data; the [`Frame`] carries it, with the run's
//! generic figures (clock, work, progress, the report), from the engine (a [`Host`], in a Web
//! Worker or on the main thread) to the page, which draws only from it.
//!
//! [`Host`]: super::host::Host

use std::cell::RefCell;
use std::collections::HashSet;

use flowlab_sim::kernel::lab::Lab;
use flowlab_sim::kernel::metrics::Percentiles;
use flowlab_sim::kernel::report::{Figure, Lane, Report, Val};
use flowlab_sim::kernel::sim::Sim;
use flowlab_sim::kernel::time::{Nanos, NS_PER_MS};
use flowlab_sim::Model;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::compare::{TwinShown, TwinWire};
use super::history::HistoryWire;
use super::pacing::Phase;
use super::why::{WhyShown, WhyWire};
use crate::i18n::Lang;
use crate::kit::chart::Chart;

/// How the page looks at the run: what the engine's side of a picture needs to fill it (the
/// language of its words, the speed that sets the spans particles take to cross, reduced motion).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Look {
    pub lang: Lang,
    pub speed: f64,
    pub reduced_motion: bool,
    pub playing: bool,
    /// Where a run that ends by itself is.
    pub phase: Phase,
}

impl Default for Look {
    fn default() -> Self {
        Self {
            lang: Lang::default(),
            speed: 1.0,
            reduced_motion: false,
            playing: true,
            phase: Phase::Idle,
        }
    }
}

impl Look {
    /// Virtual time that `wall_ms` of wall time shows at this speed (at least 1 ns): particles take
    /// the same wall time to cross whatever the speed.
    pub fn virtual_span(&self, wall_ms: f64) -> Nanos {
        ((wall_ms * self.speed) * NS_PER_MS as f64).max(1.0) as Nanos
    }
}

/// What a lab's page reads from its run, on the engine's side. Everything it returns is data
/// (serde), sent to the page once per frame at most.
pub trait LabView: 'static {
    type L: Lab;
    /// What the picture draws from, filled every frame the run moved.
    type Pic: Clone + Default + Serialize + DeserializeOwned + 'static;
    /// What the lab's buttons and panels show (refreshed with the readouts).
    type Info: Clone + Default + Serialize + DeserializeOwned + 'static;
    /// The run goes on for as long as it is played (else it ends by itself: run and cancel).
    const TIMED: bool = true;

    /// Params small enough for quick checks of this side of the lab (the defaults, unless they
    /// make a long run).
    fn quick_params() -> <Self::L as Lab>::Params {
        Default::default()
    }

    /// Before each advance: settings of the run that only the picture needs (how far ahead
    /// arrivals are drawn ...).
    fn prepare(_sim: &mut Sim<Self::L>, _look: &Look) {}

    /// Fills what the picture draws.
    fn picture(sim: &Sim<Self::L>, look: &Look, out: &mut Self::Pic);

    /// What the charts show now (as many as the page's chart titles).
    fn charts(_sim: &Sim<Self::L>, _lang: Lang) -> Vec<Chart> {
        Vec::new()
    }

    /// What the lab's buttons and panels show.
    fn info(_sim: &Sim<Self::L>, _lang: Lang) -> Self::Info {
        Self::Info::default()
    }

    /// Where a step goes: 50 ms of virtual time by default.
    fn step_to(sim: &Sim<Self::L>) -> Nanos {
        sim.now() + 50 * NS_PER_MS
    }

    /// The picture in words, for screen readers (the canvas's text alternative).
    fn summary(sim: &Sim<Self::L>, lang: Lang) -> String;
}

/// The run's generic figures, in every frame.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Head {
    pub now: Nanos,
    pub work: u64,
    /// Labs that end by themselves: how many items, and their unit (a text id suffix).
    pub items: Option<(u64, String)>,
    pub phase: Phase,
    /// Wall time the run that ends by itself has taken so far (or took).
    pub wall_ms: f64,
    /// Of that, the wall time the engine spent in its slices (the rest went to frames, messages
    /// and waiting).
    pub busy_ms: f64,
    /// The engine's budget per frame (what the frame-rate benchmark reads).
    pub engine_ms: f64,
    /// The run fell behind the chosen speed in the last frame.
    pub behind: bool,
    /// The speed achieved over the last second, when the run fell behind the chosen one.
    pub achieved: Option<f64>,
    /// Bumped whenever what the readouts show may have changed.
    pub changes: u64,
    /// The furthest virtual time the run's history reached (timed labs; the timeline's end).
    pub furthest: Nanos,
    /// The engine has something not sent yet (readouts or charts held back until due): the page
    /// asks again even when the run stands still.
    pub pending: bool,
}

/// The readouts: the lab's panels and the report (results table, checker grid).
#[derive(Clone, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct Readouts<V: LabView> {
    pub info: V::Info,
    pub report: WireReport,
}

/// What the engine sends the page, at most once per animation frame: the head always, the rest
/// only when it changed and is due.
#[derive(Clone, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct Frame<V: LabView> {
    pub head: Head,
    /// The picture's data and its words, when the run moved or the picture must be redrawn.
    pub pic: Option<(V::Pic, String)>,
    pub readouts: Option<Readouts<V>>,
    pub charts: Option<Vec<Chart>>,
    /// The "why did that happen" log's new lines and counts, when it has news.
    pub why: Option<WhyWire>,
    /// The run's history (action log, marks, undo), when it changed.
    pub history: Option<HistoryWire>,
    /// B, while comparing (see [`super::compare`]): in every frame.
    pub compare: Option<TwinWire<V::Pic>>,
    /// The run file asked for ([`super::host::Command::Export`]): its text, or why not.
    pub export: Option<Result<String, String>>,
}

/// What the page shows: the latest of everything a frame brought.
pub struct Shown<V: LabView> {
    pub head: Head,
    pub pic: V::Pic,
    pub summary: String,
    pub info: V::Info,
    pub report: Report,
    pub charts: Vec<Chart>,
    /// The log's lines the page keeps, its counts, and the line chosen (whose entities the
    /// picture marks).
    pub why: WhyShown,
    /// What the engine last said of the run's history.
    pub history: HistoryWire,
    /// B, while comparing.
    pub b: Option<TwinShown>,
}

impl<V: LabView> Default for Shown<V> {
    fn default() -> Self {
        Self {
            head: Head::default(),
            pic: V::Pic::default(),
            summary: String::new(),
            info: V::Info::default(),
            report: Report::default(),
            charts: Vec::new(),
            why: WhyShown::default(),
            history: HistoryWire::default(),
            b: None,
        }
    }
}

/// What a frame changed on the page.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Changed {
    pub picture: bool,
    pub readouts: bool,
    pub charts: bool,
    pub why: bool,
    /// The run's history changed (its log, marks or undo).
    pub history: bool,
    /// The line chosen was dropped (a new run): the picture loses its marks.
    pub highlight: bool,
    /// The comparison started or stopped.
    pub compare: bool,
}

impl<V: LabView> Shown<V> {
    /// Takes in what `frame` brought.
    pub fn take(&mut self, frame: Frame<V>) -> Changed {
        let mut c = Changed::default();
        self.head = frame.head;
        c.compare = frame.compare.is_some() != self.b.is_some();
        c.charts |= frame.compare.as_ref().is_some_and(|w| w.charts.is_some());
        self.b = TwinShown::take::<V::L, V::Pic>(self.b.take(), frame.compare);
        if let Some((pic, summary)) = frame.pic {
            self.pic = pic;
            self.summary = summary;
            c.picture = true;
        }
        if let Some(r) = frame.readouts {
            self.info = r.info;
            self.report = r.report.to_report::<V::L>();
            c.readouts = true;
        }
        if let Some(ch) = frame.charts {
            self.charts = ch;
            c.charts = true;
        }
        if let Some(h) = frame.history {
            self.history = h;
            c.history = true;
        }
        if let Some(w) = frame.why {
            let had = self.why.selected.is_some();
            self.why.take(w);
            c.why = true;
            c.highlight = had && self.why.selected.is_none();
        }
        c
    }

    /// Chart `i` as the page draws it: A's, with B's lines over it while comparing.
    pub fn chart(&self, i: usize) -> Option<Chart> {
        let a = self.charts.get(i)?;
        Some(match self.b.as_ref().and_then(|b| b.charts.get(i)) {
            Some(b) => super::compare::overlay(a, b),
            None => a.clone(),
        })
    }
}

/// A reported value, on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum WireVal {
    U(u64),
    F(f64),
    B(bool),
    /// count, p50, p90, p99, max (ns).
    Lat([u64; 5]),
}

/// A [`Report`] on the wire: its metrics by key (a [`Figure`] points at its lab's `&'static
/// Metric`, found again on the page's side).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WireReport {
    /// (id, text id) of each lane.
    pub lanes: Vec<(String, String)>,
    /// (lane, group, metric key, value).
    pub figures: Vec<(Option<u32>, String, String, WireVal)>,
}

thread_local! {
    /// Text ids and groups read back from the wire, kept once each (a lab has a few dozen).
    static INTERNED: RefCell<HashSet<&'static str>> = RefCell::new(HashSet::new());
}

/// `s` as a `&'static str`: each distinct string is kept once, so memory stays bounded by the
/// labs' own ids.
fn intern(s: &str) -> &'static str {
    INTERNED.with(|set| {
        let mut set = set.borrow_mut();
        if let Some(k) = set.get(s) {
            return *k;
        }
        let k: &'static str = Box::leak(s.to_string().into_boxed_str());
        set.insert(k);
        k
    })
}

impl WireReport {
    pub fn from_report(r: &Report) -> Self {
        Self {
            lanes: r
                .lanes
                .iter()
                .map(|l| (l.id.clone(), l.text.to_string()))
                .collect(),
            figures: r
                .figures
                .iter()
                .map(|f| {
                    let v = match f.val {
                        Val::U(u) => WireVal::U(u),
                        Val::F(x) => WireVal::F(x),
                        Val::B(b) => WireVal::B(b),
                        Val::Lat(p) => {
                            WireVal::Lat([p.count, p.p50_ns, p.p90_ns, p.p99_ns, p.max_ns])
                        }
                    };
                    (
                        f.lane.map(|l| l as u32),
                        f.group.to_string(),
                        f.metric.key.to_string(),
                        v,
                    )
                })
                .collect(),
        }
    }

    /// The report again, its metrics found in lab `L`'s list (a figure of an unknown metric is
    /// left out).
    pub fn to_report<L: Lab>(&self) -> Report {
        let metrics = L::metrics();
        let lanes = self
            .lanes
            .iter()
            .map(|(id, text)| Lane {
                id: id.clone(),
                text: intern(text),
            })
            .collect();
        let figures = self
            .figures
            .iter()
            .filter_map(|(lane, group, key, v)| {
                let metric = *metrics.iter().find(|m| m.key == key)?;
                let val = match *v {
                    WireVal::U(u) => Val::U(u),
                    WireVal::F(x) => Val::F(x),
                    WireVal::B(b) => Val::B(b),
                    WireVal::Lat([count, p50_ns, p90_ns, p99_ns, max_ns]) => {
                        Val::Lat(Percentiles {
                            count,
                            p50_ns,
                            p90_ns,
                            p99_ns,
                            max_ns,
                        })
                    }
                };
                Some(Figure {
                    lane: lane.map(|l| l as usize),
                    group: intern(group),
                    metric,
                    val,
                })
            })
            .collect();
        let mut r = Report::new();
        r.lanes = lanes;
        r.figures = figures;
        r
    }
}
