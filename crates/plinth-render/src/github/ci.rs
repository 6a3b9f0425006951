//! `ci.yml`: on pushes to the environments' branches and on pull requests into them, lint, test
//! (the coverage report kept as an artifact), scan dependencies (the toolchain's audit, and
//! GitHub's dependency review on pull requests), then build one image per service as a matrix with
//! Buildx, scan it with Trivy (failing on fixable CRITICAL and HIGH findings) and, on pushes, push
//! it. Tags: `sha-<commit>` (what deploy.yml deploys) and, outside ECR, whose repositories have
//! immutable tags, the branch name (what the rendered kustomizations default to).

use std::collections::BTreeSet;

use plinth_spec::model::{Build, Platform};
use plinth_spec::names;
use serde_json::{Map, Value, json};

use super::actions::{
    DEPENDENCY_REVIEW, DOCKER_BUILD_PUSH, DOCKER_LOGIN, DOCKER_METADATA, ECR_LOGIN, SETUP_BUILDX, TRIVY,
    UPLOAD_ARTIFACT,
};
use super::steps::{self, Job, checkout, job, permissions, prepare, run, run_with_env};
use super::{CI_WORKFLOW, branches, trigger};

/// The header of ci.yml.
pub const HEADER: &str = "CI: lint, test, dependency and image scanning, one image per service.
Images are tagged sha-<commit>; deploy.yml deploys that tag once this workflow succeeds on a push.
ghcr.io images are pushed with GITHUB_TOKEN; ECR images through the OIDC role <app>-github-push
in the account of the repository variable AWS_ACCOUNT_ID; other registries with the secrets
REGISTRY_USERNAME and REGISTRY_PASSWORD.";

/// pip-audit, pinned.
const PIP_AUDIT: &str = "2.10.1";
/// govulncheck, pinned (the Go checksum database verifies the module).
const GOVULNCHECK: &str = "v1.1.4";
/// cargo-audit, pinned (`--locked`; crates.io verifies the checksums).
const CARGO_AUDIT: &str = "0.21.2";

/// Where an image is pushed, which decides how the build job logs in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Registry {
    /// GitHub Container Registry: `GITHUB_TOKEN` with `packages: write`.
    Ghcr,
    /// Amazon ECR in a region: the push role through OIDC.
    Ecr(String),
    /// Any other registry host: username and password secrets.
    Other(String),
}

impl Registry {
    /// The registry of an image reference (Docker's rule: a first path segment with a `.` or a `:`,
    /// or `localhost`, is a host; otherwise Docker Hub).
    fn of(image: &str) -> Self {
        let host = image
            .split_once('/')
            .map(|(first, _)| first)
            .filter(|first| first.contains('.') || first.contains(':') || *first == "localhost");
        match host {
            Some("ghcr.io") => Registry::Ghcr,
            Some(host) if host.contains(".dkr.ecr.") && host.ends_with(".amazonaws.com") => {
                Registry::Ecr(host.split('.').nth(3).unwrap_or_default().to_owned())
            }
            Some(host) => Registry::Other(host.to_owned()),
            None => Registry::Other("docker.io".to_owned()),
        }
    }

    /// Its kind, as the matrix's `registry` value.
    fn kind(&self) -> &'static str {
        match self {
            Registry::Ghcr => "ghcr",
            Registry::Ecr(_) => "ecr",
            Registry::Other(_) => "other",
        }
    }
}

/// The workflow.
pub fn workflow(platforms: &[Platform]) -> Value {
    let app = &platforms[0];
    let build = &app.build;
    let mut jobs = Map::new();
    let prepared = prepare(build);
    for (id, name, command) in [("lint", "Lint", &build.lint), ("test", "Test", &build.test)] {
        let Some(command) = command else { continue };
        let mut steps = vec![checkout()];
        steps.extend(prepared.iter().cloned());
        steps.push(run(name, command));
        if id == "test"
            && let Some(report) = &build.coverage
        {
            steps.push(json!({
                "name": "Upload the coverage report",
                "uses": UPLOAD_ARTIFACT.uses(),
                "with": { "name": "coverage", "path": report, "if-no-files-found": "error", "retention-days": 14 },
            }));
        }
        jobs.insert(id.to_owned(), job(name, 30, permissions(&[]), steps).build());
    }
    jobs.insert("dependencies".to_owned(), dependencies(build).build());
    let needs: Vec<String> = jobs.keys().cloned().collect();
    let mut build_job = build_images(app);
    build_job.set("needs", json!(needs));
    jobs.insert("build".to_owned(), build_job.build());
    json!({
        "name": CI_WORKFLOW,
        "on": {
            "push": trigger(&branches(platforms), None),
            "pull_request": trigger(&branches(platforms), None),
        },
        "permissions": {},
        "concurrency": {
            "group": "ci-${{ github.ref }}",
            "cancel-in-progress": "${{ github.event_name == 'pull_request' }}",
        },
        "jobs": jobs,
    })
}

/// The toolchain's dependency audit with what it needs set up, failing on high-severity advisories
/// (none for Java, which dependency review covers on pull requests).
fn audit(build: &Build) -> Vec<Value> {
    let Some((language, _)) = &build.toolchain else { return Vec::new() };
    let npm = build.install.as_deref().is_none_or(|cmd| cmd.starts_with("npm "));
    let (mut setup, command) = match language.as_str() {
        "node" if npm => (steps::toolchain(build), run("npm audit", "npm audit --audit-level=high\n")),
        "python" => {
            (prepare(build), run("pip-audit", &format!("python -m pip install pip-audit=={PIP_AUDIT}\npip-audit\n")))
        }
        "go" => (
            steps::toolchain(build),
            run("govulncheck", &format!("go run golang.org/x/vuln/cmd/govulncheck@{GOVULNCHECK} ./...\n")),
        ),
        "rust" => (
            steps::toolchain(build),
            run("cargo audit", &format!("cargo install cargo-audit --locked --version {CARGO_AUDIT}\ncargo audit\n")),
        ),
        _ => return Vec::new(),
    };
    setup.push(command);
    setup
}

