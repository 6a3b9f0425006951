//! The Deployment: pod template, container, probes, environment bindings and hardening.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec, DeploymentStrategy, RollingUpdateDeployment};
use k8s_openapi::api::core::v1::{
    Capabilities, ConfigMapEnvSource, Container, ContainerPort, EmptyDirVolumeSource, EnvFromSource, EnvVar,
    EnvVarSource, HTTPGetAction, PodSecurityContext, PodSpec, PodTemplateSpec, Probe as KubeProbe,
    ResourceRequirements, SeccompProfile, SecretKeySelector, SecurityContext, Toleration, TopologySpreadConstraint,
    Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use plinth_spec::model::{Engine, Hosting, IntOrPercent, Platform, Probe, Service};
use plinth_spec::names;

use super::single_replica::{self, REPLICAS_RULE};
use super::{annotate, meta, selector, service_labels};

fn int(n: u64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// The name of the Secret holding a service's secret values (created by External Secrets).
pub fn secret_name(svc: &Service) -> String {
    format!("{}-secrets", svc.name)
}

/// `auth-service` → `AUTH_SERVICE`.
fn env_prefix(name: &str) -> String {
    name.replace('-', "_").to_uppercase()
}

/// The plain variables of the service's ConfigMap: its own `env` and `PORT`.
pub fn config_env(_platform: &Platform, svc: &Service) -> BTreeMap<String, String> {
    let mut env = svc.env.clone();
    env.insert("PORT".to_owned(), svc.port().to_string());
    env
}

/// Variable `name` from key `key` of Secret `secret` (which must have it).
pub(crate) fn secret_env(name: &str, secret: &str, key: &str) -> EnvVar {
    EnvVar {
        name: name.to_owned(),
        value_from: Some(EnvVarSource {
            secret_key_ref: Some(SecretKeySelector {
                name: secret.to_owned(),
                key: key.to_owned(),
                optional: Some(false),
            }),
            ..EnvVarSource::default()
        }),
        ..EnvVar::default()
    }
}

fn plain(name: &str, value: impl Into<String>) -> EnvVar {
    EnvVar { name: name.to_owned(), value: Some(value.into()), ..EnvVar::default() }
}

/// Variables that connect the service to its datastores and the services it calls, in an order
/// where `$(VAR)` references only point backwards.
fn binding_env(platform: &Platform, svc: &Service) -> Vec<EnvVar> {
    let mut env = Vec::new();
    for secret in &svc.secrets {
        env.push(secret_env(secret, &secret_name(svc), secret));
    }
    for binding in &svc.uses {
        let Some(ds) = platform.datastore(&binding.datastore) else { continue };
        let tls = ds.hosting == Hosting::Managed;
        match binding.engine {
            Engine::Postgres => {
                let database = binding.database.clone().unwrap_or_default();
                env.push(plain("DB_HOST", ds.name.clone()));
                env.push(plain("DB_PORT", "5432"));
                env.push(plain("DB_NAME", database));
                env.push(plain("DB_USERNAME", svc.name.replace('-', "_")));
                let sslmode = if tls { "require" } else { "prefer" };
                env.push(plain("DB_SSLMODE", sslmode));
                env.push(plain(
                    "DATABASE_URL",
                    format!(
                        "postgres://$(DB_USERNAME):$(DB_PASSWORD)@$(DB_HOST):$(DB_PORT)/$(DB_NAME)?sslmode={sslmode}"
                    ),
                ));
            }
            Engine::Redis => {
                env.push(plain("REDIS_HOST", ds.name.clone()));
                env.push(plain("REDIS_PORT", "6379"));
                env.push(plain("REDIS_TLS", tls.to_string()));
                let scheme = if tls { "rediss" } else { "redis" };
                let auth = if ds.auth { ":$(REDIS_PASSWORD)@" } else { "" };
                env.push(plain("REDIS_URL", format!("{scheme}://{auth}$(REDIS_HOST):$(REDIS_PORT)")));
            }
            Engine::Bucket => {
                env.push(plain(
                    &format!("{}_BUCKET", env_prefix(&ds.name)),
                    names::datastore_resource(platform, &ds.name),
                ));
                env.push(plain("AWS_REGION", platform.cloud.region.clone()));
            }
        }
    }
    for callee in &svc.calls {
        env.push(plain(&format!("{}_URL", env_prefix(callee)), format!("http://{callee}")));
    }
    env.dedup_by(|a, b| a.name == b.name);
    env
}

fn probe(probe: &Probe, port: &str) -> KubeProbe {
    KubeProbe {
        http_get: Some(HTTPGetAction {
            path: Some(probe.path.clone()),
            port: IntOrString::String(port.to_owned()),
            ..HTTPGetAction::default()
        }),
        initial_delay_seconds: Some(int(probe.initial_delay.seconds())),
        period_seconds: Some(int(probe.period.seconds())),
        timeout_seconds: Some(int(probe.timeout.seconds()).max(1)),
        failure_threshold: Some(int(probe.failure_threshold.into())),
        ..KubeProbe::default()
    }
}

/// A count or percentage as Kubernetes writes it.
pub(crate) fn int_or_percent(value: IntOrPercent) -> IntOrString {
    match value {
        IntOrPercent::Int(n) => IntOrString::Int(int(n.into())),
        IntOrPercent::Percent(p) => IntOrString::String(format!("{}%", p.whole())),
    }
}

fn container(platform: &Platform, svc: &Service) -> Container {
    let port_name = svc.ports.iter().find(|p| p.number == svc.health.port).map_or("http", |p| p.name.as_str());
    let resources = |cpu: String, memory: String| {
        BTreeMap::from([("cpu".to_owned(), Quantity(cpu)), ("memory".to_owned(), Quantity(memory))])
    };
    let mut mounts =
        vec![VolumeMount { name: "tmp".to_owned(), mount_path: "/tmp".to_owned(), ..VolumeMount::default() }];
    for (idx, dir) in svc.security.writable.iter().enumerate() {
        mounts.push(VolumeMount { name: format!("writable-{idx}"), mount_path: dir.clone(), ..VolumeMount::default() });
    }
    Container {
        name: svc.name.clone(),
        image: Some(svc.image.clone()),
        image_pull_policy: Some("IfNotPresent".to_owned()),
        ports: Some(
            svc.ports
                .iter()
                .map(|p| ContainerPort {
                    name: Some(p.name.clone()),
                    container_port: i32::from(p.number),
                    protocol: Some("TCP".to_owned()),
                    ..ContainerPort::default()
                })
                .collect(),
        ),
        env_from: Some(vec![EnvFromSource {
            config_map_ref: Some(ConfigMapEnvSource { name: format!("{}-config", svc.name), optional: Some(false) }),
            ..EnvFromSource::default()
        }]),
        env: Some(binding_env(platform, svc)).filter(|env| !env.is_empty()),
        resources: Some(ResourceRequirements {
            requests: Some(resources(svc.cpu.low.to_string(), svc.memory.low.to_string())),
            limits: Some(resources(svc.cpu.high.to_string(), svc.memory.high.to_string())),
            ..ResourceRequirements::default()
        }),
        liveness_probe: Some(probe(&svc.health.liveness, port_name)),
        readiness_probe: Some(probe(&svc.health.readiness, port_name)),
        startup_probe: svc.health.startup.as_ref().map(|p| probe(p, port_name)),
        security_context: Some(SecurityContext {
            allow_privilege_escalation: Some(false),
            privileged: Some(false),
            read_only_root_filesystem: Some(svc.security.read_only_root_filesystem),
            run_as_non_root: Some(true),
            run_as_user: Some(i64::from(svc.security.run_as_user)),
            run_as_group: Some(i64::from(svc.security.run_as_user)),
            capabilities: Some(Capabilities {
                drop: Some(vec!["ALL".to_owned()]),
                add: Some(svc.security.capabilities.clone()).filter(|c| !c.is_empty()),
            }),
            seccomp_profile: Some(SeccompProfile { type_: "RuntimeDefault".to_owned(), ..SeccompProfile::default() }),
            ..SecurityContext::default()
        }),
        volume_mounts: Some(mounts),
        termination_message_policy: Some("FallbackToLogsOnError".to_owned()),
        ..Container::default()
    }
}

/// The most pods a service runs: its autoscaler's maximum, else its replicas.
fn max_replicas(svc: &Service) -> u32 {
    svc.autoscale.as_ref().map_or(svc.replicas, |a| a.max)
}

/// Spreads the service's pods: over nodes whenever it may run two or more (losing one node must not
/// take every replica; `ScheduleAnyway`, so a small cluster still schedules them), and over zones in
/// a multi-AZ environment (`DoNotSchedule`: the zones are what multi-AZ buys).
fn spread(platform: &Platform, svc: &Service) -> Option<Vec<TopologySpreadConstraint>> {
    let zones = platform.environment.multi_az.then_some(("topology.kubernetes.io/zone", "DoNotSchedule"));
    let hosts = (max_replicas(svc) >= 2).then_some(("kubernetes.io/hostname", "ScheduleAnyway"));
    let constraints: Vec<TopologySpreadConstraint> = zones
        .into_iter()
        .chain(hosts)
        .map(|(key, when)| TopologySpreadConstraint {
            max_skew: 1,
            topology_key: key.to_owned(),
            when_unsatisfiable: when.to_owned(),
            label_selector: Some(LabelSelector { match_labels: Some(selector(svc)), ..LabelSelector::default() }),
            ..TopologySpreadConstraint::default()
        })
        .collect();
    Some(constraints).filter(|c| !c.is_empty())
}

/// The pod template shared by every workload kind.
pub fn pod_template(platform: &Platform, svc: &Service) -> PodTemplateSpec {
    let annotations = BTreeMap::from([
        ("prometheus.io/scrape".to_owned(), "true".to_owned()),
        ("prometheus.io/port".to_owned(), svc.metrics.port.to_string()),
        ("prometheus.io/path".to_owned(), svc.metrics.path.clone()),
    ]);
    let mut volumes = vec![Volume {
        name: "tmp".to_owned(),
        empty_dir: Some(EmptyDirVolumeSource {
            size_limit: Some(Quantity("256Mi".to_owned())),
            ..EmptyDirVolumeSource::default()
        }),
        ..Volume::default()
    }];
    for idx in 0..svc.security.writable.len() {
        volumes.push(Volume {
            name: format!("writable-{idx}"),
            empty_dir: Some(EmptyDirVolumeSource::default()),
            ..Volume::default()
        });
    }
    let uid = i64::from(svc.security.run_as_user);
    PodTemplateSpec {
        metadata: Some(ObjectMeta {
            labels: Some(service_labels(platform, svc)),
            annotations: Some(annotations),
            ..ObjectMeta::default()
        }),
        spec: Some(PodSpec {
            service_account_name: Some(svc.name.clone()),
            automount_service_account_token: Some(svc.security.service_account_token),
            security_context: Some(PodSecurityContext {
                run_as_non_root: Some(true),
                run_as_user: Some(uid),
                run_as_group: Some(uid),
                fs_group: Some(uid),
                seccomp_profile: Some(SeccompProfile {
                    type_: "RuntimeDefault".to_owned(),
                    ..SeccompProfile::default()
                }),
                ..PodSecurityContext::default()
            }),
            containers: vec![container(platform, svc)],
            volumes: Some(volumes),
            termination_grace_period_seconds: Some(30),
            topology_spread_constraints: spread(platform, svc),
            tolerations: (svc.interruptible && platform.environment.nodes.spot).then(|| {
                vec![Toleration {
                    key: Some("spot".to_owned()),
                    operator: Some("Equal".to_owned()),
                    value: Some("true".to_owned()),
                    effect: Some("NoSchedule".to_owned()),
                    ..Toleration::default()
                }]
            }),
            ..PodSpec::default()
        }),
    }
}

/// `spec.replicas` of a service's workload: none when an autoscaler owns the count, since every
/// apply or sync would reset the autoscaler's decision to it (the workload starts at one pod and the
/// autoscaler raises it to `minReplicas`).
pub(crate) fn replicas(svc: &Service) -> Option<i32> {
    svc.autoscale.is_none().then(|| int(svc.replicas.into()))
}

/// The metadata of a service's workload of `kind` (`Deployment`, `Rollout`): with a reasoned
/// suppression when it runs a single pod outside production on purpose (see [`single_replica`]).
pub(crate) fn workload_meta(platform: &Platform, svc: &Service, kind: &str) -> ObjectMeta {
    let mut metadata = meta(platform, &svc.name, service_labels(platform, svc));
    if svc.autoscale.is_none() {
        let what = format!("{kind} `{}` runs", svc.name);
        annotate(&mut metadata, single_replica::service(platform, REPLICAS_RULE, &what, svc.replicas));
    }
    metadata
}

/// The Deployment of a service.
pub fn deployment(platform: &Platform, svc: &Service) -> Deployment {
    Deployment {
        metadata: workload_meta(platform, svc, "Deployment"),
        spec: Some(DeploymentSpec {
            replicas: replicas(svc),
            revision_history_limit: Some(10),
            progress_deadline_seconds: Some(int(svc.delivery.progress_deadline.seconds())),
            selector: LabelSelector { match_labels: Some(selector(svc)), ..LabelSelector::default() },
            strategy: Some(DeploymentStrategy {
                type_: Some("RollingUpdate".to_owned()),
                rolling_update: Some(RollingUpdateDeployment {
                    max_surge: Some(int_or_percent(svc.delivery.max_surge)),
                    max_unavailable: Some(int_or_percent(svc.delivery.max_unavailable)),
                }),
            }),
            template: pod_template(platform, svc),
            ..DeploymentSpec::default()
        }),
        ..Deployment::default()
    }
}
