//! The rendered workflows and the rendered Terraform agree on GitHub's OIDC roles: for every spec
//! naming its repository, every role a workflow assumes (`role-to-assume`) is created by exactly
//! one environment's Terraform root (module `github_oidc`), whose trust admits exactly the `sub`
//! claims of the jobs assuming it (the GitHub environment the job runs in, a pull request, or a
//! push to one of the branches the workflow triggers on), no root creates a role no workflow
//! assumes, and exactly one root creates the account's OIDC provider.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use plinth_render::Artifacts;
use plinth_spec::model::Platform;
use serde_json::Value;

/// Role name → the `sub` claims it must admit.
type Subjects = BTreeMap<String, BTreeSet<String>>;

/// The specs with a repository, and variants of the examples taking the other branches: images
/// on ECR (the push role), and an example given a repository.
fn specs() -> Vec<(String, Vec<Platform>)> {
    let read = |example: &str| {
        std::fs::read_to_string(common::root().join("examples").join(example).join("plinth.yaml")).unwrap()
    };
    let compile = |source: &str| {
        let compiled = plinth_spec::compile(source);
        assert!(!compiled.has_errors(), "{:#?}", compiled.diagnostics);
        compiled.platforms
    };
    let mut specs: Vec<(String, Vec<Platform>)> =
        common::all_specs().into_iter().filter(|(_, platforms)| platforms[0].build.repository.is_some()).collect();
    assert!(!specs.is_empty(), "no spec names its repository");
    let business = read("business-app");
    assert!(business.contains("image: ghcr.io/"), "business-app's images moved");
    let on_ecr = business.replace("image: ghcr.io/", "image: 123456789012.dkr.ecr.ap-south-1.amazonaws.com/");
    specs.push(("business-app-on-ecr".to_owned(), compile(&on_ecr)));
    let ctoprojects = read("ctoprojects");
    assert!(ctoprojects.contains("\nbuild:\n") && !ctoprojects.contains("repository:"), "ctoprojects' build moved");
    let with_repository = ctoprojects.replace("\nbuild:\n", "\nbuild:\n  repository: acme/ctoprojects\n");
    specs.push(("ctoprojects-with-repository".to_owned(), compile(&with_repository)));
    specs
}

/// `arn:aws:iam::${{ vars.AWS_ACCOUNT_ID }}:role/<name>` → `<name>`.
fn role_name(arn: &str) -> String {
    arn.rsplit_once(":role/").unwrap_or_else(|| panic!("not a role ARN: {arn}")).1.to_owned()
}

/// The `if` conditions of a job and a step, joined.
fn conditions(job: &Value, step: &Value) -> String {
    [job, step].iter().filter_map(|v| v.get("if").and_then(Value::as_str)).collect::<Vec<_>>().join(" && ")
}

/// The events of `workflow` a step under `condition` runs on: the workflow's triggers, narrowed
/// by `github.event_name == '…'` in the condition.
fn events<'a>(workflow: &'a Value, condition: &str) -> Vec<&'a str> {
    let triggers = workflow["on"].as_object().expect("an `on` map");
    triggers
        .keys()
        .map(String::as_str)
        .filter(|event| {
            !condition.contains("github.event_name ==")
                || condition.contains(&format!("github.event_name == '{event}'"))
        })
        .collect()
}

/// The GitHub environments a job runs in: its `environment` (a name, or `{ name, url }`), with
/// `${{ inputs.<input> }}` expanded to the options of that `workflow_dispatch` choice.
fn environments(workflow: &Value, job: &Value) -> Option<Vec<String>> {
    let environment = job.get("environment")?;
    let name = environment.get("name").unwrap_or(environment).as_str().expect("an environment name");
    let Some(input) = name.strip_prefix("${{ inputs.").and_then(|rest| rest.strip_suffix(" }}")) else {
        return Some(vec![name.to_owned()]);
    };
    let options = &workflow["on"]["workflow_dispatch"]["inputs"][input]["options"];
    Some(options.as_array().expect("a choice input").iter().map(|o| o.as_str().unwrap().to_owned()).collect())
}

