//! Predicates the Kubernetes rules share: how a container is named in messages, the effective
//! security setting (the container's, else the pod's), capabilities, resources, image references
//! (with a Kustomization's `images:` applied), label selectors, namespaces and the replicated
//! workloads an autoscaler or a disruption budget applies to.

use serde_json::{Map, Value};

use crate::Hit;
use crate::kubernetes::{Container, Object};

/// `container "api" of Deployment/web`, or `init container "migrate" of Job/db`.
pub fn describe(object: &Object<'_>, container: &Container<'_>) -> String {
    let role = if container.init { "init container" } else { "container" };
    format!("{role} \"{}\" of {}", container.name(), object.display())
}

/// A field of the pod spec (`hostNetwork`), null counting as unset.
pub fn pod_field<'a>(object: &Object<'a>, field: &str) -> Option<(&'a Value, String)> {
    let spec = object.pod_spec()?;
    let value = spec.value.get(field).filter(|v| !v.is_null())?;
    Some((value, format!("{}/{field}", spec.pointer)))
}

/// The security setting `field` that applies to a container, with its pointer: the container's
/// `securityContext` wins; otherwise the pod's `securityContext` applies (for the fields both
/// have: `runAsUser`, `runAsGroup`, `runAsNonRoot`, `seccompProfile`, `seLinuxOptions`…).
pub fn effective_security<'a>(
    object: &Object<'a>,
    container: &Container<'a>,
    field: &str,
) -> Option<(&'a Value, String)> {
    if let Some(value) = container.security(field).filter(|v| !v.is_null()) {
        return Some((value, format!("{}/securityContext/{field}", container.pointer)));
    }
    let spec = object.pod_spec()?;
    let value = spec.value.get("securityContext")?.get(field).filter(|v| !v.is_null())?;
    Some((value, format!("{}/securityContext/{field}", spec.pointer)))
}

/// Where a container-level security field is, or would go: hits about a missing field point at
/// it, and the deepest existing prefix (the `securityContext`, else the container) locates them.
pub fn security_pointer(container: &Container<'_>, field: &str) -> String {
    format!("{}/securityContext/{field}", container.pointer)
}

/// Pushes one hit per container (init containers included) whose own `securityContext.field` is
/// not `wanted`; `what` completes the message (`does not drop ALL capabilities`).
pub fn require_container_flag(object: &Object<'_>, hits: &mut Vec<Hit>, field: &str, wanted: bool, what: &str) {
    for container in object.containers() {
        if container.security(field).and_then(Value::as_bool) != Some(wanted) {
            hits.push(Hit::new(
                security_pointer(&container, field),
                format!("{} {what}", describe(object, &container)),
            ));
        }
    }
}

/// Pushes a hit when the pod spec sets the boolean `field` (`hostNetwork`) to true.
pub fn forbid_pod_flag(object: &Object<'_>, hits: &mut Vec<Hit>, field: &str, what: &str) {
    if let Some((value, pointer)) = pod_field(object, field) {
        if value.as_bool() == Some(true) {
            hits.push(Hit::new(pointer, format!("{} {what}", object.display())));
        }
    }
}

/// A `hostPath` volume of a pod spec.
pub struct HostPath<'a> {
    /// The volume's name.
    pub volume: &'a str,
    /// The host path it mounts.
    pub path: &'a str,
    /// JSON pointer to its `hostPath.path`.
    pub pointer: String,
}

/// The `hostPath` volumes of the object's pod spec.
pub fn host_paths<'a>(object: &Object<'a>) -> Vec<HostPath<'a>> {
    let Some(spec) = object.pod_spec() else {
        return Vec::new();
    };
    let volumes = spec.value.get("volumes").and_then(Value::as_array);
    let mut out = Vec::new();
    for (idx, volume) in volumes.into_iter().flatten().enumerate() {
        if let Some(host) = volume.get("hostPath").filter(|h| h.is_object()) {
            out.push(HostPath {
                volume: volume.get("name").and_then(Value::as_str).unwrap_or_default(),
                path: host.get("path").and_then(Value::as_str).unwrap_or_default(),
                pointer: format!("{}/volumes/{idx}/hostPath/path", spec.pointer),
            });
        }
    }
    out
}

