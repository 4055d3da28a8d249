use flowlab_sim::kernel::time::NS_PER_MS;
use flowlab_sim::labs::by_id;
use serde_json::json;

use super::*;
use crate::kit::chart::{Axis, Chart, Series};
use crate::lab::host::{Command, Host, NOT_STARTED};
use crate::lab::state::LabState;
use crate::lab::view::Look;

fn series(name: &str, points: &[(f64, f64)]) -> Series {
    Series {
        name: name.into(),
        color: (0, 0, 0),
        points: points.to_vec(),
        dashed: false,
    }
}

#[test]
fn the_csv_has_a_column_per_series_and_a_row_per_time_with_exact_numbers() {
    let mut a = Chart::new(Axis::Count);
    a.series = vec![
        series("sent", &[(0.1, 3.0), (0.2, 1600.0), (0.3, f64::NAN)]),
        series("lost, then \"found\"", &[(0.2, 0.0000001)]),
    ];
    let mut b = Chart::new(Axis::Ms);
    b.series = vec![series("p99", &[(0.3, 12.5), (0.05, 1.25)])];
    let csv = charts_csv(&["Messages".into(), "Latency".into()], &[a, b]);
    assert_eq!((csv.rows, csv.series), (4, 3));
    let lines: Vec<&str> = csv.text.lines().collect();
    assert_eq!(
        lines,
        [
            "time_s,Messages: sent,\"Messages: lost, then \"\"found\"\"\",Latency: p99",
            "0.05,,,1.25",
            "0.1,3,,",
            "0.2,1600,0.0000001,",
            "0.3,,,12.5",
        ]
    );
    // Every row has as many cells as the header (a quoted comma is not a separator).
    assert!(csv.text.ends_with('\n'));
    let empty = charts_csv(&[], &[]);
    assert_eq!((empty.text.as_str(), empty.rows), ("time_s\n", 0));
}

/// The page's export of its live run: the run file the engine's [`Host`] writes where the run
/// stands.
fn host_file<V: crate::lab::view::LabView>(host: &Host<V>) -> RunFile {
    serde_json::from_str(&host.run_file().unwrap()).unwrap()
}

fn quick() -> f64 {
    0.0
}

/// An imported `run` checked as the page does: the live engine replays it (a rebuild with its
/// actions, run to its end), writes the run's file, and its digest is compared with the file's.
fn check(run: &Loaded) -> Check {
    if let Some(c) = check_first(run) {
        return c;
    }
    type H = Host<crate::labs::queue::View>;
    let p: flowlab_sim::labs::queue::QueueParams =
        serde_json::from_value(run.params.clone()).unwrap();
    let mut host = H::new(&Default::default(), 1, Look::default());
    host.command(Command::RunTo(run.until), &quick);
    let stale: RunFile = host_file(&host);
    assert_eq!(
        check_made(run, &stale),
        None,
        "another run at the same time is not the file's"
    );
    host.command(
        Command::Rebuild {
            params: p,
            seed: run.seed,
            start: false,
            actions: run.actions.clone(),
            generation: 0,
        },
        &quick,
    );
    host.command(Command::RunTo(run.until), &quick);
    check_made(run, &host_file(&host)).expect("the file's run")
}

/// The queue with a preset, run to 3.5 s with two actions (and one after that time, which the
/// export leaves out), then looked at from a jump back to 2 s and forward again.
fn queue_export() -> (RunFile, ActionLog) {
    type H = Host<crate::labs::queue::View>;
    let lab = by_id("queue").unwrap();
    let (params, seed) = lab.preset("acks1_leader_dies").unwrap();
    let log =
        ActionLog::parse("1:crash_leader_of(0);2.5:restart_broker(0);3.6:crash_broker(1);3.6:crash_broker(2);9:add_consumer").unwrap();
    let p = serde_json::from_value(params).unwrap();
    let mut host = H::new(&p, seed, Look::default());
    host.command(
        Command::Rebuild {
            params: p,
            seed,
            start: false,
            actions: log.clone(),
            generation: 0,
        },
        &quick,
    );
    host.command(Command::RunTo(12 * NS_PER_S), &quick);
    host.command(Command::Seek(3_500 * NS_PER_MS), &quick);
    (host_file(&host), log)
}

