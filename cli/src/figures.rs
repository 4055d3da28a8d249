//! Metrics as an ordered list of dotted paths (`fixed_window.accepted`), printed as nested JSON in
//! the order they were recorded, and summarised across seeds.
//!
//! `serde_json::Value` sorts object keys, which would scatter a lane's figures; this keeps the
//! model's order (lanes and schemes in the app's column order) without changing `serde_json`'s
//! features for the rest of the workspace.

use flowlab_sim::kernel::report::{Leaf, Report};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

/// One figure.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Num {
    U(u64),
    F(f64),
    B(bool),
}

impl Num {
    /// The value as a number, if it is one (booleans are not summarised).
    pub fn as_f64(self) -> Option<f64> {
        match self {
            Num::U(u) => Some(u as f64),
            Num::F(f) if f.is_finite() => Some(f),
            _ => None,
        }
    }
}

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            Num::U(u) => s.serialize_u64(u),
            Num::F(f) if f.is_finite() => s.serialize_f64(f),
            Num::F(_) => s.serialize_none(),
            Num::B(b) => s.serialize_bool(b),
        }
    }
}

/// Figures in recording order; a path's segments are joined by dots.
#[derive(Clone, Debug, Default)]
pub struct Figures(Vec<(String, Num)>);

impl Figures {
    #[cfg(test)]
    pub fn u(&mut self, path: impl Into<String>, v: u64) {
        self.0.push((path.into(), Num::U(v)));
    }

    pub fn f(&mut self, path: impl Into<String>, v: f64) {
        self.0.push((path.into(), Num::F(v)));
    }

    pub fn b(&mut self, path: impl Into<String>, v: bool) {
        self.0.push((path.into(), Num::B(v)));
    }

    pub fn get(&self, path: &str) -> Option<Num> {
        self.0.iter().find(|(p, _)| p == path).map(|(_, v)| *v)
    }

    /// Appends every figure of an engine report, latencies expanded (`_p50_ms` ... `_max_ms`).
    pub fn extend_report(&mut self, r: &Report) {
        for (path, leaf) in r.leaves() {
            self.0.push((
                path,
                match leaf {
                    Leaf::U(u) => Num::U(u),
                    Leaf::F(f) => Num::F(f),
                    Leaf::B(b) => Num::B(b),
                },
            ));
        }
    }

    /// The figures at `paths`, in that order (missing ones skipped).
    pub fn select(&self, paths: &[String]) -> Figures {
        Figures(
            paths
                .iter()
                .filter_map(|p| self.get(p).map(|v| (p.clone(), v)))
                .collect(),
        )
    }
}

impl Serialize for Figures {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Tree(&self.0, 0).serialize(s)
    }
}

/// Items sharing their first `depth` path segments, serialised as one nested object. Paths with a
/// common prefix must be adjacent (they are: figures are recorded a group at a time).
pub struct Tree<'a, V>(pub &'a [(String, V)], pub usize);

fn segment(path: &str, depth: usize) -> &str {
    path.split('.').nth(depth).unwrap_or("")
}

impl<V: Serialize> Serialize for Tree<'_, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Tree(items, depth) = *self;
        let mut map = s.serialize_map(None)?;
        let mut i = 0;
        while i < items.len() {
            let seg = segment(&items[i].0, depth);
            let mut j = i + 1;
            while j < items.len() && segment(&items[j].0, depth) == seg {
                j += 1;
            }
            let leaf = items[i].0.split('.').count() == depth + 1;
            if j == i + 1 && leaf {
                map.serialize_entry(seg, &items[i].1)?;
            } else {
                map.serialize_entry(seg, &Tree(&items[i..j], depth + 1))?;
            }
            i = j;
        }
        map.end()
    }
}

/// Summary of one figure over several runs.
#[derive(Clone, Debug, Serialize)]
pub struct Stats {
    pub mean: f64,
    pub min: Num,
    pub max: Num,
    /// Sample standard deviation (divides by n - 1; 0 for a single run).
    pub std: f64,
}

