//! The Kubernetes rules (research `policy-anchors.md` §2a), one file per rule, `PL-K8S-001` to
//! `PL-K8S-042` in the catalogue's order.
//!
//! Two shapes: a [`KubernetesRule`] looks at one object at a time ([`RULES`]); a
//! [`KubernetesSetRule`] ([`SET_RULES`]) looks at all the objects checked together, for what one
//! object cannot tell: whether a PodDisruptionBudget or a NetworkPolicy selects a workload's pods,
//! whether a Service or an autoscaler has a target, which ServiceAccount a pod inherits its token
//! setting from, what a Kustomization's `images:` make of an image.
//!
//! **Running set rules (for the engine).** Parse every Kubernetes document of one unit (the files
//! given in one directory, or the one file given alone; a rendered environment is one directory),
//! build an [`Object`] for each, and call each set rule's `check` once with the whole slice, in any
//! order. Each hit comes with the index of the object it belongs to: resolve its pointer in that
//! object's document and report it in that object's file, like a [`KubernetesRule`]'s hit.
//! Include `Kustomization` documents (`kustomization.yaml`) in the slice: the image rules apply
//! their `images:`. Objects are matched across namespaces only when both name the same namespace
//! or one names none.
//!
//! **Pointers.** A hit about a missing field points at where the field would go; the deepest
//! existing prefix of the pointer locates it (the `securityContext`, else the container).
//!
//! **Severities.** Error: a way out of the container or to the cluster's keys (privileged,
//! allowPrivilegeEscalation, host PID/IPC/network namespaces, the runtime socket, dangerous
//! capabilities, cluster-admin and wildcard RBAC) and literal credentials. Warning: hardening
//! (non-root, read-only root filesystem, capabilities, seccomp, host ports and paths, images,
//! service account tokens, namespaces, network isolation, TLS) and reliability (resources, probes,
//! replicas, disruption budgets, autoscalers, spreading, dangling selectors, removed APIs). Info:
//! good practice that is often traded away on purpose (high UID/GID, an explicit security context,
//! ephemeral-storage, digests, `imagePullPolicy: Always`, Secrets read into the environment).

mod common;

mod anti_affinity;
mod autoscaler_replicas;
mod autoscaler_target;
mod container_runtime_socket;
mod cpu_limit;
mod cpu_request;
mod dangerous_capabilities;
mod dangling_selector;
mod default_namespace_account;
mod deprecated_api_version;
mod disruption_budget_policy;
mod drop_all_capabilities;
mod drop_net_raw;
mod env_var_secret;
mod ephemeral_storage;
mod high_uid_gid;
mod host_ipc;
mod host_network;
mod host_path_volume;
mod host_pid;
mod host_port;
mod image_digest;
mod image_pull_policy;
mod image_tag;
mod ingress_tls;
mod liveness_probe;
mod memory_limit;
mod memory_request;
mod network_policy;
mod pod_disruption_budget;
mod privilege_escalation;
mod privileged_container;
mod probe_sanity;
mod rbac_wildcards;
mod read_only_root_filesystem;
mod readiness_probe;
mod replicas;
mod run_as_non_root;
mod seccomp_profile;
mod secret_in_env;
mod security_context;
mod service_account_token;

use crate::kubernetes::{KubernetesRule, Object};
use crate::rule::{Hit, RuleDoc};

/// A rule over all the Kubernetes objects checked together (see the module documentation for how
/// to run it).
#[derive(Debug, Clone, Copy)]
pub struct KubernetesSetRule {
    /// Identity and documentation.
    pub doc: RuleDoc,
    /// Pushes one [`Hit`] per violation, with the index in the slice of the object it is about.
    pub check: fn(&[Object<'_>], &mut Vec<(usize, Hit)>),
}

/// The Kubernetes rules over one object at a time, in id order.
pub const RULES: &[KubernetesRule] = &[
    run_as_non_root::RULE,
    high_uid_gid::RULE,
    read_only_root_filesystem::RULE,
    privileged_container::RULE,
    privilege_escalation::RULE,
    host_network::RULE,
    host_pid::RULE,
    host_ipc::RULE,
    host_port::RULE,
    host_path_volume::RULE,
    container_runtime_socket::RULE,
    drop_net_raw::RULE,
    drop_all_capabilities::RULE,
    dangerous_capabilities::RULE,
    seccomp_profile::RULE,
    security_context::RULE,
    cpu_request::RULE,
    cpu_limit::RULE,
    memory_request::RULE,
    memory_limit::RULE,
    ephemeral_storage::RULE,
    liveness_probe::RULE,
    readiness_probe::RULE,
    probe_sanity::RULE,
    autoscaler_replicas::RULE,
    anti_affinity::RULE,
    env_var_secret::RULE,
    secret_in_env::RULE,
    default_namespace_account::RULE,
    deprecated_api_version::RULE,
    ingress_tls::RULE,
    rbac_wildcards::RULE,
];

/// The Kubernetes rules over all the objects checked together, in id order.
pub const SET_RULES: &[KubernetesSetRule] = &[
    image_tag::RULE,
    image_digest::RULE,
    image_pull_policy::RULE,
    replicas::RULE,
    pod_disruption_budget::RULE,
    disruption_budget_policy::RULE,
    autoscaler_target::RULE,
    network_policy::RULE,
    dangling_selector::RULE,
    service_account_token::RULE,
];
