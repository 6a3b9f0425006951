//! Runbooks: for every example, variant and environment, every alert's `runbook_url` (from the
//! alert catalogue and from every rendered rule file) lands on a heading that exists; every link
//! between runbooks resolves to a file and a heading; headings are unique per file; the rollback
//! runbook gives exactly the right command for each strategy; the incident runbook states the
//! response times and escalation steps of the spec.

mod common;

use std::collections::BTreeSet;

use plinth_render::Artifacts;
use plinth_spec::links::anchor;
use plinth_spec::model::{Platform, Runtime, Strategy};
use serde_json::Value;

/// The ATX headings of a Markdown text, outside fenced code blocks.
fn headings(text: &str) -> Vec<String> {
    let mut fenced = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
        } else if !fenced && line.starts_with('#') {
            let level = line.chars().take_while(|c| *c == '#').count();
            if level <= 6 && line[level..].starts_with(' ') {
                out.push(line[level..].trim().to_owned());
            }
        }
    }
    assert!(!fenced, "an unclosed code fence");
    out
}

/// The anchors of a file's headings; panics on duplicates (GitHub would suffix them).
fn anchors(path: &str, text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for heading in headings(text) {
        assert!(out.insert(anchor(&heading)), "{path}: heading {heading:?} is not unique");
    }
    out
}

/// Inline link targets `[text](target)` outside fenced code and inline code.
fn links(text: &str) -> Vec<String> {
    let mut fenced = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let prose: String = line.split('`').step_by(2).collect::<Vec<_>>().join("");
        let mut rest = prose.as_str();
        while let Some(start) = rest.find("](") {
            let after = &rest[start + 2..];
            let end = after.find(')').expect("a closed link");
            out.push(after[..end].to_owned());
            rest = &after[end..];
        }
    }
    out
}

/// Resolves `target` (relative to the file at `from`) in the render: the file must exist and the
/// fragment, if any, must be one of its headings' anchors.
fn resolve(artifacts: &Artifacts, from: &str, target: &str) {
    let (file, fragment) = target.split_once('#').map_or((target, None), |(f, a)| (f, Some(a)));
    let path = if file.is_empty() {
        from.to_owned()
    } else {
        match from.rsplit_once('/') {
            Some((dir, _)) => format!("{dir}/{file}"),
            None => file.to_owned(),
        }
    };
    let text = artifacts.get(&path).unwrap_or_else(|| panic!("{from}: link to {target}: {path} was not rendered"));
    if let Some(fragment) = fragment {
        assert!(
            anchors(&path, text).contains(fragment),
            "{from}: link to {target}: no heading of {path} has the anchor {fragment}"
        );
    }
}

/// Every `runbook_url` value anywhere in a JSON value.
fn runbook_urls(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("runbook_url", Value::String(url)) => out.push(url.clone()),
                    _ => runbook_urls(value, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| runbook_urls(item, out)),
        _ => {}
    }
}

fn runbooks_dir(platform: &Platform) -> String {
    format!("environments/{}/runbooks", platform.environment.name)
}

#[test]
fn every_alert_lands_on_a_heading() {
    let mut checked = 0;
    for (name, platforms) in common::all_specs() {
        let artifacts = plinth_render::render(&platforms);
        for platform in &platforms {
            let mut urls: Vec<String> =
                plinth_spec::alerting::alerts(platform).into_iter().map(|alert| alert.runbook_url).collect();
            let from_files = urls.len();
            let env_dir = format!("environments/{}/", platform.environment.name);
            for (path, text) in artifacts.iter().filter(|(p, _)| p.starts_with(&env_dir)) {
                if path.ends_with(".yaml") || path.ends_with(".yml") {
                    for (_, document) in common::yaml_documents(path, text) {
                        runbook_urls(&document, &mut urls);
                    }
                }
            }
            assert!(
                urls.len() > from_files,
                "{name}/{}: no rendered rule file carries a runbook_url",
                platform.environment.name
            );
            let base = platform.observability.runbooks.as_ref().map(|base| format!("{base}/"));
            for url in &urls {
                let relative = match &base {
                    Some(base) => {
                        url.strip_prefix(base.as_str()).unwrap_or_else(|| panic!("{url} is not under {base}"))
                    }
                    None => url.as_str(),
                };
                // Resolve as a link from the render's root.
                resolve(&artifacts, "README.md", relative);
                checked += 1;
            }
            let alerts = artifacts.get(&plinth_spec::links::alerts_runbook_path(platform)).unwrap();
            let sections: BTreeSet<String> = headings(alerts).into_iter().collect();
            for alert in plinth_spec::alerting::alerts(platform) {
                assert!(sections.contains(&alert.name), "{name}: alerts.md has no section {}", alert.name);
            }
        }
    }
    assert!(checked > 100, "only {checked} runbook URLs checked");
}

