//! PL-SPEC-002: a production Postgres datastore has backups.

use plinth_spec::model::{Engine, Platform};

use super::{pointer, production};
use crate::Severity;
use crate::rule::{Hit, RuleDoc, Target};
use crate::spec::SpecRule;

/// The rule.
pub const RULE: SpecRule = SpecRule {
    doc: RuleDoc {
        id: "PL-SPEC-002",
        name: "production-database-backups",
        severity: Severity::Error,
        target: Target::Spec,
        summary: "A production database is backed up",
        doc: "## What\n\nA Postgres datastore in a production environment without a `backup` schedule.\n\n\
              ## Why\n\nWithout backups, a bad migration, a deleted table or a lost volume is permanent \
              data loss; no recovery objective can be met.\n\n## Fix\n\nGive the datastore \
              `backup: { every: 24h, keep: 7d }` (plinth's default) or more frequent backups, and keep \
              `pitr: true`.\n",
        equivalents: &["checkov:CKV_AWS_133", "trivy:AVD-AWS-0077"],
    },
    check,
};

fn check(platform: &Platform, hits: &mut Vec<Hit>) {
    if !production(platform) {
        return;
    }
    for datastore in &platform.datastores {
        if datastore.engine == Engine::Postgres && datastore.backup.is_none() {
            hits.push(Hit::new(
                pointer("datastores", &datastore.name, "backup"),
                format!("database {} has no backups in {}", datastore.name, platform.environment.name),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{hits, production};

    #[test]
    fn database_without_backups() {
        let mut platform = production("datastores:\n  db: { engine: postgres }\n");
        platform.datastores[0].backup = None;
        assert_eq!(hits("PL-SPEC-002", &platform), ["/datastores/db/backup"]);
    }
}
