//! The datastore exporters: every PostgreSQL and Redis datastore of every environment has exactly
//! one, scraped with the `datastore` label the alerts select on, logging in with credentials that
//! exist, and reachable by Prometheus through the NetworkPolicies; the datastore alerts exist exactly
//! for the datastores that have one. Then the real exporters (Debian's builds) against real servers,
//! configured as rendered: PostgreSQL with the rendered `pg_hba.conf` and the sidecar's socket DSN,
//! Redis with a password.

mod common;

use std::io::Read;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use plinth_spec::alerting::Rule;
use plinth_spec::model::{Engine, NetworkPolicyMode, Platform, Runtime};
use plinth_spec::telemetry::{self, DATASTORE_LABEL, DATASTORE_POD_LABEL, pod_label_meta};
use serde_json::Value;

fn documents(artifacts: &plinth_render::Artifacts, prefix: &str) -> Vec<Value> {
    artifacts
        .iter()
        .filter(|(path, _)| path.starts_with(prefix) && !path.ends_with("kustomization.yaml"))
        .flat_map(|(path, text)| common::yaml_documents(path, text).into_iter().map(|(_, value)| value))
        .collect()
}

fn selects(selector: &Value, labels: &Value) -> bool {
    selector.as_object().is_some_and(|s| !s.is_empty() && s.iter().all(|(k, v)| &labels[k] == v))
}

/// The `(Secret, key)` pairs the ExternalSecrets provide.
fn provided(objects: &[Value]) -> Vec<(String, String)> {
    objects
        .iter()
        .filter(|o| o["kind"] == "ExternalSecret")
        .flat_map(|o| {
            let target = o["spec"]["target"]["name"].as_str().unwrap().to_owned();
            o["spec"]["data"].as_array().unwrap().iter().map(move |d| (target.clone(), d["secretKey"].to_string()))
        })
        .map(|(target, key)| (target, key.trim_matches('"').to_owned()))
        .collect()
}

/// The datastore alerts of `platform` for `datastore`, by name (backups aside).
fn datastore_alerts(platform: &Platform, datastore: &str) -> Vec<String> {
    plinth_spec::alerting::rule_groups(platform)
        .into_iter()
        .flat_map(|group| group.rules)
        .filter_map(|rule| match rule {
            Rule::Alert(alert) if alert.labels.get(DATASTORE_LABEL).is_some_and(|d| d == datastore) => Some(alert.name),
            _ => None,
        })
        .filter(|name| name != "BackupTooOld")
        .collect()
}

