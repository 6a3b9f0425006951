//! Cross-object consistency of every render: what one object names, another provides.

mod common;

use serde_json::Value;

fn objects(artifacts: &plinth_render::Artifacts, env: &str) -> Vec<Value> {
    let prefix = format!("environments/{env}/kubernetes/");
    artifacts
        .iter()
        .filter(|(path, _)| path.starts_with(&prefix) && !path.ends_with("kustomization.yaml"))
        .flat_map(|(_, text)| {
            text.split("\n---\n").map(|doc| serde_yaml_ng::from_str::<Value>(doc).unwrap()).collect::<Vec<_>>()
        })
        .collect()
}

fn of_kind<'a>(objects: &'a [Value], kind: &'a str) -> impl Iterator<Item = &'a Value> {
    objects.iter().filter(move |o| o["kind"] == kind)
}

fn selects(selector: &Value, labels: &Value) -> bool {
    selector.as_object().is_some_and(|s| s.iter().all(|(k, v)| &labels[k] == v))
}

fn container_ports(pod_spec: &Value) -> Vec<(String, i64)> {
    pod_spec["containers"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["ports"].as_array().cloned().unwrap_or_default())
        .map(|p| (p["name"].as_str().unwrap_or_default().to_owned(), p["containerPort"].as_i64().unwrap()))
        .collect()
}

