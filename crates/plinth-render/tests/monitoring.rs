//! The monitoring backend, proven by the tools that consume it, on every example and variant and
//! every environment: `promtool check config` (which also checks the rule files it globs),
//! `promtool check rules`, `promtool test rules` on the generated unit tests (every alert name
//! fires under its synthetic series and stays quiet under the others; moving a threshold breaks
//! them), `amtool check-config`, and `amtool config routes test` for every severity and escalation
//! step. The PrometheusRule and ServiceMonitors are checked against their CRDs by `crds.rs`.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use plinth_spec::alerting::{AlertSeverity, alerts};
use plinth_spec::model::{Platform, Runtime};
use plinth_spec::telemetry::{LOCAL_TARGETS, REVISION_LABEL, SERVICE_LABEL};
use serde_json::Value;

/// Runs `tool args…` in `dir`; `Err` with its output when it fails.
fn run(tool: &Path, dir: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new(tool).current_dir(dir).args(args).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    if output.status.success() { Ok(text) } else { Err(text) }
}

/// Every rendered environment: `(spec name, platform, its monitoring directory)`.
fn environments(root: &Path) -> Vec<(String, Platform, PathBuf)> {
    common::render_all_to(root);
    let mut out = Vec::new();
    for (name, platforms) in common::all_specs() {
        for platform in platforms {
            let dir = root.join(&name).join("environments").join(&platform.environment.name).join("monitoring");
            assert!(dir.join("prometheus.yml").is_file(), "{}: no prometheus.yml", dir.display());
            out.push((name.clone(), platform, dir));
        }
    }
    out
}

