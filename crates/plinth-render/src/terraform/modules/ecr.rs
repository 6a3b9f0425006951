//! `ecr`: one private repository per service image, with scan on push, immutable tags, encryption
//! with the environment's KMS key, and a lifecycle policy (untagged images expire after 7 days,
//! the newest 30 tagged images are kept); replicated to `cloud.dr_region` when the spec has one.
//!
//! **Names.** A repository is named after the service's `image` without its registry host:
//! `ghcr.io/codepal/api-gateway` → `codepal/api-gateway`,
//! `123456789012.dkr.ecr.us-east-1.amazonaws.com/ctoprojects/app` → `ctoprojects/app` (so an image
//! that already names an ECR repository names this one). The first path segment is a host when it
//! has a `.` or a `:` or is `localhost` (Docker's rule); an image without one keeps its whole path
//! (`nginx`). Names are lower-cased; services sharing an image share its repository, tagged with
//! every service's name (`service`, separated by spaces).
//!
//! **Ownership.** Repository names are unique per account and region, while every environment of
//! an application deploys the same images (built once, promoted by tag), and the environments'
//! roots share one account by default (one state bucket per application). So only the root of a
//! production-stage environment creates the repositories (and the account-wide replication rule);
//! the other environments pull from them, which their node role's `AmazonEC2ContainerRegistryReadOnly`
//! allows within the account. A spec with no production-stage environment gets no repositories.

use std::collections::BTreeMap;

use hcl::{Block, Expression};
use plinth_spec::model::{Platform, Stage};

use super::super::Module;
use super::super::syntax::{data, expr, object, output, resource, variable, variable_with_default};

/// Tagged images kept per repository.
pub const KEEP_TAGGED: u32 = 30;
/// Days after which an untagged image expires.
pub const UNTAGGED_DAYS: u32 = 7;

/// The repository of an image reference: its path without the registry host, tag or digest,
/// lower-cased (see the module documentation).
pub fn repository(image: &str) -> String {
    let image = image.split('@').next().unwrap_or(image);
    // A `:` after the last `/` is a tag; one before it belongs to the host's port.
    let image = match image.rsplit_once(':') {
        Some((path, tag)) if !tag.contains('/') => path,
        _ => image,
    };
    let path = match image.split_once('/') {
        Some((first, rest)) if first.contains('.') || first.contains(':') || first == "localhost" => rest,
        _ => image,
    };
    path.to_lowercase()
}

/// The environment's repositories: name → the services using it, separated by spaces (a tag value
/// may not hold commas).
pub fn repositories(platform: &Platform) -> BTreeMap<String, String> {
    let mut names: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for service in &platform.services {
        names.entry(repository(&service.image)).or_default().push(&service.name);
    }
    names.into_iter().map(|(name, services)| (name, services.join(" "))).collect()
}

/// The lifecycle policy: rule 1 expires untagged images, rule 2 keeps the newest tagged ones.
fn lifecycle_policy() -> Expression {
    expr(&format!(
        r#"jsonencode({{ rules = [{{ rulePriority = 1, description = "Expire untagged images after {UNTAGGED_DAYS} days", selection = {{ tagStatus = "untagged", countType = "sinceImagePushed", countUnit = "days", countNumber = {UNTAGGED_DAYS} }}, action = {{ type = "expire" }} }}, {{ rulePriority = 2, description = "Keep the newest {KEEP_TAGGED} tagged images", selection = {{ tagStatus = "tagged", tagPatternList = ["*"], countType = "imageCountMoreThan", countNumber = {KEEP_TAGGED} }}, action = {{ type = "expire" }} }}] }})"#
    ))
}

