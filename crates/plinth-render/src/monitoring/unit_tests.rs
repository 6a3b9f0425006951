//! Generated `promtool test rules` unit tests: for every alert name, synthetic series just past its
//! threshold (every rule of that name fires, with the labels and annotations it must carry) and just
//! short of it (none fires). The inputs are computed from the same thresholds as the rules, so the
//! tests stay meaningful when a threshold changes; `ErrorBudgetBurn` is tested at both sides of
//! every window pair's threshold, which also proves the pairs with lower thresholds fire and the
//! higher ones do not.

use std::collections::BTreeMap;

use plinth_spec::alerting::{
    Alert, BACKUP_GRACE, ERROR_RATE, PROMETHEUS_STORAGE, Rule, SATURATION, burn_rules, datastore_rpo,
    latency_threshold, number, rule_groups,
};
use plinth_spec::model::{Engine, Hosting, Platform, Runtime, Service};
use plinth_spec::telemetry::{
    BACKUP_LAST_SUCCESS, DATASTORE_LABEL, DURATION, POSTGRES_UP, REDIS_UP, REQUESTS, SERVICE_LABEL,
};
use plinth_spec::units::Duration;
use serde::Serialize;
use serde_json::Value;

type Labels = BTreeMap<String, String>;

#[derive(Serialize)]
struct TestFile {
    rule_files: Vec<String>,
    evaluation_interval: String,
    tests: Vec<TestGroup>,
}

#[derive(Serialize)]
struct TestGroup {
    interval: String,
    input_series: Vec<Series>,
    alert_rule_test: Vec<AlertTest>,
}

#[derive(Serialize)]
struct Series {
    series: String,
    values: String,
}

#[derive(Serialize)]
struct AlertTest {
    eval_time: String,
    alertname: String,
    exp_alerts: Vec<Expected>,
}

#[derive(Serialize)]
struct Expected {
    exp_labels: Labels,
    exp_annotations: Labels,
}

/// Samples are a minute apart, and rules are evaluated every minute.
const STEP: Duration = Duration(60_000);
/// Requests per minute of the synthetic traffic: fine enough for a 99.99 % objective's thresholds.
const REQUESTS_PER_STEP: f64 = 1_000_000.0;

/// The unit-test file for `platform`'s rules (`rule_files` relative to the test file).
pub fn file(platform: &Platform, rule_files: &[String]) -> Value {
    let mut by_name: BTreeMap<String, Vec<Alert>> = BTreeMap::new();
    for group in rule_groups(platform) {
        for rule in group.rules {
            if let Rule::Alert(alert) = rule {
                by_name.entry(alert.name.clone()).or_default().push(alert);
            }
        }
    }
    let tests = by_name.iter().flat_map(|(name, rules)| groups(platform, name, rules)).collect();
    let file = TestFile { rule_files: rule_files.to_vec(), evaluation_interval: STEP.to_string(), tests };
    serde_json::to_value(file).expect("unit tests serialize")
}

