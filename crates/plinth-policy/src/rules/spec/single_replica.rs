//! PL-SPEC-001: a production service keeps at least two replicas, so a PodDisruptionBudget can
//! let a node drain while the service stays up.

use plinth_spec::model::Platform;

use super::{pointer, production};
use crate::Severity;
use crate::rule::{Hit, RuleDoc, Target};
use crate::spec::SpecRule;

/// The rule.
pub const RULE: SpecRule = SpecRule {
    doc: RuleDoc {
        id: "PL-SPEC-001",
        name: "production-replicas",
        severity: Severity::Warning,
        target: Target::Spec,
        summary: "A production service keeps at least two replicas (the autoscaler's minimum included)",
        doc: "## What\n\nA service in a production environment whose replica floor (`replicas`, or \
              `autoscale.min` when it autoscales, after the environment's `scale`) is below 2.\n\n\
              ## Why\n\nWith one pod, every node drain, rollout or crash is an outage, and the \
              PodDisruptionBudget plinth renders cannot allow any disruption without taking the \
              service down.\n\n## Fix\n\nSet `replicas: 2` (or `autoscale: { min: 2 }`) on the service, or \
              raise the environment's `scale`.\n",
        equivalents: &["kube-score:deployment-has-poddisruptionbudget", "polaris:deploymentMissingReplicas"],
    },
    check,
};

fn check(platform: &Platform, hits: &mut Vec<Hit>) {
    if !production(platform) {
        return;
    }
    for service in &platform.services {
        let floor = service.min_replicas();
        if floor < 2 {
            let field = if service.autoscale.is_some() { "autoscale/min" } else { "replicas" };
            hits.push(Hit::new(
                pointer("services", &service.name, field),
                format!(
                    "service {} keeps {floor} replica in {}: any disruption is an outage",
                    service.name, platform.environment.name
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{hits, production};

    #[test]
    fn one_replica_in_production() {
        let mut platform = production("");
        platform.services[0].replicas = 1;
        assert_eq!(hits("PL-SPEC-001", &platform), ["/services/api/replicas"]);
    }
}
