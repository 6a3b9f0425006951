//! The scrape-targets file Prometheus' `file_sd_configs` reads ([`LOCAL_TARGETS`]): one target
//! group per ready replica with the `service` label, rewritten atomically whenever readiness changes.

use std::path::{Path, PathBuf};

use plinth_spec::telemetry::{LOCAL_TARGETS, SERVICE_LABEL};
use serde_json::{Map, Value, json};

use crate::error::Result;
use crate::files::write_atomically;
use crate::supervisor::{ProcessSpec, ReplicaStatus};

/// The targets file of environment `environment`: [`LOCAL_TARGETS`] with the environment's name
/// for the `*`, under `root` (the directory holding `prometheus.yml`).
pub fn targets_file(root: &Path, environment: &str) -> PathBuf {
    root.join(LOCAL_TARGETS.replace('*', environment))
}

/// The file's JSON for these ready replicas (those of processes with a metrics path).
pub(crate) fn render<'a>(ready: impl Iterator<Item = (&'a ReplicaStatus, &'a ProcessSpec)>) -> Value {
    let groups: Vec<Value> = ready
        .filter_map(|(status, spec)| {
            let (path, port) = (spec.metrics_path.as_ref()?, status.port?);
            let mut labels = Map::new();
            labels.insert(SERVICE_LABEL.to_owned(), json!(status.process));
            labels.insert("replica".to_owned(), json!(status.replica.to_string()));
            labels.insert("__metrics_path__".to_owned(), json!(path));
            for (name, value) in &spec.target_labels {
                labels.insert(name.clone(), json!(value));
            }
            Some(json!({ "targets": [format!("127.0.0.1:{port}")], "labels": labels }))
        })
        .collect();
    Value::Array(groups)
}

/// Writes the file atomically (temporary file and rename).
pub(crate) fn write<'a>(path: &Path, ready: impl Iterator<Item = (&'a ReplicaStatus, &'a ProcessSpec)>) -> Result<()> {
    let text = serde_json::to_string_pretty(&render(ready)).expect("JSON serialises");
    write_atomically(path, text.as_bytes(), 0o644)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_sits_where_prometheus_looks() {
        assert_eq!(targets_file(Path::new("/app"), "dev"), Path::new("/app/.plinth/targets/dev.json"));
    }
}
