//! The Terraform backend for AWS: reusable modules under `terraform/modules/<name>/` (typed
//! variables and outputs) and one root per environment under `environments/<env>/terraform/`
//! (provider versions, S3 state with DynamoDB locking, default cost-allocation tags, and one call
//! per module the environment needs). Every file is built as HCL structure with hcl-rs.

mod modules;
mod root;
mod syntax;

use hcl::Block;
use plinth_spec::model::Platform;

use crate::Artifacts;
pub use syntax::Skip;

/// The AWS provider versions the modules are written for.
pub const AWS_PROVIDER: &str = "~> 5.80";
/// The Terraform versions the files are written for.
pub const TERRAFORM_VERSION: &str = ">= 1.6.0";

/// A reusable module: its variables, its resources and its outputs.
#[derive(Debug, Clone)]
pub struct Module {
    /// Directory name (`vpc`).
    pub name: &'static str,
    /// `variable` blocks.
    pub variables: Vec<Block>,
    /// Resources, data sources and locals.
    pub main: Vec<Block>,
    /// `output` blocks.
    pub outputs: Vec<Block>,
    /// Checkov findings not fixed, each with its reason.
    pub skips: Vec<Skip>,
    /// Provider aliases the module is handed (`us_east_1` for CloudFront's certificate and WAF).
    pub provider_aliases: Vec<&'static str>,
}

/// Renders the shared modules once, and the root of every environment that runs on Kubernetes.
pub fn render(platforms: &[Platform], artifacts: &mut Artifacts) {
    let roots: Vec<&Platform> = platforms.iter().filter(|p| root::applies(p)).collect();
    if roots.is_empty() {
        return;
    }
    for module in modules::all() {
        let dir = format!("terraform/modules/{}", module.name);
        artifacts.add(
            format!("{dir}/versions.tf"),
            syntax::file(vec![root::terraform_block(&module.provider_aliases, None)], &[]),
        );
        artifacts.add(format!("{dir}/variables.tf"), syntax::file(module.variables, &[]));
        artifacts.add(format!("{dir}/main.tf"), syntax::file(module.main, &module.skips));
        artifacts.add(format!("{dir}/outputs.tf"), syntax::file(module.outputs, &[]));
    }
    for platform in roots {
        root::render(platform, platforms, artifacts);
    }
}
