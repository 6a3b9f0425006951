//! Renders all examples × environments in one process and compares, in the same run, with
//! `kubectl kustomize` merely assembling the same Kubernetes output.
//!
//! `cargo run --release -p plinth-bench --bin render-vs-kustomize [-- ROUNDS]`

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let rounds: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(20);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut sources = Vec::new();
    for entry in std::fs::read_dir(root.join("examples")).expect("examples/") {
        let path = entry.expect("entry").path().join("plinth.yaml");
        sources.push(std::fs::read_to_string(&path).expect("example spec"));
    }
    sources.sort();

    // plinth: parse, validate, resolve and render every environment of every example.
    let render_all = || {
        let mut files = 0;
        for source in &sources {
            let compiled = plinth_spec::compile(source);
            assert!(!compiled.has_errors());
            files += plinth_render::render(&compiled.platforms).len();
        }
        files
    };
    let files = render_all();
    let plinth_samples: Vec<Duration> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(render_all());
            start.elapsed()
        })
        .collect();

    // kustomize: assemble each rendered environment directory.
    let out = tempfile::tempdir().expect("temp dir");
    let mut env_dirs: Vec<PathBuf> = Vec::new();
    for (idx, source) in sources.iter().enumerate() {
        let artifacts = plinth_render::render(&plinth_spec::compile(source).platforms);
        for (path, contents) in artifacts.iter() {
            let target = out.path().join(idx.to_string()).join(path);
            std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
            std::fs::write(&target, contents).expect("write");
            if path.ends_with("kubernetes/kustomization.yaml") {
                env_dirs.push(target.parent().expect("dir").to_path_buf());
            }
        }
    }
    let kubectl = std::env::var("KUBECTL").unwrap_or_else(|_| {
        let local = root.join(".tools/venv/bin/kubectl");
        if local.exists() { local.display().to_string() } else { "kubectl".to_owned() }
    });
    let version = Command::new(&kubectl).args(["version", "--client"]).output().expect("run kubectl");
    let version = String::from_utf8_lossy(&version.stdout).lines().collect::<Vec<_>>().join(", ");
    let kustomize_rounds = rounds.min(5);
    let kustomize_samples: Vec<Duration> = (0..kustomize_rounds)
        .map(|_| {
            let start = Instant::now();
            for dir in &env_dirs {
                let status = Command::new(&kubectl)
                    .arg("kustomize")
                    .arg(dir)
                    .stdout(std::process::Stdio::null())
                    .status()
                    .expect("run kubectl");
                assert!(status.success(), "kubectl kustomize {} failed", dir.display());
            }
            start.elapsed()
        })
        .collect();

    let plinth = median(plinth_samples);
    let kustomize = median(kustomize_samples);
    println!("examples: {}, files rendered: {files}, kubernetes environments: {}", sources.len(), env_dirs.len());
    println!(
        "plinth render (all examples, all environments, one process): {:.2} ms (median of {rounds})",
        plinth.as_secs_f64() * 1e3
    );
    println!(
        "kubectl kustomize (assembling the same environments):       {:.2} ms (median of {kustomize_rounds}; {version})",
        kustomize.as_secs_f64() * 1e3
    );
    println!("ratio: plinth is {:.1}x faster", kustomize.as_secs_f64() / plinth.as_secs_f64());
}
