//! What a server session offers and enforces.

use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;

use crate::sasl::Mechanism;

/// The configuration of a [`Server`](super::Server) session.
///
/// The defaults are a relay (port 25) server: ESMTP extensions on, no STARTTLS (set
/// [`ServerConfig::tls_available`] when the caller holds a certificate), no AUTH.
/// [`ServerConfig::submission`] gives the RFC 6409 settings for port 587.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerConfig {
    /// The server's name, in the greeting and the EHLO reply.
    pub hostname: String,
    /// Whether the caller can start TLS when asked: offers STARTTLS (RFC 3207).
    pub tls_available: bool,
    /// Whether the connection is already TLS (implicit TLS, RFC 8314 port 465).
    pub tls_at_start: bool,
    /// The SASL mechanisms offered in the order given; empty offers no AUTH.
    pub auth_mechanisms: Vec<Mechanism>,
    /// AUTH only over TLS (RFC 6409 §4.1 and common sense for passwords). Default true.
    pub auth_requires_tls: bool,
    /// MAIL only after a successful AUTH: submission (RFC 6409 §4.3). Default false.
    pub mail_requires_auth: bool,
    /// The largest message accepted, in octets, announced with SIZE (RFC 1870). `None`: no limit.
    pub max_message_size: Option<u64>,
    /// Recipients per message; more get 452 4.5.3 (RFC 5321 §4.5.3.1.10 asks for at least 100).
    pub max_recipients: usize,
    /// Messages per session; the next MAIL gets 421 and the session closes. `None`: no limit.
    pub max_messages: Option<usize>,
    /// Client errors (unknown commands, bad syntax, bad sequence) before the session answers
    /// 421 and closes.
    pub max_errors: usize,
    /// The longest command line, CRLF included. RFC 5321 §4.5.3.1.4 sets 512 octets and each
    /// extension's parameters may add to it (RFC 1869), hence the larger default.
    pub max_command_line: usize,
    /// The longest SASL response line (RFC 4954 §4: 12288 octets).
    pub max_auth_line: usize,
    /// Offer PIPELINING (RFC 2920).
    pub pipelining: bool,
    /// Offer 8BITMIME (RFC 6152).
    pub eight_bit_mime: bool,
    /// Offer CHUNKING and BINARYMIME (RFC 3030).
    pub chunking: bool,
    /// Offer DSN (RFC 3461).
    pub dsn: bool,
    /// Offer SMTPUTF8 (RFC 6531).
    pub smtputf8: bool,
    /// Offer REQUIRETLS (RFC 8689) on TLS connections.
    pub require_tls: bool,
    /// Accept a bare CR or LF inside DATA as message content instead of refusing the message.
    /// The data still ends only at CRLF "." CRLF. For peers that send LF-only messages; off
    /// by default because such bytes are how SMTP smuggling works.
    pub allow_bare_line_endings: bool,
    /// What to do with bytes the client sent after STARTTLS before the TLS handshake.
    pub pipelined_after_starttls: AfterStartTls,
    /// How long the session waits for the client's next command (RFC 5321 §4.5.3.2.7: at
    /// least five minutes).
    pub command_timeout: Duration,
    /// How long the session waits for more message data (RFC 5321 §4.5.3.2.6: the client's
    /// data block timeout is three minutes; the server waits at least as long).
    pub data_timeout: Duration,
}

/// The answer to plaintext pipelined behind STARTTLS, which RFC 3207 §4.2 forbids and which an
/// attacker in the path would use to inject commands into the later TLS session
/// (CVE-2011-0411 and its kin).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AfterStartTls {
    /// Answer 220, drop the pipelined bytes and start TLS.
    #[default]
    Discard,
    /// Answer 451 and close the connection without TLS.
    Refuse,
}

impl ServerConfig {
    /// A relay server (port 25) with the defaults.
    pub fn new(hostname: impl Into<String>) -> ServerConfig {
        ServerConfig {
            hostname: hostname.into(),
            tls_available: false,
            tls_at_start: false,
            auth_mechanisms: Vec::new(),
            auth_requires_tls: true,
            mail_requires_auth: false,
            max_message_size: Some(25 * 1024 * 1024),
            max_recipients: 1000,
            max_messages: Some(100),
            max_errors: 20,
            max_command_line: 4096,
            max_auth_line: 12288,
            pipelining: true,
            eight_bit_mime: true,
            chunking: true,
            dsn: true,
            smtputf8: true,
            require_tls: true,
            allow_bare_line_endings: false,
            pipelined_after_starttls: AfterStartTls::Discard,
            command_timeout: Duration::from_secs(300),
            data_timeout: Duration::from_secs(300),
        }
    }

    /// A submission server (RFC 6409, port 587): STARTTLS, then AUTH PLAIN or LOGIN, then mail.
    pub fn submission(hostname: impl Into<String>) -> ServerConfig {
        ServerConfig {
            tls_available: true,
            auth_mechanisms: alloc::vec![Mechanism::Plain, Mechanism::Login],
            mail_requires_auth: true,
            ..ServerConfig::new(hostname)
        }
    }
}
