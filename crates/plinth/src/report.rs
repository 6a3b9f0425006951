//! Printing diagnostics: rustc-style text with the source line underlined (colours only on a
//! terminal), or JSON for scripts.

use std::io::IsTerminal;
use std::path::Path;

use codespan_reporting::diagnostic::{Diagnostic as Report, Label, Severity as ReportSeverity};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};
use codespan_reporting::term::{self, Config};
use plinth_spec::{Diagnostic, Severity};
use serde_json::{Value, json};

/// Prints `diagnostics` for `file` to standard error in rustc style.
pub fn print_text(file: &Path, source: &str, diagnostics: &[Diagnostic]) {
    let name = file.display().to_string();
    let files = SimpleFile::new(name, source);
    let choice = if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        ColorChoice::Auto
    } else {
        ColorChoice::Never
    };
    let writer = StandardStream::stderr(choice);
    let config = Config::default();
    for diagnostic in diagnostics {
        let severity = match diagnostic.severity {
            Severity::Error => ReportSeverity::Error,
            Severity::Warning => ReportSeverity::Warning,
        };
        let span = diagnostic.span.start.min(source.len())..diagnostic.span.end.min(source.len());
        let mut labels = vec![Label::primary((), span)];
        for (note_span, note) in &diagnostic.notes {
            labels.push(Label::secondary((), note_span.start..note_span.end).with_message(note));
        }
        let mut report =
            Report::new(severity).with_code(diagnostic.code).with_message(&diagnostic.message).with_labels(labels);
        if let Some(hint) = &diagnostic.hint {
            report = report.with_notes(vec![format!("hint: {hint}")]);
        }
        let _ = term::emit_to_write_style(&mut writer.lock(), &config, &files, &report);
    }
}

/// One diagnostic as JSON.
pub fn to_json(file: &Path, source: &str, diagnostic: &Diagnostic) -> Value {
    let (line, column) = diagnostic.span.line_col(source);
    json!({
        "severity": diagnostic.severity.to_string(),
        "code": diagnostic.code,
        "message": diagnostic.message,
        "file": file.display().to_string(),
        "line": line,
        "column": column,
        "hint": diagnostic.hint,
    })
}

/// A one-line count such as `2 errors, 1 warning`.
pub fn counts(diagnostics: &[Diagnostic]) -> String {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!("{}, {}", plural(errors, "error"), plural(warnings, "warning"))
}
