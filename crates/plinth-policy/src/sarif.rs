//! SARIF 2.1.0 output (GitHub code scanning, GitLab, Azure DevOps): one run whose driver lists
//! every rule with its documentation, results with physical locations and the baseline
//! fingerprint, and inputs that could not be read as tool execution notifications.

use serde_json::{Value, json};

use crate::catalog;
use crate::finding::Severity;
use crate::report::Report;
use crate::rule::RuleDoc;

/// The schema the output declares.
const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// Where each rule's documentation is published (`{RULES_URL}{id}`).
pub const RULES_URL: &str = "https://plinth.dev/rules/";

/// The SARIF log of `report`.
pub fn sarif(report: &Report, version: &str) -> Value {
    let rules = catalog::rules();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|finding| {
            json!({
                "ruleId": finding.rule,
                "ruleIndex": rules.iter().position(|r| r.id == finding.rule),
                "level": level(finding.severity),
                "message": { "text": finding.message },
                "locations": [location(&finding.path, finding.line, finding.column)],
                "partialFingerprints": { "plinth/v1": finding.fingerprint() },
            })
        })
        .collect();
    let notifications: Vec<Value> = report
        .errors
        .iter()
        .map(|error| {
            json!({
                "level": "error",
                "message": { "text": error.message },
                "locations": [location(&error.path, error.line, error.column)],
            })
        })
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "plinth",
                "semanticVersion": version,
                "informationUri": "https://plinth.dev",
                "rules": rules.iter().map(|doc| rule(doc)).collect::<Vec<_>>(),
            }},
            "invocations": [{
                "executionSuccessful": report.errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

fn rule(doc: &RuleDoc) -> Value {
    let equivalents = if doc.equivalents.is_empty() {
        String::new()
    } else {
        format!("\n\n## Equivalents\n\n{}\n", doc.equivalents.join(", "))
    };
    json!({
        "id": doc.id,
        "name": doc.name,
        "shortDescription": { "text": doc.summary },
        "fullDescription": { "text": doc.summary },
        "help": { "text": doc.doc, "markdown": format!("{}{equivalents}", doc.doc) },
        "helpUri": format!("{RULES_URL}{}", doc.id),
        "defaultConfiguration": { "level": level(doc.severity) },
        "properties": { "tags": [doc.target.as_str()] },
    })
}

fn location(path: &str, line: usize, column: usize) -> Value {
    json!({ "physicalLocation": {
        "artifactLocation": { "uri": path },
        "region": { "startLine": line, "startColumn": column },
    }})
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => "note",
        Severity::Warning => "warning",
        Severity::Error => "error",
    }
}
