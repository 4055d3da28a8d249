use super::*;
use crate::kernel::cost::PAGE_BUDGET_BYTES;
use crate::kernel::model::Model;
use crate::kernel::time::secs;
use crate::labs::{self, by_id};
use crate::queue::{presets, QueueLab};

fn queue() -> &'static dyn AnyLab {
    by_id("queue").unwrap()
}

fn acks_sweep(metric: &str) -> Sweep {
    Sweep {
        metric: metric.into(),
        knob: Some(Axis {
            key: "acks".into(),
            values: Values::Choices,
        }),
        seeds: 3,
        first_seed: 5,
        until_s: Some(8.0),
    }
}

fn rule_id(e: &SweepError) -> &'static str {
    match &*e.rule {
        SweepRule::Text { id, .. } => id,
        SweepRule::Point { .. } => "point",
    }
}

/// Each run of a small sweep reports what a plain run of the lab's own type does with the same
/// params and seed: advanced to `until`, then at rest.
#[test]
fn every_run_of_a_sweep_equals_a_plain_run() {
    let base = serde_json::to_value(presets::acks1_leader_dies().params).unwrap();
    for metric in ["final.lost", "send_latency_p99_ms", "sent"] {
        let plan = acks_sweep(metric)
            .plan(queue(), &base, PAGE_BUDGET_BYTES)
            .unwrap();
        assert_eq!(plan.runs(), 9);
        let labels: Vec<&str> = plan.points.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels, ["zero", "one", "all"]);
        assert_eq!(plan.points[2].text, Some("queue.acks.all"));
        let mut values = Vec::new();
        for i in 0..plan.runs() {
            let (p, seed) = plan.run(i).unwrap();
            let point = &plan.points[p];
            let out = run_one(queue(), &point.params, seed, plan.until, metric).unwrap();

            let params = serde_json::from_value(point.params.clone()).unwrap();
            let mut sim = QueueLab::new(params, seed).unwrap();
            sim.run_to(secs(8));
            let digest = sim.digest();
            let at_until = sim.figures();
            let n = at_until.figures.len();
            sim.quiesce(QUIESCE_LIMIT);
            let at_rest = sim.final_figures().since(n);
            let leaf = |r: &crate::kernel::report::Report| {
                r.leaves()
                    .into_iter()
                    .find(|(p, _)| p == metric)
                    .and_then(|(_, l)| l.as_f64())
            };
            let plain = leaf(&at_until).or(leaf(&at_rest));
            assert_eq!(
                out.value, plain,
                "{metric} point {} seed {seed}",
                point.label
            );
            assert!(out.value.is_some());
            assert_eq!(out.digest, digest);
            values.push(out.value.unwrap());
        }
        if metric == "send_latency_p99_ms" {
            // acks=0 answers at once; acks=all waits for the followers.
            assert!(values[0] < values[8], "{values:?}");
        }
    }
}

#[test]
fn a_plan_lays_out_points_seeds_and_cost() {
    let s = Sweep {
        metric: "lost".into(),
        knob: Some(Axis {
            key: "rate_per_s".into(),
            values: Values::Range {
                lo: 100.0,
                hi: 400.0,
                steps: 4,
            },
        }),
        seeds: 200,
        first_seed: 1,
        until_s: Some(30.0),
    };
    let plan = s
        .plan(queue(), &queue().defaults(), PAGE_BUDGET_BYTES)
        .unwrap();
    let labels: Vec<&str> = plan.points.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(labels, ["100", "200", "300", "400"]);
    assert_eq!(plan.points[1].x, Some(200.0));
    assert_eq!(plan.points[3].params["rate_per_s"], 400);
    assert_eq!(plan.seeds.len(), 200);
    assert_eq!((plan.seeds[0], plan.seeds[199]), (1, 200));
    assert_eq!(plan.until, secs(30));
    assert_eq!(plan.runs(), 800);
    for i in [0, 1, 199, 200, 799] {
        let (p, seed) = plan.run(i).unwrap();
        assert_eq!(plan.index(p, (seed - 1) as usize), i);
    }
    assert_eq!(plan.run(800), None);
    // The cost grows with the rate: the busiest point's memory, every run's work.
    assert!(plan.cost.work > 0.0 && plan.cost.wall_s > 0.0);
    assert!(plan.cost.peak_bytes > 1 << 20);
    assert!((plan.seconds_on(2) - plan.cost.wall_s / 2.0).abs() < 1e-9);
    assert!((plan.seconds_at(plan.cost.work) - 1.0).abs() < 1e-9);
    // Without a knob: one point, the base params.
    let only = Sweep::seeds_only("final.lost", 10, 7)
        .plan(queue(), &queue().defaults(), PAGE_BUDGET_BYTES)
        .unwrap();
    assert_eq!(only.points.len(), 1);
    assert_eq!(only.points[0].params, queue().defaults());
    assert_eq!(only.until, secs(60), "the default until");
    assert_eq!(only.metric.group, "final");
    assert!(only.metric.checker && only.metric.integer());
}

