//! Plans of the seeds' services and of each strategy's edge cases, built from small specs.

use plinth_spec::compile;
use plinth_spec::model::Service;

use super::*;

fn minutes(n: u64) -> Duration {
    Duration::from_secs(n * 60)
}

/// The service `name` of a one-environment spec whose `services:` block is `services`.
fn service(services: &str, name: &str) -> Service {
    let source = format!(
        "plinth: 1\nname: shop\ndomains: {{ www: www.example.com }}\nservices:\n{services}\nenvironments:\n  production: {{}}\n"
    );
    let compiled = compile(&source);
    assert!(!compiled.has_errors(), "{:#?}", compiled.diagnostics);
    compiled.platforms[0].service(name).expect("service").clone()
}

const SEED_000_API: &str = "  kkp-api:
    image: ghcr.io/kkp/api
    port: 3000
    replicas: 5
    autoscale: { min: 5, max: 15, cpu: 70% }
    expose: { domain: www, path: /api }
    delivery:
      strategy: canary
      steps:
        - weight: 20
        - pause: 10m
        - weight: 40
        - pause: 10m
        - weight: 60
        - pause: 10m
        - weight: 80
        - pause: 10m
      analysis:
        background: [success-rate]";

#[test]
fn seed_000_canary_takes_40_minutes_then_promotes() {
    let plan = plan(&service(SEED_000_API, "kkp-api"));
    assert_eq!(plan.strategy, Kind::Canary);
    assert!(plan.traffic_routing);
    assert_eq!(plan.max_surge, None, "surge does not apply with traffic routing");
    assert_eq!(plan.min_duration, minutes(40));
    assert_eq!(plan.manual_gates, 0);
    assert!(!plan.open_ended());
    assert_eq!(plan.progress_deadline, minutes(10));
    let weights: Vec<(u64, u32, u32, u32)> = plan
        .phases
        .iter()
        .filter_map(|p| match p.action {
            Action::SetWeight { weight, canary_pods, stable_pods } => {
                Some((p.start.seconds() / 60, weight, canary_pods, stable_pods))
            }
            _ => None,
        })
        .collect();
    assert_eq!(weights, [(0, 20, 1, 5), (10, 40, 2, 5), (20, 60, 3, 5), (30, 80, 4, 5)]);
    let last = plan.phases.last().unwrap();
    assert_eq!(last.start, minutes(40));
    assert_eq!(last.action, Action::Promote { pods: 5, scale_down_delay: Duration::from_secs(30) });
    let background = plan.background.as_ref().expect("background analysis");
    assert!(background.after_first_weight);
    assert_eq!(background.analysis.templates, ["success-rate"]);
    assert_eq!(background.analysis.measurements, None, "measures until the promotion");
    assert_eq!(background.analysis.interval, minutes(1));
    assert_eq!(background.analysis.failure_limit, 1);
    assert!(background.analysis.on_failure.contains("weight back to 0"));
    assert!(plan.on_failure.contains("traffic returns to the stable version"));
    assert!(plan.notes.iter().any(|n| n.contains("5..15")));
}

