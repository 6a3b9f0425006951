//! The rendered Terraform against its consumers, for every example and variant: `terraform fmt`
//! leaves it unchanged, an independent parser (python-hcl2) reads every file, Checkov finds no
//! failed check in the shared modules nor in any environment's root, and every `#checkov:skip`
//! carries its reason.
//!
//! Checkov runs once per directory (`terraform/modules` and each `environments/<env>/terraform`),
//! several at a time: scanning the whole tree at once, it merges the module instances of different
//! environments into one, so a finding that depends on an environment's arguments could hide.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Instant;

use serde_json::Value;

/// Every directory Checkov scans, `(label, path)`: each environment's root, and `terraform/modules`
/// once per distinct content (the modules are the same for every application, which `golden.rs`
/// checks, so normally once).
fn terraform_dirs(root: &Path, rendered: &[(String, plinth_render::Artifacts)]) -> Vec<(String, PathBuf)> {
    let mut dirs = BTreeSet::new();
    let mut module_trees = BTreeSet::new();
    for (example, artifacts) in rendered {
        let modules: Vec<(&str, &str)> =
            artifacts.iter().filter(|(path, _)| path.starts_with("terraform/modules/")).collect();
        if !modules.is_empty() && module_trees.insert(modules) {
            dirs.insert((format!("{example}/terraform/modules"), root.join(example).join("terraform/modules")));
        }
        for (path, _) in artifacts.iter().filter(|(path, _)| path.starts_with("environments/") && path.ends_with(".tf"))
        {
            let dir = Path::new(path).parent().unwrap().to_string_lossy().into_owned();
            dirs.insert((format!("{example}/{dir}"), root.join(example).join(dir)));
        }
    }
    dirs.into_iter().collect()
}

fn tf_files(rendered: &[(String, plinth_render::Artifacts)], root: &Path) -> Vec<PathBuf> {
    rendered
        .iter()
        .flat_map(|(example, artifacts)| {
            artifacts
                .iter()
                .filter(|(path, _)| path.ends_with(".tf"))
                .map(move |(path, _)| root.join(example).join(path))
        })
        .collect()
}

#[test]
fn terraform_fmt_leaves_every_file_unchanged() {
    let Some(terraform) = common::tool("terraform") else { return };
    let dir = tempfile::tempdir().unwrap();
    let rendered = common::render_all_to(dir.path());
    assert!(!tf_files(&rendered, dir.path()).is_empty(), "no Terraform was rendered");
    for (example, _) in &rendered {
        let output = Command::new(&terraform)
            .args(["fmt", "-check", "-recursive", "-diff", "-no-color"])
            .current_dir(dir.path().join(example))
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{example}: terraform fmt would change:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn every_file_parses_with_python_hcl2() {
    let Some(checkov) = common::tool("checkov") else { return };
    // python-hcl2 comes with Checkov, in its virtual environment.
    let python = checkov.parent().unwrap().join("python");
    let dir = tempfile::tempdir().unwrap();
    let rendered = common::render_all_to(dir.path());
    let files = tf_files(&rendered, dir.path());
    assert!(!files.is_empty(), "no Terraform was rendered");
    let script = "import sys, hcl2\n\
                  bad = []\n\
                  for path in sys.argv[1:]:\n\
                  \x20   try:\n\
                  \x20       with open(path) as f: hcl2.load(f)\n\
                  \x20   except Exception as err:\n\
                  \x20       bad.append(f'{path}: {err}')\n\
                  print('\\n'.join(bad))\n\
                  sys.exit(1 if bad else 0)\n";
    let output = Command::new(&python).arg("-c").arg(script).args(&files).output().unwrap();
    assert!(
        output.status.success(),
        "python-hcl2 rejects:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The JSON documents Checkov printed (one, or a list of them, one per framework).
fn checkov_reports(text: &str) -> Vec<Value> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(reports)) => reports,
        Ok(report) => vec![report],
        Err(err) => panic!("Checkov printed no JSON ({err}):\n{text}"),
    }
}

/// One line per failed check, and one per file Checkov could not parse.
fn checkov_failures(label: &str, report: &Value) -> Vec<String> {
    let mut failures = Vec::new();
    for check in report.pointer("/results/failed_checks").and_then(Value::as_array).into_iter().flatten() {
        let field = |key: &str| check.get(key).and_then(Value::as_str).unwrap_or("?").to_owned();
        let caller = check.get("caller_file_path").and_then(Value::as_str).map(|c| format!(" (called from {c})"));
        failures.push(format!(
            "{label}: {} {} in {}{}: {}",
            field("check_id"),
            field("resource"),
            field("file_path"),
            caller.unwrap_or_default(),
            field("check_name")
        ));
    }
    for file in report.pointer("/results/parsing_errors").and_then(Value::as_array).into_iter().flatten() {
        failures.push(format!("{label}: Checkov could not parse {file}"));
    }
    failures
}

#[test]
fn checkov_finds_no_failed_check() {
    let Some(checkov) = common::tool("checkov") else { return };
    let dir = tempfile::tempdir().unwrap();
    let rendered = common::render_all_to(dir.path());
    let dirs = terraform_dirs(dir.path(), &rendered);
    assert!(!dirs.is_empty(), "no Terraform was rendered");
    let started = Instant::now();
    let queue = Mutex::new(dirs.clone());
    let failures = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).min(dirs.len());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    // Taken in its own statement, so the lock is not held while Checkov runs.
                    let next = queue.lock().unwrap().pop();
                    let Some((label, path)) = next else { break };
                    let output = Command::new(&checkov)
                        .args(["--framework", "terraform", "-o", "json", "--quiet", "--compact", "--skip-download"])
                        .arg("-d")
                        .arg(&path)
                        .output()
                        .unwrap();
                    let text = String::from_utf8_lossy(&output.stdout);
                    let found: Vec<String> =
                        checkov_reports(&text).iter().flat_map(|report| checkov_failures(&label, report)).collect();
                    // Checkov exits 1 on failed checks and otherwise only on its own errors.
                    if found.is_empty() && !output.status.success() {
                        failures
                            .lock()
                            .unwrap()
                            .push(format!("{label}: Checkov failed: {}", String::from_utf8_lossy(&output.stderr)));
                    }
                    failures.lock().unwrap().extend(found);
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    eprintln!("Checkov scanned {} directories in {:.1?} ({workers} at a time)", dirs.len(), started.elapsed());
    assert!(failures.is_empty(), "Checkov failed checks:\n{}", failures.join("\n"));
}

#[test]
fn every_checkov_skip_gives_its_reason() {
    let mut skips = BTreeSet::new();
    let mut unexplained = Vec::new();
    for (example, platforms) in common::all_specs() {
        let artifacts = plinth_render::render(&platforms);
        for (path, contents) in artifacts.iter().filter(|(path, _)| path.ends_with(".tf")) {
            for line in contents.lines() {
                let Some(skip) = line.trim().strip_prefix("#checkov:skip=") else { continue };
                let module = path.strip_prefix("terraform/modules/").map_or(path, |p| p.split('/').next().unwrap());
                match skip.split_once(':') {
                    Some((check, reason)) if !check.is_empty() && !reason.trim().is_empty() => {
                        skips.insert(format!("{module}: {check}: {}", reason.trim()));
                    }
                    _ => unexplained.push(format!("{example}/{path}: {line}")),
                }
            }
        }
    }
    assert!(unexplained.is_empty(), "skips without a reason:\n{}", unexplained.join("\n"));
    println!("{} Checkov skips:\n{}", skips.len(), skips.into_iter().collect::<Vec<_>>().join("\n"));
}
