//! The chat lab's params: a bad value gives a `ParamError` naming its field (and `ChatLab::new`
//! returns it rather than panicking), params round-trip through JSON, and the clients' id sets stay
//! bounded however many messages they lose, while keeping exact accounts
//! (`clients_with_many_holes_keep_exact_accounts` pins a bug found here and fixed in the model).

use std::panic::{catch_unwind, AssertUnwindSafe};

use flowlab_sim::chat::ranges::MAX_RANGES;
use flowlab_sim::chat::{ChatLab, ChatParams, Scheme, MAX_MEMBERS_TOTAL};
use flowlab_sim::kernel::model::Validate;
use flowlab_sim::kernel::time::{ms, secs};
use flowlab_sim::{Model, ParamError};
use proptest::prelude::*;

/// Small valid params, cheap to build and run.
fn small() -> ChatParams {
    ChatParams {
        groups: 2,
        members_per_group: 5,
        ..ChatParams::default()
    }
}

/// The error `p` gives, from `validate` and from `ChatLab::new` (which must agree).
fn error_of(p: &ChatParams) -> ParamError {
    let e = p.validate().expect_err("params should be refused");
    let built = catch_unwind(AssertUnwindSafe(|| ChatLab::new(p.clone(), 1)))
        .expect("ChatLab::new panicked on bad params");
    match built {
        Ok(_) => panic!("ChatLab::new accepted params that validate refuses: {e}"),
        Err(e2) => assert_eq!(e, e2),
    }
    e
}

fn assert_refused(p: &ChatParams, field: &str) -> ParamError {
    let e = error_of(p);
    assert_eq!(e.field, field, "{e}");
    assert!(e.to_string().starts_with(field), "{e}");
    assert!(!e.allowed.is_empty(), "{e}");
    e
}

#[test]
fn default_params_and_small_params_are_valid() {
    assert_eq!(ChatParams::default().validate(), Ok(()));
    assert_eq!(small().validate(), Ok(()));
    assert!(ChatLab::new(ChatParams::default(), 1).is_ok());
}

#[test]
fn zero_groups_are_refused() {
    let e = assert_refused(
        &ChatParams {
            groups: 0,
            ..small()
        },
        "groups",
    );
    assert_eq!(e.got, "0");
}

#[test]
fn a_group_of_one_is_refused() {
    let e = assert_refused(
        &ChatParams {
            members_per_group: 1,
            ..small()
        },
        "members_per_group",
    );
    assert_eq!(e.got, "1");
    assert!(e.allowed.starts_with('2'), "{e}");
}

#[test]
fn more_members_than_the_total_are_refused() {
    // Each factor is within its own range; the product is not.
    let p = ChatParams {
        groups: 50,
        members_per_group: 2_001,
        ..small()
    };
    let e = assert_refused(&p, "members_per_group");
    assert!(e.allowed.contains("100000"), "{e}");
    assert!(e.allowed.contains("100050"), "{e}");
    // Exactly the total is allowed (validated only: building 100,000 members is slow in debug).
    let p = ChatParams {
        groups: 20,
        members_per_group: 5_000,
        ..small()
    };
    assert_eq!(
        p.groups as u64 * p.members_per_group as u64,
        MAX_MEMBERS_TOTAL
    );
    assert_eq!(p.validate(), Ok(()));
    let p = ChatParams {
        groups: 10_000,
        members_per_group: 21,
        ..small()
    };
    assert_refused(&p, "members_per_group");
}

#[test]
fn probabilities_outside_0_to_1_are_refused() {
    for field in ["push_fail_prob", "ack_loss_prob", "crash_prob"] {
        for bad in [1.5, -0.1, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let mut p = small();
            match field {
                "push_fail_prob" => p.push_fail_prob = bad,
                "ack_loss_prob" => p.ack_loss_prob = bad,
                _ => p.crash_prob = bad,
            }
            let e = assert_refused(&p, field);
            if bad.is_nan() {
                assert_eq!(e.got, "NaN");
            }
        }
        for good in [0.0, 1.0, 0.5] {
            let mut p = small();
            p.push_fail_prob = good;
            p.ack_loss_prob = good;
            p.crash_prob = good;
            assert_eq!(p.validate(), Ok(()), "{good}");
        }
    }
    let e = assert_refused(
        &ChatParams {
            push_fail_prob: 1.5,
            ..small()
        },
        "push_fail_prob",
    );
    assert_eq!(e.got, "1.5");
}

