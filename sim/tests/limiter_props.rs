//! Property tests of the rate limiters: the bound each algorithm promises holds for any parameters
//! and any arrival stream (hand-made bursts and the lab's own traffic generators), each algorithm
//! refuses only when its bound forces it to, and the lab model accounts for every request, agrees
//! with the bare algorithms, and gives the same run however it is stepped.

use flowlab_sim::kernel::time::{ms, Nanos, NS_PER_MS, NS_PER_S};
use flowlab_sim::kernel::traffic::{KeyChoice, Pattern, TrafficGen, TrafficParams};
use flowlab_sim::limiter::algo::{
    FixedWindow, LeakyBucket, SlidingCounter, SlidingLog, TokenBucket,
};
use flowlab_sim::limiter::{
    Algo, LeakyBucketParams, LimiterLab, LimiterParams, TokenBucketParams, Verdict, WindowParams,
};
use flowlab_sim::{Advance, Model};
use proptest::prelude::*;

/// Cases per property: enough to find the corner cases, few enough that the file runs in seconds.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        // A failure on a long stream must still be reported in reasonable time.
        max_shrink_iters: 2_000,
        max_shrink_time: 20_000,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------

/// A gap between two arrivals: often zero or tiny (bursts of equal or close times), sometimes long.
fn gap() -> impl Strategy<Value = Nanos> {
    prop_oneof![
        3 => Just(0),
        2 => 1..1_000u64,
        3 => 1_000..20 * NS_PER_MS,
        2 => 20 * NS_PER_MS..2 * NS_PER_S,
    ]
}

/// How many requests arrive at exactly the same time: usually one, sometimes a big burst.
fn repeat() -> impl Strategy<Value = usize> {
    prop_oneof![5 => Just(1usize), 1 => 2..80usize]
}

/// A sorted stream of arrival times built from random gaps, each time repeated a random number of
/// times (at most 500 arrivals).
fn burst_stream() -> impl Strategy<Value = Vec<Nanos>> {
    (
        prop_oneof![Just(0), 0..3 * NS_PER_S],
        prop::collection::vec((gap(), repeat()), 0..200),
    )
        .prop_map(|(start, steps)| {
            let mut t = start;
            let mut out = Vec::new();
            for (g, n) in steps {
                t += g;
                out.extend(std::iter::repeat_n(t, n));
            }
            out.truncate(500);
            out
        })
}

/// A rate per second: often small (so the refill is slow next to the gaps), sometimes large.
fn rate() -> impl Strategy<Value = u32> {
    prop_oneof![1..20u32, 1..2_000u32]
}

fn traffic_params() -> impl Strategy<Value = TrafficParams> {
    (
        prop::sample::select(Pattern::ALL.to_vec()),
        0..200u32,
        0..300u32,
        1..3_000u32,
        0..3_000u32,
        0..40u32,
        100..3_000u32,
        0..=100u32,
        0..5_000u32,
        0..5_000u32,
        0..5_000u32,
        (
            prop::sample::select(vec![KeyChoice::None, KeyChoice::Uniform, KeyChoice::Zipf]),
            1..100u32,
            0.0..2.0f64,
        ),
    )
        .prop_map(
            |(
                pattern,
                rate_per_s,
                peak_rate_per_s,
                on_ms,
                off_ms,
                burst_size,
                burst_period_ms,
                width_pct,
                ramp_ms,
                start_ms,
                hold_ms,
                (keys, key_count, zipf_exponent),
            )| {
                // Work around a TrafficGen bug: a thinned pattern whose rate stays 0 for ever after
                // its ramp (`ramp` to a peak of 0, `flash_crowd` from a base of 0) spins in
                // `next_arrival` drawing rejected candidates until virtual time overflows.
                let (mut rate_per_s, mut peak_rate_per_s) = (rate_per_s, peak_rate_per_s);
                match pattern {
                    Pattern::Ramp if rate_per_s > 0 => peak_rate_per_s = peak_rate_per_s.max(1),
                    Pattern::FlashCrowd if peak_rate_per_s > 0 => rate_per_s = rate_per_s.max(1),
                    _ => {}
                }
                TrafficParams {
                    pattern,
                    rate_per_s,
                    peak_rate_per_s,
                    on_ms,
                    off_ms,
                    burst_size,
                    burst_period_ms,
                    burst_width_ms: burst_period_ms * width_pct / 100,
                    ramp_ms,
                    start_ms,
                    hold_ms,
                    keys,
                    key_count,
                    zipf_exponent,
                }
            },
        )
}

