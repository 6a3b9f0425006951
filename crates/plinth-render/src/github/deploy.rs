//! `deploy.yml`: once CI succeeds on a push to an environment's branch, deploy that commit's
//! images (`sha-<commit>`) to every Kubernetes environment deploying from that branch.
//!
//! A job per environment, gated by the GitHub environment of the same name (its protection rules,
//! such as required reviewers for production, are configured in the repository settings): it
//! assumes the environment's deploy role through OIDC, points the rendered kustomization at the
//! new tag through an overlay, applies it, and waits for every service with its delivery strategy
//! (`kubectl rollout status` for a Deployment; `kubectl argo rollouts status` for a blue-green or
//! canary Rollout, whose own analysis runs the smoke checks before promotion; a Rollout with a
//! manual gate is waited for until it pauses there). The timeouts come from the rollout plan
//! (`plinth_rollout::plan`: its least duration plus the progress deadline). Then the smoke checks
//! run against each service through `kubectl port-forward`. If anything fails after the apply, a
//! rollback job undoes the services this run changed.

use plinth_rollout::plan;
use plinth_spec::model::{Platform, Service, Strategy};
use serde_json::{Map, Value, json};

use super::steps::{Job, checkout_at, cluster_access, job, permissions, run};
use super::{CI_WORKFLOW, branches, kubernetes, render_dir_env};

/// The header of deploy.yml.
pub const HEADER: &str = "Deploy: after CI succeeds on a push, each Kubernetes environment whose branch it is gets the
commit's images (tag sha-<commit>). Production-like environments wait for the approval of the
GitHub environment's required reviewers (repository settings → Environments); a rollback of
such an environment waits for them too.";

/// The Argo Rollouts kubectl plugin the jobs install (the controller's CRDs plinth renders for).
const ARGO_ROLLOUTS: &str = "v1.8.3";

/// The commit CI built.
const COMMIT: &str = "${{ github.event.workflow_run.head_sha }}";

/// The environments deploy.yml deploys: Kubernetes ones with a branch.
fn deployed(platforms: &[Platform]) -> Vec<&Platform> {
    kubernetes(platforms).filter(|p| p.environment.branch.is_some()).collect()
}

/// The workflow, when some environment is deployed from a branch.
pub fn workflow(platforms: &[Platform]) -> Option<Value> {
    let deployed = deployed(platforms);
    if deployed.is_empty() {
        return None;
    }
    let mut jobs = Map::new();
    for platform in &deployed {
        let env = &platform.environment.name;
        jobs.insert(format!("deploy-{env}"), deploy_job(platform).build());
        jobs.insert(format!("rollback-{env}"), rollback_job(platform).build());
    }
    let deployed: Vec<Platform> = deployed.into_iter().cloned().collect();
    Some(json!({
        "name": "Deploy",
        "on": {
            "workflow_run": { "workflows": [CI_WORKFLOW], "types": ["completed"], "branches": branches(&deployed) },
        },
        "permissions": {},
        "env": render_dir_env(),
        "jobs": jobs,
    }))
}

/// How `kubectl` names a service's workload (`deployment/api`, `rollout/web`).
fn workload(svc: &Service) -> String {
    match svc.delivery.strategy {
        Strategy::Rolling => format!("deployment/{}", svc.name),
        Strategy::BlueGreen | Strategy::Canary => format!("rollout/{}", svc.name),
    }
}

/// Whether `svc` is an Argo Rollout.
fn is_rollout(svc: &Service) -> bool {
    svc.delivery.strategy != Strategy::Rolling
}

/// Shell: the image the service's container runs now (empty when the workload does not exist).
fn current_image(svc: &Service) -> String {
    format!(
        "$(kubectl get {} -n \"$NAMESPACE\" --ignore-not-found -o 'jsonpath={{.spec.template.spec.containers[?(@.name==\"{}\")].image}}')",
        workload(svc),
        svc.name
    )
}

/// The job's environment variables: namespace and tag.
fn job_env(platform: &Platform) -> Value {
    json!({ "NAMESPACE": platform.kubernetes.namespace, "TAG": format!("sha-{COMMIT}") })
}

