//! Runs are reproducible: the same params and seed give the same digest, other seeds give other
//! runs, and the digest of a reference run is pinned in a golden file (also read by the browser test
//! that checks wasm computes the same figure). Params round-trip through JSON and name a bad field
//! by its full dotted path.

use std::path::PathBuf;

use flowlab_sim::kernel::model::Validate;
use flowlab_sim::kernel::time::secs;
use flowlab_sim::kernel::traffic::{KeyChoice, Pattern};
use flowlab_sim::limiter::{presets, LimiterLab, LimiterParams};
use flowlab_sim::Model;

fn digest(params: &LimiterParams, seed: u64, until: u64) -> u64 {
    let mut lab = LimiterLab::new(params.clone(), seed).expect("valid params");
    lab.run_to(until);
    lab.digest()
}

fn golden_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/limiter_default_seed42_60s.txt")
}

#[test]
fn same_params_and_seed_give_the_same_digest() {
    let mut cases: Vec<(LimiterParams, u64)> = presets::all()
        .into_iter()
        .map(|p| (p.params, p.seed))
        .collect();
    cases.push((LimiterParams::default(), 42));
    for pattern in Pattern::ALL {
        let mut p = LimiterParams::default();
        p.traffic.pattern = pattern;
        p.traffic.keys = KeyChoice::Zipf;
        cases.push((p, 7));
    }
    for (p, seed) in cases {
        let a = digest(&p, seed, secs(30));
        let b = digest(&p, seed, secs(30));
        assert_eq!(a, b, "{:?} seed {seed}", p.traffic.pattern);
    }
}

#[test]
fn different_seeds_give_different_digests() {
    let p = LimiterParams::default();
    let mut seen: Vec<u64> = (0..32).map(|seed| digest(&p, seed, secs(20))).collect();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), 32, "two seeds gave the same run");
}

#[test]
fn digest_changes_with_the_run_length_and_params() {
    let p = LimiterParams::default();
    let base = digest(&p, 42, secs(20));
    assert_ne!(base, digest(&p, 42, secs(21)));
    let mut q = p.clone();
    q.fixed_window.limit += 1;
    assert_ne!(base, digest(&q, 42, secs(20)));
}

/// The digest of the reference run, pinned. `UPDATE_GOLDEN=1 cargo test -p flowlab-sim --test
/// determinism` rewrites the file after a deliberate change of the model.
#[test]
fn golden_digest_of_default_params_seed_42_after_60_s() {
    let got = digest(&LimiterParams::default(), 42, secs(60));
    let path = golden_path();
    if std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1") {
        std::fs::create_dir_all(path.parent().expect("golden dir")).expect("create golden dir");
        std::fs::write(&path, format!("{got}\n")).expect("write golden file");
        return;
    }
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let want: u64 = text
        .trim()
        .parse()
        .unwrap_or_else(|e| panic!("{} holds {text:?}: {e}", path.display()));
    assert_eq!(
        got,
        want,
        "the default run changed; if that is intended, rerun with UPDATE_GOLDEN=1 (and check the wasm test reads the same file)"
    );
}

#[test]
fn params_round_trip_through_json() {
    let mut odd = LimiterParams::default();
    odd.traffic.pattern = Pattern::FlashCrowd;
    odd.traffic.keys = KeyChoice::Zipf;
    odd.traffic.zipf_exponent = 1.25;
    odd.sliding_counter.window_ms = 1_500;
    odd.token_bucket.change_at_ms = 12_345;
    odd.leaky_bucket.capacity = 77;
    let mut all: Vec<LimiterParams> = presets::all().into_iter().map(|p| p.params).collect();
    all.extend([LimiterParams::default(), odd]);
    for p in all {
        let json = serde_json::to_string(&p).expect("serialize");
        let back: LimiterParams = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(back, p, "{json}");
    }
    let json = serde_json::to_value(LimiterParams::default()).expect("serialize");
    assert_eq!(json["traffic"]["pattern"], "poisson");
    assert_eq!(json["fixed_window"]["limit"], 10);
}

#[test]
fn params_json_fills_missing_fields_with_defaults_and_refuses_unknown_ones() {
    let p: LimiterParams =
        serde_json::from_str(r#"{"fixed_window": {"limit": 3}, "traffic": {"pattern": "on_off"}}"#)
            .expect("partial params");
    let mut want = LimiterParams::default();
    want.fixed_window.limit = 3;
    want.traffic.pattern = Pattern::OnOff;
    assert_eq!(p, want);
    assert!(serde_json::from_str::<LimiterParams>(r#"{"fixed_window": {"limt": 3}}"#).is_err());
    assert!(serde_json::from_str::<LimiterParams>(r#"{"token": {}}"#).is_err());
}

#[test]
fn validate_names_the_bad_field_by_its_full_dotted_path() {
    assert_eq!(LimiterParams::default().validate(), Ok(()));
    type Edit = fn(&mut LimiterParams);
    let cases: [(Edit, &str, &str, &str); 8] = [
        (
            |p| p.fixed_window.limit = 0,
            "fixed_window.limit",
            "0",
            "1..=100000",
        ),
        (
            |p| p.sliding_log.window_ms = 0,
            "sliding_log.window_ms",
            "0",
            "1..=3600000",
        ),
        (
            |p| p.sliding_counter.limit = 100_001,
            "sliding_counter.limit",
            "100001",
            "1..=100000",
        ),
        (
            |p| p.token_bucket.rate_per_s = 0,
            "token_bucket.rate_per_s",
            "0",
            "1..=1000000",
        ),
        (
            |p| p.leaky_bucket.capacity = 0,
            "leaky_bucket.capacity",
            "0",
            "1..=100000",
        ),
        (|p| p.traffic.on_ms = 0, "traffic.on_ms", "0", "1..=3600000"),
        (
            |p| p.compare_window_ms = 0,
            "compare_window_ms",
            "0",
            "1..=600000",
        ),
        (
            |p| p.chart_bucket_ms = 5,
            "chart_bucket_ms",
            "5",
            "10..=600000",
        ),
    ];
    for (edit, field, got, allowed) in cases {
        let mut p = LimiterParams::default();
        edit(&mut p);
        let e = p.validate().expect_err(field);
        assert_eq!(
            (e.field.as_str(), e.got.as_str(), e.allowed.as_str()),
            (field, got, allowed)
        );
        assert!(e.to_string().starts_with(field), "{e}");
        assert_eq!(LimiterLab::new(p, 1).err(), Some(e), "new() must validate");
    }

    // A rule across fields names the field to change.
    let mut p = LimiterParams::default();
    p.traffic.rate_per_s = 1_000_000;
    p.compare_window_ms = 600_000;
    let e = p.validate().unwrap_err();
    assert_eq!(e.field, "compare_window_ms");
    assert!(e.allowed.contains("200000"), "{}", e.allowed);
}

#[test]
fn set_token_rate_names_the_field_and_keeps_the_rate_on_error() {
    let mut lab = LimiterLab::new(LimiterParams::default(), 1).expect("valid");
    let e = lab.set_token_rate(0).unwrap_err();
    assert_eq!(e.field, "token_bucket.rate_per_s");
    assert_eq!(lab.token_rate_per_s(), 10);
    lab.set_token_rate(25).expect("in range");
    assert_eq!(lab.token_rate_per_s(), 25);
    assert_eq!(lab.params().token_bucket.rate_per_s, 25);
}
