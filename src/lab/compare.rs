//! A/B comparison, written once for every lab: a second run, B, of params of its own, on the same
//! seed as the live run A, kept in lockstep with A in the same [`Host`](super::host::Host) (so the
//! two cannot drift apart: each frame, once A moved, B is brought to A's virtual time, or for a
//! lab that ends by itself, to as much work as A did and to its own end when A ends). B replays
//! A's action log (the faults clicked and knobs changed live are applied to B at the same virtual
//! times; a knob A changes live is changed in B too). The [`DeltaRow`]s are the table of every
//! figure with A, B, Δ and Δ %.
//!
//! Every lab draws its randomness from streams of the seed ([`Seeds::stream`] by purpose), so a
//! stream that B's change does not touch gives B the same draws as A: with equal params, B *is*
//! A (the same digest, tested for every lab).
//!
//! [`Seeds::stream`]: flowlab_sim::kernel::lab::Seeds::stream

use flowlab_sim::kernel::lab::{Extent, Lab};
use flowlab_sim::kernel::report::{Figure, Measure, Report, Val};
use flowlab_sim::kernel::sim::Sim;
use flowlab_sim::kernel::time::Nanos;
use flowlab_sim::replay::ActionLog;
use flowlab_sim::{Advance, Model};
use serde::{Deserialize, Serialize};

use super::history::History;
use super::results;
use super::view::{Look, WireReport};
use crate::i18n::{count, real, tr, tr_id, Lang};
use crate::kit::chart::Chart;
use crate::text;

/// The link's key of B's params: what differs from A's, as a query of its own, percent-encoded
/// (`b=acks%3Dall`).
pub const LINK_KEY: &str = "b";

/// A |Δ %| at least this large is a meaningful change (so is a zero becoming non-zero).
pub const MEANINGFUL_PCT: f64 = 5.0;

/// B: a run of its own params on A's seed, following A.
pub struct Twin<L: Lab> {
    params: L::Params,
    sim: Sim<L>,
    /// A's action log (planned in this run, unless B's params refuse it).
    log: ActionLog,
    /// Checkpoints, so that a jump of A back in time is quick for B too (timed labs).
    history: Option<History<L>>,
    /// A lab that ends by itself: B goes to A's virtual time (after a restart) rather than to
    /// as much work as A did.
    to_time: bool,
}

impl<L: Lab> Twin<L> {
    /// B of `params`, on `seed`, with A's `log` planned, at its start.
    pub fn new(params: &L::Params, seed: u64, log: &ActionLog) -> Self {
        let mut sim = Sim::<L>::new_or_default(params, seed);
        // A log B's params refuse (a knob change B cannot take) is not planned: B runs without.
        let history = History::planned(&mut sim, log.clone());
        let history = (sim.extent() == Extent::Timed).then_some(history);
        Self {
            params: params.clone(),
            sim,
            log: log.clone(),
            history,
            to_time: false,
        }
    }

    pub fn sim(&self) -> &Sim<L> {
        &self.sim
    }

    pub fn params(&self) -> &L::Params {
        &self.params
    }

    /// B's history (a timed lab's).
    pub fn history(&self) -> Option<&History<L>> {
        self.history.as_ref()
    }

    pub fn history_mut(&mut self) -> Option<&mut History<L>> {
        self.history.as_mut()
    }

