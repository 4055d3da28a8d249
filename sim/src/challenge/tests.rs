use serde_json::json;

use super::*;

#[test]
fn ids_are_unique_and_every_challenge_names_a_lab_knobs_and_figures() {
    let all = all();
    assert!(all.len() >= 24, "{} challenges", all.len());
    let mut ids: Vec<&str> = all.iter().map(|c| c.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), all.len(), "challenge ids repeat");
    for c in &all {
        let lab = labs::by_id(c.lab).unwrap_or_else(|| panic!("{}: no lab {}", c.id, c.lab));
        assert!(c.id.starts_with(&format!("{}.", c.lab)), "{}", c.id);
        assert!(!c.goals.is_empty(), "{}", c.id);
        let keys: Vec<String> = lab.knobs().into_iter().map(|k| k.key).collect();
        for (k, _) in c.fixed.iter().chain(c.reference) {
            assert!(keys.iter().any(|x| x == k), "{}: no knob {k}", c.id);
        }
        for l in c.limits {
            assert!(
                keys.iter().any(|x| x == l.key),
                "{}: no knob {}",
                c.id,
                l.key
            );
        }
        for g in c.goals {
            assert!(!g.causes.is_empty(), "{} {}: no cause", c.id, g.id);
            assert!(
                g.causes.last().unwrap().when.is_empty(),
                "{} {}: the last cause must always apply",
                c.id,
                g.id
            );
        }
        // The defaults under the setup keep within the limits (they fail on a goal, not a rule).
        c.admit(&c.setup().unwrap())
            .unwrap_or_else(|e| panic!("{}: the setup is refused: {e}", c.id));
        // The reference does not touch the fixed setup and keeps within the limits.
        let reference = c.reference_params().unwrap();
        c.admit(&reference)
            .unwrap_or_else(|e| panic!("{}: reference refused: {e}", c.id));
        // Every figure a goal, cause or price reads is in the run's report.
        let setup = c.setup().unwrap();
        let v = check(c, &setup, c.seed).unwrap();
        let r = Run {
            figures: run(lab, &setup, c.seed, c.run_ms, MAX_WORK).unwrap(),
            params: &setup,
            run_s: c.run_ms as f64 / 1e3,
        };
        let mut srcs = vec![c.price.figure];
        for g in c.goals {
            srcs.push(g.figure);
            for cause in g.causes {
                srcs.extend(cause.args);
                for w in cause.when {
                    if let Cond::Is(s, _, _) = w {
                        srcs.push(*s);
                    }
                }
            }
        }
        for s in srcs {
            assert!(r.get(s).is_some(), "{}: {s:?} is not in the report", c.id);
        }
        assert!(!v.passed, "{}: the defaults pass", c.id);
        let d = v.debrief.clone().expect("a failed run is debriefed");
        assert!(
            !d.cause.is_empty() && !d.text.contains('{'),
            "{}: {d:?}",
            c.id
        );
        let texts = c.text_ids();
        assert!(texts.iter().all(|(_, en)| !en.is_empty()), "{}", c.id);
    }
}

#[test]
fn a_params_file_that_changes_the_setup_or_breaks_a_limit_is_refused_naming_the_knob() {
    let c = by_id("queue.backlog").unwrap();
    // A fixed knob.
    let e = c.admit(&json!({"rate_per_s": 100})).unwrap_err();
    assert_eq!(e.field, "rate_per_s");
    assert!(
        e.to_string().contains("fixed by this challenge at 400"),
        "{e}"
    );
    // The same value as the setup is fine (a whole params object from the page).
    assert!(c.admit(&c.setup().unwrap()).is_ok());
    // A limit.
    let e = c.admit(&json!({"consumers": 5})).unwrap_err();
    assert_eq!(e.field, "consumers");
    assert_eq!(e.to_string(), "consumers = 5 is not allowed: 1..=4");
    assert!(matches!(&*e.rule, Rule::Range { .. }));
    // A choice.
    let c = by_id("queue.batching").unwrap();
    let e = c.admit(&json!({"acks": "zero"})).unwrap_err();
    assert_eq!(e.field, "acks");
    assert!(e.to_string().contains("one of one, all"), "{e}");
    // The lab's own validation, unknown fields and shapes.
    let e = c.admit(&json!({"linger_ms": 1_000_000})).unwrap_err();
    assert_eq!(e.field, "linger_ms");
    assert!(c.admit(&json!({"lingr_ms": 1})).is_err());
    let e = c.admit(&json!([1, 2])).unwrap_err();
    assert_eq!(
        e.to_string(),
        "params = a list is not allowed: an object of params"
    );
    assert!(c.admit(&json!({"linger_ms": "soon"})).is_err());
    // A partial file keeps the setup's other values.
    let p = c.admit(&json!({"linger_ms": 40})).unwrap();
    assert_eq!(p["linger_ms"], 40);
    assert_eq!(p["rate_per_s"], 2000);
}

