//! Traffic generators reused by every lab: arrival processes and key choice.
//!
//! One flat params struct covers every pattern (each pattern reads the fields it needs), so the URL,
//! the controls and a params file keep a value when the user switches pattern.

use super::rng::SimRng;
use super::time::{Nanos, NS_PER_MS, NS_PER_S};

crate::choices! {
    /// The shape of the arrival process.
    pub enum Pattern in "pattern" {
        /// Evenly spaced arrivals at `rate_per_s`.
        Constant = "constant",
        /// A Poisson process at `rate_per_s` (exponential gaps).
        #[default]
        Poisson = "poisson",
        /// Poisson at `rate_per_s` for `on_ms`, then silence for `off_ms`, repeated.
        OnOff = "on_off",
        /// Poisson background at `rate_per_s`, plus `burst_size` requests spread over
        /// `burst_width_ms` centred on every multiple of `burst_period_ms`: a burst straddling a
        /// window edge.
        BoundaryBurst = "boundary_burst",
        /// Poisson whose rate climbs linearly from `rate_per_s` to `peak_rate_per_s` over
        /// `ramp_ms`, then stays at the peak.
        Ramp = "ramp",
        /// Poisson at `rate_per_s`; at `start_ms` the rate climbs to `peak_rate_per_s` over
        /// `ramp_ms`, holds for `hold_ms`, and falls back over `ramp_ms`.
        FlashCrowd = "flash_crowd",
    }
}

crate::choices! {
    /// How each request picks a key.
    pub enum KeyChoice in "key_choice" {
        /// Requests carry no key.
        #[default]
        None = "none",
        /// Keys `0..key_count`, equally likely.
        Uniform = "uniform",
        /// Keys `0..key_count` with Zipf popularity: key k has weight 1/(k+1)^s (hot keys first).
        Zipf = "zipf",
    }
}

/// Upper bounds, shared with the labs' own validation.
pub const MAX_RATE_PER_S: u32 = 1_000_000;
pub const MAX_KEYS: u32 = 100_000;
pub const MAX_DURATION_MS: u32 = 3_600_000;

crate::knobs! {
    /// Parameters of a traffic generator. One flat struct covers every pattern (each pattern reads
    /// the fields it needs), so a value survives switching pattern.
    pub struct TrafficParams in "traffic" {
        /// Shape of the arrival process.
        pattern: Pattern = Pattern::Poisson => choice;
        /// Base arrival rate, requests per second.
        rate_per_s: u32 = 12 => range(0, MAX_RATE_PER_S);
        /// Peak arrival rate of `ramp` and `flash_crowd`, requests per second.
        peak_rate_per_s: u32 = 40 => range(0, MAX_RATE_PER_S);
        /// Length of an "on" phase of `on_off`, milliseconds.
        on_ms: u32 = 1_000 => range(1, MAX_DURATION_MS);
        /// Length of an "off" phase of `on_off`, milliseconds.
        off_ms: u32 = 2_000 => range(0, MAX_DURATION_MS);
        /// Requests in each burst of `boundary_burst`.
        burst_size: u32 = 20 => range(0, 100_000);
        /// Bursts of `boundary_burst` are centred on every multiple of this period, milliseconds.
        burst_period_ms: u32 = 2_000 => range(1, MAX_DURATION_MS);
        /// Time over which one burst is spread, milliseconds.
        burst_width_ms: u32 = 200 => range(0, MAX_DURATION_MS).le(burst_period_ms);
        /// Duration of the climb of `ramp` and of the rise and fall of `flash_crowd`, milliseconds.
        ramp_ms: u32 = 5_000 => range(0, MAX_DURATION_MS);
        /// When the flash crowd starts, milliseconds from the start of the run.
        start_ms: u32 = 3_000 => range(0, MAX_DURATION_MS);
        /// How long the flash crowd stays at its peak, milliseconds.
        hold_ms: u32 = 3_000 => range(0, MAX_DURATION_MS);
        /// How requests choose a key.
        keys: KeyChoice = KeyChoice::None => choice.adv();
        /// Number of distinct keys for `uniform` and `zipf`.
        key_count: u32 = 1_000 => range(1, MAX_KEYS).adv();
        /// Zipf exponent s (0 = uniform; about 1 is typical of real hot keys).
        zipf_exponent: f64 = 1.0 => range(0.0, 4.0).adv();
    }
}