#[test]
fn zipf_exponents_must_be_finite() {
    for bad in [f64::NAN, f64::INFINITY, -1.0, 3.5] {
        assert_refused(
            &ChatParams {
                group_zipf: bad,
                ..small()
            },
            "group_zipf",
        );
        assert_refused(
            &ChatParams {
                sender_zipf: bad,
                ..small()
            },
            "sender_zipf",
        );
    }
}

#[test]
fn zero_widths_and_rates_are_refused() {
    assert_refused(
        &ChatParams {
            chart_bucket_ms: 0,
            ..small()
        },
        "chart_bucket_ms",
    );
    for (p, field) in [
        (
            ChatParams {
                online_mean_ms: 0,
                ..small()
            },
            "online_mean_ms",
        ),
        (
            ChatParams {
                offline_mean_ms: 0,
                ..small()
            },
            "offline_mean_ms",
        ),
        (
            ChatParams {
                store_rows_per_s: 0,
                ..small()
            },
            "store_rows_per_s",
        ),
        (
            ChatParams {
                content_bytes: 0,
                ..small()
            },
            "content_bytes",
        ),
        (
            ChatParams {
                outage_ms: 0,
                ..small()
            },
            "outage_ms",
        ),
    ] {
        assert_refused(&p, field);
    }
}

// ---------------------------------------------------------------------------------------------
// Any single wild value: refused with its field named, or accepted and run without panicking.
// ---------------------------------------------------------------------------------------------

const U32_FIELDS: [&str; 15] = [
    "groups",
    "members_per_group",
    "msg_rate_per_s",
    "online_mean_ms",
    "offline_mean_ms",
    "ack_batch_ms",
    "store_rows_per_s",
    "query_cost_rows",
    "content_bytes",
    "outage_at_ms",
    "outage_ms",
    "send_until_ms",
    "chart_bucket_ms",
    // Scale the run down when these are big (see `with_u32`).
    "groups",
    "members_per_group",
];

const F64_FIELDS: [&str; 6] = [
    "group_zipf",
    "sender_zipf",
    "push_fail_prob",
    "ack_loss_prob",
    "crash_prob",
    "outage_share",
];

fn with_u32(mut p: ChatParams, field: &str, v: u32) -> ChatParams {
    match field {
        "groups" => p.groups = v,
        "members_per_group" => p.members_per_group = v,
        "msg_rate_per_s" => p.msg_rate_per_s = v,
        "online_mean_ms" => p.online_mean_ms = v,
        "offline_mean_ms" => p.offline_mean_ms = v,
        "ack_batch_ms" => p.ack_batch_ms = v,
        "store_rows_per_s" => p.store_rows_per_s = v,
        "query_cost_rows" => p.query_cost_rows = v,
        "content_bytes" => p.content_bytes = v,
        "outage_at_ms" => p.outage_at_ms = v,
        "outage_ms" => p.outage_ms = v,
        "send_until_ms" => p.send_until_ms = v,
        "chart_bucket_ms" => p.chart_bucket_ms = v,
        _ => unreachable!("{field}"),
    }
    p
}

fn with_f64(mut p: ChatParams, field: &str, v: f64) -> ChatParams {
    match field {
        "group_zipf" => p.group_zipf = v,
        "outage_share" => p.outage_share = v,
        "sender_zipf" => p.sender_zipf = v,
        "push_fail_prob" => p.push_fail_prob = v,
        "ack_loss_prob" => p.ack_loss_prob = v,
        "crash_prob" => p.crash_prob = v,
        _ => unreachable!("{field}"),
    }
    p
}

fn wild_u32() -> impl Strategy<Value = u32> {
    prop_oneof![
        prop::sample::select(vec![0u32, 1, 2, 9, 10, 5_000, 5_001, 10_000, 10_001]),
        prop::sample::select(vec![600_000u32, 600_001, 3_600_000, 3_600_001, u32::MAX]),
        0..100u32,
        0..20_000u32,
        any::<u32>(),
    ]
}

fn wild_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        prop::sample::select(vec![
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -0.0,
            0.0,
            1.0,
            1.0 + f64::EPSILON,
            3.0,
            3.000_001,
            -1e-12,
            f64::MIN_POSITIVE,
        ]),
        -1.0..4.0f64,
        any::<f64>(),
    ]
}

