//! `restore.md`: per datastore, how to get its data back — RDS point-in-time or snapshot restore
//! into a new instance and a rename swap (the instance identifier and the backup settings the
//! Terraform backend uses), pg_dump/pg_restore into an in-cluster StatefulSet (seed 003) or a
//! compose container, ElastiCache snapshots, object versions of a bucket — and, in Kubernetes
//! environments, the namespace from the Velero schedule.

use plinth_spec::model::{Datastore, Engine, Hosting, Platform, Runtime};
use plinth_spec::names;

use super::commands::{datastore_heading, is_rollout, ns, restart, scale};
use super::markdown::{Markdown, code};
use super::title;

/// The heading of the Velero section.
pub const VELERO: &str = "Namespace from Velero";

/// The runbook.
pub fn render(platform: &Platform) -> String {
    let mut doc = Markdown::new(&title(platform, "Restore"));
    doc.para("Restore into something new first, check it, then switch clients over: never overwrite the only copy.");
    for ds in &platform.datastores {
        doc.heading(2, &datastore_heading(&ds.name));
        doc.para(&settings(ds));
        match (platform.environment.runtime, ds.engine, ds.hosting) {
            (Runtime::Local, Engine::Postgres, _) => local_postgres(platform, ds, &mut doc),
            (Runtime::Local, _, _) => {
                doc.para(&format!(
                    "Local data lives in the compose volume of `{}`; recreate it with `docker-compose up -d {}`.",
                    ds.name, ds.name
                ));
            }
            (Runtime::Kubernetes, Engine::Postgres, Hosting::Managed) => rds(platform, ds, &mut doc),
            (Runtime::Kubernetes, Engine::Postgres, Hosting::Cluster) => cluster_postgres(platform, ds, &mut doc),
            (Runtime::Kubernetes, Engine::Redis, Hosting::Managed) => elasticache(platform, ds, &mut doc),
            (Runtime::Kubernetes, Engine::Redis, Hosting::Cluster) => {
                doc.para(&format!(
                    "Redis `{}` runs in the cluster with {:?} persistence on its volume: restore the volume with Velero ({}), or, as a cache, let it refill: `kubectl delete pod {}-0 {}`.",
                    ds.name,
                    ds.persistence,
                    super::markdown::link(VELERO, super::RESTORE, Some(VELERO)),
                    ds.name,
                    ns(platform)
                ));
            }
            (Runtime::Kubernetes, Engine::Bucket, _) => bucket(platform, ds, &mut doc),
        }
    }
    if platform.environment.runtime == Runtime::Kubernetes {
        velero(platform, &mut doc);
    }
    doc.finish()
}

/// What the model says about a datastore's backups.
fn settings(ds: &Datastore) -> String {
    let backup = match &ds.backup {
        Some(backup) => {
            format!("Backups every {} from {} UTC, kept {}", backup.every, backup.window, backup.keep)
        }
        None => "No backups configured".to_owned(),
    };
    let pitr = if ds.pitr { "; point-in-time recovery on" } else { "" };
    format!("{} {} ({:?}, {:?}). {backup}{pitr}.", code(&ds.name), ds.version, ds.engine, ds.hosting)
}

/// The services using a datastore.
fn users<'a>(platform: &'a Platform, ds: &Datastore) -> Vec<&'a plinth_spec::model::Service> {
    platform.services.iter().filter(|svc| svc.uses.iter().any(|u| u.datastore == ds.name)).collect()
}

