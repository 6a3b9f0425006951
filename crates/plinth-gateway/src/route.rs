//! Route lookup: request host (exact before wildcard) then the longest matching path prefix.

use std::borrow::Cow;

use crate::config::{HostPattern, Route};

/// A matched route: its index in the table and the tenant label of a wildcard host.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Matched<'a> {
    /// Index into the route list.
    pub index: usize,
    /// The tenant label, for wildcard routes with a tenant header.
    pub tenant: Option<&'a str>,
}

/// Normalises a `Host` value: lowercase, port and trailing dot removed; `None` when malformed.
/// Borrows `raw` when it is already lowercase.
pub(crate) fn normalize_host(raw: &str) -> Option<Cow<'_, str>> {
    let host = if raw.starts_with('[') {
        // IPv6 literal, optionally with a port.
        let end = raw.find(']')?;
        let rest = &raw[end + 1..];
        if !(rest.is_empty() || rest.strip_prefix(':').is_some_and(is_port)) {
            return None;
        }
        &raw[..=end]
    } else {
        match raw.rsplit_once(':') {
            Some((host, port)) if is_port(port) => host,
            Some(_) => return None,
            None => raw,
        }
    };
    let host = host.strip_suffix('.').unwrap_or(host);
    let valid = !host.is_empty()
        && host.len() <= 253
        && (host.starts_with('[')
            || host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_'));
    valid.then(|| {
        if host.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(host.to_ascii_lowercase())
        } else {
            Cow::Borrowed(host)
        }
    })
}

fn is_port(port: &str) -> bool {
    !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `prefix` matches `path` on a segment boundary (`/api` matches `/api` and `/api/x`, not `/apix`).
fn prefix_matches(prefix: &str, path: &str) -> bool {
    path.starts_with(prefix)
        && (prefix.ends_with('/') || path.len() == prefix.len() || path.as_bytes()[prefix.len()] == b'/')
}

/// Finds the route for `host` (normalised) and `path`: routes with an exact host beat wildcard
/// ones, then the longest path prefix wins.
pub(crate) fn find<'a>(routes: &'a [Route], host: &'a str, path: &str) -> Option<Matched<'a>> {
    let best = |exact: bool| {
        routes
            .iter()
            .enumerate()
            .filter(|(_, route)| match &route.host {
                HostPattern::Exact(name) => exact && name == host,
                HostPattern::Wildcard { suffix, .. } => !exact && tenant_of(host, suffix).is_some(),
            })
            .filter(|(_, route)| prefix_matches(&route.path_prefix, path))
            .max_by_key(|(_, route)| route.path_prefix.len())
    };
    let (index, route) = best(true).or_else(|| best(false))?;
    let tenant = match &route.host {
        HostPattern::Wildcard { suffix, tenant_header: Some(_) } => tenant_of(host, suffix),
        _ => None,
    };
    Some(Matched { index, tenant })
}

/// Whether any route answers `host` at all (to tell 404 from 421 over TLS).
pub(crate) fn host_known(routes: &[Route], host: &str) -> bool {
    routes.iter().any(|route| match &route.host {
        HostPattern::Exact(name) => name == host,
        HostPattern::Wildcard { suffix, .. } => tenant_of(host, suffix).is_some(),
    })
}

/// The single label in front of `.suffix`, if `host` is exactly one label under it.
fn tenant_of<'a>(host: &'a str, suffix: &str) -> Option<&'a str> {
    let label = host.strip_suffix(suffix)?.strip_suffix('.')?;
    (!label.is_empty() && !label.contains('.')).then_some(label)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(host: &str, prefix: &str, backend: &str) -> Route {
        Route { host: HostPattern::parse(host), path_prefix: prefix.to_owned(), backend: backend.to_owned() }
    }

    #[test]
    fn normalizes_hosts() {
        assert_eq!(normalize_host("API.Shop.localhost:8443").as_deref(), Some("api.shop.localhost"));
        assert_eq!(normalize_host("shop.localhost.").as_deref(), Some("shop.localhost"));
        assert_eq!(normalize_host("[::1]:80").as_deref(), Some("[::1]"));
        assert_eq!(normalize_host("bad host"), None);
        assert_eq!(normalize_host("host:port"), None);
        assert_eq!(normalize_host(""), None);
    }

    #[test]
    fn exact_host_beats_wildcard_and_longest_prefix_wins() {
        let mut wildcard = route("*.shop.localhost", "/", "tenants");
        if let HostPattern::Wildcard { tenant_header, .. } = &mut wildcard.host {
            *tenant_header = Some("x-tenant".to_owned());
        }
        let routes = vec![route("api.shop.localhost", "/", "api"), route("api.shop.localhost", "/v2", "v2"), wildcard];
        assert_eq!(find(&routes, "api.shop.localhost", "/v2/orders").unwrap().index, 1);
        assert_eq!(find(&routes, "api.shop.localhost", "/v2x").unwrap().index, 0);
        let tenant = find(&routes, "acme.shop.localhost", "/").unwrap();
        assert_eq!((tenant.index, tenant.tenant), (2, Some("acme")));
        assert!(find(&routes, "a.b.shop.localhost", "/").is_none());
        assert!(find(&routes, "shop.localhost", "/").is_none());
        assert!(host_known(&routes, "acme.shop.localhost"));
    }
}
