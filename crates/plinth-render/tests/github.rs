//! The rendered GitHub Actions workflows, for every example and variant: actionlint (with
//! shellcheck on the `run:` scripts) reports nothing; every action is pinned to a commit; AWS is
//! reached only through OIDC, with `id-token: write` exactly in the jobs that assume a role; every
//! workflow and job declares its permissions; deploys and applies run in their GitHub environment;
//! the build matrix, the migration choices, the cluster and the image tags agree with the model and
//! with the other workflows; the deploy overlay builds with `kubectl kustomize` and retags every
//! service. Plus one snapshot of `.github/` per example.

mod common;

use std::collections::BTreeSet;
use std::process::Command;

use plinth_render::Artifacts;
use plinth_spec::model::{Platform, Runtime, Stage};
use plinth_spec::names;
use serde_json::Value;

/// `(spec, platforms, artifacts)` for every example and variant.
fn rendered() -> Vec<(String, Vec<Platform>, Artifacts)> {
    common::all_specs()
        .into_iter()
        .map(|(name, platforms)| {
            let artifacts = plinth_render::render(&platforms);
            (name, platforms, artifacts)
        })
        .collect()
}

/// The workflows of one render: `(path, text, parsed)`.
fn workflows(artifacts: &Artifacts) -> Vec<(String, String, Value)> {
    artifacts
        .iter()
        .filter(|(path, _)| path.starts_with(".github/workflows/"))
        .map(|(path, text)| {
            let value: Value = serde_yaml_ng::from_str(text).unwrap_or_else(|err| panic!("{path}: {err}"));
            (path.to_owned(), text.to_owned(), value)
        })
        .collect()
}

/// The jobs of a workflow, `(id, job)`.
fn jobs(workflow: &Value) -> Vec<(&String, &Value)> {
    workflow["jobs"].as_object().expect("jobs").iter().collect()
}

/// The steps of a job.
fn steps(job: &Value) -> &Vec<Value> {
    job["steps"].as_array().expect("steps")
}

/// Whether a job assumes an AWS role.
fn assumes_role(job: &Value) -> bool {
    steps(job).iter().any(|step| {
        step["uses"].as_str().is_some_and(|uses| uses.starts_with("aws-actions/configure-aws-credentials@"))
    })
}

/// The parsed workflow `file` of a render.
fn workflow<'a>(all: &'a [(String, String, Value)], file: &str) -> Option<&'a Value> {
    all.iter().find(|(path, _, _)| path == &format!(".github/workflows/{file}")).map(|(_, _, value)| value)
}

#[test]
fn actionlint_and_shellcheck_accept_every_workflow() {
    let Some(actionlint) = common::tool("actionlint") else { return };
    let Some(shellcheck) = common::tool("shellcheck") else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (name, _, artifacts) in rendered() {
        let all = workflows(&artifacts);
        assert!(all.iter().any(|(path, _, _)| path.ends_with("/ci.yml")), "{name}: no ci.yml");
        for (path, text, _) in all {
            let target = dir.path().join(&name).join(&path);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(&target, text).unwrap();
            files.push(target);
        }
    }
    let output = Command::new(actionlint)
        .arg("-shellcheck")
        .arg(shellcheck)
        .arg("-no-color")
        .args(&files)
        .output()
        .expect("actionlint runs");
    let report = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success() && report.trim().is_empty(), "actionlint:\n{report}");
}

#[test]
fn every_action_is_pinned_to_a_commit_with_its_version() {
    for (name, _, artifacts) in rendered() {
        for (path, text, value) in workflows(&artifacts) {
            for (id, job) in jobs(&value) {
                for step in steps(job) {
                    let Some(uses) = step["uses"].as_str() else { continue };
                    let (_, sha) =
                        uses.split_once('@').unwrap_or_else(|| panic!("{name} {path} {id}: {uses} unpinned"));
                    assert!(
                        sha.len() == 40 && sha.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()),
                        "{name} {path} {id}: {uses} is not pinned to a full commit SHA"
                    );
                    let line = text.lines().find(|line| line.contains(uses)).unwrap();
                    assert!(
                        line.contains(&format!("uses: {uses} # ")),
                        "{name} {path}: no version comment on `{line}`"
                    );
                }
            }
        }
    }
}

#[test]
fn aws_is_reached_through_oidc_only() {
    for (name, _, artifacts) in rendered() {
        for (path, text, value) in workflows(&artifacts) {
            for forbidden in
                ["aws-access-key-id", "aws-secret-access-key", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]
            {
                assert!(!text.contains(forbidden), "{name} {path}: static AWS keys ({forbidden})");
            }
            for (id, job) in jobs(&value) {
                for step in steps(job).iter().filter(|s| s["with"]["role-to-assume"].is_string()) {
                    let role = step["with"]["role-to-assume"].as_str().unwrap();
                    assert!(
                        role.starts_with("arn:aws:iam::${{ vars.AWS_ACCOUNT_ID }}:role/"),
                        "{name} {path} {id}: role {role}"
                    );
                }
            }
        }
    }
}

