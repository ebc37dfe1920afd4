//! The server's TLS certificate: made on first start (a P-256 key, self-signed, for the
//! machine's name and addresses) and kept beside the settings, so a phone that trusted it
//! once sees the same one next time. Its SHA-256 fingerprint is shown on the workstation so
//! the user can compare it with what the phone's browser shows before trusting it.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// A certificate and its private key, as PEM.
pub struct Certificate {
    pub cert_pem: String,
    pub key_pem: zeroize::Zeroizing<String>,
    /// SHA-256 of the certificate (DER), as "AB:CD:...".
    pub fingerprint: String,
}

/// Where the certificate is kept.
pub fn folder() -> PathBuf {
    crate::paths::config_dir().join("phone-access")
}

/// The certificate kept in `dir`, or a new one made and kept there for `names` (host names
/// and IP addresses the phone may use).
pub fn load_or_create(dir: &Path, names: &[String]) -> anyhow::Result<Certificate> {
    let (cert_path, key_path) = (dir.join("certificate.pem"), dir.join("key.pem"));
    if cert_path.exists() && key_path.exists() {
        let cert_pem = std::fs::read_to_string(&cert_path)
            .map_err(|e| crate::said!("cannot read {}: {e}", "无法读取 {}：{e}", cert_path.display()))?;
        let key_pem = zeroize::Zeroizing::new(
            std::fs::read_to_string(&key_path)
                .map_err(|e| crate::said!("cannot read {}: {e}", "无法读取 {}：{e}", key_path.display()))?,
        );
        let fingerprint = fingerprint_of_pem(&cert_pem).ok_or_else(|| {
            crate::said!(
                "{} is not a certificate: delete it and start again to make a new one",
                "{} 不是证书：删除它后重新启动即可生成新证书",
                cert_path.display()
            )
        })?;
        return Ok(Certificate {
            cert_pem,
            key_pem,
            fingerprint,
        });
    }
    let mut params = rcgen::CertificateParams::new(names.to_vec())?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "MAMS phone access");
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, crate::account::name());
    // From today (whole days) for two years.
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() / 86_400)
        .unwrap_or(0);
    let today = rcgen::date_time_ymd(1970, 1, 1) + std::time::Duration::from_secs(days * 86_400);
    params.not_before = today;
    params.not_after = today + std::time::Duration::from_secs(2 * 365 * 86_400);
    let key = rcgen::KeyPair::generate()?;
    let cert = params.self_signed(&key)?;
    let cert_pem = cert.pem();
    let key_pem = zeroize::Zeroizing::new(key.serialize_pem());
    std::fs::create_dir_all(dir)
        .map_err(|e| crate::said!("cannot make {}: {e}", "无法创建 {}：{e}", dir.display()))?;
    write_private(&key_path, key_pem.as_bytes())?;
    crate::bulletins::publish::write_file(&cert_path, cert_pem.as_bytes())?;
    let fingerprint = fingerprint_of_der(cert.der().as_ref());
    Ok(Certificate {
        cert_pem,
        key_pem,
        fingerprint,
    })
}

/// Writes the key readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options
        .open(path)
        .map_err(|e| crate::said!("cannot write {}: {e}", "无法写入 {}：{e}", path.display()))?;
    f.write_all(bytes)
        .map_err(|e| crate::said!("cannot write {}: {e}", "无法写入 {}：{e}", path.display()))?;
    Ok(())
}

pub fn fingerprint_of_der(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn fingerprint_of_pem(pem: &str) -> Option<String> {
    let der = rustls_pki_der(pem)?;
    Some(fingerprint_of_der(&der))
}

/// The first certificate of a PEM text, as DER.
pub fn rustls_pki_der(pem: &str) -> Option<Vec<u8>> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    CertificateDer::from_pem_slice(pem.as_bytes())
        .ok()
        .map(|c| c.to_vec())
}

/// The rustls server configuration of a certificate.
pub fn server_config(c: &Certificate) -> anyhow::Result<rustls::ServerConfig> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = vec![CertificateDer::from_pem_slice(c.cert_pem.as_bytes())?];
    let key = PrivateKeyDer::from_pem_slice(c.key_pem.as_bytes())?;
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}
