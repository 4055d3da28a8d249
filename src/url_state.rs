//! The URL query of a lab: the engine's dotted-key params text (shared with the command line).

pub use flowlab_sim::kernel::query::*;

/// The link's query without its `key` part, and that part's value, decoded (the first, when the
/// key comes more than once: the others stay in the query).
pub fn split_key(query: &str, key: &str) -> (String, Option<String>) {
    let q = query.trim_start_matches('?');
    let mut rest = Vec::new();
    let mut found = None;
    for raw in q.split('&').filter(|s| !s.is_empty()) {
        let (k, value) = raw.split_once('=').unwrap_or((raw, ""));
        if found.is_none() && percent_decode(k) == key {
            found = Some(percent_decode(value));
        } else {
            rest.push(raw);
        }
    }
    (rest.join("&"), found)
}
