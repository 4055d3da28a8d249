//! What many runs' values add up to: a [`Summary`] (quantiles, mean, the share of zeros) and a
//! [`Histogram`] with honest bin edges.

use serde::{Deserialize, Serialize};

/// Order statistics and the mean of some values.
///
/// Quantiles are interpolated linearly between the two nearest ranks (Hyndman and Fan's type 7,
/// the default of R and numpy): of `n` sorted values `x[0..n]`, the `p`-quantile is at
/// `h = (n - 1) p`, `x[⌊h⌋] + (h - ⌊h⌋) (x[⌊h⌋ + 1] - x[⌊h⌋])`. So the median of an even count is the
/// mean of the middle two, p10 of ten values lies between the first and the second, and every
/// quantile lies between min and max.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// How many values (non-finite ones are left out).
    pub n: usize,
    pub min: f64,
    pub p10: f64,
    pub median: f64,
    pub p90: f64,
    pub max: f64,
    pub mean: f64,
    /// Share of the values that are exactly zero, 0..=1.
    pub zero_share: f64,
}

/// The `p`-quantile of sorted, non-empty `xs` (type 7).
fn quantile(xs: &[f64], p: f64) -> f64 {
    let h = (xs.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(xs.len() - 1);
    let x = xs[lo] + (h - lo as f64) * (xs[hi] - xs[lo]);
    // Rounding never takes it outside its two neighbours.
    x.clamp(xs[lo], xs[hi])
}

impl Summary {
    /// The summary of the finite values of `values`; `None` if there are none.
    pub fn of(values: &[f64]) -> Option<Summary> {
        let mut xs: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        if xs.is_empty() {
            return None;
        }
        xs.sort_by(f64::total_cmp);
        let n = xs.len();
        // The mean accumulated in sorted order: the same values give the same mean, whichever
        // order the runs finished in.
        let mean = xs.iter().sum::<f64>() / n as f64;
        let zeros = xs.iter().filter(|&&x| x == 0.0).count();
        Some(Summary {
            n,
            min: xs[0],
            p10: quantile(&xs, 0.1),
            median: quantile(&xs, 0.5),
            p90: quantile(&xs, 0.9),
            max: xs[n - 1],
            mean: mean.clamp(xs[0], xs[n - 1]),
            zero_share: zeros as f64 / n as f64,
        })
    }
}

/// Most bins a histogram is cut into.
pub const MAX_BINS: usize = 100;

/// A histogram of some values, in bins of equal width.
///
/// Whole numbers get whole-number bins: each bin holds the integers `lo..=hi` (a bin of width one
/// holds one value, `lo == hi`), and no bin is split between two integers. Other values get bins
/// `[lo, hi)`, the last one `[lo, hi]`, from the least value to the greatest. All values equal:
/// one bin `[v, v]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    /// The values are whole numbers and the bins' `hi` is inclusive.
    pub integer: bool,
    pub bins: Vec<Bin>,
}

/// One bin of a [`Histogram`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bin {
    pub lo: f64,
    pub hi: f64,
    pub count: u64,
}

