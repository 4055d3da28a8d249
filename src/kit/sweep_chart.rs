//! The charts of a sweep, as SVG: a figure against a knob (the median over seeds, the band from
//! the 10th to the 90th percentile, and each seed's value when there are few), or, over seeds
//! alone, a histogram. The geometry is plain Rust ([`BandLayout`], [`HistLayout`]), tested
//! natively; the page turns it into markup. Honest axes: the y axis starts at zero for figures
//! that cannot be negative and ends at a round number at or above the largest value; a share
//! ends at 100 %.

use crate::i18n::Lang;
use crate::kit::chart::{nice_ceiling, y_label, Axis};

/// The drawing's size (it scales to its box; text stays readable down to a 360 px phone).
pub const W: f64 = 640.0;
pub const H: f64 = 300.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 30.0;
const BOTTOM: f64 = 46.0;
/// Each seed's value is drawn when a point has at most this many.
pub const SHOW_SEEDS_UP_TO: usize = 50;

/// One point of a knob sweep (or the only one of a seed sweep).
#[derive(Clone, Debug, PartialEq)]
pub struct BandPoint {
    pub label: String,
    /// The knob's value when it is a number (the x axis is then to scale); `None` for a choice.
    pub x: Option<f64>,
    pub p10: f64,
    pub median: f64,
    pub p90: f64,
    /// The seeds' values done so far.
    pub seeds: Vec<f64>,
}

/// A histogram bin: values in `lo..hi` (the last bin includes `hi`).
#[derive(Clone, Debug, PartialEq)]
pub struct Bin {
    pub lo: f64,
    pub hi: f64,
    pub count: u32,
}

/// The y scale shared by both charts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct YScale {
    pub lo: f64,
    pub hi: f64,
}

impl YScale {
    /// From the values shown: zero at the bottom unless a value is negative, a round top.
    pub fn of(values: impl Iterator<Item = f64>, axis: Axis) -> Self {
        let (mut lo, mut hi) = (0.0f64, 0.0f64);
        for v in values.filter(|v| v.is_finite()) {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        let hi = match axis {
            Axis::Share => 1.0,
            _ if hi <= 0.0 => 1.0,
            // Below 1 (a rate, a small real): a round tenth rather than 1.
            Axis::Real | Axis::Ms if hi < 1.0 => (hi * 10.0).ceil() / 10.0,
            _ => nice_ceiling(hi),
        };
        let lo = if lo < 0.0 { -nice_ceiling(-lo) } else { 0.0 };
        Self { lo, hi }
    }

    /// The pixel row of `v`.
    pub fn y(&self, v: f64) -> f64 {
        let span = (self.hi - self.lo).max(f64::MIN_POSITIVE);
        let t = ((v - self.lo) / span).clamp(0.0, 1.0);
        H - BOTTOM - t * (H - TOP - BOTTOM)
    }

    /// Tick values: whole numbers for small counts, else five steps.
    pub fn ticks(&self, axis: Axis) -> Vec<f64> {
        let span = self.hi - self.lo;
        let n = if axis == Axis::Count && self.lo == 0.0 && self.hi <= 5.0 {
            self.hi as usize
        } else {
            5
        };
        (0..=n.max(1))
            .map(|i| self.lo + span * i as f64 / n.max(1) as f64)
            .collect()
    }
}

/// Where each point of a knob sweep goes.
#[derive(Clone, Debug, PartialEq)]
pub struct BandLayout {
    pub y: YScale,
    /// Each point's pixel column.
    pub xs: Vec<f64>,
    /// Whether the x axis is to scale (every point has a number) or a row of choices.
    pub numeric: bool,
    /// Which points get an x label (all, or every k-th when they would collide).
    pub labelled: Vec<bool>,
}

impl BandLayout {
    pub fn of(points: &[BandPoint], axis: Axis) -> Self {
        let values = points.iter().flat_map(|p| {
            [p.p10, p.median, p.p90]
                .into_iter()
                .chain(p.seeds.iter().copied())
        });
        let y = YScale::of(values, axis);
        let numeric = !points.is_empty() && points.iter().all(|p| p.x.is_some_and(f64::is_finite));
        let (x0, x1) = (LEFT + 12.0, W - RIGHT - 12.0);
        let n = points.len();
        let xs = if numeric {
            let lo = points
                .iter()
                .filter_map(|p| p.x)
                .fold(f64::INFINITY, f64::min);
            let hi = points
                .iter()
                .filter_map(|p| p.x)
                .fold(f64::NEG_INFINITY, f64::max);
            points
                .iter()
                .map(|p| {
                    let x = p.x.unwrap_or(lo);
                    if hi > lo {
                        x0 + (x - lo) / (hi - lo) * (x1 - x0)
                    } else {
                        (x0 + x1) / 2.0
                    }
                })
                .collect()
        } else {
            (0..n)
                .map(|i| x0 + (i as f64 + 0.5) * (x1 - x0) / n.max(1) as f64)
                .collect()
        };
        // About 7 characters per label at 11 px: keep one label per 56 px.
        let widest = points
            .iter()
            .map(|p| p.label.chars().count())
            .max()
            .unwrap_or(1) as f64;
        let room = (x1 - x0) / n.max(1) as f64;
        let every = ((widest * 6.5 + 8.0) / room.max(1.0)).ceil().max(1.0) as usize;
        let labelled = (0..n).map(|i| i % every == 0).collect();
        Self {
            y,
            xs,
            numeric,
            labelled,
        }
    }

