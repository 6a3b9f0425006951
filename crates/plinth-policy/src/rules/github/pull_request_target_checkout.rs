//! PL-GHA-004 `pull-request-target-checkout`: a `pull_request_target` workflow never checks out the
//! pull request's code.

use serde_json::Value;

use super::workflow::{jobs, triggered_by};
use crate::{DocumentRule, Hit, RuleDoc, Severity, Target};

/// The rule.
pub const RULE: DocumentRule = DocumentRule {
    doc: RuleDoc {
        id: "PL-GHA-004",
        name: "pull-request-target-checkout",
        severity: Severity::Error,
        target: Target::GithubActions,
        summary: "A `pull_request_target` workflow does not check out the pull request's head",
        doc: DOC,
        equivalents: &["zizmor:dangerous-triggers"],
    },
    check,
};

const DOC: &str = r#"## What
The workflow runs on `pull_request_target` and an `actions/checkout` step's `ref` names the pull
request's code: `github.event.pull_request.head.sha`, `.head.ref`, `github.head_ref`, or a
`refs/pull/…` ref.

## Why
`pull_request_target` runs in the context of the base repository, with its secrets and a token
that can write, even for pull requests from forks. Checking out the head and then building,
testing or installing it runs the stranger's code with those secrets ("pwn request"). The
trigger is safe only for workflows that never execute the pull request's contents (labelling,
commenting).

## Fix
Use `pull_request` for anything that builds or tests the change; if privileged follow-up work is
needed (commenting results), do it in a separate `workflow_run` workflow that handles only the
uploaded artifacts as data:

```yaml
on: pull_request
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with:
          persist-credentials: false
```

## References
- GitHub Security Lab: [Keeping your GitHub Actions and workflows secure: preventing pwn requests](https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/)
- GitHub: [`pull_request_target`](https://docs.github.com/en/actions/writing-workflows/choosing-when-your-workflow-runs/events-that-trigger-workflows#pull_request_target)
- Checkov and actionlint have no such check; zizmor's `dangerous-triggers` flags the trigger itself
"#;

/// Whether an expression or literal ref names the pull request's head.
fn is_head(reference: &str) -> bool {
    let reference = reference.replace(' ', "");
    reference.contains("github.event.pull_request.head.")
        || reference.contains("github.head_ref")
        || reference.contains("refs/pull/")
}

fn check(doc: &Value, hits: &mut Vec<Hit>) {
    if !triggered_by(doc, &["pull_request_target"]) {
        return;
    }
    for job in jobs(doc) {
        for step in job.steps() {
            let Some(reference) = step.with("ref").and_then(Value::as_str) else { continue };
            if step.uses_action("actions/checkout") && is_head(reference) {
                hits.push(Hit::new(
                    step.at("with/ref"),
                    format!(
                        "{} checks out the pull request's head ({reference}) in a pull_request_target workflow",
                        step.describe()
                    ),
                ));
            }
        }
    }
}
