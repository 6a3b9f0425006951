//! `troubleshooting.md`: the seeds' diagnostic commands (seeds 002, 003 and 004) with the
//! environment's names — pods, logs, events and health of each service, resources and autoscaling,
//! network policies, certificates, each datastore (psql, redis-cli, the cloud's view), and
//! Prometheus' targets and alerts.

use plinth_spec::alerting::certificates_by_cert_manager;
use plinth_spec::model::{Datastore, Engine, Hosting, Platform, Runtime};
use plinth_spec::names;
use plinth_spec::telemetry::{DURATION, PROMETHEUS_URL, REQUESTS, SERVICE_LABEL};

use super::commands::{
    compose_cd, compose_logs, datastore_heading, describe, first_pod, health_check, kubeconfig, logs, ns, pods,
    public_health_urls, service_heading,
};
use super::markdown::Markdown;
use super::title;

/// The runbook.
pub fn render(platform: &Platform) -> String {
    let mut doc = Markdown::new(&title(platform, "Troubleshooting"));
    match platform.environment.runtime {
        Runtime::Kubernetes => kubernetes(platform, &mut doc),
        Runtime::Local => local(platform, &mut doc),
    }
    doc.heading(2, "Metrics").para("The signals the alerts and dashboards use, to paste into Prometheus:").code(
        "promql",
        [
            format!(
                "sum by ({SERVICE_LABEL}) (rate({REQUESTS}{{status=~\"5..\"}}[5m])) / sum by ({SERVICE_LABEL}) (rate({REQUESTS}[5m]))"
            ),
            format!("histogram_quantile(0.95, sum by (le, {SERVICE_LABEL}) (rate({DURATION}_bucket[5m])))"),
        ],
    );
    doc.finish()
}

fn kubernetes(platform: &Platform, doc: &mut Markdown) {
    let ns = ns(platform);
    doc.heading(2, "Cluster").code(
        "bash",
        [
            kubeconfig(platform),
            format!("kubectl get pods {ns} -o wide"),
            format!("kubectl get events {ns} --sort-by=.lastTimestamp | tail -n 30"),
            "kubectl top nodes".to_owned(),
            format!("kubectl top pods {ns} --containers"),
            format!("kubectl get hpa {ns}"),
            format!("kubectl get events {ns} --field-selector reason=OOMKilling"),
            format!("kubectl get networkpolicies {ns}"),
        ],
    );
    for svc in &platform.services {
        let mut lines = vec![
            pods(platform, svc),
            describe(platform, svc),
            logs(platform, svc),
            format!("kubectl describe pod <pod> {ns}"),
        ];
        lines.extend(health_check(platform, svc));
        lines.extend(public_health_urls(svc));
        doc.heading(2, &service_heading(&svc.name)).code("bash", lines);
    }
    for ds in &platform.datastores {
        doc.heading(2, &datastore_heading(&ds.name));
        datastore(platform, ds, doc);
    }
    if certificates_by_cert_manager(platform) {
        let mut lines =
            vec![format!("kubectl get certificates {ns}"), format!("kubectl describe certificate <certificate> {ns}")];
        let mut hosts: Vec<&str> =
            platform.services.iter().flat_map(|svc| &svc.expose).map(|route| route.host.as_str()).collect();
        hosts.sort_unstable();
        hosts.dedup();
        lines.extend(hosts.iter().map(|host| {
            format!("openssl s_client -connect {host}:443 -servername {host} </dev/null | openssl x509 -noout -dates")
        }));
        doc.heading(2, "Certificates").code("bash", lines);
    }
    let port = PROMETHEUS_URL.rsplit(':').next().unwrap_or("9090");
    doc.heading(2, "Prometheus").code(
        "bash",
        [
            format!("kubectl port-forward -n monitoring svc/prometheus-operated {port} &"),
            format!("curl -s http://127.0.0.1:{port}/api/v1/targets | jq '.data.activeTargets[] | select(.health != \"up\")'"),
            format!("curl -s http://127.0.0.1:{port}/api/v1/alerts | jq '.data.alerts[]'"),
        ],
    );
}