    /// Brings B to A: a new seed or another action log starts B again; for a timed lab, B goes
    /// to A's virtual time (back by a jump from its checkpoints, or forward); for a lab that ends
    /// by itself, B does as much work as A did, and runs to its end when A is at its end.
    ///
    /// B moves in chunks of [`CATCH_UP_CHUNK`] units of work while `more()` says there is time
    /// left in the frame: a B far behind (started, or changed, while A is far into its run)
    /// catches up over frames instead of in one go. Returns whether B is with A (see
    /// [`Twin::with_a`]); the run does not depend on how it is cut (the engine's contract).
    pub fn follow(
        &mut self,
        a: &Sim<L>,
        log: &ActionLog,
        look: &Look,
        prepare: fn(&mut Sim<L>, &Look),
        more: &mut dyn FnMut() -> bool,
    ) -> bool {
        let timed = a.extent() == Extent::Timed;
        let behind_a = if timed {
            a.now() < self.sim.now()
        } else {
            a.work() < self.sim.work()
        };
        if a.seed() != self.sim.seed() || log != &self.log || (!timed && behind_a) {
            *self = Self::new(&self.params.clone(), a.seed(), log);
            // A new run (at its start), or A jumped back into its run: B to the same moment.
            self.to_time = !timed;
        } else if timed && behind_a {
            if let Some(h) = &mut self.history {
                self.sim = h.seek(a.now());
                h.sought(&self.sim);
            }
        }
        prepare(&mut self.sim, look);
        loop {
            let with_a = if timed || (self.to_time && !a.is_done()) {
                let r = self.sim.advance_to(a.now(), CATCH_UP_CHUNK);
                if let Some(h) = &mut self.history {
                    h.moved(&mut self.sim);
                }
                r == Advance::Reached
            } else if a.is_done() {
                self.sim.advance(CATCH_UP_CHUNK) == Advance::Reached
            } else {
                let left = a.work().saturating_sub(self.sim.work());
                left == 0 || self.sim.advance(left.min(CATCH_UP_CHUNK)) == Advance::Reached
            };
            if with_a || self.with_a(a) {
                self.to_time = false;
                return true;
            }
            if !more() {
                return false;
            }
        }
    }

    /// Whether B is where A is: at A's virtual time (timed), or having done A's work (or at its
    /// end when A is at its).
    pub fn with_a(&self, a: &Sim<L>) -> bool {
        if a.extent() == Extent::Timed || (self.to_time && !a.is_done()) {
            self.sim.now() == a.now()
        } else if a.is_done() {
            self.sim.is_done()
        } else {
            self.sim.work() >= a.work() || self.sim.is_done()
        }
    }
}

/// Work B does between two looks at the clock while it follows A (a few tenths of a
/// millisecond in most labs).
pub const CATCH_UP_CHUNK: u64 = 4096;

/// What the page is sent of B, in every frame while comparing: its clock, and its report and
/// charts when A's are sent.
#[derive(Clone, Serialize, Deserialize)]
pub struct TwinWire<P> {
    /// B is where A is (else it is catching up: started or changed while A was far into its run).
    pub with_a: bool,
    pub now: Nanos,
    pub work: u64,
    pub digest: u64,
    pub report: Option<WireReport>,
    pub charts: Option<Vec<Chart>>,
    /// B's picture and its words, when A's is sent (the page draws both, side by side).
    pub pic: Option<(P, String)>,
}

/// What the page shows of B: the latest of what frames brought.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TwinShown {
    pub with_a: bool,
    pub now: Nanos,
    pub work: u64,
    pub digest: u64,
    pub report: Report,
    pub charts: Vec<Chart>,
}

impl TwinShown {
    /// Takes in what a frame brought of B (`None`: the comparison is off).
    pub fn take<L: Lab, P>(old: Option<Self>, wire: Option<TwinWire<P>>) -> Option<Self> {
        let w = wire?;
        let mut s = old.unwrap_or_default();
        s.with_a = w.with_a;
        s.now = w.now;
        s.work = w.work;
        s.digest = w.digest;
        if let Some(r) = w.report {
            s.report = r.to_report::<L>();
        }
        if let Some(c) = w.charts {
            s.charts = c;
        }
        Some(s)
    }
}

/// A chart of A with B's lines over it: A's series named `A · …`, B's named `B · …`, dashed and
/// lighter; B's reference lines only where they differ from A's.
pub fn overlay(a: &Chart, b: &Chart) -> Chart {
    let mut c = a.clone();
    for s in &mut c.series {
        s.name = format!("A · {}", s.name);
    }
    let light = |(r, g, b): (u8, u8, u8)| {
        let up = |x: u8| x + (255 - x) / 2;
        (up(r), up(g), up(b))
    };
    for s in &b.series {
        let mut s = s.clone();
        s.name = format!("B · {}", s.name);
        s.color = light(s.color);
        s.dashed = true;
        c.series.push(s);
    }
    for r in &b.refs {
        if !a
            .refs
            .iter()
            .any(|x| x.name == r.name && x.value == r.value)
        {
            let mut r = r.clone();
            r.name = format!("B · {}", r.name);
            c.refs.push(r);
        }
    }
    c
}

