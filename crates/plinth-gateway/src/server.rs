//! Listeners: accept loops, TLS handshakes, HTTP/1.1 and HTTP/2 connections (hyper-util's auto
//! builder), graceful draining and forced close.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::{Request, Response, StatusCode, header};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

use crate::Error;
use crate::config::ServerLimits;
use crate::gateway::Shared;
use crate::proxy::{self, Conn, Internal, answer};
use crate::upstream::{Body, full};

/// What a listener serves.
#[derive(Clone)]
pub(crate) enum Role {
    /// The proxy over plain HTTP.
    Http,
    /// The proxy over TLS.
    Https(TlsAcceptor),
    /// `/metrics`.
    Admin,
    /// Plain HTTP to one backend.
    Internal(Arc<Internal>),
}

/// Binds `addr`, naming it in the error.
pub(crate) async fn bind(addr: SocketAddr) -> Result<TcpListener, Error> {
    TcpListener::bind(addr).await.map_err(|source| Error::Bind { addr, source })
}

/// Running listeners and the connections they accepted.
pub(crate) struct Server {
    stop: watch::Sender<bool>,
    force: watch::Sender<bool>,
    graceful: Arc<Mutex<Option<GracefulShutdown>>>,
    accept_loops: Mutex<Vec<JoinHandle<()>>>,
    builder: Arc<auto::Builder<TokioExecutor>>,
    /// Time a client has to finish its TLS handshake.
    handshake_timeout: Duration,
}

impl Server {
    pub(crate) fn new(limits: &ServerLimits) -> Self {
        let mut builder = auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_read_timeout)
            .max_buf_size(limits.max_header_bytes.max(8192));
        builder
            .http2()
            .timer(TokioTimer::new())
            .max_header_list_size(u32::try_from(limits.max_header_bytes).unwrap_or(u32::MAX));
        Self {
            stop: watch::channel(false).0,
            force: watch::channel(false).0,
            graceful: Arc::new(Mutex::new(Some(GracefulShutdown::new()))),
            accept_loops: Mutex::default(),
            builder: Arc::new(builder),
            handshake_timeout: limits.header_read_timeout,
        }
    }

    /// Serves `listener` with `role` until shutdown.
    pub(crate) fn spawn(&self, listener: TcpListener, role: Role, shared: Arc<Shared>) {
        let handshake_timeout = self.handshake_timeout;
        let (mut stop, force, builder) = (self.stop.subscribe(), self.force.subscribe(), self.builder.clone());
        let graceful = self.graceful.clone();
        let task = tokio::spawn(async move {
            loop {
                let (stream, client) = tokio::select! {
                    _ = stop.changed() => break,
                    accepted = listener.accept() => match accepted {
                        Ok(accepted) => accepted,
                        Err(error) => {
                            tracing::warn!(%error, "accept failed");
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            continue;
                        }
                    },
                };
                let _ = stream.set_nodelay(true);
                // Taken by `shutdown`: connections accepted from now on are not served.
                let Some(watcher) =
                    graceful.lock().unwrap_or_else(|e| e.into_inner()).as_ref().map(GracefulShutdown::watcher)
                else {
                    break;
                };
                let (mut force, builder, role, shared) = (force.clone(), builder.clone(), role.clone(), shared.clone());
                tokio::spawn(async move {
                    let serve = async {
                        match role {
                            Role::Http => {
                                serve(&builder, watcher, stream, Conn::new(client, false, None), shared, false).await
                            }
                            Role::Internal(internal) => {
                                let conn = Conn::new(client, false, Some(internal));
                                serve(&builder, watcher, stream, conn, shared, false).await
                            }
                            Role::Admin => {
                                serve(&builder, watcher, stream, Conn::new(client, false, None), shared, true).await
                            }
                            Role::Https(acceptor) => {
                                if let Ok(Ok(tls)) =
                                    tokio::time::timeout(handshake_timeout, acceptor.accept(stream)).await
                                {
                                    serve(&builder, watcher, tls, Conn::new(client, true, None), shared, false).await;
                                }
                            }
                        }
                    };
                    tokio::select! {
                        () = serve => {}
                        _ = force.wait_for(|forced| *forced) => {}
                    }
                });
            }
        });
        self.accept_loops.lock().unwrap_or_else(|e| e.into_inner()).push(task);
    }

    /// Stops accepting and closes every connection at once.
    pub(crate) fn close_now(&self) {
        self.stop.send_replace(true);
        self.force.send_replace(true);
    }

    /// Stops accepting, lets connections finish for up to `drain`, then closes the rest.
    pub(crate) async fn shutdown(&self, drain: Duration) {
        self.stop.send_replace(true);
        let loops: Vec<_> = self.accept_loops.lock().unwrap_or_else(|e| e.into_inner()).drain(..).collect();
        for task in loops {
            let _ = task.await;
        }
        let graceful = self.graceful.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(graceful) = graceful {
            let _ = tokio::time::timeout(drain, graceful.shutdown()).await;
        }
        self.force.send_replace(true);
    }
}

/// Serves one connection: the admin endpoints when `admin`, else the proxy.
async fn serve<I>(
    builder: &auto::Builder<TokioExecutor>,
    watcher: hyper_util::server::graceful::Watcher,
    io: I,
    conn: Conn,
    shared: Arc<Shared>,
    admin: bool,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |request: Request<Incoming>| {
        let (shared, conn) = (shared.clone(), conn.clone());
        async move {
            Ok::<_, Infallible>(if admin {
                admin_response(&shared, &request)
            } else {
                proxy::handle(shared, conn, request).await
            })
        }
    });
    let connection = builder.serve_connection_with_upgrades(TokioIo::new(io), service);
    let _ = watcher.watch(connection.into_owned()).await;
}

/// The admin listener: `/metrics` (OpenMetrics text) and `/healthz`.
fn admin_response(shared: &Shared, request: &Request<Incoming>) -> Response<Body> {
    match request.uri().path() {
        "/metrics" => {
            let mut response = Response::new(full(shared.metrics.encode()));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
            );
            response
        }
        "/healthz" => answer(StatusCode::OK, "ok"),
        _ => answer(StatusCode::NOT_FOUND, "not found"),
    }
}
