//! External Secrets: the ClusterSecretStore for the spec's provider (AWS Secrets Manager through
//! IRSA, Vault through Kubernetes auth, or Kubernetes Secrets kept in a side namespace) and one
//! ExternalSecret per service that has secrets. Values are never rendered, only where they live.

use std::collections::BTreeMap;

use plinth_spec::model::{Platform, RemoteRef, SecretProvider, Service};
use serde_json::{Map, Value, json};

use super::{common_labels, meta, service_labels, value};
use crate::kubernetes::workload::secret_name;

/// How often External Secrets re-reads every value (seed 002).
pub const REFRESH_INTERVAL: &str = "1h";
/// Where the External Secrets operator runs; its service account holds the IRSA role.
pub const OPERATOR_NAMESPACE: &str = "external-secrets";

/// The ClusterSecretStore's name: the provider (seed 002 calls it `aws-secrets-manager`) after the
/// namespace, so environments sharing a cluster never overwrite each other's store.
pub fn store_name(platform: &Platform) -> String {
    let provider = match platform.secrets.provider {
        SecretProvider::AwsSecretsManager => "aws-secrets-manager",
        SecretProvider::Vault => "vault",
        SecretProvider::Kubernetes => "kubernetes",
    };
    format!("{}-{provider}", platform.kubernetes.namespace)
}

/// The namespace holding the source Secrets of the `kubernetes` provider.
pub fn source_namespace(platform: &Platform) -> String {
    format!("{}-secrets", platform.kubernetes.namespace)
}

/// The ClusterSecretStore every ExternalSecret of the application reads from.
pub fn cluster_store(platform: &Platform) -> Value {
    let operator = json!({ "name": "external-secrets", "namespace": OPERATOR_NAMESPACE });
    let provider = match platform.secrets.provider {
        SecretProvider::AwsSecretsManager => json!({ "aws": {
            "service": "SecretsManager",
            "region": platform.cloud.region,
            // IRSA: the operator's service account is annotated with an IAM role; no static keys.
            "auth": { "jwt": { "serviceAccountRef": operator } },
        }}),
        SecretProvider::Vault => {
            let vault = platform.secrets.vault.as_ref().expect("the resolver requires vault settings");
            json!({ "vault": {
                "server": vault.address,
                "path": vault.mount,
                "version": "v2",
                "auth": { "kubernetes": {
                    "mountPath": "kubernetes",
                    "role": vault.role,
                    "serviceAccountRef": operator,
                }},
            }})
        }
        SecretProvider::Kubernetes => json!({ "kubernetes": {
            "remoteNamespace": source_namespace(platform),
            "server": { "caProvider": {
                "type": "ConfigMap",
                "name": "kube-root-ca.crt",
                "key": "ca.crt",
                "namespace": OPERATOR_NAMESPACE,
            }},
            "auth": { "serviceAccount": operator },
        }}),
    };
    let mut labels = Map::new();
    for (key, val) in common_labels(platform) {
        labels.insert(key, Value::String(val));
    }
    json!({
        "apiVersion": "external-secrets.io/v1",
        "kind": "ClusterSecretStore",
        "metadata": { "name": store_name(platform), "labels": labels },
        "spec": { "provider": provider },
    })
}

/// An ExternalSecret `name` that owns the Secret of the same name, one key per entry.
pub fn external_secret(
    platform: &Platform,
    name: &str,
    labels: BTreeMap<String, String>,
    entries: &[(String, RemoteRef)],
) -> Value {
    let data: Vec<Value> = entries
        .iter()
        .map(|(secret_key, remote)| {
            let mut remote_ref = json!({ "key": remote.key });
            if let Some(property) = &remote.property {
                remote_ref["property"] = json!(property);
            }
            json!({ "secretKey": secret_key, "remoteRef": remote_ref })
        })
        .collect();
    json!({
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": value(&meta(platform, name, labels)),
        "spec": {
            "refreshInterval": REFRESH_INTERVAL,
            "secretStoreRef": { "kind": "ClusterSecretStore", "name": store_name(platform) },
            "target": { "name": name, "creationPolicy": "Owner", "deletionPolicy": "Retain" },
            "data": data,
        },
    })
}

/// The ExternalSecret behind a service's `<service>-secrets`, or `None` when it has no secrets.
pub fn for_service(platform: &Platform, svc: &Service) -> Option<Value> {
    if svc.secrets.is_empty() {
        return None;
    }
    let entries: Vec<(String, RemoteRef)> =
        svc.secrets.iter().map(|name| (name.clone(), platform.secrets.remote(name))).collect();
    Some(external_secret(platform, &secret_name(svc), service_labels(platform, svc), &entries))
}