/// Arrival times of a generator up to `until`, at most `max` of them.
fn generated(p: &TrafficParams, seed: u64, until: Nanos, max: usize) -> Vec<Nanos> {
    let mut g = TrafficGen::new(p, seed);
    let mut out = Vec::new();
    while let Some(a) = g.next_arrival() {
        if a.at > until || out.len() == max {
            break;
        }
        out.push(a.at);
    }
    out
}

/// A stream from the lab's traffic generators with random params and seed.
fn traffic_stream() -> impl Strategy<Value = Vec<Nanos>> {
    (traffic_params(), any::<u64>(), 1..8_000u64)
        .prop_map(|(p, seed, until_ms)| generated(&p, seed, ms(until_ms), 500))
}

/// Either kind of stream.
fn stream() -> impl Strategy<Value = Vec<Nanos>> {
    prop_oneof![burst_stream(), traffic_stream()]
}

/// With `div` > 0, moves each time down to a multiple of `period / div`, so that arrivals fall
/// exactly on window edges, refill instants and drain instants, where off-by-one errors live.
fn snapped(mut times: Vec<Nanos>, period: Nanos, div: u64) -> Vec<Nanos> {
    if let Some(q) = period.checked_div(div) {
        let q = q.max(1);
        for t in &mut times {
            *t -= *t % q;
        }
    }
    times
}

/// A window length: sometimes a few nanoseconds, usually milliseconds to seconds.
fn window_ns() -> impl Strategy<Value = Nanos> {
    prop_oneof![1 => 1..100u64, 4 => NS_PER_MS..3 * NS_PER_S]
}

fn window_params() -> impl Strategy<Value = WindowParams> {
    (1..=50u32, 10..=3_000u32).prop_map(|(limit, window_ms)| WindowParams { limit, window_ms })
}