/// The test groups for the rules called `name`.
fn groups(platform: &Platform, name: &str, rules: &[Alert]) -> Vec<TestGroup> {
    let minutes = |m: u64| Duration(m * 60_000);
    let pod = |svc: &Service| format!("{}-5d8f7c9b4-x2x7q", svc.name);
    let namespace = platform.kubernetes.namespace.as_str();
    match name {
        "HighErrorRate" => hot_and_cold(name, rules, minutes(10), |alert, hot| {
            let ratio = if hot { ERROR_RATE * 1.2 } else { ERROR_RATE * 0.8 };
            (requests(service_of(alert), (ratio * REQUESTS_PER_STEP).round()), Labels::new())
        }),
        "HighLatency" => hot_and_cold(name, rules, minutes(10), |alert, hot| {
            (latency(service_of(alert), latency_threshold(platform), hot), Labels::new())
        }),
        "PodNotReady" => hot_and_cold(name, rules, minutes(10), |alert, hot| {
            let svc = platform.service(service_of(alert)).expect("alerts name services");
            let extra = labels(&[("namespace", namespace), ("pod", &pod(svc)), ("condition", "false")]);
            let ready = |pod: &str, value: f64| {
                series(
                    "kube_pod_status_ready",
                    &labels(&[("namespace", namespace), ("pod", pod), ("condition", "false")]),
                    constant(value),
                )
            };
            if hot {
                (vec![ready(&pod(svc), 1.0)], extra)
            } else {
                // A StatefulSet pod whose name starts like the service's is not one of its pods.
                (vec![ready(&pod(svc), 0.0), ready(&format!("{}-0", svc.name), 1.0)], extra)
            }
        }),
        "ServiceDown" => hot_and_cold(name, rules, minutes(10), |alert, hot| {
            let svc = platform.service(service_of(alert)).expect("alerts name services");
            let target = local_target(svc);
            (vec![series("up", &target, constant(if hot { 0.0 } else { 1.0 }))], target)
        }),
        "MemorySaturation" => hot_and_cold(name, rules, minutes(20), |alert, hot| {
            let svc = platform.service(service_of(alert)).expect("alerts name services");
            let used = svc.memory.high.0 as f64 * SATURATION * if hot { 1.05 } else { 0.95 };
            match platform.environment.runtime {
                Runtime::Kubernetes => {
                    let extra = labels(&[("namespace", namespace), ("pod", &pod(svc))]);
                    let mut series_labels = extra.clone();
                    series_labels.insert("container".to_owned(), svc.name.clone());
                    (vec![series("container_memory_working_set_bytes", &series_labels, constant(used))], extra)
                }
                Runtime::Local => {
                    let target = local_target(svc);
                    (vec![series("process_resident_memory_bytes", &target, constant(used))], target)
                }
            }
        }),
        "ErrorBudgetBurn" => error_budget_burn(platform, rules),
        "DatabaseConnectionFailed" | "RedisDown" => hot_and_cold(name, rules, minutes(5), |alert, hot| {
            let target = exporter_target(platform, datastore_of(alert));
            let metric = exporter_metric(platform, datastore_of(alert));
            (vec![series(metric, &target, constant(if hot { 0.0 } else { 1.0 }))], target)
        }),
        "DatastoreExporterAbsent" => hot_and_cold(name, rules, minutes(20), |alert, hot| {
            let target = exporter_target(platform, datastore_of(alert));
            let metric = exporter_metric(platform, datastore_of(alert));
            (if hot { Vec::new() } else { vec![series(metric, &target, constant(1.0))] }, Labels::new())
        }),
        "BackupTooOld" => rules
            .iter()
            .flat_map(|alert| {
                let datastore = platform.datastore(datastore_of(alert)).expect("alerts name datastores");
                let rpo = datastore_rpo(platform, datastore);
                let eval = Duration(rpo.0 + BACKUP_GRACE.0 + minutes(10).0);
                let only = labels(&[(DATASTORE_LABEL, &datastore.name)]);
                // Last success at time 0 (as old as the evaluation time), or half an RPO ago.
                hot_and_cold(name, std::slice::from_ref(alert), eval, |_, hot| {
                    let at = if hot { 0.0 } else { (eval.0 - rpo.0 / 2) as f64 / 1000.0 };
                    (vec![series(BACKUP_LAST_SUCCESS, &only, constant(at))], Labels::new())
                })
            })
            .collect(),
        "CertificateExpiringSoon" => hot_and_cold(name, rules, minutes(120), |_, hot| {
            let renew = platform.tls.renew_before.0;
            let left = if hot { renew / 4 } else { renew };
            let expiry = (minutes(120).0 + left) as f64 / 1000.0;
            let certificate = labels(&[("namespace", namespace), ("name", &format!("{}-tls", platform.name))]);
            (
                vec![series("certmanager_certificate_expiration_timestamp_seconds", &certificate, constant(expiry))],
                certificate,
            )
        }),
        "VolumeFillingUp" => hot_and_cold(name, rules, minutes(20), |_, hot| {
            let datastore = platform
                .datastores
                .iter()
                .find(|d| d.hosting == Hosting::Cluster)
                .expect("the alert exists for in-cluster datastores");
            let claim =
                labels(&[("namespace", namespace), ("persistentvolumeclaim", &format!("data-{}-0", datastore.name))]);
            let capacity = datastore.storage.low.0 as f64;
            let free = capacity * (1.0 - SATURATION) * if hot { 0.5 } else { 2.0 };
            (
                vec![
                    series("kubelet_volume_stats_capacity_bytes", &claim, constant(capacity)),
                    series("kubelet_volume_stats_available_bytes", &claim, constant(free)),
                ],
                claim,
            )
        }),
        "PrometheusStorageFull" => hot_and_cold(name, rules, minutes(20), |_, hot| {
            let target = labels(&[("job", "prometheus"), ("instance", "localhost:9090")]);
            let used = platform.observability.storage.0 as f64 * PROMETHEUS_STORAGE;
            (
                vec![
                    series(
                        "prometheus_tsdb_storage_blocks_bytes",
                        &target,
                        constant(used * if hot { 0.9 } else { 0.5 }),
                    ),
                    series(
                        "prometheus_tsdb_wal_storage_size_bytes",
                        &target,
                        constant(used * if hot { 0.2 } else { 0.1 }),
                    ),
                ],
                target,
            )
        }),
        // Always firing: there is no input under which it stays quiet.
        "Watchdog" => {
            vec![group(minutes(1), Vec::new(), name, rules.iter().map(|a| expected(a, &Labels::new())).collect())]
        }
        _ => Vec::new(),
    }
}

