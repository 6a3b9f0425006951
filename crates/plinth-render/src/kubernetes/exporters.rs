//! The exporters that make the datastore alerts meaningful (`pg_up`, `redis_up`, labelled
//! `datastore`): postgres_exporter and redis_exporter at the pinned releases of
//! [`plinth_spec::telemetry`].
//!
//! - An in-cluster datastore gets its exporter as a sidecar in the StatefulSet's pod. PostgreSQL's
//!   connects over the pod-local socket as `postgres` with peer authentication (the sidecar runs as
//!   the image's `postgres` UID): no password, and `pg_hba.conf` still rejects the superuser over
//!   the network; the service roles may not exist yet, the socket always does. Redis' connects to
//!   127.0.0.1 with `REDIS_PASSWORD` from `<datastore>-credentials`.
//! - A managed datastore (RDS, ElastiCache) gets a one-replica Deployment `<datastore>-exporter`,
//!   running as a ServiceAccount of the same name without a token, and a Service of the same name,
//!   reaching the datastore through its ExternalName Service with TLS (RDS forces SSL:
//!   `sslmode=require`; ElastiCache encrypts in transit: `rediss://`, the
//!   certificate unverified like `sslmode=require`, since it names the AWS endpoint, not the private
//!   DNS name). It logs in as the first service that uses the datastore (its role and
//!   `DB_PASSWORD`, or `REDIS_PASSWORD`, from `<service>-secrets`), so it needs no secret of its own.
//!
//! One replica is deliberate, not an oversight: two would each query the datastore and publish
//! every series twice (the alerts would count each datastore double), and a restarted exporter
//! only leaves a gap in the metrics. The Deployment says so in a suppression of PL-K8S-028, in
//! every environment.
//!
//! Every exporter pod carries [`DATASTORE_POD_LABEL`] and the `prometheus.io/*` annotations: the
//! pod-annotation scrape and the PodMonitor both turn the label into [`DATASTORE_LABEL`].
//!
//! [`DATASTORE_LABEL`]: plinth_spec::telemetry::DATASTORE_LABEL

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{
    Capabilities, Container, ContainerPort, EnvVar, HTTPGetAction, PodSecurityContext, PodSpec, PodTemplateSpec, Probe,
    ResourceRequirements, SeccompProfile, SecurityContext, Service, ServicePort, ServiceSpec, VolumeMount,
};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use plinth_spec::model::{Datastore, Engine, Platform};
use plinth_spec::telemetry::{self, DATASTORE_POD_LABEL, EXPORTER_PATH, Exporter};
use serde_json::Value;

use super::service::service_account;
use super::single_replica::REPLICAS_RULE;
use super::workload::{secret_env, secret_name};
use super::{APP_LABEL, annotate, common_labels, meta, network, value};
use crate::suppression;

/// The exporter container's port name.
pub const PORT_NAME: &str = "metrics";
/// The UID the managed datastores' exporters run as (`nobody`).
const NOBODY: i64 = 65534;
/// Why a managed datastore's exporter runs one replica in every environment.
const SINGLE_REPLICA_REASON: &str = "one exporter per datastore by design: a second replica would query the \
     datastore again and publish every series twice, doubling what the datastore alerts count; a restart \
     only leaves a gap in the metrics";

/// The name of a managed datastore's exporter Deployment and Service (`<datastore>-exporter`).
pub fn name(ds: &Datastore) -> String {
    plinth_spec::names::exporter(&ds.name)
}

/// The labels an exporter's pod carries besides its workload's: the datastore it reports on.
pub fn pod_labels(ds: &Datastore) -> BTreeMap<String, String> {
    BTreeMap::from([(DATASTORE_POD_LABEL.to_owned(), ds.name.clone())])
}

/// The annotations the `kubernetes-pods` scrape job discovers an exporter's pod by.
pub fn scrape_annotations(exporter: Exporter) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("prometheus.io/scrape".to_owned(), "true".to_owned()),
        ("prometheus.io/port".to_owned(), exporter.port.to_string()),
        ("prometheus.io/path".to_owned(), EXPORTER_PATH.to_owned()),
    ])
}