fn yaml(path: &Path) -> Value {
    serde_yaml_ng::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// `promtool check config`. Debian's promtool is built without Kubernetes service discovery, so
/// where it rejects `kubernetes_sd_configs` the file is checked again without those blocks and the
/// service-account files that exist only inside a pod (every other part, relabelling, rule files
/// and Alertmanager included, is still checked), loudly.
fn check_config(promtool: &Path, dir: &Path) -> Result<String, String> {
    match run(promtool, dir, &["check", "config", "prometheus.yml"]) {
        Err(out) if out.contains("field kubernetes_sd_configs not found") => {
            let mut config = yaml(&dir.join("prometheus.yml"));
            for job in config["scrape_configs"].as_array_mut().unwrap() {
                let job = job.as_object_mut().unwrap();
                if job.remove("kubernetes_sd_configs").is_some() {
                    // The service-account files exist only inside the pod.
                    job.remove("tls_config");
                    job.remove("authorization");
                }
            }
            std::fs::write(
                dir.join("prometheus-without-kubernetes-sd.yml"),
                serde_yaml_ng::to_string(&config).unwrap(),
            )
            .unwrap();
            eprintln!(
                "NOTE: {}: this promtool has no Kubernetes service discovery; checked without kubernetes_sd_configs and the in-pod credential files",
                dir.display()
            );
            run(promtool, dir, &["check", "config", "prometheus-without-kubernetes-sd.yml"])
        }
        other => other,
    }
}

#[test]
fn promtool_checks_the_configuration_and_rules_and_passes_the_generated_unit_tests() {
    let Some(promtool) = common::tool("promtool") else { return };
    let root = tempfile::tempdir().unwrap();
    let environments = environments(root.path());
    // Two at a time: the burn-rate unit tests simulate hours of samples.
    let failures: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = environments
            .chunks(environments.len().div_ceil(2))
            .map(|chunk| {
                scope.spawn(|| chunk.iter().flat_map(|env| promtool_failures(&promtool, env)).collect::<Vec<_>>())
            })
            .collect();
        workers.into_iter().flat_map(|worker| worker.join().unwrap()).collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// What promtool finds wrong with one environment's monitoring directory.
fn promtool_failures(promtool: &Path, (name, platform, dir): &(String, Platform, PathBuf)) -> Vec<String> {
    let mut failures = Vec::new();
    let env = &platform.environment.name;
    if let Err(out) = check_config(promtool, dir) {
        failures.push(format!("{name}/{env}: promtool check config:\n{out}"));
    }
    let mut rule_files: Vec<String> = std::fs::read_dir(dir.join("rules"))
        .unwrap()
        .map(|e| format!("rules/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    rule_files.sort();
    let mut args = vec!["check", "rules"];
    args.extend(rule_files.iter().map(String::as_str));
    if let Err(out) = run(promtool, dir, &args) {
        failures.push(format!("{name}/{env}: promtool check rules:\n{out}"));
    }
    if let Err(out) = run(promtool, dir, &["test", "rules", "tests/alerts.yml"]) {
        failures.push(format!("{name}/{env}: promtool test rules:\n{out}"));
    }
    // Every alert name has a case where it fires and (but the Watchdog) one where it does not.
    let tests = yaml(&dir.join("tests/alerts.yml"));
    let mut firing = BTreeSet::new();
    let mut quiet = BTreeSet::new();
    for group in tests["tests"].as_array().unwrap() {
        for case in group["alert_rule_test"].as_array().unwrap() {
            let alert = case["alertname"].as_str().unwrap().to_owned();
            if case["exp_alerts"].as_array().unwrap().is_empty() {
                quiet.insert(alert)
            } else {
                firing.insert(alert)
            };
        }
    }
    for alert in alerts(platform) {
        if !firing.contains(&alert.name) || (alert.name != "Watchdog" && !quiet.contains(&alert.name)) {
            failures.push(format!("{name}/{env}: {} lacks a firing or a quiet unit test", alert.name));
        }
    }
    failures
}

#[test]
fn a_moved_threshold_fails_the_unit_tests() {
    let Some(promtool) = common::tool("promtool") else { return };
    let root = tempfile::tempdir().unwrap();
    let (_, _, dir) = environments(root.path())
        .into_iter()
        .find(|(_, p, _)| p.environment.runtime == Runtime::Kubernetes && p.observability.availability.is_some())
        .expect("an environment with an availability objective");
    for (file, from, to) in [("services", "> 0.05\n", "> 0.07\n"), ("slo", "> 0.0144 and", "> 0.0155 and")] {
        let path = std::fs::read_dir(dir.join("rules"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.to_string_lossy().ends_with(&format!("-{file}.yml")))
            .unwrap();
        let original = std::fs::read_to_string(&path).unwrap();
        assert!(original.contains(from), "{}: no `{from}` to move", path.display());
        std::fs::write(&path, original.replace(from, to)).unwrap();
        let out = run(&promtool, &dir, &["test", "rules", "tests/alerts.yml"]);
        assert!(out.is_err(), "moving `{from}` to `{to}` in {} went unnoticed: {out:?}", path.display());
        std::fs::write(&path, original).unwrap();
    }
}

/// The receivers an alert with `severity` must reach, from the model.
fn expected_receivers(platform: &Platform, severity: AlertSeverity) -> Vec<String> {
    let obs = &platform.observability;
    let channels = match severity {
        AlertSeverity::Critical => &obs.critical,
        AlertSeverity::Warning => &obs.warning,
        AlertSeverity::Info => &obs.info,
    };
    let mut receivers = vec![if channels.is_empty() { "null".to_owned() } else { severity.as_str().to_owned() }];
    if severity == AlertSeverity::Critical {
        receivers.extend(
            obs.escalation.iter().enumerate().map(|(idx, (_, channel))| format!("escalation-{}-{channel}", idx + 1)),
        );
    }
    receivers
}

#[test]
fn alertmanager_checks_and_routes_every_severity_to_its_channels() {
    let Some(amtool) = common::tool("amtool") else { return };
    let root = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut escalations = 0;
    for (name, platform, dir) in environments(root.path()) {
        let env = &platform.environment.name;
        if let Err(out) = run(&amtool, &dir, &["check-config", "alertmanager.yml"]) {
            failures.push(format!("{name}/{env}: amtool check-config:\n{out}"));
        }
        let mut cases: Vec<(Vec<String>, String)> = AlertSeverity::ALL
            .iter()
            .map(|&severity| {
                let labels = vec![
                    format!("severity={}", severity.as_str()),
                    "alertname=HighErrorRate".to_owned(),
                    "service=api".to_owned(),
                ];
                (labels, expected_receivers(&platform, severity).join(","))
            })
            .collect();
        cases.push((vec!["alertname=Watchdog".to_owned(), "severity=info".to_owned()], "null".to_owned()));
        escalations += platform.observability.escalation.len();
        for (labels, receivers) in cases {
            let verify = format!("--verify.receivers={receivers}");
            let mut args = vec!["config", "routes", "test", "--config.file=alertmanager.yml", verify.as_str()];
            args.extend(labels.iter().map(String::as_str));
            if let Err(out) = run(&amtool, &dir, &args) {
                failures.push(format!("{name}/{env}: {labels:?} should reach {receivers}:\n{out}"));
            }
        }
        // Each severity receiver holds exactly its channels, credentials by file named after the secret.
        let config = yaml(&dir.join("alertmanager.yml"));
        for severity in AlertSeverity::ALL {
            let Some(receiver) =
                config["receivers"].as_array().unwrap().iter().find(|r| r["name"] == severity.as_str())
            else {
                continue;
            };
            let channels = expected_channel_count(&platform, severity);
            let configured: usize = ["slack_configs", "pagerduty_configs", "email_configs"]
                .iter()
                .filter_map(|k| receiver[k].as_array())
                .map(Vec::len)
                .sum();
            if configured != channels {
                failures.push(format!(
                    "{name}/{env}: receiver {} has {configured} integrations, not {channels}",
                    severity.as_str()
                ));
            }
        }
        for channel in platform.observability.channels.values() {
            if let Some(secret) = &channel.secret {
                let text = std::fs::read_to_string(dir.join("alertmanager.yml")).unwrap();
                if !text.contains(&format!("/etc/alertmanager/secrets/{secret}\n")) {
                    failures.push(format!("{name}/{env}: secret {secret} is not read from its file"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(escalations > 0, "no example escalates: the escalation routes went untested");
}

fn expected_channel_count(platform: &Platform, severity: AlertSeverity) -> usize {
    let obs = &platform.observability;
    match severity {
        AlertSeverity::Critical => obs.critical.len(),
        AlertSeverity::Warning => obs.warning.len(),
        AlertSeverity::Info => obs.info.len(),
    }
}

#[test]
fn retention_storage_and_scraping_follow_the_spec_and_the_metrics_contract() {
    for (name, platforms) in common::all_specs() {
        let artifacts = plinth_render::render(&platforms);
        for platform in &platforms {
            let dir = format!("environments/{}/monitoring", platform.environment.name);
            let obs = &platform.observability;
            let flags = artifacts.get(&format!("{dir}/prometheus.args")).unwrap();
            assert!(flags.contains(&format!("--storage.tsdb.retention.time={}\n", obs.retention)), "{name}: {flags}");
            let size = flags.lines().find_map(|l| l.strip_prefix("--storage.tsdb.retention.size=")).unwrap();
            let gib: u64 = size.strip_suffix("GB").unwrap().parse().unwrap();
            assert_eq!(gib, obs.storage.gib() * 9 / 10, "{name}: {size} for {}", obs.storage);

            let config: Value =
                serde_yaml_ng::from_str(artifacts.get(&format!("{dir}/prometheus.yml")).unwrap()).unwrap();
            assert_eq!(config["global"]["scrape_interval"], obs.scrape_interval.to_string());
            assert_eq!(config["global"]["evaluation_interval"], obs.scrape_interval.to_string());
            let jobs = config["scrape_configs"].as_array().unwrap();
            match platform.environment.runtime {
                Runtime::Kubernetes => {
                    let pods = jobs.iter().find(|j| j["job_name"] == "kubernetes-pods").unwrap();
                    let targets: Vec<(&str, &str)> = pods["relabel_configs"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter_map(|r| Some((r["source_labels"][0].as_str()?, r["target_label"].as_str()?)))
                        .collect();
                    assert!(targets.contains(&("__meta_kubernetes_pod_label_app", SERVICE_LABEL)), "{targets:?}");
                    assert!(
                        targets.contains(&("__meta_kubernetes_pod_label_rollouts_pod_template_hash", REVISION_LABEL)),
                        "{targets:?}"
                    );
                    // The ServiceMonitors relabel the same way, on the service's own Service only.
                    let monitors = artifacts
                        .get(&format!("environments/{}/kubernetes/monitoring.yaml", platform.environment.name));
                    let monitors = common::yaml_documents("monitoring.yaml", monitors.unwrap());
                    for svc in &platform.services {
                        let (_, monitor) = monitors
                            .iter()
                            .find(|(_, o)| o["kind"] == "ServiceMonitor" && o["metadata"]["name"] == svc.name.as_str())
                            .unwrap_or_else(|| panic!("{name}: no ServiceMonitor for {}", svc.name));
                        let relabelings = &monitor["spec"]["endpoints"][0]["relabelings"];
                        assert_eq!(relabelings[0]["regex"], svc.name.as_str());
                        assert_eq!(relabelings[1]["targetLabel"], SERVICE_LABEL);
                        assert_eq!(relabelings[2]["targetLabel"], REVISION_LABEL);
                    }
                }
                Runtime::Local => {
                    let local = jobs.iter().find(|j| j["job_name"] == "plinth-services").unwrap();
                    assert_eq!(local["file_sd_configs"][0]["files"][0], LOCAL_TARGETS);
                }
            }
        }
    }
}
