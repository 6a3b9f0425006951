//! The gateway's error type.

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;

/// What can go wrong starting, reloading or steering the gateway.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A listener could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why (e.g. address in use).
        source: io::Error,
    },
    /// The local CA could not be read or written.
    #[error("local CA in {}: {message}", dir.display())]
    Ca {
        /// The CA directory.
        dir: PathBuf,
        /// What failed.
        message: String,
    },
    /// A certificate could not be issued or loaded into rustls.
    #[error("certificate for {host}: {message}")]
    Certificate {
        /// The host name.
        host: String,
        /// What failed.
        message: String,
    },
    /// The HTTPS listener is configured without `tls`.
    #[error("the HTTPS listener needs a TLS configuration")]
    MissingTls,
    /// The configuration is inconsistent.
    #[error("invalid configuration: {0}")]
    Invalid(String),
    /// A reload tried to change something fixed at start.
    #[error("{0} cannot change on reload; restart the gateway")]
    FixedAtStart(&'static str),
    /// No backend has this name.
    #[error("no backend named {0:?}")]
    UnknownBackend(String),
    /// The backend has no version of this name.
    #[error("backend {backend:?} has no version named {version:?}")]
    UnknownVersion {
        /// The backend.
        backend: String,
        /// The version asked for.
        version: String,
    },
}
