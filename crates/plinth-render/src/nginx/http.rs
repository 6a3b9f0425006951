//! The `http` context's settings every server shares: logging with request ids, bounded client
//! and proxy timings, gzip, TLS (Mozilla's intermediate profile), the rate-limit zone and the
//! temporary paths (relative to nginx's prefix, so a test run under `-p <dir>` writes nowhere else).

use plinth_spec::model::Platform;

use super::limits;
use super::syntax::{Item, block, comment, directive};

/// The variable holding the request id: the client's `X-Request-Id`, or one nginx generates.
pub const REQUEST_ID: &str = "$plinth_request_id";

/// Mozilla's intermediate TLS profile (v5.7) without the DHE suites, which would need a dhparam
/// file: ECDHE with AES-GCM or ChaCha20-Poly1305 for TLS 1.2; TLS 1.3 suites are OpenSSL's.
const CIPHERS: &str = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

/// Text types worth compressing (`text/html` always is).
const GZIP_TYPES: [&str; 9] = [
    "text/plain",
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/xml",
    "application/manifest+json",
    "image/svg+xml",
    "font/ttf",
];

const LOG_FORMAT: &str = r#"{"time":"$time_iso8601","request_id":"$plinth_request_id","remote_addr":"$remote_addr","host":"$host","request":"$request","status":$status,"bytes":$body_bytes_sent,"duration":$request_time,"upstream":"$upstream_addr","upstream_duration":"$upstream_response_time","user_agent":"$http_user_agent"}"#;

/// The settings at the top of the `http` block.
pub fn settings(platform: &Platform) -> Vec<Item> {
    let mut items = vec![
        directive(&["server_tokens", "off"]),
        directive(&["default_type", "application/octet-stream"]),
        directive(&["sendfile", "on"]),
        directive(&["tcp_nopush", "on"]),
    ];
    for (name, dir) in [
        ("client_body_temp_path", "client_body_temp"),
        ("proxy_temp_path", "proxy_temp"),
        ("fastcgi_temp_path", "fastcgi_temp"),
        ("uwsgi_temp_path", "uwsgi_temp"),
        ("scgi_temp_path", "scgi_temp"),
    ] {
        items.push(directive(&[name, dir]));
    }
    items.extend([
        Item::Blank,
        comment("Request ids: kept from the client or generated, passed upstream, returned and logged."),
        block(
            &["map", "$http_x_request_id", REQUEST_ID],
            vec![directive(&["default", "$http_x_request_id"]), directive(&["", "$request_id"])],
        ),
        directive(&["log_format", "plinth", "escape=json", LOG_FORMAT]),
        directive(&["access_log", "/dev/stdout", "plinth"]),
        Item::Blank,
        comment("Bounded clients: body size, header and body timeouts, idle keep-alive."),
        directive(&["client_max_body_size", "10m"]),
        directive(&["client_header_timeout", "15s"]),
        directive(&["client_body_timeout", "15s"]),
        directive(&["send_timeout", "30s"]),
        directive(&["keepalive_timeout", "65s"]),
        Item::Blank,
        comment("Upstreams over keep-alive HTTP/1.1 connections, with bounded waits."),
        directive(&["proxy_http_version", "1.1"]),
        directive(&["proxy_connect_timeout", "5s"]),
        directive(&["proxy_send_timeout", "60s"]),
        directive(&["proxy_read_timeout", "60s"]),
        Item::Blank,
        directive(&["gzip", "on"]),
        directive(&["gzip_vary", "on"]),
        directive(&["gzip_proxied", "any"]),
        directive(&["gzip_comp_level", "5"]),
        directive(&["gzip_min_length", "1024"]),
        directive(&[&["gzip_types"][..], &GZIP_TYPES[..]].concat()),
        Item::Blank,
        comment("TLS: Mozilla intermediate (TLS 1.2 and 1.3)."),
        directive(&["ssl_protocols", "TLSv1.2", "TLSv1.3"]),
        directive(&["ssl_ciphers", CIPHERS]),
        directive(&["ssl_prefer_server_ciphers", "off"]),
        directive(&["ssl_session_cache", "shared:TLS:10m"]),
        directive(&["ssl_session_timeout", "1d"]),
        directive(&["ssl_session_tickets", "off"]),
        directive(&["include", super::CERTIFICATES]),
    ]);
    if let Some(rate) = platform.security.rate_limit {
        items.extend([
            Item::Blank,
            comment(format!(
                "Per-IP rate limit: {rate} (security.rate_limit), bursts of {} at once, then 429.",
                limits::burst(rate)
            )),
            directive(&[
                "limit_req_zone".to_owned(),
                "$binary_remote_addr".to_owned(),
                format!("zone={}:10m", limits::ZONE),
                format!("rate={}", limits::nginx_rate(rate)),
            ]),
            directive(&["limit_req_status", "429"]),
        ]);
    }
    items
}
