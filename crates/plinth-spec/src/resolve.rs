//! One environment's document → [`Platform`]: defaults applied, references resolved, semantics checked.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::input::{self, Document, Engine, Hosting, Persistence, RedisMode, Runtime, Stage, Strategy};
use crate::model::{self, ANALYSES, IntOrPercent, Platform, Step};
use crate::units::{Bytes, Cpu, Duration, Percent, Range, Unit};
use crate::yaml::{SpanMap, escape};

/// Resolves environment `env` of `document`; pushes every problem found to `diagnostics`.
pub fn resolve(document: &Document, env: &str, spans: &SpanMap, diagnostics: &mut Vec<Diagnostic>) -> Option<Platform> {
    let mut cx = Context { spans, diagnostics, env };
    let before = cx.diagnostics.iter().filter(|d| d.is_error()).count();
    let platform = cx.platform(document);
    let after = cx.diagnostics.iter().filter(|d| d.is_error()).count();
    (after == before).then_some(platform)
}

struct Context<'a> {
    spans: &'a SpanMap,
    diagnostics: &'a mut Vec<Diagnostic>,
    env: &'a str,
}

/// A DNS-1123 label: what Kubernetes accepts as a Service name.
fn is_dns_label(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

fn is_env_name(name: &str) -> bool {
    name.bytes().next().is_some_and(|b| b.is_ascii_uppercase() || b == b'_')
        && name.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

fn is_hostname(host: &str) -> bool {
    let host = host.strip_prefix("*.").unwrap_or(host);
    let labels: Vec<&str> = host.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| is_dns_label(l))
        && labels.last().is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_lowercase()))
}

/// How to fix an invalid variable name, suggesting the upper-case spelling when there is one.
fn env_name_hint(name: &str, example: &str) -> String {
    let upper: String = name.chars().map(|c| if c == '-' || c == '.' { '_' } else { c.to_ascii_uppercase() }).collect();
    if is_env_name(&upper) {
        format!("did you mean `{upper}`? names use upper case letters, digits and `_`")
    } else {
        format!("use upper case letters, digits and `_`, not starting with a digit, e.g. `{example}`")
    }
}

/// `ceil(count × scale)`, at least 1 unless `count` is 0.
fn scaled(count: u32, scale: Percent) -> u32 {
    if count == 0 {
        return 0;
    }
    let scaled = (u64::from(count) * u64::from(scale.0)).div_ceil(10_000);
    u32::try_from(scaled.max(1)).unwrap_or(u32::MAX)
}

