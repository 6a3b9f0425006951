//! What the compose and GitHub Actions rule tests share: running [`DocumentRule`]s over a YAML
//! text with findings located by line (the JSON pointer's deepest existing prefix, through
//! `plinth_spec::yaml`), and the shared catalogue checks applied to them.

use plinth_policy::{DocumentRule, RuleDoc, Target};

use crate::catalogue::{self, Located};

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

/// The catalogue checks of `rules`, whose fixtures are `tests/fixtures/<target>/<name>/{fail,pass}.yaml`.
pub fn check_fixtures(rules: &[DocumentRule], target: &str) {
    let docs: Vec<RuleDoc> = rules.iter().map(|rule| rule.doc).collect();
    catalogue::check_fixtures(&docs, target, "yaml", |idx, text| run(std::slice::from_ref(&rules[idx]), text));
}

/// The registry checks of `rules` (see [`catalogue::check_registry`]), with YAML snippets.
pub fn check_registry(rules: &[DocumentRule], prefix: &str, target: Target) {
    let docs: Vec<RuleDoc> = rules.iter().map(|rule| rule.doc).collect();
    catalogue::check_registry(&docs, prefix, target, "yaml");
}
