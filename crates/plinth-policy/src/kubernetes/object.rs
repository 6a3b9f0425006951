//! One Kubernetes object as parsed JSON, with accessors rules share: kind and name, annotations,
//! the pod spec inside every workload kind (Pod, Deployment, ReplicaSet, StatefulSet, DaemonSet,
//! Job, CronJob, Argo Rollout) and its containers, each with the JSON pointer to report at.

use serde_json::Value;

/// A parsed Kubernetes object.
#[derive(Debug, Clone, Copy)]
pub struct Object<'a> {
    /// The document.
    pub value: &'a Value,
}

/// The pod spec of a workload and where it is.
#[derive(Debug, Clone)]
pub struct PodSpec<'a> {
    /// JSON pointer to the pod spec (`/spec/template/spec`).
    pub pointer: String,
    /// The pod spec.
    pub value: &'a Value,
}

/// One container of a pod spec.
#[derive(Debug, Clone)]
pub struct Container<'a> {
    /// JSON pointer to the container (`/spec/template/spec/containers/0`).
    pub pointer: String,
    /// The container.
    pub value: &'a Value,
    /// An init container (`initContainers`), which runs to completion before the others.
    pub init: bool,
}

impl<'a> Container<'a> {
    /// The container's name (empty when missing).
    pub fn name(&self) -> &'a str {
        self.value.get("name").and_then(Value::as_str).unwrap_or_default()
    }

    /// A field of the container's `securityContext`.
    pub fn security(&self, field: &str) -> Option<&'a Value> {
        self.value.get("securityContext")?.get(field)
    }
}

impl<'a> Object<'a> {
    /// Wraps a parsed document.
    pub fn new(value: &'a Value) -> Self {
        Object { value }
    }

    /// `kind` (empty when missing).
    pub fn kind(&self) -> &'a str {
        self.value.get("kind").and_then(Value::as_str).unwrap_or_default()
    }

    /// `apiVersion` (empty when missing).
    pub fn api_version(&self) -> &'a str {
        self.value.get("apiVersion").and_then(Value::as_str).unwrap_or_default()
    }

    /// `metadata.name` (empty when missing).
    pub fn name(&self) -> &'a str {
        self.value.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default()
    }

    /// `Kind/name`, for messages.
    pub fn display(&self) -> String {
        format!("{}/{}", self.kind(), self.name())
    }

    /// An annotation of the object's own metadata.
    pub fn annotation(&self, key: &str) -> Option<&'a str> {
        self.value.get("metadata")?.get("annotations")?.get(key)?.as_str()
    }

    /// The pod spec this object runs, if it is a workload: `spec` of a Pod,
    /// `spec.jobTemplate.spec.template.spec` of a CronJob, `spec.template.spec` of the others.
    /// A Rollout using `workloadRef` has none of its own.
    pub fn pod_spec(&self) -> Option<PodSpec<'a>> {
        let pointer = match self.kind() {
            "Pod" => "/spec",
            "CronJob" => "/spec/jobTemplate/spec/template/spec",
            "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" | "Job" | "ReplicationController" | "Rollout" => {
                "/spec/template/spec"
            }
            _ => return None,
        };
        let value = self.value.pointer(pointer).filter(|v| v.is_object())?;
        Some(PodSpec { pointer: pointer.to_owned(), value })
    }

    /// The pod template's metadata (labels, annotations), for workloads with a template.
    pub fn pod_metadata(&self) -> Option<&'a Value> {
        let spec = self.pod_spec()?;
        let template = spec.pointer.strip_suffix("/spec")?;
        self.value.pointer(&format!("{template}/metadata"))
    }

    /// The containers of the pod spec, init containers first, each with its pointer.
    pub fn containers(&self) -> Vec<Container<'a>> {
        let Some(spec) = self.pod_spec() else { return Vec::new() };
        let mut out = Vec::new();
        for (field, init) in [("initContainers", true), ("containers", false)] {
            for (idx, value) in spec.value.get(field).and_then(Value::as_array).into_iter().flatten().enumerate() {
                out.push(Container { pointer: format!("{}/{field}/{idx}", spec.pointer), value, init });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::Object;

    #[test]
    fn pod_specs_of_every_workload_kind() {
        let cron = json!({"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": {
            "initContainers": [{"name": "init"}], "containers": [{"name": "main"}]}}}}}});
        let object = Object::new(&cron);
        let containers = object.containers();
        assert_eq!(containers.len(), 2);
        assert_eq!(containers[0].pointer, "/spec/jobTemplate/spec/template/spec/initContainers/0");
        assert!(containers[0].init);
        assert_eq!(containers[1].name(), "main");
        let rollout = json!({"kind": "Rollout", "spec": {"workloadRef": {"kind": "Deployment", "name": "x"}}});
        assert!(Object::new(&rollout).pod_spec().is_none());
        let service = json!({"kind": "Service", "spec": {"template": {"spec": {}}}});
        assert!(Object::new(&service).pod_spec().is_none());
    }
}
