//! Suppressions from every source — inline `# plinth:ignore` comments, Kubernetes annotations,
//! docker compose labels, Checkov's `#checkov:skip` in Terraform and the config file — in one shape: which rules, where, why and until when. A suppression without a
//! reason still applies but is itself a finding; an expired one no longer applies and is a finding.

mod annotation;
mod checkov;
mod inline;
mod label;

pub use annotation::annotations;
pub use checkov::checkov_skips;
pub use inline::comments;
pub use label::{labels, service_of};

use globset::GlobSet;
use jiff::civil::Date;

use crate::finding::Finding;
use crate::rule::RuleDoc;
use crate::rules::suppression::{EXPIRED, WITHOUT_REASON};

/// The Kubernetes annotation or compose label listing the rules an object silences; its siblings
/// `plinth.dev/ignore-reason` and `plinth.dev/ignore-until` give the reason and the expiry.
const IGNORE: &str = "plinth.dev/ignore";

/// What a suppression covers.
#[derive(Debug, Clone)]
pub enum Scope {
    /// Findings on this 1-based line or the next (a comment at the end of the line, or above it).
    Line(usize),
    /// Findings on the 1-based lines `first` to `last` of a Terraform resource block, and findings
    /// about the resource (by address) in other files of its directory.
    Block(usize, usize, String),
    /// Findings about one object of a file, by index: a document of a Kubernetes file, a service
    /// of a compose file.
    Object(usize),
    /// Findings in files whose path matches.
    Paths(GlobSet),
}

/// One suppression, wherever it was written.
#[derive(Debug, Clone)]
pub struct Suppression {
    /// The rule ids it silences.
    pub rules: Vec<String>,
    /// Why (required).
    pub reason: Option<String>,
    /// Expiry as written (`YYYY-MM-DD`).
    pub until: Option<String>,
    /// A syntax problem in how it was written.
    pub problem: Option<String>,
    /// What it covers.
    pub scope: Scope,
    /// Where it is written: path, 1-based line and column.
    pub at: (String, usize, usize),
}

impl Suppression {
    /// The suppression an object's `plinth.dev/ignore*` annotations or labels declare, read
    /// through `text` (the value of a key), if it lists rules; `at` is where the list is written.
    fn declared(text: impl Fn(&str) -> Option<String>, scope: Scope, at: (String, usize, usize)) -> Option<Self> {
        let rules = text(IGNORE)?;
        Some(Suppression {
            rules: rules.split(',').map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned).collect(),
            reason: text("plinth.dev/ignore-reason"),
            until: text("plinth.dev/ignore-until"),
            problem: None,
            scope,
            at,
        })
    }

    /// The expiry date, or why it cannot be read.
    fn expiry(&self) -> Result<Option<Date>, String> {
        self.until
            .as_deref()
            .map(|until| until.parse::<Date>().map_err(|_| format!("until={until} is not a YYYY-MM-DD date")))
            .transpose()
    }

    /// Whether it is in force on `today`: not expired (an unreadable date does not expire it).
    pub fn active(&self, today: Date) -> bool {
        !matches!(self.expiry(), Ok(Some(until)) if until < today)
    }

    /// Whether it silences `finding`, which is about object `object` of its file (see
    /// [`Scope::Object`]).
    pub fn covers(&self, finding: &Finding, object: Option<usize>) -> bool {
        let scoped = match &self.scope {
            Scope::Line(line) => finding.path == self.at.0 && (finding.line == *line || finding.line == line + 1),
            Scope::Block(first, last, address) => {
                let directory = |path: &str| path.rsplit_once('/').map_or("", |(directory, _)| directory).to_owned();
                (finding.path == self.at.0 && (*first..=*last).contains(&finding.line))
                    || (finding.object == *address && directory(&finding.path) == directory(&self.at.0))
            }
            Scope::Object(index) => finding.path == self.at.0 && object == Some(*index),
            Scope::Paths(globs) => globs.is_match(&finding.path),
        };
        scoped && self.rules.iter().any(|rule| rule.eq_ignore_ascii_case(finding.rule))
    }

    /// The findings about the suppression itself on `today`: a missing reason, a malformed
    /// expiry, an expired date.
    pub fn findings(&self, today: Date) -> Vec<Finding> {
        let subject = format!("suppression of {}", self.rules.join(", "));
        let mut out = Vec::new();
        if let Some(problem) = &self.problem {
            out.push(self.finding(&WITHOUT_REASON, format!("{subject} is malformed: {problem}")));
        }
        if self.reason.as_deref().is_none_or(|reason| reason.trim().is_empty()) {
            out.push(self.finding(&WITHOUT_REASON, format!("{subject} gives no reason")));
        }
        match self.expiry() {
            Err(problem) => out.push(self.finding(&WITHOUT_REASON, format!("{subject}: {problem}"))),
            Ok(Some(until)) if until < today => out.push(self.finding(
                &EXPIRED,
                format!("{subject} expired on {until}; the findings it silenced are reported again"),
            )),
            Ok(_) => {}
        }
        out
    }

    fn finding(&self, rule: &RuleDoc, message: String) -> Finding {
        let (path, line, column) = self.at.clone();
        Finding { path, line, column, rule: rule.id, severity: rule.severity, message, object: String::new() }
    }
}