/// Mean, min, max and standard deviation of every numeric figure of `runs`, in the first run's
/// order.
#[cfg(test)]
pub fn summarize(runs: &[&Figures]) -> Vec<(String, Stats)> {
    let mut s = Summary::default();
    for r in runs {
        s.add(r);
    }
    s.finish()
}

/// One figure's running statistics (Welford), in constant memory.
#[derive(Clone, Debug)]
struct Acc {
    n: u64,
    mean: f64,
    m2: f64,
    min_f: f64,
    max_f: f64,
    min_u: u64,
    max_u: u64,
    /// Every value so far was a whole number.
    whole: bool,
}

/// Statistics of every numeric figure over runs added one at a time, in constant memory per
/// figure (`--seeds N` keeps no run's figures, only these). Added in seed order, the result does
/// not depend on how the runs were scheduled.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    paths: Vec<String>,
    acc: Vec<Acc>,
}

impl Summary {
    pub fn add(&mut self, f: &Figures) {
        for (path, v) in &f.0 {
            let Some(x) = v.as_f64() else { continue };
            let i = match self.paths.iter().position(|p| p == path) {
                Some(i) => i,
                None => {
                    self.paths.push(path.clone());
                    self.acc.push(Acc {
                        n: 0,
                        mean: 0.0,
                        m2: 0.0,
                        min_f: f64::INFINITY,
                        max_f: f64::NEG_INFINITY,
                        min_u: u64::MAX,
                        max_u: 0,
                        whole: true,
                    });
                    self.acc.len() - 1
                }
            };
            let a = &mut self.acc[i];
            a.n += 1;
            let d = x - a.mean;
            a.mean += d / a.n as f64;
            a.m2 += d * (x - a.mean);
            a.min_f = a.min_f.min(x);
            a.max_f = a.max_f.max(x);
            match v {
                Num::U(u) => {
                    a.min_u = a.min_u.min(*u);
                    a.max_u = a.max_u.max(*u);
                }
                _ => a.whole = false,
            }
        }
    }

    pub fn finish(&self) -> Vec<(String, Stats)> {
        self.paths
            .iter()
            .zip(&self.acc)
            .map(|(p, a)| {
                let std = if a.n > 1 {
                    (a.m2 / (a.n - 1) as f64).max(0.0).sqrt()
                } else {
                    0.0
                };
                let (min, max) = if a.whole {
                    (Num::U(a.min_u), Num::U(a.max_u))
                } else {
                    (Num::F(a.min_f), Num::F(a.max_f))
                };
                (
                    p.clone(),
                    Stats {
                        mean: a.mean,
                        min,
                        max,
                        std,
                    },
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nests_in_recording_order() {
        let mut f = Figures::default();
        f.u("z", 1);
        f.u("b.y", 2);
        f.f("b.x", 0.5);
        f.b("a", true);
        f.f("nan", f64::NAN);
        let s = serde_json::to_string(&f).unwrap();
        assert_eq!(s, r#"{"z":1,"b":{"y":2,"x":0.5},"a":true,"nan":null}"#);
    }

    #[test]
    fn summary_of_three_runs() {
        let runs: Vec<Figures> = [1u64, 2, 6]
            .iter()
            .map(|&v| {
                let mut f = Figures::default();
                f.u("n", v);
                f.f("x", v as f64 / 2.0);
                f.b("ok", true);
                f
            })
            .collect();
        let refs: Vec<&Figures> = runs.iter().collect();
        let s = summarize(&refs);
        assert_eq!(s.len(), 2, "booleans are not summarised");
        let (path, n) = &s[0];
        assert_eq!(path, "n");
        assert_eq!(n.mean, 3.0);
        assert_eq!((n.min, n.max), (Num::U(1), Num::U(6)));
        assert!((n.std - 7f64.sqrt()).abs() < 1e-12, "{}", n.std);
        assert_eq!((s[1].1.min, s[1].1.max), (Num::F(0.5), Num::F(3.0)));
    }
}
