//! `infrastructure.yml`: the Terraform of every Kubernetes environment. On pull requests and
//! pushes: `terraform fmt -check` and `validate` (no credentials); on pull requests, a plan per
//! environment with its read-only plan role, written to the job summary; on a push to an
//! environment's branch, plan and apply in the GitHub environment of that name (production's
//! reviewers approve before the job starts) with its Terraform role.
//!
//! **Two-phase apply.** The roots' `alb_ready` variable comes from the repository variable
//! `ALB_READY_<ENV>` (upper case, `-` as `_`; default `false`): set it to `true` once the
//! manifests are deployed and the ingress controller's load balancer exists.

use plinth_spec::model::Platform;
use plinth_spec::names;
use serde_json::{Map, Value, json};

use super::actions::SETUP_TERRAFORM;
use super::steps::{Job, assume_role, checkout, job, permissions, run};
use super::{RENDER_DIR, branches, kubernetes, render_dir_env, trigger};

/// The header of infrastructure.yml.
pub const HEADER: &str = "Infrastructure: Terraform fmt and validate on every change; plan per environment on pull
requests; plan and apply on a push to the environment's branch, behind the GitHub environment's
protection rules (reviewers are configured in the repository settings). The S3 state bucket and
DynamoDB lock table each root's backend names must exist before the first run.";

/// The Terraform release the workflows install (the roots require `>= 1.6.0`; the tests use this
/// release).
const TERRAFORM: &str = "1.11.4";

/// Changes that can affect the infrastructure.
const PATHS: [&str; 2] = ["**/terraform/**", ".github/workflows/infrastructure.yml"];

/// The workflow, when some environment runs on Kubernetes (and so has a Terraform root).
pub fn workflow(platforms: &[Platform]) -> Option<Value> {
    let roots: Vec<&Platform> = kubernetes(platforms).collect();
    if roots.is_empty() {
        return None;
    }
    let mut jobs = Map::new();
    let mut check = vec![checkout(), setup_terraform()];
    let mut script = format!("terraform fmt -check -recursive \"${RENDER_DIR}/terraform\"\n");
    for platform in &roots {
        let dir = root_dir(platform);
        script.push_str(&format!(
            "terraform fmt -check -recursive {dir}\nterraform -chdir={dir} init -backend=false\nterraform -chdir={dir} validate\n"
        ));
    }
    check.push(run("terraform fmt and validate", &script));
    jobs.insert("check".to_owned(), job("Terraform fmt and validate", 20, permissions(&[]), check).build());
    for platform in &roots {
        jobs.insert(format!("plan-{}", platform.environment.name), plan_job(platform).build());
    }
    for platform in roots.iter().filter(|p| p.environment.branch.is_some()) {
        jobs.insert(format!("apply-{}", platform.environment.name), apply_job(platform).build());
    }
    let all: Vec<Platform> = roots.into_iter().cloned().collect();
    let branches = branches(&all);
    Some(json!({
        "name": "Infrastructure",
        "on": {
            "push": trigger(&branches, Some(&PATHS)),
            "pull_request": trigger(&branches, Some(&PATHS)),
        },
        "permissions": {},
        "concurrency": { "group": "infrastructure-${{ github.ref }}", "cancel-in-progress": false },
        "env": {
            RENDER_DIR: render_dir_env()[RENDER_DIR],
            "TF_IN_AUTOMATION": "true",
            "TF_INPUT": "false",
        },
        "jobs": jobs,
    }))
}

/// The environment's Terraform root, quoted for the shell.
fn root_dir(platform: &Platform) -> String {
    format!("\"${RENDER_DIR}/environments/{}/terraform\"", platform.environment.name)
}

fn setup_terraform() -> Value {
    json!({
        "name": format!("Set up Terraform {TERRAFORM}"),
        "uses": SETUP_TERRAFORM.uses(),
        "with": { "terraform_version": TERRAFORM, "terraform_wrapper": false },
    })
}

/// The repository variable holding the environment's `alb_ready`.
fn alb_ready(platform: &Platform) -> String {
    let name = platform.environment.name.to_uppercase().replace('-', "_");
    format!("${{{{ vars.ALB_READY_{name} || 'false' }}}}")
}

/// Init and plan into `tfplan`.
fn plan_script(platform: &Platform, lock: bool) -> String {
    let dir = root_dir(platform);
    let lock = if lock { "" } else { " -lock=false" };
    format!(
        "terraform -chdir={dir} init\nterraform -chdir={dir} plan{lock} -var \"alb_ready=$ALB_READY\" -out=tfplan\n"
    )
}

/// A job on one environment's root with `role`, whose credentials last as long as the job may run.
fn root_job(platform: &Platform, name: &str, minutes: u32, role: &str, script: String) -> Job {
    let mut credentials = assume_role(role, &platform.cloud.region);
    credentials["with"]["role-duration-seconds"] = json!(minutes * 60);
    let steps = vec![checkout(), setup_terraform(), credentials, run(name, &script)];
    let mut job =
        job(&format!("{name} {}", platform.environment.name), minutes, permissions(&[("id-token", "write")]), steps);
    job.set("needs", json!("check"));
    job.set("env", json!({ "ALB_READY": alb_ready(platform) }));
    job
}

/// The plan of one environment on pull requests, without taking the state lock.
fn plan_job(platform: &Platform) -> Job {
    let dir = root_dir(platform);
    let script = format!(
        "{}{{\n  echo '```'\n  terraform -chdir={dir} show -no-color tfplan\n  echo '```'\n}} >> \"$GITHUB_STEP_SUMMARY\"\n",
        plan_script(platform, false)
    );
    let mut job = root_job(platform, "Plan", 30, &names::github_plan_role(platform), script);
    job.set("if", json!("github.event_name == 'pull_request'"));
    job
}

/// The apply of one environment on a push to its branch.
fn apply_job(platform: &Platform) -> Job {
    let env = &platform.environment.name;
    let branch = platform.environment.branch.as_deref().unwrap_or_default();
    let script = format!("{}terraform -chdir={} apply tfplan\n", plan_script(platform, true), root_dir(platform));
    let minutes = names::TERRAFORM_SESSION_SECONDS / 60;
    let mut job = root_job(platform, "Apply", minutes, &names::github_terraform_role(platform), script);
    job.set("if", json!(format!("github.event_name == 'push' && github.ref == 'refs/heads/{branch}'")));
    job.set("environment", json!(env));
    job.set("concurrency", json!({ "group": format!("terraform-{env}"), "cancel-in-progress": false }));
    job
}
