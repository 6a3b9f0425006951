//! The monitoring backend: `environments/<env>/monitoring/` with Prometheus' configuration and the
//! flags it needs (`prometheus.yml`, `prometheus.args`), one rule file per group of
//! [`plinth_spec::alerting::rule_groups`] (`rules/`), their generated `promtool test rules` unit
//! tests (`tests/alerts.yml`), and Alertmanager's routing (`alertmanager.yml`). Rendered for every
//! environment, Kubernetes and local.

mod alertmanager;
mod prometheus;
mod unit_tests;

use plinth_spec::alerting::rule_groups;
use plinth_spec::model::Platform;
use serde_json::json;

use crate::Artifacts;

/// Where the rule files live, relative to `prometheus.yml`.
const RULES_DIR: &str = "rules";

/// Renders `environments/<env>/monitoring/` for `platform`.
pub fn render(platform: &Platform, artifacts: &mut Artifacts) {
    let dir = format!("environments/{}/monitoring", platform.environment.name);
    let header = format!(
        "Rendered by plinth from plinth.yaml (application {}, environment {}).\nDo not edit: change plinth.yaml and run `plinth render`.",
        platform.name, platform.environment.name
    );
    let groups = rule_groups(platform);
    let mut rule_files = Vec::new();
    for group in &groups {
        let file = format!("{RULES_DIR}/{}.yml", group.name);
        artifacts.add_yaml(format!("{dir}/{file}"), &header, &[json!({ "groups": [group.to_json()] })]);
        rule_files.push(file);
    }
    let (config, flags) = prometheus::config(platform);
    artifacts.add_yaml(
        format!("{dir}/prometheus.yml"),
        &format!("{header}\n\n{}", prometheus::flags_note(&flags)),
        &[config],
    );
    artifacts.add(format!("{dir}/prometheus.args"), flags.iter().map(|flag| format!("{flag}\n")).collect::<String>());
    artifacts.add_yaml(
        format!("{dir}/alertmanager.yml"),
        &format!("{header}\n\n{}", alertmanager::NOTE),
        &[alertmanager::config(platform)],
    );
    let tests_header = format!("{header}\n\nRun with `promtool test rules tests/alerts.yml` from this directory.");
    let test_rule_files: Vec<String> = rule_files.iter().map(|file| format!("../{file}")).collect();
    artifacts.add_yaml(
        format!("{dir}/tests/alerts.yml"),
        &tests_header,
        &[unit_tests::file(platform, &test_rule_files)],
    );
}
