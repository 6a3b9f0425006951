//! The model's edge as the gateway's configuration: each exposed route on a local host name, one
//! backend per exposed service whose `stable` version is the service's ready replicas, the
//! readiness probe as the active health check, `security.rate_limit` per client IP, security
//! headers and compression on.
//!
//! # Host names
//!
//! A spec host keeps its labels left of the registrable domain (taken as its last two labels) and
//! gets `<app>.localhost` in place of that domain ([`local_host`]): `api.shop.example.com` becomes
//! `api.shop.<app>.localhost`, the apex `example.com` becomes `<app>.localhost`. Names under
//! `localhost` resolve to the loopback address in browsers and curl without editing `/etc/hosts`.
//! A route with `tenants` answers `*.<local host>` only, as the nginx edge does, and passes the
//! tenant label upstream in [`TENANT_HEADER`].

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use plinth_gateway::{Backend, HealthCheck, HostPattern, RateLimit, RatePeriod, Route, Sticky};
use plinth_spec::model::{self, Platform, Service};
use plinth_spec::units::Rate;

use crate::plan::Plan;

/// The header carrying a wildcard host's tenant label upstream (the nginx edge's name).
pub const TENANT_HEADER: &str = "X-Tenant";
/// The cookie pinning a client to a replica on routes with `sticky`.
pub const STICKY_COOKIE: &str = "plinth_sticky";

/// The local name of spec host `host` of application `app` (see the module documentation).
pub fn local_host(app: &str, host: &str) -> String {
    let labels: Vec<&str> = host.trim_end_matches('.').split('.').collect();
    let kept = &labels[..labels.len().saturating_sub(2)];
    kept.iter().copied().chain([app, "localhost"]).collect::<Vec<_>>().join(".").to_ascii_lowercase()
}

/// The host pattern a route answers locally.
pub fn host_pattern(app: &str, route: &model::Route) -> HostPattern {
    let host = local_host(app, &route.host);
    if route.tenants {
        HostPattern::Wildcard { suffix: host, tenant_header: Some(TENANT_HEADER.to_owned()) }
    } else {
        HostPattern::Exact(host)
    }
}

/// One exposed route of a service, with both names, for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExposedUrl {
    /// The service.
    pub service: String,
    /// The URL in the spec (`https://api.example.com/`, `https://*.example.com/api`).
    pub spec: String,
    /// The local URL through the gateway (`https://api.<app>.localhost:8443/`).
    pub local: String,
}

/// The URLs of every exposed route, given the gateway's HTTPS port.
pub fn urls(platform: &Platform, https_port: u16) -> Vec<ExposedUrl> {
    platform
        .services
        .iter()
        .flat_map(|svc| svc.expose.iter().map(move |route| (svc, route)))
        .map(|(svc, route)| {
            let wildcard = if route.tenants { "*." } else { "" };
            ExposedUrl {
                service: svc.name.clone(),
                spec: format!("https://{wildcard}{}{}", route.host, route.path),
                local: format!("https://{}:{https_port}{}", host_pattern(&platform.name, route), route.path),
            }
        })
        .collect()
}

/// The gateway's routes and backends for `platform` run as `plan` (whose probes the health checks
/// use); `ready_ports` gives a service's ready replicas' ports. Every service is a backend: the
/// exposed ones for their routes, all of them for the internal listeners their callers use.
pub fn routing(platform: &Platform, plan: &Plan, ready_ports: impl Fn(&str) -> Vec<u16>) -> (Vec<Route>, Vec<Backend>) {
    let routes = platform
        .services
        .iter()
        .flat_map(|svc| {
            svc.expose.iter().map(|route| Route {
                host: host_pattern(&platform.name, route),
                path_prefix: route.path.clone(),
                backend: svc.name.clone(),
            })
        })
        .collect();
    let backends = platform
        .services
        .iter()
        .map(|svc| {
            let probe = plan.services.iter().find(|s| s.name == svc.name).map(|s| &s.health.readiness);
            backend(svc, probe, ready_ports(&svc.name))
        })
        .collect();
    (routes, backends)
}

