//! Times the limiter-queue reference model: `cargo run --release -p flowlab-sim --example limiter_queue_speed [N]`.
use flowlab_sim::scenario::limiter_queue::{run, LimiterQueueParams};

// Wall-clock timing of a run, outside the model: the one place sim/ may read the clock.
#[allow(clippy::disallowed_methods)]
fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000_000);
    let p = LimiterQueueParams {
        requests: n,
        ..Default::default()
    };
    let t0 = std::time::Instant::now();
    let r = run(&p, 1, |_| {}).unwrap();
    let secs = t0.elapsed().as_secs_f64();
    println!("{r:?}");
    println!(
        "{n} requests in {secs:.3} s: {:.1} M requests/s",
        n as f64 / secs / 1e6
    );
}
