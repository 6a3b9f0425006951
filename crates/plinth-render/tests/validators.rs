//! The real consumers accept every rendered Kubernetes file: `kubernetes-validate` (the official
//! OpenAPI schemas, strict) for the targeted version, and `kubectl kustomize` for every environment.

mod common;

use std::process::Command;

#[test]
fn kubernetes_validate_accepts_every_object() {
    let Some(validator) = common::tool("kubernetes-validate") else { return };
    let dir = tempfile::tempdir().unwrap();
    let rendered = common::render_all_to(dir.path());
    let mut checked = 0;
    for (example, artifacts) in &rendered {
        let platforms = common::examples().into_iter().find(|(name, _)| name == example).unwrap().1;
        for platform in &platforms {
            let prefix = format!("environments/{}/kubernetes/", platform.environment.name);
            let files: Vec<_> = artifacts
                .iter()
                .filter(|(path, _)| path.starts_with(&prefix) && !path.ends_with("kustomization.yaml"))
                .map(|(path, _)| dir.path().join(example).join(path))
                .collect();
            if files.is_empty() {
                continue;
            }
            let version = format!("{}.0", platform.kubernetes.version);
            let output =
                Command::new(&validator).args(["--strict", "--quiet", "-k", &version]).args(&files).output().unwrap();
            assert!(
                output.status.success(),
                "{example}/{}: {}{}",
                platform.environment.name,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            checked += files.len();
        }
    }
    assert!(checked > 0, "no Kubernetes files were rendered");
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
