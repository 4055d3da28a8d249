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
    /// The value that was given, as text (shortened if long).
    pub got: String,
    /// The allowed range or rule, in English (`1..=100000`); the command line prints it.
    pub allowed: String,
    /// The same, structured, so the page can say it in the reader's language (boxed: errors stay
    /// small on the success path).
    pub rule: Box<Rule>,
}

/// What a field must satisfy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rule {
    /// `lo..=hi`; a bound may be another field's value.
    Range { lo: Bound, hi: Bound },
    /// A rule of the lab's own: its text id and the numbers it quotes, in order (`{0}`, `{1}`...).
    Text { id: &'static str, args: Vec<String> },
    /// Only English text (an old-style error; the page shows it as it is).
    Plain,
    /// The value is fine on its own but would make another field break its rule.
    Conflict {
        key: String,
        got: String,
        rule: Box<Rule>,
        /// The other field's rule in English.
        allowed: String,
    },
}

/// A bound of a range: a number, or another field and its value now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Bound {
    Num(String),
    Key { key: String, now: String },
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bound::Num(n) => write!(f, "{n}"),
            Bound::Key { key, now } => write!(f, "{key} ({now})"),
        }
    }
}

/// Longest value text a message repeats (a 10 MB value is not echoed whole).
pub const MAX_VALUE_TEXT: usize = 40;

/// `text`, cut to [`MAX_VALUE_TEXT`] characters with an ellipsis.
pub fn shorten(text: &str) -> String {
    if text.chars().count() <= MAX_VALUE_TEXT {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(MAX_VALUE_TEXT - 1).collect();
        s.push('…');
        s
    }
}

impl ParamError {
    /// An error whose rule is only English text.
    pub fn new(field: impl Into<String>, got: impl ToString, allowed: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            got: shorten(&got.to_string()),
            allowed: allowed.into(),
            rule: Box::new(Rule::Plain),
        }
    }

    /// An error with a structured rule (its English text is derived).
    pub fn with_rule(field: impl Into<String>, got: impl ToString, rule: Rule) -> Self {
        let allowed = match &rule {
            Rule::Range { lo, hi } => format!("{lo}..={hi}"),
            Rule::Text { id, .. } => id.to_string(),
            Rule::Plain | Rule::Conflict { .. } => String::new(),
        };
        Self {
            field: field.into(),
            got: shorten(&got.to_string()),
            allowed,
            rule: Box::new(rule),
        }
    }

    /// A lab rule: text id and arguments for the page, English for the command line.
    pub fn rule(
        field: impl Into<String>,
        got: impl ToString,
        id: &'static str,
        args: Vec<String>,
        english: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            got: shorten(&got.to_string()),
            allowed: english.into(),
            rule: Box::new(Rule::Text { id, args }),
        }
    }

    /// `field = got` would make `other` (an error of another field) happen.
    pub fn conflict(field: impl Into<String>, got: impl ToString, other: ParamError) -> Self {
        let allowed = format!(
            "it would make {} = {} not allowed ({})",
            other.field, other.got, other.allowed
        );
        Self {
            field: field.into(),
            got: shorten(&got.to_string()),
            allowed,
            rule: Box::new(Rule::Conflict {
                key: other.field,
                got: other.got,
                rule: other.rule,
                allowed: other.allowed,
            }),
        }
    }

    /// The same error with its field path prefixed (`limit` -> `fixed_window.limit`).
    pub fn within(mut self, prefix: &str) -> Self {
        self.field = format!("{prefix}.{}", self.field);
        if let Rule::Range { lo, hi } = &mut *self.rule {
            for b in [lo, hi] {
                if let Bound::Key { key, .. } = b {
                    *key = format!("{prefix}.{key}");
                }
            }
            self.allowed = match &*self.rule {
                Rule::Range { lo, hi } => format!("{lo}..={hi}"),
                _ => unreachable!(),
            };
        }
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
        Err(ParamError::with_rule(
            field,
            value,
            Rule::Range {
                lo: Bound::Num(lo.to_string()),
                hi: Bound::Num(hi.to_string()),
            },
        ))
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
