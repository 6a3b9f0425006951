//! Checks the same files with `plinth check` and with Checkov in one run, and reports wall time,
//! peak memory, files and findings of each, and the ratio.
//!
//! The files: all five examples rendered into a temporary directory, and a larger tree that adds a
//! deterministic set of generated Kubernetes and Terraform files to them. plinth's memory is also
//! measured on the generated files alone at N and 2N files.
//!
//! ```sh
//! scripts/install-tools.sh                 # provides Checkov in .tools/checkov
//! cargo build --release -p plinth          # the binary measured: target/release/plinth
//! cargo run --release -p plinth-bench --bin check-vs-checkov [-- ROUNDS]
//! ```
//!
//! `ROUNDS` (default 5) is the number of plinth runs per set; Checkov runs once per set
//! (`CHECKOV_ROUNDS` to change), each bounded by `CHECKOV_TIMEOUT` seconds (default 420). `PLINTH`
//! and `CHECKOV` override the binaries.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use plinth_bench::{env_number, machine, version};
use serde_json::Value;

/// Generated files in the large tree (half Kubernetes, half Terraform); the memory check also runs
/// plinth on twice as many.
const GENERATED: usize = 2_000;

/// How often the process tree's memory is sampled while a tool runs.
const SAMPLE_EVERY: Duration = Duration::from_millis(10);

/// One measured run of a tool.
struct Run {
    /// Wall time, start to exit.
    wall: Duration,
    /// Peak memory in KiB: the larger of `/usr/bin/time`'s max-RSS of the top process and the
    /// sampled proportional set size (PSS) of the whole process tree.
    peak_kib: u64,
    /// What the tool printed on stdout.
    stdout: String,
}

/// What a tool reported about a set of files.
struct Tally {
    /// Files (plinth: files read; Checkov: resources scanned, files with a failed check).
    files: String,
    /// Findings (plinth) or failed checks (Checkov).
    findings: usize,
    /// The findings split by rule family (plinth) or framework (Checkov).
    split: String,
}

fn main() {
    let rounds: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(5);
    let checkov_rounds: usize = env_number("CHECKOV_ROUNDS", 1);
    let timeout = Duration::from_secs(env_number("CHECKOV_TIMEOUT", 420) as u64);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let plinth = tool("PLINTH", root.join("target/release/plinth"));
    let checkov = tool("CHECKOV", root.join(".tools/checkov/bin/checkov"));
    assert!(
        Path::new(&plinth).exists(),
        "{plinth} is missing: build it first with `cargo build --release -p plinth` (or set PLINTH)"
    );
    assert!(Path::new(&checkov).exists(), "{checkov} is missing: run scripts/install-tools.sh (or set CHECKOV)");

    println!("machine: {}", machine());
    println!("plinth: {} ({plinth})", version(&plinth, &["--version"]));
    println!("checkov: {} ({checkov})", version(&checkov, &["--version"]));
    println!("plinth rules: {}", plinth_rules(&plinth));
    println!("checkov checks (kubernetes, terraform, github_actions): {}", checkov_checks(&checkov));

    // Not a dot-name: Checkov skips hidden directories, and `tempfile` names them `.tmpXXXX`.
    let work = tempfile::Builder::new().prefix("plinth-bench-").tempdir().expect("temp dir");
    let examples = work.path().join("examples");
    let rendered = render_examples(&root, &examples);
    let large = work.path().join("large");
    copy_tree(&examples, &large.join("examples"));
    generate(&large.join("generated"), GENERATED);
    println!("sets: examples = {rendered} rendered files; large = the examples + {GENERATED} generated files");
    println!("checkov: {checkov_rounds} round(s) per set, each bounded by {} s", timeout.as_secs());
    println!();

    for (name, dir) in [("examples", &examples), ("large", &large)] {
        let plinth_args = plinth_args(dir);
        let runs: Vec<Run> =
            (0..rounds).map(|_| measure(&plinth, &plinth_args, None).expect("plinth has no time limit")).collect();
        let plinth_tally = plinth_tally(&runs[0].stdout);
        let (plinth_wall, plinth_peak) = summary(&runs);

        let checkov_args = checkov_args(dir);
        let mut checkov_runs = Vec::new();
        for _ in 0..checkov_rounds {
            match measure(&checkov, &checkov_args, Some(timeout)) {
                Some(run) => checkov_runs.push(run),
                None => println!("{name}: checkov did not finish within {} s and was stopped", timeout.as_secs()),
            }
        }
        println!("{name}: plinth  {}", line(plinth_wall, plinth_peak, rounds, &plinth_tally));
        if checkov_runs.is_empty() {
            println!(
                "{name}: checkov timed out; ratio: plinth is more than {:.0}x faster",
                timeout.as_secs_f64() / plinth_wall.as_secs_f64()
            );
        } else {
            let checkov_tally = checkov_tally(&checkov_runs[0].stdout);
            let (checkov_wall, checkov_peak) = summary(&checkov_runs);
            println!("{name}: checkov {}", line(checkov_wall, checkov_peak, checkov_runs.len(), &checkov_tally));
            println!(
                "{name}: ratio: plinth is {:.1}x faster and uses {:.1}x less memory",
                checkov_wall.as_secs_f64() / plinth_wall.as_secs_f64(),
                checkov_peak as f64 / plinth_peak as f64
            );
        }
        println!();
    }

    // plinth's memory at N and 2N generated files.
    for count in [GENERATED, 2 * GENERATED] {
        let dir = work.path().join(format!("generated-{count}"));
        generate(&dir, count);
        let runs: Vec<Run> =
            (0..rounds).map(|_| measure(&plinth, &plinth_args(&dir), None).expect("no limit")).collect();
        let tally = plinth_tally(&runs[0].stdout);
        let (wall, peak) = summary(&runs);
        println!("generated only, {count} files: plinth {}", line(wall, peak, rounds, &tally));
    }

    // plinth's memory on clean files (no finding), at N, 2N and 4N: what the files cost, apart
    // from the findings the output must hold.
    for count in [GENERATED, 2 * GENERATED, 4 * GENERATED] {
        let dir = work.path().join(format!("clean-{count}"));
        generate_clean(&root, &dir, count);
        let runs: Vec<Run> =
            (0..rounds).map(|_| measure(&plinth, &plinth_args(&dir), None).expect("no limit")).collect();
        let tally = plinth_tally(&runs[0].stdout);
        let (wall, peak) = summary(&runs);
        println!("clean only, {count} files: plinth {}", line(wall, peak, rounds, &tally));
    }
}

