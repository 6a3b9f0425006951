//! The Terraform rules (`PL-TF-*`) against their fixtures, through the public [`check`] the CLI
//! runs, so the module directory, the locating of findings and suppressions are exercised too.
//!
//! Each rule has `tests/fixtures/terraform/<name>/{fail,pass}/`, a module directory of `.tf` files
//! (a rule sees the whole directory: S3 settings and flow logs are often separate resources in
//! another file). A line of a `fail` module that must produce a finding ends with
//! `# expect: PL-TF-0NN`; the `pass` module produces no finding of the rule. The catalogue's
//! invariants are checked too, and the suppressions written in Terraform: `#checkov:skip` and
//! `# plinth:ignore` inside a resource block.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use common::expect;
use plinth_policy::rules::terraform::RULES;
use plinth_policy::{Options, Report, Target, check};

/// The rule of suppressions without a reason.
const WITHOUT_REASON: &str = "PL-SUPPRESS-001";

/// Runs `check` over `files` (path, contents) as of a fixed day.
fn run(files: &[(String, String)]) -> Report {
    check(files, &Options::new(jiff::civil::date(2025, 6, 1)))
}

/// Runs `check` over one `main.tf` in directory `module/`.
fn run_one(source: &str) -> Report {
    run(&[("module/main.tf".to_owned(), source.to_owned())])
}

/// The fixture directory of a rule.
fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/terraform")
}

/// The `.tf` files of a fixture module, as `(path, contents)` with paths relative to the
/// fixtures directory (`s3-versioning/fail/main.tf`), in name order.
fn module(case: &str) -> Vec<(String, String)> {
    let files = tf_files(&fixtures(), case);
    assert!(!files.is_empty(), "{case}: no .tf file");
    files
}

/// The `.tf` files below `root/dir`, its subdirectories included, with paths relative to `root`,
/// in path order.
fn tf_files(root: &Path, dir: &str) -> Vec<(String, String)> {
    let at = root.join(dir);
    let mut files = Vec::new();
    for entry in fs::read_dir(&at).unwrap_or_else(|err| panic!("{}: {err}", at.display())) {
        let path = entry.expect("directory entry").path();
        let name = format!("{dir}/{}", path.file_name().expect("file name").to_string_lossy());
        if path.is_dir() {
            files.extend(tf_files(root, &name));
        } else if path.extension().is_some_and(|ext| ext == "tf") {
            let text = fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
            files.push((name, text));
        }
    }
    files.sort();
    files
}

/// The `(rule, path, line)` triples the `# expect:` comments of `files` announce.
fn expected(files: &[(String, String)]) -> BTreeSet<(String, String, usize)> {
    files
        .iter()
        .flat_map(|(path, text)| expect::expected(text).into_iter().map(|(rule, line)| (rule, path.clone(), line)))
        .collect()
}

/// The `(rule, path, line)` of every finding of `rule` in `report`.
fn found(report: &Report, rule: &str) -> BTreeSet<(String, String, usize)> {
    report.findings.iter().filter(|f| f.rule == rule).map(|f| (f.rule.to_owned(), f.path.clone(), f.line)).collect()
}

