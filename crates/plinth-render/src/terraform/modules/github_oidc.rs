//! `github_oidc`: the IAM roles the rendered GitHub Actions workflows assume through GitHub's OIDC
//! provider (names from `plinth_spec::names`), when the spec names its repository
//! (`build.repository`).
//!
//! - **Provider.** `token.actions.githubusercontent.com` is one per account: created by the
//!   production-stage environment, looked up by the others (apply production first, as for the
//!   zones).
//! - **Trust.** Each role admits tokens with `aud = sts.amazonaws.com` and exactly the `sub` claims
//!   (GitHub's default claim format) of the jobs that assume it: `repo:<owner/name>:environment:<env>`
//!   for the deploy and Terraform roles (deploy.yml's and infrastructure.yml's apply jobs run in the
//!   GitHub environment of that name), `repo:<owner/name>:pull_request` for the plan role,
//!   `repo:<owner/name>:ref:refs/heads/<branch>` for the push role (ci.yml's build job runs in no
//!   environment, on pushes to the environments' branches). An environment's subject is issued to
//!   any job naming that environment, from any branch: restrict each GitHub environment's
//!   deployment branches to its branch (repository settings → Environments).
//! - **`<app>-<env>-github-deploy`** (deploy.yml; environments with a branch): `eks:DescribeCluster`
//!   on the environment's cluster, and a cluster access entry with `AmazonEKSClusterAdminPolicy`.
//!   Not a namespace-scoped `AmazonEKSEditPolicy`: the kustomization it applies holds cluster-scoped
//!   objects (the Namespace, the ClusterSecretStore), objects in other namespaces (Velero's
//!   Schedule) and custom resources (Rollouts, ExternalSecrets, ServiceMonitors), none of which EKS's
//!   fixed namespace policies cover. The same `environment:<env>` subject already obtains the
//!   Terraform role, which can grant any cluster access, so this adds no reach to that principal.
//! - **`<app>-<env>-github-plan`** (pull requests): AWS's `ReadOnlyAccess` for the refresh, and by
//!   name the state object, the listing of its bucket and the lock table's digest item (the S3
//!   backend checks it even with `-lock=false`), plus Secrets Manager's `GetRandomPassword` and the
//!   values of the secrets Terraform writes itself (`secrets`' generated versions, already in the
//!   state it reads), decrypted with the environment's key. Any branch's pull request obtains it
//!   (not a fork's, which gets no OIDC token): the state it reads holds such generated values.
//! - **`<app>-<env>-github-terraform`** (apply; environments with a branch): `AdministratorAccess`.
//!   The roots create IAM roles and policies, and a principal that can write IAM policies can grant
//!   itself anything, so a narrower list (PowerUserAccess plus IAM on `<app>-*`) would be a boundary
//!   in name only; what guards it is its trust (the GitHub environment's reviewers and branch rule).
//!   Sessions may last two hours, the apply job's time limit. **Chicken and egg:** the role is
//!   created by the very root it applies, so the first apply of each environment (and of the
//!   provider, in production) is run by an administrator with their own credentials.
//! - **`<app>-github-push`** (ci.yml, when a service's image is on ECR; one per application, in
//!   production beside the ECR repositories): `ecr:GetAuthorizationToken` and the push actions on
//!   the application's repositories only. Without environment branches ci.yml pushes from every
//!   branch, which no pinned subject admits, so there is no push role.

use std::collections::BTreeSet;

use hcl::{Block, BlockBuilder, Expression, Identifier, ObjectKey};
use plinth_spec::model::{Platform, SecretProvider, Stage};
use plinth_spec::names;

use super::super::Module;
use super::super::root::StateBackend;
use super::super::syntax::{
    Skip, Statement, data, expr, output, policy_document, resource, strings, template, templates, variable_with_default,
};
use super::elasticache::{AUTH_SECRET, needs_auth_token};

/// GitHub's OIDC issuer, the prefix of its condition keys.
const ISSUER: &str = "token.actions.githubusercontent.com";

/// SHA-1 thumbprints of the certificates of GitHub's issuer. IAM verifies GitHub's issuer against
/// its own trusted CAs and ignores them, but AWS provider 5.80 still requires one.
const THUMBPRINTS: [&str; 2] = ["6938fd4d98bab03faadb97b34396831e3780aea1", "1c58a3a8518e8759bf075b76b750d4f2df264fcd"];

