//! A sweep in a link: the `sweep=` part of a lab's link, beside its params.
//!
//! ```text
//! sweep=metric=final.lost;knob=acks;choices;seeds=50;seed=1;until=30
//! sweep=metric=e2e_latency_p99_ms;knob=rate_per_s;range=100:1000:10;seeds=20;seed=42
//! sweep=metric=lost;knob=acks;values=zero,one;seeds=5;seed=7
//! ```
//!
//! Fields are `name=value` (or a bare `choices`), separated by `;`, in any order, each once.
//! Every character a sweep writes is one a URL carries as it is (letters, digits, `_ . - = ; : ,`),
//! so nothing needs escaping; a knob's value is a number, an option's name or true/false, and the
//! texts [`Sweep::check_shape`] admits are exactly those. Reading percent-decodes first, so the part
//! may come raw from the address bar or decoded by [`crate::kernel::query::pairs`].

use super::{check_value_text, Axis, Sweep, SweepError, Values, MAX_POINTS, MAX_STEPS, MIN_STEPS};
use crate::kernel::query::percent_decode;

/// The key of a sweep's part in a lab's link.
pub const SWEEP_KEY: &str = "sweep";
/// Longest sweep part read.
const MAX_CHARS: usize = 2_000;

fn link_err(got: &str) -> SweepError {
    SweepError::text("sweep", got, "sweep.rule.link", vec![])
}

fn field_err(got: &str) -> SweepError {
    SweepError::text("sweep", got, "sweep.rule.link_field", vec![])
}

impl Sweep {
    /// The sweep as the value of a link's `sweep=` part (no escaping needed).
    pub fn to_query(&self) -> String {
        let mut parts = vec![format!("metric={}", self.metric)];
        if let Some(a) = &self.knob {
            parts.push(format!("knob={}", a.key));
            parts.push(match &a.values {
                Values::List { values } => format!("values={}", values.join(",")),
                Values::Range { lo, hi, steps } => format!("range={lo}:{hi}:{steps}"),
                Values::Choices => "choices".to_string(),
            });
        }
        parts.push(format!("seeds={}", self.seeds));
        parts.push(format!("seed={}", self.first_seed));
        if let Some(t) = self.until_s {
            parts.push(format!("until={t}"));
        }
        parts.join(";")
    }