#[test]
fn an_exported_run_reads_back_and_replays_to_its_digest() {
    let (file, log) = queue_export();
    let f = &file;
    assert_eq!(
        (f.format, f.lab.as_str(), f.seed),
        (RUN_FORMAT, "queue", 22)
    );
    assert_eq!(f.until.as_deref(), Some("3.5"));
    assert_eq!(
        f.actions.to_string(),
        "1:crash_leader_of(0);2.5:restart_broker(0)",
        "actions after the shown time are not part of the run"
    );
    assert_ne!(f.actions, log);
    assert!(f.metrics["lost"].is_u64(), "{}", f.metrics);
    let text = file_text(f);
    let run = read_import(&text).unwrap();
    assert_eq!(run.digest, f.digest.as_ref().map(|d| d.parse().unwrap()));
    match check(&run) {
        Check::Done(Verdict::Same(d)) => assert_eq!(Some(d), run.digest),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        check_text(Lang::En, &check(&run)),
        format!("Replayed: same digest ({}).", run.digest.unwrap())
    );
    // The command line's function wrote the same file, from a replay: the live run's file is
    // the replay's (the actions past the time it shows left out of its end at rest too).
    let again = RunFile::record(run.lab, &run.params, run.seed, run.until, &run.actions).unwrap();
    assert_eq!(&again, f);
    // A file whose digest was changed is another run.
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v["digest"] = json!("12345");
    let other = read_import(&v.to_string()).unwrap();
    assert_eq!(
        check(&other),
        Check::Done(Verdict::Differs {
            file: 12345,
            replay: run.digest.unwrap()
        })
    );
    assert!(check_text(Lang::En, &check(&other)).contains("file 12345, this version"));
}

#[test]
fn an_import_replays_here_or_opens_its_own_lab_with_the_link_that_reproduces_it() {
    use flowlab_sim::labs::queue::Queue;
    let (file, _) = queue_export();
    let run = read_import(&file_text(&file)).unwrap();
    match plan_import("queue", &run) {
        Import::Here {
            params,
            seed,
            actions,
            at,
        } => {
            assert_eq!((params, seed), (run.params.clone(), 22));
            assert_eq!(actions, run.actions);
            assert_eq!(at, Some(3_500 * NS_PER_MS));
        }
        other => panic!("{other:?}"),
    }
    let Import::Elsewhere { hash } = plan_import("limiter", &run) else {
        panic!("another lab's page")
    };
    let q = hash.strip_prefix("#/queue?").expect(&hash);
    assert!(q.contains("actions=1%3Acrash_leader_of"), "{q}");
    assert!(q.ends_with("&at=3.5&v=1"), "{q}");
    let s = LabState::<Queue>::from_query(q);
    assert!(s.url_problems.is_empty(), "{:?}", s.url_problems);
    assert_eq!(serde_json::to_value(&s.run_params).unwrap(), run.params);
    assert_eq!((s.seed, &s.actions), (22, &run.actions));
    assert_eq!(s.pause_at, Some((0, 3_500 * NS_PER_MS)));
}

#[test]
fn a_run_at_zero_is_not_exported_and_a_lab_that_ends_by_itself_has_no_time_and_no_digest() {
    use flowlab_sim::labs::flash_sale::FlashSaleParams;
    let queue = Host::<crate::labs::queue::View>::new(&Default::default(), 1, Look::default());
    assert_eq!(queue.run_file(), Err(NOT_STARTED.to_string()));
    let sale = by_id("flash-sale").unwrap();
    let params = sale.set(&sale.defaults(), "users", "20000").unwrap();
    let p: FlashSaleParams = serde_json::from_value(params.clone()).unwrap();
    // Not started: the file is of the run to its end (a copy runs there).
    let host = Host::<crate::labs::flash_sale::View>::new(&p, 3, Look::default());
    let f = host_file(&host);
    assert_eq!((&f.until, &f.digest), (&None, &None));
    assert!(f.metrics.is_object());
    assert_eq!(
        f,
        RunFile::record(sale, &params, 3, 0, &ActionLog::default()).unwrap()
    );
    let run = read_import(&file_text(&f)).unwrap();
    assert_eq!(
        plan_import("flash-sale", &run),
        Import::Here {
            params: params.clone(),
            seed: 3,
            actions: ActionLog::default(),
            at: None
        }
    );
    assert_eq!(check(&run), Check::Done(Verdict::NoDigest));
    let Import::Elsewhere { hash } = plan_import("queue", &run) else {
        panic!()
    };
    assert_eq!(hash, "#/flash-sale?seed=3&users=20000&v=1");
}

