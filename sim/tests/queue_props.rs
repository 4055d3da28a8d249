//! Properties of the queue lab over random seeds, parameters and fault schedules:
//! - the safe configuration (`acks=all`, idempotence, enough retries, `min.insync.replicas=2` of 3)
//!   never loses, never duplicates and keeps per-key order, whatever brokers crash and when;
//! - every send gets exactly one callback, and the live "lost" count equals the exact count once the
//!   run is quiet, for any configuration;
//! - bad params give an error naming the field, never a panic; memory stays bounded.

use flowlab_sim::kernel::model::Validate;
use flowlab_sim::kernel::query;
use flowlab_sim::kernel::time::{Nanos, NS_PER_MS, NS_PER_S};
use flowlab_sim::queue::{
    Acks, Assignor, CommitMode, Fault, Partitioner, QueueLab, QueueParams, QueueSnapshot,
};
use flowlab_sim::Model;
use proptest::prelude::*;

fn safe(partitions: u32, rate: u32, ack_loss: f64, req_loss: f64, in_flight: u32) -> QueueParams {
    QueueParams {
        acks: Acks::All,
        idempotence: true,
        retries: 1_000,
        retry_backoff_ms: 200,
        delivery_timeout_ms: 3_600_000,
        replication_factor: 3,
        min_insync_replicas: 2,
        partitions,
        rate_per_s: rate,
        ack_loss_prob: ack_loss,
        request_loss_prob: req_loss,
        max_in_flight: in_flight,
        // Room for every send while heavy loss slows the producer down: nothing fails visibly.
        buffer_memory_bytes: 100_000_000,
        ..QueueParams::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn the_safe_configuration_never_loses_duplicates_or_reorders(
        seed in any::<u64>(),
        partitions in 1u32..8,
        rate in 20u32..400,
        ack_loss in 0.0f64..0.2,
        req_loss in 0.0f64..0.2,
        in_flight in 1u32..6,
        crashes in prop::collection::vec((0u32..3, 1u64..15_000, 50u64..5_000), 0..8),
    ) {
        let mut lab = QueueLab::new(safe(partitions, rate, ack_loss, req_loss, in_flight), seed).unwrap();
        for &(b, at_ms, down_ms) in &crashes {
            lab.schedule_fault(at_ms * NS_PER_MS, Fault::CrashBroker(b));
            lab.schedule_fault((at_ms + down_ms) * NS_PER_MS, Fault::RestartBroker(b));
        }
        lab.run_to(20 * NS_PER_S);
        prop_assert!(lab.quiesce(600 * NS_PER_S), "did not get quiet");
        let fc = lab.final_check();
        prop_assert_eq!(fc.lost, 0);
        prop_assert_eq!(fc.written_twice, 0);
        prop_assert_eq!(fc.processed_twice, 0);
        prop_assert_eq!(fc.failed, 0);
        prop_assert_eq!(fc.unsettled, 0);
        prop_assert_eq!(lab.stats().order_violations, 0);
        prop_assert_eq!(lab.stats().lost, 0);
        prop_assert_eq!(lab.stats().dropped_events, 0);
    }

    #[test]
    fn every_send_is_answered_once_and_the_live_loss_count_is_exact_at_rest(
        seed in any::<u64>(),
        acks in prop::sample::select(Acks::ALL.to_vec()),
        idempotence in any::<bool>(),
        partitioner in prop::sample::select(Partitioner::ALL.to_vec()),
        commit in prop::sample::select(CommitMode::ALL.to_vec()),
        assignor in prop::sample::select(Assignor::ALL.to_vec()),
        unclean in any::<bool>(),
        fetch_ms in 1u32..300,
        ack_loss in 0.0f64..0.3,
        retries in 0u32..5,
        linger in 0u32..50,
        buffer_msgs in 5u32..200,
        faults in prop::collection::vec((0u8..8, 1u64..10_000), 0..10),
    ) {
        let p = QueueParams {
            acks,
            idempotence,
            partitioner,
            commit,
            assignor,
            unclean_leader_election: unclean,
            replica_fetch_ms: fetch_ms,
            ack_loss_prob: ack_loss,
            retries,
            linger_ms: linger,
            buffer_memory_bytes: buffer_msgs * 1_000,
            rate_per_s: 300,
            delivery_timeout_ms: 3_000,
            ..QueueParams::default()
        };
        let mut lab = QueueLab::new(p, seed).unwrap();
        for &(kind, at_ms) in &faults {
            let f = match kind {
                0 => Fault::CrashLeaderOf(0),
                1 => Fault::RestartBroker((at_ms % 3) as u32),
                2 => Fault::CrashConsumer((at_ms % 3) as u32),
                3 => Fault::RestartConsumer((at_ms % 3) as u32),
                4 => Fault::CutLink,
                5 => Fault::RestoreLink,
                6 => Fault::AddConsumer,
                _ => Fault::InjectPoison,
            };
            lab.schedule_fault(at_ms * NS_PER_MS, f);
        }
        lab.run_to(12 * NS_PER_S);
        prop_assert!(lab.quiesce(600 * NS_PER_S), "did not get quiet");
        let fc = lab.final_check();
        prop_assert_eq!(fc.unsettled, 0);
        prop_assert_eq!(lab.stats().lost, fc.lost);
        prop_assert_eq!(lab.stats().failed_visibly, fc.failed);
        prop_assert_eq!(lab.stats().dropped_events, 0);
        if lab.params().dedup_store {
            prop_assert_eq!(fc.processed_twice, 0);
        }
    }

    #[test]
    fn any_value_of_any_key_is_refused_or_runs(
        key in prop::sample::select(vec![
            "brokers", "partitions", "replication_factor", "min_insync_replicas", "retries",
            "max_in_flight", "batch_size_bytes", "message_bytes", "buffer_memory_bytes",
            "consumers", "ack_loss_prob", "key_zipf", "ttl_ms", "acks", "commit",
            "faults.crash_leader_every_ms", "chart_bucket_ms", "keys", "rate_per_s",
        ]),
        value in prop::sample::select(vec![
            "0", "1", "-1", "2", "7", "1e9", "NaN", "inf", "0.5", "99999999999", "all", "zero",
            "", "abc", "4294967295", "after_processing",
        ]),
    ) {
        match query::apply(&QueueParams::default(), key, value) {
            Ok(p) => {
                prop_assert!(p.validate().is_ok());
                let mut lab = QueueLab::new(p, 1).unwrap();
                lab.run_to(NS_PER_S);
            }
            Err(problem) => {
                let text = format!("{problem:?}");
                prop_assert!(!text.is_empty());
            }
        }
    }
}

#[test]
fn negative_retries_and_impossible_replication_are_refused_by_name() {
    let e = query::apply(&QueueParams::default(), "retries", "-1").unwrap_err();
    assert!(format!("{e:?}").contains("retries"), "{e:?}");
    let e = QueueLab::new(
        QueueParams {
            min_insync_replicas: 3,
            replication_factor: 2,
            ..QueueParams::default()
        },
        1,
    )
    .err()
    .expect("refused");
    assert_eq!(e.field, "min_insync_replicas");
    assert!(e.allowed.contains("replication_factor"), "{e}");
}

fn sizes(lab: &QueueLab) -> (u64, usize) {
    let mut snap = QueueSnapshot::default();
    lab.fill_snapshot(NS_PER_S, &mut snap);
    let longest = snap
        .partitions
        .iter()
        .map(|p| p.end - p.base)
        .max()
        .unwrap();
    (longest, snap.flows.len())
}

#[test]
fn memory_stays_bounded_over_a_long_run_with_a_stuck_group() {
    // No consumer reads for the whole run: the logs hit retention and stay there.
    let p = QueueParams {
        consumers: 0,
        rate_per_s: 2_000,
        log_retention_records: 5_000,
        ..QueueParams::default()
    };
    let mut lab = QueueLab::new(p, 3).unwrap();
    let step: Nanos = 60 * NS_PER_S;
    lab.run_to(step);
    let (len1, flows1) = sizes(&lab);
    lab.run_to(10 * step);
    let (len10, flows10) = sizes(&lab);
    assert!(len1 <= 5_000 && len10 <= 5_000, "{len1} {len10}");
    assert!(flows1 <= 4_096 && flows10 <= 4_096);
    assert!(
        lab.stats().expired > 1_000_000,
        "retention deleted unread records"
    );
    assert_eq!(lab.stats().dropped_events, 0);
    assert!(lab.stats().sent_series.len() <= 1_200);
}
