//! Metrics, declared once per lab with [`metrics!`](crate::metrics) and reported through one sink,
//! [`Report`]: name, what it measures, text id, and whether it is a checker (a count of something
//! that went wrong). The command line's JSON, the page's results table and checker grid, and the
//! digest of labs that do not pin an older one all come from the report.

use serde::Serialize;

use super::digest::Digest;
use super::metrics::Percentiles;
use super::time::{Nanos, NS_PER_MS, NS_PER_S};

/// What a figure measures (and so how it is printed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// A whole number of things.
    Count,
    /// A number with decimals.
    Real,
    /// A share, 0..=1 (printed as a percentage).
    Share,
    /// True or false.
    Flag,
    /// Milliseconds.
    Millis,
    /// Seconds.
    Seconds,
    /// Events per second.
    PerSec,
    /// A distribution of durations: p50, p90, p99 and max, in milliseconds.
    Latency,
}

/// One metric of a lab.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Metric {
    /// Name in the JSON and the results (`lost`, `e2e_latency`).
    pub key: &'static str,
    /// Text id of its label; its help is the same id with `.help`.
    pub text: &'static str,
    /// Its doc comment: the English help (the command line prints it).
    pub doc: &'static str,
    pub measure: Measure,
    /// A count of something that went wrong: shown in the checker grid, marked when not zero.
    pub checker: bool,
    /// A key figure: printed per seed by `--seeds` runs and shown first.
    pub key_figure: bool,
}

/// A reported value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Val {
    U(u64),
    F(f64),
    B(bool),
    /// Percentiles in nanoseconds.
    Lat(Percentiles),
}

/// A lane: one of several variants of a lab run side by side (limiter algorithms, chat schemes,
/// cache strategies), each reporting the same metrics.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Lane {
    /// Name in the JSON (`fixed_window`).
    pub id: String,
    /// Text id of its label.
    pub text: &'static str,
}

/// One figure of a report.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// Index into [`Report::lanes`], or `None` for a figure of the whole run.
    pub lane: Option<usize>,
    /// A group the figure belongs to besides its lane (`final`), or "".
    pub group: &'static str,
    pub metric: &'static Metric,
    pub val: Val,
}

impl Figure {
    /// The dotted path in the JSON: lane, group, key.
    pub fn path(&self, lanes: &[Lane]) -> String {
        let mut p = String::new();
        if let Some(l) = self.lane {
            p.push_str(&lanes[l].id);
            p.push('.');
        }
        if !self.group.is_empty() {
            p.push_str(self.group);
            p.push('.');
        }
        p.push_str(self.metric.key);
        p
    }

    /// The value as one number (latency: its p99 in ms), for charts and summaries.
    pub fn number(&self) -> Option<f64> {
        match self.val {
            Val::U(u) => Some(u as f64),
            Val::F(f) if f.is_finite() => Some(f),
            Val::F(_) => None,
            Val::B(b) => Some(u64::from(b) as f64),
            Val::Lat(p) => Some(ms_of(p.p99_ns.min(p.max_ns))),
        }
    }

    /// Something went wrong: a checker that is not zero.
    pub fn is_bad(&self) -> bool {
        self.metric.checker && self.number().is_some_and(|x| x > 0.0)
    }
}

fn ms_of(ns: u64) -> f64 {
    ns as f64 / NS_PER_MS as f64
}

/// The figures of a run, in the order they were reported.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    pub lanes: Vec<Lane>,
    pub figures: Vec<Figure>,
    lane: Option<usize>,
    group: &'static str,
}

impl Report {
    pub fn new() -> Self {
        Self::default()
    }

    /// Figures reported from now on belong to a new lane.
    pub fn lane(&mut self, id: impl Into<String>, text: &'static str) {
        self.lanes.push(Lane {
            id: id.into(),
            text,
        });
        self.lane = Some(self.lanes.len() - 1);
    }

    /// Figures reported from now on belong to the whole run again.
    pub fn end_lane(&mut self) {
        self.lane = None;
    }

    /// Figures reported from now on are in `group` ("" ends it).
    pub fn group(&mut self, group: &'static str) {
        self.group = group;
    }