/// The containers that serve for as long as the pod lives, the ones probes are for: the regular
/// containers of every workload except run-to-completion Jobs and CronJobs.
pub fn serving_containers<'a>(object: &Object<'a>) -> Vec<Container<'a>> {
    if matches!(object.kind(), "Job" | "CronJob") {
        return Vec::new();
    }
    object.containers().into_iter().filter(|c| !c.init).collect()
}

/// Pushes one hit per serving container without the probe `field` (`livenessProbe`).
pub fn require_probe(object: &Object<'_>, hits: &mut Vec<Hit>, field: &str, what: &str) {
    for container in serving_containers(object) {
        if container.value.get(field).is_none_or(Value::is_null) {
            hits.push(Hit::new(
                format!("{}/{field}", container.pointer),
                format!("{} has no {what}", describe(object, &container)),
            ));
        }
    }
}

/// A capability name as the kernel spells it without the `CAP_` prefix, upper case (`NET_RAW`).
pub fn capability(value: &Value) -> String {
    let name = value.as_str().unwrap_or_default().trim().to_ascii_uppercase();
    name.strip_prefix("CAP_").map(str::to_owned).unwrap_or(name)
}

/// The capabilities a container adds or drops (`list` is `add` or `drop`), each with its pointer.
pub fn capabilities(container: &Container<'_>, list: &str) -> Vec<(String, String)> {
    let items = container.security("capabilities").and_then(|c| c.get(list)).and_then(Value::as_array);
    items
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(idx, value)| {
            (capability(value), format!("{}/securityContext/capabilities/{list}/{idx}", container.pointer))
        })
        .collect()
}

/// Whether a quantity is unset in effect: missing, null, empty or zero (`0`, `"0"`, `"0m"`).
fn unset_quantity(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::Number(n)) => n.as_f64() == Some(0.0),
        Some(Value::String(s)) => {
            let digits = s.trim().trim_end_matches(|c: char| c.is_ascii_alphabetic());
            digits.is_empty() || digits.parse::<f64>() == Ok(0.0)
        }
        Some(_) => false,
    }
}

/// Pushes one hit per container (init containers included) without `resources.{section}.{resource}`
/// (`section` is `requests` or `limits`). A missing request with a limit set is not a hit: the API
/// server defaults the request to the limit.
pub fn require_resource(object: &Object<'_>, hits: &mut Vec<Hit>, section: &str, resource: &str, what: &str) {
    for container in object.containers() {
        let resources = container.value.get("resources");
        let get = |section: &str| resources.and_then(|r| r.get(section)).and_then(|s| s.get(resource));
        let missing = unset_quantity(get(section)) && (section != "requests" || unset_quantity(get("limits")));
        if missing {
            hits.push(Hit::new(
                format!("{}/resources/{section}/{resource}", container.pointer),
                format!("{} has no {what}", describe(object, &container)),
            ));
        }
    }
}

/// An image reference split into repository, tag and digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// Registry and repository (`ghcr.io/acme/api`).
    pub name: String,
    /// The tag, if any (`1.4.2`).
    pub tag: Option<String>,
    /// The digest, if any (`sha256:…`).
    pub digest: Option<String>,
}

impl ImageRef {
    /// Parses `registry:port/repo:tag@digest`; the tag is what follows the last `:` after the
    /// last `/`, so a registry port is not mistaken for one.
    pub fn parse(image: &str) -> Self {
        let (rest, digest) = match image.split_once('@') {
            Some((rest, digest)) => (rest, Some(digest.to_owned())),
            None => (image, None),
        };
        let slash = rest.rfind('/').map_or(0, |idx| idx + 1);
        match rest[slash..].rfind(':') {
            Some(colon) => {
                let at = slash + colon;
                ImageRef { name: rest[..at].to_owned(), tag: Some(rest[at + 1..].to_owned()), digest }
            }
            None => ImageRef { name: rest.to_owned(), tag: None, digest },
        }
    }