impl Histogram {
    /// The finite values of `values` in at most `bins` bins (1..=[`MAX_BINS`]; clamped). No
    /// finite value: no bins.
    pub fn of(values: &[f64], bins: usize) -> Histogram {
        let bins = bins.clamp(1, MAX_BINS);
        let xs: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        let integer = xs.iter().all(|x| x.fract() == 0.0 && x.abs() < 9.0e15);
        let (Some(min), Some(max)) = (
            xs.iter().copied().reduce(f64::min),
            xs.iter().copied().reduce(f64::max),
        ) else {
            return Histogram {
                integer,
                bins: Vec::new(),
            };
        };
        if integer {
            // Whole numbers from min to max, `width` of them a bin.
            let span = (max - min) as u64 + 1;
            let width = span.div_ceil(bins as u64).max(1);
            let count = span.div_ceil(width) as usize;
            let mut out: Vec<Bin> = (0..count as u64)
                .map(|k| {
                    let lo = min + (k * width) as f64;
                    Bin {
                        lo,
                        hi: (lo + (width - 1) as f64).min(max),
                        count: 0,
                    }
                })
                .collect();
            for x in xs {
                out[((x - min) as u64 / width) as usize].count += 1;
            }
            return Histogram { integer, bins: out };
        }
        if min == max {
            return Histogram {
                integer,
                bins: vec![Bin {
                    lo: min,
                    hi: max,
                    count: xs.len() as u64,
                }],
            };
        }
        let width = (max - min) / bins as f64;
        let edge = |k: usize| {
            if k == bins {
                max
            } else {
                min + width * k as f64
            }
        };
        let mut out: Vec<Bin> = (0..bins)
            .map(|k| Bin {
                lo: edge(k),
                hi: edge(k + 1),
                count: 0,
            })
            .collect();
        for x in xs {
            // The bin whose [lo, hi) holds x (rounding can put it one off: corrected by the edges).
            let mut k = (((x - min) / width) as usize).min(bins - 1);
            while k > 0 && x < out[k].lo {
                k -= 1;
            }
            while k + 1 < bins && x >= out[k + 1].lo {
                k += 1;
            }
            out[k].count += 1;
        }
        Histogram { integer, bins: out }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_between_ranks() {
        let s = Summary::of(&[3.0, 1.0, 2.0, 4.0]).unwrap();
        assert_eq!((s.n, s.min, s.max), (4, 1.0, 4.0));
        assert_eq!(s.median, 2.5, "the mean of the middle two");
        assert!((s.p10 - 1.3).abs() < 1e-12, "{}", s.p10);
        assert!((s.p90 - 3.7).abs() < 1e-12, "{}", s.p90);
        assert_eq!(s.mean, 2.5);
        assert_eq!(s.zero_share, 0.0);
        let one = Summary::of(&[7.0]).unwrap();
        assert_eq!((one.p10, one.median, one.p90), (7.0, 7.0, 7.0));
        // Ten values 0..=9: p10 at rank 0.9, p90 at rank 8.1.
        let ten: Vec<f64> = (0..10).map(f64::from).collect();
        let s = Summary::of(&ten).unwrap();
        assert!((s.p10 - 0.9).abs() < 1e-12 && (s.p90 - 8.1).abs() < 1e-12);
        assert_eq!(s.zero_share, 0.1);
    }

    #[test]
    fn zeros_and_non_finite_values() {
        let s = Summary::of(&[0.0, 0.0, f64::NAN, 5.0, f64::INFINITY]).unwrap();
        assert_eq!(s.n, 3, "non-finite values are left out");
        assert!((s.zero_share - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(s.median, 0.0);
        assert!(Summary::of(&[]).is_none());
        assert!(Summary::of(&[f64::NAN]).is_none());
    }

    #[test]
    fn the_order_of_the_values_does_not_matter() {
        let a = [0.1, 0.7, 1e9, 3.3, -2.0, 0.1];
        let mut b = a;
        b.reverse();
        assert_eq!(Summary::of(&a), Summary::of(&b));
    }

    #[test]
    fn whole_numbers_get_whole_number_bins() {
        // 0..=9 in 4 bins: width 3 (0-2, 3-5, 6-8, 9).
        let xs: Vec<f64> = (0..10).map(f64::from).collect();
        let h = Histogram::of(&xs, 4);
        assert!(h.integer);
        let edges: Vec<(f64, f64, u64)> = h.bins.iter().map(|b| (b.lo, b.hi, b.count)).collect();
        assert_eq!(
            edges,
            [(0.0, 2.0, 3), (3.0, 5.0, 3), (6.0, 8.0, 3), (9.0, 9.0, 1)]
        );
        // Few distinct values: one bin each, never split.
        let h = Histogram::of(&[0.0, 0.0, 1.0, 3.0], 20);
        let edges: Vec<(f64, f64, u64)> = h.bins.iter().map(|b| (b.lo, b.hi, b.count)).collect();
        assert_eq!(
            edges,
            [(0.0, 0.0, 2), (1.0, 1.0, 1), (2.0, 2.0, 0), (3.0, 3.0, 1)]
        );
        let h = Histogram::of(&[5.0; 3], 10);
        assert_eq!(
            h.bins,
            [Bin {
                lo: 5.0,
                hi: 5.0,
                count: 3
            }]
        );
    }

    #[test]
    fn real_bins_cover_min_to_max_and_count_every_value() {
        let xs = [0.5, 1.0, 1.5, 2.0, 2.5, 0.1 + 0.2];
        let h = Histogram::of(&xs, 4);
        assert!(!h.integer);
        assert_eq!(h.bins.len(), 4);
        assert_eq!(h.bins[0].lo, 0.1 + 0.2);
        assert_eq!(h.bins[3].hi, 2.5);
        assert_eq!(h.bins.iter().map(|b| b.count).sum::<u64>(), 6);
        for w in h.bins.windows(2) {
            assert_eq!(w[0].hi, w[1].lo, "adjacent");
        }
        for x in xs {
            let b = h
                .bins
                .iter()
                .position(|b| b.lo <= x && (x < b.hi || b.hi == 2.5))
                .unwrap();
            assert!(h.bins[b].count > 0);
        }
        assert!(Histogram::of(&[], 5).bins.is_empty());
        assert_eq!(Histogram::of(&[0.5, 0.5], 5).bins.len(), 1);
        assert_eq!(
            Histogram::of(&[0.0, 1.5], 0).bins.len(),
            1,
            "at least one bin"
        );
        assert_eq!(
            Histogram::of(&[0.0, 1.5], 1_000).bins.len(),
            MAX_BINS,
            "at most MAX_BINS"
        );
    }
}