fn plain(name: &str, value: impl Into<String>) -> EnvVar {
    EnvVar { name: name.to_owned(), value: Some(value.into()), ..EnvVar::default() }
}

/// A GET of the metrics endpoint; `failure_threshold` failures in a row count.
fn probe(failure_threshold: i32) -> Probe {
    Probe {
        http_get: Some(HTTPGetAction {
            path: Some(EXPORTER_PATH.to_owned()),
            port: IntOrString::String(PORT_NAME.to_owned()),
            ..HTTPGetAction::default()
        }),
        initial_delay_seconds: Some(5),
        period_seconds: Some(30),
        // A scrape queries the datastore; give a slow one time before calling the exporter dead.
        timeout_seconds: Some(10),
        failure_threshold: Some(failure_threshold),
        ..Probe::default()
    }
}

/// The hardened exporter container, running as `uid`.
fn container(exporter: Exporter, env: Vec<EnvVar>, uid: i64) -> Container {
    let quantities = |cpu: &str, memory: &str| {
        BTreeMap::from([
            ("cpu".to_owned(), Quantity(cpu.to_owned())),
            ("memory".to_owned(), Quantity(memory.to_owned())),
        ])
    };
    Container {
        name: "exporter".to_owned(),
        image: Some(exporter.image.to_owned()),
        image_pull_policy: Some("IfNotPresent".to_owned()),
        ports: Some(vec![ContainerPort {
            name: Some(PORT_NAME.to_owned()),
            container_port: i32::from(exporter.port),
            protocol: Some("TCP".to_owned()),
            ..ContainerPort::default()
        }]),
        env: Some(env),
        resources: Some(ResourceRequirements {
            requests: Some(quantities("10m", "32Mi")),
            limits: Some(quantities("100m", "128Mi")),
            ..ResourceRequirements::default()
        }),
        readiness_probe: Some(probe(1)),
        liveness_probe: Some(probe(3)),
        security_context: Some(SecurityContext {
            allow_privilege_escalation: Some(false),
            privileged: Some(false),
            read_only_root_filesystem: Some(true),
            run_as_non_root: Some(true),
            run_as_user: Some(uid),
            run_as_group: Some(uid),
            capabilities: Some(Capabilities { drop: Some(vec!["ALL".to_owned()]), ..Capabilities::default() }),
            seccomp_profile: Some(SeccompProfile { type_: "RuntimeDefault".to_owned(), ..SeccompProfile::default() }),
            ..SecurityContext::default()
        }),
        termination_message_policy: Some("FallbackToLogsOnError".to_owned()),
        ..Container::default()
    }
}

/// postgres_exporter beside an in-cluster PostgreSQL running as `uid`, connecting over the socket
/// directory `socket` (mounted read-only: connecting needs no write access to the directory).
pub fn postgres_sidecar(socket: &VolumeMount, uid: i64) -> Container {
    let dsn = format!("host={} user=postgres dbname=postgres sslmode=disable", socket.mount_path);
    let mut sidecar = container(telemetry::POSTGRES_EXPORTER, vec![plain("DATA_SOURCE_NAME", dsn)], uid);
    sidecar.volume_mounts = Some(vec![VolumeMount { read_only: Some(true), ..socket.clone() }]);
    sidecar
}

/// redis_exporter beside an in-cluster Redis running as `uid`, authenticating with `password`
/// (the datastore's own `REDIS_PASSWORD` variable) when it has `auth`.
pub fn redis_sidecar(password: Option<EnvVar>, uid: i64) -> Container {
    let mut env = vec![plain("REDIS_ADDR", "redis://127.0.0.1:6379")];
    env.extend(password);
    container(telemetry::REDIS_EXPORTER, env, uid)
}