    /// Whether the tag is missing or `latest` (and no digest pins it).
    pub fn floating(&self) -> bool {
        self.digest.is_none() && self.tag.as_deref().is_none_or(|tag| tag.is_empty() || tag == "latest")
    }
}

/// The image a container runs once the `images:` of every Kustomization among `objects` is
/// applied (`newName`, `newTag`, `digest`), as `kustomize build` would.
pub fn effective_image(objects: &[Object<'_>], container: &Container<'_>) -> ImageRef {
    let mut image = ImageRef::parse(container.value.get("image").and_then(Value::as_str).unwrap_or_default());
    let overrides = objects
        .iter()
        .filter(|o| o.kind() == "Kustomization")
        .filter_map(|o| o.value.get("images").and_then(Value::as_array))
        .flatten();
    for entry in overrides {
        if entry.get("name").and_then(Value::as_str) != Some(image.name.as_str()) {
            continue;
        }
        let field = |key: &str| entry.get(key).and_then(Value::as_str).map(str::to_owned);
        if let Some(name) = field("newName") {
            image.name = name;
        }
        if let Some(tag) = field("newTag") {
            image.tag = Some(tag);
        }
        if let Some(digest) = field("digest") {
            image.digest = Some(digest);
        }
    }
    image
}

/// Every container of every object, with the object's index.
pub fn all_containers<'a>(objects: &[Object<'a>]) -> Vec<(usize, Container<'a>)> {
    objects.iter().enumerate().flat_map(|(idx, o)| o.containers().into_iter().map(move |c| (idx, c))).collect()
}

/// `metadata.namespace` (empty when unset).
pub fn namespace<'a>(object: &Object<'a>) -> &'a str {
    object.value.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or_default()
}

/// Whether two objects can refer to each other by namespace: the same namespace, or one of them
/// has none (kustomize and `kubectl apply -n` set it later).
pub fn same_namespace(a: &Object<'_>, b: &Object<'_>) -> bool {
    let (a, b) = (namespace(a), namespace(b));
    a == b || a.is_empty() || b.is_empty()
}

/// The labels of the pods an object runs: a Pod's own labels, a workload's pod template labels,
/// or, for an Argo Rollout whose template lives in another object (`workloadRef`), its selector's
/// `matchLabels`.
pub fn pod_labels<'a>(object: &Object<'a>) -> Option<&'a Map<String, Value>> {
    let labels = if object.kind() == "Pod" {
        object.value.pointer("/metadata/labels")
    } else if object.pod_spec().is_some() {
        object.pod_metadata().and_then(|m| m.get("labels"))
    } else if object.kind() == "Rollout" {
        object.value.pointer("/spec/selector/matchLabels")
    } else {
        None
    };
    labels.and_then(Value::as_object)
}

/// The labels of every kind of pod an object makes, for matching selectors: its workload pods
/// ([`pod_labels`]), or for an Argo Rollouts `AnalysisTemplate` or `ClusterAnalysisTemplate`, the
/// pods of each metric's Job (`spec.metrics[].provider.job.spec.template`), which Argo Rollouts
/// runs during an analysis (smoke checks, load tests).
pub fn pod_sources<'a>(object: &Object<'a>) -> Vec<&'a Map<String, Value>> {
    if !matches!(object.kind(), "AnalysisTemplate" | "ClusterAnalysisTemplate") {
        return pod_labels(object).into_iter().collect();
    }
    let metrics = object.value.pointer("/spec/metrics").and_then(Value::as_array);
    metrics
        .into_iter()
        .flatten()
        .filter_map(|metric| metric.pointer("/provider/job/spec/template/metadata/labels")?.as_object())
        .collect()
}

