//! A machine's clock against true (virtual) time: it may start off, drift, be stepped back or
//! forward, or stand still for a while. Local time is in nanoseconds from the start of the run and
//! may be negative (a clock that starts behind).

use crate::kernel::time::Nanos;

/// One machine's clock: piecewise linear in true time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clock {
    /// Local time at `base_true`.
    base_local: i64,
    base_true: Nanos,
    /// Drift, parts per million (positive: runs fast).
    ppm: i64,
    /// The clock stands still until this true time.
    frozen_until: Option<Nanos>,
}

impl Clock {
    /// A clock that reads `offset_ns` at true time 0 and drifts by `ppm`.
    pub fn new(offset_ns: i64, ppm: i64) -> Self {
        Self {
            base_local: offset_ns,
            base_true: 0,
            ppm,
            frozen_until: None,
        }
    }

    /// Local time at true time `t` (not before the last change).
    pub fn local(&self, t: Nanos) -> i64 {
        if self.frozen_until.is_some_and(|u| t < u) {
            return self.base_local;
        }
        let dt = t.saturating_sub(self.base_true) as i128;
        let scaled = dt * (1_000_000 + self.ppm as i128) / 1_000_000;
        self.base_local + scaled as i64
    }

    /// Local minus true time at `t`: how far off the clock is.
    pub fn offset(&self, t: Nanos) -> i64 {
        self.local(t) - t as i64
    }

    /// Steps the clock by `delta_ns` (negative: back) at true time `t`.
    pub fn step(&mut self, t: Nanos, delta_ns: i64) {
        self.base_local = self.local(t) + delta_ns;
        self.base_true = t;
        if self.frozen_until.is_some_and(|u| t < u) {
            // A step while frozen moves where it will resume from.
            self.base_true = self.frozen_until.unwrap_or(t);
        }
    }

    /// The clock stands still from `t` until `t + for_ns`, then runs on from where it stopped.
    pub fn freeze(&mut self, t: Nanos, for_ns: Nanos) {
        self.base_local = self.local(t);
        self.base_true = t.saturating_add(for_ns);
        self.frozen_until = Some(t.saturating_add(for_ns));
    }

    /// Whether it stands still at `t`.
    pub fn frozen(&self, t: Nanos) -> bool {
        self.frozen_until.is_some_and(|u| t < u)
    }

    /// The first true time at or after `t` when the clock reads at least `local` (None while it
    /// stands still: ask again when it runs).
    pub fn when_reads(&self, t: Nanos, local: i64) -> Option<Nanos> {
        if self.frozen(t) {
            return None;
        }
        let now = self.local(t);
        if now >= local {
            return Some(t);
        }
        let need = (local - self.base_local) as i128;
        let rate = 1_000_000 + self.ppm as i128;
        // Smallest dt with dt * rate / 1e6 >= need.
        let dt = (need * 1_000_000 + rate - 1) / rate;
        let at = self.base_true as i128 + dt;
        Some((at.max(t as i128)).min(u64::MAX as i128) as Nanos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drift_step_and_freeze() {
        let mut c = Clock::new(0, 100); // 100 ppm fast
        assert_eq!(c.local(1_000_000_000), 1_000_100_000);
        c.step(1_000_000_000, -5_000_000);
        assert_eq!(c.local(1_000_000_000), 995_100_000);
        assert!(c.offset(1_000_000_000) < 0);
        c.freeze(2_000_000_000, 50_000_000);
        let stopped = c.local(2_000_000_000);
        assert_eq!(c.local(2_030_000_000), stopped, "stands still");
        assert!(c.frozen(2_030_000_000));
        assert_eq!(c.local(2_050_000_000), stopped, "resumes from where it stopped");
        assert!(c.local(2_060_000_000) > stopped);
    }

    #[test]
    fn when_reads_inverts_local() {
        let c = Clock::new(-3_000_000, -250);
        for target in [0i64, 1, 999_999, 1_000_000, 5_000_000_000] {
            let t = c.when_reads(0, target).unwrap();
            assert!(c.local(t) >= target, "{target}");
            assert!(t == 0 || c.local(t - 1) < target, "{target}: the first such time");
        }
        let mut f = Clock::new(0, 0);
        f.freeze(10, 100);
        assert_eq!(f.when_reads(20, 50), None);
        assert_eq!(f.when_reads(110, 5), Some(110));
    }
}
