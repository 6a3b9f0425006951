//! The saturation dashboard: how close each service runs to its CPU and memory limits.
//!
//! - **Kubernetes.** The kubelet's cAdvisor series (`container_cpu_usage_seconds_total`,
//!   `container_cpu_cfs_throttled_periods_total`, `container_memory_working_set_bytes`) divided by
//!   kube-state-metrics' `kube_pod_container_resource_limits` and `…_requests`, per pod of the
//!   service's container (named like the service); the autoscalers' replicas against their
//!   maximum; restarts and OOM kills.
//! - **Local.** No cAdvisor or kube-state-metrics runs on one machine, and no limit is enforced:
//!   the services' own process metrics (`process_cpu_seconds_total`,
//!   `process_resident_memory_bytes`, exported by the standard Prometheus client libraries) are
//!   compared with the limits the spec sets, i.e. what the Kubernetes environments would enforce.

use plinth_spec::model::{Platform, Runtime, Service};
use plinth_spec::telemetry::SERVICE_LABEL;

use super::dashboard::{Dashboard, Panel, RATE_INTERVAL, Target, target};
use super::{service_matcher, service_variable};

/// Share of a limit from which panels turn orange, and red.
const WARN: f64 = 0.8;
const CRITICAL: f64 = 0.95;

/// The dashboard.
pub fn dashboard(platform: &Platform) -> Dashboard {
    let mut dashboard = Dashboard::new(
        platform,
        "saturation",
        "Saturation",
        match platform.environment.runtime {
            Runtime::Kubernetes => {
                "CPU and memory of every service's pods against their requests and limits (cAdvisor and kube-state-metrics), autoscaling headroom, restarts."
            }
            Runtime::Local => {
                "CPU and memory of every service's process against the limits the spec sets (process metrics of the client libraries; nothing enforces the limits locally)."
            }
        },
    );
    dashboard.variable(service_variable(platform, true));
    match platform.environment.runtime {
        Runtime::Kubernetes => kubernetes(platform, &mut dashboard),
        Runtime::Local => local(platform, &mut dashboard),
    }
    dashboard
}

/// A usage-to-limit ratio panel: 0..1 with orange and red thresholds.
fn share(title: &str, description: &str) -> Panel {
    Panel::timeseries(title, description, "percentunit")
        .range(Some(0.0), None)
        .threshold(WARN, "orange")
        .threshold(CRITICAL, "red")
}

fn kubernetes(platform: &Platform, dashboard: &mut Dashboard) {
    let ns = &platform.kubernetes.namespace;
    let sel = format!(r#"namespace="{ns}",container=~"$service""#);
    let per_pod = |expr: &str| format!("sum by (pod) ({expr})");
    let resource =
        |kind: &str, resource: &str| per_pod(&format!(r#"kube_pod_container_{kind}{{{sel},resource="{resource}"}}"#));
    let cpu = per_pod(&format!("rate(container_cpu_usage_seconds_total{{{sel}}}[{RATE_INTERVAL}])"));
    let memory = per_pod(&format!("container_memory_working_set_bytes{{{sel}}}"));
    let throttled = format!(
        "{} / {}",
        per_pod(&format!("rate(container_cpu_cfs_throttled_periods_total{{{sel}}}[{RATE_INTERVAL}])")),
        per_pod(&format!("rate(container_cpu_cfs_periods_total{{{sel}}}[{RATE_INTERVAL}])"))
    );
    let hpa = format!(r#"namespace="{ns}",horizontalpodautoscaler=~"$service""#);
    let by_hpa = |metric: &str| format!("sum by (horizontalpodautoscaler) ({metric}{{{hpa}}})");
    dashboard.row(
        "CPU",
        vec![
            share("CPU of limit", "CPU used by each pod over its CPU limit; at the limit the container is throttled.")
                .target(target(format!("{cpu} / {}", resource("resource_limits", "cpu")), "{{pod}}")),
            Panel::timeseries(
                "CPU of request",
                "CPU used by each pod over its request: what the HorizontalPodAutoscaler's CPU target is measured against.",
                "percentunit",
            )
            .target(target(format!("{cpu} / {}", resource("resource_requests", "cpu")), "{{pod}}"))
            .range(Some(0.0), None),
            share("CPU throttling", "Share of CFS periods in which each pod was throttled.")
                .target(target(throttled, "{{pod}}")),
        ],
    );
    dashboard.row(
        "Memory",
        vec![
            share(
                "Memory of limit",
                "Working set of each pod over its memory limit; at the limit the container is OOM-killed.",
            )
            .target(target(format!("{memory} / {}", resource("resource_limits", "memory")), "{{pod}}")),
            Panel::timeseries("OOM kills", "Containers whose last termination was an OOM kill.", "short")
                .target(target(
                    per_pod(&format!(
                        r#"kube_pod_container_status_last_terminated_reason{{{sel},reason="OOMKilled"}}"#
                    )),
                    "{{pod}}",
                ))
                .range(Some(0.0), None),
        ],
    );
    let mut pods = vec![
        Panel::timeseries("Restarts (1h)", "Container restarts of each pod over the last hour.", "short")
            .target(target(
                per_pod(&format!("increase(kube_pod_container_status_restarts_total{{{sel}}}[1h])")),
                "{{pod}}",
            ))
            .range(Some(0.0), None)
            .threshold(1.0, "orange"),
    ];
    if platform.services.iter().any(|svc| svc.autoscale.is_some()) {
        pods.push(
            Panel::timeseries(
                "Replicas of autoscaling maximum",
                "Current replicas over each HorizontalPodAutoscaler's maximum; at 100 % it can add no more.",
                "percentunit",
            )
            .target(target(
                format!(
                    "{} / {}",
                    by_hpa("kube_horizontalpodautoscaler_status_current_replicas"),
                    by_hpa("kube_horizontalpodautoscaler_spec_max_replicas")
                ),
                "{{horizontalpodautoscaler}}",
            ))
            .range(Some(0.0), Some(1.0))
            .threshold(WARN, "orange")
            .threshold(1.0, "red"),
        );
    }
    dashboard.row("Pods", pods);
}

fn local(platform: &Platform, dashboard: &mut Dashboard) {
    let per_service = |f: &dyn Fn(&Service, &str) -> String| -> Vec<Target> {
        platform
            .services
            .iter()
            .map(|svc| {
                let sel = format!(r#"{SERVICE_LABEL}="{}",{}"#, svc.name, service_matcher());
                target(f(svc, &sel), format!("{} {{{{instance}}}}", svc.name))
            })
            .collect()
    };
    dashboard.row(
        "Processes",
        vec![
            share("CPU of limit", "CPU seconds per second of each replica's process over the CPU limit the spec sets.")
                .targets(per_service(&|svc, sel| {
                    format!(
                        "rate(process_cpu_seconds_total{{{sel}}}[{RATE_INTERVAL}]) / {}",
                        svc.cpu.high.0 as f64 / 1000.0
                    )
                })),
            share("Memory of limit", "Resident memory of each replica's process over the memory limit the spec sets.")
                .targets(per_service(&|svc, sel| {
                    format!("process_resident_memory_bytes{{{sel}}} / {}", svc.memory.high.0)
                })),
        ],
    );
}
