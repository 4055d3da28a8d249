//! Every lab's params space, links and params values, driven from the knob tables (issue 11):
//! - links round-trip: valid params written as a link and read back are the same params;
//! - no input panics; every refusal names its field and says what is allowed (a range or a rule);
//! - params the page accepts stay within the cost model's memory when run for a few frames
//!   (peak heap measured with a counting allocator), and no frame does more than its work budget
//!   beyond one event.
//!
//! `make test` runs a fast subset; `FUZZ_CASES=100000 cargo test --release -p flowlab-sim --test
//! fuzz` (`make fuzz`) the long run.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use flowlab_sim::kernel::cost::PAGE_BUDGET_BYTES;
use flowlab_sim::kernel::knobs::{Kind, Knob};
use flowlab_sim::kernel::lab::Extent;
use flowlab_sim::kernel::query::Problem;
use flowlab_sim::kernel::rng::SimRng;
use flowlab_sim::labs::{all, AnyLab, DecodeError};
use flowlab_sim::Advance;
use serde_json::Value;

struct Counting;
static CUR: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            let now = CUR.fetch_add(l.size(), Ordering::Relaxed) + l.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        CUR.fetch_sub(l.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, l, new) };
        if !q.is_null() {
            if new > l.size() {
                let now = CUR.fetch_add(new - l.size(), Ordering::Relaxed) + new - l.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                CUR.fetch_sub(l.size() - new, Ordering::Relaxed);
            }
        }
        q
    }
}

#[global_allocator]
static A: Counting = Counting;

/// Measurements of heap use must not overlap: the tests of this file take turns.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Cases per lab (the environment's `FUZZ_CASES` overrides, for the long run).
fn cases(default: u64) -> u64 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// A value for `knob`: in range (spread over orders of magnitude, and the edges) most of the time,
/// `hostile` a value out of range or of the wrong kind.
fn value_for(k: &Knob, rng: &mut SimRng, hostile: bool) -> String {
    if hostile {
        const GARBAGE: [&str; 12] = [
            "-1", "NaN", "inf", "", "abc", "1e400", "4294967296", "18446744073709551616", "0.5",
            "true", "９", "99999999999999999999999",
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
    match &k.kind {
        Kind::Int { lo, hi } => {
            let (lo, hi) = (*lo, *hi);
            let v = match rng.below(4) {
                0 => lo,
                1 => hi,
                _ => {
                    // Log-uniform between lo and hi, so big values come up as often as small.
                    let span = (hi - lo) as f64 + 1.0;
                    let x = (span.ln() * rng.unit_f64()).exp() - 1.0;
                    lo + (x as u64).min(hi - lo)
                }
            };
            v.to_string()
        }
        Kind::Real { lo, hi, .. } => match rng.below(4) {
            0 => format!("{lo}"),
            1 => format!("{hi}"),
            _ => format!("{}", lo + (hi - lo) * rng.unit_f64()),
        },
        Kind::Switch => rng.chance(0.5).to_string(),
        Kind::Choice { options } => options[rng.below(options.len() as u64) as usize]
            .value
            .to_string(),
    }
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
            assert!(e.got.chars().count() <= 64, "{lab}: a long value echoed: {e}");
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
    let n = cases(60);
    for lab in all() {
        let mut rng = SimRng::new(0x11_2233 ^ lab.id().len() as u64);
        for case in 0..n {
            let p = random_params(lab, &mut rng, 6, false);
            let seed = rng.next_u64();
            let q = lab.to_query(&p, seed);
            let (back, got_seed, problems) = lab.parse_query(&q);
            assert!(problems.is_empty(), "{} case {case}: {q}: {problems:?}", lab.id());
            assert_eq!(back, p, "{} case {case}: {q}", lab.id());
            assert_eq!(got_seed, Some(seed));
        }
    }
}

#[test]
fn hostile_links_and_values_never_panic_and_every_refusal_explains_itself() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let n = cases(60);
    for lab in all() {
        let mut rng = SimRng::new(0x5eed ^ lab.id().len() as u64);
        for _ in 0..n {
            random_params(lab, &mut rng, 8, true);
            // A link of random bytes, keys and values.
            let len = rng.below(300) as usize;
            let q: String = (0..len)
                .map(|_| {
                    let b = rng.below(96) as u8 + 32;
                    if rng.chance(0.1) { '&' } else if rng.chance(0.1) { '=' } else { b as char }
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
    let n = cases(12);
    let mut worst: Vec<(String, f64, u64, u64)> = Vec::new();
    for lab in all() {
        let mut rng = SimRng::new(0xc057 ^ lab.id().len() as u64);
        for case in 0..n {
            let p = random_params(lab, &mut rng, 10, false);
            let cost = lab.cost(&p).expect("valid params");
            if cost.admit(&p, PAGE_BUDGET_BYTES).is_err() {
                continue; // the page refuses it; the command line's budget is another test
            }
            let base = CUR.load(Ordering::Relaxed);
            PEAK.store(base, Ordering::Relaxed);
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
            let peak = (PEAK.load(Ordering::Relaxed) - base) as u64;
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
            worst.push((lab.id().to_string(), peak as f64 / cost.memory() as f64, peak, most));
            drop(run);
        }
    }
    // What the runs used against what the model said, for the record.
    worst.sort_by(|a, b| b.1.total_cmp(&a.1));
    for (id, share, peak, most) in worst.iter().take(5) {
        eprintln!("{id}: peak {:.1} MB = {:.0}% of the model; most work in a frame {most}", *peak as f64 / 1e6, share * 100.0);
    }
}
