//! Frozen run files (written by `flowlab run … --save-run` on 2026-11-29, format 1): each still
//! reads, checks and replays to the digest it holds. When a knob is renamed or changes meaning, a
//! migration keeps these working; a failure here means old links and files would break.

use flowlab_sim::replay::{RunFile, Verdict};

#[test]
fn every_frozen_run_file_replays_to_its_digest() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/runs");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "the frozen set is there: {files:?}");
    let mut with_actions = 0;
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let file = RunFile::read(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let run = file
            .load()
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        with_actions += usize::from(!run.actions.is_empty());
        let done = run.replay(&mut |_| {}).unwrap();
        assert_eq!(Some(done.digest), run.digest, "{}", path.display());
        assert!(
            matches!(run.verdict(&done), Verdict::Same(_)),
            "{}",
            path.display()
        );
    }
    assert!(
        with_actions >= 3,
        "faults, operator actions and a live knob are in the set"
    );
}
