//! Prints each cache preset's per-lane figures after 10 virtual seconds (or `--until-s N`).
use flowlab_sim::cache::{presets, CacheLab};
use flowlab_sim::kernel::time::NS_PER_MS;
use flowlab_sim::Model;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let until_s: u64 = args
        .iter()
        .position(|a| a == "--until-s")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let ms = |ns: u64| ns as f64 / NS_PER_MS as f64;
    for p in presets::all() {
        let mut lab = CacheLab::new(p.params.clone(), p.seed).unwrap();
        lab.run_to(until_s * 1_000 * NS_PER_MS);
        println!(
            "== {} arrivals {} dropped_events {}",
            p.id,
            lab.arrivals(),
            lab.dropped_events()
        );
        for i in 0..lab.lane_count() {
            let s = lab.stats(i);
            let r = s.read_latency.percentiles();
            println!(
                "  {:<28} hit {:>5.1}% db {:>6} peak {:>6}/s over {:>5.0} ms timeouts {:>5} stale {:>6} (max {:>7.1} ms) lost {:>4} loads/fill {:>3} moved {:>6} read p50 {:>6.2} p99 {:>7.2} write p50 {:>6.2} ms",
                format!("{:?}", s.kind),
                100.0 * s.hit_ratio(),
                s.db_queries,
                s.peak_db_qps,
                ms(s.overload_ns),
                s.db_timeouts,
                s.stale_reads,
                ms(s.max_staleness_ns),
                s.lost_writes,
                s.max_loads_per_fill,
                s.keys_moved,
                ms(r.p50_ns.min(r.max_ns)),
                ms(r.p99_ns.min(r.max_ns)),
                ms(s.write_latency.percentiles().p50_ns),
            );
        }
    }
}