    /// Reads a link's `sweep=` part, checking its shape ([`Sweep::check_shape`]); a lab checks
    /// the rest when it is planned. An error names the field and what it allows.
    pub fn from_query(text: &str) -> Result<Sweep, SweepError> {
        if text.chars().count() > MAX_CHARS {
            return Err(link_err(text));
        }
        let text = percent_decode(text);
        let mut metric = None;
        let mut knob = None;
        let mut values = None;
        let mut seeds = None;
        let mut seed = None;
        let mut until = None;
        for part in text.split(';').filter(|p| !p.is_empty()) {
            let (name, value) = match part.split_once('=') {
                Some((n, v)) => (n.trim(), Some(v.trim())),
                None => (part.trim(), None),
            };
            let taken = match name {
                "metric" => metric.is_some(),
                "knob" => knob.is_some(),
                "values" | "range" | "choices" => values.is_some(),
                "seeds" => seeds.is_some(),
                "seed" => seed.is_some(),
                "until" => until.is_some(),
                _ => return Err(field_err(name)),
            };
            if taken {
                return Err(field_err(name));
            }
            match name {
                "metric" => metric = Some(name_text("metric", need(value, part)?)?),
                "knob" => knob = Some(name_text("knob", need(value, part)?)?),
                "values" => {
                    let list: Vec<String> =
                        need(value, part)?.split(',').map(str::to_string).collect();
                    if list.len() > MAX_POINTS {
                        return Err(SweepError::text(
                            "values",
                            list.len(),
                            "sweep.rule.values_count",
                            vec!["1".into(), MAX_POINTS.to_string()],
                        ));
                    }
                    values = Some(Values::List { values: list });
                }
                "range" => values = Some(Values::from_range_text(need(value, part)?)?),
                "choices" => {
                    if value.is_some() {
                        return Err(link_err(part));
                    }
                    values = Some(Values::Choices);
                }
                "seeds" => {
                    let v = need(value, part)?;
                    seeds = Some(v.parse::<u32>().map_err(|_| {
                        SweepError::text(
                            "seeds",
                            v,
                            "sweep.rule.seeds",
                            vec!["1".into(), super::MAX_SEEDS.to_string()],
                        )
                    })?);
                }
                "seed" => {
                    let v = need(value, part)?;
                    seed = Some(v.parse::<u64>().map_err(|_| {
                        SweepError::text("seed", v, "sweep.rule.seed", vec![u64::MAX.to_string()])
                    })?);
                }
                _ => {
                    let v = need(value, part)?;
                    let t = v
                        .parse::<f64>()
                        .map_err(|_| {
                            SweepError::text(
                                "until_s",
                                v,
                                "sweep.rule.until",
                                vec![super::MAX_UNTIL_S.to_string()],
                            )
                        })
                        .and_then(|t| super::until_ns(t).map(|_| t))?;
                    until = Some(t);
                }
            }
        }
        let missing = |field: &str| SweepError::text(field, "", "sweep.rule.link", vec![]);
        let knob = match (knob, values) {
            (Some(key), Some(values)) => Some(Axis { key, values }),
            (None, None) => None,
            (Some(_), None) => return Err(missing("values")),
            (None, Some(_)) => return Err(missing("knob")),
        };
        let sweep = Sweep {
            metric: metric.ok_or_else(|| missing("metric"))?,
            knob,
            seeds: seeds.ok_or_else(|| missing("seeds"))?,
            first_seed: seed.ok_or_else(|| missing("seed"))?,
            until_s: until,
        };
        sweep.check_shape()?;
        Ok(sweep)
    }

    /// The sweep in a lab's link `query` (its `sweep=` part), if it has one, and the query
    /// without it (what the lab's params are read from).
    pub fn split_link(query: &str) -> (String, Option<Result<Sweep, SweepError>>) {
        let q = query.trim_start_matches('?');
        let mut rest = Vec::new();
        let mut found = None;
        for raw in q.split('&').filter(|s| !s.is_empty()) {
            let key = raw.split_once('=').map_or(raw, |(k, _)| k);
            if percent_decode(key) == SWEEP_KEY && found.is_none() {
                let value = raw.split_once('=').map_or("", |(_, v)| v);
                found = Some(Sweep::from_query(value));
            } else {
                rest.push(raw);
            }
        }
        (rest.join("&"), found)
    }
}

/// A field's value, which it must have.
fn need<'a>(value: Option<&'a str>, part: &str) -> Result<&'a str, SweepError> {
    value.ok_or_else(|| link_err(part))
}

/// A metric path or a knob key: letters, digits, `_`, `.`.
fn name_text(field: &str, v: &str) -> Result<String, SweepError> {
    check_value_text(v).map_err(|mut e| {
        e.field = field.to_string();
        e
    })?;
    Ok(v.to_string())
}

impl Values {
    /// A range written `LO:HI:STEPS` (`100:1000:10`), as in a link and `flowlab sweep --range`.
    pub fn from_range_text(v: &str) -> Result<Values, SweepError> {
        let bad = || {
            SweepError::text(
                "range",
                v,
                "sweep.rule.range_text",
                vec![MIN_STEPS.to_string(), MAX_STEPS.to_string()],
            )
        };
        let mut it = v.split(':').map(str::trim);
        let (Some(lo), Some(hi), Some(steps), None) = (it.next(), it.next(), it.next(), it.next())
        else {
            return Err(bad());
        };
        let lo: f64 = lo.parse().map_err(|_| bad())?;
        let hi: f64 = hi.parse().map_err(|_| bad())?;
        let steps: u32 = steps.parse().map_err(|_| bad())?;
        if !(lo.is_finite() && hi.is_finite()) {
            return Err(bad());
        }
        Ok(Values::Range { lo, hi, steps })
    }
}
