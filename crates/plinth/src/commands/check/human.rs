//! Human output: each finding rustc-style with its source line underlined (codespan-reporting, as
//! `plinth validate` prints), inputs that could not be checked, notes, and a summary line.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::time::Duration;

use codespan_reporting::diagnostic::{Diagnostic, Label, Severity as Level};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};
use codespan_reporting::term::{self, Config};
use plinth_policy::lines::LineIndex;
use plinth_policy::{Report, Severity};

/// Prints `report` to standard output; `sources` holds the text of every file by path.
pub fn print(report: &Report, sources: &[(String, String)], elapsed: Duration) {
    let choice = if std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        ColorChoice::Auto
    } else {
        ColorChoice::Never
    };
    let stdout = StandardStream::stdout(choice);
    let mut out = stdout.lock();
    let mut files = SimpleFiles::new();
    let ids: HashMap<&str, usize> =
        sources.iter().map(|(path, text)| (path.as_str(), files.add(path.clone(), text.clone()))).collect();
    let texts: HashMap<&str, &str> = sources.iter().map(|(path, text)| (path.as_str(), text.as_str())).collect();
    let config = Config::default();
    let mut emit = |path: &str, line: usize, column: usize, diagnostic: Diagnostic<usize>| {
        let diagnostic = match (ids.get(path), texts.get(path)) {
            (Some(&id), Some(text)) => {
                let lines = LineIndex::new(text);
                let start = lines.offset(line, column);
                let end = start + lines.line(line).len().saturating_sub(column.saturating_sub(1)).max(1);
                diagnostic.with_labels(vec![Label::primary(id, start..end.min(text.len()))])
            }
            _ => diagnostic.with_notes(vec![format!("at {path}:{line}:{column}")]),
        };
        let _ = term::emit_to_write_style(&mut out, &config, &files, &diagnostic);
    };
    for error in &report.errors {
        emit(
            &error.path,
            error.line,
            error.column,
            Diagnostic::error().with_code("input").with_message(format!("{}: {}", error.path, error.message)),
        );
    }
    for finding in &report.findings {
        let level = match finding.severity {
            Severity::Info => Level::Note,
            Severity::Warning => Level::Warning,
            Severity::Error => Level::Error,
        };
        let diagnostic = Diagnostic::new(level)
            .with_code(finding.rule)
            .with_message(&finding.message)
            .with_notes(vec![format!("see `plinth check --explain {}`", finding.rule)]);
        emit(&finding.path, finding.line, finding.column, diagnostic);
    }
    let _ = writeln!(out, "{}", summary(report, elapsed));
}

/// `checked 12 files: 1 error, 2 warnings, 0 infos; 3 suppressed, 0 baselined; 4 skipped (format not recognised); 0 input errors (8 ms)`.
fn summary(report: &Report, elapsed: Duration) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "checked {}: {}, {}, {}; {} suppressed, {} baselined; {} skipped (format not recognised); {} ({} ms)",
        plural(report.files, "file"),
        plural(report.count(Severity::Error), "error"),
        plural(report.count(Severity::Warning), "warning"),
        plural(report.count(Severity::Info), "info"),
        report.suppressed.len(),
        report.baselined,
        report.skipped,
        plural(report.errors.len(), "input error"),
        elapsed.as_millis()
    )
}