#[test]
fn permissions_are_explicit_and_id_token_only_where_a_role_is_assumed() {
    for (name, _, artifacts) in rendered() {
        for (path, _, value) in workflows(&artifacts) {
            assert_eq!(
                value["permissions"],
                serde_json::json!({}),
                "{name} {path}: the workflow grants nothing by default"
            );
            for (id, job) in jobs(&value) {
                let permissions =
                    job["permissions"].as_object().unwrap_or_else(|| panic!("{name} {path} {id}: no permissions"));
                let id_token = permissions.get("id-token").and_then(Value::as_str) == Some("write");
                assert_eq!(
                    id_token,
                    assumes_role(job),
                    "{name} {path} {id}: id-token: write iff the job assumes a role"
                );
                for (scope, level) in permissions {
                    let allowed = match scope.as_str() {
                        "contents" => level == "read",
                        "id-token" => level == "write",
                        "packages" => level == "write" && path.ends_with("/ci.yml") && id == "build",
                        _ => false,
                    };
                    assert!(allowed, "{name} {path} {id}: permission {scope}: {level}");
                }
            }
        }
    }
}

#[test]
fn deploys_and_applies_run_in_their_environment_from_its_branch() {
    for (name, platforms, artifacts) in rendered() {
        let all = workflows(&artifacts);
        let deployed: Vec<&Platform> = platforms
            .iter()
            .filter(|p| p.environment.runtime == Runtime::Kubernetes && p.environment.branch.is_some())
            .collect();
        let Some(deploy) = workflow(&all, "deploy.yml") else {
            assert!(deployed.is_empty(), "{name}: no deploy.yml");
            continue;
        };
        let ids: BTreeSet<&str> = jobs(deploy).iter().map(|(id, _)| id.as_str()).collect();
        let expected: BTreeSet<String> = deployed
            .iter()
            .flat_map(|p| [format!("deploy-{}", p.environment.name), format!("rollback-{}", p.environment.name)])
            .collect();
        assert_eq!(ids, expected.iter().map(String::as_str).collect(), "{name}: deploy jobs");
        let infrastructure = workflow(&all, "infrastructure.yml").expect("infrastructure.yml");
        for platform in &deployed {
            let env = &platform.environment.name;
            let branch = platform.environment.branch.as_deref().unwrap();
            for (file, job) in [
                ("deploy.yml", &deploy["jobs"][format!("deploy-{env}")]),
                ("deploy.yml", &deploy["jobs"][format!("rollback-{env}")]),
                ("infrastructure.yml", &infrastructure["jobs"][format!("apply-{env}")]),
            ] {
                let environment = job["environment"]["name"].as_str().or(job["environment"].as_str());
                assert_eq!(environment, Some(env.as_str()), "{name} {file}: {env} job outside its GitHub environment");
            }
            let condition = deploy["jobs"][format!("deploy-{env}")]["if"].as_str().unwrap();
            assert!(condition.contains(&format!("head_branch == '{branch}'")), "{name}: {env} deploys from {branch}");
            assert!(condition.contains("conclusion == 'success'"), "{name}: {env} deploys only after CI succeeds");
            let apply = infrastructure["jobs"][format!("apply-{env}")]["if"].as_str().unwrap();
            assert!(apply.contains(&format!("refs/heads/{branch}")), "{name}: {env} applies from {branch}");
            if platform.environment.stage == Stage::Production {
                assert!(platform.environment.approval, "{name}: {env} is production without approval");
            }
        }
    }
}

#[test]
fn deploy_connects_to_the_cluster_terraform_creates_with_the_tag_ci_pushes() {
    for (name, platforms, artifacts) in rendered() {
        let all = workflows(&artifacts);
        let Some(deploy) = workflow(&all, "deploy.yml") else { continue };
        let ci = workflow(&all, "ci.yml").unwrap();
        assert_eq!(deploy["on"]["workflow_run"]["workflows"], serde_json::json!([ci["name"]]), "{name}");
        let build = &ci["jobs"]["build"];
        let meta = steps(build).iter().find(|s| s["id"] == "meta").unwrap();
        assert!(meta["with"]["tags"].as_str().unwrap().lines().any(|l| l == "type=sha,prefix=sha-,format=long"));
        for platform in
            platforms.iter().filter(|p| p.environment.branch.is_some() && p.environment.runtime == Runtime::Kubernetes)
        {
            let env = &platform.environment.name;
            let job = &deploy["jobs"][format!("deploy-{env}")];
            assert_eq!(job["env"]["TAG"], "sha-${{ github.event.workflow_run.head_sha }}", "{name} {env}");
            assert_eq!(job["env"]["NAMESPACE"], platform.kubernetes.namespace.as_str(), "{name} {env}");
            let cluster = names::cluster_name(platform);
            let connect = steps(job).iter().find(|s| s["name"] == "Connect to the cluster").unwrap();
            assert!(connect["run"].as_str().unwrap().contains(&format!("--name {cluster} ")), "{name} {env}");
            let main = artifacts.get(&format!("environments/{env}/terraform/main.tf")).expect("terraform root");
            assert!(
                main.contains(&format!("\"{cluster}\"")),
                "{name} {env}: Terraform does not name cluster {cluster}"
            );
            let role = steps(job).iter().find_map(|s| s["with"]["role-to-assume"].as_str()).unwrap();
            assert!(role.ends_with(&format!(":role/{}", names::github_deploy_role(platform))), "{name} {env}: {role}");
        }
    }
}

