//! End-to-end tests of the `flowlab` binary: runs it as a user would and reads its JSON.

use std::path::PathBuf;
use std::process::{Command, Output};

use flowlab_sim::chat::{ChatLab, ChatParams};
use flowlab_sim::kernel::time::secs;
use flowlab_sim::limiter::{LimiterLab, LimiterParams};
use flowlab_sim::Model;
use serde_json::Value;

const ALGOS: [&str; 5] = [
    "fixed_window",
    "sliding_log",
    "sliding_counter",
    "token_bucket",
    "leaky_bucket",
];
const SCHEMES: [&str; 4] = ["offline_copies", "copy_per_member", "unread_ids", "cursor"];

fn flowlab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flowlab"))
        .args(args)
        .output()
        .expect("flowlab runs")
}

/// Runs a command that must succeed: its stdout parsed as JSON; stderr must stay empty (no
/// progress bar or chatter on a pipe).
fn json(args: &[&str]) -> Value {
    let out = flowlab(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?} failed: {stderr}");
    assert!(stderr.is_empty(), "{args:?} wrote to stderr: {stderr}");
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

/// Runs a command that must fail cleanly: exit 1 (not a panic's 101), nothing on stdout, one line
/// on stderr, which is returned.
fn fails(args: &[&str]) -> String {
    let out = flowlab(args);
    let stderr = String::from_utf8(out.stderr).expect("utf-8 stderr");
    assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
    assert!(out.stdout.is_empty(), "{args:?} wrote to stdout");
    assert_eq!(
        stderr.lines().count(),
        1,
        "{args:?}: not one line: {stderr}"
    );
    stderr
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a u64: {v}"))
}

fn tmp(name: &str, text: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, text).expect("write temp file");
    path
}

#[test]
fn limiter_accounts_for_every_request_in_every_lane() {
    let d = json(&["run", "limiter", "--until-s", "20"]);
    assert_eq!(d["model"], "limiter");
    assert_eq!(d["seed"], 42);
    assert_eq!(d["params"]["fixed_window"]["limit"], 10);
    let m = &d["metrics"];
    assert_eq!(m["virtual_s"], 20.0);
    assert_eq!(m["accounted"], true);
    let arrived = u(&m["arrived"]);
    assert!(arrived > 100, "{arrived}");
    for a in ALGOS {
        let l = &m[a];
        assert_eq!(u(&l["arrived"]), arrived, "{a}");
        assert_eq!(
            u(&l["accepted"]) + u(&l["rejected"]) + u(&l["queued"]),
            arrived,
            "{a}: {l}"
        );
    }
    assert!(d["digest"].is_u64());
}

#[test]
fn boundary_burst_preset_lets_the_fixed_window_pass_its_limit() {
    let d = json(&[
        "run",
        "limiter",
        "--preset",
        "boundary_burst",
        "--until-s",
        "20",
    ]);
    assert_eq!(d["preset"], "boundary_burst");
    assert_eq!(d["seed"], 1, "the preset's seed");
    let limit = u(&d["params"]["fixed_window"]["limit"]);
    let m = &d["metrics"];
    assert!(u(&m["fixed_window"]["max_in_window"]) > limit, "{m}");
    assert!(u(&m["sliding_log"]["max_in_window"]) <= limit, "{m}");
    // --seed overrides the preset's.
    let d = json(&[
        "run",
        "limiter",
        "--preset",
        "boundary_burst",
        "--seed",
        "9",
        "--until-s",
        "5",
    ]);
    assert_eq!(d["seed"], 9);
}

#[test]
fn chat_push_failures_lose_messages_only_in_scheme_one() {
    let d = json(&[
        "run",
        "chat",
        "--set",
        "push_fail_prob=0.1",
        "--until-s",
        "30",
    ]);
    assert_eq!(d["params"]["push_fail_prob"], 0.1);
    let m = &d["metrics"];
    assert!(u(&m["messages"]) > 0);
    assert!(u(&m["offline_copies"]["lost"]) > 0, "{m}");
    assert_eq!(u(&m["cursor"]["lost"]), 0, "{m}");
    for s in SCHEMES {
        for f in [
            "inserts",
            "write_bytes",
            "peak_rows",
            "delivered",
            "pull_latency_p50_ms",
            "pull_latency_p99_ms",
            "pull_latency_max_ms",
            "writes_per_message",
            "rows_per_reconnect",
        ] {
            assert!(m[s][f].is_number(), "{s}.{f} missing: {m}");
        }
        let p99 = m[s]["pull_latency_p99_ms"].as_f64().unwrap();
        let max = m[s]["pull_latency_max_ms"].as_f64().unwrap();
        assert!(p99 <= max, "{s}: p99 {p99} > max {max}");
    }
}