    fn push(&mut self, metric: &'static Metric, val: Val) {
        self.figures.push(Figure {
            lane: self.lane,
            group: self.group,
            metric,
            val,
        });
    }

    pub fn count(&mut self, m: &'static Metric, v: u64) {
        self.push(m, Val::U(v));
    }

    pub fn real(&mut self, m: &'static Metric, v: f64) {
        self.push(m, Val::F(v));
    }

    pub fn flag(&mut self, m: &'static Metric, v: bool) {
        self.push(m, Val::B(v));
    }

    /// A duration in nanoseconds, as milliseconds.
    pub fn ms(&mut self, m: &'static Metric, ns: Nanos) {
        self.push(m, Val::F(ns as f64 / NS_PER_MS as f64));
    }

    /// A time in nanoseconds, as seconds.
    pub fn secs(&mut self, m: &'static Metric, ns: Nanos) {
        self.push(m, Val::F(ns as f64 / NS_PER_S as f64));
    }

    pub fn latency(&mut self, m: &'static Metric, p: Percentiles) {
        self.push(m, Val::Lat(p));
    }

    /// The figures reported after the first `n` (with every lane).
    pub fn since(&self, n: usize) -> Report {
        Report {
            lanes: self.lanes.clone(),
            figures: self.figures[n.min(self.figures.len())..].to_vec(),
            ..Report::default()
        }
    }

    /// The figure at dotted `path` (`fixed_window.accepted`, `final.lost`).
    pub fn get(&self, path: &str) -> Option<&Figure> {
        self.figures.iter().find(|f| f.path(&self.lanes) == path)
    }

    /// The figure at `path` as one number.
    pub fn number(&self, path: &str) -> Option<f64> {
        self.get(path).and_then(Figure::number)
    }

    /// Every figure flattened to (path, value) leaves, latencies expanded to `_p50_ms`, `_p90_ms`,
    /// `_p99_ms` and `_max_ms` (a percentile is never above the exact maximum).
    pub fn leaves(&self) -> Vec<(String, Leaf)> {
        let mut out = Vec::with_capacity(self.figures.len());
        for f in &self.figures {
            let path = f.path(&self.lanes);
            match f.val {
                Val::U(u) => out.push((path, Leaf::U(u))),
                Val::F(x) => out.push((path, Leaf::F(x))),
                Val::B(b) => out.push((path, Leaf::B(b))),
                Val::Lat(p) => {
                    let q = |ns: u64| ms_of(ns.min(p.max_ns));
                    out.push((format!("{path}_p50_ms"), Leaf::F(q(p.p50_ns))));
                    out.push((format!("{path}_p90_ms"), Leaf::F(q(p.p90_ns))));
                    out.push((format!("{path}_p99_ms"), Leaf::F(q(p.p99_ns))));
                    out.push((format!("{path}_max_ms"), Leaf::F(ms_of(p.max_ns))));
                }
            }
        }
        out
    }

    /// A digest of every integer in the report (counts, flags, latency percentiles), in order.
    pub fn digest_into(&self, d: &mut Digest) {
        for f in &self.figures {
            match f.val {
                Val::U(u) => {
                    d.u64(u);
                }
                Val::B(b) => {
                    d.u64(u64::from(b));
                }
                Val::F(x) => {
                    d.u64(x.to_bits());
                }
                Val::Lat(p) => {
                    d.u64(p.count).u64(p.p50_ns).u64(p.p99_ns).u64(p.max_ns);
                }
            }
        }
    }
}

/// A flattened value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Leaf {
    U(u64),
    F(f64),
    B(bool),
}

impl Leaf {
    pub fn as_f64(self) -> Option<f64> {
        match self {
            Leaf::U(u) => Some(u as f64),
            Leaf::F(f) if f.is_finite() => Some(f),
            _ => None,
        }
    }
}

