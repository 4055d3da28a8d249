//! Each preset of the rate-limiter lab shows one effect (see the doc comment of each preset in
//! `limiter::presets`); these tests assert that it does, with the preset's own params, on every one
//! of [`common::SEEDS`] (and of [`common::LONG_SEEDS`] in `make test-long`).

mod common;
use common::{every_claim, on_seeds, LONG_SEEDS, SEEDS};

use flowlab_sim::kernel::time::{ms, secs, Nanos, NS_PER_S};
use flowlab_sim::kernel::traffic::{Pattern, TrafficGen};
use flowlab_sim::limiter::algo::{FixedWindow, TokenBucket};
use flowlab_sim::limiter::presets::{self, Preset};
use flowlab_sim::limiter::{Algo, LaneStats, LimiterLab, Verdict};
use flowlab_sim::Model;

fn run(p: &Preset, seed: u64, until: Nanos) -> LimiterLab {
    let mut lab = LimiterLab::new(p.params.clone(), seed).expect("presets are valid");
    lab.run_to(until);
    assert!(lab.accounted(), "{}: not every request accounted for", p.id);
    lab
}

/// Accepted in `[from, to)`, from the lane's chart series (both ends must be on bucket edges).
fn accepted_between(lane: &LaneStats, from: Nanos, to: Nanos) -> u64 {
    let b = lane.accepted_series.bucket_ns();
    assert!(
        from % b == 0 && to % b == 0,
        "[{from}, {to}) is not on {b} ns bucket edges"
    );
    let first = lane.accepted_series.points().next().map_or(0, |(t, _)| t);
    assert!(first <= from, "the series no longer holds {from}");
    lane.accepted_series
        .points()
        .filter(|&(t, _)| t >= from && t < to)
        .map(|(_, v)| v)
        .sum()
}

/// The preset's arrival times up to `until` (the same stream the lab is fed).
fn arrivals(p: &Preset, seed: u64, until: Nanos) -> Vec<Nanos> {
    let mut g = TrafficGen::new(&p.params.traffic, seed);
    std::iter::from_fn(|| g.next_arrival())
        .map(|a| a.at)
        .take_while(|&t| t <= until)
        .collect()
}

/// The most times of a sorted list inside any window `(t - w, t]`.
fn most_in_window(sorted: &[Nanos], w: Nanos) -> usize {
    let mut i = 0;
    let mut best = 0;
    for (j, &t) in sorted.iter().enumerate() {
        while sorted[i] + w <= t {
            i += 1;
        }
        best = best.max(j - i + 1);
    }
    best
}

#[test]
fn every_preset_is_valid_unique_and_tested_here() {
    let ids: Vec<&str> = presets::all().iter().map(|p| p.id).collect();
    assert_eq!(
        ids,
        [
            "boundary_burst",
            "token_burst",
            "leaky_smooth",
            "raise_token_rate"
        ],
        "a new preset needs a test here"
    );
    for p in presets::all() {
        assert!(
            LimiterLab::new(p.params.clone(), p.seed).is_ok(),
            "{} is invalid",
            p.id
        );
        assert_eq!(presets::by_id(p.id).map(|q| q.params), Some(p.params));
    }
    assert!(presets::by_id("no_such_preset").is_none());
}

fn fixed_window_passes_twice_its_limit_across_an_edge(seed: u64) {
    let p = presets::boundary_burst();
    let until = secs(60);
    let lab = run(&p, seed, until);
    let limit = p.params.fixed_window.limit as u64;
    let window = ms(p.params.fixed_window.window_ms as u64);
    assert_eq!(ms(p.params.compare_window_ms as u64), window);

    // Across an edge: about twice the limit in one window of length W...
    let fixed = lab.lane(Algo::FixedWindow);
    assert!(
        fixed.max_in_window * 10 >= limit * 18,
        "fixed window: at most {} in a window, limit {limit}",
        fixed.max_in_window
    );
    assert!(fixed.over_limit > 0);
    // ...while no aligned window [kW, (k+1)W) ever held more than the limit, and some were full.
    let per_window: Vec<u64> = (0..until / window)
        .map(|k| accepted_between(fixed, k * window, (k + 1) * window))
        .collect();
    assert!(
        per_window.iter().all(|&n| n <= limit),
        "aligned windows: {per_window:?}"
    );
    assert!(
        per_window.iter().filter(|&&n| n == limit).count() >= 10,
        "aligned windows: {per_window:?}"
    );

    // The doc's figure: about 20 let through within 0.2 s (re-run over the same stream).
    let times = arrivals(&p, seed, until);
    assert_eq!(times.len() as u64, lab.arrived());
    let mut f = FixedWindow::new(limit as u32, window);
    let accepted: Vec<Nanos> = times
        .iter()
        .copied()
        .filter(|&t| f.offer(t) == Verdict::Accept)
        .collect();
    assert_eq!(accepted.len() as u64, fixed.accepted);
    let in_burst = most_in_window(&accepted, ms(p.params.traffic.burst_width_ms as u64));
    assert!(
        in_burst as u64 * 10 >= limit * 18,
        "only {in_burst} let through within one burst width"
    );

    let log = lab.lane(Algo::SlidingLog);
    assert!(
        log.max_in_window <= p.params.sliding_log.limit as u64,
        "sliding log: {} in a window",
        log.max_in_window
    );
    assert_eq!(log.over_limit, 0);
    assert!(
        log.rejected > 0,
        "the bursts must have been cut by the sliding log"
    );
}

