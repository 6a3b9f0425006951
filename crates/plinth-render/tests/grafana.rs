//! Grafana: for every example, variant and environment, every dashboard is JSON with what Grafana
//! requires (uid, title, schema version, panels on the grid, queries with an expression and the
//! provisioned data source, defined variables); every PromQL expression parses (`promtool check
//! rules` over the expressions as recording rules, Grafana's variables substituted); and the
//! provisioning files are well-formed, point at the environment's Prometheus and at where the
//! dashboards are mounted. Recorded series the dashboards read are recorded by the monitoring rules.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use plinth_render::grafana::{
    DASHBOARDS_MOUNT, DATASOURCE_UID, LOCAL_PROMETHEUS_URL, PROVISIONING_MOUNT, SCHEMA_VERSION,
};
use plinth_spec::model::{Platform, Runtime};
use serde_json::Value;

fn grafana_dir(platform: &Platform) -> String {
    format!("environments/{}/monitoring/grafana", platform.environment.name)
}

/// `(path, dashboard)` of every dashboard of an environment.
fn dashboards(artifacts: &plinth_render::Artifacts, platform: &Platform) -> Vec<(String, Value)> {
    let prefix = format!("{}/dashboards/", grafana_dir(platform));
    artifacts
        .iter()
        .filter(|(path, _)| path.starts_with(&prefix))
        .map(|(path, text)| {
            assert!(path.ends_with(".json"), "{path}: only dashboard JSON belongs in the dashboards directory");
            let value = serde_json::from_str(text).unwrap_or_else(|err| panic!("{path}: invalid JSON: {err}"));
            (path.to_owned(), value)
        })
        .collect()
}

fn str_field<'a>(value: &'a Value, field: &str, context: &str) -> &'a str {
    value[field].as_str().unwrap_or_else(|| panic!("{context}: `{field}` must be a string"))
}

/// The variables a dashboard defines: name → (values, multi).
fn variables(path: &str, dashboard: &Value) -> BTreeMap<String, (Vec<String>, bool)> {
    let list = dashboard["templating"]["list"].as_array().unwrap_or_else(|| panic!("{path}: templating.list"));
    list.iter()
        .map(|variable| {
            let name = str_field(variable, "name", path).to_owned();
            let query = str_field(variable, "query", path);
            let values: Vec<String> = query.split(',').map(str::to_owned).collect();
            assert!(
                !values.is_empty() && values.iter().all(|v| !v.is_empty()),
                "{path}: variable {name} has no values"
            );
            (name, (values, variable["multi"].as_bool().unwrap_or(false)))
        })
        .collect()
}

/// `expr` with Grafana's variables replaced by what Grafana would send: `$__rate_interval` a range,
/// a multi-value variable the regex of all its values, a single one its first value.
fn substitute(path: &str, expr: &str, variables: &BTreeMap<String, (Vec<String>, bool)>) -> String {
    let mut out = expr.replace("$__rate_interval", "1m");
    for (name, (values, multi)) in variables {
        let value = if *multi { values.join("|") } else { values[0].clone() };
        out = out.replace(&format!("${name}"), &value);
    }
    assert!(!out.contains('$'), "{path}: `{expr}` uses an undefined variable");
    out
}

