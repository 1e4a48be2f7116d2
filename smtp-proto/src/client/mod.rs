//! The sans-IO SMTP client session: greeting, EHLO (HELO fallback), STARTTLS, AUTH, one or more
//! messages with MAIL, RCPT and DATA or BDAT, pipelined when the server offers it, and QUIT.
//!
//! See [`Client`] for the caller loop.

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;

use base64::Engine as _;
use tegami_core::Secret;
use tegami_core::mailbox::ReversePath;

use crate::command::{Body, Command, ForwardPath, MailParameters, RcptParameters};
use crate::ehlo::{Ehlo, Extension};
use crate::reply::{Reply, ReplyError, ReplyLimits, ReplyParse};
use crate::sasl::{self, scram::ClientExchange};

/// One SMTP client session (one connection), as a state machine.
///
/// **Report what happened:** [`handle_input`](Client::handle_input) (bytes from the server),
/// [`handle_tls_established`](Client::handle_tls_established) (the handshake that
/// [`ClientEvent::StartTls`] asked for is done), [`handle_timeout`](Client::handle_timeout).
///
/// **Record the application's wishes:** [`send_message`](Client::send_message) queues a
/// message (any number per connection); [`quit`](Client::quit) ends the session once the queue
/// is empty.
///
/// **Ask what to do next:** [`poll`](Client::poll) appends bytes to send to your buffer and
/// returns the next [`ClientEvent`]; call it until it returns `None`, write the buffer, read.
///
/// ```
/// use tegami_smtp_proto::client::{Client, ClientConfig, ClientEvent, Envelope};
/// use tegami_smtp_proto::server::{Event, Server, ServerConfig};
///
/// let mut client = Client::new(ClientConfig::new("client.example"));
/// let envelope = Envelope::new("<a@client.example>", ["<b@mx.example>"])?;
/// client.send_message(envelope, b"Subject: hi\r\n\r\n.dot\r\n".to_vec());
/// client.quit();
/// let mut server = Server::new(ServerConfig::new("mx.example"));
/// let (mut to_server, mut to_client, mut delivered, mut stored) = (vec![], vec![], vec![], vec![]);
/// for _ in 0..10 {
///     while let Some(event) = server.poll(&mut to_client) {
///         match event {
///             Event::Data(chunk) => stored.extend_from_slice(chunk),
///             event => if let Some(request) = event.request() { server.accept(request)? },
///         }
///     }
///     client.handle_input(&std::mem::take(&mut to_client));
///     while let Some(event) = client.poll(&mut to_server) {
///         if let ClientEvent::Delivered(delivery) = event { delivered.push(delivery) }
///     }
///     server.handle_input(&std::mem::take(&mut to_server));
/// }
/// assert!(delivered[0].is_accepted());
/// assert_eq!(stored, b"Subject: hi\r\n\r\n.dot\r\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Client {
    config: ClientConfig,
    input: Vec<u8>,
    output: Vec<u8>,
    phase: Phase,
    server: Option<ServerInfo>,
    tls: bool,
    authenticated: bool,
    /// The mechanism of the AUTH in progress or done.
    auth_mechanism: Option<sasl::Mechanism>,
    /// The SCRAM-SHA-256 exchange in progress.
    scram: Option<Box<ClientExchange>>,
    queue: VecDeque<Outgoing>,
    current: Option<Transaction>,
    expect: VecDeque<Expect>,
    events: VecDeque<ClientEvent>,
    quit: bool,
    next_id: u64,
}

/// What a [`Client`] is configured to do.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientConfig {
    /// The name sent with EHLO or HELO.
    pub hostname: String,
    /// When to use STARTTLS.
    pub tls: TlsPolicy,
    /// Whether the connection is TLS from the start (RFC 8314 port 465).
    pub tls_at_start: bool,
    /// A user name and password for AUTH: SCRAM-SHA-256 when the server offers it and
    /// [`sasl_nonce`](Self::sasl_nonce) is set, else PLAIN, LOGIN or CRAM-MD5, in that order.
    pub credentials: Option<(String, Secret<String>)>,
    /// A fresh random value for this connection (printable ASCII without commas; 18 random
    /// bytes in base64 do): SCRAM-SHA-256's client nonce. Without it SCRAM is not used; the
    /// session has no randomness of its own.
    pub sasl_nonce: Option<String>,
    /// Send credentials without TLS. Off by default.
    pub allow_plaintext_auth: bool,
    /// Use BDAT when the server offers CHUNKING.
    pub prefer_chunking: bool,
    /// Bounds on the replies read.
    pub reply_limits: ReplyLimits,
    /// How long to wait for a reply (RFC 5321 §4.5.3.2: five minutes for most commands, ten
    /// for the end of data).
    pub reply_timeout: Duration,
}

