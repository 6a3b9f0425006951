//! PL-GHA-001 `unpinned-action`: every action and reusable workflow is pinned to a full commit SHA.

use serde_json::Value;

use super::workflow::jobs;
use crate::{DocumentRule, Hit, RuleDoc, Severity, Target};

/// The rule.
pub const RULE: DocumentRule = DocumentRule {
    doc: RuleDoc {
        id: "PL-GHA-001",
        name: "unpinned-action",
        severity: Severity::Warning,
        target: Target::GithubActions,
        summary: "Every `uses:` names a full 40-character commit SHA (or an image digest)",
        doc: DOC,
        equivalents: &["zizmor:unpinned-uses", "scorecard:Pinned-Dependencies"],
    },
    check,
};

const DOC: &str = r#"## What
A step's `uses:` (an action) or a job's `uses:` (a reusable workflow) refers to a tag or a branch
(`@v4`, `@main`) or a short SHA, rather than a full 40-character commit SHA; or a `docker://`
action names an image without an `@sha256:` digest. Local actions (`./…`) are exempt.

First-party actions (`actions/*`, `github/*`) are **not** exempt: their tags are as mutable as
anyone's, a compromised maintainer token can move them, and pinning everything keeps one simple
rule, as OpenSSF Scorecard's `Pinned-Dependencies` scores it. plinth's own rendered workflows pin
every action.

## Why
A tag is a pointer the action's owner (or whoever steals their token) can move: in March 2025
every tag of `tj-actions/changed-files` was rewritten to a commit that printed the runners'
secrets into public logs. A commit SHA cannot be moved. Dependabot and Renovate keep SHA pins up
to date and keep the version in a trailing comment.

## Fix

```yaml
steps:
  - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
```

## References
- GitHub: [Security hardening for GitHub Actions: using third-party actions](https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#using-third-party-actions)
- CVE-2025-30066 (tj-actions/changed-files)
- zizmor `unpinned-uses`; OpenSSF Scorecard `Pinned-Dependencies` (GitHub workflows' `uses:`
  among other dependencies). Checkov (3.2) has no check for this.
"#;

/// Whether `uses` is pinned: a local path, a full commit SHA, or a docker image by digest.
fn is_pinned(uses: &str) -> bool {
    if uses.starts_with("./") {
        return true;
    }
    if let Some(image) = uses.strip_prefix("docker://") {
        return image.contains("@sha256:");
    }
    uses.rsplit_once('@').is_some_and(|(_, reference)| {
        reference.len() == 40 && reference.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

fn check(doc: &Value, hits: &mut Vec<Hit>) {
    for job in jobs(doc) {
        if let Some(uses) = job.body.get("uses").and_then(Value::as_str).filter(|uses| !is_pinned(uses)) {
            hits.push(Hit::new(
                job.at("uses"),
                format!("job \"{}\" calls {uses}, not pinned to a full commit SHA", job.id),
            ));
        }
        for step in job.steps() {
            if let Some(uses) = step.uses().filter(|uses| !is_pinned(uses)) {
                hits.push(Hit::new(
                    step.at("uses"),
                    format!("{} uses {uses}, not pinned to a full commit SHA", step.describe()),
                ));
            }
        }
    }
}
