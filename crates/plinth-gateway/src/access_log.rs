//! The JSON access log: one line per request, written when the response body is finished
//! (or dropped), so `bytes` and `duration_ms` cover the whole response.

use std::io::Write as _;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::uri::Authority;
use http::{HeaderValue, Method, Uri};
use http_body::{Frame, SizeHint};

use crate::config::AccessLog;
use crate::upstream::{Body, BoxError};

/// What one access-log line says; `status` and the upstream fields are filled in as known. The
/// fields share what the request already holds (header values, the URI, precomputed labels)
/// instead of copying it.
#[derive(Debug)]
pub(crate) struct Record {
    pub request_id: HeaderValue,
    pub route: Option<Arc<str>>,
    /// The client's address as text ([`crate::headers::client_ip`]).
    pub client: Option<HeaderValue>,
    pub method: Method,
    /// The `Host` as the client sent it.
    pub host: Option<HeaderValue>,
    /// The request target; its path is logged.
    pub uri: Uri,
    pub status: u16,
    pub backend: Option<Arc<str>>,
    pub version: Option<Arc<str>>,
    pub upstream: Option<Authority>,
    /// Index of the matched route in the live state and of the version picked, for the metrics.
    pub route_index: Option<usize>,
    pub version_index: Option<usize>,
}

impl Record {
    pub(crate) fn new(request_id: HeaderValue, client: HeaderValue, method: Method, uri: Uri) -> Self {
        Self {
            request_id,
            route: None,
            client: Some(client),
            method,
            host: None,
            uri,
            status: 0,
            backend: None,
            version: None,
            upstream: None,
            route_index: None,
            version_index: None,
        }
    }
}

/// A response body that counts its bytes and writes the access-log line when done.
pub(crate) struct LoggedBody {
    inner: Body,
    bytes: u64,
    started: Instant,
    pending: Option<(AccessLog, Record)>,
}

impl LoggedBody {
    /// Wraps `inner`; nothing is logged when `log` is [`AccessLog::Off`].
    pub(crate) fn new(inner: Body, log: AccessLog, record: Record, started: Instant) -> Self {
        let pending = (!matches!(log, AccessLog::Off)).then_some((log, record));
        Self { inner, bytes: 0, started, pending }
    }

    fn finish(&mut self) {
        let Some((log, record)) = self.pending.take() else { return };
        let time = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs_f64();
        let duration_ms = self.started.elapsed().as_secs_f64() * 1000.0;
        let mut line = Vec::with_capacity(320 + record.uri.path().len());
        write_line(&mut line, time, &record, self.bytes, duration_ms);
        match log {
            AccessLog::Off => {}
            AccessLog::Tracing => {
                let line = std::str::from_utf8(&line).unwrap_or_default();
                tracing::info!(target: "plinth_gateway::access", "{line}");
            }
            AccessLog::Writer(writer) => {
                line.push(b'\n');
                let mut writer = writer.lock().unwrap_or_else(|e| e.into_inner());
                // An access log that cannot be written must not fail the request.
                let _ = writer.write_all(&line);
            }
        }
    }
}

/// Appends the JSON object of one access-log line (fields in the documented order, escaped by
/// `serde_json`) to `out`, without building an intermediate `serde_json::Value`.
fn write_line(out: &mut Vec<u8>, time: f64, record: &Record, bytes: u64, duration_ms: f64) {
    fn string(out: &mut Vec<u8>, key: &str, value: Option<&str>) {
        out.extend_from_slice(key.as_bytes());
        match value {
            // Nothing to escape (the usual case): copied as is.
            Some(text) if text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') => {
                out.push(b'"');
                out.extend_from_slice(text.as_bytes());
                out.push(b'"');
            }
            // Serialising a string into a `Vec` cannot fail.
            _ => drop(serde_json::to_writer(&mut *out, &value)),
        }
    }
    fn float(out: &mut Vec<u8>, key: &str, value: f64) {
        out.extend_from_slice(key.as_bytes());
        // `null` when not finite, as `serde_json::Value` would have it.
        let _ = serde_json::to_writer(&mut *out, &serde_json::Number::from_f64(value));
    }
    fn text(value: Option<&HeaderValue>) -> Option<&str> {
        value.map(|value| value.to_str().unwrap_or_default())
    }
    float(out, "{\"time\":", time);
    string(out, ",\"request_id\":", text(Some(&record.request_id)));
    string(out, ",\"route\":", record.route.as_deref());
    string(out, ",\"client\":", text(record.client.as_ref()));
    string(out, ",\"method\":", Some(record.method.as_str()));
    string(out, ",\"host\":", Some(text(record.host.as_ref()).unwrap_or_default()));
    string(out, ",\"path\":", Some(record.uri.path()));
    out.extend_from_slice(b",\"status\":");
    let _ = serde_json::to_writer(&mut *out, &record.status);
    out.extend_from_slice(b",\"bytes\":");
    let _ = serde_json::to_writer(&mut *out, &bytes);
    float(out, ",\"duration_ms\":", duration_ms);
    string(out, ",\"backend\":", record.backend.as_deref());
    string(out, ",\"version\":", record.version.as_deref());
    string(out, ",\"upstream\":", record.upstream.as_ref().map(Authority::as_str));
    out.push(b'}');
}

impl http_body::Body for LoggedBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => self.bytes += frame.data_ref().map_or(0, |d| d.len() as u64),
            Poll::Ready(None) | Poll::Ready(Some(Err(_))) => self.finish(),
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for LoggedBody {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_matches_serde_json_value() {
        let mut record = Record::new(
            HeaderValue::from_static("id-\"1\"\\\t"),
            crate::headers::client_ip("::1".parse().unwrap()),
            Method::PATCH,
            Uri::from_static("http://h/a\"b/%C3%A9?q=1"),
        );
        record.route = Some("shop.localhost/api".into());
        record.host = Some(HeaderValue::from_static("shop.localhost:8080"));
        record.status = 502;
        record.version = Some("stable".into());
        record.upstream = Some(Authority::from_static("127.0.0.1:9000"));
        for (time, duration_ms) in [(1_700_000_000.123_456, 1.5), (0.0, f64::NAN)] {
            let expected = serde_json::json!({
                "time": time,
                "request_id": "id-\"1\"\\\t",
                "route": "shop.localhost/api",
                "client": "::1",
                "method": "PATCH",
                "host": "shop.localhost:8080",
                "path": "/a\"b/%C3%A9",
                "status": 502,
                "bytes": 1234_u64,
                "duration_ms": duration_ms,
                "backend": null,
                "version": "stable",
                "upstream": "127.0.0.1:9000",
            })
            .to_string();
            let mut line = Vec::new();
            write_line(&mut line, time, &record, 1234, duration_ms);
            assert_eq!(String::from_utf8(line).unwrap(), expected);
        }
        let mut empty =
            Record::new(HeaderValue::from_static(""), HeaderValue::from_static(""), Method::GET, Uri::from_static("/"));
        empty.client = None;
        let mut line = Vec::new();
        write_line(&mut line, 1.0, &empty, 0, 0.0);
        let expected = serde_json::json!({
            "time": 1.0, "request_id": "", "route": null, "client": null, "method": "GET", "host": "",
            "path": "/", "status": 0, "bytes": 0, "duration_ms": 0.0, "backend": null, "version": null,
            "upstream": null,
        })
        .to_string();
        assert_eq!(String::from_utf8(line).unwrap(), expected);
    }
}