#[test]
fn every_lab_s_live_export_is_the_replay_of_its_file() {
    fn check_lab<V: crate::lab::view::LabView>() {
        use flowlab_sim::kernel::lab::Lab;
        let lab = by_id(V::L::ID).unwrap();
        let p = V::quick_params();
        let mut host = Host::<V>::new(&p, 7, Look::default());
        if V::TIMED {
            host.command(Command::RunTo(4 * NS_PER_S), &quick);
        }
        let f = host_file(&host);
        let params = serde_json::to_value(&p).unwrap();
        let until = if V::TIMED { 4 * NS_PER_S } else { 0 };
        let replayed = RunFile::record(lab, &params, 7, until, &ActionLog::default()).unwrap();
        assert_eq!(f, replayed, "{}", V::L::ID);
    }
    check_lab::<crate::labs::queue::View>();
    check_lab::<crate::labs::limiter::View>();
    check_lab::<crate::labs::cache::View>();
    check_lab::<crate::labs::chat::View>();
    check_lab::<crate::labs::snowflake::View>();
    check_lab::<crate::labs::flash_sale::View>();
}

#[test]
fn a_run_too_long_to_replay_here_is_imported_unchecked() {
    let (file, _) = queue_export();
    let lab = by_id("queue").unwrap();
    let until = 5_000_000 * NS_PER_S;
    let est = replay_estimate_s(lab, &file.params, until).unwrap();
    assert!(est > MAX_REPLAY_S, "{est}");
    let mut v: Value = serde_json::from_str(&file_text(&file)).unwrap();
    v["until"] = json!("5000000");
    let run = read_import(&v.to_string()).unwrap();
    assert_eq!(check(&run), Check::TooLong(est));
    assert!(check_text(Lang::En, &check(&run)).contains("flowlab run --run-file"));
}

/// Why `text` is not imported.
fn refused(text: &str, what: &str) -> ImportError {
    match read_import(text) {
        Ok(_) => panic!("{what}: imported"),
        Err(e) => e,
    }
}

/// A good file's text, changed by `f`.
fn changed(f: impl FnOnce(&mut Value)) -> String {
    let (e, _) = queue_export();
    let mut v: Value = serde_json::from_str(&file_text(&e)).unwrap();
    f(&mut v);
    v.to_string()
}

#[test]
fn bad_files_are_refused_naming_what_is_wrong_in_both_languages() {
    let good = file_text(&queue_export().0);
    let cases: Vec<(&str, String, &str, &str)> = vec![
        (
            "truncated",
            good[..good.len() / 2].to_string(),
            "not readable JSON (cut short?)",
            "不是可读的 JSON",
        ),
        (
            "future format",
            changed(|v| v["format"] = json!(7)),
            "run file format 7; this one reads up to 1",
            "运行文件格式 7",
        ),
        (
            "unknown action",
            changed(|v| v["actions"] = json!("1:explode")),
            "field `actions`: action 1 `1:explode`: unknown action",
            "字段 `actions`：第 1 个操作 `1:explode`：未知操作",
        ),
        (
            "out of order",
            changed(|v| v["actions"] = json!("2:add_consumer;1:add_consumer")),
            "out of order: it comes before the previous action's time (2 s)",
            "顺序错误",
        ),
        (
            "unknown lab",
            changed(|v| v["lab"] = json!("kafka")),
            "field `lab`: unknown lab `kafka`",
            "未知实验 `kafka`",
        ),
        (
            "not a run file",
            "{\"hello\": 1}".to_string(),
            "not a flowlab run file",
            "不是 flowlab 运行文件",
        ),
        (
            "bad params",
            changed(|v| v["params"]["brokers"] = json!(0)),
            "field `params`: brokers",
            "字段 `params`",
        ),
        (
            "bad time",
            changed(|v| v["until"] = json!("soon")),
            "field `until`",
            "字段 `until`",
        ),
        (
            "bad digest",
            changed(|v| v["digest"] = json!("x1")),
            "field `digest`: `x1` is not a whole number",
            "不是 0..2^64 范围内的整数",
        ),
        (
            "unknown field",
            changed(|v| v["colour"] = json!("red")),
            "unknown field `colour`",
            "字段 `colour`",
        ),
    ];
    for (what, text, en, zh) in cases {
        let e = refused(&text, what);
        let (in_en, in_zh) = (
            describe_import_error(Lang::En, &e),
            describe_import_error(Lang::Zh, &e),
        );
        assert!(in_en.contains(en), "{what}: {in_en}");
        assert!(in_zh.contains(zh), "{what}: {in_zh}");
        // The English words are the command line's.
        if let ImportError::File(f) = &e {
            assert_eq!(in_en, f.to_string(), "{what}");
        }
    }
}

#[test]
fn params_too_big_for_the_page_are_refused_naming_the_field() {
    let text = changed(|v| {
        v["params"]["partitions"] = json!(32);
        v["params"]["log_retention_records"] = json!(200_000);
    });
    let e = refused(&text, "too big");
    let m = describe_import_error(Lang::En, &e);
    assert!(matches!(e, ImportError::Budget(_)), "{m}");
    assert!(
        m.starts_with("field `params`: log_retention_records"),
        "{m}"
    );
}