/// Declares a lab's metrics as constants, plus `ALL` (every one, in order). Each line: doc
/// comment (English help), `NAME = key: measure` and optional flags `checker`, `key`.
///
/// ```
/// mod m {
///     flowlab_sim::metrics! {
///         in "demo.m";
///         /// Requests that got an answer.
///         ANSWERED = answered: count, key;
///         /// Requests lost on the way.
///         LOST = lost: count, checker;
///     }
/// }
/// assert_eq!(m::ALL.len(), 2);
/// assert_eq!(m::LOST.text, "demo.m.lost");
/// assert!(m::LOST.checker && !m::LOST.key_figure);
/// ```
#[macro_export]
macro_rules! metrics {
    (
        in $scope:literal;
        $(
            $(#[doc = $doc:literal])*
            $name:ident = $key:ident : $measure:ident $(, $flag:ident)* ;
        )*
    ) => {
        $(
            $(#[doc = $doc])*
            pub const $name: $crate::kernel::report::Metric = $crate::kernel::report::Metric {
                key: stringify!($key),
                text: concat!($scope, ".", stringify!($key)),
                doc: concat!($($doc),*),
                measure: $crate::__metric_measure!($measure),
                checker: $crate::__metric_flag!(checker; $($flag)*),
                key_figure: $crate::__metric_flag!(key; $($flag)*),
            };
        )*
        /// Every metric of the lab, in order.
        pub const ALL: &[&$crate::kernel::report::Metric] = &[$(&$name),*];
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __metric_measure {
    (count) => {
        $crate::kernel::report::Measure::Count
    };
    (real) => {
        $crate::kernel::report::Measure::Real
    };
    (share) => {
        $crate::kernel::report::Measure::Share
    };
    (flag) => {
        $crate::kernel::report::Measure::Flag
    };
    (ms) => {
        $crate::kernel::report::Measure::Millis
    };
    (secs) => {
        $crate::kernel::report::Measure::Seconds
    };
    (per_s) => {
        $crate::kernel::report::Measure::PerSec
    };
    (latency) => {
        $crate::kernel::report::Measure::Latency
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __metric_flag {
    (checker; ) => { false };
    (checker; checker $($rest:ident)*) => { true };
    (checker; $other:ident $($rest:ident)*) => { $crate::__metric_flag!(checker; $($rest)*) };
    (key; ) => { false };
    (key; key $($rest:ident)*) => { true };
    (key; $other:ident $($rest:ident)*) => { $crate::__metric_flag!(key; $($rest)*) };
}

#[cfg(test)]
mod tests {
    use super::*;

    mod m {
        crate::metrics! {
            in "t.m";
            /// Sent.
            SENT = sent: count, key;
            /// Lost.
            LOST = lost: count, checker, key;
            /// Delay.
            DELAY = delay: latency;
        }
    }

    #[test]
    fn paths_lanes_groups_and_latency_leaves() {
        let mut r = Report::new();
        r.count(&m::SENT, 5);
        r.lane("a", "t.lane.a");
        r.count(&m::LOST, 0);
        r.latency(
            &m::DELAY,
            Percentiles {
                count: 3,
                p50_ns: 2_000_000,
                p90_ns: 9_000_000,
                p99_ns: 9_000_000,
                max_ns: 4_000_000,
            },
        );
        r.end_lane();
        r.group("final");
        r.count(&m::LOST, 2);
        let leaves: Vec<String> = r.leaves().into_iter().map(|(p, _)| p).collect();
        assert_eq!(
            leaves,
            [
                "sent",
                "a.lost",
                "a.delay_p50_ms",
                "a.delay_p90_ms",
                "a.delay_p99_ms",
                "a.delay_max_ms",
                "final.lost"
            ]
        );
        assert_eq!(r.number("a.delay"), Some(4.0), "p99 capped at the max");
        assert!(!r.get("a.lost").unwrap().is_bad());
        assert!(r.get("final.lost").unwrap().is_bad());
        assert_eq!(m::ALL.len(), 3);
        let sent = m::ALL[0];
        assert!(sent.key_figure && !sent.checker);
    }

    #[test]
    fn digest_follows_values() {
        let mut a = Report::new();
        a.count(&m::SENT, 1);
        let mut b = Report::new();
        b.count(&m::SENT, 2);
        let (mut da, mut db) = (Digest::default(), Digest::default());
        a.digest_into(&mut da);
        b.digest_into(&mut db);
        assert_ne!(da.finish(), db.finish());
    }
}
