//! What the Dockerfile, compose and GitHub Actions rule tests share: each rule's `fail.<ext>`
//! fixture gives exactly the findings its `# expect:` markers name and its `pass.<ext>` none of
//! them, no fixture directory lacks a rule, and the catalogue's ids, names and docs are complete.

use std::collections::BTreeSet;
use std::path::Path;

use plinth_policy::{RuleDoc, Target};

use crate::common::expect::expected;

/// One finding of a rule run: `(rule id, 1-based line, message)`.
pub type Located = (&'static str, usize, String);

/// Checks `tests/fixtures/<target>/<rule name>/{fail,pass}.<ext>` for every rule of `docs`, running
/// the rule at index `idx` over a text with `run(idx, text)`.
pub fn check_fixtures(docs: &[RuleDoc], target: &str, ext: &str, run: impl Fn(usize, &str) -> Vec<Located>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(target);
    let (fail_file, pass_file) = (format!("fail.{ext}"), format!("pass.{ext}"));
    let mut failures = Vec::new();
    for (idx, doc) in docs.iter().enumerate() {
        let read = |file: &str| {
            let path = dir.join(doc.name).join(file);
            std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
        };
        let fail = read(&fail_file);
        let want = expected(&fail);
        assert!(!want.is_empty(), "{}: {fail_file} expects nothing", doc.id);
        assert!(want.iter().all(|(id, _)| id == doc.id), "{}: {fail_file} expects other rules: {want:?}", doc.id);
        let found = run(idx, &fail);
        assert!(found.iter().all(|(_, _, message)| !message.is_empty()), "{}: empty message", doc.id);
        let got: BTreeSet<(String, usize)> = found.iter().map(|(id, line, _)| ((*id).to_owned(), *line)).collect();
        if got != want {
            failures.push(format!("{} {fail_file}: expected {want:?}, found {found:#?}", doc.id));
        }
        let pass = run(idx, &read(&pass_file));
        if !pass.is_empty() {
            failures.push(format!("{} {pass_file}: {pass:#?}", doc.id));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let names: BTreeSet<&str> = docs.iter().map(|doc| doc.name).collect();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(names.contains(name.as_str()), "{target}/{name}: a fixture without a rule");
    }
}

/// Ids run `{prefix}001`, `{prefix}002`… in order; names are unique kebab-case; every doc has a
/// summary and the four headings, with a snippet fenced as `fence` under `## Fix`.
pub fn check_registry(docs: &[RuleDoc], prefix: &str, target: Target, fence: &str) {
    let mut names = BTreeSet::new();
    for (idx, doc) in docs.iter().enumerate() {
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
        assert!(fix.contains(&format!("```{fence}")), "{}: `## Fix` has no snippet", doc.id);
    }
}
