//! TLS: a local certificate authority (loaded or created with rcgen, files 0600) issuing one leaf
//! certificate per host pattern, and the SNI resolver choosing among them.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

use crate::Error;

const KEY_FILE: &str = "ca.key.pem";
const CERT_FILE: &str = "ca.cert.pem";

/// A certificate authority kept in a directory, for local HTTPS.
///
/// Clients trust [`LocalCa::cert_pem`] (or the file `ca.cert.pem`); the gateway serves leaf
/// certificates it signs for every routed host.
pub struct LocalCa {
    dir: PathBuf,
    issuer: Issuer<'static, KeyPair>,
    cert_pem: String,
}

impl LocalCa {
    /// Loads `ca.key.pem` and `ca.cert.pem` from `dir`, or creates them (mode 0600) when absent.
    pub fn load_or_create(dir: &Path) -> Result<Self, Error> {
        let ca_err = |message: String| Error::Ca { dir: dir.to_owned(), message };
        let (key_path, cert_path) = (dir.join(KEY_FILE), dir.join(CERT_FILE));
        let (key, cert_pem) = if key_path.exists() && cert_path.exists() {
            let key_pem = fs::read_to_string(&key_path).map_err(|e| ca_err(format!("{KEY_FILE}: {e}")))?;
            let cert_pem = fs::read_to_string(&cert_path).map_err(|e| ca_err(format!("{CERT_FILE}: {e}")))?;
            (KeyPair::from_pem(&key_pem).map_err(|e| ca_err(format!("{KEY_FILE}: {e}")))?, cert_pem)
        } else {
            let key = KeyPair::generate().map_err(|e| ca_err(e.to_string()))?;
            let mut params = CertificateParams::default();
            params.distinguished_name.push(DnType::CommonName, "plinth local CA");
            params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
            let cert = params.self_signed(&key).map_err(|e| ca_err(e.to_string()))?;
            fs::create_dir_all(dir).map_err(|e| ca_err(e.to_string()))?;
            write_private(&key_path, &key.serialize_pem()).map_err(|e| ca_err(format!("{KEY_FILE}: {e}")))?;
            write_private(&cert_path, &cert.pem()).map_err(|e| ca_err(format!("{CERT_FILE}: {e}")))?;
            (key, cert.pem())
        };
        let issuer = Issuer::from_ca_cert_pem(&cert_pem, key).map_err(|e| ca_err(format!("{CERT_FILE}: {e}")))?;
        Ok(Self { dir: dir.to_owned(), issuer, cert_pem })
    }

    /// The CA certificate in PEM, for clients to trust.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The directory holding the CA.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Issues a leaf certificate for `names` (SANs; `*.x.localhost` wildcards allowed) as
    /// `(certificate chain DER, PKCS#8 key DER)`.
    pub fn issue(&self, names: &[String]) -> Result<(Vec<CertificateDer<'static>>, Vec<u8>), Error> {
        let cert_err = |e: rcgen::Error| Error::Certificate { host: names.join(","), message: e.to_string() };
        let key = KeyPair::generate().map_err(cert_err)?;
        let mut params = CertificateParams::new(names.to_vec()).map_err(cert_err)?;
        params.distinguished_name.push(DnType::CommonName, names.first().cloned().unwrap_or_default());
        let cert = params.signed_by(&key, &self.issuer).map_err(cert_err)?;
        Ok((vec![cert.der().clone()], key.serialize_der()))
    }
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    let mut file = fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
    file.write_all(contents.as_bytes())
}

/// Certificates by host, swapped as a whole when hosts change.
#[derive(Default)]
struct CertStore {
    exact: HashMap<String, Arc<CertifiedKey>>,
    wildcard: HashMap<String, Arc<CertifiedKey>>,
    fallback: Option<Arc<CertifiedKey>>,
}

/// Issues certificates for the hosts in the configuration and picks one by SNI.
pub(crate) struct Certificates {
    ca: LocalCa,
    provider: Arc<CryptoProvider>,
    issued: Mutex<HashMap<String, Arc<CertifiedKey>>>,
    store: ArcSwap<CertStore>,
}

impl Certificates {
    pub(crate) fn new(ca: LocalCa, provider: Arc<CryptoProvider>) -> Self {
        Self { ca, provider, issued: Mutex::default(), store: ArcSwap::from_pointee(CertStore::default()) }
    }

    /// Makes `names` (exact hosts or `*.suffix`) servable; the first is the fallback for an
    /// unknown or missing SNI. Certificates already issued are reused.
    pub(crate) fn set_hosts(&self, names: &[String]) -> Result<(), Error> {
        let mut issued = self.issued.lock().unwrap_or_else(|e| e.into_inner());
        let mut store = CertStore::default();
        for name in names {
            let key = match issued.get(name) {
                Some(key) => key.clone(),
                None => {
                    let (chain, der) = self.ca.issue(std::slice::from_ref(name))?;
                    let signing = self
                        .provider
                        .key_provider
                        .load_private_key(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(der)))
                        .map_err(|e| Error::Certificate { host: name.clone(), message: e.to_string() })?;
                    let key = Arc::new(CertifiedKey::new(chain, signing));
                    issued.insert(name.clone(), key.clone());
                    key
                }
            };
            store.fallback.get_or_insert_with(|| key.clone());
            match name.strip_prefix("*.") {
                Some(suffix) => store.wildcard.insert(suffix.to_owned(), key),
                None => store.exact.insert(name.clone(), key),
            };
        }
        self.store.store(Arc::new(store));
        Ok(())
    }
}

impl std::fmt::Debug for Certificates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Certificates").field("ca_dir", &self.ca.dir).finish_non_exhaustive()
    }
}

impl ResolvesServerCert for Certificates {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let store = self.store.load();
        let Some(name) = hello.server_name().map(str::to_ascii_lowercase) else {
            return store.fallback.clone();
        };
        store
            .exact
            .get(&name)
            .or_else(|| name.split_once('.').and_then(|(_, suffix)| store.wildcard.get(suffix)))
            .or(store.fallback.as_ref())
            .cloned()
    }
}

/// The rustls server configuration: ring provider, TLS 1.2 and 1.3, ALPN h2 then http/1.1.
pub(crate) fn server_config(certificates: Arc<Certificates>) -> Result<rustls::ServerConfig, Error> {
    let provider = certificates.provider.clone();
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Invalid(format!("TLS: {e}")))?
        .with_no_client_auth()
        .with_cert_resolver(certificates);
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_the_ca_with_private_files_and_loads_it_again() {
        let dir = tempfile::tempdir().unwrap();
        let ca = LocalCa::load_or_create(dir.path()).unwrap();
        for file in [KEY_FILE, CERT_FILE] {
            let mode = fs::metadata(dir.path().join(file)).unwrap().permissions();
            assert_eq!(std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777, 0o600, "{file}");
        }
        let again = LocalCa::load_or_create(dir.path()).unwrap();
        assert_eq!(ca.cert_pem(), again.cert_pem());
        assert_eq!(again.issue(&["*.shop.localhost".to_owned()]).unwrap().0.len(), 1);
    }
}
