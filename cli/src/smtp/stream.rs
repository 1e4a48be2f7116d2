//! A TCP connection that may turn into TLS half way (STARTTLS), and the rustls settings.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, ring};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{
    ClientConfig, ClientConnection, DigitallySignedStruct, ServerConfig, ServerConnection,
    SignatureScheme, StreamOwned,
};

use crate::error::CliError;

/// The connection of one SMTP session.
pub(crate) enum Stream {
    Plain(TcpStream),
    Server(Box<StreamOwned<ServerConnection, TcpStream>>),
    Client(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl Stream {
    /// The socket under the TLS layer, for timeouts.
    pub(crate) fn tcp(&self) -> &TcpStream {
        match self {
            Stream::Plain(tcp) => tcp,
            Stream::Server(tls) => &tls.sock,
            Stream::Client(tls) => &tls.sock,
        }
    }

    /// Runs the server side of the TLS handshake (after our 220 to STARTTLS went out).
    pub(crate) fn accept_tls(self, config: &Arc<ServerConfig>) -> io::Result<Stream> {
        let Stream::Plain(mut tcp) = self else {
            return Err(io::Error::other("TLS is already active"));
        };
        let mut connection = ServerConnection::new(Arc::clone(config)).map_err(io::Error::other)?;
        while connection.is_handshaking() {
            connection.complete_io(&mut tcp)?;
        }
        Ok(Stream::Server(Box::new(StreamOwned::new(connection, tcp))))
    }

    /// Runs the client side of the TLS handshake (after the server's 220 to STARTTLS).
    pub(crate) fn connect_tls(self, config: &Arc<ClientConfig>, name: &str) -> io::Result<Stream> {
        let Stream::Plain(mut tcp) = self else {
            return Err(io::Error::other("TLS is already active"));
        };
        let name = ServerName::try_from(name.to_owned()).map_err(io::Error::other)?;
        let mut connection =
            ClientConnection::new(Arc::clone(config), name).map_err(io::Error::other)?;
        while connection.is_handshaking() {
            connection.complete_io(&mut tcp)?;
        }
        Ok(Stream::Client(Box::new(StreamOwned::new(connection, tcp))))
    }
}

impl Read for Stream {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(tcp) => tcp.read(buffer),
            Stream::Server(tls) => tls.read(buffer),
            Stream::Client(tls) => tls.read(buffer),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(tcp) => tcp.write(bytes),
            Stream::Server(tls) => tls.write(bytes),
            Stream::Client(tls) => tls.write(bytes),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(tcp) => tcp.flush(),
            Stream::Server(tls) => tls.flush(),
            Stream::Client(tls) => tls.flush(),
        }
    }
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(ring::default_provider())
}

/// The server's TLS settings from a PEM certificate chain and a PEM private key.
pub(crate) fn server_config(cert: &Path, key: &Path) -> Result<Arc<ServerConfig>, CliError> {
    let bad = |what: &'static str, error: String| CliError::Invalid(what, error);
    let certs = CertificateDer::pem_file_iter(cert)
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .map_err(|error| bad("--tls-cert", format!("{}: {error}", cert.display())))?;
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|error| bad("--tls-key", format!("{}: {error}", key.display())))?;
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|error| bad("TLS settings", error.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|error| bad("--tls-cert/--tls-key", error.to_string()))?;
    Ok(Arc::new(config))
}

/// The client's TLS settings: verify against the certificates of `ca_file`, or, without one,
/// encrypt without authenticating the server (opportunistic TLS, RFC 7435).
pub(crate) fn client_config(ca_file: Option<&Path>) -> Result<Arc<ClientConfig>, CliError> {
    let bad = |error: String| CliError::Invalid("--ca-file", error);
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|error| bad(error.to_string()))?;
    let config = match ca_file {
        Some(path) => {
            let mut roots = rustls::RootCertStore::empty();
            for cert in
                CertificateDer::pem_file_iter(path).map_err(|error| bad(error.to_string()))?
            {
                let cert = cert.map_err(|error| bad(error.to_string()))?;
                roots.add(cert).map_err(|error| bad(error.to_string()))?;
            }
            builder.with_root_certificates(roots).with_no_client_auth()
        }
        None => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Unverified(provider())))
            .with_no_client_auth(),
    };
    Ok(Arc::new(config))
}

/// Accepts any certificate, but still checks the handshake signatures with it.
#[derive(Debug)]
struct Unverified(Arc<CryptoProvider>);

impl ServerCertVerifier for Unverified {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
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
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
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
