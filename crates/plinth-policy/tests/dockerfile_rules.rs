//! The Dockerfile rules (`PL-DOCKER-*`): each rule's `fail.Dockerfile` gives exactly the findings
//! its markers name, its `pass.Dockerfile` none; ids, names and docs are complete. A marker is a
//! whole comment line `# expect: RULE` (Dockerfile comments cannot follow an instruction): it
//! expects a finding on the next line.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::expect::expected;
use plinth_policy::rules::dockerfile::RULES;
use plinth_policy::{Dockerfile, DockerfileRule, Target};

/// `(rule, line)` of every finding of `rule` on `source`, with its message.
fn run(rule: &DockerfileRule, source: &str) -> Vec<(String, usize, String)> {
    let mut hits = Vec::new();
    (rule.check)(&Dockerfile::parse(source), &mut hits);
    hits.into_iter().map(|hit| (rule.doc.id.to_owned(), hit.line, hit.message)).collect()
}

#[test]
fn fixtures_fail_and_pass_as_marked() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dockerfile");
    let mut failures = Vec::new();
    for rule in RULES {
        let read = |file: &str| {
            let path = dir.join(rule.doc.name).join(file);
            std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
        };
        let fail = read("fail.Dockerfile");
        let want = expected(&fail);
        assert!(!want.is_empty(), "{}: fail.Dockerfile expects nothing", rule.doc.id);
        assert!(want.iter().all(|(id, _)| id == rule.doc.id), "{}: expects other rules: {want:?}", rule.doc.id);
        let found = run(rule, &fail);
        assert!(found.iter().all(|(_, _, message)| !message.is_empty()), "{}: empty message", rule.doc.id);
        let got: BTreeSet<(String, usize)> = found.iter().map(|(id, line, _)| (id.clone(), *line)).collect();
        if got != want {
            failures.push(format!("{} fail.Dockerfile: expected {want:?}, found {found:#?}", rule.doc.id));
        }
        let pass = run(rule, &read("pass.Dockerfile"));
        if !pass.is_empty() {
            failures.push(format!("{} pass.Dockerfile: {pass:#?}", rule.doc.id));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let names: BTreeSet<&str> = RULES.iter().map(|rule| rule.doc.name).collect();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(names.contains(name.as_str()), "dockerfile/{name}: a fixture without a rule");
    }
}

#[test]
fn ids_names_and_docs_are_complete() {
    assert!(RULES.len() >= 10, "about ten Dockerfile rules");
    let mut names = BTreeSet::new();
    for (idx, rule) in RULES.iter().enumerate() {
        let doc = &rule.doc;
        assert_eq!(doc.id, format!("PL-DOCKER-{:03}", idx + 1), "ids are sequential");
        assert_eq!(doc.target, Target::Dockerfile, "{}", doc.id);
        assert!(names.insert(doc.name), "{}: duplicate name", doc.id);
        assert!(!doc.summary.is_empty(), "{}: no summary", doc.id);
        let mut at = 0;
        for heading in ["## What\n", "## Why\n", "## Fix\n", "## References\n"] {
            let found = doc.doc[at..].find(heading).unwrap_or_else(|| panic!("{}: no `{heading}` in order", doc.id));
            at += found + heading.len();
        }
        let fix = &doc.doc[doc.doc.find("## Fix").unwrap()..doc.doc.find("## References").unwrap()];
        assert!(fix.contains("```dockerfile"), "{}: `## Fix` has no snippet", doc.id);
    }
}