#[test]
fn every_reference_resolves() {
    for (example, platforms) in common::all_specs() {
        let artifacts = plinth_render::render(&platforms);
        for platform in platforms.iter().filter(|p| p.environment.runtime == plinth_spec::model::Runtime::Kubernetes) {
            let env = &platform.environment.name;
            let objects = objects(&artifacts, env);
            let at = |what: &str| format!("{example}/{env}: {what}");
            let workloads: Vec<&Value> = objects
                .iter()
                .filter(|o| ["Deployment", "Rollout", "StatefulSet"].iter().any(|kind| o["kind"] == *kind))
                .collect();
            let config_maps: Vec<&str> =
                of_kind(&objects, "ConfigMap").map(|c| c["metadata"]["name"].as_str().unwrap()).collect();

            for service in of_kind(&objects, "Service").filter(|s| s["spec"]["type"] != "ExternalName") {
                let name = service["metadata"]["name"].as_str().unwrap();
                let pods: Vec<&Value> = workloads
                    .iter()
                    .filter(|w| selects(&service["spec"]["selector"], &w["spec"]["template"]["metadata"]["labels"]))
                    .copied()
                    .collect();
                assert!(!pods.is_empty(), "{}", at(&format!("Service {name} selects no pods")));
                for port in service["spec"]["ports"].as_array().unwrap() {
                    let target = port["targetPort"].as_str().unwrap();
                    for pod in &pods {
                        assert!(
                            container_ports(&pod["spec"]["template"]["spec"]).iter().any(|(n, _)| n == target),
                            "{}",
                            at(&format!("Service {name} targets missing port {target}"))
                        );
                    }
                }
            }
            for workload in &workloads {
                let spec = &workload["spec"]["template"]["spec"];
                for container in spec["containers"].as_array().unwrap() {
                    for source in container["envFrom"].as_array().into_iter().flatten() {
                        let name = source["configMapRef"]["name"].as_str().unwrap();
                        assert!(config_maps.contains(&name), "{}", at(&format!("ConfigMap {name} is missing")));
                    }
                }
                assert!(
                    selects(
                        &workload["spec"]["selector"]["matchLabels"],
                        &workload["spec"]["template"]["metadata"]["labels"]
                    ),
                    "{}",
                    at("a workload's selector misses its pods")
                );
            }
            for hpa in of_kind(&objects, "HorizontalPodAutoscaler") {
                let target = &hpa["spec"]["scaleTargetRef"];
                let found =
                    objects.iter().any(|o| o["kind"] == target["kind"] && o["metadata"]["name"] == target["name"]);
                assert!(found, "{}", at(&format!("HPA target {} is missing", target["name"])));
                let min = hpa["spec"]["minReplicas"].as_i64().unwrap();
                let pdb = of_kind(&objects, "PodDisruptionBudget")
                    .find(|p| p["metadata"]["name"] == hpa["metadata"]["name"])
                    .expect("a PDB per autoscaled service");
                if let Some(min_available) = pdb["spec"]["minAvailable"].as_i64() {
                    assert!(min_available < min, "{}", at("PDB minAvailable must stay below the HPA minimum"));
                }
            }
            // Pods also come from the Jobs analysis templates start (smoke checks).
            let analysis_jobs: Vec<Value> = of_kind(&objects, "AnalysisTemplate")
                .flat_map(|t| t["spec"]["metrics"].as_array().unwrap().iter())
                .filter(|m| !m["provider"]["job"].is_null())
                .map(|m| serde_json::json!({ "spec": { "template": m["provider"]["job"]["spec"]["template"] } }))
                .collect();
            for policy in of_kind(&objects, "NetworkPolicy") {
                let selector = &policy["spec"]["podSelector"]["matchLabels"];
                if selector.is_null() {
                    continue;
                }
                let pods: Vec<&Value> = workloads
                    .iter()
                    .copied()
                    .chain(analysis_jobs.iter())
                    .filter(|w| selects(selector, &w["spec"]["template"]["metadata"]["labels"]))
                    .collect();
                assert!(
                    !pods.is_empty(),
                    "{}",
                    at(&format!("NetworkPolicy {} selects nothing", policy["metadata"]["name"]))
                );
                for rule in policy["spec"]["ingress"].as_array().into_iter().flatten() {
                    for port in rule["ports"].as_array().into_iter().flatten() {
                        let number = port["port"].as_i64().unwrap();
                        for pod in &pods {
                            assert!(
                                container_ports(&pod["spec"]["template"]["spec"]).iter().any(|(_, n)| *n == number),
                                "{}",
                                at(&format!("NetworkPolicy port {number} is not a container port"))
                            );
                        }
                    }
                }
            }
            for ingress in of_kind(&objects, "Ingress") {
                for rule in ingress["spec"]["rules"].as_array().unwrap() {
                    for path in rule["http"]["paths"].as_array().unwrap() {
                        let backend = &path["backend"]["service"];
                        let service = of_kind(&objects, "Service")
                            .find(|s| s["metadata"]["name"] == backend["name"])
                            .unwrap_or_else(|| panic!("{}", at("Ingress backend Service is missing")));
                        // A canary split by the ALB routes through the action Argo Rollouts writes.
                        let split_by_argo = backend["port"]["name"] == "use-annotation"
                            && of_kind(&objects, "Rollout").any(|r| {
                                r["spec"]["strategy"]["canary"]["trafficRouting"]["alb"]["rootService"]
                                    == backend["name"]
                            });
                        assert!(
                            split_by_argo
                                || service["spec"]["ports"]
                                    .as_array()
                                    .unwrap()
                                    .iter()
                                    .any(|p| p["port"] == backend["port"]["number"]),
                            "{}",
                            at("Ingress backend port is missing")
                        );
                    }
                }
            }
            let kustomization: Value = serde_yaml_ng::from_str(
                artifacts.get(&format!("environments/{env}/kubernetes/kustomization.yaml")).unwrap(),
            )
            .unwrap();
            let listed: Vec<&str> =
                kustomization["resources"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
            let present: Vec<String> = artifacts
                .iter()
                .filter_map(|(path, _)| {
                    path.strip_prefix(&format!("environments/{env}/kubernetes/")).map(str::to_owned)
                })
                .filter(|name| name != "kustomization.yaml")
                .collect();
            let mut listed_sorted: Vec<String> = listed.iter().map(|s| (*s).to_owned()).collect();
            listed_sorted.sort();
            assert_eq!(listed_sorted, present, "{}", at("kustomization resources differ from the files"));
        }
    }
}

/// Calls `check` with a location prefix and the objects of every Kubernetes environment.
fn each_kubernetes_environment(check: impl Fn(&dyn Fn(&str) -> String, &[Value])) {
    for (example, platforms) in common::all_specs() {
        let artifacts = plinth_render::render(&platforms);
        for platform in platforms.iter().filter(|p| p.environment.runtime == plinth_spec::model::Runtime::Kubernetes) {
            let env = &platform.environment.name;
            let at = |what: &str| format!("{example}/{env}: {what}");
            check(&at, &objects(&artifacts, env));
        }
    }
}

fn named<'a>(objects: &'a [Value], kind: &str, name: &Value) -> Option<&'a Value> {
    objects.iter().find(|o| o["kind"] == kind && o["metadata"]["name"] == *name)
}