/// When the client uses STARTTLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsPolicy {
    /// Never: plaintext throughout.
    Never,
    /// When the server offers it (the usual relay policy, open to downgrade).
    Opportunistic,
    /// Always: a server without STARTTLS is an error (submission, MTA-STS `enforce`).
    Required,
}

/// The envelope of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// The reverse path.
    pub from: ReversePath,
    /// The recipients, in order.
    pub recipients: Vec<ForwardPath>,
    /// MAIL parameters beyond those the client sets itself (SIZE, BODY, SMTPUTF8): RET, ENVID,
    /// AUTH=, REQUIRETLS.
    pub parameters: MailParameters<'static>,
    /// RCPT parameters per recipient (NOTIFY, ORCPT), by index; missing entries are empty.
    pub recipient_parameters: Vec<RcptParameters<'static>>,
}

/// What the session reports.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientEvent {
    /// Write the output, run the TLS handshake as client, then call
    /// [`Client::handle_tls_established`].
    StartTls,
    /// A message's transaction ended, delivered or not.
    Delivered(Delivery),
    /// The session cannot go on; [`ClientEvent::Close`] follows. Queued messages were not sent.
    Failed(ClientError),
    /// Write the output, then close the connection.
    Close,
}

/// The outcome of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The number [`Client::send_message`] returned.
    pub id: u64,
    /// The reply to MAIL.
    pub mail: Reply<'static>,
    /// Each recipient with the reply to its RCPT.
    pub recipients: Vec<(ForwardPath, Reply<'static>)>,
    /// The reply after the data (or to DATA when it was refused), if the data phase ran.
    pub data: Option<Reply<'static>>,
}

