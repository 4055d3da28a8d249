//! Wall time to virtual time: play, speed, the engine's time budget in each frame, the speed a run
//! achieves when it cannot keep up, steps, the slices in which labs that end by themselves (the
//! flash sale) run while the page keeps drawing, and the reduced-motion flag the pictures read.

use flowlab_sim::kernel::lab::Lab;
use flowlab_sim::kernel::sim::Sim;
use flowlab_sim::kernel::time::{Nanos, NS_PER_MS};
use flowlab_sim::{Advance, Model};

use crate::i18n::Lang;

/// Charts and readouts refresh this often (wall milliseconds).
pub const REFRESH_MS: u32 = 250;
/// Longest wall time one frame may advance a run by: a hidden or stalled tab does not catch up.
pub const MAX_FRAME_MS: f64 = 100.0;
/// Wall time one frame aims at (60 frames a second leave 16.7 ms; the rest is the browser's).
pub const FRAME_MS: f64 = 13.0;
/// Least and most wall time the engine may take from one frame of a timed run: what the frame
/// leaves after the picture, charts and page took their share in the frames before.
pub const MIN_ENGINE_MS: f64 = 2.0;
pub const MAX_ENGINE_MS: f64 = 9.0;
/// A frame that comes later than this after the one before missed the display's beat (60 a
/// second): while the engine cannot keep up, such frames shrink its budget (by [`LATE_SHRINK`]),
/// frames on time grow it again (by [`ON_TIME_GROW_MS`]). What the page cannot measure itself (the
/// browser's own work, other programs on the machine) is caught this way, and about one frame in
/// ten is late at most.
pub const LATE_FRAME_MS: f64 = 17.5;
pub const LATE_SHRINK: f64 = 0.85;
pub const ON_TIME_GROW_MS: f64 = 0.1;
/// Work (events, stream items and their declared fan-out) between two looks at the clock: it
/// starts here and follows the lab's cost so that a chunk takes about [`CHUNK_MS`].
pub const FIRST_CHUNK: u64 = 256;
pub const MAX_CHUNK: u64 = 65_536;
pub const CHUNK_MS: f64 = 0.5;
/// Wall time a lab that ends by itself may take from one frame (keeps frames near 60 a second).
pub const SLICE_MS: f64 = MAX_ENGINE_MS;
/// Work done between two looks at the clock in such a slice.
pub const SLICE_CHUNK: u64 = 65_536;
/// The achieved speed is measured over this much wall time.
pub const ACHIEVED_WINDOW_MS: f64 = 1_000.0;

/// Where a run that ends by itself is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Phase {
    #[default]
    Idle,
    Running,
    Cancelled,
    Finished,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Idle => "idle",
            Phase::Running => "running",
            Phase::Cancelled => "cancelled",
            Phase::Finished => "finished",
        }
    }
}

/// What every lab runtime keeps about pacing.
pub struct Pacing {
    pub playing: bool,
    pub speed: f64,
    pub lang: Lang,
    /// Something changed since the charts last redrew.
    pub charts_dirty: bool,
    last_chart_ts: f64,
    /// Labs that end by themselves: where the run is, and its wall-clock start and length.
    pub phase: Phase,
    pub started_ms: f64,
    pub wall_ms: f64,
    /// Of that, the wall time spent in the engine's slices.
    pub busy_ms: f64,
    /// `prefers-reduced-motion: reduce`: labs start paused and pictures draw no moving particles
    /// (static counts and arrows instead).
    pub reduced_motion: bool,
    /// Work done between two looks at the clock (follows the lab's cost per unit of work).
    chunk: u64,
    /// Wall time the rest of a frame took (picture, charts), smoothed: the engine gets what is left
    /// of [`FRAME_MS`].
    other_ms: f64,
    /// Most wall time the engine may take in a frame, from how late frames come (see
    /// [`LATE_FRAME_MS`]).
    cap_ms: f64,
    /// The engine used its whole budget in the last frame.
    last_behind: bool,
    /// The speed achieved over the last [`ACHIEVED_WINDOW_MS`], if the run fell behind the chosen
    /// speed in it (`None`: it kept up, or it is paused).
    pub achieved: Option<f64>,
    window_wall_ms: f64,
    window_virtual_ns: f64,
    window_behind: bool,
    /// Most wall time the engine may take in one frame of a timed run ([`MAX_ENGINE_MS`] on the
    /// page's main thread; more in a worker, which does not share the page's frame).
    budget_cap: f64,
    /// Wall time a lab that ends by itself may take in one slice ([`SLICE_MS`] on the main
    /// thread).
    slice_ms: f64,
    /// Wall time B (the comparison's second run) took to follow A in the frames before,
    /// smoothed: A's budget and slices leave it out, so that A and B together keep to a frame's.
    twin_ms: f64,
}