impl TrafficParams {
    /// The highest instantaneous rate this pattern reaches (requests per second), ignoring bursts.
    pub fn max_rate_per_s(&self) -> u32 {
        match self.pattern {
            Pattern::Ramp | Pattern::FlashCrowd => self.rate_per_s.max(self.peak_rate_per_s),
            _ => self.rate_per_s,
        }
    }

    /// An upper bound on the requests that can arrive in any interval of `window_ns`.
    pub fn max_arrivals_in(&self, window_ns: Nanos) -> u64 {
        let steady = (self.max_rate_per_s() as u128 * window_ns as u128).div_ceil(NS_PER_S as u128)
            as u64
            + 1;
        let bursts = if self.pattern == Pattern::BoundaryBurst {
            let period = self.burst_period_ms as u64 * NS_PER_MS;
            (window_ns / period + 2) * self.burst_size as u64
        } else {
            0
        };
        steady + bursts
    }
}

/// One arrival.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arrival {
    pub at: Nanos,
    pub key: Option<u32>,
}

/// Draws keys according to a [`KeyChoice`].
#[derive(Clone, Debug)]
pub struct KeyPicker {
    choice: KeyChoice,
    count: u32,
    /// Cumulative weights for Zipf (empty otherwise); at most [`MAX_KEYS`] entries.
    cdf: Vec<f64>,
}

impl KeyPicker {
    pub fn new(choice: KeyChoice, count: u32, exponent: f64) -> Self {
        let count = count.clamp(1, MAX_KEYS);
        let cdf = if choice == KeyChoice::Zipf {
            let mut acc = 0.0;
            (0..count)
                .map(|k| {
                    acc += 1.0 / libm::pow((k + 1) as f64, exponent);
                    acc
                })
                .collect()
        } else {
            Vec::new()
        };
        Self { choice, count, cdf }
    }

    pub fn pick(&self, rng: &mut SimRng) -> Option<u32> {
        match self.choice {
            KeyChoice::None => None,
            KeyChoice::Uniform => Some(rng.below(self.count as u64) as u32),
            KeyChoice::Zipf => {
                let total = *self.cdf.last().expect("zipf cdf is never empty");
                let u = rng.unit_f64() * total;
                let i = self.cdf.partition_point(|&c| c <= u);
                Some((i as u32).min(self.count - 1))
            }
        }
    }
}

/// A deterministic stream of arrivals, in non-decreasing time order.
#[derive(Clone, Debug)]
pub struct TrafficGen {
    p: TrafficParams,
    rng: SimRng,
    keys: KeyPicker,
    /// Time of the last candidate of the Poisson/thinned stream.
    t: Nanos,
    /// Arrivals emitted by the constant pattern so far.
    k: u64,
    /// Next background (Poisson) arrival of the boundary-burst pattern.
    background: Option<Nanos>,
    /// Index of the current burst (1-based) and of the next request inside it.
    burst: u64,
    burst_i: u32,
    /// Ramp and flash crowd: the rate as linear segments (start ns, end ns, rate at start, rate at
    /// end, per second), the last one constant to infinity; and the time reached, unrounded.
    segments: Vec<(f64, f64, f64, f64)>,
    tf: f64,
}