/// The binary named by environment variable `var`, else `local`.
fn tool(var: &str, local: PathBuf) -> String {
    std::env::var(var).unwrap_or_else(|_| local.display().to_string())
}

/// The number of rules `plinth check --list-rules` lists, in all and per target.
fn plinth_rules(plinth: &str) -> String {
    let output = Command::new(plinth).args(["check", "--list-rules"]).output().expect("run plinth");
    let table = String::from_utf8_lossy(&output.stdout).into_owned();
    let mut by_target: BTreeMap<String, usize> = BTreeMap::new();
    for row in table.lines().skip(1) {
        if let Some(target) = row.split_whitespace().nth(2) {
            *by_target.entry(target.to_owned()).or_default() += 1;
        }
    }
    let total: usize = by_target.values().sum();
    let parts: Vec<String> = by_target.iter().map(|(target, n)| format!("{target} {n}")).collect();
    format!("{total} ({})", parts.join(", "))
}

/// The number of distinct check ids `checkov --list` lists for the three frameworks run.
fn checkov_checks(checkov: &str) -> usize {
    let output = Command::new(checkov)
        .args(["--list", "--framework", "kubernetes", "terraform", "github_actions"])
        .output()
        .expect("run checkov --list");
    let table = String::from_utf8_lossy(&output.stdout).into_owned();
    let ids: BTreeSet<&str> = table
        .lines()
        .filter_map(|row| row.split('|').nth(2).map(str::trim))
        .filter(|id| id.starts_with("CKV"))
        .collect();
    ids.len()
}

/// Renders every example's every environment into `dir/<example>/`, leaving out the
/// `kustomization.yaml` files; the number of files written.
fn render_examples(root: &Path, dir: &Path) -> usize {
    let mut files = 0;
    let mut entries: Vec<PathBuf> =
        fs::read_dir(root.join("examples")).expect("examples/").map(|e| e.expect("entry").path()).collect();
    entries.sort();
    for example in entries {
        let source = fs::read_to_string(example.join("plinth.yaml")).expect("example spec");
        let compiled = plinth_spec::compile(&source);
        assert!(!compiled.has_errors(), "{} does not compile", example.display());
        let name = example.file_name().expect("name");
        // Checkov's Kubernetes framework skips every directory holding a `kustomization.yaml`
        // (its kustomize framework, which needs kubectl, takes those); without them it checks
        // the same manifests plinth does.
        for (path, contents) in
            plinth_render::render(&compiled.platforms).iter().filter(|(path, _)| !path.ends_with("kustomization.yaml"))
        {
            write(&dir.join(name).join(path), contents);
            files += 1;
        }
    }
    files
}

