//! The snowflake lab's digest for a fixed run, shared with the browser test (tests/browser.rs) that
//! checks wasm computes the same figure. `UPDATE_GOLDEN=1` rewrites the file after a deliberate
//! model change.

use flowlab_sim::kernel::time::secs;
use flowlab_sim::labs::snowflake::{presets, SnowflakeLab};
use flowlab_sim::{Advance, Model};

const GOLDEN: &str = "tests/golden/snowflake_clock_back_4s.txt";

fn run() -> u64 {
    let p = presets::by_id("clock_back_5ms").unwrap();
    let mut lab = SnowflakeLab::new(p.params, p.seed).unwrap();
    lab.run_to(secs(4));
    lab.digest()
}

#[test]
fn snowflake_digest_matches_the_golden_file() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN);
    let got = run();
    if std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1") {
        std::fs::write(&path, format!("{got}\n")).unwrap();
    }
    let want: u64 = std::fs::read_to_string(&path)
        .expect("golden file exists")
        .trim()
        .parse()
        .unwrap();
    assert_eq!(
        got, want,
        "snowflake run changed; if deliberate, rerun with UPDATE_GOLDEN=1"
    );
}

#[test]
fn snowflake_run_is_repeatable_and_independent_of_stepping() {
    assert_eq!(run(), run());
    let p = presets::by_id("clock_back_5ms").unwrap();
    let mut lab = SnowflakeLab::new(p.params, p.seed).unwrap();
    let mut t = 0;
    while t < secs(4) {
        t += 3_000_000;
        while lab.advance_to(t.min(secs(4)), 5) == Advance::BudgetExhausted {}
    }
    assert_eq!(lab.digest(), run());
}
