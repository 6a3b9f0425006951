//! The modules, one file each: `module()` is the reusable module (the same for every
//! application), `call(platform)` the block an environment's root uses to instantiate it with
//! values from the model, or `None` when the environment does not need it.

mod budgets;
mod cdn;
mod datastore;
mod dns;
mod ecr;
mod edge;
mod eks;
mod elasticache;
mod github_oidc;
mod kms;
mod private_dns;
mod rds;
mod s3;
mod s3_logs;
mod s3_replica;
mod secrets;
mod vpc;

use hcl::{Block, Expression};
use plinth_spec::model::Platform;

use super::Module;

/// Every module, in a stable order.
pub fn all() -> Vec<Module> {
    let mut modules = vec![vpc::module(), cdn::module(), dns::module(), budgets::module()];
    // The cluster's modules.
    modules.extend([kms::module(), eks::module(), ecr::module()]);
    // The datastores' modules.
    modules.extend([
        private_dns::module(),
        rds::module(),
        elasticache::module(),
        s3::module(),
        s3_replica::module(),
        s3_logs::module(),
        secrets::module(),
    ]);
    modules.push(github_oidc::module());
    modules
}

/// The module calls of one environment's root; `application` is every environment of the
/// application (what an account-wide resource of the root serves).
pub fn calls(platform: &Platform, application: &[Platform]) -> Vec<Block> {
    let calls = [
        kms::call(platform),
        vpc::call(platform),
        eks::call(platform),
        ecr::call(platform),
        cdn::call(platform),
        dns::call(platform),
        budgets::call(platform),
    ];
    // The root variables the calls read come first.
    let mut blocks: Vec<Block> =
        edge::root_variables(platform).into_iter().chain(calls.into_iter().flatten()).collect();
    // The datastores: the private zone and the secrets once, then one call per datastore.
    blocks.extend(private_dns::call(platform));
    blocks.extend(secrets::call(platform));
    blocks.extend(rds::call(platform));
    blocks.extend(elasticache::call(platform));
    blocks.extend(s3::call(platform));
    // The roles of the GitHub Actions workflows.
    blocks.extend(github_oidc::call(platform, application));
    blocks
}

/// `module "name" { source = "../../../terraform/modules/name", … }`.
pub fn call(name: &str, arguments: Vec<(&str, Expression)>) -> Block {
    let mut block = Block::builder("module")
        .add_label(name)
        .add_attribute(("source", format!("../../../terraform/modules/{name}")));
    for (key, value) in arguments {
        block = block.add_attribute((key, value));
    }
    block.build()
}

/// A module call handing the module the provider `aliases` it declares (`us_east_1`), besides the
/// default provider: `providers = { aws = aws, aws.us_east_1 = aws.us_east_1 }`.
pub fn call_with_providers(name: &str, aliases: &[&str], arguments: Vec<(&str, Expression)>) -> Block {
    let mut pairs = vec!["aws = aws".to_owned()];
    pairs.extend(aliases.iter().map(|alias| format!("aws.{alias} = aws.{alias}")));
    let providers = super::syntax::expr(&format!("{{\n{}\n}}", pairs.join("\n")));
    let mut arguments = arguments;
    arguments.insert(0, ("providers", providers));
    call(name, arguments)
}

/// `module "label" { source = "../../../terraform/modules/source", … }`: an instance of a module
/// the root calls several times (`rds_orders` of `rds`), handed the provider `aliases` it
/// declares besides the default provider.
pub fn call_instance(label: &str, source: &str, aliases: &[&str], arguments: Vec<(&str, Expression)>) -> Block {
    let mut block =
        if aliases.is_empty() { call(source, arguments) } else { call_with_providers(source, aliases, arguments) };
    block.labels[0] = label.into();
    block
}