/// Installs the Argo Rollouts plugin at a pinned version, verified against the release's checksums.
fn argo_plugin() -> Value {
    run(
        &format!("Install the Argo Rollouts plugin {ARGO_ROLLOUTS}"),
        &format!(
            r#"cd "$RUNNER_TEMP"
base="https://github.com/argoproj/argo-rollouts/releases/download/{ARGO_ROLLOUTS}"
curl -fsSLo kubectl-argo-rollouts "$base/kubectl-argo-rollouts-linux-amd64"
curl -fsSLo checksums.txt "$base/argo-rollouts-checksums.txt"
expected=$(awk '$2 == "kubectl-argo-rollouts-linux-amd64" {{ print $1 }}' checksums.txt)
test -n "$expected"
echo "$expected  kubectl-argo-rollouts" | sha256sum --check
sudo install -m 0755 kubectl-argo-rollouts /usr/local/bin/kubectl-argo-rollouts
kubectl argo rollouts version
"#
        ),
    )
}

/// How long to wait for a service's update: the plan's least duration plus its progress deadline.
fn wait_seconds(svc: &Service) -> u64 {
    let plan = plan(svc);
    plan.min_duration.seconds() + plan.progress_deadline.seconds()
}

/// The step waiting for a service's update.
fn wait_step(platform: &Platform, svc: &Service) -> Value {
    let seconds = wait_seconds(svc);
    let name = &svc.name;
    let script = if !is_rollout(svc) {
        format!("kubectl rollout status deployment/{name} -n \"$NAMESPACE\" --timeout={seconds}s\n")
    } else if plan(svc).open_ended() {
        format!(
            "kubectl wait rollout/{name} -n \"$NAMESPACE\" --for=jsonpath='{{.status.phase}}'=Paused --timeout={seconds}s\n\
             echo \"{name} waits for promotion: kubectl argo rollouts promote {name} -n {ns}\" >> \"$GITHUB_STEP_SUMMARY\"\n",
            ns = platform.kubernetes.namespace
        )
    } else {
        format!("kubectl argo rollouts status {name} -n \"$NAMESPACE\" --timeout {seconds}s\n")
    };
    run(&format!("Wait for {name}"), &script)
}

/// The smoke checks of a fully rolled-out service, through a port-forward to its Service's `http`
/// port (which reaches the pods whatever the network policies admit).
fn smoke_step(svc: &Service) -> Option<Value> {
    if svc.delivery.smoke.is_empty() || (is_rollout(svc) && plan(svc).open_ended()) {
        return None;
    }
    let mut script = format!(
        "kubectl port-forward -n \"$NAMESPACE\" svc/{} 18080:http >/dev/null &\nforward=$!\ntrap 'kill \"$forward\"' EXIT\n",
        svc.name
    );
    for check in &svc.delivery.smoke {
        let (method, path) = check.split_once(' ').unwrap_or(("GET", check));
        script.push_str(&format!(
            "curl --fail --silent --show-error --output /dev/null --max-time 10 --retry 5 --retry-connrefused \
             --retry-delay 2 --request {method} \"http://127.0.0.1:18080{path}\"\n",
            path = path.trim()
        ));
    }
    Some(run(&format!("Smoke checks of {}", svc.name), &script))
}

