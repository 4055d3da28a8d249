//! The contract every lab model follows.
//!
//! - a params struct: serde, `Default`, a doc comment per field with units last in field names, and
//!   [`Validate::validate`] returning a [`ParamError`] that names the field and its allowed range;
//! - constructed from params + seed ([`Model::new`]);
//! - advanced to a virtual time with a cap on the events processed in one call ([`Model::advance_to`]);
//! - a snapshot for drawing, metrics, and checker counts (inherent methods of each model, whose types
//!   differ per lab), plus a [`Model::digest`] of its integer metrics for determinism checks.

use std::fmt;

use super::time::Nanos;

/// A parameter out of its allowed range, or inconsistent with another one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamError {
    /// Dotted path of the field, as in the URL and params files (`fixed_window.limit`).
    pub field: String,
    /// The value that was given, as text.
    pub got: String,
    /// The allowed range or rule, as text (`1..=100000`).
    pub allowed: String,
}

impl ParamError {
    pub fn new(field: impl Into<String>, got: impl ToString, allowed: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            got: got.to_string(),
            allowed: allowed.into(),
        }
    }

    /// The same error with its field path prefixed (`limit` -> `fixed_window.limit`).
    pub fn within(mut self, prefix: &str) -> Self {
        self.field = format!("{prefix}.{}", self.field);
        self
    }
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} = {} is not allowed: {}",
            self.field, self.got, self.allowed
        )
    }
}

impl std::error::Error for ParamError {}

/// Checks that `value` lies in `lo..=hi`, naming `field` if not.
pub fn check_range<T>(field: &str, value: T, lo: T, hi: T) -> Result<(), ParamError>
where
    T: PartialOrd + fmt::Display + Copy,
{
    if value < lo || value > hi {
        Err(ParamError::new(field, value, format!("{lo}..={hi}")))
    } else {
        Ok(())
    }
}

/// Params that can check themselves.
pub trait Validate {
    fn validate(&self) -> Result<(), ParamError>;
}

/// How far a call to [`Model::advance_to`] got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Advance {
    /// The model's clock is now at the requested time.
    Reached,
    /// The event budget ran out first; the clock stopped at the last processed event.
    BudgetExhausted,
}

pub trait Model: Sized {
    type Params: Clone + Default + Validate;

    /// Builds the model; validates the params first.
    fn new(params: Self::Params, seed: u64) -> Result<Self, ParamError>;

    /// The model's virtual clock.
    fn now(&self) -> Nanos;

    /// Processes events up to and including virtual time `until`, at most `max_events` of them.
    fn advance_to(&mut self, until: Nanos, max_events: u64) -> Advance;

    /// A digest of the integer metrics: equal digests mean equal runs.
    fn digest(&self) -> u64;

    /// Runs to `until` with no per-call cap (tests, CLI).
    fn run_to(&mut self, until: Nanos) {
        while self.advance_to(until, 1 << 20) == Advance::BudgetExhausted {}
    }
}