    /// The band's outline (10th percentile left to right, then the 90th back), for a numeric x.
    pub fn band_path(&self, points: &[BandPoint]) -> String {
        let mut d = String::new();
        for (i, (p, x)) in points.iter().zip(&self.xs).enumerate() {
            d.push_str(&format!(
                "{}{x:.1},{:.1} ",
                if i == 0 { "M" } else { "L" },
                self.y.y(p.p10)
            ));
        }
        for (p, x) in points.iter().zip(&self.xs).rev() {
            d.push_str(&format!("L{x:.1},{:.1} ", self.y.y(p.p90)));
        }
        d.push('Z');
        d
    }

    /// The median line through the points.
    pub fn median_path(&self, points: &[BandPoint]) -> String {
        points
            .iter()
            .zip(&self.xs)
            .enumerate()
            .map(|(i, (p, x))| {
                format!(
                    "{}{x:.1},{:.1}",
                    if i == 0 { "M" } else { "L" },
                    self.y.y(p.median)
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Where each bar of a histogram goes.
#[derive(Clone, Debug, PartialEq)]
pub struct HistLayout {
    /// Seeds per bin, on the y axis.
    pub y: YScale,
    /// Each bar: x, width, top y.
    pub bars: Vec<(f64, f64, f64)>,
}

impl HistLayout {
    pub fn of(bins: &[Bin]) -> Self {
        let y = YScale::of(bins.iter().map(|b| b.count as f64), Axis::Count);
        let (x0, x1) = (LEFT + 4.0, W - RIGHT - 4.0);
        let w = (x1 - x0) / bins.len().max(1) as f64;
        let bars = bins
            .iter()
            .enumerate()
            .map(|(i, b)| {
                (
                    x0 + i as f64 * w + 1.0,
                    (w - 2.0).max(1.0),
                    y.y(b.count as f64),
                )
            })
            .collect();
        Self { y, bars }
    }
}

/// The bottom of the plot area, and its left edge.
pub const PLOT_BOTTOM: f64 = H - BOTTOM;
pub const PLOT_LEFT: f64 = LEFT;
pub const PLOT_RIGHT: f64 = W - RIGHT;
pub const PLOT_TOP: f64 = TOP;

/// A tick label on the y axis.
pub fn tick(axis: Axis, v: f64, lang: Lang) -> String {
    y_label(axis, v, lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(label: &str, x: Option<f64>, m: f64) -> BandPoint {
        BandPoint {
            label: label.into(),
            x,
            p10: m - 1.0,
            median: m,
            p90: m + 1.0,
            seeds: vec![m - 1.0, m, m + 1.0],
        }
    }

    #[test]
    fn the_y_axis_starts_at_zero_and_ends_round_above_the_largest_value() {
        let s = YScale::of([3.0, 17.0, 0.0].into_iter(), Axis::Count);
        assert_eq!((s.lo, s.hi), (0.0, 20.0));
        assert_eq!(s.y(0.0), PLOT_BOTTOM);
        assert_eq!(s.y(20.0), PLOT_TOP);
        // All zero: a unit axis, zero at the bottom.
        let z = YScale::of([0.0, 0.0].into_iter(), Axis::Count);
        assert_eq!((z.lo, z.hi), (0.0, 1.0));
        // A share ends at 100 %.
        assert_eq!(YScale::of([0.2].into_iter(), Axis::Share).hi, 1.0);
        // Negative values get room below zero.
        assert!(YScale::of([-3.0, 2.0].into_iter(), Axis::Real).lo <= -3.0);
        // Not-a-number values are ignored, not drawn.
        assert_eq!(YScale::of([f64::NAN, 4.0].into_iter(), Axis::Count).hi, 5.0);
    }

    #[test]
    fn small_counts_get_a_tick_per_whole_number() {
        let s = YScale::of([3.0].into_iter(), Axis::Count);
        assert_eq!(s.ticks(Axis::Count), vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(
            YScale::of([170.0].into_iter(), Axis::Count)
                .ticks(Axis::Count)
                .len(),
            6
        );
    }

    #[test]
    fn a_numeric_knob_is_to_scale_and_choices_are_evenly_spaced() {
        let pts = [
            p("1", Some(1.0), 5.0),
            p("2", Some(2.0), 6.0),
            p("10", Some(10.0), 7.0),
        ];
        let l = BandLayout::of(&pts, Axis::Count);
        assert!(l.numeric);
        let (a, b, c) = (l.xs[0], l.xs[1], l.xs[2]);
        assert!(((b - a) * 9.0 - (c - a)).abs() < 1e-6, "{:?}", l.xs);
        let ch = [p("0", None, 5.0), p("1", None, 6.0), p("all", None, 7.0)];
        let l = BandLayout::of(&ch, Axis::Count);
        assert!(!l.numeric);
        assert!(((l.xs[1] - l.xs[0]) - (l.xs[2] - l.xs[1])).abs() < 1e-6);
        assert!(l.labelled.iter().all(|&x| x));
        assert!(l.band_path(&pts).starts_with('M') && l.band_path(&pts).ends_with('Z'));
        assert_eq!(l.median_path(&pts).matches('L').count(), 2);
    }

    #[test]
    fn crowded_labels_are_thinned_but_the_first_is_kept() {
        let pts: Vec<_> = (0..20)
            .map(|i| p(&format!("{}", 100_000 + i), Some(i as f64), 1.0))
            .collect();
        let l = BandLayout::of(&pts, Axis::Count);
        assert!(l.labelled[0]);
        assert!(l.labelled.iter().filter(|&&x| x).count() < 20);
    }

    #[test]
    fn histogram_bars_share_the_width_and_rise_with_their_count() {
        let bins = [
            Bin {
                lo: 0.0,
                hi: 1.0,
                count: 4,
            },
            Bin {
                lo: 1.0,
                hi: 2.0,
                count: 0,
            },
            Bin {
                lo: 2.0,
                hi: 3.0,
                count: 8,
            },
        ];
        let h = HistLayout::of(&bins);
        assert_eq!(h.bars.len(), 3);
        assert_eq!(h.bars[1].2, PLOT_BOTTOM, "an empty bin has no height");
        assert!(h.bars[2].2 < h.bars[0].2);
        assert_eq!(h.y.hi, 10.0);
    }
}
