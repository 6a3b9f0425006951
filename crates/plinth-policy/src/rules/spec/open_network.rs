//! PL-SPEC-006: production isolates pods with network policies.

use plinth_spec::model::{NetworkPolicyMode, Platform};

use super::production;
use crate::Severity;
use crate::rule::{Hit, RuleDoc, Target};
use crate::spec::SpecRule;

/// The rule.
pub const RULE: SpecRule = SpecRule {
    doc: RuleDoc {
        id: "PL-SPEC-006",
        name: "production-network-policy",
        severity: Severity::Warning,
        target: Target::Spec,
        summary: "Production keeps network policies on, so services are not reachable from every pod",
        doc: "## What\n\nA production environment with `security: { network_policy: none }`.\n\n## Why\n\n\
              Without NetworkPolicies every pod in the cluster can reach every service and datastore: one \
              compromised pod reaches everything.\n\n## Fix\n\nKeep `network_policy: strict` (the default: \
              default-deny, then exactly the `calls` and `uses` the spec declares).\n",
        equivalents: &["kube-linter:non-isolated-pod", "kube-score:pod-networkpolicy", "kubescape:C-0260"],
    },
    check,
};

fn check(platform: &Platform, hits: &mut Vec<Hit>) {
    if production(platform) && platform.security.network_policy == NetworkPolicyMode::None {
        hits.push(Hit::new(
            "/security/network_policy",
            format!("network policies are off in {}: every pod can reach every service", platform.environment.name),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{hits, production};

    #[test]
    fn no_network_policy_in_production() {
        let platform = production("security: { network_policy: none }\n");
        assert_eq!(hits("PL-SPEC-006", &platform), ["/security/network_policy"]);
    }
}
