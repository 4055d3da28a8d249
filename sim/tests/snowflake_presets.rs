//! Each snowflake preset shows the effect it exists to show, on many seeds (not only its own).

use flowlab_sim::kernel::time::{secs, NS_PER_MS};
use flowlab_sim::labs::snowflake::{presets, Backwards, SnowflakeLab};
use flowlab_sim::Model;

/// Seeds every claim is checked on.
const SEEDS: std::ops::Range<u64> = 0..30;

fn run(id: &str, seed: u64, until_s: u64) -> SnowflakeLab {
    let p = presets::by_id(id).expect("preset exists");
    let mut lab = SnowflakeLab::new(p.params, seed).expect("valid preset");
    lab.run_to(secs(until_s));
    lab
}

#[test]
fn a_clock_stepped_back_duplicates_ids_only_under_the_wrong_policy() {
    for seed in SEEDS {
        let lab = run("clock_back_5ms", seed, 3);
        for (l, policy) in lab.policies().into_iter().enumerate() {
            let dup = lab.duplicates(l);
            match policy {
                Backwards::Ignore => assert!(dup > 0, "seed {seed}: ignoring the step repeats ids"),
                _ => assert_eq!(dup, 0, "seed {seed}: {policy:?} never repeats an id"),
            }
            match policy {
                Backwards::Refuse => assert!(lab.refused(l) > 0, "seed {seed}: refuse refuses"),
                _ => assert_eq!(lab.refused(l), 0, "seed {seed}: {policy:?} refuses nothing"),
            }
            if policy == Backwards::Wait {
                let (_, max) = lab.wait(l);
                assert!(
                    (3 * NS_PER_MS..=6 * NS_PER_MS).contains(&max),
                    "seed {seed}: waits up to the 5 ms step: {max}"
                );
            }
        }
    }
}

#[test]
fn an_exhausted_sequence_caps_each_worker_and_makes_requests_wait() {
    for seed in SEEDS.take(10) {
        let lab = run("sequence_exhausted", seed, 2);
        let peak = lab.peak_per_worker_per_s(0);
        assert!(
            peak <= 4_096_000,
            "seed {seed}: at most 4,096 ids a millisecond: {peak}"
        );
        assert!(
            peak >= 4_000_000,
            "seed {seed}: the worker runs flat out: {peak}"
        );
        assert_eq!(lab.duplicates(0), 0);
        let (p99, _) = lab.wait(0);
        assert!(
            p99 >= 100 * NS_PER_MS,
            "seed {seed}: a backlog builds: {p99}"
        );
    }
}

#[test]
fn many_workers_give_unique_ids_only_roughly_in_time_order() {
    for seed in SEEDS.take(10) {
        let lab = run("many_workers", seed, 2);
        assert_eq!(lab.duplicates(0), 0, "seed {seed}");
        let (late, worst) = lab.disorder(0);
        assert!(
            late > 0,
            "seed {seed}: some ids carry an earlier timestamp than one before"
        );
        assert!(
            (1..=8).contains(&worst),
            "seed {seed}: out of order by a few ms at most: {worst}"
        );
    }
}

#[test]
fn a_worker_id_given_to_two_machines_repeats_ids() {
    for seed in SEEDS {
        let lab = run("reused_worker_id", seed, 2);
        assert!(lab.duplicates(0) > 0, "seed {seed}");
    }
}
