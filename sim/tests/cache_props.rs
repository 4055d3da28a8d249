//! Invariants of the cache lab, over random params: every request ends exactly once; write-through
//! never serves stale data without failures; a lock or single-flight bounds the loads per fill;
//! write-behind loses exactly what it had not flushed; consistent hashing moves about 1/(N+1) of the
//! keys; memory stays bounded; runs are deterministic however they are stepped.

use flowlab_sim::cache::ring::{moved_share_on_join, Ring};
use flowlab_sim::cache::{
    CacheLab, CacheParams, Compare, Hashing, MissGuard, RingChange, Strategy, MAX_NODES,
};
use flowlab_sim::kernel::time::{ms, secs, NS_PER_MS};
use flowlab_sim::Model;
use proptest::prelude::*;
use proptest::strategy::Strategy as _;

fn strategy() -> impl proptest::strategy::Strategy<Value = Strategy> {
    proptest::sample::select(Strategy::ALL.to_vec())
}

fn guard() -> impl proptest::strategy::Strategy<Value = MissGuard> {
    proptest::sample::select(MissGuard::ALL.to_vec())
}

/// Small random params: every switch, any strategy and guard.
fn params() -> impl proptest::strategy::Strategy<Value = CacheParams> {
    (
        (strategy(), guard(), 100u32..3_000, 0.5f64..1.0, 5u32..300),
        (
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            0u32..3,
            0u32..50,
        ),
        (1u32..5, 10u32..400, 200u32..3_000, 0.0f64..1.0, 0.0f64..0.3),
        (1u32..6, 100u32..5_000, 200u32..20_000, any::<bool>()),
    )
        .prop_map(
            |(
                (strategy, miss_guard, rate, read_share, keys),
                (cache_null, bloom_filter, coalesce, batch, l1_keys),
                (nodes, memory, ttl_ms, jitter, missing),
                (servers, db_qps, db_read_us, warm),
            )| CacheParams {
                strategy,
                miss_guard,
                rate_per_s: rate,
                read_share,
                key_count: keys,
                cache_null,
                bloom_filter,
                coalesce,
                batch_window_ms: batch,
                l1_keys,
                nodes,
                node_memory_keys: memory,
                ttl_ms,
                ttl_jitter: jitter,
                missing_share: missing,
                app_servers: servers,
                db_capacity_qps: db_qps,
                db_read_us,
                warm_start: warm,
                flush_interval_ms: 300,
                burst_size: 50,
                burst_every_ms: 700,
                hot_key_share: 0.2,
                ..CacheParams::default()
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Every request ends as a hit, a filtered read, a read served after a miss, an error, or an
    /// acknowledged or failed write, exactly once: what arrived equals what ended plus what is in
    /// flight, at any time.
    #[test]
    fn every_request_ends_exactly_once(p in params(), seed in 0u64..1_000) {
        let mut lab = CacheLab::new(p, seed).unwrap();
        for t in [500, 1_300, 3_000] {
            lab.run_to(ms(t));
            let s = lab.stats(0);
            prop_assert_eq!(s.reads + s.writes, lab.arrivals());
            let ended = s.reads_ended() + s.writes_acked + s.write_errors;
            prop_assert_eq!(s.reads + s.writes, ended + lab.in_flight(0) as u64);
            prop_assert_eq!(lab.dropped_events(), 0);
        }
    }

    /// Write-through with no L1 (which writes do not reach), no coalescing (which hands a later
    /// reader an earlier query's answer), no crash and no ring change never serves a value older
    /// than an acknowledged write, whatever the load and the guards.
    #[test]
    fn write_through_never_serves_stale_data_without_failures(p in params(), seed in 0u64..1_000) {
        let p = CacheParams {
            strategy: Strategy::WriteThrough,
            l1_keys: 0,
            coalesce: false,
            read_share: 0.7,
            ..p
        };
        let keys = p.key_count;
        let mut lab = CacheLab::new(p, seed).unwrap();
        lab.run_to(secs(3));
        prop_assert!(lab.stats(0).writes_acked > 0);
        prop_assert_eq!(lab.stats(0).stale_reads, 0);
        // A write is acknowledged only once the database has committed it.
        for k in 0..keys {
            let (committed, acked) = lab.versions(0, k);
            prop_assert!(acked <= committed, "key {}: acked {} > committed {}", k, acked, committed);
        }
    }

    /// With the lock in the cache, a key is loaded from the database at most once between two
    /// fills (while no load times out); with single-flight, at most once per app server.
    #[test]
    fn a_lock_loads_once_per_fill_and_single_flight_once_per_server(
        p in params(), seed in 0u64..1_000, mutex in any::<bool>()
    ) {
        let p = CacheParams {
            strategy: Strategy::UpdateThenDelete,
            miss_guard: if mutex { MissGuard::Mutex } else { MissGuard::SingleFlight },
            db_capacity_qps: 1_000_000,
            batch_window_ms: 0,
            hot_key_share: 0.6,
            ..p
        };
        let servers = p.app_servers as u64;
        let mut lab = CacheLab::new(p, seed).unwrap();
        lab.run_to(secs(3));
        let s = lab.stats(0);
        prop_assert_eq!(s.db_timeouts, 0);
        let bound = if mutex { 1 } else { servers };
        prop_assert!(s.max_loads_per_fill <= bound, "{} loads, bound {}", s.max_loads_per_fill, bound);
    }

    /// A write-behind crash loses exactly the writes the node had not flushed, and every write is
    /// accounted for: flushed, being flushed, waiting, or lost.
    #[test]
    fn write_behind_loses_exactly_the_unflushed_writes(
        p in params(), seed in 0u64..1_000, crash_ms in 100u64..2_500, node in 0u32..5
    ) {
        let p = CacheParams { strategy: Strategy::WriteBehind, read_share: 0.5, ..p };
        let node = node % p.nodes;
        let mut lab = CacheLab::new(p, seed).unwrap();
        lab.run_to(ms(crash_ms));
        let waiting = lab.unflushed_on(0, node);
        let before = lab.stats(0).lost_writes;
        lab.crash_node(node);
        prop_assert_eq!(lab.stats(0).lost_writes - before, waiting);
        lab.run_to(secs(3));
        let s = lab.stats(0);
        prop_assert_eq!(
            lab.write_behind_acked(0),
            s.flushed_writes + lab.flushing_writes(0) + lab.unflushed_writes(0) + s.lost_writes
        );
    }

    /// With many virtual nodes, a joining node takes close to 1/(N+1) of the keys from the others.
    #[test]
    fn a_joining_node_takes_about_one_in_n_plus_one(n in 2u32..12) {
        let nodes: Vec<u32> = (0..n).collect();
        let (ring, modn) = moved_share_on_join(&nodes, n, 500, 20_000);
        let want = 1.0 / (n + 1) as f64;
        prop_assert!((ring - want).abs() < 0.3 * want, "N={} moved {} want {}", n, ring, want);
        prop_assert!(modn > 0.5, "mod N moved {}", modn);
    }
}

/// A ring change in a running lab moves the same keys the pure function says.
#[test]
fn a_ring_change_in_the_lab_moves_what_the_ring_says() {
    let p = CacheParams {
        compare: Compare::Hashing,
        key_count: 10_000,
        ring_change: RingChange::RemoveNode,
        ring_change_at_ms: 500,
        ..CacheParams::default()
    };
    let mut lab = CacheLab::new(p.clone(), 3).unwrap();
    lab.run_to(secs(1));
    let c = lab.last_change().unwrap();
    assert!(!c.added && c.node == p.nodes - 1);
    let ring = (0..2)
        .map(|i| lab.stats(i))
        .find(|s| s.kind == flowlab_sim::cache::LaneKind::Hashing(Hashing::Ring))
        .unwrap();
    let before = Ring::new(&[0, 1, 2, 3], p.virtual_nodes);
    let owned = flowlab_sim::cache::ring::load(&before, p.key_count)[3];
    assert_eq!(ring.keys_moved, owned, "only the leaving node's keys move");
}

/// Long, heavy runs keep memory bounded: cached values within the nodes' limits, requests in flight
/// within the cap, series and drawing buffers within theirs.
#[test]
fn memory_stays_bounded() {
    let p = CacheParams {
        rate_per_s: 50_000,
        key_count: 50_000,
        missing_share: 0.3,
        missing_key_space: 1_000_000_000,
        cache_null: true,
        l1_keys: 500,
        node_memory_keys: 2_000,
        db_capacity_qps: 500,
        chart_bucket_ms: 10,
        ..CacheParams::default()
    };
    let mut lab = CacheLab::new(p.clone(), 1).unwrap();
    lab.run_to(secs(20));
    let s = lab.stats(0);
    assert!(lab.cached_values(0) <= (p.nodes * p.node_memory_keys) as usize);
    assert!(lab.in_flight(0) <= flowlab_sim::cache::MAX_IN_FLIGHT);
    assert!(s.db_series.len() <= s.db_series.capacity());
    assert!(s.db_timeouts > 0, "the database was overloaded");
    assert_eq!(lab.dropped_events(), 0);
    let mut snap = flowlab_sim::cache::CacheSnapshot::default();
    lab.fill_snapshot(secs(100), &mut snap);
    assert!(snap.lanes[0].flows.len() <= 4_096 && snap.lanes[0].dense);
    assert!(lab.add_node());
    assert!((MAX_NODES as usize) > lab.nodes().len());
}

/// The same params and seed give the same run, however the run is stepped.
#[test]
fn runs_are_deterministic_and_independent_of_stepping() {
    for p in flowlab_sim::cache::presets::all() {
        let mut a = CacheLab::new(p.params.clone(), p.seed).unwrap();
        a.run_to(secs(6));
        let mut b = CacheLab::new(p.params.clone(), p.seed).unwrap();
        let mut t = 0;
        while t < secs(6) {
            t += 7 * NS_PER_MS + 123;
            b.advance_to(t.min(secs(6)), 50);
        }
        b.run_to(secs(6));
        assert_eq!(a.digest(), b.digest(), "{}", p.id);
    }
}

/// The ring view follows the cluster, and a snapshot reused across labs is refreshed.
#[test]
fn the_ring_view_follows_changes_and_new_labs() {
    let mut snap = flowlab_sim::cache::CacheSnapshot::default();
    let mut a = CacheLab::new(CacheParams::default(), 1).unwrap();
    a.fill_snapshot(secs(1), &mut snap);
    assert_eq!(snap.ring.nodes, vec![0, 1, 2, 3]);
    assert_eq!(snap.ring.load.iter().sum::<u64>(), 2_000);
    a.add_node();
    a.fill_snapshot(secs(1), &mut snap);
    assert_eq!(snap.ring.nodes.len(), 5);
    assert!(snap.ring.keys.iter().any(|&(_, now, before)| now != before));
    let b = CacheLab::new(
        CacheParams {
            nodes: 2,
            ..CacheParams::default()
        },
        1,
    )
    .unwrap();
    b.fill_snapshot(secs(1), &mut snap);
    assert_eq!(snap.ring.nodes, vec![0, 1]);
    assert_eq!(snap.ring.points.len(), 200);
}
