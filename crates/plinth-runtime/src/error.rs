//! The runtime's error type.

use std::path::PathBuf;

/// What can go wrong running an environment locally.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A process could not be started.
    #[error("cannot start {process}: {source}")]
    Spawn {
        /// The process.
        process: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A datastore's program is not installed.
    #[error("`{binary}` not found on PATH or under /usr/lib/postgresql/*/bin: install the Debian package `{package}`")]
    MissingBinary {
        /// The program (`initdb`).
        binary: String,
        /// The Debian package providing it.
        package: String,
    },
    /// A setup command (initdb, psql) failed.
    #[error("{command} failed: {output}")]
    Command {
        /// What ran.
        command: String,
        /// Its exit status and standard error.
        output: String,
    },
    /// No free loopback port could be found.
    #[error("cannot allocate a loopback port: {0}")]
    Ports(std::io::Error),
    /// `secrets.json` is not a JSON object of strings.
    #[error("{path}: not a JSON object of strings: {message}")]
    Secrets {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A process or service name the supervisor does not know.
    #[error("no process named `{0}`")]
    UnknownProcess(String),
    /// A process name the supervisor already runs.
    #[error("a process named `{0}` already runs")]
    DuplicateProcess(String),
    /// Something did not become ready in time.
    #[error("{0} did not become ready in time")]
    NotReady(String),
    /// A rolling replacement stopped because a new replica did not become ready.
    #[error("{process}: not rolled: {reason}; {outcome}")]
    RollStopped {
        /// The process.
        process: String,
        /// Why it stopped.
        reason: String,
        /// Whether the replicas already replaced were rolled back.
        outcome: String,
    },
    /// The gateway could not start or reload.
    #[error("gateway: {0}")]
    Gateway(#[from] plinth_gateway::Error),
    /// The admin API failed, or a reload's spec did not compile.
    #[error("{0}")]
    Admin(String),
    /// The spawner thread has gone (the supervisor is shutting down).
    #[error("the supervisor's spawner thread has stopped")]
    SpawnerGone,
}

impl Error {
    /// An [`Error::Io`] about `path`.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { path, source }
    }
}

/// The runtime's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
