//! Params <-> text, with dotted keys (`fixed_window.limit=10`): the URL query of the web app and the
//! `--set` flags of the command line use the same keys, the same parsing and the same messages.
//!
//! Only values that differ from the defaults are written, so links stay short. Reading starts from
//! the defaults and applies one key at a time: a key that is unknown, malformed or out of range is
//! skipped (its default kept) and reported as a [`Problem`] naming it; the page never panics.

use super::knobs::{Kind, Knob, Knobs};
use super::model::{shorten, ParamError, Rule, Validate};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

/// One thing wrong with a query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// A key that no parameter has.
    UnknownKey(String),
    /// A value that is not of the parameter's type.
    BadValue {
        key: String,
        /// The value given, shortened.
        value: String,
        expected: Expect,
    },
    /// A value of the right type outside the allowed range (or inconsistent with another).
    Invalid(ParamError),
    /// A seed that is not a u64.
    BadSeed(String),
    /// A preset name that does not exist.
    UnknownPreset(String),
    /// A key given more than once (the last value was used).
    Repeated(String),
    /// The link is longer than [`MAX_QUERY_CHARS`]: what follows was ignored.
    TooLong,
}

/// The problem in English (the command line's words; the page translates the variant).
impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::UnknownKey(k) => write!(f, "`{k}` is not a parameter"),
            Problem::BadValue {
                key,
                value,
                expected,
            } => write!(f, "{key} = {value} is not valid ({expected})"),
            Problem::Invalid(e) => write!(f, "{e}"),
            Problem::Repeated(k) => write!(f, "`{k}` is given more than once"),
            Problem::TooLong => write!(f, "the value is too long"),
            Problem::BadSeed(s) => write!(f, "seed `{s}` is not a whole number >= 0"),
            Problem::UnknownPreset(id) => write!(f, "unknown preset `{id}`"),
        }
    }
}

/// What a value should have been.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// A whole number in this range (`1..=100000`).
    Whole(String),
    /// A number in this range.
    Number(String),
    Bool,
    /// One of these names.
    OneOf(Vec<String>),
    /// At most this many characters.
    Short(usize),
    /// What serde said (a params file's own shape).
    Text(String),
}

impl std::fmt::Display for Expect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expect::Whole(r) => write!(f, "a whole number in {r}"),
            Expect::Number(r) => write!(f, "a number in {r}"),
            Expect::Bool => write!(f, "true or false"),
            Expect::OneOf(v) => write!(f, "one of: {}", v.join(", ")),
            Expect::Short(n) => write!(f, "at most {n} characters"),
            Expect::Text(t) => write!(f, "{t}"),
        }
    }
}

/// Longest value text a key takes.
pub const MAX_VALUE_CHARS: usize = 1_000;
/// Longest query read; the rest is ignored and reported.
pub const MAX_QUERY_CHARS: usize = 65_536;

/// Reserved keys that are not params.
pub const SEED_KEY: &str = "seed";
pub const PRESET_KEY: &str = "preset";

/// A parsed query: params, seed, and what was wrong.
#[derive(Clone, Debug)]
pub struct Parsed<P> {
    pub params: P,
    pub seed: Option<u64>,
    pub preset: Option<String>,
    pub problems: Vec<Problem>,
}

pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Splits `a=1&b=2` into decoded pairs (a key without `=` gets an empty value).
pub fn pairs(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|s| !s.is_empty())
        .take(256) // a hand-made URL cannot make us loop for long
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (percent_decode(k), percent_decode(v)),
            None => (percent_decode(kv), String::new()),
        })
        .collect()
}

fn leaf_mut<'a>(root: &'a mut Value, path: &str) -> Option<&'a mut Value> {
    let mut cur = root;
    for part in path.split('.') {
        cur = cur.as_object_mut()?.get_mut(part)?;
    }
    if cur.is_object() {
        None
    } else {
        Some(cur)
    }
}

/// Parses `text` as the same JSON type as `template`.
fn typed_like(template: &Value, text: &str) -> Option<Value> {
    match template {
        Value::Number(n) if n.is_u64() => text.trim().parse::<u64>().ok().map(Value::from),
        Value::Number(n) if n.is_i64() => text.trim().parse::<i64>().ok().map(Value::from),
        Value::Number(_) => text
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number),
        Value::Bool(_) => text.trim().parse::<bool>().ok().map(Value::Bool),
        Value::String(_) => Some(Value::String(text.to_string())),
        _ => None,
    }
}