fn token_bucket_spends_its_store_then_holds_the_rate(seed: u64) {
    let p = presets::token_burst();
    let t = &p.params.traffic;
    assert_eq!(t.pattern, Pattern::OnOff);
    let tb = &p.params.token_bucket;
    let (burst, rate) = (tb.burst as usize, tb.rate_per_s as u64);
    let on = ms(t.on_ms as u64);
    let cycle = on + ms(t.off_ms as u64);
    let cycles = 10;
    let until = cycles * cycle;
    let lab = run(&p, seed, until);
    let lane = lab.lane(Algo::TokenBucket);

    // Per request, re-running the bucket over the same stream: at the start of each on-phase the
    // first `burst` requests all pass, within well under a second.
    let mut bucket = TokenBucket::new(tb.rate_per_s, tb.burst);
    let verdicts: Vec<(Nanos, Verdict)> = arrivals(&p, seed, until)
        .into_iter()
        .map(|a| (a, bucket.offer(a)))
        .collect();
    assert_eq!(
        verdicts
            .iter()
            .filter(|(_, v)| *v == Verdict::Accept)
            .count() as u64,
        lane.accepted
    );
    for k in 0..cycles {
        let start = k * cycle;
        let phase: Vec<&(Nanos, Verdict)> = verdicts
            .iter()
            .filter(|(a, _)| *a >= start && *a < start + cycle)
            .collect();
        assert!(
            phase.len() > 2 * burst,
            "on-phase {k}: only {} arrivals",
            phase.len()
        );
        assert!(
            phase[..burst].iter().all(|(_, v)| *v == Verdict::Accept),
            "on-phase {k}: one of the first {burst} was refused"
        );
        let last_of_burst = phase[burst - 1].0 - start;
        assert!(
            last_of_burst < ms(800),
            "on-phase {k}: the burst took {last_of_burst} ns"
        );
        // Over the whole phase: the stored tokens plus what the refill brings, no more; a little
        // less when the first arrival is late (the full bucket wastes what it refills meanwhile)
        // or the last early (what it refills after is spent in the next phase).
        let accepted = phase.iter().filter(|(_, v)| *v == Verdict::Accept).count() as u64;
        let most = burst as u64 + rate * on / NS_PER_S;
        assert!(
            accepted <= most && accepted * 10 >= most * 9,
            "on-phase {k}: {accepted} accepted, expected about {most}"
        );
    }

    // From the lab's chart: at least `burst` in the first second of each on-phase, more than twice
    // the refill rate; in the rest of the phase, the refill rate.
    let mut after_burst = 0;
    for k in 0..cycles {
        let start = k * cycle;
        let first_second = accepted_between(lane, start, start + secs(1));
        assert!(
            first_second >= burst as u64 && first_second > 2 * rate,
            "on-phase {k}: {first_second} in its first second"
        );
        after_burst += accepted_between(lane, start + secs(1), start + on);
    }
    let seconds = cycles * (on - secs(1)) / NS_PER_S;
    let per_s = after_burst as f64 / seconds as f64;
    assert!(
        (per_s - rate as f64).abs() <= 0.1 * rate as f64,
        "after the burst: {per_s:.2}/s, rate {rate}/s"
    );
}