/// Whether a `LabelSelector` (`matchLabels` and `matchExpressions`) selects `labels`; an empty
/// selector selects everything.
pub fn selector_matches(selector: &Value, labels: &Map<String, Value>) -> bool {
    let match_labels = selector.get("matchLabels").and_then(Value::as_object);
    if !match_labels.is_none_or(|wanted| map_matches(wanted, labels)) {
        return false;
    }
    let expressions = selector.get("matchExpressions").and_then(Value::as_array);
    expressions.into_iter().flatten().all(|expression| {
        let key = expression.get("key").and_then(Value::as_str).unwrap_or_default();
        let values: Vec<&str> = expression
            .get("values")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let value = labels.get(key).and_then(Value::as_str);
        match expression.get("operator").and_then(Value::as_str).unwrap_or_default() {
            "In" => value.is_some_and(|v| values.contains(&v)),
            "NotIn" => value.is_none_or(|v| !values.contains(&v)),
            "Exists" => value.is_some(),
            "DoesNotExist" => value.is_none(),
            _ => false,
        }
    })
}

/// Whether every `key: value` of `wanted` is among `labels` (a Service's selector).
pub fn map_matches(wanted: &Map<String, Value>, labels: &Map<String, Value>) -> bool {
    wanted.iter().all(|(key, value)| labels.get(key) == Some(value))
}

/// Whether the object is a workload kept at a replica count: a Deployment, a StatefulSet or an
/// Argo Rollout (which replaces a Deployment and is treated as one).
pub fn is_replicated(object: &Object<'_>) -> bool {
    matches!(object.kind(), "Deployment" | "StatefulSet" | "Rollout")
}

/// `spec.replicas` as written, if it is.
pub fn declared_replicas(object: &Object<'_>) -> Option<i64> {
    object.value.pointer("/spec/replicas").and_then(Value::as_i64)
}

/// The index of a HorizontalPodAutoscaler among `objects` that scales `objects[target]`.
pub fn autoscaler_of(objects: &[Object<'_>], target: usize) -> Option<usize> {
    let workload = &objects[target];
    objects.iter().position(|o| {
        o.kind() == "HorizontalPodAutoscaler"
            && same_namespace(o, workload)
            && o.value.pointer("/spec/scaleTargetRef/kind").and_then(Value::as_str) == Some(workload.kind())
            && o.value.pointer("/spec/scaleTargetRef/name").and_then(Value::as_str) == Some(workload.name())
    })
}

/// The fewest pods a replicated workload runs: the autoscaler's `minReplicas` (default 1) when one
/// scales it, else `spec.replicas` (default 1).
pub fn minimum_replicas(objects: &[Object<'_>], workload: usize) -> i64 {
    match autoscaler_of(objects, workload) {
        Some(hpa) => objects[hpa].value.pointer("/spec/minReplicas").and_then(Value::as_i64).unwrap_or(1),
        None => declared_replicas(&objects[workload]).unwrap_or(1),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{ImageRef, selector_matches};

    #[test]
    fn image_references() {
        let image = ImageRef::parse("registry:5000/team/api:1.2@sha256:abc");
        assert_eq!(image.name, "registry:5000/team/api");
        assert_eq!(image.tag.as_deref(), Some("1.2"));
        assert_eq!(image.digest.as_deref(), Some("sha256:abc"));
        assert!(ImageRef::parse("registry:5000/team/api").floating());
        assert!(ImageRef::parse("nginx:latest").floating());
        assert!(!ImageRef::parse("nginx@sha256:abc").floating());
    }

    #[test]
    fn label_selectors() {
        let labels = json!({"app": "web", "tier": "edge"});
        let labels = labels.as_object().unwrap();
        assert!(selector_matches(&json!({}), labels));
        assert!(selector_matches(&json!({"matchLabels": {"app": "web"}}), labels));
        assert!(!selector_matches(&json!({"matchLabels": {"app": "api"}}), labels));
        let expressions = json!({"matchExpressions": [
            {"key": "tier", "operator": "In", "values": ["edge", "core"]},
            {"key": "canary", "operator": "DoesNotExist"}]});
        assert!(selector_matches(&expressions, labels));
        let not_in = json!({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["edge"]}]});
        assert!(!selector_matches(&not_in, labels));
    }
}