#[test]
fn queue_acks1_loses_acknowledged_messages_and_acks_all_does_not() {
    let d = json(&[
        "run",
        "queue",
        "--preset",
        "acks1_leader_dies",
        "--until-s",
        "10",
    ]);
    let m = &d["metrics"];
    assert!(u(&m["sent"]) > 1_000, "{m}");
    assert_eq!(m["final"]["quiet"], true, "{m}");
    assert!(u(&m["final"]["lost"]) > 0, "{m}");
    assert_eq!(u(&m["final"]["lost"]), u(&m["lost"]), "{m}");
    let d = json(&[
        "run",
        "queue",
        "--preset",
        "acks1_leader_dies",
        "--set",
        "acks=all",
        "--until-s",
        "10",
    ]);
    assert_eq!(u(&d["metrics"]["final"]["lost"]), 0, "{}", d["metrics"]);
    let e = fails(&["run", "queue", "--set", "min_insync_replicas=5"]);
    assert!(e.contains("min_insync_replicas"), "{e}");
}

#[test]
fn limiter_queue_accounts_for_every_request() {
    let d = json(&["run", "limiter-queue", "--set", "requests=200000"]);
    assert_eq!(d["params"]["requests"], 200_000);
    assert!(d.get("digest").is_none());
    let m = &d["metrics"];
    assert_eq!(u(&m["arrived"]), 200_000);
    assert_eq!(u(&m["arrived"]), u(&m["admitted"]) + u(&m["rejected"]));
    assert_eq!(u(&m["admitted"]), u(&m["completed"]) + u(&m["dropped"]));
    assert!(m["requests_per_s"].as_f64().unwrap() > 0.0);
    assert!(m["wall_s"].as_f64().unwrap() > 0.0);
    // limiter-queue runs its requests, not a span of virtual time.
    assert!(fails(&["run", "limiter-queue", "--until-s", "5"]).contains("--until-s"));
}