impl Pacing {
    pub fn new(lang: Lang) -> Self {
        Self {
            playing: true,
            speed: 1.0,
            lang,
            charts_dirty: true,
            last_chart_ts: f64::NEG_INFINITY,
            phase: Phase::Idle,
            started_ms: 0.0,
            wall_ms: 0.0,
            busy_ms: 0.0,
            reduced_motion: false,
            chunk: FIRST_CHUNK,
            other_ms: 0.0,
            cap_ms: MAX_ENGINE_MS,
            last_behind: false,
            achieved: None,
            window_wall_ms: 0.0,
            window_virtual_ns: 0.0,
            window_behind: false,
            budget_cap: MAX_ENGINE_MS,
            slice_ms: SLICE_MS,
            twin_ms: 0.0,
        }
    }

    /// Budgets for an engine that does not share the page's frame (in a worker): at most
    /// `budget_ms` per frame of a timed run, slices of `slice_ms`.
    pub fn set_budgets(&mut self, budget_ms: f64, slice_ms: f64) {
        self.budget_cap = budget_ms;
        self.cap_ms = budget_ms;
        self.slice_ms = slice_ms;
    }

    pub fn set(&mut self, playing: bool, speed: f64, lang: Lang) {
        if playing != self.playing || speed != self.speed {
            self.reset_window();
        }
        self.playing = playing;
        self.speed = speed;
        self.lang = lang;
        self.charts_dirty = true;
    }

    fn reset_window(&mut self) {
        self.achieved = None;
        self.window_wall_ms = 0.0;
        self.window_virtual_ns = 0.0;
        self.window_behind = false;
    }

    /// Wall time the engine may take in this frame: what [`FRAME_MS`] leaves after the rest of the
    /// frames before, at most what keeps frames on time, within
    /// [`MIN_ENGINE_MS`]..=[`MAX_ENGINE_MS`].
    pub fn engine_budget_ms(&self) -> f64 {
        (self.whole_budget_ms() - self.twin_ms).max(MIN_ENGINE_MS)
    }

    /// The engine's budget of a frame for A and B together (A's alone when not comparing).
    pub fn whole_budget_ms(&self) -> f64 {
        (FRAME_MS - self.other_ms)
            .min(self.cap_ms)
            .clamp(MIN_ENGINE_MS, self.budget_cap.max(MIN_ENGINE_MS))
    }

    /// B followed A in `ms` of wall time (after A's advance or slice): the next budgets of A leave
    /// it out (smoothed, so A and B settle at about half of the frame's each when B costs what A
    /// does).
    pub fn twin_took(&mut self, ms: f64) {
        if ms.is_finite() && ms >= 0.0 {
            self.twin_ms = 0.8 * self.twin_ms + 0.2 * ms;
        }
    }

    /// The comparison stopped: A has the whole budget again.
    pub fn twin_off(&mut self) {
        self.twin_ms = 0.0;
    }

    /// A frame came `dt_ms` after the one before: if the engine used its whole budget in that one,
    /// a late frame shrinks the budget and one on time grows it.
    fn frame_interval(&mut self, dt_ms: f64) {
        if !self.last_behind || dt_ms.is_nan() || dt_ms <= 0.0 {
            return;
        }
        self.cap_ms = if dt_ms > LATE_FRAME_MS {
            self.cap_ms * LATE_SHRINK
        } else {
            self.cap_ms + ON_TIME_GROW_MS
        }
        .clamp(MIN_ENGINE_MS, self.budget_cap.max(MIN_ENGINE_MS));
    }

