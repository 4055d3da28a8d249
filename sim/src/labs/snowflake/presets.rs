//! One-click scenarios, each showing one effect (asserted over many seeds in
//! `sim/tests/snowflake_presets.rs`).

use super::params::{Backwards, ClockFaults, Compare, SnowflakeParams, Target};
use crate::kernel::traffic::{Pattern, TrafficParams};

/// This lab's presets.
pub type Preset = crate::kernel::preset::Preset<SnowflakeParams>;

pub fn all() -> Vec<Preset> {
    vec![
        clock_back_5ms(),
        sequence_exhausted(),
        many_workers(),
        reused_worker_id(),
    ]
}

pub fn by_id(id: &str) -> Option<Preset> {
    crate::kernel::preset::find(all(), id)
}

/// Every worker's clock steps back 5 ms at 2 s, under every policy side by side: the wrong one
/// ("ignore") issues ids again; "refuse" fails requests for 5 ms; "wait" delays them up to 5 ms;
/// "borrow" keeps going on the last timestamp.
pub fn clock_back_5ms() -> Preset {
    Preset {
        id: "clock_back_5ms",
        seed: 1,
        headline: "ignore.duplicates",
        params: SnowflakeParams {
            compare: Compare::Policies,
            traffic: TrafficParams {
                rate_per_s: 20_000,
                ..TrafficParams::default()
            },
            faults: ClockFaults {
                target: Target::All,
                step_back_at_ms: 2_000,
                step_back_ms: 5,
                ..ClockFaults::default()
            },
            chart_bucket_ms: 50,
            ..SnowflakeParams::default()
        },
    }
}

/// 5,000 ids asked per millisecond per worker against a 12-bit sequence (4,096 per ms): each
/// worker gives at most 4,096,000 ids a second and the rest wait for the next millisecond.
pub fn sequence_exhausted() -> Preset {
    Preset {
        id: "sequence_exhausted",
        seed: 2,
        headline: "wait.peak_ids_per_s_per_worker",
        params: SnowflakeParams {
            workers: 2,
            traffic: TrafficParams {
                pattern: Pattern::Constant,
                rate_per_s: 10_000,
                ..TrafficParams::default()
            },
            ids_per_request: 1_000,
            chart_bucket_ms: 50,
            ..SnowflakeParams::default()
        },
    }
}

/// 64 workers whose clocks are up to 3 ms apart and drift: every id is unique, but ids are only
/// roughly time-ordered: ids issued later can carry an earlier timestamp, by up to a few ms.
pub fn many_workers() -> Preset {
    Preset {
        id: "many_workers",
        seed: 3,
        headline: "wait.out_of_order",
        params: SnowflakeParams {
            workers: 64,
            clock_skew_ms: 3,
            drift_ppm: 200,
            traffic: TrafficParams {
                rate_per_s: 20_000,
                ..TrafficParams::default()
            },
            ..SnowflakeParams::default()
        },
    }
}

/// Two machines were given the same worker id: in the same millisecond both count their sequence
/// from 0, and every such id is issued twice, whatever the clock policy.
pub fn reused_worker_id() -> Preset {
    Preset {
        id: "reused_worker_id",
        seed: 4,
        headline: "wait.duplicates",
        params: SnowflakeParams {
            workers: 4,
            reused_ids: 1,
            backwards: Backwards::Wait,
            traffic: TrafficParams {
                rate_per_s: 20_000,
                ..TrafficParams::default()
            },
            ..SnowflakeParams::default()
        },
    }
}