/// One row of the Δ table.
#[derive(Clone, Debug, PartialEq)]
pub struct DeltaRow {
    /// The figure's path (`lost`, `fixed_window.accepted`).
    pub path: String,
    /// Its name in the page's language (with its lane's, and "p99" for a latency).
    pub name: String,
    pub a: String,
    pub b: String,
    /// B − A, signed, in the figure's unit (blank for a yes/no).
    pub delta: String,
    /// Δ as a share of A, signed (blank when A is 0 or the figure is a yes/no).
    pub pct: String,
    /// |Δ %| ≥ [`MEANINGFUL_PCT`], a zero becoming non-zero (or back), or a yes/no that flipped.
    pub changed: bool,
}

/// `x` with its sign (`+` or `−`), as `f` writes its size.
fn signed(x: f64, f: impl Fn(f64) -> String) -> String {
    if x == 0.0 {
        "0".into()
    } else if x > 0.0 {
        format!("+{}", f(x))
    } else {
        format!("−{}", f(-x))
    }
}

/// The table of every figure of `a` with `b`'s beside it (figures matched by their path).
pub fn delta_rows(a: &Report, b: &Report, lang: Lang) -> Vec<DeltaRow> {
    a.figures
        .iter()
        .filter_map(|fa| {
            let path = fa.path(&a.lanes);
            let fb = b.figures.iter().find(|f| f.path(&b.lanes) == path)?;
            Some(delta_row(a, fa, fb, path, lang))
        })
        .collect()
}

fn delta_row(a: &Report, fa: &Figure, fb: &Figure, path: String, lang: Lang) -> DeltaRow {
    let m = fa.metric;
    let mut name = tr_id(lang, m.text).to_string();
    if let Some(l) = fa.lane.and_then(|l| a.lanes.get(l)) {
        name = format!("{} · {name}", tr_id(lang, l.text));
    }
    if !fa.group.is_empty() {
        name = format!("{name} ({})", fa.group);
    }
    // A latency's Δ is its p99's (its label may say so already).
    if matches!(fa.val, Val::Lat(_)) && !name.contains("p99") {
        name = format!("{name} · p99");
    }
    let (va, vb) = (fa.number(), fb.number());
    let flag = matches!(fa.val, Val::B(_));
    let (delta, pct, changed) = match (va, vb) {
        (Some(x), Some(y)) if !flag => {
            let d = y - x;
            let size = |v: f64| match (m.measure, fa.val) {
                (Measure::Share, _) => format!(
                    "{} {}",
                    real(lang, v * 100.0, 1),
                    tr(lang, text::COMPARE_POINTS)
                ),
                (Measure::Millis, _) | (_, Val::Lat(_)) => format!("{} ms", real(lang, v, 1)),
                (Measure::Seconds, _) => format!("{} s", real(lang, v, 3)),
                (Measure::PerSec, _) => format!("{}/s", real(lang, v, 1)),
                (_, Val::U(_)) => count(lang, v.round() as u64),
                _ => real(lang, v, 2),
            };
            let pct = (x != 0.0).then(|| d / x.abs() * 100.0);
            let pct_text = pct.map_or(String::new(), |p| {
                signed(p, |v| format!("{}%", real(lang, v, 1)))
            });
            let zero_flip = (x == 0.0) != (y == 0.0);
            let changed = zero_flip || pct.is_some_and(|p| p.abs() >= MEANINGFUL_PCT);
            (signed(d, size), pct_text, changed)
        }
        _ => (String::new(), String::new(), fa.val != fb.val),
    };
    DeltaRow {
        path,
        name,
        a: results::format(fa, lang),
        b: results::format(fb, lang),
        delta,
        pct,
        changed,
    }
}

#[cfg(test)]
pub mod tests {
    use super::super::host::{Command, Host};
    use super::super::view::LabView;
    use super::*;
    use std::cell::Cell;

    fn clock() -> impl Fn() -> f64 {
        let t = Cell::new(0.0);
        move || {
            t.set(t.get() + 1e-6);
            t.get()
        }
    }

