//! The cache lab's params: a bad value gives a `ParamError` naming its field and allowed range (and
//! `CacheLab::new` returns it rather than panicking); params round-trip through JSON; unknown
//! fields are refused.

use std::panic::{catch_unwind, AssertUnwindSafe};

use flowlab_sim::cache::{CacheLab, CacheParams, Compare, Strategy, MAX_KEYS};
use flowlab_sim::kernel::model::Validate;
use flowlab_sim::{Model, ParamError};

/// The error `p` gives, from `validate` and from `CacheLab::new` (which must agree).
fn error_of(p: &CacheParams) -> ParamError {
    let e = p.validate().expect_err("params should be refused");
    let built = catch_unwind(AssertUnwindSafe(|| CacheLab::new(p.clone(), 1)))
        .expect("CacheLab::new panicked on bad params");
    match built {
        Ok(_) => panic!("CacheLab::new accepted params that validate refuses: {e}"),
        Err(e2) => assert_eq!(e, e2),
    }
    e
}

fn assert_refused(p: CacheParams, field: &str, allowed: &str) {
    let e = error_of(&p);
    assert_eq!(e.field, field, "{e}");
    assert_eq!(e.allowed, allowed, "{e}");
    assert!(e.to_string().starts_with(field), "{e}");
}

#[test]
fn default_params_are_valid() {
    assert_eq!(CacheParams::default().validate(), Ok(()));
    for c in Compare::ALL {
        for s in Strategy::ALL {
            let p = CacheParams {
                compare: c,
                strategy: s,
                ..CacheParams::default()
            };
            assert!(CacheLab::new(p, 1).is_ok(), "{c:?} {s:?}");
        }
    }
}

#[test]
fn bad_params_name_the_field_and_the_range() {
    let d = CacheParams::default;
    assert_refused(CacheParams { nodes: 0, ..d() }, "nodes", "1..=31");
    assert_refused(
        CacheParams {
            ttl_jitter: 1.5,
            ..d()
        },
        "ttl_jitter",
        "0..=1",
    );
    assert_refused(
        CacheParams {
            read_share: 1.01,
            ..d()
        },
        "read_share",
        "0..=1",
    );
    assert_refused(
        CacheParams {
            read_share: f64::NAN,
            ..d()
        },
        "read_share",
        "0..=1",
    );
    assert_refused(
        CacheParams {
            zipf_exponent: f64::INFINITY,
            ..d()
        },
        "zipf_exponent",
        "0..=3",
    );
    assert_refused(
        CacheParams {
            key_count: MAX_KEYS + 1,
            ..d()
        },
        "key_count",
        &format!("1..={MAX_KEYS}"),
    );
    assert_refused(
        CacheParams {
            burst_width_ms: 3_000,
            burst_every_ms: 2_000,
            ..d()
        },
        "burst_width_ms",
        "0..=burst_every_ms (2000)",
    );
    assert_refused(
        CacheParams {
            db_capacity_qps: 0,
            ..d()
        },
        "db_capacity_qps",
        "1..=10000000",
    );
    assert_refused(
        CacheParams {
            app_servers: 0,
            ..d()
        },
        "app_servers",
        "1..=64",
    );
    assert_refused(
        CacheParams {
            virtual_nodes: 0,
            ..d()
        },
        "virtual_nodes",
        "1..=1000",
    );
    assert_refused(
        CacheParams {
            missing_share: -0.1,
            ..d()
        },
        "missing_share",
        "0..=1",
    );
}

#[test]
fn params_round_trip_through_json_and_unknown_fields_are_refused() {
    for p in flowlab_sim::cache::presets::all() {
        let json = serde_json::to_string(&p.params).unwrap();
        let back: CacheParams = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p.params, "{}", p.id);
    }
    let partial: CacheParams = serde_json::from_str(r#"{"strategy": "write_behind"}"#).unwrap();
    assert_eq!(partial.strategy, Strategy::WriteBehind);
    assert_eq!(partial.nodes, CacheParams::default().nodes);
    assert!(serde_json::from_str::<CacheParams>(r#"{"nodez": 3}"#).is_err());
    assert!(serde_json::from_str::<CacheParams>(r#"{"strategy": "magic"}"#).is_err());
}

/// Verbs on a running lab: a node cannot be removed below one, nor added past the limit.
#[test]
fn ring_verbs_stay_within_bounds() {
    let mut lab = CacheLab::new(
        CacheParams {
            nodes: 1,
            ..CacheParams::default()
        },
        1,
    )
    .unwrap();
    assert!(!lab.remove_node());
    let mut added = 0;
    while lab.add_node() {
        added += 1;
        assert!(added < 100);
    }
    assert!(lab.nodes().len() <= flowlab_sim::cache::MAX_NODES as usize);
    lab.crash_node(0);
    lab.run_to(flowlab_sim::kernel::time::secs(1));
    assert!(lab.stats(0).reads > 0);
}
