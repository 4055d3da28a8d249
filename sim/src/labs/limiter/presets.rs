//! One-click scenarios, each showing one effect (asserted in `sim/tests/limiter_presets.rs`).

use super::params::{LeakyBucketParams, LimiterParams, TokenBucketParams, WindowParams};
use crate::kernel::traffic::{Pattern, TrafficParams};

/// This lab's presets.
pub type Preset = crate::kernel::preset::Preset<LimiterParams>;

/// All presets, in the order the app lists them.
pub fn all() -> Vec<Preset> {
    vec![
        boundary_burst(),
        token_burst(),
        leaky_smooth(),
        raise_token_rate(),
    ]
}

pub fn by_id(id: &str) -> Option<Preset> {
    crate::kernel::preset::find(all(), id)
}

/// Bursts of 20 requests straddle every second edge: the fixed window lets about 20 through in
/// 0.2 s against a limit of 10 per second, while the sliding log never passes 10 in any second.
pub fn boundary_burst() -> Preset {
    Preset {
        id: "boundary_burst",
        seed: 1,
        headline: "fixed_window.max_in_window",
        params: LimiterParams {
            traffic: TrafficParams {
                pattern: Pattern::BoundaryBurst,
                rate_per_s: 1,
                burst_size: 20,
                burst_period_ms: 2_000,
                burst_width_ms: 200,
                ..TrafficParams::default()
            },
            fixed_window: WindowParams {
                limit: 10,
                window_ms: 1_000,
            },
            sliding_log: WindowParams {
                limit: 10,
                window_ms: 1_000,
            },
            sliding_counter: WindowParams {
                limit: 10,
                window_ms: 1_000,
            },
            token_bucket: TokenBucketParams {
                rate_per_s: 10,
                burst: 5,
                ..TokenBucketParams::default()
            },
            leaky_bucket: LeakyBucketParams {
                drain_per_s: 10,
                capacity: 5,
            },
            compare_window_ms: 1_000,
            chart_bucket_ms: 100,
        },
    }
}

/// On/off bursts of 50 requests per second: the token bucket lets the first 20 through at once
/// (its stored tokens), then holds to 10 per second.
pub fn token_burst() -> Preset {
    Preset {
        id: "token_burst",
        seed: 2,
        headline: "token_bucket.max_in_window",
        params: LimiterParams {
            traffic: TrafficParams {
                pattern: Pattern::OnOff,
                rate_per_s: 50,
                on_ms: 2_000,
                off_ms: 4_000,
                ..TrafficParams::default()
            },
            token_bucket: TokenBucketParams {
                rate_per_s: 10,
                burst: 20,
                ..TokenBucketParams::default()
            },
            leaky_bucket: LeakyBucketParams {
                drain_per_s: 10,
                capacity: 20,
            },
            chart_bucket_ms: 200,
            ..LimiterParams::default()
        },
    }
}

/// The same bursts into a leaky bucket: its output is a steady 10 per second whatever comes in, each
/// request waits up to 1.5 s in the queue, and when the queue is full the rest are dropped.
pub fn leaky_smooth() -> Preset {
    Preset {
        id: "leaky_smooth",
        seed: 3,
        headline: "leaky_bucket.max_in_window",
        params: LimiterParams {
            traffic: TrafficParams {
                pattern: Pattern::OnOff,
                rate_per_s: 40,
                on_ms: 1_000,
                off_ms: 3_000,
                ..TrafficParams::default()
            },
            token_bucket: TokenBucketParams {
                rate_per_s: 10,
                burst: 15,
                ..TokenBucketParams::default()
            },
            leaky_bucket: LeakyBucketParams {
                drain_per_s: 10,
                capacity: 15,
            },
            chart_bucket_ms: 200,
            ..LimiterParams::default()
        },
    }
}

/// Steady traffic at 60 per second against a token bucket of 10 per second; at 10 s the refill rate
/// is raised to 30 per second while running, and the accepted rate follows at once: 10 a second
/// before, 30 after (the traffic is twice the new rate, so the bucket, not the arrivals, sets it).
pub fn raise_token_rate() -> Preset {
    Preset {
        id: "raise_token_rate",
        seed: 4,
        headline: "token_bucket.accepted",
        params: LimiterParams {
            traffic: TrafficParams {
                pattern: Pattern::Poisson,
                rate_per_s: 60,
                ..TrafficParams::default()
            },
            token_bucket: TokenBucketParams {
                rate_per_s: 10,
                burst: 10,
                change_at_ms: 10_000,
                changed_rate_per_s: 30,
            },
            chart_bucket_ms: 500,
            ..LimiterParams::default()
        },
    }
}