/// Writes `contents` to `path`, creating its directory.
fn write(path: &Path, contents: &str) {
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(path, contents).expect("write");
}

/// Copies the files under `from` to `to`.
fn copy_tree(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).expect("read dir") {
        let path = entry.expect("entry").path();
        let target = to.join(path.file_name().expect("name"));
        if path.is_dir() {
            copy_tree(&path, &target);
        } else {
            fs::create_dir_all(to).expect("mkdir");
            fs::copy(&path, &target).expect("copy");
        }
    }
}

/// Writes `count` files under `dir`: half Kubernetes (a Deployment and its Service), half Terraform
/// (an S3 bucket and a security group, every tenth file a database), spread over 40 directories,
/// with a fixed mix of good and bad settings chosen by the file's index.
fn generate(dir: &Path, count: usize) {
    for i in 0..count {
        if i % 2 == 0 {
            let i = i / 2;
            write(&dir.join(format!("team-{}/svc-{i}/deployment.yaml", i % 40)), &kubernetes(i));
        } else {
            let i = i / 2;
            write(&dir.join(format!("stack-{}/module-{i}/main.tf", i % 40)), &terraform(i));
        }
    }
}

/// Writes `count` files under `dir` that break no rule, laid out as [`generate`] does: copies of
/// the policy fixtures' hardened Kubernetes objects and hardened Terraform module.
fn generate_clean(root: &Path, dir: &Path, count: usize) {
    let fixtures = root.join("crates/plinth-policy/tests/fixtures");
    let read = |path: PathBuf| fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    let kubernetes = read(fixtures.join("kubernetes/hardened.yaml"));
    let terraform = read(fixtures.join("terraform/hardened/main.tf"));
    for i in 0..count {
        let j = i / 2;
        if i % 2 == 0 {
            write(&dir.join(format!("team-{}/svc-{j}/deployment.yaml", j % 40)), &kubernetes);
        } else {
            write(&dir.join(format!("stack-{}/module-{j}/main.tf", j % 40)), &terraform);
        }
    }
}

/// A Deployment and a Service; which settings are hardened depends on `i`.
fn kubernetes(i: usize) -> String {
    let image =
        if i % 7 == 0 { "nginx:latest".to_owned() } else { format!("ghcr.io/acme/app-{}:1.{}.0", i % 50, i % 30) };
    let mut security = String::new();
    if i % 3 != 0 {
        security.push_str("            runAsNonRoot: true\n            runAsUser: 10001\n");
    }
    if i % 4 != 0 {
        security.push_str("            readOnlyRootFilesystem: true\n");
    }
    if i % 6 != 0 {
        security.push_str("            allowPrivilegeEscalation: false\n");
    }
    if i % 11 == 0 {
        security.push_str("            privileged: true\n");
    }
    if i % 9 != 0 {
        security.push_str("            capabilities:\n              drop: [ALL]\n");
    }
    let resources = if i % 5 == 0 {
        String::new()
    } else {
        "          resources:\n            requests: { cpu: 100m, memory: 128Mi }\n            limits: { cpu: 500m, memory: 256Mi }\n"
            .to_owned()
    };
    let probes = if i % 8 == 0 {
        String::new()
    } else {
        "          livenessProbe: { httpGet: { path: /healthz, port: 8080 } }\n          readinessProbe: { httpGet: { path: /ready, port: 8080 } }\n".to_owned()
    };
    let host_network = if i % 13 == 0 { "      hostNetwork: true\n" } else { "" };
    let mut out = String::new();
    let ns = format!("team-{}", i % 40);
    write!(
        out,
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: svc-{i}\n  namespace: {ns}\n  labels: {{ app: svc-{i} }}\n\
         spec:\n  replicas: {}\n  selector:\n    matchLabels: {{ app: svc-{i} }}\n  template:\n    metadata:\n      labels: {{ app: svc-{i} }}\n\
         \x20   spec:\n{host_network}      automountServiceAccountToken: false\n      containers:\n        - name: app\n          image: {image}\n\
         \x20         ports: [{{ containerPort: 8080 }}]\n          securityContext:\n{security}{resources}{probes}",
        1 + i % 3
    )
    .expect("write to string");
    write!(
        out,
        "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc-{i}\n  namespace: {ns}\nspec:\n  selector: {{ app: svc-{i} }}\n  ports:\n    - port: 80\n      targetPort: 8080\n"
    )
    .expect("write to string");
    out
}

