//! PL-GHA-003 `permissions-broad`: no `write-all`, and write scopes only on the jobs that use them.

use plinth_spec::yaml::escape;
use serde_json::Value;

use super::workflow::jobs;
use crate::{DocumentRule, Hit, RuleDoc, Severity, Target};

/// The rule.
pub const RULE: DocumentRule = DocumentRule {
    doc: RuleDoc {
        id: "PL-GHA-003",
        name: "permissions-broad",
        severity: Severity::Warning,
        target: Target::GithubActions,
        summary: "No `permissions: write-all`, and no write scope granted to the whole workflow",
        doc: DOC,
        equivalents: &["checkov:CKV2_GHA_1", "zizmor:excessive-permissions"],
    },
    check,
};

const DOC: &str = r#"## What
The workflow or a job sets `permissions: write-all`, or the workflow's top-level `permissions`
grants a scope `write` (`contents: write`, `packages: write`, `id-token: write`…), which every job
then inherits. `read-all` and read scopes pass; write scopes on a single job pass, since the job
that publishes or deploys needs them.

## Why
Every step of every job can use the token. A write scope at the top hands it to jobs that only
lint or test and run third-party code (npm install scripts, test dependencies): one compromised
dependency can then push to the default branch, publish a package, or (with `id-token: write`)
assume the cloud roles that trust the repository.

## Fix
Deny at the top, grant per job:

```yaml
permissions: {}
jobs:
  test:
    permissions:
      contents: read
  release:
    needs: test
    permissions:
      contents: write
```

## References
- GitHub: [Controlling permissions for `GITHUB_TOKEN`](https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/controlling-permissions-for-github_token)
- Checkov `CKV2_GHA_1` ("Ensure top-level permissions are not set to write-all"; this rule also
  covers jobs and single write scopes at the top); zizmor `excessive-permissions`
"#;

fn check(doc: &Value, hits: &mut Vec<Hit>) {
    match doc.get("permissions") {
        Some(Value::String(all)) if all == "write-all" => {
            hits.push(Hit::new("/permissions", "the workflow grants write-all permissions to every job"));
        }
        Some(Value::Object(scopes)) => {
            for scope in scopes.iter().filter(|(_, level)| level.as_str() == Some("write")).map(|(scope, _)| scope) {
                hits.push(Hit::new(
                    format!("/permissions/{}", escape(scope)),
                    format!("the workflow grants {scope}: write to every job; grant it in the jobs that need it"),
                ));
            }
        }
        _ => {}
    }
    for job in jobs(doc) {
        if job.body.get("permissions").and_then(Value::as_str) == Some("write-all") {
            hits.push(Hit::new(job.at("permissions"), format!("job \"{}\" grants write-all permissions", job.id)));
        }
    }
}
