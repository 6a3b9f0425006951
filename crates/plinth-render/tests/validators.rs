//! The real consumers accept every rendered Kubernetes file: `kubernetes-validate` (the official
//! OpenAPI schemas, strict) for the targeted version, and `kubectl kustomize` for every environment.
//! `kubernetes-validate` only knows the core kinds, so it is given copies of the files holding just the
//! core documents, and a kind it has no schema for fails; custom resources are validated against
//! their CRDs in `crds.rs`.

mod common;

use std::process::Command;

#[test]
fn kubernetes_validate_accepts_every_object() {
    let Some(validator) = common::tool("kubernetes-validate") else { return };
    let dir = tempfile::tempdir().unwrap();
    let rendered = common::render_all_to(dir.path());
    let core_dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for (example, artifacts) in &rendered {
        let platforms = common::all_specs().into_iter().find(|(name, _)| name == example).unwrap().1;
        for platform in &platforms {
            let prefix = format!("environments/{}/kubernetes/", platform.environment.name);
            let mut files = Vec::new();
            for (path, contents) in artifacts.iter() {
                if !path.starts_with(&prefix) || path.ends_with("kustomization.yaml") {
                    continue;
                }
                let Some(core) = core_documents(path, contents) else { continue };
                let target = core_dir.path().join(example).join(path);
                std::fs::create_dir_all(target.parent().unwrap()).unwrap();
                std::fs::write(&target, core).unwrap();
                files.push(target);
            }
            if files.is_empty() {
                continue;
            }
            let version = format!("{}.0", platform.kubernetes.version);
            let output =
                Command::new(&validator).args(["--strict", "--quiet", "-k", &version]).args(&files).output().unwrap();
            let report =
                format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
            // A kind it has no schema for is only a warning (exit 0); among core documents it is a
            // misspelt kind or apiVersion, so it fails here.
            assert!(
                output.status.success() && !report.lines().any(|line| line.starts_with("WARN")),
                "{example}/{}: {report}",
                platform.environment.name,
            );
            checked += files.len();
        }
    }
    assert!(checked > 0, "no Kubernetes files were rendered");
}

/// The documents of a rendered file that `kubernetes-validate` knows, `---`-separated: all but the
/// custom resources (a document without an `apiVersion` is kept, for the validator to reject).
/// `None` when nothing is left.
fn core_documents(path: &str, contents: &str) -> Option<String> {
    let mut kept = Vec::new();
    for (raw, value) in common::yaml_documents(path, contents) {
        if value.get("apiVersion").and_then(|v| v.as_str()).is_none_or(common::is_core_api_version) {
            kept.push(if raw.ends_with('\n') { raw } else { raw + "\n" });
        }
    }
    (!kept.is_empty()).then(|| kept.join("---\n"))
}

#[test]
fn kubectl_kustomize_builds_every_environment() {
    let Some(kubectl) = common::tool("kubectl") else { return };
    let dir = tempfile::tempdir().unwrap();
    let rendered = common::render_all_to(dir.path());
    let mut built = 0;
    for (example, artifacts) in &rendered {
        for (path, _) in artifacts.iter().filter(|(path, _)| path.ends_with("kubernetes/kustomization.yaml")) {
            let env_dir = dir.path().join(example).join(path.trim_end_matches("/kustomization.yaml"));
            let output = Command::new(&kubectl).arg("kustomize").arg(&env_dir).output().unwrap();
            assert!(output.status.success(), "{}: {}", env_dir.display(), String::from_utf8_lossy(&output.stderr));
            assert!(!output.stdout.is_empty());
            built += 1;
        }
    }
    assert!(built > 0);
}

#[test]
fn only_core_documents_go_to_kubernetes_validate() {
    let file = "# header\napiVersion: v1\nkind: Service\n---\napiVersion: argoproj.io/v1alpha1\nkind: Rollout\n---\n\
                apiVersion: apps/v1\nkind: Deployment\n---\nkind: NoApiVersion";
    assert_eq!(
        core_documents("file.yaml", file).unwrap(),
        "# header\napiVersion: v1\nkind: Service\n---\napiVersion: apps/v1\nkind: Deployment\n---\nkind: NoApiVersion\n"
    );
    assert_eq!(core_documents("file.yaml", "# header\n---\napiVersion: cert-manager.io/v1\nkind: Certificate\n"), None);
}