/// An S3 bucket with some of its companions, a security group and now and then a database; which
/// settings are hardened depends on `i`.
fn terraform(i: usize) -> String {
    let mut out = format!("resource \"aws_s3_bucket\" \"b{i}\" {{\n  bucket = \"acme-data-{i}\"\n}}\n\n");
    if i % 2 == 0 {
        write!(out, "resource \"aws_s3_bucket_versioning\" \"b{i}\" {{\n  bucket = aws_s3_bucket.b{i}.id\n  versioning_configuration {{\n    status = \"Enabled\"\n  }}\n}}\n\n").expect("write");
    }
    if i % 3 != 0 {
        write!(
            out,
            "resource \"aws_s3_bucket_server_side_encryption_configuration\" \"b{i}\" {{\n  bucket = aws_s3_bucket.b{i}.id\n  rule {{\n    apply_server_side_encryption_by_default {{\n      sse_algorithm = \"aws:kms\"\n    }}\n  }}\n}}\n\n"
        )
        .expect("write");
    }
    if i % 4 != 0 {
        write!(
            out,
            "resource \"aws_s3_bucket_public_access_block\" \"b{i}\" {{\n  bucket                  = aws_s3_bucket.b{i}.id\n  block_public_acls       = true\n  block_public_policy     = true\n  ignore_public_acls      = true\n  restrict_public_buckets = true\n}}\n\n"
        )
        .expect("write");
    }
    let (cidr, port) = if i % 5 == 0 { ("0.0.0.0/0", 22) } else { ("10.0.0.0/8", 443) };
    write!(
        out,
        "resource \"aws_security_group\" \"sg{i}\" {{\n  name        = \"svc-{i}\"\n  description = \"service {i}\"\n  vpc_id      = \"vpc-0abc{:04}\"\n\n  ingress {{\n    description = \"inbound\"\n    from_port   = {port}\n    to_port     = {port}\n    protocol    = \"tcp\"\n    cidr_blocks = [\"{cidr}\"]\n  }}\n}}\n",
        i % 40
    )
    .expect("write");
    if i % 10 == 0 {
        let public = i % 20 == 0;
        write!(
            out,
            "\nresource \"aws_db_instance\" \"db{i}\" {{\n  identifier          = \"db-{i}\"\n  engine              = \"postgres\"\n  instance_class      = \"db.t4g.micro\"\n  allocated_storage   = 20\n  storage_encrypted   = {}\n  publicly_accessible = {public}\n  multi_az            = {}\n  skip_final_snapshot = true\n}}\n",
            !public,
            i % 30 == 0
        )
        .expect("write");
    }
    out
}

/// `plinth check --output json DIR`.
fn plinth_args(dir: &Path) -> Vec<String> {
    vec!["check".into(), "--output".into(), "json".into(), dir.display().to_string()]
}

/// `checkov -d DIR --quiet --compact -o json` on the Kubernetes, Terraform and GitHub Actions
/// frameworks, without contacting the Prisma Cloud API.
fn checkov_args(dir: &Path) -> Vec<String> {
    [
        "-d",
        &dir.display().to_string(),
        "--quiet",
        "--compact",
        "-o",
        "json",
        "--skip-download",
        "--framework",
        "kubernetes",
        "terraform",
        "github_actions",
    ]
    .map(str::to_owned)
    .to_vec()
}

/// Runs `program args` (under `/usr/bin/time` when it is installed), sampling its process tree's
/// memory; `None` when it ran longer than `limit` and was killed.
fn measure(program: &str, args: &[String], limit: Option<Duration>) -> Option<Run> {
    let out = tempfile::NamedTempFile::new().expect("temp file");
    let max_rss = tempfile::NamedTempFile::new().expect("temp file");
    let gnu_time = Path::new("/usr/bin/time").exists();
    let mut command = if gnu_time {
        let mut command = Command::new("/usr/bin/time");
        command.arg("-f").arg("%M").arg("-o").arg(max_rss.path()).arg(program);
        command
    } else {
        Command::new(program)
    };
    command.args(args).stdout(out.reopen().expect("reopen")).stderr(Stdio::null()).process_group(0);
    let start = Instant::now();
    let mut child = command.spawn().unwrap_or_else(|err| panic!("cannot run {program}: {err}"));
    let mut peak_kib = 0;
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if limit.is_some_and(|limit| start.elapsed() > limit) {
            // Kill the whole process group: Checkov forks workers.
            let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", child.id())]).status();
            let _ = child.wait();
            return None;
        }
        peak_kib = peak_kib.max(tree_pss_kib(child.id()));
        std::thread::sleep(SAMPLE_EVERY);
    }
    let wall = start.elapsed();
    let top_rss: u64 = fs::read_to_string(max_rss.path()).ok().and_then(|t| t.trim().parse().ok()).unwrap_or(0);
    let stdout = fs::read_to_string(out.path()).expect("read output");
    Some(Run { wall, peak_kib: peak_kib.max(top_rss), stdout })
}

