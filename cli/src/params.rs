//! Params from a preset, a file and `--set` flags, with one-line messages naming what is wrong.
//!
//! Order: the preset's params (or the defaults), then the file's fields over them, then each
//! `--set key=value` (the web app's URL keys, applied by the engine's own
//! [`flowlab_sim::kernel::query::apply`] through the lab's registry entry). Params travel as JSON
//! here; the registry reads them into the lab's own type.

use std::path::Path;

use anyhow::{anyhow, bail, Result};
use flowlab_sim::kernel::model::shorten;
use flowlab_sim::kernel::query::{Problem, PRESET_KEY, SEED_KEY};
use flowlab_sim::labs::{AnyLab, DecodeError};
use serde_json::Value;

/// The params to run and the preset's seed, if a preset was named.
pub fn load(
    lab: &dyn AnyLab,
    preset: Option<&str>,
    file: Option<&Path>,
    sets: &[String],
) -> Result<(Value, Option<u64>)> {
    let (mut params, preset_seed) = match preset {
        None => (lab.defaults(), None),
        Some(id) => match lab.preset(id) {
            Some((p, seed)) => (p, Some(seed)),
            None => {
                let ids: Vec<&str> = lab.presets().iter().map(|p| p.id).collect();
                if ids.is_empty() {
                    bail!("unknown preset `{id}`: {} has no presets", lab.id())
                }
                bail!(
                    "unknown preset `{id}` for {}; presets: {}",
                    lab.id(),
                    ids.join(", ")
                )
            }
        },
    };
    if let Some(path) = file {
        params = from_file(lab, &params, path)?;
    }
    params = apply_sets(lab, params, sets)?;
    Ok((params, preset_seed))
}

/// Reads a JSON or TOML params file over `base`: fields it leaves out keep `base`'s values, fields
/// the params do not have are refused.
pub fn from_file(lab: &dyn AnyLab, base: &Value, path: &Path) -> Result<Value> {
    let shown = path.display();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if !matches!(ext.as_deref(), Some("json" | "toml")) {
        bail!("params file `{shown}`: the name must end in .json or .toml");
    }
    let text = read_limited(path, MAX_PARAMS_FILE_BYTES)
        .map_err(|e| anyhow!("cannot read params file `{shown}`: {e}"))?;
    let given: Value = if ext.as_deref() == Some("json") {
        serde_json::from_str(&text).map_err(|e| anyhow!("params file `{shown}`: {e}"))?
    } else {
        let doc: toml::Value = toml::from_str(&text).map_err(|e| {
            let at = e
                .span()
                .map(|s| {
                    let before = &text[..s.start.min(text.len())];
                    let line = before.matches('\n').count() + 1;
                    let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
                    format!("line {line} column {col}: ")
                })
                .unwrap_or_default();
            anyhow!("params file `{shown}`: {at}{}", e.message().trim())
        })?;
        toml_to_json(&doc, "").map_err(|e| anyhow!("params file `{shown}`: {e}"))?
    };
    // The params are an object with named fields, and so is every group in them: a list where an
    // object belongs would set fields by position.
    shape(&given, base, "").map_err(|e| anyhow!("params file `{shown}`: {e}"))?;
    let mut merged = base.clone();
    merge(&mut merged, given);
    lab.decode(merged).map_err(|e| match e {
        DecodeError::Shape { path, message } if path == "." || path.is_empty() => {
            anyhow!("params file `{shown}`: {message}")
        }
        DecodeError::Shape { path, message } => {
            anyhow!("params file `{shown}`: {path}: {message}")
        }
        DecodeError::Invalid(e) => anyhow!("params file `{shown}`: {e}"),
    })
}

/// Largest params file read, bytes.
const MAX_PARAMS_FILE_BYTES: u64 = 1 << 20;

/// The file's text, refused past `limit` bytes (a link to an endless stream is not read forever).
fn read_limited(path: &Path, limit: u64) -> std::io::Result<String> {
    use std::io::Read;
    let mut text = String::new();
    let n = std::fs::File::open(path)?
        .take(limit + 1)
        .read_to_string(&mut text)?;
    if n as u64 > limit {
        return Err(std::io::Error::other(format!(
            "larger than {} KB",
            limit >> 10
        )));
    }
    Ok(text)
}

