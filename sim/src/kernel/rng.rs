//! Seeded randomness owned by a model.
//!
//! One [`SimRng`] per model (or per stream, derived with [`SimRng::derive`]). Floating point draws use
//! only IEEE basic operations and `libm`, so the same seed gives the same numbers natively and in wasm.
//!
//! Xoshiro256++: 64-bit operations only. (PCG-64 needs a 128-bit multiply, which wasm emulates; it
//! made a draw several times slower in the browser than natively.)

use rand_core::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// The model's random number generator: Xoshiro256++, seeded explicitly.
#[derive(Clone, Debug)]
pub struct SimRng {
    inner: Xoshiro256PlusPlus,
}

impl SimRng {
    /// A generator from a seed. The seed is spread by SplitMix64 so nearby seeds give unrelated streams.
    pub fn new(seed: u64) -> Self {
        Self {
            inner: Xoshiro256PlusPlus::seed_from_u64(seed),
        }
    }

    /// An independent stream for a sub-component, derived from this model's seed and a stream id.
    pub fn derive(seed: u64, stream: u64) -> Self {
        Self::new(splitmix64(
            seed ^ splitmix64(stream.wrapping_add(0x9e37_79b9_7f4a_7c15)),
        ))
    }

    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }

    /// Uniform in [0, 1) with 53 random bits.
    #[inline]
    pub fn unit_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in (0, 1]: safe to take the logarithm of.
    #[inline]
    pub fn open_unit_f64(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in [0, n). `n` must be > 0. Unbiased (Lemire's method with rejection).
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "SimRng::below(0)");
        let mut m = (self.next_u64() as u128) * (n as u128);
        if (m as u64) < n {
            let threshold = n.wrapping_neg() % n;
            while (m as u64) < threshold {
                m = (self.next_u64() as u128) * (n as u128);
            }
        }
        (m >> 64) as u64
    }

    /// True with probability `p` (clamped to [0, 1]).
    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit_f64() < p
    }

    /// An exponentially distributed duration with the given mean, in nanoseconds (at least 1).
    #[inline]
    pub fn exp_nanos(&mut self, mean_ns: f64) -> u64 {
        let x = -ln_unit(self.open_unit_f64()) * mean_ns;
        if x >= u64::MAX as f64 {
            u64::MAX
        } else {
            (x as u64).max(1)
        }
    }
}

/// ln(1 + i/256) and 256/(256 + i) for i in 0..256, built once with `libm` (the same bits on every
/// platform).
fn ln_table() -> &'static [(f64, f64); 256] {
    static TABLE: std::sync::OnceLock<[(f64, f64); 256]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = [(0.0, 0.0); 256];
        for (i, e) in t.iter_mut().enumerate() {
            let c = 1.0 + i as f64 / 256.0;
            *e = (libm::log(c), 1.0 / c);
        }
        t
    })
}

/// Natural logarithm of `x` in (0, 1] (a normal number), within 1e-14 relative (1e-16 absolute
/// near 1): a table
/// of ln(1 + i/256) and a short series on the rest, using only IEEE basic operations after the
/// table, so every platform gets the same bits. It is the cost of every exponential draw, and is
/// several times faster than a correctly rounded `log`.
#[inline]
pub fn ln_unit(x: f64) -> f64 {
    const LN2: f64 = std::f64::consts::LN_2;
    let bits = x.to_bits();
    let e = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let frac = bits & 0x000f_ffff_ffff_ffff;
    let i = (frac >> 44) as usize; // the top 8 bits of the mantissa
    let m = f64::from_bits(frac | 0x3ff0_0000_0000_0000); // 1.mantissa, in [1, 2)
    let c = f64::from_bits(((i as u64) << 44) | 0x3ff0_0000_0000_0000); // 1 + i/256 (exact)
    let (ln_c, inv_c) = ln_table()[i];
    // m = c (1 + r), 0 <= r < 2^-8: ln(1 + r) to r^6.
    let r = (m - c) * inv_c;
    let ln_r = r * (1.0 - r * (0.5 - r * (1.0 / 3.0 - r * (0.25 - r * (0.2 - r * (1.0 / 6.0))))));
    e as f64 * LN2 + ln_c + ln_r
}

/// SplitMix64 finaliser: a fast, well-mixed 64-bit hash of a 64-bit value.
pub fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let mut a = SimRng::new(7);
        let mut b = SimRng::new(7);
        for _ in 0..1000 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }

    #[test]
    fn derived_streams_differ() {
        let mut a = SimRng::derive(7, 1);
        let mut b = SimRng::derive(7, 2);
        let same = (0..64).filter(|_| a.next_u64() == b.next_u64()).count();
        assert!(same < 2);
    }

    #[test]
    fn below_stays_in_range_and_covers_it() {
        let mut r = SimRng::new(1);
        let mut seen = [0u32; 7];
        for _ in 0..7000 {
            seen[r.below(7) as usize] += 1;
        }
        assert!(seen.iter().all(|&c| c > 800 && c < 1200), "{seen:?}");
    }

    #[test]
    fn ln_unit_matches_libm() {
        let mut r = SimRng::new(5);
        for _ in 0..100_000 {
            let x = r.open_unit_f64();
            let (a, b) = (ln_unit(x), libm::log(x));
            // Relative to ln(x), or absolute near x = 1 where ln(x) is tiny.
            assert!((a - b).abs() <= 1e-14 * b.abs() + 1e-16, "{x}: {a} vs {b}");
        }
        for x in [
            1.0,
            0.5,
            f64::MIN_POSITIVE,
            1.0 - f64::EPSILON,
            2f64.powi(-53),
        ] {
            let (a, b) = (ln_unit(x), libm::log(x));
            assert!((a - b).abs() <= 1e-14 * b.abs() + 1e-16, "{x}: {a} vs {b}");
        }
    }

    #[test]
    fn exponential_mean_is_close() {
        let mut r = SimRng::new(3);
        let n = 200_000;
        let total: u128 = (0..n).map(|_| r.exp_nanos(1_000_000.0) as u128).sum();
        let mean = total as f64 / n as f64;
        assert!((mean - 1_000_000.0).abs() < 10_000.0, "mean {mean}");
    }
}