/// The module.
pub fn module() -> Module {
    let variables = vec![
        variable(
            "repositories",
            "map(string)",
            "Repository name (the image without its registry host) → the services using it (the `service` tag).",
        ),
        variable("kms_key_arn", "string", "KMS key encrypting the images."),
        variable_with_default(
            "replication_region",
            "string",
            "Region the repositories are replicated to (cloud.dr_region); null: none.",
            Expression::Null,
        ),
    ];
    let main = vec![
        data("aws_caller_identity", "current").build(),
        resource("aws_ecr_repository", "this")
            .add_attribute(("for_each", expr("var.repositories")))
            .add_attribute(("name", expr("each.key")))
            .add_attribute(("image_tag_mutability", "IMMUTABLE"))
            .add_block(Block::builder("image_scanning_configuration").add_attribute(("scan_on_push", true)).build())
            .add_block(
                Block::builder("encryption_configuration")
                    .add_attribute(("encryption_type", "KMS"))
                    .add_attribute(("kms_key", expr("var.kms_key_arn")))
                    .build(),
            )
            .add_attribute(("tags", expr("{ service = each.value }")))
            .build(),
        resource("aws_ecr_lifecycle_policy", "this")
            .add_attribute(("for_each", expr("aws_ecr_repository.this")))
            .add_attribute(("repository", expr("each.value.name")))
            .add_attribute(("policy", lifecycle_policy()))
            .build(),
        // One replication configuration per registry: the account's, owned by this root.
        resource("aws_ecr_replication_configuration", "this")
            .add_attribute(("count", expr("var.replication_region == null ? 0 : 1")))
            .add_block(
                Block::builder("replication_configuration")
                    .add_block(
                        Block::builder("rule")
                            .add_block(
                                Block::builder("destination")
                                    .add_attribute(("region", expr("var.replication_region")))
                                    .add_attribute(("registry_id", expr("data.aws_caller_identity.current.account_id")))
                                    .build(),
                            )
                            .add_block(
                                Block::builder("dynamic")
                                    .add_label("repository_filter")
                                    .add_attribute(("for_each", expr("keys(var.repositories)")))
                                    .add_block(
                                        Block::builder("content")
                                            .add_attribute(("filter", expr("repository_filter.value")))
                                            .add_attribute(("filter_type", "PREFIX_MATCH"))
                                            .build(),
                                    )
                                    .build(),
                            )
                            .build(),
                    )
                    .build(),
            )
            .build(),
    ];
    let outputs = vec![
        output(
            "repository_urls",
            "zipmap(keys(aws_ecr_repository.this), values(aws_ecr_repository.this)[*].repository_url)",
            "Push URL of every repository, by name.",
        ),
        output(
            "repository_arns",
            "zipmap(keys(aws_ecr_repository.this), values(aws_ecr_repository.this)[*].arn)",
            "ARN of every repository, by name.",
        ),
    ];
    Module { name: "ecr", variables, main, outputs, skips: Vec::new(), provider_aliases: Vec::new() }
}

/// The repositories, in a production-stage environment (see the module documentation).
pub fn call(platform: &Platform) -> Option<Block> {
    if platform.environment.stage != Stage::Production || platform.services.is_empty() {
        return None;
    }
    let repositories = repositories(platform);
    let mut arguments = vec![
        (
            "repositories",
            object(repositories.iter().map(|(name, services)| (name.clone(), Expression::from(services.as_str())))),
        ),
        ("kms_key_arn", expr("module.kms.key_arn")),
    ];
    if let Some(region) = &platform.cloud.dr_region {
        arguments.push(("replication_region", Expression::from(region.as_str())));
    }
    Some(super::call("ecr", arguments))
}

#[cfg(test)]
mod tests {
    use super::super::super::syntax::file;
    use super::*;

    #[test]
    fn a_repository_is_the_image_without_its_registry_host() {
        assert_eq!(repository("ghcr.io/codepal/api-gateway"), "codepal/api-gateway");
        assert_eq!(repository("123456789012.dkr.ecr.us-east-1.amazonaws.com/ctoprojects/app"), "ctoprojects/app");
        assert_eq!(repository("localhost:5000/team/web:1.2"), "team/web");
        assert_eq!(repository("registry.example.com:5000/Team/Web@sha256:abc"), "team/web");
        assert_eq!(repository("library/nginx"), "library/nginx");
        assert_eq!(repository("nginx:1.27"), "nginx");
    }

    const SPEC: &str = "plinth: 1\nname: shop\ncloud: { provider: aws, region: us-east-1, dr_region: us-west-2 }\nservices:\n  web: { image: ghcr.io/shop/web }\n  worker: { image: ghcr.io/shop/web }\n  api: { image: ghcr.io/shop/api }\nenvironments:\n  staging: {}\n  production: {}\n";

    fn platform(env: &str) -> Platform {
        let compiled = plinth_spec::compile(SPEC);
        assert!(!compiled.has_errors(), "{:#?}", compiled.diagnostics);
        compiled.platform(env).unwrap().clone()
    }

    #[test]
    fn services_sharing_an_image_share_a_repository_tagged_with_both() {
        let production = platform("production");
        let repositories = repositories(&production);
        assert_eq!(repositories.get("shop/web").map(String::as_str), Some("web worker"));
        assert_eq!(repositories.get("shop/api").map(String::as_str), Some("api"));
        let text = file(vec![call(&production).unwrap()], &[]);
        assert!(text.contains("\"shop/web\" = \"web worker\""), "{text}");
        assert!(text.contains("replication_region = \"us-west-2\""), "{text}");
    }

    #[test]
    fn only_production_owns_the_repositories() {
        assert!(call(&platform("staging")).is_none());
        assert!(call(&platform("production")).is_some());
    }

    #[test]
    fn tags_are_immutable_images_scanned_and_pruned() {
        let main = file(module().main, &[]);
        assert!(main.contains("image_tag_mutability = \"IMMUTABLE\""), "{main}");
        assert!(main.contains("scan_on_push = true"), "{main}");
        assert!(main.contains("encryption_type = \"KMS\""), "{main}");
        assert!(main.contains("countNumber = 30"), "{main}");
        assert!(main.contains("countNumber = 7"), "{main}");
    }
}
