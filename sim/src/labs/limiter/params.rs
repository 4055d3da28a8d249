use crate::kernel::model::ParamError;
use crate::kernel::time::NS_PER_MS;
use crate::kernel::traffic::{TrafficParams, MAX_DURATION_MS, MAX_RATE_PER_S};

/// Most arrivals the lab accepts in one compare window: bounds the memory of the exact
/// "most accepted in any window" tracker.
pub const MAX_TRACKED_PER_WINDOW: u64 = 200_000;

crate::knobs! {
    /// A window-based limiter: at most `limit` requests per `window_ms`.
    pub struct WindowParams in "window" {
        /// Requests allowed per window.
        limit: u32 = 10 => range(1, 100_000);
        /// Window length, milliseconds.
        window_ms: u32 = 1_000 => range(1, MAX_DURATION_MS);
    }
}

crate::knobs! {
    /// Token bucket.
    pub struct TokenBucketParams in "token_bucket" {
        /// Tokens added per second; a change applies at once, while running.
        rate_per_s: u32 = 10 => range(1, MAX_RATE_PER_S).live();
        /// Bucket size: the most tokens it holds, so the largest burst it lets through at once.
        burst: u32 = 5 => range(1, 100_000);
        /// Scheduled live change of the refill rate: when, milliseconds from the start (0 = none).
        change_at_ms: u32 = 0 => range(0, MAX_DURATION_MS).adv();
        /// The refill rate from `change_at_ms` on, tokens per second.
        changed_rate_per_s: u32 = 30 => range(1, MAX_RATE_PER_S).adv();
    }
}

crate::knobs! {
    /// Leaky bucket (as a queue).
    pub struct LeakyBucketParams in "leaky_bucket" {
        /// Requests leaving the queue per second.
        drain_per_s: u32 = 10 => range(1, MAX_RATE_PER_S);
        /// Queue size: requests that can wait; more are dropped.
        capacity: u32 = 5 => range(1, 100_000);
    }
}

/// The compare window may not hold more arrivals than the exact tracker keeps.
fn rules(p: &LimiterParams) -> Result<(), ParamError> {
    let most = p
        .traffic
        .max_arrivals_in(p.compare_window_ms as u64 * NS_PER_MS);
    if most > MAX_TRACKED_PER_WINDOW {
        return Err(ParamError::rule(
            "compare_window_ms",
            p.compare_window_ms,
            "limiter.rule.tracked",
            vec![MAX_TRACKED_PER_WINDOW.to_string(), most.to_string()],
            format!("traffic.max_arrivals_per_window <= {MAX_TRACKED_PER_WINDOW} (now {most})"),
        ));
    }
    Ok(())
}

crate::knobs! {
    /// Everything the rate-limiter lab needs: the traffic and each algorithm's settings.
    pub struct LimiterParams in "limiter" check rules ["limiter.rule.tracked"]; {
        /// The arrival stream every algorithm is fed.
        traffic: TrafficParams = TrafficParams::default() => group;
        /// Fixed-window counter.
        fixed_window: WindowParams = WindowParams::default() => group;
        /// Sliding-window log.
        sliding_log: WindowParams = WindowParams::default() => group;
        /// Sliding-window counter.
        sliding_counter: WindowParams = WindowParams::default() => group;
        /// Token bucket.
        token_bucket: TokenBucketParams = TokenBucketParams::default() => group;
        /// Leaky bucket.
        leaky_bucket: LeakyBucketParams = LeakyBucketParams::default() => group;
        /// Length W of the sliding window in which "most requests accepted" is measured,
        /// milliseconds.
        @measure
        compare_window_ms: u32 = 1_000 => range(1, 600_000);
        /// Width of one chart bar, milliseconds of virtual time.
        chart_bucket_ms: u32 = 250 => range(10, 600_000).adv();
    }
}
