//! Metrics with bounded memory: time series in fixed virtual-time buckets with a bounded length, and
//! a streaming latency histogram.

use std::collections::VecDeque;

use hdrhistogram::Histogram;

use super::time::Nanos;

/// How a bucket combines the values recorded into it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Combine {
    Sum,
    Max,
}

/// Values in consecutive buckets of `bucket_ns` virtual time; keeps the most recent `capacity`.
#[derive(Clone, Debug)]
pub struct TimeSeries {
    bucket_ns: Nanos,
    capacity: usize,
    combine: Combine,
    /// Bucket index of `values[0]`.
    first: u64,
    values: VecDeque<u64>,
}

impl TimeSeries {
    pub fn new(bucket_ns: Nanos, capacity: usize, combine: Combine) -> Self {
        assert!(bucket_ns > 0 && capacity > 0);
        Self {
            bucket_ns,
            capacity,
            combine,
            first: 0,
            values: VecDeque::with_capacity(capacity.min(1024)),
        }
    }

    pub fn bucket_ns(&self) -> Nanos {
        self.bucket_ns
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Makes sure the bucket holding `t` exists (filled with zeros up to it), dropping the oldest.
    pub fn touch(&mut self, t: Nanos) -> Option<usize> {
        let idx = t / self.bucket_ns;
        if idx < self.first {
            return None; // older than what is kept
        }
        let end = self.first + self.values.len() as u64; // one past the last bucket
        if idx >= end {
            let missing = idx - end + 1;
            if missing >= self.capacity as u64 {
                self.values.clear();
                self.first = idx + 1 - self.capacity as u64;
                self.values.resize(self.capacity, 0);
            } else {
                for _ in 0..missing {
                    self.values.push_back(0);
                }
                while self.values.len() > self.capacity {
                    self.values.pop_front();
                    self.first += 1;
                }
            }
        }
        Some((idx - self.first) as usize)
    }

    /// Records `v` at time `t`.
    pub fn record(&mut self, t: Nanos, v: u64) {
        if let Some(i) = self.touch(t) {
            let slot = &mut self.values[i];
            *slot = match self.combine {
                Combine::Sum => slot.saturating_add(v),
                Combine::Max => (*slot).max(v),
            };
        }
    }

    /// (bucket start time, value), oldest first.
    pub fn points(&self) -> impl Iterator<Item = (Nanos, u64)> + '_ {
        self.values
            .iter()
            .enumerate()
            .map(move |(i, &v)| ((self.first + i as u64) * self.bucket_ns, v))
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn max_value(&self) -> u64 {
        self.values.iter().copied().max().unwrap_or(0)
    }
}

/// A streaming latency histogram in nanoseconds: bounded memory whatever the count (HDR, 3
/// significant digits, 1 ns to 1 hour; larger values are clamped to the top).
///
/// The HDR table is 250 KB, and zeroing it or scanning it for a quantile costs far more than a
/// few hundred values do: the first [`SMALL`](Self::SMALL) values are kept as they are, and the
/// table is made (or reused) only when more come. The quantiles are the same either way: the HDR
/// quantile is the highest value equivalent to the k-th smallest value recorded.
#[derive(Clone, Debug)]
pub struct LatencyHistogram {
    /// The values recorded (clamped), while there are at most `SMALL` of them and `spilled` is false.
    small: Vec<u64>,
    /// The HDR table: made the first time more than `SMALL` values come, kept across `clear`.
    h: Option<Box<Histogram<u64>>>,
    /// Whether the values are in `h` (rather than in `small`).
    spilled: bool,
    max_ns: u64,
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        Self::new()
    }
}

/// Percentiles of a [`LatencyHistogram`], in nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Percentiles {
    pub count: u64,
    pub p50_ns: u64,
    pub p90_ns: u64,
    pub p99_ns: u64,
    pub max_ns: u64,
}

/// An empty table of the histograms' shape, for the value equivalences (made once).
fn shape() -> &'static Histogram<u64> {
    static SHAPE: std::sync::OnceLock<Histogram<u64>> = std::sync::OnceLock::new();
    SHAPE.get_or_init(LatencyHistogram::table)
}

impl LatencyHistogram {
    const HIGHEST_NS: u64 = 3_600 * 1_000_000_000;
    /// Values kept as they are before the HDR table is used.
    pub const SMALL: usize = 512;
    const QUANTILES: [f64; 3] = [0.50, 0.90, 0.99];

    pub fn new() -> Self {
        Self {
            small: Vec::new(),
            h: None,
            spilled: false,
            max_ns: 0,
        }
    }

    fn table() -> Histogram<u64> {
        Histogram::new_with_bounds(1, Self::HIGHEST_NS, 3)
            .expect("static histogram bounds are valid")
    }