impl TrafficGen {
    /// A generator; `params` must be valid.
    pub fn new(params: &TrafficParams, seed: u64) -> Self {
        let keys = KeyPicker::new(params.keys, params.key_count, params.zipf_exponent);
        let mut g = Self {
            p: params.clone(),
            rng: SimRng::derive(seed, 0x7ea_ff1c),
            keys,
            t: 0,
            k: 0,
            background: None,
            burst: 1,
            burst_i: 0,
            segments: Vec::new(),
            tf: 0.0,
        };
        let ms = |x: u32| x as f64 * NS_PER_MS as f64;
        let (base, peak) = (g.p.rate_per_s as f64, g.p.peak_rate_per_s as f64);
        let ramp = ms(g.p.ramp_ms);
        g.segments = match g.p.pattern {
            Pattern::Ramp => vec![(0.0, ramp, base, peak), (ramp, f64::INFINITY, peak, peak)],
            Pattern::FlashCrowd => {
                let start = ms(g.p.start_ms);
                let hold = ms(g.p.hold_ms);
                vec![
                    (0.0, start, base, base),
                    (start, start + ramp, base, peak),
                    (start + ramp, start + ramp + hold, peak, peak),
                    (start + ramp + hold, start + 2.0 * ramp + hold, peak, base),
                    (start + 2.0 * ramp + hold, f64::INFINITY, base, base),
                ]
            }
            _ => Vec::new(),
        };
        // Zero-length segments carry no rate.
        g.segments.retain(|s| s.1 > s.0);
        if g.p.pattern == Pattern::BoundaryBurst {
            g.background = g.next_poisson(g.p.rate_per_s);
        }
        g
    }

    fn next_poisson(&mut self, rate_per_s: u32) -> Option<Nanos> {
        if rate_per_s == 0 {
            return None;
        }
        let gap = self.rng.exp_nanos(NS_PER_S as f64 / rate_per_s as f64);
        self.t = self.t.checked_add(gap)?;
        Some(self.t)
    }

    fn next_time(&mut self) -> Option<Nanos> {
        match self.p.pattern {
            Pattern::Constant => {
                if self.p.rate_per_s == 0 {
                    return None;
                }
                self.k += 1;
                let t = (self.k as u128 * NS_PER_S as u128) / self.p.rate_per_s as u128;
                u64::try_from(t).ok()
            }
            Pattern::Poisson => self.next_poisson(self.p.rate_per_s),
            Pattern::OnOff => {
                // A Poisson process in "on-time", mapped onto the wall of on/off phases.
                if self.p.rate_per_s == 0 {
                    return None;
                }
                let on_time = self.next_poisson(self.p.rate_per_s)?;
                let on = self.p.on_ms as u64 * NS_PER_MS;
                let off = self.p.off_ms as u64 * NS_PER_MS;
                let cycle = on_time / on;
                cycle.checked_mul(on + off)?.checked_add(on_time % on)
            }
            Pattern::Ramp | Pattern::FlashCrowd => self.next_piecewise(),
            Pattern::BoundaryBurst => {
                let next_burst = if self.p.burst_size == 0 {
                    None
                } else {
                    let period = self.p.burst_period_ms as u64 * NS_PER_MS;
                    let width = self.p.burst_width_ms as u64 * NS_PER_MS;
                    let centre = self.burst.checked_mul(period)?;
                    let start = centre - width / 2;
                    let n = self.p.burst_size as u64;
                    Some(start + (2 * self.burst_i as u64 + 1) * width / (2 * n))
                };
                match (self.background, next_burst) {
                    (Some(b), Some(s)) if b < s => {
                        self.background = self.next_poisson(self.p.rate_per_s);
                        Some(b)
                    }
                    (Some(b), None) => {
                        self.background = self.next_poisson(self.p.rate_per_s);
                        Some(b)
                    }
                    (_, Some(s)) => {
                        self.burst_i += 1;
                        if self.burst_i == self.p.burst_size {
                            self.burst_i = 0;
                            self.burst += 1;
                        }
                        Some(s)
                    }
                    (None, None) => None,
                }
            }
        }
    }

