//! The docker compose rules (`PL-COMPOSE-*`): each rule's failing fixture gives exactly the
//! findings its `# expect:` markers name, its passing fixture none; ids, names and docs are
//! complete; every doc says that no incumbent checks compose and marks its equivalents as
//! analogues. plinth's own render is checked through the engine, in `crates/plinth/tests/check.rs`.

mod catalogue;
mod common;
mod document_rules;

use plinth_policy::Target;
use plinth_policy::rules::compose::RULES;

#[test]
fn fixtures_fail_and_pass_as_marked() {
    document_rules::check_fixtures(RULES, "compose");
}

#[test]
fn ids_names_and_docs_are_complete() {
    assert!(RULES.len() >= 10, "about ten compose rules");
    document_rules::check_registry(RULES, "PL-COMPOSE-", Target::Compose);
}

#[test]
fn docs_say_no_incumbent_checks_compose() {
    for rule in RULES {
        assert!(
            rule.doc.doc.contains("None of the twelve policy tools surveyed checks compose files"),
            "{}: the doc must say that no incumbent checks compose",
            rule.doc.id
        );
        for equivalent in rule.doc.equivalents {
            assert!(equivalent.contains("analogue"), "{}: {equivalent} is not marked as an analogue", rule.doc.id);
        }
    }
}
