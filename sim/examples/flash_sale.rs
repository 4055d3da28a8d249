//! Runs the flash sale and prints its report and speed:
//! `cargo run --release -p flowlab-sim --example flash_sale [users] [unsafe]`.
use flowlab_sim::scenario::flash_sale::{run, FlashSaleParams};

// Wall-clock timing of a run, outside the model.
#[allow(clippy::disallowed_methods)]
fn main() {
    let mut args = std::env::args().skip(1);
    let users: u64 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000_000);
    let unsafe_check = args.next().as_deref() == Some("unsafe");
    let p = FlashSaleParams {
        users,
        unsafe_check,
        ..Default::default()
    };
    let t0 = std::time::Instant::now();
    let r = run(&p, 1, |_| {}).unwrap();
    let s = t0.elapsed().as_secs_f64();
    println!("{r:#?}");
    println!(
        "{users} users in {s:.3} s: {:.1} M requests/s",
        users as f64 / s / 1e6
    );
}