/// Dependency review on pull requests, and the toolchain's audit on every run (the job runs on
/// pull requests only when there is no audit).
fn dependencies(build: &Build) -> Job {
    let audit = audit(build);
    let audited = !audit.is_empty();
    let mut steps = vec![
        checkout(),
        json!({
            "name": "Dependency review",
            "if": "github.event_name == 'pull_request'",
            "uses": DEPENDENCY_REVIEW.uses(),
            "with": { "fail-on-severity": "high" },
        }),
    ];
    steps.extend(audit);
    let mut job = job("Dependencies", 30, permissions(&[]), steps);
    if !audited {
        job.set("if", json!("github.event_name == 'pull_request'"));
    }
    job
}

/// The image matrix: one entry per service (service, image, Dockerfile, registry kind, and the
/// registry's region or host where it has one).
fn matrix(app: &Platform) -> Vec<Value> {
    app.services
        .iter()
        .map(|svc| {
            let registry = Registry::of(&svc.image);
            let mut entry = json!({
                "service": svc.name,
                "image": svc.image,
                "dockerfile": app.build.dockerfile_for(&svc.name),
                "registry": registry.kind(),
            });
            match &registry {
                Registry::Ecr(region) => entry["region"] = json!(region),
                Registry::Other(host) => entry["host"] = json!(host),
                Registry::Ghcr => {}
            }
            entry
        })
        .collect()
}

/// The build job: build, scan, and on pushes log in and push, per service.
fn build_images(app: &Platform) -> Job {
    let registries: BTreeSet<Registry> = app.services.iter().map(|svc| Registry::of(&svc.image)).collect();
    let kinds: BTreeSet<&str> = registries.iter().map(Registry::kind).collect();
    let on_push = |kind: &str| {
        if kinds.len() > 1 {
            format!("github.event_name == 'push' && matrix.registry == '{kind}'")
        } else {
            "github.event_name == 'push'".to_owned()
        }
    };
    let mut scopes = Vec::new();
    let mut logins = Vec::new();
    for kind in &kinds {
        match *kind {
            "ghcr" => {
                scopes.push(("packages", "write"));
                logins.push(json!({
                    "name": "Log in to ghcr.io",
                    "if": on_push(kind),
                    "uses": DOCKER_LOGIN.uses(),
                    "with": { "registry": "ghcr.io", "username": "${{ github.actor }}", "password": "${{ secrets.GITHUB_TOKEN }}" },
                }));
            }
            "ecr" => {
                scopes.push(("id-token", "write"));
                let mut credentials = steps::assume_role(&names::github_push_role(app), "${{ matrix.region }}");
                credentials["if"] = json!(on_push(kind));
                logins.push(credentials);
                logins.push(json!({ "name": "Log in to ECR", "if": on_push(kind), "uses": ECR_LOGIN.uses() }));
            }
            _ => logins.push(json!({
                "name": "Log in to the registry",
                "if": on_push(kind),
                "uses": DOCKER_LOGIN.uses(),
                "with": {
                    "registry": "${{ matrix.host }}",
                    "username": "${{ secrets.REGISTRY_USERNAME }}",
                    "password": "${{ secrets.REGISTRY_PASSWORD }}",
                },
            })),
        }
    }
    let mut steps = vec![checkout(), json!({ "name": "Set up Buildx", "uses": SETUP_BUILDX.uses() })];
    steps.push(json!({
        "name": "Image tags and labels",
        "id": "meta",
        "uses": DOCKER_METADATA.uses(),
        "with": {
            "images": "${{ matrix.image }}",
            "tags": "type=sha,prefix=sha-,format=long\ntype=ref,event=branch,enable=${{ matrix.registry != 'ecr' }}\n",
        },
    }));
    steps.push(json!({
        "name": "Build",
        "uses": DOCKER_BUILD_PUSH.uses(),
        "with": {
            "context": app.build.context,
            "file": "${{ matrix.dockerfile }}",
            "load": true,
            "push": false,
            "tags": "${{ steps.meta.outputs.tags }}",
            "labels": "${{ steps.meta.outputs.labels }}",
            "cache-from": "type=gha,scope=${{ matrix.service }}",
            "cache-to": "type=gha,mode=max,scope=${{ matrix.service }}",
        },
    }));
    steps.push(json!({
        "name": "Scan the image (Trivy)",
        "uses": TRIVY.uses(),
        "with": {
            "image-ref": "${{ matrix.image }}:sha-${{ github.sha }}",
            "severity": "CRITICAL,HIGH",
            "ignore-unfixed": true,
            "exit-code": "1",
        },
    }));
    steps.extend(logins);
    let mut push = run_with_env(
        "Push the scanned image",
        json!({ "IMAGE": "${{ matrix.image }}" }),
        "docker push --all-tags \"$IMAGE\"\n",
    );
    push["if"] = json!("github.event_name == 'push'");
    steps.push(push);
    let mut job = job("Build ${{ matrix.service }}", 60, permissions(&scopes), steps);
    job.set("strategy", json!({ "fail-fast": false, "matrix": { "include": matrix(app) } }));
    job
}
