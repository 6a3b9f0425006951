//! The server blocks: the HTTP → HTTPS redirect (except `= /healthz`, an unlogged 200 for the
//! container's healthcheck), a TLS catch-all that refuses unknown names, and
//! one server per exposed host (a second one, with a `server_name` regex capturing `$tenant`, for
//! routes with tenant subdomains). Each host server has, by location:
//!
//! - `= /health/<service>`: the service's readiness path, unlogged and outside the rate limit so
//!   load-balancer checks never trip it;
//! - `security.admin_paths`: reachable from `security.admin_allow` only (everyone else gets 403),
//!   otherwise handled like the route that covers them;
//! - each route (`/api` as `= /api` and `/api/`, so `/apis` does not match), rate-limited.
//!
//! Routes of `tier: frontend` services are single-page apps behind the edge: a 404 from the
//! frontend for a client-side route is answered with the app's `index.html` (`no-cache`, so a
//! deploy is picked up), while assets with a content hash in their name are cached for a year and
//! their 404s pass through unchanged: a missing script must fail, not load HTML.

use plinth_spec::model::{Platform, Route, Service};

use super::headers::{proxy, security};
use super::limits;
use super::syntax::{Item, block, directive};

/// File names with a content hash (`main.3f2a1b4c.js`, `index-B1x2y3z4.css`): a `.` or `-`, eight or
/// more name characters of which the first eight hold a digit, then a static-asset extension.
const HASHED_ASSET: &str =
    r"[.-](?=[a-z0-9_-]{0,7}[0-9])[a-z0-9_-]{8,}\.(?:css|js|mjs|map|woff2?|ttf|otf|svg|png|jpe?g|gif|webp|avif|ico)$";

/// The routes one server block answers.
struct Site<'a> {
    host: &'a str,
    tenants: bool,
    routes: Vec<(&'a Service, &'a Route)>,
}

/// Every server block of the edge.
pub fn servers(platform: &Platform) -> Vec<Item> {
    let mut items = vec![
        block(
            &["server"],
            vec![
                directive(&["include", super::LISTEN_HTTP]),
                directive(&["server_name", "_"]),
                // In a location, not the server: a server-level `return` would redirect this too.
                block(
                    &["location", "=", super::HEALTH_PATH],
                    vec![directive(&["access_log", "off"]), directive(&["return", "200"])],
                ),
                block(&["location", "/"], vec![directive(&["return", "301", "https://$host$request_uri"])]),
            ],
        ),
        Item::Blank,
        block(
            &["server"],
            vec![
                directive(&["include", super::LISTEN_HTTPS]),
                directive(&["server_name", "_"]),
                directive(&["ssl_reject_handshake", "on"]),
            ],
        ),
    ];
    for site in sites(platform) {
        items.push(Item::Blank);
        items.push(server(platform, &site));
    }
    items
}

fn sites(platform: &Platform) -> Vec<Site<'_>> {
    let mut sites: Vec<Site<'_>> = Vec::new();
    for svc in &platform.services {
        for route in &svc.expose {
            match sites.iter_mut().find(|s| s.host == route.host && s.tenants == route.tenants) {
                Some(site) => site.routes.push((svc, route)),
                None => sites.push(Site { host: &route.host, tenants: route.tenants, routes: vec![(svc, route)] }),
            }
        }
    }
    sites.sort_by(|a, b| (a.host, a.tenants).cmp(&(b.host, b.tenants)));
    for site in &mut sites {
        site.routes.sort_by(|a, b| (&a.1.path, &a.0.name).cmp(&(&b.1.path, &b.0.name)));
    }
    sites
}

