//! Velero: a daily Schedule backing up the application namespace (seed 002: 02:00, 720 h TTL,
//! an S3 storage location), volume snapshots included.

use plinth_spec::model::Platform;
use plinth_spec::names;
use serde_json::{Value, json};

use super::analysis::go_duration;
use super::{common_labels, meta, value};

/// Where Velero runs; Schedules live there.
pub const VELERO_NAMESPACE: &str = "velero";

/// The Schedule, or `None` when cluster backups are off.
pub fn schedule(platform: &Platform) -> Option<Value> {
    let backup = platform.recovery.cluster_backup.as_ref()?;
    let (hour, minute) = backup.at.split_once(':').unwrap_or(("2", "0"));
    let number = |text: &str| text.trim_start_matches('0').parse::<u32>().unwrap_or(0);
    let mut metadata = meta(platform, &names::velero_schedule(platform), common_labels(platform));
    metadata.namespace = Some(VELERO_NAMESPACE.to_owned());
    Some(json!({
        "apiVersion": "velero.io/v1",
        "kind": "Schedule",
        "metadata": value(&metadata),
        "spec": {
            "schedule": format!("{} {} * * *", number(minute), number(hour)),
            "template": {
                "includedNamespaces": [platform.kubernetes.namespace],
                "snapshotVolumes": true,
                "storageLocation": backup.location,
                "ttl": go_duration(backup.keep),
            },
        },
    }))
}
