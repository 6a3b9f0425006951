//! End-to-end tests of `plinth validate`, `render` and `schema` through the built binary, and how
//! it ends when its output pipe is closed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn plinth(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_plinth")).args(args).current_dir(dir).env("NO_COLOR", "1").output().unwrap()
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples").join(name).join("plinth.yaml").canonicalize().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const BROKEN: &str = "plinth: 1\nname: shop\nservices:\n  web:\n    image: ghcr.io/shop/web\n    replica: 2\n    calls: [api]\nenvironments:\n  production: {}\n";

#[test]
fn validate_reports_every_error_with_location_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plinth.yaml"), BROKEN).unwrap();
    let output = plinth(&["validate"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("error[unknown-field]: unknown field `replica` in services.web"), "{stderr}");
    assert!(stderr.contains("plinth.yaml:6:5"), "{stderr}");
    assert!(stderr.contains("hint: did you mean `replicas`?"), "{stderr}");
    assert!(stderr.contains("    replica: 2"), "the source line is shown: {stderr}");
}

#[test]
fn validate_json_lists_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plinth.yaml"), BROKEN).unwrap();
    let output = plinth(&["validate", "--output", "json"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["valid"], false);
    assert_eq!(report["diagnostics"][0]["line"], 6);
    assert_eq!(report["diagnostics"][0]["column"], 5);
    assert_eq!(report["diagnostics"][0]["code"], "unknown-field");
}

#[test]
fn warnings_fail_only_with_deny_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let spec = "plinth: 1\nname: shop\nservices:\n  web: { image: ghcr.io/shop/web, replicas: 1 }\nenvironments:\n  production: {}\n";
    std::fs::write(dir.path().join("plinth.yaml"), spec).unwrap();
    let output = plinth(&["validate"], dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("warning[single-replica]"));
    assert_eq!(plinth(&["validate", "--deny-warnings"], dir.path()).status.code(), Some(2));
}

#[test]
fn render_writes_nothing_when_the_spec_is_broken() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plinth.yaml"), BROKEN).unwrap();
    let output = plinth(&["render", "-o", "out"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(!dir.path().join("out").exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary directory is left behind");
}

#[test]
fn a_failed_render_leaves_the_previous_output_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let spec = example("business-app");
    let spec = spec.to_str().unwrap();
    assert_eq!(plinth(&["render", spec, "-o", "out"], dir.path()).status.code(), Some(0));
    let before = std::fs::read_to_string(dir.path().join("out/README.md")).unwrap();
    std::fs::write(dir.path().join("plinth.yaml"), BROKEN).unwrap();
    assert_eq!(plinth(&["render", "-o", "out"], dir.path()).status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(dir.path().join("out/README.md")).unwrap(), before);
}

#[test]
fn render_check_detects_drift() {
    let dir = tempfile::tempdir().unwrap();
    let spec = example("business-app");
    let spec = spec.to_str().unwrap();
    let output = plinth(&["render", spec, "-o", "out"], dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout).starts_with("rendered "), "a summary ends the render");
    assert_eq!(plinth(&["render", spec, "-o", "out", "--check"], dir.path()).status.code(), Some(0));

    let edited = dir.path().join("out/environments/production/kubernetes/api-gateway.yaml");
    let original = std::fs::read_to_string(&edited).unwrap();
    let drifted = original.replace("minReplicas: 3", "minReplicas: 4");
    assert_ne!(drifted, original, "the edit must change the file");
    std::fs::write(&edited, drifted).unwrap();
    std::fs::write(dir.path().join("out/stray.yaml"), "x: 1\n").unwrap();
    let output = plinth(&["render", spec, "-o", "out", "--check"], dir.path());
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("changed: out/environments/production/kubernetes/api-gateway.yaml"), "{stderr}");
    assert!(stderr.contains("not rendered: out/stray.yaml"), "{stderr}");
    assert!(std::fs::read_to_string(&edited).unwrap().contains("minReplicas: 4"), "--check writes nothing");
}

#[cfg(unix)]
#[test]
fn rendered_scripts_are_executable_and_other_files_not() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let spec = example("business-app");
    assert_eq!(plinth(&["render", spec.to_str().unwrap(), "-o", "out"], dir.path()).status.code(), Some(0));
    let mode = |path: &str| std::fs::metadata(dir.path().join("out").join(path)).unwrap().permissions().mode();
    assert_eq!(mode("environments/development/compose/setup-secrets.sh") & 0o111, 0o111);
    assert_eq!(mode("environments/development/compose/docker-compose.yml") & 0o111, 0);
}

#[test]
fn render_selects_environments() {
    let dir = tempfile::tempdir().unwrap();
    let spec = example("business-app");
    let spec = spec.to_str().unwrap();
    let output = plinth(&["render", spec, "--env", "staging", "-o", "out"], dir.path());
    assert_eq!(output.status.code(), Some(0));
    assert!(dir.path().join("out/environments/staging").exists());
    assert!(!dir.path().join("out/environments/production").exists());
    let output = plinth(&["render", spec, "--env", "prod", "-o", "out"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("no environment `prod`"));
}

#[test]
fn schema_prints_the_committed_schema() {
    let dir = tempfile::tempdir().unwrap();
    let output = plinth(&["schema"], dir.path());
    assert_eq!(output.status.code(), Some(0));
    let committed =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema/plinth.schema.json")).unwrap();
    assert_eq!(text(&output.stdout), committed);
}

#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_plinth"))
        .args(["check", "--output", "sarif", "../plinth-policy/tests/fixtures/kubernetes"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one line, then close the pipe as `| head -1` does, while plinth still has megabytes to
    // write (far more than a pipe buffers).
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = text(&output.stderr);
    assert!(!first.is_empty());
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(141), "{stderr}");
}
