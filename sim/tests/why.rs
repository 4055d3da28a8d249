//! The "why did that happen" log: the preset that shows an anomaly notes it, with the kind that
//! names its rule, on several seeds; the log's counts agree with what is kept; and the log does
//! not change a run (the same digest with or without reading it is checked by the golden tests).

use flowlab_sim::kernel::model::Advance;
use flowlab_sim::kernel::time::NS_PER_S;
use flowlab_sim::kernel::why::{english, KEEP};
use flowlab_sim::labs::{self, AnyRun};

/// (lab, preset, virtual seconds for timed labs, the kind its anomaly is noted as).
const CASES: &[(&str, &str, u64, &str)] = &[
    ("queue", "acks1_leader_dies", 8, "lost_cut"),
    ("queue", "acks1_leader_dies", 8, "elected"),
    ("queue", "acks0_crash", 6, "lost_dead_leader"),
    ("queue", "retries_no_idempotence", 6, "dup_written"),
    ("queue", "retries_no_idempotence", 6, "reorder_retry"),
    ("queue", "poison_message", 10, "dead_letter"),
    ("limiter", "boundary_burst", 6, "over_fixed"),
    ("limiter", "token_burst", 6, "over_token"),
    ("chat", "push_failures", 10, "lost_offline_copy"),
    ("chat", "lost_acks", 10, "dup_dropped"),
    ("chat", "lost_acks", 10, "unread_wrong"),
    ("cache", "cache_aside_race", 6, "stale_delete_first"),
    ("cache", "cache_aside_race", 6, "stale_refill"),
    ("snowflake", "clock_back_5ms", 6, "dup_clock_back"),
    ("snowflake", "reused_worker_id", 6, "dup_shared_id"),
    ("flash-sale", "unsafe_oversell", 0, "oversell_unsafe"),
];

fn run(lab: &str, preset: &str, secs: u64, seed_offset: u64) -> Box<dyn AnyRun> {
    let l = labs::by_id(lab).expect("lab");
    let (params, seed) = l.preset(preset).expect("preset");
    let mut r = l.start(&params, seed + seed_offset).expect("starts");
    if l.timed() {
        r.advance_to(secs * NS_PER_S, u64::MAX);
    } else {
        while r.advance(1 << 22) == Advance::BudgetExhausted {}
    }
    r
}

#[test]
fn each_preset_notes_its_anomaly_with_its_rule() {
    for &(lab, preset, secs, key) in CASES {
        let kinds = labs::by_id(lab).unwrap().why_kinds();
        let k = kinds
            .iter()
            .position(|k| k.key == key)
            .unwrap_or_else(|| panic!("{lab}: no kind {key}"));
        // The flash sale runs its 10^8-user stream to the end: one seed is enough to be quick.
        let seeds = if lab == "flash-sale" { 1 } else { 3 };
        for s in 0..seeds {
            let r = run(lab, preset, secs, s);
            let (_, w) = r.why().expect("the lab keeps a log");
            assert!(
                w.counts()[k] > 0,
                "{lab}/{preset} seed +{s}: no {key} (counts {:?})",
                w.counts()
            );
            let line = w
                .entries()
                .find(|e| e.kind as usize == k)
                .map(|e| english(kinds, e));
            if let Some(line) = line {
                assert!(!line.contains('?') && !line.contains('{'), "{line}");
            }
            // A log gathered from lanes takes at most what each kept between two advances.
            assert!(w.total() <= w.counts().iter().sum::<u64>());
            assert!(w.entries().count() <= KEEP);
        }
    }
}

#[test]
fn the_acks1_loss_names_the_offset_the_leader_and_the_crash() {
    let r = run("queue", "acks1_leader_dies", 8, 0);
    let (kinds, w) = r.why().unwrap();
    let lost: Vec<String> = w
        .entries()
        .filter(|e| kinds[e.kind as usize].key == "lost_cut")
        .map(|e| english(kinds, e))
        .collect();
    assert!(!lost.is_empty());
    assert!(
        lost[0].contains("with acks=1 and never copied before it crashed"),
        "{}",
        lost[0]
    );
}
