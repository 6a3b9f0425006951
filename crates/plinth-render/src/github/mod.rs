//! The GitHub Actions backend: the application's workflows, rendered once for all environments
//! under `.github/workflows/`: `ci.yml` (lint, test, scans, one image per service), `deploy.yml`
//! (each Kubernetes environment from its branch, with its delivery strategy, smoke checks and a
//! rollback job), `database-migration.yml` (manual migrate / rollback, when the spec has
//! migrations) and `infrastructure.yml` (Terraform fmt, validate and plan on pull requests, apply
//! from the environment's branch).
//!
//! **Where the rendered output lives.** The workflows read the kustomizations and Terraform roots
//! from `$PLINTH_DIR/environments/<env>/…` and `$PLINTH_DIR/terraform/modules/`, where `PLINTH_DIR`
//! is the repository variable of that name (default `.`, the repository root): commit the render
//! output at the root, or set the variable to its directory. AWS is reached only through OIDC roles
//! (`plinth_spec::names`) in the account of the repository variable `AWS_ACCOUNT_ID`; no stored keys.
//! Every workflow grants nothing by default (`permissions: {}`), and each job asks for what it uses.

mod actions;
mod ci;
mod deploy;
mod infrastructure;
mod migration;
mod steps;

use std::collections::BTreeSet;

use plinth_spec::model::{Platform, Runtime};
use serde_json::{Value, json};

use crate::Artifacts;
use crate::artifacts::to_yaml;

/// The `name` of ci.yml, which deploy.yml waits for.
const CI_WORKFLOW: &str = "CI";

/// The workflow-level `env` holding the directory of the rendered output.
const RENDER_DIR: &str = "PLINTH_DIR";

/// Renders the workflows of the application whose environments are `platforms`.
pub fn render(platforms: &[Platform], artifacts: &mut Artifacts) {
    let Some(app) = platforms.first() else { return };
    let workflows = [
        ("ci.yml", ci::HEADER, Some(ci::workflow(platforms))),
        ("deploy.yml", deploy::HEADER, deploy::workflow(platforms)),
        ("database-migration.yml", migration::HEADER, migration::workflow(platforms)),
        ("infrastructure.yml", infrastructure::HEADER, infrastructure::workflow(platforms)),
    ];
    for (file, header, workflow) in workflows {
        let Some(workflow) = workflow else { continue };
        let mut text = format!(
            "# Rendered by plinth from plinth.yaml (application {}).\n# Do not edit: change plinth.yaml and run `plinth render`.\n",
            app.name
        );
        for line in header.lines().chain(PATHS.lines()) {
            text.push_str("# ");
            text.push_str(line);
            text.push('\n');
        }
        text.push_str(&actions::annotate(&to_yaml(&workflow)));
        artifacts.add(format!(".github/workflows/{file}"), text);
    }
}

/// The header lines on the render-directory convention.
const PATHS: &str = "Paths: the rendered output is read from $PLINTH_DIR (repository variable PLINTH_DIR, default
the repository root): environments/<env>/kubernetes, environments/<env>/terraform, terraform/modules.";

/// The environments that run on Kubernetes (deployed, migrated, and provisioned with Terraform).
fn kubernetes(platforms: &[Platform]) -> impl Iterator<Item = &Platform> {
    platforms.iter().filter(|p| p.environment.runtime == Runtime::Kubernetes)
}

/// The branches that deploy somewhere, sorted and without duplicates.
fn branches(platforms: &[Platform]) -> Vec<String> {
    let set: BTreeSet<&String> = platforms.iter().filter_map(|p| p.environment.branch.as_ref()).collect();
    set.into_iter().cloned().collect()
}

/// An event filter on `branches` (and `paths`, when given); `null` (every branch) without branches.
fn trigger(branches: &[String], paths: Option<&[&str]>) -> Value {
    let mut filter = serde_json::Map::new();
    if !branches.is_empty() {
        filter.insert("branches".to_owned(), json!(branches));
    }
    if let Some(paths) = paths {
        filter.insert("paths".to_owned(), json!(paths));
    }
    if filter.is_empty() { Value::Null } else { Value::Object(filter) }
}

/// The workflow-level `env` setting the render directory.
fn render_dir_env() -> Value {
    json!({ RENDER_DIR: "${{ vars.PLINTH_DIR || '.' }}" })
}