/// Two groups: under the `hot` series every rule fires (with the series' labels `extra` on top of
/// its own), under the cold ones none does.
fn hot_and_cold(
    name: &str,
    rules: &[Alert],
    eval: Duration,
    input: impl Fn(&Alert, bool) -> (Vec<Series>, Labels),
) -> Vec<TestGroup> {
    let mut hot_series = Vec::new();
    let mut firing = Vec::new();
    let mut cold_series = Vec::new();
    for alert in rules {
        let (series, extra) = input(alert, true);
        hot_series.extend(series);
        firing.push(expected(alert, &extra));
        cold_series.extend(input(alert, false).0);
    }
    vec![group(eval, hot_series, name, firing), group(eval, cold_series, name, Vec::new())]
}

/// For each window pair, a 5xx ratio 5 % above and 5 % below its threshold, held from the start:
/// every pair whose threshold is below the ratio fires once its `for` has passed. The rules are the
/// same for every service, so the first one's stand for all (the runs are hours of samples).
fn error_budget_burn(platform: &Platform, rules: &[Alert]) -> Vec<TestGroup> {
    let burns = burn_rules(platform);
    let longest_for = burns.iter().map(|b| b.window.for_.0).max().unwrap_or(0);
    let eval = Duration(longest_for + 900_000);
    let Some(svc) = rules.first().and_then(|alert| alert.service.clone()) else { return Vec::new() };
    let mut groups = Vec::new();
    for burn in &burns {
        for target in [burn.threshold * 1.05, burn.threshold * 0.95] {
            let target = target.min((1.0 + burn.threshold) / 2.0);
            let errors = (target * REQUESTS_PER_STEP).round();
            let ratio = errors / REQUESTS_PER_STEP;
            let input = requests(&svc, errors);
            let firing = rules
                .iter()
                .filter(|alert| alert.service.as_ref() == Some(&svc))
                .filter(|alert| {
                    burns
                        .iter()
                        .any(|b| alert.labels.get("long") == Some(&b.window.long.to_string()) && b.threshold < ratio)
                })
                .map(|alert| expected(alert, &Labels::new()))
                .collect();
            groups.push(group(eval, input, "ErrorBudgetBurn", firing));
        }
    }
    groups
}

