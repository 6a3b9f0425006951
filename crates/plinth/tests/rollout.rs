//! End-to-end tests of `plinth rollout --dry-run` through the built binary, on the seeds' examples.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn plinth(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_plinth")).args(args).env("NO_COLOR", "1").output().unwrap()
}

fn example(name: &str) -> String {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples").join(name).join("plinth.yaml");
    path.canonicalize().unwrap().to_str().unwrap().to_owned()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The text plan, asserting success.
fn dry_run(args: &[&str]) -> String {
    let mut all = vec!["rollout", "--dry-run"];
    all.extend_from_slice(args);
    let output = plinth(&all);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    text(&output.stdout)
}

#[test]
fn kkp_api_canary_steps_and_background_analysis() {
    let stdout = dry_run(&["kkp-api", "--env", "production", &example("kkp-website")]);
    assert!(
        stdout.starts_with("kkp-api in production: canary, 5 replicas, traffic routed by the ingress (exact weights)"),
        "{stdout}"
    );
    for line in [
        "+0m     set weight 20%          1 canary pod, 5 stable",
        "+0m     pause 10m",
        "+10m    set weight 40%          2 canary pods, 5 stable",
        "+20m    set weight 60%          3 canary pods, 5 stable",
        "+30m    set weight 80%          4 canary pods, 5 stable",
        "+30m    pause 10m",
        "+40m    promote                 weight 100%",
        "background analysis     success-rate every 1m, from the first weight until the promotion",
        "fails on the 2nd failed measurement → abort: weight back to 0",
        "expected duration: 40m (plus pod start-up)",
        "progress deadline: 10m",
        "on failure: abort — traffic returns to the stable version",
    ] {
        assert!(stdout.contains(line), "missing `{line}` in\n{stdout}");
    }
}

#[test]
fn kkp_frontend_blue_green_waits_for_a_manual_promotion() {
    let stdout = dry_run(&["kkp-frontend", "--env", "production", &example("kkp-website")]);
    assert!(stdout.starts_with("kkp-frontend in production: blue-green, 3 replicas"), "{stdout}");
    for line in [
        "+0m     scale up preview        3 pods of the new version behind kkp-frontend-preview",
        "+0m     pre-promotion analysis  success-rate: 5 measurements 1m apart (4m)",
        "abort: the active Service stays on the old version",
        "+4m     wait for promotion      until `plinth rollout promote` (manual)",
        "+4m     switch active           kkp-frontend selects the new version",
        "+4m     scale down old          3 pods of the old version, 30s later",
        "expected duration: at least 4m plus 1 manual promotion",
    ] {
        assert!(stdout.contains(line), "missing `{line}` in\n{stdout}");
    }
}

#[test]
fn the_default_environment_is_the_first_on_kubernetes() {
    // kkp-website declares development (local), staging, production; staging runs at 50 %.
    let stdout = dry_run(&["kkp-api", &example("kkp-website")]);
    assert!(stdout.starts_with("kkp-api in staging: canary, 3 replicas"), "{stdout}");
}

#[test]
fn ctoprojects_canary_5_then_25_then_promotion() {
    let stdout = dry_run(&["app", "--env", "prod", &example("ctoprojects")]);
    assert!(stdout.starts_with("app in prod: canary, 3 replicas, traffic routed by the ingress"), "{stdout}");
    for line in [
        "+0m     set weight 5%           1 canary pod, 3 stable",
        "+0m     smoke checks            GET /health on the new pods",
        "+10m    set weight 25%          1 canary pod, 3 stable",
        "+20m    promote                 weight 100%: 3 pods of the new version become stable",
        "background analysis     success-rate, latency every 1m",
        "expected duration: 20m",
    ] {
        assert!(stdout.contains(line), "missing `{line}` in\n{stdout}");
    }
    let rolling = dry_run(&["batch-worker", "--env", "prod", &example("ctoprojects")]);
    assert!(rolling.contains("rolling update, 2 replicas, max surge 1, max unavailable 0"), "{rolling}");
    assert!(rolling.contains("wave 2/2"), "{rolling}");
}

#[test]
fn json_output_parses() {
    let output = plinth(&[
        "rollout",
        "--dry-run",
        "kkp-api",
        "--env",
        "production",
        "--output",
        "json",
        &example("kkp-website"),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let plan: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(plan["environment"], "production");
    assert_eq!(plan["service"], "kkp-api");
    assert_eq!(plan["strategy"], "canary");
    assert_eq!(plan["traffic_routing"], true);
    assert_eq!(plan["min_duration_seconds"], 2400);
    assert_eq!(plan["manual_gates"], 0);
    assert_eq!(plan["progress_deadline_seconds"], 600);
    let weights: Vec<_> = plan["phases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["kind"] == "set-weight")
        .map(|p| {
            (p["weight"].as_u64().unwrap(), p["canary_pods"].as_u64().unwrap(), p["start_seconds"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(weights, [(20, 1, 0), (40, 2, 600), (60, 3, 1200), (80, 4, 1800)]);
    assert_eq!(plan["phases"].as_array().unwrap().last().unwrap()["kind"], "promote");
    assert_eq!(plan["background"]["templates"][0], "success-rate");
    assert_eq!(plan["background"]["after_first_weight"], true);
}

#[test]
fn unknown_service_or_environment_exits_2_with_a_suggestion() {
    let output = plinth(&["rollout", "--dry-run", "kkp-apj", "--env", "production", &example("kkp-website")]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("did you mean `kkp-api`?"), "{}", text(&output.stderr));
    let output = plinth(&["rollout", "--dry-run", "kkp-api", "--env", "prod", &example("kkp-website")]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("did you mean `production`?"), "{}", text(&output.stderr));
}

#[test]
fn without_dry_run_it_says_the_live_engine_is_not_there_yet() {
    let output = plinth(&["rollout", "kkp-api", &example("kkp-website")]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("`plinth up`"), "{}", text(&output.stderr));
    assert!(output.stdout.is_empty());
}