    /// A picture as JSON, without its `generation`s (the cache's ring views are numbered across
    /// runs, so that a canvas knows when to redraw: the same ring in A and B has two numbers).
    fn picture<P: Serialize>(p: &P) -> serde_json::Value {
        fn strip(v: &mut serde_json::Value) {
            match v {
                serde_json::Value::Object(m) => {
                    m.remove("generation");
                    m.values_mut().for_each(strip);
                }
                serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
                _ => {}
            }
        }
        let mut v = serde_json::to_value(p).unwrap();
        strip(&mut v);
        v
    }

    /// Every lab's comparison, checked the same way (called for each lab by `labs::tests`): B of
    /// A's own params is A, frame after frame (the same virtual time and digest: the same random
    /// streams), and its picture is A's; B follows A back in time and through a new seed; the
    /// comparison off, frames carry no B.
    pub fn check<V: LabView>() {
        let id = V::L::ID;
        let params = V::quick_params();
        let c = clock();
        let mut host = Host::<V>::new(&params, 5, Look::default());
        host.command(Command::Compare(Some(params.clone())), &c);
        if !V::TIMED {
            host.command(
                Command::Rebuild {
                    params: params.clone(),
                    seed: 5,
                    start: true,
                    actions: ActionLog::default(),
                    generation: 0,
                },
                &c,
            );
        }
        let mut ts = 0.0;
        let mut reports = 0;
        let mut pictures = 0;
        for i in 0..30 {
            ts += 16.0;
            // A jump back into the run (a lab that ends by itself keeps a history too).
            if i == 15 {
                host.command(Command::Seek(host.sim().now() / 2), &c);
                host.command(Command::Look(Look::default()), &c);
            }
            let f = host.frame(ts, 16.0, &c);
            let b = f.compare.expect("B in every frame while comparing");
            let twin = host.twin().expect("a twin");
            assert_eq!(
                twin.sim().now(),
                host.sim().now(),
                "{id}: B at A's time, frame {i}"
            );
            assert_eq!(b.now, host.sim().now());
            assert_eq!(
                b.digest,
                host.sim().digest(),
                "{id}: same params, same run, frame {i}"
            );
            // B's picture comes with A's, and of A's params it is A's picture and words.
            assert_eq!(
                b.pic.is_some(),
                f.pic.is_some(),
                "{id}: B's picture with A's, frame {i}"
            );
            if let (Some((pa, sa)), Some((pb, sb))) = (&f.pic, &b.pic) {
                pictures += 1;
                assert_eq!(sa, sb, "{id}: B's picture in words, frame {i}");
                assert_eq!(picture(pa), picture(pb), "{id}: B's picture, frame {i}");
            }
            if let Some(r) = &b.report {
                reports += 1;
                assert_eq!(
                    r.to_report::<V::L>(),
                    host.sim().figures(),
                    "{id}: B's report"
                );
            }
        }
        assert!(reports > 0, "{id}: B's report is sent");
        assert!(pictures > 0, "{id}: B's picture is sent");
        assert!(host.sim().work() > 0, "{id}: the run moved");
        // A new seed: B starts again with A.
        host.command(
            Command::Rebuild {
                params: params.clone(),
                seed: 6,
                start: false,
                actions: ActionLog::default(),
                generation: 0,
            },
            &c,
        );
        let f = host.frame(ts + 16.0, 16.0, &c);
        assert_eq!(
            f.compare.unwrap().digest,
            host.sim().digest(),
            "{id}: after a rebuild"
        );
        assert_eq!(host.twin().unwrap().sim().seed(), 6);
        host.command(Command::Compare(None), &c);
        assert!(
            host.frame(ts + 32.0, 16.0, &c).compare.is_none(),
            "{id}: off"
        );
        catch_up::<V>(&params, 20);
    }

