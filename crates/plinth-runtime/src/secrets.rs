//! Local secret values, kept in `<state>/secrets.json` (mode 0600) so they stay the same across
//! restarts: each name gets a random value the first time something asks for it. Names are shared
//! by every service, as the compose backend's `.env` shares them (`DB_PASSWORD` is the password of
//! the one application role, `REDIS_PASSWORD` Redis' `requirepass`).

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::error::{Error, Result};
use crate::files::write_atomically;

/// The file holding the secrets, in the state directory.
pub const FILE: &str = "secrets.json";

/// The secret holding the password of the PostgreSQL superuser `postgres`.
pub const POSTGRES_SUPERUSER_PASSWORD: &str = "POSTGRES_SUPERUSER_PASSWORD";

/// Random bytes per generated value (hex-encoded: URL-safe, so it can sit in `DATABASE_URL`).
const BYTES: usize = 24;

/// Secret values by name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Secrets {
    values: BTreeMap<String, String>,
}

impl Secrets {
    /// The secrets of `state_dir`, or none when the file does not exist yet.
    pub fn load(state_dir: &Path) -> Result<Self> {
        let path = state_dir.join(FILE);
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(err) => return Err(Error::io(path)(err)),
        };
        let values = serde_json::from_str::<BTreeMap<String, String>>(&text)
            .map_err(|err| Error::Secrets { path, message: err.to_string() })?;
        Ok(Self { values })
    }

    /// Writes them to `state_dir` atomically, readable by the owner only.
    pub fn save(&self, state_dir: &Path) -> Result<()> {
        let path = state_dir.join(FILE);
        let text = serde_json::to_string_pretty(&self.values).expect("a map of strings serialises");
        write_atomically(&path, text.as_bytes(), 0o600)
    }

    /// The value of `name`, generated now if it has none.
    pub fn get_or_generate(&mut self, name: &str) -> String {
        self.values.entry(name.to_owned()).or_insert_with(random_hex).clone()
    }

    /// Sets `name` (tests and callers with their own values).
    pub fn insert(&mut self, name: &str, value: &str) {
        self.values.insert(name.to_owned(), value.to_owned());
    }
}

/// A random hex string of [`BYTES`] bytes.
fn random_hex() -> String {
    let mut bytes = [0u8; BYTES];
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn secrets_are_generated_once_and_kept_private() {
        let dir = tempfile::tempdir().unwrap();
        let mut secrets = Secrets::load(dir.path()).unwrap();
        let first = secrets.get_or_generate("DB_PASSWORD");
        assert_eq!(first.len(), 2 * BYTES);
        assert_eq!(secrets.get_or_generate("DB_PASSWORD"), first);
        assert_ne!(secrets.get_or_generate("JWT_SECRET"), first);
        secrets.save(dir.path()).unwrap();
        let mode = fs::metadata(dir.path().join(FILE)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let mut again = Secrets::load(dir.path()).unwrap();
        assert_eq!(again, secrets);
        assert_eq!(again.get_or_generate("DB_PASSWORD"), first);
    }
}