/// What `knob` takes (its range, or its options), or what `template`'s type takes.
fn expected_of(knob: Option<&Knob>, template: &Value) -> Expect {
    let range = |k: &Knob| k.range_rule(&Value::Null);
    match (knob, template) {
        (Some(k), _) => match &k.kind {
            Kind::Int { .. } => Expect::Whole(rule_text(&range(k))),
            Kind::Real { .. } => Expect::Number(rule_text(&range(k))),
            Kind::Switch => Expect::Bool,
            Kind::Choice { options } => {
                Expect::OneOf(options.iter().map(|o| o.value.to_string()).collect())
            }
        },
        (None, Value::Number(n)) if n.is_u64() => Expect::Whole(">= 0".into()),
        (None, Value::Number(_)) => Expect::Number("any".into()),
        (None, Value::Bool(_)) => Expect::Bool,
        (None, _) => Expect::Text("text".into()),
    }
}

fn rule_text(r: &Rule) -> String {
    match r {
        Rule::Range { lo, hi } => format!("{lo}..={hi}"),
        _ => String::new(),
    }
}

fn decode<P: DeserializeOwned + Validate>(v: &Value) -> Result<P, Problem> {
    let p: P = serde_path_to_error::deserialize(v.clone()).map_err(|e| Problem::BadValue {
        key: e.path().to_string(),
        value: String::new(),
        expected: Expect::Text(shorten(&e.inner().to_string())),
    })?;
    p.validate().map_err(Problem::Invalid)?;
    Ok(p)
}

/// Sets one dotted key on `params`, returning the new params or what was wrong (params unchanged).
/// A value is checked against the key's knob first (its type and range), so the message gives
/// the range; a value that is in range but breaks a rule with another field is refused naming the
/// key the user set, and what it would break.
pub fn apply<P: Knobs>(params: &P, key: &str, text: &str) -> Result<P, Problem> {
    let knob = P::knob(key);
    let mut v = serde_json::to_value(params).expect("params serialise to JSON");
    let root = v.clone();
    let Some(leaf) = leaf_mut(&mut v, key) else {
        return Err(Problem::UnknownKey(shorten(key)));
    };
    if text.chars().count() > MAX_VALUE_CHARS {
        return Err(Problem::BadValue {
            key: key.to_string(),
            value: shorten(text),
            expected: Expect::Short(MAX_VALUE_CHARS),
        });
    }
    let bad = |leaf: &Value| Problem::BadValue {
        key: key.to_string(),
        value: shorten(text),
        expected: expected_of(knob.as_ref(), leaf),
    };
    // A number of the wrong kind for the field (a fraction, a sign), or no number at all.
    let Some(new) = typed_like(leaf, text) else {
        return Err(bad(leaf));
    };
    if let (Some(k), Some(x)) = (&knob, new.as_f64()) {
        if let Some((lo, hi)) = k.static_bounds() {
            if x < lo || x > hi {
                return Err(Problem::Invalid(ParamError::with_rule(
                    key,
                    text.trim(),
                    k.range_rule(&root),
                )));
            }
        }
    }
    *leaf = new;
    match decode::<P>(&v) {
        Ok(p) => Ok(p),
        Err(Problem::BadValue { .. }) => Err(bad(&Value::Null)),
        Err(Problem::Invalid(e)) if e.field != key => {
            // The value is fine on its own but breaks another field's rule: say so.
            Err(Problem::Invalid(ParamError::conflict(key, text.trim(), e)))
        }
        Err(other) => Err(other),
    }
}

