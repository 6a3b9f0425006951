//! Seed 002's api-gateway, as its manifests describe it, comes out of the business-app example.

mod common;

use serde_json::Value;

fn documents(text: &str) -> Vec<Value> {
    text.split("\n---\n").map(|doc| serde_yaml_ng::from_str::<Value>(doc).unwrap()).collect()
}

fn find<'a>(docs: &'a [Value], kind: &str, name: &str) -> &'a Value {
    docs.iter()
        .find(|d| d["kind"] == kind && d["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name}"))
}

#[test]
fn api_gateway_matches_seed_002() {
    let (_, platforms) = common::examples().into_iter().find(|(name, _)| name == "business-app").unwrap();
    let artifacts = plinth_render::render(&platforms);
    let dir = "environments/production/kubernetes";
    let docs = documents(artifacts.get(&format!("{dir}/api-gateway.yaml")).unwrap());

    // Production deploys blue-green (§Blue-Green Deployment): an Argo Rollout with the pod template inline.
    let deployment = find(&docs, "Rollout", "api-gateway");
    // The seed's `replicas: 3` is the autoscaler's floor (below): the Rollout leaves the count to it.
    assert!(deployment["spec"].get("replicas").is_none(), "an apply would reset the autoscaler's count");
    let container = &deployment["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(container["image"], "ghcr.io/ashishnimrot/business/api-gateway");
    assert_eq!(container["ports"][0]["containerPort"], 3000);
    assert_eq!(container["ports"][0]["name"], "http");
    assert_eq!(container["resources"]["requests"]["cpu"], "100m");
    assert_eq!(container["resources"]["requests"]["memory"], "256Mi");
    assert_eq!(container["resources"]["limits"]["cpu"], "500m");
    assert_eq!(container["resources"]["limits"]["memory"], "512Mi");
    for (probe, delay, period) in [("livenessProbe", 30, 10), ("readinessProbe", 5, 5)] {
        assert_eq!(container[probe]["httpGet"]["path"], "/health");
        assert_eq!(container[probe]["httpGet"]["port"], "http", "the named port is 3000");
        assert_eq!(container[probe]["initialDelaySeconds"], delay);
        assert_eq!(container[probe]["periodSeconds"], period);
    }

    let hpa = find(&docs, "HorizontalPodAutoscaler", "api-gateway");
    assert_eq!(hpa["spec"]["minReplicas"], 3);
    assert_eq!(hpa["spec"]["maxReplicas"], 10);
    assert_eq!(hpa["spec"]["scaleTargetRef"]["kind"], "Rollout");
    assert_eq!(hpa["spec"]["scaleTargetRef"]["apiVersion"], "argoproj.io/v1alpha1");

    // §Blue-Green Deployment: green next to blue, smoke tests against green, then the selector switch
    // and the scale-down of blue.
    let blue_green = &deployment["spec"]["strategy"]["blueGreen"];
    assert_eq!(blue_green["activeService"], "api-gateway");
    assert_eq!(blue_green["previewService"], "api-gateway-preview");
    assert_eq!(blue_green["scaleDownDelaySeconds"], 30);
    let smoke = &blue_green["prePromotionAnalysis"];
    assert_eq!(smoke["templates"][0]["templateName"], "smoke");
    let args: Vec<(&str, &str)> = smoke["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["name"].as_str().unwrap(), a["value"].as_str().unwrap()))
        .collect();
    assert_eq!(
        args,
        [("base-url", "http://api-gateway-preview.business-app.svc:80"), ("checks", "GET /health")],
        "smoke checks run against the preview (green) Service"
    );
    find(&docs, "Service", "api-gateway-preview");
    let templates = documents(artifacts.get(&format!("{dir}/analysis-templates.yaml")).unwrap());
    find(&templates, "AnalysisTemplate", "smoke");
    let targets: Vec<(String, i64)> = hpa["spec"]["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["resource"]["name"].as_str().unwrap().to_owned(),
                m["resource"]["target"]["averageUtilization"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(targets, [("cpu".to_owned(), 70), ("memory".to_owned(), 80)]);

    let service = find(&docs, "Service", "api-gateway");
    assert_eq!(service["spec"]["ports"][0]["port"], 80);
    assert_eq!(service["spec"]["ports"][0]["targetPort"], "http");

    let ingress = &documents(artifacts.get(&format!("{dir}/ingress.yaml")).unwrap())[0];
    assert_eq!(ingress["spec"]["ingressClassName"], "alb");
    let annotations = &ingress["metadata"]["annotations"];
    assert_eq!(annotations["alb.ingress.kubernetes.io/scheme"], "internet-facing");
    assert_eq!(annotations["alb.ingress.kubernetes.io/target-type"], "ip");
    assert_eq!(annotations["alb.ingress.kubernetes.io/ssl-redirect"], "443");
    assert!(annotations["alb.ingress.kubernetes.io/listen-ports"].as_str().unwrap().contains(r#"{"HTTPS":443}"#));
    let rule = &ingress["spec"]["rules"][0];
    assert_eq!(rule["host"], "api.business-app.com");
    assert_eq!(rule["http"]["paths"][0]["path"], "/");
    assert_eq!(rule["http"]["paths"][0]["backend"]["service"]["name"], "api-gateway");
    assert_eq!(rule["http"]["paths"][0]["backend"]["service"]["port"]["number"], 80);
    assert_eq!(ingress["spec"]["tls"][0]["hosts"][0], "api.business-app.com");
}

/// Seed 002's three NetworkPolicies: default deny of ingress, the gateway reachable from the
/// ingress on 3000, and the backend services (3001–3004) reachable only from the gateway.
#[test]
fn network_policies_are_at_least_as_tight_as_seed_002() {
    let (_, platforms) = common::examples().into_iter().find(|(name, _)| name == "business-app").unwrap();
    let artifacts = plinth_render::render(&platforms);
    let dir = "environments/production/kubernetes";
    let baseline = documents(artifacts.get(&format!("{dir}/network-policies.yaml")).unwrap());
    let deny = find(&baseline, "NetworkPolicy", "default-deny");
    assert_eq!(deny["spec"]["podSelector"], serde_json::json!({}));
    assert_eq!(deny["spec"]["policyTypes"], serde_json::json!(["Ingress", "Egress"]));
    assert!(deny["spec"].get("ingress").is_none());

    let gateway = documents(artifacts.get(&format!("{dir}/api-gateway.yaml")).unwrap());
    let allow = find(&gateway, "NetworkPolicy", "allow-api-gateway");
    let from_edge = allow["spec"]["ingress"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["from"][0].get("ipBlock").is_some())
        .expect("the ALB may reach the gateway");
    assert_eq!(from_edge["ports"], serde_json::json!([{"port": 3000, "protocol": "TCP"}]));

    for (service, port) in
        [("auth-service", 3001), ("business-service", 3002), ("inventory-service", 3003), ("invoice-service", 3004)]
    {
        let docs = documents(artifacts.get(&format!("{dir}/{service}.yaml")).unwrap());
        let allow = find(&docs, "NetworkPolicy", &format!("allow-{service}"));
        let rules = allow["spec"]["ingress"].as_array().unwrap();
        // Besides the gateway, only the smoke-check Jobs of a blue-green deploy reach it, on its port.
        let smoke =
            serde_json::json!([{"podSelector": {"matchLabels": {"app.kubernetes.io/component": "smoke-check"}}}]);
        let (smoke_rules, app_rules): (Vec<&Value>, Vec<&Value>) =
            rules.iter().filter(|r| r["from"][0].get("podSelector").is_some()).partition(|r| r["from"] == smoke);
        assert!(smoke_rules.iter().all(|r| r["ports"] == serde_json::json!([{"port": port, "protocol": "TCP"}])));
        assert_eq!(app_rules.len(), 1, "{service}: only the gateway may call it");
        assert_eq!(app_rules[0]["from"], serde_json::json!([{"podSelector": {"matchLabels": {"app": "api-gateway"}}}]));
        assert_eq!(app_rules[0]["ports"], serde_json::json!([{"port": port, "protocol": "TCP"}]));
        // Nothing from outside the cluster reaches a backend service.
        assert!(rules.iter().all(|r| r["from"][0].get("ipBlock").is_none()), "{service} is not exposed");
    }
}
