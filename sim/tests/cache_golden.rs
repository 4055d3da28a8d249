//! The cache lab's digest for a fixed run, shared with the browser test (tests/browser.rs) that
//! checks wasm computes the same figure. `UPDATE_GOLDEN=1` rewrites the file after a deliberate
//! model change.

use flowlab_sim::cache::{presets, CacheLab};
use flowlab_sim::kernel::time::secs;
use flowlab_sim::Model;

const GOLDEN: &str = "tests/golden/cache_race_seed42_10s.txt";

fn run() -> u64 {
    let mut lab = CacheLab::new(presets::cache_aside_race().params, 42).unwrap();
    lab.run_to(secs(10));
    lab.digest()
}

#[test]
fn cache_digest_matches_the_golden_file() {
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
        "cache run changed; if deliberate, rerun with UPDATE_GOLDEN=1"
    );
}

#[test]
fn cache_run_is_repeatable() {
    assert_eq!(run(), run());
}