/// The summed proportional set size, in KiB, of process `root` and all its descendants now.
fn tree_pss_kib(root: u32) -> u64 {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    for entry in fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = fs::read_to_string(entry.path().join("stat")) else { continue };
        // The parent pid is the second field after the parenthesised command name.
        if let Some(ppid) = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse().ok()) {
            parents.push((pid, ppid));
        }
    }
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(parents.iter().filter(|(_, ppid)| *ppid == parent).map(|(pid, _)| *pid));
        i += 1;
    }
    tree.iter()
        .filter_map(|pid| fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok())
        .filter_map(|rollup| {
            rollup
                .lines()
                .find_map(|l| l.strip_prefix("Pss:"))
                .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        })
        .sum()
}

/// The median wall time and the largest peak memory of `runs`.
fn summary(runs: &[Run]) -> (Duration, u64) {
    let mut walls: Vec<Duration> = runs.iter().map(|r| r.wall).collect();
    walls.sort();
    (walls[walls.len() / 2], runs.iter().map(|r| r.peak_kib).max().unwrap_or(0))
}

/// One result line.
fn line(wall: Duration, peak_kib: u64, rounds: usize, tally: &Tally) -> String {
    format!(
        "{:>10.2} ms (median of {rounds}), peak {:>7.1} MiB, files {}, findings {} ({})",
        wall.as_secs_f64() * 1e3,
        peak_kib as f64 / 1024.0,
        tally.files,
        tally.findings,
        tally.split
    )
}

/// Files and findings from `plinth check --output json`.
fn plinth_tally(stdout: &str) -> Tally {
    let report: Value = serde_json::from_str(stdout).expect("plinth check --output json");
    let skipped = report["skipped"].as_u64().unwrap_or(0);
    let errors = report["errors"].as_array().map_or(0, Vec::len);
    let findings = report["findings"].as_array().map_or(&[][..], Vec::as_slice);
    let mut by_family: BTreeMap<&str, usize> = BTreeMap::new();
    for finding in findings {
        let rule = finding["rule"].as_str().unwrap_or("?");
        *by_family.entry(rule.rsplit_once('-').map_or(rule, |(family, _)| family)).or_default() += 1;
    }
    Tally {
        files: format!("{} read ({skipped} not recognised, {errors} input errors)", report["files"]),
        findings: findings.len(),
        split: by_family.iter().map(|(family, n)| format!("{family} {n}")).collect::<Vec<_>>().join(", "),
    }
}

/// Resources, files with a failed check, and failed checks from Checkov's JSON (one report per
/// framework that found something to scan).
fn checkov_tally(stdout: &str) -> Tally {
    let json: Value = serde_json::from_str(stdout).expect("checkov -o json");
    let reports = match json {
        Value::Array(reports) => reports,
        report => vec![report],
    };
    let mut resources = 0;
    let mut parse_errors = 0;
    let mut findings = 0;
    let mut files = BTreeSet::new();
    let mut per_framework = Vec::new();
    for report in &reports {
        let summary = &report["summary"];
        resources += summary["resource_count"].as_u64().unwrap_or(0);
        parse_errors += summary["parsing_errors"].as_u64().unwrap_or(0);
        let failed = report["results"]["failed_checks"].as_array().map_or(&[][..], Vec::as_slice);
        findings += failed.len();
        files.extend(failed.iter().filter_map(|f| f["file_path"].as_str()));
        per_framework.push(format!("{} {}", report["check_type"].as_str().unwrap_or("?"), failed.len()));
    }
    Tally {
        files: format!("{} with failed checks ({resources} resources, {parse_errors} parse errors)", files.len()),
        findings,
        split: per_framework.join(", "),
    }
}