fn group(eval: Duration, mut input_series: Vec<Series>, alertname: &str, exp_alerts: Vec<Expected>) -> TestGroup {
    if input_series.is_empty() {
        // promtool wants input; an unrelated series changes nothing.
        input_series.push(series("plinth_test_placeholder", &Labels::new(), constant(1.0)));
    }
    for series in &mut input_series {
        series.values = series.values.replace("{steps}", &steps(eval).to_string());
    }
    TestGroup {
        interval: STEP.to_string(),
        input_series,
        alert_rule_test: vec![AlertTest { eval_time: eval.to_string(), alertname: alertname.to_owned(), exp_alerts }],
    }
}

fn expected(alert: &Alert, extra: &Labels) -> Expected {
    let mut exp_labels = alert.all_labels();
    exp_labels.extend(extra.clone());
    Expected { exp_labels, exp_annotations: alert.annotations() }
}

/// Samples from time zero to a few steps past `eval`.
fn steps(eval: Duration) -> u64 {
    eval.0 / STEP.0 + 5
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn series(metric: &str, labels: &Labels, values: String) -> Series {
    let inner: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    Series { series: format!("{metric}{{{}}}", inner.join(",")), values }
}

/// A value held until the group's last step (`{steps}` is filled in by [`group`]).
fn constant(value: f64) -> String {
    format!("{}+0x{{steps}}", number(value))
}

/// A counter growing by `per_step` each step, from zero.
fn ramp(per_step: f64) -> String {
    format!("0+{}x{{steps}}", number(per_step))
}

fn service_of(alert: &Alert) -> &str {
    alert.service.as_deref().expect("a service alert")
}

fn datastore_of(alert: &Alert) -> &str {
    alert.labels.get(DATASTORE_LABEL).map(String::as_str).expect("a datastore alert")
}

/// The labels of a local scrape target, as the local runtime lists them.
fn local_target(svc: &Service) -> Labels {
    labels(&[
        (SERVICE_LABEL, &svc.name),
        ("job", "plinth-services"),
        ("instance", &format!("127.0.0.1:{}", svc.metrics.port)),
    ])
}

fn exporter_metric<'a>(platform: &Platform, datastore: &str) -> &'a str {
    match platform.datastore(datastore).map(|d| d.engine) {
        Some(Engine::Redis) => REDIS_UP,
        _ => POSTGRES_UP,
    }
}

fn exporter_target(platform: &Platform, datastore: &str) -> Labels {
    let job = format!("{}-exporter", exporter_metric(platform, datastore).trim_end_matches("_up"));
    labels(&[(DATASTORE_LABEL, datastore), ("job", &job), ("instance", &format!("{datastore}-exporter"))])
}

/// Request counters of `service` growing by [`REQUESTS_PER_STEP`] a step, `errors` of them 5xx.
fn requests(service: &str, errors: f64) -> Vec<Series> {
    let counter = |status: &str, per_step: f64| {
        series(REQUESTS, &labels(&[(SERVICE_LABEL, service), ("status", status)]), ramp(per_step))
    };
    vec![counter("500", errors), counter("200", REQUESTS_PER_STEP - errors)]
}

/// Duration buckets at half, one and two times `threshold`: every request in the bucket just above
/// the threshold (p95 interpolates to 1.95 × threshold) or just below it (0.975 ×).
fn latency(service: &str, threshold: Duration, slow: bool) -> Vec<Series> {
    let t = threshold.0 as f64 / 1000.0;
    let bounds = [number(t / 2.0), number(t), number(t * 2.0), "+Inf".to_owned()];
    let below = [0.0, if slow { 0.0 } else { 1000.0 }, 1000.0, 1000.0];
    bounds
        .iter()
        .zip(below)
        .map(|(le, per_step)| {
            series(&format!("{DURATION}_bucket"), &labels(&[(SERVICE_LABEL, service), ("le", le)]), ramp(per_step))
        })
        .collect()
}
