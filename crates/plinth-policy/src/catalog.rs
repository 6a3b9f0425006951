//! Every rule's documentation in one list, for `--list-rules`, `--explain`, SARIF and the config
//! file's rule ids.

use crate::rule::RuleDoc;
use crate::rules;

/// Every rule, sorted by id.
pub fn rules() -> Vec<&'static RuleDoc> {
    let mut all: Vec<&'static RuleDoc> = rules::kubernetes::RULES
        .iter()
        .map(|r| &r.doc)
        .chain(rules::kubernetes::SET_RULES.iter().map(|r| &r.doc))
        .chain(rules::compose::RULES.iter().map(|r| &r.doc))
        .chain(rules::github::RULES.iter().map(|r| &r.doc))
        .chain(rules::dockerfile::RULES.iter().map(|r| &r.doc))
        .chain(rules::terraform::RULES.iter().map(|r| &r.doc))
        .chain(rules::spec::RULES.iter().map(|r| &r.doc))
        .chain([&rules::suppression::WITHOUT_REASON, &rules::suppression::EXPIRED])
        .collect();
    all.sort_by_key(|doc| doc.id);
    all
}

/// The rule with `id` (case-insensitive).
pub fn rule(id: &str) -> Option<&'static RuleDoc> {
    rules().into_iter().find(|doc| doc.id.eq_ignore_ascii_case(id))
}

#[cfg(test)]
mod tests {
    use super::rules;
    use crate::rule::Target;

    #[test]
    fn ids_are_unique_and_documented() {
        let all = rules();
        assert_eq!(all.iter().filter(|doc| doc.target == Target::Kubernetes).count(), 42);
        for pair in all.windows(2) {
            assert_ne!(pair[0].id, pair[1].id, "duplicate rule id");
        }
        for doc in all {
            assert!(doc.id.starts_with("PL-"), "{}", doc.id);
            assert!(!doc.summary.is_empty() && !doc.doc.is_empty(), "{} lacks documentation", doc.id);
        }
    }
}