#[test]
fn the_build_matrix_lists_exactly_the_services() {
    for (name, platforms, artifacts) in rendered() {
        let all = workflows(&artifacts);
        let ci = workflow(&all, "ci.yml").unwrap();
        let matrix = ci["jobs"]["build"]["strategy"]["matrix"]["include"].as_array().unwrap();
        let listed: Vec<(&str, &str, String)> = matrix
            .iter()
            .map(|e| {
                (
                    e["service"].as_str().unwrap(),
                    e["image"].as_str().unwrap(),
                    e["dockerfile"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let app = &platforms[0];
        let expected: Vec<(&str, &str, String)> = app
            .services
            .iter()
            .map(|s| (s.name.as_str(), s.image.as_str(), app.build.dockerfile_for(&s.name)))
            .collect();
        assert_eq!(listed, expected, "{name}: build matrix");
    }
}

#[test]
fn migrations_offer_exactly_the_kubernetes_environments() {
    for (name, platforms, artifacts) in rendered() {
        let all = workflows(&artifacts);
        let kubernetes: Vec<&str> = platforms
            .iter()
            .filter(|p| p.environment.runtime == Runtime::Kubernetes)
            .map(|p| p.environment.name.as_str())
            .collect();
        let Some(migration) = workflow(&all, "database-migration.yml") else {
            assert!(platforms[0].build.migrate.is_none() || kubernetes.is_empty(), "{name}: no migration workflow");
            continue;
        };
        let inputs = &migration["on"]["workflow_dispatch"]["inputs"];
        assert_eq!(inputs["environment"]["options"], serde_json::json!(kubernetes), "{name}");
        assert_eq!(inputs["action"]["options"], serde_json::json!(["migrate", "rollback"]), "{name}");
        let (up, down) = platforms[0].build.migrate.as_ref().unwrap();
        let run = steps(&migration["jobs"]["migrate"]).last().unwrap()["run"].as_str().unwrap();
        assert!(run.contains(&format!("migrate) {up} ;;")) && run.contains(&format!("rollback) {down} ;;")), "{name}");
    }
}

#[test]
fn the_deploy_overlay_retags_every_service() {
    let Some(kubectl) = common::tool("kubectl") else { return };
    let dir = tempfile::tempdir().unwrap();
    let tag = "sha-0123456789abcdef0123456789abcdef01234567";
    for ((name, artifacts), (_, platforms)) in common::render_all_to(dir.path()).into_iter().zip(common::all_specs()) {
        let all = workflows(&artifacts);
        let Some(deploy) = workflow(&all, "deploy.yml") else { continue };
        for (id, job) in jobs(deploy).into_iter().filter(|(id, _)| id.starts_with("deploy-")) {
            let env = id.trim_start_matches("deploy-");
            let platform = platforms.iter().find(|p| p.environment.name == env).unwrap();
            let script = steps(job).iter().find_map(|s| s["run"].as_str().filter(|r| r.contains("<<EOF"))).unwrap();
            let body = script.split_once("<<EOF\n").unwrap().1.split_once("EOF\n").unwrap().0.replace("$TAG", tag);
            let overlay = dir.path().join(&name).join("environments").join(env).join("deploy");
            std::fs::create_dir_all(&overlay).unwrap();
            std::fs::write(overlay.join("kustomization.yaml"), body).unwrap();
            let output = Command::new(&kubectl).arg("kustomize").arg(&overlay).output().unwrap();
            assert!(output.status.success(), "{name} {env}: {}", String::from_utf8_lossy(&output.stderr));
            let text = String::from_utf8(output.stdout).unwrap();
            let images: Vec<&str> = text.lines().filter_map(|l| l.trim().strip_prefix("image: ")).collect();
            for svc in &platform.services {
                let own: Vec<&&str> =
                    images.iter().filter(|i| i.rsplit_once(':').is_some_and(|(n, _)| n == svc.image)).collect();
                assert!(!own.is_empty(), "{name} {env}: {} runs nowhere", svc.image);
                for image in own {
                    assert_eq!(*image, &format!("{}:{tag}", svc.image), "{name} {env}: {} not retagged", svc.name);
                }
            }
        }
    }
}

#[test]
fn snapshots_of_every_example() {
    for (example, platforms) in common::examples() {
        let artifacts = plinth_render::render(&platforms);
        let mut text = String::new();
        for (path, contents) in artifacts.iter().filter(|(path, _)| path.starts_with(".github/")) {
            text.push_str(&format!("--- {path} ---\n{contents}"));
        }
        insta::assert_snapshot!(example.as_str(), text);
    }
}
