//! The route table: a request's method and path to the endpoint it reaches and the route template
//! that names it in metrics and logs.

use hyper::Method;

/// One of the two probes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Probe {
    /// `/healthz`: restart me when failing.
    Liveness,
    /// `/readyz`: send me no traffic when failing.
    Readiness,
}

/// What a request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Endpoint {
    Info,
    Version,
    Probe(Probe),
    Toggle(Probe, bool),
    Status(String),
    Delay(String),
    ChaosGet,
    ChaosSet,
    ChaosClear,
    Metrics,
    Db,
    Cache,
    NotFound,
    /// The path exists, with these methods.
    MethodNotAllowed(&'static str),
}

/// A resolved request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Route {
    /// The template (`/status/{code}`), or `unmatched`.
    pub(crate) template: &'static str,
    pub(crate) endpoint: Endpoint,
}

/// The paths the fault switch never touches: probes must tell the truth about the instance, and
/// metrics and the switch itself must stay reachable to observe and undo the faults.
const SPARED: [&str; 4] = ["/healthz", "/readyz", "/metrics", "/chaos"];

/// The paths machines poll (probes, scrapes): their successful answers are not logged, or they
/// would drown the requests people send.
const POLLED: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

impl Route {
    /// Whether the request is a probe's or a scrape's.
    pub(crate) fn polled(&self) -> bool {
        POLLED.contains(&self.template)
    }

    /// Whether the fault switch leaves this request alone.
    pub(crate) fn spared(&self) -> bool {
        SPARED.iter().any(|prefix| {
            self.template.strip_prefix(prefix).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
    }
}

/// Resolves `method` and `path`.
pub(crate) fn resolve(method: &Method, path: &str) -> Route {
    let segments: Vec<&str> = path.strip_prefix('/').unwrap_or(path).split('/').collect();
    let get = |endpoint| only(method, &Method::GET, endpoint);
    let post = |endpoint| only(method, &Method::POST, endpoint);
    let (template, endpoint) = match segments.as_slice() {
        [""] => ("/", get(Endpoint::Info)),
        ["version"] => ("/version", get(Endpoint::Version)),
        ["healthz"] => ("/healthz", get(Endpoint::Probe(Probe::Liveness))),
        ["healthz", "enable"] => ("/healthz/enable", post(Endpoint::Toggle(Probe::Liveness, true))),
        ["healthz", "disable"] => ("/healthz/disable", post(Endpoint::Toggle(Probe::Liveness, false))),
        ["readyz"] => ("/readyz", get(Endpoint::Probe(Probe::Readiness))),
        ["readyz", "enable"] => ("/readyz/enable", post(Endpoint::Toggle(Probe::Readiness, true))),
        ["readyz", "disable"] => ("/readyz/disable", post(Endpoint::Toggle(Probe::Readiness, false))),
        ["status", code] => ("/status/{code}", get(Endpoint::Status((*code).to_owned()))),
        ["delay", seconds] => ("/delay/{seconds}", get(Endpoint::Delay((*seconds).to_owned()))),
        ["chaos"] => (
            "/chaos",
            match *method {
                Method::GET => Endpoint::ChaosGet,
                Method::POST => Endpoint::ChaosSet,
                Method::DELETE => Endpoint::ChaosClear,
                _ => Endpoint::MethodNotAllowed("GET, POST, DELETE"),
            },
        ),
        ["metrics"] => ("/metrics", get(Endpoint::Metrics)),
        ["db"] => ("/db", get(Endpoint::Db)),
        ["cache"] => ("/cache", get(Endpoint::Cache)),
        _ => ("unmatched", Endpoint::NotFound),
    };
    Route { template, endpoint }
}

/// `endpoint` when the method is `wanted`, else 405 naming it.
fn only(method: &Method, wanted: &Method, endpoint: Endpoint) -> Endpoint {
    match wanted {
        _ if method == wanted => endpoint,
        &Method::GET => Endpoint::MethodNotAllowed("GET"),
        _ => Endpoint::MethodNotAllowed("POST"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_to_templates() {
        let route = resolve(&Method::GET, "/status/418");
        assert_eq!(route, Route { template: "/status/{code}", endpoint: Endpoint::Status("418".into()) });
        assert_eq!(resolve(&Method::GET, "/delay/1.5").template, "/delay/{seconds}");
        assert_eq!(resolve(&Method::GET, "/nope/x").template, "unmatched");
        assert_eq!(resolve(&Method::GET, "/version/").endpoint, Endpoint::NotFound);
        assert_eq!(resolve(&Method::POST, "/readyz/disable").endpoint, Endpoint::Toggle(Probe::Readiness, false));
        assert_eq!(resolve(&Method::GET, "/readyz/disable").endpoint, Endpoint::MethodNotAllowed("POST"));
        assert_eq!(resolve(&Method::PUT, "/").endpoint, Endpoint::MethodNotAllowed("GET"));
        assert_eq!(resolve(&Method::DELETE, "/chaos").endpoint, Endpoint::ChaosClear);
    }

    #[test]
    fn probes_metrics_and_the_switch_are_spared() {
        for path in ["/healthz", "/readyz", "/healthz/disable", "/readyz/enable", "/metrics", "/chaos"] {
            assert!(resolve(&Method::GET, path).spared(), "{path}");
        }
        for path in ["/", "/version", "/status/500", "/delay/1", "/db", "/cache", "/healthzz", "/nope"] {
            assert!(!resolve(&Method::GET, path).spared(), "{path}");
        }
    }

    #[test]
    fn probes_and_scrapes_are_polled() {
        for path in ["/healthz", "/readyz", "/metrics"] {
            assert!(resolve(&Method::GET, path).polled(), "{path}");
        }
        for path in ["/", "/readyz/disable", "/chaos", "/status/200"] {
            assert!(!resolve(&Method::GET, path).polled(), "{path}");
        }
    }
}
