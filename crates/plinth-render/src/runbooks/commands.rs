//! The commands the runbooks give, with the environment's real names: kubectl and the Argo Rollouts
//! plugin in Kubernetes environments, docker-compose in the compose directory of local ones, and
//! the headings every runbook files a service's or a datastore's section under.

use plinth_spec::local;
use plinth_spec::model::{Platform, Service, Strategy};
use plinth_spec::names;

/// The pod label naming the service (the source of the telemetry contract's `service` label).
const POD_LABEL: &str = "app";
/// The local port health checks forward to.
const FORWARD_PORT: u16 = 18080;

/// The heading of a service's section (`Service api`): unambiguous next to datastores.
pub fn service_heading(name: &str) -> String {
    format!("Service {name}")
}

/// The heading of a datastore's section (`Datastore postgres`).
pub fn datastore_heading(name: &str) -> String {
    format!("Datastore {name}")
}

/// `-n <namespace>`.
pub fn ns(platform: &Platform) -> String {
    format!("-n {}", platform.kubernetes.namespace)
}

/// Points kubectl at the environment's EKS cluster.
pub fn kubeconfig(platform: &Platform) -> String {
    format!("aws eks update-kubeconfig --region {} --name {}", platform.cloud.region, names::cluster_name(platform))
}

/// `kubectl get pods` of one service.
pub fn pods(platform: &Platform, svc: &Service) -> String {
    format!("kubectl get pods {} -l {POD_LABEL}={} -o wide", ns(platform), svc.name)
}

/// The last log lines of every pod of a service.
pub fn logs(platform: &Platform, svc: &Service) -> String {
    format!("kubectl logs {} -l {POD_LABEL}={} --all-containers --prefix --tail=100", ns(platform), svc.name)
}

/// Whether the service runs as an Argo Rollout (blue-green or canary) rather than a Deployment.
pub fn is_rollout(svc: &Service) -> bool {
    svc.delivery.strategy != Strategy::Rolling
}

/// Follows a service's update until it completes or fails.
pub fn status(platform: &Platform, svc: &Service) -> String {
    if is_rollout(svc) {
        format!("kubectl argo rollouts get rollout {} {} --watch", svc.name, ns(platform))
    } else {
        format!(
            "kubectl rollout status deployment/{} {} --timeout={}",
            svc.name,
            ns(platform),
            svc.delivery.progress_deadline
        )
    }
}

/// Describes the service's workload (events, conditions, revisions).
pub fn describe(platform: &Platform, svc: &Service) -> String {
    let kind = if is_rollout(svc) { "rollout" } else { "deployment" };
    format!("kubectl describe {kind} {} {}", svc.name, ns(platform))
}

/// Restarts the service's pods (after a datastore moved, for instance).
pub fn restart(platform: &Platform, svc: &Service) -> String {
    if is_rollout(svc) {
        format!("kubectl argo rollouts restart {} {}", svc.name, ns(platform))
    } else {
        format!("kubectl rollout restart deployment/{} {}", svc.name, ns(platform))
    }
}

/// Scales the service's workload to `replicas` (a HorizontalPodAutoscaler leaves a workload at 0
/// alone and takes over again once it is scaled back up).
pub fn scale(platform: &Platform, svc: &Service, replicas: u32) -> String {
    let kind = if is_rollout(svc) { "rollout" } else { "deployment" };
    format!("kubectl scale {kind}/{} --replicas={replicas} {}", svc.name, ns(platform))
}

/// One pod of the service, as a shell substitution (`$(kubectl get pods … | head -n 1)`).
pub fn first_pod(platform: &Platform, svc: &Service) -> String {
    format!("$(kubectl get pods {} -l {POD_LABEL}={} -o name | head -n 1)", ns(platform), svc.name)
}

/// Calls the service's readiness endpoint through a port-forward to one of its pods (which
/// NetworkPolicies do not block).
pub fn health_check(platform: &Platform, svc: &Service) -> Vec<String> {
    let pod = first_pod(platform, svc);
    vec![
        format!("kubectl port-forward {} {pod} {FORWARD_PORT}:{} &", ns(platform), svc.health.port),
        format!("sleep 2; curl -fsS http://127.0.0.1:{FORWARD_PORT}{}; kill %1", svc.health.readiness.path),
    ]
}

/// Public URLs of the service's health endpoint: routes at the host's root, where the path the
/// service sees is the one the client asked for.
pub fn public_health_urls(svc: &Service) -> Vec<String> {
    svc.expose
        .iter()
        .filter(|route| route.path == "/")
        .map(|route| format!("curl -fsS https://{}{}", route.host, svc.health.readiness.path))
        .collect()
}

/// `cd` into the compose directory of a local environment.
pub fn compose_cd(platform: &Platform) -> String {
    format!("cd {}", local::compose_dir(platform))
}

/// The last log lines of a compose service.
pub fn compose_logs(name: &str) -> String {
    format!("docker-compose logs --tail=100 {}", local::service_host(name))
}
