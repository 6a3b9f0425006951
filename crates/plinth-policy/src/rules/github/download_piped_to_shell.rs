//! PL-GHA-007 `download-piped-to-shell`: no script runs what it downloads without checking it.

use serde_json::Value;

use super::workflow::jobs;
use crate::{DocumentRule, Hit, RuleDoc, Severity, Target};

/// The rule.
pub const RULE: DocumentRule = DocumentRule {
    doc: RuleDoc {
        id: "PL-GHA-007",
        name: "download-piped-to-shell",
        severity: Severity::Warning,
        target: Target::GithubActions,
        summary: "`run:` scripts do not pipe `curl`/`wget` output into a shell or interpreter",
        doc: DOC,
        equivalents: &[],
    },
    check,
};

const DOC: &str = r#"## What
A `run:` script downloads with `curl` or `wget` and hands the result straight to a shell or an
interpreter: `curl … | sh`, `wget -O- … | sudo bash`, `bash <(curl …)`, `sh -c "$(curl …)"`
(also `python`, `perl`, `ruby`, `node`).

## Why
The script that runs is whatever the server returns at that moment: a compromised or hijacked
host, a moved domain or a tampered CDN runs code on the runner with the job's token and
secrets. Nothing records what ran. A truncated download can even execute half a script.

## Fix
Download a pinned version to a file, verify its checksum (or signature), then run it, or use a
pinned action:

```yaml
- name: Install tool
  run: |
    curl -fsSLo tool.tar.gz "https://example.com/tool/v1.2.3/tool-linux-amd64.tar.gz"
    echo "3b0c…  tool.tar.gz" | sha256sum --check
    tar -xzf tool.tar.gz
```

## References
- OpenSSF Scorecard: Pinned-Dependencies ("downloadThenRun")
- Checkov has no equivalent (`CKV_GHA_3` flags `curl` with secrets in one line, a different
  check); neither actionlint nor hadolint checks this.
"#;

/// Programs that execute their input.
const SHELLS: &[&str] =
    &["sh", "bash", "zsh", "dash", "ksh", "fish", "python", "python3", "perl", "ruby", "node", "pwsh", "iex"];

/// Whether `word` downloads (`curl`, `wget`, with or without a path).
fn is_download(word: &str) -> bool {
    matches!(word.rsplit('/').next(), Some("curl" | "wget"))
}

/// The program a command runs, skipping `sudo`, `env` and their options and assignments.
fn program(command: &str) -> Option<&str> {
    command
        .split_whitespace()
        .find(|word| !matches!(*word, "sudo" | "env" | "exec") && !word.starts_with('-') && !word.contains('='))
        .map(|word| word.rsplit('/').next().unwrap_or(word))
}

/// Whether one logical line of shell downloads and executes.
fn downloads_and_runs(line: &str) -> bool {
    let mut commands = line.split('|').filter(|c| !c.is_empty());
    let piped = commands.clone().enumerate().any(|(idx, command)| {
        command.split_whitespace().any(is_download)
            && commands.clone().skip(idx + 1).any(|next| program(next).is_some_and(|p| SHELLS.contains(&p)))
    });
    let substituted = ["<(curl", "<(wget", "$(curl", "$(wget"].iter().any(|pattern| line.contains(pattern))
        && commands.next().and_then(program).is_some_and(|p| SHELLS.contains(&p));
    piped || substituted
}

fn check(doc: &Value, hits: &mut Vec<Hit>) {
    for job in jobs(doc) {
        for step in job.steps() {
            let Some(run) = step.run() else { continue };
            if run.replace("\\\n", " ").lines().any(downloads_and_runs) {
                hits.push(Hit::new(step.at("run"), format!("{} pipes a download into a shell", step.describe())));
            }
        }
    }
}