/// `given` has objects wherever `template` (the params) has them.
fn shape(given: &Value, template: &Value, path: &str) -> Result<()> {
    let at = |p: &str| {
        if p.is_empty() {
            "the params".to_string()
        } else {
            p.to_string()
        }
    };
    match (given, template) {
        (Value::Object(g), Value::Object(t)) => {
            for (k, v) in g {
                if let Some(tv) = t.get(k) {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    shape(v, tv, &p)?;
                }
            }
            Ok(())
        }
        (_, Value::Object(_)) => bail!(
            "{}: expected an object with named fields, got {}",
            at(path),
            kind_of(given)
        ),
        _ => Ok(()),
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
        Value::String(_) => "text",
        Value::Number(_) => "a number",
        Value::Bool(_) => "true or false",
        Value::Null => "nothing",
    }
}

/// A TOML document as JSON; a `nan` or `inf` is refused by its key (JSON has no such numbers).
fn toml_to_json(v: &toml::Value, path: &str) -> Result<Value> {
    Ok(match v {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) if f.is_finite() => Value::from(*f),
        toml::Value::Float(f) => bail!("{path} = {f} is not a finite number"),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(
            a.iter()
                .enumerate()
                .map(|(i, x)| toml_to_json(x, &format!("{path}[{i}]")))
                .collect::<Result<_>>()?,
        ),
        toml::Value::Table(t) => Value::Object(
            t.iter()
                .map(|(k, x)| {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    Ok((k.clone(), toml_to_json(x, &p)?))
                })
                .collect::<Result<_>>()?,
        ),
    })
}

/// Lays `over`'s fields onto `base`, recursing into objects both have.
fn merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(slot) if slot.is_object() && v.is_object() => merge(slot, v),
                    _ => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, o) => *b = o,
    }
}

/// Applies `key=value` flags in turn. The last flag for a key wins. A value that is valid only
/// together with a later flag (`groups` and `members_per_group` bound each other's product) is
/// retried once the others are in.
fn apply_sets(lab: &dyn AnyLab, mut params: Value, sets: &[String]) -> Result<Value> {
    let mut pending: Vec<(&str, &str, &str)> = Vec::new();
    for raw in sets {
        let Some((k, v)) = raw.split_once('=') else {
            bail!(
                "--set {}: expected key=value (for example fixed_window.limit=20)",
                shorten(raw)
            );
        };
        let k = k.trim();
        if pending.iter().any(|(pk, _, _)| *pk == k) {
            bail!("--set {}: the key is given twice", shorten(k));
        }
        pending.push((k, v, raw));
    }
    while !pending.is_empty() {
        let mut deferred = Vec::new();
        let mut first_invalid = None;
        let before = pending.len();
        for (k, v, raw) in pending {
            match lab.set(&params, k, v) {
                Ok(p) => params = p,
                Err(Problem::Invalid(e)) => {
                    first_invalid.get_or_insert((raw, e));
                    deferred.push((k, v, raw));
                }
                Err(problem) => bail!("--set {}: {}", shorten(raw), describe(lab, &problem)),
            }
        }
        if deferred.len() == before {
            if let Some((raw, e)) = first_invalid {
                bail!("--set {}: {e}", shorten(raw));
            }
        }
        pending = deferred;
    }
    Ok(params)
}

/// One line about a problem with a `--set` flag.
fn describe(lab: &dyn AnyLab, p: &Problem) -> String {
    let name = lab.id();
    match p {
        Problem::UnknownKey(k) if k == SEED_KEY => {
            format!("`{k}` is not a parameter of {name}: use --seed")
        }
        Problem::UnknownKey(k) if k == PRESET_KEY => {
            format!("`{k}` is not a parameter of {name}: use --preset")
        }
        Problem::UnknownKey(k) => {
            let keys = keys(lab);
            let near = suggestions(k, &keys);
            if near.is_empty() {
                format!(
                    "unknown parameter `{k}` for {name}; parameters: {}",
                    keys.join(", ")
                )
            } else {
                format!(
                    "unknown parameter `{k}` for {name}; did you mean {}?",
                    near.join(", ")
                )
            }
        }
        Problem::UnknownPreset(id) => format!("unknown preset `{id}` for {name}"),
        other => other.to_string(),
    }
}

