//! Datastores as the cluster sees them. A managed (RDS or ElastiCache) datastore gets a stable
//! in-cluster name: an ExternalName Service pointing at the private DNS record the Terraform backend
//! creates for it (`<datastore>.<environment>.<application>.internal`). A datastore with
//! `hosting: cluster` runs in the namespace as a single-instance StatefulSet (see [`postgres`] and
//! [`redis`]) built from the shared pieces here: labels, a headless and a ClusterIP Service, the
//! credentials ExternalSecret, and a hardened pod on a PersistentVolumeClaim running as its own
//! ServiceAccount (no API token mounted).
//! Either way the datastore gets its exporter (see [`exporters`]): a sidecar in the pod, or a small
//! Deployment beside the ExternalName Service.
//!
//! Operational limits of the in-cluster StatefulSets, by design:
//! - one instance, no replication or failover (`replicas` and `multi_az` of the spec apply to
//!   managed datastores only). A node drain evicts it and it restarts on another node of its
//!   volume's zone: a short outage one instance cannot avoid. So no PodDisruptionBudget: one that
//!   keeps the only pod (`minAvailable: 1`) can never be satisfied and blocks every drain and
//!   cluster upgrade until someone deletes it, and one that allows the eviction
//!   (`maxUnavailable: 1`) protects nothing. Outside production the StatefulSet carries a reasoned
//!   suppression of `plinth check`'s single-replica finding; in production the finding stands;
//! - `volumeClaimTemplates` are immutable: growing `storage` means resizing the PVC itself (on a
//!   StorageClass with `allowVolumeExpansion`) and re-creating the StatefulSet with
//!   `kubectl delete statefulset <name> --cascade=orphan` before the next apply.

