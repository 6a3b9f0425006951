//! Where clients find a running environment: `<state>/admin.json` (the admin address and plinth's
//! pid) and `<state>/admin.token` (32 random bytes in hex, mode 0600).

use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::Duration;

use serde_json::json;

use crate::error::{Error, Result};
use crate::files::write_atomically;

/// The address file.
pub const ADMIN_FILE: &str = "admin.json";
/// The token file.
pub const TOKEN_FILE: &str = "admin.token";

/// A running environment's admin endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admin {
    /// The admin API's address (loopback).
    pub address: SocketAddr,
    /// The pid of `plinth up`.
    pub pid: u32,
    /// The bearer token.
    pub token: String,
}

impl Admin {
    /// A fresh token: 32 random bytes, hex-encoded.
    pub fn new_token() -> String {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("the operating system provides randomness");
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Writes both files into `state_dir` (the token first, readable by the owner only).
    pub fn write(&self, state_dir: &Path) -> Result<()> {
        write_atomically(&state_dir.join(TOKEN_FILE), self.token.as_bytes(), 0o600)?;
        let text = json!({ "address": self.address.to_string(), "pid": self.pid }).to_string();
        write_atomically(&state_dir.join(ADMIN_FILE), text.as_bytes(), 0o644)
    }

    /// The files of `state_dir`, if both exist.
    pub fn read(state_dir: &Path) -> Result<Option<Self>> {
        let (path, token_path) = (state_dir.join(ADMIN_FILE), state_dir.join(TOKEN_FILE));
        let (text, token) = match (std::fs::read_to_string(&path), std::fs::read_to_string(&token_path)) {
            (Ok(text), Ok(token)) => (text, token),
            (Err(err), _) | (_, Err(err)) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            (Err(err), _) => return Err(Error::io(path)(err)),
            (_, Err(err)) => return Err(Error::io(token_path)(err)),
        };
        let invalid = || Error::Admin(format!("{}: not {{\"address\": …, \"pid\": …}}", path.display()));
        let value: serde_json::Value = serde_json::from_str(&text).map_err(|_| invalid())?;
        let address = value["address"].as_str().and_then(|a| a.parse().ok()).ok_or_else(invalid)?;
        let pid = value["pid"].as_u64().and_then(|p| u32::try_from(p).ok()).ok_or_else(invalid)?;
        Ok(Some(Self { address, pid, token: token.trim().to_owned() }))
    }

    /// Whether it still runs: its process is alive and its address accepts connections.
    pub fn is_live(&self) -> bool {
        let alive = std::fs::read_to_string(format!("/proc/{}/stat", self.pid))
            .is_ok_and(|stat| stat.rsplit_once(')').is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z')));
        alive && TcpStream::connect_timeout(&self.address, Duration::from_secs(1)).is_ok()
    }

    /// Removes both files (a stopped environment).
    pub fn remove(state_dir: &Path) {
        for name in [ADMIN_FILE, TOKEN_FILE] {
            let _ = std::fs::remove_file(state_dir.join(name));
        }
    }
}

/// Whether `given` equals `expected`, in time independent of where they differ.
pub(crate) fn constant_time_eq(given: &[u8], expected: &[u8]) -> bool {
    given.len() == expected.len() && given.iter().zip(expected).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn files_round_trip_and_the_token_is_private() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Admin::read(dir.path()).unwrap(), None);
        let admin = Admin { address: "127.0.0.1:1".parse().unwrap(), pid: 1, token: Admin::new_token() };
        assert_eq!(admin.token.len(), 64);
        admin.write(dir.path()).unwrap();
        let mode = std::fs::metadata(dir.path().join(TOKEN_FILE)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(Admin::read(dir.path()).unwrap(), Some(admin.clone()));
        assert!(!admin.is_live(), "nothing listens on port 1");
        Admin::remove(dir.path());
        assert_eq!(Admin::read(dir.path()).unwrap(), None);
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abd", b"abc"));
        assert!(!constant_time_eq(b"ab", b"abc"));
    }
}