    pub fn record(&mut self, ns: u64) {
        let v = ns.clamp(1, Self::HIGHEST_NS);
        self.max_ns = self.max_ns.max(ns);
        if !self.spilled {
            if self.small.len() < Self::SMALL {
                self.small.push(v);
                return;
            }
            let h = self.h.get_or_insert_with(|| Box::new(Self::table()));
            for &x in &self.small {
                // Cannot fail: x is inside the bounds given at construction.
                let _ = h.record(x);
            }
            self.small.clear();
            self.spilled = true;
        }
        if let Some(h) = &mut self.h {
            let _ = h.record(v);
        }
    }

    pub fn count(&self) -> u64 {
        match (&self.h, self.spilled) {
            (Some(h), true) => h.len(),
            _ => self.small.len() as u64,
        }
    }

    pub fn percentiles(&self) -> Percentiles {
        let count = self.count();
        if count == 0 {
            return Percentiles::default();
        }
        let mut q = [0u64; 3];
        match (&self.h, self.spilled) {
            (Some(h), true) => {
                for (out, v) in q.iter_mut().zip(h.value_at_quantiles(Self::QUANTILES)) {
                    *out = v;
                }
            }
            _ => {
                let mut sorted = self.small.clone();
                sorted.sort_unstable();
                for (out, quantile) in q.iter_mut().zip(Self::QUANTILES) {
                    // As HDR counts: the ceil(q·n)-th smallest value (at least the first).
                    let k = ((quantile * count as f64).ceil() as usize).clamp(1, sorted.len());
                    *out = shape().highest_equivalent(sorted[k - 1]);
                }
            }
        }
        Percentiles {
            count,
            p50_ns: q[0],
            p90_ns: q[1],
            p99_ns: q[2],
            max_ns: self.max_ns,
        }
    }

    pub fn clear(&mut self) {
        if self.spilled {
            if let Some(h) = &mut self.h {
                h.reset();
            }
            self.spilled = false;
        }
        self.small.clear();
        self.max_ns = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_sums_into_buckets_and_stays_bounded() {
        let mut s = TimeSeries::new(10, 4, Combine::Sum);
        s.record(1, 1);
        s.record(9, 1);
        s.record(10, 5);
        assert_eq!(s.points().collect::<Vec<_>>(), vec![(0, 2), (10, 5)]);
        s.record(65, 3);
        assert_eq!(s.len(), 4);
        assert_eq!(
            s.points().collect::<Vec<_>>(),
            vec![(30, 0), (40, 0), (50, 0), (60, 3)]
        );
        s.record(5, 100); // too old: ignored
        assert_eq!(s.max_value(), 3);
        s.record(1_000_000_000, 1); // a huge jump does not loop or grow
        assert_eq!(s.len(), 4);
        assert_eq!(s.points().last(), Some((1_000_000_000, 1)));
    }

    /// The quantiles of the values kept as they are equal the HDR table's, below and above the
    /// spill, and after a clear.
    #[test]
    fn small_and_spilled_histograms_agree_with_hdr() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for n in [1usize, 2, 3, 10, 99, 100, 101, 511, 512, 513, 2000] {
            for spread in [1_000u64, 1_000_000, 1 << 40, u64::MAX] {
                let mut ours = LatencyHistogram::new();
                let mut hdr = LatencyHistogram::table();
                for round in 0..2 {
                    for _ in 0..n {
                        let v = next() % spread;
                        ours.record(v);
                        hdr.record(v.clamp(1, LatencyHistogram::HIGHEST_NS))
                            .unwrap();
                    }
                    let p = ours.percentiles();
                    assert_eq!(p.count, hdr.len(), "{n} {spread} {round}");
                    assert_eq!(
                        [p.p50_ns, p.p90_ns, p.p99_ns],
                        [
                            hdr.value_at_quantile(0.5),
                            hdr.value_at_quantile(0.9),
                            hdr.value_at_quantile(0.99)
                        ],
                        "{n} values below {spread}, round {round}"
                    );
                    ours.clear();
                    hdr.reset();
                    assert_eq!(ours.percentiles(), Percentiles::default());
                }
            }
        }
    }

    #[test]
    fn series_max_keeps_the_largest() {
        let mut s = TimeSeries::new(10, 8, Combine::Max);
        s.record(1, 3);
        s.record(2, 7);
        s.record(3, 5);
        assert_eq!(s.points().next(), Some((0, 7)));
    }

    #[test]
    fn histogram_percentiles() {
        let mut h = LatencyHistogram::new();
        for i in 1..=1000u64 {
            h.record(i * 1_000_000);
        }
        let p = h.percentiles();
        assert_eq!(p.count, 1000);
        assert!((p.p50_ns as i64 - 500_000_000).abs() < 1_000_000, "{p:?}");
        assert!((p.p99_ns as i64 - 990_000_000).abs() < 1_000_000, "{p:?}");
        assert_eq!(p.max_ns, 1_000_000_000);
    }
}
