//! PL-K8S-035 `dangling-selector`: NetworkPolicies and Services select pods, Ingresses name Services.

use serde_json::{Map, Value};

use super::KubernetesSetRule;
use super::common::{map_matches, pod_sources, same_namespace, selector_matches};
use crate::kubernetes::Object;
use crate::{Hit, RuleDoc, Severity, Target};

/// Selectors and backends must point at objects among the checked ones.
pub const RULE: KubernetesSetRule = KubernetesSetRule {
    doc: RuleDoc {
        id: "PL-K8S-035",
        name: "dangling-selector",
        severity: Severity::Warning,
        target: Target::Kubernetes,
        summary: "NetworkPolicies and Services select some workload's pods; Ingress backends name existing Services",
        doc: r#"Among the checked objects: a NetworkPolicy with a `podSelector` aimed at some pods (not `{}`) selects the pods
of some workload of its namespace; a Service with a `selector` (not `ExternalName`) selects the
pods of some workload; every Service an Ingress routes to (`defaultBackend` and
`rules[].http.paths[].backend.service.name`) exists in its namespace. Workloads are every kind
with a pod template, Argo Rollouts included (a Rollout with a `workloadRef` by its selector),
and the Jobs Argo Rollouts runs from an `AnalysisTemplate` or `ClusterAnalysisTemplate`
(`spec.metrics[].provider.job.spec.template`). Pods other operators create from custom resources
are not known: suppress the finding with a reason where a selector targets them.

## Why
A selector with no pods is almost always a typo or a rename left half done: the Service has no
endpoints and answers nothing, the policy protects nothing, the Ingress returns 503s.

## Fix
Make the selector match the pod template's labels:
```yaml
kind: Service
spec:
  selector:
    app: api        # the same as spec.template.metadata.labels of the Deployment
```

## References
- Kubernetes: Services, "Services without selectors"; Network Policies; Ingress
"#,
        equivalents: &[
            "kube-linter:dangling-networkpolicy",
            "kube-linter:dangling-service",
            "kube-linter:dangling-ingress",
            "kube-score:networkpolicy-targets-pod",
            "kube-score:service-targets-pod",
            "kube-score:ingress-targets-service",
            "kubescape:C-0299",
            "kubescape:C-0293",
            "kubescape:C-0298",
        ],
    },
    check,
};

/// Flags NetworkPolicies and Services that select no pod and Ingress backends without a Service.
fn check(objects: &[Object<'_>], hits: &mut Vec<(usize, Hit)>) {
    for (idx, object) in objects.iter().enumerate() {
        match object.kind() {
            "NetworkPolicy" => {
                let Some(selector) = object.value.pointer("/spec/podSelector") else {
                    continue;
                };
                // A selector that an unlabelled pod satisfies (`{}`, or only `NotIn` and
                // `DoesNotExist`) is namespace-wide rather than aimed at some pods.
                let broad = selector_matches(selector, &Map::new());
                if !broad && !pods_near(objects, object).iter().any(|labels| selector_matches(selector, labels)) {
                    hits.push((idx, Hit::new("/spec/podSelector", format!("{} selects no pod", object.display()))));
                }
            }
            "Service" => {
                let external = object.value.pointer("/spec/type").and_then(Value::as_str) == Some("ExternalName");
                let Some(selector) = object.value.pointer("/spec/selector").and_then(Value::as_object) else {
                    continue;
                };
                if !external
                    && !selector.is_empty()
                    && !pods_near(objects, object).iter().any(|labels| map_matches(selector, labels))
                {
                    hits.push((idx, Hit::new("/spec/selector", format!("{} selects no pod", object.display()))));
                }
            }
            "Ingress" => {
                for (pointer, service) in backends(object.value) {
                    let exists = objects
                        .iter()
                        .any(|o| o.kind() == "Service" && o.name() == service && same_namespace(o, object));
                    if !exists {
                        hits.push((
                            idx,
                            Hit::new(
                                pointer,
                                format!("{} routes to Service/{service}, which does not exist", object.display()),
                            ),
                        ));
                    }
                }
            }
            _ => {}
        }
    }
}

/// The labels of the pods of every workload and analysis Job in `object`'s namespace.
fn pods_near<'a>(objects: &[Object<'a>], object: &Object<'_>) -> Vec<&'a Map<String, Value>> {
    objects.iter().filter(|o| same_namespace(o, object)).flat_map(pod_sources).collect()
}

/// The Services an Ingress routes to, each with the pointer to its name (`networking.k8s.io/v1`
/// `service.name`, or the older `serviceName`).
fn backends(ingress: &Value) -> Vec<(String, &str)> {
    let mut out = Vec::new();
    for field in ["defaultBackend", "backend"] {
        if let Some(backend) = ingress.pointer(&format!("/spec/{field}")) {
            add(&mut out, format!("/spec/{field}"), backend);
        }
    }
    let rules = ingress.pointer("/spec/rules").and_then(Value::as_array);
    for (r, rule) in rules.into_iter().flatten().enumerate() {
        let paths = rule.pointer("/http/paths").and_then(Value::as_array);
        for (p, path) in paths.into_iter().flatten().enumerate() {
            if let Some(backend) = path.get("backend") {
                add(&mut out, format!("/spec/rules/{r}/http/paths/{p}/backend"), backend);
            }
        }
    }
    out
}

/// Adds the Service a backend names, if it names one.
fn add<'v>(out: &mut Vec<(String, &'v str)>, pointer: String, backend: &'v Value) {
    for field in ["/service/name", "/serviceName"] {
        if let Some(name) = backend.pointer(field).and_then(Value::as_str) {
            out.push((format!("{pointer}{field}"), name));
        }
    }
}