/// Every analysis a Rollout runs, wherever in its strategy it sits.
fn analyses(strategy: &Value) -> Vec<&Value> {
    let mut out: Vec<&Value> = ["prePromotionAnalysis", "postPromotionAnalysis"]
        .iter()
        .map(|key| &strategy["blueGreen"][key])
        .chain([&strategy["canary"]["analysis"]])
        .filter(|a| !a.is_null())
        .collect();
    for step in strategy["canary"]["steps"].as_array().into_iter().flatten() {
        if !step["analysis"].is_null() {
            out.push(&step["analysis"]);
        }
    }
    out
}

#[test]
fn rollouts_name_services_templates_and_ingresses_that_exist() {
    let rollouts = std::cell::Cell::new(0);
    each_kubernetes_environment(|at, objects| {
        for rollout in of_kind(objects, "Rollout") {
            rollouts.set(rollouts.get() + 1);
            let strategy = &rollout["spec"]["strategy"];
            let services = [
                &strategy["blueGreen"]["activeService"],
                &strategy["blueGreen"]["previewService"],
                &strategy["canary"]["canaryService"],
                &strategy["canary"]["stableService"],
            ];
            for name in services.into_iter().filter(|n| !n.is_null()) {
                let service = named(objects, "Service", name)
                    .unwrap_or_else(|| panic!("{}", at(&format!("Service {name} is missing"))));
                assert!(
                    selects(&service["spec"]["selector"], &rollout["spec"]["template"]["metadata"]["labels"]),
                    "{}",
                    at(&format!("Service {name} does not select the Rollout's pods"))
                );
            }
            for analysis in analyses(strategy) {
                for template in analysis["templates"].as_array().unwrap() {
                    let name = &template["templateName"];
                    let found = named(objects, "AnalysisTemplate", name)
                        .unwrap_or_else(|| panic!("{}", at(&format!("AnalysisTemplate {name} is missing"))));
                    // Every argument without a default is passed.
                    for arg in found["spec"]["args"].as_array().unwrap() {
                        if arg.get("value").is_none() {
                            assert!(
                                analysis["args"].as_array().unwrap().iter().any(|a| a["name"] == arg["name"]),
                                "{}",
                                at(&format!("{name} needs argument {}", arg["name"]))
                            );
                        }
                    }
                }
            }
            let routing = &strategy["canary"]["trafficRouting"];
            for ingress in [&routing["alb"]["ingress"], &routing["nginx"]["stableIngress"]] {
                if !ingress.is_null() {
                    assert!(
                        named(objects, "Ingress", ingress).is_some(),
                        "{}",
                        at(&format!("Ingress {ingress} is missing"))
                    );
                }
            }
        }
    });
    assert!(rollouts.get() > 0, "the examples render Rollouts");
}

#[test]
fn every_external_secret_key_is_consumed_and_every_secret_reference_is_provided() {
    each_kubernetes_environment(|at, objects| {
        let workloads: Vec<&Value> = objects
            .iter()
            .filter(|o| ["Deployment", "Rollout", "StatefulSet"].iter().any(|k| o["kind"] == *k))
            .collect();
        let references: Vec<(String, String)> = workloads
            .iter()
            .flat_map(|w| w["spec"]["template"]["spec"]["containers"].as_array().unwrap().iter())
            .flat_map(|c| c["env"].as_array().cloned().unwrap_or_default())
            .filter(|e| !e["valueFrom"]["secretKeyRef"].is_null())
            .map(|e| {
                let r = &e["valueFrom"]["secretKeyRef"];
                (r["name"].as_str().unwrap().to_owned(), r["key"].as_str().unwrap().to_owned())
            })
            .collect();
        let mut provided: Vec<(String, String)> = Vec::new();
        for external in of_kind(objects, "ExternalSecret") {
            let target = external["spec"]["target"]["name"].as_str().unwrap().to_owned();
            for data in external["spec"]["data"].as_array().unwrap() {
                let key = data["secretKey"].as_str().unwrap().to_owned();
                assert!(
                    references.contains(&(target.clone(), key.clone())),
                    "{}",
                    at(&format!("ExternalSecret {target} key {key} is consumed by no container"))
                );
                provided.push((target.clone(), key));
            }
            let store = &external["spec"]["secretStoreRef"]["name"];
            assert!(
                named(objects, "ClusterSecretStore", store).is_some(),
                "{}",
                at(&format!("store {store} is missing"))
            );
        }
        for (name, key) in &references {
            assert!(
                provided.contains(&(name.clone(), key.clone())),
                "{}",
                at(&format!("Secret {name} key {key} is provided by no ExternalSecret"))
            );
        }
    });
}
