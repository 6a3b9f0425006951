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
    for (example, platforms) in common::examples() {
        let artifacts = plinth_render::render(&platforms);
        for platform in platforms.iter().filter(|p| p.environment.runtime == plinth_spec::model::Runtime::Kubernetes) {
            let env = &platform.environment.name;
            let objects = objects(&artifacts, env);
            let at = |what: &str| format!("{example}/{env}: {what}");
            let workloads: Vec<&Value> = of_kind(&objects, "Deployment").collect();
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
            for policy in of_kind(&objects, "NetworkPolicy") {
                let selector = &policy["spec"]["podSelector"]["matchLabels"];
                if selector.is_null() {
                    continue;
                }
                let pods: Vec<&Value> = workloads
                    .iter()
                    .filter(|w| selects(selector, &w["spec"]["template"]["metadata"]["labels"]))
                    .copied()
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
                        assert!(
                            service["spec"]["ports"]
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
