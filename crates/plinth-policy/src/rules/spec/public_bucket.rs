//! PL-SPEC-004: buckets are private.

use plinth_spec::model::{Access, Engine, Platform};

use super::pointer;
use crate::Severity;
use crate::rule::{Hit, RuleDoc, Target};
use crate::spec::SpecRule;

/// The rule.
pub const RULE: SpecRule = SpecRule {
    doc: RuleDoc {
        id: "PL-SPEC-004",
        name: "private-buckets",
        severity: Severity::Warning,
        target: Target::Spec,
        summary: "A bucket is not publicly readable",
        doc: "## What\n\nA bucket datastore with `access: public-read`.\n\n## Why\n\nEverything in it can be \
              listed and downloaded by anyone; public buckets are the most common source of cloud data \
              leaks.\n\n## Fix\n\nKeep `access: private` and serve public files through the CDN, or \
              suppress with a reason when the bucket only ever holds public assets.\n",
        equivalents: &["checkov:CKV_AWS_20", "checkov:CKV2_AWS_6", "trivy:AVD-AWS-0086"],
    },
    check,
};

fn check(platform: &Platform, hits: &mut Vec<Hit>) {
    for datastore in &platform.datastores {
        if datastore.engine == Engine::Bucket && datastore.access == Access::PublicRead {
            hits.push(Hit::new(
                pointer("datastores", &datastore.name, "access"),
                format!("bucket {} is publicly readable in {}", datastore.name, platform.environment.name),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{hits, production};

    #[test]
    fn public_read_bucket() {
        let platform = production("datastores:\n  files: { engine: bucket, access: public-read }\n");
        assert_eq!(hits("PL-SPEC-004", &platform), ["/datastores/files/access"]);
    }
}