/// The backend of `svc`, health-checked with its readiness probe (a service added by a reload has
/// none until it runs).
fn backend(svc: &Service, readiness: Option<&model::Probe>, ports: Vec<u16>) -> Backend {
    let replicas = ports.into_iter().map(|port| SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)).collect();
    let millis = |d: plinth_spec::units::Duration| Duration::from_millis(d.0).max(Duration::from_millis(100));
    Backend {
        sticky: svc.expose.iter().any(|r| r.sticky).then(|| Sticky { cookie: STICKY_COOKIE.to_owned() }),
        health_check: readiness.map(|probe| HealthCheck {
            path: probe.path.clone(),
            interval: millis(probe.period),
            timeout: millis(probe.timeout),
            healthy_threshold: 1,
            unhealthy_threshold: probe.failure_threshold.max(1),
        }),
        ..Backend::new(&svc.name, replicas)
    }
}

/// The gateway's per-IP limit for `security.rate_limit`: per second or per minute (a per-hour
/// limit rounded up to a per-minute one, never stricter than written), bursts of a fifth of the
/// window's count, as the nginx edge allows.
pub fn rate_limit(rate: Rate) -> RateLimit {
    let burst = (rate.requests / 5).max(1);
    match rate.per_seconds {
        1 => RateLimit { requests: rate.requests, per: RatePeriod::Second, burst },
        seconds => {
            let per_minute = (u64::from(rate.requests) * 60).div_ceil(u64::from(seconds)).max(1);
            RateLimit { requests: u32::try_from(per_minute).unwrap_or(u32::MAX), per: RatePeriod::Minute, burst }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_keep_their_subdomains_under_the_app_on_localhost() {
        assert_eq!(local_host("shop", "api.shop.example.com"), "api.shop.shop.localhost");
        assert_eq!(local_host("business-app", "api.business-app.com"), "api.business-app.localhost");
        assert_eq!(local_host("shop", "example.com"), "shop.localhost");
        assert_eq!(local_host("shop", "Example.COM."), "shop.localhost");
        assert_eq!(local_host("shop", "localhost"), "shop.localhost");
    }

    fn compiled(source: &str, env: &str) -> Platform {
        let compiled = plinth_spec::compile(source);
        assert!(!compiled.has_errors(), "{:?}", compiled.diagnostics);
        compiled.platform(env).expect("the environment").clone()
    }

    #[test]
    fn tenant_routes_are_wildcards_with_the_tenant_header_and_the_edge_rate_limit_applies() {
        let platform = compiled(include_str!("../../../examples/company-directory/plinth.yaml"), "development");
        let options = crate::PlanOptions {
            spec_dir: "/app".into(),
            state_dir: "/app/.plinth/development".into(),
            demo_command: vec!["plinth".into(), "demo".into()],
            callee_urls: crate::CalleeUrls::FirstReplica,
        };
        let mut ports = crate::PortAllocator::default();
        let plan = crate::plan(&platform, &options, &mut crate::Secrets::default(), &mut ports).unwrap();
        let (routes, backends) =
            routing(&platform, &plan, |name| if name == "backend" { vec![4000, 4001] } else { vec![] });
        let wildcard = HostPattern::Wildcard {
            suffix: "directory.company-directory.localhost".to_owned(),
            tenant_header: Some(TENANT_HEADER.to_owned()),
        };
        assert!(routes.iter().all(|r| r.host == wildcard));
        let prefixes: Vec<(&str, &str)> = routes.iter().map(|r| (r.backend.as_str(), r.path_prefix.as_str())).collect();
        assert_eq!(prefixes, [("backend", "/api"), ("frontend", "/")]);
        let backend = backends.iter().find(|b| b.name == "backend").unwrap();
        assert_eq!(backend.versions[0].name, "stable");
        assert_eq!(
            backend.versions[0].replicas,
            ["127.0.0.1:4000".parse().unwrap(), "127.0.0.1:4001".parse().unwrap()]
        );
        assert_eq!(backend.health_check.as_ref().unwrap().path, crate::plan::DEMO_READINESS_PATH);
        let limit = rate_limit(platform.security.rate_limit.unwrap());
        assert_eq!(limit, RateLimit { requests: 100, per: RatePeriod::Minute, burst: 20 });
        let urls = urls(&platform, 8443);
        assert_eq!(urls[0].spec, "https://*.directory.example.com/api");
        assert_eq!(urls[0].local, "https://*.directory.company-directory.localhost:8443/api");
    }

    #[test]
    fn rates_convert_to_the_gateways_periods() {
        let per_hour = rate_limit(Rate { requests: 90, per_seconds: 3600 });
        assert_eq!(per_hour, RateLimit { requests: 2, per: RatePeriod::Minute, burst: 18 });
        let per_second = rate_limit(Rate { requests: 3, per_seconds: 1 });
        assert_eq!(per_second, RateLimit { requests: 3, per: RatePeriod::Second, burst: 1 });
    }
}