#[test]
fn seeds_run_side_by_side_with_a_summary() {
    let d = json(&[
        "run",
        "limiter",
        "--seeds",
        "4",
        "--seed",
        "7",
        "--until-s",
        "10",
    ]);
    assert_eq!(d["seed"], 7);
    assert_eq!(d["seeds"], 4);
    let runs = d["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 4);
    let seeds: Vec<u64> = runs.iter().map(|r| u(&r["seed"])).collect();
    assert_eq!(seeds, vec![7, 8, 9, 10]);
    let accepted: Vec<f64> = runs
        .iter()
        .map(|r| u(&r["key_figures"]["fixed_window"]["accepted"]) as f64)
        .collect();
    let s = &d["summary"]["fixed_window"]["accepted"];
    let mean = accepted.iter().sum::<f64>() / 4.0;
    assert!((s["mean"].as_f64().unwrap() - mean).abs() < 1e-9, "{s}");
    assert_eq!(
        s["min"].as_f64().unwrap(),
        accepted.iter().copied().fold(f64::MAX, f64::min)
    );
    assert_eq!(
        s["max"].as_f64().unwrap(),
        accepted.iter().copied().fold(0.0, f64::max)
    );
    let var = accepted.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 3.0;
    assert!(
        (s["std"].as_f64().unwrap() - var.sqrt()).abs() < 1e-9,
        "{s}"
    );
    // Every numeric metric is summarised, not only the key figures.
    for key in ["mean", "min", "max", "std"] {
        assert!(d["summary"]["leaky_bucket"]["delay_p99_ms"][key].is_number());
        assert!(d["summary"]["arrived"][key].is_number());
    }
    // Each run is the run that seed gives alone.
    let alone = json(&["run", "limiter", "--seed", "9", "--until-s", "10"]);
    assert_eq!(runs[2]["digest"], alone["digest"]);

    let d = json(&[
        "run",
        "limiter-queue",
        "--seeds",
        "2",
        "--set",
        "requests=20000",
    ]);
    assert_eq!(d["runs"].as_array().unwrap().len(), 2);
    assert!(d["summary"]["requests_per_s"]["mean"].as_f64().unwrap() > 0.0);
}

#[test]
fn same_seed_same_digest_and_the_engine_agrees() {
    let a = json(&["run", "limiter"]);
    let b = json(&["run", "limiter", "--pretty"]);
    assert_eq!(a, b, "same seed, same everything");
    let other = json(&["run", "limiter", "--seed", "43"]);
    assert_ne!(a["digest"], other["digest"]);
    // The command line advances in slices; the run is the one the engine makes in one go.
    let mut lab = LimiterLab::new(LimiterParams::default(), 42).unwrap();
    lab.run_to(secs(60));
    assert_eq!(u(&a["digest"]), lab.digest());

    let args = [
        "run",
        "chat",
        "--until-s",
        "30",
        "--set",
        "crash_prob=0.01",
        "--set",
        "ack_batch_ms=200",
    ];
    let c1 = json(&args);
    let c2 = json(&args);
    assert_eq!(c1["digest"], c2["digest"]);
    let mut lab = ChatLab::new(
        ChatParams {
            crash_prob: 0.01,
            ack_batch_ms: 200,
            ..ChatParams::default()
        },
        42,
    )
    .unwrap();
    lab.run_to(secs(30));
    assert_eq!(u(&c1["digest"]), lab.digest());
}

#[test]
fn params_files_in_toml_and_json() {
    let toml = tmp(
        "limiter.toml",
        "compare_window_ms = 2000\n\n[fixed_window]\nlimit = 7\n\n[traffic]\npattern = \"on_off\"\n",
    );
    let d = json(&[
        "run",
        "limiter",
        "--until-s",
        "5",
        "--params",
        toml.to_str().unwrap(),
    ]);
    let p = &d["params"];
    assert_eq!(p["fixed_window"]["limit"], 7);
    assert_eq!(p["fixed_window"]["window_ms"], 1000, "left out: default");
    assert_eq!(p["traffic"]["pattern"], "on_off");
    assert_eq!(p["compare_window_ms"], 2000);

    let json_file = tmp("chat.json", r#"{"groups": 4, "push_fail_prob": 0.2}"#);
    let path = json_file.to_str().unwrap();
    let d = json(&["run", "chat", "--until-s", "5", "--params", path]);
    assert_eq!(d["params"]["groups"], 4);
    assert_eq!(d["params"]["push_fail_prob"], 0.2);
    assert_eq!(d["params"]["members_per_group"], 50);
    // --set applies over the file.
    let d = json(&[
        "run",
        "chat",
        "--until-s",
        "5",
        "--params",
        path,
        "--set",
        "groups=3",
    ]);
    assert_eq!(d["params"]["groups"], 3);
    assert_eq!(d["params"]["push_fail_prob"], 0.2);
    // A file over a preset keeps the rest of the preset.
    let d = json(&[
        "run",
        "limiter",
        "--until-s",
        "5",
        "--preset",
        "boundary_burst",
        "--params",
        toml.to_str().unwrap(),
    ]);
    assert_eq!(d["params"]["fixed_window"]["limit"], 7);
    assert_eq!(d["params"]["chart_bucket_ms"], 100);

    let unknown = tmp("unknown.toml", "[fixed_window]\nlimt = 7\n");
    let e = fails(&["run", "limiter", "--params", unknown.to_str().unwrap()]);
    assert!(e.contains("fixed_window.limt"), "{e}");
    let out_of_range = tmp("range.json", r#"{"leaky_bucket": {"capacity": 0}}"#);
    let e = fails(&["run", "limiter", "--params", out_of_range.to_str().unwrap()]);
    assert!(
        e.contains("leaky_bucket.capacity") && e.contains("1..=100000"),
        "{e}"
    );
    let wrong_type = tmp("type.json", r#"{"groups": "many"}"#);
    let e = fails(&["run", "chat", "--params", wrong_type.to_str().unwrap()]);
    assert!(e.contains("groups"), "{e}");
    let broken = tmp("broken.toml", "[fixed_window\n");
    let e = fails(&["run", "limiter", "--params", broken.to_str().unwrap()]);
    assert!(e.contains("line 1"), "{e}");
    let yaml = tmp("params.yaml", "groups: 3\n");
    assert!(fails(&["run", "chat", "--params", yaml.to_str().unwrap()]).contains(".toml"));
    assert!(fails(&["run", "chat", "--params", "/nonexistent/p.json"]).contains("p.json"));
}

#[test]
fn bad_params_name_the_field_and_the_range() {
    let e = fails(&["run", "limiter", "--set", "fixed_window.limit=0"]);
    assert!(
        e.contains("fixed_window.limit") && e.contains("1..=100000"),
        "{e}"
    );
    let e = fails(&["run", "limiter", "--set", "nope=1"]);
    assert!(e.contains("`nope`"), "{e}");
    let e = fails(&["run", "limiter", "--set", "fixed_window.limit=abc"]);
    assert!(
        e.contains("fixed_window.limit") && e.contains("whole number"),
        "{e}"
    );
    let e = fails(&["run", "limiter", "--set", "traffic.pattern=square"]);
    assert!(e.contains("traffic.pattern") && e.contains("on_off"), "{e}");
    let e = fails(&["run", "chat", "--set", "push_fail_prob=2"]);
    assert!(e.contains("push_fail_prob") && e.contains("0..=1"), "{e}");
    let e = fails(&["run", "limiter-queue", "--set", "servers=0"]);
    assert!(e.contains("servers") && e.contains("1..=100000"), "{e}");
    let e = fails(&["run", "limiter", "--set", "fixed_window.limit"]);
    assert!(e.contains("key=value"), "{e}");
    let e = fails(&["run", "limiter", "--preset", "nope"]);
    assert!(e.contains("`nope`") && e.contains("boundary_burst"), "{e}");
    let e = fails(&["run", "limiter", "--until-s", "-1"]);
    assert!(e.contains("--until-s"), "{e}");
}

#[test]
fn unknown_model_fails() {
    let e = fails(&["run", "nope"]);
    assert!(e.contains("`nope`") && e.contains("limiter-queue"), "{e}");
    // A malformed command line is the argument parser's: exit 2.
    let out = flowlab(&["run"]);
    assert_eq!(out.status.code(), Some(2));
    let out = flowlab(&["run", "limiter", "--seeds", "0"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn list_shows_models_and_presets() {
    let out = flowlab(&["list"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for name in [
        "limiter",
        "queue",
        "chat",
        "limiter-queue",
        "flash-sale",
        "boundary_burst",
        "safe_producer",
        "push_failures",
        "unsafe_oversell",
        "cache",
        "hot_key_expiry",
    ] {
        assert!(text.contains(name), "{name} missing from: {text}");
    }
    let d = json(&["list", "--json"]);
    let models = d.as_array().unwrap();
    assert_eq!(
        models.len(),
        flowlab_sim::labs::all().len(),
        "every registered lab"
    );
    assert_eq!(models[0]["model"], "limiter");
    assert!(models[0]["keys"]
        .as_array()
        .unwrap()
        .contains(&Value::from("fixed_window.limit")));
    assert_eq!(models[1]["presets"][0]["id"], "acks0_crash");
    assert_eq!(models[2]["presets"][0]["id"], "push_failures");
    // Every lab's knob table and metric list come with it.
    for m in models {
        assert!(!m["knobs"].as_array().unwrap().is_empty(), "{}", m["model"]);
        assert!(
            !m["metrics"].as_array().unwrap().is_empty(),
            "{}",
            m["model"]
        );
    }
    let fw = models[0]["knobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["key"] == "fixed_window.limit")
        .expect("the limit is a knob");
    assert_eq!(fw["kind"]["hi"], 100_000);
}

#[test]
fn flash_sale_answers_everyone_and_the_unsafe_check_oversells() {
    let safe = Command::new(env!("CARGO_BIN_EXE_flowlab"))
        .args([
            "run",
            "flash-sale",
            "--set",
            "users=1000000",
            "--set",
            "stock=1000",
        ])
        .output()
        .unwrap();
    assert!(
        safe.status.success(),
        "{}",
        String::from_utf8_lossy(&safe.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&safe.stdout).unwrap();
    let m = &v["metrics"];
    let n = |k: &str| m[k].as_u64().unwrap_or_else(|| panic!("{k} in {m}"));
    assert_eq!(n("success") + n("sold_out") + n("rejected"), 1_000_000);
    assert_eq!(n("success"), 1_000);
    assert_eq!(n("oversold"), 0);
    let unsafe_run = Command::new(env!("CARGO_BIN_EXE_flowlab"))
        .args([
            "run",
            "flash-sale",
            "--preset",
            "unsafe_oversell",
            "--set",
            "users=1000000",
            "--set",
            "stock=1000",
        ])
        .output()
        .unwrap();
    assert!(
        unsafe_run.status.success(),
        "{}",
        String::from_utf8_lossy(&unsafe_run.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&unsafe_run.stdout).unwrap();
    assert!(v["metrics"]["oversold"].as_u64().unwrap() > 0);
}

#[test]
fn cache_race_preset_shows_delete_first_stale_far_more_often_and_matches_the_engine() {
    let d = json(&[
        "run",
        "cache",
        "--preset",
        "cache_aside_race",
        "--until-s",
        "5",
    ]);
    let m = &d["metrics"];
    let stale = |s: &str| u(&m["strategy"][s]["stale_reads"]);
    assert!(
        stale("delete_then_update") > 3 * stale("update_then_delete"),
        "{m}"
    );
    assert_eq!(stale("write_through"), 0, "{m}");
    assert_eq!(u(&m["dropped_events"]), 0);
    let p = flowlab_sim::cache::presets::cache_aside_race();
    let mut lab = flowlab_sim::cache::CacheLab::new(p.params, p.seed).unwrap();
    lab.run_to(secs(5));
    assert_eq!(u(&d["digest"]), lab.digest());
    let e = fails(&["run", "cache", "--set", "ttl_jitter=1.5"]);
    assert!(e.contains("ttl_jitter") && e.contains("0..=1"), "{e}");
}

/// Issue 11: hostile input is refused with one short line naming the field and what is allowed,
/// and nothing runs out of memory.
#[test]
fn hostile_input_is_refused_briefly_and_by_name() {
    // Memory blown up by values inside the ranges: refused by the cost model, at once.
    let e = fails(&[
        "run",
        "flash-sale",
        "--set",
        "unsafe_check=true",
        "--set",
        "unsafe_gap_us=10000000",
        "--set",
        "token_rate_per_s=100000000",
        "--set",
        "burst=100000000",
        "--set",
        "users=1000000000",
    ]);
    assert!(
        e.contains("unsafe_gap_us") && e.contains("MB") && e.contains("--max-memory-mb"),
        "{e}"
    );
    // A value that is too big for its type gives the range, not a type name.
    let e = fails(&["run", "limiter", "--set", "traffic.rate_per_s=4294967296"]);
    assert!(e.contains("0..=1000000"), "{e}");
    let e = fails(&["run", "limiter", "--set", "fixed_window.limit=-1"]);
    assert!(e.contains("1..=100000"), "{e}");
    // A value set that breaks another field's rule names the value set.
    let e = fails(&["run", "queue", "--set", "brokers=1"]);
    assert!(e.starts_with("flowlab: --set brokers=1"), "{e}");
    assert!(e.contains("replication_factor"), "{e}");
    // Long values are not echoed whole.
    let long = format!("fixed_window.limit={}", "9".repeat(100_000));
    assert!(fails(&["run", "limiter", "--set", &long]).len() < 600);
    // A repeated key is refused.
    assert!(fails(&[
        "run",
        "limiter",
        "--set",
        "fixed_window.limit=3",
        "--set",
        "fixed_window.limit=4"
    ])
    .contains("twice"));
    // Tiny and huge --until-s print readably.
    let e = fails(&["run", "limiter", "--until-s", "1e-300"]);
    assert!(e.contains("1e-300"), "{e}");
    // Params files: an object with named fields, nothing else; not-a-number named by its key.
    let list = tmp("list.json", "[]");
    assert!(fails(&["run", "limiter", "--params", list.to_str().unwrap()]).contains("object"));
    let by_position = tmp("pos.json", r#"{"fixed_window": [7, 500]}"#);
    let e = fails(&["run", "limiter", "--params", by_position.to_str().unwrap()]);
    assert!(e.contains("fixed_window") && e.contains("object"), "{e}");
    let nan = tmp("nan.toml", "[traffic]\nzipf_exponent = nan\n");
    let e = fails(&["run", "limiter", "--params", nan.to_str().unwrap()]);
    assert!(
        e.contains("traffic.zipf_exponent") && e.contains("finite"),
        "{e}"
    );
    let big = tmp(
        "big.json",
        &format!("{{\"x\": \"{}\"}}", "a".repeat(2_000_000)),
    );
    let e = fails(&["run", "limiter", "--params", big.to_str().unwrap()]);
    assert!(e.contains("larger than") && e.len() < 600, "{e}");
}

/// `--seeds N` keeps a running summary: memory does not grow with N (a million tiny runs stay
/// small), and the runs listed one by one stop at 1,000.
#[test]
fn many_seeds_keep_only_a_summary() {
    let d = json(&["run", "limiter", "--until-s", "0.001", "--seeds", "3000"]);
    assert_eq!(d["seeds"], 3000);
    assert_eq!(d["runs_listed"], 1000);
    assert_eq!(d["runs"].as_array().unwrap().len(), 1000);
    assert!(d["summary"]["arrived"]["mean"].is_number());
}

/// The first line a run writes to stderr (the run is stopped once it is read, or after a minute).
fn first_warning(args: &[&str]) -> String {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_flowlab"))
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("flowlab runs");
    let mut line = String::new();
    let stderr = child.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || {
        let _ = BufReader::new(stderr).read_line(&mut line);
        line
    });
    let started = std::time::Instant::now();
    while !reader.is_finished() && started.elapsed().as_secs() < 60 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    reader.join().expect("reader")
}

/// Issue 11: a run that will take long says so before it starts, by its cost model, whether it is
/// told how long to run or runs to its own end; a short one says nothing.
#[test]
fn long_runs_are_announced() {
    let w = first_warning(&["run", "limiter", "--until-s", "10000000"]);
    assert!(w.contains("minutes of CPU"), "{w}");
    let w = first_warning(&["run", "chat", "--until-s", "10000000"]);
    assert!(w.contains("minutes of CPU"), "{w}");
    let w = first_warning(&[
        "run",
        "flash-sale",
        "--set",
        "unsafe_check=true",
        "--set",
        "consumers=10000",
        "--set",
        "partitions=10000",
        "--set",
        "token_rate_per_s=50000",
    ]);
    assert!(w.contains("minutes of CPU"), "{w}");
    let out = flowlab(&["run", "limiter", "--until-s", "1"]);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Issue 11: a params file that never ends (a device, a pipe) is read no further than the limit.
#[cfg(unix)]
#[test]
fn endless_params_files_are_refused() {
    let link = std::env::temp_dir().join(format!("flowlab-endless-{}.json", std::process::id()));
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink("/dev/zero", &link).expect("a symlink");
    let e = fails(&["run", "limiter", "--params", link.to_str().unwrap()]);
    let _ = std::fs::remove_file(&link);
    assert!(e.contains("larger than"), "{e}");
}

/// Runs `flowlab` with `RAYON_NUM_THREADS` set: its stdout, which must be a success.
fn stdout_with_threads(args: &[&str], threads: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_flowlab"))
        .args(args)
        .env("RAYON_NUM_THREADS", threads)
        .output()
        .expect("flowlab runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// Issue 13: a sweep's every run is what `flowlab run` reports for the same params and seed; the
/// rows come in plan order whatever the threads.
#[test]
fn a_sweep_reports_what_single_runs_report() {
    let args = [
        "sweep",
        "queue",
        "--preset",
        "acks1_leader_dies",
        "--metric",
        "final.lost",
        "--knob",
        "acks",
        "--seeds",
        "3",
        "--until-s",
        "8",
    ];
    let csv = stdout_with_threads(&args, "2");
    assert_eq!(
        csv,
        stdout_with_threads(&args, "1"),
        "the same on 1 and 2 threads"
    );
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "point,x,seed,value,digest");
    assert_eq!(lines.len(), 1 + 3 * 3);
    for (i, line) in lines[1..].iter().enumerate() {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells.len(), 5, "{line}");
        assert_eq!(cells[0], ["zero", "one", "all"][i / 3]);
        assert_eq!(cells[1], "", "acks is not a number");
        assert_eq!(
            cells[2],
            (22 + i % 3).to_string(),
            "the preset's seed first"
        );
        let run = json(&[
            "run",
            "queue",
            "--preset",
            "acks1_leader_dies",
            "--set",
            &format!("acks={}", cells[0]),
            "--seed",
            cells[2],
            "--until-s",
            "8",
        ]);
        assert_eq!(
            cells[3],
            run["metrics"]["final"]["lost"].to_string(),
            "{line}"
        );
        assert_eq!(cells[4], run["digest"].to_string(), "{line}");
    }
    // acks=all loses nothing on any seed.
    assert!(lines[7..].iter().all(|l| l.split(',').nth(3) == Some("0")));
}

#[test]
fn a_sweep_in_json_has_the_runs_and_a_summary_per_point() {
    let d = json(&[
        "sweep",
        "queue",
        "--metric",
        "e2e_latency",
        "--knob",
        "rate_per_s",
        "--range",
        "50:150:3",
        "--seeds",
        "4",
        "--seed",
        "7",
        "--until-s",
        "3",
        "--format",
        "json",
    ]);
    assert_eq!(d["metric"]["path"], "e2e_latency_p99_ms", "a latency's p99");
    assert_eq!(
        d["link"],
        "metric=e2e_latency;knob=rate_per_s;range=50:150:3;seeds=4;seed=7;until=3"
    );
    assert_eq!(d["until_s"], 3.0);
    assert!(d["estimated_cpu_s"].as_f64().unwrap() > 0.0);
    let points = d["points"].as_array().unwrap();
    let labels: Vec<&str> = points
        .iter()
        .map(|p| p["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["50", "100", "150"]);
    let runs = d["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 12);
    for (k, p) in points.iter().enumerate() {
        let s = &p["summary"];
        assert_eq!(s["n"], 4);
        assert_eq!(p["missing"], 0);
        let mine: Vec<f64> = runs[k * 4..k * 4 + 4]
            .iter()
            .map(|r| {
                assert_eq!(r["point"], p["label"]);
                assert_eq!(r["x"], p["x"]);
                r["value"].as_f64().unwrap()
            })
            .collect();
        let min = mine.iter().copied().fold(f64::INFINITY, f64::min);
        let max = mine.iter().copied().fold(0.0, f64::max);
        assert_eq!(s["min"].as_f64().unwrap(), min);
        assert_eq!(s["max"].as_f64().unwrap(), max);
        let median = s["median"].as_f64().unwrap();
        assert!(min <= median && median <= max);
    }
    // Seeds only, from a lab that runs to its own end: one point, no until.
    let d = json(&[
        "sweep",
        "flash-sale",
        "--set",
        "users=200000",
        "--metric",
        "oversold",
        "--seeds",
        "2",
        "--format",
        "json",
    ]);
    assert!(d.get("until_s").is_none());
    assert_eq!(d["points"][0]["label"], "");
    assert_eq!(d["points"][0]["summary"]["zero_share"], 1.0);
}

#[test]
fn sweep_metrics_are_listed() {
    let out = stdout_with_threads(&["sweep", "cache", "--list-metrics"], "1");
    let paths: Vec<&str> = out.lines().collect();
    for want in [
        "as_set.stale_reads",
        "as_set.db_queries",
        "as_set.read_latency_p99_ms",
    ] {
        assert!(paths.contains(&want), "{want} in {paths:?}");
    }
    let d = json(&["sweep", "queue", "--list-metrics", "--format", "json"]);
    let lost = d
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["path"] == "final.lost")
        .expect("final.lost");
    assert_eq!(lost["measure"], "count");
    assert_eq!(lost["checker"], true);
}

#[test]
fn a_bad_sweep_is_refused_in_one_line_naming_the_flag() {
    let sweep = |more: &[&str]| {
        let mut args = vec!["sweep", "queue", "--seeds", "2"];
        args.extend_from_slice(more);
        fails(&args)
    };
    let e = sweep(&["--metric", "lots"]);
    assert!(
        e.contains("--metric = lots") && e.contains("final.lost"),
        "{e}"
    );
    assert!(e.contains("--list-metrics"), "{e}");
    let e = sweep(&["--metric", "lost", "--knob", "akcs"]);
    assert!(e.contains("--knob = akcs") && e.contains("acks"), "{e}");
    let e = sweep(&["--metric", "lost", "--knob", "acks", "--values", "one,two"]);
    assert!(
        e.contains("acks = two") && e.contains("zero, one, all"),
        "{e}"
    );
    let e = sweep(&["--metric", "lost", "--knob", "acks", "--range", "0:1:3"]);
    assert!(e.contains("numeric knob"), "{e}");
    let e = sweep(&["--metric", "lost", "--knob", "rate_per_s"]);
    assert!(e.contains("give a range or values"), "{e}");
    let e = sweep(&["--metric", "lost", "--knob", "rate_per_s", "--range", "1:9"]);
    assert!(
        e.contains("--range = 1:9") && e.contains("LO:HI:STEPS"),
        "{e}"
    );
    let e = sweep(&[
        "--metric",
        "lost",
        "--knob",
        "rate_per_s",
        "--range",
        "1:99999:3",
    ]);
    assert!(e.contains("0..=20000"), "{e}");
    let e = sweep(&["--metric", "lost", "--until-s", "0"]);
    assert!(e.contains("--until-s = 0"), "{e}");
    let e = fails(&[
        "sweep",
        "flash-sale",
        "--metric",
        "oversold",
        "--seeds",
        "2",
        "--until-s",
        "3",
    ]);
    assert!(e.contains("--until-s") && e.contains("its own end"), "{e}");
    let e = fails(&["sweep", "nope", "--metric", "x", "--seeds", "2"]);
    assert!(e.contains("unknown model `nope`"), "{e}");
    let e = sweep(&["--metric", "lost", "--set", "acks=two"]);
    assert!(e.contains("--set acks=two"), "{e}");
    // Seeds out of 1..=200: the argument parser's own message (exit 2).
    let out = flowlab(&["sweep", "queue", "--metric", "lost", "--seeds", "201"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1..=200"));
}

/// A sweep estimated to take long asks for --yes, saying how long.
#[test]
fn a_long_sweep_asks_first() {
    let e = fails(&[
        "sweep",
        "queue",
        "--metric",
        "lost",
        "--knob",
        "rate_per_s",
        "--range",
        "100:20000:20",
        "--seeds",
        "200",
        "--until-s",
        "3600",
    ]);
    assert!(
        e.contains("minutes") && e.contains("--yes") && e.contains("4000 runs"),
        "{e}"
    );
}

/// `--format table`: one line per point with its summary, for people (the README's example).
#[test]
fn a_sweep_table_sums_up_each_point() {
    let out = stdout_with_threads(
        &[
            "sweep",
            "queue",
            "--preset",
            "acks1_leader_dies",
            "--metric",
            "final.lost",
            "--knob",
            "acks",
            "--seeds",
            "4",
            "--until-s",
            "8",
            "--format",
            "table",
        ],
        "2",
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "final.lost over 4 seeds (22 to 25)");
    let head: Vec<&str> = lines[1].split_whitespace().collect();
    assert_eq!(
        head,
        ["acks", "n", "min", "p10", "median", "p90", "max", "mean", "zero"]
    );
    let all: Vec<&str> = lines[4].split_whitespace().collect();
    assert_eq!(all, ["all", "4", "0", "0", "0", "0", "0", "0", "100%"]);
    assert!(lines[2].starts_with("zero ") && lines[3].starts_with("one "));
}

/// The largest sweep, 200 seeds × 20 values, runs (tiny runs: what is kept is one number a run).
#[test]
fn the_largest_sweep_runs() {
    let out = stdout_with_threads(
        &[
            "sweep",
            "limiter",
            "--metric",
            "fixed_window.accepted",
            "--knob",
            "traffic.rate_per_s",
            "--range",
            "1:20:20",
            "--seeds",
            "200",
            "--until-s",
            "0.05",
        ],
        "2",
    );
    let rows: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(rows.len(), 4_000);
    assert!(rows[0].starts_with("1,1,42,"), "{}", rows[0]);
    assert!(rows[3_999].starts_with("20,20,241,"), "{}", rows[3_999]);
}

/// `--actions` replays interventions; `--save-run` writes a run file that `--run-file` replays to
/// the same digest; a changed file is refused.
#[test]
fn actions_and_run_files_replay_the_same_run() {
    let base = [
        "run",
        "queue",
        "--preset",
        "acks1_leader_dies",
        "--until-s",
        "6",
    ];
    let plain = json(&base);
    let log = "2.5:crash_leader_of(0);4:restart_broker(0)";
    let saved = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("run-with-actions.json");
    let mut args = base.to_vec();
    args.extend(["--actions", log, "--save-run", saved.to_str().unwrap()]);
    let acted = json(&args);
    assert_eq!(acted["actions"], log);
    assert_ne!(
        acted["digest"], plain["digest"],
        "the crash changes the run"
    );

    let file: Value = serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    assert_eq!(file["format"], 1);
    assert_eq!(file["actions"], log);
    assert_eq!(file["until"], "6");
    assert_eq!(
        file["metrics"], acted["metrics"],
        "the file's figures are the printed ones"
    );
    assert_eq!(
        file["digest"],
        u(&acted["digest"]).to_string(),
        "exact, as text"
    );
    let replayed = json(&["run", "--run-file", saved.to_str().unwrap()]);
    assert_eq!(replayed["digest"], acted["digest"]);
    assert_eq!(replayed["metrics"], acted["metrics"]);

    let mut changed = file.clone();
    changed["params"]["acks"] = "all".into();
    let path = tmp("run-changed.json", &changed.to_string());
    let e = fails(&["run", "--run-file", path.to_str().unwrap()]);
    assert!(e.contains("not the same run"), "{e}");
    let e = fails(&["run", "queue", "--actions", "1:crash_broker(1);x"]);
    assert!(e.contains("--actions: action 2 `x`"), "{e}");
    let e = fails(&["run", "flash-sale", "--actions", "1:add_node"]);
    assert!(e.contains("takes no actions"), "{e}");
}

#[test]
fn why_lists_the_acks1_losses_with_their_offsets_and_changes_nothing_else() {
    let args = [
        "run",
        "queue",
        "--preset",
        "acks1_leader_dies",
        "--until-s",
        "6",
    ];
    let plain = json(&args);
    let with = json(&[&args[..], &["--why"]].concat());
    assert!(plain.get("why").is_none(), "only when asked");
    assert_eq!(plain["digest"], with["digest"], "the log changes no figure");
    let why = &with["why"];
    assert!(u(&why["counts"]["lost_cut"]) > 0, "{why}");
    let lines = why["lines"].as_array().unwrap();
    assert!(lines.iter().any(|l| {
        let l = l.as_str().unwrap();
        l.contains("lost") && l.contains("with acks=1 and never copied before it crashed")
    }));
    assert!(fails(&["run", "queue", "--why", "--seeds", "2"]).contains("--why"));
}