fn server(platform: &Platform, site: &Site<'_>) -> Item {
    let name = if site.tenants {
        format!(r"~^(?<tenant>[a-z0-9-]+)\.{}$", site.host.replace('.', r"\."))
    } else {
        site.host.to_owned()
    };
    let mut body = vec![directive(&["include", super::LISTEN_HTTPS]), directive(&["server_name", &name])];
    body.extend(security());
    let mut exposed: Vec<&Service> = site.routes.iter().map(|(svc, _)| *svc).collect();
    exposed.sort_by(|a, b| a.name.cmp(&b.name));
    exposed.dedup_by(|a, b| a.name == b.name);
    for svc in &exposed {
        body.push(block(
            &["location", "=", &format!("/health/{}", svc.name)],
            [
                vec![directive(&["access_log", "off"])],
                proxy(&format!("http://{}{}", svc.name, svc.health.readiness.path), site.tenants),
            ]
            .concat(),
        ));
    }
    for admin in &platform.security.admin_paths {
        let Some(svc) = owner(site, admin) else { continue };
        let mut guard: Vec<Item> =
            platform.security.admin_allow.iter().map(|cidr| directive(&["allow", cidr])).collect();
        guard.push(directive(&["deny", "all"]));
        body.extend(locations(platform, site, svc, admin, &guard));
    }
    for (svc, route) in &site.routes {
        let guarded = platform.security.admin_paths.iter().any(|admin| same_path(admin, &route.path));
        if !guarded {
            body.extend(locations(platform, site, svc, &route.path, &[]));
        }
    }
    for (svc, route) in site.routes.iter().filter(|(svc, _)| is_frontend(svc)) {
        body.push(block(
            &["location", &spa_location(svc)],
            [
                vec![directive(&[
                    "rewrite",
                    "^",
                    &format!("{}/index.html", route.path.trim_end_matches('/')),
                    "break",
                ])],
                proxy(&format!("http://{}", svc.name), site.tenants),
                vec![directive(&["proxy_hide_header", "Cache-Control"])],
                vec![directive(&["add_header", "Cache-Control", "no-cache", "always"])],
                security(),
            ]
            .concat(),
        ));
    }
    block(&["server"], body)
}

/// The service whose route on `site` covers `path` most closely, if any.
fn owner<'a>(site: &Site<'a>, path: &str) -> Option<&'a Service> {
    site.routes
        .iter()
        .filter(|(_, route)| covers(&route.path, path))
        .max_by_key(|(_, route)| route.path.len())
        .map(|(svc, _)| *svc)
}

/// Whether two route paths name the same location (`/api/` and `/api`).
fn same_path(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

/// Whether route prefix `prefix` covers `path` on a segment boundary.
fn covers(prefix: &str, path: &str) -> bool {
    let prefix = prefix.trim_end_matches('/');
    path == prefix || path.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/'))
}

fn is_frontend(svc: &Service) -> bool {
    svc.tier.as_deref() == Some("frontend")
}

fn spa_location(svc: &Service) -> String {
    format!("@spa_{}", svc.name)
}

/// The locations for `path` served by `svc`: `location /` for the root, otherwise the exact path
/// and everything under it (`^~`, so the subtree stays with this route and its guard).
fn locations(platform: &Platform, site: &Site<'_>, svc: &Service, path: &str, guard: &[Item]) -> Vec<Item> {
    let path = path.trim_end_matches('/');
    let serve = |nested: bool| [guard.to_vec(), route_body(platform, site, svc, nested)].concat();
    if path.is_empty() {
        return vec![block(&["location", "/"], serve(true))];
    }
    vec![block(&["location", "=", path], serve(false)), block(&["location", "^~", &format!("{path}/")], serve(true))]
}

/// What a route's location does: rate limit, proxy, and for frontends the SPA fallback and (where
/// nginx allows nested locations) the long cache of hashed assets.
fn route_body(platform: &Platform, site: &Site<'_>, svc: &Service, nested: bool) -> Vec<Item> {
    let upstream = format!("http://{}", svc.name);
    let limit: Vec<Item> = platform
        .security
        .rate_limit
        .map(|rate| {
            directive(&[
                "limit_req".to_owned(),
                format!("zone={}", limits::ZONE),
                format!("burst={}", limits::burst(rate)),
                "nodelay".to_owned(),
            ])
        })
        .into_iter()
        .collect();
    let mut body = [limit.clone(), proxy(&upstream, site.tenants)].concat();
    if is_frontend(svc) {
        body.push(directive(&["proxy_intercept_errors", "on"]));
        body.push(directive(&["error_page", "404", "=", &spa_location(svc)]));
        if nested {
            body.push(block(
                &["location", "~*", HASHED_ASSET],
                [
                    limit,
                    proxy(&upstream, site.tenants),
                    vec![
                        directive(&["proxy_intercept_errors", "off"]),
                        directive(&["proxy_hide_header", "Cache-Control"]),
                        directive(&["add_header", "Cache-Control", "public, max-age=31536000, immutable", "always"]),
                    ],
                    security(),
                ]
                .concat(),
            ));
        }
    }
    body
}

#[cfg(test)]
mod tests {
    use super::covers;

    #[test]
    fn routes_cover_paths_on_segment_boundaries() {
        assert!(covers("/", "/admin"));
        assert!(covers("/api", "/api/admin"));
        assert!(covers("/api", "/api"));
        assert!(!covers("/api", "/apis"));
        assert!(!covers("/api", "/admin"));
    }
}
