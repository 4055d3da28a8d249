//! Every lab's params space, links and params values, driven from the knob tables (issue 11):
//! - links round-trip: valid params written as a link and read back are the same params;
//! - no input panics; every refusal names its field and says what is allowed (a range or a rule);
//! - params the page accepts stay within the cost model's memory when run for a few frames
//!   (peak heap measured with a counting allocator), and no frame does more than its work budget
//!   beyond one event.
//!
//! `make test` runs a fast subset; `make fuzz` the long run (`FUZZ_CASES=15000 FUZZ_RUNS=300 cargo
//! test --release -p flowlab-sim --test fuzz`).

use std::sync::Mutex;

use flowlab_sim::kernel::cost::PAGE_BUDGET_BYTES;
use flowlab_sim::kernel::knobs::Knob;
use flowlab_sim::kernel::lab::Extent;
use flowlab_sim::kernel::query::Problem;
use flowlab_sim::kernel::rng::SimRng;
use flowlab_sim::labs::{all, AnyLab, DecodeError};
use flowlab_sim::Advance;
use serde_json::Value;

#[path = "support/counting_alloc.rs"]
mod counting_alloc;

/// Measurements of heap use must not overlap: the tests of this file take turns.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Cases per lab: the environment variable `var` (`FUZZ_CASES` for params and links, `FUZZ_RUNS`
/// for runs measured) overrides `default`, for the long run.
fn cases(var: &str, default: u64) -> u64 {
    std::env::var(var)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// A value for `knob`: in range (spread over orders of magnitude, and the edges) most of the time,
/// `hostile` a value out of range or of the wrong kind.
fn value_for(k: &Knob, rng: &mut SimRng, hostile: bool) -> String {
    if hostile {
        const GARBAGE: [&str; 12] = [
            "-1",
            "NaN",
            "inf",
            "",
            "abc",
            "1e400",
            "4294967296",
            "18446744073709551616",
            "0.5",
            "true",
            "９",
            "99999999999999999999999",
        ];
        return match rng.below(3) {
            0 => GARBAGE[rng.below(GARBAGE.len() as u64) as usize].to_string(),
            _ => match k.static_bounds() {
                Some((_, hi)) if rng.chance(0.5) => format!("{}", (hi + 1.0).floor() * 2.0),
                Some((lo, _)) => format!("{}", lo - 1.0),
                None => "maybe".to_string(),
            },
        };
    }
    k.sample(rng)
}

/// A refusal says what it refuses and what is allowed.
fn assert_explained(lab: &str, key: &str, text: &str, p: &Problem) {
    match p {
        Problem::UnknownKey(k) => panic!("{lab}: a knob of the table is unknown: {k}"),
        Problem::BadValue {
            key: k, expected, ..
        } => {
            assert!(!k.is_empty(), "{lab} {key}={text}: no field");
            assert!(
                !expected.to_string().is_empty(),
                "{lab} {key}={text}: nothing said of what is expected"
            );
        }
        Problem::Invalid(e) => {
            assert!(!e.field.is_empty(), "{lab} {key}={text}: no field: {e}");
            assert!(
                !e.allowed.is_empty(),
                "{lab} {key}={text}: no range or rule: {e}"
            );
            assert!(
                e.got.chars().count() <= 64,
                "{lab}: a long value echoed: {e}"
            );
        }
        other => panic!("{lab} {key}={text}: {other:?}"),
    }
}

/// Random params of `lab`: up to `n` knobs set one after another through the same path as the
/// page and `--set`; every refusal checked.
fn random_params(lab: &dyn AnyLab, rng: &mut SimRng, n: usize, hostile: bool) -> Value {
    let knobs = lab.knobs();
    let mut p = lab.defaults();
    for _ in 0..n {
        let k = &knobs[rng.below(knobs.len() as u64) as usize];
        let bad = hostile && rng.chance(0.3);
        let text = value_for(k, rng, bad);
        match lab.set(&p, &k.key, &text) {
            Ok(v) => p = v,
            Err(e) => assert_explained(lab.id(), &k.key, &text, &e),
        }
    }
    p
}

#[test]
fn links_round_trip_for_every_lab() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let n = cases("FUZZ_CASES", 60);
    for lab in all() {
        let mut rng = SimRng::new(0x11_2233 ^ lab.id().len() as u64);
        for case in 0..n {
            let p = random_params(lab, &mut rng, 6, false);
            let seed = rng.next_u64();
            let q = lab.to_query(&p, seed);
            let (back, got_seed, problems) = lab.parse_query(&q);
            assert!(
                problems.is_empty(),
                "{} case {case}: {q}: {problems:?}",
                lab.id()
            );
            assert_eq!(back, p, "{} case {case}: {q}", lab.id());
            assert_eq!(got_seed, Some(seed));
        }
    }
}

