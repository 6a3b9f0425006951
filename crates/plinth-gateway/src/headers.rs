//! Header handling: hop-by-hop removal, forwarding headers, request ids and security headers.

use std::hash::{BuildHasher, RandomState};
use std::io::Write as _;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};

use http::header::{self, HeaderMap, HeaderName, HeaderValue};

use crate::config::SecurityHeaders;

/// The request id header.
pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
const FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");

/// Removes the hop-by-hop headers (RFC 9110 §7.6.1), including those `Connection` names.
pub(crate) fn strip_hop_by_hop(headers: &mut HeaderMap) {
    let named: Vec<HeaderName> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok())
        .collect();
    for name in named {
        headers.remove(name);
    }
    for name in [
        header::CONNECTION,
        HeaderName::from_static("keep-alive"),
        header::PROXY_AUTHENTICATE,
        header::PROXY_AUTHORIZATION,
        header::TE,
        header::TRAILER,
        header::TRANSFER_ENCODING,
        header::UPGRADE,
        HeaderName::from_static("proxy-connection"),
    ] {
        headers.remove(name);
    }
}

/// The client's request id when it is a sane token (1–128 visible ASCII characters), else a new one.
pub(crate) fn request_id(headers: &HeaderMap) -> HeaderValue {
    headers
        .get(&REQUEST_ID)
        .filter(|value| (1..=128).contains(&value.len()) && value.as_bytes().iter().all(u8::is_ascii_graphic))
        .cloned()
        .unwrap_or_else(new_request_id)
}

/// A fresh random 128-bit id in hex.
fn new_request_id() -> HeaderValue {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let (a, b) = (RandomState::new().hash_one(n), RandomState::new().hash_one(!n));
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

/// Sets `X-Forwarded-For` (appending the client), `-Proto` and `-Host`.
pub(crate) fn set_forwarded(headers: &mut HeaderMap, client: IpAddr, https: bool, host: &HeaderValue) {
    // An address is at most 45 bytes (IPv6 with an embedded IPv4); format it on the stack.
    let mut buffer = [0u8; 64];
    let len = {
        let mut cursor = &mut buffer[..];
        let _ = write!(cursor, "{client}");
        64 - cursor.len()
    };
    let client = &buffer[..len];
    let value = match headers.get(&FORWARDED_FOR).filter(|v| v.to_str().is_ok()) {
        Some(previous) => {
            let mut chain = Vec::with_capacity(previous.len() + 2 + client.len());
            chain.extend_from_slice(previous.as_bytes());
            chain.extend_from_slice(b", ");
            chain.extend_from_slice(client);
            HeaderValue::from_maybe_shared(bytes::Bytes::from(chain))
        }
        None => HeaderValue::from_bytes(client),
    };
    if let Ok(value) = value {
        headers.insert(FORWARDED_FOR, value);
    }
    headers.insert(FORWARDED_PROTO, HeaderValue::from_static(if https { "https" } else { "http" }));
    headers.insert(FORWARDED_HOST, host.clone());
}

/// Adds the security headers (HSTS only over HTTPS), keeping values the upstream set itself.
pub(crate) fn add_security(headers: &mut HeaderMap, config: &SecurityHeaders, https: bool) {
    let mut set = |name: HeaderName, value: &str| {
        if let (false, Ok(value)) = (headers.contains_key(&name), HeaderValue::from_str(value)) {
            headers.insert(name, value);
        }
    };
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::REFERRER_POLICY, &config.referrer_policy);
    if let Some(csp) = &config.content_security_policy {
        set(header::CONTENT_SECURITY_POLICY, csp);
    }
    if let (true, Some(hsts)) = (https, &config.hsts) {
        set(header::STRICT_TRANSPORT_SECURITY, hsts);
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
        set_forwarded(&mut headers, long, true, &host);
        assert_eq!(headers[&FORWARDED_FOR], long.to_string().as_str());
        headers.insert(FORWARDED_FOR, HeaderValue::from_static("10.0.0.1"));
        set_forwarded(&mut headers, "127.0.0.1".parse().unwrap(), false, &host);
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