/// Every settable dotted key of the lab (its knob table), sorted.
pub fn keys(lab: &dyn AnyLab) -> Vec<String> {
    let mut out: Vec<String> = lab.knobs().into_iter().map(|k| k.key).collect();
    out.sort();
    out
}

/// Keys a mistyped or shortened key probably meant: a group's keys (`fixed_window`), keys with the
/// same last part (`limit`), or keys a typo or two away.
fn suggestions(given: &str, keys: &[String]) -> Vec<String> {
    let group = format!("{given}.");
    let in_group: Vec<String> = keys
        .iter()
        .filter(|k| k.starts_with(&group))
        .cloned()
        .collect();
    if !in_group.is_empty() {
        return in_group;
    }
    let last = given.rsplit('.').next().unwrap_or(given);
    let same_last: Vec<String> = keys
        .iter()
        .filter(|k| k.rsplit('.').next() == Some(last))
        .cloned()
        .collect();
    if !same_last.is_empty() {
        return same_last;
    }
    let mut near: Vec<(usize, &String)> = keys
        .iter()
        .map(|k| (strsim::levenshtein(given, k), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 6))
        .collect();
    near.sort();
    near.into_iter().take(3).map(|(_, k)| k.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use flowlab_sim::labs::by_id;

    fn sets(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn sets_apply_over_the_preset_and_a_repeated_key_is_refused() {
        let (p, seed) = load(
            by_id("limiter").unwrap(),
            Some("boundary_burst"),
            None,
            &sets(&["fixed_window.limit=9"]),
        )
        .unwrap();
        assert_eq!(p["fixed_window"]["limit"], 9);
        assert_eq!(seed, Some(1));
        assert_eq!(p["chart_bucket_ms"], 100, "the rest is the preset's");
        let e = load(
            by_id("limiter").unwrap(),
            None,
            None,
            &sets(&["fixed_window.limit=7", "fixed_window.limit=9"]),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("twice"), "{e}");
    }

    #[test]
    fn bound_pairs_may_come_in_any_order() {
        // 2,500 groups of the default 50 members is over the total; with 40 members it is not.
        let chat = by_id("chat").unwrap();
        let (p, _) = load(
            chat,
            None,
            None,
            &sets(&["groups=2500", "members_per_group=40"]),
        )
        .unwrap();
        assert_eq!(
            (&p["groups"], &p["members_per_group"]),
            (&2_500.into(), &40.into())
        );
        let e = load(chat, None, None, &sets(&["groups=2500"])).unwrap_err();
        assert!(e.to_string().contains("members_per_group"), "{e}");
    }

    #[test]
    fn messages_name_the_key() {
        let msg = |s: &str| {
            load(by_id("limiter").unwrap(), None, None, &sets(&[s]))
                .unwrap_err()
                .to_string()
        };
        let m = msg("fixed_window.limit=0");
        assert!(
            m.contains("fixed_window.limit") && m.contains("1..=100000"),
            "{m}"
        );
        let m = msg("limit=3");
        assert!(
            m.contains("did you mean") && m.contains("sliding_log.limit"),
            "{m}"
        );
        let m = msg("fixed_windw.limit=3");
        assert!(m.contains("did you mean fixed_window.limit"), "{m}");
        let m = msg("token_bucket=3");
        assert!(m.contains("token_bucket.burst"), "{m}");
        let m = msg("traffic.pattern=square");
        assert!(
            m.contains("traffic.pattern = square") && m.contains("poisson"),
            "{m}"
        );
        assert!(msg("seed=3").contains("--seed"));
        assert!(msg("nokey").contains("key=value"));
    }

    #[test]
    fn merge_keeps_what_the_file_leaves_out() {
        let mut base = serde_json::json!({"a": {"x": 1, "y": 2}, "b": 3});
        merge(&mut base, serde_json::json!({"a": {"y": 5}, "c": 4}));
        assert_eq!(
            base,
            serde_json::json!({"a": {"x": 1, "y": 5}, "b": 3, "c": 4})
        );
    }
}
