//! PL-SUPPRESS-001: a suppression gives a reason (and, when it has one, a valid expiry date).

use crate::Severity;
use crate::rule::{RuleDoc, Target};

/// The rule.
pub const WITHOUT_REASON: RuleDoc = RuleDoc {
    id: "PL-SUPPRESS-001",
    name: "suppression-reason",
    severity: Severity::Warning,
    target: Target::Suppressions,
    summary: "A suppression says why (reason=\"…\") and is well formed",
    doc: "## What\n\nA `# plinth:ignore` comment, a `plinth.dev/ignore` annotation (Kubernetes) or label \
          (compose service) or an `ignore:` entry \
          of `.plinth-check.yaml` without a reason, or with an expiry that is not a `YYYY-MM-DD` date.\n\n\
          ## Why\n\nA silenced finding without a reason cannot be reviewed: nobody can tell later whether \
          the risk was accepted on purpose or hidden. The suppression still applies; this finding asks \
          for the reason.\n\n## Fix\n\n```yaml\n# plinth:ignore PL-K8S-001 reason=\"the image needs root; \
          tracked in #123\" until=2026-06-30\n```\n\nor, in a Kubernetes object's annotations or a compose service's \
          labels, `plinth.dev/ignore: PL-K8S-001` with `plinth.dev/ignore-reason: …` (and optionally \
          `plinth.dev/ignore-until`).\n",
    equivalents: &[],
};