    /// B started while A is far into its run catches up over frames (a clock of 1 ms a look:
    /// a few chunks a frame), saying so, with A standing still; then B of A's params is A.
    /// Returns the frames it took.
    fn catch_up<V: LabView>(params: &<V::L as Lab>::Params, at_s: u64) -> usize {
        let id = V::L::ID;
        let c = clock();
        let mut host = Host::<V>::new(params, 5, Look::default());
        if V::TIMED {
            host.command(
                Command::RunTo(at_s * flowlab_sim::kernel::time::NS_PER_S),
                &c,
            );
        } else {
            crate::lab::host::tests::run_to_its_end(&mut host, params, 5, &c);
        }
        let (now, digest) = (host.sim().now(), host.sim().digest());
        let slow = {
            let t = Cell::new(0.0);
            move || {
                t.set(t.get() + 1.0);
                t.get()
            }
        };
        host.command(Command::Compare(Some(params.clone())), &slow);
        let mut ts = 1e6;
        for frames in 1..100_000 {
            ts += 16.0;
            let f = host.frame(ts, 16.0, &slow);
            let b = f.compare.expect("B");
            assert_eq!(host.sim().now(), now, "{id}: A stands still");
            if b.with_a {
                assert_eq!(b.digest, digest, "{id}: B caught up is A");
                assert!(b.pic.is_some(), "{id}: B's picture sent as it caught up");
                // Its figures too, in the same frame: the page never shows B's clock with A's
                // beside a report of B from on its way (the readouts' pace would delay it).
                let report = b.report.expect("B's report sent as it caught up");
                assert_eq!(
                    report,
                    WireReport::from_report(&host.sim().figures()),
                    "{id}: B's report caught up is A's"
                );
                return frames;
            }
            assert!(f.head.pending, "{id}: a B behind asks for more frames");
        }
        panic!("{id}: B never caught up");
    }

    /// A and B share the room the page's budget leaves for checkpoints beside both runs: a pair
    /// of 188 MB runs has none (each keeps its start), A alone has room for one copy again.
    #[test]
    fn a_and_b_share_the_room_for_checkpoints() {
        use flowlab_sim::labs::queue::QueueParams;
        let params = QueueParams {
            partitions: 32,
            log_retention_records: 50_000,
            ..QueueParams::default()
        };
        let c = clock();
        let mut host = Host::<crate::labs::queue::View>::new(&params, 4, Look::default());
        let s = flowlab_sim::kernel::time::NS_PER_S;
        host.command(Command::RunTo(2 * s), &c);
        assert_eq!(host.history().unwrap().max_checkpoints(), 2);
        host.command(Command::Compare(Some(params.clone())), &c);
        host.command(Command::RunTo(6 * s), &c);
        let b = host.twin().unwrap().history().unwrap();
        assert_eq!((b.max_checkpoints(), b.checkpoints()), (1, 1));
        let a = host.history().unwrap();
        assert_eq!((a.max_checkpoints(), a.checkpoints()), (1, 1));
        // A jump back with only the starts kept: both are the run as it was.
        host.command(Command::Seek(3 * s), &c);
        let mut fresh = Sim::<flowlab_sim::labs::queue::Queue>::new_or_default(&params, 4);
        fresh.run_to(3 * s);
        assert_eq!(host.sim().digest(), fresh.digest());
        assert_eq!(host.twin().unwrap().sim().digest(), fresh.digest());
        host.command(Command::Compare(None), &c);
        assert_eq!(host.history().unwrap().max_checkpoints(), 2, "alone again");
    }

    #[test]
    fn a_b_far_behind_catches_up_over_frames() {
        let frames = catch_up::<crate::labs::queue::View>(&Default::default(), 300);
        assert!(frames > 3, "took {frames} frames");
    }

