//! The snowflake lab's knobs: the id layout, the workers and their clocks, the traffic, what a
//! generator does when its clock goes backwards, and the clock faults it meets.

use crate::kernel::model::ParamError;
use crate::kernel::traffic::{TrafficParams, MAX_DURATION_MS};

/// Most workers (id generators) at once.
pub const MAX_WORKERS: u32 = 64;
/// Longest backwards step of a clock, milliseconds: the duplicate checker remembers this far back.
pub const MAX_STEP_BACK_MS: u32 = 1_000;
/// Most ids one request asks for (a batch allocation).
pub const MAX_IDS_PER_REQUEST: u32 = 10_000;
/// Most requests waiting at one worker; past it a request is refused as overloaded.
pub const MAX_WAITING: u32 = 10_000;

crate::choices! {
    /// What a generator does when its clock reads earlier than the last timestamp it used.
    pub enum Backwards in "backwards" {
        /// Refuse to give ids until the clock catches up (the request fails).
        Refuse = "refuse",
        /// Wait until the clock catches up, then go on.
        #[default]
        Wait = "wait",
        /// Keep the last timestamp and go on with its sequence; when that runs out, borrow the next
        /// millisecond (ids run ahead of the clock for a while).
        Borrow = "borrow",
        /// Wrong: use the clock as it reads, starting the sequence again from 0 (ids repeat).
        Ignore = "ignore",
    }
}

crate::choices! {
    /// Which generators run side by side on the same requests and the same clocks.
    pub enum Compare in "snowflake_compare" {
        /// One generator per worker, with the policy as set.
        #[default]
        Off = "off",
        /// Every policy on clocks going backwards, side by side.
        Policies = "policies",
    }
}

crate::choices! {
    /// Which workers a clock fault hits.
    pub enum Target in "clock_target" {
        /// Worker 0 only.
        #[default]
        First = "first",
        /// Every worker.
        All = "all",
    }
}

crate::knobs! {
    /// Clock faults, at fixed times (0 = never).
    pub struct ClockFaults in "clock_faults" {
        /// Which workers the faults hit.
        target: Target = Target::First => choice;
        /// An NTP correction steps the clock back at this time, milliseconds.
        step_back_at_ms: u32 = 0 => range(0, MAX_DURATION_MS);
        /// ... by this much, milliseconds.
        step_back_ms: u32 = 5 => range(1, MAX_STEP_BACK_MS);
        /// The clock leaps forward at this time, milliseconds.
        leap_at_ms: u32 = 0 => range(0, MAX_DURATION_MS).adv();
        /// ... by this much, milliseconds.
        leap_ms: u32 = 100 => range(1, 3_600_000).adv();
        /// The clock stands still (a paused virtual machine) at this time, milliseconds.
        freeze_at_ms: u32 = 0 => range(0, MAX_DURATION_MS).adv();
        /// ... for this long, milliseconds (it then runs on from where it stopped, behind).
        freeze_ms: u32 = 50 => range(1, 60_000).adv();
    }
}

fn rules(p: &SnowflakeParams) -> Result<(), ParamError> {
    let used = p.worker_bits + p.sequence_bits;
    if used > 33 {
        return Err(ParamError::rule(
            "sequence_bits",
            p.sequence_bits,
            "snowflake.rule.bits",
            vec![p.worker_bits.to_string(), (33 - p.worker_bits).to_string()],
            format!(
                "worker_bits + sequence_bits <= 33, so the timestamp keeps at least 30 of the 63 bits (now at most {})",
                33 - p.worker_bits
            ),
        ));
    }
    if p.epoch_year > p.start_year {
        return Err(ParamError::rule(
            "epoch_year",
            p.epoch_year,
            "snowflake.rule.epoch",
            vec![p.start_year.to_string()],
            format!("<= start_year ({}): the epoch is in the past", p.start_year),
        ));
    }
    Ok(())
}

crate::knobs! {
    /// The snowflake id lab: 63 bits = timestamp (ms since the epoch) | worker id | sequence.
    pub struct SnowflakeParams in "snowflake" check rules ["snowflake.rule.bits", "snowflake.rule.epoch"]; {
        /// Id generators (workers), each with its own clock.
        @workers
        workers: u32 = 4 => range(1, MAX_WORKERS);
        /// Workers whose id is also another worker's (two machines configured with one id):
        /// worker 2k+1 takes worker 2k's id, for the first this-many pairs.
        reused_ids: u32 = 0 => range(0, MAX_WORKERS / 2);
        /// Spread of the workers' clocks at the start: each is off by up to this much either way,
        /// milliseconds (what NTP leaves).
        clock_skew_ms: u32 = 0 => range(0, 1_000);
        /// How fast the clocks drift: each runs fast or slow by up to this much, parts per million.
        drift_ppm: u32 = 0 => range(0, 10_000);
        /// What a generator does when its clock goes backwards.
        @policy
        backwards: Backwards = Backwards::Wait => choice;
        /// Run every policy side by side on the same requests and clocks.
        compare: Compare = Compare::Off => choice;
        /// Bits of the worker id (10 in the notes: 1,024 workers; more workers than that share ids).
        @layout
        worker_bits: u32 = 10 => range(1, 20);
        /// Bits of the sequence within one millisecond (12 in the notes: 4,096 ids per ms).
        sequence_bits: u32 = 12 => range(1, 22);
        /// Year of the epoch the timestamp counts from.
        epoch_year: u32 = 2020 => range(1970, 2100).adv();
        /// Year the run takes place in (the timestamps' starting value).
        start_year: u32 = 2026 => range(1970, 2100).adv();
        /// Requests for ids, to the whole service (round-robin over the workers).
        traffic: TrafficParams = TrafficParams { rate_per_s: 2_000, ..TrafficParams::default() } => group;
        /// Ids one request asks for (a batch).
        @requests
        ids_per_request: u32 = 1 => range(1, MAX_IDS_PER_REQUEST);
        /// Clock faults.
        faults: ClockFaults = ClockFaults::default() => group;
        /// Width of one chart bucket, milliseconds.
        @charts
        chart_bucket_ms: u32 = 100 => range(10, 60_000).adv();
    }
}

impl SnowflakeParams {
    /// Ids one worker can give in one millisecond.
    pub fn ids_per_ms(&self) -> u64 {
        1u64 << self.sequence_bits
    }

    /// Bits of the timestamp (the rest of 63).
    pub fn timestamp_bits(&self) -> u32 {
        63 - self.worker_bits - self.sequence_bits
    }

    /// Years the timestamp lasts from the epoch.
    pub fn years_of_timestamps(&self) -> f64 {
        (1u64 << self.timestamp_bits()) as f64 / MS_PER_YEAR
    }
}

/// Milliseconds in a (Julian) year.
pub const MS_PER_YEAR: f64 = 365.25 * 86_400.0 * 1_000.0;