/// Every finding of `report`, one line each, for failure messages.
fn listing(report: &Report) -> String {
    report
        .findings
        .iter()
        .map(|f| format!("  {}:{} {} {}", f.path, f.line, f.rule, f.message))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_rule_fails_its_failing_module_exactly_and_passes_its_passing_one() {
    let mut failures = Vec::new();
    for rule in RULES {
        let id = rule.doc.id;
        let fail = module(&format!("{}/fail", rule.doc.name));
        let want = expected(&fail);
        if want.is_empty() || want.iter().any(|(rule, _, _)| rule != id) {
            failures.push(format!("{id}: fail/ must expect findings of {id} and of no other rule: {want:?}"));
        }
        let report = run(&fail);
        if !report.errors.is_empty() {
            failures.push(format!("{id}: fail/ does not parse: {:?}", report.errors));
        }
        let got = found(&report, id);
        if got != want {
            failures.push(format!(
                "{id}: fail/ expected {:?}, found {:?}\n{}",
                want.iter().map(|w| (&w.1, w.2)).collect::<Vec<_>>(),
                got.iter().map(|g| (&g.1, g.2)).collect::<Vec<_>>(),
                listing(&report)
            ));
        }
        for finding in report.findings.iter().filter(|f| f.rule == id) {
            if finding.object.is_empty() || !finding.message.starts_with(&finding.object) {
                failures.push(format!("{id}: a finding does not name its resource: {finding:?}"));
            }
        }

        let pass = module(&format!("{}/pass", rule.doc.name));
        assert!(expected(&pass).is_empty(), "{id}: pass/ has `# expect:` markers");
        let report = run(&pass);
        if !report.errors.is_empty() {
            failures.push(format!("{id}: pass/ does not parse: {:?}", report.errors));
        }
        for f in report.findings.iter().filter(|f| f.rule == id) {
            failures.push(format!("{id}: pass/ {}:{}: {}", f.path, f.line, f.message));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_fixture_belongs_to_a_rule() {
    let names: BTreeSet<&str> = RULES.iter().map(|rule| rule.doc.name).collect();
    for entry in fs::read_dir(fixtures()).expect("fixtures") {
        let name = entry.expect("directory entry").file_name().to_string_lossy().into_owned();
        assert!(names.contains(name.as_str()) || name == "hardened", "terraform/{name}: a fixture without a rule");
    }
}

#[test]
fn the_catalogue_is_complete_and_documented() {
    assert_eq!(RULES.len(), 32, "the AWS checks of policy-anchors.md §2b");
    let mut names = BTreeSet::new();
    for (idx, rule) in RULES.iter().enumerate() {
        let doc = &rule.doc;
        assert_eq!(doc.id, format!("PL-TF-{:03}", idx + 1), "ids are unique and sequential");
        assert_eq!(doc.target, Target::Terraform, "{}", doc.id);
        assert!(names.insert(doc.name), "{}: duplicate name {}", doc.id, doc.name);
        assert!(
            doc.name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{}: kebab-case name",
            doc.id
        );
        assert!(!doc.summary.is_empty() && !doc.summary.ends_with('.'), "{}: one-line summary", doc.id);
        assert!(!doc.equivalents.is_empty(), "{}: at least one equivalent", doc.id);
        for equivalent in doc.equivalents {
            let (tool, id) = equivalent.split_once(':').unwrap_or_default();
            assert!(["checkov", "trivy"].contains(&tool) && !id.is_empty(), "{}: equivalent {equivalent}", doc.id);
        }
        assert!(doc.equivalents.iter().any(|e| e.starts_with("checkov:")), "{}: a Checkov equivalent", doc.id);
        let what = doc.doc.split("## Why").next().unwrap_or_default();
        assert!(!what.trim().is_empty(), "{}: the doc starts with what the rule requires", doc.id);
        let mut at = 0;
        for heading in ["## Why\n", "## Fix\n", "```hcl\n", "## References\n"] {
            let found = doc.doc[at..].find(heading).unwrap_or_else(|| panic!("{}: no {heading:?} in order", doc.id));
            at += found + heading.len();
        }
    }
    // A Checkov check maps to one plinth rule, so `#checkov:skip` silences exactly that rule.
    let mut checkov = BTreeSet::new();
    for rule in RULES {
        for equivalent in rule.doc.equivalents.iter().filter(|e| e.starts_with("checkov:")) {
            assert!(checkov.insert(*equivalent), "{equivalent} is listed by two rules");
        }
    }
}

#[test]
fn a_hardened_module_passes_every_rule() {
    let report = run(&module("hardened"));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(report.findings.is_empty(), "{}", listing(&report));
    // Its log bucket does not log itself, and says why.
    let suppressed: Vec<(&str, &str, usize)> =
        report.suppressed.iter().map(|s| (s.finding.rule, s.finding.object.as_str(), s.finding.line)).collect();
    assert_eq!(suppressed, [("PL-TF-004", "aws_s3_bucket.logs", 44)]);
}

/// A bucket carrying `comment` as the second line of its block, with versioning suspended in a
/// separate resource after it (its `status` on line 9 of the same file).
fn bucket_with_comment(comment: &str) -> Vec<(String, String)> {
    let source =
        format!("resource \"aws_s3_bucket\" \"data\" {{\n  {comment}\n  bucket = \"data\"\n}}\n\n{VERSIONING}");
    vec![("module/main.tf".to_owned(), source)]
}

/// The bucket's suspended versioning, as a separate resource (`status` on its line 4).
const VERSIONING: &str = "resource \"aws_s3_bucket_versioning\" \"data\" {\n  bucket = aws_s3_bucket.data.id\n  \
                          versioning_configuration {\n    status = \"Suspended\"\n  }\n}\n";

/// The same, with the versioning resource in another file of the module.
fn bucket_with_comment_split(comment: &str) -> Vec<(String, String)> {
    let bucket = format!("resource \"aws_s3_bucket\" \"data\" {{\n  {comment}\n  bucket = \"data\"\n}}\n");
    vec![("module/main.tf".to_owned(), bucket), ("module/versioning.tf".to_owned(), VERSIONING.to_owned())]
}

/// The `(rule, reason, path, line)` of what `report` suppressed.
fn suppressed(report: &Report) -> Vec<(&str, &str, &str, usize)> {
    report
        .suppressed
        .iter()
        .map(|s| (s.finding.rule, s.reason.as_str(), s.finding.path.as_str(), s.finding.line))
        .collect()
}

#[test]
fn without_a_suppression_the_finding_is_at_the_status_wherever_it_is_written() {
    let report = run(&bucket_with_comment("# versioned below"));
    assert_eq!(found(&report, "PL-TF-002"), BTreeSet::from([("PL-TF-002".to_owned(), "module/main.tf".to_owned(), 9)]));
    assert!(report.suppressed.is_empty());
    let report = run(&bucket_with_comment_split("# versioned in versioning.tf"));
    assert_eq!(
        found(&report, "PL-TF-002"),
        BTreeSet::from([("PL-TF-002".to_owned(), "module/versioning.tf".to_owned(), 4)])
    );
}

#[test]
fn a_checkov_skip_in_the_bucket_silences_its_plinth_rule_with_the_reason() {
    let report = run(&bucket_with_comment("#checkov:skip=CKV_AWS_21:replicated elsewhere"));
    assert!(found(&report, "PL-TF-002").is_empty(), "{}", listing(&report));
    assert!(found(&report, WITHOUT_REASON).is_empty(), "{}", listing(&report));
    // The finding is outside the bucket's lines (at the versioning resource's status) but about
    // the bucket, whose block carries the skip.
    assert_eq!(suppressed(&report), [("PL-TF-002", "replicated elsewhere", "module/main.tf", 9)]);
    // Only the rule with that Checkov equivalent: the bucket's other findings remain.
    for other in ["PL-TF-001", "PL-TF-003", "PL-TF-004"] {
        assert_eq!(found(&report, other).len(), 1, "{other}\n{}", listing(&report));
    }
}

/// `Scope::Block` promises to cover findings about the resource in other files of the directory,
/// but each file's findings are matched only against that file's own suppressions
/// (`Checked::finish`), so a skip in the bucket's file does not reach a finding located in the
/// file of its separate `aws_s3_bucket_versioning`.
#[test]
fn a_checkov_skip_in_the_bucket_silences_findings_about_it_in_other_files() {
    let report = run(&bucket_with_comment_split("#checkov:skip=CKV_AWS_21:replicated elsewhere"));
    assert!(found(&report, "PL-TF-002").is_empty(), "{}", listing(&report));
    assert_eq!(suppressed(&report), [("PL-TF-002", "replicated elsewhere", "module/versioning.tf", 4)]);
}

#[test]
fn a_checkov_skip_without_a_reason_still_applies_and_is_a_finding() {
    for comment in ["#checkov:skip=CKV_AWS_21", "# checkov:skip=CKV_AWS_21:"] {
        let report = run(&bucket_with_comment(comment));
        assert!(found(&report, "PL-TF-002").is_empty(), "{comment}\n{}", listing(&report));
        assert_eq!(report.suppressed.len(), 1, "{comment}");
        assert_eq!(report.suppressed[0].reason, "", "{comment}");
        let reasonless: Vec<(&str, usize)> =
            report.findings.iter().filter(|f| f.rule == WITHOUT_REASON).map(|f| (f.path.as_str(), f.line)).collect();
        assert_eq!(reasonless, [("module/main.tf", 2)], "{comment}\n{}", listing(&report));
    }
}

#[test]
fn checkov_skips_of_other_checks_silence_nothing() {
    // CKV_AWS_18 is access logging's; CKV_AWS_999 is no plinth rule's and is left alone.
    for comment in ["#checkov:skip=CKV_AWS_18:logged by CloudTrail", "#checkov:skip=CKV_AWS_999:not ours"] {
        let report = run(&bucket_with_comment(comment));
        assert_eq!(found(&report, "PL-TF-002").len(), 1, "{comment}\n{}", listing(&report));
        assert!(found(&report, WITHOUT_REASON).is_empty(), "{comment}");
    }
    let report = run(&bucket_with_comment("#checkov:skip=CKV_AWS_18:logged by CloudTrail"));
    assert!(found(&report, "PL-TF-004").is_empty());
    assert_eq!(report.suppressed.iter().map(|s| s.finding.rule).collect::<Vec<_>>(), ["PL-TF-004"]);
}

#[test]
fn a_plinth_ignore_inside_a_resource_block_covers_the_whole_block() {
    // The finding is on the block's first line, the comment three lines below it: a line-scoped
    // comment would not reach it; inside a resource block it covers the block.
    let source = r#"resource "aws_kms_key" "legacy" {
  description = "legacy"

  # plinth:ignore PL-TF-016 reason="imported key, rotated by hand"
  deletion_window_in_days = 30
}

resource "aws_kms_key" "other" {
  description = "other"
}
"#;
    let report = run_one(source);
    assert_eq!(found(&report, "PL-TF-016"), BTreeSet::from([("PL-TF-016".to_owned(), "module/main.tf".to_owned(), 8)]));
    let suppressed: Vec<(&str, usize, &str)> =
        report.suppressed.iter().map(|s| (s.finding.rule, s.finding.line, s.reason.as_str())).collect();
    assert_eq!(suppressed, [("PL-TF-016", 1, "imported key, rotated by hand")]);
    assert!(found(&report, WITHOUT_REASON).is_empty());
}

#[test]
fn a_plinth_ignore_in_a_bucket_covers_findings_about_it_outside_its_lines() {
    let report = run(&bucket_with_comment("# plinth:ignore PL-TF-002 reason=\"backups cover it\""));
    assert!(found(&report, "PL-TF-002").is_empty(), "{}", listing(&report));
    assert_eq!(suppressed(&report), [("PL-TF-002", "backups cover it", "module/main.tf", 9)]);
}

#[test]
fn a_plinth_ignore_without_a_reason_is_a_finding() {
    let source = "resource \"aws_ecr_repository\" \"app\" {\n  # plinth:ignore PL-TF-020\n  name = \"app\"\n  \
                  image_scanning_configuration {\n    scan_on_push = true\n  }\n}\n";
    let report = run_one(source);
    assert!(found(&report, "PL-TF-020").is_empty(), "{}", listing(&report));
    assert_eq!(
        found(&report, WITHOUT_REASON),
        BTreeSet::from([(WITHOUT_REASON.to_owned(), "module/main.tf".to_owned(), 2)])
    );
}

#[test]
fn values_that_are_not_literals_pass() {
    let source = r#"locals {
  on = true
}

resource "aws_db_instance" "main" {
  engine                              = "postgres"
  instance_class                      = "db.t4g.micro"
  storage_encrypted                   = var.encrypted
  publicly_accessible                 = var.public
  backup_retention_period             = var.retention
  deletion_protection                 = local.on
  multi_az                            = var.environment == "prod"
  iam_database_authentication_enabled = !var.legacy
}

resource "aws_kms_key" "main" {
  enable_key_rotation = coalesce(var.rotate, true)
}

resource "aws_ecr_repository" "main" {
  name                 = "main"
  image_tag_mutability = "${var.mutability}"
  image_scanning_configuration {
    scan_on_push = var.scan
  }
}
"#;
    let report = run_one(source);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(report.findings.is_empty(), "{}", listing(&report));
    // The same attributes set to bad literals are all reported.
    let literal = source
        .replace("var.encrypted", "false")
        .replace("var.public", "true")
        .replace("var.retention", "0")
        .replace("local.on", "false")
        .replace("var.environment == \"prod\"", "false")
        .replace("!var.legacy", "false")
        .replace("coalesce(var.rotate, true)", "false")
        .replace("\"${var.mutability}\"", "\"MUTABLE\"")
        .replace("var.scan", "false");
    let report = run_one(&literal);
    let rules: BTreeSet<&str> = report.findings.iter().map(|f| f.rule).collect();
    let want = [
        "PL-TF-005",
        "PL-TF-006",
        "PL-TF-007",
        "PL-TF-008",
        "PL-TF-009",
        "PL-TF-010",
        "PL-TF-016",
        "PL-TF-019",
        "PL-TF-020",
    ];
    assert_eq!(rules, BTreeSet::from(want), "{}", listing(&report));
}

#[test]
fn separate_directories_are_separate_modules() {
    // A versioning resource in another directory is another module's: it does not count.
    let files = [
        ("a/main.tf".to_owned(), "resource \"aws_s3_bucket\" \"data\" {\n  bucket = \"data\"\n}\n".to_owned()),
        (
            "b/main.tf".to_owned(),
            "resource \"aws_s3_bucket_versioning\" \"data\" {\n  bucket = aws_s3_bucket.data.id\n  \
             versioning_configuration {\n    status = \"Enabled\"\n  }\n}\n"
                .to_owned(),
        ),
    ];
    let report = run(&files);
    assert_eq!(found(&report, "PL-TF-002"), BTreeSet::from([("PL-TF-002".to_owned(), "a/main.tf".to_owned(), 1)]));
}

#[test]
fn a_disabled_rule_reports_nothing() {
    let mut options = Options::new(jiff::civil::date(2025, 6, 1));
    options.config = plinth_policy::Config::parse(".plinth-check.yaml", "disable: [PL-TF-016]\n").expect("config");
    let report = check(&[("m/main.tf".to_owned(), "resource \"aws_kms_key\" \"k\" {}\n".to_owned())], &options);
    assert!(report.findings.iter().all(|f| f.rule != "PL-TF-016"), "{}", listing(&report));
}

#[test]
fn a_syntax_error_is_an_input_error() {
    let report = run_one("resource \"aws_s3_bucket\" \"data\" {\n  bucket = \n}\n");
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    assert_eq!(report.errors[0].path, "module/main.tf");
    assert!(report.findings.is_empty(), "{}", listing(&report));
}

#[test]
fn literal_module_arguments_are_checked_in_place_of_the_inputs_at_the_call() {
    let files = tf_files(&fixtures().join(".."), "module-inputs");
    let report = run(&files);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let got: BTreeSet<(String, String, usize)> =
        report.findings.iter().map(|f| (f.rule.to_owned(), f.path.clone(), f.line)).collect();
    assert_eq!(got, expected(&files), "{}", listing(&report));
    let multi_az = report.findings.iter().find(|f| f.rule == "PL-TF-009").expect("PL-TF-009");
    assert_eq!(
        multi_az.message,
        "module.rds (modules/rds aws_db_instance.this) runs in a single availability zone (multi_az = false passed here)"
    );
    assert_eq!(multi_az.object, "module.rds");
    // A `# plinth:ignore` in the module block, and a `#checkov:skip` of the equivalent check.
    let staging = "module-inputs/envs/staging/main.tf";
    assert_eq!(
        suppressed(&report),
        [
            ("PL-TF-008", "staging is recreated nightly", staging, 6),
            ("PL-TF-009", "a single zone is enough for the load tests", staging, 16),
        ]
    );
    // The module alone passes: its settings are unknown there.
    let alone: Vec<_> = files.into_iter().filter(|(path, _)| path.contains("/modules/")).collect();
    let report = run(&alone);
    assert!(report.findings.is_empty() && report.suppressed.is_empty(), "{}", listing(&report));
}

#[test]
fn a_suppression_in_the_module_resource_covers_its_calls() {
    let module = "resource \"aws_db_instance\" \"this\" {\n  #checkov:skip=CKV_AWS_157:staging runs one zone\n  \
                  multi_az = var.multi_az\n}\n";
    let root = "module \"db\" {\n  source   = \"../modules/db\"\n  multi_az = false\n}\n";
    let files = [("t/modules/db/main.tf".to_owned(), module.to_owned()), ("t/env/main.tf".to_owned(), root.to_owned())];
    let report = run(&files);
    assert!(found(&report, "PL-TF-009").is_empty(), "{}", listing(&report));
    assert_eq!(suppressed(&report), [("PL-TF-009", "staging runs one zone", "t/env/main.tf", 3)]);
}
