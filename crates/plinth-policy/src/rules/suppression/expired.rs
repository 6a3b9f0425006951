//! PL-SUPPRESS-002: a suppression past its expiry date no longer silences anything.

use crate::Severity;
use crate::rule::{RuleDoc, Target};

/// The rule.
pub const EXPIRED: RuleDoc = RuleDoc {
    id: "PL-SUPPRESS-002",
    name: "suppression-expired",
    severity: Severity::Warning,
    target: Target::Suppressions,
    summary: "A suppression is past its `until` date",
    doc: "## What\n\nA suppression whose `until=YYYY-MM-DD` (`plinth.dev/ignore-until`, `until:` in \
          `.plinth-check.yaml`) is in the past.\n\n## Why\n\nExpiring suppressions make accepted risks come \
          back for review. Once expired, the suppression no longer applies: the findings it silenced are \
          reported again, and so is the suppression itself.\n\n## Fix\n\nFix the findings and remove the \
          suppression, or extend `until` with a fresh reason.\n",
    equivalents: &["tfsec:ignore:exp", "trivy:ignore:exp"],
};
