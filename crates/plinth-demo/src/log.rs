//! JSON log lines on stdout (no colours), and request ids: `X-Request-Id` echoed when the caller
//! sent a usable one, else generated.

use std::hash::{BuildHasher, RandomState};
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};

use hyper::HeaderMap;
use hyper::header::HeaderValue;
use serde_json::{Value, json};

/// The request id header, echoed on every response.
pub(crate) const REQUEST_ID: &str = "x-request-id";

/// The longest caller-supplied id echoed; longer ones are replaced.
const MAX_ID: usize = 128;

/// Writes one line: `fields` (an object) with `time` and `level` added first.
pub(crate) fn line(level: &str, fields: Value) {
    let mut line = json!({ "time": jiff::Timestamp::now().to_string(), "level": level });
    if let (Some(line), Value::Object(fields)) = (line.as_object_mut(), fields) {
        line.extend(fields);
    }
    // A closed stdout must not take the server down with it.
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

/// Makes request ids: 128 bits from a per-process random key and a counter.
#[derive(Debug, Default)]
pub(crate) struct RequestIds {
    key: RandomState,
    next: AtomicU64,
}

impl RequestIds {
    /// The caller's `X-Request-Id` when it is printable and short, else a new one.
    pub(crate) fn for_request(&self, headers: &HeaderMap) -> HeaderValue {
        let given = headers.get(REQUEST_ID).filter(|v| !v.is_empty() && v.len() <= MAX_ID && v.to_str().is_ok());
        given.cloned().unwrap_or_else(|| self.generate())
    }

    fn generate(&self) -> HeaderValue {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let id = format!("{:016x}{:016x}", self.key.hash_one((n, 0u8)), self.key.hash_one((n, 1u8)));
        HeaderValue::from_str(&id).expect("hex digits are a valid header value")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_echoed_or_generated_unique() {
        let ids = RequestIds::default();
        let mut headers = HeaderMap::new();
        let (a, b) = (ids.for_request(&headers), ids.for_request(&headers));
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
        headers.insert(REQUEST_ID, HeaderValue::from_static("abc-123"));
        assert_eq!(ids.for_request(&headers), "abc-123");
        headers.insert(REQUEST_ID, HeaderValue::from_str(&"x".repeat(200)).unwrap());
        assert_eq!(ids.for_request(&headers).len(), 32);
    }
}
