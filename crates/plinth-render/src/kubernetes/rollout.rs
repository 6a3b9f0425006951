//! Argo Rollouts for services delivered blue-green or canary.
//!
//! The Rollout carries its pod template inline rather than pointing at a Deployment with
//! `workloadRef`: one object owns the pods (no zero-scaled Deployment to keep in step), the HPA
//! targets it directly, and policy tools see the full pod spec where they look for it.
//!
//! Blue-green: the service's own Service is the active one (callers and the ingress keep their
//! address) and `<service>-preview` selects the new version. Canary: `<service>-canary` selects the
//! new pods; when the service is exposed the ingress controller splits traffic by exact weights
//! (`<service>` becomes the stable Service), otherwise the split is approximated by replica counts.

use plinth_spec::model::{IngressClass, IntOrPercent, Platform, Service, Step, Strategy};
use serde_json::{Value, json};

use super::analysis::{SMOKE, go_duration};
use super::service::SERVICE_PORT;
use super::workload::{int_or_percent, pod_template, replicas, workload_meta};
use super::{selector, value};

/// The Service that selects the version under test: `-preview` (blue-green) or `-canary`.
pub fn test_service(svc: &Service) -> Option<String> {
    match svc.delivery.strategy {
        Strategy::Rolling => None,
        Strategy::BlueGreen => Some(format!("{}-preview", svc.name)),
        Strategy::Canary => Some(format!("{}-canary", svc.name)),
    }
}

/// Whether the ingress controller shifts this service's traffic by exact weights.
pub fn traffic_routed(svc: &Service) -> bool {
    svc.delivery.strategy == Strategy::Canary && !svc.expose.is_empty()
}

/// An analysis reference with the arguments every plinth template takes.
fn analysis(platform: &Platform, svc: &Service, names: &[String], background: bool) -> Value {
    let settings = &svc.delivery.analysis;
    let templates: Vec<Value> = names.iter().map(|name| json!({ "templateName": name })).collect();
    let mut args = Vec::new();
    if names.iter().any(|n| n != SMOKE) {
        args.extend([
            json!({ "name": "service-name", "value": svc.name }),
            json!({ "name": "revision", "valueFrom": { "podTemplateHashValue": "Latest" } }),
            json!({ "name": "interval", "value": go_duration(settings.interval) }),
            // A background analysis measures until the rollout ends.
            json!({ "name": "count", "value": if background { "0".to_owned() } else { settings.count.to_string() } }),
            json!({ "name": "failure-limit", "value": settings.failure_limit.to_string() }),
        ]);
    }
    if names.iter().any(|n| n == SMOKE) {
        let base = format!(
            "http://{}.{}.svc:{SERVICE_PORT}",
            test_service(svc).unwrap_or_else(|| svc.name.clone()),
            platform.kubernetes.namespace
        );
        args.push(json!({ "name": "base-url", "value": base }));
        args.push(json!({ "name": "checks", "value": svc.delivery.smoke.join(" ") }));
    }
    json!({ "templates": templates, "args": args })
}

fn with_smoke(svc: &Service, names: &[String]) -> Vec<String> {
    let mut names = names.to_vec();
    if !svc.delivery.smoke.is_empty() {
        names.insert(0, SMOKE.to_owned());
    }
    names
}

fn blue_green(platform: &Platform, svc: &Service) -> Value {
    let delivery = &svc.delivery;
    let mut strategy = json!({
        "activeService": svc.name,
        "previewService": test_service(svc),
        "autoPromotionEnabled": delivery.auto_promote || delivery.auto_promote_after.is_some(),
        "scaleDownDelaySeconds": delivery.scale_down_delay.seconds(),
    });
    if let Some(after) = delivery.auto_promote_after {
        strategy["autoPromotionSeconds"] = json!(after.seconds());
    }
    let pre = with_smoke(svc, &delivery.analysis.pre_promotion);
    if !pre.is_empty() {
        strategy["prePromotionAnalysis"] = analysis(platform, svc, &pre, false);
    }
    if !delivery.analysis.post_promotion.is_empty() {
        strategy["postPromotionAnalysis"] = analysis(platform, svc, &delivery.analysis.post_promotion, false);
    }
    json!({ "blueGreen": strategy })
}

fn canary(platform: &Platform, svc: &Service) -> Value {
    let delivery = &svc.delivery;
    let mut steps: Vec<Value> = Vec::new();
    let first_weight = delivery.first_weight_step();
    for (idx, step) in delivery.steps.iter().enumerate() {
        steps.push(match step {
            Step::Weight(weight) => json!({ "setWeight": weight }),
            Step::Pause(Some(duration)) => json!({ "pause": { "duration": go_duration(*duration) } }),
            Step::Pause(None) => json!({ "pause": {} }),
            Step::Analysis(names) => json!({ "analysis": analysis(platform, svc, names, false) }),
        });
        // Smoke checks run once the first canary pods take traffic.
        if Some(idx) == first_weight && !delivery.smoke.is_empty() {
            steps.push(json!({ "analysis": analysis(platform, svc, &[SMOKE.to_owned()], false) }));
        }
    }
    let surge = |value: IntOrPercent| serde_json::to_value(int_or_percent(value)).expect("serializes");
    let mut strategy = json!({
        "canaryService": test_service(svc),
        "maxSurge": surge(delivery.max_surge),
        "maxUnavailable": surge(delivery.max_unavailable),
        "steps": steps,
    });
    if !delivery.analysis.background.is_empty() {
        let mut background = analysis(platform, svc, &delivery.analysis.background, true);
        // Measure once the canary takes traffic: after the first step that sets a weight (the
        // smoke step is inserted after it, so the rendered index is the same).
        if let Some(first) = first_weight {
            background["startingStep"] = json!(first + 1);
        }
        strategy["analysis"] = background;
    }
    if traffic_routed(svc) {
        strategy["stableService"] = json!(svc.name);
        strategy["trafficRouting"] = match platform.kubernetes.ingress {
            IngressClass::Alb => json!({ "alb": {
                "ingress": svc.name,
                "rootService": svc.name,
                "servicePort": SERVICE_PORT,
            }}),
            IngressClass::Nginx => json!({ "nginx": { "stableIngress": svc.name } }),
        };
    }
    json!({ "canary": strategy })
}

/// The Rollout of a blue-green or canary service.
pub fn object(platform: &Platform, svc: &Service) -> Value {
    let delivery = &svc.delivery;
    let strategy = match delivery.strategy {
        Strategy::BlueGreen => blue_green(platform, svc),
        _ => canary(platform, svc),
    };
    let mut rollout = json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": value(&workload_meta(platform, svc, "Rollout")),
        "spec": {
            "revisionHistoryLimit": 10,
            "selector": { "matchLabels": selector(svc) },
            "template": value(&pod_template(platform, svc)),
            "strategy": strategy,
            "progressDeadlineSeconds": delivery.progress_deadline.seconds(),
            // A rollout that stops making progress is aborted: traffic returns to the stable version.
            "progressDeadlineAbort": true,
        },
    });
    if let (Some(replicas), Some(spec)) = (replicas(svc), rollout["spec"].as_object_mut()) {
        spec.shift_insert(0, "replicas".to_owned(), json!(replicas));
    }
    if delivery.rollback_window > 0 {
        rollout["spec"]["rollbackWindow"] = json!({ "revisions": delivery.rollback_window });
    }
    rollout
}