#[test]
fn seed_001_canary_5_then_25_with_smoke_checks() {
    let spec = "  app:
    image: ghcr.io/cto/app
    replicas: 3
    expose: { domain: www, path: / }
    delivery:
      strategy: canary
      steps:
        - weight: 5
        - pause: 10m
        - weight: 25
        - pause: 10m
      analysis:
        background: [success-rate, latency]
      smoke: [\"GET /health\"]";
    let plan = plan(&service(spec, "app"));
    assert_eq!(plan.min_duration, minutes(20));
    let kinds: Vec<&Action> = plan.phases.iter().map(|p| &p.action).collect();
    assert!(matches!(kinds[0], Action::SetWeight { weight: 5, canary_pods: 1, stable_pods: 3 }));
    match kinds[1] {
        Action::Analysis(run) => {
            assert_eq!(run.stage, Stage::Smoke);
            assert_eq!(run.templates, [SMOKE]);
            assert_eq!(run.smoke_checks, ["GET /health"]);
            assert_eq!(run.min_duration(), Duration(0));
        }
        other => panic!("smoke checks after the first weight, got {other:?}"),
    }
    assert_eq!(kinds[2], &Action::Pause { duration: Some(minutes(10)) });
    assert!(matches!(kinds[3], Action::SetWeight { weight: 25, canary_pods: 1, stable_pods: 3 }));
    assert_eq!(plan.phases[3].start, minutes(10));
    assert!(matches!(kinds[5], Action::Promote { pods: 3, .. }));
    assert_eq!(plan.phases[5].start, minutes(20));
    assert_eq!(plan.background.as_ref().unwrap().analysis.templates, ["success-rate", "latency"]);
}

#[test]
fn basic_canary_approximates_weights_with_pods() {
    let spec = "  worker:
    image: ghcr.io/x/worker
    replicas: 10
    delivery:
      strategy: canary
      max_surge: 0
      max_unavailable: 1
      steps:
        - weight: 41
        - pause: manual
        - analysis: [success-rate]";
    let plan = plan(&service(spec, "worker"));
    assert!(!plan.traffic_routing);
    assert_eq!((plan.max_surge, plan.max_unavailable), (Some(0), Some(1)));
    assert!(matches!(plan.phases[0].action, Action::SetWeight { weight: 41, canary_pods: 4, stable_pods: 6 }));
    assert_eq!(plan.phases[1].action, Action::Pause { duration: None });
    assert_eq!(plan.manual_gates, 1);
    assert!(plan.open_ended());
    assert_eq!(plan.phases[2].after_manual_gates, 1);
    // An inline analysis: 5 measurements a minute apart.
    assert_eq!(plan.phases[2].min_duration, minutes(4));
    assert_eq!(plan.min_duration, minutes(4));
    assert!(matches!(plan.phases[3].action, Action::Promote { pods: 10, scale_down_delay: Duration(0) }));
    assert!(plan.on_failure.contains("scales back to 10 pods"));
}

const SEED_000_FRONTEND: &str = "  kkp-frontend:
    image: ghcr.io/kkp/frontend
    port: 8080
    replicas: 3
    expose: { domain: www, path: / }
    delivery:
      strategy: blue-green
      auto_promote: false
      scale_down_delay: 30s
      analysis:
        pre_promotion: [success-rate]";

#[test]
fn blue_green_with_a_manual_gate_and_pre_promotion_analysis() {
    let plan = plan(&service(SEED_000_FRONTEND, "kkp-frontend"));
    assert_eq!(plan.strategy, Kind::BlueGreen);
    let actions: Vec<&Action> = plan.phases.iter().map(|p| &p.action).collect();
    assert_eq!(actions[0], &Action::ScalePreview { service: "kkp-frontend-preview".to_owned(), pods: 3 });
    match actions[1] {
        Action::Analysis(run) => {
            assert_eq!(run.stage, Stage::PrePromotion);
            assert_eq!(run.templates, ["success-rate"]);
            assert_eq!(run.measurements, Some(5));
            assert_eq!(run.interval, minutes(1));
            assert!(run.on_failure.contains("stays on the old version"));
        }
        other => panic!("pre-promotion analysis expected, got {other:?}"),
    }
    // 5 measurements at +0, +1m, … +4m.
    assert_eq!(plan.phases[1].min_duration, minutes(4));
    assert_eq!(actions[2], &Action::AwaitPromotion { after: None });
    assert_eq!(plan.phases[2].start, minutes(4));
    assert_eq!(actions[3], &Action::SwitchActive { service: "kkp-frontend".to_owned() });
    assert_eq!(plan.phases[3].after_manual_gates, 1);
    assert_eq!(actions[4], &Action::ScaleDownOld { pods: 3, delay: Duration::from_secs(30) });
    assert_eq!(plan.manual_gates, 1);
    assert_eq!(plan.min_duration, minutes(4));
    assert!(plan.on_failure.contains("old version"));
}

#[test]
fn blue_green_timed_promotion_smoke_and_post_promotion() {
    let spec = "  web:
    image: ghcr.io/x/web
    replicas: 2
    delivery:
      strategy: blue-green
      auto_promote_after: 2m
      smoke: [\"GET /health\"]
      analysis:
        post_promotion: [latency]
        count: 3
        interval: 30s";
    let plan = plan(&service(spec, "web"));
    let actions: Vec<&Action> = plan.phases.iter().map(|p| &p.action).collect();
    match actions[1] {
        Action::Analysis(run) => {
            assert_eq!(run.templates, [SMOKE]);
            assert_eq!(run.measurements, Some(0));
        }
        other => panic!("smoke checks before the promotion, got {other:?}"),
    }
    assert_eq!(actions[2], &Action::AwaitPromotion { after: Some(minutes(2)) });
    assert!(matches!(actions[3], Action::SwitchActive { .. }));
    match actions[4] {
        Action::Analysis(run) => {
            assert_eq!(run.stage, Stage::PostPromotion);
            assert!(run.on_failure.contains("switches back"));
        }
        other => panic!("post-promotion analysis expected, got {other:?}"),
    }
    // 2m promotion delay + 3 measurements 30s apart.
    assert_eq!(plan.min_duration, minutes(3));
    assert_eq!(plan.manual_gates, 0);
}

#[test]
fn blue_green_auto_promotion_has_no_gate() {
    let spec = "  web:
    image: ghcr.io/x/web
    replicas: 2
    delivery: { strategy: blue-green, auto_promote: true }";
    let plan = plan(&service(spec, "web"));
    assert!(!plan.phases.iter().any(|p| matches!(p.action, Action::AwaitPromotion { .. })));
    assert_eq!(plan.min_duration, Duration(0));
}

#[test]
fn rolling_10_replicas_surge_25_percent() {
    let spec = "  api:
    image: ghcr.io/x/api
    replicas: 10
    delivery: { strategy: rolling, max_surge: 25%, max_unavailable: 0 }";
    let plan = plan(&service(spec, "api"));
    assert_eq!(plan.strategy, Kind::Rolling);
    assert_eq!((plan.max_surge, plan.max_unavailable), (Some(3), Some(0)));
    let waves: Vec<(u32, u32, u32)> = plan
        .phases
        .iter()
        .map(|p| match p.action {
            Action::Wave { wave, new_pods, old_pods, max_pods, min_available, waves } => {
                assert_eq!((waves, max_pods, min_available), (4, 13, 10));
                (wave, new_pods, old_pods)
            }
            ref other => panic!("waves only, got {other:?}"),
        })
        .collect();
    assert_eq!(waves, [(1, 3, 7), (2, 6, 4), (3, 9, 1), (4, 10, 0)]);
    assert_eq!(plan.min_duration, Duration(0));
    assert!(plan.background.is_none());
    assert!(plan.on_failure.contains("no automatic rollback"));
}

#[test]
fn plans_serialize_with_kinds_and_seconds() {
    let plan = plan(&service(SEED_000_FRONTEND, "kkp-frontend"));
    let json = serde_json::to_string(&plan).unwrap();
    assert!(json.contains("\"kind\":\"scale-preview\""), "{json}");
    assert!(json.contains("\"kind\":\"await-promotion\",\"after_seconds\":null"), "{json}");
    assert!(json.contains("\"stage\":\"pre-promotion\""), "{json}");
    assert!(json.contains("\"min_duration_seconds\":240"), "{json}");
    assert!(json.contains("\"strategy\":\"blue-green\""), "{json}");
}