fn leaky_bucket_smooths_delays_and_drops(seed: u64) {
    let p = presets::leaky_smooth();
    let t = &p.params.traffic;
    let lb = &p.params.leaky_bucket;
    let cycle = ms(t.on_ms as u64 + t.off_ms as u64);
    let cycles = 10;
    let until = cycles * cycle;
    let lab = run(&p, seed, until);
    let lane = lab.lane(Algo::LeakyBucket);
    let w = ms(p.params.compare_window_ms as u64);

    // The input is bursty...
    let times = arrivals(&p, seed, until);
    let input_peak = most_in_window(&times, w) as u64;
    assert!(
        input_peak >= 3 * lb.drain_per_s as u64,
        "input peaks at only {input_peak} per window"
    );
    // ...the output never exceeds the drain rate in any window, nor in any chart bar...
    let most = lb.drain_per_s as u64 * w / NS_PER_S;
    assert!(
        lane.max_in_window <= most,
        "{} let out in one window, drain {}/s",
        lane.max_in_window,
        lb.drain_per_s
    );
    assert_eq!(lane.over_limit, 0);
    let bar = lane.accepted_series.bucket_ns();
    let per_bar = lb.drain_per_s as u64 * bar / NS_PER_S;
    assert!(lane.accepted_series.max_value() <= per_bar);
    // ...and is steady while the queue is busy: exactly the drain rate in every bar from 0.6 s (the
    // queue has filled by then: 24 arrivals are due against 6 let out) to 2 s (1 s of input, then
    // the full queue emptying).
    for k in 0..cycles {
        let start = k * cycle;
        for b in (ms(600) / bar)..(secs(2) / bar) {
            let n = accepted_between(lane, start + b * bar, start + (b + 1) * bar);
            assert_eq!(n, per_bar, "cycle {k}, bar {b}: {n} let out");
        }
    }

    // It adds delay: p99 over a second, never more than a full queue's wait.
    let d = lane.delay.percentiles();
    assert_eq!(d.count, lane.accepted);
    let interval = NS_PER_S.div_ceil(lb.drain_per_s as u64);
    assert!(d.p99_ns > NS_PER_S, "p99 delay {} ns", d.p99_ns);
    assert!(
        d.max_ns <= lb.capacity as u64 * interval,
        "max delay {} ns",
        d.max_ns
    );
    // And it drops what does not fit in the queue.
    assert!(
        lane.rejected > 0 && lane.rejected * 10 >= lane.arrived,
        "{} of {} dropped",
        lane.rejected,
        lane.arrived
    );
}

fn accepted_rate_follows_a_raised_refill_at_once(seed: u64) {
    let p = presets::raise_token_rate();
    let tb = &p.params.token_bucket;
    let change = ms(tb.change_at_ms as u64);
    assert_eq!(change, secs(10));
    let until = secs(30);
    let lab = run(&p, seed, until);
    assert_eq!(lab.token_rate_per_s(), tb.changed_rate_per_s);
    let lane = lab.lane(Algo::TokenBucket);
    let rate_between =
        |a: u64, b: u64| accepted_between(lane, secs(a), secs(b)) as f64 / (b - a) as f64;

    let before = rate_between(2, 10);
    assert!(
        (before - tb.rate_per_s as f64).abs() <= 1.0,
        "{before:.2}/s before the change"
    );
    let after = rate_between(12, 30);
    let new = tb.changed_rate_per_s as f64;
    // The traffic is twice the new rate, so the bucket sets the rate: the new one.
    assert!(
        2 * tb.changed_rate_per_s <= p.params.traffic.rate_per_s,
        "the traffic must exceed the new rate"
    );
    assert!((after - new).abs() <= 1.0, "{after:.2}/s after the change");
    // At once: the second right after the change already runs at about the new rate.
    let first_second = rate_between(10, 11);
    assert!(
        first_second >= 0.8 * new,
        "{first_second}/s in the second after the change"
    );
}

#[test]
fn boundary_burst_on_every_seed() {
    on_seeds(SEEDS, fixed_window_passes_twice_its_limit_across_an_edge);
}

#[test]
fn token_burst_on_every_seed() {
    on_seeds(SEEDS, token_bucket_spends_its_store_then_holds_the_rate);
}

#[test]
fn leaky_smooth_on_every_seed() {
    on_seeds(SEEDS, leaky_bucket_smooths_delays_and_drops);
}

#[test]
fn raise_token_rate_on_every_seed() {
    on_seeds(SEEDS, accepted_rate_follows_a_raised_refill_at_once);
}

#[test]
#[ignore = "long: run by `make test-long`"]
fn every_claim_on_the_long_seeds() {
    every_claim(
        LONG_SEEDS,
        &[
            (
                "boundary_burst",
                fixed_window_passes_twice_its_limit_across_an_edge,
            ),
            (
                "token_burst",
                token_bucket_spends_its_store_then_holds_the_rate,
            ),
            ("leaky_smooth", leaky_bucket_smooths_delays_and_drops),
            (
                "raise_token_rate",
                accepted_rate_follows_a_raised_refill_at_once,
            ),
        ],
    );
}