/// The exporter of a managed datastore: ServiceAccount, Deployment, Service and (strict mode)
/// NetworkPolicy; nothing when [`telemetry::exporter`] deploys none.
pub fn managed(platform: &Platform, ds: &Datastore) -> Vec<Value> {
    let Some(exporter) = telemetry::exporter(platform, ds) else { return Vec::new() };
    let login = telemetry::exporter_login(platform, ds);
    let port = ds.port().expect("datastores with an exporter listen on a port");
    let env = match ds.engine {
        Engine::Postgres => {
            let svc = login.expect("a managed PostgreSQL has an exporter only with a login");
            let binding = svc.uses.iter().find(|u| u.datastore == ds.name);
            let database = binding.and_then(|u| u.database.clone()).or_else(|| ds.databases.first().cloned());
            vec![
                plain(
                    "DATA_SOURCE_URI",
                    format!("{}:{port}/{}?sslmode=require", ds.name, database.unwrap_or_default()),
                ),
                // The service's DB_USERNAME: its name with `_` for `-`.
                plain("DATA_SOURCE_USER", svc.name.replace('-', "_")),
                secret_env("DATA_SOURCE_PASS", &secret_name(svc), "DB_PASSWORD"),
            ]
        }
        _ => {
            let mut env = vec![
                plain("REDIS_ADDR", format!("rediss://{}:{port}", ds.name)),
                plain("REDIS_EXPORTER_SKIP_TLS_VERIFICATION", "true"),
            ];
            if ds.auth {
                let svc = login.expect("a managed Redis with auth has an exporter only with a login");
                env.push(secret_env("REDIS_PASSWORD", &secret_name(svc), "REDIS_PASSWORD"));
            }
            env
        }
    };
    let name = name(ds);
    let selector = BTreeMap::from([(APP_LABEL.to_owned(), name.clone())]);
    let mut labels = common_labels(platform);
    labels.extend(selector.clone());
    labels.extend(pod_labels(ds));
    labels.insert("app.kubernetes.io/name".to_owned(), exporter.name.replace('_', "-"));
    labels.insert("app.kubernetes.io/component".to_owned(), "metrics".to_owned());
    let mut metadata = meta(platform, &name, labels.clone());
    annotate(&mut metadata, Some(suppression::ignore(&[REPLICAS_RULE], SINGLE_REPLICA_REASON)));
    let deployment = Deployment {
        metadata,
        spec: Some(DeploymentSpec {
            replicas: Some(1),
            revision_history_limit: Some(3),
            selector: LabelSelector { match_labels: Some(selector.clone()), ..LabelSelector::default() },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels.clone()),
                    annotations: Some(scrape_annotations(exporter)),
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    service_account_name: Some(name.clone()),
                    automount_service_account_token: Some(false),
                    enable_service_links: Some(false),
                    security_context: Some(PodSecurityContext {
                        run_as_non_root: Some(true),
                        run_as_user: Some(NOBODY),
                        run_as_group: Some(NOBODY),
                        seccomp_profile: Some(SeccompProfile {
                            type_: "RuntimeDefault".to_owned(),
                            ..SeccompProfile::default()
                        }),
                        ..PodSecurityContext::default()
                    }),
                    containers: vec![container(exporter, env, NOBODY)],
                    termination_grace_period_seconds: Some(10),
                    ..PodSpec::default()
                }),
            },
            ..DeploymentSpec::default()
        }),
        ..Deployment::default()
    };
    let service = Service {
        metadata: meta(platform, &name, labels.clone()),
        spec: Some(ServiceSpec {
            type_: Some("ClusterIP".to_owned()),
            selector: Some(selector.clone()),
            ports: Some(vec![ServicePort {
                name: Some(PORT_NAME.to_owned()),
                port: i32::from(exporter.port),
                target_port: Some(IntOrString::String(PORT_NAME.to_owned())),
                protocol: Some("TCP".to_owned()),
                ..ServicePort::default()
            }]),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    };
    let account = service_account(platform, &name, labels.clone(), false);
    let mut objects = vec![value(&account), value(&deployment), value(&service)];
    objects.extend(network::for_exporter(platform, ds, selector, labels).map(|policy: NetworkPolicy| value(&policy)));
    objects
}
