//! Header handling: hop-by-hop removal, forwarding headers, request ids and security headers.

use std::cell::Cell;
use std::hash::{BuildHasher, RandomState};
use std::net::IpAddr;

use http::header::{self, HeaderMap, HeaderName, HeaderValue};

use crate::config::SecurityHeaders;

/// The request id header.
pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
const FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");

/// The hop-by-hop headers every proxy removes, besides those `Connection` names.
static HOP_BY_HOP: [HeaderName; 9] = [
    header::CONNECTION,
    HeaderName::from_static("keep-alive"),
    header::PROXY_AUTHENTICATE,
    header::PROXY_AUTHORIZATION,
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
    HeaderName::from_static("proxy-connection"),
];

/// Removes the hop-by-hop headers (RFC 9110 §7.6.1), including those `Connection` names.
pub(crate) fn strip_hop_by_hop(headers: &mut HeaderMap) {
    // One pass over the names finds how many there are: usually none, or just `Connection`.
    let mut present = headers.keys().filter(|name| HOP_BY_HOP.contains(name)).count();
    if present == 0 {
        return;
    }
    let named: Vec<HeaderName> = connection_tokens(headers)
        // The usual values name no header of their own (`keep-alive` is on the fixed list).
        .filter(|name| !name.eq_ignore_ascii_case("keep-alive") && !name.eq_ignore_ascii_case("close"))
        .filter_map(|name| HeaderName::from_bytes(name.as_bytes()).ok())
        .collect();
    for name in &named {
        headers.remove(name);
    }
    for name in &HOP_BY_HOP {
        if present == 0 {
            break;
        }
        if headers.remove(name).is_some() {
            present -= 1;
        }
    }
}

/// The tokens of the `Connection` headers (`keep-alive`, `upgrade`, header names…), trimmed.
pub(crate) fn connection_tokens(headers: &HeaderMap) -> impl Iterator<Item = &str> {
    headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
}

/// The client's request id when it is a sane token (1–128 visible ASCII characters), else a new one.
pub(crate) fn request_id(headers: &HeaderMap) -> HeaderValue {
    headers
        .get(&REQUEST_ID)
        .filter(|value| (1..=128).contains(&value.len()) && value.as_bytes().iter().all(u8::is_ascii_graphic))
        .cloned()
        .unwrap_or_else(new_request_id)
}

/// A fresh random 128-bit id in hex: SplitMix64 over a per-thread state seeded from the
/// standard library's random hasher keys (ids must not repeat, not be unguessable).
fn new_request_id() -> HeaderValue {
    thread_local! {
        static STATE: Cell<u64> = Cell::new(RandomState::new().hash_one(std::thread::current().id()));
    }
    let (a, b) = STATE.with(|state| {
        let next = || {
            let z = state.get().wrapping_add(0x9e37_79b9_7f4a_7c15);
            state.set(z);
            let z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            let z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        (next(), next())
    });
    let mut hex = [0u8; 32];
    write_hex(&mut hex[..16], a);
    write_hex(&mut hex[16..], b);
    HeaderValue::from_bytes(&hex).expect("hex is a valid header value")
}

/// Writes `n` as 16 lowercase hex digits into `out` (16 bytes long).
fn write_hex(out: &mut [u8], n: u64) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = DIGITS[((n >> (60 - 4 * i)) & 0xf) as usize];
    }
}

/// A client address as header text, formatted once per connection.
pub(crate) fn client_ip(client: IpAddr) -> HeaderValue {
    HeaderValue::from_str(&client.to_string()).expect("an IP address is a valid header value")
}

/// Sets `X-Forwarded-For` (appending `client`, see [`client_ip`]), `-Proto` and `-Host`.
pub(crate) fn set_forwarded(headers: &mut HeaderMap, client: &HeaderValue, https: bool, host: &HeaderValue) {
    let value = match headers.get(&FORWARDED_FOR).filter(|v| v.to_str().is_ok()) {
        Some(previous) => {
            let mut chain = Vec::with_capacity(previous.len() + 2 + client.len());
            chain.extend_from_slice(previous.as_bytes());
            chain.extend_from_slice(b", ");
            chain.extend_from_slice(client.as_bytes());
            HeaderValue::from_maybe_shared(bytes::Bytes::from(chain)).ok()
        }
        None => Some(client.clone()),
    };
    if let Some(value) = value {
        headers.insert(FORWARDED_FOR, value);
    }
    headers.insert(FORWARDED_PROTO, HeaderValue::from_static(if https { "https" } else { "http" }));
    headers.insert(FORWARDED_HOST, host.clone());
}

/// The security headers to add, built once per configuration: over plain HTTP and over HTTPS
/// (with HSTS). Values that are not valid header text are left out.
#[derive(Debug, Default)]
pub(crate) struct Security {
    plain: Vec<(HeaderName, HeaderValue)>,
    https: Vec<(HeaderName, HeaderValue)>,
}