/// The roles: the module's label of each, which is also the prefix of its variable (`deploy_role`).
const ROLES: [(&str, &str); 4] = [
    ("deploy", "GitHub Actions: deploy.yml applies the Kubernetes manifests"),
    ("plan", "GitHub Actions: infrastructure.yml plans on pull requests (read-only)"),
    ("terraform", "GitHub Actions: infrastructure.yml applies the Terraform root"),
    ("push", "GitHub Actions: ci.yml pushes the application's images to ECR"),
];

/// The ECR actions of `docker push` (layers, then the manifest).
const PUSH_ACTIONS: [&str; 7] = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
    "ecr:PutImage",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
];

/// The Checkov findings not fixed.
const SKIPS: [Skip; 1] = [Skip {
    address: "aws_iam_role_policy_attachment.terraform",
    check: "CKV_AWS_274",
    reason: "the Terraform role applies roots that create IAM roles and policies, which is administrator-equivalent whatever the list; it is assumable only by jobs in the environment's GitHub environment (see the module documentation)",
}];

/// `count = <var.<role>_role> == null ? 0 : 1`: the role exists when the root names it.
fn when_role(role: &str) -> String {
    format!("var.{role}_role == null ? 0 : 1")
}

/// A resource that exists only with `role`.
fn with_role(kind: &str, label: &str, role: &str) -> BlockBuilder {
    resource(kind, label).add_attribute(("count", expr(&when_role(role))))
}

/// The trust policy and the role of `label`, which GitHub's tokens with its subjects assume.
fn role(label: &str, description: &str) -> Vec<Block> {
    let trust = Statement::allow("GitHubActions", &["sts:AssumeRoleWithWebIdentity"])
        .to("Federated", expr("[local.provider_arn]"))
        .when("StringEquals", &format!("{ISSUER}:aud"), strings(["sts.amazonaws.com"]))
        .when("StringEquals", &format!("{ISSUER}:sub"), expr(&format!("var.{label}_role.subjects")));
    let mut block = with_role("aws_iam_role", label, label)
        .add_attribute(("name", expr(&format!("var.{label}_role.name"))))
        .add_attribute(("description", description))
        .add_attribute(("assume_role_policy", expr(&format!("data.aws_iam_policy_document.{label}_trust[0].json"))));
    if label == "terraform" {
        block = block.add_attribute(("max_session_duration", names::TERRAFORM_SESSION_SECONDS));
    }
    vec![policy_document(&format!("{label}_trust"), Some(&when_role(label)), vec![trust]), block.build()]
}

/// The inline policy `label` of the role `role`, from `statements`, under `count`.
fn inline(label: &str, role: &str, count: &str, statements: Vec<Statement>) -> [Block; 2] {
    [
        policy_document(label, Some(count), statements),
        resource("aws_iam_role_policy", label)
            .add_attribute(("count", expr(count)))
            .add_attribute(("name", label.replace('_', "-")))
            .add_attribute(("role", expr(&format!("aws_iam_role.{role}[0].id"))))
            .add_attribute(("policy", expr(&format!("data.aws_iam_policy_document.{label}[0].json"))))
            .build(),
    ]
}

/// The AWS managed policy `name` attached to `role`.
fn managed(role: &str, name: &str) -> Block {
    with_role("aws_iam_role_policy_attachment", role, role)
        .add_attribute(("role", expr(&format!("aws_iam_role.{role}[0].name"))))
        .add_attribute(("policy_arn", template(&format!("arn:${{local.partition}}:iam::aws:policy/{name}"))))
        .build()
}

/// The deploy role's permissions: the cluster's endpoint, and Kubernetes access through an access
/// entry (see the module documentation).
fn deploy() -> Vec<Block> {
    let cluster = "arn:${local.partition}:eks:${local.region}:${local.account_id}:cluster/${var.cluster_name}";
    let mut blocks = inline(
        "deploy",
        "deploy",
        &when_role("deploy"),
        vec![Statement::allow("DescribeCluster", &["eks:DescribeCluster"]).on(templates([cluster]))],
    )
    .to_vec();
    blocks.extend([
        with_role("aws_eks_access_entry", "deploy", "deploy")
            .add_attribute(("cluster_name", expr("var.cluster_name")))
            .add_attribute(("principal_arn", expr("aws_iam_role.deploy[0].arn")))
            .add_attribute(("type", "STANDARD"))
            .build(),
        with_role("aws_eks_access_policy_association", "deploy", "deploy")
            .add_attribute(("cluster_name", expr("var.cluster_name")))
            .add_attribute(("principal_arn", expr("aws_eks_access_entry.deploy[0].principal_arn")))
            .add_attribute((
                "policy_arn",
                template("arn:${local.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"),
            ))
            .add_block(Block::builder("access_scope").add_attribute(("type", "cluster")).build())
            .build(),
    ]);
    blocks
}

