//! Single-replica objects that are deliberate, suppressed with their reason rather than hidden:
//! `plinth check` reports a workload of one pod (PL-K8S-028) and an autoscaler that may scale down
//! to one (PL-K8S-031). Outside production one pod is what the spec asks for (an environment's
//! `scale`, `replicas: 1`, or `hosting: cluster` for a datastore), so plinth annotates the object
//! with why; in production it stays a finding, which is what the rules are for — except for an
//! in-cluster datastore, which the spec's diagnostics already report in production. (The managed
//! datastores' exporters run one pod in every environment by design; see `exporters`.)

use std::collections::BTreeMap;

use plinth_spec::model::{Datastore, Platform, Stage};
use plinth_spec::units::Percent;

use crate::suppression;

/// PL-K8S-028 `replicas`: a Deployment, StatefulSet or Rollout of one pod.
pub const REPLICAS_RULE: &str = "PL-K8S-028";
/// PL-K8S-031 `autoscaler-replicas`: an autoscaler whose minimum is one pod.
pub const AUTOSCALER_RULE: &str = "PL-K8S-031";

/// The suppression of `rule` for an object of a service whose pod count (its replicas, or its
/// autoscaler's minimum) is `count` in `platform`'s environment: only when the count is 1 and the
/// environment is not production. `what` completes "…, so {what} one pod" (`` Rollout `api` runs ``).
pub fn service(platform: &Platform, rule: &str, what: &str, count: u32) -> Option<BTreeMap<String, String>> {
    let environment = &platform.environment;
    if count != 1 || environment.stage == Stage::Production {
        return None;
    }
    let reason = if environment.scale < Percent(10_000) {
        format!(
            "non-production environment `{}` runs at `scale: {}` of plinth.yaml's replicas, so {what} one pod; \
             production keeps the full count",
            environment.name, environment.scale
        )
    } else {
        format!(
            "plinth.yaml asks for one replica in non-production environment `{}`, so {what} one pod; \
             production keeps its own count",
            environment.name
        )
    };
    Some(suppression::ignore(&[rule], &reason))
}

/// The suppression of PL-K8S-028 for the StatefulSet of an in-cluster datastore, which runs one
/// instance by design. In production the spec's own diagnostics already warn about it
/// (`single-instance-datastore`, on every `plinth validate` and `plinth render`), so the finding
/// is not repeated here; the reason says where it is reported.
pub fn datastore(platform: &Platform, ds: &Datastore) -> BTreeMap<String, String> {
    let environment = &platform.environment;
    let reason = if environment.stage == Stage::Production {
        format!(
            "plinth.yaml hosts datastore `{}` in the cluster (`hosting: cluster`), a single instance without \
             replication; plinth validate warns about it in production (single-instance-datastore), \
             and `hosting: managed` gives failover",
            ds.name
        )
    } else {
        format!(
            "plinth.yaml hosts datastore `{}` in the cluster (`hosting: cluster`), a single instance without \
             replication by design, in non-production environment `{}`; `hosting: managed` gives failover",
            ds.name, environment.name
        )
    };
    suppression::ignore(&[REPLICAS_RULE], &reason)
}
