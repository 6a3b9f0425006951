//! `plinth check` end to end: suppressions in every form, the config file, baselines, input
//! errors that do not stop the run, malformed inputs, SARIF against its schema, exit codes, output
//! snapshots, Kubernetes rules over the files of one directory, and plinth's own renders passing
//! their own rules.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn plinth(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_plinth")).args(args).current_dir(dir).env("NO_COLOR", "1").output().unwrap()
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/check")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `plinth check --output json` with `args` in `dir`: the exit code and the report.
fn json(args: &[&str], dir: &Path) -> (i32, Value) {
    let mut all = vec!["check", "--output", "json"];
    all.extend_from_slice(args);
    let output = plinth(&all, dir);
    let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|_| panic!("{}", text(&output.stderr)));
    (output.status.code().unwrap(), report)
}

/// `rule@line` of every finding.
fn findings(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{}@{}", f["rule"].as_str().unwrap(), f["line"]))
        .collect()
}

/// A directory holding `files`.
fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, contents) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }
    dir
}

/// A spec whose production environment runs one replica of `api` (PL-SPEC-001 on line 9).
const SPEC: &str = "plinth: 1\nname: shop\ncloud: { provider: aws, region: us-east-1 }\n\
                    domains: { main: shop.example.com }\nservices:\n  api:\n    image: ghcr.io/acme/api\n    port: 8080\n\
                    \x20   replicas: 1\nenvironments:\n  production: {}\n";

#[test]
fn mixed_directory_output_snapshots() {
    let output = plinth(&["check", "mixed"], &fixtures());
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let human = text(&output.stdout);
    // The summary ends with the run time.
    let human = human.rsplit_once(" (").map_or(human.clone(), |(before, _)| format!("{before} (… ms)\n"));
    insta::assert_snapshot!("mixed_human", human);
    let (code, report) = json(&["mixed"], &fixtures());
    assert_eq!(code, 1);
    insta::assert_snapshot!("mixed_json", serde_json::to_string_pretty(&report).unwrap());
}

#[test]
fn inline_suppressions_need_a_reason_and_expire() {
    let dir = project(&[("plinth.yaml", SPEC)]);
    let (code, report) = json(&["plinth.yaml"], dir.path());
    assert_eq!((code, findings(&report)), (1, vec!["PL-SPEC-001@9".to_owned()]));

    let spec = |comment: &str| SPEC.replace("replicas: 1\n", &format!("replicas: 1  {comment}\n"));
    let reasoned = spec("# plinth:ignore PL-SPEC-001 reason=\"one pod until launch\" until=2999-01-01");
    std::fs::write(dir.path().join("plinth.yaml"), reasoned).unwrap();
    let (code, report) = json(&["plinth.yaml"], dir.path());
    assert_eq!((code, findings(&report)), (0, vec![]));
    assert_eq!(report["suppressed"][0]["reason"], "one pod until launch");

    // On the line above works too; without a reason it still suppresses but is a finding.
    let above = SPEC.replace("    replicas: 1\n", "    # plinth:ignore PL-SPEC-001\n    replicas: 1\n");
    std::fs::write(dir.path().join("plinth.yaml"), above).unwrap();
    let (code, report) = json(&["plinth.yaml"], dir.path());
    assert_eq!((code, findings(&report)), (1, vec!["PL-SUPPRESS-001@9".to_owned()]));
    assert_eq!(report["suppressed"].as_array().unwrap().len(), 1);

    let expired = spec("# plinth:ignore PL-SPEC-001 reason=\"launch\" until=2020-01-01");
    std::fs::write(dir.path().join("plinth.yaml"), expired).unwrap();
    let (code, report) = json(&["plinth.yaml"], dir.path());
    assert_eq!((code, findings(&report)), (1, vec!["PL-SPEC-001@9".to_owned(), "PL-SUPPRESS-002@9".to_owned()]));

    let malformed = spec("# plinth:ignore PL-SPEC-001 reason=\"launch\" until=someday");
    std::fs::write(dir.path().join("plinth.yaml"), malformed).unwrap();
    let (_, report) = json(&["plinth.yaml"], dir.path());
    assert_eq!(findings(&report), ["PL-SUPPRESS-001@9"]);
    assert!(report["findings"][0]["message"].as_str().unwrap().contains("not a YYYY-MM-DD date"));
}