    /// The rest of the frame (drawing) took `ms` of wall time.
    pub fn frame_rest(&mut self, ms: f64) {
        if ms.is_finite() && ms >= 0.0 {
            self.other_ms = 0.8 * self.other_ms + 0.2 * ms;
        }
    }

    /// Advances a timed run by `dt_ms` of wall time at the speed, within the frame's engine budget
    /// ([`Pacing::engine_budget_ms`] of wall time, read on `clock`). Returns whether the budget
    /// stopped it short (the run fell behind the chosen speed).
    pub fn advance<L: Lab>(
        &mut self,
        sim: &mut Sim<L>,
        dt_ms: f64,
        clock: impl Fn() -> f64,
    ) -> bool {
        self.frame_interval(dt_ms);
        if !self.playing || dt_ms <= 0.0 {
            self.last_behind = false;
            return false;
        }
        let before = sim.now();
        let target = before.saturating_add((dt_ms * self.speed * NS_PER_MS as f64) as Nanos);
        self.charts_dirty = true;
        let budget = self.engine_budget_ms();
        let t0 = clock();
        let mut t = t0;
        let behind = loop {
            let r = sim.advance_to(target, self.chunk);
            let t1 = clock();
            if r == Advance::Reached {
                break false;
            }
            // Aim at chunks of about CHUNK_MS whatever a unit of work costs in this lab.
            let took = t1 - t;
            if took < CHUNK_MS / 2.0 {
                self.chunk = (self.chunk * 2).min(MAX_CHUNK);
            } else if took > CHUNK_MS * 2.0 {
                self.chunk = (self.chunk / 2).max(1);
            }
            t = t1;
            if t1 - t0 >= budget {
                break true;
            }
        };
        self.window_wall_ms += dt_ms;
        self.window_virtual_ns += sim.now().saturating_sub(before) as f64;
        self.window_behind |= behind;
        if self.window_wall_ms >= ACHIEVED_WINDOW_MS {
            let speed = self.window_virtual_ns / NS_PER_MS as f64 / self.window_wall_ms;
            self.achieved = self.window_behind.then_some(speed);
            self.window_wall_ms = 0.0;
            self.window_virtual_ns = 0.0;
            self.window_behind = false;
        }
        self.last_behind = behind;
        behind
    }

    /// Pauses and runs to virtual time `to` (a step).
    pub fn step_to<L: Lab>(&mut self, sim: &mut Sim<L>, to: Nanos) {
        self.playing = false;
        self.reset_window();
        sim.run_to(to);
        self.charts_dirty = true;
    }

    /// Starts a run that ends by itself, at wall time `now_ms`.
    pub fn start(&mut self, now_ms: f64) {
        self.phase = Phase::Running;
        self.started_ms = now_ms;
        self.wall_ms = 0.0;
        self.busy_ms = 0.0;
        self.charts_dirty = true;
    }

    pub fn cancel(&mut self) {
        if self.phase == Phase::Running {
            self.phase = Phase::Cancelled;
        }
    }

    /// Runs a lab that ends by itself for at most [`SLICE_MS`] of wall time (`clock` reads it).
    pub fn run_slice<L: Lab>(&mut self, sim: &mut Sim<L>, clock: impl Fn() -> f64) {
        if self.phase != Phase::Running {
            return;
        }
        let t0 = clock();
        let mut t = t0;
        let slice = (self.slice_ms - self.twin_ms).max(MIN_ENGINE_MS);
        while t - t0 < slice {
            let r = sim.advance(SLICE_CHUNK);
            t = clock();
            if r == Advance::Reached {
                self.phase = Phase::Finished;
                break;
            }
        }
        self.busy_ms += t - t0;
        self.wall_ms = t - self.started_ms;
        self.charts_dirty = true;
    }

    /// Virtual time that `wall_ms` of wall time shows at this speed (at least 1 ns): particles take
    /// the same wall time to cross whatever the speed.
    pub fn virtual_span(&self, wall_ms: f64) -> Nanos {
        ((wall_ms * self.speed) * NS_PER_MS as f64).max(1.0) as Nanos
    }

