//! The result of a check run: findings, what was suppressed, inputs that could not be read, and
//! notes about inputs plinth recognised but has no rules for yet. Serialised as `--output json`.

use serde::Serialize;

use crate::finding::{Finding, Severity};

/// Everything one run found. Its JSON form (`plinth check --output json`) is stable: fields are
/// only ever added.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Files whose format was recognised and checked.
    pub files: usize,
    /// Files skipped because their format was not recognised.
    pub skipped: usize,
    /// Findings that remain after suppressions and the baseline, sorted by path, line, column, rule.
    pub findings: Vec<Finding>,
    /// Findings silenced by an inline comment, an annotation or the config file, with the reason.
    pub suppressed: Vec<Suppressed>,
    /// How many findings the baseline absorbed.
    pub baselined: usize,
    /// Inputs that could not be checked (syntax errors, binary or oversized files); any makes the
    /// run fail with exit code 2.
    pub errors: Vec<InputError>,
}

/// A finding silenced by a suppression.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Suppressed {
    /// The finding.
    pub finding: Finding,
    /// The suppression's reason (empty when it gave none, which is itself a finding).
    pub reason: String,
}

/// An input that could not be checked, located where possible.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct InputError {
    /// Path of the file.
    pub path: String,
    /// 1-based line (1 when the whole file is at fault).
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl InputError {
    /// An error about the whole file.
    pub fn file(path: &str, message: impl Into<String>) -> Self {
        InputError { path: path.to_owned(), line: 1, column: 1, message: message.into() }
    }

    /// A file larger than `limit` bytes.
    pub fn too_large(path: &str, size: u64, limit: usize) -> Self {
        let mb = |bytes: u64| bytes.div_ceil(1 << 20);
        InputError::file(path, format!("file is {} MB, over the {} MB limit; not checked", mb(size), mb(limit as u64)))
    }

    /// A file that is not UTF-8 text.
    pub fn binary(path: &str) -> Self {
        InputError::file(path, "binary file (not UTF-8 text); not checked")
    }
}

impl Report {
    /// Both reports' counts and lists together (unsorted; see `finish`).
    pub fn merge(mut self, other: Report) -> Report {
        self.files += other.files;
        self.skipped += other.skipped;
        self.findings.extend(other.findings);
        self.suppressed.extend(other.suppressed);
        self.baselined += other.baselined;
        self.errors.extend(other.errors);
        self
    }

    /// How many findings have `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == severity).count()
    }

    /// Whether any finding reaches `threshold`.
    pub fn fails(&self, threshold: Severity) -> bool {
        self.findings.iter().any(|f| f.severity >= threshold)
    }
}
