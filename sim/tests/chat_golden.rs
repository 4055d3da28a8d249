//! The chat lab's digest for a fixed run, shared with the browser test (tests/browser.rs) that
//! checks wasm computes the same figure. `UPDATE_GOLDEN=1` rewrites the file after a deliberate
//! model change.

use flowlab_sim::chat::{ChatLab, ChatParams};
use flowlab_sim::kernel::time::secs;
use flowlab_sim::Model;

const GOLDEN: &str = "tests/golden/chat_default_seed42_30s.txt";

fn run() -> u64 {
    let mut lab = ChatLab::new(
        ChatParams {
            crash_prob: 0.01,
            ack_batch_ms: 200,
            ..ChatParams::default()
        },
        42,
    )
    .unwrap();
    lab.run_to(secs(30));
    lab.digest()
}

#[test]
fn chat_digest_matches_the_golden_file() {
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
        "chat run changed; if deliberate, rerun with UPDATE_GOLDEN=1"
    );
}

#[test]
fn chat_run_is_repeatable() {
    assert_eq!(run(), run());
}
