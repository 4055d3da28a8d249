//! Browser benchmark (headless Chromium, release wasm): the full flash sale and the limiter-queue
//! reference model, timed with `performance.now()`. Ignored by `make test`; run by
//! `make bench-browser`, which prints the figures.
//!
//! Each run is timed three times in the same page: the first includes V8 compiling the hot loop
//! with its baseline compiler and tiering it up to optimised code part way; the other two run
//! optimised code from the start (what the page runs after its first few frames).
#![cfg(target_arch = "wasm32")]

use flowlab_sim::scenario::flash_sale::{self, FlashSaleParams};
use flowlab_sim::scenario::limiter_queue::{self, LimiterQueueParams};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn now_ms() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

#[wasm_bindgen_test]
#[ignore]
fn bench_flash_sale_full_scale() {
    let p = FlashSaleParams::default();
    for round in 1..=3 {
        let t0 = now_ms();
        let r = flash_sale::run(&p, 1, |_| {}).unwrap();
        let s = (now_ms() - t0) / 1000.0;
        console_log!(
            "BENCH flash_sale round={round} users={} wall_s={:.3} M_requests_per_s={:.1} success={} oversold={}",
            p.users,
            s,
            p.users as f64 / s / 1e6,
            r.success,
            r.oversold
        );
        assert_eq!(r.success + r.sold_out + r.rejected, p.users);
    }
}

#[wasm_bindgen_test]
#[ignore]
fn bench_limiter_queue() {
    let p = LimiterQueueParams {
        requests: 30_000_000,
        ..LimiterQueueParams::default()
    };
    for round in 1..=3 {
        let t0 = now_ms();
        let r = limiter_queue::run(&p, 1, |_| {}).unwrap();
        let s = (now_ms() - t0) / 1000.0;
        console_log!(
            "BENCH limiter_queue round={round} requests={} wall_s={:.3} M_requests_per_s={:.1} completed={}",
            p.requests,
            s,
            p.requests as f64 / s / 1e6,
            r.completed
        );
    }
}