/// The `sub` claims a step of `job` can present: its environments', or else one per event it runs
/// on (a push to each branch the workflow and the condition allow, or a pull request).
fn step_subjects(repository: &str, file: &str, workflow: &Value, job: &Value, step: &Value) -> BTreeSet<String> {
    if let Some(environments) = environments(workflow, job) {
        return environments.iter().map(|env| format!("repo:{repository}:environment:{env}")).collect();
    }
    let condition = conditions(job, step);
    let mut subjects = BTreeSet::new();
    for event in events(workflow, &condition) {
        match event {
            "pull_request" => {
                subjects.insert(format!("repo:{repository}:pull_request"));
            }
            "push" => {
                let branches = workflow["on"]["push"]["branches"].as_array().unwrap_or_else(|| {
                    panic!("{file}: a role is assumed on pushes to any branch, which no pinned subject admits")
                });
                for branch in branches.iter().map(|b| b.as_str().unwrap()) {
                    let narrowed = condition.contains("github.ref ==");
                    if !narrowed || condition.contains(&format!("github.ref == 'refs/heads/{branch}'")) {
                        subjects.insert(format!("repo:{repository}:ref:refs/heads/{branch}"));
                    }
                }
            }
            other => panic!("{file}: a role is assumed on `{other}` outside a GitHub environment: no subject to pin"),
        }
    }
    subjects
}

/// What the workflows assume: role name → subjects.
fn assumed(repository: &str, artifacts: &Artifacts) -> Subjects {
    let mut roles = Subjects::new();
    for (path, text) in artifacts.iter().filter(|(path, _)| path.starts_with(".github/workflows/")) {
        let workflow: Value = serde_yaml_ng::from_str(text).unwrap_or_else(|err| panic!("{path}: {err}"));
        for job in workflow["jobs"].as_object().expect("jobs").values() {
            for step in job["steps"].as_array().expect("steps") {
                let Some(arn) = step.pointer("/with/role-to-assume").and_then(Value::as_str) else { continue };
                let subjects = step_subjects(repository, path, &workflow, job, step);
                roles.entry(role_name(arn)).or_default().extend(subjects);
            }
        }
    }
    roles
}

/// What the Terraform roots create: role name → subjects, and the roots creating the provider.
fn created(artifacts: &Artifacts) -> (Subjects, Vec<String>) {
    let mut roles = Subjects::new();
    let mut providers = Vec::new();
    for (path, text) in
        artifacts.iter().filter(|(path, _)| path.starts_with("environments/") && path.ends_with("/main.tf"))
    {
        let root: Value = hcl::from_str(text).unwrap_or_else(|err| panic!("{path}: {err}"));
        let Some(call) = root.pointer("/module/github_oidc") else { continue };
        if call["create_provider"] == Value::Bool(true) {
            providers.push(path.to_owned());
        }
        for (key, role) in call.as_object().unwrap().iter().filter(|(key, _)| key.ends_with("_role")) {
            let name = role["name"].as_str().unwrap_or_else(|| panic!("{path}: {key} has no name")).to_owned();
            let subjects =
                role["subjects"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_owned()).collect();
            assert!(roles.insert(name.clone(), subjects).is_none(), "{path}: role {name} is created by two roots");
        }
    }
    (roles, providers)
}

#[test]
fn every_assumed_role_is_created_with_exactly_its_jobs_subjects() {
    for (name, platforms) in specs() {
        let repository = platforms[0].build.repository.clone().unwrap();
        let artifacts = plinth_render::render(&platforms);
        let assumed = assumed(&repository, &artifacts);
        let (created, providers) = created(&artifacts);
        assert!(!assumed.is_empty(), "{name}: no workflow assumes a role");
        assert_eq!(providers.len(), 1, "{name}: the OIDC provider is created by {providers:?}, not by one root");
        for (role, subjects) in &assumed {
            let trusted = created.get(role).unwrap_or_else(|| panic!("{name}: no root creates {role}"));
            assert_eq!(trusted, subjects, "{name}: {role} trusts other subjects than its jobs present");
        }
        let unused: Vec<&String> = created.keys().filter(|role| !assumed.contains_key(*role)).collect();
        assert!(unused.is_empty(), "{name}: roles no workflow assumes: {unused:?}");
    }
}

#[test]
fn the_variants_exercise_every_kind_of_subject() {
    let mut kinds = BTreeSet::new();
    for (_, platforms) in specs() {
        let repository = platforms[0].build.repository.clone().unwrap();
        let artifacts = plinth_render::render(&platforms);
        for subject in assumed(&repository, &artifacts).values().flatten() {
            kinds.insert(subject.split(':').nth(2).unwrap().to_owned());
        }
    }
    assert_eq!(kinds, BTreeSet::from(["environment", "pull_request", "ref"].map(str::to_owned)));
}