impl Context<'_> {
    fn error(&mut self, code: &'static str, message: String, pointer: &str, hint: Option<String>) {
        let mut diagnostic = Diagnostic::error(code, message, self.spans.value(pointer));
        diagnostic.hint = hint;
        self.diagnostics.push(diagnostic);
    }

    /// An error at the key that introduces `pointer` (a name, or a field that should not be there).
    fn error_at_key(&mut self, code: &'static str, message: String, pointer: &str, hint: Option<String>) {
        let mut diagnostic = Diagnostic::error(code, message, self.spans.key(pointer));
        diagnostic.hint = hint;
        self.diagnostics.push(diagnostic);
    }

    fn warn(&mut self, code: &'static str, message: String, pointer: &str, hint: &str) {
        let message = format!("{message} (environment `{}`)", self.env);
        self.diagnostics.push(Diagnostic::warning(code, message, self.spans.value(pointer)).with_hint(hint));
    }

    fn stage(&mut self, environment: &input::Environment) -> Stage {
        if let Some(stage) = environment.stage {
            return stage;
        }
        let name = self.env.to_ascii_lowercase();
        if name.starts_with("prod") {
            Stage::Production
        } else if name.starts_with("stag") || name.starts_with("uat") || name.starts_with("pre") {
            Stage::Staging
        } else if name.starts_with("dev") || name.starts_with("local") || name.starts_with("test") {
            Stage::Development
        } else if self.spans.contains(&format!("/environments/{}/stage", escape(self.env))) {
            // A `stage` was written but is invalid; the structure check reported it.
            Stage::Staging
        } else {
            let env = self.env.to_owned();
            self.error_at_key(
                "unknown-stage",
                format!("cannot tell whether environment `{env}` is development, staging or production"),
                &format!("/environments/{}", escape(&env)),
                Some("add `stage: development`, `stage: staging` or `stage: production` to it".to_owned()),
            );
            Stage::Staging
        }
    }

    fn platform(&mut self, doc: &Document) -> Platform {
        let env_input = doc.environments.get(self.env).cloned().unwrap_or_default();
        let stage = self.stage(&env_input);
        let production = stage == Stage::Production;
        let runtime = env_input.runtime.unwrap_or(Runtime::Kubernetes);
        let scale = env_input.scale.unwrap_or(Percent(10_000));
        let env_pointer = format!("/environments/{}", escape(self.env));
        if scale.0 == 0 {
            self.error("out-of-range", "`scale` must be above 0%".to_owned(), &format!("{env_pointer}/scale"), None);
        }
        let multi_az = env_input.multi_az.unwrap_or(production);
        let nodes = env_input.nodes.clone();
        let default_nodes = if production { 3 } else { 1 };
        let nodes = model::Nodes {
            min: nodes.as_ref().and_then(|n| n.min).unwrap_or(default_nodes),
            max: nodes.as_ref().and_then(|n| n.max).unwrap_or(default_nodes * 3),
            instance_type: nodes.as_ref().and_then(|n| n.instance_type.clone()).unwrap_or_else(|| {
                match stage {
                    Stage::Production => "m6i.large",
                    _ => "t3.medium",
                }
                .to_owned()
            }),
            spot: nodes.as_ref().and_then(|n| n.spot).unwrap_or(false),
        };
        if nodes.min > nodes.max {
            self.error(
                "impossible-bounds",
                format!("node minimum {} is above the maximum {}", nodes.min, nodes.max),
                &format!("{env_pointer}/nodes"),
                Some("make `min` at most `max`".to_owned()),
            );
        }
        let environment = model::Environment {
            name: self.env.to_owned(),
            stage,
            runtime,
            scale,
            budget: env_input.budget,
            approval: env_input.approval.unwrap_or(production),
            multi_az,
            branch: env_input.branch.clone().or_else(|| match stage {
                Stage::Production => Some("main".to_owned()),
                Stage::Staging => Some("develop".to_owned()),
                Stage::Development => None,
            }),
            nodes,
        };

        let cloud = self.cloud(doc, multi_az);
        let domains = self.domains(doc);
        let datastores = self.datastores(doc, &environment);
        let observability = self.observability(doc);
        let security = self.security(doc, production);
        let secrets = self.secret_store(doc);
        let services = self.services(doc, &environment, &domains, &datastores);
        self.reserved_names(doc, runtime == Runtime::Local);
        let recovery = doc.recovery.as_ref().map_or(
            model::Recovery {
                rpo: Duration::from_secs(3600),
                rto: Duration::from_secs(4 * 3600),
                critical: None,
                cluster_backup: None,
            },
            |r| model::Recovery {
                rpo: r.rpo,
                rto: r.rto,
                critical: r.critical.as_ref().map(|c| (c.rpo, c.rto)),
                cluster_backup: None,
            },
        );
        let backup = doc.recovery.as_ref().and_then(|r| r.cluster_backup.as_ref());
        let recovery = model::Recovery {
            cluster_backup: (environment.runtime == Runtime::Kubernetes
                && backup.and_then(|b| b.enabled).unwrap_or(true))
            .then(|| model::ClusterBackup {
                at: backup.and_then(|b| b.at.clone()).unwrap_or_else(|| "02:00".to_owned()),
                keep: backup.and_then(|b| b.keep).unwrap_or(Duration::from_secs(30 * 86_400)),
                location: backup.and_then(|b| b.location.clone()).unwrap_or_else(|| "default".to_owned()),
            }),
            ..recovery
        };
        if let Some((rpo, rto)) = recovery.critical {
            if rpo > recovery.rpo || rto > recovery.rto {
                self.error(
                    "inconsistent-objectives",
                    "critical recovery objectives are looser than the general ones".to_owned(),
                    "/recovery/critical",
                    Some(format!("critical services need an RPO ≤ {} and an RTO ≤ {}", recovery.rpo, recovery.rto)),
                );
            }
        }
        let tls = doc.tls.as_ref();
        let kubernetes = doc.kubernetes.as_ref();
        let ingress = kubernetes.and_then(|k| k.ingress).unwrap_or(input::IngressClass::Alb);
        let issuer = tls.map_or(
            if ingress == input::IngressClass::Alb { input::Issuer::Acm } else { input::Issuer::Letsencrypt },
            |t| t.issuer,
        );
        if environment.runtime == Runtime::Kubernetes {
            let alb = ingress == input::IngressClass::Alb;
            if alb != (issuer == input::Issuer::Acm) {
                self.error(
                    "incompatible",
                    if alb {
                        "the ALB terminates TLS only with ACM certificates, not with cert-manager's".to_owned()
                    } else {
                        "ingress-nginx cannot serve ACM certificates".to_owned()
                    },
                    "/tls/issuer",
                    Some(if alb {
                        "set `tls: { issuer: acm }`, or `kubernetes: { ingress: nginx }` to use cert-manager".to_owned()
                    } else {
                        "set `tls: { issuer: letsencrypt }`, or `kubernetes: { ingress: alb }` to use ACM".to_owned()
                    }),
                );
            }
        }
        let platform = Platform {
            name: doc.name.clone(),
            description: doc.description.clone(),
            owner: doc.owner.clone().unwrap_or_else(|| doc.name.clone()),
            cloud,
            domains,
            tls: model::Tls {
                issuer,
                email: tls.and_then(|t| t.email.clone()),
                challenge: tls.and_then(|t| t.challenge).unwrap_or(input::Challenge::Http01),
                renew_before: tls.and_then(|t| t.renew_before).unwrap_or(Duration::from_secs(30 * 86_400)),
            },
            kubernetes: model::Kubernetes {
                version: kubernetes.and_then(|k| k.version.clone()).unwrap_or_else(|| "1.33".to_owned()),
                namespace: kubernetes.and_then(|k| k.namespace.clone()).unwrap_or_else(|| doc.name.clone()),
                ingress,
            },
            services,
            datastores,
            observability,
            recovery,
            security,
            secrets,
            build: Self::build(doc),
            environment,
        };
        let wildcard = platform.services.iter().flat_map(|s| &s.expose).find(|r| r.tenants);
        if let Some(route) = wildcard.filter(|_| {
            platform.tls.issuer == input::Issuer::Letsencrypt && platform.tls.challenge == input::Challenge::Http01
        }) {
            self.error(
                "incompatible",
                format!("Let's Encrypt issues the wildcard `*.{}` only through the DNS-01 challenge", route.host),
                "/tls",
                Some("set `tls: { challenge: dns01 }` (Route 53), or drop `tenants` from the route".to_owned()),
            );
        }
        self.warnings(&platform);
        platform
    }

    fn cloud(&mut self, doc: &Document, multi_az: bool) -> model::Cloud {
        let cloud = doc.cloud.as_ref();
        let region = cloud.map_or_else(|| "us-east-1".to_owned(), |c| c.region.clone());
        let zone_count = cloud.and_then(|c| c.zones).unwrap_or(if multi_az { 3 } else { 1 });
        let zone_count = if multi_az { zone_count.max(2) } else { 1 };
        model::Cloud {
            provider: cloud.map_or(input::Provider::Aws, |c| c.provider),
            zones: (0..zone_count).map(|idx| format!("{region}{}", char::from(b'a' + idx))).collect(),
            region,
            dr_region: cloud.and_then(|c| c.dr_region.clone()),
            cidr: "10.0.0.0/16".to_owned(),
        }
    }

    fn domains(&mut self, doc: &Document) -> BTreeMap<String, String> {
        for (key, host) in &doc.domains {
            if !is_hostname(host) {
                self.error(
                    "invalid-domain",
                    format!("`{host}` is not a valid domain name"),
                    &format!("/domains/{}", escape(key)),
                    Some("use lowercase labels separated by dots, e.g. `api.example.com`".to_owned()),
                );
            }
        }
        doc.domains.clone()
    }

    fn secret_store(&mut self, doc: &Document) -> model::SecretStore {
        let secrets = doc.secrets.as_ref();
        let mut keys = BTreeMap::new();
        for (name, location) in secrets.and_then(|s| s.keys.as_ref()).into_iter().flatten() {
            if !is_env_name(name) {
                self.error_at_key(
                    "invalid-name",
                    format!("secret name `{name}` is not an environment variable name"),
                    &format!("/secrets/keys/{}", escape(name)),
                    Some(env_name_hint(name, "DB_PASSWORD")),
                );
            }
            let (key, property) = match location.split_once('#') {
                Some((key, property)) => (key.to_owned(), Some(property.to_owned())),
                None => (location.clone(), None),
            };
            keys.insert(name.clone(), model::RemoteRef { key, property });
        }
        let provider = secrets.map_or(input::SecretProvider::AwsSecretsManager, |s| s.provider);
        let vault = match secrets.filter(|_| provider == input::SecretProvider::Vault) {
            Some(s) => {
                if s.address.is_none() {
                    self.error_at_key(
                        "missing-field",
                        "the vault secret store needs the server `address`".to_owned(),
                        "/secrets/provider",
                        Some("add `address: https://vault.example.com:8200` under `secrets`".to_owned()),
                    );
                }
                Some(model::Vault {
                    address: s.address.clone().unwrap_or_default(),
                    mount: s.mount.clone().unwrap_or_else(|| "secret".to_owned()),
                    role: s.role.clone().unwrap_or_else(|| doc.name.clone()),
                })
            }
            None => {
                for (field, present) in secrets
                    .map(|s| {
                        [("address", s.address.is_some()), ("mount", s.mount.is_some()), ("role", s.role.is_some())]
                    })
                    .into_iter()
                    .flatten()
                {
                    if present {
                        self.error_at_key(
                            "field-not-applicable",
                            format!("`{field}` applies only to `provider: vault`"),
                            &format!("/secrets/{field}"),
                            Some("remove it, or set `provider: vault`".to_owned()),
                        );
                    }
                }
                None
            }
        };
        let separator = if provider == input::SecretProvider::Kubernetes { '-' } else { '/' };
        let prefix = secrets.and_then(|s| s.prefix.clone()).unwrap_or_else(|| format!("{}{separator}", doc.name));
        model::SecretStore { provider, prefix, keys, vault }
    }

    fn security(&mut self, doc: &Document, production: bool) -> model::Security {
        let security = doc.security.clone().unwrap_or_default();
        let network_policy = security.network_policy.unwrap_or(input::NetworkPolicyMode::Strict);
        let pod_security = security.pod_security.unwrap_or(input::PodSecurity::Restricted);
        if production && network_policy == input::NetworkPolicyMode::None {
            self.warn(
                "weakened-default",
                "network policies are off".to_owned(),
                "/security/network_policy",
                "every pod can reach every other pod; keep `strict` in production",
            );
        }
        if pod_security == input::PodSecurity::Privileged {
            self.warn(
                "weakened-default",
                "pod security is `privileged`".to_owned(),
                "/security/pod_security",
                "`restricted` is the hardened default",
            );
        }
        for (idx, cidr) in security.admin_allow.iter().flatten().enumerate() {
            let valid = cidr.split_once('/').is_some_and(|(ip, bits)| {
                ip.parse::<std::net::IpAddr>().is_ok()
                    && bits.parse::<u8>().is_ok_and(|b| b <= if ip.contains(':') { 128 } else { 32 })
            });
            if !valid {
                self.error(
                    "invalid-cidr",
                    format!("`{cidr}` is not a CIDR block"),
                    &format!("/security/admin_allow/{idx}"),
                    Some("write an address and prefix length, e.g. `203.0.113.0/24`".to_owned()),
                );
            }
        }
        model::Security {
            network_policy,
            pod_security,
            rate_limit: security.rate_limit,
            admin_allow: security.admin_allow.unwrap_or_default(),
            admin_paths: security.admin_paths.unwrap_or_else(|| vec!["/admin".to_owned()]),
            waf: security.waf.unwrap_or(true),
        }
    }

    /// Services and datastores may not take the name of a datastore's exporter, nor, in a local
    /// environment, the names of the local platform's own processes (the edge, the object store, …).
    fn reserved_names(&mut self, doc: &Document, local: bool) {
        let named =
            doc.services.keys().map(|n| ("services", n)).chain(doc.datastores.keys().map(|n| ("datastores", n)));
        let exporters: Vec<String> = doc.datastores.keys().map(|ds| crate::names::exporter(ds)).collect();
        let reserved =
            |name: &str| (local && crate::local::RESERVED.contains(&name)) || exporters.iter().any(|e| e == name);
        for (section, name) in named.filter(|(_, name)| reserved(name)) {
            self.error_at_key(
                "reserved-name",
                format!("`{name}` is the name of a process plinth runs itself"),
                &format!("/{section}/{}", escape(name)),
                Some(format!(
                    "rename it; plinth reserves `<datastore>-exporter`, and {} in local environments",
                    crate::local::RESERVED.join(", ")
                )),
            );
        }
    }

    fn observability(&mut self, doc: &Document) -> model::Observability {
        let obs = doc.observability.as_ref();
        let channels: BTreeMap<String, model::Channel> = obs
            .and_then(|o| o.channels.as_ref())
            .into_iter()
            .flatten()
            .map(|(name, c)| {
                (
                    name.clone(),
                    model::Channel {
                        kind: c.kind,
                        channel: c.channel.clone(),
                        to: c.to.clone(),
                        secret: c.secret.clone(),
                    },
                )
            })
            .collect();
        let notify = obs.and_then(|o| o.notify.clone());
        let mut check_channels = |severity: &str, names: Option<Vec<String>>| -> Vec<String> {
            let names = names.unwrap_or_default();
            for (idx, name) in names.iter().enumerate() {
                if !channels.contains_key(name) {
                    self.error(
                        "broken-reference",
                        format!("notification channel `{name}` is not defined"),
                        &format!("/observability/notify/{severity}/{idx}"),
                        Some(did_you_mean(name, channels.keys().map(String::as_str))),
                    );
                }
            }
            names
        };
        let critical = check_channels("critical", notify.as_ref().and_then(|n| n.critical.clone()));
        let warning = check_channels("warning", notify.as_ref().and_then(|n| n.warning.clone()));
        let info = check_channels("info", notify.as_ref().and_then(|n| n.info.clone()));
        let mut escalation = Vec::new();
        for (idx, step) in obs.and_then(|o| o.escalation.as_ref()).into_iter().flatten().enumerate() {
            if !channels.contains_key(&step.notify) {
                self.error(
                    "broken-reference",
                    format!("notification channel `{}` is not defined", step.notify),
                    &format!("/observability/escalation/{idx}/notify"),
                    Some(did_you_mean(&step.notify, channels.keys().map(String::as_str))),
                );
            }
            escalation.push((step.after, step.notify.clone()));
        }
        let response = obs.and_then(|o| o.response.as_ref());
        let slo = obs.and_then(|o| o.slo.as_ref());
        if let Some(availability) = slo.and_then(|s| s.availability) {
            if availability.0 >= 10_000 || availability.0 < 5_000 {
                self.error(
                    "out-of-range",
                    format!("an availability objective of {availability} cannot be measured"),
                    "/observability/slo/availability",
                    Some("use a value between 50% and 99.99%, e.g. `99.9%`".to_owned()),
                );
            }
        }
        model::Observability {
            availability: slo.and_then(|s| s.availability),
            latency_p95: slo.and_then(|s| s.latency.as_ref()).and_then(|l| l.p95),
            latency_p99: slo.and_then(|s| s.latency.as_ref()).and_then(|l| l.p99),
            slo_window: slo.and_then(|s| s.window).unwrap_or(Duration::from_secs(30 * 86_400)),
            critical,
            warning,
            info,
            channels,
            escalation,
            retention: obs.and_then(|o| o.retention).unwrap_or(Duration::from_secs(15 * 86_400)),
            storage: obs.and_then(|o| o.storage).unwrap_or(Bytes(50 << 30)),
            replicas: obs.and_then(|o| o.replicas).unwrap_or(1),
            scrape_interval: obs.and_then(|o| o.scrape_interval).unwrap_or(Duration::from_secs(15)),
            response_critical: response.and_then(|r| r.critical).unwrap_or(Duration::from_secs(15 * 60)),
            response_warning: response.and_then(|r| r.warning).unwrap_or(Duration::from_secs(4 * 3600)),
            runbooks: obs.and_then(|o| o.runbooks.as_ref()).map(|base| base.trim_end_matches('/').to_owned()),
        }
    }

    fn build(doc: &Document) -> model::Build {
        let build = doc.build.as_ref();
        let text = |pick: fn(&input::Build) -> &Option<String>| build.and_then(|b| pick(b).clone());
        model::Build {
            toolchain: text(|b| &b.toolchain)
                .and_then(|t| t.split_once('@').map(|(language, version)| (language.to_owned(), version.to_owned()))),
            install: text(|b| &b.install),
            lint: text(|b| &b.lint),
            test: text(|b| &b.test),
            coverage: text(|b| &b.coverage),
            context: text(|b| &b.context).unwrap_or_else(|| ".".to_owned()),
            dockerfile: text(|b| &b.dockerfile).unwrap_or_else(|| "{service}/Dockerfile".to_owned()),
            migrate: build.and_then(|b| b.migrate.as_ref()).map(|m| (m.up.clone(), m.down.clone())),
            repository: text(|b| &b.repository),
        }
    }

    fn datastores(&mut self, doc: &Document, environment: &model::Environment) -> Vec<model::Datastore> {
        let production = environment.stage == Stage::Production;
        let mut out = Vec::new();
        for (name, ds) in &doc.datastores {
            let pointer = format!("/datastores/{}", escape(name));
            if !is_dns_label(name) {
                self.error_at_key(
                    "invalid-name",
                    format!("datastore name `{name}` is not a DNS label"),
                    &pointer,
                    Some("use lowercase letters, digits and `-`".to_owned()),
                );
            }
            if doc.services.contains_key(name) {
                self.error_at_key(
                    "duplicate",
                    format!("`{name}` is both a service and a datastore"),
                    &pointer,
                    Some("rename one: they share DNS names, Services and policies".to_owned()),
                );
            }
            let fields: [(&str, bool, &[Engine]); 14] = [
                ("databases", ds.databases.is_some(), &[Engine::Postgres]),
                ("pooler", ds.pooler.is_some(), &[Engine::Postgres]),
                ("pitr", ds.pitr.is_some(), &[Engine::Postgres]),
                ("mode", ds.mode.is_some(), &[Engine::Redis]),
                ("shards", ds.shards.is_some(), &[Engine::Redis]),
                ("auth", ds.auth.is_some(), &[Engine::Redis]),
                ("persistence", ds.persistence.is_some(), &[Engine::Redis]),
                ("eviction", ds.eviction.is_some(), &[Engine::Redis]),
                ("versioning", ds.versioning.is_some(), &[Engine::Bucket]),
                ("lifecycle", ds.lifecycle.is_some(), &[Engine::Bucket]),
                ("replicate_to", ds.replicate_to.is_some(), &[Engine::Bucket]),
                ("access", ds.access.is_some(), &[Engine::Bucket]),
                ("storage", ds.storage.is_some(), &[Engine::Postgres, Engine::Redis]),
                ("multi_az", ds.multi_az.is_some(), &[Engine::Postgres, Engine::Redis]),
            ];
            let engine_name = match ds.engine {
                Engine::Postgres => "postgres",
                Engine::Redis => "redis",
                Engine::Bucket => "bucket",
            };
            for (field, present, engines) in fields {
                if present && !engines.contains(&ds.engine) {
                    self.error_at_key(
                        "field-not-applicable",
                        format!("`{field}` does not apply to a {engine_name} datastore"),
                        &format!("{pointer}/{field}"),
                        Some(format!(
                            "remove it, or change `engine` (it applies to {})",
                            engines.iter().map(|e| format!("{e:?}").to_lowercase()).collect::<Vec<_>>().join(", ")
                        )),
                    );
                }
            }
            let databases = ds.databases.clone().unwrap_or_else(|| {
                if ds.engine == Engine::Postgres { vec![doc.name.replace('-', "_")] } else { Vec::new() }
            });
            let mut seen = BTreeSet::new();
            for (idx, db) in databases.iter().enumerate() {
                if !seen.insert(db) {
                    self.error(
                        "duplicate",
                        format!("database `{db}` is listed twice"),
                        &format!("{pointer}/databases/{idx}"),
                        None,
                    );
                }
                let valid = db.bytes().next().is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
                    && db.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                    && db.len() <= 63;
                if !valid {
                    self.error(
                        "invalid-name",
                        format!("`{db}` is not a valid PostgreSQL database name"),
                        &format!("{pointer}/databases/{idx}"),
                        Some("use lowercase letters, digits and `_` (at most 63), e.g. `auth_service`".to_owned()),
                    );
                }
            }
            let storage = ds.storage.unwrap_or(match ds.engine {
                Engine::Postgres => Range { low: Bytes(20 << 30), high: Bytes(100 << 30) },
                _ => Range { low: Bytes(10 << 30), high: Bytes(10 << 30) },
            });
            if storage.low > storage.high {
                self.error(
                    "impossible-bounds",
                    format!("storage starts at {} but may only grow to {}", storage.low, storage.high),
                    &format!("{pointer}/storage"),
                    Some("write `initial..maximum` with the maximum last".to_owned()),
                );
            }
            let hosting = ds.hosting.unwrap_or(Hosting::Managed);
            if ds.resources.is_some() && (hosting == Hosting::Managed || ds.engine == Engine::Bucket) {
                self.error_at_key(
                    "field-not-applicable",
                    "`resources` applies only to a datastore with `hosting: cluster`".to_owned(),
                    &format!("{pointer}/resources"),
                    Some(
                        "size a managed datastore with `size` (an instance class), or set `hosting: cluster`"
                            .to_owned(),
                    ),
                );
            }
            let default = match ds.engine {
                Engine::Redis => {
                    (Range { low: Cpu(100), high: Cpu(500) }, Range { low: Bytes(256 << 20), high: Bytes(512 << 20) })
                }
                _ => (Range { low: Cpu(250), high: Cpu(1000) }, Range { low: Bytes(512 << 20), high: Bytes(1 << 30) }),
            };
            let (cpu, memory) = self.resources(ds.resources.as_ref(), default, &format!("{pointer}/resources"));
            let mode = ds.mode.unwrap_or(if production { RedisMode::Replication } else { RedisMode::Standalone });
            if let Some(backup) = &ds.backup {
                if backup.keep < backup.every {
                    self.error(
                        "impossible-bounds",
                        format!(
                            "backups every {} but kept only {}: at times none would exist",
                            backup.every, backup.keep
                        ),
                        &format!("{pointer}/backup/keep"),
                        Some("keep backups at least as long as the interval between them".to_owned()),
                    );
                }
            }
            let default_backup = (ds.engine == Engine::Postgres).then(|| model::Backup {
                every: Duration::from_secs(86_400),
                keep: Duration::from_secs(7 * 86_400),
                window: "03:00".to_owned(),
            });
            out.push(model::Datastore {
                name: name.clone(),
                engine: ds.engine,
                version: ds.version.clone().unwrap_or_else(|| match ds.engine {
                    Engine::Postgres => "16".to_owned(),
                    Engine::Redis => "7".to_owned(),
                    Engine::Bucket => String::new(),
                }),
                hosting,
                size: ds.size.clone().unwrap_or_else(|| if production { "large" } else { "small" }.to_owned()),
                databases,
                storage,
                multi_az: ds.multi_az.unwrap_or(production && ds.engine != Engine::Bucket),
                replicas: ds.replicas.unwrap_or(0),
                pooler: ds.pooler.unwrap_or(false),
                backup: match &ds.backup {
                    Some(b) => Some(model::Backup {
                        every: b.every,
                        keep: b.keep,
                        window: b.window.clone().unwrap_or_else(|| "03:00".to_owned()),
                    }),
                    None => default_backup,
                },
                pitr: ds.pitr.unwrap_or(ds.engine == Engine::Postgres && production),
                mode,
                shards: ds.shards.unwrap_or(1),
                auth: ds.auth.unwrap_or(true),
                persistence: ds.persistence.unwrap_or(Persistence::Rdb),
                eviction: ds.eviction.clone().unwrap_or_else(|| "allkeys-lru".to_owned()),
                versioning: ds.versioning.unwrap_or(true),
                lifecycle: ds
                    .lifecycle
                    .iter()
                    .flatten()
                    .map(|l| model::Lifecycle { after: l.after, to: l.to, prefix: l.prefix.clone() })
                    .collect(),
                replicate_to: ds.replicate_to.clone(),
                access: ds.access.unwrap_or(input::Access::Private),
                cpu,
                memory,
            });
        }
        out
    }

    #[allow(clippy::too_many_lines)]
    fn services(
        &mut self,
        doc: &Document,
        environment: &model::Environment,
        domains: &BTreeMap<String, String>,
        datastores: &[model::Datastore],
    ) -> Vec<model::Service> {
        if doc.services.is_empty() {
            self.error(
                "no-services",
                "the spec defines no services".to_owned(),
                "/services",
                Some("add at least one service under `services:`".to_owned()),
            );
        }
        let defaults = doc.defaults.as_ref().and_then(|d| d.service.clone()).unwrap_or_default();
        let names: Vec<&str> = doc.services.keys().map(String::as_str).collect();
        let mut out = Vec::new();
        for (name, own) in &doc.services {
            let pointer = format!("/services/{}", escape(name));
            let at = |field: &str| format!("{pointer}/{field}");
            if !is_dns_label(name) {
                self.error_at_key(
                    "invalid-name",
                    format!("service name `{name}` is not a DNS label"),
                    &pointer,
                    Some("use lowercase letters, digits and `-`, e.g. `api-gateway`".to_owned()),
                );
            }
            macro_rules! pick {
                ($field:ident) => {
                    own.$field.clone().or_else(|| defaults.$field.clone())
                };
            }

            // Ports.
            let main_port = pick!(port).unwrap_or(8080);
            let mut ports = vec![model::Port { name: "http".to_owned(), number: main_port }];
            let extra_ports = pick!(ports).unwrap_or_default();
            // Clashes are reported at the later of the two ports as written, not in name order.
            let mut written: Vec<(&String, u16)> = extra_ports.iter().map(|(n, p)| (n, *p)).collect();
            written.sort_by_key(|(n, _)| self.spans.key(&format!("{pointer}/ports/{}", escape(n))).start);
            for (idx, (port_name, number)) in written.iter().enumerate() {
                let earlier = std::iter::once("http").chain(written[..idx].iter().map(|(n, _)| n.as_str()));
                let numbers = std::iter::once(main_port).chain(written[..idx].iter().map(|(_, p)| *p));
                if let Some((clash, _)) = earlier.zip(numbers).find(|(_, p)| p == number) {
                    self.error(
                        "duplicate-port",
                        format!("port {number} of service `{name}` is already used by port `{clash}`"),
                        &format!("{pointer}/ports/{}", escape(port_name)),
                        Some("give each port its own number".to_owned()),
                    );
                }
            }
            for (port_name, number) in extra_ports {
                let port_pointer = format!("{pointer}/ports/{}", escape(&port_name));
                let valid_name = port_name.len() <= 15
                    && is_dns_label(&port_name)
                    && port_name.bytes().any(|b| b.is_ascii_lowercase());
                if !valid_name || port_name == "http" {
                    self.error_at_key(
                        "invalid-name",
                        format!("`{port_name}` cannot name a port"),
                        &port_pointer,
                        Some(
                            "use up to 15 lowercase letters, digits and `-` (and not `http`, the main port)".to_owned(),
                        ),
                    );
                }
                ports.push(model::Port { name: port_name, number });
            }

            // Replicas and autoscaling.
            let base_replicas = pick!(replicas).unwrap_or(2);
            let replicas = scaled(base_replicas, environment.scale);
            let autoscale = pick!(autoscale).map(|a| {
                let min_pointer = at("autoscale/min");
                let min = a.min.unwrap_or(base_replicas.max(1));
                if min > a.max && a.min.is_some() {
                    self.error(
                        "impossible-bounds",
                        format!("autoscaling minimum {min} is above the maximum {}", a.max),
                        &min_pointer,
                        Some("make `autoscale.min` at most `autoscale.max`".to_owned()),
                    );
                } else if min > a.max {
                    // The minimum defaults to `replicas`; point at what the user wrote.
                    let replicas_pointer = at("replicas");
                    let written =
                        if self.spans.contains(&replicas_pointer) { replicas_pointer } else { at("autoscale/max") };
                    self.error(
                        "impossible-bounds",
                        format!("`replicas` is {min}, above the autoscaling maximum {}", a.max),
                        &written,
                        Some("`replicas` is the autoscaling minimum; lower it, or raise `autoscale.max`".to_owned()),
                    );
                }
                if a.cpu.is_none() && a.memory.is_none() {
                    self.error(
                        "missing-field",
                        format!("autoscaling of `{name}` has no target"),
                        &at("autoscale"),
                        Some("add `cpu: 70%` and/or `memory: 80%`".to_owned()),
                    );
                }
                for (field, target) in [("cpu", a.cpu), ("memory", a.memory)] {
                    if let Some(target) = target {
                        if target.0 == 0 || target.0 > 10_000 {
                            self.error(
                                "out-of-range",
                                format!("an autoscaling target of {target} is impossible"),
                                &at(&format!("autoscale/{field}")),
                                Some("use a utilisation between 1% and 100%".to_owned()),
                            );
                        }
                    }
                }
                model::Autoscale {
                    min: scaled(min, environment.scale),
                    max: scaled(a.max, environment.scale).max(scaled(min, environment.scale)),
                    cpu: a.cpu,
                    memory: a.memory,
                }
            });

            // Resources.
            let default =
                (Range { low: Cpu(100), high: Cpu(500) }, Range { low: Bytes(128 << 20), high: Bytes(256 << 20) });
            let (cpu, memory) = self.resources(pick!(resources).as_ref(), default, &at("resources"));

            // Health.
            let health = self.health(pick!(health), main_port, &ports, &at("health"));

            // Env and secrets.
            let env = pick!(env).unwrap_or_default();
            for key in env.keys() {
                if !is_env_name(key) {
                    self.error_at_key(
                        "invalid-name",
                        format!("`{key}` is not an environment variable name"),
                        &at(&format!("env/{}", escape(key))),
                        Some(env_name_hint(key, "LOG_LEVEL")),
                    );
                }
            }
            let mut secrets = pick!(secrets).unwrap_or_default();
            for (idx, secret) in secrets.iter().enumerate() {
                if !is_env_name(secret) {
                    self.error(
                        "invalid-name",
                        format!("secret name `{secret}` is not an environment variable name"),
                        &at(&format!("secrets/{idx}")),
                        Some(env_name_hint(secret, "JWT_SECRET")),
                    );
                }
                if env.contains_key(secret) {
                    self.error(
                        "duplicate",
                        format!("`{secret}` is both a plain variable and a secret"),
                        &at(&format!("secrets/{idx}")),
                        Some("remove it from `env`; secrets never have plain values".to_owned()),
                    );
                }
            }

            // Uses.
            let mut uses = Vec::new();
            for (idx, reference) in pick!(uses).unwrap_or_default().iter().enumerate() {
                let use_pointer = at(&format!("uses/{idx}"));
                let (ds_name, database) = match reference.split_once('/') {
                    Some((ds, db)) => (ds, Some(db.to_owned())),
                    None => (reference.as_str(), None),
                };
                let Some(ds) = datastores.iter().find(|d| d.name == ds_name) else {
                    // `uses: [redis]` when the redis datastore is called `cache`.
                    let mut same_engine =
                        datastores.iter().filter(|d| format!("{:?}", d.engine).eq_ignore_ascii_case(ds_name));
                    let hint = match (
                        same_engine.next(),
                        same_engine.next(),
                        crate::diagnostic::suggest(ds_name, datastores.iter().map(|d| d.name.as_str())),
                    ) {
                        (Some(only), None, None) => {
                            format!("did you mean `{}`? it is the {ds_name} datastore", only.name)
                        }
                        _ => did_you_mean(ds_name, datastores.iter().map(|d| d.name.as_str())),
                    };
                    self.error(
                        "broken-reference",
                        format!("service `{name}` uses `{ds_name}`, which is not a datastore"),
                        &use_pointer,
                        Some(hint),
                    );
                    continue;
                };
                if let Some(db) = &database {
                    if ds.engine != Engine::Postgres {
                        self.error(
                            "broken-reference",
                            format!("`{ds_name}` is not a postgres datastore, so `/{db}` names nothing"),
                            &use_pointer,
                            Some(format!("write `{ds_name}` alone")),
                        );
                        continue;
                    }
                    if !ds.databases.contains(db) {
                        self.error(
                            "broken-reference",
                            format!("datastore `{ds_name}` has no database `{db}`"),
                            &use_pointer,
                            Some(did_you_mean(db, ds.databases.iter().map(String::as_str))),
                        );
                        continue;
                    }
                }
                if uses.iter().any(|u: &model::Use| u.datastore == ds.name) {
                    self.error("duplicate", format!("service `{name}` uses `{ds_name}` twice"), &use_pointer, None);
                    continue;
                }
                let database = database.or_else(|| (ds.engine == Engine::Postgres).then(|| ds.databases[0].clone()));
                let secret = match ds.engine {
                    Engine::Postgres => Some("DB_PASSWORD"),
                    Engine::Redis if ds.auth => Some("REDIS_PASSWORD"),
                    _ => None,
                };
                if let Some(secret) = secret {
                    if !secrets.iter().any(|s| s == secret) {
                        secrets.push(secret.to_owned());
                    }
                }
                uses.push(model::Use { datastore: ds.name.clone(), engine: ds.engine, database });
            }
            secrets.sort();

            // Calls.
            let calls = pick!(calls).unwrap_or_default();
            for (idx, callee) in calls.iter().enumerate() {
                if callee == name {
                    self.error(
                        "broken-reference",
                        format!("service `{name}` calls itself"),
                        &at(&format!("calls/{idx}")),
                        Some("remove it; a service can always reach itself".to_owned()),
                    );
                } else if !names.contains(&callee.as_str()) {
                    self.error(
                        "broken-reference",
                        format!("service `{name}` calls `{callee}`, which is not a service"),
                        &at(&format!("calls/{idx}")),
                        Some(did_you_mean(callee, names.iter().copied().filter(|n| n != name))),
                    );
                }
            }

            // Expose.
            let mut expose = Vec::new();
            let expose_input =
                pick!(expose).map(|e| (matches!(e, input::OneOrMany::Many(_)), e.to_vec())).unwrap_or_default();
            for (idx, route) in expose_input.1.iter().enumerate() {
                let route_pointer = if expose_input.0 { at(&format!("expose/{idx}")) } else { at("expose") };
                let Some(host) = domains.get(&route.domain) else {
                    self.error(
                        "broken-reference",
                        format!("service `{name}` is exposed on domain `{}`, which is not defined", route.domain),
                        &format!("{route_pointer}/domain"),
                        Some(did_you_mean(&route.domain, domains.keys().map(String::as_str))),
                    );
                    continue;
                };
                let path = route.path.clone().unwrap_or_else(|| "/".to_owned());
                if !path.starts_with('/') {
                    self.error(
                        "invalid-format",
                        format!("path `{path}` must start with `/`"),
                        &format!("{route_pointer}/path"),
                        None,
                    );
                }
                expose.push(model::Route {
                    domain: route.domain.clone(),
                    host: host.clone(),
                    path,
                    tenants: route.tenants.unwrap_or(false),
                    sticky: route.sticky.unwrap_or(false),
                });
            }

            let delivery = self.delivery(
                own.delivery.as_ref().or(defaults.delivery.as_ref()).or(doc.delivery.as_ref()),
                if own.delivery.is_some() { at("delivery") } else { "/delivery".to_owned() },
            );

            let security = pick!(security);
            let security = model::ContainerSecurity {
                run_as_user: security.as_ref().and_then(|s| s.run_as_user).unwrap_or(10001),
                read_only_root_filesystem: security.as_ref().and_then(|s| s.read_only_root_filesystem).unwrap_or(true),
                writable: security.as_ref().and_then(|s| s.writable.clone()).unwrap_or_default(),
                capabilities: security.as_ref().and_then(|s| s.capabilities.clone()).unwrap_or_default(),
                service_account_token: security.as_ref().and_then(|s| s.service_account_token).unwrap_or(false),
            };
            if security.run_as_user == 0 {
                self.error(
                    "weakened-default",
                    format!("service `{name}` would run as root"),
                    &at("security/run_as_user"),
                    Some("containers run as a non-root UID; pick one above 0, e.g. 10001".to_owned()),
                );
            }
            for (idx, dir) in security.writable.iter().enumerate() {
                if !dir.starts_with('/') {
                    self.error(
                        "invalid-format",
                        format!("writable directory `{dir}` must be an absolute path"),
                        &at(&format!("security/writable/{idx}")),
                        None,
                    );
                }
            }
            let metrics = pick!(metrics);
            let metrics = model::Metrics {
                path: metrics.as_ref().and_then(|m| m.path.clone()).unwrap_or_else(|| "/metrics".to_owned()),
                port: metrics.as_ref().and_then(|m| m.port).unwrap_or(main_port),
            };
            if !ports.iter().any(|p| p.number == metrics.port) {
                self.error(
                    "broken-reference",
                    format!("metrics port {} is not a port of `{name}`", metrics.port),
                    &at("metrics/port"),
                    Some("declare it under `ports:`".to_owned()),
                );
            }
            let image = pick!(image);
            if image.is_none() && environment.runtime == Runtime::Kubernetes {
                self.error(
                    "missing-field",
                    format!("service `{name}` has no image, which environment `{}` needs", self.env),
                    &pointer,
                    Some("add `image: registry/owner/name` (the tag is the release version)".to_owned()),
                );
            }
            let local = pick!(local);
            out.push(model::Service {
                name: name.clone(),
                image: image.unwrap_or_default(),
                local_command: local.as_ref().map(|l| l.command.clone()),
                local_workdir: local.and_then(|l| l.workdir),
                ports,
                replicas,
                cpu,
                memory,
                health,
                env,
                secrets,
                uses,
                calls,
                expose,
                autoscale,
                delivery,
                security,
                metrics,
                tier: pick!(tier),
                critical: pick!(critical).unwrap_or(false),
                interruptible: pick!(interruptible).unwrap_or(false),
            });
        }
        self.call_cycles(&out);
        out
    }

    fn health(
        &mut self,
        health: Option<input::Health>,
        main_port: u16,
        ports: &[model::Port],
        pointer: &str,
    ) -> model::Health {
        let detail = match health {
            None => input::HealthDetail { path: None, port: None, liveness: None, readiness: None, startup: None },
            Some(input::Health::Path(path)) => {
                input::HealthDetail { path: Some(path), port: None, liveness: None, readiness: None, startup: None }
            }
            Some(input::Health::Detailed(detail)) => *detail,
        };
        let default_path = detail.path.clone().unwrap_or_else(|| "/health".to_owned());
        let port = detail.port.unwrap_or(main_port);
        if !ports.iter().any(|p| p.number == port) {
            self.error(
                "broken-reference",
                format!("health port {port} is not one of the service's ports"),
                &format!("{pointer}/port"),
                Some("use the main port or one declared under `ports:`".to_owned()),
            );
        }
        let mut probe = |probe: Option<input::Probe>, which: &str, delay: u64, period: u64, threshold: u32| {
            let probe = probe.unwrap_or_default();
            let path = probe.path.unwrap_or_else(|| default_path.clone());
            if !path.starts_with('/') {
                self.error(
                    "invalid-format",
                    format!("probe path `{path}` must start with `/`"),
                    &format!("{pointer}/{which}/path"),
                    None,
                );
            }
            let period = probe.period.unwrap_or(Duration::from_secs(period));
            let timeout = probe.timeout.unwrap_or(Duration::from_secs(3));
            if timeout > period {
                self.error(
                    "impossible-bounds",
                    format!("{which} timeout {timeout} is longer than its period {period}"),
                    &format!("{pointer}/{which}/timeout"),
                    Some("a probe must finish before the next one starts".to_owned()),
                );
            }
            model::Probe {
                path,
                initial_delay: probe.initial_delay.unwrap_or(Duration::from_secs(delay)),
                period,
                timeout,
                failure_threshold: probe.failure_threshold.unwrap_or(threshold),
            }
        };
        // Liveness and readiness defaults are seed 002's probes.
        let liveness = probe(detail.liveness, "liveness", 30, 10, 3);
        let readiness = probe(detail.readiness, "readiness", 5, 5, 3);
        let startup = detail.startup.map(|s| probe(Some(s), "startup", 0, 5, 30));
        model::Health { port, liveness, readiness, startup }
    }

    /// CPU and memory `request..limit` with defaults, checked.
    fn resources(
        &mut self,
        resources: Option<&input::Resources>,
        default: (Range<Cpu>, Range<Bytes>),
        pointer: &str,
    ) -> (Range<Cpu>, Range<Bytes>) {
        let cpu = resources.and_then(|r| r.cpu).unwrap_or(default.0);
        let memory = resources.and_then(|r| r.memory).unwrap_or(default.1);
        if cpu.low > cpu.high {
            self.error(
                "impossible-bounds",
                format!("CPU request {} is above the limit {}", cpu.low, cpu.high),
                &format!("{pointer}/cpu"),
                Some("write `request..limit`, e.g. `100m..500m`".to_owned()),
            );
        }
        if memory.low > memory.high {
            self.error(
                "impossible-bounds",
                format!("memory request {} is above the limit {}", memory.low, memory.high),
                &format!("{pointer}/memory"),
                Some("write `request..limit`, e.g. `256Mi..512Mi`".to_owned()),
            );
        }
        if cpu.low.0 == 0 || memory.low.0 == 0 {
            self.error("out-of-range", "resource requests must be above zero".to_owned(), pointer, None);
        }
        (cpu, memory)
    }

    fn delivery(&mut self, delivery: Option<&input::Delivery>, pointer: String) -> model::Delivery {
        let strategy = delivery.map_or(Strategy::Rolling, |d| d.strategy);
        let int_or_percent = |value: Option<&input::IntOrPercent>, default: IntOrPercent| match value {
            Some(input::IntOrPercent::Int(n)) => IntOrPercent::Int(*n),
            Some(input::IntOrPercent::Percent(p)) => IntOrPercent::Percent(*p),
            None => default,
        };
        let max_surge =
            int_or_percent(delivery.and_then(|d| d.max_surge.as_ref()), IntOrPercent::Percent(Percent(2_500)));
        let max_unavailable = int_or_percent(delivery.and_then(|d| d.max_unavailable.as_ref()), IntOrPercent::Int(0));
        if matches!((max_surge, max_unavailable), (IntOrPercent::Int(0), IntOrPercent::Int(0))) {
            self.error(
                "impossible-bounds",
                "`max_surge` and `max_unavailable` cannot both be 0".to_owned(),
                &format!("{pointer}/max_surge"),
                Some("an update needs room: allow a surge of 1 or one unavailable pod".to_owned()),
            );
        }
        let analysis_input = delivery.and_then(|d| d.analysis.clone());
        let analysis = model::Analysis {
            pre_promotion: self.analysis_names(
                analysis_input.as_ref().and_then(|a| a.pre_promotion.clone()),
                format!("{pointer}/analysis/pre_promotion"),
            ),
            post_promotion: self.analysis_names(
                analysis_input.as_ref().and_then(|a| a.post_promotion.clone()),
                format!("{pointer}/analysis/post_promotion"),
            ),
            background: self.analysis_names(
                analysis_input.as_ref().and_then(|a| a.background.clone()),
                format!("{pointer}/analysis/background"),
            ),
            interval: analysis_input.as_ref().and_then(|a| a.interval).unwrap_or(Duration::from_secs(60)),
            count: analysis_input.as_ref().and_then(|a| a.count).unwrap_or(5),
            failure_limit: analysis_input.as_ref().and_then(|a| a.failure_limit).unwrap_or(1),
        };
        let mut steps = Vec::new();
        let mut last_weight = 0;
        for (idx, step) in delivery.and_then(|d| d.steps.clone()).unwrap_or_default().into_iter().enumerate() {
            let step_pointer = format!("{pointer}/steps/{idx}");
            let given =
                [step.weight.is_some(), step.pause.is_some(), step.analysis.is_some()].iter().filter(|b| **b).count();
            if given != 1 {
                self.error(
                    "invalid-step",
                    "a canary step takes exactly one of `weight`, `pause` or `analysis`".to_owned(),
                    &step_pointer,
                    Some("split it into one step per action".to_owned()),
                );
                continue;
            }
            if let Some(weight) = step.weight {
                if weight < last_weight {
                    self.error(
                        "invalid-step",
                        format!("weight {weight} is below the previous step's {last_weight}"),
                        &format!("{step_pointer}/weight"),
                        Some("canary weights only grow; an abort is what sends traffic back".to_owned()),
                    );
                }
                last_weight = weight;
                steps.push(Step::Weight(weight));
            } else if let Some(pause) = step.pause {
                if pause == "manual" {
                    steps.push(Step::Pause(None));
                } else if let Some(duration) = Duration::parse(&pause) {
                    steps.push(Step::Pause(Some(duration)));
                } else {
                    self.error(
                        "invalid-unit",
                        format!(
                            "`{pause}` is not a duration ({})",
                            crate::schema::dotted(&format!("{step_pointer}/pause"))
                        ),
                        &format!("{step_pointer}/pause"),
                        Some(crate::units::unit_suggestion(Duration::WHAT, &pause).map_or_else(
                            || format!("write a duration such as {}, or `manual`", Duration::EXAMPLES),
                            |s| format!("did you mean `{s}`?"),
                        )),
                    );
                }
            } else if let Some(list) = step.analysis {
                let list = self.analysis_names(Some(list), format!("{step_pointer}/analysis"));
                steps.push(Step::Analysis(list));
            }
        }
        if strategy == Strategy::Canary && steps.is_empty() {
            steps = vec![
                Step::Weight(20),
                Step::Pause(Some(Duration::from_secs(300))),
                Step::Weight(50),
                Step::Pause(Some(Duration::from_secs(300))),
                Step::Weight(80),
                Step::Pause(Some(Duration::from_secs(300))),
            ];
        }
        if strategy != Strategy::Canary && delivery.is_some_and(|d| d.steps.is_some()) {
            self.error(
                "field-not-applicable",
                "`steps` only apply to the canary strategy".to_owned(),
                &format!("{pointer}/steps"),
                Some("remove them or set `strategy: canary`".to_owned()),
            );
        }
        model::Delivery {
            strategy,
            max_surge,
            max_unavailable,
            auto_promote: delivery.and_then(|d| d.auto_promote).unwrap_or(false),
            auto_promote_after: delivery.and_then(|d| d.auto_promote_after),
            scale_down_delay: delivery.and_then(|d| d.scale_down_delay).unwrap_or(Duration::from_secs(30)),
            smoke: delivery.and_then(|d| d.smoke.clone()).unwrap_or_default(),
            steps,
            analysis,
            progress_deadline: delivery.and_then(|d| d.progress_deadline).unwrap_or(Duration::from_secs(600)),
            rollback_window: delivery.and_then(|d| d.rollback_window).unwrap_or(3),
        }
    }

    fn analysis_names(&mut self, list: Option<Vec<String>>, list_pointer: String) -> Vec<String> {
        let list = list.unwrap_or_default();
        for (idx, name) in list.iter().enumerate() {
            if !ANALYSES.contains(&name.as_str()) {
                self.error(
                    "broken-reference",
                    format!("`{name}` is not an analysis plinth knows"),
                    &format!("{list_pointer}/{idx}"),
                    Some(did_you_mean(name, ANALYSES)),
                );
            }
        }
        list
    }

    fn call_cycles(&mut self, services: &[model::Service]) {
        // Depth-first search; each cycle is reported once, at the service where it is first closed.
        fn visit<'s>(
            name: &'s str,
            services: &'s [model::Service],
            path: &mut Vec<&'s str>,
            done: &mut BTreeSet<&'s str>,
            cycles: &mut Vec<Vec<String>>,
        ) {
            if let Some(start) = path.iter().position(|n| *n == name) {
                let mut cycle: Vec<String> = path[start..].iter().map(|s| (*s).to_owned()).collect();
                cycle.push(name.to_owned());
                cycles.push(cycle);
                return;
            }
            if !done.insert(name) {
                return;
            }
            path.push(name);
            if let Some(service) = services.iter().find(|s| s.name == name) {
                for callee in &service.calls {
                    if callee != name {
                        visit(callee, services, path, done, cycles);
                    }
                }
            }
            path.pop();
        }
        let mut done = BTreeSet::new();
        let mut cycles = Vec::new();
        for service in services {
            visit(&service.name, services, &mut Vec::new(), &mut done, &mut cycles);
        }
        for cycle in cycles {
            let from = &cycle[cycle.len() - 2];
            let to = &cycle[cycle.len() - 1];
            let idx = services
                .iter()
                .find(|s| &s.name == from)
                .and_then(|s| s.calls.iter().position(|c| c == to))
                .unwrap_or(0);
            self.error(
                "cycle",
                format!("services call each other in a cycle: {}", cycle.join(" → ")),
                &format!("/services/{}/calls/{idx}", escape(from)),
                Some("start order follows `calls`; break the cycle (e.g. make one side asynchronous)".to_owned()),
            );
        }
    }

    fn warnings(&mut self, platform: &Platform) {
        let production = platform.environment.stage == Stage::Production;
        for service in &platform.services {
            let pointer = format!("/services/{}", escape(&service.name));
            if production && platform.environment.runtime == Runtime::Kubernetes && service.min_replicas() < 2 {
                self.warn(
                    "single-replica",
                    format!("service `{}` runs a single replica in production", service.name),
                    &format!("{pointer}/replicas"),
                    "one node drain or crash takes it down; run at least 2 replicas",
                );
            }
            if !service.security.read_only_root_filesystem {
                self.warn(
                    "weakened-default",
                    format!("service `{}` has a writable root filesystem", service.name),
                    &format!("{pointer}/security/read_only_root_filesystem"),
                    "list the directories it writes under `security.writable` instead",
                );
            }
            if !service.security.capabilities.is_empty() {
                self.warn(
                    "weakened-default",
                    format!("service `{}` adds Linux capabilities", service.name),
                    &format!("{pointer}/security/capabilities"),
                    "each capability widens what a compromised container can do",
                );
            }
        }
        for ds in &platform.datastores {
            let pointer = format!("/datastores/{}", escape(&ds.name));
            if production && ds.hosting == Hosting::Cluster && ds.engine != Engine::Bucket {
                self.warn(
                    "single-instance-datastore",
                    format!(
                        "datastore `{}` runs in the cluster as a single instance in production: no failover",
                        ds.name
                    ),
                    &format!("{pointer}/hosting"),
                    "a node failure stops it until the pod is rescheduled and its volume reattached; \
                     `hosting: managed` gives a standby in another zone",
                );
            }
            if ds.engine == Engine::Postgres && platform.environment.stage != Stage::Development {
                match &ds.backup {
                    Some(backup) if !ds.pitr && backup.every > platform.recovery.rpo => self.warn(
                        "rpo-unmet",
                        format!(
                            "datastore `{}` is backed up every {} without PITR, which cannot meet the RPO of {}",
                            ds.name, backup.every, platform.recovery.rpo
                        ),
                        &format!("{pointer}/backup/every"),
                        "enable `pitr: true` (WAL archiving) or back up at least as often as the RPO",
                    ),
                    _ => {}
                }
            }
            if production && ds.engine != Engine::Bucket && !ds.multi_az && ds.hosting == Hosting::Managed {
                self.warn(
                    "single-az",
                    format!("datastore `{}` has no standby in another zone", ds.name),
                    &pointer,
                    "set `multi_az: true` for automatic failover",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::scaled;
    use crate::units::Percent;

    #[test]
    fn scaling_rounds_up_and_keeps_one() {
        assert_eq!(scaled(3, Percent(5_000)), 2);
        assert_eq!(scaled(1, Percent(5_000)), 1);
        assert_eq!(scaled(0, Percent(5_000)), 0);
        assert_eq!(scaled(10, Percent(10_000)), 10);
    }
}
