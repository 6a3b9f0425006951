//! Finding the datastores' programs: on PATH, or for PostgreSQL under `/usr/lib/postgresql/*/bin`
//! (Debian keeps `initdb` and `postgres` there), highest version first.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Where Debian installs each PostgreSQL major version's programs.
const POSTGRES_LIB: &str = "/usr/lib/postgresql";

/// The Debian package of PostgreSQL's programs.
pub const POSTGRES_PACKAGE: &str = "postgresql";
/// The Debian package of Redis' programs.
pub const REDIS_PACKAGE: &str = "redis-server";

/// `binary` on PATH, else in the highest `/usr/lib/postgresql/<version>/bin`.
pub fn find(binary: &str, package: &str) -> Result<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .map(|dir| dir.join(binary));
    let versioned = postgres_bin_dirs().into_iter().map(|dir| dir.join(binary));
    on_path
        .chain(versioned)
        .find(|candidate| is_executable(candidate))
        .ok_or_else(|| Error::MissingBinary { binary: binary.to_owned(), package: package.to_owned() })
}

/// `/usr/lib/postgresql/*/bin`, highest major version first.
fn postgres_bin_dirs() -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(POSTGRES_LIB) else { return Vec::new() };
    let mut versions: Vec<(u32, PathBuf)> = entries
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.split('.').next()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .collect();
    versions.sort_by_key(|(version, _)| std::cmp::Reverse(*version));
    versions.into_iter().map(|(_, dir)| dir).collect()
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_program_names_its_package() {
        let err = find("plinth-no-such-program", REDIS_PACKAGE).unwrap_err();
        assert!(err.to_string().contains("install the Debian package `redis-server`"), "{err}");
        assert!(find("sh", "coreutils").is_ok());
    }
}
