use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::kernel::model::Advance;
use crate::kernel::time::NS_PER_MS;
use crate::labs::by_id;
use crate::sweep::{drive, drive_with, Replay};

fn problem(text: &str) -> ActionProblem {
    ActionLog::parse(text).unwrap_err().problem
}

#[test]
fn the_longest_run_and_its_actions_agree() {
    assert_eq!(MAX_AT_S as f64, crate::sweep::MAX_UNTIL_S);
}

#[test]
fn the_text_form_reads_and_writes_each_kind_of_action() {
    let text = "0:add_consumer;1.25:crash_broker(1);1.25:crash_node(node=2);\
                3.000000001:step_back(all=true,ms=500);60:set(rate_per_s=40)";
    let log = ActionLog::parse(text).unwrap();
    assert_eq!(
        log.actions,
        vec![
            Action {
                at: 0,
                act: Act::Verb(json!("add_consumer"))
            },
            Action {
                at: 1_250 * NS_PER_MS,
                act: Act::Verb(json!({"crash_broker": 1}))
            },
            Action {
                at: 1_250 * NS_PER_MS,
                act: Act::Verb(json!({"crash_node": {"node": 2}}))
            },
            Action {
                at: 3 * NS_PER_S + 1,
                act: Act::Verb(json!({"step_back": {"all": true, "ms": 500}}))
            },
            Action {
                at: 60 * NS_PER_S,
                act: Act::Set {
                    key: "rate_per_s".into(),
                    value: "40".into()
                }
            },
        ]
    );
    assert_eq!(log.to_string(), text);
    assert_eq!(ActionLog::parse("").unwrap(), ActionLog::default());
    assert_eq!(
        ActionLog::parse(" 2 : add_node ; ").unwrap().to_string(),
        "2:add_node"
    );
}

#[test]
fn bad_logs_are_refused_naming_the_action_and_what_is_wrong() {
    assert_eq!(problem("add_node"), ActionProblem::Shape);
    for t in [
        "-1:add_node",
        "1.:add_node",
        "x:add_node",
        "1.0000000001:add_node",
        "10000001:add_node",
        "123456789:add_node",
        "1e3:add_node",
    ] {
        assert_eq!(problem(t), ActionProblem::Time, "{t}");
    }
    assert_eq!(
        problem("2:add_node;1:add_node"),
        ActionProblem::OutOfOrder {
            before: 2 * NS_PER_S
        }
    );
    for t in [
        "1:Crash",
        "1:crash(",
        "1:crash(a=1,a=2)",
        "1:crash(a=)",
        "1:set(x)",
        "1:set(k=v w)",
        "1:a(b)c",
    ] {
        assert_eq!(problem(t), ActionProblem::Syntax, "{t}");
    }
    let many = vec!["1:add_node"; MAX_ACTIONS + 1].join(";");
    let e = ActionLog::parse(&many).unwrap_err();
    assert_eq!(
        (e.index, e.problem),
        (MAX_ACTIONS + 1, ActionProblem::TooMany)
    );
    let e = ActionLog::parse("1:add_node;2:crash(").unwrap_err();
    assert_eq!(e.index, 2);
    assert!(
        e.to_string().starts_with("action 2 `2:crash(`: expected"),
        "{e}"
    );
}