mod postgres;
mod redis;

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{
    StatefulSet, StatefulSetPersistentVolumeClaimRetentionPolicy, StatefulSetSpec, StatefulSetUpdateStrategy,
};
use k8s_openapi::api::core::v1::{
    Capabilities, ConfigMap, ConfigMapVolumeSource, Container, ContainerPort, EmptyDirVolumeSource, EnvVar, ExecAction,
    PersistentVolumeClaim, PersistentVolumeClaimSpec, PodSecurityContext, PodSpec, PodTemplateSpec, Probe,
    ResourceRequirements, SeccompProfile, SecurityContext, Service, ServicePort, ServiceSpec, Volume,
    VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use plinth_spec::model::{Datastore, Engine, Hosting, Platform, RemoteRef};
use plinth_spec::{names, telemetry};
use serde_json::Value;

use super::service::service_account;
use super::workload::secret_env;
use super::{APP_LABEL, annotate, common_labels, exporters, meta, network, secrets, single_replica, value};

/// The UID and GID of the `postgres` and `redis` users in the official Debian-based images; the
/// pods run as this user and the volumes are group-owned by it.
pub const DATASTORE_UID: i64 = 999;
/// The name of the PersistentVolumeClaim template (and pod volume) holding a datastore's data.
pub const DATA_VOLUME: &str = "data";

/// The private DNS name of a managed datastore.
pub fn private_host(platform: &Platform, datastore: &str) -> String {
    names::datastore_host(platform, datastore)
}

/// ExternalName Services for the managed postgres and redis datastores; ConfigMaps, Services,
/// credentials, ServiceAccount, StatefulSet and NetworkPolicy for the in-cluster ones.
pub fn objects(platform: &Platform) -> Vec<Value> {
    let mut objects = Vec::new();
    for ds in &platform.datastores {
        match (ds.hosting, ds.engine) {
            (_, Engine::Bucket) => {}
            (Hosting::Managed, _) => {
                objects.push(external_name(platform, ds));
                objects.extend(exporters::managed(platform, ds));
            }
            (Hosting::Cluster, Engine::Postgres) => objects.extend(postgres::objects(platform, ds)),
            (Hosting::Cluster, Engine::Redis) => objects.extend(redis::objects(platform, ds)),
        }
        objects.extend(network::for_datastore(platform, ds));
    }
    objects
}

fn external_name(platform: &Platform, ds: &Datastore) -> Value {
    let mut labels = common_labels(platform);
    labels.insert("app.kubernetes.io/name".to_owned(), ds.name.clone());
    value(&Service {
        metadata: meta(platform, &ds.name, labels),
        spec: Some(ServiceSpec {
            type_: Some("ExternalName".to_owned()),
            external_name: Some(private_host(platform, &ds.name)),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    })
}

/// The selector labels of an in-cluster datastore's pod (`app: <datastore>`).
pub(crate) fn selector(ds: &Datastore) -> BTreeMap<String, String> {
    BTreeMap::from([(APP_LABEL.to_owned(), ds.name.clone())])
}

/// Labels on an in-cluster datastore's objects and pod.
pub(crate) fn labels(platform: &Platform, ds: &Datastore) -> BTreeMap<String, String> {
    let mut labels = common_labels(platform);
    labels.extend(selector(ds));
    labels.insert("app.kubernetes.io/name".to_owned(), ds.name.clone());
    let component = if ds.engine == Engine::Redis { "cache" } else { "database" };
    labels.insert("app.kubernetes.io/component".to_owned(), component.to_owned());
    labels
}

/// The Secret (written by External Secrets) holding a datastore's passwords.
fn credentials_name(ds: &Datastore) -> String {
    format!("{}-credentials", ds.name)
}

/// The ExternalSecret behind `<datastore>-credentials`.
fn credentials(platform: &Platform, ds: &Datastore, entries: &[(String, RemoteRef)]) -> Value {
    secrets::external_secret(platform, &credentials_name(ds), labels(platform, ds), entries)
}

/// An environment variable read from key `key` of the datastore's credentials Secret.
fn credential_env(ds: &Datastore, name: &str, key: &str) -> EnvVar {
    secret_env(name, &credentials_name(ds), key)
}

/// A ConfigMap of the datastore's files (`<datastore>-config` holds its configuration).
fn config_map(platform: &Platform, ds: &Datastore, name: &str, data: BTreeMap<String, String>) -> Value {
    value(&ConfigMap { metadata: meta(platform, name, labels(platform, ds)), data: Some(data), ..ConfigMap::default() })
}

/// The ConfigMap with the engine's configuration files.
fn config_name(ds: &Datastore) -> String {
    format!("{}-config", ds.name)
}

/// The StatefulSet's governing Service (`<datastore>-headless`: stable pod DNS, ready or not) and
/// the ClusterIP Service `<datastore>` that clients connect to.
fn services(platform: &Platform, ds: &Datastore, port_name: &str) -> Vec<Value> {
    let number = ds.port().expect("in-cluster datastores listen on a port");
    let spec = ServiceSpec {
        selector: Some(selector(ds)),
        ports: Some(vec![ServicePort {
            name: Some(port_name.to_owned()),
            port: i32::from(number),
            target_port: Some(IntOrString::String(port_name.to_owned())),
            protocol: Some("TCP".to_owned()),
            ..ServicePort::default()
        }]),
        ..ServiceSpec::default()
    };
    let headless = Service {
        metadata: meta(platform, &headless_name(ds), labels(platform, ds)),
        spec: Some(ServiceSpec {
            cluster_ip: Some("None".to_owned()),
            publish_not_ready_addresses: Some(true),
            ..spec.clone()
        }),
        ..Service::default()
    };
    let clients = Service {
        metadata: meta(platform, &ds.name, labels(platform, ds)),
        spec: Some(ServiceSpec { type_: Some("ClusterIP".to_owned()), ..spec }),
        ..Service::default()
    };
    vec![value(&headless), value(&clients)]
}

fn headless_name(ds: &Datastore) -> String {
    format!("{}-headless", ds.name)
}

/// The ServiceAccount the datastore's pod runs as (named like the datastore): its own, not the
/// namespace's `default`, and with no token, since the datastore never calls the Kubernetes API.
fn account(platform: &Platform, ds: &Datastore) -> Value {
    value(&service_account(platform, &ds.name, labels(platform, ds), false))
}

/// A named TCP container port.
fn container_port(name: &str, number: u16) -> ContainerPort {
    ContainerPort {
        name: Some(name.to_owned()),
        container_port: i32::from(number),
        protocol: Some("TCP".to_owned()),
        ..ContainerPort::default()
    }
}

/// A probe running `command` in the container.
fn exec_probe(command: &[&str], period: i32, failure_threshold: i32) -> Probe {
    Probe {
        exec: Some(ExecAction { command: Some(command.iter().map(|part| (*part).to_owned()).collect()) }),
        period_seconds: Some(period),
        timeout_seconds: Some(5),
        failure_threshold: Some(failure_threshold),
        ..Probe::default()
    }
}

/// An emptyDir volume, memory-backed when `memory` is set.
fn empty_dir(name: &str, size: Quantity, memory: bool) -> Volume {
    Volume {
        name: name.to_owned(),
        empty_dir: Some(EmptyDirVolumeSource { medium: memory.then(|| "Memory".to_owned()), size_limit: Some(size) }),
        ..Volume::default()
    }
}

/// A volume from ConfigMap `name`, its files with `mode`.
fn config_volume(volume: &str, name: String, mode: i32) -> Volume {
    Volume {
        name: volume.to_owned(),
        config_map: Some(ConfigMapVolumeSource { name, default_mode: Some(mode), ..ConfigMapVolumeSource::default() }),
        ..Volume::default()
    }
}

/// The memory limit in whole mebibytes.
fn memory_limit_mib(ds: &Datastore) -> u64 {
    ds.memory.high.0 >> 20
}

/// FNV-1a over the ConfigMap's files: a pod-template annotation, so a configuration change rolls
/// the pod (a StatefulSet does not restart on ConfigMap edits by itself).
fn checksum(data: &BTreeMap<String, String>) -> String {
    let hash = data
        .iter()
        .flat_map(|(name, text)| name.bytes().chain([0]).chain(text.bytes()).chain([0]))
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3));
    format!("{hash:016x}")
}

/// The single-instance StatefulSet around `container`: the pod runs as [`DATASTORE_UID`] and the
/// ServiceAccount of [`account`], with a read-only root filesystem (the `config` volume from
/// `<datastore>-config` and a `tmp` emptyDir are added to `volumes`), the container gets the spec's resources and a hardened security
/// context, and the data lives on the PersistentVolumeClaim [`DATA_VOLUME`] of `storage`'s
/// initial size, kept when the StatefulSet is deleted or scaled down. The `exporter` sidecar (see
/// [`exporters`]) shares the pod, which carries its scrape annotations and datastore label.
fn stateful_set(
    platform: &Platform,
    ds: &Datastore,
    mut container: Container,
    exporter: Container,
    mut volumes: Vec<Volume>,
    config: &BTreeMap<String, String>,
) -> Value {
    let quantities = |cpu: String, memory: String| {
        BTreeMap::from([("cpu".to_owned(), Quantity(cpu)), ("memory".to_owned(), Quantity(memory))])
    };
    container.image_pull_policy = Some("IfNotPresent".to_owned());
    container.resources = Some(ResourceRequirements {
        requests: Some(quantities(ds.cpu.low.to_string(), ds.memory.low.to_string())),
        limits: Some(quantities(ds.cpu.high.to_string(), ds.memory.high.to_string())),
        ..ResourceRequirements::default()
    });
    container.security_context = Some(SecurityContext {
        allow_privilege_escalation: Some(false),
        privileged: Some(false),
        read_only_root_filesystem: Some(true),
        run_as_non_root: Some(true),
        run_as_user: Some(DATASTORE_UID),
        run_as_group: Some(DATASTORE_UID),
        capabilities: Some(Capabilities { drop: Some(vec!["ALL".to_owned()]), ..Capabilities::default() }),
        seccomp_profile: Some(SeccompProfile { type_: "RuntimeDefault".to_owned(), ..SeccompProfile::default() }),
        ..SecurityContext::default()
    });
    container.termination_message_policy = Some("FallbackToLogsOnError".to_owned());
    volumes.insert(0, config_volume("config", config_name(ds), 0o444));
    volumes.push(empty_dir("tmp", Quantity("256Mi".to_owned()), false));

    let claim = PersistentVolumeClaim {
        // The template is immutable: only the selector labels, which never change.
        metadata: ObjectMeta {
            name: Some(DATA_VOLUME.to_owned()),
            labels: Some(selector(ds)),
            ..ObjectMeta::default()
        },
        spec: Some(PersistentVolumeClaimSpec {
            access_modes: Some(vec!["ReadWriteOnce".to_owned()]),
            resources: Some(VolumeResourceRequirements {
                requests: Some(BTreeMap::from([("storage".to_owned(), Quantity(ds.storage.low.to_string()))])),
                ..VolumeResourceRequirements::default()
            }),
            ..PersistentVolumeClaimSpec::default()
        }),
        ..PersistentVolumeClaim::default()
    };
    let mut pod_labels = labels(platform, ds);
    pod_labels.extend(exporters::pod_labels(ds));
    let scraped = telemetry::exporter(platform, ds).expect("in-cluster datastores have an exporter");
    let mut annotations = exporters::scrape_annotations(scraped);
    annotations.insert("checksum/config".to_owned(), checksum(config));
    let template = PodTemplateSpec {
        metadata: Some(ObjectMeta {
            labels: Some(pod_labels),
            annotations: Some(annotations),
            ..ObjectMeta::default()
        }),
        spec: Some(PodSpec {
            service_account_name: Some(ds.name.clone()),
            automount_service_account_token: Some(false),
            // No `<SERVICE>_PORT=tcp://…` variables: the images read `POSTGRES_*` and `REDIS_*`.
            enable_service_links: Some(false),
            security_context: Some(PodSecurityContext {
                run_as_non_root: Some(true),
                run_as_user: Some(DATASTORE_UID),
                run_as_group: Some(DATASTORE_UID),
                fs_group: Some(DATASTORE_UID),
                fs_group_change_policy: Some("OnRootMismatch".to_owned()),
                seccomp_profile: Some(SeccompProfile {
                    type_: "RuntimeDefault".to_owned(),
                    ..SeccompProfile::default()
                }),
                ..PodSecurityContext::default()
            }),
            containers: vec![container, exporter],
            volumes: Some(volumes),
            termination_grace_period_seconds: Some(60),
            ..PodSpec::default()
        }),
    };
    let mut metadata = meta(platform, &ds.name, labels(platform, ds));
    annotate(&mut metadata, Some(single_replica::datastore(platform, ds)));
    value(&StatefulSet {
        metadata,
        spec: Some(StatefulSetSpec {
            replicas: Some(1),
            service_name: Some(headless_name(ds)),
            selector: LabelSelector { match_labels: Some(selector(ds)), ..LabelSelector::default() },
            update_strategy: Some(StatefulSetUpdateStrategy {
                type_: Some("RollingUpdate".to_owned()),
                ..StatefulSetUpdateStrategy::default()
            }),
            persistent_volume_claim_retention_policy: Some(StatefulSetPersistentVolumeClaimRetentionPolicy {
                when_deleted: Some("Retain".to_owned()),
                when_scaled: Some("Retain".to_owned()),
            }),
            template,
            volume_claim_templates: Some(vec![claim]),
            ..StatefulSetSpec::default()
        }),
        ..StatefulSet::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_changes_with_the_configuration() {
        let one = BTreeMap::from([("redis.conf".to_owned(), "maxmemory 409mb\n".to_owned())]);
        let two = BTreeMap::from([("redis.conf".to_owned(), "maxmemory 819mb\n".to_owned())]);
        assert_eq!(checksum(&one), checksum(&one.clone()));
        assert_ne!(checksum(&one), checksum(&two));
        assert_eq!(checksum(&one).len(), 16);
    }
}
