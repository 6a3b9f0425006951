//! Redis in the cluster: the official Debian-based image (`docker.io/library/redis`) as a
//! single-instance StatefulSet. `<ds>-config` holds `redis.conf`: `maxmemory` at 80 % of the pod's
//! memory limit (the rest covers the copy-on-write of background saves and client buffers), the
//! spec's eviction policy, and persistence on the volume at `/data` as `persistence` says. The
//! password (`auth`, on by default) comes from `<ds>-credentials` and is handed to `redis-server`
//! as `--requirepass "$(REDIS_PASSWORD)"`, which the kubelet expands from the container's env, so
//! it is never written into the pod spec or the ConfigMap. redis_exporter runs beside it, on
//! 127.0.0.1 with the same password.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use k8s_openapi::api::core::v1::{Container, EnvVar, VolumeMount};
use plinth_spec::model::{Datastore, Persistence, Platform};
use serde_json::Value;

use super::super::exporters;
use super::{
    DATA_VOLUME, DATASTORE_UID, account, config_map, config_name, container_port, credential_env, credentials,
    exec_probe, memory_limit_mib, services, stateful_set,
};

/// The container port's name.
const PORT_NAME: &str = "redis";
/// Where `redis.conf` is mounted.
const CONFIG_DIR: &str = "/etc/redis";

/// Every object of an in-cluster Redis datastore.
pub fn objects(platform: &Platform, ds: &Datastore) -> Vec<Value> {
    let config = BTreeMap::from([("redis.conf".to_owned(), redis_conf(ds))]);
    let mut objects = Vec::new();
    if ds.auth {
        objects.push(credentials(
            platform,
            ds,
            &[("REDIS_PASSWORD".to_owned(), platform.secrets.remote("REDIS_PASSWORD"))],
        ));
    }
    objects.push(config_map(platform, ds, &config_name(ds), config.clone()));
    objects.extend(services(platform, ds, PORT_NAME));
    let password = ds.auth.then(|| credential_env(ds, "REDIS_PASSWORD", "REDIS_PASSWORD"));
    let sidecar = exporters::redis_sidecar(password, DATASTORE_UID);
    objects.push(account(platform, ds));
    objects.push(stateful_set(platform, ds, container(ds), sidecar, Vec::new(), &config));
    objects
}

/// `maxmemory`: 80 % of the memory limit, in MiB.
fn maxmemory_mib(ds: &Datastore) -> u64 {
    memory_limit_mib(ds) * 4 / 5
}

fn redis_conf(ds: &Datastore) -> String {
    let mut conf = format!(
        "# Rendered by plinth for datastore `{name}` (Redis {version}), sized for its {memory} memory limit.\n\
         # No `bind`: Redis listens on every interface of the pod; NetworkPolicy decides who connects.\n\
         port 6379\n",
        name = ds.name,
        version = ds.version,
        memory = ds.memory.high,
    );
    conf.push_str(if ds.auth {
        "# Off because every client authenticates (--requirepass on the command line).\n"
    } else {
        "# Off so the services can connect without a password (`auth: false`): NetworkPolicy is the only guard.\n"
    });
    conf.push_str("protected-mode no\n");
    let _ = writeln!(conf, "maxmemory {}mb", maxmemory_mib(ds));
    let _ = writeln!(conf, "maxmemory-policy {}", ds.eviction);
    conf.push_str("dir /data\n");
    let (snapshots, append_only) = match ds.persistence {
        Persistence::None => (false, false),
        Persistence::Rdb => (true, false),
        Persistence::Aof => (false, true),
        Persistence::RdbAof => (true, true),
    };
    if snapshots {
        conf.push_str("# Snapshot after 1 h with 1 change, 5 min with 100, 1 min with 10000.\n");
        conf.push_str("save 3600 1\nsave 300 100\nsave 60 10000\ndbfilename dump.rdb\n");
    } else {
        conf.push_str("save \"\"\n");
    }
    if append_only {
        conf.push_str("appendonly yes\nappendfsync everysec\n");
    } else {
        conf.push_str("appendonly no\n");
    }
    conf.push_str("tcp-keepalive 300\nloglevel notice\nlogfile \"\"\n");
    conf
}

