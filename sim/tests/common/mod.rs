//! Shared by the preset tests: a preset's claim must hold on every seed, not only on its own.
//!
//! Each claim is a function of the seed that panics (with `assert!`) when the claim fails. The
//! native suite checks it on [`SEEDS`]; the `#[ignore]`d long sweeps (`make test-long`) on
//! [`LONG_SEEDS`] as well. Seeds run in parallel, and a failure names every failing seed with its
//! message, not only the first.

#![allow(dead_code)] // each test file uses part of it

use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// The seeds every preset's claim is checked on by `cargo test` (they include every preset's own).
pub const SEEDS: Range<u64> = 0..50;

/// The longer sweep run by `make test-long` (`cargo test --release -- --ignored`).
pub const LONG_SEEDS: Range<u64> = 50..550;

/// Runs `claim` on every seed, on as many threads as there are cores, and panics listing every
/// seed it failed on.
pub fn on_seeds(seeds: Range<u64>, claim: impl Fn(u64) + Sync) {
    let seeds: Vec<u64> = seeds.collect();
    let next = AtomicUsize::new(0);
    let failed: Mutex<Vec<(u64, String)>> = Mutex::new(Vec::new());
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(seeds.len());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(&seed) = seeds.get(i) else { break };
                if let Err(e) = catch_unwind(AssertUnwindSafe(|| claim(seed))) {
                    let msg = e
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_else(|| "panicked".into());
                    failed.lock().unwrap().push((seed, msg));
                }
            });
        }
    });
    let mut failed = failed.into_inner().unwrap();
    failed.sort_by_key(|&(seed, _)| seed);
    if !failed.is_empty() {
        let list: Vec<String> = failed
            .iter()
            .map(|(seed, msg)| format!("  seed {seed}: {msg}"))
            .collect();
        panic!(
            "the claim fails on {} of {} seeds:\n{}",
            failed.len(),
            seeds.len(),
            list.join("\n")
        );
    }
}

/// A named claim: what it checks, and the check for one seed.
pub type Claim = (&'static str, fn(u64));

/// Runs each named claim on `seeds` (see [`on_seeds`]) and panics listing every claim that failed,
/// with its failing seeds.
pub fn every_claim(seeds: Range<u64>, claims: &[Claim]) {
    let mut failed = Vec::new();
    for &(name, claim) in claims {
        if let Err(e) = catch_unwind(AssertUnwindSafe(|| on_seeds(seeds.clone(), claim))) {
            let msg = e.downcast_ref::<String>().cloned().unwrap_or_default();
            failed.push(format!("{name}: {msg}"));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
