//! The Dockerfile rules (`PL-DOCKER-*`): each rule's `fail.Dockerfile` gives exactly the findings
//! its markers name, its `pass.Dockerfile` none; ids, names and docs are complete. A marker is a
//! whole comment line `# expect: RULE` (Dockerfile comments cannot follow an instruction): it
//! expects a finding on the next line.

mod catalogue;
mod common;

use catalogue::Located;
use plinth_policy::rules::dockerfile::RULES;
use plinth_policy::{Dockerfile, DockerfileRule, RuleDoc, Target};

/// `(rule, line, message)` of every finding of `rule` on `source`.
fn run(rule: &DockerfileRule, source: &str) -> Vec<Located> {
    let mut hits = Vec::new();
    (rule.check)(&Dockerfile::parse(source), &mut hits);
    hits.into_iter().map(|hit| (rule.doc.id, hit.line, hit.message)).collect()
}

/// The rules' docs, in id order.
fn docs() -> Vec<RuleDoc> {
    RULES.iter().map(|rule| rule.doc).collect()
}

#[test]
fn fixtures_fail_and_pass_as_marked() {
    catalogue::check_fixtures(&docs(), "dockerfile", "Dockerfile", |idx, text| run(&RULES[idx], text));
}

#[test]
fn ids_names_and_docs_are_complete() {
    assert!(RULES.len() >= 10, "about ten Dockerfile rules");
    catalogue::check_registry(&docs(), "PL-DOCKER-", Target::Dockerfile, "dockerfile");
}