/// Reads a query over `base` params (defaults, or a preset's). Every key is applied, then the
/// whole is checked once, so keys bound to each other (`groups` and `members_per_group`) may come
/// in any order. If the whole is refused, keys are applied one at a time, retrying those refused
/// until no more fit; each one that never fits is skipped (its value from `base` kept) and
/// reported.
pub fn parse<P: Knobs>(query: &str, base: P) -> Parsed<P> {
    let mut out = Parsed {
        params: base,
        seed: None,
        preset: None,
        problems: Vec::new(),
    };
    let query = if query.len() > MAX_QUERY_CHARS {
        out.problems.push(Problem::TooLong);
        let mut end = MAX_QUERY_CHARS;
        while !query.is_char_boundary(end) {
            end -= 1;
        }
        &query[..end]
    } else {
        query
    };
    // Later repeats of a key replace earlier ones, in the place of the first; each repeated key
    // is reported once.
    let mut sets: Vec<(String, String)> = Vec::new();
    for (k, v) in pairs(query) {
        if k == SEED_KEY {
            match v.trim().parse::<u64>() {
                Ok(s) => out.seed = Some(s),
                Err(_) => out.problems.push(Problem::BadSeed(v)),
            }
            continue;
        }
        if k == PRESET_KEY {
            out.preset = Some(v);
            continue;
        }
        match sets.iter_mut().find(|(sk, _)| *sk == k) {
            Some(slot) => {
                slot.1 = v;
                let rep = Problem::Repeated(shorten(&k));
                if !out.problems.contains(&rep) {
                    out.problems.push(rep);
                }
            }
            None => sets.push((k, v)),
        }
    }
    // First every key at once.
    let mut all = serde_json::to_value(&out.params).expect("params serialise to JSON");
    let mut typed_ok = Vec::new();
    for (k, v) in &sets {
        match set_leaf(&mut all, k, v) {
            Ok(()) => typed_ok.push((k.clone(), v.clone())),
            // The key's own message (its type and range).
            Err(p) => out
                .problems
                .push(apply(&out.params, k, v).err().unwrap_or(p)),
        }
    }
    if let Ok(p) = decode::<P>(&all) {
        out.params = p;
        return out;
    }
    // Then one at a time, retrying what a later key may allow.
    let mut pending = typed_ok;
    loop {
        let before = pending.len();
        let mut refused = Vec::new();
        for (k, v) in pending {
            match apply(&out.params, &k, &v) {
                Ok(p) => out.params = p,
                Err(e) => refused.push((k, v, e)),
            }
        }
        if refused.len() == before || refused.is_empty() {
            out.problems.extend(refused.into_iter().map(|(_, _, e)| e));
            return out;
        }
        pending = refused.into_iter().map(|(k, v, _)| (k, v)).collect();
    }
}

/// Sets `key` in `root` to `text`, typed like the value there.
fn set_leaf(root: &mut Value, key: &str, text: &str) -> Result<(), Problem> {
    let Some(leaf) = leaf_mut(root, key) else {
        return Err(Problem::UnknownKey(shorten(key)));
    };
    let Some(new) = typed_like(leaf, text).filter(|_| text.chars().count() <= MAX_VALUE_CHARS)
    else {
        return Err(Problem::BadValue {
            key: key.to_string(),
            value: shorten(text),
            expected: Expect::Text(String::new()),
        });
    };
    *leaf = new;
    Ok(())
}

fn flatten(prefix: &str, v: &Value, base: Option<&Value>, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(map) => {
            let empty = Map::new();
            let base_map = base.and_then(Value::as_object).unwrap_or(&empty);
            for (k, child) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, child, base_map.get(k), out);
            }
        }
        leaf => {
            if base != Some(leaf) {
                let text = match leaf {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                out.push((prefix.to_string(), text));
            }
        }
    }
}

