//! Upstream connections: HTTP/1.1 keep-alive connections to each replica, kept per replica and
//! reused most recent first, and the body type shared by requests and responses.
//!
//! A connection goes back to its replica's idle list when the response body has been read to the
//! end (or was empty); a request that finds a pooled connection closed by the replica in the
//! meantime, before anything was written to it, is sent again on another one.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body::{Frame, SizeHint};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Incoming;
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// Errors of bodies flowing through the gateway.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Every body the gateway handles, boxed.
pub(crate) type Body = UnsyncBoxBody<Bytes, BoxError>;

/// How long an idle connection is kept for reuse.
const IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// An empty body.
pub(crate) fn empty() -> Body {
    Empty::new().map_err(|never| match never {}).boxed_unsync()
}

/// A body of these bytes.
pub(crate) fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).map_err(|never| match never {}).boxed_unsync()
}

/// Why an upstream exchange produced no response.
#[derive(Debug)]
pub(crate) enum SendError {
    /// The connection was not established within the connect timeout.
    ConnectTimeout,
    /// Refused, reset or closed before a response head.
    Connection(BoxError),
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::ConnectTimeout => f.write_str("connect timeout"),
            Self::Connection(error) => write!(f, "{error}"),
        }
    }
}

/// How connections to replicas are made and how many idle ones each replica keeps.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Upstream {
    connect_timeout: Duration,
    max_idle: usize,
}

/// One replica's idle connections, the most recently used last.
#[derive(Debug, Default)]
pub(crate) struct Idle(Mutex<Vec<(Instant, SendRequest<Body>)>>);

impl Idle {
    /// The most recently used open connection; drops those idle too long.
    fn take(&self) -> Option<SendRequest<Body>> {
        let mut idle = self.0.lock().unwrap_or_else(|e| e.into_inner());
        while let Some((since, sender)) = idle.pop() {
            if since.elapsed() > IDLE_TIMEOUT {
                // Those below were idle longer still.
                idle.clear();
                return None;
            }
            if !sender.is_closed() {
                return Some(sender);
            }
        }
        None
    }

    /// Keeps `sender` for reuse, dropping the longest idle one beyond `max`.
    fn put(&self, sender: SendRequest<Body>, max: usize) {
        if max == 0 || sender.is_closed() {
            return;
        }
        let mut idle = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() >= max {
            idle.remove(0);
        }
        idle.push((Instant::now(), sender));
    }
}

impl Upstream {
    /// Connections time out after `connect_timeout`; each replica keeps up to `max_idle`.
    pub(crate) fn new(connect_timeout: Duration, max_idle: usize) -> Self {
        Self { connect_timeout, max_idle }
    }

    /// Sends `request` (origin-form URI, `Host` set) to the replica at `addr` over one of its
    /// `idle` connections or a new one.
    pub(crate) async fn send(
        &self,
        addr: SocketAddr,
        idle: &Arc<Idle>,
        mut request: Request<Body>,
    ) -> Result<Response<Body>, SendError> {
        loop {
            let (mut sender, pooled) = match idle.take() {
                Some(sender) => (sender, true),
                None => (self.connect(addr).await?, false),
            };
            // A pooled connection may still be finishing its previous exchange, or have closed.
            if let Err(error) = sender.ready().await {
                if pooled {
                    continue;
                }
                return Err(SendError::Connection(error.into()));
            }
            match sender.try_send_request(request).await {
                Ok(response) => {
                    // A connection that switched protocols is the tunnel's now.
                    let back = (response.status() != StatusCode::SWITCHING_PROTOCOLS)
                        .then(|| (sender, idle.clone(), self.max_idle));
                    return Ok(response.map(|body| Pooled { body, back }.boxed_unsync()));
                }
                Err(mut error) => match error.take_message() {
                    // Nothing was written: the replica closed this kept connection meanwhile.
                    Some(unsent) if pooled => request = unsent,
                    _ => return Err(SendError::Connection(error.into_error().into())),
                },
            }
        }
    }

    async fn connect(&self, addr: SocketAddr) -> Result<SendRequest<Body>, SendError> {
        let stream = match tokio::time::timeout(self.connect_timeout, TcpStream::connect(addr)).await {
            Err(_) => return Err(SendError::ConnectTimeout),
            Ok(Err(error)) => return Err(SendError::Connection(error.into())),
            Ok(Ok(stream)) => stream,
        };
        let _ = stream.set_nodelay(true);
        let (sender, connection) =
            http1::handshake(TokioIo::new(stream)).await.map_err(|error| SendError::Connection(error.into()))?;
        tokio::spawn(async move {
            // Ends when the replica or the gateway closes the connection.
            let _ = connection.with_upgrades().await;
        });
        Ok(sender)
    }
}

/// A response body that hands its connection back to the replica's idle list once read to the end.
struct Pooled {
    body: Incoming,
    back: Option<(SendRequest<Body>, Arc<Idle>, usize)>,
}

impl Pooled {
    fn give_back(&mut self) {
        if let Some((sender, idle, max)) = self.back.take() {
            idle.put(sender, max);
        }
    }
}

impl http_body::Body for Pooled {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let polled = Pin::new(&mut self.body).poll_frame(cx);
        match polled {
            Poll::Ready(None) => {
                self.give_back();
                Poll::Ready(None)
            }
            Poll::Ready(Some(Err(error))) => {
                // A broken exchange: the connection is not reused.
                self.back = None;
                Poll::Ready(Some(Err(error.into())))
            }
            Poll::Ready(Some(Ok(frame))) => Poll::Ready(Some(Ok(frame))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        // An empty body may never be polled; one dropped half-read leaves the connection unusable.
        if http_body::Body::is_end_stream(&self.body) {
            self.give_back();
        }
    }
}
