//! Virtual time: integer nanoseconds since the start of a run.

/// A point in virtual time, or a duration, in nanoseconds.
pub type Nanos = u64;

pub const NS_PER_US: Nanos = 1_000;
pub const NS_PER_MS: Nanos = 1_000_000;
pub const NS_PER_S: Nanos = 1_000_000_000;

/// Milliseconds to nanoseconds, saturating.
pub const fn ms(x: u64) -> Nanos {
    x.saturating_mul(NS_PER_MS)
}

/// Seconds to nanoseconds, saturating.
pub const fn secs(x: u64) -> Nanos {
    x.saturating_mul(NS_PER_S)
}

/// Nanoseconds to (fractional) seconds, for display only.
pub fn to_secs_f64(t: Nanos) -> f64 {
    t as f64 / NS_PER_S as f64
}
