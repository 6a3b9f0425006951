//! The compose backend against docker-compose: every rendered project, with the `.env` its own
//! `setup-secrets.sh` writes, passes `docker-compose config` (with and without the `tools`
//! profile), and the files keep their promises: unique host ports, datastores on loopback only,
//! `depends_on` targets that exist and can become healthy, every `${VAR}` in `.env.example`, no
//! secret value in the files, pinned images.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// A rendered compose project: `(spec, environment, directory)`.
struct Project {
    spec: String,
    environment: String,
    dir: PathBuf,
}

fn projects(root: &Path) -> Vec<Project> {
    let mut out = Vec::new();
    for (spec, artifacts) in common::render_all_to(root) {
        for (path, _) in artifacts.iter() {
            let Some(rest) = path.strip_prefix("environments/") else { continue };
            let Some((environment, "compose/docker-compose.yml")) = rest.split_once('/') else { continue };
            out.push(Project {
                spec: spec.clone(),
                environment: environment.to_owned(),
                dir: root.join(&spec).join(path).parent().unwrap().to_owned(),
            });
        }
    }
    assert!(out.len() >= 4, "expected the examples' local environments, found {}", out.len());
    out
}

fn files(project: &Project) -> Vec<PathBuf> {
    ["docker-compose.yml", "docker-compose.override.yml"]
        .into_iter()
        .map(|name| project.dir.join(name))
        .filter(|path| path.exists())
        .collect()
}

