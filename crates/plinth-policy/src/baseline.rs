//! Baselines: the findings a project accepts for now (`--write-baseline`), so that a later run
//! (`--baseline`) reports only new ones. Findings are matched by [`Finding::fingerprint`], which
//! has no line numbers: edits elsewhere in a file do not resurrect them. The file is JSON and
//! lists each finding readably, so a baseline can be reviewed.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::finding::Finding;

/// The format version written into every baseline.
const VERSION: u32 = 1;

/// A set of accepted findings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    /// Format version (1).
    pub version: u32,
    /// The accepted findings.
    pub findings: Vec<Entry>,
}

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entry {
    /// [`Finding::fingerprint`].
    pub fingerprint: String,
    /// Rule id, for readers.
    pub rule: String,
    /// Path, for readers.
    pub path: String,
    /// Message, for readers.
    pub message: String,
}

impl Baseline {
    /// The baseline accepting `findings`.
    pub fn of(findings: &[Finding]) -> Self {
        let mut entries: Vec<Entry> = findings
            .iter()
            .map(|f| Entry {
                fingerprint: f.fingerprint(),
                rule: f.rule.to_owned(),
                path: f.path.clone(),
                message: f.message.clone(),
            })
            .collect();
        entries.sort();
        entries.dedup();
        Baseline { version: VERSION, findings: entries }
    }

    /// Reads a baseline file's text.
    pub fn parse(text: &str) -> Result<Self, String> {
        let baseline: Baseline = serde_json::from_str(text).map_err(|err| format!("not a plinth baseline: {err}"))?;
        if baseline.version != VERSION {
            return Err(format!("baseline version {} is not supported (expected {VERSION})", baseline.version));
        }
        Ok(baseline)
    }

    /// The file's text (pretty JSON, sorted, ending with a newline).
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// The fingerprints, for fast matching.
    pub fn fingerprints(&self) -> HashSet<&str> {
        self.findings.iter().map(|e| e.fingerprint.as_str()).collect()
    }
}
