//! The corpus of broken specs: every `tests/corpus/*.yaml` produces exactly the diagnostics its header lists.
//!
//! Each file starts with comment lines `# expect: <severity> <line>:<col> <message>[ | <hint>]`, one per
//! diagnostic, in the order `compile` reports them (by position). Other comment lines are free text.

use std::path::{Path, PathBuf};

const EXPECT: &str = "# expect: ";

/// The corpus files, in name order.
fn corpus() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    files.sort();
    files
}

/// The expectations in the leading comment block of `source`.
fn expected(source: &str) -> Vec<String> {
    source
        .lines()
        .take_while(|line| line.starts_with('#'))
        .filter_map(|line| line.strip_prefix(EXPECT))
        .map(|line| line.trim_end().to_owned())
        .collect()
}

/// One diagnostic as the header writes it.
fn format(source: &str, diagnostic: &plinth_spec::Diagnostic) -> String {
    let (line, col) = diagnostic.span.line_col(source);
    let mut text = format!("{} {line}:{col} {}", diagnostic.severity, diagnostic.message);
    if let Some(hint) = &diagnostic.hint {
        text.push_str(" | ");
        text.push_str(hint);
    }
    text
}

#[test]
fn corpus_diagnostics_match_headers() {
    let files = corpus();
    assert!(files.len() >= 34, "the corpus has only {} files", files.len());
    let mut failures = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let source = std::fs::read_to_string(path).unwrap();
        let expected = expected(&source);
        if expected.is_empty() {
            failures.push(format!("{name}: no `{EXPECT}` lines in the header"));
            continue;
        }
        let compiled = plinth_spec::compile(&source);
        let actual: Vec<String> = compiled.diagnostics.iter().map(|d| format(&source, d)).collect();
        if actual != expected {
            let listing: String = actual.iter().map(|line| format!("\n{EXPECT}{line}")).collect();
            failures.push(format!("{name}: diagnostics differ from the header; actual:{listing}"));
        }
        let expects_error = expected.iter().any(|line| line.starts_with("error "));
        if expects_error && !compiled.platforms.is_empty() {
            failures
                .push(format!("{name}: errors expected, yet {} platform(s) were produced", compiled.platforms.len()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} corpus files failed:\n\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
}
