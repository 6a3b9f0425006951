//! Names several backends must agree on: the EKS cluster of an environment, which the Terraform
//! backend creates and the deploy workflow connects to, and the IAM roles GitHub Actions assumes
//! through OIDC, which the workflows name and Terraform creates.

use crate::model::Platform;

/// The environment's EKS cluster (and the `Name` of what belongs to it): `<app>-<env>`.
pub fn cluster_name(platform: &Platform) -> String {
    format!("{}-{}", platform.name, platform.environment.name)
}

/// The role the deploy and migration workflows assume in an environment: reads the cluster's
/// endpoint to apply the manifests (`<app>-<env>-github-deploy`).
pub fn github_deploy_role(platform: &Platform) -> String {
    format!("{}-github-deploy", cluster_name(platform))
}

/// The role the infrastructure workflow assumes to apply an environment's Terraform root
/// (`<app>-<env>-github-terraform`).
pub fn github_terraform_role(platform: &Platform) -> String {
    format!("{}-github-terraform", cluster_name(platform))
}

/// How long the Terraform role's sessions may last (and the apply job may run): an apply creating
/// a cluster and a Multi-AZ database can take over an hour.
pub const TERRAFORM_SESSION_SECONDS: u32 = 7200;

/// The read-only role the infrastructure workflow assumes to plan an environment's Terraform root
/// on pull requests (`<app>-<env>-github-plan`).
pub fn github_plan_role(platform: &Platform) -> String {
    format!("{}-github-plan", cluster_name(platform))
}

/// The role CI assumes to push the application's images to ECR (`<app>-github-push`): one per
/// application, since every environment deploys the same images.
pub fn github_push_role(platform: &Platform) -> String {
    format!("{}-github-push", platform.name)
}

/// The AWS name of a managed datastore's resources: `<app>-<env>-<datastore>`; the S3 bucket of a
/// bucket datastore (which the services receive as `<DATASTORE>_BUCKET`), and the base of the RDS
/// and ElastiCache identifiers.
pub fn datastore_resource(platform: &Platform, datastore: &str) -> String {
    format!("{}-{}-{datastore}", platform.name, platform.environment.name)
}

/// Longest RDS identifier: `-replica-N` and `-rds-monitoring` (an IAM role, 64 at most) follow it.
pub const RDS_IDENTIFIER_MAX: usize = 48;

/// The RDS instance identifier of a managed PostgreSQL datastore: [`datastore_resource`] cut to
/// [`RDS_IDENTIFIER_MAX`] characters.
pub fn rds_identifier(platform: &Platform, datastore: &str) -> String {
    cut(&datastore_resource(platform, datastore), RDS_IDENTIFIER_MAX)
}

/// ElastiCache's limit on a replication group's identifier.
pub const ELASTICACHE_GROUP_MAX: usize = 40;

/// The ElastiCache replication group of a managed Redis datastore: [`datastore_resource`] cut to
/// [`ELASTICACHE_GROUP_MAX`] characters.
pub fn elasticache_group(platform: &Platform, datastore: &str) -> String {
    cut(&datastore_resource(platform, datastore), ELASTICACHE_GROUP_MAX)
}

/// `name` cut to `max` characters, and any trailing `-` with them
/// (`a-very-long-application-name-production-cache` at 40: `a-very-long-application-name-production`).
pub fn cut(name: &str, max: usize) -> String {
    name[..name.len().min(max)].trim_end_matches('-').to_owned()
}

/// The Velero Schedule backing up the application namespace (in namespace `velero`):
/// `<namespace>-daily-backup`; its backups are named `<schedule>-<UTC timestamp>`.
pub fn velero_schedule(platform: &Platform) -> String {
    format!("{}-daily-backup", platform.kubernetes.namespace)
}

/// The exporter of datastore `datastore` (`db-exporter`): the compose service locally, the
/// Deployment and Service of a managed datastore's exporter in Kubernetes; no service or datastore
/// may take the name.
pub fn exporter(datastore: &str) -> String {
    format!("{datastore}-exporter")
}

/// The private DNS name of a managed datastore, which the Terraform backend's record resolves to
/// the instance and the Kubernetes backend's ExternalName Service points at:
/// `<datastore>.<env>.<app>.internal`.
pub fn datastore_host(platform: &Platform, datastore: &str) -> String {
    format!("{datastore}.{}.{}.internal", platform.environment.name, platform.name)
}