#[test]
fn a_verdict_is_deterministic_and_grades_stars_by_the_price() {
    let c = by_id("snowflake.step_back").unwrap();
    let p = c.reference_params().unwrap();
    let a = check(c, &p, 3).unwrap();
    let b = check(c, &p, 3).unwrap();
    assert_eq!(a, b);
    assert!(a.passed && a.stars == 3 && a.debrief.is_none(), "{a:?}");
    // Refusing is allowed but costs stars.
    let v = check(c, &json!({"backwards": "refuse"}), 3).unwrap();
    assert!(v.passed, "{v:?}");
    assert_eq!(v.stars, 1, "{v:?}");
    // Ignoring the clock repeats ids: the debrief says why, from the run's own counters.
    let v = check(c, &json!({"backwards": "ignore"}), 3).unwrap();
    assert!(!v.passed);
    let d = v.debrief.clone().unwrap();
    assert_eq!(d.goal, "no_dupes");
    assert_eq!(d.cause, "challenge.snowflake.step_back.cause.ignore");
    assert!(
        d.args[0] > 0.0 && d.text.contains(&fmt_num(d.args[0])),
        "{d:?}"
    );
    // Serialisable for the page.
    let s = serde_json::to_string(&v).unwrap();
    assert!(s.contains("\"passed\":false"), "{s}");
}

#[test]
fn numbers_and_sentences() {
    assert_eq!(fmt_num(3.0), "3");
    assert_eq!(fmt_num(0.125), "0.125");
    assert_eq!(fmt_num(2.0 / 3.0), "0.667");
    assert_eq!(fmt_num(1014.497), "1,014");
    assert_eq!(fmt_num(43_792.0), "43,792");
    assert_eq!(fmt_num(1_000_000.0), "1,000,000");
    assert_eq!(fmt_num(-1234.0), "-1,234");
    assert_eq!(fmt_num(-0.0001), "0");
    assert_eq!(fmt_num(34.841), "34.84");
    assert_eq!(fmt_num(f64::NAN), "?");
    assert_eq!(fill("{0} of {1}", &[1.0, 2.5]), "1 of 2.5");
    assert_eq!(plain(100_000.0), "100000");
    assert_eq!(plain(0.5), "0.5");
    assert!(Op::Le.holds(1.0, 1.0) && !Op::Lt.holds(1.0, 1.0) && Op::Eq.holds(0.0, 0.0));
}

/// Any value of any knob, fixed or not: admitted or refused with a message naming a field, never a
/// panic (the page grades whatever a hand-edited link holds).
#[test]
fn any_knob_value_is_admitted_or_refused_by_name() {
    let mut rng = crate::kernel::rng::SimRng::new(20261129);
    for c in all() {
        let lab = labs::by_id(c.lab).unwrap();
        let setup = c.setup().unwrap();
        for k in lab.knobs() {
            for _ in 0..3 {
                let text = k.sample(&mut rng);
                let Ok(v) = lab.set(&setup, &k.key, &text) else {
                    continue;
                };
                match c.admit(&v) {
                    Ok(p) => {
                        for (key, _) in c.fixed {
                            assert_eq!(leaf(&p, key), leaf(&setup, key), "{} {key}", c.id);
                        }
                    }
                    Err(e) => assert!(
                        !e.to_string().is_empty() && !e.allowed.is_empty(),
                        "{} {}={text}: {e:?}",
                        c.id,
                        k.key
                    ),
                }
            }
        }
    }
}

#[test]
fn a_run_past_its_work_budget_is_refused() {
    for id in ["queue.backlog", "flash-sale.no_flag"] {
        let c = by_id(id).unwrap();
        let lab = labs::by_id(c.lab).unwrap();
        let e = run(lab, &c.setup().unwrap(), 1, c.run_ms, 10_000).unwrap_err();
        assert_eq!(e.field, "the run");
        assert!(matches!(&*e.rule, Rule::Text { id, .. } if *id == RULE_TOO_LONG));
        assert!(e.to_string().contains("at most 10000 events"), "{e}");
    }
}
