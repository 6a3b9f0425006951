//! The JSON access log: one line per request, written when the response body is finished
//! (or dropped), so `bytes` and `duration_ms` cover the whole response.

use std::io::Write as _;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body::{Frame, SizeHint};

use crate::config::AccessLog;
use crate::upstream::{Body, BoxError};

/// What one access-log line says; `status` and the upstream fields are filled in as known.
#[derive(Debug, Default)]
pub(crate) struct Record {
    pub request_id: String,
    pub route: Option<String>,
    pub client: Option<SocketAddr>,
    pub method: String,
    pub host: String,
    pub path: String,
    pub status: u16,
    pub backend: Option<String>,
    pub version: Option<String>,
    pub upstream: Option<SocketAddr>,
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
        let line = serde_json::json!({
            "time": time,
            "request_id": record.request_id,
            "route": record.route,
            "client": record.client.map(|c| c.ip().to_string()),
            "method": record.method,
            "host": record.host,
            "path": record.path,
            "status": record.status,
            "bytes": self.bytes,
            "duration_ms": self.started.elapsed().as_secs_f64() * 1000.0,
            "backend": record.backend,
            "version": record.version,
            "upstream": record.upstream.map(|u| u.to_string()),
        })
        .to_string();
        match log {
            AccessLog::Off => {}
            AccessLog::Tracing => tracing::info!(target: "plinth_gateway::access", "{line}"),
            AccessLog::Writer(writer) => {
                let mut writer = writer.lock().unwrap_or_else(|e| e.into_inner());
                // An access log that cannot be written must not fail the request.
                let _ = writer.write_all(format!("{line}\n").as_bytes());
            }
        }
    }
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
