//! PL-K8S-024 `probe-sanity`: probes target declared ports, and liveness differs from readiness.

use serde_json::Value;

use super::common::describe;
use crate::kubernetes::{Container, KubernetesRule, Object};
use crate::{Hit, RuleDoc, Severity, Target};

/// The probes of a container.
const PROBES: &[&str] = &["livenessProbe", "readinessProbe", "startupProbe"];

/// The probe handlers that take a port.
const HANDLERS: &[&str] = &["httpGet", "tcpSocket", "grpc"];

/// Probes must name ports the container declares, and liveness must not repeat readiness.
pub const RULE: KubernetesRule = KubernetesRule {
    doc: RuleDoc {
        id: "PL-K8S-024",
        name: "probe-sanity",
        severity: Severity::Warning,
        target: Target::Kubernetes,
        summary: "Probes use ports the container declares, and the liveness probe is not the readiness probe",
        doc: r#"For every container: a probe (`livenessProbe`, `readinessProbe`, `startupProbe`) whose
`httpGet`, `tcpSocket` or `grpc` handler names a port by name uses a name the container declares
under `ports`; and the liveness probe is not identical to the readiness probe. (Numeric ports
need not be declared: Kubernetes probes them anyway.)

## Why
A probe on an undeclared named port can never succeed: the pod is never ready, or is restarted
forever. A liveness probe identical to the readiness probe restarts pods whenever they are
merely busy or a dependency is slow, turning a slowdown into a crash loop; readiness should
check dependencies and liveness only the process.

## Fix
```yaml
ports:
  - name: http
    containerPort: 8080
livenessProbe:
  httpGet: {path: /health, port: http}
  failureThreshold: 6
readinessProbe:
  httpGet: {path: /ready, port: http}
```

## References
- Kubernetes: Configure Liveness, Readiness and Startup Probes
- kube-linter liveness-port, readiness-port, startup-port; kube-score pod-probes-identical
"#,
        equivalents: &[
            "kube-linter:liveness-port",
            "kube-linter:readiness-port",
            "kube-linter:startup-port",
            "kube-score:pod-probes-identical",
        ],
    },
    check,
};

/// Flags probes on undeclared named ports and a liveness probe equal to the readiness probe.
fn check(object: &Object<'_>, hits: &mut Vec<Hit>) {
    for container in object.containers() {
        let who = describe(object, &container);
        for probe in PROBES {
            for handler in HANDLERS {
                let port = container.value.get(probe).and_then(|p| p.get(handler)).and_then(|h| h.get("port"));
                if let Some(name) = port.and_then(Value::as_str).filter(|name| !declares(&container, name)) {
                    hits.push(Hit::new(
                        format!("{}/{probe}/{handler}/port", container.pointer),
                        format!("{who} has a {probe} on port \"{name}\", which it does not declare"),
                    ));
                }
            }
        }
        let liveness = container.value.get("livenessProbe").filter(|p| !p.is_null());
        if liveness.is_some() && liveness == container.value.get("readinessProbe") {
            hits.push(Hit::new(
                format!("{}/livenessProbe", container.pointer),
                format!("{who} has the same liveness and readiness probe"),
            ));
        }
    }
}

/// Whether the container declares a port named `name` (a number written as a string counts as
/// itself).
fn declares(container: &Container<'_>, name: &str) -> bool {
    let ports = container.value.get("ports").and_then(Value::as_array);
    name.parse::<u16>().is_ok()
        || ports.into_iter().flatten().any(|p| p.get("name").and_then(Value::as_str) == Some(name))
}
