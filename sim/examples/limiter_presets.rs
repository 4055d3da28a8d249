//! Prints each preset's lane stats after 30 virtual seconds: accepted, rejected, most accepted in a
//! compare window against the nominal limit, and the delay percentiles.
//!
//! `cargo run -q -p flowlab-sim --example limiter_presets`

use flowlab_sim::kernel::time::{secs, NS_PER_MS};
use flowlab_sim::limiter::{presets, Algo, LimiterLab};
use flowlab_sim::Model;

fn main() {
    for p in presets::all() {
        let mut m = LimiterLab::new(p.params.clone(), p.seed).expect("presets are valid");
        m.run_to(secs(30));
        println!("== {} arrived {}", p.id, m.arrived());
        for a in Algo::ALL {
            let l = m.lane(a);
            let d = l.delay.percentiles();
            println!(
                "{:?}: acc {} rej {} maxW {} (nominal {:.1}) over {} delay p50 {}ms p99 {}ms max {}ms",
                a,
                l.accepted,
                l.rejected,
                l.max_in_window,
                l.nominal_limit(),
                l.over_limit,
                d.p50_ns / NS_PER_MS,
                d.p99_ns / NS_PER_MS,
                d.max_ns / NS_PER_MS
            );
        }
    }
}
