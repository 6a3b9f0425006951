//! Steps and job pieces every workflow shares: checkout, the build toolchain, AWS credentials
//! through OIDC, and cluster access.

use plinth_spec::model::{Build, Platform};
use plinth_spec::names;
use serde_json::{Map, Value, json};

use super::actions::{AWS_CREDENTIALS, CHECKOUT, SETUP_GO, SETUP_JAVA, SETUP_NODE, SETUP_PYTHON};

/// The runner image jobs run on (a fixed release rather than `ubuntu-latest`, so tools do not move
/// under the workflows; it brings `aws`, `kubectl`, `docker` and `rustup`).
pub const RUNNER: &str = "ubuntu-24.04";

/// A job being built: `name`, the runner, a time limit and `permissions` first, then what the
/// caller [`set`](Job::set)s (`needs`, `if`, `environment`, …), then the steps.
pub struct Job {
    head: Map<String, Value>,
    steps: Vec<Value>,
}

impl Job {
    /// Sets `key` (kept before the steps, in the order set).
    pub fn set(&mut self, key: &str, value: Value) -> &mut Self {
        self.head.insert(key.to_owned(), value);
        self
    }

    /// The job as a value.
    pub fn build(self) -> Value {
        let mut job = self.head;
        job.insert("steps".to_owned(), Value::Array(self.steps));
        Value::Object(job)
    }
}

/// A job on [`RUNNER`] with `name`, a time limit, its `permissions` and its steps.
pub fn job(name: &str, minutes: u32, permissions: Value, steps: Vec<Value>) -> Job {
    let mut head = Map::new();
    head.insert("name".to_owned(), json!(name));
    head.insert("runs-on".to_owned(), json!(RUNNER));
    head.insert("timeout-minutes".to_owned(), json!(minutes));
    head.insert("permissions".to_owned(), permissions);
    Job { head, steps }
}

/// A shell step.
pub fn run(name: &str, script: &str) -> Value {
    json!({ "name": name, "run": script })
}

/// A shell step with environment variables (values that would be unsafe to expand in the script).
pub fn run_with_env(name: &str, env: Value, script: &str) -> Value {
    json!({ "name": name, "env": env, "run": script })
}

/// Checks out the commit that triggered the workflow, without leaving the token in `.git/config`.
pub fn checkout() -> Value {
    json!({ "name": "Check out", "uses": CHECKOUT.uses(), "with": { "persist-credentials": false } })
}

/// Checks out `reference` (an expression such as `${{ github.event.workflow_run.head_sha }}`).
pub fn checkout_at(reference: &str) -> Value {
    json!({ "name": "Check out", "uses": CHECKOUT.uses(), "with": { "ref": reference, "persist-credentials": false } })
}

/// Sets up the toolchain `build.toolchain` names (nothing without one). Rust uses the runner's
/// `rustup` rather than a third-party action.
pub fn toolchain(build: &Build) -> Vec<Value> {
    let Some((language, version)) = &build.toolchain else { return Vec::new() };
    let uses_npm = build.install.as_deref().is_some_and(|cmd| cmd.starts_with("npm "));
    let step = match language.as_str() {
        "node" => {
            let mut with = json!({ "node-version": version });
            if uses_npm {
                with["cache"] = json!("npm");
            }
            json!({ "name": format!("Set up Node.js {version}"), "uses": SETUP_NODE.uses(), "with": with })
        }
        "python" => json!({
            "name": format!("Set up Python {version}"),
            "uses": SETUP_PYTHON.uses(),
            "with": { "python-version": version },
        }),
        "go" => {
            json!({ "name": format!("Set up Go {version}"), "uses": SETUP_GO.uses(), "with": { "go-version": version } })
        }
        "java" => json!({
            "name": format!("Set up Java {version}"),
            "uses": SETUP_JAVA.uses(),
            "with": { "distribution": "temurin", "java-version": version },
        }),
        "rust" => run(
            &format!("Set up Rust {version}"),
            &format!("rustup toolchain install {version} --profile minimal\nrustup default {version}\n"),
        ),
        _ => return Vec::new(),
    };
    vec![step]
}

/// The toolchain, then the dependency install (`build.install`), as one list.
pub fn prepare(build: &Build) -> Vec<Value> {
    let mut steps = toolchain(build);
    if let Some(install) = &build.install {
        steps.push(run("Install dependencies", install));
    }
    steps
}

/// The ARN of an IAM role in the account held by the `AWS_ACCOUNT_ID` repository variable.
pub fn role_arn(role: &str) -> String {
    format!("arn:aws:iam::${{{{ vars.AWS_ACCOUNT_ID }}}}:role/{role}")
}

/// Assumes `role` in `region` with the job's OIDC token (the job needs `id-token: write`); no
/// stored keys.
pub fn assume_role(role: &str, region: &str) -> Value {
    json!({
        "name": "AWS credentials (OIDC)",
        "uses": AWS_CREDENTIALS.uses(),
        "with": { "role-to-assume": role_arn(role), "role-session-name": "github-${{ github.run_id }}", "aws-region": region },
    })
}

/// Assumes the environment's deploy role and points `kubectl` at its EKS cluster.
pub fn cluster_access(platform: &Platform) -> Vec<Value> {
    vec![
        assume_role(&names::github_deploy_role(platform), &platform.cloud.region),
        run(
            "Connect to the cluster",
            &format!(
                "aws eks update-kubeconfig --name {} --region {}\n",
                names::cluster_name(platform),
                platform.cloud.region
            ),
        ),
    ]
}

/// `permissions` granting `contents: read` plus `extra` scopes.
pub fn permissions(extra: &[(&str, &str)]) -> Value {
    let mut map = Map::new();
    map.insert("contents".to_owned(), json!("read"));
    for (scope, level) in extra {
        map.insert((*scope).to_owned(), json!(level));
    }
    Value::Object(map)
}