    #[test]
    fn acks_all_against_acks_one_on_the_leader_dies_preset_changes_the_loss_not_the_traffic() {
        use flowlab_sim::labs::queue::{presets, Acks};
        let p = presets::acks1_leader_dies();
        let mut b = p.params.clone();
        b.acks = Acks::All;
        let c = clock();
        let mut host = Host::<crate::labs::queue::View>::new(&p.params, p.seed, Look::default());
        host.command(Command::Compare(Some(b)), &c);
        host.command(Command::RunTo(5 * flowlab_sim::kernel::time::NS_PER_S), &c);
        let twin = host.twin().unwrap();
        assert_eq!(twin.sim().now(), host.sim().now());
        let rows = delta_rows(&host.sim().figures(), &twin.sim().figures(), Lang::En);
        let row = |k: &str| rows.iter().find(|r| r.path == k).unwrap().clone();
        let lost = row("lost");
        assert_eq!((lost.a.as_str(), lost.b.as_str()), ("28", "0"), "{lost:?}");
        assert_eq!((lost.delta.as_str(), lost.pct.as_str()), ("−28", "−100%"));
        assert!(lost.changed);
        // The producers draw from a stream of their own: the same messages sent in both.
        let sent = row("sent");
        assert_eq!(
            (sent.a.as_str(), sent.delta.as_str(), sent.changed),
            ("1,002", "0", false)
        );
        // A link with B: `b=acks%3Dall`, and B's words read back.
        let unchanged = rows.iter().filter(|r| !r.changed).count();
        assert!(unchanged > 0 && unchanged < rows.len());
    }

    #[test]
    fn b_replays_a_s_interventions_at_their_times_through_jumps_and_forks() {
        use flowlab_sim::kernel::time::NS_PER_S;
        use flowlab_sim::labs::queue::{Fault, QueueParams};
        type H = Host<crate::labs::queue::View>;
        let p = QueueParams::default();
        let c = clock();
        let mut host = H::new(&p, 9, Look::default());
        host.command(Command::Compare(Some(p.clone())), &c);
        host.command(Command::RunTo(2 * NS_PER_S), &c);
        host.command(Command::Apply(Fault::CrashLeaderOf(0)), &c);
        host.command(Command::RunTo(4 * NS_PER_S), &c);
        let same = |host: &H| host.twin().unwrap().sim().digest() == host.sim().digest();
        assert!(same(&host), "the click is B's too");
        let mut plain = Sim::<flowlab_sim::labs::queue::Queue>::new_or_default(&p, 9);
        plain.run_to(4 * NS_PER_S);
        assert_ne!(
            plain.digest(),
            host.sim().digest(),
            "the click changed the run"
        );
        // Back in time (B from its checkpoints), and a fork there.
        host.command(Command::Seek(NS_PER_S), &c);
        assert_eq!(host.twin().unwrap().sim().now(), NS_PER_S);
        assert!(same(&host), "a jump back");
        host.command(Command::Apply(Fault::AddConsumer), &c);
        host.command(Command::RunTo(3 * NS_PER_S), &c);
        assert!(same(&host), "after a fork");
        host.command(Command::Undo, &c);
        host.command(Command::RunTo(4 * NS_PER_S), &c);
        assert!(same(&host), "after its undo");
        assert_eq!(host.sim().digest(), {
            let mut h = H::new(&p, 9, Look::default());
            h.command(Command::RunTo(2 * NS_PER_S), &c);
            h.command(Command::Apply(Fault::CrashLeaderOf(0)), &c);
            h.command(Command::RunTo(4 * NS_PER_S), &c);
            h.sim().digest()
        });
    }

    #[test]
    fn delta_rows_read_as_people_write_them() {
        use flowlab_sim::labs::flash_sale::metrics::{ANSWERED_WITHIN_1S, OVERSOLD, SUCCESS};
        let mut a = Report::new();
        a.count(&SUCCESS, 1_000_000);
        a.real(&ANSWERED_WITHIN_1S, 0.5);
        a.count(&OVERSOLD, 0);
        let mut b = Report::new();
        b.count(&SUCCESS, 1_020_000);
        b.real(&ANSWERED_WITHIN_1S, 0.25);
        b.count(&OVERSOLD, 3);
        let rows = delta_rows(&a, &b, Lang::En);
        assert_eq!(rows[0].delta, "+20,000");
        assert_eq!(rows[0].pct, "+2%");
        assert!(!rows[0].changed, "2 % is not a meaningful change");
        assert_eq!(rows[1].delta, "−25 points");
        assert_eq!(rows[1].pct, "−50%");
        assert!(rows[1].changed);
        assert_eq!(
            (rows[2].pct.as_str(), rows[2].changed),
            ("", true),
            "from zero"
        );
        let zh = delta_rows(&a, &b, Lang::Zh);
        assert_eq!(zh[0].delta, "+2万");
        assert_eq!(zh[0].b, "102万");
    }
}
