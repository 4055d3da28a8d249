use flowlab_sim::kernel::time::secs;
use flowlab_sim::limiter::{presets, LimiterLab, Algo};
use flowlab_sim::Model;
fn main() {
    for p in presets::all() {
        let mut m = LimiterLab::new(p.params.clone(), p.seed).unwrap();
        m.run_to(secs(30));
        println!("== {} arrived {}", p.id, m.arrived());
        for a in Algo::ALL {
            let l = m.lane(a);
            let d = l.delay.percentiles();
            println!("{:?}: acc {} rej {} maxW {} (nominal {:.1}) over {} delay p50 {}ms p99 {}ms max {}ms", a, l.accepted, l.rejected, l.max_in_window, l.nominal_limit(), l.over_limit, d.p50_ns/1_000_000, d.p99_ns/1_000_000, d.max_ns/1_000_000);
        }
    }
}