fn mount(name: &str, path: &str) -> VolumeMount {
    VolumeMount { name: name.to_owned(), mount_path: path.to_owned(), ..VolumeMount::default() }
}

fn container(ds: &Datastore) -> Container {
    let mut args = vec!["redis-server".to_owned(), format!("{CONFIG_DIR}/redis.conf")];
    let mut env = Vec::new();
    if ds.auth {
        args.extend(["--requirepass".to_owned(), "$(REDIS_PASSWORD)".to_owned()]);
        env.push(credential_env(ds, "REDIS_PASSWORD", "REDIS_PASSWORD"));
        // redis-cli in the probes authenticates with this.
        env.push(EnvVar {
            name: "REDISCLI_AUTH".to_owned(),
            value: Some("$(REDIS_PASSWORD)".to_owned()),
            ..EnvVar::default()
        });
    }
    let ping = ["sh", "-c", "test \"$(redis-cli -p 6379 ping)\" = PONG"];
    Container {
        name: "redis".to_owned(),
        image: Some(format!("docker.io/library/redis:{}", ds.version)),
        // `args`, not `command`: the image's entrypoint stays (it sets a private umask for the data).
        args: Some(args),
        ports: Some(vec![container_port(PORT_NAME, 6379)]),
        env: Some(env).filter(|env| !env.is_empty()),
        // Loading a large snapshot or append-only file answers LOADING: up to 10 minutes.
        startup_probe: Some(exec_probe(&ping, 5, 120)),
        readiness_probe: Some(exec_probe(&ping, 10, 3)),
        liveness_probe: Some(exec_probe(&ping, 20, 6)),
        volume_mounts: Some(vec![mount("config", CONFIG_DIR), mount(DATA_VOLUME, "/data"), mount("tmp", "/tmp")]),
        ..Container::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn platform(fields: &str) -> Platform {
        let spec = format!(
            "plinth: 1\nname: shop\nservices:\n  web: {{ image: ghcr.io/acme/web, uses: [cache] }}\n\
             datastores:\n  cache: {{ engine: redis, hosting: cluster, resources: {{ cpu: 100m..200m, memory: 256Mi..512Mi }}{fields} }}\n\
             environments:\n  production: {{}}\n"
        );
        let compiled = plinth_spec::compile(&spec);
        assert!(!compiled.has_errors(), "{:#?}", compiled.diagnostics);
        compiled.platforms.into_iter().next().unwrap()
    }

    #[test]
    fn maxmemory_is_four_fifths_of_the_limit() {
        let platform = platform(", eviction: volatile-lru");
        let conf = redis_conf(platform.datastore("cache").unwrap());
        assert!(conf.contains("\nmaxmemory 409mb\n"), "{conf}");
        assert!(conf.contains("\nmaxmemory-policy volatile-lru\n"), "{conf}");
    }

    #[test]
    fn persistence_maps_to_save_rules_and_append_only() {
        for (persistence, save, aof) in
            [("none", false, false), ("rdb", true, false), ("aof", false, true), ("rdb+aof", true, true)]
        {
            let platform = platform(&format!(", persistence: \"{persistence}\""));
            let conf = redis_conf(platform.datastore("cache").unwrap());
            assert_eq!(conf.contains("\nsave 3600 1\n"), save, "{persistence}: {conf}");
            assert_eq!(conf.contains("\nsave \"\"\n"), !save, "{persistence}: {conf}");
            assert_eq!(conf.contains("\nappendonly yes\n"), aof, "{persistence}: {conf}");
        }
    }

    #[test]
    fn the_password_is_required_only_with_auth() {
        let with = platform("");
        let container = container(with.datastore("cache").unwrap());
        assert_eq!(container.args.unwrap()[2..], ["--requirepass".to_owned(), "$(REDIS_PASSWORD)".to_owned()]);
        assert_eq!(objects(&with, with.datastore("cache").unwrap())[0]["kind"], "ExternalSecret");

        let without = platform(", auth: false");
        let container = super::container(without.datastore("cache").unwrap());
        assert_eq!(container.args.unwrap().len(), 2);
        assert!(container.env.is_none());
        assert!(objects(&without, without.datastore("cache").unwrap()).iter().all(|o| o["kind"] != "ExternalSecret"));
    }
}