    /// Whether the charts should redraw at frame time `ts` (something changed, and at most every
    /// [`REFRESH_MS`]); if so, the change is taken as drawn.
    pub fn charts_due(&mut self, ts: f64) -> bool {
        if self.charts_dirty && ts - self.last_chart_ts >= REFRESH_MS as f64 {
            self.last_chart_ts = ts;
            self.charts_dirty = false;
            true
        } else {
            false
        }
    }
}

/// A speed as people read it: `240`, `12`, `0.8`, `0.0031` (two significant digits below 1).
pub fn speed_text(x: f64) -> String {
    if !x.is_finite() || x <= 0.0 {
        "0".to_string()
    } else if x >= 10.0 {
        format!("{x:.0}")
    } else if x >= 1.0 {
        format!("{x:.1}")
    } else {
        let decimals = ((-x.log10()).floor() as usize + 2).min(9);
        format!("{x:.decimals$}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flowlab_sim::labs::flash_sale::{FlashSaleParams, Sale};
    use flowlab_sim::limiter::Limiter;
    use std::cell::Cell;

    #[test]
    fn a_frame_advances_by_wall_time_times_speed() {
        let mut sim = Sim::<Limiter>::new(Default::default(), 1).unwrap();
        let mut p = Pacing::new(Lang::En);
        p.speed = 10.0;
        assert!(!p.advance(&mut sim, 16.0, || 0.0));
        assert_eq!(sim.now(), 160 * NS_PER_MS);
        p.playing = false;
        p.advance(&mut sim, 16.0, || 0.0);
        assert_eq!(sim.now(), 160 * NS_PER_MS, "paused: no advance");
    }

    /// A clock that moves `ms_per_look` each time it is read.
    fn fake_clock(ms_per_look: f64) -> impl Fn() -> f64 {
        let t = Cell::new(0.0);
        move || {
            t.set(t.get() + ms_per_look);
            t.get()
        }
    }

    #[test]
    fn the_engine_stops_at_its_time_budget_and_the_page_says_the_speed_achieved() {
        use flowlab_sim::limiter::LimiterParams;
        let mut params = LimiterParams::default();
        params.traffic.rate_per_s = 5_000;
        let mut sim = Sim::<Limiter>::new(params, 1).unwrap();
        let mut p = Pacing::new(Lang::En);
        p.speed = 1_000.0;
        // Every look at the clock costs 1 ms: the budget allows a handful of chunks per frame.
        let clock = fake_clock(1.0);
        let mut frames = 0;
        while p.achieved.is_none() {
            let before = sim.now();
            let behind = p.advance(&mut sim, 16.0, &clock);
            assert!(
                behind,
                "1000× of 5,000 requests a second does not fit in this budget"
            );
            assert!(sim.now() > before, "every frame makes progress");
            assert!(sim.now() - before < 16 * 1_000 * NS_PER_MS);
            frames += 1;
            assert!(
                frames <= 70,
                "the achieved speed is known after a second of wall time"
            );
        }
        let achieved = p.achieved.unwrap();
        assert!(achieved > 0.0 && achieved < 1_000.0, "{achieved}");
        // The budget follows what the picture takes: a slow picture leaves the engine less.
        let full = p.engine_budget_ms();
        for _ in 0..30 {
            p.frame_rest(10.0);
        }
        assert!(p.engine_budget_ms() < full);
        assert!(p.engine_budget_ms() >= MIN_ENGINE_MS);
        // Pausing forgets it.
        p.set(false, 1_000.0, Lang::En);
        assert_eq!(p.achieved, None);
    }

    #[test]
    fn a_comparison_s_second_run_shares_the_engine_budget() {
        let mut p = Pacing::new(Lang::En);
        let whole = p.engine_budget_ms();
        // B costs what A does: each frame B takes A's budget of the frame; they settle at halves.
        for _ in 0..60 {
            let a = p.engine_budget_ms();
            p.twin_took(a);
        }
        let a = p.engine_budget_ms();
        assert!((a - whole / 2.0).abs() < 0.05, "A's share {a} of {whole}");
        // A costly B leaves A at least the floor.
        for _ in 0..60 {
            p.twin_took(1000.0);
        }
        assert_eq!(p.engine_budget_ms(), MIN_ENGINE_MS);
        p.twin_took(f64::NAN);
        assert_eq!(p.engine_budget_ms(), MIN_ENGINE_MS);
        p.twin_off();
        assert_eq!(p.engine_budget_ms(), whole);
    }

    #[test]
    fn late_frames_shrink_the_engine_budget_and_frames_on_time_grow_it_back() {
        use flowlab_sim::limiter::LimiterParams;
        let mut params = LimiterParams::default();
        params.traffic.rate_per_s = 5_000;
        let mut sim = Sim::<Limiter>::new(params, 1).unwrap();
        let mut p = Pacing::new(Lang::En);
        p.speed = 1_000.0;
        let clock = fake_clock(0.25);
        assert_eq!(p.engine_budget_ms(), MAX_ENGINE_MS);
        for _ in 0..30 {
            assert!(p.advance(&mut sim, 33.0, &clock), "behind");
        }
        assert_eq!(p.engine_budget_ms(), MIN_ENGINE_MS, "frames came late");
        for _ in 0..40 {
            p.advance(&mut sim, 16.7, &clock);
        }
        let grown = p.engine_budget_ms();
        assert!(grown > MIN_ENGINE_MS + 3.0, "{grown}");
        for _ in 0..100 {
            p.advance(&mut sim, 16.7, &clock);
        }
        assert_eq!(p.engine_budget_ms(), MAX_ENGINE_MS, "back to the most");
        // A run that keeps up is not held back by late frames it did not cause.
        let mut q = Pacing::new(Lang::En);
        let mut light = Sim::<Limiter>::new(Default::default(), 1).unwrap();
        for _ in 0..30 {
            assert!(!q.advance(&mut light, 33.0, || 0.0));
        }
        assert_eq!(q.engine_budget_ms(), MAX_ENGINE_MS);
    }

    #[test]
    fn a_run_that_keeps_up_reports_no_achieved_speed_and_is_the_same_however_cut() {
        let mut a = Sim::<Limiter>::new(Default::default(), 7).unwrap();
        let mut b = Sim::<Limiter>::new(Default::default(), 7).unwrap();
        let mut p = Pacing::new(Lang::En);
        let mut q = Pacing::new(Lang::En);
        p.speed = 10.0;
        q.speed = 10.0;
        let slow = fake_clock(5.0);
        for _ in 0..100 {
            p.advance(&mut a, 16.0, || 0.0);
        }
        assert_eq!(p.achieved, None, "it kept up");
        // The same wall time cut by a slow clock into short runs: behind, but the same run.
        while b.now() < a.now() {
            q.advance(&mut b, 16.0, &slow);
        }
        b.run_to(a.now());
        assert_eq!(a.digest(), b.digest());
    }

    #[test]
    fn speeds_read_well() {
        assert_eq!(speed_text(938.4), "938");
        assert_eq!(speed_text(12.0), "12");
        assert_eq!(speed_text(7.25), "7.2");
        assert_eq!(speed_text(0.8), "0.80");
        assert_eq!(speed_text(0.00314), "0.0031");
        assert_eq!(speed_text(0.0), "0");
        assert_eq!(speed_text(f64::NAN), "0");
        assert_eq!(speed_text(1e-30), "0.000000000");
    }

    #[test]
    fn a_run_that_ends_by_itself_goes_in_slices_to_its_end() {
        let params = FlashSaleParams {
            users: 200_000,
            ..Default::default()
        };
        let mut sim = Sim::<Sale>::new(&params, 1).unwrap();
        let mut p = Pacing::new(Lang::En);
        // A fake clock that moves 1 ms per look.
        let clock = fake_clock(1.0);
        p.start(clock());
        let mut slices = 0;
        while p.phase == Phase::Running {
            p.run_slice(&mut sim, &clock);
            slices += 1;
            assert!(slices < 1_000);
        }
        assert_eq!(p.phase, Phase::Finished);
        assert_eq!(sim.done(), 200_000);
        assert!(slices >= 1);
    }
}