#[test]
fn dashboards_have_what_grafana_requires_and_every_query_parses() {
    let promtool = common::tool("promtool");
    let dir = tempfile::tempdir().unwrap();
    let mut rule_files = Vec::new();
    let mut queries = 0;
    for (name, platforms) in common::all_specs() {
        let artifacts = plinth_render::render(&platforms);
        for platform in &platforms {
            let found = dashboards(&artifacts, platform);
            let slugs: BTreeSet<&str> =
                found.iter().map(|(path, _)| path.rsplit('/').next().unwrap().trim_end_matches(".json")).collect();
            assert!(slugs.contains("services") && slugs.contains("saturation"), "{name}: {slugs:?}");
            let has = |engine| platform.datastores.iter().any(|ds| ds.engine == engine);
            assert_eq!(slugs.contains("postgres"), has(plinth_spec::model::Engine::Postgres), "{name}");
            assert_eq!(slugs.contains("redis"), has(plinth_spec::model::Engine::Redis), "{name}");
            assert_eq!(slugs.contains("slo"), platform.observability.availability.is_some(), "{name}");

            let recorded: BTreeSet<String> = plinth_spec::alerting::rule_groups(platform)
                .into_iter()
                .flat_map(|group| group.rules)
                .filter_map(|rule| match rule {
                    plinth_spec::alerting::Rule::Record { record, .. } => Some(record),
                    plinth_spec::alerting::Rule::Alert(_) => None,
                })
                .collect();
            let mut uids = BTreeSet::new();
            let mut rules = Vec::new();
            for (path, dashboard) in &found {
                let uid = str_field(dashboard, "uid", path);
                assert!(!uid.is_empty() && uid.len() <= 40, "{path}: uid {uid:?}");
                assert!(uids.insert(uid.to_owned()), "{path}: uid {uid} is not unique");
                assert!(!str_field(dashboard, "title", path).is_empty(), "{path}: title");
                assert_eq!(dashboard["schemaVersion"], SCHEMA_VERSION, "{path}");
                let variables = variables(path, dashboard);
                let panels = dashboard["panels"].as_array().unwrap_or_else(|| panic!("{path}: panels"));
                assert!(!panels.is_empty(), "{path}: no panels");
                let mut ids = BTreeSet::new();
                let mut cells = BTreeSet::new();
                for panel in panels {
                    let title = str_field(panel, "title", path);
                    let context = format!("{path}: panel {title:?}");
                    assert!(ids.insert(panel["id"].as_u64().expect("panel id")), "{context}: id not unique");
                    let grid = &panel["gridPos"];
                    let [h, w, x, y] = ["h", "w", "x", "y"]
                        .map(|k| grid[k].as_u64().unwrap_or_else(|| panic!("{context}: gridPos.{k}")));
                    assert!(h > 0 && w > 0 && x + w <= 24, "{context}: gridPos {grid}");
                    for row in y..y + h {
                        for col in x..x + w {
                            assert!(cells.insert((row, col)), "{context}: overlaps another panel");
                        }
                    }
                    if panel["type"] == "row" {
                        continue;
                    }
                    assert_eq!(panel["datasource"]["uid"], DATASOURCE_UID, "{context}");
                    let targets = panel["targets"].as_array().unwrap_or_else(|| panic!("{context}: targets"));
                    assert!(!targets.is_empty(), "{context}: no targets");
                    let mut ref_ids = BTreeSet::new();
                    for target in targets {
                        assert!(ref_ids.insert(str_field(target, "refId", &context)), "{context}: refId not unique");
                        assert_eq!(target["datasource"]["type"], "prometheus", "{context}");
                        assert_eq!(target["datasource"]["uid"], DATASOURCE_UID, "{context}");
                        let expr = str_field(target, "expr", &context);
                        // A recorded series (`level:metric:operations`) must be one the monitoring rules record.
                        for name in expr.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':')) {
                            if name.contains(':') && !name.starts_with(':') {
                                assert!(recorded.contains(name), "{context}: {name} is not recorded by any rule");
                            }
                        }
                        rules.push(format!("grafana:query_{}", rules.len()));
                        rules.push(substitute(&context, expr, &variables));
                        queries += 1;
                    }
                }
            }
            // Recording rules are the one place promtool parses arbitrary expressions.
            let mut text = String::from("groups:\n  - name: grafana\n    rules:\n");
            for pair in rules.chunks(2) {
                text.push_str(&format!("      - record: {}\n        expr: {}\n", pair[0], yaml_string(&pair[1])));
            }
            let file = dir.path().join(format!("{name}-{}.yml", platform.environment.name));
            std::fs::write(&file, text).unwrap();
            rule_files.push(file);
        }
    }
    assert!(queries > 100, "only {queries} queries");
    let Some(promtool) = promtool else { return };
    let output = Command::new(promtool).arg("check").arg("rules").args(&rule_files).output().unwrap();
    assert!(
        output.status.success(),
        "promtool check rules failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A YAML double-quoted scalar.
fn yaml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

#[test]
fn provisioning_points_at_the_prometheus_and_the_dashboards() {
    for (name, platforms) in common::all_specs() {
        let artifacts = plinth_render::render(&platforms);
        for platform in &platforms {
            let dir = grafana_dir(platform);
            let read = |file: &str| {
                let path = format!("{dir}/provisioning/{file}");
                let text = artifacts.get(&path).unwrap_or_else(|| panic!("{name}: {path} is missing"));
                assert!(
                    text.contains(&format!("at {PROVISIONING_MOUNT}"))
                        && text.contains(&format!("at {DASHBOARDS_MOUNT}")),
                    "{path}: the header must say where to mount the directories"
                );
                let documents = common::yaml_documents(&path, text);
                assert_eq!(documents.len(), 1, "{path}");
                (path, documents.into_iter().next().unwrap().1)
            };

            let (path, datasources) = read("datasources/prometheus.yaml");
            assert_eq!(datasources["apiVersion"], 1, "{path}");
            let list = datasources["datasources"].as_array().unwrap();
            assert_eq!(list.len(), 1, "{path}");
            let source = &list[0];
            assert_eq!(source["uid"], DATASOURCE_UID, "{path}");
            assert_eq!(source["type"], "prometheus", "{path}");
            assert_eq!(source["access"], "proxy", "{path}");
            let url = match platform.environment.runtime {
                Runtime::Kubernetes => plinth_spec::telemetry::PROMETHEUS_URL,
                Runtime::Local => LOCAL_PROMETHEUS_URL,
            };
            assert_eq!(source["url"], url, "{path}");
            assert_eq!(
                source["jsonData"]["timeInterval"],
                platform.observability.scrape_interval.to_string(),
                "{path}: Grafana's $__rate_interval needs the scrape interval"
            );

            let (path, providers) = read("dashboards/plinth.yaml");
            assert_eq!(providers["apiVersion"], 1, "{path}");
            let list = providers["providers"].as_array().unwrap();
            assert_eq!(list.len(), 1, "{path}");
            let provider = &list[0];
            assert_eq!(provider["type"], "file", "{path}");
            let mounted = provider["options"]["path"].as_str().unwrap();
            // The provider's path, mapped back through the mount, is the directory holding every
            // dashboard of the environment — and nothing else under the Grafana directory is JSON.
            let relative = mounted.strip_prefix(DASHBOARDS_MOUNT).unwrap_or_else(|| panic!("{path}: {mounted}"));
            let local = format!("{dir}/dashboards{relative}/");
            let json: Vec<&str> =
                artifacts.iter().map(|(p, _)| p).filter(|p| p.starts_with(&dir) && p.ends_with(".json")).collect();
            assert!(!json.is_empty(), "{name}: no dashboards");
            for file in json {
                assert!(
                    file.starts_with(&local) && !file[local.len()..].contains('/'),
                    "{file} is not where the provider looks ({local})"
                );
            }
            // Everything under provisioning/ is a YAML file in a directory Grafana reads.
            for (file, _) in artifacts.iter().filter(|(p, _)| p.starts_with(&format!("{dir}/provisioning/"))) {
                let rest = &file[dir.len() + "/provisioning/".len()..];
                let (kind, leaf) = rest.split_once('/').unwrap();
                assert!(["datasources", "dashboards"].contains(&kind) && leaf.ends_with(".yaml"), "{file}");
            }
        }
    }
}

#[test]
fn queries_name_the_spec() {
    let (_, platforms) = common::examples().into_iter().find(|(name, _)| name == "business-app").unwrap();
    let artifacts = plinth_render::render(&platforms);
    for platform in &platforms {
        let found = dashboards(&artifacts, platform);
        let services = &found.iter().find(|(path, _)| path.ends_with("/services.json")).unwrap().1;
        let options: Vec<&str> = services["templating"]["list"][0]["query"].as_str().unwrap().split(',').collect();
        let names: Vec<&str> = platform.services.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(options, names);
        let text = serde_json::to_string(services).unwrap();
        // Seed 002's three panels, by service.
        for title in ["Request rate", "Error ratio", "Response time (p95)"] {
            assert!(text.contains(&format!("\"title\":\"{title}\"")), "{title}");
        }
        let saturation = &found.iter().find(|(path, _)| path.ends_with("/saturation.json")).unwrap().1;
        let text = serde_json::to_string(saturation).unwrap();
        match platform.environment.runtime {
            Runtime::Kubernetes => {
                assert!(text.contains(&format!("namespace=\\\"{}\\\"", platform.kubernetes.namespace)));
                assert!(text.contains("kube_pod_container_resource_limits"));
            }
            Runtime::Local => assert!(text.contains("process_resident_memory_bytes")),
        }
        let slo = &found.iter().find(|(path, _)| path.ends_with("/slo.json")).unwrap().1;
        let text = serde_json::to_string(slo).unwrap();
        let window = platform.observability.slo_window.to_string();
        assert!(text.contains(&format!("[{window}]")), "the SLO window {window} is queried");
    }
}
