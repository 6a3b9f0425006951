//! Response and upstream headers. nginx drops inherited `add_header` and `proxy_set_header` lines
//! in any block that sets its own, so every block that adds one gets the full set from here.

use super::http::REQUEST_ID;
use super::syntax::{Item, directive};

/// The Content-Security-Policy: same-origin scripts, styles (inline styles allowed for CSS-in-JS
/// frameworks), images (plus `data:`/`blob:` previews), no plugins, no framing, same-origin forms.
const CSP: &str = "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'";

/// The security headers, sent with every status (`always`), and the request id.
pub fn security() -> Vec<Item> {
    [
        ("Strict-Transport-Security", "max-age=63072000; includeSubDomains"),
        ("Content-Security-Policy", CSP),
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("X-Request-Id", REQUEST_ID),
    ]
    .into_iter()
    .map(|(name, value)| directive(&["add_header", name, value, "always"]))
    .collect()
}

/// `proxy_pass` to `target` with the headers every upstream gets: the original host and scheme,
/// the client chain, the request id, a cleared `Connection` (keep-alive to the upstream), and
/// `X-Tenant`: the subdomain's tenant where `tenant` is set, otherwise cleared so clients cannot
/// choose one.
pub fn proxy(target: &str, tenant: bool) -> Vec<Item> {
    vec![
        directive(&["proxy_pass", target]),
        directive(&["proxy_set_header", "Host", "$host"]),
        directive(&["proxy_set_header", "X-Real-IP", "$remote_addr"]),
        directive(&["proxy_set_header", "X-Forwarded-For", "$proxy_add_x_forwarded_for"]),
        directive(&["proxy_set_header", "X-Forwarded-Proto", "$scheme"]),
        directive(&["proxy_set_header", "X-Request-Id", REQUEST_ID]),
        directive(&["proxy_set_header", "Connection", ""]),
        directive(&["proxy_set_header", "X-Tenant", if tenant { "$tenant" } else { "" }]),
    ]
}
