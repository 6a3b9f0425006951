//! Stable in-cluster names for managed datastores: an ExternalName Service per RDS or ElastiCache
//! datastore, pointing at the private DNS record the Terraform backend creates for it
//! (`<datastore>.<environment>.<application>.internal`).

use k8s_openapi::api::core::v1::{Service, ServiceSpec};
use plinth_spec::model::{Engine, Hosting, Platform};
use serde_json::Value;

use super::{common_labels, meta, value};

/// The private DNS name of a managed datastore.
pub fn private_host(platform: &Platform, datastore: &str) -> String {
    format!("{datastore}.{}.{}.internal", platform.environment.name, platform.name)
}

/// ExternalName Services for the managed postgres and redis datastores.
pub fn objects(platform: &Platform) -> Vec<Value> {
    platform
        .datastores
        .iter()
        .filter(|ds| ds.hosting == Hosting::Managed && ds.engine != Engine::Bucket)
        .map(|ds| {
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
        })
        .collect()
}
