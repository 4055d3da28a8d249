//! Every challenge is possible and not passed by luck: on 20 seeds each, the lab's defaults under
//! the challenge's fixed setup fail, and its stored reference solution passes.

use flowlab_sim::challenge::{self, check, Challenge};

const SEEDS: u64 = 20;

fn verify(lab: &str) {
    let wrong = verify_seeds(lab, 1..=SEEDS);
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// What is wrong with `lab`'s challenges on `seeds`.
fn verify_seeds(lab: &str, seeds: std::ops::RangeInclusive<u64>) -> Vec<String> {
    let list: Vec<&Challenge> = challenge::of_lab(lab);
    assert!(list.len() >= 4, "{lab}: {} challenges", list.len());
    let mut wrong = Vec::new();
    for c in list {
        let defaults = c.setup().unwrap();
        let reference = c.reference_params().unwrap();
        for seed in seeds.clone() {
            let v = check(c, &defaults, seed).unwrap();
            if v.passed {
                wrong.push(format!("{} seed {seed}: the defaults pass", c.id));
            }
            let v = check(c, &reference, seed).unwrap();
            if !v.passed || v.stars == 0 {
                wrong.push(format!(
                    "{} seed {seed}: the reference fails: {:?}",
                    c.id, v.debrief
                ));
            }
        }
    }
    wrong
}

#[test]
fn limiter() {
    verify("limiter");
}

#[test]
fn queue() {
    verify("queue");
}

#[test]
fn chat() {
    verify("chat");
}

#[test]
fn flash_sale() {
    verify("flash-sale");
}

#[test]
fn cache() {
    verify("cache");
}

#[test]
fn snowflake() {
    verify("snowflake");
}

/// `make test-long`: every challenge of every lab on 200 more seeds.
#[test]
#[ignore]
fn every_lab_on_200_more_seeds() {
    for lab in [
        "limiter",
        "queue",
        "chat",
        "flash-sale",
        "cache",
        "snowflake",
    ] {
        verify_seeds(lab, SEEDS + 1..=SEEDS + 200);
    }
}
