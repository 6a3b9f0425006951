//! `.plinth-check.yaml`: per-path suppressions, rules turned off, and the severity that fails a run.
//!
//! ```yaml
//! fail_on: warning            # info | warning | error
//! disable: [PL-K8S-030]
//! ignore:
//!   - rule: PL-K8S-001
//!     paths: ["legacy/**"]
//!     reason: "the legacy images need root; tracked in #42"
//!     until: 2026-06-30
//! ```

use globset::{Glob, GlobSetBuilder};
use serde::Deserialize;

use crate::catalog;
use crate::finding::Severity;
use crate::lines::LineIndex;
use crate::report::InputError;
use crate::suppression::{Scope, Suppression};

/// The parsed config file.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The severity that fails a run (the command line's `--fail-on` wins).
    pub fail_on: Option<Severity>,
    /// Rule ids not run.
    pub disable: Vec<String>,
    /// Per-path suppressions.
    pub ignore: Vec<Suppression>,
}

/// The file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    fail_on: Option<Severity>,
    #[serde(default)]
    disable: Vec<String>,
    #[serde(default)]
    ignore: Vec<Ignore>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Ignore {
    rule: String,
    #[serde(default)]
    paths: Vec<String>,
    reason: Option<String>,
    until: Option<String>,
}

impl Config {
    /// Parses the text of the config file at `path`; mistakes (bad YAML, unknown fields, unknown
    /// rule ids, bad globs) are errors located in the file.
    pub fn parse(path: &str, text: &str) -> Result<Config, InputError> {
        let lines = LineIndex::new(text);
        let at = |offset: usize, message: String| {
            let (line, column) = lines.position(offset);
            InputError { path: path.to_owned(), line, column, message }
        };
        let (value, spans, diagnostics) = plinth_spec::yaml::parse(text);
        if let Some(diagnostic) = diagnostics.first() {
            return Err(at(diagnostic.span.start, diagnostic.message.clone()));
        }
        let file: File = serde_json::from_value(value.unwrap_or_default())
            .map_err(|err| at(0, format!("invalid check configuration: {err}")))?;
        let known = |id: &str, pointer: &str| match catalog::rule(id) {
            Some(_) => Ok(()),
            None => {
                Err(at(spans.value(pointer).start, format!("unknown rule `{id}` (see `plinth check --list-rules`)")))
            }
        };
        for (idx, id) in file.disable.iter().enumerate() {
            known(id, &format!("/disable/{idx}"))?;
        }
        let mut ignore = Vec::new();
        for (idx, entry) in file.ignore.into_iter().enumerate() {
            let pointer = format!("/ignore/{idx}");
            known(&entry.rule, &format!("{pointer}/rule"))?;
            let mut globs = GlobSetBuilder::new();
            let patterns = if entry.paths.is_empty() { vec!["**".to_owned()] } else { entry.paths };
            for (n, pattern) in patterns.iter().enumerate() {
                let glob = Glob::new(pattern)
                    .map_err(|err| at(spans.value(&format!("{pointer}/paths/{n}")).start, err.to_string()))?;
                globs.add(glob);
            }
            let globs = globs.build().map_err(|err| at(spans.value(&pointer).start, err.to_string()))?;
            let (line, column) = lines.position(spans.value(&pointer).start);
            ignore.push(Suppression {
                rules: vec![entry.rule],
                reason: entry.reason,
                until: entry.until,
                problem: None,
                scope: Scope::Paths(globs),
                at: (path.to_owned(), line, column),
            });
        }
        Ok(Config { fail_on: file.fail_on, disable: file.disable, ignore })
    }

    /// Whether rule `id` is turned off.
    pub fn disabled(&self, id: &str) -> bool {
        self.disable.iter().any(|d| d.eq_ignore_ascii_case(id))
    }
}

#[cfg(test)]
mod tests {
    use super::Config;
    use crate::finding::Severity;

    #[test]
    fn parses_and_locates_mistakes() {
        let text = "fail_on: error\ndisable: [PL-SPEC-004]\nignore:\n  - rule: PL-SPEC-001\n    paths: [\"legacy/**\"]\n    reason: old\n";
        let config = Config::parse(".plinth-check.yaml", text).unwrap();
        assert_eq!(config.fail_on, Some(Severity::Error));
        assert!(config.disabled("pl-spec-004"));
        assert_eq!(config.ignore[0].at.1, 4);
        let err = Config::parse("c.yaml", "ignore:\n  - rule: PL-NOPE-1\n").unwrap_err();
        assert_eq!((err.line, err.column), (2, 11));
        assert!(err.message.contains("unknown rule"));
        let err = Config::parse("c.yaml", "failon: error\n").unwrap_err();
        assert!(err.message.contains("unknown field"), "{}", err.message);
    }
}