/// Valid lab params with small rates, so a run of a few virtual seconds is quick.
fn limiter_params() -> impl Strategy<Value = LimiterParams> {
    (
        traffic_params(),
        window_params(),
        window_params(),
        window_params(),
        (
            1..=100u32,
            1..=50u32,
            prop_oneof![Just(0u32), 1..=8_000u32],
            1..=100u32,
        ),
        (1..=100u32, 1..=50u32),
        // None: measure over the sliding log's own window.
        prop_oneof![Just(None), (10..=5_000u32).prop_map(Some)],
        10..=2_000u32,
    )
        .prop_map(
            |(
                traffic,
                fixed_window,
                sliding_log,
                sliding_counter,
                tb,
                lb,
                compare,
                chart_bucket_ms,
            )| {
                let compare_window_ms = compare.unwrap_or(sliding_log.window_ms);
                LimiterParams {
                    traffic,
                    fixed_window,
                    sliding_log,
                    sliding_counter,
                    token_bucket: TokenBucketParams {
                        rate_per_s: tb.0,
                        burst: tb.1,
                        change_at_ms: tb.2,
                        changed_rate_per_s: tb.3,
                    },
                    leaky_bucket: LeakyBucketParams {
                        drain_per_s: lb.0,
                        capacity: lb.1,
                    },
                    compare_window_ms,
                    chart_bucket_ms,
                }
            },
        )
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Runs `offer` over every time of `times`, returning the accepted times and the verdicts.
fn accepted_times(
    times: &[Nanos],
    mut offer: impl FnMut(Nanos) -> Verdict,
) -> (Vec<Nanos>, Vec<Verdict>) {
    let verdicts: Vec<Verdict> = times.iter().map(|&t| offer(t)).collect();
    let accepted = times
        .iter()
        .zip(&verdicts)
        .filter(|(_, v)| **v == Verdict::Accept)
        .map(|(&t, _)| t)
        .collect();
    (accepted, verdicts)
}

/// The most times of a sorted list inside any window `(t - w, t]`, and when it was first reached.
fn max_in_window(sorted: &[Nanos], w: Nanos) -> (u64, Nanos) {
    let (mut best, mut at, mut i) = (0u64, 0, 0usize);
    for (j, &t) in sorted.iter().enumerate() {
        while sorted[i] + w <= t {
            i += 1;
        }
        let n = (j - i + 1) as u64;
        if n > best {
            best = n;
            at = t;
        }
    }
    (best, at)
}

// ---------------------------------------------------------------------------------------------
// The algorithms on their own
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    /// For accepted times a_i <= a_j: j - i + 1 <= burst + floor(rate x (a_j - a_i)), so no interval
    /// of length t ever sees more than burst + rate x t acceptances. Also: the bucket starts full, so
    /// the first `burst` requests always pass.
    #[test]
    fn token_bucket_never_admits_more_than_burst_plus_rate_times_t(
        rate in rate(),
        burst in 1..50u32,
        times in stream(),
        div in 0..4u64,
    ) {
        let times = snapped(times, NS_PER_S / rate as u64, div);
        let mut b = TokenBucket::new(rate, burst);
        let (acc, verdicts) = accepted_times(&times, |t| b.offer(t));
        prop_assert!(!verdicts.iter().any(|v| matches!(v, Verdict::Queue { .. })), "a token bucket never queues");
        let first = verdicts.len().min(burst as usize);
        prop_assert!(verdicts[..first].iter().all(|v| *v == Verdict::Accept), "the first {burst} requests must pass: {verdicts:?}");
        for i in 0..acc.len() {
            for j in i..acc.len() {
                let refill = rate as u128 * (acc[j] - acc[i]) as u128 / NS_PER_S as u128;
                prop_assert!(
                    (j - i + 1) as u128 <= burst as u128 + refill,
                    "{} accepted in [{}, {}] with burst {burst} and rate {rate}", j - i + 1, acc[i], acc[j]
                );
            }
        }
    }

    /// The same bound with the refill rate changed while running: refill is rate 1 before the change
    /// and rate 2 after it.
    #[test]
    fn token_bucket_rate_change_keeps_the_bound_of_each_rate(
        r1 in rate(),
        r2 in rate(),
        burst in 1..50u32,
        at in any::<prop::sample::Index>(),
        frac_pct in 0..=100u64,
        times in stream(),
        div in 0..4u64,
    ) {
        let times = snapped(times, NS_PER_S / r1.max(r2) as u64, div);
        // The change falls somewhere in the gap before a random arrival.
        let c = if times.is_empty() {
            0
        } else {
            let k = at.index(times.len());
            let prev = if k == 0 { 0 } else { times[k - 1] };
            prev + (times[k] - prev) * frac_pct / 100
        };
        let mut b = TokenBucket::new(r1, burst);
        let mut changed = false;
        let (acc, _) = accepted_times(&times, |t| {
            if !changed && t >= c {
                b.set_rate(c, r2);
                changed = true;
            }
            b.offer(t)
        });
        prop_assert_eq!(b.rate_per_s(), if changed { r2 } else { r1 });
        let refill = |a: Nanos, z: Nanos| -> u128 {
            let before = z.min(c).saturating_sub(a) as u128;
            let after = z.saturating_sub(a.max(c)) as u128;
            r1 as u128 * before + if changed { r2 as u128 * after } else { r1 as u128 * after }
        };
        for i in 0..acc.len() {
            for j in i..acc.len() {
                prop_assert!(
                    (j - i + 1) as u128 * NS_PER_S as u128 <= burst as u128 * NS_PER_S as u128 + refill(acc[i], acc[j]),
                    "{} accepted in [{}, {}]", j - i + 1, acc[i], acc[j]
                );
            }
        }
    }

    /// A stream no faster than the refill rate is never refused.
    #[test]
    fn token_bucket_never_refuses_a_stream_within_its_rate(
        rate in 1..5_000u32,
        burst in 1..20u32,
        start in 0..5 * NS_PER_S,
        extra in prop::collection::vec(0..NS_PER_S, 1..200),
    ) {
        let interval = NS_PER_S.div_ceil(rate as u64);
        let mut b = TokenBucket::new(rate, burst);
        let mut t = start;
        for (k, e) in extra.into_iter().enumerate() {
            if k > 0 {
                t += interval + e;
            }
            prop_assert_eq!(b.offer(t), Verdict::Accept, "request {} at {} refused", k, t);
        }
    }

    /// In any window (t - W, t] the sliding log accepts at most `limit`, and it refuses only when the
    /// window already holds exactly `limit`.
    #[test]
    fn sliding_log_never_exceeds_its_limit_in_any_window(
        limit in 1..30u32,
        w in window_ns(),
        times in stream(),
        div in 0..4u64,
    ) {
        let times = snapped(times, w, div);
        let mut s = SlidingLog::new(limit, w);
        let (acc, verdicts) = accepted_times(&times, |t| s.offer(t));
        let (most, _) = max_in_window(&acc, w);
        prop_assert!(most <= limit as u64, "{most} accepted in one window of {w} ns, limit {limit}");
        prop_assert!(s.len() <= limit as usize);
        let mut accepted_so_far: Vec<Nanos> = Vec::new();
        for (&t, v) in times.iter().zip(&verdicts) {
            let in_window = accepted_so_far.iter().filter(|&&a| a + w > t).count() as u32;
            match v {
                Verdict::Accept => {
                    prop_assert!(in_window < limit);
                    accepted_so_far.push(t);
                }
                Verdict::Reject => prop_assert_eq!(in_window, limit, "refused at {} with room left", t),
                Verdict::Queue { .. } => prop_assert!(false, "a sliding log never queues"),
            }
        }
    }

    /// In any aligned window [kW, (k+1)W) the fixed window accepts at most `limit`, refuses only when
    /// the aligned window is full; and any window of length W spans two aligned ones, so at most 2 x limit.
    #[test]
    fn fixed_window_never_exceeds_its_limit_in_an_aligned_window(
        limit in 1..30u32,
        w in window_ns(),
        times in stream(),
        div in 0..4u64,
    ) {
        let times = snapped(times, w, div);
        let mut f = FixedWindow::new(limit, w);
        let (acc, verdicts) = accepted_times(&times, |t| f.offer(t));
        let mut count_in = std::collections::HashMap::<u64, u32>::new();
        for (&t, v) in times.iter().zip(&verdicts) {
            let n = count_in.entry(t / w).or_default();
            match v {
                Verdict::Accept => *n += 1,
                Verdict::Reject => prop_assert_eq!(*n, limit, "refused at {} with room in the window", t),
                Verdict::Queue { .. } => prop_assert!(false, "a fixed window never queues"),
            }
            prop_assert!(*n <= limit, "window {} holds {}", t / w, n);
        }
        prop_assert!(max_in_window(&acc, w).0 <= 2 * limit as u64);
    }

    /// The sliding counter never lets the current aligned window hold more than `limit`.
    #[test]
    fn sliding_counter_never_exceeds_its_limit_in_an_aligned_window(
        limit in 1..30u32,
        w in window_ns(),
        times in stream(),
        div in 0..4u64,
    ) {
        let times = snapped(times, w, div);
        let mut s = SlidingCounter::new(limit, w);
        let (acc, _) = accepted_times(&times, |t| s.offer(t));
        let mut i = 0;
        while i < acc.len() {
            let k = acc[i] / w;
            let n = acc[i..].iter().take_while(|&&t| t / w == k).count();
            prop_assert!(n <= limit as usize, "aligned window {k} holds {n}, limit {limit}");
            i += n;
        }
        prop_assert!(max_in_window(&acc, w).0 <= 2 * limit as u64);
    }

    /// Leaky bucket: departures never come before their arrival, are in order and at least one
    /// interval apart, so no window of length W lets out more than ceil(W / interval); the queue never
    /// holds more than `capacity`, a request is dropped only when it is full, and no request waits
    /// longer than capacity x interval.
    #[test]
    fn leaky_bucket_spaces_departures_and_bounds_its_queue(
        drain in rate(),
        capacity in 1..30u32,
        w in window_ns(),
        times in stream(),
        div in 0..4u64,
    ) {
        let interval = NS_PER_S.div_ceil(drain as u64);
        let times = snapped(times, interval, div);
        let mut l = LeakyBucket::new(drain, capacity);
        prop_assert_eq!(l.interval_ns(), interval);
        let mut departures: Vec<Nanos> = Vec::new();
        let mut first_pending = 0; // index of the first departure later than the current time
        for &t in &times {
            while first_pending < departures.len() && departures[first_pending] <= t {
                first_pending += 1;
            }
            let queued = (departures.len() - first_pending) as u32;
            prop_assert!(queued <= capacity, "{queued} queued at {t}, capacity {capacity}");
            prop_assert_eq!(l.queued(t), queued);
            match l.offer(t) {
                Verdict::Queue { depart_at } => {
                    prop_assert!(queued < capacity, "queued at {} although full", t);
                    prop_assert!(depart_at >= t);
                    prop_assert!(depart_at - t <= capacity as u64 * interval, "waits {} ns", depart_at - t);
                    if let Some(&last) = departures.last() {
                        prop_assert!(depart_at >= last + interval, "{} then {} with interval {}", last, depart_at, interval);
                    }
                    departures.push(depart_at);
                }
                Verdict::Reject => prop_assert_eq!(queued, capacity, "dropped at {} with room in the queue", t),
                Verdict::Accept => prop_assert!(false, "a leaky bucket lets through only via its queue"),
            }
            prop_assert!(l.queued(t) <= capacity);
        }
        let most_allowed = w.div_ceil(interval);
        for (i, &d) in departures.iter().enumerate() {
            let n = departures[i..].iter().take_while(|&&x| x < d + w).count() as u64;
            prop_assert!(n <= most_allowed, "{n} departures in [{d}, {d} + {w}), interval {interval}");
            prop_assert!(n as u128 <= w as u128 * drain as u128 / NS_PER_S as u128 + 1);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The whole lab model
// ---------------------------------------------------------------------------------------------

/// What the bare algorithms do with the lab's arrival stream up to `until`.
struct Reference {
    arrived: u64,
    /// Accepted times per lane, in order (leaky bucket: departure times up to `until`).
    accepted: [Vec<Nanos>; 5],
    rejected: [u64; 5],
    leaky_queued: u64,
    /// Longest wait in the leaky bucket of a request that left it by `until`.
    leaky_max_delay: Nanos,
}

fn reference(p: &LimiterParams, seed: u64, until: Nanos) -> Reference {
    let mut fixed = FixedWindow::new(p.fixed_window.limit, ms(p.fixed_window.window_ms as u64));
    let mut log = SlidingLog::new(p.sliding_log.limit, ms(p.sliding_log.window_ms as u64));
    let mut counter = SlidingCounter::new(
        p.sliding_counter.limit,
        ms(p.sliding_counter.window_ms as u64),
    );
    let mut token = TokenBucket::new(p.token_bucket.rate_per_s, p.token_bucket.burst);
    let mut leaky = LeakyBucket::new(p.leaky_bucket.drain_per_s, p.leaky_bucket.capacity);
    let mut change =
        (p.token_bucket.change_at_ms > 0).then(|| ms(p.token_bucket.change_at_ms as u64));
    let mut r = Reference {
        arrived: 0,
        accepted: Default::default(),
        rejected: [0; 5],
        leaky_queued: 0,
        leaky_max_delay: 0,
    };
    let mut gen = TrafficGen::new(&p.traffic, seed);
    while let Some(a) = gen.next_arrival() {
        let t = a.at;
        if t > until {
            break;
        }
        // The lab applies a rate change before an arrival at the same time.
        if let Some(c) = change.filter(|&c| c <= t) {
            token.set_rate(c, p.token_bucket.changed_rate_per_s);
            change = None;
        }
        r.arrived += 1;
        let verdicts = [
            fixed.offer(t),
            log.offer(t),
            counter.offer(t),
            token.offer(t),
            leaky.offer(t),
        ];
        for (i, v) in verdicts.into_iter().enumerate() {
            match v {
                Verdict::Accept => r.accepted[i].push(t),
                Verdict::Reject => r.rejected[i] += 1,
                Verdict::Queue { depart_at } if depart_at <= until => {
                    r.accepted[i].push(depart_at);
                    r.leaky_max_delay = r.leaky_max_delay.max(depart_at - t);
                }
                Verdict::Queue { .. } => r.leaky_queued += 1,
            }
        }
    }
    r
}

/// Acceptances after which the trailing window held more than `num / den` (the lane's nominal limit).
fn over_limit(sorted: &[Nanos], w: Nanos, nominal: impl Fn(Nanos) -> (u128, u128)) -> u64 {
    let (mut over, mut i) = (0, 0usize);
    for (j, &t) in sorted.iter().enumerate() {
        while sorted[i] + w <= t {
            i += 1;
        }
        let (num, den) = nominal(t);
        if (j - i + 1) as u128 * den > num {
            over += 1;
        }
    }
    over
}

fn run_in_steps(
    lab: &mut LimiterLab,
    until: Nanos,
    steps: &[(Nanos, u64)],
) -> Result<(), TestCaseError> {
    let mut target = lab.now();
    for &(step, budget) in steps {
        target = (target + step).min(until);
        let mut last = lab.now();
        while lab.advance_to(target, budget) == Advance::BudgetExhausted {
            prop_assert!(
                lab.now() >= last && lab.now() <= target,
                "clock went to {} (target {})",
                lab.now(),
                target
            );
            // The clock stops at the last processed event; the next one is still due by `target`.
            let next = lab.next_event_at();
            prop_assert!(
                next.is_some_and(|n| n >= lab.now() && n <= target),
                "stopped at {} with the next event at {:?} (target {})",
                lab.now(),
                next,
                target
            );
            last = lab.now();
        }
        prop_assert_eq!(lab.now(), target);
        prop_assert!(
            lab.next_event_at().is_none_or(|n| n > target),
            "an event due by {} was left",
            target
        );
        prop_assert!(lab.accounted(), "not accounted at {}", target);
    }
    lab.run_to(until);
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    /// After any run, every lane has accepted + rejected + queued == arrived, and each lane's counts,
    /// series, "most in a window" and over-limit counts agree with the bare algorithms fed the same
    /// stream; each lane's most-in-a-window respects its algorithm's bound.
    #[test]
    fn lab_accounts_for_every_request_and_agrees_with_the_bare_algorithms(
        p in limiter_params(),
        seed in any::<u64>(),
        until_ms in 1..8_000u64,
    ) {
        let until = ms(until_ms);
        let mut lab = LimiterLab::new(p.clone(), seed).expect("valid params");
        lab.run_to(until);
        prop_assert_eq!(lab.now(), until);
        prop_assert!(lab.accounted());

        let r = reference(&p, seed, until);
        prop_assert_eq!(lab.arrived(), r.arrived);
        prop_assert_eq!(lab.leaky_queued(), r.leaky_queued);
        // Delay: one sample per request let through; zero except in the leaky bucket's queue.
        for lane in lab.lanes() {
            let d = lane.delay.percentiles();
            prop_assert_eq!(d.count, lane.accepted, "{:?}", lane.algo);
            let want = if lane.algo == Algo::LeakyBucket { r.leaky_max_delay } else { 0 };
            prop_assert_eq!(d.max_ns, want, "{:?} max delay", lane.algo);
        }
        let w = ms(p.compare_window_ms as u64);
        let change = (p.token_bucket.change_at_ms > 0).then(|| ms(p.token_bucket.change_at_ms as u64));
        for (i, lane) in lab.lanes().iter().enumerate() {
            let algo = Algo::ALL[i];
            prop_assert_eq!(lane.algo, algo);
            let queued = if algo == Algo::LeakyBucket { lab.leaky_queued() } else { 0 };
            prop_assert_eq!(lane.accepted + lane.rejected + queued, lane.arrived, "{:?}", algo);
            prop_assert_eq!(lane.arrived, r.arrived, "{:?}", algo);
            prop_assert_eq!(lane.accepted, r.accepted[i].len() as u64, "{:?} accepted", algo);
            prop_assert_eq!(lane.rejected, r.rejected[i], "{:?} rejected", algo);
            prop_assert_eq!(lane.accepted_series.points().map(|(_, v)| v).sum::<u64>(), lane.accepted, "{:?}", algo);
            prop_assert_eq!(lane.rejected_series.points().map(|(_, v)| v).sum::<u64>(), lane.rejected, "{:?}", algo);
            prop_assert_eq!((lane.max_in_window, lane.max_in_window_at), max_in_window(&r.accepted[i], w), "{:?}", algo);
            let nominal = |t: Nanos| -> (u128, u128) {
                let wp = |x: &WindowParams| (x.limit as u128 * w as u128, ms(x.window_ms as u64) as u128);
                let rate = |x: u32| (x as u128 * w as u128, NS_PER_S as u128);
                match algo {
                    Algo::FixedWindow => wp(&p.fixed_window),
                    Algo::SlidingLog => wp(&p.sliding_log),
                    Algo::SlidingCounter => wp(&p.sliding_counter),
                    Algo::TokenBucket if change.is_some_and(|c| t >= c) => rate(p.token_bucket.changed_rate_per_s),
                    Algo::TokenBucket => rate(p.token_bucket.rate_per_s),
                    Algo::LeakyBucket => rate(p.leaky_bucket.drain_per_s),
                }
            };
            prop_assert_eq!(lane.over_limit, over_limit(&r.accepted[i], w, nominal), "{:?} over_limit", algo);
        }

        // Each lane's own bound over the compare window W.
        let lane = |a: Algo| &lab.lanes()[a.index()];
        let fw = ms(p.fixed_window.window_ms as u64);
        prop_assert!(lane(Algo::FixedWindow).max_in_window <= p.fixed_window.limit as u64 * (w.div_ceil(fw) + 1));
        let lw = ms(p.sliding_log.window_ms as u64);
        prop_assert!(lane(Algo::SlidingLog).max_in_window <= p.sliding_log.limit as u64 * w.div_ceil(lw));
        if p.compare_window_ms == p.sliding_log.window_ms {
            prop_assert!(lane(Algo::SlidingLog).max_in_window <= p.sliding_log.limit as u64);
            prop_assert_eq!(lane(Algo::SlidingLog).over_limit, 0);
        }
        let top_rate = if change.is_some() {
            p.token_bucket.rate_per_s.max(p.token_bucket.changed_rate_per_s)
        } else {
            p.token_bucket.rate_per_s
        };
        prop_assert!(
            lane(Algo::TokenBucket).max_in_window as u128
                <= p.token_bucket.burst as u128 + top_rate as u128 * w as u128 / NS_PER_S as u128
        );
        let interval = NS_PER_S.div_ceil(p.leaky_bucket.drain_per_s as u64);
        prop_assert!(lane(Algo::LeakyBucket).max_in_window <= w.div_ceil(interval));
        prop_assert!(lab.leaky_queued() <= p.leaky_bucket.capacity as u64);
    }

    /// Advancing in many small steps with tiny event budgets, with any drawing lookahead, gives the
    /// same run (same digest and counts) as one `run_to`.
    #[test]
    fn step_size_event_budget_and_lookahead_do_not_change_the_run(
        p in limiter_params(),
        seed in any::<u64>(),
        until_ms in 1..6_000u64,
        steps in prop::collection::vec((0..500 * NS_PER_MS, 1..40u64), 1..60),
        lookahead in prop::collection::vec(prop_oneof![Just(0u64), 1..10 * NS_PER_S, Just(u64::MAX)], 2),
    ) {
        let until = ms(until_ms);
        let mut once = LimiterLab::new(p.clone(), seed).expect("valid params");
        once.run_to(until);

        let mut stepped = LimiterLab::new(p.clone(), seed).expect("valid params");
        stepped.set_lookahead(lookahead[0]);
        let half = steps.len() / 2;
        run_in_steps(&mut stepped, until / 2, &steps[..half])?;
        stepped.set_lookahead(lookahead[1]);
        run_in_steps(&mut stepped, until, &steps[half..])?;

        prop_assert_eq!(stepped.now(), once.now());
        prop_assert_eq!(stepped.arrived(), once.arrived());
        for (a, b) in stepped.lanes().iter().zip(once.lanes()) {
            prop_assert_eq!((a.accepted, a.rejected, a.max_in_window), (b.accepted, b.rejected, b.max_in_window), "{:?}", a.algo);
        }
        prop_assert_eq!(stepped.digest(), once.digest());
    }
}
