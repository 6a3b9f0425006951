//! plinth's findings agree with Checkov's on the rules they share (issue 6). Both tools check the
//! same trees, and for each plinth rule whose `equivalents` name Checkov ids, plinth flags an object
//! exactly when Checkov fails one of those ids on it; every legitimate difference is listed, with
//! its reason, in the tree's allow-list, and every entry must still match a difference. The trees:
//!
//! - the policy fixtures, one [`Family`] per directory of `crates/plinth-policy/tests/fixtures`
//!   ([`FAMILIES`]: adding one is one line), all in one tree;
//! - plinth's render of every example (`examples/*/plinth.yaml`, every environment): Kubernetes,
//!   Terraform, GitHub Actions (rendered under `.github/workflows/`, where Checkov reads them) and
//!   any Dockerfile.
//!
//! Flags are compared per (place, object, rule): a Kubernetes object by `Kind/name`, workflows and
//! Dockerfiles per file, and a Terraform resource per (module directory, address): an address
//! (`aws_s3_bucket.logs`) is unique in its module, and plinth may locate a finding in another file
//! of it (a bucket's separate versioning resource); Checkov's `module.s3.aws_s3_bucket.logs["x"]`
//! loses its module path and index.
//!
//! Suppressions: "flagged" means *flagged or suppressed* on both sides. plinth lists a silenced
//! finding under `suppressed` (the rule fired; an annotation, comment or `#checkov:skip=ID:reason`
//! silenced it), Checkov lists a check silenced by `#checkov:skip` under `skipped_checks`. Counting
//! both as flagged compares what the rules detect, not which suppression syntax each tool reads
//! (Checkov ignores `plinth.dev/ignore` and `plinth:ignore`), and a Checkov skip on an object plinth does not flag still
//! shows as a difference. That the renders carry no unsuppressed finding, and a reason for every
//! suppression, is `tests/check.rs`'s invariant.
//!
//! Checkov comes from `.tools/checkov` (`scripts/install-tools.sh`); without it the tests are skipped
//! loudly, and fail under `CI=true`. Checkov runs once per tree, on the shared ids only (`--check`),
//! and takes 15-30 s on the fixtures and 35-80 s on the renders (Terraform dominates; the two tests
//! run in parallel); the timings go to stderr.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde_json::Value;

/// Which tool reported a difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Only {
    /// plinth flags the object, Checkov passes it.
    Plinth,
    /// Checkov fails the object, plinth does not flag it.
    Checkov,
}