/// The plan role's permissions besides `ReadOnlyAccess` (see the module documentation).
fn plan() -> Vec<Block> {
    let table = "arn:${local.partition}:dynamodb:${local.region}:${local.account_id}:table/${var.state.lock_table}";
    let mut blocks = vec![managed("plan", "ReadOnlyAccess")];
    blocks.extend(inline(
        "plan",
        "plan",
        &when_role("plan"),
        vec![
            Statement::allow("StateBucket", &["s3:ListBucket"])
                .on(templates(["arn:${local.partition}:s3:::${var.state.bucket}"])),
            Statement::allow("State", &["s3:GetObject"])
                .on(templates(["arn:${local.partition}:s3:::${var.state.bucket}/${var.state.key}"])),
            Statement::allow("StateDigest", &["dynamodb:GetItem"]).on(templates([table])),
        ],
    ));
    blocks.extend(inline(
        "plan_secrets",
        "plan",
        "var.plan_role != null && length(var.generated_secret_arns) > 0 ? 1 : 0",
        vec![
            Statement::allow("RandomPassword", &["secretsmanager:GetRandomPassword"]).on(strings(["*"])),
            Statement::allow("GeneratedSecrets", &["secretsmanager:GetSecretValue"])
                .on(expr("var.generated_secret_arns")),
            Statement::allow("DecryptSecrets", &["kms:Decrypt"]).on(expr("[var.kms_key_arn]")).when(
                "StringEquals",
                "kms:ViaService",
                templates(["secretsmanager.${local.region}.amazonaws.com"]),
            ),
        ],
    ));
    blocks
}

/// The push role's permissions: the registry login, and pushes to the repositories.
fn push() -> [Block; 2] {
    inline(
        "push",
        "push",
        &when_role("push"),
        vec![
            Statement::allow("Login", &["ecr:GetAuthorizationToken"]).on(strings(["*"])),
            Statement::allow("Push", &PUSH_ACTIONS).on(expr("var.push_repository_arns")),
        ],
    )
}

fn variables() -> Vec<Block> {
    let role_type = "object({ name = string, subjects = list(string) })";
    let mut variables = vec![variable_with_default(
        "create_provider",
        "bool",
        "Create GitHub's OIDC provider (the production environment), or look it up (the others).",
        true,
    )];
    variables.extend(ROLES.iter().map(|(label, description)| {
        variable_with_default(
            &format!("{label}_role"),
            role_type,
            &format!("{description}: its name and the `sub` claims its trust admits; null: no such role."),
            Expression::Null,
        )
    }));
    variables.extend([
        variable_with_default(
            "cluster_name",
            "string",
            "The environment's EKS cluster, which the deploy role reaches.",
            Expression::Null,
        ),
        variable_with_default(
            "state",
            "object({ bucket = string, key = string, lock_table = string })",
            "The root's S3 state and DynamoDB lock table, which the plan role reads.",
            Expression::Null,
        ),
        variable_with_default(
            "generated_secret_arns",
            "list(string)",
            "Secrets whose value Terraform writes (and reads back on every plan).",
            Expression::Array(Vec::new()),
        ),
        variable_with_default("kms_key_arn", "string", "KMS key encrypting generated_secret_arns.", Expression::Null),
        variable_with_default(
            "push_repository_arns",
            "list(string)",
            "The ECR repositories the push role pushes to.",
            Expression::Array(Vec::new()),
        ),
    ]);
    variables
}

