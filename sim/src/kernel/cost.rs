//! What a run costs, estimated from its params alone: peak memory (the sum of what each part of a
//! lab can hold at most) and work per virtual second (events times their fan-out). Params are
//! admitted against a memory budget: the page's keeps a tab comfortable, far below the wasm limit;
//! the command line's is larger and can be raised. A refusal names the part that costs most, the
//! fields that drive it, and what the budget is.
//!
//! The estimates are upper bounds of what the parts hold (their own bounds: a ring of so many
//! messages, a log cut at so many records, ranges capped per member); `sim/tests/fuzz.rs`
//! checks them against peaks measured with a counting allocator.

use serde_json::Value;

use super::knobs::leaf;
use super::model::{shorten, ParamError};

/// The page's memory budget: a browser tab stays comfortable (the wasm limit is 4 GiB).
pub const PAGE_BUDGET_BYTES: u64 = 512 << 20;
/// The command line's default budget (`--max-memory-mb` raises it).
pub const CLI_BUDGET_BYTES: u64 = 4 << 30;
/// What every run holds whatever its params (series, small buffers, the loop).
const BASE_BYTES: u64 = 1 << 20;

/// One part of a lab and the most memory it can hold.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    /// What it is, in English (`the partition logs`); the page says it in the reader's language
    /// under [`Part::text_id`].
    pub what: &'static str,
    pub bytes: u64,
    /// The knobs that drive it (dotted keys), the one to lower first.
    pub drivers: Vec<&'static str>,
}

/// A run's estimated cost.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cost {
    pub parts: Vec<Part>,
    /// Work units (events, stream items and their declared fan-out) in the busiest virtual second.
    pub work_per_s: u64,
    /// Wall time one unit of this lab's work takes natively, nanoseconds (measured on the
    /// reference machine of BENCHMARKS.md; only for telling how long a run will take).
    pub unit_ns: u64,
    /// Virtual seconds a run lasts when it runs to its own end (labs whose extent is a count of
    /// items); `None` for labs that run for as long as told.
    pub own_end_s: Option<f64>,
}

impl Part {
    /// Text id of its name: `cost.` and its English name in snake case (`cost.the_partition_logs`).
    pub fn text_id(&self) -> String {
        text_id_of(self.what)
    }
}

/// `cost.` and `what` in snake case.
pub fn text_id_of(what: &str) -> String {
    let mut id = String::from("cost.");
    let mut sep = false;
    for c in what.chars() {
        if c.is_ascii_alphanumeric() {
            if sep && !id.ends_with('.') {
                id.push('_');
            }
            id.push(c.to_ascii_lowercase());
            sep = false;
        } else if c != '\'' {
            sep = true;
        }
    }
    id
}

impl Cost {
    pub fn new() -> Self {
        Self::default()
    }

