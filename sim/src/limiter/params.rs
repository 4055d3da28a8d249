use serde::{Deserialize, Serialize};

use crate::kernel::model::{check_range, ParamError, Validate};
use crate::kernel::time::NS_PER_MS;
use crate::kernel::traffic::{TrafficParams, MAX_DURATION_MS, MAX_RATE_PER_S};

/// Most arrivals the lab accepts in one compare window: bounds the memory of the exact
/// "most accepted in any window" tracker.
pub const MAX_TRACKED_PER_WINDOW: u64 = 200_000;

/// A window-based limiter: at most `limit` requests per `window_ms`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WindowParams {
    /// Requests allowed per window.
    pub limit: u32,
    /// Window length, milliseconds.
    pub window_ms: u32,
}

impl Default for WindowParams {
    fn default() -> Self {
        Self {
            limit: 10,
            window_ms: 1_000,
        }
    }
}

impl Validate for WindowParams {
    fn validate(&self) -> Result<(), ParamError> {
        check_range("limit", self.limit, 1, 100_000)?;
        check_range("window_ms", self.window_ms, 1, MAX_DURATION_MS)
    }
}

/// Token bucket.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TokenBucketParams {
    /// Tokens added per second.
    pub rate_per_s: u32,
    /// Bucket size: the most tokens it holds, so the largest burst it lets through at once.
    pub burst: u32,
    /// Scheduled live change of the refill rate: when, milliseconds from the start (0 = none).
    pub change_at_ms: u32,
    /// The refill rate from `change_at_ms` on, tokens per second.
    pub changed_rate_per_s: u32,
}

impl Default for TokenBucketParams {
    fn default() -> Self {
        Self {
            rate_per_s: 10,
            burst: 5,
            change_at_ms: 0,
            changed_rate_per_s: 30,
        }
    }
}

impl Validate for TokenBucketParams {
    fn validate(&self) -> Result<(), ParamError> {
        check_range("rate_per_s", self.rate_per_s, 1, MAX_RATE_PER_S)?;
        check_range("burst", self.burst, 1, 100_000)?;
        check_range("change_at_ms", self.change_at_ms, 0, MAX_DURATION_MS)?;
        check_range(
            "changed_rate_per_s",
            self.changed_rate_per_s,
            1,
            MAX_RATE_PER_S,
        )
    }
}

/// Leaky bucket (as a queue).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LeakyBucketParams {
    /// Requests leaving the queue per second.
    pub drain_per_s: u32,
    /// Queue size: requests that can wait; more are dropped.
    pub capacity: u32,
}

impl Default for LeakyBucketParams {
    fn default() -> Self {
        Self {
            drain_per_s: 10,
            capacity: 5,
        }
    }
}

impl Validate for LeakyBucketParams {
    fn validate(&self) -> Result<(), ParamError> {
        check_range("drain_per_s", self.drain_per_s, 1, MAX_RATE_PER_S)?;
        check_range("capacity", self.capacity, 1, 100_000)
    }
}

/// Everything the rate-limiter lab needs: the traffic and each algorithm's settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimiterParams {
    /// The arrival stream every algorithm is fed.
    pub traffic: TrafficParams,
    /// Fixed-window counter.
    pub fixed_window: WindowParams,
    /// Sliding-window log.
    pub sliding_log: WindowParams,
    /// Sliding-window counter.
    pub sliding_counter: WindowParams,
    /// Token bucket.
    pub token_bucket: TokenBucketParams,
    /// Leaky bucket.
    pub leaky_bucket: LeakyBucketParams,
    /// Length W of the sliding window in which "most requests accepted" is measured, milliseconds.
    pub compare_window_ms: u32,
    /// Width of one chart bar, milliseconds of virtual time.
    pub chart_bucket_ms: u32,
}

impl Default for LimiterParams {
    fn default() -> Self {
        Self {
            traffic: TrafficParams::default(),
            fixed_window: WindowParams::default(),
            sliding_log: WindowParams::default(),
            sliding_counter: WindowParams::default(),
            token_bucket: TokenBucketParams::default(),
            leaky_bucket: LeakyBucketParams::default(),
            compare_window_ms: 1_000,
            chart_bucket_ms: 250,
        }
    }
}

impl Validate for LimiterParams {
    fn validate(&self) -> Result<(), ParamError> {
        self.traffic.validate().map_err(|e| e.within("traffic"))?;
        self.fixed_window
            .validate()
            .map_err(|e| e.within("fixed_window"))?;
        self.sliding_log
            .validate()
            .map_err(|e| e.within("sliding_log"))?;
        self.sliding_counter
            .validate()
            .map_err(|e| e.within("sliding_counter"))?;
        self.token_bucket
            .validate()
            .map_err(|e| e.within("token_bucket"))?;
        self.leaky_bucket
            .validate()
            .map_err(|e| e.within("leaky_bucket"))?;
        check_range("compare_window_ms", self.compare_window_ms, 1, 600_000)?;
        check_range("chart_bucket_ms", self.chart_bucket_ms, 10, 600_000)?;
        let most = self
            .traffic
            .max_arrivals_in(self.compare_window_ms as u64 * NS_PER_MS);
        if most > MAX_TRACKED_PER_WINDOW {
            return Err(ParamError::new(
                "compare_window_ms",
                self.compare_window_ms,
                // Language-neutral (the app shows it in English and Chinese): the bound, and what
                // this traffic can bring in one window.
                format!("traffic.max_arrivals_per_window <= {MAX_TRACKED_PER_WINDOW} (now {most})"),
            ));
        }
        Ok(())
    }
}
