//! `dr-drill.md`: the recovery objectives (`recovery`), what each datastore's configuration can
//! give against them, and a drill that restores everything into scratch targets and measures the
//! RPO and RTO actually achieved.

use plinth_spec::alerting::datastore_rpo;
use plinth_spec::model::{Datastore, Engine, Hosting, Platform, Runtime};
use plinth_spec::names;
use plinth_spec::units::Duration;

use super::commands::{datastore_heading, service_heading};
use super::deploy::VALIDATE;
use super::markdown::{Markdown, code, link};
use super::restore::VELERO;
use super::{DEPLOY, RESTORE, title};

/// How often RDS ships transaction logs, the data point-in-time recovery can lose at worst.
const RDS_LOG_UPLOAD: Duration = Duration(300_000);

/// The runbook.
pub fn render(platform: &Platform) -> String {
    let recovery = &platform.recovery;
    let mut doc = Markdown::new(&title(platform, "Disaster recovery drill"));
    let mut objectives = vec![vec!["everything".to_owned(), recovery.rpo.to_string(), recovery.rto.to_string()]];
    if let Some((rpo, rto)) = recovery.critical {
        let critical: Vec<String> =
            platform.services.iter().filter(|svc| svc.critical).map(|svc| code(&svc.name)).collect();
        objectives.push(vec![format!("critical: {}", critical.join(", ")), rpo.to_string(), rto.to_string()]);
    }
    doc.heading(2, "Objectives").table(&["scope", "RPO (data loss at most)", "RTO (outage at most)"], &objectives);

    let rows: Vec<Vec<String>> = platform
        .datastores
        .iter()
        .filter(|ds| ds.engine != Engine::Bucket)
        .map(|ds| {
            let target = datastore_rpo(platform, ds);
            let (loss, how) = worst_loss(platform, ds);
            let verdict = match loss {
                Some(loss) if loss <= target => "meets it".to_owned(),
                Some(_) => "**misses it**".to_owned(),
                None => "**no backup**".to_owned(),
            };
            vec![
                link(&ds.name, RESTORE, Some(&datastore_heading(&ds.name))),
                how,
                loss.map_or("everything".to_owned(), |l| l.to_string()),
                target.to_string(),
                verdict,
            ]
        })
        .collect();
    doc.heading(2, "What the configuration gives")
        .table(&["datastore", "protection", "worst-case loss", "RPO", "verdict"], &rows);

    let env = &platform.environment.name;
    let mut steps = vec![
        "Announce the drill; write down the start time T0 and the restore point T (a time with known, recent writes)."
            .to_owned(),
    ];
    steps.extend(platform.datastores.iter().map(|ds| {
        format!(
            "Restore {} to T into a scratch target, as in the {} (do not switch over).",
            code(&ds.name),
            link("restore runbook", RESTORE, Some(&datastore_heading(&ds.name)))
        )
    }));
    if platform.environment.runtime == Runtime::Kubernetes && platform.recovery.cluster_backup.is_some() {
        let ns = &platform.kubernetes.namespace;
        steps.push(format!(
            "Restore the namespace into a scratch one ({}): `velero restore create drill-{env} --from-schedule {} --include-namespaces {ns} --namespace-mappings {ns}:{ns}-drill`.",
            link("Velero", RESTORE, Some(VELERO)),
            names::velero_schedule(platform)
        ));
    }
    steps.extend([
        format!(
            "Point a copy of the services at the scratch datastores and run the smoke checks ({}).",
            link("validation", DEPLOY, Some(VALIDATE))
        ),
        "Measure: RTO achieved = time healthy − T0; RPO achieved = T − the newest write found in the restored data. Compare with the objectives above and record both.".to_owned(),
        "Delete the scratch targets (`-restored` instances, the drill namespace); file every gap as an action item.".to_owned(),
    ]);
    doc.heading(2, "Drill").steps(&steps);
    if let Some(region) = &platform.cloud.dr_region {
        doc.heading(2, "Region failure").para(&format!(
            "The standby region is {region}: recreating the platform there means applying the Terraform root with that region, restoring the datastores from cross-region copies, and moving DNS. Time it once: it is what the RTO must cover for a regional outage."
        ));
    }
    let critical: Vec<String> = platform
        .services
        .iter()
        .filter(|svc| svc.critical)
        .map(|svc| link(&svc.name, super::TROUBLESHOOTING, Some(&service_heading(&svc.name))))
        .collect();
    if !critical.is_empty() {
        doc.para(&format!("Check the critical services first: {}.", critical.join(", ")));
    }
    doc.finish()
}

/// The most data a datastore's configuration can lose, and how it is protected; `None` without any
/// backup.
fn worst_loss(platform: &Platform, ds: &Datastore) -> (Option<Duration>, String) {
    let managed = ds.hosting == Hosting::Managed && platform.environment.runtime == Runtime::Kubernetes;
    match (&ds.backup, ds.pitr && managed && ds.engine == Engine::Postgres) {
        (_, true) => (Some(RDS_LOG_UPLOAD), format!("point-in-time recovery (logs shipped every {RDS_LOG_UPLOAD})")),
        (Some(backup), false) => (Some(backup.every), format!("backups every {}", backup.every)),
        (None, false) => (None, "none".to_owned()),
    }
}
