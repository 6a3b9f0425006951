//! `--list-rules` (a table) and `--explain RULE` (the rule's documentation).

use plinth_policy::catalog;
use plinth_spec::diagnostic::suggest;

/// Prints every rule: id, severity, target, name, summary.
pub fn list() {
    let rules = catalog::rules();
    let width = |f: fn(&plinth_policy::RuleDoc) -> usize| rules.iter().map(|r| f(r)).max().unwrap_or(0);
    let (id, target, name) = (width(|r| r.id.len()), width(|r| r.target.as_str().len()), width(|r| r.name.len()));
    println!("{:id$}  {:8}  {:target$}  {:name$}  SUMMARY", "ID", "SEVERITY", "TARGET", "NAME");
    for rule in rules {
        println!(
            "{:id$}  {:8}  {:target$}  {:name$}  {}",
            rule.id,
            rule.severity.as_str(),
            rule.target.as_str(),
            rule.name,
            rule.summary
        );
    }
}

/// Prints the documentation of rule `id`; false (and a suggestion on stderr) when there is none.
pub fn explain(id: &str) -> bool {
    let Some(rule) = catalog::rule(id) else {
        let best = suggest(id, catalog::rules().iter().map(|r| r.id));
        let hint = best.map(|best| format!(" (did you mean `{best}`?)")).unwrap_or_default();
        eprintln!("error: no rule `{id}`{hint}; see `plinth check --list-rules`");
        return false;
    };
    println!("{} {} ({}, {})\n", rule.id, rule.name, rule.severity.as_str(), rule.target.as_str());
    println!("{}\n", rule.summary);
    println!("{}", rule.doc.trim_end());
    if !rule.equivalents.is_empty() {
        println!("\nEquivalents: {}", rule.equivalents.join(", "));
    }
    true
}