fn datastore(platform: &Platform, ds: &Datastore, doc: &mut Markdown) {
    let ns = ns(platform);
    let region = &platform.cloud.region;
    let db = ds.databases.first().map_or("postgres", String::as_str);
    let user = platform.services.iter().find(|svc| svc.uses.iter().any(|u| u.datastore == ds.name));
    let lines = match (ds.engine, ds.hosting) {
        (Engine::Postgres, Hosting::Managed) => {
            let mut lines = vec![format!(
                "aws rds describe-db-instances --region {region} --db-instance-identifier {} --query 'DBInstances[0].[DBInstanceStatus,Endpoint.Address,MultiAZ]'",
                names::rds_identifier(platform, &ds.name)
            )];
            // Seed 002's check from a pod of a service that uses it (the network policies let it through).
            lines.extend(user.map(|svc| {
                format!(
                    "kubectl exec {ns} {} -- nc -zv {} 5432",
                    first_pod(platform, svc),
                    names::datastore_host(platform, &ds.name)
                )
            }));
            lines
        }
        (Engine::Postgres, Hosting::Cluster) => vec![
            format!("kubectl exec -it {ns} {}-0 -c postgres -- psql -U postgres -d {db}", ds.name),
            format!(
                "kubectl exec {ns} {}-0 -c postgres -- psql -U postgres -d {db} -c 'SELECT count(*) FROM pg_stat_activity' -c 'SHOW max_connections'",
                ds.name
            ),
            format!("kubectl logs {ns} {}-0 -c postgres --tail=100", ds.name),
        ],
        (Engine::Redis, Hosting::Managed) => vec![format!(
            "aws elasticache describe-replication-groups --region {region} --replication-group-id {} --query 'ReplicationGroups[0].[Status,NodeGroups[0].PrimaryEndpoint]'",
            names::elasticache_group(platform, &ds.name)
        )],
        (Engine::Redis, Hosting::Cluster) => ["ping", "info memory", "info clients"]
            .iter()
            .map(|command| {
                format!(
                    "kubectl exec {ns} {}-0 -c redis -- sh -c 'REDISCLI_AUTH=\"$REDIS_PASSWORD\" redis-cli {command}'",
                    ds.name
                )
            })
            .collect(),
        (Engine::Bucket, _) => {
            vec![format!("aws s3api head-bucket --bucket {}", names::datastore_resource(platform, &ds.name))]
        }
    };
    doc.code("bash", lines);
}

fn local(platform: &Platform, doc: &mut Markdown) {
    doc.heading(2, "Containers")
        .code("bash", [compose_cd(platform), "docker-compose ps".to_owned(), "docker stats --no-stream".to_owned()]);
    for svc in &platform.services {
        doc.heading(2, &service_heading(&svc.name))
            .code("bash", [compose_logs(&svc.name), format!("docker-compose restart {}", svc.name)]);
    }
    for ds in &platform.datastores {
        doc.heading(2, &datastore_heading(&ds.name));
        let db = ds.databases.first().map_or("postgres", String::as_str);
        let lines = match ds.engine {
            Engine::Postgres => vec![
                format!("docker-compose exec {} sh -c 'psql -U \"$POSTGRES_USER\" -d {db}'", ds.name),
                format!(
                    "docker-compose exec {} sh -c 'psql -U \"$POSTGRES_USER\" -d {db} -c \"SELECT count(*) FROM pg_stat_activity\" -c \"SHOW max_connections\"'",
                    ds.name
                ),
                compose_logs(&ds.name),
            ],
            Engine::Redis => vec![
                format!("docker-compose exec {} redis-cli info memory", ds.name),
                format!("docker-compose exec {} redis-cli info clients", ds.name),
            ],
            Engine::Bucket => {
                doc.para("Served by the compose project's object store: see `docker-compose ps`.");
                continue;
            }
        };
        doc.code("bash", lines);
    }
}
