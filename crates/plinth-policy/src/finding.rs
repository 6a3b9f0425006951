//! What a check reports: a rule's finding at a place in a file, and severities.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How much a finding matters; `--fail-on` compares against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never fails a run by default.
    Info,
    /// A weakness to fix.
    Warning,
    /// A defect that should block a deployment.
    Error,
}

impl Severity {
    /// The lowercase name (`warning`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One finding: a rule broken at a place.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    /// Path of the file as given (`/`-separated).
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// Rule id (`PL-K8S-001`).
    pub rule: &'static str,
    /// The rule's severity.
    pub severity: Severity,
    /// What is wrong here, naming the object (`container api in Deployment/web runs as root`).
    pub message: String,
    /// The object the finding is about, when the file holds several (`Deployment/shop/web` for
    /// Kubernetes, the environment for the spec); empty otherwise.
    pub object: String,
}

impl Finding {
    /// A stable identity that survives edits elsewhere in the file: a hash of the rule, path,
    /// object and message, without line numbers (baselines and SARIF `partialFingerprints`).
    pub fn fingerprint(&self) -> String {
        let mut hasher = Sha256::new();
        for part in [self.rule, &self.path, &self.object, &self.message] {
            hasher.update(part.as_bytes());
            hasher.update([0]);
        }
        hasher.finalize().iter().take(16).map(|byte| format!("{byte:02x}")).collect()
    }
}