/// The module.
pub fn module() -> Module {
    let url = format!("https://{ISSUER}");
    let mut main = vec![
        data("aws_caller_identity", "current").build(),
        data("aws_partition", "current").build(),
        data("aws_region", "current").build(),
        resource("aws_iam_openid_connect_provider", "github")
            .add_attribute(("count", expr("var.create_provider ? 1 : 0")))
            .add_attribute(("url", url.as_str()))
            .add_attribute(("client_id_list", strings(["sts.amazonaws.com"])))
            .add_attribute(("thumbprint_list", strings(THUMBPRINTS)))
            .build(),
        data("aws_iam_openid_connect_provider", "github")
            .add_attribute(("count", expr("var.create_provider ? 0 : 1")))
            .add_attribute(("url", url.as_str()))
            .build(),
        Block::builder("locals")
            .add_attribute(("partition", expr("data.aws_partition.current.partition")))
            .add_attribute(("region", expr("data.aws_region.current.name")))
            .add_attribute(("account_id", expr("data.aws_caller_identity.current.account_id")))
            .add_attribute((
                "provider_arn",
                expr(
                    "var.create_provider ? aws_iam_openid_connect_provider.github[0].arn : data.aws_iam_openid_connect_provider.github[0].arn",
                ),
            ))
            .build(),
    ];
    for (label, description) in ROLES {
        main.extend(role(label, description));
    }
    main.extend(deploy());
    main.extend(plan());
    main.push(managed("terraform", "AdministratorAccess"));
    main.extend(push());
    let mut outputs = vec![output("provider_arn", "local.provider_arn", "GitHub's OIDC provider.")];
    outputs.extend(ROLES.iter().map(|(label, _)| {
        output(
            &format!("{label}_role_arn"),
            &format!("one(aws_iam_role.{label}[*].arn)"),
            &format!("ARN of the {label} role (null without it)."),
        )
    }));
    Module {
        name: "github_oidc",
        variables: variables(),
        main,
        outputs,
        skips: SKIPS.to_vec(),
        provider_aliases: Vec::new(),
    }
}

/// An object with identifier keys (`{ name = …, subjects = [...] }`), as an object-typed variable
/// takes it.
fn fields<const N: usize>(pairs: [(&str, Expression); N]) -> Expression {
    Expression::Object(
        pairs.into_iter().map(|(key, value)| (ObjectKey::Identifier(Identifier::unchecked(key)), value)).collect(),
    )
}

/// `{ name = …, subjects = [...] }`: a role argument of the call.
fn role_argument(name: String, subjects: &[String]) -> Expression {
    fields([("name", Expression::from(name)), ("subjects", strings(subjects))])
}

/// The GitHub environment's subject: a job running in the environment `env` of `repository`.
fn environment_subject(repository: &str, env: &str) -> String {
    format!("repo:{repository}:environment:{env}")
}

/// Whether CI pushes some image to ECR (a registry host `<account>.dkr.ecr.<region>.amazonaws.com`,
/// which ci.yml logs in to with the push role).
fn pushes_to_ecr(platform: &Platform) -> bool {
    platform
        .services
        .iter()
        .filter_map(|svc| svc.image.split_once('/'))
        .any(|(host, _)| host.contains(".dkr.ecr.") && host.ends_with(".amazonaws.com"))
}

/// The secrets of the environment whose value Terraform writes: the `secrets` module's generated
/// Redis AUTH token.
fn generated_secrets(platform: &Platform) -> Option<String> {
    (platform.secrets.provider == SecretProvider::AwsSecretsManager && needs_auth_token(platform))
        .then(|| platform.secrets.remote(AUTH_SECRET).key)
}

/// The environment's GitHub roles, when the spec names its repository; `application` is every
/// environment of the application (the push role admits each one's branch).
pub fn call(platform: &Platform, application: &[Platform]) -> Option<Block> {
    let repository = platform.build.repository.as_deref()?;
    let production = platform.environment.stage == Stage::Production;
    let state = StateBackend::of(platform);
    let mut arguments = vec![
        ("create_provider", Expression::from(production)),
        ("plan_role", role_argument(names::github_plan_role(platform), &[format!("repo:{repository}:pull_request")])),
        (
            "state",
            fields([
                ("bucket", Expression::from(state.bucket)),
                ("key", Expression::from(state.key)),
                ("lock_table", Expression::from(state.lock_table)),
            ]),
        ),
    ];
    if let Some(secret) = generated_secrets(platform) {
        arguments.push(("generated_secret_arns", expr(&format!("[module.secrets.arns[\"{secret}\"]]"))));
        arguments.push(("kms_key_arn", expr("module.kms.key_arn")));
    }
    if platform.environment.branch.is_some() {
        let subject = [environment_subject(repository, &platform.environment.name)];
        arguments.extend([
            ("deploy_role", role_argument(names::github_deploy_role(platform), &subject)),
            ("cluster_name", expr("module.eks.cluster_name")),
            ("terraform_role", role_argument(names::github_terraform_role(platform), &subject)),
        ]);
    }
    let branches: BTreeSet<&str> = application.iter().filter_map(|p| p.environment.branch.as_deref()).collect();
    // The push role lives beside the repositories (`ecr` is called in production with services).
    if production && pushes_to_ecr(platform) && !branches.is_empty() {
        let subjects: Vec<String> =
            branches.iter().map(|branch| format!("repo:{repository}:ref:refs/heads/{branch}")).collect();
        arguments.push(("push_role", role_argument(names::github_push_role(platform), &subjects)));
        arguments.push(("push_repository_arns", expr("values(module.ecr.repository_arns)")));
    }
    Some(super::call("github_oidc", arguments))
}