    /// The next arrival of a Poisson process whose rate is piecewise linear in time (ramp, flash
    /// crowd), by exact inversion: draw E ~ Exp(1) and walk the segments until the integrated rate
    /// reaches E. O(segments) per arrival whatever the rates, and the stream ends cleanly (None)
    /// when the rate stays at zero from some point on.
    fn next_piecewise(&mut self) -> Option<Nanos> {
        let mut e = -super::rng::ln_unit(self.rng.open_unit_f64());
        let mut t = self.tf;
        let per_ns = |r: f64| r / NS_PER_S as f64;
        for &(s0, s1, r0, r1) in self.segments.iter() {
            if t >= s1 {
                continue;
            }
            let (r0, r1) = (per_ns(r0), per_ns(r1));
            if s1.is_infinite() {
                // The last, constant segment.
                if r0 <= 0.0 {
                    return None;
                }
                t += e / r0;
                break;
            }
            let k = (r1 - r0) / (s1 - s0);
            let rt = r0 + k * (t - s0);
            let area = 0.5 * (rt + r1) * (s1 - t);
            if e <= area {
                // Solve rt*d + k*d^2/2 = e in its stable form.
                let d = 2.0 * e / (rt + (rt * rt + 2.0 * k * e).max(0.0).sqrt());
                t = (t + d).min(s1);
                break;
            }
            e -= area;
            t = s1;
        }
        if t.is_nan() || t >= u64::MAX as f64 {
            return None;
        }
        self.tf = t;
        Some(t as Nanos)
    }

