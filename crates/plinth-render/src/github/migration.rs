//! `database-migration.yml` (seed 002's Database Migration Workflow): dispatched by hand with the
//! environment (one of the Kubernetes environments) and the action, `migrate` (`build.migrate`'s
//! up command) or `rollback` (its down command). The job runs in the chosen GitHub environment, so
//! production's reviewers approve it, and reads `DATABASE_URL` from that environment's secrets.

use plinth_spec::model::Platform;
use serde_json::{Value, json};

use super::kubernetes;
use super::steps::{RUNNER, checkout, job, permissions, prepare, run_with_env};

/// The header of database-migration.yml.
pub const HEADER: &str = "Database migration: run by hand (Actions → Database migration → Run workflow).
DATABASE_URL is a secret of the chosen GitHub environment. The database must be reachable from the
runner: managed databases sit in private subnets, so set the repository variable MIGRATION_RUNNER
to the label of a self-hosted runner inside the VPC (default: a GitHub-hosted runner).";

/// The workflow, when the spec has migrations and an environment on Kubernetes.
pub fn workflow(platforms: &[Platform]) -> Option<Value> {
    let build = &platforms.first()?.build;
    let (up, down) = build.migrate.as_ref()?;
    let environments: Vec<&str> = kubernetes(platforms).map(|p| p.environment.name.as_str()).collect();
    if environments.is_empty() {
        return None;
    }
    let mut steps = vec![checkout()];
    steps.extend(prepare(build));
    steps.push(run_with_env(
        "Run the migration",
        json!({ "ACTION": "${{ inputs.action }}", "DATABASE_URL": "${{ secrets.DATABASE_URL }}" }),
        &format!("case \"$ACTION\" in\n  migrate) {up} ;;\n  rollback) {down} ;;\nesac\n"),
    ));
    let mut job = job("${{ inputs.action }} on ${{ inputs.environment }}", 30, permissions(&[]), steps);
    job.set("runs-on", json!(format!("${{{{ vars.MIGRATION_RUNNER || '{RUNNER}' }}}}")));
    job.set("environment", json!("${{ inputs.environment }}"));
    job.set("concurrency", json!({ "group": "migration-${{ inputs.environment }}", "cancel-in-progress": false }));
    Some(json!({
        "name": "Database migration",
        "on": {
            "workflow_dispatch": {
                "inputs": {
                    "environment": {
                        "description": "Environment to run migrations",
                        "required": true,
                        "type": "choice",
                        "options": environments,
                    },
                    "action": {
                        "description": "Migration action",
                        "required": true,
                        "type": "choice",
                        "options": ["migrate", "rollback"],
                        "default": "migrate",
                    },
                },
            },
        },
        "permissions": {},
        "jobs": { "migrate": job.build() },
    }))
}