#[test]
fn ranges_round_whole_numbers_and_write_reals_briefly() {
    assert_eq!(range_values(1.0, 3.0, 5, true), ["1", "2", "3"], "merged");
    assert_eq!(range_values(0.0, 10.0, 3, true), ["0", "5", "10"]);
    assert_eq!(
        range_values(0.0, 0.5, 6, false),
        ["0", "0.1", "0.2", "0.3", "0.4", "0.5"]
    );
    assert_eq!(
        range_values(0.0, 0.1, 4, false),
        ["0", "0.033", "0.067", "0.1"]
    );
    assert_eq!(
        range_values(0.125, 1.0, 2, false),
        ["0.125", "1"],
        "the ends are kept"
    );
    assert_eq!(range_values(10.0, 1000.0, 3, false), ["10", "505", "1000"]);
    // A real knob (a probability) through a plan: the labels are the params.
    let s = Sweep {
        metric: "final.lost".into(),
        knob: Some(Axis {
            key: "request_loss_prob".into(),
            values: Values::Range {
                lo: 0.0,
                hi: 0.1,
                steps: 4,
            },
        }),
        ..Sweep::seeds_only("", 1, 1)
    };
    let plan = s
        .plan(queue(), &queue().defaults(), PAGE_BUDGET_BYTES)
        .unwrap();
    for p in &plan.points {
        assert_eq!(p.params["request_loss_prob"].as_f64(), p.x);
        assert_eq!(p.x.unwrap().to_string(), p.label);
    }
}