#[test]
fn every_kubernetes_datastore_has_one_scraped_authenticated_reachable_exporter() {
    let mut checked = 0;
    for (example, platforms) in common::all_specs() {
        let artifacts = plinth_render::render(&platforms);
        for platform in platforms.iter().filter(|p| p.environment.runtime == Runtime::Kubernetes) {
            let env = &platform.environment.name;
            let objects = documents(&artifacts, &format!("environments/{env}/kubernetes/"));
            let prometheus: Value = serde_yaml_ng::from_str(
                artifacts.get(&format!("environments/{env}/monitoring/prometheus.yml")).unwrap(),
            )
            .unwrap();
            let pod_job = prometheus["scrape_configs"]
                .as_array()
                .unwrap()
                .iter()
                .find(|job| job["job_name"] == "kubernetes-pods")
                .unwrap();
            let relabelled = pod_job["relabel_configs"].as_array().unwrap().iter().any(|r| {
                r["source_labels"][0] == pod_label_meta(DATASTORE_POD_LABEL).as_str()
                    && r["target_label"] == DATASTORE_LABEL
            });
            assert!(relabelled, "{example}/{env}: the pod scrape does not produce `{DATASTORE_LABEL}`");
            let secrets = provided(&objects);
            for ds in platform.datastores.iter().filter(|ds| ds.engine != Engine::Bucket) {
                let at = format!("{example}/{env}/{}", ds.name);
                let Some(exporter) = telemetry::exporter(platform, ds) else {
                    assert!(telemetry::exporter_login(platform, ds).is_none(), "{at}: an exporter is left out");
                    assert!(datastore_alerts(platform, &ds.name).is_empty(), "{at}: alerts on series nobody exports");
                    continue;
                };
                assert_eq!(datastore_alerts(platform, &ds.name).len(), 2, "{at}: down and absent alerts");
                let templates: Vec<&Value> = objects
                    .iter()
                    .filter(|o| ["Deployment", "StatefulSet"].contains(&o["kind"].as_str().unwrap()))
                    .map(|w| &w["spec"]["template"])
                    .filter(|t| t["metadata"]["labels"][DATASTORE_POD_LABEL] == ds.name.as_str())
                    .collect();
                let exporters: Vec<(&Value, &Value)> = templates
                    .iter()
                    .flat_map(|t| t["spec"]["containers"].as_array().unwrap().iter().map(move |c| (*t, c)))
                    .filter(|(_, c)| c["image"] == exporter.image)
                    .collect();
                assert_eq!(exporters.len(), 1, "{at}: exactly one {} expected", exporter.name);
                let (template, container) = exporters[0];
                let annotations = &template["metadata"]["annotations"];
                assert_eq!(annotations["prometheus.io/scrape"], "true", "{at}");
                assert_eq!(annotations["prometheus.io/port"], exporter.port.to_string().as_str(), "{at}");
                let port_name = container["ports"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|p| p["containerPort"] == exporter.port)
                    .map(|p| p["name"].clone())
                    .unwrap_or_else(|| panic!("{at}: the exporter does not declare its port"));

                let monitors: Vec<&Value> = objects
                    .iter()
                    .filter(|o| o["kind"] == "PodMonitor")
                    .filter(|m| selects(&m["spec"]["selector"]["matchLabels"], &template["metadata"]["labels"]))
                    .collect();
                assert_eq!(monitors.len(), 1, "{at}: exactly one PodMonitor expected");
                let endpoint = &monitors[0]["spec"]["podMetricsEndpoints"][0];
                assert_eq!(endpoint["port"], port_name, "{at}");
                assert!(
                    endpoint["relabelings"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|r| r["sourceLabels"][0] == pod_label_meta(DATASTORE_POD_LABEL).as_str()
                            && r["targetLabel"] == DATASTORE_LABEL),
                    "{at}: the PodMonitor does not produce `{DATASTORE_LABEL}`"
                );

                let env_vars = container["env"].as_array().cloned().unwrap_or_default();
                let references: Vec<(String, String)> = env_vars
                    .iter()
                    .filter_map(|e| e["valueFrom"]["secretKeyRef"].as_object())
                    .map(|r| (r["name"].as_str().unwrap().to_owned(), r["key"].as_str().unwrap().to_owned()))
                    .collect();
                for reference in &references {
                    assert!(secrets.contains(reference), "{at}: {reference:?} is provided by no ExternalSecret");
                }
                let needs_password = ds.engine == Engine::Postgres || ds.auth;
                let peer = env_vars.iter().any(|e| {
                    e["name"] == "DATA_SOURCE_NAME" && e["value"].as_str().unwrap().contains("host=/var/run/postgresql")
                });
                if peer {
                    // The socket directory is the server's, shared through the same volume.
                    let mount = &container["volumeMounts"][0];
                    let server = &template["spec"]["containers"][0];
                    assert!(
                        server["volumeMounts"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .any(|m| m["name"] == mount["name"] && m["mountPath"] == mount["mountPath"]),
                        "{at}: the exporter does not share the server's socket"
                    );
                } else {
                    assert_eq!(!references.is_empty(), needs_password, "{at}: credentials {references:?}");
                }

                if platform.security.network_policy == NetworkPolicyMode::Strict {
                    let admitted = objects
                        .iter()
                        .filter(|o| o["kind"] == "NetworkPolicy")
                        .filter(|p| selects(&p["spec"]["podSelector"]["matchLabels"], &template["metadata"]["labels"]))
                        .flat_map(|p| p["spec"]["ingress"].as_array().cloned().unwrap_or_default())
                        .any(|rule| {
                            rule["from"].as_array().unwrap().iter().any(|peer| {
                                peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] == "monitoring"
                            }) && rule["ports"].as_array().unwrap().iter().any(|p| p["port"] == exporter.port)
                        });
                    assert!(admitted, "{at}: no NetworkPolicy admits Prometheus to the exporter");
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 4, "the examples have datastores with exporters ({checked})");
}

#[test]
fn every_local_datastore_has_one_exporter_with_credentials_from_env() {
    let mut checked = 0;
    for (example, platforms) in common::all_specs() {
        let artifacts = plinth_render::render(&platforms);
        for platform in platforms.iter().filter(|p| p.environment.runtime == Runtime::Local) {
            let dir = plinth_spec::local::compose_dir(platform);
            let text = artifacts.get(&format!("{dir}/docker-compose.yml")).unwrap();
            let compose: Value = serde_yaml_ng::from_str(text).unwrap();
            let example_env = artifacts.get(&format!("{dir}/.env.example")).unwrap();
            for ds in platform.datastores.iter().filter(|ds| ds.engine != Engine::Bucket) {
                let at = format!("{example}/{}/{}", platform.environment.name, ds.name);
                let exporter = telemetry::exporter(platform, ds).unwrap_or_else(|| panic!("{at}: no exporter"));
                let services: Vec<(&String, &Value)> = compose["services"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .filter(|(_, s)| s["image"] == exporter.image && !s["depends_on"][&ds.name].is_null())
                    .collect();
                assert_eq!(services.len(), 1, "{at}: exactly one {} expected", exporter.name);
                let (name, service) = services[0];
                assert_eq!(name, &plinth_spec::names::exporter(&ds.name), "{at}");
                for value in service["environment"].as_object().unwrap().values() {
                    let value = value.as_str().unwrap();
                    if let Some(variable) = value.strip_prefix("${").and_then(|v| v.split([':', '}']).next()) {
                        assert!(example_env.contains(&format!("\n{variable}=")), "{at}: {variable} not in .env");
                    }
                }
                let published = service["ports"][0].as_str().unwrap();
                let address = published.rsplit_once(':').unwrap().0;
                assert!(published.starts_with("127.0.0.1:"), "{at}: {published}");
                assert!(text.contains(&format!("http://{address}/metrics")), "{at}: the header lacks {address}");
                assert!(compose["services"].as_object().unwrap().values().all(|s| s["depends_on"][name].is_null()));
                checked += 1;
            }
        }
    }
    assert!(checked >= 1, "the examples have local datastores");
}

/// A free TCP port on 127.0.0.1.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A process stopped (SIGINT: PostgreSQL's fast shutdown) when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg("-INT").arg(self.0.id().to_string()).status();
        let _ = self.0.wait();
    }
}

fn spawn(command: &mut Command) -> Running {
    Running(command.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap())
}

/// The value of the unlabelled sample `metric` on `port`, polled for up to 20 seconds until it is
/// `want`; returns the last value read.
fn sample(port: u16, metric: &str, want: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut last = String::from("(no answer)");
    while Instant::now() < deadline {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::Write;
            let _ = write!(stream, "GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n");
            let mut body = String::new();
            let _ = stream.read_to_string(&mut body);
            if let Some(line) = body.lines().find(|l| l.starts_with(&format!("{metric} "))) {
                last = line[metric.len() + 1..].trim().to_owned();
                if last == want {
                    break;
                }
            }
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    last
}

/// The rendered object of `kind` named `name` in the only Kubernetes environment of `spec`.
fn rendered(spec: &str, kind: &str, name: &str) -> Value {
    let compiled = plinth_spec::compile(spec);
    assert!(!compiled.has_errors(), "{:#?}", compiled.diagnostics);
    let artifacts = plinth_render::render(&compiled.platforms);
    documents(&artifacts, "environments/production/kubernetes/")
        .into_iter()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
        .unwrap()
}

/// The value of variable `name` of the exporter container of a StatefulSet.
fn exporter_env(stateful_set: &Value, name: &str) -> Option<Value> {
    let containers = stateful_set["spec"]["template"]["spec"]["containers"].as_array().unwrap();
    let exporter = containers.iter().find(|c| c["name"] == "exporter").unwrap();
    exporter["env"].as_array().unwrap().iter().find(|e| e["name"] == name).cloned()
}

const SPEC: &str = "plinth: 1\nname: shop\nservices:\n  web: { image: ghcr.io/acme/web, uses: [db/app, cache] }\n\
    datastores:\n  db: { engine: postgres, hosting: cluster, databases: [app] }\n  cache: { engine: redis, hosting: cluster }\n\
    environments:\n  production: {}\n";

#[test]
fn the_real_redis_exporter_reports_redis_up_with_the_rendered_settings() {
    let (Some(server), Some(exporter)) = (common::tool("redis-server"), common::tool("prometheus-redis-exporter"))
    else {
        return;
    };
    let stateful_set = rendered(SPEC, "StatefulSet", "cache");
    let address = exporter_env(&stateful_set, "REDIS_ADDR").unwrap()["value"].as_str().unwrap().to_owned();
    let password = exporter_env(&stateful_set, "REDIS_PASSWORD").unwrap();
    assert_eq!(password["valueFrom"]["secretKeyRef"]["key"], "REDIS_PASSWORD");
    let (redis_port, metrics_port) = (free_port(), free_port());
    let address = address.replace(":6379", &format!(":{redis_port}"));
    let redis = spawn(Command::new(&server).args([
        "--port",
        &redis_port.to_string(),
        "--requirepass",
        "s3cret",
        "--save",
        "",
        "--appendonly",
        "no",
    ]));
    let _exporter = spawn(
        Command::new(exporter)
            .env("REDIS_ADDR", &address)
            .env("REDIS_PASSWORD", "s3cret")
            .arg(format!("--web.listen-address=127.0.0.1:{metrics_port}")),
    );
    assert_eq!(sample(metrics_port, "redis_up", "1"), "1", "redis_exporter cannot reach Redis at {address}");
    drop(redis);
    assert_eq!(sample(metrics_port, "redis_up", "0"), "0", "redis_up stays 1 with Redis gone");
}

#[test]
fn the_real_postgres_exporter_reports_pg_up_through_the_rendered_peer_socket() {
    let tools = ["initdb", "postgres", "prometheus-postgres-exporter"].map(common::tool);
    let [Some(initdb), Some(postgres), Some(exporter)] = tools else { return };
    // Peer authentication needs the OS user `postgres`, as in the image; root may run as it.
    let id = |args: &[&str]| {
        let out = Command::new("id").args(args).output().unwrap();
        String::from_utf8(out.stdout).unwrap().trim().parse::<u32>().ok()
    };
    let (Some(0), Some(uid), Some(gid)) = (id(&["-u"]), id(&["-u", "postgres"]), id(&["-g", "postgres"])) else {
        assert!(std::env::var("CI").is_err(), "the PostgreSQL check runs as root with a `postgres` user");
        eprintln!("SKIPPED: needs root and an OS user `postgres`");
        return;
    };
    let config = rendered(SPEC, "ConfigMap", "db-config");
    let hba = config["data"]["pg_hba.conf"].as_str().unwrap();
    let stateful_set = rendered(SPEC, "StatefulSet", "db");
    let dsn = exporter_env(&stateful_set, "DATA_SOURCE_NAME").unwrap()["value"].as_str().unwrap().to_owned();

    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for sub in ["data", "run"] {
        std::fs::create_dir(root.join(sub)).unwrap();
    }
    std::fs::write(root.join("pg_hba.conf"), hba).unwrap();
    let chown = Command::new("chown").arg("-R").arg(format!("{uid}:{gid}")).arg(root).status().unwrap();
    assert!(chown.success());
    let as_postgres = |program: &Path| {
        let mut command = Command::new(program);
        command.uid(uid).gid(gid).current_dir(root);
        command
    };
    let init = as_postgres(&initdb)
        .args(["-U", "postgres", "--auth=reject", "-D"])
        .arg(root.join("data"))
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(init.success(), "initdb failed");
    let port = free_port();
    let server = spawn(
        as_postgres(&postgres)
            .arg("-D")
            .arg(root.join("data"))
            .args(["-p", &port.to_string(), "-c", "listen_addresses="])
            .arg("-c")
            .arg(format!("unix_socket_directories={}", root.join("run").display()))
            .arg("-c")
            .arg(format!("hba_file={}", root.join("pg_hba.conf").display())),
    );
    // The rendered DSN, pointed at this server's socket directory and port.
    let dsn = format!("{} port={port}", dsn.replace("/var/run/postgresql", &root.join("run").display().to_string()));
    let metrics_port = free_port();
    let _exporter = spawn(
        as_postgres(&exporter)
            .env("DATA_SOURCE_NAME", &dsn)
            .arg(format!("--web.listen-address=127.0.0.1:{metrics_port}")),
    );
    assert_eq!(sample(metrics_port, "pg_up", "1"), "1", "postgres_exporter cannot log in with {dsn}");
    drop(server);
    assert_eq!(sample(metrics_port, "pg_up", "0"), "0", "pg_up stays 1 with PostgreSQL gone");
}
