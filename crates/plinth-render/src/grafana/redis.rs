//! The Redis dashboard, from redis_exporter's series labelled with the plinth datastore
//! (`datastore`): reachability, memory against `maxmemory`, hit ratio, clients and evictions.

use plinth_spec::model::{Engine, Platform};
use plinth_spec::telemetry::{DATASTORE_LABEL, REDIS_UP};

use super::dashboard::{Dashboard, Panel, RATE_INTERVAL, series, target};
use super::{datastore_matcher, datastore_variable, datastores};

/// The dashboard, or `None` without a Redis datastore.
pub fn dashboard(platform: &Platform) -> Option<Dashboard> {
    let redis = datastores(platform, Engine::Redis);
    if redis.is_empty() {
        return None;
    }
    let sel = datastore_matcher();
    let sum = |expr: &str| format!("sum by ({DATASTORE_LABEL}) ({expr})");
    let rate = |metric: &str| sum(&format!("rate({metric}{{{sel}}}[{RATE_INTERVAL}])"));
    let mut dashboard = Dashboard::new(
        platform,
        "redis",
        "Redis",
        "Redis datastores from redis_exporter: reachability, memory, hit ratio, clients, evictions.",
    );
    dashboard.variable(datastore_variable(&redis));
    dashboard.row(
        "Memory and cache",
        vec![
            Panel::stat("Up", "1 when redis_exporter reaches every node (redis_up).", "short")
                .target(target(format!("min by ({DATASTORE_LABEL}) ({REDIS_UP}{{{sel}}})"), series(DATASTORE_LABEL)))
                .threshold(1.0, "green")
                .range(Some(0.0), Some(1.0)),
            Panel::timeseries(
                "Memory of maxmemory",
                "Memory used by each node over its maxmemory; past it the eviction policy applies (or writes fail with noeviction).",
                "percentunit",
            )
            .width(9)
            .target(target(
                format!(
                    "max by ({DATASTORE_LABEL}, instance) (redis_memory_used_bytes{{{sel}}} / (redis_memory_max_bytes{{{sel}}} > 0))"
                ),
                format!("{} {}", series(DATASTORE_LABEL), series("instance")),
            ))
            .range(Some(0.0), Some(1.0))
            .threshold(0.8, "orange")
            .threshold(0.95, "red"),
            Panel::timeseries("Hit ratio", "Keyspace hits over lookups.", "percentunit")
                .width(9)
                .target(target(
                    format!(
                        "{hits} / ({hits} + {misses})",
                        hits = rate("redis_keyspace_hits_total"),
                        misses = rate("redis_keyspace_misses_total")
                    ),
                    series(DATASTORE_LABEL),
                ))
                .range(Some(0.0), Some(1.0)),
        ],
    );
    dashboard.row(
        "Clients and evictions",
        vec![
            Panel::timeseries("Connected clients", "Client connections.", "short")
                .target(target(sum(&format!("redis_connected_clients{{{sel}}}")), series(DATASTORE_LABEL)))
                .range(Some(0.0), None),
            Panel::timeseries(
                "Evictions",
                "Keys evicted per second to stay under maxmemory; steady evictions mean the cache is too small.",
                "ops",
            )
            .target(target(rate("redis_evicted_keys_total"), series(DATASTORE_LABEL)))
            .range(Some(0.0), None),
        ],
    );
    Some(dashboard)
}