#[test]
fn hostile_links_and_values_never_panic_and_every_refusal_explains_itself() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let n = cases("FUZZ_CASES", 60);
    for lab in all() {
        let mut rng = SimRng::new(0x5eed ^ lab.id().len() as u64);
        for _ in 0..n {
            random_params(lab, &mut rng, 8, true);
            // A link of random bytes, keys and values.
            let len = rng.below(300) as usize;
            let q: String = (0..len)
                .map(|_| {
                    let b = rng.below(96) as u8 + 32;
                    if rng.chance(0.1) {
                        '&'
                    } else if rng.chance(0.1) {
                        '='
                    } else {
                        b as char
                    }
                })
                .collect();
            let (_, _, problems) = lab.parse_query(&q);
            for p in problems {
                if let Problem::Invalid(e) = &p {
                    assert!(!e.allowed.is_empty(), "{}: {q}: {e}", lab.id());
                }
            }
            // Params files of the wrong shape.
            for v in [
                serde_json::json!([]),
                serde_json::json!({"nope": 1}),
                serde_json::json!(7),
                serde_json::json!({"traffic": [1, 2]}),
            ] {
                match lab.decode(v) {
                    Err(DecodeError::Shape { message, .. }) => assert!(!message.is_empty()),
                    Err(DecodeError::Invalid(e)) => assert!(!e.allowed.is_empty()),
                    Ok(_) => {}
                }
            }
        }
    }
}

/// Most work one frame does beyond its budget: one event (a message fanned out to a group, a
/// poll, a cluster change) may take it past.
const FRAME_BUDGET: u64 = 200_000;

#[test]
fn accepted_params_stay_within_their_cost() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let n = cases("FUZZ_RUNS", 12);
    let mut worst: Vec<(String, f64, u64, u64)> = Vec::new();
    for lab in all() {
        let mut rng = SimRng::new(0xc057 ^ lab.id().len() as u64);
        for case in 0..n {
            let p = random_params(lab, &mut rng, 10, false);
            let cost = lab.cost(&p).expect("valid params");
            if cost.admit(&p, PAGE_BUDGET_BYTES).is_err() {
                continue; // the page refuses it; the command line's budget is another test
            }
            let base = counting_alloc::start();
            let mut run = lab.start(&p, case).expect("valid params run");
            let mut most = 0u64;
            for frame in 0..6u64 {
                let w0 = run.work();
                match run.extent() {
                    // A frame at 1000x: 16 virtual seconds.
                    Extent::Timed => {
                        run.advance_to((frame + 1) * 16_000_000_000, FRAME_BUDGET);
                    }
                    Extent::Items { .. } => {
                        if run.advance(FRAME_BUDGET) == Advance::Reached {
                            break;
                        }
                    }
                }
                most = most.max(run.work() - w0);
            }
            let peak = counting_alloc::peak_since(base);
            assert!(
                peak <= cost.memory(),
                "{} case {case}: peak {} MB over the model's {} MB: {p}",
                lab.id(),
                peak >> 20,
                cost.memory() >> 20
            );
            assert!(
                most <= 2 * FRAME_BUDGET,
                "{} case {case}: a frame did {most} units of work: {p}",
                lab.id()
            );
            worst.push((
                lab.id().to_string(),
                peak as f64 / cost.memory() as f64,
                peak,
                most,
            ));
            drop(run);
        }
    }
    // What the runs used against what the model said, for the record.
    worst.sort_by(|a, b| b.1.total_cmp(&a.1));
    for (id, share, peak, most) in worst.iter().take(5) {
        eprintln!(
            "{id}: peak {:.1} MB = {:.0}% of the model; most work in a frame {most}",
            *peak as f64 / 1e6,
            share * 100.0
        );
    }
}

