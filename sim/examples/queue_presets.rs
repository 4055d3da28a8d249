//! Runs every queue preset for 30 virtual seconds and prints its checker counts:
//! `cargo run --release -p flowlab-sim --example queue_presets`.

use flowlab_sim::kernel::time::NS_PER_S;
use flowlab_sim::queue::{presets, QueueLab};
use flowlab_sim::Model;

fn main() {
    for p in presets::all() {
        let mut m = QueueLab::new(p.params.clone(), p.seed).expect("preset params are valid");
        m.run_to(30 * NS_PER_S);
        let s = m.stats();
        let e = s.e2e_latency.percentiles();
        println!(
            "{:24} sent {:6} acked {:6} failed {:4} lost {:4} req {:6} retries {:4} dupW {:4} dupD {:4} dupP {:4} dedup {:4} order {:4} dlq {} exp {} trunc {} elect {} unclean {} lag {:5} idle {} p50 {:.1}ms p99 {:.1}ms dropped {}",
            p.id, s.sent, s.acked, s.failed_visibly, s.lost, s.requests, s.retries, s.dup_written,
            s.dup_delivered, s.dup_processed, s.deduped, s.order_violations, s.dead_lettered,
            s.expired, s.truncated, s.elections, s.unclean_elections, m.total_lag(), m.idle_members(),
            e.p50_ns as f64 / 1e6, e.p99_ns as f64 / 1e6, s.dropped_events
        );
        let quiet = m.quiesce(120 * NS_PER_S);
        println!(
            "    quiesced {quiet}: {:?} lost-now {}",
            m.final_check(),
            m.stats().lost
        );
    }
}