#[test]
fn links_between_runbooks_resolve() {
    for (_, platforms) in common::all_specs() {
        let artifacts = plinth_render::render(&platforms);
        for platform in &platforms {
            let dir = format!("{}/", runbooks_dir(platform));
            let files: Vec<(&str, &str)> = artifacts.iter().filter(|(p, _)| p.starts_with(&dir)).collect();
            assert!(files.len() >= 8, "{dir}: {files:?}");
            let readme = artifacts.get(&format!("{dir}README.md")).expect("an index");
            let indexed: BTreeSet<String> = links(readme).into_iter().collect();
            for (path, text) in &files {
                assert!(path.ends_with(".md"), "{path}");
                anchors(path, text);
                for target in links(text) {
                    if !target.starts_with("http") {
                        resolve(&artifacts, path, &target);
                    }
                }
                let file = &path[dir.len()..];
                assert!(file == "README.md" || indexed.contains(file), "README.md does not list {file}");
            }
        }
    }
}

/// The text of the `## Service <name>` section of a runbook.
fn service_section<'a>(text: &'a str, service: &str) -> &'a str {
    let heading = format!("\n## Service {service}\n");
    let start = text.find(&heading).unwrap_or_else(|| panic!("no section for {service}")) + heading.len();
    let end = text[start..].find("\n## ").map_or(text.len(), |end| start + end);
    &text[start..end]
}

fn rollback(example: &str, env: &str) -> (Platform, String) {
    let (_, platforms) = common::examples().into_iter().find(|(name, _)| name == example).unwrap();
    let artifacts = plinth_render::render(&platforms);
    let platform = platforms.into_iter().find(|p| p.environment.name == env).unwrap();
    let text = artifacts.get(&format!("{}/rollback.md", runbooks_dir(&platform))).unwrap().to_owned();
    (platform, text)
}

#[test]
fn rollback_gives_the_command_of_each_strategy() {
    let cases = [
        ("kkp-website", "production", "kkp-api", Strategy::Canary),
        ("kkp-website", "production", "kkp-frontend", Strategy::BlueGreen),
        ("business-app", "production", "api-gateway", Strategy::BlueGreen),
        ("ctoprojects", "prod", "batch-worker", Strategy::Rolling),
        ("ctoprojects", "prod", "app", Strategy::Canary),
    ];
    for (example, env, service, strategy) in cases {
        let (platform, text) = rollback(example, env);
        let svc = platform.service(service).unwrap_or_else(|| panic!("{example}: no service {service}"));
        assert_eq!(svc.delivery.strategy, strategy, "{example}/{service}: the example changed");
        let ns = &platform.kubernetes.namespace;
        let section = service_section(&text, service);
        let argo = [
            format!("kubectl argo rollouts abort {service} -n {ns}"),
            format!("kubectl argo rollouts undo {service} -n {ns}"),
        ];
        let deployment = format!("kubectl rollout undo deployment/{service} -n {ns}");
        match strategy {
            Strategy::Canary | Strategy::BlueGreen => {
                for command in &argo {
                    assert!(section.contains(command.as_str()), "{example}/{service}: `{command}` missing:\n{section}");
                }
                assert!(!section.contains("kubectl rollout undo"), "{example}/{service}: a Deployment command");
            }
            Strategy::Rolling => {
                assert!(section.contains(&deployment), "{example}/{service}: `{deployment}` missing:\n{section}");
                assert!(!section.contains("argo rollouts"), "{example}/{service}: an Argo command");
            }
        }
    }
    // A local environment names plinth's commands.
    let (platform, text) = rollback("business-app", "development");
    assert_eq!(platform.environment.runtime, Runtime::Local);
    assert!(text.contains("plinth up --env development"), "{text}");
    assert!(!text.contains("kubectl"), "{text}");
}

#[test]
fn incident_states_response_times_and_escalation() {
    let (_, platforms) = common::examples().into_iter().find(|(name, _)| name == "ctoprojects").unwrap();
    let artifacts = plinth_render::render(&platforms);
    for platform in &platforms {
        let text = artifacts.get(&format!("{}/incident.md", runbooks_dir(platform))).unwrap();
        // Seed 001 §Alert Levels and §Escalation, through the spec.
        for expected in [
            "| critical | acknowledge within 15m |",
            "| warning | look within 4h |",
            "After 30m without acknowledgement: oncall-secondary (PagerDuty).",
            "After 1h without acknowledgement: manager (PagerDuty).",
            "Alertmanager alone cannot escalate on non-acknowledgement",
            "escalation_delay_in_minutes = 30",
        ] {
            assert!(text.contains(expected), "{}: `{expected}` missing:\n{text}", platform.environment.name);
        }
    }
}
