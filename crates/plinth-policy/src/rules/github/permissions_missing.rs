//! PL-GHA-002 `permissions-missing`: every job's token permissions are declared.

use serde_json::Value;

use super::workflow::jobs;
use crate::{DocumentRule, Hit, RuleDoc, Severity, Target};

/// The rule.
pub const RULE: DocumentRule = DocumentRule {
    doc: RuleDoc {
        id: "PL-GHA-002",
        name: "permissions-missing",
        severity: Severity::Warning,
        target: Target::GithubActions,
        summary: "The workflow or every job declares `permissions`",
        doc: DOC,
        equivalents: &["zizmor:excessive-permissions"],
    },
    check,
};

const DOC: &str = r#"## What
The workflow has no top-level `permissions`, and a job has none of its own. (With a top-level
`permissions`, jobs without their own inherit it, which is fine.)

## Why
A job without declared permissions gets the repository's default `GITHUB_TOKEN` permissions,
which are read-write on every scope for repositories created before February 2023 and for many
organisations still: any step, and any action it runs, can then push commits, publish packages
or edit releases. Declaring permissions makes the token least-privilege whatever the settings.

## Fix
Deny everything at the top and grant each job what it uses:

```yaml
permissions: {}
jobs:
  test:
    runs-on: ubuntu-24.04
    permissions:
      contents: read
```

## References
- GitHub: [Controlling permissions for `GITHUB_TOKEN`](https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/controlling-permissions-for-github_token)
- OpenSSF Scorecard: Token-Permissions
- Checkov has no check for missing permissions (`CKV2_GHA_1` only rejects `write-all`, see
  PL-GHA-003); actionlint validates permission names, not their presence.
"#;

fn check(doc: &Value, hits: &mut Vec<Hit>) {
    if doc.get("permissions").is_some() {
        return;
    }
    for job in jobs(doc) {
        if !job.body.contains_key("permissions") {
            hits.push(Hit::new(
                job.pointer(),
                format!(
                    "job \"{}\" declares no permissions and neither does the workflow: it gets the repository's default token permissions",
                    job.id
                ),
            ));
        }
    }
}
