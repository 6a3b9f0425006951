//! PL-SPEC-003: a production datastore's backups can meet the recovery point objective.

use plinth_spec::model::{Engine, Platform};

use super::{pointer, production};
use crate::Severity;
use crate::rule::{Hit, RuleDoc, Target};
use crate::spec::SpecRule;

/// The rule.
pub const RULE: SpecRule = SpecRule {
    doc: RuleDoc {
        id: "PL-SPEC-003",
        name: "backups-meet-rpo",
        severity: Severity::Error,
        target: Target::Spec,
        summary: "Backups are at least as frequent as the RPO, or point-in-time recovery is on",
        doc: "## What\n\nA production Postgres datastore whose backup interval (`backup.every`) is longer \
              than `recovery.rpo` while point-in-time recovery (`pitr`) is off.\n\n## Why\n\nThe worst-case \
              data loss is the time since the last backup: with daily backups and a one-hour RPO, up to \
              23 hours of writes more than promised can be lost.\n\n## Fix\n\nTurn on `pitr: true` \
              (continuous WAL archiving), back up at least every `rpo`, or state the RPO the backups \
              really give. `plinth dr` shows the worst case per datastore.\n",
        equivalents: &[],
    },
    check,
};

fn check(platform: &Platform, hits: &mut Vec<Hit>) {
    if !production(platform) {
        return;
    }
    let rpo = platform.recovery.rpo;
    for datastore in &platform.datastores {
        let Some(backup) = &datastore.backup else { continue };
        if datastore.engine == Engine::Postgres && !datastore.pitr && backup.every > rpo {
            hits.push(Hit::new(
                pointer("datastores", &datastore.name, "backup/every"),
                format!(
                    "database {} is backed up every {} without point-in-time recovery, above the RPO of {} in {}",
                    datastore.name, backup.every, rpo, platform.environment.name
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{hits, production};

    #[test]
    fn daily_backups_against_an_hourly_rpo() {
        let spec = "datastores:\n  db: { engine: postgres, pitr: false, backup: { every: 24h, keep: 7d } }\n\
                    recovery: { rpo: 1h, rto: 4h }\n";
        assert_eq!(hits("PL-SPEC-003", &production(spec)), ["/datastores/db/backup/every"]);
        let with_pitr = spec.replace("pitr: false", "pitr: true");
        assert!(hits("PL-SPEC-003", &production(&with_pitr)).is_empty());
    }
}
