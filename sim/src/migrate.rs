//! Old links and run files keep working when a knob is renamed: each records the format it was
//! written in (a link's `v=`, a run file's `format`), and what was renamed since is moved to its
//! new name before the params are read. Nothing has been renamed yet, so [`RENAMES`] is empty;
//! the mechanism is tested with a table of its own, and frozen links and run files from
//! 2026-11-29 (the page's `frozen_links…` test, `sim/tests/runs/`) must keep giving the same runs.

use serde_json::{Map, Value};

use crate::replay::{Act, ActionLog};

/// The format links are written in now (`v=` in the link; a link without it is format 1).
pub const LINK_FORMAT: u32 = 1;
/// The link's key for its format.
pub const LINK_FORMAT_KEY: &str = "v";

/// A knob of lab `lab` named `old` in links and run files of formats before `since`, `new` since.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rename {
    pub since: u32,
    pub lab: &'static str,
    pub old: &'static str,
    pub new: &'static str,
}

/// Every rename, oldest first. To rename a knob: bump [`LINK_FORMAT`] (and the run file's
/// `RUN_FORMAT`), add a line here with `since` the new format, and freeze a link of the old one.
pub const RENAMES: &[Rename] = &[];

/// The name today of key `key` of lab `lab` in a link or file of `format`, by `table`.
pub fn key_in<'a>(
    table: &[Rename],
    lab: &str,
    format: u32,
    key: &'a str,
) -> std::borrow::Cow<'a, str> {
    let mut k = std::borrow::Cow::Borrowed(key);
    for r in table.iter().filter(|r| r.lab == lab && format < r.since) {
        if k == r.old {
            k = std::borrow::Cow::Owned(r.new.to_string());
        }
    }
    k
}

/// A link's query (without its format key) with every renamed key moved to today's name.
pub fn query_in(table: &[Rename], lab: &str, format: u32, query: &str) -> String {
    if table.iter().all(|r| r.lab != lab || format >= r.since) {
        return query.to_string();
    }
    query
        .split('&')
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => {
                let d = crate::kernel::query::percent_decode(k);
                format!(
                    "{}={v}",
                    crate::kernel::query::percent_encode(&key_in(table, lab, format, &d))
                )
            }
            None => kv.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// An action log's knob changes with today's key names.
pub fn log_in(table: &[Rename], lab: &str, format: u32, log: &mut ActionLog) {
    for a in &mut log.actions {
        if let Act::Set { key, .. } = &mut a.act {
            *key = key_in(table, lab, format, key).into_owned();
        }
    }
}

/// A sweep of a link (`sweep=…;knob=…`) with its knob's key of today.
pub fn sweep_in(table: &[Rename], lab: &str, format: u32, sweep: &mut crate::sweep::Sweep) {
    if let Some(axis) = &mut sweep.knob {
        axis.key = key_in(table, lab, format, &axis.key).into_owned();
    }
}

/// Params as JSON (a run file's) with every renamed leaf moved to today's name.
pub fn params_in(table: &[Rename], lab: &str, format: u32, params: &mut Value) {
    for r in table.iter().filter(|r| r.lab == lab && format < r.since) {
        if let Some(v) = take_leaf(params, r.old) {
            put_leaf(params, r.new, v);
        }
    }
}

fn take_leaf(root: &mut Value, key: &str) -> Option<Value> {
    let (parent, last) = match key.rsplit_once('.') {
        Some((p, l)) => (
            p.split('.')
                .try_fold(&mut *root, |cur, part| cur.get_mut(part))?,
            l,
        ),
        None => (root, key),
    };
    parent.as_object_mut()?.remove(last)
}

fn put_leaf(root: &mut Value, key: &str, v: Value) {
    let mut cur = root;
    let mut parts = key.split('.').peekable();
    while let Some(part) = parts.next() {
        let Some(obj) = cur.as_object_mut() else {
            return;
        };
        if parts.peek().is_none() {
            obj.insert(part.to_string(), v);
            return;
        }
        cur = obj
            .entry(part.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

/// The format of a link's `v=` value: a whole number in `1..=LINK_FORMAT`.
pub fn link_format(text: &str) -> Result<u32, String> {
    match text.trim().parse::<u32>() {
        Ok(v) if (1..=LINK_FORMAT).contains(&v) => Ok(v),
        Ok(v) if v > LINK_FORMAT => Err(format!(
            "made by a newer flowlab (link format {v}; this one reads up to {LINK_FORMAT}): what it could read is shown"
        )),
        _ => Err(format!("a whole number in 1..={LINK_FORMAT}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const TABLE: &[Rename] = &[
        Rename {
            since: 2,
            lab: "limiter",
            old: "fixed_window.max",
            new: "fixed_window.limit",
        },
        Rename {
            since: 3,
            lab: "limiter",
            old: "bucket_rate",
            new: "token_bucket.rate_per_s",
        },
    ];

    #[test]
    fn renamed_keys_move_to_their_names_of_today_by_format() {
        assert_eq!(
            key_in(TABLE, "limiter", 1, "fixed_window.max"),
            "fixed_window.limit"
        );
        assert_eq!(
            key_in(TABLE, "limiter", 2, "fixed_window.max"),
            "fixed_window.max",
            "already renamed"
        );
        assert_eq!(
            key_in(TABLE, "queue", 1, "fixed_window.max"),
            "fixed_window.max",
            "another lab"
        );
        assert_eq!(
            query_in(
                TABLE,
                "limiter",
                1,
                "seed=3&fixed_window.max=7&bucket_rate=9"
            ),
            "seed=3&fixed_window.limit=7&token_bucket.rate_per_s=9"
        );
        assert_eq!(
            query_in(TABLE, "limiter", 3, "bucket_rate=9"),
            "bucket_rate=9"
        );
        let mut sweep = crate::sweep::Sweep::from_query(
            "metric=lost;knob=bucket_rate;range=1:9:3;seeds=2;seed=1",
        )
        .unwrap();
        sweep_in(TABLE, "limiter", 2, &mut sweep);
        assert_eq!(sweep.knob.unwrap().key, "token_bucket.rate_per_s");
        let mut log = ActionLog::parse("1:set(bucket_rate=25)").unwrap();
        log_in(TABLE, "limiter", 2, &mut log);
        assert_eq!(log.to_string(), "1:set(token_bucket.rate_per_s=25)");
        let mut p = json!({"fixed_window": {"max": 7, "window_ms": 1000}, "bucket_rate": 9});
        params_in(TABLE, "limiter", 1, &mut p);
        assert_eq!(
            p,
            json!({"fixed_window": {"limit": 7, "window_ms": 1000}, "token_bucket": {"rate_per_s": 9}})
        );
    }

    #[test]
    fn a_link_format_is_read_or_refused_with_the_range() {
        assert_eq!(link_format("1"), Ok(1));
        assert!(link_format("2").unwrap_err().contains("newer"));
        assert!(link_format("x").unwrap_err().contains("1..=1"));
        assert!(link_format("0").is_err());
    }
}
