//! The invariants of ARCHITECTURE.md that a machine can check.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The crates of the compile side, and the rollout decisions: pure functions of their inputs.
const COMPILE_SIDE: [&str; 5] = ["plinth-spec", "plinth-render", "plinth-rollout", "plinth-cost", "plinth-policy"];

#[test]
fn every_rust_file_starts_with_a_module_doc() {
    let mut files = Vec::new();
    rust_files(&root().join("crates"), &mut files);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.starts_with("//!"), "{} must start with a `//!` line saying what it holds", file.display());
    }
}

#[test]
fn compile_side_does_no_io() {
    for krate in COMPILE_SIDE {
        let mut files = Vec::new();
        rust_files(&root().join("crates").join(krate).join("src"), &mut files);
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for forbidden in [
                "std::fs",
                "TcpStream",
                "TcpListener",
                "UdpSocket",
                "std::process",
                "std::env",
                "std::io",
                "println!",
                "eprintln!",
            ] {
                assert!(
                    !text.contains(forbidden),
                    "{} uses `{forbidden}`: the compile side does no IO",
                    file.display()
                );
            }
        }
    }
}

#[test]
fn compile_side_depends_on_no_runtime_or_terminal_crate() {
    for krate in COMPILE_SIDE {
        let output = Command::new(env!("CARGO"))
            .args(["tree", "--offline", "-e", "normal", "--prefix", "none", "-p", krate])
            .current_dir(root())
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let tree = String::from_utf8_lossy(&output.stdout);
        for forbidden in ["tokio ", "clap ", "codespan-reporting ", "termcolor ", "anyhow "] {
            assert!(!tree.lines().any(|line| line.starts_with(forbidden)), "{krate} depends on {forbidden}");
        }
    }
}

#[test]
fn backends_do_not_depend_on_each_other() {
    let src = root().join("crates/plinth-render/src");
    let backends: Vec<String> = std::fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for backend in &backends {
        let mut files = Vec::new();
        rust_files(&src.join(backend), &mut files);
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for other in backends.iter().filter(|b| *b != backend) {
                assert!(!text.contains(&format!("crate::{other}")), "{} uses the {other} backend", file.display());
            }
        }
    }
}