/// Why the client session stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The server's bytes are not SMTP replies.
    #[error("malformed reply: {0}")]
    MalformedReply(ReplyError),
    /// The server refused the connection or the greeting was not 220.
    #[error("server refused the session: {0}")]
    Refused(Reply<'static>),
    /// Neither EHLO nor HELO was accepted.
    #[error("server refused EHLO and HELO: {0}")]
    HelloRefused(Reply<'static>),
    /// TLS is required and the server does not offer STARTTLS or refused it.
    #[error("server does not offer STARTTLS")]
    TlsUnavailable,
    /// The server sent bytes after its 220 to STARTTLS, before the handshake: STARTTLS
    /// response injection ("Why TLS is better without STARTTLS", USENIX Security 2021).
    #[error("server sent data after accepting STARTTLS")]
    InjectionAfterStartTls,
    /// Credentials are configured and the server offers none of SCRAM-SHA-256 (with a nonce
    /// configured), PLAIN, LOGIN or CRAM-MD5 (or not without TLS).
    #[error("no usable AUTH mechanism")]
    NoAuthMechanism,
    /// A SASL exchange went wrong on the server's side: a malformed challenge, or a SCRAM
    /// server signature that does not verify (the server does not hold the user's keys).
    #[error("AUTH exchange failed: {0}")]
    Sasl(sasl::SaslError),
    /// The server refused the credentials.
    #[error("authentication failed: {0}")]
    AuthenticationFailed(Reply<'static>),
    /// A message needs an extension the server lacks (SMTPUTF8, REQUIRETLS, 8BITMIME).
    #[error("server lacks the {0} extension this message needs")]
    MissingExtension(&'static str),
    /// The server closed with 421 or another reply the session cannot continue after.
    #[error("server closed the session: {0}")]
    Closed(Reply<'static>),
    /// No reply in time.
    #[error("timeout waiting for the server")]
    Timeout,
}

#[derive(Debug)]
struct Outgoing {
    id: u64,
    envelope: Envelope,
    message: Vec<u8>,
}

#[derive(Debug)]
struct Transaction {
    outgoing: Outgoing,
    pending: VecDeque<(ForwardPath, RcptParameters<'static>)>,
    mail: Option<Reply<'static>>,
    recipients: Vec<(ForwardPath, Reply<'static>)>,
    chunking: bool,
    binary: bool,
    pipelined: bool,
}

#[derive(Debug, Clone, Default)]
struct ServerInfo {
    esmtp: bool,
    pipelining: bool,
    size: bool,
    eight_bit: bool,
    smtputf8: bool,
    chunking: bool,
    binarymime: bool,
    starttls: bool,
    requiretls: bool,
    auth: Vec<String>,
}

#[derive(Debug, PartialEq, Eq)]
enum Phase {
    Greeting,
    Hello,
    AwaitTls,
    Ready,
    Busy,
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Greeting,
    Ehlo,
    Helo,
    StartTls,
    AuthLoginUser,
    AuthLoginPassword,
    AuthCramMd5,
    AuthScramFirst,
    AuthScramFinal,
    AuthResult,
    Mail,
    Rcpt,
    Data,
    DataEnd,
    Bdat,
    Rset,
    Quit,
}

impl Envelope {
    /// An envelope from paths as SMTP writes them (`<a@b.example>`, `<>`).
    ///
    /// # Errors
    ///
    /// [`crate::CommandError`] when a path is malformed.
    pub fn new<'a>(
        from: &str,
        recipients: impl IntoIterator<Item = &'a str>,
    ) -> Result<Envelope, crate::CommandError> {
        let (from, rest) =
            ReversePath::parse(from.as_bytes()).map_err(crate::CommandError::InvalidReversePath)?;
        if !rest.is_empty() {
            return Err(crate::CommandError::MalformedParameter);
        }
        let recipients = recipients
            .into_iter()
            .map(
                |to| match Command::parse(format!("RCPT TO:{to}").as_bytes())? {
                    Command::Rcpt { to, .. } => Ok(to.into_owned()),
                    _ => Err(crate::CommandError::MissingKeyword),
                },
            )
            .collect::<Result<_, _>>()?;
        Ok(Envelope {
            from,
            recipients,
            parameters: MailParameters::default(),
            recipient_parameters: Vec::new(),
        })
    }
}

impl Delivery {
    /// Whether the server took the message for at least one recipient.
    pub fn is_accepted(&self) -> bool {
        self.data
            .as_ref()
            .is_some_and(Reply::is_positive_completion)
    }

    /// The recipients the server accepted.
    pub fn accepted_recipients(&self) -> impl Iterator<Item = &ForwardPath> {
        self.recipients
            .iter()
            .filter(|(_, reply)| reply.is_positive_completion())
            .map(|(to, _)| to)
    }
}

impl ClientConfig {
    /// Opportunistic STARTTLS, no AUTH, BDAT when offered.
    pub fn new(hostname: impl Into<String>) -> ClientConfig {
        ClientConfig {
            hostname: hostname.into(),
            tls: TlsPolicy::Opportunistic,
            tls_at_start: false,
            credentials: None,
            sasl_nonce: None,
            allow_plaintext_auth: false,
            prefer_chunking: true,
            reply_limits: ReplyLimits::default(),
            reply_timeout: Duration::from_secs(300),
        }
    }
}

impl Client {
    /// A session for a new connection; it waits for the server's greeting.
    pub fn new(config: ClientConfig) -> Client {
        Client {
            tls: config.tls_at_start,
            config,
            input: Vec::new(),
            output: Vec::new(),
            phase: Phase::Greeting,
            server: None,
            authenticated: false,
            auth_mechanism: None,
            scram: None,
            queue: VecDeque::new(),
            current: None,
            expect: VecDeque::from([Expect::Greeting]),
            events: VecDeque::new(),
            quit: false,
            next_id: 0,
        }
    }

    /// Reports bytes read from the server.
    pub fn handle_input(&mut self, bytes: &[u8]) {
        if !matches!(self.phase, Phase::Closed | Phase::AwaitTls) {
            self.input.extend_from_slice(bytes);
        }
    }

    /// Reports that the TLS handshake completed; the session says EHLO again (RFC 3207 §4.2).
    pub fn handle_tls_established(&mut self) {
        if self.phase == Phase::AwaitTls {
            self.tls = true;
            self.server = None;
            self.phase = Phase::Hello;
            self.send(&Command::Ehlo(&self.config.hostname.clone()), Expect::Ehlo);
        }
    }

    /// Reports that [`Client::poll_timeout`]'s time passed without a reply.
    pub fn handle_timeout(&mut self) {
        if self.phase != Phase::Closed {
            self.fail(ClientError::Timeout);
        }
    }

    /// Queues a message; returns the id its [`Delivery`] will carry. Lines go out ending in
    /// CRLF (a bare CR or LF becomes CRLF, which RFC 5321 §2.3.8 requires, and a missing final
    /// CRLF is added); with DATA they are dot-stuffed. Only a `BODY=BINARYMIME` message goes
    /// out byte for byte, with BDAT.
    pub fn send_message(&mut self, envelope: Envelope, message: Vec<u8>) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.queue.push_back(Outgoing {
            id,
            envelope,
            message,
        });
        id
    }

    /// Ends the session with QUIT once every queued message is done.
    pub fn quit(&mut self) {
        self.quit = true;
    }

    /// Appends bytes to send to `out` and returns the next event; `None`: write `out`, then
    /// read.
    pub fn poll(&mut self, out: &mut Vec<u8>) -> Option<ClientEvent> {
        self.advance();
        out.append(&mut self.output);
        self.events.pop_front()
    }

    /// How long to wait for the server before calling [`Client::handle_timeout`]; `None` when
    /// no reply is awaited.
    pub fn poll_timeout(&self) -> Option<Duration> {
        match self.expect.front() {
            None => None,
            Some(Expect::DataEnd | Expect::Bdat) => Some(self.config.reply_timeout * 2),
            Some(_) => Some(self.config.reply_timeout),
        }
    }

    /// Whether the session runs over TLS.
    pub fn tls_active(&self) -> bool {
        self.tls
    }

    /// Whether the server accepted our credentials.
    pub fn authenticated(&self) -> bool {
        self.authenticated
    }

    /// The SASL mechanism the session authenticated with, once it did.
    pub fn auth_mechanism(&self) -> Option<sasl::Mechanism> {
        self.auth_mechanism.filter(|_| self.authenticated)
    }

    fn advance(&mut self) {
        loop {
            if self.phase == Phase::Closed {
                return;
            }
            if self.expect.is_empty() {
                if self.phase == Phase::Ready {
                    self.next_transaction();
                    if !self.expect.is_empty() {
                        continue;
                    }
                }
                return;
            }
            let parsed = Reply::parse_with(&self.input, self.config.reply_limits);
            let reply = match parsed {
                Ok(ReplyParse::Incomplete) => return,
                Err(error) => return self.fail(ClientError::MalformedReply(error)),
                Ok(ReplyParse::Complete { reply, consumed }) => {
                    let reply = reply.into_owned();
                    self.input.drain(..consumed);
                    reply
                }
            };
            let Some(expect) = self.expect.pop_front() else {
                return;
            };
            self.reply(expect, reply);
        }
    }

    fn reply(&mut self, expect: Expect, reply: Reply<'static>) {
        // 421 can answer any command: the server is going away (RFC 5321 §3.8).
        if reply.code() == 421 && expect != Expect::Quit {
            return self.fail(ClientError::Closed(reply));
        }
        match expect {
            Expect::Greeting => {
                if reply.code() != 220 {
                    return self.fail(ClientError::Refused(reply));
                }
                self.phase = Phase::Hello;
                self.send(&Command::Ehlo(&self.config.hostname.clone()), Expect::Ehlo);
            }
            Expect::Ehlo => {
                if reply.is_positive_completion() {
                    self.server = Some(ServerInfo::from_ehlo(&reply));
                    return self.after_hello();
                }
                if reply.is_permanent_failure() {
                    self.send(&Command::Helo(&self.config.hostname.clone()), Expect::Helo);
                } else {
                    self.fail(ClientError::HelloRefused(reply));
                }
            }
            Expect::Helo => {
                if !reply.is_positive_completion() {
                    return self.fail(ClientError::HelloRefused(reply));
                }
                self.server = Some(ServerInfo::default());
                self.after_hello();
            }
            Expect::StartTls => {
                if reply.code() != 220 {
                    if self.config.tls == TlsPolicy::Required {
                        return self.fail(ClientError::TlsUnavailable);
                    }
                    if let Some(server) = &mut self.server {
                        server.starttls = false;
                    }
                    return self.after_hello();
                }
                if !self.input.is_empty() {
                    return self.fail(ClientError::InjectionAfterStartTls);
                }
                self.phase = Phase::AwaitTls;
                self.events.push_back(ClientEvent::StartTls);
            }
            Expect::AuthLoginUser | Expect::AuthLoginPassword => {
                if reply.code() != 334 {
                    return self.auth_result(reply);
                }
                let Some((user, password)) = self.config.credentials.clone() else {
                    return self.fail(ClientError::NoAuthMechanism);
                };
                let response = match expect {
                    Expect::AuthLoginUser => {
                        self.expect.push_back(Expect::AuthLoginPassword);
                        base64(user.as_bytes())
                    }
                    _ => {
                        self.expect.push_back(Expect::AuthResult);
                        base64(password.expose().as_bytes())
                    }
                };
                self.output.extend_from_slice(response.as_bytes());
                self.output.extend_from_slice(b"\r\n");
            }
            Expect::AuthCramMd5 => {
                if reply.code() != 334 {
                    return self.auth_result(reply);
                }
                let Some((user, password)) = self.config.credentials.clone() else {
                    return self.fail(ClientError::NoAuthMechanism);
                };
                let challenge = match challenge_text(&reply) {
                    Ok(challenge) => challenge,
                    Err(error) => return self.fail(ClientError::Sasl(error)),
                };
                let challenge = String::from_utf8_lossy(&challenge).into_owned();
                let response =
                    sasl::cram_md5::response(&user, password.expose().as_bytes(), &challenge);
                self.respond(response.as_bytes(), Expect::AuthResult);
            }
            Expect::AuthScramFirst | Expect::AuthScramFinal => {
                if reply.code() != 334 {
                    self.scram = None;
                    return self.auth_result(reply);
                }
                let message = match challenge_text(&reply) {
                    Ok(message) => message,
                    Err(error) => return self.fail(ClientError::Sasl(error)),
                };
                let Some(exchange) = self.scram.as_mut() else {
                    return self.fail(ClientError::NoAuthMechanism);
                };
                if expect == Expect::AuthScramFirst {
                    match exchange.client_final(&message) {
                        Ok(client_final) => {
                            self.respond(client_final.as_bytes(), Expect::AuthScramFinal);
                        }
                        Err(error) => self.fail(ClientError::Sasl(error)),
                    }
                } else {
                    // The server proved it holds the keys; only then say yes.
                    match exchange.verify_server_final(&message) {
                        Ok(()) => {
                            self.scram = None;
                            self.respond(b"", Expect::AuthResult);
                        }
                        Err(error) => self.fail(ClientError::Sasl(error)),
                    }
                }
            }
            Expect::AuthResult => self.auth_result(reply),
            Expect::Mail => self.after_mail(reply),
            Expect::Rcpt => self.after_recipient(reply),
            Expect::Data => self.after_data_command(reply),
            Expect::DataEnd | Expect::Bdat => self.finish(Some(reply)),
            Expect::Rset => {}
            Expect::Quit => {
                self.phase = Phase::Closed;
                self.events.push_back(ClientEvent::Close);
            }
        }
    }

    /// After EHLO/HELO: STARTTLS, then AUTH, then ready for mail.
    fn after_hello(&mut self) {
        let server = self.server.clone().unwrap_or_default();
        if !self.tls && self.config.tls != TlsPolicy::Never {
            if server.starttls {
                return self.send(&Command::StartTls, Expect::StartTls);
            }
            if self.config.tls == TlsPolicy::Required {
                return self.fail(ClientError::TlsUnavailable);
            }
        }
        if self.config.credentials.is_some() && !self.authenticated {
            if !self.tls && !self.config.allow_plaintext_auth {
                return self.fail(ClientError::NoAuthMechanism);
            }
            let offers = |name: &str| server.auth.iter().any(|m| m.eq_ignore_ascii_case(name));
            if offers("SCRAM-SHA-256")
                && let (Some(nonce), Some((user, password))) =
                    (&self.config.sasl_nonce, &self.config.credentials)
            {
                match ClientExchange::new(user, None, password.expose().as_bytes(), nonce) {
                    Ok(exchange) => {
                        let first = base64(exchange.client_first().as_bytes());
                        self.scram = Some(Box::new(exchange));
                        self.auth_mechanism = Some(sasl::Mechanism::ScramSha256);
                        return self.send(
                            &Command::Auth {
                                mechanism: "SCRAM-SHA-256",
                                initial_response: Some(&first),
                            },
                            Expect::AuthScramFirst,
                        );
                    }
                    Err(error) => return self.fail(ClientError::Sasl(error)),
                }
            }
            if offers("PLAIN") {
                let (user, password) = self.config.credentials.clone().unwrap_or_default();
                let response = plain(&user, password.expose());
                self.auth_mechanism = Some(sasl::Mechanism::Plain);
                return self.send(
                    &Command::Auth {
                        mechanism: "PLAIN",
                        initial_response: Some(&response),
                    },
                    Expect::AuthResult,
                );
            }
            if offers("LOGIN") {
                self.auth_mechanism = Some(sasl::Mechanism::Login);
                return self.send(
                    &Command::Auth {
                        mechanism: "LOGIN",
                        initial_response: None,
                    },
                    Expect::AuthLoginUser,
                );
            }
            if offers("CRAM-MD5") {
                self.auth_mechanism = Some(sasl::Mechanism::CramMd5);
                return self.send(
                    &Command::Auth {
                        mechanism: "CRAM-MD5",
                        initial_response: None,
                    },
                    Expect::AuthCramMd5,
                );
            }
            return self.fail(ClientError::NoAuthMechanism);
        }
        self.phase = Phase::Ready;
    }

    fn auth_result(&mut self, reply: Reply<'static>) {
        if reply.code() != 235 {
            return self.fail(ClientError::AuthenticationFailed(reply));
        }
        self.authenticated = true;
        self.phase = Phase::Ready;
    }

    /// Starts the next queued message, or QUIT.
    fn next_transaction(&mut self) {
        let Some(outgoing) = self.queue.pop_front() else {
            if self.quit {
                self.phase = Phase::Busy;
                self.send(&Command::Quit, Expect::Quit);
            }
            return;
        };
        let server = self.server.clone().unwrap_or_default();
        let mut parameters = outgoing.envelope.parameters.clone();
        let needs_utf8 = matches!(&outgoing.envelope.from, ReversePath::Mailbox(m) if m.requires_smtputf8())
            || outgoing
                .envelope
                .recipients
                .iter()
                .any(|to| matches!(to, ForwardPath::Mailbox(m) if m.requires_smtputf8()));
        if needs_utf8 || parameters.smtputf8 {
            if !server.smtputf8 {
                return self.fail(ClientError::MissingExtension("SMTPUTF8"));
            }
            parameters.smtputf8 = true;
        }
        if parameters.require_tls && !(server.requiretls && self.tls) {
            return self.fail(ClientError::MissingExtension("REQUIRETLS"));
        }
        let chunking = self.config.prefer_chunking && server.chunking;
        let eight_bit = outgoing.message.iter().any(|&byte| byte >= 0x80);
        if parameters.body == Some(Body::BinaryMime) && !(server.binarymime && chunking) {
            return self.fail(ClientError::MissingExtension("BINARYMIME"));
        }
        if eight_bit && parameters.body.is_none() {
            if !server.eight_bit {
                return self.fail(ClientError::MissingExtension("8BITMIME"));
            }
            parameters.body = Some(Body::EightBitMime);
        }
        if server.size {
            parameters.size = Some(outgoing.message.len() as u64);
        }
        if !server.esmtp {
            parameters = MailParameters::default();
        }
        let binary = parameters.body == Some(Body::BinaryMime);
        self.phase = Phase::Busy;
        let from = (&outgoing.envelope.from).into();
        self.send(&Command::Mail { from, parameters }, Expect::Mail);
        let pending: VecDeque<(ForwardPath, RcptParameters<'static>)> = outgoing
            .envelope
            .recipients
            .iter()
            .enumerate()
            .map(|(index, to)| {
                let parameters = outgoing
                    .envelope
                    .recipient_parameters
                    .get(index)
                    .cloned()
                    .unwrap_or_default();
                (to.clone(), parameters)
            })
            .collect();
        self.current = Some(Transaction {
            outgoing,
            pending,
            mail: None,
            recipients: Vec::new(),
            chunking,
            binary,
            pipelined: server.pipelining,
        });
        if server.pipelining {
            // RFC 2920 §3.1: MAIL, every RCPT and DATA go out as one group.
            while let Some((to, parameters)) = self.next_recipient() {
                self.send(
                    &Command::Rcpt {
                        to: (&to).into(),
                        parameters,
                    },
                    Expect::Rcpt,
                );
            }
            if !chunking {
                self.send(&Command::Data, Expect::Data);
            }
        }
    }

    fn next_recipient(&mut self) -> Option<(ForwardPath, RcptParameters<'static>)> {
        self.current.as_mut()?.pending.pop_front()
    }

    fn after_mail(&mut self, reply: Reply<'static>) {
        let accepted = reply.is_positive_completion();
        let Some(transaction) = &mut self.current else {
            return;
        };
        transaction.mail = Some(reply);
        if transaction.pipelined {
            return;
        }
        if !accepted {
            return self.finish(None);
        }
        if let Some((to, parameters)) = self.next_recipient() {
            self.send(
                &Command::Rcpt {
                    to: (&to).into(),
                    parameters,
                },
                Expect::Rcpt,
            );
        }
    }

    fn after_recipient(&mut self, reply: Reply<'static>) {
        let Some(transaction) = &mut self.current else {
            return;
        };
        let index = transaction.recipients.len();
        if let Some(to) = transaction.outgoing.envelope.recipients.get(index) {
            transaction.recipients.push((to.clone(), reply));
        }
        if !transaction.pipelined
            && let Some((to, parameters)) = self.next_recipient()
        {
            return self.send(
                &Command::Rcpt {
                    to: (&to).into(),
                    parameters,
                },
                Expect::Rcpt,
            );
        }
        let Some(transaction) = &self.current else {
            return;
        };
        if transaction.recipients.len() < transaction.outgoing.envelope.recipients.len() {
            return; // more pipelined RCPT replies to come
        }
        let any_accepted = transaction
            .recipients
            .iter()
            .any(|(_, reply)| reply.is_positive_completion());
        let mail_ok = transaction
            .mail
            .as_ref()
            .is_some_and(Reply::is_positive_completion);
        let (chunking, pipelined) = (transaction.chunking, transaction.pipelined);
        if !(any_accepted && mail_ok) {
            if chunking || !pipelined {
                if mail_ok {
                    self.send(&Command::Rset, Expect::Rset);
                }
                self.finish(None);
            }
            // Pipelined DATA is already on its way; its reply ends the transaction.
            return;
        }
        if chunking {
            let mut message = Vec::new();
            if let Some(transaction) = &self.current {
                if transaction.binary {
                    message.extend_from_slice(&transaction.outgoing.message);
                } else {
                    write_lines(&transaction.outgoing.message, &mut message, false);
                }
            }
            let size = message.len() as u64;
            self.send(&Command::Bdat { size, last: true }, Expect::Bdat);
            self.output.extend_from_slice(&message);
        } else if !pipelined {
            self.send(&Command::Data, Expect::Data);
        }
    }

    fn after_data_command(&mut self, reply: Reply<'static>) {
        if reply.code() != 354 {
            return self.finish(Some(reply));
        }
        let any_accepted = self.current.as_ref().is_some_and(|transaction| {
            transaction
                .recipients
                .iter()
                .any(|(_, reply)| reply.is_positive_completion())
        });
        if any_accepted && let Some(transaction) = &self.current {
            dot_stuff(&transaction.outgoing.message, &mut self.output);
        }
        // Without an accepted recipient the 354 (which a server should not send) gets an
        // empty message's end at once, as RFC 2920 §3.1 says.
        self.output.extend_from_slice(b".\r\n");
        self.expect.push_back(Expect::DataEnd);
    }

    /// Ends the current transaction with a [`Delivery`].
    fn finish(&mut self, data: Option<Reply<'static>>) {
        if let Some(transaction) = self.current.take() {
            let no_reply = || Reply::new(554, None, "no reply");
            self.events.push_back(ClientEvent::Delivered(Delivery {
                id: transaction.outgoing.id,
                mail: transaction.mail.unwrap_or_else(no_reply),
                recipients: transaction.recipients,
                data,
            }));
        }
        self.phase = Phase::Ready;
    }

    fn send(&mut self, command: &Command<'_>, expect: Expect) {
        command.write_to(&mut self.output);
        self.expect.push_back(expect);
    }

    /// Answers a 334 challenge with `message`, base64-encoded (RFC 4954 §4).
    fn respond(&mut self, message: &[u8], expect: Expect) {
        self.output.extend_from_slice(base64(message).as_bytes());
        self.output.extend_from_slice(b"\r\n");
        self.expect.push_back(expect);
    }

    fn fail(&mut self, error: ClientError) {
        if self.phase == Phase::Closed {
            return;
        }
        self.events.push_back(ClientEvent::Failed(error));
        self.events.push_back(ClientEvent::Close);
        self.phase = Phase::Closed;
        self.expect.clear();
    }
}

impl ServerInfo {
    fn from_ehlo(reply: &Reply<'_>) -> ServerInfo {
        let mut info = ServerInfo {
            esmtp: true,
            ..ServerInfo::default()
        };
        let Some(ehlo) = Ehlo::from_reply(reply) else {
            return info;
        };
        for extension in &ehlo.extensions {
            match extension {
                Extension::EightBitMime => info.eight_bit = true,
                Extension::Auth(mechanisms) => {
                    info.auth = mechanisms.iter().map(String::from).collect();
                }
                Extension::BinaryMime => info.binarymime = true,
                Extension::Chunking => info.chunking = true,
                Extension::Pipelining => info.pipelining = true,
                Extension::RequireTls => info.requiretls = true,
                Extension::Size(_) => info.size = true,
                Extension::SmtpUtf8 => info.smtputf8 = true,
                Extension::StartTls => info.starttls = true,
                _ => {}
            }
        }
        info
    }
}

/// Writes `message` for DATA: a dot opening a line doubled (RFC 5321 §4.5.2), every line
/// ending in CRLF (a bare CR or LF becomes CRLF), and a final CRLF if the message lacks one.
pub fn dot_stuff(message: &[u8], out: &mut Vec<u8>) {
    write_lines(message, out, true);
}

/// Writes `message` with every line ending in CRLF (the form RFC 5322 §2.3 requires on the
/// wire), dot-stuffed when `stuff` is set.
fn write_lines(message: &[u8], out: &mut Vec<u8>, stuff: bool) {
    out.reserve(message.len() + message.len() / 64 + 2);
    let mut line_start = true;
    let mut bytes = message.iter().copied().peekable();
    while let Some(byte) = bytes.next() {
        if stuff && line_start && byte == b'.' {
            out.push(b'.');
        }
        match byte {
            b'\r' => {
                if bytes.peek() == Some(&b'\n') {
                    bytes.next();
                }
                out.extend_from_slice(b"\r\n");
                line_start = true;
            }
            b'\n' => {
                out.extend_from_slice(b"\r\n");
                line_start = true;
            }
            other => {
                out.push(other);
                line_start = false;
            }
        }
    }
    if !line_start {
        out.extend_from_slice(b"\r\n");
    }
}

fn plain(user: &str, password: &str) -> String {
    let mut message = Vec::with_capacity(user.len() + password.len() + 2);
    message.push(0);
    message.extend_from_slice(user.as_bytes());
    message.push(0);
    message.extend_from_slice(password.as_bytes());
    base64(&message)
}

/// The decoded text of a 334 challenge.
fn challenge_text(reply: &Reply<'_>) -> Result<Vec<u8>, sasl::SaslError> {
    let text: String = reply.lines().concat();
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|_| sasl::SaslError::InvalidBase64)
}

fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests;