    /// The next arrival, or `None` if the stream has ended (rate 0, or past the end of time).
    pub fn next_arrival(&mut self) -> Option<Arrival> {
        let at = self.next_time()?;
        let key = self.keys.pick(&mut self.rng);
        Some(Arrival { at, key })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::model::Validate;
    use crate::kernel::time::secs;

    fn count_until(p: &TrafficParams, until: Nanos, seed: u64) -> Vec<Arrival> {
        let mut g = TrafficGen::new(p, seed);
        let mut out = vec![];
        while let Some(a) = g.next_arrival() {
            if a.at > until {
                break;
            }
            out.push(a);
        }
        out
    }

    #[test]
    fn arrivals_are_ordered_for_every_pattern() {
        for pattern in Pattern::ALL {
            let p = TrafficParams {
                pattern,
                ..Default::default()
            };
            let v = count_until(&p, secs(30), 5);
            assert!(!v.is_empty(), "{pattern:?}");
            assert!(
                v.windows(2).all(|w| w[0].at <= w[1].at),
                "{pattern:?} out of order"
            );
        }
    }

    #[test]
    fn constant_and_poisson_hit_their_rate() {
        let p = TrafficParams {
            pattern: Pattern::Constant,
            rate_per_s: 100,
            ..Default::default()
        };
        assert_eq!(count_until(&p, secs(10), 1).len(), 1000);
        let p = TrafficParams {
            pattern: Pattern::Poisson,
            rate_per_s: 1000,
            ..Default::default()
        };
        let n = count_until(&p, secs(100), 1).len() as f64;
        assert!((n - 100_000.0).abs() < 1_500.0, "{n}");
    }

    #[test]
    fn on_off_is_silent_when_off() {
        let p = TrafficParams {
            pattern: Pattern::OnOff,
            rate_per_s: 100,
            on_ms: 1000,
            off_ms: 1000,
            ..Default::default()
        };
        for a in count_until(&p, secs(20), 2) {
            assert!(
                (a.at / NS_PER_S) % 2 == 0,
                "arrival at {} during an off phase",
                a.at
            );
        }
    }

    #[test]
    fn boundary_bursts_straddle_the_edges() {
        let p = TrafficParams {
            pattern: Pattern::BoundaryBurst,
            rate_per_s: 0,
            burst_size: 10,
            burst_period_ms: 1000,
            burst_width_ms: 100,
            ..Default::default()
        };
        let v = count_until(&p, secs(3) + 100 * NS_PER_MS, 3);
        assert_eq!(v.len(), 30);
        let first: Vec<_> = v[..10].iter().map(|a| a.at).collect();
        assert!(first
            .iter()
            .all(|&t| (950 * NS_PER_MS..1050 * NS_PER_MS).contains(&t)));
        assert_eq!(
            first.iter().filter(|&&t| t < NS_PER_S).count(),
            5,
            "half before the edge"
        );
    }

    #[test]
    fn flash_crowd_peaks_in_its_hold_phase() {
        let p = TrafficParams {
            pattern: Pattern::FlashCrowd,
            rate_per_s: 10,
            peak_rate_per_s: 1000,
            start_ms: 2000,
            ramp_ms: 1000,
            hold_ms: 2000,
            ..Default::default()
        };
        let v = count_until(&p, secs(10), 4);
        let in_range = |a: u64, b: u64| {
            v.iter()
                .filter(|x| x.at >= secs(a) && x.at < secs(b))
                .count() as f64
        };
        assert!(in_range(0, 2) < 60.0);
        assert!((in_range(3, 5) - 2000.0).abs() < 200.0);
        assert!(in_range(7, 9) < 60.0);
    }

    #[test]
    fn a_rate_that_drops_to_zero_ends_the_stream() {
        // Ramp down to 0, and a crowd over a silent base: finitely many arrivals, then None.
        let ramp = TrafficParams {
            pattern: Pattern::Ramp,
            rate_per_s: 100,
            peak_rate_per_s: 0,
            ramp_ms: 2_000,
            ..Default::default()
        };
        let crowd = TrafficParams {
            pattern: Pattern::FlashCrowd,
            rate_per_s: 0,
            peak_rate_per_s: 100,
            start_ms: 1_000,
            ramp_ms: 500,
            hold_ms: 1_000,
            ..Default::default()
        };
        for p in [ramp, crowd] {
            let mut g = TrafficGen::new(&p, 3);
            let n = std::iter::from_fn(|| g.next_arrival()).take(10_000).count();
            assert!(n > 50 && n < 400, "{n} arrivals");
        }
    }

    #[test]
    fn a_tiny_base_under_a_huge_peak_is_cheap() {
        // Thinning would draw ~a million candidates per arrival here.
        let p = TrafficParams {
            pattern: Pattern::FlashCrowd,
            rate_per_s: 1,
            peak_rate_per_s: 1_000_000,
            start_ms: 60_000,
            ..Default::default()
        };
        let v = count_until(&p, secs(50), 4);
        assert!((30..80).contains(&v.len()), "{}", v.len());
    }

    #[test]
    fn ramp_integrates_to_the_right_count() {
        // 0 -> 1000/s over 10 s: 5,000 expected.
        let p = TrafficParams {
            pattern: Pattern::Ramp,
            rate_per_s: 0,
            peak_rate_per_s: 1_000,
            ramp_ms: 10_000,
            ..Default::default()
        };
        let n = count_until(&p, secs(10), 8).len() as f64;
        assert!((n - 5_000.0).abs() < 300.0, "{n}");
    }

    #[test]
    fn zipf_prefers_low_keys() {
        let p = TrafficParams {
            keys: KeyChoice::Zipf,
            key_count: 100,
            zipf_exponent: 1.0,
            rate_per_s: 1000,
            ..Default::default()
        };
        let v = count_until(&p, secs(20), 9);
        let hot = v.iter().filter(|a| a.key == Some(0)).count() as f64 / v.len() as f64;
        // H(100) ~ 5.187 -> key 0 has ~19% of requests.
        assert!((hot - 0.193).abs() < 0.02, "{hot}");
        assert!(v.iter().all(|a| a.key.unwrap() < 100));
    }

    #[test]
    fn validation_names_the_field() {
        let p = TrafficParams {
            burst_width_ms: 5000,
            burst_period_ms: 1000,
            ..Default::default()
        };
        let e = p.validate().unwrap_err();
        assert_eq!(e.field, "burst_width_ms");
        // The bound that applies is the other field, named with its value.
        assert_eq!(e.allowed, "0..=burst_period_ms (1000)");
        let p = TrafficParams {
            zipf_exponent: f64::NAN,
            ..Default::default()
        };
        assert_eq!(p.validate().unwrap_err().field, "zipf_exponent");
    }
}