fn parse(path: &Path) -> Value {
    serde_yaml_ng::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The variables `${NAME…}` referenced in `text` (`$${…}` is compose's escaped dollar).
fn references(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    for (idx, _) in text.match_indices("${") {
        if idx > 0 && bytes[idx - 1] == b'$' {
            continue;
        }
        let name: String = text[idx + 2..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        out.push(name);
    }
    out
}

fn env_example(project: &Project) -> BTreeMap<String, String> {
    std::fs::read_to_string(project.dir.join(".env.example"))
        .unwrap()
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let (name, value) = line.split_once('=').unwrap();
            (name.to_owned(), value.to_owned())
        })
        .collect()
}

#[test]
fn docker_compose_accepts_every_rendered_project() {
    let Some(compose) = common::tool("docker-compose") else { return };
    let Some(_) = common::tool("openssl") else { return };
    let root = tempfile::tempdir().unwrap();
    for project in projects(root.path()) {
        let label = format!("{}/{}", project.spec, project.environment);
        let setup = Command::new("sh").arg("setup-secrets.sh").current_dir(&project.dir).output().unwrap();
        assert!(setup.status.success(), "{label}: setup-secrets.sh: {}", String::from_utf8_lossy(&setup.stderr));
        let example = env_example(&project);
        let written: BTreeMap<String, String> = std::fs::read_to_string(project.dir.join(".env"))
            .unwrap()
            .lines()
            .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
            .map(|line| line.split_once('=').map(|(n, v)| (n.to_owned(), v.to_owned())).unwrap())
            .collect();
        assert_eq!(written.keys().collect::<Vec<_>>(), example.keys().collect::<Vec<_>>(), "{label}: .env");
        for (name, value) in &written {
            if example[name] == "generate-me" {
                assert!(value.len() >= 32 && value != "generate-me", "{label}: {name} was not generated");
            }
        }
        if project.dir.parent().unwrap().join("nginx/nginx.conf").exists() {
            assert!(project.dir.join("certs/tls.crt").exists(), "{label}: no certificate for the edge");
        }

        for profile in [None, Some("tools")] {
            let mut command = Command::new(&compose);
            command.current_dir(&project.dir);
            for file in files(&project) {
                command.arg("-f").arg(file);
            }
            if let Some(profile) = profile {
                command.args(["--profile", profile]);
            }
            let output = command.args(["config"]).output().unwrap();
            assert!(
                output.status.success(),
                "{label} (profile {profile:?}): docker-compose config:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
            let merged: Value = serde_yaml_ng::from_slice(&output.stdout).unwrap();
            // docker-compose 1.29's `config` prints profiled services too; they only start with the profile.
            if let Some(pgadmin) = merged["services"].get("pgadmin") {
                assert_eq!(
                    pgadmin["profiles"],
                    serde_json::json!(["tools"]),
                    "{label}: pgadmin outside the tools profile"
                );
            }
        }
    }
}

#[test]
fn rendered_projects_keep_their_promises() {
    let root = tempfile::tempdir().unwrap();
    for project in projects(root.path()) {
        let label = format!("{}/{}", project.spec, project.environment);
        let example = env_example(&project);
        let base = parse(&project.dir.join("docker-compose.yml"));
        let services = base["services"].as_object().unwrap();
        let mut host_ports: BTreeMap<String, String> = BTreeMap::new();
        for file in files(&project) {
            let text = std::fs::read_to_string(&file).unwrap();
            for name in references(&text) {
                assert!(example.contains_key(&name), "{label}: ${{{name}}} is not in .env.example");
            }
            for (service, definition) in parse(&file)["services"].as_object().unwrap() {
                assert!(services.contains_key(service), "{label}: the override names unknown service {service}");
                for published in definition["ports"].as_array().into_iter().flatten() {
                    let published = published.as_str().unwrap();
                    let parts: Vec<&str> = published.split(':').collect();
                    let (address, port) = match parts.as_slice() {
                        [address, host, _] => (*address, *host),
                        [host, _] => ("0.0.0.0", *host),
                        _ => panic!("{label}: unexpected port {published}"),
                    };
                    if let Some(other) = host_ports.insert(port.to_owned(), service.clone()) {
                        panic!("{label}: host port {port} published by {other} and {service}");
                    }
                    if service != "edge" {
                        assert_eq!(address, "127.0.0.1", "{label}: {service} publishes {published} beyond loopback");
                    }
                }
            }
        }
        for (name, service) in services {
            let image = service["image"].as_str().unwrap();
            let tag = image.rsplit_once(':').map(|(_, tag)| tag).unwrap_or_default();
            assert!(!tag.is_empty() && !tag.contains('/') && tag != "latest", "{label}: {name} image {image}");
            for (target, condition) in service["depends_on"].as_object().into_iter().flatten() {
                let target_service =
                    services.get(target).unwrap_or_else(|| panic!("{label}: {name} depends on {target}"));
                match condition["condition"].as_str().unwrap() {
                    "service_healthy" => assert!(
                        target_service.get("healthcheck").is_some(),
                        "{label}: {name} waits for {target} to be healthy, which has no healthcheck"
                    ),
                    "service_completed_successfully" => assert!(
                        target_service.get("restart").is_none_or(|restart| restart == "no"),
                        "{label}: {name} waits for {target} to complete, which restarts"
                    ),
                    other => panic!("{label}: {name} depends on {target} with {other}"),
                }
            }
            for (var, value) in service["environment"].as_object().into_iter().flatten() {
                let value = value.as_str().unwrap_or_default();
                let sensitive =
                    ["PASSWORD", "SECRET", "TOKEN", "KEY", "KEY_ID", "AUTH"].iter().any(|word| var.ends_with(word));
                if sensitive {
                    assert!(value.starts_with("${"), "{label}: {name}: {var} is not a reference: {value}");
                }
                if var.ends_with("_URL") && value.contains('@') {
                    assert!(value.contains(":${"), "{label}: {name}: {var} carries a literal credential");
                }
            }
        }
        let platforms = common::all_specs().into_iter().find(|(spec, _)| *spec == project.spec).unwrap().1;
        let platform = platforms.iter().find(|p| p.environment.name == project.environment).unwrap();
        for svc in &platform.services {
            let environment = &services[&svc.name]["environment"];
            for secret in &svc.secrets {
                assert_eq!(
                    environment[secret].as_str(),
                    Some(format!("${{{secret}:?run ./setup-secrets.sh to write .env}}").as_str()),
                    "{label}: {}: {secret}",
                    svc.name
                );
            }
        }
        let gitignore = std::fs::read_to_string(project.dir.join(".gitignore")).unwrap();
        assert!(gitignore.lines().any(|line| line == ".env"), "{label}: .env is not ignored");
    }
}

#[test]
fn references_skip_escaped_dollars() {
    assert_eq!(references("a ${A:?x} $${B} ${C}"), vec!["A", "C"]);
}
