//! The listener: accepting connections, serving HTTP/1.1 on them, and shutting down gracefully
//! (stop accepting, let in-flight requests finish within the drain time).

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use serde_json::json;
use tokio::net::TcpListener;

use crate::DemoConfig;
use crate::app::App;
use crate::log;

/// A demo instance bound to its address, not serving yet.
pub struct Demo {
    listener: TcpListener,
    address: SocketAddr,
    app: Arc<App>,
    drain: Duration,
}

/// Binds `config.listen` and checks the datastore URLs (an invalid one is `InvalidInput`).
pub async fn bind(config: DemoConfig) -> io::Result<Demo> {
    let drain = config.drain;
    let listener = TcpListener::bind(config.listen).await?;
    let address = listener.local_addr()?;
    let app = App::new(config).map_err(|message| io::Error::new(io::ErrorKind::InvalidInput, message))?;
    Ok(Demo { listener, address, app: Arc::new(app), drain })
}

/// Binds and serves until `shutdown` completes, then drains: see [`Demo::run`].
pub async fn serve(config: DemoConfig, shutdown: impl Future<Output = ()>) -> io::Result<()> {
    bind(config).await?.run(shutdown).await
}

impl Demo {
    /// The address it listens on (the real port when configured with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.address
    }

    /// Serves until `shutdown` completes. Logs `{"msg": "listening", "address": …}` first. Then it
    /// stops accepting, closes idle connections and waits up to the drain time for
    /// in-flight requests; requests still running after that are cut off when the runtime ends.
    pub async fn run(self, shutdown: impl Future<Output = ()>) -> io::Result<()> {
        let Self { listener, address, app, drain } = self;
        if app.logs() {
            log::line("info", json!({ "msg": "listening", "address": address.to_string() }));
        }
        let graceful = GracefulShutdown::new();
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            let accepted = tokio::select! {
                accepted = listener.accept() => accepted,
                () = &mut shutdown => break,
            };
            let stream = match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    // Out of file descriptors and the like: say so, back off, go on.
                    if app.logs() {
                        log::line("error", json!({ "msg": "accept failed", "error": error.to_string() }));
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            let app = app.clone();
            let service = service_fn(move |request| {
                let app = app.clone();
                async move { Ok::<_, Infallible>(app.handle(request).await) }
            });
            let connection =
                http1::Builder::new().timer(TokioTimer::new()).serve_connection(TokioIo::new(stream), service);
            let connection = graceful.watch(connection);
            tokio::spawn(async move {
                // A client that goes away mid-request is its own business.
                let _ = connection.await;
            });
        }
        drop(listener);
        let drained = tokio::time::timeout(drain, graceful.shutdown()).await.is_ok();
        if app.logs() {
            log::line("info", json!({ "msg": "stopped", "drained": drained }));
        }
        Ok(())
    }
}

/// Completes on SIGTERM or Ctrl-C (SIGINT): what `plinth demo` passes as `shutdown`.
pub async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
