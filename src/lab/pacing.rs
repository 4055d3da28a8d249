//! Wall time to virtual time: play, speed, the per-frame work budget, steps, and the slices in
//! which labs that end by themselves (the flash sale) run while the page keeps drawing.

use flowlab_sim::kernel::lab::Lab;
use flowlab_sim::kernel::sim::Sim;
use flowlab_sim::kernel::time::{Nanos, NS_PER_MS};
use flowlab_sim::{Advance, Model};

use crate::i18n::Lang;

/// Charts and readouts refresh this often (wall milliseconds).
pub const REFRESH_MS: u32 = 250;
/// Longest wall time one frame may advance a run by: a hidden or stalled tab does not catch up.
pub const MAX_FRAME_MS: f64 = 100.0;
/// Most work (events, stream items and their declared fan-out) one frame may do.
pub const MAX_WORK_PER_FRAME: u64 = 200_000;
/// Wall time a lab that ends by itself may take from one frame (keeps frames near 60 a second).
pub const SLICE_MS: f64 = 9.0;
/// Work done between two looks at the clock in such a slice.
pub const SLICE_CHUNK: u64 = 65_536;

/// Where a run that ends by itself is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
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
        }
    }

    pub fn set(&mut self, playing: bool, speed: f64, lang: Lang) {
        self.playing = playing;
        self.speed = speed;
        self.lang = lang;
        self.charts_dirty = true;
    }

    /// Advances a timed run by `dt_ms` of wall time at the speed, within the per-frame budget.
    /// Returns whether the budget stopped it short.
    pub fn advance<L: Lab>(&mut self, sim: &mut Sim<L>, dt_ms: f64) -> bool {
        if !self.playing || dt_ms <= 0.0 {
            return false;
        }
        let target = sim
            .now()
            .saturating_add((dt_ms * self.speed * NS_PER_MS as f64) as Nanos);
        self.charts_dirty = true;
        sim.advance_to(target, MAX_WORK_PER_FRAME) == Advance::BudgetExhausted
    }

    /// Pauses and runs to virtual time `to` (a step).
    pub fn step_to<L: Lab>(&mut self, sim: &mut Sim<L>, to: Nanos) {
        self.playing = false;
        sim.run_to(to);
        self.charts_dirty = true;
    }

    /// Starts a run that ends by itself, at wall time `now_ms`.
    pub fn start(&mut self, now_ms: f64) {
        self.phase = Phase::Running;
        self.started_ms = now_ms;
        self.wall_ms = 0.0;
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
        while clock() - t0 < SLICE_MS {
            if sim.advance(SLICE_CHUNK) == Advance::Reached {
                self.phase = Phase::Finished;
                break;
            }
        }
        self.wall_ms = clock() - self.started_ms;
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
        p.advance(&mut sim, 16.0);
        assert_eq!(sim.now(), 160 * NS_PER_MS);
        p.playing = false;
        p.advance(&mut sim, 16.0);
        assert_eq!(sim.now(), 160 * NS_PER_MS, "paused: no advance");
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
        let t = Cell::new(0.0);
        let clock = || {
            t.set(t.get() + 1.0);
            t.get()
        };
        p.start(clock());
        let mut slices = 0;
        while p.phase == Phase::Running {
            p.run_slice(&mut sim, clock);
            slices += 1;
            assert!(slices < 1_000);
        }
        assert_eq!(p.phase, Phase::Finished);
        assert_eq!(sim.done(), 200_000);
        assert!(slices >= 1);
    }
}
