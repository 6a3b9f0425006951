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

/// A rule's `reportingDescriptor`: its documentation (Markdown) as `help`, the first section of it
/// (what the rule looks for) as `fullDescription`, each with a plain-text rendering, which is all
/// a viewer without Markdown (or GitHub code scanning's rule list) shows.
fn rule(doc: &RuleDoc) -> Value {
    let equivalents = if doc.equivalents.is_empty() {
        String::new()
    } else {
        format!("\n\n## Equivalents\n\n{}\n", doc.equivalents.join(", "))
    };
    let help = format!("{}{equivalents}", doc.doc.trim_end());
    let what = first_section(doc.doc);
    json!({
        "id": doc.id,
        "name": doc.name,
        "shortDescription": { "text": doc.summary },
        "fullDescription": { "text": plain_text(what).replace('\n', " "), "markdown": what },
        "help": { "text": plain_text(&help), "markdown": help },
        "defaultConfiguration": { "level": level(doc.severity) },
        "properties": { "tags": [doc.target.as_str()] },
    })
}

/// The first section of a rule's documentation, without its `## What` heading.
fn first_section(doc: &str) -> &str {
    let doc = doc.trim_start();
    let doc = doc.strip_prefix("## What").unwrap_or(doc).trim_start();
    doc.find("\n## ").map_or(doc, |end| &doc[..end]).trim_end()
}

/// Markdown as plain text: headings without their `#`s, code blocks indented without their
/// fences, inline code without backticks, links as `text (url)`.
fn plain_text(markdown: &str) -> String {
    let mut out = Vec::new();
    let mut in_code = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        } else if in_code {
            out.push(format!("    {line}"));
        } else {
            let line = line.strip_prefix('#').map_or(line, |heading| heading.trim_start_matches('#').trim_start());
            out.push(inline_text(line));
        }
    }
    out.join("\n")
}

/// One line of Markdown prose without backticks, and its links as `text (url)`.
fn inline_text(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(open) = rest.find('[') {
        let link = rest[open..].find("](").and_then(|mid| {
            let close = rest[open + mid..].find(')')?;
            Some((&rest[open + 1..open + mid], &rest[open + mid + 2..open + mid + close], open + mid + close + 1))
        });
        let Some((text, url, end)) = link else { break };
        out.push_str(&rest[..open]);
        out.push_str(&format!("{text} ({url})"));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out.replace('`', "")
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

#[cfg(test)]
mod tests {
    use super::{first_section, plain_text};

    #[test]
    fn markdown_as_plain_text() {
        let doc = "## What\nA `RUN` that pipes\na download.\n\n## Fix\n```dockerfile\nRUN x\n```\n\n## References\n- Docker: [build checks](https://docs.docker.com/x), [a](b)\n";
        assert_eq!(first_section(doc), "A `RUN` that pipes\na download.");
        assert_eq!(
            plain_text(doc),
            "What\nA RUN that pipes\na download.\n\nFix\n    RUN x\n\nReferences\n- Docker: build checks (https://docs.docker.com/x), a (b)"
        );
        assert_eq!(first_section("No heading.\n\n## Why\nBecause."), "No heading.");
    }
}
