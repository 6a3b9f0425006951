//! The docker compose rules, one file per rule.
// Owned by helper I (compose and GitHub Actions rules): add one file per rule here and register it
// in `RULES`. The engine (lib.rs, engine, inputs…) is owned by another helper.

mod capabilities_not_dropped;
mod dangerous_capabilities;
mod datastore_port_public;
mod docker_socket;
mod healthcheck_missing;
mod healthy_dependency_without_healthcheck;
mod host_namespaces;
mod host_network;
mod image_tag;
mod no_new_privileges;
mod privileged;
mod read_only_root_filesystem;
mod restart_policy_missing;
mod secret_in_environment;
mod service;

use crate::DocumentRule;

/// Every compose rule, in id order.
pub const RULES: &[DocumentRule] = &[
    privileged::RULE,
    host_network::RULE,
    docker_socket::RULE,
    image_tag::RULE,
    secret_in_environment::RULE,
    healthy_dependency_without_healthcheck::RULE,
    healthcheck_missing::RULE,
    dangerous_capabilities::RULE,
    capabilities_not_dropped::RULE,
    host_namespaces::RULE,
    datastore_port_public::RULE,
    restart_policy_missing::RULE,
    read_only_root_filesystem::RULE,
    no_new_privileges::RULE,
];
