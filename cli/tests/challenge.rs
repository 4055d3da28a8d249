//! `flowlab challenge`: listing, grading a params file, the reference and the defaults, refusals
//! and exit codes, run as a user would.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn flowlab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flowlab"))
        .args(args)
        .output()
        .expect("flowlab runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("utf-8 stdout")
}

fn tmp(name: &str, text: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, text).expect("write temp file");
    path
}

/// A command that must fail with one line on stderr and nothing on stdout.
fn refused(args: &[&str]) -> String {
    let out = flowlab(args);
    let stderr = String::from_utf8(out.stderr).expect("utf-8 stderr");
    assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
    assert!(out.stdout.is_empty(), "{args:?} wrote to stdout");
    assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
    stderr
}

#[test]
fn list_names_every_challenge_with_its_goals_and_limits() {
    let out = flowlab(&["challenge", "list", "--json"]);
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = v.as_array().unwrap();
    assert!(list.len() >= 24, "{}", list.len());
    for lab in [
        "limiter",
        "queue",
        "chat",
        "flash-sale",
        "cache",
        "snowflake",
    ] {
        let n = list.iter().filter(|c| c["lab"] == lab).count();
        assert!(n >= 4, "{lab}: {n}");
    }
    let backlog = list.iter().find(|c| c["id"] == "queue.backlog").unwrap();
    assert_eq!(backlog["limits"][0]["key"], "consumers");
    assert_eq!(backlog["goals"][0]["figure"]["key"], "lag");
    assert!(backlog["title"].as_str().unwrap().contains("20,000"));

    let text = stdout(&flowlab(&["challenge", "list", "--lab", "queue"]));
    assert!(
        text.contains("queue.backlog") && !text.contains("limiter."),
        "{text}"
    );
    assert!(text.contains("limit: consumers 1..=4"), "{text}");
    assert!(
        text.contains("goal: Lose no acknowledged message (final.lost == 0)"),
        "{text}"
    );
    let e = refused(&["challenge", "list", "--lab", "kafka"]);
    assert!(e.contains("unknown lab `kafka`"), "{e}");
}

#[test]
fn the_reference_passes_with_exit_0_and_the_defaults_fail_with_a_debrief() {
    let out = flowlab(&[
        "challenge",
        "check",
        "queue.backlog",
        "--reference",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["passed"], true);
    assert!((1..=3).contains(&v["stars"].as_u64().unwrap()));
    assert!(v["debrief"].is_null());
    assert_eq!(v["challenge"], "queue.backlog");

    let out = flowlab(&["challenge", "check", "queue.backlog"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("FAIL At most 500 messages waiting"), "{text}");
    assert!(
        text.contains("not passed: Only 3 consumers (4 are allowed) for 4 partitions"),
        "{text}"
    );
}

#[test]
fn a_params_file_is_graded_over_the_setup() {
    // TOML, the fields it names over the setup.
    let f = tmp("challenge-backlog.toml", "consumers = 4\n");
    let out = flowlab(&[
        "challenge",
        "check",
        "queue.backlog",
        "--params",
        f.to_str().unwrap(),
        "--seed",
        "7",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["seed"], 7);
    assert_eq!(v["goals"][0]["ok"], true);
    // The same verdict twice (deterministic).
    let again = flowlab(&[
        "challenge",
        "check",
        "queue.backlog",
        "--params",
        f.to_str().unwrap(),
        "--seed",
        "7",
        "--json",
    ]);
    assert_eq!(out.stdout, again.stdout);

    // A failing file: exit 1, the verdict on stdout with the debrief.
    let f = tmp("challenge-snowflake.json", r#"{"backwards": "ignore"}"#);
    let out = flowlab(&[
        "challenge",
        "check",
        "snowflake.step_back",
        "--params",
        f.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["passed"], false);
    assert_eq!(v["stars"], 0);
    assert_eq!(v["debrief"]["goal"], "no_dupes");
    assert_eq!(
        v["debrief"]["cause"],
        "challenge.snowflake.step_back.cause.ignore"
    );
}

#[test]
fn a_file_breaking_a_limit_or_the_setup_is_refused_naming_the_knob() {
    let f = tmp("challenge-five.json", r#"{"consumers": 5}"#);
    let e = refused(&[
        "challenge",
        "check",
        "queue.backlog",
        "--params",
        f.to_str().unwrap(),
    ]);
    assert!(
        e.contains("queue.backlog refused: consumers = 5 is not allowed: 1..=4"),
        "{e}"
    );
    let f = tmp("challenge-rate.json", r#"{"rate_per_s": 10}"#);
    let e = refused(&[
        "challenge",
        "check",
        "queue.backlog",
        "--params",
        f.to_str().unwrap(),
    ]);
    assert!(
        e.contains("rate_per_s = 10 is not allowed: fixed by this challenge at 400"),
        "{e}"
    );
    let f = tmp("challenge-acks.json", r#"{"acks": "zero"}"#);
    let e = refused(&[
        "challenge",
        "check",
        "queue.batching",
        "--params",
        f.to_str().unwrap(),
    ]);
    assert!(
        e.contains("acks = zero is not allowed: one of one, all"),
        "{e}"
    );
    let f = tmp("challenge-typo.json", r#"{"consumer": 2}"#);
    let e = refused(&[
        "challenge",
        "check",
        "queue.backlog",
        "--params",
        f.to_str().unwrap(),
    ]);
    assert!(e.contains("consumer"), "{e}");
    let e = refused(&["challenge", "check", "queue.nope"]);
    assert!(e.contains("unknown challenge `queue.nope`"), "{e}");
    // --params and --reference together are a usage error (exit 2).
    let out = flowlab(&[
        "challenge",
        "check",
        "queue.backlog",
        "--reference",
        "--params",
        "x.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
}