fn rds(platform: &Platform, ds: &Datastore, doc: &mut Markdown) {
    let id = names::rds_identifier(platform, &ds.name);
    let region = &platform.cloud.region;
    let target = format!("{id}-restored");
    let placement = format!(
        "--db-subnet-group-name {id} --db-parameter-group-name {id} --vpc-security-group-ids \"$SG\"{} --region {region}",
        if ds.multi_az { " --multi-az" } else { "" }
    );
    doc.para(&format!(
        "RDS instance {}. Its subnet group, parameter group and security group carry the same name.",
        code(&id)
    ));
    let sg = format!(
        "SG=$(aws ec2 describe-security-groups --region {region} --filters Name=group-name,Values={id} --query 'SecurityGroups[0].GroupId' --output text)"
    );
    if ds.pitr || ds.backup.is_some() {
        doc.heading(3, &format!("Point in time ({})", ds.name))
            .para("Any second between the oldest automated backup and the latest restorable time:")
            .code(
                "bash",
                [
                    format!(
                        "aws rds describe-db-instances --region {region} --db-instance-identifier {id} --query 'DBInstances[0].LatestRestorableTime'"
                    ),
                    sg.clone(),
                    format!(
                        "aws rds restore-db-instance-to-point-in-time --source-db-instance-identifier {id} --target-db-instance-identifier {target} --restore-time <YYYY-MM-DDTHH:MM:SSZ> {placement}"
                    ),
                    format!("aws rds wait db-instance-available --region {region} --db-instance-identifier {target}"),
                ],
            );
    }
    doc.heading(3, &format!("Snapshot ({})", ds.name)).code(
        "bash",
        [
            format!("aws rds describe-db-snapshots --region {region} --db-instance-identifier {id} --query 'DBSnapshots[].[DBSnapshotIdentifier,SnapshotCreateTime]' --output table"),
            sg,
            format!("aws rds restore-db-instance-from-db-snapshot --db-instance-identifier {target} --db-snapshot-identifier <snapshot> {placement}"),
            format!("aws rds wait db-instance-available --region {region} --db-instance-identifier {target}"),
        ],
    );
    let mut swap = vec![
        format!(
            "aws rds modify-db-instance --region {region} --db-instance-identifier {id} --new-db-instance-identifier {id}-old --apply-immediately"
        ),
        format!(
            "aws rds modify-db-instance --region {region} --db-instance-identifier {target} --new-db-instance-identifier {id} --apply-immediately"
        ),
    ];
    swap.extend(users(platform, ds).into_iter().map(|svc| restart(platform, svc)));
    doc.heading(3, &format!("Switch over ({})", ds.name))
        .para(&format!(
            "Check the restored data, then swap the names: the endpoint follows the identifier, so `{}` and Terraform point at the restored instance again. Restart the services that use it; delete `{id}-old` once you are sure.",
            names::datastore_host(platform, &ds.name)
        ))
        .code("bash", swap);
}

fn cluster_postgres(platform: &Platform, ds: &Datastore, doc: &mut Markdown) {
    let ns = ns(platform);
    let pod = format!("{}-0", ds.name);
    let users = users(platform, ds);
    doc.para(&format!(
        "PostgreSQL runs in the cluster as StatefulSet `{}` (pod `{pod}`). Dump with pg_dump, and restore with the services that use it stopped (a HorizontalPodAutoscaler leaves a workload at 0 replicas alone). Its volume is also in the Velero backups.",
        ds.name
    ));
    let mut lines: Vec<String> = ds
        .databases
        .iter()
        .map(|db| format!("kubectl exec {ns} {pod} -c postgres -- pg_dump -U postgres -Fc -d {db} > {db}.dump"))
        .collect();
    doc.heading(3, &format!("Dump ({})", ds.name)).code("bash", &lines);
    lines = users.iter().map(|svc| scale(platform, svc, 0)).collect();
    lines.extend(ds.databases.iter().map(|db| {
        format!("kubectl exec -i {ns} {pod} -c postgres -- pg_restore -U postgres --clean --if-exists --no-owner -d {db} < {db}.dump")
    }));
    lines.extend(users.iter().map(|svc| scale(platform, svc, svc.min_replicas())));
    doc.heading(3, &format!("Restore ({})", ds.name)).code("bash", &lines);
    if users.iter().any(|svc| is_rollout(svc)) {
        doc.para("Scaling an Argo Rollout back up starts no new update: the stable version returns.");
    }
}