impl Security {
    pub(crate) fn new(config: &SecurityHeaders) -> Self {
        let valid = |name: HeaderName, value: &str| HeaderValue::from_str(value).ok().map(|value| (name, value));
        let plain: Vec<_> = [
            valid(header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            valid(header::X_FRAME_OPTIONS, "DENY"),
            valid(header::REFERRER_POLICY, &config.referrer_policy),
            config.content_security_policy.as_deref().and_then(|csp| valid(header::CONTENT_SECURITY_POLICY, csp)),
        ]
        .into_iter()
        .flatten()
        .collect();
        let hsts = config.hsts.as_deref().and_then(|hsts| valid(header::STRICT_TRANSPORT_SECURITY, hsts));
        let https = plain.iter().cloned().chain(hsts).collect();
        Self { plain, https }
    }

    /// Adds the headers (HSTS only over HTTPS), keeping values the upstream set itself.
    pub(crate) fn add(&self, headers: &mut HeaderMap, https: bool) {
        let added = if https { &self.https } else { &self.plain };
        headers.reserve(added.len());
        for (name, value) in added {
            if let header::Entry::Vacant(entry) = headers.entry(name) {
                entry.insert(value.clone());
            }
        }
    }
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_hop_by_hop_and_connection_named_headers() {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONNECTION, HeaderValue::from_static("keep-alive, x-secret"));
        headers.insert("x-secret", HeaderValue::from_static("1"));
        headers.insert(header::TRANSFER_ENCODING, HeaderValue::from_static("chunked"));
        headers.insert(header::ACCEPT, HeaderValue::from_static("*/*"));
        strip_hop_by_hop(&mut headers);
        assert_eq!(headers.keys().collect::<Vec<_>>(), [header::ACCEPT]);

        // A hop-by-hop header both named by `Connection` and on the fixed list.
        headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
        headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
        headers.insert("proxy-connection", HeaderValue::from_static("keep-alive"));
        strip_hop_by_hop(&mut headers);
        assert_eq!(headers.keys().collect::<Vec<_>>(), [header::ACCEPT]);
    }

    #[test]
    fn leaves_messages_without_hop_by_hop_headers_alone() {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_static("*/*"));
        headers.insert("x-keep", HeaderValue::from_static("1"));
        let before = headers.clone();
        strip_hop_by_hop(&mut headers);
        assert_eq!(headers, before);
    }

    #[test]
    fn adds_security_headers_keeping_the_upstreams_and_hsts_only_over_https() {
        let config = SecurityHeaders { referrer_policy: "bad\nvalue".to_owned(), ..SecurityHeaders::default() };
        let security = Security::new(&config);
        let mut headers = HeaderMap::new();
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
        security.add(&mut headers, false);
        assert_eq!(headers[header::X_FRAME_OPTIONS], "SAMEORIGIN");
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(headers[header::CONTENT_SECURITY_POLICY], "default-src 'self'");
        assert!(!headers.contains_key(header::REFERRER_POLICY), "an invalid value is left out");
        assert!(!headers.contains_key(header::STRICT_TRANSPORT_SECURITY));
        security.add(&mut headers, true);
        assert_eq!(headers[header::STRICT_TRANSPORT_SECURITY], "max-age=31536000; includeSubDomains");
    }

    #[test]
    fn keeps_sane_request_ids_and_replaces_others() {
        let mut headers = HeaderMap::new();
        headers.insert(REQUEST_ID, HeaderValue::from_static("abc-123"));
        assert_eq!(request_id(&headers), "abc-123");
        headers.insert(REQUEST_ID, HeaderValue::from_static("has space"));
        let generated = request_id(&headers);
        assert_eq!(generated.len(), 32);
        assert!(generated.as_bytes().iter().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_ne!(generated, request_id(&HeaderMap::new()));
        let mut hex = [0u8; 16];
        write_hex(&mut hex, 0x0123_4567_89ab_cdef);
        assert_eq!(&hex, b"0123456789abcdef");
    }

    #[test]
    fn appends_the_client_to_x_forwarded_for() {
        let host = HeaderValue::from_static("shop.localhost");
        let mut headers = HeaderMap::new();
        let long: IpAddr = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff".parse().unwrap();
        set_forwarded(&mut headers, &client_ip(long), true, &host);
        assert_eq!(headers[&FORWARDED_FOR], long.to_string().as_str());
        headers.insert(FORWARDED_FOR, HeaderValue::from_static("10.0.0.1"));
        set_forwarded(&mut headers, &client_ip("127.0.0.1".parse().unwrap()), false, &host);
        assert_eq!(headers[&FORWARDED_FOR], "10.0.0.1, 127.0.0.1");
        assert_eq!(headers[&FORWARDED_PROTO], "http");
        assert_eq!(headers[&FORWARDED_HOST], "shop.localhost");
    }

    #[test]
    fn reads_cookies() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("a=1; sticky=stable~127.0.0.1:80"));
        assert_eq!(cookie(&headers, "sticky"), Some("stable~127.0.0.1:80"));
        assert_eq!(cookie(&headers, "b"), None);
    }
}
