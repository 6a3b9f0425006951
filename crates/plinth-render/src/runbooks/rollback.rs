//! `rollback.md`: per service, the command that puts the previous version back for its strategy —
//! `kubectl argo rollouts abort|undo` for canary and blue-green Rollouts, `kubectl rollout undo`
//! for Deployments (seed 002's `rollback.sh`), the previous commit for local environments — and the
//! database side (the migrations' down command, the restore runbook).

use plinth_spec::model::{Platform, Runtime, Service, Strategy};

use super::commands::{compose_cd, kubeconfig, ns, service_heading, status};
use super::markdown::{Markdown, link};
use super::{RESTORE, TROUBLESHOOTING, title};

/// The runbook.
pub fn render(platform: &Platform) -> String {
    let mut doc = Markdown::new(&title(platform, "Rollback"));
    match platform.environment.runtime {
        Runtime::Kubernetes => {
            doc.para("Connect to the cluster first:").code("bash", [kubeconfig(platform)]);
            doc.para(
                "A rollback in the cluster is undone by the next `kubectl apply` of the rendered manifests: \
                 revert the change in git as well, so the next deployment does not bring the bad version back.",
            );
            for svc in &platform.services {
                doc.heading(2, &service_heading(&svc.name));
                kubernetes(platform, svc, &mut doc);
            }
        }
        Runtime::Local => {
            doc.para(
                "A local environment runs the version checked out. Go back to the last good commit and restart what changed.",
            );
            for svc in &platform.services {
                doc.heading(2, &service_heading(&svc.name)).code(
                    "bash",
                    [
                        "git log --oneline -5".to_owned(),
                        "git checkout <last-good-commit>".to_owned(),
                        format!("plinth up --env {}", platform.environment.name),
                        format!(
                            "# or: {} && docker-compose up -d --build --no-deps {}",
                            compose_cd(platform),
                            svc.name
                        ),
                    ],
                );
            }
        }
    }
    doc.heading(2, "Database changes");
    if let Some((_, down)) = &platform.build.migrate {
        doc.para("Revert the last migration with the application's down command (also the `rollback` action of the database-migration workflow):")
            .code("bash", [down.as_str()]);
    }
    doc.para(&format!(
        "Data written by the bad version is not rolled back by any of the above: restore it with the {}. Diagnose with the {}.",
        link("restore runbook", RESTORE, None),
        link("troubleshooting runbook", TROUBLESHOOTING, None)
    ));
    doc.finish()
}

fn kubernetes(platform: &Platform, svc: &Service, doc: &mut Markdown) {
    let name = &svc.name;
    let ns = ns(platform);
    let delivery = &svc.delivery;
    let window =
        format!("Going back to one of the last {} revisions skips the steps and analyses.", delivery.rollback_window);
    match delivery.strategy {
        Strategy::Canary => {
            doc.para("Canary (Argo Rollout). While the update is in progress, abort it: all traffic returns to the stable version at once.")
                .code("bash", [format!("kubectl argo rollouts abort {name} {ns}")])
                .para(&format!(
                    "After the update completed, or to clear the aborted (Degraded) state, go back to the previous revision. {window}"
                ))
                .code("bash", [format!("kubectl argo rollouts undo {name} {ns}"), status(platform, svc)]);
        }
        Strategy::BlueGreen => {
            doc.para(&format!(
                "Blue-green (Argo Rollout). Before promotion the new version only serves `{name}-preview`: abort it and the active version stays."
            ))
            .code("bash", [format!("kubectl argo rollouts abort {name} {ns}")])
            .para(&format!(
                "After promotion the previous version keeps running for {}: going back to it switches the active Service at once. {window}",
                delivery.scale_down_delay
            ))
            .code("bash", [format!("kubectl argo rollouts undo {name} {ns}"), status(platform, svc)]);
        }
        Strategy::Rolling => {
            doc.para("Rolling update (Deployment). Go back to the previous revision:")
                .code(
                    "bash",
                    [
                        format!("kubectl rollout undo deployment/{name} {ns}"),
                        format!("kubectl rollout status deployment/{name} {ns}"),
                    ],
                )
                .para("or to a given one:")
                .code(
                    "bash",
                    [
                        format!("kubectl rollout history deployment/{name} {ns}"),
                        format!("kubectl rollout undo deployment/{name} --to-revision=<revision> {ns}"),
                    ],
                );
        }
    }
}
