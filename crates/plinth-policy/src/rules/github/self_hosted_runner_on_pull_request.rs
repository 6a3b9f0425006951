//! PL-GHA-009 `self-hosted-runner-on-pull-request`: pull-request workflows run on GitHub-hosted
//! runners.

use serde_json::Value;

use super::workflow::{PULL_REQUEST_EVENTS, jobs, triggered_by};
use crate::{DocumentRule, Hit, RuleDoc, Severity, Target};

/// The rule.
pub const RULE: DocumentRule = DocumentRule {
    doc: RuleDoc {
        id: "PL-GHA-009",
        name: "self-hosted-runner-on-pull-request",
        severity: Severity::Info,
        target: Target::GithubActions,
        summary: "Jobs of workflows triggered by pull requests do not run on self-hosted runners",
        doc: DOC,
        equivalents: &["zizmor:self-hosted-runner"],
    },
    check,
};

const DOC: &str = r#"## What
The workflow runs on `pull_request` or `pull_request_target`, and a job's `runs-on` includes the
`self-hosted` label (as a string, in a list, or in `labels:`). A `runs-on` computed by an
expression cannot be judged and passes.

## Why
In a public repository anyone can open a pull request, and a `pull_request` workflow runs the
pull request's code. On a self-hosted runner that code runs on your machine, inside your network,
and non-ephemeral runners keep whatever it leaves behind (a backdoored toolchain, a process
waiting for the next job's secrets). GitHub recommends self-hosted runners only for private
repositories. It is informational because private repositories, and repositories that require
approval for outside contributors' workflows, are safe.

## Fix
Run pull-request jobs on GitHub-hosted runners, and keep self-hosted runners for trusted
events, ephemeral (`--ephemeral`) and in a group restricted to selected workflows:

```yaml
on: pull_request
jobs:
  test:
    runs-on: ubuntu-24.04
```

## References
- GitHub: [Hardening for self-hosted runners](https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#hardening-for-self-hosted-runners)
- Checkov and actionlint have no such check; zizmor `self-hosted-runner`
"#;

/// Whether a `runs-on` value includes the `self-hosted` label.
fn is_self_hosted(runs_on: &Value) -> bool {
    match runs_on {
        Value::String(label) => label == "self-hosted",
        Value::Array(labels) => labels.iter().any(is_self_hosted),
        Value::Object(group) => group.get("labels").is_some_and(is_self_hosted),
        _ => false,
    }
}

fn check(doc: &Value, hits: &mut Vec<Hit>) {
    if !triggered_by(doc, PULL_REQUEST_EVENTS) {
        return;
    }
    for job in jobs(doc) {
        if job.body.get("runs-on").is_some_and(is_self_hosted) {
            hits.push(Hit::new(
                job.at("runs-on"),
                format!("job \"{}\" runs pull requests' code on a self-hosted runner", job.id),
            ));
        }
    }
}
