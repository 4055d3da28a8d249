//! The snowflake model's unit tests.
use super::*;
use crate::kernel::model::Model;
use crate::kernel::time::secs;
use crate::kernel::traffic::{Pattern, TrafficParams};

fn run(p: SnowflakeParams, until: Nanos) -> SnowflakeLab {
    let mut lab = SnowflakeLab::new(p, 7).unwrap();
    lab.run_to(until);
    lab
}

#[test]
fn healthy_clocks_give_unique_ids_in_order_per_worker() {
    let lab = run(SnowflakeParams::default(), secs(3));
    assert!(lab.issued(0) > 5_000);
    assert_eq!(lab.duplicates(0), 0);
    assert_eq!(lab.refused(0), 0);
}

#[test]
fn the_sequence_caps_a_worker_at_its_ids_per_ms() {
    let p = SnowflakeParams {
        workers: 1,
        sequence_bits: 4, // 16 ids per ms
        traffic: TrafficParams {
            pattern: Pattern::Constant,
            rate_per_s: 1_000,
            ..TrafficParams::default()
        },
        ids_per_request: 40, // 40 per ms asked
        ..SnowflakeParams::default()
    };
    let lab = run(p, secs(2));
    assert!(lab.peak_per_worker_per_s(0) <= 16_000);
    assert_eq!(lab.duplicates(0), 0);
    let (p99, _) = lab.wait(0);
    assert!(p99 > NS_PER_MS, "requests wait for the next milliseconds: {p99}");
}

#[test]
fn a_step_back_duplicates_only_with_the_wrong_policy() {
    let p = SnowflakeParams {
        compare: Compare::Policies,
        traffic: TrafficParams {
            rate_per_s: 20_000,
            ..TrafficParams::default()
        },
        faults: ClockFaults {
            step_back_at_ms: 1_000,
            step_back_ms: 5,
            ..ClockFaults::default()
        },
        ..SnowflakeParams::default()
    };
    let lab = run(p, secs(2));
    let policies = lab.policies();
    for (l, pol) in policies.iter().enumerate() {
        let d = lab.duplicates(l);
        match pol {
            Backwards::Ignore => assert!(d > 0, "ignore duplicates"),
            _ => assert_eq!(d, 0, "{pol:?}"),
        }
    }
    let refuse = policies.iter().position(|&p| p == Backwards::Refuse).unwrap();
    assert!(lab.refused(refuse) > 0);
    let wait = policies.iter().position(|&p| p == Backwards::Wait).unwrap();
    assert!(lab.wait(wait).1 >= 3 * NS_PER_MS, "{:?}", lab.wait(wait));
}

#[test]
fn ids_encode_their_parts() {
    let lab = run(SnowflakeParams::default(), secs(1));
    let mut snap = SnowflakeSnapshot::default();
    lab.fill_snapshot(secs(1), &mut snap);
    let id = snap.lanes[0].latest.unwrap();
    assert_eq!(id.id >> 22, id.ts);
    assert_eq!((id.id >> 12) & 1023, id.node);
    assert_eq!(id.id & 4095, id.seq);
    assert!(id.id < 1 << 63);
}

/// A clock standing still keeps one millisecond: its sequence runs out (100 ids a request,
/// 4,096 a millisecond), and the requests wait until the clock runs again.
#[test]
fn a_frozen_clock_holds_waiting_requests_and_lets_them_go() {
    let p = SnowflakeParams {
        workers: 1,
        ids_per_request: 100,
        traffic: TrafficParams {
            rate_per_s: 5_000,
            ..TrafficParams::default()
        },
        faults: ClockFaults {
            freeze_at_ms: 500,
            freeze_ms: 50,
            ..ClockFaults::default()
        },
        ..SnowflakeParams::default()
    };
    let lab = run(p, secs(2));
    assert_eq!(lab.duplicates(0), 0);
    let (_, max) = lab.wait(0);
    assert!(max >= 40 * NS_PER_MS, "requests wait out the freeze: {max}");
}