#[cfg(test)]
mod tests {
    use super::super::super::syntax::file;
    use super::*;

    const SPEC: &str = "plinth: 1\nname: shop\ncloud: { provider: aws, region: us-east-1 }\nservices:\n  web: { image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/web, uses: [cache] }\n  api: { image: ghcr.io/shop/api }\ndatastores:\n  cache: { engine: redis }\nsecrets: { provider: aws-secrets-manager, prefix: shop/ }\nbuild: { repository: acme/shop }\nenvironments:\n  preview: { stage: development }\n  staging: { branch: develop }\n  production: { branch: main }\n";

    fn platforms(spec: &str) -> Vec<Platform> {
        let compiled = plinth_spec::compile(spec);
        assert!(!compiled.has_errors(), "{:#?}", compiled.diagnostics);
        compiled.platforms
    }

    fn call_text(platforms: &[Platform], env: &str) -> String {
        let platform = platforms.iter().find(|p| p.environment.name == env).unwrap();
        file(vec![call(platform, platforms).expect("a repository")], &[])
    }

    #[test]
    fn subjects_are_pinned_to_the_jobs_contexts() {
        let platforms = platforms(SPEC);
        let production = call_text(&platforms, "production");
        assert!(production.contains("create_provider = true"), "{production}");
        assert!(production.contains("\"repo:acme/shop:environment:production\""), "{production}");
        assert!(production.contains("\"repo:acme/shop:pull_request\""), "{production}");
        for branch in ["develop", "main"] {
            assert!(production.contains(&format!("\"repo:acme/shop:ref:refs/heads/{branch}\"")), "{production}");
        }
        assert!(production.contains("name = \"shop-github-push\""), "{production}");
        let staging = call_text(&platforms, "staging");
        assert!(staging.contains("create_provider = false"), "{staging}");
        assert!(staging.contains("name = \"shop-staging-github-terraform\""), "{staging}");
        assert!(!staging.contains("push_role"), "{staging}");
        // Without a branch nothing deploys or applies there: only the plan role.
        let preview = call_text(&platforms, "preview");
        assert!(!preview.contains("deploy_role") && !preview.contains("terraform_role"), "{preview}");
        assert!(preview.contains("shop-preview-github-plan"), "{preview}");
    }

    #[test]
    fn the_plan_role_reads_the_state_and_the_secrets_terraform_writes() {
        let text = call_text(&platforms(SPEC), "staging");
        assert!(text.contains("bucket     = \"shop-terraform-state\""), "{text}");
        assert!(text.contains("key        = \"staging/terraform.tfstate\""), "{text}");
        assert!(text.contains("module.secrets.arns[\"shop/redis-password\"]"), "{text}");
        let without = platforms(&SPEC.replace("provider: aws-secrets-manager", "provider: kubernetes"));
        assert!(!call_text(&without, "staging").contains("generated_secret_arns"));
    }

    #[test]
    fn no_push_role_without_an_image_on_ecr() {
        let platforms = platforms(&SPEC.replace("123456789012.dkr.ecr.us-east-1.amazonaws.com", "ghcr.io"));
        assert!(!call_text(&platforms, "production").contains("push_role"));
    }

    #[test]
    fn no_repository_no_roles() {
        let platforms = platforms(&SPEC.replace("build: { repository: acme/shop }\n", ""));
        assert!(platforms.iter().all(|p| call(p, &platforms).is_none()));
    }

    #[test]
    fn every_role_trusts_its_own_subjects_with_the_sts_audience() {
        let main = file(module().main, &[]);
        for (label, _) in ROLES {
            let trust = format!("data \"aws_iam_policy_document\" \"{label}_trust\" {{");
            let start = main.find(&trust).unwrap_or_else(|| panic!("no trust for {label}"));
            let block = &main[start..start + main[start..].find("\n}\n").unwrap()];
            assert!(block.contains(&format!("values   = var.{label}_role.subjects")), "{block}");
            assert!(block.contains("variable = \"token.actions.githubusercontent.com:aud\""), "{block}");
            assert!(block.contains("\"sts.amazonaws.com\""), "{block}");
            assert!(block.contains("\"sts:AssumeRoleWithWebIdentity\""), "{block}");
        }
        assert!(main.contains("access_scope {\n    type = \"cluster\""), "{main}");
    }
}
