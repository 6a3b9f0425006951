//! plinth's findings agree with Checkov's on the rules they share (issue 6): both tools check the
//! policy fixtures (every Kubernetes `fail.yaml`/`pass.yaml` and `hardened.yaml`, and every GitHub
//! Actions fixture laid out as a workflow under `.github/workflows/`), and for each plinth rule whose
//! `equivalents` name Checkov ids, plinth flags an object exactly when Checkov fails one of those
//! ids on it. Every legitimate difference is listed in [`ALLOWED`] with its reason.
//!
//! Checkov comes from `.tools/checkov` (`scripts/install-tools.sh`); without it the test is skipped
//! loudly, and fails under `CI=true`. Checkov takes about 15 s on the ~100 fixture files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// Which tool reported a difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Only {
    /// plinth flags the object, Checkov passes it.
    Plinth,
    /// Checkov fails the object, plinth does not flag it.
    Checkov,
}

/// Legitimate differences: (plinth rule, or "" for any; a fragment of `path object`; the tool that
/// alone flags; why). Every entry must still match a difference, so the list cannot go stale.
const ALLOWED: &[(&str, &str, Only, &str)] = &[
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
    ("PL-GHA-001", "", Only::Plinth, "Checkov 3.2.533 has no CKV_GHA_8 (no check by that id runs), so it never fails"),
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

/// The fixtures in a temporary directory: `kubernetes/…` as they are, and each GitHub fixture's
/// files under `github/<fixture>/.github/workflows/`, where Checkov looks for workflows.
fn fixtures() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let source = root().join("crates/plinth-policy/tests/fixtures");
    copy_tree(&source.join("kubernetes"), &dir.path().join("kubernetes"));
    for entry in std::fs::read_dir(source.join("github")).unwrap() {
        let fixture = entry.unwrap().path();
        let workflows = dir.path().join("github").join(fixture.file_name().unwrap()).join(".github/workflows");
        copy_tree(&fixture, &workflows);
    }
    dir
}

/// The output of `plinth args`, which must exit with one of `codes`.
fn plinth(args: &[&str], dir: &Path, codes: &[i32]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_plinth")).args(args).current_dir(dir).output().unwrap();
    let code = output.status.code().unwrap();
    assert!(codes.contains(&code), "plinth {args:?} exited {code}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// Every Kubernetes and GitHub Actions rule with Checkov equivalents: rule → Checkov ids. Analogues
/// (`checkov:CKV_K8S_8 (Kubernetes analogue)`) are another target's check, not the same one.
fn shared_rules(dir: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut shared = BTreeMap::new();
    for row in plinth(&["check", "--list-rules"], dir, &[0]).lines().skip(1) {
        let fields: Vec<&str> = row.split_whitespace().collect();
        if !matches!(fields.get(2), Some(&"kubernetes" | &"github-actions")) {
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
            shared.insert(fields[0].to_owned(), ids);
        }
    }
    shared
}

/// `kind/name` of a Kubernetes object, from plinth's `Kind/namespace/name` or `Kind/name`, or
/// Checkov's `Kind.namespace.name`; empty for workflows, which are compared per file.
fn object(kind_and_name: Option<(&str, &str)>) -> String {
    kind_and_name.map(|(kind, name)| format!("{kind}/{name}")).unwrap_or_default()
}

#[test]
fn findings_agree_with_checkov_on_shared_rules() {
    let Some(checkov) = checkov() else { return };
    let dir = fixtures();
    let shared = shared_rules(dir.path());
    assert!(shared.len() >= 20, "expected the Kubernetes and GitHub rules' Checkov equivalents, got {shared:?}");

    // plinth: (file, object, rule) of every finding of a shared rule.
    let report: Value =
        serde_json::from_str(&plinth(&["check", "--output", "json", "."], dir.path(), &[0, 1])).unwrap();
    let mut plinth_flags = BTreeSet::new();
    for finding in report["findings"].as_array().unwrap() {
        let rule = finding["rule"].as_str().unwrap();
        if !shared.contains_key(rule) {
            continue;
        }
        let path = finding["path"].as_str().unwrap().trim_start_matches("./").to_owned();
        let raw = finding["object"].as_str().unwrap();
        let kind_and_name = raw.split_once('/').map(|(kind, rest)| (kind, rest.rsplit('/').next().unwrap()));
        let object = if path.starts_with("github/") { String::new() } else { object(kind_and_name) };
        plinth_flags.insert((path, object, rule.to_owned()));
    }

    // Checkov: (file, object, rule) for every plinth rule one of whose Checkov ids failed.
    let output = Command::new(&checkov)
        .args(["-d", ".", "--quiet", "--compact", "-o", "json", "--skip-download"])
        .args(["--framework", "kubernetes", "github_actions"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|err| panic!("checkov output: {err}: {}", String::from_utf8_lossy(&output.stderr)));
    let reports = match json {
        Value::Array(reports) => reports,
        report => vec![report],
    };
    let mut checkov_flags = BTreeSet::new();
    for failed in reports.iter().filter_map(|r| r["results"]["failed_checks"].as_array()).flatten() {
        let id = failed["check_id"].as_str().unwrap();
        let path = failed["file_path"].as_str().unwrap().trim_start_matches('/').to_owned();
        let resource = failed["resource"].as_str().unwrap();
        let object = if path.starts_with("github/") {
            String::new()
        } else {
            let mut parts = resource.splitn(3, '.');
            object(parts.next().zip(parts.nth(1)))
        };
        for (rule, _) in shared.iter().filter(|(_, ids)| ids.contains(id)) {
            checkov_flags.insert((path.clone(), object.clone(), rule.clone()));
        }
    }
    assert!(!checkov_flags.is_empty(), "Checkov failed nothing: {}", String::from_utf8_lossy(&output.stderr));

    // Every difference must be allowed, and every allowance used.
    let differences: Vec<(Only, &(String, String, String))> = plinth_flags
        .difference(&checkov_flags)
        .map(|d| (Only::Plinth, d))
        .chain(checkov_flags.difference(&plinth_flags).map(|d| (Only::Checkov, d)))
        .collect();
    let allowed = |only: Only, (path, object, rule): &(String, String, String)| {
        ALLOWED.iter().position(|(r, fragment, side, _)| {
            (r.is_empty() || r == rule) && format!("{path} {object}").contains(fragment) && *side == only
        })
    };
    let unexplained: Vec<String> = differences
        .iter()
        .filter(|(only, d)| allowed(*only, d).is_none())
        .map(|(only, (path, object, rule))| format!("{rule} {path} {object}: only {only:?}"))
        .collect();
    let used: BTreeSet<usize> = differences.iter().filter_map(|(only, d)| allowed(*only, d)).collect();
    let stale: Vec<&str> = (0..ALLOWED.len()).filter(|i| !used.contains(i)).map(|i| ALLOWED[i].0).collect();
    let agreed = plinth_flags.intersection(&checkov_flags).count();
    eprintln!(
        "{} shared rules; {agreed} (file, object, rule) flagged by both, {} differences, {} allowed",
        shared.len(),
        differences.len(),
        differences.len() - unexplained.len()
    );
    assert!(unexplained.is_empty(), "{} unexplained differences:\n{}", unexplained.len(), unexplained.join("\n"));
    assert!(stale.is_empty(), "allow-list entries that no longer match a difference: {stale:?}");
}