/// Params with one field set to a wild value.
fn wild_params() -> impl Strategy<Value = (ChatParams, &'static str)> {
    prop_oneof![
        (prop::sample::select(U32_FIELDS.to_vec()), wild_u32())
            .prop_map(|(f, v)| (with_u32(small(), f, v), f)),
        (prop::sample::select(F64_FIELDS.to_vec()), wild_f64())
            .prop_map(|(f, v)| (with_f64(small(), f, v), f)),
        any::<bool>().prop_map(|b| (
            ChatParams {
                client_dedup: b,
                ..small()
            },
            "client_dedup"
        )),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn a_wild_value_is_refused_by_name_or_runs(
        (p, field) in wild_params(),
        seed in any::<u64>(),
    ) {
        let verdict = p.validate();
        let built = catch_unwind(AssertUnwindSafe(|| {
            ChatLab::new(p.clone(), seed).map(|mut lab| {
                // Big valid labs run a shorter time, to keep the test quick in debug.
                let users = lab.users() as u64;
                let until = if users > 1_000 { ms(20) } else { ms(500) };
                lab.run_to(until);
                lab.quiesce(0);
                lab.run_to(until + ms(200));
                lab.digest()
            })
        }));
        let built = match built {
            Ok(b) => b,
            Err(_) => return Err(TestCaseError::fail(format!("panicked on {field} in {p:?}"))),
        };
        match verdict {
            Ok(()) => prop_assert!(built.is_ok(), "validate accepts {:?} but new refuses", p),
            Err(e) => {
                prop_assert_eq!(&e.field, field);
                prop_assert_eq!(built.err(), Some(e));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------------

fn valid_params() -> impl Strategy<Value = ChatParams> {
    (
        (1..=5_000u32, 2..=20u32, 0..=10_000u32),
        (0.0..=3.0f64, 0.0..=3.0f64),
        (1..=3_600_000u32, 1..=3_600_000u32),
        (0.0..=1.0f64, 0.0..=1.0f64, 0.0..=1.0f64),
        (0..=600_000u32, any::<bool>()),
        (1..=100_000_000u32, 0..=1_000_000u32, 1..=1_000_000u32),
        (0..=3_600_000u32, 1..=3_600_000u32, 0..=3_600_000u32),
        10..=600_000u32,
    )
        .prop_map(
            |(
                (groups, members_per_group, msg_rate_per_s),
                (group_zipf, sender_zipf),
                (online_mean_ms, offline_mean_ms),
                (push_fail_prob, ack_loss_prob, crash_prob),
                (ack_batch_ms, client_dedup),
                (store_rows_per_s, query_cost_rows, content_bytes),
                (outage_at_ms, outage_ms, send_until_ms),
                chart_bucket_ms,
            )| ChatParams {
                groups,
                members_per_group,
                msg_rate_per_s,
                group_zipf,
                sender_zipf,
                online_mean_ms,
                offline_mean_ms,
                push_fail_prob,
                ack_loss_prob,
                crash_prob,
                ack_batch_ms,
                client_dedup,
                store_rows_per_s,
                query_cost_rows,
                content_bytes,
                outage_at_ms,
                outage_ms,
                outage_share: 0.5,
                send_until_ms,
                chart_bucket_ms,
            },
        )
}

/// The float fields, for comparing them apart.
fn floats(p: &ChatParams) -> [f64; 6] {
    [
        p.group_zipf,
        p.sender_zipf,
        p.push_fail_prob,
        p.ack_loss_prob,
        p.crash_prob,
        p.outage_share,
    ]
}

/// `p` with its floats rounded to 6 decimals, as the UI's inputs give them.
fn rounded(mut p: ChatParams) -> ChatParams {
    let r = |x: f64| (x * 1e6).round() / 1e6;
    p.group_zipf = r(p.group_zipf);
    p.sender_zipf = r(p.sender_zipf);
    p.push_fail_prob = r(p.push_fail_prob);
    p.ack_loss_prob = r(p.ack_loss_prob);
    p.crash_prob = r(p.crash_prob);
    p
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn params_round_trip_through_json(p in valid_params()) {
        prop_assert_eq!(p.validate(), Ok(()));
        // Through a JSON value (what the app's URL state does): exact.
        let v = serde_json::to_value(&p).unwrap();
        let back: ChatParams = serde_json::from_value(v).unwrap();
        prop_assert_eq!(&back, &p);
        // Through text: exact for values with a few decimals, as typed or picked in the UI.
        let q = rounded(p.clone());
        let back: ChatParams = serde_json::from_str(&serde_json::to_string(&q).unwrap()).unwrap();
        prop_assert_eq!(&back, &q);
        let back: ChatParams =
            serde_json::from_str(&serde_json::to_string_pretty(&q).unwrap()).unwrap();
        prop_assert_eq!(&back, &q);
        // Any float: serde_json parses text without its `float_roundtrip` feature, which can be
        // one ulp off; everything else is exact.
        let back: ChatParams = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
        for (a, b) in floats(&back).into_iter().zip(floats(&p)) {
            prop_assert!(a.to_bits().abs_diff(b.to_bits()) <= 1, "{} != {}", a, b);
        }
        let mut back = back;
        back.group_zipf = p.group_zipf;
        back.sender_zipf = p.sender_zipf;
        back.push_fail_prob = p.push_fail_prob;
        back.ack_loss_prob = p.ack_loss_prob;
        back.crash_prob = p.crash_prob;
        back.outage_share = p.outage_share;
        prop_assert_eq!(back, p);
    }
}

#[test]
fn json_uses_the_field_names_fills_defaults_and_refuses_unknown_fields() {
    let v = serde_json::to_value(ChatParams::default()).unwrap();
    let obj = v.as_object().unwrap();
    assert_eq!(obj.len(), 20);
    for key in U32_FIELDS
        .iter()
        .chain(&F64_FIELDS)
        .chain(&["client_dedup"])
    {
        assert!(obj.contains_key(*key), "{key} missing from {v}");
    }
    assert_eq!(obj["push_fail_prob"], serde_json::json!(0.02));
    // A partial object takes the defaults for the rest.
    let p: ChatParams = serde_json::from_str(r#"{"groups": 3, "crash_prob": 0.25}"#).unwrap();
    assert_eq!(
        p,
        ChatParams {
            groups: 3,
            crash_prob: 0.25,
            ..ChatParams::default()
        }
    );
    let p: ChatParams = serde_json::from_str("{}").unwrap();
    assert_eq!(p, ChatParams::default());
    // Unknown fields and wrong types are errors, not silently dropped.
    assert!(serde_json::from_str::<ChatParams>(r#"{"group": 3}"#).is_err());
    assert!(serde_json::from_str::<ChatParams>(r#"{"groups": -1}"#).is_err());
    assert!(serde_json::from_str::<ChatParams>(r#"{"groups": "3"}"#).is_err());
    // A value JSON accepts but the model does not is caught by validate.
    let p: ChatParams = serde_json::from_str(r#"{"push_fail_prob": 1.5}"#).unwrap();
    assert_refused(&p, "push_fail_prob");
}

// ---------------------------------------------------------------------------------------------
// Bounded memory
// ---------------------------------------------------------------------------------------------

/// Largest number of ranges in any client's id set, per scheme.
fn max_ranges(lab: &ChatLab) -> [usize; 4] {
    Scheme::ALL.map(|s| {
        (0..lab.users())
            .map(|u| lab.client_has(s, u).ranges().len())
            .max()
            .unwrap_or(0)
    })
}

/// Half the pushes fail, so scheme 1's clients collect thousands of holes they never fill: their id
/// sets stay within `MAX_RANGES` ranges (forgetting the oldest holes), and the server's sets stay
/// consistent with its row counts.
#[test]
fn memory_stays_bounded_with_many_holes() {
    let p = ChatParams {
        groups: 2,
        members_per_group: 20,
        msg_rate_per_s: 200,
        push_fail_prob: 0.5,
        ..ChatParams::default()
    };
    let mut lab = ChatLab::new(p, 1).expect("valid params");
    let mut peak = [0usize; 4];
    for s in 1..=120 {
        lab.run_to(secs(s));
        let now = max_ranges(&lab);
        for i in 0..4 {
            // Scheme 1's holes are losses for good: its clients forget the oldest past
            // MAX_RANGES. The other schemes' clients keep theirs (they are filled later).
            let cap = if i == 0 {
                MAX_RANGES
            } else {
                flowlab_sim::chat::CLIENT_MAX_RANGES
            };
            assert!(now[i] <= cap, "{:?}: {} ranges", Scheme::ALL[i], now[i]);
            peak[i] = peak[i].max(now[i]);
        }
        // Copies and unread ids: at most one per member per message.
        for st in Scheme::ALL.map(|s| lab.stats(s)) {
            assert!(
                st.rows_stored <= lab.messages() * 20 + lab.users() as u64,
                "{:?}: {} rows for {} messages",
                st.scheme,
                st.rows_stored,
                lab.messages()
            );
        }
    }
    eprintln!("peak ranges {peak:?}");
    assert_eq!(lab.dropped_events(), 0);
    // Scheme 1 did reach the bound: the test exercises it.
    assert_eq!(peak[0], MAX_RANGES, "scheme 1 peaked at {} ranges", peak[0]);
    // Forgotten holes only make scheme 1 look better than it is, never worse.
    assert!(lab.missing(Scheme::OfflineCopies) <= lab.online_faults());
    lab.quiesce(0);
    lab.run_to(secs(240));
    assert_eq!(lab.dropped_events(), 0);
    assert!(max_ranges(&lab).iter().all(|&n| n <= MAX_RANGES));
    for s in [Scheme::CopyPerMember, Scheme::UnreadIds, Scheme::Cursor] {
        assert_eq!(lab.missing(s), 0, "{s:?}");
    }
    assert_eq!(lab.stats(Scheme::OfflineCopies).rows_stored, 0);
    assert_eq!(lab.stats(Scheme::CopyPerMember).rows_stored, 0);
    assert_eq!(lab.stats(Scheme::UnreadIds).rows_stored, lab.messages());
    assert_eq!(
        lab.stats(Scheme::Cursor).rows_stored,
        lab.messages() + lab.users() as u64
    );
}

/// The same with sessions of 0.5 s: scheme 1 still reaches the bound, while the other schemes'
/// clients fill their holes at each reconnect (or gap pull) and keep exact accounts.
#[test]
fn memory_stays_bounded_with_short_sessions() {
    let p = ChatParams {
        groups: 2,
        members_per_group: 20,
        msg_rate_per_s: 200,
        group_zipf: 0.0,
        push_fail_prob: 0.5,
        online_mean_ms: 500,
        offline_mean_ms: 500,
        ..ChatParams::default()
    };
    let mut lab = ChatLab::new(p, 3).expect("valid params");
    let mut peak = [0usize; 4];
    for s in 1..=120 {
        lab.run_to(secs(s));
        let now = max_ranges(&lab);
        for i in 0..4 {
            // Scheme 1's holes are losses for good: its clients forget the oldest past
            // MAX_RANGES. The other schemes' clients keep theirs (they are filled later).
            let cap = if i == 0 {
                MAX_RANGES
            } else {
                flowlab_sim::chat::CLIENT_MAX_RANGES
            };
            assert!(now[i] <= cap, "{:?}: {} ranges", Scheme::ALL[i], now[i]);
            peak[i] = peak[i].max(now[i]);
        }
    }
    assert_eq!(lab.dropped_events(), 0);
    assert_eq!(peak[0], MAX_RANGES, "scheme 1 peaked at {} ranges", peak[0]);
    assert!(lab.missing(Scheme::OfflineCopies) <= lab.online_faults());
    let owed = lab.messages() * 19;
    for s in [Scheme::CopyPerMember, Scheme::UnreadIds, Scheme::Cursor] {
        assert!(
            peak[s.index()] < MAX_RANGES,
            "{s:?} peaked at {}",
            peak[s.index()]
        );
        assert_eq!(lab.stats(s).delivered + lab.missing(s), owed, "{s:?}");
    }
    lab.quiesce(0);
    lab.run_to(secs(180));
    assert_eq!(lab.dropped_events(), 0);
    for s in [Scheme::CopyPerMember, Scheme::UnreadIds, Scheme::Cursor] {
        assert_eq!(lab.missing(s), 0, "{s:?}");
        assert_eq!(lab.stats(s).delivered, lab.messages() * 19, "{s:?}");
    }
    assert_eq!(lab.stats(Scheme::CopyPerMember).rows_stored, 0);
    assert_eq!(lab.stats(Scheme::UnreadIds).rows_stored, lab.messages());
}

/// With the default 20 s sessions, the clients of schemes 2-4 collect holes too (2 and 3 wait for
/// the next reconnect; 4's gap pulls fall behind), their sets reach `MAX_RANGES`, and forget holes:
/// a client then "has" messages it never received. Scheme 4's cursor passes them (lost for good,
/// yet `missing` says 0); schemes 2 and 3 deliver them on reconnect but count them as duplicates,
/// which a deduping client drops. First deliveries + missing fall short of what is owed.
#[test]
fn clients_with_many_holes_keep_exact_accounts() {
    let p = ChatParams {
        groups: 2,
        members_per_group: 20,
        msg_rate_per_s: 200,
        push_fail_prob: 0.5,
        ..ChatParams::default()
    };
    let mut lab = ChatLab::new(p, 1).expect("valid params");
    lab.run_to(secs(120));
    lab.quiesce(0);
    lab.run_to(secs(240));
    let owed = lab.messages() * 19;
    for s in [Scheme::CopyPerMember, Scheme::UnreadIds, Scheme::Cursor] {
        assert_eq!(
            lab.stats(s).delivered + lab.missing(s),
            owed,
            "{s:?}: first deliveries + missing"
        );
    }
}
