//! `deploy.md`: seed 001's deployment runbook template — pre-deployment checks, backup, the
//! deployment step by step, post-deployment validation, and where rollback is — with each
//! service's strategy: how its update proceeds, how to follow it and, where a pause waits for a
//! person, how to promote it.

use plinth_spec::model::{IntOrPercent, Platform, Runtime, Service, Step, Strategy};

use super::commands::{self, compose_cd, health_check, kubeconfig, ns, public_health_urls, service_heading, status};
use super::markdown::{Markdown, code, link};
use super::{RESTORE, ROLLBACK, TROUBLESHOOTING, title};

/// The heading of the post-deployment checks.
pub const VALIDATE: &str = "Validate";

/// The runbook.
pub fn render(platform: &Platform) -> String {
    let mut doc = Markdown::new(&title(platform, "Deploy"));
    let env = &platform.environment;
    let mut checks = vec![
        "CI is green for the commit being deployed (lint, tests, image scan).".to_owned(),
        "`plinth render --check` passes: the rendered files match plinth.yaml.".to_owned(),
        format!("A recent backup of every datastore exists ({}).", link("restore runbook", RESTORE, None)),
        format!("You know how to go back: {}.", link("rollback runbook", ROLLBACK, None)),
    ];
    if let Some(branch) = &env.branch {
        checks.insert(0, format!("The change is merged to `{branch}`, the branch that deploys to {}.", env.name));
    }
    if env.approval {
        checks.push(format!("A reviewer has approved the deployment to {} (it requires approval).", env.name));
    }
    doc.heading(2, "Before deploying").bullets(&checks);
    match env.runtime {
        Runtime::Kubernetes => kubernetes(platform, &mut doc),
        Runtime::Local => local(platform, &mut doc),
    }
    doc.heading(2, "If something goes wrong").para(&format!(
        "Stop and roll back ({}); then investigate with the {}.",
        link("rollback runbook", ROLLBACK, None),
        link("troubleshooting runbook", TROUBLESHOOTING, None)
    ));
    doc.finish()
}

fn kubernetes(platform: &Platform, doc: &mut Markdown) {
    let dir = format!("environments/{}", platform.environment.name);
    doc.heading(2, "Deploy").para("Connect to the cluster, then apply the rendered manifests:").code(
        "bash",
        [
            kubeconfig(platform),
            format!("kubectl diff -k {dir}/kubernetes"),
            format!("kubectl apply -k {dir}/kubernetes"),
        ],
    );
    doc.para(&format!(
        "Infrastructure changes go first, from the Terraform root: `terraform -chdir={dir}/terraform plan`, then `apply`."
    ));
    for svc in &platform.services {
        doc.heading(3, &service_heading(&svc.name)).para(&strategy(svc)).code("bash", [status(platform, svc)]);
        if needs_promotion(svc) {
            doc.para("When the checks are good, promote it:")
                .code("bash", [format!("kubectl argo rollouts promote {} {}", svc.name, ns(platform))]);
        }
    }
    doc.heading(2, VALIDATE);
    for svc in &platform.services {
        let mut lines = vec![commands::pods(platform, svc)];
        lines.extend(health_check(platform, svc));
        lines.extend(public_health_urls(svc));
        doc.para(&format!("{}: every pod ready, health endpoint answering.", code(&svc.name))).code("bash", lines);
    }
}

fn local(platform: &Platform, doc: &mut Markdown) {
    let env = &platform.environment.name;
    doc.heading(2, "Deploy")
        .para("Start (or restart) the environment on this machine with plinth's local runtime:")
        .code("bash", [format!("plinth up --env {env}")])
        .para("or with the rendered compose project:")
        .code(
            "bash",
            [compose_cd(platform), "./setup-secrets.sh".to_owned(), "docker-compose up -d --build".to_owned()],
        );
    doc.para(&format!(
        "Preview how a service's update would roll out: `plinth rollout <service> --env {env} --dry-run`."
    ));
    doc.heading(2, VALIDATE).code(
        "bash",
        std::iter::once("docker-compose ps".to_owned())
            .chain(platform.services.iter().map(|svc| commands::compose_logs(&svc.name))),
    );
}

/// How a service's update proceeds.
fn strategy(svc: &Service) -> String {
    let delivery = &svc.delivery;
    match delivery.strategy {
        Strategy::Rolling => format!(
            "Rolling update (max surge {}, max unavailable {}), failing after {} without progress.",
            pods(delivery.max_surge),
            pods(delivery.max_unavailable),
            delivery.progress_deadline
        ),
        Strategy::BlueGreen => {
            let promotion = match (delivery.auto_promote, delivery.auto_promote_after) {
                (_, Some(after)) => format!("promoted automatically after {after}"),
                (true, None) => "promoted automatically once ready".to_owned(),
                (false, None) => "promoted by hand".to_owned(),
            };
            format!(
                "Blue-green: the new version starts beside the live one behind `{}-preview`, is {promotion}, and the old one is kept {} after the switch.",
                svc.name, delivery.scale_down_delay
            )
        }
        Strategy::Canary => {
            let steps: Vec<String> = delivery
                .steps
                .iter()
                .map(|step| match step {
                    Step::Weight(weight) => format!("{weight} %"),
                    Step::Pause(Some(duration)) => format!("pause {duration}"),
                    Step::Pause(None) => "pause until promoted".to_owned(),
                    Step::Analysis(names) => format!("analysis {}", names.join(", ")),
                })
                .collect();
            format!("Canary: {} → 100 %. A failed analysis aborts and shifts all traffic back.", steps.join(" → "))
        }
    }
}

/// A pod count or a percentage of the replicas.
fn pods(value: IntOrPercent) -> String {
    match value {
        IntOrPercent::Int(count) => count.to_string(),
        IntOrPercent::Percent(percent) => percent.to_string(),
    }
}

/// Whether the update waits for a person: a manual canary pause, or blue-green without automatic
/// promotion.
fn needs_promotion(svc: &Service) -> bool {
    let delivery = &svc.delivery;
    match delivery.strategy {
        Strategy::Rolling => false,
        Strategy::BlueGreen => !delivery.auto_promote && delivery.auto_promote_after.is_none(),
        Strategy::Canary => delivery.steps.iter().any(|step| matches!(step, Step::Pause(None))),
    }
}
