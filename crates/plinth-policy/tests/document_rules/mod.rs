//! What the compose and GitHub Actions rule tests share: running [`DocumentRule`]s over a YAML
//! text with findings located by line (the JSON pointer's deepest existing prefix, through
//! `plinth_spec::yaml`) and the checks every rule set must pass (fixtures against their
//! `# expect:` markers, ids, docs).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use plinth_policy::DocumentRule;

use crate::common::expect::expected;

/// One finding of a rule run: `(rule id, 1-based line, message)`.
pub type Located = (&'static str, usize, String);

/// Runs `rules` over `source`, a YAML document, and locates every hit by line.
pub fn run(rules: &[DocumentRule], source: &str) -> Vec<Located> {
    let (value, spans, diagnostics) = plinth_spec::yaml::parse(source);
    let value = value.unwrap_or_else(|| panic!("not YAML: {diagnostics:?}"));
    let mut out = Vec::new();
    for rule in rules {
        let mut hits = Vec::new();
        (rule.check)(&value, &mut hits);
        for hit in hits {
            let (line, _) = spans.value(&hit.pointer).line_col(source);
            out.push((rule.doc.id, line, hit.message));
        }
    }
    out
}

/// The fixture directory of a target (`tests/fixtures/compose`).
pub fn fixtures(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(target)
}

/// Each rule's `fail.yaml` gives exactly its expected `(rule, line)` set, with messages, and its
/// `pass.yaml` none of its findings; no fixture directory lacks a rule.
pub fn check_fixtures(rules: &[DocumentRule], target: &str) {
    let dir = fixtures(target);
    let mut failures = Vec::new();
    for rule in rules {
        let read = |file: &str| {
            let path = dir.join(rule.doc.name).join(file);
            std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
        };
        let fail = read("fail.yaml");
        let want = expected(&fail);
        assert!(!want.is_empty(), "{}: fail.yaml expects nothing", rule.doc.id);
        assert!(
            want.iter().all(|(id, _)| id == rule.doc.id),
            "{}: fail.yaml expects other rules: {want:?}",
            rule.doc.id
        );
        let found = run(std::slice::from_ref(rule), &fail);
        assert!(found.iter().all(|(_, _, message)| !message.is_empty()), "{}: empty message", rule.doc.id);
        let got: BTreeSet<(String, usize)> = found.iter().map(|(id, line, _)| ((*id).to_owned(), *line)).collect();
        if got != want {
            failures.push(format!("{} fail.yaml: expected {want:?}, found {found:#?}", rule.doc.id));
        }
        let pass = run(std::slice::from_ref(rule), &read("pass.yaml"));
        if !pass.is_empty() {
            failures.push(format!("{} pass.yaml: {pass:#?}", rule.doc.id));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let names: BTreeSet<&str> = rules.iter().map(|rule| rule.doc.name).collect();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(names.contains(name.as_str()), "{target}/{name}: a fixture without a rule");
    }
}

/// Ids run `{prefix}001`, `{prefix}002`… in order; names are unique kebab-case; every doc has
/// the four headings (with a snippet under `## Fix`) and a summary.
pub fn check_registry(rules: &[DocumentRule], prefix: &str, target: plinth_policy::Target) {
    let mut names = BTreeSet::new();
    for (idx, rule) in rules.iter().enumerate() {
        let doc = &rule.doc;
        assert_eq!(doc.id, format!("{prefix}{:03}", idx + 1), "ids are sequential");
        assert_eq!(doc.target, target, "{}", doc.id);
        assert!(names.insert(doc.name), "{}: duplicate name {}", doc.id, doc.name);
        assert!(doc.name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{}", doc.id);
        assert!(!doc.summary.is_empty(), "{}: no summary", doc.id);
        let mut at = 0;
        for heading in ["## What\n", "## Why\n", "## Fix\n", "## References\n"] {
            let found = doc.doc[at..].find(heading).unwrap_or_else(|| panic!("{}: no `{heading}` in order", doc.id));
            at += found + heading.len();
        }
        let fix = &doc.doc[doc.doc.find("## Fix").unwrap()..doc.doc.find("## References").unwrap()];
        assert!(fix.contains("```yaml"), "{}: `## Fix` has no snippet", doc.id);
    }
}
