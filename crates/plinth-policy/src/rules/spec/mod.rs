//! The rules over the resolved spec, one file per rule; each looks at one environment.

mod budget_exceeded;
mod container_security;
mod open_network;
mod public_bucket;
mod rpo_unmet;
mod self_signed_tls;
mod single_replica;
mod unbacked_database;

use plinth_spec::model::{Platform, Stage};

use crate::spec::SpecRule;

/// Every spec rule, in id order.
pub const RULES: &[SpecRule] = &[
    single_replica::RULE,
    unbacked_database::RULE,
    rpo_unmet::RULE,
    public_bucket::RULE,
    self_signed_tls::RULE,
    open_network::RULE,
    container_security::RULE,
    budget_exceeded::RULE,
];

/// Whether the environment is production (the stage, not the name).
fn production(platform: &Platform) -> bool {
    platform.environment.stage == Stage::Production
}

/// The JSON pointer of a service or datastore field in the spec (`/services/api/replicas`).
fn pointer(collection: &str, name: &str, field: &str) -> String {
    format!("/{collection}/{}/{field}", plinth_spec::yaml::escape(name))
}

#[cfg(test)]
mod tests {
    use plinth_spec::model::Platform;

    use super::RULES;
    use crate::rule::Hit;

    /// The production platform of a small spec with `extra` appended.
    pub(super) fn production(extra: &str) -> Platform {
        let source = format!(
            "plinth: 1\nname: shop\ncloud: {{ provider: aws, region: us-east-1 }}\ndomains: {{ main: shop.example.com }}\n\
             services:\n  api:\n    image: ghcr.io/acme/api\n    port: 8080\n    replicas: 2\n\
             environments:\n  production: {{}}\n{extra}"
        );
        let compiled = plinth_spec::compile(&source);
        assert!(!compiled.has_errors(), "{:?}", compiled.diagnostics);
        compiled.platform("production").expect("production").clone()
    }

    /// The pointers `id` reports on `platform`.
    pub(super) fn hits(id: &str, platform: &Platform) -> Vec<String> {
        let rule = RULES.iter().find(|r| r.doc.id == id).expect("rule");
        let mut hits: Vec<Hit> = Vec::new();
        (rule.check)(platform, &mut hits);
        hits.into_iter().map(|h| h.pointer).collect()
    }

    #[test]
    fn ids_are_sorted_and_unique() {
        let ids: Vec<_> = RULES.iter().map(|r| r.doc.id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted);
        let clean = production("");
        for rule in RULES {
            assert_eq!(hits(rule.doc.id, &clean), Vec::<String>::new(), "{} on a clean spec", rule.doc.id);
        }
    }
}