fn local_postgres(platform: &Platform, ds: &Datastore, doc: &mut Markdown) {
    let dump = |db: &str| {
        format!("docker-compose exec -T {} sh -c 'pg_dump -U \"$POSTGRES_USER\" -Fc -d {db}' > {db}.dump", ds.name)
    };
    let restore = |db: &str| {
        format!(
            "docker-compose exec -T {} sh -c 'pg_restore -U \"$POSTGRES_USER\" --clean --if-exists --no-owner -d {db}' < {db}.dump",
            ds.name
        )
    };
    let mut lines = vec![super::commands::compose_cd(platform)];
    lines.extend(ds.databases.iter().map(|db| dump(db)));
    lines.push(format!(
        "docker-compose stop {}",
        users(platform, ds).iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(" ")
    ));
    lines.extend(ds.databases.iter().map(|db| restore(db)));
    lines.push("docker-compose up -d".to_owned());
    doc.code("bash", lines);
}

fn elasticache(platform: &Platform, ds: &Datastore, doc: &mut Markdown) {
    let group = names::elasticache_group(platform, &ds.name);
    let region = &platform.cloud.region;
    doc.para(&format!(
        "ElastiCache replication group {}. Snapshots restore into a new group with the same node type, subnet group and security group; then swap the private record `{}` to it (or, as a cache, let it refill).",
        code(&group),
        names::datastore_host(platform, &ds.name)
    ))
    .code(
        "bash",
        [
            format!("aws elasticache describe-snapshots --region {region} --replication-group-id {group}"),
            format!("aws elasticache describe-replication-groups --region {region} --replication-group-id {group}"),
            format!(
                "aws elasticache create-replication-group --region {region} --replication-group-id {}-restored --replication-group-description 'restore of {group}' --snapshot-name <snapshot> --cache-node-type <node type> --cache-subnet-group-name {group} --security-group-ids <security group> --transit-encryption-enabled --at-rest-encryption-enabled",
                names::cut(&group, names::ELASTICACHE_GROUP_MAX - "-restored".len())
            ),
        ],
    );
}

fn bucket(platform: &Platform, ds: &Datastore, doc: &mut Markdown) {
    let bucket = names::datastore_resource(platform, &ds.name);
    if !ds.versioning {
        doc.para(&format!(
            "Bucket {} has no versioning: a deleted or overwritten object cannot be recovered from S3.",
            code(&bucket)
        ));
        return;
    }
    doc.para(&format!(
        "Bucket {} keeps every version: restore an object by copying an older version over it, or undelete it by removing its delete marker.",
        code(&bucket)
    ))
    .code(
        "bash",
        [
            format!("aws s3api list-object-versions --bucket {bucket} --prefix <key>"),
            format!("aws s3api copy-object --bucket {bucket} --key <key> --copy-source '{bucket}/<key>?versionId=<version>'"),
            format!("aws s3api delete-object --bucket {bucket} --key <key> --version-id <delete-marker-version>"),
        ],
    );
    if let Some(region) = &ds.replicate_to {
        doc.para(&format!("Objects are also replicated to {region}: the standby copy if the region is lost."));
    }
}

fn velero(platform: &Platform, doc: &mut Markdown) {
    doc.heading(2, VELERO);
    let Some(backup) = &platform.recovery.cluster_backup else {
        doc.para("Cluster backups are off (`recovery.cluster_backup`): the namespace is recreated from the rendered manifests.");
        return;
    };
    let schedule = names::velero_schedule(platform);
    let namespace = &platform.kubernetes.namespace;
    doc.para(&format!(
        "Velero schedule {} backs up namespace {} daily at {} UTC (volumes included), kept {}, to storage location {}.",
        code(&schedule),
        code(namespace),
        backup.at,
        backup.keep,
        code(&backup.location)
    ))
    .code(
        "bash",
        [
            format!("velero backup get --selector velero.io/schedule-name={schedule}"),
            format!("velero restore create --from-schedule {schedule} --include-namespaces {namespace}"),
            format!("velero restore create --from-backup <backup> --include-namespaces {namespace}"),
            "velero restore describe <restore> --details".to_owned(),
        ],
    )
    .para("Velero does not overwrite objects that exist: delete what must come back from the backup first, or restore into another namespace with `--namespace-mappings`.");
}