/// A legitimate difference: (plinth rule, or "" for any; a fragment of `place object`; the tool that
/// alone flags; why).
type Allowed = (&'static str, &'static str, Only, &'static str);

/// How a fixture family's files are laid out for both tools.
#[derive(Debug, Clone, Copy)]
enum Layout {
    /// As they are.
    AsIs,
    /// Each fixture directory's files under `<fixture>/.github/workflows/`, where Checkov looks.
    Workflows,
}

/// A directory of policy fixtures, checked by Checkov's `framework`.
struct Family {
    /// The directory under `crates/plinth-policy/tests/fixtures`.
    dir: &'static str,
    /// Checkov's `--framework` for it.
    framework: &'static str,
    /// Where its files go in the tree.
    layout: Layout,
}

/// The fixture families compared with Checkov (Dockerfile fixtures are named `*.Dockerfile`, which
/// both tools read).
const FAMILIES: &[Family] = &[
    Family { dir: "kubernetes", framework: "kubernetes", layout: Layout::AsIs },
    Family { dir: "github", framework: "github_actions", layout: Layout::Workflows },
    Family { dir: "dockerfile", framework: "dockerfile", layout: Layout::AsIs },
    Family { dir: "terraform", framework: "terraform", layout: Layout::AsIs },
];

/// Checkov's frameworks for plinth's render: everything it writes that Checkov reads.
const RENDER_FRAMEWORKS: &[&str] = &["kubernetes", "terraform", "github_actions", "dockerfile"];

/// plinth's rule targets and the Checkov framework that checks the same files.
const TARGETS: &[(&str, &str)] = &[
    ("kubernetes", "kubernetes"),
    ("github-actions", "github_actions"),
    ("terraform", "terraform"),
    ("dockerfile", "dockerfile"),
];

/// Legitimate differences on the fixtures.
const FIXTURES_ALLOWED: &[Allowed] = &[
    ("", " Rollout/", Only::Plinth, "Checkov does not know the Argo Rollouts kind; plinth checks its pod template"),
    (
        "PL-K8S-039",
        "",
        Only::Plinth,
        "plinth flags pods without serviceAccountName (the default ServiceAccount); Checkov's CKV_K8S_41/42 only look at ServiceAccount and RoleBinding objects",
    ),
    (
        "PL-K8S-039",
        " ConfigMap/",
        Only::Checkov,
        "Checkov's CKV_K8S_21 (default namespace) covers every namespaced kind; plinth's covers workloads, Services and RBAC",
    ),
    ("PL-K8S-039", " Ingress/", Only::Checkov, "as for ConfigMaps: Checkov's CKV_K8S_21 covers every namespaced kind"),
    (
        "PL-K8S-034",
        "",
        Only::Plinth,
        "Checkov's CKV2_K8S_6 (network policy) filters on kind Pod only; plinth checks every workload's pods",
    ),
    (
        "PL-K8S-042",
        "RoleBinding/",
        Only::Plinth,
        "plinth also flags bindings to cluster-admin; Checkov's CKV_K8S_49 only looks for wildcards in Roles and ClusterRoles",
    ),
    (
        "PL-K8S-001",
        "PL-K8S-001/fail.yaml Pod/tools",
        Only::Plinth,
        "a pod-level runAsUser: 0 under a container's runAsNonRoot: true: plinth flags the explicit root UID (the kubelet refuses the pod); Checkov's CKV_K8S_23 lets the container's setting win",
    ),
    (
        "PL-K8S-002",
        "PL-K8S-001/pass.yaml",
        Only::Plinth,
        "plinth also requires runAsGroup >= 10000; Checkov's CKV_K8S_40 checks runAsUser only",
    ),
    (
        "PL-K8S-019",
        "PL-K8S-017/pass.yaml Pod/limited",
        Only::Plinth,
        "a CPU limit without a memory request: plinth flags the missing memory request, Checkov's CKV_K8S_12 passes this pod",
    ),
    (
        "PL-K8S-027",
        "PL-K8S-026/pass.yaml",
        Only::Plinth,
        "Checkov's CKV_K8S_15 accepts a digest-pinned image without imagePullPolicy: Always; plinth asks for Always regardless",
    ),
    (
        "PL-K8S-014",
        "",
        Only::Checkov,
        "Checkov's CKV_K8S_25 fails any added capability (NET_BIND_SERVICE, CHOWN); plinth only the dangerous ones",
    ),
    (
        "PL-K8S-025",
        "",
        Only::Checkov,
        "Checkov's CKV_K8S_14 wants a tag in the manifest: a digest-only image, or one whose tag is set by the kustomization's images:, fails",
    ),
    (
        "PL-K8S-026",
        "PL-K8S-026/pass.yaml",
        Only::Checkov,
        "the digest is set by the kustomization's images:, which Checkov's CKV_K8S_43 does not read",
    ),
    (
        "PL-K8S-009",
        "PL-K8S-009/pass.yaml",
        Only::Checkov,
        "hostPort: 0 means no host port; Checkov's CKV_K8S_26 fails any hostPort key",
    ),
    (
        "PL-K8S-038",
        "PL-K8S-038/pass.yaml",
        Only::Checkov,
        "automountServiceAccountToken: false on the pod's ServiceAccount: plinth accepts it, Checkov's CKV_K8S_38 wants it on the pod",
    ),
    (
        "",
        "PL-K8S-040/fail.yaml CronJob/report",
        Only::Checkov,
        "a batch/v1beta1 CronJob with no spec: Checkov fails its container checks on the absent pod template, plinth has no containers to judge (it flags the removed API instead)",
    ),
    (
        "PL-GHA-003",
        "",
        Only::Plinth,
        "plinth also flags write scopes granted to the whole workflow and write-all on a job; Checkov's CKV2_GHA_1 only flags top-level write-all",
    ),
    (
        "PL-GHA-003",
        "permissions-missing",
        Only::Checkov,
        "Checkov's CKV2_GHA_1 fails a workflow without top-level permissions; plinth reports that as PL-GHA-002",
    ),
    (
        "PL-DOCKER-001",
        "root-user/fail.Dockerfile",
        Only::Plinth,
        "`USER 0:0` is root by UID; Checkov's CKV_DOCKER_8 only compares the last USER with the name `root`",
    ),
    (
        "PL-DOCKER-003",
        "add-instead-of-copy/pass.Dockerfile",
        Only::Checkov,
        "plinth accepts ADD of a local archive (extracted) and of a URL with --checksum; Checkov's CKV_DOCKER_4 fails any ADD",
    ),
    (
        "PL-DOCKER-007",
        "healthcheck-missing/fail.Dockerfile",
        Only::Plinth,
        "the only HEALTHCHECK is in the build stage: plinth wants it in the final image, Checkov's CKV_DOCKER_2 accepts one anywhere in the file",
    ),
    // Terraform: where each tool names a finding.
    (
        "PL-TF-027",
        "default-security-group-restricted/fail aws_",
        Only::Plinth,
        "plinth names the aws_default_security_group (or the rule resource) that opens it; Checkov's CKV2_AWS_12 names the aws_vpc",
    ),
    (
        "PL-TF-027",
        "default-security-group-restricted/fail aws_vpc.",
        Only::Checkov,
        "the same default security groups, named by Checkov's CKV2_AWS_12 on their aws_vpc",
    ),
    (
        "PL-TF-031",
        "load-balancer-https/fail aws_lb.",
        Only::Checkov,
        "Checkov's CKV2_AWS_20 names the aws_lb whose HTTP listener does not redirect; plinth names the listener, which Checkov's CKV_AWS_2 flags too",
    ),
    (
        "PL-TF-003",
        "s3-public-access-block/fail aws_s3_bucket.",
        Only::Checkov,
        "a bucket whose aws_s3_bucket_public_access_block leaves a flag off: plinth names the block (at the flag), Checkov names it (CKV_AWS_53-56) and the bucket too (CKV2_AWS_6)",
    ),
    // Terraform: what Checkov misses.
    (
        "PL-TF-004",
        "",
        Only::Plinth,
        "a bucket named as target_bucket of another bucket's aws_s3_bucket_logging: Checkov's CKV_AWS_18 graph counts any connected aws_s3_bucket_logging, plinth only one whose bucket is this one",
    ),
    (
        "PL-TF-032",
        "plaintext-secrets/fail",
        Only::Plinth,
        "a literal value under a credential-named key (REDIS_PASSWORD, JWT_SECRET, DB_PASSWORD in user_data, STRIPE_API_KEY): plinth flags it by the key's name, Checkov's CKV_AWS_41/45/46 recognise secrets by the value's pattern only",
    ),
    (
        "PL-TF-011",
        "security-group-admin-ports/fail aws_vpc_security_group_ingress_rule.",
        Only::Plinth,
        "an aws_vpc_security_group_ingress_rule with ip_protocol = -1 and no ports (every port): Checkov's CKV_AWS_24/25/277 judge such rules by from_port/to_port only, and pass it",
    ),
    (
        "PL-TF-026",
        "security-group-unrestricted-egress/fail aws_vpc_security_group_egress_rule.",
        Only::Plinth,
        "an aws_vpc_security_group_egress_rule with ip_protocol = -1 and no ports: Checkov's CKV_AWS_382 judges such rules by from_port/to_port only, and passes it",
    ),
    (
        "PL-TF-026",
        "security-group-unrestricted-egress/fail aws_security_group_rule.all_out_v6",
        Only::Plinth,
        "protocol = \"all\", the provider's synonym of -1: Checkov's CKV_AWS_382 recognises only -1",
    ),
    (
        "PL-TF-021",
        "rds-encryption-in-transit/fail aws_db_instance.mysql",
        Only::Plinth,
        "require_secure_transport = OFF in a parameter group whose family is a variable: plinth takes the engine from the instance (mysql), Checkov's CKV2_AWS_69 needs a literal mysql family",
    ),
    (
        "PL-TF-021",
        "rds-encryption-in-transit/pass aws_db_instance.mysql",
        Only::Checkov,
        "require_secure_transport = ON: MySQL reads ON as 1, Checkov's CKV2_AWS_69 compares the string with \"1\"",
    ),
    (
        "PL-TF-010",
        "rds-iam-authentication/fail aws_db_instance.mariadb",
        Only::Plinth,
        "RDS for MariaDB has IAM database authentication; Checkov's CKV_AWS_161 only judges engine mysql and postgres",
    ),
    (
        "PL-TF-010",
        "rds-backup-retention/pass aws_db_instance.replica",
        Only::Plinth,
        "a read replica without engine (its source's): plinth checks it, Checkov's CKV_AWS_161 judges only a literal mysql or postgres engine",
    ),
    // Terraform: what plinth accepts on purpose.
    (
        "",
        ".variable",
        Only::Checkov,
        "a setting from a variable or an expression of one is unknown: plinth passes it, Checkov fails the unresolved reference",
    ),
    (
        "PL-TF-012",
        "eks-secrets-encryption/pass aws_eks_cluster.dynamic",
        Only::Checkov,
        "encryption_config produced by a dynamic block is unknown: plinth passes it, Checkov's CKV_AWS_58 fails it",
    ),
    (
        "PL-TF-002",
        "s3-versioning/pass aws_s3_bucket.counted",
        Only::Checkov,
        "versioning status from a variable on a counted bucket: unknown to plinth, failed by Checkov's CKV_AWS_21",
    ),
    (
        "PL-TF-001",
        "s3-encryption-kms/pass aws_s3_bucket.each",
        Only::Checkov,
        "encryption configurations made with for_each over the buckets' ids: plinth follows each.value to the buckets, Checkov's CKV_AWS_145 graph does not connect them",
    ),
    (
        "PL-TF-001",
        "s3-encryption-kms/pass aws_s3_bucket.inline",
        Only::Checkov,
        "sse_algorithm = aws:kms:dsse (dual-layer KMS) is KMS encryption; Checkov's CKV_AWS_145 wants aws:kms exactly",
    ),
    (
        "PL-TF-014",
        "eks-public-endpoint/pass aws_eks_cluster.restricted",
        Only::Checkov,
        "a public endpoint restricted to listed CIDRs: plinth accepts it, Checkov's CKV_AWS_39 fails any public endpoint",
    ),
    (
        "PL-TF-020",
        "ecr-immutable-tags/pass aws_ecr_repository.exclusions",
        Only::Checkov,
        "IMMUTABLE_WITH_EXCLUSION keeps tags immutable but for the listed filters; Checkov's CKV_AWS_51 wants IMMUTABLE exactly",
    ),
    (
        "PL-TF-016",
        "kms-key-rotation/pass aws_kms_key.hmac",
        Only::Checkov,
        "HMAC keys cannot rotate automatically (AWS KMS); Checkov's CKV_AWS_7 reads only customer_master_key_spec, not key_spec, and requires rotation of HMAC specs anyway",
    ),
    (
        "PL-TF-007",
        "rds-backup-retention/pass aws_db_instance.replica",
        Only::Checkov,
        "a read replica (replicate_source_db) takes no backups of its own; Checkov's CKV_AWS_133 fails its retention of 0",
    ),
    (
        "PL-TF-024",
        "elasticache-backups/pass aws_elasticache_cluster.replica",
        Only::Checkov,
        "a member of a replication group takes its snapshot settings from the group; Checkov's CKV_AWS_134 fails it",
    ),
    (
        "PL-TF-031",
        "load-balancer-https/pass aws_lb_listener.inspection",
        Only::Checkov,
        "a gateway load balancer's listener has no protocol (GENEVE); Checkov's CKV_AWS_2 fails it for not being HTTPS",
    ),
];

/// Legitimate differences on plinth's render of the examples.
const RENDER_ALLOWED: &[Allowed] = &[
    ("", " Rollout/", Only::Plinth, "Checkov does not know the Argo Rollouts kind; plinth checks its pod template"),
    (
        "PL-K8S-025",
        "",
        Only::Checkov,
        "the image's tag is set by the kustomization's images:, which Checkov's CKV_K8S_14 does not read",
    ),
    // The render skips these Checkov checks on module resources whose setting is a module input
    // (`#checkov:skip` is unconditional; staging passes the weaker value). plinth flags a call
    // that passes the weak value (suppressed by the same skip, compared at the module resource);
    // where every call of a tree passes the strong value, or the input is not a literal, plinth
    // has nothing to flag while Checkov still reports its unconditional skip.
    (
        "PL-TF-008",
        "modules/rds aws_db_instance.",
        Only::Checkov,
        "deletion_protection = var.deletion_protection: the render skips CKV_AWS_293, no call in the tree passes a weak literal",
    ),
    (
        "PL-TF-009",
        "modules/rds aws_db_instance.this",
        Only::Checkov,
        "multi_az = var.multi_az: the render skips CKV_AWS_157, no call in the tree passes a weak literal",
    ),
    (
        "PL-TF-014",
        "modules/eks aws_eks_cluster.this",
        Only::Checkov,
        "endpoint_public_access and public_access_cidrs follow var.public_access_cidrs: the render skips CKV_AWS_38/39, no call in the tree passes a weak literal",
    ),
    (
        "PL-TF-023",
        "modules/elasticache aws_elasticache_replication_group.this",
        Only::Checkov,
        "automatic_failover_enabled = var.automatic_failover: the render skips CKV2_AWS_50, no call in the tree passes a weak literal",
    ),
];

/// The repository root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Checkov, or `None` (skip, loudly) when it is not installed outside CI; missing under CI fails.
fn checkov() -> Option<PathBuf> {
    let path = root().join(".tools/checkov/bin/checkov");
    if path.exists() {
        return Some(path);
    }
    assert!(std::env::var("CI").is_err(), "{} is missing: run scripts/install-tools.sh", path.display());
    eprintln!(
        "SKIPPED: {} is missing (scripts/install-tools.sh), so agreement with Checkov is not checked",
        path.display()
    );
    None
}

/// A temporary directory whose name does not start with a dot (Checkov skips hidden directories).
fn tree() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("plinth-checkov-").tempdir().unwrap()
}

