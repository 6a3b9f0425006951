//! The Kubernetes backend: one directory per environment with a `kustomization.yaml`, one file per
//! service and one per platform concern, every object typed with k8s-openapi.

mod analysis;
mod datastores;
mod exporters;
mod ingress;
mod monitoring;
mod namespace;
mod network;
mod rollout;
mod secrets;
mod service;
mod single_replica;
mod tls;
mod velero;
mod workload;

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use plinth_spec::model::{Platform, Service, Strategy};
use serde::Serialize;
use serde_json::{Value, json};

use crate::Artifacts;

/// The label every pod of a service carries and every selector uses.
pub const APP_LABEL: &str = "app";

/// Renders `environments/<env>/kubernetes/` for `platform`.
pub fn render(platform: &Platform, artifacts: &mut Artifacts) {
    let dir = format!("environments/{}/kubernetes", platform.environment.name);
    let header = format!(
        "Rendered by plinth from plinth.yaml (application {}, environment {}).\nDo not edit: change plinth.yaml and run `plinth render`.",
        platform.name, platform.environment.name
    );
    let mut files: Vec<(String, Vec<Value>)> = Vec::new();
    files.push(("namespace.yaml".to_owned(), namespace::objects(platform)));
    if let Some(policies) = network::baseline(platform) {
        files.push(("network-policies.yaml".to_owned(), policies));
    }
    let datastores = datastores::objects(platform);
    if !datastores.is_empty() {
        files.push(("datastores.yaml".to_owned(), datastores));
    }
    files.push(("secret-store.yaml".to_owned(), vec![secrets::cluster_store(platform)]));
    let templates = analysis::templates(platform);
    if !templates.is_empty() {
        files.push(("analysis-templates.yaml".to_owned(), templates));
    }
    for svc in &platform.services {
        let mut objects = service::objects(platform, svc);
        objects.extend(secrets::for_service(platform, svc));
        objects.push(match svc.delivery.strategy {
            Strategy::Rolling => value(&workload::deployment(platform, svc)),
            _ => rollout::object(platform, svc),
        });
        objects.extend(network::for_service(platform, svc));
        files.push((format!("{}.yaml", svc.name), objects));
    }
    let ingresses = ingress::objects(platform);
    if !ingresses.is_empty() {
        files.push(("ingress.yaml".to_owned(), ingresses));
    }
    let certificates = tls::objects(platform, &ingress::hosts(platform));
    if !certificates.is_empty() {
        files.push(("certificates.yaml".to_owned(), certificates));
    }
    if let Some(schedule) = velero::schedule(platform) {
        files.push(("backup-schedule.yaml".to_owned(), vec![schedule]));
    }
    let mut monitoring = vec![monitoring::prometheus_rule(platform)];
    monitoring.extend(platform.services.iter().map(|svc| monitoring::service_monitor(platform, svc)));
    monitoring.extend(platform.datastores.iter().filter_map(|ds| monitoring::pod_monitor(platform, ds)));
    files.push(("monitoring.yaml".to_owned(), monitoring));
    let resources: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
    let kustomization = kustomization(platform, &resources);
    for (name, objects) in &files {
        artifacts.add_yaml(format!("{dir}/{name}"), &header, objects);
    }
    artifacts.add_yaml(format!("{dir}/kustomization.yaml"), &header, &[kustomization]);
}

fn kustomization(platform: &Platform, resources: &[&str]) -> Value {
    let mut images: Vec<Value> =
        platform.services.iter().map(|svc| json!({ "name": svc.image, "newTag": image_tag(platform) })).collect();
    images.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    images.dedup();
    json!({
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": resources,
        "images": images,
    })
}

/// The tag deployed until CI pins a commit: the branch tag CI pushes for this environment.
fn image_tag(platform: &Platform) -> String {
    platform.environment.branch.clone().unwrap_or_else(|| "main".to_owned())
}

/// Serializes a typed object for a file.
pub(crate) fn value<T: Serialize>(object: &T) -> Value {
    serde_json::to_value(object).expect("Kubernetes objects serialize")
}

/// Labels on every object plinth renders.
pub(crate) fn common_labels(platform: &Platform) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("app.kubernetes.io/part-of".to_owned(), platform.name.clone()),
        ("app.kubernetes.io/managed-by".to_owned(), "plinth".to_owned()),
        ("environment".to_owned(), platform.environment.name.clone()),
    ])
}

/// The selector labels of a service's pods.
pub(crate) fn selector(svc: &Service) -> BTreeMap<String, String> {
    BTreeMap::from([(APP_LABEL.to_owned(), svc.name.clone())])
}

/// Labels on a service's objects and pods.
pub(crate) fn service_labels(platform: &Platform, svc: &Service) -> BTreeMap<String, String> {
    let mut labels = common_labels(platform);
    labels.extend(selector(svc));
    labels.insert("app.kubernetes.io/name".to_owned(), svc.name.clone());
    if let Some(tier) = &svc.tier {
        labels.insert("tier".to_owned(), tier.clone());
    }
    labels
}

/// Metadata for a namespaced object.
pub(crate) fn meta(platform: &Platform, name: &str, labels: BTreeMap<String, String>) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_owned()),
        namespace: Some(platform.kubernetes.namespace.clone()),
        labels: Some(labels),
        ..ObjectMeta::default()
    }
}

/// Adds `annotations`, when there are any, to an object's metadata.
pub(crate) fn annotate(metadata: &mut ObjectMeta, annotations: Option<BTreeMap<String, String>>) {
    if let Some(annotations) = annotations {
        metadata.annotations.get_or_insert_default().extend(annotations);
    }
}
