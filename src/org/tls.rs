//! TLS to the database, with libpq's `sslmode` and `sslrootcert`, so a URL that works with `psql`
//! works here.
//!
//! libpq's default, `prefer`, and `require` encrypt without checking who answers: a PostgreSQL
//! with TLS on and a self-signed certificate (Debian's package starts that way) must accept a
//! plain `postgres://host/db`. `verify-ca` checks the certificate's chain, `verify-full` its
//! chain and its host name, against the roots in `sslrootcert` (a PEM file, or `system`), by
//! default the platform's. The driver knows only `disable`, `prefer` and `require`, and no
//! `sslrootcert`: both are taken out of the URL here and carried in [`Tls`].

use std::path::PathBuf;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, Error, SignatureScheme};

/// How much of the server's certificate is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// Nothing: no TLS (`disable`), or TLS that only encrypts (`allow`, `prefer`, `require`).
    Nothing,
    /// Its chain up to a trusted root (`verify-ca`).
    Chain,
    /// Its chain and that it names the host connected to (`verify-full`).
    Full,
}

/// Where trusted roots come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Roots {
    /// The platform's store (`sslrootcert=system`, or no `sslrootcert`).
    System,
    /// A PEM file of certificates (`sslrootcert=PATH`).
    File(PathBuf),
}

/// TLS as the URL asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tls {
    /// The driver's mode: whether TLS is off, tried or required.
    pub mode: postgres::config::SslMode,
    /// What is checked of the certificate.
    pub check: Check,
    /// The roots a check trusts.
    pub roots: Roots,
}

/// Takes `sslmode` and `sslrootcert` out of a connection string (a URL, or `key=value` words);
/// the rest is the driver's. An unknown mode is an error naming the modes.
pub fn split(url: &str) -> Result<(String, Tls), String> {
    let (rest, mode, root) = if url.contains("://") {
        take_from_url(url)
    } else {
        take_from_words(url)
    };
    use postgres::config::SslMode;
    let (mode, check) = match mode.as_deref().unwrap_or("prefer") {
        "disable" => (SslMode::Disable, Check::Nothing),
        "allow" | "prefer" => (SslMode::Prefer, Check::Nothing),
        "require" => (SslMode::Require, Check::Nothing),
        "verify-ca" => (SslMode::Require, Check::Chain),
        "verify-full" => (SslMode::Require, Check::Full),
        other => {
            return Err(format!(
                "sslmode `{other}` is none of disable, allow, prefer, require, verify-ca, verify-full"
            ));
        }
    };
    let roots = match root.as_deref() {
        None | Some("system") => Roots::System,
        Some(path) => Roots::File(PathBuf::from(path)),
    };
    Ok((rest, Tls { mode, check, roots }))
}

/// The URL without the two parameters, and their values (percent-decoded).
fn take_from_url(url: &str) -> (String, Option<String>, Option<String>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_owned(), None, None);
    };
    let (mut mode, mut root, mut kept) = (None, None, Vec::new());
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "sslmode" => mode = Some(decode(value)),
            "sslrootcert" => root = Some(decode(value)),
            _ => kept.push(pair),
        }
    }
    let rest = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    (rest, mode, root)
}

/// The `key=value` words without the two parameters, and their values.
fn take_from_words(words: &str) -> (String, Option<String>, Option<String>) {
    let (mut mode, mut root, mut kept) = (None, None, Vec::new());
    for word in words.split_whitespace() {
        match word.split_once('=') {
            Some(("sslmode", value)) => mode = Some(value.trim_matches('\'').to_owned()),
            Some(("sslrootcert", value)) => root = Some(value.trim_matches('\'').to_owned()),
            _ => kept.push(word),
        }
    }
    (kept.join(" "), mode, root)
}

/// `%XX` escapes decoded (a path in a URL may hold them).
fn decode(value: &str) -> String {
    percent_encoding::percent_decode_str(value)
        .decode_utf8_lossy()
        .into_owned()
}

/// The driver's TLS connector for `tls`; an unreadable `sslrootcert` is an error naming it.
pub fn connector(tls: &Tls) -> Result<tokio_postgres_rustls::MakeRustlsConnect, String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    let verifier: Arc<dyn ServerCertVerifier> = match (tls.check, &tls.roots) {
        (Check::Nothing, _) => Arc::new(EncryptOnly(provider)),
        (_, Roots::File(path)) => {
            let mut roots = rustls::RootCertStore::empty();
            let certs = CertificateDer::pem_file_iter(path)
                .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
                .map_err(|e| format!("sslrootcert {}: {e}", path.display()))?;
            let (added, _) = roots.add_parsable_certificates(certs);
            if added == 0 {
                return Err(format!(
                    "sslrootcert {}: no certificate in it",
                    path.display()
                ));
            }
            rustls::client::WebPkiServerVerifier::builder_with_provider(roots.into(), provider)
                .build()
                .map_err(|e| e.to_string())?
        }
        (_, Roots::System) => Arc::new(
            rustls_platform_verifier::Verifier::new(provider)
                .map_err(|e| format!("the platform's certificates: {e}"))?,
        ),
    };
    // `verify-ca` is `verify-full` without the host name.
    let verifier = match tls.check {
        Check::Chain => Arc::new(ChainOnly(verifier)),
        _ => verifier,
    };
    let config = builder
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// libpq's `require`: the session is encrypted and its handshake signed by the certificate's
/// key, but who holds that certificate is not checked.
#[derive(Debug)]
struct EncryptOnly(Arc<CryptoProvider>);

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// libpq's `verify-ca`: the chain is checked, the host name is not.
#[derive(Debug)]
struct ChainOnly(Arc<dyn ServerCertVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use postgres::config::SslMode;

    #[test]
    fn the_modes_psql_knows_are_taken_out_of_the_url() {
        let (rest, tls) = split("postgres://zen@db/zen").unwrap();
        assert_eq!(rest, "postgres://zen@db/zen");
        assert_eq!((tls.mode, tls.check), (SslMode::Prefer, Check::Nothing));
        let (rest, tls) =
            split("postgres://zen@db/zen?application_name=x&sslmode=verify-full&sslrootcert=%2Fca%20dir%2Froot.pem")
                .unwrap();
        assert_eq!(rest, "postgres://zen@db/zen?application_name=x");
        assert_eq!((tls.mode, tls.check), (SslMode::Require, Check::Full));
        assert_eq!(tls.roots, Roots::File("/ca dir/root.pem".into()));
        let (rest, tls) = split("host=db user=zen sslmode=verify-ca sslrootcert=system").unwrap();
        assert_eq!(rest, "host=db user=zen");
        assert_eq!((tls.check, tls.roots), (Check::Chain, Roots::System));
        assert_eq!(
            split("postgres://db/zen?sslmode=disable").unwrap().1.mode,
            SslMode::Disable
        );
        let bad = split("postgres://db/zen?sslmode=verify").unwrap_err();
        assert!(bad.contains("verify-full"), "{bad}");
    }

    #[test]
    fn a_missing_root_file_is_named() {
        let tls = Tls {
            mode: SslMode::Require,
            check: Check::Full,
            roots: Roots::File("/nonexistent/root.pem".into()),
        };
        let e = connector(&tls).err().unwrap();
        assert!(e.contains("/nonexistent/root.pem"), "{e}");
    }
}