#[test]
fn refusals_name_the_field_and_what_is_allowed() {
    let q = queue();
    let base = q.defaults();
    let plan = |s: &Sweep| s.plan(q, &base, PAGE_BUDGET_BYTES).unwrap_err();
    let with = |key: &str, values: Values| Sweep {
        knob: Some(Axis {
            key: key.into(),
            values,
        }),
        ..Sweep::seeds_only("lost", 3, 1)
    };

    let e = plan(&Sweep::seeds_only("lots", 3, 1));
    assert_eq!(
        (e.field.as_str(), rule_id(&e)),
        ("metric", "sweep.rule.metric")
    );
    assert!(e.to_string().contains("final.lost"), "{e}");
    let e = plan(&Sweep::seeds_only("acked_p99", 3, 1));
    assert!(e.allowed.contains("a number queue reports"), "{e}");

    let e = plan(&with("akcs", Values::Choices));
    assert_eq!((e.field.as_str(), rule_id(&e)), ("knob", "sweep.rule.knob"));
    let e = plan(&with(
        "acks",
        Values::List {
            values: vec!["all".into(), "two".into()],
        },
    ));
    assert_eq!((e.field.as_str(), e.got.as_str()), ("acks", "two"));
    match &*e.rule {
        SweepRule::Point {
            label,
            problem: Problem::BadValue { .. },
        } => assert_eq!(label, "two"),
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("one of: zero, one, all"), "{e}");
    let e = plan(&with(
        "acks",
        Values::Range {
            lo: 0.0,
            hi: 1.0,
            steps: 2,
        },
    ));
    assert_eq!(rule_id(&e), "sweep.rule.range_knob");
    let e = plan(&with("rate_per_s", Values::Choices));
    assert_eq!(rule_id(&e), "sweep.rule.choices_knob");
    let range = |lo, hi, steps| Values::Range { lo, hi, steps };
    for (lo, hi) in [(5.0, 5.0), (9.0, 1.0), (f64::NAN, 3.0), (1.0, 1e12)] {
        let e = plan(&with("rate_per_s", range(lo, hi, 3)));
        assert_eq!(
            (e.field.as_str(), rule_id(&e)),
            ("range", "sweep.rule.range")
        );
        assert!(e.allowed.contains("0..=20000"), "{e}");
    }
    for steps in [0, 1, 21] {
        let e = plan(&with("rate_per_s", range(1.0, 9.0, steps)));
        assert_eq!(e.field, "range");
        assert!(e.allowed.contains("2 to 20 steps"), "{e}");
    }
    let many = Values::List {
        values: (1..=21).map(|i| i.to_string()).collect(),
    };
    assert_eq!(plan(&with("rate_per_s", many)).field, "values");
    let twice = Values::List {
        values: vec!["1".into(), "1".into()],
    };
    assert_eq!(
        rule_id(&plan(&with("rate_per_s", twice))),
        "sweep.rule.value_twice"
    );
    let odd = Values::List {
        values: vec!["1&x=2".into()],
    };
    assert_eq!(
        rule_id(&plan(&with("rate_per_s", odd))),
        "sweep.rule.value_chars"
    );

    for n in [0, 201] {
        let e = plan(&Sweep::seeds_only("lost", n, 1));
        assert_eq!(e.field, "seeds");
        assert!(e.allowed.contains("1 to 200 seeds"), "{e}");
    }
    let e = plan(&Sweep::seeds_only("lost", 2, u64::MAX));
    assert_eq!(e.field, "seed");
    for t in [0.0, -1.0, f64::INFINITY, 2e7] {
        let e = plan(&Sweep {
            until_s: Some(t),
            ..Sweep::seeds_only("lost", 2, 1)
        });
        assert_eq!(e.field, "until_s");
        assert!(e.allowed.contains("10000000"), "{e}");
    }
    // A lab that ends by itself takes no until.
    let sale = by_id("flash-sale").unwrap();
    let e = Sweep {
        until_s: Some(5.0),
        ..Sweep::seeds_only("oversold", 2, 1)
    }
    .plan(sale, &sale.defaults(), PAGE_BUDGET_BYTES)
    .unwrap_err();
    assert_eq!(rule_id(&e), "sweep.rule.until_untimed");

    // A point over the memory budget: the lab's own refusal, naming what costs.
    let small = q.set(&base, "log_retention_records", "1000").unwrap();
    let budget = q.cost(&small).unwrap().memory();
    let retention = with(
        "log_retention_records",
        Values::List {
            values: vec!["1000".into(), "200000".into()],
        },
    );
    let e = retention.plan(q, &base, budget).unwrap_err();
    assert_eq!(e.field, "log_retention_records");
    match &*e.rule {
        SweepRule::Point {
            label,
            problem: Problem::Invalid(pe),
        } => {
            assert_eq!(label, "200000");
            assert!(
                pe.allowed.contains(&format!("budget {} MB", budget >> 20)),
                "{pe}"
            );
        }
        other => panic!("{other:?}"),
    }
    // The same fits the page's budget.
    assert!(retention.plan(q, &base, PAGE_BUDGET_BYTES).is_ok());

    // Every rule the sweep gives has English words; the ids are distinct.
    let mut ids: Vec<&str> = RULES.iter().map(|(id, _)| *id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), RULES.len());
}

/// Figures a run reports only once something has happened (the cache's ring change): listed when
/// the params schedule it, reported by a run that reaches it, absent from one that stops before.
#[test]
fn figures_reported_after_an_event_can_be_swept() {
    let cache = by_id("cache").unwrap();
    let later = |params: &serde_json::Value| -> Vec<String> {
        sweepable_metrics(cache, params)
            .unwrap()
            .into_iter()
            .map(|m| m.path)
            .filter(|p| p.starts_with("ring_change."))
            .collect()
    };
    assert!(
        later(&cache.defaults()).is_empty(),
        "no ring change by default"
    );
    let (params, seed) = cache.preset("consistent_hashing").unwrap();
    let paths = later(&params);
    assert_eq!(paths, ["ring_change.ring_share", "ring_change.mod_n_share"]);
    // The preset's node joins at 5 s.
    for path in &paths {
        let v = run_one(cache, &params, seed, secs(6), path)
            .unwrap()
            .value
            .unwrap_or_else(|| panic!("{path}: not reported after the change"));
        assert!(v > 0.0 && v < 1.0, "{path}: a share of the keys: {v}");
        let before = run_one(cache, &params, seed, secs(2), path).unwrap();
        assert_eq!(before.value, None, "{path}: reported before the change");
    }
    let plan = Sweep::seeds_only("ring_change.ring_share", 3, 1)
        .plan(cache, &params, PAGE_BUDGET_BYTES)
        .unwrap();
    assert_eq!(plan.metric.path, "ring_change.ring_share");
}

