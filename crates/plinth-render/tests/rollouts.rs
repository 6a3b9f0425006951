//! The Rollouts the seeds describe come out of their examples: seed 000's blue-green frontend and
//! 20/40/60/80 % canary API with success-rate analysis, seed 001's 5 → 25 → 100 % canary with
//! automatic rollback.

mod common;

use serde_json::{Value, json};

/// The object of `kind` in the service's file.
fn object(example: &str, env: &str, service: &str, kind: &str) -> Value {
    let (_, platforms) = common::examples().into_iter().find(|(name, _)| name == example).unwrap();
    let artifacts = plinth_render::render(&platforms);
    let text = artifacts.get(&format!("environments/{env}/kubernetes/{service}.yaml")).unwrap();
    text.split("\n---\n")
        .map(|doc| serde_yaml_ng::from_str::<Value>(doc).unwrap())
        .find(|doc| doc["kind"] == kind)
        .unwrap_or_else(|| panic!("{example}/{env}: no {kind} {service}"))
}

fn rollout(example: &str, env: &str, service: &str) -> Value {
    object(example, env, service, "Rollout")
}

/// The seed's replica count, held by the autoscaler's floor: the Rollout leaves the count to it,
/// or every apply would reset the autoscaler's decision.
fn assert_autoscaled_from(rollout: &Value, example: &str, env: &str, service: &str, replicas: i64) {
    assert!(rollout["spec"].get("replicas").is_none(), "{service}: the autoscaler owns the count");
    let autoscaler = object(example, env, service, "HorizontalPodAutoscaler");
    assert_eq!(autoscaler["spec"]["scaleTargetRef"]["kind"], "Rollout");
    assert_eq!(autoscaler["spec"]["minReplicas"], replicas);
}

fn arg<'a>(analysis: &'a Value, name: &str) -> &'a Value {
    analysis["args"].as_array().unwrap().iter().find(|a| a["name"] == name).unwrap()
}

#[test]
fn seed_000_frontend_is_blue_green_with_manual_promotion_and_success_rate() {
    let rollout = rollout("kkp-website", "production", "kkp-frontend");
    assert_autoscaled_from(&rollout, "kkp-website", "production", "kkp-frontend", 3);
    let bg = &rollout["spec"]["strategy"]["blueGreen"];
    assert_eq!(bg["previewService"], "kkp-frontend-preview");
    assert_eq!(bg["autoPromotionEnabled"], false);
    assert_eq!(bg["scaleDownDelaySeconds"], 30);
    let pre = &bg["prePromotionAnalysis"];
    assert_eq!(pre["templates"], json!([{ "templateName": "success-rate" }]));
    assert_eq!(arg(pre, "service-name")["value"], "kkp-frontend");
    assert_eq!(arg(pre, "revision")["valueFrom"]["podTemplateHashValue"], "Latest", "only the preview pods");
}

#[test]
fn seed_000_api_is_a_canary_of_four_steps_with_background_success_rate() {
    let rollout = rollout("kkp-website", "production", "kkp-api");
    assert_autoscaled_from(&rollout, "kkp-website", "production", "kkp-api", 5);
    let canary = &rollout["spec"]["strategy"]["canary"];
    let mut expected = Vec::new();
    for weight in [20, 40, 60, 80] {
        expected.push(json!({ "setWeight": weight }));
        expected.push(json!({ "pause": { "duration": "10m" } }));
    }
    assert_eq!(canary["steps"], json!(expected));
    assert_eq!(canary["analysis"]["templates"], json!([{ "templateName": "success-rate" }]));
    assert_eq!(arg(&canary["analysis"], "service-name")["value"], "kkp-api");
    // Exposed through the ALB: exact weights, not replica counts.
    assert_eq!(canary["trafficRouting"]["alb"]["ingress"], "kkp-api");
    assert_eq!(canary["stableService"], "kkp-api");
    assert_eq!(canary["canaryService"], "kkp-api-canary");
}

#[test]
fn seed_001_canary_goes_5_25_100_and_rolls_back_on_its_own() {
    let rollout = rollout("ctoprojects", "prod", "app");
    let canary = &rollout["spec"]["strategy"]["canary"];
    let weights: Vec<i64> =
        canary["steps"].as_array().unwrap().iter().filter_map(|s| s["setWeight"].as_i64()).collect();
    // The last step completes the rollout: 100 % is the promotion after the steps.
    assert_eq!(weights, [5, 25]);
    let templates: Vec<&str> = canary["analysis"]["templates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["templateName"].as_str().unwrap())
        .collect();
    assert_eq!(templates, ["success-rate", "latency"], "a failed analysis aborts: automatic rollback");
    assert_eq!(rollout["spec"]["progressDeadlineAbort"], true, "a stuck rollout is aborted too");
    assert!(
        canary["steps"].as_array().unwrap().iter().any(|s| s["analysis"]["templates"][0]["templateName"] == "smoke")
    );
}