    /// A part holding at most `bytes`, driven by `drivers`.
    pub fn part(mut self, what: &'static str, bytes: u64, drivers: &[&'static str]) -> Self {
        self.parts.push(Part {
            what,
            bytes,
            drivers: drivers.to_vec(),
        });
        self
    }

    /// Work units per virtual second.
    pub fn work(mut self, per_s: u64) -> Self {
        self.work_per_s = per_s;
        self
    }

    /// Wall time of one unit of work, nanoseconds.
    pub fn unit_ns(mut self, ns: u64) -> Self {
        self.unit_ns = ns;
        self
    }

    /// A run to its own end lasts `secs` virtual seconds.
    pub fn ends_after(mut self, secs: f64) -> Self {
        self.own_end_s = Some(secs);
        self
    }

    /// Estimated wall seconds for `virtual_s` seconds of run (labs that run for as long as told).
    pub fn wall_s(&self, virtual_s: f64) -> f64 {
        self.work_per_s as f64 * virtual_s * self.unit_ns.max(1) as f64 / 1e9
    }

    /// Estimated wall seconds of a run to `until` virtual seconds, or to its own end when the lab
    /// has one (`until` is then not asked for).
    pub fn run_wall_s(&self, until_s: Option<f64>) -> Option<f64> {
        self.own_end_s.or(until_s).map(|s| self.wall_s(s))
    }

    /// Estimated peak memory, bytes.
    pub fn memory(&self) -> u64 {
        self.parts
            .iter()
            .fold(BASE_BYTES, |a, p| a.saturating_add(p.bytes))
    }

    /// The part that costs most.
    pub fn biggest(&self) -> Option<&Part> {
        self.parts.iter().max_by_key(|p| p.bytes)
    }

    /// What a refusal names: the biggest part (what it is, its text id), its drivers, the first
    /// of them as the field and its value read from `params` (the params as JSON). A run of no
    /// parts (its base only) names no field.
    fn culprit(&self, params: &Value) -> Culprit {
        let (what, text, drivers): (&'static str, String, &[&'static str]) = match self.biggest() {
            Some(p) => (p.what, p.text_id(), &p.drivers),
            None => ("the run itself", text_id_of("the run itself"), &[]),
        };
        let field = drivers.first().copied().unwrap_or("");
        let got = leaf(params, field)
            .map(|v| shorten(&v.to_string()))
            .unwrap_or_default();
        Culprit {
            what,
            text,
            field,
            got,
            drivers: drivers.join(", "),
        }
    }

    /// Admits the run if its memory fits `budget`; else a refusal naming the biggest part's first
    /// driver (its value read from `params`, the params as JSON), the estimate and the budget.
    pub fn admit(&self, params: &Value, budget: u64) -> Result<(), ParamError> {
        let mem = self.memory();
        if mem <= budget {
            return Ok(());
        }
        let c = self.culprit(params);
        // How much smaller the whole must get to fit (one decimal, rounded up).
        let factor = format!(
            "{:.1}",
            (mem as f64 / budget.max(1) as f64 * 10.0).ceil() / 10.0
        );
        Err(ParamError::rule(
            c.field,
            c.got,
            "cost.memory",
            // `@` marks an argument the page translates (the part's name).
            vec![
                mb(mem),
                mb(budget),
                format!("@{}", c.text),
                c.drivers.clone(),
                factor.clone(),
            ],
            format!(
                "these params would need about {} MB (budget {} MB), most of it for {}: lower {} \
                 (the run must get {}x smaller)",
                mb(mem),
                mb(budget),
                c.what,
                c.drivers,
                factor
            ),
        ))
    }

    /// Admits the run beside another of `other` bytes (A and B of a comparison run in one worker,
    /// under one budget): first alone against `budget` ([`Cost::admit`]), then together; a pair
    /// over the budget is refused naming this run's biggest part's first driver, both sizes and
    /// the budget.
    pub fn admit_beside(&self, params: &Value, budget: u64, other: u64) -> Result<(), ParamError> {
        self.admit(params, budget)?;
        let mem = self.memory();
        let total = mem.saturating_add(other);
        if total <= budget {
            return Ok(());
        }
        let c = self.culprit(params);
        Err(ParamError::rule(
            c.field,
            c.got,
            "cost.memory_pair",
            vec![
                mb(total),
                mb(budget),
                mb(mem),
                format!("@{}", c.text),
                c.drivers.clone(),
            ],
            format!(
                "A and B together would need about {} MB (budget {} MB); this one needs {} MB, \
                 most of it for {}: lower {}",
                mb(total),
                mb(budget),
                mb(mem),
                c.what,
                c.drivers
            ),
        ))
    }
}

/// What a memory refusal names (see [`Cost::admit`]).
struct Culprit {
    what: &'static str,
    text: String,
    field: &'static str,
    got: String,
    drivers: String,
}

/// Whole mebibytes of `b` bytes, as text.
fn mb(b: u64) -> String {
    (b >> 20).to_string()
}

/// Bytes of `n` values of `size` bytes each (saturating).
pub fn bytes(n: u64, size: u64) -> u64 {
    n.saturating_mul(size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_names_the_part_and_its_driver() {
        let c = Cost::new()
            .part("logs", 900 << 20, &["partitions", "log_retention_records"])
            .part("tiny", 1_000, &["x"]);
        let params = serde_json::json!({"partitions": 32});
        assert!(c.admit(&params, 1 << 30).is_ok());
        let e = c.admit(&params, 512 << 20).unwrap_err();
        assert_eq!(e.field, "partitions");
        assert_eq!(e.got, "32");
        assert!(
            e.allowed.contains("logs") && e.allowed.contains("log_retention_records"),
            "{e}"
        );
        assert!(
            e.allowed.contains("901 MB") || e.allowed.contains("900 MB"),
            "{e}"
        );
        // 901 MB against 512.
        assert!(e.allowed.contains("(the run must get 1.8x smaller)"), "{e}");
        assert_eq!(
            text_id_of("the app servers' L1 caches"),
            "cost.the_app_servers_l1_caches"
        );
    }

    #[test]
    fn a_pair_is_admitted_under_one_budget() {
        let c = Cost::new().part("the logs", 300 << 20, &["partitions"]);
        let params = serde_json::json!({ "partitions": 64 });
        assert!(c.admit_beside(&params, 512 << 20, 100 << 20).is_ok());
        let e = c.admit_beside(&params, 512 << 20, 300 << 20).unwrap_err();
        assert_eq!((e.field.as_str(), e.got.as_str()), ("partitions", "64"));
        assert!(
            e.allowed.contains("together") && e.allowed.contains("budget 512 MB"),
            "{e}"
        );
        // Alone over the budget: the single refusal.
        let e = c.admit_beside(&params, 256 << 20, 0).unwrap_err();
        assert!(!e.allowed.contains("together"), "{e}");
    }
}
