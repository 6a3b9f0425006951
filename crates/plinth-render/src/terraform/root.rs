//! One Terraform root per environment: `versions.tf` (Terraform and provider versions, S3 state
//! with DynamoDB locking and encryption), `providers.tf` (region, aliases, default tags for cost
//! allocation) and `main.tf` (a call per module the environment needs).

use hcl::{Block, Expression};
use plinth_spec::model::{Platform, Provider, Runtime};

use super::syntax::{expr, file, object};
use super::{AWS_PROVIDER, TERRAFORM_VERSION, modules};
use crate::Artifacts;

/// Whether the environment gets a Terraform root: it runs on Kubernetes in AWS.
pub fn applies(platform: &Platform) -> bool {
    platform.environment.runtime == Runtime::Kubernetes && platform.cloud.provider == Provider::Aws
}

/// The region CloudFront's certificates and WAF must live in.
pub const GLOBAL_REGION: &str = "us-east-1";

/// Where the environment's state lives.
pub struct StateBackend {
    /// S3 bucket.
    pub bucket: String,
    /// Object key.
    pub key: String,
    /// Bucket region.
    pub region: String,
    /// DynamoDB lock table.
    pub lock_table: String,
}

impl StateBackend {
    /// The conventional backend of `platform`: one bucket and lock table per application.
    pub fn of(platform: &Platform) -> Self {
        StateBackend {
            bucket: format!("{}-terraform-state", platform.name),
            key: format!("{}/terraform.tfstate", platform.environment.name),
            region: platform.cloud.region.clone(),
            lock_table: format!("{}-terraform-locks", platform.name),
        }
    }
}

/// `terraform { required_version, required_providers, backend? }`; `aliases` are the provider
/// configurations a module receives from its caller.
pub fn terraform_block(aliases: &[&str], backend: Option<&StateBackend>) -> Block {
    let mut aws = vec![("source", Expression::from("hashicorp/aws")), ("version", Expression::from(AWS_PROVIDER))];
    if !aliases.is_empty() {
        let list = aliases.iter().map(|a| format!("aws.{a}")).collect::<Vec<_>>().join(", ");
        aws.push(("configuration_aliases", expr(&format!("[{list}]"))));
    }
    let mut block = Block::builder("terraform")
        .add_attribute(("required_version", TERRAFORM_VERSION))
        .add_block(Block::builder("required_providers").add_attribute(("aws", object(aws))).build());
    if let Some(state) = backend {
        block = block.add_block(
            Block::builder("backend")
                .add_label("s3")
                .add_attribute(("bucket", state.bucket.as_str()))
                .add_attribute(("key", state.key.as_str()))
                .add_attribute(("region", state.region.as_str()))
                .add_attribute(("dynamodb_table", state.lock_table.as_str()))
                .add_attribute(("encrypt", true))
                .build(),
        );
    }
    block.build()
}

/// The tags every resource carries (`default_tags`); `service` is added per resource.
pub fn default_tags(platform: &Platform) -> Expression {
    object([
        ("app", Expression::from(platform.name.as_str())),
        ("environment", Expression::from(platform.environment.name.as_str())),
        ("owner", Expression::from(platform.owner.as_str())),
        ("managed-by", Expression::from("plinth")),
    ])
}

fn provider(platform: &Platform, alias: Option<&str>, region: &str) -> Block {
    let mut block = Block::builder("provider").add_label("aws");
    if let Some(alias) = alias {
        block = block.add_attribute(("alias", alias));
    }
    block
        .add_attribute(("region", region))
        .add_block(Block::builder("default_tags").add_attribute(("tags", default_tags(platform))).build())
        .build()
}

/// Writes `environments/<env>/terraform/`; `application` is every environment of the application.
pub fn render(platform: &Platform, application: &[Platform], artifacts: &mut Artifacts) {
    let dir = format!("environments/{}/terraform", platform.environment.name);
    let state = StateBackend::of(platform);
    artifacts.add(format!("{dir}/versions.tf"), file(vec![terraform_block(&[], Some(&state))], &[]));
    // `dr` is the standby region (or the region buckets replicate to); without one, the primary.
    let dr = platform
        .cloud
        .dr_region
        .as_deref()
        .or_else(|| platform.datastores.iter().find_map(|d| d.replicate_to.as_deref()))
        .unwrap_or(&platform.cloud.region);
    let providers = vec![
        provider(platform, None, &platform.cloud.region),
        provider(platform, Some("us_east_1"), GLOBAL_REGION),
        provider(platform, Some("dr"), dr),
    ];
    artifacts.add(format!("{dir}/providers.tf"), file(providers, &[]));
    artifacts.add(format!("{dir}/main.tf"), file(modules::calls(platform, application), &[]));
}