/// What a sweep can pick, for every lab: numbers its runs report, by the same paths.
#[test]
fn sweepable_metrics_are_what_runs_report() {
    for lab in labs::all() {
        let params = lab.defaults();
        let metrics = sweepable_metrics(lab, &params).unwrap();
        assert!(!metrics.is_empty(), "{}", lab.id());
        let until = if lab.timed() { secs(2) } else { 0 };
        // Labs that end by themselves are cut small for the test, through their params.
        let params = match lab.id() {
            "flash-sale" => lab.set(&params, "users", "200000").unwrap(),
            "limiter-queue" => lab.set(&params, "requests", "20000").unwrap(),
            _ => params,
        };
        let done = run_full(lab, &params, 3, until, &mut |_| {}).unwrap();
        for m in &metrics {
            assert!(
                done.number(&m.path).is_some(),
                "{}: {} not reported",
                lab.id(),
                m.path
            );
        }
    }
    let paths = |id: &str| -> Vec<String> {
        let lab = by_id(id).unwrap();
        sweepable_metrics(lab, &lab.defaults())
            .unwrap()
            .into_iter()
            .map(|m| m.path)
            .collect()
    };
    let has = |id: &str, want: &[&str]| {
        let p = paths(id);
        for w in want {
            assert!(p.iter().any(|x| x == w), "{id}: no {w} in {p:?}");
        }
    };
    has(
        "queue",
        &[
            "lost",
            "final.lost",
            "final.written_twice",
            "e2e_latency_p99_ms",
            "lag",
        ],
    );
    has(
        "cache",
        &[
            "as_set.stale_reads",
            "as_set.db_queries",
            "as_set.read_latency_p99_ms",
        ],
    );
    has("flash-sale", &["oversold", "response_p99_ms"]);
    has("chat", &["offline_copies.lost", "offline_copies.inserts"]);
    has("snowflake", &["wait.duplicates"]);
    has("limiter", &["fixed_window.over_limit"]);
    let q = sweepable_metrics(queue(), &queue().defaults()).unwrap();
    let p99 = q.iter().find(|m| m.path == "e2e_latency_p99_ms").unwrap();
    assert_eq!((p99.stat, p99.measure), (Some("p99"), Measure::Millis));
    assert!(!p99.integer());
    assert!(
        q.iter().all(|m| m.path != "final.quiet"),
        "flags are left out"
    );
}

#[test]
fn the_link_part_round_trips_and_reads_by_name() {
    let s = acks_sweep("final.lost");
    let text = s.to_query();
    assert_eq!(
        text,
        "metric=final.lost;knob=acks;choices;seeds=3;seed=5;until=8"
    );
    assert_eq!(Sweep::from_query(&text).unwrap(), s);
    let r = Sweep::from_query("seed=1;seeds=4;metric=lost;range=0.5:2:4;knob=rate_per_s").unwrap();
    assert_eq!(
        r.knob.unwrap().values,
        Values::Range {
            lo: 0.5,
            hi: 2.0,
            steps: 4
        }
    );
    // Percent-encoded or not, the same.
    assert_eq!(
        Sweep::from_query("metric%3Dlost%3Bseeds%3D2%3Bseed%3D1").unwrap(),
        Sweep::seeds_only("lost", 2, 1)
    );
    let (rest, found) = Sweep::split_link("?acks=one&sweep=metric=lost;seeds=2;seed=1&seed=9");
    assert_eq!(rest, "acks=one&seed=9");
    assert_eq!(found, Some(Ok(Sweep::seeds_only("lost", 2, 1))));
    assert_eq!(Sweep::split_link("acks=one").1, None);
}

