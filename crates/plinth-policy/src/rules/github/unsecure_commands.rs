//! PL-GHA-008 `unsecure-commands`: the deprecated `set-env` and `add-path` workflow commands stay
//! disabled.

use plinth_spec::yaml::escape;
use serde_json::Value;

use super::workflow::env_blocks;
use crate::{DocumentRule, Hit, RuleDoc, Severity, Target};

/// The rule.
pub const RULE: DocumentRule = DocumentRule {
    doc: RuleDoc {
        id: "PL-GHA-008",
        name: "unsecure-commands",
        severity: Severity::Error,
        target: Target::GithubActions,
        summary: "No `env:` sets `ACTIONS_ALLOW_UNSECURE_COMMANDS: true`",
        doc: DOC,
        equivalents: &["checkov:CKV_GHA_1", "zizmor:insecure-commands"],
    },
    check,
};

const DOC: &str = r#"## What
The workflow, a job or a step sets `ACTIONS_ALLOW_UNSECURE_COMMANDS` to `true` in its `env:`.

## Why
The variable re-enables the `::set-env::` and `::add-path::` commands that GitHub disabled in
2020 (CVE-2020-15228): any process whose output reaches the log, including one printing an
issue title or a file from a pull request, can then set `LD_PRELOAD`, `NODE_OPTIONS` or `PATH`
for every later step and take over the job.

## Fix
Remove the variable and write to the environment files instead:

```yaml
- run: |
    echo "TOOL_HOME=$RUNNER_TEMP/tool" >> "$GITHUB_ENV"
    echo "$RUNNER_TEMP/tool/bin" >> "$GITHUB_PATH"
```

## References
- GitHub: [Deprecating set-env and add-path commands](https://github.blog/changelog/2020-10-01-github-actions-deprecating-set-env-and-add-path-commands/)
- CVE-2020-15228
- Checkov `CKV_GHA_1`; zizmor `insecure-commands`
"#;

/// Whether an environment value turns the commands on.
fn enables(value: &Value) -> bool {
    match value {
        Value::Bool(flag) => *flag,
        Value::String(text) => text.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

fn check(doc: &Value, hits: &mut Vec<Hit>) {
    const NAME: &str = "ACTIONS_ALLOW_UNSECURE_COMMANDS";
    for (pointer, owner, env) in env_blocks(doc) {
        if env.get(NAME).is_some_and(enables) {
            hits.push(Hit::new(
                format!("{pointer}/{}", escape(NAME)),
                format!("{owner} re-enables the set-env and add-path commands ({NAME})"),
            ));
        }
    }
}
