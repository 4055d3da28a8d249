//! Each snowflake preset shows the effect it exists to show, on every one of [`common::SEEDS`]
//! (and of [`common::LONG_SEEDS`] in `make test-long`), not only its own.

mod common;
use common::{every_claim, on_seeds, LONG_SEEDS, SEEDS};

use flowlab_sim::kernel::time::{secs, NS_PER_MS};
use flowlab_sim::labs::snowflake::{presets, Backwards, SnowflakeLab};
use flowlab_sim::Model;

fn run(id: &str, seed: u64, until_s: u64) -> SnowflakeLab {
    let p = presets::by_id(id).expect("preset exists");
    let mut lab = SnowflakeLab::new(p.params, seed).expect("valid preset");
    lab.run_to(secs(until_s));
    lab
}

fn a_clock_stepped_back_duplicates_ids_only_under_the_wrong_policy(seed: u64) {
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

fn an_exhausted_sequence_caps_each_worker_and_makes_requests_wait(seed: u64) {
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

fn many_workers_give_unique_ids_only_roughly_in_time_order(seed: u64) {
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

fn a_worker_id_given_to_two_machines_repeats_ids(seed: u64) {
    let lab = run("reused_worker_id", seed, 2);
    assert!(lab.duplicates(0) > 0, "seed {seed}");
}

#[test]
fn clock_back_5ms_on_every_seed() {
    on_seeds(
        SEEDS,
        a_clock_stepped_back_duplicates_ids_only_under_the_wrong_policy,
    );
}

#[test]
fn sequence_exhausted_on_every_seed() {
    on_seeds(
        SEEDS,
        an_exhausted_sequence_caps_each_worker_and_makes_requests_wait,
    );
}

#[test]
fn many_workers_on_every_seed() {
    on_seeds(
        SEEDS,
        many_workers_give_unique_ids_only_roughly_in_time_order,
    );
}

#[test]
fn reused_worker_id_on_every_seed() {
    on_seeds(SEEDS, a_worker_id_given_to_two_machines_repeats_ids);
}

#[test]
#[ignore = "long: run by `make test-long`"]
fn every_claim_on_the_long_seeds() {
    every_claim(
        LONG_SEEDS,
        &[
            (
                "clock_back_5ms",
                a_clock_stepped_back_duplicates_ids_only_under_the_wrong_policy,
            ),
            (
                "sequence_exhausted",
                an_exhausted_sequence_caps_each_worker_and_makes_requests_wait,
            ),
            (
                "many_workers",
                many_workers_give_unique_ids_only_roughly_in_time_order,
            ),
            (
                "reused_worker_id",
                a_worker_id_given_to_two_machines_repeats_ids,
            ),
        ],
    );
}