#[test]
fn a_malformed_link_part_names_the_field() {
    let field = |t: &str| Sweep::from_query(t).unwrap_err();
    let cases = [
        ("metric=lost;seeds=0;seed=1", "seeds", "1 to 200 seeds"),
        ("metric=lost;seeds=x;seed=1", "seeds", "1 to 200 seeds"),
        (
            "metric=lost;seeds=2;seed=-1",
            "seed",
            "at most 18446744073709551615",
        ),
        ("metric=lost;seeds=2", "seed", "metric=PATH"),
        ("seeds=2;seed=1", "metric", "metric=PATH"),
        (
            "metric=lost;seeds=2;seed=1;until=0",
            "until_s",
            "at most 10000000",
        ),
        (
            "metric=lost;seeds=2;seed=1;until=soon",
            "until_s",
            "virtual seconds",
        ),
        ("metric=lost;seeds=2;seed=1;knob=acks", "values", "choices"),
        ("metric=lost;seeds=2;seed=1;choices", "knob", "knob=KEY"),
        (
            "metric=lost;seeds=2;seed=1;knob=x;range=1:2",
            "range",
            "LO:HI:STEPS",
        ),
        (
            "metric=lost;seeds=2;seed=1;knob=x;range=1:2:30",
            "range",
            "2 to 20 steps",
        ),
        (
            "metric=lost;seeds=2;seed=1;knob=x;values=a,,b",
            "values",
            "letters, digits",
        ),
        (
            "metric=lost;seeds=2;seed=1;colour=red",
            "sweep",
            "one of metric, knob",
        ),
        (
            "metric=lost;metric=sent;seeds=2;seed=1",
            "sweep",
            "each once",
        ),
        ("metric=lo<st;seeds=2;seed=1", "metric", "letters, digits"),
    ];
    for (text, f, allowed) in cases {
        let e = field(text);
        assert_eq!(e.field, f, "{text}: {e}");
        assert!(e.allowed.contains(allowed), "{text}: {e}");
    }
    assert_eq!(field(&"x".repeat(5_000)).field, "sweep");
}

mod props {
    use super::*;
    use proptest::prelude::*;

    fn name() -> impl Strategy<Value = String> {
        "[a-z][a-z0-9_]{0,8}(\\.[a-z][a-z0-9_]{0,8}){0,2}"
    }

    fn values() -> impl Strategy<Value = Values> {
        prop_oneof![
            Just(Values::Choices),
            (
                prop::num::f64::NORMAL | prop::num::f64::ZERO,
                prop::num::f64::NORMAL,
                MIN_STEPS..=MAX_STEPS
            )
                .prop_map(|(lo, hi, steps)| Values::Range { lo, hi, steps }),
            prop::collection::btree_set("[A-Za-z0-9_.-]{1,12}", 1..=MAX_POINTS).prop_map(|v| {
                Values::List {
                    values: v.into_iter().collect(),
                }
            }),
        ]
    }

    fn sweep() -> impl Strategy<Value = Sweep> {
        (
            name(),
            prop::option::of((name(), values())),
            1..=MAX_SEEDS,
            0..u64::MAX - u64::from(MAX_SEEDS),
            prop::option::of(1e-6..MAX_UNTIL_S),
        )
            .prop_map(|(metric, knob, seeds, first_seed, until_s)| Sweep {
                metric,
                knob: knob.map(|(key, values)| Axis { key, values }),
                seeds,
                first_seed,
                until_s,
            })
    }

    proptest! {
        #[test]
        fn links_round_trip(s in sweep()) {
            let text = s.to_query();
            prop_assert!(text.chars().all(|c| c.is_ascii_alphanumeric() || "_.-=;:,".contains(c)), "{}", text);
            prop_assert_eq!(Sweep::from_query(&text).unwrap(), s.clone());
            // Through a whole link, decoded as the page reads links.
            let link = format!("a=1&{SWEEP_KEY}={text}");
            let (rest, found) = Sweep::split_link(&link);
            prop_assert_eq!(rest, "a=1");
            prop_assert_eq!(found, Some(Ok(s)));
        }

        #[test]
        fn any_text_is_read_or_refused_by_name(t in "[a-z=;:,.0-9%&]{0,60}") {
            if let Err(e) = Sweep::from_query(&t) {
                prop_assert!(["metric", "knob", "values", "range", "seeds", "seed", "until_s", "sweep"].contains(&e.field.as_str()), "{:?}", e);
                prop_assert!(!e.allowed.is_empty());
            }
        }
    }
}
