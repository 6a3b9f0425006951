//! The GitHub Actions rules (`PL-GHA-*`): each rule's failing fixture gives exactly the findings
//! its `# expect:` markers name, its passing fixture none; ids, names and docs are complete.
//! plinth's own render is checked through the engine, in `crates/plinth/tests/check.rs`.

mod catalogue;
mod common;
mod document_rules;

use plinth_policy::Target;
use plinth_policy::rules::github::RULES;

#[test]
fn fixtures_fail_and_pass_as_marked() {
    document_rules::check_fixtures(RULES, "github");
}

#[test]
fn ids_names_and_docs_are_complete() {
    assert!(RULES.len() >= 8, "about eight GitHub Actions rules");
    document_rules::check_registry(RULES, "PL-GHA-", Target::GithubActions);
}
