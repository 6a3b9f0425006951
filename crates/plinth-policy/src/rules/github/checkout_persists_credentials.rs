//! PL-GHA-010 `checkout-persists-credentials`: `actions/checkout` does not leave the token in
//! `.git/config` for the steps after it.

use serde_json::Value;

use super::workflow::jobs;
use crate::{DocumentRule, Hit, RuleDoc, Severity, Target};

/// The rule.
pub const RULE: DocumentRule = DocumentRule {
    doc: RuleDoc {
        id: "PL-GHA-010",
        name: "checkout-persists-credentials",
        severity: Severity::Info,
        target: Target::GithubActions,
        summary: "`actions/checkout` sets `persist-credentials: false` when later steps run code",
        doc: DOC,
        equivalents: &["zizmor:artipacked"],
    },
    check,
};

const DOC: &str = r#"## What
An `actions/checkout` step does not set `persist-credentials: false`, and a later step of the
same job runs code or uploads the checkout: a `run:` script, an action outside `actions/*`, or
`actions/upload-artifact` / `actions/upload-pages-artifact`.

## Why
By default the checkout writes the job's `GITHUB_TOKEN` into `.git/config` so that later `git
push` works. Every later step can read it there: a build script, a test, a dependency's install
hook, or a third-party action. It also ends up in any artifact that uploads the working directory
(the "ArtiPACKED" research found tokens leaked that way in public artifacts). It is
informational because a job with a read-only token and no untrusted code loses little.

## Fix
Turn it off, and pass a token explicitly to the one step that pushes:

```yaml
- uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
  with:
    persist-credentials: false
```

## References
- actions/checkout: [`persist-credentials`](https://github.com/actions/checkout#usage)
- Palo Alto Unit 42: "ArtiPACKED: hacking giants through a race condition in GitHub Actions artifacts" (2024)
- Checkov and actionlint have no such check; zizmor `artipacked`
"#;

/// First-party actions that upload the working directory, `.git/config` included.
const UPLOADS: &[&str] = &["actions/upload-artifact", "actions/upload-pages-artifact"];

/// Whether `persist-credentials` is set to false.
fn is_false(value: &Value) -> bool {
    value.as_bool() == Some(false) || value.as_str() == Some("false")
}

fn check(doc: &Value, hits: &mut Vec<Hit>) {
    for job in jobs(doc) {
        let steps = job.steps();
        for (idx, step) in steps.iter().enumerate() {
            if !step.uses_action("actions/checkout") || step.with("persist-credentials").is_some_and(is_false) {
                continue;
            }
            let runs_code = steps[idx + 1..].iter().any(|later| {
                later.run().is_some()
                    || later.uses().is_some_and(|uses| !uses.starts_with("actions/"))
                    || UPLOADS.iter().any(|upload| later.uses_action(upload))
            });
            if runs_code {
                hits.push(Hit::new(
                    step.at("with/persist-credentials"),
                    format!("{} leaves the token in .git/config for the steps after it", step.describe()),
                ));
            }
        }
    }
}