/// The deploy job of one environment.
fn deploy_job(platform: &Platform) -> Job {
    let env = &platform.environment.name;
    let branch = platform.environment.branch.as_deref().unwrap_or_default();
    let overlay = format!("\"${RENDER_DIR}/environments/{env}/deploy\"", RENDER_DIR = super::RENDER_DIR);
    let mut steps = vec![checkout_at(COMMIT)];
    steps.extend(cluster_access(platform));
    if platform.services.iter().any(is_rollout) {
        steps.push(argo_plugin());
    }
    let mut kustomization = format!(
        "mkdir -p {overlay}\ncat > {overlay}/kustomization.yaml <<EOF\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../kubernetes\nimages:\n"
    );
    for svc in &platform.services {
        kustomization.push_str(&format!("  - name: {}\n    newTag: $TAG\n", svc.image));
    }
    kustomization.push_str("EOF\n");
    steps.push(run("Point the kustomization at this commit's images", &kustomization));
    let mut apply = String::from("changed=\"\"\n");
    for svc in &platform.services {
        apply.push_str(&format!(
            "current={}\nif [ -n \"$current\" ] && [ \"$current\" != \"{}:$TAG\" ]; then changed=\"$changed {}\"; fi\n",
            current_image(svc),
            svc.image,
            svc.name
        ));
    }
    apply.push_str(&format!("echo \"changed=${{changed# }}\" >> \"$GITHUB_OUTPUT\"\nkubectl apply -k {overlay}\n"));
    let mut apply = run("Apply", &apply);
    apply["id"] = json!("apply");
    steps.push(apply);
    for svc in &platform.services {
        steps.push(wait_step(platform, svc));
    }
    steps.extend(platform.services.iter().filter_map(smoke_step));
    let minutes = platform.services.iter().map(wait_seconds).sum::<u64>().div_ceil(60) + 15;
    let mut job = job(
        &format!("Deploy to {env}"),
        u32::try_from(minutes).unwrap_or(u32::MAX),
        permissions(&[("id-token", "write")]),
        steps,
    );
    job.set(
        "if",
        json!(format!(
            "github.event.workflow_run.conclusion == 'success' && github.event.workflow_run.event == 'push' && github.event.workflow_run.head_branch == '{branch}'"
        )),
    );
    job.set("environment", environment(platform));
    job.set("concurrency", json!({ "group": format!("deploy-{env}"), "cancel-in-progress": false }));
    job.set("outputs", json!({ "changed": "${{ steps.apply.outputs.changed }}" }));
    job.set("env", job_env(platform));
    job
}

/// The GitHub environment of a platform, with its first public host as the URL.
fn environment(platform: &Platform) -> Value {
    let host = platform.services.iter().flat_map(|svc| &svc.expose).map(|route| &route.host).min();
    match host {
        Some(host) => json!({ "name": platform.environment.name, "url": format!("https://{host}") }),
        None => json!({ "name": platform.environment.name }),
    }
}

/// The rollback job of one environment: after a failed deploy that changed services, undo each of
/// them that now runs this commit's image (Argo Rollouts: abort, then undo to the stable revision).
fn rollback_job(platform: &Platform) -> Job {
    let env = &platform.environment.name;
    let mut steps = cluster_access(platform);
    if platform.services.iter().any(is_rollout) {
        steps.push(argo_plugin());
    }
    let mut script = String::from("for service in $CHANGED; do\n  case \"$service\" in\n");
    for svc in &platform.services {
        let name = &svc.name;
        let seconds = plan(svc).progress_deadline.seconds();
        let undo = if is_rollout(svc) {
            format!(
                "kubectl argo rollouts abort {name} -n \"$NAMESPACE\"\n        kubectl argo rollouts undo {name} -n \"$NAMESPACE\"\n        kubectl argo rollouts status {name} -n \"$NAMESPACE\" --timeout {seconds}s"
            )
        } else {
            format!(
                "kubectl rollout undo deployment/{name} -n \"$NAMESPACE\"\n        kubectl rollout status deployment/{name} -n \"$NAMESPACE\" --timeout={seconds}s"
            )
        };
        script.push_str(&format!(
            "    {name})\n      if [ {} = \"{}:$TAG\" ]; then\n        {undo}\n      fi\n      ;;\n",
            format_args!("\"{}\"", current_image(svc)),
            svc.image
        ));
    }
    script.push_str("  esac\ndone\n");
    steps.push(run("Undo the changed services", &script));
    let mut job = job(&format!("Roll back {env}"), 30, json!({ "id-token": "write" }), steps);
    job.set("needs", json!(format!("deploy-{env}")));
    job.set("if", json!(format!("failure() && needs.deploy-{env}.outputs.changed != ''")));
    job.set("environment", json!(env));
    job.set("concurrency", json!({ "group": format!("deploy-{env}"), "cancel-in-progress": false }));
    let mut env_vars = job_env(platform);
    env_vars["CHANGED"] = json!(format!("${{{{ needs.deploy-{env}.outputs.changed }}}}"));
    job.set("env", env_vars);
    job
}