#[test]
fn a_log_is_checked_against_its_lab() {
    let queue = by_id("queue").unwrap();
    let p = queue.defaults();
    let until = 60 * NS_PER_S;
    let check = |lab: &dyn AnyLab, t: &str| {
        ActionLog::parse(t)
            .unwrap()
            .check(lab, &lab.defaults(), until)
            .map_err(|e| e.problem)
    };
    assert_eq!(check(queue, "5:crash_leader_of(0);6:add_consumer"), Ok(()));
    match check(queue, "5:crash_leadr(0)") {
        Err(ActionProblem::Unknown(why)) => assert!(why.contains("crash_leader_of"), "{why}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        check(queue, "61:add_consumer"),
        Err(ActionProblem::AfterEnd { until })
    );
    assert_eq!(check(queue, "1:set(acks=all)"), Err(ActionProblem::NotLive));
    assert!(matches!(
        check(queue, "1:set(nope=1)"),
        Err(ActionProblem::Knob(_))
    ));
    let limiter = by_id("limiter").unwrap();
    assert_eq!(check(limiter, "1:set(token_bucket.rate_per_s=40)"), Ok(()));
    assert!(matches!(
        check(limiter, "1:set(token_bucket.rate_per_s=0)"),
        Err(ActionProblem::Knob(_))
    ));
    let sale = by_id("flash-sale").unwrap();
    assert_eq!(check(sale, "1:add_node"), Err(ActionProblem::NoActions));
    assert_eq!(ActionLog::default().check(queue, &p, until), Ok(()));
}

/// Applies `log` to a run of `lab` stepped `step` at a time (as the page's frames step it),
/// each action once the run reached its time.
fn stepped(
    lab: &dyn AnyLab,
    params: &Value,
    seed: u64,
    until: Nanos,
    log: &ActionLog,
    step: Nanos,
) -> u64 {
    let mut sim = lab.start(params, seed).unwrap();
    let mut p = params.clone();
    let mut next = 0;
    let mut t = 0;
    while t < until {
        t = (t + step).min(until);
        while let Some(a) = log.actions.get(next).filter(|a| a.at <= t) {
            while sim.advance_to(a.at, 1 << 16) == Advance::BudgetExhausted {}
            match &a.act {
                Act::Verb(v) => sim.apply_json(v).unwrap(),
                Act::Set { key, value } => {
                    p = lab.set(&p, key, value).unwrap();
                    assert!(sim.set_live_json(&p, key).unwrap());
                }
            }
            next += 1;
        }
        while sim.advance_to(t, 1 << 16) == Advance::BudgetExhausted {}
    }
    sim.digest()
}

/// A replayed log gives the same run however the run is stepped, and the actions change it.
#[test]
fn a_replayed_log_gives_the_same_run_however_it_is_stepped() {
    let cases = [
        (
            "queue",
            "acks1_leader_dies",
            "3.217:crash_leader_of(0);7.5:add_consumer;9:restart_broker(0)",
        ),
        (
            "limiter",
            "boundary_burst",
            "2.0005:set(token_bucket.rate_per_s=40);4:set(token_bucket.rate_per_s=3)",
        ),
        (
            "cache",
            "consistent_hashing",
            "1.5:add_node;2.25:crash_node(node=0)",
        ),
        (
            "snowflake",
            "clock_back_5ms",
            "0.4:step_back(all=true,ms=20)",
        ),
    ];
    let until = 10 * NS_PER_S;
    for (id, preset, text) in cases {
        let lab = by_id(id).unwrap();
        let (params, seed) = lab.preset(preset).unwrap();
        let log = ActionLog::parse(text).unwrap();
        log.check(lab, &params, until).unwrap();
        let mut sim = lab.start(&params, seed).unwrap();
        let replay = Replay {
            params: &params,
            log: &log,
        };
        let with = drive_with(lab, &mut *sim, until, replay, &mut |_| {}).unwrap();
        for step in [7 * NS_PER_MS, 333 * NS_PER_MS, until] {
            assert_eq!(
                stepped(lab, &params, seed, until, &log, step),
                with.digest,
                "{id} stepped by {step}"
            );
        }
        let mut plain = lab.start(&params, seed).unwrap();
        let without = drive(lab, &mut *plain, until, &mut |_| {});
        assert_ne!(
            with.digest, without.digest,
            "{id}: the actions change the run"
        );
    }
}

proptest! {
    #[test]
    fn any_log_round_trips_through_its_text(
        gaps in proptest::collection::vec(0u64..5_000_000_000, 0..12),
        kinds in proptest::collection::vec(0usize..5, 12),
        nums in proptest::collection::vec(0u64..100_000, 12),
    ) {
        let mut at = 0;
        let mut log = ActionLog::default();
        for (i, g) in gaps.iter().enumerate() {
            at += g;
            let n = nums[i];
            let act = match kinds[i] {
                0 => Act::Verb(json!("add_consumer")),
                1 => Act::Verb(json!({"crash_broker": n})),
                2 => Act::Verb(json!({"freeze": {"all": n % 2 == 0, "ms": n}})),
                3 => Act::Verb(json!({"mode": format!("m{n}")})),
                _ => Act::Set { key: "a.b_c".into(), value: format!("{n}.5") },
            };
            let pushed = log.push(Action { at, act });
            prop_assert!(pushed);
        }
        let text = log.to_string();
        prop_assert_eq!(ActionLog::parse(&text).unwrap(), log);
    }
}

fn file_text() -> String {
    let f = RunFile {
        format: RUN_FORMAT,
        lab: "queue".into(),
        seed: 7,
        until: Some("2.5".into()),
        params: by_id("queue").unwrap().defaults(),
        actions: ActionLog::parse("1:crash_leader_of(0)").unwrap(),
        metrics: Value::Null,
        digest: Some(u64::MAX.to_string()),
    };
    serde_json::to_string_pretty(&f).unwrap()
}

fn file_err(edit: impl Fn(&mut Value)) -> String {
    let mut v: Value = serde_json::from_str(&file_text()).unwrap();
    edit(&mut v);
    match RunFile::read(&v.to_string()) {
        Err(e) => e.to_string(),
        Ok(f) => f.load().err().expect("refused").to_string(),
    }
}

#[test]
fn a_run_file_round_trips_and_bad_ones_are_refused_by_name() {
    let text = file_text();
    let f = RunFile::read(&text).unwrap();
    let run = f.load().unwrap();
    assert_eq!(
        (run.seed, run.until, run.digest),
        (7, 2_500 * NS_PER_MS, Some(u64::MAX))
    );
    assert_eq!(serde_json::to_string_pretty(&f).unwrap(), text);

    let cut = &text[..text.len() / 2];
    assert!(RunFile::read(cut)
        .unwrap_err()
        .to_string()
        .starts_with("not readable JSON"));
    assert_eq!(RunFile::read("{}").unwrap_err(), RunFileError::NotARunFile);
    assert!(file_err(|v| v["format"] = json!(2)).contains("format 2; this one reads up to 1"));
    assert!(file_err(|v| v["colour"] = json!(1)).contains("unknown field `colour`"));
    assert!(file_err(|v| v["seed"] = json!("x")).starts_with("field `seed`"));
    assert_eq!(
        file_err(|v| v["lab"] = json!("kafka")),
        "field `lab`: unknown lab `kafka`"
    );
    let e = file_err(|v| v["params"]["brokers"] = json!(0));
    assert!(e.starts_with("field `params`: brokers"), "{e}");
    assert!(file_err(|v| v["until"] = json!("-1")).starts_with("field `until`"));
    assert!(file_err(|v| v["until"] = json!("0")).starts_with("field `until`"));
    assert!(file_err(|v| v
        .as_object_mut()
        .unwrap()
        .remove("until")
        .map(drop)
        .unwrap())
    .contains("missing"));
    let e = file_err(|v| v["actions"] = json!("1:crash_leader_of(0);0.5:add_consumer"));
    assert!(e.contains("out of order"), "{e}");
    assert!(file_err(|v| v["actions"] = json!("3:add_consumer")).contains("after the run's end"));
    assert!(file_err(|v| v["digest"] = json!("12x")).starts_with("field `digest`"));
}

/// A checkpoint goes on exactly as the run it was taken from, for every lab that runs as long as it
/// is told, from its defaults and from every preset (so the timeline can jump back to it and
/// re-simulate forward). The labs that end by themselves run 10^8 items: not here.
#[test]
fn a_checkpoint_goes_on_as_the_run_would() {
    for lab in crate::labs::all().into_iter().filter(|l| l.timed()) {
        let mut setups = vec![(lab.defaults(), lab.default_seed())];
        setups.extend(lab.presets().iter().map(|p| lab.preset(p.id).unwrap()));
        for (params, seed) in setups {
            let mut sim = lab.start(&params, seed).unwrap();
            let (mid, end) = (1_500 * NS_PER_MS, 3 * NS_PER_S);
            while sim.advance_to(mid, 1 << 20) == Advance::BudgetExhausted {}
            let mut copy = sim.checkpoint();
            for run in [&mut sim, &mut copy] {
                while run.advance_to(end, 1 << 20) == Advance::BudgetExhausted {}
            }
            assert_eq!(copy.digest(), sim.digest(), "{}", lab.id());
            assert_eq!(copy.now(), sim.now(), "{}", lab.id());
        }
    }
}

/// A run written as a run file ([`RunFile::record`], what the page exports and `--save-run`
/// writes) reads back, checks, and replays to the digest it holds, for every lab: timed labs
/// with their time and an action log, labs that end by themselves with neither and no digest.
#[test]
fn a_recorded_run_reads_back_and_replays_to_its_digest() {
    let logs = [
        ("queue", "0.5:crash_leader_of(0);1.5:restart_broker(0)"),
        ("limiter", "1:set(token_bucket.rate_per_s=40)"),
        ("cache", "1:add_node"),
    ];
    for lab in crate::labs::all() {
        let mut params = lab.defaults();
        for (k, v) in [("users", "20000"), ("requests", "20000")] {
            if lab.knobs().iter().any(|x| x.key == k) {
                params = lab.set(&params, k, v).unwrap();
            }
        }
        let timed = lab.timed();
        let log = logs
            .iter()
            .find(|(id, _)| *id == lab.id())
            .map_or_else(ActionLog::default, |(_, t)| ActionLog::parse(t).unwrap());
        let until = if timed { 2 * NS_PER_S + 1 } else { 0 };
        let file = RunFile::record(lab, &params, 9, until, &log).unwrap();
        let text = serde_json::to_string_pretty(&file).unwrap();
        let back = RunFile::read(&text).unwrap();
        assert_eq!(back, file, "{}", lab.id());
        let run = back.load().unwrap();
        assert_eq!((run.seed, run.until), (9, until), "{}", lab.id());
        assert_eq!(run.actions, log, "{}", lab.id());
        let done = run.replay(&mut |_| {}).unwrap();
        if timed {
            assert_eq!(file.until.as_deref(), Some("2.000000001"));
            assert_eq!(
                run.verdict(&done),
                Verdict::Same(done.digest),
                "{}",
                lab.id()
            );
            assert_eq!(
                file.metrics["virtual_s"],
                json!(2.000000001),
                "{}",
                lab.id()
            );
        } else {
            assert_eq!((&file.until, &file.digest), (&None, &None), "{}", lab.id());
            assert_eq!(run.verdict(&done), Verdict::NoDigest, "{}", lab.id());
        }
        assert!(
            file.metrics.as_object().is_some_and(|m| m.len() > 2),
            "{}: {}",
            lab.id(),
            file.metrics
        );
        // Another seed is another run, and the verdict says so.
        if timed {
            let other = Loaded {
                seed: 10,
                ..run.clone()
            };
            let d = other.replay(&mut |_| {}).unwrap();
            assert_eq!(
                other.verdict(&d),
                Verdict::Differs {
                    file: done.digest,
                    replay: d.digest
                },
                "{}",
                lab.id()
            );
        }
    }
}

/// Figures nest by their dotted paths, latencies expanded, and the ones at rest come under
/// `final`.
#[test]
fn figures_nest_as_the_command_line_prints_them() {
    let lab = by_id("queue").unwrap();
    let done = replay(
        lab,
        &lab.defaults(),
        1,
        NS_PER_S,
        &ActionLog::default(),
        &mut |_| {},
    )
    .unwrap();
    let v = figures_json(&done, true);
    assert_eq!(v["virtual_s"], json!(1.0));
    assert!(v["final"]["quiet"].is_boolean(), "{v}");
    let leaves = done.figures.leaves();
    assert!(!leaves.is_empty());
    for (path, _) in leaves {
        let pointer = format!("/{}", path.replace('.', "/"));
        assert!(v.pointer(&pointer).is_some(), "{path} in {v}");
    }
}