/// The query for `params` and `seed`: only what differs from `base`.
pub fn to_query<P: Serialize>(params: &P, base: &P, seed: u64) -> String {
    let v = serde_json::to_value(params).expect("params serialise to JSON");
    let b = serde_json::to_value(base).expect("params serialise to JSON");
    let mut kv = vec![(SEED_KEY.to_string(), seed.to_string())];
    flatten("", &v, Some(&b), &mut kv);
    kv.iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::traffic::Pattern;
    use crate::limiter::LimiterParams;

    #[test]
    fn round_trip_writes_only_changes() {
        let mut p = LimiterParams::default();
        p.fixed_window.limit = 42;
        p.traffic.pattern = Pattern::BoundaryBurst;
        let q = to_query(&p, &LimiterParams::default(), 7);
        assert_eq!(
            q,
            "seed=7&fixed_window.limit=42&traffic.pattern=boundary_burst"
        );
        let back = parse(&q, LimiterParams::default());
        assert!(back.problems.is_empty(), "{:?}", back.problems);
        assert_eq!(back.params, p);
        assert_eq!(back.seed, Some(7));
    }

    #[test]
    fn garbage_is_reported_and_skipped() {
        let q = "seed=abc&nope=1&fixed_window.limit=abc&sliding_log.limit=0&token_bucket.burst=7&%zz=&traffic.pattern=square";
        let r = parse(q, LimiterParams::default());
        assert_eq!(r.seed, None);
        assert_eq!(r.params.token_bucket.burst, 7, "good keys still apply");
        assert_eq!(
            r.params.fixed_window.limit,
            LimiterParams::default().fixed_window.limit
        );
        let ps = &r.problems;
        assert!(ps.contains(&Problem::BadSeed("abc".into())));
        assert!(ps.contains(&Problem::UnknownKey("nope".into())));
        assert!(ps
            .iter()
            .any(|p| matches!(p, Problem::BadValue { key, .. } if key == "fixed_window.limit")));
        assert!(ps.iter().any(|p| matches!(p, Problem::Invalid(e) if e.field == "sliding_log.limit" && e.allowed == "1..=100000")));
        assert!(
            ps.iter()
                .any(|p| matches!(p, Problem::BadValue { key, .. } if key == "traffic.pattern")),
            "{ps:?}"
        );
        assert_eq!(ps.len(), 6, "{ps:?}");
    }

    #[test]
    fn huge_and_negative_numbers_are_rejected_not_wrapped() {
        let r = parse(
            "fixed_window.limit=99999999999&leaky_bucket.capacity=-3&traffic.zipf_exponent=NaN",
            LimiterParams::default(),
        );
        assert_eq!(r.params, LimiterParams::default());
        assert_eq!(r.problems.len(), 3, "{:?}", r.problems);
    }

    #[test]
    fn percent_coding() {
        assert_eq!(percent_decode("a%20b+c%"), "a b c%");
        assert_eq!(percent_decode("%E4%B8%AD"), "中");
        assert_eq!(percent_encode("a b"), "a%20b");
    }

    #[test]
    fn a_flood_of_keys_is_bounded() {
        // A repeated key is reported once, not once per repeat (and, unknown, once more).
        let q = "x=1&".repeat(10_000);
        let ps = parse(&q, LimiterParams::default()).problems;
        assert_eq!(ps.len(), 2, "{ps:?}");
        assert!(ps.contains(&Problem::Repeated("x".into())));
        // Distinct keys stop at the cap; a link this long is also said to be cut.
        let q: String = (0..10_000).map(|i| format!("x{i}=1&")).collect();
        let ps = parse(&q, LimiterParams::default()).problems;
        assert_eq!(ps.len(), 257);
        assert!(ps.contains(&Problem::TooLong));
    }

    #[test]
    fn messages_give_the_range_and_name_the_key_set() {
        let p = LimiterParams::default();
        // A negative number for a whole-number field: the range, not just the type.
        match apply(&p, "fixed_window.limit", "-1") {
            Err(Problem::BadValue { expected, .. }) => {
                assert_eq!(expected.to_string(), "a whole number in 1..=100000")
            }
            other => panic!("{other:?}"),
        }
        // Too big for the field's type: refused by the range first.
        match apply(&p, "traffic.rate_per_s", "4294967296") {
            Err(Problem::Invalid(e)) => assert_eq!(e.allowed, "0..=1000000"),
            other => panic!("{other:?}"),
        }
        match apply(&p, "traffic.zipf_exponent", "NaN") {
            Err(Problem::BadValue { expected, .. }) => {
                assert_eq!(expected.to_string(), "a number in 0..=4")
            }
            other => panic!("{other:?}"),
        }
        // In range on its own, but it breaks another field's rule: the key set is named.
        match apply(&p, "traffic.burst_period_ms", "100") {
            Err(Problem::Invalid(e)) => {
                assert_eq!(e.field, "traffic.burst_period_ms");
                assert!(e.allowed.contains("traffic.burst_width_ms"), "{e}");
            }
            other => panic!("{other:?}"),
        }
        // A long value is not echoed whole.
        let long = "9".repeat(100_000);
        let e = format!("{:?}", apply(&p, "fixed_window.limit", &long).unwrap_err());
        assert!(e.len() < 500, "{}", e.len());
    }

    #[test]
    fn keys_bound_to_each_other_apply_in_any_order() {
        // burst_width_ms <= burst_period_ms: a width above the default period needs the new
        // period first, whichever order the link writes them in.
        for q in [
            "traffic.burst_width_ms=3000&traffic.burst_period_ms=5000",
            "traffic.burst_period_ms=5000&traffic.burst_width_ms=3000",
        ] {
            let r = parse(q, LimiterParams::default());
            assert!(r.problems.is_empty(), "{q}: {:?}", r.problems);
            assert_eq!(r.params.traffic.burst_width_ms, 3000);
        }
        // One that never fits is skipped and reported; the rest applies.
        let r = parse(
            "traffic.burst_width_ms=9000&fixed_window.limit=7",
            LimiterParams::default(),
        );
        assert_eq!(r.params.fixed_window.limit, 7);
        assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
    }
}