/// Copies the files under `from` to `to`.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_tree(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// The output of `plinth args`, which must exit with one of `codes`.
fn plinth(args: &[&str], dir: &Path, codes: &[i32]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_plinth")).args(args).current_dir(dir).output().unwrap();
    let code = output.status.code().unwrap();
    assert!(codes.contains(&code), "plinth {args:?} exited {code}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// A plinth rule with Checkov equivalents: the framework Checkov checks its files with, and the ids.
struct Shared {
    framework: &'static str,
    ids: BTreeSet<String>,
}

/// Every rule checked by one of `frameworks` with Checkov equivalents. Analogues
/// (`checkov:CKV_K8S_8 (Kubernetes analogue)`) are another target's check, not the same one.
fn shared_rules(dir: &Path, frameworks: &[&str]) -> BTreeMap<String, Shared> {
    let mut shared = BTreeMap::new();
    for row in plinth(&["check", "--list-rules"], dir, &[0]).lines().skip(1) {
        let fields: Vec<&str> = row.split_whitespace().collect();
        let Some(&(_, framework)) = TARGETS.iter().find(|(target, _)| fields.get(2) == Some(target)) else { continue };
        if !frameworks.contains(&framework) {
            continue;
        }
        let explained = plinth(&["check", "--explain", fields[0]], dir, &[0]);
        let Some(line) = explained.lines().find_map(|l| l.strip_prefix("Equivalents: ")) else { continue };
        let ids: BTreeSet<String> = line
            .split(", ")
            .filter(|part| !part.contains('('))
            .filter_map(|part| part.strip_prefix("checkov:"))
            .map(str::to_owned)
            .collect();
        if !ids.is_empty() {
            shared.insert(fields[0].to_owned(), Shared { framework, ids });
        }
    }
    shared
}

/// Where a finding is compared: its module's directory for Terraform, its file otherwise.
fn place(framework: &str, path: &str) -> String {
    let path = path.trim_start_matches("./").trim_start_matches('/');
    match framework {
        "terraform" => path.rsplit_once('/').map_or("", |(dir, _)| dir).to_owned(),
        _ => path.to_owned(),
    }
}

/// The object of a plinth finding as compared: `Kind/name` from `Kind/namespace/name` or
/// `Kind/name`, a Terraform resource's address as it is, nothing for a file-level framework.
fn plinth_object(framework: &str, object: &str) -> String {
    match framework {
        "kubernetes" => {
            object.split_once('/').map(|(kind, rest)| format!("{kind}/{}", rest.rsplit('/').next().unwrap())).unwrap()
        }
        "terraform" => object.to_owned(),
        _ => String::new(),
    }
}

/// The object of a Checkov result as compared: `Kind/name` from `Kind.namespace.name`; a Terraform
/// resource's address without its module path (`module.s3.`) and index (`[0]`, `["key"]`), and a
/// provider (`aws.default`, `aws.<alias>`) as plinth names it (`provider.aws`); nothing for a
/// file-level framework.
fn checkov_object(framework: &str, result: &Value) -> String {
    let resource = result["resource"].as_str().unwrap();
    match framework {
        "kubernetes" => {
            let mut parts = resource.splitn(3, '.');
            format!("{}/{}", parts.next().unwrap(), parts.nth(1).unwrap())
        }
        "terraform" if result["check_class"].as_str().unwrap_or_default().contains(".checks.provider.") => {
            format!("provider.{}", resource.split('.').next().unwrap())
        }
        "terraform" => {
            let mut address = resource;
            while let Some(rest) = address.strip_prefix("module.") {
                address = rest.split_once('.').unwrap().1;
            }
            address.split('[').next().unwrap().to_owned()
        }
        _ => String::new(),
    }
}

/// Where a finding plinth reports at a module call (`module.rds (terraform/modules/rds
/// aws_db_instance.this) … (multi_az = false passed here)`) is compared: the module resource it is
/// about, as Checkov reports it (the module's directory, found as the nearest ancestor of the
/// calling root's directory that holds the module's path, and the address). `None` for others.
fn module_input(dir: &Path, root: &str, message: &str) -> Option<(String, String)> {
    if !message.ends_with(" passed here)") {
        return None;
    }
    let inner = message.split_once(" (")?.1.split_once(')')?.0;
    let (module, address) = inner.rsplit_once(' ')?;
    let mut ancestor = Some(root);
    while let Some(at) = ancestor {
        let candidate = if at.is_empty() { module.to_owned() } else { format!("{at}/{module}") };
        if dir.join(&candidate).is_dir() {
            return Some((candidate, address.to_owned()));
        }
        ancestor = (!at.is_empty()).then(|| at.rsplit_once('/').map_or("", |(parent, _)| parent));
    }
    None
}

/// (place, object, rule) of every finding of a shared rule plinth reports in `dir`, suppressed or not.
fn plinth_flags(dir: &Path, shared: &BTreeMap<String, Shared>) -> BTreeSet<(String, String, String)> {
    let report: Value = serde_json::from_str(&plinth(&["check", "--output", "json", "."], dir, &[0, 1])).unwrap();
    assert_eq!(report["errors"], Value::Array(vec![]), "plinth could not read some inputs");
    let suppressed = report["suppressed"].as_array().unwrap().iter().map(|s| &s["finding"]);
    let mut flags = BTreeSet::new();
    for finding in report["findings"].as_array().unwrap().iter().chain(suppressed) {
        let rule = finding["rule"].as_str().unwrap();
        let Some(Shared { framework, .. }) = shared.get(rule) else { continue };
        let path = place(framework, finding["path"].as_str().unwrap());
        let object = plinth_object(framework, finding["object"].as_str().unwrap());
        let flag = module_input(dir, &path, finding["message"].as_str().unwrap()).unwrap_or((path, object));
        flags.insert((flag.0, flag.1, rule.to_owned()));
    }
    flags
}

/// (place, object, rule) for every shared rule one of whose Checkov ids failed, or was skipped, on an
/// object in `dir`: one Checkov run over `frameworks`, limited to the shared ids.
fn checkov_flags(
    checkov: &Path,
    dir: &Path,
    frameworks: &[&str],
    shared: &BTreeMap<String, Shared>,
) -> BTreeSet<(String, String, String)> {
    let ids: BTreeSet<&str> = shared.values().flat_map(|s| s.ids.iter().map(String::as_str)).collect();
    let output = Command::new(checkov)
        .args(["-d", ".", "--compact", "-o", "json", "--skip-download", "--framework"])
        .args(frameworks)
        .args(["--check", &ids.into_iter().collect::<Vec<_>>().join(",")])
        .current_dir(dir)
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|err| panic!("checkov output: {err}: {}", String::from_utf8_lossy(&output.stderr)));
    let reports = match json {
        Value::Array(reports) => reports,
        report => vec![report],
    };
    let mut flags = BTreeSet::new();
    for report in &reports {
        let framework = report["check_type"].as_str().unwrap();
        for key in ["failed_checks", "skipped_checks"] {
            for result in report["results"][key].as_array().into_iter().flatten() {
                let id = result["check_id"].as_str().unwrap();
                let path = place(framework, result["file_path"].as_str().unwrap());
                let object = checkov_object(framework, result);
                for (rule, _) in shared.iter().filter(|(_, s)| s.framework == framework && s.ids.contains(id)) {
                    flags.insert((path.clone(), object.clone(), rule.clone()));
                }
            }
        }
    }
    assert!(!flags.is_empty(), "Checkov flagged nothing: {}", String::from_utf8_lossy(&output.stderr));
    flags
}

/// Runs both tools on `dir` (Checkov with `frameworks`) and asserts that every difference between
/// their flags is in `allowed`, and that every entry of `allowed` matches a difference.
fn assert_agreement(name: &str, checkov: &Path, dir: &Path, frameworks: &[&str], allowed: &[Allowed]) {
    let shared = shared_rules(dir, frameworks);
    let start = Instant::now();
    let plinth_flags = plinth_flags(dir, &shared);
    let plinth_time = start.elapsed();
    let start = Instant::now();
    let checkov_flags = checkov_flags(checkov, dir, frameworks, &shared);
    let checkov_time = start.elapsed();

    let differences: Vec<(Only, &(String, String, String))> = plinth_flags
        .difference(&checkov_flags)
        .map(|d| (Only::Plinth, d))
        .chain(checkov_flags.difference(&plinth_flags).map(|d| (Only::Checkov, d)))
        .collect();
    let allowance = |only: Only, (path, object, rule): &(String, String, String)| {
        allowed.iter().position(|(r, fragment, side, _)| {
            (r.is_empty() || r == rule) && format!("{path} {object}").contains(fragment) && *side == only
        })
    };
    let unexplained: Vec<String> = differences
        .iter()
        .filter(|(only, d)| allowance(*only, d).is_none())
        .map(|(only, (path, object, rule))| format!("{rule} {path} {object}: only {only:?}"))
        .collect();
    let used: BTreeSet<usize> = differences.iter().filter_map(|(only, d)| allowance(*only, d)).collect();
    let stale: Vec<&Allowed> = (0..allowed.len()).filter(|i| !used.contains(i)).map(|i| &allowed[i]).collect();
    let agreed = plinth_flags.intersection(&checkov_flags).count();
    eprintln!(
        "{name}: {} shared rules; {agreed} (place, object, rule) flagged by both, {} differences, {} allowed \
         (plinth {plinth_time:.1?}, Checkov {checkov_time:.1?})",
        shared.len(),
        differences.len(),
        differences.len() - unexplained.len(),
    );
    assert!(
        unexplained.is_empty(),
        "{name}: {} unexplained differences:\n{}",
        unexplained.len(),
        unexplained.join("\n")
    );
    assert!(stale.is_empty(), "{name}: allow-list entries that no longer match a difference: {stale:#?}");
}

#[test]
fn findings_on_the_fixtures_agree_with_checkov() {
    let Some(checkov) = checkov() else { return };
    let dir = tree();
    let source = root().join("crates/plinth-policy/tests/fixtures");
    for family in FAMILIES {
        let (from, to) = (source.join(family.dir), dir.path().join(family.dir));
        match family.layout {
            Layout::AsIs => copy_tree(&from, &to),
            Layout::Workflows => {
                for entry in std::fs::read_dir(&from).unwrap() {
                    let fixture = entry.unwrap().path();
                    copy_tree(&fixture, &to.join(fixture.file_name().unwrap()).join(".github/workflows"));
                }
            }
        }
    }
    let frameworks: Vec<&str> = FAMILIES.iter().map(|f| f.framework).collect();
    assert_agreement("fixtures", &checkov, dir.path(), &frameworks, FIXTURES_ALLOWED);
}

#[test]
fn findings_on_the_rendered_examples_agree_with_checkov() {
    let Some(checkov) = checkov() else { return };
    let dir = tree();
    let start = Instant::now();
    let mut examples: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .map(|entry| entry.unwrap().path().join("plinth.yaml"))
        .filter(|spec| spec.exists())
        .collect();
    examples.sort();
    assert!(!examples.is_empty(), "no examples/*/plinth.yaml");
    for spec in &examples {
        let name = spec.parent().unwrap().file_name().unwrap();
        let out = dir.path().join(name);
        plinth(&["render", spec.to_str().unwrap(), "-o", out.to_str().unwrap()], dir.path(), &[0]);
    }
    eprintln!("rendered {} examples in {:.1?}", examples.len(), start.elapsed());
    assert_agreement("rendered examples", &checkov, dir.path(), RENDER_FRAMEWORKS, RENDER_ALLOWED);
}
