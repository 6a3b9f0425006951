//! PL-SPEC-007: production containers run as non-root with a read-only root filesystem.

use plinth_spec::model::Platform;

use super::{pointer, production};
use crate::Severity;
use crate::rule::{Hit, RuleDoc, Target};
use crate::spec::SpecRule;

/// The rule.
pub const RULE: SpecRule = SpecRule {
    doc: RuleDoc {
        id: "PL-SPEC-007",
        name: "production-container-security",
        severity: Severity::Warning,
        target: Target::Spec,
        summary: "Production services run as a non-root user on a read-only root filesystem",
        doc: "## What\n\nA service in a production environment with `security: { run_as_user: 0 }` or \
              `security: { read_only_root_filesystem: false }`.\n\n## Why\n\nA process running as root \
              with a writable filesystem turns an application bug into a foothold: it can modify its own \
              binaries and exploit kernel or runtime flaws with full privileges.\n\n## Fix\n\nRemove the \
              override (plinth runs as UID 10001 with a read-only root filesystem) and list directories \
              the service writes to in `security.writable`.\n",
        equivalents: &[
            "checkov:CKV_K8S_23",
            "checkov:CKV_K8S_22",
            "kube-linter:run-as-non-root",
            "kube-linter:no-read-only-root-fs",
        ],
    },
    check,
};

fn check(platform: &Platform, hits: &mut Vec<Hit>) {
    if !production(platform) {
        return;
    }
    let env = &platform.environment.name;
    for service in &platform.services {
        if service.security.run_as_user == 0 {
            hits.push(Hit::new(
                pointer("services", &service.name, "security/run_as_user"),
                format!("service {} runs as root in {env}", service.name),
            ));
        }
        if !service.security.read_only_root_filesystem {
            hits.push(Hit::new(
                pointer("services", &service.name, "security/read_only_root_filesystem"),
                format!("service {} has a writable root filesystem in {env}", service.name),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{hits, production};

    #[test]
    fn root_with_a_writable_filesystem() {
        let mut platform = production("");
        platform.services[0].security.run_as_user = 0;
        platform.services[0].security.read_only_root_filesystem = false;
        assert_eq!(
            hits("PL-SPEC-007", &platform),
            ["/services/api/security/run_as_user", "/services/api/security/read_only_root_filesystem"]
        );
    }
}