#[test]
fn annotations_suppress_an_objects_findings() {
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations: {}\nspec:\n  \
                      template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:latest\n          \
                      securityContext: { runAsUser: 0, privileged: true }\n";
    let dir = project(&[("deploy.yaml", deployment)]);
    let (_, bare) = json(&["deploy.yaml"], dir.path());
    let mut rules: Vec<String> =
        bare["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap().to_owned()).collect();
    rules.dedup();
    let count = rules.len();
    let rules = if rules.is_empty() { "PL-K8S-001".to_owned() } else { rules.join(",") };

    let annotated = |extra: &str| {
        deployment.replace("annotations: {}", &format!("annotations:\n    plinth.dev/ignore: \"{rules}\"{extra}"))
    };
    std::fs::write(dir.path().join("deploy.yaml"), annotated("\n    plinth.dev/ignore-reason: legacy image")).unwrap();
    let (code, report) = json(&["deploy.yaml"], dir.path());
    assert_eq!((code, findings(&report)), (0, vec![]));
    assert!(report["suppressed"].as_array().unwrap().len() >= count);

    std::fs::write(dir.path().join("deploy.yaml"), annotated("")).unwrap();
    let (_, report) = json(&["deploy.yaml"], dir.path());
    assert_eq!(findings(&report), ["PL-SUPPRESS-001@6"]);

    let expired = annotated("\n    plinth.dev/ignore-reason: legacy\n    plinth.dev/ignore-until: \"2020-01-01\"");
    std::fs::write(dir.path().join("deploy.yaml"), expired).unwrap();
    let (_, report) = json(&["deploy.yaml"], dir.path());
    assert!(findings(&report).contains(&"PL-SUPPRESS-002@6".to_owned()));
    assert_eq!(report["findings"].as_array().unwrap().len(), 1 + bare["findings"].as_array().unwrap().len());
}

#[test]
fn config_file_ignores_by_path_disables_rules_and_sets_fail_on() {
    let spec = SPEC.replace("production: {}", "production: {}\nsecurity: { network_policy: none }");
    let config = "fail_on: error\ndisable: [PL-SPEC-006]\nignore:\n  - rule: PL-SPEC-001\n    paths: [\"**/plinth.yaml\"]\n    reason: launch\n";
    let dir = project(&[("app/plinth.yaml", &spec), (".plinth-check.yaml", config)]);
    let (code, report) = json(&["app"], dir.path());
    assert_eq!((code, findings(&report)), (0, vec![]));
    assert_eq!(report["suppressed"][0]["finding"]["rule"], "PL-SPEC-001");

    let reasonless = "ignore:\n  - rule: PL-SPEC-001\n    paths: [\"other/**\"]\n";
    std::fs::write(dir.path().join("other.yaml"), reasonless).unwrap();
    let (code, report) = json(&["app", "--config", "other.yaml"], dir.path());
    assert_eq!(
        (code, findings(&report)),
        (1, vec!["PL-SPEC-001@9".to_owned(), "PL-SPEC-006@12".to_owned(), "PL-SUPPRESS-001@2".to_owned()])
    );

    std::fs::write(dir.path().join(".plinth-check.yaml"), "ignore:\n  - rule: PL-NOPE\n").unwrap();
    let output = plinth(&["check", "app"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains(".plinth-check.yaml:2:11: unknown rule `PL-NOPE`"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn baseline_reports_only_new_findings_and_ignores_line_shifts() {
    let dir = project(&[("plinth.yaml", SPEC)]);
    let output = plinth(&["check", "plinth.yaml", "--write-baseline", "baseline.json"], dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let (code, report) = json(&["plinth.yaml", "--baseline", "baseline.json"], dir.path());
    assert_eq!((code, findings(&report), report["baselined"].as_u64()), (0, vec![], Some(1)));

    let shifted = format!("# a comment\n# another\n{SPEC}security: {{ network_policy: none }}\n");
    std::fs::write(dir.path().join("plinth.yaml"), shifted).unwrap();
    let (code, report) = json(&["plinth.yaml", "--baseline", "baseline.json"], dir.path());
    assert_eq!((code, findings(&report)), (1, vec!["PL-SPEC-006@14".to_owned()]));

    std::fs::write(dir.path().join("broken.json"), "{").unwrap();
    let output = plinth(&["check", "plinth.yaml", "--baseline", "broken.json"], dir.path());
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn parse_errors_are_located_and_other_files_still_checked() {
    let dir =
        project(&[("a/broken.yaml", "kind: Service\nmetadata:\n  name: x\n   bad: 1\n"), ("b/plinth.yaml", SPEC)]);
    let (code, report) = json(&["."], dir.path());
    assert_eq!(code, 2);
    assert_eq!(report["errors"][0]["path"], "a/broken.yaml");
    assert_eq!((report["errors"][0]["line"].as_u64(), report["errors"][0]["column"].as_u64()), (Some(4), Some(7)));
    assert_eq!(findings(&report), ["PL-SPEC-001@9"]);
    let output = plinth(&["check", "."], dir.path());
    assert!(text(&output.stdout).contains("error[input]: a/broken.yaml: invalid YAML"), "{}", text(&output.stdout));
}

#[test]
fn binary_huge_and_deeply_nested_inputs_are_clear_errors() {
    let dir = project(&[
        ("nested.yaml", &"[".repeat(10_000)),
        ("balanced.json", &format!("{}{}", "[".repeat(10_000), "]".repeat(10_000))),
        ("block.yaml", &(0..2_000).map(|depth| format!("{}k:\n", " ".repeat(depth))).collect::<String>()),
    ]);
    std::fs::write(dir.path().join("image.yaml"), [0x89, b'P', b'N', b'G', 0, 0xff, 0xfe]).unwrap();
    std::fs::write(dir.path().join("nul.yaml"), "a: 1\n\0\n").unwrap();
    std::fs::write(dir.path().join("huge.yaml"), "a: b\n".repeat((21 << 20) / 5 + 1)).unwrap();
    let started = std::time::Instant::now();
    let (code, report) = json(&["."], dir.path());
    assert!(started.elapsed().as_secs() < 20, "took {:?}", started.elapsed());
    assert_eq!(code, 2);
    let errors: Vec<String> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{}: {}", e["path"].as_str().unwrap(), e["message"].as_str().unwrap()))
        .collect();
    assert_eq!(errors.len(), 6, "{errors:#?}");
    assert!(errors[0].starts_with("balanced.json: invalid YAML"), "{errors:#?}");
    assert!(errors[1].starts_with("block.yaml: the document nests mappings and sequences deeper than"), "{errors:#?}");
    assert!(errors[2].contains("huge.yaml: file is 22 MB, over the 20 MB limit"), "{errors:#?}");
    assert!(errors[3].starts_with("image.yaml: binary file"), "{errors:#?}");
    assert!(errors[4].starts_with("nested.yaml: invalid YAML"), "{errors:#?}");
    assert!(errors[5].starts_with("nul.yaml: binary file"), "{errors:#?}");
}

#[test]
fn sarif_output_validates_against_the_schema() {
    let output = plinth(&["check", "mixed", "--output", "sarif"], &fixtures());
    assert_eq!(output.status.code(), Some(1));
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    let schema_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/schemas/sarif/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::options().with_draft(jsonschema::Draft::Draft4).build(&schema).unwrap();
    let errors: Vec<String> =
        validator.iter_errors(&sarif).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let run = &sarif["runs"][0];
    let result = &run["results"][0];
    assert_eq!(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "mixed/.github/workflows/ci.yml");
    assert!(result["partialFingerprints"]["plinth/v1"].is_string());
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let index = result["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[index]["id"], result["ruleId"]);
    assert!(rules.iter().all(|r| r.get("helpUri").is_none() && r["help"]["markdown"].is_string()));
    assert!(rules.iter().all(|r| r["help"]["text"].as_str().is_some_and(|text| !text.contains("```"))));
    assert!(rules.iter().all(|r| r["fullDescription"]["text"].as_str().is_some_and(|text| !text.is_empty())));
}

#[test]
fn exit_codes_and_fail_on() {
    let dir = project(&[("plinth.yaml", SPEC), ("notes.yaml", "just: data\n")]);
    assert_eq!(plinth(&["check", "notes.yaml"], dir.path()).status.code(), Some(0));
    assert_eq!(plinth(&["check"], dir.path()).status.code(), Some(1));
    assert_eq!(plinth(&["check", "--fail-on", "error"], dir.path()).status.code(), Some(0));
    assert_eq!(plinth(&["check", "--output", "xml"], dir.path()).status.code(), Some(2));
    assert_eq!(plinth(&["check", "missing/"], dir.path()).status.code(), Some(2));
    let empty = tempfile::tempdir().unwrap();
    let output = plinth(&["check"], empty.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("no plinth.yaml here"));
}

#[test]
fn list_rules_and_explain() {
    let output = plinth(&["check", "--list-rules"], &fixtures());
    let list = text(&output.stdout);
    assert!(list.starts_with("ID "), "{list}");
    assert!(
        list.lines().any(|l| l.starts_with("PL-SPEC-003 ") && l.contains("error") && l.contains("backups-meet-rpo"))
    );
    // Every Kubernetes rule, those over one object and those over several (PL-K8S-029).
    let kubernetes: Vec<&str> =
        list.lines().filter(|l| l.starts_with("PL-K8S-")).filter_map(|l| l.split_whitespace().next()).collect();
    let all: Vec<String> = (1..=42).map(|n| format!("PL-K8S-{n:03}")).collect();
    assert_eq!(kubernetes, all);
    assert!(list.lines().any(|l| l.starts_with("PL-K8S-029 ") && l.contains("pod-disruption-budget")), "{list}");
    let output = plinth(&["check", "--explain", "pl-spec-003"], &fixtures());
    assert_eq!(output.status.code(), Some(0));
    assert!(text(&output.stdout).contains("## Fix"));
    let output = plinth(&["check", "--explain", "PL-SPEC-03"], &fixtures());
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("did you mean"));
}

/// `rule@path:line` of the findings of `rules`.
fn located(report: &Value, list: &str, rules: &[&str]) -> Vec<String> {
    report[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| if list == "suppressed" { &f["finding"] } else { f })
        .filter(|f| rules.contains(&f["rule"].as_str().unwrap()))
        .map(|f| format!("{}@{}:{}", f["rule"].as_str().unwrap(), f["path"].as_str().unwrap(), f["line"]))
        .collect()
}

/// A Deployment of two replicas whose image leaves its tag to a kustomization (PL-K8S-029 on line
/// 4, PL-K8S-025 on line 16).
const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n  \
                          annotations: {}\nspec:\n  replicas: 2\n  selector: { matchLabels: { app: web } }\n  \
                          template:\n    metadata: { labels: { app: web } }\n    spec:\n      containers:\n        \
                          - name: web\n          # the tag comes from kustomization.yaml\n          image: ghcr.io/acme/web\n";

/// A budget for the Deployment's pods.
const BUDGET: &str = "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: { name: web, namespace: shop }\n\
                      spec:\n  maxUnavailable: 1\n  selector: { matchLabels: { app: web } }\n";

/// The kustomization that tags the Deployment's image.
const KUSTOMIZATION: &str = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n\
                             resources: [deploy.yaml, pdb.yaml]\nimages:\n  - name: ghcr.io/acme/web\n    newTag: \"1.4.2\"\n";

#[test]
fn kubernetes_rules_over_several_objects_see_every_file_of_a_directory() {
    const SET: &[&str] = &["PL-K8S-025", "PL-K8S-029"];
    // The budget and the kustomization in another directory do not count.
    let dir = project(&[
        ("k8s/deploy.yaml", DEPLOYMENT),
        ("other/pdb.yaml", BUDGET),
        ("other/kustomization.yaml", KUSTOMIZATION),
    ]);
    let (code, report) = json(&["."], dir.path());
    assert_eq!(code, 1);
    assert_eq!(located(&report, "findings", SET), ["PL-K8S-029@k8s/deploy.yaml:4", "PL-K8S-025@k8s/deploy.yaml:16"]);

    // Beside the Deployment, the budget covers its pods and the kustomization tags its image,
    // whether the directory is walked or its files are given.
    std::fs::rename(dir.path().join("other/pdb.yaml"), dir.path().join("k8s/pdb.yaml")).unwrap();
    std::fs::rename(dir.path().join("other/kustomization.yaml"), dir.path().join("k8s/kustomization.yaml")).unwrap();
    let (_, report) = json(&["k8s"], dir.path());
    assert_eq!(located(&report, "findings", SET), Vec::<String>::new());
    let (_, report) = json(&["k8s/deploy.yaml", "k8s/pdb.yaml", "k8s/kustomization.yaml"], dir.path());
    assert_eq!(located(&report, "findings", SET), Vec::<String>::new());

    // A file given alone is checked alone.
    let (_, report) = json(&["k8s/deploy.yaml"], dir.path());
    assert_eq!(located(&report, "findings", SET), ["PL-K8S-029@k8s/deploy.yaml:4", "PL-K8S-025@k8s/deploy.yaml:16"]);

    // Their findings are suppressed like any other: by annotation, inline comment and baseline.
    let annotated = DEPLOYMENT.replace(
        "annotations: {}",
        "annotations:\n    plinth.dev/ignore: PL-K8S-029\n    plinth.dev/ignore-reason: one replica may go",
    );
    let commented = annotated.replace("# the tag", "# plinth:ignore PL-K8S-025 reason=\"tagged at deploy\" — the tag");
    std::fs::write(dir.path().join("k8s/deploy.yaml"), &commented).unwrap();
    let (_, report) = json(&["k8s/deploy.yaml"], dir.path());
    assert_eq!(located(&report, "findings", SET), Vec::<String>::new());
    assert_eq!(located(&report, "suppressed", SET), ["PL-K8S-029@k8s/deploy.yaml:4", "PL-K8S-025@k8s/deploy.yaml:18"]);
    let reasons: Vec<&str> =
        report["suppressed"].as_array().unwrap().iter().map(|s| s["reason"].as_str().unwrap()).collect();
    assert!(reasons.contains(&"one replica may go") && reasons.contains(&"tagged at deploy"), "{reasons:?}");

    std::fs::write(dir.path().join("k8s/deploy.yaml"), DEPLOYMENT).unwrap();
    let output = plinth(&["check", "k8s/deploy.yaml", "--write-baseline", "baseline.json"], dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let (_, report) = json(&["k8s/deploy.yaml", "--baseline", "baseline.json"], dir.path());
    assert_eq!(located(&report, "findings", SET), Vec::<String>::new());
    assert!(report["baselined"].as_u64().unwrap() >= 2);
}

#[test]
fn a_kustomization_without_api_version_or_kind_is_checked_as_one() {
    // kustomize reads `kustomization.yaml` (or `.yml`, or `Kustomization`) by name; its apiVersion
    // and kind are optional. Such a file is checked, not skipped, and its `images:` still tag.
    let bare = KUSTOMIZATION.replace("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n", "");
    for name in ["kustomization.yaml", "kustomization.yml", "Kustomization"] {
        let dir = project(&[("k8s/deploy.yaml", DEPLOYMENT), (&format!("k8s/{name}"), &bare)]);
        let (_, report) = json(&["k8s"], dir.path());
        assert_eq!((report["files"].as_u64(), report["skipped"].as_u64()), (Some(2), Some(0)), "{name}: {report:#}");
        assert_eq!(located(&report, "findings", &["PL-K8S-025"]), Vec::<String>::new(), "{name}");
        let in_kustomization: Vec<&Value> =
            report["findings"].as_array().unwrap().iter().filter(|f| f["path"] != "k8s/deploy.yaml").collect();
        assert!(in_kustomization.is_empty(), "{name}: {in_kustomization:#?}");
    }
}

/// A compose file whose services have no healthcheck (PL-COMPOSE-007 on lines 2 and 8).
const COMPOSE: &str = "services:\n  exporter:\n    image: oliver006/redis_exporter:v1.62.0\n    labels:\n      \
                       plinth.dev/ignore: \"PL-COMPOSE-007, PL-COMPOSE-012\"\n      \
                       plinth.dev/ignore-reason: the image has no shell to run a check\n      team: core\n  \
                       web:\n    image: nginx:1.27\n    labels: [\"team=core\"]\n";

#[test]
fn compose_labels_suppress_a_services_findings() {
    const HEALTH: &[&str] = &["PL-COMPOSE-007", "PL-SUPPRESS-001", "PL-SUPPRESS-002"];
    let dir = project(&[("docker-compose.yml", COMPOSE)]);
    let (_, report) = json(&["docker-compose.yml"], dir.path());
    assert_eq!(located(&report, "findings", HEALTH), ["PL-COMPOSE-007@docker-compose.yml:8"]);
    assert_eq!(located(&report, "suppressed", HEALTH), ["PL-COMPOSE-007@docker-compose.yml:2"]);
    let suppressed = report["suppressed"].as_array().unwrap();
    assert!(suppressed.iter().all(|s| s["reason"] == "the image has no shell to run a check"), "{suppressed:#?}");
    assert!(suppressed.iter().any(|s| s["finding"]["rule"] == "PL-COMPOSE-012"), "{suppressed:#?}");

    // The KEY=VALUE list form; without a reason it still suppresses but is a finding.
    let listed =
        COMPOSE.replace("labels: [\"team=core\"]", "labels: [\"team=core\", \"plinth.dev/ignore=PL-COMPOSE-007\"]");
    std::fs::write(dir.path().join("docker-compose.yml"), listed).unwrap();
    let (_, report) = json(&["docker-compose.yml"], dir.path());
    assert_eq!(located(&report, "findings", HEALTH), ["PL-SUPPRESS-001@docker-compose.yml:10"]);
    assert_eq!(located(&report, "suppressed", HEALTH).len(), 2);

    // Expired, it no longer applies and is a finding itself.
    let expired = COMPOSE.replace("      team: core\n", "      plinth.dev/ignore-until: \"2020-01-01\"\n");
    std::fs::write(dir.path().join("docker-compose.yml"), expired).unwrap();
    let (_, report) = json(&["docker-compose.yml"], dir.path());
    assert_eq!(
        located(&report, "findings", HEALTH),
        [
            "PL-COMPOSE-007@docker-compose.yml:2",
            "PL-SUPPRESS-002@docker-compose.yml:5",
            "PL-COMPOSE-007@docker-compose.yml:8"
        ]
    );
}

/// Every example's `plinth check` (its spec and a fresh render of every environment: Kubernetes,
/// compose and GitHub Actions files) has no finding at warning or above, and every finding it
/// suppresses says why.
#[test]
fn dockerfiles_are_checked_and_their_comments_suppress() {
    const DOCKER: &[&str] = &["PL-DOCKER-001", "PL-DOCKER-002", "PL-DOCKER-007"];
    let dockerfile = "FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nCMD [\"node\", \"server.js\"]\n";
    let dir = project(&[("Dockerfile", dockerfile)]);
    let (code, report) = json(&["Dockerfile"], dir.path());
    assert_eq!(code, 1);
    assert_eq!(located(&report, "findings", DOCKER), ["PL-DOCKER-001@Dockerfile:1", "PL-DOCKER-007@Dockerfile:1"]);

    let ignored =
        format!("# plinth:ignore PL-DOCKER-007 reason=\"the orchestrator probes /healthz\"\n{dockerfile}USER 10001\n");
    std::fs::write(dir.path().join("Dockerfile"), ignored).unwrap();
    let (code, report) = json(&["Dockerfile"], dir.path());
    assert_eq!(located(&report, "findings", DOCKER), Vec::<String>::new(), "{report:#}");
    assert_eq!(located(&report, "suppressed", DOCKER), ["PL-DOCKER-007@Dockerfile:2"]);
    assert_eq!(report["suppressed"][0]["reason"], "the orchestrator probes /healthz");
    assert_eq!(code, 0, "{report:#}");
}

#[test]
fn plinths_own_renders_pass_its_rules() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut failures = Vec::new();
    let mut rendered = [0; 3];
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&examples).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for example in entries {
        let name = example.file_name().unwrap().to_string_lossy().into_owned();
        // What `plinth render` writes, to make sure the check saw all of it.
        let out = tempfile::tempdir().unwrap();
        let output = plinth(&["render", "--out", out.path().to_str().unwrap()], &example);
        assert_eq!(output.status.code(), Some(0), "{name}: {}", text(&output.stderr));
        let checkable = checkable(out.path());
        for (count, found) in rendered.iter_mut().zip(checkable) {
            *count += found;
        }

        let (_, report) = json(&[], &example);
        assert_eq!(report["errors"], Value::Array(vec![]), "{name}");
        let files = report["files"].as_u64().unwrap() as usize;
        assert!(files > checkable.iter().sum::<usize>(), "{name}: checked {files} files of {checkable:?} rendered");
        let describe = |f: &Value| {
            format!(
                "{name}: {}:{} {} {}",
                f["path"].as_str().unwrap(),
                f["line"],
                f["rule"].as_str().unwrap(),
                f["message"].as_str().unwrap()
            )
        };
        for finding in report["findings"].as_array().unwrap() {
            if finding["severity"] != "info" {
                failures.push(describe(finding));
            }
        }
        for suppressed in report["suppressed"].as_array().unwrap() {
            if suppressed["reason"].as_str().unwrap().trim().is_empty() {
                failures.push(format!("{} (suppressed without a reason)", describe(&suppressed["finding"])));
            }
        }
    }
    assert!(rendered.iter().all(|&n| n > 0), "kubernetes, compose and workflow files rendered: {rendered:?}");
    assert!(failures.is_empty(), "findings at warning or above in plinth's own renders:\n{}", failures.join("\n"));
}

/// How many Kubernetes, compose and GitHub Actions YAML files a render directory holds.
fn checkable(dir: &Path) -> [usize; 3] {
    let mut counts = [0; 3];
    let mut pending = vec![dir.to_owned()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let path = path.to_string_lossy().replace('\\', "/");
            if !(path.ends_with(".yaml") || path.ends_with(".yml")) {
                continue;
            }
            let kind = if path.contains("/kubernetes/") {
                0
            } else if path.contains("/compose/docker-compose") {
                1
            } else if path.contains("/.github/workflows/") {
                2
            } else {
                continue;
            };
            counts[kind] += 1;
        }
    }
    counts
}
