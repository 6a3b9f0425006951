//! The PostgreSQL dashboard, from postgres_exporter's series labelled with the plinth datastore
//! (`datastore`): reachability, connections against `max_connections`, transactions, deadlocks,
//! database sizes, and replication lag when a datastore has read replicas.

use plinth_spec::model::{Engine, Platform};
use plinth_spec::telemetry::{DATASTORE_LABEL, POSTGRES_UP};

use super::dashboard::{Dashboard, Panel, RATE_INTERVAL, series, target};
use super::{datastore_matcher, datastore_variable, datastores};

/// The dashboard, or `None` without a PostgreSQL datastore.
pub fn dashboard(platform: &Platform) -> Option<Dashboard> {
    let postgres = datastores(platform, Engine::Postgres);
    if postgres.is_empty() {
        return None;
    }
    let sel = datastore_matcher();
    let by_ds = |expr: &str| format!("sum by ({DATASTORE_LABEL}) ({expr})");
    let rate = |metric: &str| by_ds(&format!("rate({metric}{{{sel}}}[{RATE_INTERVAL}])"));
    let mut dashboard = Dashboard::new(
        platform,
        "postgres",
        "PostgreSQL",
        "PostgreSQL datastores from postgres_exporter: reachability, connections, transactions, sizes, replication.",
    );
    dashboard.variable(datastore_variable(&postgres));
    dashboard.row(
        "Connections",
        vec![
            Panel::stat("Up", "1 when postgres_exporter reaches the database (pg_up).", "short")
                .target(target(format!("min by ({DATASTORE_LABEL}) ({POSTGRES_UP}{{{sel}}})"), series(DATASTORE_LABEL)))
                .threshold(1.0, "green")
                .range(Some(0.0), Some(1.0)),
            Panel::timeseries(
                "Connections of max_connections",
                "Backends connected to every database over the server's max_connections; new connections fail at 100 %.",
                "percentunit",
            )
            .width(9)
            .target(target(
                format!(
                    "{} / max by ({DATASTORE_LABEL}) (pg_settings_max_connections{{{sel}}})",
                    by_ds(&format!("pg_stat_database_numbackends{{{sel}}}"))
                ),
                series(DATASTORE_LABEL),
            ))
            .range(Some(0.0), Some(1.0))
            .threshold(0.8, "orange")
            .threshold(0.95, "red"),
            Panel::timeseries("Connections by database", "Backends connected to each database.", "short")
                .width(9)
                .target(target(
                    format!("sum by ({DATASTORE_LABEL}, datname) (pg_stat_database_numbackends{{{sel}}})"),
                    format!("{}/{}", series(DATASTORE_LABEL), series("datname")),
                ))
                .range(Some(0.0), None),
        ],
    );
    let mut activity = vec![
        Panel::timeseries("Transactions", "Commits and rollbacks per second.", "ops")
            .target(target(rate("pg_stat_database_xact_commit"), format!("commits {}", series(DATASTORE_LABEL))))
            .target(target(rate("pg_stat_database_xact_rollback"), format!("rollbacks {}", series(DATASTORE_LABEL))))
            .range(Some(0.0), None),
        Panel::timeseries("Deadlocks", "Deadlocks detected per second.", "ops")
            .target(target(rate("pg_stat_database_deadlocks"), series(DATASTORE_LABEL)))
            .range(Some(0.0), None)
            .threshold(0.0001, "red"),
        Panel::timeseries("Database size", "Size of each database on disk.", "bytes")
            .target(target(
                format!("sum by ({DATASTORE_LABEL}, datname) (pg_database_size_bytes{{{sel}}})"),
                format!("{}/{}", series(DATASTORE_LABEL), series("datname")),
            ))
            .range(Some(0.0), None),
        Panel::timeseries(
            "Databases of storage maximum",
            "Total size of each datastore's databases over the storage it may grow to (`storage`'s upper bound); WAL and temporary files come on top.",
            "percentunit",
        )
        .targets(postgres.iter().map(|ds| {
            target(
                format!(
                    r#"sum(pg_database_size_bytes{{{DATASTORE_LABEL}="{name}",{sel}}}) / {}"#,
                    ds.storage.high.0,
                    name = ds.name
                ),
                ds.name.clone(),
            )
        }))
        .range(Some(0.0), Some(1.0))
        .threshold(0.8, "orange")
        .threshold(0.9, "red"),
    ];
    if postgres.iter().any(|ds| ds.replicas > 0) {
        activity.push(
            Panel::timeseries("Replication lag", "How far each read replica's replay is behind the primary.", "s")
                .target(target(
                    format!("max by ({DATASTORE_LABEL}, instance) (pg_replication_lag_seconds{{{sel}}})"),
                    format!("{} {}", series(DATASTORE_LABEL), series("instance")),
                ))
                .range(Some(0.0), None),
        );
    }
    dashboard.row("Activity and size", activity);
    Some(dashboard)
}
