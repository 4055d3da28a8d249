//! Peak heap of a run beside the estimate of the lab's cost model.
//!
//! - `cargo run --release -p flowlab-sim --example peak_memory -- <lab> <seconds> [key=value ...]`
//!   runs the given params for `seconds` virtual seconds (labs with their own end: to the end).
//! - `... --example peak_memory -- --heaviest [seconds] [wall_s]` searches, for every lab, the
//!   params the page accepts (512 MB) that the model says need most memory (random params drawn
//!   from the knob tables, then each knob pushed up while the page still accepts), runs them for
//!   `seconds` virtual seconds (default 120) or `wall_s` seconds of wall time (default 60),
//!   whichever comes first, and prints a Markdown table row per lab (BENCHMARKS.md).

use flowlab_sim::kernel::cost::PAGE_BUDGET_BYTES;
use flowlab_sim::kernel::lab::Extent;
use flowlab_sim::kernel::rng::SimRng;
use flowlab_sim::kernel::time::NS_PER_S;
use flowlab_sim::labs::{all, by_id, AnyLab};
use flowlab_sim::Advance;
use serde_json::Value;

#[path = "../tests/support/counting_alloc.rs"]
mod counting_alloc;

/// What a run measured.
struct Measured {
    peak: u64,
    virtual_s: f64,
    wall_s: f64,
    most_work: u64,
}

/// Runs `p` frame by frame (16 virtual ms each, as the page at 1x, at most 200,000 units of work)
/// to `until_s` virtual seconds or `wall_s` of wall time.
#[allow(clippy::disallowed_methods)] // the wall-time limit of a benchmark, not the engine's time
fn measure(lab: &dyn AnyLab, p: &Value, until_s: f64, wall_s: f64) -> Measured {
    let base = counting_alloc::start();
    let started = std::time::Instant::now();
    let mut run = lab.start(p, 1).expect("valid params");
    let until = (until_s * NS_PER_S as f64) as u64;
    let mut most_work = 0;
    while started.elapsed().as_secs_f64() < wall_s {
        let w0 = run.work();
        let done = match run.extent() {
            Extent::Timed => {
                let t = (run.now() + 16_000_000).min(until);
                run.advance_to(t, 200_000) == Advance::Reached && run.now() >= until
            }
            Extent::Items { .. } => run.advance(200_000) == Advance::Reached,
        };
        most_work = most_work.max(run.work() - w0);
        if done {
            break;
        }
    }
    Measured {
        peak: counting_alloc::peak_since(base),
        virtual_s: run.now() as f64 / NS_PER_S as f64,
        wall_s: started.elapsed().as_secs_f64(),
        most_work,
    }
}

/// The model's memory for `p`, if the page accepts `p`.
fn accepted(lab: &dyn AnyLab, p: &Value) -> Option<u64> {
    let cost = lab.cost(p).ok()?;
    cost.admit(p, PAGE_BUDGET_BYTES).ok()?;
    Some(cost.memory())
}

/// The params the page accepts that the model says need most memory.
fn heaviest(lab: &dyn AnyLab) -> Value {
    let knobs = lab.knobs();
    let mut rng = SimRng::new(0x4ea7);
    let mut best = lab.defaults();
    let mut best_mem = accepted(lab, &best).unwrap_or(0);
    for _ in 0..4000 {
        let mut p = lab.defaults();
        for _ in 0..knobs.len() * 2 {
            let k = &knobs[rng.below(knobs.len() as u64) as usize];
            if let Ok(q) = lab.set(&p, &k.key, &k.sample(&mut rng)) {
                p = q;
            }
        }
        if let Some(m) = accepted(lab, &p) {
            if m > best_mem {
                (best, best_mem) = (p, m);
            }
        }
    }
    // Push each numeric knob up by halving steps toward its top while the page still accepts.
    for _ in 0..3 {
        for k in &knobs {
            let Some((_, hi)) = k.static_bounds() else {
                continue;
            };
            let mut step = 0.5;
            while step > 1e-3 {
                let now: f64 = best_value(&best, &k.key).unwrap_or(hi);
                let next = now + (hi - now) * step;
                let text = if matches!(k.kind, flowlab_sim::kernel::knobs::Kind::Int { .. }) {
                    format!("{}", next.round())
                } else {
                    format!("{next}")
                };
                match lab
                    .set(&best, &k.key, &text)
                    .ok()
                    .and_then(|q| accepted(lab, &q).map(|m| (q, m)))
                {
                    Some((q, m)) if m > best_mem => (best, best_mem) = (q, m),
                    _ => step /= 2.0,
                }
                if (hi - now).abs() < 1e-9 {
                    break;
                }
            }
        }
    }
    best
}

/// The number at dotted `key` of `params`.
fn best_value(params: &Value, key: &str) -> Option<f64> {
    key.split('.').try_fold(params, |v, k| v.get(k))?.as_f64()
}

/// The params that differ from the defaults, as `key=value` list.
fn changed(lab: &dyn AnyLab, p: &Value) -> String {
    let q = lab.to_query(p, 1);
    q.split('&')
        .filter(|kv| !kv.starts_with("seed="))
        .collect::<Vec<_>>()
        .join(" ")
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--heaviest") {
        let secs: f64 = args.get(1).map_or(120.0, |s| s.parse().expect("seconds"));
        let wall: f64 = args
            .get(2)
            .map_or(60.0, |s| s.parse().expect("wall seconds"));
        println!("| lab | params (beyond the defaults) | model MB | measured peak MB | run |");
        println!("|---|---|---:|---:|---|");
        for lab in all() {
            let p = heaviest(lab);
            let model = lab.cost(&p).expect("valid").memory();
            let m = measure(lab, &p, secs, wall);
            println!(
                "| {} | `{}` | {:.1} | {:.1} | {:.1} virtual s in {:.0} s, most work in a frame {} |",
                lab.id(),
                changed(lab, &p),
                model as f64 / 1e6,
                m.peak as f64 / 1e6,
                m.virtual_s,
                m.wall_s,
                m.most_work
            );
        }
        return;
    }
    let lab = by_id(&args[0]).expect("a lab id");
    let secs: f64 = args[1].parse().expect("seconds");
    let mut p = lab.defaults();
    for kv in &args[2..] {
        let (k, v) = kv.split_once('=').expect("key=value");
        p = lab.set(&p, k, v).unwrap_or_else(|e| panic!("{kv}: {e:?}"));
    }
    let m = measure(lab, &p, secs, f64::INFINITY);
    let cost = lab.cost(&p).expect("valid");
    println!(
        "{} peak_heap_mb={:.1} model_mb={:.1} virtual_s={:.1} wall_s={:.1} max_work_per_frame={} model_work_per_s={}",
        args[0],
        m.peak as f64 / 1e6,
        cost.memory() as f64 / 1e6,
        m.virtual_s,
        m.wall_s,
        m.most_work,
        cost.work_per_s
    );
}