/// Issue 11's settings that lost a value on reload: reached one key at a time through the form,
/// written as a link and read back, they are the same params.
#[test]
fn the_settings_that_lost_a_value_on_reload_round_trip() {
    let cases: [(&str, &[(&str, &str)]); 5] = [
        ("chat", &[("members_per_group", "40"), ("groups", "2500")]),
        (
            "queue",
            &[
                ("brokers", "5"),
                ("replication_factor", "5"),
                ("min_insync_replicas", "4"),
            ],
        ),
        (
            "limiter",
            &[
                ("traffic.pattern", "boundary_burst"),
                ("traffic.burst_width_ms", "50"),
                ("traffic.burst_period_ms", "100"),
            ],
        ),
        (
            "cache",
            &[("burst_width_ms", "10"), ("burst_every_ms", "15")],
        ),
        (
            "flash-sale",
            &[("stock", "50000"), ("db_writes_per_s", "1")],
        ),
    ];
    for (id, steps) in cases {
        let lab = flowlab_sim::labs::by_id(id).expect("a lab");
        let mut p = lab.defaults();
        for (k, v) in steps {
            p = lab
                .set(&p, k, v)
                .unwrap_or_else(|e| panic!("{id} {k}={v}: {e:?}"));
        }
        let q = lab.to_query(&p, 7);
        let (back, seed, problems) = lab.parse_query(&q);
        assert!(problems.is_empty(), "{id}: {q}: {problems:?}");
        assert_eq!(back, p, "{id}: {q}");
        assert_eq!(seed, Some(7));
    }
    // A link whose values break a rule together is refused naming a field the link set, with the
    // value the link gave.
    let chat = flowlab_sim::labs::by_id("chat").unwrap();
    let (_, _, problems) = chat.parse_query("groups=2500&members_per_group=5000");
    assert_eq!(problems.len(), 1, "{problems:?}");
    let Problem::Invalid(e) = &problems[0] else {
        panic!("{problems:?}")
    };
    assert!(
        (e.field == "groups" && e.got == "2500")
            || (e.field == "members_per_group" && e.got == "5000"),
        "{e:?}"
    );
}

/// Issue 11's heavy params: the chat settings that crashed the page at the wasm limit, and a flash
/// sale whose consumers all wake for every order, either are refused by the page's budget or run
/// within the cost model's memory with every frame at 1000x within its work budget.
#[test]
fn the_heavy_params_of_the_issue_run_within_their_budget() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // Frames at 1000x (16 virtual seconds each); a debug build runs fewer of them.
    let frames = if cfg!(debug_assertions) { 8 } else { 60 };
    let cases: [(&str, &[(&str, &str)]); 3] = [
        (
            "chat",
            &[
                ("groups", "20"),
                ("members_per_group", "5000"),
                ("msg_rate_per_s", "10000"),
                ("group_zipf", "0"),
                ("push_fail_prob", "0.35"),
                ("ack_loss_prob", "0.6"),
                ("online_mean_ms", "3600000"),
            ],
        ),
        (
            "flash-sale",
            &[
                ("unsafe_check", "true"),
                ("consumers", "10000"),
                ("partitions", "10000"),
            ],
        ),
        (
            "flash-sale",
            &[
                ("unsafe_check", "true"),
                ("unsafe_gap_us", "10000000"),
                ("token_rate_per_s", "100000000"),
                ("burst", "100000000"),
            ],
        ),
    ];
    for (id, steps) in cases {
        let lab = flowlab_sim::labs::by_id(id).expect("a lab");
        let mut p = lab.defaults();
        for (k, v) in steps {
            p = lab
                .set(&p, k, v)
                .unwrap_or_else(|e| panic!("{id} {k}={v}: {e:?}"));
        }
        let cost = lab.cost(&p).expect("valid params");
        if let Err(e) = cost.admit(&p, PAGE_BUDGET_BYTES) {
            assert!(!e.field.is_empty() && e.field != "the params", "{e}");
            continue;
        }
        let base = counting_alloc::start();
        let mut run = lab.start(&p, 3).expect("valid params run");
        let mut most = 0;
        for frame in 0..frames {
            let w0 = run.work();
            let done = match run.extent() {
                Extent::Timed => {
                    run.advance_to((frame + 1) * 16_000_000_000, FRAME_BUDGET);
                    false
                }
                Extent::Items { .. } => run.advance(FRAME_BUDGET) == Advance::Reached,
            };
            most = most.max(run.work() - w0);
            if done {
                break;
            }
        }
        let peak = counting_alloc::peak_since(base);
        assert!(
            peak <= cost.memory(),
            "{id}: peak {peak} over the model's {}",
            cost.memory()
        );
        assert!(
            most <= 2 * FRAME_BUDGET,
            "{id}: a frame did {most} units of work"
        );
        eprintln!(
            "{id}: peak {:.1} MB of the model's {:.1} MB; most work in a frame {most}",
            peak as f64 / 1e6,
            cost.memory() as f64 / 1e6
        );
    }
}
