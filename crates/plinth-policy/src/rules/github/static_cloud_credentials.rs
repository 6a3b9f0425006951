//! PL-GHA-006 `static-cloud-credentials`: workflows reach the cloud through OIDC, not long-lived
//! keys.

use plinth_spec::yaml::escape;
use serde_json::Value;

use super::workflow::{env_blocks, jobs};
use crate::{DocumentRule, Hit, RuleDoc, Severity, Target};

/// The rule.
pub const RULE: DocumentRule = DocumentRule {
    doc: RuleDoc {
        id: "PL-GHA-006",
        name: "static-cloud-credentials",
        severity: Severity::Error,
        target: Target::GithubActions,
        summary: "Cloud access uses OIDC (`role-to-assume`, workload identity), not stored access keys",
        doc: DOC,
        equivalents: &[],
    },
    check,
};

const DOC: &str = r#"## What
A step passes long-lived cloud credentials: the `aws-access-key-id` / `aws-secret-access-key`
inputs (of `aws-actions/configure-aws-credentials` or any action), `creds` of `azure/login`,
`credentials_json` of `google-github-actions/auth`; or an `env:` of the workflow, a job or a step
sets `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AZURE_CLIENT_SECRET`, `ARM_CLIENT_SECRET` or
`GOOGLE_CREDENTIALS`.

## Why
A stored key works from anywhere, for anyone who obtains it, until someone rotates it by hand;
every workflow run (and every action in it) can read and exfiltrate it. GitHub's OIDC token
instead lets the job assume a role whose trust policy names the repository, branch or
environment, with credentials that expire with the job.

## Fix
Grant `id-token: write` to the job and assume a role:

```yaml
jobs:
  deploy:
    permissions:
      contents: read
      id-token: write
    steps:
      - uses: aws-actions/configure-aws-credentials@e3dd6a429d7300a6a4c196c26e071d42e0343502 # v4.0.2
        with:
          role-to-assume: arn:aws:iam::123456789012:role/app-github-deploy
          aws-region: eu-west-1
```

## References
- GitHub: [About security hardening with OpenID Connect](https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect)
- AWS: [configure-aws-credentials, OIDC](https://github.com/aws-actions/configure-aws-credentials#oidc)
- No incumbent has this check for workflows: Checkov's `CKV_GHA_3` looks for `curl` with secrets,
  and `CKV_AWS_41` (hard-coded keys in a Terraform provider) is the nearest analogue.
"#;

/// Action inputs that carry long-lived credentials.
const INPUTS: &[&str] = &["aws-access-key-id", "aws-secret-access-key", "creds", "credentials_json"];

/// Environment variables that carry long-lived credentials.
const VARIABLES: &[&str] =
    &["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AZURE_CLIENT_SECRET", "ARM_CLIENT_SECRET", "GOOGLE_CREDENTIALS"];

/// Whether a value is set (not empty).
fn is_set(value: &Value) -> bool {
    !matches!(value, Value::Null) && value.as_str() != Some("")
}

fn check(doc: &Value, hits: &mut Vec<Hit>) {
    for job in jobs(doc) {
        for step in job.steps() {
            for input in INPUTS {
                if step.with(input).is_some_and(is_set) {
                    hits.push(Hit::new(
                        step.at(&format!("with/{input}")),
                        format!(
                            "{} passes a long-lived cloud credential ({input}) instead of using OIDC",
                            step.describe()
                        ),
                    ));
                }
            }
        }
    }
    for (pointer, owner, env) in env_blocks(doc) {
        for (name, value) in env {
            if VARIABLES.contains(&name.as_str()) && is_set(value) {
                hits.push(Hit::new(
                    format!("{pointer}/{}", escape(name)),
                    format!("{owner} sets {name}: a long-lived cloud credential instead of OIDC"),
                ));
            }
        }
    }
}
